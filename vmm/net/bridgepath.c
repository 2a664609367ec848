/* SPDX-License-Identifier: MIT */
/*
 * The software bridge (vmm/net/bridge.c, pure) as a guest's data path
 * (vmm/net/datapath.h): one bridge for the machine, a port per guest NIC.
 */
#include "vmm/net/bridgepath.h"

#include "lib/hypercall_abi.h"
#include "vmm/core/console.h"
#include "vmm/guest/guest.h"
#include "vmm/net/datapath.h"

struct bridge vmm_bridge;

static void bp_tx(struct guest *g)
{
	bridge_tx(&vmm_bridge, (unsigned)g->nic_port);
}

static void bp_rx_ready(struct guest *g)
{
	bridge_rx_ready(&vmm_bridge, (unsigned)g->nic_port);
}

static void bp_reset(struct guest *g)
{
	bridge_port_reset(&vmm_bridge, (unsigned)g->nic_port);
}

/* TX off: what is queued goes (as after a reset); RX off: senders waiting
 * for this port are released (its frames are now filtered). */
static void bp_disabled(struct guest *g, bool tx)
{
	if (tx)
		bp_reset(g);
	else
		bp_rx_ready(g);
}

static void bp_stopped(struct guest *g)
{
	bridge_port_down(&vmm_bridge, (unsigned)g->nic_port);
}

static void bp_print_guest(const struct guest *g)
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

static void bp_guest_counters(const struct guest *g, struct xtalk_counters *c)
{
	const struct bridge_stats *b = &vmm_bridge.port[g->nic_port].st;

	c->copies += b->copies;
	c->bytes_copied += b->bytes_copied;
	c->frames += b->tx_frames;
}

const struct datapath bridge_path = {
	.name = "bridge",
	.tx = bp_tx,
	.rx_ready = bp_rx_ready,
	.reset = bp_reset,
	.disabled = bp_disabled,
	.stopped = bp_stopped,
	.print_guest = bp_print_guest,
	.guest_counters = bp_guest_counters,
};

uint64_t bridgepath_frames(void)
{
	uint64_t n = 0;

	for (unsigned p = 0; p < vmm_bridge.nports; p++)
		n += vmm_bridge.port[p].st.tx_frames;
	return n;
}

uint64_t bridgepath_tick(uint64_t now)
{
	return bridge_tick(&vmm_bridge, now);
}
