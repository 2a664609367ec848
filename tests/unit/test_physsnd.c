// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the physical ES1370 driver core (vmm/hw/physsnd.c).
 * The "card" is xtalk's own ES1370 model (devices/es1370.c): in/out go to
 * es1370_io_read/write at a fake clock, the model's DMA reaches only the
 * driver's ring at RING_HPA, and what its DAC2 plays is "the speaker",
 * recorded byte for byte. Time moves only when a test advances it
 * (delay_us moves it too, as a busy-wait would).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devices/es1370.h"
#include "devices/es1370_regs.h"
#include "lib/xerrno.h"
#include "vmm/hw/physsnd.h"

#define RING_HPA	0x00400000u
#define RING		PHYSSND_RING_BYTES
#define SPEAKER_CAP	(2u << 20)
#define MS		1000000ull
#define RATE		44100u
#define DIV44K		30u		/* 1411200 / (30 + 2) = 44100 */
#define FB		4u		/* 16-bit stereo */
#define BYTES_PER_MS	(RATE * FB / 1000)	/* 176, rounded down: a buffer size */
#define BYTES_IN_MS(ms)	((size_t)(ms) * RATE / 1000 * FB)	/* what the card plays in ms */

struct fake {
	struct es1370 card;
	uint8_t ring[RING];
	uint64_t now;
	uint8_t *speaker;
	size_t heard;
	unsigned dma_refused;
	bool dead;		/* nothing answers at the BAR */
	bool codec_stuck;	/* STATUS.CSTAT never clears */
	struct physsnd_ops ops;
	struct physsnd s;
};

static const struct es1370_format s16 = { RATE, 2, 16 };
static const uint8_t unity[4] = { 0, 0, 0, 0 };

/* ---------------------------------------------------------- the card */

static void *card_dma(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	struct fake *fk = ctx;

	if (write || gpa < RING_HPA || len > RING || gpa - RING_HPA > RING - len) {
		fk->dma_refused++;
		return NULL;
	}
	return fk->ring + (gpa - RING_HPA);
}

static void card_irq(void *ctx, bool level)
{
	(void)ctx;
	assert_false(level);	/* the driver enables no interrupt */
}

static void card_channel(void *ctx, enum es1370_channel ch, bool running)
{
	(void)ctx;
	(void)ch;
	(void)running;
}

static void card_play(void *ctx, enum es1370_channel ch, const uint8_t *data, uint32_t len)
{
	struct fake *fk = ctx;

	assert_int_equal(ch, ES1370_DAC2);
	assert_true(fk->heard + len <= SPEAKER_CAP);
	memcpy(fk->speaker + fk->heard, data, len);
	fk->heard += len;
}

static void card_capture(void *ctx, uint8_t *data, uint32_t len)
{
	(void)ctx;
	memset(data, 0, len);
}

static void card_error(void *ctx, enum es1370_err e, uint64_t detail)
{
	(void)ctx;
	(void)detail;
	fail_msg("the driver made the card count bad input %d", e);
}

static const struct es1370_ops card_ops = {
	.dma_map = card_dma, .set_irq = card_irq, .channel = card_channel, .play = card_play,
	.capture = card_capture, .error = card_error,
};

/* ---------------------------------------------------------- driver ops */

static uint32_t drv_in(void *ctx, uint32_t off, unsigned size)
{
	struct fake *fk = ctx;
	uint32_t v;

	if (fk->dead)
		return 0xffffffffu;
	v = es1370_io_read(&fk->card, fk->now, off, size);
	if (fk->codec_stuck && off == ES_REG_STATUS)
		v |= ES_1370_CSTAT;
	return v;
}

static void drv_out(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
	struct fake *fk = ctx;

	es1370_io_write(&fk->card, fk->now, off, size, val);
}

static void drv_delay(void *ctx, unsigned us)
{
	struct fake *fk = ctx;

	fk->now += us * 1000ull;
}

static int setup(void **state)
{
	struct fake *fk = calloc(1, sizeof(*fk));

	assert_non_null(fk);
	fk->speaker = calloc(1, SPEAKER_CAP);
	assert_non_null(fk->speaker);
	fk->now = 1000 * MS;
	es1370_init(&fk->card, &card_ops, fk);
	fk->ops = (struct physsnd_ops){ drv_in, drv_out, drv_delay, fk };
	assert_int_equal(physsnd_init(&fk->s, &fk->ops, fk->ring, RING_HPA, RING), 0);
	*state = fk;
	return 0;
}

static int teardown(void **state)
{
	struct fake *fk = *state;

	free(fk->speaker);
	free(fk);
	return 0;
}

/* ---------------------------------------------------------- helpers */

/* A sequence no sample frame of which is all zeros (silence stands out). */
static void pattern(uint8_t *buf, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(((i + seed) * 2654435761u) >> 24 | 1);
}

/* Time moves by ms; the card plays what is due, the driver follows it. */
static void run_ms(struct fake *fk, unsigned ms)
{
	for (unsigned i = 0; i < ms; i++) {
		fk->now += MS;
		es1370_advance(&fk->card, fk->now);
		physsnd_poll(&fk->s);
	}
}

/* A guest playing in real time: each ms, the samples due, then the card.
 * data holds BYTES_IN_MS(ms) bytes. */
static void play_ms(struct fake *fk, int owner, const uint8_t *data, unsigned ms)
{
	for (unsigned i = 0; i < ms; i++) {
		size_t from = BYTES_IN_MS(i), n = BYTES_IN_MS(i + 1) - from;

		assert_int_equal(physsnd_write(&fk->s, owner, data + from, (uint32_t)n), n);
		run_ms(fk, 1);
	}
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Where the stream's first byte is on the speaker (it starts at the lead). */
static size_t find(const struct fake *fk, const uint8_t *want, size_t n)
{
	for (size_t at = 0; at + n <= fk->heard; at += FB)
		if (!memcmp(fk->speaker + at, want, n))
			return at;
	return (size_t)-1;
}

/* ---------------------------------------------------------- tests */

static void test_init_codec_and_card_idle(void **state)
{
	struct fake *fk = *state;

	assert_int_equal(fk->card.codec[AK4531_RESET], 0x03);
	assert_int_equal(fk->card.codec[AK4531_CLOCK], 0);
	assert_int_equal(fk->card.codec[AK4531_OUT_SW2], 0x0c);
	for (unsigned r = 0; r < 4; r++)
		assert_true(fk->card.codec[r] & 0x80);	/* muted until a stream */
	assert_true(fk->card.ctrl & ES_1370_CDC_EN);
	assert_false(fk->card.ctrl & (ES_DAC1_EN | ES_DAC2_EN | ES_ADC_EN));
	assert_int_equal(fk->s.owner, PHYSSND_NO_OWNER);
	assert_false(physsnd_poll(&fk->s));
}

static void test_init_refuses_bad_rings_and_dead_cards(void **state)
{
	struct fake *fk = *state;
	struct physsnd s;

	assert_int_equal(physsnd_init(&s, &fk->ops, fk->ring, 0xfffff000ull, RING), -XT_EINVAL);
	assert_int_equal(physsnd_init(&s, &fk->ops, fk->ring, RING_HPA, RING + 2), -XT_EINVAL);
	assert_int_equal(physsnd_init(&s, &fk->ops, fk->ring, RING_HPA, 512u << 10), -XT_EINVAL);
	assert_int_equal(physsnd_init(&s, &fk->ops, NULL, RING_HPA, RING), -XT_EINVAL);
	fk->dead = true;
	assert_int_equal(physsnd_init(&s, &fk->ops, fk->ring, RING_HPA, RING), -XT_EIO);
	/* Calls on a driver that did not start are refused or do nothing,
	 * also on one never started at all (zeroed: owner 0, no ops). */
	assert_int_equal(physsnd_open(&s, 0, &s16, DIV44K, unity), -XT_EINVAL);
	memset(&s, 0, sizeof(s));
	assert_int_equal(physsnd_open(&s, 0, &s16, DIV44K, unity), -XT_EINVAL);
	assert_int_equal(physsnd_write(&s, 0, unity, 4), 0);
	physsnd_volume(&s, 0, unity);
	physsnd_close(&s, 0);
	physsnd_stop(&s);
	assert_false(physsnd_poll(&s));
}

static void test_open_programs_format_and_waits_for_lead(void **state)
{
	struct fake *fk = *state;
	const struct es1370_format m8 = { 22050, 1, 8 };
	struct es1370_format got;
	uint8_t buf[BYTES_PER_MS * 10];
	uint8_t vol[4] = { 0x02, 0x03, 0x06, 0x07 };

	pattern(buf, sizeof(buf), 1);
	assert_int_equal(physsnd_open(&fk->s, 3, &m8, 62, vol), 0);
	es1370_format(&fk->card, ES1370_DAC2, &got);
	assert_int_equal(got.rate, 22050);
	assert_int_equal(got.channels, 1);
	assert_int_equal(got.bits, 8);
	assert_memory_equal(fk->card.codec, vol, 4);	/* the guest's own volumes */
	/* 50 ms of 22050 Hz 8-bit mono: 1102 bytes, rounded to dwords. */
	assert_int_equal(fk->s.lead, 1100);
	assert_int_equal(physsnd_write(&fk->s, 3, buf, 1000), 1000);
	assert_false(fk->card.ctrl & ES_DAC2_EN);
	assert_int_equal(physsnd_write(&fk->s, 3, buf + 1000, 200), 200);
	assert_true(fk->card.ctrl & ES_DAC2_EN);
	assert_int_equal(fk->card.ch[ES1370_DAC2].frame_addr, RING_HPA);
}

static void test_open_refuses_formats_the_card_lacks(void **state)
{
	struct fake *fk = *state;
	const struct es1370_format f24 = { RATE, 2, 24 }, f3 = { RATE, 3, 16 };
	const struct es1370_format odd = { 48000, 2, 16 };

	assert_int_equal(physsnd_open(&fk->s, 0, &f24, DIV44K, unity), -XT_EINVAL);
	assert_int_equal(physsnd_open(&fk->s, 0, &f3, DIV44K, unity), -XT_EINVAL);
	/* The rate must be the divider's: 1411200 / 29 is 48662, not 48000;
	 * and 48662 Hz is above what the card takes (48 kHz). */
	assert_int_equal(physsnd_open(&fk->s, 0, &odd, 27, unity), -XT_EINVAL);
	assert_int_equal(physsnd_open(&fk->s, 0, &(struct es1370_format){ 48662, 2, 16 }, 27,
				      unity), -XT_EINVAL);
	assert_int_equal(physsnd_open(&fk->s, 0, &(struct es1370_format){ 705600, 2, 16 }, 0,
				      unity), -XT_EINVAL);
	assert_int_equal(physsnd_open(&fk->s, -1, &s16, DIV44K, unity), -XT_EINVAL);
	assert_int_equal(fk->s.owner, PHYSSND_NO_OWNER);
}

static void test_stream_reaches_speaker_bit_exact(void **state)
{
	struct fake *fk = *state;
	const unsigned ms = 1000;
	size_t n = BYTES_IN_MS(ms), at;
	uint8_t *seq = malloc(n);

	assert_non_null(seq);
	pattern(seq, n, 7);
	assert_int_equal(physsnd_open(&fk->s, 0, &s16, DIV44K, unity), 0);
	play_ms(fk, 0, seq, ms);
	physsnd_close(&fk->s, 0);
	run_ms(fk, 200);
	/* Drained: DAC2 off, the card free, every byte heard once, in order. */
	assert_int_equal(fk->s.owner, PHYSSND_NO_OWNER);
	assert_false(fk->card.ctrl & ES_DAC2_EN);
	at = find(fk, seq, 64);
	assert_int_equal(at, 0);
	assert_true(fk->heard >= n);
	assert_memory_equal(fk->speaker, seq, n);
	assert_true(all_zero(fk->speaker + n, fk->heard - n));
	assert_int_equal(fk->s.st.taken, n);
	assert_int_equal(fk->s.st.silence, 0);
	assert_int_equal(fk->s.st.overrun, 0);
	assert_int_equal(fk->s.st.streams, 1);
	assert_int_equal(fk->dma_refused, 0);
	assert_true(all_zero(fk->ring, RING));	/* nothing left behind */
	free(seq);
}

static void test_underrun_plays_silence_never_stale_samples(void **state)
{
	struct fake *fk = *state;
	size_t a = BYTES_IN_MS(100), b = BYTES_IN_MS(100);
	uint8_t *seq = malloc(a + b);
	size_t gap;

	assert_non_null(seq);
	pattern(seq, a + b, 9);
	assert_int_equal(physsnd_open(&fk->s, 0, &s16, DIV44K, unity), 0);
	play_ms(fk, 0, seq, 100);
	/* The guest stalls for longer than the ring lasts (371 ms): the card
	 * would replay old samples if what it passed were not zeroed. */
	run_ms(fk, 500);
	play_ms(fk, 0, seq + a, 100);
	physsnd_close(&fk->s, 0);
	run_ms(fk, 200);
	assert_memory_equal(fk->speaker, seq, a);
	gap = find(fk, seq + a, 256);
	assert_true(gap != (size_t)-1 && gap > a);
	assert_true(all_zero(fk->speaker + a, gap - a));
	assert_memory_equal(fk->speaker + gap, seq + a, b);
	/* The silence in the middle is counted, to the byte. */
	assert_int_equal(fk->s.st.silence, gap - a);
	assert_int_equal(fk->s.st.taken, a + b);
	free(seq);
}

static void test_overrun_refuses_what_does_not_fit(void **state)
{
	struct fake *fk = *state;
	uint8_t *buf = malloc(RING + 4096);

	assert_non_null(buf);
	pattern(buf, RING + 4096, 3);
	assert_int_equal(physsnd_open(&fk->s, 0, &s16, DIV44K, unity), 0);
	assert_int_equal(physsnd_write(&fk->s, 0, buf, RING + 4096), RING);
	assert_int_equal(fk->s.st.overrun, 4096);
	assert_int_equal(physsnd_write(&fk->s, 0, buf, 64), 0);
	assert_int_equal(fk->s.st.overrun, 4096 + 64);
	/* After 10 ms the card made room for 10 ms. */
	run_ms(fk, 10);
	assert_int_equal(physsnd_write(&fk->s, 0, buf, RING), BYTES_IN_MS(10));
	free(buf);
}

static void test_one_owner_at_a_time(void **state)
{
	struct fake *fk = *state;
	uint8_t buf[60 * BYTES_PER_MS];

	pattern(buf, sizeof(buf), 5);
	assert_int_equal(physsnd_open(&fk->s, 1, &s16, DIV44K, unity), 0);
	assert_int_equal(physsnd_open(&fk->s, 2, &s16, DIV44K, unity), -XT_EBUSY);
	assert_int_equal(physsnd_write(&fk->s, 2, buf, 64), 0);
	assert_int_equal(physsnd_write(&fk->s, 1, buf, sizeof(buf)), sizeof(buf));
	physsnd_close(&fk->s, 2);		/* not its stream: no effect */
	assert_false(fk->s.draining);
	physsnd_close(&fk->s, 1);
	/* Still draining: the other waits. */
	assert_int_equal(physsnd_open(&fk->s, 2, &s16, DIV44K, unity), -XT_EBUSY);
	assert_int_equal(physsnd_write(&fk->s, 1, buf, 64), 0);
	run_ms(fk, 100);
	assert_int_equal(physsnd_open(&fk->s, 2, &s16, DIV44K, unity), 0);
	assert_int_equal(fk->s.st.streams, 2);
	assert_int_equal(fk->s.st.cut, 0);
}

static void test_resume_while_draining_has_no_gap(void **state)
{
	struct fake *fk = *state;
	size_t n = BYTES_IN_MS(100);
	uint8_t *seq = malloc(2 * n);

	assert_non_null(seq);
	pattern(seq, 2 * n, 11);
	assert_int_equal(physsnd_open(&fk->s, 0, &s16, DIV44K, unity), 0);
	play_ms(fk, 0, seq, 100);
	physsnd_close(&fk->s, 0);	/* the stream moved to a guest ... */
	run_ms(fk, 10);
	assert_true(fk->s.draining);
	/* ... and back, within the lead: the writer goes on where it was. */
	assert_int_equal(physsnd_open(&fk->s, 0, &s16, DIV44K, unity), 0);
	assert_false(fk->s.draining);
	play_ms(fk, 0, seq + n, 100);
	physsnd_close(&fk->s, 0);
	run_ms(fk, 200);
	assert_memory_equal(fk->speaker, seq, 2 * n);
	assert_int_equal(fk->s.st.streams, 1);
	assert_int_equal(fk->s.st.silence, 0);
	free(seq);
}

static void test_format_change_cuts_and_counts(void **state)
{
	struct fake *fk = *state;
	const struct es1370_format m16 = { RATE, 1, 16 };
	uint8_t buf[60 * BYTES_PER_MS];

	pattern(buf, sizeof(buf), 13);
	assert_int_equal(physsnd_open(&fk->s, 0, &s16, DIV44K, unity), 0);
	assert_int_equal(physsnd_write(&fk->s, 0, buf, sizeof(buf)), sizeof(buf));
	run_ms(fk, 20);
	assert_int_equal(physsnd_open(&fk->s, 0, &m16, DIV44K, unity), 0);
	assert_int_equal(fk->s.st.cut, sizeof(buf) - BYTES_IN_MS(20));
	assert_int_equal(fk->s.st.streams, 2);
	assert_false(fk->card.ctrl & ES_DAC2_EN);	/* waits for the new lead */
	physsnd_stop(&fk->s);
	assert_int_equal(fk->s.owner, PHYSSND_NO_OWNER);
	assert_true(all_zero(fk->ring, RING));
}

static void test_volume_follows_the_owner(void **state)
{
	struct fake *fk = *state;
	const uint8_t v1[4] = { 0x01, 0x02, 0x03, 0x04 }, v2[4] = { 0x81, 0x02, 0x1f, 0x04 };

	assert_int_equal(physsnd_open(&fk->s, 4, &s16, DIV44K, v1), 0);
	assert_memory_equal(fk->card.codec, v1, 4);
	physsnd_volume(&fk->s, 5, v2);			/* not the owner */
	assert_memory_equal(fk->card.codec, v1, 4);
	physsnd_volume(&fk->s, 4, v2);
	assert_memory_equal(fk->card.codec, v2, 4);
}

static void test_codec_that_never_frees_is_bounded(void **state)
{
	struct fake *fk = *state;
	uint64_t t0 = fk->now;

	fk->codec_stuck = true;
	assert_int_equal(physsnd_open(&fk->s, 0, &s16, DIV44K, unity), 0);
	assert_int_equal(fk->s.st.codec_timeouts, 4);
	assert_true(fk->now - t0 <= 4 * (PHYSSND_CODEC_WAIT_US + 10) * 1000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_codec_and_card_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_refuses_bad_rings_and_dead_cards, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_programs_format_and_waits_for_lead, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_formats_the_card_lacks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stream_reaches_speaker_bit_exact, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_underrun_plays_silence_never_stale_samples,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_overrun_refuses_what_does_not_fit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_one_owner_at_a_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_while_draining_has_no_gap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_format_change_cuts_and_counts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_volume_follows_the_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_codec_that_never_frees_is_bounded, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
