/* SPDX-License-Identifier: MIT */
/* Operations on the vCPU whose VMCS is current. */
#include "vmm/guest/vcpu.h"

#include <stddef.h>

#include "vmm/core/console.h"
#include "vmm/guest/guest.h"
#include "vmm/arch/vmx.h"
#include "vmm/arch/vmx_caps.h"
#include "vmm/arch/x86.h"

/* vmx_run.S addresses struct guest_regs by these offsets. */
_Static_assert(offsetof(struct guest_regs, gpr[REG_RAX]) == REG_RAX * 8, "regs layout");
_Static_assert(offsetof(struct guest_regs, gpr[REG_R15]) == REG_R15 * 8, "regs layout");
_Static_assert(offsetof(struct guest_regs, cr2) == GUEST_REGS_CR2_OFFSET, "regs layout");

/* Complete an instruction of len bytes: advance RIP and drop the
 * one-instruction interrupt shadow of STI/MOV SS, as the CPU would after
 * executing it. */
void vcpu_advance_rip(struct vcpu *v, unsigned len)
{
	uint64_t intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);

	(void)v;
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + len);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			intr & ~(uint64_t)(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/* Complete the instruction that caused this exit (its length is in the VMCS
 * for instruction-caused exits, not for EPT violations). */
void vcpu_skip_insn(struct vcpu *v)
{
	vcpu_advance_rip(v, (unsigned)vmread(VMCS_EXIT_INSTRUCTION_LEN));
}

/* Deliver a hardware exception at the next VM entry (RIP unchanged: the
 * faulting instruction is the one that exited). */
void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error)
{
	uint32_t info = (vector & INTR_INFO_VECTOR_MASK) | INTR_TYPE_HW_EXCEPTION | INTR_INFO_VALID;

	if (has_error) {
		info |= INTR_INFO_DELIVER_CODE;
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
	v->guest->stats.exceptions_injected++;
}

uint64_t vcpu_gpr_read(struct vcpu *v, unsigned reg)
{
	reg &= REG_COUNT - 1;
	return reg == REG_RSP ? vmread(VMCS_GUEST_RSP) : v->regs.gpr[reg];
}

void vcpu_gpr_write(struct vcpu *v, unsigned reg, uint64_t val)
{
	reg &= REG_COUNT - 1;
	if (reg == REG_RSP)
		vmwrite(VMCS_GUEST_RSP, val);
	else
		v->regs.gpr[reg] = val;
}

/* CPL is SS.DPL (SDM 3A, "Privilege Levels"). */
unsigned vcpu_cpl(struct vcpu *v)
{
	(void)v;
	return (vmread(VMCS_GUEST_SS_AR) >> VMX_AR_DPL_SHIFT) & 3;
}

void vcpu_set_pause_exiting(struct vcpu *v, bool on)
{
	uint32_t want;

	if (!(vmx_caps.proc & CPU_BASED_PAUSE_EXITING))
		return;
	want = on ? v->proc_ctls | CPU_BASED_PAUSE_EXITING
		  : v->proc_ctls & ~CPU_BASED_PAUSE_EXITING;
	if (want != v->proc_ctls) {
		v->proc_ctls = want;
		vmwrite(VMCS_PROC_BASED_CTLS, want);
	}
}

void vcpu_dump(struct vcpu *v)
{
	static const char *const names[REG_COUNT] = {
		"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
		"R8",  "R9",  "R10", "R11", "R12", "R13", "R14", "R15",
	};

	con_printf("  exit reason %llu qualification 0x%llx instruction length %llu\n",
		   (unsigned long long)v->exit_reason, (unsigned long long)v->exit_qual,
		   (unsigned long long)vmread(VMCS_EXIT_INSTRUCTION_LEN));
	con_printf("  RIP %016llx RSP %016llx RFLAGS %016llx\n",
		   (unsigned long long)vmread(VMCS_GUEST_RIP),
		   (unsigned long long)vmread(VMCS_GUEST_RSP),
		   (unsigned long long)vmread(VMCS_GUEST_RFLAGS));
	con_printf("  CR0 %016llx CR3 %016llx CR4 %016llx EFER %016llx\n",
		   (unsigned long long)vmread(VMCS_CR0_READ_SHADOW),
		   (unsigned long long)vmread(VMCS_GUEST_CR3),
		   (unsigned long long)vmread(VMCS_CR4_READ_SHADOW),
		   (unsigned long long)vmread(VMCS_GUEST_IA32_EFER));
	con_printf("  CS %04llx AR %05llx SS %04llx AR %05llx interruptibility %llx\n",
		   (unsigned long long)vmread(VMCS_GUEST_CS_SELECTOR),
		   (unsigned long long)vmread(VMCS_GUEST_CS_AR),
		   (unsigned long long)vmread(VMCS_GUEST_SS_SELECTOR),
		   (unsigned long long)vmread(VMCS_GUEST_SS_AR),
		   (unsigned long long)vmread(VMCS_GUEST_INTERRUPTIBILITY));
	con_printf("  exit interruption info %08llx IDT-vectoring info %08llx GPA %016llx GLA %016llx\n",
		   (unsigned long long)vmread(VMCS_EXIT_INTR_INFO),
		   (unsigned long long)vmread(VMCS_IDT_VECTORING_INFO),
		   (unsigned long long)vmread(VMCS_GUEST_PHYSICAL_ADDRESS),
		   (unsigned long long)vmread(VMCS_GUEST_LINEAR_ADDRESS));
	for (unsigned i = 0; i < REG_COUNT; i += 4)
		con_printf("  %-3s %016llx %-3s %016llx %-3s %016llx %-3s %016llx\n", names[i],
			   (unsigned long long)vcpu_gpr_read(v, i), names[i + 1],
			   (unsigned long long)vcpu_gpr_read(v, i + 1), names[i + 2],
			   (unsigned long long)vcpu_gpr_read(v, i + 2), names[i + 3],
			   (unsigned long long)vcpu_gpr_read(v, i + 3));
}
