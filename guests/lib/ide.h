/* SPDX-License-Identifier: MIT */
/*
 * A small driver for a PIIX3/PIIX4 IDE function (PCI class 0x0101) in
 * compatibility mode with ATA disks, for xtalk's disk test guest. Register
 * names are devices/ata_regs.h's; the protocols are ATA/ATAPI-6's
 * ("Device selection protocol", "PIO data-in", "PIO data-out", "DMA
 * command protocol", "Non-data command protocol", "Software reset
 * protocol") with the PIIX bus master ("Bus Master IDE Registers",
 * "Physical Region Descriptor Format"). One controller per guest.
 *
 * - ide_probe(): the first class 0x0101 function on bus 0, compatibility
 *   mode (programming interface bits 0 and 2 clear: command blocks
 *   0x1f0/0x170, control 0x3f6/0x376, IRQ 14/15), the bus master I/O BAR4
 *   (16 bytes: primary at +0, secondary at +8), COMMAND I/O | MASTER, the
 *   IDE decode enable bits of IDETIM. In irq mode: a handler on IRQ 14 and
 *   15 (edge-triggered, as ISA lines are) that reads the status register,
 *   which deasserts INTRQ, and the PIT for deadlines. Prints "ide: ..."
 *   lines.
 * - ide_reset(): SRST on a channel, then each drive's signature (01h 01h
 *   00h 00h in count and LBA is an ATA disk; status 00h an absent device 1;
 *   7Fh or FFh an empty channel).
 * - Commands: the task file in LBA form (28-bit, or 48-bit with the
 *   previous content first), PIO by REP INSW/OUTSW on the 16-bit data
 *   port (one VM exit per sector, not per word), DMA through a PRD table in
 *   guest RAM (guest-physical = virtual). Completion: IDE_IRQ waits for the
 *   channel's interrupt in STI; HLT; IDE_POLL polls the alternate status
 *   (PIO, non-data) or BMISTA's interrupt bit (DMA) with the 8259 line
 *   masked. nIEN stays clear in both modes (the PIIX sets BMISTA's
 *   interrupt bit only on INTRQ). Every wait has a deadline.
 * - Errors are returned with what the device answered (struct ide_result)
 *   and never printed by the command functions: the caller decides.
 */
#ifndef XTALK_GUEST_IDE_H
#define XTALK_GUEST_IDE_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/ata_regs.h"
#include "pci.h"

#define IDE_CLASS 0x0101        /* mass storage, IDE (class code bits 23:8) */
#define IDE_VENDOR_INTEL 0x8086 /* PIIX3 8086:7010, PIIX4 8086:7111 */
#define IDE_PROGIF_PRI_NATIVE 0x01
#define IDE_PROGIF_SEC_NATIVE 0x04
#define IDE_PROGIF_BUS_MASTER 0x80
#define IDE_BAR_BM 4            /* BAR4: the bus master registers */
#define IDE_NCHAN 2
#define IDE_NDRIVE 2
#define IDE_PRD_ENTRIES 512     /* one 4 KiB table */
#define IDE_MODEL_LEN 40
#define IDE_SECT ATA_SECT_SIZE

/* Return codes (negative) */
#define IDE_ETIMEDOUT (-1)      /* no completion before the deadline */
#define IDE_EINVAL (-2)         /* the caller's arguments */
#define IDE_EIO (-3)            /* the device ended with ERR, DF, a bus master error, or out of protocol */
#define IDE_ENODEV (-4)

enum ide_wait { IDE_POLL, IDE_IRQ };

/* A command's task file, LBA form. count is the sector count as the
 * command means it; the register gets its low 8 (16 for ext) bits, so 256
 * (65536) is written as 0, as ATA-6 says. */
struct ide_tf {
	uint8_t command;
	uint8_t feature;
	uint64_t lba;
	uint32_t count;
	bool ext;               /* 48-bit: count and LBA 47:24 (previous content) first */
};

/* What the device answered at the end of a command (or at the deadline). */
struct ide_result {
	uint8_t status;         /* status register */
	uint8_t error;          /* error register */
	uint8_t bmista;         /* DMA: BMISTA before the bus master was stopped */
	bool timeout;
	uint32_t sectors;       /* PIO: sectors moved through the data port */
};

/* One transfer of count sectors at lba between buf and the disk. */
struct ide_xfer {
	unsigned chan, drive;
	bool write;
	bool ext;               /* READ/WRITE ... EXT */
	uint64_t lba;
	uint32_t count;         /* 1..256 (28-bit), 1..65536 (48-bit) */
	uint8_t *buf;           /* DMA: even address, below 4 GiB */
};

struct ide_chan {
	uint16_t cmd, ctl, bm;  /* command block, control port, bus master registers */
	uint8_t irq;
	volatile uint64_t irqs; /* handler runs */
	volatile uint8_t isr_status; /* the status the handler read last */
	uint64_t seen;          /* irqs when the last command was issued or event seen */
	uint64_t commands, sleeps, polls;
};

struct ide_drive {
	bool present;
	bool atapi;             /* signature 14h EBh: not driven here */
	bool lba48;             /* IDENTIFY words 83 and 86 bit 10 */
	bool dma;               /* word 49 bit 8 */
	uint64_t sectors;       /* words 100-103 with lba48, else 60-61 */
	char model[IDE_MODEL_LEN + 1]; /* words 27-46, trailing spaces cut */
};

struct ide {
	/* The PRD table ide_dma() fills: 4 KiB-aligned, so it never crosses 64 KiB. */
	uint32_t prd[IDE_PRD_ENTRIES * 2] __attribute__((aligned(4096)));
	struct pci_dev pci;
	uint32_t class_code;    /* class, subclass, programming interface */
	enum ide_wait wait;
	bool wake_timer;        /* irq mode: the PIT ends a sleep at its deadline */
	uint32_t timeout_ms;    /* per command */
	struct ide_chan ch[IDE_NCHAN];
	struct ide_drive drive[IDE_NCHAN][IDE_NDRIVE];
};

/* 0, or a negative code after printing "ide: error: ...". */
int ide_probe(struct ide *d, enum ide_wait wait, uint32_t timeout_ms);
/* SRST alone (ATA-6 "Software reset protocol"), no message: 0 with the
 * diagnostic code (error register) in *diag, IDE_ENODEV when status reads
 * FFh (nothing on the channel), IDE_ETIMEDOUT when BSY stays set. */
int ide_srst(struct ide *d, unsigned chan, uint8_t *diag);
/* SRST on chan and the drives' signatures into d->drive[chan]; prints one
 * line. 0, or a negative code (BSY did not clear). */
int ide_reset(struct ide *d, unsigned chan);
/* IDENTIFY DEVICE into d->drive[chan][drive], then SET FEATURES to
 * multiword DMA 2 if the drive has it; prints one line. 0 or negative
 * (with r, if given, holding the device's answer). */
int ide_identify(struct ide *d, unsigned chan, unsigned drive, struct ide_result *r);

/* READ/WRITE SECTORS (EXT): 0, or negative with r filled. */
int ide_pio(struct ide *d, const struct ide_xfer *x, struct ide_result *r);
/* READ/WRITE DMA (EXT) through d->prd, regions of at most seg_max bytes
 * (even, 2..65536): 0, or negative with r filled. */
int ide_dma(struct ide *d, const struct ide_xfer *x, uint32_t seg_max, struct ide_result *r);
/* FLUSH CACHE (EXT): 0, or negative with r filled. */
int ide_flush(struct ide *d, unsigned chan, unsigned drive, bool ext, struct ide_result *r);

/* Build blocks: fill table (room for max entries) with regions covering
 * [addr, addr + bytes), each at most seg_max bytes and none crossing a
 * 64 KiB boundary, end-of-table on the last. The entry count, or 0 when
 * the input is bad (odd address, length or seg_max, 0 bytes, above 4 GiB)
 * or max entries do not suffice. Pure. */
unsigned ide_prd_fill(uint32_t *table, unsigned max, uint64_t addr, uint32_t bytes,
		      uint32_t seg_max);
/* Whether lba/count need the 48-bit form: past LBA 2^28 - 1, or more than
 * 255 sectors (256 would be a count of 0) when the drive has 48-bit. Pure. */
bool ide_need_ext(uint64_t lba, uint32_t count, bool lba48);

/* Select the drive and issue tf (the bus master is the caller's). 0, or
 * IDE_ETIMEDOUT when BSY or DRQ stays set (r filled). */
int ide_issue(struct ide *d, unsigned chan, unsigned drive, const struct ide_tf *tf,
	      struct ide_result *r);
/* Wait for a non-data command issued with ide_issue(): 0 or negative. */
int ide_wait_done(struct ide *d, unsigned chan, uint32_t timeout_ms, struct ide_result *r);
/* The PIO data phase of a command issued with ide_issue(). */
int ide_pio_data(struct ide *d, unsigned chan, bool write, uint8_t *buf, uint32_t count,
		 uint32_t timeout_ms, struct ide_result *r);
/* Bus master: stopped, BMIDTP = table, the direction (to_memory: a read
 * command's), interrupt and error cleared. */
void ide_bm_setup(struct ide *d, unsigned chan, uint32_t table, bool to_memory);
void ide_bm_start(struct ide *d, unsigned chan);
/* Wait for a DMA command's end, read BMISTA, stop the bus master, read
 * status and error, clear BMISTA's interrupt and error bits: 0, or
 * negative with r filled. */
int ide_dma_finish(struct ide *d, unsigned chan, uint32_t timeout_ms, struct ide_result *r);
/* Clear BMISTA's interrupt and error bits (drive-capable bits kept). */
void ide_bm_clear(struct ide *d, unsigned chan);
uint8_t ide_bmista(struct ide *d, unsigned chan);
uint8_t ide_altstatus(struct ide *d, unsigned chan);

/* Print "WHO: ide chan C: commands N irqs I sleeps S polls P" per channel used. */
void ide_print_stats(const struct ide *d, const char *who);

#endif
