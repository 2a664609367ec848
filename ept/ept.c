/* SPDX-License-Identifier: MIT */
/*
 * EPT builder (interface and guarantees in ept.h).
 *
 * Levels are numbered as in the walk of SDM 3C, "EPT Translation
 * Mechanism", bottom up: 3 = PML4 (GPA bits 47:39), 2 = PDPT (38:30),
 * 1 = PD (29:21), 0 = PT (20:12). A leaf at level L maps 4 KiB << 9 * L.
 *
 * ept_map and ept_unmap work in two passes. The first allocates every table
 * the change needs, only ever linking in empty tables or tables that split
 * a leaf without changing its translation; it is the only pass that can
 * fail. The second writes the leaves and cannot fail.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ept/ept.h"
#include "lib/xerrno.h"

#define EPT_LVL_PML4	3
#define EPT_LVL_PD	1
#define EPT_LVL_PT	0

/* Entries that reference a table allow everything; the leaf decides. */
#define EPT_TABLE_RIGHTS EPT_PTE_PERM_MASK

/* One decoded leaf, or a run of merged leaves in ept_for_each. */
struct ept_leaf {
	uint64_t gpa;
	uint64_t hpa;
	uint64_t size;
	uint64_t perms;
	unsigned memtype;
};

struct ept_run {
	ept_range_fn fn;
	void *arg;
	bool open;
	struct ept_leaf cur;
};

static unsigned ept_level_shift(int level)
{
	return EPT_PAGE_SHIFT + EPT_LEVEL_BITS * (unsigned)level;
}

static uint64_t ept_level_size(int level)
{
	return 1ULL << ept_level_shift(level);
}

static unsigned ept_index(uint64_t gpa, int level)
{
	return (unsigned)(gpa >> ept_level_shift(level)) & (EPT_ENTRIES - 1);
}

/* Start of the level-@level entry after the one holding @gpa. */
static uint64_t ept_next_entry(uint64_t gpa, int level)
{
	return (gpa | (ept_level_size(level) - 1)) + 1;
}

static uint64_t ept_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static bool ept_present(uint64_t e)
{
	return (e & EPT_PTE_PERM_MASK) != 0;
}

/* Bit 7 means "maps a page" only in PDPTEs and PDEs; PTEs are leaves. */
static bool ept_is_leaf(uint64_t e, int level)
{
	return level == EPT_LVL_PT ||
	       (level < EPT_LVL_PML4 && (e & EPT_PTE_LARGE));
}

static bool ept_is_table(uint64_t e, int level)
{
	return ept_present(e) && !ept_is_leaf(e, level);
}

/* Base HPA of the page that leaf @e at @level maps. */
static uint64_t ept_leaf_base(uint64_t e, int level)
{
	return e & EPT_PTE_ADDR_MASK & ~(ept_level_size(level) - 1);
}

static uint64_t *ept_table_va(const struct ept *ept, uint64_t e)
{
	return ept->ops->phys_to_virt(ept->ops->ctx, e & EPT_PTE_ADDR_MASK);
}

/*
 * Every entry that a processor may be walking is written with this: one
 * aligned 64-bit store, ordered after the stores that filled a new table.
 */
static void ept_store(struct ept *ept, uint64_t *slot, uint64_t val)
{
	if (*slot == val)
		return;
	__atomic_store_n(slot, val, __ATOMIC_RELEASE);
	ept->generation++;
}

static int ept_alloc_table(struct ept *ept, uint64_t **va, uint64_t *hpa)
{
	const struct ept_ops *ops = ept->ops;
	uint64_t pa = 0;
	void *p = ops->alloc_page(ops->ctx, &pa);

	if (!p)
		return -XT_ENOMEM;
	if ((pa & ~EPT_PTE_ADDR_MASK) || ((uintptr_t)p & (EPT_PAGE_SIZE - 1))) {
		ops->free_page(ops->ctx, p, pa);
		return -XT_EFAULT;
	}
	memset(p, 0, EPT_PAGE_SIZE);
	ept->table_pages++;
	*va = p;
	*hpa = pa;
	return 0;
}

/* Fill @table with the entries one level down that translate like leaf @e. */
static void ept_fill_split(uint64_t *table, uint64_t e, int level)
{
	uint64_t attrs = e & ~(EPT_PTE_ADDR_MASK | EPT_PTE_LARGE);
	uint64_t base = ept_leaf_base(e, level);
	uint64_t step = ept_level_size(level - 1);
	unsigned i;

	if (level - 1 != EPT_LVL_PT)
		attrs |= EPT_PTE_LARGE;
	for (i = 0; i < EPT_ENTRIES; i++)
		table[i] = attrs | (base + i * step);
}

/*
 * Make *slot (at @level > 0) reference a table and return that table in
 * *next: the one already there, a new empty one, or a new one that splits
 * the leaf in *slot with the same translation.
 */
static int ept_ensure_table(struct ept *ept, uint64_t *slot, int level,
			    uint64_t **next)
{
	uint64_t e = *slot;
	uint64_t *table;
	uint64_t hpa;
	int ret;

	if (ept_is_table(e, level)) {
		*next = ept_table_va(ept, e);
		return 0;
	}
	ret = ept_alloc_table(ept, &table, &hpa);
	if (ret)
		return ret;
	if (ept_present(e))
		ept_fill_split(table, e, level);
	ept_store(ept, slot, hpa | EPT_TABLE_RIGHTS);
	*next = table;
	return 0;
}

/* Find the PDE for @gpa, allocating the PDPT and PD on the way as needed. */
static int ept_walk_alloc(struct ept *ept, uint64_t gpa, uint64_t **pde)
{
	uint64_t *table = ept->pml4;
	uint64_t *slot, *next;
	int level, ret;

	for (level = EPT_LVL_PML4; level > EPT_LVL_PD; level--) {
		slot = &table[ept_index(gpa, level)];
		ret = ept_ensure_table(ept, slot, level, &next);
		if (ret)
			return ret;
		table = next;
	}
	*pde = &table[ept_index(gpa, EPT_LVL_PD)];
	return 0;
}

/* The PDE for @gpa, or NULL when no PD covers it. */
static uint64_t *ept_find_pde(const struct ept *ept, uint64_t gpa)
{
	uint64_t *table = ept->pml4;
	int level;

	for (level = EPT_LVL_PML4; level > EPT_LVL_PD; level--) {
		uint64_t e = table[ept_index(gpa, level)];

		if (!ept_is_table(e, level))
			return NULL;
		table = ept_table_va(ept, e);
	}
	return &table[ept_index(gpa, EPT_LVL_PD)];
}

static bool ept_perms_ok(uint64_t perms)
{
	/* SDM 3C, "EPT Misconfigurations": write without read; exec-only. */
	return !(perms & ~EPT_PTE_PERM_MASK) && (perms & EPT_PTE_READ);
}

static bool ept_memtype_ok(unsigned memtype)
{
	return memtype == EPT_MT_UC || memtype == EPT_MT_WC ||
	       memtype == EPT_MT_WT || memtype == EPT_MT_WP ||
	       memtype == EPT_MT_WB;
}

static int ept_check_range(const struct ept *ept, uint64_t gpa, uint64_t size)
{
	if (!ept->pml4 || !size || ((gpa | size) & (EPT_PAGE_SIZE - 1)))
		return -XT_EINVAL;
	if (gpa + size < gpa)
		return -XT_EINVAL;
	if (gpa + size > ept->max_gpa)
		return -XT_ERANGE;
	return 0;
}

static int ept_check_target(uint64_t hpa, uint64_t size, uint64_t perms,
			    unsigned memtype)
{
	if ((hpa & (EPT_PAGE_SIZE - 1)) || !ept_perms_ok(perms) ||
	    !ept_memtype_ok(memtype))
		return -XT_EINVAL;
	if (hpa + size < hpa)
		return -XT_EINVAL;
	if (hpa + size > 1ULL << EPT_MAX_PHYS_BITS)
		return -XT_ERANGE;
	return 0;
}

/*
 * Whether the part [gpa, end) of one 2 MiB region, mapped at @hpa, is the
 * whole region with both addresses 2 MiB aligned.
 */
static bool ept_fits_large(uint64_t gpa, uint64_t hpa, uint64_t end)
{
	return !((gpa | hpa) & (EPT_LARGE_PAGE_SIZE - 1)) &&
	       end - gpa == EPT_LARGE_PAGE_SIZE;
}

/* First pass of ept_map for one 2 MiB region: allocate, keep translations. */
static int ept_prepare_region(struct ept *ept, uint64_t gpa, uint64_t hpa,
			      uint64_t end)
{
	uint64_t *pde, *pt;
	int ret;

	ret = ept_walk_alloc(ept, gpa, &pde);
	if (ret)
		return ret;
	if (ept_fits_large(gpa, hpa, end) && !ept_is_table(*pde, EPT_LVL_PD))
		return 0;
	return ept_ensure_table(ept, pde, EPT_LVL_PD, &pt);
}

/* Second pass of ept_map for one 2 MiB region: write the leaves. */
static void ept_commit_region(struct ept *ept, uint64_t gpa, uint64_t hpa,
			      uint64_t end, uint64_t attrs)
{
	uint64_t *pde = ept_find_pde(ept, gpa);
	uint64_t *pt;

	if (ept_fits_large(gpa, hpa, end) && !ept_is_table(*pde, EPT_LVL_PD)) {
		ept_store(ept, pde, hpa | attrs | EPT_PTE_LARGE);
		return;
	}
	pt = ept_table_va(ept, *pde);
	for (; gpa < end; gpa += EPT_PAGE_SIZE, hpa += EPT_PAGE_SIZE)
		ept_store(ept, &pt[ept_index(gpa, EPT_LVL_PT)], hpa | attrs);
}

int ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t size,
	    uint64_t perms, unsigned memtype)
{
	uint64_t attrs, end, g, next;
	int ret;

	ret = ept_check_range(ept, gpa, size);
	if (!ret)
		ret = ept_check_target(hpa, size, perms, memtype);
	if (ret)
		return ret;
	/* IGNORE_PAT stays 0: the guest PAT combines with memtype (ept.h). */
	attrs = perms | (uint64_t)memtype << EPT_PTE_MEMTYPE_SHIFT;
	end = gpa + size;
	for (g = gpa; g < end; g = next) {
		next = ept_min(ept_next_entry(g, EPT_LVL_PD), end);
		ret = ept_prepare_region(ept, g, hpa + (g - gpa), next);
		if (ret)
			return ret;
	}
	for (g = gpa; g < end; g = next) {
		next = ept_min(ept_next_entry(g, EPT_LVL_PD), end);
		ept_commit_region(ept, g, hpa + (g - gpa), next, attrs);
	}
	return 0;
}

uint64_t *ept_leaf_4k(struct ept *ept, uint64_t gpa)
{
	uint64_t *pde, *pt;

	if (!ept->pml4 || gpa >= ept->max_gpa)
		return NULL;
	pde = ept_find_pde(ept, gpa);
	if (!pde || !ept_is_table(*pde, EPT_LVL_PD))
		return NULL;
	pt = ept_table_va(ept, *pde);
	return &pt[ept_index(gpa, EPT_LVL_PT)];
}

int ept_set_leaf(struct ept *ept, uint64_t *leaf, uint64_t hpa, uint64_t perms,
		 unsigned memtype)
{
	int ret = ept_check_target(hpa, EPT_PAGE_SIZE, perms, memtype);

	if (ret || !leaf)
		return ret ? ret : -XT_EINVAL;
	ept_store(ept, leaf, hpa | perms | (uint64_t)memtype << EPT_PTE_MEMTYPE_SHIFT);
	return 0;
}

int ept_relax_leaf(struct ept *ept, uint64_t *leaf, uint64_t perms)
{
	uint64_t old = leaf ? *leaf : 0, cur = old & EPT_PTE_PERM_MASK;

	/* Only rights added to a present entry: the same page, the same type. */
	if (!ept || !leaf || !cur || (perms & ~EPT_PTE_PERM_MASK) || (cur & ~perms) ||
	    ((perms & EPT_PTE_WRITE) && !(perms & EPT_PTE_READ)))
		return -XT_EINVAL;
	/* No generation change: no INVEPT needed (see ept.h). */
	__atomic_store_n(leaf, (old & ~EPT_PTE_PERM_MASK) | perms, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Split every leaf that contains @gpa other than at its first byte, so
 * that @gpa becomes a leaf boundary. Translations do not change.
 */
static int ept_split_at(struct ept *ept, uint64_t gpa)
{
	uint64_t *table = ept->pml4;
	uint64_t *slot;
	int level, ret;

	if (gpa >= EPT_MAX_GPA_4LEVEL)
		return 0;
	for (level = EPT_LVL_PML4; level > EPT_LVL_PT; level--) {
		slot = &table[ept_index(gpa, level)];
		if (!ept_present(*slot))
			return 0;
		if (ept_is_leaf(*slot, level) &&
		    !(gpa & (ept_level_size(level) - 1)))
			return 0;
		ret = ept_ensure_table(ept, slot, level, &table);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Clear the leaves in [gpa, end) below @table at @level. After ept_split_at
 * on both ends, every leaf met here lies wholly inside the range.
 */
static void ept_clear_range(struct ept *ept, uint64_t *table, int level,
			    uint64_t gpa, uint64_t end)
{
	uint64_t *slot;
	uint64_t next;

	for (; gpa < end; gpa = next) {
		slot = &table[ept_index(gpa, level)];
		next = ept_min(ept_next_entry(gpa, level), end);
		if (ept_is_table(*slot, level))
			ept_clear_range(ept, ept_table_va(ept, *slot),
					level - 1, gpa, next);
		else if (ept_present(*slot))
			ept_store(ept, slot, 0);
	}
}

int ept_unmap(struct ept *ept, uint64_t gpa, uint64_t size)
{
	int ret;

	ret = ept_check_range(ept, gpa, size);
	if (!ret)
		ret = ept_split_at(ept, gpa);
	if (!ret)
		ret = ept_split_at(ept, gpa + size);
	if (ret)
		return ret;
	ept_clear_range(ept, ept->pml4, EPT_LVL_PML4, gpa, gpa + size);
	return 0;
}

/* Decode leaf @e at @level whose first GPA is @gpa. */
static void ept_decode(uint64_t e, int level, uint64_t gpa,
		       struct ept_leaf *leaf)
{
	leaf->gpa = gpa;
	leaf->hpa = ept_leaf_base(e, level);
	leaf->size = ept_level_size(level);
	leaf->perms = e & EPT_PTE_PERM_MASK;
	leaf->memtype = (unsigned)((e & EPT_PTE_MEMTYPE_MASK) >>
				   EPT_PTE_MEMTYPE_SHIFT);
}

/* Find and decode the leaf that maps @gpa; false if there is none. */
static bool ept_find_leaf(const struct ept *ept, uint64_t gpa,
			  struct ept_leaf *leaf)
{
	const uint64_t *table = ept->pml4;
	uint64_t e;
	int level;

	for (level = EPT_LVL_PML4; level >= EPT_LVL_PT; level--) {
		e = table[ept_index(gpa, level)];
		if (!ept_present(e))
			return false;
		if (ept_is_leaf(e, level)) {
			ept_decode(e, level, gpa & ~(ept_level_size(level) - 1),
				   leaf);
			return true;
		}
		table = ept_table_va(ept, e);
	}
	return false;
}

int ept_lookup(const struct ept *ept, uint64_t gpa, uint64_t *hpa,
	       uint64_t *perms, unsigned *memtype, uint64_t *page_size)
{
	struct ept_leaf leaf;

	if (!ept->pml4 || gpa >= ept->max_gpa)
		return -XT_ENOENT;
	if (!ept_find_leaf(ept, gpa, &leaf))
		return -XT_ENOENT;
	if (hpa)
		*hpa = leaf.hpa + (gpa - leaf.gpa);
	if (perms)
		*perms = leaf.perms;
	if (memtype)
		*memtype = leaf.memtype;
	if (page_size)
		*page_size = leaf.size;
	return 0;
}

static int ept_run_flush(struct ept_run *run)
{
	const struct ept_leaf *c = &run->cur;

	if (!run->open)
		return 0;
	run->open = false;
	return run->fn(run->arg, c->gpa, c->hpa, c->size, c->perms, c->memtype);
}

static bool ept_run_extends(const struct ept_leaf *run,
			    const struct ept_leaf *leaf)
{
	return run->gpa + run->size == leaf->gpa &&
	       run->hpa + run->size == leaf->hpa &&
	       run->perms == leaf->perms && run->memtype == leaf->memtype;
}

static int ept_run_add(struct ept_run *run, const struct ept_leaf *leaf)
{
	int ret;

	if (run->open && ept_run_extends(&run->cur, leaf)) {
		run->cur.size += leaf->size;
		return 0;
	}
	ret = ept_run_flush(run);
	if (ret)
		return ret;
	run->cur = *leaf;
	run->open = true;
	return 0;
}

/* Feed the leaves below @table (at @level, first GPA @base) to @run. */
static int ept_walk(const struct ept *ept, const uint64_t *table, int level,
		    uint64_t base, struct ept_run *run)
{
	struct ept_leaf leaf;
	uint64_t e, gpa;
	unsigned i;
	int ret;

	for (i = 0; i < EPT_ENTRIES; i++) {
		e = table[i];
		gpa = base + ((uint64_t)i << ept_level_shift(level));
		if (!ept_present(e))
			continue;
		if (ept_is_leaf(e, level)) {
			ept_decode(e, level, gpa, &leaf);
			ret = ept_run_add(run, &leaf);
		} else {
			ret = ept_walk(ept, ept_table_va(ept, e), level - 1,
				       gpa, run);
		}
		if (ret)
			return ret;
	}
	return 0;
}

int ept_for_each(const struct ept *ept, ept_range_fn fn, void *arg)
{
	struct ept_run run = { .fn = fn, .arg = arg, .open = false };
	int ret;

	if (!ept->pml4)
		return 0;
	ret = ept_walk(ept, ept->pml4, EPT_LVL_PML4, 0, &run);
	if (ret)
		return ret;
	return ept_run_flush(&run);
}

int ept_init(struct ept *ept, const struct ept_ops *ops, uint64_t max_gpa)
{
	memset(ept, 0, sizeof(*ept));
	if (!ops || !ops->alloc_page || !ops->free_page || !ops->phys_to_virt)
		return -XT_EINVAL;
	if (!max_gpa || (max_gpa & (EPT_PAGE_SIZE - 1)) ||
	    max_gpa > EPT_MAX_GPA_4LEVEL)
		return -XT_EINVAL;
	ept->ops = ops;
	ept->max_gpa = max_gpa;
	return ept_alloc_table(ept, &ept->pml4, &ept->pml4_hpa);
}

static void ept_free_table(struct ept *ept, uint64_t *table, uint64_t hpa,
			   int level)
{
	uint64_t e;
	unsigned i;

	for (i = 0; level > EPT_LVL_PT && i < EPT_ENTRIES; i++) {
		e = table[i];
		if (ept_is_table(e, level))
			ept_free_table(ept, ept_table_va(ept, e),
				       e & EPT_PTE_ADDR_MASK, level - 1);
	}
	ept->ops->free_page(ept->ops->ctx, table, hpa);
	ept->table_pages--;
}

void ept_destroy(struct ept *ept)
{
	if (!ept->pml4)
		return;
	ept_free_table(ept, ept->pml4, ept->pml4_hpa, EPT_LVL_PML4);
	ept->pml4 = NULL;
	ept->pml4_hpa = 0;
}

uint64_t ept_eptp(const struct ept *ept)
{
	return (ept->pml4_hpa & EPTP_ADDR_MASK) | EPTP_WALK_LENGTH_4 |
	       ((uint64_t)EPT_MT_WB << EPTP_MEMTYPE_SHIFT);
}
