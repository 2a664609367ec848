/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the guest's clocks: the 8254 PIT with port 0x61
 * (devices/pit8254.c), the MC146818 RTC (devices/mc146818.c), the ACPI PM
 * timer (devices/acpi_pm_timer.c) and the HPET (devices/hpet.c), driven
 * together by arbitrary port and MMIO accesses at arbitrary time steps
 * (nanoseconds to days, and times earlier than the last one, which the
 * models must take as the last one). Each input is a start date, then
 * 4-byte steps: an action and a time step. After every step it checks what
 * a VMM relies on and aborts on violation:
 * - a next-event time is TB_NEVER or later than now; an answer for an
 *   earlier time equals the answer for the latest time seen;
 * - PIT: at the next rising edge of each counter's OUT the level goes from
 *   low (one nanosecond before) to high, and nothing rises in between;
 * - RTC: with only periodic and update-ended interrupts enabled, IRQ 8 is
 *   low just before the next event and high at it; reading register C
 *   lowers it; UIP seen set is clear 2229 us later (244 + 1984 us);
 * - PM timer: the value advances by the pulses elapsed, modulo its width,
 *   and bit 23 or 31 changes exactly at the announced carry time;
 * - HPET: at its next event an enabled timer matches (a new edge, or a new
 *   status bit or line for a level timer);
 *   status and edges only for existing timers, status only for level ones;
 *   a running main counter never goes backwards between writes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "devices/acpi_pm_timer.h"
#include "devices/hpet.h"
#include "devices/mc146818.h"
#include "devices/pit8254.h"
#include "devices/timebase.h"
#include "tests/fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PM_PORT		0x608
#define NOW_MAX		(1ull << 62)

struct harness {
	struct pit8254 pit;
	struct mc146818 rtc;
	struct acpi_pm_timer pm;
	struct hpet hpet;
	uint64_t now;
	uint64_t hpet_cnt;	/* main counter last read, 0 after a write */
};

static void check(bool ok)
{
	if (!ok)
		abort();
}

static uint64_t step_ns(const uint8_t *op)
{
	unsigned kind = op[0] >> 3;
	uint64_t a = op[1], b = (uint64_t)op[1] << 8 | op[2];

	if (kind == 0)
		return 0;
	if (kind < 8)
		return a;
	if (kind < 16)
		return b * 1000;		/* up to 65 ms */
	if (kind < 24)
		return a * 1000000;		/* up to 255 ms */
	if (kind < 30)
		return a * TB_NS_PER_SEC;	/* up to 255 s */
	return a * 86400 * TB_NS_PER_SEC;	/* up to 255 days */
}

/* The time the step is performed at: usually now plus the step, sometimes earlier. */
static uint64_t advance(struct harness *h, const uint8_t *op)
{
	uint64_t d = step_ns(op);

	if ((op[0] >> 3) == 31)
		return h->now > d / 86400 ? h->now - d / 86400 : 0;	/* backwards */
	if (h->now + d < NOW_MAX)
		h->now += d;
	return h->now;
}

FUZZ_CHECKER static void check_pit(const struct harness *h)
{
	const struct pit8254 *pit = &h->pit;
	uint64_t now = pit->last_ns;

	for (unsigned ch = 0; ch < PIT_NR_COUNTERS; ch++) {
		uint64_t e = pit_next_rise(pit, ch, now);

		check(pit_next_rise(pit, ch, 0) == e);
		check(pit_out(pit, ch, 0) == pit_out(pit, ch, now));
		if (e == TB_NEVER)
			continue;
		check(e > now);
		check(!pit_out(pit, ch, e - 1) && pit_out(pit, ch, e));
		check(pit_next_rise(pit, ch, e - 1) == e);
	}
}

FUZZ_CHECKER static void check_pm(const struct harness *h, uint64_t t)
{
	const struct acpi_pm_timer *pm = &h->pm;
	uint32_t mask = pm->ext32 ? ACPI_PM_TMR_VAL_32 : ACPI_PM_TMR_VAL_24;
	unsigned msb = pm->ext32 ? 31 : 23;
	uint64_t c = acpi_pm_timer_next_carry(pm, t);
	uint64_t later = t + 123456789;

	check(acpi_pm_timer_read(pm, PM_PORT, 4, t) == acpi_pm_timer_value(pm, t));
	check(((acpi_pm_timer_value(pm, later) - acpi_pm_timer_value(pm, t)) & mask) ==
	      ((tb_ticks(later, ACPI_PM_TIMER_HZ) - tb_ticks(t, ACPI_PM_TIMER_HZ)) & mask));
	check(c > t);
	check(((acpi_pm_timer_value(pm, c - 1) ^ acpi_pm_timer_value(pm, c)) >> msb) & 1);
	check(c - 1 == t || !(((acpi_pm_timer_value(pm, t) ^ acpi_pm_timer_value(pm, c - 1)) >> msb) & 1));
}

/* UIP seen set: 2229 us later (244 + 1984 and rounding) it is clear. */
static void uip_clears(struct harness *h)
{
	uint64_t t = h->rtc.last_ns + 2229000;

	if (t >= NOW_MAX)
		return;
	check(!(mc146818_io_read(&h->rtc, RTC_DATA_PORT, t) & RTC_A_UIP));
	h->now = t > h->now ? t : h->now;
}

static uint8_t rtc_read(struct harness *h, uint64_t t)
{
	uint8_t index = h->rtc.index;
	uint8_t v = mc146818_io_read(&h->rtc, RTC_DATA_PORT, t);

	if (index == RTC_REG_A && (v & RTC_A_UIP))
		uip_clears(h);
	if (index == RTC_REG_C)
		check(!mc146818_irq(&h->rtc, t));
	return v;
}

/* Go to the RTC's next event and check the IRQ 8 edge there. */
static void rtc_to_event(struct harness *h)
{
	uint8_t b = h->rtc.cmos[RTC_REG_B];
	uint64_t e = mc146818_next_event(&h->rtc, h->now);

	if (e == TB_NEVER) {
		bool pie = (b & RTC_B_PIE) && (h->rtc.cmos[RTC_REG_A] & RTC_A_RS_MASK);
		bool upd = (b & (RTC_B_UIE | RTC_B_AIE)) && !(b & RTC_B_SET);

		check(mc146818_irq(&h->rtc, h->now) || !h->rtc.running || (!pie && !upd));
		return;
	}
	check(e > h->rtc.last_ns);
	if (e >= NOW_MAX)
		return;
	if (!(b & RTC_B_AIE))
		check(!mc146818_irq(&h->rtc, e - 1));
	bool high = mc146818_irq(&h->rtc, e);
	if (!(b & RTC_B_AIE))
		check(high);
	h->now = e;
}

static void pit_to_event(struct harness *h, unsigned ch)
{
	uint64_t e = pit_next_rise(&h->pit, ch, h->now);

	if (e != TB_NEVER && e < NOW_MAX && e > h->now)
		h->now = e;
}

FUZZ_CHECKER static void check_hpet_state(const struct hpet *hp)
{
	check(!(hp->edges >> HPET_NUM_TIMERS));
	check(!(hp->isr >> HPET_NUM_TIMERS));
	for (unsigned n = 0; n < HPET_NUM_TIMERS; n++)
		check(!(hp->isr >> n & 1) || (hp->t[n].conf & HPET_TN_INT_TYPE));
}

/* Go to the HPET's next event: a timer matches there, and none just before. */
static void hpet_to_event(struct harness *h)
{
	struct hpet *hp = &h->hpet;
	uint64_t e = hpet_next_event(hp, h->now);

	if (e == TB_NEVER || e >= NOW_MAX)
		return;
	check(e > hp->last_ns);
	uint64_t isr0 = (hpet_take_edges(hp, e - 1), hp->isr);
	uint32_t lv0 = hpet_levels(hp, e - 1);
	uint32_t edges = hpet_take_edges(hp, e);
	uint32_t lv = hpet_levels(hp, e);

	check(edges || (lv & ~lv0) || (hp->isr & ~isr0));
	h->now = e;
}

/* MMIO: offsets steered to the registers, sizes mostly 4 and 8. */
static void hpet_access(struct harness *h, const uint8_t *op, uint64_t t)
{
	static const uint16_t regs[8] = { 0x000, 0x010, 0x020, 0x0f0, 0x100, 0x108, 0x120, 0x148 };
	uint32_t off = regs[op[2] & 7] + (op[2] & 0x08 ? 4 : 0) + (op[2] & 0x80 ? 0x20 : 0);
	unsigned size = op[2] & 0x40 ? 8 : 4;
	uint64_t val = (uint64_t)op[3] * 0x0101010101010101ull;

	if ((op[2] & 0x30) == 0x30) {
		uint32_t v = op[3] & 0x0f;

		hpet_mmio_write(&h->hpet, off, size, (op[3] & 0x10) ? val : v, t);
		if ((off & ~7u) == HPET_MAIN_CNT || (off & ~7u) == HPET_GEN_CONF)
			h->hpet_cnt = 0;
		return;
	}
	uint64_t v = hpet_mmio_read(&h->hpet, off, size, t);

	if (off == HPET_MAIN_CNT && size == 8 && (h->hpet.gen_conf & HPET_CONF_ENABLE)) {
		check(v >= h->hpet_cnt || h->hpet_cnt >= (1ull << 63));	/* or it wrapped */
		h->hpet_cnt = v;
	}
}

static const uint16_t pit_ports[8] = { 0x40, 0x41, 0x42, 0x43, 0x43, 0x61, 0x61, 0x44 };

static void step(struct harness *h, const uint8_t *op)
{
	uint64_t t = advance(h, op);
	uint16_t pport = pit_ports[op[2] & 7];

	switch (op[0] & 7) {
	case 0:
		pit_io_write(&h->pit, pport, op[3], t);
		break;
	case 1:
		(void)pit_io_read(&h->pit, pport, t);
		break;
	case 2:
		mc146818_io_write(&h->rtc, RTC_INDEX_PORT, op[3], t);
		(void)rtc_read(h, t);
		break;
	case 3:
		mc146818_io_write(&h->rtc, RTC_INDEX_PORT, op[2], t);
		mc146818_io_write(&h->rtc, RTC_DATA_PORT, op[3], t);
		break;
	case 4:
		(void)rtc_read(h, t);
		break;
	case 5:
		check_pm(h, t);
		break;
	case 6:
		if (op[3] & 0x80)
			hpet_access(h, op, t);
		else
			pit_to_event(h, op[3] % PIT_NR_COUNTERS);
		break;
	default:
		if (op[3] & 0x80)
			hpet_to_event(h);
		else
			rtc_to_event(h);
		break;
	}
	check_pit(h);
	check_hpet_state(&h->hpet);
}

static void setup(struct harness *h, const uint8_t *d)
{
	struct mc146818_tm tm = {
		.year = (uint16_t)(1990 + d[0] % 100), .mon = (uint8_t)(1 + d[1] % 12),
		.mday = (uint8_t)(1 + d[2] % 28), .hour = (uint8_t)(d[3] % 24),
		.min = (uint8_t)(d[4] % 60), .sec = (uint8_t)(d[5] % 60),
	};

	h->now = (uint64_t)d[6] << 24;
	pit_init(&h->pit, h->now);
	mc146818_init(&h->rtc, &tm, h->now);
	mc146818_set_memory(&h->rtc, 640, (uint64_t)d[7] << 24, (uint64_t)d[1] << 30);
	acpi_pm_timer_init(&h->pm, PM_PORT, d[7] & 1);
	hpet_init(&h->hpet, h->now);
	h->hpet_cnt = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct harness h;

	if (size < 8)
		return 0;
	setup(&h, data);
	for (size_t off = 8; off + 4 <= size; off += 4)
		step(&h, data + off);
	return 0;
}
