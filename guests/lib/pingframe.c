/* SPDX-License-Identifier: MIT */
#include "pingframe.h"

#include <string.h>

#include "rand.h"

size_t ping_build(uint8_t *f, size_t len, const uint8_t *dst, const uint8_t *src,
		  const char magic[4], uint32_t seq)
{
	struct rng r;

	if (len < PING_LEN)
		len = PING_LEN;
	eth_put_header(f, dst, src, PING_ETHERTYPE);
	memcpy(f + PING_OFF_MAGIC, magic, 4);
	put_be32(f + PING_OFF_SEQ, seq);
	rng_seed(&r, PING_ETHERTYPE, seq);
	rng_fill(&r, f + PING_OFF_PATTERN, PING_PATTERN_LEN);
	memset(f + PING_LEN, 0, len - PING_LEN);
	return len;
}

bool ping_pattern_ok(const uint8_t *f, uint32_t seq)
{
	uint8_t want[PING_PATTERN_LEN];
	struct rng r;

	rng_seed(&r, PING_ETHERTYPE, seq);
	rng_fill(&r, want, PING_PATTERN_LEN);
	return !memcmp(f + PING_OFF_PATTERN, want, PING_PATTERN_LEN);
}

bool ping_is(const uint8_t *f, int n, const uint8_t *me, const char magic[4])
{
	return n >= PING_LEN && eth_type(f) == PING_ETHERTYPE && mac_eq(f + ETH_OFF_DST, me) &&
	       !memcmp(f + PING_OFF_MAGIC, magic, 4);
}
