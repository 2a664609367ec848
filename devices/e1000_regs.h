/* SPDX-License-Identifier: MIT */
/*
 * Intel 82540EM (8254x family) register offsets, register bits and
 * descriptor layouts, named as in the "PCI/PCI-X Family of Gigabit Ethernet
 * Controllers Software Developer's Manual" (chapters "Register Descriptions"
 * and "Receive and Transmit Description") and Linux's e1000 driver.
 *
 * EECD/EERD bits live in devices/e1000_eeprom.h, MDIC bits in
 * devices/e1000_phy.h.
 */
#ifndef XTALK_DEVICES_E1000_REGS_H
#define XTALK_DEVICES_E1000_REGS_H

#define E1000_VENDOR_ID_INTEL	0x8086
#define E1000_DEV_ID_82540EM	0x100e

/* ---------------------------------------------------------- register offsets */
#define E1000_CTRL	0x00000	/* device control */
#define E1000_STATUS	0x00008	/* device status (read only) */
#define E1000_EECD	0x00010	/* EEPROM/flash control/data */
#define E1000_EERD	0x00014	/* EEPROM read */
#define E1000_CTRL_EXT	0x00018	/* extended device control */
#define E1000_MDIC	0x00020	/* MDI control */
#define E1000_FCAL	0x00028	/* flow control address low */
#define E1000_FCAH	0x0002c	/* flow control address high */
#define E1000_FCT	0x00030	/* flow control type */
#define E1000_VET	0x00038	/* VLAN ether type */
#define E1000_ICR	0x000c0	/* interrupt cause read (read to clear) */
#define E1000_ITR	0x000c4	/* interrupt throttling */
#define E1000_ICS	0x000c8	/* interrupt cause set (write only) */
#define E1000_IMS	0x000d0	/* interrupt mask set/read */
#define E1000_IMC	0x000d8	/* interrupt mask clear (write only) */
#define E1000_RCTL	0x00100	/* receive control */
#define E1000_FCTTV	0x00170	/* flow control transmit timer value */
#define E1000_TXCW	0x00178	/* transmit configuration word */
#define E1000_RXCW	0x00180	/* receive configuration word */
#define E1000_TCTL	0x00400	/* transmit control */
#define E1000_TIPG	0x00410	/* transmit inter-packet gap */
#define E1000_AIT	0x00458	/* adaptive IFS throttle */
#define E1000_LEDCTL	0x00e00	/* LED control */
#define E1000_PBA	0x01000	/* packet buffer allocation */
#define E1000_FCRTL	0x02160	/* flow control receive threshold low */
#define E1000_FCRTH	0x02168	/* flow control receive threshold high */
#define E1000_RDBAL	0x02800	/* RX descriptor base address low */
#define E1000_RDBAH	0x02804	/* RX descriptor base address high */
#define E1000_RDLEN	0x02808	/* RX descriptor ring length in bytes */
#define E1000_RDH	0x02810	/* RX descriptor head */
#define E1000_RDT	0x02818	/* RX descriptor tail */
#define E1000_RDTR	0x02820	/* RX delay timer */
#define E1000_RADV	0x0282c	/* RX interrupt absolute delay timer */
#define E1000_RSRPD	0x02c00	/* RX small packet detect interrupt */
#define E1000_TDBAL	0x03800	/* TX descriptor base address low */
#define E1000_TDBAH	0x03804	/* TX descriptor base address high */
#define E1000_TDLEN	0x03808	/* TX descriptor ring length in bytes */
#define E1000_TDH	0x03810	/* TX descriptor head */
#define E1000_TDT	0x03818	/* TX descriptor tail */
#define E1000_TIDV	0x03820	/* TX interrupt delay value */
#define E1000_TXDCTL	0x03828	/* TX descriptor control */
#define E1000_TADV	0x0382c	/* TX interrupt absolute delay value */
#define E1000_RXCSUM	0x05000	/* RX checksum control */
#define E1000_MTA	0x05200	/* multicast table array, 128 dwords */
#define E1000_RAL0	0x05400	/* receive address low 0; RAL(n) = 0x5400 + 8n */
#define E1000_RAH0	0x05404	/* receive address high 0; RAH(n) = 0x5404 + 8n */
#define E1000_VFTA	0x05600	/* VLAN filter table array, 128 dwords */
#define E1000_WUC	0x05800	/* wake up control */
#define E1000_WUFC	0x05808	/* wake up filter control */
#define E1000_MANC	0x05820	/* management control */

#define E1000_MTA_SIZE	128	/* dwords */
#define E1000_VFTA_SIZE	128	/* dwords */
#define E1000_RAR_ENTRIES 16	/* RAL/RAH pairs */
#define E1000_RAL(n)	(E1000_RAL0 + 8u * (n))
#define E1000_RAH(n)	(E1000_RAH0 + 8u * (n))

/* Statistics, 0x4000-0x40ff: all read only and cleared when read. */
#define E1000_STATS_BASE 0x04000
#define E1000_STATS_END	0x04100	/* exclusive */
#define E1000_CRCERRS	0x04000	/* CRC error count */
#define E1000_ALGNERRC	0x04004	/* alignment error count */
#define E1000_SYMERRS	0x04008	/* symbol error count */
#define E1000_RXERRC	0x0400c	/* RX error count */
#define E1000_MPC	0x04010	/* missed packets count */
#define E1000_SCC	0x04014	/* single collision count */
#define E1000_ECOL	0x04018	/* excessive collision count */
#define E1000_MCC	0x0401c	/* multiple collision count */
#define E1000_LATECOL	0x04020	/* late collision count */
#define E1000_COLC	0x04028	/* collision count */
#define E1000_DC	0x04030	/* defer count */
#define E1000_TNCRS	0x04034	/* TX with no CRS */
#define E1000_SEC	0x04038	/* sequence error count */
#define E1000_CEXTERR	0x0403c	/* carrier extension error count */
#define E1000_RLEC	0x04040	/* receive length error count */
#define E1000_XONRXC	0x04048	/* XON RX count */
#define E1000_XONTXC	0x0404c	/* XON TX count */
#define E1000_XOFFRXC	0x04050	/* XOFF RX count */
#define E1000_XOFFTXC	0x04054	/* XOFF TX count */
#define E1000_FCRUC	0x04058	/* flow control RX unsupported count */
#define E1000_PRC64	0x0405c	/* packets RX (64 bytes) */
#define E1000_PRC127	0x04060	/* packets RX (65-127 bytes) */
#define E1000_PRC255	0x04064	/* packets RX (128-255 bytes) */
#define E1000_PRC511	0x04068	/* packets RX (256-511 bytes) */
#define E1000_PRC1023	0x0406c	/* packets RX (512-1023 bytes) */
#define E1000_PRC1522	0x04070	/* packets RX (1024-1522 bytes) */
#define E1000_GPRC	0x04074	/* good packets RX count */
#define E1000_BPRC	0x04078	/* broadcast packets RX count */
#define E1000_MPRC	0x0407c	/* multicast packets RX count */
#define E1000_GPTC	0x04080	/* good packets TX count */
#define E1000_GORCL	0x04088	/* good octets RX count low */
#define E1000_GORCH	0x0408c	/* good octets RX count high */
#define E1000_GOTCL	0x04090	/* good octets TX count low */
#define E1000_GOTCH	0x04094	/* good octets TX count high */
#define E1000_RNBC	0x040a0	/* RX no buffers count */
#define E1000_RUC	0x040a4	/* RX undersize count */
#define E1000_RFC	0x040a8	/* RX fragment count */
#define E1000_ROC	0x040ac	/* RX oversize count */
#define E1000_RJC	0x040b0	/* RX jabber count */
#define E1000_MGTPRC	0x040b4	/* management packets RX count */
#define E1000_MGTPDC	0x040b8	/* management packets dropped count */
#define E1000_MGTPTC	0x040bc	/* management packets TX count */
#define E1000_TORL	0x040c0	/* total octets RX low */
#define E1000_TORH	0x040c4	/* total octets RX high */
#define E1000_TOTL	0x040c8	/* total octets TX low */
#define E1000_TOTH	0x040cc	/* total octets TX high */
#define E1000_TPR	0x040d0	/* total packets RX */
#define E1000_TPT	0x040d4	/* total packets TX */
#define E1000_PTC64	0x040d8	/* packets TX (64 bytes) */
#define E1000_PTC127	0x040dc	/* packets TX (65-127 bytes) */
#define E1000_PTC255	0x040e0	/* packets TX (128-255 bytes) */
#define E1000_PTC511	0x040e4	/* packets TX (256-511 bytes) */
#define E1000_PTC1023	0x040e8	/* packets TX (512-1023 bytes) */
#define E1000_PTC1522	0x040ec	/* packets TX (1024-1522 bytes) */
#define E1000_MPTC	0x040f0	/* multicast packets TX count */
#define E1000_BPTC	0x040f4	/* broadcast packets TX count */
#define E1000_TSCTC	0x040f8	/* TCP segmentation context TX count */
#define E1000_TSCTFC	0x040fc	/* TCP segmentation context TX fail count */

/* I/O BAR: a window onto the registers. */
#define E1000_IOADDR	0x00
#define E1000_IODATA	0x04

/* ---------------------------------------------------------- CTRL */
#define E1000_CTRL_FD		(1u << 0)	/* full duplex */
#define E1000_CTRL_LRST		(1u << 3)	/* link reset */
#define E1000_CTRL_ASDE		(1u << 5)	/* auto-speed detection enable */
#define E1000_CTRL_SLU		(1u << 6)	/* set link up */
#define E1000_CTRL_ILOS		(1u << 7)	/* invert loss of signal */
#define E1000_CTRL_SPEED_MASK	(3u << 8)
#define E1000_CTRL_SPEED_10	(0u << 8)
#define E1000_CTRL_SPEED_100	(1u << 8)
#define E1000_CTRL_SPEED_1000	(2u << 8)
#define E1000_CTRL_FRCSPD	(1u << 11)	/* force speed */
#define E1000_CTRL_FRCDPX	(1u << 12)	/* force duplex */
#define E1000_CTRL_SWDPIN0	(1u << 18)
#define E1000_CTRL_SWDPIN1	(1u << 19)
#define E1000_CTRL_ADVD3WUC	(1u << 20)
#define E1000_CTRL_EN_PHY_PWR_MGMT (1u << 21)
#define E1000_CTRL_SWDPIO0	(1u << 22)
#define E1000_CTRL_SWDPIO1	(1u << 23)
#define E1000_CTRL_RST		(1u << 26)	/* device reset, self-clearing */
#define E1000_CTRL_RFCE		(1u << 27)	/* RX flow control enable */
#define E1000_CTRL_TFCE		(1u << 28)	/* TX flow control enable */
#define E1000_CTRL_VME		(1u << 30)	/* VLAN mode enable */
#define E1000_CTRL_PHY_RST	(1u << 31)	/* PHY reset */

/* ---------------------------------------------------------- STATUS */
#define E1000_STATUS_FD		(1u << 0)	/* full duplex */
#define E1000_STATUS_LU		(1u << 1)	/* link up */
#define E1000_STATUS_FUNC_MASK	(3u << 2)
#define E1000_STATUS_TXOFF	(1u << 4)	/* transmission paused */
#define E1000_STATUS_TBIMODE	(1u << 5)
#define E1000_STATUS_SPEED_MASK	(3u << 6)
#define E1000_STATUS_SPEED_10	(0u << 6)
#define E1000_STATUS_SPEED_100	(1u << 6)
#define E1000_STATUS_SPEED_1000	(2u << 6)
#define E1000_STATUS_ASDV_MASK	(3u << 8)
#define E1000_STATUS_PCI66	(1u << 11)
#define E1000_STATUS_BUS64	(1u << 12)
#define E1000_STATUS_PCIX_MODE	(1u << 13)

/* ---------------------------------------------------------- CTRL_EXT */
#define E1000_CTRL_EXT_GPI_EN_MASK 0x0000000fu
#define E1000_CTRL_EXT_SDP_MASK	0x00000ff0u	/* SDP6/7 data and direction */
#define E1000_CTRL_EXT_ASDCHK	(1u << 12)
#define E1000_CTRL_EXT_EE_RST	(1u << 13)	/* self-clearing */
#define E1000_CTRL_EXT_IPS	(1u << 14)
#define E1000_CTRL_EXT_SPD_BYPS	(1u << 15)
#define E1000_CTRL_EXT_RO_DIS	(1u << 17)
#define E1000_CTRL_EXT_LINK_MODE_MASK (3u << 22)

/* ---------------------------------------------------------- ICR/ICS/IMS/IMC */
#define E1000_ICR_TXDW		(1u << 0)	/* TX descriptor written back */
#define E1000_ICR_TXQE		(1u << 1)	/* TX queue empty */
#define E1000_ICR_LSC		(1u << 2)	/* link status change */
#define E1000_ICR_RXSEQ		(1u << 3)	/* RX sequence error */
#define E1000_ICR_RXDMT0	(1u << 4)	/* RX descriptor minimum threshold */
#define E1000_ICR_RXO		(1u << 6)	/* receiver overrun */
#define E1000_ICR_RXT0		(1u << 7)	/* receiver timer */
#define E1000_ICR_MDAC		(1u << 9)	/* MDI access complete */
#define E1000_ICR_RXCFG		(1u << 10)	/* /C/ ordered sets received */
#define E1000_ICR_GPI_EN0	(1u << 11)
#define E1000_ICR_PHYINT	(1u << 12)	/* PHY interrupt */
#define E1000_ICR_GPI_EN1	(1u << 13)
#define E1000_ICR_GPI_EN2	(1u << 14)
#define E1000_ICR_TXD_LOW	(1u << 15)	/* TX descriptors low */
#define E1000_ICR_SRPD		(1u << 16)	/* small receive packet detected */
#define E1000_ICR_VALID		0x0001fedfu	/* bits 16:0 less reserved 5 and 8 */

#define E1000_ITR_INTERVAL_MASK	0x0000ffffu	/* in 256 ns units */
#define E1000_ITR_UNIT_NS	256u

/* ---------------------------------------------------------- RCTL */
#define E1000_RCTL_EN		(1u << 1)	/* receiver enable */
#define E1000_RCTL_SBP		(1u << 2)	/* store bad packets */
#define E1000_RCTL_UPE		(1u << 3)	/* unicast promiscuous */
#define E1000_RCTL_MPE		(1u << 4)	/* multicast promiscuous */
#define E1000_RCTL_LPE		(1u << 5)	/* long packet enable */
#define E1000_RCTL_LBM_MASK	(3u << 6)	/* loopback mode */
#define E1000_RCTL_RDMTS_SHIFT	8		/* RX descriptor minimum threshold size */
#define E1000_RCTL_RDMTS_MASK	(3u << 8)	/* 00 = 1/2, 01 = 1/4, 10 = 1/8 of RDLEN */
#define E1000_RCTL_MO_SHIFT	12		/* multicast offset */
#define E1000_RCTL_MO_MASK	(3u << 12)
#define E1000_RCTL_BAM		(1u << 15)	/* broadcast accept mode */
#define E1000_RCTL_BSIZE_SHIFT	16		/* RX buffer size */
#define E1000_RCTL_BSIZE_MASK	(3u << 16)
#define E1000_RCTL_VFE		(1u << 18)	/* VLAN filter enable */
#define E1000_RCTL_CFIEN	(1u << 19)	/* canonical form indicator enable */
#define E1000_RCTL_CFI		(1u << 20)
#define E1000_RCTL_DPF		(1u << 22)	/* discard pause frames */
#define E1000_RCTL_PMCF		(1u << 23)	/* pass MAC control frames */
#define E1000_RCTL_BSEX		(1u << 25)	/* buffer size extension (x16) */
#define E1000_RCTL_SECRC	(1u << 26)	/* strip ethernet CRC */

/* ---------------------------------------------------------- TCTL */
#define E1000_TCTL_EN		(1u << 1)	/* transmit enable */
#define E1000_TCTL_PSP		(1u << 3)	/* pad short packets */
#define E1000_TCTL_CT_SHIFT	4		/* collision threshold, bits 11:4 */
#define E1000_TCTL_CT_MASK	(0xffu << 4)
#define E1000_TCTL_COLD_SHIFT	12		/* collision distance, bits 21:12 */
#define E1000_TCTL_COLD_MASK	(0x3ffu << 12)
#define E1000_TCTL_SWXOFF	(1u << 22)	/* software XOFF, self-clearing */
#define E1000_TCTL_RTLC		(1u << 24)	/* retransmit on late collision */
#define E1000_TCTL_NRTU		(1u << 25)	/* no retransmit on underrun */

/* ---------------------------------------------------------- other registers */
#define E1000_RAH_AV		(1u << 31)	/* address valid */
#define E1000_RAH_AS_SHIFT	16		/* address select: 00 = destination */
#define E1000_RAH_AS_MASK	(3u << 16)
#define E1000_RAH_ADDR_MASK	0x0000ffffu

#define E1000_PBA_RXA_MASK	0x0000ffffu	/* RX packet buffer, KB */
#define E1000_PBA_TXA_SHIFT	16		/* TX packet buffer = 64 KB - RXA (read only) */
#define E1000_PBA_TOTAL_KB	64u
#define E1000_PBA_48K		0x0030u

#define E1000_RXCSUM_PCSS_MASK	0x000000ffu
#define E1000_RXCSUM_IPOFL	(1u << 8)
#define E1000_RXCSUM_TUOFL	(1u << 9)

#define E1000_RDTR_FPD		(1u << 31)	/* flush partial descriptor block (W/O) */

#define E1000_TDBAL_MASK	0xfffffff0u	/* bits 3:0 ignored: 16-byte aligned */
#define E1000_RDBAL_MASK	0xfffffff0u
#define E1000_DLEN_MASK		0x000fff80u	/* TDLEN/RDLEN bits 19:7; 6:0 read as 0 */
#define E1000_DLEN_RAW_MASK	0x000fffffu	/* what is kept to detect bad lengths */
#define E1000_DLEN_ALIGN	128u
#define E1000_DH_MASK		0x0000ffffu	/* TDH/TDT/RDH/RDT bits 15:0 */

/* ---------------------------------------------------------- descriptors */
/*
 * Every descriptor is 16 bytes, little-endian. Byte offsets are given for
 * each field; there are no C structures for them (the guest owns the
 * memory: it is copied once into a local uint8_t[16] and decoded from there).
 */
#define E1000_DESC_SIZE		16u

/* Legacy receive descriptor */
#define E1000_RXD_ADDR		0	/* 8 bytes: buffer address */
#define E1000_RXD_LENGTH	8	/* 2 bytes: bytes written to the buffer */
#define E1000_RXD_CSUM		10	/* 2 bytes: packet checksum */
#define E1000_RXD_STATUS	12	/* 1 byte */
#define E1000_RXD_ERRORS	13	/* 1 byte */
#define E1000_RXD_SPECIAL	14	/* 2 bytes: VLAN tag when VP */

#define E1000_RXD_STAT_DD	(1u << 0)	/* descriptor done */
#define E1000_RXD_STAT_EOP	(1u << 1)	/* end of packet */
#define E1000_RXD_STAT_IXSM	(1u << 2)	/* ignore checksum indication */
#define E1000_RXD_STAT_VP	(1u << 3)	/* 802.1Q tag stripped into SPECIAL */
#define E1000_RXD_STAT_TCPCS	(1u << 5)	/* TCP checksum calculated */
#define E1000_RXD_STAT_IPCS	(1u << 6)	/* IP checksum calculated */
#define E1000_RXD_STAT_PIF	(1u << 7)	/* passed in-exact filter */

#define E1000_RXD_ERR_CE	(1u << 0)	/* CRC or alignment error */
#define E1000_RXD_ERR_SE	(1u << 1)	/* symbol error */
#define E1000_RXD_ERR_SEQ	(1u << 2)	/* sequence error */
#define E1000_RXD_ERR_CXE	(1u << 4)	/* carrier extension error */
#define E1000_RXD_ERR_TCPE	(1u << 5)	/* TCP/UDP checksum error */
#define E1000_RXD_ERR_IPE	(1u << 6)	/* IP checksum error */
#define E1000_RXD_ERR_RXE	(1u << 7)	/* RX data error */

/* Legacy transmit descriptor */
#define E1000_TXD_ADDR		0	/* 8 bytes: buffer address */
#define E1000_TXD_LENGTH	8	/* 2 bytes */
#define E1000_TXD_CSO		10	/* 1 byte: checksum offset */
#define E1000_TXD_CMD		11	/* 1 byte */
#define E1000_TXD_STA		12	/* 1 byte: status bits 3:0 */
#define E1000_TXD_CSS		13	/* 1 byte: checksum start */
#define E1000_TXD_SPECIAL	14	/* 2 bytes: VLAN tag inserted when VLE */

/* CMD byte (legacy), DCMD byte (data), TUCMD byte (context): byte 11 */
#define E1000_TXD_CMD_EOP	(1u << 0)	/* end of packet */
#define E1000_TXD_CMD_IFCS	(1u << 1)	/* insert FCS */
#define E1000_TXD_CMD_IC	(1u << 2)	/* insert checksum (legacy) */
#define E1000_TXD_CMD_RS	(1u << 3)	/* report status */
#define E1000_TXD_CMD_RPS	(1u << 4)	/* report packet sent */
#define E1000_TXD_CMD_DEXT	(1u << 5)	/* descriptor extension (not legacy) */
#define E1000_TXD_CMD_VLE	(1u << 6)	/* VLAN packet enable */
#define E1000_TXD_CMD_IDE	(1u << 7)	/* interrupt delay enable */
#define E1000_TXD_CMD_TCP	(1u << 0)	/* TUCMD: TCP (else UDP) */
#define E1000_TXD_CMD_IP	(1u << 1)	/* TUCMD: IPv4 (else IPv6) */
#define E1000_TXD_CMD_TSE	(1u << 2)	/* TUCMD/DCMD: TCP segmentation enable */

/* STA nibble, byte 12 */
#define E1000_TXD_STAT_DD	(1u << 0)	/* descriptor done */
#define E1000_TXD_STAT_EC	(1u << 1)	/* excess collisions */
#define E1000_TXD_STAT_LC	(1u << 2)	/* late collision */
#define E1000_TXD_STAT_TU	(1u << 3)	/* transmit underrun */

/* DTYP: bits 23:20 of the dword at byte 8, i.e. the high nibble of byte 10 */
#define E1000_TXD_DTYP_BYTE	10
#define E1000_TXD_DTYP_SHIFT	4
#define E1000_TXD_DTYP_C	0x0u	/* context */
#define E1000_TXD_DTYP_D	0x1u	/* data */

/* TCP/IP context descriptor */
#define E1000_TXC_IPCSS		0	/* 1 byte: IP checksum start */
#define E1000_TXC_IPCSO		1	/* 1 byte: IP checksum offset */
#define E1000_TXC_IPCSE		2	/* 2 bytes: IP checksum end (incl., 0 = end) */
#define E1000_TXC_TUCSS		4	/* 1 byte: TCP/UDP checksum start */
#define E1000_TXC_TUCSO		5	/* 1 byte: TCP/UDP checksum offset */
#define E1000_TXC_TUCSE		6	/* 2 bytes: TCP/UDP checksum end (incl.) */
#define E1000_TXC_PAYLEN	8	/* bits 19:0 of the dword at 8 (TSO only) */
#define E1000_TXC_TUCMD		11	/* 1 byte */
#define E1000_TXC_STA		12	/* 1 byte: status bits 3:0 */
#define E1000_TXC_HDRLEN	13	/* 1 byte (TSO only) */
#define E1000_TXC_MSS		14	/* 2 bytes (TSO only) */

/* TCP/IP data descriptor */
#define E1000_TXDD_ADDR		0	/* 8 bytes */
#define E1000_TXDD_DTALEN	8	/* bits 19:0 of the dword at 8 */
#define E1000_TXDD_DTALEN_MASK	0x000fffffu
#define E1000_TXDD_DCMD		11	/* 1 byte */
#define E1000_TXDD_STA		12	/* 1 byte: status bits 3:0 */
#define E1000_TXDD_POPTS	13	/* 1 byte */
#define E1000_TXDD_SPECIAL	14	/* 2 bytes */

#define E1000_TXD_POPTS_IXSM	(1u << 0)	/* insert IP checksum */
#define E1000_TXD_POPTS_TXSM	(1u << 1)	/* insert TCP/UDP checksum */

#endif
