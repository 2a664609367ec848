/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for vmm/emul/image_load.c. Every image handed to the loader is an
 * exact-length heap copy so ASan catches any read past its end, and guest
 * RAM sits between guard areas that must stay intact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xerrno.h"
#include "tests/unit/elf_fixture.h"
#include "vmm/emul/image_load.h"

#define MIB		0x100000ULL
#define RAM_SIZE	(4 * MIB)
#define MIN_GPA		0x100000ULL
#define GUARD		4096
#define FILL		0xa5
#define GUARD_FILL	0x5a
#define IMG_CAP		16384
#define ERRLEN		200

struct env {
	uint8_t *alloc;
	struct guest_ram ram;
};

static void env_init(struct env *e, uint64_t size)
{
	e->alloc = malloc(size + 2 * GUARD);
	assert_non_null(e->alloc);
	memset(e->alloc, GUARD_FILL, GUARD);
	memset(e->alloc + GUARD, FILL, size);
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
	uint8_t ref[4096];
	size_t done = 0;

	memset(ref, v, sizeof(ref));
	while (done < n) {
		size_t chunk = n - done < sizeof(ref) ? n - done : sizeof(ref);

		if (memcmp(p + done, ref, chunk))
			break;
		done += chunk;
	}
	for (size_t i = done; i < n; i++)
		if (p[i] != v)
			fail_msg("%s: byte %zu is 0x%02x, expected 0x%02x", what, i, p[i], v);
}

static void assert_guards(const struct env *e)
{
	assert_all(e->alloc, GUARD, GUARD_FILL, "guard below RAM");
	assert_all(e->alloc + GUARD + e->ram.size, GUARD, GUARD_FILL, "guard above RAM");
}

/* GPA [from, to) still holds the fill pattern. */
static void assert_untouched(const struct env *e, uint64_t from, uint64_t to)
{
	assert_all(e->ram.base + from, to - from, FILL, "untouched RAM");
}

/* Run the loader on an exact-length copy of img. */
static int load(const struct env *e, const uint8_t *img, size_t len, uint64_t min,
		uint64_t *entry, char *err)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, img, len);
	ret = image_load_elf(copy, len, &e->ram, min, entry, err, ERRLEN);
	free(copy);
	return ret;
}

static uint8_t text[300], data[100], note[16];

static void fill_payloads(void)
{
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0xff - i);
	memset(note, 0x4e, sizeof(note));
}

/*
 * The standard image: text at 1 MiB (300 bytes in a 4 KiB segment), a
 * PT_NOTE, data at 1.5 MiB (100 bytes + bss up to 12 KiB). Entry 1 MiB + 16.
 */
#define STD_TEXT_GPA	0x100000ULL
#define STD_TEXT_MEMSZ	0x1000ULL
#define STD_DATA_GPA	0x180000ULL
#define STD_DATA_MEMSZ	0x3000ULL
#define STD_ENTRY	(STD_TEXT_GPA + 0x10)

static size_t std_image(uint8_t *img)
{
	const struct fx_seg segs[] = {
		{ FX_PT_LOAD, STD_TEXT_GPA, STD_TEXT_GPA, STD_TEXT_MEMSZ, text, sizeof(text) },
		{ FX_PT_NOTE, 0, 0, 0, note, sizeof(note) },
		{ FX_PT_LOAD, STD_DATA_GPA, STD_DATA_GPA, STD_DATA_MEMSZ, data, sizeof(data) },
	};
	size_t len;

	fill_payloads();
	len = fx_build(img, IMG_CAP, STD_ENTRY, segs, 3);
	assert_true(len > 0);
	return len;
}

/* Loading fails with -code, a message containing part, and RAM untouched. */
static void expect_reject(const uint8_t *img, size_t len, uint64_t min, int code,
			  const char *part)
{
	struct env e;
	char err[ERRLEN];
	uint64_t entry = 0xdeadbeef;
	int ret;

	env_init(&e, RAM_SIZE);
	memset(err, 'X', sizeof(err));
	ret = load(&e, img, len, min, &entry, err);
	if (ret != -code)
		fail_msg("got %d (\"%s\"), expected %d", ret, ret ? err : "", -code);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	if (!strstr(err, part))
		fail_msg("message \"%s\" lacks \"%s\"", err, part);
	assert_int_equal(entry, 0xdeadbeef);
	assert_untouched(&e, 0, e.ram.size);
	assert_guards(&e);
	env_free(&e);
}

static void test_load_single_segment(void **state)
{
	const struct fx_seg seg = { FX_PT_LOAD, 0x200000, 0x200000, 0x2000, text, sizeof(text) };
	uint8_t img[IMG_CAP];
	char err[ERRLEN] = "junk";
	uint64_t entry = 0;
	struct env e;
	size_t len;

	(void)state;
	fill_payloads();
	len = fx_build(img, sizeof(img), 0x200100, &seg, 1);
	env_init(&e, RAM_SIZE);
	assert_int_equal(load(&e, img, len, MIN_GPA, &entry, err), 0);
	assert_string_equal(err, "");
	assert_int_equal(entry, 0x200100);
	assert_memory_equal(e.ram.base + 0x200000, text, sizeof(text));
	assert_all(e.ram.base + 0x200000 + sizeof(text), 0x2000 - sizeof(text), 0, "bss");
	assert_untouched(&e, 0, 0x200000);
	assert_untouched(&e, 0x202000, e.ram.size);
	assert_guards(&e);
	env_free(&e);
}

static void test_load_multi_segment(void **state)
{
	uint8_t img[IMG_CAP];
	char err[ERRLEN];
	uint64_t entry = 0;
	struct env e;
	size_t len;

	(void)state;
	len = std_image(img);
	env_init(&e, RAM_SIZE);
	assert_int_equal(load(&e, img, len, MIN_GPA, &entry, err), 0);
	assert_int_equal(entry, STD_ENTRY);
	assert_memory_equal(e.ram.base + STD_TEXT_GPA, text, sizeof(text));
	assert_all(e.ram.base + STD_TEXT_GPA + sizeof(text), STD_TEXT_MEMSZ - sizeof(text), 0,
		   "text tail");
	assert_memory_equal(e.ram.base + STD_DATA_GPA, data, sizeof(data));
	assert_all(e.ram.base + STD_DATA_GPA + sizeof(data), STD_DATA_MEMSZ - sizeof(data), 0,
		   "bss");
	assert_untouched(&e, 0, STD_TEXT_GPA);
	assert_untouched(&e, STD_TEXT_GPA + STD_TEXT_MEMSZ, STD_DATA_GPA);
	assert_untouched(&e, STD_DATA_GPA + STD_DATA_MEMSZ, e.ram.size);
	assert_guards(&e);
	env_free(&e);
}

/* The span covers every PT_LOAD (bss included) and nothing else: an initrd goes outside it. */
static void test_elf_span(void **state)
{
	struct image_span span = { 1, 1 };
	uint8_t img[IMG_CAP];
	char err[ERRLEN];
	uint64_t entry = 0;
	struct env e;
	size_t len;

	(void)state;
	len = std_image(img);
	env_init(&e, RAM_SIZE);
	assert_int_equal(image_load_elf_span(img, len, &e.ram, MIN_GPA, &entry, &span, err,
					     ERRLEN), 0);
	assert_int_equal(entry, STD_ENTRY);
	assert_int_equal(span.lo, STD_TEXT_GPA);
	assert_int_equal(span.hi, STD_DATA_GPA + STD_DATA_MEMSZ);
	assert_int_equal(image_load_elf_span(img, len, &e.ram, MIN_GPA, &entry, NULL, err,
					     ERRLEN), -XT_EINVAL);
	env_free(&e);
}

/* Segments that start at min_gpa and end exactly at the end of RAM load. */
static void test_load_segment_at_ram_bounds(void **state)
{
	const struct fx_seg segs[] = {
		{ FX_PT_LOAD, MIN_GPA, MIN_GPA, 0x1000, text, sizeof(text) },
		{ FX_PT_LOAD, RAM_SIZE - 0x1000, RAM_SIZE - 0x1000, 0x1000, data, sizeof(data) },
	};
	uint8_t img[IMG_CAP];
	char err[ERRLEN];
	uint64_t entry = 0;
	struct env e;
	size_t len;

	(void)state;
	fill_payloads();
	len = fx_build(img, sizeof(img), RAM_SIZE - 1, segs, 2);
	env_init(&e, RAM_SIZE);
	assert_int_equal(load(&e, img, len, MIN_GPA, &entry, err), 0);
	assert_int_equal(entry, RAM_SIZE - 1);
	assert_memory_equal(e.ram.base + MIN_GPA, text, sizeof(text));
	assert_memory_equal(e.ram.base + RAM_SIZE - 0x1000, data, sizeof(data));
	assert_all(e.ram.base + RAM_SIZE - 0x1000 + sizeof(data), 0x1000 - sizeof(data), 0,
		   "bss at end of RAM");
	assert_untouched(&e, 0, MIN_GPA);
	assert_guards(&e);
	env_free(&e);
}

/*
 * A vmlinux-like image: linked at 0xffffffff81000000, loaded low. A virtual
 * e_entry is translated; a physical one (what vmlinux really records,
 * ENTRY(phys_startup_64)) is accepted as is.
 */
static void test_entry_vaddr_to_paddr(void **state)
{
	const uint64_t kva = 0xffffffff81000000ULL;
	const struct fx_seg segs[] = {
		{ FX_PT_LOAD, kva, 0x200000, 0x2000, text, sizeof(text) },
		{ FX_PT_LOAD, 0, 0x202000, 0x1000, note, sizeof(note) }, /* like .data..percpu */
		{ FX_PT_LOAD, kva + 0x3000, 0x203000, 0x1000, data, sizeof(data) },
	};
	const uint64_t cases[][2] = {
		{ kva + 0x40, 0x200040 },
		{ kva + 0x1fff, 0x201fff },
		{ 0x10, 0x202010 },
		{ kva + 0x3010, 0x203010 },
		{ 0x200040, 0x200040 },		/* physical entry */
		{ 0x203fff, 0x203fff },
	};
	uint8_t img[IMG_CAP];
	char err[ERRLEN];
	struct env e;

	(void)state;
	fill_payloads();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = fx_build(img, sizeof(img), cases[i][0], segs, 3);
		uint64_t entry = 0;

		env_init(&e, RAM_SIZE);
		assert_int_equal(load(&e, img, len, MIN_GPA, &entry, err), 0);
		assert_int_equal(entry, cases[i][1]);
		assert_memory_equal(e.ram.base + 0x200000, text, sizeof(text));
		assert_memory_equal(e.ram.base + 0x202000, note, sizeof(note));
		assert_memory_equal(e.ram.base + 0x203000, data, sizeof(data));
		assert_untouched(&e, 0, 0x200000);
		assert_untouched(&e, 0x204000, e.ram.size);
		assert_guards(&e);
		env_free(&e);
	}
	/* Just past the text segment in virtual space: not in any segment. */
	expect_reject(img, fx_build(img, sizeof(img), kva + 0x2000, segs, 3), MIN_GPA,
		      XT_ENOEXEC, "entry point 0xffffffff81002000");
	/* Just past the last segment in physical space. */
	expect_reject(img, fx_build(img, sizeof(img), 0x204000, segs, 3), MIN_GPA,
		      XT_ENOEXEC, "entry point 0x204000");
}

/* An entry inside one segment's virtual range is virtual, even if it also
 * lies in another segment's physical range. */
static void test_entry_virtual_wins(void **state)
{
	const struct fx_seg segs[] = {
		{ FX_PT_LOAD, 0x300000, 0x200000, 0x1000, text, sizeof(text) },
		{ FX_PT_LOAD, 0x200000, 0x300000, 0x1000, data, sizeof(data) },
	};
	uint8_t img[IMG_CAP];
	char err[ERRLEN];
	uint64_t entry = 0;
	struct env e;
	size_t len;

	(void)state;
	fill_payloads();
	len = fx_build(img, sizeof(img), 0x200010, segs, 2);
	env_init(&e, RAM_SIZE);
	assert_int_equal(load(&e, img, len, MIN_GPA, &entry, err), 0);
	assert_int_equal(entry, 0x300010);
	assert_memory_equal(e.ram.base + 0x200000, text, sizeof(text));
	assert_memory_equal(e.ram.base + 0x300000, data, sizeof(data));
	env_free(&e);
}

static void test_reject_short_file(void **state)
{
	uint8_t img[IMG_CAP];

	(void)state;
	std_image(img);
	expect_reject(img, 0, MIN_GPA, XT_ENOEXEC, "smaller than an ELF64 header");
	expect_reject(img, 1, MIN_GPA, XT_ENOEXEC, "smaller than an ELF64 header");
	expect_reject(img, 63, MIN_GPA, XT_ENOEXEC, "image is 63 bytes");
}

static void test_reject_bad_magic(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	for (int i = 0; i < 4; i++) {
		img[i] ^= 0x20;
		expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "bad magic");
		img[i] ^= 0x20;
	}
}

static void test_reject_class32(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_eh(img)->ident[4] = FX_ELFCLASS32;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "not a 64-bit ELF");
}

static void test_reject_big_endian(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_eh(img)->ident[5] = FX_ELFDATA2MSB;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "not a little-endian ELF");
}

static void test_reject_bad_version(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_eh(img)->ident[6] = 0;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "unsupported ELF version");
	fx_eh(img)->ident[6] = 1;
	fx_eh(img)->version = 2;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "unsupported ELF version");
}

static void test_reject_wrong_machine(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_eh(img)->machine = FX_EM_386;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "e_machine 3");
}

static void test_reject_et_dyn(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_eh(img)->type = FX_ET_DYN;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "not an executable (e_type 3");
}

static void test_reject_et_rel(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_eh(img)->type = FX_ET_REL;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "not an executable (e_type 1");
}

static void test_reject_phentsize(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_eh(img)->phentsize = 32; /* Elf32_Phdr */
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "e_phentsize is 32");
	fx_eh(img)->phentsize = 64;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "e_phentsize is 64");
	fx_eh(img)->phentsize = 0;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "e_phentsize is 0");
}

static void test_reject_phoff_beyond_file(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_eh(img)->phoff = len - 3 * sizeof(struct fx_phdr) + 1;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "program header table");
	fx_eh(img)->phoff = len;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "program header table");
	fx_eh(img)->phoff = 1ULL << 40;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "program header table");
}

static void test_reject_phnum_beyond_file(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_eh(img)->phnum = (uint16_t)((len - 64) / sizeof(struct fx_phdr) + 1);
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "program header table");
}

static void test_reject_phnum_limits(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_eh(img)->phnum = 0;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "no program headers");
	fx_eh(img)->phnum = 0xffff;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "extended program header numbering");
	fx_eh(img)->phnum = IMAGE_ELF_MAX_PHNUM + 1;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "too many program headers");
}

static void test_reject_phoff_overflow(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	/* phoff + 3 * 56 wraps around to a small offset inside the file. */
	fx_eh(img)->phoff = UINT64_MAX - 3 * sizeof(struct fx_phdr) + 65;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "program header table");
	fx_eh(img)->phoff = UINT64_MAX;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "program header table");
}

static void test_reject_filesz_gt_memsz(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_ph(img, 2)->memsz = sizeof(data) - 1;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC,
		      "segment 2: p_filesz 0x64 exceeds p_memsz 0x63");
}

static void test_reject_data_beyond_file(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_ph(img, 2)->filesz += 1;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "segment 2: file data at");
	fx_ph(img, 2)->filesz -= 1;
	fx_ph(img, 0)->offset = len - sizeof(text) + 1;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "lies outside the");
	fx_ph(img, 0)->offset = len + 1;
	fx_ph(img, 0)->filesz = 0;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "segment 0: file data at");
}

static void test_reject_data_offset_overflow(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	/* offset + filesz wraps to 0x10, well inside the file. */
	fx_ph(img, 0)->offset = UINT64_MAX - sizeof(text) + 0x11;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "segment 0: file data at");
}

static void test_reject_paddr_below_min(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_ph(img, 0)->paddr = MIN_GPA - 0x1000;
	expect_reject(img, len, MIN_GPA, XT_ERANGE,
		      "segment 0 at 0xff000+0x1000 lies below the lowest loadable address 0x100000");
	fx_ph(img, 0)->paddr = 0;
	expect_reject(img, len, MIN_GPA, XT_ERANGE, "below the lowest loadable address");
}

static void test_reject_segment_beyond_ram(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_ph(img, 2)->paddr = 0x40000000;
	fx_ph(img, 2)->memsz = 0x1000;
	expect_reject(img, len, MIN_GPA, XT_ERANGE,
		      "segment 2 at 0x40000000+0x1000 lies outside guest RAM (4 MiB)");
	fx_ph(img, 2)->paddr = RAM_SIZE - 0x1000 + 1;
	expect_reject(img, len, MIN_GPA, XT_ERANGE, "lies outside guest RAM");
	fx_ph(img, 2)->paddr = RAM_SIZE;
	expect_reject(img, len, MIN_GPA, XT_ERANGE, "lies outside guest RAM");
}

static void test_reject_segment_end_overflow(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_ph(img, 2)->paddr = UINT64_MAX - 0xfff;
	fx_ph(img, 2)->memsz = 0x2000; /* end wraps to 0x1000 */
	expect_reject(img, len, MIN_GPA, XT_ERANGE, "lies outside guest RAM");
	fx_ph(img, 2)->paddr = MIN_GPA;
	fx_ph(img, 2)->memsz = UINT64_MAX;
	expect_reject(img, len, MIN_GPA, XT_ERANGE, "lies outside guest RAM");
}

static void test_reject_overlapping_segments(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_ph(img, 2)->paddr = STD_TEXT_GPA + STD_TEXT_MEMSZ - 1;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "overlaps segment 0");
}

static void test_reject_interp(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_ph(img, 1)->type = FX_PT_INTERP;
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "PT_INTERP");
}

static void test_reject_no_pt_load(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	fx_ph(img, 0)->type = FX_PT_NOTE;
	fx_ph(img, 2)->type = 0x6474e551; /* PT_GNU_STACK */
	expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "no PT_LOAD segment");
}

static void test_reject_entry_outside(void **state)
{
	const uint64_t bad[] = { 0, STD_TEXT_GPA - 1, STD_TEXT_GPA + STD_TEXT_MEMSZ,
				 STD_DATA_GPA - 1, STD_DATA_GPA + STD_DATA_MEMSZ, UINT64_MAX };
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fx_eh(img)->entry = bad[i];
		expect_reject(img, len, MIN_GPA, XT_ENOEXEC, "is outside every PT_LOAD segment");
	}
}

static void test_reject_bad_args(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);
	struct guest_ram no_base = { NULL, RAM_SIZE };
	char err[ERRLEN];
	uint64_t entry;
	struct env e;

	(void)state;
	env_init(&e, RAM_SIZE);
	assert_int_equal(image_load_elf(NULL, len, &e.ram, MIN_GPA, &entry, err, sizeof(err)),
			 -XT_EINVAL);
	assert_int_equal(image_load_elf(img, len, NULL, MIN_GPA, &entry, err, sizeof(err)),
			 -XT_EINVAL);
	assert_int_equal(image_load_elf(img, len, &no_base, MIN_GPA, &entry, err, sizeof(err)),
			 -XT_EINVAL);
	assert_int_equal(image_load_elf(img, len, &e.ram, MIN_GPA, NULL, err, sizeof(err)),
			 -XT_EINVAL);
	/* An image staged inside guest RAM would be overwritten while loading. */
	memcpy(e.ram.base + 0x300000, img, len);
	assert_int_equal(image_load_elf(e.ram.base + 0x300000, len, &e.ram, MIN_GPA, &entry,
					err, sizeof(err)), -XT_EINVAL);
	assert_string_equal(err, "image buffer overlaps guest RAM");
	assert_untouched(&e, 0, 0x300000);
	assert_untouched(&e, 0x300000 + len, e.ram.size);
	env_free(&e);
}

static void test_err_buffer_handling(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);
	char err[8];
	uint64_t entry;
	struct env e;

	(void)state;
	env_init(&e, RAM_SIZE);
	fx_eh(img)->machine = FX_EM_386;
	memset(err, 'X', sizeof(err));
	assert_int_equal(image_load_elf(img, len, &e.ram, MIN_GPA, &entry, err, sizeof(err)),
			 -XT_ENOEXEC);
	assert_string_equal(err, "not an ");
	assert_int_equal(image_load_elf(img, len, &e.ram, MIN_GPA, &entry, NULL, 100),
			 -XT_ENOEXEC);
	assert_int_equal(image_load_elf(img, len, &e.ram, MIN_GPA, &entry, err, 0), -XT_ENOEXEC);
	assert_int_equal(err[0], 'n');
	env_free(&e);
}

/* Every proper prefix of a valid image is rejected without touching RAM. */
static void test_truncate_every_length(void **state)
{
	uint8_t img[IMG_CAP];
	size_t len = std_image(img);
	char err[ERRLEN];
	uint64_t entry;
	struct env e;

	(void)state;
	env_init(&e, RAM_SIZE);
	for (size_t n = 0; n < len; n++) {
		int ret = load(&e, img, n, MIN_GPA, &entry, err);

		if (ret >= 0)
			fail_msg("prefix of %zu bytes loaded", n);
		assert_true(err[0] != '\0');
	}
	assert_untouched(&e, 0, e.ram.size);
	assert_guards(&e);
	assert_int_equal(load(&e, img, len, MIN_GPA, &entry, err), 0);
	assert_int_equal(entry, STD_ENTRY);
	env_free(&e);
}

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void mutate(uint8_t *img, size_t len, uint64_t *rng)
{
	static const uint64_t interesting[] = {
		0, 1, 0x7f, 0xff, 0x1000, MIN_GPA, MIN_GPA - 1, RAM_SIZE, RAM_SIZE - 1,
		RAM_SIZE + 1, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
		UINT64_MAX - 0xfff, UINT64_MAX - 1, UINT64_MAX,
	};
	size_t hdr = 64 + 3 * sizeof(struct fx_phdr);
	uint64_t r = rng_next(rng);
	size_t pos = (r & 3) ? (size_t)(rng_next(rng) % hdr) : (size_t)(rng_next(rng) % len);

	switch ((r >> 2) % 4) {
	case 0: /* random byte */
		img[pos] = (uint8_t)rng_next(rng);
		break;
	case 1: /* flip one bit */
		img[pos] ^= (uint8_t)(1u << (rng_next(rng) % 8));
		break;
	case 2: /* interesting 64-bit value at an 8-aligned header offset */
		pos &= ~(size_t)7;
		if (pos + 8 <= len) {
			uint64_t v = interesting[rng_next(rng) % (sizeof(interesting) / 8)];

			memcpy(img + pos, &v, 8);
		}
		break;
	default: /* small 16-bit value (types, counts, sizes) */
		pos &= ~(size_t)1;
		if (pos + 2 <= len) {
			uint16_t v = (uint16_t)(rng_next(rng) % 70);

			memcpy(img + pos, &v, 2);
		}
		break;
	}
}

/*
 * 2000 fixed-seed mutations of a valid image: the loader must never read
 * past the image (ASan, exact-length copies), never write outside
 * [MIN_GPA, RAM end) and leave RAM untouched when it rejects.
 */
static void test_random_mutations(void **state)
{
	const uint64_t ram_size = 2 * MIB;
	uint8_t base[IMG_CAP], img[IMG_CAP];
	size_t base_len = std_image(base);
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	unsigned int ok = 0, rejected = 0;
	char err[ERRLEN];
	struct env e;

	(void)state;
	env_init(&e, ram_size);
	for (int iter = 0; iter < 2000; iter++) {
		size_t len = base_len;
		uint64_t entry = 0;
		int nmut = 1 + (int)(rng_next(&rng) % 4), ret;

		memcpy(img, base, base_len);
		for (int m = 0; m < nmut; m++)
			mutate(img, len, &rng);
		if (rng_next(&rng) % 8 == 0)
			len = (size_t)(rng_next(&rng) % (base_len + 1));
		ret = load(&e, img, len, MIN_GPA, &entry, err);
		assert_guards(&e);
		assert_untouched(&e, 0, MIN_GPA);
		if (ret == 0) {
			ok++;
			assert_true(entry >= MIN_GPA && entry < ram_size);
			memset(e.ram.base, FILL, ram_size);
		} else {
			rejected++;
			assert_true(ret == -XT_ENOEXEC || ret == -XT_ERANGE);
			assert_true(err[0] != '\0');
			assert_untouched(&e, MIN_GPA, ram_size);
		}
	}
	print_message("mutations: %u loaded, %u rejected\n", ok, rejected);
	assert_true(ok > 0 && rejected > 0);
	env_free(&e);
}

static const uint8_t raw_blob[] = { 0xf4, 0xeb, 0xfe, 0x90, 0x0f, 0x0b, 0xcc };

static void test_raw_fits(void **state)
{
	char err[ERRLEN] = "junk";
	struct env e;

	(void)state;
	env_init(&e, RAM_SIZE);
	assert_int_equal(image_load_raw(raw_blob, sizeof(raw_blob), &e.ram, MIN_GPA, MIN_GPA,
					err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_memory_equal(e.ram.base + MIN_GPA, raw_blob, sizeof(raw_blob));
	/* Exactly at the end of RAM. */
	assert_int_equal(image_load_raw(raw_blob, sizeof(raw_blob), &e.ram,
					RAM_SIZE - sizeof(raw_blob), MIN_GPA, err, sizeof(err)), 0);
	assert_memory_equal(e.ram.base + RAM_SIZE - sizeof(raw_blob), raw_blob, sizeof(raw_blob));
	assert_untouched(&e, 0, MIN_GPA);
	assert_untouched(&e, MIN_GPA + sizeof(raw_blob), RAM_SIZE - sizeof(raw_blob));
	assert_guards(&e);
	env_free(&e);
}

static void expect_raw_reject(uint64_t gpa, size_t len, int code, const char *part)
{
	uint8_t *blob = calloc(1, len ? len : 1);
	char err[ERRLEN];
	struct env e;
	int ret;

	assert_non_null(blob);
	env_init(&e, RAM_SIZE);
	ret = image_load_raw(blob, len, &e.ram, gpa, MIN_GPA, err, sizeof(err));
	if (ret != -code)
		fail_msg("got %d (\"%s\"), expected %d", ret, err, -code);
	if (!strstr(err, part))
		fail_msg("message \"%s\" lacks \"%s\"", err, part);
	assert_untouched(&e, 0, e.ram.size);
	assert_guards(&e);
	env_free(&e);
	free(blob);
}

static void test_raw_too_big(void **state)
{
	(void)state;
	expect_raw_reject(RAM_SIZE - 7, 8, XT_ERANGE, "lies outside guest RAM (4 MiB)");
	expect_raw_reject(MIN_GPA, RAM_SIZE, XT_ERANGE, "lies outside guest RAM");
	expect_raw_reject(RAM_SIZE, 1, XT_ERANGE, "raw image at 0x400000+0x1 lies outside");
}

static void test_raw_below_min(void **state)
{
	(void)state;
	expect_raw_reject(MIN_GPA - 1, 16, XT_ERANGE, "below the lowest loadable address 0x100000");
	expect_raw_reject(0, 16, XT_ERANGE, "below the lowest loadable address");
}

static void test_raw_overflow(void **state)
{
	(void)state;
	expect_raw_reject(UINT64_MAX - 3, 16, XT_ERANGE, "lies outside guest RAM");
}

static void test_raw_empty_and_bad_args(void **state)
{
	char err[ERRLEN];
	struct env e;

	(void)state;
	expect_raw_reject(MIN_GPA, 0, XT_ENOEXEC, "empty");
	env_init(&e, RAM_SIZE);
	assert_int_equal(image_load_raw(NULL, 4, &e.ram, MIN_GPA, MIN_GPA, err, sizeof(err)),
			 -XT_EINVAL);
	assert_int_equal(image_load_raw(raw_blob, 4, NULL, MIN_GPA, MIN_GPA, err, sizeof(err)),
			 -XT_EINVAL);
	assert_int_equal(image_load_raw(e.ram.base + 0x200000, 4, &e.ram, MIN_GPA, MIN_GPA,
					err, sizeof(err)), -XT_EINVAL);
	assert_untouched(&e, 0, e.ram.size);
	env_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_single_segment),
		cmocka_unit_test(test_load_multi_segment),
		cmocka_unit_test(test_elf_span),
		cmocka_unit_test(test_load_segment_at_ram_bounds),
		cmocka_unit_test(test_entry_vaddr_to_paddr),
		cmocka_unit_test(test_entry_virtual_wins),
		cmocka_unit_test(test_reject_short_file),
		cmocka_unit_test(test_reject_bad_magic),
		cmocka_unit_test(test_reject_class32),
		cmocka_unit_test(test_reject_big_endian),
		cmocka_unit_test(test_reject_bad_version),
		cmocka_unit_test(test_reject_wrong_machine),
		cmocka_unit_test(test_reject_et_dyn),
		cmocka_unit_test(test_reject_et_rel),
		cmocka_unit_test(test_reject_phentsize),
		cmocka_unit_test(test_reject_phoff_beyond_file),
		cmocka_unit_test(test_reject_phnum_beyond_file),
		cmocka_unit_test(test_reject_phnum_limits),
		cmocka_unit_test(test_reject_phoff_overflow),
		cmocka_unit_test(test_reject_filesz_gt_memsz),
		cmocka_unit_test(test_reject_data_beyond_file),
		cmocka_unit_test(test_reject_data_offset_overflow),
		cmocka_unit_test(test_reject_paddr_below_min),
		cmocka_unit_test(test_reject_segment_beyond_ram),
		cmocka_unit_test(test_reject_segment_end_overflow),
		cmocka_unit_test(test_reject_overlapping_segments),
		cmocka_unit_test(test_reject_interp),
		cmocka_unit_test(test_reject_no_pt_load),
		cmocka_unit_test(test_reject_entry_outside),
		cmocka_unit_test(test_reject_bad_args),
		cmocka_unit_test(test_err_buffer_handling),
		cmocka_unit_test(test_truncate_every_length),
		cmocka_unit_test(test_random_mutations),
		cmocka_unit_test(test_raw_fits),
		cmocka_unit_test(test_raw_too_big),
		cmocka_unit_test(test_raw_below_min),
		cmocka_unit_test(test_raw_overflow),
		cmocka_unit_test(test_raw_empty_and_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
