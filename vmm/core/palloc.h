/* SPDX-License-Identifier: MIT */
/*
 * The VMM's page allocator over the pool the loader reserved. Memory is
 * identity-mapped, so a page's address is its host-physical address.
 */
#ifndef XTALK_VMM_PALLOC_H
#define XTALK_VMM_PALLOC_H

#include <stdint.h>

#define PAGE_SIZE 4096ULL

void palloc_init(uint64_t base, uint64_t size);
void *page_alloc(void);              /* zeroed 4 KiB page, NULL when the pool is empty */
/* n physically contiguous zeroed pages, for structures larger than a page;
 * they are never freed. */
void *pages_alloc_contig(unsigned n);
void page_free(void *page);
uint64_t palloc_free_pages(void);

/* The allocator as the pure page-table code wants it (ept/ept.h struct
 * ept_ops, ept/remap.h struct remap_ops): ctx is unused. */
void *palloc_page_cb(void *ctx, uint64_t *hpa);
void palloc_free_cb(void *ctx, void *va, uint64_t hpa);
void *palloc_phys_to_virt_cb(void *ctx, uint64_t hpa);
struct ept_ops;
extern const struct ept_ops palloc_ept_ops;

static inline uint64_t virt_to_phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

#endif
