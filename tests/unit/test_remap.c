/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the EPT remapper (ept/remap.c) on top of the real EPT
 * builder (ept/ept.c).
 *
 * Three fake guests A, B, C, each with 8 MiB of malloc'd "RAM" at a fake
 * host-physical address (disjoint ranges, 2 MiB aligned) and an EPT that
 * maps it RWX/WB with 2 MiB leaves, as vmm/guest/guest.c does. EPT tables come
 * from one fake page pool, shared pages S from another (separate arenas and
 * fake HPA ranges). The fakes check the remapper's side of the contract:
 * phys_to_virt fails the test for any page that is neither guest RAM nor a
 * live S page; invept fails it for an EPT that did not change since the
 * last invept; free_page fails it when any EPT still has changes that were
 * not invalidated, or still maps the page being freed.
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
#include "ept/remap.h"
#include "lib/xerrno.h"

#define PAGE		0x1000ULL
#define MIB		0x100000ULL
#define LARGE		(2 * MIB)
#define RAM_SIZE	(8 * MIB)
#define RAM_PAGES	(RAM_SIZE / PAGE)
#define TEST_MAX_GPA	(1ULL << 32)
#define NGUESTS		3
#define GA		0
#define GB		1
#define GC		2

#define R		EPT_PTE_READ
#define RWX		(EPT_PTE_READ | EPT_PTE_WRITE | EPT_PTE_EXEC)

#define TABLE_PAGES	128
#define TABLE_HPA	0x70000000ULL
#define SHARED_PAGES	(REMAP_MAX_PAIRS + 16)
#define SHARED_HPA	0x80000000ULL
#define POISON		0xa5

static const uint64_t ram_hpa[NGUESTS] = {
	0x100000000ULL, 0x200000000ULL, 0x300000000ULL,
};

/* A fake page allocator over a malloc'd arena. */
struct pool {
	uint8_t *arena;
	uint64_t base;		/* fake HPA of page 0 */
	unsigned npages;
	bool *used;
	unsigned allocs, frees;
	long fail_after;	/* allocations left before failing; < 0: never */
};

struct guest {
	struct remap_side side;
	struct ept ept;
	uint8_t *ram;
	uint64_t flushed_gen;	/* generation at the last invept */
	unsigned invepts;
};

struct env {
	struct pool tables, shared;
	struct ept_ops eops;
	struct remap_ops rops;
	struct guest g[NGUESTS];
	struct remapper r;
};

/* ---- fakes ---- */

static void pool_init(struct pool *p, uint64_t base, unsigned npages)
{
	p->arena = aligned_alloc(PAGE, npages * PAGE);
	p->used = calloc(npages, sizeof(bool));
	assert_non_null(p->arena);
	assert_non_null(p->used);
	memset(p->arena, POISON, npages * PAGE);
	p->base = base;
	p->npages = npages;
	p->fail_after = -1;
}

static void pool_fini(struct pool *p)
{
	unsigned i;

	assert_int_equal(p->allocs, p->frees);
	for (i = 0; i < p->npages; i++)
		assert_false(p->used[i]);
	free(p->arena);
	free(p->used);
}

static unsigned pool_live(const struct pool *p)
{
	return p->allocs - p->frees;
}

static void *pool_alloc(struct pool *p, uint64_t *hpa)
{
	unsigned i;

	if (p->fail_after == 0)
		return NULL;
	if (p->fail_after > 0)
		p->fail_after--;
	for (i = 0; i < p->npages && p->used[i]; i++)
		;
	if (i == p->npages)
		return NULL;
	p->used[i] = true;
	p->allocs++;
	memset(p->arena + i * PAGE, 0, PAGE);
	*hpa = p->base + i * PAGE;
	return p->arena + i * PAGE;
}

static bool pool_has(const struct pool *p, uint64_t hpa)
{
	return hpa >= p->base && hpa < p->base + p->npages * PAGE;
}

/* The live page at @hpa; fails the test for anything else. */
static void *pool_va(const struct pool *p, uint64_t hpa)
{
	unsigned i;

	if (!pool_has(p, hpa) || (hpa & (PAGE - 1)))
		fail_msg("hpa %#llx: not a pool page", (unsigned long long)hpa);
	i = (unsigned)((hpa - p->base) / PAGE);
	if (!p->used[i])
		fail_msg("hpa %#llx: page not live", (unsigned long long)hpa);
	return p->arena + i * PAGE;
}

static void pool_free(struct pool *p, void *va, uint64_t hpa)
{
	assert_ptr_equal(va, pool_va(p, hpa));
	p->used[(hpa - p->base) / PAGE] = false;
	p->frees++;
	memset(va, POISON, PAGE);
}

static void *table_alloc(void *ctx, uint64_t *hpa)
{
	return pool_alloc(&((struct env *)ctx)->tables, hpa);
}

static void table_free(void *ctx, void *va, uint64_t hpa)
{
	pool_free(&((struct env *)ctx)->tables, va, hpa);
}

static void *table_va(void *ctx, uint64_t hpa)
{
	return pool_va(&((struct env *)ctx)->tables, hpa);
}

static void *shared_alloc(void *ctx, uint64_t *hpa)
{
	return pool_alloc(&((struct env *)ctx)->shared, hpa);
}

struct hpa_probe {
	uint64_t hpa;
	bool found;
};

static int probe_run(void *arg, uint64_t gpa, uint64_t hpa, uint64_t size,
		     uint64_t perms, unsigned memtype)
{
	struct hpa_probe *pr = arg;

	(void)gpa;
	(void)perms;
	(void)memtype;
	if (pr->hpa >= hpa && pr->hpa < hpa + size)
		pr->found = true;
	return 0;
}

static bool any_ept_maps(struct env *e, uint64_t hpa)
{
	struct hpa_probe pr = { .hpa = hpa, .found = false };
	int i;

	for (i = 0; i < NGUESTS; i++)
		ept_for_each(&e->g[i].ept, probe_run, &pr);
	return pr.found;
}

/* S goes back only once no EPT maps it and every change was invalidated. */
static void shared_free(void *ctx, void *va, uint64_t hpa)
{
	struct env *e = ctx;
	int i;

	for (i = 0; i < NGUESTS; i++)
		assert_int_equal(e->g[i].ept.generation, e->g[i].flushed_gen);
	assert_false(any_ept_maps(e, hpa));
	pool_free(&e->shared, va, hpa);
}

static void *shared_va(void *ctx, uint64_t hpa)
{
	struct env *e = ctx;
	int i;

	for (i = 0; i < NGUESTS; i++) {
		if (hpa >= ram_hpa[i] && hpa < ram_hpa[i] + RAM_SIZE) {
			assert_int_equal(hpa & (PAGE - 1), 0);
			return e->g[i].ram + (hpa - ram_hpa[i]);
		}
	}
	return pool_va(&e->shared, hpa);
}

static void fake_invept(void *ctx, struct ept *ept)
{
	struct env *e = ctx;
	int i;

	for (i = 0; i < NGUESTS; i++) {
		if (ept != &e->g[i].ept)
			continue;
		assert_true(ept->generation != e->g[i].flushed_gen);
		e->g[i].flushed_gen = ept->generation;
		e->g[i].invepts++;
		return;
	}
	fail_msg("invept of an unknown EPT");
}

/* ---- environment ---- */

static uint8_t fill_byte(int g, uint64_t page)
{
	return (uint8_t)(g * 37 + page * 7 + 1);
}

static void guest_init(struct env *e, int i)
{
	struct guest *g = &e->g[i];
	uint64_t p;

	g->ram = aligned_alloc(PAGE, RAM_SIZE);
	assert_non_null(g->ram);
	for (p = 0; p < RAM_PAGES; p++) {
		memset(g->ram + p * PAGE, fill_byte(i, p), PAGE);
		memcpy(g->ram + p * PAGE, &p, sizeof(p));	/* a tag */
	}
	assert_int_equal(ept_init(&g->ept, &e->eops, TEST_MAX_GPA), 0);
	assert_int_equal(ept_map(&g->ept, 0, ram_hpa[i], RAM_SIZE, RWX,
				 EPT_MT_WB), 0);
	g->flushed_gen = g->ept.generation;
	g->side = (struct remap_side){
		.ept = &g->ept, .ram_hpa = ram_hpa[i], .ram_size = RAM_SIZE,
		.id = (unsigned)i,
	};
}

static struct env *env_new(void)
{
	struct env *e = calloc(1, sizeof(*e));
	int i;

	assert_non_null(e);
	pool_init(&e->tables, TABLE_HPA, TABLE_PAGES);
	pool_init(&e->shared, SHARED_HPA, SHARED_PAGES);
	e->eops = (struct ept_ops){ table_alloc, table_free, table_va, e };
	e->rops = (struct remap_ops){ shared_alloc, shared_free, shared_va,
				      fake_invept, e };
	for (i = 0; i < NGUESTS; i++)
		guest_init(e, i);
	assert_int_equal(remap_init(&e->r, &e->rops), 0);
	return e;
}

/* Tear everything down and check that every page came back. */
static void env_free(struct env *e)
{
	int i;

	for (i = 0; i < NGUESTS; i++)
		remap_unshare_side(&e->r, &e->g[i].side);
	assert_int_equal(e->r.npairs, 0);
	pool_fini(&e->shared);
	for (i = 0; i < NGUESTS; i++) {
		ept_destroy(&e->g[i].ept);
		assert_int_equal(e->g[i].ept.table_pages, 0);
		free(e->g[i].ram);
	}
	pool_fini(&e->tables);
	free(e);
}

static int setup(void **state)
{
	*state = env_new();
	return 0;
}

static int teardown(void **state)
{
	env_free(*state);
	return 0;
}

/* ---- helpers ---- */

static struct remap_side *side(struct env *e, int g)
{
	return &e->g[g].side;
}

static uint8_t *own(struct env *e, int g, uint64_t gpa)
{
	return e->g[g].ram + gpa;
}

/* What guest @g sees at @gpa now: the page its EPT translates to. */
static uint8_t *view(struct env *e, int g, uint64_t gpa)
{
	uint64_t hpa;

	assert_int_equal(ept_lookup(&e->g[g].ept, gpa, &hpa, NULL, NULL, NULL),
			 0);
	return shared_va(e, hpa);
}

static void expect_xlat(struct env *e, int g, uint64_t gpa, uint64_t hpa,
			uint64_t perms, uint64_t page_size)
{
	uint64_t h = 0, p = 0, ps = 0;
	unsigned mt = 99;

	assert_int_equal(ept_lookup(&e->g[g].ept, gpa, &h, &p, &mt, &ps), 0);
	assert_int_equal(h, hpa);
	assert_int_equal(p, perms);
	assert_int_equal(mt, EPT_MT_WB);
	if (page_size)
		assert_int_equal(ps, page_size);
}

static void expect_xlat_mt(struct env *e, int g, uint64_t gpa, uint64_t hpa,
			   uint64_t perms, unsigned memtype)
{
	uint64_t h = 0, p = 0;
	unsigned mt = 99;

	assert_int_equal(ept_lookup(&e->g[g].ept, gpa, &h, &p, &mt, NULL), 0);
	assert_int_equal(h, hpa);
	assert_int_equal(p, perms);
	assert_int_equal(mt, memtype);
}

/* @gpa maps the guest's own page again, RWX. */
static void expect_own(struct env *e, int g, uint64_t gpa)
{
	expect_xlat(e, g, gpa, ram_hpa[g] + gpa, RWX, 0);
}

/* The page @gpa of guest @g holds its initial contents. */
static void expect_initial(const uint8_t *page, int g, uint64_t gpa)
{
	uint8_t want[PAGE];
	uint64_t p = gpa / PAGE;

	memset(want, fill_byte(g, p), PAGE);
	memcpy(want, &p, sizeof(p));
	assert_memory_equal(page, want, PAGE);
}

static void fill_page(uint8_t *page, uint8_t b)
{
	memset(page, b, PAGE);
}

static void expect_filled(const uint8_t *page, uint8_t b)
{
	uint8_t want[PAGE];

	memset(want, b, PAGE);
	assert_memory_equal(page, want, PAGE);
}

static int share_ok(struct env *e, int tx, uint64_t ta, int rx, uint64_t rb)
{
	int k = remap_share(&e->r, side(e, tx), ta, side(e, rx), rb);

	assert_true(k >= 0 && k < REMAP_MAX_PAIRS);
	return k;
}

static void invepts_reset(struct env *e)
{
	int i;

	for (i = 0; i < NGUESTS; i++)
		e->g[i].invepts = 0;
}

static void expect_invepts(struct env *e, unsigned a, unsigned b, unsigned c)
{
	assert_int_equal(e->g[GA].invepts, a);
	assert_int_equal(e->g[GB].invepts, b);
	assert_int_equal(e->g[GC].invepts, c);
}

/* The test changed an EPT itself: count that as invalidated. */
static void sync_gens(struct env *e)
{
	int i;

	for (i = 0; i < NGUESTS; i++)
		e->g[i].flushed_gen = e->g[i].ept.generation;
}

/* ---- snapshots: every translation and every byte of RAM ---- */

struct xlat {
	int ret;
	uint64_t hpa, perms;
	unsigned memtype;
};

struct snapshot {
	struct xlat x[NGUESTS][RAM_PAGES];
	uint8_t *ram[NGUESTS];
	struct remapper r;
	struct pool shared;
};

static struct snapshot *snap_take(struct env *e)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	struct xlat *x;
	uint64_t p;
	int i;

	assert_non_null(s);
	for (i = 0; i < NGUESTS; i++) {
		for (p = 0; p < RAM_PAGES; p++) {
			x = &s->x[i][p];
			x->ret = ept_lookup(&e->g[i].ept, p * PAGE, &x->hpa,
					    &x->perms, &x->memtype, NULL);
		}
		s->ram[i] = malloc(RAM_SIZE);
		assert_non_null(s->ram[i]);
		memcpy(s->ram[i], e->g[i].ram, RAM_SIZE);
	}
	s->r = e->r;
	s->shared = e->shared;
	return s;
}

/* Translations equal (page sizes may differ: split tables stay). */
static void snap_same_xlat(struct env *e, const struct snapshot *s)
{
	struct xlat now;
	uint64_t p;
	int i;

	for (i = 0; i < NGUESTS; i++) {
		for (p = 0; p < RAM_PAGES; p++) {
			now = (struct xlat){ .ret = 0 };
			now.ret = ept_lookup(&e->g[i].ept, p * PAGE, &now.hpa,
					     &now.perms, &now.memtype, NULL);
			assert_int_equal(now.ret, s->x[i][p].ret);
			assert_int_equal(now.hpa, s->x[i][p].hpa);
			assert_int_equal(now.perms, s->x[i][p].perms);
			assert_int_equal(now.memtype, s->x[i][p].memtype);
		}
	}
}

static void snap_same_ram(struct env *e, const struct snapshot *s)
{
	int i;

	for (i = 0; i < NGUESTS; i++)
		assert_memory_equal(e->g[i].ram, s->ram[i], RAM_SIZE);
}

/* Nothing changed: mappings, RAM, remapper, S pages held (no leak). */
static void snap_same(struct env *e, const struct snapshot *s)
{
	snap_same_xlat(e, s);
	snap_same_ram(e, s);
	assert_memory_equal(&e->r, &s->r, sizeof(e->r));
	assert_int_equal(pool_live(&e->shared), pool_live(&s->shared));
}

static void snap_free(struct snapshot *s)
{
	int i;

	for (i = 0; i < NGUESTS; i++)
		free(s->ram[i]);
	free(s);
}

/* Some pages, in the middle of 2 MiB leaves. */
#define TA	(3 * MIB + 5 * PAGE)
#define RB	(5 * MIB + 9 * PAGE)
#define RC	(MIB + 2 * PAGE)
#define TC	(7 * MIB + 3 * PAGE)

/* ---- tests ---- */

static void test_init_rejects_bad_ops(void **state)
{
	struct env *e = *state;
	struct remapper *r = malloc(sizeof(*r));
	struct remap_ops ops = e->rops;

	assert_non_null(r);
	assert_int_equal(remap_init(r, NULL), -XT_EINVAL);
	ops.invept = NULL;
	assert_int_equal(remap_init(r, &ops), -XT_EINVAL);
	ops = e->rops;
	ops.phys_to_virt = NULL;
	assert_int_equal(remap_init(r, &ops), -XT_EINVAL);
	assert_int_equal(remap_init(NULL, &e->rops), -XT_EINVAL);
	/* A remapper whose init failed refuses everything. */
	assert_int_equal(remap_share(r, side(e, GA), TA, side(e, GB), RB),
			 -XT_EINVAL);
	assert_int_equal(remap_find(r, side(e, GA), TA), -1);
	assert_int_equal(remap_unshare(r, 0), -XT_EINVAL);
	assert_int_equal(remap_unshare_side(r, side(e, GA)), 0);
	assert_false(remap_cow_fault(r, side(e, GB), RB));
	assert_int_equal(remap_phys_attach(r, side(e, GA), TA), -XT_EINVAL);
	assert_false(remap_phys_attached(r, side(e, GA), TA));
	assert_int_equal(e->shared.allocs, 0);
	free(r);
}

static void test_share_maps_both_to_one_page(void **state)
{
	struct env *e = *state;
	struct remap_pair *p;
	int k;

	k = share_ok(e, GA, TA, GB, RB);
	p = &e->r.pair[k];
	assert_true(p->shared_hpa >= SHARED_HPA &&
		    p->shared_hpa < SHARED_HPA + SHARED_PAGES * PAGE);
	/* Same host page, A read/write/exec as before, B read-only. */
	expect_xlat(e, GA, TA, p->shared_hpa, RWX, PAGE);
	expect_xlat(e, GB, RB, p->shared_hpa, R, PAGE);
	expect_xlat(e, GB, RB + 0x123, p->shared_hpa + 0x123, R, PAGE);
	/* A sees its own data, B now sees A's; own pages untouched. */
	expect_initial(view(e, GA, TA), GA, TA);
	expect_initial(view(e, GB, RB), GA, TA);
	expect_initial(own(e, GA, TA), GA, TA);
	expect_initial(own(e, GB, RB), GB, RB);
	/* One INVEPT per EPT touched. */
	expect_invepts(e, 1, 1, 0);
	assert_int_equal(e->r.st.shares, 1);
	assert_int_equal(e->r.st.unshares, 0);
	assert_int_equal(e->r.st.invepts, 2);
	assert_int_equal(e->r.st.pages_copied, 1);
	assert_int_equal(e->r.npairs, 1);
	assert_int_equal(pool_live(&e->shared), 1);
	/* Lookups, either role, any address in the page. */
	assert_int_equal(remap_find(&e->r, side(e, GA), TA), k);
	assert_int_equal(remap_find(&e->r, side(e, GB), RB + 0xfff), k);
	assert_int_equal(remap_find(&e->r, side(e, GB), TA), -1);
	assert_int_equal(remap_find(&e->r, side(e, GC), RB), -1);
	assert_true(remap_is_pair(&e->r, side(e, GA), TA, side(e, GB), RB));
	assert_false(remap_is_pair(&e->r, side(e, GB), RB, side(e, GA), TA));
	assert_false(remap_is_pair(&e->r, side(e, GA), TA + 8, side(e, GB),
				   RB));
	/* The shared page itself, as both guests see it; only for this pair. */
	assert_ptr_equal(remap_pair_page(&e->r, side(e, GA), TA, side(e, GB), RB, NULL),
			 view(e, GA, TA));
	assert_ptr_equal(remap_pair_page(&e->r, side(e, GA), TA, side(e, GB), RB, &k),
			 view(e, GB, RB));
	assert_int_equal(k, remap_find(&e->r, side(e, GA), TA));
	assert_null(remap_pair_page(&e->r, side(e, GB), RB, side(e, GA), TA, &k));
	assert_int_equal(k, -1);
	assert_null(remap_pair_page(&e->r, side(e, GA), TA, side(e, GC), RB, NULL));
	assert_null(remap_pair_page(&e->r, side(e, GA), TA + 8, side(e, GB), RB, NULL));
	assert_int_equal(p->uses, 1);
}

static void test_shared_data_visible_both(void **state)
{
	struct env *e = *state;
	int k = share_ok(e, GA, TA, GB, RB);
	uint8_t *s = shared_va(e, e->r.pair[k].shared_hpa);

	fill_page(view(e, GA, TA), 0x11);	/* A transmits */
	expect_filled(view(e, GB, RB), 0x11);	/* B receives, no copy */
	expect_filled(s, 0x11);
	fill_page(s, 0x22);			/* through S itself */
	expect_filled(view(e, GA, TA), 0x22);
	expect_filled(view(e, GB, RB), 0x22);
	/* The guests' own pages are not involved while shared. */
	expect_initial(own(e, GA, TA), GA, TA);
	expect_initial(own(e, GB, RB), GB, RB);
}

static void test_unshare_restores_and_copies_back(void **state)
{
	struct env *e = *state;
	struct snapshot *s = snap_take(e);
	int k = share_ok(e, GA, TA, GB, RB);

	fill_page(view(e, GA, TA), 0x5c);
	invepts_reset(e);
	assert_int_equal(remap_unshare(&e->r, (unsigned)k), 0);
	/* S went into both own pages. */
	expect_filled(own(e, GA, TA), 0x5c);
	expect_filled(own(e, GB, RB), 0x5c);
	expect_filled(view(e, GB, RB), 0x5c);
	/* Every translation of every guest as before; other RAM as before. */
	snap_same_xlat(e, s);
	memcpy(s->ram[GA] + TA, own(e, GA, TA), PAGE);
	memcpy(s->ram[GB] + RB, own(e, GB, RB), PAGE);
	snap_same_ram(e, s);
	/* S freed (shared_free checked it is unmapped and invalidated). */
	assert_int_equal(pool_live(&e->shared), 0);
	expect_invepts(e, 1, 1, 0);
	assert_int_equal(e->r.st.unshares, 1);
	assert_int_equal(e->r.st.pages_copied, 3);
	assert_int_equal(e->r.st.invepts, 4);
	assert_int_equal(e->r.npairs, 0);
	assert_int_equal(remap_find(&e->r, side(e, GA), TA), -1);
	assert_false(remap_is_pair(&e->r, side(e, GA), TA, side(e, GB), RB));
	/* Gone pairs and bad indexes. */
	assert_int_equal(remap_unshare(&e->r, (unsigned)k), -XT_EINVAL);
	assert_int_equal(remap_unshare(&e->r, REMAP_MAX_PAIRS), -XT_EINVAL);
	assert_int_equal(remap_unshare(&e->r, ~0U), -XT_EINVAL);
	snap_free(s);
}

static void test_split_keeps_neighbours(void **state)
{
	struct env *e = *state;
	uint64_t ta = 2 * MIB, rb = 4 * MIB - PAGE;	/* region edges */
	int k = share_ok(e, GA, ta, GB, rb);
	uint64_t sh = e->r.pair[k].shared_hpa;

	expect_xlat(e, GA, ta, sh, RWX, PAGE);
	expect_xlat(e, GA, ta - PAGE, ram_hpa[GA] + ta - PAGE, RWX, LARGE);
	expect_xlat(e, GA, ta + PAGE, ram_hpa[GA] + ta + PAGE, RWX, PAGE);
	expect_xlat(e, GA, 4 * MIB - PAGE, ram_hpa[GA] + 4 * MIB - PAGE, RWX,
		    PAGE);
	expect_xlat(e, GA, 4 * MIB, ram_hpa[GA] + 4 * MIB, RWX, LARGE);
	expect_xlat(e, GB, rb, sh, R, PAGE);
	expect_xlat(e, GB, rb - PAGE, ram_hpa[GB] + rb - PAGE, RWX, PAGE);
	expect_xlat(e, GB, 2 * MIB, ram_hpa[GB] + 2 * MIB, RWX, PAGE);
	expect_xlat(e, GB, rb + PAGE, ram_hpa[GB] + rb + PAGE, RWX, LARGE);
	expect_xlat(e, GB, 2 * MIB - PAGE, ram_hpa[GB] + 2 * MIB - PAGE, RWX,
		    LARGE);
	expect_initial(view(e, GA, ta + PAGE), GA, ta + PAGE);
	expect_initial(view(e, GB, rb - PAGE), GB, rb - PAGE);
	/* C untouched. */
	expect_xlat(e, GC, ta, ram_hpa[GC] + ta, RWX, LARGE);
	/* Back: the region keeps its 4 KiB table, translations as before. */
	assert_int_equal(remap_unshare(&e->r, (unsigned)k), 0);
	expect_xlat(e, GA, ta, ram_hpa[GA] + ta, RWX, PAGE);
	expect_xlat(e, GB, rb, ram_hpa[GB] + rb, RWX, PAGE);
	expect_initial(own(e, GA, ta + PAGE), GA, ta + PAGE);
}

static void test_repair_tx_tears_down_old_pair(void **state)
{
	struct env *e = *state;
	int k2;

	share_ok(e, GA, TA, GB, RB);
	fill_page(view(e, GA, TA), 0x77);
	invepts_reset(e);
	k2 = share_ok(e, GA, TA, GC, RC);
	assert_false(remap_is_pair(&e->r, side(e, GA), TA, side(e, GB), RB));
	assert_true(remap_is_pair(&e->r, side(e, GA), TA, side(e, GC), RC));
	assert_int_equal(remap_find(&e->r, side(e, GB), RB), -1);
	assert_int_equal(remap_find(&e->r, side(e, GA), TA), k2);
	/* Old pair: B back on its own page, with the shared contents. */
	expect_own(e, GB, RB);
	expect_filled(own(e, GB, RB), 0x77);
	expect_filled(own(e, GA, TA), 0x77);
	/* New pair: S2 starts as A's latest data. */
	expect_xlat(e, GC, RC, e->r.pair[k2].shared_hpa, R, PAGE);
	expect_xlat(e, GA, TA, e->r.pair[k2].shared_hpa, RWX, PAGE);
	expect_filled(view(e, GC, RC), 0x77);
	/* One operation: each of the three EPTs invalidated once. */
	expect_invepts(e, 1, 1, 1);
	assert_int_equal(e->r.st.shares, 2);
	assert_int_equal(e->r.st.unshares, 1);
	assert_int_equal(e->r.npairs, 1);
	assert_int_equal(pool_live(&e->shared), 1);
}

static void test_pair_rx_page_already_paired(void **state)
{
	struct env *e = *state;
	int k;

	share_ok(e, GA, TA, GB, RB);
	fill_page(view(e, GA, TA), 0x31);
	invepts_reset(e);
	k = share_ok(e, GC, TC, GB, RB);
	assert_int_equal(remap_find(&e->r, side(e, GA), TA), -1);
	expect_own(e, GA, TA);
	expect_filled(own(e, GA, TA), 0x31);
	expect_xlat(e, GB, RB, e->r.pair[k].shared_hpa, R, PAGE);
	expect_initial(view(e, GB, RB), GC, TC);
	expect_invepts(e, 1, 1, 1);
	assert_int_equal(e->r.npairs, 1);
}

static void test_page_changes_role(void **state)
{
	struct env *e = *state;
	int k;

	share_ok(e, GA, TA, GB, RB);
	fill_page(view(e, GA, TA), 0x42);
	/* B's RX page becomes B's TX page: original rights come back. */
	k = share_ok(e, GB, RB, GC, RC);
	expect_own(e, GA, TA);
	expect_xlat(e, GB, RB, e->r.pair[k].shared_hpa, RWX, PAGE);
	expect_xlat(e, GC, RC, e->r.pair[k].shared_hpa, R, PAGE);
	expect_filled(view(e, GC, RC), 0x42);
	/* And the reverse of an existing pair is a new pair too. */
	k = share_ok(e, GC, RC, GB, RB);
	expect_xlat(e, GC, RC, e->r.pair[k].shared_hpa, RWX, PAGE);
	expect_xlat(e, GB, RB, e->r.pair[k].shared_hpa, R, PAGE);
	assert_int_equal(e->r.npairs, 1);
	assert_int_equal(remap_unshare(&e->r, (unsigned)k), 0);
	expect_own(e, GB, RB);
	expect_own(e, GC, RC);
}

static void test_original_perms_and_memtype_kept(void **state)
{
	struct env *e = *state;
	uint64_t rw = EPT_PTE_READ | EPT_PTE_WRITE, sh;
	int k;

	/* A's TX page RW (no exec) WT, B's RX page RX UC. */
	assert_int_equal(ept_map(&e->g[GA].ept, TA, ram_hpa[GA] + TA, PAGE, rw,
				 EPT_MT_WT), 0);
	assert_int_equal(ept_map(&e->g[GB].ept, RB, ram_hpa[GB] + RB, PAGE,
				 R | EPT_PTE_EXEC, EPT_MT_UC), 0);
	sync_gens(e);
	k = share_ok(e, GA, TA, GB, RB);
	sh = e->r.pair[k].shared_hpa;
	expect_xlat_mt(e, GA, TA, sh, rw, EPT_MT_WT);
	expect_xlat_mt(e, GB, RB, sh, R, EPT_MT_UC);
	/* Re-pairing takes the rights saved in the old pair, not S's. */
	k = share_ok(e, GB, RB, GC, RC);
	sh = e->r.pair[k].shared_hpa;
	expect_xlat_mt(e, GA, TA, ram_hpa[GA] + TA, rw, EPT_MT_WT);
	expect_xlat_mt(e, GB, RB, sh, R | EPT_PTE_EXEC, EPT_MT_UC);
	k = share_ok(e, GA, TA, GB, RB);
	sh = e->r.pair[k].shared_hpa;
	expect_xlat_mt(e, GA, TA, sh, rw, EPT_MT_WT);
	expect_xlat_mt(e, GB, RB, sh, R, EPT_MT_UC);
	expect_own(e, GC, RC);
	assert_int_equal(remap_unshare(&e->r, (unsigned)k), 0);
	expect_xlat_mt(e, GA, TA, ram_hpa[GA] + TA, rw, EPT_MT_WT);
	expect_xlat_mt(e, GB, RB, ram_hpa[GB] + RB, R | EPT_PTE_EXEC,
		       EPT_MT_UC);
	/* A page the guest cannot read is not shareable. */
	assert_int_equal(ept_unmap(&e->g[GC].ept, TC, PAGE), 0);
	sync_gens(e);
	assert_int_equal(remap_share(&e->r, side(e, GC), TC, side(e, GA), TC),
			 -XT_EINVAL);
	assert_int_equal(ept_map(&e->g[GC].ept, TC, ram_hpa[GC] + TC, PAGE,
				 RWX, EPT_MT_WB), 0);
	sync_gens(e);
}

static void test_share_again_is_noop(void **state)
{
	struct env *e = *state;
	int k = share_ok(e, GA, TA, GB, RB);
	struct snapshot *s = snap_take(e);

	invepts_reset(e);
	assert_int_equal(share_ok(e, GA, TA, GB, RB), k);
	assert_int_equal(e->r.pair[k].uses, 2);
	expect_invepts(e, 0, 0, 0);
	snap_same_xlat(e, s);
	snap_same_ram(e, s);
	assert_int_equal(e->r.st.pages_copied, 1);
	assert_int_equal(e->r.st.shares, 1);
	assert_int_equal(pool_live(&e->shared), 1);
	snap_free(s);
}

static void test_same_guest_two_pages(void **state)
{
	struct env *e = *state;
	struct snapshot *s = snap_take(e);
	int k = share_ok(e, GA, TA, GA, TC);

	expect_xlat(e, GA, TA, e->r.pair[k].shared_hpa, RWX, PAGE);
	expect_xlat(e, GA, TC, e->r.pair[k].shared_hpa, R, PAGE);
	expect_initial(view(e, GA, TC), GA, TA);
	expect_invepts(e, 1, 0, 0);		/* one EPT, once */
	assert_true(remap_cow_fault(&e->r, side(e, GA), TC));
	expect_invepts(e, 2, 0, 0);
	snap_same_xlat(e, s);
	expect_initial(own(e, GA, TC), GA, TA);
	snap_free(s);
}

static void test_unshare_side_on_peer_death(void **state)
{
	struct env *e = *state;
	int keep;

	share_ok(e, GA, TA, GB, RB);
	keep = share_ok(e, GC, TC, GA, RC);
	share_ok(e, GC, RC, GB, TA);
	share_ok(e, GB, TC, GC, RB);
	assert_int_equal(e->r.npairs, 4);
	invepts_reset(e);
	assert_int_equal(remap_unshare_side(&e->r, side(e, GB)), 3);
	expect_invepts(e, 1, 1, 1);		/* once per EPT, not per pair */
	assert_int_equal(e->r.npairs, 1);
	assert_int_equal(e->r.pair[keep].state, REMAP_PAIR_LIVE);
	assert_true(remap_is_pair(&e->r, side(e, GC), TC, side(e, GA), RC));
	expect_own(e, GA, TA);
	expect_own(e, GB, RB);
	expect_own(e, GB, TA);
	expect_own(e, GB, TC);
	expect_own(e, GC, RB);
	expect_own(e, GC, RC);
	assert_int_equal(pool_live(&e->shared), 1);
	/* Nothing left of B: no change, no INVEPT. */
	invepts_reset(e);
	assert_int_equal(remap_unshare_side(&e->r, side(e, GB)), 0);
	assert_int_equal(remap_unshare_side(&e->r, NULL), 0);
	expect_invepts(e, 0, 0, 0);
}

static void test_unshare_between(void **state)
{
	struct env *e = *state;

	share_ok(e, GA, TA, GB, RB);
	share_ok(e, GB, TC, GA, RC);
	share_ok(e, GA, TC, GC, RC);
	invepts_reset(e);
	assert_int_equal(remap_unshare_between(&e->r, side(e, GB), side(e, GA)),
			 2);
	expect_invepts(e, 1, 1, 0);
	assert_int_equal(e->r.npairs, 1);
	assert_true(remap_is_pair(&e->r, side(e, GA), TC, side(e, GC), RC));
	assert_int_equal(remap_unshare_between(&e->r, side(e, GA), side(e, GB)),
			 0);
}

static void test_cow_fault_breaks_shared_page(void **state)
{
	struct env *e = *state;

	share_ok(e, GA, TA, GB, RB);
	assert_int_equal(side(e, GB)->rx_pairs, 1);
	assert_int_equal(side(e, GA)->tx_pairs, 1);
	assert_int_equal(side(e, GB)->tx_pairs, 0);
	/* The range a side's paired pages are in: the page itself here. */
	assert_true(remap_side_may_pair(side(e, GB), RB + 0x18, 1));
	assert_true(remap_side_may_pair(side(e, GB), RB - 0x10, 0x11));
	assert_false(remap_side_may_pair(side(e, GB), RB - 0x10, 0x10));
	assert_false(remap_side_may_pair(side(e, GB), RB + PAGE, PAGE));
	assert_true(remap_side_may_pair(side(e, GA), TA, PAGE));
	assert_false(remap_side_may_pair(side(e, GA), RB, PAGE));
	fill_page(view(e, GA, TA), 0x66);
	invepts_reset(e);
	/* B writes into its read-only RX page. */
	assert_true(remap_cow_fault(&e->r, side(e, GB), RB + 0x18));
	assert_int_equal(side(e, GB)->rx_pairs, 0);
	assert_int_equal(side(e, GA)->tx_pairs, 0);
	assert_false(remap_side_may_pair(side(e, GB), RB, PAGE));
	assert_false(remap_side_may_pair(side(e, GA), TA, PAGE));
	expect_invepts(e, 1, 1, 0);
	expect_own(e, GB, RB);
	expect_own(e, GA, TA);
	expect_filled(own(e, GB, RB), 0x66);
	expect_filled(own(e, GA, TA), 0x66);
	assert_int_equal(e->r.st.cow_breaks, 1);
	assert_int_equal(e->r.st.unshares, 1);
	assert_int_equal(pool_live(&e->shared), 0);
	/* The retried write lands in B's own page only. */
	view(e, GB, RB)[0x18] = 0x99;
	assert_int_equal(own(e, GA, TA)[0x18], 0x66);
}

/*
 * Views (issue 11): B's side closed maps B's own page (nothing of S copied
 * there, even at teardown), reopened maps S read-only; A's side locked is
 * read-only and a write by A breaks the pair with B keeping S's contents.
 * One operation for several pairs: one INVEPT per EPT.
 */
static void test_views(void **state)
{
	struct env *e = *state;
	unsigned k[2];

	k[0] = (unsigned)share_ok(e, GA, TA, GB, RB);
	k[1] = (unsigned)share_ok(e, GA, TA + PAGE, GB, RB + PAGE);
	fill_page(view(e, GA, TA), 0x66);
	invepts_reset(e);
	assert_int_equal(remap_set_views(&e->r, k, 2, false, false), 0);
	expect_invepts(e, 0, 1, 0);
	expect_own(e, GB, RB);
	expect_own(e, GB, RB + PAGE);
	expect_initial(view(e, GB, RB), GB, RB);
	expect_xlat(e, GA, TA, e->r.pair[k[0]].shared_hpa, RWX, 0);
	assert_false(remap_cow_fault(&e->r, side(e, GB), RB));	/* closed: not ours */
	invepts_reset(e);
	assert_int_equal(remap_set_views(&e->r, k, 1, true, true), 0);
	expect_invepts(e, 1, 1, 0);
	expect_xlat(e, GB, RB, e->r.pair[k[0]].shared_hpa, EPT_PTE_READ, 0);
	expect_xlat(e, GA, TA, e->r.pair[k[0]].shared_hpa, RWX & ~EPT_PTE_WRITE, 0);
	expect_filled(view(e, GB, RB), 0x66);
	/* A writes its locked page: the pair breaks, B keeps the frame. */
	assert_true(remap_cow_fault(&e->r, side(e, GA), TA + 8));
	expect_own(e, GA, TA);
	expect_own(e, GB, RB);
	expect_filled(own(e, GB, RB), 0x66);
	view(e, GA, TA)[8] = 0x99;
	assert_int_equal(own(e, GB, RB)[8], 0x66);
	/* The closed pair torn down: S goes to A only. */
	fill_page(view(e, GA, TA + PAGE), 0x77);
	assert_int_equal(remap_unshare(&e->r, k[1]), 0);
	expect_filled(own(e, GA, TA + PAGE), 0x77);
	expect_initial(own(e, GB, RB + PAGE), GB, RB + PAGE);
	assert_int_equal(remap_set_views(&e->r, k, 1, true, false), -XT_EINVAL);
	assert_int_equal(pool_live(&e->shared), 0);
}

static void test_cow_fault_not_ours(void **state)
{
	struct env *e = *state;
	int k;

	assert_false(remap_cow_fault(&e->r, side(e, GB), RB));
	k = share_ok(e, GA, TA, GB, RB);
	invepts_reset(e);
	assert_false(remap_cow_fault(&e->r, side(e, GA), TA));	/* TX side */
	assert_false(remap_cow_fault(&e->r, side(e, GB), RB + PAGE));
	assert_false(remap_cow_fault(&e->r, side(e, GB), RB - 1));
	assert_false(remap_cow_fault(&e->r, side(e, GC), RB));
	assert_false(remap_cow_fault(&e->r, side(e, GB), RAM_SIZE));
	assert_false(remap_cow_fault(&e->r, side(e, GB), ~0ULL));
	assert_false(remap_cow_fault(&e->r, NULL, RB));
	expect_invepts(e, 0, 0, 0);
	assert_int_equal(e->r.pair[k].state, REMAP_PAIR_LIVE);
	assert_int_equal(e->r.st.cow_breaks, 0);
}

static void test_phys_attach_makes_share_busy(void **state)
{
	struct env *e = *state;
	struct snapshot *s;

	assert_int_equal(remap_phys_attach(&e->r, side(e, GA), TA + 0x100),
			 0);
	assert_true(remap_phys_attached(&e->r, side(e, GA), TA));
	assert_false(remap_phys_attached(&e->r, side(e, GB), TA));
	assert_false(remap_phys_attached(&e->r, side(e, GA), TA + PAGE));
	assert_int_equal(remap_phys_attach(&e->r, side(e, GA), TA), 0);
	s = snap_take(e);
	assert_int_equal(remap_share(&e->r, side(e, GA), TA, side(e, GB), RB),
			 -XT_EBUSY);
	assert_int_equal(e->r.st.busy_refusals, 1);
	s->r.st.busy_refusals = 1;
	snap_same(e, s);
	snap_free(s);
	/* Two DMAs in flight: busy until both completed. */
	remap_phys_detach(&e->r, side(e, GA), TA);
	assert_true(remap_phys_attached(&e->r, side(e, GA), TA));
	assert_int_equal(remap_share(&e->r, side(e, GA), TA, side(e, GB), RB),
			 -XT_EBUSY);
	remap_phys_detach(&e->r, side(e, GA), TA + 0xfff);
	assert_false(remap_phys_attached(&e->r, side(e, GA), TA));
	share_ok(e, GA, TA, GB, RB);
	/* An RX page in device DMA is busy too. */
	assert_int_equal(remap_phys_attach(&e->r, side(e, GC), RC), 0);
	assert_int_equal(remap_share(&e->r, side(e, GA), TC, side(e, GC), RC),
			 -XT_EBUSY);
	assert_int_equal(e->r.st.busy_refusals, 3);
	remap_phys_detach(&e->r, side(e, GC), RC);
}

static void test_phys_attach_tears_down_pair(void **state)
{
	struct env *e = *state;

	share_ok(e, GA, TA, GB, RB);
	fill_page(view(e, GA, TA), 0x24);
	invepts_reset(e);
	assert_int_equal(remap_phys_attach(&e->r, side(e, GA), TA), 0);
	expect_invepts(e, 1, 1, 0);
	assert_int_equal(remap_find(&e->r, side(e, GA), TA), -1);
	expect_own(e, GA, TA);
	expect_own(e, GB, RB);
	expect_filled(own(e, GA, TA), 0x24);	/* the device reads this */
	expect_filled(own(e, GB, RB), 0x24);
	assert_int_equal(pool_live(&e->shared), 0);
	remap_phys_detach(&e->r, side(e, GA), TA);
	/* Same from the RX side. */
	share_ok(e, GA, TA, GB, RB);
	assert_int_equal(remap_phys_attach(&e->r, side(e, GB), RB), 0);
	assert_int_equal(e->r.npairs, 0);
	expect_own(e, GB, RB);
	remap_phys_detach(&e->r, side(e, GB), RB);
}

static void test_phys_attach_limits(void **state)
{
	struct env *e = *state;
	unsigned i;

	for (i = 0; i < REMAP_MAX_ATTACH; i++)
		assert_int_equal(remap_phys_attach(&e->r, side(e, GA),
						   i * PAGE), 0);
	assert_int_equal(remap_phys_attach(&e->r, side(e, GB), 0),
			 -XT_ENOSPC);
	assert_int_equal(remap_phys_attach(&e->r, side(e, GA), 5 * PAGE), 0);
	assert_int_equal(remap_phys_attach(&e->r, side(e, GA), RAM_SIZE),
			 -XT_EINVAL);
	assert_int_equal(remap_phys_attach(&e->r, side(e, GA), ~0ULL),
			 -XT_EINVAL);
	assert_int_equal(remap_phys_attach(&e->r, NULL, 0), -XT_EINVAL);
	/* Detaching a page that is not attached changes nothing. */
	remap_phys_detach(&e->r, side(e, GB), 0);
	remap_phys_detach(&e->r, side(e, GA), RAM_SIZE - PAGE);
	remap_phys_detach(&e->r, NULL, 0);
	for (i = 0; i < REMAP_MAX_ATTACH; i++)
		remap_phys_detach(&e->r, side(e, GA), i * PAGE);
	assert_true(remap_phys_attached(&e->r, side(e, GA), 5 * PAGE));
	remap_phys_detach(&e->r, side(e, GA), 5 * PAGE);
	for (i = 0; i < REMAP_MAX_ATTACH; i++)
		assert_false(remap_phys_attached(&e->r, side(e, GA),
						 i * PAGE));
	assert_int_equal(remap_phys_attach(&e->r, side(e, GB), 0), 0);
	remap_phys_detach(&e->r, side(e, GB), 0);
}

static void test_enomem_shared_page(void **state)
{
	struct env *e = *state;
	struct snapshot *s = snap_take(e);

	e->shared.fail_after = 0;
	invepts_reset(e);
	assert_int_equal(remap_share(&e->r, side(e, GA), TA, side(e, GB), RB),
			 -XT_ENOMEM);
	snap_same(e, s);
	expect_invepts(e, 0, 0, 0);
	assert_int_equal(pool_live(&e->shared), 0);
	e->shared.fail_after = -1;
	share_ok(e, GA, TA, GB, RB);
	snap_free(s);
}

static void test_enomem_split_table(void **state)
{
	struct env *e = *state;
	struct snapshot *s = snap_take(e);
	unsigned tables = e->tables.allocs;

	/* No table to split A's 2 MiB leaf. */
	e->tables.fail_after = 0;
	invepts_reset(e);
	assert_int_equal(remap_share(&e->r, side(e, GA), TA, side(e, GB), RB),
			 -XT_ENOMEM);
	snap_same(e, s);
	expect_invepts(e, 0, 0, 0);
	/* A split, B not: translations the same, A's change invalidated. */
	e->tables.fail_after = 1;
	assert_int_equal(remap_share(&e->r, side(e, GA), TA, side(e, GB), RB),
			 -XT_ENOMEM);
	snap_same_xlat(e, s);
	snap_same_ram(e, s);
	assert_int_equal(e->r.npairs, 0);
	assert_int_equal(pool_live(&e->shared), 0);
	expect_invepts(e, 1, 0, 0);
	assert_int_equal(e->tables.allocs, tables + 1);
	/* The retry reuses A's table. */
	e->tables.fail_after = 1;
	share_ok(e, GA, TA, GB, RB);
	assert_int_equal(e->tables.allocs, tables + 2);
	e->tables.fail_after = -1;
	snap_free(s);
}

static void test_enomem_keeps_old_pair(void **state)
{
	struct env *e = *state;
	struct snapshot *s;
	int k = share_ok(e, GA, TA, GB, RB);

	fill_page(view(e, GA, TA), 0x3e);
	s = snap_take(e);
	e->shared.fail_after = 0;
	assert_int_equal(remap_share(&e->r, side(e, GA), TA, side(e, GC), RC),
			 -XT_ENOMEM);
	e->shared.fail_after = -1;
	snap_same(e, s);
	assert_true(remap_is_pair(&e->r, side(e, GA), TA, side(e, GB), RB));
	expect_xlat(e, GB, RB, e->r.pair[k].shared_hpa, R, PAGE);
	expect_filled(view(e, GB, RB), 0x3e);
	snap_free(s);
}

static void expect_einval_share(struct env *e, struct remap_side *tx,
				uint64_t ta, struct remap_side *rx,
				uint64_t rb)
{
	assert_int_equal(remap_share(&e->r, tx, ta, rx, rb), -XT_EINVAL);
}

static void test_bad_args_change_nothing(void **state)
{
	struct env *e = *state;
	struct remap_side *a = side(e, GA), *b = side(e, GB);
	struct remap_side bad, alias = *a;
	struct snapshot *s;
	uint64_t hole = 6 * MIB, foreign = 6 * MIB + PAGE;

	/* C's EPT maps a hole and a page of B's RAM inside C's RAM range. */
	assert_int_equal(ept_unmap(&e->g[GC].ept, hole, PAGE), 0);
	assert_int_equal(ept_map(&e->g[GC].ept, foreign, ram_hpa[GB], PAGE,
				 RWX, EPT_MT_WB), 0);
	sync_gens(e);
	share_ok(e, GA, TC, GB, RC);
	s = snap_take(e);
	invepts_reset(e);
	expect_einval_share(e, a, TA + 1, b, RB);
	expect_einval_share(e, a, TA, b, RB + 0x800);
	expect_einval_share(e, a, RAM_SIZE, b, RB);
	expect_einval_share(e, a, TA, b, RAM_SIZE + PAGE);
	expect_einval_share(e, a, ~0ULL & ~(PAGE - 1), b, RB);
	expect_einval_share(e, a, TA, b, TEST_MAX_GPA);
	expect_einval_share(e, a, TA, a, TA);		/* same page */
	expect_einval_share(e, a, TA, &alias, TA);	/* same guest too */
	expect_einval_share(e, NULL, TA, b, RB);
	expect_einval_share(e, a, TA, NULL, RB);
	expect_einval_share(e, side(e, GC), hole, b, RB);
	expect_einval_share(e, a, TA, side(e, GC), foreign);
	bad = *a;
	bad.ept = NULL;
	expect_einval_share(e, &bad, TA, b, RB);
	bad = *a;
	bad.ram_size = 0;
	expect_einval_share(e, &bad, 0, b, RB);
	bad = *a;
	bad.ram_hpa += 0x10;
	expect_einval_share(e, &bad, TA, b, RB);
	bad = *a;
	bad.ram_size = TEST_MAX_GPA + PAGE;
	expect_einval_share(e, &bad, TA, b, RB);
	bad = *a;
	bad.ram_hpa = ~0ULL - 3 * MIB + 1;
	expect_einval_share(e, &bad, 0, b, RB);
	snap_same(e, s);
	expect_invepts(e, 0, 0, 0);
	assert_false(remap_is_pair(&e->r, a, TC + 1, b, RC));
	assert_false(remap_is_pair(&e->r, NULL, TC, b, RC));
	assert_true(remap_is_pair(&e->r, &alias, TC, b, RC));
	assert_int_equal(remap_find(&e->r, NULL, TC), -1);
	assert_int_equal(remap_for_each(&e->r, NULL, NULL), 0);
	snap_free(s);
	/* Put C back as it was so that teardown finds its own RAM. */
	assert_int_equal(ept_map(&e->g[GC].ept, hole, ram_hpa[GC] + hole,
				 2 * PAGE, RWX, EPT_MT_WB), 0);
	sync_gens(e);
}

struct dump {
	unsigned n, stop_at;
	uint64_t seen[REMAP_MAX_PAIRS];
};

static int dump_pair(void *arg, const struct remap_pair *p,
		     uint64_t tx_hpa_now, uint64_t rx_hpa_now)
{
	struct dump *d = arg;

	assert_int_equal(p->state, REMAP_PAIR_LIVE);
	assert_int_equal(tx_hpa_now, p->shared_hpa);
	assert_int_equal(rx_hpa_now, p->shared_hpa);
	assert_true(d->n < REMAP_MAX_PAIRS);
	d->seen[d->n++] = p->shared_hpa;
	return d->n == d->stop_at ? 7 : 0;
}

static void test_all_pairs_then_teardown(void **state)
{
	struct env *e = *state;
	struct snapshot *s = snap_take(e);
	struct dump *d = calloc(1, sizeof(*d));
	unsigned i, j;
	int k;

	assert_non_null(d);
	for (i = 0; i < REMAP_MAX_PAIRS; i++) {
		invepts_reset(e);
		share_ok(e, GA, i * PAGE, GB, 4 * MIB + i * PAGE);
		expect_invepts(e, 1, 1, 0);
	}
	assert_int_equal(e->r.npairs, REMAP_MAX_PAIRS);
	assert_int_equal(side(e, GB)->rx_pairs, REMAP_MAX_PAIRS);
	assert_int_equal(side(e, GA)->rx_pairs, 0);
	assert_int_equal(side(e, GA)->tx_pairs, REMAP_MAX_PAIRS);
	assert_int_equal(side(e, GB)->tx_pairs, 0);
	/* Every pair inside the range, nothing either side of it. */
	assert_true(remap_side_may_pair(side(e, GA), 0, 1));
	assert_true(remap_side_may_pair(side(e, GA), (REMAP_MAX_PAIRS - 1) * PAGE, PAGE));
	assert_false(remap_side_may_pair(side(e, GA), REMAP_MAX_PAIRS * PAGE, PAGE));
	assert_true(remap_side_may_pair(side(e, GB), 4 * MIB, PAGE));
	assert_false(remap_side_may_pair(side(e, GB), 4 * MIB - PAGE, PAGE));
	assert_int_equal(remap_share(&e->r, side(e, GA), 5 * MIB, side(e, GB),
				     3 * MIB), -XT_ENOSPC);
	/* Full, but re-pairing a paired page frees the slot it needs. */
	k = share_ok(e, GA, 0, GC, 0);
	assert_int_equal(k, remap_find(&e->r, side(e, GA), 0));
	expect_own(e, GB, 4 * MIB);
	assert_int_equal(side(e, GB)->rx_pairs, REMAP_MAX_PAIRS - 1);
	assert_int_equal(side(e, GC)->rx_pairs, 1);
	assert_int_equal(side(e, GA)->tx_pairs, REMAP_MAX_PAIRS);
	assert_int_equal(pool_live(&e->shared), REMAP_MAX_PAIRS);
	/* Every pair: both sides on the same page, all pages distinct. */
	assert_int_equal(remap_for_each(&e->r, dump_pair, d), 0);
	assert_int_equal(d->n, REMAP_MAX_PAIRS);
	for (i = 0; i < d->n; i++)
		for (j = i + 1; j < d->n; j++)
			assert_true(d->seen[i] != d->seen[j]);
	invepts_reset(e);
	assert_int_equal(remap_unshare_side(&e->r, side(e, GA)),
			 REMAP_MAX_PAIRS);
	expect_invepts(e, 1, 1, 1);
	assert_int_equal(e->r.npairs, 0);
	assert_int_equal(side(e, GB)->rx_pairs, 0);
	assert_int_equal(side(e, GC)->rx_pairs, 0);
	assert_int_equal(side(e, GA)->tx_pairs, 0);
	assert_int_equal(e->r.top, 0);
	assert_int_equal(pool_live(&e->shared), 0);
	snap_same_xlat(e, s);
	/* B's RX pages and C's page now hold what A sent; A unchanged. */
	for (i = 0; i < REMAP_MAX_PAIRS; i++)
		expect_initial(own(e, GA, i * PAGE), GA, i * PAGE);
	for (i = 0; i < REMAP_MAX_PAIRS; i++)
		expect_initial(own(e, GB, 4 * MIB + i * PAGE), GA, i * PAGE);
	expect_initial(own(e, GC, 0), GA, 0);
	expect_initial(own(e, GB, 3 * MIB), GB, 3 * MIB);
	free(d);
	snap_free(s);
}

static void test_for_each_reports_shared_page(void **state)
{
	struct env *e = *state;
	struct dump d = { .n = 0 };

	assert_int_equal(remap_for_each(&e->r, dump_pair, &d), 0);
	assert_int_equal(d.n, 0);
	share_ok(e, GA, TA, GB, RB);
	share_ok(e, GB, TC, GC, RC);
	share_ok(e, GC, TA, GA, RC);
	assert_int_equal(remap_for_each(&e->r, dump_pair, &d), 0);
	assert_int_equal(d.n, 3);
	d = (struct dump){ .n = 0, .stop_at = 2 };
	assert_int_equal(remap_for_each(&e->r, dump_pair, &d), 7);
	assert_int_equal(d.n, 2);
	assert_true(remap_cow_fault(&e->r, side(e, GC), RC));
	d = (struct dump){ .n = 0 };
	assert_int_equal(remap_for_each(&e->r, dump_pair, &d), 0);
	assert_int_equal(d.n, 2);
}

/* Slots are reused lowest first; the walks stop at the highest live one. */
static void test_slots_reused_and_top_shrinks(void **state)
{
	struct env *e = *state;
	struct dump d = { .n = 0 };
	int k0, k1, k2;

	assert_int_equal(e->r.top, 0);
	k0 = share_ok(e, GA, TA, GB, RB);
	k1 = share_ok(e, GB, TC, GC, RC);
	k2 = share_ok(e, GC, TA, GA, RC);
	assert_int_equal(k0, 0);
	assert_int_equal(k1, 1);
	assert_int_equal(k2, 2);
	assert_int_equal(e->r.top, 3);
	/* A hole below the top is taken first and keeps the top. */
	assert_int_equal(remap_unshare(&e->r, (unsigned)k1), 0);
	assert_int_equal(e->r.top, 3);
	assert_int_equal(share_ok(e, GB, TC, GC, RC), 1);
	/* Freeing the highest slots lowers the top past every free one. */
	assert_int_equal(remap_unshare(&e->r, 1), 0);
	assert_int_equal(remap_unshare(&e->r, 2), 0);
	assert_int_equal(e->r.top, 1);
	assert_int_equal(remap_for_each(&e->r, dump_pair, &d), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(remap_unshare_side(&e->r, side(e, GA)), 1);
	assert_int_equal(e->r.top, 0);
	assert_int_equal(e->r.npairs, 0);
	assert_int_equal(pool_live(&e->shared), 0);
	assert_int_equal(share_ok(e, GA, TA, GB, RB), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_rejects_bad_ops),
		T(test_share_maps_both_to_one_page),
		T(test_shared_data_visible_both),
		T(test_unshare_restores_and_copies_back),
		T(test_split_keeps_neighbours),
		T(test_repair_tx_tears_down_old_pair),
		T(test_pair_rx_page_already_paired),
		T(test_page_changes_role),
		T(test_original_perms_and_memtype_kept),
		T(test_share_again_is_noop),
		T(test_same_guest_two_pages),
		T(test_unshare_side_on_peer_death),
		T(test_unshare_between),
		T(test_cow_fault_breaks_shared_page),
		T(test_cow_fault_not_ours),
		T(test_views),
		T(test_phys_attach_makes_share_busy),
		T(test_phys_attach_tears_down_pair),
		T(test_phys_attach_limits),
		T(test_enomem_shared_page),
		T(test_enomem_split_table),
		T(test_enomem_keeps_old_pair),
		T(test_bad_args_change_nothing),
		T(test_all_pairs_then_teardown),
		T(test_for_each_reports_shared_page),
		T(test_slots_reused_and_top_shrinks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
