/* SPDX-License-Identifier: MIT */
/*
 * What a guest's RDMSR/WRMSR of each MSR does, given the CPUID it sees
 * (vmm/emul/cpuid_filter.h). One table, pure, host-tested: the MSR bitmap
 * (vmm/arch/vmcs.c) is built from its pass-through rows and the RDMSR/WRMSR
 * exit (vmm/exit/msr.c) follows its answer. The rule that keeps CPUID and
 * MSRs consistent: an MSR whose CPUID bit the guest sees is never #GP; an
 * MSR whose bit is hidden raises #GP, as on a CPU without the feature. The
 * table with the reason for each row is in docs/guest-platform.md.
 * MSR names and numbers: SDM 4, "Model-Specific Registers".
 */
#ifndef XTALK_VMM_MSR_POLICY_H
#define XTALK_VMM_MSR_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/emul/cpuid_filter.h"

enum msr_action {
	MSR_ACT_GP,		/* #GP: not implemented, or its CPUID bit is hidden */
	MSR_ACT_PASS,		/* the MSR bitmap lets it through: no exit */
	MSR_ACT_EMULATE,	/* vmm/exit/msr.c computes it (EFER, PAT, ...) */
	MSR_ACT_ZERO,		/* reads 0; a write of 0 is accepted and ignored,
				 * any other value #GP */
	MSR_ACT_LAPIC,		/* the local APIC model's register */
};

/* One MSR the guest owns outright (the VMCS or the vCPU switch keeps it). */
struct msr_pass {
	uint32_t msr;
	bool write;		/* writes pass too (reads always do) */
};

extern const struct msr_pass msr_passed[];
extern const size_t msr_passed_count;

enum msr_action msr_policy(const struct cpuid_policy *p, uint32_t msr, bool write);

/* A name for the log ("IA32_TSC_ADJUST"), or NULL for an MSR not in the table. */
const char *msr_name(uint32_t msr);

#endif
