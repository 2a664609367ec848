// SPDX-License-Identifier: MIT
/* Host unit tests for the local APIC model (devices/lapic.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "devices/lapic.h"
#include "lib/xerrno.h"

#define TPT		20u		/* TSC ticks per timer input tick (2 GHz / 100 MHz) */
#define SPURIOUS	0xffu
#define LOCAL_TIMER	0xecu
#define ERROR_VEC	0xfeu

/* Two APICs on one bus, plus what the "VMM" saw. */
struct rig {
	struct lapic cpu[2];
	struct lapic *bus[2];
	unsigned eois;
	uint8_t eoi_vec[8];
};

static void rig_send(void *ctx, struct lapic *src, const struct apic_msg *m)
{
	struct rig *r = ctx;

	apic_bus_deliver(r->bus, 2, src, m);
}

static void rig_eoi(void *ctx, struct lapic *src, uint8_t vector)
{
	struct rig *r = ctx;

	(void)src;
	if (r->eois < 8)
		r->eoi_vec[r->eois] = vector;
	r->eois++;
}

static int setup(void **state)
{
	static struct rig r;
	struct lapic_ops ops = { .ctx = &r, .send = rig_send, .eoi_broadcast = rig_eoi };

	memset(&r, 0, sizeof(r));
	for (unsigned i = 0; i < 2; i++) {
		struct lapic_config cfg = { .apic_id = i, .bsp = i == 0, .tsc_per_tick = TPT };

		lapic_init(&r.cpu[i], &cfg, &ops);
		r.bus[i] = &r.cpu[i];
	}
	*state = &r;
	return 0;
}

static struct rig *rig(void **state)
{
	return *state;
}

static uint32_t rd(struct lapic *l, uint32_t off)
{
	return (uint32_t)lapic_mmio_read(l, off, 4, l->now);
}

static void wr(struct lapic *l, uint32_t off, uint32_t v)
{
	lapic_mmio_write(l, off, 4, v, l->now);
}

static bool irr(const struct lapic *l, unsigned v)
{
	return l->irr[v >> 5] & (1u << (v & 31));
}

static bool isr(const struct lapic *l, unsigned v)
{
	return l->isr[v >> 5] & (1u << (v & 31));
}

static void enable(struct lapic *l)
{
	wr(l, APIC_SVR, APIC_SVR_ENABLE | SPURIOUS);
}

static void fixed(struct lapic *l, uint8_t vector, bool level)
{
	struct apic_msg m = { .vector = vector, .delivery = APIC_DM_FIXED, .level = level };

	lapic_accept(l, &m);
}

/* ---------------------------------------------------------------- tests */

static void test_power_on(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];

	assert_int_equal(lapic_get_apic_base(l), 0xfee00000u | APIC_BASE_EN | APIC_BASE_BSP);
	assert_int_equal(lapic_get_apic_base(&rig(state)->cpu[1]), 0xfee00000u | APIC_BASE_EN);
	assert_int_equal(rd(l, APIC_LVR), 0x01050014);
	assert_int_equal(rd(&rig(state)->cpu[1], APIC_ID), 1u << 24);
	assert_int_equal(rd(l, APIC_SVR), 0xff);
	assert_int_equal(rd(l, APIC_DFR), 0xffffffffu);
	for (uint32_t off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR; off += 0x10)
		assert_int_equal(rd(l, off), APIC_LVT_MASKED);
	assert_false(lapic_sw_enabled(l));
	assert_int_equal(lapic_next_event(l), LAPIC_NO_EVENT);
}

static void test_sw_disabled_spurious(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];

	wr(l, APIC_SVR, 0x3f);			/* spurious 0x3f, still disabled */
	fixed(l, 0x40, false);
	assert_false(irr(l, 0x40));		/* discarded while disabled */
	assert_int_equal(l->discarded, 1);
	assert_int_equal(lapic_pending_vector(l), -1);
	assert_int_equal(lapic_acknowledge(l), 0x3f);
	assert_int_equal(lapic_highest_isr(l), -1);
	/* LVT masks cannot be cleared while disabled. */
	wr(l, APIC_LVT_LINT0, APIC_DM_EXTINT << APIC_DM_SHIFT);
	assert_int_equal(rd(l, APIC_LVT_LINT0), APIC_LVT_MASKED | APIC_DM_EXTINT << APIC_DM_SHIFT);
	/* NMI still goes through. */
	struct apic_msg nmi = { .delivery = APIC_DM_NMI };
	lapic_accept(l, &nmi);
	assert_int_equal(lapic_take_events(l), LAPIC_EV_NMI);
	/* Held IRR bits are not delivered after a disable; clearing SVR.8 masks every LVT. */
	enable(l);
	wr(l, APIC_LVT_TIMER, 0x30);
	fixed(l, 0x50, false);
	wr(l, APIC_SVR, SPURIOUS);
	assert_true(irr(l, 0x50));
	assert_int_equal(lapic_pending_vector(l), -1);
	assert_int_equal(lapic_acknowledge(l), SPURIOUS);
	assert_int_equal(rd(l, APIC_LVT_TIMER), APIC_LVT_MASKED | 0x30);
}

static void test_priority_tpr_ppr(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];

	enable(l);
	fixed(l, 0x31, false);
	fixed(l, 0x45, false);
	fixed(l, 0x62, false);
	wr(l, APIC_TPR, 0x50);
	assert_int_equal(lapic_pending_vector(l), 0x62);
	wr(l, APIC_TPR, 0x60);			/* class 6 is not above PPR class 6 */
	assert_int_equal(lapic_pending_vector(l), -1);
	assert_int_equal(lapic_acknowledge(l), SPURIOUS);
	assert_int_equal(lapic_highest_isr(l), -1);
	wr(l, APIC_TPR, 0x35);
	assert_int_equal(rd(l, APIC_PPR), 0x35);
	assert_int_equal(lapic_acknowledge(l), 0x62);
	assert_int_equal(rd(l, APIC_PPR), 0x60);	/* ISRV class above TPR: subclass 0 */
	assert_int_equal(lapic_pending_vector(l), -1);	/* 0x45 blocked by ISR */
	fixed(l, 0x71, false);
	assert_int_equal(lapic_pending_vector(l), 0x71);	/* nests */
	assert_int_equal(lapic_acknowledge(l), 0x71);
	assert_int_equal(rd(l, APIC_PPR), 0x70);
	wr(l, APIC_EOI, 0);			/* clears the highest ISR bit: 0x71 */
	assert_false(isr(l, 0x71));
	assert_true(isr(l, 0x62));
	assert_int_equal(rd(l, APIC_PPR), 0x60);
	wr(l, APIC_EOI, 0);
	assert_int_equal(rd(l, APIC_PPR), 0x35);
	assert_int_equal(lapic_pending_vector(l), 0x45);
	assert_int_equal(rd(l, APIC_APR), 0x40);	/* max(TPR, ISRV, IRRV) class */
	wr(l, APIC_TPR, 0x55);
	assert_int_equal(rd(l, APIC_APR), 0x55);	/* TPR >= IRRV and > ISRV */
	assert_int_equal(rig(state)->eois, 0);	/* edge vectors: no broadcast */
}

static void test_eoi_broadcast_level(void **state)
{
	struct rig *r = rig(state);
	struct lapic *l = &r->cpu[0];

	enable(l);
	fixed(l, 0x40, true);
	fixed(l, 0x50, false);
	assert_true(l->tmr[0x40 >> 5] & (1u << (0x40 & 31)));
	assert_int_equal(rd(l, APIC_TMR + 0x20), 1u << 0);	/* TMR bits 64-95 */
	assert_int_equal(lapic_acknowledge(l), 0x50);
	assert_int_equal(lapic_acknowledge(l), SPURIOUS);	/* 0x40 below PPR 0x50 */
	wr(l, APIC_EOI, 0);			/* 0x50, edge */
	assert_int_equal(r->eois, 0);
	assert_int_equal(lapic_acknowledge(l), 0x40);
	wr(l, APIC_EOI, 0);			/* 0x40, level */
	assert_int_equal(r->eois, 1);
	assert_int_equal(r->eoi_vec[0], 0x40);
	wr(l, APIC_EOI, 0);			/* empty ISR: nothing */
	assert_int_equal(r->eois, 1);
	/* Suppressed broadcast (SVR bit 12, offered by LVR bit 24). */
	wr(l, APIC_SVR, APIC_SVR_ENABLE | APIC_SVR_EOI_SUPPRESS | SPURIOUS);
	fixed(l, 0x40, true);
	assert_int_equal(lapic_acknowledge(l), 0x40);
	wr(l, APIC_EOI, 0);
	assert_int_equal(r->eois, 1);
	assert_int_equal(lapic_highest_isr(l), -1);
	/* An edge acceptance clears TMR again. */
	fixed(l, 0x40, false);
	assert_int_equal(rd(l, APIC_TMR + 0x20), 0);
}

static void test_esr_write_then_read(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];

	enable(l);
	fixed(l, 5, false);			/* illegal vector received */
	assert_false(irr(l, 5));
	assert_int_equal(rd(l, APIC_ESR), 0);	/* not visible before a write */
	wr(l, APIC_ESR, 0);
	assert_int_equal(rd(l, APIC_ESR), APIC_ESR_RECV_ILLEGAL_VECTOR);
	wr(l, APIC_ESR, 0);
	assert_int_equal(rd(l, APIC_ESR), 0);
	/* Error interrupt through LVT error, once per new error. */
	wr(l, APIC_LVT_ERROR, ERROR_VEC);
	wr(l, APIC_ICR_LOW, 3);			/* fixed IPI with vector 3: send error */
	assert_true(irr(l, ERROR_VEC));
	assert_int_equal(lapic_acknowledge(l), ERROR_VEC);
	wr(l, APIC_ICR_LOW, 3);
	assert_false(irr(l, ERROR_VEC));
	(void)rd(l, APIC_LVT_CMCI);		/* reserved register */
	wr(l, APIC_ESR, 0);
	assert_int_equal(rd(l, APIC_ESR), APIC_ESR_SEND_ILLEGAL_VECTOR | APIC_ESR_ILLEGAL_REGISTER);
	assert_true(irr(l, ERROR_VEC));
}

static void test_mmio_sizes(void **state)
{
	struct lapic *l = &rig(state)->cpu[1];

	enable(l);
	assert_int_equal(lapic_mmio_read(l, APIC_ID + 3, 1, 0), 1);
	assert_int_equal(lapic_mmio_read(l, APIC_LVR, 2, 0), 0x0014);
	assert_int_equal(lapic_mmio_read(l, APIC_LVR + 2, 2, 0), 0x0105);
	assert_int_equal(l->bad_access, 0);
	assert_int_equal(lapic_mmio_read(l, APIC_LVR + 4, 4, 0), 0);	/* bytes 4-15 */
	assert_int_equal(lapic_mmio_read(l, APIC_LVR, 8, 0), 0);
	assert_int_equal(lapic_mmio_read(l, APIC_LVR + 2, 4, 0), 0);	/* crosses */
	assert_int_equal(l->bad_access, 3);
	lapic_mmio_write(l, APIC_TPR, 1, 0x20, 0);
	lapic_mmio_write(l, APIC_TPR + 4, 4, 0x20, 0);
	assert_int_equal(rd(l, APIC_TPR), 0);
	assert_int_equal(l->bad_access, 5);
	wr(l, APIC_TPR, 0x1234);		/* only bits 7:0 */
	assert_int_equal(rd(l, APIC_TPR), 0x34);
	wr(l, APIC_LVR, 0);			/* read-only: ignored */
	wr(l, APIC_PPR, 0);
	assert_int_equal(rd(l, APIC_LVR), 0x01050014);
	assert_int_equal(rd(l, APIC_EOI), 0);	/* write-only */
	wr(l, APIC_ESR, 0);
	assert_int_equal(rd(l, APIC_ESR), 0);	/* none of those is an illegal register */
	wr(l, APIC_DFR, 0);
	assert_int_equal(rd(l, APIC_DFR), APIC_DFR_CLUSTER);
	wr(l, APIC_LDR, 0xffffffff);
	assert_int_equal(rd(l, APIC_LDR), 0xff000000u);
	/* The offset wraps inside the page. */
	assert_int_equal(lapic_mmio_read(l, 0x1000 + APIC_TPR, 4, 0), 0x34);
}

static void test_ipi_physical_logical(void **state)
{
	struct rig *r = rig(state);
	struct lapic *a = &r->cpu[0], *b = &r->cpu[1];

	enable(a);
	enable(b);
	wr(a, APIC_ICR_HIGH, 1u << 24);
	wr(a, APIC_ICR_LOW, 0x41);		/* fixed, physical, to ID 1 */
	assert_true(irr(b, 0x41));
	assert_false(irr(a, 0x41));
	assert_int_equal(rd(a, APIC_ICR_LOW) & APIC_DELIVERY_STATUS, 0);
	/* Logical flat: LDR bits 0 and 1, MDA 0x02 reaches only b. */
	wr(a, APIC_LDR, 0x01000000);
	wr(b, APIC_LDR, 0x02000000);
	wr(a, APIC_ICR_HIGH, 0x02000000);
	wr(a, APIC_ICR_LOW, APIC_ICR_DEST_LOGICAL | 0x42);
	assert_true(irr(b, 0x42));
	assert_false(irr(a, 0x42));
	wr(a, APIC_ICR_HIGH, 0x03000000);
	wr(a, APIC_ICR_LOW, APIC_ICR_DEST_LOGICAL | 0x43);
	assert_true(irr(a, 0x43) && irr(b, 0x43));
	/* Logical cluster: cluster 1, member bit 2. */
	wr(a, APIC_DFR, APIC_DFR_CLUSTER);
	wr(b, APIC_DFR, APIC_DFR_CLUSTER);
	wr(a, APIC_LDR, 0x11000000);
	wr(b, APIC_LDR, 0x12000000);
	wr(a, APIC_ICR_HIGH, 0x12000000);
	wr(a, APIC_ICR_LOW, APIC_ICR_DEST_LOGICAL | 0x44);
	assert_true(irr(b, 0x44));
	assert_false(irr(a, 0x44));
	wr(a, APIC_ICR_HIGH, 0x22000000);	/* other cluster */
	wr(a, APIC_ICR_LOW, APIC_ICR_DEST_LOGICAL | 0x45);
	assert_false(irr(a, 0x45) || irr(b, 0x45));
	/* Physical broadcast. */
	wr(a, APIC_ICR_HIGH, 0xff000000);
	wr(a, APIC_ICR_LOW, 0x46);
	assert_true(irr(a, 0x46) && irr(b, 0x46));
}

static void test_ipi_shorthands(void **state)
{
	struct rig *r = rig(state);
	struct lapic *a = &r->cpu[0], *b = &r->cpu[1];
	uint32_t sh = APIC_ICR_SHORTHAND_SHIFT;

	enable(a);
	enable(b);
	wr(a, APIC_ICR_HIGH, 1u << 24);		/* destination ignored with a shorthand */
	wr(a, APIC_ICR_LOW, APIC_SH_SELF << sh | 0x51);
	assert_true(irr(a, 0x51));
	assert_false(irr(b, 0x51));
	wr(a, APIC_ICR_LOW, APIC_SH_ALL << sh | 0x52);
	assert_true(irr(a, 0x52) && irr(b, 0x52));
	wr(a, APIC_ICR_LOW, APIC_SH_OTHERS << sh | 0x53);
	assert_false(irr(a, 0x53));
	assert_true(irr(b, 0x53));
	/* NMI, INIT (assert), INIT de-assert (ignored), SIPI to the others. */
	wr(a, APIC_ICR_LOW, APIC_SH_OTHERS << sh | APIC_DM_NMI << APIC_DM_SHIFT);
	assert_int_equal(lapic_take_events(b), LAPIC_EV_NMI);
	wr(a, APIC_ICR_LOW, APIC_SH_OTHERS << sh | APIC_DM_INIT << APIC_DM_SHIFT |
			    APIC_ICR_LEVEL_ASSERT | APIC_TRIGGER_LEVEL);
	assert_int_equal(lapic_take_events(b), LAPIC_EV_INIT);
	wr(a, APIC_ICR_LOW, APIC_SH_OTHERS << sh | APIC_DM_INIT << APIC_DM_SHIFT | APIC_TRIGGER_LEVEL);
	assert_int_equal(lapic_take_events(b), 0);	/* de-assert: nothing */
	wr(a, APIC_ICR_LOW, APIC_SH_OTHERS << sh | APIC_DM_INIT << APIC_DM_SHIFT |
			    APIC_ICR_LEVEL_ASSERT);
	wr(a, APIC_ICR_LOW, APIC_SH_OTHERS << sh | APIC_DM_SIPI << APIC_DM_SHIFT | 0x9a);
	assert_int_equal(lapic_take_events(b), LAPIC_EV_INIT | LAPIC_EV_SIPI);
	assert_int_equal(b->sipi_vector, 0x9a);
	assert_int_equal(lapic_take_events(a), 0);
	assert_int_equal(lapic_take_events(b), 0);	/* taken once */
}

static void test_lowest_priority(void **state)
{
	struct rig *r = rig(state);
	struct lapic *a = &r->cpu[0], *b = &r->cpu[1];

	enable(a);
	enable(b);
	wr(a, APIC_LDR, 0x01000000);
	wr(b, APIC_LDR, 0x02000000);
	wr(a, APIC_TPR, 0x40);
	wr(a, APIC_ICR_HIGH, 0x03000000);
	wr(a, APIC_ICR_LOW, APIC_ICR_DEST_LOGICAL | APIC_DM_LOWEST << APIC_DM_SHIFT | 0x61);
	assert_true(irr(b, 0x61));		/* b has the lower priority */
	assert_false(irr(a, 0x61));
	wr(b, APIC_TPR, 0x80);
	wr(a, APIC_ICR_LOW, APIC_ICR_DEST_LOGICAL | APIC_DM_LOWEST << APIC_DM_SHIFT | 0x62);
	assert_true(irr(a, 0x62));
	assert_false(irr(b, 0x62));
	/* A software-disabled APIC takes no part, whatever its priority. */
	wr(a, APIC_TPR, 0xe0);
	wr(b, APIC_SVR, SPURIOUS);
	wr(a, APIC_ICR_LOW, APIC_ICR_DEST_LOGICAL | APIC_DM_LOWEST << APIC_DM_SHIFT | 0x63);
	assert_true(irr(a, 0x63));
	assert_int_equal(b->discarded, 0);
}

/* One vCPU, no bus: lowest priority and a physical IPI to itself are fixed to self. */
static void test_single_vcpu_no_bus(void **state)
{
	struct lapic l;
	struct lapic_config cfg = { .apic_id = 0, .bsp = true, .tsc_per_tick = 1 };

	(void)state;
	lapic_init(&l, &cfg, NULL);
	enable(&l);
	wr(&l, APIC_ICR_HIGH, 0);
	wr(&l, APIC_ICR_LOW, APIC_DM_LOWEST << APIC_DM_SHIFT | 0x71);
	assert_true(irr(&l, 0x71));
	wr(&l, APIC_ICR_HIGH, 5u << 24);		/* nobody */
	wr(&l, APIC_ICR_LOW, 0x72);
	assert_false(irr(&l, 0x72));
	wr(&l, APIC_ICR_LOW, APIC_SH_OTHERS << APIC_ICR_SHORTHAND_SHIFT | 0x73);
	assert_false(irr(&l, 0x73));
	wr(&l, APIC_ICR_LOW, APIC_SH_ALL << APIC_ICR_SHORTHAND_SHIFT | 0x74);
	assert_true(irr(&l, 0x74));
	wr(&l, APIC_EOI, 0);			/* no ISR, no callback: nothing happens */
}

static void timer_oneshot_at(struct lapic *l, uint32_t dcr, unsigned divide)
{
	uint64_t t0 = l->now, tick = (uint64_t)TPT * divide;

	wr(l, APIC_TIMER_DCR, dcr);
	wr(l, APIC_LVT_TIMER, 0x30);
	wr(l, APIC_TIMER_ICR, 1000);
	assert_int_equal(lapic_current_count(l, t0), 1000);
	assert_int_equal(lapic_next_event(l), t0 + 1000 * tick);
	assert_int_equal(lapic_current_count(l, t0 + tick), 999);
	assert_int_equal(lapic_current_count(l, t0 + 500 * tick + 1), 500);
	lapic_update(l, t0 + 1000 * tick - 1);
	assert_false(irr(l, 0x30));
	assert_int_equal(rd(l, APIC_TIMER_CCR), 1);
	lapic_update(l, t0 + 1000 * tick);
	assert_true(irr(l, 0x30));
	assert_int_equal(rd(l, APIC_TIMER_CCR), 0);
	assert_int_equal(lapic_next_event(l), LAPIC_NO_EVENT);
	assert_int_equal(lapic_acknowledge(l), 0x30);
	wr(l, APIC_EOI, 0);
	lapic_update(l, t0 + 5000 * tick);	/* one-shot: once */
	assert_false(irr(l, 0x30));
	assert_int_equal(rd(l, APIC_TIMER_ICR), 1000);
}

static void test_timer_oneshot_divides(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];
	static const struct { uint32_t dcr; unsigned div; } d[] = {
		{ 0xb, 1 }, { 0x0, 2 }, { 0x3, 16 }, { 0xa, 128 }, { 0x9, 64 },
	};

	enable(l);
	lapic_update(l, 12345);
	for (unsigned i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		timer_oneshot_at(l, d[i].dcr, d[i].div);
		assert_int_equal(l->timer_fired, i + 1);
	}
	assert_int_equal(rd(l, APIC_TIMER_DCR), 0x9);
}

static void test_timer_periodic(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];
	uint64_t tick = TPT * 4, period = 100 * tick, t0 = 1000;

	enable(l);
	lapic_update(l, t0);
	wr(l, APIC_TIMER_DCR, 0x1);		/* divide by 4 */
	wr(l, APIC_LVT_TIMER, APIC_TIMER_PERIODIC << APIC_LVT_TIMER_MODE_SHIFT | 0x31);
	wr(l, APIC_TIMER_ICR, 100);
	for (unsigned i = 1; i <= 3; i++) {
		lapic_update(l, t0 + i * period - 1);
		assert_false(irr(l, 0x31));
		lapic_update(l, t0 + i * period);
		assert_true(irr(l, 0x31));
		assert_int_equal(lapic_next_event(l), t0 + (i + 1) * period);
		assert_int_equal(rd(l, APIC_TIMER_CCR), 100);	/* reloaded */
		assert_int_equal(lapic_acknowledge(l), 0x31);
		wr(l, APIC_EOI, 0);
	}
	assert_int_equal(l->timer_fired, 3);
	/* Ten periods missed: one IRR bit, the next event stays on the grid. */
	lapic_update(l, t0 + 13 * period + 7 * tick);
	assert_true(irr(l, 0x31));
	assert_int_equal(l->timer_fired, 4);
	assert_int_equal(lapic_next_event(l), t0 + 14 * period);
	assert_int_equal(rd(l, APIC_TIMER_CCR), 93);
	/* Masked: counting goes on, no event, no interrupt. */
	assert_int_equal(lapic_acknowledge(l), 0x31);
	wr(l, APIC_EOI, 0);
	wr(l, APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_PERIODIC << APIC_LVT_TIMER_MODE_SHIFT | 0x31);
	assert_int_equal(lapic_next_event(l), LAPIC_NO_EVENT);
	lapic_update(l, t0 + 20 * period + 50 * tick);
	assert_false(irr(l, 0x31));
	assert_int_equal(rd(l, APIC_TIMER_CCR), 50);
	/* Initial count 0 stops it. */
	wr(l, APIC_LVT_TIMER, APIC_TIMER_PERIODIC << APIC_LVT_TIMER_MODE_SHIFT | 0x31);
	wr(l, APIC_TIMER_ICR, 0);
	assert_int_equal(lapic_next_event(l), LAPIC_NO_EVENT);
	assert_int_equal(rd(l, APIC_TIMER_CCR), 0);
}

static void test_timer_divide_change(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];

	enable(l);
	wr(l, APIC_TIMER_DCR, 0xb);		/* divide by 1 */
	wr(l, APIC_LVT_TIMER, 0x32);
	wr(l, APIC_TIMER_ICR, 100);
	assert_int_equal(lapic_current_count(l, 40 * TPT), 60);
	wr(l, APIC_TIMER_DCR, 0x3);		/* divide by 16 from count 60 */
	assert_int_equal(lapic_next_event(l), 40 * TPT + 60 * 16 * TPT);
	assert_int_equal(lapic_current_count(l, 40 * TPT + 16 * TPT), 59);
}

static void test_timer_tsc_deadline(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];
	uint32_t lvtt = APIC_TIMER_TSC_DEADLINE << APIC_LVT_TIMER_MODE_SHIFT | LOCAL_TIMER;

	enable(l);
	lapic_write_tsc_deadline(l, 5000, 100);	/* not in deadline mode: ignored */
	assert_int_equal(lapic_read_tsc_deadline(l, 100), 0);
	wr(l, APIC_TIMER_ICR, 1000);		/* one-shot running ... */
	wr(l, APIC_LVT_TIMER, lvtt);		/* ... disarmed by the mode change */
	assert_int_equal(rd(l, APIC_TIMER_ICR), 0);
	wr(l, APIC_TIMER_ICR, 1000);		/* ignored in deadline mode */
	assert_int_equal(rd(l, APIC_TIMER_ICR), 0);
	assert_int_equal(rd(l, APIC_TIMER_CCR), 0);
	assert_int_equal(lapic_next_event(l), LAPIC_NO_EVENT);
	lapic_write_tsc_deadline(l, 5000, 200);
	assert_int_equal(lapic_read_tsc_deadline(l, 300), 5000);
	assert_int_equal(lapic_next_event(l), 5000);
	lapic_update(l, 4999);
	assert_false(irr(l, LOCAL_TIMER));
	lapic_update(l, 5000);
	assert_true(irr(l, LOCAL_TIMER));
	assert_int_equal(lapic_read_tsc_deadline(l, 5001), 0);	/* disarmed after firing */
	assert_int_equal(lapic_acknowledge(l), LOCAL_TIMER);
	wr(l, APIC_EOI, 0);
	lapic_write_tsc_deadline(l, 10, 6000);	/* in the past: fires at once */
	assert_true(irr(l, LOCAL_TIMER));
	assert_int_equal(lapic_next_event(l), LAPIC_NO_EVENT);
	lapic_write_tsc_deadline(l, 9000, 6000);
	lapic_write_tsc_deadline(l, 0, 6001);	/* 0 disarms */
	lapic_update(l, 10000);
	assert_int_equal(l->timer_fired, 2);
	lapic_write_tsc_deadline(l, 20000, 10000);
	wr(l, APIC_LVT_TIMER, LOCAL_TIMER);	/* back to one-shot: disarmed */
	wr(l, APIC_LVT_TIMER, lvtt);
	lapic_update(l, 30000);
	assert_int_equal(l->timer_fired, 2);
}

static void test_x2apic_transitions(void **state)
{
	struct lapic *l = &rig(state)->cpu[1];
	uint64_t base = 0xfee00000u;
	uint64_t v;

	assert_int_equal(lapic_msr_read(l, 0x802, &v, 0), -XT_EPERM);	/* xAPIC mode */
	assert_int_equal(lapic_set_apic_base(l, base | APIC_BASE_EXTD, 0), -XT_EPERM);
	assert_int_equal(lapic_set_apic_base(l, base | 1, 0), -XT_EPERM);	/* reserved bit */
	assert_int_equal(lapic_set_apic_base(l, base | APIC_BASE_EN | APIC_BASE_EXTD, 0), 0);
	assert_true(lapic_x2apic_mode(l));
	assert_int_equal(lapic_set_apic_base(l, base | APIC_BASE_EN, 0), -XT_EPERM);
	enable(l);				/* MMIO is off in x2APIC mode */
	assert_false(lapic_sw_enabled(l));
	assert_true(l->bad_access > 0);
	assert_int_equal(lapic_msr_write(l, X2APIC_MSR(APIC_SVR), 0x1ff, 0), 0);
	assert_true(lapic_sw_enabled(l));
	assert_int_equal(lapic_set_apic_base(l, base, 0), 0);	/* x2APIC -> disabled: reset */
	assert_false(lapic_sw_enabled(l));
	assert_int_equal(lapic_set_apic_base(l, base | APIC_BASE_EN | APIC_BASE_EXTD, 0), -XT_EPERM);
	assert_int_equal(lapic_set_apic_base(l, 0xfed00000u | APIC_BASE_EN, 0), 0);
	assert_int_equal(lapic_base(l), 0xfed00000u);
	assert_int_equal(lapic_get_apic_base(l) & APIC_BASE_BSP, 0);
}

static void test_x2apic_msr_gp(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];
	uint64_t v;

	l->cfg.apic_id = 0x23;
	assert_int_equal(lapic_set_apic_base(l, 0xfee00000u | APIC_BASE_EN | APIC_BASE_EXTD, 0), 0);
	assert_int_equal(lapic_msr_read(l, 0x802, &v, 0), 0);
	assert_int_equal(v, 0x23);
	assert_int_equal(lapic_msr_read(l, 0x80d, &v, 0), 0);
	assert_int_equal(v, 0x00020008);		/* cluster 2, bit 3 */
	assert_int_equal(lapic_msr_read(l, 0x803, &v, 0), 0);
	assert_int_equal(v, 0x01050014);
	/* #GP: writes to read-only, reads of write-only, reserved, bad values. */
	assert_int_equal(lapic_msr_write(l, 0x802, 0, 0), -XT_EPERM);
	assert_int_equal(lapic_msr_write(l, 0x80d, 0, 0), -XT_EPERM);
	assert_int_equal(lapic_msr_write(l, 0x839, 0, 0), -XT_EPERM);
	assert_int_equal(lapic_msr_read(l, 0x80b, &v, 0), -XT_EPERM);
	assert_int_equal(lapic_msr_read(l, 0x83f, &v, 0), -XT_EPERM);
	assert_int_equal(lapic_msr_read(l, 0x809, &v, 0), -XT_EPERM);	/* APR */
	assert_int_equal(lapic_msr_read(l, 0x80e, &v, 0), -XT_EPERM);	/* DFR */
	assert_int_equal(lapic_msr_read(l, 0x831, &v, 0), -XT_EPERM);	/* ICR high */
	assert_int_equal(lapic_msr_read(l, 0x82f, &v, 0), -XT_EPERM);	/* CMCI */
	assert_int_equal(lapic_msr_read(l, 0x8ff, &v, 0), -XT_EPERM);
	assert_int_equal(lapic_msr_write(l, 0x80b, 1, 0), -XT_EPERM);
	assert_int_equal(lapic_msr_write(l, 0x828, 1, 0), -XT_EPERM);
	assert_int_equal(lapic_msr_write(l, 0x808, 1ull << 32, 0), -XT_EPERM);
	assert_int_equal(lapic_msr_write(l, 0x83f, 0x100, 0), -XT_EPERM);
	assert_int_equal(lapic_msr_read(l, 0x7ff, &v, 0), -XT_EPERM);
}

static void test_x2apic_msr_registers(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];
	uint64_t v;

	assert_int_equal(lapic_set_apic_base(l, 0xfee00000u | APIC_BASE_EN | APIC_BASE_EXTD, 0), 0);
	/* TPR, ESR, SELF IPI. */
	assert_int_equal(lapic_msr_write(l, 0x80f, APIC_SVR_ENABLE | SPURIOUS, 0), 0);
	assert_int_equal(lapic_msr_write(l, 0x808, 0x20, 0), 0);
	assert_int_equal(lapic_msr_read(l, 0x80a, &v, 0), 0);
	assert_int_equal(v, 0x20);
	assert_int_equal(lapic_msr_write(l, 0x83f, 0x66, 0), 0);
	assert_true(irr(l, 0x66));
	assert_false(l->tmr[0x66 >> 5] & (1u << (0x66 & 31)));
	assert_int_equal(lapic_acknowledge(l), 0x66);
	assert_int_equal(lapic_msr_read(l, 0x810 + (0x66 >> 5), &v, 0), 0);
	assert_int_equal(v, 1u << (0x66 & 31));
	assert_int_equal(lapic_msr_write(l, 0x80b, 0, 0), 0);
	assert_int_equal(lapic_highest_isr(l), -1);
	assert_int_equal(lapic_msr_write(l, 0x828, 0, 0), 0);
	assert_int_equal(lapic_msr_read(l, 0x828, &v, 0), 0);
	assert_int_equal(v, 0);
	/* Timer through MSRs, current count at a time. */
	assert_int_equal(lapic_msr_write(l, 0x83e, 0xb, 0), 0);
	assert_int_equal(lapic_msr_write(l, 0x832, 0x33, 0), 0);
	assert_int_equal(lapic_msr_write(l, 0x838, 10, 0), 0);
	assert_int_equal(lapic_msr_read(l, 0x839, &v, 3 * TPT), 0);
	assert_int_equal(v, 7);
}

static void test_x2apic_icr(void **state)
{
	struct rig *r = rig(state);
	struct lapic *a = &r->cpu[0], *b = &r->cpu[1];
	uint64_t x2 = 0xfee00000u | APIC_BASE_EN | APIC_BASE_EXTD, v;

	b->cfg.apic_id = 0x101;			/* beyond 8 bits */
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(lapic_set_apic_base(r->bus[i], x2, 0), 0);
		assert_int_equal(lapic_msr_write(r->bus[i], 0x80f, 0x1ff, 0), 0);
	}
	assert_int_equal(lapic_msr_write(a, 0x830, 0x101ull << 32 | 0x48, 0), 0);
	assert_true(irr(b, 0x48));
	assert_int_equal(lapic_msr_write(a, 0x830, 0x001ull << 32 | 0x47, 0), 0);
	assert_false(irr(a, 0x47) || irr(b, 0x47));	/* 32-bit IDs: 0x101 is not 1 */
	assert_int_equal(lapic_msr_read(a, 0x830, &v, 0), 0);
	assert_int_equal(v, 0x001ull << 32 | 0x47);
	/* Logical x2APIC: cluster 0x10, bit 1 = ID 0x101. */
	assert_int_equal(lapic_msr_write(a, 0x830, 0x100002ull << 32 | APIC_ICR_DEST_LOGICAL | 0x49, 0), 0);
	assert_true(irr(b, 0x49));
	assert_false(irr(a, 0x49));
	/* Broadcast 0xffffffff; 0xff is just an ID in x2APIC. */
	assert_int_equal(lapic_msr_write(a, 0x830, 0xffull << 32 | 0x4a, 0), 0);
	assert_false(irr(a, 0x4a) || irr(b, 0x4a));
	assert_int_equal(lapic_msr_write(a, 0x830, 0xffffffffull << 32 | 0x4b, 0), 0);
	assert_true(irr(a, 0x4b) && irr(b, 0x4b));
}

static void test_extint_lint0_and_nmi_lint1(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];

	enable(l);
	lapic_set_lint(l, 0, true);
	assert_false(lapic_extint_pending(l));	/* LVT0 masked */
	wr(l, APIC_LVT_LINT0, APIC_DM_EXTINT << APIC_DM_SHIFT);
	assert_true(lapic_extint_pending(l));
	wr(l, APIC_TPR, 0xff);			/* ExtINT ignores priority */
	assert_true(lapic_extint_pending(l));
	assert_int_equal(lapic_pending_vector(l), -1);
	assert_int_equal(lapic_highest_irr(l), -1);	/* bypasses IRR */
	lapic_set_lint(l, 0, false);		/* follows the 8259's INT */
	assert_false(lapic_extint_pending(l));
	wr(l, APIC_LVT_LINT0, APIC_DM_EXTINT << APIC_DM_SHIFT | APIC_LVT_MASKED);
	lapic_set_lint(l, 0, true);
	assert_false(lapic_extint_pending(l));
	/* LINT1 NMI: one per rising edge. */
	wr(l, APIC_LVT_LINT1, APIC_DM_NMI << APIC_DM_SHIFT);
	lapic_set_lint(l, 1, true);
	assert_int_equal(lapic_take_events(l), LAPIC_EV_NMI);
	lapic_set_lint(l, 1, true);		/* still high: no new edge */
	assert_int_equal(lapic_take_events(l), 0);
	lapic_set_lint(l, 1, false);
	lapic_set_lint(l, 1, true);
	assert_int_equal(lapic_take_events(l), LAPIC_EV_NMI);
	/* Active low: the falling wire is the edge. */
	wr(l, APIC_LVT_LINT1, APIC_DM_NMI << APIC_DM_SHIFT | APIC_LVT_POLARITY_LOW);
	lapic_set_lint(l, 1, false);
	assert_int_equal(lapic_take_events(l), LAPIC_EV_NMI);
}

/* The firmware's virtual wire mode, and LINT0/1 as INTR/NMI with the APIC off. */
static void test_virtual_wire_and_disabled_apic(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];

	lapic_set_lint(l, 0, true);
	assert_false(lapic_extint_pending(l));	/* power-on: LVT0 masked */
	lapic_virtual_wire(l);
	assert_true(lapic_sw_enabled(l));
	assert_int_equal(rd(l, APIC_LVT_LINT0), APIC_DM_EXTINT << APIC_DM_SHIFT | APIC_TRIGGER_LEVEL);
	assert_int_equal(rd(l, APIC_LVT_LINT1), APIC_DM_NMI << APIC_DM_SHIFT);
	assert_true(lapic_extint_pending(l));
	lapic_set_lint(l, 1, true);
	assert_int_equal(lapic_take_events(l), LAPIC_EV_NMI);
	lapic_set_lint(l, 1, false);
	/* Globally disabled: the LVT is reset (masked) but the pins pass through. */
	assert_int_equal(lapic_set_apic_base(l, 0xfee00000u | APIC_BASE_BSP, 0), 0);
	assert_int_equal(rd(l, APIC_LVT_LINT0), 0);	/* no MMIO either */
	assert_true(lapic_extint_pending(l));
	lapic_set_lint(l, 0, false);
	assert_false(lapic_extint_pending(l));
	lapic_set_lint(l, 1, true);
	assert_int_equal(lapic_take_events(l), LAPIC_EV_NMI);
	assert_int_equal(lapic_pending_vector(l), -1);
}

static void test_lint0_fixed_level(void **state)
{
	struct rig *r = rig(state);
	struct lapic *l = &r->cpu[0];

	enable(l);
	wr(l, APIC_LVT_LINT0, APIC_TRIGGER_LEVEL | 0x55);
	lapic_set_lint(l, 0, true);
	assert_true(irr(l, 0x55));
	assert_true(rd(l, APIC_LVT_LINT0) & APIC_LVT_REMOTE_IRR);
	assert_int_equal(lapic_acknowledge(l), 0x55);
	lapic_set_lint(l, 0, false);
	lapic_set_lint(l, 0, true);		/* remote IRR still set: nothing */
	assert_false(irr(l, 0x55));
	wr(l, APIC_LVT_LINT0, APIC_TRIGGER_LEVEL | 0x55);	/* remote IRR is read-only */
	assert_true(rd(l, APIC_LVT_LINT0) & APIC_LVT_REMOTE_IRR);
	wr(l, APIC_EOI, 0);
	assert_true(rd(l, APIC_LVT_LINT0) & APIC_LVT_REMOTE_IRR);	/* set again */
	assert_true(irr(l, 0x55));		/* still asserted: delivered again */
	assert_int_equal(r->eois, 1);		/* level: broadcast too */
	assert_int_equal(lapic_acknowledge(l), 0x55);
	lapic_set_lint(l, 0, false);
	wr(l, APIC_EOI, 0);
	assert_false(rd(l, APIC_LVT_LINT0) & APIC_LVT_REMOTE_IRR);
	assert_false(irr(l, 0x55));
}

static uint32_t page32(const uint8_t *page, uint32_t off)
{
	uint32_t v;

	memcpy(&v, page + off, 4);
	return v;
}

static void test_virtual_apic_page(void **state)
{
	struct lapic *l = &rig(state)->cpu[1];
	static uint8_t page[LAPIC_PAGE_SIZE];

	enable(l);
	wr(l, APIC_TPR, 0x20);
	fixed(l, 0x81, false);
	fixed(l, 0x92, true);
	assert_int_equal(lapic_acknowledge(l), 0x92);
	wr(l, APIC_LVT_TIMER, 0x34);
	wr(l, APIC_TIMER_ICR, 50);
	lapic_export_page(l, page, 10 * TPT * 2);
	assert_int_equal(page32(page, APIC_ID), 1u << 24);
	assert_int_equal(page32(page, APIC_TPR), 0x20);
	assert_int_equal(page32(page, APIC_PPR), 0x90);
	assert_int_equal(page32(page, APIC_IRR + 0x40), 1u << 1);
	assert_int_equal(page32(page, APIC_ISR + 0x40), 1u << 18);
	assert_int_equal(page32(page, APIC_TMR + 0x40), 1u << 18);
	assert_int_equal(page32(page, APIC_SVR), APIC_SVR_ENABLE | SPURIOUS);
	assert_int_equal(page32(page, APIC_LVT_TIMER), 0x34);
	assert_int_equal(page32(page, APIC_TIMER_CCR), 40);
	assert_int_equal(lapic_highest_irr(l), 0x81);
	assert_int_equal(lapic_highest_isr(l), 0x92);
	assert_int_equal(lapic_tpr_threshold(l), 0);	/* TPR 0x20 does not hold 0x81 */
	wr(l, APIC_TPR, 0x90);
	assert_int_equal(lapic_tpr_threshold(l), 8);	/* exit when TPR drops below 0x80 */
	wr(l, APIC_TPR, 0x20);
	/* What virtual-interrupt delivery would have done: EOI 0x92, deliver 0x81, TPR. */
	uint32_t v = 1u << 1;
	memcpy(page + APIC_ISR + 0x40, &v, 4);
	v = 0;
	memcpy(page + APIC_IRR + 0x40, &v, 4);
	v = 0x7f;
	memcpy(page + APIC_TPR, &v, 4);
	v = 0xffff;				/* vectors 0-15 are never imported */
	memcpy(page + APIC_IRR, &v, 4);
	lapic_import_page(l, page);
	assert_int_equal(rd(l, APIC_TPR), 0x7f);
	assert_int_equal(lapic_highest_isr(l), 0x81);
	assert_int_equal(lapic_highest_irr(l), -1);
	assert_int_equal(rd(l, APIC_PPR), 0x80);
}

/* What the VMM syncs on every entry and exit with virtual-interrupt delivery. */
static void test_virtual_apic_entry_exit(void **state)
{
	struct rig *r = rig(state);
	struct lapic *l = &r->cpu[0];
	static uint8_t page[LAPIC_PAGE_SIZE];
	uint64_t bm[4] = { 0 };
	uint32_t v;

	enable(l);
	lapic_export_page(l, page, 0);
	fixed(l, 0x40, true);
	fixed(l, 0x61, false);
	wr(l, APIC_LVT_LINT0, APIC_TRIGGER_LEVEL | 0x71);
	lapic_set_lint(l, 0, true);		/* level LINT0: remote IRR */
	assert_true(rd(l, APIC_LVT_LINT0) & APIC_LVT_REMOTE_IRR);
	assert_int_equal(lapic_acknowledge(l), 0x71);
	memset(page + APIC_ISR, 0xaa, 4);	/* stale: overwritten */
	lapic_export_irq_state(l, page);
	assert_int_equal(page32(page, APIC_IRR + 0x20), 1u << 0);
	assert_int_equal(page32(page, APIC_IRR + 0x30), 1u << 1);
	assert_int_equal(page32(page, APIC_TMR + 0x20), 1u << 0);
	assert_int_equal(page32(page, APIC_ISR + 0x30), 1u << 17);
	assert_int_equal(page32(page, APIC_ISR), 0);
	assert_int_equal(page32(page, APIC_LVT_LINT0), rd(l, APIC_LVT_LINT0));
	assert_int_equal(page32(page, APIC_LVT_ERROR), rd(l, APIC_LVT_ERROR));
	/* EOI exits: the level vector in TMR and LINT0's vector (remote IRR). */
	lapic_eoi_exit_bitmap(l, bm);
	assert_true(bm[1] & 1ull << 0);			/* 0x40 */
	assert_true(bm[1] & 1ull << (0x71 - 64));
	assert_false(bm[1] & 1ull << (0x61 - 64));	/* edge */
	assert_int_equal(bm[0] | bm[2] | bm[3], 0);
	/* The CPU EOIs 0x71 (vISR cleared), then exits: the LINT0 remote IRR
	 * goes and, the wire still high, the interrupt comes again. */
	v = 0;
	memcpy(page + APIC_ISR + 0x30, &v, 4);
	lapic_import_page(l, page);
	lapic_eoi_virtualized(l, 0x71);
	assert_int_equal(r->eois, 1);			/* level (TMR): broadcast */
	assert_int_equal(r->eoi_vec[0], 0x71);
	assert_true(l->irr[0x71 >> 5] & 1u << (0x71 & 31));	/* re-delivered */
	/* 0x40 delivered and EOI'd by the CPU: broadcast to the IOAPIC. */
	lapic_set_lint(l, 0, false);
	l->irr[0x71 >> 5] = 0;
	v = 0;
	memcpy(page + APIC_IRR + 0x20, &v, 4);
	v = 1u << 0;
	memcpy(page + APIC_ISR + 0x20, &v, 4);
	lapic_import_page(l, page);
	assert_int_equal(lapic_highest_isr(l), 0x40);
	v = 0;
	memcpy(page + APIC_ISR + 0x20, &v, 4);
	lapic_import_page(l, page);
	lapic_eoi_virtualized(l, 0x40);
	assert_int_equal(r->eois, 2);
	assert_int_equal(r->eoi_vec[1], 0x40);
	lapic_eoi_virtualized(l, 0x05);			/* vectors 0-15: nothing */
	assert_int_equal(r->eois, 2);
	/* ICR high written by the guest without an exit reaches the model. */
	v = 0x01000000u | 0xff;
	memcpy(page + APIC_ICR_HIGH, &v, 4);
	lapic_import_page(l, page);
	assert_int_equal(rd(l, APIC_ICR_HIGH), 0x01000000u);
}

/* ---------------------------------------------------------------- Linux 6.1 at boot */

/* setup_local_APIC() on the BSP, xAPIC, then end_local_APIC_setup()'s ESR/LVTERR. */
static void linux_setup_local_apic(struct lapic *l)
{
	uint32_t v = rd(l, APIC_SVR);

	wr(l, APIC_SVR, v & ~APIC_SVR_ENABLE);	/* soft-disable (kexec case) */
	wr(l, APIC_DFR, APIC_DFR_FLAT);		/* flat init_apic_ldr */
	wr(l, APIC_LDR, (rd(l, APIC_LDR) & ~0xff000000u) | 1u << 24);
	wr(l, APIC_TPR, (rd(l, APIC_TPR) & ~0xffu) | 0x10);
	for (int i = 7; i >= 0; i--) {		/* apic_pending_intr_clear */
		uint32_t bits = rd(l, APIC_ISR + i * 0x10);

		for (; bits; bits &= bits - 1)
			wr(l, APIC_EOI, 0);
	}
	v = rd(l, APIC_SVR) & ~0xffu;
	wr(l, APIC_SVR, v | APIC_SVR_ENABLE | SPURIOUS);
	v = rd(l, APIC_LVT_LINT0) & APIC_LVT_MASKED;
	wr(l, APIC_LVT_LINT0, APIC_DM_EXTINT << APIC_DM_SHIFT);	/* BSP, pic_mode / masked */
	wr(l, APIC_LVT_LINT1, APIC_DM_NMI << APIC_DM_SHIFT);
	wr(l, APIC_ESR, 0);				/* lapic_setup_esr */
	wr(l, APIC_LVT_ERROR, ERROR_VEC);
	wr(l, APIC_ESR, 0);
	(void)v;
}

static void test_linux_setup_local_apic(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];

	/* A stale in-service interrupt from before (kexec): cleared by EOIs. */
	enable(l);
	fixed(l, 0x41, false);
	assert_int_equal(lapic_acknowledge(l), 0x41);
	linux_setup_local_apic(l);
	assert_int_equal(lapic_highest_isr(l), -1);
	assert_true(lapic_sw_enabled(l));
	assert_int_equal(rd(l, APIC_LDR), 1u << 24);
	assert_int_equal(rd(l, APIC_PPR), 0x10);
	assert_int_equal(rd(l, APIC_LVT_LINT0), APIC_DM_EXTINT << APIC_DM_SHIFT);
	assert_int_equal(rd(l, APIC_ESR), 0);		/* "ESR value before/after": 0 */
	/* Vectors below 0x20 are held off by TPR 0x10; 0x20 and up are not. */
	fixed(l, 0x1f, false);
	assert_int_equal(lapic_pending_vector(l), -1);
	fixed(l, 0x20, false);
	assert_int_equal(lapic_pending_vector(l), 0x20);
	/* The 8259 through LINT0 (ExtINT). */
	lapic_set_lint(l, 0, true);
	assert_true(lapic_extint_pending(l));
}

/*
 * calibrate_APIC_clock() without a known frequency: LVTT periodic masked,
 * divide 16, TMICT 0xffffffff / 16, read TMCCT at the start and after
 * LAPIC_CAL_LOOPS = HZ / 10 jiffies (here 100 ms of a 2 GHz TSC).
 */
static void test_linux_calibrate_apic_clock(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];
	uint64_t tsc_hz = 2000000000ull, t0 = 7777777;

	linux_setup_local_apic(l);
	lapic_update(l, t0);
	wr(l, APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_PERIODIC << APIC_LVT_TIMER_MODE_SHIFT |
			      LOCAL_TIMER);
	wr(l, APIC_TIMER_DCR, (rd(l, APIC_TIMER_DCR) & ~0xbu) | 0x3);
	wr(l, APIC_TIMER_ICR, 0xffffffffu / 16);
	uint32_t start = lapic_current_count(l, t0 + 1000);
	uint32_t end = lapic_current_count(l, t0 + 1000 + tsc_hz / 10);
	uint32_t delta = start - end;
	/* 100 MHz bus: 10,000,000 input ticks = 625,000 counts at divide 16. */
	assert_int_equal(delta, 625000);
	/* lapic_timer_period = delta * 16 / 25 loops = 400,000 per jiffy (HZ 250). */
	uint32_t period = delta * 16 / 25;
	assert_int_equal(period, 400000);
	assert_int_equal(lapic_highest_irr(l), -1);	/* masked all along */
	/* The periodic clockevent: LVTT unmasked, TMICT = period / 16. */
	uint64_t t1 = l->now;
	wr(l, APIC_LVT_TIMER, APIC_TIMER_PERIODIC << APIC_LVT_TIMER_MODE_SHIFT | LOCAL_TIMER);
	wr(l, APIC_TIMER_ICR, period / 16);
	unsigned ticks = 0;
	for (uint64_t t = t1; t <= t1 + tsc_hz; t += tsc_hz / 1000) {
		lapic_update(l, t);
		if (lapic_pending_vector(l) == (int)LOCAL_TIMER) {
			assert_int_equal(lapic_acknowledge(l), LOCAL_TIMER);
			wr(l, APIC_EOI, 0);
			ticks++;
		}
		assert_true(lapic_next_event(l) > t);
	}
	assert_int_equal(ticks, 250);			/* HZ in one second */
}

/* The TSC-deadline clockevent: LVTT = vector | TSC-deadline, MSR 0x6e0 per tick. */
static void test_linux_tsc_deadline_clockevent(void **state)
{
	struct lapic *l = &rig(state)->cpu[0];
	uint64_t now = 1000000, delta = 8000000;	/* 4 ms at 2 GHz */
	unsigned ticks = 0;

	linux_setup_local_apic(l);
	wr(l, APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE << APIC_LVT_TIMER_MODE_SHIFT | LOCAL_TIMER);
	lapic_write_tsc_deadline(l, now + delta, now);
	while (ticks < 250) {
		uint64_t next = lapic_next_event(l);

		assert_true(next > now && next != LAPIC_NO_EVENT);
		now = next;			/* the VMM's preemption timer */
		lapic_update(l, now);
		assert_int_equal(lapic_acknowledge(l), LOCAL_TIMER);
		wr(l, APIC_EOI, 0);
		lapic_write_tsc_deadline(l, now + delta, now + 300);
		ticks++;
	}
	assert_int_equal(now, 1000000 + 250 * delta);
	assert_int_equal(l->timer_fired, 250);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_power_on, setup),
		cmocka_unit_test_setup(test_sw_disabled_spurious, setup),
		cmocka_unit_test_setup(test_priority_tpr_ppr, setup),
		cmocka_unit_test_setup(test_eoi_broadcast_level, setup),
		cmocka_unit_test_setup(test_esr_write_then_read, setup),
		cmocka_unit_test_setup(test_mmio_sizes, setup),
		cmocka_unit_test_setup(test_ipi_physical_logical, setup),
		cmocka_unit_test_setup(test_ipi_shorthands, setup),
		cmocka_unit_test_setup(test_lowest_priority, setup),
		cmocka_unit_test(test_single_vcpu_no_bus),
		cmocka_unit_test_setup(test_timer_oneshot_divides, setup),
		cmocka_unit_test_setup(test_timer_periodic, setup),
		cmocka_unit_test_setup(test_timer_divide_change, setup),
		cmocka_unit_test_setup(test_timer_tsc_deadline, setup),
		cmocka_unit_test_setup(test_x2apic_transitions, setup),
		cmocka_unit_test_setup(test_x2apic_msr_gp, setup),
		cmocka_unit_test_setup(test_x2apic_msr_registers, setup),
		cmocka_unit_test_setup(test_x2apic_icr, setup),
		cmocka_unit_test_setup(test_extint_lint0_and_nmi_lint1, setup),
		cmocka_unit_test_setup(test_virtual_wire_and_disabled_apic, setup),
		cmocka_unit_test_setup(test_lint0_fixed_level, setup),
		cmocka_unit_test_setup(test_virtual_apic_page, setup),
		cmocka_unit_test_setup(test_virtual_apic_entry_exit, setup),
		cmocka_unit_test_setup(test_linux_setup_local_apic, setup),
		cmocka_unit_test_setup(test_linux_calibrate_apic_clock, setup),
		cmocka_unit_test_setup(test_linux_tsc_deadline_clockevent, setup),
	};

	return cmocka_run_group_tests_name("lapic", tests, NULL, NULL);
}
