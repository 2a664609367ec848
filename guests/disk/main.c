/* SPDX-License-Identifier: MIT */
/*
 * Writes and reads a deterministic pattern through an emulated PIIX3 IDE
 * function with ATA disks (guests/disk/README.md):
 *   role=write [flush=1]  bytes= bytes of the pattern from sector lba=, in
 *                         commands of chunk= bytes, then FLUSH CACHE
 *   role=read             the same range, checked byte for byte
 *   role=rw               write, then read back (make bench: a private disk)
 *   role=bad              what a hostile driver may do, each answer
 *                         reported; then a good DMA read
 * common: [chan=0|1] [drive=0|1] [lba=N] [bytes=N] [seed=S] [mode=dma|pio]
 *         [chunk=BYTES] [offset=N] [seg=BYTES] [ext=0|1] [completion=irq|poll]
 *         [delay=MS] [timeout=MS] [tsc_mhz=N] [ram_mib=N]
 *
 * The pattern is a function of the seed and the absolute byte offset on
 * the disk (pattern.h), so a range one guest wrote can be checked by
 * another, in pieces of any size. DMA buffers start offset= bytes into a
 * page (0: page-aligned) and are described by PRD regions of at most seg=
 * bytes, split at 64 KiB boundaries.
 *
 * Exit status: 0 success; 1 a failure (a command failed or timed out, a
 * mismatch, a bad-input answer other than ATA-6's); -1 bad command line;
 * -2 no controller, no disk, or the platform could not be set up.
 */
#include <string.h>

#include "cmdline.h"
#include "guest.h"
#include "ide.h"
#include "lib/fmt.h"
#include "pattern.h"
#include "pic.h"
#include "tsc.h"

#define NAME "disk"
#define EXIT_USAGE (-1)
#define EXIT_DEVICE (-2)
#define PAGE 4096U
#define CHUNK_MAX (1024U * 1024U)
#define BYTES_MAX (1ULL << 40)
#define POISON 0xa5                 /* read buffers before each command */
#define BAD_SECTORS 256U            /* role=bad's scratch range */
#define BAD_WAIT_MS 100             /* how long a bad case may take */
#define STATUS_MASK (ATA_BUSY | ATA_DRDY | ATA_DF | ATA_DRQ | ATA_ERR)
#define BMISTA_MASK (ATA_DMA_INTR | ATA_DMA_ERR | ATA_DMA_ACTIVE)
#define LAPIC_BASE 0xfee00000U
#define RESERVED_OPCODE 0x01        /* ATA-6: reserved */
#define ATA_CMD_NOP 0x00            /* ATA-6: NOP, subcommand 00h always aborts */

enum role { ROLE_WRITE, ROLE_READ, ROLE_BAD, ROLE_RW };

static const char *const role_names[] = {
	[ROLE_WRITE] = "write", [ROLE_READ] = "read", [ROLE_BAD] = "bad", [ROLE_RW] = "rw",
};

struct opts {
	enum role role;
	unsigned chan, drive;
	uint64_t lba, bytes, seed, chunk, offset, seg;
	uint64_t delay_ms, timeout_ms, ram_mib, flush;
	bool dma;
	int ext;            /* -1: when needed (ide_need_ext), 0 never, 1 always */
	enum ide_wait wait;
	char who[16];       /* "disk: write" */
};

static uint8_t data_buf[CHUNK_MAX + PAGE] __attribute__((aligned(65536)));
static uint32_t bad_prd[16] __attribute__((aligned(64)));
static struct ide dev;

/* ------------------------------------------------------------ command line */

static bool opt(const uint8_t *bp, const char *key, uint64_t def, uint64_t min, uint64_t max,
		uint64_t *out)
{
	uint64_t v = def;

	if (cmdline_get_u64(bp, key, &v) < 0 || v < min || v > max) {
		print(NAME ": bad %s= (a number from %lu to %lu)\n", key, (unsigned long)min,
		      (unsigned long)max);
		return false;
	}
	*out = v;
	return true;
}

/* key=a or key=b (absent: a): 0 or 1 in *out. */
static bool choice(const uint8_t *bp, const char *key, const char *a, const char *b, int *out)
{
	if (!cmdline_get(bp, key) || cmdline_is(bp, key, a))
		*out = 0;
	else if (cmdline_is(bp, key, b))
		*out = 1;
	else {
		print(NAME ": bad %s= (%s or %s)\n", key, a, b);
		return false;
	}
	return true;
}

static bool parse_role(const uint8_t *bp, struct opts *o)
{
	for (unsigned r = 0; r < sizeof(role_names) / sizeof(role_names[0]); r++) {
		if (cmdline_is(bp, "role", role_names[r])) {
			o->role = (enum role)r;
			return true;
		}
	}
	print(NAME ": role=write, role=read, role=rw or role=bad\n");
	return false;
}

static bool parse_modes(const uint8_t *bp, struct opts *o)
{
	uint64_t ext = 0;
	int pio, poll;

	if (!choice(bp, "mode", "dma", "pio", &pio) ||
	    !choice(bp, "completion", "irq", "poll", &poll) || !opt(bp, "ext", 0, 0, 1, &ext))
		return false;
	o->dma = !pio;
	o->wait = poll ? IDE_POLL : IDE_IRQ;
	o->ext = cmdline_get(bp, "ext") ? (int)ext : -1;
	return true;
}

/* What the numbers must be beyond their ranges. */
static bool check(const struct opts *o)
{
	const char *why = NULL;

	if (o->bytes % IDE_SECT || o->chunk % IDE_SECT)
		why = "bytes= and chunk= must be multiples of 512";
	else if (o->dma && (o->offset | o->seg) & 1)
		why = "offset= and seg= must be even with DMA";
	else if (o->ext == 0 && o->chunk / IDE_SECT > 256)
		why = "ext=0 takes at most 256 sectors (chunk=131072) per command";
	else if (o->dma && o->chunk / o->seg + o->chunk / ATA_PRD_BOUNDARY + 2 > IDE_PRD_ENTRIES)
		why = "seg= too small for chunk= (at most 512 PRD entries a command)";
	if (why)
		print(NAME ": %s\n", why);
	return !why;
}

static bool parse(const uint8_t *bp, struct opts *o)
{
	uint64_t chan, drive, mhz;

	if (!parse_role(bp, o) || !parse_modes(bp, o) || !opt(bp, "chan", 0, 0, 1, &chan) ||
	    !opt(bp, "drive", 0, 0, 1, &drive) ||
	    !opt(bp, "lba", 0, 0, ATA_MAX_LBA48 - 1, &o->lba) ||
	    !opt(bp, "bytes", 1 << 20, IDE_SECT, BYTES_MAX, &o->bytes) ||
	    !opt(bp, "seed", 1, 0, UINT64_MAX, &o->seed) ||
	    !opt(bp, "chunk", 65536, IDE_SECT, CHUNK_MAX, &o->chunk) ||
	    !opt(bp, "offset", 0, 0, PAGE - 1, &o->offset) ||
	    !opt(bp, "seg", ATA_PRD_BOUNDARY, 2, ATA_PRD_BOUNDARY, &o->seg) ||
	    !opt(bp, "flush", 0, 0, 1, &o->flush) || !opt(bp, "delay", 0, 0, 3600000, &o->delay_ms) ||
	    !opt(bp, "timeout", 5000, 1, 3600000, &o->timeout_ms) ||
	    !opt(bp, "ram_mib", 16, 4, 3072, &o->ram_mib) ||
	    !opt(bp, "tsc_mhz", TSC_DEFAULT_MHZ, 1, 100000, &mhz) || !check(o))
		return false;
	o->chan = (unsigned)chan;
	o->drive = (unsigned)drive;
	tsc_set_mhz(mhz);
	xt_snprintf(o->who, sizeof(o->who), NAME ": %s", role_names[o->role]);
	return true;
}

/* ------------------------------------------------------------ common */

static const struct ide_drive *disk(const struct opts *o)
{
	return &dev.drive[o->chan][o->drive];
}

static uint64_t ms_since(uint64_t from)
{
	return tsc_to_us(rdtsc() - from) / 1000;
}

static const char *mode_name(const struct opts *o)
{
	return o->dma ? "dma" : "pio";
}

static bool use_ext(const struct opts *o, uint64_t lba, uint32_t count)
{
	return o->ext < 0 ? ide_need_ext(lba, count, disk(o)->lba48) : o->ext;
}

static int transfer(const struct opts *o, bool write, uint64_t lba, uint32_t count, uint8_t *buf,
		    struct ide_result *r)
{
	struct ide_xfer x = { o->chan, o->drive, write, use_ext(o, lba, count), lba, count, buf };

	return o->dma ? ide_dma(&dev, &x, (uint32_t)o->seg, r) : ide_pio(&dev, &x, r);
}

static const char *rc_name(int rc)
{
	return rc == IDE_ETIMEDOUT ? "timeout" : rc == IDE_EINVAL ? "bad arguments" : "device error";
}

static void print_failure(const struct opts *o, const char *what, uint64_t lba, uint32_t count,
			  int rc, const struct ide_result *r)
{
	print("%s: error: %s of %u sectors at lba %lu: %s, status 0x%02x error 0x%02x bmista "
	      "0x%02x, %u sectors by PIO\n",
	      o->who, what, count, (unsigned long)lba, rc_name(rc), r->status, r->error, r->bmista,
	      r->sectors);
}

/* The range fits the disk, and the 48-bit form when it is needed. */
static bool range_ok(const struct opts *o, uint64_t lba, uint64_t sectors)
{
	const struct ide_drive *dr = disk(o);

	if (lba > dr->sectors || sectors > dr->sectors - lba) {
		print("%s: error: lba %lu + %lu sectors is beyond the disk (%lu sectors)\n", o->who,
		      (unsigned long)lba, (unsigned long)sectors, (unsigned long)dr->sectors);
		return false;
	}
	if (!dr->lba48 && (o->ext == 1 || lba + sectors > ATA_MAX_LBA28)) {
		print("%s: error: the disk has no 48-bit commands\n", o->who);
		return false;
	}
	return true;
}

static void print_setup(const struct opts *o)
{
	print("%s: chan %u drive %u lba %lu bytes %lu seed %lu, %s in chunks of %lu bytes, buffer "
	      "0x%lx, regions of at most %lu bytes, completion %s\n",
	      o->who, o->chan, o->drive, (unsigned long)o->lba, (unsigned long)o->bytes,
	      (unsigned long)o->seed, mode_name(o), (unsigned long)o->chunk,
	      (unsigned long)(uintptr_t)(data_buf + o->offset), (unsigned long)o->seg,
	      o->wait == IDE_IRQ ? "irq" : "poll");
}

static uint32_t chunk_at(const struct opts *o, uint64_t done)
{
	return (uint32_t)(o->bytes - done < o->chunk ? o->bytes - done : o->chunk);
}

/* ------------------------------------------------------------ write, read */

static int do_flush(const struct opts *o)
{
	bool ext = disk(o)->lba48;
	uint64_t t = rdtsc();
	struct ide_result r;
	int rc = ide_flush(&dev, o->chan, o->drive, ext, &r);

	if (rc)
		print("%s: error: FLUSH CACHE%s: %s, status 0x%02x error 0x%02x\n", o->who,
		      ext ? " EXT" : "", rc_name(rc), r.status, r.error);
	else
		print("%s: FLUSH CACHE%s: status 0x%02x in %lu ms\n", o->who, ext ? " EXT" : "",
		      r.status, (unsigned long)ms_since(t));
	return rc;
}

static long do_write(const struct opts *o)
{
	uint8_t *buf = data_buf + o->offset;
	uint64_t start = rdtsc(), device = 0, cmds = 0;
	uint32_t hash = FNV1A_BASIS, n;
	struct ide_result r;

	for (uint64_t done = 0; done < o->bytes; done += n, cmds++) {
		uint64_t lba = o->lba + done / IDE_SECT, t;
		int rc;

		n = chunk_at(o, done);
		pattern_fill(o->seed, lba * IDE_SECT, buf, n);
		hash = fnv1a(hash, buf, n);
		t = rdtsc();
		rc = transfer(o, true, lba, n / IDE_SECT, buf, &r);
		device += rdtsc() - t;
		if (rc) {
			print_failure(o, "write", lba, n / IDE_SECT, rc, &r);
			return 1;
		}
	}
	if (o->flush && do_flush(o))
		return 1;
	print("%s: %lu bytes at lba %lu in %lu commands (%s) in %lu ms, device %lu ms, fnv1a "
	      "0x%08x\n",
	      o->who, (unsigned long)o->bytes, (unsigned long)o->lba, (unsigned long)cmds,
	      mode_name(o), (unsigned long)ms_since(start),
	      (unsigned long)(tsc_to_us(device) / 1000), hash);
	return 0;
}

static void report_read(const struct opts *o, const struct mismatch *m, uint64_t cmds,
			uint64_t ms, uint64_t device_ms, uint32_t hash)
{
	if (!m->count) {
		print("%s: %lu bytes at lba %lu bit-exact in %lu commands (%s) in %lu ms, device %lu "
		      "ms, fnv1a 0x%08x\n",
		      o->who, (unsigned long)o->bytes, (unsigned long)o->lba, (unsigned long)cmds,
		      mode_name(o), (unsigned long)ms, (unsigned long)device_ms, hash);
		return;
	}
	print("%s: first mismatch at byte %lu (lba %lu byte %lu): got 0x%02x want 0x%02x\n",
	      o->who, (unsigned long)(m->first - o->lba * IDE_SECT),
	      (unsigned long)(m->first / IDE_SECT), (unsigned long)(m->first % IDE_SECT), m->got,
	      m->want);
	print("%s: %lu mismatched bytes of %lu at lba %lu in %lu commands (%s) in %lu ms, fnv1a "
	      "0x%08x\n",
	      o->who, (unsigned long)m->count, (unsigned long)o->bytes, (unsigned long)o->lba,
	      (unsigned long)cmds, mode_name(o), (unsigned long)ms, hash);
}

static long do_read(const struct opts *o)
{
	uint8_t *buf = data_buf + o->offset;
	uint64_t start = rdtsc(), device = 0, cmds = 0;
	uint32_t hash = FNV1A_BASIS, n;
	struct mismatch m = { 0, 0, 0, 0 };
	struct ide_result r;

	for (uint64_t done = 0; done < o->bytes; done += n, cmds++) {
		uint64_t lba = o->lba + done / IDE_SECT, t;
		int rc;

		n = chunk_at(o, done);
		memset(buf, POISON, n); /* a device that writes nothing shows */
		t = rdtsc();
		rc = transfer(o, false, lba, n / IDE_SECT, buf, &r);
		device += rdtsc() - t;
		if (rc) {
			print_failure(o, "read", lba, n / IDE_SECT, rc, &r);
			return 1;
		}
		barrier(); /* the device wrote the buffer: read it anew */
		hash = fnv1a(hash, buf, n);
		pattern_check(o->seed, lba * IDE_SECT, buf, n, &m);
	}
	report_read(o, &m, cmds, ms_since(start), tsc_to_us(device) / 1000, hash);
	return m.count ? 1 : 0;
}

/* ------------------------------------------------------------ bad input */

struct bad {
	const struct opts *o;
	uint64_t lba;       /* the scratch range: BAD_SECTORS sectors of the pattern */
	uint32_t ram_end;   /* the first address past the guest's RAM */
};

struct bad_case {
	const char *name;
	int (*run)(const struct bad *b, struct ide_result *r);
	/* What ATA-6 and the PIIX datasheet say the answer is: status under
	 * STATUS_MASK; with ERR, some bit of error_any in the error register;
	 * BMISTA under BMISTA_MASK; whether the command never ends. */
	uint8_t status, error_any, bmista;
	bool timeout;
};

static uint32_t gpa(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

/* A one-entry PRD table in bad_prd. */
static uint32_t table1(uint32_t base, uint32_t flags_len)
{
	bad_prd[0] = base;
	bad_prd[1] = flags_len;
	return gpa(bad_prd);
}

/* READ DMA (EXT) of count sectors at lba through table, with the bus
 * master's direction to_memory (a read's is true), started or not. */
static int dma_read(const struct bad *b, uint32_t table, bool to_memory, bool start,
		    uint64_t lba, uint32_t count, struct ide_result *r)
{
	bool ext = ide_need_ext(lba, count, disk(b->o)->lba48);
	struct ide_tf tf = { ext ? ATA_CMD_READ_EXT : ATA_CMD_READ, 0, lba, count, ext };
	int rc;

	ide_bm_setup(&dev, b->o->chan, table, to_memory);
	rc = ide_issue(&dev, b->o->chan, b->o->drive, &tf, r);
	if (rc)
		return rc;
	if (start)
		ide_bm_start(&dev, b->o->chan);
	return ide_dma_finish(&dev, b->o->chan, BAD_WAIT_MS, r);
}

static int bad_prd_lapic(const struct bad *b, struct ide_result *r)
{
	return dma_read(b, table1(LAPIC_BASE, IDE_SECT | ATA_PRD_EOT), true, true, b->lba, 1, r);
}

static int bad_prd_beyond_ram(const struct bad *b, struct ide_result *r)
{
	return dma_read(b, table1(b->ram_end, IDE_SECT | ATA_PRD_EOT), true, true, b->lba, 1, r);
}

static int bad_table_beyond_ram(const struct bad *b, struct ide_result *r)
{
	return dma_read(b, b->ram_end, true, true, b->lba, 1, r);
}

/* Two good 512-byte entries without end-of-table just below a 64 KiB
 * boundary, for 4 sectors: the table would run across the boundary. */
static int bad_prd_no_eot(const struct bad *b, struct ide_result *r)
{
	uint32_t *t = (uint32_t *)(data_buf + ATA_PRD_BOUNDARY - 2 * ATA_PRD_SZ);

	t[0] = gpa(data_buf);
	t[1] = IDE_SECT;
	t[2] = gpa(data_buf + IDE_SECT);
	t[3] = IDE_SECT;
	return dma_read(b, gpa(t), true, true, b->lba, 4, r);
}

/* One entry of exactly the transfer without end-of-table: the transfer
 * completes, the bus master stays active until stopped. */
static int bad_prd_exact_no_eot(const struct bad *b, struct ide_result *r)
{
	return dma_read(b, table1(gpa(data_buf), IDE_SECT), true, true, b->lba, 1, r);
}

static int bad_prd_odd(const struct bad *b, struct ide_result *r)
{
	return dma_read(b, table1(gpa(data_buf), (IDE_SECT + 1) | ATA_PRD_EOT), true, true, b->lba,
			1, r);
}

static int bad_prd_64k(const struct bad *b, struct ide_result *r)
{
	uint32_t base = gpa(data_buf + ATA_PRD_BOUNDARY - IDE_SECT);

	return dma_read(b, table1(base, (2 * IDE_SECT) | ATA_PRD_EOT), true, true, b->lba, 2, r);
}

static int bad_prd_short(const struct bad *b, struct ide_result *r)
{
	return dma_read(b, table1(gpa(data_buf), IDE_SECT | ATA_PRD_EOT), true, true, b->lba, 2, r);
}

static int bad_dma_direction(const struct bad *b, struct ide_result *r)
{
	return dma_read(b, table1(gpa(data_buf), IDE_SECT | ATA_PRD_EOT), false, true, b->lba, 1,
			r);
}

static int bad_bm_stopped(const struct bad *b, struct ide_result *r)
{
	return dma_read(b, table1(gpa(data_buf), IDE_SECT | ATA_PRD_EOT), true, false, b->lba, 1,
			r);
}

static int bad_lba_beyond(const struct bad *b, struct ide_result *r)
{
	uint64_t end = disk(b->o)->sectors;

	return dma_read(b, table1(gpa(data_buf), IDE_SECT | ATA_PRD_EOT), true, true, end, 1, r);
}

static int bad_lba_cross_end(const struct bad *b, struct ide_result *r)
{
	uint64_t lba = disk(b->o)->sectors - 1;
	struct ide_xfer x = { b->o->chan, b->o->drive, false, ide_need_ext(lba, 2, disk(b->o)->lba48),
			      lba, 2,
			      data_buf };
	int rc = ide_pio(&dev, &x, r);

	r->bmista = ide_bmista(&dev, b->o->chan);
	return rc;
}

/* READ SECTORS with a count register of 0: 256 sectors (ATA-6), checked. */
static int bad_count_zero(const struct bad *b, struct ide_result *r)
{
	struct ide_xfer x = { b->o->chan, b->o->drive, false, false, b->lba, 256, data_buf };
	struct mismatch m = { 0, 0, 0, 0 };
	int rc;

	memset(data_buf, POISON, 256 * IDE_SECT);
	rc = ide_pio(&dev, &x, r);
	r->bmista = ide_bmista(&dev, b->o->chan);
	if (!rc && r->sectors == 256)
		pattern_check(b->o->seed, b->lba * IDE_SECT, data_buf, 256 * IDE_SECT, &m);
	print("%s: count_zero: %u sectors, %lu mismatched bytes\n", b->o->who, r->sectors,
	      (unsigned long)m.count);
	return rc ? rc : r->sectors != 256 || m.count ? IDE_EIO : 0;
}

static int nondata(const struct bad *b, uint8_t opcode, struct ide_result *r)
{
	struct ide_tf tf = { opcode, 0, 0, 0, false };
	int rc = ide_issue(&dev, b->o->chan, b->o->drive, &tf, r);

	if (!rc)
		rc = ide_wait_done(&dev, b->o->chan, BAD_WAIT_MS, r);
	r->bmista = ide_bmista(&dev, b->o->chan);
	return rc;
}

static int bad_nop(const struct bad *b, struct ide_result *r)
{
	return nondata(b, ATA_CMD_NOP, r);
}

static int bad_reserved_opcode(const struct bad *b, struct ide_result *r)
{
	return nondata(b, RESERVED_OPCODE, r);
}

#define S_ERR (ATA_DRDY | ATA_ERR)
#define S_OK ATA_DRDY
#define S_DRQ (ATA_DRDY | ATA_DRQ)
#define B_ERR (ATA_DMA_INTR | ATA_DMA_ERR)
#define B_DONE ATA_DMA_INTR
#define B_LIVE (ATA_DMA_INTR | ATA_DMA_ACTIVE)
#define E_RANGE (ATA_IDNF | ATA_ABORTED) /* ATA-6: IDNF, or ABRT if IDNF is not set */

static const struct bad_case bad_cases[] = {
	{ "prd_lapic", bad_prd_lapic, S_ERR, ATA_ABORTED, B_ERR, false },
	{ "prd_beyond_ram", bad_prd_beyond_ram, S_ERR, ATA_ABORTED, B_ERR, false },
	{ "table_beyond_ram", bad_table_beyond_ram, S_ERR, ATA_ABORTED, B_ERR, false },
	{ "prd_no_eot", bad_prd_no_eot, S_ERR, ATA_ABORTED, B_ERR, false },
	{ "prd_exact_no_eot", bad_prd_exact_no_eot, S_OK, 0, B_LIVE, false },
	{ "prd_odd", bad_prd_odd, S_ERR, ATA_ABORTED, B_ERR, false },
	{ "prd_64k", bad_prd_64k, S_ERR, ATA_ABORTED, B_ERR, false },
	{ "prd_short", bad_prd_short, S_DRQ, 0, 0, true },
	{ "dma_direction", bad_dma_direction, S_ERR, ATA_ABORTED, B_ERR, false },
	{ "bm_stopped", bad_bm_stopped, S_DRQ, 0, 0, true },
	{ "lba_beyond", bad_lba_beyond, S_ERR, E_RANGE, B_LIVE, false },
	{ "lba_cross_end", bad_lba_cross_end, S_ERR, E_RANGE, B_DONE, false },
	{ "count_zero", bad_count_zero, S_OK, 0, B_DONE, false },
	{ "nop", bad_nop, S_ERR, ATA_ABORTED, B_DONE, false },
	{ "reserved_opcode", bad_reserved_opcode, S_ERR, ATA_ABORTED, B_DONE, false },
};

#define NBAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

static bool as_expected(const struct bad_case *c, const struct ide_result *r)
{
	if ((r->status & STATUS_MASK) != c->status || (r->bmista & BMISTA_MASK) != c->bmista ||
	    r->timeout != c->timeout)
		return false;
	return !(c->status & ATA_ERR) || (r->error & c->error_any);
}

/* One case from a clean channel; SRST after one that never ended. */
static bool run_case(const struct bad *b, const struct bad_case *c, struct ide_result *r)
{
	uint8_t diag;
	bool ok;

	*r = (struct ide_result){ 0 };
	ide_bm_clear(&dev, b->o->chan);
	(void)c->run(b, r);
	ok = as_expected(c, r);
	print("%s: %s: status 0x%02x error 0x%02x bmista 0x%02x%s: %s\n", b->o->who, c->name,
	      r->status, r->error, r->bmista & BMISTA_MASK, r->timeout ? ", no completion" : "",
	      ok ? "as ATA-6 says" : "UNEXPECTED");
	if (r->timeout && ide_srst(&dev, b->o->chan, &diag))
		print("%s: error: SRST after %s failed\n", b->o->who, c->name);
	return ok;
}

/* The scratch range by DMA, 128 sectors a command: written, or read and checked. */
static bool scratch(const struct bad *b, bool write)
{
	struct mismatch m = { 0, 0, 0, 0 };
	struct ide_result r;

	for (uint32_t s = 0; s < BAD_SECTORS; s += 128) {
		uint64_t lba = b->lba + s;
		int rc;

		if (write)
			pattern_fill(b->o->seed, lba * IDE_SECT, data_buf, 128 * IDE_SECT);
		else
			memset(data_buf, POISON, 128 * IDE_SECT);
		rc = transfer(b->o, write, lba, 128, data_buf, &r);
		if (rc) {
			print_failure(b->o, write ? "scratch write" : "good read", lba, 128, rc, &r);
			return false;
		}
		if (!write)
			pattern_check(b->o->seed, lba * IDE_SECT, data_buf, 128 * IDE_SECT, &m);
	}
	return !m.count;
}

static void print_summary(const struct bad *b, const struct ide_result *res, unsigned ok,
			  bool good)
{
	print("%s:", b->o->who);
	for (unsigned i = 0; i < NBAD; i++)
		print(" %s=%02x/%02x/%02x", bad_cases[i].name, res[i].status, res[i].error,
		      res[i].bmista & BMISTA_MASK);
	print("; good read %s; %u of %u as expected\n", good ? "bit-exact" : "FAILED", ok,
	      (unsigned)NBAD);
}

/*
 * role=bad: PRD tables the PIIX cannot follow, commands a drive refuses,
 * a transfer that never starts; each reported with the status, error and
 * BMISTA it left. The VMM counts each as bad input; this guest only checks
 * the answers against ATA-6 and the PIIX datasheet. Then the scratch range
 * (written by DMA first) must read back bit-exact by DMA.
 */
static long do_bad(const struct opts *o)
{
	struct bad b = { o, o->lba, (uint32_t)(o->ram_mib << 20) };
	struct ide_result res[NBAD];
	unsigned ok = 0;
	bool good;

	if (o->lba + BAD_SECTORS > ATA_MAX_LBA28) {
		print("%s: error: lba= + %u must stay below 2^28 (count_zero is 28-bit)\n", o->who,
		      BAD_SECTORS);
		return 1;
	}
	if (!range_ok(o, o->lba, BAD_SECTORS))
		return 1;
	if (!scratch(&b, true))
		return 1;
	for (unsigned i = 0; i < NBAD; i++)
		ok += run_case(&b, &bad_cases[i], &res[i]);
	good = scratch(&b, false);
	print_summary(&b, res, ok, good);
	return ok == NBAD && good ? 0 : 1;
}

/* ------------------------------------------------------------ main */

static long find_disk(const struct opts *o)
{
	if (ide_reset(&dev, o->chan))
		return EXIT_DEVICE;
	if (!disk(o)->present) {
		print(NAME ": error: no ATA disk at chan %u drive %u\n", o->chan, o->drive);
		return EXIT_DEVICE;
	}
	return ide_identify(&dev, o->chan, o->drive, NULL) ? EXIT_DEVICE : 0;
}

long guest_main(const uint8_t *bp)
{
	struct opts o;
	long status;

	memset(&o, 0, sizeof(o));
	if (!parse(bp, &o))
		return EXIT_USAGE;
	idt_install();
	if (pic_init() || ide_probe(&dev, o.wait, (uint32_t)o.timeout_ms))
		return EXIT_DEVICE;
	if (o.wait == IDE_IRQ)
		irq_enable();
	status = find_disk(&o);
	if (status)
		return status;
	print_setup(&o);
	if (o.delay_ms)
		mdelay(o.delay_ms);
	if (o.role == ROLE_BAD)
		status = do_bad(&o);
	else if (!range_ok(&o, o.lba, o.bytes / IDE_SECT))
		status = 1;
	else if (o.role == ROLE_WRITE)
		status = do_write(&o);
	else if (o.role == ROLE_RW)
		status = do_write(&o) ? 1 : do_read(&o);
	else
		status = do_read(&o);
	ide_print_stats(&dev, NAME);
	return status;
}
