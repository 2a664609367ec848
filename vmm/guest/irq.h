/* SPDX-License-Identifier: MIT */
/* Delivering the guest's interrupt controller output to its vCPU. */
#ifndef XTALK_VMM_IRQ_H
#define XTALK_VMM_IRQ_H

#include <stdbool.h>

#include "vmm/guest/vcpu.h"

/* Before a VM entry: inject the PIC's interrupt if the guest can take it
 * now, otherwise ask for an exit as soon as it can (interrupt-window
 * exiting). SDM 3C, "Event Injection" and "Interrupt-Window Exiting". */
void irq_prepare_entry(struct vcpu *v);
/* Would an interrupt wake this halted vCPU? */
bool irq_pending(const struct vcpu *v);

#endif
