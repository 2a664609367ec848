/* SPDX-License-Identifier: MIT */
/*
 * The VMM's software bridge: the conventional data path between guests'
 * emulated e1000s, and the baseline the cross-talk path is measured against
 * (INI `crosstalk = off`). On a TDT write it walks the sender's new frames
 * and copies each into the receiving guest's next RX buffer, by destination
 * MAC: unicast to the owner on the same network, broadcast/multicast to
 * every other NIC on the network that accepts it. Unknown unicast is counted
 * and dropped. A receiver whose ring is full makes the frame wait in the
 * sender's TX ring (backpressure): nothing is lost, duplicated or reordered;
 * the other receivers of a broadcast get their copy meanwhile.
 *
 * Pure: it sees only e1000 models and the MAC table, so it is unit-tested on
 * the host with real e1000 models over fake guest memory.
 */
#ifndef XTALK_VMM_BRIDGE_H
#define XTALK_VMM_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "crosstalk/mactable.h"
#include "devices/e1000.h"

#define BRIDGE_MAX_PORTS 32

struct bridge_stats {
	uint64_t tx_frames, tx_bytes;   /* frames taken from this port's TX ring */
	uint64_t rx_frames, rx_bytes;   /* frames delivered into this port's RX ring */
	uint64_t copies, bytes_copied;  /* VMM copies made to deliver to this port */
	uint64_t drop_unknown;          /* unicast to an address no guest on the network owns */
	uint64_t drop_filtered;         /* the receiver's NIC refused it (RX off, address filter),
	                                 * or no NIC on the network took a multicast */
	uint64_t drop_down;             /* the receiver has stopped */
	uint64_t drop_error;            /* the receiver's RX ring rejected it (too long, bad buffer) */
	uint64_t waits;                 /* times a frame had to wait for the receiver's ring */
	uint64_t rx_no_room;            /* frames to this port dropped: no room past the wait bound */
	uint64_t drop_spoofed;          /* source MAC not this port's own */
};

struct bridge_port {
	struct e1000 *nic;
	uint8_t mac[6];                 /* the only source MAC it may send with... */
	bool spoof_ok;                  /* ... unless allowed (INI mac_spoof = allow) */
	uint16_t network;
	bool up;
	bool pending_valid;             /* pending describes the frame at this port's TDH */
	uint64_t pending;               /* ports that still have to get that frame */
	int blocked_on;                 /* port whose full RX ring holds this port up, or -1 */
	uint64_t blocked_since;         /* bridge_tick's time it was first seen blocked, 0: not yet */
	bool rx_stalled;                /* held a sender past the bound: frames finding its
					 * ring full are dropped (RNBC, MPC), nobody waits,
					 * until it gave back its whole ring */
	struct bridge_stats st;
};

struct bridge {
	struct mac_table macs;
	struct bridge_port port[BRIDGE_MAX_PORTS];
	unsigned nports;
	bool busy;                      /* inside bridge_tx: no re-entry */
	uint64_t rx_batch;              /* ports whose receive interrupt waits for
					 * the end of bridge_tx (e1000_rx_batch_begin) */
	uint64_t wait_limit;            /* longest wait for a receiver's room, bridge_tick's units */
};

void bridge_init(struct bridge *br);
/* Attach a NIC with its MAC on a network (0 = on no network: it reaches
 * nobody). Returns the port number or a negative XT_E* code. */
int bridge_add_port(struct bridge *br, struct e1000 *nic, const uint8_t mac[6], uint16_t network);
/* The port's guest stopped: frames to it are dropped from now on, and
 * senders waiting for it are released. */
void bridge_port_down(struct bridge *br, unsigned port);
/* The port's NIC was reset: forget the frame in flight at its TDH, and
 * release senders waiting for its RX ring (RX is off after a reset). */
void bridge_port_reset(struct bridge *br, unsigned port);
/* Let the port send with any source MAC (a guest that bridges), or not (default). */
void bridge_allow_spoof(struct bridge *br, unsigned port, bool allow);
/* The port's guest wrote TDT: move its new frames. */
void bridge_tx(struct bridge *br, unsigned port);
/* The port's guest gave RX buffers: senders it held up try again. */
void bridge_rx_ready(struct bridge *br, unsigned port);
/* Time passes (now never 0): a sender that waited wait_limit or more for a
 * receiver's room stops waiting; frames finding that receiver's ring full
 * are dropped (counted) until it gave back its whole ring. A receiver
 * without room never holds a sender longer. Returns the earliest time there is something to do, 0 if none. */
uint64_t bridge_tick(struct bridge *br, uint64_t now);

#endif
