/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the Linux bzImage path: vmm/emul/bzimage.c (setup header,
 * placement, copy), the initrd placement and the Linux boot_params written
 * by guest_boot_setup_linux() (vmm/emul/guest_boot.c). Images are exact-
 * length heap copies so ASan catches a read past their end; guest RAM sits
 * between guard areas.
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
#include "tests/unit/bzimage_fixture.h"
#include "vmm/emul/bzimage.h"
#include "vmm/emul/guest_boot.h"
#include "vmm/emul/guest_layout.h"

#define MIB		0x100000ULL
#define KBYTES		4096	/* fixture kernel size */
#define PREF		(16 * MIB)
#define INIT_SIZE	(4 * MIB)
#define FILL		0xa5
#define GUARD		4096
#define GUARD_FILL	0x5a
#define ERRLEN		200
#define BP		GUEST_BOOT_PARAMS_GPA

struct env {
	uint8_t *alloc;
	struct guest_ram ram;
	uint8_t *img;	/* exact-length image */
	size_t len;
	char err[ERRLEN];
};

static void env_init(struct env *e, uint64_t ram_size)
{
	uint8_t buf[FXB_KERNEL_OFF + KBYTES];

	e->alloc = malloc(ram_size + 2 * GUARD);
	assert_non_null(e->alloc);
	memset(e->alloc, GUARD_FILL, GUARD);
	memset(e->alloc + GUARD, FILL, ram_size);
	memset(e->alloc + GUARD + ram_size, GUARD_FILL, GUARD);
	e->ram.base = e->alloc + GUARD;
	e->ram.size = ram_size;
	e->len = fxb_build(buf, KBYTES, PREF, INIT_SIZE);
	e->img = malloc(e->len);
	assert_non_null(e->img);
	memcpy(e->img, buf, e->len);
}

static void env_free(struct env *e)
{
	free(e->alloc);
	free(e->img);
}

/* Exact-length copy of the first n bytes of the image (for truncation). */
static void env_truncate(struct env *e, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, e->img, n);
	free(e->img);
	e->img = p;
	e->len = n;
}

static bool all(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void assert_guards(const struct env *e)
{
	assert_true(all(e->alloc, GUARD, GUARD_FILL));
	assert_true(all(e->alloc + GUARD + e->ram.size, GUARD, GUARD_FILL));
}

static void assert_ram_untouched(const struct env *e)
{
	assert_true(all(e->ram.base, e->ram.size, FILL));
	assert_guards(e);
}

static uint64_t rdram(const struct env *e, uint64_t gpa, unsigned int bytes)
{
	return fxb_r(e->ram.base, gpa, bytes);
}

static int parse(struct env *e, struct bzimage_hdr *h)
{
	return bzimage_parse(e->img, e->len, h, e->err, sizeof(e->err));
}

/* The load must fail with code and a message containing needle, writing nothing. */
static void expect_refused(struct env *e, int code, const char *needle)
{
	struct bzimage_info info;
	int rc = bzimage_load(e->img, e->len, &e->ram, GUEST_IMAGE_MIN, &info, e->err,
			      sizeof(e->err));

	if (rc != -code || !strstr(e->err, needle))
		fail_msg("rc %d (want %d), message \"%s\" (want \"%s\")", rc, -code, e->err, needle);
	assert_ram_untouched(e);
}

/* ---- header ---- */

static void test_parse_valid(void **state)
{
	struct bzimage_hdr h;
	struct env e;

	(void)state;
	env_init(&e, 32 * MIB);
	assert_int_equal(parse(&e, &h), 0);
	assert_string_equal(e.err, "");
	assert_int_equal(h.version, 0x020f);
	assert_int_equal(h.kernel_off, 1024);
	assert_int_equal(h.kernel_size, KBYTES);
	assert_int_equal(h.pref_address, PREF);
	assert_int_equal(h.kernel_alignment, 2 * MIB);
	assert_int_equal(h.init_size, INIT_SIZE);
	assert_int_equal(h.initrd_addr_max, 0x7fffffff);
	assert_int_equal(h.cmdline_size, 2047);
	assert_int_equal(h.relocatable, 1);
	/* header copied up to 0x202 + byte 0x201 */
	assert_int_equal(h.hdr_len, FXB_HDR_END - 0x1f1);
	assert_memory_equal(h.hdr, e.img + 0x1f1, h.hdr_len);
	env_free(&e);
}

static void test_setup_sects_zero_means_four(void **state)
{
	struct bzimage_hdr h;
	struct env e;

	(void)state;
	env_init(&e, 32 * MIB);
	e.img[0x1f1] = 0;
	/* 5 sectors of setup + the kernel no longer fit in the file */
	assert_int_equal(parse(&e, &h), -XT_ENOEXEC);
	assert_non_null(strstr(e.err, "truncated"));
	/* with a kernel of (len - 5 * 512) bytes it parses, from offset 2560 */
	fxb_w(e.img, 0x1f4, (e.len - 5 * 512) / 16, 4);
	assert_int_equal(parse(&e, &h), 0);
	assert_int_equal(h.kernel_off, 5 * 512);
	assert_int_equal(h.kernel_size, e.len - 5 * 512);
	env_free(&e);
}

static void test_header_extends_past_struct_is_capped(void **state)
{
	struct bzimage_hdr h;
	struct env e;

	(void)state;
	env_init(&e, 32 * MIB);
	e.img[0x201] = 0xff; /* "ends" at 0x301: only struct setup_header is kept */
	assert_int_equal(parse(&e, &h), 0);
	assert_int_equal(h.hdr_len, BZ_HDR_END - 0x1f1);
	env_free(&e);
}

struct bad_field {
	size_t off;
	uint64_t value;
	unsigned int bytes;
	const char *needle;
};

static const struct bad_field bad_fields[] = {
	{ 0x202, 0x53726449, 4, "no \"HdrS\"" },
	{ 0x1fe, 0x55aa, 2, "no \"HdrS\"" },
	{ 0x206, 0x020b, 2, "2.11 is too old" },
	{ 0x200, 0xe9, 1, "no short jump" },
	{ 0x201, 0x5e, 1, "before init_size" },
	{ 0x211, 0x80, 1, "without LOADED_HIGH" },
	{ 0x236, 0x0002, 2, "no 64-bit entry" },
	{ 0x1f4, 0, 4, "no room for the 64-bit entry" },
	{ 0x1f4, 0x200 / 16, 4, "no room for the 64-bit entry" },
	{ 0x1f4, KBYTES / 16 + 1, 4, "truncated" },
	{ 0x1f4, 0xffffffff, 4, "truncated" },
	{ 0x1f1, 0xff, 1, "truncated" },
	{ 0x260, KBYTES - 16, 4, "init_size 0xff0 is smaller than the kernel" },
	{ 0x230, 0x300000, 4, "kernel_alignment 0x300000 is not a power of two" },
	{ 0x230, 0x800, 4, "kernel_alignment 0x800" },
	{ 0x230, 0x80000000, 4, "kernel_alignment 0x80000000" },
	{ 0x230, 0, 4, "kernel_alignment 0x0" },
};

static void test_each_bad_field_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_fields) / sizeof(bad_fields[0]); i++) {
		const struct bad_field *b = &bad_fields[i];
		struct env e;

		env_init(&e, 32 * MIB);
		fxb_w(e.img, b->off, b->value, b->bytes);
		print_message("  field 0x%zx = 0x%llx\n", b->off, (unsigned long long)b->value);
		expect_refused(&e, XT_ENOEXEC, b->needle);
		env_free(&e);
	}
}

static void test_every_truncation_refused(void **state)
{
	struct env e;

	(void)state;
	env_init(&e, 32 * MIB);
	for (size_t n = e.len; n-- > 0;) {
		struct bzimage_info info;

		env_truncate(&e, n);
		assert_int_equal(bzimage_load(e.img, e.len, &e.ram, GUEST_IMAGE_MIN, &info, e.err,
					      sizeof(e.err)),
				 -XT_ENOEXEC);
		assert_true(e.err[0] != '\0');
	}
	assert_ram_untouched(&e);
	env_free(&e);
}

static void test_trailing_bytes_ignored(void **state)
{
	struct bzimage_info info;
	struct env e;
	uint8_t *p;

	(void)state;
	env_init(&e, 32 * MIB);
	/* a signature appended after syssize * 16 bytes is not loaded */
	p = realloc(e.img, e.len + 512);
	assert_non_null(p);
	memset(p + e.len, 0xee, 512);
	e.img = p;
	e.len += 512;
	assert_int_equal(bzimage_load(e.img, e.len, &e.ram, GUEST_IMAGE_MIN, &info, e.err,
				      sizeof(e.err)), 0);
	assert_int_equal(e.ram.base[PREF + KBYTES], FILL);
	env_free(&e);
}

/* ---- placement ---- */

static void test_load_at_pref_address(void **state)
{
	struct bzimage_info info;
	struct env e;

	(void)state;
	env_init(&e, 32 * MIB);
	assert_int_equal(bzimage_load(e.img, e.len, &e.ram, GUEST_IMAGE_MIN, &info, e.err,
				      sizeof(e.err)), 0);
	assert_int_equal(info.load_gpa, PREF);
	assert_int_equal(info.entry_gpa, PREF + 0x200);
	assert_int_equal(info.end_gpa, PREF + INIT_SIZE);
	for (size_t i = 0; i < KBYTES; i++)
		if (e.ram.base[PREF + i] != fxb_kbyte(i))
			fail_msg("kernel byte %zu is 0x%02x", i, e.ram.base[PREF + i]);
	/* nothing but the kernel is written: not the setup code, not init_size */
	assert_true(all(e.ram.base, PREF, FILL));
	assert_true(all(e.ram.base + PREF + KBYTES, e.ram.size - PREF - KBYTES, FILL));
	assert_guards(&e);
	env_free(&e);
}

static void test_relocates_unaligned_pref(void **state)
{
	struct bzimage_info info;
	struct env e;

	(void)state;
	env_init(&e, 32 * MIB);
	fxb_w(e.img, 0x258, PREF + 0x1000, 8);
	assert_int_equal(bzimage_load(e.img, e.len, &e.ram, GUEST_IMAGE_MIN, &info, e.err,
				      sizeof(e.err)), 0);
	assert_int_equal(info.load_gpa, PREF + 2 * MIB);
	assert_int_equal(info.entry_gpa, PREF + 2 * MIB + 0x200);
	assert_int_equal(e.ram.base[PREF + 2 * MIB + 5], fxb_kbyte(5));
	env_free(&e);
}

static void test_relocates_low_pref_to_alignment(void **state)
{
	struct bzimage_info info;
	struct env e;

	(void)state;
	env_init(&e, 32 * MIB);
	fxb_w(e.img, 0x258, 0x10000, 8); /* below 1 MiB, where the boot structures are */
	assert_int_equal(bzimage_load(e.img, e.len, &e.ram, GUEST_IMAGE_MIN, &info, e.err,
				      sizeof(e.err)), 0);
	assert_int_equal(info.load_gpa, 2 * MIB); /* 1 MiB rounded up to 2 MiB */
	fxb_w(e.img, 0x230, 0x1000000, 4); /* 16 MiB alignment */
	assert_int_equal(bzimage_load(e.img, e.len, &e.ram, GUEST_IMAGE_MIN, &info, e.err,
				      sizeof(e.err)), 0);
	assert_int_equal(info.load_gpa, 16 * MIB);
	env_free(&e);
}

static void test_fixed_kernel_only_at_pref(void **state)
{
	struct bzimage_info info;
	struct env e;

	(void)state;
	env_init(&e, 32 * MIB);
	e.img[0x234] = 0;
	fxb_w(e.img, 0x258, PREF + 0x1000, 8); /* unaligned is fine when not relocatable */
	assert_int_equal(bzimage_load(e.img, e.len, &e.ram, GUEST_IMAGE_MIN, &info, e.err,
				      sizeof(e.err)), 0);
	assert_int_equal(info.load_gpa, PREF + 0x1000);
	env_free(&e);

	env_init(&e, 32 * MIB);
	e.img[0x234] = 0;
	fxb_w(e.img, 0x258, 0x10000, 8);
	expect_refused(&e, XT_ERANGE, "not relocatable");
	env_free(&e);

	env_init(&e, 32 * MIB);
	e.img[0x234] = 0;
	fxb_w(e.img, 0x258, PREF + 0x800, 8);
	expect_refused(&e, XT_ENOEXEC, "not page aligned");
	env_free(&e);
}

static void test_init_size_must_fit(void **state)
{
	struct env e;

	(void)state;
	/* the kernel bytes fit below the end of RAM, its init_size does not */
	env_init(&e, PREF + INIT_SIZE - 0x1000);
	expect_refused(&e, XT_ERANGE, "kernel needs 4 MiB from 0x1000000");
	env_free(&e);
	/* exactly enough */
	env_init(&e, PREF + INIT_SIZE);
	{
		struct bzimage_info info;

		assert_int_equal(bzimage_load(e.img, e.len, &e.ram, GUEST_IMAGE_MIN, &info,
					      e.err, sizeof(e.err)), 0);
	}
	env_free(&e);
}

static void test_too_little_ram_refused(void **state)
{
	struct env e;

	(void)state;
	env_init(&e, 8 * MIB);
	expect_refused(&e, XT_ERANGE, "guest RAM ends at 0x800000");
	env_free(&e);
}

static void test_place_no_overflow(void **state)
{
	struct bzimage_hdr h;
	uint64_t at = 0;
	char err[ERRLEN];

	(void)state;
	memset(&h, 0, sizeof(h));
	h.relocatable = 1;
	h.kernel_alignment = 0x40000000;
	h.init_size = 0xffffffff;
	h.pref_address = UINT64_MAX - 5;
	assert_int_equal(bzimage_place(&h, 3ULL << 30, GUEST_IMAGE_MIN, &at, err, sizeof(err)),
			 -XT_ERANGE);
	h.relocatable = 0;
	assert_int_equal(bzimage_place(&h, 3ULL << 30, GUEST_IMAGE_MIN, &at, err, sizeof(err)),
			 -XT_ERANGE);
	assert_int_equal(at, 0);
}

static void test_bad_arguments(void **state)
{
	struct bzimage_info info;
	struct env e;

	(void)state;
	env_init(&e, 32 * MIB);
	assert_int_equal(bzimage_load(NULL, e.len, &e.ram, GUEST_IMAGE_MIN, &info, e.err,
				      sizeof(e.err)), -XT_EINVAL);
	assert_int_equal(bzimage_load(e.ram.base + 0x200000, e.len, &e.ram, GUEST_IMAGE_MIN,
				      &info, e.err, sizeof(e.err)), -XT_EINVAL);
	assert_non_null(strstr(e.err, "overlaps guest RAM"));
	env_free(&e);
}

/* ---- initrd placement ---- */

static void test_initrd_at_top_of_ram(void **state)
{
	uint64_t at;

	(void)state;
	assert_int_equal(guest_initrd_place(0x12345, 256 * MIB, 0x7fffffff, PREF, PREF + INIT_SIZE,
					    &at), 0);
	assert_int_equal(at, (256 * MIB - 0x12345) & ~0xfffULL);
	assert_true(at + 0x12345 <= 256 * MIB);
}

static void test_initrd_below_addr_max(void **state)
{
	uint64_t at;

	(void)state;
	/* initrd_addr_max is the last byte it may occupy */
	assert_int_equal(guest_initrd_place(0x3000, 256 * MIB, 64 * MIB - 1, PREF, PREF + INIT_SIZE,
					    &at), 0);
	assert_int_equal(at, 64 * MIB - 0x3000);
	assert_int_equal(guest_initrd_place(0x3000, 256 * MIB, 64 * MIB - 2, PREF, PREF + INIT_SIZE,
					    &at), 0);
	assert_int_equal(at, 64 * MIB - 0x4000);
}

static void test_initrd_never_in_kernel(void **state)
{
	uint64_t at;

	(void)state;
	/* the top of RAM is the kernel's init_size area: the initrd goes below it */
	assert_int_equal(guest_initrd_place(3 * MIB, 20 * MIB, 0x7fffffff, PREF, 20 * MIB, &at), 0);
	assert_int_equal(at, PREF - 3 * MIB);
	/* the space above the kernel is too small by one page: below as well */
	assert_int_equal(guest_initrd_place(MIB + 0x1000, 22 * MIB, 0x7fffffff, PREF, 21 * MIB,
					    &at), 0);
	assert_int_equal(at, PREF - MIB - 0x1000);
	/* fits neither above nor below the kernel (nor below 1 MiB): refused */
	assert_int_equal(guest_initrd_place(15 * MIB + 1, 20 * MIB, 0x7fffffff, PREF, 20 * MIB,
					    &at), -XT_ERANGE);
	assert_int_equal(guest_initrd_place(8 * MIB, 8 * MIB, 0x7fffffff, 0, 0, &at), -XT_ERANGE);
	assert_int_equal(guest_initrd_place(0, 8 * MIB, 0x7fffffff, 0, 0, &at), -XT_EINVAL);
}

static void test_initrd_load_copies_and_refuses(void **state)
{
	static uint8_t data[10000];
	uint64_t at;
	struct env e;

	(void)state;
	env_init(&e, 32 * MIB);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	assert_int_equal(guest_initrd_load(&e.ram, data, sizeof(data), 0x7fffffff, PREF,
					   PREF + INIT_SIZE, &at, e.err, sizeof(e.err)), 0);
	assert_int_equal(at, (32 * MIB - sizeof(data)) & ~0xfffULL);
	assert_memory_equal(e.ram.base + at, data, sizeof(data));
	assert_true(all(e.ram.base + at + sizeof(data), 32 * MIB - at - sizeof(data), FILL));
	assert_true(all(e.ram.base, at, FILL));
	env_free(&e);

	env_init(&e, 8 * MIB);
	assert_int_equal(guest_initrd_load(&e.ram, data, sizeof(data), 0x7fffffff, MIB, 8 * MIB,
					   &at, e.err, sizeof(e.err)), -XT_ERANGE);
	assert_non_null(strstr(e.err, "no room for a 10 KiB initrd"));
	assert_ram_untouched(&e);
	env_free(&e);
}

/* ---- boot_params for a bzImage ---- */

static void boot_linux(struct env *e, struct bzimage_info *info, const char *cmdline,
		       uint64_t initrd_gpa, uint64_t initrd_size, struct guest_entry_state *st)
{
	struct guest_boot_linux lb = { .initrd_gpa = initrd_gpa, .initrd_size = initrd_size };

	assert_int_equal(bzimage_load(e->img, e->len, &e->ram, GUEST_IMAGE_MIN, info, e->err,
				      sizeof(e->err)), 0);
	lb.setup_hdr = info->h.hdr;
	lb.setup_hdr_len = info->h.hdr_len;
	lb.kernel_gpa = info->load_gpa;
	assert_int_equal(guest_boot_setup_linux(&e->ram, info->entry_gpa, cmdline, &lb, st), 0);
}

static void test_boot_params_from_kernel_header(void **state)
{
	struct guest_entry_state st;
	struct bzimage_info info;
	struct env e;

	(void)state;
	env_init(&e, 256 * MIB);
	fxb_w(e.img, 0x206, 0x020c, 2);		/* the kernel's version, not ours */
	e.img[0x211] = 0x01 | 0x20 | 0x40 | 0x80; /* QUIET, KEEP_SEGMENTS, CAN_USE_HEAP */
	fxb_w(e.img, 0x224, 0xfe00, 2);		/* heap_end_ptr */
	e.img[0x210] = 0x21;			/* type_of_loader */
	fxb_w(e.img, 0x250, 0xdeadbeef000, 8);	/* setup_data */
	fxb_w(e.img, 0x23c, 3, 4);		/* hardware_subarch */
	fxb_w(e.img, 0x264, 0x1234, 4);		/* handover_offset: copied as is */
	boot_linux(&e, &info, "console=ttyS0 quiet", 0xf000000, 0x123456, &st);

	assert_int_equal(rdram(&e, BP + 0x1f1, 1), 1);			/* setup_sects */
	assert_int_equal(rdram(&e, BP + 0x1fe, 2), 0xaa55);
	assert_int_equal(rdram(&e, BP + 0x202, 4), 0x53726448);
	assert_int_equal(rdram(&e, BP + 0x206, 2), 0x020c);
	assert_int_equal(rdram(&e, BP + 0x210, 1), 0xff);		/* type_of_loader */
	assert_int_equal(rdram(&e, BP + 0x211, 1), 0x01);		/* loadflags */
	assert_int_equal(rdram(&e, BP + 0x214, 4), PREF);		/* code32_start */
	assert_int_equal(rdram(&e, BP + 0x218, 4), 0xf000000);		/* ramdisk_image */
	assert_int_equal(rdram(&e, BP + 0x21c, 4), 0x123456);		/* ramdisk_size */
	assert_int_equal(rdram(&e, BP + 0x0c0, 4), 0);			/* ext_ramdisk_image */
	assert_int_equal(rdram(&e, BP + 0x0c4, 4), 0);			/* ext_ramdisk_size */
	assert_int_equal(rdram(&e, BP + 0x224, 2), 0);			/* heap_end_ptr */
	assert_int_equal(rdram(&e, BP + 0x228, 4), GUEST_CMDLINE_GPA);	/* cmd_line_ptr */
	assert_int_equal(rdram(&e, BP + 0x0c8, 4), 0);			/* ext_cmd_line_ptr */
	assert_int_equal(rdram(&e, BP + 0x22c, 4), 0x7fffffff);		/* initrd_addr_max */
	assert_int_equal(rdram(&e, BP + 0x230, 4), 2 * MIB);		/* kernel_alignment */
	assert_int_equal(rdram(&e, BP + 0x236, 2), 3);			/* xloadflags */
	assert_int_equal(rdram(&e, BP + 0x238, 4), 2047);		/* cmdline_size */
	assert_int_equal(rdram(&e, BP + 0x23c, 4), 0);			/* hardware_subarch */
	assert_int_equal(rdram(&e, BP + 0x250, 8), 0);			/* setup_data */
	assert_int_equal(rdram(&e, BP + 0x258, 8), PREF);		/* pref_address */
	assert_int_equal(rdram(&e, BP + 0x260, 4), INIT_SIZE);		/* init_size */
	assert_int_equal(rdram(&e, BP + 0x264, 4), 0x1234);
	assert_int_equal(rdram(&e, BP + 0x1ef, 1), 0);			/* sentinel */
	/* nothing past the header's end comes from the file */
	assert_true(all(e.ram.base + BP + FXB_HDR_END, 0x2d0 - FXB_HDR_END, 0));
	assert_string_equal((const char *)e.ram.base + GUEST_CMDLINE_GPA, "console=ttyS0 quiet");
	/* 64-bit boot protocol state */
	assert_int_equal(st.rip, PREF + 0x200);
	assert_int_equal(st.rsi, BP);
	assert_int_equal(st.rflags & 0x200, 0);
	assert_int_equal(st.cs, 0x10);
	assert_int_equal(st.ds, 0x18);
	env_free(&e);
}

static void test_e820_for_bzimage_guest(void **state)
{
	static const uint64_t want[3][3] = {
		{ 0, 0x9f000, 1 },
		{ 0x9f000, 0x61000, 2 },
		{ 0x100000, 256 * MIB - 0x100000, 1 },
	};
	struct guest_entry_state st;
	struct bzimage_info info;
	struct env e;

	(void)state;
	env_init(&e, 256 * MIB);
	boot_linux(&e, &info, NULL, 0xf000000, 0x1000, &st);
	assert_int_equal(rdram(&e, BP + 0x1e8, 1), 3);
	for (unsigned int i = 0; i < 3; i++) {
		uint64_t at = BP + 0x2d0 + i * 20;

		assert_int_equal(rdram(&e, at, 8), want[i][0]);
		assert_int_equal(rdram(&e, at + 8, 8), want[i][1]);
		assert_int_equal(rdram(&e, at + 16, 4), want[i][2]);
	}
	/* the kernel's init_size area and the initrd are RAM in entry 2 */
	assert_true(PREF >= want[2][0] && PREF + INIT_SIZE <= want[2][0] + want[2][1]);
	/* the identity map covers kernel, boot_params, cmdline and initrd */
	assert_int_equal(st.cr3, GUEST_PML4_GPA);
	env_free(&e);
}

static void test_cmdline_limited_by_kernel(void **state)
{
	struct guest_entry_state st;
	struct bzimage_info info;
	struct guest_boot_linux lb;
	struct env e;

	(void)state;
	env_init(&e, 32 * MIB);
	fxb_w(e.img, 0x238, 5, 4); /* this kernel takes 5 characters */
	assert_int_equal(bzimage_load(e.img, e.len, &e.ram, GUEST_IMAGE_MIN, &info, e.err,
				      sizeof(e.err)), 0);
	memset(&lb, 0, sizeof(lb));
	lb.setup_hdr = info.h.hdr;
	lb.setup_hdr_len = info.h.hdr_len;
	lb.kernel_gpa = info.load_gpa;
	assert_int_equal(guest_boot_setup_linux(&e.ram, info.entry_gpa, "quiet!", &lb, &st),
			 -XT_E2BIG);
	assert_true(all(e.ram.base, PREF, FILL)); /* boot structures not written */
	assert_int_equal(guest_boot_setup_linux(&e.ram, info.entry_gpa, "quiet", &lb, &st), 0);
	env_free(&e);
}

static void test_initrd_outside_ram_refused(void **state)
{
	struct guest_entry_state st;
	struct guest_boot_linux lb;
	struct env e;

	(void)state;
	env_init(&e, 32 * MIB);
	memset(&lb, 0, sizeof(lb));
	lb.initrd_gpa = 32 * MIB - 0x1000;
	lb.initrd_size = 0x1001;
	assert_int_equal(guest_boot_setup_linux(&e.ram, PREF, NULL, &lb, &st), -XT_ERANGE);
	lb.initrd_gpa = 0x80000; /* among the boot structures */
	lb.initrd_size = 0x1000;
	assert_int_equal(guest_boot_setup_linux(&e.ram, PREF, NULL, &lb, &st), -XT_ERANGE);
	assert_ram_untouched(&e);
	env_free(&e);
}

static void test_elf_guest_gets_initrd_fields(void **state)
{
	struct guest_entry_state st;
	struct guest_boot_linux lb;
	struct env e;

	(void)state;
	env_init(&e, 32 * MIB);
	memset(&lb, 0, sizeof(lb));
	lb.initrd_gpa = 0x1e00000;
	lb.initrd_size = 0x1ff000;
	assert_int_equal(guest_boot_setup_linux(&e.ram, PREF, NULL, &lb, &st), 0);
	assert_int_equal(rdram(&e, BP + 0x206, 2), 0x020f); /* the default header */
	assert_int_equal(rdram(&e, BP + 0x238, 4), GUEST_CMDLINE_MAX - 1);
	assert_int_equal(rdram(&e, BP + 0x218, 4), 0x1e00000);
	assert_int_equal(rdram(&e, BP + 0x21c, 4), 0x1ff000);
	assert_int_equal(rdram(&e, BP + 0x214, 4), 0); /* no code32_start for ELF */
	env_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_setup_sects_zero_means_four),
		cmocka_unit_test(test_header_extends_past_struct_is_capped),
		cmocka_unit_test(test_each_bad_field_refused),
		cmocka_unit_test(test_every_truncation_refused),
		cmocka_unit_test(test_trailing_bytes_ignored),
		cmocka_unit_test(test_load_at_pref_address),
		cmocka_unit_test(test_relocates_unaligned_pref),
		cmocka_unit_test(test_relocates_low_pref_to_alignment),
		cmocka_unit_test(test_fixed_kernel_only_at_pref),
		cmocka_unit_test(test_init_size_must_fit),
		cmocka_unit_test(test_too_little_ram_refused),
		cmocka_unit_test(test_place_no_overflow),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_initrd_at_top_of_ram),
		cmocka_unit_test(test_initrd_below_addr_max),
		cmocka_unit_test(test_initrd_never_in_kernel),
		cmocka_unit_test(test_initrd_load_copies_and_refuses),
		cmocka_unit_test(test_boot_params_from_kernel_header),
		cmocka_unit_test(test_e820_for_bzimage_guest),
		cmocka_unit_test(test_cmdline_limited_by_kernel),
		cmocka_unit_test(test_initrd_outside_ram_refused),
		cmocka_unit_test(test_elf_guest_gets_initrd_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
