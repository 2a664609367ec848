/* SPDX-License-Identifier: MIT */
/*
 * The cross-talk data path in the VMM (`crosstalk = on`; crosstalk_path in
 * vmm/net/datapath.h): see vmm/net/netpath.c and docs/crosstalk.md. With
 * `crosstalk = off` no guest uses it: netpath_active() is false, and the
 * machine-wide calls (poll, counters, summary) do nothing.
 */
#ifndef XTALK_VMM_NETPATH_H
#define XTALK_VMM_NETPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/ini.h"
#include "vmm/guest/guest.h"

void netpath_init(const struct xt_config *cfg, uint64_t tsc_hz);
bool netpath_active(void);
/* After nic_create gave g its NIC and bridge port number. */
int netpath_add_port(struct guest *g, uint16_t network);
/* After every guest is created: INI couplings, implicit ones, log them. */
void netpath_finalize(const struct xt_config *cfg);

void netpath_tx(struct guest *g);
void netpath_rx_ready(struct guest *g);
void netpath_reset(struct guest *g);
void netpath_stopped(struct guest *g);
/* A write to a read-only shared page: true when handled (resume the guest). */
bool netpath_cow_fault(struct guest *g, uint64_t gpa);
/* Reap the physical NIC: true if something happened. */
bool netpath_poll(void);
/* Can an idle machine still get events (from the physical NIC)? */
/* Bounded waits of the data path (xp_tick); now on the NIC clock (ns). */
uint64_t netpath_tick(uint64_t now);
bool netpath_can_wake(void);

/* Frames on each path so far, summed over the guests (zero when inactive). */
struct netpath_frames {
	uint64_t shared, copied, phys_out, phys_in;
};
void netpath_frames(struct netpath_frames *f);

struct xtalk_counters;
/* Add g's share of the cross-talk path: its copies, frames sent, remaps. */
void netpath_guest_counters(const struct guest *g, struct xtalk_counters *c);
/* The remapper's totals: pairs shared and unshared, INVEPTs. */
void netpath_global_counters(struct xtalk_counters *c);

/* XTALK_HC_XT_DUMP by g (allowed by vmm/emul/hc_policy.h): g's shared pages by
 * its own GPAs, its path counters; the remapper's with counters = machine. */
void netpath_dump(const struct guest *g);
void netpath_print_guest(const struct guest *g);
void netpath_print_summary(void);

#endif
