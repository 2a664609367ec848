/* SPDX-License-Identifier: MIT */
/* Guest entry, per the xtalk guest platform (docs/guest-platform.md): 64-bit
 * mode, RSI = boot_params, a stack below 0x80000. */
	.section .text.start, "ax"
	.globl _start
_start:
	mov	%rsi, %rdi
	xor	%ebp, %ebp
	and	$-16, %rsp
	call	guest_main
	mov	%rax, %rdi
	call	guest_exit
1:	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
