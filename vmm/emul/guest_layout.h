/* SPDX-License-Identifier: MIT */
/*
 * Guest-physical memory layout at the first VM entry.
 *
 * Every guest gets one flat block of RAM, GPA [0, size). Before the first
 * entry the VMM writes its boot structures into the first megabyte and loads
 * the guest image at or above GUEST_IMAGE_MIN, so the two never overlap (the
 * _Static_asserts at the bottom keep it that way). docs/guest-platform.md
 * describes the same layout from the guest's point of view.
 *
 *   0x00000000-0x00000fff  free (e820 RAM)
 *   0x00001000-0x00001fff  GDT: 0x10 = 64-bit code, 0x18 = flat data
 *   0x00002000-0x000027ff  kernel command line, NUL-terminated
 *   0x00007000-0x00007fff  boot_params ("zero page", Linux boot protocol)
 *   0x00008000-0x00008fff  PML4
 *   0x00009000-0x00009fff  PDPT
 *   0x0000a000-0x0000dfff  4 page directories, 2 MiB pages, GPA 0..4 GiB
 *   0x00010000-0x0007ffff  boot stack, RSP = 0x80000 at entry
 *   0x0009f000-0x000fffff  e820 reserved (legacy EBDA/VGA/BIOS area)
 *   0x00100000-           image (GUEST_IMAGE_MIN), rest of RAM
 *   0xc0000000-0xffffffff  MMIO hole: mapped uncached, never RAM
 *
 * Reserved for the VMM's boot structures: everything below GUEST_IMAGE_MIN
 * (above, the stack and the legacy area). Nothing the VMM writes lives at
 * or above it except what it loads there:
 *   - the kernel: ELF segments at their p_paddr; a bzImage's protected-mode
 *     kernel at its pref_address (16 MiB for a stock x86-64 kernel) or the
 *     next kernel_alignment boundary, with its init_size bytes kept free
 *     (vmm/emul/bzimage.h);
 *   - the initrd: page aligned, as high as RAM and the kernel's
 *     initrd_addr_max allow, never inside the kernel's range
 *     (guest_initrd_place() in vmm/emul/guest_boot.h).
 *
 * The selectors follow the Linux boot protocol (Documentation/arch/x86/
 * boot.rst: __BOOT_CS = 0x10, __BOOT_DS = 0x18) so an unmodified Linux
 * kernel can be entered at its 64-bit entry point with the same state.
 */
#ifndef XTALK_VMM_GUEST_LAYOUT_H
#define XTALK_VMM_GUEST_LAYOUT_H

#define GUEST_PAGE_SIZE		0x1000ULL
#define GUEST_MIB		0x100000ULL
#define GUEST_GIB		0x40000000ULL

/* GDT: null, null, code64, data. No TSS descriptor (TR is set up by the VMM). */
#define GUEST_GDT_GPA		0x1000ULL
#define GUEST_GDT_ENTRIES	4
#define GUEST_GDT_LIMIT		(GUEST_GDT_ENTRIES * 8 - 1)
#define GUEST_BOOT_CS		0x10	/* __BOOT_CS */
#define GUEST_BOOT_DS		0x18	/* __BOOT_DS */
/*
 * Hidden parts of CS and DS/ES/SS/FS/GS matching the GDT entries, in the
 * VMCS guest-segment access-rights format (descriptor bits 40..55 with
 * bits 8..11 of that word cleared): code = P|S|type 0xb, L=1, G=1;
 * data = P|S|type 0x3, D/B=1, G=1. Base 0, limit 0xffffffff.
 */
#define GUEST_CS_ACCESS_RIGHTS	0xa09bU
#define GUEST_DS_ACCESS_RIGHTS	0xc093U

/* Command line: at most GUEST_CMDLINE_MAX - 1 characters plus the NUL. */
#define GUEST_CMDLINE_GPA	0x2000ULL
#define GUEST_CMDLINE_MAX	2048

/* boot_params, the Linux "zero page"; RSI points here at entry. */
#define GUEST_BOOT_PARAMS_GPA	0x7000ULL
#define GUEST_BOOT_PARAMS_SIZE	0x1000ULL

/* Identity-mapping page tables for GPA [0, 4 GiB). */
#define GUEST_PML4_GPA		0x8000ULL
#define GUEST_PDPT_GPA		0x9000ULL
#define GUEST_PD_GPA		0xa000ULL	/* PD for GiB n at + n * 4 KiB */
#define GUEST_PD_COUNT		4
#define GUEST_PT_END		(GUEST_PD_GPA + GUEST_PD_COUNT * GUEST_PAGE_SIZE)
#define GUEST_IDMAP_END		(GUEST_PD_COUNT * GUEST_GIB)
/* Mapped PCD|PWT (uncached); RAM never reaches it, see GUEST_MAX_RAM. */
#define GUEST_MMIO_HOLE_GPA	(3 * GUEST_GIB)

/* Boot stack, grows down from GUEST_STACK_TOP. */
#define GUEST_STACK_BOTTOM	0x10000ULL
#define GUEST_STACK_TOP		0x80000ULL

/* Legacy area below 1 MiB reported reserved in e820. */
#define GUEST_LOW_RAM_END	0x9f000ULL
#define GUEST_LEGACY_END	0x100000ULL
#define GUEST_LOW_RAM_KIB	(GUEST_LOW_RAM_END >> 10)	/* CMOS base memory */
/*
 * Firmware tables in the reserved legacy area, where an OS scans for them:
 * the ACPI tables (RSDP first) from 0xe0000, the MP floating pointer and
 * configuration table from 0xf0000 (vmm/io/fwtables.c).
 */
#define GUEST_ACPI_GPA		0xe0000ULL
#define GUEST_ACPI_END		0xf0000ULL
#define GUEST_MPTABLE_GPA	0xf0000ULL
#define GUEST_MPTABLE_END	0x100000ULL

/* Lowest GPA an image segment may occupy. */
#define GUEST_IMAGE_MIN		0x100000ULL

/*
 * RAM size limits. The maximum keeps RAM below the MMIO hole, so that
 * every byte e820 reports as RAM is identity-mapped write-back by the
 * initial page tables and nothing in the hole is ever RAM.
 */
#define GUEST_MIN_RAM		(4 * GUEST_MIB)
#define GUEST_MAX_RAM		GUEST_MMIO_HOLE_GPA

/* The layout must not collide with itself or with a loaded image. */
_Static_assert(GUEST_GDT_GPA >= GUEST_PAGE_SIZE, "page 0 stays free");
_Static_assert(GUEST_GDT_GPA + GUEST_GDT_LIMIT + 1 <= GUEST_CMDLINE_GPA,
	       "GDT overlaps command line");
_Static_assert(GUEST_CMDLINE_GPA + GUEST_CMDLINE_MAX <= GUEST_BOOT_PARAMS_GPA,
	       "command line overlaps boot_params");
_Static_assert(GUEST_BOOT_PARAMS_GPA + GUEST_BOOT_PARAMS_SIZE <= GUEST_PML4_GPA,
	       "boot_params overlaps page tables");
_Static_assert(GUEST_PML4_GPA + GUEST_PAGE_SIZE <= GUEST_PDPT_GPA &&
	       GUEST_PDPT_GPA + GUEST_PAGE_SIZE <= GUEST_PD_GPA,
	       "page tables overlap");
_Static_assert(GUEST_PT_END <= GUEST_STACK_BOTTOM, "page tables overlap stack");
_Static_assert(GUEST_STACK_BOTTOM < GUEST_STACK_TOP && GUEST_STACK_TOP % 16 == 0,
	       "stack must be non-empty and 16-byte aligned");
_Static_assert(GUEST_STACK_TOP <= GUEST_LOW_RAM_END,
	       "boot structures must lie in low e820 RAM");
_Static_assert(GUEST_LOW_RAM_END < GUEST_LEGACY_END &&
	       GUEST_LEGACY_END <= GUEST_IMAGE_MIN,
	       "images must load above the boot structures and legacy area");
_Static_assert(GUEST_IMAGE_MIN < GUEST_MIN_RAM, "minimum RAM leaves no room for an image");
_Static_assert(GUEST_MAX_RAM <= GUEST_IDMAP_END, "RAM beyond the identity map");
_Static_assert(GUEST_BOOT_PARAMS_GPA + GUEST_BOOT_PARAMS_SIZE <= 0x100000000ULL &&
	       GUEST_CMDLINE_GPA + GUEST_CMDLINE_MAX <= 0x100000000ULL,
	       "boot_params pointers are 32-bit");
_Static_assert(GUEST_GDT_GPA % GUEST_PAGE_SIZE == 0 &&
	       GUEST_BOOT_PARAMS_GPA % GUEST_PAGE_SIZE == 0 &&
	       GUEST_PML4_GPA % GUEST_PAGE_SIZE == 0 &&
	       GUEST_PDPT_GPA % GUEST_PAGE_SIZE == 0 &&
	       GUEST_PD_GPA % GUEST_PAGE_SIZE == 0,
	       "boot structures must be page aligned");

#endif
