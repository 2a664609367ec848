/* SPDX-License-Identifier: MIT */
/* Exception and interrupt entry for test guests: push vector and error code
 * (0 when the CPU pushes none), call guest_exception(frame), return with
 * IRETQ (the handler may move RIP). Vectors 0-31 are exceptions, 32-47 the
 * two 8259s' IRQ 0-15 (pic.c). */
	.text
.macro ISR vec, has_error
isr\vec:
	.if \has_error == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	isr_common
.endm

ISR 0,0
ISR 1,0
ISR 2,0
ISR 3,0
ISR 4,0
ISR 5,0
ISR 6,0
ISR 7,0
ISR 8,1
ISR 9,0
ISR 10,1
ISR 11,1
ISR 12,1
ISR 13,1
ISR 14,1
ISR 15,0
ISR 16,0
ISR 17,1
ISR 18,0
ISR 19,0
ISR 20,0
ISR 21,1
ISR 22,0
ISR 23,0
ISR 24,0
ISR 25,0
ISR 26,0
ISR 27,0
ISR 28,0
ISR 29,1
ISR 30,1
ISR 31,0
.irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
ISR \v,0
.endr

isr_common:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%rbx
	lea	80(%rsp), %rdi		/* -> vector, error, rip, cs, ... */
	mov	%rsp, %rbx
	and	$-16, %rsp
	call	guest_exception
	mov	%rbx, %rsp
	pop	%rbx
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$16, %rsp
	iretq

	.section .rodata
	.globl guest_isr_table
	.align 8
guest_isr_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr\v
	.endr
	.irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	.quad isr\v
	.endr

	.section .note.GNU-stack, "", @progbits
