/* SPDX-License-Identifier: MIT */
/*
 * Intel 82540EM registers, bits and descriptor formats, from the "PCI/PCI-X
 * Family of Gigabit Ethernet Controllers Software Developer's Manual"
 * (8254x SDM), chapters 3 (descriptors), 5 (EEPROM) and 13 (registers).
 * Only what the guest driver uses.
 */
#ifndef XTALK_GUEST_E1000_REGS_H
#define XTALK_GUEST_E1000_REGS_H

#include <stdint.h>

/* Register offsets in BAR0 (and through IOADDR/IODATA) */
#define E1000_CTRL 0x0000
#define E1000_STATUS 0x0008
#define E1000_EECD 0x0010
#define E1000_EERD 0x0014
#define E1000_MDIC 0x0020
#define E1000_ICR 0x00c0
#define E1000_ITR 0x00c4
#define E1000_IMS 0x00d0
#define E1000_IMC 0x00d8
#define E1000_RCTL 0x0100
#define E1000_TCTL 0x0400
#define E1000_TIPG 0x0410
#define E1000_RDBAL 0x2800
#define E1000_RDBAH 0x2804
#define E1000_RDLEN 0x2808
#define E1000_RDH 0x2810
#define E1000_RDT 0x2818
#define E1000_RDTR 0x2820
#define E1000_RADV 0x282c
#define E1000_TDBAL 0x3800
#define E1000_TDBAH 0x3804
#define E1000_TDLEN 0x3808
#define E1000_TDH 0x3810
#define E1000_TDT 0x3818
#define E1000_TIDV 0x3820
#define E1000_TADV 0x382c
#define E1000_RXCSUM 0x5000
#define E1000_MTA 0x5200 /* 128 x 32 bits */
#define E1000_MTA_ENTRIES 128
#define E1000_RAL(n) (0x5400 + 8 * (n))
#define E1000_RAH(n) (0x5404 + 8 * (n))
#define E1000_RAR_ENTRIES 16

/* Statistics: clear on read; the 64-bit octet counters clear when the high
 * half is read, so read low then high. */
#define E1000_CRCERRS 0x4000
#define E1000_RXERRC 0x400c
#define E1000_MPC 0x4010
#define E1000_GPRC 0x4074
#define E1000_BPRC 0x4078
#define E1000_MPRC 0x407c
#define E1000_GPTC 0x4080
#define E1000_GORCL 0x4088
#define E1000_GORCH 0x408c
#define E1000_GOTCL 0x4090
#define E1000_GOTCH 0x4094
#define E1000_RNBC 0x40a0
#define E1000_RUC 0x40a4
#define E1000_ROC 0x40ac
#define E1000_TPR 0x40d0
#define E1000_TPT 0x40d4
#define E1000_BPTC 0x40f4

/* I/O BAR: IOADDR selects a register, IODATA accesses it */
#define E1000_IOADDR 0
#define E1000_IODATA 4

/* CTRL */
#define E1000_CTRL_FD (1U << 0)
#define E1000_CTRL_LRST (1U << 3)
#define E1000_CTRL_ASDE (1U << 5)
#define E1000_CTRL_SLU (1U << 6)
#define E1000_CTRL_ILOS (1U << 7)
#define E1000_CTRL_FRCSPD (1U << 11)
#define E1000_CTRL_FRCDPX (1U << 12)
#define E1000_CTRL_RST (1U << 26)
#define E1000_CTRL_RFCE (1U << 27)
#define E1000_CTRL_TFCE (1U << 28)
#define E1000_CTRL_VME (1U << 30)
#define E1000_CTRL_PHY_RST (1U << 31)

/* STATUS */
#define E1000_STATUS_FD (1U << 0)
#define E1000_STATUS_LU (1U << 1)
#define E1000_STATUS_SPEED_SHIFT 6
#define E1000_STATUS_SPEED_MASK (3U << 6)

/* EECD (Microwire, bit-banged) */
#define E1000_EECD_SK (1U << 0)
#define E1000_EECD_CS (1U << 1)
#define E1000_EECD_DI (1U << 2)
#define E1000_EECD_DO (1U << 3)
#define E1000_EECD_REQ (1U << 6)
#define E1000_EECD_GNT (1U << 7)
#define E1000_EECD_PRES (1U << 8)
#define E1000_EECD_SIZE (1U << 9) /* Microwire: 0 = 64 words (6 address bits), 1 = 256 (8) */

/* EERD (82540EM layout) */
#define E1000_EERD_START (1U << 0)
#define E1000_EERD_DONE (1U << 4)
#define E1000_EERD_ADDR_SHIFT 8
#define E1000_EERD_DATA_SHIFT 16

/* EEPROM contents */
#define E1000_EE_WORDS 64
#define E1000_EE_MAC_WORDS 3       /* words 0-2: Ethernet address, little endian */
#define E1000_EE_CHECKSUM_WORDS 64 /* words 0x00-0x3f ... */
#define E1000_EE_SUM 0xbaba        /* ... add up to this */
#define E1000_EE_MW_READ 0x6       /* Microwire READ: start bit 1, opcode 10 */
#define E1000_EE_MW_OPCODE_BITS 3

/* MDIC */
#define E1000_MDIC_REG_SHIFT 16
#define E1000_MDIC_PHY_SHIFT 21
#define E1000_MDIC_OP_READ (2U << 26)
#define E1000_MDIC_READY (1U << 28)
#define E1000_MDIC_ERROR (1U << 30)
#define E1000_PHY_ADDR 1
#define PHY_STATUS 1
#define PHY_STATUS_LINK (1U << 2)
#define PHY_STATUS_ANEG_DONE (1U << 5)
#define PHY_ID1 2
#define PHY_ID2 3
#define M88E1011_PHY_ID 0x01410c20U /* ID1 << 16 | ID2, revision bits 3:0 masked */
#define PHY_REVISION_MASK 0xfffffff0U

/* Interrupt causes (ICR, IMS, IMC) */
#define E1000_ICR_TXDW (1U << 0)
#define E1000_ICR_TXQE (1U << 1)
#define E1000_ICR_LSC (1U << 2)
#define E1000_ICR_RXSEQ (1U << 3)
#define E1000_ICR_RXDMT0 (1U << 4)
#define E1000_ICR_RXO (1U << 6)
#define E1000_ICR_RXT0 (1U << 7)
#define E1000_ICR_MDAC (1U << 9)

/* RCTL */
#define E1000_RCTL_EN (1U << 1)
#define E1000_RCTL_SBP (1U << 2)
#define E1000_RCTL_UPE (1U << 3)
#define E1000_RCTL_MPE (1U << 4)
#define E1000_RCTL_LPE (1U << 5)
#define E1000_RCTL_LBM_NONE (0U << 6)
#define E1000_RCTL_RDMTS_HALF (0U << 8)
#define E1000_RCTL_MO_36 (0U << 12)
#define E1000_RCTL_BAM (1U << 15)
#define E1000_RCTL_BSIZE_2048 (0U << 16) /* with BSEX = 0 */
#define E1000_RCTL_BSEX (1U << 25)
#define E1000_RCTL_BSIZE_4096 (3U << 16) /* with BSEX = 1 (256 x 16) */
#define E1000_RCTL_SECRC (1U << 26)

/* TCTL */
#define E1000_TCTL_EN (1U << 1)
#define E1000_TCTL_PSP (1U << 3)
#define E1000_TCTL_CT_SHIFT 4
#define E1000_TCTL_COLD_SHIFT 12
#define E1000_TCTL_RTLC (1U << 24)
#define E1000_COLLISION_THRESHOLD 0x0f
#define E1000_COLLISION_DISTANCE_FD 0x40

/* TIPG for the 82540EM's copper interface: IPGT 10, IPGR1 8, IPGR2 6 */
#define E1000_TIPG_COPPER (10U | 8U << 10 | 6U << 20)

/* RAH */
#define E1000_RAH_AV (1U << 31)

/* Legacy transmit descriptor (SDM 3.3.3) */
struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};

#define E1000_TXD_CMD_EOP (1U << 0)
#define E1000_TXD_CMD_IFCS (1U << 1)
#define E1000_TXD_CMD_RS (1U << 3)
#define E1000_TXD_CMD_DEXT (1U << 5)
#define E1000_TXD_STAT_DD (1U << 0)
#define E1000_TXD_STAT_EC (1U << 1)
#define E1000_TXD_STAT_LC (1U << 2)

/* Receive descriptor (SDM 3.2.3) */
struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};

#define E1000_RXD_STAT_DD (1U << 0)
#define E1000_RXD_STAT_EOP (1U << 1)
#define E1000_RXD_ERR_CE (1U << 0)  /* CRC or alignment error */
#define E1000_RXD_ERR_SE (1U << 1)  /* symbol error */
#define E1000_RXD_ERR_SEQ (1U << 2) /* sequence error */
#define E1000_RXD_ERR_CXE (1U << 4) /* carrier extension error */
#define E1000_RXD_ERR_RXE (1U << 7) /* RX data error */
#define E1000_RXD_ERR_FRAME (E1000_RXD_ERR_CE | E1000_RXD_ERR_SE | E1000_RXD_ERR_SEQ | \
			     E1000_RXD_ERR_CXE | E1000_RXD_ERR_RXE)

_Static_assert(sizeof(struct e1000_tx_desc) == 16, "legacy TX descriptor is 16 bytes");
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "RX descriptor is 16 bytes");

/* BAR0 access: exactly one 32-bit MOV per register access, which is what
 * the VMM's MMIO emulation decodes. Inline assembly (as Linux's readl and
 * writel) so that the compiler cannot fold the access into another
 * instruction (TEST, CMP, OR with a memory operand). */
static inline uint32_t e1000_mmio_rd(volatile uint8_t *mmio, uint32_t reg)
{
	uint32_t v;

	__asm__ volatile("movl %1, %0" : "=r"(v) : "m"(*(volatile uint32_t *)(mmio + reg)) : "memory");
	return v;
}

static inline void e1000_mmio_wr(volatile uint8_t *mmio, uint32_t reg, uint32_t val)
{
	__asm__ volatile("movl %0, %1" ::"r"(val), "m"(*(volatile uint32_t *)(mmio + reg)) : "memory");
}

#endif
