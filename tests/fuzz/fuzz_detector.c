/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the cross-talk detector (crosstalk/detector.c): the
 * input is a sequence of operations (add port, couple, finalize, port
 * down/up, route a frame, list static pairs) with arbitrary arguments and
 * frames. A plain reference model (linear scans, no masks) predicts every
 * result, and the invariants the VMM relies on are checked on their own;
 * any violation aborts:
 * - PEER never to src nor to a stopped or unknown port;
 * - a FLOOD mask is non-empty and never holds src nor a stopped port;
 * - a DROP always has a reason and sends nothing; other kinds have none;
 * - OUTSIDE only when src has an uplink; first contact once per direction;
 * - static pairs are unique, a < b, sorted, and all coupled by configuration;
 * - coupling is symmetric.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crosstalk/detector.h"
#include "lib/xerrno.h"
#include "tests/fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXP XT_DET_MAX_PORTS

struct input {
	const uint8_t *p;
	size_t left;
};

struct model {
	unsigned n;
	uint8_t mac[MAXP][6];
	uint16_t net[MAXP];
	int uplink[MAXP];
	bool up[MAXP];
	bool link[MAXP][MAXP];
	uint64_t talked[MAXP];
	bool finalized;
};

static struct xt_detector det;
static struct model m;

static void check(bool ok)
{
	if (!ok)
		abort();
}

FUZZ_CHECKER static uint8_t byte(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

/* ---------------------------------------------------------------- reference model */

FUZZ_CHECKER static bool m_reachable(unsigned a, unsigned b)
{
	if (a == b)
		return false;
	if (m.net[a] && m.net[a] == m.net[b])
		return true;
	if (m.link[a][b])
		return true;
	return m.finalized && m.uplink[a] >= 0 && m.uplink[a] == m.uplink[b];
}

FUZZ_CHECKER static bool m_static(unsigned a, unsigned b)
{
	if (m.link[a][b])
		return true;
	if (!m.finalized)
		return false;
	return (m.net[a] && m.net[a] == m.net[b]) || (m.uplink[a] >= 0 && m.uplink[a] == m.uplink[b]);
}

FUZZ_CHECKER static int m_owner(const uint8_t mac[6])
{
	for (unsigned q = 0; q < m.n; q++)
		if (!memcmp(m.mac[q], mac, 6))
			return (int)q;
	return -1;
}

FUZZ_CHECKER static int m_add(const uint8_t mac[6], uint16_t net, int uplink)
{
	static const uint8_t zero[6];

	if (m.n >= MAXP)
		return -XT_ENOSPC;
	if (uplink < XT_DET_NO_UPLINK || (mac[0] & 1) || !memcmp(mac, zero, 6))
		return -XT_EINVAL;
	if (m_owner(mac) >= 0)
		return -XT_EEXIST;
	memcpy(m.mac[m.n], mac, 6);
	m.net[m.n] = net;
	m.uplink[m.n] = uplink;
	m.up[m.n] = true;
	return (int)m.n++;
}

/* Where the frame should go: kind, drop reason, peer, flood mask. */
FUZZ_CHECKER static void m_outside(unsigned src, struct xt_route *want)
{
	if (m.uplink[src] >= 0) {
		want->kind = XT_ROUTE_OUTSIDE;
		want->outside = true;
	} else {
		want->kind = XT_ROUTE_DROP;
		want->drop = XT_DROP_NO_ROUTE;
	}
}

FUZZ_CHECKER static void m_flood(unsigned src, struct xt_route *want)
{
	for (unsigned q = 0; q < m.n; q++)
		if (m.up[q] && m_reachable(src, q))
			want->flood |= 1ULL << q;
	if (!want->flood) {
		m_outside(src, want);
		return;
	}
	want->kind = XT_ROUTE_FLOOD;
	want->outside = m.uplink[src] >= 0;
}

FUZZ_CHECKER static void m_route(unsigned src, const uint8_t *f, size_t len, struct xt_route *want)
{
	int owner;

	memset(want, 0, sizeof(*want));
	want->kind = XT_ROUTE_DROP;
	if (src >= m.n || !m.up[src]) {
		want->drop = XT_DROP_BAD_SRC;
		return;
	}
	if (len < 14) {
		want->drop = XT_DROP_RUNT;
		return;
	}
	if (memcmp(f + 6, m.mac[src], 6)) {	/* no port here allows spoofing */
		want->drop = XT_DROP_SPOOFED;
		return;
	}
	if (f[0] & 1) {
		m_flood(src, want);
		return;
	}
	owner = m_owner(f);
	if (owner == (int)src) {
		want->drop = XT_DROP_SELF;
	} else if (owner >= 0 && m_reachable(src, (unsigned)owner)) {
		want->kind = m.up[owner] ? XT_ROUTE_PEER : XT_ROUTE_DROP;
		want->drop = m.up[owner] ? XT_DROP_NONE : XT_DROP_PEER_DOWN;
		want->peer = (unsigned)owner;
	} else {
		m_outside(src, want);
	}
}

/* ---------------------------------------------------------------- invariants */

FUZZ_CHECKER static uint64_t up_mask(void)
{
	uint64_t mask = 0;

	for (unsigned q = 0; q < m.n; q++)
		if (m.up[q])
			mask |= 1ULL << q;
	return mask;
}

FUZZ_CHECKER static void check_shape(unsigned src, const struct xt_route *r)
{
	uint64_t self = src < 64 ? 1ULL << src : 0;

	switch (r->kind) {
	case XT_ROUTE_DROP:
		check(r->drop != XT_DROP_NONE && r->drop < XT_DROP_NREASONS);
		check(!r->flood && !r->outside && !r->first && !r->first_contact);
		break;
	case XT_ROUTE_PEER:
		check(r->drop == XT_DROP_NONE && r->peer != src && r->peer < m.n && m.up[r->peer]);
		check(!r->flood && !r->outside);
		check(r->why > XT_COUPLE_NONE && r->why < XT_COUPLE_NREASONS);
		check(!(r->first & ~(1ULL << r->peer)));
		break;
	case XT_ROUTE_FLOOD:
		check(r->drop == XT_DROP_NONE && r->flood && !(r->flood & self));
		check(!(r->flood & ~up_mask()) && !(r->first & ~r->flood));
		break;
	case XT_ROUTE_OUTSIDE:
		check(r->drop == XT_DROP_NONE && r->outside && !r->flood && !r->first);
		break;
	default:
		check(false);
	}
	check(r->first_contact == (r->first != 0));
	check(r->kind == XT_ROUTE_DROP || (src < m.n && (m.uplink[src] >= 0 || !r->outside)));
}

FUZZ_CHECKER static void check_route(unsigned src, const uint8_t *f, size_t len, const struct xt_route *r)
{
	struct xt_route want;
	uint64_t to;

	m_route(src, f, len, &want);
	check_shape(src, r);
	check(r->kind == want.kind && r->drop == want.drop && r->outside == want.outside);
	check(r->kind != XT_ROUTE_PEER || r->peer == want.peer);
	check(r->flood == want.flood);
	if (r->kind != XT_ROUTE_PEER && r->kind != XT_ROUTE_FLOOD)
		return;
	to = r->kind == XT_ROUTE_PEER ? 1ULL << r->peer : r->flood;
	check(r->first == (to & ~m.talked[src]));
	m.talked[src] |= to;
	for (uint64_t b = r->first; b; b &= b - 1)
		check(xt_det_talking(&det, src, (unsigned)__builtin_ctzll(b)) != XT_COUPLE_NONE);
}

FUZZ_CHECKER static void check_pairs(void)
{
	static unsigned pairs[MAXP * MAXP / 2][2];
	unsigned n = xt_det_static_pairs(&det, pairs, MAXP * MAXP / 2), want = 0;

	/* Each unordered pair once: symmetry is the same check both ways round. */
	for (unsigned a = 0; a < m.n; a++) {
		for (unsigned b = a; b < m.n; b++) {
			enum xt_couple_reason why = xt_det_coupled(&det, a, b);

			check(why == xt_det_coupled(&det, b, a) && why < XT_COUPLE_NREASONS);
			check(a != b || why == XT_COUPLE_NONE);
			want += a < b && m_static(a, b);
		}
	}
	check(n == want);
	for (unsigned i = 0; i < n; i++) {
		enum xt_couple_reason why = xt_det_coupled(&det, pairs[i][0], pairs[i][1]);

		check(pairs[i][0] < pairs[i][1] && pairs[i][1] < m.n);
		check(why == XT_COUPLE_LINK || why == XT_COUPLE_NETWORK || why == XT_COUPLE_UPLINK);
		check(m_static(pairs[i][0], pairs[i][1]));
		if (i)
			check(pairs[i - 1][0] < pairs[i][0] ||
			      (pairs[i - 1][0] == pairs[i][0] && pairs[i - 1][1] < pairs[i][1]));
	}
}

/* ---------------------------------------------------------------- operations */

/* Few distinct addresses so that duplicates, self and known MACs are common. */
static void pick_mac(struct input *in, uint8_t mac[6])
{
	uint8_t sel = byte(in);

	if (sel < 0xf0) {
		const uint8_t known[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, (uint8_t)(sel % 72) };

		memcpy(mac, known, 6);
		return;
	}
	for (unsigned i = 0; i < 6; i++)
		mac[i] = byte(in);
}

static void op_add(struct input *in)
{
	uint8_t mac[6];
	uint16_t net = byte(in) % 4;
	int uplink = (int)(byte(in) % 5) - 2;
	int got, want;

	pick_mac(in, mac);
	want = m_add(mac, net, uplink);
	got = xt_det_add_port(&det, mac, net, uplink);
	check(got == want);
}

static void op_couple(struct input *in)
{
	unsigned a = byte(in) % (MAXP + 2), b = byte(in) % (MAXP + 2);
	enum xt_couple_reason why = (enum xt_couple_reason)(byte(in) % (XT_COUPLE_NREASONS + 1));
	bool ok = a < m.n && b < m.n && a != b &&
		  (why == XT_COUPLE_LINK || why == XT_COUPLE_NETWORK || why == XT_COUPLE_UPLINK);

	check(xt_det_couple(&det, a, b, why) == (ok ? 0 : -XT_EINVAL));
	if (ok) {
		m.link[a][b] = true;
		m.link[b][a] = true;
	}
}

static void op_updown(struct input *in, bool up)
{
	unsigned p = byte(in) % (MAXP + 2);

	if (up)
		xt_det_port_up(&det, p);
	else
		xt_det_port_down(&det, p);
	if (p < m.n)
		m.up[p] = up;
}

/* A frame of len bytes: a chosen destination MAC, mostly the sender's own
 * source MAC, then the input's bytes. */
static void op_route(struct input *in)
{
	uint8_t frame[128];
	unsigned src = byte(in) % (MAXP + 2);
	size_t len = byte(in) % sizeof(frame);
	uint8_t kind = byte(in);
	struct xt_route r;

	memset(frame, 0, sizeof(frame));
	for (size_t i = 0; i < len; i++)
		frame[i] = byte(in);
	if (kind % 4 == 0 && m.n)
		memcpy(frame, m.mac[kind / 4 % m.n], 6);
	else if (kind % 4 == 1)
		memset(frame, 0xff, 6);
	if (!(kind & 0x80) && src < m.n)	/* mostly its own source MAC */
		memcpy(frame + 6, m.mac[src], 6);
	memset(&r, 0x5a, sizeof(r));
	xt_det_route(&det, src, len ? frame : NULL, len, &r);
	check_route(src, frame, len, &r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };

	xt_det_init(&det);
	memset(&m, 0, sizeof(m));
	while (in.left) {
		switch (byte(&in) % 16) {
		case 0:
		case 1:
		case 7:
		case 8:
			op_add(&in);
			break;
		case 2:
			op_couple(&in);
			break;
		case 3:
			xt_det_finalize(&det);
			m.finalized = true;
			break;
		case 4:
			op_updown(&in, false);
			break;
		case 5:
			op_updown(&in, true);
			break;
		case 15:
			check_pairs();
			break;
		default:
			op_route(&in);
			break;
		}
	}
	check_pairs();
	return 0;
}
