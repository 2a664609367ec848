/* SPDX-License-Identifier: MIT */
/*
 * The 82540EM's internal PHY (Marvell 88E1011-compatible registers), reached
 * through MDIC. Intel 8254x SDM, "MDI Control Register" and "PHY Registers".
 * The other end is xtalk's bridge, a partner that auto-negotiates 10/100/1000
 * (no pause): the link is up at 1000 Mb/s full duplex with auto-negotiation
 * complete, unless the guest powers the PHY down, forces a speed (then that
 * speed), or restarts auto-negotiation advertising nothing the partner has.
 *
 * This module owns the MDIC register value; the e1000 model forwards MDIC
 * writes and reads here and raises ICR.MDAC when the result asks for it.
 */
#ifndef XTALK_DEVICES_E1000_PHY_H
#define XTALK_DEVICES_E1000_PHY_H

#include <stdbool.h>
#include <stdint.h>

/* MDIC bits */
#define E1000_MDIC_DATA_MASK 0xffffU
#define E1000_MDIC_REG_SHIFT 16     /* bits 20:16 */
#define E1000_MDIC_PHY_SHIFT 21     /* bits 25:21 */
#define E1000_MDIC_OP_WRITE (1U << 26)
#define E1000_MDIC_OP_READ (2U << 26)
#define E1000_MDIC_READY (1U << 28)
#define E1000_MDIC_INT_EN (1U << 29)
#define E1000_MDIC_ERROR (1U << 30)
#define E1000_MDIC_REG_MASK (0x1fU << E1000_MDIC_REG_SHIFT)
#define E1000_MDIC_PHY_MASK (0x1fU << E1000_MDIC_PHY_SHIFT)
#define E1000_MDIC_OP_MASK (3U << 26)

#define E1000_PHY_ADDR 1            /* the only PHY address that answers */
#define E1000_PHY_REGS 32
/* PHY_ID1:PHY_ID2, Linux's M88E1011_I_PHY_ID with revision 0 */
#define E1000_PHY_ID 0x01410c20U

/* Register numbers (IEEE 802.3 clause 22, then Marvell 88E1011 specific) */
#define E1000_PHY_REG_CTRL 0x00
#define E1000_PHY_REG_STATUS 0x01
#define E1000_PHY_REG_ID1 0x02
#define E1000_PHY_REG_ID2 0x03
#define E1000_PHY_REG_AUTONEG_ADV 0x04
#define E1000_PHY_REG_LP_ABILITY 0x05
#define E1000_PHY_REG_AUTONEG_EXP 0x06
#define E1000_PHY_REG_NEXT_PAGE_TX 0x07
#define E1000_PHY_REG_LP_NEXT_PAGE 0x08
#define E1000_PHY_REG_1000T_CTRL 0x09
#define E1000_PHY_REG_1000T_STATUS 0x0a
#define E1000_PHY_REG_EXT_STATUS 0x0f
#define E1000_PHY_REG_M88_SPEC_CTRL 0x10
#define E1000_PHY_REG_M88_SPEC_STATUS 0x11
#define E1000_PHY_REG_M88_INT_ENABLE 0x12
#define E1000_PHY_REG_M88_INT_STATUS 0x13
#define E1000_PHY_REG_M88_EXT_SPEC_CTRL 0x14
#define E1000_PHY_REG_M88_RX_ERR_CNT 0x15

/* PHY_CTRL */
#define E1000_PHY_CTRL_SPEED_MSB (1U << 6)
#define E1000_PHY_CTRL_FULL_DUPLEX (1U << 8)
#define E1000_PHY_CTRL_RESTART_AN (1U << 9)  /* self-clearing */
#define E1000_PHY_CTRL_POWER_DOWN (1U << 11)
#define E1000_PHY_CTRL_AN_ENABLE (1U << 12)
#define E1000_PHY_CTRL_SPEED_LSB (1U << 13)
#define E1000_PHY_CTRL_RESET (1U << 15)      /* self-clearing */
/* PHY_STATUS */
#define E1000_PHY_STATUS_LINK (1U << 2)
#define E1000_PHY_STATUS_AN_COMPLETE (1U << 5)
/* M88 PHY specific status */
#define E1000_PHY_PSSR_LINK (1U << 10)
#define E1000_PHY_PSSR_RESOLVED (1U << 11)
#define E1000_PHY_PSSR_FULL_DUPLEX (1U << 13)
#define E1000_PHY_PSSR_SPEED_MASK (3U << 14)
#define E1000_PHY_PSSR_SPEED_10 (0U << 14)
#define E1000_PHY_PSSR_SPEED_100 (1U << 14)
#define E1000_PHY_PSSR_SPEED_1000 (2U << 14)

struct e1000_phy {
	uint16_t reg[E1000_PHY_REGS];
	uint32_t mdic;
	uint64_t accesses;
};

void e1000_phy_init(struct e1000_phy *phy);      /* power-on values, link up */
/* PHY_CTRL.RESET or CTRL.PHY_RST: registers back to power-on values; mdic
 * (a MAC register) and accesses are kept. */
void e1000_phy_reset(struct e1000_phy *phy);
uint32_t e1000_phy_mdic_read(const struct e1000_phy *phy);
/* Execute an MDIC command; returns true when the e1000 must raise ICR.MDAC
 * (the command asked for an interrupt on completion, failed or not). */
bool e1000_phy_mdic_write(struct e1000_phy *phy, uint32_t val);
/* Link as the PHY reports it: up unless the guest powered the PHY down or
 * restarted auto-negotiation with nothing in common with the partner. The
 * e1000 may use it for STATUS.LU; speed/duplex are in the M88 PSSR. */
bool e1000_phy_link_up(const struct e1000_phy *phy);

#endif
