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

void apicv_after_exit(struct vcpu *v)
{
	struct lapic *l = &v->lapic;
	const uint32_t *irr = (const uint32_t *)(v->vapic + APIC_IRR);
	uint64_t delivered = 0;

	/* Vectors the CPU took from IRR since the entry went to the guest
	 * (virtual-interrupt delivery is the only thing that clears them). */
	for (unsigned i = 0; i < 8; i++)
		for (uint32_t gone = v->vapic_irr[i] & ~irr[i * 4]; gone; gone &= gone - 1)
			delivered++;	/* no popcount: freestanding, no libgcc */
	v->guest->stats.irqs_injected += delivered;
	lapic_import_page(l, v->vapic);
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

void apicv_before_entry(struct vcpu *v)
{
	struct lapic *l = &v->lapic;

	if (v->vapic_full) {
		lapic_export_page(l, v->vapic, vcpu_tsc(v));
		v->vapic_full = false;
	} else {
		lapic_export_irq_state(l, v->vapic);
	}
	for (unsigned i = 0; i < 8; i++)
		v->vapic_irr[i] = l->irr[i];
	write_intr_status(v);
	write_eoi_exit_bitmap(v);
}
