/* SPDX-License-Identifier: MIT */
/*
 * RDMSR/WRMSR exits. The MSR bitmap (vmm/arch/vmcs.c) lets through the MSRs each
 * guest owns outright; everything else lands here and follows the pure
 * policy (vmm/emul/msr_policy.c) for the CPUID the guest sees. The rule: an
 * MSR whose CPUID bit is offered never raises #GP; one whose bit is hidden
 * raises #GP, as on a CPU without the feature, and Linux reads those with
 * rdmsrl_safe only. Decisions (full reasons in docs/guest-platform.md):
 *
 * | MSR | read | write |
 * |---|---|---|
 * | FS/GS/KERNEL_GS_BASE, STAR, LSTAR, CSTAR, FMASK, TSC_AUX, SYSENTER_* | passed | passed |
 * | IA32_TSC (0x10) | passed | #GP (no TSC offsetting) |
 * | IA32_EFER, IA32_PAT | emulated | validated, #GP on reserved values |
 * | IA32_MISC_ENABLE (0x1a0) | fast strings, no BTS/PEBS | the same value only |
 * | IA32_FEATURE_CONTROL (0x3a) | locked, VMX off | #GP (locked) |
 * | IA32_PLATFORM_ID (0x17) | 0 | #GP (read-only) |
 * | IA32_BIOS_SIGN_ID (0x8b) | 0 | ignored (the microcode-revision idiom) |
 * | IA32_DEBUGCTL (0x1d9) | 0 | 0 only |
 * | IA32_MCG_CAP (0x179) | 0: no banks | #GP (read-only) |
 * | IA32_MCG_STATUS (0x17a) | 0 | 0 only |
 * | MSR_SMI_COUNT (0x34) | 0: no SMI reaches a guest | #GP (read-only) |
 * | IA32_APIC_BASE, TSC_DEADLINE | the local APIC model (vmm/io/apic.c) | same |
 * | x2APIC 0x800-0x8ff | #GP: x2APIC not offered | #GP |
 * | IA32_TSC_ADJUST (0x3b) | emulated (with VMX TSC offsetting) | moves the guest's TSC |
 * | SPEC_CTRL, PRED_CMD, ARCH_CAPABILITIES, FLUSH_CMD, CORE_CAPABILITIES, TSX_CTRL, TSX_FORCE_ABORT, UMWAIT_CONTROL, PKRS, BNDCFGS, XSS, MTRRs, MCG_CTL, PERF_CAPABILITIES, ENERGY_PERF_BIAS, BBL_CR_CTL | #GP: CPUID bit hidden | #GP |
 * | MISC_FEATURES_ENABLES (0x140), PPIN_CTL (0x4e), PPERF (0x64e), PLATFORM_INFO (0xce), TEST_CTRL (0x33), RAPL_POWER_UNIT (0x606), 0x150, DE_CFG (0xc0011029), anything else | #GP: model-specific, read with rdmsrl_safe | #GP |
 */
#include "vmm/core/console.h"
#include "vmm/emul/msr_policy.h"
#include "vmm/exit/exit.h"
#include "vmm/guest/guest.h"
#include "vmm/io/apic.h"
#include "vmm/arch/msr.h"
#include "vmm/arch/vmcs.h"
#include "vmm/arch/vmx_caps.h"
#include "vmm/arch/x86.h"

#define MSR_GP_LOGGED 8
#define EFER_GUEST_WRITABLE (X86_EFER_SCE | X86_EFER_LME | X86_EFER_NXE)
/* IA32_MISC_ENABLE: fast strings on; BTS and PEBS unavailable (bits 11, 12). */
#define MISC_ENABLE_GUEST (MISC_ENABLE_FAST_STRING | (1ULL << 11) | (1ULL << 12))

static bool pat_valid(uint64_t pat)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned t = (pat >> (i * 8)) & 0xff;

		/* UC, WC, WT, WP, WB, UC- are the only memory types. */
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static enum exit_result msr_gp(struct vcpu *v, bool write, uint32_t msr, uint64_t val)
{
	struct guest *g = v->guest;
	const char *name = msr_name(msr);

	if (++g->stats.msr_gp <= MSR_GP_LOGGED) {
		if (write)
			xt_info("guest '%s': write of 0x%llx to MSR 0x%x%s%s: #GP", g->name,
				(unsigned long long)val, msr, name ? " " : "", name ? name : "");
		else
			xt_info("guest '%s': read of MSR 0x%x%s%s: #GP", g->name, msr,
				name ? " " : "", name ? name : "");
	}
	vcpu_inject_exception(v, X86_EXC_GP, true, 0);
	return EXIT_RESUME;
}

/*
 * IA32_TSC_ADJUST (SDM 3B, "Time-Stamp Counter Adjustment"): writing it
 * adds the difference to the TSC, here the VMCS TSC offset, so the guest's
 * RDTSC, its local APIC timer and TSC deadline all move together.
 */
static void tsc_adjust_write(struct vcpu *v, uint64_t val)
{
	v->tsc_offset += val - v->tsc_adjust;
	v->tsc_adjust = val;
	vmwrite(VMCS_TSC_OFFSET, v->tsc_offset);
}

static bool msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_IA32_TSC_ADJUST:
		*val = v->tsc_adjust;
		return true;
	case MSR_IA32_EFER:
		*val = vmread(VMCS_GUEST_IA32_EFER);
		return true;
	case MSR_IA32_PAT:
		*val = (vmx_caps.entry & VM_ENTRY_LOAD_IA32_PAT) ? vmread(VMCS_GUEST_IA32_PAT)
								  : GUEST_PAT_DEFAULT;
		return true;
	case MSR_IA32_MISC_ENABLE:
		*val = MISC_ENABLE_GUEST;
		return true;
	case MSR_IA32_FEATURE_CONTROL:
		*val = FEATURE_CONTROL_LOCKED; /* locked, VMX off */
		return true;
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_BIOS_SIGN_ID:
		*val = 0;
		return true;
	case MSR_IA32_DEBUGCTL:
		*val = vmread(VMCS_GUEST_IA32_DEBUGCTL);
		return true;
	default:
		return false;
	}
}

/* SDM 3A, "IA32_EFER": LMA is read-only, LME cannot change while paging is on. */
static bool efer_write(struct vcpu *v, uint64_t val)
{
	uint64_t cur = vmread(VMCS_GUEST_IA32_EFER);

	(void)v;
	if (val & ~(EFER_GUEST_WRITABLE | X86_EFER_LMA))
		return false;
	if ((vmread(VMCS_CR0_READ_SHADOW) & X86_CR0_PG) && ((val ^ cur) & X86_EFER_LME))
		return false;
	vmwrite(VMCS_GUEST_IA32_EFER, (val & EFER_GUEST_WRITABLE) | (cur & X86_EFER_LMA));
	return true;
}

static bool msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	switch (msr) {
	case MSR_IA32_EFER:
		return efer_write(v, val);
	case MSR_IA32_TSC_ADJUST:
		tsc_adjust_write(v, val);
		return true;
	case MSR_IA32_PAT:
		if (!pat_valid(val) || !(vmx_caps.entry & VM_ENTRY_LOAD_IA32_PAT))
			return false;
		vmwrite(VMCS_GUEST_IA32_PAT, val);
		return true;
	case MSR_IA32_MISC_ENABLE:
		/* Only the value it reads back: features cannot be switched. */
		return val == MISC_ENABLE_GUEST;
	case MSR_IA32_BIOS_SIGN_ID:
		/* Written with 0 before CPUID to read the microcode revision. */
		return true;
	case MSR_IA32_DEBUGCTL:
		/* No LBR/BTS: only the all-clear value is accepted. */
		return val == 0;
	default:
		return false;
	}
}

/* The policy's answer; a pass-through MSR never exits. The local APIC's
 * MSRs go to its model (vmm/io/apic.c) when CPUID offers them. */
static bool policy_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	switch (msr_policy(guest_cpuid_policy(), msr, false)) {
	case MSR_ACT_EMULATE:
		return msr_read(v, msr, val);
	case MSR_ACT_LAPIC:
		return apic_msr_read(v->guest, msr, val);
	case MSR_ACT_ZERO:
		*val = 0;
		return true;
	default:
		return false;
	}
}

static bool policy_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	switch (msr_policy(guest_cpuid_policy(), msr, true)) {
	case MSR_ACT_EMULATE:
		return msr_write(v, msr, val);
	case MSR_ACT_LAPIC:
		return apic_msr_write(v->guest, msr, val);
	case MSR_ACT_ZERO:
		return val == 0;
	default:
		return false;
	}
}

enum exit_result handle_msr_read(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs.gpr[REG_RCX];
	uint64_t val;

	if (!policy_read(v, msr, &val))
		return msr_gp(v, false, msr, 0);
	v->regs.gpr[REG_RAX] = (uint32_t)val;
	v->regs.gpr[REG_RDX] = val >> 32;
	vcpu_skip_insn(v);
	return EXIT_RESUME;
}

enum exit_result handle_msr_write(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs.gpr[REG_RCX];
	uint64_t val = (v->regs.gpr[REG_RDX] << 32) | (uint32_t)v->regs.gpr[REG_RAX];

	if (!policy_write(v, msr, val))
		return msr_gp(v, true, msr, val);
	vcpu_skip_insn(v);
	return EXIT_RESUME;
}
