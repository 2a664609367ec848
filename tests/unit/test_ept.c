/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the EPT builder (ept/ept.c).
 *
 * Table pages come from a fake allocator: a malloc'd arena whose page i has
 * the fake host-physical address FAKE_HPA_BASE + i * 4 KiB. It counts
 * allocations and frees, poisons freed pages, fails on demand, and
 * phys_to_virt fails the test for any address that is not a live table.
 * Expected entry values in the raw-bit tests are written out by hand from
 * the SDM formats, not built from the ept_defs.h macros.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ept/ept.h"
#include "lib/xerrno.h"

#define KIB		0x400ULL
#define MIB		0x100000ULL
#define GIB		0x40000000ULL
#define PAGE		0x1000ULL
#define LARGE		(2 * MIB)

#define ARENA_PAGES	512
#define FAKE_HPA_BASE	0x70000000ULL
#define POISON		0xa5

/* Default GPA limit of the fixtures: 1 TiB, so PML4 entries 0 and 1 exist. */
#define TEST_MAX_GPA	(1ULL << 40)

#define RW		(EPT_PTE_READ | EPT_PTE_WRITE)
#define RWX		(EPT_PTE_READ | EPT_PTE_WRITE | EPT_PTE_EXEC)

/* Raw-format constants from the SDM, independent of ept_defs.h. */
#define RAW_ADDR	0x000ffffffffff000ULL
#define RAW_LARGE	0x80ULL
#define RAW_IPAT	0x40ULL

struct fake_alloc {
	uint8_t *arena;
	bool used[ARENA_PAGES];
	unsigned allocs;
	unsigned frees;
	long fail_after;	/* allocations left before failing, < 0: all */
	bool misalign;		/* hand out hpa + 2 KiB */
};

struct env {
	struct fake_alloc fa;
	struct ept_ops ops;
	struct ept ept;
};

/* What a lookup returned, for comparing before/after. */
struct xlat {
	int ret;
	uint64_t hpa;
	uint64_t perms;
	unsigned memtype;
};

static void *fake_alloc_page(void *ctx, uint64_t *hpa)
{
	struct fake_alloc *fa = ctx;
	unsigned i;

	if (fa->fail_after == 0)
		return NULL;
	if (fa->fail_after > 0)
		fa->fail_after--;
	for (i = 0; i < ARENA_PAGES && fa->used[i]; i++)
		;
	if (i == ARENA_PAGES)
		return NULL;
	fa->used[i] = true;
	fa->allocs++;
	memset(fa->arena + i * PAGE, 0, PAGE);
	*hpa = FAKE_HPA_BASE + i * PAGE + (fa->misalign ? 2 * KIB : 0);
	return fa->arena + i * PAGE;
}

static unsigned fake_index(uint64_t hpa)
{
	if (hpa < FAKE_HPA_BASE || hpa >= FAKE_HPA_BASE + ARENA_PAGES * PAGE)
		fail_msg("hpa %#llx is not in the arena",
			 (unsigned long long)hpa);
	return (unsigned)((hpa - FAKE_HPA_BASE) / PAGE);
}

static void fake_free_page(void *ctx, void *va, uint64_t hpa)
{
	struct fake_alloc *fa = ctx;
	unsigned i = fake_index(hpa);

	assert_ptr_equal(va, fa->arena + i * PAGE);
	assert_true(fa->used[i]);
	fa->used[i] = false;
	fa->frees++;
	memset(va, POISON, PAGE);
}

static void *fake_phys_to_virt(void *ctx, uint64_t hpa)
{
	struct fake_alloc *fa = ctx;
	unsigned i = fake_index(hpa);

	if (hpa & (PAGE - 1) || !fa->used[i])
		fail_msg("phys_to_virt(%#llx): not a live table",
			 (unsigned long long)hpa);
	return fa->arena + i * PAGE;
}

static struct env *env_new(uint64_t max_gpa)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->fa.arena = aligned_alloc(PAGE, ARENA_PAGES * PAGE);
	assert_non_null(e->fa.arena);
	memset(e->fa.arena, POISON, ARENA_PAGES * PAGE);
	e->fa.fail_after = -1;
	e->ops.alloc_page = fake_alloc_page;
	e->ops.free_page = fake_free_page;
	e->ops.phys_to_virt = fake_phys_to_virt;
	e->ops.ctx = &e->fa;
	assert_int_equal(ept_init(&e->ept, &e->ops, max_gpa), 0);
	return e;
}

static unsigned used_pages(const struct fake_alloc *fa)
{
	unsigned i, n = 0;

	for (i = 0; i < ARENA_PAGES; i++)
		n += fa->used[i];
	return n;
}

/* Destroy the EPT and check that every table page came back. */
static void env_free(struct env *e)
{
	ept_destroy(&e->ept);
	assert_null(e->ept.pml4);
	assert_int_equal(e->ept.table_pages, 0);
	assert_int_equal(e->fa.allocs, e->fa.frees);
	assert_int_equal(used_pages(&e->fa), 0);
	free(e->fa.arena);
	free(e);
}

static int setup(void **state)
{
	*state = env_new(TEST_MAX_GPA);
	return 0;
}

static int teardown(void **state)
{
	env_free(*state);
	return 0;
}

static uint64_t *table_at(struct env *e, uint64_t entry)
{
	return fake_phys_to_virt(&e->fa, entry & RAW_ADDR);
}

static bool raw_memtype_ok(uint64_t mt)
{
	return mt == 0 || mt == 1 || mt == 4 || mt == 5 || mt == 6;
}

static void check_raw_leaf(uint64_t entry, int level)
{
	assert_true(entry & 1);				/* R in every leaf */
	assert_true(raw_memtype_ok((entry >> 3) & 7));
	assert_int_equal(entry & RAW_IPAT, 0);
	assert_int_equal(entry & ~(RAW_ADDR | 0xffULL), 0);
	assert_true(level <= 1);			/* no 1 GiB leaves */
	if (level == 1)
		assert_int_equal(entry & 0x1ff000ULL, 0);
}

/* Check the SDM format of every entry below @entry's table; count tables. */
static unsigned check_table(struct env *e, const uint64_t *t, int level)
{
	unsigned i, n = 1;
	uint64_t x;

	for (i = 0; i < 512; i++) {
		x = t[i];
		if (!(x & 7)) {
			assert_int_equal(x, 0);
		} else if (level == 0 || (level < 3 && (x & RAW_LARGE))) {
			check_raw_leaf(x, level);
		} else {
			assert_int_equal(x & ~RAW_ADDR, 7);
			n += check_table(e, table_at(e, x), level - 1);
		}
	}
	return n;
}

/* Whole-structure invariants: format, and no leaked or stray tables. */
static void check_tables(struct env *e)
{
	unsigned n = check_table(e, e->ept.pml4, 3);

	assert_int_equal(n, e->ept.table_pages);
	assert_int_equal(n, e->fa.allocs - e->fa.frees);
	assert_int_equal(n, used_pages(&e->fa));
}

static void map_ok(struct env *e, uint64_t gpa, uint64_t hpa, uint64_t size,
		   uint64_t perms, unsigned memtype)
{
	assert_int_equal(ept_map(&e->ept, gpa, hpa, size, perms, memtype), 0);
}

static void expect_xlat(struct env *e, uint64_t gpa, uint64_t hpa,
			uint64_t perms, unsigned memtype, uint64_t page_size)
{
	uint64_t h = 0, p = 0, ps = 0;
	unsigned mt = 99;

	assert_int_equal(ept_lookup(&e->ept, gpa, &h, &p, &mt, &ps), 0);
	assert_int_equal(h, hpa);
	assert_int_equal(p, perms);
	assert_int_equal(mt, memtype);
	if (page_size)
		assert_int_equal(ps, page_size);
}

static void expect_unmapped(struct env *e, uint64_t gpa)
{
	uint64_t h = 0;

	assert_int_equal(ept_lookup(&e->ept, gpa, &h, NULL, NULL, NULL),
			 -XT_ENOENT);
}

/* Every 4 KiB page (and one odd byte in it) of a range translates right. */
static void expect_range(struct env *e, uint64_t gpa, uint64_t hpa,
			 uint64_t size, uint64_t perms, unsigned memtype,
			 uint64_t page_size)
{
	uint64_t off;

	for (off = 0; off < size; off += PAGE) {
		expect_xlat(e, gpa + off, hpa + off, perms, memtype, page_size);
		expect_xlat(e, gpa + off + 0x123, hpa + off + 0x123, perms,
			    memtype, page_size);
	}
}

static struct xlat xlat_of(struct env *e, uint64_t gpa)
{
	struct xlat x = { 0 };

	x.ret = ept_lookup(&e->ept, gpa, &x.hpa, &x.perms, &x.memtype, NULL);
	return x;
}

static void expect_same_xlat(const struct xlat *a, const struct xlat *b)
{
	assert_int_equal(a->ret, b->ret);
	if (a->ret)
		return;
	assert_int_equal(a->hpa, b->hpa);
	assert_int_equal(a->perms, b->perms);
	assert_int_equal(a->memtype, b->memtype);
}

/* ---- init, destroy, eptp ---- */

static void test_init_empty(void **state)
{
	struct env *e = *state;

	assert_int_equal(e->ept.table_pages, 1);
	assert_int_equal(e->fa.allocs, 1);
	assert_int_equal(e->ept.pml4_hpa, FAKE_HPA_BASE);
	assert_int_equal(e->ept.max_gpa, TEST_MAX_GPA);
	expect_unmapped(e, 0);
	expect_unmapped(e, TEST_MAX_GPA - PAGE);
	check_tables(e);
}

static void test_init_bad_args(void **state)
{
	struct env *e = *state;
	struct ept ept;
	struct ept_ops ops = e->ops;
	unsigned allocs = e->fa.allocs;

	assert_int_equal(ept_init(&ept, NULL, 1ULL << 39), -XT_EINVAL);
	ops.alloc_page = NULL;
	assert_int_equal(ept_init(&ept, &ops, 1ULL << 39), -XT_EINVAL);
	assert_int_equal(ept_init(&ept, &e->ops, 0), -XT_EINVAL);
	assert_int_equal(ept_init(&ept, &e->ops, GIB + 1), -XT_EINVAL);
	assert_int_equal(ept_init(&ept, &e->ops, (1ULL << 48) + PAGE),
			 -XT_EINVAL);
	assert_int_equal(e->fa.allocs, allocs);
	ept_destroy(&ept);		/* no-op after a failed init */
	assert_int_equal(e->fa.frees, 0);
}

static void test_init_enomem(void **state)
{
	struct env *e = *state;
	struct ept ept;

	e->fa.fail_after = 0;
	assert_int_equal(ept_init(&ept, &e->ops, 1ULL << 39), -XT_ENOMEM);
	assert_null(ept.pml4);
	assert_int_equal(ept.table_pages, 0);
	ept_destroy(&ept);
	assert_int_equal(e->fa.allocs, 1);
	assert_int_equal(e->fa.frees, 0);
	/* Out of pages in map: nothing changes either. */
	assert_int_equal(ept_map(&e->ept, 0, 0, PAGE, RW, EPT_MT_WB),
			 -XT_ENOMEM);
	expect_unmapped(e, 0);
	check_tables(e);
}

static void test_bad_allocator_page(void **state)
{
	struct env *e = *state;

	e->fa.misalign = true;
	assert_int_equal(ept_map(&e->ept, 0, 0, PAGE, RW, EPT_MT_WB),
			 -XT_EFAULT);
	e->fa.misalign = false;
	assert_int_equal(e->fa.allocs, e->fa.frees + 1);
	expect_unmapped(e, 0);
	check_tables(e);
}

static void test_max_gpa_48_bits(void **state)
{
	struct env *e = env_new(1ULL << 48);
	uint64_t top = 1ULL << 48;

	(void)state;
	map_ok(e, top - LARGE - PAGE, 0x1000000000ULL, LARGE + PAGE, RW,
	       EPT_MT_WB);
	expect_range(e, top - LARGE - PAGE, 0x1000000000ULL, LARGE + PAGE, RW,
		     EPT_MT_WB, PAGE);
	expect_unmapped(e, top);
	assert_int_equal(ept_unmap(&e->ept, top - PAGE, PAGE), 0);
	expect_unmapped(e, top - PAGE);
	expect_xlat(e, top - 2 * PAGE, 0x1000000000ULL + LARGE - PAGE, RW,
		    EPT_MT_WB, PAGE);
	assert_int_equal(ept_map(&e->ept, top, 0, PAGE, RW, EPT_MT_WB),
			 -XT_ERANGE);
	check_tables(e);
	env_free(e);
}

static void test_destroy_frees_everything(void **state)
{
	struct env *e = env_new(TEST_MAX_GPA);
	uint64_t i;

	(void)state;
	map_ok(e, 0, 0x100000000ULL, 64 * MIB, RWX, EPT_MT_WB);
	map_ok(e, 3 * GIB + PAGE, 0x200001000ULL, 9 * MIB, RW, EPT_MT_UC);
	map_ok(e, 512 * GIB, 0x300000000ULL, 4 * MIB, RW, EPT_MT_WB);
	for (i = 0; i < 8; i++)
		map_ok(e, i * LARGE + 5 * PAGE, 0x400000000ULL, PAGE, RW,
		       EPT_MT_WB);
	assert_int_equal(ept_unmap(&e->ept, 20 * MIB, 12 * MIB), 0);
	check_tables(e);
	assert_true(e->ept.table_pages > 10);
	env_free(e);	/* asserts allocs == frees, no page left in use */
}

static void test_eptp_bits(void **state)
{
	struct env *e = *state;
	uint64_t eptp = ept_eptp(&e->ept);

	/* PML4 at 0x70000000, walk length 4 -> 3 in 5:3, WB (6) in 2:0. */
	assert_int_equal(eptp, 0x7000001eULL);
	assert_int_equal(eptp & 7, 6);
	assert_int_equal((eptp >> 3) & 7, 3);
	assert_int_equal(eptp & 0x40, 0);		/* A/D disabled */
	assert_int_equal(eptp & 0x80, 0);
	assert_int_equal(eptp & RAW_ADDR, e->ept.pml4_hpa);
}

/* ---- building ---- */

static void test_map_64m_large_leaves(void **state)
{
	struct env *e = *state;
	uint64_t gpa = GIB, hpa = 0x100000000ULL, size = 64 * MIB;

	map_ok(e, gpa, hpa, size, RWX, EPT_MT_WB);
	assert_int_equal(e->ept.table_pages, 3);	/* PML4, PDPT, PD */
	expect_range(e, gpa, hpa, size, RWX, EPT_MT_WB, LARGE);
	expect_unmapped(e, gpa - PAGE);
	expect_unmapped(e, gpa - 1);
	expect_unmapped(e, gpa + size);
	expect_unmapped(e, gpa + size + PAGE);
	expect_unmapped(e, 0);
	expect_unmapped(e, 256 * GIB);
	expect_unmapped(e, TEST_MAX_GPA - PAGE);
	expect_unmapped(e, TEST_MAX_GPA);
	expect_unmapped(e, 1ULL << 63);
	check_tables(e);
}

static void test_map_unaligned_hpa_uses_4k(void **state)
{
	struct env *e = *state;
	uint64_t hpa = 0x100001000ULL;

	map_ok(e, 4 * MIB, hpa, 4 * MIB, RW, EPT_MT_WB);
	assert_int_equal(e->ept.table_pages, 5);	/* + 2 PTs */
	expect_range(e, 4 * MIB, hpa, 4 * MIB, RW, EPT_MT_WB, PAGE);
	expect_unmapped(e, 4 * MIB - PAGE);
	expect_unmapped(e, 8 * MIB);
	check_tables(e);
}

/*
 * ept_leaf_4k: the entry of a page translated through a page table (none
 * for a 2 MiB leaf or an unmapped region); ept_set_leaf rewrites that one
 * page as ept_map would, generation moving only when the entry changed.
 */
static void test_leaf_4k(void **state)
{
	struct env *e = *state;
	uint64_t hpa = 0x100001000ULL, gen, got, perms, size;
	unsigned mt;
	uint64_t *leaf;

	map_ok(e, 0, 0x100000000ULL, LARGE, RWX, EPT_MT_WB);
	assert_null(ept_leaf_4k(&e->ept, PAGE));
	assert_null(ept_leaf_4k(&e->ept, 64 * GIB));
	assert_null(ept_leaf_4k(&e->ept, TEST_MAX_GPA));
	map_ok(e, 4 * MIB, hpa, 4 * MIB, RW, EPT_MT_WB);
	leaf = ept_leaf_4k(&e->ept, 4 * MIB + 3 * PAGE + 5);
	assert_non_null(leaf);
	assert_ptr_equal(leaf, ept_leaf_4k(&e->ept, 4 * MIB + 3 * PAGE));
	assert_ptr_not_equal(leaf, ept_leaf_4k(&e->ept, 4 * MIB + 4 * PAGE));

	gen = e->ept.generation;
	assert_int_equal(ept_set_leaf(&e->ept, leaf, 0x200000000ULL, EPT_PTE_READ, EPT_MT_UC), 0);
	assert_true(e->ept.generation != gen);
	assert_int_equal(ept_lookup(&e->ept, 4 * MIB + 3 * PAGE + 5, &got, &perms, &mt, &size), 0);
	assert_int_equal(got, 0x200000005ULL);
	assert_int_equal(perms, EPT_PTE_READ);
	assert_int_equal(mt, EPT_MT_UC);
	assert_int_equal(size, PAGE);
	/* Its neighbours keep their translation. */
	expect_range(e, 4 * MIB + 2 * PAGE, hpa + 2 * PAGE, PAGE, RW, EPT_MT_WB, PAGE);
	expect_range(e, 4 * MIB + 4 * PAGE, hpa + 4 * PAGE, PAGE, RW, EPT_MT_WB, PAGE);
	gen = e->ept.generation;
	assert_int_equal(ept_set_leaf(&e->ept, leaf, 0x200000000ULL, EPT_PTE_READ, EPT_MT_UC), 0);
	assert_int_equal(e->ept.generation, gen);

	/* Bad arguments change nothing. */
	assert_int_equal(ept_set_leaf(&e->ept, leaf, 0x200000800ULL, RW, EPT_MT_WB), -XT_EINVAL);
	assert_int_equal(ept_set_leaf(&e->ept, leaf, 0x200000000ULL, EPT_PTE_WRITE, EPT_MT_WB),
			 -XT_EINVAL);
	assert_int_equal(ept_set_leaf(&e->ept, NULL, 0x200000000ULL, RW, EPT_MT_WB), -XT_EINVAL);
	assert_int_equal(e->ept.generation, gen);
	/* Unmapped, the entry is still the page's: setting it maps the page again. */
	assert_int_equal(ept_unmap(&e->ept, 4 * MIB + 3 * PAGE, PAGE), 0);
	expect_unmapped(e, 4 * MIB + 3 * PAGE);
	assert_ptr_equal(leaf, ept_leaf_4k(&e->ept, 4 * MIB + 3 * PAGE));
	assert_int_equal(ept_set_leaf(&e->ept, leaf, hpa + 3 * PAGE, RW, EPT_MT_WB), 0);
	expect_range(e, 4 * MIB, hpa, 4 * MIB, RW, EPT_MT_WB, PAGE);
	check_tables(e);
}

/*
 * Rights added to a leaf without a generation change (no INVEPT needed);
 * anything else (rights taken, a bad right, an empty entry) refused and
 * nothing changed.
 */
static void test_relax_leaf(void **state)
{
	struct env *e = *state;
	uint64_t hpa = 0x100001000ULL, gen, got, perms, size;
	unsigned mt;
	uint64_t *leaf;

	map_ok(e, 4 * MIB, hpa, 4 * MIB, RW, EPT_MT_WB);
	leaf = ept_leaf_4k(&e->ept, 4 * MIB + 3 * PAGE);
	assert_non_null(leaf);
	assert_int_equal(ept_set_leaf(&e->ept, leaf, 0x200000000ULL, EPT_PTE_READ, EPT_MT_UC), 0);
	gen = e->ept.generation;
	assert_int_equal(ept_relax_leaf(&e->ept, leaf, RW), 0);
	assert_int_equal(e->ept.generation, gen);
	assert_int_equal(ept_lookup(&e->ept, 4 * MIB + 3 * PAGE + 5, &got, &perms, &mt, &size), 0);
	assert_int_equal(got, 0x200000005ULL);
	assert_int_equal(perms, RW);
	assert_int_equal(mt, EPT_MT_UC);
	/* Taking a right away needs ept_set_leaf (and an INVEPT). */
	assert_int_equal(ept_relax_leaf(&e->ept, leaf, EPT_PTE_READ), -XT_EINVAL);
	assert_int_equal(ept_relax_leaf(&e->ept, leaf, EPT_PTE_WRITE | EPT_PTE_EXEC), -XT_EINVAL);
	assert_int_equal(ept_relax_leaf(&e->ept, leaf, RWX | (1ULL << 12)), -XT_EINVAL);
	assert_int_equal(ept_relax_leaf(&e->ept, NULL, RWX), -XT_EINVAL);
	assert_int_equal(ept_lookup(&e->ept, 4 * MIB + 3 * PAGE, &got, &perms, &mt, &size), 0);
	assert_int_equal(perms, RW);
	/* Not present: nothing to relax (mapping a page moves the generation). */
	assert_int_equal(ept_unmap(&e->ept, 4 * MIB + 3 * PAGE, PAGE), 0);
	gen = e->ept.generation;
	assert_int_equal(ept_relax_leaf(&e->ept, leaf, RW), -XT_EINVAL);
	expect_unmapped(e, 4 * MIB + 3 * PAGE);
	assert_int_equal(e->ept.generation, gen);
	check_tables(e);
}

static void test_map_odd_size_mixes_leaf_sizes(void **state)
{
	struct env *e = *state;
	uint64_t gpa = MIB, hpa = 0x200100000ULL;
	uint64_t size = 17 * MIB + 12 * KIB;

	map_ok(e, gpa, hpa, size, RW, EPT_MT_WB);
	/* [1M,2M) 4 KiB, [2M,18M) 2 MiB, [18M,18M+12K) 4 KiB. */
	expect_range(e, gpa, hpa, MIB, RW, EPT_MT_WB, PAGE);
	expect_range(e, 2 * MIB, hpa + MIB, 16 * MIB, RW, EPT_MT_WB, LARGE);
	expect_range(e, 18 * MIB, hpa + 17 * MIB, 12 * KIB, RW, EPT_MT_WB,
		     PAGE);
	expect_unmapped(e, gpa - PAGE);
	expect_unmapped(e, gpa + size);
	assert_int_equal(e->ept.table_pages, 5);	/* + PD + 2 PTs */
	check_tables(e);
}

static void test_perms_and_memtype_in_every_leaf(void **state)
{
	static const struct {
		uint64_t perms;
		unsigned memtype;
	} cases[] = {
		{ EPT_PTE_READ, EPT_MT_UC },
		{ RW, EPT_MT_WC },
		{ EPT_PTE_READ | EPT_PTE_EXEC, EPT_MT_WT },
		{ RWX, EPT_MT_WP },
		{ RW, EPT_MT_WB },
	};
	struct env *e = *state;
	uint64_t gpa, hpa;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gpa = i * 8 * MIB;
		hpa = 0x100000000ULL + i * 8 * MIB;
		/* 2 MiB leaves, then 4 KiB leaves (HPA off by one page). */
		map_ok(e, gpa, hpa, 4 * MIB, cases[i].perms, cases[i].memtype);
		map_ok(e, gpa + 4 * MIB, hpa + 4 * MIB + PAGE, 4 * MIB,
		       cases[i].perms, cases[i].memtype);
		expect_range(e, gpa, hpa, 4 * MIB, cases[i].perms,
			     cases[i].memtype, LARGE);
		expect_range(e, gpa + 4 * MIB, hpa + 4 * MIB + PAGE, 4 * MIB,
			     cases[i].perms, cases[i].memtype, PAGE);
	}
	check_tables(e);
}

static void test_raw_entry_bits(void **state)
{
	struct env *e = *state;
	uint64_t *pml4 = e->ept.pml4, *pdpt, *pd, *pt;
	/* PML4 index 1, PDPT index 1, PD index 1, PT index 3. */
	uint64_t g4k = 0x8040203000ULL;
	uint64_t g2m = 0x8040400000ULL;		/* PD index 2 */

	map_ok(e, g4k, 0x12345000ULL, PAGE,
	       EPT_PTE_READ | EPT_PTE_EXEC, EPT_MT_WB);
	map_ok(e, g2m, 0x300600000ULL, LARGE, RW, EPT_MT_WT);

	/* Tables: PDPT 0x70001000, PD 0x70002000, PT 0x70003000; RWX=7. */
	assert_int_equal(pml4[0], 0);
	assert_int_equal(pml4[1], 0x70001007ULL);
	pdpt = table_at(e, pml4[1]);
	assert_int_equal(pdpt[1], 0x70002007ULL);
	pd = table_at(e, pdpt[1]);
	assert_int_equal(pd[1], 0x70003007ULL);
	/* 2 MiB leaf: addr | large (bit 7) | WT (4) << 3 | R | W. */
	assert_int_equal(pd[2], 0x3006000a3ULL);
	pt = table_at(e, pd[1]);
	/* 4 KiB leaf: addr | WB (6) << 3 | R | X; bit 7 clear, IPAT 0. */
	assert_int_equal(pt[3], 0x12345035ULL);
	assert_int_equal(pt[2], 0);
	assert_int_equal(pt[4], 0);

	assert_true(pt[3] & 1);
	assert_false(pt[3] & 2);
	assert_true(pt[3] & 4);
	assert_int_equal((pt[3] >> 3) & 7, 6);
	assert_false(pt[3] & RAW_LARGE);
	assert_int_equal(pt[3] & RAW_ADDR, 0x12345000ULL);
	assert_true(pd[2] & RAW_LARGE);
	assert_int_equal((pd[2] >> 3) & 7, 4);
	assert_int_equal(pd[2] & 0x000fffffffe00000ULL, 0x300600000ULL);
	assert_int_equal(pd[2] & (RAW_IPAT | 0x300ULL), 0);
	assert_false(pd[1] & RAW_LARGE);
	assert_int_equal(pdpt[1] & 0xf8ULL, 0);		/* memtype/7 clear */
	assert_int_equal(pml4[1] & 0xf8ULL, 0);
	check_tables(e);
}

/* ---- remapping ---- */

static void remap_setup(struct env *e)
{
	map_ok(e, GIB, 0x100000000ULL, 64 * MIB, RWX, EPT_MT_WB);
	assert_int_equal(e->ept.table_pages, 3);
}

static void test_remap_page_splits_large_leaf(void **state)
{
	struct env *e = *state;
	uint64_t page = GIB + LARGE + 5 * PAGE, gen;
	uint64_t off;

	remap_setup(e);
	gen = e->ept.generation;
	map_ok(e, page, 0x900000000ULL, PAGE, RW, EPT_MT_UC);
	assert_int_equal(e->ept.table_pages, 4);
	assert_true(e->ept.generation != gen);
	expect_xlat(e, page, 0x900000000ULL, RW, EPT_MT_UC, PAGE);
	for (off = 0; off < LARGE; off += PAGE) {
		if (GIB + LARGE + off == page)
			continue;
		expect_xlat(e, GIB + LARGE + off, 0x100000000ULL + LARGE + off,
			    RWX, EPT_MT_WB, PAGE);
	}
	expect_range(e, GIB, 0x100000000ULL, LARGE, RWX, EPT_MT_WB, LARGE);
	expect_range(e, GIB + 2 * LARGE, 0x100000000ULL + 2 * LARGE,
		     64 * MIB - 2 * LARGE, RWX, EPT_MT_WB, LARGE);
	check_tables(e);
}

static int count_runs(void *arg, uint64_t gpa, uint64_t hpa, uint64_t size,
		      uint64_t perms, unsigned memtype)
{
	(void)gpa, (void)hpa, (void)size, (void)perms, (void)memtype;
	(*(unsigned *)arg)++;
	return 0;
}

static void test_remap_page_back(void **state)
{
	struct env *e = *state;
	uint64_t page = GIB + LARGE + 5 * PAGE;
	unsigned allocs, runs = 0;

	remap_setup(e);
	map_ok(e, page, 0x900000000ULL, PAGE, RW, EPT_MT_UC);
	allocs = e->fa.allocs;
	/* Going back needs no allocation: it must work with none left. */
	e->fa.fail_after = 0;
	map_ok(e, page, 0x100000000ULL + LARGE + 5 * PAGE, PAGE, RWX,
	       EPT_MT_WB);
	map_ok(e, page, 0x900000000ULL, PAGE, RW, EPT_MT_UC);
	map_ok(e, page, 0x100000000ULL + LARGE + 5 * PAGE, PAGE, RWX,
	       EPT_MT_WB);
	assert_int_equal(e->fa.allocs, allocs);
	/* The 4 KiB table is kept (ept.h): same count, 4 KiB leaves. */
	assert_int_equal(e->ept.table_pages, 4);
	expect_range(e, GIB + LARGE, 0x100000000ULL + LARGE, LARGE, RWX,
		     EPT_MT_WB, PAGE);
	expect_range(e, GIB, 0x100000000ULL, 64 * MIB, RWX, EPT_MT_WB, 0);
	assert_int_equal(ept_for_each(&e->ept, count_runs, &runs), 0);
	assert_int_equal(runs, 1);
	check_tables(e);
}

static void test_overlapping_map_replaces(void **state)
{
	struct env *e = *state;
	uint64_t h1 = 0x100000000ULL, h2 = 0x200000000ULL, h3 = 0x300000000ULL;

	map_ok(e, 0, h1, 8 * MIB, RWX, EPT_MT_WB);
	map_ok(e, 3 * MIB, h2, 2 * MIB + PAGE, EPT_PTE_READ, EPT_MT_UC);
	expect_range(e, 0, h1, 2 * MIB, RWX, EPT_MT_WB, LARGE);
	expect_range(e, 2 * MIB, h1 + 2 * MIB, MIB, RWX, EPT_MT_WB, PAGE);
	expect_range(e, 3 * MIB, h2, 2 * MIB + PAGE, EPT_PTE_READ, EPT_MT_UC,
		     PAGE);
	expect_range(e, 5 * MIB + PAGE, h1 + 5 * MIB + PAGE, MIB - PAGE, RWX,
		     EPT_MT_WB, PAGE);
	expect_range(e, 6 * MIB, h1 + 6 * MIB, 2 * MIB, RWX, EPT_MT_WB, LARGE);
	assert_int_equal(e->ept.table_pages, 5);

	/* Whole range again: split regions keep their 4 KiB tables. */
	map_ok(e, 0, h3, 8 * MIB, RW, EPT_MT_WB);
	expect_range(e, 0, h3, 2 * MIB, RW, EPT_MT_WB, LARGE);
	expect_range(e, 2 * MIB, h3 + 2 * MIB, 4 * MIB, RW, EPT_MT_WB, PAGE);
	expect_range(e, 6 * MIB, h3 + 6 * MIB, 2 * MIB, RW, EPT_MT_WB, LARGE);
	assert_int_equal(e->ept.table_pages, 5);
	check_tables(e);
}

static void test_same_map_twice_changes_nothing(void **state)
{
	struct env *e = *state;
	uint64_t gen;

	map_ok(e, 0, 0x100000000ULL, 6 * MIB + PAGE, RW, EPT_MT_WB);
	gen = e->ept.generation;
	map_ok(e, 0, 0x100000000ULL, 6 * MIB + PAGE, RW, EPT_MT_WB);
	assert_int_equal(e->ept.generation, gen);
	expect_xlat(e, 0, 0x100000000ULL, RW, EPT_MT_WB, LARGE);
	assert_int_equal(ept_lookup(&e->ept, 4 * MIB, NULL, NULL, NULL, NULL),
			 0);
	assert_int_equal(e->ept.generation, gen);
	map_ok(e, 0, 0x100000000ULL, PAGE, EPT_PTE_READ, EPT_MT_WB);
	assert_true(e->ept.generation != gen);
}

/* ---- unmapping ---- */

static void test_unmap_page_in_large_leaf(void **state)
{
	struct env *e = *state;
	uint64_t hole = LARGE + 2 * PAGE;

	map_ok(e, 0, 0x100000000ULL, 4 * MIB, RW, EPT_MT_WB);
	assert_int_equal(ept_unmap(&e->ept, hole, PAGE), 0);
	assert_int_equal(e->ept.table_pages, 4);
	expect_unmapped(e, hole);
	expect_unmapped(e, hole + PAGE - 1);
	expect_range(e, 0, 0x100000000ULL, LARGE, RW, EPT_MT_WB, LARGE);
	expect_range(e, LARGE, 0x100000000ULL + LARGE, 2 * PAGE, RW, EPT_MT_WB,
		     PAGE);
	expect_range(e, hole + PAGE, 0x100000000ULL + hole + PAGE,
		     LARGE - 3 * PAGE, RW, EPT_MT_WB, PAGE);
	check_tables(e);
}

static void test_unmap_range(void **state)
{
	struct env *e = *state;
	uint64_t h = 0x100000000ULL;
	uint64_t start = 3 * MIB, end = 9 * MIB + PAGE;
	unsigned runs = 0;

	map_ok(e, 0, h, 64 * MIB, RW, EPT_MT_WB);
	assert_int_equal(ept_unmap(&e->ept, start, end - start), 0);
	/* Only the two partly covered 2 MiB leaves were split. */
	assert_int_equal(e->ept.table_pages, 5);
	expect_range(e, 0, h, start, RW, EPT_MT_WB, 0);
	expect_range(e, end, h + end, 64 * MIB - end, RW, EPT_MT_WB, 0);
	expect_unmapped(e, start);
	expect_unmapped(e, 4 * MIB);
	expect_unmapped(e, 7 * MIB + 0x123);
	expect_unmapped(e, end - PAGE);
	/* Unmapping unmapped space is fine and allocates nothing. */
	e->fa.fail_after = 0;
	assert_int_equal(ept_unmap(&e->ept, 2 * MIB, 10 * MIB), 0);
	assert_int_equal(ept_unmap(&e->ept, 300 * GIB, 5 * GIB + PAGE), 0);
	assert_int_equal(ept_unmap(&e->ept, 0, TEST_MAX_GPA), 0);
	assert_int_equal(e->ept.table_pages, 5);
	assert_int_equal(ept_for_each(&e->ept, count_runs, &runs), 0);
	assert_int_equal(runs, 0);
	check_tables(e);
}

static void test_unmap_whole_large_leaf_allocates_nothing(void **state)
{
	struct env *e = *state;

	map_ok(e, 0, 0x100000000ULL, 6 * MIB, RW, EPT_MT_WB);
	e->fa.fail_after = 0;
	assert_int_equal(ept_unmap(&e->ept, LARGE, LARGE), 0);
	expect_unmapped(e, LARGE);
	expect_unmapped(e, 2 * LARGE - PAGE);
	expect_xlat(e, LARGE - PAGE, 0x100000000ULL + LARGE - PAGE, RW,
		    EPT_MT_WB, LARGE);
	expect_xlat(e, 2 * LARGE, 0x100000000ULL + 2 * LARGE, RW, EPT_MT_WB,
		    LARGE);
	assert_int_equal(e->ept.table_pages, 3);
	check_tables(e);
}

/* ---- argument checks ---- */

struct snapshot {
	uint8_t *arena;
	struct fake_alloc fa;
	struct ept ept;
};

static void snap_take(struct env *e, struct snapshot *s)
{
	s->arena = malloc(ARENA_PAGES * PAGE);
	assert_non_null(s->arena);
	memcpy(s->arena, e->fa.arena, ARENA_PAGES * PAGE);
	s->fa = e->fa;
	s->ept = e->ept;
}

static void snap_expect_same(struct env *e, const struct snapshot *s)
{
	assert_memory_equal(s->arena, e->fa.arena, ARENA_PAGES * PAGE);
	assert_memory_equal(s->fa.used, e->fa.used, sizeof(s->fa.used));
	assert_int_equal(s->fa.allocs, e->fa.allocs);
	assert_int_equal(s->fa.frees, e->fa.frees);
	assert_ptr_equal(s->ept.ops, e->ept.ops);
	assert_ptr_equal(s->ept.pml4, e->ept.pml4);
	assert_int_equal(s->ept.pml4_hpa, e->ept.pml4_hpa);
	assert_int_equal(s->ept.max_gpa, e->ept.max_gpa);
	assert_int_equal(s->ept.table_pages, e->ept.table_pages);
	assert_int_equal(s->ept.generation, e->ept.generation);
}

static void test_bad_args_change_nothing(void **state)
{
	static const struct {
		uint64_t gpa, hpa, size, perms;
		unsigned memtype;
		int ret;
	} maps[] = {
		{ PAGE + 1, 0, PAGE, RW, EPT_MT_WB, -XT_EINVAL },
		{ 0, 0x800, PAGE, RW, EPT_MT_WB, -XT_EINVAL },
		{ 0, 0, PAGE + 8, RW, EPT_MT_WB, -XT_EINVAL },
		{ 0, 0, 0, RW, EPT_MT_WB, -XT_EINVAL },
		{ ~0ULL - PAGE + 1, 0, 2 * PAGE, RW, EPT_MT_WB, -XT_EINVAL },
		{ 0, ~0ULL - PAGE + 1, 2 * PAGE, RW, EPT_MT_WB, -XT_EINVAL },
		{ TEST_MAX_GPA, 0, PAGE, RW, EPT_MT_WB, -XT_ERANGE },
		{ TEST_MAX_GPA - PAGE, 0, 2 * PAGE, RW, EPT_MT_WB, -XT_ERANGE },
		{ 1ULL << 62, 0, PAGE, RW, EPT_MT_WB, -XT_ERANGE },
		{ 0, (1ULL << 52) - PAGE, 2 * PAGE, RW, EPT_MT_WB, -XT_ERANGE },
		{ 0, 0, PAGE, 0, EPT_MT_WB, -XT_EINVAL },
		{ 0, 0, PAGE, EPT_PTE_WRITE, EPT_MT_WB, -XT_EINVAL },
		{ 0, 0, PAGE, EPT_PTE_EXEC, EPT_MT_WB, -XT_EINVAL },
		{ 0, 0, PAGE, EPT_PTE_WRITE | EPT_PTE_EXEC, EPT_MT_WB,
		  -XT_EINVAL },
		{ 0, 0, PAGE, RW | EPT_PTE_LARGE, EPT_MT_WB, -XT_EINVAL },
		{ 0, 0, PAGE, RW | EPT_PTE_IGNORE_PAT, EPT_MT_WB, -XT_EINVAL },
		{ 0, 0, PAGE, RW | (1ULL << 12), EPT_MT_WB, -XT_EINVAL },
		{ 0, 0, PAGE, RW, 2, -XT_EINVAL },
		{ 0, 0, PAGE, RW, 3, -XT_EINVAL },
		{ 0, 0, PAGE, RW, 7, -XT_EINVAL },
		{ 0, 0, PAGE, RW, 8, -XT_EINVAL },
	};
	static const struct {
		uint64_t gpa, size;
		int ret;
	} unmaps[] = {
		{ 0x10, PAGE, -XT_EINVAL },
		{ 0, PAGE - 1, -XT_EINVAL },
		{ 0, 0, -XT_EINVAL },
		{ ~0ULL - PAGE + 1, 2 * PAGE, -XT_EINVAL },
		{ TEST_MAX_GPA, PAGE, -XT_ERANGE },
		{ LARGE + PAGE, TEST_MAX_GPA, -XT_ERANGE },
	};
	struct env *e = *state;
	struct snapshot s;
	size_t i;

	map_ok(e, 0, 0x100000000ULL, 4 * MIB, RW, EPT_MT_WB);
	snap_take(e, &s);
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		assert_int_equal(ept_map(&e->ept, maps[i].gpa, maps[i].hpa,
					 maps[i].size, maps[i].perms,
					 maps[i].memtype), maps[i].ret);
		snap_expect_same(e, &s);
	}
	for (i = 0; i < sizeof(unmaps) / sizeof(unmaps[0]); i++) {
		assert_int_equal(ept_unmap(&e->ept, unmaps[i].gpa,
					   unmaps[i].size), unmaps[i].ret);
		snap_expect_same(e, &s);
	}
	free(s.arena);
}

static void test_lookup_null_outputs(void **state)
{
	struct env *e = *state;
	uint64_t ps = 0;

	map_ok(e, 0, 0x100000000ULL, PAGE, RW, EPT_MT_WB);
	assert_int_equal(ept_lookup(&e->ept, 0x10, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(ept_lookup(&e->ept, 0x10, NULL, NULL, NULL, &ps), 0);
	assert_int_equal(ps, PAGE);
	assert_int_equal(ept_lookup(&e->ept, PAGE, NULL, NULL, NULL, NULL),
			 -XT_ENOENT);
}

/* ---- out of memory ---- */

struct oom_case {
	uint64_t gpa, hpa, size;
	unsigned allocs;	/* allocation points the change has */
	bool unmap;
};

/* Baseline for the out-of-memory cases: large leaves and one 4 KiB table. */
static void oom_baseline(struct env *e)
{
	map_ok(e, 0, 0x100000000ULL, 4 * MIB, RWX, EPT_MT_WB);
	map_ok(e, 4 * MIB, 0x200001000ULL, 8 * PAGE, RW, EPT_MT_UC);
}

/* Pages to compare: around the change, plus the whole baseline. */
static size_t oom_probes(const struct oom_case *c, uint64_t *gpas, size_t max)
{
	uint64_t lo = c->gpa > LARGE ? c->gpa - LARGE : 0;
	uint64_t g;
	size_t n = 0;

	for (g = lo; g < c->gpa + c->size + LARGE && n < max; g += PAGE)
		gpas[n++] = g;
	for (g = 0; g < 4 * MIB + 8 * PAGE && n < max; g += PAGE)
		gpas[n++] = g;
	assert_true(n < max);
	return n;
}

static int oom_apply(struct env *e, const struct oom_case *c)
{
	if (c->unmap)
		return ept_unmap(&e->ept, c->gpa, c->size);
	return ept_map(&e->ept, c->gpa, c->hpa, c->size, RW, EPT_MT_WT);
}

static void oom_expect_done(struct env *e, const struct oom_case *c)
{
	uint64_t off;

	for (off = 0; off < c->size; off += PAGE) {
		if (c->unmap)
			expect_unmapped(e, c->gpa + off);
		else
			expect_xlat(e, c->gpa + off, c->hpa + off, RW,
				    EPT_MT_WT, 0);
	}
}

/* Fail the allocation number @k; the change must leave every GPA as it was. */
static void oom_try(const struct oom_case *c, unsigned k, uint64_t max_gpa)
{
	enum { MAX_PROBES = 8192 };
	static uint64_t gpas[MAX_PROBES];
	static struct xlat old[MAX_PROBES];
	struct env *e = env_new(max_gpa);
	struct xlat now;
	size_t i, n = oom_probes(c, gpas, MAX_PROBES);

	oom_baseline(e);
	for (i = 0; i < n; i++)
		old[i] = xlat_of(e, gpas[i]);
	e->fa.fail_after = k;
	assert_int_equal(oom_apply(e, c), -XT_ENOMEM);
	for (i = 0; i < n; i++) {
		now = xlat_of(e, gpas[i]);
		expect_same_xlat(&old[i], &now);
	}
	check_tables(e);
	e->fa.fail_after = -1;
	assert_int_equal(oom_apply(e, c), 0);	/* retry completes */
	oom_expect_done(e, c);
	check_tables(e);
	env_free(e);				/* no leak */
}

static void oom_case_run(const struct oom_case *c, uint64_t max_gpa)
{
	struct env *e;
	unsigned k, before;

	for (k = 0; k < c->allocs; k++)
		oom_try(c, k, max_gpa);
	/* With exactly c->allocs pages available it succeeds. */
	e = env_new(max_gpa);
	oom_baseline(e);
	before = e->fa.allocs;
	e->fa.fail_after = c->allocs;
	assert_int_equal(oom_apply(e, c), 0);
	assert_int_equal(e->fa.allocs - before, c->allocs);
	oom_expect_done(e, c);
	check_tables(e);
	env_free(e);
}

static void test_enomem_map_every_allocation_point(void **state)
{
	static const struct oom_case cases[] = {
		/* Splits the two 2 MiB leaves around 2 MiB. */
		{ LARGE - 2 * PAGE, 0x500000000ULL, 4 * PAGE, 2, false },
		/* PT under PD 0, new PD (large leaf), PT under the new PD. */
		{ GIB - PAGE, 0x600000000ULL - PAGE, LARGE + 2 * PAGE, 3,
		  false },
		/* New PDPT, PD and two PTs under PML4 entry 1. */
		{ 512 * GIB + LARGE - PAGE, 0x700000000ULL, 2 * PAGE, 4,
		  false },
		/* Split, then a whole 2 MiB region over the existing PT. */
		{ 4 * MIB - PAGE, 0x800000000ULL - PAGE, LARGE + PAGE, 1,
		  false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		oom_case_run(&cases[i], TEST_MAX_GPA);
}

static void test_enomem_unmap_every_allocation_point(void **state)
{
	static const struct oom_case cases[] = {
		{ LARGE - PAGE, 0, 2 * PAGE, 2, true },
		{ PAGE, 0, 3 * MIB, 2, true },
		{ 3 * PAGE, 0, PAGE, 1, true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		oom_case_run(&cases[i], TEST_MAX_GPA);
}

/* ---- for_each ---- */

struct run {
	uint64_t gpa, hpa, size, perms;
	unsigned memtype;
};

struct run_log {
	struct run runs[16];
	unsigned n;
	unsigned stop_at;	/* return 42 on this call (1-based); 0: never */
};

static int log_run(void *arg, uint64_t gpa, uint64_t hpa, uint64_t size,
		   uint64_t perms, unsigned memtype)
{
	struct run_log *log = arg;

	assert_true(log->n < 16);
	log->runs[log->n++] = (struct run){ gpa, hpa, size, perms, memtype };
	return log->n == log->stop_at ? 42 : 0;
}

static void expect_run(const struct run_log *log, unsigned i, uint64_t gpa,
		       uint64_t hpa, uint64_t size, uint64_t perms,
		       unsigned memtype)
{
	assert_true(i < log->n);
	assert_int_equal(log->runs[i].gpa, gpa);
	assert_int_equal(log->runs[i].hpa, hpa);
	assert_int_equal(log->runs[i].size, size);
	assert_int_equal(log->runs[i].perms, perms);
	assert_int_equal(log->runs[i].memtype, memtype);
}

static void for_each_setup(struct env *e)
{
	uint64_t h = 0x100000000ULL, r = EPT_PTE_READ;

	map_ok(e, 0, h, 4 * MIB, RW, EPT_MT_WB);		/* 2 MiB */
	map_ok(e, 4 * MIB, h + 4 * MIB, 3 * PAGE, RW, EPT_MT_WB); /* 4 KiB */
	map_ok(e, 4 * MIB + 3 * PAGE, h + 4 * MIB + 3 * PAGE, PAGE, r,
	       EPT_MT_WB);					/* perms */
	map_ok(e, 4 * MIB + 4 * PAGE, h + 4 * MIB + 4 * PAGE, PAGE, r,
	       EPT_MT_UC);					/* memtype */
	map_ok(e, 4 * MIB + 5 * PAGE, 0x200000000ULL, PAGE, r, EPT_MT_UC);
	map_ok(e, GIB, 0x200001000ULL, LARGE, r, EPT_MT_UC);	/* GPA gap */
	map_ok(e, 512 * GIB - LARGE, 0x300000000ULL, 2 * LARGE, RWX,
	       EPT_MT_WB);			/* across PML4 entries */
}

static void test_for_each_merges_runs_in_order(void **state)
{
	struct env *e = *state;
	struct run_log log = { .n = 0 };
	uint64_t h = 0x100000000ULL, r = EPT_PTE_READ;

	for_each_setup(e);
	assert_int_equal(ept_for_each(&e->ept, log_run, &log), 0);
	assert_int_equal(log.n, 6);
	expect_run(&log, 0, 0, h, 4 * MIB + 3 * PAGE, RW, EPT_MT_WB);
	expect_run(&log, 1, 4 * MIB + 3 * PAGE, h + 4 * MIB + 3 * PAGE, PAGE,
		   r, EPT_MT_WB);
	expect_run(&log, 2, 4 * MIB + 4 * PAGE, h + 4 * MIB + 4 * PAGE, PAGE,
		   r, EPT_MT_UC);
	expect_run(&log, 3, 4 * MIB + 5 * PAGE, 0x200000000ULL, PAGE, r,
		   EPT_MT_UC);
	expect_run(&log, 4, GIB, 0x200001000ULL, LARGE, r, EPT_MT_UC);
	expect_run(&log, 5, 512 * GIB - LARGE, 0x300000000ULL, 2 * LARGE, RWX,
		   EPT_MT_WB);
}

static void test_for_each_stops_on_nonzero(void **state)
{
	struct env *e = *state;
	struct run_log log = { .n = 0, .stop_at = 3 };

	for_each_setup(e);
	assert_int_equal(ept_for_each(&e->ept, log_run, &log), 42);
	assert_int_equal(log.n, 3);
	log = (struct run_log){ .n = 0, .stop_at = 6 };	/* the last run */
	assert_int_equal(ept_for_each(&e->ept, log_run, &log), 42);
	assert_int_equal(log.n, 6);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_empty),
		T(test_init_bad_args),
		T(test_init_enomem),
		T(test_bad_allocator_page),
		cmocka_unit_test(test_max_gpa_48_bits),
		cmocka_unit_test(test_destroy_frees_everything),
		T(test_eptp_bits),
		T(test_map_64m_large_leaves),
		T(test_map_unaligned_hpa_uses_4k),
		T(test_leaf_4k),
		T(test_relax_leaf),
		T(test_map_odd_size_mixes_leaf_sizes),
		T(test_perms_and_memtype_in_every_leaf),
		T(test_raw_entry_bits),
		T(test_remap_page_splits_large_leaf),
		T(test_remap_page_back),
		T(test_overlapping_map_replaces),
		T(test_same_map_twice_changes_nothing),
		T(test_unmap_page_in_large_leaf),
		T(test_unmap_range),
		T(test_unmap_whole_large_leaf_allocates_nothing),
		T(test_bad_args_change_nothing),
		T(test_lookup_null_outputs),
		cmocka_unit_test(test_enomem_map_every_allocation_point),
		cmocka_unit_test(test_enomem_unmap_every_allocation_point),
		T(test_for_each_merges_runs_in_order),
		T(test_for_each_stops_on_nonzero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
