/* SPDX-License-Identifier: MIT */
/*
 * CPUID exits: the host's answer, filtered to what a guest may see
 * (vmm/emul/cpuid_filter.h). One policy for every guest: one vCPU, APIC ID 0,
 * an xAPIC with the TSC-deadline timer, and the time figures chosen from the TSC rate the loader
 * measured, with a bus (APIC timer, crystal) of CPUID_DEFAULT_BUS_HZ.
 */
#include "vmm/emul/cpuid_filter.h"
#include "vmm/core/console.h"
#include "vmm/exit/exit.h"
#include "lib/hypercall_abi.h"
#include "vmm/arch/vmx.h"
#include "vmm/arch/vmx_caps.h"
#include "vmm/arch/x86.h"

static uint32_t host_max_std, host_max_ext;

static struct cpuid_policy policy = {
	.apic_id = 0,
	.expose_apic = true,	/* devices/lapic.c, wired in vmm/io/apic.c */
	.expose_x2apic = false,	/* xAPIC only: one vCPU needs no more */
	.tsc_deadline = true,	/* the model's TSC-deadline mode */
	.hv_version = XTALK_HC_ABI_VERSION,
};

void cpuid_init(uint64_t tsc_hz)
{
	policy.hide_rdtscp = !(vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_RDTSCP);
	/* IA32_TSC_ADJUST moves the guest's TSC: only with TSC offsetting. */
	policy.tsc_adjust = vmx_caps.proc & CPU_BASED_USE_TSC_OFFSETTING;
	if (cpuid_timing_set(&policy, tsc_hz, CPUID_DEFAULT_BUS_HZ))
		xt_info("TSC rate unknown: CPUID leaves 0x15, 0x16, 0x40000010 read as zero");
}

const struct cpuid_policy *guest_cpuid_policy(void)
{
	return &policy;
}

enum exit_result handle_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs.gpr[REG_RAX], sub = (uint32_t)v->regs.gpr[REG_RCX];
	uint32_t r[4];

	if (!host_max_std) {
		cpuid(0, 0, r);
		host_max_std = r[0];
		cpuid(0x80000000, 0, r);
		host_max_ext = r[0];
	}
	cpuid(leaf, sub, r);
	cpuid_filter(&policy, host_max_std, host_max_ext, leaf, sub, r);
	v->regs.gpr[REG_RAX] = r[0];
	v->regs.gpr[REG_RBX] = r[1];
	v->regs.gpr[REG_RCX] = r[2];
	v->regs.gpr[REG_RDX] = r[3];
	vcpu_skip_insn(v);
	return EXIT_RESUME;
}
