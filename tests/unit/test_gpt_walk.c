// SPDX-License-Identifier: MIT
/* Host unit tests for the guest page-table walker (vmm/emul/gpt_walk.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "lib/xerrno.h"
#include "vmm/emul/gpt_walk.h"

#define RAM_SIZE	(8u << 20)
#define DATA		0x100000ull	/* default data page */
#define M		40		/* MAXPHYADDR used by most tests */
#define PRW		(PTE_P | PTE_RW)
#define PRWU		(PTE_P | PTE_RW | PTE_US)

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static uint64_t ro_page = ~0ull;	/* a page the map refuses to write (the guest only reads it) */

static void *map_ram(void *ctx, uint64_t gpa, size_t len, bool write)
{
	(void)ctx;
	if (gpa > RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	if (write && (gpa & ~0xfffull) == ro_page)
		return NULL;
	return ram + gpa;
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(ram + gpa, &v, 8);
}

static uint64_t get64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, ram + gpa, 8);
	return v;
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(ram + gpa, &v, 4);
}

static uint32_t get32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, ram + gpa, 4);
	return v;
}

static int reset(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	ro_page = ~0ull;
	return 0;
}

static unsigned idx(uint64_t gva, unsigned level)
{
	return (gva >> (12 + 9 * (level - 1))) & 0x1ff;
}

static struct gpt_mode long_mode(uint64_t cr3)
{
	struct gpt_mode m = {
		.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP,
		.cr3 = cr3,
		.cr4 = X86_CR4_PAE,
		.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE,
	};
	return m;
}

/* Tables of the 4-level fixture: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
static uint64_t ent_addr(uint64_t gva, unsigned level)
{
	return (uint64_t)(5 - level) * 0x1000 + idx(gva, level) * 8;
}

/* Map gva -> page with 4-level paging; `flags` on every level. */
static void map4k(uint64_t gva, uint64_t page, uint64_t flags)
{
	put64(ent_addr(gva, 4), 0x2000 | flags);
	put64(ent_addr(gva, 3), 0x3000 | flags);
	put64(ent_addr(gva, 2), 0x4000 | flags);
	put64(ent_addr(gva, 1), page | flags);
}

static int walk(const struct gpt_mode *m, uint64_t gva, unsigned acc, uint64_t *gpa, uint32_t *ec)
{
	*gpa = ~0ull;
	*ec = 0xdead;
	return gpt_walk(m, M, gva, acc, map_ram, NULL, gpa, ec);
}

static void expect_fault(const struct gpt_mode *m, uint64_t gva, unsigned acc, uint32_t want)
{
	uint64_t gpa;
	uint32_t ec;

	assert_int_equal(walk(m, gva, acc, &gpa, &ec), -XT_EFAULT);
	assert_int_equal(ec, want);
}

static void expect_ok(const struct gpt_mode *m, uint64_t gva, unsigned acc, uint64_t want)
{
	uint64_t gpa;
	uint32_t ec;

	assert_int_equal(walk(m, gva, acc, &gpa, &ec), 0);
	assert_int_equal(ec, 0);
	assert_int_equal(gpa, want);
}

static void test_no_paging(void **state)
{
	struct gpt_mode m = { .cr0 = X86_CR0_PE };

	(void)state;
	expect_ok(&m, 0x123456789ull, 0, 0x23456789ull);
	expect_ok(&m, 0xfffff, GPT_ACCESS_WRITE | GPT_ACCESS_USER | GPT_ACCESS_FETCH, 0xfffff);
}

static void test_long_4k(void **state)
{
	uint64_t gva = 0xffff8000deadb123ull;
	struct gpt_mode m = long_mode(0x1000);

	(void)state;
	map4k(gva, DATA, PRWU);
	expect_ok(&m, gva, 0, DATA | 0x123);
	for (unsigned l = 1; l <= 4; l++) {
		assert_true(get64(ent_addr(gva, l)) & PTE_A);
		assert_false(get64(ent_addr(gva, l)) & PTE_D);
	}
	expect_ok(&m, gva, GPT_ACCESS_WRITE | GPT_ACCESS_USER, DATA | 0x123);
	assert_int_equal(get64(ent_addr(gva, 1)), DATA | PRWU | PTE_A | PTE_D);
	for (unsigned l = 2; l <= 4; l++)
		assert_false(get64(ent_addr(gva, l)) & PTE_D);
	/* CR3 low bits (PCID) and bits above MAXPHYADDR (LAM) are not address bits. */
	m.cr3 = 0x1000 | 0x5a | (1ull << 61);
	expect_ok(&m, gva, GPT_ACCESS_FETCH, DATA | 0x123);
}

static void test_long_2m_1g(void **state)
{
	uint64_t gva = 0x00007f1234567890ull;
	struct gpt_mode m = long_mode(0x1000);

	(void)state;
	map4k(gva, DATA, PRW);
	put64(ent_addr(gva, 2), 0x600000 | PRW | PTE_PS | (1ull << 12) /* PAT */);
	expect_ok(&m, gva, GPT_ACCESS_WRITE, 0x600000 | (gva & 0x1fffff));
	assert_int_equal(get64(ent_addr(gva, 2)), 0x600000 | PRW | PTE_PS | (1ull << 12) | PTE_A | PTE_D);
	assert_int_equal(get64(ent_addr(gva, 1)), DATA | PRW);	/* not used */

	put64(ent_addr(gva, 3), 0xc0000000ull | PRW | PTE_PS);
	expect_ok(&m, gva, 0, 0xc0000000ull | (gva & 0x3fffffff));
	assert_int_equal(get64(ent_addr(gva, 3)), 0xc0000000ull | PRW | PTE_PS | PTE_A);
	expect_ok(&m, gva, GPT_ACCESS_WRITE, 0xc0000000ull | (gva & 0x3fffffff));
	assert_true(get64(ent_addr(gva, 3)) & PTE_D);
	assert_false(get64(ent_addr(gva, 4)) & PTE_D);
}

static void test_long_not_present(void **state)
{
	uint64_t gva = 0x0000123456789000ull;
	struct gpt_mode m = long_mode(0x1000);

	(void)state;
	for (unsigned l = 1; l <= 4; l++) {
		memset(ram, 0, 0x10000);
		map4k(gva, DATA, PRWU);
		put64(ent_addr(gva, l), get64(ent_addr(gva, l)) & ~PTE_P);
		expect_fault(&m, gva, 0, 0);
		expect_fault(&m, gva, GPT_ACCESS_WRITE, PF_EC_W);
		expect_fault(&m, gva, GPT_ACCESS_WRITE | GPT_ACCESS_USER, PF_EC_W | PF_EC_U);
		expect_fault(&m, gva, GPT_ACCESS_FETCH | GPT_ACCESS_USER, PF_EC_I | PF_EC_U);
		/* Nothing is marked accessed by a faulting walk. */
		for (unsigned k = 1; k <= 4; k++)
			assert_false(get64(ent_addr(gva, k)) & PTE_A);
	}
	/* I/D is reported only with SMEP or PAE+NXE. */
	m.efer &= ~X86_EFER_NXE;
	expect_fault(&m, gva, GPT_ACCESS_FETCH, 0);
	m.cr4 |= X86_CR4_SMEP;
	expect_fault(&m, gva, GPT_ACCESS_FETCH, PF_EC_I);
}

static void test_write_protect(void **state)
{
	uint64_t gva = 0x400000;
	struct gpt_mode m = long_mode(0x1000);

	(void)state;
	for (unsigned l = 1; l <= 4; l++) {
		memset(ram, 0, 0x10000);
		map4k(gva, DATA, PRWU);
		put64(ent_addr(gva, l), get64(ent_addr(gva, l)) & ~PTE_RW);
		m.cr0 |= X86_CR0_WP;
		expect_ok(&m, gva, 0, DATA);
		expect_ok(&m, gva, GPT_ACCESS_USER, DATA);
		expect_fault(&m, gva, GPT_ACCESS_WRITE, PF_EC_P | PF_EC_W);
		expect_fault(&m, gva, GPT_ACCESS_WRITE | GPT_ACCESS_USER, PF_EC_P | PF_EC_W | PF_EC_U);
		assert_false(get64(ent_addr(gva, 1)) & PTE_D);
		m.cr0 &= ~X86_CR0_WP;
		expect_ok(&m, gva, GPT_ACCESS_WRITE, DATA);
		assert_true(get64(ent_addr(gva, 1)) & PTE_D);
		expect_fault(&m, gva, GPT_ACCESS_WRITE | GPT_ACCESS_USER, PF_EC_P | PF_EC_W | PF_EC_U);
	}
}

static void test_user_supervisor(void **state)
{
	uint64_t gva = 0x7fff0000ull;
	struct gpt_mode m = long_mode(0x1000);

	(void)state;
	for (unsigned l = 1; l <= 4; l++) {
		memset(ram, 0, 0x10000);
		map4k(gva, DATA, PRWU);
		put64(ent_addr(gva, l), get64(ent_addr(gva, l)) & ~PTE_US);
		expect_ok(&m, gva, GPT_ACCESS_WRITE, DATA);
		expect_fault(&m, gva, GPT_ACCESS_USER, PF_EC_P | PF_EC_U);
		expect_fault(&m, gva, GPT_ACCESS_USER | GPT_ACCESS_WRITE,
			     PF_EC_P | PF_EC_W | PF_EC_U);
		expect_fault(&m, gva, GPT_ACCESS_USER | GPT_ACCESS_FETCH,
			     PF_EC_P | PF_EC_U | PF_EC_I);
	}
}

static void test_nx(void **state)
{
	uint64_t gva = 0x400000;
	struct gpt_mode m = long_mode(0x1000);

	(void)state;
	for (unsigned l = 1; l <= 4; l++) {
		memset(ram, 0, 0x10000);
		map4k(gva, DATA, PRWU);
		put64(ent_addr(gva, l), get64(ent_addr(gva, l)) | PTE_NX);
		m.efer |= X86_EFER_NXE;
		expect_ok(&m, gva, GPT_ACCESS_WRITE, DATA);
		expect_fault(&m, gva, GPT_ACCESS_FETCH, PF_EC_P | PF_EC_I);
		expect_fault(&m, gva, GPT_ACCESS_FETCH | GPT_ACCESS_USER,
			     PF_EC_P | PF_EC_I | PF_EC_U);
		/* With NXE = 0, bit 63 is reserved. */
		m.efer &= ~X86_EFER_NXE;
		expect_fault(&m, gva, 0, PF_EC_P | PF_EC_RSVD);
		expect_fault(&m, gva, GPT_ACCESS_FETCH, PF_EC_P | PF_EC_RSVD);
	}
	/* Without NX anywhere, fetches succeed with NXE = 0 or 1. */
	memset(ram, 0, 0x10000);
	map4k(gva, DATA, PRWU);
	expect_ok(&m, gva, GPT_ACCESS_FETCH, DATA);
	m.efer |= X86_EFER_NXE;
	expect_ok(&m, gva, GPT_ACCESS_FETCH | GPT_ACCESS_USER, DATA);
}

static void test_smep_smap(void **state)
{
	uint64_t gva = 0x400000;
	struct gpt_mode m = long_mode(0x1000);

	(void)state;
	map4k(gva, DATA, PRWU);
	m.cr4 |= X86_CR4_SMEP | X86_CR4_SMAP;
	expect_fault(&m, gva, GPT_ACCESS_FETCH, PF_EC_P | PF_EC_I);
	expect_ok(&m, gva, GPT_ACCESS_FETCH | GPT_ACCESS_USER, DATA);
	expect_ok(&m, gva, GPT_ACCESS_WRITE, DATA);	/* SMAP not requested */
	expect_fault(&m, gva, GPT_ACCESS_SMAP, PF_EC_P);
	expect_fault(&m, gva, GPT_ACCESS_SMAP | GPT_ACCESS_WRITE, PF_EC_P | PF_EC_W);
	expect_ok(&m, gva, GPT_ACCESS_SMAP | GPT_ACCESS_USER, DATA);
	/* A supervisor page is fine for both. */
	put64(ent_addr(gva, 1), DATA | PRW);
	expect_ok(&m, gva, GPT_ACCESS_FETCH, DATA);
	expect_ok(&m, gva, GPT_ACCESS_SMAP, DATA);
	m.cr4 &= ~(X86_CR4_SMEP | X86_CR4_SMAP);
	put64(ent_addr(gva, 1), DATA | PRWU);
	expect_ok(&m, gva, GPT_ACCESS_FETCH | GPT_ACCESS_SMAP, DATA);
}

static void test_reserved_long(void **state)
{
	uint64_t gva = 0x40201000ull;
	struct gpt_mode m = long_mode(0x1000);
	uint64_t gpa;
	uint32_t ec;

	(void)state;
	/* Address bits at or above MAXPHYADDR, at each level. */
	for (unsigned l = 1; l <= 4; l++) {
		memset(ram, 0, 0x10000);
		map4k(gva, DATA, PRWU);
		put64(ent_addr(gva, l), get64(ent_addr(gva, l)) | (1ull << M));
		expect_fault(&m, gva, 0, PF_EC_P | PF_EC_RSVD);
		/* The reserved bit wins over the protection check. */
		put64(ent_addr(gva, l), get64(ent_addr(gva, l)) & ~PTE_US);
		expect_fault(&m, gva, GPT_ACCESS_USER | GPT_ACCESS_WRITE,
			     PF_EC_P | PF_EC_RSVD | PF_EC_U | PF_EC_W);
	}
	/* Bit 45 is an address bit with MAXPHYADDR 52 and reserved with 45. */
	memset(ram, 0, 0x10000);
	map4k(gva, DATA, PRWU);
	put64(ent_addr(gva, 1), DATA | PRWU | (1ull << 45));
	assert_int_equal(gpt_walk(&m, 52, gva, 0, map_ram, NULL, &gpa, &ec), 0);
	assert_int_equal(gpa, (1ull << 45) | DATA);
	assert_int_equal(gpt_walk(&m, 45, gva, 0, map_ram, NULL, &gpa, &ec), -XT_EFAULT);
	assert_int_equal(ec, PF_EC_P | PF_EC_RSVD);
	/* Bits 62:52 are ignored in 4-level paging. */
	put64(ent_addr(gva, 1), DATA | PRWU | (0x7ffull << 52));
	expect_ok(&m, gva, 0, DATA);
	/* PS is reserved in a PML4E. */
	put64(ent_addr(gva, 4), 0x2000 | PRWU | PTE_PS);
	expect_fault(&m, gva, 0, PF_EC_P | PF_EC_RSVD);
	put64(ent_addr(gva, 4), 0x2000 | PRWU);
	/* Large pages: bits between PAT (12) and the page size must be 0. */
	put64(ent_addr(gva, 2), 0x200000 | PRWU | PTE_PS | (1ull << 13));
	expect_fault(&m, gva, 0, PF_EC_P | PF_EC_RSVD);
	put64(ent_addr(gva, 2), 0x200000 | PRWU | PTE_PS | (1ull << 20));
	expect_fault(&m, gva, 0, PF_EC_P | PF_EC_RSVD);
	put64(ent_addr(gva, 3), 0x40000000 | PRWU | PTE_PS | (1ull << 29));
	expect_fault(&m, gva, 0, PF_EC_P | PF_EC_RSVD);
	put64(ent_addr(gva, 3), 0x40000000 | PRWU | PTE_PS | (1ull << 12));
	expect_ok(&m, gva, 0, 0x40000000 | (gva & 0x3fffffff));
}

static void test_noncanonical(void **state)
{
	struct gpt_mode m = long_mode(0x1000);
	uint64_t gpa;
	uint32_t ec;

	(void)state;
	assert_int_equal(walk(&m, 0x0000800000000000ull, 0, &gpa, &ec), -XT_EINVAL);
	assert_int_equal(walk(&m, 0xffff7fffffffffffull, 0, &gpa, &ec), -XT_EINVAL);
	assert_int_equal(walk(&m, 0x8000000000000000ull, 0, &gpa, &ec), -XT_EINVAL);
	assert_int_equal(walk(&m, 0xffff800000000000ull, 0, &gpa, &ec), -XT_EFAULT);
	assert_int_equal(walk(&m, 0x00007fffffffffffull, 0, &gpa, &ec), -XT_EFAULT);
	m.cr4 |= X86_CR4_LA57;
	assert_int_equal(walk(&m, 0x0000800000000000ull, 0, &gpa, &ec), -XT_EFAULT);
	assert_int_equal(walk(&m, 0x0100000000000000ull, 0, &gpa, &ec), -XT_EINVAL);
	assert_int_equal(walk(&m, 0xff00000000000000ull, 0, &gpa, &ec), -XT_EFAULT);
	/* Inconsistent: long mode without PAE. */
	m.cr4 &= ~X86_CR4_PAE;
	assert_int_equal(walk(&m, 0, 0, &gpa, &ec), -XT_EINVAL);
	/* NULL arguments. */
	assert_int_equal(gpt_walk(NULL, M, 0, 0, map_ram, NULL, &gpa, &ec), -XT_EINVAL);
	assert_int_equal(gpt_walk(&m, M, 0, 0, NULL, NULL, &gpa, &ec), -XT_EINVAL);
}

static void test_la57(void **state)
{
	uint64_t gva = 0x00ab123456789abcull;
	struct gpt_mode m = long_mode(0x5000);

	(void)state;
	m.cr4 |= X86_CR4_LA57;
	put64(0x5000 + ((gva >> 48) & 0x1ff) * 8, 0x1000 | PRWU);
	map4k(gva, DATA, PRWU);
	expect_ok(&m, gva, GPT_ACCESS_WRITE, DATA | 0xabc);
	assert_true(get64(0x5000 + ((gva >> 48) & 0x1ff) * 8) & PTE_A);
	assert_false(get64(0x5000 + ((gva >> 48) & 0x1ff) * 8) & PTE_D);
	assert_true(get64(ent_addr(gva, 1)) & PTE_D);
	put64(0x5000 + ((gva >> 48) & 0x1ff) * 8, 0x1000 | PRWU | PTE_PS);
	expect_fault(&m, gva, 0, PF_EC_P | PF_EC_RSVD);
	put64(0x5000 + ((gva >> 48) & 0x1ff) * 8, 0x1000 | PTE_RW);
	expect_fault(&m, gva, 0, 0);
}

static void test_outside_ram(void **state)
{
	uint64_t gva = 0x400000;
	struct gpt_mode m = long_mode(0x10000000);
	uint64_t gpa;
	uint32_t ec;

	(void)state;
	assert_int_equal(walk(&m, gva, 0, &gpa, &ec), -XT_ERANGE);
	m.cr3 = 0x1000;
	map4k(gva, DATA, PRWU);
	put64(ent_addr(gva, 2), 0x7ff000 | PRWU);	/* last page of RAM: fine */
	put64(0x7ff000 + idx(gva, 1) * 8, DATA | PRWU);
	expect_ok(&m, gva, 0, DATA);
	put64(ent_addr(gva, 2), 0x800000 | PRWU);	/* just past RAM */
	assert_int_equal(walk(&m, gva, 0, &gpa, &ec), -XT_ERANGE);
	/* A leaf may point anywhere: only gpt_read needs the data to be RAM. */
	put64(ent_addr(gva, 2), 0x4000 | PRWU);
	put64(ent_addr(gva, 1), 0xfee00000ull | PRWU);
	expect_ok(&m, gva, 0, 0xfee00000ull);
	uint8_t b;
	uint64_t fault = 0;
	assert_int_equal(gpt_read(&m, M, gva + 5, &b, 1, 0, map_ram, NULL, &ec, &fault),
			 -XT_ERANGE);
	assert_int_equal(fault, gva + 5);
}

static void test_read_write_cross_page(void **state)
{
	uint64_t gva = 0x400ffcull, fault = 0;
	struct gpt_mode m = long_mode(0x1000);
	uint8_t buf[8], want[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint32_t ec = 0;

	(void)state;
	map4k(0x400000, DATA, PRWU);
	memcpy(ram + DATA + 0xffc, want, 4);
	memcpy(ram + 0x200000, want + 4, 4);
	assert_int_equal(gpt_read(&m, M, gva, buf, 8, 0, map_ram, NULL, &ec, &fault), -XT_EFAULT);
	assert_int_equal(fault, 0x401000);
	assert_int_equal(ec, 0);
	assert_int_equal(gpt_read(&m, M, gva, buf, 8, GPT_ACCESS_USER, map_ram, NULL, &ec, &fault),
			 -XT_EFAULT);
	assert_int_equal(ec, PF_EC_U);

	put64(ent_addr(0x401000, 1), 0x200000 | PTE_P | PTE_US);	/* read-only */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(gpt_read(&m, M, gva, buf, 8, 0, map_ram, NULL, &ec, &fault), 0);
	assert_memory_equal(buf, want, 8);
	assert_int_equal(gpt_read(&m, M, gva, buf, 0, 0, map_ram, NULL, &ec, &fault), 0);

	/* A write faulting on the second page changes nothing on the first. */
	put64(ent_addr(0x400000, 1), DATA | PRWU);
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(gpt_write(&m, M, gva, buf, 8, 0, map_ram, NULL, &ec, &fault), -XT_EFAULT);
	assert_int_equal(fault, 0x401000);
	assert_int_equal(ec, PF_EC_P | PF_EC_W);
	assert_memory_equal(ram + DATA + 0xffc, want, 4);
	assert_false(get64(ent_addr(0x400000, 1)) & PTE_D);

	put64(ent_addr(0x401000, 1), 0x200000 | PRWU);
	assert_int_equal(gpt_write(&m, M, gva, buf, 8, 0, map_ram, NULL, &ec, &fault), 0);
	assert_memory_equal(ram + DATA + 0xffc, buf, 4);
	assert_memory_equal(ram + 0x200000, buf + 4, 4);
	assert_true(get64(ent_addr(0x400000, 1)) & PTE_D);
	assert_true(get64(ent_addr(0x401000, 1)) & PTE_D);

	/* Bad arguments. */
	assert_int_equal(gpt_read(&m, M, gva, NULL, 8, 0, map_ram, NULL, &ec, &fault), -XT_EINVAL);
	assert_int_equal(gpt_write(&m, M, gva, buf, 8, 0, map_ram, NULL, NULL, &fault),
			 -XT_EINVAL);
}

static void test_read_noncanonical_second_page(void **state)
{
	uint64_t gva = 0x00007ffffffffffeull, fault = 0;
	struct gpt_mode m = long_mode(0x1000);
	uint8_t buf[4];
	uint32_t ec = 0;

	(void)state;
	map4k(gva, DATA, PRWU);
	assert_int_equal(gpt_read(&m, M, gva, buf, 4, 0, map_ram, NULL, &ec, &fault), -XT_EINVAL);
	assert_int_equal(fault, 0x0000800000000000ull);
}

/* 32-bit paging fixture: PD at 0x1000, PT at 0x2000. */
static struct gpt_mode mode32(bool pse)
{
	struct gpt_mode m = {
		.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP,
		.cr3 = 0x1000,
		.cr4 = pse ? X86_CR4_PSE : 0,
		.efer = X86_EFER_NXE,
	};
	return m;
}

static void test_32bit_4k(void **state)
{
	uint64_t gva = 0xc0123456ull;
	uint64_t pde = 0x1000 + (gva >> 22) * 4, pte = 0x2000 + ((gva >> 12) & 0x3ff) * 4;
	struct gpt_mode m = mode32(false);

	(void)state;
	put32(pde, 0x2000 | PRWU);
	put32(pte, DATA | PRWU);
	expect_ok(&m, gva, 0, DATA | 0x456);
	expect_ok(&m, gva | (1ull << 32), 0, DATA | 0x456);	/* 32-bit linear addresses */
	assert_int_equal(get32(pde), 0x2000 | PRWU | PTE_A);
	assert_int_equal(get32(pte), DATA | PRWU | PTE_A);
	expect_ok(&m, gva, GPT_ACCESS_WRITE, DATA | 0x456);
	assert_int_equal(get32(pde), 0x2000 | PRWU | PTE_A);
	assert_int_equal(get32(pte), DATA | PRWU | PTE_A | PTE_D);
	/* The neighbouring entry is untouched by the 32-bit atomic OR. */
	assert_int_equal(get32(pte + 4), 0);

	/* No XD in 32-bit paging: bit 31 of a PTE is an address bit; fetches allowed. */
	put32(pte, 0x80000000u | PRWU);
	expect_ok(&m, gva, GPT_ACCESS_FETCH, 0x80000456ull);
	/* Protection and not-present; I/D not reported (CR4.PAE = 0, no SMEP). */
	put32(pte, DATA | PTE_P);
	expect_fault(&m, gva, GPT_ACCESS_WRITE, PF_EC_P | PF_EC_W);
	expect_fault(&m, gva, GPT_ACCESS_USER, PF_EC_P | PF_EC_U);
	m.cr0 &= ~X86_CR0_WP;
	expect_ok(&m, gva, GPT_ACCESS_WRITE, DATA | 0x456);
	put32(pte, DATA);
	expect_fault(&m, gva, GPT_ACCESS_FETCH, 0);
	put32(pde, 0x2000 | PTE_RW);
	expect_fault(&m, gva, GPT_ACCESS_USER | GPT_ACCESS_WRITE, PF_EC_U | PF_EC_W);
	m.cr4 |= X86_CR4_SMEP;
	expect_fault(&m, gva, GPT_ACCESS_FETCH, PF_EC_I);
	/* No reserved bits in a 4 KiB PTE or a PDE without PS. */
	put32(pde, 0xffffffffu & ~(uint32_t)PTE_PS);
	uint64_t gpa;
	uint32_t ec;
	assert_int_equal(walk(&m, gva, 0, &gpa, &ec), -XT_ERANGE);	/* PT at 0xfffff000 */
}

static void test_32bit_4m(void **state)
{
	uint64_t gva = 0xc0123456ull, pde = 0x1000 + (gva >> 22) * 4;
	struct gpt_mode m = mode32(true);
	uint64_t gpa;
	uint32_t ec;

	(void)state;
	put32(pde, 0x00400000 | PRWU | PTE_PS);
	expect_ok(&m, gva, GPT_ACCESS_WRITE, 0x400000 | (gva & 0x3fffff));
	assert_int_equal(get32(pde), 0x00400000 | PRWU | PTE_PS | PTE_A | PTE_D);
	/* PSE-36: bits 20:13 are physical bits 39:32, limited by MAXPHYADDR. */
	put32(pde, 0x00400000 | PRWU | PTE_PS | (0x5u << 13));
	assert_int_equal(gpt_walk(&m, 36, gva, 0, map_ram, NULL, &gpa, &ec), 0);
	assert_int_equal(gpa, 0x500400000ull | (gva & 0x3fffff));
	put32(pde, 0x00400000 | PRWU | PTE_PS | (0x10u << 13));	/* bit 36 */
	assert_int_equal(gpt_walk(&m, 36, gva, 0, map_ram, NULL, &gpa, &ec), -XT_EFAULT);
	assert_int_equal(ec, PF_EC_P | PF_EC_RSVD);
	assert_int_equal(gpt_walk(&m, 40, gva, 0, map_ram, NULL, &gpa, &ec), 0);
	assert_int_equal(gpa, 0x1000400000ull | (gva & 0x3fffff));
	put32(pde, 0x00400000 | PRWU | PTE_PS | (1u << 21));	/* always reserved */
	assert_int_equal(gpt_walk(&m, 52, gva, GPT_ACCESS_USER, map_ram, NULL, &gpa, &ec),
			 -XT_EFAULT);
	assert_int_equal(ec, PF_EC_P | PF_EC_RSVD | PF_EC_U);
	/* Without CR4.PSE, PS is ignored: the PDE points to a page table. */
	m.cr4 = 0;
	put32(pde, 0x00400000 | PRWU | PTE_PS);
	put32(0x400000 + ((gva >> 12) & 0x3ff) * 4, DATA | PRWU);
	expect_ok(&m, gva, 0, DATA | 0x456);
}

/* PAE fixture: CR3 = 0x1020 (32-byte aligned), PD 0x2000, PT 0x3000. */
static struct gpt_mode pae_mode(void)
{
	struct gpt_mode m = {
		.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP,
		.cr3 = 0x1020,
		.cr4 = X86_CR4_PAE,
		.efer = X86_EFER_NXE,
	};
	return m;
}

static void test_pae(void **state)
{
	uint64_t gva = 0xc0201234ull;
	uint64_t pdpte = 0x1020 + 3 * 8, pde = 0x2000 + 1 * 8, pte = 0x3000 + 1 * 8;
	struct gpt_mode m = pae_mode();

	(void)state;
	put64(pdpte, 0x2000 | PTE_P);
	put64(pde, 0x3000 | PRWU);
	put64(pte, DATA | PRWU);
	expect_ok(&m, gva, GPT_ACCESS_WRITE | GPT_ACCESS_USER, DATA | 0x234);
	assert_int_equal(get64(pdpte), 0x2000 | PTE_P);	/* no accessed flag in a PDPTE */
	assert_int_equal(get64(pde), 0x3000 | PRWU | PTE_A);
	assert_int_equal(get64(pte), DATA | PRWU | PTE_A | PTE_D);
	expect_ok(&m, gva + (1ull << 32), 0, DATA | 0x234);	/* 32-bit linear addresses */

	/* Physical addresses above 4 GiB. */
	put64(pte, 0x123456000ull | PRWU);
	expect_ok(&m, gva, 0, 0x123456234ull);
	put64(pte, DATA | PRWU);

	/* NX in the PDE, with and without NXE. */
	put64(pde, 0x3000 | PRWU | PTE_NX);
	expect_fault(&m, gva, GPT_ACCESS_FETCH, PF_EC_P | PF_EC_I);
	m.efer = 0;
	expect_fault(&m, gva, 0, PF_EC_P | PF_EC_RSVD);
	m.efer = X86_EFER_NXE;
	put64(pde, 0x3000 | PRWU);

	/* Bits 62:MAXPHYADDR are reserved in PAE entries (ignored in 4-level). */
	put64(pte, DATA | PRWU | (1ull << 52));
	expect_fault(&m, gva, 0, PF_EC_P | PF_EC_RSVD);
	put64(pte, DATA | PRWU);

	/* 2 MiB page. */
	put64(pde, 0x600000 | PRWU | PTE_PS);
	expect_ok(&m, gva, GPT_ACCESS_WRITE, 0x600000 | (gva & 0x1fffff));
	assert_true(get64(pde) & PTE_D);
	put64(pde, 0x600000 | PRWU | PTE_PS | (1ull << 14));
	expect_fault(&m, gva, 0, PF_EC_P | PF_EC_RSVD);
	put64(pde, 0x3000 | PRWU);
}

static void test_pae_pdpte(void **state)
{
	uint64_t gva = 0xc0201234ull, pdpte = 0x1020 + 3 * 8;
	struct gpt_mode m = pae_mode();
	uint64_t bad[] = { PTE_RW, PTE_US, PTE_A, PTE_D, PTE_PS, 1ull << 8, 1ull << M, PTE_NX };

	(void)state;
	put64(0x2000 + 8, 0x3000 | PRWU);
	put64(0x3000 + 8, DATA | PRWU);
	expect_fault(&m, gva, GPT_ACCESS_USER, PF_EC_U);	/* PDPTE not present */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put64(pdpte, 0x2000 | PTE_P | bad[i]);
		expect_fault(&m, gva, 0, PF_EC_P | PF_EC_RSVD);
	}
	/* PWT, PCD and the ignored bits 11:9 are allowed. */
	put64(pdpte, 0x2000 | PTE_P | PTE_PWT | PTE_PCD | (7ull << 9));
	expect_ok(&m, gva, GPT_ACCESS_USER | GPT_ACCESS_WRITE, DATA | 0x234);
	/* Other PDPTEs are selected by bits 31:30. */
	expect_fault(&m, 0x40201234ull, 0, 0);
	/* CR3 bits 4:0 are ignored; bits 31:5 locate the PDPT. */
	m.cr3 = 0x1020 | 0x1f;
	expect_ok(&m, gva, 0, DATA | 0x234);
	/* A PDPT outside RAM. */
	m.cr3 = 0xffffffe0u;
	uint64_t gpa;
	uint32_t ec;
	assert_int_equal(walk(&m, gva, 0, &gpa, &ec), -XT_ERANGE);
}

/* Deterministic xorshift64* generator. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

#define FUZZ_PAGES 16

/* Random entry; usually points into the fuzzed area so walks go deep. */
static uint64_t rnd_entry(void)
{
	uint64_t e = rnd();

	switch (rnd() % 4) {
	case 0:
		return e;
	case 1:
		return (e & ~0x000ffffffffff000ull) | ((rnd() % FUZZ_PAGES) << 12);
	case 2:
		return (e & 0xf7f) | PTE_P | ((rnd() % FUZZ_PAGES) << 12);
	default:
		return (e & 0xfff) | ((rnd() % FUZZ_PAGES) << 12);
	}
}

static bool valid_ret(int ret)
{
	return ret == 0 || ret == -XT_EFAULT || ret == -XT_ERANGE || ret == -XT_EINVAL;
}

static void fuzz_one(void)
{
	static const uint64_t cr4_bits[] = { X86_CR4_PSE, X86_CR4_PAE, X86_CR4_LA57,
					     X86_CR4_SMEP, X86_CR4_SMAP };
	struct gpt_mode m = { .cr0 = rnd(), .cr3 = rnd_entry(), .efer = rnd() };
	uint8_t buf[64];
	uint64_t gpa, fault;
	uint32_t ec;

	memset(buf, 0x5a, sizeof(buf));
	for (size_t i = 0; i < FUZZ_PAGES * 4096 / 8; i++)
		put64(i * 8, rnd_entry());
	if (rnd() % 8)
		m.cr0 |= X86_CR0_PG;
	for (size_t i = 0; i < 5; i++)
		m.cr4 |= (rnd() & 1) ? cr4_bits[i] : 0;
	if (rnd() % 4)
		m.cr4 |= rnd();
	for (int k = 0; k < 8; k++) {
		unsigned maxpa = rnd() % 70, acc = rnd() % 16;
		uint64_t gva = rnd();
		size_t len = rnd() % sizeof(buf);

		if (rnd() % 2)
			gva &= 0x3fffff;	/* low, canonical in every mode */
		ec = 0xdead;
		int ret = gpt_walk(&m, maxpa, gva, acc, map_ram, NULL, &gpa, &ec);
		assert_true(valid_ret(ret));
		if (ret == 0 || ret == -XT_EFAULT)
			assert_true(ec <= 0x1f);
		if (ret == 0)
			assert_int_equal(ec, 0);
		ret = gpt_read(&m, maxpa, gva, buf, len, acc, map_ram, NULL, &ec, &fault);
		assert_true(valid_ret(ret));
		ret = gpt_write(&m, maxpa, gva, buf, len, acc, map_ram, NULL, &ec, &fault);
		assert_true(valid_ret(ret));
	}
}

/* Flags and data go through a map for writing: where it refuses, nothing is
 * written and the walk says so (-XT_EPERM), never a write through a read map. */
static void test_write_map_refused(void **state)
{
	struct gpt_mode m = long_mode(0x1000);
	uint32_t ec, val = 0x11223344;
	uint64_t gpa, fault;

	(void)state;
	map4k(0x5000, DATA, PRW);
	ro_page = 0x4000;	/* the page table */
	assert_int_equal(walk(&m, 0x5000, 0, &gpa, &ec), -XT_EPERM);
	assert_false(get64(ent_addr(0x5000, 1)) & PTE_A);
	put64(ent_addr(0x5000, 1), DATA | PRW | PTE_A);
	assert_int_equal(walk(&m, 0x5000, 0, &gpa, &ec), 0);
	assert_int_equal(gpa, DATA);

	ro_page = DATA;		/* the data page */
	assert_int_equal(gpt_write(&m, M, 0x5000, &val, 4, 0, map_ram, NULL, &ec, &fault),
			 -XT_EPERM);
	assert_int_equal(fault, 0x5000);
	assert_int_equal(get32(DATA), 0);
	assert_false(get64(ent_addr(0x5000, 1)) & PTE_D);
	assert_int_equal(gpt_read(&m, M, 0x5000, &val, 4, 0, map_ram, NULL, &ec, &fault), 0);
}

static void test_fuzz(void **state)
{
	(void)state;
	for (int i = 0; i < 1000; i++)
		fuzz_one();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_paging, reset),
		cmocka_unit_test_setup(test_long_4k, reset),
		cmocka_unit_test_setup(test_long_2m_1g, reset),
		cmocka_unit_test_setup(test_long_not_present, reset),
		cmocka_unit_test_setup(test_write_protect, reset),
		cmocka_unit_test_setup(test_user_supervisor, reset),
		cmocka_unit_test_setup(test_nx, reset),
		cmocka_unit_test_setup(test_smep_smap, reset),
		cmocka_unit_test_setup(test_reserved_long, reset),
		cmocka_unit_test_setup(test_noncanonical, reset),
		cmocka_unit_test_setup(test_la57, reset),
		cmocka_unit_test_setup(test_outside_ram, reset),
		cmocka_unit_test_setup(test_read_write_cross_page, reset),
		cmocka_unit_test_setup(test_read_noncanonical_second_page, reset),
		cmocka_unit_test_setup(test_32bit_4k, reset),
		cmocka_unit_test_setup(test_32bit_4m, reset),
		cmocka_unit_test_setup(test_pae, reset),
		cmocka_unit_test_setup(test_pae_pdpte, reset),
		cmocka_unit_test_setup(test_write_map_refused, reset),
		cmocka_unit_test_setup(test_fuzz, reset),
	};

	return cmocka_run_group_tests_name("gpt_walk", tests, NULL, NULL);
}
