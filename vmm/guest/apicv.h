/* SPDX-License-Identifier: MIT */
/*
 * VMX APIC virtualization for a vCPU's local APIC (SDM 3C, "APIC
 * Virtualization and Virtual Interrupts"), where the CPU has it
 * (vmx_caps.apicv): TPR shadow, virtualized APIC accesses, APIC-register
 * virtualization and virtual-interrupt delivery. The local APIC model
 * (devices/lapic.c) stays the authority while the VMM runs; the
 * virtual-APIC page is while the guest runs:
 *
 * - after each VM exit, what the CPU may have changed there (TPR, ISR, IRR)
 *   goes back into the model (apicv_after_exit), when RVI, SVI, VTPR or
 *   the virtual IRR say it changed anything (a self-IPI can set an IRR bit
 *   below RVI); ICR high with the exit of the ICR low write;
 * - before each VM entry, the model's interrupt state goes into the page
 *   when it moved, every register after the guest wrote one; RVI and SVI
 *   (guest interrupt status) name the highest IRR and ISR vectors, the
 *   EOI-exit bitmap the level-triggered vectors (apicv_before_entry). The
 *   CPU then delivers the model's interrupts and takes their EOIs without
 *   an exit. Both checks cost a few loads on the exits that change nothing
 *   (most of them).
 *
 * What still exits: reads of registers the CPU does not virtualize (PPR,
 * APR, the timer's current count) as APIC-access exits, emulated through
 * the model like any MMIO access; writes other than TPR, EOI and ICR high
 * as APIC-write exits (the value is in the page, the model takes it);
 * EOIs of level-triggered vectors (EOI-induced exits), which the IOAPIC
 * must see. Interrupts from the 8259 (ExtINT) are injected as before.
 */
#ifndef XTALK_VMM_GUEST_APICV_H
#define XTALK_VMM_GUEST_APICV_H

#include "vmm/guest/vcpu.h"

struct guest;

/* The APIC-access page at the guest's xAPIC base while the xAPIC is
 * enabled at its architectural base 0xfee00000 (outside the guest's RAM);
 * at any other base nothing (the page then exits as EPT violations,
 * emulated as without APIC virtualization). Call after every change of
 * IA32_APIC_BASE and at reset. */
void apicv_map(struct guest *g);
void apicv_after_exit(struct vcpu *v);
void apicv_before_entry(struct vcpu *v);

#endif
