// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the Internet checksum (RFC 1071) behind the 82540EM
 * model's checksum offload (e1000_csum_add / e1000_csum_fold in
 * devices/e1000_tx.c), against a reference written here that adds the
 * bytes as big-endian pairs, one pair at a time, from the first byte on (an
 * odd last byte is the high byte of a pair), and folds at the end.
 *
 * Each sum is taken over a heap block that ends exactly where the summed
 * bytes end, so AddressSanitizer reports a read past the end; the start is
 * moved through offsets 0..15 from malloc's alignment.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devices/e1000.h"

#define MAX_OFF 16u

/* Seeds the model is called with: 0 (IP header, IC), an L4 length (TSO), extremes. */
static const uint32_t seeds[] = { 0, 1, 20, 0x1234, 0xfffe, 0xffff, 0x10000, 0xfedcba };

static uint16_t ref_csum(uint32_t seed, const uint8_t *p, size_t n)
{
	uint64_t s = seed;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		s += (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint16_t model_csum(uint32_t seed, const uint8_t *p, uint32_t n)
{
	return e1000_csum_fold(e1000_csum_add(seed, p, n));
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint8_t rnd8(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint8_t)(rng_state >> 32);
}

/* A block of off + n bytes whose last n are the data (random, or all fill). */
static uint8_t *block(uint32_t off, uint32_t n, int fill)
{
	uint8_t *b = malloc(off + n ? off + n : 1);

	assert_non_null(b);
	for (uint32_t i = 0; i < off + n; i++)
		b[i] = fill < 0 ? rnd8() : (uint8_t)fill;
	return b;
}

static void check(uint32_t off, uint32_t n, int fill)
{
	uint8_t *b = block(off, n, fill);

	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		uint16_t want = ref_csum(seeds[s], b + off, n), got = model_csum(seeds[s], b + off, n);

		if (got != want)
			fail_msg("offset %u, length %u, seed %#x, fill %d: 0x%04x, want 0x%04x", off,
				 n, seeds[s], fill, got, want);
	}
	free(b);
}

static void every_short_length_and_offset(void **state)
{
	(void)state;
	for (uint32_t off = 0; off < MAX_OFF; off++)
		for (uint32_t n = 0; n <= 300; n++)
			check(off, n, -1);
}

static void long_lengths(void **state)
{
	static const uint32_t lens[] = { 1499, 1500, 1514, 1518, 8999, 9000, 9014, 9017, 9018,
					 64294, 65533, 65534, 65535 };

	(void)state;
	for (uint32_t off = 0; off < MAX_OFF; off++)
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
			check(off, lens[i], -1);
}

/* All ones: every 64-bit add carries. Even lengths sum to -0, odd ones to 0xff00. */
static void all_ones(void **state)
{
	static const uint32_t lens[] = { 1514, 9018, 65534, 65535 };

	(void)state;
	for (uint32_t off = 0; off < MAX_OFF; off++) {
		for (uint32_t n = 0; n <= 300; n++)
			check(off, n, 0xff);
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
			check(off, lens[i], 0xff);
	}

	uint8_t *b = block(0, 65535, 0xff);

	assert_int_equal(model_csum(0, b, 0), 0xffff);
	assert_int_equal(model_csum(0, b, 1), 0x00ff);
	assert_int_equal(model_csum(0, b, 2), 0x0000);
	assert_int_equal(model_csum(0, b, 65534), 0x0000);
	assert_int_equal(model_csum(0, b, 65535), 0x00ff);
	free(b);
}

/* Zeros sum to +0 (checksum 0xffff), never to -0; mixed data that cancels gives -0. */
static void zero_and_minus_zero(void **state)
{
	static const uint8_t cancel[] = { 0x12, 0x34, 0xed, 0xcb, 0, 0, 0, 0, 0, 0 };

	(void)state;
	for (uint32_t off = 0; off < MAX_OFF; off++)
		for (uint32_t n = 0; n <= 300; n++)
			check(off, n, 0);

	uint8_t *b = block(0, 9018, 0);

	assert_int_equal(model_csum(0, b, 9018), 0xffff);
	assert_int_equal(model_csum(0, b, 9017), 0xffff);
	free(b);
	for (uint32_t n = 4; n <= sizeof(cancel); n++)
		assert_int_equal(model_csum(0, cancel, n), 0x0000);
}

/* Worked examples: RFC 1071 section 3, and an IPv4 header (checksum field zero). */
static void known_values(void **state)
{
	static const uint8_t rfc1071[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	static const uint8_t ip[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				      0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint8_t buf[1 + sizeof(ip)];

	(void)state;
	assert_int_equal(model_csum(0, rfc1071, sizeof(rfc1071)), (uint16_t)~0xddf2);
	assert_int_equal(model_csum(0, ip, sizeof(ip)), 0xb861);
	/* The words start at the pointer, whatever its alignment. */
	memcpy(buf + 1, ip, sizeof(ip));
	assert_int_equal(model_csum(0, buf + 1, sizeof(ip)), 0xb861);
	/* Sums chain: an even-length prefix, then the rest. */
	assert_int_equal(e1000_csum_fold(e1000_csum_add(e1000_csum_add(0, ip, 10), ip + 10, 10)),
			 0xb861);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_short_length_and_offset),
		cmocka_unit_test(long_lengths),
		cmocka_unit_test(all_ones),
		cmocka_unit_test(zero_and_minus_zero),
		cmocka_unit_test(known_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
