/* SPDX-License-Identifier: MIT */
#include "vmm/guest/irq.h"

#include "devices/e1000.h"
#include "firmware/fw_config.h"
#include "vmm/core/console.h"
#include "vmm/exit/exit.h"
#include "vmm/guest/apicv.h"
#include "vmm/guest/clock.h"
#include "vmm/guest/guest.h"
#include "vmm/arch/vmx.h"
#include "vmm/arch/vmx_caps.h"
#include "vmm/arch/x86.h"

#define PIT_IOAPIC_PIN 2 /* fw_config's override IRQ 0 -> GSI 2 */

/* One vCPU: the IOAPIC's messages go to the guest's only local APIC. */
static unsigned ioapic_deliver(void *ctx, const struct apic_msg *m)
{
	struct guest *g = ctx;
	struct lapic *l = &g->vcpu.lapic;

	return apic_bus_deliver(&l, 1, NULL, m);
}

static void lapic_eoi_broadcast(void *ctx, struct lapic *src, uint8_t vector)
{
	struct guest *g = ctx;

	(void)src;
	ioapic_eoi(&g->ioapic, vector);
}

static unsigned isa_pin(unsigned irq)
{
	return irq == FW_ISA_IRQ_PIT ? PIT_IOAPIC_PIN : irq;
}

void irq_init(struct guest *g)
{
	const struct ioapic_ops io_ops = { .ctx = g, .deliver = ioapic_deliver };
	const struct lapic_ops l_ops = { .ctx = g, .send = NULL, .eoi_broadcast = lapic_eoi_broadcast };
	const struct lapic_config cfg = {
		.apic_id = 0,
		.bsp = true,
		.tsc_per_tick = clock_tsc_per_bus(),
	};

	pic_init(&g->pic);
	/* The IOAPIC's ID follows the local APICs' (fw_config_default). */
	ioapic_init(&g->ioapic, 1, &io_ops);
	/* PCI INTx and the SCI are active low: their wires idle high. */
	for (unsigned pin = FW_PCI_GSI_BASE; pin < IOAPIC_NR_PINS; pin++)
		ioapic_set_irq(&g->ioapic, pin, true);
	ioapic_set_irq(&g->ioapic, FW_SCI_IRQ, true);
	lapic_init(&g->vcpu.lapic, &cfg, &l_ops);
	lapic_virtual_wire(&g->vcpu.lapic);
}

void irq_isa_line(struct guest *g, unsigned irq, bool level)
{
	pic_set_irq(&g->pic, irq, level);
	ioapic_set_irq(&g->ioapic, isa_pin(irq), level);
}

void irq_isa_pulse(struct guest *g, unsigned irq)
{
	irq_isa_line(g, irq, false);
	irq_isa_line(g, irq, true);
}

void irq_pci_line(struct guest *g, unsigned pic_irq, unsigned gsi, bool asserted)
{
	pic_set_irq(&g->pic, pic_irq, asserted);
	ioapic_set_irq(&g->ioapic, gsi, !asserted);
}

static bool pic_routed(const struct pic_pair *p, unsigned irq)
{
	if (p->master.init != PIC_READY)
		return false;
	if (irq < 8)
		return !(p->master.imr & (1u << irq));
	return p->slave.init == PIC_READY && !(p->master.imr & (1u << PIC_CASCADE_IR)) &&
	       !(p->slave.imr & (1u << (irq - 8)));
}

bool irq_isa_routed(struct guest *g, unsigned irq)
{
	const struct lapic *l = &g->vcpu.lapic;
	uint32_t lint0 = l->lvt[LAPIC_LVT_LINT0];
	bool wire = !lapic_hw_enabled(l) ||
		    (!(lint0 & APIC_LVT_MASKED) &&
		     ((lint0 & APIC_DM_MASK) >> APIC_DM_SHIFT) == APIC_DM_EXTINT);

	if (wire && pic_routed(&g->pic, irq))
		return true;
	return !(g->ioapic.redtbl[isa_pin(irq)] & IOAPIC_REDTBL_MASKED) && lapic_sw_enabled(l);
}

static void set_window_exiting(struct vcpu *v, bool on)
{
	uint32_t want = on ? v->proc_ctls | CPU_BASED_INTR_WINDOW_EXITING
			   : v->proc_ctls & ~CPU_BASED_INTR_WINDOW_EXITING;

	if (want != v->proc_ctls) {
		v->proc_ctls = want;
		vmwrite(VMCS_PROC_BASED_CTLS, want);
	}
}

/* The 8259's INT as the local APIC's LINT0 sees it now. */
static void sync_lint0(struct vcpu *v)
{
	lapic_set_lint(&v->lapic, 0, pic_intr_asserted(&v->guest->pic));
}

bool irq_pending(struct vcpu *v)
{
	sync_lint0(v);
	return lapic_extint_pending(&v->lapic) || lapic_pending_vector(&v->lapic) >= 0;
}

void irq_prepare_entry(struct vcpu *v)
{
	struct guest *g = v->guest;
	struct lapic *l = &v->lapic;
	int vector;

	/* NMI, INIT, SIPI and SMI have no source on a one-vCPU guest. */
	(void)lapic_take_events(l);
	if (v->vapic) {
		/* The CPU delivers the local APIC's vectors (virtual-interrupt
		 * delivery); only the 8259's ExtINT is injected here. */
		apicv_before_entry(v);
		sync_lint0(v);
		if (!lapic_extint_pending(l)) {
			set_window_exiting(v, false);
			return;
		}
	} else if (!irq_pending(v)) {
		set_window_exiting(v, false);
		return;
	}
	/* An exception or a re-queued event goes first; come back after it. */
	if ((vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) ||
	    !(vmread(VMCS_GUEST_RFLAGS) & X86_RFLAGS_IF) ||
	    (vmread(VMCS_GUEST_INTERRUPTIBILITY) & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))) {
		set_window_exiting(v, true);
		return;
	}
	if (lapic_extint_pending(l)) {
		vector = pic_acknowledge(&g->pic);
		lapic_extint_ack(l);
		sync_lint0(v);
	} else {
		vector = lapic_acknowledge(l);
	}
	vmwrite(VMCS_ENTRY_INTR_INFO, (uint32_t)vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID);
	g->stats.irqs_injected++;
	set_window_exiting(v, false);
}

void irq_log_state(struct guest *g)
{
	const struct pic_pair *p = &g->pic;
	const struct lapic *l = &g->vcpu.lapic;

	xt_info("guest %s: interrupts: 8259 master irr 0x%02x isr 0x%02x imr 0x%02x, slave irr "
		"0x%02x isr 0x%02x imr 0x%02x; LINT0 0x%x; local APIC IRR vector %d ISR vector %d "
		"PPR 0x%x", g->name, p->master.irr, p->master.isr, p->master.imr, p->slave.irr,
		p->slave.isr, p->slave.imr, l->lvt[LAPIC_LVT_LINT0], lapic_highest_irr(l),
		lapic_highest_isr(l), lapic_ppr(l));
	if (g->nic)
		xt_info("guest %s: e1000 ICR 0x%x IMS 0x%x, INTx %s", g->name, g->nic->icr,
			g->nic->ims, g->nic->irq_level ? "asserted" : "idle");
}

/* The guest can take interrupts again: irq_prepare_entry() injects. */
enum exit_result handle_interrupt_window(struct vcpu *v)
{
	(void)v;
	return EXIT_RESUME;
}
