/* SPDX-License-Identifier: MIT */
/*
 * Conversion between the VMM's time (nanoseconds, a monotonically increasing
 * count the caller keeps, e.g. derived from the TSC) and the number of pulses
 * an input clock of hz Hz has produced since time 0. Used by the timer models
 * (devices/pit8254.c, mc146818.c, acpi_pm_timer.c), which never read a clock
 * themselves.
 *
 * Both functions are exact integer arithmetic without 128-bit division (the
 * VMM is freestanding and has no libgcc): for ns = q * 10^9 + r,
 * floor(ns * hz / 10^9) = q * hz + floor(r * hz / 10^9). They are exact for
 * hz < 1.8 * 10^10 and ns below 2^64 / hz seconds' worth (584 years at
 * 1 GHz, far beyond any run).
 */
#ifndef XTALK_DEVICES_TIMEBASE_H
#define XTALK_DEVICES_TIMEBASE_H

#include <stdint.h>

#define TB_NS_PER_SEC	1000000000ull
#define TB_NEVER	UINT64_MAX	/* "no such event" */

/* Pulses of an hz clock in [0, ns]: floor(ns * hz / 10^9). */
static inline uint64_t tb_ticks(uint64_t ns, uint64_t hz)
{
	return ns / TB_NS_PER_SEC * hz + ns % TB_NS_PER_SEC * hz / TB_NS_PER_SEC;
}

/* The first nanosecond at which tb_ticks() reaches ticks; TB_NEVER if past 2^64. */
static inline uint64_t tb_ns(uint64_t ticks, uint64_t hz)
{
	uint64_t q = ticks / hz, r = ticks % hz;

	if (ticks == TB_NEVER || q > (UINT64_MAX - TB_NS_PER_SEC) / TB_NS_PER_SEC)
		return TB_NEVER;
	return q * TB_NS_PER_SEC + (r * TB_NS_PER_SEC + hz - 1) / hz;
}

#endif
