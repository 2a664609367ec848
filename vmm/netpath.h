/* SPDX-License-Identifier: MIT */
/*
 * The cross-talk data path in the VMM (`crosstalk = on`): see vmm/netpath.c
 * and docs/crosstalk.md. With `crosstalk = off` every function is a no-op
 * and the software bridge (vmm/bridge.c) moves frames instead.
 */
#ifndef XTALK_VMM_NETPATH_H
#define XTALK_VMM_NETPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/ini.h"
#include "vmm/guest.h"

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
/* Host-physical address of byte gpa of g's RAM as g sees it now: its own
 * page, or a page it shares for cross-talk. */
uint64_t netpath_page_hpa(const struct guest *g, uint64_t gpa);
/* Whether g only reads the page of gpa (the receiving side of a shared page). */
bool netpath_page_readonly(const struct guest *g, uint64_t gpa);
/* Reap the physical NIC: true if something happened. */
bool netpath_poll(void);
/* Can an idle machine still get events (from the physical NIC)? */
/* Bounded waits of the data path (xp_tick); now on the NIC clock (ns). */
uint64_t netpath_tick(uint64_t now);
bool netpath_can_wake(void);

struct xtalk_counters;
/* Add the cross-talk path's copies, remaps, INVEPTs and frames. */
void netpath_add_counters(struct xtalk_counters *c);

void netpath_dump(void);
void netpath_print_guest(const struct guest *g);
void netpath_print_summary(void);

#endif
