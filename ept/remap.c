/* SPDX-License-Identifier: MIT */
/*
 * EPT remapper (interface and guarantees in remap.h).
 *
 * Every public call that changes an EPT runs as one "operation" (struct
 * remap_op): before an EPT is changed its generation is recorded; at the
 * end, each recorded EPT whose generation moved is invalidated once, and
 * only then are S pages of torn-down pairs (state DYING) given back. No
 * DYING pair outlives the operation that made it.
 *
 * remap_share does everything that can fail before it changes a mapping:
 * checks, the S allocation, and splitting a 2 MiB leaf over either page
 * (an ept_map of the page onto its current translation, which keeps every
 * translation). After that every ept_map writes a 4 KiB leaf into an
 * existing table with checked arguments, which the builder cannot refuse.
 * Should it anyway, a pair is never freed while its S may still be mapped.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ept/ept.h"
#include "ept/ept_defs.h"
#include "ept/remap.h"
#include "lib/xerrno.h"

#define RM_PAGE		EPT_PAGE_SIZE
#define RM_PAGE_MASK	(EPT_PAGE_SIZE - 1)
#define RM_HPA_LIMIT	(1ULL << EPT_MAX_PHYS_BITS)
#define RM_RX_PERMS	EPT_PTE_READ	/* the receiving side of a pair */

/* Work of one public call: EPTs to invalidate, S pages to free after. */
struct remap_op {
	struct remapper *r;
	struct {
		struct ept *ept;
		uint64_t gen;		/* generation before the change */
	} ept[REMAP_FLUSH_MAX];
	unsigned n;
	struct {
		void *va;
		uint64_t hpa;
	} stash[2];			/* S pages not held by a pair */
	unsigned nstash;
	unsigned dying;			/* pairs torn down: op_free_pages scans for them */
};

/* How a page was mapped before it was shared. */
struct remap_orig {
	uint64_t perms;
	unsigned memtype;
	uint64_t page_size;
};

/* Everything remap_share decides before it changes anything. */
struct remap_plan {
	struct remap_side *tx, *rx;
	uint64_t tx_gpa, rx_gpa;
	int old_tx, old_rx;		/* pairs to tear down first, or -1 */
	int slot;			/* where the new pair goes */
	struct remap_orig otx, orx;
	void *tx_va;			/* A's own page */
	void *s_va;
	uint64_t s_hpa;
};

/* ---- sides and pages ---- */

static bool remap_ready(const struct remapper *r)
{
	return r && r->ops;
}

static bool side_ok(const struct remap_side *s)
{
	uint64_t end;

	if (!s || !s->ept || !s->ept->pml4)
		return false;
	if (!s->ram_size || ((s->ram_hpa | s->ram_size) & RM_PAGE_MASK))
		return false;
	end = s->ram_hpa + s->ram_size;
	return end > s->ram_hpa && end <= RM_HPA_LIMIT &&
	       s->ram_size <= s->ept->max_gpa;
}

/* Page-aligned GPA inside the side's RAM. */
static bool page_ok(const struct remap_side *s, uint64_t gpa)
{
	return !(gpa & RM_PAGE_MASK) && gpa < s->ram_size;
}

static uint64_t page_of(uint64_t gpa)
{
	return gpa & ~RM_PAGE_MASK;
}

/* Same guest: sides are told apart by their EPT. */
static bool same_guest(const struct remap_side *a, const struct remap_side *b)
{
	return a && b && a->ept == b->ept;
}

static uint64_t own_hpa(const struct remap_side *s, uint64_t gpa)
{
	return s->ram_hpa + gpa;
}

static void *hpa_va(const struct remapper *r, uint64_t hpa)
{
	return r->ops->phys_to_virt(r->ops->ctx, hpa);
}

/* ---- a side's counts and the range its paired pages are in ---- */

static void side_add(struct remap_side *s, unsigned *count, uint64_t page)
{
	if (!s->tx_pairs && !s->rx_pairs) {
		s->paired_lo = page;
		s->paired_hi = page + RM_PAGE;
	} else {
		s->paired_lo = page < s->paired_lo ? page : s->paired_lo;
		s->paired_hi = page + RM_PAGE > s->paired_hi ? page + RM_PAGE : s->paired_hi;
	}
	(*count)++;
}

static void side_drop(struct remap_side *s, unsigned *count)
{
	(*count)--;
	if (!s->tx_pairs && !s->rx_pairs)
		s->paired_lo = s->paired_hi = 0;
}

/* ---- the pair table and its index ---- */

static unsigned key_bucket(const struct remap_side *s, uint64_t page)
{
	uint64_t h = ((uint64_t)(uintptr_t)s->ept ^ (page >> 12)) * 0x9e3779b97f4a7c15ULL;

	return (unsigned)(h >> 40) & (REMAP_HASH - 1);
}

static void index_reset(struct remapper *r)
{
	for (unsigned i = 0; i < REMAP_HASH; i++)
		r->bucket[i] = REMAP_NIL;
}

static const struct remap_side *node_side(const struct remap_pair *p, unsigned role)
{
	return role ? p->rx : p->tx;
}

static uint64_t node_page(const struct remap_pair *p, unsigned role)
{
	return role ? p->rx_gpa : p->tx_gpa;
}

static void index_add(struct remapper *r, unsigned pair)
{
	for (unsigned role = 0; role < 2; role++) {
		const struct remap_pair *p = &r->pair[pair];
		unsigned b = key_bucket(node_side(p, role), node_page(p, role));
		int node = (int)(2 * pair + role);

		r->next[node] = r->bucket[b];
		r->bucket[b] = (int16_t)node;
	}
}

static void index_del(struct remapper *r, unsigned pair)
{
	for (unsigned role = 0; role < 2; role++) {
		const struct remap_pair *p = &r->pair[pair];
		int16_t *link = &r->bucket[key_bucket(node_side(p, role), node_page(p, role))];
		int node = (int)(2 * pair + role);

		while (*link != REMAP_NIL && *link != node)
			link = &r->next[*link];
		if (*link == node)
			*link = r->next[node];
	}
}

/* The live pair holding (s, page) in either role, or -1: one bucket walk. */
static int pair_find(const struct remapper *r, const struct remap_side *s,
		     uint64_t page)
{
	if (!s || !s->ept)
		return -1;
	for (int n = r->bucket[key_bucket(s, page)]; n != REMAP_NIL; n = r->next[n]) {
		const struct remap_pair *p = &r->pair[n / 2];

		if (p->state == REMAP_PAIR_LIVE && node_page(p, (unsigned)n % 2) == page &&
		    same_guest(node_side(p, (unsigned)n % 2), s))
			return n / 2;
	}
	return -1;
}

static int pair_exact(const struct remapper *r, const struct remap_side *tx,
		      uint64_t tx_gpa, const struct remap_side *rx,
		      uint64_t rx_gpa)
{
	int i = pair_find(r, tx, tx_gpa);
	const struct remap_pair *p;

	if (i < 0)
		return -1;
	p = &r->pair[i];
	return p->tx_gpa == tx_gpa && p->rx_gpa == rx_gpa && same_guest(p->tx, tx) &&
	       same_guest(p->rx, rx) ? i : -1;
}

static int pair_free_slot(const struct remapper *r)
{
	unsigned i;

	for (i = 0; i < r->top; i++)
		if (r->pair[i].state == REMAP_PAIR_FREE)
			return (int)i;
	return r->top < REMAP_MAX_PAIRS ? (int)r->top : -1;
}

/* ---- operations: invalidation and deferred frees ---- */

static void op_begin(struct remap_op *op, struct remapper *r)
{
	op->r = r;
	op->n = 0;
	op->nstash = 0;
	op->dying = 0;
}

static bool op_has(const struct remap_op *op, const struct ept *ept)
{
	unsigned i;

	for (i = 0; i < op->n; i++)
		if (op->ept[i].ept == ept)
			return true;
	return false;
}

static void op_stash(struct remap_op *op, void *va, uint64_t hpa)
{
	op->stash[op->nstash].va = va;
	op->stash[op->nstash].hpa = hpa;
	op->nstash++;
}

static void op_free_pages(struct remap_op *op)
{
	struct remapper *r = op->r;
	struct remap_pair *p;
	unsigned i;

	for (i = 0; i < op->nstash; i++)
		r->ops->free_page(r->ops->ctx, op->stash[i].va,
				  op->stash[i].hpa);
	op->nstash = 0;
	if (!op->dying)
		return;
	for (i = 0; i < r->top; i++) {
		p = &r->pair[i];
		if (p->state != REMAP_PAIR_DYING)
			continue;
		r->ops->free_page(r->ops->ctx, p->shared_va, p->shared_hpa);
		memset(p, 0, sizeof(*p));
	}
	while (r->top && r->pair[r->top - 1].state == REMAP_PAIR_FREE)
		r->top--;
}

/* INVEPT every recorded EPT that changed, then give S pages back. */
static void op_flush(struct remap_op *op)
{
	struct remapper *r = op->r;
	struct ept *ept;
	unsigned i;

	for (i = 0; i < op->n; i++) {
		ept = op->ept[i].ept;
		if (ept->generation == op->ept[i].gen)
			continue;
		r->ops->invept(r->ops->ctx, ept);
		r->st.invepts++;
	}
	op->n = 0;
	op_free_pages(op);
}

static void op_add(struct remap_op *op, struct ept *ept)
{
	if (op_has(op, ept))
		return;
	op->ept[op->n].ept = ept;
	op->ept[op->n].gen = ept->generation;
	op->n++;
}

/* Record @a and @b before changing them; flush early if they do not fit. */
static void op_touch(struct remap_op *op, struct ept *a, struct ept *b)
{
	unsigned need = !op_has(op, a) + (b != a && !op_has(op, b));

	if (op->n + need > REMAP_FLUSH_MAX)
		op_flush(op);
	op_add(op, a);
	op_add(op, b);
}

/* ---- tearing a pair down ---- */

/*
 * Copy S into both own pages, map both GPAs back as they were, mark the
 * pair DYING (S is freed by op_flush). On failure the pair stays LIVE.
 */
static int pair_teardown(struct remap_op *op, unsigned i)
{
	struct remapper *r = op->r;
	struct remap_pair *p = &r->pair[i];
	uint64_t tx_own = own_hpa(p->tx, p->tx_gpa);
	uint64_t rx_own = own_hpa(p->rx, p->rx_gpa);
	void *tx_va = hpa_va(r, tx_own);
	void *rx_va = hpa_va(r, rx_own);
	int ret;

	if (!tx_va || !rx_va)
		return -XT_EFAULT;
	op_touch(op, p->tx->ept, p->rx->ept);
	memcpy(tx_va, p->shared_va, RM_PAGE);
	r->st.pages_copied++;
	if (!p->rx_closed) {		/* closed: rx never sees S */
		memcpy(rx_va, p->shared_va, RM_PAGE);
		r->st.pages_copied++;
	}
	ret = ept_map(p->tx->ept, p->tx_gpa, tx_own, RM_PAGE, p->tx_perms,
		      p->tx_memtype);
	if (!ret)
		ret = ept_map(p->rx->ept, p->rx_gpa, rx_own, RM_PAGE,
			      p->rx_perms, p->rx_memtype);
	if (ret)
		return ret;
	index_del(r, (unsigned)(p - r->pair));
	p->state = REMAP_PAIR_DYING;
	op->dying++;
	r->npairs--;
	side_drop(p->rx, &p->rx->rx_pairs);
	side_drop(p->tx, &p->tx->tx_pairs);
	r->st.unshares++;
	return 0;
}

typedef bool (*pair_match_fn)(const struct remap_pair *p,
			      const struct remap_side *a,
			      const struct remap_side *b);

/* Tear down every live pair @match accepts, as one operation. */
static unsigned unshare_matching(struct remapper *r, pair_match_fn match,
				 const struct remap_side *a,
				 const struct remap_side *b)
{
	struct remap_op op;
	unsigned i, n = 0;

	if (!remap_ready(r))
		return 0;
	op_begin(&op, r);
	for (i = 0; i < r->top; i++) {
		if (r->pair[i].state != REMAP_PAIR_LIVE ||
		    !match(&r->pair[i], a, b))
			continue;
		if (!pair_teardown(&op, i))
			n++;
	}
	op_flush(&op);
	return n;
}

/* ---- sharing ---- */

/*
 * The original mapping of @s's page @gpa: saved in its pair @k, or looked
 * up, and then it must be the side's own page, readable.
 */
static int page_orig(const struct remapper *r, const struct remap_side *s,
		     uint64_t gpa, int k, struct remap_orig *o)
{
	const struct remap_pair *p;
	uint64_t hpa;

	if (k >= 0) {
		p = &r->pair[k];
		if (p->tx_gpa == gpa && same_guest(p->tx, s)) {
			o->perms = p->tx_perms;
			o->memtype = p->tx_memtype;
		} else {
			o->perms = p->rx_perms;
			o->memtype = p->rx_memtype;
		}
		o->page_size = RM_PAGE;
		return 0;
	}
	if (ept_lookup(s->ept, gpa, &hpa, &o->perms, &o->memtype,
		       &o->page_size))
		return -XT_EINVAL;
	if (hpa != own_hpa(s, gpa) || !(o->perms & EPT_PTE_READ))
		return -XT_EINVAL;
	return 0;
}

static bool attach_busy(const struct remapper *r, const struct remap_plan *pl)
{
	return remap_phys_attached(r, pl->tx, pl->tx_gpa) ||
	       remap_phys_attached(r, pl->rx, pl->rx_gpa);
}

/* Checks that change nothing: -XT_EINVAL, -XT_EBUSY, -XT_ENOSPC. */
static int share_plan(struct remapper *r, struct remap_plan *pl)
{
	int ret;

	if (attach_busy(r, pl)) {
		r->st.busy_refusals++;
		return -XT_EBUSY;
	}
	pl->old_tx = pair_find(r, pl->tx, pl->tx_gpa);
	pl->old_rx = pair_find(r, pl->rx, pl->rx_gpa);
	ret = page_orig(r, pl->tx, pl->tx_gpa, pl->old_tx, &pl->otx);
	if (!ret)
		ret = page_orig(r, pl->rx, pl->rx_gpa, pl->old_rx, &pl->orx);
	if (ret)
		return ret;
	pl->tx_va = hpa_va(r, own_hpa(pl->tx, pl->tx_gpa));
	if (!pl->tx_va)
		return -XT_EFAULT;
	pl->slot = pair_free_slot(r);
	if (pl->slot < 0)
		pl->slot = pl->old_tx >= 0 ? pl->old_tx : pl->old_rx;
	return pl->slot < 0 ? -XT_ENOSPC : 0;
}

static int share_alloc(struct remapper *r, struct remap_plan *pl)
{
	const struct remap_ops *ops = r->ops;

	pl->s_hpa = 0;
	pl->s_va = ops->alloc_page(ops->ctx, &pl->s_hpa);
	if (!pl->s_va)
		return -XT_ENOMEM;
	if ((pl->s_hpa & RM_PAGE_MASK) || pl->s_hpa >= RM_HPA_LIMIT ||
	    ((uintptr_t)pl->s_va & RM_PAGE_MASK)) {
		ops->free_page(ops->ctx, pl->s_va, pl->s_hpa);
		return -XT_EFAULT;
	}
	return 0;
}

/* Give a 2 MiB-mapped page its own 4 KiB leaf, same translation. */
static int share_split(struct remap_op *op, const struct remap_side *s,
		       uint64_t gpa, const struct remap_orig *o)
{
	if (o->page_size == RM_PAGE)
		return 0;
	op_touch(op, s->ept, s->ept);
	return ept_map(s->ept, gpa, own_hpa(s, gpa), RM_PAGE, o->perms,
		       o->memtype);
}

static int share_teardown_old(struct remap_op *op,
			      const struct remap_plan *pl)
{
	int ret = 0;

	if (pl->old_tx >= 0)
		ret = pair_teardown(op, (unsigned)pl->old_tx);
	if (!ret && pl->old_rx >= 0 && pl->old_rx != pl->old_tx)
		ret = pair_teardown(op, (unsigned)pl->old_rx);
	return ret;
}

static void share_record(struct remap_op *op, const struct remap_plan *pl)
{
	struct remapper *r = op->r;
	struct remap_pair *p = &r->pair[pl->slot];

	if (p->state == REMAP_PAIR_DYING)	/* reusing an old pair's slot */
		op_stash(op, p->shared_va, p->shared_hpa);
	*p = (struct remap_pair){
		.state = REMAP_PAIR_LIVE,
		.tx = pl->tx, .rx = pl->rx,
		.tx_gpa = pl->tx_gpa, .rx_gpa = pl->rx_gpa,
		.shared_hpa = pl->s_hpa, .shared_va = pl->s_va,
		.tx_perms = pl->otx.perms, .rx_perms = pl->orx.perms,
		.tx_memtype = pl->otx.memtype, .rx_memtype = pl->orx.memtype,
		.uses = 1, .serial = r->st.shares + 1,
	};
	index_add(r, pl->slot);
	if ((unsigned)pl->slot >= r->top)
		r->top = (unsigned)pl->slot + 1;
	r->npairs++;
	side_add(pl->rx, &pl->rx->rx_pairs, pl->rx_gpa);
	side_add(pl->tx, &pl->tx->tx_pairs, pl->tx_gpa);
	r->st.shares++;
}

/* The part that does not fail (see the top of the file). */
static int share_commit(struct remap_op *op, const struct remap_plan *pl)
{
	struct remapper *r = op->r;
	int ret;

	ret = share_teardown_old(op, pl);
	if (ret) {
		op_stash(op, pl->s_va, pl->s_hpa);
		return ret;
	}
	share_record(op, pl);
	memcpy(pl->s_va, pl->tx_va, RM_PAGE);
	r->st.pages_copied++;
	op_touch(op, pl->tx->ept, pl->rx->ept);
	ret = ept_map(pl->tx->ept, pl->tx_gpa, pl->s_hpa, RM_PAGE,
		      pl->otx.perms, pl->otx.memtype);
	if (!ret)
		ret = ept_map(pl->rx->ept, pl->rx_gpa, pl->s_hpa, RM_PAGE,
			      RM_RX_PERMS, pl->orx.memtype);
	if (ret) {
		pair_teardown(op, (unsigned)pl->slot);
		return ret;
	}
	return pl->slot;
}

int remap_share(struct remapper *r, struct remap_side *tx, uint64_t tx_gpa,
		struct remap_side *rx, uint64_t rx_gpa)
{
	struct remap_plan pl = {
		.tx = tx, .rx = rx, .tx_gpa = tx_gpa, .rx_gpa = rx_gpa,
	};
	struct remap_op op;
	int ret;

	if (!remap_ready(r) || !side_ok(tx) || !side_ok(rx) ||
	    !page_ok(tx, tx_gpa) || !page_ok(rx, rx_gpa) ||
	    (same_guest(tx, rx) && tx_gpa == rx_gpa))
		return -XT_EINVAL;
	ret = pair_exact(r, tx, tx_gpa, rx, rx_gpa);
	if (ret >= 0) {
		r->pair[ret].uses++;
		return ret;
	}
	ret = share_plan(r, &pl);
	if (!ret)
		ret = share_alloc(r, &pl);
	if (ret)
		return ret;
	op_begin(&op, r);
	ret = share_split(&op, tx, tx_gpa, &pl.otx);
	if (!ret)
		ret = share_split(&op, rx, rx_gpa, &pl.orx);
	if (ret)
		op_stash(&op, pl.s_va, pl.s_hpa);
	else
		ret = share_commit(&op, &pl);
	op_flush(&op);
	return ret;
}

/* ---- public lookups and teardown ---- */

int remap_init(struct remapper *r, const struct remap_ops *ops)
{
	if (!r)
		return -XT_EINVAL;
	memset(r, 0, sizeof(*r));
	if (!ops || !ops->alloc_page || !ops->free_page ||
	    !ops->phys_to_virt || !ops->invept)
		return -XT_EINVAL;
	r->ops = ops;
	index_reset(r);
	return 0;
}

int remap_find(const struct remapper *r, const struct remap_side *s,
	       uint64_t gpa)
{
	if (!remap_ready(r) || !s)
		return -1;
	return pair_find(r, s, page_of(gpa));
}

bool remap_is_pair(const struct remapper *r, const struct remap_side *tx,
		   uint64_t tx_gpa, const struct remap_side *rx,
		   uint64_t rx_gpa)
{
	if (!remap_ready(r) || ((tx_gpa | rx_gpa) & RM_PAGE_MASK))
		return false;
	return pair_exact(r, tx, tx_gpa, rx, rx_gpa) >= 0;
}

void *remap_pair_page(const struct remapper *r, const struct remap_side *tx, uint64_t tx_gpa,
		      const struct remap_side *rx, uint64_t rx_gpa, int *index)
{
	int i;

	if (index)
		*index = -1;
	if (!remap_ready(r) || ((tx_gpa | rx_gpa) & RM_PAGE_MASK))
		return NULL;
	i = pair_exact(r, tx, tx_gpa, rx, rx_gpa);
	if (i < 0)
		return NULL;
	if (index)
		*index = i;
	return r->ops->phys_to_virt(r->ops->ctx, r->pair[i].shared_hpa);
}

bool remap_view(const struct remapper *r, const struct remap_side *s, uint64_t gpa,
		struct remap_view *v)
{
	uint64_t page = page_of(gpa);
	const struct remap_pair *p;
	int k;

	if (!remap_ready(r) || !r->npairs || !s)
		return false;
	k = pair_find(r, s, page);
	if (k < 0)
		return false;
	p = &r->pair[k];
	if (p->rx_gpa == page && same_guest(p->rx, s)) {
		if (p->rx_closed)
			return false;
		v->perms = RM_RX_PERMS;
	} else {
		v->perms = p->tx_locked ? p->tx_perms & ~EPT_PTE_WRITE : p->tx_perms;
	}
	v->va = p->shared_va;
	v->hpa = p->shared_hpa;
	return true;
}

/*
 * One page of a pair mapped at hpa: through its EPT entry, found once per
 * pair (views change per batch of frames: a walk each time would cost more
 * than the rest of the frame's handling).
 */
static int view_map(struct ept *ept, uint64_t **leaf, uint64_t gpa, uint64_t hpa,
		    uint64_t perms, unsigned memtype)
{
	if (!*leaf)
		*leaf = ept_leaf_4k(ept, gpa);
	if (!*leaf)
		return ept_map(ept, gpa, hpa, RM_PAGE, perms, memtype);
	return ept_set_leaf(ept, *leaf, hpa, perms, memtype);
}

/* One pair's views (see remap_set_views); the state follows each map that worked. */
static int pair_view(struct remap_op *op, unsigned i, bool rx_open, bool tx_locked)
{
	struct remap_pair *p = &op->r->pair[i];
	uint64_t tx_perms = tx_locked ? p->tx_perms & ~EPT_PTE_WRITE : p->tx_perms;
	int ret;

	/* Unlocking gives A's write right back to S: no INVEPT (ept_relax_leaf). */
	if (p->tx_locked && !tx_locked && p->tx_leaf &&
	    !ept_relax_leaf(p->tx->ept, p->tx_leaf, tx_perms)) {
		p->tx_locked = false;
	} else if (p->tx_locked != tx_locked) {
		op_touch(op, p->tx->ept, p->tx->ept);
		ret = view_map(p->tx->ept, &p->tx_leaf, p->tx_gpa, p->shared_hpa, tx_perms,
			       p->tx_memtype);
		if (ret)
			return ret;
		p->tx_locked = tx_locked;
	}
	if (p->rx_closed != rx_open)
		return 0;
	op_touch(op, p->rx->ept, p->rx->ept);
	ret = rx_open ? view_map(p->rx->ept, &p->rx_leaf, p->rx_gpa, p->shared_hpa, EPT_PTE_READ,
				 p->rx_memtype)
		      : view_map(p->rx->ept, &p->rx_leaf, p->rx_gpa, own_hpa(p->rx, p->rx_gpa),
				 p->rx_perms, p->rx_memtype);
	if (!ret)
		p->rx_closed = !rx_open;
	return ret;
}

int remap_set_views(struct remapper *r, const unsigned *pairs, unsigned n,
		    bool rx_open, bool tx_locked)
{
	struct remap_op op;
	int ret = 0, rc;

	if (!remap_ready(r) || (n && !pairs))
		return -XT_EINVAL;
	op_begin(&op, r);
	for (unsigned i = 0; i < n; i++) {
		if (pairs[i] >= REMAP_MAX_PAIRS || r->pair[pairs[i]].state != REMAP_PAIR_LIVE)
			rc = -XT_EINVAL;
		else
			rc = pair_view(&op, pairs[i], rx_open, tx_locked);
		if (rc && !ret)
			ret = rc;
	}
	op_flush(&op);
	return ret;
}

int remap_unshare(struct remapper *r, unsigned pair)
{
	struct remap_op op;
	int ret;

	if (!remap_ready(r) || pair >= REMAP_MAX_PAIRS ||
	    r->pair[pair].state != REMAP_PAIR_LIVE)
		return -XT_EINVAL;
	op_begin(&op, r);
	ret = pair_teardown(&op, pair);
	op_flush(&op);
	return ret;
}

static bool match_side(const struct remap_pair *p, const struct remap_side *a,
		       const struct remap_side *b)
{
	(void)b;
	return same_guest(p->tx, a) || same_guest(p->rx, a);
}

static bool match_between(const struct remap_pair *p,
			  const struct remap_side *a,
			  const struct remap_side *b)
{
	return (same_guest(p->tx, a) && same_guest(p->rx, b)) ||
	       (same_guest(p->tx, b) && same_guest(p->rx, a));
}

unsigned remap_unshare_side(struct remapper *r, const struct remap_side *s)
{
	return unshare_matching(r, match_side, s, NULL);
}

unsigned remap_unshare_between(struct remapper *r, const struct remap_side *a,
			       const struct remap_side *b)
{
	return unshare_matching(r, match_between, a, b);
}

/* The read-only side of pair p that s's page is: open rx, or locked tx. */
static bool cow_side(const struct remap_pair *p, const struct remap_side *s, uint64_t page)
{
	if (p->rx_gpa == page && same_guest(p->rx, s) && !p->rx_closed)
		return true;
	return p->tx_gpa == page && same_guest(p->tx, s) && p->tx_locked;
}

bool remap_cow_fault(struct remapper *r, const struct remap_side *s,
		     uint64_t gpa)
{
	uint64_t page = page_of(gpa);
	struct remap_op op;
	int k, ret;

	if (!remap_ready(r) || !side_ok(s) || page >= s->ram_size)
		return false;
	k = pair_find(r, s, page);
	if (k < 0 || !cow_side(&r->pair[k], s, page))
		return false;
	op_begin(&op, r);
	ret = pair_teardown(&op, (unsigned)k);
	op_flush(&op);
	if (ret)
		return false;
	r->st.cow_breaks++;
	return true;
}

/* ---- physical device attachment ---- */

static int attach_find(const struct remapper *r, const struct remap_side *s,
		       uint64_t page)
{
	unsigned i;

	for (i = 0; i < REMAP_MAX_ATTACH; i++)
		if (r->attach[i].side && r->attach[i].gpa == page &&
		    same_guest(r->attach[i].side, s))
			return (int)i;
	return -1;
}

static int attach_slot(const struct remapper *r, const struct remap_side *s,
		       uint64_t page)
{
	int i = attach_find(r, s, page);
	unsigned j;

	if (i >= 0)
		return r->attach[i].count == UINT32_MAX ? -XT_ENOSPC : i;
	for (j = 0; j < REMAP_MAX_ATTACH; j++)
		if (!r->attach[j].side)
			return (int)j;
	return -XT_ENOSPC;
}

int remap_phys_attach(struct remapper *r, const struct remap_side *s,
		      uint64_t gpa)
{
	uint64_t page = page_of(gpa);
	struct remap_op op;
	int slot, k, ret = 0;

	if (!remap_ready(r) || !side_ok(s) || page >= s->ram_size)
		return -XT_EINVAL;
	slot = attach_slot(r, s, page);
	if (slot < 0)
		return slot;
	k = pair_find(r, s, page);
	if (k >= 0) {
		op_begin(&op, r);
		ret = pair_teardown(&op, (unsigned)k);
		op_flush(&op);
		if (ret)
			return ret;
	}
	r->attach[slot].side = s;
	r->attach[slot].gpa = page;
	r->attach[slot].count++;
	return 0;
}

void remap_phys_detach(struct remapper *r, const struct remap_side *s,
		       uint64_t gpa)
{
	int i;

	if (!remap_ready(r) || !s)
		return;
	i = attach_find(r, s, page_of(gpa));
	if (i < 0)
		return;
	if (--r->attach[i].count == 0)
		memset(&r->attach[i], 0, sizeof(r->attach[i]));
}

bool remap_phys_attached(const struct remapper *r, const struct remap_side *s,
			 uint64_t gpa)
{
	if (!remap_ready(r) || !s)
		return false;
	return attach_find(r, s, page_of(gpa)) >= 0;
}

/* ---- dump ---- */

static uint64_t hpa_now(const struct remap_side *s, uint64_t gpa)
{
	uint64_t hpa;

	if (ept_lookup(s->ept, gpa, &hpa, NULL, NULL, NULL))
		return REMAP_NO_HPA;
	return hpa;
}

int remap_for_each(const struct remapper *r, remap_pair_fn fn, void *arg)
{
	const struct remap_pair *p;
	unsigned i;
	int ret;

	if (!remap_ready(r) || !fn)
		return 0;
	for (i = 0; i < r->top; i++) {
		p = &r->pair[i];
		if (p->state != REMAP_PAIR_LIVE)
			continue;
		ret = fn(arg, p, hpa_now(p->tx, p->tx_gpa),
			 hpa_now(p->rx, p->rx_gpa));
		if (ret)
			return ret;
	}
	return 0;
}
