/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the hypercall policy (vmm/emul/hc_policy.c): who may dump, how
 * often, what a dump shows (driven by the real remapper and EPT builder),
 * and whose counters XTALK_HC_COUNTERS gives. The hostile guest asks for
 * what other guests do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ept/ept.h"
#include "ept/remap.h"
#include "lib/xerrno.h"
#include "vmm/emul/hc_policy.h"

#define PAGE		0x1000ULL
#define RAM_SIZE	(4ULL << 20)
#define NG		3
#define POOL_PAGES	96
#define POOL_HPA	0x80000000ULL
#define MAX_LINES	64
#define RWX		(EPT_PTE_READ | EPT_PTE_WRITE | EPT_PTE_EXEC)

static const uint64_t ram_hpa[NG] = { 0x100000000ULL, 0x200000000ULL, 0x300000000ULL };
static const char *const names[NG] = { "a", "b", "c" };

/* ---- dump and rate limit ---- */

/* Only the kernel calls xtalk, but user space may read counters where the INI allows it. */
static void test_allowed_by_cpl(void **state)
{
	(void)state;
	for (uint64_t nr = XTALK_HC_VERSION; nr <= XTALK_HC_COUNTERS + 1; nr++) {
		assert_true(hc_allowed(0, nr, false));
		assert_true(hc_allowed(0, nr, true));
		for (unsigned cpl = 1; cpl <= 3; cpl++) {
			assert_false(hc_allowed(cpl, nr, false));
			assert_int_equal(hc_allowed(cpl, nr, true), nr == XTALK_HC_COUNTERS);
		}
	}
}

static void test_dump_off_by_default(void **state)
{
	struct hc_dump_limit l = { 0 };

	(void)state;
	assert_int_equal(hc_dump_allowed(false, &l, 1000000, 10), -XT_EPERM);
	assert_int_equal(hc_dump_allowed(false, &l, 9000000, 10), -XT_EPERM);
	assert_int_equal(l.refused, 2);
	assert_false(l.used);
}

static void test_dump_rate_limited(void **state)
{
	struct hc_dump_limit l = { 0 };

	(void)state;
	assert_int_equal(hc_dump_allowed(true, &l, 0, 1000), 0);
	assert_int_equal(hc_dump_allowed(true, &l, 1, 1000), -XT_EAGAIN);
	assert_int_equal(hc_dump_allowed(true, &l, 999, 1000), -XT_EAGAIN);
	assert_int_equal(hc_dump_allowed(true, &l, 1000, 1000), 0);
	assert_int_equal(hc_dump_allowed(true, &l, 1500, 1000), -XT_EAGAIN);
	assert_int_equal(l.refused, 3);
	/* A loop of VMCALLs gets one dump per gap. */
	l = (struct hc_dump_limit){ 0 };
	for (uint64_t t = 0, ok = 0; t < 100000; t += 7) {
		ok += hc_dump_allowed(true, &l, t, 10000) == 0;
		if (t + 7 >= 100000)
			assert_int_equal(ok, 10);
	}
}

/* ---- counters ---- */

static void fill(struct xtalk_counters *c, uint64_t base)
{
	*c = (struct xtalk_counters){
		.exits = base + 1, .exits_io = base + 2, .exits_mmio = base + 3, .exits_hlt = base + 4,
		.exits_timer = base + 5, .exits_other = base + 6, .irqs = base + 7,
		.copies = base + 8, .bytes_copied = base + 9, .remaps = base + 10,
		.invepts = base + 11, .frames = base + 12, .vmm_cycles = base + 13,
	};
}

/* Guest 1 asks: by default it learns nothing of guests 0 and 2. */
static void test_counters_per_guest(void **state)
{
	struct xtalk_counters each[NG], global, out;

	(void)state;
	for (unsigned i = 0; i < NG; i++)
		fill(&each[i], 1000 * (i + 1));
	fill(&global, 50000);
	hc_counters_view(&out, each, NG, 1, false, &global);
	assert_memory_equal(&out, &each[1], sizeof(out));
	hc_counters_view(&out, each, NG, NG, false, &global);
	assert_int_equal(out.exits, 0);
}

/* counters = machine (the bench): the sum, with the remapper's totals. */
static void test_counters_machine(void **state)
{
	struct xtalk_counters each[NG], global, out;

	(void)state;
	for (unsigned i = 0; i < NG; i++)
		fill(&each[i], 1000 * (i + 1));
	fill(&global, 50000);
	hc_counters_view(&out, each, NG, 1, true, &global);
	assert_int_equal(out.exits, 6000 + 3);
	assert_int_equal(out.exits_other, 6000 + 18);
	assert_int_equal(out.irqs, 6000 + 21);
	assert_int_equal(out.frames, 6000 + 36);
	assert_int_equal(out.vmm_cycles, 6000 + 39);
	assert_int_equal(out.bytes_copied, 6000 + 27);
	assert_int_equal(out.remaps, 50010);
	assert_int_equal(out.invepts, 50011);
}

/* ---- what a dump shows: three guests, the real remapper ---- */

struct env {
	uint8_t *arena;
	bool used[POOL_PAGES];
	uint8_t *ram[NG];
	struct ept ept[NG];
	struct remap_side side[NG];
	struct ept_ops eops;
	struct remap_ops rops;
	struct remapper rm;
	char lines[MAX_LINES][HC_DUMP_LINE];
	unsigned nlines;
};

static void *pool_alloc(void *ctx, uint64_t *hpa)
{
	struct env *e = ctx;

	for (unsigned i = 0; i < POOL_PAGES; i++) {
		if (e->used[i])
			continue;
		e->used[i] = true;
		memset(e->arena + i * PAGE, 0, PAGE);
		*hpa = POOL_HPA + i * PAGE;
		return e->arena + i * PAGE;
	}
	return NULL;
}

static void pool_free(void *ctx, void *va, uint64_t hpa)
{
	struct env *e = ctx;

	(void)va;
	e->used[(hpa - POOL_HPA) / PAGE] = false;
}

static void *phys_va(void *ctx, uint64_t hpa)
{
	struct env *e = ctx;

	for (unsigned g = 0; g < NG; g++)
		if (hpa >= ram_hpa[g] && hpa < ram_hpa[g] + RAM_SIZE)
			return e->ram[g] + (hpa - ram_hpa[g]);
	return e->arena + (hpa - POOL_HPA);
}

static void no_invept(void *ctx, struct ept *ept)
{
	(void)ctx;
	(void)ept;
}

static void emit(void *ctx, const char *line)
{
	struct env *e = ctx;

	assert_true(e->nlines < MAX_LINES);
	snprintf(e->lines[e->nlines++], HC_DUMP_LINE, "%s", line);
}

static const char *name(void *ctx, unsigned id)
{
	(void)ctx;
	return id < NG ? names[id] : "?";
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->arena = aligned_alloc(PAGE, POOL_PAGES * PAGE);
	assert_non_null(e->arena);
	e->eops = (struct ept_ops){ pool_alloc, pool_free, phys_va, e };
	e->rops = (struct remap_ops){ pool_alloc, pool_free, phys_va, no_invept, e };
	for (unsigned g = 0; g < NG; g++) {
		e->ram[g] = aligned_alloc(PAGE, RAM_SIZE);
		assert_non_null(e->ram[g]);
		assert_int_equal(ept_init(&e->ept[g], &e->eops, 1ULL << 32), 0);
		assert_int_equal(ept_map(&e->ept[g], 0, ram_hpa[g], RAM_SIZE, RWX, EPT_MT_WB), 0);
		e->side[g] = (struct remap_side){ .ept = &e->ept[g], .ram_hpa = ram_hpa[g],
						  .ram_size = RAM_SIZE, .id = g };
	}
	assert_int_equal(remap_init(&e->rm, &e->rops), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	for (unsigned g = 0; g < NG; g++)
		remap_unshare_side(&e->rm, &e->side[g]);
	for (unsigned g = 0; g < NG; g++) {
		ept_destroy(&e->ept[g]);
		free(e->ram[g]);
	}
	free(e->arena);
	free(e);
	return 0;
}

static void share(struct env *e, unsigned tx, uint64_t tx_gpa, unsigned rx, uint64_t rx_gpa)
{
	assert_true(remap_share(&e->rm, &e->side[tx], tx_gpa, &e->side[rx], rx_gpa) >= 0);
}

static void dump(struct env *e, unsigned caller)
{
	struct hc_dump d;

	e->nlines = 0;
	hc_dump_begin(&d, &e->side[caller], emit, name, e);
	assert_int_equal(remap_for_each(&e->rm, hc_dump_pair, &d), 0);
	hc_dump_end(&d);
}

static bool printed(const struct env *e, const char *needle)
{
	for (unsigned i = 0; i < e->nlines; i++)
		if (strstr(e->lines[i], needle))
			return true;
	return false;
}

/* Every address printed is a guest-physical one inside RAM: no host
 * address of a guest's RAM or of a shared page (all above 2 GiB here). */
static void assert_no_host_address(const struct env *e)
{
	assert_false(printed(e, "HPA"));
	for (unsigned i = 0; i < e->nlines; i++)
		for (const char *p = strstr(e->lines[i], "0x"); p; p = strstr(p + 2, "0x"))
			assert_true(strtoull(p, NULL, 16) < RAM_SIZE);
}

/* b sees its pages (a ring of 16 from a, one from c), not a -> c. */
static void test_dump_shows_only_callers_pages(void **state)
{
	struct env *e = *state;

	for (unsigned i = 0; i < 16; i++)
		share(e, 0, 0x100000 + i * PAGE, 1, 0x200000 + i * PAGE);
	share(e, 0, 0x300000, 2, 0x310000);
	share(e, 2, 0x50000, 1, 0x60000);
	dump(e, 1);
	assert_int_equal(e->nlines, 3);
	assert_string_equal(e->lines[0], "xt-dump: shared pages 0-15 (16): guest 'b' GPA "
			    "0x200000-0x20f000 (read-only) from guest 'a', same host page");
	assert_string_equal(e->lines[1], "xt-dump: shared pages 16-16 (1): guest 'b' GPA "
			    "0x60000-0x60000 (read-only) from guest 'c', same host page");
	assert_string_equal(e->lines[2], "xt-dump: guest 'b': 17 shared page(s)");
	assert_false(printed(e, "0x100000"));
	assert_false(printed(e, "0x310000"));
	assert_no_host_address(e);

	dump(e, 0);
	assert_int_equal(e->nlines, 3);
	assert_true(printed(e, "guest 'a' GPA 0x100000-0x10f000 (rw) to guest 'b'"));
	assert_true(printed(e, "guest 'a' GPA 0x300000-0x300000 (rw) to guest 'c'"));
	assert_false(printed(e, "0x200000"));
	assert_no_host_address(e);
}

/* However many pairs, one VMCALL prints at most HC_DUMP_MAX_RUNS + 2 lines. */
static void test_dump_bounded(void **state)
{
	struct env *e = *state;

	for (unsigned i = 0; i < 40; i++)
		share(e, 0, 0x100000 + 2 * i * PAGE, 1, 0x200000 + 2 * i * PAGE);
	dump(e, 1);
	assert_int_equal(e->nlines, HC_DUMP_MAX_RUNS + 2);
	assert_string_equal(e->lines[HC_DUMP_MAX_RUNS],
			    "xt-dump: 24 more shared page(s) in 24 run(s) not shown");
	assert_string_equal(e->lines[HC_DUMP_MAX_RUNS + 1], "xt-dump: guest 'b': 40 shared page(s)");
	dump(e, 2);
	assert_int_equal(e->nlines, 1);
	assert_string_equal(e->lines[0], "xt-dump: guest 'c': 0 shared page(s)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed_by_cpl),
		cmocka_unit_test(test_dump_off_by_default),
		cmocka_unit_test(test_dump_rate_limited),
		cmocka_unit_test(test_counters_per_guest),
		cmocka_unit_test(test_counters_machine),
		cmocka_unit_test_setup_teardown(test_dump_shows_only_callers_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_bounded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
