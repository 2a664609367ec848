/* SPDX-License-Identifier: MIT */
/* Guest memory with the guest's own EPT permissions (see gmem.h). */
#include "ept/gmem.h"

#include <stddef.h>
#include <string.h>

#include "ept/ept_defs.h"
#include "lib/xerrno.h"

#define GM_PAGE		EPT_PAGE_SIZE
#define GM_PAGE_MASK	(EPT_PAGE_SIZE - 1)

void gmem_init(struct gmem *m, uint8_t *ram, uint64_t size)
{
	*m = (struct gmem){ .ram = ram, .size = size };
}

void gmem_attach(struct gmem *m, struct remapper *rm, const struct remap_side *side)
{
	m->rm = rm;
	m->side = side;
}

static bool in_ram(const struct gmem *m, uint64_t gpa, uint64_t len)
{
	return len && gpa < m->size && len <= m->size - gpa;
}

static bool nothing_shared(const struct gmem *m)
{
	return !m->rm || !m->rm->npairs;
}

/* A write where the guest may only read (see gmem.h): copy on write for
 * the CPU's writes, as the EPT violation would; refused otherwise. */
static int read_only(struct gmem *m, uint64_t page, enum gmem_access a, uint8_t **va)
{
	struct remap_view v;

	if (a == GMEM_WRITE && remap_cow_fault(m->rm, m->side, page) &&
	    !remap_view(m->rm, m->side, page, &v)) {
		m->st.cow_breaks++;
		*va = m->ram + page;
		return 0;
	}
	m->st.refused++;
	return -XT_EPERM;
}

/* The page @page as the guest may reach it with @a: *va is its first byte. */
static int page_at(struct gmem *m, uint64_t page, enum gmem_access a, uint8_t **va)
{
	uint64_t need = a == GMEM_READ ? EPT_PTE_READ : EPT_PTE_WRITE;
	struct remap_view v;

	if (nothing_shared(m) || !remap_view(m->rm, m->side, page, &v)) {
		*va = m->ram + page;
		return 0;
	}
	if (!(v.perms & need))
		return read_only(m, page, a, va);
	*va = v.va;
	return 0;
}

/* Append the piece at va to seg[], merged with the last one when adjacent in host memory. */
static bool seg_add(struct gmem_seg *seg, unsigned max, unsigned *n, uint8_t *va, uint64_t gpa,
		    uint64_t len)
{
	if (*n && seg[*n - 1].va + seg[*n - 1].len == va) {
		seg[*n - 1].len += len;
		return true;
	}
	if (*n == max)
		return false;
	seg[(*n)++] = (struct gmem_seg){ va, gpa, len };
	return true;
}

/* One page at a time; past max pieces the rest is still checked (a refused
 * write is counted and reported as such). */
static int resolve_pass(struct gmem *m, uint64_t gpa, uint64_t len, enum gmem_access a,
			struct gmem_seg *seg, unsigned max, unsigned *n)
{
	uint64_t end = gpa + len;
	int ret = 0;

	*n = 0;
	while (gpa < end) {
		uint64_t next = (gpa | GM_PAGE_MASK) + 1;
		uint64_t chunk = (next < end ? next : end) - gpa;
		uint8_t *va;
		int rc = page_at(m, gpa & ~GM_PAGE_MASK, a, &va);

		if (rc)
			return rc;
		if (!ret && !seg_add(seg, max, n, va + (gpa & GM_PAGE_MASK), gpa, chunk))
			ret = -XT_E2BIG;
		gpa += chunk;
	}
	return ret;
}

static int resolve(struct gmem *m, uint64_t gpa, uint64_t len, enum gmem_access a,
		   struct gmem_seg *seg, unsigned max, unsigned *n)
{
	uint64_t cows = m->st.cow_breaks;
	int ret;

	if (!in_ram(m, gpa, len))
		return -XT_EFAULT;
	ret = resolve_pass(m, gpa, len, a, seg, max, n);
	/* A copy on write frees a shared page, which an earlier piece may have
	 * pointed into (a pair of two pages of this guest): once more, now
	 * that no page of the range needs one. */
	if (m->st.cow_breaks != cows && ret != -XT_EPERM)
		ret = resolve_pass(m, gpa, len, a, seg, max, n);
	return ret;
}

/* Whether a page of [gpa, gpa + len) is in a live pair: one index lookup
 * per page, cheaper than resolving the range piece by piece. */
static bool range_paired(const struct gmem *m, uint64_t gpa, uint64_t len)
{
	for (uint64_t page = gpa & ~GM_PAGE_MASK; page < gpa + len; page += GM_PAGE)
		if (remap_find(m->rm, m->side, page) >= 0)
			return true;
	return false;
}

int gmem_map(struct gmem *m, uint64_t gpa, uint64_t len, enum gmem_access a, void **p)
{
	struct gmem_seg seg;
	unsigned n;
	int ret;

	/* The common case: nothing of the range is shared (the pairs the
	 * machine has are elsewhere: in other guests, or outside the range
	 * this guest's pairs are in): the guest's own RAM. */
	if (in_ram(m, gpa, len) && (nothing_shared(m) || !remap_side_may_pair(m->side, gpa, len) ||
				    !range_paired(m, gpa, len))) {
		*p = m->ram + gpa;
		return 0;
	}
	ret = resolve(m, gpa, len, a, &seg, 1, &n);
	if (ret)
		return ret == -XT_E2BIG ? -XT_ERANGE : ret;
	*p = seg.va;
	return 0;
}

int gmem_segs(struct gmem *m, uint64_t gpa, uint64_t len, enum gmem_access a,
	      struct gmem_seg *seg, unsigned max)
{
	unsigned n;
	int ret = resolve(m, gpa, len, a, seg, max, &n);

	return ret ? ret : (int)n;
}

void *gmem_cpu_map(void *ctx, uint64_t gpa, size_t len, bool write)
{
	void *p;

	return gmem_map(ctx, gpa, len, write ? GMEM_WRITE : GMEM_READ, &p) ? NULL : p;
}

/* Page by page: copy guest -> in, or out -> guest, or with neither only check. */
static int copy_pages(struct gmem *m, uint64_t gpa, uint8_t *in, const uint8_t *out,
		      uint64_t len, enum gmem_access a)
{
	uint64_t end = gpa + len;

	while (gpa < end) {
		uint64_t next = (gpa | GM_PAGE_MASK) + 1;
		uint64_t chunk = (next < end ? next : end) - gpa;
		uint8_t *va;
		int rc = page_at(m, gpa & ~GM_PAGE_MASK, a, &va);

		if (rc)
			return rc;
		va += gpa & GM_PAGE_MASK;
		if (in)
			memcpy(in + (len - (end - gpa)), va, chunk);
		else if (out)
			memcpy(va, out + (len - (end - gpa)), chunk);
		gpa += chunk;
	}
	return 0;
}

int gmem_read(struct gmem *m, uint64_t gpa, void *buf, uint64_t len)
{
	if (!in_ram(m, gpa, len))
		return -XT_EFAULT;
	return copy_pages(m, gpa, buf, NULL, len, GMEM_READ);
}

int gmem_write(struct gmem *m, uint64_t gpa, const void *buf, uint64_t len,
	       enum gmem_access a)
{
	int ret;

	if (a == GMEM_READ)
		return -XT_EINVAL;
	if (!in_ram(m, gpa, len))
		return -XT_EFAULT;
	/* Every page first (copies on write included): a refusal writes nothing. */
	ret = copy_pages(m, gpa, NULL, NULL, len, a);
	return ret ? ret : copy_pages(m, gpa, NULL, buf, len, a);
}
