/* SPDX-License-Identifier: MIT */
/* Small exit handlers: HLT, faults that end a guest, timer, host interrupts,
 * and instructions a guest may not use. */
#include "vmm/core/console.h"
#include "vmm/exit/exit.h"
#include "vmm/guest/guest.h"
#include "vmm/arch/msr.h"
#include "vmm/run/sched.h"
#include "vmm/arch/x86.h"

/* The machine's own local APIC (not the guest's model, devices/lapic.h). */
#define HOST_APIC_EOI 0xb0
#define HOST_X2APIC_EOI_MSR 0x80b
#define HOST_APIC_BASE_ENABLE (1ULL << 11)
#define HOST_APIC_BASE_X2APIC (1ULL << 10)

/* HLT: the vCPU sleeps until an interrupt can be delivered to it. With
 * RFLAGS.IF clear nothing the VMM emulates can wake it (no NMI source), so
 * it is stopped rather than left to hang the run. */
enum exit_result handle_hlt(struct vcpu *v)
{
	vcpu_skip_insn(v);
	if (!(vmread(VMCS_GUEST_RFLAGS) & X86_RFLAGS_IF)) {
		guest_stop(v->guest, GUEST_HALTED_FOREVER,
			   "HLT with interrupts disabled at RIP 0x%llx",
			   (unsigned long long)vmread(VMCS_GUEST_RIP));
		return EXIT_YIELD;
	}
	v->state = VCPU_HALTED;
	return EXIT_YIELD;
}

enum exit_result handle_triple_fault(struct vcpu *v)
{
	return exit_stop(v, GUEST_TRIPLE_FAULT, "triple fault at RIP 0x%llx",
			 (unsigned long long)vmread(VMCS_GUEST_RIP));
}

/* The time slice is over (the scheduler picks who runs next), or one of
 * the guest's timers is due: the run loop raises it before the next entry. */
enum exit_result handle_preemption_timer(struct vcpu *v)
{
	return rdtsc() < v->slice_end_tsc ? EXIT_RESUME : EXIT_YIELD;
}

/* A host interrupt arrived while the guest ran ("acknowledge interrupt on
 * exit" already took it from the APIC). The VMM masks its interrupt
 * sources, so this is unexpected but harmless: count it and EOI. */
enum exit_result handle_external_interrupt(struct vcpu *v)
{
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
	uint64_t apic = rdmsr(MSR_IA32_APIC_BASE);

	v->guest->stats.host_interrupts++;
	if ((info & INTR_INFO_VALID) && (info & INTR_INFO_VECTOR_MASK) >= 32 &&
	    (apic & HOST_APIC_BASE_ENABLE)) {
		if (apic & HOST_APIC_BASE_X2APIC)
			wrmsr(HOST_X2APIC_EOI_MSR, 0);
		else
			*(volatile uint32_t *)(uintptr_t)((apic & ~0xfffULL) + HOST_APIC_EOI) = 0;
	}
	return EXIT_RESUME;
}

/* VMX, SMX, MONITOR/MWAIT and XSAVE are hidden from the guest's CPUID; using
 * them raises #UD as on a CPU without them. */
enum exit_result handle_undefined_opcode(struct vcpu *v)
{
	vcpu_inject_exception(v, X86_EXC_UD, false, 0);
	return EXIT_RESUME;
}

/* INVD would throw away dirty lines of other guests and the VMM: treat it
 * as the write-back-and-invalidate that keeps everyone's data. */
enum exit_result handle_invd(struct vcpu *v)
{
	__asm__ volatile("wbinvd" ::: "memory");
	vcpu_skip_insn(v);
	return EXIT_RESUME;
}

/* No performance counters are exposed (CPUID leaf 0xA is zero). */
enum exit_result handle_rdpmc(struct vcpu *v)
{
	vcpu_inject_exception(v, X86_EXC_GP, true, 0);
	return EXIT_RESUME;
}

/*
 * PAUSE: the guest is spinning (a polling driver waiting for its peer, a
 * lock). On one CPU the peer cannot make progress until the spinner gives
 * the CPU up, so hand it over at once when another vCPU can run. When none
 * can, stop exiting on PAUSE for the rest of this slice: a guest alone need
 * not pay an exit per spin.
 */
enum exit_result handle_pause(struct vcpu *v)
{
	vcpu_skip_insn(v);
	if (guest_other_runnable(v)) {
		v->pause_yields++;
		return EXIT_YIELD;
	}
	vcpu_set_pause_exiting(v, false);
	return EXIT_RESUME;
}

/* INIT and SIPI: single-vCPU guests have no one to send them. */
enum exit_result handle_ignored_signal(struct vcpu *v)
{
	(void)v;
	return EXIT_RESUME;
}
