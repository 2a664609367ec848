/* SPDX-License-Identifier: MIT */
/* Building a guest's VMCS, one SDM area at a time. */
#ifndef XTALK_VMM_VMCS_H
#define XTALK_VMM_VMCS_H

#include <stdint.h>

#include "vmm/emul/guest_boot.h"
#include "vmm/guest/vcpu.h"

#define GUEST_PAT_DEFAULT 0x0007040600070406ULL /* the power-on value, SDM 3A "PAT" */

/* Allocate and fill v's VMCS (and its I/O and MSR bitmaps), leaving it current. */
int vmcs_create(struct vcpu *v, const struct guest_entry_state *st, uint64_t eptp);
/* The current VMCS's guest state and entry controls as vmcs_create() left
 * them, for st: the vCPU starts over (a guest reboot). */
int vmcs_reset_guest(struct vcpu *v, const struct guest_entry_state *st);
/* Make v's VMCS the current one on this CPU. */
int vmcs_load(struct vcpu *v);
/* The APIC-access page every vCPU's VMCS names (0: none could be allocated). */
uint64_t vmcs_apic_access_hpa(void);
/* CR0/CR4 bits the guest may not change without the VMM seeing it. */
uint64_t vmcs_cr0_guest_host_mask(void);
uint64_t vmcs_cr4_guest_host_mask(void);
/* The value the CPU must run with for a guest-visible value. */
uint64_t vmcs_cr0_real(uint64_t guest_cr0);
uint64_t vmcs_cr4_real(uint64_t guest_cr4);

#endif
