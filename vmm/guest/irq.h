/* SPDX-License-Identifier: MIT */
/*
 * A guest's interrupt wiring and delivery to its vCPU. Device lines reach
 * both the 8259 pair and the IOAPIC, as on a PC: ISA IRQ n is 8259 input n
 * and IOAPIC pin n, except IRQ 0 (the PIT), which is pin 2 (the MADT's and
 * MP table's override); a PCI INTx is the 8259 IRQ its config space names
 * and IOAPIC pin fw_pci_gsi() (firmware/fw_config.h), active low. The
 * IOAPIC sends to the local APIC; the 8259's INT reaches the CPU through
 * the local APIC's LINT0 (ExtINT, virtual wire mode as a PC BIOS leaves it).
 */
#ifndef XTALK_VMM_IRQ_H
#define XTALK_VMM_IRQ_H

#include <stdbool.h>

#include "vmm/guest/vcpu.h"

struct guest;

/* The guest's interrupt controllers in their power-on state, its local
 * APIC in virtual wire mode (SDM 3A "Local APIC", MP spec 1.4 3.6.2.2). */
void irq_init(struct guest *g);
/* Level of ISA IRQ irq (0-15, edge-triggered devices: high = request). */
void irq_isa_line(struct guest *g, unsigned irq, bool level);
/* An ISA device that signals by an edge: a rising edge on both controllers. */
void irq_isa_pulse(struct guest *g, unsigned irq);
/* A PCI function's INTx: asserted or not, to 8259 pic_irq and IOAPIC pin gsi. */
void irq_pci_line(struct guest *g, unsigned pic_irq, unsigned gsi, bool asserted);
/* Whether a request on ISA IRQ irq would reach the CPU now (unmasked on a
 * way to it): what decides if a timer can wake a halted vCPU. */
bool irq_isa_routed(struct guest *g, unsigned irq);

/* Before a VM entry: inject the highest-priority interrupt if the guest can
 * take it now, otherwise ask for an exit as soon as it can (interrupt-window
 * exiting). SDM 3C, "Event Injection" and "Interrupt-Window Exiting". */
void irq_prepare_entry(struct vcpu *v);
/* Would an interrupt wake this halted vCPU? */
bool irq_pending(struct vcpu *v);
/* One log line with the interrupt controllers' state (why nothing wakes it). */
void irq_log_state(struct guest *g);

#endif
