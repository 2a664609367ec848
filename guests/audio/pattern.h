/* SPDX-License-Identifier: MIT */
/*
 * What the audio guest plays and expects, sample by sample ("sample" = one
 * value per channel, as the ES1370's counters count them).
 *
 * The test sequence (role=play, checked bit-exact by role=capture): a
 * 16-bit Galois LFSR, x^16 + x^14 + x^13 + x^11 + 1 (mask 0xb400, period
 * 65535, never 0), one step per sample:
 *
 *   s_0     = fold(seed) ^ 0xace1, or 0xace1 if that is 0, where
 *             fold(seed) = (seed ^ seed >> 16 ^ seed >> 32 ^ seed >> 48) & 0xffff
 *             (seed 1, the default, starts at 0xace0)
 *   s_i+1   = s_i >> 1, XOR 0xb400 if bit 0 of s_i was set
 *   w_c(i)  = s_i for channel 0 (left or mono), s_i with its bytes swapped
 *             for channel 1 (right)
 *   16-bit: channel c of sample i is w_c(i), little-endian (never 0);
 *   8-bit:  channel c of sample i is the low byte of w_c(i), XOR 1 if that
 *           byte is 0x00 or 0x80 (never either).
 *
 * So no sample of the sequence is silent in any channel, and its start is
 * found in a capture by skipping silent samples: all channels 0 (16-bit),
 * or each 0x00 or 0x80 (8-bit).
 *
 * The tone (role=tone): freq Hz at amplitude amp (16-bit units, peak) from
 * phase 0, the same on every channel; a 32-bit phase accumulator stepped
 * by freq * 2^32 / rate (the card's actual rate, es1370_actual_rate()),
 * v = sin(phase) * amp / 32767, the sine from a quarter-wave table of 65
 * values with linear interpolation (within 4 of 32767 * sin). 16-bit
 * samples are v; 8-bit ones 128 + (v >> 8).
 */
#ifndef XTALK_GUEST_AUDIO_PATTERN_H
#define XTALK_GUEST_AUDIO_PATTERN_H

#include <stdbool.h>
#include <stdint.h>

#include "es1370.h"

#define SEQ_LFSR_MASK 0xb400U
#define SEQ_SEED_MIX 0xace1U

struct seq {
	uint16_t s;
};

struct tone {
	uint32_t phase, step;
	int32_t amp;
};

uint16_t seq_first_state(uint64_t seed);
uint16_t seq_step(uint16_t s);
void seq_init(struct seq *q, uint64_t seed);
/* Write the sequence's next sample in format f to out (f's sample bytes). */
void seq_next(struct seq *q, const struct es1370_format *f, uint8_t *out);

/* sin(2 pi phase / 2^32) in Q15 (-32767..32767). */
int32_t sin_q15(uint32_t phase);
void tone_init(struct tone *t, uint32_t freq, uint32_t rate, uint32_t amp);
void tone_next(struct tone *t, const struct es1370_format *f, uint8_t *out);

/* Silence: 0 (16-bit) or 0x80 (8-bit) in every byte of [out, out + n). */
void silence_fill(const struct es1370_format *f, uint8_t *out, uint32_t n);
bool sample_silent(const struct es1370_format *f, const uint8_t *p);
/* Channel c of the sample at p in signed 16-bit units (8-bit: (b - 128) * 256). */
int32_t sample_value(const struct es1370_format *f, const uint8_t *p, unsigned c);
/* The sample at p as one number for messages: channel 0 in the low half,
 * channel 1 above it (16 or 8 bits each). */
uint32_t sample_word(const struct es1370_format *f, const uint8_t *p);

#endif
