/* SPDX-License-Identifier: MIT */
/* The host CPU's own descriptor tables, page tables and fatal-exception path. */
#ifndef XTALK_VMM_CPU_H
#define XTALK_VMM_CPU_H

#include <stdint.h>

#include "boot/bootinfo.h"

#define HOST_CS 0x08
#define HOST_DS 0x10
#define HOST_TR 0x18

struct host_cpu {
	uint64_t gdt_base, idt_base, tss_base;
	uint64_t cr3;
};

extern struct host_cpu host_cpu;

/* Install xtalk's GDT, TSS and IDT. */
void cpu_init_tables(void);
/* Build identity-mapped page tables covering all memory and MMIO below the
 * top of the memory map (at least 4 GiB) and switch to them. */
int paging_init(const struct xt_boot_info *bi);
/* Mask the legacy PIC and the local APIC timer: the VMM polls, and the
 * firmware's timer must not keep firing after ExitBootServices. */
void cpu_quiesce_interrupts(void);

#endif
