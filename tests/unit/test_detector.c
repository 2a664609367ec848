/* SPDX-License-Identifier: MIT */
/* Host tests for the cross-talk detector (crosstalk/detector.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "crosstalk/detector.h"
#include "lib/xerrno.h"

#define NOUP XT_DET_NO_UPLINK

static struct xt_detector d;
static struct xt_route r;

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t stranger[6] = { 0x52, 0x54, 0x00, 0xee, 0xee, 0xee };

static void mac_of(unsigned port, uint8_t mac[6])
{
	const uint8_t m[6] = { 0x52, 0x54, 0x00, 0x00, (uint8_t)(port >> 8), (uint8_t)(port + 1) };

	memcpy(mac, m, 6);
}

static unsigned add(uint16_t network, int uplink)
{
	uint8_t mac[6];
	int p;

	mac_of(d.nports, mac);
	p = xt_det_add_port(&d, mac, network, uplink);
	assert_true(p >= 0);
	return (unsigned)p;
}

/* Route a minimal frame (dst, src, EtherType) from src to dst. */
static void send(unsigned src, const uint8_t dst[6])
{
	uint8_t f[64] = { 0 };

	memcpy(f, dst, 6);
	mac_of(src, f + 6);
	f[12] = 0x08;
	xt_det_route(&d, src, f, 60, &r);
}

static void send_to(unsigned src, unsigned dst)
{
	uint8_t mac[6];

	mac_of(dst, mac);
	send(src, mac);
}

static void assert_peer(unsigned peer, enum xt_couple_reason why)
{
	assert_int_equal(r.kind, XT_ROUTE_PEER);
	assert_int_equal(r.peer, peer);
	assert_int_equal(r.why, why);
	assert_int_equal(r.drop, XT_DROP_NONE);
	assert_false(r.outside);
}

static void assert_drop(enum xt_drop_reason why)
{
	assert_int_equal(r.kind, XT_ROUTE_DROP);
	assert_int_equal(r.drop, why);
	assert_false(r.outside);
	assert_int_equal(r.flood, 0);
}

static void assert_outside(void)
{
	assert_int_equal(r.kind, XT_ROUTE_OUTSIDE);
	assert_true(r.outside);
	assert_int_equal(r.drop, XT_DROP_NONE);
}

static int setup(void **state)
{
	(void)state;
	xt_det_init(&d);
	memset(&r, 0xa5, sizeof(r));
	return 0;
}

/* ---------------------------------------------------------------- ports */

static void test_empty_detector_drops_bad_src(void **state)
{
	(void)state;
	send(0, bcast);
	assert_drop(XT_DROP_BAD_SRC);
	assert_int_equal(xt_det_static_pairs(&d, NULL, 0), 0);
	assert_int_equal(xt_det_coupled(&d, 0, 1), XT_COUPLE_NONE);
}

static void test_add_port_errors(void **state)
{
	const uint8_t zero[6] = { 0 };
	uint8_t mac[6];

	(void)state;
	assert_int_equal(xt_det_add_port(&d, bcast, 1, NOUP), -XT_EINVAL);
	assert_int_equal(xt_det_add_port(&d, mcast, 1, NOUP), -XT_EINVAL);
	assert_int_equal(xt_det_add_port(&d, zero, 1, NOUP), -XT_EINVAL);
	mac_of(0, mac);
	assert_int_equal(xt_det_add_port(&d, mac, 1, -2), -XT_EINVAL);
	assert_int_equal(xt_det_add_port(&d, mac, 1, NOUP), 0);
	assert_int_equal(xt_det_add_port(&d, mac, 2, NOUP), -XT_EEXIST);
	mac_of(1, mac);
	assert_int_equal(xt_det_add_port(&d, mac, 2, 7), 1);
	assert_int_equal(d.nports, 2);
}

static void test_64_ports_every_mac(void **state)
{
	uint8_t mac[6];

	(void)state;
	for (unsigned p = 0; p < XT_DET_MAX_PORTS; p++)
		assert_int_equal(add(9, NOUP), p);
	mac_of(XT_DET_MAX_PORTS, mac);
	assert_int_equal(xt_det_add_port(&d, mac, 9, NOUP), -XT_ENOSPC);
	xt_det_finalize(&d);
	for (unsigned s = 0; s < XT_DET_MAX_PORTS; s++) {
		for (unsigned t = 0; t < XT_DET_MAX_PORTS; t++) {
			send_to(s, t);
			if (s == t)
				assert_drop(XT_DROP_SELF);
			else
				assert_peer(t, XT_COUPLE_NETWORK);
		}
	}
	send(63, bcast);
	assert_int_equal(r.kind, XT_ROUTE_FLOOD);
	assert_int_equal(r.flood, ~0ULL >> 1);
}

/* ---------------------------------------------------------------- frames */

static void test_runt_frames_dropped(void **state)
{
	uint8_t f[XT_DET_MIN_FRAME];

	(void)state;
	add(1, 0);
	add(1, 0);
	mac_of(1, f);
	for (size_t len = 0; len < XT_DET_MIN_FRAME; len++) {
		xt_det_route(&d, 0, f, len, &r);
		assert_drop(XT_DROP_RUNT);
	}
	xt_det_route(&d, 0, NULL, 60, &r);
	assert_drop(XT_DROP_RUNT);
	assert_int_equal(d.port[0].st.drop[XT_DROP_RUNT], XT_DET_MIN_FRAME + 1);
	assert_int_equal(d.port[0].st.peer + d.port[0].st.outside + d.port[0].st.flood, 0);
}

static void test_frame_of_exactly_14_bytes(void **state)
{
	uint8_t f[XT_DET_MIN_FRAME] = { 0 };

	(void)state;
	add(1, NOUP);
	add(1, NOUP);
	xt_det_finalize(&d);
	mac_of(1, f);
	mac_of(0, f + 6);	/* its own source address (see test_source_mac_spoofed) */
	xt_det_route(&d, 0, f, sizeof(f), &r);
	assert_peer(1, XT_COUPLE_NETWORK);
	memcpy(f, bcast, 6);
	xt_det_route(&d, 0, f, sizeof(f), &r);
	assert_int_equal(r.kind, XT_ROUTE_FLOOD);
}

/*
 * Issue 11 L3: a port sending with another port's (or any other) source MAC
 * is dropped and counted, unless allowed (INI mac_spoof = allow).
 */
static void test_source_mac_spoofed(void **state)
{
	uint8_t f[64] = { 0 };

	(void)state;
	add(1, NOUP);
	add(1, NOUP);
	add(1, NOUP);
	xt_det_finalize(&d);
	mac_of(1, f);
	mac_of(2, f + 6);	/* port 0 pretends to be port 2 */
	xt_det_route(&d, 0, f, sizeof(f), &r);
	assert_int_equal(r.kind, XT_ROUTE_DROP);
	assert_int_equal(r.drop, XT_DROP_SPOOFED);
	assert_int_equal(d.port[0].st.drop[XT_DROP_SPOOFED], 1);
	memcpy(f, bcast, 6);
	xt_det_route(&d, 0, f, sizeof(f), &r);
	assert_int_equal(r.drop, XT_DROP_SPOOFED);
	xt_det_allow_spoof(&d, 0, true);
	mac_of(1, f);
	xt_det_route(&d, 0, f, sizeof(f), &r);
	assert_peer(1, XT_COUPLE_NETWORK);
	assert_false(xt_det_source_ok(&d, 1, f + 6));
}

/* ---------------------------------------------------------------- unicast rules */

static void test_unicast_same_network_is_crosstalk(void **state)
{
	(void)state;
	add(1, 0);
	add(1, 0);
	add(2, NOUP);
	xt_det_finalize(&d);
	send_to(0, 1);
	assert_peer(1, XT_COUPLE_NETWORK);
	send_to(1, 0);
	assert_peer(0, XT_COUPLE_NETWORK);
}

static void test_unicast_linked_is_crosstalk(void **state)
{
	(void)state;
	add(1, NOUP);
	add(2, NOUP);
	add(0, NOUP);
	assert_int_equal(xt_det_couple(&d, 0, 2, XT_COUPLE_LINK), 0);
	xt_det_finalize(&d);
	send_to(0, 2);
	assert_peer(2, XT_COUPLE_LINK);
	send_to(2, 0);
	assert_peer(0, XT_COUPLE_LINK);
	send_to(0, 1);
	assert_drop(XT_DROP_NO_ROUTE);
}

static void test_isolated_guest_goes_outside(void **state)
{
	(void)state;
	add(1, 0);      /* 0: lan 1, uplink phys0 */
	add(2, 1);      /* 1: lan 2, uplink phys1: isolated from 0 */
	add(3, NOUP);   /* 2: lan 3, no uplink */
	xt_det_finalize(&d);
	send_to(0, 1);
	assert_outside();
	assert_false(r.first_contact);
	assert_int_equal(xt_det_talking(&d, 0, 1), XT_COUPLE_NONE);
	send_to(2, 1);
	assert_drop(XT_DROP_NO_ROUTE);
	/* Not cross-talk, so the isolated guest's state does not matter. */
	xt_det_port_down(&d, 1);
	send_to(0, 1);
	assert_outside();
}

static void test_unknown_unicast(void **state)
{
	(void)state;
	add(1, 4);
	add(1, NOUP);
	xt_det_finalize(&d);
	send(0, stranger);
	assert_outside();
	send(1, stranger);
	assert_drop(XT_DROP_NO_ROUTE);
	assert_int_equal(d.port[1].st.drop[XT_DROP_NO_ROUTE], 1);
}

static void test_unicast_to_self_dropped(void **state)
{
	(void)state;
	add(1, 0);
	add(1, 0);
	xt_det_finalize(&d);
	send_to(0, 0);
	assert_drop(XT_DROP_SELF);
	assert_int_equal(d.port[0].st.drop[XT_DROP_SELF], 1);
	add(0, NOUP);
	send_to(2, 2);
	assert_drop(XT_DROP_SELF);
}

static void test_stopped_peer_dropped_not_outside(void **state)
{
	(void)state;
	add(1, 0);
	add(1, 1);
	xt_det_finalize(&d);
	xt_det_port_down(&d, 1);
	send_to(0, 1);
	assert_drop(XT_DROP_PEER_DOWN);
	assert_int_equal(d.port[0].st.drop[XT_DROP_PEER_DOWN], 1);
	assert_int_equal(d.port[0].st.outside, 0);
	assert_false(r.first_contact);
	xt_det_port_up(&d, 1);
	send_to(0, 1);
	assert_peer(1, XT_COUPLE_NETWORK);
	assert_true(r.first_contact);
}

static void test_stopped_sender_dropped(void **state)
{
	(void)state;
	add(1, 0);
	add(1, 0);
	xt_det_port_down(&d, 0);
	send_to(0, 1);
	assert_drop(XT_DROP_BAD_SRC);
	assert_int_equal(d.port[0].st.drop[XT_DROP_BAD_SRC], 1);
	send_to(7, 1);
	assert_drop(XT_DROP_BAD_SRC);
	xt_det_port_up(&d, 0);
	send_to(0, 1);
	assert_int_equal(r.kind, XT_ROUTE_PEER);
}

/* ---------------------------------------------------------------- broadcast rules */

static void test_broadcast_network_and_coupled(void **state)
{
	(void)state;
	add(1, 0);      /* 0: sender */
	add(1, NOUP);   /* 1: same network */
	add(2, NOUP);   /* 2: other network, linked with 0 */
	add(2, NOUP);   /* 3: other network, isolated */
	add(0, NOUP);   /* 4: no network, isolated */
	xt_det_couple(&d, 0, 2, XT_COUPLE_LINK);
	xt_det_finalize(&d);
	send(0, bcast);
	assert_int_equal(r.kind, XT_ROUTE_FLOOD);
	assert_int_equal(r.flood, 0x6);
	assert_true(r.outside);
	send(1, bcast);
	assert_int_equal(r.flood, 0x1);
	assert_false(r.outside);
	send(3, mcast);
	assert_int_equal(r.kind, XT_ROUTE_FLOOD);
	assert_int_equal(r.flood, 0x4);
	send(2, mcast);
	assert_int_equal(r.flood, 0x9);
}

static void test_broadcast_skips_stopped_ports(void **state)
{
	(void)state;
	for (unsigned p = 0; p < 4; p++)
		add(1, NOUP);
	xt_det_finalize(&d);
	xt_det_port_down(&d, 2);
	send(0, bcast);
	assert_int_equal(r.flood, 0xa);
	xt_det_port_down(&d, 1);
	xt_det_port_down(&d, 3);
	send(0, bcast);
	assert_drop(XT_DROP_NO_ROUTE);
	xt_det_port_up(&d, 2);
	send(0, bcast);
	assert_int_equal(r.flood, 0x4);
}

static void test_broadcast_without_peers(void **state)
{
	(void)state;
	add(0, 3);
	add(0, NOUP);
	xt_det_finalize(&d);
	send(0, bcast);
	assert_outside();
	assert_int_equal(d.port[0].st.outside, 1);
	send(1, bcast);
	assert_drop(XT_DROP_NO_ROUTE);
}

/* ---------------------------------------------------------------- coupling */

static void test_coupling_symmetric(void **state)
{
	(void)state;
	add(0, NOUP);
	add(0, NOUP);
	assert_int_equal(xt_det_couple(&d, 1, 0, XT_COUPLE_LINK), 0);
	assert_int_equal(xt_det_coupled(&d, 0, 1), XT_COUPLE_LINK);
	assert_int_equal(xt_det_coupled(&d, 1, 0), XT_COUPLE_LINK);
	send_to(0, 1);
	assert_peer(1, XT_COUPLE_LINK);
	send_to(1, 0);
	assert_peer(0, XT_COUPLE_LINK);
}

static void test_port_coupled_to_many(void **state)
{
	(void)state;
	for (unsigned p = 0; p < 4; p++)
		add(0, NOUP);
	for (unsigned p = 1; p < 4; p++)
		assert_int_equal(xt_det_couple(&d, 0, p, XT_COUPLE_LINK), 0);
	for (unsigned p = 1; p < 4; p++) {
		send_to(0, p);
		assert_peer(p, XT_COUPLE_LINK);
		send_to(p, 0);
		assert_peer(0, XT_COUPLE_LINK);
	}
	assert_int_equal(xt_det_coupled(&d, 1, 2), XT_COUPLE_NONE);
	send_to(1, 2);
	assert_drop(XT_DROP_NO_ROUTE);
	send(0, bcast);
	assert_int_equal(r.flood, 0xe);
}

static void test_couple_errors(void **state)
{
	(void)state;
	add(0, NOUP);
	add(0, NOUP);
	assert_int_equal(xt_det_couple(&d, 0, 0, XT_COUPLE_LINK), -XT_EINVAL);
	assert_int_equal(xt_det_couple(&d, 0, 2, XT_COUPLE_LINK), -XT_EINVAL);
	assert_int_equal(xt_det_couple(&d, 0, 1, XT_COUPLE_NONE), -XT_EINVAL);
	assert_int_equal(xt_det_couple(&d, 0, 1, XT_COUPLE_DYNAMIC), -XT_EINVAL);
	assert_int_equal(xt_det_couple(&d, 0, 1, XT_COUPLE_NREASONS), -XT_EINVAL);
	assert_int_equal(xt_det_coupled(&d, 0, 1), XT_COUPLE_NONE);
	assert_int_equal(xt_det_coupled(&d, 0, 0), XT_COUPLE_NONE);
}

static void test_reason_precedence(void **state)
{
	(void)state;
	add(1, 0);
	add(1, 0);      /* network and uplink */
	add(2, 0);      /* uplink only with 0 and 1 */
	xt_det_couple(&d, 0, 1, XT_COUPLE_LINK);
	xt_det_finalize(&d);
	assert_int_equal(xt_det_coupled(&d, 0, 1), XT_COUPLE_LINK);
	assert_int_equal(xt_det_coupled(&d, 0, 2), XT_COUPLE_UPLINK);
	xt_det_couple(&d, 2, 1, XT_COUPLE_NETWORK);
	assert_int_equal(xt_det_coupled(&d, 1, 2), XT_COUPLE_NETWORK);
	xt_det_couple(&d, 1, 2, XT_COUPLE_UPLINK);     /* weaker: ignored */
	assert_int_equal(xt_det_coupled(&d, 2, 1), XT_COUPLE_NETWORK);
}

/* ---------------------------------------------------------------- the three forms */

static void test_static_form_before_first_frame(void **state)
{
	unsigned pairs[4][2];

	(void)state;
	add(1, NOUP);
	add(1, NOUP);
	add(0, NOUP);
	xt_det_couple(&d, 0, 2, XT_COUPLE_LINK);
	xt_det_finalize(&d);
	assert_int_equal(xt_det_coupled(&d, 0, 1), XT_COUPLE_NETWORK);
	assert_int_equal(xt_det_coupled(&d, 2, 0), XT_COUPLE_LINK);
	assert_int_equal(xt_det_static_pairs(&d, pairs, 4), 2);
	assert_int_equal(pairs[0][0], 0);
	assert_int_equal(pairs[0][1], 1);
	assert_int_equal(pairs[1][0], 0);
	assert_int_equal(pairs[1][1], 2);
	assert_int_equal(xt_det_talking(&d, 0, 1), XT_COUPLE_NONE);
}

static void test_mapping_form_same_uplink(void **state)
{
	(void)state;
	add(0, 5);
	add(0, 5);
	add(0, 6);
	send_to(0, 1);          /* not analysed yet: the normal path */
	assert_outside();
	xt_det_finalize(&d);
	assert_int_equal(xt_det_coupled(&d, 0, 1), XT_COUPLE_UPLINK);
	assert_int_equal(xt_det_coupled(&d, 0, 2), XT_COUPLE_NONE);
	send_to(0, 1);
	assert_peer(1, XT_COUPLE_UPLINK);
	assert_true(r.first_contact);
	assert_int_equal(xt_det_talking(&d, 0, 1), XT_COUPLE_UPLINK);
	send_to(0, 2);
	assert_outside();
	send(1, bcast);
	assert_int_equal(r.flood, 0x1);
	assert_true(r.outside);
}

static void test_dynamic_form_learned(void **state)
{
	unsigned pairs[2][2];

	(void)state;
	add(1, NOUP);
	add(1, NOUP);
	assert_int_equal(xt_det_coupled(&d, 0, 1), XT_COUPLE_NONE);
	send_to(0, 1);
	assert_peer(1, XT_COUPLE_DYNAMIC);
	assert_true(r.first_contact);
	assert_int_equal(r.first, 0x2);
	assert_int_equal(xt_det_coupled(&d, 1, 0), XT_COUPLE_DYNAMIC);
	assert_int_equal(xt_det_talking(&d, 0, 1), XT_COUPLE_DYNAMIC);
	assert_int_equal(xt_det_static_pairs(&d, pairs, 2), 0);
	assert_int_equal(d.port[0].st.peer_by[XT_COUPLE_DYNAMIC], 1);
	/* The analysis upgrades the pair; how it was detected stays. */
	xt_det_finalize(&d);
	assert_int_equal(xt_det_coupled(&d, 0, 1), XT_COUPLE_NETWORK);
	send_to(0, 1);
	assert_peer(1, XT_COUPLE_NETWORK);
	assert_false(r.first_contact);
	assert_int_equal(xt_det_talking(&d, 0, 1), XT_COUPLE_DYNAMIC);
	assert_int_equal(xt_det_static_pairs(&d, pairs, 2), 1);
}

static void test_first_contact_once_per_direction(void **state)
{
	(void)state;
	add(1, NOUP);
	add(1, NOUP);
	xt_det_finalize(&d);
	send_to(0, 1);
	assert_true(r.first_contact);
	assert_int_equal(xt_det_talking(&d, 0, 1), XT_COUPLE_NETWORK);
	assert_int_equal(xt_det_talking(&d, 1, 0), XT_COUPLE_NONE);
	send_to(0, 1);
	assert_false(r.first_contact);
	assert_int_equal(r.first, 0);
	send_to(1, 0);
	assert_true(r.first_contact);
	assert_int_equal(xt_det_talking(&d, 1, 0), XT_COUPLE_NETWORK);
}

static void test_first_contact_by_flood(void **state)
{
	(void)state;
	for (unsigned p = 0; p < 3; p++)
		add(1, NOUP);
	xt_det_finalize(&d);
	send_to(0, 2);
	assert_int_equal(r.first, 0x4);
	send(0, bcast);
	assert_true(r.first_contact);
	assert_int_equal(r.first, 0x2);
	assert_int_equal(xt_det_talking(&d, 0, 1), XT_COUPLE_NETWORK);
	send(0, bcast);
	assert_false(r.first_contact);
	send_to(0, 1);
	assert_false(r.first_contact);
}

/* ---------------------------------------------------------------- static pair list */

static void test_static_pairs_once_sorted(void **state)
{
	unsigned pairs[8][2];
	const unsigned want[5][2] = { { 0, 1 }, { 0, 3 }, { 1, 3 }, { 2, 3 }, { 2, 4 } };

	(void)state;
	add(1, 0);      /* 0 */
	add(1, 0);      /* 1: linked, same network and same uplink as 0: listed once */
	add(2, NOUP);   /* 2 */
	add(0, 0);      /* 3: same uplink as 0 and 1, linked twice with 2 */
	add(2, NOUP);   /* 4: same network as 2 */
	xt_det_couple(&d, 1, 0, XT_COUPLE_LINK);
	xt_det_couple(&d, 3, 2, XT_COUPLE_LINK);
	xt_det_couple(&d, 2, 3, XT_COUPLE_LINK);
	xt_det_finalize(&d);
	xt_det_finalize(&d);
	xt_det_port_down(&d, 3);        /* configuration, listed anyway */
	assert_int_equal(xt_det_static_pairs(&d, pairs, 8), 5);
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(pairs[i][0], want[i][0]);
		assert_int_equal(pairs[i][1], want[i][1]);
	}
	assert_int_equal(xt_det_coupled(&d, 0, 1), XT_COUPLE_LINK);
}

static void test_static_pairs_truncated(void **state)
{
	unsigned pairs[3][2] = { { 99, 99 }, { 99, 99 }, { 99, 99 } };

	(void)state;
	for (unsigned p = 0; p < 4; p++)
		add(1, NOUP);
	xt_det_finalize(&d);
	assert_int_equal(xt_det_static_pairs(&d, NULL, 0), 6);
	assert_int_equal(xt_det_static_pairs(&d, pairs, 2), 6);
	assert_int_equal(pairs[1][0], 0);
	assert_int_equal(pairs[1][1], 2);
	assert_int_equal(pairs[2][0], 99);
}

static void test_add_port_after_finalize(void **state)
{
	unsigned pairs[4][2];

	(void)state;
	add(1, NOUP);
	xt_det_finalize(&d);
	add(1, NOUP);
	add(0, 2);
	add(0, 2);
	assert_int_equal(xt_det_coupled(&d, 0, 1), XT_COUPLE_NETWORK);
	assert_int_equal(xt_det_coupled(&d, 2, 3), XT_COUPLE_UPLINK);
	assert_int_equal(xt_det_static_pairs(&d, pairs, 4), 2);
	send_to(3, 2);
	assert_peer(2, XT_COUPLE_UPLINK);
}

/* ---------------------------------------------------------------- cost and counters */

/*
 * Upper bound on the probes a successful lookup of the entry in slot i
 * makes: its home slot lies in the run of used slots that ends at i.
 */
static unsigned probe_bound(const struct mac_table *t, unsigned i)
{
	unsigned n = 1;

	while (n < MAC_TABLE_SLOTS && t->slot[(i - n) & (MAC_TABLE_SLOTS - 1)].used)
		n++;
	return n;
}

static unsigned max_probes(const struct mac_table *t)
{
	unsigned worst = 0;

	for (unsigned i = 0; i < MAC_TABLE_SLOTS; i++)
		if (t->slot[i].used && probe_bound(t, i) > worst)
			worst = probe_bound(t, i);
	return worst;
}

/* Routes every pair and returns the table lookups per unicast route. */
static uint64_t lookups_per_route(unsigned nports)
{
	uint64_t before, routes = 0;

	xt_det_init(&d);
	for (unsigned p = 0; p < nports; p++)
		add(1, 0);
	xt_det_finalize(&d);
	before = d.dbg_lookups;
	for (unsigned s = 0; s < nports; s++) {
		for (unsigned t = 0; t < nports; t++, routes++)
			send_to(s, t);
		send(s, stranger);
		routes++;
	}
	assert_int_equal((d.dbg_lookups - before) % routes, 0);
	return (d.dbg_lookups - before) / routes;
}

static void test_unicast_cost_bounded(void **state)
{
	uint64_t before;

	(void)state;
	assert_int_equal(lookups_per_route(2), 1);
	assert_true(max_probes(&d.macs) <= 2);
	assert_int_equal(lookups_per_route(XT_DET_MAX_PORTS), 1);
	/* Load factor 1/2: runs stay short whatever the guest count. */
	assert_true(max_probes(&d.macs) <= 16);
	before = d.dbg_lookups;
	send(0, bcast);
	send(0, mcast);
	xt_det_route(&d, 0, bcast, 6, &r);
	assert_int_equal(d.dbg_lookups, before);
}

static void test_counters_per_path(void **state)
{
	const struct xt_det_stats *st = &d.port[0].st;

	(void)state;
	add(1, 0);
	add(1, 0);
	add(2, 0);
	add(3, NOUP);
	xt_det_couple(&d, 0, 3, XT_COUPLE_LINK);
	xt_det_finalize(&d);
	send_to(0, 1);
	send_to(0, 2);
	send_to(0, 3);
	send_to(0, 3);
	send(0, stranger);
	send(0, bcast);
	send_to(0, 0);
	xt_det_port_down(&d, 1);
	send_to(0, 1);
	assert_int_equal(st->peer, 4);
	assert_int_equal(st->peer_by[XT_COUPLE_NETWORK], 1);
	assert_int_equal(st->peer_by[XT_COUPLE_UPLINK], 1);
	assert_int_equal(st->peer_by[XT_COUPLE_LINK], 2);
	assert_int_equal(st->outside, 1);
	assert_int_equal(st->flood, 1);
	assert_int_equal(st->drop[XT_DROP_SELF], 1);
	assert_int_equal(st->drop[XT_DROP_PEER_DOWN], 1);
	assert_int_equal(d.port[1].st.peer + d.port[1].st.flood, 0);
}

static void test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(xt_couple_reason_name(XT_COUPLE_NONE), "none");
	assert_string_equal(xt_couple_reason_name(XT_COUPLE_LINK), "link");
	assert_string_equal(xt_couple_reason_name(XT_COUPLE_NETWORK), "network");
	assert_string_equal(xt_couple_reason_name(XT_COUPLE_UPLINK), "uplink");
	assert_string_equal(xt_couple_reason_name(XT_COUPLE_DYNAMIC), "dynamic");
	assert_string_equal(xt_couple_reason_name(XT_COUPLE_NREASONS), "none");
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty_detector_drops_bad_src),
		T(test_add_port_errors),
		T(test_64_ports_every_mac),
		T(test_runt_frames_dropped),
		T(test_frame_of_exactly_14_bytes),
		T(test_source_mac_spoofed),
		T(test_unicast_same_network_is_crosstalk),
		T(test_unicast_linked_is_crosstalk),
		T(test_isolated_guest_goes_outside),
		T(test_unknown_unicast),
		T(test_unicast_to_self_dropped),
		T(test_stopped_peer_dropped_not_outside),
		T(test_stopped_sender_dropped),
		T(test_broadcast_network_and_coupled),
		T(test_broadcast_skips_stopped_ports),
		T(test_broadcast_without_peers),
		T(test_coupling_symmetric),
		T(test_port_coupled_to_many),
		T(test_couple_errors),
		T(test_reason_precedence),
		T(test_static_form_before_first_frame),
		T(test_mapping_form_same_uplink),
		T(test_dynamic_form_learned),
		T(test_first_contact_once_per_direction),
		T(test_first_contact_by_flood),
		T(test_static_pairs_once_sorted),
		T(test_static_pairs_truncated),
		T(test_add_port_after_finalize),
		T(test_unicast_cost_bounded),
		T(test_counters_per_path),
		T(test_reason_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
