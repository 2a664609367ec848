// SPDX-License-Identifier: MIT
/*
 * Host unit tests for TCP segmentation offload in the 82540EM model
 * (devices/e1000_tx.c, SDM "TCP Segmentation"). Each test builds a TSO
 * packet as Linux's e1000 driver does (a context descriptor with TSE,
 * HDRLEN, MSS and PAYLEN; a prototype header with the IP length and
 * checksum zero and the TCP checksum seeded with the pseudo-header sum
 * without length; data descriptors with TSE), lets the model cut it, and
 * compares every frame byte for byte with one built here independently: the
 * header fields are set directly and the checksums computed from scratch
 * with the real pseudo-header.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/le.h"
#include "devices/e1000.h"

#define RAM_SIZE	(4u << 20)
#define TX_RING		0x10000u
#define RX_RING		0x20000u
#define RX_BUF		0x30000u
#define PKT		0x100000u	/* the packet, contiguous, before being split */
#define BUFS		0x200000u	/* where the descriptors' pieces are placed */
#define OUTSIDE		(RAM_SIZE + 0x1000u)
#define RING_N		128u

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t peer[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };

struct fake {
	struct e1000 dev;
	uint8_t *ram;
	uint8_t bounce[E1000_MAX_FRAME_JUMBO];
	bool irq;
	unsigned err[E1000_ERR_COUNT];
	/* dma_map refuses [refuse_lo, refuse_hi) when refuse_hi != 0. */
	uint64_t refuse_lo, refuse_hi;
};

static void *fake_dma(void *ctx, uint64_t gpa, uint64_t len)
{
	struct fake *fk = ctx;

	assert_true(len > 0);
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	if (fk->refuse_hi && gpa < fk->refuse_hi && fk->refuse_lo < gpa + len)
		return NULL;
	return fk->ram + gpa;
}

static void fake_irq(void *ctx, bool level)
{
	struct fake *fk = ctx;

	assert_true(level != fk->irq);
	fk->irq = level;
}

static void fake_error(void *ctx, enum e1000_err e, uint64_t detail)
{
	(void)detail;
	assert_true((unsigned)e < E1000_ERR_COUNT);
	((struct fake *)ctx)->err[e]++;
}

static const struct e1000_ops fake_ops = {
	.dma_map = fake_dma,
	.set_irq = fake_irq,
	.error = fake_error,
};

static int setup(void **state)
{
	struct fake *fk = calloc(1, sizeof(*fk));

	assert_non_null(fk);
	fk->ram = calloc(1, RAM_SIZE);
	assert_non_null(fk->ram);
	e1000_init(&fk->dev, mac, &fake_ops, fk, fk->bounce);
	*state = fk;
	return 0;
}

static int teardown(void **state)
{
	struct fake *fk = *state;

	free(fk->ram);
	free(fk);
	return 0;
}

/* ---------------------------------------------------------- helpers */

static uint32_t rd(struct fake *fk, uint32_t off)
{
	return e1000_mmio_read(&fk->dev, off, 4);
}

static void wr(struct fake *fk, uint32_t off, uint32_t v)
{
	e1000_mmio_write(&fk->dev, off, 4, v);
}

static uint8_t *txd(struct fake *fk, unsigned idx)
{
	return fk->ram + TX_RING + 16 * (idx % RING_N);
}

static unsigned total_errors(const struct fake *fk)
{
	unsigned n = 0;

	for (unsigned i = 0; i < E1000_ERR_COUNT; i++)
		n += fk->err[i];
	return n;
}

static void tx_setup(struct fake *fk)
{
	wr(fk, E1000_TDBAL, TX_RING);
	wr(fk, E1000_TDBAH, 0);
	wr(fk, E1000_TDLEN, 16 * RING_N);
	wr(fk, E1000_TDH, 0);
	wr(fk, E1000_TDT, 0);
	wr(fk, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
	wr(fk, E1000_IMS, E1000_ICR_TXDW | E1000_ICR_TXQE);
}

/* Independent ones' complement arithmetic: a 64-bit accumulator, folded at the end. */
static uint64_t ref_add(uint64_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint64_t)p[i] << 8;
	return s;
}

static uint16_t ref_fold(uint64_t s)
{
	while (s > 0xffff)
		s = (s >> 16) + (s & 0xffff);
	return (uint16_t)s;
}

static void be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v);
}

static uint32_t rbe32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---------------------------------------------------------- the packet */

enum proto { V4_TCP, V6_TCP, V4_UDP };

struct pkt {
	enum proto proto;
	uint32_t ip;		/* IPCSS: start of the IP header */
	uint32_t l4;		/* TUCSS */
	uint32_t hdrlen;
	uint32_t paylen;
	uint32_t mss;
	uint8_t flags;		/* TCP flags of the prototype */
	uint16_t ipid;
	uint32_t seq;
};

static const uint8_t src4[4] = { 10, 0, 0, 1 }, dst4[4] = { 10, 0, 0, 2 };
static const uint8_t src6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t dst6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

static bool is_v4(const struct pkt *k)
{
	return k->proto != V6_TCP;
}

static bool is_tcp(const struct pkt *k)
{
	return k->proto != V4_UDP;
}

/* Pseudo-header sum with the given L4 length (the prototype gets 0). */
static uint64_t pseudo(const struct pkt *k, uint32_t l4len)
{
	uint8_t ph[40];
	uint32_t n;

	memset(ph, 0, sizeof(ph));
	if (is_v4(k)) {
		memcpy(ph, src4, 4);
		memcpy(ph + 4, dst4, 4);
		ph[9] = is_tcp(k) ? 6 : 17;
		be16(ph + 10, l4len);
		n = 12;
	} else {
		memcpy(ph, src6, 16);
		memcpy(ph + 16, dst6, 16);
		be32(ph + 32, l4len);
		ph[39] = 6;
		n = 40;
	}
	return ref_add(0, ph, n);
}

/*
 * The whole TSO packet, contiguous at PKT, as Linux's e1000_tso leaves it:
 * IP length and checksum 0, TCP/UDP checksum = pseudo-header sum with
 * length 0, not complemented. The TCP header has 12 bytes of options when
 * hdrlen leaves room for them. Returns hdrlen + paylen.
 */
static uint32_t build_packet(struct fake *fk, const struct pkt *k)
{
	uint8_t *p = fk->ram + PKT;
	uint32_t total = k->hdrlen + k->paylen;

	memset(p, 0, k->hdrlen);
	memcpy(p, peer, 6);
	memcpy(p + 6, mac, 6);
	if (is_v4(k)) {
		be16(p + k->ip - 2, 0x0800);
		p[k->ip] = 0x45;
		be16(p + k->ip + 4, k->ipid);
		p[k->ip + 6] = 0x40;
		p[k->ip + 8] = 64;
		p[k->ip + 9] = is_tcp(k) ? 6 : 17;
		memcpy(p + k->ip + 12, src4, 4);
		memcpy(p + k->ip + 16, dst4, 4);
	} else {
		be16(p + k->ip - 2, 0x86dd);
		p[k->ip] = 0x60;
		p[k->ip + 6] = 6;
		p[k->ip + 7] = 64;
		memcpy(p + k->ip + 8, src6, 16);
		memcpy(p + k->ip + 24, dst6, 16);
	}
	be16(p + k->l4, 0x3039);
	be16(p + k->l4 + 2, 0x0050);
	if (is_tcp(k)) {
		uint32_t thl = k->hdrlen - k->l4;

		be32(p + k->l4 + 4, k->seq);
		be32(p + k->l4 + 8, 0x01020304);
		p[k->l4 + 12] = (uint8_t)(thl / 4) << 4;
		p[k->l4 + 13] = k->flags;
		be16(p + k->l4 + 14, 0xfaf0);
		for (uint32_t i = 20; i < thl; i++)
			p[k->l4 + i] = 1;	/* NOP options */
		be16(p + k->l4 + 16, ref_fold(pseudo(k, 0)));
	} else {
		be16(p + k->l4 + 6, ref_fold(pseudo(k, 0)));
	}
	for (uint32_t i = 0; i < k->paylen; i++)
		p[k->hdrlen + i] = (uint8_t)(i * 31 + i / 256 + 7);
	return total;
}

/* Frame `seg` as the hardware must send it, built from the packet at PKT. */
static uint32_t expected_frame(struct fake *fk, const struct pkt *k, uint32_t seg, uint8_t *out)
{
	const uint8_t *p = fk->ram + PKT;
	uint32_t off = seg * k->mss, n = k->paylen - off < k->mss ? k->paylen - off : k->mss;
	uint32_t len = k->hdrlen + n, l4len = len - k->l4;
	bool last = off + n == k->paylen;
	uint8_t *l4 = out + k->l4;

	memcpy(out, p, k->hdrlen);
	memcpy(out + k->hdrlen, p + k->hdrlen + off, n);
	if (is_v4(k)) {
		uint8_t *ip = out + k->ip;

		be16(ip + 2, len - k->ip);
		be16(ip + 4, (k->ipid + seg) & 0xffff);
		be16(ip + 10, 0);
		be16(ip + 10, (uint16_t)~ref_fold(ref_add(0, ip, 20)));
	} else {
		be16(out + k->ip + 4, len - k->ip - 40);
	}
	if (is_tcp(k)) {
		be32(l4 + 4, k->seq + off);
		l4[13] = last ? k->flags : (uint8_t)(k->flags & ~0x09);	/* FIN, PSH */
		be16(l4 + 16, 0);
		be16(l4 + 16, (uint16_t)~ref_fold(ref_add(pseudo(k, l4len), l4, l4len)));
	} else {
		uint16_t c;

		be16(l4 + 4, l4len);
		be16(l4 + 6, 0);
		c = (uint16_t)~ref_fold(ref_add(pseudo(k, l4len), l4, l4len));
		be16(l4 + 6, c ? c : 0xffff);
	}
	return len;
}

/* Checksums of a frame verified as a receiver would (sum over all = 0xffff). */
static void assert_checksums_valid(const struct pkt *k, const uint8_t *f, uint32_t len)
{
	uint32_t l4len = len - k->l4;

	if (is_v4(k))
		assert_int_equal(ref_fold(ref_add(0, f + k->ip, 20)), 0xffff);
	assert_int_equal(ref_fold(ref_add(pseudo(k, l4len), f + k->l4, l4len)), 0xffff);
}

static uint32_t frames_of(const struct pkt *k)
{
	return (k->paylen + k->mss - 1) / k->mss;
}

/* The context descriptor Linux writes for this packet (at ring slot idx). */
static void put_ctx(struct fake *fk, unsigned idx, const struct pkt *k, uint8_t extra_tucmd)
{
	uint8_t *d = txd(fk, idx);
	uint8_t tucmd = E1000_TXD_CMD_TSE | E1000_TXD_CMD_DEXT | extra_tucmd;

	memset(d, 0, 16);
	if (is_v4(k))
		tucmd |= E1000_TXD_CMD_IP;
	if (is_tcp(k))
		tucmd |= E1000_TXD_CMD_TCP;
	d[0] = (uint8_t)k->ip;
	d[1] = (uint8_t)(k->ip + 10);
	put_le16(d + 2, is_v4(k) ? (uint16_t)(k->l4 - 1) : 0);
	d[4] = (uint8_t)k->l4;
	d[5] = (uint8_t)(k->l4 + (is_tcp(k) ? 16 : 6));
	put_le16(d + 6, 0);
	put_le32(d + 8, (k->paylen & 0xfffff) | E1000_TXD_DTYP_C << 20 | (uint32_t)tucmd << 24);
	d[13] = (uint8_t)k->hdrlen;
	put_le16(d + 14, (uint16_t)k->mss);
}

static void put_data(struct fake *fk, unsigned idx, uint64_t addr, uint32_t len, uint8_t dcmd,
		     uint8_t popts)
{
	uint8_t *d = txd(fk, idx);

	put_le64(d, addr);
	put_le32(d + 8, (len & 0xfffff) | E1000_TXD_DTYP_D << 20 |
			(uint32_t)(dcmd | E1000_TXD_CMD_DEXT | E1000_TXD_CMD_TSE) << 24);
	d[12] = 0;
	d[13] = popts;
	put_le16(d + 14, 0);
}

static uint8_t popts_of(const struct pkt *k)
{
	return is_v4(k) ? E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM : E1000_TXD_POPTS_TXSM;
}

/*
 * Context at slot first, then the packet split into pieces of the given
 * lengths (the last piece takes the rest), each copied to its own place
 * with gaps between, RS on the last (EOP) only. Returns the descriptors
 * used, context included.
 */
static unsigned put_packet(struct fake *fk, unsigned first, const struct pkt *k,
			   const uint32_t *pieces, unsigned npieces)
{
	uint32_t total = k->hdrlen + k->paylen, off = 0;
	uint64_t at = BUFS;
	unsigned i;

	put_ctx(fk, first, k, 0);
	for (i = 0; off < total; i++) {
		uint32_t n = i < npieces && pieces[i] < total - off ? pieces[i] : total - off;
		bool eop = off + n == total;

		memcpy(fk->ram + at, fk->ram + PKT + off, n);
		put_data(fk, first + 1 + i, at, n,
			 eop ? E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS | E1000_TXD_CMD_IFCS
			     : E1000_TXD_CMD_IFCS, popts_of(k));
		at += n + 64 + (i * 7) % 13;	/* not contiguous, odd alignments */
		off += n;
	}
	return i + 1;
}

static struct pkt v4(uint32_t paylen, uint32_t mss)
{
	return (struct pkt){ .proto = V4_TCP, .ip = 14, .l4 = 34, .hdrlen = 66, .paylen = paylen,
			     .mss = mss, .flags = 0x19 /* FIN|PSH|ACK */, .ipid = 0xfffe,
			     .seq = 0xfffff000 };
}

/*
 * Send with peek/complete and check every frame; then the descriptors: DD
 * only on the last one (the only one with RS), TDH past the packet only
 * after the last frame, TXDW only then.
 */
static void send_and_check_peek(struct fake *fk, const struct pkt *k, unsigned ndesc)
{
	struct e1000 *d = &fk->dev;
	static uint8_t want[E1000_MAX_FRAME_JUMBO];
	uint32_t head = d->tdh, frames = frames_of(k), data_head = head;
	struct e1000_frame f;

	/* A context descriptor first is consumed at once (no RS: no DD). */
	if ((txd(fk, head)[11] & E1000_TXD_CMD_DEXT) && (txd(fk, head)[10] >> 4) == E1000_TXD_DTYP_C)
		data_head = (head + 1) % RING_N;
	(void)rd(fk, E1000_ICR);
	wr(fk, E1000_TDT, (head + ndesc) % RING_N);
	for (uint32_t s = 0; s < frames; s++) {
		uint32_t len = expected_frame(fk, k, s, want);

		assert_int_equal(e1000_tx_peek(d, &f), 1);
		assert_true(f.bounced);
		assert_int_equal(f.nseg, 1);
		assert_int_equal(f.len, len < 60 ? 60 : len);
		assert_memory_equal(f.seg[0].data, want, len);
		assert_checksums_valid(k, f.seg[0].data, len);
		if (is_tcp(k)) {	/* spelled out, though the bytes say it already */
			const uint8_t *l4 = f.seg[0].data + k->l4;

			assert_int_equal(rbe32(l4 + 4), k->seq + s * k->mss);
			assert_int_equal(l4[13] & 0x09, s + 1 < frames ? 0 : k->flags & 0x09);
		}
		/* A second peek gives the same frame again (retry after EAGAIN). */
		assert_int_equal(e1000_tx_peek(d, &f), 1);
		assert_memory_equal(f.seg[0].data, want, len);
		if (s + 1 < frames) {
			e1000_tx_complete(d, &f);
			assert_int_equal(rd(fk, E1000_TDH), data_head);
			assert_int_equal(txd(fk, head + ndesc - 1)[12], 0);
			assert_false(fk->irq);
		} else {
			e1000_tx_complete(d, &f);
		}
	}
	assert_int_equal(rd(fk, E1000_TDH), (head + ndesc) % RING_N);
	for (unsigned i = 1; i + 1 < ndesc; i++)
		assert_int_equal(txd(fk, head + i)[12], 0);
	assert_int_equal(txd(fk, head + ndesc - 1)[12], E1000_TXD_STAT_DD);
	assert_true(fk->irq);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_TXDW | E1000_ICR_TXQE);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(total_errors(fk), 0);
}

/* ---------------------------------------------------------- good packets */

static void test_tso_v4_linux_layout(void **state)
{
	struct fake *fk = *state;
	struct pkt k = v4(4000, 1448);
	uint32_t pieces[] = { 66 };	/* header alone, as Linux maps skb->data */
	unsigned n;

	build_packet(fk, &k);
	tx_setup(fk);
	n = put_packet(fk, 0, &k, pieces, 1);
	assert_int_equal(n, 3);
	send_and_check_peek(fk, &k, n);
	/* Statistics: three frames, one segmentation context. */
	assert_int_equal(rd(fk, E1000_GPTC), 3);
	assert_int_equal(rd(fk, E1000_TPT), 3);
	assert_int_equal(rd(fk, E1000_GOTCL), 2 * (66 + 1448 + 4) + 66 + 1104 + 4);
	assert_int_equal(rd(fk, E1000_GOTCH), 0);
	assert_int_equal(rd(fk, E1000_PTC1522), 3);
	assert_int_equal(rd(fk, E1000_TSCTC), 1);
	assert_int_equal(rd(fk, E1000_TSCTFC), 0);
}

static void test_tso_mss_values(void **state)
{
	struct fake *fk = *state;
	static const uint32_t cases[][2] = {
		{ 3000, 1452 }, { 2904, 1452 },	/* the longest; exact multiple */
		{ 1000, 1448 },			/* one frame: FIN/PSH stay */
		{ 1000, 536 }, { 777, 100 }, { 40, 1 }, { 9, 2 },
	};
	uint32_t pieces[] = { 66, 5, 1, 1000, 3 };

	tx_setup(fk);
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct pkt k = v4(cases[c][0], cases[c][1]);
		unsigned n;

		k.seq = 1000u * c;
		k.ipid = (uint16_t)(0xfff0 + c);
		build_packet(fk, &k);
		n = put_packet(fk, fk->dev.tdh, &k, pieces, 5);
		send_and_check_peek(fk, &k, n);
	}
	assert_int_equal(rd(fk, E1000_TSCTC), 7);
	{	/* no TCP options: MSS 1460, 1518-byte frames */
		struct pkt k = v4(3 * 1460 + 1, 1460);

		k.hdrlen = 54;
		(void)rd(fk, E1000_PTC1522);
		(void)rd(fk, E1000_PTC64);
		build_packet(fk, &k);
		send_and_check_peek(fk, &k, put_packet(fk, fk->dev.tdh, &k, pieces, 1));
		assert_int_equal(rd(fk, E1000_PTC1522), 3);
		assert_int_equal(rd(fk, E1000_PTC64), 1);
	}
}

/* Header split across descriptors (even mid-field), payload at odd boundaries. */
static void test_tso_split_descriptors(void **state)
{
	struct fake *fk = *state;
	struct pkt k = v4(5000, 1448);
	uint32_t pieces[] = { 7, 30, 17, 13, 1, 999, 1501, 2, 3 };
	unsigned n;

	build_packet(fk, &k);
	tx_setup(fk);
	n = put_packet(fk, 0, &k, pieces, 9);
	assert_int_equal(n, 11);
	send_and_check_peek(fk, &k, n);
}

/* One descriptor with the header and all the payload; more TCP options. */
static void test_tso_one_descriptor(void **state)
{
	struct fake *fk = *state;
	struct pkt k = v4(65536 - 78, 1436);
	unsigned n;

	k.hdrlen = 78;	/* 24 bytes of TCP options */
	build_packet(fk, &k);
	tx_setup(fk);
	n = put_packet(fk, 0, &k, NULL, 0);
	assert_int_equal(n, 2);
	send_and_check_peek(fk, &k, n);
	assert_int_equal(rd(fk, E1000_GPTC), frames_of(&k));
}

static void test_tso_ipv6(void **state)
{
	struct fake *fk = *state;
	struct pkt k = { .proto = V6_TCP, .ip = 14, .l4 = 54, .hdrlen = 74, .paylen = 4321,
			 .mss = 1428, .flags = 0x18, .seq = 7 };
	uint32_t pieces[] = { 74, 100, 2000 };

	build_packet(fk, &k);
	tx_setup(fk);
	send_and_check_peek(fk, &k, put_packet(fk, 0, &k, pieces, 3));
}

/* TSE with UDP (TUCMD.TCP clear): each frame gets its UDP length and checksum. */
static void test_tso_udp(void **state)
{
	struct fake *fk = *state;
	struct pkt k = { .proto = V4_UDP, .ip = 14, .l4 = 34, .hdrlen = 42, .paylen = 3000,
			 .mss = 1400, .ipid = 5 };

	build_packet(fk, &k);
	tx_setup(fk);
	send_and_check_peek(fk, &k, put_packet(fk, 0, &k, NULL, 0));
}

/* The frames through the in-flight interface (cross-talk's), with an unfetch. */
static void test_tso_fetch(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct pkt k = v4(6000, 1448);
	uint32_t pieces[] = { 66, 3000 };
	static uint8_t want[E1000_MAX_FRAME_JUMBO];
	uint32_t frames = frames_of(&k);
	unsigned n, id, ids[8];
	struct e1000_frame f;

	build_packet(fk, &k);
	tx_setup(fk);
	n = put_packet(fk, 0, &k, pieces, 2);
	/* A plain frame after it, to see the cursor move past the packet. */
	put_le64(txd(fk, n), PKT);
	put_le16(txd(fk, n) + 8, 100);
	txd(fk, n)[11] = E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS;
	wr(fk, E1000_TDT, n + 1);
	for (uint32_t s = 0; s < frames; s++) {
		uint32_t len = expected_frame(fk, &k, s, want);

		assert_int_equal(e1000_tx_fetch(d, &f, &id), 1);
		assert_int_equal(f.len, len);
		assert_memory_equal(f.seg[0].data, want, len);
		if (s == 2) {	/* the receiver had no room: the same frame again */
			e1000_tx_unfetch(d, id);
			assert_int_equal(e1000_tx_fetch(d, &f, &id), 1);
			assert_memory_equal(f.seg[0].data, want, len);
		}
		ids[s] = id;
	}
	assert_int_equal(e1000_tx_fetch(d, &f, &id), 1);
	assert_int_equal(f.len, 100);
	assert_ptr_equal(f.seg[0].data, fk->ram + PKT);
	ids[frames] = id;
	assert_int_equal(e1000_tx_inflight(d), frames + 1);
	/* Done out of order: nothing is handed back before the first frame
	 * (but the context descriptor, done at once). */
	for (uint32_t s = frames + 1; s-- > 1;)
		e1000_tx_done(d, ids[s]);
	assert_int_equal(rd(fk, E1000_TDH), 1);
	assert_int_equal(txd(fk, n - 1)[12], 0);
	e1000_tx_done(d, ids[0]);
	assert_int_equal(rd(fk, E1000_TDH), n + 1);
	assert_int_equal(txd(fk, n - 1)[12], E1000_TXD_STAT_DD);
	assert_int_equal(txd(fk, n)[12], E1000_TXD_STAT_DD);
	assert_int_equal(rd(fk, E1000_GPTC), frames + 1);
	assert_int_equal(rd(fk, E1000_TSCTC), 1);
	assert_int_equal(total_errors(fk), 0);
}

/* Frames retired one by one as fetched: TDH stays on the packet until its last. */
static void test_tso_fetch_in_step(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct pkt k = v4(3000, 1000);
	struct e1000_frame f;
	unsigned n, id;

	build_packet(fk, &k);
	tx_setup(fk);
	n = put_packet(fk, 0, &k, NULL, 0);
	wr(fk, E1000_TDT, n);
	for (unsigned s = 0; s < 3; s++) {
		assert_int_equal(e1000_tx_fetch(d, &f, &id), 1);
		e1000_tx_done(d, id);
		assert_int_equal(rd(fk, E1000_TDH), s < 2 ? 1 : n);
	}
	assert_int_equal(e1000_tx_fetch(d, &f, &id), 0);
	assert_int_equal(txd(fk, n - 1)[12], E1000_TXD_STAT_DD);
}

/* VLAN insertion applies to every frame; padding to short ones. */
static void test_tso_vlan_and_padding(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct pkt k = v4(1444 + 3, 1444);	/* 66 + 1444 + tag + FCS = 1518 */
	static uint8_t want[E1000_MAX_FRAME_JUMBO];
	struct e1000_frame f;
	unsigned n;

	build_packet(fk, &k);
	tx_setup(fk);
	wr(fk, E1000_CTRL, rd(fk, E1000_CTRL) | E1000_CTRL_VME);
	n = put_packet(fk, 0, &k, NULL, 0);
	txd(fk, n - 1)[11] |= E1000_TXD_CMD_VLE;
	put_le16(txd(fk, n - 1) + 14, 0x2005);
	wr(fk, E1000_TDT, n);
	for (unsigned s = 0; s < 2; s++) {
		uint32_t len = expected_frame(fk, &k, s, want);

		assert_int_equal(e1000_tx_peek(d, &f), 1);
		assert_int_equal(f.len, len + 4 < 60 ? 60 : len + 4);
		assert_memory_equal(f.seg[0].data, want, 12);
		assert_int_equal(f.seg[0].data[12], 0x81);
		assert_int_equal(f.seg[0].data[13], 0x00);
		assert_int_equal(f.seg[0].data[14], 0x20);
		assert_int_equal(f.seg[0].data[15], 0x05);
		assert_memory_equal(f.seg[0].data + 16, want + 12, len - 12);
		for (uint32_t i = len + 4; i < f.len; i++)
			assert_int_equal(f.seg[0].data[i], 0);
		e1000_tx_complete(d, &f);
	}
	assert_int_equal(rd(fk, E1000_TDH), n);
	assert_int_equal(total_errors(fk), 0);
}

/* The prototype header is read once: rewriting it mid-packet changes nothing. */
static void test_tso_header_read_once(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct pkt k = v4(3000, 1448);
	uint32_t pieces[] = { 66 };
	static uint8_t want[E1000_MAX_FRAME_JUMBO];
	struct e1000_frame f;
	unsigned n;

	build_packet(fk, &k);
	tx_setup(fk);
	n = put_packet(fk, 0, &k, pieces, 1);
	wr(fk, E1000_TDT, n);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	e1000_tx_complete(d, &f);
	memset(fk->ram + BUFS, 0xee, 66);		/* the header's buffer */
	memset(txd(fk, 0), 0xee, 16);			/* and the context, consumed */
	for (unsigned s = 1; s < 3; s++) {
		uint32_t len = expected_frame(fk, &k, s, want);

		assert_int_equal(e1000_tx_peek(d, &f), 1);
		assert_memory_equal(f.seg[0].data, want, len);
		e1000_tx_complete(d, &f);
	}
	assert_int_equal(rd(fk, E1000_TDH), n);
}

/* The 256 KiB cap itself is fine: 182 frames from 64 descriptors. */
static void test_tso_largest(void **state)
{
	struct fake *fk = *state;
	struct pkt k = v4(E1000_TSO_MAX - 66, 1448);
	uint32_t pieces[63];
	unsigned n;

	for (unsigned i = 0; i < 63; i++)
		pieces[i] = i ? 4096 : 66;
	build_packet(fk, &k);
	tx_setup(fk);
	n = put_packet(fk, 0, &k, pieces, 63);
	assert_int_equal(n, 1 + E1000_TX_MAX_SEGS);
	send_and_check_peek(fk, &k, n);
	assert_int_equal(rd(fk, E1000_TSCTC), 1);
}

/* Ordinary checksum offload still works after a TSE context (and without one). */
static void test_tso_then_plain(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct pkt k = v4(100, 1448);
	struct e1000_frame f;
	uint32_t len = build_packet(fk, &k);
	uint8_t *p = fk->ram + PKT;

	/* Make it a plain frame with a full pseudo-header seed and lengths. */
	be16(p + 16, len - 14);
	be16(p + 50, ref_fold(pseudo(&k, len - 34)));
	tx_setup(fk);
	put_ctx(fk, 0, &k, 0);	/* TSE context... */
	put_le64(txd(fk, 1), PKT);
	put_le32(txd(fk, 1) + 8, len | E1000_TXD_DTYP_D << 20 |
		 (uint32_t)(E1000_TXD_CMD_DEXT | E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS) << 24);
	txd(fk, 1)[13] = E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM;	/* ...data without TSE */
	wr(fk, E1000_TDT, 2);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_int_equal(f.len, len);
	assert_checksums_valid(&k, f.seg[0].data, len);
	e1000_tx_complete(d, &f);
	assert_int_equal(rd(fk, E1000_TSCTC), 0);
	assert_int_equal(total_errors(fk), 0);
}

/* ---------------------------------------------------------- bad packets */

/* Dropped, counted as err, descriptors completed, and the ring goes on. */
static void assert_dropped(struct fake *fk, unsigned n, enum e1000_err err)
{
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;
	uint32_t head = d->tdh, frames;
	struct pkt k = v4(2000, 1000);

	(void)rd(fk, E1000_ICR);
	wr(fk, E1000_TDT, (head + n) % RING_N);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[err], 1);
	assert_int_equal(total_errors(fk), 1);
	assert_int_equal(rd(fk, E1000_TDH), (head + n) % RING_N);
	assert_int_equal(txd(fk, head + n - 1)[12], E1000_TXD_STAT_DD);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_TXDW | E1000_ICR_TXQE);
	assert_int_equal(rd(fk, E1000_TSCTFC), 1);
	assert_int_equal(rd(fk, E1000_GPTC), 0);
	/* A good packet right after it goes out whole. */
	memset(fk->err, 0, sizeof(fk->err));
	build_packet(fk, &k);
	frames = frames_of(&k);
	send_and_check_peek(fk, &k, put_packet(fk, d->tdh, &k, NULL, 0));
	assert_int_equal(rd(fk, E1000_GPTC), frames);
}

static void bad_ctx_case(struct fake *fk, void (*mangle)(struct fake *, struct pkt *, unsigned),
			 enum e1000_err err)
{
	struct pkt k = v4(3000, 1448);
	uint32_t pieces[] = { 66 };
	unsigned n;

	build_packet(fk, &k);
	tx_setup(fk);
	n = put_packet(fk, 0, &k, pieces, 1);
	mangle(fk, &k, n);
	assert_dropped(fk, n, err);
}

static void mss_zero(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)k;
	(void)n;
	put_le16(txd(fk, 0) + 14, 0);
}

static void hdrlen_zero(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)k;
	(void)n;
	txd(fk, 0)[13] = 0;
}

static void hdrlen_over_240(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)n;
	/* 250 header bytes, as many fewer of payload: lengths still add up. */
	txd(fk, 0)[13] = 250;
	put_le32(txd(fk, 0) + 8, (get_le32(txd(fk, 0) + 8) & ~0xfffffu) | (k->paylen - 184));
}

static void paylen_mismatch(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)n;
	put_le32(txd(fk, 0) + 8, (get_le32(txd(fk, 0) + 8) & ~0xfffffu) | (k->paylen + 1));
}

static void paylen_zero(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)k;
	(void)n;
	put_le32(txd(fk, 0) + 8, get_le32(txd(fk, 0) + 8) & ~0xfffffu);
}

static void hdrlen_beyond_buffers(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)n;
	/* HDRLEN 200 with PAYLEN 0 would be total 200: here PAYLEN stays, so
	 * HDRLEN + PAYLEN exceed what the descriptors hold. */
	(void)k;
	txd(fk, 0)[13] = 200;
}

static void no_tse_in_context(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)k;
	(void)n;
	txd(fk, 0)[11] &= (uint8_t)~E1000_TXD_CMD_TSE;
}

static void tcp_beyond_header(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)k;
	(void)n;
	txd(fk, 0)[4] = 50;	/* TUCSS + 20 > HDRLEN 66 */
}

static void ip_beyond_header(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)k;
	(void)n;
	txd(fk, 0)[0] = 60;
}

static void ipv6_header_short(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)k;
	(void)n;
	txd(fk, 0)[11] &= (uint8_t)~E1000_TXD_CMD_IP;	/* IPv6: a 40-byte header */
	txd(fk, 0)[0] = 30;				/* at 30: ends beyond 66 */
}

static void tucso_beyond_header(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)k;
	(void)n;
	txd(fk, 0)[5] = 65;
}

static void ipcse_beyond_header(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)k;
	(void)n;
	put_le16(txd(fk, 0) + 2, 66);
}

static void tse_on_first_only(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)k;
	txd(fk, n - 1)[11] &= (uint8_t)~E1000_TXD_CMD_TSE;
}

static void frame_too_long(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)k;
	(void)n;
	put_le16(txd(fk, 0) + 14, 1453);	/* 66 + 1453 + FCS > 1522 */
}

static void payload_outside(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)k;
	put_le64(txd(fk, n - 1), OUTSIDE);
}

static void header_outside(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)k;
	(void)n;
	put_le64(txd(fk, 1), RAM_SIZE - 10);
}

static void buffer_wraps(struct fake *fk, struct pkt *k, unsigned n)
{
	(void)k;
	put_le64(txd(fk, n - 1), UINT64_MAX - 100);
}

static void test_tso_bad_mss_zero(void **state)
{
	bad_ctx_case(*state, mss_zero, E1000_ERR_BAD_TSO);
}

static void test_tso_bad_hdrlen_zero(void **state)
{
	bad_ctx_case(*state, hdrlen_zero, E1000_ERR_BAD_TSO);
}

static void test_tso_bad_hdrlen_over_240(void **state)
{
	bad_ctx_case(*state, hdrlen_over_240, E1000_ERR_BAD_TSO);
}

static void test_tso_bad_paylen(void **state)
{
	bad_ctx_case(*state, paylen_mismatch, E1000_ERR_BAD_TSO);
}

static void test_tso_bad_paylen_zero(void **state)
{
	bad_ctx_case(*state, paylen_zero, E1000_ERR_BAD_TSO);
}

static void test_tso_bad_hdrlen_beyond(void **state)
{
	bad_ctx_case(*state, hdrlen_beyond_buffers, E1000_ERR_BAD_TSO);
}

static void test_tso_bad_context_not_tse(void **state)
{
	bad_ctx_case(*state, no_tse_in_context, E1000_ERR_BAD_TSO);
}

static void test_tso_bad_offsets(void **state)
{
	bad_ctx_case(*state, tcp_beyond_header, E1000_ERR_BAD_TSO);
}

static void test_tso_bad_ip_offset(void **state)
{
	bad_ctx_case(*state, ip_beyond_header, E1000_ERR_BAD_TSO);
}

static void test_tso_bad_ipv6_offset(void **state)
{
	bad_ctx_case(*state, ipv6_header_short, E1000_ERR_BAD_TSO);
}

static void test_tso_bad_tucso(void **state)
{
	bad_ctx_case(*state, tucso_beyond_header, E1000_ERR_BAD_TSO);
}

static void test_tso_bad_ipcse(void **state)
{
	bad_ctx_case(*state, ipcse_beyond_header, E1000_ERR_BAD_TSO);
}

static void test_tso_bad_mixed_tse(void **state)
{
	bad_ctx_case(*state, tse_on_first_only, E1000_ERR_BAD_DESC);
}

static void test_tso_bad_too_long(void **state)
{
	bad_ctx_case(*state, frame_too_long, E1000_ERR_LONG_FRAME);
}

static void test_tso_bad_payload_outside(void **state)
{
	bad_ctx_case(*state, payload_outside, E1000_ERR_BUF_DMA);
}

static void test_tso_bad_header_outside(void **state)
{
	bad_ctx_case(*state, header_outside, E1000_ERR_BUF_DMA);
}

static void test_tso_bad_buffer_wraps(void **state)
{
	bad_ctx_case(*state, buffer_wraps, E1000_ERR_BUF_DMA);
}

/* No context since reset: TSE data descriptors are refused. */
static void test_tso_bad_no_context(void **state)
{
	struct fake *fk = *state;
	struct pkt k = v4(3000, 1448);
	unsigned n;

	build_packet(fk, &k);
	tx_setup(fk);
	n = put_packet(fk, 0, &k, NULL, 0);
	/* Replace the context by a harmless plain frame of one descriptor. */
	memset(txd(fk, 0), 0, 16);
	put_le64(txd(fk, 0), PKT);
	put_le16(txd(fk, 0) + 8, 100);
	txd(fk, 0)[11] = E1000_TXD_CMD_EOP;
	wr(fk, E1000_TDT, n);
	{
		struct e1000_frame f;

		assert_int_equal(e1000_tx_peek(&fk->dev, &f), 1);
		assert_int_equal(f.len, 100);
		e1000_tx_complete(&fk->dev, &f);
		assert_int_equal(e1000_tx_peek(&fk->dev, &f), 0);
	}
	assert_int_equal(fk->err[E1000_ERR_BAD_TSO], 1);
	assert_int_equal(rd(fk, E1000_TDH), n);
	assert_int_equal(txd(fk, n - 1)[12], E1000_TXD_STAT_DD);
}

/* More than 256 KiB in one packet (65 descriptors' worth is not even needed). */
static void test_tso_bad_over_cap(void **state)
{
	struct fake *fk = *state;
	struct pkt k = v4(E1000_TSO_MAX - 66 + 1, 1460);
	uint32_t pieces[63];
	unsigned n;

	for (unsigned i = 0; i < 63; i++)
		pieces[i] = i ? 4096 : 66;
	build_packet(fk, &k);
	tx_setup(fk);
	n = put_packet(fk, 0, &k, pieces, 63);
	assert_dropped(fk, n, E1000_ERR_BAD_TSO);
}

/* A buffer taken away after the first frame: the rest is dropped, the ring completes. */
static void test_tso_unmapped_mid_packet(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct pkt k = v4(4000, 1448);
	uint32_t pieces[] = { 66, 1448, 1448 };
	struct e1000_frame f;
	unsigned n, id;

	build_packet(fk, &k);
	tx_setup(fk);
	n = put_packet(fk, 0, &k, pieces, 3);
	wr(fk, E1000_TDT, n);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	e1000_tx_complete(d, &f);
	fk->refuse_lo = get_le64(txd(fk, 3));
	fk->refuse_hi = fk->refuse_lo + 1;
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_BUF_DMA], 1);
	assert_int_equal(rd(fk, E1000_TDH), n);
	assert_int_equal(txd(fk, n - 1)[12], E1000_TXD_STAT_DD);
	assert_int_equal(rd(fk, E1000_TSCTFC), 1);
	assert_int_equal(rd(fk, E1000_TSCTC), 0);
	assert_int_equal(rd(fk, E1000_GPTC), 1);

	/* The same through the in-flight interface. */
	fk->refuse_hi = 0;
	n = put_packet(fk, n, &k, pieces, 3);
	wr(fk, E1000_TDT, d->tdh + n);
	assert_int_equal(e1000_tx_fetch(d, &f, &id), 1);
	e1000_tx_done(d, id);
	fk->refuse_lo = get_le64(txd(fk, d->tdh + 2));	/* frame 1's buffer */
	fk->refuse_hi = fk->refuse_lo + 1;
	assert_int_equal(e1000_tx_fetch(d, &f, &id), 0);
	assert_int_equal(fk->err[E1000_ERR_BUF_DMA], 2);
	assert_int_equal(rd(fk, E1000_TDH), 2 * n);
	assert_int_equal(txd(fk, 2 * n - 1)[12], E1000_TXD_STAT_DD);
	assert_int_equal(e1000_tx_inflight(d), 0);
}

/* The guest moves the ring (TDH write) or resets mid-packet: the state goes. */
static void test_tso_ring_rewritten(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct pkt k = v4(4000, 1448);
	struct e1000_frame f;
	unsigned n;

	build_packet(fk, &k);
	tx_setup(fk);
	n = put_packet(fk, 0, &k, NULL, 0);
	wr(fk, E1000_TDT, n);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	e1000_tx_complete(d, &f);
	assert_true(d->tso.active);
	wr(fk, E1000_TDH, 1);	/* same place, but the state must go */
	assert_false(d->tso.active);
	/* From the data descriptor at 1 the context is still loaded: the
	 * packet starts again from its first frame. */
	send_and_check_peek(fk, &k, n - 1);

	n = put_packet(fk, d->tdh, &k, NULL, 0);
	wr(fk, E1000_TDT, (d->tdh + n) % RING_N);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	e1000_tx_complete(d, &f);
	e1000_reset(d);
	assert_false(d->tso.active);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
}

/* TDT pulled back into the packet between frames: nothing more until it returns. */
static void test_tso_tdt_pulled_back(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct pkt k = v4(4000, 1448);
	uint32_t pieces[] = { 66, 1000, 1000 };
	static uint8_t want[E1000_MAX_FRAME_JUMBO];
	struct e1000_frame f;
	unsigned n;

	build_packet(fk, &k);
	tx_setup(fk);
	n = put_packet(fk, 0, &k, pieces, 3);
	wr(fk, E1000_TDT, n);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	e1000_tx_complete(d, &f);
	wr(fk, E1000_TDT, 3);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(rd(fk, E1000_TDH), 1);
	wr(fk, E1000_TDT, n);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	expected_frame(fk, &k, 1, want);
	assert_memory_equal(f.seg[0].data, want, f.len);
	assert_int_equal(total_errors(fk), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tso_v4_linux_layout),
		T(test_tso_mss_values),
		T(test_tso_split_descriptors),
		T(test_tso_one_descriptor),
		T(test_tso_ipv6),
		T(test_tso_udp),
		T(test_tso_fetch),
		T(test_tso_fetch_in_step),
		T(test_tso_vlan_and_padding),
		T(test_tso_header_read_once),
		T(test_tso_largest),
		T(test_tso_then_plain),
		T(test_tso_bad_mss_zero),
		T(test_tso_bad_hdrlen_zero),
		T(test_tso_bad_hdrlen_over_240),
		T(test_tso_bad_paylen),
		T(test_tso_bad_paylen_zero),
		T(test_tso_bad_hdrlen_beyond),
		T(test_tso_bad_context_not_tse),
		T(test_tso_bad_offsets),
		T(test_tso_bad_ip_offset),
		T(test_tso_bad_ipv6_offset),
		T(test_tso_bad_tucso),
		T(test_tso_bad_ipcse),
		T(test_tso_bad_mixed_tse),
		T(test_tso_bad_too_long),
		T(test_tso_bad_payload_outside),
		T(test_tso_bad_header_outside),
		T(test_tso_bad_buffer_wraps),
		T(test_tso_bad_no_context),
		T(test_tso_bad_over_cap),
		T(test_tso_unmapped_mid_packet),
		T(test_tso_ring_rewritten),
		T(test_tso_tdt_pulled_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
