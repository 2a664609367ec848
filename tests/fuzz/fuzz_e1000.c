/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the 82540EM model (devices/e1000*.c). The input is a
 * sequence of operations a hostile guest and the data path can perform:
 * MMIO and I/O window accesses, arbitrary writes into the fake guest RAM,
 * TX peek/complete loops, RX deliveries, time passing, TCP segmentation
 * packets with mostly plausible and sometimes absurd parameters. After every step the
 * invariants the VMM relies on are checked and abort() on violation:
 *  - the model never moves TDH/RDH out of a ring it found valid;
 *  - the INTx line is (ICR & IMS) != 0 unless ITR throttling holds it down
 *    until a deadline still in the future; set_irq only reports changes;
 *  - every frame segment lies inside the fake RAM or the bounce buffer and
 *    the segments add up to the frame length (<= the jumbo maximum).
 * ASan/UBSan catch the rest (the fake RAM is one exact-size allocation).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/e1000.h"
#include "tests/fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_SIZE (256u << 10)
#define RAM_PAGE 4096u

_Static_assert(RAM_SIZE / RAM_PAGE <= 64, "one dirty bit per page of the fake RAM");

struct fz {
	struct e1000 d;
	uint8_t *ram;
	uint64_t dirty;		/* pages of ram that may be non-zero */
	uint8_t bounce[E1000_MAX_FRAME_JUMBO];
	uint64_t now;
	bool irq;
	const uint8_t *in;
	size_t left;
};

static void check(int ok)
{
	if (!ok)
		abort();
}

/* ---------------------------------------------------------- fake VMM */

/* [gpa, gpa + len) of ram may be written: zero it before the next input. */
FUZZ_CHECKER static void mark_dirty(struct fz *z, uint32_t gpa, uint32_t len)
{
	for (uint32_t p = gpa / RAM_PAGE; p <= (gpa + len - 1) / RAM_PAGE; p++)
		z->dirty |= 1ull << p;
}

/*
 * Every input starts from all-zero RAM. Zeroing only the pages this input
 * could have written (what it wrote itself, what the model mapped) keeps
 * that exact without a 256 KiB memset per input.
 */
FUZZ_CHECKER static void clear_dirty(struct fz *z)
{
	for (uint64_t m = z->dirty; m; m &= m - 1)
		memset(z->ram + (size_t)__builtin_ctzll(m) * RAM_PAGE, 0, RAM_PAGE);
	z->dirty = 0;
}

static void *fz_dma(void *ctx, uint64_t gpa, uint64_t len)
{
	struct fz *z = ctx;

	check(len > 0);
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	mark_dirty(z, (uint32_t)gpa, (uint32_t)len);
	return z->ram + gpa;
}

static void fz_irq(void *ctx, bool level)
{
	struct fz *z = ctx;

	check(level != z->irq);
	z->irq = level;
}

static void fz_error(void *ctx, enum e1000_err e, uint64_t detail)
{
	(void)ctx;
	(void)detail;
	check((unsigned)e < E1000_ERR_COUNT);
}

static uint64_t fz_now(void *ctx)
{
	return ((struct fz *)ctx)->now;
}

static const struct e1000_ops fz_ops = {
	.dma_map = fz_dma,
	.set_irq = fz_irq,
	.error = fz_error,
	.now_ns = fz_now,
};

/* ---------------------------------------------------------- input */

FUZZ_CHECKER static uint32_t take(struct fz *z, unsigned bytes)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < bytes && z->left; i++) {
		v |= (uint32_t)*z->in << (8 * i);
		z->in++;
		z->left--;
	}
	return v;
}

static unsigned take_size(struct fz *z)
{
	static const unsigned sizes[8] = { 4, 4, 4, 4, 2, 1, 3, 8 };

	return sizes[take(z, 1) & 7];
}

/* Registers worth hitting often. */
static const uint32_t hot_regs[] = {
	E1000_CTRL, E1000_ICS, E1000_IMS, E1000_IMC, E1000_ICR, E1000_ITR, E1000_RCTL,
	E1000_TCTL, E1000_TDBAL, E1000_TDBAH, E1000_TDLEN, E1000_TDH, E1000_TDT, E1000_RDBAL,
	E1000_RDBAH, E1000_RDLEN, E1000_RDH, E1000_RDT, E1000_MDIC, E1000_EECD, E1000_EERD,
	E1000_RAL0, E1000_RAH0, E1000_MTA, E1000_VET, E1000_GORCH, E1000_TOTH,
};

/* ---------------------------------------------------------- invariants */

FUZZ_CHECKER static bool ring_ok(uint32_t len, uint32_t head, uint32_t tail)
{
	return len && !(len % E1000_DLEN_ALIGN) && head < len / 16 && tail < len / 16;
}

FUZZ_CHECKER static void check_irq(const struct fz *z)
{
	const struct e1000 *d = &z->d;
	bool want = (d->icr & d->ims) != 0;
	uint64_t deadline = e1000_irq_deadline(d);

	check(z->irq == d->irq_level);
	if (!want) {
		check(!d->irq_level);
		check(deadline == 0);
	} else if (!d->irq_level) {
		check(deadline != 0 && deadline > z->now);	/* throttled, not overdue */
	}
}

FUZZ_CHECKER static bool inside(const uint8_t *p, uint32_t len, const uint8_t *base, uint32_t size)
{
	return p >= base && len <= size && (size_t)(p - base) <= size - len;
}

FUZZ_CHECKER static void check_frame(const struct fz *z, const struct e1000_frame *f)
{
	uint64_t sum = 0;

	check(f->nseg >= 1 && f->nseg <= E1000_TX_MAX_SEGS);
	check(f->ndesc >= 1 && f->ndesc <= E1000_TX_MAX_SEGS);
	for (unsigned i = 0; i < f->nseg; i++) {
		const struct e1000_seg *s = &f->seg[i];

		check(s->len > 0);
		check(inside(s->data, s->len, z->ram, RAM_SIZE) ||
		      inside(s->data, s->len, z->bounce, sizeof(z->bounce)));
		sum += s->len;
	}
	check(sum == f->len);
	check(f->len >= E1000_MIN_FRAME && f->len <= E1000_MAX_FRAME_JUMBO);
	check(!f->bounced || (f->nseg == 1 && f->seg[0].data == z->bounce));
}

/* ---------------------------------------------------------- operations */

static void op_tx(struct fz *z)
{
	struct e1000 *d = &z->d;
	unsigned rounds = take(z, 1) & 7, flags = take(z, 1);

	for (unsigned i = 0; i <= rounds; i++) {
		bool valid = ring_ok(d->tdlen, d->tdh, d->tdt);
		uint32_t n = d->tdlen / 16;
		struct e1000_frame f;
		int rc = e1000_tx_peek(d, &f);

		check(rc == 0 || rc == 1);
		if (valid)
			check(d->tdh < n);
		check_irq(z);
		if (rc == 0)
			return;
		check_frame(z, &f);
		if (flags & 1)
			(void)e1000_rx_deliver(d, &f, NULL);	/* loop back into our own RX ring */
		if (flags & 2)
			return;				/* the data path keeps it pending */
		e1000_tx_complete(d, &f);
		if (valid)
			check(d->tdh < n);
		check_irq(z);
	}
}

/*
 * The cross-talk data path's use of the model: frames in flight (fetch,
 * unfetch, done, retire) and the one-descriptor fast path (peek_simple,
 * take_simple) delivering into the device's own RX ring through
 * peek_slot/put_slot, in any order the input picks.
 */
static void op_flight(struct fz *z)
{
	struct e1000 *d = &z->d;
	unsigned flags = take(z, 1);
	struct e1000_tx_simple t = { .base = NULL };
	struct e1000_rx_slot s = { .base = NULL };
	struct e1000_frame f;
	unsigned id;

	for (unsigned i = 0; i <= (flags & 7); i++) {
		bool rx_valid = ring_ok(d->rdlen, d->rdh, d->rdt);

		if (e1000_tx_peek_simple(d, &t) == 1) {
			check(t.data == NULL);
			check(t.len >= E1000_MIN_FRAME && t.len + 4 <= E1000_MAX_FRAME_JUMBO);
			t.data = e1000_dma(d, t.gpa, t.len);
			if (!t.data)
				break;
			if ((flags & 8) && e1000_rx_peek_slot(d, &s) == 0) {
				(void)e1000_rx_put_slot(d, &s, t.len, t.data);
				if (rx_valid)
					check(d->rdh < d->rdlen / 16);
			}
			id = e1000_tx_take_simple(d, &t);
			if (flags & 16)
				e1000_tx_done(d, id);
			else
				e1000_tx_mark_done(d, id);
		} else if (e1000_tx_fetch(d, &f, &id) == 1) {
			check_frame(z, &f);
			if (flags & 32)
				e1000_tx_unfetch(d, id);
			else
				e1000_tx_done(d, id);
		} else {
			break;
		}
		check(e1000_tx_inflight(d) <= E1000_TX_INFLIGHT);
	}
	if (flags & 64)
		e1000_tx_retire(d);
	if (flags & 128)
		e1000_rx_signal(d);
	check_irq(z);
}

/*
 * pattern[j] = j * 37 (mod 256). Since 37 * 173 = 1 (mod 256),
 * i * 37 + sel = (i + 173 * sel) * 37, so the frame bytes i * 37 + sel are
 * pattern + (uint8_t)(173 * sel): one memcpy instead of a loop per byte.
 */
static uint8_t pattern[E1000_MAX_FRAME_JUMBO + 64 + 256];

FUZZ_CHECKER static void fill_pattern(void)
{
	for (uint32_t j = 0; j < sizeof(pattern); j++)
		pattern[j] = (uint8_t)(j * 37);
}

static void op_rx(struct fz *z)
{
	static uint8_t frame[E1000_MAX_FRAME_JUMBO + 64];
	static const uint32_t lens[8] = { 60, 64, 1514, 1518, 1522, 1600, 9000, 16128 };
	struct e1000 *d = &z->d;
	unsigned sel = take(z, 1);
	uint32_t len = lens[sel & 7];
	bool valid = ring_ok(d->rdlen, d->rdh, d->rdt);
	struct e1000_frame f;
	uint64_t copied = 0;
	int rc;

	_Static_assert(sizeof(frame) + 256 <= sizeof(pattern), "every offset of pattern fits");
	memcpy(frame, pattern + (uint8_t)(173 * sel), len);
	memset(frame, (sel & 8) ? 0xff : 0x52, 6);
	if (sel & 16) {		/* 802.1Q tagged */
		frame[12] = 0x81;
		frame[13] = 0x00;
	}
	memset(&f, 0, sizeof(f));
	f.nseg = (sel & 32) ? 2 : 1;
	f.seg[0].data = frame;
	f.seg[0].len = f.nseg == 2 ? 7 : len;
	f.seg[1].data = frame + 7;
	f.seg[1].len = len - 7;
	f.len = len;
	(void)e1000_rx_accepts(d, frame);
	rc = e1000_rx_deliver(d, &f, &copied);
	check(rc == 0 || rc == -11 || rc == -7 || rc == -14);
	check(copied <= len);
	if (valid)
		check(d->rdh < d->rdlen / 16);
}

static void op_ram(struct fz *z)
{
	uint32_t gpa = take(z, 3) % RAM_SIZE;
	uint32_t n = take(z, 1);

	if (n && z->left)
		mark_dirty(z, gpa, n < RAM_SIZE - gpa ? n : RAM_SIZE - gpa);
	for (uint32_t i = 0; i < n && z->left && gpa + i < RAM_SIZE; i++)
		z->ram[gpa + i] = (uint8_t)take(z, 1);
}

/* A plausible ring somewhere in RAM, so the fuzzer reaches descriptor processing. */
static void op_setup_rings(struct fz *z)
{
	struct e1000 *d = &z->d;
	uint32_t base = (take(z, 2) * 16) % RAM_SIZE;
	uint32_t len = 128 * (1 + (take(z, 1) & 7));
	unsigned which = take(z, 1);

	if (which & 1) {
		e1000_mmio_write(d, E1000_TDBAL, 4, base);
		e1000_mmio_write(d, E1000_TDBAH, 4, 0);
		e1000_mmio_write(d, E1000_TDLEN, 4, len);
		e1000_mmio_write(d, E1000_TDH, 4, 0);
		e1000_mmio_write(d, E1000_TCTL, 4, E1000_TCTL_EN | E1000_TCTL_PSP);
		e1000_mmio_write(d, E1000_TDT, 4, take(z, 1) % (len / 16));
	} else {
		e1000_mmio_write(d, E1000_RDBAL, 4, base);
		e1000_mmio_write(d, E1000_RDBAH, 4, 0);
		e1000_mmio_write(d, E1000_RDLEN, 4, len);
		e1000_mmio_write(d, E1000_RDH, 4, 0);
		e1000_mmio_write(d, E1000_RCTL, 4, E1000_RCTL_EN | E1000_RCTL_BAM |
				 (take(z, 1) & 0x3f) << 1 | (which & 0x6) << 15);
		e1000_mmio_write(d, E1000_RDT, 4, take(z, 1) % (len / 16));
	}
}

static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A descriptor with plausible fields at slot idx of the current ring. */
static void op_descriptor(struct fz *z, bool tx)
{
	struct e1000 *d = &z->d;
	uint64_t base = tx ? d->tdbal : d->rdbal;
	uint32_t n = (tx ? d->tdlen : d->rdlen) / 16;
	uint32_t idx = take(z, 1), flags = take(z, 1);
	uint64_t addr = take(z, 3) % RAM_SIZE, gpa;
	uint8_t *p;

	if (flags & 0x80)
		addr += RAM_SIZE - 64;	/* near or past the end of RAM */
	gpa = base + 16 * (uint64_t)(n ? idx % n : 0);
	if (gpa + 16 > RAM_SIZE)
		return;
	p = z->ram + gpa;
	mark_dirty(z, (uint32_t)gpa, 16);
	put_le(p, addr, 8);
	if (!tx) {
		memset(p + 8, 0, 8);
		return;
	}
	put_le(p + 8, take(z, 2) % (flags & 0x40 ? 0x4000 : 1600), 2);
	p[10] = (uint8_t)take(z, 1);	/* CSO, or DTYP in the high nibble */
	p[11] = (uint8_t)take(z, 1);	/* CMD */
	p[12] = 0;
	p[13] = (uint8_t)take(z, 1);	/* CSS / POPTS */
	put_le(p + 14, take(z, 2), 2);
	if (flags & 0x10) {		/* a TCP/IP data descriptor */
		p[10] = (uint8_t)((p[10] & 0x0f) | E1000_TXD_DTYP_D << 4);
		p[11] |= E1000_TXD_CMD_DEXT;
	}
	if (flags & 0x20) {		/* a context descriptor with sane offsets */
		p[0] = 14;
		p[1] = 24;
		put_le(p + 2, flags & 1 ? 33 : 0, 2);
		p[4] = 34;
		p[5] = (uint8_t)(flags & 2 ? 50 : 40);
		put_le(p + 6, 0, 2);
		p[10] &= 0x0f;
		p[11] |= E1000_TXD_CMD_DEXT;
	}
}

/*
 * A TCP segmentation packet at TDT: a context descriptor with TSE (offsets
 * of an Ethernet + IPv4 + TCP header, as Linux writes them), a prototype
 * header and payload in RAM, split over 1 to 8 data descriptors with TSE,
 * then TDT moved past them. HDRLEN, MSS, PAYLEN, TUCMD, POPTS and the
 * split are from the input: sane by default, anything with the flag bits.
 */
static void op_tso(struct fz *z)
{
	struct e1000 *d = &z->d;
	uint32_t n = d->tdlen / 16, sel = take(z, 2);
	uint32_t hdrlen = (sel & 1) ? take(z, 1) : 54 + 4 * ((sel >> 1) & 3);
	uint32_t mss = (sel & 8) ? take(z, 2) : 1 + 6 * take(z, 1);
	uint32_t paylen = (sel & 16) ? take(z, 3) & 0xfffff : take(z, 2) % 8192 + 1;
	uint32_t ndata = 1 + (take(z, 1) & 7), total, at, cut[8], left;
	uint64_t base = (uint64_t)d->tdbah << 32 | d->tdbal;
	uint8_t tucmd = E1000_TXD_CMD_TSE | E1000_TXD_CMD_DEXT | E1000_TXD_CMD_IP |
			E1000_TXD_CMD_TCP;
	uint8_t popts = E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM;
	uint8_t *p;

	if (sel & 32)
		tucmd ^= (uint8_t)take(z, 1);
	if (sel & 64)
		popts = (uint8_t)take(z, 1);
	/* What the data descriptors hold: HDRLEN + PAYLEN, or one byte off,
	 * and never more than the pattern (PAYLEN itself may say more). */
	total = hdrlen + paylen + ((sel & 128) ? take(z, 1) % 3 - 1 : 0);
	if (total > sizeof(pattern) - 256)
		total = sizeof(pattern) - 256;
	if (!n || n <= ndata + 1 || !total || base >= RAM_SIZE || base + (uint64_t)16 * n > RAM_SIZE)
		return;
	at = (take(z, 2) * 16) % (RAM_SIZE - total);
	/* The packet: Ethernet + IPv4 + TCP as Linux's prototype, then a pattern. */
	mark_dirty(z, at, total);
	p = z->ram + at;
	memcpy(p, pattern + ((sel >> 8) & 0x3f), total);
	if (total >= 54) {
		memset(p, 0x52, 12);
		p[12] = 0x08;
		p[13] = 0x00;
		p[14] = 0x45;
		memset(p + 16, 0, 2);
		memset(p + 24, 0, 2);
		p[46] = 0x50;
	}
	/* Its split: pieces from the input, the last one takes the rest. */
	left = total;
	for (uint32_t i = 0; i < ndata; i++) {
		uint32_t want = 1 + take(z, 2) % 2048;

		cut[i] = i + 1 == ndata || want >= left ? left : want;
		left -= cut[i];
		if (!left) {
			ndata = i + 1;
			break;
		}
	}
	/* Context at TDT, data descriptors after it. */
	for (uint32_t i = 0, off = 0; i <= ndata; i++) {
		uint32_t slot = (d->tdt + i) % n;
		uint8_t *q = z->ram + base + 16 * slot;

		mark_dirty(z, (uint32_t)(base + 16 * slot), 16);
		memset(q, 0, 16);
		if (i == 0) {
			q[0] = 14;
			q[1] = 24;
			put_le(q + 2, 33, 2);
			q[4] = 34;
			q[5] = 50;
			put_le(q + 8, paylen & 0xfffff, 3);
			q[11] = tucmd;
			q[13] = (uint8_t)hdrlen;
			put_le(q + 14, mss, 2);
			continue;
		}
		put_le(q, at + off, 8);
		put_le(q + 8, cut[i - 1], 3);
		q[10] = (uint8_t)(q[10] | E1000_TXD_DTYP_D << 4);
		q[11] = E1000_TXD_CMD_DEXT | E1000_TXD_CMD_TSE |
			(i == ndata ? E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS : 0);
		if ((sel & 0x4000) && i == ndata)
			q[11] |= E1000_TXD_CMD_VLE;
		q[13] = popts;
		off += cut[i - 1];
	}
	if (sel & 0x8000)
		e1000_mmio_write(d, E1000_CTRL, 4, e1000_mmio_read(d, E1000_CTRL, 4) |
				 E1000_CTRL_VME);
	e1000_mmio_write(d, E1000_TDT, 4, (d->tdt + ndata + 1) % n);
}

static void step(struct fz *z)
{
	struct e1000 *d = &z->d;
	unsigned op = take(z, 1) % 18;
	uint32_t off;

	switch (op) {
	case 0:
		off = take(z, 3) & 0x3ffff;
		e1000_mmio_write(d, off, take_size(z), take(z, 4));
		break;
	case 1:
		off = take(z, 3) & 0x3ffff;
		(void)e1000_mmio_read(d, off, take_size(z));
		break;
	case 2:
		off = hot_regs[take(z, 1) % (sizeof(hot_regs) / sizeof(hot_regs[0]))];
		e1000_mmio_write(d, off, 4, take(z, 4));
		break;
	case 3:
		off = hot_regs[take(z, 1) % (sizeof(hot_regs) / sizeof(hot_regs[0]))];
		(void)e1000_mmio_read(d, off, 4);
		break;
	case 4:
		off = take(z, 1) % 9;
		e1000_io_write(d, off, take_size(z), take(z, 4));
		break;
	case 5:
		off = take(z, 1) % 9;
		(void)e1000_io_read(d, off, take_size(z));
		break;
	case 6:
		op_ram(z);
		break;
	case 7:
		op_tx(z);
		break;
	case 8:
		op_rx(z);
		break;
	case 9:
		z->now += take(z, 3) * (uint64_t)(1 + (take(z, 1) & 0xf));
		break;
	case 10:
		(void)e1000_rx_free(d);
		e1000_rx_missed(d);
		break;
	case 11:
		if (take(z, 1) == 0x5a)
			e1000_reset(d);
		break;
	case 12:
		op_setup_rings(z);
		break;
	case 13: {
		uint8_t dst[6];

		for (unsigned i = 0; i < 6; i++)
			dst[i] = (uint8_t)take(z, 1);
		(void)e1000_rx_accepts(d, dst);
		break;
	}
	case 14:
		op_descriptor(z, true);
		break;
	case 15:
		op_descriptor(z, false);
		break;
	case 16:
		op_flight(z);
		break;
	case 17:
		op_tso(z);
		break;
	}
	/* The VMM's timer: fire an overdue throttled interrupt. */
	if (e1000_irq_deadline(d) && e1000_irq_deadline(d) <= z->now)
		e1000_irq_timer(d);
	check_irq(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz z;
	static const uint8_t mac[6] = { 0x52, 0x52, 0x52, 0x52, 0x52, 0x52 };
	struct e1000_frame f;

	if (!z.ram) {
		z.ram = calloc(1, RAM_SIZE);
		check(z.ram != NULL);
		fill_pattern();
	}
	clear_dirty(&z);
	z.now = 0;
	z.irq = false;
	z.in = data;
	z.left = size;
	e1000_init(&z.d, mac, &fz_ops, &z, z.bounce);
	while (z.left)
		step(&z);
	/* Whatever state it ended in, peeking is still safe. */
	if (e1000_tx_peek(&z.d, &f))
		check_frame(&z, &f);
	return 0;
}
