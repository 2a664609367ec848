/* SPDX-License-Identifier: MIT */
#include "vmm/core/power.h"

#include "vmm/core/acpi.h"
#include "vmm/core/console.h"
#include "vmm/core/palloc.h"
#include "vmm/arch/x86.h"

/* Bochs: the string "Shutdown" written to this port ends the simulation. */
#define BOCHS_SHUTDOWN_PORT 0x8900

static struct acpi_power acpi;

static const void *identity_map(void *ctx, uint64_t pa, size_t len)
{
	(void)ctx;
	(void)len;
	return phys_to_virt(pa);
}

void power_init(uint64_t acpi_rsdp)
{
	if (!acpi_rsdp || acpi_parse_power(acpi_rsdp, identity_map, NULL, &acpi)) {
		xt_info("no usable ACPI FADT and \\_S5 from the firmware: "
			"power-off will only work through an emulator's shutdown port");
		return;
	}
	xt_debug("ACPI power-off: PM1a_CNT 0x%x SLP_TYP %u", acpi.pm1a_cnt, acpi.slp_typa);
}

static void delay(void)
{
	for (volatile unsigned i = 0; i < 1000000; i++)
		cpu_relax();
}

static void acpi_s5(void)
{
	if (!acpi.valid)
		return;
	if (!(inw(acpi.pm1a_cnt) & ACPI_PM1_SCI_EN) && acpi.smi_cmd && acpi.acpi_enable) {
		outb(acpi.smi_cmd, acpi.acpi_enable);
		for (unsigned i = 0; i < 1000 && !(inw(acpi.pm1a_cnt) & ACPI_PM1_SCI_EN); i++)
			delay();
	}
	outw(acpi.pm1a_cnt, (uint16_t)(acpi.slp_typa << ACPI_PM1_SLP_TYP_SHIFT | ACPI_PM1_SLP_EN));
	if (acpi.pm1b_cnt)
		outw(acpi.pm1b_cnt,
		     (uint16_t)(acpi.slp_typb << ACPI_PM1_SLP_TYP_SHIFT | ACPI_PM1_SLP_EN));
	delay();
}

void power_off_or_halt(void)
{
	xt_info("powering off");
	con_flush();
	acpi_s5();
	for (const char *s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	delay();
	xt_err("power-off failed: machine halted, it is safe to turn it off");
	con_flush();
	halt_forever();
}
