/* SPDX-License-Identifier: MIT */
/*
 * VM entry and the VM-exit stub. vmx_run() saves the host's callee-saved
 * registers, records the stack pointer as VMCS_HOST_RSP, loads the guest's
 * registers and enters the guest. A VM exit lands at vmx_exit_entry with that
 * stack: it stores the guest registers back and returns 0 from vmx_run().
 */
#include "vmm/arch/regs.h"

#define VMCS_HOST_RSP 0x6c14
#define GR(r) (REG_##r * 8)

	.text
	.globl vmx_run
	.type vmx_run, @function
vmx_run:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi			/* struct guest_regs *, at the exit RSP */
	mov	$VMCS_HOST_RSP, %rax
	vmwrite	%rsp, %rax
	jbe	.Lfail

	mov	GUEST_REGS_CR2_OFFSET(%rdi), %rax
	mov	%rax, %cr2
	test	%esi, %esi		/* ZF survives the moves below */
	mov	GR(RAX)(%rdi), %rax
	mov	GR(RCX)(%rdi), %rcx
	mov	GR(RDX)(%rdi), %rdx
	mov	GR(RBX)(%rdi), %rbx
	mov	GR(RBP)(%rdi), %rbp
	mov	GR(RSI)(%rdi), %rsi
	mov	GR(R8)(%rdi), %r8
	mov	GR(R9)(%rdi), %r9
	mov	GR(R10)(%rdi), %r10
	mov	GR(R11)(%rdi), %r11
	mov	GR(R12)(%rdi), %r12
	mov	GR(R13)(%rdi), %r13
	mov	GR(R14)(%rdi), %r14
	mov	GR(R15)(%rdi), %r15
	mov	GR(RDI)(%rdi), %rdi
	jnz	1f
	vmlaunch
	jmp	.Lfail
1:	vmresume

.Lfail:
	/* VMfailInvalid sets CF, VMfailValid sets ZF. */
	mov	$2, %eax
	mov	$1, %ecx
	cmovc	%ecx, %eax
	add	$8, %rsp
	jmp	.Lreturn

	.globl vmx_exit_entry
	.type vmx_exit_entry, @function
vmx_exit_entry:
	xchg	%rdi, (%rsp)		/* rdi = regs, stack slot = guest rdi */
	mov	%rax, GR(RAX)(%rdi)
	mov	%rcx, GR(RCX)(%rdi)
	mov	%rdx, GR(RDX)(%rdi)
	mov	%rbx, GR(RBX)(%rdi)
	mov	%rbp, GR(RBP)(%rdi)
	mov	%rsi, GR(RSI)(%rdi)
	mov	%r8, GR(R8)(%rdi)
	mov	%r9, GR(R9)(%rdi)
	mov	%r10, GR(R10)(%rdi)
	mov	%r11, GR(R11)(%rdi)
	mov	%r12, GR(R12)(%rdi)
	mov	%r13, GR(R13)(%rdi)
	mov	%r14, GR(R14)(%rdi)
	mov	%r15, GR(R15)(%rdi)
	pop	%rax
	mov	%rax, GR(RDI)(%rdi)
	mov	%cr2, %rax
	mov	%rax, GUEST_REGS_CR2_OFFSET(%rdi)
	xor	%eax, %eax

.Lreturn:
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret

	.section .note.GNU-stack, "", @progbits
