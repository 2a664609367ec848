/* SPDX-License-Identifier: MIT */
/*
 * Privileged-instruction wrappers of the VMM (Intel SDM vol. 3A): MSRs,
 * control registers, interrupts, x87/SSE state. The architectural
 * definitions and the unprivileged helpers are in lib/x86.h.
 */
#ifndef XTALK_VMM_X86_H
#define XTALK_VMM_X86_H

#include <stdint.h>

#include "lib/x86.h"

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

#define DEFINE_CR_ACCESSORS(n)                                                 \
	static inline uint64_t read_cr##n(void)                                \
	{                                                                      \
		uint64_t v;                                                    \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));              \
		return v;                                                      \
	}                                                                      \
	static inline void write_cr##n(uint64_t v)                             \
	{                                                                      \
		__asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory");       \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline void cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

struct __attribute__((packed)) x86_dtr {
	uint16_t limit;
	uint64_t base;
};

static inline void fxsave(void *area)
{
	__asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

static inline void fxrstor(const void *area)
{
	__asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

/* Busy-wait at least us microseconds of a TSC running at tsc_hz (0: not
 * calibrated, about 1 us per 1000 pauses). */
static inline void tsc_delay_us(uint64_t tsc_hz, unsigned us)
{
	uint64_t start = rdtsc(), ticks;

	if (!tsc_hz) {
		for (uint64_t i = 0; i < (uint64_t)us * 1000; i++)
			cpu_relax();
		return;
	}
	ticks = (uint64_t)us * (tsc_hz / 1000) / 1000;
	while (rdtsc() - start < ticks)
		cpu_relax();
}

/* A port access of size 1, 2 or 4 bytes (other sizes: 4). */
static inline uint32_t port_in(uint16_t port, unsigned size)
{
	if (size == 1)
		return inb(port);
	return size == 2 ? inw(port) : inl(port);
}

static inline void port_out(uint16_t port, unsigned size, uint32_t val)
{
	if (size == 1)
		outb(port, (uint8_t)val);
	else if (size == 2)
		outw(port, (uint16_t)val);
	else
		outl(port, val);
}

#endif
