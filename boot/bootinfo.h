/* SPDX-License-Identifier: MIT */
/*
 * What the UEFI loader hands to the VMM after ExitBootServices. No GNU-EFI
 * type crosses this line: the loader converts everything to these plain
 * structures, and the VMM never calls firmware.
 */
#ifndef XTALK_BOOT_BOOTINFO_H
#define XTALK_BOOT_BOOTINFO_H

#include <stdint.h>

#include "boot/ini.h"

#define XT_BOOT_MAGIC 0x6b6c617478ULL /* "xtalk" */
#define XT_BOOT_MAX_MEM 512

/* Memory kinds, condensed from the UEFI memory map. */
enum xt_mem_kind {
	XT_MEM_USABLE,       /* free RAM the VMM may take (firmware is gone) */
	XT_MEM_RESERVED,     /* do not touch */
	XT_MEM_ACPI,         /* ACPI tables (reclaimable after parsing) */
	XT_MEM_ACPI_NVS,
	XT_MEM_MMIO,
	XT_MEM_RUNTIME,      /* UEFI runtime services code/data */
	XT_MEM_VMM,          /* xtalk itself: image, pool, stack */
	XT_MEM_GUEST,        /* a guest's RAM */
};

struct xt_mem_range {
	uint64_t base;
	uint64_t size;
	uint32_t kind;
};

struct xt_boot_guest {
	unsigned cfg_index;   /* index into cfg->guest[] */
	const void *image;    /* image file contents (in VMM memory) */
	uint64_t image_size;
	const void *initrd;   /* initrd file contents, NULL if the guest has none */
	uint64_t initrd_size;
	uint64_t ram_hpa;     /* host-physical base of guest RAM, 2 MiB aligned */
	uint64_t ram_size;
};

struct xt_boot_info {
	uint64_t magic;
	struct xt_config *cfg;
	struct xt_diags *diags;
	unsigned nguests;
	struct xt_boot_guest guest[XT_MAX_GUESTS];
	uint64_t pool_base;   /* page pool for VMM structures (identity-mapped) */
	uint64_t pool_size;
	uint64_t stack_base;  /* VMM stack */
	uint64_t stack_size;
	uint64_t image_base;  /* xtalk.efi as loaded */
	uint64_t image_size;
	uint64_t acpi_rsdp;   /* physical address of the ACPI RSDP, 0 if none */
	uint64_t tsc_hz;      /* measured against the firmware's Stall() */
	/* The GPT partition xtalk.efi was loaded from (its unique partition
	 * GUID): the disk holding it is never given to guests. */
	bool has_boot_part;
	uint8_t boot_part_guid[16];
	/* Host memory for each [disk NAME]'s pages (cache_mib MiB; 0: none). */
	uint64_t disk_mem[XT_MAX_DISKS];
	uint64_t disk_mem_size[XT_MAX_DISKS];
	unsigned nmem;
	struct xt_mem_range mem[XT_BOOT_MAX_MEM];
};

/* The VMM's entry point, on the VMM stack. Never returns. */
__attribute__((noreturn)) void vmm_main(struct xt_boot_info *bi);
/* Switch to the VMM stack and call vmm_main (vmm/run/start.S). */
__attribute__((noreturn)) void vmm_start(struct xt_boot_info *bi, uint64_t stack_top);

#endif
