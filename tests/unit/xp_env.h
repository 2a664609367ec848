/* SPDX-License-Identifier: MIT */
/*
 * The cross-talk test environment, shared by tests/unit/test_xpath.c and
 * tests/fuzz/fuzz_xpath.c: fake guests with RAM at their own fake
 * host-physical base inside one host arena (which also holds the
 * remapper's S pages), an EPT each, a struct remap_side and a real e1000
 * whose dma_map translates GPAs through the guest's EPT (like
 * guest_ram_ptr), wired to the real detector, remapper and data path as
 * vmm/net/nic.c and vmm/net/netpath.c wire them; a fake physical NIC; the guests'
 * memory seen through their EPTs (a write to a read-only page goes through
 * xp_cow_fault, as the VMM's EPT violation handler does). The remapper's
 * fakes check that S pages are freed only after every EPT change was
 * invalidated, and poison freed S pages.
 *
 * Every page of the host arena and of the EPT tables the code can reach is
 * marked in host_dirty / t_dirty when a pointer to it is handed out
 * (host_va, g_dma, s_alloc, t_alloc, t_virt; own marks the page it points
 * into): the fuzzer restores only those pages between inputs (see the
 * snapshot in tests/fuzz/fuzz_xpath.c).
 *
 * The includer defines XP_CHECK(cond) and XP_FAIL(fmt, ...) (cmocka asserts,
 * or abort() in the fuzzer) and may shrink RAM_SIZE, NG_MAX, S_PAGES and
 * TABLE_PAGES first, and may define XP_ENV_FN, put before the fake
 * machine's functions (memory, allocators, physical NIC, e1000 ops, the
 * guests' view of their memory): the fuzzer compiles them without coverage.
 */
#ifndef XTALK_TESTS_XP_ENV_H
#define XTALK_TESTS_XP_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crosstalk/detector.h"
#include "crosstalk/xpath.h"
#include "devices/e1000.h"
#include "devices/e1000_regs.h"
#include "ept/ept.h"
#include "ept/remap.h"
#include "lib/xerrno.h"

#define PAGE		0x1000ULL
#ifndef XP_ENV_FN
#define XP_ENV_FN
#endif
#ifndef RAM_SIZE
#define RAM_SIZE	(2ULL << 20)
#endif
#ifndef NG_MAX
#define NG_MAX		12
#endif
#define HOST_HPA	0x100000000ULL			/* guest i: HOST_HPA + i * RAM_SIZE */
#ifndef S_PAGES
#define S_PAGES		(REMAP_MAX_PAIRS + 16)
#endif
#define S_HPA		(HOST_HPA + NG_MAX * RAM_SIZE)
#define HOST_SIZE	(NG_MAX * RAM_SIZE + S_PAGES * PAGE)
#define HOST_PAGES	(HOST_SIZE / PAGE)
#define TABLE_HPA	0x70000000ULL
#ifndef TABLE_PAGES
#define TABLE_PAGES	512
#endif
#define TEST_MAX_GPA	(1ULL << 32)
#define RWX		(EPT_PTE_READ | EPT_PTE_WRITE | EPT_PTE_EXEC)
#define POISON		0xa5
#ifndef PH_MAX
#define PH_MAX		1024u
#endif

struct guest {
	struct e1000 nic;
	uint8_t bounce[E1000_MAX_FRAME_JUMBO];
	uint8_t mac[6];
	unsigned port;
	struct ept ept;
	struct remap_side side;
	uint64_t ram_hpa;
	uint64_t flushed_gen;
	unsigned invepts;
	bool irq;
	unsigned irq_raised;
	unsigned errors[E1000_ERR_COUNT];
	/* The driver's view of its rings. */
	unsigned tx_n, rx_n;
	uint32_t tx_buf, rx_buf;
	uint32_t tdt, tx_clean;
	uint32_t rx_next, rdt;
	bool secrc;
};

struct phys_frame {
	bool copy;
	bool done;
	uint64_t cookie;
	unsigned nseg;
	struct xp_seg seg[XP_PHYS_SEGS];
	uint32_t len;
	uint8_t data[2048];
};

struct env {
	uint8_t *host;			/* HOST_SIZE bytes at HOST_HPA */
	uint64_t host_dirty[(HOST_PAGES + 63) / 64];	/* bit i: page i of host handed out */
	uint64_t t_dirty[(TABLE_PAGES + 63) / 64];	/* bit i: table page i handed out */
	bool s_used[S_PAGES];
	unsigned s_allocs, s_frees;
	uint8_t *tables;
	bool t_used[TABLE_PAGES];
	struct ept_ops eops;
	struct remap_ops rops;
	struct xp_phys_ops pops;
	struct xt_detector det;
	struct remapper rm;
	struct xpath xp;
	struct guest g[NG_MAX];
	unsigned ng;
	unsigned cow_faults;		/* driver writes that hit a read-only page */
	/* The fake physical NIC. */
	struct phys_frame ph[PH_MAX];
	unsigned nph;
	unsigned ph_eagain;		/* calls left that return -XT_EAGAIN (~0u: all) */
	unsigned ph_calls;
	unsigned logs;
};

static struct env *E;

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t unknown_mac[6] = { 0x52, 0x54, 0x00, 0xee, 0xee, 0xee };

/* ---------------------------------------------------------- host memory */

XP_ENV_FN static inline void mark_dirty(uint64_t *mask, uint64_t page)
{
	mask[page / 64] |= 1ULL << (page % 64);
}

/* Host pages [hpa, hpa + len) may be written through a pointer handed out. */
XP_ENV_FN static inline void host_dirty(uint64_t hpa, uint64_t len)
{
	for (uint64_t p = (hpa - HOST_HPA) / PAGE; p <= (hpa - HOST_HPA + (len ? len - 1 : 0)) / PAGE; p++)
		mark_dirty(E->host_dirty, p);
}

XP_ENV_FN static inline void *host_va(uint64_t hpa)
{
	if (hpa < HOST_HPA || hpa >= HOST_HPA + HOST_SIZE)
		XP_FAIL("hpa %#llx outside the host arena", (unsigned long long)hpa);
	if (hpa >= S_HPA && !E->s_used[(hpa - S_HPA) / PAGE])
		XP_FAIL("hpa %#llx: S page not live", (unsigned long long)hpa);
	host_dirty(hpa, 1);
	return E->host + (hpa - HOST_HPA);
}

XP_ENV_FN static inline void *s_alloc(void *ctx, uint64_t *hpa)
{
	(void)ctx;
	for (unsigned i = 0; i < S_PAGES; i++) {
		if (E->s_used[i])
			continue;
		E->s_used[i] = true;
		E->s_allocs++;
		*hpa = S_HPA + i * PAGE;
		host_dirty(*hpa, PAGE);
		memset(E->host + (*hpa - HOST_HPA), 0, PAGE);
		return E->host + (*hpa - HOST_HPA);
	}
	return NULL;
}

/* S goes back only once every EPT change was invalidated. */
XP_ENV_FN static inline void s_free(void *ctx, void *va, uint64_t hpa)
{
	(void)ctx;
	XP_CHECK(hpa >= S_HPA && hpa < S_HPA + S_PAGES * PAGE);
	XP_CHECK((va) == (host_va(hpa)));
	for (unsigned i = 0; i < E->ng; i++)
		XP_CHECK((E->g[i].ept.generation) == (E->g[i].flushed_gen));
	memset(va, POISON, PAGE);
	E->s_used[(hpa - S_HPA) / PAGE] = false;
	E->s_frees++;
}

XP_ENV_FN static inline void *rm_virt(void *ctx, uint64_t hpa)
{
	(void)ctx;
	return host_va(hpa);
}

XP_ENV_FN static inline void fake_invept(void *ctx, struct ept *ept)
{
	(void)ctx;
	for (unsigned i = 0; i < E->ng; i++) {
		struct guest *g = &E->g[i];

		if (ept != &g->ept)
			continue;
		XP_CHECK(ept->generation != g->flushed_gen);
		g->flushed_gen = ept->generation;
		g->invepts++;
		return;
	}
	XP_FAIL("invept of an unknown EPT");
}

XP_ENV_FN static inline void *t_alloc(void *ctx, uint64_t *hpa)
{
	(void)ctx;
	for (unsigned i = 0; i < TABLE_PAGES; i++) {
		if (E->t_used[i])
			continue;
		E->t_used[i] = true;
		mark_dirty(E->t_dirty, i);
		*hpa = TABLE_HPA + i * PAGE;
		memset(E->tables + i * PAGE, 0, PAGE);
		return E->tables + i * PAGE;
	}
	return NULL;
}

XP_ENV_FN static inline void t_free(void *ctx, void *va, uint64_t hpa)
{
	(void)ctx;
	(void)va;
	E->t_used[(hpa - TABLE_HPA) / PAGE] = false;
}

XP_ENV_FN static inline void *t_virt(void *ctx, uint64_t hpa)
{
	(void)ctx;
	if (hpa < TABLE_HPA || hpa >= TABLE_HPA + TABLE_PAGES * PAGE ||
	    !E->t_used[(hpa - TABLE_HPA) / PAGE])
		XP_FAIL("hpa %#llx: not a live table", (unsigned long long)hpa);
	mark_dirty(E->t_dirty, (hpa - TABLE_HPA) / PAGE);
	return E->tables + (hpa - TABLE_HPA);
}

/* ---------------------------------------------------------- the physical NIC */

XP_ENV_FN static inline struct phys_frame *ph_record(bool copy, uint64_t cookie)
{
	struct phys_frame *p;

	XP_CHECK(E->nph < PH_MAX);
	p = &E->ph[E->nph++];
	memset(p, 0, sizeof(*p));
	p->copy = copy;
	p->cookie = cookie;
	return p;
}

XP_ENV_FN static inline int ph_xmit(void *ctx, const struct xp_seg *segs, unsigned nseg, uint64_t cookie)
{
	struct phys_frame *p;

	(void)ctx;
	E->ph_calls++;
	/* Busy when asked to be, and when its record of sent frames is full
	 * (one TDT write may release a TSO packet of many frames). */
	if (E->ph_eagain || E->nph >= PH_MAX) {
		if (E->ph_eagain && E->ph_eagain != ~0u)
			E->ph_eagain--;
		return -XT_EAGAIN;
	}
	XP_CHECK(nseg >= 1 && nseg <= XP_PHYS_SEGS);
	p = ph_record(false, cookie);
	p->nseg = nseg;
	for (unsigned i = 0; i < nseg; i++) {
		/* Each segment inside one host page. */
		XP_CHECK(segs[i].len > 0);
		XP_CHECK((segs[i].hpa & (PAGE - 1)) + segs[i].len <= PAGE);
		XP_CHECK(p->len + segs[i].len <= sizeof(p->data));
		p->seg[i] = segs[i];
		memcpy(p->data + p->len, host_va(segs[i].hpa), segs[i].len);
		p->len += segs[i].len;
	}
	return 0;
}

XP_ENV_FN static inline int ph_xmit_copy(void *ctx, const uint8_t *data, uint32_t len, uint64_t cookie)
{
	struct phys_frame *p;

	(void)ctx;
	E->ph_calls++;
	/* Busy when asked to be, and when its record of sent frames is full
	 * (one TDT write may release a TSO packet of many frames). */
	if (E->ph_eagain || E->nph >= PH_MAX) {
		if (E->ph_eagain && E->ph_eagain != ~0u)
			E->ph_eagain--;
		return -XT_EAGAIN;
	}
	XP_CHECK(len <= sizeof(p->data));
	p = ph_record(true, cookie);
	p->len = len;
	memcpy(p->data, data, len);
	return 0;
}

/* ---------------------------------------------------------- e1000 ops */

XP_ENV_FN static inline void *g_dma(void *ctx, uint64_t gpa, uint64_t len)
{
	struct guest *g = ctx;
	uint64_t first, hpa, psize, next;

	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	if (ept_lookup(&g->ept, gpa, &first, NULL, NULL, &psize))
		return NULL;
	for (next = (gpa | (psize - 1)) + 1; next < gpa + len; next += psize)
		if (ept_lookup(&g->ept, next, &hpa, NULL, NULL, &psize) || hpa != first + (next - gpa))
			return NULL;
	host_dirty(first, len);
	return host_va(first);
}

/* As vmm/net/nic.c: memory the device writes must be writable by the guest. */
XP_ENV_FN static inline void *g_dma_rw(void *ctx, uint64_t gpa, uint64_t len)
{
	struct guest *g = ctx;
	uint64_t hpa, perms, psize;

	/* g_dma refuses these too; gpa + len must not wrap in the loop (a
	 * descriptor address near 2^64 made it walk ~2^52 pages). */
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	for (uint64_t p = gpa & ~(PAGE - 1); p < gpa + len; p += PAGE)
		if (p < RAM_SIZE && (ept_lookup(&g->ept, p, &hpa, &perms, NULL, &psize) ||
				     !(perms & EPT_PTE_WRITE)))
			return NULL;
	return g_dma(ctx, gpa, len);
}

/* As vmm/net/nic.c: ring mappings stay valid until the guest's EPT changes. */
XP_ENV_FN static inline uint64_t g_epoch(void *ctx)
{
	return ((struct guest *)ctx)->ept.generation;
}

XP_ENV_FN static inline void g_irq(void *ctx, bool level)
{
	struct guest *g = ctx;

	XP_CHECK(level != g->irq);
	g->irq = level;
	if (level)
		g->irq_raised++;
}

XP_ENV_FN static inline void g_tx_kick(void *ctx)
{
	xp_tx(&E->xp, ((struct guest *)ctx)->port);
}

XP_ENV_FN static inline void g_rx_kick(void *ctx)
{
	xp_rx_ready(&E->xp, ((struct guest *)ctx)->port);
}

XP_ENV_FN static inline void g_reset(void *ctx)
{
	xp_port_reset(&E->xp, ((struct guest *)ctx)->port);
}

XP_ENV_FN static inline void g_disabled(void *ctx, bool tx)
{
	(void)tx;
	xp_port_reset(&E->xp, ((struct guest *)ctx)->port);
}

XP_ENV_FN static inline void g_error(void *ctx, enum e1000_err e, uint64_t detail)
{
	struct guest *g = ctx;

	(void)detail;
	XP_CHECK((unsigned)e < E1000_ERR_COUNT);
	g->errors[e]++;
}

static const struct e1000_ops g_ops = {
	.dma_map = g_dma,
	.set_irq = g_irq,
	.tx_kick = g_tx_kick,
	.rx_kick = g_rx_kick,
	.reset = g_reset,
	.disabled = g_disabled,
	.error = g_error,
	.dma_epoch = g_epoch,
	.dma_map_rw = g_dma_rw,
};

static inline void xp_logger(void *ctx, const char *what, unsigned a, unsigned b, uint64_t ga, uint64_t gb)
{
	(void)ctx;
	(void)a;
	(void)b;
	(void)ga;
	(void)gb;
	XP_CHECK((what) != NULL);
	E->logs++;
}

/* ---------------------------------------------------------- environment */

/* A fresh environment in E's memory (allocated by env_new). */
static inline void env_init(bool zerocopy, bool phys)
{
	uint8_t *host = E->host, *tables = E->tables;

	memset(E, 0, sizeof(*E));
	E->host = host;
	E->tables = tables;
	memset(E->host, 0, HOST_SIZE);
	memset(E->tables, 0, TABLE_PAGES * PAGE);
	memset(E->host + NG_MAX * RAM_SIZE, POISON, S_PAGES * PAGE);
	E->eops = (struct ept_ops){ t_alloc, t_free, t_virt, NULL };
	E->rops = (struct remap_ops){ s_alloc, s_free, rm_virt, fake_invept, NULL };
	E->pops = (struct xp_phys_ops){ ph_xmit, ph_xmit_copy, NULL };
	xt_det_init(&E->det);
	XP_CHECK((remap_init(&E->rm, &E->rops)) == (0));
	xp_init(&E->xp, &E->det, &E->rm, phys ? &E->pops : NULL, zerocopy);
	E->xp.log = xp_logger;
}

static inline void env_new(bool zerocopy, bool phys)
{
	E = calloc(1, sizeof(*E));
	XP_CHECK((E) != NULL);
	E->host = aligned_alloc(PAGE, HOST_SIZE);
	E->tables = aligned_alloc(PAGE, TABLE_PAGES * PAGE);
	XP_CHECK((E->host) != NULL);
	XP_CHECK((E->tables) != NULL);
	env_init(zerocopy, phys);
}

static inline struct guest *add_guest(uint16_t network, int uplink)
{
	unsigned i = E->ng;
	struct guest *g = &E->g[i];

	XP_CHECK(i < NG_MAX);
	memset(g, 0, sizeof(*g));
	g->ram_hpa = HOST_HPA + i * RAM_SIZE;
	g->mac[0] = 0x52;
	g->mac[1] = 0x54;
	g->mac[4] = 0x01;
	g->mac[5] = (uint8_t)(i + 1);
	XP_CHECK((ept_init(&g->ept, &E->eops, TEST_MAX_GPA)) == (0));
	XP_CHECK((ept_map(&g->ept, 0, g->ram_hpa, RAM_SIZE, RWX, EPT_MT_WB)) == (0));
	g->flushed_gen = g->ept.generation;
	g->side = (struct remap_side){ .ept = &g->ept, .ram_hpa = g->ram_hpa, .ram_size = RAM_SIZE,
				       .id = i };
	e1000_init(&g->nic, g->mac, &g_ops, g, g->bounce);
	XP_CHECK((xt_det_add_port(&E->det, g->mac, network, uplink)) == ((int)i));
	g->port = i;
	E->ng++;
	XP_CHECK((xp_add_port(&E->xp, i, &g->nic, &g->side)) == (0));
	return g;
}

/* ---------------------------------------------------------- guest memory (its EPT view) */

XP_ENV_FN static inline uint8_t *gpage(struct guest *g, uint64_t gpa, bool write)
{
	uint64_t hpa, perms;

	XP_CHECK(gpa < RAM_SIZE);
	XP_CHECK((ept_lookup(&g->ept, gpa, &hpa, &perms, NULL, NULL)) == (0));
	if (write && !(perms & EPT_PTE_WRITE)) {
		/* EPT violation: the VMM asks the data path (vmm/exit/ept.c). */
		XP_CHECK(xp_cow_fault(&E->xp, g->port, gpa));
		E->cow_faults++;
		XP_CHECK((ept_lookup(&g->ept, gpa, &hpa, &perms, NULL, NULL)) == (0));
		XP_CHECK(perms & EPT_PTE_WRITE);
	}
	return host_va(hpa);
}

XP_ENV_FN static inline void gread(struct guest *g, uint64_t gpa, void *dst, uint32_t len)
{
	uint8_t *out = dst;

	while (len) {
		uint32_t n = (uint32_t)(PAGE - (gpa & (PAGE - 1)));

		if (n > len)
			n = len;
		memcpy(out, gpage(g, gpa, false), n);
		out += n;
		gpa += n;
		len -= n;
	}
}

XP_ENV_FN static inline void gwrite(struct guest *g, uint64_t gpa, const void *src, uint32_t len)
{
	const uint8_t *in = src;

	while (len) {
		uint32_t n = (uint32_t)(PAGE - (gpa & (PAGE - 1)));

		if (n > len)
			n = len;
		memcpy(gpage(g, gpa, true), in, n);
		in += n;
		gpa += n;
		len -= n;
	}
}

/* The guest's own page (not its EPT view). */
XP_ENV_FN static inline uint8_t *own(struct guest *g, uint64_t gpa)
{
	host_dirty(g->ram_hpa + gpa, 1);
	return E->host + (g->ram_hpa - HOST_HPA) + gpa;
}

static inline uint64_t hpa_of(struct guest *g, uint64_t gpa, uint64_t *perms)
{
	uint64_t hpa;

	XP_CHECK((ept_lookup(&g->ept, gpa, &hpa, perms, NULL, NULL)) == (0));
	return hpa;
}


/* Every pair torn down, every S page given back, every table freed (the
 * memory stays: env_init can start again in it). */
static inline void env_teardown(void)
{
	for (unsigned i = 0; i < E->ng; i++)
		remap_unshare_side(&E->rm, &E->g[i].side);
	XP_CHECK(E->rm.npairs == 0);
	XP_CHECK(E->s_allocs == E->s_frees);
	for (unsigned i = 0; i < E->ng; i++)
		ept_destroy(&E->g[i].ept);
	for (unsigned i = 0; i < TABLE_PAGES; i++)
		XP_CHECK(!E->t_used[i]);
}

/* Every pair torn down, every S page given back, everything freed. */
static inline void env_free(void)
{
	env_teardown();
	free(E->host);
	free(E->tables);
	free(E);
	E = NULL;
}

#endif
