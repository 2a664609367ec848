/* SPDX-License-Identifier: MIT */
/*
 * EPT builder: keeps a 4-level extended page table that translates
 * guest-physical addresses (GPA) to host-physical addresses (HPA).
 *
 * Pure C, no privileged instructions, no global state: the same file runs
 * in the hypervisor and in host unit tests. Table pages come only from
 * ops->alloc_page.
 *
 * Concurrency. Calls that change one struct ept must be serialized by the
 * caller (one writer); ept_lookup and ept_for_each must not run at the same
 * time as a writer. Processors may walk the table while it changes: every
 * entry is written with one aligned 64-bit store, and a new table is filled
 * completely before the store that links it in. The builder never runs
 * INVEPT: when ept->generation differs from the value seen at the last
 * INVEPT, the caller must invalidate (SDM 3C, "Guidelines for Use of the
 * INVEPT Instruction") before relying on the new translation, and before
 * giving away any host page that was unmapped or replaced. generation goes
 * up on every store that changes an entry (conservative: filling an empty
 * entry counts too); a call that writes back identical values, like
 * mapping the same range again, leaves it unchanged.
 *
 * Leaf format. Leaves carry the requested R/W/X and memory type with
 * IGNORE_PAT = 0, so the guest's PAT still combines with the EPT memory
 * type (SDM 3C, "Memory Type Used for Translated Guest-Physical
 * Addresses"): a guest can map a WB page UC, and a UC device page stays UC
 * whatever the guest's PAT says. Entries that reference a table allow
 * R/W/X; the leaf alone decides the rights. Accessed/dirty flags are not
 * enabled. The builder creates 4 KiB and 2 MiB leaves, never 1 GiB ones
 * (lookup and walks would still understand them).
 *
 * Table pages are never freed before ept_destroy. Once a 2 MiB region has
 * a 4 KiB table (because part of it was remapped or unmapped), it keeps
 * that table: mapping the whole region again writes 512 4 KiB leaves
 * instead of one 2 MiB leaf, and unmapping it clears the 512 entries. A
 * freed table could still be in another processor's paging-structure cache
 * until INVEPT, so reusing its page before then would expose garbage
 * translations; keeping it also means remapping a page back never allocates.
 */
#ifndef XTALK_EPT_EPT_H
#define XTALK_EPT_EPT_H

#include <stdint.h>

#include "ept/ept_defs.h"

struct ept_ops {
	/*
	 * Return a zeroed, 4 KiB-aligned page usable as a page table and set
	 * *hpa to its host-physical address. NULL on failure.
	 */
	void *(*alloc_page)(void *ctx, uint64_t *hpa);
	void (*free_page)(void *ctx, void *va, uint64_t hpa);
	/* Host-physical address of a table page -> pointer usable here. */
	void *(*phys_to_virt)(void *ctx, uint64_t hpa);
	void *ctx;
};

struct ept {
	const struct ept_ops *ops;
	uint64_t *pml4;		/* virtual */
	uint64_t pml4_hpa;
	uint64_t max_gpa;	/* exclusive limit on GPAs */
	unsigned table_pages;	/* table pages allocated now */
	uint64_t generation;	/* bumped by each change that may need INVEPT */
};

/* Leaf-walk callback for ept_for_each: a non-zero return stops the walk. */
typedef int (*ept_range_fn)(void *arg, uint64_t gpa, uint64_t hpa,
			    uint64_t size, uint64_t perms, unsigned memtype);

/*
 * Allocate an empty PML4. max_gpa: exclusive GPA limit, a non-zero multiple
 * of 4 KiB, at most EPT_MAX_GPA_4LEVEL (typically 1ULL << MAXPHYADDR or
 * less). 0, -XT_EINVAL (bad ops or max_gpa), -XT_ENOMEM, -XT_EFAULT (the
 * allocator returned an unaligned page or address).
 */
int ept_init(struct ept *ept, const struct ept_ops *ops, uint64_t max_gpa);

/*
 * Free every table page; the struct is left empty (pml4 == NULL, a second
 * call does nothing). Only once no processor can use the EPT any more.
 */
void ept_destroy(struct ept *ept);

/*
 * EPTP value for the VMCS: PML4 address, 4-level walk, WB paging-structure
 * memory type, accessed/dirty flags disabled. The caller checks
 * EPT_CAP_WALK_4, EPT_CAP_MT_WB and EPT_CAP_PAGE_2M first.
 */
uint64_t ept_eptp(const struct ept *ept);

/*
 * Map [gpa, gpa + size) to [hpa, hpa + size), replacing whatever was mapped
 * there. gpa, hpa and size are multiples of 4 KiB, size > 0. perms is a
 * subset of EPT_PTE_READ | EPT_PTE_WRITE | EPT_PTE_EXEC that includes READ
 * (write-only is a misconfiguration, execute-only needs a CPU feature the
 * builder does not assume); memtype is one of EPT_MT_*.
 *
 * A 2 MiB leaf is used for every 2 MiB region that the range covers whole
 * when gpa and hpa are both 2 MiB aligned there, unless that region already
 * has a 4 KiB table (see above); 4 KiB leaves everywhere else. 2 MiB leaves
 * that the range covers only in part are split first into 512 4 KiB leaves
 * with the same translation.
 *
 * Errors: -XT_EINVAL for misaligned or zero arguments, a range that wraps
 * around 2^64, bad perms or memtype; -XT_ERANGE when gpa + size > max_gpa
 * or hpa + size > 2^52. Nothing changes on these errors.
 *
 * -XT_ENOMEM (or -XT_EFAULT from a bad allocator page): all tables are
 * allocated before any leaf is written, so no translation has changed; every
 * GPA translates to the same HPA, perms and memtype as before the call (only
 * the page size lookup reports may have become 4 KiB). Tables allocated before
 * the failure stay linked in: new empty ones, and split 2 MiB leaves whose
 * 512 entries keep the old translation. They count in table_pages, a retry
 * reuses them, ept_destroy frees them.
 */
int ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t size,
	    uint64_t perms, unsigned memtype);

/*
 * The 4 KiB leaf entry of the page at @gpa, for a caller that changes that
 * page's translation often (the remapper's views of a shared page): NULL
 * unless the 2 MiB region of @gpa is mapped through a page table. Table
 * pages are never freed or merged back into 2 MiB leaves before
 * ept_destroy, so the entry stays the one that translates @gpa (mapped or
 * not) until then.
 * ept_set_leaf rewrites such an entry as ept_map would for that one page
 * (same argument checks; generation moves if the entry changed).
 */
uint64_t *ept_leaf_4k(struct ept *ept, uint64_t gpa);
int ept_set_leaf(struct ept *ept, uint64_t *leaf, uint64_t hpa, uint64_t perms,
		 unsigned memtype);
/*
 * Add rights to such a present leaf (perms: the new R/W/X, a superset of
 * the old; write only with read): the same page and memory type. The
 * generation does not move: raising access rights needs no INVEPT (SDM
 * 3C, "Guidelines for Use of the INVEPT Instruction"); a processor still
 * holding the old rights takes an EPT violation for an access the entry
 * now allows, which invalidates those cached rights, and the VMM resumes
 * the guest (vmm/exit/ept.c). -XT_EINVAL for anything else.
 */
int ept_relax_leaf(struct ept *ept, uint64_t *leaf, uint64_t perms);

/*
 * Remove the translations of [gpa, gpa + size); unmapped parts are fine.
 * Arguments and range errors as for ept_map. A 2 MiB leaf that the range
 * covers only in part is split first, which needs one table page (at most
 * two per call): on -XT_ENOMEM nothing has been unmapped, as for ept_map.
 */
int ept_unmap(struct ept *ept, uint64_t gpa, uint64_t size);

/*
 * Translate one GPA. On success returns 0 and fills *hpa (of that byte),
 * *perms, *memtype and *page_size (of the leaf: 4 KiB or 2 MiB); any of
 * them may be NULL. -XT_ENOENT if the GPA is not mapped or >= max_gpa.
 */
int ept_lookup(const struct ept *ept, uint64_t gpa, uint64_t *hpa,
	       uint64_t *perms, unsigned *memtype, uint64_t *page_size);

/*
 * Call fn for each maximal run of leaves that are contiguous in GPA and HPA
 * and have equal perms and memtype, in increasing GPA order. Returns 0, or
 * the first non-zero value fn returned (the walk stops there).
 */
int ept_for_each(const struct ept *ept, ept_range_fn fn, void *arg);

#endif
