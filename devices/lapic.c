// SPDX-License-Identifier: MIT
/*
 * Local APIC (xAPIC + x2APIC) after the SDM vol. 3A chapter "Advanced
 * Programmable Interrupt Controller (APIC)": sections "Local APIC Register
 * Address Map", "Local Vector Table", "APIC Timer", "Issuing Interrupts"
 * (ICR, shorthands, logical destination), "Handling Interrupts" (IRR/ISR/
 * TMR, "Task and Processor Priorities", "Signaling Interrupt Servicing
 * Completion"), "Error Handling", "Spurious Interrupt" and "Extended XAPIC
 * (x2APIC)". The choices the SDM leaves open are listed in the header.
 *
 * Invariants after every entry point: an ISR bit is only set by
 * lapic_acknowledge() (or import of a virtual-APIC page); IRR/ISR bits 0-15
 * are never set; when the timer is armed (timer_next or tsc_deadline != 0)
 * its expiry lies after l->now; LVT masks are all set while software-disabled.
 */
#include "devices/lapic.h"

#include <string.h>

#include "lib/xerrno.h"

#define ACC_R		1u
#define ACC_W		2u
#define TSC_PER_TICK_MAX (1u << 24)
#define SAT_MAX		(UINT64_MAX - 1)

static const uint32_t lvt_writable[LAPIC_NR_LVT] = {
	[LAPIC_LVT_TIMER] = APIC_VECTOR_MASK | APIC_LVT_MASKED | APIC_LVT_TIMER_MODE_MASK,
	[LAPIC_LVT_THERMAL] = APIC_VECTOR_MASK | APIC_DM_MASK | APIC_LVT_MASKED,
	[LAPIC_LVT_PERF] = APIC_VECTOR_MASK | APIC_DM_MASK | APIC_LVT_MASKED,
	[LAPIC_LVT_LINT0] = APIC_VECTOR_MASK | APIC_DM_MASK | APIC_LVT_POLARITY_LOW |
			    APIC_TRIGGER_LEVEL | APIC_LVT_MASKED,
	[LAPIC_LVT_LINT1] = APIC_VECTOR_MASK | APIC_DM_MASK | APIC_LVT_POLARITY_LOW |
			    APIC_TRIGGER_LEVEL | APIC_LVT_MASKED,
	[LAPIC_LVT_ERROR] = APIC_VECTOR_MASK | APIC_LVT_MASKED,
};

static void timer_update(struct lapic *l);
static void lint_eval(struct lapic *l, unsigned pin, bool rising);
static void write_svr(struct lapic *l, uint32_t val);
static void write_lvt(struct lapic *l, unsigned idx, uint32_t val);

/* ---------------------------------------------------------------- 256-bit registers */

static void bit_set(uint32_t *r, unsigned v)
{
	r[v >> 5] |= 1u << (v & 31);
}

static void bit_clear(uint32_t *r, unsigned v)
{
	r[v >> 5] &= ~(1u << (v & 31));
}

static bool bit_test(const uint32_t *r, unsigned v)
{
	return r[v >> 5] & (1u << (v & 31));
}

static int highest_bit(const uint32_t *r)
{
	for (int i = 7; i >= 0; i--) {
		if (r[i])
			return i * 32 + 31 - __builtin_clz(r[i]);
	}
	return -1;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > SAT_MAX - b ? SAT_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return a && b > SAT_MAX / a ? SAT_MAX : a * b;
}

/* ---------------------------------------------------------------- state */

bool lapic_hw_enabled(const struct lapic *l)
{
	return l->apic_base & APIC_BASE_EN;
}

bool lapic_x2apic_mode(const struct lapic *l)
{
	return (l->apic_base & (APIC_BASE_EN | APIC_BASE_EXTD)) == (APIC_BASE_EN | APIC_BASE_EXTD);
}

bool lapic_sw_enabled(const struct lapic *l)
{
	return l->svr & APIC_SVR_ENABLE;
}

uint64_t lapic_get_apic_base(const struct lapic *l)
{
	return l->apic_base;
}

uint64_t lapic_base(const struct lapic *l)
{
	return l->apic_base & APIC_BASE_ADDR_MASK;
}

static uint32_t my_id(const struct lapic *l)
{
	return lapic_x2apic_mode(l) ? l->cfg.apic_id : l->id >> APIC_XAPIC_DEST_SHIFT;
}

static uint32_t x2apic_ldr(const struct lapic *l)
{
	uint32_t id = l->cfg.apic_id;

	return (id >> 4) << 16 | 1u << (id & 0xf);
}

/* Registers to their power-up values; APIC base and events stay. */
static void reset_regs(struct lapic *l)
{
	l->id = l->cfg.apic_id << APIC_XAPIC_DEST_SHIFT;
	l->tpr = l->ldr = 0;
	l->dfr = APIC_DFR_FLAT;
	l->svr = APIC_SVR_VECTOR_MASK;
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	memset(l->irr, 0, sizeof(l->irr));
	l->esr = l->esr_pending = 0;
	l->icr_low = l->icr_high = 0;
	for (unsigned i = 0; i < LAPIC_NR_LVT; i++)
		l->lvt[i] = APIC_LVT_MASKED;
	l->timer_initial = l->timer_dcr = 0;
	l->timer_next = l->tsc_deadline = 0;
	l->extint_msg = false;
}

void lapic_reset(struct lapic *l)
{
	uint32_t id = l->id;

	reset_regs(l);
	l->id = id;
}

void lapic_init(struct lapic *l, const struct lapic_config *cfg, const struct lapic_ops *ops)
{
	memset(l, 0, sizeof(*l));
	l->cfg = *cfg;
	if (l->cfg.tsc_per_tick == 0)
		l->cfg.tsc_per_tick = 1;
	if (l->cfg.tsc_per_tick > TSC_PER_TICK_MAX)
		l->cfg.tsc_per_tick = TSC_PER_TICK_MAX;
	if (ops)
		l->ops = *ops;
	l->apic_base = LAPIC_DEFAULT_BASE | APIC_BASE_EN | (cfg->bsp ? APIC_BASE_BSP : 0);
	reset_regs(l);
}

/* Time never goes backwards for the model; expiries up to now are processed. */
static void advance(struct lapic *l, uint64_t now)
{
	if (now > l->now)
		l->now = now;
	timer_update(l);
}

void lapic_update(struct lapic *l, uint64_t now)
{
	advance(l, now);
}

/* ---------------------------------------------------------------- priority */

uint32_t lapic_ppr(const struct lapic *l)
{
	int isrv = highest_bit(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & APIC_PRIO_CLASS_MASK;

	if ((l->tpr & APIC_PRIO_CLASS_MASK) >= isr_class)
		return l->tpr;
	return isr_class;
}

/* "Arbitration Priority Register (APR)". */
static uint32_t apr(const struct lapic *l)
{
	int isrv = highest_bit(l->isr), irrv = highest_bit(l->irr);
	uint32_t tpc = l->tpr & APIC_PRIO_CLASS_MASK;
	uint32_t isc = isrv < 0 ? 0 : (uint32_t)isrv & APIC_PRIO_CLASS_MASK;
	uint32_t irc = irrv < 0 ? 0 : (uint32_t)irrv & APIC_PRIO_CLASS_MASK;
	uint32_t m = tpc;

	if (tpc >= irc && tpc > isc)
		return l->tpr;
	if (isc > m)
		m = isc;
	return irc > m ? irc : m;
}

int lapic_highest_irr(const struct lapic *l)
{
	return highest_bit(l->irr);
}

int lapic_highest_isr(const struct lapic *l)
{
	return highest_bit(l->isr);
}

unsigned lapic_tpr_threshold(const struct lapic *l)
{
	int v = highest_bit(l->irr);
	unsigned irr_class = v < 0 ? 0 : (unsigned)v >> 4;

	return irr_class <= (l->tpr >> 4) ? irr_class : 0;
}

int lapic_pending_vector(const struct lapic *l)
{
	if (!lapic_hw_enabled(l) || !lapic_sw_enabled(l))
		return -1;

	int v = highest_bit(l->irr);

	if (v < 0 || ((uint32_t)v & APIC_PRIO_CLASS_MASK) <= (lapic_ppr(l) & APIC_PRIO_CLASS_MASK))
		return -1;
	return v;
}

int lapic_acknowledge(struct lapic *l)
{
	int v = lapic_pending_vector(l);

	if (v < 0)
		return (int)(l->svr & APIC_SVR_VECTOR_MASK);
	bit_clear(l->irr, (unsigned)v);
	bit_set(l->isr, (unsigned)v);
	return v;
}

/* ---------------------------------------------------------------- acceptance */

/* A new error bit: logged, and the LVT error vector raised once. */
static void set_error(struct lapic *l, uint32_t bit)
{
	uint32_t lvt = l->lvt[LAPIC_LVT_ERROR];
	unsigned v = lvt & APIC_VECTOR_MASK;

	if (l->esr_pending & bit)
		return;
	l->esr_pending |= bit;
	if (!(lvt & APIC_LVT_MASKED) && v >= 16) {
		bit_set(l->irr, v);
		bit_clear(l->tmr, v);
	}
}

static bool accept_fixed(struct lapic *l, unsigned vector, bool level)
{
	if (vector < 16) {
		set_error(l, APIC_ESR_RECV_ILLEGAL_VECTOR);
		return false;
	}
	bit_set(l->irr, vector);
	if (level)
		bit_set(l->tmr, vector);
	else
		bit_clear(l->tmr, vector);
	return true;
}

/* NMI, SMI, INIT, SIPI, ExtINT: not subject to priority or software disable. */
static void accept_special(struct lapic *l, unsigned dm, uint8_t vector)
{
	switch (dm) {
	case APIC_DM_NMI:
		l->events |= LAPIC_EV_NMI;
		break;
	case APIC_DM_SMI:
		l->events |= LAPIC_EV_SMI;
		break;
	case APIC_DM_INIT:
		l->events |= LAPIC_EV_INIT;
		break;
	case APIC_DM_SIPI:
		l->events |= LAPIC_EV_SIPI;
		l->sipi_vector = vector;
		break;
	case APIC_DM_EXTINT:
		l->extint_msg = true;
		break;
	default:
		break;
	}
}

bool lapic_accept(struct lapic *l, const struct apic_msg *m)
{
	if (!lapic_hw_enabled(l))
		return false;
	if (m->delivery != APIC_DM_FIXED && m->delivery != APIC_DM_LOWEST) {
		accept_special(l, m->delivery, m->vector);
		return true;
	}
	if (!lapic_sw_enabled(l)) {
		l->discarded++;
		return false;
	}
	return accept_fixed(l, m->vector, m->level);
}

/* A local source (LVT entry idx) fires: edge, or level for LINT. */
static void local_interrupt(struct lapic *l, unsigned idx, bool level)
{
	uint32_t lvt = l->lvt[idx];
	unsigned dm = (lvt & APIC_DM_MASK) >> APIC_DM_SHIFT;

	if (lvt & APIC_LVT_MASKED)
		return;
	if (idx == LAPIC_LVT_TIMER || idx == LAPIC_LVT_ERROR || dm == APIC_DM_FIXED)
		accept_fixed(l, lvt & APIC_VECTOR_MASK, level);
	else if (dm != APIC_DM_EXTINT && dm != APIC_DM_SIPI)
		accept_special(l, dm, 0);
}

bool lapic_extint_pending(const struct lapic *l)
{
	if (!lapic_hw_enabled(l))
		return l->lint[0];		/* LINT0 is the CPU's INTR */
	if (l->extint_msg)
		return true;
	for (unsigned pin = 0; pin < 2; pin++) {
		uint32_t lvt = l->lvt[LAPIC_LVT_LINT0 + pin];
		bool asserted = l->lint[pin] != !!(lvt & APIC_LVT_POLARITY_LOW);

		if (!(lvt & APIC_LVT_MASKED) && asserted &&
		    (lvt & APIC_DM_MASK) >> APIC_DM_SHIFT == APIC_DM_EXTINT)
			return true;
	}
	return false;
}

void lapic_extint_ack(struct lapic *l)
{
	l->extint_msg = false;
}

unsigned lapic_take_events(struct lapic *l)
{
	unsigned ev = l->events;

	l->events = 0;
	return ev;
}

/* ---------------------------------------------------------------- LINT0/1 */

static bool lint_asserted(const struct lapic *l, unsigned pin)
{
	return l->lint[pin] != !!(l->lvt[LAPIC_LVT_LINT0 + pin] & APIC_LVT_POLARITY_LOW);
}

/* Fixed level-triggered LINT0: delivers while asserted and remote IRR is clear. */
static void lint_eval(struct lapic *l, unsigned pin, bool rising)
{
	uint32_t *lvt = &l->lvt[LAPIC_LVT_LINT0 + pin];
	bool level = pin == 0 && (*lvt & APIC_TRIGGER_LEVEL) &&
		     (*lvt & APIC_DM_MASK) >> APIC_DM_SHIFT == APIC_DM_FIXED;

	if (*lvt & APIC_LVT_MASKED)
		return;
	if (!level) {
		if (rising)
			local_interrupt(l, LAPIC_LVT_LINT0 + pin, false);
		return;
	}
	if (lint_asserted(l, pin) && !(*lvt & APIC_LVT_REMOTE_IRR) &&
	    (*lvt & APIC_VECTOR_MASK) >= 16) {
		*lvt |= APIC_LVT_REMOTE_IRR;
		local_interrupt(l, LAPIC_LVT_LINT0 + pin, true);
	}
}

void lapic_set_lint(struct lapic *l, unsigned pin, bool level)
{
	if (pin > 1)
		return;

	bool was = lint_asserted(l, pin), raw_was = l->lint[pin];

	l->lint[pin] = level;
	if (!lapic_hw_enabled(l)) {		/* LINT1 is the CPU's NMI */
		if (pin == 1 && level && !raw_was)
			l->events |= LAPIC_EV_NMI;
		return;
	}
	lint_eval(l, pin, !was && lint_asserted(l, pin));
}

void lapic_virtual_wire(struct lapic *l)
{
	write_svr(l, l->svr | APIC_SVR_ENABLE);
	write_lvt(l, LAPIC_LVT_LINT0, APIC_DM_EXTINT << APIC_DM_SHIFT | APIC_TRIGGER_LEVEL);
	write_lvt(l, LAPIC_LVT_LINT1, APIC_DM_NMI << APIC_DM_SHIFT);
}

/* ---------------------------------------------------------------- EOI */

/* What an EOI of vector v does once v has left ISR. */
static void eoi_effects(struct lapic *l, int v)
{
	uint32_t *lint0 = &l->lvt[LAPIC_LVT_LINT0];

	if ((*lint0 & APIC_LVT_REMOTE_IRR) && (*lint0 & APIC_VECTOR_MASK) == (unsigned)v) {
		*lint0 &= ~APIC_LVT_REMOTE_IRR;
		lint_eval(l, 0, false);
	}
	if (bit_test(l->tmr, (unsigned)v) && !(l->svr & APIC_SVR_EOI_SUPPRESS) &&
	    l->ops.eoi_broadcast)
		l->ops.eoi_broadcast(l->ops.ctx, l, (uint8_t)v);
}

static void do_eoi(struct lapic *l)
{
	int v = highest_bit(l->isr);

	if (v < 0)
		return;
	bit_clear(l->isr, (unsigned)v);
	eoi_effects(l, v);
}

void lapic_eoi_virtualized(struct lapic *l, uint8_t vector)
{
	if (vector < 16)
		return;
	bit_clear(l->isr, vector);
	eoi_effects(l, vector);
}

/* ---------------------------------------------------------------- timer */

static unsigned timer_mode(const struct lapic *l)
{
	return (l->lvt[LAPIC_LVT_TIMER] & APIC_LVT_TIMER_MODE_MASK) >> APIC_LVT_TIMER_MODE_SHIFT;
}

/* Divide value as a shift: DCR bits 3,1:0 = 0b000 -> /2 ... 0b111 -> /1. */
static unsigned dcr_shift(uint32_t dcr)
{
	unsigned x = (dcr & 3) | ((dcr >> 1) & 4);

	return (x + 1) & 7;
}

/* TSC ticks per count (at most 2^24 * 2^7). */
static uint64_t tick_tsc(const struct lapic *l)
{
	return (uint64_t)l->cfg.tsc_per_tick << dcr_shift(l->timer_dcr);
}

static bool counting_mode(const struct lapic *l)
{
	unsigned m = timer_mode(l);

	return m == APIC_TIMER_ONESHOT || m == APIC_TIMER_PERIODIC;
}

static void timer_fire(struct lapic *l)
{
	l->timer_fired++;
	local_interrupt(l, LAPIC_LVT_TIMER, false);
}

/* Start the count from `count` at l->now. */
static void timer_start(struct lapic *l, uint32_t count)
{
	if (!count || !counting_mode(l)) {
		l->timer_next = 0;
		return;
	}
	l->timer_next = sat_add(l->now, count * tick_tsc(l));
}

static void timer_update_count(struct lapic *l)
{
	uint64_t period;

	if (!l->timer_next || l->now < l->timer_next)
		return;
	timer_fire(l);
	if (timer_mode(l) != APIC_TIMER_PERIODIC || l->timer_next == SAT_MAX) {
		l->timer_next = 0;
		return;
	}
	period = l->timer_initial * tick_tsc(l);
	l->timer_next = sat_add(l->timer_next, sat_mul(period, (l->now - l->timer_next) / period + 1));
}

static void timer_update(struct lapic *l)
{
	if (timer_mode(l) == APIC_TIMER_TSC_DEADLINE) {
		if (l->tsc_deadline && l->now >= l->tsc_deadline) {
			l->tsc_deadline = 0;
			timer_fire(l);
		}
		return;
	}
	timer_update_count(l);
}

uint64_t lapic_next_event(const struct lapic *l)
{
	if (l->lvt[LAPIC_LVT_TIMER] & APIC_LVT_MASKED)
		return LAPIC_NO_EVENT;
	if (timer_mode(l) == APIC_TIMER_TSC_DEADLINE)
		return l->tsc_deadline ? l->tsc_deadline : LAPIC_NO_EVENT;
	return l->timer_next ? l->timer_next : LAPIC_NO_EVENT;
}

static uint32_t count_now(const struct lapic *l)
{
	uint64_t tick = tick_tsc(l);

	if (!l->timer_next || !counting_mode(l) || l->now >= l->timer_next)
		return 0;
	uint64_t c = (l->timer_next - l->now + tick - 1) / tick;
	return c > l->timer_initial ? l->timer_initial : (uint32_t)c;
}

uint32_t lapic_current_count(struct lapic *l, uint64_t now)
{
	advance(l, now);
	return count_now(l);
}

static void write_dcr(struct lapic *l, uint32_t val)
{
	uint32_t count = count_now(l);

	l->timer_dcr = val & APIC_DCR_MASK;
	if (l->timer_next)
		timer_start(l, count);
}

static void write_initial_count(struct lapic *l, uint32_t val)
{
	if (timer_mode(l) == APIC_TIMER_TSC_DEADLINE)
		return;
	l->timer_initial = val;
	timer_start(l, val);
}

uint64_t lapic_read_tsc_deadline(struct lapic *l, uint64_t now)
{
	advance(l, now);
	return timer_mode(l) == APIC_TIMER_TSC_DEADLINE ? l->tsc_deadline : 0;
}

void lapic_write_tsc_deadline(struct lapic *l, uint64_t deadline, uint64_t now)
{
	advance(l, now);
	if (timer_mode(l) != APIC_TIMER_TSC_DEADLINE)
		return;
	l->tsc_deadline = deadline;
	timer_update(l);
}

/* ---------------------------------------------------------------- LVT, SVR */

static void write_lvt(struct lapic *l, unsigned idx, uint32_t val)
{
	uint32_t old = l->lvt[idx];
	uint32_t v = (val & lvt_writable[idx]) | (old & APIC_LVT_REMOTE_IRR & ~lvt_writable[idx]);

	if (!lapic_sw_enabled(l))
		v |= APIC_LVT_MASKED;
	l->lvt[idx] = v;
	if (idx == LAPIC_LVT_TIMER && timer_mode(l) !=
	    (old & APIC_LVT_TIMER_MODE_MASK) >> APIC_LVT_TIMER_MODE_SHIFT) {
		l->timer_initial = 0;
		l->timer_next = l->tsc_deadline = 0;
	}
	if (idx == LAPIC_LVT_LINT0 || idx == LAPIC_LVT_LINT1)
		lint_eval(l, idx - LAPIC_LVT_LINT0, false);
}

static void write_svr(struct lapic *l, uint32_t val)
{
	l->svr = val & (APIC_SVR_VECTOR_MASK | APIC_SVR_ENABLE | APIC_SVR_FOCUS_DISABLE |
			APIC_SVR_EOI_SUPPRESS);
	if (lapic_sw_enabled(l))
		return;
	for (unsigned i = 0; i < LAPIC_NR_LVT; i++)
		l->lvt[i] |= APIC_LVT_MASKED;
}

/* ---------------------------------------------------------------- ICR */

static void ipi_from_icr(const struct lapic *l, struct apic_msg *m)
{
	bool x2 = lapic_x2apic_mode(l);

	memset(m, 0, sizeof(*m));
	m->vector = l->icr_low & APIC_VECTOR_MASK;
	m->delivery = (l->icr_low & APIC_DM_MASK) >> APIC_DM_SHIFT;
	m->logical = l->icr_low & APIC_ICR_DEST_LOGICAL;
	m->level = l->icr_low & APIC_TRIGGER_LEVEL;
	m->shorthand = (l->icr_low & APIC_ICR_SHORTHAND_MASK) >> APIC_ICR_SHORTHAND_SHIFT;
	m->dest = x2 ? l->icr_high : l->icr_high >> APIC_XAPIC_DEST_SHIFT;
	m->src_id = my_id(l);
	m->x2apic = x2;
}

/* Messages the ICR refuses to send (nothing leaves, maybe an error). */
static bool ipi_refused(struct lapic *l, const struct apic_msg *m)
{
	if (m->delivery == APIC_DM_INIT && m->level && !(l->icr_low & APIC_ICR_LEVEL_ASSERT))
		return true;	/* INIT level de-assert */
	if (m->delivery == APIC_DM_EXTINT || m->delivery == 3 ||
	    ((m->delivery == APIC_DM_FIXED || m->delivery == APIC_DM_LOWEST) && m->vector < 16)) {
		set_error(l, APIC_ESR_SEND_ILLEGAL_VECTOR);
		return true;
	}
	return false;
}

static void send_ipi(struct lapic *l)
{
	struct apic_msg m;

	ipi_from_icr(l, &m);
	if (ipi_refused(l, &m))
		return;
	if (m.shorthand == APIC_SH_SELF)
		lapic_accept(l, &m);
	else if (l->ops.send)
		l->ops.send(l->ops.ctx, l, &m);
	else if (lapic_match_dest(l, &m))
		lapic_accept(l, &m);
}

static void self_ipi(struct lapic *l, uint8_t vector)
{
	struct apic_msg m = { .vector = vector, .delivery = APIC_DM_FIXED,
			      .shorthand = APIC_SH_SELF, .src_id = my_id(l) };

	lapic_accept(l, &m);
}

/* ---------------------------------------------------------------- destinations */

static bool match_logical_xapic(const struct lapic *l, uint32_t mda)
{
	uint32_t ldr = l->ldr >> APIC_XAPIC_DEST_SHIFT;

	if (mda == APIC_BROADCAST_XAPIC)
		return true;
	if ((l->dfr & APIC_DFR_MODEL_MASK) == APIC_DFR_MODEL_MASK)
		return ldr & mda;
	return (mda >> 4) == (ldr >> 4) && (mda & ldr & 0xf);
}

static bool match_logical(const struct lapic *l, const struct apic_msg *m)
{
	uint32_t ldr;

	if (!lapic_x2apic_mode(l))
		return match_logical_xapic(l, m->dest & 0xff);
	if (m->x2apic ? m->dest == APIC_BROADCAST_X2APIC : m->dest == APIC_BROADCAST_XAPIC)
		return true;
	ldr = x2apic_ldr(l);
	return (m->dest >> 16) == (ldr >> 16) && (m->dest & ldr & 0xffff);
}

static bool match_physical(const struct lapic *l, const struct apic_msg *m)
{
	if (m->x2apic ? m->dest == APIC_BROADCAST_X2APIC : m->dest == APIC_BROADCAST_XAPIC)
		return true;
	return m->dest == my_id(l);
}

bool lapic_match_dest(const struct lapic *l, const struct apic_msg *m)
{
	if (!lapic_hw_enabled(l))
		return false;
	switch (m->shorthand) {
	case APIC_SH_SELF:
		return m->src_id == my_id(l);
	case APIC_SH_ALL:
		return true;
	case APIC_SH_OTHERS:
		return m->src_id != my_id(l);
	default:
		return m->logical ? match_logical(l, m) : match_physical(l, m);
	}
}

static bool bus_match(struct lapic *a, struct lapic *src, const struct apic_msg *m)
{
	if (!lapic_hw_enabled(a))
		return false;
	switch (m->shorthand) {
	case APIC_SH_SELF:
		return a == src;
	case APIC_SH_ALL:
		return true;
	case APIC_SH_OTHERS:
		return a != src;
	default:
		return lapic_match_dest(a, m);
	}
}

static struct lapic *lowest_priority(struct lapic *const *apics, size_t n, struct lapic *src,
				     const struct apic_msg *m)
{
	struct lapic *best = NULL;

	for (size_t i = 0; i < n; i++) {
		struct lapic *a = apics[i];

		if (!bus_match(a, src, m) || !lapic_sw_enabled(a))
			continue;
		if (!best || (lapic_ppr(a) & APIC_PRIO_CLASS_MASK) <
			     (lapic_ppr(best) & APIC_PRIO_CLASS_MASK))
			best = a;
	}
	return best;
}

unsigned apic_bus_deliver(struct lapic *const *apics, size_t n, struct lapic *src,
			  const struct apic_msg *m)
{
	unsigned count = 0;

	if (m->delivery == APIC_DM_LOWEST) {
		struct lapic *a = lowest_priority(apics, n, src, m);

		return a && lapic_accept(a, m);
	}
	for (size_t i = 0; i < n; i++) {
		if (bus_match(apics[i], src, m))
			count += lapic_accept(apics[i], m);
	}
	return count;
}

/* ---------------------------------------------------------------- registers */

static bool in_256(uint32_t off, uint32_t base)
{
	return off >= base && off < base + 0x80;
}

/* Which accesses a register offset allows in the current mode; 0 = reserved. */
static unsigned reg_access(const struct lapic *l, uint32_t off)
{
	bool x2 = lapic_x2apic_mode(l);

	if (in_256(off, APIC_ISR) || in_256(off, APIC_TMR) || in_256(off, APIC_IRR))
		return ACC_R;
	if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR)
		return ACC_R | ACC_W;
	switch (off) {
	case APIC_ID:
	case APIC_LDR:
		return x2 ? ACC_R : ACC_R | ACC_W;
	case APIC_LVR:
	case APIC_PPR:
	case APIC_TIMER_CCR:
		return ACC_R;
	case APIC_APR:
		return x2 ? 0 : ACC_R;
	case APIC_EOI:
		return ACC_W;
	case APIC_DFR:
	case APIC_ICR_HIGH:
		return x2 ? 0 : ACC_R | ACC_W;
	case APIC_TPR:
	case APIC_SVR:
	case APIC_ESR:
	case APIC_ICR_LOW:
	case APIC_TIMER_ICR:
	case APIC_TIMER_DCR:
		return ACC_R | ACC_W;
	case APIC_SELF_IPI:
		return x2 ? ACC_W : 0;
	default:
		return 0;
	}
}

static uint32_t lvr(void)
{
	return APIC_LVR_VERSION | APIC_LVR_MAXLVT << APIC_LVR_MAXLVT_SHIFT | APIC_LVR_EOI_SUPPRESS;
}

/* ISR, TMR, IRR and the LVT: registers that are slices of an array. */
static bool array_value(const struct lapic *l, uint32_t off, uint32_t *v)
{
	if (in_256(off, APIC_ISR))
		*v = l->isr[(off - APIC_ISR) >> 4];
	else if (in_256(off, APIC_TMR))
		*v = l->tmr[(off - APIC_TMR) >> 4];
	else if (in_256(off, APIC_IRR))
		*v = l->irr[(off - APIC_IRR) >> 4];
	else if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR)
		*v = l->lvt[(off - APIC_LVT_TIMER) >> 4];
	else
		return false;
	return true;
}

/* A readable register's value (offset checked by reg_access). */
static uint32_t reg_value(const struct lapic *l, uint32_t off)
{
	uint32_t v;

	if (array_value(l, off, &v))
		return v;
	switch (off) {
	case APIC_ID:
		return lapic_x2apic_mode(l) ? l->cfg.apic_id : l->id;
	case APIC_LVR:
		return lvr();
	case APIC_TPR:
		return l->tpr;
	case APIC_APR:
		return apr(l);
	case APIC_PPR:
		return lapic_ppr(l);
	case APIC_LDR:
		return lapic_x2apic_mode(l) ? x2apic_ldr(l) : l->ldr;
	case APIC_DFR:
		return l->dfr;
	case APIC_SVR:
		return l->svr;
	case APIC_ESR:
		return l->esr;
	case APIC_ICR_LOW:
		return l->icr_low;
	case APIC_ICR_HIGH:
		return l->icr_high;
	case APIC_TIMER_ICR:
		return l->timer_initial;
	case APIC_TIMER_CCR:
		return count_now(l);
	case APIC_TIMER_DCR:
		return l->timer_dcr;
	default:
		return 0;
	}
}

static void write_icr_low(struct lapic *l, uint32_t val)
{
	l->icr_low = val & APIC_ICR_LOW_MASK;
	send_ipi(l);
}

/* Registers a write just stores (with their writable bits). */
static bool write_plain(struct lapic *l, uint32_t off, uint32_t val)
{
	switch (off) {
	case APIC_ID:
		l->id = val & (0xffu << APIC_XAPIC_DEST_SHIFT);
		return true;
	case APIC_TPR:
		l->tpr = val & 0xff;
		return true;
	case APIC_LDR:
		l->ldr = val & (0xffu << APIC_XAPIC_DEST_SHIFT);
		return true;
	case APIC_DFR:
		l->dfr = val | ~APIC_DFR_MODEL_MASK;
		return true;
	case APIC_ICR_HIGH:
		l->icr_high = val & (0xffu << APIC_XAPIC_DEST_SHIFT);
		return true;
	default:
		return false;
	}
}

/* A writable register (offset checked by reg_access). */
static void reg_write(struct lapic *l, uint32_t off, uint32_t val)
{
	if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR) {
		write_lvt(l, (off - APIC_LVT_TIMER) >> 4, val);
		return;
	}
	if (write_plain(l, off, val))
		return;
	switch (off) {
	case APIC_EOI:
		do_eoi(l);
		break;
	case APIC_SVR:
		write_svr(l, val);
		break;
	case APIC_ESR:
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		break;
	case APIC_ICR_LOW:
		write_icr_low(l, val);
		break;
	case APIC_TIMER_ICR:
		write_initial_count(l, val);
		break;
	case APIC_TIMER_DCR:
		write_dcr(l, val);
		break;
	case APIC_SELF_IPI:
		self_ipi(l, val & APIC_VECTOR_MASK);
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------- xAPIC MMIO */

static bool mmio_live(struct lapic *l)
{
	if (lapic_hw_enabled(l) && !lapic_x2apic_mode(l))
		return true;
	l->bad_access++;
	return false;
}

uint64_t lapic_mmio_read(struct lapic *l, uint32_t offset, unsigned size, uint64_t now)
{
	uint32_t off = offset & (LAPIC_PAGE_SIZE - 1), reg = off & ~0xfu, byte = off & 0xf;

	advance(l, now);
	if (!mmio_live(l))
		return 0;
	if ((size != 1 && size != 2 && size != 4) || byte + size > 4) {
		l->bad_access++;
		return 0;
	}
	unsigned acc = reg_access(l, reg);
	if (!acc)
		set_error(l, APIC_ESR_ILLEGAL_REGISTER);
	if (!(acc & ACC_R))
		return 0;

	uint64_t v = reg_value(l, reg) >> (byte * 8);
	return size == 4 ? v : v & ((1u << (size * 8)) - 1);
}

void lapic_mmio_write(struct lapic *l, uint32_t offset, unsigned size, uint64_t val, uint64_t now)
{
	uint32_t off = offset & (LAPIC_PAGE_SIZE - 1);

	advance(l, now);
	if (!mmio_live(l))
		return;
	if (size != 4 || (off & 0xf)) {
		l->bad_access++;
		return;
	}
	unsigned acc = reg_access(l, off);
	if (!acc)
		set_error(l, APIC_ESR_ILLEGAL_REGISTER);
	if (acc & ACC_W)
		reg_write(l, off, (uint32_t)val);
}

/* ---------------------------------------------------------------- x2APIC MSRs */

bool lapic_is_x2apic_msr(uint32_t msr)
{
	return msr >= X2APIC_MSR_BASE && msr <= X2APIC_MSR_LAST;
}

static uint32_t msr_offset(uint32_t msr)
{
	return (msr - X2APIC_MSR_BASE) << 4;
}

int lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t *val, uint64_t now)
{
	uint32_t off = msr_offset(msr);

	advance(l, now);
	*val = 0;
	if (!lapic_is_x2apic_msr(msr) || !lapic_x2apic_mode(l) || !(reg_access(l, off) & ACC_R))
		return -XT_EPERM;
	if (off == APIC_ICR_LOW)
		*val = (uint64_t)l->icr_high << 32 | l->icr_low;
	else
		*val = reg_value(l, off);
	return 0;
}

/* Values a WRMSR may not carry (#GP) for register offset off. */
static bool msr_value_bad(uint32_t off, uint64_t val)
{
	switch (off) {
	case APIC_ICR_LOW:
		return false;
	case APIC_EOI:
	case APIC_ESR:
		return val != 0;
	case APIC_SELF_IPI:
		return val & ~(uint64_t)APIC_VECTOR_MASK;
	default:
		return val >> 32;
	}
}

int lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t val, uint64_t now)
{
	uint32_t off = msr_offset(msr);

	advance(l, now);
	if (!lapic_is_x2apic_msr(msr) || !lapic_x2apic_mode(l) || !(reg_access(l, off) & ACC_W))
		return -XT_EPERM;
	if (msr_value_bad(off, val))
		return -XT_EPERM;
	if (off == APIC_ICR_LOW)
		l->icr_high = (uint32_t)(val >> 32);
	reg_write(l, off, (uint32_t)val);
	return 0;
}

/* ---------------------------------------------------------------- IA32_APIC_BASE */

enum apic_state { ST_DISABLED, ST_XAPIC, ST_X2APIC, ST_INVALID };

static enum apic_state base_state(uint64_t v)
{
	if (!(v & APIC_BASE_EN))
		return (v & APIC_BASE_EXTD) ? ST_INVALID : ST_DISABLED;
	return (v & APIC_BASE_EXTD) ? ST_X2APIC : ST_XAPIC;
}

/* "x2APIC State Transitions": the allowed ones. */
static bool transition_ok(enum apic_state from, enum apic_state to)
{
	if (to == ST_INVALID)
		return false;
	if (to == ST_X2APIC)
		return from != ST_DISABLED;
	if (to == ST_XAPIC)
		return from != ST_X2APIC;
	return true;
}

int lapic_set_apic_base(struct lapic *l, uint64_t val, uint64_t now)
{
	enum apic_state from = base_state(l->apic_base), to = base_state(val);

	advance(l, now);
	if (val & ~(APIC_BASE_ADDR_MASK | APIC_BASE_EN | APIC_BASE_EXTD | APIC_BASE_BSP))
		return -XT_EPERM;
	if (!transition_ok(from, to))
		return -XT_EPERM;
	l->apic_base = (val & ~APIC_BASE_BSP) | (l->cfg.bsp ? APIC_BASE_BSP : 0);
	if (to == ST_DISABLED && from != ST_DISABLED)
		reset_regs(l);
	return 0;
}

/* ---------------------------------------------------------------- virtual-APIC page */

static void put32(uint8_t *page, uint32_t off, uint32_t v)
{
	memcpy(page + off, &v, sizeof(v));
}

static uint32_t get32(const uint8_t *page, uint32_t off)
{
	uint32_t v;

	memcpy(&v, page + off, sizeof(v));
	return v;
}

void lapic_export_page(struct lapic *l, uint8_t *page, uint64_t now)
{
	advance(l, now);
	memset(page, 0, LAPIC_PAGE_SIZE);
	for (uint32_t off = 0; off < 0x400; off += 0x10) {
		if (reg_access(l, off) & ACC_R)
			put32(page, off, reg_value(l, off));
	}
	put32(page, APIC_ICR_HIGH, l->icr_high);
}

void lapic_export_irq_state(const struct lapic *l, uint8_t *page)
{
	put32(page, APIC_TPR, l->tpr);
	for (unsigned i = 0; i < 8; i++) {
		put32(page, APIC_ISR + i * 0x10, l->isr[i]);
		put32(page, APIC_TMR + i * 0x10, l->tmr[i]);
		put32(page, APIC_IRR + i * 0x10, l->irr[i]);
	}
	for (unsigned i = 0; i < LAPIC_NR_LVT; i++) {
		uint32_t off = APIC_LVT_TIMER + i * 0x10;	/* 0x320-0x370 */

		put32(page, off, reg_value(l, off));
	}
}

void lapic_eoi_exit_bitmap(const struct lapic *l, uint64_t bitmap[4])
{
	uint32_t lint0 = l->lvt[LAPIC_LVT_LINT0];

	for (unsigned i = 0; i < 4; i++)
		bitmap[i] |= (uint64_t)l->tmr[2 * i + 1] << 32 | l->tmr[2 * i];
	if (lint0 & APIC_LVT_REMOTE_IRR) {
		unsigned v = lint0 & APIC_VECTOR_MASK;

		bitmap[v / 64] |= 1ull << (v % 64);
	}
}

void lapic_import_page(struct lapic *l, const uint8_t *page)
{
	l->tpr = get32(page, APIC_TPR) & 0xff;
	if (!lapic_x2apic_mode(l))	/* written without an exit */
		l->icr_high = get32(page, APIC_ICR_HIGH) & 0xff000000u;
	for (unsigned i = 0; i < 8; i++) {
		uint32_t keep = i ? ~0u : ~0xffffu;	/* vectors 0-15 never set */

		l->isr[i] = get32(page, APIC_ISR + i * 0x10) & keep;
		l->irr[i] = get32(page, APIC_IRR + i * 0x10) & keep;
	}
}
