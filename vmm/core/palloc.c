/* SPDX-License-Identifier: MIT */
#include "vmm/core/palloc.h"

#include "ept/ept.h"

#include <stddef.h>
#include <string.h>

/* Pages never handed out yet are taken from [next, end); freed pages go on a
 * singly linked list threaded through their first word. */
static uint64_t next, end;
static void *free_list;
static uint64_t nfree;

void palloc_init(uint64_t base, uint64_t size)
{
	next = (base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	end = (base + size) & ~(PAGE_SIZE - 1);
	free_list = NULL;
	nfree = next < end ? (end - next) / PAGE_SIZE : 0;
}

void *page_alloc(void)
{
	void *p;

	if (free_list) {
		p = free_list;
		free_list = *(void **)p;
	} else if (next < end) {
		p = phys_to_virt(next);
		next += PAGE_SIZE;
	} else {
		return NULL;
	}
	nfree--;
	memset(p, 0, PAGE_SIZE);
	return p;
}

void *pages_alloc_contig(unsigned n)
{
	void *p;

	/* Contiguous runs come from the never-used part of the pool only. */
	if (!n || (end - next) / PAGE_SIZE < n)
		return NULL;
	p = phys_to_virt(next);
	next += n * PAGE_SIZE;
	nfree -= n;
	memset(p, 0, n * PAGE_SIZE);
	return p;
}

void page_free(void *page)
{
	if (!page)
		return;
	*(void **)page = free_list;
	free_list = page;
	nfree++;
}

uint64_t palloc_free_pages(void)
{
	return nfree;
}

void *palloc_page_cb(void *ctx, uint64_t *hpa)
{
	void *p = page_alloc();

	(void)ctx;
	*hpa = virt_to_phys(p);
	return p;
}

void palloc_free_cb(void *ctx, void *va, uint64_t hpa)
{
	(void)ctx;
	(void)hpa;
	page_free(va);
}

void *palloc_phys_to_virt_cb(void *ctx, uint64_t hpa)
{
	(void)ctx;
	return phys_to_virt(hpa);
}

const struct ept_ops palloc_ept_ops = {
	.alloc_page = palloc_page_cb,
	.free_page = palloc_free_cb,
	.phys_to_virt = palloc_phys_to_virt_cb,
};
