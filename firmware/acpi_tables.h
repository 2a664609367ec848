/* SPDX-License-Identifier: MIT */
/*
 * The ACPI tables of a guest (ACPI Specification 6.3), written into one
 * buffer that the VMM then places at guest-physical address base_gpa:
 *
 *   offset 0      RSDP (revision 2: both checksums, XsdtAddress; no RSDT)
 *   then          FACS (64-byte aligned, as "Firmware ACPI Control
 *                 Structure" requires), XSDT, FADT, MADT, SSDT (the
 *                 processor devices, firmware/acpi_cpus.c), HPET (only when
 *                 fw_config.hpet), DSDT (compiled from firmware/dsdt.asl by
 *                 iasl at build time, copied whole), each 16-byte aligned.
 *
 * Every pointer inside (RSDP -> XSDT -> FADT, MADT, SSDT, HPET; FADT ->
 * FACS, DSDT) is a guest-physical address base_gpa + offset, so the buffer is
 * meaningful only at that address. The OS finds the RSDP either through
 * boot_params.acpi_rsdp_addr (= layout.rsdp) or by scanning the first KiB of
 * the EBDA and 0xE0000-0xFFFFF on 16-byte boundaries ("Finding the RSDP on
 * IA-PC Systems"); placing it there is the VMM's job.
 *
 * Pure: no allocation, no global state; the DSDT bytes are const data.
 */
#ifndef XTALK_FIRMWARE_ACPI_TABLES_H
#define XTALK_FIRMWARE_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/fw_config.h"

#define ACPI_TABLES_ALIGN	64	/* base_gpa alignment: the FACS needs 64 */
#define ACPI_OEM_ID		"XTALK "
#define ACPI_OEM_TABLE_ID	"XTALKVM "

/* Where each table landed: guest-physical addresses (0: not generated). */
struct acpi_tables_layout {
	uint64_t rsdp, facs, xsdt, fadt, madt, ssdt, hpet, dsdt;
	size_t size;		/* bytes used from the start of the buffer */
};

/*
 * Bytes the tables for *c need (0 if *c is invalid). The VMM reserves this
 * much guest memory (e820 "ACPI reclaim" or reserved) at base_gpa.
 */
size_t acpi_tables_size(const struct fw_config *c);

/*
 * Write the tables for *c into buf[0..size), for guest-physical address
 * base_gpa, and fill *out. Bytes of buf past out->size are not touched.
 * Returns 0, or:
 *   -XT_EINVAL  fw_config_check() refuses *c, or base_gpa is not
 *               ACPI_TABLES_ALIGN-aligned;
 *   -XT_ERANGE  the tables would not lie wholly below 4 GiB (the FADT's
 *               32-bit DSDT and FIRMWARE_CTRL fields, and OSes that scan
 *               for the RSDP, need them there);
 *   -XT_ENOSPC  size < acpi_tables_size(c).
 * On error nothing is written to buf.
 */
int acpi_tables_build(const struct fw_config *c, uint64_t base_gpa, uint8_t *buf, size_t size,
		      struct acpi_tables_layout *out);

/* The compiled DSDT (whole table, header included), with or without the
 * HPET device: what acpi_tables_build copies. Generated at build time. */
extern const uint8_t fw_dsdt_aml[];
extern const size_t fw_dsdt_aml_len;
extern const uint8_t fw_dsdt_hpet_aml[];
extern const size_t fw_dsdt_hpet_aml_len;

#endif
