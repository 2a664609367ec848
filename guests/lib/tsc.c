/* SPDX-License-Identifier: MIT */
#include "tsc.h"

#include "guest.h"

static uint64_t mhz = TSC_DEFAULT_MHZ;

void tsc_set_mhz(uint64_t m)
{
	if (m)
		mhz = m;
}

uint64_t tsc_mhz(void)
{
	return mhz;
}

uint64_t tsc_from_us(uint64_t us)
{
	return us * mhz;
}

uint64_t tsc_to_us(uint64_t cycles)
{
	return cycles / mhz;
}

uint64_t tsc_deadline_ms(uint64_t ms)
{
	return rdtsc() + tsc_from_us(ms * 1000);
}

bool tsc_expired(uint64_t deadline)
{
	return (int64_t)(rdtsc() - deadline) >= 0;
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + tsc_from_us(us);

	while (!tsc_expired(end))
		cpu_relax();
}

void mdelay(uint64_t ms)
{
	udelay(ms * 1000);
}
