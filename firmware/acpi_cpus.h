/* SPDX-License-Identifier: MIT */
/*
 * The processor objects of the guest's namespace, as AML for an SSDT: one
 * "Processor Device" (_HID ACPI0007) per CPU in \_SB, named CPnn (nn the
 * CPU's index in hex), whose _UID is the ACPI Processor UID of its MADT
 * "Processor Local APIC Structure" (the index). ACPI 6.3, "Declaring
 * Processors". Generated rather than compiled because their number varies.
 * Used by acpi_tables.c only.
 */
#ifndef XTALK_FIRMWARE_ACPI_CPUS_H
#define XTALK_FIRMWARE_ACPI_CPUS_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of AML (after the table header) for cpus processors. */
size_t acpi_cpus_aml_len(unsigned cpus);
/* Write that AML at aml; returns the bytes written. */
size_t acpi_cpus_aml(uint8_t *aml, unsigned cpus);

#endif
