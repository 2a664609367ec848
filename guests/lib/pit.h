/* SPDX-License-Identifier: MIT */
/*
 * The 8254 PIT's channel 0 as a one-shot wake-up (mode 0, "interrupt on
 * terminal count", on IRQ 0 of the 8259): a guest that sleeps in HLT until
 * a deadline arms it, so the deadline ends the sleep even when no device
 * interrupts (an answer that never comes).
 */
#ifndef XTALK_GUEST_PIT_H
#define XTALK_GUEST_PIT_H

#include <stdint.h>

#define PIT_HZ 1193182u          /* input clock */
#define PIT_ONESHOT_MAX_US 54925u /* 65536 counts */

/* IRQ 0's handler (it only counts: the interrupt itself ends the HLT), the
 * line unmasked. After pic_init(). */
int pit_init(void);
/* OUT0 rises, and IRQ 0 fires, once in us microseconds (1 to
 * PIT_ONESHOT_MAX_US; longer values are cut there: the sleeper re-arms). */
void pit_arm_us(uint64_t us);
/* One-shot expiries seen so far. */
uint64_t pit_fired(void);

#endif
