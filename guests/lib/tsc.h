/* SPDX-License-Identifier: MIT */
/*
 * Time from the TSC, the clock a test guest reads (waits with a deadline
 * are ended by the PIT: pit.h). The
 * rate is an assumption: TSC_DEFAULT_MHZ (Bochs' emulated TSC) unless a
 * guest sets another one (command line key tsc_mhz=).
 */
#ifndef XTALK_GUEST_TSC_H
#define XTALK_GUEST_TSC_H

#include <stdbool.h>
#include <stdint.h>

#define TSC_DEFAULT_MHZ 200

void tsc_set_mhz(uint64_t mhz);
uint64_t tsc_mhz(void);
uint64_t tsc_from_us(uint64_t us);
uint64_t tsc_to_us(uint64_t cycles);
/* The TSC value ms milliseconds from now. */
uint64_t tsc_deadline_ms(uint64_t ms);
bool tsc_expired(uint64_t deadline);
void udelay(uint64_t us);
void mdelay(uint64_t ms);

#endif
