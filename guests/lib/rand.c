/* SPDX-License-Identifier: MIT */
#include "rand.h"

uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t st = seed;
	uint64_t a = splitmix64(&st);

	st = a ^ stream;
	r->s = splitmix64(&st);
	if (!r->s)
		r->s = 0x2545f4914f6cdd1dULL;
}

uint64_t rng_next(struct rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

uint32_t rng_below(struct rng *r, uint32_t n)
{
	/* Reject the top partial copy of [0, n) in the 32-bit range. */
	uint32_t limit = (uint32_t)(0x100000000ULL - (0x100000000ULL % n));

	for (;;) {
		uint32_t v = (uint32_t)(rng_next(r) >> 32);

		if (limit == 0 || v < limit)
			return v % n;
	}
}

void rng_fill(struct rng *r, uint8_t *buf, size_t n)
{
	while (n) {
		uint64_t v = rng_next(r);

		for (unsigned i = 0; i < 8 && n; i++, n--) {
			*buf++ = (uint8_t)v;
			v >>= 8;
		}
	}
}
