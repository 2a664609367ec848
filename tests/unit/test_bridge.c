// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the VMM's software bridge (vmm/net/bridge.c), driving real
 * 82540EM models (devices/e1000*.c) over fake guest memory. Each fake guest
 * has 1 MiB of "RAM" (dma_map translates GPAs into it and refuses anything
 * outside), a bounce buffer, and an e1000 whose ops are wired as vmm/net/nic.c
 * wires them: tx_kick -> bridge_tx, rx_kick -> bridge_rx_ready, reset ->
 * bridge_port_reset. The NICs are programmed only through e1000_mmio_write,
 * as a driver would, and results are read back from the descriptors and
 * buffers in the fake RAM.
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
#include "lib/xerrno.h"
#include "vmm/net/bridge.h"

/* Guest physical layout of every fake guest. */
#define RAM_SIZE	(1u << 20)
#define TX_RING		0x00000u	/* up to TX_MAX descriptors */
#define RX_RING		0x01000u	/* up to RX_MAX descriptors */
#define RX_BUF		0x10000u	/* RX_MAX x BUF_SIZE */
#define TX_BUF		0x40000u	/* TX_MAX x BUF_SIZE, one slot per descriptor */
#define BUF_SIZE	2048u
#define TX_MAX		256u
#define RX_MAX		64u
#define NGUESTS		5
#define ETH_TYPE	0x88b5		/* IEEE local experimental */
#define HDR_LEN		18		/* dst, src, type, 4-byte sequence number */
#define MAX_FRAME	16000u

#define NET1		1
#define NET2		2

struct guest {
	struct e1000 nic;
	uint8_t *ram;
	uint8_t *bounce;
	uint8_t mac[6];
	unsigned port;
	bool secrc;			/* RCTL.SECRC as programmed */
	/* Callbacks seen. */
	bool irq;
	unsigned irq_raised;
	unsigned errors[E1000_ERR_COUNT];
	/* The "driver's" view of its rings. */
	unsigned tx_n, rx_n;
	uint32_t tdt, tx_clean;
	uint32_t rdt, rx_next;
};

static struct bridge br;
static struct guest gs[NGUESTS];
static unsigned nguests;

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t unknown_mac[6] = { 0x52, 0x54, 0x00, 0xee, 0xee, 0xee };
static const uint8_t mcast_mac[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };

/* ---------------------------------------------------------- ops */

static void *g_dma(void *ctx, uint64_t gpa, uint64_t len)
{
	struct guest *g = ctx;

	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	return g->ram + gpa;
}

static void g_irq(void *ctx, bool level)
{
	struct guest *g = ctx;

	assert_true(level != g->irq);	/* changes only */
	g->irq = level;
	if (level)
		g->irq_raised++;
}

static void g_tx_kick(void *ctx)
{
	bridge_tx(&br, ((struct guest *)ctx)->port);
}

static void g_rx_kick(void *ctx)
{
	bridge_rx_ready(&br, ((struct guest *)ctx)->port);
}

static void g_reset(void *ctx)
{
	bridge_port_reset(&br, ((struct guest *)ctx)->port);
}

static void g_error(void *ctx, enum e1000_err e, uint64_t detail)
{
	struct guest *g = ctx;

	(void)detail;
	assert_true((unsigned)e < E1000_ERR_COUNT);
	g->errors[e]++;
}

static const struct e1000_ops g_ops = {
	.dma_map = g_dma,
	.set_irq = g_irq,
	.tx_kick = g_tx_kick,
	.rx_kick = g_rx_kick,
	.reset = g_reset,
	.error = g_error,
};

/* ---------------------------------------------------------- guests */

static void add_guest(uint16_t network)
{
	struct guest *g = &gs[nguests];
	int port;

	memset(g, 0, sizeof(*g));
	g->ram = calloc(1, RAM_SIZE);
	g->bounce = calloc(1, E1000_MAX_FRAME_JUMBO);
	assert_non_null(g->ram);
	assert_non_null(g->bounce);
	g->mac[0] = 0x52;
	g->mac[1] = 0x54;
	g->mac[4] = 0x01;
	g->mac[5] = (uint8_t)(nguests + 1);
	e1000_init(&g->nic, g->mac, &g_ops, g, g->bounce);
	port = bridge_add_port(&br, &g->nic, g->mac, network);
	assert_int_equal(port, (int)nguests);
	g->port = (unsigned)port;
	nguests++;
}

static uint32_t rd(struct guest *g, uint32_t off)
{
	return e1000_mmio_read(&g->nic, off, 4);
}

static void wr(struct guest *g, uint32_t off, uint32_t v)
{
	e1000_mmio_write(&g->nic, off, 4, v);
}

static uint8_t *txd(struct guest *g, unsigned idx)
{
	return g->ram + TX_RING + 16 * idx;
}

static uint8_t *rxd(struct guest *g, unsigned idx)
{
	return g->ram + RX_RING + 16 * idx;
}

/* RX descriptors the driver may still hand to the NIC. */
static unsigned rx_postable(const struct guest *g)
{
	return g->rx_n - 1 - (g->rdt + g->rx_n - g->rx_next) % g->rx_n;
}

/* Give up to n RX buffers (RDT write: rx_kick); returns how many. */
static unsigned post_rx(struct guest *g, unsigned n)
{
	unsigned room = rx_postable(g), i;

	if (n > room)
		n = room;
	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		uint8_t *d = rxd(g, g->rdt);

		memset(d, 0, 16);
		put_le64(d, RX_BUF + (uint64_t)g->rdt * BUF_SIZE);
		g->rdt = (g->rdt + 1) % g->rx_n;
	}
	wr(g, E1000_RDT, g->rdt);
	return n;
}

static unsigned post_all(struct guest *g)
{
	return post_rx(g, RX_MAX);
}

/* RCTL as the test driver writes it: 2048-byte buffers, broadcasts on. */
static uint32_t rctl_of(uint32_t extra)
{
	return E1000_RCTL_EN | E1000_RCTL_BAM | extra;
}

/* Program the NIC as a driver does after reset; post rx_post buffers. */
static void nic_up(struct guest *g, unsigned tx_n, unsigned rx_n, uint32_t rctl, unsigned rx_post)
{
	assert_true(tx_n <= TX_MAX && tx_n % 8 == 0);
	assert_true(rx_n <= RX_MAX && rx_n % 8 == 0);
	g->tx_n = tx_n;
	g->rx_n = rx_n;
	g->tdt = g->tx_clean = 0;
	g->rdt = g->rx_next = 0;
	g->secrc = rctl & E1000_RCTL_SECRC;
	memset(g->ram + TX_RING, 0, 16 * TX_MAX);
	memset(g->ram + RX_RING, 0, 16 * RX_MAX);

	wr(g, E1000_IMS, E1000_ICR_RXT0 | E1000_ICR_TXDW);
	wr(g, E1000_TDBAL, TX_RING);
	wr(g, E1000_TDBAH, 0);
	wr(g, E1000_TDLEN, tx_n * 16);
	wr(g, E1000_TDH, 0);
	wr(g, E1000_TDT, 0);
	wr(g, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
	wr(g, E1000_RDBAL, RX_RING);
	wr(g, E1000_RDBAH, 0);
	wr(g, E1000_RDLEN, rx_n * 16);
	wr(g, E1000_RDH, 0);
	wr(g, E1000_RDT, 0);
	wr(g, E1000_RCTL, rctl);
	post_rx(g, rx_post);
}

/* Reclaim completed TX descriptors (DD); free descriptors left. */
static unsigned tx_free(struct guest *g)
{
	while (g->tx_clean != g->tdt && (txd(g, g->tx_clean)[E1000_TXD_STA] & E1000_TXD_STAT_DD))
		g->tx_clean = (g->tx_clean + 1) % g->tx_n;
	return g->tx_n - 1 - (g->tdt + g->tx_n - g->tx_clean) % g->tx_n;
}

/* Write a frame as nseg legacy descriptors (0: one per BUF_SIZE), TDT not written. */
static void queue_frame(struct guest *g, const uint8_t *frame, uint32_t len, unsigned nseg)
{
	uint32_t off = 0;

	if (!nseg)
		nseg = (len + BUF_SIZE - 1) / BUF_SIZE;
	assert_true(tx_free(g) >= nseg);
	for (unsigned k = 0; k < nseg; k++) {
		uint32_t n = k + 1 == nseg ? len - off : len / nseg;
		uint8_t *d = txd(g, g->tdt);
		uint64_t buf = TX_BUF + (uint64_t)g->tdt * BUF_SIZE;

		assert_true(n > 0 && n <= BUF_SIZE);
		memcpy(g->ram + buf, frame + off, n);
		memset(d, 0, 16);
		put_le64(d + E1000_TXD_ADDR, buf);
		put_le16(d + E1000_TXD_LENGTH, (uint16_t)n);
		d[E1000_TXD_CMD] = E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS |
				   (k + 1 == nseg ? E1000_TXD_CMD_EOP : 0);
		off += n;
		g->tdt = (g->tdt + 1) % g->tx_n;
	}
}

static void kick_tx(struct guest *g)
{
	wr(g, E1000_TDT, g->tdt);
}

static void send(struct guest *g, const uint8_t *frame, uint32_t len, unsigned nseg)
{
	queue_frame(g, frame, len, nseg);
	kick_tx(g);
}

/* The next received frame, FCS checked (zeros) and removed; false if none. */
static bool recv(struct guest *g, uint8_t *out, uint32_t *len)
{
	uint32_t total = 0;

	if (!(rxd(g, g->rx_next)[E1000_RXD_STATUS] & E1000_RXD_STAT_DD))
		return false;
	for (unsigned k = 0;; k++) {
		const uint8_t *d = rxd(g, g->rx_next);
		uint8_t st = d[E1000_RXD_STATUS];
		uint16_t n = get_le16(d + E1000_RXD_LENGTH);
		uint64_t addr = get_le64(d + E1000_RXD_ADDR);
		bool eop = st & E1000_RXD_STAT_EOP;

		assert_true(k < RX_MAX);
		assert_int_equal(st, E1000_RXD_STAT_DD | E1000_RXD_STAT_IXSM |
				 (eop ? E1000_RXD_STAT_EOP : 0));
		assert_int_equal(d[E1000_RXD_ERRORS], 0);
		assert_true(n > 0 && n <= BUF_SIZE);
		assert_int_equal(addr, RX_BUF + (uint64_t)g->rx_next * BUF_SIZE);
		if (!eop)
			assert_int_equal(n, BUF_SIZE);
		assert_true(total + n <= MAX_FRAME + E1000_CRC_LEN);
		memcpy(out + total, g->ram + addr, n);
		total += n;
		rxd(g, g->rx_next)[E1000_RXD_STATUS] = 0;	/* as a driver does */
		g->rx_next = (g->rx_next + 1) % g->rx_n;
		if (eop)
			break;
		assert_true(rxd(g, g->rx_next)[E1000_RXD_STATUS] & E1000_RXD_STAT_DD);
	}
	if (!g->secrc) {
		static const uint8_t zero[E1000_CRC_LEN];

		assert_true(total >= E1000_CRC_LEN);
		total -= E1000_CRC_LEN;
		assert_memory_equal(out + total, zero, E1000_CRC_LEN);
	}
	*len = total;
	return true;
}

/* Frame: dst, src, type, big-endian seq, then a pattern of (src, seq, offset). */
static void make_frame(uint8_t *f, uint32_t len, const uint8_t dst[6], const uint8_t src[6],
		       uint32_t seq)
{
	assert_true(len >= HDR_LEN && len <= MAX_FRAME);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETH_TYPE >> 8;
	f[13] = ETH_TYPE & 0xff;
	f[14] = (uint8_t)(seq >> 24);
	f[15] = (uint8_t)(seq >> 16);
	f[16] = (uint8_t)(seq >> 8);
	f[17] = (uint8_t)seq;
	for (uint32_t i = HDR_LEN; i < len; i++)
		f[i] = (uint8_t)(seq * 131 + i * 7 + src[5] * 29 + (i >> 8));
}

static uint32_t frame_seq(const uint8_t *f)
{
	return (uint32_t)f[14] << 24 | (uint32_t)f[15] << 16 | (uint32_t)f[16] << 8 | f[17];
}

static void send_to(struct guest *g, const uint8_t dst[6], uint32_t len, uint32_t seq,
		    unsigned nseg)
{
	static uint8_t f[MAX_FRAME];

	make_frame(f, len, dst, g->mac, seq);
	send(g, f, len, nseg);
}

/* Receive one frame and check it is exactly (dst, src, seq, len). */
static void expect_frame(struct guest *rx, const uint8_t dst[6], const struct guest *src,
			 uint32_t seq, uint32_t len)
{
	static uint8_t got[MAX_FRAME + 64], want[MAX_FRAME];
	uint32_t n;

	assert_true(recv(rx, got, &n));
	assert_int_equal(n, len);
	make_frame(want, len, dst, src->mac, seq);
	assert_memory_equal(got, want, len);
}

static void expect_nothing(struct guest *g)
{
	assert_false(rxd(g, g->rx_next)[E1000_RXD_STATUS] & E1000_RXD_STAT_DD);
}

static bool tx_done(struct guest *g, unsigned idx)
{
	return txd(g, idx)[E1000_TXD_STA] & E1000_TXD_STAT_DD;
}

static struct bridge_stats *st(const struct guest *g)
{
	return &br.port[g->port].st;
}

static void no_model_errors(void)
{
	for (unsigned i = 0; i < nguests; i++)
		for (unsigned e = 0; e < E1000_ERR_COUNT; e++)
			if (gs[i].errors[e])
				fail_msg("guest %u: e1000 error %s x%u", i,
					 e1000_err_name((enum e1000_err)e), gs[i].errors[e]);
}

static void bridge_idle(void)
{
	for (unsigned i = 0; i < nguests; i++) {
		assert_int_equal(br.port[i].blocked_on, -1);
		assert_false(br.port[i].pending_valid);
	}
}

/* MTA bit for dst with RCTL.MO = 0 (address bits 47:36). */
static void mta_set(struct guest *g, const uint8_t dst[6])
{
	uint32_t hash = ((uint32_t)dst[4] >> 4 | (uint32_t)dst[5] << 4) & 0xfff;

	wr(g, E1000_MTA + 4 * (hash >> 5), rd(g, E1000_MTA + 4 * (hash >> 5)) | 1u << (hash & 31));
}

/* ---------------------------------------------------------- fixture */

/* A, B, C on network 1, D on network 2; all up with 64/16 rings, 8 RX buffers. */
static int setup4(void **state)
{
	(void)state;
	bridge_init(&br);
	nguests = 0;
	add_guest(NET1);
	add_guest(NET1);
	add_guest(NET1);
	add_guest(NET2);
	for (unsigned i = 0; i < nguests; i++)
		nic_up(&gs[i], 64, 16, rctl_of(0), 8);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < nguests; i++) {
		free(gs[i].ram);
		free(gs[i].bounce);
	}
	nguests = 0;
	return 0;
}

#define A (&gs[0])
#define B (&gs[1])
#define C (&gs[2])
#define D (&gs[3])

/* ---------------------------------------------------------- tests */

static void test_unicast(void **state)
{
	static uint8_t f[200];
	const uint8_t *d;

	(void)state;
	make_frame(f, 100, B->mac, A->mac, 1);
	assert_false(B->irq);
	send(A, f, 100, 1);

	/* B: byte-exact, 4 zero FCS bytes counted in the length, DD|EOP. */
	d = rxd(B, 0);
	assert_int_equal(d[E1000_RXD_STATUS], E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP |
			 E1000_RXD_STAT_IXSM);
	assert_int_equal(get_le16(d + E1000_RXD_LENGTH), 100 + E1000_CRC_LEN);
	assert_memory_equal(B->ram + RX_BUF, f, 100);
	assert_int_equal(rd(B, E1000_RDH), 1);
	assert_false(rxd(B, 1)[E1000_RXD_STATUS]);
	assert_true(B->irq);
	assert_true(rd(B, E1000_ICR) & E1000_ICR_RXT0);
	assert_false(B->irq);
	assert_int_equal(rd(B, E1000_GPRC), 1);
	expect_frame(B, B->mac, A, 1, 100);

	/* A: DD written back, TDH moved, TXDW. */
	assert_true(tx_done(A, 0));
	assert_int_equal(rd(A, E1000_TDH), 1);
	assert_true(rd(A, E1000_ICR) & E1000_ICR_TXDW);
	assert_int_equal(rd(A, E1000_GPTC), 1);

	/* Nobody else. */
	expect_nothing(A);
	expect_nothing(C);
	expect_nothing(D);

	/* A few more, different sizes. */
	for (uint32_t i = 0; i < 5; i++)
		send_to(A, B->mac, 60 + 300 * i, 2 + i, 1);
	for (uint32_t i = 0; i < 5; i++)
		expect_frame(B, B->mac, A, 2 + i, 60 + 300 * i);
	expect_nothing(B);

	assert_int_equal(st(A)->tx_frames, 6);
	assert_int_equal(st(A)->tx_bytes, 100 + 60 + 360 + 660 + 960 + 1260);
	assert_int_equal(st(B)->rx_frames, 6);
	assert_int_equal(st(B)->rx_bytes, st(A)->tx_bytes);
	assert_int_equal(st(B)->copies, 6);
	assert_int_equal(st(B)->bytes_copied, st(A)->tx_bytes);
	assert_int_equal(st(A)->rx_frames + st(C)->rx_frames + st(D)->rx_frames, 0);
	assert_int_equal(st(A)->copies + st(C)->copies + st(D)->copies, 0);
	assert_int_equal(st(A)->drop_unknown + st(A)->drop_filtered + st(A)->drop_down +
			 st(A)->drop_error + st(A)->waits, 0);
	assert_int_equal(rd(A, E1000_TDH), 6);
	bridge_idle();
	no_model_errors();
}

/* SECRC set: no FCS in the buffer, the length is the frame's. */
static void test_unicast_secrc(void **state)
{
	(void)state;
	wr(C, E1000_RCTL, rctl_of(E1000_RCTL_SECRC));
	C->secrc = true;
	send_to(A, C->mac, 77, 9, 1);
	assert_int_equal(get_le16(rxd(C, 0) + E1000_RXD_LENGTH), 77);
	expect_frame(C, C->mac, A, 9, 77);
	/* Short frames are padded to 60 by TCTL.PSP. */
	send_to(A, C->mac, 40, 10, 1);
	assert_int_equal(get_le16(rxd(C, 1) + E1000_RXD_LENGTH), 60);
	assert_int_equal(st(C)->rx_bytes, 77 + 60);
	no_model_errors();
}

static void test_unicast_other_network_and_unknown(void **state)
{
	(void)state;
	send_to(A, D->mac, 100, 1, 1);		/* D is on network 2 */
	assert_int_equal(st(A)->drop_unknown, 1);
	assert_true(tx_done(A, 0));
	send_to(A, unknown_mac, 100, 2, 1);
	assert_int_equal(st(A)->drop_unknown, 2);
	assert_true(tx_done(A, 1));
	send_to(D, A->mac, 100, 3, 1);		/* and back */
	assert_int_equal(st(D)->drop_unknown, 1);
	assert_true(tx_done(D, 0));

	assert_int_equal(rd(A, E1000_TDH), 2);
	assert_int_equal(rd(D, E1000_TDH), 1);
	assert_int_equal(st(A)->tx_frames, 2);
	for (unsigned i = 0; i < nguests; i++) {
		expect_nothing(&gs[i]);
		assert_int_equal(st(&gs[i])->rx_frames, 0);
		assert_int_equal(st(&gs[i])->copies, 0);
		assert_int_equal(st(&gs[i])->waits, 0);
	}
	bridge_idle();
	no_model_errors();
}

static void test_broadcast(void **state)
{
	(void)state;
	send_to(A, bcast, 300, 1, 1);
	expect_frame(B, bcast, A, 1, 300);
	expect_frame(C, bcast, A, 1, 300);
	expect_nothing(B);
	expect_nothing(C);
	expect_nothing(A);
	expect_nothing(D);
	assert_true(tx_done(A, 0));
	assert_int_equal(rd(A, E1000_TDH), 1);
	assert_int_equal(st(A)->tx_frames, 1);
	assert_int_equal(st(B)->copies, 1);
	assert_int_equal(st(C)->copies, 1);
	assert_int_equal(st(A)->rx_frames + st(D)->rx_frames, 0);
	assert_int_equal(rd(B, E1000_BPRC), 1);
	assert_int_equal(rd(A, E1000_BPTC), 1);

	/* A broadcast on network 2 reaches nobody on network 1. */
	send_to(D, bcast, 300, 2, 1);
	for (unsigned i = 0; i < nguests; i++)
		expect_nothing(&gs[i]);
	assert_true(tx_done(D, 0));

	/* Without BAM (and MPE) a NIC refuses broadcasts. */
	wr(C, E1000_RCTL, E1000_RCTL_EN);
	send_to(A, bcast, 64, 3, 1);
	expect_frame(B, bcast, A, 3, 64);
	expect_nothing(C);
	bridge_idle();
	no_model_errors();
}

static void test_multicast_filter(void **state)
{
	static const uint8_t other_mc[6] = { 0x01, 0x00, 0x5e, 0x12, 0x34, 0x56 };

	(void)state;
	/* B wants mcast_mac through its MTA, C is multicast-promiscuous. */
	mta_set(B, mcast_mac);
	wr(C, E1000_RCTL, rctl_of(E1000_RCTL_MPE));
	send_to(A, mcast_mac, 120, 1, 1);
	expect_frame(B, mcast_mac, A, 1, 120);
	expect_frame(C, mcast_mac, A, 1, 120);
	assert_int_equal(rd(B, E1000_MPRC), 1);

	/* Only C (MPE) takes another group. */
	send_to(A, other_mc, 120, 2, 1);
	expect_nothing(B);
	expect_frame(C, other_mc, A, 2, 120);
	assert_int_equal(st(A)->drop_filtered, 0);

	/* Nobody wants it: dropped as filtered, sender completes. */
	wr(C, E1000_RCTL, rctl_of(0));
	send_to(A, other_mc, 120, 3, 1);
	for (unsigned i = 0; i < nguests; i++)
		expect_nothing(&gs[i]);
	assert_int_equal(st(A)->drop_filtered, 1);
	assert_true(tx_done(A, 2));
	assert_int_equal(st(A)->tx_frames, 3);
	assert_int_equal(st(B)->rx_frames, 1);
	assert_int_equal(st(C)->rx_frames, 2);
	bridge_idle();
	no_model_errors();
}

/* 100 frames into an 8-descriptor RX ring: wait, then flow in order. */
static void test_backpressure_burst(void **state)
{
	static uint8_t f[1514];
	unsigned got = 0, kicks = 0;

	(void)state;
	nic_up(A, 128, 16, rctl_of(0), 8);
	nic_up(B, 64, 8, rctl_of(0), 0);
	assert_int_equal(post_rx(B, 7), 7);	/* 8 descriptors hold 7 */
	for (uint32_t i = 0; i < 100; i++) {
		make_frame(f, 60 + (i * 97) % 1455, B->mac, A->mac, i);
		queue_frame(A, f, 60 + (i * 97) % 1455, 1);
	}
	kick_tx(A);

	assert_int_equal(rd(A, E1000_TDH), 7);
	assert_true(tx_done(A, 6));
	assert_false(tx_done(A, 7));
	assert_int_equal(st(A)->waits, 1);
	assert_int_equal(br.port[A->port].blocked_on, (int)B->port);
	assert_int_equal(st(A)->tx_frames, 7);

	/* A TDT rewrite while blocked changes nothing. */
	kick_tx(A);
	assert_int_equal(rd(A, E1000_TDH), 7);
	assert_int_equal(st(B)->rx_frames, 7);

	while (got < 100) {
		uint32_t before = got;

		while (got < 100 && (rxd(B, B->rx_next)[E1000_RXD_STATUS] & E1000_RXD_STAT_DD)) {
			expect_frame(B, B->mac, A, got, 60 + (got * 97) % 1455);
			got++;
		}
		assert_true(got > before);
		/* Sender is still held while frames remain. */
		if (got < 100) {
			assert_false(tx_done(A, got));
			assert_int_equal(rd(A, E1000_TDH), got);
		}
		/* Give buffers back in small steps: 3 then the rest. */
		post_rx(B, 3);
		post_rx(B, RX_MAX);
		kicks++;
	}
	expect_nothing(B);
	assert_true(kicks >= 14);
	assert_int_equal(rd(A, E1000_TDH), 100);
	for (unsigned i = 0; i < 100; i++)
		assert_true(tx_done(A, i));
	assert_int_equal(st(A)->tx_frames, 100);
	assert_int_equal(st(B)->rx_frames, 100);
	assert_int_equal(st(B)->copies, 100);
	assert_true(st(A)->waits >= 14);
	assert_int_equal(st(A)->drop_unknown + st(A)->drop_filtered + st(A)->drop_down +
			 st(A)->drop_error, 0);
	bridge_idle();
	no_model_errors();
}

/* Broadcast, C full: B gets it once now, C once after posting, A completes once. */
static void test_broadcast_one_receiver_full(void **state)
{
	(void)state;
	nic_up(C, 64, 16, rctl_of(0), 0);
	send_to(A, bcast, 500, 1, 1);
	expect_frame(B, bcast, A, 1, 500);
	expect_nothing(C);
	assert_false(tx_done(A, 0));
	assert_int_equal(rd(A, E1000_TDH), 0);
	assert_int_equal(st(A)->waits, 1);
	assert_int_equal(st(A)->tx_frames, 0);

	/* Kicks that do not concern C change nothing: B does not get it twice. */
	kick_tx(A);
	post_rx(B, 1);
	expect_nothing(B);
	assert_false(tx_done(A, 0));

	/* A queues another broadcast behind it: must wait too. */
	send_to(A, bcast, 70, 2, 1);
	expect_nothing(B);

	post_rx(C, 1);			/* room for exactly one */
	expect_frame(C, bcast, A, 1, 500);
	expect_nothing(C);
	assert_true(tx_done(A, 0));
	assert_false(tx_done(A, 1));
	expect_frame(B, bcast, A, 2, 70);	/* the second went to B, then waits for C */
	expect_nothing(B);

	post_rx(C, 4);
	expect_frame(C, bcast, A, 2, 70);
	expect_nothing(C);
	expect_nothing(B);
	assert_true(tx_done(A, 1));
	assert_int_equal(rd(A, E1000_TDH), 2);
	assert_int_equal(st(A)->tx_frames, 2);
	assert_int_equal(st(B)->rx_frames, 2);
	assert_int_equal(st(C)->rx_frames, 2);
	assert_int_equal(st(A)->waits, 2);
	assert_int_equal(rd(A, E1000_GPTC), 2);
	bridge_idle();

	/* The same with the full receiver on the lower port (B): C is not held up. */
	nic_up(B, 64, 16, rctl_of(0), 0);
	send_to(A, bcast, 333, 3, 1);
	expect_frame(C, bcast, A, 3, 333);
	expect_nothing(C);
	expect_nothing(B);
	assert_int_equal(br.port[A->port].blocked_on, (int)B->port);
	assert_false(tx_done(A, 2));
	post_rx(C, 4);			/* not the one A waits for */
	expect_nothing(C);
	post_rx(B, 1);
	expect_frame(B, bcast, A, 3, 333);
	expect_nothing(B);
	expect_nothing(C);
	assert_true(tx_done(A, 2));
	assert_int_equal(st(A)->tx_frames, 3);
	assert_int_equal(st(B)->rx_frames, 3);
	assert_int_equal(st(C)->rx_frames, 3);
	bridge_idle();
	no_model_errors();
}

/* Both receivers of a broadcast full: each gets it once, whichever frees first. */
static void test_broadcast_both_full(void **state)
{
	(void)state;
	nic_up(B, 64, 16, rctl_of(0), 0);
	nic_up(C, 64, 16, rctl_of(0), 0);
	send_to(A, bcast, 200, 1, 1);
	send_to(A, B->mac, 200, 2, 1);
	assert_int_equal(st(A)->waits, 1);
	post_rx(C, 2);			/* A waits for B, C frees first */
	expect_nothing(C);
	post_rx(B, 1);
	expect_frame(B, bcast, A, 1, 200);
	expect_frame(C, bcast, A, 1, 200);
	expect_nothing(C);
	assert_true(tx_done(A, 0));
	assert_false(tx_done(A, 1));	/* the unicast waits for B */
	post_rx(B, 1);
	expect_frame(B, B->mac, A, 2, 200);
	expect_nothing(B);
	assert_int_equal(rd(A, E1000_TDH), 2);
	assert_int_equal(st(A)->tx_frames, 2);
	bridge_idle();
	no_model_errors();
}

static void test_receiver_rx_disabled(void **state)
{
	(void)state;
	wr(B, E1000_RCTL, rctl_of(0) & ~E1000_RCTL_EN);
	send_to(A, B->mac, 100, 1, 1);
	assert_int_equal(st(A)->drop_filtered, 1);
	assert_true(tx_done(A, 0));
	send_to(A, bcast, 100, 2, 1);
	expect_frame(C, bcast, A, 2, 100);
	assert_true(tx_done(A, 1));
	send_to(A, C->mac, 100, 3, 1);		/* not blocked */
	expect_frame(C, C->mac, A, 3, 100);
	expect_nothing(B);
	assert_int_equal(st(A)->waits, 0);
	assert_int_equal(st(B)->rx_frames, 0);
	assert_int_equal(rd(A, E1000_TDH), 3);

	/* RX back on: frames flow again. */
	wr(B, E1000_RCTL, rctl_of(0));
	send_to(A, B->mac, 100, 4, 1);
	expect_frame(B, B->mac, A, 4, 100);
	bridge_idle();
	no_model_errors();
}

static void test_receiver_down_releases_sender(void **state)
{
	(void)state;
	nic_up(B, 64, 16, rctl_of(0), 0);
	send_to(A, B->mac, 100, 1, 1);
	send_to(A, B->mac, 100, 2, 1);
	send_to(A, C->mac, 100, 3, 1);		/* behind them: waits too */
	assert_int_equal(br.port[A->port].blocked_on, (int)B->port);
	assert_int_equal(rd(A, E1000_TDH), 0);
	expect_nothing(C);

	bridge_port_down(&br, B->port);
	assert_int_equal(br.port[A->port].blocked_on, -1);
	assert_int_equal(rd(A, E1000_TDH), 3);
	for (unsigned i = 0; i < 3; i++)
		assert_true(tx_done(A, i));
	assert_int_equal(st(A)->drop_down, 2);
	expect_frame(C, C->mac, A, 3, 100);

	/* Later frames to B: dropped as down; broadcasts skip it. */
	send_to(A, B->mac, 100, 4, 1);
	assert_int_equal(st(A)->drop_down, 3);
	send_to(A, bcast, 100, 5, 1);
	expect_frame(C, bcast, A, 5, 100);
	assert_true(tx_done(A, 4));

	/* B posting buffers now delivers nothing. */
	post_rx(B, 8);
	expect_nothing(B);
	assert_int_equal(st(B)->rx_frames, 0);
	/* And B's own transmissions are ignored. */
	send_to(B, C->mac, 100, 6, 1);
	expect_nothing(C);
	assert_int_equal(st(B)->tx_frames, 0);
	bridge_idle();
	no_model_errors();
}

static void test_sender_reset_while_blocked(void **state)
{
	(void)state;
	nic_up(B, 64, 16, rctl_of(0), 0);
	send_to(A, B->mac, 100, 1, 1);
	send_to(A, bcast, 100, 2, 1);
	assert_int_equal(br.port[A->port].blocked_on, (int)B->port);
	assert_true(br.port[A->port].pending_valid);

	wr(A, E1000_CTRL, E1000_CTRL_RST);
	assert_int_equal(br.port[A->port].blocked_on, -1);
	assert_false(br.port[A->port].pending_valid);
	assert_int_equal(br.port[A->port].pending, 0);

	/* B's buffers release nothing: A's ring is gone. */
	post_rx(B, 8);
	expect_nothing(B);
	expect_nothing(C);
	assert_int_equal(st(A)->tx_frames, 0);

	/* Re-programmed, A sends again; only the new frames arrive. */
	nic_up(A, 64, 16, rctl_of(0), 8);
	send_to(A, B->mac, 200, 10, 1);
	send_to(A, bcast, 90, 11, 1);
	expect_frame(B, B->mac, A, 10, 200);
	expect_frame(B, bcast, A, 11, 90);
	expect_nothing(B);
	expect_frame(C, bcast, A, 11, 90);
	expect_nothing(C);
	assert_int_equal(st(A)->tx_frames, 2);
	assert_int_equal(rd(A, E1000_TDH), 2);
	bridge_idle();
	no_model_errors();
}

/* The receiver resets (as Linux's ifdown does) while a sender waits for it. */
static void test_receiver_reset_while_blocked(void **state)
{
	(void)state;
	nic_up(B, 64, 16, rctl_of(0), 0);
	send_to(A, B->mac, 100, 1, 1);
	send_to(A, C->mac, 100, 2, 1);
	assert_int_equal(br.port[A->port].blocked_on, (int)B->port);

	wr(B, E1000_CTRL, E1000_CTRL_RST);	/* RX off until B programs it again */
	assert_int_equal(br.port[A->port].blocked_on, -1);
	assert_int_equal(rd(A, E1000_TDH), 2);
	assert_true(tx_done(A, 0));
	assert_int_equal(st(A)->drop_filtered, 1);
	expect_frame(C, C->mac, A, 2, 100);

	/* Back up: new frames arrive, the old one does not. */
	nic_up(B, 64, 16, rctl_of(0), 8);
	send_to(A, B->mac, 100, 3, 1);
	expect_frame(B, B->mac, A, 3, 100);
	expect_nothing(B);
	bridge_idle();
	no_model_errors();
}

/* The receiver turns RX off without a reset while a sender waits for it. */
static void test_receiver_rx_off_while_blocked(void **state)
{
	(void)state;
	nic_up(B, 64, 16, rctl_of(0), 0);
	send_to(A, bcast, 100, 1, 1);
	expect_frame(C, bcast, A, 1, 100);
	assert_int_equal(br.port[A->port].blocked_on, (int)B->port);

	/* RX off, then buffers given (RDT: rx_kick): it refuses the frame now. */
	wr(B, E1000_RCTL, rctl_of(0) & ~E1000_RCTL_EN);
	post_rx(B, 8);
	assert_int_equal(br.port[A->port].blocked_on, -1);
	assert_true(tx_done(A, 0));
	expect_nothing(B);
	expect_nothing(C);		/* exactly once */
	assert_int_equal(st(A)->drop_filtered, 1);
	assert_int_equal(st(A)->tx_frames, 1);
	bridge_idle();
	no_model_errors();
}

static void test_multi_segment(void **state)
{
	(void)state;
	/* 3 TX descriptors, one RX buffer. */
	send_to(A, B->mac, 1000, 1, 3);
	assert_int_equal(rd(A, E1000_TDH), 3);
	assert_true(tx_done(A, 0) && tx_done(A, 1) && tx_done(A, 2));
	assert_int_equal(get_le16(rxd(B, 0) + E1000_RXD_LENGTH), 1000 + E1000_CRC_LEN);
	expect_frame(B, B->mac, A, 1, 1000);
	assert_int_equal(rd(B, E1000_RDH), 1);
	send_to(A, bcast, 1514, 2, 3);
	expect_frame(B, bcast, A, 2, 1514);
	expect_frame(C, bcast, A, 2, 1514);
	assert_int_equal(st(B)->copies, 2);
	no_model_errors();
}

static void test_jumbo_spans_descriptors(void **state)
{
	(void)state;
	nic_up(A, 64, 16, rctl_of(E1000_RCTL_LPE), 8);
	nic_up(B, 64, 16, rctl_of(E1000_RCTL_LPE), 2);
	/* 5000 bytes + FCS need 3 buffers: B has 2, it waits. */
	send_to(A, B->mac, 5000, 1, 3);
	assert_int_equal(st(A)->waits, 1);
	assert_false(tx_done(A, 2));
	expect_nothing(B);
	post_rx(B, 1);
	assert_int_equal(rd(A, E1000_TDH), 3);
	assert_int_equal(get_le16(rxd(B, 0) + E1000_RXD_LENGTH), 2048);
	assert_int_equal(get_le16(rxd(B, 1) + E1000_RXD_LENGTH), 2048);
	assert_int_equal(get_le16(rxd(B, 2) + E1000_RXD_LENGTH), 5004 - 4096);
	assert_int_equal(rxd(B, 0)[E1000_RXD_STATUS], E1000_RXD_STAT_DD | E1000_RXD_STAT_IXSM);
	assert_int_equal(rxd(B, 2)[E1000_RXD_STATUS],
			 E1000_RXD_STAT_DD | E1000_RXD_STAT_IXSM | E1000_RXD_STAT_EOP);
	assert_int_equal(rd(B, E1000_RDH), 3);
	expect_frame(B, B->mac, A, 1, 5000);

	/* Exactly 2 buffers with the FCS; with SECRC, 2048 fits in one. */
	post_rx(B, 8);
	send_to(A, B->mac, 4092, 2, 0);
	assert_int_equal(get_le16(rxd(B, 4) + E1000_RXD_LENGTH), 2048);
	expect_frame(B, B->mac, A, 2, 4092);
	wr(B, E1000_RCTL, rctl_of(E1000_RCTL_LPE | E1000_RCTL_SECRC));
	B->secrc = true;
	send_to(A, B->mac, 2048, 3, 1);
	assert_int_equal(rxd(B, 5)[E1000_RXD_STATUS],
			 E1000_RXD_STAT_DD | E1000_RXD_STAT_IXSM | E1000_RXD_STAT_EOP);
	expect_frame(B, B->mac, A, 3, 2048);
	expect_nothing(B);
	assert_int_equal(st(B)->rx_frames, 3);
	assert_int_equal(st(B)->copies, 3);
	assert_int_equal(st(B)->bytes_copied, 5000 + 4092 + 2048);
	bridge_idle();
	no_model_errors();
}

static void test_too_large_for_receiver(void **state)
{
	(void)state;
	nic_up(A, 64, 16, rctl_of(E1000_RCTL_LPE), 8);	/* A may send jumbo */
	send_to(A, B->mac, 1600, 1, 0);			/* B has no LPE */
	assert_int_equal(st(A)->drop_error, 1);
	assert_true(tx_done(A, 0));
	assert_int_equal(rd(B, E1000_ROC), 1);
	expect_nothing(B);
	send_to(A, B->mac, 1514, 2, 0);			/* not blocked */
	expect_frame(B, B->mac, A, 2, 1514);

	/* Broadcast: B refuses the size, C (LPE) takes it. */
	wr(C, E1000_RCTL, rctl_of(E1000_RCTL_LPE));
	send_to(A, bcast, 3000, 3, 0);
	expect_frame(C, bcast, A, 3, 3000);
	expect_nothing(B);
	assert_int_equal(st(A)->drop_error, 2);

	/* A frame the whole ring could never hold (8 descriptors hold 7). */
	nic_up(B, 64, 8, rctl_of(E1000_RCTL_LPE), 7);
	send_to(A, B->mac, 15000, 8, 0);
	assert_int_equal(st(A)->drop_error, 3);
	assert_int_equal(rd(B, E1000_RNBC), 1);
	send_to(A, B->mac, 9000, 4, 0);			/* 5 buffers: fits */
	expect_frame(B, B->mac, A, 4, 9000);
	assert_int_equal(st(A)->waits, 0);
	assert_int_equal(rd(A, E1000_TDH), 2 + 2 + 8 + 5);
	bridge_idle();
	no_model_errors();
}

/* ---------------------------------------------------------- random */

#define RND_OPS		1000
#define RND_ACTIVE	4
#define RND_MAXSENT	1000

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 16) % n);
}

struct sent {
	uint32_t len;
	uint8_t dst[6];
};

static struct sent sent[RND_ACTIVE][RND_MAXSENT];
static unsigned nsent[RND_ACTIVE];
/* Expected at receiver r from sender s: the seqs, in order. */
static uint32_t want[RND_ACTIVE][RND_ACTIVE][RND_MAXSENT];
static unsigned want_n[RND_ACTIVE][RND_ACTIVE], want_got[RND_ACTIVE][RND_ACTIVE];

static unsigned sender_of(const uint8_t *f)
{
	for (unsigned s = 0; s < RND_ACTIVE; s++)
		if (!memcmp(f + 6, gs[s].mac, 6))
			return s;
	fail_msg("frame from an unknown source");
	return 0;
}

/* Receive up to max frames at r, each checked against the model. */
static unsigned rnd_drain(unsigned r, unsigned max)
{
	static uint8_t got[MAX_FRAME + 64], exp[MAX_FRAME];
	unsigned n = 0;
	uint32_t len;

	while (n < max && recv(&gs[r], got, &len)) {
		unsigned s;
		uint32_t seq;
		const struct sent *w;

		assert_true(r < RND_ACTIVE);
		s = sender_of(got);
		seq = frame_seq(got);
		assert_true(want_got[r][s] < want_n[r][s]);
		assert_int_equal(seq, want[r][s][want_got[r][s]]);	/* per-sender order */
		want_got[r][s]++;
		w = &sent[s][seq];
		assert_int_equal(len, w->len);
		make_frame(exp, w->len, w->dst, gs[s].mac, seq);
		assert_memory_equal(got, exp, len);
		n++;
	}
	return n;
}

static void test_random(void **state)
{
	static uint8_t f[1514];
	static const unsigned rx_sizes[] = { 8, 16, 32, 64 };
	uint64_t unknown[RND_ACTIVE] = { 0 }, delivered = 0;
	unsigned ops = 0, rounds = 0;
	struct guest *other;

	(void)state;
	teardown(NULL);
	bridge_init(&br);
	for (unsigned i = 0; i < RND_ACTIVE; i++)
		add_guest(NET1);
	add_guest(NET2);			/* reached by nobody */
	other = &gs[RND_ACTIVE];
	memset(nsent, 0, sizeof(nsent));
	memset(want_n, 0, sizeof(want_n));
	memset(want_got, 0, sizeof(want_got));
	for (unsigned i = 0; i < RND_ACTIVE; i++)
		nic_up(&gs[i], 32 << rnd(2), rx_sizes[rnd(4)],
		       rctl_of(rnd(2) ? E1000_RCTL_SECRC : 0), rnd(8));
	nic_up(other, 64, 16, rctl_of(E1000_RCTL_UPE | E1000_RCTL_MPE), 15);

	for (ops = 0; ops < RND_OPS; ops++) {
		unsigned g = rnd(RND_ACTIVE), what = rnd(100);
		struct guest *s = &gs[g];

		if (what < 50) {
			unsigned kind = rnd(100), to = 0, nseg = 1 + rnd(3);
			uint32_t len = 60 + rnd(1514 - 60 + 1), seq = nsent[g];
			const uint8_t *dst;

			if (tx_free(s) < nseg) {
				kick_tx(s);
				continue;
			}
			if (kind < 60) {
				to = (g + 1 + rnd(RND_ACTIVE - 1)) % RND_ACTIVE;
				dst = gs[to].mac;
			} else if (kind < 70) {
				dst = other->mac;
			} else if (kind < 80) {
				dst = unknown_mac;
			} else {
				dst = bcast;
			}
			assert_true(seq < RND_MAXSENT);
			sent[g][seq].len = len;
			memcpy(sent[g][seq].dst, dst, 6);
			nsent[g]++;
			if (kind < 60) {
				want[to][g][want_n[to][g]++] = seq;
			} else if (kind < 80) {
				unknown[g]++;
			} else {
				for (unsigned r = 0; r < RND_ACTIVE; r++)
					if (r != g)
						want[r][g][want_n[r][g]++] = seq;
			}
			make_frame(f, len, dst, s->mac, seq);
			queue_frame(s, f, len, nseg);
			if (rnd(4))		/* sometimes batch several before TDT */
				kick_tx(s);
		} else if (what < 75) {
			post_rx(s, rnd(s->rx_n));
		} else {
			delivered += rnd_drain(g, 1 + rnd(s->rx_n));
		}
	}

	/* Everyone kicks, drains and posts until nothing moves. */
	for (;;) {
		unsigned moved = 0;

		for (unsigned i = 0; i < RND_ACTIVE; i++)
			kick_tx(&gs[i]);
		for (unsigned i = 0; i < RND_ACTIVE; i++) {
			moved += rnd_drain(i, RX_MAX);
			post_all(&gs[i]);
		}
		delivered += moved;
		if (!moved)
			break;
		assert_true(++rounds < 10000);
	}

	for (unsigned r = 0; r < RND_ACTIVE; r++)
		for (unsigned s = 0; s < RND_ACTIVE; s++)
			assert_int_equal(want_got[r][s], want_n[r][s]);
	expect_nothing(other);
	assert_int_equal(st(other)->rx_frames, 0);
	for (unsigned i = 0; i < RND_ACTIVE; i++) {
		struct guest *g = &gs[i];

		assert_int_equal(rd(g, E1000_TDH), g->tdt);
		assert_int_equal(tx_free(g), g->tx_n - 1);
		assert_int_equal(st(g)->tx_frames, nsent[i]);
		assert_int_equal(st(g)->drop_unknown, unknown[i]);
		assert_int_equal(st(g)->drop_filtered + st(g)->drop_down + st(g)->drop_error, 0);
		assert_int_equal(st(g)->copies, st(g)->rx_frames);
		assert_int_equal(st(g)->bytes_copied, st(g)->rx_bytes);
		delivered -= st(g)->rx_frames;
	}
	assert_int_equal(delivered, 0);
	bridge_idle();
	no_model_errors();
	print_message("random: %u ops, sent %u/%u/%u/%u, waits %llu\n", ops, nsent[0], nsent[1],
		      nsent[2], nsent[3],
		      (unsigned long long)(st(A)->waits + st(B)->waits + st(C)->waits +
					   st(D)->waits));
}

/*
 * Issue 11 M1: C enables RX with BAM and never posts a buffer. A's
 * broadcast waits for C at most br.wait_limit (bridge_tick), then A's
 * traffic flows: B gets it and a unicast after it, C's NIC counts the drop
 * (RNBC, MPC), and frames to C are dropped at once until C posts buffers.
 */
static void test_hostile_receiver_no_room(void **state)
{
	(void)state;
	nic_up(C, 64, 16, rctl_of(0), 0);
	send_to(A, bcast, 500, 1, 1);
	send_to(A, B->mac, 300, 2, 1);
	expect_frame(B, bcast, A, 1, 500);
	assert_false(tx_done(A, 0));
	assert_int_equal(bridge_tick(&br, 10), 10 + br.wait_limit);
	assert_int_equal(bridge_tick(&br, 10 + br.wait_limit), 0);
	assert_true(tx_done(A, 0));
	assert_true(tx_done(A, 1));
	expect_frame(B, B->mac, A, 2, 300);
	assert_int_equal(st(C)->rx_no_room, 1);
	assert_int_equal(rd(C, E1000_RNBC), 1);
	assert_int_equal(rd(C, E1000_MPC), 1);
	send_to(A, bcast, 80, 3, 1);
	assert_true(tx_done(A, 2));
	expect_frame(B, bcast, A, 3, 80);
	assert_int_equal(st(C)->rx_no_room, 2);
	/* C posts buffers: it receives again. */
	post_rx(C, 4);
	send_to(A, bcast, 90, 4, 1);
	expect_frame(C, bcast, A, 4, 90);
	bridge_idle();
}

/* Issue 11 L3: A sends with C's MAC as source: dropped and counted; allowed
 * with mac_spoof = allow (bridge_allow_spoof). */
static void test_hostile_spoof(void **state)
{
	static uint8_t f[MAX_FRAME];

	(void)state;
	make_frame(f, 200, B->mac, C->mac, 1);
	send(A, f, 200, 1);
	expect_nothing(B);
	assert_true(tx_done(A, 0));
	assert_int_equal(st(A)->drop_spoofed, 1);
	assert_int_equal(st(B)->rx_frames, 0);
	bridge_allow_spoof(&br, A->port, true);
	make_frame(f, 200, B->mac, C->mac, 2);
	send(A, f, 200, 1);
	expect_frame(B, B->mac, C, 2, 200);
	bridge_idle();
}

/* ---------------------------------------------------------- main */

/* ---------------------------------------------------------- TCP segmentation */

static uint32_t get_be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t sum16(uint64_t s, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint64_t)p[i] << 8;
	while (s > 0xffff)
		s = (s >> 16) + (s & 0xffff);
	return (uint32_t)s;
}

/*
 * A sends B one TSO packet (IPv4/TCP, HDRLEN 54, MSS 1000, PAYLEN 4500:
 * five frames) while B has two RX buffers: the bridge delivers two frames,
 * waits for B's buffers, then the rest. A's descriptors go back only with
 * the last frame. Every frame arrives whole: lengths, IDs, sequence numbers,
 * FIN/PSH on the last only, both checksums right.
 */
static void test_tso(void **state)
{
	static const uint8_t ph[12] = { 10, 0, 0, 1, 10, 0, 0, 2, 0, 6, 0, 0 };
	static uint8_t pkt[54 + 4500], got[MAX_FRAME];
	uint32_t paylen = 4500, mss = 1000, n;
	uint8_t *d;

	(void)state;
	nic_up(B, 64, 16, rctl_of(0), 2);
	memset(pkt, 0, 54);
	memcpy(pkt, B->mac, 6);
	memcpy(pkt + 6, A->mac, 6);
	pkt[12] = 0x08;
	pkt[14] = 0x45;
	pkt[18] = 0xff;			/* ID 0xfffe: wraps in the third frame */
	pkt[19] = 0xfe;
	pkt[22] = 64;
	pkt[23] = 6;
	memcpy(pkt + 26, ph, 8);
	pkt[41] = 7;			/* sequence number 7 */
	pkt[46] = 0x50;
	pkt[47] = 0x19;			/* FIN|PSH|ACK */
	put_be16(pkt + 50, (uint16_t)sum16(0, ph, sizeof(ph)));	/* pseudo-header, length 0 */
	for (uint32_t i = 54; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(i * 5 + (i >> 9));
	memcpy(A->ram + TX_BUF, pkt, sizeof(pkt));
	d = txd(A, 0);
	memset(d, 0, 16);
	d[0] = 14;
	d[1] = 24;
	d[2] = 33;
	d[4] = 34;
	d[5] = 50;
	put_le32(d + 8, paylen | (uint32_t)(E1000_TXD_CMD_DEXT | E1000_TXD_CMD_TSE |
					   E1000_TXD_CMD_IP | E1000_TXD_CMD_TCP) << 24);
	d[13] = 54;
	put_le16(d + 14, (uint16_t)mss);
	for (unsigned k = 1; k <= 2; k++) {
		d = txd(A, k);
		memset(d, 0, 16);
		put_le64(d, TX_BUF + (k == 1 ? 0 : 54));
		put_le32(d + 8, (k == 1 ? 54 : paylen) | E1000_TXD_DTYP_D << 20 |
				(uint32_t)(E1000_TXD_CMD_DEXT | E1000_TXD_CMD_TSE | E1000_TXD_CMD_IFCS |
					   (k == 2 ? E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS : 0)) << 24);
		d[13] = E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM;
	}
	A->tdt = 3;
	kick_tx(A);
	for (uint32_t k = 0; k < 5; k++) {
		uint32_t off = k * mss, pay = paylen - off < mss ? paylen - off : mss;
		uint8_t tph[12];

		if (k == 2) {	/* B is out of buffers: A waits, nothing handed back */
			expect_nothing(B);
			assert_int_equal(rd(A, E1000_TDH), 1);
			assert_false(tx_done(A, 2));
			post_rx(B, 8);
		}
		assert_true(recv(B, got, &n));
		assert_int_equal(n, 54 + pay);
		assert_memory_equal(got, pkt, 16);
		assert_int_equal(get_be16(got + 16), n - 14);
		assert_int_equal(get_be16(got + 18), (0xfffe + k) & 0xffff);
		assert_int_equal(sum16(0, got + 14, 20), 0xffff);
		assert_int_equal(get_be16(got + 40), 7 + off);
		assert_int_equal(got[47], k == 4 ? 0x19 : 0x10);
		memcpy(tph, ph, sizeof(tph));
		put_be16(tph + 10, (uint16_t)(n - 34));
		assert_int_equal(sum16(sum16(0, tph, sizeof(tph)), got + 34, n - 34), 0xffff);
		assert_memory_equal(got + 54, pkt + 54 + off, pay);
	}
	expect_nothing(B);
	assert_int_equal(rd(A, E1000_TDH), 3);
	assert_true(tx_done(A, 2));
	assert_int_equal(rd(A, E1000_GPTC), 5);
	assert_int_equal(rd(A, E1000_TSCTC), 1);
	assert_int_equal(rd(B, E1000_GPRC), 5);
	no_model_errors();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup4, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unicast),
		T(test_tso),
		T(test_unicast_secrc),
		T(test_unicast_other_network_and_unknown),
		T(test_broadcast),
		T(test_multicast_filter),
		T(test_backpressure_burst),
		T(test_broadcast_one_receiver_full),
		T(test_broadcast_both_full),
		T(test_receiver_rx_disabled),
		T(test_receiver_down_releases_sender),
		T(test_sender_reset_while_blocked),
		T(test_receiver_reset_while_blocked),
		T(test_receiver_rx_off_while_blocked),
		T(test_multi_segment),
		T(test_jumbo_spans_descriptors),
		T(test_too_large_for_receiver),
		T(test_hostile_receiver_no_room),
		T(test_hostile_spoof),
		T(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
