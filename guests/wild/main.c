/* SPDX-License-Identifier: MIT */
/* Writes to a guest-physical address far outside its RAM. The VMM must stop
 * it and report exactly this GPA and the RIP of the store. */
#include "guest.h"

#define WILD_GPA 0x40000000UL /* 1 GiB: identity-mapped by the boot page tables, not RAM */

long guest_main(const uint8_t *boot_params)
{
	extern const char wild_store[];

	(void)boot_params;
	print("wild: storing to GPA 0x%lx at RIP 0x%lx\n", WILD_GPA, (unsigned long)wild_store);
	__asm__ volatile(".globl wild_store\n"
			 "wild_store: movl $0x1badb002, (%0)"
			 :
			 : "r"(WILD_GPA)
			 : "memory");
	print("wild: still alive, this is wrong\n");
	return 1;
}
