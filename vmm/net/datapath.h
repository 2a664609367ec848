/* SPDX-License-Identifier: MIT */
/*
 * The data path between guests' NICs: one interface, two implementations,
 * chosen once per port when the guest's NIC is created ([xtalk] crosstalk):
 *   crosstalk_path (vmm/net/netpath.c): the detector, shared pages, one VMM
 *                  copy otherwise, the physical NIC for the outside;
 *   bridge_path    (vmm/net/bridgepath.c): the VMM's software bridge, every
 *                  frame copied, the baseline.
 * The emulated e1000 (vmm/net/nic.c) calls the guest's path on the events of
 * its rings; the run summary and the counters hypercall ask it for figures.
 */
#ifndef XTALK_VMM_NET_DATAPATH_H
#define XTALK_VMM_NET_DATAPATH_H

#include <stdbool.h>

struct guest;
struct xtalk_counters;

struct datapath {
	const char *name;
	void (*tx)(struct guest *g);            /* TDT moved: frames to send */
	void (*rx_ready)(struct guest *g);      /* RDT moved: room to receive */
	void (*reset)(struct guest *g);         /* the NIC was reset */
	void (*disabled)(struct guest *g, bool tx); /* TCTL.EN (tx) or RCTL.EN cleared */
	void (*stopped)(struct guest *g);       /* the guest stopped for good */
	/* Summary lines of g's traffic on this path. */
	void (*print_guest)(const struct guest *g);
	/* Add g's frames, copies and remaps on this path. */
	void (*guest_counters)(const struct guest *g, struct xtalk_counters *c);
};

extern const struct datapath crosstalk_path;
extern const struct datapath bridge_path;

#endif
