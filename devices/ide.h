/* SPDX-License-Identifier: MIT */
/*
 * Model of a PIIX3 IDE function (PCI 8086:7010; the same registers as a
 * PIIX4's 8086:7111) with ATA disks, as the guest's own driver (Linux's
 * ata_piix, our test guests) sees it: two channels, each with a command
 * block (legacy 0x1f0-0x1f7 and 0x170-0x177), a control block register
 * (legacy 0x3f6 and 0x376), INTRQ (IRQ 14 and 15), a master and a slave
 * drive slot, and the bus master registers (BAR4, 8 bytes per channel).
 * Pure device logic: the VMM traps the guest's port accesses, maps them to
 * channel-relative offsets and calls ide_cmd_*, ide_ctl_* and ide_bm_*.
 *
 * Commands execute synchronously, inside the register access that starts
 * them: a command register write, the last data word of a PIO block, the
 * bus master start bit. Sector data moves through ops: ops->pio one PIO
 * block (1 sector, or the READ/WRITE MULTIPLE count) per call, ops->dma a
 * whole DMA command with its validated list of guest-physical segments
 * (the VMM copies or remaps as it likes), ops->flush for FLUSH CACHE (EXT).
 *
 * Every register value, PRD entry and size is hostile: bad input is
 * answered as the drive or the PIIX answers it (ERR/ABRT, IDNF, the bus
 * master error bit), counted in ide.errors[] and reported through
 * ops->error; the model never names memory outside the PRD entries it
 * validated; each call does bounded work (at most one ops->pio call, or one
 * PRD walk of at most ATA_PRD_MAX entries and one ops->dma call).
 *
 * Names as in ATA/ATAPI-6, the Intel 82371SB (PIIX3) datasheet and Linux's
 * include/linux/ata.h (devices/ata_regs.h).
 */
#ifndef XTALK_DEVICES_IDE_H
#define XTALK_DEVICES_IDE_H

#include <stdbool.h>
#include <stdint.h>

#define IDE_VENDOR		0x8086
#define IDE_DEVICE_PIIX3	0x7010
#define IDE_NCHANNELS		2
#define IDE_NDRIVES		2	/* master (device 0), slave (device 1) */
#define IDE_MULTIPLE_MAX	16	/* sectors per READ/WRITE MULTIPLE block */
#define IDE_SEGS_MAX		8192	/* PRD entries in one walk (ATA_PRD_MAX) */

/* Bad guest input, each counted in ide.errors[] and reported through ops->error. */
enum ide_err {
	IDE_ERR_ACCESS_SIZE,	/* a register accessed with a size it does not have
				 * (detail: chan << 16 | block << 12 | off << 4 | size) */
	IDE_ERR_DATA_PORT,	/* data register accessed outside a PIO data phase of
				 * the selected drive (detail: chan << 4 | size) */
	IDE_ERR_COMMAND,	/* an opcode the drive does not implement: ABRT (detail: opcode) */
	IDE_ERR_PARAM,		/* a parameter the drive refuses: ABRT (SET FEATURES,
				 * SET MULTIPLE MODE, READ/WRITE MULTIPLE with multiple
				 * mode off; detail: opcode << 16 | features << 8 | count) */
	IDE_ERR_BUSY,		/* a command written while the previous one is still in
				 * its data phase: the old one is abandoned (detail: opcode) */
	IDE_ERR_LBA_RANGE,	/* an address beyond the disk or a range crossing its
				 * end: IDNF (detail: the first sector not on the disk) */
	IDE_ERR_ZERO_COUNT,	/* sector count 0: unusual, executed as 256 or 65536
				 * sectors as the standard says (detail: opcode) */
	IDE_ERR_PRD_RAM,	/* a PRD entry or the region it names not wholly in guest
				 * RAM (detail: its address) */
	IDE_ERR_PRD_NO_EOT,	/* no end-of-table before the 64 KiB boundary above
				 * BMIDTP: the table would cross it (detail: BMIDTP) */
	IDE_ERR_PRD_ODD,	/* a PRD base address or byte count with bit 0 set
				 * (detail: base << 32 | count dword) */
	IDE_ERR_PRD_64K,	/* a PRD region crossing a 64 KiB boundary (detail: base << 32 | bytes) */
	IDE_ERR_PRD_SHORT,	/* the PRD table ends before the transfer does
				 * (detail: the table's bytes << 32 | the transfer's bytes) */
	IDE_ERR_DMA_DIRECTION,	/* bus master direction (BMICOM bit 3) against the
				 * command's (detail: opcode) */
	IDE_ERR_COUNT
};

/* One guest-physical piece of a DMA transfer, in transfer order. */
struct ide_seg {
	uint64_t gpa;
	uint32_t len;		/* even, >= 2, <= 64 KiB, not across a 64 KiB boundary */
};

struct ide_ops {
	/* Host pointer to guest RAM [gpa, gpa + len), NULL when any of it is not
	 * RAM; write: the device will write it. Used for PRD tables, and to
	 * check each PRD region before ops->dma. */
	void *(*dma_map)(void *ctx, uint64_t gpa, uint64_t len, bool write);
	/* One PIO block: nsect (1..IDE_MULTIPLE_MAX) sectors at lba, of 512
	 * bytes, to (write) or from buf. 0, or negative: the command ends with
	 * ERR and UNC (read) or ABRT (write), the error address at lba. */
	int (*pio)(void *ctx, unsigned chan, unsigned drive, bool write, uint64_t lba,
		   uint32_t nsect, uint8_t *buf);
	/* A whole DMA command: nsect (1..65536) sectors at lba to (write) or from
	 * guest RAM; segs (nseg >= 1) are validated and total nsect * 512 bytes.
	 * 0: done; negative: ERR and UNC (read) or ABRT (write), address lba;
	 * IDE_DMA_PENDING: the VMM goes on with it later (the drive shows BSY,
	 * the bus master stays active, segs stay valid) and ends it with
	 * ide_dma_done(). */
	int (*dma)(void *ctx, unsigned chan, unsigned drive, bool write, uint64_t lba,
		   uint32_t nsect, const struct ide_seg *segs, unsigned nseg);
	/* Optional: a pending DMA is over without ide_dma_done (the guest reset
	 * the channel or stopped the bus master): move nothing more. */
	void (*dma_cancel)(void *ctx, unsigned chan);
	/* FLUSH CACHE (EXT): 0 when everything written is on the medium;
	 * negative: ERR and ABRT. */
	int (*flush)(void *ctx, unsigned chan, unsigned drive);
	/* The channel's INTRQ line (IRQ 14 or 15) changed. */
	void (*set_irq)(void *ctx, unsigned chan, bool level);
	void (*error)(void *ctx, enum ide_err e, uint64_t detail);
};

/* A drive slot: the disk, and the task file registers as this drive holds them. */
struct ide_drive {
	bool present;
	uint64_t sectors;	/* capacity in 512-byte sectors */
	char model[40];		/* IDENTIFY strings, space-padded ASCII */
	char serial[20];
	/* Task file: tf[] current, hob[] previous content (48-bit), indexed by
	 * ATA_REG_FEATURE .. ATA_REG_LBAH; tf[ATA_REG_DEVICE] the device register. */
	uint8_t tf[8];
	uint8_t hob[8];
	uint8_t error;
	uint8_t status;
	bool intrq;		/* interrupt pending (cleared by a status read) */
	uint8_t multiple;	/* READ/WRITE MULTIPLE sectors per block, 0 = off */
	uint8_t dma_mode;	/* selected XFER_MW_DMA_n / XFER_UDMA_n, 0 = none */
	bool write_cache;
	bool standby;
	uint8_t heads, spt;	/* current CHS translation (INITIALIZE DEVICE PARAMETERS) */
};

enum ide_phase {
	IDE_IDLE,
	IDE_PIO_IN,		/* data-in: the host reads buf */
	IDE_PIO_OUT,		/* data-out: the host writes buf */
	IDE_DMA,		/* waiting for the bus master */
	IDE_DMA_BUSY,		/* the VMM moves the data (ops->dma said pending): BSY */
};

/* The command in its data phase on a channel. */
struct ide_xfer {
	enum ide_phase phase;
	unsigned drive;
	uint8_t cmd;
	bool identify;		/* PIO_IN of IDENTIFY DEVICE: no disk blocks */
	uint64_t lba;		/* the current block's first sector */
	uint32_t left;		/* sectors from lba to the end of the command */
	uint32_t block;		/* sectors per block (1 or the multiple count) */
	uint32_t pos;		/* bytes of the current block transferred */
	uint32_t len;		/* bytes in the current block */
	bool eot;		/* DMA: the PRD table ended with the transfer */
};

struct ide_channel {
	struct ide_drive drive[IDE_NDRIVES];
	uint8_t devctl;		/* device control as last written */
	bool irq;		/* INTRQ as last given to ops->set_irq */
	uint8_t bmicom;		/* BMICOM: ATA_DMA_START, ATA_DMA_WR */
	uint8_t bmista;		/* BMISTA */
	uint32_t bmidtp;	/* BMIDTP */
	struct ide_xfer x;
	uint8_t buf[IDE_MULTIPLE_MAX * 512];
	/* The segments of its DMA: valid from ops->dma until ide_dma_done. */
	struct ide_seg segs[IDE_SEGS_MAX];
};

struct ide {
	struct ide_channel ch[IDE_NCHANNELS];
	uint64_t errors[IDE_ERR_COUNT];
	uint64_t irqs;		/* rising edges of INTRQ, both channels */
	const struct ide_ops *ops;
	void *ctx;
};

void ide_init(struct ide *c, const struct ide_ops *ops, void *ctx);
/* Attaches an ATA disk of sectors 512-byte sectors (1 .. 2^48) to a slot, in
 * its power-on state; model and serial as IDENTIFY reports them (ASCII,
 * cut to 40 and 20 characters). 0, or -XT_EINVAL. Before the guest runs. */
int ide_attach(struct ide *c, unsigned chan, unsigned drive, uint64_t sectors,
	       const char *model, const char *serial);
/* Hardware reset (PCI reset): every attached drive in its power-on state
 * (with the ATA signature), the bus master stopped, INTRQ low. */
void ide_reset(struct ide *c);

/* Command block (off 0..7: ATA_REG_*; data 2 or 4 bytes, the rest 1). */
uint32_t ide_cmd_read(struct ide *c, unsigned chan, uint32_t off, unsigned size);
void ide_cmd_write(struct ide *c, unsigned chan, uint32_t off, unsigned size, uint32_t val);
/* Control block as a PCI native BAR: off ATA_PCI_CTL_OFS is alternate status
 * (read) and device control (write), 1 byte; the legacy port 0x3f6/0x376. */
uint32_t ide_ctl_read(struct ide *c, unsigned chan, uint32_t off, unsigned size);
void ide_ctl_write(struct ide *c, unsigned chan, uint32_t off, unsigned size, uint32_t val);
/* Bus master registers, off 0..15 of BAR4 (ATA_DMA_*, secondary at +8). */
uint32_t ide_bm_read(struct ide *c, uint32_t off, unsigned size);
void ide_bm_write(struct ide *c, uint32_t off, unsigned size, uint32_t val);

/* The level of a channel's INTRQ (IRQ 14 or 15). */
bool ide_irq_level(const struct ide *c, unsigned chan);

#define IDE_DMA_PENDING 1
/* The pending DMA of chan is over: rc 0 or negative as ops->dma's. Ignored
 * when no DMA is pending there (cancelled meanwhile). */
void ide_dma_done(struct ide *c, unsigned chan, int rc);

#endif
