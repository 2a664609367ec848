/* SPDX-License-Identifier: MIT */
/*
 * Guest time. Guests read the host's TSC unchanged (no TSC offsetting), at
 * the rate CPUID tells them (vmm/exit/cpuid.c); every emulated timer (PIT,
 * RTC, ACPI PM timer, local APIC) counts from that same TSC, so that they
 * all agree with each other and with what the guest computes from CPUID.
 * The timer models take nanoseconds since clock_init() (devices/timebase.h).
 */
#ifndef XTALK_VMM_CLOCK_H
#define XTALK_VMM_CLOCK_H

#include <stdint.h>

/* tsc_hz: the guest's TSC rate (CPUID 0x15/0x16/0x40000010); tsc_per_bus:
 * TSC ticks per local APIC timer input tick. */
void clock_init(uint64_t tsc_hz, uint32_t tsc_per_bus);
uint64_t clock_tsc_hz(void);
uint32_t clock_tsc_per_bus(void);
/* Nanoseconds of guest time at TSC value tsc. */
uint64_t clock_ns(uint64_t tsc);
/* The first TSC value at which clock_ns() reaches ns; UINT64_MAX for TB_NEVER. */
uint64_t clock_tsc(uint64_t ns);

#endif
