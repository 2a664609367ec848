/* SPDX-License-Identifier: MIT */
/* vmm_start(struct xt_boot_info *bi, uint64_t stack_top): leave the firmware's
 * stack for the VMM's own and call vmm_main(bi), which never returns. */
	.text
	.globl vmm_start
	.type vmm_start, @function
vmm_start:
	cli
	mov	%rsi, %rsp
	xor	%ebp, %ebp
	call	vmm_main
1:	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
