/* SPDX-License-Identifier: MIT */
/*
 * Guest general-purpose registers as the VM-exit stub saves them. The slot
 * numbers are the x86 register numbers (ModRM/REX encoding), so an
 * instruction decoder's register field indexes gpr[] directly. RSP lives in
 * the VMCS; its slot is only a placeholder kept in sync by vcpu_gpr_read/
 * vcpu_gpr_write. Shared with vmx_run.S (byte offsets below).
 */
#ifndef XTALK_VMM_REGS_H
#define XTALK_VMM_REGS_H

#define REG_RAX 0
#define REG_RCX 1
#define REG_RDX 2
#define REG_RBX 3
#define REG_RSP 4
#define REG_RBP 5
#define REG_RSI 6
#define REG_RDI 7
#define REG_R8 8
#define REG_R9 9
#define REG_R10 10
#define REG_R11 11
#define REG_R12 12
#define REG_R13 13
#define REG_R14 14
#define REG_R15 15
#define REG_COUNT 16

#define GUEST_REGS_CR2_OFFSET (REG_COUNT * 8)

#ifndef __ASSEMBLER__
#include <stdint.h>

struct guest_regs {
	uint64_t gpr[REG_COUNT];
	uint64_t cr2;
};

/* int vmx_run(struct guest_regs *regs, int launched) (vmm/arch/vmx_run.S):
 * enter the guest whose VMCS is current; returns 0 after a VM exit, 1 on
 * VMfailInvalid, 2 on VMfailValid (read VMCS_VM_INSTRUCTION_ERROR). */
int vmx_run(struct guest_regs *regs, int launched);
void vmx_exit_entry(void);
#endif

#endif
