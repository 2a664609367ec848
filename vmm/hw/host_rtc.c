/* SPDX-License-Identifier: MIT */
/*
 * Reading the machine's RTC (MC146818A datasheet, "Update Cycle": the time
 * bytes are stable while UIP is 0 and for 244 us after; reading twice and
 * comparing covers an update that starts in between). The VMM runs with
 * interrupts off, so the reads are not disturbed; NMI stays as the firmware
 * left it (port 0x70 bit 7 is kept clear, which enables NMI as on every PC
 * after POST).
 */
#include "vmm/hw/host_rtc.h"

#include "vmm/arch/x86.h"

#define TRIES 1000000
#define CENTURY_DEFAULT 20

static uint8_t cmos(uint8_t idx)
{
	outb(RTC_INDEX_PORT, idx);
	return inb(RTC_DATA_PORT);
}

static unsigned from_bcd(uint8_t v, bool binary)
{
	return binary ? v : (unsigned)(v >> 4) * 10 + (v & 0xf);
}

struct raw {
	uint8_t sec, min, hour, mday, mon, year, century;
};

static void read_raw(struct raw *r)
{
	r->sec = cmos(RTC_SECONDS);
	r->min = cmos(RTC_MINUTES);
	r->hour = cmos(RTC_HOURS);
	r->mday = cmos(RTC_DAY_OF_MONTH);
	r->mon = cmos(RTC_MONTH);
	r->year = cmos(RTC_YEAR);
	r->century = cmos(CMOS_CENTURY);
}

static bool same(const struct raw *a, const struct raw *b)
{
	return a->sec == b->sec && a->min == b->min && a->hour == b->hour && a->mday == b->mday &&
	       a->mon == b->mon && a->year == b->year && a->century == b->century;
}

int host_rtc_time(struct mc146818_tm *tm)
{
	const struct mc146818_tm fallback = { 2000, 1, 1, 0, 0, 0 };
	struct raw a, b;
	uint8_t regb;
	bool binary, pm;
	unsigned century, hour;
	int tries = TRIES;

	do {
		while ((cmos(RTC_REG_A) & RTC_A_UIP) && --tries > 0)
			;
		read_raw(&a);
		while ((cmos(RTC_REG_A) & RTC_A_UIP) && --tries > 0)
			;
		read_raw(&b);
	} while (!same(&a, &b) && --tries > 0);
	if (tries <= 0) {
		*tm = fallback;
		return -1;
	}
	regb = cmos(RTC_REG_B);
	binary = regb & RTC_B_DM;
	pm = !(regb & RTC_B_24H) && (a.hour & RTC_HOURS_PM);
	hour = from_bcd(a.hour & (uint8_t)~RTC_HOURS_PM, binary);
	if (!(regb & RTC_B_24H))
		hour = hour % 12 + (pm ? 12 : 0);
	century = from_bcd(a.century, binary);
	if (century < 19 || century > 20)
		century = CENTURY_DEFAULT;
	tm->year = (uint16_t)(century * 100 + from_bcd(a.year, binary));
	tm->mon = (uint8_t)from_bcd(a.mon, binary);
	tm->mday = (uint8_t)from_bcd(a.mday, binary);
	tm->hour = (uint8_t)hour;
	tm->min = (uint8_t)from_bcd(a.min, binary);
	tm->sec = (uint8_t)from_bcd(a.sec, binary);
	if (tm->year > 2099 || tm->mon < 1 || tm->mon > 12 || tm->mday < 1 || tm->mday > 31 ||
	    tm->hour > 23 || tm->min > 59 || tm->sec > 59) {
		*tm = fallback;
		return -1;
	}
	return 0;
}
