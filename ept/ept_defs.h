/* SPDX-License-Identifier: MIT */
/*
 * Hardware definitions for extended page tables (EPT): the paging-structure
 * entry format, the EPT pointer (EPTP) and the EPT capability bits.
 *
 * Sources (Intel SDM vol. 3C): "EPT Translation Mechanism", "Format of an
 * EPT PML4 Entry (PML4E)" / "Format of an EPT Page-Directory Entry (PDE)"
 * and the other EPT entry-format tables, "EPT Misconfigurations",
 * "Extended-Page-Table Pointer (EPTP)" and appendix "VPID and EPT
 * Capabilities". Everything is a shift or a mask on a uint64_t.
 */
#ifndef XTALK_EPT_EPT_DEFS_H
#define XTALK_EPT_EPT_DEFS_H

/*
 * Paging-structure entries (all levels). An entry is present when any of
 * bits 2:0 is set ("EPT Translation Mechanism"; with mode-based execute
 * control bit 10 also counts, xtalk does not enable that).
 */
#define EPT_PTE_READ		(1ULL << 0)
#define EPT_PTE_WRITE		(1ULL << 1)
#define EPT_PTE_EXEC		(1ULL << 2)	/* supervisor-mode if MBEC on */
#define EPT_PTE_PERM_MASK	(EPT_PTE_READ | EPT_PTE_WRITE | EPT_PTE_EXEC)

/* Leaf entries only; reserved (must be 0) in entries that reference a table. */
#define EPT_PTE_MEMTYPE_SHIFT	3		/* bits 5:3 */
#define EPT_PTE_MEMTYPE_MASK	(7ULL << EPT_PTE_MEMTYPE_SHIFT)
#define EPT_PTE_IGNORE_PAT	(1ULL << 6)

/*
 * Bit 7: "maps a page" in a PDPTE (1 GiB) or PDE (2 MiB); must be 0 in a
 * PML4E; ignored in a PTE (4 KiB leaves are always leaves).
 */
#define EPT_PTE_LARGE		(1ULL << 7)

/* Used only when EPTP bit 6 enables accessed/dirty flags. */
#define EPT_PTE_ACCESSED	(1ULL << 8)
#define EPT_PTE_DIRTY		(1ULL << 9)	/* leaf entries only */
#define EPT_PTE_USER_EXEC	(1ULL << 10)	/* mode-based execute control */
#define EPT_PTE_SUPPRESS_VE	(1ULL << 63)	/* leaf entries only */

/*
 * Physical-address fields. Bits 51:12 hold the address of the next table
 * or of a 4 KiB page; a 2 MiB leaf uses bits 51:21 (20:12 reserved), a
 * 1 GiB leaf bits 51:30 (29:12 reserved). Bits above the processor's
 * MAXPHYADDR are reserved too; 52 is the architectural maximum.
 */
#define EPT_PTE_ADDR_MASK	0x000ffffffffff000ULL
#define EPT_PTE_ADDR_MASK_2M	0x000fffffffe00000ULL
#define EPT_PTE_ADDR_MASK_1G	0x000fffffc0000000ULL
#define EPT_MAX_PHYS_BITS	52

/*
 * Memory types for leaf bits 5:3 and EPTP bits 2:0 ("EPT and Memory
 * Typing"). 2, 3 and 7 are reserved and cause an EPT misconfiguration.
 */
#define EPT_MT_UC		0U
#define EPT_MT_WC		1U
#define EPT_MT_WT		4U
#define EPT_MT_WP		5U
#define EPT_MT_WB		6U

/* Geometry of the 4-level walk: 512 eight-byte entries per 4 KiB table. */
#define EPT_PAGE_SHIFT		12
#define EPT_PAGE_SIZE		(1ULL << EPT_PAGE_SHIFT)
#define EPT_LARGE_PAGE_SHIFT	21
#define EPT_LARGE_PAGE_SIZE	(1ULL << EPT_LARGE_PAGE_SHIFT)	/* 2 MiB */
#define EPT_HUGE_PAGE_SHIFT	30
#define EPT_HUGE_PAGE_SIZE	(1ULL << EPT_HUGE_PAGE_SHIFT)	/* 1 GiB */
#define EPT_LEVEL_BITS		9
#define EPT_ENTRIES		(1U << EPT_LEVEL_BITS)
#define EPT_LEVELS		4
#define EPT_MAX_GPA_4LEVEL	(1ULL << 48)	/* GPA bits 47:0 */

/* EPT pointer ("Extended-Page-Table Pointer (EPTP)"). */
#define EPTP_MEMTYPE_SHIFT	0		/* bits 2:0: UC or WB only */
#define EPTP_MEMTYPE_MASK	(7ULL << EPTP_MEMTYPE_SHIFT)
#define EPTP_WALK_LENGTH_SHIFT	3		/* bits 5:3: levels - 1 */
#define EPTP_WALK_LENGTH_MASK	(7ULL << EPTP_WALK_LENGTH_SHIFT)
#define EPTP_WALK_LENGTH_4	(3ULL << EPTP_WALK_LENGTH_SHIFT)
#define EPTP_AD_ENABLE		(1ULL << 6)
#define EPTP_SSS_ENABLE		(1ULL << 7)	/* supervisor shadow stack */
#define EPTP_ADDR_MASK		0x000ffffffffff000ULL	/* PML4 table */

/*
 * IA32_VMX_EPT_VPID_CAP bits the user of the builder has to check (appendix
 * "VPID and EPT Capabilities"): the builder needs a 4-level walk, WB for
 * the EPTP and 2 MiB pages.
 */
#define EPT_CAP_EXEC_ONLY	(1ULL << 0)
#define EPT_CAP_WALK_4		(1ULL << 6)
#define EPT_CAP_WALK_5		(1ULL << 7)
#define EPT_CAP_MT_UC		(1ULL << 8)
#define EPT_CAP_MT_WB		(1ULL << 14)
#define EPT_CAP_PAGE_2M		(1ULL << 16)
#define EPT_CAP_PAGE_1G		(1ULL << 17)
#define EPT_CAP_INVEPT		(1ULL << 20)
#define EPT_CAP_AD		(1ULL << 21)
#define EPT_CAP_INVEPT_SINGLE	(1ULL << 25)
#define EPT_CAP_INVEPT_ALL	(1ULL << 26)

#endif
