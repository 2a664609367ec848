// SPDX-License-Identifier: MIT
/*
 * Driver core for the machine's physical ATA disks on a PIIX-style IDE
 * controller (see physata.h). Register offsets and bits are
 * devices/ata_regs.h, the names of ATA/ATAPI-6 (T13 1410D), Linux's
 * include/linux/ata.h and the Intel 82371SB/AB (PIIX3/PIIX4) datasheets.
 *
 * Sources, by section title: ATA/ATAPI-6 "Device selection protocol",
 * "Software reset protocol", "PIO data-in command protocol", "PIO data-out
 * command protocol", "DMA command protocol", "Non-data command protocol",
 * "Signature and persistence", "IDENTIFY DEVICE", "48-bit Address feature
 * set", "SET FEATURES", "FLUSH CACHE (EXT)"; the PIIX datasheets "Bus
 * Master IDE Registers", "Physical Region Descriptor Format" and "Bus
 * Master IDE Operation"; the UEFI specification "GUID Partition Table
 * (GPT) Disk Layout". Linux's libata-sff.c was read for the order of the
 * steps; no code is taken from it.
 *
 * Every internal step returns 0, -XT_EIO (the drive or the bus master said
 * error), TIMEOUT (a wait ran out) or -XT_EFAULT (a segment could not be
 * mapped mid-transfer); the public calls turn those into counts and, when
 * the channel may be left mid-command, a channel reset (recover).
 *
 * Choices:
 * - Polled with nIEN set: the PIIX sets its interrupt bit when the drive
 *   asserts INTRQ, which nIEN prevents, so a DMA command is complete when
 *   the drive shows neither BSY nor DRQ (or the bus master says error),
 *   then the bus master is stopped, as "Bus Master IDE Operation" orders.
 * - 28-bit commands when the range fits them (last sector below 2^28 - 1
 *   and at most 256 sectors, as Linux's lba_28_ok), else the EXT forms.
 * - DMA modes: a drive that reports none selected gets its highest
 *   multiword DMA mode (SET FEATURES 03h, re-sent after a channel reset,
 *   since SRST may revert it); the controller's timing registers are left
 *   as the firmware set them (compatible timing is slower than any mode,
 *   which the drive accepts). A drive where that fails is used by PIO.
 */
#include "vmm/hw/physata.h"

#include <string.h>

#include "devices/ata_regs.h"
#include "lib/xerrno.h"

#define TIMEOUT			(-XT_EAGAIN)	/* internal: a wait ran out */
#define DEVICE_OBS		0xa0u	/* device bits 7, 5: "shall be one" before ATA-6
					 * (Linux's ATA_DEVICE_OBS; not in ata_regs.h) */
#define SIG_SATA_LBAM		0x3cu	/* signatures (LBA mid, high): ATA 00h/00h; a */
#define SIG_SATA_LBAH		0xc3u	/* SATA disk behind a PATA emulation 3Ch/C3h */
#define STATUS_FLOATING		0xffu	/* no controller/drive drives the bus */
#define STATUS_EMPTY		0x7fu	/* empty channel: DD7 pulled down */
#define ID_ATAPI		(1u << 15)	/* IDENTIFY word 0: not an ATA device */
#define ID_VALID_MASK		0xc000u	/* words 83, 84, 87: bits 15:14 = 01b */
#define MAX_28_SECTORS		256u
#define SRST_HOLD_US		5	/* SRST set at least 5 us */
#define SRST_WAIT_US		2000	/* then 2 ms before status is read */
#define NS400_US		1	/* 400 ns after a command or a device select */
#define POLL_FAST_US		10	/* poll interval for the first POLL_FAST_FOR_US */
#define POLL_FAST_FOR_US	1000
#define POLL_SLOW_US		100
#define GPT_HEADER_LBA		1
#define GPT_HEADER_MIN		92
#define GPT_ENTRY_MIN		128
#define GPT_ENTRY_USED		48	/* type, unique GUID, first and last LBA */

_Static_assert(PHYSATA_PRD_PER_CMD * ATA_PRD_SZ <= 4096, "the PRD table fits its page");
_Static_assert(PHYSATA_MAX_SECTORS * (uint64_t)ATA_SECT_SIZE <= UINT32_MAX, "bytes fit 32 bits");

/* ---------------------------------------------------------------- registers */

static uint8_t cmd_in(struct physata *a, unsigned chan, uint32_t reg)
{
	return (uint8_t)a->ops->in(a->ops->ctx, chan, PHYSATA_SPACE_CMD, reg, 1);
}

static void cmd_out(struct physata *a, unsigned chan, uint32_t reg, uint8_t v)
{
	a->ops->out(a->ops->ctx, chan, PHYSATA_SPACE_CMD, reg, 1, v);
}

static uint16_t data_in(struct physata *a, unsigned chan)
{
	return (uint16_t)a->ops->in(a->ops->ctx, chan, PHYSATA_SPACE_CMD, ATA_REG_DATA, 2);
}

static void data_out(struct physata *a, unsigned chan, uint16_t v)
{
	a->ops->out(a->ops->ctx, chan, PHYSATA_SPACE_CMD, ATA_REG_DATA, 2, v);
}

/* Alternate status: the status without clearing a pending interrupt. */
static uint8_t alt_status(struct physata *a, unsigned chan)
{
	return (uint8_t)a->ops->in(a->ops->ctx, chan, PHYSATA_SPACE_CTL, ATA_PCI_CTL_OFS, 1);
}

static void devctl_out(struct physata *a, unsigned chan, uint8_t v)
{
	a->ops->out(a->ops->ctx, chan, PHYSATA_SPACE_CTL, ATA_PCI_CTL_OFS, 1, v);
}

static uint32_t bm_in(struct physata *a, unsigned chan, uint32_t reg, unsigned size)
{
	return a->ops->in(a->ops->ctx, chan, PHYSATA_SPACE_BM,
			  chan * ATA_DMA_CHAN_STRIDE + reg, size);
}

static void bm_out(struct physata *a, unsigned chan, uint32_t reg, unsigned size, uint32_t v)
{
	a->ops->out(a->ops->ctx, chan, PHYSATA_SPACE_BM, chan * ATA_DMA_CHAN_STRIDE + reg,
		    size, v);
}

static void delay(struct physata *a, unsigned us)
{
	a->ops->delay_us(a->ops->ctx, us);
}

/* ---------------------------------------------------------------- waits */

static unsigned poll_step(uint64_t waited)
{
	return waited < POLL_FAST_FOR_US ? POLL_FAST_US : POLL_SLOW_US;
}

/* Alternate status until none of mask is set, for at most ms; the last
 * status read in *status. */
static int wait_clear(struct physata *a, unsigned chan, uint8_t mask, unsigned ms,
		      uint8_t *status)
{
	uint64_t waited = 0, limit = (uint64_t)ms * 1000;

	for (;;) {
		*status = alt_status(a, chan);
		if (!(*status & mask))
			return 0;
		if (waited >= limit)
			return TIMEOUT;
		delay(a, poll_step(waited));
		waited += poll_step(waited);
	}
}

/* "DMA command protocol": done when the drive shows neither BSY nor DRQ,
 * or when the bus master reports an error. */
static int wait_dma(struct physata *a, unsigned chan, uint8_t *status)
{
	uint64_t waited = 0, limit = (uint64_t)PHYSATA_TIMEOUT_MS * 1000;

	for (;;) {
		*status = alt_status(a, chan);
		if (!(*status & (ATA_BUSY | ATA_DRQ)))
			return 0;
		if (bm_in(a, chan, ATA_DMA_STATUS, 1) & ATA_DMA_ERR)
			return 0;
		if (waited >= limit)
			return TIMEOUT;
		delay(a, poll_step(waited));
		waited += poll_step(waited);
	}
}

/* The command's end: the status register (which clears INTRQ); ERR or DF
 * is an error, the error register kept for the report. */
static int end_status(struct physata *a, unsigned chan)
{
	uint8_t st = cmd_in(a, chan, ATA_REG_STATUS);

	if (!(st & (ATA_ERR | ATA_DF | ATA_DRQ | ATA_BUSY)))
		return 0;
	a->last_status = st;
	a->last_error = cmd_in(a, chan, ATA_REG_ERR);
	return -XT_EIO;
}

/* ---------------------------------------------------------------- reset and selection */

/* "Device selection protocol": BSY and DRQ clear, DEV written, 400 ns,
 * BSY and DRQ clear again. */
static int select_drive(struct physata *a, unsigned chan, unsigned drive)
{
	uint8_t st;
	int rc = wait_clear(a, chan, ATA_BUSY | ATA_DRQ, PHYSATA_TIMEOUT_MS, &st);

	if (rc)
		return rc;
	cmd_out(a, chan, ATA_REG_DEVICE, (uint8_t)(DEVICE_OBS | (drive ? ATA_DEV1 : 0)));
	delay(a, NS400_US);
	return wait_clear(a, chan, ATA_BUSY | ATA_DRQ, PHYSATA_TIMEOUT_MS, &st);
}

/* "Software reset protocol": SRST with nIEN for 5 us, then 2 ms, then BSY
 * of device 0 and of device 1 clear (each within 31 s). -XT_ENOENT when no
 * device 0 drives the bus (status FFh, or 7Fh: only the DD7 pull-down). */
static int reset_channel(struct physata *a, unsigned chan)
{
	uint8_t st;
	int rc;

	devctl_out(a, chan, ATA_SRST | ATA_NIEN);
	delay(a, SRST_HOLD_US);
	devctl_out(a, chan, ATA_NIEN);
	delay(a, SRST_WAIT_US);
	st = alt_status(a, chan);
	if (st == STATUS_FLOATING || st == STATUS_EMPTY)
		return -XT_ENOENT;
	rc = wait_clear(a, chan, ATA_BUSY, PHYSATA_RESET_TIMEOUT_MS, &st);
	if (rc)
		return rc;
	cmd_out(a, chan, ATA_REG_DEVICE, DEVICE_OBS | ATA_DEV1);
	delay(a, NS400_US);
	rc = wait_clear(a, chan, ATA_BUSY, PHYSATA_RESET_TIMEOUT_MS, &st);
	cmd_out(a, chan, ATA_REG_DEVICE, DEVICE_OBS);
	delay(a, NS400_US);
	return rc;
}

static void stop_bm(struct physata *a, unsigned chan)
{
	if (a->prd)
		bm_out(a, chan, ATA_DMA_CMD, 1, 0);
}

/* BMISTA: interrupt and error are write-1-to-clear; the drive-capable bits
 * are read/write and kept as the firmware set them. */
static uint8_t clear_bm_status(struct physata *a, unsigned chan)
{
	uint8_t v = (uint8_t)bm_in(a, chan, ATA_DMA_STATUS, 1);

	bm_out(a, chan, ATA_DMA_STATUS, 1,
	       (v & (PIIX_DMA_DRV0_CAP | PIIX_DMA_DRV1_CAP)) | ATA_DMA_INTR | ATA_DMA_ERR);
	return v;
}

/* ---------------------------------------------------------------- task file */

struct taskfile {
	uint8_t cmd, feature;
	bool ext;		/* 48-bit: previous content first */
	bool lba_mode;		/* device register LBA bit, address valid */
	uint32_t nsect;		/* 1..256 (28-bit) or 1..65536 (EXT); 256/65536 written 0 */
	uint64_t lba;
};

/* "48-bit Address feature set": each register is written twice, the
 * high-order byte (HOB) first. */
static void load_ext(struct physata *a, unsigned chan, const struct taskfile *tf)
{
	cmd_out(a, chan, ATA_REG_FEATURE, 0);
	cmd_out(a, chan, ATA_REG_FEATURE, tf->feature);
	cmd_out(a, chan, ATA_REG_NSECT, (uint8_t)(tf->nsect >> 8));
	cmd_out(a, chan, ATA_REG_NSECT, (uint8_t)tf->nsect);
	cmd_out(a, chan, ATA_REG_LBAL, (uint8_t)(tf->lba >> 24));
	cmd_out(a, chan, ATA_REG_LBAL, (uint8_t)tf->lba);
	cmd_out(a, chan, ATA_REG_LBAM, (uint8_t)(tf->lba >> 32));
	cmd_out(a, chan, ATA_REG_LBAM, (uint8_t)(tf->lba >> 8));
	cmd_out(a, chan, ATA_REG_LBAH, (uint8_t)(tf->lba >> 40));
	cmd_out(a, chan, ATA_REG_LBAH, (uint8_t)(tf->lba >> 16));
}

static void load_28(struct physata *a, unsigned chan, const struct taskfile *tf)
{
	cmd_out(a, chan, ATA_REG_FEATURE, tf->feature);
	cmd_out(a, chan, ATA_REG_NSECT, (uint8_t)tf->nsect);
	cmd_out(a, chan, ATA_REG_LBAL, (uint8_t)tf->lba);
	cmd_out(a, chan, ATA_REG_LBAM, (uint8_t)(tf->lba >> 8));
	cmd_out(a, chan, ATA_REG_LBAH, (uint8_t)(tf->lba >> 16));
}

/* The task file, the device register, the command, then 400 ns before the
 * status may be read. */
static void issue(struct physata *a, const struct physata_disk *k, const struct taskfile *tf)
{
	uint8_t dev = (uint8_t)(DEVICE_OBS | (k->drive ? ATA_DEV1 : 0));

	if (tf->ext)
		load_ext(a, k->chan, tf);
	else
		load_28(a, k->chan, tf);
	if (tf->lba_mode)
		dev |= ATA_LBA;
	if (tf->lba_mode && !tf->ext)
		dev |= (uint8_t)(tf->lba >> 24 & ATA_DEVICE_HEAD_MASK);
	cmd_out(a, k->chan, ATA_REG_DEVICE, dev);
	cmd_out(a, k->chan, ATA_REG_CMD, tf->cmd);
	delay(a, NS400_US);
}

/* "Non-data command protocol": BSY clear within ms, then the status. */
static int exec_nodata(struct physata *a, const struct physata_disk *k, uint8_t cmd,
		       uint8_t feature, uint8_t nsect, unsigned ms)
{
	struct taskfile tf = { .cmd = cmd, .feature = feature, .nsect = nsect };
	uint8_t st;
	int rc = select_drive(a, k->chan, k->drive);

	if (rc)
		return rc;
	issue(a, k, &tf);
	rc = wait_clear(a, k->chan, ATA_BUSY, ms, &st);
	return rc ? rc : end_status(a, k->chan);
}

/* ---------------------------------------------------------------- errors */

/* Stop the bus master, reset the channel and restore the DMA modes the
 * driver selected on its drives (failures there only make later commands
 * fail). */
static void recover(struct physata *a, unsigned chan)
{
	stop_bm(a, chan);
	if (reset_channel(a, chan))
		return;
	if (a->prd)
		clear_bm_status(a, chan);
	for (unsigned i = 0; i < a->ndisks; i++) {
		const struct physata_disk *k = &a->disk[i];

		if (k->chan == chan && k->xfer)
			(void)exec_nodata(a, k, ATA_CMD_SET_FEATURES, SETFEATURES_XFER, k->xfer,
					  PHYSATA_TIMEOUT_MS);
	}
}

/* A public call's internal result: counted, the channel reset when a
 * command may still be in progress on it. */
static int account(struct physata *a, unsigned chan, int rc)
{
	if (!rc)
		return 0;
	if (rc == TIMEOUT) {
		a->st.timeouts++;
		recover(a, chan);
		return -XT_EIO;
	}
	a->st.errors++;
	if (alt_status(a, chan) & (ATA_BUSY | ATA_DRQ))
		recover(a, chan);
	return -XT_EIO;
}

/* ---------------------------------------------------------------- transfer buffers */

/* Where PIO data goes: a host buffer, or host-physical segments reached
 * through ops->map. Segment lengths are even, so a 16-bit data word never
 * straddles two of them. */
struct xbuf {
	uint8_t *lin;
	const struct physata_seg *segs;
	unsigned nseg, i;
	uint32_t off;
};

/* The contiguous bytes at the cursor: a pointer and how many (*len). */
static uint8_t *xbuf_chunk(struct physata *a, const struct xbuf *b, uint32_t *len)
{
	const struct physata_seg *s;

	if (b->lin) {
		*len = UINT32_MAX;
		return b->lin + b->off;
	}
	if (b->i >= b->nseg)
		return NULL;
	s = &b->segs[b->i];
	*len = s->len - b->off;
	return a->ops->map(a->ops->ctx, s->hpa + b->off, *len);
}

static void xbuf_advance(struct xbuf *b, uint32_t n)
{
	b->off += n;
	if (!b->lin && b->off == b->segs[b->i].len) {
		b->i++;
		b->off = 0;
	}
}

/* One 512-byte sector through the data register. */
static int pio_sector(struct physata *a, unsigned chan, struct xbuf *b, bool write)
{
	uint32_t left = ATA_SECT_SIZE;

	while (left) {
		uint32_t len, n;
		uint8_t *p = xbuf_chunk(a, b, &len);

		if (!p)
			return -XT_EFAULT;
		n = len < left ? len : left;
		for (uint32_t i = 0; i < n; i += 2) {
			if (write)
				data_out(a, chan, (uint16_t)(p[i] | p[i + 1] << 8));
			else {
				uint16_t w = data_in(a, chan);

				p[i] = (uint8_t)w;
				p[i + 1] = (uint8_t)(w >> 8);
			}
		}
		xbuf_advance(b, n);
		left -= n;
	}
	return 0;
}

/* ---------------------------------------------------------------- command forms */

static uint8_t rw_opcode(bool dma, bool write, bool ext)
{
	if (dma)
		return write ? (ext ? ATA_CMD_WRITE_EXT : ATA_CMD_WRITE)
			     : (ext ? ATA_CMD_READ_EXT : ATA_CMD_READ);
	return write ? (ext ? ATA_CMD_PIO_WRITE_EXT : ATA_CMD_PIO_WRITE)
		     : (ext ? ATA_CMD_PIO_READ_EXT : ATA_CMD_PIO_READ);
}

/* The next command's sectors from lba (left to go): a 28-bit command when
 * it reaches them all or the disk has no 48-bit addresses, else EXT. */
static uint32_t cmd_sectors(const struct physata_disk *k, uint64_t lba, uint32_t left, bool *ext)
{
	uint32_t n = left > MAX_28_SECTORS ? MAX_28_SECTORS : left;

	*ext = k->lba48 && (n < left || lba + n > ATA_MAX_LBA28);
	return *ext ? left : n;
}

/* The arguments every read and write shares: a present disk, 1..65536
 * sectors wholly on it. */
static struct physata_disk *check_range(struct physata *a, unsigned d, uint64_t lba,
					uint32_t nsect)
{
	struct physata_disk *k;

	if (!a || !a->ops || d >= a->ndisks || !a->disk[d].present)
		return NULL;
	k = &a->disk[d];
	if (!nsect || nsect > PHYSATA_MAX_SECTORS || lba >= k->sectors || nsect > k->sectors - lba)
		return NULL;
	return k;
}

/* ---------------------------------------------------------------- PIO */

/* One block's handshake: BSY clear, no error, DRQ set. */
static int pio_ready(struct physata *a, unsigned chan)
{
	uint8_t st;
	int rc = wait_clear(a, chan, ATA_BUSY, PHYSATA_TIMEOUT_MS, &st);

	if (rc)
		return rc;
	if ((st & (ATA_ERR | ATA_DF)) || !(st & ATA_DRQ)) {
		a->last_status = st;
		a->last_error = cmd_in(a, chan, ATA_REG_ERR);
		(void)cmd_in(a, chan, ATA_REG_STATUS);
		return -XT_EIO;
	}
	return 0;
}

/* "PIO data-in/data-out command protocol", one sector per DRQ block. */
static int pio_cmd(struct physata *a, const struct physata_disk *k, bool write, uint64_t lba,
		   uint32_t n, bool ext, struct xbuf *b)
{
	struct taskfile tf = { .cmd = rw_opcode(false, write, ext), .ext = ext,
			       .lba_mode = true, .nsect = n, .lba = lba };
	uint8_t st;
	int rc = select_drive(a, k->chan, k->drive);

	if (rc)
		return rc;
	a->st.commands++;
	issue(a, k, &tf);
	for (uint32_t s = 0; s < n; s++) {
		rc = pio_ready(a, k->chan);
		if (!rc)
			rc = pio_sector(a, k->chan, b, write);
		if (rc)
			return rc;
		delay(a, NS400_US);
	}
	rc = wait_clear(a, k->chan, ATA_BUSY, PHYSATA_TIMEOUT_MS, &st);
	return rc ? rc : end_status(a, k->chan);
}

static int pio_xfer(struct physata *a, const struct physata_disk *k, bool write, uint64_t lba,
		    uint32_t nsect, struct xbuf *b)
{
	while (nsect) {
		bool ext;
		uint32_t n = cmd_sectors(k, lba, nsect, &ext);
		int rc = pio_cmd(a, k, write, lba, n, ext, b);

		if (rc)
			return rc;
		lba += n;
		nsect -= n;
	}
	return 0;
}

static void count_done(struct physata *a, bool write, uint32_t nsect)
{
	if (write) {
		a->st.writes++;
		a->st.sectors_written += nsect;
	} else {
		a->st.reads++;
		a->st.sectors_read += nsect;
	}
}

static int pio_call(struct physata *a, unsigned d, uint64_t lba, uint32_t nsect, void *buf,
		    bool write)
{
	struct physata_disk *k = check_range(a, d, lba, nsect);
	struct xbuf b = { .lin = buf };
	int rc;

	if (!k || !buf)
		return -XT_EINVAL;
	rc = account(a, k->chan, pio_xfer(a, k, write, lba, nsect, &b));
	if (!rc)
		count_done(a, write, nsect);
	return rc;
}

int physata_read_pio(struct physata *a, unsigned d, uint64_t lba, uint32_t nsect, void *buf)
{
	return pio_call(a, d, lba, nsect, buf, false);
}

int physata_write_pio(struct physata *a, unsigned d, uint64_t lba, uint32_t nsect,
		      const void *buf)
{
	/* The buffer is only read: pio_sector writes through p only when !write. */
	return pio_call(a, d, lba, nsect, (void *)(uintptr_t)buf, true);
}

/* ---------------------------------------------------------------- PRD table */

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* "Physical Region Descriptor Format": base, then the byte count in 15:0
 * (0 = 64 KiB) with end-of-table in bit 31. */
static void prd_set(struct physata *a, unsigned i, uint32_t base, uint32_t len)
{
	put_le32(a->prd + i * ATA_PRD_SZ, base);
	put_le32(a->prd + i * ATA_PRD_SZ + 4, len & ATA_PRD_COUNT_MASK);
}

static uint32_t prd_len(const struct physata *a, unsigned i)
{
	uint32_t len = get_le32(a->prd + i * ATA_PRD_SZ + 4) & ATA_PRD_COUNT_MASK;

	return len ? len : ATA_PRD_BOUNDARY;
}

/* DMA segments, walked once across the commands of a request. */
struct cursor {
	const struct physata_seg *segs;
	unsigned nseg, i;
	uint32_t off;
};

static void cursor_advance(struct cursor *c, uint32_t n)
{
	while (n) {
		uint32_t here = c->segs[c->i].len - c->off;
		uint32_t step = here < n ? here : n;

		c->off += step;
		n -= step;
		if (c->off == c->segs[c->i].len) {
			c->i++;
			c->off = 0;
		}
	}
}

/* The next region at c: within its segment, within max, and not across a
 * 64 KiB boundary ("no region may cross it"). */
static uint32_t next_region(const struct cursor *c, uint32_t max, uint32_t *base)
{
	const struct physata_seg *s = &c->segs[c->i];
	uint32_t len = s->len - c->off;
	uint32_t room;

	*base = (uint32_t)(s->hpa + c->off);
	room = ATA_PRD_BOUNDARY - (*base & (ATA_PRD_BOUNDARY - 1));
	if (len > room)
		len = room;
	return len < max ? len : max;
}

/* Drops bytes from the end of the table (whole sectors must remain):
 * returns the entries left. */
static unsigned prd_trim(struct physata *a, unsigned n, uint32_t excess)
{
	while (excess) {
		uint32_t last = prd_len(a, n - 1);

		if (last > excess) {
			prd_set(a, n - 1, get_le32(a->prd + (n - 1) * ATA_PRD_SZ), last - excess);
			break;
		}
		excess -= last;
		n--;
	}
	return n;
}

/* Fills the PRD table from c with at most max bytes and
 * PHYSATA_PRD_PER_CMD entries, cut to whole sectors, end-of-table set;
 * advances c and returns the bytes it covers (at least one sector: 256
 * entries of at least 2 bytes). */
static uint32_t build_prd(struct physata *a, struct cursor *c, uint32_t max)
{
	struct cursor w = *c;
	uint32_t bytes = 0, kept;
	unsigned n = 0;

	while (n < PHYSATA_PRD_PER_CMD && bytes < max && w.i < w.nseg) {
		uint32_t base, len = next_region(&w, max - bytes, &base);

		prd_set(a, n++, base, len);
		cursor_advance(&w, len);
		bytes += len;
	}
	kept = bytes - bytes % ATA_SECT_SIZE;
	n = prd_trim(a, n, bytes - kept);
	put_le32(a->prd + (n - 1) * ATA_PRD_SZ + 4,
		 get_le32(a->prd + (n - 1) * ATA_PRD_SZ + 4) | ATA_PRD_EOT);
	cursor_advance(c, kept);
	return kept;
}

/* ---------------------------------------------------------------- DMA */

/* "Bus Master IDE Operation": the table, the direction (RWCON set: the bus
 * master writes memory, a disk read), status cleared; the command; start;
 * wait; stop; then the bus master's and the drive's status. */
static int dma_cmd(struct physata *a, const struct physata_disk *k, bool write, uint64_t lba,
		   uint32_t n, bool ext)
{
	struct taskfile tf = { .cmd = rw_opcode(true, write, ext), .ext = ext,
			       .lba_mode = true, .nsect = n, .lba = lba };
	uint8_t dir = write ? 0 : ATA_DMA_WR, st, bmsta;
	int rc = select_drive(a, k->chan, k->drive);

	if (rc)
		return rc;
	bm_out(a, k->chan, ATA_DMA_TABLE_OFS, 4, a->prd_hpa);
	bm_out(a, k->chan, ATA_DMA_CMD, 1, dir);
	clear_bm_status(a, k->chan);
	a->st.commands++;
	issue(a, k, &tf);
	bm_out(a, k->chan, ATA_DMA_CMD, 1, dir | ATA_DMA_START);
	rc = wait_dma(a, k->chan, &st);
	bm_out(a, k->chan, ATA_DMA_CMD, 1, dir);
	bmsta = clear_bm_status(a, k->chan);
	if (rc)
		return rc;
	if (bmsta & ATA_DMA_ERR) {
		a->last_status = st;
		a->last_error = cmd_in(a, k->chan, ATA_REG_ERR);
		return -XT_EIO;
	}
	return end_status(a, k->chan);
}

static int dma_xfer(struct physata *a, const struct physata_disk *k, bool write, uint64_t lba,
		    uint32_t nsect, const struct physata_seg *segs, unsigned nseg)
{
	struct cursor c = { .segs = segs, .nseg = nseg };

	while (nsect) {
		bool ext;
		uint32_t n = cmd_sectors(k, lba, nsect, &ext);
		int rc;

		n = build_prd(a, &c, n * ATA_SECT_SIZE) / ATA_SECT_SIZE;
		rc = dma_cmd(a, k, write, lba, n, ext);
		if (rc)
			return rc;
		lba += n;
		nsect -= n;
	}
	return 0;
}

/* Segments: each even and non-empty, not wrapping, totalling nsect
 * sectors. *below4g: all of them reachable by the 32-bit bus master. */
static int check_segs(uint32_t nsect, const struct physata_seg *segs, unsigned nseg,
		      bool *below4g)
{
	uint64_t total = 0;

	if (!segs || !nseg)
		return -XT_EINVAL;
	if (nseg > PHYSATA_MAX_SEGS)
		return -XT_E2BIG;
	*below4g = true;
	for (unsigned i = 0; i < nseg; i++) {
		const struct physata_seg *s = &segs[i];

		if (!s->len || ((s->hpa | s->len) & 1) || s->hpa > UINT64_MAX - s->len)
			return -XT_EINVAL;
		if (s->hpa + s->len > (1ull << 32))
			*below4g = false;
		total += s->len;
	}
	return total == (uint64_t)nsect * ATA_SECT_SIZE ? 0 : -XT_EINVAL;
}

/* The PIO fallback reaches every segment through ops->map. */
static int check_map(struct physata *a, const struct physata_seg *segs, unsigned nseg)
{
	if (!a->ops->map)
		return -XT_ENOTSUP;
	for (unsigned i = 0; i < nseg; i++)
		if (!a->ops->map(a->ops->ctx, segs[i].hpa, segs[i].len))
			return -XT_EINVAL;
	return 0;
}

static int rw_call(struct physata *a, unsigned d, uint64_t lba, uint32_t nsect,
		   const struct physata_seg *segs, unsigned nseg, bool write)
{
	struct physata_disk *k = check_range(a, d, lba, nsect);
	struct xbuf b = { .segs = segs, .nseg = nseg };
	bool below4g;
	int rc;

	if (!k)
		return -XT_EINVAL;
	rc = check_segs(nsect, segs, nseg, &below4g);
	if (rc)
		return rc;
	if (a->prd && k->dma && below4g) {
		rc = account(a, k->chan, dma_xfer(a, k, write, lba, nsect, segs, nseg));
	} else {
		rc = check_map(a, segs, nseg);
		if (rc)
			return rc;
		a->st.pio_fallbacks++;
		rc = account(a, k->chan, pio_xfer(a, k, write, lba, nsect, &b));
	}
	if (!rc)
		count_done(a, write, nsect);
	return rc;
}

int physata_read(struct physata *a, unsigned d, uint64_t lba, uint32_t nsect,
		 const struct physata_seg *segs, unsigned nseg)
{
	return rw_call(a, d, lba, nsect, segs, nseg, false);
}

int physata_write(struct physata *a, unsigned d, uint64_t lba, uint32_t nsect,
		  const struct physata_seg *segs, unsigned nseg)
{
	return rw_call(a, d, lba, nsect, segs, nseg, true);
}

int physata_flush(struct physata *a, unsigned d)
{
	struct physata_disk *k = check_range(a, d, 0, 1);
	uint8_t cmd;
	int rc;

	if (!k)
		return -XT_EINVAL;
	cmd = k->lba48 && k->flush_ext ? ATA_CMD_FLUSH_EXT : ATA_CMD_FLUSH;
	rc = account(a, k->chan, exec_nodata(a, k, cmd, 0, 0, PHYSATA_FLUSH_TIMEOUT_MS));
	if (!rc)
		a->st.flushes++;
	return rc;
}

/* ---------------------------------------------------------------- IDENTIFY DEVICE */

/* "PIO data-in command protocol" for the one block of IDENTIFY DEVICE. */
static int identify(struct physata *a, const struct physata_disk *k, uint16_t id[ATA_ID_WORDS])
{
	struct taskfile tf = { .cmd = ATA_CMD_ID_ATA };
	uint8_t st;
	int rc;

	issue(a, k, &tf);
	rc = pio_ready(a, k->chan);
	if (rc)
		return rc;
	for (unsigned i = 0; i < ATA_ID_WORDS; i++)
		id[i] = data_in(a, k->chan);
	delay(a, NS400_US);
	rc = wait_clear(a, k->chan, ATA_BUSY, PHYSATA_TIMEOUT_MS, &st);
	return rc ? rc : end_status(a, k->chan);
}

/* Word 255: when bits 7:0 are A5h, the 512 bytes sum to 0 (mod 256). */
static bool id_checksum_ok(const uint16_t *id)
{
	uint8_t sum = 0;

	if ((id[ATA_ID_CHECKSUM] & 0xff) != ATA_ID_CHECKSUM_SIG)
		return true;
	for (unsigned i = 0; i < ATA_ID_WORDS; i++)
		sum = (uint8_t)(sum + (id[i] & 0xff) + (id[i] >> 8));
	return sum == 0;
}

/* A string of words, first character in bits 15:8; printable ASCII kept
 * (others become '?'), leading and trailing spaces trimmed. */
static void id_string(const uint16_t *id, unsigned word, unsigned len, char *out)
{
	unsigned start = 0, end = len, n = 0;
	char s[ATA_ID_PROD_LEN];

	for (unsigned i = 0; i < len; i++) {
		uint8_t c = (uint8_t)(i & 1 ? id[word + i / 2] : id[word + i / 2] >> 8);

		s[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	while (start < end && s[start] == ' ')
		start++;
	while (end > start && s[end - 1] == ' ')
		end--;
	for (unsigned i = start; i < end; i++)
		out[n++] = s[i];
	out[n] = '\0';
}

static bool id_word_valid(uint16_t w)
{
	return (w & ID_VALID_MASK) == ATA_ID_VALID_14;
}

/* Capacity: words 100-103 with 48-bit addresses (at most 2^48), else
 * 60-61 (at most 0FFFFFFFh). */
static void id_capacity(const uint16_t *id, struct physata_disk *k)
{
	uint64_t c48 = 0;

	for (unsigned i = 0; i < 4; i++)
		c48 |= (uint64_t)id[ATA_ID_LBA_CAPACITY_2 + i] << (16 * i);
	k->lba48 = id_word_valid(id[ATA_ID_COMMAND_SET_2]) &&
		   (id[ATA_ID_COMMAND_SET_2] & ATA_ID_CS2_LBA48) && c48;
	if (k->lba48) {
		k->sectors = c48 > ATA_MAX_LBA48 ? ATA_MAX_LBA48 : c48;
		return;
	}
	k->sectors = id[ATA_ID_LBA_CAPACITY] | (uint32_t)id[ATA_ID_LBA_CAPACITY + 1] << 16;
	if (k->sectors > ATA_MAX_LBA28)
		k->sectors = ATA_MAX_LBA28;
}

/* A multiword (word 63) or Ultra DMA (word 88, when word 53 says it is
 * valid) mode is selected. */
static bool dma_mode_selected(const uint16_t *id)
{
	if (id[ATA_ID_MWDMA_MODES] >> ATA_ID_SELECTED_SHIFT & 7)
		return true;
	return (id[ATA_ID_FIELD_VALID] & ATA_ID_FIELD_88) &&
	       (id[ATA_ID_UDMA_MODES] >> ATA_ID_SELECTED_SHIFT & 0x7f);
}

/* "IDENTIFY DEVICE": an ATA disk with LBA (CHS-only disks are not used). */
static bool parse_identify(const uint16_t *id, struct physata_disk *k)
{
	if ((id[ATA_ID_CONFIG] & ID_ATAPI) || !id_checksum_ok(id) ||
	    !(id[ATA_ID_CAPABILITY] & ATA_ID_CAP_LBA))
		return false;
	id_capacity(id, k);
	if (!k->sectors)
		return false;
	k->dma = (id[ATA_ID_CAPABILITY] & ATA_ID_CAP_DMA) &&
		 ((id[ATA_ID_MWDMA_MODES] & 7) || dma_mode_selected(id));
	k->flush_ext = id_word_valid(id[ATA_ID_COMMAND_SET_2]) &&
		       (id[ATA_ID_COMMAND_SET_2] & ATA_ID_CS2_FLUSH_EXT);
	id_string(id, ATA_ID_PROD, ATA_ID_PROD_LEN, k->model);
	id_string(id, ATA_ID_SERNO, ATA_ID_SERNO_LEN, k->serial);
	return true;
}

/* "SET FEATURES" 03h: the highest multiword DMA mode the drive has, when
 * it reports none selected; on failure the disk is used by PIO. */
static void select_dma_mode(struct physata *a, struct physata_disk *k, const uint16_t *id)
{
	unsigned mode = 2;

	if (!k->dma || dma_mode_selected(id))
		return;
	while (!(id[ATA_ID_MWDMA_MODES] & (1u << mode)))
		mode--;
	k->xfer = (uint8_t)(XFER_MW_DMA_0 + mode);
	if (exec_nodata(a, k, ATA_CMD_SET_FEATURES, SETFEATURES_XFER, k->xfer,
			PHYSATA_TIMEOUT_MS)) {
		k->xfer = 0;
		k->dma = false;
	}
}

/* ---------------------------------------------------------------- probe */

/* "Signature and persistence": after the reset an ATA device shows LBA
 * mid/high 00h/00h (3Ch/C3h for a SATA disk behind a PATA emulation), and
 * a status that is neither 00h (absent device 1) nor floating. */
static bool ata_signature(struct physata *a, unsigned chan)
{
	uint8_t st = alt_status(a, chan), mid, high;

	if (st == 0 || st == STATUS_EMPTY || st == STATUS_FLOATING || (st & ATA_BUSY))
		return false;
	mid = cmd_in(a, chan, ATA_REG_LBAM);
	high = cmd_in(a, chan, ATA_REG_LBAH);
	return (mid == 0 && high == 0) || (mid == SIG_SATA_LBAM && high == SIG_SATA_LBAH);
}

static bool probe_drive(struct physata *a, unsigned chan, unsigned drive,
			struct physata_disk *k)
{
	uint16_t id[ATA_ID_WORDS];

	memset(k, 0, sizeof(*k));
	k->chan = chan;
	k->drive = drive;
	if (select_drive(a, chan, drive) || !ata_signature(a, chan))
		return false;
	if (identify(a, k, id) || !parse_identify(id, k))
		return false;
	select_dma_mode(a, k, id);
	k->present = true;
	return true;
}

static void probe_channel(struct physata *a, unsigned chan)
{
	if (reset_channel(a, chan))
		return;
	for (unsigned drive = 0; drive < 2; drive++)
		if (probe_drive(a, chan, drive, &a->disk[a->ndisks]))
			a->ndisks++;
		else
			memset(&a->disk[a->ndisks], 0, sizeof(a->disk[a->ndisks]));
}

int physata_init(struct physata *a, const struct physata_ops *ops, void *prd, uint64_t prd_hpa)
{
	if (!a || !ops || !ops->in || !ops->out || !ops->delay_us)
		return -XT_EINVAL;
	memset(a, 0, sizeof(*a));
	if (prd && ((prd_hpa & 0xfff) || prd_hpa + 4096 > (1ull << 32)))
		return -XT_EINVAL;
	a->ops = ops;
	a->prd = prd;
	a->prd_hpa = (uint32_t)prd_hpa;
	for (unsigned chan = 0; chan < PHYSATA_NCHANNELS; chan++) {
		stop_bm(a, chan);
		if (prd)
			clear_bm_status(a, chan);
		probe_channel(a, chan);
	}
	return a->ndisks ? 0 : -XT_ENOENT;
}

/* ---------------------------------------------------------------- GPT */

/* CRC32 as the UEFI spec uses it (IEEE 802.3, reflected 04C11DB7h, preset
 * and final complement applied by the callers). */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (unsigned b = 0; b < 8; b++)
			crc = crc >> 1 ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return crc;
}

struct gpt_header {
	uint64_t entries_lba;
	uint32_t nent, esize, entries_crc;
};

/* "GPT Header": signature, size, its CRC32 (computed with the field
 * zeroed), MyLBA 1, entries of 128 * 2^n bytes, the array on the disk. */
static int gpt_check_header(const struct physata_disk *k, uint8_t *s, struct gpt_header *h)
{
	uint32_t hsize = get_le32(s + 12), crc = get_le32(s + 16);
	uint64_t bytes, sectors;

	if (memcmp(s, "EFI PART", 8) || hsize < GPT_HEADER_MIN || hsize > ATA_SECT_SIZE)
		return -XT_EINVAL;
	memset(s + 16, 0, 4);
	if (~crc32_update(~0u, s, hsize) != crc || get_le64(s + 24) != GPT_HEADER_LBA)
		return -XT_EINVAL;
	h->entries_lba = get_le64(s + 72);
	h->nent = get_le32(s + 80);
	h->esize = get_le32(s + 84);
	h->entries_crc = get_le32(s + 88);
	bytes = (uint64_t)h->nent * h->esize;
	sectors = (bytes + ATA_SECT_SIZE - 1) / ATA_SECT_SIZE;
	if (h->esize < GPT_ENTRY_MIN || h->esize % GPT_ENTRY_MIN ||
	    (h->esize & (h->esize - 1)) || bytes > PHYSATA_GPT_MAX_BYTES)
		return -XT_EINVAL;
	if (h->entries_lba <= GPT_HEADER_LBA || h->entries_lba >= k->sectors ||
	    sectors > k->sectors - h->entries_lba)
		return -XT_EINVAL;
	return 0;
}

/* What a walk of the entry array looks for. */
struct gpt_find {
	unsigned n;			/* 1-based entry wanted, 0 none */
	const uint8_t *guid;		/* unique GUID looked for, or NULL */
	bool have_n, have_guid;
	uint8_t entry[GPT_ENTRY_USED];	/* entry n */
};

static bool gpt_used(const uint8_t *e)
{
	for (unsigned i = 0; i < 16; i++)
		if (e[i])
			return true;
	return false;
}

static void gpt_look(struct gpt_find *f, uint64_t idx, const uint8_t *e)
{
	if (idx + 1 == f->n) {
		memcpy(f->entry, e, GPT_ENTRY_USED);
		f->have_n = true;
	}
	if (f->guid && gpt_used(e) && !memcmp(e + 16, f->guid, 16))
		f->have_guid = true;
}

/* One sector of the array, at byte offset at of it, len bytes of it used:
 * the entries starting in it (entries are multiples of 128 bytes apart, so
 * their first 128 bytes are in one sector). */
static void gpt_entries_in(struct gpt_find *f, const struct gpt_header *h, const uint8_t *s,
			   uint64_t at, uint32_t len)
{
	uint64_t off = (at + h->esize - 1) / h->esize * h->esize;

	for (; off < at + len; off += h->esize)
		gpt_look(f, off / h->esize, s + (off - at));
}

/* Reads the header and the whole entry array (its CRC32 checked) for f. */
static int gpt_walk(struct physata *a, unsigned d, struct gpt_find *f)
{
	uint8_t s[ATA_SECT_SIZE];
	struct gpt_header h;
	uint32_t crc = ~0u, bytes;
	int rc = physata_read_pio(a, d, GPT_HEADER_LBA, 1, s);

	if (!rc)
		rc = gpt_check_header(&a->disk[d], s, &h);
	if (rc)
		return rc;
	bytes = h.nent * h.esize;
	for (uint32_t at = 0; at < bytes; at += ATA_SECT_SIZE) {
		uint32_t len = bytes - at < ATA_SECT_SIZE ? bytes - at : ATA_SECT_SIZE;

		rc = physata_read_pio(a, d, h.entries_lba + at / ATA_SECT_SIZE, 1, s);
		if (rc)
			return rc;
		crc = crc32_update(crc, s, len);
		gpt_entries_in(f, &h, s, at, len);
	}
	return ~crc == h.entries_crc ? 0 : -XT_EINVAL;
}

static bool gpt_args_ok(const struct physata *a, unsigned d)
{
	return a && a->ops && d < a->ndisks && a->disk[d].present;
}

int physata_gpt_partition(struct physata *a, unsigned d, unsigned n, uint64_t *first,
			  uint64_t *count, uint8_t unique_guid[16])
{
	struct gpt_find f = { .n = n };
	uint64_t lo, hi;
	int rc;

	if (!gpt_args_ok(a, d) || !n)
		return -XT_EINVAL;
	rc = gpt_walk(a, d, &f);
	if (rc)
		return rc;
	if (!f.have_n || !gpt_used(f.entry))
		return -XT_ENOENT;
	lo = get_le64(f.entry + 32);
	hi = get_le64(f.entry + 40);
	if (lo > hi || hi >= a->disk[d].sectors || lo <= GPT_HEADER_LBA)
		return -XT_EINVAL;
	if (first)
		*first = lo;
	if (count)
		*count = hi - lo + 1;
	if (unique_guid)
		memcpy(unique_guid, f.entry + 16, 16);
	return 0;
}

int physata_gpt_has_partition(struct physata *a, unsigned d, const uint8_t unique_guid[16])
{
	struct gpt_find f = { .guid = unique_guid };
	int rc;

	if (!gpt_args_ok(a, d) || !unique_guid)
		return -XT_EINVAL;
	rc = gpt_walk(a, d, &f);
	if (rc)
		return rc;
	return f.have_guid ? 1 : 0;
}
