/* SPDX-License-Identifier: MIT */
/* A guest's disks and the machine's: see disk.h and docs/storage.md. */
#include "vmm/storage/disk.h"

#include <string.h>

#include "crosstalk/dpath.h"
#include "devices/ide.h"
#include "devices/pci.h"
#include "ept/gmem.h"
#include "lib/fmt.h"
#include "lib/xerrno.h"
#include "vmm/core/console.h"
#include "vmm/core/palloc.h"
#include "vmm/guest/irq.h"
#include "vmm/hw/physata.h"
#include "vmm/io/bus.h"
#include "vmm/io/platform.h"

#define PCI_CLASS_IDE_BM	0x010180	/* mass storage, IDE, bus master capable,
						 * both channels in compatibility mode */
#define PIIX_IDETIM_PRI		0x41		/* IDETIM high bytes: bit 7 IDE decode enable */
#define PIIX_IDETIM_SEC		0x43
#define PIIX_IDE_DECODE		0x80
#define IDE_IRQ_BASE		14		/* primary 14, secondary 15 */
#define BM_SIZE			16
#define MAX_PIECES		1024		/* per transfer call: at least 2 sectors */
/* A guest's DMA command moves at most this much at a time: a larger one is
 * finished in pieces from the scheduler's loop (storage_poll), the drive
 * BSY meanwhile, so that no guest's transfer holds the others up for long. */
#define CHUNK_BYTES		(256u << 10)
#define GD_PAGES ((sizeof(struct guest_disks) + PAGE_SIZE - 1) / PAGE_SIZE)

/* The legacy ports of the two channels: command block, control register. */
static const uint16_t cmd_port[IDE_NCHANNELS] = { 0x1f0, 0x170 };
static const uint16_t ctl_port[IDE_NCHANNELS] = { 0x3f6, 0x376 };

struct drive_stats {
	/* reads, writes: transfers (a DMA command's pieces, a PIO block each) */
	uint64_t reads, writes, sectors_read, sectors_written, flushes, errors;
	uint64_t from_pages, from_disk;		/* shared: sectors read from where */
};

/* One of a guest's drive slots. */
struct drive {
	bool present;
	int sd;				/* shared disk index, -1: private */
	int phys;			/* private: the machine's disk (physata index) */
	uint64_t first, count;		/* private: its sectors there */
	char what[40];			/* as the INI said it */
	struct drive_stats st;
};

/* A DMA command being moved in pieces (ops->dma said IDE_DMA_PENDING). */
struct pending {
	bool active;
	unsigned drive;
	bool write;
	uint64_t lba;
	uint32_t nsect;
	const struct ide_seg *segs;	/* the model's, valid until ide_dma_done */
	unsigned nseg;
	uint64_t pos;			/* bytes moved */
};

struct guest_disks {
	struct ide ide;
	struct pending pend[IDE_NCHANNELS];
	uint64_t pieces;		/* pieces moved from the scheduler's loop */
	struct drive drive[XT_GUEST_DISKS];
	int io_bm;			/* BAR4's range on its bus */
	unsigned logged[IDE_ERR_COUNT];
};

/* A [disk NAME]: its backing range and its pages. */
struct shared_disk {
	bool ready;
	const char *name;
	int phys;
	uint64_t first, count;
	uint8_t *mem;			/* the loader's memory for it */
	uint64_t mem_hpa;
	uint32_t next_page, npages;	/* pages handed to the path so far, of npages */
	struct dp_ops ops;
	struct dp_disk dp;
};

/* Sectors of the machine's disks in use (shared backings, private disks). */
struct claim {
	int phys;
	uint64_t first, count;
	char who[48];
};

static const struct xt_config *config;
static struct physata_pci ata_pci;
static struct physata ata;
static bool ata_ready;
static int phys_map[XT_MAX_PHYS_DISKS];
static struct shared_disk shared[XT_MAX_DISKS];
static struct claim claims[XT_MAX_DISKS + XT_MAX_GUESTS * XT_GUEST_DISKS];
static unsigned nclaims;

/* ---------------------------------------------------------- the machine's disks */

static bool needs_disks(const struct xt_config *cfg)
{
	for (unsigned i = 0; i < cfg->nguests && i < XT_MAX_GUESTS; i++)
		if (!cfg->guest[i].refused && cfg->guest[i].ndisks)
			return true;
	return false;
}

/* physN: the machine's disks in order, the one xtalk booted from left out. */
static void number_disks(const struct xt_boot_info *bi)
{
	unsigned n = 0;

	for (unsigned i = 0; i < XT_MAX_PHYS_DISKS; i++)
		phys_map[i] = -1;
	if (!bi->has_boot_part)
		xt_warn("storage: the boot partition's GUID is unknown: no disk of the machine "
			"is given to guests (it could be the one xtalk booted from)");
	for (unsigned d = 0; d < ata.ndisks && bi->has_boot_part; d++) {
		const struct physata_disk *k = &ata.disk[d];
		bool boot = physata_gpt_has_partition(&ata, d, bi->boot_part_guid) == 1;

		xt_info("storage: ATA %s %s: '%s', %llu sectors (%llu MiB)%s%s",
			k->chan ? "secondary" : "primary", k->drive ? "slave" : "master", k->model,
			(unsigned long long)k->sectors, (unsigned long long)(k->sectors >> 11),
			k->dma ? ", DMA" : ", PIO only", boot ? ": the boot disk, not used" : "");
		if (!boot && n < XT_MAX_PHYS_DISKS) {
			xt_info("storage: that is phys%u", n);
			phys_map[n++] = (int)d;
		}
	}
}

static void probe_ata(const struct xt_boot_info *bi)
{
	uint64_t *prd = page_alloc();
	uint64_t hpa = prd ? virt_to_phys(prd) : 0;
	int rc;

	if (physata_pci_probe(&ata_pci, bi->tsc_hz)) {
		xt_warn("storage: the machine has no IDE controller: no guest disk can be attached");
		return;
	}
	rc = physata_init(&ata, &ata_pci.ops, ata_pci.bm && hpa < (1ull << 32) ? prd : NULL,
			  hpa);
	if (rc) {
		xt_warn("storage: no ATA disk answers at %02x:%02x.%u (%s)", ata_pci.bus,
			ata_pci.dev, ata_pci.fn, xt_strerror(rc));
		return;
	}
	ata_ready = true;
	number_disks(bi);
}

/* A physN reference as sectors of the machine's disk; why names a failure. */
static int resolve(const struct xt_disk_ref *r, int *phys, uint64_t *first, uint64_t *count,
		   const char **why)
{
	int d = r->phys < XT_MAX_PHYS_DISKS ? phys_map[r->phys] : -1;
	int rc;

	*why = "no such disk on this machine";
	if (!ata_ready || d < 0)
		return -XT_ENOENT;
	*phys = d;
	if (r->kind == XT_DISK_PART) {
		rc = physata_gpt_partition(&ata, (unsigned)d, r->part, first, count, NULL);
		*why = rc == -XT_ENOENT ? "no such partition" : "its GPT cannot be read";
		return rc;
	}
	*first = r->start;
	*count = r->count;
	*why = "the range ends beyond the disk";
	return r->start + r->count <= ata.disk[d].sectors ? 0 : -XT_ERANGE;
}

/* Take sectors of the machine's disk for who, unless someone has them. */
static const char *claim(int phys, uint64_t first, uint64_t count, const char *who)
{
	for (unsigned i = 0; i < nclaims; i++) {
		const struct claim *c = &claims[i];

		if (c->phys == phys && first < c->first + c->count && c->first < first + count)
			return c->who;
	}
	if (nclaims < sizeof(claims) / sizeof(claims[0])) {
		claims[nclaims] = (struct claim){ phys, first, count, "" };
		xt_snprintf(claims[nclaims++].who, sizeof(claims[0].who), "%s", who);
	}
	return NULL;
}

/* ---------------------------------------------------------- shared disks */

static void *shared_page(void *ctx, uint64_t *hpa)
{
	struct shared_disk *s = ctx;
	uint64_t off;

	if (s->next_page >= s->npages)
		return NULL;
	off = (uint64_t)s->next_page++ * PAGE_SIZE;
	*hpa = s->mem_hpa + off;
	return s->mem + off;
}

static int shared_io(void *ctx, bool write, uint64_t lba, uint32_t n, const struct dp_seg *segs,
		     unsigned nseg)
{
	struct shared_disk *s = ctx;
	struct physata_seg ps[DP_MAX_SEGS + 1];

	if (nseg > DP_MAX_SEGS + 1 || lba + n > s->count)
		return -XT_EINVAL;
	for (unsigned i = 0; i < nseg; i++)
		ps[i] = (struct physata_seg){ segs[i].hpa, segs[i].len };
	return write ? physata_write(&ata, (unsigned)s->phys, s->first + lba, n, ps, nseg)
		     : physata_read(&ata, (unsigned)s->phys, s->first + lba, n, ps, nseg);
}

static int shared_flush(void *ctx)
{
	struct shared_disk *s = ctx;

	return physata_flush(&ata, (unsigned)s->phys);
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* The loader's memory for it: the page index first, the pages after it. */
static int carve(struct shared_disk *s, uint64_t hpa, uint64_t size)
{
	uint32_t total = (uint32_t)(size / PAGE_SIZE), nb = pow2_at_least(total);
	uint64_t meta = (uint64_t)total * sizeof(struct dp_entry) + (uint64_t)nb * 4;
	uint32_t meta_pages = (uint32_t)((meta + PAGE_SIZE - 1) / PAGE_SIZE);
	struct dp_entry *e;

	if (total < meta_pages + 2)
		return -XT_ENOMEM;
	s->mem = phys_to_virt(hpa);
	memset(s->mem, 0, (size_t)meta_pages * PAGE_SIZE);
	e = (struct dp_entry *)s->mem;
	s->npages = total - meta_pages;
	s->mem += (uint64_t)meta_pages * PAGE_SIZE;
	s->mem_hpa = hpa + (uint64_t)meta_pages * PAGE_SIZE;
	s->ops = (struct dp_ops){ shared_page, shared_io, shared_flush, s };
	return dp_init(&s->dp, &s->ops, s->count, e, s->npages, (uint32_t *)(e + total), nb);
}

static void setup_shared(const struct xt_boot_info *bi, unsigned i)
{
	const struct xt_disk_cfg *c = &config->disk[i];
	struct shared_disk *s = &shared[i];
	const char *why, *taken;
	char who[48];

	s->name = c->name;
	if (resolve(&c->backing, &s->phys, &s->first, &s->count, &why)) {
		xt_err("xtalk.ini:%u: [disk %s]: backing: %s", c->backing.line, c->name, why);
		return;
	}
	xt_snprintf(who, sizeof(who), "[disk %s]", c->name);
	taken = claim(s->phys, s->first, s->count, who);
	if (taken) {
		xt_err("xtalk.ini:%u: [disk %s]: backing overlaps %s", c->backing.line, c->name,
		       taken);
		return;
	}
	if (!bi->disk_mem_size[i] || carve(s, bi->disk_mem[i], bi->disk_mem_size[i])) {
		xt_err("[disk %s]: no memory for its pages", c->name);
		return;
	}
	s->ready = true;
	xt_info("storage: [disk %s]: %llu sectors at %llu of phys%u, %u pages in host memory",
		c->name, (unsigned long long)s->count, (unsigned long long)s->first,
		c->backing.phys, s->npages);
}

void storage_init(const struct xt_boot_info *bi)
{
	config = bi->cfg;
	if (!needs_disks(config))
		return;
	probe_ata(bi);
	for (unsigned i = 0; i < config->ndisks && i < XT_MAX_DISKS; i++)
		if (!config->disk[i].refused)
			setup_shared(bi, i);
}

/* ---------------------------------------------------------- guest memory */

/* A run of the transfer in host memory. */
struct piece {
	uint8_t *p;
	uint64_t hpa;
	uint32_t len;
};

/* From byte pos of the transfer, as many whole sectors as fit in pieces
 * (merged where host memory is contiguous) and in limit bytes: the bytes, 0
 * if guest memory refused. to_guest: the disk writes into it (a read). */
static uint64_t gather(struct guest *g, const struct ide_seg *segs, unsigned nseg, uint64_t pos,
		       uint64_t limit, bool to_guest, struct piece *pc, unsigned *npc)
{
	uint64_t got = 0, off = pos;
	unsigned i = 0, n = 0;

	while (i < nseg && off >= segs[i].len)
		off -= segs[i++].len;
	while (i < nseg && got < limit) {
		uint64_t gpa = segs[i].gpa + off, k = PAGE_SIZE - gpa % PAGE_SIZE;
		void *p;

		if (k > segs[i].len - off)
			k = segs[i].len - off;
		if (k > limit - got)
			k = limit - got;
		if (gmem_map(&g->mem, gpa, k, to_guest ? GMEM_DMA_WRITE : GMEM_READ, &p))
			return 0;
		if (n && pc[n - 1].p + pc[n - 1].len == (uint8_t *)p)
			pc[n - 1].len += (uint32_t)k;
		else if (n == MAX_PIECES)
			break;
		else
			pc[n++] = (struct piece){ p, virt_to_phys(p), (uint32_t)k };
		got += k;
		off += k;
		if (off == segs[i].len) {
			i++;
			off = 0;
		}
	}
	/* Whole sectors only: the rest is the next call's. */
	for (uint64_t extra = got % DP_SECTOR; extra;) {
		uint32_t k = pc[n - 1].len < extra ? pc[n - 1].len : (uint32_t)extra;

		pc[n - 1].len -= k;
		extra -= k;
		got -= k;
		if (!pc[n - 1].len)
			n--;
	}
	*npc = n;
	return got;
}

/* ---------------------------------------------------------- the IDE model's ops */

static struct drive *drive_of(struct guest *g, unsigned chan, unsigned drive)
{
	return &g->disks->drive[chan * IDE_NDRIVES + drive];
}

static void count(struct drive *dv, bool write, uint32_t n, uint32_t from_disk, int rc)
{
	if (rc) {
		dv->st.errors++;
		return;
	}
	if (write) {
		dv->st.writes++;
		dv->st.sectors_written += n;
	} else {
		dv->st.reads++;
		dv->st.sectors_read += n;
		dv->st.from_disk += dv->sd >= 0 ? from_disk : n;
		dv->st.from_pages += dv->sd >= 0 ? n - from_disk : 0;
	}
}

static int move_pieces(struct drive *dv, bool write, uint64_t lba, uint32_t n,
		       const struct piece *pc, unsigned npc)
{
	static struct physata_seg ps[MAX_PIECES];
	static struct dp_buf db[MAX_PIECES];
	uint32_t fd = 0;
	int rc;

	if (dv->sd >= 0) {
		struct dp_disk *dp = &shared[dv->sd].dp;

		for (unsigned i = 0; i < npc; i++)
			db[i] = (struct dp_buf){ pc[i].p, pc[i].len };
		rc = write ? dp_write(dp, lba, n, db, npc) : dp_read(dp, lba, n, db, npc, &fd);
	} else {
		for (unsigned i = 0; i < npc; i++)
			ps[i] = (struct physata_seg){ pc[i].hpa, pc[i].len };
		rc = write ? physata_write(&ata, (unsigned)dv->phys, dv->first + lba, n, ps, npc)
			   : physata_read(&ata, (unsigned)dv->phys, dv->first + lba, n, ps, npc);
	}
	count(dv, write, n, fd, rc);
	return rc;
}

/* Up to limit bytes of a DMA command from byte *pos on: 0, or negative. */
static int dma_piece(struct guest *g, struct drive *dv, const struct pending *t, uint64_t *pos,
		     uint64_t limit)
{
	static struct piece pc[MAX_PIECES + 1];
	unsigned npc = 0;
	uint64_t got;

	if (!pci_func_bus_master(&g->pci_ide))
		return -XT_EPERM;
	got = gather(g, t->segs, t->nseg, *pos, limit, !t->write, pc, &npc);
	if (!got)
		return -XT_EFAULT;
	*pos += got;
	return move_pieces(dv, t->write, t->lba + (*pos - got) / DP_SECTOR,
			   (uint32_t)(got / DP_SECTOR), pc, npc);
}

static int ide_dma(void *ctx, unsigned chan, unsigned drive, bool write, uint64_t lba,
		   uint32_t nsect, const struct ide_seg *segs, unsigned nseg)
{
	struct guest *g = ctx;
	struct pending t = { true, drive, write, lba, nsect, segs, nseg, 0 };
	uint64_t total = (uint64_t)nsect * DP_SECTOR;
	int rc = 0;

	if (total > CHUNK_BYTES) {
		g->disks->pend[chan] = t;	/* storage_poll moves it */
		return IDE_DMA_PENDING;
	}
	while (!rc && t.pos < total)
		rc = dma_piece(g, drive_of(g, chan, drive), &t, &t.pos, total - t.pos);
	return rc;
}

static void ide_dma_cancel(void *ctx, unsigned chan)
{
	struct guest *g = ctx;

	g->disks->pend[chan].active = false;
}

/* One piece of a pending transfer; at its end the command completes. */
static bool advance(struct guest *g, unsigned chan)
{
	struct pending *t = &g->disks->pend[chan];
	uint64_t total = (uint64_t)t->nsect * DP_SECTOR;
	int rc;

	if (!t->active)
		return false;
	rc = dma_piece(g, drive_of(g, chan, t->drive), t, &t->pos, CHUNK_BYTES);
	g->disks->pieces++;
	if (!rc && t->pos < total)
		return true;
	t->active = false;
	ide_dma_done(&g->disks->ide, chan, rc);
	return false;
}

bool storage_poll(void)
{
	bool more = false;

	for (unsigned i = 0; i < nguests; i++) {
		struct guest *g = &guests[i];

		if (!g->disks)
			continue;
		for (unsigned ch = 0; ch < IDE_NCHANNELS; ch++) {
			if (g->vcpu.state == VCPU_STOPPED)
				g->disks->pend[ch].active = false;
			else
				more |= advance(g, ch);
		}
	}
	return more;
}

static int ide_pio(void *ctx, unsigned chan, unsigned drive, bool write, uint64_t lba,
		   uint32_t nsect, uint8_t *buf)
{
	struct guest *g = ctx;
	struct drive *dv = drive_of(g, chan, drive);
	struct dp_buf b = { buf, nsect * DP_SECTOR };
	uint32_t fd = 0;
	int rc;

	if (dv->sd >= 0) {
		struct dp_disk *dp = &shared[dv->sd].dp;

		rc = write ? dp_write(dp, lba, nsect, &b, 1) : dp_read(dp, lba, nsect, &b, 1, &fd);
	} else {
		rc = write ? physata_write_pio(&ata, (unsigned)dv->phys, dv->first + lba, nsect, buf)
			   : physata_read_pio(&ata, (unsigned)dv->phys, dv->first + lba, nsect, buf);
	}
	count(dv, write, nsect, fd, rc);
	return rc;
}

static int ide_flush(void *ctx, unsigned chan, unsigned drive)
{
	struct guest *g = ctx;
	struct drive *dv = drive_of(g, chan, drive);
	int rc = dv->sd >= 0 ? dp_flush(&shared[dv->sd].dp) : physata_flush(&ata, (unsigned)dv->phys);

	if (rc)
		dv->st.errors++;
	else
		dv->st.flushes++;
	return rc;
}

/* PRD tables: guest RAM only, and only while bus mastering is on. */
static void *ide_map(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	struct guest *g = ctx;
	void *p = NULL;

	if (!pci_func_bus_master(&g->pci_ide))
		return NULL;
	return gmem_map(&g->mem, gpa, len, write ? GMEM_DMA_WRITE : GMEM_READ, &p) ? NULL : p;
}

static void ide_irq(void *ctx, unsigned chan, bool level)
{
	irq_isa_line(ctx, IDE_IRQ_BASE + chan, level);
}

static const char *const err_name[IDE_ERR_COUNT] = {
	"a register accessed with a size it lacks", "the data register outside a transfer",
	"a command the drive does not implement", "a parameter the drive refuses",
	"a command during another one's transfer", "sectors beyond the disk",
	"a sector count of 0", "a PRD entry outside RAM", "a PRD table without end of table",
	"a PRD entry with an odd address or count", "a PRD region across 64 KiB",
	"a PRD table shorter than the transfer", "DMA against the bus master's direction",
};

static void ide_error(void *ctx, enum ide_err e, uint64_t detail)
{
	struct guest *g = ctx;

	if ((unsigned)e < IDE_ERR_COUNT && !g->disks->logged[e]++)
		xt_warn("guest '%s': ide: %s (0x%llx); counted from now on", g->name, err_name[e],
			(unsigned long long)detail);
}

static const struct ide_ops ide_ops = {
	.dma_map = ide_map, .pio = ide_pio, .dma = ide_dma, .flush = ide_flush,
	.set_irq = ide_irq, .error = ide_error, .dma_cancel = ide_dma_cancel,
};

/* ---------------------------------------------------------- ports */

static int cmd_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	*val = ide_cmd_read(&g->disks->ide, (unsigned)(uintptr_t)dev, (uint32_t)off, size);
	return 0;
}

static int cmd_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	ide_cmd_write(&g->disks->ide, (unsigned)(uintptr_t)dev, (uint32_t)off, size, (uint32_t)val);
	return 0;
}

/* The control register: offset 2 of the control block (ide.h). */
static int ctl_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	*val = ide_ctl_read(&g->disks->ide, (unsigned)(uintptr_t)dev, (uint32_t)off + 2, size);
	return 0;
}

static int ctl_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	ide_ctl_write(&g->disks->ide, (unsigned)(uintptr_t)dev, (uint32_t)off + 2, size,
		      (uint32_t)val);
	return 0;
}

static int bm_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	(void)dev;
	*val = ide_bm_read(&g->disks->ide, (uint32_t)off, size);
	return 0;
}

static int bm_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	(void)dev;
	ide_bm_write(&g->disks->ide, (uint32_t)off, size, (uint32_t)val);
	return 0;
}

static int register_ports(struct guest *g)
{
	for (unsigned ch = 0; ch < IDE_NCHANNELS; ch++) {
		struct io_range cmd = { IO_SPACE_PORT, cmd_port[ch], 8, true, cmd_read, cmd_write,
					(void *)(uintptr_t)ch };
		struct io_range ctl = { IO_SPACE_PORT, ctl_port[ch], 1, true, ctl_read, ctl_write,
					(void *)(uintptr_t)ch };

		if (io_register(g, &cmd) < 0 || io_register(g, &ctl) < 0)
			return -XT_ENOSPC;
	}
	return 0;
}

/* ---------------------------------------------------------- the PCI function */

static bool ide_bar_allowed(void *ctx, unsigned bar, uint32_t base, uint32_t size)
{
	struct guest *g = ctx;

	if (bar != 4 || base < PLATFORM_IO_WINDOW_BASE ||
	    (uint64_t)base + size > PLATFORM_IO_WINDOW_END)
		return false;
	return !io_overlaps(g, IO_SPACE_PORT, base, size, g->disks->io_bm);
}

static void ide_bar_update(void *ctx, unsigned bar, bool enabled, uint32_t base, uint32_t size)
{
	struct guest *g = ctx;

	(void)bar;
	(void)size;
	io_update(g, (unsigned)g->disks->io_bm, enabled, base);
}

static void setup_pci_function(struct guest *g)
{
	struct pci_func *f = &g->pci_ide;

	pci_func_init(f, PLATFORM_IDE_SLOT, IDE_VENDOR, IDE_DEVICE_PIIX3, PCI_CLASS_IDE_BM, 0);
	pci_func_add_bar(f, 4, true, BM_SIZE, PLATFORM_IDE_BAR4);
	/* IDETIM: both channels decode (ata_piix checks the enable bits). */
	f->cfg[PIIX_IDETIM_PRI] = PIIX_IDE_DECODE;
	f->cfg[PIIX_IDETIM_SEC] = PIIX_IDE_DECODE;
	f->bar_update = ide_bar_update;
	f->bar_allowed = ide_bar_allowed;
	f->ctx = g;
	pci_func_set_command(f, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
}

/* ---------------------------------------------------------- a guest's drives */

static int private_drive(struct guest *g, const struct xt_disk_ref *r, struct drive *dv)
{
	const char *why, *taken;
	char who[48];

	if (resolve(r, &dv->phys, &dv->first, &dv->count, &why)) {
		xt_err("xtalk.ini:%u: guest '%s': disk %s: %s", r->line, g->name, dv->what, why);
		return -XT_ENOENT;
	}
	xt_snprintf(who, sizeof(who), "guest '%s' (line %u)", g->name, r->line);
	taken = claim(dv->phys, dv->first, dv->count, who);
	if (taken) {
		xt_err("xtalk.ini:%u: guest '%s': disk %s overlaps %s", r->line, g->name, dv->what,
		       taken);
		return -XT_EBUSY;
	}
	return 0;
}

static int attach(struct guest *g, unsigned k)
{
	const struct xt_disk_ref *r = &g->cfg->disk[k];
	struct drive *dv = &g->disks->drive[k];
	char model[41];
	int rc = 0;

	dv->sd = -1;
	if (r->kind == XT_DISK_SHARED) {
		xt_snprintf(dv->what, sizeof(dv->what), "'%s' (shared)", r->name);
		dv->sd = r->shared;
		if (!shared[r->shared].ready) {
			xt_err("xtalk.ini:%u: guest '%s': disk %s is not available", r->line, g->name,
			       dv->what);
			return -XT_ENOENT;
		}
		dv->count = shared[r->shared].count;
	} else {
		if (r->kind == XT_DISK_PART)
			xt_snprintf(dv->what, sizeof(dv->what), "phys%u:%u", r->phys, r->part);
		else
			xt_snprintf(dv->what, sizeof(dv->what), "phys%u:%llu+%llu", r->phys,
				    (unsigned long long)r->start, (unsigned long long)r->count);
		rc = private_drive(g, r, dv);
	}
	if (rc)
		return rc;
	xt_snprintf(model, sizeof(model), "XTALK %s", dv->what);
	rc = ide_attach(&g->disks->ide, k / IDE_NDRIVES, k % IDE_NDRIVES, dv->count, model,
			g->name);
	dv->present = !rc;
	return rc;
}

int storage_create(struct guest *g)
{
	const struct io_range bm = { IO_SPACE_PORT, PLATFORM_IDE_BAR4, BM_SIZE, true, bm_read,
				     bm_write, NULL };
	int rc;

	if (!g->cfg->ndisks)
		return 0;
	g->disks = pages_alloc_contig(GD_PAGES);
	if (!g->disks)
		return -XT_ENOMEM;
	ide_init(&g->disks->ide, &ide_ops, g);
	for (unsigned k = 0; k < g->cfg->ndisks; k++) {
		rc = attach(g, k);
		if (rc)
			return rc;
	}
	setup_pci_function(g);
	rc = pci_bus_add(&g->pci, &g->pci_ide);
	if (!rc)
		rc = register_ports(g);
	if (rc)
		return rc;
	g->disks->io_bm = io_register(g, &bm);
	if (g->disks->io_bm < 0)
		return g->disks->io_bm;
	for (unsigned k = 0; k < g->cfg->ndisks; k++)
		xt_info("guest '%s': disk %s as IDE %s %s, %llu sectors", g->name,
			g->disks->drive[k].what, k / 2 ? "secondary" : "primary",
			k % 2 ? "slave" : "master", (unsigned long long)g->disks->drive[k].count);
	return 0;
}

void storage_restart(struct guest *g)
{
	if (!g->disks)
		return;
	memset(g->disks->pend, 0, sizeof(g->disks->pend));
	ide_reset(&g->disks->ide);
	setup_pci_function(g);
	io_update(g, (unsigned)g->disks->io_bm, true, PLATFORM_IDE_BAR4);
	ide_irq(g, 0, false);
	ide_irq(g, 1, false);
}

void storage_flush_all(void)
{
	for (unsigned i = 0; i < XT_MAX_DISKS; i++)
		if (shared[i].ready)
			dp_flush(&shared[i].dp);
	for (unsigned n = 0; ata_ready && n < XT_MAX_PHYS_DISKS; n++)
		if (phys_map[n] >= 0)
			physata_flush(&ata, (unsigned)phys_map[n]);
}

/* ---------------------------------------------------------- the summary */

void storage_print_guest(const struct guest *g)
{
	const struct guest_disks *gd = g->disks;
	const uint64_t *e;

	if (!gd)
		return;
	xt_info("guest %s: ide: DMA commands moved in pieces between timeslices: %llu pieces",
		g->name, (unsigned long long)gd->pieces);
	for (unsigned k = 0; k < XT_GUEST_DISKS; k++) {
		const struct drive *dv = &gd->drive[k];

		if (!dv->present)
			continue;
		xt_info("guest %s: disk %u %s: read %llu sectors in %llu transfers (from shared pages "
			"%llu, from the disk %llu), wrote %llu in %llu, flushes %llu, errors %llu",
			g->name, k, dv->what, (unsigned long long)dv->st.sectors_read,
			(unsigned long long)dv->st.reads, (unsigned long long)dv->st.from_pages,
			(unsigned long long)dv->st.from_disk,
			(unsigned long long)dv->st.sectors_written,
			(unsigned long long)dv->st.writes, (unsigned long long)dv->st.flushes,
			(unsigned long long)dv->st.errors);
	}
	e = gd->ide.errors;
	xt_info("guest %s: ide: interrupts %llu; bad input: access sizes %llu, data port %llu, "
		"commands %llu, parameters %llu, busy %llu, LBA range %llu, zero counts %llu, PRD "
		"outside RAM %llu, PRD without end %llu, PRD odd %llu, PRD across 64K %llu, PRD "
		"short %llu, DMA direction %llu", g->name, (unsigned long long)gd->ide.irqs,
		(unsigned long long)e[IDE_ERR_ACCESS_SIZE], (unsigned long long)e[IDE_ERR_DATA_PORT],
		(unsigned long long)e[IDE_ERR_COMMAND], (unsigned long long)e[IDE_ERR_PARAM],
		(unsigned long long)e[IDE_ERR_BUSY], (unsigned long long)e[IDE_ERR_LBA_RANGE],
		(unsigned long long)e[IDE_ERR_ZERO_COUNT], (unsigned long long)e[IDE_ERR_PRD_RAM],
		(unsigned long long)e[IDE_ERR_PRD_NO_EOT], (unsigned long long)e[IDE_ERR_PRD_ODD],
		(unsigned long long)e[IDE_ERR_PRD_64K], (unsigned long long)e[IDE_ERR_PRD_SHORT],
		(unsigned long long)e[IDE_ERR_DMA_DIRECTION]);
}

void storage_print_machine(void)
{
	const struct physata_stats *a = &ata.st;

	if (!ata_ready)
		return;
	for (unsigned i = 0; i < XT_MAX_DISKS; i++) {
		const struct dp_stats *s = &shared[i].dp.st;

		if (!shared[i].ready)
			continue;
		xt_info("storage: [disk %s]: sectors written %llu, read from pages %llu, read from "
			"the disk %llu; pages %llu, evictions %llu; flushes %llu, errors %llu",
			shared[i].name, (unsigned long long)s->sectors_written,
			(unsigned long long)s->from_pages, (unsigned long long)s->from_disk,
			(unsigned long long)s->pages, (unsigned long long)s->evictions,
			(unsigned long long)s->flushes, (unsigned long long)s->errors);
	}
	xt_info("storage: the machine's disks: sectors read %llu, written %llu, commands %llu, "
		"flushes %llu, errors %llu, timeouts %llu, PIO fallbacks %llu",
		(unsigned long long)a->sectors_read, (unsigned long long)a->sectors_written,
		(unsigned long long)a->commands, (unsigned long long)a->flushes,
		(unsigned long long)a->errors, (unsigned long long)a->timeouts,
		(unsigned long long)a->pio_fallbacks);
}
