/* SPDX-License-Identifier: MIT */
#include "vmm/guest/irq.h"

#include "vmm/exit/exit.h"
#include "vmm/guest/guest.h"
#include "vmm/arch/vmx.h"
#include "vmm/arch/vmx_caps.h"
#include "vmm/arch/x86.h"

static void set_window_exiting(struct vcpu *v, bool on)
{
	uint32_t want = on ? v->proc_ctls | CPU_BASED_INTR_WINDOW_EXITING
			   : v->proc_ctls & ~CPU_BASED_INTR_WINDOW_EXITING;

	if (want != v->proc_ctls) {
		v->proc_ctls = want;
		vmwrite(VMCS_PROC_BASED_CTLS, want);
	}
}

bool irq_pending(const struct vcpu *v)
{
	return pic_intr_asserted(&v->guest->pic);
}

void irq_prepare_entry(struct vcpu *v)
{
	struct guest *g = v->guest;
	int vector;

	if (!pic_intr_asserted(&g->pic)) {
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
	vector = pic_acknowledge(&g->pic);
	vmwrite(VMCS_ENTRY_INTR_INFO, (uint32_t)vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID);
	g->stats.irqs_injected++;
	set_window_exiting(v, false);
}

/* The guest can take interrupts again: irq_prepare_entry() injects. */
enum exit_result handle_interrupt_window(struct vcpu *v)
{
	(void)v;
	return EXIT_RESUME;
}
