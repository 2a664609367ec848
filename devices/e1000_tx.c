// SPDX-License-Identifier: MIT
/*
 * 82540EM transmit ring: legacy descriptors, TCP/IP context and data
 * descriptors, checksum offload and VLAN insertion (8254x SDM, "Transmit
 * Descriptor Ring Structure", "Legacy Transmit Descriptor Format", "TCP/IP
 * Context Transmit Descriptor Format", "TCP/IP Data Descriptor Format").
 *
 * Each descriptor is copied once out of guest memory into a local and only
 * that copy is decoded. Frames without offload are handed out as segments
 * pointing into guest RAM; frames that need the hardware to change bytes are
 * gathered into the owner's bounce buffer first, so checksums are computed
 * over bytes the guest can no longer change.
 */
#include "devices/e1000.h"

#include <string.h>

#include "lib/le.h"

enum desc_kind { DESC_LEGACY, DESC_CONTEXT, DESC_DATA, DESC_RESERVED };

enum scan_result { SCAN_INCOMPLETE, SCAN_CONTEXT, SCAN_FRAME };

struct tx_ring {
	uint8_t *base;
	uint32_t n;		/* descriptors */
};

/* What one pass over a frame's descriptors found. */
struct tx_scan {
	unsigned ndesc;
	uint64_t rs;		/* bit k: descriptor k had RS or RPS */
	uint32_t len;		/* sum of the buffer lengths */
	enum desc_kind kind;	/* of the first descriptor */
	uint8_t first_cmd;	/* CMD/DCMD of the first descriptor */
	uint8_t css, cso;	/* legacy: from the first descriptor */
	uint8_t popts;		/* data: from the first descriptor */
	uint8_t eop_cmd;	/* VLE is taken from the EOP descriptor */
	uint16_t special;
	bool eop;
	bool bad;
	enum e1000_err err;	/* the first problem found */
	uint64_t detail;
	/* decided by check_frame() */
	bool ic, ixsm, txsm, vlan, pad;
};

void e1000_tx_reset(struct e1000 *d)
{
	memset(&d->tx_ctx, 0, sizeof(d->tx_ctx));
	memset(&d->tx_pend, 0, sizeof(d->tx_pend));
	e1000_tx_flush(d);
}

/* Forget the frames in flight (ring registers rewritten, reset): their ids
 * go stale, nothing is written back, the cursor restarts at TDH. */
void e1000_tx_flush(struct e1000 *d)
{
	d->fl_first = 0;
	d->fl_count = 0;
	d->fl_gen++;
	d->tx_cur = d->tdh;
}

/* ---------------------------------------------------------- ring */

static void ring_error(struct e1000 *d, enum e1000_err e, uint64_t detail)
{
	if (d->tx_ring_reported)
		return;
	d->tx_ring_reported = true;
	e1000_report(d, e, detail);
}

/* Validate TDLEN/TDH/TDT and map the whole ring; reported once per kick. */
static bool tx_ring_get(struct e1000 *d, struct tx_ring *r)
{
	uint64_t base = (uint64_t)d->tdbah << 32 | d->tdbal;

	if (!d->tdlen || d->tdlen % E1000_DLEN_ALIGN) {
		ring_error(d, E1000_ERR_RING_LEN, d->tdlen);
		return false;
	}
	r->n = d->tdlen / E1000_DESC_SIZE;
	if (d->tdh >= r->n || d->tdt >= r->n) {
		ring_error(d, E1000_ERR_RING_INDEX, (uint64_t)d->tdh << 32 | d->tdt);
		return false;
	}
	r->base = e1000_ring_dma(d, E1000_RING_TX, base, d->tdlen);
	if (!r->base) {
		ring_error(d, E1000_ERR_RING_DMA, base);
		return false;
	}
	return true;
}

static uint32_t ring_next(const struct tx_ring *r, uint32_t idx)
{
	return idx + 1 == r->n ? 0 : idx + 1;
}

/* DD into the status byte of each descriptor that asked for it. */
static void write_back(const struct tx_ring *r, uint32_t head, unsigned ndesc, uint64_t rs)
{
	uint32_t idx = head;

	__atomic_thread_fence(__ATOMIC_RELEASE);	/* data reads before DD */
	for (unsigned k = 0; k < ndesc; k++) {
		if (rs & (1ull << k))
			r->base[(size_t)idx * E1000_DESC_SIZE + E1000_TXD_STA] = E1000_TXD_STAT_DD;
		idx = ring_next(r, idx);
	}
}

/* Hand ndesc descriptors back to the guest. */
static void advance(struct e1000 *d, const struct tx_ring *r, unsigned ndesc, uint64_t rs)
{
	uint32_t causes = 0;

	write_back(r, d->tdh, ndesc, rs);
	d->tdh = (uint32_t)((d->tdh + ndesc) % r->n);
	if (rs)
		causes |= E1000_ICR_TXDW;
	if (d->tdh == d->tdt)
		causes |= E1000_ICR_TXQE;
	if (causes)
		e1000_raise(d, causes);
}

/* ---------------------------------------------------------- scanning */

static enum desc_kind desc_kind(const uint8_t *desc)
{
	unsigned dtyp = desc[E1000_TXD_DTYP_BYTE] >> E1000_TXD_DTYP_SHIFT;

	if (!(desc[E1000_TXD_CMD] & E1000_TXD_CMD_DEXT))
		return DESC_LEGACY;
	if (dtyp == E1000_TXD_DTYP_C)
		return DESC_CONTEXT;
	if (dtyp == E1000_TXD_DTYP_D)
		return DESC_DATA;
	return DESC_RESERVED;
}

static void scan_fail(struct tx_scan *s, enum e1000_err e, uint64_t detail)
{
	if (s->bad)
		return;
	s->bad = true;
	s->err = e;
	s->detail = detail;
}

static void load_context(struct e1000 *d, const uint8_t *desc)
{
	struct e1000_tx_ctx *c = &d->tx_ctx;

	c->ipcss = desc[E1000_TXC_IPCSS];
	c->ipcso = desc[E1000_TXC_IPCSO];
	c->ipcse = get_le16(desc + E1000_TXC_IPCSE);
	c->tucss = desc[E1000_TXC_TUCSS];
	c->tucso = desc[E1000_TXC_TUCSO];
	c->tucse = get_le16(desc + E1000_TXC_TUCSE);
	c->tucmd = desc[E1000_TXC_TUCMD];
	c->valid = true;
}

static uint32_t desc_len(enum desc_kind kind, const uint8_t *desc)
{
	if (kind == DESC_LEGACY)
		return get_le16(desc + E1000_TXD_LENGTH);
	return get_le32(desc + E1000_TXDD_DTALEN) & E1000_TXDD_DTALEN_MASK;
}

/* Map one buffer into the next segment (only while the frame is still sane). */
static void scan_buffer(struct e1000 *d, const uint8_t *desc, uint32_t len, struct e1000_frame *f,
			struct tx_scan *s)
{
	uint64_t addr = get_le64(desc + E1000_TXD_ADDR);
	const uint8_t *p;

	if (s->bad || s->len > E1000_MAX_FRAME_JUMBO || f->nseg >= E1000_TX_MAX_SEGS)
		return;
	p = e1000_dma(d, addr, len);
	if (!p) {
		scan_fail(s, E1000_ERR_BUF_DMA, addr);
		return;
	}
	f->seg[f->nseg].data = p;
	f->seg[f->nseg].len = len;
	f->seg[f->nseg].gpa = addr;
	f->nseg++;
}

/* Descriptor k (> 0, or 0 when it is not a context descriptor) of a frame. */
static void scan_desc(struct e1000 *d, const uint8_t *desc, unsigned k, uint32_t idx,
		      struct e1000_frame *f, struct tx_scan *s)
{
	enum desc_kind kind = desc_kind(desc);
	uint8_t cmd = desc[E1000_TXD_CMD];
	uint32_t len;

	if (cmd & (E1000_TXD_CMD_RS | E1000_TXD_CMD_RPS))
		s->rs |= 1ull << k;
	if (k == 0) {
		s->kind = kind;
		s->first_cmd = cmd;
		s->cso = desc[E1000_TXD_CSO];
		s->css = desc[E1000_TXD_CSS];
		s->popts = desc[E1000_TXDD_POPTS];
	}
	if (kind == DESC_CONTEXT) {
		/* Context descriptors belong between frames; TUCMD bit 0 is not EOP. */
		scan_fail(s, E1000_ERR_BAD_DESC, idx);
		return;
	}
	if (kind != s->kind || kind == DESC_RESERVED)
		scan_fail(s, E1000_ERR_BAD_DESC, idx);
	if (kind == DESC_DATA && (cmd & E1000_TXD_CMD_TSE))
		scan_fail(s, E1000_ERR_BAD_DESC, idx);	/* TCP segmentation: not supported */
	len = desc_len(kind, desc);
	if (!len)
		scan_fail(s, E1000_ERR_ZERO_LEN, idx);
	s->len += len;	/* at most 64 x 0xfffff: no overflow */
	scan_buffer(d, desc, len, f, s);
	if (cmd & E1000_TXD_CMD_EOP) {
		s->eop = true;
		s->eop_cmd = cmd;
		s->special = get_le16(desc + E1000_TXD_SPECIAL);
	}
}

/*
 * One pass from TDH: a context descriptor, a whole frame (up to EOP, or
 * E1000_TX_MAX_SEGS descriptors without one), or TDT reached first.
 */
static enum scan_result scan(struct e1000 *d, const struct tx_ring *r, uint32_t start,
			     struct e1000_frame *f, struct tx_scan *s)
{
	uint32_t idx = start;
	uint8_t desc[E1000_DESC_SIZE];

	memset(s, 0, sizeof(*s));
	for (unsigned k = 0; k < E1000_TX_MAX_SEGS; k++) {
		if (idx == d->tdt)
			return SCAN_INCOMPLETE;
		memcpy(desc, r->base + (size_t)idx * E1000_DESC_SIZE, sizeof(desc));
		if (k == 0 && desc_kind(desc) == DESC_CONTEXT) {
			load_context(d, desc);
			s->ndesc = 1;
			if (desc[E1000_TXC_TUCMD] & (E1000_TXD_CMD_RS | E1000_TXD_CMD_RPS))
				s->rs = 1;
			return SCAN_CONTEXT;
		}
		scan_desc(d, desc, k, idx, f, s);
		s->ndesc = k + 1;
		if (s->eop)
			return SCAN_FRAME;
		idx = ring_next(r, idx);
	}
	scan_fail(s, E1000_ERR_NO_EOP, start);
	return SCAN_FRAME;
}

/* ---------------------------------------------------------- offloads */

/*
 * Offsets from the guest: start < len, offset + 2 <= len, and end (inclusive,
 * 0 = the last byte) in [start, len).
 */
static bool csum_fits(uint32_t len, uint32_t start, uint32_t offset, uint32_t end)
{
	if (start >= len || offset + 2 > len)
		return false;
	return end == 0 || (end >= start && end < len);
}

static void check_offload(const struct e1000 *d, struct tx_scan *s)
{
	const struct e1000_tx_ctx *c = &d->tx_ctx;

	if (s->kind == DESC_LEGACY) {
		s->ic = s->first_cmd & E1000_TXD_CMD_IC;
		if (s->ic && !csum_fits(s->len, s->css, s->cso, 0))
			scan_fail(s, E1000_ERR_BAD_OFFLOAD, (uint64_t)s->css << 8 | s->cso);
		return;
	}
	s->ixsm = s->popts & E1000_TXD_POPTS_IXSM;
	s->txsm = s->popts & E1000_TXD_POPTS_TXSM;
	if ((s->ixsm || s->txsm) && !c->valid)
		scan_fail(s, E1000_ERR_BAD_OFFLOAD, s->popts);
	if (s->ixsm && !csum_fits(s->len, c->ipcss, c->ipcso, c->ipcse))
		scan_fail(s, E1000_ERR_BAD_OFFLOAD, (uint64_t)c->ipcss << 8 | c->ipcso);
	if (s->txsm && !csum_fits(s->len, c->tucss, c->tucso, c->tucse))
		scan_fail(s, E1000_ERR_BAD_OFFLOAD, (uint64_t)c->tucss << 8 | c->tucso);
}

/* Frames whose bytes the hardware changes are gathered first. */
static bool needs_bounce(const struct tx_scan *s)
{
	return s->ic || s->ixsm || s->txsm || s->vlan || s->pad;
}

static void check_frame(const struct e1000 *d, struct tx_scan *s)
{
	uint32_t max = e1000_max_frame(d);

	s->vlan = (s->eop_cmd & E1000_TXD_CMD_VLE) && (d->ctrl & E1000_CTRL_VME);
	if (s->len < E1000_MIN_FRAME)
		scan_fail(s, E1000_ERR_SHORT_FRAME, s->len);
	else if (s->len + (s->vlan ? E1000_VLAN_TAG_LEN : 0) + E1000_CRC_LEN > max)
		scan_fail(s, E1000_ERR_LONG_FRAME, s->len);
	else
		check_offload(d, s);
	s->pad = (d->tctl & E1000_TCTL_PSP) &&
		 s->len + (s->vlan ? E1000_VLAN_TAG_LEN : 0) < E1000_PAD_FRAME;
	if (!s->bad && needs_bounce(s) && !d->bounce)
		scan_fail(s, E1000_ERR_BAD_OFFLOAD, 0);	/* owner gave no bounce buffer */
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Ones' complement sum over [start, end] (end 0: to the last byte),
 * including whatever the guest put at offset (the pseudo-header seed for
 * TCP/UDP), complemented and stored big-endian at offset.
 */
static void insert_csum(uint8_t *b, uint32_t len, uint32_t start, uint32_t offset, uint32_t end,
			bool udp)
{
	uint32_t stop = end ? end + 1 : len;
	uint16_t c = csum_fold(csum_add(0, b + start, stop - start));

	if (udp && c == 0)
		c = 0xffff;	/* 0 means "no checksum" in UDP */
	put_be16(b + offset, c);
}

static void apply_offloads(const struct e1000 *d, const struct tx_scan *s, uint8_t *b)
{
	const struct e1000_tx_ctx *c = &d->tx_ctx;

	if (s->ic)
		insert_csum(b, s->len, s->css, s->cso, 0, false);
	if (s->ixsm)
		insert_csum(b, s->len, c->ipcss, c->ipcso, c->ipcse, false);
	if (s->txsm)
		insert_csum(b, s->len, c->tucss, c->tucso, c->tucse, !(c->tucmd & E1000_TXD_CMD_TCP));
}

/* 802.1Q tag after the source address: VET, then the descriptor's special field. */
static void insert_vlan(const struct e1000 *d, uint8_t *b, uint32_t len, uint16_t tci)
{
	memmove(b + 12 + E1000_VLAN_TAG_LEN, b + 12, len - 12);
	put_be16(b + 12, e1000_vet(d));
	put_be16(b + 14, tci);
}

/* Gather into the bounce buffer when bytes must change; else zero copy. */
static void build_frame(struct e1000 *d, struct e1000_frame *f, const struct tx_scan *s)
{
	uint32_t off = 0;

	f->len = s->len;
	f->ndesc = s->ndesc;
	if (!needs_bounce(s))
		return;
	for (unsigned i = 0; i < f->nseg; i++) {
		memcpy(d->bounce + off, f->seg[i].data, f->seg[i].len);
		off += f->seg[i].len;
	}
	apply_offloads(d, s, d->bounce);
	if (s->vlan) {
		insert_vlan(d, d->bounce, s->len, s->special);
		f->len += E1000_VLAN_TAG_LEN;
	}
	if (s->pad) {
		memset(d->bounce + f->len, 0, E1000_PAD_FRAME - f->len);
		f->len = E1000_PAD_FRAME;
	}
	f->nseg = 1;
	f->seg[0].data = d->bounce;
	f->seg[0].len = f->len;
	f->seg[0].gpa = 0;
	f->bounced = true;
}

/* ---------------------------------------------------------- data path */

static void frame_clear(struct e1000_frame *f)
{
	f->nseg = 0;
	f->len = 0;
	f->ndesc = 0;
	f->bounced = false;
}

static void set_pending(struct e1000 *d, const struct e1000_frame *f, const struct tx_scan *s)
{
	struct e1000_tx_pending *p = &d->tx_pend;

	p->valid = true;
	p->head = d->tdh;
	p->ndesc = s->ndesc;
	p->rs = s->rs;
	p->len = f->len;
	memset(p->dst, 0, sizeof(p->dst));
	e1000_frame_read(f, 0, p->dst, sizeof(p->dst));
}

/* Descriptor idx of the ring at base, if it is a simple frame (see
 * e1000_tx_peek_simple); map: also map its buffer (t->data). */
static inline bool simple_at(struct e1000 *d, const uint8_t *base, uint32_t idx,
			     struct e1000_tx_simple *t, bool map)
{
	uint8_t desc[E1000_DESC_SIZE];
	uint32_t max;
	uint8_t cmd;

	memcpy(desc, base + (size_t)idx * E1000_DESC_SIZE, sizeof(desc));
	cmd = desc[E1000_TXD_CMD];
	if ((cmd & (E1000_TXD_CMD_DEXT | E1000_TXD_CMD_EOP | E1000_TXD_CMD_IC)) != E1000_TXD_CMD_EOP ||
	    ((cmd & E1000_TXD_CMD_VLE) && (d->ctrl & E1000_CTRL_VME)))
		return false;
	t->len = get_le16(desc + E1000_TXD_LENGTH);
	max = e1000_max_frame(d);
	if (t->len < E1000_MIN_FRAME || t->len + E1000_CRC_LEN > max ||
	    ((d->tctl & E1000_TCTL_PSP) && t->len < E1000_PAD_FRAME))
		return false;
	t->gpa = get_le64(desc + E1000_TXD_ADDR);
	t->data = map ? e1000_dma(d, t->gpa, t->len) : NULL;
	if (map && !t->data)
		return false;
	t->rs = (cmd & (E1000_TXD_CMD_RS | E1000_TXD_CMD_RPS)) != 0;
	t->idx = idx;
	return true;
}

/*
 * The frame at the fetch cursor when it is the simplest kind: one legacy
 * descriptor with EOP that the hardware passes through unchanged (no
 * checksum insertion, VLAN tag or padding), within the frame limits. Such
 * a frame is exactly what e1000_tx_fetch() would return as one unbounced
 * segment. The descriptor is copied once into *t; e1000_tx_take_simple()
 * queues that copy. 0: anything else (the caller uses e1000_tx_fetch(),
 * which reports what is wrong).
 *
 * The buffer is not mapped (t->data NULL): the caller reaches it through a
 * mapping of its own (cross-talk: the page it shares with the receiver),
 * and hands the frame's first bytes to e1000_tx_take_simple(). The ring
 * itself is mapped as for every access, so bus mastering is honoured.
 *
 * t->base is the ring's mapping, NULL before the first peek of a burst:
 * kept in *t from one peek to the next while nothing else happens in
 * between (no guest runs, no register write, no remap).
 */
int e1000_tx_peek_simple(struct e1000 *d, struct e1000_tx_simple *t)
{
	uint32_t cursor = d->fl_count ? d->tx_cur : d->tdh;
	struct tx_ring r;

	if (!(d->tctl & E1000_TCTL_EN) || d->fl_count >= E1000_TX_INFLIGHT || cursor == d->tdt)
		return 0;
	if (!t->base) {
		if (!tx_ring_get(d, &r))
			return 0;
		t->base = r.base;
		t->ring = r.n;
	}
	return cursor < t->ring && simple_at(d, t->base, cursor, t, false);
}

int e1000_tx_peek(struct e1000 *d, struct e1000_frame *f)
{
	struct tx_ring r;
	struct tx_scan s;

	frame_clear(f);
	d->tx_pend.valid = false;
	if (d->fl_count || !(d->tctl & E1000_TCTL_EN) || !tx_ring_get(d, &r))
		return 0;
	/* The common case without the generic scan: one descriptor, unchanged. */
	if (d->tdh != d->tdt) {
		struct e1000_tx_simple t;

		if (simple_at(d, r.base, d->tdh, &t, true)) {
			struct e1000_tx_pending *p = &d->tx_pend;

			f->nseg = 1;
			f->seg[0].data = t.data;
			f->seg[0].len = t.len;
			f->seg[0].gpa = t.gpa;
			f->len = t.len;
			f->ndesc = 1;
			p->valid = true;
			p->head = d->tdh;
			p->ndesc = 1;
			p->rs = t.rs;
			p->len = t.len;
			memcpy(p->dst, t.data, sizeof(p->dst));
			return 1;
		}
	}
	/* Every round consumes at least one descriptor, and never passes TDT. */
	for (uint32_t round = 0; round < r.n; round++) {
		frame_clear(f);
		switch (scan(d, &r, d->tdh, f, &s)) {
		case SCAN_INCOMPLETE:
			return 0;
		case SCAN_CONTEXT:
			advance(d, &r, s.ndesc, s.rs);
			continue;
		case SCAN_FRAME:
			break;
		}
		if (!s.bad)
			check_frame(d, &s);
		if (!s.bad) {
			build_frame(d, f, &s);
			set_pending(d, f, &s);
			return 1;
		}
		e1000_report(d, s.err, s.detail);
		advance(d, &r, s.ndesc, s.rs);
	}
	frame_clear(f);
	return 0;
}

static void count_tx(struct e1000 *d, const struct e1000_tx_pending *p)
{
	uint32_t wire = p->len + E1000_CRC_LEN;

	e1000_stat_inc(d, E1000_GPTC);
	e1000_stat_inc(d, E1000_TPT);
	e1000_stat_add64(d, E1000_GOTCL, wire);
	e1000_stat_add64(d, E1000_TOTL, wire);
	e1000_stat_size(d, E1000_PTC64, wire);
	if (e1000_mac_is_bcast(p->dst))
		e1000_stat_inc(d, E1000_BPTC);
	else if (p->dst[0] & 1)
		e1000_stat_inc(d, E1000_MPTC);
}

void e1000_tx_complete(struct e1000 *d, const struct e1000_frame *f)
{
	struct e1000_tx_pending p = d->tx_pend;
	struct tx_ring r;

	(void)f;	/* the pending record from e1000_tx_peek is authoritative */
	if (!p.valid || p.head != d->tdh)
		return;
	d->tx_pend.valid = false;
	if (!tx_ring_get(d, &r) || p.ndesc > r.n)
		return;
	advance(d, &r, p.ndesc, p.rs);
	count_tx(d, &p);
}

/* ---------------------------------------------------------- frames in flight */

/*
 * For a data path that keeps several frames in flight (cross-talk: a frame is
 * complete only when the receiving guest has returned its buffer). The
 * cursor tx_cur runs ahead of TDH; TDH only moves over the oldest frames once
 * they are done, so descriptors are handed back strictly in ring order.
 * Context descriptors and bad frames take a queue entry that is done at once.
 */

static unsigned flight_slot(const struct e1000 *d, unsigned k)
{
	return (d->fl_first + k) % E1000_TX_INFLIGHT;
}

static unsigned flight_push(struct e1000 *d, const struct tx_ring *r, const struct tx_scan *s,
			    uint32_t len, const uint8_t *dst, bool done)
{
	unsigned slot = flight_slot(d, d->fl_count);
	struct e1000_tx_flight *e = &d->flight[slot];

	e->head = d->tx_cur;
	e->ndesc = (uint16_t)s->ndesc;
	e->rs = s->rs;
	e->len = len;
	e->done = done;
	e->frame = len && !s->bad;
	memset(e->dst, 0, sizeof(e->dst));
	if (dst)
		memcpy(e->dst, dst, sizeof(e->dst));
	d->fl_count++;
	d->tx_cur = (d->tx_cur + s->ndesc) % r->n;
	return slot;
}

/* Hand back every done entry at the head of the queue. */
static void flight_retire(struct e1000 *d, const struct tx_ring *r)
{
	uint32_t causes = 0;
	bool moved = false;

	while (d->fl_count && d->flight[d->fl_first].done) {
		moved = true;
		const struct e1000_tx_flight *e = &d->flight[d->fl_first];

		write_back(r, d->tdh, e->ndesc, e->rs);
		d->tdh = (uint32_t)((d->tdh + e->ndesc) % r->n);
		if (e->rs)
			causes |= E1000_ICR_TXDW;
		if (e->frame) {
			struct e1000_tx_pending p = { .len = e->len };

			memcpy(p.dst, e->dst, sizeof(p.dst));
			count_tx(d, &p);
		}
		d->fl_first = (d->fl_first + 1) % E1000_TX_INFLIGHT;
		d->fl_count--;
	}
	if (moved && d->tdh == d->tdt)
		causes |= E1000_ICR_TXQE;
	if (causes)
		e1000_raise(d, causes);
}

int e1000_tx_fetch(struct e1000 *d, struct e1000_frame *f, unsigned *id)
{
	struct tx_ring r;
	struct tx_scan s;
	int ret = 0;

	frame_clear(f);
	d->tx_pend.valid = false;
	/* Nothing new since the last fetch (the common case after a
	 * completion): no descriptor to read, nothing done to hand back
	 * (e1000_tx_done/retire do that). */
	if (!(d->tctl & E1000_TCTL_EN) || d->fl_count >= E1000_TX_INFLIGHT ||
	    (d->fl_count ? d->tx_cur : d->tdh) == d->tdt)
		return 0;
	if (!tx_ring_get(d, &r))
		return 0;
	if (!d->fl_count || d->tx_cur >= r.n)
		d->tx_cur = d->tdh;
	for (uint32_t round = 0; round < r.n && d->fl_count < E1000_TX_INFLIGHT; round++) {
		frame_clear(f);
		switch (scan(d, &r, d->tx_cur, f, &s)) {
		case SCAN_INCOMPLETE:
			goto out;
		case SCAN_CONTEXT:
			flight_push(d, &r, &s, 0, NULL, true);
			continue;
		case SCAN_FRAME:
			break;
		}
		if (!s.bad)
			check_frame(d, &s);
		if (s.bad) {
			e1000_report(d, s.err, s.detail);
			flight_push(d, &r, &s, 0, NULL, true);
			continue;
		}
		build_frame(d, f, &s);
		{
			uint8_t dst[6] = { 0 };

			e1000_frame_read(f, 0, dst, sizeof(dst));
			*id = (unsigned)d->fl_gen << 16 |
			      flight_push(d, &r, &s, f->len, dst, false);
		}
		ret = 1;
		break;
	}
out:
	if (!ret)
		frame_clear(f);
	flight_retire(d, &r);
	return ret;
}

/* Queue the frame e1000_tx_peek_simple() just found; t->data: its first
 * 6 bytes (the destination, for the statistics). Its in-flight id. */
unsigned e1000_tx_take_simple(struct e1000 *d, const struct e1000_tx_simple *t)
{
	struct tx_ring r = { .n = t->ring };
	struct tx_scan s = { .ndesc = 1, .rs = t->rs };

	d->tx_cur = t->idx;
	return (unsigned)d->fl_gen << 16 | flight_push(d, &r, &s, t->len, t->data, false);
}

/* Position of a live id in the queue, or -1 for a stale one. */
static int flight_find(const struct e1000 *d, unsigned id)
{
	unsigned slot = id & 0xffffu;

	unsigned k;

	if ((id >> 16) != d->fl_gen || slot >= E1000_TX_INFLIGHT)
		return -1;
	/* Its position in the queue follows from the slot: no walk. */
	k = (slot + E1000_TX_INFLIGHT - d->fl_first) % E1000_TX_INFLIGHT;
	return k < d->fl_count ? (int)k : -1;
}

void e1000_tx_unfetch(struct e1000 *d, unsigned id)
{
	int k = flight_find(d, id);

	if (k < 0 || (unsigned)k + 1 != d->fl_count || d->flight[flight_slot(d, (unsigned)k)].done)
		return;
	d->tx_cur = d->flight[flight_slot(d, (unsigned)k)].head;
	d->fl_count--;
}

void e1000_tx_mark_done(struct e1000 *d, unsigned id)
{
	int k = flight_find(d, id);

	if (k >= 0)
		d->flight[flight_slot(d, (unsigned)k)].done = true;
}

void e1000_tx_retire(struct e1000 *d)
{
	struct tx_ring r;

	if (d->fl_count && d->flight[d->fl_first].done && tx_ring_get(d, &r))
		flight_retire(d, &r);
}

void e1000_tx_done(struct e1000 *d, unsigned id)
{
	e1000_tx_mark_done(d, id);
	e1000_tx_retire(d);
}

unsigned e1000_tx_inflight(const struct e1000 *d)
{
	unsigned n = 0;

	for (unsigned k = 0; k < d->fl_count; k++)
		n += !d->flight[flight_slot(d, k)].done;
	return n;
}
