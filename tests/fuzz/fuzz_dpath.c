/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for a shared disk's storage path (crosstalk/dpath.c).
 * The input is a sequence of guest writes and reads (any sector range,
 * buffers cut anywhere), flushes, backing failures and an allocator that
 * runs dry, on a small disk with few pages (so eviction and shrinking
 * chunks happen all the time). A reference disk (a byte array updated only
 * by writes that succeeded) says what every read must return. abort() on:
 *  - a read that succeeded with bytes other than the reference's;
 *  - a backing call outside the disk, with segments that are not whole
 *    sectors of one page each, or more than DP_MAX_SEGS of them;
 *  - more pages taken than max_pages, or counters that do not add up
 *    (from_pages + from_disk = sectors read; a failed read counts the
 *    chunks before the failing one).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crosstalk/dpath.h"
#include "tests/fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECTORS		512u		/* 256 KiB */
#define MAX_PAGES	12u
#define POOL		16u
#define HPA_BASE	0x40000000ull
#define MAX_IO		(96u * DP_SECTOR)

struct fz {
	uint8_t disk[SECTORS * DP_SECTOR];	/* the backing */
	uint8_t ref[SECTORS * DP_SECTOR];	/* what reads must see */
	uint8_t pages[POOL][DP_PAGE];
	unsigned npages, limit;
	bool fail;
	uint8_t buf[MAX_IO];
	struct dp_entry e[MAX_PAGES];
	uint32_t bucket[8];
	struct dp_ops ops;
	struct dp_disk d;
	uint64_t sectors_read;
	const uint8_t *in;
	size_t left;
};

static void check(int ok)
{
	if (!ok)
		abort();
}

static void *fz_alloc(void *ctx, uint64_t *hpa)
{
	struct fz *z = ctx;

	if (z->npages >= z->limit || z->npages >= POOL)
		return NULL;
	*hpa = HPA_BASE + (uint64_t)z->npages * DP_PAGE;
	return z->pages[z->npages++];
}

FUZZ_CHECKER static uint8_t *page_at(struct fz *z, uint64_t hpa, uint32_t len)
{
	uint64_t off = hpa - HPA_BASE;

	check(hpa >= HPA_BASE && off / DP_PAGE < z->npages);
	check(off % DP_SECTOR == 0 && len % DP_SECTOR == 0 && len);
	check(off % DP_PAGE + len <= DP_PAGE);
	return z->pages[off / DP_PAGE] + off % DP_PAGE;
}

static int fz_io(void *ctx, bool write, uint64_t lba, uint32_t n, const struct dp_seg *segs,
		 unsigned nseg)
{
	struct fz *z = ctx;
	uint64_t at = lba * DP_SECTOR, total = 0;

	check(n && lba < SECTORS && n <= SECTORS - lba);
	check(nseg >= 1 && nseg <= DP_MAX_SEGS);
	if (z->fail)
		return -1;
	for (unsigned i = 0; i < nseg; i++) {
		uint8_t *p = page_at(z, segs[i].hpa, segs[i].len);

		check(total + segs[i].len <= (uint64_t)n * DP_SECTOR);
		if (write)
			memcpy(z->disk + at + total, p, segs[i].len);
		else
			memcpy(p, z->disk + at + total, segs[i].len);
		total += segs[i].len;
	}
	check(total == (uint64_t)n * DP_SECTOR);
	return 0;
}

static int fz_flush(void *ctx)
{
	struct fz *z = ctx;

	return z->fail ? -1 : 0;
}

static uint32_t take(struct fz *z, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n && z->left; i++, z->left--)
		v |= (uint32_t)*z->in++ << (8 * i);
	return v;
}

/* The buffer cut into up to 8 pieces at input-chosen places. */
static unsigned cut(struct fz *z, uint32_t len, struct dp_buf *b)
{
	unsigned nb = 0;
	uint32_t at = 0;

	while (at < len && nb < 7) {
		uint32_t k = take(z, 2) % (len - at) + 1;

		b[nb++] = (struct dp_buf){ z->buf + at, k };
		at += k;
	}
	if (at < len)
		b[nb++] = (struct dp_buf){ z->buf + at, len - at };
	return nb;
}

FUZZ_CHECKER static void fill(struct fz *z, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		z->buf[i] = (uint8_t)(seed + i * 131 + (i >> 9));
}

static void do_io(struct fz *z, bool write)
{
	uint32_t lba = take(z, 2) % (SECTORS + 8), n = take(z, 1) % 97;
	struct dp_buf b[8];
	uint32_t len = n * DP_SECTOR, fd = 0;
	unsigned nb;
	int rc;

	if (!n || lba > SECTORS || n > SECTORS - lba) {
		nb = cut(z, len ? len : DP_SECTOR, b);
		check((write ? dp_write(&z->d, lba, n, b, nb) : dp_read(&z->d, lba, n, b, nb, &fd)) < 0);
		return;
	}
	if (write)
		fill(z, len, take(z, 1));
	nb = cut(z, len, b);
	rc = write ? dp_write(&z->d, lba, n, b, nb) : dp_read(&z->d, lba, n, b, nb, &fd);
	if (rc && !write) {
		/* The chunks before the failing one were served (and counted). */
		uint64_t served = z->d.st.from_pages + z->d.st.from_disk;

		check(served >= z->sectors_read && served - z->sectors_read < n);
		z->sectors_read = served;
	}
	if (rc)
		return;
	if (write) {
		memcpy(z->ref + (size_t)lba * DP_SECTOR, z->buf, len);
		return;
	}
	check(!memcmp(z->buf, z->ref + (size_t)lba * DP_SECTOR, len));
	check(fd <= n);
	z->sectors_read += n;
}

static void step(struct fz *z)
{
	uint8_t op = (uint8_t)take(z, 1);

	switch (op % 6) {
	case 0: case 1: do_io(z, true); break;
	case 2: case 3: do_io(z, false); break;
	case 4: dp_flush(&z->d); break;
	default:
		z->fail = op & 0x40;
		z->limit = op & 0x80 ? z->npages : POOL;	/* runs dry, or not */
		break;
	}
	check(z->d.used <= MAX_PAGES && z->npages <= MAX_PAGES);
	check(z->d.st.from_pages + z->d.st.from_disk == z->sectors_read);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz *z;

	if (!z) {
		z = calloc(1, sizeof(*z));
		if (!z)
			abort();
	}
	for (size_t i = 0; i < sizeof(z->disk); i++)
		z->disk[i] = z->ref[i] = (uint8_t)(i * 7 + (i >> 9));
	z->npages = 0;
	z->limit = POOL;
	z->fail = false;
	z->sectors_read = 0;
	memset(z->e, 0, sizeof(z->e));
	z->ops = (struct dp_ops){ fz_alloc, fz_io, fz_flush, z };
	check(dp_init(&z->d, &z->ops, SECTORS, z->e, MAX_PAGES, z->bucket, 8) == 0);
	z->in = data;
	z->left = size;
	for (unsigned n = 0; z->left && n < 200; n++)
		step(z);
	return 0;
}
