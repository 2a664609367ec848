// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the physical NIC driver core (vmm/hw/physnic.c). The
 * "hardware" is xtalk's own 82540EM model (devices/e1000.c): rd32/wr32 go to
 * e1000_mmio_read/write, the model's DMA reaches a fake host memory arena at
 * host-physical ARENA_HPA (above 4 GiB, so the high halves of the ring
 * bases matter), and alloc_dma hands out pages of that arena. The model's TX
 * side (e1000_tx_peek/tx_complete) is "the wire" out; e1000_rx_deliver is
 * the wire in. delay_us advances a fake clock only.
 *
 * Some tests make the fake behave like Bochs' e1000 (no RAL0 reload at
 * CTRL.RST, only RAL/RAH[0..3] and MTA[0..31] implemented) or like an
 * 82541 (the other EERD layout).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devices/e1000.h"
#include "lib/xerrno.h"
#include "vmm/hw/physnic.h"

#define ARENA_HPA	0x100200000ull
#define ARENA_SIZE	(2u << 20)
#define PAGE		4096u
#define DEV_82541GI	0x1076

static const uint8_t nic_mac[6] = { 0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c };
static const uint8_t guest_a[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t guest_b[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };

struct fake {
	struct e1000 dev;
	uint8_t bounce[E1000_MAX_FRAME_JUMBO];
	uint8_t *arena;
	size_t used;
	bool fail_alloc;
	uint64_t clock_us;
	unsigned accesses;
	unsigned resets;
	bool bochs_reset;	/* CTRL.RST leaves RAL0/RAH0 cleared */
	bool bochs_filters;	/* only RAL/RAH[0..3] and MTA[0..31] exist */
	bool eerd_82541;	/* EERD: DONE bit 1, ADDR bits 15:2 */
	struct physnic_ops ops;
	struct physnic nic;
	/* rx capture */
	unsigned got;
	uint32_t got_len[16];
	uint8_t got_data[16][PHYSNIC_RX_BUF];
	uint32_t next_seq;
	/* tx completions */
	unsigned ndone;
	uint64_t done[PHYSNIC_TX_DESC];
};

/* ---------------------------------------------------------- the fake host */

static void *arena_alloc(struct fake *fk, size_t size, uint64_t *hpa)
{
	size_t at = (fk->used + PAGE - 1) & ~(size_t)(PAGE - 1);

	if (fk->fail_alloc || size > ARENA_SIZE - at)
		return NULL;
	fk->used = at + size;
	*hpa = ARENA_HPA + at;
	return fk->arena + at;
}

static void *dev_dma(void *ctx, uint64_t gpa, uint64_t len)
{
	struct fake *fk = ctx;

	if (gpa < ARENA_HPA || gpa - ARENA_HPA > ARENA_SIZE || len > ARENA_SIZE - (gpa - ARENA_HPA))
		return NULL;
	return fk->arena + (gpa - ARENA_HPA);
}

static void dev_reset(void *ctx)
{
	((struct fake *)ctx)->resets++;
}

static const struct e1000_ops dev_ops = { .dma_map = dev_dma, .reset = dev_reset };

static bool bochs_missing(uint32_t reg)
{
	return (reg >= E1000_RAL(4) && reg < E1000_RAL(E1000_RAR_ENTRIES)) ||
	       (reg >= E1000_MTA + 4 * 32 && reg < E1000_MTA + 4 * E1000_MTA_SIZE);
}

/* 82540 EERD value <-> 82541 layout */
static uint32_t eerd_to_82541(uint32_t v)
{
	return (v & 0xffff0000u) | (((v >> 8) & 0xffu) << 2) | ((v >> 4) & 1u) << 1 | (v & 1u);
}

static uint32_t eerd_from_82541(uint32_t v)
{
	return (v & 1u) | (((v >> 2) & 0xffu) << 8);
}

static uint32_t hw_rd32(void *ctx, uint32_t reg)
{
	struct fake *fk = ctx;
	uint32_t v;

	fk->accesses++;
	if (fk->bochs_filters && bochs_missing(reg))
		return 0;
	v = e1000_mmio_read(&fk->dev, reg, 4);
	return fk->eerd_82541 && reg == E1000_EERD ? eerd_to_82541(v) : v;
}

static void hw_wr32(void *ctx, uint32_t reg, uint32_t val)
{
	struct fake *fk = ctx;

	fk->accesses++;
	if (fk->bochs_filters && bochs_missing(reg))
		return;
	if (fk->eerd_82541 && reg == E1000_EERD)
		val = eerd_from_82541(val);
	e1000_mmio_write(&fk->dev, reg, 4, val);
	if (fk->bochs_reset && reg == E1000_CTRL && (val & E1000_CTRL_RST)) {
		fk->dev.ral[0] = 0;
		fk->dev.rah[0] = 0;
	}
}

static void *hw_alloc_dma(void *ctx, size_t size, uint64_t *hpa)
{
	return arena_alloc(ctx, size, hpa);
}

static void hw_delay(void *ctx, unsigned us)
{
	((struct fake *)ctx)->clock_us += us;
}

static int setup(void **state)
{
	struct fake *fk = calloc(1, sizeof(*fk));

	assert_non_null(fk);
	fk->arena = calloc(1, ARENA_SIZE);
	assert_non_null(fk->arena);
	e1000_init(&fk->dev, nic_mac, &dev_ops, fk, fk->bounce);
	fk->ops = (struct physnic_ops){ hw_rd32, hw_wr32, hw_alloc_dma, hw_delay, fk };
	*state = fk;
	return 0;
}

static int teardown(void **state)
{
	struct fake *fk = *state;

	free(fk->arena);
	free(fk);
	return 0;
}

static void init_ok(struct fake *fk, uint16_t device)
{
	assert_int_equal(physnic_init(&fk->nic, &fk->ops, device), 0);
}

static uint32_t reg(struct fake *fk, uint32_t off)
{
	return e1000_mmio_read(&fk->dev, off, 4);
}

/* ---------------------------------------------------------- frames and wire */

static void make_frame(uint8_t *buf, uint32_t len, const uint8_t dst[6], uint32_t seq)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, guest_a, 6);
	buf[12] = 0x08;
	buf[13] = 0x00;
	for (uint32_t i = 14; i < len; i++)
		buf[i] = (uint8_t)(seq * 7 + i);
	if (len >= 18)
		memcpy(buf + 14, &seq, sizeof(seq));
}

/* A frame in fake host memory, as a guest's buffer would be. */
static uint8_t *host_frame(struct fake *fk, uint32_t len, uint32_t seq, uint64_t *hpa)
{
	uint8_t *p = arena_alloc(fk, len, hpa);

	assert_non_null(p);
	make_frame(p, len, bcast, seq);
	return p;
}

static int xmit1(struct fake *fk, uint64_t hpa, uint32_t len, uint64_t cookie)
{
	struct physnic_seg s = { hpa, len };

	return physnic_xmit(&fk->nic, &s, 1, cookie);
}

/* The wire takes one frame from the NIC; returns its length (0: none). */
static uint32_t wire_take(struct fake *fk, uint8_t *out, uint32_t cap)
{
	struct e1000_frame f;

	if (e1000_tx_peek(&fk->dev, &f) != 1)
		return 0;
	assert_true(f.len <= cap);
	assert_int_equal(e1000_frame_read(&f, 0, out, cap), f.len);
	e1000_tx_complete(&fk->dev, &f);
	return f.len;
}

/* The wire brings one frame to the NIC (which must accept it). */
static void wire_give(struct fake *fk, const uint8_t *data, uint32_t len)
{
	static struct e1000_frame f;

	memset(&f, 0, sizeof(f));
	f.nseg = 1;
	f.seg[0].data = data;
	f.seg[0].len = len;
	f.len = len;
	assert_true(e1000_rx_accepts(&fk->dev, data));
	assert_int_equal(e1000_rx_deliver(&fk->dev, &f, NULL), 0);
}

static void on_done(void *ctx, uint64_t cookie)
{
	struct fake *fk = ctx;

	assert_true(fk->ndone < PHYSNIC_TX_DESC);
	fk->done[fk->ndone++] = cookie;
}

static void on_rx(void *ctx, const uint8_t *data, uint32_t len)
{
	struct fake *fk = ctx;

	assert_true(fk->got < 16);
	assert_true(len <= PHYSNIC_RX_BUF);
	fk->got_len[fk->got] = len;
	memcpy(fk->got_data[fk->got++], data, len);
}

/* Frames must come up in sequence order. */
static void on_rx_seq(void *ctx, const uint8_t *data, uint32_t len)
{
	struct fake *fk = ctx;
	uint8_t want[PHYSNIC_MAX_FRAME];

	make_frame(want, len, nic_mac, fk->next_seq);
	assert_memory_equal(data, want, len);
	fk->next_seq++;
}

static volatile uint8_t *rx_desc(struct fake *fk, unsigned i)
{
	return fk->nic.rx_ring + i * E1000_DESC_SIZE;
}

/* ---------------------------------------------------------- init */

static void test_init_programs_device(void **state)
{
	struct fake *fk = *state;
	uint32_t rctl, tctl;

	init_ok(fk, E1000_DEV_ID_82540EM);
	assert_memory_equal(fk->nic.mac, nic_mac, 6);
	assert_memory_equal(fk->nic.mac, fk->dev.eeprom.word, 6);
	assert_true(fk->resets >= 1);
	assert_true(fk->nic.link_up);
	assert_true(fk->nic.full_duplex);

	assert_int_equal(reg(fk, E1000_TDBAL), (uint32_t)fk->nic.tx_ring_hpa);
	assert_int_equal(reg(fk, E1000_TDBAH), (uint32_t)(fk->nic.tx_ring_hpa >> 32));
	assert_int_equal(reg(fk, E1000_TDBAH), 1);
	assert_int_equal(reg(fk, E1000_TDLEN), PHYSNIC_TX_DESC * 16);
	assert_int_equal(reg(fk, E1000_TDH), 0);
	assert_int_equal(reg(fk, E1000_TDT), 0);
	assert_int_equal(reg(fk, E1000_RDBAL), (uint32_t)fk->nic.rx_ring_hpa);
	assert_int_equal(reg(fk, E1000_RDBAH), (uint32_t)(fk->nic.rx_ring_hpa >> 32));
	assert_int_equal(reg(fk, E1000_RDLEN), PHYSNIC_RX_DESC * 16);
	assert_int_equal(reg(fk, E1000_RDH), 0);
	assert_int_equal(reg(fk, E1000_RDT), PHYSNIC_RX_DESC - 1);
	assert_int_equal(e1000_rx_free(&fk->dev), PHYSNIC_RX_DESC - 1);

	rctl = reg(fk, E1000_RCTL);
	assert_true(rctl & E1000_RCTL_EN);
	assert_true(rctl & E1000_RCTL_BAM);
	assert_true(rctl & E1000_RCTL_SECRC);
	assert_false(rctl & (E1000_RCTL_UPE | E1000_RCTL_MPE | E1000_RCTL_LPE | E1000_RCTL_LBM_MASK |
			     E1000_RCTL_BSIZE_MASK | E1000_RCTL_BSEX | E1000_RCTL_VFE));
	tctl = reg(fk, E1000_TCTL);
	assert_true(tctl & E1000_TCTL_EN);
	assert_true(tctl & E1000_TCTL_PSP);
	assert_int_equal(reg(fk, E1000_IMS), 0);
	assert_true(reg(fk, E1000_CTRL) & E1000_CTRL_SLU);
	assert_true(reg(fk, E1000_CTRL) & E1000_CTRL_ASDE);
	assert_false(reg(fk, E1000_CTRL) & (E1000_CTRL_VME | E1000_CTRL_PHY_RST));
	assert_int_equal(reg(fk, E1000_RAL0), 0x0a211b00u);
	assert_int_equal(reg(fk, E1000_RAH0), 0x0c0bu | E1000_RAH_AV);
	for (unsigned k = 1; k < E1000_RAR_ENTRIES; k++)
		assert_false(reg(fk, E1000_RAH(k)) & E1000_RAH_AV);
	/* Every register touched is one the 82540EM has. */
	assert_int_equal(fk->dev.unknown_reg_accesses, 0);
	/* RX descriptors point at the driver's buffers. */
	for (unsigned i = 0; i < PHYSNIC_RX_DESC; i++) {
		uint64_t a;

		memcpy(&a, (const uint8_t *)rx_desc(fk, i), 8);
		assert_int_equal(a, fk->nic.rx_bufs_hpa + i * PHYSNIC_RX_BUF);
	}
	assert_int_equal(physnic_tx_free(&fk->nic), PHYSNIC_TX_DESC - 1);
}

static void test_init_unsupported_untouched(void **state)
{
	struct fake *fk = *state;

	assert_int_equal(physnic_init(&fk->nic, &fk->ops, 0x15b8), -XT_ENOTSUP);	/* I219-V */
	assert_int_equal(physnic_init(&fk->nic, &fk->ops, 0x10d3), -XT_ENOTSUP);	/* 82574L */
	assert_int_equal(physnic_init(&fk->nic, &fk->ops, 0x1011), -XT_ENOTSUP);	/* fiber */
	assert_int_equal(physnic_init(&fk->nic, &fk->ops, 0x1234), -XT_ENOTSUP);
	assert_int_equal(fk->accesses, 0);
	assert_int_equal(fk->resets, 0);
}

static void test_init_incomplete_ops(void **state)
{
	struct fake *fk = *state;

	fk->ops.delay_us = NULL;
	assert_int_equal(physnic_init(&fk->nic, &fk->ops, E1000_DEV_ID_82540EM), -XT_EINVAL);
	assert_int_equal(physnic_init(&fk->nic, NULL, E1000_DEV_ID_82540EM), -XT_EINVAL);
	assert_int_equal(fk->accesses, 0);
}

static void test_init_mac_from_eeprom(void **state)
{
	struct fake *fk = *state;
	uint64_t reads = fk->dev.eeprom.reads;

	fk->bochs_reset = true;
	init_ok(fk, E1000_DEV_ID_82540EM);
	assert_memory_equal(fk->nic.mac, nic_mac, 6);
	assert_int_equal(fk->dev.eeprom.reads - reads, 3);
	assert_int_equal(reg(fk, E1000_RAH0), 0x0c0bu | E1000_RAH_AV);
	assert_true(e1000_rx_accepts(&fk->dev, nic_mac));
}

static void test_init_mac_eerd_82541(void **state)
{
	struct fake *fk = *state;

	fk->bochs_reset = true;
	fk->eerd_82541 = true;
	init_ok(fk, DEV_82541GI);
	assert_memory_equal(fk->nic.mac, nic_mac, 6);
}

static void test_init_no_valid_mac(void **state)
{
	struct fake *fk = *state;

	fk->bochs_reset = true;
	fk->dev.eeprom.word[0] = fk->dev.eeprom.word[1] = fk->dev.eeprom.word[2] = 0;
	assert_int_equal(physnic_init(&fk->nic, &fk->ops, E1000_DEV_ID_82540EM), -XT_EIO);
	fk->dev.eeprom.word[0] = 0x0001;	/* multicast */
	assert_int_equal(physnic_init(&fk->nic, &fk->ops, E1000_DEV_ID_82540EM), -XT_EIO);
}

static void test_init_link_down_bounded(void **state)
{
	struct fake *fk = *state;

	fk->dev.phy.reg[E1000_PHY_REG_STATUS] &= (uint16_t)~E1000_PHY_STATUS_LINK;	/* cable out */
	init_ok(fk, E1000_DEV_ID_82540EM);
	assert_false(fk->nic.link_up);
	assert_false(physnic_link_up(&fk->nic));
	assert_true(fk->clock_us >= PHYSNIC_LINK_TIMEOUT_MS * 1000ull);
	assert_true(fk->clock_us < PHYSNIC_LINK_TIMEOUT_MS * 1000ull + 1000000);
}

static void test_init_no_dma_memory(void **state)
{
	struct fake *fk = *state;

	fk->fail_alloc = true;
	assert_int_equal(physnic_init(&fk->nic, &fk->ops, E1000_DEV_ID_82540EM), -XT_ENOMEM);
}

static void test_init_clears_hw_stats(void **state)
{
	struct fake *fk = *state;

	fk->dev.stats[(E1000_GPTC - E1000_STATS_BASE) / 4] = 7;
	fk->dev.stats[(E1000_MPC - E1000_STATS_BASE) / 4] = 3;
	init_ok(fk, E1000_DEV_ID_82540EM);
	physnic_update_stats(&fk->nic);
	assert_int_equal(fk->nic.st.hw_gptc, 0);
	assert_int_equal(fk->nic.st.hw_mpc, 0);
}

/* ---------------------------------------------------------- transmit */

static void test_xmit_single_segment(void **state)
{
	struct fake *fk = *state;
	uint8_t wire[2048];
	uint64_t hpa;
	const uint8_t *frame;

	init_ok(fk, E1000_DEV_ID_82540EM);
	frame = host_frame(fk, 1514, 1, &hpa);
	assert_int_equal(xmit1(fk, hpa, 1514, 0xc0ffee), 0);
	assert_int_equal(reg(fk, E1000_TDT), 1);
	assert_int_equal(physnic_tx_reap(&fk->nic, on_done, fk), 0);	/* not sent yet */
	assert_int_equal(wire_take(fk, wire, sizeof(wire)), 1514);
	assert_memory_equal(wire, frame, 1514);
	assert_int_equal(physnic_tx_reap(&fk->nic, on_done, fk), 1);
	assert_int_equal(fk->ndone, 1);
	assert_int_equal(fk->done[0], 0xc0ffee);
	assert_int_equal(fk->nic.st.tx_frames, 1);
	assert_int_equal(fk->nic.st.tx_bytes, 1514);
	assert_int_equal(physnic_tx_free(&fk->nic), PHYSNIC_TX_DESC - 1);
}

static void test_xmit_multi_segment(void **state)
{
	struct fake *fk = *state;
	static const uint32_t lens[3] = { 14, 50, 300 };
	struct physnic_seg segs[3];
	uint8_t want[364], wire[2048];
	uint32_t off = 0;

	init_ok(fk, E1000_DEV_ID_82540EM);
	make_frame(want, sizeof(want), bcast, 9);
	for (unsigned i = 0; i < 3; i++) {
		uint8_t *p = arena_alloc(fk, lens[i], &segs[i].hpa);	/* scattered pages */

		memcpy(p, want + off, lens[i]);
		segs[i].len = lens[i];
		off += lens[i];
	}
	assert_int_equal(physnic_xmit(&fk->nic, segs, 3, 42), 0);
	/* Legacy descriptors: IFCS everywhere, EOP|RS on the last one only. */
	for (unsigned i = 0; i < 3; i++) {
		const uint8_t *d = fk->nic.tx_ring + i * E1000_DESC_SIZE;
		uint8_t cmd = E1000_TXD_CMD_IFCS | (i == 2 ? E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS : 0);
		uint64_t a;

		memcpy(&a, d, 8);
		assert_int_equal(a, segs[i].hpa);
		assert_int_equal(d[E1000_TXD_LENGTH] | d[E1000_TXD_LENGTH + 1] << 8, lens[i]);
		assert_int_equal(d[E1000_TXD_CMD], cmd);
		assert_int_equal(d[E1000_TXD_STA], 0);
	}
	assert_int_equal(reg(fk, E1000_TDT), 3);
	assert_int_equal(wire_take(fk, wire, sizeof(wire)), sizeof(want));
	assert_memory_equal(wire, want, sizeof(want));
	assert_int_equal(physnic_tx_reap(&fk->nic, on_done, fk), 1);
	assert_int_equal(fk->done[0], 42);
	assert_int_equal(fk->nic.st.tx_bytes, sizeof(want));
}

static void test_xmit_segment_limit(void **state)
{
	struct fake *fk = *state;
	struct physnic_seg segs[PHYSNIC_MAX_SEGS + 1];
	uint8_t wire[2048];

	init_ok(fk, E1000_DEV_ID_82540EM);
	for (unsigned i = 0; i <= PHYSNIC_MAX_SEGS; i++) {
		uint8_t *p = arena_alloc(fk, 20, &segs[i].hpa);

		memset(p, (int)i, 20);
		segs[i].len = 20;
	}
	assert_int_equal(physnic_xmit(&fk->nic, segs, PHYSNIC_MAX_SEGS + 1, 1), -XT_EINVAL);
	assert_int_equal(physnic_xmit(&fk->nic, segs, PHYSNIC_MAX_SEGS, 2), 0);
	assert_int_equal(wire_take(fk, wire, sizeof(wire)), 20 * PHYSNIC_MAX_SEGS);
	for (unsigned i = 0; i < PHYSNIC_MAX_SEGS; i++)
		assert_int_equal(wire[20 * i + 19], i);
	assert_int_equal(physnic_tx_reap(&fk->nic, on_done, fk), 1);
	assert_int_equal(fk->done[0], 2);
	assert_int_equal(fk->nic.st.tx_bad, 1);
}

static void test_xmit_bad_arguments(void **state)
{
	struct fake *fk = *state;
	struct physnic_seg s[2] = { { ARENA_HPA, 10 }, { ARENA_HPA, 0 } };

	init_ok(fk, E1000_DEV_ID_82540EM);
	assert_int_equal(physnic_xmit(&fk->nic, NULL, 1, 0), -XT_EINVAL);
	assert_int_equal(physnic_xmit(&fk->nic, s, 0, 0), -XT_EINVAL);
	assert_int_equal(physnic_xmit(&fk->nic, s, 1, 0), -XT_EINVAL);	/* 10 < 14 */
	assert_int_equal(physnic_xmit(&fk->nic, s, 2, 0), -XT_EINVAL);	/* zero-length segment */
	s[0].len = PHYSNIC_MAX_FRAME + 1;
	assert_int_equal(physnic_xmit(&fk->nic, s, 1, 0), -XT_EINVAL);
	s[0].len = 1000;
	s[1].len = 1000;
	assert_int_equal(physnic_xmit(&fk->nic, s, 2, 0), -XT_EINVAL);	/* 2000 in total */
	s[0].hpa = UINT64_MAX - 10;
	s[0].len = 60;
	assert_int_equal(physnic_xmit(&fk->nic, s, 1, 0), -XT_EINVAL);	/* wraps */
	assert_int_equal(fk->nic.st.tx_bad, 7);
	assert_int_equal(reg(fk, E1000_TDT), 0);
	assert_int_equal(physnic_tx_free(&fk->nic), PHYSNIC_TX_DESC - 1);
}

static void test_xmit_short_frame_padded(void **state)
{
	struct fake *fk = *state;
	uint8_t wire[2048], zero[18] = { 0 };
	uint64_t hpa;
	const uint8_t *frame;

	init_ok(fk, E1000_DEV_ID_82540EM);
	frame = host_frame(fk, 42, 3, &hpa);	/* an ARP request */
	assert_int_equal(xmit1(fk, hpa, 42, 1), 0);
	assert_int_equal(wire_take(fk, wire, sizeof(wire)), 60);	/* TCTL.PSP */
	assert_memory_equal(wire, frame, 42);
	assert_memory_equal(wire + 42, zero, 18);
	assert_int_equal(physnic_tx_reap(&fk->nic, NULL, NULL), 1);
	assert_int_equal(fk->nic.st.tx_bytes, 42);
}

static void test_tx_reap_in_order(void **state)
{
	struct fake *fk = *state;
	uint8_t wire[2048];

	init_ok(fk, E1000_DEV_ID_82540EM);
	for (unsigned i = 0; i < 5; i++) {
		uint64_t hpa;

		host_frame(fk, 100 + i, i, &hpa);
		assert_int_equal(xmit1(fk, hpa, 100 + i, 1000 + i), 0);
	}
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(wire_take(fk, wire, sizeof(wire)), 100 + i);
	assert_int_equal(physnic_tx_reap(&fk->nic, on_done, fk), 3);
	assert_int_equal(physnic_tx_reap(&fk->nic, on_done, fk), 0);
	for (unsigned i = 3; i < 5; i++)
		assert_int_equal(wire_take(fk, wire, sizeof(wire)), 100 + i);
	assert_int_equal(wire_take(fk, wire, sizeof(wire)), 0);
	assert_int_equal(physnic_tx_reap(&fk->nic, on_done, fk), 2);
	assert_int_equal(fk->ndone, 5);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(fk->done[i], 1000 + i);
	assert_int_equal(fk->nic.st.tx_frames, 5);
}

static void test_tx_ring_full(void **state)
{
	struct fake *fk = *state;
	uint8_t wire[2048];
	uint64_t hpa;
	struct physnic_seg two[2];

	init_ok(fk, E1000_DEV_ID_82540EM);
	host_frame(fk, 64, 0, &hpa);
	for (unsigned i = 0; i < PHYSNIC_TX_DESC - 1; i++)
		assert_int_equal(xmit1(fk, hpa, 64, i), 0);
	assert_int_equal(physnic_tx_free(&fk->nic), 0);
	assert_int_equal(xmit1(fk, hpa, 64, 999), -XT_EAGAIN);
	assert_int_equal(fk->nic.st.tx_ring_full, 1);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(wire_take(fk, wire, sizeof(wire)), 64);
	assert_int_equal(physnic_tx_reap(&fk->nic, on_done, fk), 10);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(fk->done[i], i);
	assert_int_equal(physnic_tx_free(&fk->nic), 10);
	for (unsigned i = 0; i < 9; i++)
		assert_int_equal(xmit1(fk, hpa, 64, 300 + i), 0);
	/* One descriptor left: a two-segment frame does not fit. */
	two[0] = (struct physnic_seg){ hpa, 14 };
	two[1] = (struct physnic_seg){ hpa + 14, 50 };
	assert_int_equal(physnic_xmit(&fk->nic, two, 2, 500), -XT_EAGAIN);
	assert_int_equal(xmit1(fk, hpa, 64, 309), 0);
	assert_int_equal(xmit1(fk, hpa, 64, 310), -XT_EAGAIN);
	assert_int_equal(fk->nic.st.tx_ring_full, 3);
	/* The ring wrapped; everything still comes out in order. */
	fk->ndone = 0;
	while (wire_take(fk, wire, sizeof(wire)))
		;
	assert_int_equal(physnic_tx_reap(&fk->nic, on_done, fk), PHYSNIC_TX_DESC - 1);
	for (unsigned i = 0; i < PHYSNIC_TX_DESC - 11; i++)
		assert_int_equal(fk->done[i], 10 + i);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(fk->done[PHYSNIC_TX_DESC - 11 + i], 300 + i);
}

static void test_tx_error_status_counted(void **state)
{
	struct fake *fk = *state;
	uint64_t hpa;

	init_ok(fk, E1000_DEV_ID_82540EM);
	host_frame(fk, 64, 0, &hpa);
	assert_int_equal(xmit1(fk, hpa, 64, 5), 0);
	/* The NIC writes back DD with excess collisions. */
	fk->nic.tx_ring[E1000_TXD_STA] = E1000_TXD_STAT_DD | E1000_TXD_STAT_EC;
	assert_int_equal(physnic_tx_reap(&fk->nic, on_done, fk), 1);
	assert_int_equal(fk->done[0], 5);
	assert_int_equal(fk->nic.st.tx_errors, 1);
}

/* ---------------------------------------------------------- receive */

static void test_rx_single_frame(void **state)
{
	struct fake *fk = *state;
	uint8_t frame[200];

	init_ok(fk, E1000_DEV_ID_82540EM);
	assert_int_equal(physnic_rx_poll(&fk->nic, on_rx, fk, 16), 0);
	make_frame(frame, sizeof(frame), nic_mac, 77);
	wire_give(fk, frame, sizeof(frame));
	assert_int_equal(physnic_rx_poll(&fk->nic, on_rx, fk, 16), 1);
	assert_int_equal(fk->got, 1);
	assert_int_equal(fk->got_len[0], sizeof(frame));	/* no FCS: SECRC */
	assert_memory_equal(fk->got_data[0], frame, sizeof(frame));
	assert_int_equal(fk->nic.st.rx_frames, 1);
	assert_int_equal(fk->nic.st.rx_bytes, sizeof(frame));
	assert_int_equal(reg(fk, E1000_RDT), 0);
	assert_int_equal(e1000_rx_free(&fk->dev), PHYSNIC_RX_DESC - 1);
}

static void test_rx_recycles_buffers(void **state)
{
	struct fake *fk = *state;
	uint8_t frame[PHYSNIC_MAX_FRAME];
	uint32_t seq = 0;
	unsigned total = 0;

	init_ok(fk, E1000_DEV_ID_82540EM);
	while (seq < 10 * PHYSNIC_RX_DESC) {
		unsigned batch = 1 + seq % 200;

		for (unsigned k = 0; k < batch && seq < 10 * PHYSNIC_RX_DESC; k++, seq++) {
			uint32_t len = 60 + seq % (PHYSNIC_MAX_FRAME - 59);

			make_frame(frame, len, nic_mac, seq);
			wire_give(fk, frame, len);
		}
		total += physnic_rx_poll(&fk->nic, on_rx_seq, fk, PHYSNIC_RX_DESC);
		assert_int_equal(total, seq);
		assert_int_equal(e1000_rx_free(&fk->dev), PHYSNIC_RX_DESC - 1);
	}
	assert_int_equal(fk->next_seq, 10 * PHYSNIC_RX_DESC);
	assert_int_equal(fk->nic.st.rx_frames, 10 * PHYSNIC_RX_DESC);
	assert_int_equal(fk->nic.st.rx_bad, 0);
}

static void test_rx_ring_full_then_drained(void **state)
{
	struct fake *fk = *state;
	uint8_t frame[100];
	static struct e1000_frame f;

	init_ok(fk, E1000_DEV_ID_82540EM);
	for (uint32_t s = 0; s < PHYSNIC_RX_DESC - 1; s++) {
		make_frame(frame, sizeof(frame), nic_mac, s);
		wire_give(fk, frame, sizeof(frame));
	}
	/* The NIC has no descriptor left. */
	memset(&f, 0, sizeof(f));
	f.nseg = 1;
	f.seg[0].data = frame;
	f.seg[0].len = f.len = sizeof(frame);
	assert_int_equal(e1000_rx_deliver(&fk->dev, &f, NULL), -XT_EAGAIN);
	assert_int_equal(physnic_rx_poll(&fk->nic, on_rx_seq, fk, 1000), PHYSNIC_RX_DESC - 1);
	assert_int_equal(e1000_rx_free(&fk->dev), PHYSNIC_RX_DESC - 1);
}

static void test_rx_budget(void **state)
{
	struct fake *fk = *state;
	uint8_t frame[80];

	init_ok(fk, E1000_DEV_ID_82540EM);
	for (uint32_t s = 0; s < 10; s++) {
		make_frame(frame, sizeof(frame), nic_mac, s);
		wire_give(fk, frame, sizeof(frame));
	}
	assert_int_equal(physnic_rx_poll(&fk->nic, on_rx_seq, fk, 0), 0);
	assert_int_equal(physnic_rx_poll(&fk->nic, on_rx_seq, fk, 4), 4);
	assert_int_equal(e1000_rx_free(&fk->dev), PHYSNIC_RX_DESC - 1 - 10 + 4);
	assert_int_equal(physnic_rx_poll(&fk->nic, on_rx_seq, fk, 4), 4);
	assert_int_equal(physnic_rx_poll(&fk->nic, on_rx_seq, fk, 4), 2);
	assert_int_equal(physnic_rx_poll(&fk->nic, on_rx_seq, fk, 4), 0);
	assert_int_equal(fk->next_seq, 10);
}

static void test_rx_bogus_length(void **state)
{
	struct fake *fk = *state;
	uint8_t frame[100];
	volatile uint8_t *d;

	init_ok(fk, E1000_DEV_ID_82540EM);
	for (uint32_t s = 0; s < 4; s++) {
		make_frame(frame, sizeof(frame), nic_mac, s);
		wire_give(fk, frame, sizeof(frame));
	}
	/* The device writes back nonsense: 65535 bytes, then 5, then a moved buffer address. */
	d = rx_desc(fk, 0);
	d[E1000_RXD_LENGTH] = 0xff;
	d[E1000_RXD_LENGTH + 1] = 0xff;
	d = rx_desc(fk, 1);
	d[E1000_RXD_LENGTH] = 5;
	d[E1000_RXD_LENGTH + 1] = 0;
	d = rx_desc(fk, 2);
	d[E1000_RXD_LENGTH] = (uint8_t)(PHYSNIC_RX_BUF + 1);
	d[E1000_RXD_LENGTH + 1] = (uint8_t)((PHYSNIC_RX_BUF + 1) >> 8);
	d = rx_desc(fk, 3);
	d[E1000_RXD_ADDR + 4] ^= 0x40;
	assert_int_equal(physnic_rx_poll(&fk->nic, on_rx, fk, 16), 1);
	assert_int_equal(fk->nic.st.rx_bad, 3);
	assert_int_equal(fk->got, 1);
	assert_int_equal(fk->got_len[0], sizeof(frame));
	make_frame(frame, sizeof(frame), nic_mac, 3);
	assert_memory_equal(fk->got_data[0], frame, sizeof(frame));	/* from the driver's buffer */
	/* All four re-armed with the driver's own buffers and a clear status. */
	for (unsigned i = 0; i < 4; i++) {
		uint64_t a;

		memcpy(&a, (const uint8_t *)rx_desc(fk, i), 8);
		assert_int_equal(a, fk->nic.rx_bufs_hpa + i * PHYSNIC_RX_BUF);
		assert_int_equal(rx_desc(fk, i)[E1000_RXD_STATUS], 0);
	}
	assert_int_equal(e1000_rx_free(&fk->dev), PHYSNIC_RX_DESC - 1);
}

static void test_rx_error_bits_dropped(void **state)
{
	struct fake *fk = *state;
	uint8_t frame[100];

	init_ok(fk, E1000_DEV_ID_82540EM);
	for (uint32_t s = 0; s < 3; s++) {
		make_frame(frame, sizeof(frame), nic_mac, s);
		wire_give(fk, frame, sizeof(frame));
	}
	rx_desc(fk, 0)[E1000_RXD_ERRORS] = E1000_RXD_ERR_CE;
	rx_desc(fk, 1)[E1000_RXD_ERRORS] = E1000_RXD_ERR_RXE;
	assert_int_equal(physnic_rx_poll(&fk->nic, on_rx, fk, 16), 1);
	assert_int_equal(fk->nic.st.rx_bad, 2);
	assert_int_equal(fk->got, 1);
	assert_memory_equal(fk->got_data[0], frame, sizeof(frame));
}

static void test_rx_no_eop_discarded(void **state)
{
	struct fake *fk = *state;
	uint8_t frame[100];

	init_ok(fk, E1000_DEV_ID_82540EM);
	for (uint32_t s = 0; s < 4; s++) {
		make_frame(frame, sizeof(frame), nic_mac, s);
		wire_give(fk, frame, sizeof(frame));
	}
	/* Descriptors 0..2 claim to be one frame spread over three buffers. */
	rx_desc(fk, 0)[E1000_RXD_STATUS] &= (uint8_t)~E1000_RXD_STAT_EOP;
	rx_desc(fk, 1)[E1000_RXD_STATUS] &= (uint8_t)~E1000_RXD_STAT_EOP;
	assert_int_equal(physnic_rx_poll(&fk->nic, on_rx, fk, 16), 1);
	assert_int_equal(fk->nic.st.rx_bad, 1);
	assert_int_equal(fk->got, 1);
	assert_memory_equal(fk->got_data[0], frame, sizeof(frame));	/* frame 3 */
	assert_false(fk->nic.rx_discard);
}

/* ---------------------------------------------------------- address filter */

static void test_filter_guest_addresses(void **state)
{
	struct fake *fk = *state;
	static const uint8_t other_mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };

	init_ok(fk, E1000_DEV_ID_82540EM);
	assert_false(e1000_rx_accepts(&fk->dev, guest_a));
	assert_int_equal(physnic_add_address(&fk->nic, guest_a), 0);
	assert_int_equal(physnic_add_address(&fk->nic, guest_a), 0);	/* duplicate */
	assert_int_equal(physnic_add_address(&fk->nic, nic_mac), 0);	/* its own */
	assert_int_equal(physnic_add_address(&fk->nic, bcast), 0);
	assert_int_equal(fk->nic.naddrs, 1);
	assert_true(e1000_rx_accepts(&fk->dev, guest_a));
	assert_true(e1000_rx_accepts(&fk->dev, nic_mac));
	assert_true(e1000_rx_accepts(&fk->dev, bcast));
	assert_false(e1000_rx_accepts(&fk->dev, guest_b));
	assert_false(e1000_rx_accepts(&fk->dev, mcast));
	assert_int_equal(physnic_add_address(&fk->nic, mcast), 0);
	assert_true(e1000_rx_accepts(&fk->dev, mcast));
	assert_false(e1000_rx_accepts(&fk->dev, other_mc));
	assert_false(reg(fk, E1000_RCTL) & (E1000_RCTL_UPE | E1000_RCTL_MPE));
	assert_int_equal(physnic_add_address(&fk->nic, (const uint8_t[6]){ 0 }), -XT_EINVAL);
}

static void test_filter_overflow_promiscuous(void **state)
{
	struct fake *fk = *state;
	uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x01, 0x00 };

	init_ok(fk, E1000_DEV_ID_82540EM);
	for (unsigned i = 0; i < PHYSNIC_MAX_ADDRS; i++) {
		mac[5] = (uint8_t)i;
		assert_int_equal(physnic_add_address(&fk->nic, mac), 0);
		assert_true(e1000_rx_accepts(&fk->dev, mac));
	}
	assert_false(reg(fk, E1000_RCTL) & E1000_RCTL_UPE);
	assert_false(e1000_rx_accepts(&fk->dev, guest_b));
	mac[5] = 0x80;
	assert_int_equal(physnic_add_address(&fk->nic, mac), 0);
	assert_true(reg(fk, E1000_RCTL) & E1000_RCTL_UPE);
	assert_true(fk->nic.uc_promisc);
	assert_true(e1000_rx_accepts(&fk->dev, mac));
	assert_true(e1000_rx_accepts(&fk->dev, guest_b));
	assert_int_equal(fk->nic.naddrs, PHYSNIC_MAX_ADDRS);
	assert_true(reg(fk, E1000_RCTL) & E1000_RCTL_EN);
}

static void test_filter_fewer_entries(void **state)
{
	struct fake *fk = *state;
	uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x02, 0x00 };
	static const uint8_t high_mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };

	fk->bochs_filters = true;
	init_ok(fk, E1000_DEV_ID_82540EM);
	for (unsigned i = 0; i < 3; i++) {
		mac[5] = (uint8_t)i;
		assert_int_equal(physnic_add_address(&fk->nic, mac), 0);
	}
	assert_false(fk->nic.uc_promisc);
	mac[5] = 3;
	assert_int_equal(physnic_add_address(&fk->nic, mac), 0);	/* RAL/RAH[4] does not exist */
	assert_true(fk->nic.uc_promisc);
	assert_int_equal(fk->nic.naddrs, 3);
	assert_true(e1000_rx_accepts(&fk->dev, mac));
	/* 01:00:5e:00:00:fb hashes into MTA[125], which is not there either. */
	assert_false(fk->nic.mc_promisc);
	assert_int_equal(physnic_add_address(&fk->nic, high_mc), 0);
	assert_true(fk->nic.mc_promisc);
	assert_true(reg(fk, E1000_RCTL) & E1000_RCTL_MPE);
	assert_true(e1000_rx_accepts(&fk->dev, high_mc));
}

/* ---------------------------------------------------------- statistics */

static void test_stats_accumulate(void **state)
{
	struct fake *fk = *state;
	uint8_t frame[100], wire[2048];
	uint64_t hpa;

	init_ok(fk, E1000_DEV_ID_82540EM);
	host_frame(fk, 100, 0, &hpa);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(xmit1(fk, hpa, 100, i), 0);
		assert_int_equal(wire_take(fk, wire, sizeof(wire)), 100);
	}
	for (uint32_t s = 0; s < 2; s++) {
		make_frame(frame, sizeof(frame), nic_mac, s);
		wire_give(fk, frame, sizeof(frame));
	}
	physnic_update_stats(&fk->nic);
	assert_int_equal(fk->nic.st.hw_gptc, 3);
	assert_int_equal(fk->nic.st.hw_tpt, 3);
	assert_int_equal(fk->nic.st.hw_gotc, 3 * 104);
	assert_int_equal(fk->nic.st.hw_gprc, 2);
	assert_int_equal(fk->nic.st.hw_tpr, 2);
	assert_int_equal(fk->nic.st.hw_gorc, 2 * 104);
	/* Read to clear: the device starts again from zero. */
	assert_int_equal(fk->dev.stats[(E1000_GPTC - E1000_STATS_BASE) / 4], 0);
	assert_int_equal(fk->dev.stats[(E1000_GOTCH - E1000_STATS_BASE) / 4], 0);
	assert_int_equal(fk->dev.stats[(E1000_GOTCL - E1000_STATS_BASE) / 4], 0);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(xmit1(fk, hpa, 100, i), 0);
		assert_int_equal(wire_take(fk, wire, sizeof(wire)), 100);
	}
	e1000_rx_missed(&fk->dev);
	physnic_update_stats(&fk->nic);
	physnic_update_stats(&fk->nic);
	assert_int_equal(fk->nic.st.hw_gptc, 5);
	assert_int_equal(fk->nic.st.hw_gotc, 5 * 104);
	assert_int_equal(fk->nic.st.hw_gprc, 2);
	assert_int_equal(fk->nic.st.hw_mpc, 1);
}

/* ---------------------------------------------------------- names and probe messages */

static void test_device_names(void **state)
{
	(void)state;
	assert_string_equal(physnic_device_name(0x100e), "82540EM");
	assert_string_equal(physnic_device_name(0x100f), "82545EM");
	assert_string_equal(physnic_device_name(0x1010), "82546EB");
	assert_string_equal(physnic_device_name(0x1076), "82541GI");
	assert_string_equal(physnic_device_name(0x1019), "82547EI");
	assert_null(physnic_device_name(0x10d3));	/* 82574L */
	assert_null(physnic_device_name(0x15b8));	/* I219-V */
	assert_null(physnic_device_name(0x1533));	/* I210 */
	assert_null(physnic_device_name(0xffff));
	assert_string_equal(physnic_model_name(0x8086, 0x15b8), "I219-V");
	assert_string_equal(physnic_model_name(0x8086, 0x10d3), "82574L");
	assert_null(physnic_model_name(0x10ec, 0x100e));
}

static void test_describe_lines(void **state)
{
	struct physnic_pci p = { .bus = 0, .dev = 0x1f, .fn = 6, .vendor = 0x8086, .device = 0x15b8,
				 .bar0 = 0xdf000000 };
	char line[160];

	(void)state;
	physnic_pci_describe(&p, line, sizeof(line));
	assert_string_equal(line, "physical NIC 8086:15b8 at 00:1f.6 (Intel I219-V) is not supported; "
				  "outside traffic will be dropped");
	p = (struct physnic_pci){ .dev = 3, .vendor = 0x8086, .device = 0x100e, .bar0 = 0xfebc0000,
				  .supported = true };
	physnic_pci_describe(&p, line, sizeof(line));
	assert_string_equal(line, "physical NIC 8086:100e at 00:03.0 (Intel 82540EM), BAR0 0xfebc0000");
	p = (struct physnic_pci){ .bus = 2, .vendor = 0x10ec, .device = 0x8168 };
	physnic_pci_describe(&p, line, sizeof(line));
	assert_string_equal(line, "physical NIC 10ec:8168 at 02:00.0 (not an Intel e1000) is not "
				  "supported; outside traffic will be dropped");
	p = (struct physnic_pci){ .vendor = 0x8086, .device = 0x100e, .bar0 = 0x4000000000ull,
				  .bar0_64 = true };
	physnic_pci_describe(&p, line, sizeof(line));
	assert_string_equal(line, "physical NIC 8086:100e at 00:00.0 (Intel 82540EM): BAR0 0x4000000000 "
				  "is not a memory BAR below 4 GiB; outside traffic will be dropped");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_init_programs_device),
		T(test_init_unsupported_untouched),
		T(test_init_incomplete_ops),
		T(test_init_mac_from_eeprom),
		T(test_init_mac_eerd_82541),
		T(test_init_no_valid_mac),
		T(test_init_link_down_bounded),
		T(test_init_no_dma_memory),
		T(test_init_clears_hw_stats),
		T(test_xmit_single_segment),
		T(test_xmit_multi_segment),
		T(test_xmit_segment_limit),
		T(test_xmit_bad_arguments),
		T(test_xmit_short_frame_padded),
		T(test_tx_reap_in_order),
		T(test_tx_ring_full),
		T(test_tx_error_status_counted),
		T(test_rx_single_frame),
		T(test_rx_recycles_buffers),
		T(test_rx_ring_full_then_drained),
		T(test_rx_budget),
		T(test_rx_bogus_length),
		T(test_rx_error_bits_dropped),
		T(test_rx_no_eop_discarded),
		T(test_filter_guest_addresses),
		T(test_filter_overflow_promiscuous),
		T(test_filter_fewer_entries),
		T(test_stats_accumulate),
#undef T
		cmocka_unit_test(test_device_names),
		cmocka_unit_test(test_describe_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
