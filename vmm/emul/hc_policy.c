/* SPDX-License-Identifier: MIT */
/* Hypercall policy: who may dump, how often, what a dump and the counters show. */
#include "vmm/emul/hc_policy.h"

#include <string.h>

#include "ept/ept_defs.h"
#include "lib/fmt.h"
#include "lib/xerrno.h"

bool hc_allowed(unsigned cpl, uint64_t nr, bool user_counters)
{
	return cpl == 0 || (user_counters && nr == XTALK_HC_COUNTERS);
}

int hc_dump_allowed(bool enabled, struct hc_dump_limit *l, uint64_t now_tsc, uint64_t gap_tsc)
{
	if (!enabled) {
		l->refused++;
		return -XT_EPERM;
	}
	if (l->used && now_tsc - l->last_tsc < gap_tsc) {
		l->refused++;
		return -XT_EAGAIN;
	}
	l->used = true;
	l->last_tsc = now_tsc;
	return 0;
}

static void counters_add(struct xtalk_counters *s, const struct xtalk_counters *c)
{
	s->exits += c->exits;
	s->exits_io += c->exits_io;
	s->exits_mmio += c->exits_mmio;
	s->exits_hlt += c->exits_hlt;
	s->exits_timer += c->exits_timer;
	s->exits_other += c->exits_other;
	s->irqs += c->irqs;
	s->copies += c->copies;
	s->bytes_copied += c->bytes_copied;
	s->frames += c->frames;
	s->vmm_cycles += c->vmm_cycles;
}

void hc_counters_view(struct xtalk_counters *out, const struct xtalk_counters *guest, unsigned n,
		      unsigned caller, bool machine, const struct xtalk_counters *global)
{
	memset(out, 0, sizeof(*out));
	if (!machine) {
		if (caller < n)
			*out = guest[caller];
		return;
	}
	for (unsigned i = 0; i < n; i++)
		counters_add(out, &guest[i]);
	out->remaps = global->remaps;
	out->invepts = global->invepts;
}

/* ---- the dump ---- */

void hc_dump_begin(struct hc_dump *d, const struct remap_side *caller,
		   void (*emit)(void *ctx, const char *line),
		   const char *(*name)(void *ctx, unsigned side_id), void *ctx)
{
	*d = (struct hc_dump){ .caller = caller, .emit = emit, .name = name, .ctx = ctx };
}

static void run_flush(struct hc_dump *d)
{
	char line[HC_DUMP_LINE];

	if (!d->count)
		return;
	if (d->runs >= HC_DUMP_MAX_RUNS) {
		d->hidden_runs++;
		d->hidden_pages += d->count;
	} else {
		xt_snprintf(line, sizeof(line),
			    "xt-dump: shared pages %u-%u (%u): guest '%s' GPA 0x%llx-0x%llx (%s) "
			    "%s guest '%s', %s",
			    d->pages, d->pages + d->count - 1, d->count, d->name(d->ctx, d->caller->id),
			    (unsigned long long)d->first_gpa, (unsigned long long)d->last_gpa,
			    d->rx ? "read-only" : "rw", d->rx ? "from" : "to",
			    d->name(d->ctx, d->peer->id),
			    d->closed ? "closed to the receiver"
			    : d->same ? "same host page" : "DIFFERENT host pages");
		d->emit(d->ctx, line);
		d->runs++;
	}
	d->pages += d->count;
	d->count = 0;
}

static bool run_extends(const struct hc_dump *d, const struct remap_side *peer, bool rx,
			bool same, bool closed, uint64_t gpa)
{
	return d->count && peer == d->peer && rx == d->rx && same == d->same &&
	       closed == d->closed && gpa == d->last_gpa + EPT_PAGE_SIZE;
}

/* Only pairs the caller is part of; two sides of one guest are told apart by their EPT. */
int hc_dump_pair(void *arg, const struct remap_pair *p, uint64_t tx_hpa_now, uint64_t rx_hpa_now)
{
	struct hc_dump *d = arg;
	bool rx = p->rx->ept == d->caller->ept;
	const struct remap_side *peer = rx ? p->tx : p->rx;
	uint64_t gpa = rx ? p->rx_gpa : p->tx_gpa;
	bool same = tx_hpa_now == rx_hpa_now && tx_hpa_now != REMAP_NO_HPA;

	if (!rx && p->tx->ept != d->caller->ept)
		return 0;
	if (!run_extends(d, peer, rx, same, p->rx_closed, gpa)) {
		run_flush(d);
		d->peer = peer;
		d->rx = rx;
		d->same = same;
		d->closed = p->rx_closed;
		d->first_gpa = gpa;
	}
	d->count++;
	d->last_gpa = gpa;
	return 0;
}

void hc_dump_end(struct hc_dump *d)
{
	char line[HC_DUMP_LINE];

	run_flush(d);
	if (d->hidden_runs) {
		xt_snprintf(line, sizeof(line), "xt-dump: %u more shared page(s) in %u run(s) not shown",
			    d->hidden_pages, d->hidden_runs);
		d->emit(d->ctx, line);
	}
	xt_snprintf(line, sizeof(line), "xt-dump: guest '%s': %u shared page(s)",
		    d->name(d->ctx, d->caller->id), d->pages);
	d->emit(d->ctx, line);
}
