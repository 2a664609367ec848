/* SPDX-License-Identifier: MIT */
/*
 * Model of one local APIC (xAPIC and x2APIC modes), after the Intel SDM
 * vol. 3A chapter "Advanced Programmable Interrupt Controller (APIC)". One
 * struct lapic per vCPU; nothing global. The model never reads a clock:
 * every entry point that can observe or move time takes `now`, the guest's
 * TSC (the value RDTSC returns in the guest). The APIC timer's input clock
 * is the TSC divided by the integer cfg.tsc_per_tick (>= 1) that the VMM
 * chooses, so the bus/crystal frequency it advertises (CPUID 0x15,
 * 0x40000010) is exactly tsc_hz / tsc_per_tick. `now` must not go backwards
 * between calls on one APIC (a smaller value is treated as the last one).
 *
 * What the VMM does with it (the model has no other way out):
 * - forwards xAPIC MMIO at lapic_base() (lapic_mmio_read/write), the x2APIC
 *   MSRs 0x800-0x8ff (lapic_msr_read/write: a negative return is a #GP),
 *   IA32_APIC_BASE (lapic_set_apic_base) and IA32_TSC_DEADLINE
 *   (lapic_read/write_tsc_deadline);
 * - calls lapic_update(now) on exits, and arms its own timer (the VMX
 *   preemption timer) for lapic_next_event(), the guest TSC of the next
 *   timer interrupt (LAPIC_NO_EVENT if none is due);
 * - before VM entry, if the guest can take an interrupt (RFLAGS.IF, no
 *   STI/MOV SS blocking: the VMM checks): lapic_extint_pending() first (then
 *   the vector comes from the 8259 and lapic_extint_ack() is called), else
 *   lapic_pending_vector() >= 0 is injected and lapic_acknowledge() moves it
 *   from IRR to ISR; lapic_take_events() hands over NMI/INIT/SIPI/SMI;
 * - implements ops->send, the system bus: IPIs from the ICR (other than the
 *   "self" shorthand and the x2APIC SELF IPI, which stay inside the model)
 *   and IOAPIC messages are struct apic_msg; apic_bus_deliver() is a ready
 *   implementation over an array of APICs (physical, logical flat/cluster,
 *   broadcast, lowest priority). With ops->send NULL, a message an APIC
 *   sends is delivered to itself if it matches its own destination (the
 *   one-vCPU case);
 * - implements ops->eoi_broadcast(vector): called when the guest EOIs a
 *   level-triggered vector (TMR set) and SVR does not suppress the
 *   broadcast; the VMM passes it to ioapic_eoi().
 *
 * Choices where the SDM leaves room or a VMM needs more:
 *
 * - Version register: version 0x14 (integrated APIC), max LVT entry 5 (timer,
 *   thermal, perf, LINT0, LINT1, error: no CMCI, 0x2f0 is reserved) and bit
 *   24 set: EOI-broadcast suppression is offered (SVR bit 12 writable), since
 *   the IOAPIC model is version 0x20 and has the EOI register a guest needs
 *   then ("EOI for Level-Triggered Interrupts" / "Spurious-Interrupt Vector
 *   Register").
 * - xAPIC MMIO ("Local APIC Register Address Map"): registers sit at 16-byte
 *   aligned offsets. Reads of 1, 2 or 4 bytes inside the first 4 bytes of a
 *   register return those bytes; other reads return 0. Only 4-byte aligned
 *   writes at a register's offset act; others are ignored. Both are counted
 *   in bad_access. Reserved offsets read 0, ignore writes and set ESR bit 7
 *   ("Illegal Register Address"); writes to read-only registers and reads of
 *   the write-only EOI are ignored (read 0) without an error.
 * - x2APIC MSRs ("x2APIC Register Address Space"): a #GP (-XT_EPERM) for
 *   any access while not in x2APIC mode, reserved MSRs (APR, DFR, 0x831,
 *   CMCI, remote read), reads of EOI and SELF IPI, writes of read-only
 *   registers, non-zero writes of EOI and ESR, bits 63:32 set (except ICR)
 *   and SELF IPI bits 31:8 set. Other reserved bits are dropped.
 * - ID is writable in xAPIC mode (bits 31:24); in x2APIC mode the ID is
 *   cfg.apic_id and LDR is derived from it (cluster = id >> 4, bit id & 15).
 * - IA32_APIC_BASE: the transitions of "x2APIC State Transitions"; an
 *   invalid one (EXTD without EN, x2APIC -> xAPIC, disabled -> x2APIC)
 *   returns #GP. Clearing EN resets the APIC to its power-up state. The
 *   base address is stored; the VMM moves its MMIO region (lapic_base()).
 * - Software disable (SVR bit 8 = 0, the power-up state): every LVT mask is
 *   set and cannot be cleared; fixed and lowest-priority messages from the
 *   bus are discarded (counted in discarded); NMI, INIT, SIPI, SMI and IPIs
 *   the APIC sends still work; IRR/ISR are held but nothing is delivered to
 *   the CPU. lapic_acknowledge() when nothing is deliverable (APIC disabled,
 *   or TPR raised since the VMM asked) returns the spurious vector without
 *   touching ISR ("Spurious Interrupt").
 * - Priority ("Task and Processor Priorities"): PPR = TPR if TPR[7:4] >=
 *   ISRV[7:4], else ISRV & 0xf0. A vector is delivered when its class
 *   (bits 7:4) is above PPR[7:4]. APR follows the SDM formula (xAPIC only).
 *   The focus processor check (SVR bit 9) is stored and has no effect:
 *   lowest-priority arbitration is by PPR (see apic_bus_deliver()).
 * - Vectors 0-15 ("Error Handling"): a message with one is not accepted and
 *   sets ESR bit 6 (receive), an ICR write with one sets bit 5 (send). ESR
 *   is write-then-read: errors collect in an internal register that an ESR
 *   write copies into the readable one. A new error delivers the LVT error
 *   vector (once per new bit, if unmasked and >= 16).
 * - ICR ("Interrupt Command Register"): delivery is immediate, delivery
 *   status reads 0. Fixed, lowest priority, NMI, INIT, SIPI, SMI; INIT
 *   level de-assert (INIT, level 0, level-triggered) is ignored as on
 *   Pentium 4 and later; ExtINT and the reserved mode 3 are not sent and
 *   set ESR bit 5 (the nearest error the ESR has). "Self" and the x2APIC SELF IPI set IRR directly (edge).
 * - LINT0/LINT1 ("Local Vector Table"): the VMM reports the wire level with
 *   lapic_set_lint(); polarity (bit 13) applies. ExtINT on LINT0 makes
 *   lapic_extint_pending() follow the wire (the 8259's INT), not subject to
 *   PPR. Fixed level-triggered LINT sets the LVT remote IRR bit, cleared by
 *   the EOI of its vector, and re-delivers if still asserted. LINT1 is
 *   always edge (the SDM reserves level for it). NMI, SMI, INIT on either.
 *   While the APIC is globally disabled (IA32_APIC_BASE.EN = 0) the LVT is
 *   bypassed: LINT0 is the CPU's INTR (lapic_extint_pending() follows the
 *   wire) and a rising LINT1 is an NMI, as on a CPU without an APIC.
 * - Power-on leaves every LVT masked, so the 8259 reaches the CPU only once
 *   software sets up LINT0. A PC's BIOS does that before any OS runs
 *   ("virtual wire mode" of the MultiProcessor Specification: software
 *   enabled, LINT0 ExtINT, LINT1 NMI); the VMM, which is the firmware here,
 *   calls lapic_virtual_wire() on the BSP to leave the same state, so that
 *   guests which never touch the APIC still get their 8259 interrupts.
 * - An 8-bit destination (IOAPIC message) reaching an APIC in x2APIC mode
 *   is compared as a 32-bit one, except that 0xff stays the broadcast.
 * - Timer ("APIC Timer"): one-shot, periodic and TSC-deadline (LVT timer
 *   mode 0b11 is reserved: stored, the timer stays idle). Writing the
 *   initial count (re)starts the count; 0 stops it. A divide write re-bases
 *   the count so it keeps counting from its current value at the new rate.
 *   Changing the timer mode disarms the timer (count and deadline 0). In
 *   TSC-deadline mode the initial count is ignored and the current count
 *   reads 0; outside it IA32_TSC_DEADLINE reads 0 and ignores writes. A
 *   deadline at or before now fires in the write itself. Periodic expiries
 *   missed between updates coalesce into one IRR bit, as the APIC would do.
 *   A masked timer counts but reports no next event.
 * - Virtual-APIC page (SDM 3C "APIC Virtualization and Virtual Interrupts"):
 *   lapic_export_page() writes the xAPIC register layout (TPR, PPR, ISR,
 *   TMR, IRR, LVTs, ...) into a 4 KiB page; lapic_import_page() takes back
 *   what a CPU with TPR shadow / virtual-interrupt delivery changes there:
 *   TPR, ISR, IRR and ICR high (xAPIC: written without an exit). lapic_highest_irr()/lapic_highest_isr() give RVI and
 *   SVI, lapic_tpr_threshold() the TPR threshold; the EOI-exit bitmap must contain every level-triggered vector (TMR
 *   plus ioapic_level_vectors()) so those EOIs still exit and broadcast.
 */
#ifndef XTALK_DEVICES_LAPIC_H
#define XTALK_DEVICES_LAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAPIC_DEFAULT_BASE	0xfee00000u
#define LAPIC_PAGE_SIZE		0x1000u
#define LAPIC_NO_EVENT		UINT64_MAX

/* IA32_APIC_BASE (MSR 0x1b) */
#define LAPIC_MSR_APIC_BASE		0x1bu	/* IA32_APIC_BASE */
#define LAPIC_MSR_TSC_DEADLINE		0x6e0u	/* IA32_TSC_DEADLINE */
#define APIC_BASE_BSP			(1ull << 8)
#define APIC_BASE_EXTD			(1ull << 10)
#define APIC_BASE_EN			(1ull << 11)
#define APIC_BASE_ADDR_MASK		0x000ffffffffff000ull

/* xAPIC register offsets ("Local APIC Register Address Map") */
#define APIC_ID			0x020
#define APIC_LVR		0x030
#define APIC_TPR		0x080
#define APIC_APR		0x090
#define APIC_PPR		0x0a0
#define APIC_EOI		0x0b0
#define APIC_RRD		0x0c0
#define APIC_LDR		0x0d0
#define APIC_DFR		0x0e0
#define APIC_SVR		0x0f0
#define APIC_ISR		0x100	/* 8 registers, 0x10 apart */
#define APIC_TMR		0x180
#define APIC_IRR		0x200
#define APIC_ESR		0x280
#define APIC_LVT_CMCI		0x2f0
#define APIC_ICR_LOW		0x300
#define APIC_ICR_HIGH		0x310
#define APIC_LVT_TIMER		0x320
#define APIC_LVT_THERMAL	0x330
#define APIC_LVT_PERF		0x340
#define APIC_LVT_LINT0		0x350
#define APIC_LVT_LINT1		0x360
#define APIC_LVT_ERROR		0x370
#define APIC_TIMER_ICR		0x380	/* initial count */
#define APIC_TIMER_CCR		0x390	/* current count */
#define APIC_TIMER_DCR		0x3e0	/* divide configuration */
#define APIC_SELF_IPI		0x3f0	/* x2APIC only (MSR 0x83f) */

/* x2APIC MSR = 0x800 + xAPIC offset / 16 */
#define X2APIC_MSR_BASE		0x800u
#define X2APIC_MSR_LAST		0x8ffu
#define X2APIC_MSR(off)		(X2APIC_MSR_BASE + ((off) >> 4))

/* Version register */
#define APIC_LVR_VERSION	0x14u
#define APIC_LVR_MAXLVT_SHIFT	16
#define APIC_LVR_MAXLVT		5u
#define APIC_LVR_EOI_SUPPRESS	(1u << 24)

/* TPR / PPR */
#define APIC_PRIO_CLASS_MASK	0xf0u

/* DFR (bits 31:28) */
#define APIC_DFR_FLAT		0xffffffffu
#define APIC_DFR_CLUSTER	0x0fffffffu
#define APIC_DFR_MODEL_MASK	0xf0000000u

/* SVR */
#define APIC_SVR_VECTOR_MASK	0xffu
#define APIC_SVR_ENABLE		(1u << 8)
#define APIC_SVR_FOCUS_DISABLE	(1u << 9)
#define APIC_SVR_EOI_SUPPRESS	(1u << 12)

/* ESR */
#define APIC_ESR_SEND_ILLEGAL_VECTOR	(1u << 5)
#define APIC_ESR_RECV_ILLEGAL_VECTOR	(1u << 6)
#define APIC_ESR_ILLEGAL_REGISTER	(1u << 7)

/* ICR, LVT and message fields */
#define APIC_VECTOR_MASK	0xffu
#define APIC_DM_SHIFT		8
#define APIC_DM_MASK		(7u << APIC_DM_SHIFT)
#define APIC_DM_FIXED		0u
#define APIC_DM_LOWEST		1u
#define APIC_DM_SMI		2u
#define APIC_DM_NMI		4u
#define APIC_DM_INIT		5u
#define APIC_DM_SIPI		6u
#define APIC_DM_EXTINT		7u
#define APIC_ICR_DEST_LOGICAL	(1u << 11)
#define APIC_DELIVERY_STATUS	(1u << 12)
#define APIC_LVT_POLARITY_LOW	(1u << 13)
#define APIC_ICR_LEVEL_ASSERT	(1u << 14)
#define APIC_LVT_REMOTE_IRR	(1u << 14)
#define APIC_TRIGGER_LEVEL	(1u << 15)
#define APIC_LVT_MASKED		(1u << 16)
#define APIC_ICR_SHORTHAND_SHIFT 18
#define APIC_ICR_SHORTHAND_MASK	(3u << APIC_ICR_SHORTHAND_SHIFT)
#define APIC_SH_NONE		0u
#define APIC_SH_SELF		1u
#define APIC_SH_ALL		2u
#define APIC_SH_OTHERS		3u
#define APIC_ICR_LOW_MASK	0x000ccfffu	/* writable bits of ICR low */
#define APIC_XAPIC_DEST_SHIFT	24		/* ICR high / LDR / ID bits 31:24 */
#define APIC_LVT_TIMER_MODE_SHIFT 17
#define APIC_LVT_TIMER_MODE_MASK (3u << APIC_LVT_TIMER_MODE_SHIFT)
#define APIC_TIMER_ONESHOT	0u
#define APIC_TIMER_PERIODIC	1u
#define APIC_TIMER_TSC_DEADLINE	2u

/* Divide configuration: bits 3, 1:0 */
#define APIC_DCR_MASK		0x0bu

#define APIC_BROADCAST_XAPIC	0xffu
#define APIC_BROADCAST_X2APIC	0xffffffffu

/* LVT indices (register order) */
enum lapic_lvt {
	LAPIC_LVT_TIMER,
	LAPIC_LVT_THERMAL,
	LAPIC_LVT_PERF,
	LAPIC_LVT_LINT0,
	LAPIC_LVT_LINT1,
	LAPIC_LVT_ERROR,
	LAPIC_NR_LVT,
};

/* Events lapic_take_events() hands to the VMM. */
#define LAPIC_EV_NMI		(1u << 0)
#define LAPIC_EV_INIT		(1u << 1)
#define LAPIC_EV_SIPI		(1u << 2)	/* vector in lapic.sipi_vector */
#define LAPIC_EV_SMI		(1u << 3)

/* A message on the APIC bus (IPI or IOAPIC redirection). */
struct apic_msg {
	uint32_t dest;		/* APIC ID (physical) or MDA (logical) */
	uint32_t src_id;	/* sender's APIC ID (for APIC_SH_OTHERS) */
	uint8_t vector;
	uint8_t delivery;	/* APIC_DM_* */
	uint8_t shorthand;	/* APIC_SH_* (IOAPIC: APIC_SH_NONE) */
	bool logical;
	bool level;		/* trigger mode: level */
	bool x2apic;		/* 32-bit destination (sender in x2APIC mode) */
};

struct lapic;

struct lapic_ops {
	void *ctx;
	/* Deliver m to the APICs it addresses; NULL: to the sender if it matches. */
	void (*send)(void *ctx, struct lapic *src, const struct apic_msg *m);
	/* The guest EOI'd a level-triggered vector (not suppressed). */
	void (*eoi_broadcast)(void *ctx, struct lapic *src, uint8_t vector);
};

struct lapic_config {
	uint32_t apic_id;	/* initial APIC ID (CPUID.1 EBX[31:24], x2APIC ID) */
	bool bsp;		/* IA32_APIC_BASE.BSP */
	uint32_t tsc_per_tick;	/* TSC ticks per timer input tick, 1..2^24 */
};

struct lapic {
	struct lapic_config cfg;
	struct lapic_ops ops;
	uint64_t apic_base;	/* IA32_APIC_BASE */
	uint32_t id;		/* xAPIC ID register (bits 31:24) */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t isr[8], tmr[8], irr[8];
	uint32_t esr, esr_pending;
	uint32_t icr_low, icr_high;
	uint32_t lvt[LAPIC_NR_LVT];
	uint32_t timer_initial, timer_dcr;
	uint64_t timer_next;	/* guest TSC when the count reaches 0, 0 = idle */
	uint64_t tsc_deadline;	/* IA32_TSC_DEADLINE, 0 = disarmed */
	uint64_t now;		/* latest time seen */
	bool lint[2];		/* wire levels */
	bool extint_msg;	/* ExtINT message latched (IOAPIC virtual wire) */
	uint32_t events;	/* LAPIC_EV_* */
	uint8_t sipi_vector;
	uint64_t bad_access, discarded, timer_fired;
};

/* Power-on state: xAPIC enabled at 0xfee00000, software-disabled. */
void lapic_init(struct lapic *l, const struct lapic_config *cfg, const struct lapic_ops *ops);

/* INIT reset ("Local APIC State After INIT"): registers to power-up, base and ID kept. */
void lapic_reset(struct lapic *l);

/* IA32_APIC_BASE */
uint64_t lapic_get_apic_base(const struct lapic *l);
int lapic_set_apic_base(struct lapic *l, uint64_t val, uint64_t now);
uint64_t lapic_base(const struct lapic *l);	/* MMIO base address */
bool lapic_x2apic_mode(const struct lapic *l);
bool lapic_hw_enabled(const struct lapic *l);
bool lapic_sw_enabled(const struct lapic *l);

/* xAPIC MMIO: offset inside the 4 KiB page, size 1, 2, 4 or 8. */
uint64_t lapic_mmio_read(struct lapic *l, uint32_t offset, unsigned size, uint64_t now);
void lapic_mmio_write(struct lapic *l, uint32_t offset, unsigned size, uint64_t val, uint64_t now);

/* x2APIC MSRs 0x800-0x8ff: 0, or -XT_EPERM for #GP. */
int lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t *val, uint64_t now);
int lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t val, uint64_t now);
bool lapic_is_x2apic_msr(uint32_t msr);

/* IA32_TSC_DEADLINE (the VMM decides whether CPUID offers it). */
uint64_t lapic_read_tsc_deadline(struct lapic *l, uint64_t now);
void lapic_write_tsc_deadline(struct lapic *l, uint64_t deadline, uint64_t now);

/* Time: process timer expiries up to now; next timer interrupt, or LAPIC_NO_EVENT. */
void lapic_update(struct lapic *l, uint64_t now);
uint64_t lapic_next_event(const struct lapic *l);
uint32_t lapic_current_count(struct lapic *l, uint64_t now);

/* Inputs from the platform. */
void lapic_set_lint(struct lapic *l, unsigned pin, bool level);
/* The state a PC BIOS leaves on the BSP: software-enabled, LINT0 ExtINT, LINT1 NMI. */
void lapic_virtual_wire(struct lapic *l);
bool lapic_match_dest(const struct lapic *l, const struct apic_msg *m);
/* A message addressed to this APIC; false if it was not taken (disabled, vector < 16). */
bool lapic_accept(struct lapic *l, const struct apic_msg *m);

/* Towards the CPU. */
int lapic_pending_vector(const struct lapic *l);
int lapic_acknowledge(struct lapic *l);
bool lapic_extint_pending(const struct lapic *l);
void lapic_extint_ack(struct lapic *l);
unsigned lapic_take_events(struct lapic *l);
uint32_t lapic_ppr(const struct lapic *l);

/* Virtual-APIC page and VMX fields. */
void lapic_export_page(struct lapic *l, uint8_t *page, uint64_t now);
void lapic_import_page(struct lapic *l, const uint8_t *page);
/*
 * The part of lapic_export_page() the model can change without the guest
 * writing a register (an interrupt accepted, delivered or EOI'd, an LVT
 * remote IRR): TPR, ISR, TMR, IRR and the LVT. Cheap enough for every VM
 * entry; lapic_export_page() after the guest wrote a register.
 */
void lapic_export_irq_state(const struct lapic *l, uint8_t *page);
/*
 * ORs into bitmap the vectors whose EOI must reach the VMM (the VMCS
 * EOI-exit bitmap): level-triggered ones in TMR and the vector of a LINT0
 * whose remote IRR is set. The VMM adds ioapic_level_vectors().
 */
void lapic_eoi_exit_bitmap(const struct lapic *l, uint64_t bitmap[4]);
/*
 * An EOI the CPU carried out (EOI virtualization cleared the vector from
 * the virtual ISR, then exited because of the EOI-exit bitmap): the rest of
 * what an EOI of it does (LINT0 remote IRR, the broadcast to the IOAPIC).
 */
void lapic_eoi_virtualized(struct lapic *l, uint8_t vector);
int lapic_highest_irr(const struct lapic *l);
int lapic_highest_isr(const struct lapic *l);
/*
 * VMCS TPR threshold for TPR shadow without virtual-interrupt delivery: the
 * class of the highest IRR vector when TPR alone holds it back (so that the
 * guest lowering its TPR below it exits), else 0.
 */
unsigned lapic_tpr_threshold(const struct lapic *l);

/*
 * A system bus over n APICs: physical (ID or broadcast), logical (flat or
 * cluster in xAPIC, cluster in x2APIC), shorthands relative to src (may be
 * NULL for the IOAPIC). Lowest priority goes to the matching enabled APIC
 * with the lowest PPR, the first in the array on a tie. Returns how many
 * APICs accepted it (lapic_accept() true).
 */
unsigned apic_bus_deliver(struct lapic *const *apics, size_t n, struct lapic *src,
			  const struct apic_msg *m);

#endif
