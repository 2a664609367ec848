// SPDX-License-Identifier: MIT
/*
 * ACPI PM timer: TMR_VAL as a function of the guest's time. The
 * specification sections followed and the choices made are in the header.
 */
#include "devices/acpi_pm_timer.h"

#include "devices/timebase.h"

void acpi_pm_timer_init(struct acpi_pm_timer *t, uint16_t port, bool ext32)
{
	t->port = port;
	t->ext32 = ext32;
}

bool acpi_pm_timer_claims_port(const struct acpi_pm_timer *t, uint16_t port)
{
	return port >= t->port && port - t->port < ACPI_PM_TIMER_LEN;
}

static uint32_t mask(const struct acpi_pm_timer *t)
{
	return t->ext32 ? ACPI_PM_TMR_VAL_32 : ACPI_PM_TMR_VAL_24;
}

uint32_t acpi_pm_timer_value(const struct acpi_pm_timer *t, uint64_t now_ns)
{
	return (uint32_t)tb_ticks(now_ns, ACPI_PM_TIMER_HZ) & mask(t);
}

uint32_t acpi_pm_timer_read(const struct acpi_pm_timer *t, uint16_t port, unsigned size,
			    uint64_t now_ns)
{
	uint32_t ones = size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;

	if (size == 0 || size == 3 || size > 4 || !acpi_pm_timer_claims_port(t, port))
		return ones;

	unsigned shift = 8 * (unsigned)(port - t->port);

	return (acpi_pm_timer_value(t, now_ns) >> shift) & ones;
}

uint64_t acpi_pm_timer_next_carry(const struct acpi_pm_timer *t, uint64_t now_ns)
{
	uint64_t half = (uint64_t)mask(t) / 2 + 1;	/* 2^23 or 2^31 pulses */
	uint64_t now = tb_ticks(now_ns, ACPI_PM_TIMER_HZ);

	return tb_ns((now / half + 1) * half, ACPI_PM_TIMER_HZ);
}
