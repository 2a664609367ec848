// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the PIIX3 IDE model (devices/ide.c), driven only
 * through port accesses, mostly with the sequences Linux's libata-sff and
 * ata_piix use (ata_devchk, SRST, the task file loads of ata_sff_tf_load,
 * ata_bmdma_setup/start/stop, the interrupt handler's status reads). The
 * "guest" is a 4 MiB buffer; dma_map refuses anything not wholly inside
 * it. The disk is a byte array of DISK_SECTORS sectors (sectors beyond it
 * read a pattern of their LBA, writes there are only recorded); callbacks
 * record their arguments, IRQ changes and errors.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devices/ata_regs.h"
#include "devices/ide.h"
#include "lib/xerrno.h"

#define RAM_SIZE	(4u << 20)
#define DISK_SECTORS	4096u
#define SECT		512u
#define PRI		0u
#define SEC		1u
#define TABLE		0x10000u	/* a PRD table, 64 KiB aligned */
#define BUF_A		0x100000u
#define BUF_B		0x200000u	/* 64 KiB aligned: room for a 0-count entry */
#define BUF_C		0x300000u

struct fake {
	struct ide c;
	uint8_t *ram;
	uint8_t *disk;
	uint64_t disk_sectors;	/* attached capacity (may exceed the array) */
	bool irq[IDE_NCHANNELS];
	unsigned rises[IDE_NCHANNELS];
	unsigned pio_calls, dma_calls, flush_calls;
	unsigned last_chan, last_drive;
	bool last_write;
	uint64_t last_lba;
	uint32_t last_nsect;
	uint32_t nsects[64];	/* nsect of each pio call */
	bool fail_pio;
	uint64_t fail_lba;
	int dma_rc, flush_rc;
	struct ide_seg segs[16];
	unsigned nseg;
	unsigned err[IDE_ERR_COUNT];
	uint64_t last_detail;
};

/* ---------------------------------------------------------- fake VMM and disk */

static uint8_t pattern(uint64_t lba, uint32_t i)
{
	return (uint8_t)(lba * 31 + i * 7 + (i >> 8));
}

/* The disk as a byte stream from byte offset at. */
static void disk_bytes(struct fake *fk, uint64_t at, uint8_t *buf, uint32_t bytes, bool write)
{
	for (uint32_t i = 0; i < bytes; i++) {
		uint64_t s = (at + i) / SECT, o = (at + i) % SECT;

		if (s >= DISK_SECTORS && !write)
			buf[i] = pattern(s, (uint32_t)o);
		else if (s < DISK_SECTORS && write)
			fk->disk[s * SECT + o] = buf[i];
		else if (s < DISK_SECTORS)
			buf[i] = fk->disk[s * SECT + o];
	}
}

static void disk_read(struct fake *fk, uint64_t lba, uint8_t *buf, uint32_t bytes)
{
	disk_bytes(fk, lba * SECT, buf, bytes, false);
}

static void disk_write(struct fake *fk, uint64_t lba, uint8_t *buf, uint32_t bytes)
{
	disk_bytes(fk, lba * SECT, buf, bytes, true);
}

static void *fake_map(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	struct fake *fk = ctx;

	(void)write;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	return fk->ram + gpa;
}

static void record(struct fake *fk, unsigned chan, unsigned drive, bool write, uint64_t lba,
		   uint32_t nsect)
{
	fk->last_chan = chan;
	fk->last_drive = drive;
	fk->last_write = write;
	fk->last_lba = lba;
	fk->last_nsect = nsect;
	assert_true(lba + nsect <= fk->disk_sectors);	/* never off the disk */
}

static int fake_pio(void *ctx, unsigned chan, unsigned drive, bool write, uint64_t lba,
		    uint32_t nsect, uint8_t *buf)
{
	struct fake *fk = ctx;

	assert_true(nsect >= 1 && nsect <= IDE_MULTIPLE_MAX);
	record(fk, chan, drive, write, lba, nsect);
	if (fk->pio_calls < 64)
		fk->nsects[fk->pio_calls] = nsect;
	fk->pio_calls++;
	if (fk->fail_pio && fk->fail_lba >= lba && fk->fail_lba < lba + nsect)
		return -XT_EIO;
	if (write)
		disk_write(fk, lba, buf, nsect * SECT);
	else
		disk_read(fk, lba, buf, nsect * SECT);
	return 0;
}

static int fake_dma(void *ctx, unsigned chan, unsigned drive, bool write, uint64_t lba,
		    uint32_t nsect, const struct ide_seg *segs, unsigned nseg)
{
	struct fake *fk = ctx;
	uint64_t total = 0, at = lba * SECT;

	record(fk, chan, drive, write, lba, nsect);
	fk->dma_calls++;
	fk->nseg = nseg;
	for (unsigned i = 0; i < nseg; i++) {
		assert_true(segs[i].gpa < RAM_SIZE && segs[i].len <= RAM_SIZE - segs[i].gpa);
		assert_true(segs[i].len > 0 && segs[i].len % 2 == 0);
		if (i < 16)
			fk->segs[i] = segs[i];
		disk_bytes(fk, at, fk->ram + segs[i].gpa, segs[i].len, write);
		total += segs[i].len;
		at += segs[i].len;
	}
	assert_int_equal(total, (uint64_t)nsect * SECT);
	return fk->dma_rc;
}

static int fake_flush(void *ctx, unsigned chan, unsigned drive)
{
	struct fake *fk = ctx;

	fk->flush_calls++;
	fk->last_chan = chan;
	fk->last_drive = drive;
	return fk->flush_rc;
}

static void fake_irq(void *ctx, unsigned chan, bool level)
{
	struct fake *fk = ctx;

	assert_true(chan < IDE_NCHANNELS);
	assert_true(level != fk->irq[chan]);	/* changes only */
	fk->irq[chan] = level;
	if (level)
		fk->rises[chan]++;
}

static void fake_error(void *ctx, enum ide_err e, uint64_t detail)
{
	struct fake *fk = ctx;

	assert_true((unsigned)e < IDE_ERR_COUNT);
	fk->err[e]++;
	fk->last_detail = detail;
}

static unsigned cancels;

static void fake_cancel(void *ctx, unsigned chan)
{
	(void)ctx;
	(void)chan;
	cancels++;
}

static const struct ide_ops fake_ops = {
	.dma_map = fake_map,
	.pio = fake_pio,
	.dma = fake_dma,
	.flush = fake_flush,
	.set_irq = fake_irq,
	.error = fake_error,
	.dma_cancel = fake_cancel,
};

static int setup(void **state)
{
	struct fake *fk = calloc(1, sizeof(*fk));

	assert_non_null(fk);
	fk->ram = calloc(1, RAM_SIZE);
	fk->disk = malloc(DISK_SECTORS * SECT);
	assert_non_null(fk->ram);
	assert_non_null(fk->disk);
	for (uint32_t s = 0; s < DISK_SECTORS; s++)
		for (uint32_t i = 0; i < SECT; i++)
			fk->disk[s * SECT + i] = pattern(s, i);
	ide_init(&fk->c, &fake_ops, fk);
	fk->disk_sectors = DISK_SECTORS;
	assert_int_equal(ide_attach(&fk->c, PRI, 0, DISK_SECTORS, "XTALK TEST DISK", "SN0123"), 0);
	*state = fk;
	return 0;
}

static int teardown(void **state)
{
	struct fake *fk = *state;

	free(fk->disk);
	free(fk->ram);
	free(fk);
	return 0;
}

/* ---------------------------------------------------------- helpers */

static void outb(struct fake *fk, unsigned chan, uint32_t off, uint32_t v)
{
	ide_cmd_write(&fk->c, chan, off, 1, v);
}

static uint32_t inb(struct fake *fk, unsigned chan, uint32_t off)
{
	return ide_cmd_read(&fk->c, chan, off, 1);
}

static uint32_t altstatus(struct fake *fk, unsigned chan)
{
	return ide_ctl_read(&fk->c, chan, ATA_PCI_CTL_OFS, 1);
}

static void devctl(struct fake *fk, unsigned chan, uint32_t v)
{
	ide_ctl_write(&fk->c, chan, ATA_PCI_CTL_OFS, 1, v);
}

static void bm_out(struct fake *fk, unsigned chan, uint32_t reg, uint32_t v)
{
	ide_bm_write(&fk->c, chan * ATA_DMA_CHAN_STRIDE + reg, 1, v);
}

static uint32_t bm_in(struct fake *fk, unsigned chan, uint32_t reg)
{
	return ide_bm_read(&fk->c, chan * ATA_DMA_CHAN_STRIDE + reg, 1);
}

/* ata_sff_tf_load for a 28-bit LBA command, then the command. */
static void cmd28(struct fake *fk, unsigned chan, unsigned drive, uint8_t cmd, uint32_t lba,
		  uint32_t count)
{
	outb(fk, chan, ATA_REG_DEVICE, 0xa0 | ATA_LBA | drive << 4 | (lba >> 24 & 0xf));
	outb(fk, chan, ATA_REG_FEATURE, 0);
	outb(fk, chan, ATA_REG_NSECT, count & 0xff);
	outb(fk, chan, ATA_REG_LBAL, lba & 0xff);
	outb(fk, chan, ATA_REG_LBAM, lba >> 8 & 0xff);
	outb(fk, chan, ATA_REG_LBAH, lba >> 16 & 0xff);
	outb(fk, chan, ATA_REG_CMD, cmd);
}

/* ... and for 48-bit: the previous content first. */
static void cmd48(struct fake *fk, unsigned chan, unsigned drive, uint8_t cmd, uint64_t lba,
		  uint32_t count)
{
	outb(fk, chan, ATA_REG_DEVICE, ATA_LBA | drive << 4);
	outb(fk, chan, ATA_REG_NSECT, count >> 8 & 0xff);
	outb(fk, chan, ATA_REG_LBAL, lba >> 24 & 0xff);
	outb(fk, chan, ATA_REG_LBAM, lba >> 32 & 0xff);
	outb(fk, chan, ATA_REG_LBAH, lba >> 40 & 0xff);
	outb(fk, chan, ATA_REG_NSECT, count & 0xff);
	outb(fk, chan, ATA_REG_LBAL, lba & 0xff);
	outb(fk, chan, ATA_REG_LBAM, lba >> 8 & 0xff);
	outb(fk, chan, ATA_REG_LBAH, lba >> 16 & 0xff);
	outb(fk, chan, ATA_REG_CMD, cmd);
}

static void simple_cmd(struct fake *fk, unsigned chan, uint8_t cmd, uint8_t feature, uint8_t count)
{
	outb(fk, chan, ATA_REG_FEATURE, feature);
	outb(fk, chan, ATA_REG_NSECT, count);
	outb(fk, chan, ATA_REG_CMD, cmd);
}

static void read_words(struct fake *fk, unsigned chan, uint8_t *buf, uint32_t bytes)
{
	for (uint32_t i = 0; i < bytes; i += 2) {
		uint32_t v = ide_cmd_read(&fk->c, chan, ATA_REG_DATA, 2);

		buf[i] = (uint8_t)v;
		buf[i + 1] = (uint8_t)(v >> 8);
	}
}

static void write_words(struct fake *fk, unsigned chan, const uint8_t *buf, uint32_t bytes)
{
	for (uint32_t i = 0; i < bytes; i += 2)
		ide_cmd_write(&fk->c, chan, ATA_REG_DATA, 2, buf[i] | (uint32_t)buf[i + 1] << 8);
}

static void identify(struct fake *fk, unsigned chan, uint16_t *id)
{
	uint8_t b[SECT];

	outb(fk, chan, ATA_REG_CMD, ATA_CMD_ID_ATA);
	assert_true(fk->irq[chan]);			/* PIO data-in: INTRQ with the block */
	assert_int_equal(inb(fk, chan, ATA_REG_STATUS), ATA_DRDY | ATA_DSC | ATA_DRQ);
	assert_false(fk->irq[chan]);
	read_words(fk, chan, b, SECT);
	for (unsigned i = 0; i < ATA_ID_WORDS; i++)
		id[i] = (uint16_t)(b[2 * i] | b[2 * i + 1] << 8);
}

static void put_prd(struct fake *fk, uint32_t at, uint32_t base, uint32_t flags_len)
{
	for (unsigned i = 0; i < 4; i++) {
		fk->ram[at + i] = (uint8_t)(base >> (8 * i));
		fk->ram[at + 4 + i] = (uint8_t)(flags_len >> (8 * i));
	}
}

/* ata_bmdma_setup: table, direction, clear interrupt and error. */
static void bm_setup(struct fake *fk, unsigned chan, uint32_t table, bool to_memory)
{
	ide_bm_write(&fk->c, chan * ATA_DMA_CHAN_STRIDE + ATA_DMA_TABLE_OFS, 4, table);
	bm_out(fk, chan, ATA_DMA_CMD, to_memory ? ATA_DMA_WR : 0);
	bm_out(fk, chan, ATA_DMA_STATUS, bm_in(fk, chan, ATA_DMA_STATUS) | ATA_DMA_INTR | ATA_DMA_ERR);
}

static void bm_start(struct fake *fk, unsigned chan)
{
	bm_out(fk, chan, ATA_DMA_CMD, bm_in(fk, chan, ATA_DMA_CMD) | ATA_DMA_START);
}

static void bm_stop(struct fake *fk, unsigned chan)
{
	bm_out(fk, chan, ATA_DMA_CMD, bm_in(fk, chan, ATA_DMA_CMD) & ~ATA_DMA_START);
}

static unsigned total_errors(const struct fake *fk)
{
	unsigned n = 0;

	for (unsigned e = 0; e < IDE_ERR_COUNT; e++)
		n += fk->err[e];
	return n;
}

static void assert_aborted(struct fake *fk, unsigned chan, uint8_t error)
{
	assert_int_equal(altstatus(fk, chan), ATA_DRDY | ATA_DSC | ATA_ERR);
	assert_int_equal(inb(fk, chan, ATA_REG_ERR), error);
}

/* ---------------------------------------------------------- IDENTIFY, reset, presence */

static void test_identify_words(void **state)
{
	struct fake *fk = *state;
	uint16_t id[ATA_ID_WORDS];
	uint8_t sum = 0;

	identify(fk, PRI, id);
	assert_int_equal(altstatus(fk, PRI), ATA_DRDY | ATA_DSC);	/* DRQ gone */
	assert_int_equal(id[ATA_ID_CONFIG] & 0x8000, 0);
	assert_int_equal(id[ATA_ID_SERNO], 'S' << 8 | 'N');
	assert_int_equal(id[ATA_ID_SERNO + 2], '2' << 8 | '3');
	assert_int_equal(id[ATA_ID_SERNO + 9], ' ' << 8 | ' ');
	assert_int_equal(id[ATA_ID_PROD], 'X' << 8 | 'T');
	assert_int_equal(id[ATA_ID_PROD + 7], 'K' << 8 | ' ');
	assert_int_equal(id[ATA_ID_MAX_MULTSECT], 0x8000 | IDE_MULTIPLE_MAX);
	assert_int_equal(id[ATA_ID_CAPABILITY] & 0x0300, 0x0300);	/* LBA, DMA */
	assert_int_equal(id[ATA_ID_FIELD_VALID], 0x0007);
	assert_int_equal(id[ATA_ID_MULTSECT], 0);			/* multiple mode off */
	assert_int_equal(id[ATA_ID_LBA_CAPACITY] | id[ATA_ID_LBA_CAPACITY + 1] << 16, DISK_SECTORS);
	assert_int_equal(id[ATA_ID_MWDMA_MODES], 0x0007);
	assert_int_equal(id[ATA_ID_PIO_MODES], 0x0003);
	assert_int_equal(id[ATA_ID_MAJOR_VER], 0x007e);			/* ATA-6 */
	assert_int_equal(id[ATA_ID_COMMAND_SET_2] & 0xc000, 0x4000);
	assert_true(id[ATA_ID_COMMAND_SET_2] & (1 << 10));		/* LBA48 */
	assert_true(id[ATA_ID_COMMAND_SET_2] & (1 << 12));		/* FLUSH CACHE */
	assert_true(id[ATA_ID_COMMAND_SET_2] & (1 << 13));		/* ... EXT */
	assert_true(id[ATA_ID_CFS_ENABLE_2] & (1 << 10));
	assert_true(id[ATA_ID_CFS_ENABLE_1] & (1 << 5));		/* write cache on */
	assert_int_equal(id[ATA_ID_COMMAND_SET_1] & (1 << 10), 0);	/* no HPA */
	assert_int_equal(id[ATA_ID_UDMA_MODES], 0x0007);
	assert_int_equal(id[ATA_ID_LBA_CAPACITY_2], DISK_SECTORS);
	assert_int_equal(id[ATA_ID_CHECKSUM] & 0xff, 0xa5);
	for (unsigned i = 0; i < ATA_ID_WORDS; i++)
		sum = (uint8_t)(sum + (id[i] & 0xff) + (id[i] >> 8));
	assert_int_equal(sum, 0);
	assert_int_equal(total_errors(fk), 0);
}

static void test_identify_big_disk(void **state)
{
	struct fake *fk = *state;
	uint64_t sectors = (1ull << 32) + 0x1234;
	uint16_t id[ATA_ID_WORDS];

	assert_int_equal(ide_attach(&fk->c, SEC, 1, sectors, NULL, NULL), 0);
	outb(fk, SEC, ATA_REG_DEVICE, ATA_DEV1);
	identify(fk, SEC, id);
	assert_int_equal(id[ATA_ID_LBA_CAPACITY] | id[ATA_ID_LBA_CAPACITY + 1] << 16, 0x0fffffff);
	assert_int_equal(id[100], 0x1234);
	assert_int_equal(id[101], 0);
	assert_int_equal(id[102], 1);
	assert_int_equal(id[103], 0);
	assert_int_equal(id[ATA_ID_CYLS], 16383);
	assert_int_equal(id[ATA_ID_PROD], ' ' << 8 | ' ');
	assert_int_equal(ide_attach(&fk->c, SEC, 0, 0, NULL, NULL), -XT_EINVAL);
	assert_int_equal(ide_attach(&fk->c, SEC, 0, (1ull << 48) + 1, NULL, NULL), -XT_EINVAL);
	assert_int_equal(ide_attach(&fk->c, 2, 0, 1, NULL, NULL), -XT_EINVAL);
}

static void assert_signature(struct fake *fk, unsigned chan)
{
	assert_int_equal(inb(fk, chan, ATA_REG_NSECT), 1);
	assert_int_equal(inb(fk, chan, ATA_REG_LBAL), 1);
	assert_int_equal(inb(fk, chan, ATA_REG_LBAM), 0);
	assert_int_equal(inb(fk, chan, ATA_REG_LBAH), 0);
	assert_int_equal(inb(fk, chan, ATA_REG_ERR), ATA_DIAG_PASSED);
}

static void test_srst_signature(void **state)
{
	struct fake *fk = *state;

	cmd28(fk, PRI, 0, ATA_CMD_PIO_READ, 100, 4);		/* in its data phase */
	assert_true(fk->irq[PRI]);
	outb(fk, PRI, ATA_REG_LBAM, 0x77);
	devctl(fk, PRI, ATA_SRST);
	assert_false(fk->irq[PRI]);
	assert_int_equal(altstatus(fk, PRI), ATA_BUSY);
	outb(fk, PRI, ATA_REG_LBAM, 0x55);			/* dropped while BSY */
	devctl(fk, PRI, 0);
	assert_int_equal(altstatus(fk, PRI), ATA_DRDY | ATA_DSC);
	assert_false(fk->irq[PRI]);				/* no interrupt after SRST */
	assert_signature(fk, PRI);
	assert_int_equal(inb(fk, PRI, ATA_REG_DEVICE), 0);
	(void)ide_cmd_read(&fk->c, PRI, ATA_REG_DATA, 2);	/* the read is gone */
	assert_int_equal(fk->err[IDE_ERR_DATA_PORT], 1);
}

/* ata_devchk's pattern on device dev. */
static bool devchk(struct fake *fk, unsigned chan, unsigned dev)
{
	outb(fk, chan, ATA_REG_DEVICE, 0xa0 | dev << 4);
	outb(fk, chan, ATA_REG_NSECT, 0x55);
	outb(fk, chan, ATA_REG_LBAL, 0xaa);
	outb(fk, chan, ATA_REG_NSECT, 0xaa);
	outb(fk, chan, ATA_REG_LBAL, 0x55);
	outb(fk, chan, ATA_REG_NSECT, 0x55);
	outb(fk, chan, ATA_REG_LBAL, 0xaa);
	return inb(fk, chan, ATA_REG_NSECT) == 0x55 && inb(fk, chan, ATA_REG_LBAL) == 0xaa;
}

static void test_absent_slave(void **state)
{
	struct fake *fk = *state;

	/* ata_sff_softreset: device 0 answers for device 1's registers... */
	assert_true(devchk(fk, PRI, 0));
	assert_true(devchk(fk, PRI, 1));
	outb(fk, PRI, ATA_REG_DEVICE, 0xa0);
	devctl(fk, PRI, ATA_SRST);
	devctl(fk, PRI, 0);
	/* ... ata_sff_dev_classify(device 1): ATA signature, but status 00h. */
	outb(fk, PRI, ATA_REG_DEVICE, 0xb0);
	assert_signature(fk, PRI);
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), 0);
	assert_int_equal(altstatus(fk, PRI), 0);
	/* A command to it is ignored. */
	outb(fk, PRI, ATA_REG_CMD, ATA_CMD_ID_ATA);
	assert_false(fk->irq[PRI]);
	assert_int_equal(fk->c.ch[PRI].x.phase, IDE_IDLE);
	/* Device 0 is still there. */
	outb(fk, PRI, ATA_REG_DEVICE, 0xa0);
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	/* An empty channel: DD7 pulled down, ata_devchk fails, error 7Fh. */
	assert_false(devchk(fk, SEC, 0));
	assert_int_equal(inb(fk, SEC, ATA_REG_STATUS), 0x7f);
	assert_int_equal(inb(fk, SEC, ATA_REG_ERR), 0x7f);
	outb(fk, SEC, ATA_REG_CMD, ATA_CMD_EDD);
	assert_false(fk->irq[SEC]);
	assert_int_equal(total_errors(fk), 0);
}

static void test_two_drives_own_registers(void **state)
{
	struct fake *fk = *state;

	assert_int_equal(ide_attach(&fk->c, PRI, 1, 64, "SLAVE", "S1"), 0);
	assert_true(devchk(fk, PRI, 1));
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	cmd28(fk, PRI, 1, ATA_CMD_PIO_READ, 64, 1);		/* beyond the slave's 64 */
	assert_aborted(fk, PRI, ATA_IDNF);
	outb(fk, PRI, ATA_REG_DEVICE, 0xa0);			/* the master saw no error */
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	assert_false(fk->irq[PRI]);				/* the slave's INTRQ is off the line */
	outb(fk, PRI, ATA_REG_DEVICE, 0xb0);
	assert_true(fk->irq[PRI]);
	assert_int_equal(bm_in(fk, PRI, ATA_DMA_STATUS) & 0x60, 0x60);	/* both DMA capable */
}

/* ---------------------------------------------------------- interrupts */

static void test_status_read_clears_intrq(void **state)
{
	struct fake *fk = *state;

	simple_cmd(fk, PRI, ATA_CMD_IDLEIMMEDIATE, 0, 0);
	assert_true(fk->irq[PRI]);
	assert_true(bm_in(fk, PRI, ATA_DMA_STATUS) & ATA_DMA_INTR);	/* PIIX: on the edge */
	assert_int_equal(altstatus(fk, PRI), ATA_DRDY | ATA_DSC);
	assert_true(fk->irq[PRI]);				/* alternate status keeps it */
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	assert_false(fk->irq[PRI]);
	assert_int_equal(fk->rises[PRI], 1);
	assert_false(fk->irq[SEC]);
}

static void test_nien_masks_interrupt(void **state)
{
	struct fake *fk = *state;

	devctl(fk, PRI, ATA_NIEN);
	simple_cmd(fk, PRI, ATA_CMD_CHK_POWER, 0, 0);
	assert_false(fk->irq[PRI]);
	assert_false(ide_irq_level(&fk->c, PRI));
	assert_int_equal(bm_in(fk, PRI, ATA_DMA_STATUS) & ATA_DMA_INTR, 0);
	devctl(fk, PRI, 0);					/* pending: the line rises now */
	assert_true(fk->irq[PRI]);
	devctl(fk, PRI, ATA_NIEN);
	assert_false(fk->irq[PRI]);
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	devctl(fk, PRI, 0);
	assert_false(fk->irq[PRI]);				/* the status read took it */
}

/* ---------------------------------------------------------- PIO */

static void test_pio_read_sectors(void **state)
{
	struct fake *fk = *state;
	uint8_t buf[3 * SECT], want[3 * SECT];

	cmd28(fk, PRI, 0, ATA_CMD_PIO_READ, 5, 3);
	disk_read(fk, 5, want, sizeof(want));
	for (unsigned b = 0; b < 3; b++) {
		assert_true(fk->irq[PRI]);			/* one interrupt per block */
		assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC | ATA_DRQ);
		assert_false(fk->irq[PRI]);
		read_words(fk, PRI, buf + b * SECT, SECT);
	}
	assert_false(fk->irq[PRI]);				/* none after the last block */
	assert_int_equal(altstatus(fk, PRI), ATA_DRDY | ATA_DSC);
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(fk->pio_calls, 3);
	assert_int_equal(fk->nsects[2], 1);
	assert_int_equal(fk->last_lba, 7);
	assert_int_equal(fk->rises[PRI], 3);
}

static void test_pio_read_32bit(void **state)
{
	struct fake *fk = *state;
	uint8_t want[2 * SECT];

	cmd28(fk, PRI, 0, ATA_CMD_PIO_READ, 9, 2);
	disk_read(fk, 9, want, sizeof(want));
	for (uint32_t i = 0; i < sizeof(want); i += 4) {
		uint32_t v = ide_cmd_read(&fk->c, PRI, ATA_REG_DATA, 4);

		assert_int_equal(v, want[i] | want[i + 1] << 8 | want[i + 2] << 16 |
				 (uint32_t)want[i + 3] << 24);
	}
	assert_int_equal(altstatus(fk, PRI), ATA_DRDY | ATA_DSC);
	assert_int_equal(total_errors(fk), 0);
}

static void test_pio_write_sectors(void **state)
{
	struct fake *fk = *state;
	uint8_t data[2 * SECT];

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0xc3 ^ i);
	cmd28(fk, PRI, 0, ATA_CMD_PIO_WRITE, 20, 2);
	assert_false(fk->irq[PRI]);				/* no INTRQ before the first block */
	assert_int_equal(altstatus(fk, PRI), ATA_DRDY | ATA_DSC | ATA_DRQ);
	write_words(fk, PRI, data, SECT);
	assert_true(fk->irq[PRI]);
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC | ATA_DRQ);
	assert_int_equal(fk->pio_calls, 1);
	for (uint32_t i = 0; i < SECT; i += 4)			/* 32-bit for the second */
		ide_cmd_write(&fk->c, PRI, ATA_REG_DATA, 4,
			      data[SECT + i] | data[SECT + i + 1] << 8 | data[SECT + i + 2] << 16 |
			      (uint32_t)data[SECT + i + 3] << 24);
	assert_true(fk->irq[PRI]);				/* completion */
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	assert_memory_equal(fk->disk + 20 * SECT, data, sizeof(data));
	assert_true(fk->last_write);
	assert_int_equal(fk->last_lba, 21);
}

static void test_read_write_multiple(void **state)
{
	struct fake *fk = *state;
	uint8_t buf[10 * SECT], want[10 * SECT];
	uint16_t id[ATA_ID_WORDS];

	cmd28(fk, PRI, 0, ATA_CMD_READ_MULTI, 0, 10);		/* multiple mode off */
	assert_aborted(fk, PRI, ATA_ABORTED);
	assert_int_equal(fk->err[IDE_ERR_PARAM], 1);
	simple_cmd(fk, PRI, ATA_CMD_SET_MULTI, 0, 3);		/* not a power of two */
	assert_aborted(fk, PRI, ATA_ABORTED);
	simple_cmd(fk, PRI, ATA_CMD_SET_MULTI, 0, 4);
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	identify(fk, PRI, id);
	assert_int_equal(id[ATA_ID_MULTSECT], 0x0104);
	cmd28(fk, PRI, 0, ATA_CMD_READ_MULTI, 30, 10);
	disk_read(fk, 30, want, sizeof(want));
	for (unsigned b = 0, at = 0; b < 3; b++) {
		uint32_t bytes = (b < 2 ? 4 : 2) * SECT;

		assert_true(fk->irq[PRI]);
		(void)inb(fk, PRI, ATA_REG_STATUS);
		read_words(fk, PRI, buf + at, bytes);
		at += bytes;
	}
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(fk->pio_calls, 3);
	assert_int_equal(fk->nsects[0], 4);
	assert_int_equal(fk->nsects[2], 2);
	/* WRITE MULTIPLE EXT: blocks of 4, an interrupt after each. */
	memset(buf, 0x5a, sizeof(buf));
	cmd48(fk, PRI, 0, ATA_CMD_WRITE_MULTI_EXT, 100, 6);
	write_words(fk, PRI, buf, 4 * SECT);
	assert_int_equal(fk->nsects[3], 4);
	assert_true(fk->irq[PRI]);
	(void)inb(fk, PRI, ATA_REG_STATUS);
	write_words(fk, PRI, buf, 2 * SECT);
	assert_int_equal(fk->nsects[4], 2);
	assert_true(fk->irq[PRI]);
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	assert_memory_equal(fk->disk + 100 * SECT, buf, 6 * SECT);
}

static void test_lba48_and_hob(void **state)
{
	struct fake *fk = *state;
	uint64_t lba = 0x123456789aull;

	fk->disk_sectors = 1ull << 40;
	assert_int_equal(ide_attach(&fk->c, PRI, 0, fk->disk_sectors, "BIG", "B"), 0);
	cmd48(fk, PRI, 0, ATA_CMD_PIO_READ_EXT, lba, 0x0102);
	assert_int_equal(fk->last_lba, lba);
	assert_int_equal(fk->c.ch[PRI].x.left, 0x0102);
	/* The FIFO: previous content under HOB, cleared by a register write. */
	outb(fk, PRI, ATA_REG_LBAM, 0x11);
	outb(fk, PRI, ATA_REG_LBAM, 0x22);
	devctl(fk, PRI, ATA_HOB);
	assert_int_equal(inb(fk, PRI, ATA_REG_LBAM), 0x11);
	assert_int_equal(inb(fk, PRI, ATA_REG_NSECT), 0x01);
	outb(fk, PRI, ATA_REG_FEATURE, 0);
	assert_int_equal(inb(fk, PRI, ATA_REG_LBAM), 0x22);
	/* IDNF on a 48-bit range crossing the end: the first missing sector. */
	cmd48(fk, PRI, 0, ATA_CMD_READ_EXT, fk->disk_sectors - 1, 2);
	assert_aborted(fk, PRI, ATA_IDNF);
	assert_int_equal(inb(fk, PRI, ATA_REG_LBAL), 0);
	devctl(fk, PRI, ATA_HOB);
	assert_int_equal(inb(fk, PRI, ATA_REG_LBAM), 0);
	assert_int_equal(inb(fk, PRI, ATA_REG_LBAH), 0x01);	/* bits 47:40 of 2^40 */
	assert_int_equal(fk->err[IDE_ERR_LBA_RANGE], 1);
	assert_int_equal(fk->last_detail, fk->disk_sectors);
}

static void test_lba_out_of_range_and_zero_count(void **state)
{
	struct fake *fk = *state;

	cmd28(fk, PRI, 0, ATA_CMD_PIO_READ, DISK_SECTORS, 1);
	assert_aborted(fk, PRI, ATA_IDNF);
	cmd28(fk, PRI, 0, ATA_CMD_PIO_WRITE, DISK_SECTORS - 2, 3);
	assert_aborted(fk, PRI, ATA_IDNF);
	assert_int_equal(inb(fk, PRI, ATA_REG_LBAL), DISK_SECTORS & 0xff);
	assert_int_equal(inb(fk, PRI, ATA_REG_LBAM), DISK_SECTORS >> 8 & 0xff);
	cmd28(fk, PRI, 0, ATA_CMD_VERIFY, DISK_SECTORS - 1, 2);
	assert_aborted(fk, PRI, ATA_IDNF);
	assert_int_equal(fk->err[IDE_ERR_LBA_RANGE], 3);
	assert_int_equal(fk->pio_calls, 0);
	/* Count 0: 256 sectors, counted and executed. */
	cmd28(fk, PRI, 0, ATA_CMD_VERIFY, 0, 0);
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	cmd28(fk, PRI, 0, ATA_CMD_PIO_READ, DISK_SECTORS - 255, 0);	/* 256 do not fit */
	assert_aborted(fk, PRI, ATA_IDNF);
	cmd28(fk, PRI, 0, ATA_CMD_PIO_READ, 0, 0);
	assert_int_equal(fk->c.ch[PRI].x.left, 256);
	assert_int_equal(fk->err[IDE_ERR_ZERO_COUNT], 3);
}

static void test_pio_disk_error(void **state)
{
	struct fake *fk = *state;
	uint8_t buf[SECT];

	fk->fail_pio = true;
	fk->fail_lba = 41;
	cmd28(fk, PRI, 0, ATA_CMD_PIO_READ, 40, 3);
	read_words(fk, PRI, buf, SECT);
	assert_aborted(fk, PRI, ATA_UNC);
	assert_int_equal(inb(fk, PRI, ATA_REG_LBAL), 41);
	assert_int_equal(fk->pio_calls, 2);
	cmd28(fk, PRI, 0, ATA_CMD_PIO_WRITE, 41, 1);
	write_words(fk, PRI, buf, SECT);
	assert_aborted(fk, PRI, ATA_ABORTED);
	assert_int_equal(total_errors(fk), 0);			/* the VMM's failures */
}

static void test_chs_and_init_params(void **state)
{
	struct fake *fk = *state;
	uint16_t id[ATA_ID_WORDS];

	outb(fk, PRI, ATA_REG_DEVICE, 0xa0 | 3);		/* 4 heads */
	simple_cmd(fk, PRI, ATA_CMD_INIT_DEV_PARAMS, 0, 32);	/* 32 sectors per track */
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	identify(fk, PRI, id);
	assert_int_equal(id[ATA_ID_CUR_HEADS], 4);
	assert_int_equal(id[ATA_ID_CUR_SECTORS], 32);
	assert_int_equal(id[ATA_ID_CUR_CYLS], DISK_SECTORS / 128);
	/* C/H/S 2/1/5 = (2 * 4 + 1) * 32 + 4 = 292 */
	outb(fk, PRI, ATA_REG_DEVICE, 0xa0 | 1);
	outb(fk, PRI, ATA_REG_NSECT, 1);
	outb(fk, PRI, ATA_REG_LBAL, 5);
	outb(fk, PRI, ATA_REG_LBAM, 2);
	outb(fk, PRI, ATA_REG_LBAH, 0);
	outb(fk, PRI, ATA_REG_CMD, ATA_CMD_PIO_READ);
	assert_int_equal(fk->last_lba, 292);
	outb(fk, PRI, ATA_REG_LBAL, 0);				/* sector 0 does not exist */
	outb(fk, PRI, ATA_REG_CMD, ATA_CMD_PIO_READ);
	assert_int_equal(fk->err[IDE_ERR_BUSY], 1);		/* the read was left unread */
	assert_aborted(fk, PRI, ATA_IDNF);
}

/* ---------------------------------------------------------- DMA */

/* 512 + 64 KiB (count 0) + 1024 bytes: 131 sectors. */
static void three_prds(struct fake *fk)
{
	put_prd(fk, TABLE, BUF_A, SECT);
	put_prd(fk, TABLE + 8, BUF_B, 0);
	put_prd(fk, TABLE + 16, BUF_C, ATA_PRD_EOT | 1024);
}

static void assert_dma_done(struct fake *fk, unsigned chan)
{
	assert_int_equal(bm_in(fk, chan, ATA_DMA_STATUS) & 7, ATA_DMA_INTR);	/* active clear */
	assert_true(fk->irq[chan]);
	assert_int_equal(inb(fk, chan, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	bm_stop(fk, chan);					/* ata_bmdma_stop */
}

static void test_dma_read_prds(void **state)
{
	struct fake *fk = *state;
	uint8_t *want = malloc(131 * SECT);

	assert_non_null(want);
	three_prds(fk);
	bm_setup(fk, PRI, TABLE, true);
	cmd48(fk, PRI, 0, ATA_CMD_READ_EXT, 10, 131);
	assert_int_equal(altstatus(fk, PRI), ATA_DRDY | ATA_DSC | ATA_DRQ);	/* waits for the BM */
	assert_int_equal(fk->dma_calls, 0);
	bm_start(fk, PRI);
	assert_int_equal(fk->dma_calls, 1);
	assert_int_equal(fk->nseg, 3);
	assert_int_equal(fk->segs[0].gpa, BUF_A);
	assert_int_equal(fk->segs[0].len, SECT);
	assert_int_equal(fk->segs[1].gpa, BUF_B);
	assert_int_equal(fk->segs[1].len, 0x10000);
	assert_int_equal(fk->segs[2].len, 1024);
	assert_int_equal(fk->last_lba, 10);
	assert_false(fk->last_write);
	disk_read(fk, 10, want, 131 * SECT);
	assert_memory_equal(fk->ram + BUF_A, want, SECT);
	assert_memory_equal(fk->ram + BUF_B, want + SECT, 0x10000);
	assert_memory_equal(fk->ram + BUF_C, want + SECT + 0x10000, 1024);
	assert_dma_done(fk, PRI);
	assert_int_equal(total_errors(fk), 0);
	free(want);
}

/* The VMM takes its time (ops->dma said pending): BSY, no interrupt, the
 * bus master active, no command taken, until ide_dma_done; a reset cancels. */
static void test_dma_pending(void **state)
{
	struct fake *fk = *state;

	cancels = 0;
	fk->dma_rc = IDE_DMA_PENDING;
	three_prds(fk);
	bm_setup(fk, PRI, TABLE, true);
	cmd48(fk, PRI, 0, ATA_CMD_READ_EXT, 10, 131);
	bm_start(fk, PRI);
	assert_int_equal(fk->dma_calls, 1);
	assert_int_equal(altstatus(fk, PRI), ATA_BUSY);
	assert_false(fk->irq[PRI]);
	assert_int_equal(bm_in(fk, PRI, ATA_DMA_STATUS) & 7, ATA_DMA_ACTIVE);
	outb(fk, PRI, ATA_REG_CMD, ATA_CMD_ID_ATA);		/* refused while BSY */
	assert_int_equal(fk->err[IDE_ERR_BUSY], 1);
	assert_int_equal(altstatus(fk, PRI), ATA_BUSY);
	ide_dma_done(&fk->c, SEC, 0);				/* nothing pending there */
	assert_int_equal(altstatus(fk, PRI), ATA_BUSY);
	ide_dma_done(&fk->c, PRI, 0);
	assert_dma_done(fk, PRI);
	ide_dma_done(&fk->c, PRI, 0);				/* twice: ignored */
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	/* A failure reported later is the command's error. */
	bm_setup(fk, PRI, TABLE, true);
	cmd48(fk, PRI, 0, ATA_CMD_READ_EXT, 10, 131);
	bm_start(fk, PRI);
	ide_dma_done(&fk->c, PRI, -XT_EIO);
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS) & ATA_ERR, ATA_ERR);
	/* A reset (or stopping the bus master) while pending cancels it. */
	bm_stop(fk, PRI);
	bm_setup(fk, PRI, TABLE, true);
	cmd48(fk, PRI, 0, ATA_CMD_READ_EXT, 10, 131);
	bm_start(fk, PRI);
	assert_int_equal(cancels, 0);
	bm_stop(fk, PRI);
	assert_int_equal(cancels, 1);
	ide_dma_done(&fk->c, PRI, 0);				/* stale: no interrupt */
	assert_int_equal(altstatus(fk, PRI), ATA_BUSY);
	bm_setup(fk, PRI, TABLE, true);
	cmd48(fk, PRI, 0, ATA_CMD_READ_EXT, 10, 131);		/* still BSY: refused */
	ide_ctl_write(&fk->c, PRI, ATA_PCI_CTL_OFS, 1, ATA_SRST);
	ide_ctl_write(&fk->c, PRI, ATA_PCI_CTL_OFS, 1, 0);
	assert_int_equal(altstatus(fk, PRI) & ATA_BUSY, 0);
	bm_start(fk, PRI);
	cmd48(fk, PRI, 0, ATA_CMD_READ_EXT, 10, 131);
	assert_int_equal(altstatus(fk, PRI), ATA_BUSY);
	ide_ctl_write(&fk->c, PRI, ATA_PCI_CTL_OFS, 1, ATA_SRST);
	assert_int_equal(cancels, 2);
	ide_ctl_write(&fk->c, PRI, ATA_PCI_CTL_OFS, 1, 0);
	fk->dma_rc = 0;
}

static void test_dma_write_start_first(void **state)
{
	struct fake *fk = *state;

	memset(fk->ram + BUF_A, 0xab, SECT);
	memset(fk->ram + BUF_B, 0xcd, 0x10000);
	memset(fk->ram + BUF_C, 0xef, 1024);
	three_prds(fk);
	bm_setup(fk, PRI, TABLE, false);
	bm_start(fk, PRI);					/* the other order */
	assert_int_equal(bm_in(fk, PRI, ATA_DMA_STATUS) & ATA_DMA_ACTIVE, ATA_DMA_ACTIVE);
	cmd28(fk, PRI, 0, ATA_CMD_WRITE, 200, 131);
	assert_int_equal(fk->dma_calls, 1);
	assert_true(fk->last_write);
	assert_int_equal(fk->disk[200 * SECT], 0xab);
	assert_int_equal(fk->disk[201 * SECT], 0xcd);
	assert_int_equal(fk->disk[(201 + 128) * SECT], 0xef);
	assert_int_equal(fk->disk[(201 + 130) * SECT - 1], 0xef);
	assert_dma_done(fk, PRI);
	/* The backend fails: ERR, ABRT for a write; the bus master did its part. */
	fk->dma_rc = -XT_EIO;
	bm_setup(fk, PRI, TABLE, false);
	cmd28(fk, PRI, 0, ATA_CMD_WRITE, 200, 131);
	bm_start(fk, PRI);
	assert_aborted(fk, PRI, ATA_ABORTED);
	assert_int_equal(bm_in(fk, PRI, ATA_DMA_STATUS) & 7, ATA_DMA_INTR);
	assert_int_equal(total_errors(fk), 0);
}

static void test_dma_prd_larger_than_transfer(void **state)
{
	struct fake *fk = *state;

	put_prd(fk, TABLE, BUF_A, 4 * SECT);			/* no EOT, covers 2 sectors */
	bm_setup(fk, PRI, TABLE, true);
	cmd28(fk, PRI, 0, ATA_CMD_READ, 1, 2);
	bm_start(fk, PRI);
	assert_int_equal(fk->dma_calls, 1);
	assert_int_equal(fk->segs[0].len, 2 * SECT);		/* trimmed to the transfer */
	/* Datasheet: interrupt 1, active 1 = "PRD larger than transfer". */
	assert_int_equal(bm_in(fk, PRI, ATA_DMA_STATUS) & 7, ATA_DMA_INTR | ATA_DMA_ACTIVE);
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	bm_stop(fk, PRI);
	assert_int_equal(bm_in(fk, PRI, ATA_DMA_STATUS) & ATA_DMA_ACTIVE, 0);
	assert_int_equal(total_errors(fk), 0);
}

/* A DMA read of one sector with the table at table; true if it was refused
 * the way a bad table is: BM error, not active, ERR/ABRT, INTRQ, no data. */
static bool dma_refused(struct fake *fk, uint32_t table, bool to_memory)
{
	unsigned calls = fk->dma_calls;

	bm_setup(fk, PRI, table, to_memory);
	cmd28(fk, PRI, 0, ATA_CMD_READ, 0, 1);
	bm_start(fk, PRI);
	return fk->dma_calls == calls && fk->irq[PRI] &&
	       (bm_in(fk, PRI, ATA_DMA_STATUS) & 7) == (ATA_DMA_ERR | ATA_DMA_INTR) &&
	       inb(fk, PRI, ATA_REG_STATUS) == (ATA_DRDY | ATA_DSC | ATA_ERR) &&
	       inb(fk, PRI, ATA_REG_ERR) == ATA_ABORTED;
}

static void test_dma_bad_prds(void **state)
{
	struct fake *fk = *state;

	assert_true(dma_refused(fk, RAM_SIZE + 0x1000, true));	/* table outside RAM */
	assert_int_equal(fk->err[IDE_ERR_PRD_RAM], 1);
	bm_stop(fk, PRI);
	put_prd(fk, TABLE, RAM_SIZE + 0x2000, ATA_PRD_EOT | SECT);	/* region outside RAM */
	assert_true(dma_refused(fk, TABLE, true));
	assert_int_equal(fk->err[IDE_ERR_PRD_RAM], 2);
	bm_stop(fk, PRI);
	put_prd(fk, TABLE, BUF_A, ATA_PRD_EOT | (SECT + 1));	/* odd count */
	assert_true(dma_refused(fk, TABLE, true));
	put_prd(fk, TABLE, BUF_A + 1, ATA_PRD_EOT | SECT);	/* odd base */
	assert_true(dma_refused(fk, TABLE, true));
	assert_int_equal(fk->err[IDE_ERR_PRD_ODD], 2);
	bm_stop(fk, PRI);
	put_prd(fk, TABLE, BUF_B - 256, ATA_PRD_EOT | SECT);	/* region across 64 KiB */
	assert_true(dma_refused(fk, TABLE, true));
	put_prd(fk, TABLE, BUF_A + 2, ATA_PRD_EOT);		/* 64 KiB not aligned */
	assert_true(dma_refused(fk, TABLE, true));
	assert_int_equal(fk->err[IDE_ERR_PRD_64K], 2);
	bm_stop(fk, PRI);
	/* Entries of 2 bytes without EOT up to the 64 KiB boundary (two fit). */
	put_prd(fk, 0x2fff0, BUF_A, 2);
	put_prd(fk, 0x2fff8, BUF_A + 2, 2);
	assert_true(dma_refused(fk, 0x2fff0, true));
	assert_int_equal(fk->err[IDE_ERR_PRD_NO_EOT], 1);
	bm_stop(fk, PRI);
	put_prd(fk, TABLE, BUF_A, ATA_PRD_EOT | SECT);
	assert_true(dma_refused(fk, TABLE, false));		/* direction: memory read */
	assert_int_equal(fk->err[IDE_ERR_DMA_DIRECTION], 1);
	assert_int_equal(total_errors(fk), 8);
	assert_int_equal(fk->dma_calls, 0);
}

static void test_dma_full_table_without_eot(void **state)
{
	struct fake *fk = *state;

	/* 8192 entries of 2 bytes: 16 KiB, less than the 64 sectors asked. */
	for (uint32_t i = 0; i < ATA_PRD_MAX; i++)
		put_prd(fk, 0x20000 + 8 * i, BUF_A + 2 * i, 2);
	assert_true(dma_refused(fk, 0x20000, true) == false);	/* one sector: covered */
	assert_int_equal(fk->dma_calls, 1);
	assert_int_equal(fk->nseg, 256);
	bm_stop(fk, PRI);
	(void)inb(fk, PRI, ATA_REG_STATUS);
	bm_setup(fk, PRI, 0x20000, true);
	cmd28(fk, PRI, 0, ATA_CMD_READ, 0, 64);
	bm_start(fk, PRI);
	assert_int_equal(fk->err[IDE_ERR_PRD_NO_EOT], 1);
	assert_int_equal(bm_in(fk, PRI, ATA_DMA_STATUS) & ATA_DMA_ERR, ATA_DMA_ERR);
	assert_aborted(fk, PRI, ATA_ABORTED);
}

static void test_dma_short_prd(void **state)
{
	struct fake *fk = *state;

	put_prd(fk, TABLE, BUF_A, ATA_PRD_EOT | SECT);		/* 1 sector for 2 */
	bm_setup(fk, PRI, TABLE, true);
	cmd28(fk, PRI, 0, ATA_CMD_READ, 0, 2);
	bm_start(fk, PRI);
	assert_int_equal(fk->err[IDE_ERR_PRD_SHORT], 1);
	assert_int_equal(fk->last_detail, (uint64_t)SECT << 32 | 2 * SECT);
	assert_int_equal(fk->dma_calls, 0);
	/* PIIX "PRD smaller than transfer": interrupt 0, active 0; the drive waits. */
	assert_int_equal(bm_in(fk, PRI, ATA_DMA_STATUS) & 7, 0);
	assert_false(fk->irq[PRI]);
	assert_int_equal(altstatus(fk, PRI), ATA_DRDY | ATA_DSC | ATA_DRQ);
	/* Linux's error handler: stop, SRST. */
	bm_stop(fk, PRI);
	devctl(fk, PRI, ATA_SRST);
	devctl(fk, PRI, 0);
	assert_int_equal(altstatus(fk, PRI), ATA_DRDY | ATA_DSC);
	assert_int_equal(fk->c.ch[PRI].x.phase, IDE_IDLE);
}

static void test_dma_secondary_channel(void **state)
{
	struct fake *fk = *state;

	assert_int_equal(ide_attach(&fk->c, SEC, 0, DISK_SECTORS, "SECOND", "2"), 0);
	put_prd(fk, TABLE, BUF_A, ATA_PRD_EOT | 2 * SECT);
	bm_setup(fk, SEC, TABLE, true);
	cmd28(fk, SEC, 0, ATA_CMD_READ, 3, 2);
	bm_start(fk, SEC);
	assert_int_equal(fk->last_chan, SEC);
	assert_false(fk->irq[PRI]);
	assert_int_equal(bm_in(fk, PRI, ATA_DMA_STATUS) & 7, 0);
	assert_dma_done(fk, SEC);
}

/* ---------------------------------------------------------- other commands */

static void test_flush(void **state)
{
	struct fake *fk = *state;

	outb(fk, PRI, ATA_REG_CMD, ATA_CMD_FLUSH);
	assert_int_equal(fk->flush_calls, 1);
	assert_true(fk->irq[PRI]);
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	fk->flush_rc = -XT_EIO;
	outb(fk, PRI, ATA_REG_CMD, ATA_CMD_FLUSH_EXT);
	assert_int_equal(fk->flush_calls, 2);
	assert_aborted(fk, PRI, ATA_ABORTED);
}

static void test_unknown_commands_abort(void **state)
{
	struct fake *fk = *state;
	static const uint8_t cmds[] = { 0x00, ATA_CMD_READ_NATIVE_MAX, ATA_CMD_READ_NATIVE_MAX_EXT,
					0xa0, 0xa1, 0xff };

	for (unsigned i = 0; i < sizeof(cmds); i++) {
		outb(fk, PRI, ATA_REG_CMD, cmds[i]);
		assert_true(fk->irq[PRI]);
		assert_aborted(fk, PRI, ATA_ABORTED);
		(void)inb(fk, PRI, ATA_REG_STATUS);
		assert_int_equal(fk->last_detail, cmds[i]);
	}
	assert_int_equal(fk->err[IDE_ERR_COMMAND], sizeof(cmds));
}

static void test_set_features(void **state)
{
	struct fake *fk = *state;
	uint16_t id[ATA_ID_WORDS];

	simple_cmd(fk, PRI, ATA_CMD_SET_FEATURES, SETFEATURES_XFER, XFER_MW_DMA_2);
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	identify(fk, PRI, id);
	assert_int_equal(id[ATA_ID_MWDMA_MODES], 0x0407);
	assert_int_equal(id[ATA_ID_UDMA_MODES], 0x0007);
	simple_cmd(fk, PRI, ATA_CMD_SET_FEATURES, SETFEATURES_XFER, XFER_UDMA_0 + 1);
	identify(fk, PRI, id);
	assert_int_equal(id[ATA_ID_MWDMA_MODES], 0x0007);
	assert_int_equal(id[ATA_ID_UDMA_MODES], 0x0207);
	simple_cmd(fk, PRI, ATA_CMD_SET_FEATURES, SETFEATURES_XFER, XFER_PIO_4);
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	simple_cmd(fk, PRI, ATA_CMD_SET_FEATURES, SETFEATURES_XFER, XFER_UDMA_0 + 5);
	assert_aborted(fk, PRI, ATA_ABORTED);
	simple_cmd(fk, PRI, ATA_CMD_SET_FEATURES, SETFEATURES_WC_OFF, 0);
	identify(fk, PRI, id);
	assert_int_equal(id[ATA_ID_CFS_ENABLE_1] & (1 << 5), 0);
	simple_cmd(fk, PRI, ATA_CMD_SET_FEATURES, 0xaa, 0);	/* read look-ahead: refused */
	assert_aborted(fk, PRI, ATA_ABORTED);
	assert_int_equal(fk->err[IDE_ERR_PARAM], 2);
}

static void test_power_and_diagnostic(void **state)
{
	struct fake *fk = *state;

	simple_cmd(fk, PRI, ATA_CMD_STANDBYNOW1, 0, 0);
	simple_cmd(fk, PRI, ATA_CMD_CHK_POWER, 0, 0x12);
	assert_int_equal(inb(fk, PRI, ATA_REG_NSECT), ATA_PM_STANDBY);
	simple_cmd(fk, PRI, ATA_CMD_IDLEIMMEDIATE, 0, 0);
	simple_cmd(fk, PRI, ATA_CMD_CHK_POWER, 0, 0x12);
	assert_int_equal(inb(fk, PRI, ATA_REG_NSECT), ATA_PM_ACTIVE_IDLE);
	(void)inb(fk, PRI, ATA_REG_STATUS);
	outb(fk, PRI, ATA_REG_LBAM, 0x99);
	outb(fk, PRI, ATA_REG_DEVICE, 0xb0);			/* absent slave selected */
	outb(fk, PRI, ATA_REG_CMD, ATA_CMD_EDD);		/* device 0 still runs it */
	assert_true(fk->irq[PRI]);
	assert_signature(fk, PRI);
	assert_int_equal(inb(fk, PRI, ATA_REG_DEVICE), 0);
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);	/* no ERR */
}

static void test_access_sizes_and_data_port(void **state)
{
	struct fake *fk = *state;

	assert_int_equal(ide_cmd_read(&fk->c, PRI, ATA_REG_DATA, 1), 0xff);
	assert_int_equal(ide_cmd_read(&fk->c, PRI, ATA_REG_STATUS, 2), 0xffff);
	ide_cmd_write(&fk->c, PRI, ATA_REG_CMD, 2, ATA_CMD_ID_ATA);	/* dropped */
	assert_false(fk->irq[PRI]);
	assert_int_equal(ide_ctl_read(&fk->c, PRI, ATA_PCI_CTL_OFS, 4), 0xffffffff);
	ide_bm_write(&fk->c, ATA_DMA_CMD, 2, ATA_DMA_START);		/* dropped */
	assert_int_equal(bm_in(fk, PRI, ATA_DMA_CMD), 0);
	ide_bm_write(&fk->c, ATA_DMA_TABLE_OFS + 1, 2, 0x1234);		/* unaligned */
	assert_int_equal(fk->err[IDE_ERR_ACCESS_SIZE], 6);
	/* BMIDTP: byte, word and dword; bits 1:0 read 0. */
	ide_bm_write(&fk->c, ATA_DMA_CHAN_STRIDE + ATA_DMA_TABLE_OFS, 4, 0x12345677);
	ide_bm_write(&fk->c, ATA_DMA_CHAN_STRIDE + ATA_DMA_TABLE_OFS + 2, 2, 0xabcd);
	assert_int_equal(ide_bm_read(&fk->c, ATA_DMA_CHAN_STRIDE + ATA_DMA_TABLE_OFS, 4),
			 0xabcd5674);
	assert_int_equal(ide_bm_read(&fk->c, ATA_DMA_CHAN_STRIDE + ATA_DMA_TABLE_OFS + 3, 1), 0xab);
	assert_int_equal(bm_in(fk, PRI, 1), 0);				/* reserved */
	assert_int_equal(fk->err[IDE_ERR_ACCESS_SIZE], 6);
	/* The data register outside a data phase. */
	assert_int_equal(ide_cmd_read(&fk->c, PRI, ATA_REG_DATA, 2), 0xffff);
	ide_cmd_write(&fk->c, PRI, ATA_REG_DATA, 4, 0);
	assert_int_equal(fk->err[IDE_ERR_DATA_PORT], 2);
	/* BMISTA: RW1C, capable bits R/W, simplex and active read-only. */
	bm_out(fk, PRI, ATA_DMA_STATUS, 0xff);
	assert_int_equal(bm_in(fk, PRI, ATA_DMA_STATUS), 0x60);
	bm_out(fk, PRI, ATA_DMA_STATUS, 0);
	assert_int_equal(bm_in(fk, PRI, ATA_DMA_STATUS), 0);
}

static void test_busy_command_abandons(void **state)
{
	struct fake *fk = *state;
	uint8_t buf[SECT] = { 0 };

	cmd28(fk, PRI, 0, ATA_CMD_PIO_WRITE, 0, 2);
	outb(fk, PRI, ATA_REG_CMD, ATA_CMD_CHK_POWER);
	assert_int_equal(fk->err[IDE_ERR_BUSY], 1);
	assert_int_equal(inb(fk, PRI, ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	write_words(fk, PRI, buf, 2);				/* nothing to write into */
	assert_int_equal(fk->err[IDE_ERR_DATA_PORT], 1);
	assert_int_equal(fk->pio_calls, 0);
}

static void test_reset_and_no_callbacks(void **state)
{
	struct ide *c = calloc(1, sizeof(*c));

	(void)state;
	assert_non_null(c);
	ide_init(c, NULL, NULL);
	assert_int_equal(ide_attach(c, PRI, 0, 100, "M", "S"), 0);
	ide_cmd_write(c, PRI, ATA_REG_NSECT, 1, 1);
	ide_cmd_write(c, PRI, ATA_REG_DEVICE, 1, ATA_LBA);
	ide_cmd_write(c, PRI, ATA_REG_CMD, 1, ATA_CMD_PIO_READ);	/* no pio: UNC */
	assert_int_equal(ide_cmd_read(c, PRI, ATA_REG_ERR, 1), ATA_UNC);
	ide_cmd_write(c, PRI, ATA_REG_CMD, 1, ATA_CMD_READ);
	ide_bm_write(c, ATA_DMA_CMD, 1, ATA_DMA_WR | ATA_DMA_START);	/* no dma_map */
	assert_int_equal(c->errors[IDE_ERR_PRD_RAM], 1);
	ide_cmd_write(c, PRI, ATA_REG_CMD, 1, ATA_CMD_SET_MULTI);
	ide_reset(c);
	assert_false(ide_irq_level(c, PRI));
	assert_int_equal(ide_bm_read(c, ATA_DMA_CMD, 1), 0);
	assert_int_equal(ide_cmd_read(c, PRI, ATA_REG_STATUS, 1), ATA_DRDY | ATA_DSC);
	assert_int_equal(c->ch[PRI].drive[0].multiple, 0);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_identify_words),
		T(test_identify_big_disk),
		T(test_srst_signature),
		T(test_absent_slave),
		T(test_two_drives_own_registers),
		T(test_status_read_clears_intrq),
		T(test_nien_masks_interrupt),
		T(test_pio_read_sectors),
		T(test_pio_read_32bit),
		T(test_pio_write_sectors),
		T(test_read_write_multiple),
		T(test_lba48_and_hob),
		T(test_lba_out_of_range_and_zero_count),
		T(test_pio_disk_error),
		T(test_chs_and_init_params),
		T(test_dma_read_prds),
		T(test_dma_pending),
		T(test_dma_write_start_first),
		T(test_dma_prd_larger_than_transfer),
		T(test_dma_bad_prds),
		T(test_dma_full_table_without_eot),
		T(test_dma_short_prd),
		T(test_dma_secondary_channel),
		T(test_flush),
		T(test_unknown_commands_abort),
		T(test_set_features),
		T(test_power_and_diagnostic),
		T(test_access_sizes_and_data_port),
		T(test_busy_command_abandons),
		cmocka_unit_test(test_reset_and_no_callbacks),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
