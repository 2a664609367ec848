/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for guest memory with the guest's own EPT permissions
 * (ept/gmem.c), driven by the real remapper (ept/remap.c), EPT builder
 * (ept/ept.c) and guest page walker (vmm/emul/gpt_walk.c).
 *
 * Two fake guests, A (sender) and B (receiver), each with 4 MiB of malloc'd
 * RAM at a fake host-physical address and an EPT mapping it RWX, as
 * vmm/guest/guest.c does. A's TX page TX_A is shared with B's RX page RX_B: B
 * holds it read-only. The hostile guest is B: it asks the VMM to write into
 * that page (a hypercall result, INS, the page walker's A/D flags, a
 * descriptor write-back). A's page must never change.
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
#include "ept/gmem.h"
#include "ept/remap.h"
#include "lib/xerrno.h"
#include "vmm/emul/gpt_walk.h"

#define PAGE		0x1000ULL
#define RAM_SIZE	(4ULL << 20)
#define POOL_PAGES	64
#define POOL_HPA	0x80000000ULL
#define GA		0
#define GB		1
#define TX_A		0x10000ULL	/* A's TX buffer page */
#define RX_B		0x20000ULL	/* B's RX buffer page, shared read-only with TX_A */
#define DATA_B		0x30000ULL	/* an ordinary page of B */
#define RWX		(EPT_PTE_READ | EPT_PTE_WRITE | EPT_PTE_EXEC)

static const uint64_t ram_hpa[2] = { 0x100000000ULL, 0x200000000ULL };

struct pool {
	uint8_t *arena;
	bool used[POOL_PAGES];
};

struct env {
	struct pool pool;		/* EPT tables and shared pages */
	uint8_t *ram[2];
	struct ept ept[2];
	struct remap_side side[2];
	struct gmem mem[2];
	struct ept_ops eops;
	struct remap_ops rops;
	struct remapper rm;
};

/* ---- fakes ---- */

static void *pool_alloc(void *ctx, uint64_t *hpa)
{
	struct env *e = ctx;

	for (unsigned i = 0; i < POOL_PAGES; i++) {
		if (e->pool.used[i])
			continue;
		e->pool.used[i] = true;
		memset(e->pool.arena + i * PAGE, 0, PAGE);
		*hpa = POOL_HPA + i * PAGE;
		return e->pool.arena + i * PAGE;
	}
	return NULL;
}

/* A freed page is poisoned: a pointer kept into it shows. */
static void pool_free(void *ctx, void *va, uint64_t hpa)
{
	struct env *e = ctx;

	e->pool.used[(hpa - POOL_HPA) / PAGE] = false;
	memset(va, 0xa5, PAGE);
}

static void *phys_va(void *ctx, uint64_t hpa)
{
	struct env *e = ctx;

	for (unsigned g = 0; g < 2; g++)
		if (hpa >= ram_hpa[g] && hpa < ram_hpa[g] + RAM_SIZE)
			return e->ram[g] + (hpa - ram_hpa[g]);
	assert_true(hpa >= POOL_HPA && hpa < POOL_HPA + POOL_PAGES * PAGE);
	return e->pool.arena + (hpa - POOL_HPA);
}

static void fake_invept(void *ctx, struct ept *ept)
{
	(void)ctx;
	(void)ept;
}

static void guest_init(struct env *e, unsigned g)
{
	e->ram[g] = aligned_alloc(PAGE, RAM_SIZE);
	assert_non_null(e->ram[g]);
	memset(e->ram[g], 0, RAM_SIZE);
	assert_int_equal(ept_init(&e->ept[g], &e->eops, 1ULL << 32), 0);
	assert_int_equal(ept_map(&e->ept[g], 0, ram_hpa[g], RAM_SIZE, RWX, EPT_MT_WB), 0);
	e->side[g] = (struct remap_side){ .ept = &e->ept[g], .ram_hpa = ram_hpa[g],
					  .ram_size = RAM_SIZE, .id = g };
	gmem_init(&e->mem[g], e->ram[g], RAM_SIZE);
	gmem_attach(&e->mem[g], &e->rm, &e->side[g]);
}

/* A has put a frame in TX_A; the pair is shared (B's side read-only). */
static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->pool.arena = aligned_alloc(PAGE, POOL_PAGES * PAGE);
	assert_non_null(e->pool.arena);
	e->eops = (struct ept_ops){ pool_alloc, pool_free, phys_va, e };
	e->rops = (struct remap_ops){ pool_alloc, pool_free, phys_va, fake_invept, e };
	guest_init(e, GA);
	guest_init(e, GB);
	assert_int_equal(remap_init(&e->rm, &e->rops), 0);
	memcpy(e->ram[GA] + TX_A, "A's frame for B", 16);
	assert_true(remap_share(&e->rm, &e->side[GA], TX_A, &e->side[GB], RX_B) >= 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	remap_unshare_side(&e->rm, &e->side[GA]);
	for (unsigned g = 0; g < 2; g++) {
		ept_destroy(&e->ept[g]);
		free(e->ram[g]);
	}
	for (unsigned i = 0; i < POOL_PAGES; i++)
		assert_false(e->pool.used[i]);
	free(e->pool.arena);
	free(e);
	return 0;
}

/* ---- helpers ---- */

/* What A sees at gpa now (through its EPT and the shared page). */
static void a_sees(struct env *e, uint64_t gpa, void *buf, uint64_t len)
{
	assert_int_equal(gmem_read(&e->mem[GA], gpa, buf, len), 0);
}

static void assert_a_unchanged(struct env *e)
{
	char buf[16];

	a_sees(e, TX_A, buf, sizeof(buf));
	assert_memory_equal(buf, "A's frame for B", 16);
}

static bool ept_writable(struct env *e, unsigned g, uint64_t gpa)
{
	uint64_t hpa, perms;

	assert_int_equal(ept_lookup(&e->ept[g], gpa, &hpa, &perms, NULL, NULL), 0);
	return perms & EPT_PTE_WRITE;
}

/* B gets its own page: A's page unchanged, B's write in B's page, B may
 * write it through its EPT now, the pair is gone. */
static void assert_cow_done(struct env *e, uint64_t off, const char *what, size_t n)
{
	char buf[32];

	assert_a_unchanged(e);
	assert_int_equal(gmem_read(&e->mem[GB], RX_B + off, buf, n), 0);
	assert_memory_equal(buf, what, n);
	assert_memory_equal(e->ram[GB] + RX_B + off, what, n);
	assert_true(ept_writable(e, GB, RX_B));
	assert_int_equal(remap_find(&e->rm, &e->side[GB], RX_B), -1);
	assert_int_equal(e->mem[GB].st.cow_breaks, 1);
	assert_int_equal(e->rm.st.cow_breaks, 1);
}

/* ---- H1: B asks the VMM to write into its read-only RX page ---- */

/* XTALK_HC_COUNTERS with RDI in the RX page (vmm/exit/vmcall.c). */
static void test_hypercall_result_into_rx_page(void **state)
{
	struct env *e = *state;

	assert_int_equal(gmem_write(&e->mem[GB], RX_B + 4, "PWNED", 5, GMEM_WRITE), 0);
	assert_cow_done(e, 4, "PWNED", 5);
	/* B's page still holds A's frame around the write (a copy of S). */
	assert_memory_equal(e->ram[GB] + RX_B, "A's ", 4);
}

/* out 0x3ff, x; insb with RDI in the RX page (vmm/exit/io.c), no paging. */
static void test_insb_into_rx_page(void **state)
{
	struct env *e = *state;
	struct gpt_mode m = { 0 };
	uint8_t scratch = 'X';
	uint32_t ec;
	uint64_t fault;

	assert_int_equal(gpt_write(&m, 40, RX_B + 1, &scratch, 1, GPT_ACCESS_WRITE, gmem_cpu_map,
				   &e->mem[GB], &ec, &fault), 0);
	assert_cow_done(e, 1, "X", 1);
}

/*
 * B's page tables in the RX page (A's bytes, e.g. a frame a third guest had
 * A send): 32-bit paging, CR3 = RX_B, whose PDE 0 points at RX_B itself and
 * whose PTE 5 maps DATA_B. An INS at linear 0x5000 sets A in both entries
 * and D in the PTE: writes into the page B only reads.
 */
static void test_page_walker_flags_in_rx_page(void **state)
{
	struct env *e = *state;
	uint32_t pde = (uint32_t)RX_B | PTE_P | PTE_RW, pte = (uint32_t)DATA_B | PTE_P | PTE_RW;
	struct gpt_mode m = { .cr0 = X86_CR0_PG | X86_CR0_PE, .cr3 = RX_B };
	uint8_t byte = 'Y';
	uint32_t ec, e0, e5;
	uint64_t fault;

	remap_unshare_side(&e->rm, &e->side[GA]);
	memcpy(e->ram[GA] + TX_A, &pde, 4);
	memcpy(e->ram[GA] + TX_A + 5 * 4, &pte, 4);
	assert_true(remap_share(&e->rm, &e->side[GA], TX_A, &e->side[GB], RX_B) >= 0);
	assert_int_equal(gpt_write(&m, 40, 0x5000 + 7, &byte, 1, GPT_ACCESS_WRITE, gmem_cpu_map,
				   &e->mem[GB], &ec, &fault), 0);
	a_sees(e, TX_A, &e0, 4);
	a_sees(e, TX_A + 5 * 4, &e5, 4);
	assert_int_equal(e0, pde);
	assert_int_equal(e5, pte);
	memcpy(&e5, e->ram[GB] + RX_B + 5 * 4, 4);
	assert_int_equal(e5, pte | PTE_A | PTE_D);
	assert_int_equal(e->ram[GB][DATA_B + 7], 'Y');
	assert_true(ept_writable(e, GB, RX_B));
}

/* A read walk sets only A flags: a write all the same. */
static void test_page_walker_read_sets_accessed(void **state)
{
	struct env *e = *state;
	uint32_t pde = (uint32_t)RX_B | PTE_P | PTE_RW | PTE_A;
	uint32_t pte = (uint32_t)DATA_B | PTE_P | PTE_RW;
	struct gpt_mode m = { .cr0 = X86_CR0_PG | X86_CR0_PE, .cr3 = RX_B };
	uint32_t ec, e5;
	uint64_t fault;
	uint8_t byte;

	remap_unshare_side(&e->rm, &e->side[GA]);
	memcpy(e->ram[GA] + TX_A, &pde, 4);
	memcpy(e->ram[GA] + TX_A + 5 * 4, &pte, 4);
	assert_true(remap_share(&e->rm, &e->side[GA], TX_A, &e->side[GB], RX_B) >= 0);
	assert_int_equal(gpt_read(&m, 40, 0x5000, &byte, 1, 0, gmem_cpu_map, &e->mem[GB], &ec,
				  &fault), 0);
	a_sees(e, TX_A + 5 * 4, &e5, 4);
	assert_int_equal(e5, pte);
	assert_int_equal(e->mem[GB].st.cow_breaks, 1);
}

/* A descriptor write-back (the device) into the RX page: refused, counted. */
static void test_dma_write_refused(void **state)
{
	struct env *e = *state;
	void *p = NULL;

	assert_int_equal(gmem_map(&e->mem[GB], RX_B, 16, GMEM_DMA_WRITE, &p), -XT_EPERM);
	assert_int_equal(gmem_write(&e->mem[GB], RX_B, "PWNED", 5, GMEM_DMA_WRITE), -XT_EPERM);
	assert_int_equal(e->mem[GB].st.refused, 2);
	assert_a_unchanged(e);
	assert_true(remap_find(&e->rm, &e->side[GB], RX_B) >= 0);
	assert_false(ept_writable(e, GB, RX_B));
}

/* A write that fails on its last page writes nothing before it. */
static void test_refused_write_writes_nothing(void **state)
{
	struct env *e = *state;
	uint8_t buf[32];

	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(gmem_write(&e->mem[GB], RX_B - 16, buf, 32, GMEM_DMA_WRITE), -XT_EPERM);
	assert_int_equal(e->ram[GB][RX_B - 1], 0);
	assert_a_unchanged(e);
}

/* ---- what still works ---- */

/* B reads A's frame through the shared page; A writes its side in place. */
static void test_reads_and_sender_writes(void **state)
{
	struct env *e = *state;
	char buf[16];

	assert_int_equal(gmem_read(&e->mem[GB], RX_B, buf, 16), 0);
	assert_memory_equal(buf, "A's frame for B", 16);
	assert_int_equal(gmem_write(&e->mem[GA], TX_A, "next", 4, GMEM_WRITE), 0);
	assert_int_equal(gmem_read(&e->mem[GB], RX_B, buf, 4), 0);
	assert_memory_equal(buf, "next", 4);
	assert_int_equal(e->mem[GA].st.cow_breaks + e->mem[GB].st.cow_breaks, 0);
	assert_true(remap_find(&e->rm, &e->side[GB], RX_B) >= 0);
}

static void test_outside_ram(void **state)
{
	struct env *e = *state;
	void *p;

	assert_int_equal(gmem_map(&e->mem[GB], RAM_SIZE - 4, 8, GMEM_READ, &p), -XT_EFAULT);
	assert_int_equal(gmem_map(&e->mem[GB], RAM_SIZE, 1, GMEM_READ, &p), -XT_EFAULT);
	assert_int_equal(gmem_map(&e->mem[GB], 0, 0, GMEM_READ, &p), -XT_EFAULT);
	assert_int_equal(gmem_map(&e->mem[GB], ~0ULL, 2, GMEM_READ, &p), -XT_EFAULT);
	assert_int_equal(gmem_write(&e->mem[GB], 0, "x", 1, GMEM_READ), -XT_EINVAL);
	assert_int_equal(gmem_map(&e->mem[GB], RAM_SIZE - 8, 8, GMEM_WRITE, &p), 0);
	assert_ptr_equal(p, e->ram[GB] + RAM_SIZE - 8);
}

/* ---- L2: a buffer over an ordinary page and a shared page ---- */

static void test_buffer_spanning_shared_page(void **state)
{
	struct env *e = *state;
	struct gmem_seg seg[2];
	uint8_t *p;

	memcpy(e->ram[GB] + RX_B - 4, "tail", 4);
	/* Not one host block: its own error, not "outside RAM". */
	assert_int_equal(gmem_map(&e->mem[GB], RX_B - 4, 20, GMEM_READ, (void **)&p), -XT_ERANGE);
	/* The pieces deliver it. */
	assert_int_equal(gmem_segs(&e->mem[GB], RX_B - 4, 20, GMEM_READ, seg, 2), 2);
	assert_int_equal(seg[0].gpa, RX_B - 4);
	assert_int_equal(seg[0].len, 4);
	assert_memory_equal(seg[0].va, "tail", 4);
	assert_int_equal(seg[1].gpa, RX_B);
	assert_int_equal(seg[1].len, 16);
	assert_memory_equal(seg[1].va, "A's frame for B", 16);
	assert_int_equal(gmem_segs(&e->mem[GB], RX_B - 4, 20, GMEM_READ, seg, 1), -XT_E2BIG);
	/* A device write over both is refused for the read-only part. */
	assert_int_equal(gmem_segs(&e->mem[GB], RX_B - 4, 20, GMEM_DMA_WRITE, seg, 2), -XT_EPERM);
}

/* Own pages next to each other merge into one piece. */
static void test_segments_merge(void **state)
{
	struct env *e = *state;
	struct gmem_seg seg[1];

	assert_int_equal(gmem_segs(&e->mem[GB], DATA_B + 100, 3 * PAGE, GMEM_READ, seg, 1), 1);
	assert_ptr_equal(seg[0].va, e->ram[GB] + DATA_B + 100);
	assert_int_equal(seg[0].len, 3 * PAGE);
}

/* A pair of two pages of one guest: the copy on write of the second frees
 * the shared page the first one pointed into; the range is resolved again. */
static void test_cow_inside_one_guest(void **state)
{
	struct env *e = *state;
	uint8_t buf[2 * PAGE];
	void *p;

	memset(buf, 'q', sizeof(buf));
	assert_true(remap_share(&e->rm, &e->side[GA], 0x40000, &e->side[GA], 0x41000) >= 0);
	assert_int_equal(gmem_write(&e->mem[GA], 0x40000, buf, sizeof(buf), GMEM_WRITE), 0);
	assert_memory_equal(e->ram[GA] + 0x40000, buf, sizeof(buf));
	assert_int_equal(gmem_map(&e->mem[GA], 0x40000, 2 * PAGE, GMEM_WRITE, &p), 0);
	assert_ptr_equal(p, e->ram[GA] + 0x40000);
}

/* Without a remapper, or with nothing shared: the guest's own block. */
static void test_nothing_shared(void **state)
{
	struct env *e = *state;
	struct gmem m;
	void *p;

	gmem_init(&m, e->ram[GB], RAM_SIZE);
	assert_int_equal(gmem_map(&m, RX_B, 8, GMEM_DMA_WRITE, &p), 0);
	assert_ptr_equal(p, e->ram[GB] + RX_B);
	remap_unshare_side(&e->rm, &e->side[GA]);
	assert_int_equal(gmem_map(&e->mem[GB], RX_B, 8, GMEM_DMA_WRITE, &p), 0);
	assert_ptr_equal(p, e->ram[GB] + RX_B);
	assert_int_equal(gmem_map(&e->mem[GB], RX_B - 4, 8, GMEM_READ, &p), 0);
}

/*
 * The pair's views (issue 11 H2, M2; ept/remap.h remap_set_views): once B
 * consumed the frame its view is closed, and what the VMM reads or writes
 * for B there is B's own page, never S; while B holds a frame, A's side is
 * locked, and a write the VMM makes for A (INS, a hypercall result) gets A
 * its own copy first, as A's own store would: the frame B holds is intact.
 */
static void test_closed_and_locked_views(void **state)
{
	struct env *e = *state;
	int pair = remap_find(&e->rm, &e->side[GB], RX_B);
	unsigned k = (unsigned)pair;
	char buf[16];
	void *p;

	assert_true(pair >= 0);
	memcpy(e->ram[GB] + RX_B, "B's own page...", 16);
	assert_int_equal(remap_set_views(&e->rm, &k, 1, false, false), 0);
	assert_int_equal(gmem_read(&e->mem[GB], RX_B, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, "B's own page...", 16);
	assert_int_equal(gmem_map(&e->mem[GB], RX_B, 8, GMEM_DMA_WRITE, &p), 0);
	assert_ptr_equal(p, e->ram[GB] + RX_B);
	assert_a_unchanged(e);

	assert_int_equal(remap_set_views(&e->rm, &k, 1, true, true), 0);
	assert_int_equal(gmem_map(&e->mem[GA], TX_A, 8, GMEM_DMA_WRITE, &p), -XT_EPERM);
	assert_int_equal(gmem_write(&e->mem[GA], TX_A, "rewrite", 7, GMEM_WRITE), 0);
	assert_int_equal(gmem_read(&e->mem[GB], RX_B, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, "A's frame for B", 16);
	assert_int_equal(gmem_read(&e->mem[GA], TX_A, buf, 7), 0);
	assert_memory_equal(buf, "rewrite", 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hypercall_result_into_rx_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insb_into_rx_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_walker_flags_in_rx_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_walker_read_sets_accessed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_write_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_write_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_and_sender_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_spanning_shared_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segments_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cow_inside_one_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_and_locked_views, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
