// SPDX-License-Identifier: MIT
/*
 * 82540EM transmit ring: legacy descriptors, TCP/IP context and data
 * descriptors, checksum offload, TCP segmentation and VLAN insertion (8254x
 * SDM, "Transmit Descriptor Ring Structure", "Legacy Transmit Descriptor
 * Format", "TCP/IP Context Transmit Descriptor Format", "TCP/IP Data
 * Descriptor Format", "TCP Segmentation").
 *
 * Each descriptor is copied once out of guest memory into a local and only
 * that copy is decoded. Frames without offload are handed out as segments
 * pointing into guest RAM; frames that need the hardware to change bytes are
 * gathered into the owner's bounce buffer first, so checksums are computed
 * over bytes the guest can no longer change.
 *
 * A TCP segmentation (TSO) packet is never handed out whole: the data path
 * gets its frames one by one, each built in the bounce buffer (the
 * prototype header, then up to MSS payload bytes), exactly like any other
 * bounced frame. Its descriptors are handed back with its last frame.
 */
#include "devices/e1000.h"

#include <stddef.h>
#include <string.h>

#include "lib/le.h"

/* TCP header flags (byte 13) the segmentation keeps for the last frame. */
#define TCP_FIN 0x01u
#define TCP_PSH 0x08u

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
	bool tse;		/* data descriptors with DCMD.TSE: a TSO packet */
	bool bad;
	enum e1000_err err;	/* the first problem found */
	uint64_t detail;
	/* decided by check_frame() */
	bool ic, ixsm, txsm, vlan, pad;
	/* TSO only (not cleared between scans): each descriptor's buffer */
	uint64_t addr[E1000_TX_MAX_SEGS];
	uint32_t blen[E1000_TX_MAX_SEGS];
};

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

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
	d->tso.active = false;
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

/*
 * Descriptors [from, from + ndesc) go back to the guest: a TSO packet that
 * starts among them is over (handed back with its last frame, or dropped, or
 * its first descriptor went out as something else after the guest rewrote
 * it), and its state must not be taken for a later packet at that slot.
 */
static void tso_release(struct e1000 *d, const struct tx_ring *r, uint32_t from, unsigned ndesc)
{
	if (d->tso.active && (d->tso.head + r->n - from) % r->n < ndesc)
		d->tso.active = false;
}

/* Hand ndesc descriptors back to the guest. */
static void advance(struct e1000 *d, const struct tx_ring *r, unsigned ndesc, uint64_t rs)
{
	uint32_t causes = 0;

	tso_release(d, r, d->tdh, ndesc);
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
	c->paylen = get_le32(desc + E1000_TXC_PAYLEN) & E1000_TXDD_DTALEN_MASK;
	c->hdrlen = desc[E1000_TXC_HDRLEN];
	c->mss = get_le16(desc + E1000_TXC_MSS);
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
		s->tse = kind == DESC_DATA && (cmd & E1000_TXD_CMD_TSE);
	}
	if (kind == DESC_CONTEXT) {
		/* Context descriptors belong between frames; TUCMD bit 0 is not EOP. */
		scan_fail(s, E1000_ERR_BAD_DESC, idx);
		return;
	}
	if (kind != s->kind || kind == DESC_RESERVED)
		scan_fail(s, E1000_ERR_BAD_DESC, idx);
	else if (kind == DESC_DATA && !(cmd & E1000_TXD_CMD_TSE) != !s->tse)
		scan_fail(s, E1000_ERR_BAD_DESC, idx);	/* TSE on only some of a packet */
	len = desc_len(kind, desc);
	if (!len)
		scan_fail(s, E1000_ERR_ZERO_LEN, idx);
	s->len += len;	/* at most 64 x 0xfffff: no overflow */
	if (s->tse) {
		/* Mapped piece by piece as each frame is built (tso_begin). */
		s->addr[k] = get_le64(desc + E1000_TXD_ADDR);
		s->blen[k] = len;
	} else {
		scan_buffer(d, desc, len, f, s);
	}
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

	memset(s, 0, offsetof(struct tx_scan, addr));
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

/*
 * RFC 1071 sum of the big-endian 16-bit words at p (an odd last byte is the
 * high byte of a word padded with zero), added to sum; the caller folds the
 * result (e1000_csum_fold). p may have any alignment: the words start at p.
 *
 * Eight bytes at a time into a 64-bit one's complement accumulator
 * (end-around carry), read little-endian with unaligned loads (lib/le.h):
 * about half an instruction per byte, against four for two bytes at a time.
 * Every 16-bit position of a 64-bit word weighs 1 modulo 0xffff, so folding
 * the accumulator to 16 bits gives the sum of the little-endian words;
 * swapping its two bytes gives the sum of the big-endian ones (RFC 1071,
 * "Byte Order Independence"). Nonzero data never folds to 0, so after
 * e1000_csum_fold the result is the two-bytes-at-a-time sum's to the last
 * bit, 0x0000 and 0xffff included.
 */
static inline uint64_t csum_acc(uint64_t acc, uint64_t w)
{
	acc += w;
	return acc + (acc < w);	/* add, adc */
}

uint32_t e1000_csum_add(uint32_t sum, const uint8_t *p, uint32_t n)
{
	uint64_t acc = 0;

	for (; n >= 32; n -= 32, p += 32) {
		acc = csum_acc(acc, get_le64(p));
		acc = csum_acc(acc, get_le64(p + 8));
		acc = csum_acc(acc, get_le64(p + 16));
		acc = csum_acc(acc, get_le64(p + 24));
	}
	for (; n >= 8; n -= 8, p += 8)
		acc = csum_acc(acc, get_le64(p));
	/* The tail starts at an even offset from the start. */
	if (n & 4) {
		acc = csum_acc(acc, get_le32(p));
		p += 4;
	}
	if (n & 2) {
		acc = csum_acc(acc, get_le16(p));
		p += 2;
	}
	if (n & 1)
		acc = csum_acc(acc, p[0]);	/* the low byte of a little-endian word */
	acc = (acc & 0xffffffffu) + (acc >> 32);	/* <= 0x1fffffffe */
	acc = (acc & 0xffff) + (acc >> 16);		/* <= 0x2fffd */
	acc = (acc & 0xffff) + (acc >> 16);		/* <= 0x10000 */
	acc = (acc & 0xffff) + (acc >> 16);		/* <= 0xffff */
	return sum + (uint32_t)((acc & 0xff) << 8 | acc >> 8);
}

uint16_t e1000_csum_fold(uint32_t sum)
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
	uint16_t c = e1000_csum_fold(e1000_csum_add(0, b + start, stop - start));

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

/* ---------------------------------------------------------- TCP segmentation */

/*
 * A TSO packet just scanned (SDM "TCP Segmentation"): the context must be a
 * TSE one, and its HDRLEN, MSS and PAYLEN sane and matching the data
 * descriptors (DTALEN adds up to HDRLEN + PAYLEN). Every field the hardware
 * rewrites lies inside the prototype header: the IPv4 (20 bytes) or IPv6
 * (40) header at IPCSS, the TCP (20) or UDP (8) header at TUCSS, the
 * checksums asked for. The longest frame (HDRLEN + MSS, or all of PAYLEN if
 * less) must fit what the receivers take, as any other frame. TUCSE is not
 * used: each frame's TCP/UDP checksum runs to its end, as the SDM's TCP
 * length (payload + HDRLEN - TUCSS) implies.
 */
static void check_tso(const struct e1000 *d, struct tx_scan *s)
{
	const struct e1000_tx_ctx *c = &d->tx_ctx;
	uint64_t detail = (uint64_t)c->paylen << 32 | (uint32_t)c->hdrlen << 16 | c->mss;
	uint32_t hdr = c->hdrlen, ip = (c->tucmd & E1000_TXD_CMD_IP) ? 20 : 40;
	uint32_t l4 = (c->tucmd & E1000_TXD_CMD_TCP) ? 20 : 8, longest;

	s->ixsm = s->popts & E1000_TXD_POPTS_IXSM;
	s->txsm = s->popts & E1000_TXD_POPTS_TXSM;
	s->vlan = (s->eop_cmd & E1000_TXD_CMD_VLE) && (d->ctrl & E1000_CTRL_VME);
	if (!c->valid || !(c->tucmd & E1000_TXD_CMD_TSE) || !hdr || hdr > E1000_TSO_HDR_MAX ||
	    !c->mss || !c->paylen || hdr + c->paylen > E1000_TSO_MAX || s->len != hdr + c->paylen ||
	    c->ipcss + ip > hdr || c->tucss + l4 > hdr || (s->txsm && c->tucso + 2u > hdr) ||
	    (s->ixsm && !csum_fits(hdr, c->ipcss, c->ipcso, c->ipcse))) {
		scan_fail(s, E1000_ERR_BAD_TSO, detail);
		return;
	}
	longest = hdr + (c->paylen < c->mss ? c->paylen : c->mss);
	if (longest + (s->vlan ? E1000_VLAN_TAG_LEN : 0) + E1000_CRC_LEN > e1000_max_frame(d))
		scan_fail(s, E1000_ERR_LONG_FRAME, longest);
	else if (!d->bounce)
		scan_fail(s, E1000_ERR_BAD_OFFLOAD, 0);	/* owner gave no bounce buffer */
}

/*
 * Bytes [off, off + n) of the packet (its buffers one after the other) into
 * dst, each piece mapped now: the guest ran since the packet was checked.
 */
static bool tso_gather(struct e1000 *d, const struct e1000_tso *t, uint32_t off, uint8_t *dst,
		       uint32_t n)
{
	for (unsigned i = 0; i < t->ndesc && n; i++) {
		uint32_t take;
		const uint8_t *p;

		if (off >= t->len[i]) {
			off -= t->len[i];
			continue;
		}
		take = t->len[i] - off < n ? t->len[i] - off : n;
		p = e1000_dma(d, t->addr[i] + off, take);
		if (!p) {
			e1000_report(d, E1000_ERR_BUF_DMA, t->addr[i] + off);
			return false;
		}
		memcpy(dst, p, take);
		dst += take;
		n -= take;
		off = 0;
	}
	return n == 0;	/* always: the buffers add up to HDRLEN + PAYLEN */
}

/*
 * Take the TSO packet s at descriptor head: check it (s->bad if not), map
 * every buffer once to refuse one outside RAM before any frame goes out, and
 * keep its descriptors, context and prototype header.
 */
static void tso_begin(struct e1000 *d, struct tx_scan *s, uint32_t head)
{
	struct e1000_tso *t = &d->tso;

	t->active = false;
	check_tso(d, s);
	for (unsigned i = 0; i < s->ndesc && !s->bad; i++) {
		if (s->addr[i] + s->blen[i] < s->addr[i] || !e1000_dma(d, s->addr[i], s->blen[i]))
			scan_fail(s, E1000_ERR_BUF_DMA, s->addr[i]);
		t->addr[i] = s->addr[i];
		t->len[i] = s->blen[i];
	}
	if (s->bad)
		return;
	t->head = head;
	t->ndesc = (uint16_t)s->ndesc;
	t->rs = s->rs;
	t->popts = s->popts;
	t->vlan = s->vlan;
	t->special = s->special;
	t->ctx = d->tx_ctx;
	t->frames = (t->ctx.paylen + t->ctx.mss - 1) / t->ctx.mss;
	t->next = 0;
	if (!tso_gather(d, t, 0, t->hdr, t->ctx.hdrlen)) {
		s->bad = true;	/* reported by tso_gather */
		s->err = E1000_ERR_COUNT;
		return;
	}
	t->active = true;
}

/*
 * Frame t->next of the TSO packet into the bounce buffer (SDM "IP/TCP/UDP
 * Header Updating"), then as any bounced frame: VLAN tag, padding. Per
 * frame k carrying n payload bytes from payload offset off:
 *  - IPv4 (TUCMD.IP): total length = HDRLEN + n - IPCSS; identification =
 *    the prototype's + k (wrapping);
 *  - IPv6: payload length = HDRLEN + n - IPCSS - 40 (the SDM for this family
 *    writes "- IPCSS" only; later parts of it, 82583V and on, subtract the
 *    fixed 40-byte header too, which is what a receiver checks);
 *  - TCP: sequence number = the prototype's + off; FIN and PSH cleared but
 *    in the last frame (CWR and every other flag are copied as they are);
 *  - UDP (TUCMD.TCP clear): length = HDRLEN + n - TUCSS;
 *  - IXSM: the IP checksum as for any frame; TXSM: the TCP/UDP checksum from
 *    TUCSS to the end of the frame, plus the L4 length (the guest's seed at
 *    TUCSO is the pseudo-header without it).
 * False when a buffer is no longer mapped: reported; the caller drops the
 * rest of the packet.
 */
static bool tso_build(struct e1000 *d, struct e1000_frame *f)
{
	const struct e1000_tso *t = &d->tso;
	const struct e1000_tx_ctx *c = &t->ctx;
	uint32_t k = t->next, off = k * c->mss, hdr = c->hdrlen;
	uint32_t n = c->paylen - off < c->mss ? c->paylen - off : c->mss, len = hdr + n;
	uint8_t *b = d->bounce;

	memcpy(b, t->hdr, hdr);
	if (!tso_gather(d, t, hdr + off, b + hdr, n))
		return false;
	if (c->tucmd & E1000_TXD_CMD_IP) {
		put_be16(b + c->ipcss + 2, (uint16_t)(len - c->ipcss));
		put_be16(b + c->ipcss + 4, (uint16_t)(get_be16(t->hdr + c->ipcss + 4) + k));
	} else {
		put_be16(b + c->ipcss + 4, (uint16_t)(len - c->ipcss - 40));
	}
	if (c->tucmd & E1000_TXD_CMD_TCP) {
		put_be32(b + c->tucss + 4, get_be32(t->hdr + c->tucss + 4) + off);
		if (k + 1 < t->frames)
			b[c->tucss + 13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	} else {
		put_be16(b + c->tucss + 4, (uint16_t)(len - c->tucss));
	}
	if (t->popts & E1000_TXD_POPTS_IXSM)
		insert_csum(b, len, c->ipcss, c->ipcso, c->ipcse, false);
	if (t->popts & E1000_TXD_POPTS_TXSM) {
		uint16_t sum = e1000_csum_fold(e1000_csum_add(len - c->tucss, b + c->tucss, len - c->tucss));

		if (!(c->tucmd & E1000_TXD_CMD_TCP) && sum == 0)
			sum = 0xffff;	/* 0 means "no checksum" in UDP */
		put_be16(b + c->tucso, sum);
	}
	if (t->vlan) {
		insert_vlan(d, b, len, t->special);
		len += E1000_VLAN_TAG_LEN;
	}
	if ((d->tctl & E1000_TCTL_PSP) && len < E1000_PAD_FRAME) {
		memset(b + len, 0, E1000_PAD_FRAME - len);
		len = E1000_PAD_FRAME;
	}
	f->nseg = 1;
	f->seg[0].data = b;
	f->seg[0].len = len;
	f->seg[0].gpa = 0;
	f->len = len;
	f->ndesc = t->ndesc;
	f->bounced = true;
	return true;
}

/* The TSO packet at cursor has frames left, all its descriptors still before TDT. */
static bool tso_at(const struct e1000 *d, const struct tx_ring *r, uint32_t cursor)
{
	const struct e1000_tso *t = &d->tso;

	return t->active && t->head == cursor && t->next < t->frames && cursor < r->n &&
	       t->ndesc <= (d->tdt + r->n - cursor) % r->n;
}

/* A bad frame is dropped: counted, and once more per TSO packet (TSCTFC). */
static void tx_drop(struct e1000 *d, const struct tx_scan *s)
{
	if (s->err != E1000_ERR_COUNT)
		e1000_report(d, s->err, s->detail);
	if (s->tse)
		e1000_stat_inc(d, E1000_TSCTFC);
}

/* ---------------------------------------------------------- data path */

static void frame_clear(struct e1000_frame *f)
{
	f->nseg = 0;
	f->len = 0;
	f->ndesc = 0;
	f->bounced = false;
}

static struct e1000_tx_pending *set_pending(struct e1000 *d, const struct e1000_frame *f,
					    unsigned ndesc, uint64_t rs)
{
	struct e1000_tx_pending *p = &d->tx_pend;

	p->valid = true;
	p->head = d->tdh;
	p->ndesc = ndesc;
	p->rs = rs;
	p->len = f->len;
	p->tso = false;
	p->tso_last = false;
	p->tso_frame = 0;
	memset(p->dst, 0, sizeof(p->dst));
	e1000_frame_read(f, 0, p->dst, sizeof(p->dst));
	return p;
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
			p->tso = false;
			memcpy(p->dst, t.data, sizeof(p->dst));
			return 1;
		}
	}
	/* Every round returns a frame or consumes at least one descriptor,
	 * and never passes TDT. */
	for (uint32_t round = 0; round < r.n; round++) {
		frame_clear(f);
		if (!tso_at(d, &r, d->tdh)) {
			switch (scan(d, &r, d->tdh, f, &s)) {
			case SCAN_INCOMPLETE:
				return 0;
			case SCAN_CONTEXT:
				advance(d, &r, s.ndesc, s.rs);
				continue;
			case SCAN_FRAME:
				break;
			}
			if (!s.bad && s.tse)
				tso_begin(d, &s, d->tdh);
			else if (!s.bad)
				check_frame(d, &s);
			if (s.bad) {
				tx_drop(d, &s);
				advance(d, &r, s.ndesc, s.rs);
				continue;
			}
			if (!s.tse) {
				build_frame(d, f, &s);
				set_pending(d, f, s.ndesc, s.rs);
				return 1;
			}
		}
		/* The next frame of the TSO packet at TDH; TDH moves (and its
		 * descriptors are written back) with the last one. */
		if (tso_build(d, f)) {
			const struct e1000_tso *t = &d->tso;
			bool last = t->next + 1 == t->frames;
			struct e1000_tx_pending *p = set_pending(d, f, last ? t->ndesc : 0,
								 last ? t->rs : 0);

			p->tso = true;
			p->tso_last = last;
			p->tso_frame = t->next;
			return 1;
		}
		e1000_stat_inc(d, E1000_TSCTFC);
		advance(d, &r, d->tso.ndesc, d->tso.rs);	/* drops the TSO state */
	}
	frame_clear(f);
	return 0;
}

/* GPTC, TPT, GOTC, TOT, PTCxx, BPTC, MPTC, when folded. */
static void count_tx(struct e1000 *d, const struct e1000_tx_pending *p)
{
	e1000_sums_add(&d->tx_sums, p->len + E1000_CRC_LEN, p->dst);
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
	if (p.tso) {
		struct e1000_tso *t = &d->tso;

		if (!t->active || t->head != p.head || t->next != p.tso_frame)
			return;
		t->next++;
		if (p.tso_last)
			e1000_stat_inc(d, E1000_TSCTC);
	}
	if (p.ndesc)
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

/* Queue what starts at the cursor; len 0: not a frame (context, dropped). */
static unsigned flight_push(struct e1000 *d, const struct tx_ring *r, unsigned ndesc, uint64_t rs,
			    uint32_t len, const uint8_t *dst, bool done)
{
	unsigned slot = flight_slot(d, d->fl_count);
	struct e1000_tx_flight *e = &d->flight[slot];

	e->head = d->tx_cur;
	e->ndesc = (uint16_t)ndesc;
	e->rs = rs;
	e->len = len;
	e->done = done;
	e->frame = len != 0;
	e->tso = false;
	e->tso_last = false;
	e->tso_frame = 0;
	memset(e->dst, 0, sizeof(e->dst));
	if (dst)
		memcpy(e->dst, dst, sizeof(e->dst));
	d->fl_count++;
	d->tx_cur = (d->tx_cur + ndesc) % r->n;
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

		if (e->tso_last)
			e1000_stat_inc(d, E1000_TSCTC);
		tso_release(d, r, d->tdh, e->ndesc);
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
	/* Nothing new since the last fetch and nothing done to hand back (the
	 * common case after a completion): no descriptor to read. */
	if (!(d->tctl & E1000_TCTL_EN) ||
	    ((d->fl_count ? d->tx_cur : d->tdh) == d->tdt &&
	     !(d->fl_count && d->flight[d->fl_first].done)))
		return 0;
	if (!tx_ring_get(d, &r))
		return 0;
	/* Frames marked done since the last fetch go back first: they make
	 * room in flight. */
	flight_retire(d, &r);
	if (d->fl_count >= E1000_TX_INFLIGHT || (d->fl_count ? d->tx_cur : d->tdh) == d->tdt)
		return 0;
	if (!d->fl_count || d->tx_cur >= r.n)
		d->tx_cur = d->tdh;
	for (uint32_t round = 0; round < r.n && d->fl_count < E1000_TX_INFLIGHT; round++) {
		uint8_t dst[6] = { 0 };
		struct e1000_tso *t = &d->tso;

		frame_clear(f);
		if (!tso_at(d, &r, d->tx_cur)) {
			switch (scan(d, &r, d->tx_cur, f, &s)) {
			case SCAN_INCOMPLETE:
				goto out;
			case SCAN_CONTEXT:
				flight_push(d, &r, s.ndesc, s.rs, 0, NULL, true);
				continue;
			case SCAN_FRAME:
				break;
			}
			if (!s.bad && s.tse)
				tso_begin(d, &s, d->tx_cur);
			else if (!s.bad)
				check_frame(d, &s);
			if (s.bad) {
				tx_drop(d, &s);
				flight_push(d, &r, s.ndesc, s.rs, 0, NULL, true);
				continue;
			}
			if (!s.tse) {
				build_frame(d, f, &s);
				e1000_frame_read(f, 0, dst, sizeof(dst));
				*id = (unsigned)d->fl_gen << 16 |
				      flight_push(d, &r, s.ndesc, s.rs, f->len, dst, false);
				ret = 1;
				break;
			}
		}
		/* The next frame of the TSO packet at the cursor. Its entry
		 * takes no descriptor but for the last frame, which takes
		 * them all: the cursor stays on the packet until then. */
		if (tso_build(d, f)) {
			bool last = t->next + 1 == t->frames;
			unsigned slot;

			e1000_frame_read(f, 0, dst, sizeof(dst));
			slot = flight_push(d, &r, last ? t->ndesc : 0, last ? t->rs : 0, f->len, dst,
					   false);
			d->flight[slot].tso = true;
			d->flight[slot].tso_last = last;
			d->flight[slot].tso_frame = t->next;
			t->next++;
			*id = (unsigned)d->fl_gen << 16 | slot;
			ret = 1;
			break;
		}
		/* The rest of the packet is dropped; its state goes when its
		 * descriptors are handed back. */
		e1000_stat_inc(d, E1000_TSCTFC);
		t->next = t->frames;
		flight_push(d, &r, t->ndesc, t->rs, 0, NULL, true);
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

	d->tx_cur = t->idx;
	return (unsigned)d->fl_gen << 16 | flight_push(d, &r, 1, t->rs, t->len, t->data, false);
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
	const struct e1000_tx_flight *e;

	if (k < 0 || (unsigned)k + 1 != d->fl_count || d->flight[flight_slot(d, (unsigned)k)].done)
		return;
	e = &d->flight[flight_slot(d, (unsigned)k)];
	d->tx_cur = e->head;
	/* A TSO frame: the packet's next frame is this one again. */
	if (e->tso && d->tso.active && d->tso.head == e->head)
		d->tso.next = e->tso_frame;
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
