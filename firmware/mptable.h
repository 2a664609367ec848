/* SPDX-License-Identifier: MIT */
/*
 * The Intel MultiProcessor Specification 1.4 table of a guest, for an OS
 * that does not use ACPI (Linux with acpi=off): the MP floating pointer
 * structure at offset 0 and the configuration table right after it, at
 * guest-physical address base_gpa + 16. It describes the platform of
 * fw_config.h exactly as the MADT and the DSDT's _PRT do:
 *
 *   processors   one entry per CPU, the first the bootstrap processor;
 *   buses        0 = PCI (bus 0), 1 = ISA;
 *   I/O APIC     fw_config.ioapic_id at ioapic_addr;
 *   I/O ints     ISA IRQs 0-15 to their IOAPIC pins, applying the ISA
 *                overrides (IRQ 0 -> pin 2; an ISA IRQ whose pin another IRQ
 *                took, IRQ 2, has none); every PCI slot 0-31, INTA-INTD to
 *                pin fw_pci_gsi(slot, pin) - gsi_base, level, active low;
 *   local ints   ExtINT on LINT0 and NMI on LINT1 of every local APIC.
 *
 * No IMCR (feature byte 2 bit 7 clear): the 8259s reach the CPU through
 * LINT0 in virtual wire mode. An OS scans for the floating pointer in the
 * first KiB of the EBDA, the last KiB of base memory or 0xF0000-0xFFFFF;
 * placing it there is the VMM's job.
 */
#ifndef XTALK_FIRMWARE_MPTABLE_H
#define XTALK_FIRMWARE_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/fw_config.h"

#define MPTABLE_ALIGN		16
#define MPTABLE_BUS_PCI		0
#define MPTABLE_BUS_ISA		1
#define MPTABLE_OEM		"XTALK   "
#define MPTABLE_PRODUCT		"XTALKVM     "

struct mptable_layout {
	uint64_t floating;	/* guest-physical address of the floating pointer */
	uint64_t config;	/* ... and of the configuration table */
	size_t size;		/* bytes used from the start of the buffer */
	unsigned entries;	/* configuration table entries */
};

/* Bytes the MP table for *c needs (0 if *c is invalid). */
size_t mptable_size(const struct fw_config *c);

/*
 * Write the MP table for *c into buf[0..size) for guest-physical base_gpa
 * and fill *out. Returns 0 or -XT_EINVAL (fw_config_check() refuses *c,
 * base_gpa not 16-byte aligned), -XT_ERANGE (not wholly below 4 GiB: the
 * pointers are 32 bits), -XT_ENOSPC (size too small). On error nothing is
 * written; bytes past out->size are never touched.
 */
int mptable_build(const struct fw_config *c, uint64_t base_gpa, uint8_t *buf, size_t size,
		  struct mptable_layout *out);

#endif
