/* SPDX-License-Identifier: MIT */
/*
 * Guest memory as the guest itself may touch it: the one way the VMM
 * reaches a guest's RAM on the guest's behalf (string I/O, hypercall
 * results, the guest page walker's entries and the accessed/dirty flags it
 * sets, instruction fetches for MMIO emulation, the emulated NIC's DMA).
 *
 * Every access names its kind and obeys the EPT permissions the guest has
 * where it lands (SDM 3C, "EPT Violations": a data write through EPT
 * entries that do not allow writes is an EPT violation, and the processor's
 * own updates of the accessed and dirty flags in guest paging structures are
 * writes as well). So a write the CPU would make for the guest (a store, INS,
 * the A/D flags) is a write here too.
 *
 * A guest's RAM is GPA [0, size) at host `ram`, each page its own, except
 * pages the remapper shares between guests (ept/remap.h): they reach the
 * shared page S with the permissions the remapper gave this guest there
 * (remap_view; the receiving side of a pair is read only). One index lookup
 * per page, none while nothing is shared.
 *
 * A write where the guest may only read:
 *   GMEM_WRITE      a write the CPU would make for the guest: handled as the
 *                   guest's own store would be, by the copy on write of the
 *                   EPT violation (remap_cow_fault, what vmm/exit/ept.c does):
 *                   the guest gets its own copy of the page, the write lands
 *                   there and the other guest's page does not change
 *                   (st.cow_breaks).
 *   GMEM_DMA_WRITE  a device writes (descriptor write-back): refused, as an
 *                   IOMMU refuses a DMA write into a read-only page; nothing
 *                   is written (st.refused).
 * A write copy on write cannot make possible (the remapper refused) is
 * refused and counted as well.
 *
 * Pure: no allocation, no global state; the remapper is the VMM's (or a
 * test's) with its allocator callbacks. Same concurrency rule as the
 * remapper: the guest's vCPUs do not run during a call, and a pointer
 * returned stays valid only until the next call that may remap (any
 * GMEM_WRITE, any remapper operation).
 */
#ifndef XTALK_EPT_GMEM_H
#define XTALK_EPT_GMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ept/remap.h"

enum gmem_access {
	GMEM_READ,	/* the guest, or a device for it, reads */
	GMEM_WRITE,	/* the CPU writes for the guest: copy on write first */
	GMEM_DMA_WRITE,	/* a device writes: refused where the guest only reads */
};

struct gmem_stats {
	uint64_t cow_breaks;	/* writes that gave the guest its own page first */
	uint64_t refused;	/* writes refused where the guest may only read */
};

struct gmem {
	uint8_t *ram;			/* host address of GPA 0 (its own pages) */
	uint64_t size;
	struct remapper *rm;		/* NULL: none of its pages is ever shared */
	const struct remap_side *side;	/* this guest in rm */
	struct gmem_stats st;
};

/* A piece of a guest range that is one block of host memory. */
struct gmem_seg {
	uint8_t *va;
	uint64_t gpa, len;
};

void gmem_init(struct gmem *m, uint8_t *ram, uint64_t size);
/* From now on the guest's pages may be shared by rm, where it is side. */
void gmem_attach(struct gmem *m, struct remapper *rm, const struct remap_side *side);

/*
 * Host pointer to [gpa, gpa + len) for an access of kind a. 0 and *p, or
 *   -XT_EFAULT  len is 0 or some byte is not RAM;
 *   -XT_EPERM   a write refused where the guest may only read (counted);
 *   -XT_ERANGE  the range is not one block of host memory (it spans a shared
 *               page and another page): gmem_segs gives its pieces.
 */
int gmem_map(struct gmem *m, uint64_t gpa, uint64_t len, enum gmem_access a, void **p);

/*
 * The same range as host blocks (adjacent pages that are adjacent in host
 * memory merged), at most max of them: their number, the errors above but
 * -XT_ERANGE, or -XT_E2BIG when more than max blocks are needed.
 */
int gmem_segs(struct gmem *m, uint64_t gpa, uint64_t len, enum gmem_access a,
	      struct gmem_seg *seg, unsigned max);

/*
 * The CPU's accesses for the guest, shaped as the guest page walker's map
 * (vmm/emul/gpt_walk.h gpt_map_fn; ctx is the struct gmem): GMEM_READ, or
 * GMEM_WRITE when the walker writes (A/D flags, INS data). NULL on any error.
 */
void *gmem_cpu_map(void *ctx, uint64_t gpa, size_t len, bool write);

/*
 * Copy guest memory out, or buf in (GMEM_WRITE or GMEM_DMA_WRITE). Every
 * page is checked (and copied on write) before a byte is written, so a write
 * that fails changes nothing. 0 or an error as gmem_map (never -XT_ERANGE);
 * -XT_EINVAL for gmem_write with GMEM_READ.
 */
int gmem_read(struct gmem *m, uint64_t gpa, void *buf, uint64_t len);
int gmem_write(struct gmem *m, uint64_t gpa, const void *buf, uint64_t len,
	       enum gmem_access a);

#endif
