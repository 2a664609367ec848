// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the cross-talk data path (crosstalk/xpath.c) with the
 * real detector, EPT builder, remapper and 82540EM models.
 *
 * The environment is tests/unit/xp_env.h (shared with the fuzzer):
 * every fake guest has RAM_SIZE of "RAM" at its own fake host-physical base
 * inside one host arena (which also holds the remapper's S pages), an EPT
 * mapping it RWX/WB (as vmm/guest/guest.c does), a struct remap_side and a real
 * e1000 whose dma_map translates GPAs THROUGH THE GUEST'S EPT (like
 * guest_ram_ptr: per page, host-contiguous ranges only), so after a remap
 * the guest's page is the shared page S. Its ops are wired as vmm/net/nic.c and
 * vmm/net/netpath.c wire them: tx_kick -> xp_tx, rx_kick -> xp_rx_ready,
 * reset and disabled -> xp_port_reset. The "driver" programs the NIC only
 * through e1000_mmio_write and reads/writes its memory through its EPT view
 * (a write to a read-only page goes through xp_cow_fault, as the VMM's EPT
 * violation handler does).
 *
 * The fake physical NIC records what xmit / xmit_copy were given (reading
 * the bytes at the HPAs through the host arena) and can refuse with
 * -XT_EAGAIN. The remapper's fakes check that S pages are freed only after
 * every EPT change was invalidated, and poison freed S pages.
 *
 * RX descriptors are all armed with one buffer per slot (RX_BUF + slot x
 * size); "giving back" is an RDT write. A driver can never hand the slot at
 * RDH - 1 back while RDH == RDT would mean "no buffers for the hardware", so
 * the newest delivered frame always stays with the guest until the next one
 * arrives (see test_signal_order).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define XP_CHECK(c) assert_true(c)
#define XP_FAIL(...) fail_msg(__VA_ARGS__)
#include "lib/le.h"
#include "tests/unit/xp_env.h"

#include "crosstalk/detector.h"
#include "crosstalk/xpath.h"
#include "devices/e1000.h"
#include "devices/e1000_regs.h"
#include "ept/ept.h"
#include "ept/remap.h"
#include "lib/xerrno.h"

/* Guest-physical layout. */
#define TX_RING		0x00000u	/* up to TX_MAX descriptors */
#define RX_RING		0x02000u	/* up to RX_MAX descriptors */
#define TX_BUF		0x10000u	/* one buffer per TX slot */
#define RX_BUF		0x120000u	/* one buffer per RX slot */
#define ODD_BUF		0x1c0000u	/* buffers at explicit addresses */
#define TX_MAX		512u
#define RX_MAX		256u

#define NET		1
#define ETH_TYPE	0x88b5
#define HDR_LEN		18		/* dst, src, type, 4-byte sequence number */
#define MAX_FRAME	1514u

static void no_model_errors(void)
{
	for (unsigned i = 0; i < E->ng; i++)
		for (unsigned e = 0; e < E1000_ERR_COUNT; e++)
			if (E->g[i].errors[e])
				fail_msg("guest %u: e1000 error %s x%u", i,
					 e1000_err_name((enum e1000_err)e), E->g[i].errors[e]);
}

static int teardown(void **state)
{
	(void)state;
	no_model_errors();
	env_free();
	return 0;
}

/* ---------------------------------------------------------- registers and rings */

static void wr(struct guest *g, uint32_t off, uint32_t v)
{
	e1000_mmio_write(&g->nic, off, 4, v);
}

static uint32_t rd(struct guest *g, uint32_t off)
{
	return e1000_mmio_read(&g->nic, off, 4);
}

static uint8_t *txd(struct guest *g, unsigned idx)
{
	return gpage(g, TX_RING + 16ULL * idx, true);
}

static uint8_t *rxd(struct guest *g, unsigned idx)
{
	return gpage(g, RX_RING + 16ULL * idx, true);
}

static uint64_t tx_slot_gpa(const struct guest *g, unsigned slot)
{
	return TX_BUF + (uint64_t)slot * g->tx_buf;
}

static uint64_t rx_slot_gpa(const struct guest *g, unsigned slot)
{
	return RX_BUF + (uint64_t)slot * g->rx_buf;
}

struct ring_cfg {
	unsigned tx_n, rx_n;
	uint32_t tx_buf, rx_buf;	/* 4096 (page per slot) or 2048 */
	bool prefill;			/* TX descriptors hold their buffer address from the start */
	bool secrc;
	bool late_rdt;			/* RCTL.EN before the first RDT write (as Linux) */
};

static const struct ring_cfg RING4K = { .tx_n = 8, .rx_n = 8, .tx_buf = 4096, .rx_buf = 4096 };
static const struct ring_cfg RING2K = { .tx_n = 8, .rx_n = 8, .tx_buf = 2048, .rx_buf = 2048 };

/*
 * As a driver after reset: TX ring empty, every RX descriptor armed with its
 * slot's buffer, all but one handed to the NIC (RDT = n - 1).
 */
static void nic_up(struct guest *g, const struct ring_cfg *c)
{
	uint8_t d[16];
	uint32_t rctl = E1000_RCTL_EN | E1000_RCTL_BAM;

	assert_true(c->tx_n <= TX_MAX && c->tx_n % 8 == 0);
	assert_true(c->rx_n <= RX_MAX && c->rx_n % 8 == 0);
	assert_true(TX_BUF + (uint64_t)c->tx_n * c->tx_buf <= RX_BUF);
	assert_true(RX_BUF + (uint64_t)c->rx_n * c->rx_buf <= ODD_BUF);
	g->tx_n = c->tx_n;
	g->rx_n = c->rx_n;
	g->tx_buf = c->tx_buf;
	g->rx_buf = c->rx_buf;
	g->secrc = c->secrc;
	g->tdt = g->tx_clean = 0;
	g->rx_next = 0;
	g->rdt = c->rx_n - 1;
	for (unsigned i = 0; i < c->tx_n; i++) {
		memset(d, 0, sizeof(d));
		if (c->prefill)
			put_le64(d + E1000_TXD_ADDR, tx_slot_gpa(g, i));
		gwrite(g, TX_RING + 16ULL * i, d, 16);
	}
	for (unsigned i = 0; i < c->rx_n; i++) {
		memset(d, 0, sizeof(d));
		put_le64(d + E1000_RXD_ADDR, rx_slot_gpa(g, i));
		gwrite(g, RX_RING + 16ULL * i, d, 16);
	}
	if (c->rx_buf == 4096)
		rctl |= E1000_RCTL_BSEX | (3u << E1000_RCTL_BSIZE_SHIFT);
	else
		assert_int_equal(c->rx_buf, 2048);
	if (c->secrc)
		rctl |= E1000_RCTL_SECRC;

	wr(g, E1000_IMS, E1000_ICR_RXT0 | E1000_ICR_TXDW);
	wr(g, E1000_TDBAL, TX_RING);
	wr(g, E1000_TDBAH, 0);
	wr(g, E1000_TDLEN, c->tx_n * 16);
	wr(g, E1000_TDH, 0);
	wr(g, E1000_TDT, 0);
	wr(g, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
	wr(g, E1000_RDBAL, RX_RING);
	wr(g, E1000_RDBAH, 0);
	wr(g, E1000_RDLEN, c->rx_n * 16);
	wr(g, E1000_RDH, 0);
	if (c->late_rdt) {
		wr(g, E1000_RDT, 0);
		wr(g, E1000_RCTL, rctl);
		wr(g, E1000_RDT, g->rdt);
	} else {
		wr(g, E1000_RDT, g->rdt);
		wr(g, E1000_RCTL, rctl);
	}
}

static bool tx_dd(struct guest *g, unsigned idx)
{
	return txd(g, idx % g->tx_n)[E1000_TXD_STA] & E1000_TXD_STAT_DD;
}

/* Reclaim completed TX descriptors; free descriptors left. */
static unsigned tx_free(struct guest *g)
{
	while (g->tx_clean != g->tdt && tx_dd(g, g->tx_clean))
		g->tx_clean = (g->tx_clean + 1) % g->tx_n;
	return g->tx_n - 1 - (g->tdt + g->tx_n - g->tx_clean) % g->tx_n;
}

/* TX descriptors given to the NIC and not completed yet. */
static unsigned tx_pending(struct guest *g)
{
	tx_free(g);
	return (g->tdt + g->tx_n - g->tx_clean) % g->tx_n;
}

/* One legacy descriptor for a frame at buffer gpa (written there first); TDT not written. */
static unsigned queue_at(struct guest *g, uint64_t gpa, const uint8_t *frame, uint32_t len)
{
	unsigned slot = g->tdt;
	uint8_t *d;

	assert_true(tx_free(g) >= 1);
	gwrite(g, gpa, frame, len);
	d = txd(g, slot);
	memset(d, 0, 16);
	put_le64(d + E1000_TXD_ADDR, gpa);
	put_le16(d + E1000_TXD_LENGTH, (uint16_t)len);
	d[E1000_TXD_CMD] = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	g->tdt = (slot + 1) % g->tx_n;
	return slot;
}

static unsigned queue_frame(struct guest *g, const uint8_t *frame, uint32_t len)
{
	assert_true(len <= g->tx_buf);
	return queue_at(g, tx_slot_gpa(g, g->tdt), frame, len);
}

static void kick(struct guest *g)
{
	wr(g, E1000_TDT, g->tdt);
}

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

static unsigned queue_to(struct guest *g, const uint8_t dst[6], uint32_t seq, uint32_t len)
{
	uint8_t f[MAX_FRAME];

	make_frame(f, len, dst, g->mac, seq);
	return queue_frame(g, f, len);
}

static unsigned send_to(struct guest *g, const uint8_t dst[6], uint32_t seq, uint32_t len)
{
	unsigned slot = queue_to(g, dst, seq, len);

	kick(g);
	return slot;
}

/* The next received frame (FCS left out of *len); false if none. */
static bool recv(struct guest *g, uint8_t *out, uint32_t *len)
{
	uint8_t d[16];
	uint32_t n;

	gread(g, RX_RING + 16ULL * g->rx_next, d, 16);
	if (!(d[E1000_RXD_STATUS] & E1000_RXD_STAT_DD))
		return false;
	assert_int_equal(d[E1000_RXD_STATUS],
			 E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | E1000_RXD_STAT_IXSM);
	assert_int_equal(d[E1000_RXD_ERRORS], 0);
	assert_int_equal(get_le64(d + E1000_RXD_ADDR), rx_slot_gpa(g, g->rx_next));
	n = get_le16(d + E1000_RXD_LENGTH);
	if (!g->secrc) {
		assert_true(n >= E1000_CRC_LEN);
		n -= E1000_CRC_LEN;
	}
	assert_true(n >= HDR_LEN && n <= MAX_FRAME);
	gread(g, rx_slot_gpa(g, g->rx_next), out, n);
	g->rx_next = (g->rx_next + 1) % g->rx_n;
	*len = n;
	return true;
}

static void expect_frame(struct guest *rx, const uint8_t dst[6], const struct guest *src,
			 uint32_t seq, uint32_t len)
{
	uint8_t got[MAX_FRAME], want[MAX_FRAME];
	uint32_t n;

	assert_true(recv(rx, got, &n));
	assert_int_equal(n, len);
	make_frame(want, len, dst, src->mac, seq);
	assert_memory_equal(got, want, len);
}

static void expect_nothing(struct guest *g)
{
	uint8_t d[16];

	gread(g, RX_RING + 16ULL * g->rx_next, d, 16);
	assert_false(d[E1000_RXD_STATUS] & E1000_RXD_STAT_DD);
}

/* Re-arm count descriptors from the current RDT on (status cleared): read ones only. */
static void rx_rearm(struct guest *g, unsigned count)
{
	unsigned readable = (g->rx_next + g->rx_n - g->rdt) % g->rx_n;

	assert_true(count <= (readable ? readable : g->rx_n));
	for (unsigned k = 0; k < count; k++)
		rxd(g, (g->rdt + k) % g->rx_n)[E1000_RXD_STATUS] = 0;
}

/* Hand RX descriptors back up to (not including) slot rdt. */
static void rx_give_to(struct guest *g, uint32_t rdt)
{
	rdt %= g->rx_n;
	rx_rearm(g, (rdt + g->rx_n - g->rdt) % g->rx_n);
	g->rdt = rdt;
	wr(g, E1000_RDT, g->rdt);
}

/*
 * Hand back everything read so far as guests/lib/e1000.c and Linux do: every
 * read descriptor re-armed (DD cleared), RDT = the last one read (RDT == RDH
 * would mean "no buffers", so that one stays at RDT).
 */
static void rx_give_all(struct guest *g)
{
	uint32_t last = (g->rx_next + g->rx_n - 1) % g->rx_n;

	rx_rearm(g, (last + g->rx_n - g->rdt) % g->rx_n + 1);
	g->rdt = last;
	wr(g, E1000_RDT, g->rdt);
}

static void clear_icr(struct guest *g)
{
	(void)rd(g, E1000_ICR);
	assert_false(g->irq);
}

static struct xp_stats *st(const struct guest *g)
{
	return &E->xp.port[g->port].st;
}

/* The NIC sent record i (cookies are slots: reused once done). */
static void ph_done(unsigned i)
{
	assert_true(i < E->nph);
	assert_false(E->ph[i].done);
	E->ph[i].done = true;
	xp_phys_done(&E->xp, E->ph[i].cookie);
}

static void phys_done_all(void)
{
	for (unsigned i = 0; i < E->nph; i++)
		if (!E->ph[i].done)
			ph_done(i);
}

/* Receive one frame and compare it with want. */
static void expect_raw(struct guest *g, const uint8_t *want, uint32_t len)
{
	uint8_t got[MAX_FRAME];
	uint32_t n;

	assert_true(recv(g, got, &n));
	assert_int_equal(n, len);
	assert_memory_equal(got, want, len);
}

/* Read everything g has and give it back; how many. */
static unsigned drain(struct guest *g)
{
	uint8_t got[MAX_FRAME];
	uint32_t n;
	unsigned k = 0;

	while (recv(g, got, &n))
		k++;
	rx_give_all(g);
	return k;
}

struct pair_find {
	const struct remap_side *tx, *rx;
	uint64_t tx_gpa, rx_gpa;
	unsigned n, found;
	bool same_hpa, closed;
};

static int pair_cb(void *arg, const struct remap_pair *p, uint64_t tx_hpa, uint64_t rx_hpa)
{
	struct pair_find *pf = arg;

	pf->n++;
	if (p->tx == pf->tx && p->rx == pf->rx && p->tx_gpa == pf->tx_gpa &&
	    p->rx_gpa == pf->rx_gpa) {
		pf->found++;
		pf->same_hpa = tx_hpa == rx_hpa && tx_hpa == p->shared_hpa;
		pf->closed = p->rx_closed && tx_hpa == p->shared_hpa &&
			     rx_hpa == p->rx->ram_hpa + p->rx_gpa;
	}
	return 0;
}

/*
 * Whether A's page ta and B's page rb are a live pair: mapping one host page,
 * or (closed, B holds no frame in it) with B's page its own again.
 */
static bool paired(struct guest *a, uint64_t ta, struct guest *b, uint64_t rb)
{
	struct pair_find pf = { &a->side, &b->side, ta, rb, 0, 0, false, false };

	remap_for_each(&E->rm, pair_cb, &pf);
	assert_true(pf.found <= 1);
	return pf.found == 1 && (pf.same_hpa || pf.closed);
}

static bool rx_closed(struct guest *a, uint64_t ta)
{
	int k = remap_find(&E->rm, &a->side, ta);

	return k >= 0 && E->rm.pair[k].rx_closed;
}

static unsigned npairs(void)
{
	struct pair_find pf = { 0 };

	remap_for_each(&E->rm, pair_cb, &pf);
	assert_int_equal(pf.n, E->rm.npairs);
	return pf.n;
}

/* A's slot-i page shared with B's slot-i page: same host page, B read-only. */
static void expect_shared(struct guest *a, unsigned ts, struct guest *b, unsigned rs)
{
	uint64_t pa, pb;

	assert_true(paired(a, tx_slot_gpa(a, ts), b, rx_slot_gpa(b, rs)));
	assert_true(hpa_of(a, tx_slot_gpa(a, ts), &pa) >= S_HPA);
	assert_int_equal(pa, RWX);
	if (rx_closed(a, tx_slot_gpa(a, ts))) {
		/* Not exclusive and B holds no frame there: B sees its own page. */
		assert_int_equal(hpa_of(b, rx_slot_gpa(b, rs), &pb),
				 b->ram_hpa + rx_slot_gpa(b, rs));
		assert_int_equal(pb, RWX);
		return;
	}
	assert_int_equal(hpa_of(a, tx_slot_gpa(a, ts), NULL), hpa_of(b, rx_slot_gpa(b, rs), &pb));
	assert_int_equal(pb, EPT_PTE_READ);
}

/* One frame a -> b, read by b, buffers given back. */
static void xfer(struct guest *a, struct guest *b, uint32_t seq, uint32_t len)
{
	send_to(a, b->mac, seq, len);
	expect_frame(b, b->mac, a, seq, len);
	rx_give_all(b);
}

/* ---------------------------------------------------------- fixtures */

static int setup2(void **state)
{
	(void)state;
	env_new(true, true);
	add_guest(NET, XT_DET_NO_UPLINK);
	add_guest(NET, XT_DET_NO_UPLINK);
	xt_det_finalize(&E->det);
	return 0;
}

static int setup3(void **state)
{
	(void)state;
	env_new(true, true);
	for (int i = 0; i < 3; i++)
		add_guest(NET, XT_DET_NO_UPLINK);
	xt_det_finalize(&E->det);
	return 0;
}

/* A and B have the uplink, C none. */
static int setup_uplink(void **state)
{
	(void)state;
	env_new(true, true);
	add_guest(NET, 0);
	add_guest(NET, 0);
	add_guest(NET, XT_DET_NO_UPLINK);
	xt_det_finalize(&E->det);
	return 0;
}

/* A with the uplink, B, C, D on the network. */
static int setup_bcast(void **state)
{
	(void)state;
	env_new(true, true);
	add_guest(NET, 0);
	for (int i = 0; i < 3; i++)
		add_guest(NET, XT_DET_NO_UPLINK);
	xt_det_finalize(&E->det);
	return 0;
}

/* ---------------------------------------------------------- tests */

/*
 * The order of the header for frames in shared pages: B's ring, B's RXT0
 * and interrupt at once; A's DD, TDH and TXDW only when B's RDT has moved
 * past the frame. (A copy completes at once: test_copy_completes_at_once.)
 */
static void test_signal_order(void **state)
{
	static const uint32_t lens[4] = { 256, 600, 1514, 300 };
	struct guest *a = &E->g[0], *b = &E->g[1];
	struct ring_cfg c = RING4K;
	uint8_t d[16];

	(void)state;
	c.prefill = true;
	nic_up(a, &c);
	nic_up(b, &c);
	clear_icr(a);
	clear_icr(b);

	for (uint32_t i = 0; i < 3; i++)
		queue_to(a, b->mac, i, lens[i]);
	assert_int_equal(b->nic.rdh, 0);
	kick(a);	/* one TDT write */

	/* Right after A's exit: B has all three, A nothing. */
	assert_int_equal(b->nic.rdh, 3);
	for (unsigned i = 0; i < 3; i++) {
		gread(b, RX_RING + 16 * i, d, 16);
		assert_int_equal(d[E1000_RXD_STATUS],
				 E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | E1000_RXD_STAT_IXSM);
		assert_int_equal(get_le16(d + E1000_RXD_LENGTH), lens[i] + E1000_CRC_LEN);
	}
	assert_true(b->nic.icr & E1000_ICR_RXT0);
	assert_true(b->irq);
	for (unsigned i = 0; i < 3; i++)
		assert_false(tx_dd(a, i));
	assert_int_equal(a->nic.tdh, 0);
	assert_false(a->nic.icr & E1000_ICR_TXDW);
	assert_false(a->irq);
	assert_int_equal(e1000_tx_inflight(&a->nic), 3);

	/* B reads them (byte-exact): reading alone completes nothing. */
	for (uint32_t i = 0; i < 3; i++)
		expect_frame(b, b->mac, a, i, lens[i]);
	assert_int_equal(a->nic.tdh, 0);
	assert_false(tx_dd(a, 0));

	/* RDT past the first frame only (slot 0): exactly A's first descriptor. */
	rx_give_to(b, 1);
	assert_true(tx_dd(a, 0));
	assert_false(tx_dd(a, 1));
	assert_false(tx_dd(a, 2));
	assert_int_equal(a->nic.tdh, 1);
	assert_true(a->nic.icr & E1000_ICR_TXDW);
	assert_true(a->irq);
	clear_icr(a);

	/* RDT past the second: the second. */
	rx_give_to(b, 2);
	assert_true(tx_dd(a, 1));
	assert_false(tx_dd(a, 2));
	assert_int_equal(a->nic.tdh, 2);
	assert_true(a->nic.icr & E1000_ICR_TXDW);
	clear_icr(a);

	/*
	 * The third frame is in slot RDH - 1: RDT = 3 would be RDT == RDH, "no
	 * buffer for the NIC", so a driver gives it back as guests/lib/e1000.c
	 * and Linux do: descriptor re-armed (DD cleared), RDT written = that slot.
	 */
	assert_int_equal(b->nic.rdh, 3);
	assert_false(tx_dd(a, 2));
	assert_int_equal(e1000_tx_inflight(&a->nic), 1);
	rx_give_all(b);
	assert_int_equal(b->nic.rdt, 2);
	assert_true(tx_dd(a, 2));
	assert_int_equal(a->nic.tdh, 3);
	assert_int_equal(e1000_tx_inflight(&a->nic), 0);

	/* And the next one the same way. */
	send_to(a, b->mac, 3, lens[3]);
	assert_false(tx_dd(a, 3));
	expect_frame(b, b->mac, a, 3, lens[3]);
	assert_false(tx_dd(a, 3));
	rx_give_all(b);
	assert_true(tx_dd(a, 3));
	assert_int_equal(a->nic.tdh, 4);

	assert_int_equal(st(a)->copies, 0);
	assert_int_equal(st(a)->path[XP_PATH_SHARED].tx_frames, 4);
	assert_int_equal(st(b)->path[XP_PATH_SHARED].rx_frames, 4);
	assert_int_equal(st(a)->waits, 0);
}

/*
 * Issue 11 M1: a frame copied into B's ring completes for A right after the
 * copy (A's buffer is free): B reading or not does not hold A.
 */
static void test_copy_completes_at_once(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];

	(void)state;
	nic_up(a, &RING2K);
	nic_up(b, &RING2K);
	clear_icr(a);
	for (uint32_t i = 0; i < 3; i++)
		queue_to(a, b->mac, i, 100 + 500 * i);
	kick(a);
	assert_int_equal(b->nic.rdh, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_true(tx_dd(a, i));
	assert_int_equal(a->nic.tdh, 3);
	assert_true(a->nic.icr & E1000_ICR_TXDW);
	for (uint32_t i = 0; i < 3; i++)
		expect_frame(b, b->mac, a, i, 100 + 500 * i);
	assert_int_equal(st(a)->copies, 3);
}

/* The same with SECRC: lengths without the FCS. */
static void test_signal_order_secrc(void **state)
{
	struct ring_cfg c = RING4K;
	struct guest *a = &E->g[0], *b = &E->g[1];
	uint8_t d[16];

	(void)state;
	c.secrc = true;
	c.prefill = true;
	nic_up(a, &c);
	nic_up(b, &c);
	send_to(a, b->mac, 0, 777);
	gread(b, RX_RING, d, 16);
	assert_int_equal(get_le16(d + E1000_RXD_LENGTH), 777);
	assert_false(tx_dd(a, 0));
	expect_frame(b, b->mac, a, 0, 777);
}

/*
 * Zero copy learned: the first meeting of two pages is a copy, the second
 * shares them, later frames go through the shared page with no remap.
 */
static void test_zerocopy_learned(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	unsigned ia, ib, seq = 0;

	(void)state;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	assert_int_equal(npairs(), 0);

	/* Round 1: A's slot i meets B's slot i for the first time: copies. */
	for (unsigned i = 0; i < 8; i++)
		xfer(a, b, seq++, 1000 + i);
	assert_int_equal(st(a)->copies, 8);
	assert_int_equal(st(a)->remaps, 0);
	assert_int_equal(npairs(), 0);

	/* Round 2: second meeting: shared, not copied. */
	ia = a->invepts;
	ib = b->invepts;
	for (unsigned i = 0; i < 8; i++) {
		xfer(a, b, seq++, 1000 + i);
		assert_int_equal(st(a)->remaps, i + 1);
		expect_shared(a, i, b, i);
	}
	assert_int_equal(st(a)->copies, 8);
	assert_int_equal(st(a)->bytes_copied, 8 * 1000 + 28);
	/* The share, then A's side locked while B holds the frame; unlocked
	 * when B gave it back, which adds a right and needs no INVEPT (one
	 * frame per batch here). */
	assert_int_equal(a->invepts - ia, 2 * 8);
	assert_int_equal(b->invepts - ib, 8);
	assert_int_equal(npairs(), 8);

	/* Round 3 and 4: no copy, no remap; A's side locked (one INVEPT)
	 * and unlocked (none); A writes its pages again without a fault. */
	ia = a->invepts;
	ib = b->invepts;
	for (unsigned i = 0; i < 16; i++)
		xfer(a, b, seq++, 300 + 50 * i);
	assert_int_equal(st(a)->copies, 8);
	assert_int_equal(st(a)->remaps, 8);
	assert_int_equal(a->invepts - ia, 16);
	assert_int_equal(b->invepts, ib);
	assert_int_equal(st(a)->path[XP_PATH_SHARED].tx_frames, 24);
	assert_int_equal(st(b)->path[XP_PATH_SHARED].rx_frames, 24);
	for (unsigned i = 0; i < 8; i++)
		expect_shared(a, i, b, i);
	/* B never wrote to its shared pages. */
	assert_int_equal(E->cow_faults, 0);
	assert_int_equal(E->rm.st.cow_breaks, 0);
}

/*
 * A long stream as the benchmark runs it: page-sized buffers, TX
 * descriptors pre-filled (pages shared at ring setup), batches of 32
 * frames per TDT write, the receiver handing buffers back per batch. Every
 * frame arrives byte-exact and in order, with no copy and no remap after
 * the ring setup. (Also the workload to profile the per-frame path:
 * valgrind --tool=callgrind --toggle-collect=test_stream_batches.)
 */
/* rounds x per frames of len bytes from a to b, each round one TDT write,
 * checked at b in order, then b's buffers given back: all complete. */
static void stream_rounds(struct guest *a, struct guest *b, uint32_t *seq, uint32_t *next,
			  unsigned rounds, unsigned per, uint32_t len)
{
	for (unsigned round = 0; round < rounds; round++) {
		for (unsigned k = 0; k < per; k++)
			queue_to(a, b->mac, (*seq)++, len);
		kick(a);
		while (*next < *seq)
			expect_frame(b, b->mac, a, (*next)++, len);
		rx_give_all(b);
		assert_int_equal(tx_pending(a), 0);
	}
}

static void test_stream_batches(void **state)
{
	static const struct ring_cfg ring = { .tx_n = 64, .rx_n = 64, .tx_buf = 4096,
					      .rx_buf = 4096, .prefill = true };
	struct guest *a = &E->g[0], *b = &E->g[1];
	uint32_t seq = 0, next = 0;
	uint64_t remaps;

	(void)state;
	nic_up(b, &ring);
	nic_up(a, &ring);
	remaps = st(a)->remaps;
	assert_true(remaps >= 32);
	stream_rounds(a, b, &seq, &next, 200, 32, 1514);
	assert_int_equal(st(a)->copies, 0);
	assert_int_equal(st(a)->remaps, remaps);
	assert_int_equal(st(a)->path[XP_PATH_SHARED].tx_frames, seq);
	assert_int_equal(st(a)->waits, 0);
}

/*
 * The copy path's steady state, in the layout Linux's e1000 driver uses at
 * MTU 1500: 2 KiB RX buffers (two per page) and TX data at an offset in its
 * page that changes from frame to frame. Batches of 32 frames per TDT write;
 * every frame arrives byte-exact and in order, one copy each; a copied
 * frame completes for the sender before the receiver gives any buffer back;
 * once the route is known no frame is looked up in the detector again
 * (routes are kept while the detector's version holds), and every frame is
 * still counted on the detector's pair. (Also the workload to profile the
 * copy path: valgrind --tool=callgrind --toggle-collect=xp_tx.)
 */
static void test_copy_stream(void **state)
{
	static const struct ring_cfg ring = { .tx_n = 64, .rx_n = 64, .tx_buf = 4096,
					      .rx_buf = 2048 };
	struct guest *a = &E->g[0], *b = &E->g[1];
	uint32_t seq = 0, next = 0;
	uint64_t lookups = 0, peer = 0;
	uint8_t f[MAX_FRAME];

	(void)state;
	nic_up(b, &ring);
	nic_up(a, &ring);
	for (unsigned round = 0; round < 100; round++) {
		uint32_t len = round % 2 ? 1514 : 60 + 13 * round;

		if (round == 1) {
			lookups = E->det.dbg_lookups;
			peer = E->det.port[a->port].st.peer;
		}
		for (unsigned k = 0; k < 32; k++, seq++) {
			make_frame(f, len, b->mac, a->mac, seq);
			queue_at(a, tx_slot_gpa(a, a->tdt) + 66 + 122 * (seq % 16), f, len);
		}
		kick(a);
		/* Copied: A's buffers are free before B returned anything. */
		assert_int_equal(tx_pending(a), 0);
		while (next < seq)
			expect_frame(b, b->mac, a, next++, len);
		expect_nothing(b);
		rx_give_all(b);
	}
	assert_int_equal(st(a)->copies, seq);
	assert_int_equal(st(a)->path[XP_PATH_COPY].tx_frames, seq);
	assert_int_equal(st(b)->path[XP_PATH_COPY].rx_frames, seq);
	assert_int_equal(st(a)->remaps, 0);
	assert_int_equal(st(a)->waits, 0);
	assert_int_equal(npairs(), 0);
	assert_int_equal(E->det.dbg_lookups, lookups);
	assert_int_equal(E->det.port[a->port].st.peer, peer + seq - 32);
	no_model_errors();
}

/*
 * The steady state goes through fast_pair: after the first frame of the
 * stream, frames to the same destination are not routed again (the
 * detector's lookup count stands still) but counted the same; a frame to
 * another peer in the middle of a batch falls back to the generic path,
 * and every frame still arrives once, in order, at the right guest.
 */
static void test_fast_path(void **state)
{
	static const struct ring_cfg ring = { .tx_n = 64, .rx_n = 64, .tx_buf = 4096,
					      .rx_buf = 4096, .prefill = true };
	struct guest *a = &E->g[0], *b = &E->g[1], *c = &E->g[2];
	uint32_t seq = 0, next_b = 0, to_b = 0, to_c = 0;
	uint64_t lookups, peer;

	(void)state;
	nic_up(b, &ring);
	nic_up(c, &ring);
	nic_up(a, &ring);
	/* Warm up, three laps of the rings: every page pair learned (a pair is
	 * shared the second time the same two pages meet). */
	stream_rounds(a, b, &seq, &next_b, 12, 16, 1514);
	to_b = seq;
	lookups = E->det.dbg_lookups;
	peer = E->det.port[a->port].st.peer;
	for (unsigned round = 0; round < 20; round++) {
		for (unsigned k = 0; k < 16; k++)
			queue_to(a, b->mac, seq++, 60 + 96 * k);
		kick(a);
		for (unsigned k = 0; k < 16; k++)
			expect_frame(b, b->mac, a, next_b++, 60 + 96 * k);
		rx_give_all(b);
		assert_int_equal(tx_pending(a), 0);
	}
	to_b += 20 * 16;
	assert_int_equal(E->det.dbg_lookups, lookups);
	assert_int_equal(E->det.port[a->port].st.peer, peer + 20 * 16);
	assert_int_equal(st(a)->path[XP_PATH_SHARED].tx_frames + st(a)->path[XP_PATH_COPY].tx_frames,
			 to_b);
	assert_int_equal(st(b)->path[XP_PATH_SHARED].rx_frames, st(a)->path[XP_PATH_SHARED].tx_frames);

	/* Interleaved destinations: each switch goes through the detector. */
	lookups = E->det.dbg_lookups;
	for (unsigned round = 0; round < 8; round++) {
		uint32_t first = seq;

		for (unsigned k = 0; k < 12; k++) {
			struct guest *to = (k % 4 == 3) ? c : b;

			queue_to(a, to->mac, seq++, 1000);
			*(to == c ? &to_c : &to_b) += 1;
		}
		kick(a);
		for (uint32_t q = first; q < seq; q++) {
			if ((q - first) % 4 == 3)
				expect_frame(c, c->mac, a, q, 1000);
			else
				expect_frame(b, b->mac, a, q, 1000);
		}
		expect_nothing(b);
		expect_nothing(c);
		rx_give_all(b);
		rx_give_all(c);
		assert_int_equal(tx_pending(a), 0);
	}
	assert_true(E->det.dbg_lookups > lookups);
	assert_int_equal(st(b)->path[XP_PATH_SHARED].rx_frames + st(b)->path[XP_PATH_COPY].rx_frames,
			 to_b);
	assert_int_equal(st(c)->path[XP_PATH_SHARED].rx_frames + st(c)->path[XP_PATH_COPY].rx_frames,
			 to_c);
	assert_int_equal(E->det.port[a->port].st.peer, peer + 20 * 16 + 8 * 12);
	no_model_errors();
}

/*
 * A receiver whose descriptor ring lies in a page it only reads (the
 * receiving side of a page shared with a sender) gets no descriptor
 * written there: the device's write-backs would land in the sender's page.
 * The ring is refused (reported), the frame to it dropped and counted, and
 * the sender's page keeps its bytes.
 */
static void test_ring_in_shared_page(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	static uint8_t before[PAGE];
	uint8_t *page;
	int k;

	(void)state;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	for (unsigned i = 0; i < 4; i++)
		xfer(a, b, i, 1000);
	for (unsigned i = 0; i < PAGE; i++)
		own(a, ODD_BUF)[i] = (uint8_t)(i * 7 + 3);
	k = remap_share(&E->rm, &a->side, ODD_BUF, &b->side, RX_RING);
	assert_true(k >= 0);
	page = gpage(a, ODD_BUF, false);
	memcpy(before, page, PAGE);
	assert_memory_equal(gpage(b, RX_RING, false), before, PAGE);

	send_to(a, b->mac, 100, 1000);
	assert_memory_equal(page, before, PAGE);
	assert_true(b->errors[E1000_ERR_RING_DMA] >= 1);
	b->errors[E1000_ERR_RING_DMA] = 0;	/* expected: not a model error */
	assert_int_equal(st(a)->drop_error, 1);
	assert_int_equal(tx_pending(a), 0);
}

/* With zero copy off, everything is copied. */
static void test_zerocopy_off(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];

	(void)state;
	E->xp.zerocopy = false;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	for (unsigned i = 0; i < 24; i++)
		xfer(a, b, i, 1000);
	assert_int_equal(st(a)->copies, 24);
	assert_int_equal(st(a)->remaps, 0);
	assert_int_equal(npairs(), 0);
}

/*
 * Static coupling: pre-filled TX descriptors and both rings enabled: the
 * pairs exist before any frame, set up by the kicks alone (the VMM never
 * calls xp_preshare itself), and the first frames go zero copy.
 */
static void test_preshare(void **state)
{
	struct ring_cfg c = RING4K;
	struct guest *a = &E->g[0], *b = &E->g[1];

	(void)state;
	c.prefill = true;
	nic_up(a, &c);
	nic_up(b, &c);
	/* Both directions, every slot the NIC owns, and the empty slot the
	 * driver holds at RDT (7): it carries no frame. */
	for (unsigned i = 0; i < 8; i++) {
		expect_shared(a, i, b, i);
		expect_shared(b, i, a, i);
	}
	assert_int_equal(npairs(), 16);
	assert_int_equal(st(a)->remaps, 8);
	assert_int_equal(st(b)->remaps, 8);

	/* Asking again changes nothing. */
	xp_preshare(&E->xp, a->port);
	xp_preshare(&E->xp, b->port);
	assert_int_equal(npairs(), 16);

	for (unsigned i = 0; i < 5; i++)
		xfer(a, b, i, 1200);
	for (unsigned i = 0; i < 5; i++)
		xfer(b, a, 100 + i, 900);
	assert_int_equal(st(a)->copies, 0);
	assert_int_equal(st(b)->copies, 0);
	assert_int_equal(st(a)->path[XP_PATH_SHARED].tx_frames, 5);
	assert_int_equal(st(b)->path[XP_PATH_SHARED].tx_frames, 5);
	assert_int_equal(st(a)->remaps, 8);
}

/* RX enabled before any buffer is posted (Linux's order): pre-shared at the RDT write. */
static void test_preshare_late_rdt(void **state)
{
	struct ring_cfg c = RING4K;
	struct guest *a = &E->g[0], *b = &E->g[1];

	(void)state;
	c.prefill = true;
	c.late_rdt = true;
	nic_up(a, &c);
	nic_up(b, &c);
	for (unsigned i = 0; i < 7; i++) {
		expect_shared(a, i, b, i);
		expect_shared(b, i, a, i);
	}
}

/* An explicit xp_preshare, for a caller that set up the rings without kicks. */
static void test_preshare_explicit(void **state)
{
	struct ring_cfg c = RING4K;
	struct guest *a = &E->g[0], *b = &E->g[1];

	(void)state;
	c.prefill = true;
	nic_up(b, &c);
	nic_up(a, &c);
	xp_preshare(&E->xp, a->port);
	for (unsigned i = 0; i < 7; i++)
		expect_shared(a, i, b, i);
	xfer(a, b, 0, 1500);
	assert_int_equal(st(a)->copies, 0);
	assert_int_equal(st(a)->path[XP_PATH_SHARED].tx_frames, 1);
}

/*
 * A network of three is not exclusive: a ring change shares nothing ahead
 * of the frames (B could read pages A fills for C), and B's unread frames
 * stay as they were.
 */
static void test_preshare_spares_unread_buffers(void **state)
{
	struct ring_cfg c = RING4K;
	struct guest *a = &E->g[0], *b = &E->g[1], *cc = &E->g[2];

	(void)state;
	c.prefill = true;
	nic_up(a, &c);
	nic_up(b, &RING4K);
	nic_up(cc, &RING4K);
	wr(cc, E1000_RCTL, 0);	/* C only sends */
	/* C's frames wait in B's slots 0..2, unread. */
	for (unsigned i = 0; i < 3; i++)
		send_to(cc, b->mac, i, 1400);
	assert_int_equal(b->nic.rdh, 3);
	/* A resets and comes up again: its pairs are set up anew. */
	wr(a, E1000_CTRL, E1000_CTRL_RST);
	nic_up(a, &c);
	for (unsigned i = 0; i < 7; i++)
		assert_false(paired(a, tx_slot_gpa(a, i), b, rx_slot_gpa(b, i)));
	assert_int_equal(npairs(), 0);
	for (unsigned i = 0; i < 3; i++)
		expect_frame(b, b->mac, cc, i, 1400);
}

/* More than 64 statically coupled pairs, none exclusive: nothing pre-shared,
 * the first frame between two of them is a copy. */
static void test_preshare_many_ports(void **state)
{
	struct ring_cfg c = RING4K;
	struct guest *a, *b;

	(void)state;
	env_new(true, false);
	for (int i = 0; i < 12; i++)
		add_guest(NET, XT_DET_NO_UPLINK);
	xt_det_finalize(&E->det);
	assert_true(xt_det_static_pairs(&E->det, NULL, 0) > 64);
	a = &E->g[10];
	b = &E->g[11];
	c.prefill = true;
	nic_up(a, &c);
	nic_up(b, &c);
	assert_int_equal(npairs(), 0);
	xfer(a, b, 0, 1000);
	assert_int_equal(st(a)->copies, 1);
}

/* Pre-sharing follows the zero-copy rules: B's 2 KiB RX buffers are never shared. */
static void test_preshare_2k_rx(void **state)
{
	struct ring_cfg c = RING4K, r = RING2K;
	struct guest *a = &E->g[0], *b = &E->g[1];

	(void)state;
	c.prefill = true;
	r.prefill = true;
	nic_up(a, &c);
	nic_up(b, &r);
	xp_preshare(&E->xp, a->port);
	for (unsigned i = 0; i < 7; i++)
		assert_false(paired(a, tx_slot_gpa(a, i), b, rx_slot_gpa(b, i)));
	/* B -> A: A's RX buffers are pages, B's TX slots 0, 2, 4, 6 start pages. */
	for (unsigned i = 0; i < 7; i += 2)
		expect_shared(b, i, a, i);
	for (unsigned i = 0; i < 24; i++)
		xfer(a, b, i, 1000);
	assert_int_equal(st(a)->copies, 24);
	assert_int_equal(st(a)->remaps, 0);
}

/*
 * A receiver with VLAN stripping on (CTRL.VME, as Linux's e1000 sets it by
 * default) cannot take frames in place: copied, and never shared only to be
 * torn down again.
 */
static void test_zerocopy_vlan_receiver(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	uint64_t invepts;

	(void)state;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	wr(b, E1000_CTRL, rd(b, E1000_CTRL) | E1000_CTRL_VME);
	invepts = E->rm.st.invepts;
	for (unsigned i = 0; i < 24; i++)
		xfer(a, b, i, 1000 + i);
	assert_int_equal(st(a)->copies, 24);
	assert_int_equal(st(a)->remaps, 0);
	assert_int_equal(E->rm.st.shares, 0);
	assert_int_equal(E->rm.st.invepts, invepts);
	assert_int_equal(tx_pending(a), 0);
}

/* Buffers of 2 KiB: never zero copy (a page would hold two buffers). */
static void test_copy_2k(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	uint64_t sum = 0;

	(void)state;
	nic_up(a, &RING2K);
	nic_up(b, &RING2K);
	for (unsigned i = 0; i < 32; i++) {
		uint32_t len = 256 + 37 * i;

		send_to(a, b->mac, i, len);
		sum += len;
		/* A copy: completed at once. */
		assert_true(tx_dd(a, i % 8));
		expect_frame(b, b->mac, a, i, len);
		rx_give_all(b);
	}
	assert_int_equal(st(a)->copies, 32);
	assert_int_equal(st(a)->bytes_copied, sum);
	assert_int_equal(st(a)->remaps, 0);
	assert_int_equal(st(a)->path[XP_PATH_COPY].tx_frames, 32);
	assert_int_equal(st(a)->path[XP_PATH_COPY].tx_bytes, sum);
	assert_int_equal(npairs(), 0);
}

/* Page-sized TX buffers but 2 KiB RX buffers: B's page holds two buffers: copied. */
static void test_copy_2k_rx(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	struct ring_cfg rc = RING2K;

	(void)state;
	rc.rx_n = 16;
	nic_up(a, &RING4K);
	nic_up(b, &rc);
	for (unsigned i = 0; i < 64; i++)
		xfer(a, b, i, 1000);
	assert_int_equal(st(a)->copies, 64);
	assert_int_equal(st(a)->remaps, 0);
	assert_int_equal(npairs(), 0);
}

/* ---------------------------------------------------------- TCP segmentation */

#define TSO_HDR		54u		/* Ethernet + IPv4 + TCP, no options */
#define TSO_SEQ		0x7ffffe00u

static uint32_t get_be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t tso_fold(uint64_t s)
{
	while (s > 0xffff)
		s = (s >> 16) + (s & 0xffff);
	return (uint32_t)s;
}

static uint64_t tso_sum(uint64_t s, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint64_t)p[i] << 8;
	return s;
}

/* IPv4 pseudo-header sum (10.0.0.1 -> 10.0.0.2, TCP) with the given TCP length. */
static uint64_t tso_pseudo(uint32_t tcp_len)
{
	const uint8_t ph[12] = { 10, 0, 0, 1, 10, 0, 0, 2, 0, 6,
				 (uint8_t)(tcp_len >> 8), (uint8_t)tcp_len };

	return tso_sum(0, ph, sizeof(ph));
}

/*
 * A TSO packet from g to dst as Linux's e1000 queues one: a context
 * descriptor (TSE, HDRLEN 54, MSS, PAYLEN), then the prototype header
 * (IP length and checksum 0, TCP checksum seeded with the pseudo-header
 * sum without length) and the payload in two data descriptors at ODD_BUF.
 * TDT not written. pkt: the packet as written.
 */
static void queue_tso(struct guest *g, const uint8_t dst[6], uint8_t *pkt, uint32_t paylen,
		      uint16_t mss)
{
	uint8_t d[16];
	uint32_t seed = tso_fold(tso_pseudo(0));

	assert_true(tx_free(g) >= 3);
	memset(pkt, 0, TSO_HDR);
	memcpy(pkt, dst, 6);
	memcpy(pkt + 6, g->mac, 6);
	pkt[12] = 0x08;
	pkt[14] = 0x45;
	pkt[18] = 0x12;
	pkt[19] = 0x34;
	pkt[22] = 64;
	pkt[23] = 6;
	memcpy(pkt + 26, (const uint8_t[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
	pkt[35] = 80;
	pkt[37] = 81;
	put_be16(pkt + 38, TSO_SEQ >> 16);
	put_be16(pkt + 40, TSO_SEQ & 0xffff);
	pkt[46] = 0x50;
	pkt[47] = 0x19;		/* FIN|PSH|ACK */
	pkt[48] = 0xff;
	put_be16(pkt + 50, (uint16_t)seed);
	for (uint32_t i = 0; i < paylen; i++)
		pkt[TSO_HDR + i] = (uint8_t)(i * 11 + (i >> 8));
	gwrite(g, ODD_BUF, pkt, TSO_HDR + paylen);

	memset(d, 0, 16);
	d[0] = 14;
	d[1] = 24;
	put_le16(d + 2, 33);
	d[4] = 34;
	d[5] = 50;
	put_le32(d + 8, paylen | (uint32_t)(E1000_TXD_CMD_TSE | E1000_TXD_CMD_IP | E1000_TXD_CMD_TCP |
					   E1000_TXD_CMD_DEXT) << 24);
	d[13] = TSO_HDR;
	put_le16(d + 14, mss);
	gwrite(g, TX_RING + 16ULL * g->tdt, d, 16);
	g->tdt = (g->tdt + 1) % g->tx_n;
	for (unsigned k = 0; k < 2; k++) {
		uint8_t cmd = E1000_TXD_CMD_DEXT | E1000_TXD_CMD_TSE | E1000_TXD_CMD_IFCS;

		memset(d, 0, 16);
		put_le64(d, k ? ODD_BUF + TSO_HDR : ODD_BUF);
		if (k)
			cmd |= E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS;
		put_le32(d + 8, (k ? paylen : TSO_HDR) | E1000_TXD_DTYP_D << 20 | (uint32_t)cmd << 24);
		d[13] = E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM;
		gwrite(g, TX_RING + 16ULL * g->tdt, d, 16);
		g->tdt = (g->tdt + 1) % g->tx_n;
	}
}

/* Frame k of that packet as received: lengths, ID, sequence, flags, checksums, bytes. */
static void check_tso_frame(const uint8_t *f, uint32_t len, const uint8_t *pkt, uint32_t paylen,
			    uint16_t mss, uint32_t k)
{
	uint32_t off = k * mss, n = paylen - off < mss ? paylen - off : mss;
	bool last = off + n == paylen;

	assert_int_equal(len, TSO_HDR + n);
	assert_memory_equal(f, pkt, 16);
	assert_int_equal(get_be16(f + 16), len - 14);
	assert_int_equal(get_be16(f + 18), 0x1234 + k);
	assert_int_equal(tso_fold(tso_sum(0, f + 14, 20)), 0xffff);
	assert_int_equal((uint32_t)get_be16(f + 38) << 16 | get_be16(f + 40), TSO_SEQ + off);
	assert_int_equal(f[47], last ? 0x19 : 0x10);
	assert_int_equal(tso_fold(tso_sum(tso_pseudo(len - 34), f + 34, len - 34)), 0xffff);
	assert_memory_equal(f + TSO_HDR, pkt + TSO_HDR + off, n);
}

/* A TSO packet to a peer arrives as plain frames, copied (bounced), never shared in place. */
static void test_tso_to_peer(void **state)
{
	static uint8_t pkt[TSO_HDR + 8000];
	struct guest *a = &E->g[0], *b = &E->g[1];
	uint8_t got[MAX_FRAME];
	uint32_t n, paylen = 5000, frames = 4;
	unsigned last;

	(void)state;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	queue_tso(a, b->mac, pkt, paylen, 1460);
	last = (a->tdt + a->tx_n - 1) % a->tx_n;
	kick(a);
	for (uint32_t k = 0; k < frames; k++) {
		assert_true(recv(b, got, &n));
		check_tso_frame(got, n, pkt, paylen, 1460, k);
	}
	expect_nothing(b);
	/* Copies complete at once: the whole packet is handed back, DD on its
	 * EOP descriptor. */
	assert_true(tx_dd(a, last));
	assert_int_equal(rd(a, E1000_TDH), a->tdt);
	assert_int_equal(st(a)->copies, frames);
	assert_int_equal(st(a)->path[XP_PATH_COPY].tx_frames, frames);
	assert_int_equal(npairs(), 0);
	assert_int_equal(rd(a, E1000_GPTC), frames);
	assert_int_equal(rd(a, E1000_TSCTC), 1);
	no_model_errors();
	/* B had room for only 7 frames at once: a longer packet waits for it. */
	rx_give_all(b);
	queue_tso(a, b->mac, pkt, 7999, 1000);
	kick(a);
	for (uint32_t k = 0; k < 7; k++) {
		assert_true(recv(b, got, &n));
		check_tso_frame(got, n, pkt, 7999, 1000, k);
	}
	expect_nothing(b);
	assert_false(tx_dd(a, (a->tdt + a->tx_n - 1) % a->tx_n));
	rx_give_all(b);
	assert_true(recv(b, got, &n));
	check_tso_frame(got, n, pkt, 7999, 1000, 7);
	assert_true(tx_dd(a, (a->tdt + a->tx_n - 1) % a->tx_n));
	assert_int_equal(rd(a, E1000_TDH), a->tdt);
	no_model_errors();
}

/* To the outside: each frame goes to the physical NIC as a copy of at most 1514 bytes. */
static void test_tso_to_phys(void **state)
{
	static uint8_t pkt[TSO_HDR + 8000];
	struct guest *a = &E->g[0];
	uint32_t paylen = 3000;

	(void)state;
	nic_up(a, &RING4K);
	queue_tso(a, unknown_mac, pkt, paylen, 1460);
	kick(a);
	assert_int_equal(E->nph, 3);
	for (unsigned k = 0; k < 3; k++) {
		assert_true(E->ph[k].copy);
		check_tso_frame(E->ph[k].data, E->ph[k].len, pkt, paylen, 1460, k);
	}
	/* Sent when the NIC says so: the descriptors (only the EOP one has
	 * RS, so the driver reclaims by it) go back with the last frame. */
	assert_int_equal(rd(a, E1000_TDH), 1);
	ph_done(0);
	ph_done(1);
	assert_int_equal(rd(a, E1000_TDH), 1);
	assert_false(tx_dd(a, 2));
	ph_done(2);
	assert_int_equal(rd(a, E1000_TDH), 3);
	assert_true(tx_dd(a, 2));
	no_model_errors();
}

/* Frames shorter than zerocopy_min are copied, even between page buffers. */
static void test_copy_small(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	uint64_t sum = 0;

	(void)state;
	assert_int_equal(E->xp.zerocopy_min, 256);
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	for (unsigned i = 0; i < 24; i++) {
		uint32_t len = 60 + 8 * i;	/* 60..244 */

		send_to(a, b->mac, i, len);
		sum += len;
		assert_true(tx_dd(a, i % 8));
		expect_frame(b, b->mac, a, i, len);
		rx_give_all(b);
	}
	assert_int_equal(st(a)->copies, 24);
	assert_int_equal(st(a)->bytes_copied, sum);
	assert_int_equal(st(a)->remaps, 0);
	assert_int_equal(npairs(), 0);
}

/*
 * The VMM never writes into a shared page on B's behalf: S is A's TX page.
 * A copy for B (from C, from outside, or a small frame from A) that lands
 * in a buffer on a shared page leaves A's page as it was.
 */
static void test_copy_never_writes_sender_page(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1], *c = &E->g[2];
	uint8_t snap[PAGE], now[PAGE], f[MAX_FRAME];
	unsigned seq = 0;

	(void)state;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	nic_up(c, &RING4K);
	for (unsigned i = 0; i < 16; i++)
		xfer(a, b, seq++, 1500);
	for (unsigned i = 0; i < 8; i++)
		expect_shared(a, i, b, i);

	/* C -> B into B's slot 0, shared with A's slot 0. */
	assert_int_equal(b->nic.rdh, 0);
	gread(a, tx_slot_gpa(a, 0), snap, PAGE);
	send_to(c, b->mac, 500, 400);
	gread(a, tx_slot_gpa(a, 0), now, PAGE);
	assert_memory_equal(now, snap, PAGE);
	expect_frame(b, b->mac, c, 500, 400);
	rx_give_all(b);

	/* From outside into B's slot 1, shared with A's slot 1. */
	gread(a, tx_slot_gpa(a, 1), snap, PAGE);
	make_frame(f, 700, b->mac, unknown_mac, 501);
	xp_phys_rx(&E->xp, 0, f, 700);
	gread(a, tx_slot_gpa(a, 1), now, PAGE);
	assert_memory_equal(now, snap, PAGE);
	expect_raw(b, f, 700);
	rx_give_all(b);

	/* A small frame from A's slot 0 into B's slot 2, shared with A's slot 2. */
	assert_int_equal(a->tdt, 0);
	assert_int_equal(b->nic.rdh, 2);
	expect_shared(a, 2, b, 2);
	gread(a, tx_slot_gpa(a, 2), snap, PAGE);
	send_to(a, b->mac, seq, 100);
	gread(a, tx_slot_gpa(a, 2), now, PAGE);
	assert_memory_equal(now, snap, PAGE);
	expect_frame(b, b->mac, a, seq, 100);
	rx_give_all(b);
	seq++;

	/* A large one from A's slot 1 into B's slot 3 (first meeting: a copy). */
	expect_shared(a, 3, b, 3);
	gread(a, tx_slot_gpa(a, 3), snap, PAGE);
	send_to(a, b->mac, seq, 1400);
	gread(a, tx_slot_gpa(a, 3), now, PAGE);
	assert_memory_equal(now, snap, PAGE);
	expect_frame(b, b->mac, a, seq, 1400);
	rx_give_all(b);
	assert_int_equal(tx_pending(a), 0);
	assert_int_equal(tx_pending(c), 0);
}

/* A small frame through pages that are already shared needs no copy and no remap. */
static void test_small_frame_through_pair(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	uint8_t snap[PAGE], now[PAGE], f[MAX_FRAME];
	uint64_t unshares;

	(void)state;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	for (unsigned i = 0; i < 16; i++)
		xfer(a, b, i, 1500);
	unshares = E->rm.st.unshares;
	gread(a, tx_slot_gpa(a, 0), snap, PAGE);
	make_frame(f, 80, b->mac, a->mac, 16);
	memcpy(snap, f, 80);
	xfer(a, b, 16, 80);
	gread(a, tx_slot_gpa(a, 0), now, PAGE);
	assert_memory_equal(now, snap, PAGE);	/* not even the FCS bytes */
	assert_int_equal(E->rm.st.unshares, unshares);
	assert_int_equal(st(a)->copies, 8);
	assert_int_equal(st(a)->path[XP_PATH_SHARED].tx_frames, 9);
	expect_shared(a, 0, b, 0);
}

/*
 * Backpressure: B's ring of 8 (7 for the NIC) and 40 frames from A in
 * batches of 10: A waits, B's returns release the frames in order.
 */
static void test_backpressure(void **state)
{
	struct ring_cfg ca = RING2K;
	struct guest *a = &E->g[0], *b = &E->g[1];
	uint8_t got[MAX_FRAME];
	bool seen[40] = { false };
	uint32_t next = 0, sent = 0, n;
	unsigned rounds = 0;

	(void)state;
	ca.tx_n = 64;
	nic_up(a, &ca);
	nic_up(b, &RING2K);

	while (next < 40) {
		assert_true(++rounds < 1000);
		if (sent < 40 && tx_free(a) >= 10) {
			for (unsigned k = 0; k < 10; k++, sent++)
				queue_to(a, b->mac, sent, 200 + sent * 31);
			kick(a);
			if (sent == 10) {
				/* 7 in B's ring (copies: done), A waits with TDH at 7. */
				assert_int_equal(b->nic.rdh, 7);
				assert_true(st(a)->waits >= 1);
				assert_int_equal(a->nic.tdh, 7);
				assert_int_equal(E->xp.port[a->port].blocked_on, (int)b->port);
			}
		}
		/* B reads what it has, then gives the buffers back. */
		while (recv(b, got, &n)) {
			uint32_t s = frame_seq(got);

			assert_int_equal(s, next);
			assert_false(seen[s]);
			seen[s] = true;
			assert_int_equal(n, 200 + s * 31);
			next++;
		}
		rx_give_all(b);
	}
	assert_int_equal(sent, 40);
	expect_nothing(b);
	assert_true(st(a)->waits >= 4);
	assert_int_equal(E->xp.port[a->port].blocked_on, -1);
	assert_int_equal(tx_pending(a), 0);
	assert_int_equal(a->nic.tdh, 40);
	assert_int_equal(st(a)->copies, 40);
	assert_int_equal(st(a)->path[XP_PATH_COPY].tx_frames, 40);
}

/*
 * More frames kicked at once than the e1000 keeps in flight (256): the rest
 * go as soon as completions make room, without another TDT write.
 */
static void test_inflight_limit(void **state)
{
	struct ring_cfg ca = RING2K, cr = RING2K;
	struct guest *a = &E->g[0], *b = &E->g[1], *c = &E->g[2];
	uint8_t got[MAX_FRAME];
	uint32_t nb = 0, nc = 0, n;

	(void)state;
	ca.tx_n = 512;
	cr.rx_n = 256;
	nic_up(a, &ca);
	nic_up(b, &cr);
	nic_up(c, &cr);
	for (uint32_t i = 0; i < 300; i++)
		queue_to(a, (i & 1) ? c->mac : b->mac, i, 64 + i);
	kick(a);
	for (unsigned round = 0; round < 10 && (nb < 150 || nc < 150); round++) {
		while (recv(b, got, &n)) {
			assert_int_equal(frame_seq(got), 2 * nb);
			nb++;
		}
		while (recv(c, got, &n)) {
			assert_int_equal(frame_seq(got), 2 * nc + 1);
			nc++;
		}
		rx_give_all(b);
		rx_give_all(c);
	}
	assert_int_equal(nb, 150);
	assert_int_equal(nc, 150);
	assert_int_equal(tx_pending(a), 0);
	assert_int_equal(a->nic.tdh, 300);
}

/* Frames to the outside: A's pages by HPA, completed on xp_phys_done. */
static void test_outside(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	uint8_t f[MAX_FRAME];
	struct phys_frame *p;
	unsigned s;

	(void)state;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);

	/* One page: one segment, A's own page. */
	make_frame(f, 1000, unknown_mac, a->mac, 0);
	s = queue_frame(a, f, 1000);
	kick(a);
	assert_int_equal(E->nph, 1);
	p = &E->ph[0];
	assert_false(p->copy);
	assert_int_equal(p->nseg, 1);
	assert_int_equal(p->seg[0].hpa, a->ram_hpa + tx_slot_gpa(a, s));
	assert_int_equal(p->seg[0].len, 1000);
	assert_memory_equal(p->data, f, 1000);
	assert_false(tx_dd(a, s));
	assert_int_equal(a->nic.tdh, 0);
	assert_true(remap_phys_attached(&E->rm, &a->side, tx_slot_gpa(a, s)));
	ph_done(0);
	assert_true(tx_dd(a, s));
	assert_int_equal(a->nic.tdh, 1);
	assert_false(remap_phys_attached(&E->rm, &a->side, tx_slot_gpa(a, s)));
	/* A second done for that cookie (and an unknown one) does nothing. */
	xp_phys_done(&E->xp, p->cookie);
	xp_phys_done(&E->xp, XP_PHYS_INFLIGHT + 5);
	assert_int_equal(a->nic.tdh, 1);

	/* Across a page boundary: two segments. */
	make_frame(f, 1500, unknown_mac, a->mac, 1);
	s = queue_at(a, ODD_BUF + 0xc00, f, 1500);
	kick(a);
	assert_int_equal(E->nph, 2);
	p = &E->ph[1];
	assert_int_equal(p->nseg, 2);
	assert_int_equal(p->seg[0].hpa, a->ram_hpa + ODD_BUF + 0xc00);
	assert_int_equal(p->seg[0].len, 0x400);
	assert_int_equal(p->seg[1].hpa, a->ram_hpa + ODD_BUF + 0x1000);
	assert_int_equal(p->seg[1].len, 1500 - 0x400);
	assert_memory_equal(p->data, f, 1500);
	assert_false(tx_dd(a, s));
	ph_done(1);
	assert_true(tx_dd(a, s));
	assert_int_equal(st(a)->path[XP_PATH_PHYS].tx_frames, 2);
	assert_int_equal(st(a)->path[XP_PATH_PHYS].tx_bytes, 2500);
	assert_int_equal(st(a)->copies, 0);

	/* The NIC's ring full: A waits, a completion lets it go on. */
	send_to(a, unknown_mac, 2, 600);	/* in flight */
	assert_int_equal(E->nph, 3);
	E->ph_eagain = ~0u;
	send_to(a, unknown_mac, 3, 700);
	send_to(a, unknown_mac, 4, 800);
	assert_int_equal(E->nph, 3);
	assert_true(st(a)->waits >= 1);
	assert_int_equal(E->xp.port[a->port].blocked_on, XP_BLOCKED_PHYS);
	E->ph_eagain = 0;
	ph_done(2);
	assert_int_equal(E->nph, 5);
	assert_int_equal(frame_seq(E->ph[3].data), 3);
	assert_int_equal(frame_seq(E->ph[4].data), 4);
	assert_int_equal(E->xp.port[a->port].blocked_on, -1);
	assert_int_equal(tx_pending(a), 2);
	phys_done_all();
	assert_int_equal(tx_pending(a), 0);
	assert_int_equal(st(a)->path[XP_PATH_PHYS].tx_frames, 5);
	assert_int_equal(st(a)->drop_outside, 0);
}

/*
 * A page shared with B that goes outside is unshared first (B keeps what it
 * had); while the NIC has it, a frame from it to B is copied, not shared.
 * B consumed its frames, so its view of the pair is closed: what A writes
 * into the page for the outside never shows in B's buffer (H2).
 */
static void test_outside_shared_page(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	uint8_t before[PAGE], after[PAGE], f[MAX_FRAME];
	uint64_t remaps, copies, perms;
	struct phys_frame *p;
	unsigned seq = 0, s;

	(void)state;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	for (unsigned i = 0; i < 16; i++)
		xfer(a, b, seq++, 1500);
	expect_shared(a, 0, b, 0);

	remaps = st(a)->remaps;
	make_frame(f, 1200, unknown_mac, a->mac, seq++);
	s = queue_frame(a, f, 1200);	/* A writes into the shared page */
	assert_int_equal(s, 0);
	/* What B's slot-0 buffer holds now: not A's new frame. */
	gread(b, rx_slot_gpa(b, 0), before, PAGE);
	assert_memory_not_equal(before, f, 1200);
	kick(a);
	assert_int_equal(st(a)->remaps, remaps + 1);
	assert_false(paired(a, tx_slot_gpa(a, 0), b, rx_slot_gpa(b, 0)));
	assert_int_equal(E->nph, 1);
	p = &E->ph[0];
	assert_int_equal(p->nseg, 1);
	assert_int_equal(p->seg[0].hpa, a->ram_hpa + tx_slot_gpa(a, 0));
	assert_memory_equal(p->data, f, 1200);
	/* B's own page again, writable, with what it had. */
	assert_int_equal(hpa_of(b, rx_slot_gpa(b, 0), &perms), b->ram_hpa + rx_slot_gpa(b, 0));
	assert_int_equal(perms, RWX);
	gread(b, rx_slot_gpa(b, 0), after, PAGE);
	assert_memory_equal(after, before, PAGE);

	/* B's next buffer is slot 0: a frame to B from the same (attached) page. */
	assert_int_equal(b->nic.rdh, 0);
	copies = st(a)->copies;
	make_frame(f, 1300, b->mac, a->mac, seq);
	queue_at(a, tx_slot_gpa(a, 0), f, 1300);
	kick(a);
	assert_int_equal(st(a)->copies, copies + 1);
	assert_int_equal(st(a)->remaps, remaps + 1);
	assert_false(paired(a, tx_slot_gpa(a, 0), b, rx_slot_gpa(b, 0)));
	expect_frame(b, b->mac, a, seq, 1300);
	rx_give_all(b);
	assert_false(tx_dd(a, 0));	/* the NIC still has it */
	ph_done(0);
	assert_false(remap_phys_attached(&E->rm, &a->side, tx_slot_gpa(a, 0)));
	assert_true(tx_dd(a, 0));
	assert_true(tx_dd(a, 1));
	assert_int_equal(tx_pending(a), 0);
}

/*
 * A frame to the outside with more pieces than the NIC takes (9 descriptors,
 * each on a page shared with B) is copied: the bytes are A's, never those of
 * a freed shared page.
 */
/* Queue the len bytes of f in n legacy TX descriptors at A's TDT, each
 * piece bytes but the last (EOP), each in its own slot's buffer (no TDT
 * write: the caller kicks). */
static void queue_pieces(struct guest *a, const uint8_t *f, uint32_t len, uint32_t piece,
			 unsigned n)
{
	uint32_t off = 0;

	for (unsigned k = 0; k < n; k++) {
		uint32_t m = k + 1 == n ? len - off : piece;
		unsigned slot = a->tdt;
		uint8_t *d;

		gwrite(a, tx_slot_gpa(a, slot), f + off, m);
		d = txd(a, slot);
		memset(d, 0, 16);
		put_le64(d + E1000_TXD_ADDR, tx_slot_gpa(a, slot));
		put_le16(d + E1000_TXD_LENGTH, (uint16_t)m);
		d[E1000_TXD_CMD] = E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS |
				   (k + 1 == n ? E1000_TXD_CMD_EOP : 0);
		a->tdt = (slot + 1) % a->tx_n;
		off += m;
	}
}

static void test_outside_many_pieces(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	struct ring_cfg c16 = RING4K;
	uint8_t f[MAX_FRAME];

	(void)state;
	c16.tx_n = 16;
	c16.rx_n = 16;
	nic_up(a, &c16);
	nic_up(b, &c16);
	for (unsigned i = 0; i < 32; i++)
		xfer(a, b, i, 1000);
	assert_int_equal(npairs(), 16);
	assert_int_equal(a->tdt, 0);

	make_frame(f, 900, unknown_mac, a->mac, 99);
	queue_pieces(a, f, 900, 100, 9);
	kick(a);
	assert_int_equal(E->nph, 1);
	assert_true(E->ph[0].copy);
	assert_int_equal(E->ph[0].len, 900);
	assert_memory_equal(E->ph[0].data, f, 900);
	assert_int_equal(st(a)->copies, 16 + 1);
	/* A copy: no page stays attached; done when the NIC has sent it. */
	for (unsigned k = 0; k < 9; k++)
		assert_false(remap_phys_attached(&E->rm, &a->side, tx_slot_gpa(a, k)));
	assert_int_equal(tx_pending(a), 9);
	ph_done(0);
	assert_int_equal(tx_pending(a), 0);
}

/* A frame longer than the wire takes (a jumbo frame from a guest with
 * RCTL.LPE) never reaches the physical NIC: dropped, counted, completed. */
static void test_outside_jumbo_dropped(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	static uint8_t f[3000];

	(void)state;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	wr(a, E1000_RCTL, rd(a, E1000_RCTL) | E1000_RCTL_LPE);	/* up to 16128 bytes */
	make_frame(f, MAX_FRAME, unknown_mac, a->mac, 7);
	queue_pieces(a, f, sizeof(f), 2000, 2);
	kick(a);
	assert_int_equal(E->nph, 0);
	assert_int_equal(E->ph_calls, 0);
	assert_int_equal(st(a)->drop_error, 1);
	assert_int_equal(tx_pending(a), 0);
	for (unsigned k = 0; k < 2; k++)
		assert_false(remap_phys_attached(&E->rm, &a->side, tx_slot_gpa(a, k)));
}

/*
 * Dynamic both ways: A to B, then outside, then to B again from the same TX
 * slots: nothing lost, duplicated or reordered; each remap counted.
 */
static void test_dynamic_both_ways(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	uint8_t got[MAX_FRAME];
	uint32_t seq = 0, n;

	(void)state;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	for (unsigned i = 0; i < 16; i++)
		xfer(a, b, seq++, 1000 + i);	/* 8 copies, then 8 shares */
	assert_int_equal(st(a)->remaps, 8);
	assert_int_equal(npairs(), 8);

	for (unsigned i = 0; i < 8; i++) {	/* every page goes outside: 8 unshares */
		send_to(a, unknown_mac, seq++, 700 + i);
		phys_done_all();
	}
	assert_int_equal(st(a)->remaps, 16);
	assert_int_equal(npairs(), 0);
	assert_int_equal(E->nph, 8);
	for (unsigned i = 0; i < 8; i++) {
		assert_false(E->ph[i].copy);
		assert_int_equal(frame_seq(E->ph[i].data), 16 + i);
		assert_int_equal(E->ph[i].len, 700 + i);
	}

	/* Back to B: the pairings are known, shared again at once. */
	for (unsigned i = 0; i < 16; i++) {
		send_to(a, b->mac, seq, 1100);
		assert_true(recv(b, got, &n));
		assert_int_equal(frame_seq(got), seq);
		seq++;
		rx_give_all(b);
	}
	expect_nothing(b);
	assert_int_equal(st(a)->remaps, 24);
	assert_int_equal(st(a)->copies, 8);
	assert_int_equal(E->rm.st.shares, 16);
	assert_int_equal(E->rm.st.unshares, 8);
	assert_int_equal(tx_pending(a), 0);
}

/* Broadcast: a copy to every other port and one to the outside; resumable. */
static void test_broadcast(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1], *c = &E->g[2], *d = &E->g[3];
	uint32_t seq = 0;

	(void)state;
	for (unsigned i = 0; i < 4; i++)
		nic_up(&E->g[i], &RING4K);

	send_to(a, bcast, seq, 1000);
	expect_frame(b, bcast, a, seq, 1000);
	expect_frame(c, bcast, a, seq, 1000);
	expect_frame(d, bcast, a, seq, 1000);
	assert_int_equal(E->nph, 1);
	assert_true(E->ph[0].copy);
	assert_int_equal(E->ph[0].len, 1000);
	assert_int_equal(frame_seq(E->ph[0].data), seq);
	/* A's buffer is free once every copy is made. */
	assert_true(tx_dd(a, 0));
	assert_int_equal(st(a)->copies, 4);
	assert_int_equal(st(a)->bytes_copied, 4000);
	assert_int_equal(st(a)->path[XP_PATH_PHYS].tx_frames, 1);
	assert_int_equal(st(c)->path[XP_PATH_COPY].rx_frames, 1);
	seq++;
	rx_give_all(b);
	rx_give_all(c);
	rx_give_all(d);

	/* C stops reading: its ring fills up (7 for the NIC). */
	for (; seq < 8; seq++) {
		send_to(a, bcast, seq, 500);
		expect_frame(b, bcast, a, seq, 500);
		expect_frame(d, bcast, a, seq, 500);
		rx_give_all(b);
		rx_give_all(d);
		assert_true(tx_dd(a, seq));
	}
	assert_int_equal(e1000_rx_free(&c->nic), 0);
	assert_int_equal(E->nph, 8);
	send_to(a, bcast, seq, 600);
	expect_frame(b, bcast, a, seq, 600);
	expect_frame(d, bcast, a, seq, 600);
	assert_false(tx_dd(a, seq));
	assert_int_equal(E->nph, 8);	/* the outside copy comes after the ports */
	assert_int_equal(E->xp.port[a->port].blocked_on, (int)c->port);
	assert_true(st(a)->waits >= 1);
	rx_give_all(b);
	rx_give_all(d);
	/* A's own kicks do not duplicate anything meanwhile. */
	kick(a);
	expect_nothing(b);
	expect_nothing(d);

	/* C reads and gives back: A goes on, nobody gets a second copy. */
	for (uint32_t s = 1; s < 8; s++)
		expect_frame(c, bcast, a, s, 500);
	rx_give_all(c);
	expect_frame(c, bcast, a, seq, 600);
	expect_nothing(c);
	expect_nothing(b);
	expect_nothing(d);
	assert_int_equal(E->nph, 9);
	assert_int_equal(frame_seq(E->ph[8].data), seq);
	assert_true(tx_dd(a, seq));
	assert_int_equal(E->xp.port[a->port].blocked_on, -1);
	assert_int_equal(st(a)->copies, 4 * 9);
	assert_int_equal(st(c)->path[XP_PATH_COPY].rx_frames, 9);
	assert_int_equal(tx_pending(a), 0);
	phys_done_all();
	for (unsigned i = 0; i < XP_PHYS_INFLIGHT; i++)
		assert_false(E->xp.flight[i].used);
}

/* A's TX ring rewritten while a broadcast waits: its next frame is not the broadcast's rest. */
static void test_broadcast_ring_rewrite(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1], *c = &E->g[2], *d = &E->g[3];
	uint32_t seq;

	(void)state;
	for (unsigned i = 0; i < 4; i++)
		nic_up(&E->g[i], &RING4K);
	for (seq = 0; seq < 7; seq++) {
		send_to(a, bcast, seq, 500);
		assert_int_equal(drain(b), 1);
		assert_int_equal(drain(d), 1);
	}
	send_to(a, bcast, seq, 600);	/* C is full: A waits */
	assert_int_equal(E->xp.port[a->port].blocked_on, (int)c->port);
	assert_int_equal(drain(b), 1);
	assert_int_equal(drain(d), 1);

	/* A's driver starts its ring over (TDH/TDT rewritten, no reset)... */
	wr(a, E1000_TDH, 0);
	a->tdt = a->tx_clean = 0;
	wr(a, E1000_TDT, 0);
	/* ... and sends a unicast to B. */
	send_to(a, b->mac, 77, 300);
	/* C reads and gives back: A goes on. */
	for (uint32_t s = 0; s < 7; s++)
		expect_frame(c, bcast, a, s, 500);
	rx_give_all(c);
	expect_frame(b, b->mac, a, 77, 300);
	expect_nothing(c);
	expect_nothing(d);
	assert_int_equal(E->xp.port[a->port].blocked_on, -1);
}

/* A full receiver among several: the others get the broadcast once, outside once. */
static void test_broadcast_no_uplink(void **state)
{
	struct guest *a, *b;

	(void)state;
	env_new(true, true);
	a = add_guest(NET, XT_DET_NO_UPLINK);
	b = add_guest(NET, XT_DET_NO_UPLINK);
	xt_det_finalize(&E->det);
	nic_up(a, &RING2K);
	nic_up(b, &RING2K);
	send_to(a, bcast, 0, 100);
	expect_frame(b, bcast, a, 0, 100);
	assert_int_equal(E->nph, 0);
	assert_true(tx_dd(a, 0));
	assert_int_equal(st(a)->copies, 1);
}

/* Frames from the outside: copied into the owner's ring; full ring -> missed. */
static void test_from_outside(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1], *c = &E->g[2];
	uint8_t f[MAX_FRAME];

	(void)state;
	for (unsigned i = 0; i < 3; i++)
		nic_up(&E->g[i], &RING2K);
	clear_icr(b);

	make_frame(f, 800, b->mac, unknown_mac, 1);
	xp_phys_rx(&E->xp, 0, f, 800);
	expect_raw(b, f, 800);
	assert_true(b->irq);
	expect_nothing(a);
	expect_nothing(c);
	assert_int_equal(st(b)->path[XP_PATH_PHYS].rx_frames, 1);
	assert_int_equal(st(b)->path[XP_PATH_PHYS].rx_bytes, 800);

	/* Broadcast: every port with that uplink (A and B, not C). */
	make_frame(f, 300, bcast, unknown_mac, 2);
	xp_phys_rx(&E->xp, 0, f, 300);
	expect_raw(a, f, 300);
	expect_raw(b, f, 300);
	expect_nothing(c);
	/* Unknown unicast, another uplink, a port without the uplink, a runt: nowhere. */
	make_frame(f, 300, unknown_mac, unknown_mac, 3);
	xp_phys_rx(&E->xp, 0, f, 300);
	make_frame(f, 300, b->mac, unknown_mac, 4);
	xp_phys_rx(&E->xp, 1, f, 300);
	make_frame(f, 300, c->mac, unknown_mac, 5);
	xp_phys_rx(&E->xp, 0, f, 300);
	xp_phys_rx(&E->xp, 0, f, 10);
	expect_nothing(a);
	expect_nothing(b);
	expect_nothing(c);

	/* B's ring full: dropped, counted as the NIC would. */
	rx_give_all(b);
	(void)rd(b, E1000_MPC);
	clear_icr(b);
	for (uint32_t i = 0; i < 7; i++) {
		make_frame(f, 200, b->mac, unknown_mac, 10 + i);
		xp_phys_rx(&E->xp, 0, f, 200);
	}
	assert_int_equal(st(b)->rx_missed, 0);
	make_frame(f, 200, b->mac, unknown_mac, 17);
	xp_phys_rx(&E->xp, 0, f, 200);
	assert_int_equal(st(b)->rx_missed, 1);
	assert_true(b->nic.icr & E1000_ICR_RXO);
	assert_int_equal(rd(b, E1000_MPC), 1);
	for (uint32_t i = 0; i < 7; i++) {
		uint8_t got[MAX_FRAME];
		uint32_t n;

		assert_true(recv(b, got, &n));
		assert_int_equal(frame_seq(got), 10 + i);
	}
	expect_nothing(b);
	assert_int_equal(st(b)->path[XP_PATH_PHYS].rx_frames, 2 + 7);
}

/*
 * B stops mid-transfer: its pairs are torn down, A's frames waiting in its
 * ring complete, later frames to B are dropped, A goes on with C.
 */
static void test_port_down(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1], *c = &E->g[2];
	uint64_t unshares, perms;
	uint32_t seq = 0;

	(void)state;
	for (unsigned i = 0; i < 3; i++)
		nic_up(&E->g[i], &RING4K);
	for (unsigned i = 0; i < 16; i++)
		xfer(a, b, seq++, 1000);
	assert_int_equal(npairs(), 8);
	/* Four more, through the shared pages, that B does not read. */
	for (unsigned i = 0; i < 4; i++)
		send_to(a, b->mac, seq++, 1000);
	assert_int_equal(st(a)->path[XP_PATH_SHARED].tx_frames, 8 + 4);
	assert_int_equal(tx_pending(a), 4);
	unshares = E->rm.st.unshares;

	xp_port_down(&E->xp, b->port);
	assert_int_equal(npairs(), 0);
	assert_int_equal(E->rm.st.unshares, unshares + 8);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(hpa_of(b, rx_slot_gpa(b, i), &perms),
				 b->ram_hpa + rx_slot_gpa(b, i));
		assert_int_equal(perms, RWX);
		assert_int_equal(hpa_of(a, tx_slot_gpa(a, i), &perms),
				 a->ram_hpa + tx_slot_gpa(a, i));
		assert_int_equal(perms, RWX);
	}
	/* What B had is in its own pages now. */
	for (unsigned i = 0; i < 4; i++)
		expect_frame(b, b->mac, a, 16 + i, 1000);
	/* A's frames that were waiting in B's ring are complete. */
	assert_int_equal(tx_pending(a), 0);
	assert_int_equal(a->nic.tdh, 20 % 8);

	send_to(a, b->mac, seq++, 500);
	assert_int_equal(st(a)->drop_down, 1);
	assert_int_equal(tx_pending(a), 0);
	for (unsigned i = 0; i < 10; i++)
		xfer(a, c, seq++, 400);
	assert_int_equal(tx_pending(a), 0);
	assert_int_equal(st(a)->drop_down, 1);
	/* B's NIC does nothing any more. */
	send_to(b, a->mac, 1000, 100);
	expect_nothing(a);
	xp_rx_ready(&E->xp, b->port);
	xp_port_reset(&E->xp, b->port);
}

/* B stops while A is blocked on its full ring: A is released. */
static void test_port_down_blocked(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	struct ring_cfg ca = RING2K;

	(void)state;
	ca.tx_n = 32;
	nic_up(a, &ca);
	nic_up(b, &RING2K);
	for (uint32_t i = 0; i < 12; i++)
		queue_to(a, b->mac, i, 300);
	kick(a);
	assert_int_equal(E->xp.port[a->port].blocked_on, (int)b->port);
	xp_port_down(&E->xp, b->port);
	assert_int_equal(E->xp.port[a->port].blocked_on, -1);
	assert_int_equal(tx_pending(a), 0);
	assert_int_equal(st(a)->drop_down, 5);
}

/* B resets its NIC, or turns RX off, while A waits on it: A is released. */
static void test_peer_reset(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	struct ring_cfg ca = RING2K;

	(void)state;
	ca.tx_n = 32;
	nic_up(a, &ca);
	nic_up(b, &RING2K);
	for (uint32_t i = 0; i < 10; i++)
		queue_to(a, b->mac, i, 300);
	kick(a);
	assert_int_equal(E->xp.port[a->port].blocked_on, (int)b->port);
	assert_int_equal(tx_pending(a), 3);	/* 7 copied (done), 3 wait */
	wr(b, E1000_CTRL, E1000_CTRL_RST);
	assert_int_equal(E->xp.port[a->port].blocked_on, -1);
	assert_int_equal(tx_pending(a), 0);
	assert_int_equal(st(a)->drop_filtered, 3);

	/* B up again; A blocks; B clears RCTL.EN. */
	nic_up(b, &RING2K);
	for (uint32_t i = 10; i < 20; i++)
		queue_to(a, b->mac, i, 300);
	kick(a);
	assert_int_equal(E->xp.port[a->port].blocked_on, (int)b->port);
	wr(b, E1000_RCTL, 0);
	assert_int_equal(E->xp.port[a->port].blocked_on, -1);
	assert_int_equal(tx_pending(a), 0);
	assert_int_equal(st(a)->drop_filtered, 6);

	/* And with its pages shared. */
	nic_up(b, &RING4K);
	nic_up(a, &RING4K);
	for (unsigned i = 0; i < 16; i++)
		xfer(a, b, 100 + i, 1000);
	assert_int_equal(npairs(), 8);
	wr(b, E1000_CTRL, E1000_CTRL_RST);
	assert_int_equal(npairs(), 0);
	assert_int_equal(tx_pending(a), 0);
}

/* A rewrites TDH with frames in flight: their ids go stale, nothing breaks. */
static void test_tdh_rewrite(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	struct ring_cfg c = RING4K;

	(void)state;
	c.prefill = true;	/* shared pages: in flight until B gives them back */
	nic_up(a, &c);
	nic_up(b, &c);
	for (uint32_t i = 0; i < 3; i++)
		send_to(a, b->mac, i, 300);
	assert_int_equal(tx_pending(a), 3);
	/* The driver starts over at 5. */
	wr(a, E1000_TDH, 5);
	a->tdt = a->tx_clean = 5;
	wr(a, E1000_TDT, 5);
	for (unsigned i = 0; i < 8; i++)
		txd(a, i)[E1000_TXD_STA] = 0;
	/* B gives the old frames back: stale, A's new ring is untouched. */
	for (uint32_t i = 0; i < 3; i++)
		expect_frame(b, b->mac, a, i, 300);
	rx_give_all(b);
	assert_int_equal(a->nic.tdh, 5);
	for (unsigned i = 0; i < 8; i++)
		assert_false(tx_dd(a, i));
	/* New frames work. */
	send_to(a, b->mac, 10, 300);
	send_to(a, b->mac, 11, 300);
	expect_frame(b, b->mac, a, 10, 300);
	expect_frame(b, b->mac, a, 11, 300);
	rx_give_all(b);
	assert_true(tx_dd(a, 5));
	assert_true(tx_dd(a, 6));
	assert_int_equal(a->nic.tdh, 7);
	assert_int_equal(tx_pending(a), 0);
}

/* Copy on write: a write by B to its shared RX page breaks the pair. */
static void test_cow(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	uint8_t got[MAX_FRAME], snap[PAGE];
	uint64_t perms;
	uint32_t n;

	(void)state;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	for (unsigned i = 0; i < 16; i++)
		xfer(a, b, i, 1000);
	expect_shared(a, 0, b, 0);
	expect_shared(a, 1, b, 1);

	/* Not shared: B's ring page, A's TX page (the writable side), unknown port. */
	assert_false(xp_cow_fault(&E->xp, b->port, RX_RING));
	assert_false(xp_cow_fault(&E->xp, a->port, tx_slot_gpa(a, 0)));
	assert_false(xp_cow_fault(&E->xp, 99, rx_slot_gpa(b, 0)));
	assert_false(xp_cow_fault(&E->xp, b->port, RAM_SIZE + PAGE));

	gread(b, rx_slot_gpa(b, 0), snap, PAGE);
	assert_true(xp_cow_fault(&E->xp, b->port, rx_slot_gpa(b, 0) + 0x123));
	assert_false(paired(a, tx_slot_gpa(a, 0), b, rx_slot_gpa(b, 0)));
	assert_int_equal(hpa_of(b, rx_slot_gpa(b, 0), &perms), b->ram_hpa + rx_slot_gpa(b, 0));
	assert_int_equal(perms, RWX);
	assert_memory_equal(own(b, rx_slot_gpa(b, 0)), snap, PAGE);
	assert_false(xp_cow_fault(&E->xp, b->port, rx_slot_gpa(b, 0)));

	/* The driver writing into a shared buffer goes through the same path. */
	gwrite(b, rx_slot_gpa(b, 1), "x", 1);
	assert_int_equal(E->cow_faults, 1);
	assert_false(paired(a, tx_slot_gpa(a, 1), b, rx_slot_gpa(b, 1)));

	/* Traffic goes on: copied once, shared again the second time round. */
	for (unsigned i = 0; i < 8; i++)
		xfer(a, b, 100 + i, 900);
	expect_shared(a, 0, b, 0);
	send_to(a, b->mac, 200, 800);
	assert_true(recv(b, got, &n));
	assert_int_equal(frame_seq(got), 200);
}

/* Log hook and names. */
static void test_names_and_log(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];

	(void)state;
	assert_string_equal(xp_path_name(XP_PATH_SHARED), "shared page");
	assert_string_equal(xp_path_name(XP_PATH_COPY), "cross-talk copy");
	assert_string_equal(xp_path_name(XP_PATH_PHYS), "physical");
	assert_string_equal(xp_path_name(XP_NPATHS), "?");
	assert_int_equal(xp_add_port(&E->xp, XP_MAX_PORTS, &a->nic, &a->side), -XT_EINVAL);
	assert_int_equal(xp_add_port(&E->xp, 0, NULL, &a->side), -XT_EINVAL);
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	E->logs = 0;
	xfer(a, b, 0, 1000);	/* first contact */
	assert_int_equal(E->logs, 1);
	for (unsigned i = 1; i < 9; i++)
		xfer(a, b, i, 1000);	/* one share */
	assert_int_equal(E->logs, 2);
}

#define T(fn, s) cmocka_unit_test_setup_teardown(fn, s, teardown)
#define T0(fn) cmocka_unit_test_teardown(fn, teardown)

/* ---------------------------------------------------------- hostile guests (issue 11) */

static const uint8_t secret[] = "A's secret, never sent to B";

/* Whether g can read secret anywhere in its RX buffers (through its EPT). */
static bool rx_sees_secret(struct guest *g)
{
	uint8_t page[PAGE];

	for (unsigned i = 0; i < g->rx_n; i++) {
		gread(g, rx_slot_gpa(g, i), page, PAGE);
		for (unsigned k = 0; k + sizeof(secret) <= PAGE; k++)
			if (!memcmp(page + k, secret, sizeof(secret)))
				return true;
	}
	return false;
}

/*
 * H2: A talks only to C, through shared pages. B (hostile) resets its NIC
 * and posts page-aligned 4 KiB RX buffers: none of A's pages may become
 * readable to B, and C may not read what A writes into a page after C
 * consumed the frame that was there.
 */
static void test_hostile_preshare(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1], *c = &E->g[2];
	uint64_t perms;

	(void)state;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	nic_up(c, &RING4K);
	for (unsigned i = 0; i < 16; i++)
		xfer(a, c, i, 1000);
	assert_true(st(a)->path[XP_PATH_SHARED].tx_frames >= 8);
	/* B re-arms the pre-sharing and writes RDT. */
	wr(b, E1000_CTRL, E1000_CTRL_RST);
	nic_up(b, &RING4K);
	for (unsigned i = 0; i < a->tx_n; i++)
		gwrite(a, tx_slot_gpa(a, i) + 2000, secret, sizeof(secret));
	assert_false(rx_sees_secret(b));
	assert_false(rx_sees_secret(c));
	for (unsigned i = 0; i < b->rx_n; i++) {
		assert_int_equal(hpa_of(b, rx_slot_gpa(b, i), &perms),
				 b->ram_hpa + rx_slot_gpa(b, i));
		assert_int_equal(perms, RWX);
	}
}

/*
 * M1: B enables RX with BAM and never posts a buffer (RDT = RDH). A's
 * broadcast waits for B at most the bound, then A's traffic flows again:
 * C gets the broadcast and a unicast, B's NIC counts the drop (RNBC, MPC),
 * and later frames to B are dropped at once until B posts buffers.
 */
static void test_hostile_no_room(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1], *c = &E->g[2];

	(void)state;
	for (unsigned i = 0; i < 3; i++)
		nic_up(&E->g[i], &RING2K);
	wr(b, E1000_RDT, rd(b, E1000_RDH));
	send_to(a, bcast, 0, 300);
	send_to(a, c->mac, 1, 300);
	assert_int_equal(xp_tick(&E->xp, 1000), 1000 + E->xp.wait_limit);
	xp_tick(&E->xp, 1000 + E->xp.wait_limit);
	expect_frame(c, bcast, a, 0, 300);
	expect_frame(c, c->mac, a, 1, 300);
	rx_give_all(c);
	assert_int_equal(tx_pending(a), 0);
	assert_int_equal(st(b)->rx_no_room, 1);
	assert_int_equal(rd(b, E1000_RNBC), 1);
	assert_int_equal(rd(b, E1000_MPC), 1);
	send_to(a, b->mac, 2, 300);
	assert_int_equal(st(b)->rx_no_room, 2);
	assert_int_equal(tx_pending(a), 0);
	/* One buffer back buys B one frame, not a new wait. */
	wr(b, E1000_RDT, 1);
	send_to(a, b->mac, 3, 300);
	send_to(a, b->mac, 4, 300);
	assert_int_equal(st(b)->rx_no_room, 3);
	assert_int_equal(E->xp.port[a->port].blocked_on, -1);
	assert_int_equal(tx_pending(a), 0);
	expect_frame(b, b->mac, a, 3, 300);
}

/* M1: B takes A's frames and never gives them back: A's frames complete
 * after the bound all the same. */
static void test_hostile_hoarder(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1];
	struct ring_cfg c = RING4K;

	(void)state;
	c.prefill = true;	/* shared pages: completed only once consumed */
	nic_up(a, &c);
	nic_up(b, &c);
	for (unsigned i = 0; i < 3; i++)
		send_to(a, b->mac, i, 1000);
	assert_int_equal(tx_pending(a), 3);
	xp_tick(&E->xp, 5);
	assert_int_equal(tx_pending(a), 3);
	xp_tick(&E->xp, 5 + E->xp.wait_limit);
	assert_int_equal(tx_pending(a), 0);
	for (unsigned i = 0; i < 3; i++)
		expect_frame(b, b->mac, a, i, 1000);
}

/*
 * L3: A sends with C's MAC as its source, by the generic path and after a
 * pair streams (fast path): dropped and counted, B never gets them; with
 * mac_spoof = allow (xt_det_allow_spoof) they go through.
 */
static void test_hostile_spoof(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1], *c = &E->g[2];
	uint8_t f[MAX_FRAME];

	(void)state;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	nic_up(c, &RING4K);
	make_frame(f, 300, b->mac, c->mac, 1);
	queue_frame(a, f, 300);
	kick(a);
	expect_nothing(b);
	assert_int_equal(st(a)->drop_spoofed, 1);
	assert_int_equal(tx_pending(a), 0);
	for (unsigned i = 0; i < 16; i++)	/* pairs learned: the fast path */
		xfer(a, b, 10 + i, 1000);
	make_frame(f, 1000, b->mac, c->mac, 2);
	queue_frame(a, f, 1000);
	kick(a);
	expect_nothing(b);
	assert_int_equal(st(a)->drop_spoofed, 2);
	xt_det_allow_spoof(&E->det, a->port, true);
	make_frame(f, 300, b->mac, c->mac, 3);
	queue_frame(a, f, 300);
	kick(a);
	expect_frame(b, b->mac, c, 3, 300);
}

/*
 * M2: once B's descriptor says DD, A (hostile) rewrites its TX buffer: the
 * write lands in A's own page (copy on write), B reads the frame as it was
 * delivered.
 */
static void test_hostile_rewrite(void **state)
{
	struct ring_cfg cfg = RING4K;
	struct guest *a = &E->g[0], *b = &E->g[1];
	uint8_t junk[64];
	uint64_t perms;
	unsigned slot;

	(void)state;
	cfg.prefill = true;
	nic_up(a, &cfg);
	nic_up(b, &cfg);
	slot = send_to(a, b->mac, 7, 1200);
	assert_int_equal(st(a)->path[XP_PATH_SHARED].tx_frames, 1);
	/* While B holds the frame, A's side is read-only. */
	hpa_of(a, tx_slot_gpa(a, slot), &perms);
	assert_false(perms & EPT_PTE_WRITE);
	memset(junk, 0x5a, sizeof(junk));
	gwrite(a, tx_slot_gpa(a, slot) + 20, junk, sizeof(junk));
	assert_int_equal(E->cow_faults, 1);
	expect_frame(b, b->mac, a, 7, 1200);
	rx_give_all(b);
	assert_int_equal(tx_pending(a), 0);
}

/* The next frame g received, from whatever buffer its descriptor names. */
static void expect_frame_at(struct guest *g, uint64_t buf, const uint8_t *want, uint32_t len)
{
	uint8_t d[16], got[MAX_FRAME];

	gread(g, RX_RING + 16ULL * g->rx_next, d, 16);
	assert_true(d[E1000_RXD_STATUS] & E1000_RXD_STAT_DD);
	assert_int_equal(get_le64(d + E1000_RXD_ADDR), buf);
	assert_int_equal(get_le16(d + E1000_RXD_LENGTH), len + E1000_CRC_LEN);
	gread(g, buf, got, len);
	assert_memory_equal(got, want, len);
	g->rx_next = (g->rx_next + 1) % g->rx_n;
}

/*
 * M2 with one page held twice (fuzz_xpath finding, regress_xpath/
 * crash-pair-held-twice): B (hostile) posts one page in every RX
 * descriptor, A queues two frames from one TX page, both go through the
 * same pair. B gives back the first only: it still holds the second in
 * that page, so B keeps reading it there and A's side stays locked (A's
 * write is a copy on write, B keeps the frame as delivered) until B gives
 * the second back too.
 */
static void test_hostile_same_page_twice(void **state)
{
	struct guest *a = &E->g[0], *b = &E->g[1], *c = &E->g[2];
	uint64_t ta = tx_slot_gpa(a, 0), rb = rx_slot_gpa(b, 0), hpa, perms;
	uint8_t f[MAX_FRAME], junk[64];

	(void)state;
	nic_up(a, &RING4K);
	nic_up(b, &RING4K);
	nic_up(c, &RING4K);
	for (unsigned i = 0; i < b->rx_n; i++)
		put_le64(rxd(b, i) + E1000_RXD_ADDR, rb);
	/* Copied once, then shared: the pair A ta - B rb. */
	for (uint32_t seq = 0; seq < 2; seq++) {
		make_frame(f, 1000, b->mac, a->mac, seq);
		queue_at(a, ta, f, 1000);
		kick(a);
		expect_frame_at(b, rb, f, 1000);
		rx_give_all(b);
	}
	assert_int_equal(st(a)->path[XP_PATH_SHARED].tx_frames, 1);
	assert_int_equal(tx_pending(a), 0);

	make_frame(f, 1000, b->mac, a->mac, 7);
	queue_at(a, ta, f, 1000);
	queue_at(a, ta, f, 1000);
	kick(a);
	assert_int_equal(st(a)->path[XP_PATH_SHARED].tx_frames, 3);
	expect_frame_at(b, rb, f, 1000);
	rx_give_to(b, b->rx_next);		/* the first one only */
	assert_int_equal(tx_pending(a), 1);

	/* B still holds the second: it reads it through the pair, A may not write. */
	hpa = hpa_of(a, ta, &perms);
	assert_true(hpa >= S_HPA);
	assert_false(perms & EPT_PTE_WRITE);
	assert_int_equal(hpa_of(b, rb, &perms), hpa);
	assert_int_equal(perms, EPT_PTE_READ);
	memset(junk, 0x5a, sizeof(junk));
	gwrite(a, ta + 20, junk, sizeof(junk));
	assert_int_equal(E->cow_faults, 1);
	expect_frame_at(b, rb, f, 1000);
	rx_give_all(b);
	assert_int_equal(tx_pending(a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_signal_order, setup2),
		T(test_signal_order_secrc, setup2),
		T(test_copy_completes_at_once, setup2),
		T(test_zerocopy_learned, setup2),
		T(test_zerocopy_off, setup2),
		T(test_stream_batches, setup2),
		T(test_copy_stream, setup2),
		T(test_fast_path, setup3),
		T(test_ring_in_shared_page, setup2),
		T(test_hostile_preshare, setup3),
		T(test_hostile_rewrite, setup2),
		T(test_hostile_same_page_twice, setup3),
		T(test_hostile_no_room, setup3),
		T(test_hostile_hoarder, setup2),
		T(test_hostile_spoof, setup3),
		T(test_preshare, setup2),
		T(test_preshare_late_rdt, setup2),
		T(test_preshare_explicit, setup2),
		T(test_preshare_spares_unread_buffers, setup3),
		T0(test_preshare_many_ports),
		T(test_preshare_2k_rx, setup2),
		T(test_zerocopy_vlan_receiver, setup2),
		T(test_copy_2k, setup2),
		T(test_tso_to_peer, setup2),
		T(test_tso_to_phys, setup_uplink),
		T(test_copy_2k_rx, setup2),
		T(test_copy_small, setup2),
		T(test_copy_never_writes_sender_page, setup_uplink),
		T(test_small_frame_through_pair, setup2),
		T(test_backpressure, setup2),
		T(test_inflight_limit, setup3),
		T(test_outside, setup_uplink),
		T(test_outside_shared_page, setup_uplink),
		T(test_outside_many_pieces, setup_uplink),
		T(test_outside_jumbo_dropped, setup_uplink),
		T(test_dynamic_both_ways, setup_uplink),
		T(test_broadcast, setup_bcast),
		T(test_broadcast_ring_rewrite, setup_bcast),
		T0(test_broadcast_no_uplink),
		T(test_from_outside, setup_uplink),
		T(test_port_down, setup3),
		T(test_port_down_blocked, setup2),
		T(test_peer_reset, setup2),
		T(test_tdh_rewrite, setup2),
		T(test_cow, setup2),
		T(test_names_and_log, setup2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
