/* SPDX-License-Identifier: MIT */
/*
 * The VM-exit dispatcher: one const table from basic exit reason to handler,
 * bounds-checked. A reason without a handler stops that guest with a dump of
 * the VMCS essentials; the VMM and the other guests go on.
 */
#include "vmm/exit/exit.h"

#include <stdarg.h>

#include "vmm/core/console.h"
#include "vmm/guest/guest.h"
#include "vmm/arch/exit_reason.h"
#include "vmm/arch/vmx.h"
#include "vmm/emul/gpt_walk.h"

static const exit_handler_fn exit_handlers[EXIT_REASON_MAX] = {
	[EXIT_REASON_EXTERNAL_INTERRUPT] = handle_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT] = handle_triple_fault,
	[EXIT_REASON_INIT_SIGNAL] = handle_ignored_signal,
	[EXIT_REASON_SIPI] = handle_ignored_signal,
	[EXIT_REASON_INTERRUPT_WINDOW] = handle_interrupt_window,
	[EXIT_REASON_CPUID] = handle_cpuid,
	[EXIT_REASON_GETSEC] = handle_undefined_opcode,
	[EXIT_REASON_HLT] = handle_hlt,
	[EXIT_REASON_INVD] = handle_invd,
	[EXIT_REASON_RDPMC] = handle_rdpmc,
	[EXIT_REASON_VMCALL] = handle_vmcall,
	[EXIT_REASON_VMCLEAR] = handle_undefined_opcode,
	[EXIT_REASON_VMLAUNCH] = handle_undefined_opcode,
	[EXIT_REASON_VMPTRLD] = handle_undefined_opcode,
	[EXIT_REASON_VMPTRST] = handle_undefined_opcode,
	[EXIT_REASON_VMREAD] = handle_undefined_opcode,
	[EXIT_REASON_VMRESUME] = handle_undefined_opcode,
	[EXIT_REASON_VMWRITE] = handle_undefined_opcode,
	[EXIT_REASON_VMXOFF] = handle_undefined_opcode,
	[EXIT_REASON_VMXON] = handle_undefined_opcode,
	[EXIT_REASON_CR_ACCESS] = handle_cr_access,
	[EXIT_REASON_IO_INSTRUCTION] = handle_io,
	[EXIT_REASON_MSR_READ] = handle_msr_read,
	[EXIT_REASON_MSR_WRITE] = handle_msr_write,
	[EXIT_REASON_MWAIT] = handle_undefined_opcode,
	[EXIT_REASON_PAUSE] = handle_pause,
	[EXIT_REASON_MONITOR] = handle_undefined_opcode,
	[EXIT_REASON_APIC_ACCESS] = handle_apic_access,
	[EXIT_REASON_EOI_INDUCED] = handle_eoi_induced,
	[EXIT_REASON_EPT_VIOLATION] = handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG] = handle_ept_misconfig,
	[EXIT_REASON_INVEPT] = handle_undefined_opcode,
	[EXIT_REASON_PREEMPTION_TIMER] = handle_preemption_timer,
	[EXIT_REASON_INVVPID] = handle_undefined_opcode,
	[EXIT_REASON_XSETBV] = handle_undefined_opcode,
	[EXIT_REASON_APIC_WRITE] = handle_apic_write,
	[EXIT_REASON_VMFUNC] = handle_undefined_opcode,
};

void exit_paging_mode(struct gpt_mode *m)
{
	m->cr0 = vmread(VMCS_GUEST_CR0);
	m->cr3 = vmread(VMCS_GUEST_CR3);
	m->cr4 = vmread(VMCS_GUEST_CR4);
	m->efer = vmread(VMCS_GUEST_IA32_EFER);
}

enum exit_result exit_stop(struct vcpu *v, enum guest_stop_reason why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	guest_vstop(v->guest, why, fmt, ap);
	va_end(ap);
	vcpu_dump(v);
	return EXIT_YIELD;
}

static enum exit_result unexpected_exit(struct vcpu *v, unsigned basic)
{
	return exit_stop(v, GUEST_BAD_EXIT, "unhandled VM exit %u (%s)", basic,
			 exit_reason_name(basic));
}

static enum exit_result failed_entry(struct vcpu *v, unsigned basic)
{
	return exit_stop(v, GUEST_ENTRY_FAILED, "VM entry failed: %s (qualification %llu)",
			 exit_reason_name(basic), (unsigned long long)v->exit_qual);
}

/* An exit in the middle of delivering an event through the guest IDT (SDM
 * 3C, "Information for VM Exits During Event Delivery"): deliver it again
 * on the next entry, unless the handler injects something itself. */
static void requeue_vectored_event(void)
{
	uint32_t info = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
	uint32_t type = info & INTR_INFO_TYPE_MASK;

	if (!(info & INTR_INFO_VALID))
		return;
	vmwrite(VMCS_ENTRY_INTR_INFO, info & ~INTR_INFO_NMI_UNBLOCK_IRET);
	if (info & INTR_INFO_DELIVER_CODE)
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR_CODE, vmread(VMCS_IDT_VECTORING_ERROR_CODE));
	if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_SW_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmwrite(VMCS_ENTRY_INSTRUCTION_LEN, vmread(VMCS_EXIT_INSTRUCTION_LEN));
}

enum exit_result exit_dispatch(struct vcpu *v, uint32_t reason)
{
	unsigned basic = EXIT_REASON_BASIC(reason);
	exit_handler_fn fn;

	v->exit_reason = reason;
	v->exit_qual = vmread(VMCS_EXIT_QUALIFICATION);
	v->exits_total++;
	v->exits[basic < EXIT_REASON_MAX ? basic : EXIT_REASON_MAX]++;

	if (reason & EXIT_REASON_FAILED_VMENTRY)
		return failed_entry(v, basic);
	if (basic != EXIT_REASON_TRIPLE_FAULT && basic != EXIT_REASON_TASK_SWITCH)
		requeue_vectored_event();
	fn = basic < EXIT_REASON_MAX ? exit_handlers[basic] : NULL;
	if (!fn)
		return unexpected_exit(v, basic);
	return fn(v);
}
