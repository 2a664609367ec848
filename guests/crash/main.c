/* SPDX-License-Identifier: MIT */
/* Triple-faults on purpose: with no IDT (the xtalk boot state has IDTR limit
 * 0), UD2 -> #UD cannot be delivered -> #GP -> #DF -> triple fault. */
#include "guest.h"

long guest_main(const uint8_t *boot_params)
{
	(void)boot_params;
	print("crash: executing UD2 without an IDT\n");
	__asm__ volatile("ud2");
	print("crash: still alive, this is wrong\n");
	return 1;
}
