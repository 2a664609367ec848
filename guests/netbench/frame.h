/* SPDX-License-Identifier: MIT */
/*
 * netbench's frames (ethertype 0x88b9), all fields big endian:
 *   0 dst | 6 src | 12 type | 14 u8 kind | 15 u8 arg | 16 u32 seq |
 *   20 u16 size (the frame's own length) | 22 u32 a | 26 u32 b | 30 u32 c |
 *   34.. pattern: byte i is (uint8_t)i
 * Data (tx -> rx) and echo (rx -> tx) frames carry their sequence number in
 * seq and two stamped bytes that depend on it (the middle of the pattern and
 * the last byte): per frame the sender writes 6 bytes, the receiver checks
 * the header, size, sequence and 3 payload bytes, on every path alike.
 * Control frames have the size of the data they go with, so that they take
 * the same path (copy below the VMM's zero-copy minimum, shared page above):
 *   UP      rx -> tx, every 200 ms until HELLO
 *   HELLO   tx -> rx, seq = request id
 *   CONFIG  tx -> rx, seq = request id, arg = mode (0 poll, 1 irq),
 *           a = op | count << 8, b = batch, c = layout | tso << 7 |
 *           data size << 8 (layout.h); ops: STREAM (count DATA frames
 *           to rx, then DONE), ECHO (rx echoes count DATA frames at once,
 *           as ECHO frames of at most 1514 bytes), SEND (rx streams count
 *           ECHO frames to tx), LAYOUT (both NICs are set up again for
 *           layout c: rx does it after its READY, then sends UP every
 *           5 ms until a new HELLO), QUIT. With a layout other than
 *           aligned, DATA frames are IPv4/TCP frames (layout.h) and
 *           control frames are at most 1514 bytes long.
 *   READY   rx -> tx, seq = request id: NIC in the new mode, op started
 *   DONE    rx -> tx after a stream, seq = request id, a = frames received
 *           (in order, right size), b = errors
 */
#ifndef XTALK_NETBENCH_FRAME_H
#define XTALK_NETBENCH_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "ether.h"

#define NB_TYPE 0x88b9
#define NB_OFF_KIND 14
#define NB_OFF_ARG 15
#define NB_OFF_SEQ 16
#define NB_OFF_SIZE 20
#define NB_OFF_A 22
#define NB_OFF_B 26
#define NB_OFF_C 30
#define NB_OFF_PAT 34
#define NB_MIN ETH_ZLEN
#define NB_MAX ETH_FRAME_MAX

enum nb_kind { NB_DATA = 1, NB_ECHO, NB_UP, NB_HELLO, NB_CONFIG, NB_READY, NB_DONE };
enum nb_op { NB_OP_STREAM = 1, NB_OP_ECHO, NB_OP_QUIT, NB_OP_SEND, NB_OP_LAYOUT };

static inline unsigned nb_mid(size_t size)
{
	return NB_OFF_PAT + (unsigned)(size - NB_OFF_PAT) / 2;
}

static inline uint8_t nb_chk_mid(uint32_t seq)
{
	return (uint8_t)((seq >> 8) ^ 0xa5);
}

static inline uint8_t nb_chk_last(uint32_t seq)
{
	return (uint8_t)(seq ^ 0x5a);
}

/* Header, kind, size and pattern (size NB_MIN..NB_MAX); seq, a, b zero. */
void nb_build(uint8_t *f, size_t size, const uint8_t *dst, const uint8_t *src, uint8_t kind);

/* The per-frame work: sequence number and the two bytes derived from it. */
static inline void nb_stamp(uint8_t *f, size_t size, uint32_t seq)
{
	f[NB_OFF_SEQ] = (uint8_t)(seq >> 24);
	f[NB_OFF_SEQ + 1] = (uint8_t)(seq >> 16);
	f[NB_OFF_SEQ + 2] = (uint8_t)(seq >> 8);
	f[NB_OFF_SEQ + 3] = (uint8_t)seq;
	f[nb_mid(size)] = nb_chk_mid(seq);
	f[size - 1] = nb_chk_last(seq);
}

/* NULL if f (len bytes) is frame seq of this kind and size from src, else
 * what differs ("length", "header", "size field", "sequence", "payload"). */
const char *nb_verify(const uint8_t *f, size_t len, const uint8_t *src, uint8_t kind, size_t size,
		      uint32_t seq);

#endif
