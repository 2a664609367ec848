/* SPDX-License-Identifier: MIT */
/*
 * Just enough ACPI table parsing to power the machine off (ACPI spec,
 * "Fixed ACPI Description Table" and "\_S5 Soft Off"). Pure: tables are
 * reached through a mapping callback, so the host tests feed fake tables.
 */
#ifndef XTALK_VMM_ACPI_H
#define XTALK_VMM_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Return a pointer to len bytes at physical address pa, or NULL. */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t pa, size_t len);

struct acpi_power {
	uint16_t pm1a_cnt, pm1b_cnt;  /* I/O ports, 0 if absent */
	uint16_t smi_cmd;             /* 0 if ACPI is always enabled */
	uint8_t acpi_enable;
	uint8_t slp_typa, slp_typb;   /* \_S5 package values */
	bool valid;
};

/* Find the FADT from the RSDP and the \_S5 values in the DSDT. 0 or -XT_E*. */
int acpi_parse_power(uint64_t rsdp_pa, acpi_map_fn map, void *ctx, struct acpi_power *out);
/* Find the \_S5 package in AML; 0 and the two SLP_TYP values, or -XT_ENOENT. */
int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb);

#define ACPI_PM1_SCI_EN (1U << 0)
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_EN (1U << 13)

#endif
