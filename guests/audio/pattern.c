/* SPDX-License-Identifier: MIT */
#include "pattern.h"

#include <string.h>

/* round(32767 * sin(k * pi / 128)), k = 0..64: a quarter wave. */
static const int16_t quarter_sine[65] = {
	0,     804,   1608,  2410,  3212,  4011,  4808,  5602,  6393,  7179,  7962,
	8739,  9512,  10278, 11039, 11793, 12539, 13279, 14010, 14732, 15446, 16151,
	16846, 17530, 18204, 18868, 19519, 20159, 20787, 21403, 22005, 22594, 23170,
	23731, 24279, 24811, 25329, 25832, 26319, 26790, 27245, 27683, 28105, 28510,
	28898, 29268, 29621, 29956, 30273, 30571, 30852, 31113, 31356, 31580, 31785,
	31971, 32137, 32285, 32412, 32521, 32609, 32678, 32728, 32757, 32767,
};

uint16_t seq_first_state(uint64_t seed)
{
	uint16_t s = (uint16_t)(seed ^ seed >> 16 ^ seed >> 32 ^ seed >> 48 ^ SEQ_SEED_MIX);

	return s ? s : SEQ_SEED_MIX;
}

uint16_t seq_step(uint16_t s)
{
	return (uint16_t)((s >> 1) ^ (s & 1 ? SEQ_LFSR_MASK : 0));
}

void seq_init(struct seq *q, uint64_t seed)
{
	q->s = seq_first_state(seed);
}

static uint8_t seq_byte(uint16_t w)
{
	uint8_t b = (uint8_t)w;

	return b == 0x00 || b == 0x80 ? (uint8_t)(b ^ 1) : b;
}

void seq_next(struct seq *q, const struct es1370_format *f, uint8_t *out)
{
	uint16_t w[2] = { q->s, (uint16_t)(q->s << 8 | q->s >> 8) };

	for (unsigned c = 0; c < f->channels; c++) {
		if (f->bits == 16) {
			*out++ = (uint8_t)w[c];
			*out++ = (uint8_t)(w[c] >> 8);
		} else {
			*out++ = seq_byte(w[c]);
		}
	}
	q->s = seq_step(q->s);
}

int32_t sin_q15(uint32_t phase)
{
	uint32_t quadrant = phase >> 30;
	uint32_t x = (phase >> 14) & 0xffffU; /* position in the quadrant, 16 bits */
	uint32_t idx, frac;
	int32_t v;

	if (quadrant & 1)
		x = 0x10000U - x; /* falling quarter: mirror (x = 0 gives the peak) */
	idx = x >> 10;
	frac = x & 0x3ffU;
	v = quarter_sine[idx];
	if (idx < 64)
		v += (int32_t)(((quarter_sine[idx + 1] - v) * (int32_t)frac) >> 10);
	return quadrant & 2 ? -v : v;
}

void tone_init(struct tone *t, uint32_t freq, uint32_t rate, uint32_t amp)
{
	t->phase = 0;
	t->step = (uint32_t)(((uint64_t)freq << 32) / rate);
	t->amp = (int32_t)amp;
}

void tone_next(struct tone *t, const struct es1370_format *f, uint8_t *out)
{
	int32_t v = sin_q15(t->phase) * t->amp / 32767;

	for (unsigned c = 0; c < f->channels; c++) {
		if (f->bits == 16) {
			*out++ = (uint8_t)v;
			*out++ = (uint8_t)((uint32_t)v >> 8);
		} else {
			*out++ = (uint8_t)(128 + (v >> 8));
		}
	}
	t->phase += t->step;
}

void silence_fill(const struct es1370_format *f, uint8_t *out, uint32_t n)
{
	memset(out, f->bits == 16 ? 0 : 0x80, n);
}

bool sample_silent(const struct es1370_format *f, const uint8_t *p)
{
	for (unsigned c = 0; c < f->channels; c++) {
		if (f->bits == 16) {
			if (p[2 * c] || p[2 * c + 1])
				return false;
		} else if (p[c] != 0x00 && p[c] != 0x80) {
			return false;
		}
	}
	return true;
}

int32_t sample_value(const struct es1370_format *f, const uint8_t *p, unsigned c)
{
	if (f->bits == 16)
		return (int16_t)(uint16_t)(p[2 * c] | p[2 * c + 1] << 8);
	return ((int32_t)p[c] - 128) * 256;
}

uint32_t sample_word(const struct es1370_format *f, const uint8_t *p)
{
	uint32_t w = 0;

	for (unsigned c = 0; c < f->channels; c++) {
		uint32_t v = f->bits == 16 ? (uint32_t)(p[2 * c] | p[2 * c + 1] << 8) : p[c];

		w |= v << (c * f->bits);
	}
	return w;
}
