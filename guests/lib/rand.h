/* SPDX-License-Identifier: MIT */
/*
 * A small deterministic PRNG for test payloads: xorshift64* (Vigna) seeded
 * through splitmix64, so that any (seed, stream) pair, e.g. (seed, sequence
 * number), gives an independent, reproducible sequence. Not for secrets.
 */
#ifndef XTALK_GUEST_RAND_H
#define XTALK_GUEST_RAND_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s; /* never 0 */
};

uint64_t splitmix64(uint64_t *state);
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n) without modulo bias; n > 0. */
uint32_t rng_below(struct rng *r, uint32_t n);
/* n bytes, 8 per rng_next() (little-endian order). */
void rng_fill(struct rng *r, uint8_t *buf, size_t n);

#endif
