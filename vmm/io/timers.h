/* SPDX-License-Identifier: MIT */
/*
 * A guest's timers on its I/O bus and their interrupts: the 8254 PIT (ports
 * 0x40-0x43, port 0x61; OUT0 on IRQ 0), the MC146818 RTC/CMOS (0x70-0x71;
 * IRQ 8), the ACPI PM1 registers and PM timer (firmware/fw_config.h ports),
 * and the local APIC timer. The models compute their state from the guest
 * time (vmm/guest/clock.h) when asked; platform_tick() turns what happened
 * since the last call into interrupt lines and says when it next has work,
 * which the scheduler uses for the VMX preemption timer and to wake halted
 * vCPUs.
 */
#ifndef XTALK_VMM_TIMERS_H
#define XTALK_VMM_TIMERS_H

#include "vmm/guest/guest.h"

/* The timers in their reset state, the RTC set to the machine's time. */
int timers_create(struct guest *g);
/* After a reboot: the PIT and PM1 registers as at power-on; the RTC runs on. */
void timers_reset(struct guest *g);
/* Raise what is due; cheap when nothing is (one TSC compare). */
void platform_tick(struct guest *g);
/* Something changed a timer's programming: re-evaluate at the next tick. */
static inline void platform_retick(struct guest *g)
{
	g->tick_due = 0;
}
/* TSC at which an interrupt a halted vCPU would take may become pending
 * (UINT64_MAX: none). Valid after platform_tick(). */
uint64_t platform_wake_tsc(const struct guest *g);

#endif
