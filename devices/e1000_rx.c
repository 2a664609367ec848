// SPDX-License-Identifier: MIT
/*
 * 82540EM receive side: the destination address filter and the legacy
 * receive descriptor ring (8254x SDM, "Receive Address Filtering",
 * "Receive Descriptor Format", "Receive Descriptor Queue Structure").
 *
 * A frame is written only when enough descriptors are free for all of it
 * (otherwise -XT_EAGAIN and nothing changes: backpressure for the caller).
 * Every descriptor used is copied once into a local; all its buffers are
 * mapped before the first byte is written.
 */
#include "devices/e1000.h"

#include <string.h>

#include "lib/le.h"
#include "lib/xerrno.h"

uint32_t e1000_frame_read(const struct e1000_frame *f, uint32_t off, void *dst, uint32_t n)
{
	uint8_t *out = dst;
	uint32_t done = 0;
	unsigned nseg = f->nseg < E1000_TX_MAX_SEGS ? f->nseg : E1000_TX_MAX_SEGS;

	for (unsigned i = 0; i < nseg && done < n; i++) {
		const struct e1000_seg *s = &f->seg[i];
		uint32_t chunk;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		chunk = s->len - off;
		if (chunk > n - done)
			chunk = n - done;
		/* memmove: a frame may loop back into its own RAM */
		memmove(out + done, s->data + off, chunk);
		done += chunk;
		off = 0;
	}
	return done;
}

/* ---------------------------------------------------------- address filter */

/* Exact match against the valid destination-address entries of RAL/RAH
 * (RAL holds bytes 0-3 of the address, RAH bytes 4-5: compare as words). */
static bool ra_match(const struct e1000 *d, const uint8_t dst[6])
{
	uint32_t lo = (uint32_t)dst[0] | (uint32_t)dst[1] << 8 | (uint32_t)dst[2] << 16 |
		      (uint32_t)dst[3] << 24;
	uint32_t hi = (uint32_t)dst[4] | (uint32_t)dst[5] << 8;

	for (unsigned i = 0; i < E1000_RAR_ENTRIES; i++) {
		if ((d->rah[i] & (E1000_RAH_AV | E1000_RAH_AS_MASK)) != E1000_RAH_AV)
			continue;
		if (d->ral[i] == lo && (d->rah[i] & 0xffffu) == hi)
			return true;
	}
	return false;
}

/* MTA: 12 bits of the address chosen by RCTL.MO (47:36, 46:35, 45:34, 43:32). */
static bool mta_match(const struct e1000 *d, const uint8_t dst[6])
{
	static const uint8_t shift[4] = { 4, 3, 2, 0 };
	unsigned mo = (d->rctl & E1000_RCTL_MO_MASK) >> E1000_RCTL_MO_SHIFT;
	uint32_t hash = ((uint32_t)dst[4] >> shift[mo] | (uint32_t)dst[5] << (8 - shift[mo])) & 0xfff;

	return d->mta[hash >> 5] & (1u << (hash & 31));
}

bool e1000_rx_accepts(const struct e1000 *d, const uint8_t dst[6])
{
	if (!(d->rctl & E1000_RCTL_EN) || !e1000_phy_link_up(&d->phy))
		return false;
	if (ra_match(d, dst))
		return true;
	if (e1000_mac_is_bcast(dst))
		return d->rctl & (E1000_RCTL_BAM | E1000_RCTL_MPE);
	if (dst[0] & 1)
		return (d->rctl & E1000_RCTL_MPE) || mta_match(d, dst);
	return d->rctl & E1000_RCTL_UPE;
}

/* ---------------------------------------------------------- ring */

struct rx_ring {
	uint8_t *base;
	uint32_t n;
};

static bool ring_regs_ok(const struct e1000 *d, uint32_t *n, enum e1000_err *e, uint64_t *detail)
{
	if (!d->rdlen || d->rdlen % E1000_DLEN_ALIGN) {
		*e = E1000_ERR_RING_LEN;
		*detail = d->rdlen;
		return false;
	}
	*n = d->rdlen / E1000_DESC_SIZE;
	if (d->rdh >= *n || d->rdt >= *n) {
		*e = E1000_ERR_RING_INDEX;
		*detail = (uint64_t)d->rdh << 32 | d->rdt;
		return false;
	}
	return true;
}

static void ring_error(struct e1000 *d, enum e1000_err e, uint64_t detail)
{
	if (d->rx_ring_reported)
		return;
	d->rx_ring_reported = true;
	e1000_report(d, e, detail);
}

int e1000_rx_desc_status(struct e1000 *d, uint32_t slot)
{
	enum e1000_err e;
	uint64_t detail, base = (uint64_t)d->rdbah << 32 | d->rdbal;
	const uint8_t *ring;
	uint32_t n;

	if (!ring_regs_ok(d, &n, &e, &detail) || slot >= n)
		return -1;
	ring = e1000_ring_dma(d, E1000_RING_RX, base, d->rdlen);
	return ring ? ring[(size_t)slot * E1000_DESC_SIZE + E1000_RXD_STATUS] : -1;
}

unsigned e1000_rx_free(const struct e1000 *d)
{
	enum e1000_err e;
	uint64_t detail;
	uint32_t n;

	if (!(d->rctl & E1000_RCTL_EN) || !ring_regs_ok(d, &n, &e, &detail))
		return 0;
	return (d->rdt + n - d->rdh) % n;
}

/* RCTL.BSIZE/BSEX: 2048, 1024, 512, 256; with BSEX x16 (BSIZE 00 reserved: 2048). */
static uint32_t buf_size(const struct e1000 *d)
{
	unsigned bsize = (d->rctl & E1000_RCTL_BSIZE_MASK) >> E1000_RCTL_BSIZE_SHIFT;

	if ((d->rctl & E1000_RCTL_BSEX) && bsize)
		return 32768u >> bsize;
	return 2048u >> bsize;
}

static uint32_t rx_next(const struct rx_ring *r, uint32_t idx)
{
	return idx + 1 == r->n ? 0 : idx + 1;
}

static uint8_t *desc_at(const struct rx_ring *r, uint32_t idx)
{
	return r->base + (size_t)idx * E1000_DESC_SIZE;
}

/* Length, checksum, errors, special; the status byte (with DD) last. */
static void write_desc(uint8_t *desc, uint32_t len, uint8_t status, uint8_t errors,
		       uint16_t special)
{
	put_le16(desc + E1000_RXD_LENGTH, (uint16_t)len);
	put_le16(desc + E1000_RXD_CSUM, 0);
	desc[E1000_RXD_ERRORS] = errors;
	put_le16(desc + E1000_RXD_SPECIAL, special);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	desc[E1000_RXD_STATUS] = status;
}

/* ---------------------------------------------------------- delivery */

struct rx_plan {
	uint32_t data_len;	/* frame bytes written to buffers (after VLAN stripping) */
	uint32_t out_len;	/* data_len plus the FCS unless RCTL.SECRC */
	uint32_t bufsize;
	unsigned needed;	/* descriptors */
	bool strip;		/* 802.1Q tag moved into SPECIAL */
	uint16_t tci;
	uint8_t dst[6];
};

/* Longest frame RCTL lets in, FCS not included (1518 or 16124). */
static uint32_t max_len(const struct e1000 *d)
{
	return e1000_max_frame(d) - E1000_CRC_LEN;
}

/* Segments that add up to len; never longer than the jumbo maximum. */
static bool frame_ok(const struct e1000_frame *f)
{
	uint64_t sum = 0;

	if (f->nseg > E1000_TX_MAX_SEGS || !f->len || f->len > E1000_MAX_FRAME_JUMBO)
		return false;
	for (unsigned i = 0; i < f->nseg; i++) {
		if (f->seg[i].len && !f->seg[i].data)
			return false;
		sum += f->seg[i].len;
	}
	return sum == f->len;
}

/* VLAN stripping (CTRL.VME and TPID == VET), buffer count. */
static void plan_frame(const struct e1000 *d, const struct e1000_frame *f, struct rx_plan *p)
{
	uint8_t tag[4];

	memset(p, 0, sizeof(*p));
	e1000_frame_read(f, 0, p->dst, sizeof(p->dst));
	p->data_len = f->len;
	if ((d->ctrl & E1000_CTRL_VME) && f->len >= 12 + 2 * E1000_VLAN_TAG_LEN &&
	    e1000_frame_read(f, 12, tag, sizeof(tag)) == sizeof(tag) &&
	    (uint16_t)(tag[0] << 8 | tag[1]) == e1000_vet(d)) {
		p->strip = true;
		p->tci = (uint16_t)(tag[2] << 8 | tag[3]);
		p->data_len -= E1000_VLAN_TAG_LEN;
	}
	/* The 8254x leaves the FCS in the buffer unless SECRC (Linux's e1000
	 * always takes 4 bytes off): the link is memory, so they are zeros. */
	p->out_len = p->data_len + ((d->rctl & E1000_RCTL_SECRC) ? 0 : E1000_CRC_LEN);
	p->bufsize = buf_size(d);
	p->needed = (p->out_len + p->bufsize - 1) / p->bufsize;
}

/* A good frame goes into the sums (TPR, TORL, GPRC, GORC, PRCxx, BPRC,
 * MPRC when folded); a bad one counts in TPR and TORL only, at once. */
static void count_rx(struct e1000 *d, uint32_t len, const uint8_t dst[6], bool good)
{
	uint32_t wire = len + E1000_CRC_LEN;

	if (good) {
		e1000_sums_add(&d->rx_sums, wire, dst);
		return;
	}
	e1000_stat_inc(d, E1000_TPR);
	e1000_stat_add64(d, E1000_TORL, wire);
}

/* Descriptors 0..k consumed with RXE (the guest drops them); RDH moves on. */
static void fail_buffers(struct e1000 *d, const struct rx_ring *r, unsigned k)
{
	uint32_t idx = d->rdh;

	for (unsigned i = 0; i <= k; i++) {
		write_desc(desc_at(r, idx), 0, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP,
			   E1000_RXD_ERR_RXE, 0);
		idx = rx_next(r, idx);
	}
	d->rdh = idx;
	e1000_raise(d, E1000_ICR_RXT0);
}

/* Copy each descriptor once and map its part of the frame; false at the first refusal. */
static bool map_buffers(struct e1000 *d, const struct rx_ring *r, const struct rx_plan *p,
			uint8_t *buf[E1000_RX_MAX_DESC])
{
	uint32_t idx = d->rdh, left = p->out_len;
	uint8_t desc[E1000_DESC_SIZE];

	for (unsigned k = 0; k < p->needed; k++) {
		uint32_t chunk = left < p->bufsize ? left : p->bufsize;
		uint64_t addr;

		memcpy(desc, desc_at(r, idx), sizeof(desc));
		addr = get_le64(desc + E1000_RXD_ADDR);
		buf[k] = e1000_dma_rw(d, addr, chunk);
		if (!buf[k]) {
			e1000_report(d, E1000_ERR_BUF_DMA, addr);
			fail_buffers(d, r, k);
			return false;
		}
		left -= chunk;
		idx = rx_next(r, idx);
	}
	return true;
}

/*
 * Output bytes [o, o + n): frame bytes, skipping the 4 tag bytes after the
 * addresses when stripping, then the zero FCS.
 */
static void copy_out(const struct e1000_frame *f, const struct rx_plan *p, uint32_t o, uint8_t *dst,
		     uint32_t n)
{
	uint32_t data = o < p->data_len ? p->data_len - o : 0, head = 0;

	if (data > n)
		data = n;
	if (p->strip && o < 12) {
		head = 12 - o < data ? 12 - o : data;
		e1000_frame_read(f, o, dst, head);
	}
	if (head < data)
		e1000_frame_read(f, o + head + (p->strip ? E1000_VLAN_TAG_LEN : 0), dst + head,
				 data - head);
	memset(dst + data, 0, n - data);
}

static void fill_buffers(struct e1000 *d, const struct rx_ring *r, const struct e1000_frame *f,
			 const struct rx_plan *p, uint8_t *buf[E1000_RX_MAX_DESC])
{
	uint32_t idx = d->rdh, o = 0;

	for (unsigned k = 0; k < p->needed; k++) {
		uint32_t chunk = p->out_len - o < p->bufsize ? p->out_len - o : p->bufsize;
		bool last = k + 1 == p->needed;
		uint8_t status = E1000_RXD_STAT_DD | E1000_RXD_STAT_IXSM;

		copy_out(f, p, o, buf[k], chunk);
		if (last)
			status |= E1000_RXD_STAT_EOP | (p->strip ? E1000_RXD_STAT_VP : 0);
		write_desc(desc_at(r, idx), chunk, status, 0, last && p->strip ? p->tci : 0);
		o += chunk;
		idx = rx_next(r, idx);
	}
	d->rdh = idx;
}

static void rx_interrupts(struct e1000 *d, const struct rx_ring *r)
{
	unsigned rdmts = (d->rctl & E1000_RCTL_RDMTS_MASK) >> E1000_RCTL_RDMTS_SHIFT;
	uint32_t free_now = (d->rdt + r->n - d->rdh) % r->n;
	uint32_t causes = E1000_ICR_RXT0;	/* no RDTR/RADV delay: at once */

	if (d->rx_batch) {		/* raised once, at e1000_rx_batch_end */
		d->rx_batch_delivered = true;
		return;
	}
	if (free_now <= r->n >> (rdmts + 1))
		causes |= E1000_ICR_RXDMT0;
	e1000_raise(d, causes);
}

/* The ring registers and the ring itself; reported once per kick. */
static int rx_ring_get(struct e1000 *d, struct rx_ring *r)
{
	enum e1000_err e;
	uint64_t detail, base = (uint64_t)d->rdbah << 32 | d->rdbal;

	/* A broken ring is the guest's misconfiguration: senders must not
	 * wait for it (that would let this guest stall them), so the frame is
	 * refused like one for a ring outside RAM. */
	if (!ring_regs_ok(d, &r->n, &e, &detail)) {
		ring_error(d, e, detail);
		return -XT_EFAULT;
	}
	r->base = e1000_ring_dma(d, E1000_RING_RX, base, d->rdlen);
	if (!r->base) {
		ring_error(d, E1000_ERR_RING_DMA, base);
		return -XT_EFAULT;
	}
	return 0;
}

int e1000_rx_deliver(struct e1000 *d, const struct e1000_frame *f, uint64_t *copied)
{
	uint8_t *buf[E1000_RX_MAX_DESC];
	struct rx_plan p;
	struct rx_ring r;
	int err;

	if (!frame_ok(f))
		return -XT_EINVAL;
	if (!(d->rctl & E1000_RCTL_EN))
		return -XT_EAGAIN;
	err = rx_ring_get(d, &r);
	if (err)
		return err;
	plan_frame(d, f, &p);
	if (f->len > max_len(d)) {
		count_rx(d, f->len, p.dst, false);
		e1000_stat_inc(d, E1000_ROC);
		return -XT_E2BIG;
	}
	if (p.needed > E1000_RX_MAX_DESC || p.needed > r.n - 1) {
		count_rx(d, f->len, p.dst, false);
		e1000_stat_inc(d, E1000_RNBC);	/* the ring can never hold it */
		return -XT_E2BIG;
	}
	if ((d->rdt + r.n - d->rdh) % r.n < p.needed)
		return -XT_EAGAIN;
	if (!map_buffers(d, &r, &p, buf)) {
		count_rx(d, f->len, p.dst, false);
		return -XT_EFAULT;
	}
	fill_buffers(d, &r, f, &p, buf);
	count_rx(d, f->len, p.dst, true);
	rx_interrupts(d, &r);
	if (copied)
		*copied += p.data_len;
	return 0;
}

void e1000_rx_missed(struct e1000 *d)
{
	e1000_stat_inc(d, E1000_MPC);
	e1000_raise(d, E1000_ICR_RXO);
}

void e1000_rx_no_buffers(struct e1000 *d)
{
	e1000_stat_inc(d, E1000_RNBC);
	e1000_rx_missed(d);
}

/* ---------------------------------------------------------- zero copy */

/*
 * The descriptor at RDH, copied once, with where it lives in the ring, for
 * a data path that fills it right away with e1000_rx_put_slot() (no guest
 * runs in between on this CPU). s->base is the ring's mapping, NULL before
 * the first peek of a burst, kept as for e1000_tx_peek_simple().
 */
int e1000_rx_peek_slot(struct e1000 *d, struct e1000_rx_slot *s)
{
	uint8_t desc[E1000_DESC_SIZE];
	struct rx_ring r;
	int err;

	if (!(d->rctl & E1000_RCTL_EN))
		return -XT_EAGAIN;
	if (!s->base) {
		err = rx_ring_get(d, &r);
		if (err)
			return err;
		s->base = r.base;
		s->n = r.n;
	}
	r.base = s->base;
	r.n = s->n;
	if (d->rdh == d->rdt)
		return -XT_EAGAIN;
	s->desc = desc_at(&r, d->rdh);
	memcpy(desc, s->desc, sizeof(desc));
	s->gpa = get_le64(desc + E1000_RXD_ADDR);
	s->bufsize = buf_size(d);
	s->next = rx_next(&r, d->rdh);
	return 0;
}

/* The buffer of the descriptor at RDH, for a data path that puts the bytes
 * there itself (or finds them already there: a page shared with the
 * sender). */
int e1000_rx_peek_buffer(struct e1000 *d, uint64_t *gpa, uint32_t *bufsize)
{
	struct e1000_rx_slot s = { .base = NULL };
	int err = e1000_rx_peek_slot(d, &s);

	if (!err) {
		*gpa = s.gpa;
		*bufsize = s.bufsize;
	}
	return err;
}

/* The frame (len bytes to dst, already in the slot's buffer) written back
 * into the slot just peeked; RDH moves past it. No interrupt. */
int e1000_rx_put_slot(struct e1000 *d, const struct e1000_rx_slot *s, uint32_t len,
		      const uint8_t dst[6])
{
	uint32_t out_len = len + ((d->rctl & E1000_RCTL_SECRC) ? 0 : E1000_CRC_LEN);

	if (!len || len > max_len(d) || out_len > s->bufsize || (d->ctrl & E1000_CTRL_VME))
		return -XT_ENOTSUP;
	write_desc(s->desc, out_len, E1000_RXD_STAT_DD | E1000_RXD_STAT_IXSM | E1000_RXD_STAT_EOP,
		   0, 0);
	d->rdh = s->next;
	count_rx(d, len, dst, true);
	return 0;
}

void e1000_rx_signal(struct e1000 *d)
{
	struct rx_ring r;

	if (!rx_ring_get(d, &r))
		rx_interrupts(d, &r);
}

void e1000_rx_batch_begin(struct e1000 *d)
{
	d->rx_batch = true;
}

void e1000_rx_batch_end(struct e1000 *d)
{
	bool delivered = d->rx_batch_delivered;

	d->rx_batch = false;
	d->rx_batch_delivered = false;
	if (delivered)
		e1000_rx_signal(d);
}

int e1000_rx_deliver_inplace(struct e1000 *d, uint64_t gpa, uint32_t len, const uint8_t dst[6])
{
	uint8_t desc[E1000_DESC_SIZE];
	uint32_t out_len;
	struct rx_ring r;
	int err;

	if (!(d->rctl & E1000_RCTL_EN) || !len)
		return -XT_EAGAIN;
	err = rx_ring_get(d, &r);
	if (err)
		return err;
	if (d->rdh == d->rdt)
		return -XT_EAGAIN;
	/* The guest may have rewritten the descriptor since the peek. */
	memcpy(desc, desc_at(&r, d->rdh), sizeof(desc));
	if (get_le64(desc + E1000_RXD_ADDR) != gpa || (d->ctrl & E1000_CTRL_VME))
		return -XT_ENOTSUP;
	if (len > max_len(d)) {
		count_rx(d, len, dst, false);
		e1000_stat_inc(d, E1000_ROC);
		return -XT_E2BIG;
	}
	/* The FCS is counted in the length (drivers drop it) but not written:
	 * the bytes after the frame belong to the page's owner. */
	out_len = len + ((d->rctl & E1000_RCTL_SECRC) ? 0 : E1000_CRC_LEN);
	if (out_len > buf_size(d))
		return -XT_E2BIG;
	write_desc(desc_at(&r, d->rdh), out_len,
		   E1000_RXD_STAT_DD | E1000_RXD_STAT_IXSM | E1000_RXD_STAT_EOP, 0, 0);
	d->rdh = rx_next(&r, d->rdh);
	count_rx(d, len, dst, true);
	rx_interrupts(d, &r);
	return 0;
}
