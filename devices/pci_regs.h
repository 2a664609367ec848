/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration space registers of a type 0 (device) header and the
 * configuration mechanism #1 ports, as defined by the PCI Local Bus
 * Specification 3.0, chapter 6 and section 3.2.2.3.2.
 */
#ifndef XTALK_DEVICES_PCI_REGS_H
#define XTALK_DEVICES_PCI_REGS_H

/* Configuration mechanism #1. */
#define PCI_CONFIG_ADDRESS_PORT	0xcf8
#define PCI_CONFIG_DATA_PORT	0xcfc
#define PCI_RESET_CONTROL_PORT	0xcf9	/* PIIX reset control register (byte access) */
#define PCI_RESET_CONTROL_RST_CPU (1u << 2)
#define PCI_RESET_CONTROL_SYS_RST (1u << 1)

#define PCI_CONFIG_ADDRESS_ENABLE	(1u << 31)
#define PCI_CONFIG_ADDRESS_BUS_SHIFT	16
#define PCI_CONFIG_ADDRESS_DEV_SHIFT	11
#define PCI_CONFIG_ADDRESS_FN_SHIFT	8
#define PCI_CONFIG_ADDRESS_REG_MASK	0xfcu
/* Bits that hold state: enable, bus, device, function, register. */
#define PCI_CONFIG_ADDRESS_MASK		0x80fffffcu

#define PCI_CFG_SPACE_SIZE	256
#define PCI_STD_HEADER_SIZEOF	64

/* Type 0 header. */
#define PCI_VENDOR_ID		0x00	/* 16 bits */
#define PCI_DEVICE_ID		0x02	/* 16 bits */
#define PCI_COMMAND		0x04	/* 16 bits */
#define  PCI_COMMAND_IO		0x0001	/* respond to I/O space accesses */
#define  PCI_COMMAND_MEMORY	0x0002	/* respond to memory space accesses */
#define  PCI_COMMAND_MASTER	0x0004	/* bus mastering (DMA) */
#define  PCI_COMMAND_SPECIAL	0x0008	/* special cycles */
#define  PCI_COMMAND_INVALIDATE	0x0010	/* memory write and invalidate */
#define  PCI_COMMAND_VGA_PALETTE 0x0020	/* VGA palette snooping */
#define  PCI_COMMAND_PARITY	0x0040	/* parity error response */
#define  PCI_COMMAND_WAIT	0x0080	/* stepping control (hardwired 0 since 3.0) */
#define  PCI_COMMAND_SERR	0x0100	/* SERR# driver enable */
#define  PCI_COMMAND_FAST_BACK	0x0200	/* fast back-to-back writes */
#define  PCI_COMMAND_INTX_DISABLE 0x0400 /* INTx# emulation disable */
#define PCI_STATUS		0x06	/* 16 bits */
#define  PCI_STATUS_INTERRUPT	0x0008	/* INTx# pending (read-only) */
#define  PCI_STATUS_CAP_LIST	0x0010	/* capability list present */
#define  PCI_STATUS_66MHZ	0x0020
#define  PCI_STATUS_FAST_BACK	0x0080
#define  PCI_STATUS_PARITY	0x0100	/* master data parity error */
#define  PCI_STATUS_DEVSEL_MASK	0x0600
#define  PCI_STATUS_SIG_TARGET_ABORT 0x0800
#define  PCI_STATUS_REC_TARGET_ABORT 0x1000
#define  PCI_STATUS_REC_MASTER_ABORT 0x2000
#define  PCI_STATUS_SIG_SYSTEM_ERROR 0x4000
#define  PCI_STATUS_DETECTED_PARITY 0x8000
/* The error bits: set by the device, cleared by writing 1 (RW1C). */
#define  PCI_STATUS_ERROR_BITS	(PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | \
				 PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT | \
				 PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY)
#define PCI_CLASS_REVISION	0x08	/* revision 7:0, class code 31:8 */
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_DEVICE	0x0a	/* sub-class and base class, 16 bits */
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e
#define  PCI_HEADER_TYPE_NORMAL	0x00
#define  PCI_HEADER_TYPE_MFD	0x80	/* multi-function device */
#define PCI_BIST		0x0f
#define PCI_BASE_ADDRESS_0	0x10
#define PCI_BASE_ADDRESS_1	0x14
#define PCI_BASE_ADDRESS_2	0x18
#define PCI_BASE_ADDRESS_3	0x1c
#define PCI_BASE_ADDRESS_4	0x20
#define PCI_BASE_ADDRESS_5	0x24
#define  PCI_BASE_ADDRESS_SPACE_IO	0x01	/* bit 0: I/O space */
#define  PCI_BASE_ADDRESS_SPACE_MEMORY	0x00
#define  PCI_BASE_ADDRESS_MEM_TYPE_MASK	0x06	/* 00 = 32-bit, 10 = 64-bit */
#define  PCI_BASE_ADDRESS_MEM_PREFETCH	0x08
#define  PCI_BASE_ADDRESS_MEM_MASK	(~0x0fu)
#define  PCI_BASE_ADDRESS_IO_MASK	(~0x03u)
#define PCI_CARDBUS_CIS		0x28
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_ROM_ADDRESS		0x30
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d	/* 0 = none, 1..4 = INTA#..INTD# */
#define PCI_MIN_GNT		0x3e
#define PCI_MAX_LAT		0x3f

#define PCI_BAR_OFFSET(n)	(PCI_BASE_ADDRESS_0 + 4 * (n))

#endif
