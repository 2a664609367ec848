/* SPDX-License-Identifier: MIT */
/*
 * What the disk guest writes and expects, byte by byte, as a function of
 * the seed and the absolute byte offset k on the disk (k = LBA * 512 + the
 * byte in the sector), so that any range can be written and checked on its
 * own, by another guest, or by a test reading the disk image:
 *
 *   word(w) = mix(seed + (w + 1) * 0x9e3779b97f4a7c15)   (mod 2^64)
 *   mix(z)  = z ^= z >> 30; z *= 0xbf58476d1ce4e5b9;
 *             z ^= z >> 27; z *= 0x94d049bb133111eb; z ^= z >> 31
 *             (splitmix64's output function)
 *   byte k  = bits 8 * (k % 8) + 7 .. 8 * (k % 8) of word(k / 8)
 *             (each 8-byte word little-endian)
 *
 * The hash printed of what was written or read is FNV-1a, 32 bits (offset
 * basis 2166136261, prime 16777619) over the bytes in disk order: the
 * fnv1a() of tests/e2e/cases.py.
 */
#ifndef XTALK_GUEST_DISK_PATTERN_H
#define XTALK_GUEST_DISK_PATTERN_H

#include <stdint.h>

#define PATTERN_GOLDEN 0x9e3779b97f4a7c15ULL
#define FNV1A_BASIS 2166136261U
#define FNV1A_PRIME 16777619U

struct mismatch {
	uint64_t count;       /* bytes that differ */
	uint64_t first;       /* absolute offset of the first (when count > 0) */
	uint8_t got, want;    /* at first */
};

uint64_t pattern_word(uint64_t seed, uint64_t w);
uint8_t pattern_byte(uint64_t seed, uint64_t k);
/* buf[i] = byte off + i, for i < n. */
void pattern_fill(uint64_t seed, uint64_t off, uint8_t *buf, uint32_t n);
/* Compare buf[0..n) with bytes off..off + n, adding to *m (the first
 * mismatch is kept from the first call that found one). */
void pattern_check(uint64_t seed, uint64_t off, const uint8_t *buf, uint32_t n,
		   struct mismatch *m);
uint32_t fnv1a(uint32_t h, const uint8_t *p, uint32_t n);

#endif
