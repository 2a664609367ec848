/* SPDX-License-Identifier: MIT */
/*
 * Lines start with "xtalk: guest NAME:" so that people and the test harness
 * read the same thing: status, then exits by reason, then other counters.
 */
#include "vmm/summary.h"

#include "devices/e1000.h"
#include <string.h>

#include "lib/fmt.h"
#include "vmm/console.h"
#include "vmm/exit.h"
#include "vmm/guest.h"
#include "vmm/hypercall_abi.h"
#include "vmm/netpath.h"
#include "vmm/nic.h"
#include "vmm/x86.h"

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

/* The bridge's view of the guest's NIC. */
static void print_bridge(const struct guest *g)
{
	const struct bridge_stats *b = &vmm_bridge.port[g->nic_port].st;

	xt_info("guest %s: nic tx %llu frames %llu bytes; rx %llu frames %llu bytes; "
		"VMM copies %llu (%llu bytes); dropped unknown %llu filtered %llu down %llu "
		"error %llu; waits %llu",
		g->name, (unsigned long long)b->tx_frames, (unsigned long long)b->tx_bytes,
		(unsigned long long)b->rx_frames, (unsigned long long)b->rx_bytes,
		(unsigned long long)b->copies, (unsigned long long)b->bytes_copied,
		(unsigned long long)b->drop_unknown, (unsigned long long)b->drop_filtered,
		(unsigned long long)b->drop_down, (unsigned long long)b->drop_error,
		(unsigned long long)b->waits);
	xt_info("guest %s: nic dropped spoofed %llu; no room (dropped for it) %llu", g->name,
		(unsigned long long)b->drop_spoofed, (unsigned long long)b->rx_no_room);
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
	if (!g->nic)
		return;
	if (netpath_active())
		netpath_print_guest(g);
	else
		print_bridge(g);
	print_nic_errors(g);
}

void summary_counters(struct xtalk_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->version = XTALK_COUNTERS_VERSION;
	c->tsc = rdtsc();
	for (unsigned i = 0; i < nguests; i++) {
		const struct guest *g = &guests[i];
		const uint64_t *e = g->vcpu.exits;

		c->exits += g->vcpu.exits_total;
		c->exits_io += e[EXIT_REASON_IO_INSTRUCTION];
		c->exits_mmio += e[EXIT_REASON_EPT_VIOLATION];
		c->exits_hlt += e[EXIT_REASON_HLT];
		c->exits_timer += e[EXIT_REASON_PREEMPTION_TIMER];
		c->irqs += g->stats.irqs_injected;
		for (unsigned r = 0; r <= EXIT_REASON_MAX; r++)
			c->vmm_cycles += g->vcpu.vmm_tsc[r];
		if (g->nic && !netpath_active()) {
			const struct bridge_stats *b = &vmm_bridge.port[g->nic_port].st;

			c->copies += b->copies;
			c->bytes_copied += b->bytes_copied;
			c->frames += b->tx_frames;
		}
	}
	c->exits_other = c->exits - c->exits_io - c->exits_mmio - c->exits_hlt - c->exits_timer;
	netpath_add_counters(c);
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
	xt_info("=== end of summary ===");
}
