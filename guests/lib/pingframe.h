/* SPDX-License-Identifier: MIT */
/*
 * netping's frame (guests/README.md), shared with the guests that ping a
 * netping role=pong peer: dst, src, ethertype 0x88b5, a 4-byte magic
 * ("PING", "PONG", "UP!!"), u32 sequence (big endian), 56 pattern bytes
 * from the PRNG seeded by the sequence number. 78 bytes; longer frames
 * carry zeros after the pattern (a pong answers with the first 78).
 */
#ifndef XTALK_GUEST_PINGFRAME_H
#define XTALK_GUEST_PINGFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ether.h"

#define PING_ETHERTYPE 0x88b5
#define PING_OFF_MAGIC ETH_HLEN
#define PING_OFF_SEQ (PING_OFF_MAGIC + 4)
#define PING_OFF_PATTERN (PING_OFF_SEQ + 4)
#define PING_PATTERN_LEN 56
#define PING_LEN (PING_OFF_PATTERN + PING_PATTERN_LEN) /* 78 */

/* Write a ping-format frame of len bytes (PING_LEN..ETH_FRAME_MAX; zeros
 * after the pattern) with this magic and sequence; returns len. */
size_t ping_build(uint8_t *f, size_t len, const uint8_t *dst, const uint8_t *src,
		  const char magic[4], uint32_t seq);
/* Does the frame carry the pattern of seq? */
bool ping_pattern_ok(const uint8_t *f, uint32_t seq);
/* A frame of n bytes in this format, for me, with this magic. */
bool ping_is(const uint8_t *f, int n, const uint8_t *me, const char magic[4]);

#endif
