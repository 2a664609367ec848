/* SPDX-License-Identifier: MIT */
#include "vmm/net/bridge.h"

#include <string.h>

#include "devices/e1000_regs.h"
#include "lib/xerrno.h"

void bridge_init(struct bridge *br)
{
	memset(br, 0, sizeof(*br));
	mac_table_init(&br->macs);
	br->wait_limit = 50000000ULL;	/* 50 ms on the NIC clock (ns) */
}

int bridge_add_port(struct bridge *br, struct e1000 *nic, const uint8_t mac[6], uint16_t network)
{
	struct bridge_port *p;
	int rc;

	if (br->nports == BRIDGE_MAX_PORTS)
		return -XT_ENOSPC;
	rc = mac_table_add(&br->macs, mac, br->nports, network);
	if (rc)
		return rc;
	p = &br->port[br->nports];
	memset(p, 0, sizeof(*p));
	p->nic = nic;
	memcpy(p->mac, mac, sizeof(p->mac));
	p->network = network;
	p->up = true;
	p->blocked_on = -1;
	return (int)br->nports++;
}

void bridge_allow_spoof(struct bridge *br, unsigned port, bool allow)
{
	if (port < br->nports)
		br->port[port].spoof_ok = allow;
}

/* Does the frame carry the port's own source MAC (or may it send any)? */
static bool source_ok(const struct bridge_port *p, const struct e1000_frame *f)
{
	uint8_t mac[6];

	return p->spoof_ok ||
	       (e1000_frame_read(f, 6, mac, sizeof(mac)) == sizeof(mac) && !memcmp(mac, p->mac, 6));
}

/* The first 6 bytes of a frame, which may be split over segments. */
static void frame_dst(const struct e1000_frame *f, uint8_t dst[6])
{
	unsigned got = 0;

	for (unsigned i = 0; i < f->nseg && got < 6; i++) {
		uint32_t n = f->seg[i].len < 6 - got ? f->seg[i].len : 6 - got;

		memcpy(dst + got, f->seg[i].data, n);
		got += n;
	}
}

static bool reachable(const struct bridge *br, unsigned from, unsigned to)
{
	return to != from && br->port[to].network && br->port[to].network == br->port[from].network;
}

/* Which ports must get this frame; drops are counted on the sender. */
static uint64_t destinations(struct bridge *br, unsigned from, const uint8_t dst[6])
{
	struct bridge_port *src = &br->port[from];
	uint64_t set = 0;
	int to;

	if (mac_is_multicast(dst)) {
		for (unsigned q = 0; q < br->nports; q++)
			if (reachable(br, from, q) && br->port[q].up &&
			    e1000_rx_accepts(br->port[q].nic, dst))
				set |= 1ULL << q;
		if (!set)
			src->st.drop_filtered++;	/* nobody on the network wants it */
		return set;
	}
	to = mac_table_lookup(&br->macs, dst, NULL);
	if (to < 0 || !reachable(br, from, (unsigned)to))
		src->st.drop_unknown++;
	else if (!br->port[to].up)
		src->st.drop_down++;
	else if (!e1000_rx_accepts(br->port[to].nic, dst))
		src->st.drop_filtered++;
	else
		set = 1ULL << to;
	return set;
}

/*
 * Deliver the frame to every port still pending; false if one is full (the
 * others get it now, not after the full one: a full receiver holds up only
 * its own copy). A receiver that stopped accepting the frame while it waited
 * (RX turned off, reset, filter changed) no longer holds the sender up.
 */
static bool deliver(struct bridge *br, unsigned from, const struct e1000_frame *f,
		    const uint8_t mac[6])
{
	struct bridge_port *src = &br->port[from];

	for (unsigned q = 0; q < br->nports; q++) {
		struct bridge_port *dst = &br->port[q];
		uint64_t copied = 0;
		int rc;

		if (!(src->pending & (1ULL << q)))
			continue;
		if (!dst->up) {
			src->st.drop_down++;
			src->pending &= ~(1ULL << q);
			continue;
		}
		if (!e1000_rx_accepts(dst->nic, mac)) {
			src->st.drop_filtered++;
			src->pending &= ~(1ULL << q);
			continue;
		}
		if (!(br->rx_batch & (1ULL << q))) {
			br->rx_batch |= 1ULL << q;
			e1000_rx_batch_begin(dst->nic);
		}
		rc = e1000_rx_deliver(dst->nic, f, &copied);
		if (rc == -XT_EAGAIN && dst->rx_stalled) {
			e1000_rx_no_buffers(dst->nic);
			dst->st.rx_no_room++;
			src->pending &= ~(1ULL << q);
			continue;
		}
		if (rc == -XT_EAGAIN) {
			if (src->blocked_on < 0) {
				src->blocked_on = (int)q;
				src->st.waits++;
			}
			continue;
		}
		src->pending &= ~(1ULL << q);
		if (rc) {
			src->st.drop_error++;
			continue;
		}
		dst->st.rx_frames++;
		dst->st.rx_bytes += f->len;
		dst->st.copies++;
		dst->st.bytes_copied += copied;
	}
	return src->blocked_on < 0;
}

static void move_frames(struct bridge *br, unsigned from)
{
	struct bridge_port *src = &br->port[from];
	struct e1000_frame f;
	uint8_t mac[6];

	while (src->blocked_on < 0 && e1000_tx_peek(src->nic, &f) > 0) {
		if (!src->pending_valid && !source_ok(src, &f)) {
			src->st.drop_spoofed++;
			e1000_tx_complete(src->nic, &f);
			continue;
		}
		frame_dst(&f, mac);
		if (!src->pending_valid) {
			src->pending = destinations(br, from, mac);
			src->pending_valid = true;
		}
		if (!deliver(br, from, &f, mac))
			return;
		src->pending_valid = false;
		src->st.tx_frames++;
		src->st.tx_bytes += f.len;
		e1000_tx_complete(src->nic, &f);
	}
}

void bridge_tx(struct bridge *br, unsigned port)
{
	if (port >= br->nports || br->busy || !br->port[port].up)
		return;
	br->busy = true;
	br->rx_batch = 0;
	move_frames(br, port);
	/* Each receiver's interrupt once for the frames of this call. */
	while (br->rx_batch) {
		unsigned q = (unsigned)__builtin_ctzll(br->rx_batch);

		br->rx_batch &= br->rx_batch - 1;
		e1000_rx_batch_end(br->port[q].nic);
	}
	br->busy = false;
}

/* Every RX descriptor but the one RDT == RDH forbids is the hardware's. */
static bool whole_ring_back(const struct e1000 *d)
{
	uint32_t n = d->rdlen && !(d->rdlen % E1000_DLEN_ALIGN) ? d->rdlen / E1000_DESC_SIZE : 0;

	return n && e1000_rx_free(d) + 1 >= n;
}

/* Senders held up by port try again. */
static void release(struct bridge *br, unsigned port)
{
	for (unsigned p = 0; p < br->nports; p++) {
		if (br->port[p].blocked_on != (int)port)
			continue;
		br->port[p].blocked_on = -1;
		br->port[p].blocked_since = 0;
		bridge_tx(br, p);
	}
}

void bridge_rx_ready(struct bridge *br, unsigned port)
{
	if (br->busy)
		return;
	/* Waits again only once it gave back its whole ring (see xpath.c). */
	if (port < br->nports && whole_ring_back(br->port[port].nic))
		br->port[port].rx_stalled = false;
	release(br, port);
}

uint64_t bridge_tick(struct bridge *br, uint64_t now)
{
	uint64_t next = 0;

	if (br->busy || !now)
		return 0;
	for (unsigned p = 0; p < br->nports; p++) {
		struct bridge_port *src = &br->port[p];
		uint64_t end;

		if (src->blocked_on < 0 || (unsigned)src->blocked_on >= br->nports)
			continue;
		if (!src->blocked_since)
			src->blocked_since = now;
		end = src->blocked_since + br->wait_limit;
		if (now < end) {
			next = !next || end < next ? end : next;
			continue;
		}
		br->port[src->blocked_on].rx_stalled = true;
		release(br, (unsigned)src->blocked_on);
	}
	return next;
}

void bridge_port_reset(struct bridge *br, unsigned port)
{
	if (port >= br->nports)
		return;
	br->port[port].pending_valid = false;
	br->port[port].pending = 0;
	br->port[port].blocked_on = -1;
	/* Its RX is off now: senders waiting for its ring must not wait for
	 * the guest to program it again (they drop their copy as filtered). */
	bridge_rx_ready(br, port);
}

void bridge_port_down(struct bridge *br, unsigned port)
{
	if (port >= br->nports)
		return;
	br->port[port].up = false;
	bridge_port_reset(br, port);
	bridge_rx_ready(br, port);
}
