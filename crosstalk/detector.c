/* SPDX-License-Identifier: MIT */
#include "crosstalk/detector.h"

#include <string.h>

#include "lib/xerrno.h"

static inline uint64_t bit(unsigned port)
{
	return 1ULL << port;
}

static bool is_port(const struct xt_detector *d, unsigned port)
{
	return port < d->nports;
}

void xt_det_init(struct xt_detector *d)
{
	memset(d, 0, sizeof(*d));
	mac_table_init(&d->macs);
}

/* Record why for the pair unless it already has a stronger reason. */
static void set_couple(struct xt_detector *d, unsigned a, unsigned b, enum xt_couple_reason why)
{
	uint8_t cur = d->couple[a][b];

	d->version++;
	if (cur == XT_COUPLE_NONE || why < cur) {
		d->couple[a][b] = (uint8_t)why;
		d->couple[b][a] = (uint8_t)why;
	}
	d->port[a].reach |= bit(b);
	d->port[b].reach |= bit(a);
}

/* Static and mapping couplings of p with every other port. */
static void derive_port(struct xt_detector *d, unsigned p)
{
	const struct xt_det_port *me = &d->port[p];

	for (unsigned q = 0; q < d->nports; q++) {
		const struct xt_det_port *other = &d->port[q];

		if (q == p)
			continue;
		if (me->network && me->network == other->network)
			set_couple(d, p, q, XT_COUPLE_NETWORK);
		if (me->uplink >= 0 && me->uplink == other->uplink)
			set_couple(d, p, q, XT_COUPLE_UPLINK);
	}
}

/* The dynamic form needs no analysis: same network is reachable at once. */
static void reach_network(struct xt_detector *d, unsigned p)
{
	uint16_t net = d->port[p].network;

	if (!net)
		return;
	for (unsigned q = 0; q < p; q++) {
		if (d->port[q].network != net)
			continue;
		d->port[p].reach |= bit(q);
		d->port[q].reach |= bit(p);
	}
}

int xt_det_add_port(struct xt_detector *d, const uint8_t mac[6], uint16_t network, int uplink)
{
	unsigned p = d->nports;
	int rc;

	if (p >= XT_DET_MAX_PORTS)
		return -XT_ENOSPC;
	if (uplink < XT_DET_NO_UPLINK)
		return -XT_EINVAL;
	rc = mac_table_add(&d->macs, mac, p, network);
	if (rc)
		return rc;
	memset(&d->port[p], 0, sizeof(d->port[p]));
	memcpy(d->port[p].mac, mac, sizeof(d->port[p].mac));
	d->port[p].network = network;
	d->port[p].uplink = uplink;
	d->nports++;
	d->version++;
	d->up |= bit(p);
	reach_network(d, p);
	if (d->finalized)
		derive_port(d, p);
	return (int)p;
}

void xt_det_allow_spoof(struct xt_detector *d, unsigned port, bool allow)
{
	if (is_port(d, port))
		d->port[port].spoof_ok = allow;
}

bool xt_det_source_ok(const struct xt_detector *d, unsigned src, const uint8_t mac[6])
{
	return is_port(d, src) && (d->port[src].spoof_ok || !memcmp(mac, d->port[src].mac, 6));
}

int xt_det_couple(struct xt_detector *d, unsigned a, unsigned b, enum xt_couple_reason why)
{
	if (!is_port(d, a) || !is_port(d, b) || a == b)
		return -XT_EINVAL;
	if (why != XT_COUPLE_LINK && why != XT_COUPLE_NETWORK && why != XT_COUPLE_UPLINK)
		return -XT_EINVAL;
	set_couple(d, a, b, why);
	return 0;
}

void xt_det_finalize(struct xt_detector *d)
{
	for (unsigned p = 0; p < d->nports; p++)
		derive_port(d, p);
	d->finalized = true;
	d->version++;
}

enum xt_couple_reason xt_det_coupled(const struct xt_detector *d, unsigned a, unsigned b)
{
	if (!is_port(d, a) || !is_port(d, b))
		return XT_COUPLE_NONE;
	return (enum xt_couple_reason)d->couple[a][b];
}

enum xt_couple_reason xt_det_talking(const struct xt_detector *d, unsigned a, unsigned b)
{
	if (!is_port(d, a) || !is_port(d, b))
		return XT_COUPLE_NONE;
	return (enum xt_couple_reason)d->talk[a][b];
}

bool xt_det_exclusive(const struct xt_detector *d, unsigned a, unsigned b)
{
	if (!is_port(d, a) || !is_port(d, b) || a == b)
		return false;
	return d->port[a].reach == bit(b) && d->port[b].reach == bit(a) &&
	       d->port[a].uplink == XT_DET_NO_UPLINK && d->port[b].uplink == XT_DET_NO_UPLINK;
}

static bool is_static(uint8_t why)
{
	return why == XT_COUPLE_LINK || why == XT_COUPLE_NETWORK || why == XT_COUPLE_UPLINK;
}

unsigned xt_det_static_pairs(const struct xt_detector *d, unsigned (*pairs)[2], unsigned max)
{
	unsigned n = 0;

	for (unsigned a = 0; a < d->nports; a++) {
		for (unsigned b = a + 1; b < d->nports; b++) {
			if (!is_static(d->couple[a][b]))
				continue;
			if (n < max) {
				pairs[n][0] = a;
				pairs[n][1] = b;
			}
			n++;
		}
	}
	return n;
}

void xt_det_port_down(struct xt_detector *d, unsigned port)
{
	if (is_port(d, port))
		d->up &= ~bit(port);
	d->version++;
}

void xt_det_port_up(struct xt_detector *d, unsigned port)
{
	if (is_port(d, port))
		d->up |= bit(port);
	d->version++;
}

/* ---------------------------------------------------------------- routing */

static void route_drop(struct xt_detector *d, unsigned src, enum xt_drop_reason why,
		       struct xt_route *out)
{
	out->kind = XT_ROUTE_DROP;
	out->drop = why;
	if (is_port(d, src))
		d->port[src].st.drop[why]++;
}

static void route_outside(struct xt_detector *d, unsigned src, struct xt_route *out)
{
	if (d->port[src].uplink < 0) {
		route_drop(d, src, XT_DROP_NO_ROUTE, out);
		return;
	}
	out->kind = XT_ROUTE_OUTSIDE;
	out->outside = true;
	d->port[src].st.outside++;
}

/* The reason src -> q is cross-talk; a pair found only by lookup is learned. */
static enum xt_couple_reason pair_reason(struct xt_detector *d, unsigned src, unsigned q)
{
	if (d->couple[src][q] == XT_COUPLE_NONE)
		set_couple(d, src, q, XT_COUPLE_DYNAMIC);
	return (enum xt_couple_reason)d->couple[src][q];
}

/* Mark the destinations in to that src reaches for the first time. */
static void learn(struct xt_detector *d, unsigned src, uint64_t to, struct xt_route *out)
{
	uint64_t fresh = to & ~d->port[src].talked;

	out->first = fresh;
	out->first_contact = fresh != 0;
	d->port[src].talked |= fresh;
	while (fresh) {
		unsigned q = (unsigned)__builtin_ctzll(fresh);

		fresh &= fresh - 1;
		d->talk[src][q] = (uint8_t)pair_reason(d, src, q);
	}
}

static void route_flood(struct xt_detector *d, unsigned src, struct xt_route *out)
{
	uint64_t to = d->port[src].reach & d->up & ~bit(src);

	if (!to) {
		route_outside(d, src, out);
		return;
	}
	out->kind = XT_ROUTE_FLOOD;
	out->flood = to;
	out->outside = d->port[src].uplink >= 0;
	d->port[src].st.flood++;
	learn(d, src, to, out);
}

static void route_peer(struct xt_detector *d, unsigned src, unsigned peer, struct xt_route *out)
{
	struct xt_det_stats *st = &d->port[src].st;

	if (!(d->up & bit(peer))) {
		route_drop(d, src, XT_DROP_PEER_DOWN, out);
		return;
	}
	learn(d, src, bit(peer), out);
	out->kind = XT_ROUTE_PEER;
	out->peer = peer;
	out->why = (enum xt_couple_reason)d->couple[src][peer];
	st->peer++;
	st->peer_by[out->why]++;
}

void xt_det_count_peer(struct xt_detector *d, unsigned src, unsigned peer)
{
	if (!is_port(d, src) || !is_port(d, peer))
		return;
	d->port[src].st.peer++;
	d->port[src].st.peer_by[d->couple[src][peer]]++;
}

static void route_unicast(struct xt_detector *d, unsigned src, const uint8_t dst[6],
			  struct xt_route *out)
{
	int owner;

	d->dbg_lookups++;
	owner = mac_table_lookup(&d->macs, dst, NULL);
	if (owner < 0 || (unsigned)owner >= d->nports)
		route_outside(d, src, out);
	else if ((unsigned)owner == src)
		route_drop(d, src, XT_DROP_SELF, out);
	else if (d->port[src].reach & bit((unsigned)owner))
		route_peer(d, src, (unsigned)owner, out);
	else
		route_outside(d, src, out);
}

void xt_det_route(struct xt_detector *d, unsigned src, const uint8_t *frame, size_t len,
		  struct xt_route *out)
{
	memset(out, 0, sizeof(*out));
	if (!is_port(d, src) || !(d->up & bit(src)))
		route_drop(d, src, XT_DROP_BAD_SRC, out);
	else if (!frame || len < XT_DET_MIN_FRAME)
		route_drop(d, src, XT_DROP_RUNT, out);
	else if (!xt_det_source_ok(d, src, frame + 6))
		route_drop(d, src, XT_DROP_SPOOFED, out);
	else if (mac_is_multicast(frame))
		route_flood(d, src, out);
	else
		route_unicast(d, src, frame, out);
}

const char *xt_couple_reason_name(enum xt_couple_reason why)
{
	static const char *const names[XT_COUPLE_NREASONS] = {
		[XT_COUPLE_NONE] = "none",
		[XT_COUPLE_LINK] = "link",
		[XT_COUPLE_NETWORK] = "network",
		[XT_COUPLE_UPLINK] = "uplink",
		[XT_COUPLE_DYNAMIC] = "dynamic",
	};

	if ((unsigned)why >= XT_COUPLE_NREASONS)
		return "none";
	return names[why];
}
