/* SPDX-License-Identifier: MIT */
/*
 * Lines start with "xtalk: guest NAME:" so that people and the test harness
 * read the same thing: status, then exits by reason, then other counters.
 */
#include "vmm/audio/sound.h"
#include "vmm/storage/disk.h"
#include "vmm/report/summary.h"

#include "devices/e1000.h"
#include <string.h>

#include "lib/fmt.h"
#include "vmm/arch/exit_reason.h"
#include "vmm/core/console.h"
#include "vmm/exit/exit.h"
#include "vmm/guest/guest.h"
#include "vmm/emul/hc_policy.h"
#include "lib/hypercall_abi.h"
#include "vmm/net/netpath.h"
#include "vmm/net/datapath.h"
#include "vmm/arch/x86.h"

static void print_exits(const struct guest *g)
{
	const struct vcpu *v = &g->vcpu;
	char buf[1024];
	size_t n = 0;

	for (unsigned r = 0; r <= EXIT_REASON_MAX && n < sizeof(buf); r++) {
		if (!v->exits[r])
			continue;
		n += (size_t)xt_snprintf(buf + n, sizeof(buf) - n, "%s%s %llu", n ? ", " : "",
					 exit_reason_name(r), (unsigned long long)v->exits[r]);
	}
	xt_info("guest %s: %llu VM exits: %s", g->name, (unsigned long long)v->exits_total,
		n ? buf : "none");
	n = 0;
	for (unsigned r = 0; r <= EXIT_REASON_MAX && n < sizeof(buf); r++) {
		if (!v->exits[r])
			continue;
		n += (size_t)xt_snprintf(buf + n, sizeof(buf) - n, "%s%s %llu", n ? ", " : "",
					 exit_reason_name(r),
					 (unsigned long long)(v->vmm_tsc[r] / v->exits[r]));
	}
	if (n)
		xt_info("guest %s: VMM cycles per exit: %s", g->name, buf);
}

/* The bad input the guest's e1000 model saw. */
static void print_nic_errors(const struct guest *g)
{
	const struct e1000 *d = g->nic;
	char errs[512];
	size_t n = 0;

	for (unsigned e = 0; e < E1000_ERR_COUNT && n < sizeof(errs); e++)
		if (d->errors[e])
			n += (size_t)xt_snprintf(errs + n, sizeof(errs) - n, "%s%s %llu", n ? ", " : "",
						 e1000_err_name((enum e1000_err)e),
						 (unsigned long long)d->errors[e]);
	xt_info("guest %s: e1000 bad input: %s; unknown registers %llu; BAR writes refused %llu; "
		"DMA refused %llu",
		g->name, n ? errs : "none", (unsigned long long)d->unknown_reg_accesses,
		(unsigned long long)g->pci_nic.refused_bar_writes,
		(unsigned long long)g->stats.dma_refused);
}

/* The guest's e1000 register accesses (each a VM exit), by register. */
static void print_nic_registers(const struct guest *g)
{
	const struct e1000 *d = g->nic;
	char buf[512];
	size_t n = 0;

	for (unsigned k = 0; k < E1000_RK_COUNT && n < sizeof(buf); k++) {
		if (!d->reg_reads[k] && !d->reg_writes[k])
			continue;
		n += (size_t)xt_snprintf(buf + n, sizeof(buf) - n, "%s%s r %llu w %llu",
					 n ? ", " : "", e1000_reg_kind_name((enum e1000_reg_kind)k),
					 (unsigned long long)d->reg_reads[k],
					 (unsigned long long)d->reg_writes[k]);
	}
	if (n)
		xt_info("guest %s: e1000 register accesses: %s", g->name, buf);
}

void summary_print_guest(struct guest *g)
{
	const struct guest_stats *s = &g->stats;

	print_exits(g);
	xt_info("guest %s: unclaimed I/O reads %llu writes %llu; MSR #GP %llu; "
		"exceptions injected %llu; host interrupts %llu; console bytes %llu",
		g->name, (unsigned long long)s->io_unclaimed_reads,
		(unsigned long long)s->io_unclaimed_writes, (unsigned long long)s->msr_gp,
		(unsigned long long)s->exceptions_injected,
		(unsigned long long)s->host_interrupts, (unsigned long long)s->console_bytes);
	xt_info("guest %s: interrupts injected %llu; MMIO accesses emulated %llu, to no device %llu",
		g->name, (unsigned long long)s->irqs_injected, (unsigned long long)s->mmio_accesses,
		(unsigned long long)s->mmio_unclaimed);
	xt_info("guest %s: VMM writes where it may only read: copied on write %llu, refused %llu; "
		"DMA buffers spanning a shared page %llu",
		g->name, (unsigned long long)g->mem.st.cow_breaks,
		(unsigned long long)g->mem.st.refused, (unsigned long long)s->dma_split);
	if (s->ept_stale)
		xt_info("guest %s: EPT violations for rights raised since, retried %llu", g->name,
			(unsigned long long)s->ept_stale);
	if (g->dump.refused)
		xt_info("guest %s: debug dumps refused %llu", g->name,
			(unsigned long long)g->dump.refused);
	sound_print_guest(g);
	storage_print_guest(g);
	if (!g->nic)
		return;
	g->path->print_guest(g);
	print_nic_errors(g);
	print_nic_registers(g);
}

/* One guest's share of the counters. */
static void guest_counters(const struct guest *g, struct xtalk_counters *c)
{
	const uint64_t *e = g->vcpu.exits;

	memset(c, 0, sizeof(*c));
	c->exits = g->vcpu.exits_total;
	c->exits_io = e[EXIT_REASON_IO_INSTRUCTION];
	c->exits_mmio = e[EXIT_REASON_EPT_VIOLATION];
	c->exits_hlt = e[EXIT_REASON_HLT];
	c->exits_timer = e[EXIT_REASON_PREEMPTION_TIMER];
	c->exits_other = c->exits - c->exits_io - c->exits_mmio - c->exits_hlt - c->exits_timer;
	c->irqs = g->stats.irqs_injected;
	for (unsigned r = 0; r <= EXIT_REASON_MAX; r++)
		c->vmm_cycles += g->vcpu.vmm_tsc[r];
	c->invepts = g->stats.invepts;
	if (g->nic)
		g->path->guest_counters(g, c);
}

void summary_counters(const struct guest *g, struct xtalk_counters *c)
{
	struct xtalk_counters each[XT_MAX_GUESTS], global = { 0 };

	for (unsigned i = 0; i < nguests; i++)
		guest_counters(&guests[i], &each[i]);
	netpath_global_counters(&global);
	hc_counters_view(c, each, nguests, g->id, g->cfg->counters_machine, &global);
	c->version = XTALK_COUNTERS_VERSION;
	c->tsc = rdtsc();
}

static void print_console_queue(void)
{
	unsigned peak;
	unsigned long waited;

	con_queue_stats(&peak, &waited);
	xt_info("console: output queued at most %u bytes; writers waited for the serial line %lu time(s)",
		peak, waited);
}

void summary_print(void)
{
	xt_info("=== run summary: %u guest(s) ===", nguests);
	for (unsigned i = 0; i < nguests; i++) {
		struct guest *g = &guests[i];

		guest_console_flush(g);
		if (g->stop_reason == GUEST_EXITED)
			xt_info("guest %s: exited, status %lld", g->name, (long long)g->exit_status);
		else
			xt_info("guest %s: stopped (%s): %s", g->name,
				guest_stop_reason_name(g->stop_reason), g->stop_msg);
		summary_print_guest(g);
	}
	netpath_print_summary();
	sound_print_machine();
	storage_print_machine();
	print_console_queue();
	xt_info("=== end of summary ===");
}
