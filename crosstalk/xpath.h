/* SPDX-License-Identifier: MIT */
/*
 * The cross-talk data path: what happens to every frame a guest's e1000
 * transmits when xtalk runs with `crosstalk = on`. The detector
 * (crosstalk/detector.c) says where a frame goes; this module moves it and
 * does the signalling, exactly in this order for a frame from A to B:
 *
 *   1. A places the frame and moves its TDT (exit; xp_tx).
 *   2. The frame reaches B's next RX buffer: through the shared page (zero
 *      copy: A's TX buffer page and B's RX buffer page map one host page,
 *      ept/remap.c) or with one copy; B's descriptor gets DD|EOP and its
 *      length, B's RDH moves by the frames written, ICR.RXT0 is raised and
 *      B's receive interrupt is injected at B's next entry.
 *   3. B reads the frames and moves its RDT (exit; xp_rx_ready): a frame
 *      is consumed once its descriptors were given back, or B's driver
 *      cleared their DD (it is done with them; see rx_slot_consumed).
 *   4. Only then are A's descriptors marked done (DD), A's TDH moved and
 *      ICR.TXDW raised: A's transmit-complete interrupt. A TX completion of
 *      a frame in a shared page is never reported before B returned the
 *      buffer; until then A cannot reuse the buffer, which is what makes the
 *      shared page safe. (A frame B got as a copy completes at step 2.)
 *
 * Isolation (issue 11): B can read a page of A's only while it holds an
 * unconsumed frame A sent it there: the pair's receiving side is opened when
 * the frame is delivered and closed, for a whole RDT batch at once, at step
 * 3, before step 4 (remap_set_views). Meanwhile A's side is read-only: a
 * write by A is a copy on write and B keeps the frame as delivered. Only an
 * exclusive pair (xt_det_exclusive: every frame of either goes to the other)
 * keeps B's side open between frames, and only such pairs are pre-shared.
 *
 * Receiver ring full: the frame stays at A's TX ring (backpressure) and is
 * retried when B returns buffers, for a bounded time (xp_tick): then it is
 * dropped and counted on B, as a NIC whose ring is full drops it. Frames
 * B holds without giving them back complete for A after the same bound
 * (one in a shared page: B gets its own copy first). Frames to the outside go to the physical
 * NIC with A's buffers passed by host-physical address (no copy) and are
 * completed when the NIC has sent them; frames from the outside are copied
 * into the owning guest's RX ring. A's TX completion order is always ring
 * order (the e1000 model hands descriptors back in order).
 *
 * Zero copy needs a single-segment frame at the start of a page of A's,
 * and a page-aligned RX buffer of B's large enough for it; the pair of pages
 * is shared once ("learned") and reused while A and B keep using the same
 * buffers per slot: no copy and no remap per frame, only the views change
 * per batch. A pair is shared when the guests' rings are set up, for
 * exclusive pairs coupled by configuration (see xp_preshare), or the second
 * time the same two pages meet (a pairing seen once is copied: a remap
 * costs two INVEPTs). Everything else is one copy.
 *
 * Pure: the VMM supplies the physical NIC through struct xp_phys_ops and
 * the remapper's callbacks; host tests run it with fake guests.
 */
#ifndef XTALK_CROSSTALK_XPATH_H
#define XTALK_CROSSTALK_XPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "crosstalk/detector.h"
#include "devices/e1000.h"
#include "ept/remap.h"

#define XP_MAX_PORTS 32
#define XP_RXQ 256            /* frames delivered to a port, not yet returned */
#define XP_PHYS_INFLIGHT 256  /* frames handed to the physical NIC */
#define XP_PHYS_SEGS 8
#define XP_HINTS 1024         /* learned page pairings */
#define XP_PHYS_COPY_MAX 2048 /* bounced frames to the outside go through a copy */
/* The longest frame the physical NIC puts on the wire (FCS excluded): 1514
 * and an 802.1Q tag, no jumbo frames (vmm/hw/physnic.h). Longer ones are
 * dropped and counted (drop_error) before they reach it. */
#define XP_PHYS_MAX_FRAME 1518

enum xp_path { XP_PATH_SHARED, XP_PATH_COPY, XP_PATH_PHYS, XP_NPATHS };

struct xp_seg {
	uint64_t hpa;
	uint32_t len;
};

struct xp_phys_ops {
	/* Send a frame made of host-physical segments; cookie comes back in
	 * xp_phys_done. 0 or -XT_EAGAIN (ring full: retried later). */
	int (*xmit)(void *ctx, const struct xp_seg *segs, unsigned nseg, uint64_t cookie);
	/* Send a copy of data (the VMM copies it into its own buffer). */
	int (*xmit_copy)(void *ctx, const uint8_t *data, uint32_t len, uint64_t cookie);
	void *ctx;
};

struct xp_path_stats {
	uint64_t tx_frames, tx_bytes;   /* sent by this port on the path */
	uint64_t rx_frames, rx_bytes;   /* received by this port on the path */
};

struct xp_stats {
	struct xp_path_stats path[XP_NPATHS];
	uint64_t copies, bytes_copied;  /* VMM copies made for frames this port sent */
	uint64_t remaps;                /* page pairs shared for this port's frames */
	uint64_t waits;                 /* frames held back because a receiver was full */
	uint64_t drop_down, drop_filtered, drop_error, drop_no_route, drop_runt, drop_outside;
	uint64_t drop_spoofed;          /* source MAC not the sender's own */
	uint64_t rx_missed;             /* frames from the outside lost for lack of buffers */
	uint64_t rx_no_room;            /* frames from peers dropped: no room past the wait bound */
	uint64_t expired;               /* shared-page frames held past the bound, given a copy */
};

#define XP_NO_PAIR 0xffffu

/* A frame delivered to a port, not yet consumed. */
struct xp_rx_entry {
	uint8_t src;                    /* sending port */
	bool close;                     /* B's view of the page closes once consumed */
	uint16_t pair;                  /* the remapper's pair it went through, or XP_NO_PAIR */
	uint64_t serial;                /* that pair's serial: the slot may hold a later pair */
	unsigned id;                    /* its e1000 in-flight id */
	uint32_t last;                  /* last RX descriptor the frame used */
	uint64_t tx_gpa, rx_gpa;        /* the pair's pages (its slot may be reused) */
};

struct xp_port {
	struct e1000 *nic;
	struct remap_side *mem;
	bool up;
	int blocked_on;                 /* port whose full ring holds us, XP_BLOCKED_PHYS, or -1 */
	uint64_t flood_left;            /* ports still to get the flood frame at our cursor */
	unsigned flood_id;              /* its e1000 in-flight id */
	bool flood_valid;
	bool flood_outside_done;
	struct xp_rx_entry rxq[XP_RXQ]; /* frames delivered here, in ring order */
	unsigned rxq_first, rxq_count;
	struct {                        /* the last PEER route (see fast_pair in xpath.c) */
		bool valid;
		uint8_t dst[6];
		uint8_t peer;
		uint64_t version;       /* the detector's version when it was routed */
	} fast;
	uint64_t blocked_since;         /* xp_tick's time when blocked_on was first seen, 0: not yet */
	bool rx_stalled;                /* kept a sender waiting past the bound: frames that
					 * find its ring full are dropped, nobody waits,
					 * until it gave back its whole ring */
	uint64_t rxq_pops;              /* frames consumed so far */
	uint64_t held_pops;             /* rxq_pops when held_since was taken */
	uint64_t held_since;            /* xp_tick's time the head of rxq was first seen, 0: not yet */
	bool preshared;                 /* static pairs mapped since the last ring change */
	uint64_t preshared_to;          /* bit q: this TX ring -> q's RX ring done */
	struct xp_stats st;
};

#define XP_BLOCKED_PHYS (-2)

struct xp_phys_flight {
	bool used;
	uint8_t port;
	unsigned id;
	unsigned npages;
	uint64_t page[XP_PHYS_SEGS];    /* attached guest pages (GPA) */
};

struct xp_hint {
	uint8_t tx_port, rx_port;
	uint64_t tx_gpa, rx_gpa;
	bool used;
};

struct xpath {
	struct xt_detector *det;
	struct remapper *rm;
	struct xp_port port[XP_MAX_PORTS];
	unsigned nports;
	const struct xp_phys_ops *phys;
	bool zerocopy;
	uint32_t zerocopy_min;          /* frames shorter than this are copied */
	struct xp_phys_flight flight[XP_PHYS_INFLIGHT];
	struct xp_hint hint[XP_HINTS];
	/* rxq entries (all ports) naming each pair index: a receiver can hold
	 * several frames through one pair (one TX page sent twice, one RX
	 * page posted twice); the pair is released with the last of them. */
	uint16_t pair_refs[REMAP_MAX_PAIRS];
	bool busy;
	/* While xp_tx runs for a sender: the sender (its completions are
	 * marked and handed back once, at the end) and the receivers whose
	 * interrupts are held until then (e1000_rx_batch_begin). */
	int batch_sender;               /* -1: none */
	uint64_t batch_rx;
	uint64_t wait_limit;            /* longest wait for a receiver, in xp_tick's units */
	/* Log hook for remaps and first contacts (may be NULL). */
	void (*log)(void *ctx, const char *what, unsigned a, unsigned b, uint64_t gpa_a, uint64_t gpa_b);
	void *log_ctx;
};

/* det and rm are owned by the caller; ports are numbered as in det. */
void xp_init(struct xpath *xp, struct xt_detector *det, struct remapper *rm,
	     const struct xp_phys_ops *phys, bool zerocopy);
int xp_add_port(struct xpath *xp, unsigned port, struct e1000 *nic, struct remap_side *mem);

/* The port's guest moved its TDT (or enabled TX): move its new frames. */
void xp_tx(struct xpath *xp, unsigned port);
/* The port's guest moved its RDT (or enabled RX): its returned buffers
 * complete the senders' frames; held-back senders retry. */
void xp_rx_ready(struct xpath *xp, unsigned port);
/* Map the pages of every statically coupled pair whose rings are set up
 * (TX descriptors already holding buffer addresses, RX buffers posted). */
void xp_preshare(struct xpath *xp, unsigned port);

/* The NIC reset or disabled a side: in-flight state involving it is
 * dropped; frames from others waiting in its RX ring count as consumed. */
void xp_port_reset(struct xpath *xp, unsigned port);
/* The guest stopped: shared pages torn down, frames to it dropped from now on. */
void xp_port_down(struct xpath *xp, unsigned port);
/* The port runs again after xp_port_down (its NIC starts from a reset). */
void xp_port_up(struct xpath *xp, unsigned port);

/*
 * Time passes (now in the caller's units, never 0): a sender that waited
 * for a receiver's room for wait_limit or more stops waiting (that frame
 * and later ones that find the receiver's ring full are dropped and
 * counted on it, RNBC and MPC, without a wait, until it gave back its whole
 * ring), and shared-page frames a receiver
 * held that long are given to it as a copy and completed for their sender.
 * Returns the earliest time xp_tick has something to do, 0 if none.
 */
uint64_t xp_tick(struct xpath *xp, uint64_t now);

/* The physical NIC sent the frame with this cookie. */
void xp_phys_done(struct xpath *xp, uint64_t cookie);
/* A frame arrived from the outside. */
void xp_phys_rx(struct xpath *xp, int uplink, const uint8_t *data, uint32_t len);

/* An EPT write violation by port's guest at gpa: true if it was a shared
 * page (the pairing is broken, the guest resumes and its write lands in its
 * own page). */
bool xp_cow_fault(struct xpath *xp, unsigned port, uint64_t gpa);

const char *xp_path_name(enum xp_path p);

#endif
