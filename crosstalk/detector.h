/* SPDX-License-Identifier: MIT */
/*
 * The cross-talk detector: for every frame a guest transmits, decide where
 * it goes (a co-resident guest through the shared page, the physical NIC,
 * several of them, or nowhere), and learn which pairs of guests actually
 * talk. Pure C, no allocation, no global state: the VMM embeds one
 * struct xt_detector, and the host unit tests and fuzzer drive the same code.
 *
 * Ports are guests' emulated NICs, numbered 0, 1, ... in the order they are
 * added (at most XT_DET_MAX_PORTS, so any set of ports fits a uint64_t).
 *
 * Three forms of detection, all active:
 *
 * - static (XT_COUPLE_LINK, XT_COUPLE_NETWORK): a pair named by an INI
 *   `[couple] link` (given with xt_det_couple()) or two ports on the same
 *   network (derived by xt_det_finalize()) is coupled when the guests
 *   start, before any frame: xt_det_static_pairs() lists those pairs so the
 *   VMM can map the shared page at start.
 * - mapping (XT_COUPLE_UPLINK): two ports whose emulated NICs are backed by
 *   the same physical device (same uplink index, derived by
 *   xt_det_finalize()) are coupled: what A sends out of that device is what
 *   B receives from it, so A is assumed to talk to B.
 * - dynamic (XT_COUPLE_DYNAMIC): per frame, the destination MAC is looked up
 *   in the MAC table; a unicast to a port on the sender's network is
 *   cross-talk even when no configuration analysis has recorded the pair
 *   yet (frames routed before xt_det_finalize()). Such a pair is learned
 *   as coupled with XT_COUPLE_DYNAMIC.
 *
 * Coupling is symmetric, a port may be coupled to any number of others, and
 * a port is never coupled to itself. When a pair has several reasons, the
 * recorded one is the strongest: LINK > NETWORK > UPLINK > DYNAMIC (the
 * order of the enum; a static reason replaces a learned DYNAMIC one).
 *
 * Routing rules (xt_det_route()), checked in this order:
 *
 *  1. src is not an added, running port               -> DROP BAD_SRC
 *  2. frame shorter than 14 bytes (or NULL)           -> DROP RUNT
 *     source MAC not src's own (unless allowed)      -> DROP SPOOFED
 *  3. destination is broadcast/multicast (I/G bit)    -> FLOOD to every
 *     running port src may cross-talk with (same network or coupled; never
 *     src itself, never a stopped port), plus outside if src has an uplink.
 *     Normalised: no port and outside -> OUTSIDE; neither -> DROP NO_ROUTE.
 *  4. destination is src's own MAC                    -> DROP SELF
 *  5. destination is a port on src's network or coupled with src:
 *     running -> PEER (cross-talk); stopped -> DROP PEER_DOWN. A frame for
 *     a stopped peer never goes outside: the peer is reached only through
 *     the shared page, so sending it out would leak it to the wire.
 *  6. anything else: unknown MAC, or a co-resident port that is neither on
 *     src's network nor coupled with it -> OUTSIDE if src has an uplink,
 *     else DROP NO_ROUTE. The second case is not cross-talk: the two guests
 *     are isolated by configuration, so the frame takes the normal path
 *     (the physical NIC) like one to any foreign host, whether or not that
 *     guest is running.
 *
 * Cost: a unicast costs one MAC table lookup (open addressing, O(1)) and a
 * few mask tests; a flood is one AND of precomputed masks. Nothing on the
 * route path walks the ports, except that the first frame from src to each
 * peer records the pair once (at most XT_DET_MAX_PORTS^2 times ever).
 *
 * Talking: the first frame ever from A to B (PEER or a FLOOD copy) marks the
 * directed pair A -> B talking, with the reason the pair is cross-talk at
 * that moment: its coupling reason, or XT_COUPLE_DYNAMIC if the pair was
 * found only by the per-frame lookup (same network, before
 * xt_det_finalize()). The route reports it (first_contact, first) so the
 * VMM logs "cross-talk detected: A -> B (dynamic)" exactly once per pair.
 */
#ifndef XTALK_CROSSTALK_DETECTOR_H
#define XTALK_CROSSTALK_DETECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crosstalk/mactable.h"

#define XT_DET_MAX_PORTS 64
#define XT_DET_NO_UPLINK (-1)
#define XT_DET_MIN_FRAME 14 /* destination, source, EtherType */

_Static_assert(XT_DET_MAX_PORTS <= 64, "port sets are 64-bit masks");
_Static_assert(XT_DET_MAX_PORTS <= MAC_TABLE_MAX_PORTS, "every port needs a MAC table entry");

/* Why two ports are coupled; lower non-NONE values are stronger. */
enum xt_couple_reason {
	XT_COUPLE_NONE,
	XT_COUPLE_LINK,         /* static: INI [couple] link */
	XT_COUPLE_NETWORK,      /* static: same network */
	XT_COUPLE_UPLINK,       /* mapping: same physical device */
	XT_COUPLE_DYNAMIC,      /* dynamic: learned from traffic */
	XT_COUPLE_NREASONS
};

enum xt_route_kind { XT_ROUTE_DROP, XT_ROUTE_PEER, XT_ROUTE_OUTSIDE, XT_ROUTE_FLOOD };

enum xt_drop_reason {
	XT_DROP_NONE,
	XT_DROP_RUNT,           /* shorter than 14 bytes */
	XT_DROP_SELF,           /* unicast to the sender's own MAC */
	XT_DROP_PEER_DOWN,      /* unicast to a cross-talk peer that has stopped */
	XT_DROP_NO_ROUTE,       /* nowhere to go and no uplink */
	XT_DROP_BAD_SRC,        /* sender out of range or stopped */
	XT_DROP_SPOOFED,        /* source MAC not the sender's own (xt_det_allow_spoof) */
	XT_DROP_NREASONS
};

struct xt_route {
	enum xt_route_kind kind;
	enum xt_drop_reason drop;   /* DROP: why; XT_DROP_NONE otherwise */
	unsigned peer;              /* PEER: the destination port */
	uint64_t flood;             /* FLOOD: ports that get a copy (non-empty unless outside) */
	bool outside;               /* OUTSIDE, or FLOOD that also goes to the physical NIC */
	enum xt_couple_reason why;  /* PEER: why the pair is cross-talk */
	bool first_contact;         /* PEER/FLOOD: first frame ever from src to some destination */
	uint64_t first;             /* the destinations reached from src for the first time */
};

/* Per-port counters, counted on the sender. */
struct xt_det_stats {
	uint64_t peer;                          /* unicast frames sent as cross-talk */
	uint64_t peer_by[XT_COUPLE_NREASONS];   /* ... by the reason of the pair */
	uint64_t outside;                       /* frames only to the physical NIC */
	uint64_t flood;                         /* broadcast/multicast to at least one port */
	uint64_t drop[XT_DROP_NREASONS];        /* dropped frames, by reason */
};

struct xt_det_port {
	uint8_t mac[6];         /* its own MAC: the only source address it may send with */
	bool spoof_ok;          /* ... unless allowed (INI mac_spoof = allow: it bridges) */
	uint16_t network;       /* 0 = on no network */
	int uplink;             /* physical device index, or XT_DET_NO_UPLINK */
	uint64_t reach;         /* ports this one cross-talks with: same network or coupled */
	uint64_t talked;        /* ports that got at least one frame from this one */
	struct xt_det_stats st;
};

struct xt_detector {
	struct mac_table macs;
	struct xt_det_port port[XT_DET_MAX_PORTS];
	uint8_t couple[XT_DET_MAX_PORTS][XT_DET_MAX_PORTS];    /* enum xt_couple_reason, symmetric */
	uint8_t talk[XT_DET_MAX_PORTS][XT_DET_MAX_PORTS];      /* [a][b]: reason at first a -> b frame */
	uint64_t up;            /* running ports */
	unsigned nports;
	bool finalized;
	uint64_t dbg_lookups;   /* MAC table lookups made by xt_det_route() (cost tests) */
	uint64_t version;       /* moves whenever a route could change */
};

void xt_det_init(struct xt_detector *d);

/*
 * Add a running port with its (unicast, non-zero) MAC. network: 0 = none,
 * else an id shared by the ports on the same network name. uplink:
 * XT_DET_NO_UPLINK, else the index of the physical device backing the NIC.
 * After xt_det_finalize(), the new port's implicit couplings are derived at
 * once. Returns the port number, or -XT_ENOSPC, -XT_EINVAL (bad MAC or
 * uplink), -XT_EEXIST (MAC taken).
 */
int xt_det_add_port(struct xt_detector *d, const uint8_t mac[6], uint16_t network, int uplink);

/*
 * Couple a and b (both directions) for why (LINK, NETWORK or UPLINK; the
 * VMM passes LINK for each INI link). Returns 0, or -XT_EINVAL for a == b,
 * a port not added, or another reason.
 */
int xt_det_couple(struct xt_detector *d, unsigned a, unsigned b, enum xt_couple_reason why);

/* Let port send with any source MAC (a guest that bridges), or not (the default). */
void xt_det_allow_spoof(struct xt_detector *d, unsigned port, bool allow);
/* May src send a frame with this source MAC? */
bool xt_det_source_ok(const struct xt_detector *d, unsigned src, const uint8_t mac[6]);

/* After the ports are added: couple same-network and same-uplink pairs. Idempotent. */
void xt_det_finalize(struct xt_detector *d);

/* The reason a and b are coupled (symmetric), XT_COUPLE_NONE if not or invalid. */
enum xt_couple_reason xt_det_coupled(const struct xt_detector *d, unsigned a, unsigned b);

/*
 * Every frame either of a and b sends can only reach the other: each
 * reaches exactly the other port and neither has an uplink (an explicit
 * link, or a network of exactly those two). Only such a pair may keep
 * pages shared while no frame is in them (docs/crosstalk.md, "Isolation").
 */
bool xt_det_exclusive(const struct xt_detector *d, unsigned a, unsigned b);

/* The reason recorded by the first frame from a to b, XT_COUPLE_NONE if none yet. */
enum xt_couple_reason xt_det_talking(const struct xt_detector *d, unsigned a, unsigned b);

/*
 * The pairs coupled by configuration (LINK, NETWORK or UPLINK; not
 * DYNAMIC), whether or not their guests run: each pair once as {a, b} with
 * a < b, sorted by a then b. Writes at most max pairs (pairs may be NULL if
 * max is 0) and returns the total number, so a result above max means the
 * array was too small.
 */
unsigned xt_det_static_pairs(const struct xt_detector *d, unsigned (*pairs)[2], unsigned max);

/* The guest stopped: unicast to it is dropped (PEER_DOWN), floods skip it, it cannot send. */
void xt_det_port_down(struct xt_detector *d, unsigned port);
/* The guest runs again. */
void xt_det_port_up(struct xt_detector *d, unsigned port);

/* Decide where a frame from src goes (rules above); *out is always filled. */
void xt_det_route(struct xt_detector *d, unsigned src, const uint8_t *frame, size_t len,
		  struct xt_route *out);

/*
 * A caller may keep a PEER route for a destination address while
 * d->version stays the same (no port added, coupled, stopped or started
 * since), and count each frame it sends that way here instead of routing
 * it again: the per-port statistics stay the same.
 */
void xt_det_count_peer(struct xt_detector *d, unsigned src, unsigned peer);

/* "link", "network", "uplink", "dynamic" or "none", for logs. */
const char *xt_couple_reason_name(enum xt_couple_reason why);

#endif
