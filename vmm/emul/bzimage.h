/* SPDX-License-Identifier: MIT */
/*
 * Linux bzImage loader (Linux Documentation/arch/x86/boot.rst, "The Linux/x86
 * Boot Protocol"), for the 64-bit entry only: xtalk never runs the kernel's
 * real-mode setup code, it copies the protected-mode kernel into guest RAM
 * and enters it at load address + 0x200 in long mode.
 *
 * The file is untrusted. bzimage_parse() reads only inside [image, image +
 * len) and checks every field it uses; bzimage_place() does all address
 * arithmetic without overflow; bzimage_load() writes guest RAM only after
 * both succeeded, and only [load, load + kernel_size). Errors:
 *   -XT_EINVAL   bad arguments (NULL pointers, image inside guest RAM)
 *   -XT_ENOEXEC  not a bzImage this loader can start: no "HdrS", protocol
 *                older than 2.12, no 64-bit entry, not LOADED_HIGH, a
 *                truncated file, or fields that contradict each other
 *   -XT_ERANGE   the kernel does not fit in guest RAM where it may go
 * with a one-line message in err (no newline); "" on success.
 */
#ifndef XTALK_VMM_BZIMAGE_H
#define XTALK_VMM_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/emul/image_load.h"

/* Setup header fields, as offsets in the file's first sector and in boot_params. */
#define BZ_SETUP_SECTS		0x1f1	/* u8, 0 means 4 */
#define BZ_SYSSIZE		0x1f4	/* u32, protected-mode kernel size in 16-byte units */
#define BZ_BOOT_FLAG		0x1fe	/* u16, 0xaa55 */
#define BZ_JUMP			0x200	/* u16, short jump; byte 0x201 = header length - 2 */
#define BZ_HEADER		0x202	/* u32, "HdrS" */
#define BZ_VERSION		0x206	/* u16 */
#define BZ_TYPE_OF_LOADER	0x210	/* u8 */
#define BZ_LOADFLAGS		0x211	/* u8 */
#define BZ_CODE32_START		0x214	/* u32 */
#define BZ_RAMDISK_IMAGE	0x218	/* u32 */
#define BZ_RAMDISK_SIZE		0x21c	/* u32 */
#define BZ_HEAP_END_PTR		0x224	/* u16 */
#define BZ_EXT_LOADER_VER	0x226	/* u8 */
#define BZ_EXT_LOADER_TYPE	0x227	/* u8 */
#define BZ_CMD_LINE_PTR		0x228	/* u32 */
#define BZ_INITRD_ADDR_MAX	0x22c	/* u32 */
#define BZ_KERNEL_ALIGNMENT	0x230	/* u32 */
#define BZ_RELOCATABLE		0x234	/* u8 */
#define BZ_XLOADFLAGS		0x236	/* u16 */
#define BZ_CMDLINE_SIZE		0x238	/* u32 */
#define BZ_HW_SUBARCH		0x23c	/* u32 */
#define BZ_HW_SUBARCH_DATA	0x240	/* u64 */
#define BZ_SETUP_DATA		0x250	/* u64 */
#define BZ_PREF_ADDRESS		0x258	/* u64 */
#define BZ_INIT_SIZE		0x260	/* u32 */
/* The header xtalk copies into boot_params ends here (struct setup_header's end). */
#define BZ_HDR_END		0x290
#define BZ_HDR_MAX		(BZ_HDR_END - BZ_SETUP_SECTS)
/* Protocol 2.12 has every field up to init_size and xloadflags. */
#define BZ_MIN_HDR_END		(BZ_INIT_SIZE + 4)

#define BZ_MAGIC		0x53726448	/* "HdrS" */
#define BZ_BOOT_FLAG_MAGIC	0xaa55
#define BZ_MIN_VERSION		0x020c		/* 2.12: xloadflags */
#define BZ_LOADED_HIGH		0x01		/* loadflags */
#define BZ_KEEP_SEGMENTS	0x40
#define BZ_CAN_USE_HEAP		0x80
#define BZ_XLF_KERNEL_64	0x0001		/* xloadflags: 64-bit entry at +0x200 */
#define BZ_ENTRY64_OFFSET	0x200
#define BZ_SECTOR		512
#define BZ_DEFAULT_SETUP_SECTS	4

/* Bounds on fields a hostile image could set to anything. */
#define BZ_ALIGN_MIN		0x1000ULL	/* kernel_alignment, a power of two */
#define BZ_ALIGN_MAX		0x40000000ULL

_Static_assert(BZ_HDR_END < 2 * BZ_SECTOR, "the header lies before the kernel (setup_sects >= 1)");
_Static_assert(BZ_PREF_ADDRESS + 8 <= BZ_MIN_HDR_END, "fields read lie in the minimal header");

/* What the header says, decoded and checked. */
struct bzimage_hdr {
	uint64_t kernel_off;	/* file offset of the protected-mode kernel */
	uint64_t kernel_size;	/* syssize * 16 bytes of it are loaded */
	uint64_t pref_address;
	uint64_t kernel_alignment;
	uint64_t init_size;	/* bytes the kernel needs from its load address */
	uint32_t initrd_addr_max;	/* highest byte an initrd may occupy */
	uint32_t cmdline_size;	/* longest command line, without the NUL */
	uint16_t version;
	uint8_t relocatable;
	uint8_t hdr[BZ_HDR_MAX];	/* the setup header as in the file, from 0x1f1 */
	size_t hdr_len;		/* bytes valid in hdr: 0x202 + byte 0x201 - 0x1f1, capped */
};

/* Where the kernel went. */
struct bzimage_info {
	struct bzimage_hdr h;
	uint64_t load_gpa;	/* protected-mode kernel, aligned; == its runtime start */
	uint64_t entry_gpa;	/* load_gpa + 0x200: the 64-bit entry */
	uint64_t end_gpa;	/* load_gpa + init_size: nothing else may live below */
};

/* Decode and check the setup header; nothing is written but *h. */
int bzimage_parse(const void *image, size_t len, struct bzimage_hdr *h, char *err,
		  size_t errlen);

/*
 * Choose the load address for a kernel with header h in RAM [0, ram_size),
 * never below min_gpa: pref_address when it is aligned, at least min_gpa and
 * [pref, pref + init_size) fits; otherwise, for a relocatable kernel, the
 * lowest kernel_alignment-aligned address at or above max(pref_address,
 * min_gpa) (a relocatable 64-bit kernel loaded below pref_address runs at
 * pref_address anyway, so lower would not save RAM); otherwise -XT_ERANGE.
 */
int bzimage_place(const struct bzimage_hdr *h, uint64_t ram_size, uint64_t min_gpa,
		  uint64_t *load_gpa, char *err, size_t errlen);

/* Parse, place and copy the protected-mode kernel into guest RAM. */
int bzimage_load(const void *image, size_t len, const struct guest_ram *ram, uint64_t min_gpa,
		 struct bzimage_info *info, char *err, size_t errlen);

#endif
