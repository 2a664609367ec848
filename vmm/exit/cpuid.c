/* SPDX-License-Identifier: MIT */
/* CPUID exits: the host's answer, filtered to what a guest may see. */
#include "vmm/emul/cpuid_filter.h"
#include "vmm/exit/exit.h"
#include "lib/hypercall_abi.h"
#include "vmm/arch/x86.h"

static uint32_t host_max_std, host_max_ext;

enum exit_result handle_cpuid(struct vcpu *v)
{
	static const struct cpuid_policy policy = {
		.apic_id = 0,
		.expose_apic = false,
		.expose_x2apic = false,
		.hv_version = XTALK_HC_ABI_VERSION,
	};
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
