// SPDX-License-Identifier: MIT
/*
 * Guest page-table walker. References are to the Intel SDM volume 3A,
 * chapter "Paging": "32-Bit Paging", "PAE Paging", "4-Level Paging and
 * 5-Level Paging", "Access Rights", "Page-Fault Exceptions" and "Accessed
 * and Dirty Flags".
 */
#include "vmm/emul/gpt_walk.h"

#include <stdbool.h>
#include <string.h>

#include "lib/xerrno.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1ull << PAGE_SHIFT)
#define MAX_LEVELS	5

struct walker {
	const struct gpt_mode *m;
	unsigned maxpa;		/* clamped MAXPHYADDR */
	unsigned access;	/* GPT_ACCESS_* */
	gpt_map_fn map;
	void *ctx;

	/* Entries used by the walk (their gpas), for the accessed/dirty update. */
	uint64_t ent[MAX_LEVELS];
	uint64_t val[MAX_LEVELS];
	unsigned n;
	bool wide;		/* 8-byte entries */

	/* Access rights combined over all levels ("Access Rights"). */
	bool rw, us, xd;

	/* Result: page frame and page size of the leaf. */
	uint64_t frame;
	unsigned page_shift;

	uint32_t fault;		/* PF_EC_P and PF_EC_RSVD part of the error code */
};

/* Mask of bits hi..lo (inclusive), 0 <= lo, hi <= 63; empty when hi < lo. */
static uint64_t bit_range(unsigned hi, unsigned lo)
{
	if (hi < lo)
		return 0;
	return (~0ull >> (63 - hi)) & (~0ull << lo);
}

static bool has(uint64_t reg, uint64_t bit)
{
	return (reg & bit) != 0;
}

/* Physical-address bits MAXPHYADDR-1..12 of an entry. */
static uint64_t addr_mask(const struct walker *w)
{
	return bit_range(w->maxpa - 1, PAGE_SHIFT);
}

static int walk_fault(struct walker *w, uint32_t code)
{
	w->fault = code;
	return -XT_EFAULT;
}

/* Map an entry; an entry outside guest RAM stops the guest (-XT_ERANGE). */
static void *map_entry(const struct walker *w, uint64_t ea, size_t size, bool write)
{
	void *p = w->map(w->ctx, ea, size, write);

	if (p && ((uintptr_t)p & (size - 1)))
		return NULL;
	return p;
}

static int read_entry64(struct walker *w, uint64_t ea, uint64_t *e, bool record)
{
	uint64_t *p = map_entry(w, ea, sizeof(*p), false);

	if (!p)
		return -XT_ERANGE;
	/* Another vCPU may be writing it: read once. */
	*e = __atomic_load_n(p, __ATOMIC_RELAXED);
	if (record && w->n < MAX_LEVELS) {
		w->ent[w->n] = ea;
		w->val[w->n] = *e;
		w->n++;
	}
	return 0;
}

static int read_entry32(struct walker *w, uint64_t ea, uint64_t *e)
{
	uint32_t *p = map_entry(w, ea, sizeof(*p), false);

	if (!p)
		return -XT_ERANGE;
	*e = __atomic_load_n(p, __ATOMIC_RELAXED);
	if (w->n < MAX_LEVELS) {
		w->ent[w->n] = ea;
		w->val[w->n] = *e;
		w->n++;
	}
	return 0;
}

/* Combine the access rights of one entry (R/W and U/S: all must allow; XD: any forbids). */
static void accumulate(struct walker *w, uint64_t e)
{
	w->rw = w->rw && has(e, PTE_RW);
	w->us = w->us && has(e, PTE_US);
	if (has(w->m->efer, X86_EFER_NXE) && w->wide)
		w->xd = w->xd || has(e, PTE_NX);
}

/*
 * Reserved bits of a present 64-bit entry at a level (1 = PTE ... 5 = PML5E).
 * In 4/5-level paging bits 51:MAXPHYADDR are reserved and 62:52 ignored; in
 * PAE paging bits 62:MAXPHYADDR are reserved. Bit 63 (XD) is reserved when
 * EFER.NXE = 0. PS is reserved in PML4Es/PML5Es, and the low address bits
 * of a large page (below the page size, above the PAT bit 12) must be 0.
 */
static uint64_t rsvd64(const struct walker *w, unsigned level, uint64_t e, bool lm)
{
	uint64_t r = bit_range(lm ? 51 : 62, w->maxpa);

	if (!has(w->m->efer, X86_EFER_NXE))
		r |= PTE_NX;
	if (level >= 4)
		r |= PTE_PS;
	else if (level == 3 && lm && has(e, PTE_PS))
		r |= bit_range(29, 13);
	else if (level == 2 && has(e, PTE_PS))
		r |= bit_range(20, 13);
	return r;
}

static bool is_leaf64(unsigned level, uint64_t e, bool lm)
{
	if (level == 1)
		return true;
	if (level == 2)
		return has(e, PTE_PS);
	return level == 3 && lm && has(e, PTE_PS);
}

/* Walk 64-bit-entry tables from `level` down (shared by PAE and 4/5-level). */
static int walk_tables64(struct walker *w, uint64_t table, unsigned level, uint64_t gva, bool lm)
{
	for (; level >= 1; level--) {
		unsigned shift = PAGE_SHIFT + 9 * (level - 1);
		uint64_t ea = table + (((gva >> shift) & 0x1ff) << 3);
		uint64_t e;
		int ret = read_entry64(w, ea, &e, true);

		if (ret)
			return ret;
		if (!has(e, PTE_P))
			return walk_fault(w, 0);
		if (e & rsvd64(w, level, e, lm))
			return walk_fault(w, PF_EC_P | PF_EC_RSVD);
		accumulate(w, e);
		if (is_leaf64(level, e, lm)) {
			w->page_shift = shift;
			w->frame = e & bit_range(w->maxpa - 1, shift);
			return 0;
		}
		table = e & addr_mask(w);
	}
	return -XT_EINVAL;	/* not reached: level 1 is always a leaf */
}

static bool canonical(uint64_t gva, unsigned bits)
{
	uint64_t top = gva >> (bits - 1);

	return top == 0 || top == (~0ull >> (bits - 1));
}

/* 4-level or 5-level paging: CR3[MAXPHYADDR-1:12] is the top table. */
static int walk_long(struct walker *w, uint64_t gva)
{
	bool la57 = has(w->m->cr4, X86_CR4_LA57);

	if (!has(w->m->cr4, X86_CR4_PAE))
		return -XT_EINVAL;
	if (!canonical(gva, la57 ? 57 : 48))
		return -XT_EINVAL;
	return walk_tables64(w, w->m->cr3 & addr_mask(w), la57 ? 5 : 4, gva, true);
}

/*
 * PAE paging: PDPTE i is at CR3[31:5] + 8 * i. A PDPTE has no R/W, U/S, XD
 * or accessed flag; bits 2:1, 8:5 and 63:MAXPHYADDR are reserved.
 */
static int walk_pae(struct walker *w, uint64_t gva)
{
	uint64_t base = w->m->cr3 & 0xffffffe0ull;
	uint64_t ea = base + (((gva >> 30) & 3) << 3);
	uint64_t e;
	int ret = read_entry64(w, ea, &e, false);

	if (ret)
		return ret;
	if (!has(e, PTE_P))
		return walk_fault(w, 0);
	if (e & (bit_range(63, w->maxpa) | bit_range(2, 1) | bit_range(8, 5)))
		return walk_fault(w, PF_EC_P | PF_EC_RSVD);
	return walk_tables64(w, e & addr_mask(w), 2, gva, false);
}

/*
 * 32-bit paging. A 4 MiB PDE (CR4.PSE = 1) holds physical bits 31:22 in
 * bits 31:22 and bits 39:32 (PSE-36, limited by MAXPHYADDR) in bits 20:13;
 * the remaining bits 21:13 are reserved. No other entry has reserved bits.
 */
static int walk_32(struct walker *w, uint64_t gva)
{
	unsigned hi_bits = (w->maxpa > 40 ? 40 : w->maxpa) - 32;
	uint64_t ea = (w->m->cr3 & 0xfffff000ull) + (((gva >> 22) & 0x3ff) << 2);
	uint64_t e;
	int ret = read_entry32(w, ea, &e);

	if (ret)
		return ret;
	if (!has(e, PTE_P))
		return walk_fault(w, 0);
	if (has(e, PTE_PS) && has(w->m->cr4, X86_CR4_PSE)) {
		if (e & bit_range(21, 13 + hi_bits))
			return walk_fault(w, PF_EC_P | PF_EC_RSVD);
		accumulate(w, e);
		w->page_shift = 22;
		w->frame = (e & 0xffc00000ull) | (((e >> 13) & ((1ull << hi_bits) - 1)) << 32);
		return 0;
	}
	accumulate(w, e);
	ea = (e & 0xfffff000ull) + (((gva >> PAGE_SHIFT) & 0x3ff) << 2);
	ret = read_entry32(w, ea, &e);
	if (ret)
		return ret;
	if (!has(e, PTE_P))
		return walk_fault(w, 0);
	accumulate(w, e);
	w->page_shift = PAGE_SHIFT;
	w->frame = e & 0xfffff000ull;
	return 0;
}

/* "Access Rights": returns PF_EC_P on a protection violation, else 0. */
static uint32_t check_rights(const struct walker *w)
{
	const struct gpt_mode *m = w->m;
	bool user = w->access & GPT_ACCESS_USER;

	if (user && !w->us)
		return PF_EC_P;
	if ((w->access & GPT_ACCESS_WRITE) && !w->rw && (user || has(m->cr0, X86_CR0_WP)))
		return PF_EC_P;
	if (w->access & GPT_ACCESS_FETCH) {
		if (w->xd)
			return PF_EC_P;
		if (!user && w->us && has(m->cr4, X86_CR4_SMEP))
			return PF_EC_P;
	} else if (!user && w->us && (w->access & GPT_ACCESS_SMAP) &&
		   has(m->cr4, X86_CR4_SMAP)) {
		return PF_EC_P;
	}
	return 0;
}

/* "Page-Fault Exceptions": I/D is reported only with SMEP or with PAE + NXE. */
static uint32_t error_code(const struct walker *w)
{
	const struct gpt_mode *m = w->m;
	uint32_t ec = w->fault;

	if (w->access & GPT_ACCESS_WRITE)
		ec |= PF_EC_W;
	if (w->access & GPT_ACCESS_USER)
		ec |= PF_EC_U;
	if ((w->access & GPT_ACCESS_FETCH) &&
	    (has(m->cr4, X86_CR4_SMEP) ||
	     (has(m->cr4, X86_CR4_PAE) && has(m->efer, X86_EFER_NXE))))
		ec |= PF_EC_I;
	return ec;
}

/*
 * The flags are a write into the entry's page, mapped for writing only now
 * (SDM 3C, "EPT Violations": EPT treats these updates as writes). A page the
 * guest may only read gets its own copy first, or is refused: -XT_EPERM.
 */
static int or_entry(const struct walker *w, unsigned i, uint64_t bits)
{
	void *p = map_entry(w, w->ent[i], w->wide ? 8 : 4, true);

	if (!p)
		return -XT_EPERM;
	if (w->wide)
		__atomic_fetch_or((uint64_t *)p, bits, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_or((uint32_t *)p, (uint32_t)bits, __ATOMIC_SEQ_CST);
	return 0;
}

/* "Accessed and Dirty Flags": A in every entry used, D in the leaf for writes. */
static int set_accessed_dirty(const struct walker *w)
{
	for (unsigned i = 0; i < w->n; i++) {
		uint64_t want = PTE_A;
		int ret;

		if (i + 1 == w->n && (w->access & GPT_ACCESS_WRITE))
			want |= PTE_D;
		if ((w->val[i] & want) == want)
			continue;
		ret = or_entry(w, i, want);
		if (ret)
			return ret;
	}
	return 0;
}

static int walk_paging(struct walker *w, uint64_t gva)
{
	const struct gpt_mode *m = w->m;

	if (has(m->efer, X86_EFER_LMA))
		return walk_long(w, gva);
	if (has(m->cr4, X86_CR4_PAE))
		return walk_pae(w, gva);
	return walk_32(w, gva);
}

/* Linear addresses are 32 bits wide outside long mode. */
static uint64_t linear(const struct gpt_mode *m, uint64_t gva)
{
	return has(m->efer, X86_EFER_LMA) ? gva : (uint32_t)gva;
}

static unsigned clamp_maxpa(unsigned maxphyaddr)
{
	if (maxphyaddr < 32)
		return 32;
	return maxphyaddr > 52 ? 52 : maxphyaddr;
}

static int translate(const struct gpt_mode *m, unsigned maxpa, uint64_t gva, unsigned access,
		     gpt_map_fn map, void *ctx, bool update_ad, uint64_t *gpa, uint32_t *pf_error)
{
	struct walker w = {
		.m = m, .maxpa = clamp_maxpa(maxpa), .access = access, .map = map, .ctx = ctx,
		.rw = true, .us = true,
	};
	int ret;

	*pf_error = 0;
	gva = linear(m, gva);
	if (!has(m->cr0, X86_CR0_PG)) {
		*gpa = gva;
		return 0;
	}
	w.wide = has(m->efer, X86_EFER_LMA) || has(m->cr4, X86_CR4_PAE);
	ret = walk_paging(&w, gva);
	if (!ret)
		w.fault = check_rights(&w);
	if (!ret && w.fault)
		ret = -XT_EFAULT;
	if (ret == -XT_EFAULT) {
		*pf_error = error_code(&w);
		return ret;
	}
	if (!ret && update_ad)
		ret = set_accessed_dirty(&w);
	if (ret)
		return ret;
	*gpa = w.frame | (gva & bit_range(w.page_shift - 1, 0));
	return 0;
}

int gpt_walk(const struct gpt_mode *m, unsigned maxphyaddr, uint64_t gva, unsigned access,
	     gpt_map_fn map, void *ctx, uint64_t *gpa, uint32_t *pf_error)
{
	if (!m || !map || !gpa || !pf_error)
		return -XT_EINVAL;
	return translate(m, maxphyaddr, gva, access, map, ctx, true, gpa, pf_error);
}

struct xfer {
	const struct gpt_mode *m;
	unsigned maxpa;
	unsigned access;
	gpt_map_fn map;
	void *ctx;
	uint32_t *pf_error;
	uint64_t *fault_gva;
	bool write;		/* data pages are mapped for writing */
};

/* The data page at gpa, for reading or writing: -XT_ERANGE when it is not
 * RAM, -XT_EPERM when the guest may only read it (and map refused). */
static int map_data(const struct xfer *x, uint64_t gpa, size_t n, void **p)
{
	*p = x->map(x->ctx, gpa, n, x->write);
	if (*p)
		return 0;
	return x->write && x->map(x->ctx, gpa, n, false) ? -XT_EPERM : -XT_ERANGE;
}

/*
 * Walk [gva, gva + len) page by page. With `in` copy guest -> in, with `out`
 * copy out -> guest, with neither only translate and check for RAM.
 */
static int xfer_pages(const struct xfer *x, uint64_t gva, uint8_t *in, const uint8_t *out,
		      size_t len, bool update_ad)
{
	while (len) {
		uint64_t lin = linear(x->m, gva), gpa;
		size_t off = lin & (PAGE_SIZE - 1);
		size_t n = len < PAGE_SIZE - off ? len : PAGE_SIZE - off;
		void *p = NULL;
		int ret = translate(x->m, x->maxpa, lin, x->access, x->map, x->ctx, update_ad,
				    &gpa, x->pf_error);

		if (!ret)
			ret = map_data(x, gpa, n, &p);
		if (ret) {
			*x->fault_gva = lin;
			return ret;
		}
		if (in) {
			memcpy(in, p, n);
			in += n;
		} else if (out) {
			memcpy(p, out, n);
			out += n;
		}
		gva += n;
		len -= n;
	}
	return 0;
}

static bool xfer_args_ok(const struct gpt_mode *m, const void *buf, size_t len, gpt_map_fn map,
			 const uint32_t *pf_error, const uint64_t *fault_gva)
{
	return m && map && pf_error && fault_gva && (buf || !len);
}

int gpt_read(const struct gpt_mode *m, unsigned maxphyaddr, uint64_t gva, void *buf, size_t len,
	     unsigned access, gpt_map_fn map, void *ctx, uint32_t *pf_error, uint64_t *fault_gva)
{
	struct xfer x = { m, maxphyaddr, access, map, ctx, pf_error, fault_gva, false };

	if (!xfer_args_ok(m, buf, len, map, pf_error, fault_gva))
		return -XT_EINVAL;
	*pf_error = 0;
	*fault_gva = 0;
	return xfer_pages(&x, gva, buf, NULL, len, true);
}

int gpt_write(const struct gpt_mode *m, unsigned maxphyaddr, uint64_t gva, const void *buf,
	      size_t len, unsigned access, gpt_map_fn map, void *ctx, uint32_t *pf_error,
	      uint64_t *fault_gva)
{
	struct xfer x = { m, maxphyaddr, access | GPT_ACCESS_WRITE, map, ctx, pf_error, fault_gva,
			  true };
	int ret;

	if (!xfer_args_ok(m, buf, len, map, pf_error, fault_gva))
		return -XT_EINVAL;
	*pf_error = 0;
	*fault_gva = 0;
	/* Check every page first so that a fault on a later page writes nothing. */
	ret = xfer_pages(&x, gva, NULL, NULL, len, false);
	if (ret)
		return ret;
	return xfer_pages(&x, gva, NULL, buf, len, true);
}
