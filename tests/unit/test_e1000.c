// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the 82540EM model (devices/e1000.c, e1000_tx.c,
 * e1000_rx.c). The "guest" is a 4 MiB buffer; dma_map translates guest
 * physical addresses into it and refuses anything outside. Callbacks record
 * the IRQ line, kicks, resets and errors.
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

#define RAM_SIZE	(4u << 20)
#define TX_RING		0x10000u
#define RX_RING		0x20000u
#define TX_BUF		0x100000u
#define RX_BUF		0x200000u
#define RX_BUF_SIZE	2048u
#define OUTSIDE		(RAM_SIZE + 0x1000u)	/* refused by dma_map */

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct fake {
	struct e1000 dev;
	uint8_t *ram;
	uint8_t bounce[E1000_MAX_FRAME_JUMBO];
	bool irq;
	unsigned irq_calls;
	unsigned tx_kicks, rx_kicks, resets;
	unsigned err[E1000_ERR_COUNT];
	uint64_t last_detail;
	uint64_t now;
	unsigned dma_calls;
	/* Guest rewriting memory behind the model's back: on dma_map call
	 * number mutate_at, copy mutate_bytes to mutate_gpa first. */
	unsigned mutate_at;
	uint64_t mutate_gpa;
	uint8_t mutate_bytes[16];
	/* A page the guest may only read (the receiving side of a shared page):
	 * dma_map_rw refuses it; 0 = none. */
	uint64_t ro_page;
};

static void *fake_dma(void *ctx, uint64_t gpa, uint64_t len)
{
	struct fake *fk = ctx;

	fk->dma_calls++;
	if (fk->mutate_at && fk->dma_calls == fk->mutate_at)
		memcpy(fk->ram + fk->mutate_gpa, fk->mutate_bytes, sizeof(fk->mutate_bytes));
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	return fk->ram + gpa;
}

static void *fake_dma_rw(void *ctx, uint64_t gpa, uint64_t len)
{
	struct fake *fk = ctx;

	if (fk->ro_page && gpa < fk->ro_page + 0x1000 && fk->ro_page < gpa + len)
		return NULL;
	return fake_dma(ctx, gpa, len);
}

static void fake_irq(void *ctx, bool level)
{
	struct fake *fk = ctx;

	assert_true(level != fk->irq);	/* changes only */
	fk->irq = level;
	fk->irq_calls++;
}

static void fake_tx_kick(void *ctx)
{
	((struct fake *)ctx)->tx_kicks++;
}

static void fake_rx_kick(void *ctx)
{
	((struct fake *)ctx)->rx_kicks++;
}

static void fake_reset(void *ctx)
{
	((struct fake *)ctx)->resets++;
}

static void fake_error(void *ctx, enum e1000_err e, uint64_t detail)
{
	struct fake *fk = ctx;

	assert_true((unsigned)e < E1000_ERR_COUNT);
	fk->err[e]++;
	fk->last_detail = detail;
}

static uint64_t fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static const struct e1000_ops fake_ops = {
	.dma_map = fake_dma,
	.dma_map_rw = fake_dma_rw,
	.set_irq = fake_irq,
	.tx_kick = fake_tx_kick,
	.rx_kick = fake_rx_kick,
	.reset = fake_reset,
	.error = fake_error,
	.now_ns = fake_now,
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
	return fk->ram + TX_RING + 16 * idx;
}

static uint8_t *rxd(struct fake *fk, unsigned idx)
{
	return fk->ram + RX_RING + 16 * idx;
}

static void txd_legacy(struct fake *fk, unsigned idx, uint64_t addr, uint16_t len, uint8_t cmd,
		       uint8_t cso, uint8_t css, uint16_t special)
{
	uint8_t *d = txd(fk, idx);

	put_le64(d, addr);
	put_le16(d + 8, len);
	d[10] = cso;
	d[11] = cmd;
	d[12] = 0;
	d[13] = css;
	put_le16(d + 14, special);
}

static void txd_data(struct fake *fk, unsigned idx, uint64_t addr, uint32_t len, uint8_t dcmd,
		     uint8_t popts)
{
	uint8_t *d = txd(fk, idx);

	put_le64(d, addr);
	put_le32(d + 8, (len & 0xfffff) | E1000_TXD_DTYP_D << 20 |
			(uint32_t)(dcmd | E1000_TXD_CMD_DEXT) << 24);
	d[12] = 0;
	d[13] = popts;
	put_le16(d + 14, 0);
}

static void txd_ctx(struct fake *fk, unsigned idx, uint8_t ipcss, uint8_t ipcso, uint16_t ipcse,
		    uint8_t tucss, uint8_t tucso, uint16_t tucse, uint8_t tucmd)
{
	uint8_t *d = txd(fk, idx);

	memset(d, 0, 16);
	d[0] = ipcss;
	d[1] = ipcso;
	put_le16(d + 2, ipcse);
	d[4] = tucss;
	d[5] = tucso;
	put_le16(d + 6, tucse);
	put_le32(d + 8, E1000_TXD_DTYP_C << 20 | (uint32_t)(tucmd | E1000_TXD_CMD_DEXT) << 24);
}

/* A frame at gpa: destination, our source, type, then a counting pattern. */
static void make_frame(struct fake *fk, uint64_t gpa, const uint8_t dst[6], uint32_t len)
{
	uint8_t *p = fk->ram + gpa;

	memcpy(p, dst, 6);
	memcpy(p + 6, mac, 6);
	p[12] = 0x08;
	p[13] = 0x00;
	for (uint32_t i = 14; i < len; i++)
		p[i] = (uint8_t)(i * 7 + 3);
}

static void tx_setup(struct fake *fk, unsigned ndesc)
{
	wr(fk, E1000_TDBAL, TX_RING);
	wr(fk, E1000_TDBAH, 0);
	wr(fk, E1000_TDLEN, 16 * ndesc);
	wr(fk, E1000_TDH, 0);
	wr(fk, E1000_TDT, 0);
	wr(fk, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
}

static void rx_setup(struct fake *fk, unsigned ndesc, uint32_t rctl)
{
	for (unsigned i = 0; i < ndesc; i++) {
		memset(rxd(fk, i), 0, 16);
		put_le64(rxd(fk, i), RX_BUF + (uint64_t)i * RX_BUF_SIZE);
	}
	wr(fk, E1000_RDBAL, RX_RING);
	wr(fk, E1000_RDBAH, 0);
	wr(fk, E1000_RDLEN, 16 * ndesc);
	wr(fk, E1000_RDH, 0);
	wr(fk, E1000_RDT, ndesc - 1);
	wr(fk, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | rctl);
}

static struct e1000_frame one_seg(const uint8_t *data, uint32_t len)
{
	struct e1000_frame f;

	memset(&f, 0, sizeof(f));
	f.nseg = 1;
	f.seg[0].data = data;
	f.seg[0].len = len;
	f.len = len;
	return f;
}

static unsigned total_errors(const struct fake *fk)
{
	unsigned n = 0;

	for (unsigned i = 0; i < E1000_ERR_COUNT; i++)
		n += fk->err[i];
	return n;
}

/* Send one good 100-byte frame at TDH and check it comes out whole. */
static void assert_ring_usable(struct fake *fk)
{
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;
	uint32_t head = d->tdh, n = d->tdlen / 16;

	make_frame(fk, TX_BUF + 0x8000, bcast, 100);
	txd_legacy(fk, head, TX_BUF + 0x8000, 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, (head + 1) % n);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_int_equal(f.len, 100);
	assert_ptr_equal(f.seg[0].data, fk->ram + TX_BUF + 0x8000);
	e1000_tx_complete(d, &f);
	assert_int_equal(rd(fk, E1000_TDH), (head + 1) % n);
	assert_int_equal(txd(fk, head)[12], E1000_TXD_STAT_DD);
}

/* ---------------------------------------------------------- independent checksum */

static uint16_t ref_sum(const uint8_t *p, size_t n, uint32_t seed)
{
	uint64_t s = seed;

	for (size_t i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint64_t)p[i] << 8;
	while (s > 0xffff)
		s = (s >> 16) + (s & 0xffff);
	return (uint16_t)s;
}

/* ---------------------------------------------------------- reset and registers */

static void test_reset_values(void **state)
{
	struct fake *fk = *state;

	assert_int_equal(rd(fk, E1000_CTRL),
			 E1000_CTRL_FD | E1000_CTRL_SLU | E1000_CTRL_SPEED_1000);
	assert_int_equal(rd(fk, E1000_STATUS),
			 E1000_STATUS_FD | E1000_STATUS_LU | E1000_STATUS_SPEED_1000);
	assert_int_equal(rd(fk, E1000_RCTL), 0);
	assert_int_equal(rd(fk, E1000_TCTL), 0);
	assert_int_equal(rd(fk, E1000_PBA), 0x00100030);
	assert_int_equal(rd(fk, E1000_LEDCTL), 0x07068302);
	assert_int_equal(rd(fk, E1000_VET), 0x8100);
	assert_int_equal(rd(fk, E1000_RAL0), 0x12005452);
	assert_int_equal(rd(fk, E1000_RAH0), 0x5634 | E1000_RAH_AV);
	assert_int_equal(rd(fk, E1000_RAH(1)), 0);
	assert_int_equal(rd(fk, E1000_IMS), 0);
	assert_int_equal(rd(fk, E1000_ICR), 0);
	assert_int_equal(rd(fk, E1000_TDLEN), 0);
	assert_int_equal(rd(fk, E1000_MTA), 0);
	assert_false(fk->irq);
	assert_int_equal(fk->resets, 0);	/* init does not call ops->reset */
	assert_int_equal(fk->dev.unknown_reg_accesses, 0);
}

/* Guest accesses are counted by register (the summary names each exit's register). */
static void test_register_access_counts(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;

	memset(d->reg_reads, 0, sizeof(d->reg_reads));
	memset(d->reg_writes, 0, sizeof(d->reg_writes));
	rd(fk, E1000_STATUS);
	rd(fk, E1000_STATUS);
	e1000_mmio_read(d, E1000_STATUS + 2, 2);
	rd(fk, E1000_ICR);
	wr(fk, E1000_IMC, ~0u);
	wr(fk, E1000_IMS, E1000_ICR_RXT0);
	wr(fk, E1000_TDT, 0);
	rd(fk, E1000_GPRC);
	rd(fk, E1000_RAL0);
	e1000_mmio_write(d, 0xffffffff, 4, 1);		/* not a register: not counted here */
	assert_int_equal(d->reg_reads[E1000_RK_STATUS], 3);
	assert_int_equal(d->reg_reads[E1000_RK_ICR], 1);
	assert_int_equal(d->reg_writes[E1000_RK_IMC], 1);
	assert_int_equal(d->reg_writes[E1000_RK_IMS], 1);
	assert_int_equal(d->reg_reads[E1000_RK_IMS], 0);
	assert_int_equal(d->reg_writes[E1000_RK_TDT], 1);
	assert_int_equal(d->reg_reads[E1000_RK_STATS], 1);
	assert_int_equal(d->reg_reads[E1000_RK_OTHER], 1);
	assert_int_equal(d->reg_writes[E1000_RK_OTHER], 0);
	assert_string_equal(e1000_reg_kind_name(E1000_RK_TDT), "TDT");
	assert_string_equal(e1000_reg_kind_name(E1000_RK_COUNT), "?");
}

static void test_ctrl_rst_resets(void **state)
{
	struct fake *fk = *state;

	wr(fk, E1000_RAL0, 0x11111111);
	wr(fk, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_UPE);
	wr(fk, E1000_TDLEN, 4096);
	wr(fk, E1000_LEDCTL, 0);
	wr(fk, E1000_IMS, E1000_ICR_TXDW);
	wr(fk, E1000_ICS, E1000_ICR_TXDW);
	assert_true(fk->irq);
	wr(fk, E1000_CTRL, rd(fk, E1000_CTRL) | E1000_CTRL_RST);
	assert_int_equal(fk->resets, 1);
	assert_false(fk->irq);
	assert_int_equal(rd(fk, E1000_CTRL) & E1000_CTRL_RST, 0);	/* self-clearing */
	assert_int_equal(rd(fk, E1000_RCTL), 0);
	assert_int_equal(rd(fk, E1000_TDLEN), 0);
	assert_int_equal(rd(fk, E1000_IMS), 0);
	assert_int_equal(rd(fk, E1000_LEDCTL), 0x07068302);
	assert_int_equal(rd(fk, E1000_RAL0), 0x12005452);	/* from the EEPROM again */
	/* EEPROM contents kept: word 1 holds MAC bytes 2 and 3. */
	wr(fk, E1000_EERD, E1000_EERD_START | 1 << E1000_EERD_ADDR_SHIFT);
	assert_int_equal(rd(fk, E1000_EERD) >> E1000_EERD_DATA_SHIFT, 0x1200);
}

static void test_e1000_reset_api(void **state)
{
	struct fake *fk = *state;

	wr(fk, E1000_TCTL, E1000_TCTL_EN);
	e1000_reset(&fk->dev);
	assert_int_equal(fk->resets, 1);
	assert_int_equal(rd(fk, E1000_TCTL), 0);
}

static void test_ctrl_bits_stored(void **state)
{
	struct fake *fk = *state;
	uint32_t v = E1000_CTRL_FD | E1000_CTRL_ASDE | E1000_CTRL_SLU | E1000_CTRL_FRCSPD |
		     E1000_CTRL_FRCDPX | E1000_CTRL_SPEED_100 | E1000_CTRL_VME | E1000_CTRL_RFCE;

	wr(fk, E1000_CTRL, v | (1u << 1) | (1u << 29));	/* reserved bits dropped */
	assert_int_equal(rd(fk, E1000_CTRL), v);
	assert_int_equal(fk->resets, 0);
}

static void test_ctrl_phy_rst(void **state)
{
	struct fake *fk = *state;
	uint32_t cmd = E1000_MDIC_OP_WRITE | E1000_PHY_ADDR << E1000_MDIC_PHY_SHIFT |
		       E1000_PHY_REG_AUTONEG_ADV << E1000_MDIC_REG_SHIFT | 0x0021;

	wr(fk, E1000_MDIC, cmd);
	assert_int_equal(fk->dev.phy.reg[E1000_PHY_REG_AUTONEG_ADV] & 0x1e0, 0x0020);
	wr(fk, E1000_CTRL, rd(fk, E1000_CTRL) | E1000_CTRL_PHY_RST);
	assert_int_equal(fk->dev.phy.reg[E1000_PHY_REG_AUTONEG_ADV], 0x0de1);
	assert_true(rd(fk, E1000_CTRL) & E1000_CTRL_PHY_RST);	/* stored, not self-clearing */
	wr(fk, E1000_CTRL, rd(fk, E1000_CTRL) & ~E1000_CTRL_PHY_RST);
	assert_false(rd(fk, E1000_CTRL) & E1000_CTRL_PHY_RST);
}

static void test_status_read_only(void **state)
{
	struct fake *fk = *state;
	uint32_t before = rd(fk, E1000_STATUS);

	wr(fk, E1000_STATUS, 0);
	assert_int_equal(rd(fk, E1000_STATUS), before);
	assert_int_equal(fk->dev.unknown_reg_accesses, 0);
}

static void test_store_only_registers(void **state)
{
	static const struct { uint32_t off, mask; } regs[] = {
		{ E1000_FCAL, 0xffffffff }, { E1000_FCAH, 0xffff }, { E1000_FCT, 0xffff },
		{ E1000_VET, 0xffff }, { E1000_FCTTV, 0xffff }, { E1000_TXCW, 0xc000ffff },
		{ E1000_RXCW, 0xfc00ffff }, { E1000_LEDCTL, 0xafafafaf }, { E1000_FCRTL, 0x8000fff8 },
		{ E1000_FCRTH, 0xfff8 }, { E1000_RDTR, 0xffff }, { E1000_RADV, 0xffff },
		{ E1000_RSRPD, 0xfff }, { E1000_TIPG, 0x3fffffff }, { E1000_TIDV, 0xffff },
		{ E1000_TXDCTL, 0xff3f3f3f }, { E1000_TADV, 0xffff }, { E1000_AIT, 0xffff },
		{ E1000_RXCSUM, 0x3ff }, { E1000_WUC, 0xf }, { E1000_WUFC, 0x000f00ff },
		{ E1000_MANC, 0xffffffff },
	};
	struct fake *fk = *state;

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		wr(fk, regs[i].off, 0xffffffff);
		assert_int_equal(rd(fk, regs[i].off), regs[i].mask);
		wr(fk, regs[i].off, 0x12345678);
		assert_int_equal(rd(fk, regs[i].off), 0x12345678 & regs[i].mask);
	}
	/* CTRL_EXT: EE_RST self-clears. */
	wr(fk, E1000_CTRL_EXT, E1000_CTRL_EXT_EE_RST | E1000_CTRL_EXT_ASDCHK);
	assert_int_equal(rd(fk, E1000_CTRL_EXT), E1000_CTRL_EXT_ASDCHK);
	/* PBA: TXA follows RXA. */
	wr(fk, E1000_PBA, 0x28);
	assert_int_equal(rd(fk, E1000_PBA), 0x00180028);
	assert_int_equal(fk->dev.unknown_reg_accesses, 0);
}

static void test_ring_registers(void **state)
{
	struct fake *fk = *state;

	wr(fk, E1000_TDBAL, 0x12345678);
	assert_int_equal(rd(fk, E1000_TDBAL), 0x12345670);	/* 16-byte aligned */
	wr(fk, E1000_TDBAH, 0xabcdef01);
	assert_int_equal(rd(fk, E1000_TDBAH), 0xabcdef01);
	wr(fk, E1000_TDLEN, 0xfff1234);
	assert_int_equal(rd(fk, E1000_TDLEN), 0xf1200);	/* bits 19:7 */
	wr(fk, E1000_TDH, 0x12345);
	assert_int_equal(rd(fk, E1000_TDH), 0x2345);
	wr(fk, E1000_RDBAL, 0xffffffff);
	assert_int_equal(rd(fk, E1000_RDBAL), 0xfffffff0);
	wr(fk, E1000_RDLEN, 200);
	assert_int_equal(rd(fk, E1000_RDLEN), 128);
	wr(fk, E1000_RDT, 0xffffffff);
	assert_int_equal(rd(fk, E1000_RDT), 0xffff);
}

static void test_rctl_tctl_masks(void **state)
{
	struct fake *fk = *state;

	wr(fk, E1000_RCTL, 0xffffffff);
	assert_int_equal(rd(fk, E1000_RCTL), 0x06dfb3fe);
	wr(fk, E1000_TCTL, 0xffffffff);
	assert_int_equal(rd(fk, E1000_TCTL), 0x033ffffa);	/* SWXOFF self-clears */
}

static void test_address_tables(void **state)
{
	struct fake *fk = *state;

	wr(fk, E1000_RAL(15), 0xdeadbeef);
	wr(fk, E1000_RAH(15), 0xffffffff);
	assert_int_equal(rd(fk, E1000_RAL(15)), 0xdeadbeef);
	assert_int_equal(rd(fk, E1000_RAH(15)), 0x8003ffff);
	wr(fk, E1000_MTA + 4 * 127, 0x5a5a5a5a);
	assert_int_equal(rd(fk, E1000_MTA + 4 * 127), 0x5a5a5a5a);
	wr(fk, E1000_VFTA + 4 * 127, 0xa5a5a5a5);
	assert_int_equal(rd(fk, E1000_VFTA + 4 * 127), 0xa5a5a5a5);
	wr(fk, E1000_VFTA, 1);
	assert_int_equal(rd(fk, E1000_VFTA), 1);
	assert_int_equal(fk->dev.unknown_reg_accesses, 0);
}

static void test_unknown_offsets(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;

	assert_int_equal(rd(fk, 0x5810), 0);	/* WUS: not modelled */
	assert_int_equal(d->unknown_reg_accesses, 1);
	wr(fk, 0x5810, 0xffffffff);
	assert_int_equal(d->unknown_reg_accesses, 2);
	assert_int_equal(rd(fk, 0x5810), 0);
	assert_int_equal(e1000_mmio_read(d, E1000_MMIO_SIZE, 4), 0);	/* beyond BAR0 */
	assert_int_equal(e1000_mmio_read(d, E1000_CTRL, 3), 0);		/* bad size */
	assert_int_equal(e1000_mmio_read(d, E1000_CTRL + 2, 4), 0);	/* misaligned */
	e1000_mmio_write(d, E1000_RCTL + 1, 2, 0xffff);			/* misaligned */
	e1000_mmio_write(d, 0xffffffff, 4, 1);
	assert_int_equal(d->unknown_reg_accesses, 8);
	assert_int_equal(rd(fk, E1000_RCTL), 0);
}

static void test_sub_dword_access(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;

	assert_int_equal(e1000_mmio_read(d, E1000_RAL0 + 1, 1), 0x54);
	assert_int_equal(e1000_mmio_read(d, E1000_RAH0 + 2, 2), 0x8000);
	e1000_mmio_write(d, E1000_LEDCTL + 1, 1, 0x00);
	assert_int_equal(rd(fk, E1000_LEDCTL), 0x07060002);
	/* A byte write to ICR clears only the causes in that byte. */
	wr(fk, E1000_ICS, E1000_ICR_TXDW | E1000_ICR_MDAC);
	e1000_mmio_write(d, E1000_ICR + 1, 1, 0xff);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_TXDW);
	/* A word write to TDT kicks. */
	e1000_mmio_write(d, E1000_TDT, 2, 5);
	assert_int_equal(rd(fk, E1000_TDT), 5);
	assert_int_equal(fk->tx_kicks, 1);
}

/* ---------------------------------------------------------- interrupts */

static void test_icr_read_clears(void **state)
{
	struct fake *fk = *state;

	wr(fk, E1000_ICS, E1000_ICR_RXT0 | E1000_ICR_TXDW);
	assert_false(fk->irq);	/* masked */
	wr(fk, E1000_IMS, E1000_ICR_RXT0);
	assert_true(fk->irq);
	assert_int_equal(fk->irq_calls, 1);
	wr(fk, E1000_ICS, E1000_ICR_RXT0);	/* already up: no call */
	assert_int_equal(fk->irq_calls, 1);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_RXT0 | E1000_ICR_TXDW);
	assert_false(fk->irq);
	assert_int_equal(fk->irq_calls, 2);
	assert_int_equal(rd(fk, E1000_ICR), 0);
	assert_int_equal(fk->irq_calls, 2);
}

static void test_ims_imc(void **state)
{
	struct fake *fk = *state;

	wr(fk, E1000_IMS, E1000_ICR_TXDW | E1000_ICR_LSC);
	wr(fk, E1000_IMS, E1000_ICR_RXT0);
	assert_int_equal(rd(fk, E1000_IMS), E1000_ICR_TXDW | E1000_ICR_LSC | E1000_ICR_RXT0);
	assert_int_equal(rd(fk, E1000_IMC), 0);	/* write only */
	wr(fk, E1000_ICS, E1000_ICR_LSC);
	assert_true(fk->irq);
	wr(fk, E1000_IMC, E1000_ICR_LSC);
	assert_false(fk->irq);			/* cause kept, masked */
	assert_int_equal(rd(fk, E1000_IMS), E1000_ICR_TXDW | E1000_ICR_RXT0);
	wr(fk, E1000_IMS, E1000_ICR_LSC);
	assert_true(fk->irq);
	wr(fk, E1000_IMC, 0xffffffff);
	assert_false(fk->irq);
	assert_int_equal(rd(fk, E1000_IMS), 0);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_LSC);
}

static void test_icr_write_clears(void **state)
{
	struct fake *fk = *state;

	wr(fk, E1000_IMS, 0xffffffff);
	wr(fk, E1000_ICS, E1000_ICR_TXDW | E1000_ICR_RXO);
	assert_true(fk->irq);
	wr(fk, E1000_ICR, E1000_ICR_TXDW);
	assert_true(fk->irq);
	wr(fk, E1000_ICR, E1000_ICR_RXO);
	assert_false(fk->irq);
	wr(fk, E1000_ICS, 0xffffffff);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_VALID);
}

static void test_itr_throttling(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	const uint64_t gap = 1000 * 256;	/* ITR 1000 */

	wr(fk, E1000_ITR, 1000);
	assert_int_equal(rd(fk, E1000_ITR), 1000);
	wr(fk, E1000_IMS, E1000_ICR_RXT0);
	fk->now = 5000;
	wr(fk, E1000_ICS, E1000_ICR_RXT0);
	assert_true(fk->irq);			/* the first one is not delayed */
	assert_int_equal(e1000_irq_deadline(d), 0);
	rd(fk, E1000_ICR);
	assert_false(fk->irq);
	fk->now = 5000 + 100000;
	wr(fk, E1000_ICS, E1000_ICR_RXT0);
	assert_false(fk->irq);			/* throttled */
	assert_int_equal(e1000_irq_deadline(d), 5000 + gap);
	fk->now = 5000 + gap - 1;
	e1000_irq_timer(d);
	assert_false(fk->irq);
	fk->now = 5000 + gap;
	e1000_irq_timer(d);
	assert_true(fk->irq);
	assert_int_equal(e1000_irq_deadline(d), 0);
	/* A cause cleared while throttled leaves nothing pending. */
	rd(fk, E1000_ICR);
	wr(fk, E1000_ICS, E1000_ICR_RXT0);
	assert_false(fk->irq);
	assert_int_not_equal(e1000_irq_deadline(d), 0);
	rd(fk, E1000_ICR);
	assert_int_equal(e1000_irq_deadline(d), 0);
	/* ITR 0: no throttling. */
	wr(fk, E1000_ITR, 0);
	wr(fk, E1000_ICS, E1000_ICR_RXT0);
	assert_true(fk->irq);
}

/* ---------------------------------------------------------- I/O window, EEPROM, PHY */

static void test_io_window(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;

	e1000_io_write(d, E1000_IOADDR, 4, E1000_STATUS);
	assert_int_equal(e1000_io_read(d, E1000_IOADDR, 4), E1000_STATUS);
	assert_int_equal(e1000_io_read(d, E1000_IODATA, 4), rd(fk, E1000_STATUS));
	e1000_io_write(d, E1000_IOADDR, 4, E1000_RAL(3));
	e1000_io_write(d, E1000_IODATA, 4, 0xcafef00d);
	assert_int_equal(rd(fk, E1000_RAL(3)), 0xcafef00d);
	e1000_io_write(d, E1000_IOADDR, 4, E1000_ICR);
	wr(fk, E1000_ICS, E1000_ICR_LSC);
	assert_int_equal(e1000_io_read(d, E1000_IODATA, 4), E1000_ICR_LSC);	/* read to clear */
	assert_int_equal(rd(fk, E1000_ICR), 0);
	assert_int_equal(d->unknown_reg_accesses, 0);
	/* Bad sizes, offsets and addresses. */
	assert_int_equal(e1000_io_read(d, E1000_IODATA, 2), 0);
	e1000_io_write(d, 1, 4, 0);
	e1000_io_write(d, E1000_IOADDR, 4, 0x30000);	/* flash window: not modelled */
	assert_int_equal(e1000_io_read(d, E1000_IODATA, 4), 0);
	assert_int_equal(d->unknown_reg_accesses, 3);
}

static void test_io_reset(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;

	/* Linux's e1000_reset_hw on an 82540: CTRL.RST through IOADDR/IODATA. */
	wr(fk, E1000_RCTL, E1000_RCTL_EN);
	e1000_io_write(d, E1000_IOADDR, 4, E1000_CTRL);
	e1000_io_write(d, E1000_IODATA, 4, rd(fk, E1000_CTRL) | E1000_CTRL_RST);
	assert_int_equal(fk->resets, 1);
	assert_int_equal(rd(fk, E1000_RCTL), 0);
	assert_int_equal(rd(fk, E1000_CTRL) & E1000_CTRL_RST, 0);
}

static void test_eeprom_forwarding(void **state)
{
	struct fake *fk = *state;

	for (unsigned w = 0; w < 3; w++) {
		wr(fk, E1000_EERD, E1000_EERD_START | w << E1000_EERD_ADDR_SHIFT);
		uint32_t v = rd(fk, E1000_EERD);

		assert_true(v & E1000_EERD_DONE);
		assert_int_equal(v >> E1000_EERD_DATA_SHIFT, mac[2 * w] | mac[2 * w + 1] << 8);
	}
	assert_true(rd(fk, E1000_EECD) & E1000_EECD_PRES);
	wr(fk, E1000_EECD, E1000_EECD_REQ);
	assert_true(rd(fk, E1000_EECD) & E1000_EECD_GNT);
	wr(fk, E1000_EECD, 0);
	assert_false(rd(fk, E1000_EECD) & E1000_EECD_GNT);
}

static void test_mdic_forwarding(void **state)
{
	struct fake *fk = *state;
	uint32_t cmd = E1000_MDIC_OP_READ | E1000_PHY_ADDR << E1000_MDIC_PHY_SHIFT |
		       E1000_PHY_REG_ID1 << E1000_MDIC_REG_SHIFT;
	uint32_t v;

	wr(fk, E1000_MDIC, cmd);
	v = rd(fk, E1000_MDIC);
	assert_true(v & E1000_MDIC_READY);
	assert_int_equal(v & E1000_MDIC_DATA_MASK, 0x0141);
	assert_int_equal(rd(fk, E1000_ICR) & E1000_ICR_MDAC, 0);
	wr(fk, E1000_IMS, E1000_ICR_MDAC);
	wr(fk, E1000_MDIC, cmd | E1000_MDIC_INT_EN);
	assert_true(fk->irq);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_MDAC);
}

static void test_phy_power_down_link(void **state)
{
	struct fake *fk = *state;
	uint32_t wr_ctrl = E1000_MDIC_OP_WRITE | E1000_PHY_ADDR << E1000_MDIC_PHY_SHIFT |
			   E1000_PHY_REG_CTRL << E1000_MDIC_REG_SHIFT;

	wr(fk, E1000_IMS, E1000_ICR_LSC);
	wr(fk, E1000_RCTL, E1000_RCTL_EN);
	assert_true(e1000_rx_accepts(&fk->dev, mac));
	wr(fk, E1000_MDIC, wr_ctrl | 0x1140 | E1000_PHY_CTRL_POWER_DOWN);
	assert_false(rd(fk, E1000_STATUS) & E1000_STATUS_LU);
	assert_false(e1000_rx_accepts(&fk->dev, mac));	/* no link, nothing received */
	assert_true(fk->irq);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_LSC);
	wr(fk, E1000_MDIC, wr_ctrl | 0x1140);
	assert_true(rd(fk, E1000_STATUS) & E1000_STATUS_LU);
	assert_true(e1000_rx_accepts(&fk->dev, mac));
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_LSC);
}

/* ---------------------------------------------------------- kicks */

static void test_kicks(void **state)
{
	struct fake *fk = *state;

	wr(fk, E1000_TDT, 1);
	assert_int_equal(fk->tx_kicks, 1);
	wr(fk, E1000_TCTL, E1000_TCTL_EN);
	assert_int_equal(fk->tx_kicks, 2);
	wr(fk, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);	/* no new rising edge */
	assert_int_equal(fk->tx_kicks, 2);
	wr(fk, E1000_RDT, 1);
	assert_int_equal(fk->rx_kicks, 1);
	wr(fk, E1000_RCTL, E1000_RCTL_EN);
	assert_int_equal(fk->rx_kicks, 2);
	wr(fk, E1000_RDH, 0);
	assert_int_equal(fk->rx_kicks, 2);
}

/* ---------------------------------------------------------- TX */

static void test_tx_three_descriptors(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	make_frame(fk, TX_BUF, bcast, 600);
	txd_legacy(fk, 0, TX_BUF, 100, E1000_TXD_CMD_IFCS, 0, 0, 0);
	txd_legacy(fk, 1, TX_BUF + 100, 200, E1000_TXD_CMD_IFCS, 0, 0, 0);
	txd_legacy(fk, 2, TX_BUF + 300, 300,
		   E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_IMS, E1000_ICR_TXDW);
	wr(fk, E1000_TDT, 3);

	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_int_equal(f.nseg, 3);
	assert_int_equal(f.len, 600);
	assert_int_equal(f.ndesc, 3);
	assert_false(f.bounced);
	assert_ptr_equal(f.seg[0].data, fk->ram + TX_BUF);
	assert_int_equal(f.seg[0].len, 100);
	assert_ptr_equal(f.seg[1].data, fk->ram + TX_BUF + 100);
	assert_ptr_equal(f.seg[2].data, fk->ram + TX_BUF + 300);
	assert_int_equal(f.seg[2].len, 300);
	/* Nothing written back before completion. */
	assert_int_equal(rd(fk, E1000_TDH), 0);
	assert_int_equal(txd(fk, 2)[12], 0);
	assert_false(fk->irq);

	e1000_tx_complete(d, &f);
	assert_int_equal(rd(fk, E1000_TDH), 3);
	assert_int_equal(txd(fk, 0)[12], 0);	/* no RS */
	assert_int_equal(txd(fk, 1)[12], 0);
	assert_int_equal(txd(fk, 2)[12], E1000_TXD_STAT_DD);
	assert_true(fk->irq);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_TXDW | E1000_ICR_TXQE);
	assert_int_equal(rd(fk, E1000_GPTC), 1);
	assert_int_equal(rd(fk, E1000_TPT), 1);
	assert_int_equal(rd(fk, E1000_BPTC), 1);
	assert_int_equal(rd(fk, E1000_PTC1023), 1);
	assert_int_equal(rd(fk, E1000_GOTCL), 604);
	assert_int_equal(rd(fk, E1000_GOTCH), 0);
	assert_int_equal(rd(fk, E1000_TOTL), 604);
	assert_int_equal(rd(fk, E1000_TOTH), 0);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	e1000_tx_complete(d, &f);	/* nothing pending: no-op */
	assert_int_equal(rd(fk, E1000_TDH), 3);
	assert_int_equal(total_errors(fk), 0);
}

static void test_tx_disabled_and_incomplete(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	make_frame(fk, TX_BUF, bcast, 200);
	txd_legacy(fk, 0, TX_BUF, 100, 0, 0, 0, 0);
	txd_legacy(fk, 1, TX_BUF + 100, 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 1);
	assert_int_equal(e1000_tx_peek(d, &f), 0);	/* EOP not handed over yet */
	assert_int_equal(rd(fk, E1000_TDH), 0);
	wr(fk, E1000_TCTL, 0);
	wr(fk, E1000_TDT, 2);
	assert_int_equal(e1000_tx_peek(d, &f), 0);	/* TCTL.EN clear */
	wr(fk, E1000_TCTL, E1000_TCTL_EN);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_int_equal(f.len, 200);
	assert_int_equal(total_errors(fk), 0);
}

static void test_tx_wraps_around(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	wr(fk, E1000_TDH, 7);
	make_frame(fk, TX_BUF, bcast, 300);
	txd_legacy(fk, 7, TX_BUF, 150, E1000_TXD_CMD_RS, 0, 0, 0);
	txd_legacy(fk, 0, TX_BUF + 150, 150, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 1);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_int_equal(f.len, 300);
	e1000_tx_complete(d, &f);
	assert_int_equal(rd(fk, E1000_TDH), 1);
	assert_int_equal(txd(fk, 7)[12], E1000_TXD_STAT_DD);
	assert_int_equal(txd(fk, 0)[12], E1000_TXD_STAT_DD);
}

static void test_tx_context_consumed(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	txd_ctx(fk, 0, 14, 24, 33, 34, 50, 0, E1000_TXD_CMD_TCP | E1000_TXD_CMD_IP | E1000_TXD_CMD_RS);
	wr(fk, E1000_TDT, 1);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(rd(fk, E1000_TDH), 1);
	assert_int_equal(txd(fk, 0)[12], E1000_TXD_STAT_DD);
	assert_true(d->tx_ctx.valid);
	assert_int_equal(d->tx_ctx.tucso, 50);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_TXDW | E1000_ICR_TXQE);
	assert_int_equal(total_errors(fk), 0);
}

/* An IPv4/TCP frame with 120 bytes of payload, checksum fields as Linux leaves them. */
static uint32_t build_tcp_frame(uint8_t *p)
{
	const uint32_t payload = 120, tcp_len = 20 + payload, ip_len = 20 + tcp_len;
	static const uint8_t src_ip[4] = { 10, 0, 0, 1 }, dst_ip[4] = { 10, 0, 0, 2 };
	uint8_t pseudo[12];
	uint16_t seed;

	memcpy(p, mac, 6);
	memcpy(p + 6, "\x52\x54\x00\xaa\xbb\xcc", 6);
	p[12] = 0x08;
	p[13] = 0x00;
	p[14] = 0x45;			/* IPv4, IHL 5 */
	p[15] = 0;
	p[16] = (uint8_t)(ip_len >> 8);
	p[17] = (uint8_t)ip_len;
	p[18] = 0x12; p[19] = 0x34;	/* id */
	p[20] = 0x40; p[21] = 0;	/* DF */
	p[22] = 64;			/* TTL */
	p[23] = 6;			/* TCP */
	p[24] = p[25] = 0;		/* header checksum: zero */
	memcpy(p + 26, src_ip, 4);
	memcpy(p + 30, dst_ip, 4);
	p[34] = 0x30; p[35] = 0x39;	/* ports */
	p[36] = 0x00; p[37] = 0x50;
	memset(p + 38, 0x11, 8);	/* seq, ack */
	p[46] = 0x50;			/* data offset 5 */
	p[47] = 0x18;			/* PSH|ACK */
	p[48] = 0xff; p[49] = 0xff;	/* window */
	p[52] = p[53] = 0;		/* urgent */
	for (uint32_t i = 0; i < payload; i++)
		p[54 + i] = (uint8_t)(i * 13 + 1);
	/* Checksum field pre-seeded with the pseudo-header sum (not complemented). */
	memcpy(pseudo, src_ip, 4);
	memcpy(pseudo + 4, dst_ip, 4);
	pseudo[8] = 0;
	pseudo[9] = 6;
	pseudo[10] = (uint8_t)(tcp_len >> 8);
	pseudo[11] = (uint8_t)tcp_len;
	seed = ref_sum(pseudo, sizeof(pseudo), 0);
	p[50] = (uint8_t)(seed >> 8);
	p[51] = (uint8_t)seed;
	return 14 + ip_len;
}

static void assert_tcp_checksums_ok(const uint8_t *p, uint32_t len)
{
	uint8_t pseudo[12];
	uint32_t tcp_len = len - 34;

	assert_int_equal(ref_sum(p + 14, 20, 0), 0xffff);	/* IP header */
	memcpy(pseudo, p + 26, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	pseudo[10] = (uint8_t)(tcp_len >> 8);
	pseudo[11] = (uint8_t)tcp_len;
	assert_int_equal(ref_sum(p + 34, tcp_len, ref_sum(pseudo, sizeof(pseudo), 0)), 0xffff);
}

static void test_tx_checksum_offload(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;
	uint8_t orig[256];
	uint32_t len = build_tcp_frame(fk->ram + TX_BUF);

	memcpy(orig, fk->ram + TX_BUF, len);
	tx_setup(fk, 8);
	/* As Linux's e1000_tx_csum: one context, then the data descriptors. */
	txd_ctx(fk, 0, 14, 24, 14 + 20 - 1, 34, 50, 0, E1000_TXD_CMD_TCP | E1000_TXD_CMD_IP);
	txd_data(fk, 1, TX_BUF, 40, E1000_TXD_CMD_IFCS, E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM);
	txd_data(fk, 2, TX_BUF + 40, len - 40, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS |
		 E1000_TXD_CMD_RS, E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM);
	wr(fk, E1000_TDT, 3);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_true(f.bounced);
	assert_int_equal(f.nseg, 1);
	assert_int_equal(f.len, len);
	assert_int_equal(f.ndesc, 2);
	assert_ptr_equal(f.seg[0].data, fk->bounce);
	assert_tcp_checksums_ok(f.seg[0].data, f.len);
	/* Only the checksum fields differ from what the guest wrote. */
	assert_memory_equal(f.seg[0].data, orig, 24);
	assert_memory_equal(f.seg[0].data + 26, orig + 26, 24);
	assert_memory_equal(f.seg[0].data + 52, orig + 52, len - 52);
	assert_memory_equal(fk->ram + TX_BUF, orig, len);	/* guest memory untouched */
	e1000_tx_complete(d, &f);
	assert_int_equal(rd(fk, E1000_TDH), 3);
	assert_int_equal(txd(fk, 2)[12], E1000_TXD_STAT_DD);
	assert_int_equal(total_errors(fk), 0);
}

static void test_tx_udp_zero_checksum(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;
	uint8_t *p = fk->ram + TX_BUF;

	/* Bytes 14..19 sum to 0xffff: the folded checksum would be 0. */
	make_frame(fk, TX_BUF, bcast, 20);
	p[14] = 0xff; p[15] = 0x00; p[16] = 0x00; p[17] = 0xff; p[18] = 0; p[19] = 0;
	tx_setup(fk, 8);
	txd_ctx(fk, 0, 0, 0, 0, 14, 18, 0, 0);	/* UDP */
	txd_data(fk, 1, TX_BUF, 20, E1000_TXD_CMD_EOP, E1000_TXD_POPTS_TXSM);
	wr(fk, E1000_TDT, 2);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_int_equal(f.seg[0].data[18], 0xff);
	assert_int_equal(f.seg[0].data[19], 0xff);
}

static void test_tx_legacy_checksum(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;
	uint32_t len = build_tcp_frame(fk->ram + TX_BUF);

	/* Legacy IC: TCP checksum only, CSO/CSS in the first descriptor. */
	fk->ram[TX_BUF + 24] = 0;
	tx_setup(fk, 8);
	txd_legacy(fk, 0, TX_BUF, 60, E1000_TXD_CMD_IC, 50, 34, 0);
	txd_legacy(fk, 1, TX_BUF + 60, (uint16_t)(len - 60), E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS,
		   0, 0, 0);
	wr(fk, E1000_TDT, 2);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_true(f.bounced);
	uint8_t tmp[256];

	memcpy(tmp, f.seg[0].data, f.len);
	/* Fill in the IP header checksum the way the stack would, then verify both. */
	uint16_t ipc = (uint16_t)~ref_sum(tmp + 14, 20, 0);

	tmp[24] = (uint8_t)(ipc >> 8);
	tmp[25] = (uint8_t)ipc;
	assert_tcp_checksums_ok(tmp, f.len);
}

static void test_tx_vlan_insert(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;
	const uint8_t *b;

	wr(fk, E1000_CTRL, rd(fk, E1000_CTRL) | E1000_CTRL_VME);
	tx_setup(fk, 8);
	make_frame(fk, TX_BUF, bcast, 64);
	txd_legacy(fk, 0, TX_BUF, 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_VLE | E1000_TXD_CMD_RS,
		   0, 0, 0x2123);
	wr(fk, E1000_TDT, 1);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_true(f.bounced);
	assert_int_equal(f.len, 68);
	b = f.seg[0].data;
	assert_memory_equal(b, fk->ram + TX_BUF, 12);
	assert_int_equal(b[12], 0x81);
	assert_int_equal(b[13], 0x00);
	assert_int_equal(b[14], 0x21);
	assert_int_equal(b[15], 0x23);
	assert_memory_equal(b + 16, fk->ram + TX_BUF + 12, 52);
	e1000_tx_complete(d, &f);
	assert_int_equal(rd(fk, E1000_GOTCL), 72);
	/* Without CTRL.VME the tag is not inserted. */
	wr(fk, E1000_CTRL, rd(fk, E1000_CTRL) & ~E1000_CTRL_VME);
	txd_legacy(fk, 1, TX_BUF, 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_VLE, 0, 0, 0x2123);
	wr(fk, E1000_TDT, 2);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_false(f.bounced);
	assert_int_equal(f.len, 64);
}

static void test_tx_pad_short(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;
	static const uint8_t zeros[18];

	tx_setup(fk, 8);	/* with TCTL.PSP */
	make_frame(fk, TX_BUF, bcast, 42);
	memset(fk->ram + TX_BUF + 42, 0xee, 32);
	txd_legacy(fk, 0, TX_BUF, 42, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 1);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_true(f.bounced);
	assert_int_equal(f.len, 60);
	assert_int_equal(f.ndesc, 1);
	assert_memory_equal(f.seg[0].data, fk->ram + TX_BUF, 42);
	assert_memory_equal(f.seg[0].data + 42, zeros, 18);
	e1000_tx_complete(d, &f);
	assert_int_equal(rd(fk, E1000_PTC64), 1);
	assert_int_equal(rd(fk, E1000_GOTCL), 64);
	/* Without PSP the frame goes out as it is. */
	wr(fk, E1000_TCTL, E1000_TCTL_EN);
	txd_legacy(fk, 1, TX_BUF, 42, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 2);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_false(f.bounced);
	assert_int_equal(f.len, 42);
}

static void test_tx_pending_invalidated(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	make_frame(fk, TX_BUF, bcast, 100);
	txd_legacy(fk, 0, TX_BUF, 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 1);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	wr(fk, E1000_TDH, 0);	/* the guest rewrites the ring under the frame */
	e1000_tx_complete(d, &f);
	assert_int_equal(txd(fk, 0)[12], 0);
	assert_int_equal(rd(fk, E1000_GPTC), 0);
	/* Peeking again yields it again. */
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	e1000_tx_complete(d, &f);
	assert_int_equal(rd(fk, E1000_TDH), 1);
	/* A reset forgets it too. */
	txd_legacy(fk, 1, TX_BUF, 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 2);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	wr(fk, E1000_CTRL, E1000_CTRL_RST);
	e1000_tx_complete(d, &f);
	assert_int_equal(txd(fk, 1)[12], 0);
}

/* A descriptor rewritten by the guest after the model read it changes nothing. */
static void test_tx_descriptor_rewritten(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;
	uint8_t evil[16] = { 0 };

	tx_setup(fk, 8);
	make_frame(fk, TX_BUF, bcast, 150);
	txd_legacy(fk, 0, TX_BUF, 100, 0, 0, 0, 0);
	txd_legacy(fk, 1, TX_BUF + 100, 50, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 2);
	/* Call 1 maps the ring; at call 2 (descriptor 0's buffer) descriptor 0
	 * becomes a 4000-byte EOP descriptor elsewhere. */
	put_le64(evil, TX_BUF + 0x10000);
	put_le16(evil + 8, 4000);
	evil[11] = E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS;
	memcpy(fk->mutate_bytes, evil, 16);
	fk->mutate_gpa = TX_RING;
	fk->dma_calls = 0;
	fk->mutate_at = 2;
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_int_equal(fk->ram[TX_RING + 11], E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS);	/* it happened */
	assert_int_equal(f.nseg, 2);
	assert_int_equal(f.len, 150);
	assert_ptr_equal(f.seg[0].data, fk->ram + TX_BUF);
	assert_int_equal(f.seg[0].len, 100);
	assert_int_equal(f.ndesc, 2);
	e1000_tx_complete(d, &f);
	assert_int_equal(rd(fk, E1000_TDH), 2);
	assert_int_equal(total_errors(fk), 0);
}

/* ---------------------------------------------------------- TX errors */

static void test_err_tdlen_zero(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	wr(fk, E1000_TDLEN, 0);
	wr(fk, E1000_TDT, 1);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_RING_LEN], 1);	/* once per kick */
	assert_int_equal(d->errors[E1000_ERR_RING_LEN], 1);
	wr(fk, E1000_TDT, 1);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_RING_LEN], 2);
	wr(fk, E1000_TDLEN, 16 * 8);
	wr(fk, E1000_TDT, 0);
	assert_ring_usable(fk);
	assert_int_equal(total_errors(fk), 2);
}

static void test_err_tdlen_100(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	wr(fk, E1000_TDLEN, 100);
	wr(fk, E1000_TDT, 1);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_RING_LEN], 1);
	assert_int_equal(fk->last_detail, 100);
	wr(fk, E1000_TDLEN, 16 * 8);
	wr(fk, E1000_TDT, 0);
	assert_ring_usable(fk);
}

static void test_err_ring_index(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	wr(fk, E1000_TDT, 8);	/* one past the last descriptor */
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_RING_INDEX], 1);
	wr(fk, E1000_TDH, 200);
	wr(fk, E1000_TDT, 0);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_RING_INDEX], 2);
	wr(fk, E1000_TDH, 0);
	wr(fk, E1000_TDT, 0);
	assert_ring_usable(fk);
	/* RX: RDT beyond the ring. */
	rx_setup(fk, 8, 0);
	wr(fk, E1000_RDT, 9);
	assert_int_equal(e1000_rx_free(d), 0);
	uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct e1000_frame rf = one_seg(frame, sizeof(frame));

	/* Refused, not waited for: a broken ring must not stall senders. */
	assert_int_equal(e1000_rx_deliver(d, &rf, NULL), -XT_EFAULT);
	assert_int_equal(e1000_rx_deliver(d, &rf, NULL), -XT_EFAULT);
	assert_int_equal(fk->err[E1000_ERR_RING_INDEX], 3);
}

static void test_err_ring_dma(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	wr(fk, E1000_TDBAL, RAM_SIZE - 64);	/* ring runs off the end of RAM */
	wr(fk, E1000_TDT, 1);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_RING_DMA], 1);
	assert_int_equal(fk->last_detail, RAM_SIZE - 64);
	wr(fk, E1000_TDBAH, 1);			/* 4 GiB up */
	wr(fk, E1000_TDBAL, TX_RING);
	wr(fk, E1000_TDT, 1);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_RING_DMA], 2);
	wr(fk, E1000_TDBAH, 0);
	wr(fk, E1000_TDT, 0);
	assert_ring_usable(fk);
}

static void test_err_buf_dma(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	txd_legacy(fk, 0, OUTSIDE, 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	txd_legacy(fk, 1, RAM_SIZE - 50, 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 2);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_BUF_DMA], 2);
	assert_int_equal(rd(fk, E1000_TDH), 2);
	assert_int_equal(txd(fk, 0)[12], E1000_TXD_STAT_DD);	/* the guest can reclaim them */
	assert_int_equal(txd(fk, 1)[12], E1000_TXD_STAT_DD);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_TXDW | E1000_ICR_TXQE);
	assert_int_equal(rd(fk, E1000_GPTC), 0);
	assert_ring_usable(fk);
}

static void test_err_zero_len(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	make_frame(fk, TX_BUF, bcast, 100);
	txd_legacy(fk, 0, TX_BUF, 100, 0, 0, 0, 0);
	txd_legacy(fk, 1, TX_BUF, 0, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 2);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_ZERO_LEN], 1);
	assert_int_equal(rd(fk, E1000_TDH), 2);
	assert_ring_usable(fk);
	assert_int_equal(total_errors(fk), 1);
}

static void test_err_no_eop(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 128);
	for (unsigned i = 0; i < 100; i++)
		txd_legacy(fk, i, TX_BUF + 16 * i, 16, E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 100);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_NO_EOP], 1);
	assert_int_equal(rd(fk, E1000_TDH), E1000_TX_MAX_SEGS);
	assert_int_equal(txd(fk, 63)[12], E1000_TXD_STAT_DD);
	assert_int_equal(txd(fk, 64)[12], 0);
	/* The other 36 wait for their EOP; the guest gives up on them too. */
	txd_legacy(fk, 100, TX_BUF, 16, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 101);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_int_equal(f.ndesc, 37);
	assert_int_equal(f.len, 37 * 16);
	e1000_tx_complete(d, &f);
	assert_int_equal(rd(fk, E1000_TDH), 101);
	assert_ring_usable(fk);
	assert_int_equal(total_errors(fk), 1);
}

static void test_err_short_frame(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	txd_legacy(fk, 0, TX_BUF, 10, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 1);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_SHORT_FRAME], 1);
	assert_int_equal(fk->last_detail, 10);
	assert_ring_usable(fk);
}

static void test_err_long_frame(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	make_frame(fk, TX_BUF, bcast, 1600);
	txd_legacy(fk, 0, TX_BUF, 1000, 0, 0, 0, 0);
	txd_legacy(fk, 1, TX_BUF + 1000, 600, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 2);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_LONG_FRAME], 1);
	assert_int_equal(rd(fk, E1000_TDH), 2);
	assert_ring_usable(fk);
	/* The boundary: 1518 bytes (1522 with the FCS) go, 1519 do not. */
	txd_legacy(fk, 3, TX_BUF, 1519, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	txd_legacy(fk, 4, TX_BUF, 1518, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 5);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_int_equal(f.len, 1518);
	assert_int_equal(fk->err[E1000_ERR_LONG_FRAME], 2);
	e1000_tx_complete(d, &f);
	/* With RCTL.LPE the 1600-byte frame goes. */
	wr(fk, E1000_RCTL, E1000_RCTL_LPE);
	txd_legacy(fk, 5, TX_BUF, 1000, 0, 0, 0, 0);
	txd_legacy(fk, 6, TX_BUF + 1000, 600, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 7);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_int_equal(f.len, 1600);
	/* Beyond the jumbo maximum, never. */
	e1000_tx_complete(d, &f);
	txd_data(fk, 7, TX_BUF, E1000_MAX_FRAME_JUMBO - 3, E1000_TXD_CMD_EOP, 0);
	wr(fk, E1000_TDT, 0);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_LONG_FRAME], 3);
}

/* TSE with a context that has no segmentation parameters (HDRLEN, MSS and
 * PAYLEN 0): dropped as BAD_TSO, completed, counted in TSCTFC. The TSO
 * cases proper are in test_e1000_tso.c. */
static void test_err_tse(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;
	uint32_t len = build_tcp_frame(fk->ram + TX_BUF);

	tx_setup(fk, 8);
	txd_ctx(fk, 0, 14, 24, 33, 34, 50, 0,
		E1000_TXD_CMD_TCP | E1000_TXD_CMD_IP | E1000_TXD_CMD_TSE);
	txd_data(fk, 1, TX_BUF, len, E1000_TXD_CMD_EOP | E1000_TXD_CMD_TSE | E1000_TXD_CMD_RS,
		 E1000_TXD_POPTS_TXSM);
	wr(fk, E1000_TDT, 2);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_BAD_TSO], 1);
	assert_int_equal(total_errors(fk), 1);
	assert_int_equal(rd(fk, E1000_TDH), 2);
	assert_int_equal(txd(fk, 1)[12], E1000_TXD_STAT_DD);
	assert_int_equal(rd(fk, E1000_TSCTFC), 1);
	assert_ring_usable(fk);
}

static void test_err_reserved_dtyp(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	make_frame(fk, TX_BUF, bcast, 100);
	txd_data(fk, 0, TX_BUF, 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0);
	txd(fk, 0)[10] = (uint8_t)(0xf << 4);	/* DTYP 15 */
	/* Legacy and data descriptors mixed in one frame. */
	txd_legacy(fk, 1, TX_BUF, 50, 0, 0, 0, 0);
	txd_data(fk, 2, TX_BUF + 50, 50, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0);
	wr(fk, E1000_TDT, 3);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_BAD_DESC], 2);
	assert_int_equal(rd(fk, E1000_TDH), 3);
	assert_ring_usable(fk);
}

static void test_err_bad_offload(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;

	tx_setup(fk, 8);
	make_frame(fk, TX_BUF, bcast, 100);
	/* No context descriptor seen yet. */
	txd_data(fk, 0, TX_BUF, 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, E1000_TXD_POPTS_TXSM);
	/* TUCSO beyond the frame. */
	txd_ctx(fk, 1, 14, 24, 0, 34, 200, 0, E1000_TXD_CMD_TCP);
	txd_data(fk, 2, TX_BUF, 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, E1000_TXD_POPTS_TXSM);
	/* TUCSE before TUCSS. */
	txd_ctx(fk, 3, 14, 24, 0, 34, 50, 20, E1000_TXD_CMD_TCP);
	txd_data(fk, 4, TX_BUF, 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, E1000_TXD_POPTS_TXSM);
	/* Legacy CSO beyond the frame. */
	txd_legacy(fk, 5, TX_BUF, 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IC, 99, 14, 0);
	wr(fk, E1000_TDT, 6);
	assert_int_equal(e1000_tx_peek(d, &f), 0);
	assert_int_equal(fk->err[E1000_ERR_BAD_OFFLOAD], 4);
	assert_int_equal(rd(fk, E1000_TDH), 6);
	assert_ring_usable(fk);
	assert_int_equal(total_errors(fk), 4);
}

/* ---------------------------------------------------------- RX */

static void check_rx_frame(struct fake *fk, uint32_t len, bool lpe)
{
	struct e1000 *d = &fk->dev;
	static uint8_t frame[9000];
	struct e1000_frame f;
	uint64_t copied = 0;
	uint32_t out = len + 4;	/* the FCS stays in the buffer (RCTL.SECRC clear) */
	unsigned ndesc = (out + RX_BUF_SIZE - 1) / RX_BUF_SIZE;
	static const uint8_t zero_fcs[4];

	rx_setup(fk, 32, lpe ? E1000_RCTL_LPE : 0);
	wr(fk, E1000_IMS, E1000_ICR_RXT0);
	memcpy(frame, mac, 6);
	memcpy(frame + 6, "\x52\x54\x00\xaa\xbb\xcc", 6);
	for (uint32_t i = 12; i < len; i++)
		frame[i] = (uint8_t)(i * 31 + 7);
	/* Two segments, split at an odd place. */
	memset(&f, 0, sizeof(f));
	f.nseg = 2;
	f.seg[0].data = frame;
	f.seg[0].len = 37;
	f.seg[1].data = frame + 37;
	f.seg[1].len = len - 37;
	f.len = len;
	assert_true(e1000_rx_accepts(d, frame));
	assert_int_equal(e1000_rx_deliver(d, &f, &copied), 0);
	assert_int_equal(copied, len);
	assert_int_equal(rd(fk, E1000_RDH), ndesc);
	for (unsigned i = 0; i < ndesc; i++) {
		uint8_t *desc = rxd(fk, i);
		uint32_t chunk = i + 1 < ndesc ? RX_BUF_SIZE : out - i * RX_BUF_SIZE;
		uint8_t status = E1000_RXD_STAT_DD | E1000_RXD_STAT_IXSM;

		if (i + 1 == ndesc)
			status |= E1000_RXD_STAT_EOP;
		assert_int_equal(get_le16(desc + 8), chunk);
		assert_int_equal(desc[12], status);
		assert_int_equal(desc[13], 0);
	}
	assert_memory_equal(fk->ram + RX_BUF, frame, len);	/* buffers are contiguous here */
	assert_memory_equal(fk->ram + RX_BUF + len, zero_fcs, 4);
	assert_int_equal(rxd(fk, ndesc)[12], 0);
	assert_true(fk->irq);
	assert_true(rd(fk, E1000_ICR) & E1000_ICR_RXT0);
	assert_int_equal(rd(fk, E1000_GPRC), 1);
	assert_int_equal(rd(fk, E1000_TPR), 1);
	assert_int_equal(rd(fk, E1000_GORCL), len + 4);
	assert_int_equal(rd(fk, E1000_TORL), len + 4);
	assert_int_equal(total_errors(fk), 0);
}

static void test_rx_60(void **state)
{
	struct fake *fk = *state;

	check_rx_frame(fk, 60, false);
	assert_int_equal(rd(fk, E1000_PRC64), 1);
}

/* An RX buffer in a page the guest may only read: the frame is not
 * written there (it would land in the other guest's page), it is counted
 * as a bad buffer, and the page is unchanged. */
static void test_rx_buffer_in_readonly_page(void **state)
{
	struct fake *fk = *state;
	static uint8_t frame[60], before[64];
	struct e1000_frame f = { .nseg = 1, .len = sizeof(frame) };

	rx_setup(fk, 32, 0);
	fk->ro_page = RX_BUF & ~0xfffULL;
	memcpy(frame, mac, 6);
	memcpy(frame + 6, "\x52\x54\x00\xaa\xbb\xcc", 6);
	memcpy(before, fk->ram + RX_BUF, sizeof(before));
	f.seg[0].data = frame;
	f.seg[0].len = sizeof(frame);
	assert_true(e1000_rx_deliver(&fk->dev, &f, NULL) < 0);
	assert_memory_equal(fk->ram + RX_BUF, before, sizeof(before));
	assert_int_equal(fk->err[E1000_ERR_BUF_DMA], 1);
}

static void test_rx_1514(void **state)
{
	struct fake *fk = *state;

	check_rx_frame(fk, 1514, false);
	assert_int_equal(rd(fk, E1000_PRC1522), 1);
}

static void test_rx_9000_lpe(void **state)
{
	struct fake *fk = *state;

	check_rx_frame(fk, 9000, true);
}

static void test_rx_buffer_sizes(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	static uint8_t frame[9000];
	struct e1000_frame f = one_seg(frame, 9000);

	memcpy(frame, bcast, 6);
	/* BSEX with BSIZE 11: 4096-byte buffers. */
	rx_setup(fk, 32, E1000_RCTL_LPE | E1000_RCTL_BSEX | 3u << E1000_RCTL_BSIZE_SHIFT);
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	assert_int_equal(rd(fk, E1000_RDH), 3);
	assert_int_equal(get_le16(rxd(fk, 2) + 8), 9004 - 8192);
	/* BSIZE 11 without BSEX: 256 bytes. */
	rx_setup(fk, 32, 3u << E1000_RCTL_BSIZE_SHIFT);
	f = one_seg(frame, 1000);
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	assert_int_equal(rd(fk, E1000_RDH), 4);
	assert_int_equal(get_le16(rxd(fk, 3) + 8), 1004 - 768);
	/* 1024 bytes in 1024-byte buffers: the FCS alone takes a second one. */
	rx_setup(fk, 32, 1u << E1000_RCTL_BSIZE_SHIFT);
	f = one_seg(frame, 1024);
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	assert_int_equal(rd(fk, E1000_RDH), 2);
	assert_int_equal(get_le16(rxd(fk, 0) + 8), 1024);
	assert_int_equal(rxd(fk, 0)[12], E1000_RXD_STAT_DD | E1000_RXD_STAT_IXSM);
	assert_int_equal(get_le16(rxd(fk, 1) + 8), 4);
	assert_int_equal(rxd(fk, 1)[12], E1000_RXD_STAT_DD | E1000_RXD_STAT_IXSM | E1000_RXD_STAT_EOP);
}

static void test_rx_filter(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	const uint8_t other[6] = { 0x52, 0x54, 0x00, 0x99, 0x99, 0x99 };
	const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	/* MO 00: hash = address bits 47:36 = (0x00 >> 4) | (0xfb << 4) = 0xfb0. */
	const uint32_t hash = 0xfb0;

	assert_false(e1000_rx_accepts(d, mac));		/* RX disabled */
	wr(fk, E1000_RCTL, E1000_RCTL_EN);
	assert_true(e1000_rx_accepts(d, mac));
	assert_false(e1000_rx_accepts(d, other));
	assert_false(e1000_rx_accepts(d, bcast));
	assert_false(e1000_rx_accepts(d, mcast));
	wr(fk, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM);
	assert_true(e1000_rx_accepts(d, bcast));
	wr(fk, E1000_MTA + 4 * (hash >> 5), 1u << (hash & 31));
	assert_true(e1000_rx_accepts(d, mcast));
	wr(fk, E1000_RCTL, E1000_RCTL_EN | 1u << E1000_RCTL_MO_SHIFT);	/* other bits: miss */
	assert_false(e1000_rx_accepts(d, mcast));
	wr(fk, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_MPE);
	assert_true(e1000_rx_accepts(d, mcast));
	assert_true(e1000_rx_accepts(d, bcast));
	assert_false(e1000_rx_accepts(d, other));
	wr(fk, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_UPE);
	wr(fk, E1000_MTA + 4 * (hash >> 5), 0);
	assert_true(e1000_rx_accepts(d, other));
	assert_false(e1000_rx_accepts(d, mcast));
	/* A second exact address in RAL/RAH 1; AV clear or AS = source: ignored. */
	wr(fk, E1000_RCTL, E1000_RCTL_EN);
	wr(fk, E1000_RAL(1), 0x99005452);
	wr(fk, E1000_RAH(1), 0x9999);
	assert_false(e1000_rx_accepts(d, other));
	wr(fk, E1000_RAH(1), 0x9999 | E1000_RAH_AV | 1u << E1000_RAH_AS_SHIFT);
	assert_false(e1000_rx_accepts(d, other));
	wr(fk, E1000_RAH(1), 0x9999 | E1000_RAH_AV);
	assert_true(e1000_rx_accepts(d, other));
}

static void test_rx_mta_offsets(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	const uint8_t m[6] = { 0x01, 0x00, 0x5e, 0x12, 0xab, 0xcd };
	/* Linux e1000_hash_mc_addr for filter types 0..3. */
	const uint32_t hashes[4] = {
		(0xab >> 4 | 0xcd << 4) & 0xfff, (0xab >> 3 | 0xcd << 5) & 0xfff,
		(0xab >> 2 | 0xcd << 6) & 0xfff, (0xab | 0xcd << 8) & 0xfff,
	};

	for (unsigned mo = 0; mo < 4; mo++) {
		for (unsigned i = 0; i < E1000_MTA_SIZE; i++)
			wr(fk, E1000_MTA + 4 * i, 0);
		wr(fk, E1000_RCTL, E1000_RCTL_EN | mo << E1000_RCTL_MO_SHIFT);
		assert_false(e1000_rx_accepts(d, m));
		wr(fk, E1000_MTA + 4 * (hashes[mo] >> 5), 1u << (hashes[mo] & 31));
		assert_true(e1000_rx_accepts(d, m));
	}
}

static void test_rx_backpressure(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	static uint8_t frame[3000], before[RX_BUF_SIZE * 8];
	struct e1000_frame f = one_seg(frame, sizeof(frame));
	uint8_t ring_before[16 * 8];

	memcpy(frame, bcast, 6);
	assert_int_equal(e1000_rx_free(d), 0);		/* RX disabled */
	rx_setup(fk, 8, E1000_RCTL_LPE);
	assert_int_equal(e1000_rx_free(d), 7);
	wr(fk, E1000_RDT, 1);				/* one descriptor owned by hardware */
	assert_int_equal(e1000_rx_free(d), 1);
	memcpy(before, fk->ram + RX_BUF, sizeof(before));
	memcpy(ring_before, rxd(fk, 0), sizeof(ring_before));
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), -XT_EAGAIN);	/* needs 2 */
	assert_memory_equal(fk->ram + RX_BUF, before, sizeof(before));
	assert_memory_equal(rxd(fk, 0), ring_before, sizeof(ring_before));
	assert_int_equal(rd(fk, E1000_RDH), 0);
	assert_int_equal(rd(fk, E1000_ICR), 0);
	wr(fk, E1000_RDT, 2);
	assert_int_equal(e1000_rx_free(d), 2);
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	assert_int_equal(e1000_rx_free(d), 0);
	assert_int_equal(rd(fk, E1000_RDH), 2);
	/* A ring that can never hold the frame: dropped rather than waited for. */
	wr(fk, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_LPE | 3u << E1000_RCTL_BSIZE_SHIFT);	/* 256 */
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), -XT_E2BIG);
	assert_int_equal(rd(fk, E1000_RNBC), 1);
	assert_int_equal(total_errors(fk), 0);
}

static void test_rx_rdmts(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct e1000_frame f = one_seg(frame, sizeof(frame));

	rx_setup(fk, 16, 0);	/* RDMTS 1/2: threshold 8 free */
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_RXT0);	/* 9 free */
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_RXT0 | E1000_ICR_RXDMT0);
	assert_int_equal(rd(fk, E1000_BPRC), 7);
}

static void test_rx_missed(void **state)
{
	struct fake *fk = *state;

	wr(fk, E1000_IMS, E1000_ICR_RXO);
	e1000_rx_missed(&fk->dev);
	e1000_rx_missed(&fk->dev);
	assert_true(fk->irq);
	assert_int_equal(rd(fk, E1000_ICR), E1000_ICR_RXO);
	assert_int_equal(rd(fk, E1000_MPC), 2);
	assert_int_equal(rd(fk, E1000_MPC), 0);
}

static void test_rx_too_long(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	static uint8_t frame[1600];
	struct e1000_frame f = one_seg(frame, sizeof(frame));

	memcpy(frame, bcast, 6);
	rx_setup(fk, 8, 0);
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), -XT_E2BIG);
	assert_int_equal(rd(fk, E1000_ROC), 1);
	assert_int_equal(rd(fk, E1000_RDH), 0);
	assert_int_equal(rxd(fk, 0)[12], 0);
	/* 1522 bytes on the wire with the FCS: 1518 is the longest without LPE. */
	f = one_seg(frame, 1519);
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), -XT_E2BIG);
	assert_int_equal(rd(fk, E1000_ROC), 1);
	f = one_seg(frame, 1518);
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	assert_int_equal(get_le16(rxd(fk, 0) + 8), 1522);
}

static void test_rx_vlan_strip(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	uint8_t frame[100] = { 0 };
	struct e1000_frame f = one_seg(frame, sizeof(frame));
	uint64_t copied = 0;

	for (unsigned i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	memcpy(frame, mac, 6);
	frame[12] = 0x81;
	frame[13] = 0x00;
	frame[14] = 0x30;
	frame[15] = 0x07;
	rx_setup(fk, 8, 0);
	wr(fk, E1000_CTRL, rd(fk, E1000_CTRL) | E1000_CTRL_VME);
	assert_int_equal(e1000_rx_deliver(d, &f, &copied), 0);
	assert_int_equal(copied, 96);
	assert_int_equal(get_le16(rxd(fk, 0) + 8), 100);	/* with the FCS */
	assert_int_equal(rxd(fk, 0)[12], E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP |
			 E1000_RXD_STAT_IXSM | E1000_RXD_STAT_VP);
	assert_int_equal(get_le16(rxd(fk, 0) + 14), 0x3007);
	assert_memory_equal(fk->ram + RX_BUF, frame, 12);
	assert_memory_equal(fk->ram + RX_BUF + 12, frame + 16, 84);
	/* Without VME the tag stays in the frame. */
	wr(fk, E1000_CTRL, rd(fk, E1000_CTRL) & ~E1000_CTRL_VME);
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	assert_int_equal(get_le16(rxd(fk, 1) + 8), 104);
	assert_memory_equal(fk->ram + RX_BUF + RX_BUF_SIZE, frame, 100);
}

static void test_rx_secrc(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3 };
	struct e1000_frame f = one_seg(frame, sizeof(frame));
	uint64_t copied = 0;

	memset(fk->ram + RX_BUF, 0xee, 128);
	rx_setup(fk, 8, E1000_RCTL_SECRC);
	assert_int_equal(e1000_rx_deliver(d, &f, &copied), 0);
	assert_int_equal(copied, 60);
	assert_int_equal(get_le16(rxd(fk, 0) + 8), 60);
	assert_memory_equal(fk->ram + RX_BUF, frame, 60);
	assert_int_equal(fk->ram[RX_BUF + 60], 0xee);	/* nothing after the frame */
	assert_int_equal(rd(fk, E1000_GORCL), 64);	/* octets still count the FCS */
}

static void test_rx_buf_refused(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	static uint8_t frame[3000];
	struct e1000_frame f = one_seg(frame, sizeof(frame));

	memcpy(frame, bcast, 6);
	rx_setup(fk, 8, E1000_RCTL_LPE);
	put_le64(rxd(fk, 1), OUTSIDE);	/* second buffer of the frame */
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), -XT_EFAULT);
	assert_int_equal(fk->err[E1000_ERR_BUF_DMA], 1);
	assert_int_equal(fk->last_detail, OUTSIDE);
	assert_int_equal(rd(fk, E1000_RDH), 2);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(rxd(fk, i)[12], E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP);
		assert_int_equal(rxd(fk, i)[13], E1000_RXD_ERR_RXE);
		assert_int_equal(get_le16(rxd(fk, i) + 8), 0);
	}
	assert_int_equal(rd(fk, E1000_GPRC), 0);
	/* The ring goes on. */
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	assert_int_equal(rd(fk, E1000_RDH), 4);
	/* A ring outside RAM: -XT_EFAULT, reported once per kick. */
	wr(fk, E1000_RDBAL, RAM_SIZE - 16);
	wr(fk, E1000_RDT, 7);
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), -XT_EFAULT);
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), -XT_EFAULT);
	assert_int_equal(fk->err[E1000_ERR_RING_DMA], 1);
	/* Bad RDLEN. */
	wr(fk, E1000_RDBAL, RX_RING);
	wr(fk, E1000_RDLEN, 100);
	wr(fk, E1000_RDT, 7);
	assert_int_equal(e1000_rx_free(d), 0);
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), -XT_EFAULT);
	assert_int_equal(fk->err[E1000_ERR_RING_LEN], 1);
}

static void test_rx_descriptor_rewritten(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	uint8_t frame[200] = { 0 };
	struct e1000_frame f = one_seg(frame, sizeof(frame));
	uint8_t evil[16] = { 0 };

	for (unsigned i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(0xa0 + i);
	memcpy(frame, bcast, 6);
	rx_setup(fk, 8, 0);
	/* Call 1 maps the ring; at call 2 (the buffer) descriptor 0 points elsewhere. */
	put_le64(evil, RX_BUF + 0x40000);
	memcpy(fk->mutate_bytes, evil, 16);
	fk->mutate_gpa = RX_RING;
	fk->dma_calls = 0;
	fk->mutate_at = 2;
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	assert_memory_equal(fk->ram + RX_BUF, frame, sizeof(frame));
	assert_int_equal(fk->ram[RX_BUF + 0x40000], 0);
}

static void test_rx_bad_frame_struct(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	uint8_t frame[60] = { 0 };
	struct e1000_frame f = one_seg(frame, sizeof(frame));

	rx_setup(fk, 8, 0);
	f.len = 61;
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), -XT_EINVAL);
	f.len = 60;
	f.nseg = E1000_TX_MAX_SEGS + 1;
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), -XT_EINVAL);
	f = one_seg(NULL, 60);
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), -XT_EINVAL);
	f = one_seg(fk->ram, E1000_MAX_FRAME_JUMBO + 1);	/* no Ethernet frame is that long */
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), -XT_EINVAL);
	assert_int_equal(rd(fk, E1000_RDH), 0);
}

/* ---------------------------------------------------------- TX to RX, statistics */

static void test_tx_to_rx(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	struct e1000_frame f;
	uint64_t copied = 0;

	/* Loop a frame from the TX ring into the RX ring of the same NIC. */
	tx_setup(fk, 8);
	rx_setup(fk, 8, 0);
	make_frame(fk, TX_BUF, mac, 300);
	txd_legacy(fk, 0, TX_BUF, 100, 0, 0, 0, 0);
	txd_legacy(fk, 1, TX_BUF + 100, 200, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0, 0);
	wr(fk, E1000_TDT, 2);
	assert_int_equal(e1000_tx_peek(d, &f), 1);
	assert_true(e1000_rx_accepts(d, f.seg[0].data));
	assert_int_equal(e1000_rx_deliver(d, &f, &copied), 0);
	e1000_tx_complete(d, &f);
	assert_int_equal(copied, 300);
	assert_memory_equal(fk->ram + RX_BUF, fk->ram + TX_BUF, 300);
}

static void test_stats_read_to_clear(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	uint8_t frame[100] = { 0 };
	struct e1000_frame f = one_seg(frame, sizeof(frame));

	memcpy(frame, mac, 6);
	rx_setup(fk, 8, 0);
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	assert_int_equal(rd(fk, E1000_GPRC), 2);
	assert_int_equal(rd(fk, E1000_GPRC), 0);
	assert_int_equal(rd(fk, E1000_PRC127), 2);
	/* 64-bit pairs: the low half alone does not clear; the high half clears both. */
	assert_int_equal(rd(fk, E1000_GORCL), 208);
	assert_int_equal(rd(fk, E1000_GORCL), 208);
	assert_int_equal(rd(fk, E1000_GORCH), 0);
	assert_int_equal(rd(fk, E1000_GORCL), 0);
	/* Carry into the high half. */
	d->stats[(E1000_TORL - E1000_STATS_BASE) / 4] = 0xffffffc0;
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	assert_int_equal(rd(fk, E1000_TORL), 0x28);	/* 0xffffffc0 + 104 */
	assert_int_equal(rd(fk, E1000_TORH), 1);
	assert_int_equal(rd(fk, E1000_TORL), 0);
	/* Unmodelled counters read 0; writes are ignored. */
	wr(fk, E1000_CRCERRS, 5);
	assert_int_equal(rd(fk, E1000_CRCERRS), 0);
	assert_int_equal(rd(fk, E1000_TSCTFC), 0);
	assert_int_equal(d->unknown_reg_accesses, 0);
}

/*
 * Good frames are summed on the data path and folded into the registers
 * when one is read: the registers read as if each frame had been counted
 * on its own (32-bit counters stick at all ones, 64-bit pairs carry), for
 * every counter a frame touches, in both directions, and nothing is
 * counted twice.
 */
static void test_stats_folded_on_read(void **state)
{
	struct fake *fk = *state;
	struct e1000 *d = &fk->dev;
	uint8_t frame[1200] = { 0 };
	struct e1000_frame f = one_seg(frame, sizeof(frame));
	struct e1000_stat_sums none = { 0 };

	rx_setup(fk, 8, 0);
	memset(frame, 0xff, 6);					/* broadcast, 1204 B on the wire */
	d->rctl |= E1000_RCTL_BAM;
	d->stats[(E1000_GPRC - E1000_STATS_BASE) / 4] = 0xfffffffe;
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	/* Nothing in the registers until a read. */
	assert_int_equal(d->stats[(E1000_BPRC - E1000_STATS_BASE) / 4], 0);
	assert_int_equal(d->rx_sums.frames, 3);
	assert_int_equal(rd(fk, E1000_GPRC), 0xffffffff);	/* stuck at all ones */
	assert_memory_equal(&d->rx_sums, &none, sizeof(none));
	assert_int_equal(rd(fk, E1000_TPR), 3);
	assert_int_equal(rd(fk, E1000_BPRC), 3);
	assert_int_equal(rd(fk, E1000_MPRC), 0);
	assert_int_equal(rd(fk, E1000_PRC1522), 3);
	assert_int_equal(rd(fk, E1000_PRC1023), 0);
	assert_int_equal(rd(fk, E1000_GORCL), 3 * 1204);
	assert_int_equal(rd(fk, E1000_GORCH), 0);
	assert_int_equal(rd(fk, E1000_TORL), 3 * 1204);
	/* Read again: cleared, and not folded twice. */
	assert_int_equal(rd(fk, E1000_TPR), 0);
	assert_int_equal(rd(fk, E1000_BPRC), 0);
	assert_int_equal(rd(fk, E1000_PRC1522), 0);
	/* A multicast frame and the 64-bit carry through the sums. */
	frame[0] = 0x01;
	memset(frame + 1, 0x22, 5);
	d->rctl |= E1000_RCTL_MPE;
	d->stats[(E1000_GORCL - E1000_STATS_BASE) / 4] = 0xfffffff0;
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	assert_int_equal(rd(fk, E1000_MPRC), 1);
	assert_int_equal(rd(fk, E1000_BPRC), 0);
	assert_int_equal(rd(fk, E1000_GORCL), 1204 - 0x10);
	assert_int_equal(rd(fk, E1000_GORCH), 1);
	/* A reset forgets what was not folded yet. */
	assert_int_equal(e1000_rx_deliver(d, &f, NULL), 0);
	e1000_reset(d);
	assert_int_equal(rd(fk, E1000_GPRC), 0);
	assert_int_equal(rd(fk, E1000_TPR), 0);
}

static void test_err_names(void **state)
{
	(void)state;
	for (unsigned i = 0; i < E1000_ERR_COUNT; i++) {
		assert_non_null(e1000_err_name((enum e1000_err)i));
		assert_string_not_equal(e1000_err_name((enum e1000_err)i), "?");
	}
	assert_string_equal(e1000_err_name(E1000_ERR_COUNT), "?");
}

static void test_no_callbacks(void **state)
{
	struct e1000 d;
	struct e1000_frame f;

	(void)state;
	e1000_init(&d, mac, NULL, NULL, NULL);	/* every op missing: DMA refused */
	e1000_mmio_write(&d, E1000_IMS, 4, 0xffffffff);
	e1000_mmio_write(&d, E1000_ICS, 4, E1000_ICR_TXDW);
	e1000_mmio_write(&d, E1000_ITR, 4, 100);
	e1000_mmio_write(&d, E1000_TDLEN, 4, 128);
	e1000_mmio_write(&d, E1000_TCTL, 4, E1000_TCTL_EN);
	e1000_mmio_write(&d, E1000_TDT, 4, 1);
	assert_int_equal(e1000_tx_peek(&d, &f), 0);
	assert_int_equal(d.errors[E1000_ERR_RING_DMA], 1);
	e1000_mmio_write(&d, E1000_CTRL, 4, E1000_CTRL_RST);
	assert_int_equal(e1000_irq_deadline(&d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_reset_values),
		T(test_register_access_counts),
		T(test_ctrl_rst_resets),
		T(test_e1000_reset_api),
		T(test_ctrl_bits_stored),
		T(test_ctrl_phy_rst),
		T(test_status_read_only),
		T(test_store_only_registers),
		T(test_ring_registers),
		T(test_rctl_tctl_masks),
		T(test_address_tables),
		T(test_unknown_offsets),
		T(test_sub_dword_access),
		T(test_icr_read_clears),
		T(test_ims_imc),
		T(test_icr_write_clears),
		T(test_itr_throttling),
		T(test_io_window),
		T(test_io_reset),
		T(test_eeprom_forwarding),
		T(test_mdic_forwarding),
		T(test_phy_power_down_link),
		T(test_kicks),
		T(test_tx_three_descriptors),
		T(test_tx_disabled_and_incomplete),
		T(test_tx_wraps_around),
		T(test_tx_context_consumed),
		T(test_tx_checksum_offload),
		T(test_tx_udp_zero_checksum),
		T(test_tx_legacy_checksum),
		T(test_tx_vlan_insert),
		T(test_tx_pad_short),
		T(test_tx_pending_invalidated),
		T(test_tx_descriptor_rewritten),
		T(test_err_tdlen_zero),
		T(test_err_tdlen_100),
		T(test_err_ring_index),
		T(test_err_ring_dma),
		T(test_err_buf_dma),
		T(test_err_zero_len),
		T(test_err_no_eop),
		T(test_err_short_frame),
		T(test_err_long_frame),
		T(test_err_tse),
		T(test_err_reserved_dtyp),
		T(test_err_bad_offload),
		T(test_rx_60),
		T(test_rx_1514),
		T(test_rx_buffer_in_readonly_page),
		T(test_rx_9000_lpe),
		T(test_rx_buffer_sizes),
		T(test_rx_filter),
		T(test_rx_mta_offsets),
		T(test_rx_backpressure),
		T(test_rx_rdmts),
		T(test_rx_missed),
		T(test_rx_too_long),
		T(test_rx_vlan_strip),
		T(test_rx_secrc),
		T(test_rx_buf_refused),
		T(test_rx_descriptor_rewritten),
		T(test_rx_bad_frame_struct),
		T(test_tx_to_rx),
		T(test_stats_read_to_clear),
		T(test_stats_folded_on_read),
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_no_callbacks),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
