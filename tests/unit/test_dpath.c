// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the shared disk's storage path (crosstalk/dpath.c):
 * writes into the pages and through to the backing, reads served from the
 * pages or filled from the backing, eviction, errors. The backing is a byte
 * array "disk" whose I/O goes through host-physical segments that the fake
 * page allocator hands out (hpa = a fake address that maps back to the
 * page), so a segment naming the wrong page shows up as wrong data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crosstalk/dpath.h"
#include "lib/xerrno.h"

#define SECTORS		4096u		/* 2 MiB disk */
#define MAX_PAGES	64u
#define HPA_BASE	0x7000000000ull

struct fake {
	uint8_t disk[SECTORS * DP_SECTOR];
	uint8_t *pages[1024];
	unsigned npages, page_limit;
	unsigned reads, writes, flushes;
	uint64_t sectors_read;
	bool fail_io, fail_flush;
	struct dp_entry e[MAX_PAGES];
	uint32_t bucket[16];
	struct dp_ops ops;
	struct dp_disk d;
};

static uint8_t *page_of(struct fake *f, uint64_t hpa)
{
	uint64_t i = (hpa - HPA_BASE) / DP_PAGE;

	assert_true(hpa >= HPA_BASE && i < f->npages);
	return f->pages[i] + (hpa - HPA_BASE) % DP_PAGE;
}

static void *fake_alloc(void *ctx, uint64_t *hpa)
{
	struct fake *f = ctx;

	if (f->npages >= f->page_limit)
		return NULL;
	f->pages[f->npages] = calloc(1, DP_PAGE);
	*hpa = HPA_BASE + (uint64_t)f->npages * DP_PAGE;
	return f->pages[f->npages++];
}

static int fake_io(void *ctx, bool write, uint64_t lba, uint32_t n, const struct dp_seg *segs,
		   unsigned nseg)
{
	struct fake *f = ctx;
	uint64_t off = lba * DP_SECTOR, total = 0;

	assert_true(lba + n <= SECTORS);
	assert_true(nseg >= 1 && nseg <= DP_MAX_SEGS);
	if (f->fail_io)
		return -1;
	for (unsigned i = 0; i < nseg; i++) {
		uint8_t *p = page_of(f, segs[i].hpa);

		assert_true((segs[i].hpa - HPA_BASE) % DP_PAGE + segs[i].len <= DP_PAGE);
		if (write)
			memcpy(f->disk + off + total, p, segs[i].len);
		else
			memcpy(p, f->disk + off + total, segs[i].len);
		total += segs[i].len;
	}
	assert_int_equal(total, (uint64_t)n * DP_SECTOR);
	if (write)
		f->writes++;
	else {
		f->reads++;
		f->sectors_read += n;
	}
	return 0;
}

static int fake_flush(void *ctx)
{
	struct fake *f = ctx;

	f->flushes++;
	return f->fail_flush ? -1 : 0;
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	for (size_t i = 0; i < sizeof(f->disk); i++)
		f->disk[i] = (uint8_t)(i / DP_SECTOR * 7 + i);	/* what was there before */
	f->page_limit = 1024;
	f->ops = (struct dp_ops){ fake_alloc, fake_io, fake_flush, f };
	assert_int_equal(dp_init(&f->d, &f->ops, SECTORS, f->e, MAX_PAGES, f->bucket, 16), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;

	for (unsigned i = 0; i < f->npages; i++)
		free(f->pages[i]);
	free(f);
	return 0;
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)((i + seed) * 31 + (i >> 9));
}

static void test_init_checks(void **state)
{
	struct fake *f = *state;
	struct dp_disk d;

	assert_int_equal(dp_init(&d, &f->ops, SECTORS, f->e, 1, f->bucket, 16), -XT_EINVAL);
	assert_int_equal(dp_init(&d, &f->ops, SECTORS, f->e, 8, f->bucket, 12), -XT_EINVAL);
	assert_int_equal(dp_init(&d, &f->ops, 0, f->e, 8, f->bucket, 16), -XT_EINVAL);
	assert_int_equal(dp_init(&d, NULL, SECTORS, f->e, 8, f->bucket, 16), -XT_EINVAL);
}

/* A writes, B reads the same sectors back: from the pages, no disk read;
 * the disk holds them too (written through). */
static void test_write_then_read_from_pages(void **state)
{
	struct fake *f = *state;
	static uint8_t w[64 * DP_SECTOR], r[64 * DP_SECTOR];
	struct dp_buf wb[2] = { { w, 1000 }, { w + 1000, sizeof(w) - 1000 } };
	struct dp_buf rb[3] = { { r, 512 }, { r + 512, 3 }, { r + 515, sizeof(r) - 515 } };
	uint32_t from_disk = 99;

	fill(w, sizeof(w), 1);
	/* Unaligned: sectors 13..76 span 9 pages, neither end on a page edge. */
	assert_int_equal(dp_write(&f->d, 13, 64, wb, 2), 0);
	assert_memory_equal(f->disk + 13 * DP_SECTOR, w, sizeof(w));
	assert_int_equal(f->writes, 1);
	assert_int_equal(dp_read(&f->d, 13, 64, rb, 3, &from_disk), 0);
	assert_memory_equal(r, w, sizeof(r));
	assert_int_equal(from_disk, 0);
	assert_int_equal(f->reads, 0);
	assert_int_equal(f->d.st.from_pages, 64);
	assert_int_equal(f->d.st.sectors_written, 64);
	assert_int_equal(f->d.st.pages, 9);
}

/* Sectors the pages lack come from the backing, only those. */
static void test_read_fills_missing_sectors(void **state)
{
	struct fake *f = *state;
	static uint8_t w[2 * DP_SECTOR], r[16 * DP_SECTOR];
	struct dp_buf wb = { w, sizeof(w) }, rb = { r, sizeof(r) };
	uint32_t from_disk = 0;

	fill(w, sizeof(w), 2);
	assert_int_equal(dp_write(&f->d, 3, 2, &wb, 1), 0);	/* sectors 3, 4 */
	/* Make the disk differ from the pages: reads must prefer the pages. */
	memset(f->disk + 3 * DP_SECTOR, 0xee, 2 * DP_SECTOR);
	assert_int_equal(dp_read(&f->d, 0, 16, &rb, 1, &from_disk), 0);
	assert_int_equal(from_disk, 14);
	assert_int_equal(f->sectors_read, 14);
	assert_int_equal(f->reads, 2);		/* runs 0..2 and 5..15 */
	assert_memory_equal(r + 3 * DP_SECTOR, w, sizeof(w));
	for (unsigned s = 0; s < 16; s++)
		if (s != 3 && s != 4)
			assert_memory_equal(r + s * DP_SECTOR, f->disk + s * DP_SECTOR, DP_SECTOR);
	/* Now all 16 are in pages. */
	assert_int_equal(dp_read(&f->d, 0, 16, &rb, 1, &from_disk), 0);
	assert_int_equal(from_disk, 0);
	assert_int_equal(f->d.st.from_disk, 14);
	assert_int_equal(f->d.st.from_pages, 2 + 16);
}

/* The latest completed write wins, whoever wrote it. */
static void test_last_write_wins(void **state)
{
	struct fake *f = *state;
	static uint8_t a[8 * DP_SECTOR], b[DP_SECTOR], r[8 * DP_SECTOR];
	struct dp_buf ab = { a, sizeof(a) }, bb = { b, sizeof(b) }, rb = { r, sizeof(r) };

	fill(a, sizeof(a), 3);
	fill(b, sizeof(b), 4);
	assert_int_equal(dp_write(&f->d, 40, 8, &ab, 1), 0);
	assert_int_equal(dp_write(&f->d, 44, 1, &bb, 1), 0);
	assert_int_equal(dp_read(&f->d, 40, 8, &rb, 1, NULL), 0);
	memcpy(a + 4 * DP_SECTOR, b, DP_SECTOR);
	assert_memory_equal(r, a, sizeof(r));
	assert_memory_equal(f->disk + 40 * DP_SECTOR, a, sizeof(a));
}

/* More than the pages hold: the least recently used are dropped (clean),
 * and read again from the disk; a transfer larger than the pages works. */
static void test_eviction(void **state)
{
	struct fake *f = *state;
	static uint8_t w[1024 * DP_SECTOR], r[1024 * DP_SECTOR];
	struct dp_buf wb = { w, sizeof(w) }, rb = { r, sizeof(r) };
	uint32_t from_disk = 0;

	fill(w, sizeof(w), 5);
	assert_int_equal(dp_write(&f->d, 0, 1024, &wb, 1), 0);	/* 128 pages > 64 */
	assert_int_equal(f->d.st.pages, MAX_PAGES);
	assert_true(f->d.st.evictions >= 64);
	assert_memory_equal(f->disk, w, sizeof(w));
	assert_int_equal(dp_read(&f->d, 0, 1024, &rb, 1, &from_disk), 0);
	assert_memory_equal(r, w, sizeof(r));
	assert_true(from_disk > 0 && from_disk <= 1024);
	/* Chunks of at most max_pages / 2 pages: 32 pages = 256 sectors. */
	assert_true(f->writes >= 4);
}

/* No memory at all for a new page: it evicts what it has. */
static void test_allocator_runs_dry(void **state)
{
	struct fake *f = *state;
	static uint8_t w[128 * DP_SECTOR], r[128 * DP_SECTOR];
	struct dp_buf wb = { w, sizeof(w) }, rb = { r, sizeof(r) };

	f->page_limit = 4;
	fill(w, sizeof(w), 6);
	/* 16 pages through 4: the chunks shrink to the pages there are. */
	assert_int_equal(dp_write(&f->d, 3, 125, &(struct dp_buf){ w, 125 * DP_SECTOR }, 1), 0);
	assert_int_equal(f->d.st.pages, 4);
	assert_true(f->writes >= 4);
	assert_memory_equal(f->disk + 3 * DP_SECTOR, w, 125 * DP_SECTOR);
	assert_int_equal(dp_read(&f->d, 0, 128, &rb, 1, NULL), 0);
	assert_memory_equal(r + 3 * DP_SECTOR, w, 125 * DP_SECTOR);
	(void)wb;
}

static void test_bad_arguments(void **state)
{
	struct fake *f = *state;
	static uint8_t b[2 * DP_SECTOR];
	struct dp_buf one = { b, DP_SECTOR }, two = { b, sizeof(b) }, null = { NULL, DP_SECTOR };

	assert_int_equal(dp_write(&f->d, SECTORS, 1, &one, 1), -XT_EINVAL);
	assert_int_equal(dp_write(&f->d, SECTORS - 1, 2, &two, 1), -XT_EINVAL);
	assert_int_equal(dp_write(&f->d, 0, 0, &one, 0), -XT_EINVAL);
	assert_int_equal(dp_write(&f->d, 0, 1, &two, 1), -XT_EINVAL);	/* sizes differ */
	assert_int_equal(dp_read(&f->d, 0, 1, &null, 1, NULL), -XT_EINVAL);
	assert_int_equal(dp_read(&f->d, UINT64_MAX, 1, &one, 1, NULL), -XT_EINVAL);
	assert_int_equal(f->reads + f->writes, 0);
}

/* A failed write-through is not read back from the pages. */
static void test_backing_errors(void **state)
{
	struct fake *f = *state;
	static uint8_t w[4 * DP_SECTOR], r[4 * DP_SECTOR];
	struct dp_buf wb = { w, sizeof(w) }, rb = { r, sizeof(r) };
	uint32_t from_disk = 0;

	fill(w, sizeof(w), 7);
	f->fail_io = true;
	assert_int_equal(dp_write(&f->d, 8, 4, &wb, 1), -XT_EIO);
	assert_int_equal(dp_read(&f->d, 8, 4, &rb, 1, NULL), -XT_EIO);
	f->fail_io = false;
	assert_int_equal(dp_read(&f->d, 8, 4, &rb, 1, &from_disk), 0);
	assert_int_equal(from_disk, 4);
	assert_memory_equal(r, f->disk + 8 * DP_SECTOR, sizeof(r));
	assert_int_equal(f->d.st.errors, 2);
	assert_int_equal(dp_flush(&f->d), 0);
	f->fail_flush = true;
	assert_int_equal(dp_flush(&f->d), -XT_EIO);
	assert_int_equal(f->flushes, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_then_read_from_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_fills_missing_sectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_write_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eviction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allocator_runs_dry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backing_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
