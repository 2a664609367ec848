// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the physical ATA driver core (vmm/hw/physata.c),
 * with xtalk's own PIIX3 IDE model (devices/ide.c) acting as the
 * controller and its drives: physata_ops.in/out reach ide_cmd_*, ide_ctl_*
 * and ide_bm_*; the model's dma_map is a 48 MiB "host memory" arena (host
 * physical address == offset in it; the driver's PRD page is in it too);
 * behind the model's pio/dma/flush ops is a fake disk per slot: a byte
 * array for a window of sectors, a pattern of the LBA elsewhere (writes
 * there are counted as strays). delay_us advances a fake clock.
 *
 * The fake can also play a drive the model does not: IDENTIFY words
 * patched as they are read (no 48-bit addresses, no DMA, a bad checksum,
 * with the checksum kept right otherwise), a status stuck at BSY after a
 * read/write command (cleared by SRST, or never), and failing disk ops or
 * a failing dma_map (the bus master's master abort).
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
#include "vmm/hw/physata.h"

#define SECT		512u
#define ARENA_SIZE	(48u << 20)
#define PRD_HPA		0x1000u
#define HIGH_BASE	(1ull << 32)	/* hpa where the arena shows again, for map only */
#define CANARY		0xeeu
#define BIG_SECTORS	((1ull << 28) + 4096)	/* an LBA48 disk beyond 28 bits */
#define SMALL_SECTORS	131072u		/* 64 MiB, all of it in the window */
#define MAX_CMDS	1024

struct fdisk {
	uint64_t base;		/* first sector of the window */
	uint32_t nwin;		/* sectors in the window */
	uint8_t *win;
	bool no_lba48, no_dma, bad_checksum;
};

struct fake {
	struct ide ide;
	struct physata a;
	struct physata_ops ops;
	uint8_t *arena;
	struct fdisk disk[IDE_NCHANNELS][IDE_NDRIVES];
	uint64_t now_us;
	uint64_t accesses;
	/* IDENTIFY being read on a channel: the drive, the next word, the byte sum change */
	bool id_active[IDE_NCHANNELS];
	unsigned id_drive[IDE_NCHANNELS], id_word[IDE_NCHANNELS];
	int id_delta[IDE_NCHANNELS];
	uint8_t devreg[IDE_NCHANNELS];
	uint8_t cmds[MAX_CMDS];
	unsigned ncmds;
	unsigned dma_calls, pio_calls, flush_calls, max_nseg;
	uint64_t stray_writes;
	bool fail_dma, fail_pio, fail_flush, fail_map, force_bm_err;
	bool stuck_after_cmd, stuck_forever, stuck[IDE_NCHANNELS];
	unsigned model_errors;
	int map_budget;		/* f_map calls that succeed, -1: all */
};

/* ---------------------------------------------------------- fake disk */

static uint8_t pattern(uint64_t lba, uint32_t i)
{
	return (uint8_t)(lba * 131 + (lba >> 20) * 7 + i * 3 + (i >> 8));
}

static uint8_t *win_byte(struct fdisk *fd, uint64_t s, uint32_t o)
{
	if (s < fd->base || s - fd->base >= fd->nwin)
		return NULL;
	return fd->win + (s - fd->base) * SECT + o;
}

/* The disk as a byte stream from byte offset at. */
static void disk_bytes(struct fake *fk, struct fdisk *fd, uint64_t at, uint8_t *buf,
		       uint32_t bytes, bool write)
{
	for (uint32_t i = 0; i < bytes; i++) {
		uint64_t s = (at + i) / SECT;
		uint32_t o = (uint32_t)((at + i) % SECT);
		uint8_t *p = win_byte(fd, s, o);

		if (write && p)
			*p = buf[i];
		else if (write)
			fk->stray_writes++;
		else
			buf[i] = p ? *p : pattern(s, o);
	}
}

/* What the disk holds at sector s, byte o. */
static uint8_t disk_at(struct fake *fk, unsigned chan, unsigned drive, uint64_t s, uint32_t o)
{
	uint8_t *p = win_byte(&fk->disk[chan][drive], s, o);

	return p ? *p : pattern(s, o);
}

static void *f_dma_map(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	struct fake *fk = ctx;

	(void)write;
	if (fk->fail_map || gpa >= ARENA_SIZE || len > ARENA_SIZE - gpa)
		return NULL;
	return fk->arena + gpa;
}

static int f_pio(void *ctx, unsigned chan, unsigned drive, bool write, uint64_t lba,
		 uint32_t nsect, uint8_t *buf)
{
	struct fake *fk = ctx;

	fk->pio_calls++;
	if (fk->fail_pio)
		return -XT_EIO;
	disk_bytes(fk, &fk->disk[chan][drive], lba * SECT, buf, nsect * SECT, write);
	return 0;
}

static int f_dma(void *ctx, unsigned chan, unsigned drive, bool write, uint64_t lba,
		 uint32_t nsect, const struct ide_seg *segs, unsigned nseg)
{
	struct fake *fk = ctx;
	uint64_t at = lba * SECT;

	(void)nsect;
	fk->dma_calls++;
	if (nseg > fk->max_nseg)
		fk->max_nseg = nseg;
	if (fk->fail_dma)
		return -XT_EIO;
	for (unsigned i = 0; i < nseg; i++) {
		disk_bytes(fk, &fk->disk[chan][drive], at, fk->arena + segs[i].gpa, segs[i].len,
			   write);
		at += segs[i].len;
	}
	return 0;
}

static int f_flush(void *ctx, unsigned chan, unsigned drive)
{
	struct fake *fk = ctx;

	(void)chan;
	(void)drive;
	fk->flush_calls++;
	return fk->fail_flush ? -XT_EIO : 0;
}

static void f_error(void *ctx, enum ide_err e, uint64_t detail)
{
	struct fake *fk = ctx;

	(void)e;
	(void)detail;
	fk->model_errors++;
}

static const struct ide_ops model_ops = {
	.dma_map = f_dma_map,
	.pio = f_pio,
	.dma = f_dma,
	.flush = f_flush,
	.error = f_error,
};

/* ---------------------------------------------------------- IDENTIFY patches */

static int byte_sum(uint16_t w)
{
	return (w & 0xff) + (w >> 8);
}

static uint16_t patch_word(const struct fdisk *fd, unsigned n, uint16_t w)
{
	if (fd->no_lba48 && (n == ATA_ID_COMMAND_SET_2 || n == ATA_ID_CFS_ENABLE_2))
		w &= (uint16_t)~ATA_ID_CS2_LBA48;
	if (fd->no_dma && n == ATA_ID_CAPABILITY)
		w &= (uint16_t)~ATA_ID_CAP_DMA;
	return w;
}

/* Word n of an IDENTIFY block as the fake drive answers it. */
static uint32_t patch_identify(struct fake *fk, unsigned chan, uint32_t v)
{
	const struct fdisk *fd = &fk->disk[chan][fk->id_drive[chan]];
	unsigned n = fk->id_word[chan]++;
	uint16_t w = (uint16_t)v, nw = patch_word(fd, n, w);

	fk->id_delta[chan] += byte_sum(nw) - byte_sum(w);
	if (n == ATA_ID_CHECKSUM) {
		uint8_t hi = (uint8_t)((w >> 8) - fk->id_delta[chan]);

		if (fd->bad_checksum)
			hi ^= 1;
		nw = (uint16_t)(hi << 8 | (w & 0xff));
		fk->id_active[chan] = false;
	}
	return nw;
}

/* ---------------------------------------------------------- ops */

static bool is_rw(uint8_t cmd)
{
	return cmd == ATA_CMD_READ || cmd == ATA_CMD_READ_EXT || cmd == ATA_CMD_WRITE ||
	       cmd == ATA_CMD_WRITE_EXT || cmd == ATA_CMD_PIO_READ || cmd == ATA_CMD_PIO_WRITE;
}

static uint32_t status_seen(struct fake *fk, unsigned chan, uint32_t v)
{
	return fk->stuck[chan] ? ATA_BUSY | ATA_DRDY : v;
}

static uint32_t f_in(void *ctx, unsigned chan, unsigned space, uint32_t off, unsigned size)
{
	struct fake *fk = ctx;
	uint32_t v;

	assert_true(chan < IDE_NCHANNELS);
	fk->accesses++;
	if (space == PHYSATA_SPACE_BM) {
		assert_int_equal(off / ATA_DMA_CHAN_STRIDE, chan);
		v = ide_bm_read(&fk->ide, off, size);
		if (fk->force_bm_err && off % ATA_DMA_CHAN_STRIDE == ATA_DMA_STATUS)
			v |= ATA_DMA_ERR;
		return v;
	}
	if (space == PHYSATA_SPACE_CTL)
		return status_seen(fk, chan, ide_ctl_read(&fk->ide, chan, off, size));
	assert_int_equal(space, PHYSATA_SPACE_CMD);
	v = ide_cmd_read(&fk->ide, chan, off, size);
	if (off == ATA_REG_DATA && fk->id_active[chan])
		return patch_identify(fk, chan, v);
	return off == ATA_REG_STATUS ? status_seen(fk, chan, v) : v;
}

static void saw_command(struct fake *fk, unsigned chan, uint8_t cmd)
{
	if (fk->ncmds < MAX_CMDS)
		fk->cmds[fk->ncmds++] = cmd;
	if (cmd == ATA_CMD_ID_ATA) {
		fk->id_active[chan] = true;
		fk->id_drive[chan] = fk->devreg[chan] & ATA_DEV1 ? 1 : 0;
		fk->id_word[chan] = 0;
		fk->id_delta[chan] = 0;
	}
	if ((fk->stuck_after_cmd || fk->stuck_forever) && is_rw(cmd))
		fk->stuck[chan] = true;
}

static void f_out(void *ctx, unsigned chan, unsigned space, uint32_t off, unsigned size,
		  uint32_t val)
{
	struct fake *fk = ctx;

	assert_true(chan < IDE_NCHANNELS);
	fk->accesses++;
	if (space == PHYSATA_SPACE_BM) {
		assert_int_equal(off / ATA_DMA_CHAN_STRIDE, chan);
		ide_bm_write(&fk->ide, off, size, val);
		return;
	}
	if (space == PHYSATA_SPACE_CTL) {
		if ((val & ATA_SRST) && !fk->stuck_forever)
			fk->stuck[chan] = false;
		ide_ctl_write(&fk->ide, chan, off, size, val);
		return;
	}
	if (off == ATA_REG_DEVICE)
		fk->devreg[chan] = (uint8_t)val;
	if (off == ATA_REG_CMD)
		saw_command(fk, chan, (uint8_t)val);
	ide_cmd_write(&fk->ide, chan, off, size, val);
}

static void f_delay(void *ctx, unsigned us)
{
	struct fake *fk = ctx;

	fk->now_us += us;
}

/* Host memory for the PIO fallback: the arena, and again at 4 GiB. */
static void *f_map(void *ctx, uint64_t hpa, uint32_t len)
{
	struct fake *fk = ctx;

	if (fk->map_budget == 0)
		return NULL;
	if (fk->map_budget > 0)
		fk->map_budget--;
	if (hpa >= HIGH_BASE)
		hpa -= HIGH_BASE;
	if (hpa >= ARENA_SIZE || len > ARENA_SIZE - hpa)
		return NULL;
	return fk->arena + hpa;
}

/* ---------------------------------------------------------- setup */

static int setup(void **state)
{
	struct fake *fk = calloc(1, sizeof(*fk));

	assert_non_null(fk);
	fk->arena = calloc(1, ARENA_SIZE);
	assert_non_null(fk->arena);
	ide_init(&fk->ide, &model_ops, fk);
	fk->map_budget = -1;
	fk->ops = (struct physata_ops){ .in = f_in, .out = f_out, .delay_us = f_delay,
					.map = f_map, .ctx = fk };
	*state = fk;
	return 0;
}

static int teardown(void **state)
{
	struct fake *fk = *state;

	for (unsigned c = 0; c < IDE_NCHANNELS; c++)
		for (unsigned d = 0; d < IDE_NDRIVES; d++)
			free(fk->disk[c][d].win);
	free(fk->arena);
	free(fk);
	return 0;
}

/* A disk in a slot, with a window of nwin sectors from base holding the pattern. */
static struct fdisk *attach(struct fake *fk, unsigned chan, unsigned drive, uint64_t sectors,
			    const char *model, const char *serial, uint64_t base, uint32_t nwin)
{
	struct fdisk *fd = &fk->disk[chan][drive];

	fd->base = base;
	fd->nwin = nwin;
	fd->win = malloc((size_t)nwin * SECT);
	assert_non_null(fd->win);
	for (uint32_t s = 0; s < nwin; s++)
		for (uint32_t i = 0; i < SECT; i++)
			fd->win[(size_t)s * SECT + i] = pattern(base + s, i);
	assert_int_equal(ide_attach(&fk->ide, chan, drive, sectors, model, serial), 0);
	return fd;
}

static int start(struct fake *fk)
{
	return physata_init(&fk->a, &fk->ops, fk->arena + PRD_HPA, PRD_HPA);
}

/* The usual machine: an LBA48 disk as primary master (64 MiB, all in the window). */
static void start_small(struct fake *fk)
{
	attach(fk, 0, 0, SMALL_SECTORS, "XTALK SMALL", "S1", 0, SMALL_SECTORS);
	assert_int_equal(start(fk), 0);
	assert_int_equal(fk->a.ndisks, 1);
	fk->ncmds = 0;
}

/* Nothing the model counts as bad input, except a sector count of 0: ATA-6's
 * encoding of 256 (28-bit) or 65536 (EXT) sectors, which the model counts
 * as unusual for a guest. */
static bool model_clean(const struct fake *fk)
{
	for (unsigned e = 0; e < IDE_ERR_COUNT; e++)
		if (e != IDE_ERR_ZERO_COUNT && fk->ide.errors[e]) {
			print_error("model error %u counted %llu times\n", e,
				    (unsigned long long)fk->ide.errors[e]);
			return false;
		}
	return true;
}

/* ---------------------------------------------------------- segment lists */

#define MAX_TEST_SEGS	4096

struct seglist {
	struct physata_seg s[MAX_TEST_SEGS];
	unsigned n;
	uint64_t end;		/* first hpa after the last segment */
};

/* Segments for bytes, from hpa base, lengths cycling through lens (even),
 * each followed by a gap of 256 canary bytes. */
static void make_segs(struct fake *fk, struct seglist *l, uint64_t base, uint64_t bytes,
		      const uint32_t *lens, unsigned nlens)
{
	uint64_t at = base;

	l->n = 0;
	for (unsigned k = 0; bytes; k++) {
		uint32_t len = lens[k % nlens];

		if (len > bytes)
			len = (uint32_t)bytes;
		assert_true(l->n < MAX_TEST_SEGS);
		l->s[l->n].hpa = at;
		l->s[l->n++].len = len;
		memset(fk->arena + at + len, CANARY, 256);
		at += len + 256;
		bytes -= len;
	}
	assert_true(at <= ARENA_SIZE);
	l->end = at;
}

/* The segments' bytes in order against the disk from lba, and the gaps intact. */
static void check_segs_vs_disk(struct fake *fk, const struct seglist *l, unsigned chan,
			       unsigned drive, uint64_t lba)
{
	uint64_t pos = 0;

	for (unsigned k = 0; k < l->n; k++) {
		const uint8_t *p = fk->arena + l->s[k].hpa;

		for (uint32_t i = 0; i < l->s[k].len; i++, pos++)
			if (p[i] != disk_at(fk, chan, drive, lba + pos / SECT, pos % SECT))
				fail_msg("byte %llu (segment %u + %u) differs",
					 (unsigned long long)pos, k, i);
		for (uint32_t i = 0; i < 256; i++)
			assert_int_equal(p[l->s[k].len + i], CANARY);
	}
}

static void fill_segs(struct fake *fk, const struct seglist *l, uint8_t seed)
{
	uint32_t x = seed;

	for (unsigned k = 0; k < l->n; k++)
		for (uint32_t i = 0; i < l->s[k].len; i++) {
			x = x * 1103515245u + 12345u;
			fk->arena[l->s[k].hpa + i] = (uint8_t)(x >> 16);
		}
}

static const uint32_t odd_lens[] = { 0x11000, 0x3002, 0x7ffe, 0x2, 0x10000, 0x1fe, 0x600 };

static bool saw(const struct fake *fk, uint8_t cmd)
{
	for (unsigned i = 0; i < fk->ncmds; i++)
		if (fk->cmds[i] == cmd)
			return true;
	return false;
}

static unsigned count_cmd(const struct fake *fk, uint8_t cmd)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fk->ncmds; i++)
		n += fk->cmds[i] == cmd;
	return n;
}

/* ---------------------------------------------------------- init */

static void test_init_master_and_slave(void **state)
{
	struct fake *fk = *state;
	const struct physata_disk *k;

	attach(fk, 0, 0, BIG_SECTORS, "XTALK BIG DISK", "  SN-BIG", 0, 16);
	attach(fk, 0, 1, 100000, "XTALK OLD DISK", "SN-OLD", 0, 16)->no_lba48 = true;
	assert_int_equal(start(fk), 0);
	assert_int_equal(fk->a.ndisks, 2);
	k = &fk->a.disk[0];
	assert_true(k->present);
	assert_int_equal(k->chan, 0);
	assert_int_equal(k->drive, 0);
	assert_int_equal(k->sectors, BIG_SECTORS);
	assert_true(k->lba48);
	assert_true(k->dma);
	assert_true(k->flush_ext);
	assert_string_equal(k->model, "XTALK BIG DISK");
	assert_string_equal(k->serial, "SN-BIG");
	k = &fk->a.disk[1];
	assert_int_equal(k->chan, 0);
	assert_int_equal(k->drive, 1);
	assert_int_equal(k->sectors, 100000);
	assert_false(k->lba48);
	assert_string_equal(k->model, "XTALK OLD DISK");
	assert_false(fk->a.disk[2].present);
	/* DMA mode selected on both (the model reports none at power-on), nIEN set */
	assert_int_equal(fk->a.disk[0].xfer, XFER_MW_DMA_2);
	assert_int_equal(fk->ide.ch[0].drive[0].dma_mode, XFER_MW_DMA_2);
	assert_int_equal(fk->ide.ch[0].drive[1].dma_mode, XFER_MW_DMA_2);
	assert_true(fk->ide.ch[0].devctl & ATA_NIEN);
	assert_true(fk->ide.ch[1].devctl & ATA_NIEN);
	assert_true(model_clean(fk));
}

static void test_init_order_and_strings(void **state)
{
	struct fake *fk = *state;

	attach(fk, 1, 1, 5000, "0123456789012345678901234567890123456789", "01234567890123456789",
	       0, 16);
	attach(fk, 0, 0, 7000, "  LEFT", "X", 0, 16);
	assert_int_equal(start(fk), 0);
	assert_int_equal(fk->a.ndisks, 2);
	assert_int_equal(fk->a.disk[0].chan, 0);
	assert_int_equal(fk->a.disk[0].sectors, 7000);
	assert_string_equal(fk->a.disk[0].model, "LEFT");
	/* device 1 alone on the secondary channel */
	assert_int_equal(fk->a.disk[1].chan, 1);
	assert_int_equal(fk->a.disk[1].drive, 1);
	assert_int_equal(fk->a.disk[1].sectors, 5000);
	assert_string_equal(fk->a.disk[1].model, "0123456789012345678901234567890123456789");
	assert_string_equal(fk->a.disk[1].serial, "01234567890123456789");
}

static void test_init_no_disk(void **state)
{
	struct fake *fk = *state;

	assert_int_equal(start(fk), -XT_ENOENT);
	assert_int_equal(fk->a.ndisks, 0);
	/* empty channels (7Fh) cost no timeout */
	assert_true(fk->now_us < 100000);
	assert_int_equal(physata_read_pio(&fk->a, 0, 0, 1, fk->arena), -XT_EINVAL);
}

static void test_init_refuses_bad_identify(void **state)
{
	struct fake *fk = *state;

	attach(fk, 0, 0, 5000, "BAD", "1", 0, 16)->bad_checksum = true;
	assert_int_equal(start(fk), -XT_ENOENT);
	assert_true(saw(fk, ATA_CMD_ID_ATA));
}

static void test_init_bad_prd_page(void **state)
{
	struct fake *fk = *state;

	attach(fk, 0, 0, 5000, "D", "1", 0, 16);
	assert_int_equal(physata_init(&fk->a, &fk->ops, fk->arena + 0x1100, 0x1100), -XT_EINVAL);
	assert_int_equal(physata_init(&fk->a, &fk->ops, fk->arena, 0xfffff000ull + 0x1000),
			 -XT_EINVAL);
	assert_int_equal(fk->accesses, 0);
}

/* ---------------------------------------------------------- DMA */

static void dma_read_case(struct fake *fk, uint64_t lba, uint32_t nsect, uint64_t base)
{
	static struct seglist l;

	memset(fk->arena + 0x10000, 0, ARENA_SIZE - 0x10000);
	make_segs(fk, &l, base, (uint64_t)nsect * SECT, odd_lens, 7);
	assert_int_equal(physata_read(&fk->a, 0, lba, nsect, l.s, l.n), 0);
	check_segs_vs_disk(fk, &l, 0, 0, lba);
	assert_true(model_clean(fk));
	assert_true(fk->max_nseg <= PHYSATA_PRD_PER_CMD);
}

static void test_dma_read_sizes(void **state)
{
	struct fake *fk = *state;
	static const uint32_t sizes[] = { 1, 8, 256, 65536 };

	start_small(fk);
	for (unsigned i = 0; i < 4; i++) {
		unsigned before = fk->dma_calls;

		fk->ncmds = 0;
		dma_read_case(fk, 1000 + i, sizes[i], 0x10000 * (i + 2) - 0x300);
		if (sizes[i] <= 256) {
			assert_int_equal(fk->dma_calls - before, 1);
			assert_int_equal(count_cmd(fk, ATA_CMD_READ), 1);
		} else {
			/* 32 MiB: more than one command of 256 PRD entries */
			assert_true(fk->dma_calls - before >= 3);
			assert_int_equal(count_cmd(fk, ATA_CMD_READ_EXT), fk->dma_calls - before);
		}
	}
	assert_int_equal(fk->ide.errors[IDE_ERR_ZERO_COUNT], 1);	/* 256 sectors: count 0 */
	assert_int_equal(fk->a.st.reads, 4);
	assert_int_equal(fk->a.st.sectors_read, 1 + 8 + 256 + 65536);
	assert_int_equal(fk->a.st.pio_fallbacks, 0);
	assert_int_equal(fk->a.st.errors, 0);
}

static void test_dma_write_sizes(void **state)
{
	struct fake *fk = *state;
	static const uint32_t sizes[] = { 1, 8, 256, 65536 };
	static const uint64_t lbas[] = { 1000, 2000, 3000, 50000 };
	static struct seglist l;

	start_small(fk);
	for (unsigned i = 0; i < 4; i++) {
		uint64_t lba = lbas[i];

		make_segs(fk, &l, 0x10000 * (i + 3) - 0x102, (uint64_t)sizes[i] * SECT, odd_lens, 7);
		fill_segs(fk, &l, (uint8_t)(i + 1));
		fk->ncmds = 0;
		assert_int_equal(physata_write(&fk->a, 0, lba, sizes[i], l.s, l.n), 0);
		check_segs_vs_disk(fk, &l, 0, 0, lba);
		assert_true(saw(fk, sizes[i] <= 256 ? ATA_CMD_WRITE : ATA_CMD_WRITE_EXT));
		/* the sectors around are untouched */
		assert_int_equal(disk_at(fk, 0, 0, lba - 1, 0), pattern(lba - 1, 0));
		assert_int_equal(disk_at(fk, 0, 0, lba + sizes[i], 0), pattern(lba + sizes[i], 0));
	}
	assert_true(model_clean(fk));
	assert_int_equal(fk->stray_writes, 0);
	assert_int_equal(fk->a.st.writes, 4);
	assert_int_equal(fk->a.st.sectors_written, 1 + 8 + 256 + 65536);
}

/* The PRD table itself: regions split at 64 KiB, 0 for 64 KiB, EOT last. */
static void test_prd_table_layout(void **state)
{
	struct fake *fk = *state;
	const uint8_t *t = fk->arena + PRD_HPA;
	struct physata_seg seg = { 0x2ff00, 16 * SECT };
	struct physata_seg full = { 0x40000, 0x10000 };
	uint32_t w[4];

	start_small(fk);
	assert_int_equal(physata_read(&fk->a, 0, 5, 16, &seg, 1), 0);
	memcpy(w, t, sizeof(w));
	assert_int_equal(w[0], 0x2ff00);
	assert_int_equal(w[1], 0x100);
	assert_int_equal(w[2], 0x30000);
	assert_int_equal(w[3], ATA_PRD_EOT | 0x1f00);
	assert_int_equal(fk->ide.ch[0].bmidtp, PRD_HPA);
	assert_int_equal(physata_read(&fk->a, 0, 5, 128, &full, 1), 0);
	memcpy(w, t, 8);
	assert_int_equal(w[0], 0x40000);
	assert_int_equal(w[1], ATA_PRD_EOT);	/* count 0: 64 KiB */
	assert_true(model_clean(fk));
	/* the bus master is stopped after each command */
	assert_int_equal(fk->ide.ch[0].bmicom & ATA_DMA_START, 0);
}

/* 2-byte segments: a sector spans 256 of them, one command per sector. */
static void test_dma_tiny_segments(void **state)
{
	struct fake *fk = *state;
	static struct physata_seg segs[256 * 16];

	start_small(fk);
	for (unsigned i = 0; i < 256 * 16; i++) {
		segs[i].hpa = 0x200000 + 6ull * i;
		segs[i].len = 2;
	}
	assert_int_equal(physata_read(&fk->a, 0, 77, 16, segs, 256 * 16), 0);
	assert_int_equal(fk->dma_calls, 16);
	for (unsigned i = 0; i < 256 * 16; i++) {
		uint64_t pos = 2ull * i;

		assert_int_equal(fk->arena[segs[i].hpa], disk_at(fk, 0, 0, 77 + pos / SECT, pos % SECT));
		assert_int_equal(fk->arena[segs[i].hpa + 1],
				 disk_at(fk, 0, 0, 77 + pos / SECT, pos % SECT + 1));
		assert_int_equal(fk->arena[segs[i].hpa + 2], 0);
	}
	assert_true(model_clean(fk));
}

static void test_too_many_segments(void **state)
{
	struct fake *fk = *state;
	struct physata_seg *segs = calloc(PHYSATA_MAX_SEGS + 1, sizeof(*segs));
	uint64_t acc;

	assert_non_null(segs);
	start_small(fk);
	for (unsigned i = 0; i <= PHYSATA_MAX_SEGS; i++) {
		segs[i].hpa = 0x100000 + 2ull * i;
		segs[i].len = 2;
	}
	acc = fk->accesses;
	assert_int_equal(physata_read(&fk->a, 0, 0, 256, segs, PHYSATA_MAX_SEGS + 1), -XT_E2BIG);
	assert_int_equal(fk->accesses, acc);
	/* exactly the most: 65536 segments of 2 bytes are 256 sectors, done */
	assert_int_equal(physata_read(&fk->a, 0, 0, 256, segs, PHYSATA_MAX_SEGS), 0);
	assert_int_equal(fk->arena[0x100000], pattern(0, 0));
	assert_int_equal(fk->arena[0x100000 + 256 * SECT - 1], pattern(255, 511));
	free(segs);
}

static void test_lba48_above_2_28(void **state)
{
	struct fake *fk = *state;
	const uint64_t top = 1ull << 28;
	struct physata_seg seg = { 0x100000, 8 * SECT };

	attach(fk, 0, 0, BIG_SECTORS, "BIG", "1", top - 2048, 6144);
	assert_int_equal(start(fk), 0);
	fk->ncmds = 0;
	/* the last 8 sectors a 28-bit command reaches (up to 0FFFFFFEh) */
	assert_int_equal(physata_read(&fk->a, 0, ATA_MAX_LBA28 - 8, 8, &seg, 1), 0);
	assert_int_equal(fk->cmds[fk->ncmds - 1], ATA_CMD_READ);
	/* one further needs 48 bits */
	assert_int_equal(physata_read(&fk->a, 0, ATA_MAX_LBA28 - 7, 8, &seg, 1), 0);
	assert_int_equal(fk->cmds[fk->ncmds - 1], ATA_CMD_READ_EXT);
	assert_int_equal(fk->arena[0x100000 + 7 * SECT], pattern(ATA_MAX_LBA28, 0));
	/* across 2^28, and above it */
	assert_int_equal(physata_read(&fk->a, 0, top - 4, 8, &seg, 1), 0);
	assert_int_equal(fk->cmds[fk->ncmds - 1], ATA_CMD_READ_EXT);
	assert_int_equal(fk->arena[0x100000 + 5 * SECT + 9], pattern(top + 1, 9));
	memset(fk->arena + 0x100000, 0x5a, 8 * SECT);
	assert_int_equal(physata_write(&fk->a, 0, top + 1000, 8, &seg, 1), 0);
	assert_int_equal(fk->cmds[fk->ncmds - 1], ATA_CMD_WRITE_EXT);
	assert_int_equal(disk_at(fk, 0, 0, top + 1007, 511), 0x5a);
	/* the last sector of the disk, and one past it */
	assert_int_equal(physata_read(&fk->a, 0, BIG_SECTORS - 8, 8, &seg, 1), 0);
	assert_int_equal(physata_read(&fk->a, 0, BIG_SECTORS - 7, 8, &seg, 1), -XT_EINVAL);
	assert_int_equal(fk->stray_writes, 0);
	assert_true(model_clean(fk));
}

/* A disk without 48-bit addresses: only 28-bit commands, 256 sectors each. */
static void test_lba28_disk_splits(void **state)
{
	struct fake *fk = *state;
	struct physata_seg seg = { 0x100000, 600 * SECT };

	attach(fk, 0, 0, 4096, "OLD", "1", 0, 4096)->no_lba48 = true;
	assert_int_equal(start(fk), 0);
	assert_false(fk->a.disk[0].lba48);
	fk->ncmds = 0;
	assert_int_equal(physata_read(&fk->a, 0, 100, 600, &seg, 1), 0);
	assert_int_equal(fk->ncmds, 3);
	assert_int_equal(count_cmd(fk, ATA_CMD_READ), 3);
	assert_int_equal(fk->arena[0x100000 + 599 * SECT + 3], pattern(699, 3));
	assert_int_equal(physata_flush(&fk->a, 0), 0);
	assert_int_equal(fk->cmds[fk->ncmds - 1], ATA_CMD_FLUSH);
}

/* ---------------------------------------------------------- PIO */

static void test_pio_read_write(void **state)
{
	struct fake *fk = *state;
	uint8_t buf[5 * SECT], back[5 * SECT];

	start_small(fk);
	assert_int_equal(physata_read_pio(&fk->a, 0, 10, 3, buf), 0);
	for (unsigned i = 0; i < 3 * SECT; i++)
		assert_int_equal(buf[i], pattern(10 + i / SECT, i % SECT));
	assert_int_equal(fk->cmds[fk->ncmds - 1], ATA_CMD_PIO_READ);
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(physata_write_pio(&fk->a, 0, 2000, 5, buf), 0);
	assert_int_equal(fk->cmds[fk->ncmds - 1], ATA_CMD_PIO_WRITE);
	assert_int_equal(fk->pio_calls, 8);
	assert_int_equal(physata_read_pio(&fk->a, 0, 2000, 5, back), 0);
	assert_memory_equal(buf, back, sizeof(buf));
	assert_int_equal(disk_at(fk, 0, 0, 2005, 0), pattern(2005, 0));
	assert_int_equal(fk->a.st.reads, 2);
	assert_int_equal(fk->a.st.writes, 1);
	assert_int_equal(fk->a.st.sectors_written, 5);
	assert_true(model_clean(fk));
}

static void test_pio_lba48(void **state)
{
	struct fake *fk = *state;
	uint8_t buf[2 * SECT];

	attach(fk, 0, 0, BIG_SECTORS, "BIG", "1", (1ull << 28) - 16, 64);
	assert_int_equal(start(fk), 0);
	memset(buf, 0xa7, sizeof(buf));
	assert_int_equal(physata_write_pio(&fk->a, 0, (1ull << 28) + 3, 2, buf), 0);
	assert_int_equal(fk->cmds[fk->ncmds - 1], ATA_CMD_PIO_WRITE_EXT);
	assert_int_equal(disk_at(fk, 0, 0, (1ull << 28) + 4, 511), 0xa7);
	assert_int_equal(physata_read_pio(&fk->a, 0, (1ull << 28) - 1, 2, buf), 0);
	assert_int_equal(fk->cmds[fk->ncmds - 1], ATA_CMD_PIO_READ_EXT);
	assert_int_equal(buf[SECT], pattern(1ull << 28, 0));
}

/* DMA impossible (a drive without it, a segment above 4 GiB, no bus
 * master): PIO through ops->map, counted; without map: -XT_ENOTSUP. */
static void test_pio_fallbacks(void **state)
{
	struct fake *fk = *state;
	static struct seglist l;
	struct physata_seg high = { HIGH_BASE + 0x300000, 4 * SECT };

	attach(fk, 0, 0, 8192, "NODMA", "1", 0, 8192)->no_dma = true;
	attach(fk, 1, 0, 8192, "DMA", "2", 0, 8192);
	assert_int_equal(start(fk), 0);
	assert_false(fk->a.disk[0].dma);
	assert_int_equal(fk->a.disk[0].xfer, 0);
	make_segs(fk, &l, 0x100000, 64 * SECT, odd_lens, 7);
	assert_int_equal(physata_read(&fk->a, 0, 300, 64, l.s, l.n), 0);
	check_segs_vs_disk(fk, &l, 0, 0, 300);
	assert_int_equal(fk->a.st.pio_fallbacks, 1);
	assert_int_equal(fk->dma_calls, 0);
	assert_int_equal(physata_read(&fk->a, 1, 9, 4, &high, 1), 0);
	assert_int_equal(fk->arena[0x300000 + 3 * SECT], pattern(12, 0));
	assert_int_equal(fk->a.st.pio_fallbacks, 2);
	assert_int_equal(fk->dma_calls, 0);
	fk->ops.map = NULL;
	assert_int_equal(physata_read(&fk->a, 1, 9, 4, &high, 1), -XT_ENOTSUP);
	/* no bus master at all */
	fk->ops.map = f_map;
	assert_int_equal(physata_init(&fk->a, &fk->ops, NULL, 0), 0);
	assert_int_equal(physata_write(&fk->a, 1, 50, 64, l.s, l.n), 0);
	check_segs_vs_disk(fk, &l, 1, 0, 50);
	assert_int_equal(fk->dma_calls, 0);
	assert_int_equal(fk->a.st.pio_fallbacks, 1);
	assert_true(model_clean(fk));
}

/* A segment that stops being reachable mid-command (the pre-check passed):
 * an error, and the drive left in its data phase is reset, so the next
 * command does not wait for it. */
static void test_map_failure_mid_pio(void **state)
{
	struct fake *fk = *state;
	struct physata_seg segs[2] = { { HIGH_BASE + 0x100000, SECT }, { HIGH_BASE + 0x200000, SECT } };
	struct physata_seg seg = { 0x300000, SECT };

	start_small(fk);
	fk->map_budget = 3;		/* the pre-check of both, the first sector */
	assert_int_equal(physata_read(&fk->a, 0, 10, 2, segs, 2), -XT_EIO);
	assert_int_equal(fk->a.st.errors, 1);
	fk->map_budget = -1;
	assert_int_equal(physata_read(&fk->a, 0, 20, 1, &seg, 1), 0);
	assert_int_equal(fk->a.st.timeouts, 0);
	assert_int_equal(fk->arena[0x300000], pattern(20, 0));
	assert_int_equal(fk->arena[0x100000 + 7], pattern(10, 7));
}

/* ---------------------------------------------------------- flush */

static void test_flush(void **state)
{
	struct fake *fk = *state;

	start_small(fk);
	assert_int_equal(physata_flush(&fk->a, 0), 0);
	assert_int_equal(fk->flush_calls, 1);
	assert_int_equal(fk->cmds[fk->ncmds - 1], ATA_CMD_FLUSH_EXT);
	assert_int_equal(fk->a.st.flushes, 1);
	fk->fail_flush = true;
	assert_int_equal(physata_flush(&fk->a, 0), -XT_EIO);
	assert_int_equal(fk->a.st.errors, 1);
	assert_true(fk->a.last_error & ATA_ABORTED);
	assert_int_equal(physata_flush(&fk->a, 1), -XT_EINVAL);
}

/* ---------------------------------------------------------- errors */

static void test_bad_arguments_before_io(void **state)
{
	struct fake *fk = *state;
	struct physata_seg seg = { 0x100000, 8 * SECT };
	struct physata_seg odd_len = { 0x100000, 8 * SECT - 1 };
	struct physata_seg odd_base = { 0x100001, 8 * SECT };
	struct physata_seg zero[2] = { { 0x100000, 0 }, { 0x100000, 8 * SECT } };
	uint64_t acc;

	start_small(fk);
	acc = fk->accesses;
	assert_int_equal(physata_read(&fk->a, 0, SMALL_SECTORS, 8, &seg, 1), -XT_EINVAL);
	assert_int_equal(physata_read(&fk->a, 0, SMALL_SECTORS - 7, 8, &seg, 1), -XT_EINVAL);
	assert_int_equal(physata_read(&fk->a, 0, UINT64_MAX - 2, 8, &seg, 1), -XT_EINVAL);
	assert_int_equal(physata_read(&fk->a, 0, 0, 0, &seg, 1), -XT_EINVAL);
	assert_int_equal(physata_read(&fk->a, 0, 0, 65537, &seg, 1), -XT_EINVAL);
	assert_int_equal(physata_read(&fk->a, 1, 0, 8, &seg, 1), -XT_EINVAL);
	assert_int_equal(physata_read(&fk->a, 0, 0, 9, &seg, 1), -XT_EINVAL);	/* short */
	assert_int_equal(physata_read(&fk->a, 0, 0, 8, &odd_len, 1), -XT_EINVAL);
	assert_int_equal(physata_write(&fk->a, 0, 0, 8, &odd_base, 1), -XT_EINVAL);
	assert_int_equal(physata_write(&fk->a, 0, 0, 8, zero, 2), -XT_EINVAL);
	assert_int_equal(physata_write(&fk->a, 0, 0, 8, NULL, 1), -XT_EINVAL);
	assert_int_equal(physata_read_pio(&fk->a, 0, SMALL_SECTORS - 1, 2, fk->arena), -XT_EINVAL);
	assert_int_equal(physata_write_pio(&fk->a, 0, 0, 1, NULL), -XT_EINVAL);
	assert_int_equal(fk->accesses, acc);
	assert_int_equal(fk->a.st.errors, 0);
}

static void test_disk_errors(void **state)
{
	struct fake *fk = *state;
	struct physata_seg seg = { 0x100000, 8 * SECT };
	uint8_t buf[SECT];

	start_small(fk);
	fk->fail_dma = true;
	assert_int_equal(physata_read(&fk->a, 0, 0, 8, &seg, 1), -XT_EIO);
	assert_true(fk->a.last_status & ATA_ERR);
	assert_true(fk->a.last_error & ATA_UNC);
	assert_int_equal(physata_write(&fk->a, 0, 0, 8, &seg, 1), -XT_EIO);
	assert_true(fk->a.last_error & ATA_ABORTED);
	assert_int_equal(fk->a.st.errors, 2);
	fk->fail_dma = false;
	fk->fail_pio = true;
	assert_int_equal(physata_read_pio(&fk->a, 0, 3, 1, buf), -XT_EIO);
	assert_int_equal(physata_write_pio(&fk->a, 0, 3, 1, buf), -XT_EIO);
	assert_int_equal(fk->a.st.errors, 4);
	fk->fail_pio = false;
	/* the drive carries on */
	assert_int_equal(physata_read(&fk->a, 0, 0, 8, &seg, 1), 0);
	assert_int_equal(fk->a.st.reads, 1);
	assert_int_equal(fk->a.st.writes, 0);
	assert_int_equal(fk->a.st.timeouts, 0);
}

/* The bus master cannot reach the PRD table (master abort): its error bit. */
static void test_bus_master_error(void **state)
{
	struct fake *fk = *state;
	struct physata_seg seg = { 0x100000, 8 * SECT };

	start_small(fk);
	fk->fail_map = true;
	assert_int_equal(physata_read(&fk->a, 0, 0, 8, &seg, 1), -XT_EIO);
	assert_int_equal(fk->a.st.errors, 1);
	assert_int_equal(fk->dma_calls, 0);
	assert_int_equal(fk->ide.ch[0].bmista & ATA_DMA_ERR, 0);	/* cleared again */
	fk->fail_map = false;
	assert_int_equal(physata_read(&fk->a, 0, 0, 8, &seg, 1), 0);
	/* the bus master's error alone, the drive content */
	fk->force_bm_err = true;
	assert_int_equal(physata_write(&fk->a, 0, 0, 8, &seg, 1), -XT_EIO);
	assert_int_equal(fk->a.st.errors, 2);
	fk->force_bm_err = false;
	assert_int_equal(physata_read(&fk->a, 0, 0, 8, &seg, 1), 0);
	assert_int_equal(fk->a.st.reads, 2);
}

/* A drive that stays BSY after the command: bounded by PHYSATA_TIMEOUT_MS,
 * then SRST (which here clears it) and the DMA mode restored. */
static void test_timeout_then_recovery(void **state)
{
	struct fake *fk = *state;
	struct physata_seg seg = { 0x100000, 8 * SECT };
	uint64_t t0;

	start_small(fk);
	fk->stuck_after_cmd = true;
	t0 = fk->now_us;
	assert_int_equal(physata_read(&fk->a, 0, 0, 8, &seg, 1), -XT_EIO);
	assert_int_equal(fk->a.st.timeouts, 1);
	assert_int_equal(fk->a.st.errors, 0);
	assert_true(fk->now_us - t0 >= PHYSATA_TIMEOUT_MS * 1000ull);
	assert_true(fk->now_us - t0 < (PHYSATA_TIMEOUT_MS + 100) * 1000ull);
	assert_int_equal(count_cmd(fk, ATA_CMD_SET_FEATURES), 1);
	assert_int_equal(fk->ide.ch[0].bmicom & ATA_DMA_START, 0);
	fk->stuck_after_cmd = false;
	assert_int_equal(physata_read(&fk->a, 0, 0, 8, &seg, 1), 0);
	assert_int_equal(fk->arena[0x100000 + 8 * SECT - 1], pattern(7, 511));
}

/* A drive BSY for good: every wait still ends. */
static void test_timeout_bsy_forever(void **state)
{
	struct fake *fk = *state;
	struct physata_seg seg = { 0x100000, 8 * SECT };
	uint8_t buf[SECT];
	uint64_t t0;

	start_small(fk);
	fk->stuck_forever = true;
	t0 = fk->now_us;
	assert_int_equal(physata_read(&fk->a, 0, 0, 8, &seg, 1), -XT_EIO);
	assert_true(fk->now_us - t0 <=
		    (PHYSATA_TIMEOUT_MS + 2 * PHYSATA_RESET_TIMEOUT_MS + 100) * 1000ull);
	t0 = fk->now_us;
	assert_int_equal(physata_read_pio(&fk->a, 0, 0, 1, buf), -XT_EIO);
	assert_int_equal(physata_flush(&fk->a, 0), -XT_EIO);
	assert_true(fk->now_us - t0 <=
		    2 * (PHYSATA_FLUSH_TIMEOUT_MS + 2 * PHYSATA_RESET_TIMEOUT_MS + 100) * 1000ull);
	assert_int_equal(fk->a.st.timeouts, 3);
}

/* ---------------------------------------------------------- GPT */

static uint32_t crc_table[256];

/* CRC32 (IEEE 802.3), table-driven: independent of the driver's. */
static uint32_t test_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	if (!crc_table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t v = i;

			for (int b = 0; b < 8; b++)
				v = v & 1 ? 0xedb88320u ^ (v >> 1) : v >> 1;
			crc_table[i] = v;
		}
	for (size_t i = 0; i < n; i++)
		c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return ~c;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

#define GPT_SECTORS	4096u

struct gpt_spec {
	uint32_t nent, esize;
	uint64_t entries_lba;
};

static void guid_of(uint8_t g[16], unsigned n)
{
	for (unsigned i = 0; i < 16; i++)
		g[i] = (uint8_t)(n * 17 + i);
}

static uint8_t *sector(struct fake *fk, uint64_t lba)
{
	return fk->disk[0][0].win + lba * SECT;
}

/* Entry idx (0-based) of partition [first, last], unique GUID guid_of(idx + 1). */
static void gpt_entry(struct fake *fk, const struct gpt_spec *g, unsigned idx, uint64_t first,
		      uint64_t last)
{
	uint8_t *e = sector(fk, g->entries_lba) + (size_t)idx * g->esize;

	memset(e, 0xaf, 16);			/* type GUID: anything non-zero */
	guid_of(e + 16, idx + 1);
	put64(e + 32, first);
	put64(e + 40, last);
}

/* The header at LBA 1 with both CRC32s for the array as it is now. */
static void gpt_seal(struct fake *fk, const struct gpt_spec *g)
{
	uint8_t *h = sector(fk, 1);
	size_t bytes = (size_t)g->nent * g->esize, room = (GPT_SECTORS - g->entries_lba) * SECT;

	memset(h, 0, SECT);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);
	put32(h + 12, 92);
	put64(h + 24, 1);
	put64(h + 32, GPT_SECTORS - 1);
	put64(h + 40, 34);
	put64(h + 48, GPT_SECTORS - 34);
	guid_of(h + 56, 99);
	put64(h + 72, g->entries_lba);
	put32(h + 80, g->nent);
	put32(h + 84, g->esize);
	/* (an array off the disk: the CRC of what is there; it is refused anyway) */
	put32(h + 88, test_crc32(sector(fk, g->entries_lba), bytes < room ? bytes : room));
	put32(h + 16, test_crc32(h, 92));
}

static void gpt_disk(struct fake *fk, const struct gpt_spec *g)
{
	attach(fk, 0, 0, GPT_SECTORS, "GPT DISK", "G1", 0, GPT_SECTORS);
	memset(fk->disk[0][0].win, 0, (size_t)GPT_SECTORS * SECT);
	gpt_entry(fk, g, 0, 2048, 3071);
	gpt_entry(fk, g, 1, 3072, 4000);
	gpt_entry(fk, g, 4, 100, 200);
	gpt_seal(fk, g);
	assert_int_equal(start(fk), 0);
}

static const struct gpt_spec std_gpt = { 128, 128, 2 };

static void test_crc32_vector(void **state)
{
	(void)state;
	assert_int_equal(test_crc32((const uint8_t *)"123456789", 9), 0xcbf43926u);
}

static void test_gpt_partitions(void **state)
{
	struct fake *fk = *state;
	uint64_t first = 0, count = 0;
	uint8_t guid[16], want[16];

	gpt_disk(fk, &std_gpt);
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 1, &first, &count, guid), 0);
	assert_int_equal(first, 2048);
	assert_int_equal(count, 1024);
	guid_of(want, 1);
	assert_memory_equal(guid, want, 16);
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 2, &first, &count, NULL), 0);
	assert_int_equal(first, 3072);
	assert_int_equal(count, 929);
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 5, &first, &count, guid), 0);
	assert_int_equal(first, 100);
	assert_int_equal(count, 101);
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 3, &first, &count, guid), -XT_ENOENT);
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 128, NULL, NULL, NULL), -XT_ENOENT);
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 129, NULL, NULL, NULL), -XT_ENOENT);
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 0, NULL, NULL, NULL), -XT_EINVAL);
	assert_int_equal(physata_gpt_partition(&fk->a, 1, 1, NULL, NULL, NULL), -XT_EINVAL);
}

static void test_gpt_big_entries(void **state)
{
	struct fake *fk = *state;
	const struct gpt_spec g = { 16, 1024, 40 };
	uint64_t first = 0, count = 0;

	gpt_disk(fk, &g);
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 2, &first, &count, NULL), 0);
	assert_int_equal(first, 3072);
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 5, &first, &count, NULL), 0);
	assert_int_equal(count, 101);
}

static void test_gpt_bad(void **state)
{
	struct fake *fk = *state;
	uint8_t *h;

	gpt_disk(fk, &std_gpt);
	h = sector(fk, 1);
	/* an entry changed after sealing: the array's CRC32 */
	sector(fk, 2)[40] ^= 1;
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 1, NULL, NULL, NULL), -XT_EINVAL);
	sector(fk, 2)[40] ^= 1;
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 1, NULL, NULL, NULL), 0);
	/* the header's CRC32 */
	h[20] ^= 1;
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 1, NULL, NULL, NULL), -XT_EINVAL);
	h[20] ^= 1;
	/* the signature */
	h[0] = 'X';
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 1, NULL, NULL, NULL), -XT_EINVAL);
	/* the array off the disk (CRCs right) */
	gpt_seal(fk, &(struct gpt_spec){ 128, 128, GPT_SECTORS - 8 });
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 1, NULL, NULL, NULL), -XT_EINVAL);
	/* entry sizes that are not 128 * 2^n */
	gpt_seal(fk, &(struct gpt_spec){ 64, 192, 2 });
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 1, NULL, NULL, NULL), -XT_EINVAL);
	gpt_seal(fk, &(struct gpt_spec){ 32, 384, 2 });
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 1, NULL, NULL, NULL), -XT_EINVAL);
	/* more than PHYSATA_GPT_MAX_BYTES of entries */
	gpt_seal(fk, &(struct gpt_spec){ 0x2001, 128, 2 });
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 1, NULL, NULL, NULL), -XT_EINVAL);
	/* a partition beyond the disk (CRCs right) */
	gpt_entry(fk, &std_gpt, 2, 4000, GPT_SECTORS);
	gpt_seal(fk, &std_gpt);
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 3, NULL, NULL, NULL), -XT_EINVAL);
	assert_int_equal(physata_gpt_partition(&fk->a, 0, 1, NULL, NULL, NULL), 0);
}

static void test_gpt_unique_guid(void **state)
{
	struct fake *fk = *state;
	uint8_t g[16];

	gpt_disk(fk, &std_gpt);
	guid_of(g, 2);
	assert_int_equal(physata_gpt_has_partition(&fk->a, 0, g), 1);
	guid_of(g, 5);
	assert_int_equal(physata_gpt_has_partition(&fk->a, 0, g), 1);
	guid_of(g, 3);				/* entry 3 is unused */
	assert_int_equal(physata_gpt_has_partition(&fk->a, 0, g), 0);
	guid_of(g, 99);				/* the disk's GUID, not a partition's */
	assert_int_equal(physata_gpt_has_partition(&fk->a, 0, g), 0);
	guid_of(g, 2);
	sector(fk, 3)[0] ^= 1;
	assert_int_equal(physata_gpt_has_partition(&fk->a, 0, g), -XT_EINVAL);
	assert_int_equal(physata_gpt_has_partition(&fk->a, 0, NULL), -XT_EINVAL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_init_master_and_slave),
		T(test_init_order_and_strings),
		T(test_init_no_disk),
		T(test_init_refuses_bad_identify),
		T(test_init_bad_prd_page),
		T(test_dma_read_sizes),
		T(test_dma_write_sizes),
		T(test_prd_table_layout),
		T(test_dma_tiny_segments),
		T(test_too_many_segments),
		T(test_lba48_above_2_28),
		T(test_lba28_disk_splits),
		T(test_pio_read_write),
		T(test_pio_lba48),
		T(test_pio_fallbacks),
		T(test_map_failure_mid_pio),
		T(test_flush),
		T(test_bad_arguments_before_io),
		T(test_disk_errors),
		T(test_bus_master_error),
		T(test_timeout_then_recovery),
		T(test_timeout_bsy_forever),
		cmocka_unit_test(test_crc32_vector),
		T(test_gpt_partitions),
		T(test_gpt_big_entries),
		T(test_gpt_bad),
		T(test_gpt_unique_guid),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
