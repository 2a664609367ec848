// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the ACPI PM timer model (devices/acpi_pm_timer.c): rate,
 * width and wrap, byte access, the carry time, and Linux's use of it as the
 * TSC calibration reference (arch/x86/kernel/tsc.c tsc_read_refs and
 * calc_pmtimer_ref) replayed with a guest whose port accesses take time.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "devices/acpi_pm_timer.h"
#include "devices/timebase.h"

#define PORT	0x608
#define SEC	1000000000ull

static void test_rate_and_width(void **state)
{
	(void)state;
	struct acpi_pm_timer t;

	acpi_pm_timer_init(&t, PORT, false);
	assert_int_equal(acpi_pm_timer_value(&t, 0), 0);
	assert_int_equal(acpi_pm_timer_value(&t, SEC), ACPI_PM_TIMER_HZ & ACPI_PM_TMR_VAL_24);
	assert_int_equal(acpi_pm_timer_value(&t, 279), 0);	/* one pulse is 279.4 ns */
	assert_int_equal(acpi_pm_timer_value(&t, 280), 1);
	/* 24 bits: wraps after 2^24 pulses (4.687 s); bits 31:24 read 0. */
	uint64_t wrap = tb_ns(1u << 24, ACPI_PM_TIMER_HZ);
	assert_int_equal(acpi_pm_timer_value(&t, wrap - 1), 0xffffff);
	assert_int_equal(acpi_pm_timer_value(&t, wrap), 0);
	assert_int_equal(acpi_pm_timer_read(&t, PORT, 4, 10 * SEC) >> 24, 0);
	/* 32 bits: the same count, not wrapped. */
	acpi_pm_timer_init(&t, PORT, true);
	assert_int_equal(acpi_pm_timer_value(&t, wrap), 1u << 24);
	assert_int_equal(acpi_pm_timer_value(&t, 10 * SEC), 10ull * ACPI_PM_TIMER_HZ);
	/* 2^32 pulses later it wraps: 1199.6 s. */
	assert_int_equal(acpi_pm_timer_value(&t, tb_ns(1ull << 32, ACPI_PM_TIMER_HZ)), 0);
}

static void test_ports(void **state)
{
	(void)state;
	struct acpi_pm_timer t;
	uint64_t now = 7 * SEC + 12345;

	acpi_pm_timer_init(&t, PORT, true);
	uint32_t v = acpi_pm_timer_value(&t, now);
	assert_int_equal(acpi_pm_timer_read(&t, PORT, 4, now), v);
	assert_int_equal(acpi_pm_timer_read(&t, PORT + 1, 1, now), (v >> 8) & 0xff);
	assert_int_equal(acpi_pm_timer_read(&t, PORT + 2, 2, now), v >> 16);
	assert_int_equal(acpi_pm_timer_read(&t, PORT + 3, 1, now), v >> 24);
	assert_int_equal(acpi_pm_timer_read(&t, PORT + 4, 4, now), 0xffffffff);
	assert_int_equal(acpi_pm_timer_read(&t, PORT - 1, 1, now), 0xff);
	assert_int_equal(acpi_pm_timer_read(&t, PORT, 3, now), 0xffffff);
	assert_true(acpi_pm_timer_claims_port(&t, PORT + 3));
	assert_false(acpi_pm_timer_claims_port(&t, PORT + 4));
	acpi_pm_timer_init(&t, 0xfffe, false);			/* no wrap of the range */
	assert_true(acpi_pm_timer_claims_port(&t, 0xffff));
	assert_false(acpi_pm_timer_claims_port(&t, 0x0000));
}

static void test_next_carry(void **state)
{
	(void)state;
	struct acpi_pm_timer t;

	acpi_pm_timer_init(&t, PORT, false);
	uint64_t c = acpi_pm_timer_next_carry(&t, 0);
	assert_int_equal(c, tb_ns(1u << 23, ACPI_PM_TIMER_HZ));
	assert_int_equal(acpi_pm_timer_value(&t, c - 1) >> 23, 0);
	assert_int_equal(acpi_pm_timer_value(&t, c) >> 23, 1);
	uint64_t c2 = acpi_pm_timer_next_carry(&t, c);
	assert_int_equal(acpi_pm_timer_value(&t, c2 - 1) >> 23, 1);
	assert_int_equal(acpi_pm_timer_value(&t, c2), 0);	/* wrapped */
	acpi_pm_timer_init(&t, PORT, true);
	assert_int_equal(acpi_pm_timer_next_carry(&t, 0), tb_ns(1ull << 31, ACPI_PM_TIMER_HZ));
}

/* tsc.c: TSC ticks between two PM timer reads, in kHz (calc_pmtimer_ref). */
static void test_linux_tsc_reference(void **state)
{
	(void)state;
	struct acpi_pm_timer t;
	const uint64_t tsc_khz = 2712345, io = 1700;

	acpi_pm_timer_init(&t, PORT, false);	/* Linux masks to 24 bits anyway */
	for (uint64_t start = 1; start < 20 * SEC; start += 3 * SEC + 777777) {
		/* tsc_read_refs(): TSC, PM read, TSC; then 50 ms later again. */
		uint64_t t1 = start, pm1 = acpi_pm_timer_read(&t, PORT, 4, t1 + io) & 0xffffff;
		uint64_t t2 = t1 + 50000000, pm2 = acpi_pm_timer_read(&t, PORT, 4, t2 + io) & 0xffffff;
		uint64_t dtsc = (t2 - t1) * tsc_khz / 1000000;

		if (pm2 < pm1)
			pm2 += 1u << 24;
		uint64_t ns = (pm2 - pm1) * 1000000000ull / ACPI_PM_TIMER_HZ;
		uint64_t khz = dtsc * 1000000 / ns;	/* deltatsc / (ns / 10^6) */

		/* Within one PM pulse in 50 ms: 6 ppm. */
		assert_true(khz >= tsc_khz - 20 && khz <= tsc_khz + 20);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_and_width),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_next_carry),
		cmocka_unit_test(test_linux_tsc_reference),
	};

	return cmocka_run_group_tests_name("acpi_pm_timer", tests, NULL, NULL);
}
