/* SPDX-License-Identifier: MIT */
#include "pattern.h"

#include <string.h>

uint64_t pattern_word(uint64_t seed, uint64_t w)
{
	uint64_t z = seed + (w + 1) * PATTERN_GOLDEN;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint8_t pattern_byte(uint64_t seed, uint64_t k)
{
	return (uint8_t)(pattern_word(seed, k / 8) >> (8 * (k % 8)));
}

/* Little-endian words: bytes k..k+7 of an aligned word at once. */
static void put_le64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void pattern_fill(uint64_t seed, uint64_t off, uint8_t *buf, uint32_t n)
{
	uint32_t i = 0;

	for (; i < n && (off + i) % 8; i++)
		buf[i] = pattern_byte(seed, off + i);
	for (; i + 8 <= n; i += 8)
		put_le64(buf + i, pattern_word(seed, (off + i) / 8));
	for (; i < n; i++)
		buf[i] = pattern_byte(seed, off + i);
}

static void note(struct mismatch *m, uint64_t k, uint8_t got, uint8_t want)
{
	if (!m->count++) {
		m->first = k;
		m->got = got;
		m->want = want;
	}
}

void pattern_check(uint64_t seed, uint64_t off, const uint8_t *buf, uint32_t n,
		   struct mismatch *m)
{
	uint8_t want[8];

	for (uint32_t i = 0; i < n;) {
		uint64_t k = off + i;
		uint32_t in_word = 8 - (uint32_t)(k % 8), len = n - i < in_word ? n - i : in_word;

		put_le64(want, pattern_word(seed, k / 8));
		if (memcmp(buf + i, want + k % 8, len)) {
			for (uint32_t j = 0; j < len; j++) {
				if (buf[i + j] != want[k % 8 + j])
					note(m, k + j, buf[i + j], want[k % 8 + j]);
			}
		}
		i += len;
	}
}

uint32_t fnv1a(uint32_t h, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * FNV1A_PRIME;
	return h;
}
