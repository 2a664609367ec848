/* SPDX-License-Identifier: MIT */
/*
 * ATA (ATA/ATAPI-6, T13 1410D) task file registers, status, error and
 * device control bits, the command opcodes devices/ide.c knows, the
 * IDENTIFY DEVICE words it fills, and the PIIX3/PIIX4 bus master IDE
 * registers with the physical region descriptor (PRD) layout. Names follow
 * Linux's include/linux/ata.h where it has one, else the standard's or the
 * Intel 82371SB/AB (PIIX3/PIIX4) datasheet's; fields as shift and mask.
 */
#ifndef XTALK_DEVICES_ATA_REGS_H
#define XTALK_DEVICES_ATA_REGS_H

/* ---------------------------------------------------------- legacy resources */
#define ATA_PRIMARY_CMD		0x1f0	/* command block, 8 ports */
#define ATA_PRIMARY_CTL		0x3f6	/* device control / alternate status */
#define ATA_PRIMARY_IRQ		14
#define ATA_SECONDARY_CMD	0x170
#define ATA_SECONDARY_CTL	0x376
#define ATA_SECONDARY_IRQ	15
/* The control block as a PCI native BAR (4 bytes) has the register at +2:
 * the legacy port ATA_PRIMARY_CTL is control block offset ATA_PCI_CTL_OFS. */
#define ATA_PCI_CTL_OFS		2

/* ---------------------------------------------------------- command block offsets */
#define ATA_REG_DATA		0x00	/* 16-bit data (32-bit: two 16-bit cycles) */
#define ATA_REG_ERR		0x01	/* read: error */
#define ATA_REG_FEATURE		0x01	/* write: features */
#define ATA_REG_NSECT		0x02	/* sector count */
#define ATA_REG_LBAL		0x03	/* LBA low (sector number) */
#define ATA_REG_LBAM		0x04	/* LBA mid (cylinder low) */
#define ATA_REG_LBAH		0x05	/* LBA high (cylinder high) */
#define ATA_REG_DEVICE		0x06	/* device (device/head) */
#define ATA_REG_STATUS		0x07	/* read: status (clears INTRQ) */
#define ATA_REG_CMD		0x07	/* write: command */
#define ATA_CMD_BLOCK_SIZE	8

/* ---------------------------------------------------------- status */
#define ATA_BUSY		(1u << 7)	/* BSY */
#define ATA_DRDY		(1u << 6)	/* device ready */
#define ATA_DF			(1u << 5)	/* device fault */
#define ATA_DSC			(1u << 4)	/* (device seek complete) */
#define ATA_DRQ			(1u << 3)	/* data request */
#define ATA_ERR			(1u << 0)	/* error: see the error register */

/* ---------------------------------------------------------- error */
#define ATA_ICRC		(1u << 7)	/* interface CRC error */
#define ATA_UNC			(1u << 6)	/* uncorrectable data error */
#define ATA_IDNF		(1u << 4)	/* ID (address) not found */
#define ATA_ABORTED		(1u << 2)	/* ABRT: command aborted */
/* Diagnostic codes (after a reset or EXECUTE DEVICE DIAGNOSTIC) */
#define ATA_DIAG_PASSED		0x01	/* device 0 passed, device 1 passed or absent */

/* ---------------------------------------------------------- device register */
#define ATA_LBA			(1u << 6)	/* LBA addressing (else CHS) */
#define ATA_DEV1		(1u << 4)	/* DEV: device 1 selected */
#define ATA_DEVICE_HEAD_MASK	0x0fu		/* LBA 27:24, or the head */

/* ---------------------------------------------------------- device control */
#define ATA_HOB			(1u << 7)	/* read the previous content (48-bit) */
#define ATA_SRST		(1u << 2)	/* software reset */
#define ATA_NIEN		(1u << 1)	/* INTRQ disabled */

/* ---------------------------------------------------------- commands */
#define ATA_CMD_PIO_READ		0x20	/* READ SECTORS */
#define ATA_CMD_PIO_READ_EXT		0x24	/* READ SECTORS EXT */
#define ATA_CMD_READ_EXT		0x25	/* READ DMA EXT */
#define ATA_CMD_READ_NATIVE_MAX_EXT	0x27	/* (HPA: not supported) */
#define ATA_CMD_READ_MULTI_EXT		0x29	/* READ MULTIPLE EXT */
#define ATA_CMD_PIO_WRITE		0x30	/* WRITE SECTORS */
#define ATA_CMD_PIO_WRITE_EXT		0x34	/* WRITE SECTORS EXT */
#define ATA_CMD_WRITE_EXT		0x35	/* WRITE DMA EXT */
#define ATA_CMD_WRITE_MULTI_EXT		0x39	/* WRITE MULTIPLE EXT */
#define ATA_CMD_VERIFY			0x40	/* READ VERIFY SECTORS */
#define ATA_CMD_VERIFY_EXT		0x42	/* READ VERIFY SECTORS EXT */
#define ATA_CMD_EDD			0x90	/* EXECUTE DEVICE DIAGNOSTIC */
#define ATA_CMD_INIT_DEV_PARAMS		0x91	/* INITIALIZE DEVICE PARAMETERS */
#define ATA_CMD_READ_MULTI		0xc4	/* READ MULTIPLE */
#define ATA_CMD_WRITE_MULTI		0xc5	/* WRITE MULTIPLE */
#define ATA_CMD_SET_MULTI		0xc6	/* SET MULTIPLE MODE */
#define ATA_CMD_READ			0xc8	/* READ DMA */
#define ATA_CMD_WRITE			0xca	/* WRITE DMA */
#define ATA_CMD_STANDBYNOW1		0xe0	/* STANDBY IMMEDIATE */
#define ATA_CMD_IDLEIMMEDIATE		0xe1	/* IDLE IMMEDIATE */
#define ATA_CMD_STANDBY			0xe2	/* STANDBY (timer in the count) */
#define ATA_CMD_IDLE			0xe3	/* IDLE (timer in the count) */
#define ATA_CMD_CHK_POWER		0xe5	/* CHECK POWER MODE */
#define ATA_CMD_SLEEP			0xe6	/* SLEEP */
#define ATA_CMD_FLUSH			0xe7	/* FLUSH CACHE */
#define ATA_CMD_FLUSH_EXT		0xea	/* FLUSH CACHE EXT */
#define ATA_CMD_ID_ATA			0xec	/* IDENTIFY DEVICE */
#define ATA_CMD_SET_FEATURES		0xef	/* SET FEATURES */
#define ATA_CMD_READ_NATIVE_MAX		0xf8	/* (HPA: not supported) */

/* SET FEATURES subcommands (features register) */
#define SETFEATURES_WC_ON	0x02	/* enable write cache */
#define SETFEATURES_XFER	0x03	/* set transfer mode (mode in the count) */
#define SETFEATURES_WC_OFF	0x82	/* disable write cache */

/* Transfer modes (the count of SETFEATURES_XFER) */
#define XFER_PIO_SLOW		0x00	/* PIO default mode */
#define XFER_PIO_SLOW_NOIORDY	0x01	/* PIO default mode, IORDY disabled */
#define XFER_PIO_0		0x08	/* PIO flow control mode n: 0x08 + n */
#define XFER_PIO_4		0x0c
#define XFER_MW_DMA_0		0x20	/* multiword DMA mode n: 0x20 + n */
#define XFER_MW_DMA_2		0x22
#define XFER_UDMA_0		0x40	/* Ultra DMA mode n: 0x40 + n */
#define XFER_UDMA_2		0x42

/* CHECK POWER MODE answers (sector count) */
#define ATA_PM_STANDBY		0x00
#define ATA_PM_ACTIVE_IDLE	0xff

/* ---------------------------------------------------------- IDENTIFY DEVICE words */
#define ATA_ID_WORDS		256
#define ATA_ID_CONFIG		0	/* general configuration */
#define ATA_ID_CYLS		1	/* default logical cylinders */
#define ATA_ID_HEADS		3	/* default logical heads */
#define ATA_ID_SECTORS		6	/* default sectors per track */
#define ATA_ID_SERNO		10	/* serial number, 20 ASCII characters */
#define ATA_ID_SERNO_LEN	20
#define ATA_ID_FW_REV		23	/* firmware revision, 8 characters */
#define ATA_ID_FW_REV_LEN	8
#define ATA_ID_PROD		27	/* model number, 40 characters */
#define ATA_ID_PROD_LEN		40
#define ATA_ID_MAX_MULTSECT	47	/* 0x80 << 8 | READ/WRITE MULTIPLE maximum */
#define ATA_ID_CAPABILITY	49
#define ATA_ID_CAPABILITY_2	50	/* bit 14 shall be one */
#define ATA_ID_OLD_PIO_MODES	51
#define ATA_ID_FIELD_VALID	53
#define ATA_ID_CUR_CYLS		54	/* current CHS translation */
#define ATA_ID_CUR_HEADS	55
#define ATA_ID_CUR_SECTORS	56
#define ATA_ID_CUR_CAPACITY	57	/* 57-58: current CHS capacity in sectors */
#define ATA_ID_MULTSECT		59	/* bit 8: valid, 7:0 current multiple count */
#define ATA_ID_LBA_CAPACITY	60	/* 60-61: sectors for 28-bit commands */
#define ATA_ID_MWDMA_MODES	63	/* 2:0 supported, 10:8 selected */
#define ATA_ID_PIO_MODES	64	/* bit 0 PIO 3, bit 1 PIO 4 */
#define ATA_ID_EIDE_DMA_MIN	65	/* ns */
#define ATA_ID_EIDE_DMA_TIME	66
#define ATA_ID_EIDE_PIO		67
#define ATA_ID_EIDE_PIO_IORDY	68
#define ATA_ID_MAJOR_VER	80
#define ATA_ID_MINOR_VER	81
#define ATA_ID_COMMAND_SET_1	82	/* supported */
#define ATA_ID_COMMAND_SET_2	83
#define ATA_ID_CFSSE		84
#define ATA_ID_CFS_ENABLE_1	85	/* enabled */
#define ATA_ID_CFS_ENABLE_2	86
#define ATA_ID_CSF_DEFAULT	87
#define ATA_ID_UDMA_MODES	88	/* 6:0 supported, 14:8 selected */
#define ATA_ID_LBA_CAPACITY_2	100	/* 100-103: sectors for 48-bit commands */
#define ATA_ID_CHECKSUM		255	/* 15:8 checksum, 7:0 0xa5 */

#define ATA_ID_MULTSECT_VALID	(1u << 8)	/* word 59 */
#define ATA_ID_MULT_MAX_TAG	0x8000u		/* word 47 bits 15:8 */
#define ATA_ID_CAP_IORDY	(1u << 11)	/* word 49 */
#define ATA_ID_CAP_LBA		(1u << 9)
#define ATA_ID_CAP_DMA		(1u << 8)
#define ATA_ID_VALID_14		(1u << 14)	/* words 50, 83, 84, 87: shall be one */
#define ATA_ID_FIELD_CHS	(1u << 0)	/* word 53: 54-58 valid */
#define ATA_ID_FIELD_64_70	(1u << 1)	/* word 53: 64-70 valid */
#define ATA_ID_FIELD_88		(1u << 2)	/* word 53: 88 valid */
#define ATA_ID_MAJOR_ATA1_6	0x007eu		/* word 80: ATA-1 .. ATA/ATAPI-6 */
#define ATA_ID_CS1_WCACHE	(1u << 5)	/* words 82/85: write cache */
#define ATA_ID_CS1_PM		(1u << 3)	/* words 82/85: power management */
#define ATA_ID_CS2_FLUSH_EXT	(1u << 13)	/* words 83/86: FLUSH CACHE EXT */
#define ATA_ID_CS2_FLUSH	(1u << 12)	/* words 83/86: FLUSH CACHE */
#define ATA_ID_CS2_LBA48	(1u << 10)	/* words 83/86: 48-bit Address */
#define ATA_ID_CHECKSUM_SIG	0xa5u
#define ATA_ID_SELECTED_SHIFT	8		/* words 63, 88: selected mode bits */

/* Limits of the address forms */
#define ATA_MAX_LBA28		0x0fffffffull	/* words 60-61 at most this */
#define ATA_MAX_LBA48		(1ull << 48)
#define ATA_SECT_SIZE		512

/* ---------------------------------------------------------- PIIX bus master (BAR4, 16 bytes) */
#define ATA_DMA_CHAN_STRIDE	8	/* primary at 0, secondary at 8 */
#define ATA_DMA_CMD		0x00	/* BMICOM (byte) */
#define ATA_DMA_STATUS		0x02	/* BMISTA (byte) */
#define ATA_DMA_TABLE_OFS	0x04	/* BMIDTP (dword) */
#define ATA_BMDMA_SIZE		16

/* BMICOM */
#define ATA_DMA_WR		(1u << 3)	/* RWCON: 1 = bus master writes memory */
#define ATA_DMA_START		(1u << 0)	/* SSBM: start/stop bus master */
/* BMISTA */
#define PIIX_DMA_SIMPLEX	(1u << 7)	/* RO 0: both channels at once */
#define PIIX_DMA_DRV1_CAP	(1u << 6)	/* drive 1 DMA capable (R/W) */
#define PIIX_DMA_DRV0_CAP	(1u << 5)	/* drive 0 DMA capable (R/W) */
#define ATA_DMA_INTR		(1u << 2)	/* IDEINTS (R/WC) */
#define ATA_DMA_ERR		(1u << 1)	/* IDEDMA_ERR (R/WC) */
#define ATA_DMA_ACTIVE		(1u << 0)	/* BMIDEA (RO) */
/* BMIDTP */
#define ATA_DMA_TABLE_MASK	0xfffffffcu	/* bits 31:2 */

/* PRD entry: dword 0 base address (bit 0 zero), dword 1: byte count in 15:0
 * (bit 0 zero, 0 = 64 KiB), end of table in bit 31. */
#define ATA_PRD_SZ		8
#define ATA_PRD_EOT		(1u << 31)
#define ATA_PRD_COUNT_MASK	0xffffu
#define ATA_PRD_BOUNDARY	0x10000u	/* no region or table crosses this */
#define ATA_PRD_MAX		(ATA_PRD_BOUNDARY / ATA_PRD_SZ)	/* 8192 */

#endif
