/* SPDX-License-Identifier: MIT */
/* A virtual CPU: registers, VMCS, scheduling state and exit statistics. */
#ifndef XTALK_VMM_VCPU_H
#define XTALK_VMM_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/lapic.h"
#include "vmm/arch/regs.h"
#include "vmm/arch/vmx.h"
#include "lib/x86.h"

struct guest;

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_HALTED,   /* executed HLT; waits for an event */
	VCPU_STOPPED,  /* never runs again */
};

struct vcpu {
	struct guest_regs regs;      /* first: saved and loaded by vmx_run.S */
	struct guest *guest;
	enum vcpu_state state;
	bool launched;               /* VMLAUNCH done; VMRESUME from now on */
	void *vmcs;
	uint64_t vmcs_hpa;
	void *msr_bitmap;
	void *io_bitmap_a, *io_bitmap_b;
	struct lapic lapic;          /* its local APIC */
	/* APIC virtualization (vmm/guest/apicv.c); vapic NULL without it. */
	uint8_t *vapic;              /* virtual-APIC page */
	uint64_t vapic_hpa;
	bool vapic_full;             /* export every register before the next entry */
	bool vapic_dirty;            /* export the interrupt state before the next entry */
	uint32_t vapic_tpr;          /* TPR and IRR as last exported */
	uint32_t vapic_irr[8];
	uint16_t intr_status;        /* guest interrupt status (RVI, SVI) in the VMCS */
	uint64_t eoi_exit[4];        /* EOI-exit bitmap in the VMCS */
	uint64_t apic_access_gpa;    /* where the APIC-access page is mapped; 0: nowhere */
	uint64_t tsc_offset;         /* guest TSC = host TSC + tsc_offset (VMCS TSC offset) */
	uint64_t tsc_adjust;         /* IA32_TSC_ADJUST */
	uint64_t slice_end_tsc;      /* preemption deadline */
	uint32_t proc_ctls;          /* primary processor-based controls in the VMCS */
	uint64_t exit_reason;        /* of the exit being handled */
	uint64_t exit_qual;
	/* Architectural state VMX does not switch, swapped when another vCPU
	 * takes the CPU. */
	uint64_t msr_kernel_gs_base, msr_star, msr_lstar, msr_cstar, msr_fmask, msr_tsc_aux;
	uint8_t fxsave[512] __attribute__((aligned(16)));
	/* Statistics */
	uint64_t exits[EXIT_REASON_MAX + 1]; /* last slot: reasons beyond the table */
	uint64_t vmm_tsc[EXIT_REASON_MAX + 1]; /* TSC spent in the VMM after each kind of exit */
	uint64_t exits_total;
	uint64_t entries;
	uint64_t pause_yields;       /* PAUSE exits that gave the CPU to another vCPU */
};

/* What an exit handler tells the run loop. A handler that completes the
 * guest's instruction calls vcpu_skip_insn() itself; nothing else advances
 * RIP. A handler that stops the guest calls guest_stop() and returns
 * EXIT_YIELD. */
enum exit_result {
	EXIT_RESUME, /* re-enter this vCPU */
	EXIT_YIELD,  /* the vCPU gives up the CPU (halted, preempted, stopped) */
};

/* The TSC as the guest reads it now. */
static inline uint64_t vcpu_tsc(const struct vcpu *v)
{
	return rdtsc() + v->tsc_offset;
}

void vcpu_skip_insn(struct vcpu *v);
void vcpu_advance_rip(struct vcpu *v, unsigned len);
void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);
uint64_t vcpu_gpr_read(struct vcpu *v, unsigned reg);
void vcpu_gpr_write(struct vcpu *v, unsigned reg, uint64_t val);
unsigned vcpu_cpl(struct vcpu *v);
void vcpu_dump(struct vcpu *v);
/* PAUSE exiting on or off for v (when the CPU offers it). */
void vcpu_set_pause_exiting(struct vcpu *v, bool on);

#endif
