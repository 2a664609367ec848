// SPDX-License-Identifier: MIT
/*
 * IA-PC HPET: main counter and three comparators as functions of the
 * guest's time. The specification sections followed and the choices made
 * are in the header.
 *
 * advance() brings the state to now: while the counter runs, the counter
 * values passed since last_cnt (a window of d values) are checked against
 * each comparator with modular arithmetic, so any gap costs the same.
 * Invariants after every entry point: last_ns only grows; last_cnt is the
 * counter at last_ns; cmp and period fit the timer's width; isr and edges
 * only have bits of existing timers, isr only of level-triggered ones.
 */
#include "devices/hpet.h"

#include <string.h>

#include "devices/timebase.h"

#define TN_WRITABLE	(HPET_TN_INT_TYPE | HPET_TN_INT_ENB | HPET_TN_VAL_SET | \
			 HPET_TN_32MODE | HPET_TN_ROUTE_MASK)

static uint64_t gcap(void)
{
	return HPET_CAP_REV_ID | (uint64_t)(HPET_NUM_TIMERS - 1) << HPET_CAP_NUM_TIM_SHIFT |
	       HPET_CAP_COUNT_SIZE | HPET_CAP_LEG_RT | 0x8086ull << HPET_CAP_VENDOR_SHIFT |
	       (uint64_t)HPET_PERIOD_FS << HPET_CAP_PERIOD_SHIFT;
}

static bool running(const struct hpet *h)
{
	return h->gen_conf & HPET_CONF_ENABLE;
}

static uint64_t counter_at(const struct hpet *h, uint64_t now_ns)
{
	if (!running(h))
		return h->cnt_base;
	return h->cnt_base + (tb_ticks(now_ns, HPET_HZ) - h->p_base);
}

static uint64_t width_mask(const struct hpet_timer *t)
{
	return t->conf & HPET_TN_32MODE ? 0xffffffffull : ~0ull;
}

static bool periodic(const struct hpet_timer *t)
{
	return t->conf & HPET_TN_TYPE;
}

static bool level(const struct hpet_timer *t)
{
	return t->conf & HPET_TN_INT_TYPE;
}

/* Counter values after c until the comparator's next match, minus one. */
static uint64_t dist0(const struct hpet_timer *t, uint64_t c)
{
	return (t->cmp - c - 1) & width_mask(t);
}

static void fire(struct hpet *h, unsigned n)
{
	const struct hpet_timer *t = &h->t[n];

	if (level(t))
		h->isr |= 1u << n;
	else if (t->conf & HPET_TN_INT_ENB)
		h->edges |= 1u << n;
}

/* The counter went from c0 through d more values: did timer n match? */
static void run_timer(struct hpet *h, unsigned n, uint64_t c0, uint64_t d)
{
	struct hpet_timer *t = &h->t[n];
	uint64_t first = dist0(t, c0);

	if (first >= d)
		return;
	fire(h, n);
	if (periodic(t) && t->period) {
		uint64_t more = (d - first - 1) / t->period;

		t->cmp = (t->cmp + (more + 1) * t->period) & width_mask(t);
	}
}

static void advance(struct hpet *h, uint64_t now_ns)
{
	if (now_ns < h->last_ns)
		now_ns = h->last_ns;
	h->last_ns = now_ns;
	if (!running(h))
		return;

	uint64_t c1 = counter_at(h, now_ns), d = c1 - h->last_cnt;

	for (unsigned n = 0; d && n < HPET_NUM_TIMERS; n++)
		run_timer(h, n, h->last_cnt, d);
	h->last_cnt = c1;
}

/* ---------------------------------------------------------------- registers */

static void write_gen_conf(struct hpet *h, uint64_t v)
{
	uint64_t now_p = tb_ticks(h->last_ns, HPET_HZ);
	bool on = v & HPET_CONF_ENABLE;

	if (on && !running(h))
		h->p_base = now_p;
	else if (!on && running(h))
		h->cnt_base = counter_at(h, h->last_ns);
	h->gen_conf = v & (HPET_CONF_ENABLE | HPET_CONF_LEG_RT);
}

static void write_counter(struct hpet *h, uint64_t v)
{
	h->cnt_base = v;
	h->p_base = tb_ticks(h->last_ns, HPET_HZ);
	h->last_cnt = v;
}

static void write_tn_conf(struct hpet *h, unsigned n, uint64_t v)
{
	struct hpet_timer *t = &h->t[n];
	uint64_t writable = TN_WRITABLE | (t->conf & HPET_TN_PER_INT_CAP ? HPET_TN_TYPE : 0);
	unsigned route = (unsigned)((v & HPET_TN_ROUTE_MASK) >> HPET_TN_ROUTE_SHIFT);

	if (!((HPET_ROUTE_CAP >> route) & 1))
		v = (v & ~HPET_TN_ROUTE_MASK) | (t->conf & HPET_TN_ROUTE_MASK);
	t->conf = (t->conf & ~writable) | (v & writable);
	t->cmp &= width_mask(t);
	t->period &= width_mask(t);
	if (!level(t))
		h->isr &= ~(1ull << n);
}

/* val: the written bytes in place, m: which bits of the register they are. */
static void write_tn_cmp(struct hpet_timer *t, uint64_t val, uint64_t m)
{
	if (!periodic(t) || (t->conf & HPET_TN_VAL_SET))
		t->cmp = ((t->cmp & ~m) | (val & m)) & width_mask(t);
	if (periodic(t))
		t->period = ((t->period & ~m) | (val & m)) & width_mask(t);
	t->conf &= ~HPET_TN_VAL_SET;
}

/* Timer n and its register at offset r within the timer's 32 bytes, or -1. */
static int timer_of(uint32_t reg, uint32_t *r)
{
	if (reg < HPET_TN_CONF(0) || reg >= HPET_TN_CONF(HPET_NUM_TIMERS))
		return -1;
	*r = (reg - HPET_TN_CONF(0)) % 0x20;
	return (int)((reg - HPET_TN_CONF(0)) / 0x20);
}

static uint64_t read_reg(const struct hpet *h, uint32_t reg)
{
	uint32_t r;
	int n = timer_of(reg, &r);

	if (n >= 0)
		return r == 0 ? h->t[n].conf : r == 8 ? h->t[n].cmp : 0;
	switch (reg) {
	case HPET_GCAP_ID:
		return gcap();
	case HPET_GEN_CONF:
		return h->gen_conf;
	case HPET_GINTR_STA:
		return h->isr;
	case HPET_MAIN_CNT:
		return counter_at(h, h->last_ns);
	default:
		return 0;
	}
}

static void write_reg(struct hpet *h, uint32_t reg, uint64_t val, uint64_t m)
{
	uint32_t r;
	int n = timer_of(reg, &r);
	uint64_t merged = (read_reg(h, reg) & ~m) | (val & m);

	if (n >= 0 && r == 0)
		write_tn_conf(h, (unsigned)n, merged);
	else if (n >= 0 && r == 8)
		write_tn_cmp(&h->t[n], val, m);
	else if (reg == HPET_GEN_CONF)
		write_gen_conf(h, merged);
	else if (reg == HPET_GINTR_STA)
		h->isr &= ~(val & m);
	else if (reg == HPET_MAIN_CNT)
		write_counter(h, merged);
}

/* Aligned 4- or 8-byte access: its shift within the 64-bit register. */
static bool access_ok(uint32_t offset, unsigned size, unsigned *shift)
{
	if (offset >= HPET_SIZE || (size != 4 && size != 8) || offset % size)
		return false;
	*shift = (offset & 4) * 8;
	return true;
}

uint64_t hpet_mmio_read(struct hpet *h, uint32_t offset, unsigned size, uint64_t now_ns)
{
	unsigned shift;

	advance(h, now_ns);
	if (!access_ok(offset, size, &shift))
		return size >= 8 ? ~0ull : (1ull << (8 * (size & 7))) - 1;

	uint64_t v = read_reg(h, offset & ~7u) >> shift;

	return size == 8 ? v : (uint32_t)v;
}

void hpet_mmio_write(struct hpet *h, uint32_t offset, unsigned size, uint64_t val,
		     uint64_t now_ns)
{
	unsigned shift;

	advance(h, now_ns);
	if (!access_ok(offset, size, &shift))
		return;

	uint64_t m = size == 8 ? ~0ull : 0xffffffffull << shift;

	write_reg(h, offset & ~7u, val << shift, m);
}

/* ---------------------------------------------------------------- outputs */

uint32_t hpet_take_edges(struct hpet *h, uint64_t now_ns)
{
	uint32_t e;

	advance(h, now_ns);
	e = h->edges;
	h->edges = 0;
	return e;
}

uint32_t hpet_levels(struct hpet *h, uint64_t now_ns)
{
	uint32_t v = 0;

	advance(h, now_ns);
	for (unsigned n = 0; n < HPET_NUM_TIMERS; n++)
		if (level(&h->t[n]) && (h->t[n].conf & HPET_TN_INT_ENB) && (h->isr >> n & 1))
			v |= 1u << n;
	return v;
}

uint64_t hpet_next_event(struct hpet *h, uint64_t now_ns)
{
	uint64_t best = TB_NEVER;

	advance(h, now_ns);
	if (!running(h))
		return TB_NEVER;
	for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
		const struct hpet_timer *t = &h->t[n];

		if (!(t->conf & HPET_TN_INT_ENB) || (level(t) && (h->isr >> n & 1)))
			continue;

		uint64_t d = dist0(t, h->last_cnt);	/* pulses from now's, minus one */

		if (d < best - 1)	/* d = 2^64 - 1: no match for centuries */
			best = d + 1;
	}
	if (best == TB_NEVER)
		return TB_NEVER;

	uint64_t p = tb_ticks(h->last_ns, HPET_HZ);

	return best > TB_NEVER - p ? TB_NEVER : tb_ns(p + best, HPET_HZ);
}

unsigned hpet_timer_route(const struct hpet *h, unsigned n)
{
	if (n >= HPET_NUM_TIMERS)
		return 0;
	if (hpet_legacy(h) && n == 0)
		return HPET_LEGACY_PIN_T0;
	if (hpet_legacy(h) && n == 1)
		return HPET_LEGACY_PIN_T1;
	return (unsigned)((h->t[n].conf & HPET_TN_ROUTE_MASK) >> HPET_TN_ROUTE_SHIFT);
}

bool hpet_legacy(const struct hpet *h)
{
	return h->gen_conf & HPET_CONF_LEG_RT;
}

void hpet_init(struct hpet *h, uint64_t now_ns)
{
	memset(h, 0, sizeof(*h));
	h->last_ns = now_ns;
	for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
		h->t[n].conf = HPET_TN_SIZE_CAP | HPET_ROUTE_CAP << HPET_TN_ROUTE_CAP_SHIFT;
		h->t[n].cmp = ~0ull;
	}
	h->t[0].conf |= HPET_TN_PER_INT_CAP;
}
