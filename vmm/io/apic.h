/* SPDX-License-Identifier: MIT */
/*
 * A guest's local APIC and IOAPIC on its bus: the xAPIC page (at
 * IA32_APIC_BASE, 0xfee00000 after reset) and the IOAPIC at 0xfec00000 as
 * MMIO ranges, and the APIC MSRs (IA32_APIC_BASE, IA32_TSC_DEADLINE) for
 * vmm/exit/msr.c. Accesses trap (EPT leaves both pages unmapped); the CPU's
 * APIC virtualization is not used yet (docs/linux.md, "Limitations").
 */
#ifndef XTALK_VMM_IO_APIC_H
#define XTALK_VMM_IO_APIC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest/guest.h"

int apic_create(struct guest *g);
/* The xAPIC page back at its power-on address (after irq_init()). */
void apic_reset(struct guest *g);
/* The APIC MSRs: false for a #GP. */
bool apic_msr_read(struct guest *g, uint32_t msr, uint64_t *val);
bool apic_msr_write(struct guest *g, uint32_t msr, uint64_t val);

#endif
