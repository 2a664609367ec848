/* SPDX-License-Identifier: MIT */
/*
 * The storage path of a shared disk (docs/storage.md): the host pages
 * xtalk keeps a shared disk's sectors in, between the guests attached to it
 * and its backing range on the machine's disk. Pure logic, host-tested,
 * driven by the VMM's glue (vmm/storage/disk.c) from the IDE model's DMA
 * and PIO calls.
 *
 * A write puts the guest's sectors into the disk's pages (one copy) and
 * writes them through to the backing from those same pages (the physical
 * disk's DMA reads them: no second copy); it completes for the guest once
 * both are done. A read is served from the pages when every sector it asks
 * for is there (no physical read; counted: from_pages), else the missing
 * sectors are read from the backing into pages first (counted: from_disk)
 * and then copied out. So a guest always reads the latest completed write,
 * whoever wrote it: there is one copy of each sector in host memory, and
 * calls are serialised (the VMM runs one at a time), so two writes to the
 * same sector are never torn.
 *
 * The pages are bounded (max_pages); beyond it the least recently used page
 * is dropped (clock algorithm) - they are all clean, written through - and
 * read again from the backing when asked for. FLUSH CACHE is the backing's
 * flush: everything acknowledged is already on the disk's medium or in its
 * cache, and the flush empties the latter.
 */
#ifndef XTALK_CROSSTALK_DPATH_H
#define XTALK_CROSSTALK_DPATH_H

#include <stdbool.h>
#include <stdint.h>

#define DP_SECTOR		512u
#define DP_PAGE			4096u
#define DP_SECTORS_PER_PAGE	(DP_PAGE / DP_SECTOR)
#define DP_MAX_SEGS		256	/* per backing call: 1 MiB of pages */
#define DP_NO_ENTRY		UINT32_MAX

/* A piece of host memory: a guest's buffer (mapped by the caller) or a page. */
struct dp_buf {
	uint8_t *p;
	uint32_t len;
};

/* A piece of a backing transfer, at a host-physical address. */
struct dp_seg {
	uint64_t hpa;
	uint32_t len;
};

struct dp_ops {
	/* A 4 KiB host page for the disk's sectors and its host-physical
	 * address; NULL when there is no memory (the path then evicts). */
	void *(*page_alloc)(void *ctx, uint64_t *hpa);
	/* Sectors [lba, lba + n) of the backing (lba relative to the shared
	 * disk) from or to the host-physical segs; 0 or negative. */
	int (*backing_io)(void *ctx, bool write, uint64_t lba, uint32_t n,
			  const struct dp_seg *segs, unsigned nseg);
	int (*backing_flush)(void *ctx);
	void *ctx;
};

struct dp_stats {
	uint64_t sectors_written;	/* by guests, into the pages and through to the disk */
	uint64_t from_pages;		/* sectors read served from the pages */
	uint64_t from_disk;		/* sectors read that had to come from the backing */
	uint64_t pages, evictions;	/* pages taken, pages dropped (clean) */
	uint64_t backing_reads, backing_writes, flushes, errors;
};

/* One page of the disk: 8 sectors from key * 8. */
struct dp_entry {
	uint64_t key;
	uint8_t *page;
	uint64_t hpa;
	uint8_t valid;		/* bit s: sector key * 8 + s is in the page */
	bool ref;		/* used since the clock hand last passed */
	bool pinned;		/* part of the transfer in progress: not evicted */
	uint32_t next;		/* hash chain */
};

struct dp_disk {
	const struct dp_ops *ops;
	uint64_t sectors;	/* the disk's size */
	struct dp_entry *e;	/* max_pages entries (the caller's memory) */
	uint32_t *bucket;	/* nbuckets heads (a power of two) */
	uint32_t max_pages, used, nbuckets, hand;
	struct dp_stats st;
};

/* The shared disk of sectors sectors, at most max_pages pages of it held;
 * e and bucket (nbuckets, a power of two) are the caller's zeroed memory.
 * 0 or -XT_EINVAL. */
int dp_init(struct dp_disk *d, const struct dp_ops *ops, uint64_t sectors, struct dp_entry *e,
	    uint32_t max_pages, uint32_t *bucket, uint32_t nbuckets);

/* A guest writes n sectors at lba from bufs (total n * 512): into the pages,
 * then through to the backing. 0, -XT_EINVAL (beyond the disk, bad sizes),
 * -XT_EIO (the backing failed: the pages of the range are dropped, so no
 * guest reads what the disk does not hold). */
int dp_write(struct dp_disk *d, uint64_t lba, uint32_t n, const struct dp_buf *bufs,
	     unsigned nbuf);

/* A guest reads n sectors at lba into bufs: from the pages, the missing
 * ones from the backing first. from_disk (may be NULL): how many sectors of
 * this read came from the backing. 0, -XT_EINVAL, -XT_EIO. */
int dp_read(struct dp_disk *d, uint64_t lba, uint32_t n, const struct dp_buf *bufs, unsigned nbuf,
	    uint32_t *from_disk);

/* FLUSH CACHE: the backing's own. */
int dp_flush(struct dp_disk *d);

#endif
