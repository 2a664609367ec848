/* SPDX-License-Identifier: MIT */
/*
 * Started as a Linux bzImage (format = linux, scripts/mkbzimage.py), prints
 * what the loader put in boot_params: the setup header fields a kernel
 * reads, the command line, the e820 map, and where the initrd is with an
 * FNV-1a checksum of all its bytes. tests/e2e (case linux_loader) compares
 * every value with the files it put on the disk. Exit status 0, or 1 when
 * there is no initrd or it is not inside the e820 RAM.
 */
#include "guest.h"

#define BP_E820_ENTRIES 0x1e8
#define BP_E820_TABLE 0x2d0

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint32_t fnv1a(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261U;

	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619U;
	return h;
}

/* True when [a, a + n) lies in one e820 RAM entry. */
static bool in_e820_ram(const uint8_t *bp, uint64_t a, uint64_t n)
{
	for (unsigned i = 0; i < bp[BP_E820_ENTRIES]; i++) {
		const uint8_t *e = bp + BP_E820_TABLE + 20 * i;
		uint64_t base = rd64(e), size = rd64(e + 8);

		if (rd32(e + 16) == 1 && a >= base && a + n <= base + size)
			return true;
	}
	return false;
}

long guest_main(const uint8_t *bp)
{
	uint32_t image = rd32(bp + 0x218), size = rd32(bp + 0x21c);
	unsigned n = bp[BP_E820_ENTRIES];

	print("linuxload: version 0x%04x loader 0x%02x loadflags 0x%02x code32_start 0x%x\n",
	      (unsigned)(bp[0x206] | bp[0x207] << 8), bp[0x210], bp[0x211], rd32(bp + 0x214));
	print("linuxload: pref_address 0x%llx init_size 0x%x initrd_addr_max 0x%x cmdline_size %u\n",
	      (unsigned long long)rd64(bp + 0x258), rd32(bp + 0x260), rd32(bp + 0x22c),
	      rd32(bp + 0x238));
	print("linuxload: cmdline '%s'\n", (const char *)(uintptr_t)rd32(bp + 0x228));
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = bp + BP_E820_TABLE + 20 * i;

		print("linuxload: e820 %u 0x%llx 0x%llx %u\n", i, (unsigned long long)rd64(e),
		      (unsigned long long)rd64(e + 8), rd32(e + 16));
	}
	print("linuxload: ramdisk 0x%x size %u ext 0x%x 0x%x\n", image, size, rd32(bp + 0x0c0),
	      rd32(bp + 0x0c4));
	if (!size || !in_e820_ram(bp, image, size)) {
		print("linuxload: no initrd in RAM\n");
		return 1;
	}
	print("linuxload: initrd fnv1a 0x%08x\n", fnv1a((const uint8_t *)(uintptr_t)image, size));
	return 0;
}
