/* SPDX-License-Identifier: MIT */
/* The VMM's identity-mapped page tables (SDM 3A, "4-Level Paging"). */
#include <stdbool.h>

#include "vmm/arch/cpu.h"
#include "vmm/core/console.h"
#include "vmm/core/palloc.h"
#include "vmm/arch/x86.h"

#define SIZE_1G (1ULL << 30)
#define SIZE_2M (1ULL << 21)
#define MAX_MAPPED (512ULL * SIZE_1G) /* one PDPT */

static uint64_t top_of_memory(const struct xt_boot_info *bi)
{
	uint64_t top = 4 * SIZE_1G; /* MMIO below 4 GiB: LAPIC, IOAPIC, PCI BARs */

	for (unsigned i = 0; i < bi->nmem; i++)
		if (bi->mem[i].base + bi->mem[i].size > top)
			top = bi->mem[i].base + bi->mem[i].size;
	top = (top + SIZE_1G - 1) & ~(SIZE_1G - 1);
	return top > MAX_MAPPED ? MAX_MAPPED : top;
}

/* Does [pa, pa + 2 MiB) hold any memory (as opposed to MMIO or nothing)? */
static bool holds_memory(const struct xt_boot_info *bi, uint64_t pa)
{
	for (unsigned i = 0; i < bi->nmem; i++) {
		const struct xt_mem_range *r = &bi->mem[i];

		if (r->kind == XT_MEM_MMIO || r->base >= pa + SIZE_2M || r->base + r->size <= pa)
			continue;
		return true;
	}
	return false;
}

int paging_init(const struct xt_boot_info *bi)
{
	uint64_t top = top_of_memory(bi);
	uint64_t *pml4 = page_alloc(), *pdpt = page_alloc();

	if (!pml4 || !pdpt)
		return -1;
	pml4[0] = virt_to_phys(pdpt) | PTE_P | PTE_RW;
	for (uint64_t gb = 0; gb < top / SIZE_1G; gb++) {
		uint64_t *pd = page_alloc();

		if (!pd)
			return -1;
		for (unsigned i = 0; i < 512; i++) {
			uint64_t pa = gb * SIZE_1G + i * SIZE_2M;

			/* Memory is write-back (PAT entry 0, MTRRs decide);
			 * anything else, device registers included, is
			 * uncached whatever the firmware's MTRRs say. */
			pd[i] = pa | PTE_P | PTE_RW | PTE_PS;
			if (!holds_memory(bi, pa))
				pd[i] |= PTE_PCD | PTE_PWT;
		}
		pdpt[gb] = virt_to_phys(pd) | PTE_P | PTE_RW;
	}
	host_cpu.cr3 = virt_to_phys(pml4);
	write_cr3(host_cpu.cr3);
	xt_debug("host page tables: identity map of %llu GiB", (unsigned long long)(top / SIZE_1G));
	return 0;
}
