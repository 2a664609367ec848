/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for vmm/emul/guest_boot.c: decode what guest_boot_setup() wrote into
 * guest RAM the way the CPU and a Linux kernel would read it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xerrno.h"
#include "vmm/emul/guest_boot.h"
#include "vmm/emul/guest_layout.h"

#define KIB		0x400ULL
#define MIB		0x100000ULL
#define GIB		0x40000000ULL
#define FILL		0xcc
#define GUARD		4096
#define GUARD_FILL	0x5a
#define ENTRY		0x100000ULL

struct env {
	uint8_t *alloc;
	struct guest_ram ram;
};

/* Large guests are not pre-filled: only their low megabyte is ever read. */
static void env_init(struct env *e, uint64_t size)
{
	uint64_t fill = size <= 64 * MIB ? size : MIB;

	e->alloc = malloc(size + 2 * GUARD);
	assert_non_null(e->alloc);
	memset(e->alloc, GUARD_FILL, GUARD);
	memset(e->alloc + GUARD, FILL, fill);
	memset(e->alloc + GUARD + size, GUARD_FILL, GUARD);
	e->ram.base = e->alloc + GUARD;
	e->ram.size = size;
}

static void env_free(struct env *e)
{
	free(e->alloc);
}

static void assert_all(const uint8_t *p, size_t n, uint8_t v, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			fail_msg("%s: byte %zu is 0x%02x, expected 0x%02x", what, i, p[i], v);
}

static void assert_guards(const struct env *e)
{
	assert_all(e->alloc, GUARD, GUARD_FILL, "guard below RAM");
	assert_all(e->alloc + GUARD + e->ram.size, GUARD, GUARD_FILL, "guard above RAM");
}

static uint64_t rd(const struct env *e, uint64_t gpa, unsigned int bytes)
{
	uint64_t v = 0;

	assert_true(gpa + bytes <= e->ram.size);
	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)e->ram.base[gpa + i] << (8 * i);
	return v;
}

static uint64_t rd64(const struct env *e, uint64_t gpa)
{
	return rd(e, gpa, 8);
}

static void setup_ok(struct env *e, uint64_t size, const char *cmdline,
		     struct guest_entry_state *st)
{
	env_init(e, size);
	assert_int_equal(guest_boot_setup(&e->ram, ENTRY, cmdline, st), 0);
	assert_guards(e);
}

/* The constants say what docs/guest-platform.md and the Linux docs say. */
static void test_layout_constants(void **state)
{
	(void)state;
	assert_int_equal(GUEST_GDT_GPA, 0x1000);
	assert_int_equal(GUEST_CMDLINE_GPA, 0x2000);
	assert_int_equal(GUEST_CMDLINE_MAX, 2048);
	assert_int_equal(GUEST_BOOT_PARAMS_GPA, 0x7000);
	assert_int_equal(GUEST_PML4_GPA, 0x8000);
	assert_int_equal(GUEST_PDPT_GPA, 0x9000);
	assert_int_equal(GUEST_PD_GPA, 0xa000);
	assert_int_equal(GUEST_PT_END, 0xe000);
	assert_int_equal(GUEST_STACK_TOP, 0x80000);
	assert_int_equal(GUEST_LOW_RAM_END, 0x9f000);
	assert_int_equal(GUEST_IMAGE_MIN, 0x100000);
	assert_int_equal(GUEST_MIN_RAM, 4 * MIB);
	assert_int_equal(GUEST_MAX_RAM, 3 * GIB);
	assert_int_equal(GUEST_BOOT_CS, 0x10);
	assert_int_equal(GUEST_BOOT_DS, 0x18);
	/* zero-page.rst / boot.rst offsets */
	assert_int_equal(BP_EXT_CMD_LINE_PTR, 0x0c8);
	assert_int_equal(BP_E820_ENTRIES, 0x1e8);
	assert_int_equal(BP_BOOT_FLAG, 0x1fe);
	assert_int_equal(BP_HEADER, 0x202);
	assert_int_equal(BP_VERSION, 0x206);
	assert_int_equal(BP_TYPE_OF_LOADER, 0x210);
	assert_int_equal(BP_LOADFLAGS, 0x211);
	assert_int_equal(BP_CMD_LINE_PTR, 0x228);
	assert_int_equal(BP_CMDLINE_SIZE, 0x238);
	assert_int_equal(BP_E820_TABLE, 0x2d0);
	assert_int_equal(sizeof(struct boot_e820_entry), 20);
	assert_int_equal(offsetof(struct boot_e820_entry, type), 16);
	assert_int_equal(E820_MAX_ENTRIES_ZEROPAGE, 128);
	assert_int_equal(E820_TYPE_RAM, 1);
	assert_int_equal(E820_TYPE_RESERVED, 2);
}

/* Only the GDT page, command line, boot_params and page tables change. */
static void test_writes_only_documented_regions(void **state)
{
	struct guest_entry_state st;
	struct env e;

	(void)state;
	setup_ok(&e, 4 * MIB, "console=ttyS0", &st);
	assert_all(e.ram.base, 0x1000, FILL, "page 0");
	assert_all(e.ram.base + 0x1000 + 32, 0x1000 - 32, 0, "rest of GDT page");
	assert_all(e.ram.base + 0x2000 + 14, 2048 - 14, 0, "rest of command line buffer");
	assert_all(e.ram.base + 0x2800, 0x7000 - 0x2800, FILL, "0x2800..0x7000");
	assert_all(e.ram.base + 0xe000, 4 * MIB - 0xe000, FILL, "stack, legacy area, image area");
	env_free(&e);
}

struct desc {
	uint32_t base, limit;
	unsigned int type, s, dpl, p, avl, l, db, g;
};

static struct desc decode_desc(uint64_t d)
{
	struct desc r = {
		.limit = (uint32_t)((d & 0xffff) | ((d >> 48) & 0xf) << 16),
		.base = (uint32_t)(((d >> 16) & 0xffffff) | ((d >> 56) & 0xff) << 24),
		.type = (d >> 40) & 0xf,
		.s = (d >> 44) & 1,
		.dpl = (d >> 45) & 3,
		.p = (d >> 47) & 1,
		.avl = (d >> 52) & 1,
		.l = (d >> 53) & 1,
		.db = (d >> 54) & 1,
		.g = (d >> 55) & 1,
	};
	return r;
}

static void test_gdt_descriptors(void **state)
{
	struct guest_entry_state st;
	struct desc cs, ds;
	uint64_t raw_cs, raw_ds;
	struct env e;

	(void)state;
	setup_ok(&e, 4 * MIB, NULL, &st);
	assert_int_equal(st.gdt_base, 0x1000);
	assert_int_equal(st.gdt_limit, 4 * 8 - 1);
	assert_int_equal(rd64(&e, 0x1000), 0);
	assert_int_equal(rd64(&e, 0x1008), 0);

	raw_cs = rd64(&e, 0x1000 + 0x10);
	cs = decode_desc(raw_cs);
	assert_int_equal(cs.base, 0);
	assert_int_equal(cs.limit, 0xfffff);
	assert_int_equal(cs.g, 1);
	assert_int_equal(cs.p, 1);
	assert_int_equal(cs.s, 1);
	assert_int_equal(cs.dpl, 0);
	assert_true(cs.type & 0x8);		/* code */
	assert_false(cs.type & 0x4);		/* not conforming */
	assert_true(cs.type & 0x2);		/* readable */
	assert_int_equal(cs.l, 1);		/* 64-bit */
	assert_int_equal(cs.db, 0);		/* must be 0 with L=1 */
	assert_int_equal(cs.avl, 0);

	raw_ds = rd64(&e, 0x1000 + 0x18);
	ds = decode_desc(raw_ds);
	assert_int_equal(ds.base, 0);
	assert_int_equal(ds.limit, 0xfffff);
	assert_int_equal(ds.g, 1);
	assert_int_equal(ds.p, 1);
	assert_int_equal(ds.s, 1);
	assert_int_equal(ds.dpl, 0);
	assert_false(ds.type & 0x8);		/* data */
	assert_false(ds.type & 0x4);		/* expand-up */
	assert_true(ds.type & 0x2);		/* writable */
	assert_int_equal(ds.l, 0);
	assert_int_equal(ds.db, 1);
	assert_int_equal(ds.avl, 0);

	/* The VMCS access rights the VMM loads match the descriptors. */
	assert_int_equal(GUEST_CS_ACCESS_RIGHTS, (raw_cs >> 40) & 0xf0ff);
	assert_int_equal(GUEST_DS_ACCESS_RIGHTS, (raw_ds >> 40) & 0xf0ff);
	env_free(&e);
}

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)
#define PTE_PWT		(1ULL << 3)
#define PTE_PCD		(1ULL << 4)
#define PTE_PS		(1ULL << 7)
#define PTE_NX		(1ULL << 63)
#define ADDR_4K		0x000ffffffffff000ULL
#define ADDR_2M		0x000fffffffe00000ULL

/* A non-leaf entry: present, writable, supervisor, cached, no NX. */
static uint64_t table_entry(const struct env *e, uint64_t table, unsigned int idx)
{
	uint64_t ent = rd64(e, table + idx * 8);

	if (!(ent & PTE_P))
		return 0;
	assert_true(ent & PTE_RW);
	assert_false(ent & (PTE_US | PTE_PWT | PTE_PCD | PTE_PS | PTE_NX));
	assert_true((ent & ADDR_4K) + 0x1000 <= e->ram.size);
	return ent;
}

/* Translate va like the CPU in 4-level paging; false if not present. */
static bool walk(const struct env *e, uint64_t cr3, uint64_t va, uint64_t *pa, uint64_t *leaf)
{
	uint64_t pml4e, pdpte, pde;

	pml4e = table_entry(e, cr3 & ADDR_4K, (va >> 39) & 511);
	if (!pml4e)
		return false;
	pdpte = table_entry(e, pml4e & ADDR_4K, (va >> 30) & 511);
	if (!pdpte)
		return false;
	pde = rd64(e, (pdpte & ADDR_4K) + ((va >> 21) & 511) * 8);
	if (!(pde & PTE_P))
		return false;
	assert_true(pde & PTE_PS);		/* 2 MiB leaf */
	assert_int_equal(pde & 0x1fe000, 0);	/* reserved bits 20:13 */
	*pa = (pde & ADDR_2M) | (va & 0x1fffff);
	*leaf = pde;
	return true;
}

static void check_identity(const struct env *e, uint64_t cr3, uint64_t va)
{
	uint64_t pa = 0, leaf = 0;
	bool mmio = va >= 3 * GIB;

	if (!walk(e, cr3, va, &pa, &leaf))
		fail_msg("GPA 0x%llx not mapped", (unsigned long long)va);
	if (pa != va)
		fail_msg("GPA 0x%llx maps to 0x%llx", (unsigned long long)va,
			 (unsigned long long)pa);
	assert_true(leaf & PTE_RW);
	assert_false(leaf & (PTE_US | PTE_NX));
	assert_int_equal(!!(leaf & PTE_PCD), mmio);
	assert_int_equal(!!(leaf & PTE_PWT), mmio);
}

static void test_page_tables_identity(void **state)
{
	const uint64_t samples[] = {
		0, 0x1000, 0x7000, 0x7ffff, 0x100000, 0x1fffff, 0x200000, 0x3fffff,
		GIB - 1, GIB, GIB + 0x12345, 2 * GIB - 1, 2 * GIB, 3 * GIB - 1,
		3 * GIB, 0xfec00000, 0xfee00000, 4 * GIB - 1,
	};
	const uint64_t unmapped[] = { 4 * GIB, 5 * GIB, 512 * GIB, 0xffffffff80000000ULL };
	struct guest_entry_state st;
	uint64_t pa, leaf;
	struct env e;

	(void)state;
	setup_ok(&e, 4 * MIB, NULL, &st);
	assert_int_equal(st.cr3, 0x8000);
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		check_identity(&e, st.cr3, samples[i]);
	for (uint64_t va = 0; va < 4 * GIB; va += 2 * MIB) {
		check_identity(&e, st.cr3, va);
		check_identity(&e, st.cr3, va + 2 * MIB - 1);
	}
	for (size_t i = 0; i < sizeof(unmapped) / sizeof(unmapped[0]); i++)
		assert_false(walk(&e, st.cr3, unmapped[i], &pa, &leaf));
	/* Documented table addresses. */
	assert_int_equal(rd64(&e, 0x8000) & ADDR_4K, 0x9000);
	for (unsigned int n = 0; n < 4; n++)
		assert_int_equal(rd64(&e, 0x9000 + n * 8) & ADDR_4K, 0xa000 + n * 0x1000);
	env_free(&e);
}

static void check_e820(const struct env *e, const uint64_t (*want)[3], unsigned int n)
{
	const uint64_t bp = 0x7000, table = bp + 0x2d0;

	assert_int_equal(rd(e, bp + 0x1e8, 1), n);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(rd(e, table + i * 20, 8), want[i][0]);
		assert_int_equal(rd(e, table + i * 20 + 8, 8), want[i][1]);
		assert_int_equal(rd(e, table + i * 20 + 16, 4), want[i][2]);
	}
	assert_all(e->ram.base + table + n * 20, (128 - n) * 20, 0, "unused e820 slots");
}

static void test_e820_4mib(void **state)
{
	const uint64_t want[][3] = {
		{ 0, 0x9f000, 1 },
		{ 0x9f000, 0x100000 - 0x9f000, 2 },
		{ 0x100000, 4 * MIB - 0x100000, 1 },
	};
	struct guest_entry_state st;
	struct env e;

	(void)state;
	setup_ok(&e, 4 * MIB, NULL, &st);
	check_e820(&e, want, 3);
	env_free(&e);
}

static void test_e820_1gib(void **state)
{
	const uint64_t want[][3] = {
		{ 0, 0x9f000, 1 },
		{ 0x9f000, 0x61000, 2 },
		{ 0x100000, GIB - 0x100000, 1 },
	};
	struct guest_entry_state st;
	struct env e;

	(void)state;
	setup_ok(&e, GIB, NULL, &st);
	check_e820(&e, want, 3);
	env_free(&e);
}

/* The largest guest ends its RAM exactly at the MMIO hole. */
static void test_e820_max_ram(void **state)
{
	const uint64_t want[][3] = {
		{ 0, 0x9f000, 1 },
		{ 0x9f000, 0x61000, 2 },
		{ 0x100000, 3 * GIB - 0x100000, 1 },
	};
	struct guest_entry_state st;
	struct env e;

	(void)state;
	setup_ok(&e, 3 * GIB, NULL, &st);
	check_e820(&e, want, 3);
	check_identity(&e, st.cr3, 3 * GIB - 1);
	env_free(&e);
}

/* Header fields as specified; every other byte of the zero page is 0. */
static void test_boot_params_fields(void **state)
{
	static const struct { unsigned int off, size; uint64_t val; } fields[] = {
		{ 0x0c8, 4, 0 },		/* ext_cmd_line_ptr */
		{ 0x1e8, 1, 3 },		/* e820_entries */
		{ 0x1fe, 2, 0xaa55 },		/* boot_flag */
		{ 0x202, 4, 0x53726448 },	/* header "HdrS" */
		{ 0x206, 2, 0x020f },		/* version 2.15 */
		{ 0x210, 1, 0xff },		/* type_of_loader */
		{ 0x211, 1, 0x01 },		/* loadflags: LOADED_HIGH */
		{ 0x228, 4, 0x2000 },		/* cmd_line_ptr */
		{ 0x238, 4, 2047 },		/* cmdline_size */
	};
	uint8_t filled[0x1000] = { 0 };
	struct guest_entry_state st;
	struct env e;

	(void)state;
	setup_ok(&e, 4 * MIB, "quiet", &st);
	assert_int_equal(st.rsi, 0x7000);
	assert_memory_equal(e.ram.base + 0x7000 + 0x202, "HdrS", 4);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		assert_int_equal(rd(&e, 0x7000 + fields[i].off, fields[i].size), fields[i].val);
		memset(filled + fields[i].off, 1, fields[i].size);
	}
	memset(filled + 0x2d0, 1, 3 * 20);
	for (unsigned int off = 0; off < 0x1000; off++)
		if (!filled[off] && e.ram.base[0x7000 + off])
			fail_msg("boot_params byte 0x%x is 0x%02x", off, e.ram.base[0x7000 + off]);
	env_free(&e);
}

static void test_cmdline_copied(void **state)
{
	const char *cmd = "console=ttyS0 earlyprintk=serial root=/dev/vda rw";
	struct guest_entry_state st;
	struct env e;

	(void)state;
	setup_ok(&e, 4 * MIB, cmd, &st);
	assert_string_equal((const char *)e.ram.base + 0x2000, cmd);
	assert_int_equal(rd(&e, 0x7000 + 0x228, 4), 0x2000);
	assert_int_equal(rd(&e, 0x7000 + 0x0c8, 4), 0);
	env_free(&e);
}

static void test_cmdline_null_is_empty(void **state)
{
	struct guest_entry_state st;
	struct env e;

	(void)state;
	setup_ok(&e, 4 * MIB, NULL, &st);
	assert_all(e.ram.base + 0x2000, 2048, 0, "empty command line buffer");
	assert_int_equal(rd(&e, 0x7000 + 0x228, 4), 0x2000);
	env_free(&e);
}

static void test_cmdline_max_length(void **state)
{
	char cmd[2049];
	struct guest_entry_state st;
	struct env e;

	(void)state;
	memset(cmd, 'a', 2047);
	cmd[2047] = '\0';
	setup_ok(&e, 4 * MIB, cmd, &st);
	assert_string_equal((const char *)e.ram.base + 0x2000, cmd);
	assert_int_equal(e.ram.base[0x2000 + 2047], 0);
	env_free(&e);
}

static void test_cmdline_too_long(void **state)
{
	char cmd[4096];
	struct guest_entry_state st;
	struct env e;

	(void)state;
	memset(cmd, 'a', sizeof(cmd) - 1);
	cmd[sizeof(cmd) - 1] = '\0';
	env_init(&e, 4 * MIB);
	assert_int_equal(guest_boot_setup(&e.ram, ENTRY, cmd, &st), -XT_E2BIG);
	cmd[2048] = '\0';
	assert_int_equal(guest_boot_setup(&e.ram, ENTRY, cmd, &st), -XT_E2BIG);
	assert_all(e.ram.base, 4 * MIB, FILL, "RAM after rejected setup");
	assert_guards(&e);
	env_free(&e);
}

static void test_ram_size_rejected(void **state)
{
	uint8_t small[64];
	struct guest_entry_state st;
	/* Rejected before any write, so a small buffer stands in for RAM. */
	struct guest_ram too_small = { small, 4 * MIB - 4 * KIB };
	struct guest_ram too_big = { small, 3 * GIB + 4 * KIB };
	struct guest_ram unaligned = { small, 4 * MIB + 1 };
	struct guest_ram none = { small, 0 };
	struct guest_ram no_base = { NULL, 4 * MIB };

	(void)state;
	memset(small, FILL, sizeof(small));
	assert_int_equal(guest_boot_setup(&too_small, ENTRY, NULL, &st), -XT_ERANGE);
	assert_int_equal(guest_boot_setup(&none, ENTRY, NULL, &st), -XT_ERANGE);
	assert_int_equal(guest_boot_setup(&too_big, ENTRY, NULL, &st), -XT_ERANGE);
	assert_int_equal(guest_boot_setup(&unaligned, ENTRY, NULL, &st), -XT_EINVAL);
	assert_int_equal(guest_boot_setup(&no_base, ENTRY, NULL, &st), -XT_EINVAL);
	assert_int_equal(guest_boot_setup(NULL, ENTRY, NULL, &st), -XT_EINVAL);
	assert_int_equal(guest_boot_setup(&too_small, ENTRY, NULL, NULL), -XT_EINVAL);
	assert_all(small, sizeof(small), FILL, "stand-in RAM");
}

static void test_entry_outside_ram_rejected(void **state)
{
	const uint64_t bad[] = { 0, 0x7000, GUEST_IMAGE_MIN - 1, 4 * MIB, UINT64_MAX };
	struct guest_entry_state st;
	struct env e;

	(void)state;
	env_init(&e, 4 * MIB);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(guest_boot_setup(&e.ram, bad[i], NULL, &st), -XT_ERANGE);
	assert_all(e.ram.base, 4 * MIB, FILL, "RAM after rejected setup");
	assert_int_equal(guest_boot_setup(&e.ram, 4 * MIB - 1, NULL, &st), 0);
	assert_int_equal(st.rip, 4 * MIB - 1);
	env_free(&e);
}

static void test_entry_state(void **state)
{
	struct guest_entry_state st;
	struct env e;

	(void)state;
	memset(&st, 0xee, sizeof(st));
	env_init(&e, 16 * MIB);
	assert_int_equal(guest_boot_setup(&e.ram, 0x1000000, NULL, &st), -XT_ERANGE);
	assert_int_equal(guest_boot_setup(&e.ram, 0x200040, NULL, &st), 0);
	assert_int_equal(st.rip, 0x200040);
	assert_int_equal(st.rsp, 0x80000);
	assert_int_equal(st.rsp % 16, 0);
	assert_int_equal(st.rsi, 0x7000);
	assert_int_equal(st.rflags, 0x2);		/* IF=0 */
	/* PE|MP|ET|NE|WP|PG */
	assert_int_equal(st.cr0, (1ULL << 0) | (1ULL << 1) | (1ULL << 4) | (1ULL << 5) |
			 (1ULL << 16) | (1ULL << 31));
	assert_int_equal(st.cr0, 0x80010033);
	assert_int_equal(st.cr3, 0x8000);
	assert_int_equal(st.cr4, 1ULL << 5);		/* PAE */
	assert_int_equal(st.efer, (1ULL << 8) | (1ULL << 10)); /* LME|LMA */
	assert_int_equal(st.gdt_base, 0x1000);
	assert_int_equal(st.gdt_limit, 0x1f);
	assert_int_equal(st.idt_base, 0);
	assert_int_equal(st.idt_limit, 0);
	assert_int_equal(st.cs, 0x10);
	assert_int_equal(st.ds, 0x18);
	env_free(&e);
}

/* Setup can be repeated (e.g. guest reset) over a dirty low megabyte. */
static void test_setup_repeatable(void **state)
{
	struct guest_entry_state st1, st2;
	uint8_t *first = malloc(MIB);
	struct env e;

	(void)state;
	assert_non_null(first);
	setup_ok(&e, 4 * MIB, "a=1", &st1);
	memcpy(first, e.ram.base, MIB);
	memset(e.ram.base + 0x1000, 0x77, 0x1000);	/* GDT page */
	memset(e.ram.base + 0x2000, 0x77, 2048);	/* command line */
	memset(e.ram.base + 0x7000, 0x77, 0x7000);	/* boot_params, page tables */
	assert_int_equal(guest_boot_setup(&e.ram, ENTRY, "a=1", &st2), 0);
	assert_memory_equal(e.ram.base, first, MIB);
	assert_memory_equal(&st1, &st2, sizeof(st1));
	free(first);
	env_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_constants),
		cmocka_unit_test(test_writes_only_documented_regions),
		cmocka_unit_test(test_gdt_descriptors),
		cmocka_unit_test(test_page_tables_identity),
		cmocka_unit_test(test_e820_4mib),
		cmocka_unit_test(test_e820_1gib),
		cmocka_unit_test(test_e820_max_ram),
		cmocka_unit_test(test_boot_params_fields),
		cmocka_unit_test(test_cmdline_copied),
		cmocka_unit_test(test_cmdline_null_is_empty),
		cmocka_unit_test(test_cmdline_max_length),
		cmocka_unit_test(test_cmdline_too_long),
		cmocka_unit_test(test_ram_size_rejected),
		cmocka_unit_test(test_entry_outside_ram_rejected),
		cmocka_unit_test(test_entry_state),
		cmocka_unit_test(test_setup_repeatable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
