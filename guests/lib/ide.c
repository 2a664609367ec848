/* SPDX-License-Identifier: MIT */
/* The IDE driver (see ide.h); the protocols as ATA/ATAPI-6 describes them. */
#include "ide.h"

#include <string.h>

#include "guest.h"
#include "pic.h"
#include "pit.h"
#include "tsc.h"

#define IDETIM_PRI 0x40           /* PIIX "IDE Timing" registers, 16 bits each */
#define IDETIM_SEC 0x42
#define IDETIM_DECODE (1u << 15)  /* IDE decode enable */
/* Device register bits 7 and 5: obsolete in ATA-6, set by hosts as the
 * older standards asked (Linux's ATA_DEVICE_OBS). */
#define DEVICE_OBS 0xa0u
#define FLOATING_LOW 0x7fu        /* an empty channel with DD7 pulled down */
#define FLOATING_HIGH 0xffu       /* ... without */
#define SIG_ATAPI_LBAM 0x14u      /* ATA-6 "Signature and persistence" */
#define SIG_ATAPI_LBAH 0xebu
#define SRST_US 5                 /* ATA-6: SRST set for at least 5 us */
#define RESET_WAIT_MS 2           /* then at least 2 ms before status is valid */
#define RESET_BUSY_MS 31000       /* and BSY may stay up to 31 s */
#define POLL_US 10
#define WORDS_PER_SECT (IDE_SECT / 2)
#define BM_CAP_BITS (PIIX_DMA_DRV0_CAP | PIIX_DMA_DRV1_CAP)

static const uint16_t legacy_cmd[IDE_NCHAN] = { ATA_PRIMARY_CMD, ATA_SECONDARY_CMD };
static const uint16_t legacy_ctl[IDE_NCHAN] = { ATA_PRIMARY_CTL, ATA_SECONDARY_CTL };
static const uint8_t legacy_irq[IDE_NCHAN] = { ATA_PRIMARY_IRQ, ATA_SECONDARY_IRQ };

/* ------------------------------------------------------------ registers */

static uint8_t rd(const struct ide_chan *c, unsigned reg)
{
	return inb((uint16_t)(c->cmd + reg));
}

static void wr(const struct ide_chan *c, unsigned reg, uint8_t v)
{
	outb((uint16_t)(c->cmd + reg), v);
}

uint8_t ide_altstatus(struct ide *d, unsigned chan)
{
	return inb(d->ch[chan].ctl);
}

uint8_t ide_bmista(struct ide *d, unsigned chan)
{
	return inb((uint16_t)(d->ch[chan].bm + ATA_DMA_STATUS));
}

/* REP INSW/OUTSW: the VMM batches string I/O, one exit per sector. */
static void data_in(uint16_t port, uint8_t *buf, uint64_t words)
{
	__asm__ volatile("rep insw" : "+D"(buf), "+c"(words) : "d"(port) : "memory");
}

static void data_out(uint16_t port, const uint8_t *buf, uint64_t words)
{
	__asm__ volatile("rep outsw" : "+S"(buf), "+c"(words) : "d"(port) : "memory");
}

static uint8_t device_bits(unsigned drive)
{
	return (uint8_t)(DEVICE_OBS | ATA_LBA | (drive ? ATA_DEV1 : 0));
}

/* ATA-6: the host waits 400 ns after writing the device or command
 * register before status is valid; an alternate status read takes at
 * least 100 ns. */
static void delay400(const struct ide_chan *c)
{
	for (unsigned i = 0; i < 4; i++)
		(void)inb(c->ctl);
}

static bool failed(uint8_t status)
{
	return status & (ATA_ERR | ATA_DF);
}

/* ------------------------------------------------------------ waits */

/* Poll the alternate status until no bit of mask is set: true, or false
 * at the deadline; *status is the last value read. */
static bool wait_clear(struct ide *d, unsigned chan, uint8_t mask, uint64_t deadline,
		       uint8_t *status)
{
	struct ide_chan *c = &d->ch[chan];

	for (;;) {
		*status = inb(c->ctl);
		if (!(*status & mask))
			return true;
		if (tsc_expired(deadline))
			return false;
		c->polls++;
		udelay(POLL_US);
	}
}

/* Irq mode: sleep until the channel's handler ran since c->seen (cli;
 * check; sti; hlt: an interrupt after the check ends the HLT). */
static bool wait_irq(struct ide *d, struct ide_chan *c, uint64_t deadline)
{
	for (;;) {
		uint64_t now;

		if (c->irqs > c->seen) {
			c->seen = c->irqs;
			return true;
		}
		now = rdtsc();
		if ((int64_t)(now - deadline) >= 0)
			return false;
		irq_disable();
		if (c->irqs <= c->seen) {
			if (d->wake_timer)
				pit_arm_us(tsc_to_us(deadline - now) + 1);
			c->sleeps++;
			irq_enable_and_halt();
		}
		irq_enable();
	}
}

/* The device has something to say (a PIO block, or the command's end):
 * its interrupt (irq mode), then BSY clear; then the status register,
 * which also deasserts INTRQ. */
static bool wait_event(struct ide *d, unsigned chan, uint64_t deadline, uint8_t *status)
{
	struct ide_chan *c = &d->ch[chan];
	bool ok = true;

	if (d->wait == IDE_IRQ)
		ok = wait_irq(d, c, deadline);
	if (ok)
		ok = wait_clear(d, chan, ATA_BUSY, deadline, status);
	*status = rd(c, ATA_REG_STATUS);
	return ok;
}

/* The result: status as given, the error register, the timeout. */
static void answer(struct ide *d, unsigned chan, struct ide_result *r, uint8_t status,
		   bool timeout)
{
	r->status = status;
	r->error = rd(&d->ch[chan], ATA_REG_ERR);
	r->timeout = timeout;
}

/* ------------------------------------------------------------ commands */

/* ATA-6 "Device selection protocol": BSY and DRQ clear, the device
 * register, 400 ns, BSY and DRQ clear again. */
static int select_drive(struct ide *d, unsigned chan, unsigned drive, uint64_t deadline,
			struct ide_result *r)
{
	struct ide_chan *c = &d->ch[chan];
	uint8_t s;

	if (wait_clear(d, chan, ATA_BUSY | ATA_DRQ, deadline, &s)) {
		wr(c, ATA_REG_DEVICE, device_bits(drive));
		delay400(c);
		if (wait_clear(d, chan, ATA_BUSY | ATA_DRQ, deadline, &s))
			return 0;
	}
	answer(d, chan, r, s, true);
	return IDE_ETIMEDOUT;
}

/* The task file in LBA form; 48-bit: the previous content first. */
static void load_tf(const struct ide_chan *c, unsigned drive, const struct ide_tf *tf)
{
	uint8_t dev = device_bits(drive);

	if (tf->ext) {
		wr(c, ATA_REG_FEATURE, 0);
		wr(c, ATA_REG_NSECT, (uint8_t)(tf->count >> 8));
		wr(c, ATA_REG_LBAL, (uint8_t)(tf->lba >> 24));
		wr(c, ATA_REG_LBAM, (uint8_t)(tf->lba >> 32));
		wr(c, ATA_REG_LBAH, (uint8_t)(tf->lba >> 40));
	} else {
		dev |= (uint8_t)(tf->lba >> 24 & ATA_DEVICE_HEAD_MASK);
	}
	wr(c, ATA_REG_FEATURE, tf->feature);
	wr(c, ATA_REG_NSECT, (uint8_t)tf->count);
	wr(c, ATA_REG_LBAL, (uint8_t)tf->lba);
	wr(c, ATA_REG_LBAM, (uint8_t)(tf->lba >> 8));
	wr(c, ATA_REG_LBAH, (uint8_t)(tf->lba >> 16));
	wr(c, ATA_REG_DEVICE, dev);
}

int ide_issue(struct ide *d, unsigned chan, unsigned drive, const struct ide_tf *tf,
	      struct ide_result *r)
{
	struct ide_chan *c = &d->ch[chan];
	int rc = select_drive(d, chan, drive, tsc_deadline_ms(d->timeout_ms), r);

	if (rc)
		return rc;
	load_tf(c, drive, tf);
	c->seen = c->irqs;
	wr(c, ATA_REG_CMD, tf->command);
	c->commands++;
	return 0;
}

int ide_wait_done(struct ide *d, unsigned chan, uint32_t timeout_ms, struct ide_result *r)
{
	uint8_t s;
	bool ok = wait_event(d, chan, tsc_deadline_ms(timeout_ms), &s);

	answer(d, chan, r, s, !ok);
	if (!ok)
		return IDE_ETIMEDOUT;
	return failed(s) || (s & ATA_DRQ) ? IDE_EIO : 0;
}

/* The end of a PIO command: BSY and DRQ clear, no error. */
static int pio_end(struct ide *d, unsigned chan, uint64_t deadline, struct ide_result *r)
{
	uint8_t s;
	bool ok = wait_clear(d, chan, ATA_BUSY, deadline, &s);

	s = rd(&d->ch[chan], ATA_REG_STATUS);
	answer(d, chan, r, s, !ok);
	if (!ok)
		return IDE_ETIMEDOUT;
	return failed(s) || (s & ATA_DRQ) ? IDE_EIO : 0;
}

/* ATA-6 "PIO data-in": an interrupt (or BSY clear) before each block;
 * none after the last. */
static int pio_in(struct ide *d, unsigned chan, uint8_t *buf, uint32_t count,
		  uint32_t timeout_ms, struct ide_result *r)
{
	const struct ide_chan *c = &d->ch[chan];
	uint8_t s;

	for (uint32_t i = 0; i < count; i++) {
		bool ok = wait_event(d, chan, tsc_deadline_ms(timeout_ms), &s);

		if (!ok || failed(s) || !(s & ATA_DRQ)) {
			answer(d, chan, r, s, !ok);
			return ok ? IDE_EIO : IDE_ETIMEDOUT;
		}
		data_in((uint16_t)(c->cmd + ATA_REG_DATA), buf + (uint64_t)i * IDE_SECT,
			WORDS_PER_SECT);
		r->sectors++;
	}
	return pio_end(d, chan, tsc_deadline_ms(timeout_ms), r);
}

/* ATA-6 "PIO data-out": BSY clear and DRQ for the first block, then an
 * interrupt (or BSY clear) after each, the last one's ending the command. */
static int pio_out(struct ide *d, unsigned chan, const uint8_t *buf, uint32_t count,
		   uint32_t timeout_ms, struct ide_result *r)
{
	const struct ide_chan *c = &d->ch[chan];
	bool ok = wait_clear(d, chan, ATA_BUSY, tsc_deadline_ms(timeout_ms), &r->status);
	uint8_t s = rd(c, ATA_REG_STATUS);

	for (uint32_t i = 0; ok && i < count; i++) {
		if (failed(s) || !(s & ATA_DRQ))
			break;
		data_out((uint16_t)(c->cmd + ATA_REG_DATA), buf + (uint64_t)i * IDE_SECT,
			 WORDS_PER_SECT);
		r->sectors++;
		ok = wait_event(d, chan, tsc_deadline_ms(timeout_ms), &s);
	}
	answer(d, chan, r, s, !ok);
	if (!ok)
		return IDE_ETIMEDOUT;
	return r->sectors < count || failed(s) || (s & ATA_DRQ) ? IDE_EIO : 0;
}

int ide_pio_data(struct ide *d, unsigned chan, bool write, uint8_t *buf, uint32_t count,
		 uint32_t timeout_ms, struct ide_result *r)
{
	r->sectors = 0;
	if (write)
		return pio_out(d, chan, buf, count, timeout_ms, r);
	return pio_in(d, chan, buf, count, timeout_ms, r);
}

/* ------------------------------------------------------------ bus master */

void ide_bm_clear(struct ide *d, unsigned chan)
{
	uint16_t port = (uint16_t)(d->ch[chan].bm + ATA_DMA_STATUS);

	outb(port, (uint8_t)((inb(port) & BM_CAP_BITS) | ATA_DMA_INTR | ATA_DMA_ERR));
}

void ide_bm_setup(struct ide *d, unsigned chan, uint32_t table, bool to_memory)
{
	const struct ide_chan *c = &d->ch[chan];

	outb((uint16_t)(c->bm + ATA_DMA_CMD), to_memory ? ATA_DMA_WR : 0);
	outl((uint16_t)(c->bm + ATA_DMA_TABLE_OFS), table);
	ide_bm_clear(d, chan);
}

void ide_bm_start(struct ide *d, unsigned chan)
{
	uint16_t port = (uint16_t)(d->ch[chan].bm + ATA_DMA_CMD);

	barrier(); /* the table and the buffers are in memory before the PIIX reads them */
	outb(port, (uint8_t)(inb(port) | ATA_DMA_START));
}

static void bm_stop(struct ide *d, unsigned chan)
{
	uint16_t port = (uint16_t)(d->ch[chan].bm + ATA_DMA_CMD);

	outb(port, (uint8_t)(inb(port) & ~ATA_DMA_START));
}

/* The PIIX sets BMISTA's interrupt bit when the drive asserts INTRQ: in
 * irq mode the handler ran first. */
static bool wait_dma(struct ide *d, unsigned chan, uint64_t deadline)
{
	struct ide_chan *c = &d->ch[chan];

	if (d->wait == IDE_IRQ && !wait_irq(d, c, deadline))
		return false;
	for (;;) {
		if (ide_bmista(d, chan) & ATA_DMA_INTR)
			return true;
		if (tsc_expired(deadline))
			return false;
		c->polls++;
		udelay(POLL_US);
	}
}

int ide_dma_finish(struct ide *d, unsigned chan, uint32_t timeout_ms, struct ide_result *r)
{
	uint64_t deadline = tsc_deadline_ms(timeout_ms);
	bool ok = wait_dma(d, chan, deadline);
	uint8_t s;

	r->bmista = ide_bmista(d, chan);
	bm_stop(d, chan);
	if (ok)
		ok = wait_clear(d, chan, ATA_BUSY, deadline, &s);
	s = rd(&d->ch[chan], ATA_REG_STATUS);
	answer(d, chan, r, s, !ok);
	ide_bm_clear(d, chan);
	if (!ok)
		return IDE_ETIMEDOUT;
	if (failed(s) || (s & ATA_DRQ) || (r->bmista & ATA_DMA_ERR))
		return IDE_EIO;
	return 0;
}

unsigned ide_prd_fill(uint32_t *table, unsigned max, uint64_t addr, uint32_t bytes,
		      uint32_t seg_max)
{
	unsigned n = 0;

	if ((addr | bytes | seg_max) & 1 || !bytes || !seg_max || seg_max > ATA_PRD_BOUNDARY ||
	    addr + bytes > (1ull << 32))
		return 0;
	while (bytes) {
		uint32_t room = ATA_PRD_BOUNDARY - (uint32_t)(addr & (ATA_PRD_BOUNDARY - 1));
		uint32_t len = bytes < room ? bytes : room;

		if (len > seg_max)
			len = seg_max;
		if (n == max)
			return 0;
		table[2 * n] = (uint32_t)addr;
		table[2 * n + 1] = len & ATA_PRD_COUNT_MASK; /* 64 KiB is written as 0 */
		addr += len;
		bytes -= len;
		n++;
	}
	table[2 * n - 1] |= ATA_PRD_EOT;
	return n;
}

/* ------------------------------------------------------------ transfers */

bool ide_need_ext(uint64_t lba, uint32_t count, bool lba48)
{
	return lba + count > ATA_MAX_LBA28 || count > (lba48 ? 255u : 256u);
}

static bool xfer_ok(const struct ide_xfer *x)
{
	uint64_t end = x->ext ? ATA_MAX_LBA48 : ATA_MAX_LBA28 + 1;
	uint32_t most = x->ext ? 65536u : 256u;

	return x->chan < IDE_NCHAN && x->drive < IDE_NDRIVE && x->count && x->count <= most &&
	       x->lba < end && x->count <= end - x->lba;
}

static uint8_t rw_opcode(const struct ide_xfer *x, bool dma)
{
	static const uint8_t op[2][2][2] = {
		/* [dma][write][ext] */
		{ { ATA_CMD_PIO_READ, ATA_CMD_PIO_READ_EXT },
		  { ATA_CMD_PIO_WRITE, ATA_CMD_PIO_WRITE_EXT } },
		{ { ATA_CMD_READ, ATA_CMD_READ_EXT }, { ATA_CMD_WRITE, ATA_CMD_WRITE_EXT } },
	};

	return op[dma][x->write][x->ext];
}

int ide_pio(struct ide *d, const struct ide_xfer *x, struct ide_result *r)
{
	struct ide_tf tf = { rw_opcode(x, false), 0, x->lba, x->count, x->ext };
	int rc;

	*r = (struct ide_result){ 0 };
	if (!xfer_ok(x))
		return IDE_EINVAL;
	rc = ide_issue(d, x->chan, x->drive, &tf, r);
	if (!rc)
		rc = ide_pio_data(d, x->chan, x->write, x->buf, x->count, d->timeout_ms, r);
	return rc;
}

int ide_dma(struct ide *d, const struct ide_xfer *x, uint32_t seg_max, struct ide_result *r)
{
	struct ide_tf tf = { rw_opcode(x, true), 0, x->lba, x->count, x->ext };
	int rc;

	*r = (struct ide_result){ 0 };
	if (!xfer_ok(x) || !ide_prd_fill(d->prd, IDE_PRD_ENTRIES, (uintptr_t)x->buf,
					 x->count * IDE_SECT, seg_max))
		return IDE_EINVAL;
	ide_bm_setup(d, x->chan, (uint32_t)(uintptr_t)d->prd, !x->write);
	rc = ide_issue(d, x->chan, x->drive, &tf, r);
	if (rc)
		return rc;
	ide_bm_start(d, x->chan);
	return ide_dma_finish(d, x->chan, d->timeout_ms, r);
}

int ide_flush(struct ide *d, unsigned chan, unsigned drive, bool ext, struct ide_result *r)
{
	struct ide_tf tf = { ext ? ATA_CMD_FLUSH_EXT : ATA_CMD_FLUSH, 0, 0, 0, false };
	int rc;

	*r = (struct ide_result){ 0 };
	rc = ide_issue(d, chan, drive, &tf, r);
	return rc ? rc : ide_wait_done(d, chan, d->timeout_ms, r);
}

/* ------------------------------------------------------------ reset, presence */

/* ATA-6 "Software reset protocol"; *diag: the error register after it. */
int ide_srst(struct ide *d, unsigned chan, uint8_t *diag)
{
	const struct ide_chan *c = &d->ch[chan];
	uint8_t s;

	outb(c->ctl, ATA_SRST);
	udelay(SRST_US);
	outb(c->ctl, 0);
	mdelay(RESET_WAIT_MS);
	if (inb(c->ctl) == FLOATING_HIGH)
		return IDE_ENODEV;
	if (!wait_clear(d, chan, ATA_BUSY, tsc_deadline_ms(RESET_BUSY_MS), &s))
		return IDE_ETIMEDOUT;
	*diag = rd(c, ATA_REG_ERR);
	return 0;
}

/* The signature a reset left (ATA-6 "Signature and persistence"). */
static void classify(struct ide *d, unsigned chan, unsigned drive)
{
	const struct ide_chan *c = &d->ch[chan];
	struct ide_drive *dr = &d->drive[chan][drive];
	uint8_t s, n, l, m, h;

	*dr = (struct ide_drive){ 0 };
	wr(c, ATA_REG_DEVICE, device_bits(drive));
	delay400(c);
	s = inb(c->ctl);
	if (s == 0 || s == FLOATING_LOW || s == FLOATING_HIGH)
		return; /* absent device 1 (00h), or nothing on the channel */
	n = rd(c, ATA_REG_NSECT);
	l = rd(c, ATA_REG_LBAL);
	m = rd(c, ATA_REG_LBAM);
	h = rd(c, ATA_REG_LBAH);
	dr->present = n == 1 && l == 1 && m == 0 && h == 0;
	dr->atapi = m == SIG_ATAPI_LBAM && h == SIG_ATAPI_LBAH;
}

static const char *kind(const struct ide_drive *dr)
{
	return dr->present ? "ATA" : dr->atapi ? "ATAPI (not driven)" : "none";
}

int ide_reset(struct ide *d, unsigned chan)
{
	uint8_t diag = 0;
	int rc = ide_srst(d, chan, &diag);

	if (rc == IDE_ENODEV) {
		print("ide: chan %u: status reads 0xff after SRST: no drive\n", chan);
		d->drive[chan][0] = d->drive[chan][1] = (struct ide_drive){ 0 };
		return 0;
	}
	if (rc) {
		print("ide: error: chan %u: BSY still set %u ms after SRST (status 0x%02x)\n", chan,
		      RESET_BUSY_MS, ide_altstatus(d, chan));
		return rc;
	}
	for (unsigned i = 0; i < IDE_NDRIVE; i++)
		classify(d, chan, i);
	(void)rd(&d->ch[chan], ATA_REG_STATUS);
	print("ide: chan %u: reset, diagnostic code 0x%02x, drive 0 %s, drive 1 %s\n", chan, diag,
	      kind(&d->drive[chan][0]), kind(&d->drive[chan][1]));
	return 0;
}

/* ------------------------------------------------------------ IDENTIFY */

/* Words 27-46, the first character of each pair in bits 15:8. */
static void id_model(char *out, const uint16_t *id)
{
	int end = IDE_MODEL_LEN;

	for (unsigned i = 0; i < IDE_MODEL_LEN; i++) {
		char ch = (char)(i & 1 ? id[ATA_ID_PROD + i / 2] : id[ATA_ID_PROD + i / 2] >> 8);

		out[i] = ch >= 0x20 && ch < 0x7f ? ch : '?';
	}
	while (end > 0 && out[end - 1] == ' ')
		end--;
	out[end] = '\0';
}

/* Word 255: when bits 7:0 are A5h, all 512 bytes sum to 0. */
static bool id_checksum_ok(const uint16_t *id)
{
	uint8_t sum = 0;

	if ((id[ATA_ID_CHECKSUM] & 0xff) != ATA_ID_CHECKSUM_SIG)
		return true;
	for (unsigned i = 0; i < ATA_ID_WORDS; i++)
		sum = (uint8_t)(sum + (id[i] & 0xff) + (id[i] >> 8));
	return sum == 0;
}

static uint64_t id_words(const uint16_t *id, unsigned word, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = v << 16 | id[word + i];
	return v;
}

/* The drive's fields from its IDENTIFY data: NULL, or why it is unusable. */
static const char *parse_identify(struct ide_drive *dr, const uint16_t *id)
{
	if (id[ATA_ID_CONFIG] & 0x8000)
		return "word 0 says it is not an ATA device";
	if (!id_checksum_ok(id))
		return "bad checksum in word 255";
	if (!(id[ATA_ID_CAPABILITY] & ATA_ID_CAP_LBA))
		return "no LBA (word 49)";
	dr->lba48 = (id[ATA_ID_COMMAND_SET_2] & ATA_ID_CS2_LBA48) &&
		    (id[ATA_ID_CFS_ENABLE_2] & ATA_ID_CS2_LBA48);
	dr->dma = id[ATA_ID_CAPABILITY] & ATA_ID_CAP_DMA;
	dr->sectors = dr->lba48 ? id_words(id, ATA_ID_LBA_CAPACITY_2, 4)
				: id_words(id, ATA_ID_LBA_CAPACITY, 2);
	id_model(dr->model, id);
	return dr->sectors ? NULL : "0 sectors";
}

/* SET FEATURES, transfer mode multiword DMA 2 (a PIIX3 has no Ultra DMA). */
static const char *set_dma_mode(struct ide *d, unsigned chan, unsigned drive, const uint16_t *id)
{
	struct ide_tf tf = { ATA_CMD_SET_FEATURES, SETFEATURES_XFER, 0, XFER_MW_DMA_2, false };
	struct ide_result r = { 0 };
	int rc;

	if (!d->drive[chan][drive].dma || !(id[ATA_ID_MWDMA_MODES] & (1u << 2)))
		return "PIO only";
	rc = ide_issue(d, chan, drive, &tf, &r);
	if (!rc)
		rc = ide_wait_done(d, chan, d->timeout_ms, &r);
	if (!rc)
		return "DMA mwdma2";
	print("ide: warning: chan %u drive %u: SET FEATURES mwdma2: status 0x%02x error 0x%02x%s\n",
	      chan, drive, r.status, r.error, r.timeout ? " (timeout)" : "");
	return "DMA (mode not set)";
}

int ide_identify(struct ide *d, unsigned chan, unsigned drive, struct ide_result *r)
{
	struct ide_tf tf = { ATA_CMD_ID_ATA, 0, 0, 0, false };
	struct ide_drive *dr = &d->drive[chan][drive];
	struct ide_result own;
	uint16_t id[ATA_ID_WORDS];
	const char *why;
	int rc;

	r = r ? r : &own;
	*r = (struct ide_result){ 0 };
	rc = ide_issue(d, chan, drive, &tf, r);
	if (!rc)
		rc = ide_pio_data(d, chan, false, (uint8_t *)id, 1, d->timeout_ms, r);
	if (rc) {
		print("ide: error: chan %u drive %u: IDENTIFY DEVICE: status 0x%02x error 0x%02x%s\n",
		      chan, drive, r->status, r->error, r->timeout ? " (timeout)" : "");
		return rc;
	}
	why = parse_identify(dr, id);
	if (why) {
		print("ide: error: chan %u drive %u: IDENTIFY DEVICE: %s\n", chan, drive, why);
		return IDE_EIO;
	}
	print("ide: chan %u drive %u: \"%s\", %lu sectors (%lu MiB), %s, %s\n", chan, drive,
	      dr->model, (unsigned long)dr->sectors, (unsigned long)(dr->sectors >> 11),
	      dr->lba48 ? "LBA48" : "LBA28", set_dma_mode(d, chan, drive, id));
	return 0;
}

/* ------------------------------------------------------------ probe */

static void ide_isr(unsigned irq, void *ctx)
{
	struct ide_chan *c = ctx;

	(void)irq;
	c->isr_status = rd(c, ATA_REG_STATUS); /* deasserts INTRQ */
	c->irqs++;
}

/* Function fn of slot dev on bus 0 if it is an IDE controller; *more:
 * whether the slot may have further functions. */
static bool probe_fn(uint8_t dev, uint8_t fn, struct pci_dev *out, uint32_t *cc, bool *more)
{
	struct pci_dev p = { 0, dev, fn, 0, 0 };
	uint32_t id = pci_read32(&p, PCI_VENDOR_ID);

	*more = fn != 0 || (id & 0xffff) != 0xffff;
	if ((id & 0xffff) == 0xffff)
		return false;
	if (fn == 0 && !(pci_read8(&p, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MFD))
		*more = false;
	*cc = pci_read32(&p, PCI_CLASS_REVISION) >> 8;
	if (*cc >> 8 != IDE_CLASS)
		return false;
	p.vendor = (uint16_t)id;
	p.device = (uint16_t)(id >> 16);
	*out = p;
	return true;
}

static bool find_ide(struct pci_dev *out, uint32_t *cc)
{
	for (uint8_t dev = 0; dev < 32; dev++) {
		bool more = true;

		for (uint8_t fn = 0; fn < 8 && more; fn++) {
			if (probe_fn(dev, fn, out, cc, &more))
				return true;
		}
	}
	return false;
}

/* PIIX IDETIM bit 15 (a BIOS sets it): the legacy ports decode only with it. */
static void decode_enable(struct ide *d)
{
	if (d->pci.vendor != IDE_VENDOR_INTEL)
		return;
	for (unsigned chan = 0; chan < IDE_NCHAN; chan++) {
		uint8_t reg = chan ? IDETIM_SEC : IDETIM_PRI;
		uint16_t v = pci_read16(&d->pci, reg);

		if (v & IDETIM_DECODE)
			continue;
		print("ide: warning: chan %u: IDETIM 0x%04x without decode enable: setting it\n", chan,
		      v);
		pci_write16(&d->pci, reg, (uint16_t)(v | IDETIM_DECODE));
	}
}

static int bus_master_bar(struct ide *d, struct pci_bar *bar)
{
	pci_bar_probe(&d->pci, IDE_BAR_BM, bar);
	if (bar->io && bar->size >= ATA_BMDMA_SIZE && bar->base &&
	    bar->base + bar->size <= 0x10000)
		return 0;
	print("ide: error: BAR4 is not a 16-byte I/O BAR (%s, base 0x%lx, size %lu)\n",
	      bar->io ? "I/O" : "memory", (unsigned long)bar->base, (unsigned long)bar->size);
	return IDE_ENODEV;
}

static int pci_setup(struct ide *d)
{
	struct pci_bar bar;
	uint16_t cmd, want = PCI_COMMAND_IO | PCI_COMMAND_MASTER;

	if (!find_ide(&d->pci, &d->class_code)) {
		print("ide: error: no IDE controller (class 0x%04x) on PCI bus 0\n", IDE_CLASS);
		return IDE_ENODEV;
	}
	if (d->class_code & (IDE_PROGIF_PRI_NATIVE | IDE_PROGIF_SEC_NATIVE)) {
		print("ide: error: class 0x%06x: a channel in PCI native mode (not driven here)\n",
		      d->class_code);
		return IDE_ENODEV;
	}
	if (bus_master_bar(d, &bar))
		return IDE_ENODEV;
	cmd = pci_enable(&d->pci, want);
	if ((cmd & want) != want) {
		print("ide: error: COMMAND reads 0x%04x after enabling I/O and bus master\n", cmd);
		return IDE_ENODEV;
	}
	decode_enable(d);
	for (unsigned i = 0; i < IDE_NCHAN; i++)
		d->ch[i] = (struct ide_chan){ .cmd = legacy_cmd[i], .ctl = legacy_ctl[i],
					      .bm = (uint16_t)(bar.base + i * ATA_DMA_CHAN_STRIDE),
					      .irq = legacy_irq[i] };
	print("ide: %02x:%02x.%x %04x:%04x class 0x%06x, bus master io 0x%lx, commands 0x%x/0x%x, "
	      "irq %u/%u\n",
	      d->pci.bus, d->pci.dev, d->pci.fn, d->pci.vendor, d->pci.device, d->class_code,
	      (unsigned long)bar.base, d->ch[0].cmd, d->ch[1].cmd, d->ch[0].irq, d->ch[1].irq);
	if (!(d->class_code & IDE_PROGIF_BUS_MASTER))
		print("ide: warning: programming interface 0x%02x without bus master\n",
		      d->class_code & 0xff);
	return 0;
}

static int setup_irq(struct ide *d)
{
	if (d->wait != IDE_IRQ)
		return 0;
	for (unsigned i = 0; i < IDE_NCHAN; i++) {
		if (irq_register(d->ch[i].irq, ide_isr, &d->ch[i]))
			return IDE_EINVAL;
		pic_unmask(d->ch[i].irq);
	}
	d->wake_timer = !pit_init(); /* deadlines end sleeps too (IRQ 0) */
	return 0;
}

int ide_probe(struct ide *d, enum ide_wait wait, uint32_t timeout_ms)
{
	int rc;

	memset(d, 0, sizeof(*d));
	d->wait = wait;
	d->timeout_ms = timeout_ms;
	rc = pci_setup(d);
	if (!rc)
		rc = setup_irq(d);
	if (!rc)
		print("ide: ready, completion by %s, timeout %u ms\n",
		      wait == IDE_IRQ ? "irq" : "polling", timeout_ms);
	return rc;
}

void ide_print_stats(const struct ide *d, const char *who)
{
	for (unsigned i = 0; i < IDE_NCHAN; i++) {
		const struct ide_chan *c = &d->ch[i];

		if (c->commands)
			print("%s: ide chan %u: commands %lu irqs %lu sleeps %lu polls %lu\n", who, i,
			      (unsigned long)c->commands, (unsigned long)c->irqs,
			      (unsigned long)c->sleeps, (unsigned long)c->polls);
	}
}
