/* SPDX-License-Identifier: MIT */
/*
 * Guest boot setup: writes the structures a guest finds at its first
 * instruction (GDT, identity page tables, boot_params with an e820 map,
 * command line) into guest RAM at the addresses in vmm/emul/guest_layout.h, and
 * returns the register state for entry. The state follows the Linux x86-64
 * 64-bit boot protocol (Documentation/arch/x86/boot.rst), so the same setup
 * enters an unmodified Linux kernel. docs/guest-platform.md documents it.
 */
#ifndef XTALK_VMM_GUEST_BOOT_H
#define XTALK_VMM_GUEST_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/emul/guest_layout.h"
#include "vmm/emul/image_load.h"

/*
 * struct boot_params offsets (Documentation/arch/x86/zero-page.rst) and
 * struct setup_header offsets within it (boot.rst). Only the fields the VMM
 * fills are listed; everything else is zero.
 */
#define BP_ACPI_RSDP_ADDR	0x070	/* u64, where the ACPI RSDP is */
#define BP_EXT_RAMDISK_IMAGE	0x0c0	/* u32, ramdisk_image bits 63..32 */
#define BP_EXT_RAMDISK_SIZE	0x0c4	/* u32, ramdisk_size bits 63..32 */
#define BP_EXT_CMD_LINE_PTR	0x0c8	/* u32, cmd_line_ptr bits 63..32 */
#define BP_SENTINEL		0x1ef	/* u8, must stay 0 (boot_params zeroed by the loader) */
#define BP_E820_ENTRIES		0x1e8	/* u8 */
#define BP_SETUP_HEADER		0x1f1
#define BP_BOOT_FLAG		0x1fe	/* u16, 0xaa55 */
#define BP_HEADER		0x202	/* u32, "HdrS" */
#define BP_VERSION		0x206	/* u16, boot protocol version */
#define BP_TYPE_OF_LOADER	0x210	/* u8 */
#define BP_LOADFLAGS		0x211	/* u8 */
#define BP_CODE32_START		0x214	/* u32, where the protected-mode kernel was loaded */
#define BP_RAMDISK_IMAGE	0x218	/* u32 */
#define BP_RAMDISK_SIZE		0x21c	/* u32 */
#define BP_CMD_LINE_PTR		0x228	/* u32 */
#define BP_CMDLINE_SIZE		0x238	/* u32, max length without the NUL */
#define BP_E820_TABLE		0x2d0	/* struct boot_e820_entry[E820_MAX_ENTRIES_ZEROPAGE] */

#define BOOT_FLAG_MAGIC		0xaa55
#define SETUP_HEADER_MAGIC	0x53726448	/* "HdrS" little endian */
#define BOOT_PROTOCOL_VERSION	0x020f		/* 2.15 */
#define TYPE_OF_LOADER_UNDEF	0xff		/* loader without an assigned ID */
#define LOADED_HIGH		(1 << 0)	/* loadflags bit 0 */

#define E820_MAX_ENTRIES_ZEROPAGE 128
#define E820_TYPE_RAM		1
#define E820_TYPE_RESERVED	2

struct boot_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

_Static_assert(sizeof(struct boot_e820_entry) == 20, "e820 entries are 20 bytes");
_Static_assert(BP_E820_TABLE + E820_MAX_ENTRIES_ZEROPAGE * sizeof(struct boot_e820_entry)
	       <= GUEST_BOOT_PARAMS_SIZE, "e820 table must fit in boot_params");

struct guest_entry_state {
	uint64_t rip, rsp, rsi, rflags;
	uint64_t cr0, cr3, cr4, efer;
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint64_t idt_base;
	uint16_t idt_limit;
	uint16_t cs, ds;	/* selectors: ds also used for es, ss, fs, gs */
};

/*
 * What a Linux kernel gets beyond the common boot state. All zero (or a NULL
 * pointer to guest_boot_setup_linux) is what guest_boot_setup() passes.
 */
struct guest_boot_linux {
	/*
	 * A bzImage's setup header as in its file from offset 0x1f1
	 * (bzimage_hdr.hdr), copied into boot_params as the boot protocol
	 * says; NULL for ELF and raw images, which get the header described
	 * in docs/guest-platform.md. At most BZ_HDR_MAX bytes are used.
	 */
	const uint8_t *setup_hdr;
	size_t setup_hdr_len;
	uint64_t kernel_gpa;	/* code32_start: where the bzImage kernel was loaded */
	uint64_t initrd_gpa;	/* ramdisk_image; 0 with initrd_size 0 = no initrd */
	uint64_t initrd_size;	/* ramdisk_size */
};

/*
 * Write the boot structures into guest RAM and fill *st for entry at
 * entry_gpa. Writes only the ranges listed in vmm/emul/guest_layout.h below
 * GUEST_IMAGE_MIN (GDT page, command line buffer, boot_params, page tables);
 * the stack and the image area are not touched. cmdline may be NULL (an
 * empty command line is passed).
 *
 * Returns 0, or
 *   -XT_EINVAL  NULL ram, ram->base or st, or ram->size not 4 KiB aligned
 *   -XT_ERANGE  ram->size outside [GUEST_MIN_RAM, GUEST_MAX_RAM], or
 *               entry_gpa outside [GUEST_IMAGE_MIN, ram->size)
 *   -XT_E2BIG   cmdline longer than GUEST_CMDLINE_MAX - 1 characters
 * Guest RAM is not written on error.
 */
int guest_boot_setup(const struct guest_ram *ram, uint64_t entry_gpa, const char *cmdline,
		     struct guest_entry_state *st);

/*
 * The same, plus the Linux fields of lb (may be NULL): the kernel's setup
 * header with the loader's fields over it (type_of_loader 0xff, loadflags
 * LOADED_HIGH only, code32_start, cmd_line_ptr, no heap, no setup_data),
 * and ramdisk_image/ramdisk_size (their ext_ halves stay 0: guest RAM ends
 * below 4 GiB). Further errors:
 *   -XT_EINVAL  setup_hdr_len too short to hold the header up to init_size
 *   -XT_E2BIG   cmdline longer than the kernel's cmdline_size
 *   -XT_ERANGE  the initrd is not inside [GUEST_IMAGE_MIN, ram->size)
 */
int guest_boot_setup_linux(const struct guest_ram *ram, uint64_t entry_gpa, const char *cmdline,
			   const struct guest_boot_linux *lb, struct guest_entry_state *st);

/*
 * Initial ramdisk. Linux reads it below initrd_addr_max: a bzImage says
 * its own, ELF and raw guests get this one (what every x86-64 kernel says).
 */
#define GUEST_INITRD_ADDR_MAX_DEFAULT 0x7fffffffU

/*
 * Choose where an initrd of size bytes goes: page aligned, as high as
 * possible with its last byte at or below addr_max and below ram_size,
 * at or above GUEST_IMAGE_MIN (so clear of every boot structure), and not
 * overlapping the kernel's [avoid_lo, avoid_hi) (for a bzImage its load
 * address + init_size, for ELF its segments). Above the kernel when it
 * fits there, else just below it. -XT_ERANGE when it fits nowhere,
 * -XT_EINVAL for size 0.
 */
int guest_initrd_place(uint64_t size, uint64_t ram_size, uint64_t addr_max, uint64_t avoid_lo,
		       uint64_t avoid_hi, uint64_t *gpa);

/* Place as above and copy size bytes of data there; a message in err on error. */
int guest_initrd_load(const struct guest_ram *ram, const void *data, uint64_t size,
		      uint64_t addr_max, uint64_t avoid_lo, uint64_t avoid_hi, uint64_t *gpa,
		      char *err, size_t errlen);

#endif
