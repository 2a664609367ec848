/* SPDX-License-Identifier: MIT */
/*
 * netxfer's frames. Data frame (60..1514 bytes, size drawn from the PRNG
 * seeded by (seed, seq)):
 *   0 dst | 6 src | 12 ethertype 0x88b6 | 14 u32 seq | 18 u16 length |
 *   20 payload: PRNG bytes (same stream, after the size)
 * Control frame (60 bytes): seq = 0xffffffff, then u8 kind and u32 value
 * (kinds: HELLO sender -> receiver, READY the answer, END after the last
 * frame, UP the receiver's "I just came up", possibly broadcast).
 * All fields big endian.
 */
#ifndef XTALK_NETXFER_FRAME_H
#define XTALK_NETXFER_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define XFER_TYPE 0x88b6
#define XFER_OFF_SEQ 14
#define XFER_OFF_LEN 18
#define XFER_HDR 20
#define XFER_MIN_LEN 60
#define XFER_MAX_LEN 1514
#define XFER_CTRL_SEQ 0xffffffffU
#define XFER_OFF_KIND 20
#define XFER_OFF_VALUE 21

enum xfer_kind { XFER_HELLO = 1, XFER_READY = 2, XFER_END = 3, XFER_UP = 4 };

enum xfer_verdict { XFER_OK, XFER_BAD_HEADER, XFER_BAD_LENGTH, XFER_BAD_PAYLOAD };

size_t xfer_len(uint64_t seed, uint32_t seq);
/* Write data frame seq into f (XFER_MAX_LEN bytes); returns its length. */
size_t xfer_build(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint64_t seed, uint32_t seq);
/* Check a received frame (len bytes, without FCS) against data frame seq;
 * *bad_at is the first differing byte when the verdict is not XFER_OK. */
enum xfer_verdict xfer_verify(const uint8_t *f, size_t len, const uint8_t *dst, const uint8_t *src,
			      uint64_t seed, uint32_t seq, size_t *bad_at);
size_t xfer_build_ctrl(uint8_t *f, const uint8_t *dst, const uint8_t *src, enum xfer_kind kind,
		       uint32_t value);

#endif
