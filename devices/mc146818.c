// SPDX-License-Identifier: MIT
/*
 * PC MC146818 RTC and CMOS RAM. Behaviour follows the MC146818A datasheet
 * sections named in the header, which also lists the choices made.
 *
 * The divider chain is a pulse count: pos = base_pos + pulses of 32.768 kHz
 * since base_ns. advance() applies everything between last_pos and the
 * position of now: one PF if a periodic tap was crossed, and each update
 * cycle end (UF, the second, the alarm) in turn. A gap of a day or more is
 * applied in bulk: every time of day comes in it, so the alarm matched if
 * it matches any time of day.
 * Invariants after every entry point: last_ns only grows; while running,
 * last_pos = the chain position at last_ns and base_ns <= last_ns; flags
 * holds only PF | AF | UF.
 */
#include "devices/mc146818.h"

#include <stddef.h>
#include <string.h>

#include "devices/timebase.h"

#define SECS_PER_DAY	86400u
#define DAYS_PER_4Y	1461u

/* ---------------------------------------------------------------- formats */

static bool binary_mode(const struct mc146818 *rtc)
{
	return rtc->cmos[RTC_REG_B] & RTC_B_DM;
}

static uint8_t bin_to_bcd(uint8_t v)
{
	return (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

static uint8_t bcd_to_bin(uint8_t v)
{
	return (uint8_t)((v >> 4) * 10 + (v & 0xf));
}

static uint8_t to_reg(const struct mc146818 *rtc, uint8_t v)
{
	return binary_mode(rtc) ? v : bin_to_bcd(v);
}

static uint8_t from_reg(const struct mc146818 *rtc, uint8_t v)
{
	return binary_mode(rtc) ? v : bcd_to_bin(v);
}

/* Hour h (0-23) as the hours register shows it. */
static uint8_t hour_reg_of(const struct mc146818 *rtc, uint8_t h)
{
	if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
		return to_reg(rtc, h);
	return (uint8_t)(to_reg(rtc, h % 12 ? h % 12 : 12) | (h >= 12 ? RTC_HOURS_PM : 0));
}

static uint8_t hour_reg(const struct mc146818 *rtc)
{
	return hour_reg_of(rtc, rtc->hour);
}

static uint8_t hour_from_reg(const struct mc146818 *rtc, uint8_t v)
{
	if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
		return from_reg(rtc, v);

	uint8_t h = from_reg(rtc, v & ~RTC_HOURS_PM);

	return (uint8_t)(h % 12 + (v & RTC_HOURS_PM ? 12 : 0));
}

/* ---------------------------------------------------------------- calendar */

static uint8_t days_in_month(uint8_t mon, uint8_t year)
{
	static const uint8_t dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (mon < 1 || mon > 12)
		return 31;
	return (uint8_t)(dim[mon - 1] + (mon == 2 && year % 4 == 0));
}

static void add_years(struct mc146818 *rtc, uint64_t n)
{
	uint64_t y = (uint64_t)(rtc->year % 100) + n;
	uint8_t c = bcd_to_bin(rtc->cmos[CMOS_CENTURY]);

	rtc->year = (uint8_t)(y % 100);
	rtc->cmos[CMOS_CENTURY] = bin_to_bcd((uint8_t)((c + y / 100) % 100));
}

static void next_day(struct mc146818 *rtc)
{
	rtc->wday = rtc->wday >= 7 ? 1 : rtc->wday + 1;
	if (rtc->mday < days_in_month(rtc->mon, rtc->year)) {
		rtc->mday++;
		return;
	}
	rtc->mday = 1;
	if (rtc->mon < 12 && rtc->mon >= 1) {
		rtc->mon++;
		return;
	}
	rtc->mon = 1;
	add_years(rtc, 1);
}

/* Whole days; the day of the week and 4-year cycles first, then day by day. */
static void add_days(struct mc146818 *rtc, uint64_t days)
{
	uint64_t cycles = days / DAYS_PER_4Y;
	uint8_t wday = rtc->wday;

	add_years(rtc, 4 * cycles);
	for (uint64_t d = days % DAYS_PER_4Y; d; d--)
		next_day(rtc);
	if (wday >= 1 && wday <= 7)
		rtc->wday = (uint8_t)((wday - 1 + days) % 7 + 1);
}

/* The update cycle's increment: one second and its carries. */
static void tick_second(struct mc146818 *rtc)
{
	if (rtc->sec < 59) {
		rtc->sec++;
		return;
	}
	rtc->sec = 0;
	if (rtc->min < 59) {
		rtc->min++;
		return;
	}
	rtc->min = 0;
	if (rtc->hour < 23) {
		rtc->hour++;
		return;
	}
	rtc->hour = 0;
	next_day(rtc);
}

static uint8_t clamp(uint8_t v, uint8_t max)
{
	return v > max ? max : v;
}

/* n seconds at once (no alarm checks). */
static void add_seconds(struct mc146818 *rtc, uint64_t n)
{
	uint64_t t = n + clamp(rtc->sec, 59) + 60u * clamp(rtc->min, 59) +
		     3600u * clamp(rtc->hour, 23);

	rtc->sec = (uint8_t)(t % 60);
	rtc->min = (uint8_t)(t / 60 % 60);
	rtc->hour = (uint8_t)(t / 3600 % 24);
	add_days(rtc, t / SECS_PER_DAY);
}

static bool alarm_byte_matches(uint8_t alarm, uint8_t now)
{
	return (alarm & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE || alarm == now;
}

static bool alarm_matches(const struct mc146818 *rtc)
{
	return alarm_byte_matches(rtc->cmos[RTC_SECONDS_ALARM], to_reg(rtc, rtc->sec)) &&
	       alarm_byte_matches(rtc->cmos[RTC_MINUTES_ALARM], to_reg(rtc, rtc->min)) &&
	       alarm_byte_matches(rtc->cmos[RTC_HOURS_ALARM], hour_reg(rtc));
}

/* Whether an alarm byte matches one of the values first..last in format. */
static bool alarm_can_match(const struct mc146818 *rtc, uint8_t alarm, unsigned last, bool hours)
{
	for (unsigned v = 0; v <= last; v++) {
		uint8_t now = hours ? hour_reg_of(rtc, (uint8_t)v) : to_reg(rtc, (uint8_t)v);

		if (alarm_byte_matches(alarm, now))
			return true;
	}
	return false;
}

/* A day of updates shows every time of day once: does one match the alarm? */
static bool alarm_in_a_day(const struct mc146818 *rtc)
{
	return alarm_can_match(rtc, rtc->cmos[RTC_SECONDS_ALARM], 59, false) &&
	       alarm_can_match(rtc, rtc->cmos[RTC_MINUTES_ALARM], 59, false) &&
	       alarm_can_match(rtc, rtc->cmos[RTC_HOURS_ALARM], 23, true);
}

/* n update cycles end: n seconds, UF, and AF if the alarm matched at one. */
static void updates(struct mc146818 *rtc, uint64_t n)
{
	if (n >= SECS_PER_DAY) {
		if (alarm_in_a_day(rtc))
			rtc->flags |= RTC_C_AF;
		add_seconds(rtc, n);
	} else {
		for (; n; n--) {
			tick_second(rtc);
			if (alarm_matches(rtc))
				rtc->flags |= RTC_C_AF;
		}
	}
	rtc->flags |= RTC_C_UF;
}

/* ---------------------------------------------------------------- divider */

static uint64_t pos_at(const struct mc146818 *rtc, uint64_t now_ns)
{
	return rtc->base_pos + tb_ticks(now_ns - rtc->base_ns, RTC_HZ);
}

/* Update cycle ends at positions <= pos. */
static uint64_t ends_upto(uint64_t pos)
{
	return pos < RTC_POS_UPDATE_END ? 0 : (pos - RTC_POS_UPDATE_END) / RTC_HZ + 1;
}

/* Periodic interrupt period in chain pulses, 0 if RS = 0. */
static uint32_t period(const struct mc146818 *rtc)
{
	unsigned rs = rtc->cmos[RTC_REG_A] & RTC_A_RS_MASK;

	if (rs == 0)
		return 0;
	return rs <= 2 ? 1u << (rs + 6) : 1u << (rs - 1);
}

static bool updates_on(const struct mc146818 *rtc)
{
	return rtc->running && !(rtc->cmos[RTC_REG_B] & RTC_B_SET);
}

static void advance(struct mc146818 *rtc, uint64_t now_ns)
{
	if (now_ns < rtc->last_ns)
		now_ns = rtc->last_ns;
	if (rtc->running) {
		uint64_t pos = pos_at(rtc, now_ns);
		uint32_t p = period(rtc);
		uint64_t n = ends_upto(pos) - ends_upto(rtc->last_pos);

		if (p && pos / p != rtc->last_pos / p)
			rtc->flags |= RTC_C_PF;
		if (n && updates_on(rtc))
			updates(rtc, n);
		rtc->last_pos = pos;
	}
	rtc->last_ns = now_ns;
}

static bool uip(const struct mc146818 *rtc)
{
	uint64_t ph = rtc->last_pos % RTC_HZ;

	return updates_on(rtc) && ph >= RTC_POS_UIP && ph < RTC_POS_UPDATE_END;
}

static uint8_t irqf(const struct mc146818 *rtc)
{
	uint8_t en = rtc->cmos[RTC_REG_B] & (RTC_B_PIE | RTC_B_AIE | RTC_B_UIE);

	/* PIE, AIE, UIE sit at the same bit positions as PF, AF, UF. */
	return rtc->flags & en ? RTC_C_IRQF : 0;
}

/* ---------------------------------------------------------------- registers */

static void write_a(struct mc146818 *rtc, uint8_t val)
{
	bool run = (val & RTC_A_DV_MASK) == RTC_A_DV_32KHZ;

	rtc->cmos[RTC_REG_A] = val & ~RTC_A_UIP;
	if (run && !rtc->running) {	/* chain restarts at 0 */
		rtc->base_ns = rtc->last_ns;
		rtc->base_pos = 0;
		rtc->last_pos = 0;
	}
	rtc->running = run;
}

static void write_b(struct mc146818 *rtc, uint8_t val)
{
	if (val & RTC_B_SET)
		val &= ~RTC_B_UIE;
	rtc->cmos[RTC_REG_B] = val;
}

static uint8_t read_c(struct mc146818 *rtc)
{
	uint8_t v = rtc->flags | irqf(rtc);

	rtc->flags = 0;
	return v;
}

/* The time or calendar number at index i, except hours; NULL for others. */
static uint8_t *time_field(struct mc146818 *rtc, unsigned i)
{
	switch (i) {
	case RTC_SECONDS:
		return &rtc->sec;
	case RTC_MINUTES:
		return &rtc->min;
	case RTC_DAY_OF_WEEK:
		return &rtc->wday;
	case RTC_DAY_OF_MONTH:
		return &rtc->mday;
	case RTC_MONTH:
		return &rtc->mon;
	case RTC_YEAR:
		return &rtc->year;
	default:
		return NULL;
	}
}

static uint8_t read_reg(struct mc146818 *rtc, unsigned i)
{
	uint8_t *f = time_field(rtc, i);

	if (f)
		return to_reg(rtc, *f);
	switch (i) {
	case RTC_HOURS:
		return hour_reg(rtc);
	case RTC_REG_A:
		return rtc->cmos[RTC_REG_A] | (uip(rtc) ? RTC_A_UIP : 0);
	case RTC_REG_C:
		return read_c(rtc);
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return rtc->cmos[i];
	}
}

static void write_reg(struct mc146818 *rtc, unsigned i, uint8_t v)
{
	uint8_t *f = time_field(rtc, i);

	if (f) {
		*f = from_reg(rtc, v);
		return;
	}
	switch (i) {
	case RTC_HOURS:
		rtc->hour = hour_from_reg(rtc, v);
		break;
	case RTC_REG_A:
		write_a(rtc, v);
		break;
	case RTC_REG_B:
		write_b(rtc, v);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;		/* read-only */
	default:
		rtc->cmos[i] = v;
		break;
	}
}

/* ---------------------------------------------------------------- interface */

uint8_t mc146818_io_read(struct mc146818 *rtc, uint16_t port, uint64_t now_ns)
{
	advance(rtc, now_ns);
	if (port != RTC_DATA_PORT)
		return 0xff;
	return read_reg(rtc, rtc->index);
}

void mc146818_io_write(struct mc146818 *rtc, uint16_t port, uint8_t val, uint64_t now_ns)
{
	advance(rtc, now_ns);
	if (port == RTC_INDEX_PORT) {
		rtc->index = val & RTC_INDEX_MASK;
		rtc->nmi_disabled = val & RTC_INDEX_NMI_DIS;
	} else if (port == RTC_DATA_PORT) {
		write_reg(rtc, rtc->index, val);
	}
}

bool mc146818_claims_port(uint16_t port)
{
	return port == RTC_INDEX_PORT || port == RTC_DATA_PORT;
}

bool mc146818_irq(struct mc146818 *rtc, uint64_t now_ns)
{
	advance(rtc, now_ns);
	return irqf(rtc);
}

/* The first chain position after pos that is a multiple of every, plus at. */
static uint64_t next_pos(uint64_t pos, uint64_t every, uint64_t at)
{
	if (pos < at)
		return at;
	return at + ((pos - at) / every + 1) * every;
}

uint64_t mc146818_next_event(struct mc146818 *rtc, uint64_t now_ns)
{
	uint8_t b = rtc->cmos[RTC_REG_B];
	uint64_t pos = TB_NEVER;

	advance(rtc, now_ns);
	if (irqf(rtc) || !rtc->running)
		return TB_NEVER;
	if ((b & RTC_B_PIE) && period(rtc))
		pos = next_pos(rtc->last_pos, period(rtc), 0);
	if ((b & (RTC_B_UIE | RTC_B_AIE)) && updates_on(rtc)) {
		uint64_t u = next_pos(rtc->last_pos, RTC_HZ, RTC_POS_UPDATE_END);

		pos = u < pos ? u : pos;
	}
	if (pos == TB_NEVER)
		return TB_NEVER;

	uint64_t ns = tb_ns(pos - rtc->base_pos, RTC_HZ);

	return ns > TB_NEVER - rtc->base_ns ? TB_NEVER : rtc->base_ns + ns;
}

bool mc146818_nmi_masked(const struct mc146818 *rtc)
{
	return rtc->nmi_disabled;
}

/* Day of the week, 1 = Sunday (Gregorian, by the Zeller congruence). */
static uint8_t weekday(unsigned year, unsigned mon, unsigned mday)
{
	if (mon < 3) {
		mon += 12;
		year--;
	}

	unsigned h = (mday + 13 * (mon + 1) / 5 + year + year / 4 - year / 100 + year / 400) % 7;

	return (uint8_t)((h + 6) % 7 + 1);	/* Zeller: 0 = Saturday */
}

void mc146818_init(struct mc146818 *rtc, const struct mc146818_tm *tm, uint64_t now_ns)
{
	memset(rtc, 0, sizeof(*rtc));
	rtc->cmos[RTC_REG_A] = RTC_A_DV_32KHZ | 0x06;
	rtc->cmos[RTC_REG_B] = RTC_B_24H;
	rtc->cmos[CMOS_CENTURY] = bin_to_bcd((uint8_t)(tm->year / 100 % 100));
	rtc->year = (uint8_t)(tm->year % 100);
	rtc->mon = tm->mon;
	rtc->mday = tm->mday;
	rtc->hour = tm->hour;
	rtc->min = tm->min;
	rtc->sec = tm->sec;
	rtc->wday = weekday(tm->year, tm->mon, tm->mday);
	rtc->running = true;
	rtc->base_ns = now_ns;
	rtc->base_pos = RTC_POS_UPDATE_END;	/* just after an update: next in 1 s */
	rtc->last_ns = now_ns;
	rtc->last_pos = RTC_POS_UPDATE_END;
}

static void put16(struct mc146818 *rtc, unsigned lo, uint64_t v)
{
	if (v > 0xffff)
		v = 0xffff;
	rtc->cmos[lo] = (uint8_t)v;
	rtc->cmos[lo + 1] = (uint8_t)(v >> 8);
}

void mc146818_set_memory(struct mc146818 *rtc, uint32_t base_kib, uint64_t below_4g,
			 uint64_t above_4g)
{
	uint64_t ext_kib = below_4g > (1u << 20) ? (below_4g - (1u << 20)) >> 10 : 0;
	uint64_t above_16m = below_4g > (16u << 20) ? (below_4g - (16u << 20)) >> 16 : 0;
	uint64_t high = above_4g >> 16;
	unsigned sum = 0;

	put16(rtc, CMOS_BASE_MEM_LO, base_kib > 640 ? 640 : base_kib);
	put16(rtc, CMOS_EXT_MEM_LO, ext_kib);
	put16(rtc, CMOS_EXT_MEM2_LO, ext_kib);
	put16(rtc, CMOS_MEM_16M_LO, above_16m);
	if (high > 0xffffff)
		high = 0xffffff;
	rtc->cmos[CMOS_MEM_4G_LO] = (uint8_t)high;
	rtc->cmos[CMOS_MEM_4G_MID] = (uint8_t)(high >> 8);
	rtc->cmos[CMOS_MEM_4G_HI] = (uint8_t)(high >> 16);
	for (unsigned i = CMOS_CHECKSUM_FIRST; i <= CMOS_CHECKSUM_LAST; i++)
		sum += rtc->cmos[i];
	rtc->cmos[CMOS_CHECKSUM_HI] = (uint8_t)(sum >> 8);
	rtc->cmos[CMOS_CHECKSUM_LO] = (uint8_t)sum;
}
