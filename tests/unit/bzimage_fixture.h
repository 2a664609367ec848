/* SPDX-License-Identifier: MIT */
/*
 * Builds a small bzImage-shaped file in memory for the loader's tests and
 * fuzz target: a boot sector with a protocol 2.15 setup header (offsets from
 * Linux Documentation/arch/x86/boot.rst, written here independently of
 * vmm/emul/bzimage.h so a wrong offset there fails a test), one more setup
 * sector, then a "protected-mode kernel" of recognisable bytes. Nothing of
 * a real kernel is in it.
 */
#ifndef XTALK_TESTS_BZIMAGE_FIXTURE_H
#define XTALK_TESTS_BZIMAGE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FXB_SETUP_SECTS		1
#define FXB_KERNEL_OFF		((FXB_SETUP_SECTS + 1) * 512)
#define FXB_HDR_END		0x268	/* kernel_info_offset ends here (2.15) */

static inline void fxb_w(uint8_t *img, size_t off, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t fxb_r(const uint8_t *p, size_t off, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)p[off + i] << (8 * i);
	return v;
}

/* Kernel byte i of the fixture. */
static inline uint8_t fxb_kbyte(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

/*
 * Write the fixture for a kernel of kernel_bytes (a multiple of 16) into
 * img, which must hold FXB_KERNEL_OFF + kernel_bytes. Returns that length.
 * Loads at pref_address, relocatable, 2 MiB aligned, init_size as given.
 */
static inline size_t fxb_build(uint8_t *img, size_t kernel_bytes, uint64_t pref_address,
			       uint32_t init_size)
{
	memset(img, 0, FXB_KERNEL_OFF);
	img[0x1f1] = FXB_SETUP_SECTS;			/* setup_sects */
	fxb_w(img, 0x1f4, kernel_bytes / 16, 4);	/* syssize */
	fxb_w(img, 0x1fe, 0xaa55, 2);			/* boot_flag */
	img[0x200] = 0xeb;				/* jmp short */
	img[0x201] = FXB_HDR_END - 0x202;
	memcpy(img + 0x202, "HdrS", 4);
	fxb_w(img, 0x206, 0x020f, 2);			/* version 2.15 */
	img[0x211] = 0x01;				/* loadflags: LOADED_HIGH */
	fxb_w(img, 0x214, 0x100000, 4);			/* code32_start */
	fxb_w(img, 0x22c, 0x7fffffff, 4);		/* initrd_addr_max */
	fxb_w(img, 0x230, 0x200000, 4);			/* kernel_alignment */
	img[0x234] = 1;					/* relocatable_kernel */
	img[0x235] = 21;				/* min_alignment */
	fxb_w(img, 0x236, 0x0003, 2);			/* XLF_KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
	fxb_w(img, 0x238, 2047, 4);			/* cmdline_size */
	fxb_w(img, 0x258, pref_address, 8);		/* pref_address */
	fxb_w(img, 0x260, init_size, 4);		/* init_size */
	for (size_t i = 0; i < kernel_bytes; i++)
		img[FXB_KERNEL_OFF + i] = fxb_kbyte(i);
	return FXB_KERNEL_OFF + kernel_bytes;
}

#endif
