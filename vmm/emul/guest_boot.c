/* SPDX-License-Identifier: MIT */
/*
 * Guest boot structures. See vmm/emul/guest_boot.h and docs/guest-platform.md.
 *
 * Guest RAM is written byte by byte in little-endian order through wr*(),
 * so the host pointer needs no alignment. All addresses written are
 * compile-time constants below GUEST_IMAGE_MIN, checked against the RAM
 * size once in check_args().
 */
#include "vmm/emul/guest_boot.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/fmt.h"
#include "lib/xerrno.h"
#include "vmm/emul/bzimage.h"

/* Segment descriptor access byte and flags nibble (Intel SDM Vol. 3, 3.4.5). */
#define DESC_A		0x01	/* accessed (preset: the CPU need not write it) */
#define DESC_RW		0x02	/* code: readable, data: writable */
#define DESC_CODE	0x08
#define DESC_S		0x10	/* code/data, not system */
#define DESC_P		0x80
#define DESC_FLAG_L	0x2	/* 64-bit code */
#define DESC_FLAG_DB	0x4	/* 32-bit default operand size */
#define DESC_FLAG_G	0x8	/* limit in 4 KiB units */

/* Paging-structure entry bits. */
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PWT		(1ULL << 3)
#define PTE_PCD		(1ULL << 4)
#define PTE_PS		(1ULL << 7)	/* 2 MiB page in a PD entry */
#define PAGE_2M		0x200000ULL

/* Control registers. */
#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define RFLAGS_FIXED	(1ULL << 1)	/* bit 1 always reads 1 */

static void wr8(const struct guest_ram *ram, uint64_t gpa, uint8_t v)
{
	ram->base[gpa] = v;
}

static void wr16(const struct guest_ram *ram, uint64_t gpa, uint16_t v)
{
	wr8(ram, gpa, (uint8_t)v);
	wr8(ram, gpa + 1, (uint8_t)(v >> 8));
}

static void wr32(const struct guest_ram *ram, uint64_t gpa, uint32_t v)
{
	wr16(ram, gpa, (uint16_t)v);
	wr16(ram, gpa + 2, (uint16_t)(v >> 16));
}

static void wr64(const struct guest_ram *ram, uint64_t gpa, uint64_t v)
{
	wr32(ram, gpa, (uint32_t)v);
	wr32(ram, gpa + 4, (uint32_t)(v >> 32));
}

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (uint64_t)(limit & 0xffff) |
	       (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 |
	       (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(flags & 0xf) << 52 |
	       (uint64_t)(base >> 24) << 56;
}

static void write_gdt(const struct guest_ram *ram)
{
	const uint8_t code = DESC_P | DESC_S | DESC_CODE | DESC_RW | DESC_A;
	const uint8_t data = DESC_P | DESC_S | DESC_RW | DESC_A;

	memset(ram->base + GUEST_GDT_GPA, 0, GUEST_PAGE_SIZE);
	wr64(ram, GUEST_GDT_GPA + GUEST_BOOT_CS,
	     seg_desc(0, 0xfffff, code, DESC_FLAG_G | DESC_FLAG_L));
	wr64(ram, GUEST_GDT_GPA + GUEST_BOOT_DS,
	     seg_desc(0, 0xfffff, data, DESC_FLAG_G | DESC_FLAG_DB));
}

/* PML4[0] -> PDPT, PDPT[n] -> PD n, PD n maps GiB n with 2 MiB pages. */
static void write_page_tables(const struct guest_ram *ram)
{
	const uint64_t table = PTE_P | PTE_RW;

	memset(ram->base + GUEST_PML4_GPA, 0, GUEST_PT_END - GUEST_PML4_GPA);
	wr64(ram, GUEST_PML4_GPA, GUEST_PDPT_GPA | table);
	for (uint64_t n = 0; n < GUEST_PD_COUNT; n++) {
		uint64_t pd = GUEST_PD_GPA + n * GUEST_PAGE_SIZE;

		wr64(ram, GUEST_PDPT_GPA + n * 8, pd | table);
		for (uint64_t i = 0; i < GUEST_GIB / PAGE_2M; i++) {
			uint64_t gpa = n * GUEST_GIB + i * PAGE_2M;
			uint64_t pte = gpa | PTE_P | PTE_RW | PTE_PS;

			if (gpa >= GUEST_MMIO_HOLE_GPA)
				pte |= PTE_PCD | PTE_PWT;
			wr64(ram, pd + i * 8, pte);
		}
	}
}

static void write_cmdline(const struct guest_ram *ram, const char *cmdline, size_t len)
{
	memset(ram->base + GUEST_CMDLINE_GPA, 0, GUEST_CMDLINE_MAX);
	if (len)
		memcpy(ram->base + GUEST_CMDLINE_GPA, cmdline, len);
}

static void add_e820(const struct guest_ram *ram, unsigned int *n, uint64_t start,
		     uint64_t end, uint32_t type)
{
	uint64_t at = GUEST_BOOT_PARAMS_GPA + BP_E820_TABLE +
		      *n * sizeof(struct boot_e820_entry);

	wr64(ram, at + offsetof(struct boot_e820_entry, addr), start);
	wr64(ram, at + offsetof(struct boot_e820_entry, size), end - start);
	wr32(ram, at + offsetof(struct boot_e820_entry, type), type);
	(*n)++;
}

/* The header an ELF or raw guest sees: enough for a vmlinux. */
static void write_default_header(const struct guest_ram *ram)
{
	const uint64_t bp = GUEST_BOOT_PARAMS_GPA;

	wr16(ram, bp + BP_BOOT_FLAG, BOOT_FLAG_MAGIC);
	wr32(ram, bp + BP_HEADER, SETUP_HEADER_MAGIC);
	wr16(ram, bp + BP_VERSION, BOOT_PROTOCOL_VERSION);
	wr32(ram, bp + BP_CMDLINE_SIZE, GUEST_CMDLINE_MAX - 1);
}

/*
 * A bzImage's own header, then what boot.rst says the loader fills in:
 * type_of_loader, loadflags (LOADED_HIGH; no CAN_USE_HEAP or KEEP_SEGMENTS,
 * the real-mode setup code never runs), code32_start, no heap, no
 * setup_data chain, the default PC subarchitecture.
 */
static void write_kernel_header(const struct guest_ram *ram, const struct guest_boot_linux *lb)
{
	const uint64_t bp = GUEST_BOOT_PARAMS_GPA;

	memcpy(ram->base + bp + BP_SETUP_HEADER, lb->setup_hdr, lb->setup_hdr_len);
	wr32(ram, bp + BP_CODE32_START, (uint32_t)lb->kernel_gpa);
	wr16(ram, bp + BZ_HEAP_END_PTR, 0);
	wr8(ram, bp + BZ_EXT_LOADER_VER, 0);
	wr8(ram, bp + BZ_EXT_LOADER_TYPE, 0);
	wr32(ram, bp + BZ_HW_SUBARCH, 0);
	wr64(ram, bp + BZ_HW_SUBARCH_DATA, 0);
	wr64(ram, bp + BZ_SETUP_DATA, 0);
}

static void write_boot_params(const struct guest_ram *ram, const struct guest_boot_linux *lb)
{
	const uint64_t bp = GUEST_BOOT_PARAMS_GPA;
	unsigned int n = 0;

	memset(ram->base + bp, 0, GUEST_BOOT_PARAMS_SIZE);
	add_e820(ram, &n, 0, GUEST_LOW_RAM_END, E820_TYPE_RAM);
	add_e820(ram, &n, GUEST_LOW_RAM_END, GUEST_LEGACY_END, E820_TYPE_RESERVED);
	add_e820(ram, &n, GUEST_LEGACY_END, ram->size, E820_TYPE_RAM);
	wr8(ram, bp + BP_E820_ENTRIES, (uint8_t)n);

	if (lb->setup_hdr)
		write_kernel_header(ram, lb);
	else
		write_default_header(ram);
	wr8(ram, bp + BP_TYPE_OF_LOADER, TYPE_OF_LOADER_UNDEF);
	wr8(ram, bp + BP_LOADFLAGS, LOADED_HIGH);
	wr32(ram, bp + BP_CMD_LINE_PTR, (uint32_t)GUEST_CMDLINE_GPA);
	wr32(ram, bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(GUEST_CMDLINE_GPA >> 32));
	/* RAM ends below 4 GiB (GUEST_MAX_RAM), so the ext_ halves stay 0. */
	wr32(ram, bp + BP_RAMDISK_IMAGE, (uint32_t)lb->initrd_gpa);
	wr32(ram, bp + BP_RAMDISK_SIZE, (uint32_t)lb->initrd_size);
	wr32(ram, bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(lb->initrd_gpa >> 32));
	wr32(ram, bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(lb->initrd_size >> 32));
}

static void fill_state(struct guest_entry_state *st, uint64_t entry_gpa)
{
	memset(st, 0, sizeof(*st));
	st->rip = entry_gpa;
	st->rsp = GUEST_STACK_TOP;
	st->rsi = GUEST_BOOT_PARAMS_GPA;
	st->rflags = RFLAGS_FIXED;
	st->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	st->cr3 = GUEST_PML4_GPA;
	st->cr4 = CR4_PAE;
	st->efer = EFER_LME | EFER_LMA;
	st->gdt_base = GUEST_GDT_GPA;
	st->gdt_limit = GUEST_GDT_LIMIT;
	st->idt_base = 0;
	st->idt_limit = 0;
	st->cs = GUEST_BOOT_CS;
	st->ds = GUEST_BOOT_DS;
}

static int check_args(const struct guest_ram *ram, uint64_t entry_gpa,
		      const char *cmdline, size_t *len)
{
	if (!ram || !ram->base || ram->size % GUEST_PAGE_SIZE)
		return -XT_EINVAL;
	if (ram->size < GUEST_MIN_RAM || ram->size > GUEST_MAX_RAM)
		return -XT_ERANGE;
	if (entry_gpa < GUEST_IMAGE_MIN || entry_gpa >= ram->size)
		return -XT_ERANGE;
	*len = cmdline ? strnlen(cmdline, GUEST_CMDLINE_MAX) : 0;
	if (*len > GUEST_CMDLINE_MAX - 1)
		return -XT_E2BIG;
	return 0;
}

static uint32_t hdr32(const struct guest_boot_linux *lb, unsigned int off)
{
	const uint8_t *p = lb->setup_hdr + (off - BP_SETUP_HEADER);

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int check_linux(const struct guest_ram *ram, const struct guest_boot_linux *lb,
		       size_t cmdline_len)
{
	if (lb->setup_hdr) {
		if (lb->setup_hdr_len < BZ_MIN_HDR_END - BP_SETUP_HEADER ||
		    lb->setup_hdr_len > BZ_HDR_MAX)
			return -XT_EINVAL;
		if (cmdline_len > hdr32(lb, BZ_CMDLINE_SIZE))
			return -XT_E2BIG;
	}
	if (!lb->initrd_size && !lb->initrd_gpa)
		return 0;
	if (lb->initrd_gpa < GUEST_IMAGE_MIN || lb->initrd_gpa > ram->size ||
	    lb->initrd_size > ram->size - lb->initrd_gpa)
		return -XT_ERANGE;
	return 0;
}

int guest_boot_setup_linux(const struct guest_ram *ram, uint64_t entry_gpa, const char *cmdline,
			   const struct guest_boot_linux *lb, struct guest_entry_state *st)
{
	static const struct guest_boot_linux none;
	size_t len;
	int ret;

	if (!st)
		return -XT_EINVAL;
	if (!lb)
		lb = &none;
	ret = check_args(ram, entry_gpa, cmdline, &len);
	if (!ret)
		ret = check_linux(ram, lb, len);
	if (ret)
		return ret;
	write_gdt(ram);
	write_cmdline(ram, cmdline, len);
	write_boot_params(ram, lb);
	write_page_tables(ram);
	fill_state(st, entry_gpa);
	return 0;
}

int guest_boot_setup(const struct guest_ram *ram, uint64_t entry_gpa, const char *cmdline,
		     struct guest_entry_state *st)
{
	return guest_boot_setup_linux(ram, entry_gpa, cmdline, NULL, st);
}

/* ---- initial ramdisk ---- */

static bool overlaps(uint64_t a, uint64_t size, uint64_t lo, uint64_t hi)
{
	return a < hi && lo < a + size;
}

/* Highest page-aligned start with [start, start + size) ending at or below top. */
static bool place_below(uint64_t top, uint64_t size, uint64_t *gpa)
{
	if (size > top || ((top - size) & ~(GUEST_PAGE_SIZE - 1)) < GUEST_IMAGE_MIN)
		return false;
	*gpa = (top - size) & ~(GUEST_PAGE_SIZE - 1);
	return true;
}

int guest_initrd_place(uint64_t size, uint64_t ram_size, uint64_t addr_max, uint64_t avoid_lo,
		       uint64_t avoid_hi, uint64_t *gpa)
{
	uint64_t top = ram_size, at;

	if (!size || !gpa)
		return -XT_EINVAL;
	if (addr_max < UINT64_MAX && addr_max + 1 < top)
		top = addr_max + 1;
	if (place_below(top, size, &at) && !overlaps(at, size, avoid_lo, avoid_hi)) {
		*gpa = at;
		return 0;
	}
	if (avoid_lo < top && place_below(avoid_lo, size, &at)) {
		*gpa = at;
		return 0;
	}
	return -XT_ERANGE;
}

int guest_initrd_load(const struct guest_ram *ram, const void *data, uint64_t size,
		      uint64_t addr_max, uint64_t avoid_lo, uint64_t avoid_hi, uint64_t *gpa,
		      char *err, size_t errlen)
{
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!ram || !ram->base || !data || !gpa)
		return -XT_EINVAL;
	ret = guest_initrd_place(size, ram->size, addr_max, avoid_lo, avoid_hi, gpa);
	if (ret == -XT_EINVAL && err && errlen)
		xt_snprintf(err, errlen, "initrd is empty");
	else if (ret && err && errlen)
		xt_snprintf(err, errlen,
			    "no room for a %llu KiB initrd below 0x%llx beside the kernel at "
			    "0x%llx-0x%llx",
			    (unsigned long long)((size + 1023) >> 10),
			    (unsigned long long)(addr_max < ram->size ? addr_max + 1 : ram->size),
			    (unsigned long long)avoid_lo, (unsigned long long)avoid_hi);
	if (ret)
		return ret;
	memcpy(ram->base + *gpa, data, size);
	return 0;
}
