/* SPDX-License-Identifier: MIT */
/* VM-exit dispatch and the exit handlers it calls. */
#ifndef XTALK_VMM_EXIT_H
#define XTALK_VMM_EXIT_H

#include "vmm/guest/guest.h"
#include "vmm/guest/vcpu.h"

typedef enum exit_result (*exit_handler_fn)(struct vcpu *v);

/* Count the exit (reason: the VMCS exit-reason field, read once by the
 * caller), read its qualification and run its handler. */
enum exit_result exit_dispatch(struct vcpu *v, uint32_t reason);
/* Stop v's guest for good with a message, dump its vCPU, give up the CPU. */
enum exit_result exit_stop(struct vcpu *v, enum guest_stop_reason why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The guest's paging registers, for the page walker (vmm/emul/gpt_walk.h). */
struct gpt_mode;
void exit_paging_mode(struct gpt_mode *m);

/* Handlers, by file. */
enum exit_result handle_cpuid(struct vcpu *v);
enum exit_result handle_io(struct vcpu *v);
enum exit_result handle_msr_read(struct vcpu *v);
enum exit_result handle_msr_write(struct vcpu *v);
enum exit_result handle_cr_access(struct vcpu *v);
enum exit_result handle_ept_violation(struct vcpu *v);
enum exit_result handle_ept_misconfig(struct vcpu *v);
/* An access at gpa to a device's MMIO range r (found with io_find), or to
 * the PCI hole (r NULL): emulate it. */
struct io_range;
enum exit_result mmio_emulate(struct vcpu *v, const struct io_range *r, uint64_t gpa, bool write);
enum exit_result handle_vmcall(struct vcpu *v);
/* The TSC rate, for the debug dump's rate limit (vmm/emul/hc_policy.h). */
void hypercall_init(uint64_t tsc_hz);
/* The guests' CPUID: time leaves from the measured TSC rate, and the policy
 * the MSR exits follow (vmm/emul/msr_policy.h). */
struct cpuid_policy;
void cpuid_init(uint64_t tsc_hz);
const struct cpuid_policy *guest_cpuid_policy(void);
enum exit_result handle_hlt(struct vcpu *v);
enum exit_result handle_triple_fault(struct vcpu *v);
enum exit_result handle_preemption_timer(struct vcpu *v);
enum exit_result handle_external_interrupt(struct vcpu *v);
enum exit_result handle_undefined_opcode(struct vcpu *v);
enum exit_result handle_invd(struct vcpu *v);
enum exit_result handle_rdpmc(struct vcpu *v);
enum exit_result handle_ignored_signal(struct vcpu *v);
enum exit_result handle_interrupt_window(struct vcpu *v);
enum exit_result handle_pause(struct vcpu *v);
enum exit_result handle_apic_access(struct vcpu *v);
enum exit_result handle_apic_write(struct vcpu *v);
enum exit_result handle_eoi_induced(struct vcpu *v);

#endif
