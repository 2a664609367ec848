/* SPDX-License-Identifier: MIT */
/*
 * What a guest's hypercalls may do and show (docs/hypercalls.md): the
 * decisions, pure and host-tested; vmm/exit/vmcall.c and vmm/net/netpath.c act on
 * them.
 *
 *   XTALK_HC_XT_DUMP   only for a guest with `debug_dump = on` in xtalk.ini,
 *                      at most one per HC_DUMP_GAP_MS of TSC per guest, at
 *                      most HC_DUMP_MAX_RUNS lines of shared pages per call,
 *                      and only the caller's own pages, by guest-physical
 *                      address: never a host address, never a pair of two
 *                      other guests. Refusals are counted.
 *   XTALK_HC_COUNTERS  the caller's own counters; the sum over every guest
 *                      only with `counters = machine`.
 *   CPL > 0            #UD for every call, but XTALK_HC_COUNTERS for a
 *                      guest with `user_counters = on` (a benchmark program
 *                      in a Linux guest's user space reads its counters).
 */
#ifndef XTALK_VMM_HC_POLICY_H
#define XTALK_VMM_HC_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "ept/remap.h"
#include "lib/hypercall_abi.h"

#define HC_DUMP_GAP_MS 1000	/* one dump per guest per second at most */
#define HC_DUMP_MAX_RUNS 16	/* lines of shared pages per dump; the rest counted */
#define HC_DUMP_LINE 200

/* May a caller at privilege level cpl make hypercall nr? (#UD if not.) */
bool hc_allowed(unsigned cpl, uint64_t nr, bool user_counters);

/* Per guest: when it last dumped, and what was refused. */
struct hc_dump_limit {
	uint64_t last_tsc;
	bool used;		/* a dump was allowed before */
	uint64_t refused;	/* dumps refused: off, or too soon */
};

/*
 * May this guest dump now? 0 (and the dump is recorded at now_tsc),
 * -XT_EPERM (debug_dump is off), -XT_EAGAIN (less than gap_tsc since its
 * last dump). Refusals count in l->refused.
 */
int hc_dump_allowed(bool enabled, struct hc_dump_limit *l, uint64_t now_tsc, uint64_t gap_tsc);

/*
 * The counters XTALK_HC_COUNTERS gives guest `caller` (< n): its own
 * (guest[caller]), or with machine the sum over guest[0..n) with the remaps
 * and INVEPTs of `global` (a pair touches two guests: those are the
 * remapper's own totals). version and tsc are the caller's to set.
 */
void hc_counters_view(struct xtalk_counters *out, const struct xtalk_counters *guest, unsigned n,
		      unsigned caller, bool machine, const struct xtalk_counters *global);

/*
 * The dump of the caller's shared pages, one line per run of pages whose
 * GPA (the caller's) advances by a page with the same peer and role:
 *   xt-dump: shared pages 0-15 (16): guest 'b' GPA 0x200000-0x20f000
 *   (read-only) from guest 'a', same host page
 * Feed it every live pair (remap_for_each with hc_dump_pair), then
 * hc_dump_end. Lines go to emit; name gives a side's guest name.
 */
struct hc_dump {
	const struct remap_side *caller;
	void (*emit)(void *ctx, const char *line);
	const char *(*name)(void *ctx, unsigned side_id);
	void *ctx;
	/* the run being collected */
	const struct remap_side *peer;
	bool rx, same;			/* caller's role; both GPAs on one host page */
	bool closed;			/* the receiver's view is closed (ept/remap.h) */
	uint64_t first_gpa, last_gpa;
	unsigned count;
	/* totals */
	unsigned runs, pages, hidden_runs, hidden_pages;
};

void hc_dump_begin(struct hc_dump *d, const struct remap_side *caller,
		   void (*emit)(void *ctx, const char *line),
		   const char *(*name)(void *ctx, unsigned side_id), void *ctx);
int hc_dump_pair(void *arg, const struct remap_pair *p, uint64_t tx_hpa_now, uint64_t rx_hpa_now);
void hc_dump_end(struct hc_dump *d);

#endif
