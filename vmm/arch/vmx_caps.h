/* SPDX-License-Identifier: MIT */
/*
 * What this CPU's VMX offers (SDM 3D, "VMX Capability Reporting Facility")
 * and the control values xtalk settles on, computed once at start.
 */
#ifndef XTALK_VMM_VMX_CAPS_H
#define XTALK_VMM_VMX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

struct vmx_caps {
	uint32_t revision;
	uint32_t pin, proc, proc2, exit, entry; /* controls in use */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t ept_vpid;
	unsigned timer_rate;       /* preemption timer ticks every 2^rate TSC cycles */
	bool unrestricted_guest;
	bool apicv;                /* TPR shadow, APIC-access and -register virtualization, VID */
	unsigned maxphyaddr;
};

extern struct vmx_caps vmx_caps;

/* Check that the CPU can run xtalk. On failure, prints what is missing and
 * how to get it, and returns a negative XT_E* code. */
int vmx_probe(void);
/* Trap and emulate the local APIC even where the CPU could virtualize it
 * ([xtalk] apicv = off); before any VMCS is set up. */
void vmx_disable_apicv(void);
/* Set CR4.VMXE and the fixed bits, execute VMXON. */
int vmx_enable(void);
/* Invalidate EPT-derived translations for one EPTP. */
void vmx_invept(uint64_t eptp);

#endif
