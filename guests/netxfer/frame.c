/* SPDX-License-Identifier: MIT */
#include "frame.h"

#include <string.h>

#include "ether.h"
#include "rand.h"

static size_t draw_len(struct rng *r, uint64_t seed, uint32_t seq)
{
	rng_seed(r, seed, seq);
	return XFER_MIN_LEN + rng_below(r, XFER_MAX_LEN - XFER_MIN_LEN + 1);
}

size_t xfer_len(uint64_t seed, uint32_t seq)
{
	struct rng r;

	return draw_len(&r, seed, seq);
}

size_t xfer_build(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint64_t seed, uint32_t seq)
{
	struct rng r;
	size_t len = draw_len(&r, seed, seq);

	eth_put_header(f, dst, src, XFER_TYPE);
	put_be32(f + XFER_OFF_SEQ, seq);
	put_be16(f + XFER_OFF_LEN, (uint16_t)len);
	rng_fill(&r, f + XFER_HDR, len - XFER_HDR);
	return len;
}

static size_t first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i = 0;

	while (i < n && a[i] == b[i])
		i++;
	return i;
}

enum xfer_verdict xfer_verify(const uint8_t *f, size_t len, const uint8_t *dst, const uint8_t *src,
			      uint64_t seed, uint32_t seq, size_t *bad_at)
{
	static uint8_t want[XFER_MAX_LEN];
	size_t want_len = xfer_build(want, dst, src, seed, seq);
	size_t d;

	if (len < XFER_HDR) {
		*bad_at = len;
		return XFER_BAD_LENGTH;
	}
	d = first_diff(f, want, XFER_HDR);
	if (d < XFER_HDR) {
		*bad_at = d;
		return d >= XFER_OFF_LEN ? XFER_BAD_LENGTH : XFER_BAD_HEADER;
	}
	if (len != want_len) {
		*bad_at = len < want_len ? len : want_len;
		return XFER_BAD_LENGTH;
	}
	d = first_diff(f, want, len);
	if (d < len) {
		*bad_at = d;
		return XFER_BAD_PAYLOAD;
	}
	return XFER_OK;
}

size_t xfer_build_ctrl(uint8_t *f, const uint8_t *dst, const uint8_t *src, enum xfer_kind kind,
		       uint32_t value)
{
	memset(f, 0, XFER_MIN_LEN);
	eth_put_header(f, dst, src, XFER_TYPE);
	put_be32(f + XFER_OFF_SEQ, XFER_CTRL_SEQ);
	put_be16(f + XFER_OFF_LEN, XFER_MIN_LEN);
	f[XFER_OFF_KIND] = (uint8_t)kind;
	put_be32(f + XFER_OFF_VALUE, value);
	return XFER_MIN_LEN;
}
