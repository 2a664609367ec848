/* SPDX-License-Identifier: MIT */
/*
 * Frames moved since the last line, divided by the TSC time since then.
 * Counts are summed over the guests' ports: tx frames on each path of the
 * cross-talk engine (shared page, VMM copy, physical NIC), frames received
 * from the physical NIC, or the bridge's frames with `crosstalk = off`.
 */
#include "vmm/report/rate.h"

#include "vmm/core/console.h"
#include "vmm/net/netpath.h"
#include "vmm/net/bridgepath.h"
#include "vmm/arch/x86.h"

enum { R_SHARED, R_COPY, R_PHYS_OUT, R_PHYS_IN, R_BRIDGE, R_COUNT };

static struct {
	uint64_t tsc_hz, period, next, since;
	uint64_t last[R_COUNT];
} rate;

void rate_init(uint64_t tsc_hz, uint32_t rate_ms)
{
	rate.tsc_hz = tsc_hz;
	rate.period = tsc_hz / 1000 * rate_ms;
	rate.since = rdtsc();
	rate.next = rate.since + rate.period;
}

static void read_counts(uint64_t now[R_COUNT])
{
	struct netpath_frames f;

	netpath_frames(&f);
	now[R_SHARED] = f.shared;
	now[R_COPY] = f.copied;
	now[R_PHYS_OUT] = f.phys_out;
	now[R_PHYS_IN] = f.phys_in;
	now[R_BRIDGE] = bridgepath_frames();
}

/* Frames per second of counter i over dt TSC ticks. */
static unsigned long long per_s(const uint64_t now[R_COUNT], unsigned i, uint64_t dt)
{
	return (unsigned long long)((now[i] - rate.last[i]) * rate.tsc_hz / dt);
}

void rate_tick(void)
{
	uint64_t now[R_COUNT], t, dt;

	if (!rate.period)
		return;
	t = rdtsc();
	if (t < rate.next)
		return;
	dt = t - rate.since;
	read_counts(now);
	if (netpath_active())
		xt_info("rate: shared pages %llu frames/s, VMM copies %llu frames/s, "
			"physical NIC out %llu in %llu frames/s",
			per_s(now, R_SHARED, dt), per_s(now, R_COPY, dt), per_s(now, R_PHYS_OUT, dt),
			per_s(now, R_PHYS_IN, dt));
	else
		xt_info("rate: bridge %llu frames/s", per_s(now, R_BRIDGE, dt));
	for (unsigned i = 0; i < R_COUNT; i++)
		rate.last[i] = now[i];
	rate.since = t;
	rate.next = t + rate.period;
}
