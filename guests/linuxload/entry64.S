/* SPDX-License-Identifier: MIT */
/*
 * The Linux 64-bit boot protocol enters a kernel at its load address +
 * 0x200. This guest is linked at 1 MiB like every other (guests/lib/guest.ld)
 * and this section comes first in it, so 0x100200 is where
 * scripts/mkbzimage.py expects linux_entry64 (it checks). Loaded as an ELF
 * the guest starts at _start instead; both end in guest_main().
 */
	.section .text.start, "ax"
	.globl linuxload_head
linuxload_head:
	.skip 0x200, 0xcc
	.globl linux_entry64
linux_entry64:
	jmp	_start

	.section .note.GNU-stack, "", @progbits
