/* SPDX-License-Identifier: MIT */
/*
 * Model of the ACPI power management timer (ACPI specification, "Power
 * Management Timer" and "PM Timer (PM_TMR)" in "ACPI Hardware
 * Specification", and the FADT fields PM_TMR_BLK, PM_TMR_LEN = 4 and flag
 * TMR_VAL_EXT): a free-running counter at 3.579545 MHz, 24 bits wide (bits
 * 31:24 read 0) or 32 bits with TMR_VAL_EXT, read-only, in one 32-bit I/O
 * register at a port the VMM chooses and reports in the FADT.
 *
 * Time: the value is a function of now_ns, the VMM's monotonically
 * increasing count of nanoseconds (the guest's time): the number of
 * 3.579545 MHz pulses since time 0 (devices/timebase.h), modulo 2^24 or 2^32.
 * The model never reads a clock and keeps no state besides its port and
 * width, so an earlier now_ns gives an earlier value: the caller passes
 * times that only grow.
 *
 * Choices where the specification leaves room:
 * - The counter is 0 at the VMM's time 0.
 * - Byte and word reads at the register's four ports return those bytes of
 *   the value (the specification asks for 32-bit reads); writes are ignored.
 * - TMR_STS and TMR_EN (the carry interrupt, an SCI) live in the PM1 event
 *   block, which is not part of this model; acpi_pm_timer_next_carry() gives
 *   the time TMR_STS would be set, for a model that has that block.
 */
#ifndef XTALK_DEVICES_ACPI_PM_TIMER_H
#define XTALK_DEVICES_ACPI_PM_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define ACPI_PM_TIMER_HZ	3579545u	/* 14.31818 MHz / 4 */
#define ACPI_PM_TIMER_LEN	4		/* FADT PM_TMR_LEN */
#define ACPI_PM_TMR_VAL_24	0x00ffffffu
#define ACPI_PM_TMR_VAL_32	0xffffffffu

struct acpi_pm_timer {
	uint16_t port;		/* PM_TMR_BLK */
	bool ext32;		/* TMR_VAL_EXT: 32-bit counter */
};

void acpi_pm_timer_init(struct acpi_pm_timer *t, uint16_t port, bool ext32);

/* True for the register's ports [port, port + 4). */
bool acpi_pm_timer_claims_port(const struct acpi_pm_timer *t, uint16_t port);

/* TMR_VAL at now_ns. */
uint32_t acpi_pm_timer_value(const struct acpi_pm_timer *t, uint64_t now_ns);

/* A read of size 1, 2 or 4 bytes at port; all-ones outside the register. */
uint32_t acpi_pm_timer_read(const struct acpi_pm_timer *t, uint16_t port, unsigned size,
			    uint64_t now_ns);

/* The first nanosecond after now_ns at which bit 23 (31 with ext32) changes. */
uint64_t acpi_pm_timer_next_carry(const struct acpi_pm_timer *t, uint64_t now_ns);

#endif
