// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the HPET model (devices/hpet.c): capabilities and
 * reset values, the main counter as a function of time, one-shot and
 * periodic comparators (Linux's hpet_set_periodic sequence replayed, 32-bit
 * mode and its wrap), level-triggered status, the legacy replacement route,
 * and Linux's HPET TSC calibration reference (tsc.c calc_hpet_ref).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "devices/hpet.h"
#include "devices/timebase.h"

#define SEC	1000000000ull

static struct hpet h;

static uint32_t rd32(uint32_t off, uint64_t t)
{
	return (uint32_t)hpet_mmio_read(&h, off, 4, t);
}

static void wr32(uint32_t off, uint32_t v, uint64_t t)
{
	hpet_mmio_write(&h, off, 4, v, t);
}

static int setup(void **state)
{
	(void)state;
	hpet_init(&h, 0);
	return 0;
}

static void test_caps_and_reset(void **state)
{
	(void)state;
	assert_int_equal(rd32(HPET_GCAP_ID, 0), 0x8086a201);
	assert_int_equal(rd32(HPET_GCAP_ID + 4, 0), HPET_PERIOD_FS);
	assert_int_equal(hpet_mmio_read(&h, HPET_MAIN_CNT, 8, SEC), 0);	/* halted */
	for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
		uint64_t conf = hpet_mmio_read(&h, HPET_TN_CONF(n), 8, 0);

		assert_int_equal(conf >> 32, HPET_ROUTE_CAP);
		assert_int_equal(conf & 0xffff, HPET_TN_SIZE_CAP | (n == 0 ? HPET_TN_PER_INT_CAP : 0));
		assert_int_equal(hpet_mmio_read(&h, HPET_TN_CMP(n), 8, 0), ~0ull);
	}
	assert_int_equal(hpet_next_event(&h, SEC), TB_NEVER);
	/* Only aligned 4- and 8-byte accesses. */
	assert_int_equal(hpet_mmio_read(&h, HPET_GCAP_ID, 2, SEC), 0xffff);
	assert_int_equal(hpet_mmio_read(&h, HPET_GCAP_ID + 4, 8, SEC), ~0ull);
	assert_int_equal(hpet_mmio_read(&h, HPET_SIZE, 4, SEC), 0xffffffff);
	hpet_mmio_write(&h, HPET_GEN_CONF + 2, 2, 1, SEC);
	assert_int_equal(rd32(HPET_GEN_CONF, SEC), 0);
	assert_int_equal(rd32(0x300, SEC), 0);		/* reserved */
}

static void test_main_counter(void **state)
{
	(void)state;
	wr32(HPET_GEN_CONF, HPET_CONF_ENABLE, SEC);
	assert_int_equal(hpet_mmio_read(&h, HPET_MAIN_CNT, 8, SEC + 12345), 1234);
	assert_int_equal(hpet_mmio_read(&h, HPET_MAIN_CNT, 8, 3 * SEC), 2 * HPET_HZ);
	wr32(HPET_GEN_CONF, 0, 3 * SEC);		/* halt */
	assert_int_equal(hpet_mmio_read(&h, HPET_MAIN_CNT, 8, 9 * SEC), 2 * HPET_HZ);
	/* Write while halted, in halves; runs again from there. */
	wr32(HPET_MAIN_CNT, 0xfffffff0, 9 * SEC);
	wr32(HPET_MAIN_CNT + 4, 0x1, 9 * SEC);
	wr32(HPET_GEN_CONF, HPET_CONF_ENABLE, 10 * SEC);
	uint64_t c = hpet_mmio_read(&h, HPET_MAIN_CNT, 8, 10 * SEC + 200);
	assert_int_equal(c, 0x1fffffff0ull + 20);
	assert_int_equal(rd32(HPET_MAIN_CNT, 10 * SEC + 200), 4);
	assert_int_equal(rd32(HPET_MAIN_CNT + 4, 10 * SEC + 200), 2);
}

static void test_one_shot_and_32bit_wrap(void **state)
{
	(void)state;
	wr32(HPET_GEN_CONF, HPET_CONF_ENABLE, 0);
	wr32(HPET_TN_CONF(1), HPET_TN_INT_ENB | HPET_TN_32MODE, 0);
	wr32(HPET_TN_CMP(1), 5000, 0);			/* 50 us */
	assert_int_equal(rd32(HPET_TN_CMP(1) + 4, 0), 0);
	uint64_t e = hpet_next_event(&h, 0);
	assert_int_equal(e, 50000);
	assert_int_equal(hpet_take_edges(&h, e - 1), 0);
	assert_int_equal(hpet_take_edges(&h, e), 1u << 1);
	assert_int_equal(hpet_take_edges(&h, e + SEC), 0);
	assert_int_equal(rd32(HPET_GINTR_STA, e), 0);	/* edge: no status */
	/* 32-bit mode: again when the low 32 bits come round (42.9 s). */
	assert_int_equal(hpet_next_event(&h, e + SEC), 50000 + (1ull << 32) * 10);
	assert_int_equal(hpet_take_edges(&h, 50000 + (1ull << 32) * 10), 1u << 1);
	/* 64-bit mode: a comparator behind the counter waits for the 64-bit wrap. */
	wr32(HPET_TN_CONF(1), HPET_TN_INT_ENB, 50 * SEC);
	assert_int_equal(hpet_next_event(&h, 50 * SEC), TB_NEVER);	/* centuries */
	/* Equal to the counter: the next match is 2^64 counts away, not now. */
	wr32(HPET_GEN_CONF, 0, 50 * SEC);
	uint64_t c = hpet_mmio_read(&h, HPET_MAIN_CNT, 8, 50 * SEC);
	hpet_mmio_write(&h, HPET_TN_CMP(1), 8, c, 50 * SEC);
	wr32(HPET_GEN_CONF, HPET_CONF_ENABLE, 50 * SEC);
	assert_int_equal(hpet_next_event(&h, 50 * SEC), TB_NEVER);
	/* Disabled timers give no edge; timers 1 and 2 cannot be periodic. */
	wr32(HPET_TN_CONF(2), HPET_TN_TYPE, 50 * SEC);
	assert_int_equal(rd32(HPET_TN_CONF(2), 50 * SEC) & HPET_TN_TYPE, 0);
	hpet_mmio_write(&h, HPET_TN_CMP(2), 8, hpet_mmio_read(&h, HPET_MAIN_CNT, 8, 50 * SEC) + 10,
			50 * SEC);
	assert_int_equal(hpet_take_edges(&h, 51 * SEC), 0);
}

/* hpet.c hpet_set_periodic(): stop, program with VAL_SET, period, start. */
static void linux_set_periodic(uint64_t t, uint32_t delta)
{
	uint64_t cfg = HPET_CONF_ENABLE;

	wr32(HPET_GEN_CONF, (uint32_t)(rd32(HPET_GEN_CONF, t) & ~cfg), t);
	uint32_t now = rd32(HPET_MAIN_CNT, t);
	uint32_t c = rd32(HPET_TN_CONF(0), t);
	c |= HPET_TN_INT_ENB | HPET_TN_TYPE | HPET_TN_VAL_SET | HPET_TN_32MODE;
	wr32(HPET_TN_CONF(0), c, t);
	wr32(HPET_TN_CMP(0), now + delta, t);
	wr32(HPET_TN_CMP(0), delta, t + 1000);
	wr32(HPET_GEN_CONF, (uint32_t)(rd32(HPET_GEN_CONF, t) | cfg), t + 1000);
}

static void test_periodic_linux(void **state)
{
	(void)state;
	uint32_t delta = HPET_HZ / 250;		/* HZ = 250 */

	wr32(HPET_GEN_CONF, HPET_CONF_ENABLE, 0);
	linux_set_periodic(SEC, delta);
	assert_int_equal(rd32(HPET_TN_CONF(0), SEC) & HPET_TN_VAL_SET, 0);	/* self-clearing */
	/* The counter stood still from SEC to SEC + 1000: first match one period on. */
	uint64_t e = hpet_next_event(&h, SEC + 1000);
	assert_int_equal(e, SEC + 1000 + 4 * 1000000);
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(hpet_take_edges(&h, e - 1), 0);
		assert_int_equal(hpet_take_edges(&h, e), 1);
		uint64_t e2 = hpet_next_event(&h, e);
		assert_int_equal(e2 - e, 4000000);
		e = e2;
	}
	/* A gap of many periods: one edge (coalesced), then on the same grid. */
	assert_int_equal(hpet_take_edges(&h, e + 10 * SEC + 5), 1);
	assert_int_equal(hpet_next_event(&h, e + 10 * SEC + 5), e + 10 * SEC + 4000000);
	/* 32-bit comparator wraps with the counter: still every period. */
	uint64_t t = e + 100 * SEC;
	for (int i = 0; i < 20; i++) {
		uint64_t n = hpet_next_event(&h, t);

		assert_true(n > t && n - t <= 4000000);
		hpet_take_edges(&h, n);
		t = n + 3 * SEC;
	}
}

static void test_level_status(void **state)
{
	(void)state;
	wr32(HPET_GEN_CONF, HPET_CONF_ENABLE, 0);
	wr32(HPET_TN_CMP(2), 100, 0);
	wr32(HPET_TN_CMP(2) + 4, 0, 0);
	wr32(HPET_TN_CONF(2), HPET_TN_INT_TYPE, 0);	/* level, not enabled */
	assert_int_equal(hpet_levels(&h, 2000), 0);
	assert_int_equal(rd32(HPET_GINTR_STA, 2000), 1u << 2);	/* status anyway */
	wr32(HPET_TN_CONF(2), HPET_TN_INT_TYPE | HPET_TN_INT_ENB, 2000);
	assert_int_equal(hpet_levels(&h, 2000), 1u << 2);
	assert_int_equal(hpet_take_edges(&h, 2000), 0);
	assert_int_equal(hpet_next_event(&h, 2000), TB_NEVER);	/* already asserted */
	wr32(HPET_GINTR_STA, 1u << 1, 2000);			/* other bits: no effect */
	assert_int_equal(hpet_levels(&h, 2000), 1u << 2);
	wr32(HPET_GINTR_STA, 1u << 2, 2000);
	assert_int_equal(hpet_levels(&h, 2000), 0);
	assert_int_equal(rd32(HPET_GINTR_STA, 2000), 0);
	/* Switching to edge clears the status. */
	hpet_mmio_write(&h, HPET_TN_CMP(2), 8, 1000, 2000);
	assert_int_equal(rd32(HPET_GINTR_STA, 20000), 1u << 2);
	wr32(HPET_TN_CONF(2), HPET_TN_INT_ENB, 20000);
	assert_int_equal(rd32(HPET_GINTR_STA, 20000), 0);
}

static void test_routes(void **state)
{
	(void)state;
	assert_int_equal(hpet_timer_route(&h, 0), 0);
	wr32(HPET_TN_CONF(0), 20u << HPET_TN_ROUTE_SHIFT, 0);
	assert_int_equal(hpet_timer_route(&h, 0), 20);
	wr32(HPET_TN_CONF(0), 5u << HPET_TN_ROUTE_SHIFT, 0);		/* not offered */
	assert_int_equal(hpet_timer_route(&h, 0), 20);
	wr32(HPET_TN_CONF(1), 23u << HPET_TN_ROUTE_SHIFT | HPET_TN_FSB_EN, 0);
	assert_int_equal(hpet_timer_route(&h, 1), 23);
	assert_int_equal(rd32(HPET_TN_CONF(1), 0) & HPET_TN_FSB_EN, 0);	/* no FSB */
	wr32(HPET_GEN_CONF, HPET_CONF_LEG_RT, 0);
	assert_true(hpet_legacy(&h));
	assert_int_equal(hpet_timer_route(&h, 0), HPET_LEGACY_PIN_T0);
	assert_int_equal(hpet_timer_route(&h, 1), HPET_LEGACY_PIN_T1);
	assert_int_equal(hpet_timer_route(&h, 2), 0);
	assert_int_equal(hpet_timer_route(&h, 3), 0);
}

/* tsc.c calc_hpet_ref(): TSC kHz from two 32-bit counter reads and the period. */
static void test_linux_tsc_reference(void **state)
{
	(void)state;
	const uint64_t tsc_khz = 3123456;

	wr32(HPET_GEN_CONF, HPET_CONF_ENABLE, 0);
	for (uint64_t t1 = 5; t1 < 200 * SEC; t1 += 41 * SEC + 12345) {
		uint64_t t2 = t1 + 50000000;
		uint64_t h1 = rd32(HPET_MAIN_CNT, t1), h2 = rd32(HPET_MAIN_CNT, t2);
		uint64_t dtsc = (t2 - t1) * tsc_khz / 1000000 * 1000000;

		if (h2 < h1)
			h2 += 0x100000000ull;
		uint64_t tmp = (h2 - h1) * rd32(HPET_GCAP_ID + 4, t2) / 1000000;
		uint64_t khz = dtsc / tmp;

		assert_true(khz >= tsc_khz - 1 && khz <= tsc_khz + 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_caps_and_reset, setup),
		cmocka_unit_test_setup(test_main_counter, setup),
		cmocka_unit_test_setup(test_one_shot_and_32bit_wrap, setup),
		cmocka_unit_test_setup(test_periodic_linux, setup),
		cmocka_unit_test_setup(test_level_status, setup),
		cmocka_unit_test_setup(test_routes, setup),
		cmocka_unit_test_setup(test_linux_tsc_reference, setup),
	};

	return cmocka_run_group_tests_name("hpet", tests, NULL, NULL);
}
