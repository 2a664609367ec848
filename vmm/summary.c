/* SPDX-License-Identifier: MIT */
/*
 * Lines start with "xtalk: guest NAME:" so that people and the test harness
 * read the same thing: status, then exits by reason, then other counters.
 */
#include "vmm/summary.h"

#include "lib/fmt.h"
#include "vmm/console.h"
#include "vmm/exit.h"
#include "vmm/guest.h"

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
	xt_info("=== end of summary ===");
}
