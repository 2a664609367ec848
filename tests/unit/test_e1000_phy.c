// SPDX-License-Identifier: MIT
/* Host unit tests for the 82540EM PHY model (devices/e1000_phy.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "devices/e1000_phy.h"

#define M88E1011_I_PHY_ID 0x01410c20U	/* Linux e1000_hw.h */
#define PHY_REVISION_MASK 0xfffffff0U
#define PSSR_1000FD_LINK 0xac00

static const uint16_t power_on[E1000_PHY_REGS] = {
	[0x00] = 0x1140, [0x01] = 0x796d, [0x02] = 0x0141, [0x03] = 0x0c20,
	[0x04] = 0x0de1, [0x05] = 0xc1e1, [0x06] = 0x000d, [0x07] = 0x2001,
	[0x09] = 0x0300, [0x0a] = 0x3800, [0x0f] = 0x3000, [0x10] = 0x0060,
	[0x11] = 0xac00, [0x14] = 0x0c60,
};

static const uint16_t writable[E1000_PHY_REGS] = {
	[0x00] = 0x7dc0, [0x04] = 0xade0, [0x07] = 0xb7ff, [0x09] = 0xff00,
	[0x10] = 0xfff7, [0x12] = 0xfff3, [0x14] = 0xcf7f,
};

static int setup(void **state)
{
	static struct e1000_phy phy;

	e1000_phy_init(&phy);
	*state = &phy;
	return 0;
}

static uint32_t mdic_cmd(uint32_t op, unsigned phy_addr, unsigned reg,
			 uint16_t data)
{
	return op | ((uint32_t)phy_addr << E1000_MDIC_PHY_SHIFT) |
	       ((uint32_t)reg << E1000_MDIC_REG_SHIFT) | data;
}

/* Linux's e1000_read_phy_reg_ex / e1000_write_phy_reg_ex on an 82540:
 * write MDIC, poll READY (bounded), fail on ERROR. */
static bool lnx_phy_read(struct e1000_phy *phy, unsigned reg, uint16_t *data)
{
	uint32_t mdic = 0;

	e1000_phy_mdic_write(phy, mdic_cmd(E1000_MDIC_OP_READ, 1, reg, 0));
	for (int i = 0; i < 1920; i++) {
		mdic = e1000_phy_mdic_read(phy);
		if (mdic & E1000_MDIC_READY)
			break;
	}
	if (!(mdic & E1000_MDIC_READY) || (mdic & E1000_MDIC_ERROR))
		return false;
	*data = (uint16_t)mdic;
	return true;
}

static bool lnx_phy_write(struct e1000_phy *phy, unsigned reg, uint16_t data)
{
	uint32_t mdic = 0;

	e1000_phy_mdic_write(phy, mdic_cmd(E1000_MDIC_OP_WRITE, 1, reg, data));
	for (int i = 0; i < 641; i++) {
		mdic = e1000_phy_mdic_read(phy);
		if (mdic & E1000_MDIC_READY)
			break;
	}
	return (mdic & E1000_MDIC_READY) && !(mdic & E1000_MDIC_ERROR);
}

static uint16_t rd(struct e1000_phy *phy, unsigned reg)
{
	uint16_t v = 0xdead;

	assert_true(lnx_phy_read(phy, reg, &v));
	return v;
}

static void wr(struct e1000_phy *phy, unsigned reg, uint16_t v)
{
	assert_true(lnx_phy_write(phy, reg, v));
}

static void test_power_on_values(void **state)
{
	struct e1000_phy *phy = *state;
	uint32_t id;

	/* e1000_detect_gig_phy */
	id = ((uint32_t)rd(phy, E1000_PHY_REG_ID1) << 16) |
	     rd(phy, E1000_PHY_REG_ID2);
	assert_int_equal(id & PHY_REVISION_MASK, M88E1011_I_PHY_ID);
	assert_int_equal(id, E1000_PHY_ID);
	/* link and auto-negotiation (Linux reads PHY_STATUS twice) */
	(void)rd(phy, E1000_PHY_REG_STATUS);
	assert_true(rd(phy, E1000_PHY_REG_STATUS) & E1000_PHY_STATUS_LINK);
	assert_true(rd(phy, E1000_PHY_REG_STATUS) & E1000_PHY_STATUS_AN_COMPLETE);
	assert_true(e1000_phy_link_up(phy));
	/* M88 specific status: 1000 Mb/s, full duplex, resolved, link */
	assert_int_equal(rd(phy, E1000_PHY_REG_M88_SPEC_STATUS) &
			 E1000_PHY_PSSR_SPEED_MASK, E1000_PHY_PSSR_SPEED_1000);
	assert_int_equal(rd(phy, E1000_PHY_REG_M88_SPEC_STATUS), PSSR_1000FD_LINK);
	/* 1000BASE-T status: receivers OK, partner 1000 FD */
	assert_int_equal(rd(phy, E1000_PHY_REG_1000T_STATUS) & 0x3800, 0x3800);
	for (unsigned r = 0; r < E1000_PHY_REGS; r++)
		assert_int_equal(rd(phy, r), power_on[r]);
	assert_int_equal(phy->mdic & E1000_MDIC_ERROR, 0);
	assert_int_equal(phy->accesses, 8 + E1000_PHY_REGS);
}

static void test_mdic_read_fields(void **state)
{
	struct e1000_phy *phy = *state;
	uint32_t cmd = mdic_cmd(E1000_MDIC_OP_READ, 1, E1000_PHY_REG_ID1, 0xbeef);

	/* READY/ERROR/bit 31 written by the driver do not stick */
	assert_false(e1000_phy_mdic_write(phy, cmd | E1000_MDIC_READY |
					  E1000_MDIC_ERROR | (1U << 31)));
	assert_int_equal(e1000_phy_mdic_read(phy),
			 (cmd & ~0xffffU) | 0x0141 | E1000_MDIC_READY);
	cmd = mdic_cmd(E1000_MDIC_OP_WRITE, 1, E1000_PHY_REG_M88_INT_ENABLE, 0x0400);
	assert_false(e1000_phy_mdic_write(phy, cmd));
	assert_int_equal(e1000_phy_mdic_read(phy), cmd | E1000_MDIC_READY);
	assert_int_equal(phy->reg[E1000_PHY_REG_M88_INT_ENABLE], 0x0400);
	assert_int_equal(phy->accesses, 2);
}

static void test_mdic_wrong_phy_addr(void **state)
{
	struct e1000_phy *phy = *state;
	static const unsigned addrs[] = { 0, 2, 7, 31 };
	uint16_t v;

	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		uint32_t rcmd = mdic_cmd(E1000_MDIC_OP_READ, addrs[i], 2, 0);
		uint32_t wcmd = mdic_cmd(E1000_MDIC_OP_WRITE, addrs[i], 0,
					 E1000_PHY_CTRL_RESET | 0x0800);

		e1000_phy_mdic_write(phy, rcmd);
		assert_int_equal(e1000_phy_mdic_read(phy), rcmd | 0xffff |
				 E1000_MDIC_READY | E1000_MDIC_ERROR);
		e1000_phy_mdic_write(phy, wcmd);
		assert_int_equal(e1000_phy_mdic_read(phy),
				 wcmd | E1000_MDIC_READY | E1000_MDIC_ERROR);
	}
	assert_memory_equal(phy->reg, power_on, sizeof(power_on));
	assert_int_equal(phy->accesses, 0);
	/* and the next good access clears ERROR */
	assert_true(lnx_phy_read(phy, E1000_PHY_REG_ID2, &v));
	assert_int_equal(v, 0x0c20);
}

static void test_mdic_bad_opcode(void **state)
{
	struct e1000_phy *phy = *state;
	static const uint32_t ops[] = { 0, E1000_MDIC_OP_MASK };

	for (size_t i = 0; i < 2; i++) {
		uint32_t cmd = mdic_cmd(ops[i], 1, E1000_PHY_REG_CTRL,
					E1000_PHY_CTRL_POWER_DOWN);

		e1000_phy_mdic_write(phy, cmd);
		assert_int_equal(e1000_phy_mdic_read(phy),
				 cmd | E1000_MDIC_READY | E1000_MDIC_ERROR);
	}
	assert_memory_equal(phy->reg, power_on, sizeof(power_on));
	assert_int_equal(phy->accesses, 0);
}

static void test_mdic_interrupt(void **state)
{
	struct e1000_phy *phy = *state;

	assert_true(e1000_phy_mdic_write(phy, E1000_MDIC_INT_EN |
			mdic_cmd(E1000_MDIC_OP_READ, 1, E1000_PHY_REG_STATUS, 0)));
	assert_int_equal(e1000_phy_mdic_read(phy) & 0xffff, 0x796d);
	assert_true(e1000_phy_mdic_read(phy) & E1000_MDIC_INT_EN);
	assert_true(e1000_phy_mdic_write(phy, E1000_MDIC_INT_EN |
			mdic_cmd(E1000_MDIC_OP_WRITE, 1, 0x10, 0x0068)));
	/* completion with an error interrupts too */
	assert_true(e1000_phy_mdic_write(phy, E1000_MDIC_INT_EN |
			mdic_cmd(E1000_MDIC_OP_READ, 3, 0, 0)));
	assert_true(e1000_phy_mdic_write(phy, E1000_MDIC_INT_EN));
	assert_false(e1000_phy_mdic_write(phy,
			mdic_cmd(E1000_MDIC_OP_READ, 1, 0, 0)));
}

static void test_write_masks(void **state)
{
	struct e1000_phy *phy = *state;

	for (unsigned r = 1; r < E1000_PHY_REGS; r++) {
		if (r == E1000_PHY_REG_M88_SPEC_STATUS ||
		    r == E1000_PHY_REG_STATUS)
			continue;	/* derived from the control register */
		wr(phy, r, 0xffff);
		assert_int_equal(rd(phy, r), power_on[r] | writable[r]);
		wr(phy, r, 0x0000);
		assert_int_equal(rd(phy, r), power_on[r] & ~writable[r]);
	}
	/* read-only registers kept their value through all that */
	assert_int_equal(rd(phy, E1000_PHY_REG_ID1), 0x0141);
	assert_int_equal(rd(phy, E1000_PHY_REG_LP_ABILITY), 0xc1e1);
	/* ANAR keeps its selector field */
	assert_int_equal(rd(phy, E1000_PHY_REG_AUTONEG_ADV), 0x0001);
}

static void test_unknown_registers(void **state)
{
	struct e1000_phy *phy = *state;
	static const unsigned unknown[] = { 0x0b, 0x0c, 0x0d, 0x0e, 0x16, 0x17,
					    0x18, 0x1a, 0x1d, 0x1e, 0x1f };

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		wr(phy, unknown[i], 0xa5a5);
		assert_int_equal(rd(phy, unknown[i]), 0);
	}
	/* counters and interrupt status are read-only */
	wr(phy, E1000_PHY_REG_M88_RX_ERR_CNT, 0x1234);
	wr(phy, E1000_PHY_REG_M88_INT_STATUS, 0xffff);
	assert_int_equal(rd(phy, E1000_PHY_REG_M88_RX_ERR_CNT), 0);
	assert_int_equal(rd(phy, E1000_PHY_REG_M88_INT_STATUS), 0);
}

static void test_ctrl_reset_bit(void **state)
{
	struct e1000_phy *phy = *state;

	wr(phy, E1000_PHY_REG_AUTONEG_ADV, 0x0101);
	wr(phy, E1000_PHY_REG_M88_SPEC_CTRL, 0x0808);
	wr(phy, E1000_PHY_REG_1000T_CTRL, 0x0000);
	wr(phy, E1000_PHY_REG_CTRL, E1000_PHY_CTRL_POWER_DOWN);
	assert_false(e1000_phy_link_up(phy));
	/* Linux's e1000_phy_reset: read-modify-write with RESET */
	wr(phy, E1000_PHY_REG_CTRL, rd(phy, E1000_PHY_REG_CTRL) |
	   E1000_PHY_CTRL_RESET);
	assert_int_equal(rd(phy, E1000_PHY_REG_CTRL) & E1000_PHY_CTRL_RESET, 0);
	assert_memory_equal(phy->reg, power_on, sizeof(power_on));
	assert_true(e1000_phy_link_up(phy));
}

static void test_autoneg_restart(void **state)
{
	struct e1000_phy *phy = *state;
	uint16_t ctrl = E1000_PHY_CTRL_AN_ENABLE | E1000_PHY_CTRL_RESTART_AN;

	/* what Linux advertises by default, then restart */
	wr(phy, E1000_PHY_REG_AUTONEG_ADV, 0x0de1);
	wr(phy, E1000_PHY_REG_1000T_CTRL, 0x0200);
	wr(phy, E1000_PHY_REG_CTRL, ctrl);
	assert_int_equal(rd(phy, E1000_PHY_REG_CTRL), E1000_PHY_CTRL_AN_ENABLE);
	assert_true(rd(phy, E1000_PHY_REG_STATUS) & E1000_PHY_STATUS_AN_COMPLETE);
	assert_int_equal(rd(phy, E1000_PHY_REG_M88_SPEC_STATUS), PSSR_1000FD_LINK);
	/* no gigabit advertised: 100 FD */
	wr(phy, E1000_PHY_REG_1000T_CTRL, 0);
	wr(phy, E1000_PHY_REG_CTRL, ctrl);
	assert_int_equal(rd(phy, E1000_PHY_REG_M88_SPEC_STATUS),
			 E1000_PHY_PSSR_SPEED_100 | E1000_PHY_PSSR_FULL_DUPLEX |
			 E1000_PHY_PSSR_RESOLVED | E1000_PHY_PSSR_LINK);
	/* 10 HD only */
	wr(phy, E1000_PHY_REG_AUTONEG_ADV, 0x0021);
	wr(phy, E1000_PHY_REG_CTRL, ctrl);
	assert_int_equal(rd(phy, E1000_PHY_REG_M88_SPEC_STATUS),
			 E1000_PHY_PSSR_SPEED_10 | E1000_PHY_PSSR_RESOLVED |
			 E1000_PHY_PSSR_LINK);
	/* nothing in common: no link */
	wr(phy, E1000_PHY_REG_AUTONEG_ADV, 0x0c01);
	wr(phy, E1000_PHY_REG_CTRL, ctrl);
	assert_false(e1000_phy_link_up(phy));
	assert_int_equal(rd(phy, E1000_PHY_REG_STATUS) &
			 (E1000_PHY_STATUS_LINK | E1000_PHY_STATUS_AN_COMPLETE), 0);
	assert_int_equal(rd(phy, E1000_PHY_REG_M88_SPEC_STATUS), 0);
	/* advertise again, restart: back up */
	wr(phy, E1000_PHY_REG_1000T_CTRL, 0x0300);
	wr(phy, E1000_PHY_REG_CTRL, ctrl);
	assert_true(e1000_phy_link_up(phy));
	assert_int_equal(rd(phy, E1000_PHY_REG_M88_SPEC_STATUS), PSSR_1000FD_LINK);
}

static void test_power_down_and_forced(void **state)
{
	struct e1000_phy *phy = *state;

	/* e1000_power_down_phy / e1000_power_up_phy */
	wr(phy, E1000_PHY_REG_CTRL, 0x1140 | E1000_PHY_CTRL_POWER_DOWN);
	assert_false(e1000_phy_link_up(phy));
	assert_int_equal(rd(phy, E1000_PHY_REG_M88_SPEC_STATUS), 0);
	wr(phy, E1000_PHY_REG_CTRL, 0x1140);
	assert_true(e1000_phy_link_up(phy));
	assert_int_equal(rd(phy, E1000_PHY_REG_M88_SPEC_STATUS), PSSR_1000FD_LINK);
	/* forced 100 FD: link, no auto-negotiation complete */
	wr(phy, E1000_PHY_REG_CTRL, E1000_PHY_CTRL_SPEED_LSB |
	   E1000_PHY_CTRL_FULL_DUPLEX);
	assert_int_equal(rd(phy, E1000_PHY_REG_STATUS) &
			 (E1000_PHY_STATUS_LINK | E1000_PHY_STATUS_AN_COMPLETE),
			 E1000_PHY_STATUS_LINK);
	assert_int_equal(rd(phy, E1000_PHY_REG_M88_SPEC_STATUS),
			 E1000_PHY_PSSR_SPEED_100 | E1000_PHY_PSSR_FULL_DUPLEX |
			 E1000_PHY_PSSR_RESOLVED | E1000_PHY_PSSR_LINK);
	/* forced 10 HD */
	wr(phy, E1000_PHY_REG_CTRL, 0);
	assert_int_equal(rd(phy, E1000_PHY_REG_M88_SPEC_STATUS),
			 E1000_PHY_PSSR_RESOLVED | E1000_PHY_PSSR_LINK);
}

/* The M88 copper bring-up Linux does on an 82540 (e1000_copper_link_*). */
static void test_linux_copper_setup(void **state)
{
	struct e1000_phy *phy = *state;
	uint16_t v, adv, lpa;
	int tries;

	wr(phy, 0, rd(phy, 0) | E1000_PHY_CTRL_RESET);
	v = rd(phy, E1000_PHY_REG_M88_SPEC_CTRL);
	v = (uint16_t)((v | 0x0060) & ~0x0002);	/* auto MDI-X, polarity */
	wr(phy, E1000_PHY_REG_M88_SPEC_CTRL, v);
	if ((rd(phy, E1000_PHY_REG_ID2) & 0xf) < 4) {	/* downshift 1x */
		v = rd(phy, E1000_PHY_REG_M88_EXT_SPEC_CTRL);
		v = (uint16_t)((v & ~0x0f00) | 0x0100);
		wr(phy, E1000_PHY_REG_M88_EXT_SPEC_CTRL, v);
	}
	wr(phy, 0, rd(phy, 0) | E1000_PHY_CTRL_RESET);
	adv = (uint16_t)((rd(phy, 4) & ~0x0de0) | 0x0de0);
	wr(phy, 4, adv);
	wr(phy, 9, (uint16_t)((rd(phy, 9) & ~0x0300) | 0x0200));
	wr(phy, 0, rd(phy, 0) | E1000_PHY_CTRL_AN_ENABLE |
	   E1000_PHY_CTRL_RESTART_AN);
	for (tries = 0; tries < 45; tries++) {
		(void)rd(phy, 1);
		if (rd(phy, 1) & E1000_PHY_STATUS_AN_COMPLETE)
			break;
	}
	assert_int_equal(tries, 0);
	assert_true(rd(phy, 1) & E1000_PHY_STATUS_LINK);
	/* flow control resolution: the partner offers no pause */
	adv = rd(phy, 4);
	lpa = rd(phy, 5);
	assert_int_equal(adv & 0x0c00, 0x0c00);
	assert_int_equal(lpa & 0x0c00, 0);
	v = rd(phy, E1000_PHY_REG_M88_SPEC_STATUS);
	assert_true(v & E1000_PHY_PSSR_RESOLVED);
	assert_int_equal(v & E1000_PHY_PSSR_SPEED_MASK, E1000_PHY_PSSR_SPEED_1000);
	assert_true(v & E1000_PHY_PSSR_FULL_DUPLEX);
	assert_int_equal(rd(phy, 0xa) & 0x3000, 0x3000);
}

static void test_phy_reset_function(void **state)
{
	struct e1000_phy *phy = *state;
	uint32_t mdic;

	wr(phy, E1000_PHY_REG_M88_SPEC_CTRL, 0x0808);
	wr(phy, E1000_PHY_REG_CTRL, E1000_PHY_CTRL_POWER_DOWN);
	mdic = e1000_phy_mdic_read(phy);
	e1000_phy_reset(phy);	/* CTRL.PHY_RST */
	assert_memory_equal(phy->reg, power_on, sizeof(power_on));
	assert_int_equal(e1000_phy_mdic_read(phy), mdic);
	assert_int_equal(phy->accesses, 2);
	e1000_phy_init(phy);
	assert_int_equal(e1000_phy_mdic_read(phy), 0);
	assert_int_equal(phy->accesses, 0);
}

/* xorshift64*, fixed seed */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

static void check_invariants(const struct e1000_phy *phy, uint32_t cmd, bool irq)
{
	uint32_t mdic = e1000_phy_mdic_read(phy);
	uint16_t st = phy->reg[E1000_PHY_REG_STATUS];
	uint16_t pssr = phy->reg[E1000_PHY_REG_M88_SPEC_STATUS];
	bool up = st & E1000_PHY_STATUS_LINK;

	assert_int_equal(irq, !!(cmd & E1000_MDIC_INT_EN));
	assert_true(mdic & E1000_MDIC_READY);
	assert_int_equal(mdic & (1U << 31), 0);
	assert_int_equal(mdic & ~(0xffffU | E1000_MDIC_READY | E1000_MDIC_ERROR),
			 cmd & ~(0xffffU | E1000_MDIC_READY | E1000_MDIC_ERROR |
				 (1U << 31)));
	assert_int_equal(phy->reg[0] & (E1000_PHY_CTRL_RESET |
			 E1000_PHY_CTRL_RESTART_AN | 0x3f), 0);
	for (unsigned r = 0; r < E1000_PHY_REGS; r++) {
		uint16_t fixed = (uint16_t)~writable[r];

		if (r == E1000_PHY_REG_STATUS || r == E1000_PHY_REG_M88_SPEC_STATUS)
			continue;
		assert_int_equal(phy->reg[r] & fixed, power_on[r] & fixed);
	}
	assert_int_equal(st & ~(E1000_PHY_STATUS_LINK |
				E1000_PHY_STATUS_AN_COMPLETE), 0x796d & ~0x0024);
	assert_int_equal(up, e1000_phy_link_up(phy));
	assert_int_equal(up, !!(pssr & E1000_PHY_PSSR_LINK));
	if (!up)
		assert_int_equal(pssr, 0);
	else
		assert_true(pssr & E1000_PHY_PSSR_RESOLVED);
}

static uint32_t random_mdic(void)
{
	uint32_t r = rnd();

	if ((r & 7) == 0)
		return rnd();	/* anything, mostly wrong addresses */
	/* mostly valid commands to PHY 1, any register and data */
	return (rnd() & ~(E1000_MDIC_PHY_MASK | E1000_MDIC_OP_MASK)) |
	       (1U << E1000_MDIC_PHY_SHIFT) |
	       (((r >> 3) & 1) ? E1000_MDIC_OP_WRITE : E1000_MDIC_OP_READ);
}

static void test_random_mdic(void **state)
{
	struct e1000_phy *phy = *state;
	unsigned downs = 0, ups = 0;

	for (unsigned i = 0; i < 100000; i++) {
		uint32_t cmd = random_mdic();
		bool irq = e1000_phy_mdic_write(phy, cmd);

		check_invariants(phy, cmd, irq);
		if (e1000_phy_link_up(phy))
			ups++;
		else
			downs++;
	}
	assert_true(ups > 1000 && downs > 1000);
	wr(phy, 0, E1000_PHY_CTRL_RESET);
	assert_memory_equal(phy->reg, power_on, sizeof(power_on));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_power_on_values, setup),
		cmocka_unit_test_setup(test_mdic_read_fields, setup),
		cmocka_unit_test_setup(test_mdic_wrong_phy_addr, setup),
		cmocka_unit_test_setup(test_mdic_bad_opcode, setup),
		cmocka_unit_test_setup(test_mdic_interrupt, setup),
		cmocka_unit_test_setup(test_write_masks, setup),
		cmocka_unit_test_setup(test_unknown_registers, setup),
		cmocka_unit_test_setup(test_ctrl_reset_bit, setup),
		cmocka_unit_test_setup(test_autoneg_restart, setup),
		cmocka_unit_test_setup(test_power_down_and_forced, setup),
		cmocka_unit_test_setup(test_linux_copper_setup, setup),
		cmocka_unit_test_setup(test_phy_reset_function, setup),
		cmocka_unit_test_setup(test_random_mdic, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
