/* SPDX-License-Identifier: MIT */
/*
 * The run loop. Each runnable vCPU gets a time slice measured on the TSC;
 * the VMX preemption timer (SDM 3C, "VMX-Preemption Timer") is armed with
 * what is left of it at every entry, so a guest that exits often still
 * yields on time. A vCPU that halts or stops gives up the rest of its slice.
 */
#include "vmm/run/sched.h"

#include "vmm/core/console.h"
#include "vmm/exit/exit.h"
#include "firmware/fw_config.h"
#include "vmm/guest/apicv.h"
#include "vmm/guest/clock.h"
#include "vmm/guest/console_input.h"
#include "vmm/guest/guest.h"
#include "vmm/guest/irq.h"
#include "vmm/io/timers.h"
#include "vmm/run/guest_create.h"
#include "vmm/arch/msr.h"
#include "vmm/net/netpath.h"
#include "vmm/audio/sound.h"
#include "vmm/storage/disk.h"
#include "vmm/net/nic.h"
#include "vmm/report/rate.h"
#include "vmm/arch/vmcs.h"
#include "vmm/arch/vmx_caps.h"
#include "vmm/arch/x86.h"

#define DEFAULT_SLICE_TSC (1ULL << 22)
#define PREEMPTION_TIMER_MAX 0xffffffffULL

static uint64_t slice_tsc;
static uint64_t outside_wait_tsc;
static bool have_tsc_aux;

void sched_init(uint64_t tsc_hz, uint32_t timeslice_us)
{
	uint32_t r[4];

	slice_tsc = tsc_hz / 1000000 * timeslice_us;
	outside_wait_tsc = tsc_hz * 2; /* two seconds */
	if (!slice_tsc)
		slice_tsc = DEFAULT_SLICE_TSC;
	cpuid(0x80000001, 0, r);
	have_tsc_aux = r[3] & CPUID_80000001_EDX_RDTSCP;
}

/* Switch the state VMX leaves alone: the SYSCALL MSRs, KERNEL_GS_BASE,
 * TSC_AUX and the x87/SSE registers. */
static void vcpu_switch(struct vcpu *prev, struct vcpu *next)
{
	if (prev) {
		prev->msr_kernel_gs_base = rdmsr(MSR_IA32_KERNEL_GS_BASE);
		prev->msr_star = rdmsr(MSR_IA32_STAR);
		prev->msr_lstar = rdmsr(MSR_IA32_LSTAR);
		prev->msr_cstar = rdmsr(MSR_IA32_CSTAR);
		prev->msr_fmask = rdmsr(MSR_IA32_FMASK);
		if (have_tsc_aux)
			prev->msr_tsc_aux = rdmsr(MSR_IA32_TSC_AUX);
		fxsave(prev->fxsave);
	}
	wrmsr(MSR_IA32_KERNEL_GS_BASE, next->msr_kernel_gs_base);
	wrmsr(MSR_IA32_STAR, next->msr_star);
	wrmsr(MSR_IA32_LSTAR, next->msr_lstar);
	wrmsr(MSR_IA32_CSTAR, next->msr_cstar);
	wrmsr(MSR_IA32_FMASK, next->msr_fmask);
	if (have_tsc_aux)
		wrmsr(MSR_IA32_TSC_AUX, next->msr_tsc_aux);
	fxrstor(next->fxsave);
	if (vmcs_load(next))
		guest_stop(next->guest, GUEST_ENTRY_FAILED, "VMPTRLD failed");
}

static struct vcpu *pick_next(const struct vcpu *prev)
{
	unsigned start = prev ? prev->guest->id + 1 : 0;

	for (unsigned i = 0; i < nguests; i++) {
		struct guest *g = &guests[(start + i) % nguests];

		/* A halted vCPU's timers may have raised an interrupt meanwhile. */
		if (g->vcpu.state == VCPU_HALTED)
			platform_tick(g);
		if (vcpu_runnable(&g->vcpu))
			return &g->vcpu;
	}
	return NULL;
}

/* Frames from the physical NIC may still wake a halted guest: poll it for
 * a while (emulated or real network round trips take milliseconds). */
static bool wait_for_outside(void)
{
	uint64_t until = rdtsc() + outside_wait_tsc;

	do {
		con_pump();
		if (netpath_poll())
			return true;
		cpu_relax();
	} while (rdtsc() < until);
	return false;
}

/* The earliest TSC at which a halted vCPU's own timers may wake it. */
static uint64_t next_timer_wake(void)
{
	uint64_t t = UINT64_MAX;

	for (unsigned i = 0; i < nguests; i++) {
		struct guest *g = &guests[i];

		if (g->vcpu.state == VCPU_HALTED && platform_wake_tsc(g) < t)
			t = platform_wake_tsc(g);
	}
	return t;
}

static bool console_waiter(void)
{
	for (unsigned i = 0; i < nguests; i++) {
		struct guest *g = &guests[i];

		if (g->vcpu.state == VCPU_HALTED && console_input_waits(g->id) &&
		    irq_isa_routed(g, FW_ISA_IRQ_COM1) && (g->com1.ier & UART_IER_ERBFI))
			return true;
	}
	return false;
}

/* Wait for a guest timer, still serving the NICs' timers and the physical
 * NIC meanwhile: either may wake someone first. */
static void wait_until(uint64_t tsc)
{
	while (rdtsc() < tsc) {
		con_pump();
		if ((nic_poll_timers() | sound_poll_timers() | storage_poll()) || netpath_poll() ||
		    console_input_poll())
			return;
		cpu_relax();
	}
}

/* Nothing is runnable. If a guest timer or a device timer (e1000 interrupt
 * throttling) is pending, wait for it: it may wake someone. Otherwise no
 * event can ever reach the halted vCPUs, so stop those guests and let the
 * run end. Returns true if the caller should look for work again. */
static bool wait_for_event(void)
{
	bool halted = false;
	uint64_t wake;

	for (unsigned i = 0; i < nguests; i++)
		halted |= guests[i].vcpu.state == VCPU_HALTED;
	if (!halted)
		return false;
	if (nic_poll_timers() | sound_poll_timers() | storage_poll())
		return true;
	wake = next_timer_wake();
	if (wake != UINT64_MAX) {
		wait_until(wake);
		return true;
	}
	/* A guest waiting for typed input (its COM1 interrupt on) waits for
	 * the user as long as it takes, as on a real machine. */
	if (console_waiter()) {
		wait_until(UINT64_MAX);
		return true;
	}
	if (netpath_can_wake() && wait_for_outside())
		return true;
	for (unsigned i = 0; i < nguests; i++) {
		struct guest *g = &guests[i];

		if (g->vcpu.state == VCPU_HALTED) {
			irq_log_state(g);
			guest_stop(g, GUEST_HALTED_FOREVER,
				   "halted, and nothing can send it an interrupt any more");
		}
	}
	return false;
}

/* The slice's end or the guest's next timer event, whichever comes first. */
static void arm_preemption_timer(struct vcpu *v)
{
	uint64_t end = v->guest->tick_due < v->slice_end_tsc ? v->guest->tick_due : v->slice_end_tsc;
	uint64_t now = rdtsc(), con = con_pending_ns(), left;

	/* Queued console output: back when the UART's FIFO has drained, so
	 * that the console keeps up with the line even if the guest never
	 * exits (an early preemption-timer exit resumes the same slice). */
	if (con) {
		uint64_t drained = now + clock_tsc_hz() / 1000 * con / 1000000;

		if (drained < end)
			end = drained;
	}
	left = end > now ? end - now : 0;
	uint64_t ticks = left >> vmx_caps.timer_rate;

	vmwrite(VMCS_PREEMPTION_TIMER_VALUE, ticks > PREEMPTION_TIMER_MAX ? PREEMPTION_TIMER_MAX : ticks);
}

/*
 * VMM time accounting: the TSC from a VM exit to the next VM entry (on any
 * vCPU) is charged to the vCPU and the reason of that exit, switches to
 * another vCPU included: what each kind of exit costs.
 */
static struct {
	struct vcpu *v;
	unsigned reason;
	uint64_t since;
} acct;

static void charge_exit(void)
{
	if (acct.v)
		acct.v->vmm_tsc[acct.reason] += rdtsc() - acct.since;
	acct.v = NULL;
}

/* A reset request from the guest (vmm/io/platform.c): boot it again, or
 * stop it with on_reboot = stop. Its VMCS is the current one. */
static void reboot(struct vcpu *v)
{
	struct guest *g = v->guest;
	const char *why = g->reset_req;

	g->reset_req = NULL;
	if (v->state == VCPU_STOPPED)
		return;
	if (g->cfg->reboot_stops) {
		guest_stop(g, GUEST_REBOOTED, "rebooted (%s); on_reboot = stop", why);
		return;
	}
	guest_console_flush(g);
	xt_info("guest '%s' reboots (%s)", g->name, why);
	if (guest_restart(g)) {
		guest_stop(g, GUEST_BAD_STATE, "could not boot again after a reset");
		return;
	}
	/* Its fresh MSRs and x87/SSE state into the CPU. */
	vcpu_switch(NULL, v);
}

static void run_slice(struct vcpu *v)
{
	v->slice_end_tsc = rdtsc() + slice_tsc;
	vcpu_set_pause_exiting(v, true);
	while (v->state == VCPU_RUNNABLE) {
		uint32_t reason;
		int err;

		con_pump();
		platform_tick(v->guest);
		irq_prepare_entry(v);
		arm_preemption_timer(v);
		charge_exit();
		err = vmx_run(&v->regs, v->launched);
		acct.since = rdtsc();
		if (err) {
			guest_stop(v->guest, GUEST_ENTRY_FAILED,
				   "%s failed: VM-instruction error %llu",
				   v->launched ? "VMRESUME" : "VMLAUNCH",
				   (unsigned long long)(err == 2 ? vmread(VMCS_VM_INSTRUCTION_ERROR) : 0));
			return;
		}
		v->launched = true;
		v->entries++;
		if (v->vapic)
			apicv_after_exit(v);
		acct.v = v;
		reason = (uint32_t)vmread(VMCS_EXIT_REASON);
		acct.reason = EXIT_REASON_BASIC(reason);
		if (acct.reason > EXIT_REASON_MAX)
			acct.reason = EXIT_REASON_MAX;
		if (exit_dispatch(v, reason) == EXIT_YIELD && !v->guest->reset_req)
			return;
		if (v->guest->reset_req)
			reboot(v);
	}
}

/* A guest that stopped (in an exit handler, or here when it can never wake
 * again) leaves its network port before any other guest runs: frames to it
 * are dropped and its shared pages are unshared (nic_guest_stopped). */
static void reap_stopped(void)
{
	static unsigned reaped;

	if (reaped == guests_stopped)
		return;
	reaped = guests_stopped;
	for (unsigned i = 0; i < nguests; i++) {
		struct guest *g = &guests[i];

		if (g->vcpu.state == VCPU_STOPPED && !g->reaped) {
			g->reaped = true;
			nic_guest_stopped(g);
			sound_guest_stopped(g);
		}
	}
}

void sched_run(void)
{
	struct vcpu *cur = NULL, *loaded = NULL;

	for (;;) {
		struct vcpu *next;

		reap_stopped();
		nic_poll_timers();
		sound_poll_timers();
		storage_poll();
		console_input_poll();
		netpath_poll();
		rate_tick();
		next = pick_next(cur);
		if (!next) {
			if (!wait_for_event())
				break;
			continue;
		}
		if (next != loaded) {
			vcpu_switch(loaded, next);
			loaded = next;
		}
		cur = next;
		run_slice(cur);
	}
	reap_stopped();
}
