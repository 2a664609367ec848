/* SPDX-License-Identifier: MIT */
/* Prints numbered lines with a busy wait between them and never yields: two
 * tickers only interleave if the VMM preempts them. */
#include "guest.h"

#define TICKS 40
#define SPIN_PER_TICK 300000UL

long guest_main(const uint8_t *boot_params)
{
	(void)boot_params;
	print("ticker: start\n");
	for (unsigned i = 0; i < TICKS; i++) {
		print("tick %u of %u\n", i, TICKS);
		spin(SPIN_PER_TICK);
	}
	print("ticker: done\n");
	return 0;
}
