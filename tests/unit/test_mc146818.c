// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the MC146818 RTC/CMOS model (devices/mc146818.c): the
 * update cycle's timing (UIP 244 us before the update, the second advancing
 * once per second), Linux's RTC read (drivers/rtc/rtc-mc146818-lib.c,
 * mc146818_avoid_UIP and mc146818_get_time) and set sequences replayed with a
 * guest whose port accesses take time, periodic rates, update-ended and alarm
 * interrupts with don't-care bytes, SET and divider reset, BCD/binary and
 * 12/24-hour formats, calendar carries, gaps of up to 40 years against a
 * Gregorian calendar, alarms over a day or more at once and in steps, and
 * the PC memory-size bytes.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "devices/mc146818.h"
#include "devices/timebase.h"

#define MS	1000000ull
#define US	1000ull
#define SEC	1000000000ull

static struct mc146818 rtc;

/* 2026-12-07 04:59:58, a Monday. */
static const struct mc146818_tm boot_tm = { 2026, 12, 7, 4, 59, 58 };

static uint8_t rd(uint8_t reg, uint64_t t)
{
	mc146818_io_write(&rtc, RTC_INDEX_PORT, reg, t);
	return mc146818_io_read(&rtc, RTC_DATA_PORT, t);
}

static void wr(uint8_t reg, uint8_t v, uint64_t t)
{
	mc146818_io_write(&rtc, RTC_INDEX_PORT, reg, t);
	mc146818_io_write(&rtc, RTC_DATA_PORT, v, t);
}

static bool uip_at(uint64_t t)
{
	return rd(RTC_REG_A, t) & RTC_A_UIP;
}

static int setup(void **state)
{
	(void)state;
	mc146818_init(&rtc, &boot_tm, 0);
	return 0;
}

/* Time of chain pulse k after init (the first update ends at pulse 32768). */
static uint64_t chain(uint64_t k)
{
	return tb_ns(k, RTC_HZ);
}

static void test_reset_state(void **state)
{
	(void)state;
	assert_int_equal(rd(RTC_REG_A, 0), 0x26);
	assert_int_equal(rd(RTC_REG_B, 0), RTC_B_24H);
	assert_int_equal(rd(RTC_REG_C, 0), 0);
	assert_int_equal(rd(RTC_REG_D, 0), RTC_D_VRT);
	assert_int_equal(rd(RTC_SECONDS, 0), 0x58);
	assert_int_equal(rd(RTC_MINUTES, 0), 0x59);
	assert_int_equal(rd(RTC_HOURS, 0), 0x04);
	assert_int_equal(rd(RTC_DAY_OF_WEEK, 0), 2);	/* Monday */
	assert_int_equal(rd(RTC_DAY_OF_MONTH, 0), 0x07);
	assert_int_equal(rd(RTC_MONTH, 0), 0x12);
	assert_int_equal(rd(RTC_YEAR, 0), 0x26);
	assert_int_equal(rd(CMOS_CENTURY, 0), 0x20);
	assert_int_equal(mc146818_io_read(&rtc, RTC_INDEX_PORT, 0), 0xff);
	assert_false(mc146818_irq(&rtc, 0));
	assert_int_equal(mc146818_next_event(&rtc, 0), TB_NEVER);
	assert_true(mc146818_claims_port(0x70) && mc146818_claims_port(0x71));
	assert_false(mc146818_claims_port(0x72));
	/* Weekdays of a few known dates (1 = Sunday). */
	const struct mc146818_tm d2000 = { 2000, 1, 1, 0, 0, 0 };	/* Saturday */
	const struct mc146818_tm d2024 = { 2024, 2, 29, 0, 0, 0 };	/* Thursday */
	mc146818_init(&rtc, &d2000, 0);
	assert_int_equal(rd(RTC_DAY_OF_WEEK, 0), 7);
	mc146818_init(&rtc, &d2024, 0);
	assert_int_equal(rd(RTC_DAY_OF_WEEK, 0), 5);
}

static void test_update_cycle_timing(void **state)
{
	(void)state;
	uint64_t rise = chain(32768 - 73), end = chain(32768);
	uint64_t last_low = 0;

	/* Every microsecond of the first second and a half. */
	for (uint64_t t = 0; t < 1500 * MS; t += US) {
		bool u = uip_at(t);

		assert_int_equal(u, t >= rise && t < end);
		assert_int_equal(rd(RTC_SECONDS, t), t < end ? 0x58 : 0x59);
		if (!u && t < end)
			last_low = t;
	}
	/* UIP is set 244 us before the update, and lasts 244 + 1984 us. */
	assert_true(end - rise >= 2227 * US && end - rise < 2229 * US);
	assert_true(end - last_low >= 2227 * US);
	assert_true(rise - last_low <= US);
	/* Exactly one second apart from then on. */
	assert_true(uip_at(chain(2 * 32768 - 1)));
	assert_false(uip_at(chain(2 * 32768)));
	assert_int_equal(rd(RTC_SECONDS, chain(2 * 32768)), 0x00);
	assert_int_equal(rd(RTC_MINUTES, chain(2 * 32768)), 0x00);
	assert_int_equal(rd(RTC_HOURS, chain(2 * 32768)), 0x05);
	/* Without interrupts enabled the flags are still set; no IRQ. */
	assert_int_equal(rd(RTC_REG_C, chain(2 * 32768)), RTC_C_UF | RTC_C_PF);
}

/* ---------------------------------------------------------------- Linux */

struct guest {
	uint64_t now, io_ns;
	unsigned accesses;
};

static uint8_t cmos_read(struct guest *g, uint8_t reg)
{
	g->now += g->io_ns;
	mc146818_io_write(&rtc, RTC_INDEX_PORT, reg, g->now);
	g->now += g->io_ns;
	g->accesses++;
	return mc146818_io_read(&rtc, RTC_DATA_PORT, g->now);
}

static void cmos_write(struct guest *g, uint8_t v, uint8_t reg)
{
	g->now += g->io_ns;
	mc146818_io_write(&rtc, RTC_INDEX_PORT, reg, g->now);
	g->now += g->io_ns;
	mc146818_io_write(&rtc, RTC_DATA_PORT, v, g->now);
}

struct linux_tm {
	unsigned sec, min, hour, mday, mon, year, century;
};

static unsigned bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 15);
}

/* What Linux reads inside the UIP-free window (the "callback"). */
static void read_fields(struct guest *g, struct linux_tm *tm, uint8_t sec)
{
	tm->sec = sec;
	tm->min = cmos_read(g, RTC_MINUTES);
	tm->hour = cmos_read(g, RTC_HOURS);
	tm->mday = cmos_read(g, RTC_DAY_OF_MONTH);
	tm->mon = cmos_read(g, RTC_MONTH);
	tm->year = cmos_read(g, RTC_YEAR);
	tm->century = cmos_read(g, CMOS_CENTURY);
	if (!(cmos_read(g, RTC_REG_B) & RTC_B_DM)) {
		tm->sec = bcd((uint8_t)tm->sec);
		tm->min = bcd((uint8_t)tm->min);
		tm->hour = bcd((uint8_t)tm->hour);
		tm->mday = bcd((uint8_t)tm->mday);
		tm->mon = bcd((uint8_t)tm->mon);
		tm->year = bcd((uint8_t)tm->year);
		tm->century = bcd((uint8_t)tm->century);
	}
}

/*
 * mc146818_avoid_UIP() as Linux 6.1 does it: up to 10 ms of tries; read the
 * seconds, then UIP (if set: wait 100 us, again), the seconds again, the
 * fields, UIP again, the seconds again.
 */
static bool linux_get_time(struct guest *g, struct linux_tm *tm)
{
	for (unsigned i = 0; i < 100; i++) {
		uint8_t sec = cmos_read(g, RTC_SECONDS);

		if (cmos_read(g, RTC_REG_A) & RTC_A_UIP) {
			g->now += 100 * US;
			continue;
		}
		if (sec != cmos_read(g, RTC_SECONDS))
			continue;
		read_fields(g, tm, sec);
		if (cmos_read(g, RTC_REG_A) & RTC_A_UIP) {
			g->now += 100 * US;
			continue;
		}
		if (sec != cmos_read(g, RTC_SECONDS))
			continue;
		return true;
	}
	return false;
}

static void test_linux_read_time(void **state)
{
	(void)state;
	/* Start anywhere in the second, including inside the UIP window. */
	for (uint64_t start = 10 * MS; start < 2 * SEC; start += 997 * US / 7) {
		struct guest g = { .now = rtc.last_ns > start ? rtc.last_ns : start, .io_ns = 1500 };
		uint64_t t0 = g.now;
		struct linux_tm tm;

		assert_true(linux_get_time(&g, &tm));
		/* It never waits more than the UIP window plus one try. */
		assert_true(g.now - t0 < 2228 * US + 100 * US + 40 * g.io_ns);
		/* The time read is the time at the start or at the end. */
		uint64_t s0 = 58 + tb_ticks(t0, RTC_HZ) / 32768, s1 = 58 + tb_ticks(g.now, RTC_HZ) / 32768;
		unsigned got = tm.min * 60 + tm.sec;

		assert_true(got == 59 * 60 + s0 || got == 59 * 60 + s1 ||
			    (got == (s1 - 60) && tm.hour == 5));
		assert_int_equal(tm.century * 100 + tm.year, 2026);
		assert_int_equal(tm.mon, 12);
		assert_int_equal(tm.mday, 7);
	}
}

/* mc146818_set_time(): SET and divider reset, write, restore. */
static void test_linux_set_time(void **state)
{
	(void)state;
	struct guest g = { .now = 300 * MS, .io_ns = 1000 };
	uint8_t ctrl = cmos_read(&g, RTC_REG_B), freq = cmos_read(&g, RTC_REG_A);

	cmos_write(&g, ctrl | RTC_B_SET, RTC_REG_B);
	cmos_write(&g, freq | 0x60, RTC_REG_A);		/* DV = 110: divider reset */
	cmos_write(&g, 0x24, RTC_YEAR);
	cmos_write(&g, 0x02, RTC_MONTH);
	cmos_write(&g, 0x28, RTC_DAY_OF_MONTH);
	cmos_write(&g, 0x23, RTC_HOURS);
	cmos_write(&g, 0x59, RTC_MINUTES);
	cmos_write(&g, 0x59, RTC_SECONDS);
	cmos_write(&g, 0x20, CMOS_CENTURY);
	/* Held: five seconds later nothing moved. */
	g.now += 5 * SEC;
	assert_int_equal(cmos_read(&g, RTC_SECONDS), 0x59);
	cmos_write(&g, ctrl, RTC_REG_B);
	cmos_write(&g, freq, RTC_REG_A);		/* chain restarts here */
	uint64_t restart = g.now;

	/* The first update cycle begins half a second later. */
	struct linux_tm tm;
	g.now = restart + 490 * MS;
	assert_true(linux_get_time(&g, &tm));
	assert_int_equal(tm.sec, 59);
	g.now = restart + 502 * MS;
	assert_true(linux_get_time(&g, &tm));
	assert_int_equal(tm.sec, 0);
	assert_int_equal(tm.min, 0);
	assert_int_equal(tm.hour, 0);
	assert_int_equal(tm.mday, 29);			/* 2024 is a leap year */
	assert_int_equal(tm.mon, 2);
}

/* ---------------------------------------------------------------- interrupts */

static unsigned count_periodic(uint8_t rs, uint64_t from, uint64_t len, uint64_t *period)
{
	unsigned n = 0;
	uint64_t t = from, prev = 0;

	wr(RTC_REG_A, (uint8_t)(RTC_A_DV_32KHZ | rs), t);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE, t);
	rd(RTC_REG_C, t);
	for (;;) {
		t = mc146818_next_event(&rtc, t);
		if (t >= from + len)
			break;
		assert_false(mc146818_irq(&rtc, t - 1));
		assert_true(mc146818_irq(&rtc, t));
		assert_int_equal(rd(RTC_REG_C, t) & ~RTC_C_UF, RTC_C_IRQF | RTC_C_PF);
		assert_false(mc146818_irq(&rtc, t));
		if (prev)
			*period = t - prev;
		prev = t;
		n++;
	}
	return n;
}

static void test_periodic_rates(void **state)
{
	(void)state;
	uint64_t t = 10 * MS, p = 0;

	/* RS 1 and 2 give 256 and 128 Hz; RS 3-15 give 8192 Hz down to 2 Hz. */
	assert_int_equal(count_periodic(1, t, SEC, &p), 256);
	assert_true(p >= 3906 * US && p <= 3907 * US);
	t += 2 * SEC;
	assert_int_equal(count_periodic(2, t, SEC, &p), 128);
	t += 2 * SEC;
	for (uint8_t rs = 3; rs <= 15; rs++, t += 2 * SEC) {
		assert_int_equal(count_periodic(rs, t, SEC, &p), 8192u >> (rs - 3));
		uint64_t want = SEC >> (16 - rs);	/* 2^(rs-1) / 32768 s */
		assert_true(p + 1 >= want && p <= want + 1);
	}
	/* RS = 0 stops it; PIE without reading C keeps IRQ 8 high. */
	wr(RTC_REG_A, RTC_A_DV_32KHZ, t);
	assert_int_equal(mc146818_next_event(&rtc, t), TB_NEVER);
	wr(RTC_REG_A, RTC_A_DV_32KHZ | 6, t);
	uint64_t e = mc146818_next_event(&rtc, t);
	assert_true(mc146818_irq(&rtc, e + 10 * MS));
	assert_int_equal(mc146818_next_event(&rtc, e + 10 * MS), TB_NEVER);
}

static void test_update_ended_interrupt(void **state)
{
	(void)state;
	wr(RTC_REG_A, RTC_A_DV_32KHZ, 0);	/* no periodic flag */
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE, 0);
	uint64_t e = mc146818_next_event(&rtc, 0);
	assert_int_equal(e, chain(32768));
	assert_false(mc146818_irq(&rtc, e - 1));
	assert_true(mc146818_irq(&rtc, e));
	assert_int_equal(rd(RTC_REG_C, e), RTC_C_IRQF | RTC_C_UF);
	assert_false(mc146818_irq(&rtc, e));
	assert_int_equal(mc146818_next_event(&rtc, e), chain(2 * 32768));
	assert_int_equal(rd(RTC_SECONDS, e), 0x59);
}

static void test_alarm_dont_care(void **state)
{
	(void)state;
	uint64_t t = 0;

	wr(RTC_REG_A, RTC_A_DV_32KHZ, t);
	/* Exact alarm 05:00:03: fires once, 5 s after boot. */
	wr(RTC_HOURS_ALARM, 0x05, t);
	wr(RTC_MINUTES_ALARM, 0x00, t);
	wr(RTC_SECONDS_ALARM, 0x03, t);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE, t);
	for (uint64_t s = 1; s <= 8; s++) {
		uint8_t c = rd(RTC_REG_C, chain(s * 32768));

		assert_int_equal(c & RTC_C_AF, s == 5 ? RTC_C_AF : 0);
		assert_int_equal(c & RTC_C_IRQF, s == 5 ? RTC_C_IRQF : 0);
	}
	/* Seconds don't care: every second of minute 00. */
	wr(RTC_SECONDS_ALARM, 0xff, chain(8 * 32768));
	for (uint64_t s = 9; s <= 64; s++)
		assert_int_equal(rd(RTC_REG_C, chain(s * 32768)) & RTC_C_AF, s <= 61 ? RTC_C_AF : 0);
	/* Hour and minute don't care, seconds 30: once a minute. */
	wr(RTC_HOURS_ALARM, 0xc0, t);
	wr(RTC_MINUTES_ALARM, 0xc0, t);
	wr(RTC_SECONDS_ALARM, 0x30, t);
	unsigned hits = 0;
	for (uint64_t s = 65; s <= 65 + 180; s++)
		hits += !!(rd(RTC_REG_C, chain(s * 32768)) & RTC_C_AF);
	assert_int_equal(hits, 3);
	/* Skipping three days at once still finds an exact alarm in the last day. */
	wr(RTC_HOURS_ALARM, 0x04, t);
	wr(RTC_MINUTES_ALARM, 0x30, t);
	wr(RTC_SECONDS_ALARM, 0x00, t);
	rd(RTC_REG_C, chain(246 * 32768));
	assert_int_equal(rd(RTC_REG_C, chain((246 + 3 * 86400ull) * 32768)) & RTC_C_AF, RTC_C_AF);
	assert_int_equal(rd(RTC_DAY_OF_MONTH, chain((246 + 3 * 86400ull) * 32768)), 0x10);
	/* An alarm no time of day matches (hour 25) never fires, in steps or at once. */
	wr(RTC_HOURS_ALARM, 0x25, 0);
	rd(RTC_REG_C, 0);
	assert_int_equal(rd(RTC_REG_C, chain((247 + 3 * 86400ull) * 32768)) & RTC_C_AF, 0);
	assert_int_equal(rd(RTC_REG_C, chain((247 + 6 * 86400ull) * 32768)) & RTC_C_AF, 0);
}

static void test_set_bit_stops_updates(void **state)
{
	(void)state;
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE, 0);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE | RTC_B_SET, 100 * MS);
	assert_int_equal(rd(RTC_REG_B, 100 * MS), RTC_B_24H | RTC_B_SET);	/* UIE cleared */
	for (uint64_t t = 100 * MS; t < 3 * SEC; t += 50 * US)
		assert_false(uip_at(t));
	assert_int_equal(rd(RTC_SECONDS, 3 * SEC), 0x58);
	assert_int_equal(rd(RTC_REG_C, 3 * SEC) & RTC_C_UF, 0);
	/* PF kept going: the divider runs under SET. */
	assert_int_equal(rd(RTC_REG_C, 3 * SEC + MS) & RTC_C_PF, RTC_C_PF);
	/* Cleared: the next update on the usual boundary. */
	wr(RTC_REG_B, RTC_B_24H, 3 * SEC + 500 * MS);
	assert_int_equal(rd(RTC_SECONDS, chain(4 * 32768) - 1), 0x58);
	assert_int_equal(rd(RTC_SECONDS, chain(4 * 32768)), 0x59);
}

static void test_divider_reset(void **state)
{
	(void)state;
	wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE, 0);
	wr(RTC_REG_A, 0x66, 200 * MS);		/* DV = 110 */
	rd(RTC_REG_C, 200 * MS);
	assert_int_equal(mc146818_next_event(&rtc, 200 * MS), TB_NEVER);
	assert_int_equal(rd(RTC_REG_C, 5 * SEC), 0);
	assert_int_equal(rd(RTC_SECONDS, 5 * SEC), 0x58);
	assert_false(uip_at(5 * SEC));
	wr(RTC_REG_A, 0x76, 5 * SEC);		/* DV = 111: still stopped */
	assert_int_equal(rd(RTC_REG_C, 6 * SEC), 0);
	wr(RTC_REG_A, 0x26, 6 * SEC);		/* run: chain starts at 0 */
	assert_int_equal(mc146818_next_event(&rtc, 6 * SEC), 6 * SEC + chain(32));
	assert_false(uip_at(6 * SEC + chain(16376) - 1));
	assert_true(uip_at(6 * SEC + chain(16376)));
	assert_int_equal(rd(RTC_SECONDS, 6 * SEC + chain(16449) - 1), 0x58);
	assert_int_equal(rd(RTC_SECONDS, 6 * SEC + chain(16449)), 0x59);
	assert_false(uip_at(6 * SEC + chain(16449)));
}

/* ---------------------------------------------------------------- formats */

static void test_binary_and_12_hour(void **state)
{
	(void)state;
	wr(RTC_REG_B, RTC_B_24H | RTC_B_DM, 0);
	assert_int_equal(rd(RTC_SECONDS, 0), 58);
	assert_int_equal(rd(RTC_YEAR, 0), 26);
	assert_int_equal(rd(RTC_MONTH, 0), 12);
	wr(RTC_HOURS, 17, 0);
	wr(RTC_REG_B, RTC_B_DM, 0);		/* 12-hour, binary */
	assert_int_equal(rd(RTC_HOURS, 0), RTC_HOURS_PM | 5);
	wr(RTC_REG_B, 0, 0);			/* 12-hour, BCD */
	wr(RTC_HOURS, RTC_HOURS_PM | 0x12, 0);	/* 12 PM = noon */
	assert_int_equal(rd(RTC_HOURS, 0), RTC_HOURS_PM | 0x12);
	wr(RTC_HOURS, 0x12, 0);			/* 12 AM = midnight */
	wr(RTC_REG_B, RTC_B_24H, 0);
	assert_int_equal(rd(RTC_HOURS, 0), 0x00);
	/* 11:59:59 PM -> 12:00:00 AM of the next day, in 12-hour BCD. */
	wr(RTC_REG_B, 0, 0);
	wr(RTC_HOURS, RTC_HOURS_PM | 0x11, 0);
	wr(RTC_MINUTES, 0x59, 0);
	wr(RTC_SECONDS, 0x59, 0);
	assert_int_equal(rd(RTC_HOURS, chain(32768)), 0x12);
	assert_int_equal(rd(RTC_DAY_OF_MONTH, chain(32768)), 0x08);
	assert_int_equal(rd(RTC_DAY_OF_WEEK, chain(32768)), 3);
	/* The alarm compares in the current format, PM bit included. */
	wr(RTC_HOURS_ALARM, 0x12, chain(32768));
	wr(RTC_MINUTES_ALARM, 0x00, chain(32768));
	wr(RTC_SECONDS_ALARM, 0x01, chain(32768));
	rd(RTC_REG_C, chain(32768));
	assert_int_equal(rd(RTC_REG_C, chain(2 * 32768)) & RTC_C_AF, RTC_C_AF);
}

static void set_date(uint8_t yy, uint8_t mm, uint8_t dd, uint8_t hh, uint8_t mi, uint8_t ss,
		     uint64_t t)
{
	wr(RTC_YEAR, yy, t);
	wr(RTC_MONTH, mm, t);
	wr(RTC_DAY_OF_MONTH, dd, t);
	wr(RTC_HOURS, hh, t);
	wr(RTC_MINUTES, mi, t);
	wr(RTC_SECONDS, ss, t);
}

static void test_calendar_carries(void **state)
{
	(void)state;
	uint64_t s = 1;

	set_date(0x99, 0x12, 0x31, 0x23, 0x59, 0x59, 0);
	assert_int_equal(rd(RTC_YEAR, chain(s * 32768)), 0x00);
	assert_int_equal(rd(RTC_MONTH, chain(s * 32768)), 0x01);
	assert_int_equal(rd(RTC_DAY_OF_MONTH, chain(s * 32768)), 0x01);
	assert_int_equal(rd(CMOS_CENTURY, chain(s * 32768)), 0x21);
	s++;
	set_date(0x23, 0x02, 0x28, 0x23, 0x59, 0x59, chain((s - 1) * 32768));
	assert_int_equal(rd(RTC_MONTH, chain(s * 32768)), 0x03);
	s++;
	set_date(0x24, 0x02, 0x28, 0x23, 0x59, 0x59, chain((s - 1) * 32768));
	assert_int_equal(rd(RTC_DAY_OF_MONTH, chain(s * 32768)), 0x29);
	s++;
	set_date(0x26, 0x04, 0x30, 0x23, 0x59, 0x59, chain((s - 1) * 32768));
	assert_int_equal(rd(RTC_MONTH, chain(s * 32768)), 0x05);
	assert_int_equal(rd(RTC_DAY_OF_MONTH, chain(s * 32768)), 0x01);
	s++;
	/* Garbage written by a guest rolls over instead of running away. */
	set_date(0x26, 0x13, 0x45, 0x23, 0x59, 0x59, chain((s - 1) * 32768));
	assert_int_equal(rd(RTC_MONTH, chain(s * 32768)), 0x01);
	assert_int_equal(rd(RTC_YEAR, chain(s * 32768)), 0x27);
	s++;
	/* A long gap: 2026-12-07 + 1000 days = 2029-09-02, a Sunday. */
	mc146818_init(&rtc, &boot_tm, 0);
	assert_int_equal(rd(RTC_DAY_OF_MONTH, chain((2 + 1000 * 86400ull) * 32768)), 0x02);
	assert_int_equal(rd(RTC_MONTH, 0), 0x09);
	assert_int_equal(rd(RTC_YEAR, 0), 0x29);
	assert_int_equal(rd(RTC_HOURS, 0), 0x05);
	assert_int_equal(rd(RTC_MINUTES, 0), 0x00);
	assert_int_equal(rd(RTC_SECONDS, 0), 0x00);
	assert_int_equal(rd(RTC_DAY_OF_WEEK, 0), 1);
}

/* Days since 1970-01-01 of a Gregorian date (the civil-from-days algorithms). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;

	int64_t era = y / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, unsigned *y, unsigned *m, unsigned *d)
{
	z += 719468;

	int64_t era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (unsigned)(yoe + era * 400) + (*m <= 2);
}

static uint8_t bcd8(unsigned v)
{
	return (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

/* Any gap, applied at once, lands on the date a calendar computes. */
static void test_long_gaps_against_calendar(void **state)
{
	(void)state;
	uint32_t x = 12345;

	for (int i = 0; i < 300; i++) {
		x = x * 1103515245u + 12345u;
		struct mc146818_tm tm = { (uint16_t)(2000 + x % 60), (uint8_t)(1 + (x >> 8) % 12),
					  (uint8_t)(1 + (x >> 12) % 28), (uint8_t)((x >> 17) % 24),
					  (uint8_t)((x >> 5) % 60), (uint8_t)((x >> 11) % 60) };
		x = x * 1103515245u + 12345u;
		uint64_t n = (uint64_t)x * (i % 3 == 0 ? 7 : 293) % (40ull * 365 * 86400);
		int64_t t = days_from_civil(tm.year, tm.mon, tm.mday) * 86400 + tm.hour * 3600 +
			    tm.min * 60 + tm.sec + (int64_t)n;
		unsigned y, m, d;

		civil_from_days(t / 86400, &y, &m, &d);
		mc146818_init(&rtc, &tm, 0);
		uint64_t at_n = chain(n * 32768);
		assert_int_equal(rd(RTC_SECONDS, at_n), bcd8((unsigned)(t % 60)));
		assert_int_equal(rd(RTC_MINUTES, at_n), bcd8((unsigned)(t / 60 % 60)));
		assert_int_equal(rd(RTC_HOURS, at_n), bcd8((unsigned)(t / 3600 % 24)));
		assert_int_equal(rd(RTC_DAY_OF_MONTH, at_n), bcd8(d));
		assert_int_equal(rd(RTC_MONTH, at_n), bcd8(m));
		assert_int_equal(rd(RTC_YEAR, at_n), bcd8(y % 100));
		assert_int_equal(rd(CMOS_CENTURY, at_n), bcd8(y / 100));
		assert_int_equal(rd(RTC_DAY_OF_WEEK, at_n), (t / 86400 + 4) % 7 + 1);
	}
}

/* An alarm over a gap of a day or more: at once as in one-second steps. */
static void test_alarm_bulk_matches_steps(void **state)
{
	(void)state;
	static const uint8_t alarms[][3] = {	/* hours, minutes, seconds */
		{ 0x13, 0x07, 0x42 }, { 0xc0, 0x59, 0xff }, { 0x25, 0x00, 0x00 },
		{ 0xff, 0xff, 0x60 }, { 0x92, 0x30, 0x00 }, { 0x12, 0x30, 0xc5 },
	};
	static const uint8_t formats[] = { RTC_B_24H, 0, RTC_B_24H | RTC_B_DM, RTC_B_DM };
	/* Which alarms some time of day shows, in 24-h BCD, 12-h BCD, 24-h and 12-h binary. */
	static const bool can[][4] = {
		{ 1, 0, 0, 0 },	/* 13:07:42 exists only in 24-hour BCD (0x42 is 66 in binary) */
		{ 1, 1, 0, 0 },	/* minute 59 in BCD (89 in binary) */
		{ 0, 0, 0, 0 },	/* hour 25 */
		{ 0, 0, 0, 0 },	/* second 60 */
		{ 0, 1, 0, 0 },	/* 12 PM (noon) in 12-hour BCD */
		{ 1, 1, 1, 0 },	/* 12:30 BCD, 12:30 AM, 18:48 binary; 12-hour binary has no 18 */
	};

	for (unsigned a = 0; a < sizeof(alarms) / 3; a++) {
		for (unsigned f = 0; f < sizeof(formats); f++) {
			uint64_t n = 86400 + 977 * a + 13 * f;
			bool af[2];

			for (int way = 0; way < 2; way++) {
				mc146818_init(&rtc, &boot_tm, 0);
				wr(RTC_REG_B, formats[f], 0);
				wr(RTC_HOURS_ALARM, alarms[a][0], 0);
				wr(RTC_MINUTES_ALARM, alarms[a][1], 0);
				wr(RTC_SECONDS_ALARM, alarms[a][2], 0);
				for (uint64_t s = way ? 40000 : n; s < n; s += 40000)
					rd(RTC_SECONDS, chain(s * 32768));
				af[way] = rd(RTC_REG_C, chain(n * 32768)) & RTC_C_AF;
			}
			assert_int_equal(af[0], af[1]);
			assert_int_equal(af[0], can[a][f]);
		}
	}
}

/* ---------------------------------------------------------------- CMOS */

static uint16_t word(uint8_t lo)
{
	return (uint16_t)(rd(lo, 0) | rd((uint8_t)(lo + 1), 0) << 8);
}

static void test_memory_size_bytes(void **state)
{
	(void)state;
	mc146818_set_memory(&rtc, 640, 256ull << 20, 0);
	assert_int_equal(word(CMOS_BASE_MEM_LO), 640);
	assert_int_equal(word(CMOS_EXT_MEM_LO), 0xffff);	/* 255 MiB, capped */
	assert_int_equal(word(CMOS_EXT_MEM2_LO), 0xffff);
	assert_int_equal(word(CMOS_MEM_16M_LO), (256 - 16) * 16);
	assert_int_equal(rd(CMOS_MEM_4G_LO, 0) | rd(CMOS_MEM_4G_MID, 0) | rd(CMOS_MEM_4G_HI, 0), 0);
	unsigned sum = 0;
	for (uint8_t i = CMOS_CHECKSUM_FIRST; i <= CMOS_CHECKSUM_LAST; i++)
		sum += rd(i, 0);
	assert_int_equal(rd(CMOS_CHECKSUM_HI, 0) << 8 | rd(CMOS_CHECKSUM_LO, 0), sum);

	mc146818_set_memory(&rtc, 636, 12ull << 20, 0);
	assert_int_equal(word(CMOS_BASE_MEM_LO), 636);
	assert_int_equal(word(CMOS_EXT_MEM_LO), 11 * 1024);
	assert_int_equal(word(CMOS_MEM_16M_LO), 0);

	mc146818_set_memory(&rtc, 9999, 3ull << 30, (2ull << 30) + 0x1234);
	assert_int_equal(word(CMOS_BASE_MEM_LO), 640);
	assert_int_equal(word(CMOS_MEM_16M_LO), (3072 - 16) * 16);
	assert_int_equal(rd(CMOS_MEM_4G_LO, 0), 0x00);
	assert_int_equal(rd(CMOS_MEM_4G_MID, 0), 0x80);	/* 2 GiB / 64 KiB = 0x8000 */
	assert_int_equal(rd(CMOS_MEM_4G_HI, 0), 0x00);
	mc146818_set_memory(&rtc, 640, 3ull << 30, 1ull << 44);
	assert_int_equal(rd(CMOS_MEM_4G_HI, 0), 0xff);		/* capped at 24 bits */
}

static void test_index_port_and_ram(void **state)
{
	(void)state;
	mc146818_io_write(&rtc, RTC_INDEX_PORT, RTC_INDEX_NMI_DIS | 0x40, 0);
	assert_true(mc146818_nmi_masked(&rtc));
	mc146818_io_write(&rtc, RTC_DATA_PORT, 0xa5, 0);
	assert_int_equal(mc146818_io_read(&rtc, RTC_DATA_PORT, 0), 0xa5);
	mc146818_io_write(&rtc, RTC_INDEX_PORT, 0x40, 0);
	assert_false(mc146818_nmi_masked(&rtc));
	assert_int_equal(mc146818_io_read(&rtc, RTC_DATA_PORT, 0), 0xa5);
	/* C and D are read-only; A's UIP bit too. */
	wr(RTC_REG_D, 0, 0);
	assert_int_equal(rd(RTC_REG_D, 0), RTC_D_VRT);
	wr(RTC_REG_C, 0xff, 0);
	assert_int_equal(rd(RTC_REG_C, 0), 0);
	wr(RTC_REG_A, 0xa6, 0);
	assert_int_equal(rd(RTC_REG_A, 0), 0x26);
	/* Other ports. */
	assert_int_equal(mc146818_io_read(&rtc, 0x72, 0), 0xff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_state, setup),
		cmocka_unit_test_setup(test_update_cycle_timing, setup),
		cmocka_unit_test_setup(test_linux_read_time, setup),
		cmocka_unit_test_setup(test_linux_set_time, setup),
		cmocka_unit_test_setup(test_periodic_rates, setup),
		cmocka_unit_test_setup(test_update_ended_interrupt, setup),
		cmocka_unit_test_setup(test_alarm_dont_care, setup),
		cmocka_unit_test_setup(test_set_bit_stops_updates, setup),
		cmocka_unit_test_setup(test_divider_reset, setup),
		cmocka_unit_test_setup(test_binary_and_12_hour, setup),
		cmocka_unit_test_setup(test_calendar_carries, setup),
		cmocka_unit_test_setup(test_long_gaps_against_calendar, setup),
		cmocka_unit_test_setup(test_alarm_bulk_matches_steps, setup),
		cmocka_unit_test_setup(test_memory_size_bytes, setup),
		cmocka_unit_test_setup(test_index_port_and_ram, setup),
	};

	return cmocka_run_group_tests_name("mc146818", tests, NULL, NULL);
}
