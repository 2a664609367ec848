/* SPDX-License-Identifier: MIT */
/*
 * The VMM's own driver for the machine's physical ATA disks behind a
 * PIIX3/PIIX4-style IDE controller (legacy or PCI native ports, bus master
 * DMA at BAR4): where guests' private disks and shared disks' backing ranges
 * live (issue 16).
 *
 * physata.c is pure: every port access and delay goes through struct
 * physata_ops, it keeps no global state and executes no privileged
 * instruction, so it is tested on the host against xtalk's own IDE model
 * (devices/ide.c) acting as the controller and its drives. physata_pci.c is
 * the privileged part: it finds the controller on the PCI buses, enables it
 * and supplies ops doing port I/O.
 *
 * Everything is synchronous and polled: the drives' INTRQ is masked (nIEN)
 * and every wait is bounded (PHYSATA_*_MS); a command that times out
 * leaves its channel reset (SRST). Calls on one struct physata must be
 * serialised. Every value the drive returns is bounded before use
 * (IDENTIFY strings and capacities, GPT sizes and ranges).
 *
 * DMA: the driver owns one 4 KiB page below 4 GiB for its PRD table and
 * builds it from the caller's host-physical segments; a request is split
 * into as many ATA commands as its PRD entries need (at most
 * PHYSATA_PRD_PER_CMD entries per command), so a 65536-sector request
 * works whatever the segments' alignment. Requests DMA cannot do (no bus
 * master, a drive without DMA, a segment at or above 4 GiB) go through PIO
 * instead when ops->map is given (counted: pio_fallbacks).
 */
#ifndef XTALK_VMM_PHYSATA_H
#define XTALK_VMM_PHYSATA_H

#include <stdbool.h>
#include <stdint.h>

struct physata_ops {
	/* Port access: space 0 = a channel's command block (off 0..7), 1 = its
	 * control block (off 2: device control / alternate status, the PCI
	 * native layout), 2 = the bus master block (BAR4, off 0..15, both
	 * channels); size 1, 2 or 4. chan 0 primary, 1 secondary. */
	uint32_t (*in)(void *ctx, unsigned chan, unsigned space, uint32_t off, unsigned size);
	void (*out)(void *ctx, unsigned chan, unsigned space, uint32_t off, unsigned size,
		    uint32_t val);
	/* Busy-wait at least us microseconds. */
	void (*delay_us)(void *ctx, unsigned us);
	/* Optional: a host pointer to host-physical [hpa, hpa + len), NULL if it
	 * cannot be reached. Only for the PIO fallback of physata_read/write;
	 * without it those return -XT_ENOTSUP where DMA cannot be used. */
	void *(*map)(void *ctx, uint64_t hpa, uint32_t len);
	void *ctx;
};

#define PHYSATA_SPACE_CMD	0
#define PHYSATA_SPACE_CTL	1
#define PHYSATA_SPACE_BM	2

#define PHYSATA_MAX_DISKS	4
#define PHYSATA_NCHANNELS	2
#define PHYSATA_PRD_PER_CMD	256	/* PRD entries per command (2 KiB of the page) */
#define PHYSATA_MAX_SECTORS	65536	/* per physata_read/write call (READ DMA EXT's most) */
#define PHYSATA_MAX_SEGS	65536	/* segments per call: bounds the walk */
#define PHYSATA_TIMEOUT_MS	5000	/* a command's data phase and completion */
#define PHYSATA_FLUSH_TIMEOUT_MS 30000	/* FLUSH CACHE (EXT) may write a whole cache */
#define PHYSATA_RESET_TIMEOUT_MS 31000	/* ATA-6: BSY after SRST for at most 31 s */
#define PHYSATA_GPT_MAX_BYTES	(1u << 20)	/* partition entry array read and checked */

struct physata_disk {
	bool present;
	unsigned chan, drive;
	uint64_t sectors;	/* 512-byte sectors (LBA48 words 100-103 when supported, else 60-61) */
	bool lba48, dma;	/* what IDENTIFY says (dma: and a DMA mode could be selected) */
	bool flush_ext;		/* FLUSH CACHE EXT supported (word 83 bit 13) */
	uint8_t xfer;		/* the DMA mode the driver selected (SET FEATURES 03h), 0 = as found */
	char model[41], serial[21];	/* trimmed ASCII */
};

/* One piece of a transfer, host-physical: even address, even length > 0. */
struct physata_seg {
	uint64_t hpa;
	uint32_t len;
};

struct physata_stats {
	uint64_t reads, writes;			/* calls that succeeded (DMA or PIO) */
	uint64_t sectors_read, sectors_written;
	uint64_t flushes;			/* FLUSH CACHE (EXT) that succeeded */
	uint64_t errors;	/* the drive said ERR/DF, the bus master said error, a map failed */
	uint64_t timeouts;	/* waits that ran out (the channel was then reset) */
	uint64_t pio_fallbacks;	/* physata_read/write calls done by PIO */
	uint64_t commands;	/* ATA read/write commands issued (DMA and PIO) */
};

struct physata {
	const struct physata_ops *ops;
	struct physata_disk disk[PHYSATA_MAX_DISKS];	/* in the order found: primary master,
							 * primary slave, secondary master,
							 * secondary slave */
	unsigned ndisks;
	/* The PRD table: one 4 KiB page below 4 GiB (the driver's, given at
	 * init); NULL when there is no bus master. */
	uint8_t *prd;
	uint32_t prd_hpa;
	uint8_t last_status, last_error;	/* of the last command that failed */
	struct physata_stats st;
};

/* Reset both channels (SRST), find ATA disks (signature, IDENTIFY DEVICE),
 * select a multiword DMA mode on those with none selected, set up the PRD
 * table page (prd: host pointer, prd_hpa its host-physical address, 4 KiB
 * aligned, below 4 GiB; prd NULL: no bus master, PIO only). 0, -XT_ENOENT
 * when no disk answers, -XT_EINVAL for a PRD page the bus master cannot
 * use. */
int physata_init(struct physata *a, const struct physata_ops *ops, void *prd, uint64_t prd_hpa);

/* Read/write nsect (1..PHYSATA_MAX_SECTORS) sectors at lba of disk d (an
 * index into disk[]) by bus master DMA to/from the host-physical segments
 * segs (nseg <= PHYSATA_MAX_SEGS, total nsect * 512, each even), with
 * READ/WRITE DMA (EXT when the range needs 48 bits or more than 256
 * sectors). PRD entries never cross a 64 KiB boundary and are at most
 * 64 KiB; each command has at most PHYSATA_PRD_PER_CMD of them. 0;
 * -XT_EINVAL (bad arguments, checked before any I/O); -XT_E2BIG (more than
 * PHYSATA_MAX_SEGS segments); -XT_EIO (the drive said ERR or DF, the bus
 * master said error, or a wait timed out: st.errors or st.timeouts);
 * -XT_ENOTSUP (DMA impossible and no ops->map for PIO). */
int physata_read(struct physata *a, unsigned d, uint64_t lba, uint32_t nsect,
		 const struct physata_seg *segs, unsigned nseg);
int physata_write(struct physata *a, unsigned d, uint64_t lba, uint32_t nsect,
		  const struct physata_seg *segs, unsigned nseg);

/* PIO variants for a host buffer of nsect * 512 bytes (the GPT, and where
 * DMA is not possible): READ/WRITE SECTORS (EXT). Same returns. */
int physata_read_pio(struct physata *a, unsigned d, uint64_t lba, uint32_t nsect, void *buf);
int physata_write_pio(struct physata *a, unsigned d, uint64_t lba, uint32_t nsect,
		      const void *buf);

/* FLUSH CACHE (EXT when the disk has 48-bit addresses and supports it). */
int physata_flush(struct physata *a, unsigned d);

/* The primary GPT of disk d (UEFI spec, "GUID Partition Table (GPT) Disk
 * Layout"): partition n (1-based, as Linux numbers them): its first LBA,
 * sector count and unique partition GUID (any output may be NULL). 0;
 * -XT_ENOENT when there is no such entry or it is unused; -XT_EINVAL for a
 * bad GPT (signature, sizes, CRC32 of the header or of the entry array, a
 * range off the disk) or bad arguments; -XT_EIO from the reads. The
 * backup GPT is not consulted. */
int physata_gpt_partition(struct physata *a, unsigned d, unsigned n, uint64_t *first,
			  uint64_t *count, uint8_t unique_guid[16]);

/* 1 if a used partition of disk d has unique partition GUID unique_guid, 0
 * if none has, negative as physata_gpt_partition for an unreadable or bad
 * GPT. */
int physata_gpt_has_partition(struct physata *a, unsigned d, const uint8_t unique_guid[16]);

/* ---------------------------------------------------------- physata_pci.c */

/* The machine's IDE controller on its PCI bus, and the ops that reach it. */
struct physata_pci {
	uint8_t bus, dev, fn;
	uint16_t cmd[PHYSATA_NCHANNELS];	/* command block bases */
	uint16_t ctl[PHYSATA_NCHANNELS];	/* control block bases (register at +2) */
	uint16_t bm;				/* BAR4, 0 when it has none */
	uint64_t tsc_hz;			/* for delays */
	struct physata_ops ops;
};

/* Find the first IDE controller (PCI class 01h subclass 01h): in
 * compatibility mode its channels are at 1F0h/3F4h and 170h/374h (control
 * register at +2: 3F6h, 376h), in native mode at BAR0-3; the bus master at
 * BAR4 (I/O; bm 0 when absent: pass prd NULL to physata_init). Turn on I/O
 * decoding and bus mastering (INTx left as is: the drives' INTRQ is masked
 * with nIEN). 0 or -XT_ENOENT. */
int physata_pci_probe(struct physata_pci *p, uint64_t tsc_hz);

#endif
