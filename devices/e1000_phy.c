// SPDX-License-Identifier: MIT
/*
 * The 82540EM's internal PHY, a Marvell 88E1011, through MDIC. Intel 8254x
 * SDM, "MDI Control Register (MDIC)" and "PHY Registers"; IEEE 802.3
 * clause 22 for registers 0-15.
 *
 * Registers (power-on value, bits a write changes; others read 0 and
 * ignore writes):
 *
 *  reg  name                 value  writable
 *  00   control              1140   7dc0  + RESET (15), RESTART_AN (9): both
 *                                          act and self-clear
 *  01   status               796d   -     link, AN complete, 10/100 caps,
 *                                          extended status
 *  02   PHY ID 1             0141   -     Marvell OUI
 *  03   PHY ID 2             0c20   -     88E1011, revision 0
 *  04   AN advertisement     0de1   ade0  10/100 HD/FD, pause, asym pause
 *  05   link partner         c1e1   -     next page, ack, 10/100 HD/FD
 *  06   AN expansion         000d   -     partner AN/NP able, local NP able
 *  07   next page transmit   2001   b7ff
 *  08   partner next page    0000   -
 *  09   1000BASE-T control   0300   ff00  advertise 1000 HD/FD
 *  0a   1000BASE-T status    3800   -     local/remote receiver OK,
 *                                          partner 1000 FD
 *  0f   extended status      3000   -     1000BASE-T HD/FD capable
 *  10   M88 specific control 0060   fff7  auto MDI/MDI-X
 *  11   M88 specific status  ac00   -     1000 Mb/s, FD, resolved, link
 *  12   M88 interrupt enable 0000   fff3
 *  13   M88 interrupt status 0000   -     nothing is ever pending
 *  14   M88 ext. spec. ctrl  0c60   cf7f  downshift, 25 MHz TX_CLK
 *  15   M88 RX error counter 0000   -
 *
 * The partner (xtalk's bridge) offers 10/100/1000 full and half duplex,
 * 1000 FD only for 1000BASE-T, and no pause. Any write to the control
 * register re-evaluates the link at once: powered down, no link; with
 * auto-negotiation, the best mode both sides advertise (none: no link);
 * without, the forced speed (bit 6 set: 1000, else bit 13 set: 100, else
 * 10) and duplex. PHY_CTRL.RESET restores every register's power-on value.
 */
#include "devices/e1000_phy.h"

#include <string.h>

#define CTRL_WRITABLE 0x7dc0
#define NWAY_100FD (1U << 8)
#define NWAY_100HD (1U << 7)
#define NWAY_10FD (1U << 6)
#define NWAY_10HD (1U << 5)
#define T1000_CTRL_FD (1U << 9)
#define T1000_CTRL_HD (1U << 8)
#define T1000_STATUS_LP_FD (1U << 11)
#define T1000_STATUS_LP_HD (1U << 10)
#define MDIC_KEPT (E1000_MDIC_DATA_MASK | E1000_MDIC_REG_MASK | \
		   E1000_MDIC_PHY_MASK | E1000_MDIC_OP_MASK | E1000_MDIC_INT_EN)

struct phy_reg_def {
	uint16_t init;
	uint16_t writable;
};

static const struct phy_reg_def phy_defs[E1000_PHY_REGS] = {
	[E1000_PHY_REG_CTRL] = { 0x1140, CTRL_WRITABLE },
	[E1000_PHY_REG_STATUS] = { 0x796d, 0 },
	[E1000_PHY_REG_ID1] = { (uint16_t)(E1000_PHY_ID >> 16), 0 },
	[E1000_PHY_REG_ID2] = { (uint16_t)E1000_PHY_ID, 0 },
	[E1000_PHY_REG_AUTONEG_ADV] = { 0x0de1, 0xade0 },
	[E1000_PHY_REG_LP_ABILITY] = { 0xc1e1, 0 },
	[E1000_PHY_REG_AUTONEG_EXP] = { 0x000d, 0 },
	[E1000_PHY_REG_NEXT_PAGE_TX] = { 0x2001, 0xb7ff },
	[E1000_PHY_REG_1000T_CTRL] = { 0x0300, 0xff00 },
	[E1000_PHY_REG_1000T_STATUS] = { 0x3800, 0 },
	[E1000_PHY_REG_EXT_STATUS] = { 0x3000, 0 },
	[E1000_PHY_REG_M88_SPEC_CTRL] = { 0x0060, 0xfff7 },
	[E1000_PHY_REG_M88_SPEC_STATUS] = { 0xac00, 0 },
	[E1000_PHY_REG_M88_INT_ENABLE] = { 0x0000, 0xfff3 },
	[E1000_PHY_REG_M88_EXT_SPEC_CTRL] = { 0x0c60, 0xcf7f },
};

/* Auto-negotiation outcomes, best first (IEEE 802.3 annex 28B.3). */
struct an_mode {
	uint8_t local_reg;
	uint8_t partner_reg;
	uint16_t local_bit;
	uint16_t partner_bit;
	uint16_t pssr;
};

static const struct an_mode an_modes[] = {
	{ E1000_PHY_REG_1000T_CTRL, E1000_PHY_REG_1000T_STATUS, T1000_CTRL_FD,
	  T1000_STATUS_LP_FD,
	  E1000_PHY_PSSR_SPEED_1000 | E1000_PHY_PSSR_FULL_DUPLEX },
	{ E1000_PHY_REG_1000T_CTRL, E1000_PHY_REG_1000T_STATUS, T1000_CTRL_HD,
	  T1000_STATUS_LP_HD, E1000_PHY_PSSR_SPEED_1000 },
	{ E1000_PHY_REG_AUTONEG_ADV, E1000_PHY_REG_LP_ABILITY, NWAY_100FD,
	  NWAY_100FD, E1000_PHY_PSSR_SPEED_100 | E1000_PHY_PSSR_FULL_DUPLEX },
	{ E1000_PHY_REG_AUTONEG_ADV, E1000_PHY_REG_LP_ABILITY, NWAY_100HD,
	  NWAY_100HD, E1000_PHY_PSSR_SPEED_100 },
	{ E1000_PHY_REG_AUTONEG_ADV, E1000_PHY_REG_LP_ABILITY, NWAY_10FD,
	  NWAY_10FD, E1000_PHY_PSSR_SPEED_10 | E1000_PHY_PSSR_FULL_DUPLEX },
	{ E1000_PHY_REG_AUTONEG_ADV, E1000_PHY_REG_LP_ABILITY, NWAY_10HD,
	  NWAY_10HD, E1000_PHY_PSSR_SPEED_10 },
};

static bool an_resolve(const struct e1000_phy *phy, uint16_t *pssr)
{
	for (size_t i = 0; i < sizeof(an_modes) / sizeof(an_modes[0]); i++) {
		const struct an_mode *m = &an_modes[i];

		if ((phy->reg[m->local_reg] & m->local_bit) &&
		    (phy->reg[m->partner_reg] & m->partner_bit)) {
			*pssr = m->pssr;
			return true;
		}
	}
	return false;
}

static uint16_t forced_mode(uint16_t ctrl)
{
	uint16_t pssr = E1000_PHY_PSSR_SPEED_10;

	if (ctrl & E1000_PHY_CTRL_SPEED_MSB)
		pssr = E1000_PHY_PSSR_SPEED_1000;
	else if (ctrl & E1000_PHY_CTRL_SPEED_LSB)
		pssr = E1000_PHY_PSSR_SPEED_100;
	if (ctrl & E1000_PHY_CTRL_FULL_DUPLEX)
		pssr |= E1000_PHY_PSSR_FULL_DUPLEX;
	return pssr;
}

/* Recompute the status bits from the control register (and adverts). */
static void phy_update_link(struct e1000_phy *phy)
{
	uint16_t ctrl = phy->reg[E1000_PHY_REG_CTRL];
	uint16_t status = phy->reg[E1000_PHY_REG_STATUS] &
		(uint16_t)~(E1000_PHY_STATUS_LINK | E1000_PHY_STATUS_AN_COMPLETE);
	uint16_t mode = 0;
	bool up;

	if (ctrl & E1000_PHY_CTRL_POWER_DOWN) {
		up = false;
	} else if (ctrl & E1000_PHY_CTRL_AN_ENABLE) {
		up = an_resolve(phy, &mode);
		if (up)
			status |= E1000_PHY_STATUS_AN_COMPLETE;
	} else {
		up = true;
		mode = forced_mode(ctrl);
	}
	if (up) {
		status |= E1000_PHY_STATUS_LINK;
		mode |= E1000_PHY_PSSR_RESOLVED | E1000_PHY_PSSR_LINK;
	}
	phy->reg[E1000_PHY_REG_STATUS] = status;
	phy->reg[E1000_PHY_REG_M88_SPEC_STATUS] = mode;
}

void e1000_phy_reset(struct e1000_phy *phy)
{
	for (unsigned i = 0; i < E1000_PHY_REGS; i++)
		phy->reg[i] = phy_defs[i].init;
	phy_update_link(phy);
}

void e1000_phy_init(struct e1000_phy *phy)
{
	memset(phy, 0, sizeof(*phy));
	e1000_phy_reset(phy);
}

bool e1000_phy_link_up(const struct e1000_phy *phy)
{
	return phy->reg[E1000_PHY_REG_STATUS] & E1000_PHY_STATUS_LINK;
}

uint32_t e1000_phy_mdic_read(const struct e1000_phy *phy)
{
	return phy->mdic;
}

static void phy_write(struct e1000_phy *phy, unsigned reg, uint16_t data)
{
	uint16_t wmask = phy_defs[reg].writable;

	if (reg == E1000_PHY_REG_CTRL && (data & E1000_PHY_CTRL_RESET)) {
		e1000_phy_reset(phy);
		return;
	}
	phy->reg[reg] = (uint16_t)((phy->reg[reg] & ~wmask) | (data & wmask));
	if (reg == E1000_PHY_REG_CTRL)
		phy_update_link(phy);	/* also completes RESTART_AN */
}

bool e1000_phy_mdic_write(struct e1000_phy *phy, uint32_t val)
{
	uint32_t op = val & E1000_MDIC_OP_MASK;
	unsigned reg = (val & E1000_MDIC_REG_MASK) >> E1000_MDIC_REG_SHIFT;
	unsigned addr = (val & E1000_MDIC_PHY_MASK) >> E1000_MDIC_PHY_SHIFT;
	uint32_t out = val & MDIC_KEPT;

	if (op != E1000_MDIC_OP_READ && op != E1000_MDIC_OP_WRITE) {
		out |= E1000_MDIC_ERROR;
	} else if (addr != E1000_PHY_ADDR) {
		out |= E1000_MDIC_ERROR;	/* nobody answers */
		if (op == E1000_MDIC_OP_READ)
			out |= E1000_MDIC_DATA_MASK;	/* idle MDIO reads 1s */
	} else if (op == E1000_MDIC_OP_READ) {
		out = (out & ~E1000_MDIC_DATA_MASK) | phy->reg[reg];
		phy->accesses++;
	} else {
		phy_write(phy, reg, (uint16_t)(val & E1000_MDIC_DATA_MASK));
		phy->accesses++;
	}
	phy->mdic = out | E1000_MDIC_READY;
	return val & E1000_MDIC_INT_EN;
}
