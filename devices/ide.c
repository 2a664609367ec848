// SPDX-License-Identifier: MIT
/*
 * PIIX3 IDE function with ATA disks: task file registers, the commands of an
 * ATA/ATAPI-6 disk, PIO data-in/data-out, the bus master and its PRD walk.
 * The contract is in the header; names are in devices/ata_regs.h.
 *
 * Sources: ATA/ATAPI-6 (T13 1410D): the register descriptions, the command
 * descriptions, "PIO data-in command protocol", "PIO data-out command
 * protocol", "DMA command protocol", "Software reset protocol"; the Intel
 * 82371SB (PIIX3) and 82371AB (PIIX4) datasheets, "Bus Master IDE
 * Registers" and "Physical Region Descriptor Format"; Linux's
 * drivers/ata/libata-sff.c (ata_devchk, ata_sff_dev_classify,
 * ata_sff_wait_after_reset, ata_bmdma_*), libata-core.c (what IDENTIFY
 * words it reads) and ata_piix.c (PIIX3: multiword DMA only). QEMU's
 * hw/ide and Bochs' harddrv.cc were read for how emulators answer the
 * corner cases; no code is taken from any of them.
 *
 * Each channel has one command in its data phase at most (ide_channel.x);
 * each drive slot holds its own copy of the task file, which a register
 * write reaches in both slots (both drives on the cable latch it), and a
 * drive changes only its own when it completes a command. Invariants after
 * every entry point: x.phase != IDE_IDLE only for a present drive, whose
 * status has DRQ; x.pos < x.len <= sizeof(buf) in a PIO phase; ch->irq ==
 * (the selected drive is present, has intrq, and nIEN is clear).
 *
 * Choices:
 * - Absent drives (ATA-6, "Device 0 only configurations"): the drive that
 *   is present answers register reads for the absent one, except status
 *   and alternate status, which read 00h; a command written to the absent
 *   drive is ignored, except EXECUTE DEVICE DIAGNOSTIC. Linux's ata_devchk
 *   then finds the pattern it wrote (device 0 answers), but
 *   ata_sff_dev_classify sees an ATA signature with status 0 and classes
 *   the slave ATA_DEV_NONE. A channel with no drive reads 7Fh from every
 *   8-bit register (ATA-6 asks the host for a pull-down on DD7, the other
 *   lines float high): ata_devchk fails and classify finds error 7Fh.
 * - Interrupts: a drive's pending interrupt (intrq) is set when a command
 *   completes or a PIO block is ready and cleared by a status read, a
 *   command write or a reset; the channel's INTRQ is the selected drive's,
 *   masked by nIEN. BMISTA's interrupt bit is set on each rising edge of
 *   INTRQ, as the PIIX datasheet says ("set when the IDE device asserts its
 *   interrupt line"), for PIO commands too.
 * - SRST: while set, both drives are BSY and command block writes are
 *   dropped; its clearing completes the reset at once: ATA signature
 *   (count 1, LBA 01h/00h/00h, device 00h, error 01h, DRDY|DSC), no
 *   interrupt, any command abandoned. SET MULTIPLE MODE, the transfer mode,
 *   the write cache and INITIALIZE DEVICE PARAMETERS survive it (as after
 *   SET FEATURES 66h); a hardware reset (ide_reset) restores power-on
 *   values: multiple mode off, no DMA mode selected, write cache on, 16
 *   heads and 63 sectors per track.
 * - HOB: every command block register write clears the HOB bit of device
 *   control (ATA-6, "Device Control register"); with HOB set, count and LBA
 *   reads give the previous content; error, device and status ignore it.
 * - Sector count 0 means 256 (28-bit) or 65536 (48-bit) sectors, as ATA-6
 *   says; it is also counted (IDE_ERR_ZERO_COUNT), since the issue lists it
 *   among unusual input, and executed.
 * - Addresses: the range is checked before any data moves: a command whose
 *   first sector is beyond the disk or whose range crosses its end ends
 *   with IDNF and nothing transferred; in LBA modes the error address
 *   registers then hold the first sector not on the disk. CHS (device bit 6
 *   clear) is translated with the current geometry; a sector outside it is
 *   IDNF.
 * - Errors from ops: a failed read (PIO block or DMA) ends with ERR and UNC,
 *   a failed write with ERR and ABRT (ATA-6 lists no UNC for writes), the
 *   error address registers at the failing block's (PIO) or the command's
 *   (DMA) first sector; a failed flush with ERR and ABRT. They are the
 *   VMM's own failures, not counted.
 * - IDENTIFY: ATA-6 disk, LBA and DMA, IORDY, multiple up to 16, PIO 0-4,
 *   multiword DMA 0-2, Ultra DMA 0-2 (word 88: a PIIX3 has no Ultra DMA, but
 *   the disk is a disk: ata_piix masks Ultra DMA off for a PIIX3 and to
 *   mode 2 for a PIIX4, and the bus master moves the data the same way in
 *   every mode); the mode selected by SET FEATURES shows in words 63/88.
 *   48-bit Address, FLUSH CACHE (EXT), write cache and power management
 *   supported and enabled. No Host Protected Area: READ NATIVE MAX ADDRESS
 *   (EXT) is not implemented and aborts like any unknown opcode; neither is
 *   SMART, security, NOP (always ABRT in ATA-6 anyway), DEVICE RESET (a
 *   PACKET command) or the obsolete "without retry" opcodes.
 * - Power management commands move between active/idle and standby only
 *   (CHECK POWER MODE answers FFh or 00h); SLEEP is taken as STANDBY
 *   IMMEDIATE (the next command wakes the drive, no reset needed); timer
 *   values are ignored. READ VERIFY SECTORS checks the range and moves no
 *   data.
 * - Bus master: a DMA command runs when it has been issued and the start
 *   bit went from 0 to 1 (BMISTA active), in either order; every run walks
 *   the table from BMIDTP. A region may be longer than what is left of the
 *   transfer: the walk stops when the transfer is covered (the PIIX reads
 *   no further); active is then cleared only if that entry had
 *   end-of-table (the datasheet's "PRD larger than transfer" case leaves it
 *   set, interrupt set). A byte count of 0 is 64 KiB and not counted:
 *   Linux writes it for every 64 KiB region (ata_bmdma_fill_sg).
 * - PRD tables the PIIX cannot follow (entry or region not in RAM: the
 *   PIIX's master abort; no end-of-table before the 64 KiB boundary above
 *   BMIDTP, i.e. at most 8192 entries: the table would cross it; odd base
 *   or count; a region crossing 64 KiB) and a direction bit against the
 *   command: nothing is transferred, BMISTA gets the error bit and loses
 *   active, the drive ends the command with ERR and ABRT and interrupts.
 * - A table shorter than the transfer (end-of-table first): the PIIX
 *   datasheet's "PRD smaller than transfer size" error state: BMISTA active
 *   cleared, interrupt not set, and the drive stays in its data phase (DRQ)
 *   until a reset or a new command (Linux times out and resets). The PIIX
 *   would have moved the bytes the table names; the model moves none, so no
 *   guest sees part of a command that never completed.
 * - Access sizes: data 2 or 4 bytes (4 = two 16-bit cycles, low word first,
 *   as the PIIX runs them: the second may fall into the next block), the
 *   other task file registers and BMICOM/BMISTA 1 byte, BMIDTP 1, 2 or 4
 *   (aligned). Others are counted (IDE_ERR_ACCESS_SIZE): a write is
 *   dropped, a read gives all ones. Offsets with no register (BMICOM + 1,
 *   BMISTA + 1: read 0) and the control block bytes other than
 *   ATA_PCI_CTL_OFS (read all ones) are not counted. BMISTA drive-capable
 *   bits are set for the attached drives at reset, as a BIOS leaves them.
 * - A command written while another is in its data phase abandons it
 *   (counted, IDE_ERR_BUSY); the data register outside a PIO data phase of
 *   the selected drive reads all ones and drops writes (counted).
 *
 * Not modelled: timing (BSY is never seen except during SRST), CHS
 * addressing beyond the translation of INITIALIZE DEVICE PARAMETERS, the
 * PIIX's PCI configuration registers (timing, enable bits: the VMM's PCI
 * function), PCI native mode, ATAPI, queued/NCQ, security, SMART, HPA,
 * partial transfers of a short PRD table, a bus master left active
 * continuing in the next entries. Callbacks must not call back into the
 * model.
 */
#include "devices/ide.h"

#include <string.h>

#include "devices/ata_regs.h"
#include "lib/xerrno.h"

#define STATUS_READY	(ATA_DRDY | ATA_DSC)
#define FLOATING	0x7fu		/* empty channel: DD7 pulled down */
#define TF_LAST		ATA_REG_LBAH
#define DEFAULT_HEADS	16
#define DEFAULT_SPT	63
#define DEFAULT_CYLS	16383
#define FW_REV		"1.0     "

static const struct ide_ops no_ops;

_Static_assert(IDE_SEGS_MAX == ATA_PRD_MAX, "one segment per PRD entry");
_Static_assert(sizeof(((struct ide_channel *)0)->buf) == IDE_MULTIPLE_MAX * ATA_SECT_SIZE,
	       "the buffer holds one READ/WRITE MULTIPLE block");

/* ---------------------------------------------------------------- helpers */

static void report(struct ide *c, enum ide_err e, uint64_t detail)
{
	c->errors[e]++;
	if (c->ops->error)
		c->ops->error(c->ctx, e, detail);
}

static uint32_t size_mask(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static unsigned sel_index(const struct ide_channel *ch)
{
	return ch->drive[0].tf[ATA_REG_DEVICE] & ATA_DEV1 ? 1 : 0;
}

static struct ide_drive *selected(struct ide_channel *ch)
{
	return &ch->drive[sel_index(ch)];
}

/* The drive answering register reads: the selected one, or the other one
 * for an absent drive; NULL on a channel with no drive. */
static struct ide_drive *answering(struct ide_channel *ch)
{
	struct ide_drive *d = selected(ch);

	if (d->present)
		return d;
	d = &ch->drive[sel_index(ch) ^ 1];
	return d->present ? d : NULL;
}

static unsigned drive_index(const struct ide_channel *ch, const struct ide_drive *d)
{
	return d == &ch->drive[1] ? 1 : 0;
}

/* ---------------------------------------------------------------- interrupts */

static void update_irq(struct ide *c, unsigned chan)
{
	struct ide_channel *ch = &c->ch[chan];
	const struct ide_drive *d = selected(ch);
	bool level = d->present && d->intrq && !(ch->devctl & ATA_NIEN);

	if (level == ch->irq)
		return;
	ch->irq = level;
	if (level) {
		c->irqs++;
		ch->bmista |= ATA_DMA_INTR;	/* PIIX: set on the assertion edge */
	}
	if (c->ops->set_irq)
		c->ops->set_irq(c->ctx, chan, level);
}

static void raise_irq(struct ide *c, unsigned chan, struct ide_drive *d)
{
	d->intrq = true;
	update_irq(c, chan);
}

/* The command ends (ATA-6 "Normal outputs" / "Error outputs"): DRDY, ERR if
 * error is non-zero, DRQ clear, INTRQ. */
static void complete(struct ide *c, unsigned chan, struct ide_drive *d, uint8_t error)
{
	c->ch[chan].x.phase = IDE_IDLE;
	d->error = error;
	d->status = STATUS_READY | (error ? ATA_ERR : 0);
	raise_irq(c, chan, d);
}

static void finish_dma(struct ide *c, unsigned chan, int r);
static void cancel_dma(struct ide *c, unsigned chan);

/* ---------------------------------------------------------------- power-on and reset */

/* ATA-6, "Signature and persistence": what a reset leaves in the task file. */
static void signature(struct ide_drive *d)
{
	memset(d->tf, 0, sizeof(d->tf));
	memset(d->hob, 0, sizeof(d->hob));
	d->tf[ATA_REG_NSECT] = 1;
	d->tf[ATA_REG_LBAL] = 1;
	d->error = ATA_DIAG_PASSED;
	d->status = STATUS_READY;
	d->intrq = false;
}

static void power_on(struct ide_drive *d)
{
	signature(d);
	d->multiple = 0;
	d->dma_mode = 0;
	d->write_cache = true;
	d->standby = false;
	d->heads = DEFAULT_HEADS;
	d->spt = DEFAULT_SPT;
}

static void begin_srst(struct ide *c, unsigned chan)
{
	struct ide_channel *ch = &c->ch[chan];

	cancel_dma(c, chan);
	ch->x.phase = IDE_IDLE;
	for (unsigned i = 0; i < IDE_NDRIVES; i++) {
		ch->drive[i].intrq = false;
		ch->drive[i].status = ATA_BUSY;
	}
}

/* The reset or diagnostic completes on both drives; device 0 selected. */
static void end_srst(struct ide *c, unsigned chan)
{
	struct ide_channel *ch = &c->ch[chan];

	ch->x.phase = IDE_IDLE;
	for (unsigned i = 0; i < IDE_NDRIVES; i++)
		signature(&ch->drive[i]);
}

static void reset_channel(struct ide *c, unsigned chan)
{
	struct ide_channel *ch = &c->ch[chan];

	cancel_dma(c, chan);
	ch->x.phase = IDE_IDLE;
	ch->devctl = 0;
	ch->bmicom = 0;
	ch->bmista = 0;
	ch->bmidtp = 0;
	for (unsigned i = 0; i < IDE_NDRIVES; i++) {
		power_on(&ch->drive[i]);
		if (ch->drive[i].present)
			ch->bmista |= i ? PIIX_DMA_DRV1_CAP : PIIX_DMA_DRV0_CAP;
	}
	update_irq(c, chan);
}

/* ---------------------------------------------------------------- IDENTIFY DEVICE */

/* ATA-6, "IDENTIFY DEVICE": strings have the first character in bits 15:8. */
static void id_string(uint16_t *id, unsigned word, const char *s, unsigned len)
{
	for (unsigned i = 0; i < len; i += 2)
		id[word + i / 2] = (uint16_t)((uint8_t)s[i] << 8 | (uint8_t)s[i + 1]);
}

static void id_u32(uint16_t *id, unsigned word, uint32_t v)
{
	id[word] = (uint16_t)v;
	id[word + 1] = (uint16_t)(v >> 16);
}

static uint32_t default_cyls(const struct ide_drive *d)
{
	uint64_t cyls = d->sectors / (DEFAULT_HEADS * DEFAULT_SPT);

	return cyls > DEFAULT_CYLS ? DEFAULT_CYLS : (uint32_t)cyls;
}

/* Cylinders of the current translation. */
static uint32_t cur_cyls(const struct ide_drive *d)
{
	uint64_t per = (uint64_t)d->heads * d->spt;
	uint64_t cyls = per ? d->sectors / per : 0;

	return cyls > 0xffff ? 0xffff : (uint32_t)cyls;
}

static void id_geometry(uint16_t *id, const struct ide_drive *d)
{
	uint64_t lba28 = d->sectors > ATA_MAX_LBA28 ? ATA_MAX_LBA28 : d->sectors;

	id[ATA_ID_CYLS] = (uint16_t)default_cyls(d);
	id[ATA_ID_HEADS] = DEFAULT_HEADS;
	id[ATA_ID_SECTORS] = DEFAULT_SPT;
	id[ATA_ID_CUR_CYLS] = (uint16_t)cur_cyls(d);
	id[ATA_ID_CUR_HEADS] = d->heads;
	id[ATA_ID_CUR_SECTORS] = d->spt;
	id_u32(id, ATA_ID_CUR_CAPACITY, cur_cyls(d) * d->heads * d->spt);
	id_u32(id, ATA_ID_LBA_CAPACITY, (uint32_t)lba28);
	for (unsigned i = 0; i < 4; i++)
		id[ATA_ID_LBA_CAPACITY_2 + i] = (uint16_t)(d->sectors >> (16 * i));
}

/* Words 63 and 88: modes 0-2 supported, the selected one in bits 10:8. */
static uint16_t id_dma_modes(const struct ide_drive *d, uint8_t base)
{
	uint16_t w = 0x0007;

	if (d->dma_mode >= base && d->dma_mode <= base + 2)
		w |= (uint16_t)(1u << (ATA_ID_SELECTED_SHIFT + d->dma_mode - base));
	return w;
}

static void id_capabilities(uint16_t *id, const struct ide_drive *d)
{
	id[ATA_ID_CONFIG] = 0x0040;		/* ATA device, fixed */
	id[ATA_ID_MAX_MULTSECT] = ATA_ID_MULT_MAX_TAG | IDE_MULTIPLE_MAX;
	id[ATA_ID_CAPABILITY] = ATA_ID_CAP_IORDY | ATA_ID_CAP_LBA | ATA_ID_CAP_DMA;
	id[ATA_ID_CAPABILITY_2] = ATA_ID_VALID_14;
	id[ATA_ID_OLD_PIO_MODES] = 0x0200;
	id[ATA_ID_FIELD_VALID] = ATA_ID_FIELD_CHS | ATA_ID_FIELD_64_70 | ATA_ID_FIELD_88;
	id[ATA_ID_MULTSECT] = (uint16_t)(d->multiple ? ATA_ID_MULTSECT_VALID | d->multiple : 0);
	id[ATA_ID_MWDMA_MODES] = id_dma_modes(d, XFER_MW_DMA_0);
	id[ATA_ID_PIO_MODES] = 0x0003;		/* PIO 3 and 4 */
	id[ATA_ID_EIDE_DMA_MIN] = 120;
	id[ATA_ID_EIDE_DMA_TIME] = 120;
	id[ATA_ID_EIDE_PIO] = 120;
	id[ATA_ID_EIDE_PIO_IORDY] = 120;
	id[ATA_ID_UDMA_MODES] = id_dma_modes(d, XFER_UDMA_0);
}

static void id_features(uint16_t *id, const struct ide_drive *d)
{
	uint16_t cs2 = ATA_ID_CS2_FLUSH_EXT | ATA_ID_CS2_FLUSH | ATA_ID_CS2_LBA48;

	id[ATA_ID_MAJOR_VER] = ATA_ID_MAJOR_ATA1_6;
	id[ATA_ID_MINOR_VER] = 0;		/* not reported */
	id[ATA_ID_COMMAND_SET_1] = ATA_ID_CS1_WCACHE | ATA_ID_CS1_PM;
	id[ATA_ID_COMMAND_SET_2] = ATA_ID_VALID_14 | cs2;
	id[ATA_ID_CFSSE] = ATA_ID_VALID_14;
	id[ATA_ID_CFS_ENABLE_1] = (uint16_t)(ATA_ID_CS1_PM | (d->write_cache ? ATA_ID_CS1_WCACHE : 0));
	id[ATA_ID_CFS_ENABLE_2] = cs2;
	id[ATA_ID_CSF_DEFAULT] = ATA_ID_VALID_14;
}

/* Word 255: 7:0 the signature, 15:8 so that all 512 bytes sum to 0. */
static void id_checksum(uint16_t *id)
{
	uint8_t sum = ATA_ID_CHECKSUM_SIG;

	for (unsigned i = 0; i < ATA_ID_CHECKSUM; i++)
		sum = (uint8_t)(sum + (id[i] & 0xff) + (id[i] >> 8));
	id[ATA_ID_CHECKSUM] = (uint16_t)((uint8_t)-sum << 8 | ATA_ID_CHECKSUM_SIG);
}

static void identify(const struct ide_drive *d, uint8_t *buf)
{
	uint16_t id[ATA_ID_WORDS];

	memset(id, 0, sizeof(id));
	id_string(id, ATA_ID_SERNO, d->serial, ATA_ID_SERNO_LEN);
	id_string(id, ATA_ID_FW_REV, FW_REV, ATA_ID_FW_REV_LEN);
	id_string(id, ATA_ID_PROD, d->model, ATA_ID_PROD_LEN);
	id_geometry(id, d);
	id_capabilities(id, d);
	id_features(id, d);
	id_checksum(id);
	for (unsigned i = 0; i < ATA_ID_WORDS; i++) {
		buf[2 * i] = (uint8_t)id[i];
		buf[2 * i + 1] = (uint8_t)(id[i] >> 8);
	}
}

/* ---------------------------------------------------------------- the command table */

#define CMD_EXT		(1u << 0)	/* 48-bit: count and LBA with the previous content */
#define CMD_WRITE	(1u << 1)	/* data to the disk */
#define CMD_MULTI	(1u << 2)	/* READ/WRITE MULTIPLE: blocks of the multiple count */
#define CMD_DMA		(1u << 3)	/* through the bus master */

typedef void cmd_fn(struct ide *c, unsigned chan, struct ide_drive *d, uint8_t cmd);

struct ata_cmd {
	cmd_fn *run;
	uint8_t flags;
};

static const struct ata_cmd ata_cmds[256];

static uint8_t cmd_flags(uint8_t cmd)
{
	return ata_cmds[cmd].flags;
}

/* Ends the command with ABRT for a parameter the drive refuses. */
static void refuse(struct ide *c, unsigned chan, struct ide_drive *d, uint8_t cmd)
{
	report(c, IDE_ERR_PARAM, (uint64_t)cmd << 16 | (uint64_t)d->tf[ATA_REG_FEATURE] << 8 |
				 d->tf[ATA_REG_NSECT]);
	complete(c, chan, d, ATA_ABORTED);
}

/* ---------------------------------------------------------------- addresses */

/* The command's sector count (ATA-6: 0 means 256, or 65536 for 48-bit). */
static uint32_t command_count(struct ide *c, const struct ide_drive *d, uint8_t cmd)
{
	uint32_t n = d->tf[ATA_REG_NSECT];

	if (cmd_flags(cmd) & CMD_EXT)
		n |= (uint32_t)d->hob[ATA_REG_NSECT] << 8;
	if (n)
		return n;
	report(c, IDE_ERR_ZERO_COUNT, cmd);
	return cmd_flags(cmd) & CMD_EXT ? 65536 : 256;
}

static uint64_t lba48(const struct ide_drive *d)
{
	uint64_t v = 0;

	for (unsigned r = TF_LAST; r >= ATA_REG_LBAL; r--)
		v = v << 8 | d->hob[r];
	for (unsigned r = TF_LAST; r >= ATA_REG_LBAL; r--)
		v = v << 8 | d->tf[r];
	return v;
}

/* CHS through the current translation; UINT64_MAX when outside it. */
static uint64_t chs_lba(const struct ide_drive *d)
{
	uint32_t cyl = (uint32_t)d->tf[ATA_REG_LBAH] << 8 | d->tf[ATA_REG_LBAM];
	uint32_t head = d->tf[ATA_REG_DEVICE] & ATA_DEVICE_HEAD_MASK;
	uint32_t sect = d->tf[ATA_REG_LBAL];

	if (head >= d->heads || sect == 0 || sect > d->spt || cyl >= cur_cyls(d))
		return UINT64_MAX;
	return ((uint64_t)cyl * d->heads + head) * d->spt + sect - 1;
}

/* The command's first sector: 48-bit, LBA 28 or CHS (ATA-6 "Device register"). */
static uint64_t command_lba(const struct ide_drive *d, uint8_t cmd)
{
	const uint8_t *tf = d->tf;

	if (cmd_flags(cmd) & CMD_EXT)
		return lba48(d);
	if (!(tf[ATA_REG_DEVICE] & ATA_LBA))
		return chs_lba(d);
	return (uint64_t)(tf[ATA_REG_DEVICE] & ATA_DEVICE_HEAD_MASK) << 24 |
	       (uint64_t)tf[ATA_REG_LBAH] << 16 | (uint64_t)tf[ATA_REG_LBAM] << 8 | tf[ATA_REG_LBAL];
}

/* ATA-6 error outputs: the address of the sector in error, in the form the
 * command used (CHS commands keep the registers as written). */
static void set_error_lba(struct ide_drive *d, uint8_t cmd, uint64_t lba)
{
	for (unsigned r = ATA_REG_LBAL; r <= TF_LAST; r++)
		d->tf[r] = (uint8_t)(lba >> (8 * (r - ATA_REG_LBAL)));
	if (cmd_flags(cmd) & CMD_EXT) {
		for (unsigned r = ATA_REG_LBAL; r <= TF_LAST; r++)
			d->hob[r] = (uint8_t)(lba >> (8 * (r - ATA_REG_LBAL + 3)));
		return;
	}
	d->tf[ATA_REG_DEVICE] = (uint8_t)((d->tf[ATA_REG_DEVICE] & ~ATA_DEVICE_HEAD_MASK) |
					  (lba >> 24 & ATA_DEVICE_HEAD_MASK));
}

/* The command's range on the disk; false (IDNF answered, counted) when it
 * is not wholly on it. */
static bool command_range(struct ide *c, unsigned chan, struct ide_drive *d, uint8_t cmd,
			  uint64_t *lba, uint32_t *count)
{
	bool chs = !(cmd_flags(cmd) & CMD_EXT) && !(d->tf[ATA_REG_DEVICE] & ATA_LBA);
	uint64_t bad;

	*count = command_count(c, d, cmd);
	*lba = command_lba(d, cmd);
	if (*lba < d->sectors && *count <= d->sectors - *lba)
		return true;
	bad = *lba < d->sectors ? d->sectors : *lba;
	report(c, IDE_ERR_LBA_RANGE, bad);
	if (!chs)
		set_error_lba(d, cmd, bad);
	complete(c, chan, d, ATA_IDNF);
	return false;
}

/* ---------------------------------------------------------------- PIO data */

static uint32_t block_sectors(const struct ide_xfer *x)
{
	return x->left < x->block ? x->left : x->block;
}

static int disk_block(struct ide *c, unsigned chan, bool write)
{
	struct ide_channel *ch = &c->ch[chan];
	struct ide_xfer *x = &ch->x;

	if (!c->ops->pio)
		return -XT_EIO;
	return c->ops->pio(c->ctx, chan, x->drive, write, x->lba, block_sectors(x), ch->buf);
}

/* A failed block or DMA: the error at the current block's first sector. */
static void media_error(struct ide *c, unsigned chan, struct ide_drive *d, bool write)
{
	set_error_lba(d, c->ch[chan].x.cmd, c->ch[chan].x.lba);
	complete(c, chan, d, write ? ATA_ABORTED : ATA_UNC);
}

/* Offers the current block to the host: DRQ, and (ATA-6 PIO data-in, and
 * data-out after the first block) INTRQ. */
static void offer_block(struct ide *c, unsigned chan, bool irq)
{
	struct ide_channel *ch = &c->ch[chan];
	struct ide_drive *d = &ch->drive[ch->x.drive];

	ch->x.pos = 0;
	ch->x.len = block_sectors(&ch->x) * ATA_SECT_SIZE;
	d->status = STATUS_READY | ATA_DRQ;
	if (irq)
		raise_irq(c, chan, d);
}

/* PIO data-in: the next block from the disk. */
static void read_block(struct ide *c, unsigned chan)
{
	struct ide_channel *ch = &c->ch[chan];

	if (disk_block(c, chan, false) < 0) {
		media_error(c, chan, &ch->drive[ch->x.drive], false);
		return;
	}
	offer_block(c, chan, true);
}

/* The host has read the whole block: the next one, or the end (no INTRQ). */
static void end_block_in(struct ide *c, unsigned chan)
{
	struct ide_xfer *x = &c->ch[chan].x;
	uint32_t n = block_sectors(x);

	x->lba += n;
	x->left -= n;
	if (x->left) {
		read_block(c, chan);
		return;
	}
	x->phase = IDE_IDLE;
	c->ch[chan].drive[x->drive].status = STATUS_READY;
}

/* The host has written the whole block: to the disk, then the next block
 * or the completion, each with INTRQ. */
static void end_block_out(struct ide *c, unsigned chan)
{
	struct ide_channel *ch = &c->ch[chan];
	struct ide_drive *d = &ch->drive[ch->x.drive];
	uint32_t n = block_sectors(&ch->x);

	if (disk_block(c, chan, true) < 0) {
		media_error(c, chan, d, true);
		return;
	}
	ch->x.lba += n;
	ch->x.left -= n;
	if (ch->x.left)
		offer_block(c, chan, true);
	else
		complete(c, chan, d, 0);
}

/* The selected drive is in the PIO phase (its data register is live). */
static bool data_phase(const struct ide_channel *ch, enum ide_phase phase)
{
	return ch->x.phase == phase && ch->x.drive == sel_index(ch);
}

static uint32_t data_in16(struct ide *c, unsigned chan)
{
	struct ide_channel *ch = &c->ch[chan];
	struct ide_xfer *x = &ch->x;
	uint32_t v = ch->buf[x->pos] | (uint32_t)ch->buf[x->pos + 1] << 8;

	x->pos += 2;
	if (x->pos == x->len)
		end_block_in(c, chan);
	return v;
}

static void data_out16(struct ide *c, unsigned chan, uint32_t v)
{
	struct ide_channel *ch = &c->ch[chan];
	struct ide_xfer *x = &ch->x;

	ch->buf[x->pos] = (uint8_t)v;
	ch->buf[x->pos + 1] = (uint8_t)(v >> 8);
	x->pos += 2;
	if (x->pos == x->len)
		end_block_out(c, chan);
}

/* A 16- or 32-bit data read: one or two 16-bit cycles. */
static uint32_t read_data(struct ide *c, unsigned chan, unsigned size)
{
	struct ide_channel *ch = &c->ch[chan];
	uint32_t v;

	if (!data_phase(ch, IDE_PIO_IN)) {
		report(c, IDE_ERR_DATA_PORT, (uint64_t)chan << 4 | size);
		return size_mask(size);
	}
	v = data_in16(c, chan);
	if (size == 2)
		return v;
	if (!data_phase(ch, IDE_PIO_IN)) {
		report(c, IDE_ERR_DATA_PORT, (uint64_t)chan << 4 | size);
		return v | 0xffff0000u;
	}
	return v | data_in16(c, chan) << 16;
}

static void write_data(struct ide *c, unsigned chan, unsigned size, uint32_t v)
{
	struct ide_channel *ch = &c->ch[chan];

	for (unsigned half = 0; half < size / 2; half++) {
		if (!data_phase(ch, IDE_PIO_OUT)) {
			report(c, IDE_ERR_DATA_PORT, (uint64_t)chan << 4 | size);
			return;
		}
		data_out16(c, chan, v >> (16 * half));
	}
}

/* ---------------------------------------------------------------- bus master DMA */

enum walk { WALK_OK, WALK_SHORT, WALK_BAD };

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One PRD entry, read once (the guest may change it meanwhile). */
static bool read_prd(struct ide *c, uint64_t addr, uint32_t *base, uint32_t *flags_len)
{
	const uint8_t *p = NULL;

	if (c->ops->dma_map)
		p = c->ops->dma_map(c->ctx, addr, ATA_PRD_SZ, false);
	if (!p) {
		report(c, IDE_ERR_PRD_RAM, addr);
		return false;
	}
	*base = le32(p);
	*flags_len = le32(p + 4);
	return true;
}

/* PIIX, "Physical Region Descriptor Format": checks an entry's region and
 * keeps at most want bytes of it in *seg. */
static bool add_region(struct ide *c, struct ide_seg *seg, uint32_t base, uint32_t flags_len,
		       uint64_t want, bool to_mem)
{
	uint32_t count = flags_len & ATA_PRD_COUNT_MASK;
	uint64_t bytes = count ? count : ATA_PRD_BOUNDARY;

	if ((base | count) & 1) {
		report(c, IDE_ERR_PRD_ODD, (uint64_t)base << 32 | flags_len);
		return false;
	}
	if ((base & (ATA_PRD_BOUNDARY - 1)) + bytes > ATA_PRD_BOUNDARY) {
		report(c, IDE_ERR_PRD_64K, (uint64_t)base << 32 | bytes);
		return false;
	}
	if (bytes > want)
		bytes = want;
	if (!c->ops->dma_map || !c->ops->dma_map(c->ctx, base, bytes, to_mem)) {
		report(c, IDE_ERR_PRD_RAM, base);
		return false;
	}
	seg->gpa = base;
	seg->len = (uint32_t)bytes;
	return true;
}

/* Walks the channel's PRD table for bytes into its segs: WALK_OK with *nseg
 * entries (*eot: the last had end-of-table), WALK_SHORT when the table ends
 * first, WALK_BAD (counted) when the PIIX could not follow it. */
static enum walk walk_prd(struct ide *c, unsigned chan, uint64_t bytes, bool to_mem,
			  unsigned *nseg, bool *eot)
{
	uint32_t table = c->ch[chan].bmidtp;
	unsigned max = (ATA_PRD_BOUNDARY - (table & (ATA_PRD_BOUNDARY - 1))) / ATA_PRD_SZ;
	uint64_t got = 0;

	for (unsigned i = 0; i < max; i++) {
		uint32_t base, flags_len;

		if (!read_prd(c, (uint64_t)table + (uint64_t)i * ATA_PRD_SZ, &base, &flags_len) ||
		    !add_region(c, &c->ch[chan].segs[i], base, flags_len, bytes - got, to_mem))
			return WALK_BAD;
		got += c->ch[chan].segs[i].len;
		*nseg = i + 1;
		*eot = flags_len & ATA_PRD_EOT;
		if (got == bytes)
			return WALK_OK;
		if (*eot) {
			report(c, IDE_ERR_PRD_SHORT, got << 32 | bytes);
			return WALK_SHORT;
		}
	}
	report(c, IDE_ERR_PRD_NO_EOT, table);
	return WALK_BAD;
}

/* A table the PIIX cannot follow: error bit, stopped, the drive aborts. */
static void dma_fail(struct ide *c, unsigned chan)
{
	struct ide_channel *ch = &c->ch[chan];

	ch->bmista = (uint8_t)((ch->bmista | ATA_DMA_ERR) & ~ATA_DMA_ACTIVE);
	complete(c, chan, &ch->drive[ch->x.drive], ATA_ABORTED);
}

static int disk_dma(struct ide *c, unsigned chan, bool write, unsigned nseg)
{
	const struct ide_xfer *x = &c->ch[chan].x;

	if (!c->ops->dma)
		return -XT_EIO;
	return c->ops->dma(c->ctx, chan, x->drive, write, x->lba, x->left, c->ch[chan].segs, nseg);
}

/* ATA-6 "DMA command protocol" with the PIIX bus master: the whole transfer. */
static void run_dma(struct ide *c, unsigned chan)
{
	struct ide_channel *ch = &c->ch[chan];
	struct ide_drive *d = &ch->drive[ch->x.drive];
	bool write = cmd_flags(ch->x.cmd) & CMD_WRITE, eot = false;
	unsigned nseg = 0;
	enum walk w;
	int r;

	if (write == !!(ch->bmicom & ATA_DMA_WR)) {
		report(c, IDE_ERR_DMA_DIRECTION, ch->x.cmd);
		dma_fail(c, chan);
		return;
	}
	w = walk_prd(c, chan, (uint64_t)ch->x.left * ATA_SECT_SIZE, !write, &nseg, &eot);
	if (w == WALK_SHORT) {
		ch->bmista &= (uint8_t)~ATA_DMA_ACTIVE;	/* "PRD smaller than transfer" */
		return;
	}
	if (w == WALK_BAD) {
		dma_fail(c, chan);
		return;
	}
	ch->x.eot = eot;
	r = disk_dma(c, chan, write, nseg);
	if (r == IDE_DMA_PENDING) {
		ch->x.phase = IDE_DMA_BUSY;	/* BSY until ide_dma_done */
		d->status = ATA_BUSY;
		return;
	}
	finish_dma(c, chan, r);
}

/* The transfer is over: the bus master's active bit as the PRD table says,
 * the drive's status as the data moved. */
static void finish_dma(struct ide *c, unsigned chan, int r)
{
	struct ide_channel *ch = &c->ch[chan];
	struct ide_drive *d = &ch->drive[ch->x.drive];

	if (ch->x.eot)
		ch->bmista &= (uint8_t)~ATA_DMA_ACTIVE;
	if (r < 0)
		media_error(c, chan, d, cmd_flags(ch->x.cmd) & CMD_WRITE);
	else
		complete(c, chan, d, 0);
}

void ide_dma_done(struct ide *c, unsigned chan, int rc)
{
	if (chan < IDE_NCHANNELS && c->ch[chan].x.phase == IDE_DMA_BUSY)
		finish_dma(c, chan, rc);
}

/* A pending DMA ends without its data (reset, bus master stopped). */
static void cancel_dma(struct ide *c, unsigned chan)
{
	if (c->ch[chan].x.phase != IDE_DMA_BUSY)
		return;
	c->ch[chan].x.phase = IDE_IDLE;
	if (c->ops->dma_cancel)
		c->ops->dma_cancel(c->ctx, chan);
}

static void try_dma(struct ide *c, unsigned chan)
{
	const struct ide_channel *ch = &c->ch[chan];

	if (ch->x.phase == IDE_DMA && (ch->bmicom & ATA_DMA_START) &&
	    (ch->bmista & ATA_DMA_ACTIVE))
		run_dma(c, chan);
}

/* ---------------------------------------------------------------- commands */

/* READ/WRITE SECTORS, MULTIPLE and DMA (EXT): the data phase begins. */
static void cmd_rw(struct ide *c, unsigned chan, struct ide_drive *d, uint8_t cmd)
{
	struct ide_channel *ch = &c->ch[chan];
	struct ide_xfer *x = &ch->x;
	uint8_t flags = cmd_flags(cmd);

	if ((flags & CMD_MULTI) && !d->multiple) {
		refuse(c, chan, d, cmd);	/* ATA-6: multiple mode not enabled */
		return;
	}
	if (!command_range(c, chan, d, cmd, &x->lba, &x->left))
		return;
	d->standby = false;
	x->drive = drive_index(ch, d);
	x->cmd = cmd;
	x->block = flags & CMD_MULTI ? d->multiple : 1;
	if (flags & CMD_DMA) {
		x->phase = IDE_DMA;
		d->status = STATUS_READY | ATA_DRQ;
		try_dma(c, chan);
	} else if (flags & CMD_WRITE) {
		x->phase = IDE_PIO_OUT;
		offer_block(c, chan, false);	/* no INTRQ before the first block */
	} else {
		x->phase = IDE_PIO_IN;
		read_block(c, chan);
	}
}

static void cmd_verify(struct ide *c, unsigned chan, struct ide_drive *d, uint8_t cmd)
{
	uint64_t lba;
	uint32_t count;

	if (!command_range(c, chan, d, cmd, &lba, &count))
		return;
	d->standby = false;
	complete(c, chan, d, 0);
}

static void cmd_identify(struct ide *c, unsigned chan, struct ide_drive *d, uint8_t cmd)
{
	struct ide_channel *ch = &c->ch[chan];

	identify(d, ch->buf);
	ch->x.phase = IDE_PIO_IN;
	ch->x.drive = drive_index(ch, d);
	ch->x.cmd = cmd;
	ch->x.lba = 0;
	ch->x.left = 1;
	ch->x.block = 1;
	offer_block(c, chan, true);
}

static void cmd_flush(struct ide *c, unsigned chan, struct ide_drive *d, uint8_t cmd)
{
	struct ide_channel *ch = &c->ch[chan];
	int r = 0;

	(void)cmd;
	if (c->ops->flush)
		r = c->ops->flush(c->ctx, chan, drive_index(ch, d));
	complete(c, chan, d, r < 0 ? ATA_ABORTED : 0);
}

/* SET FEATURES 03h: PIO default/flow control modes, multiword DMA and
 * Ultra DMA 0-2 (the modes IDENTIFY reports). */
static bool set_xfer_mode(struct ide_drive *d, uint8_t mode)
{
	if (mode <= XFER_PIO_SLOW_NOIORDY || (mode >= XFER_PIO_0 && mode <= XFER_PIO_4))
		return true;
	if ((mode >= XFER_MW_DMA_0 && mode <= XFER_MW_DMA_2) ||
	    (mode >= XFER_UDMA_0 && mode <= XFER_UDMA_2)) {
		d->dma_mode = mode;
		return true;
	}
	return false;
}

static void cmd_set_features(struct ide *c, unsigned chan, struct ide_drive *d, uint8_t cmd)
{
	switch (d->tf[ATA_REG_FEATURE]) {
	case SETFEATURES_WC_ON:
		d->write_cache = true;
		break;
	case SETFEATURES_WC_OFF:
		d->write_cache = false;
		break;
	case SETFEATURES_XFER:
		if (!set_xfer_mode(d, d->tf[ATA_REG_NSECT])) {
			refuse(c, chan, d, cmd);
			return;
		}
		break;
	default:
		refuse(c, chan, d, cmd);
		return;
	}
	complete(c, chan, d, 0);
}

/* SET MULTIPLE MODE: a power of two up to IDE_MULTIPLE_MAX, or 0 to disable. */
static void cmd_set_multi(struct ide *c, unsigned chan, struct ide_drive *d, uint8_t cmd)
{
	uint8_t n = d->tf[ATA_REG_NSECT];

	if (n > IDE_MULTIPLE_MAX || (n & (n - 1))) {
		refuse(c, chan, d, cmd);
		return;
	}
	d->multiple = n;
	complete(c, chan, d, 0);
}

/* INITIALIZE DEVICE PARAMETERS: heads from the device register, sectors per
 * track from the count (0: every CHS address is then IDNF). */
static void cmd_init_params(struct ide *c, unsigned chan, struct ide_drive *d, uint8_t cmd)
{
	(void)cmd;
	d->heads = (uint8_t)((d->tf[ATA_REG_DEVICE] & ATA_DEVICE_HEAD_MASK) + 1);
	d->spt = d->tf[ATA_REG_NSECT];
	complete(c, chan, d, 0);
}

/* IDLE (IMMEDIATE), STANDBY (IMMEDIATE), SLEEP (as standby). */
static void cmd_power(struct ide *c, unsigned chan, struct ide_drive *d, uint8_t cmd)
{
	d->standby = cmd != ATA_CMD_IDLE && cmd != ATA_CMD_IDLEIMMEDIATE;
	complete(c, chan, d, 0);
}

static void cmd_check_power(struct ide *c, unsigned chan, struct ide_drive *d, uint8_t cmd)
{
	(void)cmd;
	d->tf[ATA_REG_NSECT] = d->standby ? ATA_PM_STANDBY : ATA_PM_ACTIVE_IDLE;
	complete(c, chan, d, 0);
}

static const struct ata_cmd ata_cmds[256] = {
	[ATA_CMD_PIO_READ] = { cmd_rw, 0 },
	[ATA_CMD_PIO_READ_EXT] = { cmd_rw, CMD_EXT },
	[ATA_CMD_READ_MULTI] = { cmd_rw, CMD_MULTI },
	[ATA_CMD_READ_MULTI_EXT] = { cmd_rw, CMD_MULTI | CMD_EXT },
	[ATA_CMD_READ] = { cmd_rw, CMD_DMA },
	[ATA_CMD_READ_EXT] = { cmd_rw, CMD_DMA | CMD_EXT },
	[ATA_CMD_PIO_WRITE] = { cmd_rw, CMD_WRITE },
	[ATA_CMD_PIO_WRITE_EXT] = { cmd_rw, CMD_WRITE | CMD_EXT },
	[ATA_CMD_WRITE_MULTI] = { cmd_rw, CMD_WRITE | CMD_MULTI },
	[ATA_CMD_WRITE_MULTI_EXT] = { cmd_rw, CMD_WRITE | CMD_MULTI | CMD_EXT },
	[ATA_CMD_WRITE] = { cmd_rw, CMD_WRITE | CMD_DMA },
	[ATA_CMD_WRITE_EXT] = { cmd_rw, CMD_WRITE | CMD_DMA | CMD_EXT },
	[ATA_CMD_VERIFY] = { cmd_verify, 0 },
	[ATA_CMD_VERIFY_EXT] = { cmd_verify, CMD_EXT },
	[ATA_CMD_ID_ATA] = { cmd_identify, 0 },
	[ATA_CMD_FLUSH] = { cmd_flush, 0 },
	[ATA_CMD_FLUSH_EXT] = { cmd_flush, CMD_EXT },
	[ATA_CMD_SET_FEATURES] = { cmd_set_features, 0 },
	[ATA_CMD_SET_MULTI] = { cmd_set_multi, 0 },
	[ATA_CMD_INIT_DEV_PARAMS] = { cmd_init_params, 0 },
	[ATA_CMD_STANDBYNOW1] = { cmd_power, 0 },
	[ATA_CMD_IDLEIMMEDIATE] = { cmd_power, 0 },
	[ATA_CMD_STANDBY] = { cmd_power, 0 },
	[ATA_CMD_IDLE] = { cmd_power, 0 },
	[ATA_CMD_SLEEP] = { cmd_power, 0 },
	[ATA_CMD_CHK_POWER] = { cmd_check_power, 0 },
};

/* EXECUTE DEVICE DIAGNOSTIC: both drives, device 0 reports and interrupts. */
static void cmd_diagnostic(struct ide *c, unsigned chan)
{
	struct ide_channel *ch = &c->ch[chan];

	end_srst(c, chan);
	raise_irq(c, chan, &ch->drive[ch->drive[0].present ? 0 : 1]);
}

/* The command register (ATA-6, "Command register"). */
static void write_command(struct ide *c, unsigned chan, uint8_t cmd)
{
	struct ide_channel *ch = &c->ch[chan];
	struct ide_drive *d = selected(ch);

	if (!d->present && (cmd != ATA_CMD_EDD || !answering(ch)))
		return;				/* absent: only EDD reaches device 0 */
	if (ch->x.phase == IDE_DMA_BUSY) {
		report(c, IDE_ERR_BUSY, cmd);	/* BSY: the drive takes no command */
		return;
	}
	if (ch->x.phase != IDE_IDLE) {
		report(c, IDE_ERR_BUSY, cmd);
		ch->drive[ch->x.drive].status = STATUS_READY;
		ch->x.phase = IDE_IDLE;
	}
	if (cmd == ATA_CMD_EDD) {
		cmd_diagnostic(c, chan);
		return;
	}
	d->intrq = false;			/* writing the command clears INTRQ */
	update_irq(c, chan);
	d->error = 0;
	if (!ata_cmds[cmd].run) {
		report(c, IDE_ERR_COMMAND, cmd);
		complete(c, chan, d, ATA_ABORTED);
		return;
	}
	ata_cmds[cmd].run(c, chan, d, cmd);
}

/* ---------------------------------------------------------------- task file registers */

/* Both drives latch a command block write. */
static void write_reg(struct ide *c, unsigned chan, uint32_t off, uint8_t v)
{
	struct ide_channel *ch = &c->ch[chan];

	for (unsigned i = 0; i < IDE_NDRIVES; i++) {
		struct ide_drive *d = &ch->drive[i];

		if (off != ATA_REG_DEVICE)
			d->hob[off] = d->tf[off];
		d->tf[off] = v;
	}
	if (off == ATA_REG_DEVICE)
		update_irq(c, chan);
}

static uint8_t read_status(struct ide *c, unsigned chan, bool clear)
{
	struct ide_channel *ch = &c->ch[chan];
	struct ide_drive *d = selected(ch);

	if (!answering(ch))
		return FLOATING;
	if (!d->present)
		return 0;			/* ATA-6: absent device 1 reads 00h */
	if (clear) {
		d->intrq = false;
		update_irq(c, chan);
	}
	return d->status;
}

static uint8_t read_reg(struct ide *c, unsigned chan, uint32_t off)
{
	struct ide_channel *ch = &c->ch[chan];
	const struct ide_drive *d = answering(ch);

	if (off == ATA_REG_STATUS)
		return read_status(c, chan, true);
	if (!d)
		return FLOATING;
	if (off == ATA_REG_ERR)
		return d->error;
	if (off == ATA_REG_DEVICE)
		return d->tf[ATA_REG_DEVICE];
	return ch->devctl & ATA_HOB ? d->hob[off] : d->tf[off];
}

static void write_devctl(struct ide *c, unsigned chan, uint8_t v)
{
	struct ide_channel *ch = &c->ch[chan];
	uint8_t old = ch->devctl;

	ch->devctl = v;
	if ((v & ~old) & ATA_SRST)
		begin_srst(c, chan);
	else if ((old & ~v) & ATA_SRST)
		end_srst(c, chan);
	update_irq(c, chan);
}

/* ---------------------------------------------------------------- bus master registers */

/* BMICOM: a 0->1 start sets active and runs a waiting DMA command; 0 stops. */
static void write_bmicom(struct ide *c, unsigned chan, uint8_t v)
{
	struct ide_channel *ch = &c->ch[chan];
	uint8_t old = ch->bmicom;

	ch->bmicom = v & (ATA_DMA_START | ATA_DMA_WR);
	if (!(v & ATA_DMA_START)) {
		/* Stopped mid-transfer: the data is lost, the drive stays BSY
		 * until a reset (PIIX: "the transfer is aborted"). */
		cancel_dma(c, chan);
		ch->bmista &= (uint8_t)~ATA_DMA_ACTIVE;
		return;
	}
	if (!(old & ATA_DMA_START)) {
		ch->bmista |= ATA_DMA_ACTIVE;
		try_dma(c, chan);
	}
}

/* BMISTA: interrupt and error write-1-to-clear, drive-capable bits R/W. */
static void write_bmista(struct ide_channel *ch, uint8_t v)
{
	uint8_t cap = PIIX_DMA_DRV0_CAP | PIIX_DMA_DRV1_CAP;

	ch->bmista &= (uint8_t)~(v & (ATA_DMA_INTR | ATA_DMA_ERR));
	ch->bmista = (uint8_t)((ch->bmista & ~cap) | (v & cap));
}

static uint32_t read_bm(const struct ide_channel *ch, uint32_t reg)
{
	if (reg == ATA_DMA_CMD)
		return ch->bmicom;
	if (reg == ATA_DMA_STATUS)
		return ch->bmista;		/* simplex bit 0 */
	if (reg >= ATA_DMA_TABLE_OFS)
		return ch->bmidtp >> 8 * (reg - ATA_DMA_TABLE_OFS);
	return 0;				/* reserved bytes */
}

static uint32_t merge(uint32_t old, uint32_t off, unsigned size, uint32_t v)
{
	unsigned shift = 8 * (off & 3);
	uint32_t mask = size_mask(size) << shift;

	return (old & ~mask) | (v << shift & mask);
}

static void write_bm(struct ide *c, unsigned chan, uint32_t reg, unsigned size, uint32_t v)
{
	struct ide_channel *ch = &c->ch[chan];

	if (reg == ATA_DMA_CMD)
		write_bmicom(c, chan, (uint8_t)v);
	else if (reg == ATA_DMA_STATUS)
		write_bmista(ch, (uint8_t)v);
	else if (reg >= ATA_DMA_TABLE_OFS)
		ch->bmidtp = merge(ch->bmidtp, reg, size, v) & ATA_DMA_TABLE_MASK;
}

/* ---------------------------------------------------------------- access sizes */

#define BLOCK_CMD	0u
#define BLOCK_CTL	1u
#define BLOCK_BM	2u

static bool cmd_access_ok(uint32_t off, unsigned size)
{
	return off == ATA_REG_DATA ? size == 2 || size == 4 : size == 1;
}

static bool bm_access_ok(uint32_t reg, unsigned size)
{
	if (reg < ATA_DMA_TABLE_OFS)
		return size == 1;
	return (size == 1 || size == 2 || size == 4) && reg % size == 0;
}

static bool access_ok(struct ide *c, unsigned chan, unsigned block, uint32_t off, unsigned size)
{
	bool ok;

	if (block == BLOCK_CMD)
		ok = cmd_access_ok(off, size);
	else if (block == BLOCK_CTL)
		ok = size == 1;
	else
		ok = bm_access_ok(off, size);
	if (!ok)
		report(c, IDE_ERR_ACCESS_SIZE,
		       (uint64_t)chan << 16 | block << 12 | off << 4 | (size & 0xf));
	return ok;
}

/* ---------------------------------------------------------------- entry points */

uint32_t ide_cmd_read(struct ide *c, unsigned chan, uint32_t off, unsigned size)
{
	if (chan >= IDE_NCHANNELS || off >= ATA_CMD_BLOCK_SIZE)
		return size_mask(size);
	if (!access_ok(c, chan, BLOCK_CMD, off, size))
		return size_mask(size);
	if (off == ATA_REG_DATA)
		return read_data(c, chan, size);
	return read_reg(c, chan, off);
}

void ide_cmd_write(struct ide *c, unsigned chan, uint32_t off, unsigned size, uint32_t val)
{
	if (chan >= IDE_NCHANNELS || off >= ATA_CMD_BLOCK_SIZE)
		return;
	if (!access_ok(c, chan, BLOCK_CMD, off, size))
		return;
	if (off == ATA_REG_DATA) {
		write_data(c, chan, size, val);
		return;
	}
	if (c->ch[chan].devctl & ATA_SRST)
		return;				/* BSY during the reset */
	c->ch[chan].devctl &= (uint8_t)~ATA_HOB;	/* ATA-6: any register write clears HOB */
	if (off == ATA_REG_CMD)
		write_command(c, chan, (uint8_t)val);
	else
		write_reg(c, chan, off, (uint8_t)val);
}

uint32_t ide_ctl_read(struct ide *c, unsigned chan, uint32_t off, unsigned size)
{
	if (chan >= IDE_NCHANNELS || off != ATA_PCI_CTL_OFS)
		return size_mask(size);
	if (!access_ok(c, chan, BLOCK_CTL, off, size))
		return size_mask(size);
	return read_status(c, chan, false);	/* alternate status: INTRQ stays */
}

void ide_ctl_write(struct ide *c, unsigned chan, uint32_t off, unsigned size, uint32_t val)
{
	if (chan >= IDE_NCHANNELS || off != ATA_PCI_CTL_OFS)
		return;
	if (!access_ok(c, chan, BLOCK_CTL, off, size))
		return;
	write_devctl(c, chan, (uint8_t)val);
}

uint32_t ide_bm_read(struct ide *c, uint32_t off, unsigned size)
{
	unsigned chan = off / ATA_DMA_CHAN_STRIDE;
	uint32_t reg = off % ATA_DMA_CHAN_STRIDE;

	if (off >= ATA_BMDMA_SIZE)
		return size_mask(size);
	if (!access_ok(c, chan, BLOCK_BM, reg, size))
		return size_mask(size);
	return read_bm(&c->ch[chan], reg) & size_mask(size);
}

void ide_bm_write(struct ide *c, uint32_t off, unsigned size, uint32_t val)
{
	unsigned chan = off / ATA_DMA_CHAN_STRIDE;
	uint32_t reg = off % ATA_DMA_CHAN_STRIDE;

	if (off >= ATA_BMDMA_SIZE)
		return;
	if (!access_ok(c, chan, BLOCK_BM, reg, size))
		return;
	write_bm(c, chan, reg, size, val & size_mask(size));
}

bool ide_irq_level(const struct ide *c, unsigned chan)
{
	return chan < IDE_NCHANNELS && c->ch[chan].irq;
}

/* ---------------------------------------------------------------- setup */

/* Printable ASCII, space-padded to len. */
static void copy_id_string(char *dst, const char *src, unsigned len)
{
	unsigned i = 0;

	for (; src && src[i] && i < len; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : ' ';
	for (; i < len; i++)
		dst[i] = ' ';
}

int ide_attach(struct ide *c, unsigned chan, unsigned drive, uint64_t sectors,
	       const char *model, const char *serial)
{
	struct ide_drive *d;

	if (chan >= IDE_NCHANNELS || drive >= IDE_NDRIVES || !sectors || sectors > ATA_MAX_LBA48)
		return -XT_EINVAL;
	d = &c->ch[chan].drive[drive];
	d->present = true;
	d->sectors = sectors;
	copy_id_string(d->model, model, sizeof(d->model));
	copy_id_string(d->serial, serial, sizeof(d->serial));
	reset_channel(c, chan);
	return 0;
}

void ide_reset(struct ide *c)
{
	for (unsigned chan = 0; chan < IDE_NCHANNELS; chan++)
		reset_channel(c, chan);
}

void ide_init(struct ide *c, const struct ide_ops *ops, void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->ops = ops ? ops : &no_ops;
	c->ctx = ctx;
	ide_reset(c);
}
