/* SPDX-License-Identifier: MIT */
#include "crosstalk/xpath.h"

#include <string.h>

#include "devices/e1000_regs.h"
#include "lib/le.h"
#include "lib/xerrno.h"

#define PAGE 4096ULL
#define PAGE_MASK (PAGE - 1)
#define ETH_HDR 14
#define NO_TX_ID (~0u)
#define XP_WAIT_DEFAULT 50000000ULL	/* 50 ms in nanoseconds */

static const char *const path_names[XP_NPATHS] = { "shared page", "cross-talk copy", "physical" };

const char *xp_path_name(enum xp_path p)
{
	return p < XP_NPATHS ? path_names[p] : "?";
}

void xp_init(struct xpath *xp, struct xt_detector *det, struct remapper *rm,
	     const struct xp_phys_ops *phys, bool zerocopy)
{
	memset(xp, 0, sizeof(*xp));
	xp->det = det;
	xp->rm = rm;
	xp->phys = phys;
	xp->zerocopy = zerocopy;
	xp->zerocopy_min = 256;
	xp->wait_limit = XP_WAIT_DEFAULT;
	xp->batch_sender = -1;
}

int xp_add_port(struct xpath *xp, unsigned port, struct e1000 *nic, struct remap_side *mem)
{
	struct xp_port *p;

	if (port >= XP_MAX_PORTS || !nic || !mem)
		return -XT_EINVAL;
	p = &xp->port[port];
	memset(p, 0, sizeof(*p));
	p->nic = nic;
	p->mem = mem;
	p->up = true;
	p->blocked_on = -1;
	if (port >= xp->nports)
		xp->nports = port + 1;
	return 0;
}

static void note(struct xpath *xp, const char *what, unsigned a, unsigned b, uint64_t ga,
		 uint64_t gb)
{
	if (xp->log)
		xp->log(xp->log_ctx, what, a, b, ga, gb);
}

/* ---------------------------------------------------------- rings */

static uint32_t rx_ring_size(const struct e1000 *d)
{
	return d->rdlen && !(d->rdlen % E1000_DLEN_ALIGN) ? d->rdlen / E1000_DESC_SIZE : 0;
}

static uint32_t tx_ring_size(const struct e1000 *d)
{
	return d->tdlen && !(d->tdlen % E1000_DLEN_ALIGN) ? d->tdlen / E1000_DESC_SIZE : 0;
}

/* RCTL.BSIZE/BSEX as the model reads them (devices/e1000_rx.c). */
static uint32_t rx_buf_size(uint32_t rctl)
{
	unsigned bsize = (rctl & E1000_RCTL_BSIZE_MASK) >> E1000_RCTL_BSIZE_SHIFT;

	return (rctl & E1000_RCTL_BSEX) && bsize ? 32768u >> bsize : 2048u >> bsize;
}

/* The buffer address in descriptor idx of a ring at base (0 if unreachable). */
static uint64_t desc_addr(const struct e1000 *d, uint64_t base, uint32_t idx)
{
	const uint8_t *p = d->ops->dma_map ? d->ops->dma_map(d->ctx, base + (uint64_t)idx * 16, 8)
					   : NULL;
	uint64_t a;

	if (!p)
		return 0;
	memcpy(&a, p, sizeof(a));
	return a;
}

/*
 * Has the receiving guest finished with the frame whose last descriptor is
 * slot? Descriptors from RDT up to RDH are the guest's (RDH == RDT: the
 * hardware owns none, so all are); a slot outside that range was given back.
 * Inside it, a descriptor whose DD the driver cleared has been processed:
 * drivers clear the status of each descriptor they are done with, and keep
 * the last one processed as the ring's one software-owned slot until the
 * next refill (Linux's e1000 and xtalk's guests do), so waiting for it to be
 * handed back would hold the sender's last frame until the next one arrives.
 */
static bool rx_slot_consumed(struct e1000 *d, uint32_t n, uint32_t slot)
{
	int status;

	if (d->rdh != d->rdt && (slot + n - d->rdt) % n >= (d->rdh + n - d->rdt) % n)
		return true;
	status = e1000_rx_desc_status(d, slot);
	return status < 0 || !(status & E1000_RXD_STAT_DD);
}

/* ---------------------------------------------------------- completion */

static void complete(struct xpath *xp, unsigned src, unsigned id)
{
	if (src >= xp->nports || id == NO_TX_ID)
		return;
	/* The sender of xp_tx's batch: handed back by its next fetch or at
	 * the end of the batch, before the guest runs again. */
	if ((int)src == xp->batch_sender)
		e1000_tx_mark_done(xp->port[src].nic, id);
	else
		e1000_tx_done(xp->port[src].nic, id);
}

/* During xp_tx's batch: q's receive interrupt once, at the end of it. */
static void rx_batch_join(struct xpath *xp, unsigned q)
{
	if (xp->batch_sender < 0 || (xp->batch_rx & (1ULL << q)))
		return;
	xp->batch_rx |= 1ULL << q;
	e1000_rx_batch_begin(xp->port[q].nic);
}

/* Many completions: each marked, then one hand-back per sender. */
static void mark_complete(struct xpath *xp, unsigned src, unsigned id)
{
	if (src < xp->nports && id != NO_TX_ID)
		e1000_tx_mark_done(xp->port[src].nic, id);
}

static void retire(struct xpath *xp, uint64_t senders)
{
	while (senders) {
		unsigned s = (unsigned)__builtin_ctzll(senders);

		senders &= senders - 1;
		if (s < xp->nports)
			e1000_tx_retire(xp->port[s].nic);
	}
}

static void rxq_push(struct xpath *xp, struct xp_port *p, const struct xp_rx_entry *e)
{
	p->rxq[(p->rxq_first + p->rxq_count) % XP_RXQ] = *e;
	p->rxq_count++;
	if (e->pair < REMAP_MAX_PAIRS)
		xp->pair_refs[e->pair]++;
}

static void rxq_pop(struct xpath *xp, struct xp_port *p)
{
	const struct xp_rx_entry *e = &p->rxq[p->rxq_first];

	if (e->pair < REMAP_MAX_PAIRS)
		xp->pair_refs[e->pair]--;
	p->rxq_first = (p->rxq_first + 1) % XP_RXQ;
	p->rxq_count--;
	p->rxq_pops++;
}

/*
 * Does B still hold a frame through the pair e went through (e itself
 * popped already)? A sender may queue one page twice and a receiver post
 * one page in two descriptors: both frames are then in the same pair's
 * page. Only B's queue can hold them (the pair's receiving side is B's).
 */
static bool rxq_holds_pair(const struct xpath *xp, const struct xp_port *B,
			   const struct xp_rx_entry *e)
{
	if (e->pair >= REMAP_MAX_PAIRS || !xp->pair_refs[e->pair])
		return false;
	for (unsigned i = 0; i < B->rxq_count; i++) {
		const struct xp_rx_entry *o = &B->rxq[(B->rxq_first + i) % XP_RXQ];

		if (o->pair == e->pair && o->serial == e->serial)
			return true;
	}
	return false;
}

/* ---------------------------------------------------------- views */

/*
 * A frame for B is in the pair's page: B may read the page (its view
 * opens), A may not change it until B consumed it (A's side locked).
 */
static void views_hold(struct xpath *xp, unsigned pair)
{
	remap_set_views(xp->rm, &pair, 1, true, true);
}

#define XP_VIEW_BATCH 64

/* Pairs whose frames were consumed: [0] close B's view, [1] keep it open. */
struct xp_views {
	unsigned pair[2][XP_VIEW_BATCH];
	unsigned n[2];
};

/* One remapper operation per kind: one INVEPT per guest for the batch. */
static void views_flush(struct xpath *xp, struct xp_views *v)
{
	for (unsigned k = 0; k < 2; k++)
		if (v->n[k])
			remap_set_views(xp->rm, v->pair[k], v->n[k], k == 1, false);
	v->n[0] = v->n[1] = 0;
}

/* B consumed e's frame (popped from B's queue): A's side is unlocked, B's
 * view closed unless the pair is exclusive. A pair torn down since (or its
 * slot reused) is left, and so is one B still holds another frame in. */
static void views_release(struct xpath *xp, struct xp_views *v, unsigned b,
			  const struct xp_rx_entry *e)
{
	const struct remap_pair *p = &xp->rm->pair[e->pair % REMAP_MAX_PAIRS];
	unsigned k = !e->close;

	/* The serial names the share: the same serial is the same pair, with
	 * e's sides and pages. */
	if (e->pair == XP_NO_PAIR || p->state != REMAP_PAIR_LIVE || p->serial != e->serial ||
	    rxq_holds_pair(xp, &xp->port[b], e))
		return;
	v->pair[k][v->n[k]++] = e->pair;
	if (v->n[k] == XP_VIEW_BATCH)
		views_flush(xp, v);
}

/*
 * The frames at the head of b's queue that b consumed (all of them: every
 * frame counts as consumed), as a mask of their senders: views first, then
 * the senders' completions, so no sender learns its buffer is free while
 * b can still read it.
 */
static uint64_t rxq_consume(struct xpath *xp, unsigned b, bool all)
{
	struct xp_port *B = &xp->port[b];
	uint32_t n = rx_ring_size(B->nic);
	struct xp_views v;		/* only n zeroed: the lists are 512 bytes */
	uint64_t senders = 0;

	if (!B->rxq_count)
		return 0;
	v.n[0] = v.n[1] = 0;
	while (B->rxq_count &&
	       (all || rx_slot_consumed(B->nic, n, B->rxq[B->rxq_first].last))) {
		struct xp_rx_entry e = B->rxq[B->rxq_first];

		rxq_pop(xp, B);
		views_release(xp, &v, b, &e);
		mark_complete(xp, e.src, e.id);
		senders |= 1ULL << e.src;
	}
	views_flush(xp, &v);
	retire(xp, senders);
	return senders;
}

/*
 * Senders whose frames just completed: the e1000 hands out at most
 * E1000_TX_INFLIGHT frames, so a sender that had more queued has frames
 * nobody fetched since; it may not write TDT again (it waits for these
 * completions), so fetch them now.
 */
static void retry_senders(struct xpath *xp, uint64_t senders)
{
	if (!senders)
		return;
	for (unsigned s = 0; s < xp->nports; s++)
		if ((senders & (1ULL << s)) && xp->port[s].blocked_on == -1)
			xp_tx(xp, s);
}

static void unblock_senders(struct xpath *xp, int target)
{
	for (unsigned s = 0; s < xp->nports; s++) {
		if (xp->port[s].blocked_on != target)
			continue;
		xp->port[s].blocked_on = -1;
		xp->port[s].blocked_since = 0;
		xp_tx(xp, s);
	}
}

/* ---------------------------------------------------------- zero copy */

static struct xp_hint *hint_slot(struct xpath *xp, unsigned tx_port, uint64_t tx_gpa)
{
	/* The port goes in before the multiply: guests running the same image
	 * use the same buffer addresses. */
	uint64_t h = ((tx_gpa >> 12) ^ ((uint64_t)tx_port << 40)) * 0x9e3779b97f4a7c15ULL;

	return &xp->hint[(h >> 32) % XP_HINTS];
}

/* The second time the same two pages meet, the pairing is worth a remap. */
static bool pairing_seen(struct xpath *xp, unsigned a, uint64_t ta, unsigned b, uint64_t rb)
{
	struct xp_hint *h = hint_slot(xp, a, ta);

	if (h->used && h->tx_port == a && h->tx_gpa == ta && h->rx_port == b && h->rx_gpa == rb)
		return true;
	h->used = true;
	h->tx_port = (uint8_t)a;
	h->tx_gpa = ta;
	h->rx_port = (uint8_t)b;
	h->rx_gpa = rb;
	return false;
}

/* The pair's index, or a negative error. */
static int share(struct xpath *xp, unsigned a, uint64_t ta, unsigned b, uint64_t rb)
{
	struct xp_port *A = &xp->port[a], *B = &xp->port[b];
	int rc;

	if (remap_is_pair(xp->rm, A->mem, ta, B->mem, rb))
		return remap_share(xp->rm, A->mem, ta, B->mem, rb);
	if (remap_phys_attached(xp->rm, A->mem, ta))
		return -XT_EBUSY;
	rc = remap_share(xp->rm, A->mem, ta, B->mem, rb);
	if (rc < 0)
		return rc;
	A->st.remaps++;
	note(xp, "shared page", a, b, ta, rb);
	return rc;
}

/* Whether the page of gpa holds part of d's TX or RX descriptor ring. */
static bool holds_ring(const struct e1000 *d, uint64_t gpa)
{
	uint64_t page = gpa & ~(uint64_t)PAGE_MASK;
	uint64_t rx = (uint64_t)d->rdbah << 32 | d->rdbal, tx = (uint64_t)d->tdbah << 32 | d->tdbal;
	uint64_t rxlen = d->rdlen & E1000_DLEN_RAW_MASK, txlen = d->tdlen & E1000_DLEN_RAW_MASK;

	return (rxlen && page < rx + rxlen && rx < page + PAGE) ||
	       (txlen && page < tx + txlen && tx < page + PAGE);
}

/*
 * 0: delivered in place, *e says through which pair (its view held);
 * -XT_EAGAIN: B is full; -XT_ENOTSUP: copy instead.
 */
static int zero_copy(struct xpath *xp, unsigned a, unsigned b, const struct e1000_frame *f,
		     const uint8_t *dst, struct xp_rx_entry *e)
{
	struct xp_port *B = &xp->port[b];
	uint64_t ta = f->seg[0].gpa, rb;
	uint32_t bufsize, max;
	bool paired;
	int rc, pair;

	if (!xp->zerocopy || f->nseg != 1 || f->bounced || !ta || (ta & PAGE_MASK) ||
	    B->rxq_count == XP_RXQ)
		return -XT_ENOTSUP;
	rc = e1000_rx_peek_buffer(B->nic, &rb, &bufsize);
	if (rc == -XT_EAGAIN)
		return rc;
	/* A whole page per RX buffer (a page shared with A must hold nothing
	 * else of B's), room for the FCS B's driver will count, and nothing
	 * e1000_rx_deliver_inplace refuses (VLAN stripping, longer than RCTL
	 * allows): a pair shared for a frame that is then copied would be torn
	 * down again at once, for every frame. */
	max = e1000_max_frame(B->nic);
	if (rc || (rb & PAGE_MASK) || bufsize < PAGE || f->len + E1000_CRC_LEN > PAGE ||
	    f->len + E1000_CRC_LEN > max || (B->nic->ctrl & E1000_CTRL_VME))
		return -XT_ENOTSUP;
	/* Pages already shared carry any frame for free; a short frame is not
	 * worth a remap (copying it would tear the pair down: see copy_to). */
	paired = remap_is_pair(xp->rm, xp->port[a].mem, ta, B->mem, rb);
	if (!paired && (f->len < xp->zerocopy_min || !pairing_seen(xp, a, ta, b, rb)))
		return -XT_ENOTSUP;
	/* A page the NIC writes for B (its own descriptor rings) is never B's
	 * side of a pair: B would see it replaced by A's page. */
	if (holds_ring(B->nic, rb))
		return -XT_ENOTSUP;
	pair = share(xp, a, ta, b, rb);
	if (pair < 0)
		return -XT_ENOTSUP;
	rx_batch_join(xp, b);
	rc = e1000_rx_deliver_inplace(B->nic, rb, f->len, dst);
	if (rc) {
		/* Not delivered: a pair made for this frame must not stay, or B
		 * would read A's page while holding no frame from A (H2). */
		if (!paired)
			remap_unshare(xp->rm, (unsigned)pair);
		return rc == -XT_EAGAIN ? rc : -XT_ENOTSUP;
	}
	views_hold(xp, (unsigned)pair);
	*e = (struct xp_rx_entry){ .src = (uint8_t)a, .close = !xt_det_exclusive(xp->det, a, b),
				   .pair = (uint16_t)pair, .serial = xp->rm->pair[pair].serial,
				   .tx_gpa = ta, .rx_gpa = rb };
	return 0;
}

/* ---------------------------------------------------------- copies */

/*
 * Before the VMM copies into q's next RX buffers: any of them that is the
 * receiving side of a shared page gets its own page back first, or the copy
 * would land in the sender's page.
 */
static unsigned unshare_rx_targets(struct xpath *xp, unsigned q, uint32_t len)
{
	struct e1000 *d = xp->port[q].nic;
	struct e1000_rx_slot s = { .base = NULL };
	uint32_t idx = d->rdh;
	unsigned torn = 0;

	/* No page of q's is the receiving side of a pair (the remapper keeps
	 * the count): nothing to walk. The descriptors are read in the ring's
	 * own mapping (no page of the ring is ever a receiving side, so no
	 * unshare below moves it). */
	if (!xp->port[q].mem->rx_pairs || e1000_rx_peek_slot(d, &s))
		return 0;
	for (uint32_t left = len + E1000_CRC_LEN; left && idx != d->rdt; idx = (idx + 1) % s.n) {
		uint32_t chunk = left < s.bufsize ? left : s.bufsize;
		uint64_t first, pages, gpa = get_le64(s.base + (size_t)idx * E1000_DESC_SIZE);

		/* Every page the chunk touches: a buffer need not be page-aligned. */
		if (gpa + chunk < gpa)
			break;
		first = gpa & ~PAGE_MASK;
		pages = (((gpa + chunk - 1) & ~PAGE_MASK) - first) / PAGE + 1;
		if (!remap_side_may_pair(xp->port[q].mem, gpa, chunk))
			pages = 0;	/* outside every page q has in a pair */
		for (uint64_t k = 0; k < pages; k++) {
			uint64_t page = first + k * PAGE;
			int pair = remap_find(xp->rm, xp->port[q].mem, page);

			if (pair >= 0 && xp->rm->pair[pair].rx == xp->port[q].mem &&
			    !remap_unshare(xp->rm, (unsigned)pair)) {
				torn++;
				note(xp, "unshared for a copy", q, q, page, 0);
			}
		}
		left -= chunk;
	}
	return torn;
}

/*
 * The frame's segments are host pointers taken when it was fetched; a pair
 * torn down since then (its S freed) may have held them. Map them again
 * through the sender's current view. False if that fails.
 */
static bool frame_remap(const struct xp_port *A, struct e1000_frame *f)
{
	const struct e1000 *d = A->nic;

	if (f->bounced)
		return true;
	for (unsigned i = 0; i < f->nseg; i++) {
		void *p = d->ops->dma_map ? d->ops->dma_map(d->ctx, f->seg[i].gpa, f->seg[i].len)
					  : NULL;

		if (!p)
			return false;
		f->seg[i].data = p;
	}
	return true;
}

/* A copy into q's ring of a frame from port from (or from the outside: -1). */
static int copy_to(struct xpath *xp, int from, unsigned q, struct e1000_frame *f,
		   uint64_t *copied)
{
	unsigned torn = unshare_rx_targets(xp, q, f->len);

	rx_batch_join(xp, q);

	if (torn) {
		xp->port[from >= 0 ? (unsigned)from : q].st.remaps += torn;
		if (from >= 0 && !frame_remap(&xp->port[from], f))
			return -XT_EFAULT;
	}
	return e1000_rx_deliver(xp->port[q].nic, f, copied);
}

/* ---------------------------------------------------------- to a peer */

static void count_path(struct xp_port *from, struct xp_port *to, enum xp_path path, uint32_t len)
{
	from->st.path[path].tx_frames++;
	from->st.path[path].tx_bytes += len;
	if (to) {
		to->st.path[path].rx_frames++;
		to->st.path[path].rx_bytes += len;
	}
}

/* A frame for q dropped for lack of room, counted as the NIC counts it. */
static void no_room(struct xp_port *Q)
{
	e1000_rx_no_buffers(Q->nic);
	Q->st.rx_no_room++;
}

/* 0: delivered or dropped (the frame is accounted for); -XT_EAGAIN: wait. */
static int to_peer(struct xpath *xp, unsigned a, unsigned b, struct e1000_frame *f,
		   unsigned id, const uint8_t *dst)
{
	struct xp_port *A = &xp->port[a], *B = &xp->port[b];
	struct xp_rx_entry e;
	uint64_t copied = 0;
	enum xp_path path = XP_PATH_SHARED;
	int rc;

	if (!B->up) {
		A->st.drop_down++;
		complete(xp, a, id);
		return 0;
	}
	if (!e1000_rx_accepts(B->nic, dst)) {
		A->st.drop_filtered++;
		complete(xp, a, id);
		return 0;
	}
	rc = zero_copy(xp, a, b, f, dst, &e);
	if (rc == -XT_ENOTSUP) {
		path = XP_PATH_COPY;
		rc = copy_to(xp, (int)a, b, f, &copied);
	}
	if (rc == -XT_EAGAIN && !B->rx_stalled) {
		A->blocked_on = (int)b;
		return rc;
	}
	if (rc == -XT_EAGAIN) {
		no_room(B);
		complete(xp, a, id);
		return 0;
	}
	if (rc) {
		A->st.drop_error++;
		complete(xp, a, id);
		return 0;
	}
	count_path(A, B, path, f->len);
	if (path == XP_PATH_COPY) {
		/* B has its own copy: A's buffer is free now. */
		A->st.copies++;
		A->st.bytes_copied += copied;
		complete(xp, a, id);
		return 0;
	}
	/* Completed when B gives the buffer back (xp_rx_ready). */
	e.id = id;
	e.last = (B->nic->rdh + rx_ring_size(B->nic) - 1) % rx_ring_size(B->nic);
	rxq_push(xp, B, &e);
	return 0;
}

/* ---------------------------------------------------------- outside */

static int phys_slot(const struct xpath *xp)
{
	for (unsigned i = 0; i < XP_PHYS_INFLIGHT; i++)
		if (!xp->flight[i].used)
			return (int)i;
	return -1;
}

static void phys_release(struct xpath *xp, struct xp_phys_flight *fl)
{
	const struct remap_side *mem = xp->port[fl->port].mem;

	for (unsigned i = 0; i < fl->npages; i++)
		remap_phys_detach(xp->rm, mem, fl->page[i]);
	fl->npages = 0;
	fl->used = false;
}

/* Host-physical segments for the frame, page by page, with its pages attached. */
static int phys_segments(struct xpath *xp, unsigned a, const struct e1000_frame *f,
			 struct xp_phys_flight *fl, struct xp_seg *segs, unsigned *nseg)
{
	const struct remap_side *mem = xp->port[a].mem;
	unsigned pieces = 0;

	/* Decide before attaching: an attach tears the page's pair down. */
	for (unsigned i = 0; i < f->nseg; i++) {
		uint64_t gpa = f->seg[i].gpa;

		if (!gpa || !f->seg[i].len)
			return -XT_E2BIG;
		pieces += (unsigned)(((gpa + f->seg[i].len - 1) >> 12) - (gpa >> 12) + 1);
		if (pieces > XP_PHYS_SEGS)
			return -XT_E2BIG;
	}
	*nseg = 0;
	for (unsigned i = 0; i < f->nseg; i++) {
		uint64_t gpa = f->seg[i].gpa;
		uint32_t left = f->seg[i].len;

		while (left) {
			uint32_t n = (uint32_t)(PAGE - (gpa & PAGE_MASK));
			uint64_t hpa;

			if (n > left)
				n = left;
			if (*nseg == XP_PHYS_SEGS || !gpa)
				return -XT_E2BIG;
			/* The page leaves the shared page for the device: a remap. */
			if (remap_find(xp->rm, mem, gpa) >= 0) {
				xp->port[a].st.remaps++;
				note(xp, "back to its own page for the physical NIC", a, a, gpa, 0);
			}
			if (remap_phys_attach(xp->rm, mem, gpa) < 0)
				return -XT_E2BIG;
			fl->page[fl->npages++] = gpa & ~PAGE_MASK;
			/* After the attach: the guest's own page, any pair torn down. */
			if (ept_lookup(mem->ept, gpa, &hpa, NULL, NULL, NULL))
				return -XT_EFAULT;
			segs[*nseg].hpa = hpa;
			segs[(*nseg)++].len = n;
			gpa += n;
			left -= n;
		}
	}
	return 0;
}

/* A copy for the physical NIC: bounced frames, and frames with too many pieces. */
static int phys_copy(struct xpath *xp, unsigned a, struct e1000_frame *f, uint64_t cookie)
{
	uint8_t buf[XP_PHYS_COPY_MAX];
	int rc;

	if (f->len > sizeof(buf) || f->len > XP_PHYS_MAX_FRAME)
		return -XT_E2BIG;
	/* A failed attach may have torn a pair down under the frame. */
	if (!frame_remap(&xp->port[a], f))
		return -XT_EFAULT;
	e1000_frame_read(f, 0, buf, f->len);
	rc = xp->phys->xmit_copy(xp->phys->ctx, buf, f->len, cookie);
	if (!rc) {
		xp->port[a].st.copies++;
		xp->port[a].st.bytes_copied += f->len;
	}
	return rc;
}

static int to_phys(struct xpath *xp, unsigned a, struct e1000_frame *f, unsigned id)
{
	struct xp_port *A = &xp->port[a];
	struct xp_seg segs[XP_PHYS_SEGS];
	struct xp_phys_flight *fl;
	unsigned nseg;
	int slot = phys_slot(xp), rc;

	if (!xp->phys) {
		A->st.drop_outside++;
		complete(xp, a, id);
		return 0;
	}
	if (f->len > XP_PHYS_MAX_FRAME) {	/* a guest's jumbo frame: not on this wire */
		A->st.drop_error++;
		complete(xp, a, id);
		return 0;
	}
	if (slot < 0) {
		A->blocked_on = XP_BLOCKED_PHYS;
		return -XT_EAGAIN;
	}
	fl = &xp->flight[slot];
	memset(fl, 0, sizeof(*fl));
	fl->used = true;
	fl->port = (uint8_t)a;
	fl->id = id;
	rc = f->bounced ? -XT_E2BIG : phys_segments(xp, a, f, fl, segs, &nseg);
	if (!rc)
		rc = xp->phys->xmit(xp->phys->ctx, segs, nseg, (uint64_t)slot);
	else if (rc == -XT_E2BIG) {
		phys_release(xp, fl);
		fl->used = true;
		rc = phys_copy(xp, a, f, (uint64_t)slot);
	}
	if (rc) {
		phys_release(xp, fl);
		if (rc == -XT_EAGAIN) {
			A->blocked_on = XP_BLOCKED_PHYS;
			return rc;
		}
		A->st.drop_error++;
		complete(xp, a, id);
		return 0;
	}
	count_path(A, NULL, XP_PATH_PHYS, f->len);
	return 0;
}

void xp_phys_done(struct xpath *xp, uint64_t cookie)
{
	struct xp_phys_flight *fl;
	unsigned port, id;

	if (cookie >= XP_PHYS_INFLIGHT || !xp->flight[cookie].used)
		return;
	fl = &xp->flight[cookie];
	port = fl->port;
	id = fl->id;
	phys_release(xp, fl);
	complete(xp, port, id);
	unblock_senders(xp, XP_BLOCKED_PHYS);
	retry_senders(xp, 1ULL << port);
}

/* ---------------------------------------------------------- broadcast */

/* Copies to every port of the flood set, then outside; resumable. */
static int flood(struct xpath *xp, unsigned a, struct e1000_frame *f, unsigned id,
		 const struct xt_route *rt, const uint8_t *dst)
{
	struct xp_port *A = &xp->port[a];

	if (!A->flood_valid) {
		A->flood_valid = true;
		A->flood_id = id;
		A->flood_left = rt->flood;
		A->flood_outside_done = !rt->outside;
	}
	for (unsigned q = 0; q < xp->nports; q++) {
		struct xp_port *Q = &xp->port[q];
		uint64_t copied = 0;
		int rc;

		if (!(A->flood_left & (1ULL << q)))
			continue;
		if (!Q->up || !e1000_rx_accepts(Q->nic, dst)) {
			A->flood_left &= ~(1ULL << q);
			continue;
		}
		rc = copy_to(xp, (int)a, q, f, &copied);
		if (rc == -XT_EAGAIN && !Q->rx_stalled) {
			if (A->blocked_on < 0)
				A->blocked_on = (int)q;
			continue;
		}
		A->flood_left &= ~(1ULL << q);
		if (rc == -XT_EAGAIN) {
			no_room(Q);
			continue;
		}
		if (rc) {
			A->st.drop_error++;
			continue;
		}
		A->st.copies++;
		A->st.bytes_copied += copied;
		count_path(A, Q, XP_PATH_COPY, f->len);
	}
	if (A->flood_left)
		return -XT_EAGAIN;
	if (!A->flood_outside_done) {
		int slot = phys_slot(xp), rc;

		if (!xp->phys) {
			A->flood_outside_done = true;
		} else {
			if (slot < 0) {
				A->blocked_on = XP_BLOCKED_PHYS;
				return -XT_EAGAIN;
			}
			xp->flight[slot] = (struct xp_phys_flight){ .used = true, .port = (uint8_t)a,
								    .id = NO_TX_ID };
			rc = phys_copy(xp, a, f, (uint64_t)slot);
			if (rc == -XT_EAGAIN) {
				xp->flight[slot].used = false;
				A->blocked_on = XP_BLOCKED_PHYS;
				return rc;
			}
			if (rc)
				xp->flight[slot].used = false;
			else
				count_path(A, NULL, XP_PATH_PHYS, f->len);
			A->flood_outside_done = true;
		}
	}
	/* Every receiver has its own copy: A's buffer is free now. */
	A->flood_valid = false;
	complete(xp, a, id);
	return 0;
}

/* ---------------------------------------------------------- transmit */

static void count_drop(struct xp_port *A, enum xt_drop_reason why)
{
	switch (why) {
	case XT_DROP_RUNT:
		A->st.drop_runt++;
		break;
	case XT_DROP_PEER_DOWN:
		A->st.drop_down++;
		break;
	case XT_DROP_SPOOFED:
		A->st.drop_spoofed++;
		break;
	default:
		A->st.drop_no_route++;
		break;
	}
}

static void log_contacts(struct xpath *xp, unsigned a, const struct xt_route *rt)
{
	if (!rt->first_contact)
		return;
	for (unsigned b = 0; b < xp->nports; b++)
		if (rt->first & (1ULL << b))
			note(xp, xt_couple_reason_name(xt_det_talking(xp->det, a, b)), a, b, 0, 0);
}

static bool mac_eq(const uint8_t *x, const uint8_t *y)
{
	return get_le32(x) == get_le32(y) && get_le16(x + 4) == get_le16(y + 4);
}

/*
 * A frame to the destination of A's last PEER route, from A's own address,
 * while the detector's version says that route still holds (no port added,
 * coupled, stopped or started since): the same route without a lookup,
 * counted on the detector's pair as xt_det_route counts it.
 */
static bool route_cached(struct xpath *xp, unsigned a, const uint8_t *hdr, uint32_t n,
			 struct xt_route *rt)
{
	const struct xp_port *A = &xp->port[a];

	if (!A->fast.valid || A->fast.version != xp->det->version || n < XT_DET_MIN_FRAME ||
	    !mac_eq(hdr, A->fast.dst) || !xt_det_source_ok(xp->det, a, hdr + 6))
		return false;
	rt->kind = XT_ROUTE_PEER;
	rt->peer = A->fast.peer;
	xt_det_count_peer(xp->det, a, rt->peer);
	return true;
}

/* One frame; -XT_EAGAIN when it has to wait (the caller gives it back). */
static int route_frame(struct xpath *xp, unsigned a, struct e1000_frame *f, unsigned id)
{
	struct xp_port *A = &xp->port[a];
	uint8_t hdr[ETH_HDR] = { 0 };
	uint32_t n = e1000_frame_read(f, 0, hdr, sizeof(hdr));
	struct xt_route rt = { 0 };

	/* A flood resumes only for the frame it started with: after a TX ring
	 * rewrite (TDH/TDBAL/TDLEN, ids stale) the frame here is another one. */
	if (A->flood_valid && A->flood_id != id)
		A->flood_valid = false;
	if (!A->flood_valid && route_cached(xp, a, hdr, n, &rt)) {
		/* rt is A's last PEER route */
	} else if (!A->flood_valid) {
		xt_det_route(xp->det, a, hdr, n, &rt);
		log_contacts(xp, a, &rt);
		A->fast.valid = rt.kind == XT_ROUTE_PEER;
		if (A->fast.valid) {
			memcpy(A->fast.dst, hdr, sizeof(A->fast.dst));
			A->fast.peer = (uint8_t)rt.peer;
			A->fast.version = xp->det->version;
		}
	} else {
		rt.kind = XT_ROUTE_FLOOD;
	}
	switch (rt.kind) {
	case XT_ROUTE_PEER:
		return to_peer(xp, a, rt.peer, f, id, hdr);
	case XT_ROUTE_OUTSIDE:
		return to_phys(xp, a, f, id);
	case XT_ROUTE_FLOOD:
		return flood(xp, a, f, id, &rt, hdr);
	case XT_ROUTE_DROP:
	default:
		count_drop(A, rt.drop);
		complete(xp, a, id);
		return 0;
	}
}

/*
 * One frame of fast_pair through the pair of A's buffer and B's next one,
 * max the longest frame B takes (tp, rp: the burst's ring mappings): its
 * pair index, or -1 when it needs the generic loop (nothing done then).
 */
static int fast_frame(struct xpath *xp, unsigned a, unsigned b, uint32_t max, bool close,
		      struct e1000_tx_simple *tp, struct e1000_rx_slot *rp)
{
	struct xp_port *A = &xp->port[a], *B = &xp->port[b];
	struct e1000_tx_simple t;
	uint32_t n = rx_ring_size(B->nic);
	struct xp_rx_entry e;
	int pair;

	if (e1000_tx_peek_simple(A->nic, tp) != 1 || (tp->gpa & PAGE_MASK) ||
	    tp->len + E1000_CRC_LEN > PAGE || tp->len + E1000_CRC_LEN > max)
		return -1;
	/* The frame is read where both guests see it: the shared page. */
	if (e1000_rx_peek_slot(B->nic, rp) || (rp->gpa & PAGE_MASK) || rp->bufsize < PAGE)
		return -1;
	t = *tp;
	t.data = remap_pair_page(xp->rm, A->mem, t.gpa, B->mem, rp->gpa, &pair);
	if (!t.data || !mac_eq(t.data, A->fast.dst) ||
	    !xt_det_source_ok(xp->det, a, t.data + 6) ||
	    e1000_rx_put_slot(B->nic, rp, t.len, t.data))
		return -1;
	xt_det_count_peer(xp->det, a, b);
	count_path(A, B, XP_PATH_SHARED, t.len);
	e = (struct xp_rx_entry){ .src = (uint8_t)a, .close = close, .pair = (uint16_t)pair,
				  .serial = xp->rm->pair[pair].serial,
				  .tx_gpa = t.gpa, .rx_gpa = rp->gpa,
				  .last = (B->nic->rdh + n - 1) % n };
	e.id = e1000_tx_take_simple(A->nic, &t);
	rxq_push(xp, B, &e);
	return pair;
}

/*
 * The steady state of a pair, without the generic machinery: frames of one
 * legacy descriptor (e1000_tx_peek_simple) to the destination of A's last
 * PEER route (while the detector's version says that route still holds),
 * whose page is already shared with B's next buffer, go from A's
 * descriptor to B's descriptor directly: the same checks and the same
 * effects as route_frame -> to_peer -> zero_copy, and B's receive
 * interrupt once for the batch. The first frame that needs anything else
 * (another destination, a copy, a wait, a drop, an error to report) is
 * left at the cursor for the generic loop.
 */
static void fast_pair(struct xpath *xp, unsigned a)
{
	struct xp_port *A = &xp->port[a], *B;
	unsigned b = A->fast.peer, delivered = 0, held[XP_VIEW_BATCH];
	/* Both rings mapped once for the burst (nothing remaps in it). */
	struct e1000_tx_simple t = { .base = NULL };
	struct e1000_rx_slot rs = { .base = NULL };
	uint32_t max;
	bool close;
	int pair;

	/* Only through a pair of A's: none, no probe (Linux's layouts). */
	if (!A->mem->tx_pairs || !xp->zerocopy || !A->fast.valid ||
	    A->fast.version != xp->det->version || A->flood_valid || b >= xp->nports || b == a)
		return;
	B = &xp->port[b];
	if (!B->up || !rx_ring_size(B->nic) || (B->nic->ctrl & E1000_CTRL_VME) ||
	    !e1000_rx_accepts(B->nic, A->fast.dst))
		return;
	max = e1000_max_frame(B->nic);
	close = !xt_det_exclusive(xp->det, a, b);
	while (B->rxq_count < XP_RXQ && delivered < XP_VIEW_BATCH &&
	       (pair = fast_frame(xp, a, b, max, close, &t, &rs)) >= 0)
		held[delivered++] = (unsigned)pair;
	/* Before B runs: B may read the pages, A may not change them. */
	remap_set_views(xp->rm, held, delivered, true, true);
	if (delivered)
		e1000_rx_signal(B->nic);
}

static void maybe_preshare(struct xpath *xp, unsigned port)
{
	if (!xp->port[port].preshared)
		xp_preshare(xp, port);
}

void xp_tx(struct xpath *xp, unsigned a)
{
	struct xp_port *A;
	struct e1000_frame f;
	unsigned id;

	if (a >= xp->nports || xp->busy)
		return;
	A = &xp->port[a];
	if (!A->up || A->blocked_on != -1)
		return;
	maybe_preshare(xp, a);
	xp->busy = true;
	fast_pair(xp, a);
	xp->batch_sender = (int)a;
	xp->batch_rx = 0;
	while (e1000_tx_fetch(A->nic, &f, &id) == 1) {
		if (route_frame(xp, a, &f, id) == -XT_EAGAIN) {
			A->st.waits++;
			e1000_tx_unfetch(A->nic, id);
			break;
		}
	}
	/* The batch's completions handed back, its receivers interrupted. */
	xp->batch_sender = -1;
	e1000_tx_retire(A->nic);
	while (xp->batch_rx) {
		unsigned q = (unsigned)__builtin_ctzll(xp->batch_rx);

		xp->batch_rx &= xp->batch_rx - 1;
		e1000_rx_batch_end(xp->port[q].nic);
	}
	xp->busy = false;
}

void xp_rx_ready(struct xpath *xp, unsigned b)
{
	struct xp_port *B;
	uint64_t senders = 0;
	uint32_t n;

	if (b >= xp->nports || xp->busy)
		return;
	B = &xp->port[b];
	n = rx_ring_size(B->nic);
	/* A stalled receiver may hold senders again only once it gave back
	 * its whole ring: giving one buffer at a time buys no new wait. */
	if (n && e1000_rx_free(B->nic) + 1 >= n)
		B->rx_stalled = false;
	senders = rxq_consume(xp, b, !n || !(B->nic->rctl & E1000_RCTL_EN));
	maybe_preshare(xp, b);
	unblock_senders(xp, (int)b);
	retry_senders(xp, senders);
}

/* ---------------------------------------------------------- static pairs */

/*
 * Pair A's TX slot i with B's RX slot i, when both buffers are pages and B's
 * slot belongs to its NIC (a slot B holds may carry a frame it has not read
 * yet). False while either ring is not set up (try again later).
 */
static bool preshare_direction(struct xpath *xp, unsigned a, unsigned b)
{
	const struct e1000 *ta_nic = xp->port[a].nic;
	struct e1000 *rb_nic = xp->port[b].nic;
	uint32_t nt = tx_ring_size(ta_nic), nr = rx_ring_size(rb_nic), n = nt < nr ? nt : nr;
	uint64_t tbase = (uint64_t)ta_nic->tdbah << 32 | ta_nic->tdbal;
	uint64_t rbase = (uint64_t)rb_nic->rdbah << 32 | rb_nic->rdbal;

	/* Set up: both enabled, and B has posted buffers (drivers often set
	 * RCTL.EN before their first RDT write). */
	if (!n || !(ta_nic->tctl & E1000_TCTL_EN) || !(rb_nic->rctl & E1000_RCTL_EN) ||
	    rb_nic->rdh == rb_nic->rdt)
		return false;
	/* As zero_copy: whole-page RX buffers, no VLAN stripping. */
	if (!xp->zerocopy || rx_buf_size(rb_nic->rctl) < PAGE || (rb_nic->ctrl & E1000_CTRL_VME) ||
	    rb_nic->rdh >= nr || rb_nic->rdt >= nr)
		return true;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t ta, rb;
		int rc;

		/* Hardware-owned (RDH up to RDT), or the one slot the driver
		 * holds at RDT when it carries no frame (DD clear): it is the
		 * next one the NIC gets, and sharing it now spares a copy. */
		if ((i + nr - rb_nic->rdh) % nr >= (rb_nic->rdt + nr - rb_nic->rdh) % nr &&
		    (i != rb_nic->rdt || !rx_slot_consumed(rb_nic, nr, i)))
			continue;
		ta = desc_addr(ta_nic, tbase, i);
		rb = desc_addr(rb_nic, rbase, i);
		if (!ta || !rb || (ta & PAGE_MASK) || (rb & PAGE_MASK))
			continue;
		rc = share(xp, a, ta, b, rb);
		if (rc == -XT_ENOSPC || rc == -XT_ENOMEM)
			break;
		if (rc >= 0)
			pairing_seen(xp, a, ta, b, rb);
	}
	return true;
}

/* One direction once per ring setup; false while it cannot be done yet. */
static bool preshare_once(struct xpath *xp, unsigned a, unsigned b)
{
	if (xp->port[a].preshared_to & (1ULL << b))
		return true;
	if (!preshare_direction(xp, a, b))
		return false;
	xp->port[a].preshared_to |= 1ULL << b;
	return true;
}

/*
 * Pages may be shared ahead of the frames only where B can see nothing A
 * did not send it: a pair coupled by configuration whose every frame goes
 * to the other (an explicit link, or a network of exactly those two, no
 * uplink). Other pairs share a page only while it holds a frame for B.
 */
static bool coupled_statically(const struct xpath *xp, unsigned a, unsigned b)
{
	enum xt_couple_reason why = xt_det_coupled(xp->det, a, b);

	return (why == XT_COUPLE_LINK || why == XT_COUPLE_NETWORK) &&
	       xt_det_exclusive(xp->det, a, b);
}

/*
 * Both directions of every static pair of port's, each done once both its
 * rings are set up; port counts as pre-shared once all of them are done.
 */
void xp_preshare(struct xpath *xp, unsigned port)
{
	bool all = true;

	if (port >= xp->nports || !xp->port[port].up)
		return;
	for (unsigned q = 0; q < xp->nports; q++) {
		bool out, in;

		if (q == port || !xp->port[q].up || !coupled_statically(xp, port, q))
			continue;
		out = preshare_once(xp, port, q);
		in = preshare_once(xp, q, port);
		all = all && out && in;
	}
	if (all)
		xp->port[port].preshared = true;
}

/* ---------------------------------------------------------- lifecycle */

void xp_port_reset(struct xpath *xp, unsigned port)
{
	struct xp_port *p;
	uint64_t senders;

	if (port >= xp->nports)
		return;
	p = &xp->port[port];
	/* First the pairs (what p holds unread becomes its own), then p's queue. */
	if (remap_unshare_side(xp->rm, p->mem))
		note(xp, "shared pages torn down", port, port, 0, 0);
	senders = rxq_consume(xp, port, true);
	p->rx_stalled = false;
	p->blocked_on = -1;
	p->flood_valid = false;
	p->fast.valid = false;
	p->preshared = false;
	p->preshared_to = 0;
	for (unsigned q = 0; q < xp->nports; q++)
		xp->port[q].preshared_to &= ~(1ULL << port);
	unblock_senders(xp, (int)port);
	retry_senders(xp, senders);
}

void xp_port_down(struct xpath *xp, unsigned port)
{
	if (port >= xp->nports)
		return;
	xt_det_port_down(xp->det, port);
	xp->port[port].up = false;
	xp_port_reset(xp, port);
}

void xp_port_up(struct xpath *xp, unsigned port)
{
	if (port >= xp->nports || xp->port[port].up)
		return;
	xt_det_port_up(xp->det, port);
	xp->port[port].up = true;
}

/* ---------------------------------------------------------- bounded waits */

/* When a wait that started at since (0: now) ends, after stamping it. */
static uint64_t wait_end(const struct xpath *xp, uint64_t *since, uint64_t now)
{
	if (!*since)
		*since = now;
	return *since + xp->wait_limit;
}

/* A sender waiting for a receiver's room: past the bound, the receiver is stalled. */
static uint64_t tick_sender(struct xpath *xp, unsigned a, uint64_t now)
{
	struct xp_port *A = &xp->port[a];
	int q = A->blocked_on;
	uint64_t end;

	if (q < 0 || (unsigned)q >= xp->nports)
		return 0;
	end = wait_end(xp, &A->blocked_since, now);
	if (now < end)
		return end;
	xp->port[q].rx_stalled = true;
	unblock_senders(xp, q);
	return 0;
}

/*
 * Shared-page frames q held past the bound: each pair torn down (q keeps
 * its own copy of what it holds), the frames complete for their senders.
 */
static uint64_t tick_receiver(struct xpath *xp, unsigned q, uint64_t now)
{
	struct xp_port *Q = &xp->port[q];
	uint64_t end, senders;

	if (!Q->rxq_count)
		return 0;
	if (Q->held_pops != Q->rxq_pops)
		Q->held_since = 0;
	Q->held_pops = Q->rxq_pops;
	end = wait_end(xp, &Q->held_since, now);
	if (now < end)
		return end;
	for (unsigned i = 0; i < Q->rxq_count; i++) {
		const struct xp_rx_entry *e = &Q->rxq[(Q->rxq_first + i) % XP_RXQ];
		int k = remap_find(xp->rm, Q->mem, e->rx_gpa);

		if (e->pair != XP_NO_PAIR && k == e->pair && xp->rm->pair[k].serial == e->serial)
			remap_unshare(xp->rm, (unsigned)k);
		Q->st.expired++;
	}
	senders = rxq_consume(xp, q, true);
	retry_senders(xp, senders);
	return 0;
}

static uint64_t earliest(uint64_t x, uint64_t y)
{
	return !x || (y && y < x) ? y : x;
}

uint64_t xp_tick(struct xpath *xp, uint64_t now)
{
	uint64_t next = 0;

	if (xp->busy || !now)
		return 0;
	for (unsigned p = 0; p < xp->nports; p++) {
		next = earliest(next, tick_sender(xp, p, now));
		next = earliest(next, tick_receiver(xp, p, now));
	}
	return next;
}

bool xp_cow_fault(struct xpath *xp, unsigned port, uint64_t gpa)
{
	if (port >= xp->nports || !remap_cow_fault(xp->rm, xp->port[port].mem, gpa))
		return false;
	note(xp, "copy on write", port, port, gpa, gpa);
	return true;
}

/* ---------------------------------------------------------- from outside */

static void deliver_outside(struct xpath *xp, unsigned q, struct e1000_frame *f,
			    const uint8_t *dst)
{
	struct xp_port *Q = &xp->port[q];
	uint64_t copied = 0;

	if (!Q->up || !e1000_rx_accepts(Q->nic, dst))
		return;
	if (copy_to(xp, -1, q, f, &copied)) {
		/* The wire cannot wait: lost, and counted as the NIC would. */
		e1000_rx_missed(Q->nic);
		Q->st.rx_missed++;
		return;
	}
	Q->st.path[XP_PATH_PHYS].rx_frames++;
	Q->st.path[XP_PATH_PHYS].rx_bytes += f->len;
}

void xp_phys_rx(struct xpath *xp, int uplink, const uint8_t *data, uint32_t len)
{
	struct e1000_frame f = { .nseg = 1, .len = len, .seg = { { data, len, 0 } } };
	int q;

	if (len < ETH_HDR || len > E1000_MAX_FRAME_JUMBO)
		return;
	if (mac_is_multicast(data)) {
		for (unsigned p = 0; p < xp->nports; p++)
			if (xp->det->port[p].uplink == uplink)
				deliver_outside(xp, p, &f, data);
		return;
	}
	q = mac_table_lookup(&xp->det->macs, data, NULL);
	if (q >= 0 && (unsigned)q < xp->nports && xp->det->port[q].uplink == uplink)
		deliver_outside(xp, (unsigned)q, &f, data);
}
