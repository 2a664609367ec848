/* SPDX-License-Identifier: MIT */
/*
 * RDMSR/WRMSR exits. The MSR bitmap (vmm/arch/vmcs.c) lets through the MSRs each
 * guest owns outright; everything else lands here. The few MSRs a guest of
 * this platform may use are emulated; any other access raises #GP, as a CPU
 * does for an MSR it does not implement.
 */
#include "vmm/core/console.h"
#include "vmm/exit/exit.h"
#include "vmm/guest/guest.h"
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

	if (++g->stats.msr_gp <= MSR_GP_LOGGED) {
		if (write)
			xt_info("guest '%s': write of 0x%llx to MSR 0x%x: #GP", g->name,
				(unsigned long long)val, msr);
		else
			xt_info("guest '%s': read of MSR 0x%x: #GP", g->name, msr);
	}
	vcpu_inject_exception(v, X86_EXC_GP, true, 0);
	return EXIT_RESUME;
}

static bool msr_read(uint32_t msr, uint64_t *val)
{
	switch (msr) {
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

enum exit_result handle_msr_read(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs.gpr[REG_RCX];
	uint64_t val;

	if (!msr_read(msr, &val))
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

	if (!msr_write(v, msr, val))
		return msr_gp(v, true, msr, val);
	vcpu_skip_insn(v);
	return EXIT_RESUME;
}
