/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the PIIX3 IDE model (devices/ide.c). The input first
 * chooses which of the four drive slots hold a disk and how big (a few
 * sectors to 2^48), then is a sequence of operations a hostile guest can
 * perform: command, control and bus master accesses of any offset, size and
 * value; task file loads with 28- and 48-bit addresses near and beyond the
 * end of the disk, counts of 0, any opcode; PIO bursts of 16- and 32-bit
 * data accesses; PRD tables written into a 256 KiB fake RAM (regions in,
 * across the end of and outside it, odd, across 64 KiB, with and without
 * end-of-table, tables near a 64 KiB boundary) followed by the bus master
 * start in either order; SRST, nIEN, HOB; hardware resets. After every step
 * the invariants the VMM relies on are checked and abort() on violation:
 *  - ops->pio gets 1..IDE_MULTIPLE_MAX sectors of a present drive, wholly on
 *    its disk (ASan checks the buffer's both ends);
 *  - ops->dma gets a present drive's range wholly on its disk and segments
 *    that are even, non-empty, at most 64 KiB, not across a 64 KiB boundary,
 *    wholly in RAM, at most 8192 of them, totalling nsect * 512 (ASan: both
 *    ends of each are touched in the one exact RAM allocation);
 *  - set_irq reports changes only, and the line equals "the selected drive is
 *    present, has an interrupt pending and nIEN is clear";
 *  - a channel in a data phase belongs to a present drive whose status has
 *    DRQ; PIO positions stay inside the block buffer;
 *  - the error counters add up to the ops->error calls.
 * The RAM's contents steer the model only through PRD entries, which the
 * harness writes before each DMA, so it is not cleared between inputs.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/ata_regs.h"
#include "devices/ide.h"
#include "tests/fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_SIZE	(256u << 10)
#define SECT		512u

struct fz {
	struct ide c;
	uint8_t *ram;
	uint64_t errors;
	bool irq[IDE_NCHANNELS];
	volatile uint8_t sink;
	const uint8_t *in;
	size_t left;
};

static void check(int ok)
{
	if (!ok)
		abort();
}

/* ---------------------------------------------------------- fake VMM */

static void *fz_map(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	struct fz *z = ctx;

	(void)write;
	check(len >= 1 && len <= 0x10000);
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	return z->ram + gpa;
}

FUZZ_CHECKER static const struct ide_drive *drive_of(struct fz *z, unsigned chan, unsigned drive)
{
	check(chan < IDE_NCHANNELS && drive < IDE_NDRIVES);
	check(z->c.ch[chan].drive[drive].present);
	return &z->c.ch[chan].drive[drive];
}

FUZZ_CHECKER static void check_range(const struct ide_drive *d, uint64_t lba, uint32_t nsect)
{
	check(nsect >= 1 && lba < d->sectors && nsect <= d->sectors - lba);
}

static int fz_pio(void *ctx, unsigned chan, unsigned drive, bool write, uint64_t lba,
		  uint32_t nsect, uint8_t *buf)
{
	struct fz *z = ctx;

	check(nsect <= IDE_MULTIPLE_MAX);
	check_range(drive_of(z, chan, drive), lba, nsect);
	if (write) {
		z->sink = (uint8_t)(buf[0] ^ buf[nsect * SECT - 1]);
	} else {
		buf[0] = (uint8_t)lba;
		buf[nsect * SECT - 1] = (uint8_t)(lba >> 8);
	}
	return (lba & 0xff) == 0xe5 ? -1 : 0;	/* a bad sector now and then */
}

FUZZ_CHECKER static void check_seg(const struct ide_seg *s)
{
	check(s->len >= 2 && s->len <= 0x10000 && s->len % 2 == 0 && s->gpa % 2 == 0);
	check((s->gpa & 0xffff) + s->len <= 0x10000);
	check(s->gpa < RAM_SIZE && s->len <= RAM_SIZE - s->gpa);
}

static int fz_dma(void *ctx, unsigned chan, unsigned drive, bool write, uint64_t lba,
		  uint32_t nsect, const struct ide_seg *segs, unsigned nseg)
{
	struct fz *z = ctx;
	uint64_t total = 0;

	check_range(drive_of(z, chan, drive), lba, nsect);
	check(nseg >= 1 && nseg <= IDE_SEGS_MAX);
	for (unsigned i = 0; i < nseg; i++) {
		uint8_t *p = z->ram + segs[i].gpa;

		check_seg(&segs[i]);
		if (write) {
			z->sink = (uint8_t)(p[0] ^ p[segs[i].len - 1]);
		} else {
			p[0] = 0x5a;
			p[segs[i].len - 1] = 0xa5;
		}
		total += segs[i].len;
	}
	check(total == (uint64_t)nsect * SECT);
	return (lba & 0xff) == 0xe5 ? -1 : 0;
}

static int fz_flush(void *ctx, unsigned chan, unsigned drive)
{
	(void)drive_of(ctx, chan, drive);
	return 0;
}

static void fz_irq(void *ctx, unsigned chan, bool level)
{
	struct fz *z = ctx;

	check(chan < IDE_NCHANNELS);
	check(level != z->irq[chan]);
	z->irq[chan] = level;
}

static void fz_error(void *ctx, enum ide_err e, uint64_t detail)
{
	struct fz *z = ctx;

	(void)detail;
	check((unsigned)e < IDE_ERR_COUNT);
	z->errors++;
}

static const struct ide_ops fz_ops = {
	.dma_map = fz_map,
	.pio = fz_pio,
	.dma = fz_dma,
	.flush = fz_flush,
	.set_irq = fz_irq,
	.error = fz_error,
};

/* ---------------------------------------------------------- input */

FUZZ_CHECKER static uint32_t take(struct fz *z, unsigned bytes)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < bytes && z->left; i++) {
		v |= (uint32_t)*z->in << (8 * i);
		z->in++;
		z->left--;
	}
	return v;
}

static unsigned take_size(struct fz *z)
{
	static const unsigned sizes[8] = { 1, 1, 1, 2, 2, 4, 3, 8 };

	return sizes[take(z, 1) & 7];
}

/* ---------------------------------------------------------- invariants */

FUZZ_CHECKER static void check_channel(struct fz *z, unsigned chan)
{
	const struct ide_channel *ch = &z->c.ch[chan];
	unsigned sel = ch->drive[0].tf[ATA_REG_DEVICE] & ATA_DEV1 ? 1 : 0;
	const struct ide_drive *d = &ch->drive[sel];

	check(ch->irq == z->irq[chan]);
	check(ch->irq == (d->present && d->intrq && !(ch->devctl & ATA_NIEN)));
	check(!(ch->bmista & PIIX_DMA_SIMPLEX));
	if (ch->x.phase == IDE_IDLE)
		return;
	check(ch->x.drive < IDE_NDRIVES && ch->drive[ch->x.drive].present);
	check(ch->drive[ch->x.drive].status & ATA_DRQ);
	check(ch->x.left >= 1 && ch->x.left <= 65536);
	if (ch->x.phase != IDE_DMA)
		check(ch->x.pos < ch->x.len && ch->x.len <= sizeof(ch->buf) && ch->x.pos % 2 == 0);
}

FUZZ_CHECKER static void check_state(struct fz *z)
{
	uint64_t errs = 0;

	for (unsigned chan = 0; chan < IDE_NCHANNELS; chan++)
		check_channel(z, chan);
	for (unsigned e = 0; e < IDE_ERR_COUNT; e++)
		errs += z->c.errors[e];
	check(errs == z->errors);
}

/* ---------------------------------------------------------- operations */

static const uint8_t opcodes[] = {
	ATA_CMD_PIO_READ, ATA_CMD_PIO_READ_EXT, ATA_CMD_READ_MULTI, ATA_CMD_READ_MULTI_EXT,
	ATA_CMD_READ, ATA_CMD_READ_EXT, ATA_CMD_PIO_WRITE, ATA_CMD_PIO_WRITE_EXT,
	ATA_CMD_WRITE_MULTI, ATA_CMD_WRITE_MULTI_EXT, ATA_CMD_WRITE, ATA_CMD_WRITE_EXT,
	ATA_CMD_VERIFY, ATA_CMD_VERIFY_EXT, ATA_CMD_ID_ATA, ATA_CMD_FLUSH, ATA_CMD_FLUSH_EXT,
	ATA_CMD_SET_FEATURES, ATA_CMD_SET_MULTI, ATA_CMD_INIT_DEV_PARAMS, ATA_CMD_EDD,
	ATA_CMD_STANDBYNOW1, ATA_CMD_IDLEIMMEDIATE, ATA_CMD_CHK_POWER, ATA_CMD_SLEEP,
};

static void outb(struct fz *z, unsigned chan, uint32_t off, uint32_t v)
{
	ide_cmd_write(&z->c, chan, off, 1, v);
}

/* A task file load and a command: ata_sff_tf_load's order, values from input. */
static void op_command(struct fz *z)
{
	unsigned sel = take(z, 1), chan = sel & 1;
	uint32_t count = take(z, 2), lo = take(z, 3), hi = take(z, 3);
	uint8_t cmd = sel & 0x80 ? (uint8_t)take(z, 1) : opcodes[take(z, 1) % sizeof(opcodes)];

	outb(z, chan, ATA_REG_DEVICE, (sel & 2 ? ATA_DEV1 : 0) | (sel & 4 ? 0 : ATA_LBA) |
					      (hi & 0xf));
	if (sel & 8) {				/* 48-bit: the previous content first */
		outb(z, chan, ATA_REG_NSECT, count >> 8);
		outb(z, chan, ATA_REG_LBAL, hi);
		outb(z, chan, ATA_REG_LBAM, hi >> 8);
		outb(z, chan, ATA_REG_LBAH, hi >> 16);
	}
	outb(z, chan, ATA_REG_FEATURE, sel & 0x10 ? take(z, 1) : SETFEATURES_XFER);
	outb(z, chan, ATA_REG_NSECT, count);
	outb(z, chan, ATA_REG_LBAL, lo);
	outb(z, chan, ATA_REG_LBAM, lo >> 8);
	outb(z, chan, ATA_REG_LBAH, lo >> 16);
	outb(z, chan, ATA_REG_CMD, cmd);
}

/* Up to 4 KiB of PIO data, 16- or 32-bit, in or out. */
static void op_pio(struct fz *z)
{
	unsigned sel = take(z, 1), chan = sel & 1, size = sel & 2 ? 4 : 2;
	unsigned n = (take(z, 1) + 1) * 16 / size;

	for (unsigned i = 0; i < n; i++) {
		if (sel & 4)
			ide_cmd_write(&z->c, chan, ATA_REG_DATA, size, i * 0x01010101u);
		else
			z->sink = (uint8_t)ide_cmd_read(&z->c, chan, ATA_REG_DATA, size);
	}
	check_state(z);
}

/* A region address: mostly in RAM, sometimes at its end or anywhere. */
static uint32_t region(struct fz *z)
{
	uint32_t sel = take(z, 1), at = take(z, 2) * 2u;

	if (sel == 0xfe)
		return RAM_SIZE - 2 * (take(z, 1) & 0x3f);
	if (sel == 0xff)
		return take(z, 4);
	return at % RAM_SIZE;
}

/* A PRD table in RAM (8-byte aligned, or where the input says), then
 * ata_bmdma_setup and, in either order with the command, the start. */
static void op_dma(struct fz *z)
{
	unsigned sel = take(z, 1), chan = sel & 1, n = take(z, 1) % 24 + 1;
	uint32_t table = sel & 0x80 ? take(z, 4) : (take(z, 2) * 8u) % (RAM_SIZE - 24 * 8);
	unsigned off = chan * ATA_DMA_CHAN_STRIDE;

	for (unsigned i = 0; i < n && table < RAM_SIZE && RAM_SIZE - table >= 8 * (i + 1); i++) {
		uint32_t base = region(z), len = take(z, 2);

		if (!(sel & 0x40))
			base &= ~1u, len &= ~1u;
		if (i == n - 1 && !(sel & 0x20))
			len |= ATA_PRD_EOT;
		memcpy(z->ram + table + 8 * i, &base, 4);
		memcpy(z->ram + table + 8 * i + 4, &len, 4);
	}
	ide_bm_write(&z->c, off + ATA_DMA_TABLE_OFS, 4, table);
	ide_bm_write(&z->c, off + ATA_DMA_CMD, 1, sel & 2 ? ATA_DMA_WR : 0);
	ide_bm_write(&z->c, off + ATA_DMA_STATUS, 1, ATA_DMA_INTR | ATA_DMA_ERR);
	check_state(z);
	if (sel & 4)
		op_command(z);
	check_state(z);
	ide_bm_write(&z->c, off + ATA_DMA_CMD, 1, (sel & 2 ? ATA_DMA_WR : 0) | ATA_DMA_START);
	check_state(z);
	if (sel & 8)
		op_command(z);
}

/* The interrupt handler: BMISTA, status, acknowledge, stop. */
static void op_isr(struct fz *z)
{
	unsigned chan = take(z, 1) & 1, off = chan * ATA_DMA_CHAN_STRIDE;
	uint32_t bmista = ide_bm_read(&z->c, off + ATA_DMA_STATUS, 1);

	(void)ide_cmd_read(&z->c, chan, ATA_REG_STATUS, 1);
	check(!z->irq[chan]);
	ide_bm_write(&z->c, off + ATA_DMA_STATUS, 1, bmista);
	ide_bm_write(&z->c, off + ATA_DMA_CMD, 1, 0);
	check(!(ide_bm_read(&z->c, off + ATA_DMA_STATUS, 1) & ATA_DMA_ACTIVE));
}

static void op_raw(struct fz *z, unsigned kind)
{
	unsigned chan = take(z, 1), size = take_size(z);
	uint32_t off = take(z, 1), v = take(z, 4);

	switch (kind) {
	case 0:
		ide_cmd_write(&z->c, chan & 3, off % 10, size, v);
		break;
	case 1:
		z->sink = (uint8_t)ide_cmd_read(&z->c, chan & 3, off % 10, size);
		break;
	case 2:
		ide_ctl_write(&z->c, chan & 3, off % 5, size, v);
		break;
	case 3:
		z->sink = (uint8_t)ide_ctl_read(&z->c, chan & 3, off % 5, size);
		break;
	case 4:
		ide_bm_write(&z->c, off % 18, size, v);
		break;
	default:
		z->sink = (uint8_t)ide_bm_read(&z->c, off % 18, size);
		break;
	}
}

static void step(struct fz *z)
{
	unsigned op = take(z, 1) % 14;

	switch (op) {
	case 0 ... 5:
		op_raw(z, op);
		break;
	case 6:
	case 7:
		op_command(z);
		break;
	case 8:
	case 9:
		op_pio(z);
		break;
	case 10:
	case 11:
		op_dma(z);
		break;
	case 12:
		op_isr(z);
		break;
	default:
		if (take(z, 1) == 0x5a)
			ide_reset(&z->c);
		else
			ide_ctl_write(&z->c, take(z, 1) & 1, ATA_PCI_CTL_OFS, 1, take(z, 1));
		break;
	}
	check_state(z);
}

/* Which slots hold a disk, and how many sectors. */
static void attach(struct fz *z)
{
	unsigned mask = take(z, 1);

	for (unsigned slot = 0; slot < 4; slot++) {
		uint32_t sel = take(z, 1);
		uint64_t sectors = sel & 0x80 ? (uint64_t)take(z, 4) << (sel & 0x1f)
					      : (uint64_t)take(z, 2) + 1;

		if (mask & (1u << slot))
			(void)ide_attach(&z->c, slot >> 1, slot & 1, sectors, "FUZZ", "1");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz *z;

	if (!z) {
		z = calloc(1, sizeof(*z));
		check(z != NULL);
		z->ram = calloc(1, RAM_SIZE);
		check(z->ram != NULL);
	}
	z->errors = 0;
	memset(z->irq, 0, sizeof(z->irq));
	z->in = data;
	z->left = size;
	ide_init(&z->c, &fz_ops, z);
	attach(z);
	check_state(z);
	while (z->left)
		step(z);
	return 0;
}
