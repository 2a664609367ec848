/* SPDX-License-Identifier: MIT */
/* The storage path of a shared disk: see dpath.h. */
#include "crosstalk/dpath.h"

#include <string.h>

#include "lib/xerrno.h"

/* A cursor over a guest's buffers. */
struct cursor {
	const struct dp_buf *b;
	unsigned n, i;
	uint32_t off;
};

/* ---------------------------------------------------------- pages */

static uint32_t hash(const struct dp_disk *d, uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (d->nbuckets - 1);
}

static uint32_t find(const struct dp_disk *d, uint64_t key)
{
	for (uint32_t i = d->bucket[hash(d, key)]; i != DP_NO_ENTRY; i = d->e[i].next)
		if (d->e[i].key == key)
			return i;
	return DP_NO_ENTRY;
}

static void unlink_entry(struct dp_disk *d, uint32_t i)
{
	uint32_t *p = &d->bucket[hash(d, d->e[i].key)];

	while (*p != i)
		p = &d->e[*p].next;
	*p = d->e[i].next;
}

static void link_entry(struct dp_disk *d, uint32_t i, uint64_t key)
{
	uint32_t *head = &d->bucket[hash(d, key)];

	d->e[i].key = key;
	d->e[i].valid = 0;
	d->e[i].next = *head;
	*head = i;
}

/* The clock: the first page not used since the hand last passed and not
 * part of the transfer in progress (pinned). */
static uint32_t evict(struct dp_disk *d)
{
	for (uint32_t tries = 0; tries < 2 * d->used + 1; tries++) {
		uint32_t i = d->hand;
		struct dp_entry *e = &d->e[i];

		d->hand = (d->hand + 1) % d->used;
		if (e->pinned)
			continue;
		if (e->ref) {
			e->ref = false;
			continue;
		}
		unlink_entry(d, i);
		d->st.evictions++;
		return i;
	}
	return DP_NO_ENTRY;
}

/* The page for key, made if need be (valid bits 0), pinned. */
static struct dp_entry *get_page(struct dp_disk *d, uint64_t key)
{
	uint32_t i = find(d, key);

	if (i == DP_NO_ENTRY) {
		uint8_t *page = NULL;
		uint64_t hpa = 0;

		if (d->used < d->max_pages)
			page = d->ops->page_alloc(d->ops->ctx, &hpa);
		if (page) {
			i = d->used++;
			d->e[i].page = page;
			d->e[i].hpa = hpa;
			d->st.pages++;
		} else if (!d->used || (i = evict(d)) == DP_NO_ENTRY) {
			return NULL;
		}
		link_entry(d, i, key);
	}
	d->e[i].ref = true;
	d->e[i].pinned = true;
	return &d->e[i];
}

/* ---------------------------------------------------------- guest buffers */

static void cursor_copy(struct cursor *c, uint8_t *page, uint32_t len, bool to_page)
{
	while (len && c->i < c->n) {
		const struct dp_buf *b = &c->b[c->i];
		uint32_t k = b->len - c->off < len ? b->len - c->off : len;

		if (to_page)
			memcpy(page, b->p + c->off, k);
		else
			memcpy(b->p + c->off, page, k);
		page += k;
		len -= k;
		c->off += k;
		if (c->off == b->len) {
			c->i++;
			c->off = 0;
		}
	}
}

static bool bufs_ok(const struct dp_buf *bufs, unsigned nbuf, uint64_t bytes)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < nbuf; i++) {
		if (!bufs[i].p && bufs[i].len)
			return false;
		total += bufs[i].len;
	}
	return total == bytes;
}

/* ---------------------------------------------------------- one chunk */

/* A transfer in pieces of at most `pages` pages (pinned while in use). */
struct chunk {
	uint64_t lba;
	uint32_t n;
	struct dp_entry *pe[DP_MAX_SEGS];
	unsigned npages;
};

static uint32_t chunk_pages(const struct dp_disk *d)
{
	uint32_t half = d->max_pages / 2;

	return half < DP_MAX_SEGS ? half : DP_MAX_SEGS;
}

/* The chunk's sector s (0-based in the chunk): its page and slot. */
static struct dp_entry *slot(const struct chunk *c, uint32_t s, unsigned *in_page)
{
	uint64_t sector = c->lba + s, first = c->lba / DP_SECTORS_PER_PAGE;

	*in_page = (unsigned)(sector % DP_SECTORS_PER_PAGE);
	return c->pe[sector / DP_SECTORS_PER_PAGE - first];
}

static void unpin(struct chunk *c)
{
	for (unsigned i = 0; i < c->npages; i++)
		if (c->pe[i])
			c->pe[i]->pinned = false;
}

static int pin_chunk(struct dp_disk *d, struct chunk *c)
{
	uint64_t first = c->lba / DP_SECTORS_PER_PAGE;
	uint64_t last = (c->lba + c->n - 1) / DP_SECTORS_PER_PAGE;

	c->npages = 0;
	for (uint64_t k = first; k <= last; k++) {
		struct dp_entry *e = get_page(d, k);

		if (!e)
			break;
		c->pe[c->npages++] = e;
	}
	if (!c->npages)
		return -XT_ENOMEM;
	/* Fewer pages than asked for (no memory, the rest pinned): the chunk
	 * shrinks to the pages it has; the caller goes on from there. */
	if (first + c->npages <= last)
		c->n = (uint32_t)((first + c->npages) * DP_SECTORS_PER_PAGE - c->lba);
	return 0;
}

/* Sectors [s, s + m) of the chunk as host-physical segments, one per page. */
static unsigned segs_of(const struct chunk *c, uint32_t s, uint32_t m, struct dp_seg *seg)
{
	unsigned nseg = 0;

	while (m) {
		unsigned in;
		struct dp_entry *e = slot(c, s, &in);
		uint32_t k = DP_SECTORS_PER_PAGE - in < m ? DP_SECTORS_PER_PAGE - in : m;

		seg[nseg].hpa = e->hpa + (uint64_t)in * DP_SECTOR;
		seg[nseg++].len = k * DP_SECTOR;
		s += k;
		m -= k;
	}
	return nseg;
}

static void set_valid(const struct chunk *c, uint32_t s, uint32_t m, bool valid)
{
	for (uint32_t i = s; i < s + m; i++) {
		unsigned in;
		struct dp_entry *e = slot(c, i, &in);

		if (valid)
			e->valid |= (uint8_t)(1u << in);
		else
			e->valid &= (uint8_t)~(1u << in);
	}
}

static bool is_valid(const struct chunk *c, uint32_t s)
{
	unsigned in;
	const struct dp_entry *e = slot(c, s, &in);

	return e->valid & (1u << in);
}

static int backing(struct dp_disk *d, bool write, const struct chunk *c, uint32_t s, uint32_t m)
{
	struct dp_seg seg[DP_MAX_SEGS + 1];
	unsigned nseg = segs_of(c, s, m, seg);
	int rc = d->ops->backing_io(d->ops->ctx, write, c->lba + s, m, seg, nseg);

	if (write)
		d->st.backing_writes++;
	else
		d->st.backing_reads++;
	if (rc)
		d->st.errors++;
	return rc ? -XT_EIO : 0;
}

static int write_chunk(struct dp_disk *d, struct chunk *c, struct cursor *cur)
{
	int rc = pin_chunk(d, c);

	for (uint32_t s = 0; !rc && s < c->n; s++) {
		unsigned in;
		struct dp_entry *e = slot(c, s, &in);

		cursor_copy(cur, e->page + in * DP_SECTOR, DP_SECTOR, true);
	}
	if (!rc) {
		set_valid(c, 0, c->n, true);
		rc = backing(d, true, c, 0, c->n);
		if (rc)
			set_valid(c, 0, c->n, false);	/* not what the disk holds */
		else
			d->st.sectors_written += c->n;
	}
	unpin(c);
	return rc;
}

/* The runs of sectors the pages lack, from the backing. */
static int fill_chunk(struct dp_disk *d, struct chunk *c, uint32_t *from_disk)
{
	for (uint32_t s = 0; s < c->n;) {
		uint32_t m = 0;
		int rc;

		if (is_valid(c, s)) {
			s++;
			continue;
		}
		while (s + m < c->n && !is_valid(c, s + m))
			m++;
		rc = backing(d, false, c, s, m);
		if (rc)
			return rc;
		set_valid(c, s, m, true);
		*from_disk += m;
		s += m;
	}
	return 0;
}

static int read_chunk(struct dp_disk *d, struct chunk *c, struct cursor *cur,
		      uint32_t *from_disk)
{
	uint32_t before = *from_disk;
	int rc = pin_chunk(d, c);

	if (!rc)
		rc = fill_chunk(d, c, from_disk);
	for (uint32_t s = 0; !rc && s < c->n; s++) {
		unsigned in;
		struct dp_entry *e = slot(c, s, &in);

		cursor_copy(cur, e->page + in * DP_SECTOR, DP_SECTOR, false);
	}
	if (!rc) {
		d->st.from_disk += *from_disk - before;
		d->st.from_pages += c->n - (*from_disk - before);
	}
	unpin(c);
	return rc;
}

/* ---------------------------------------------------------- the calls */

int dp_init(struct dp_disk *d, const struct dp_ops *ops, uint64_t sectors, struct dp_entry *e,
	    uint32_t max_pages, uint32_t *bucket, uint32_t nbuckets)
{
	memset(d, 0, sizeof(*d));
	if (!ops || !e || !bucket || max_pages < 2 || !nbuckets || (nbuckets & (nbuckets - 1)) ||
	    !sectors)
		return -XT_EINVAL;
	d->ops = ops;
	d->sectors = sectors;
	d->e = e;
	d->max_pages = max_pages;
	d->bucket = bucket;
	d->nbuckets = nbuckets;
	for (uint32_t i = 0; i < nbuckets; i++)
		bucket[i] = DP_NO_ENTRY;
	return 0;
}

static bool range_ok(const struct dp_disk *d, uint64_t lba, uint32_t n, const struct dp_buf *bufs,
		     unsigned nbuf)
{
	return n && lba < d->sectors && n <= d->sectors - lba &&
	       bufs_ok(bufs, nbuf, (uint64_t)n * DP_SECTOR);
}

/* The next chunk of [lba, lba + n) from position done: whole pages, at
 * most chunk_pages(d) of them. */
static void next_chunk(const struct dp_disk *d, uint64_t lba, uint32_t n, uint32_t done,
		       struct chunk *c)
{
	uint64_t at = lba + done;
	uint64_t room = (uint64_t)chunk_pages(d) * DP_SECTORS_PER_PAGE - at % DP_SECTORS_PER_PAGE;

	c->lba = at;
	c->n = n - done < room ? n - done : (uint32_t)room;
	c->npages = 0;
}

int dp_write(struct dp_disk *d, uint64_t lba, uint32_t n, const struct dp_buf *bufs,
	     unsigned nbuf)
{
	struct cursor cur = { bufs, nbuf, 0, 0 };
	struct chunk c;

	if (!range_ok(d, lba, n, bufs, nbuf))
		return -XT_EINVAL;
	for (uint32_t done = 0; done < n; done += c.n) {
		int rc;

		next_chunk(d, lba, n, done, &c);
		rc = write_chunk(d, &c, &cur);
		if (rc)
			return rc;
	}
	return 0;
}

int dp_read(struct dp_disk *d, uint64_t lba, uint32_t n, const struct dp_buf *bufs, unsigned nbuf,
	    uint32_t *from_disk)
{
	struct cursor cur = { bufs, nbuf, 0, 0 };
	uint32_t fd = 0;
	struct chunk c;
	int rc = 0;

	if (!range_ok(d, lba, n, bufs, nbuf))
		return -XT_EINVAL;
	for (uint32_t done = 0; !rc && done < n; done += c.n) {
		next_chunk(d, lba, n, done, &c);
		rc = read_chunk(d, &c, &cur, &fd);
	}
	if (from_disk)
		*from_disk = fd;
	return rc;
}

int dp_flush(struct dp_disk *d)
{
	int rc = d->ops->backing_flush(d->ops->ctx);

	d->st.flushes++;
	if (rc)
		d->st.errors++;
	return rc ? -XT_EIO : 0;
}
