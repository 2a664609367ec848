// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the audio data path (crosstalk/apath.c): routing a
 * guest's playback to a coupled guest's capture or outside, moves while it
 * plays, byte-exact copies, format and rate conversion, FIFO bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crosstalk/apath.h"
#include "lib/xerrno.h"

static struct apath *ap;
static bool couple[AP_MAX_PORTS][AP_MAX_PORTS];
static unsigned nmoved;
static int last_from, last_to;

static const struct es1370_format S16_44K = { 44100, 2, 16 };
static const struct es1370_format S16_22K = { 22050, 2, 16 };
static const struct es1370_format U8_MONO_22K = { 22050, 1, 8 };
static const struct es1370_format U8_MONO_4K = { 4000, 1, 8 };

static bool coupled(void *ctx, unsigned a, unsigned b)
{
	(void)ctx;
	return couple[a][b];
}

static void moved(void *ctx, unsigned from, int to)
{
	(void)ctx;
	nmoved++;
	last_from = (int)from;
	last_to = to;
}

/* The machine's sound card: takes up to card_room bytes per call and
 * keeps the last bytes handed over. */
static uint32_t card_room = UINT32_MAX;
static unsigned card_calls;
static int card_port = -1;
static uint8_t card_got[256];
static uint32_t card_len;

static uint32_t outside(void *ctx, unsigned p, const uint8_t *data, uint32_t len,
			const struct es1370_format *f)
{
	(void)ctx;
	assert_non_null(f);
	card_calls++;
	card_port = (int)p;
	card_len = len < sizeof(card_got) ? len : (uint32_t)sizeof(card_got);
	memcpy(card_got, data, card_len);
	return len < card_room ? len : card_room;
}

static const struct apath_ops ops = { .coupled = coupled, .moved = moved, .outside = outside };

static void link2(unsigned a, unsigned b)
{
	couple[a][b] = couple[b][a] = true;
}

static int setup(void **state)
{
	(void)state;
	ap = calloc(1, sizeof(*ap));
	assert_non_null(ap);
	memset(couple, 0, sizeof(couple));
	nmoved = 0;
	last_from = last_to = -2;
	card_room = UINT32_MAX;
	card_calls = 0;
	card_port = -1;
	card_len = 0;
	ap_init(ap, &ops);
	for (unsigned p = 0; p < 4; p++)
		assert_int_equal(ap_add_port(ap, p), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ap);
	return 0;
}

/* 16-bit stereo frames with left = base + 2i, right = -(base + 2i). */
static void ramp16(uint8_t *b, unsigned frames, int base)
{
	for (unsigned i = 0; i < frames; i++) {
		int16_t l = (int16_t)(base + 2 * (int)i), r = (int16_t)-(base + 2 * (int)i);

		b[4 * i] = (uint8_t)l;
		b[4 * i + 1] = (uint8_t)((uint16_t)l >> 8);
		b[4 * i + 2] = (uint8_t)r;
		b[4 * i + 3] = (uint8_t)((uint16_t)r >> 8);
	}
}

static int16_t s16(const uint8_t *b)
{
	return (int16_t)(uint16_t)(b[0] | b[1] << 8);
}

static void test_add_port(void **state)
{
	(void)state;
	assert_int_equal(ap_add_port(ap, 2), -XT_EINVAL);	/* twice */
	assert_int_equal(ap_add_port(ap, AP_MAX_PORTS), -XT_EINVAL);
	assert_int_equal(ap_frame_bytes(&S16_44K), 4);
	assert_int_equal(ap_frame_bytes(&U8_MONO_22K), 1);
	assert_int_equal(ap_frame_bytes(&(struct es1370_format){ 44100, 3, 16 }), 0);
	assert_int_equal(ap_frame_bytes(&(struct es1370_format){ 44100, 2, 12 }), 0);
	assert_int_equal(ap_frame_bytes(&(struct es1370_format){ 0, 2, 16 }), 0);
}

/* The first coupled port capturing hears the player; others do not. */
static void test_routing_and_moves(void **state)
{
	uint8_t b[64];

	(void)state;
	link2(0, 2);
	link2(0, 3);
	ap_channel(ap, 1, ES1370_ADC, true, &S16_44K);	/* not coupled with 0 */
	ap_channel(ap, 0, ES1370_DAC2, true, &S16_44K);
	assert_int_equal(ap->port[0].target, AP_NO_PORT);
	ramp16(b, 16, 100);
	ap_play(ap, 0, ES1370_DAC2, b, sizeof(b), &S16_44K);
	assert_int_equal(ap->port[0].st.outside, 64);
	assert_int_equal(ap->port[1].len, 0);

	/* 3 starts capturing: the stream moves there. */
	ap_channel(ap, 3, ES1370_ADC, true, &S16_44K);
	assert_int_equal(ap->port[0].target, 3);
	assert_int_equal(nmoved, 1);
	assert_int_equal(last_from, 0);
	assert_int_equal(last_to, 3);
	assert_int_equal(ap->port[0].st.moves, 1);
	/* 2 starts too: the lowest coupled index takes it. */
	ap_channel(ap, 2, ES1370_ADC, true, &S16_44K);
	assert_int_equal(ap->port[0].target, 2);
	assert_int_equal(ap->port[0].st.moves, 2);
	ap_play(ap, 0, ES1370_DAC2, b, sizeof(b), &S16_44K);
	assert_int_equal(ap->port[2].len, 64);
	assert_int_equal(ap->port[3].len, 0);
	/* 2 stops: back to 3; 3 stops: outside. */
	ap_channel(ap, 2, ES1370_ADC, false, NULL);
	assert_int_equal(ap->port[0].target, 3);
	assert_int_equal(ap->port[2].len, 0);	/* a stopped ADC's FIFO empties, counted */
	assert_int_equal(ap->port[2].st.flushed, 64);
	ap_channel(ap, 3, ES1370_ADC, false, NULL);
	assert_int_equal(ap->port[0].target, AP_NO_PORT);
	assert_int_equal(last_to, AP_NO_PORT);
	assert_int_equal(ap->port[0].st.moves, 4);
	/* The player stops: no receiver, and that is not a move. */
	ap_channel(ap, 3, ES1370_ADC, true, &S16_44K);
	assert_int_equal(ap->port[0].target, 3);
	ap_channel(ap, 0, ES1370_DAC2, false, NULL);
	assert_int_equal(ap->port[0].target, AP_NO_PORT);
	assert_int_equal(ap->port[0].st.moves, 5);
	assert_int_equal(ap->port[0].st.played, 128);
	assert_int_equal(ap->port[0].st.sent, 64);
	assert_int_equal(ap->port[0].st.outside, 64);
}

/* Same format: byte for byte, in order; an empty FIFO gives counted silence. */
static void test_same_format_exact(void **state)
{
	uint8_t play[4000], got[4400];

	(void)state;
	link2(0, 1);
	ap_channel(ap, 1, ES1370_ADC, true, &S16_44K);
	ap_channel(ap, 0, ES1370_DAC2, true, &S16_44K);
	ramp16(play, 1000, 7);
	ap_play(ap, 0, ES1370_DAC2, play, 1000, &S16_44K);
	ap_play(ap, 0, ES1370_DAC2, play + 1000, 3000, &S16_44K);
	assert_int_equal(ap->port[1].st.received, 4000);
	memset(got, 0x55, sizeof(got));
	ap_capture(ap, 1, got, 1200, &S16_44K);
	ap_capture(ap, 1, got + 1200, 3200, &S16_44K);
	assert_memory_equal(got, play, 4000);
	for (unsigned i = 4000; i < 4400; i++)
		assert_int_equal(got[i], 0);
	assert_int_equal(ap->port[1].st.captured, 4400);
	assert_int_equal(ap->port[1].st.underrun, 400);
	assert_int_equal(ap->port[0].st.converted, 0);
	/* A partial sample frame is never played or taken. */
	ap_play(ap, 0, ES1370_DAC2, play, 7, &S16_44K);
	assert_int_equal(ap->port[1].len, 4);
	/* Nobody playing: silence of another kind (after the last sample). */
	ap_channel(ap, 0, ES1370_DAC2, false, NULL);
	ap_capture(ap, 1, got, 100, &S16_44K);
	assert_memory_equal(got, play, 4);
	ap_capture(ap, 1, got, 100, &S16_44K);
	assert_int_equal(ap->port[1].st.idle, 196);
	assert_int_equal(ap->port[1].st.underrun, 400);
}

/* 16-bit stereo 44.1 kHz to 8-bit mono 22.05 kHz: half the frames, channels mixed. */
static void test_convert_down(void **state)
{
	uint8_t play[4 * 2000], got[1000];

	(void)state;
	link2(0, 1);
	ap_channel(ap, 1, ES1370_ADC, true, &U8_MONO_22K);
	ap_channel(ap, 0, ES1370_DAC2, true, &S16_44K);
	/* left 8192, right 4096: mono 6144 = 0x1800 -> 0x18 + 0x80 */
	for (unsigned i = 0; i < 2000; i++) {
		play[4 * i] = 0x00;
		play[4 * i + 1] = 0x20;
		play[4 * i + 2] = 0x00;
		play[4 * i + 3] = 0x10;
	}
	ap_play(ap, 0, ES1370_DAC2, play, sizeof(play), &S16_44K);
	assert_int_equal(ap->port[0].st.converted, sizeof(play));
	/* 2000 source frames at step 2: 1000 outputs (the last source frame waits). */
	assert_int_equal(ap->port[1].len, 1000);
	ap_capture(ap, 1, got, sizeof(got), &U8_MONO_22K);
	for (unsigned i = 0; i < sizeof(got); i++)
		assert_int_equal(got[i], 0x98);
	assert_int_equal(ap->port[1].st.underrun, 0);
}

/* 22.05 kHz to 44.1 kHz: every second output interpolated between neighbours. */
static void test_convert_up_interpolates(void **state)
{
	static uint8_t play[4 * 1000], got[4 * 2000];

	(void)state;
	link2(0, 1);
	ap_channel(ap, 1, ES1370_ADC, true, &S16_44K);
	ap_channel(ap, 0, ES1370_DAC2, true, &S16_22K);
	ramp16(play, 1000, 1000);		/* left 1000, 1002, 1004, ... */
	ap_play(ap, 0, ES1370_DAC2, play, sizeof(play), &S16_22K);
	/* 999 source intervals, two outputs each. */
	assert_int_equal(ap->port[1].len, 4 * 1998);
	ap_capture(ap, 1, got, 4 * 1998, &S16_44K);
	for (unsigned k = 0; k < 1998; k++) {
		assert_int_equal(s16(got + 4 * k), 1000 + (int)k);
		assert_int_equal(s16(got + 4 * k + 2), -(1000 + (int)k));
	}
	assert_int_equal(ap->port[1].st.prefill, 0);
	/* The stream goes on where it stopped: no seam between calls. */
	ramp16(play, 1000, 3000);
	ap_play(ap, 0, ES1370_DAC2, play, sizeof(play), &S16_22K);
	ap_capture(ap, 1, got, 16, &S16_44K);
	assert_int_equal(s16(got), 2998);
	assert_int_equal(s16(got + 4), 2999);
	assert_int_equal(s16(got + 8), 3000);
	assert_int_equal(s16(got + 12), 3001);
}

/*
 * The receiver's FIFO is a jitter buffer: silence until AP_PREFILL_MS are
 * in, then the samples in order even when the capture runs ahead of the
 * player for a moment; run dry, it records counted silence and fills again.
 * A stream that ended is taken whatever is left of it.
 */
static void test_jitter_buffer(void **state)
{
	static uint8_t play[4 * 4410], got[4 * 4410];
	const uint32_t fill = 44100 * 4 * AP_PREFILL_MS / 1000;	/* 3528 bytes */

	(void)state;
	link2(0, 1);
	ap_channel(ap, 1, ES1370_ADC, true, &S16_44K);
	/* Capturing before anyone plays: silence of its own kind. */
	ap_capture(ap, 1, got, 40, &S16_44K);
	assert_int_equal(ap->port[1].st.idle, 40);
	ap_channel(ap, 0, ES1370_DAC2, true, &S16_44K);
	ramp16(play, 4410, 0);
	ap_play(ap, 0, ES1370_DAC2, play, fill - 4, &S16_44K);
	ap_capture(ap, 1, got, 400, &S16_44K);
	for (unsigned i = 0; i < 400; i++)
		assert_int_equal(got[i], 0);
	assert_int_equal(ap->port[1].st.prefill, 400);
	ap_play(ap, 0, ES1370_DAC2, play + fill - 4, 4, &S16_44K);
	/* Filled: the capture takes more than one play at a time gives. */
	ap_capture(ap, 1, got, 2000, &S16_44K);
	ap_play(ap, 0, ES1370_DAC2, play + fill, 1000, &S16_44K);
	ap_capture(ap, 1, got + 2000, 2528, &S16_44K);
	assert_memory_equal(got, play, 4528);
	assert_int_equal(ap->port[1].st.underrun, 0);
	/* Dry: silence, counted, and filling again. */
	ap_capture(ap, 1, got, 8, &S16_44K);
	assert_int_equal(ap->port[1].st.underrun, 8);
	ap_play(ap, 0, ES1370_DAC2, play, 400, &S16_44K);
	ap_capture(ap, 1, got, 8, &S16_44K);
	assert_int_equal(ap->port[1].st.prefill, 408);
	/* The player stops: what is left is taken at once. */
	ap_channel(ap, 0, ES1370_DAC2, false, NULL);
	ap_capture(ap, 1, got, 400, &S16_44K);
	assert_memory_equal(got, play, 400);
}

/* A full FIFO drops the newest samples and counts them; DAC1 goes outside. */
static void test_overrun_and_dac1(void **state)
{
	static uint8_t big[AP_FIFO_BYTES + 4096];

	(void)state;
	link2(0, 1);
	ap_channel(ap, 1, ES1370_ADC, true, &S16_44K);
	ap_channel(ap, 0, ES1370_DAC2, true, &S16_44K);
	ap_play(ap, 0, ES1370_DAC2, big, AP_FIFO_BYTES - 4, &S16_44K);
	ap_play(ap, 0, ES1370_DAC2, big, 8, &S16_44K);
	assert_int_equal(ap->port[1].len, AP_FIFO_BYTES - 4);
	assert_int_equal(ap->port[1].st.overrun, 8);
	ap_play(ap, 0, ES1370_DAC1, big, 400, &S16_44K);
	assert_int_equal(ap->port[0].st.outside, 400);
	assert_int_equal(ap->port[1].len, AP_FIFO_BYTES - 4);
}

/* Rates too far apart, or a format the codec lacks, are not converted into noise. */
static void test_unconvertible(void **state)
{
	uint8_t b[64] = { 0 };

	(void)state;
	link2(0, 1);
	ap_channel(ap, 1, ES1370_ADC, true, &U8_MONO_4K);
	ap_channel(ap, 0, ES1370_DAC2, true, &S16_44K);
	ap_play(ap, 0, ES1370_DAC2, b, sizeof(b), &S16_44K);
	assert_int_equal(ap->port[1].len, 0);
	assert_int_equal(ap->port[0].st.outside, 64);
	ap_play(ap, 0, ES1370_DAC2, b, sizeof(b), &(struct es1370_format){ 44100, 3, 16 });
	assert_int_equal(ap->port[0].st.played, 64);
}

/* A new ADC format empties what waited in the old one; a reset stops both sides. */
static void test_format_change_and_reset(void **state)
{
	uint8_t b[64] = { 1, 2, 3, 4 };

	(void)state;
	link2(0, 1);
	ap_channel(ap, 1, ES1370_ADC, true, &S16_44K);
	ap_channel(ap, 0, ES1370_DAC2, true, &S16_44K);
	ap_play(ap, 0, ES1370_DAC2, b, sizeof(b), &S16_44K);
	assert_int_equal(ap->port[1].len, 64);
	ap_channel(ap, 1, ES1370_ADC, true, &S16_22K);
	assert_int_equal(ap->port[1].len, 0);
	assert_int_equal(ap->port[1].st.flushed, 64);
	ap_port_reset(ap, 1);
	assert_false(ap->port[1].adc_running);
	assert_int_equal(ap->port[0].target, AP_NO_PORT);
	ap_port_reset(ap, 0);
	assert_false(ap->port[0].dac_running);
	/* Ports that do not exist are ignored. */
	ap_play(ap, 9, ES1370_DAC2, b, sizeof(b), &S16_44K);
	ap_capture(ap, 9, b, sizeof(b), &S16_44K);
	ap_channel(ap, 9, ES1370_DAC2, true, &S16_44K);
	ap_port_reset(ap, 9);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* With no receiving guest, DAC2 goes to the machine's card: what it takes
 * is counted apart from what it does not (dropped); DAC1 never goes there. */
static void test_outside_to_the_card(void **state)
{
	uint8_t b[64];

	(void)state;
	link2(0, 1);
	ap_channel(ap, 0, ES1370_DAC2, true, &S16_44K);
	ramp16(b, 16, 300);
	ap_play(ap, 0, ES1370_DAC2, b, sizeof(b), &S16_44K);
	assert_int_equal(card_calls, 1);
	assert_int_equal(card_port, 0);
	assert_int_equal(card_len, 64);
	assert_memory_equal(card_got, b, 64);
	assert_int_equal(ap->port[0].st.outside, 64);
	assert_int_equal(ap->port[0].st.card, 64);
	/* The card is full (or busy with another guest): counted, not taken. */
	card_room = 16;
	ap_play(ap, 0, ES1370_DAC2, b, sizeof(b), &S16_44K);
	assert_int_equal(ap->port[0].st.outside, 128);
	assert_int_equal(ap->port[0].st.card, 80);
	/* DAC1 is not the guest's PCM stream: dropped, never on the card. */
	ap_play(ap, 0, ES1370_DAC1, b, sizeof(b), &S16_44K);
	assert_int_equal(card_calls, 2);
	assert_int_equal(ap->port[0].st.outside, 192);
	/* A capturing guest takes the stream: nothing more for the card. */
	ap_channel(ap, 1, ES1370_ADC, true, &S16_44K);
	ap_play(ap, 0, ES1370_DAC2, b, sizeof(b), &S16_44K);
	assert_int_equal(card_calls, 2);
	assert_int_equal(ap->port[0].st.sent, 64);
	assert_int_equal(ap->port[0].st.played,
			 ap->port[0].st.sent + ap->port[0].st.outside);
}

/* What the receiver has not taken yet, in the player's bytes (the
 * claimed signalling holds the player's interrupts on it). */
static void test_unconsumed(void **state)
{
	uint8_t b[64];

	(void)state;
	link2(0, 1);
	ap_channel(ap, 0, ES1370_DAC2, true, &S16_44K);
	ramp16(b, 16, 5);
	ap_play(ap, 0, ES1370_DAC2, b, sizeof(b), &S16_44K);
	assert_int_equal(ap_unconsumed(ap, 0), 0);		/* outside: nobody to wait for */
	ap_channel(ap, 1, ES1370_ADC, true, &S16_44K);
	ap_play(ap, 0, ES1370_DAC2, b, sizeof(b), &S16_44K);
	ap_play(ap, 0, ES1370_DAC2, b, sizeof(b), &S16_44K);
	assert_int_equal(ap_unconsumed(ap, 0), 128);
	/* In another format: the receiver's frames counted as the player's. */
	ap_channel(ap, 1, ES1370_ADC, true, &S16_22K);		/* flushed, new format */
	assert_int_equal(ap_unconsumed(ap, 0), 0);
	ap_play(ap, 0, ES1370_DAC2, b, sizeof(b), &S16_44K);	/* 16 frames -> 8 */
	assert_int_equal(ap_unconsumed(ap, 0), ap->port[1].len / 4 * 2 * 4);
	assert_true(ap_unconsumed(ap, 0) >= 56 && ap_unconsumed(ap, 0) <= 64);
	assert_int_equal(ap_unconsumed(ap, 1), 0);		/* it plays nothing */
	assert_int_equal(ap_unconsumed(ap, AP_MAX_PORTS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_outside_to_the_card, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unconsumed, setup, teardown),
		T(test_add_port),
		T(test_routing_and_moves),
		T(test_same_format_exact),
		T(test_convert_down),
		T(test_convert_up_interpolates),
		T(test_jitter_buffer),
		T(test_overrun_and_dac1),
		T(test_unconvertible),
		T(test_format_change_and_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
