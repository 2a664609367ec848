/* SPDX-License-Identifier: MIT */
#include "vmm/guest/apicv.h"

#include "ept/ept.h"
#include "vmm/arch/vmcs.h"
#include "vmm/arch/vmx.h"
#include "vmm/arch/vmx_caps.h"
#include "vmm/core/console.h"
#include "vmm/guest/guest.h"

#define PAGE 0x1000u

void apicv_map(struct guest *g)
{
	struct vcpu *v = &g->vcpu;
	const struct lapic *l = &v->lapic;
	uint64_t base = lapic_base(l), want = 0;
	int rc = 0;

	if (!v->vapic)
		return;
	/* Only at the architectural base: a guest moving its APIC around must
	 * not make the VMM build EPT tables all over its address space (a base
	 * elsewhere works, emulated). */
	if (lapic_hw_enabled(l) && !lapic_x2apic_mode(l) && base == LAPIC_DEFAULT_BASE &&
	    base >= g->ram.size)
		want = base;
	if (want == v->apic_access_gpa)
		return;
	if (v->apic_access_gpa)
		rc = ept_unmap(&g->ept, v->apic_access_gpa, PAGE);
	if (!rc)
		v->apic_access_gpa = 0;
	if (!rc && want)
		rc = ept_map(&g->ept, want, vmcs_apic_access_hpa(), PAGE,
			     EPT_PTE_READ | EPT_PTE_WRITE, EPT_MT_WB);
	if (!rc && want)
		v->apic_access_gpa = want;
	if (rc)
		xt_warn("guest '%s': APIC-access page not moved to 0x%llx (%d): its local APIC "
			"is emulated there", g->name, (unsigned long long)want, rc);
	vmx_invept(ept_eptp(&g->ept));
}

static uint32_t page32(const uint8_t *page, unsigned off)
{
	return *(const uint32_t *)(page + off);
}

/*
 * Every exit pays for this, so it first checks, with one VMREAD and nine
 * loads, whether the CPU changed anything since the entry: a delivery
 * takes a vector from IRR, a self-IPI adds one (RVI may stay as it was),
 * an EOI moves SVI, a guest TPR write moves VTPR; ISR changes only with
 * one of those. ICR high, which the guest writes without an exit, is
 * taken by the ICR low write's exit.
 */
void apicv_after_exit(struct vcpu *v)
{
	struct lapic *l = &v->lapic;
	const uint8_t *p = v->vapic;
	uint16_t st = (uint16_t)vmread(VMCS_GUEST_INTR_STATUS);
	uint32_t moved = (uint32_t)(st ^ v->intr_status) |
			 ((page32(p, APIC_TPR) & 0xff) ^ v->vapic_tpr);
	uint64_t delivered = 0;

	for (unsigned i = 0; i < 8; i++)
		moved |= page32(p, APIC_IRR + i * 0x10) ^ v->vapic_irr[i];
	if (!moved)
		return;
	/* Vectors the CPU took from IRR since the entry went to the guest
	 * (virtual-interrupt delivery is the only thing that clears them). */
	for (unsigned i = 0; i < 8; i++)
		for (uint32_t gone = v->vapic_irr[i] & ~page32(p, APIC_IRR + i * 0x10); gone;
		     gone &= gone - 1)
			delivered++;	/* no popcount: freestanding, no libgcc */
	v->guest->stats.irqs_injected += delivered;
	lapic_import_page(l, p);
	v->intr_status = st;
	v->vapic_dirty = true;
}

static void write_intr_status(struct vcpu *v)
{
	const struct lapic *l = &v->lapic;
	int rvi = lapic_highest_irr(l), svi = lapic_highest_isr(l);
	uint16_t st;

	/* A software-disabled APIC holds its IRR but delivers nothing. */
	if (rvi < 0 || !lapic_hw_enabled(l) || !lapic_sw_enabled(l))
		rvi = 0;
	st = (uint16_t)((svi < 0 ? 0 : svi) << 8 | rvi);
	if (st != v->intr_status) {
		vmwrite(VMCS_GUEST_INTR_STATUS, st);
		v->intr_status = st;
	}
}

static void write_eoi_exit_bitmap(struct vcpu *v)
{
	uint64_t bm[4] = { 0 };

	ioapic_level_vectors(&v->guest->ioapic, bm);
	lapic_eoi_exit_bitmap(&v->lapic, bm);
	for (unsigned i = 0; i < 4; i++) {
		if (bm[i] != v->eoi_exit[i]) {
			vmwrite(VMCS_EOI_EXIT_BITMAP0 + 2 * i, bm[i]);
			v->eoi_exit[i] = bm[i];
		}
	}
}

/* Whether the model's interrupt state may differ from the page's. The
 * model changes ISR, TMR, TPR and the LVT only together with IRR (an
 * interrupt accepted), through a register write or an EOI (vapic_full), or
 * after an import or a virtualized EOI (vapic_dirty). */
static bool model_moved(const struct vcpu *v)
{
	const struct lapic *l = &v->lapic;
	uint32_t d = 0;

	for (unsigned i = 0; i < 8; i++)
		d |= l->irr[i] ^ v->vapic_irr[i];
	return d || v->vapic_dirty;
}

/* Every entry pays for this too: nothing is written unless the model's
 * state moved (model_moved) or a register was written or the IOAPIC
 * reprogrammed (vapic_full). */
void apicv_before_entry(struct vcpu *v)
{
	struct lapic *l = &v->lapic;
	bool full = v->vapic_full;

	if (!full && !model_moved(v))
		return;
	if (full)
		lapic_export_page(l, v->vapic, vcpu_tsc(v));
	else
		lapic_export_irq_state(l, v->vapic);
	v->vapic_full = false;
	v->vapic_dirty = false;
	v->vapic_tpr = l->tpr;
	for (unsigned i = 0; i < 8; i++)
		v->vapic_irr[i] = l->irr[i];
	write_intr_status(v);
	write_eoi_exit_bitmap(v);
}
