/* SPDX-License-Identifier: MIT */
#include "vmm/guest/clock.h"

#include "devices/timebase.h"
#include "vmm/arch/x86.h"

static uint64_t tsc0, hz = 1;
static uint32_t per_bus = 1;

void clock_init(uint64_t tsc_hz, uint32_t tsc_per_bus)
{
	tsc0 = rdtsc();
	hz = tsc_hz ? tsc_hz : 1;
	per_bus = tsc_per_bus ? tsc_per_bus : 1;
}

uint64_t clock_tsc_hz(void)
{
	return hz;
}

uint32_t clock_tsc_per_bus(void)
{
	return per_bus;
}

uint64_t clock_ns(uint64_t tsc)
{
	return tsc > tsc0 ? tb_ns(tsc - tsc0, hz) : 0;
}

uint64_t clock_tsc(uint64_t ns)
{
	if (ns == TB_NEVER)
		return UINT64_MAX;
	return tsc0 + tb_ticks(ns, hz) + 1;
}
