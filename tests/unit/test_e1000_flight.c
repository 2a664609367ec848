/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the e1000 model's data-path primitives used by the
 * cross-talk path: frames in flight (e1000_tx_fetch/unfetch/done) and
 * zero-copy receive (e1000_rx_peek_buffer/deliver_inplace).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devices/e1000.h"
#include "devices/e1000_regs.h"
#include "lib/xerrno.h"

#define RAM_SIZE (4u << 20)
#define TX_RING 0x1000u
#define RX_RING 0x3000u
#define TX_BUF 0x100000u
#define RX_BUF 0x300000u
#define NDESC 512u

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };

struct fake {
	struct e1000 dev;
	uint8_t ram[RAM_SIZE];
	uint8_t bounce[E1000_MAX_FRAME_JUMBO];
	bool irq;
	/* For the ring mapping tests: maps of the TX ring, the page the TX
	 * ring's GPA maps to instead of RAM (NULL: RAM), the epoch. */
	unsigned tx_ring_maps;
	uint8_t *tx_ring_moved;
	uint64_t epoch;
};

static void *fake_dma(void *ctx, uint64_t gpa, uint64_t len)
{
	struct fake *fk = ctx;

	if (gpa == TX_RING && len == NDESC * 16) {
		fk->tx_ring_maps++;
		if (fk->tx_ring_moved)
			return fk->tx_ring_moved;
	}
	return gpa < RAM_SIZE && len <= RAM_SIZE - gpa ? fk->ram + gpa : NULL;
}

static uint64_t fake_epoch(void *ctx)
{
	return ((struct fake *)ctx)->epoch;
}

static void fake_irq(void *ctx, bool level)
{
	((struct fake *)ctx)->irq = level;
}

static const struct e1000_ops ops = { .dma_map = fake_dma, .set_irq = fake_irq };
static const struct e1000_ops ops_epoch = { .dma_map = fake_dma, .set_irq = fake_irq,
					    .dma_epoch = fake_epoch };

static void wr(struct fake *fk, uint32_t off, uint32_t v)
{
	e1000_mmio_write(&fk->dev, off, 4, v);
}

static uint32_t rd(struct fake *fk, uint32_t off)
{
	return e1000_mmio_read(&fk->dev, off, 4);
}

static int setup(void **state)
{
	struct fake *fk = calloc(1, sizeof(*fk));

	assert_non_null(fk);
	e1000_init(&fk->dev, mac, &ops, fk, fk->bounce);
	wr(fk, E1000_TDBAL, TX_RING);
	wr(fk, E1000_TDLEN, NDESC * 16);
	wr(fk, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
	wr(fk, E1000_RDBAL, RX_RING);
	wr(fk, E1000_RDLEN, 8 * 16);
	for (unsigned i = 0; i < 8; i++) {
		uint64_t a = RX_BUF + i * 2048u;

		memcpy(fk->ram + RX_RING + i * 16, &a, 8);
	}
	wr(fk, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM);
	wr(fk, E1000_RDT, 7);
	wr(fk, E1000_IMS, E1000_ICR_TXDW | E1000_ICR_RXT0);
	*state = fk;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static uint8_t *txd(struct fake *fk, unsigned i)
{
	return fk->ram + TX_RING + i * 16;
}

/* A legacy descriptor i for a frame of len bytes whose first byte is tag. */
static void put_frame(struct fake *fk, unsigned i, uint16_t len, uint8_t tag)
{
	uint64_t a = TX_BUF + i * 2048u;
	uint8_t *d = txd(fk, i);

	memset(fk->ram + a, tag, len);
	memcpy(fk->ram + a, "\x52\x54\x00\x00\x00\x02", 6);
	fk->ram[a + 6] = tag;
	memset(d, 0, 16);
	memcpy(d, &a, 8);
	memcpy(d + 8, &len, 2);
	d[11] = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
}

static bool dd(struct fake *fk, unsigned i)
{
	return txd(fk, i)[12] & E1000_TXD_STAT_DD;
}

/* Three frames of 100 bytes queued and fetched, in order. */
static void fetch_three(struct fake *fk, unsigned id[3])
{
	struct e1000_frame f;

	for (unsigned i = 0; i < 3; i++)
		put_frame(fk, i, 100, (uint8_t)i);
	wr(fk, E1000_TDT, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &id[i]), 1);
		assert_int_equal(f.len, 100);
		assert_int_equal(f.seg[0].data[6], i);
	}
}

static void test_completion_in_ring_order(void **state)
{
	struct fake *fk = *state;
	struct e1000_frame f;
	unsigned id[3];

	fetch_three(fk, id);
	{
		unsigned none;

		assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &none), 0);
	}
	assert_int_equal(e1000_tx_inflight(&fk->dev), 3);
	assert_int_equal(rd(fk, E1000_TDH), 0);

	/* The second frame done first: nothing moves until the first is. */
	e1000_tx_done(&fk->dev, id[1]);
	assert_int_equal(rd(fk, E1000_TDH), 0);
	assert_false(dd(fk, 0) || dd(fk, 1));
	assert_false(fk->irq);
	e1000_tx_done(&fk->dev, id[0]);
	assert_int_equal(rd(fk, E1000_TDH), 2);
	assert_true(dd(fk, 0) && dd(fk, 1) && !dd(fk, 2));
	assert_true(fk->irq);
	assert_int_equal(rd(fk, E1000_ICR) & E1000_ICR_TXDW, E1000_ICR_TXDW);
	e1000_tx_done(&fk->dev, id[2]);
	assert_int_equal(rd(fk, E1000_TDH), 3);
	assert_true(dd(fk, 2));
	assert_int_equal(rd(fk, E1000_ICR) & (E1000_ICR_TXDW | E1000_ICR_TXQE),
			 E1000_ICR_TXDW | E1000_ICR_TXQE);
	assert_int_equal(e1000_tx_inflight(&fk->dev), 0);
	assert_int_equal(rd(fk, E1000_GPTC), 3);
	/* Done twice is harmless. */
	e1000_tx_done(&fk->dev, id[2]);
	assert_int_equal(rd(fk, E1000_TDH), 3);
}

static void test_unfetch_refetches_same_frame(void **state)
{
	struct fake *fk = *state;
	struct e1000_frame f;
	unsigned a, b;

	put_frame(fk, 0, 200, 0x11);
	put_frame(fk, 1, 300, 0x22);
	wr(fk, E1000_TDT, 2);
	assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &a), 1);
	assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &b), 1);
	assert_int_equal(f.len, 300);
	/* Only the newest can be given back. */
	e1000_tx_unfetch(&fk->dev, a);
	assert_int_equal(e1000_tx_inflight(&fk->dev), 2);
	e1000_tx_unfetch(&fk->dev, b);
	assert_int_equal(e1000_tx_inflight(&fk->dev), 1);
	assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &b), 1);
	assert_int_equal(f.len, 300);
	assert_int_equal(f.seg[0].data[6], 0x22);
	e1000_tx_done(&fk->dev, a);
	e1000_tx_done(&fk->dev, b);
	assert_int_equal(rd(fk, E1000_TDH), 2);
}

static void test_bad_frame_and_context_do_not_block(void **state)
{
	struct fake *fk = *state;
	struct e1000_frame f;
	unsigned a, b;

	put_frame(fk, 0, 100, 1);
	/* descriptor 1: a context descriptor (DEXT, DTYP 0) */
	memset(txd(fk, 1), 0, 16);
	txd(fk, 1)[11] = E1000_TXD_CMD_DEXT | E1000_TXD_CMD_RS;
	/* descriptor 2: a 10-byte frame with PSP off would be short; with a
	 * zero length it is bad whatever PSP says */
	put_frame(fk, 2, 0, 2);
	put_frame(fk, 3, 100, 3);
	wr(fk, E1000_TDT, 4);
	assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &a), 1);
	assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &b), 1);
	assert_int_equal(f.seg[0].data[6], 3);
	assert_int_equal(fk->dev.errors[E1000_ERR_ZERO_LEN], 1);
	assert_int_equal(rd(fk, E1000_TDH), 0);
	e1000_tx_done(&fk->dev, a);
	/* Frame 0, the context and the bad frame go back together. */
	assert_int_equal(rd(fk, E1000_TDH), 3);
	assert_true(dd(fk, 0) && dd(fk, 1) && dd(fk, 2) && !dd(fk, 3));
	e1000_tx_done(&fk->dev, b);
	assert_int_equal(rd(fk, E1000_TDH), 4);
	assert_int_equal(rd(fk, E1000_GPTC), 2);
}

static void test_stale_ids_after_ring_rewrite(void **state)
{
	struct fake *fk = *state;
	struct e1000_frame f;
	unsigned a;

	put_frame(fk, 0, 100, 1);
	wr(fk, E1000_TDT, 1);
	assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &a), 1);
	wr(fk, E1000_TDH, 0); /* the driver re-initialises its ring */
	e1000_tx_done(&fk->dev, a);
	assert_false(dd(fk, 0));
	assert_int_equal(e1000_tx_inflight(&fk->dev), 0);
	/* The same frame is fetched afresh. */
	assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &a), 1);
	wr(fk, E1000_CTRL, E1000_CTRL_RST);
	e1000_tx_done(&fk->dev, a);
	assert_false(dd(fk, 0));
}

static void test_inflight_limit(void **state)
{
	struct fake *fk = *state;
	struct e1000_frame f;
	unsigned id, n = 0, first = 0;

	for (unsigned i = 0; i < NDESC - 1; i++)
		put_frame(fk, i, 60, (uint8_t)i);
	wr(fk, E1000_TDT, NDESC - 1);
	while (e1000_tx_fetch(&fk->dev, &f, &id) == 1) {
		if (!n)
			first = id;
		n++;
	}
	assert_int_equal(n, E1000_TX_INFLIGHT);
	e1000_tx_done(&fk->dev, first);
	assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &id), 1);
	assert_int_equal(f.seg[0].data[6], (uint8_t)E1000_TX_INFLIGHT);
}

/* Many frames done, one hand-back: nothing moves before e1000_tx_retire. */
static void test_mark_done_then_retire(void **state)
{
	struct fake *fk = *state;
	unsigned id[3];

	fetch_three(fk, id);
	e1000_tx_mark_done(&fk->dev, id[2]);
	e1000_tx_mark_done(&fk->dev, id[0]);
	e1000_tx_mark_done(&fk->dev, id[1]);
	assert_int_equal(rd(fk, E1000_TDH), 0);
	assert_false(dd(fk, 0) || dd(fk, 1) || dd(fk, 2));
	assert_false(fk->irq);
	e1000_tx_retire(&fk->dev);
	assert_int_equal(rd(fk, E1000_TDH), 3);
	assert_true(dd(fk, 0) && dd(fk, 1) && dd(fk, 2));
	assert_true(fk->irq);
	assert_int_equal(rd(fk, E1000_GPTC), 3);
	assert_int_equal(e1000_tx_inflight(&fk->dev), 0);
	/* Nothing left: a second retire changes nothing. */
	e1000_tx_retire(&fk->dev);
	assert_int_equal(rd(fk, E1000_TDH), 3);
	assert_int_equal(rd(fk, E1000_GPTC), 0);	/* read to clear */
}

/*
 * Frames marked done but not handed back never hold up the next fetch: a
 * full flight queue of done frames is handed back by the fetch itself
 * (descriptors, statistics, TXDW), which then returns the next frame.
 */
static void test_fetch_hands_back_marked_frames(void **state)
{
	struct fake *fk = *state;
	struct e1000_frame f;
	unsigned id[E1000_TX_INFLIGHT], n = 0, next;

	for (unsigned i = 0; i < NDESC - 1; i++)
		put_frame(fk, i, 60, (uint8_t)i);
	wr(fk, E1000_TDT, NDESC - 1);
	while (n < E1000_TX_INFLIGHT && e1000_tx_fetch(&fk->dev, &f, &id[n]) == 1)
		n++;
	assert_int_equal(n, E1000_TX_INFLIGHT);
	for (unsigned k = 0; k < n; k++)
		e1000_tx_mark_done(&fk->dev, id[k]);
	assert_int_equal(rd(fk, E1000_TDH), 0);
	assert_false(fk->irq);
	assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &next), 1);
	assert_int_equal(f.seg[0].data[6], (uint8_t)E1000_TX_INFLIGHT);
	assert_int_equal(rd(fk, E1000_TDH), E1000_TX_INFLIGHT);
	assert_true(dd(fk, 0) && dd(fk, E1000_TX_INFLIGHT - 1));
	assert_false(dd(fk, E1000_TX_INFLIGHT));
	assert_int_equal(rd(fk, E1000_GPTC), E1000_TX_INFLIGHT);
	assert_true(fk->irq);
	assert_int_equal(e1000_tx_inflight(&fk->dev), 1);
}

/*
 * A batch of receptions raises the interrupt once, at its end: nothing
 * while frames go into the ring (the line stays low), RXT0 at the end, and
 * RXDMT0 when the batch left the ring at or below the threshold (RDMTS
 * 1/2 of 8 descriptors: 4 free); a batch that delivered nothing raises
 * nothing.
 */
static void test_rx_batch_one_interrupt(void **state)
{
	struct fake *fk = *state;
	uint8_t frame[100];
	struct e1000_frame f = { .nseg = 1, .len = sizeof(frame),
				 .seg = { { frame, sizeof(frame), 0 } } };

	memset(frame, 0x5a, sizeof(frame));
	memcpy(frame, mac, 6);
	e1000_rx_batch_begin(&fk->dev);
	e1000_rx_batch_end(&fk->dev);
	assert_false(fk->irq);
	assert_int_equal(rd(fk, E1000_ICR), 0);

	e1000_rx_batch_begin(&fk->dev);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(e1000_rx_deliver(&fk->dev, &f, NULL), 0);
	assert_false(fk->irq);
	assert_int_equal(fk->dev.icr, 0);
	e1000_rx_batch_end(&fk->dev);
	assert_true(fk->irq);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_RXT0);	/* 5 free: above 4 */
	assert_false(fk->irq);

	e1000_rx_batch_begin(&fk->dev);
	assert_int_equal(e1000_rx_deliver(&fk->dev, &f, NULL), 0);
	assert_int_equal(e1000_rx_deliver_inplace(&fk->dev, RX_BUF + 3 * 2048u, 60, mac), 0);
	assert_false(fk->irq);
	e1000_rx_batch_end(&fk->dev);
	assert_int_equal(rd(fk, E1000_RDH), 4);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_RXT0 | E1000_ICR_RXDMT0);
	assert_int_equal(rd(fk, E1000_GPRC), 4);

	/* Outside a batch: at once, as before. */
	assert_int_equal(e1000_rx_deliver(&fk->dev, &f, NULL), 0);
	assert_true(fk->irq);
}

/*
 * With ops->dma_epoch the TX ring is mapped once and kept; when the epoch
 * moves (the guest page was remapped) the next access maps again and sees
 * the new page; a new ring address maps again whatever the epoch.
 */
static void test_ring_mapping_follows_epoch(void **state)
{
	struct fake *fk = *state;
	static uint8_t moved[NDESC * 16];
	struct e1000_frame f;
	unsigned id, maps;

	e1000_init(&fk->dev, mac, &ops_epoch, fk, fk->bounce);
	wr(fk, E1000_TDBAL, TX_RING);
	wr(fk, E1000_TDLEN, NDESC * 16);
	wr(fk, E1000_TCTL, E1000_TCTL_EN);
	put_frame(fk, 0, 100, 0x10);
	put_frame(fk, 1, 100, 0x11);
	put_frame(fk, 2, 100, 0x12);
	wr(fk, E1000_TDT, 1);
	assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &id), 1);
	e1000_tx_done(&fk->dev, id);
	maps = fk->tx_ring_maps;
	assert_true(maps >= 1);
	wr(fk, E1000_TDT, 2);
	assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &id), 1);
	assert_int_equal(f.seg[0].data[6], 0x11);
	e1000_tx_done(&fk->dev, id);
	assert_int_equal(fk->tx_ring_maps, maps);	/* kept */
	assert_true(dd(fk, 1));

	/* The ring's page now maps elsewhere: descriptor 2 there is another frame. */
	memcpy(moved, fk->ram + TX_RING, sizeof(moved));
	{
		uint64_t a = TX_BUF + 5 * 2048u;

		memcpy(moved + 2 * 16, &a, 8);
		fk->ram[a + 6] = 0x55;
	}
	fk->tx_ring_moved = moved;
	wr(fk, E1000_TDT, 3);
	assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &id), 1);
	assert_int_equal(f.seg[0].data[6], 0x12);	/* stale until the epoch moves */
	e1000_tx_unfetch(&fk->dev, id);
	fk->epoch++;
	assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &id), 1);
	assert_int_equal(f.seg[0].data[6], 0x55);
	assert_int_equal(fk->tx_ring_maps, maps + 1);
	e1000_tx_done(&fk->dev, id);
	assert_true(moved[2 * 16 + 12] & E1000_TXD_STAT_DD);	/* written back there */
	assert_false(dd(fk, 2));
}

/* The RX descriptor status as the guest sees it, -1 beyond the ring. */
static void test_rx_desc_status(void **state)
{
	struct fake *fk = *state;

	fk->ram[RX_RING + 3 * 16 + 12] = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP;
	assert_int_equal(e1000_rx_desc_status(&fk->dev, 3), E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP);
	assert_int_equal(e1000_rx_desc_status(&fk->dev, 4), 0);
	assert_int_equal(e1000_rx_desc_status(&fk->dev, 8), -1);
	wr(fk, E1000_RDLEN, 0);
	assert_int_equal(e1000_rx_desc_status(&fk->dev, 3), -1);
}

static void test_rx_inplace(void **state)
{
	struct fake *fk = *state;
	uint64_t gpa, other = RX_BUF + 7 * 2048u;
	uint32_t bs;
	uint8_t *d = fk->ram + RX_RING;
	uint16_t len;

	assert_int_equal(e1000_rx_peek_buffer(&fk->dev, &gpa, &bs), 0);
	assert_int_equal(gpa, RX_BUF);
	assert_int_equal(bs, 2048);
	memset(fk->ram + RX_BUF, 0xab, 2048);
	assert_int_equal(e1000_rx_deliver_inplace(&fk->dev, gpa, 1000, mac), 0);
	memcpy(&len, d + 8, 2);
	assert_int_equal(len, 1004); /* FCS counted, SECRC clear */
	assert_int_equal(d[12], E1000_RXD_STAT_DD | E1000_RXD_STAT_IXSM | E1000_RXD_STAT_EOP);
	assert_int_equal(fk->ram[RX_BUF + 1000], 0xab); /* the FCS bytes are not written */
	assert_int_equal(rd(fk, E1000_RDH), 1);
	assert_true(fk->irq);
	assert_int_equal(rd(fk, E1000_GPRC), 1);

	/* A descriptor changed behind the peek, and a frame too big. */
	assert_int_equal(e1000_rx_peek_buffer(&fk->dev, &gpa, &bs), 0);
	memcpy(d + 16, &other, 8);
	assert_int_equal(e1000_rx_deliver_inplace(&fk->dev, gpa, 100, mac), -XT_ENOTSUP);
	assert_int_equal(e1000_rx_deliver_inplace(&fk->dev, other, 2046, mac), -XT_E2BIG);
	assert_int_equal(rd(fk, E1000_RDH), 1);

	/* Ring full. */
	for (unsigned i = 1; i < 7; i++)
		assert_int_equal(e1000_rx_deliver_inplace(&fk->dev, i == 1 ? other : RX_BUF + i * 2048u,
							  60, mac), 0);
	assert_int_equal(e1000_rx_peek_buffer(&fk->dev, &gpa, &bs), -XT_EAGAIN);
	assert_int_equal(e1000_rx_deliver_inplace(&fk->dev, RX_BUF, 60, mac), -XT_EAGAIN);
}

/*
 * e1000_tx_peek_simple() takes exactly the frames e1000_tx_fetch() would
 * hand out as one unchanged segment; everything else stays for the generic
 * fetch. Taking queues the frame like a fetch (same ids, same completion).
 */
/* A peek that starts a burst (no ring mapping kept from before). */
static int peek_simple(struct fake *fk, struct e1000_tx_simple *t)
{
	memset(t, 0, sizeof(*t));
	return e1000_tx_peek_simple(&fk->dev, t);
}

static void test_simple_frames(void **state)
{
	struct fake *fk = *state;
	struct e1000_tx_simple t;
	struct e1000_frame f;
	unsigned id, id2;

	put_frame(fk, 0, 100, 0x11);
	assert_int_equal(peek_simple(fk, &t), 0);	/* TDT not moved */
	wr(fk, E1000_TDT, 1);
	assert_int_equal(peek_simple(fk, &t), 1);
	assert_int_equal(t.len, 100);
	assert_int_equal(t.gpa, TX_BUF);
	assert_null(t.data);			/* the caller maps the buffer */
	t.data = fk->ram + TX_BUF;
	assert_true(t.rs);
	assert_int_equal(e1000_tx_inflight(&fk->dev), 0);		/* a peek takes nothing */
	id = e1000_tx_take_simple(&fk->dev, &t);
	assert_int_equal(e1000_tx_inflight(&fk->dev), 1);
	assert_int_equal(peek_simple(fk, &t), 0);	/* nothing new */
	assert_int_equal(e1000_tx_fetch(&fk->dev, &f, &id2), 0);
	assert_int_equal(rd(fk, E1000_TDH), 0);
	e1000_tx_done(&fk->dev, id);
	assert_int_equal(rd(fk, E1000_TDH), 1);
	assert_true(dd(fk, 0));
	assert_int_equal(rd(fk, E1000_GPTC), 1);

	/* Each of these needs the generic path: peek refuses, fetch takes it. */
	for (unsigned k = 0, i = 1; k < 6; k++) {
		unsigned next = i + 1;

		put_frame(fk, i, 100, (uint8_t)i);
		switch (k) {
		case 0:
			txd(fk, i)[11] |= E1000_TXD_CMD_IC;	/* checksum insertion */
			txd(fk, i)[10] = 14;			/* CSO */
			break;
		case 1:
			txd(fk, i)[11] &= (uint8_t)~E1000_TXD_CMD_EOP;	/* a chain of two */
			put_frame(fk, next++, 100, 0x77);
			break;
		case 2:
			txd(fk, i)[8] = 40;			/* padded by TCTL.PSP */
			break;
		case 3:
			txd(fk, i)[8] = 10;			/* runt: reported by the fetch */
			break;
		case 4:
			txd(fk, i)[8] = 0xfe;			/* longer than 1522 bytes */
			txd(fk, i)[9] = 0x05;
			break;
		case 5:
			txd(fk, i)[11] |= E1000_TXD_CMD_DEXT;	/* not a legacy descriptor */
			break;
		}
		wr(fk, E1000_TDT, next);
		assert_int_equal(peek_simple(fk, &t), 0);
		while (e1000_tx_fetch(&fk->dev, &f, &id) == 1) {
			if (k == 1)
				assert_int_equal(f.nseg, 2);
			e1000_tx_done(&fk->dev, id);
		}
		assert_int_equal(rd(fk, E1000_TDH), next);
		i = next;
	}
}

/* The RX slot at RDH: peeked once, filled in place, RDH moves, no interrupt until signalled. */
static void test_rx_slot(void **state)
{
	struct fake *fk = *state;
	struct e1000_rx_slot s = { .base = NULL };
	static const uint8_t dst[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };

	(void)rd(fk, E1000_ICR);
	assert_int_equal(e1000_rx_peek_slot(&fk->dev, &s), 0);
	assert_int_equal(s.gpa, RX_BUF);
	assert_int_equal(s.bufsize, 2048);
	assert_int_equal(s.next, 1);
	assert_int_equal(e1000_rx_put_slot(&fk->dev, &s, 2045, dst), -XT_ENOTSUP); /* + FCS > 2048 */
	assert_int_equal(rd(fk, E1000_RDH), 0);
	assert_int_equal(e1000_rx_put_slot(&fk->dev, &s, 100, dst), 0);
	assert_int_equal(rd(fk, E1000_RDH), 1);
	assert_int_equal(fk->ram[RX_RING + 8] | fk->ram[RX_RING + 9] << 8, 104);
	assert_int_equal(fk->ram[RX_RING + 12], E1000_RXD_STAT_DD | E1000_RXD_STAT_IXSM |
						E1000_RXD_STAT_EOP);
	assert_false(fk->irq);
	e1000_rx_signal(&fk->dev);
	assert_true(fk->irq);
	assert_true(rd(fk, E1000_ICR) & E1000_ICR_RXT0);
	assert_int_equal(rd(fk, E1000_GPRC), 1);
	/* RDH meets RDT: nothing to peek. */
	fk->dev.rdh = 7;
	s.base = NULL;
	assert_int_equal(e1000_rx_peek_slot(&fk->dev, &s), -XT_EAGAIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_completion_in_ring_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unfetch_refetches_same_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_frame_and_context_do_not_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_ids_after_ring_rewrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inflight_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_inplace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mark_done_then_retire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_hands_back_marked_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_batch_one_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_mapping_follows_epoch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_simple_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_desc_status, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
