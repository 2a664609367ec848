/* SPDX-License-Identifier: MIT */
/*
 * Model of a High Precision Event Timer block as the IA-PC HPET
 * specification (revision 1.0a) describes it: sections "Register Set"
 * (General Capabilities and ID, General Configuration, General Interrupt
 * Status, Main Counter Value, Timer N Configuration and Capability, Timer N
 * Comparator Value), "Timer Interrupt Mapping" (legacy replacement route)
 * and "Main Counter and Comparators" (one-shot, periodic, 32-bit mode). One
 * block of 1 KiB at 0xfed00000 with a 64-bit main counter at 100 MHz and
 * three comparators; the VMM forwards MMIO accesses (32- or 64-bit) with
 * their offset in the block.
 *
 * Time: every entry point takes now_ns, the VMM's monotonically increasing
 * count of nanoseconds (the guest's time); a time earlier than one already
 * seen counts as that one. The main counter is a function of it while
 * ENABLE_CNF is set (value at the last write or enable, plus 100 MHz pulses
 * since, devices/timebase.h); comparator matches between two calls are
 * applied at the next call. The VMM asks hpet_take_edges() and
 * hpet_levels() after each access and at hpet_next_event(), and routes what
 * they report as hpet_timer_route() says.
 *
 * Choices where the specification leaves room:
 * - 100 MHz (COUNTER_CLK_PERIOD 10^7 fs), vendor 0x8086, REV_ID 1,
 *   LEG_RT_CAP and COUNT_SIZE_CAP set, three timers. Timer 0 can be
 *   periodic (Tn_PER_INT_CAP); timers 1 and 2 are one-shot only, as on Intel
 *   chipsets. All three are 64-bit (Tn_SIZE_CAP) and may route to I/O APIC
 *   inputs 20-23 (Tn_INT_ROUTE_CAP = 0x00f00000); FSB delivery is not
 *   offered (Tn_FSB_INT_DEL_CAP = 0). A route write naming an input not in
 *   the capability keeps the old route.
 * - Reset: counter 0 and halted, comparators all ones, timers disabled,
 *   edge-triggered, one-shot, route 0.
 * - A comparator matches when the main counter (its low 32 bits in
 *   Tn_32MODE_CNF) becomes equal to it; a one-shot comparator matches again
 *   each time the counter wraps to it. A periodic comparator then adds the
 *   last value written to it (the period), so matches keep coming at that
 *   rate; however long the gap between calls, each match is counted once
 *   (a gap of many periods gives one edge, like a coalesced interrupt).
 * - Comparator writes in periodic mode set the period; with Tn_VAL_SET_CNF
 *   they also set the comparator, and clear Tn_VAL_SET_CNF (Linux writes
 *   the comparator with VAL_SET, then the period, as the AMD-8111 requires).
 * - Level-triggered timers set their GINTR_STA bit at a match whether or
 *   not Tn_INT_ENB_CNF is set ("the timer will still operate and generate
 *   appropriate status bits"); the line is asserted while the bit is set and
 *   the timer enabled; writing 1 clears it. Edge-triggered timers leave
 *   GINTR_STA at 0 and give one edge per match while enabled; switching a
 *   timer to edge clears its status bit.
 * - Writing the main counter (allowed while it runs, though the spec asks
 *   for halted) loses no match before the write and makes none for the jump.
 * - Accesses other than aligned 4- or 8-byte ones read all-ones and are
 *   ignored; reserved registers read 0.
 * - Not modelled: FSB (MSI) delivery, the time an access takes.
 */
#ifndef XTALK_DEVICES_HPET_H
#define XTALK_DEVICES_HPET_H

#include <stdbool.h>
#include <stdint.h>

#define HPET_BASE		0xfed00000u
#define HPET_SIZE		0x400u
#define HPET_HZ			100000000u
#define HPET_PERIOD_FS		10000000u	/* 10^15 / HPET_HZ */
#define HPET_NUM_TIMERS		3

/* Registers (offsets in the block). */
#define HPET_GCAP_ID		0x000
#define HPET_GEN_CONF		0x010
#define HPET_GINTR_STA		0x020
#define HPET_MAIN_CNT		0x0f0
#define HPET_TN_CONF(n)		(0x100 + 0x20 * (n))
#define HPET_TN_CMP(n)		(0x108 + 0x20 * (n))
#define HPET_TN_FSB(n)		(0x110 + 0x20 * (n))

/* General Capabilities and ID. */
#define HPET_CAP_REV_ID		0x01ull
#define HPET_CAP_NUM_TIM_SHIFT	8
#define HPET_CAP_COUNT_SIZE	(1ull << 13)
#define HPET_CAP_LEG_RT		(1ull << 15)
#define HPET_CAP_VENDOR_SHIFT	16
#define HPET_CAP_PERIOD_SHIFT	32

/* General Configuration. */
#define HPET_CONF_ENABLE	(1ull << 0)
#define HPET_CONF_LEG_RT	(1ull << 1)

/* Timer N Configuration and Capability. */
#define HPET_TN_INT_TYPE	(1ull << 1)	/* 1 = level */
#define HPET_TN_INT_ENB		(1ull << 2)
#define HPET_TN_TYPE		(1ull << 3)	/* 1 = periodic */
#define HPET_TN_PER_INT_CAP	(1ull << 4)
#define HPET_TN_SIZE_CAP	(1ull << 5)	/* 64-bit comparator */
#define HPET_TN_VAL_SET		(1ull << 6)
#define HPET_TN_32MODE		(1ull << 8)
#define HPET_TN_ROUTE_SHIFT	9
#define HPET_TN_ROUTE_MASK	(0x1full << HPET_TN_ROUTE_SHIFT)
#define HPET_TN_FSB_EN		(1ull << 14)
#define HPET_TN_FSB_CAP		(1ull << 15)
#define HPET_TN_ROUTE_CAP_SHIFT	32
#define HPET_ROUTE_CAP		0x00f00000ull	/* I/O APIC inputs 20-23 */

/* Legacy replacement route (LEG_RT_CNF): timer 0 and timer 1. */
#define HPET_LEGACY_PIN_T0	2	/* 8259 IRQ 0, I/O APIC input 2 */
#define HPET_LEGACY_PIN_T1	8	/* 8259 IRQ 8, I/O APIC input 8 */

struct hpet_timer {
	uint64_t conf;		/* Tn_CONF_CAP */
	uint64_t cmp;		/* comparator (low 32 bits in 32-bit mode) */
	uint64_t period;	/* periodic mode: added at each match */
};

struct hpet {
	uint64_t gen_conf;
	uint64_t isr;		/* GINTR_STA */
	uint64_t cnt_base;	/* main counter at pulse p_base (or halted value) */
	uint64_t p_base;
	uint64_t last_ns;	/* state is up to date at last_ns ... */
	uint64_t last_cnt;	/* ... where the counter read last_cnt */
	uint32_t edges;		/* edges not yet taken, bit per timer */
	struct hpet_timer t[HPET_NUM_TIMERS];
};

void hpet_init(struct hpet *h, uint64_t now_ns);

/* MMIO access at offset (0 .. HPET_SIZE - 1) of size 4 or 8. */
uint64_t hpet_mmio_read(struct hpet *h, uint32_t offset, unsigned size, uint64_t now_ns);
void hpet_mmio_write(struct hpet *h, uint32_t offset, unsigned size, uint64_t val,
		     uint64_t now_ns);

/* Edge-triggered timers that matched since the last call, bit per timer. */
uint32_t hpet_take_edges(struct hpet *h, uint64_t now_ns);

/* Level-triggered timers whose line is asserted at now_ns, bit per timer. */
uint32_t hpet_levels(struct hpet *h, uint64_t now_ns);

/*
 * The first nanosecond after now_ns at which an enabled timer matches
 * (level timers whose line is already asserted excluded); TB_NEVER if none
 * or the counter is halted.
 */
uint64_t hpet_next_event(struct hpet *h, uint64_t now_ns);

/* The I/O APIC input timer n drives (legacy route: 2 or 8, as above). */
unsigned hpet_timer_route(const struct hpet *h, unsigned n);

/* LEG_RT_CNF: the PIT's IRQ 0 and the RTC's IRQ 8 are replaced. */
bool hpet_legacy(const struct hpet *h);

#endif
