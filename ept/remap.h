/* SPDX-License-Identifier: MIT */
/*
 * EPT remapper: cross-talk page sharing between two guests.
 *
 * A pair joins guest A's TX buffer page (GPA tx_gpa) and guest B's RX
 * buffer page (GPA rx_gpa) on ONE host page S that the remapper allocates:
 *
 *   share    S := copy of A's own page; A's GPA -> S with A's original
 *            perms and memtype (A's view does not change); B's GPA -> S
 *            READ-ONLY with B's original memtype (B now sees A's data and
 *            can never write into A's memory).
 *   views    B's side can be closed (B's GPA maps B's own page again, S
 *            unreadable to B) and reopened, and A's side locked (read-only,
 *            a write by A is a copy on write): remap_set_views.
 *   unshare  S is copied into A's own page and into B's own page (not into
 *            B's while B's side is closed), both GPAs
 *            map their own host page again with the original perms and
 *            memtype, S is freed.
 *   COW      a write by B to its shared page is an EPT violation; the VMM
 *            calls remap_cow_fault, which unshares that pair (B's own page
 *            then holds A's data and is writable again) and resumes B.
 *
 * A page ((side, GPA), either role) is in at most one pair: sharing a page
 * that is already paired tears the old pair down first. A page "attached
 * to the physical device" (physical NIC DMA in flight, counted) is never
 * remapped: sharing it fails with -XT_EBUSY; the VMM completes the DMA,
 * detaches, then shares. Attaching a paired page tears its pair down first,
 * so the device reads or writes the guest's own page.
 *
 * Addresses. A side's RAM is GPA [0, ram_size) at HPA [ram_hpa, ram_hpa +
 * ram_size) (vmm/guest/guest.c). GPAs come from hostile guests: every GPA must lie
 * in that RAM and the EPT must map it to the side's own page with read
 * access (or to the S of a pair of ours); otherwise -XT_EINVAL. Contents are
 * copied only between own RAM pages and S pages, through ops->phys_to_virt.
 * remap_share and remap_is_pair take page-aligned GPAs (-XT_EINVAL / false
 * otherwise); the functions that ask "which page holds this address"
 * (remap_find, remap_cow_fault, remap_phys_*) accept any GPA in the page.
 * Two sides are the same guest when they use the same struct ept.
 *
 * Invalidation. Every operation invalidates, through ops->invept, each EPT
 * whose generation it moved, once, at its end (also on a failure that
 * split a 2 MiB leaf), and counts it in st.invepts. With more than
 * REMAP_FLUSH_MAX distinct EPTs in one operation (remap_unshare_side with
 * that many peers) the EPTs seen so far are invalidated early as well. An
 * S page is given back to ops->free_page only after every EPT that mapped
 * it was invalidated. SMP: the builder writes entries with single atomic
 * stores, so other processors see the old or the new translation, never a
 * torn one; ops->invept is where a multi-processor shootdown belongs (INVEPT
 * here, IPI to every processor that may hold translations of that EPT,
 * wait for their INVEPT) and it must return only when no processor can use
 * the old translation.
 *
 * Concurrency. One caller at a time per remapper (the remapper is the one
 * writer of the EPTs it touches, see ept.h), and the vCPUs of the guests
 * involved must not run during a call: contents are copied before the
 * mappings change (on one processor this holds in any VM-exit handler).
 * Tear down a guest's pairs (remap_unshare_side) before ept_destroy.
 *
 * Freestanding, no allocation of its own, no global state: the caller owns
 * struct remapper (about 50 KiB; keep it off small stacks).
 */
#ifndef XTALK_EPT_REMAP_H
#define XTALK_EPT_REMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "ept/ept.h"

#define REMAP_MAX_PAIRS		1024
#define REMAP_MAX_ATTACH	256	/* attached pages tracked at once */
#define REMAP_FLUSH_MAX		32	/* EPTs per operation before early flush */
#define REMAP_NO_HPA		(~0ULL)	/* remap_for_each: GPA not mapped */
#define REMAP_HASH		2048	/* buckets of the (guest, page) index */
#define REMAP_NIL		(-1)

/* One guest's memory. */
struct remap_side {
	struct ept *ept;
	uint64_t ram_hpa, ram_size;	/* GPA x is at HPA ram_hpa + x */
	unsigned id;			/* for dumps */
	unsigned rx_pairs;		/* live pairs whose receiving side this is
					 * (kept by the remapper; 0: no page of this
					 * side shows another guest's page) */
	unsigned tx_pairs;		/* live pairs whose sending side this is
					 * (kept by the remapper; 0: no page of this
					 * side is shared with another guest) */
	uint64_t paired_lo, paired_hi;	/* every page of this side in a live pair
					 * is in [paired_lo, paired_hi) (kept by the
					 * remapper; may be wider than needed, empty
					 * again once the side has no pair) */
};

/*
 * Whether a page of [gpa, gpa + len) of side s may be in a live pair: false
 * means certainly not (no index lookup needed); true means look it up. The
 * side must be the struct the pairs were made with.
 */
static inline bool remap_side_may_pair(const struct remap_side *s, uint64_t gpa, uint64_t len)
{
	return s && (s->tx_pairs || s->rx_pairs) && gpa < s->paired_hi &&
	       (len ? gpa + len > s->paired_lo : gpa >= s->paired_lo);
}

struct remap_ops {
	/* Zeroed, 4 KiB-aligned page, *hpa set; NULL when out of memory. */
	void *(*alloc_page)(void *ctx, uint64_t *hpa);
	void (*free_page)(void *ctx, void *va, uint64_t hpa);
	/* Pointer to the page at @hpa: own RAM pages and S pages. */
	void *(*phys_to_virt)(void *ctx, uint64_t hpa);
	/* Invalidate @ept on every processor (see "Invalidation" above). */
	void (*invept)(void *ctx, struct ept *ept);
	void *ctx;
};

enum remap_pair_state {
	REMAP_PAIR_FREE,
	REMAP_PAIR_LIVE,
	REMAP_PAIR_DYING,	/* unmapped, S freed after the invalidation */
};

struct remap_pair {
	enum remap_pair_state state;
	struct remap_side *tx, *rx;
	uint64_t tx_gpa, rx_gpa;
	uint64_t shared_hpa;		/* S */
	void *shared_va;
	uint64_t tx_perms, rx_perms;	/* original mappings, restored */
	unsigned tx_memtype, rx_memtype;
	uint64_t uses;			/* remap_share calls that returned it */
	bool rx_closed;			/* rx's GPA maps its own page (remap_set_views) */
	bool tx_locked;			/* tx's GPA maps S read-only */
	uint64_t serial;		/* which share made it (1, 2, ...): a later pair in
					 * the same slot, even of the same two pages, has
					 * another */
	uint64_t *tx_leaf, *rx_leaf;	/* their EPT entries (ept_leaf_4k), found
					 * at the first view change */
};

struct remap_attach {
	const struct remap_side *side;	/* NULL: free slot */
	uint64_t gpa;			/* page */
	uint32_t count;			/* DMA operations in flight */
};

struct remap_stats {
	uint64_t shares;	/* pairs set up */
	uint64_t unshares;	/* pairs torn down, for any reason */
	uint64_t cow_breaks;	/* of which by remap_cow_fault */
	uint64_t invepts;
	uint64_t pages_copied;
	uint64_t busy_refusals;	/* remap_share -> -XT_EBUSY */
};

struct remapper {
	const struct remap_ops *ops;
	unsigned npairs;			/* live pairs */
	unsigned top;				/* every slot from here up is free */
	struct remap_pair pair[REMAP_MAX_PAIRS];
	/* Live pairs by (guest, page), both roles: a lookup per frame must
	 * not walk the table. Node 2 * pair + role (0 tx, 1 rx). */
	int16_t bucket[REMAP_HASH];
	int16_t next[2 * REMAP_MAX_PAIRS];
	struct remap_attach attach[REMAP_MAX_ATTACH];
	struct remap_stats st;
};

/*
 * Empty remapper. 0, or -XT_EINVAL when ops or one of its callbacks is
 * missing (every other call then fails or does nothing).
 */
int remap_init(struct remapper *r, const struct remap_ops *ops);

/*
 * Share tx's page tx_gpa with rx's page rx_gpa (see top). Returns the pair
 * index (>= 0), also when exactly this pair exists already (then nothing
 * changes and its uses goes up). Errors, all leaving the pairs, mappings
 * and contents as they were: -XT_EINVAL (bad side, GPA unaligned, outside
 * RAM or not mapped to its own page, tx and rx the same page), -XT_EBUSY
 * (either page attached to the physical device), -XT_ENOSPC (no free pair
 * and none to tear down), -XT_ENOMEM (no page for S, or for the table that
 * splits a 2 MiB leaf; such a table stays, see ept_map), -XT_EFAULT (the
 * allocator returned a misaligned page, or phys_to_virt returned NULL).
 */
int remap_share(struct remapper *r, struct remap_side *tx, uint64_t tx_gpa,
		struct remap_side *rx, uint64_t rx_gpa);

/* Index of the live pair holding the page of @gpa in either role, or -1. */
int remap_find(const struct remapper *r, const struct remap_side *s,
	       uint64_t gpa);

/* Whether exactly this pair is live (so a frame can go zero-copy). */
bool remap_is_pair(const struct remapper *r, const struct remap_side *tx,
		   uint64_t tx_gpa, const struct remap_side *rx,
		   uint64_t rx_gpa);
/* The shared page of that live pair (for a data path that reaches the
 * frame through it), or NULL when there is no such pair; *index (if not
 * NULL): the pair's index, -1 when there is none. */
void *remap_pair_page(const struct remapper *r, const struct remap_side *tx, uint64_t tx_gpa,
		      const struct remap_side *rx, uint64_t rx_gpa, int *index);

/*
 * How @s sees the page of @gpa where the remapper changed it: true when that
 * page is in a live pair (one index lookup), with the shared page S and the
 * EPT permissions (EPT_PTE_*) @s has on it now (the receiving side: read
 * only; the sending side while locked: without write); false when it is
 * not, or when @s is the receiving side of a closed pair: then @s's own
 * mapping applies. For code that reaches guest memory on a guest's behalf
 * (ept/gmem.h).
 */
struct remap_view {
	void *va;			/* S */
	uint64_t hpa;
	uint64_t perms;
};
bool remap_view(const struct remapper *r, const struct remap_side *s, uint64_t gpa,
		struct remap_view *v);

/*
 * The views of live pairs (a new pair is open and unlocked). Open: rx's GPA
 * maps S read-only; closed: rx's own page again, with its own perms and
 * contents (rx cannot read S; nothing of S is copied there). Locked: tx's
 * GPA maps S without write access, so a write by tx faults and
 * remap_cow_fault breaks the pair (rx keeps what S held). All n pairs in
 * one operation: one INVEPT per EPT that changed. 0, -XT_EINVAL (a pair not
 * live; the others are still set), or ept_map's error.
 */
int remap_set_views(struct remapper *r, const unsigned *pairs, unsigned n,
		    bool rx_open, bool tx_locked);

/*
 * Tear down pair @pair. 0, or -XT_EINVAL when it is not a live pair. A
 * failure to map a page back (impossible while the EPT keeps the 4 KiB
 * table the share made) is returned as is; the pair then stays and S is
 * kept, since it may still be mapped.
 */
int remap_unshare(struct remapper *r, unsigned pair);

/* Tear down every pair of guest @s (stop, NIC reset); returns how many. */
unsigned remap_unshare_side(struct remapper *r, const struct remap_side *s);

/* Tear down every pair between @a and @b (either direction); how many. */
unsigned remap_unshare_between(struct remapper *r, const struct remap_side *a,
			       const struct remap_side *b);

/*
 * EPT write violation by @s at @gpa: when that page is the read-only RX side
 * of an open pair, or the TX side of a locked one, break the pair (copy on
 * write) and return true: the VMM resumes the guest, whose write then lands
 * in its own page. false otherwise (not ours: a real violation).
 */
bool remap_cow_fault(struct remapper *r, const struct remap_side *s,
		     uint64_t gpa);

/*
 * Physical DMA on the page of @gpa starts (counted; nests). Tears down a
 * pair on that page first. 0, -XT_EINVAL (bad side or GPA outside RAM),
 * -XT_ENOSPC (REMAP_MAX_ATTACH pages attached, or the count is full).
 */
int remap_phys_attach(struct remapper *r, const struct remap_side *s,
		      uint64_t gpa);

/* One physical DMA on the page of @gpa completed; unknown pages ignored. */
void remap_phys_detach(struct remapper *r, const struct remap_side *s,
		       uint64_t gpa);

bool remap_phys_attached(const struct remapper *r, const struct remap_side *s,
			 uint64_t gpa);

/*
 * Debug dump: for each live pair in index order, call fn with the pair and
 * the host pages its two GPAs translate to now (ept_lookup in both EPTs;
 * REMAP_NO_HPA if unmapped). A non-zero return stops the walk and is
 * returned; 0 otherwise.
 */
typedef int (*remap_pair_fn)(void *arg, const struct remap_pair *p,
			     uint64_t tx_hpa_now, uint64_t rx_hpa_now);
int remap_for_each(const struct remapper *r, remap_pair_fn fn, void *arg);

#endif
