/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the cross-talk data path: five guests with real
 * e1000 models, EPTs, the detector, the remapper and crosstalk/xpath.c
 * (tests/unit/xp_env.h), three on one network (the first with an uplink)
 * and an exclusive pair on another. The input is a sequence of what
 * hostile guests and the outside can do: register writes, frames queued
 * with chosen buffers, destinations and source addresses, descriptors and
 * memory written through the guests' EPTs (copy on write included), RX
 * buffers given back, resets, ports down and up, frames from outside,
 * physical NIC completions and time passing (xp_tick). After every step
 * the isolation model is checked and abort() on violation:
 *  - a guest's page maps its own host page, or the S page of a live pair it
 *    is part of: as the sender (write access unless locked), or as the
 *    receiver, read-only, and only while it holds an unconsumed frame
 *    through that pair or the pair is exclusive (xt_det_exclusive);
 *  - a frame a receiver holds in a pair keeps the sender's side locked;
 *  - no EPT entry maps a freed S page; S pages are freed only after every
 *    EPT change was invalidated (the remapper fakes check it);
 *  - at the end, with every port down, nothing is left allocated.
 *
 * Speed (same steps, same checks): the state setup() builds is built
 * once per zerocopy setting and kept (snapshot); each input starts from a
 * copy of it, restoring only the host and table pages handed out since
 * (xp_env.h's dirty masks) instead of allocating and zeroing about 2 MiB;
 * check_pages walks a guest only when its EPT generation moved;
 * check_open_pairs visits the live pairs instead of all REMAP_MAX_PAIRS;
 * the end-of-input check skips a walk that provably changes nothing
 * (finish); the checkers and the fake machine are compiled without
 * coverage (FUZZ_CHECKER), so the feedback is the code under test.
 * Measured on one core of a shared machine, 60 s from corpus_xpath: 231
 * to 362 exec/s before, 1,676 after (2,279 over a 272 s run). What remains is mostly the code under test (remap's
 * unshare_matching walks all REMAP_MAX_PAIRS slots, instrumented, on every
 * xp_port_reset and xp_port_down, five of which end each input) and
 * libFuzzer's entropic bookkeeping (-entropic=0: about 1.6x more).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RAM_SIZE	(80ULL << 10)	/* rings, 8 TX and 8 RX buffer pages, 2 more */
#define NG_MAX		5
#define S_PAGES		48
#define TABLE_PAGES	64
#define PH_MAX		128u
#define XP_CHECK(c)	do { if (!(c)) abort(); } while (0)
#define XP_FAIL(...)	abort()

/* Checkers and the fake machine (xp_env.h): no SanitizerCoverage (their
 * branches are not coverage worth seeking, and libFuzzer pays per edge they
 * add); the same definition as tests/fuzz/harness.h's, kept here until that
 * header is on this branch. */
#ifndef FUZZ_CHECKER
#define FUZZ_CHECKER __attribute__((no_sanitize("coverage")))
#endif
#define XP_ENV_FN	FUZZ_CHECKER
#include "tests/unit/xp_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NSLOTS		8u
#define TX_RING_GPA	0x0000u
#define RX_RING_GPA	0x1000u
#define TX_PAGE0	2u		/* TX buffer of slot i: page 2 + i */
#define RX_PAGE0	10u		/* RX buffer of slot i: page 10 + i */
#define NPAGES		(RAM_SIZE / PAGE)
#define PH_ROOM		48u		/* physical NIC calls one step can make */

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t in8(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static uint32_t in32(struct input *in)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < 4; i++)
		v = v << 8 | in8(in);
	return v;
}

static struct guest *pick(struct input *in)
{
	return &E->g[in8(in) % E->ng];
}

/* ---------------------------------------------------------- a driver */

static void wr(struct guest *g, uint32_t off, uint32_t v)
{
	e1000_mmio_write(&g->nic, off, 4, v);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Rings of NSLOTS, 4 KiB (or 2 KiB) RX buffers one page per slot, TX
 * descriptors holding their slot's page. */
static void nic_up(struct guest *g, bool rx4k)
{
	uint8_t d[16];
	uint32_t rctl = E1000_RCTL_EN | E1000_RCTL_BAM;

	for (unsigned i = 0; i < NSLOTS; i++) {
		memset(d, 0, sizeof(d));
		put64(d, (TX_PAGE0 + i) * PAGE);
		gwrite(g, TX_RING_GPA + 16 * i, d, 16);
		put64(d, (RX_PAGE0 + i) * PAGE);
		gwrite(g, RX_RING_GPA + 16 * i, d, 16);
	}
	if (rx4k)
		rctl |= E1000_RCTL_BSEX | (3u << E1000_RCTL_BSIZE_SHIFT);
	wr(g, E1000_TDBAL, TX_RING_GPA);
	wr(g, E1000_TDLEN, NSLOTS * 16);
	wr(g, E1000_TDH, 0);
	wr(g, E1000_TDT, 0);
	wr(g, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
	wr(g, E1000_RDBAL, RX_RING_GPA);
	wr(g, E1000_RDLEN, NSLOTS * 16);
	wr(g, E1000_RDH, 0);
	wr(g, E1000_RDT, NSLOTS - 1);
	wr(g, E1000_RCTL, rctl);
}


static void frame_addr(struct input *in, const struct guest *g, uint8_t *mac)
{
	uint8_t k = in8(in);

	if (k < 160)
		memcpy(mac, E->g[k % E->ng].mac, 6);
	else if (k < 200)
		memcpy(mac, bcast, 6);
	else if (k < 240)
		memcpy(mac, g->mac, 6);
	else
		for (unsigned i = 0; i < 6; i++)
			mac[i] = in8(in);
}

/*
 * The frame just written at gpa sent as a TCP segmentation packet instead:
 * a context descriptor (TSE, IPv4/TCP offsets as Linux's, MSS from the
 * input, at least 1/32 of the payload), its first 54 bytes as the
 * prototype header, the rest as payload, in two data descriptors. The
 * model cuts it into frames of at most 54 + MSS bytes, each bounced.
 */
#define TSO_HDR 54u
static void op_send_tso(struct input *in, struct guest *g, uint64_t gpa, uint32_t len)
{
	uint32_t slot = g->nic.tdt % NSLOTS, pay = len - TSO_HDR, mss = 1 + in8(in) * 6u;
	uint8_t d[16] = { 14, 24, 33, 0, 34, 50 };

	/* At most 32 frames: one step may make PH_ROOM physical NIC calls. */
	if (mss < (pay + 31) / 32)
		mss = (pay + 31) / 32;

	d[8] = (uint8_t)pay;
	d[9] = (uint8_t)(pay >> 8);
	d[11] = E1000_TXD_CMD_TSE | E1000_TXD_CMD_IP | E1000_TXD_CMD_TCP | E1000_TXD_CMD_DEXT;
	d[13] = TSO_HDR;
	d[14] = (uint8_t)mss;
	d[15] = (uint8_t)(mss >> 8);
	gwrite(g, TX_RING_GPA + 16 * slot, d, 16);
	for (unsigned k = 1; k <= 2; k++) {
		uint32_t n = k == 1 ? TSO_HDR : pay;

		memset(d, 0, sizeof(d));
		put64(d, k == 1 ? gpa : gpa + TSO_HDR);
		d[8] = (uint8_t)n;
		d[9] = (uint8_t)(n >> 8);
		d[10] = E1000_TXD_DTYP_D << 4;
		d[11] = E1000_TXD_CMD_DEXT | E1000_TXD_CMD_TSE | E1000_TXD_CMD_IFCS |
			(k == 2 ? E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS : 0);
		d[13] = E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM;
		gwrite(g, TX_RING_GPA + 16 * ((slot + k) % NSLOTS), d, 16);
	}
	wr(g, E1000_TDT, (slot + 3) % NSLOTS);
}

/* A frame at TDT: its slot's page, another page, or any offset (or a TSO packet). */
static void op_send(struct input *in)
{
	struct guest *g = pick(in);
	uint8_t f[1514], d[16] = { 0 };
	uint32_t len = 14 + in32(in) % (sizeof(f) - 13), slot = g->nic.tdt % NSLOTS;
	uint8_t where = in8(in);
	uint64_t gpa = (TX_PAGE0 + slot) * PAGE;

	if (where >= 200)
		gpa = (in8(in) % NPAGES) * PAGE + (where & 1 ? in8(in) * 16u : 0);
	if (gpa + len > RAM_SIZE)
		len = (uint32_t)(RAM_SIZE - gpa);
	memset(f, in8(in), sizeof(f));
	frame_addr(in, g, f);
	memcpy(f + 6, g->mac, 6);
	if (where & 2)
		frame_addr(in, g, f + 6);
	gwrite(g, gpa, f, len);
	if (where >= 184 && where < 200 && len > TSO_HDR) {
		op_send_tso(in, g, gpa, len);
		return;
	}
	put64(d, gpa);
	d[8] = (uint8_t)len;
	d[9] = (uint8_t)(len >> 8);
	d[11] = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	gwrite(g, TX_RING_GPA + 16 * slot, d, 16);
	wr(g, E1000_TDT, (slot + 1) % NSLOTS);
}

/* Re-arm what the driver read and give it back (RDT = RDH - 1). */
static void op_rx_give(struct input *in)
{
	struct guest *g = pick(in);
	uint8_t d[16] = { 0 };
	uint32_t last = (g->nic.rdh + NSLOTS - 1) % NSLOTS;

	for (uint32_t i = g->nic.rdt % NSLOTS; i != last; i = (i + 1) % NSLOTS) {
		put64(d, (RX_PAGE0 + i) * PAGE);
		gwrite(g, RX_RING_GPA + 16 * i, d, 16);
	}
	wr(g, E1000_RDT, in8(in) & 1 ? last : in8(in) % NSLOTS);
}

static void op_reg(struct input *in)
{
	static const uint32_t regs[] = { E1000_TDT, E1000_RDT, E1000_TDH, E1000_RDH, E1000_TCTL,
					 E1000_RCTL, E1000_CTRL, E1000_TDLEN, E1000_RDLEN,
					 E1000_TDBAL, E1000_RDBAL, E1000_IMS, E1000_IMC };
	struct guest *g = pick(in);
	uint32_t r = regs[in8(in) % (sizeof(regs) / sizeof(regs[0]))], v = in32(in);

	if (r == E1000_TDBAL || r == E1000_RDBAL)
		v &= (uint32_t)(RAM_SIZE - 1);
	wr(g, r, v);
}

/* Bytes through the guest's EPT view (a read-only page: copy on write). */
static void op_memory(struct input *in)
{
	struct guest *g = pick(in);
	uint64_t gpa = (uint64_t)in32(in) % RAM_SIZE;
	uint8_t b[32];
	uint32_t n = 1 + in8(in) % sizeof(b);

	for (uint32_t i = 0; i < n; i++)
		b[i] = in8(in);
	if (gpa + n > RAM_SIZE)
		n = (uint32_t)(RAM_SIZE - gpa);
	gwrite(g, gpa, b, n);
}

static void op_outside(struct input *in)
{
	uint8_t f[600];
	uint32_t len = 14 + in8(in) * 2u;

	memset(f, in8(in), sizeof(f));
	frame_addr(in, &E->g[0], f);
	xp_phys_rx(&E->xp, 0, f, len);
}

static void op_phys_done(struct input *in)
{
	unsigned start = in8(in);

	for (unsigned i = 0; i < E->nph; i++) {
		struct phys_frame *p = &E->ph[(start + i) % E->nph];

		if (!p->done) {
			p->done = true;
			xp_phys_done(&E->xp, p->cookie);
			return;
		}
	}
}

static void op_port(struct input *in)
{
	struct guest *g = pick(in);

	if (E->xp.port[g->port].up) {
		xp_port_down(&E->xp, g->port);
		return;
	}
	xp_port_up(&E->xp, g->port);
	wr(g, E1000_CTRL, E1000_CTRL_RST);
	nic_up(g, true);
}

static void step(struct input *in, uint64_t *now)
{
	uint8_t op = in8(in);

	E->ph_eagain = E->nph + PH_ROOM > PH_MAX ? ~0u : (op & 0x80 ? 1 : 0);
	switch (op % 10) {
	case 0: op_reg(in); break;
	case 1: case 2: op_send(in); break;
	case 3: op_rx_give(in); break;
	case 4: op_memory(in); break;
	case 5: op_outside(in); break;
	case 6: op_phys_done(in); break;
	case 7: op_port(in); break;
	case 8: nic_up(pick(in), in8(in) & 1); break;
	default:
		*now += 1 + (uint64_t)in32(in) * 64;
		xp_tick(&E->xp, *now);
		break;
	}
}

/* ---------------------------------------------------------- invariants */

/* Does port q hold an unconsumed frame through pair k? */
FUZZ_CHECKER static bool holds(unsigned q, int k)
{
	const struct xp_port *Q = &E->xp.port[q];
	const struct remap_pair *p = &E->rm.pair[k];

	for (unsigned i = 0; i < Q->rxq_count; i++) {
		const struct xp_rx_entry *e = &Q->rxq[(Q->rxq_first + i) % XP_RXQ];

		if (e->pair == k && e->serial == p->serial && e->tx_gpa == p->tx_gpa &&
		    e->rx_gpa == p->rx_gpa)
			return true;
	}
	return false;
}

/* A page that is not g's own: the S of a live pair, seen as the model allows. */
FUZZ_CHECKER static void check_shared_page(struct guest *g, uint64_t gpa, uint64_t hpa, uint64_t perms)
{
	int k = remap_find(&E->rm, &g->side, gpa);
	const struct remap_pair *p;

	XP_CHECK(k >= 0);
	p = &E->rm.pair[k];
	XP_CHECK(p->state == REMAP_PAIR_LIVE && hpa == p->shared_hpa);
	XP_CHECK(E->s_used[(hpa - S_HPA) / PAGE]);
	if (p->tx == &g->side && p->tx_gpa == gpa) {
		XP_CHECK(perms == (p->tx_locked ? (RWX & ~EPT_PTE_WRITE) : RWX));
		return;
	}
	XP_CHECK(p->rx == &g->side && p->rx_gpa == gpa && !p->rx_closed);
	XP_CHECK(perms == EPT_PTE_READ);
	XP_CHECK(holds(g->port, k) || xt_det_exclusive(&E->det, p->tx->id, g->port));
}

/* Frames held through a live pair keep it open and the sender locked. */
FUZZ_CHECKER static void check_held(unsigned q)
{
	const struct xp_port *Q = &E->xp.port[q];

	for (unsigned i = 0; i < Q->rxq_count; i++) {
		const struct xp_rx_entry *e = &Q->rxq[(Q->rxq_first + i) % XP_RXQ];
		const struct remap_pair *p;

		if (e->pair == XP_NO_PAIR)
			continue;
		p = &E->rm.pair[e->pair];
		if (p->state != REMAP_PAIR_LIVE || p->serial != e->serial ||
		    p->tx_gpa != e->tx_gpa || p->rx_gpa != e->rx_gpa || p->rx != &E->g[q].side)
			continue;
		XP_CHECK(p->tx_locked && !p->rx_closed);
	}
}

/* Every page of g as g sees it. */
FUZZ_CHECKER static void check_pages(struct guest *g)
{
	for (uint64_t gpa = 0; gpa < RAM_SIZE; gpa += PAGE) {
		uint64_t hpa, perms;

		XP_CHECK(!ept_lookup(&g->ept, gpa, &hpa, &perms, NULL, NULL));
		if (hpa == g->ram_hpa + gpa)
			XP_CHECK(perms == RWX);
		else
			check_shared_page(g, gpa, hpa, perms);
	}
}

/*
 * The live pairs, without walking all REMAP_MAX_PAIRS slots after every
 * step: live[0..nlive) holds every pair index that is REMAP_PAIR_LIVE. Why
 * it is complete: a slot becomes LIVE only in remap_share (ept/remap.c, the
 * one `.state = REMAP_PAIR_LIVE`), which also bumps rm.st.shares; so while
 * st.shares has not moved since the last full scan, the live pairs are a
 * subset of those the scan found, and live_update drops the ones that are
 * not LIVE any more. When st.shares moved (or at the start of an input,
 * live_shares = ~0), the full scan runs again. live_check_all confirms it
 * once per input against npairs.
 */
static uint16_t live[REMAP_MAX_PAIRS];
static unsigned nlive;
static uint64_t live_shares;

FUZZ_CHECKER static void live_scan(void)
{
	nlive = 0;
	for (unsigned k = 0; k < REMAP_MAX_PAIRS; k++)
		if (E->rm.pair[k].state == REMAP_PAIR_LIVE)
			live[nlive++] = (uint16_t)k;
	live_shares = E->rm.st.shares;
}

FUZZ_CHECKER static void live_update(void)
{
	unsigned n = 0;

	if (live_shares != E->rm.st.shares) {
		live_scan();
		return;
	}
	for (unsigned i = 0; i < nlive; i++)
		if (E->rm.pair[live[i]].state == REMAP_PAIR_LIVE)
			live[n++] = live[i];
	nlive = n;
}

FUZZ_CHECKER static void live_check_all(void)
{
	live_update();
	XP_CHECK(nlive == E->rm.npairs);
	live_scan();
	XP_CHECK(nlive == E->rm.npairs);
}

/* An open receiving side without a frame in it (its EPT need not change):
 * every live pair is in live[] (see above). */
FUZZ_CHECKER static void check_open_pairs(void)
{
	live_update();
	for (unsigned i = 0; i < nlive; i++) {
		int k = live[i];
		const struct remap_pair *p = &E->rm.pair[k];

		if (p->state == REMAP_PAIR_LIVE && !p->rx_closed)
			XP_CHECK(holds(p->rx->id, k) || xt_det_exclusive(&E->det, p->tx->id, p->rx->id));
	}
}

/*
 * A guest's pages are walked again whenever its EPT changed (generation).
 * Enough for every page: what check_pages checks of a page is its EPT
 * entry (changes bump ept.generation) and the pair it maps (a pair's
 * mapping, state, locks and views change only with an EPT change of both
 * its guests, remap_set_views and the tx lock included); what can change
 * without one, a frame consumed while B's view stays open, is what
 * check_open_pairs and check_held look at after every step.
 */
static uint64_t walked_gen[NG_MAX];

FUZZ_CHECKER static void check_invariants(void)
{
	for (unsigned i = 0; i < E->ng; i++) {
		struct guest *g = &E->g[i];

		if (walked_gen[i] != g->ept.generation) {
			check_pages(g);
			walked_gen[i] = g->ept.generation;
		}
		check_held(i);
	}
	check_open_pairs();
}

/* ---------------------------------------------------------- entry */

static void setup(bool zerocopy)
{
	env_init(zerocopy, true);
	add_guest(1, 0);
	add_guest(1, XT_DET_NO_UPLINK);
	add_guest(1, XT_DET_NO_UPLINK);
	add_guest(2, XT_DET_NO_UPLINK);
	add_guest(2, XT_DET_NO_UPLINK);
	xt_det_finalize(&E->det);
	XP_CHECK(xt_det_exclusive(&E->det, 3, 4) && !xt_det_exclusive(&E->det, 1, 2));
	for (unsigned i = 0; i < E->ng; i++)
		nic_up(&E->g[i], true);
}

/*
 * What setup() leaves, once per zerocopy setting, both taken at the first
 * input: E (but the physical NIC's frame records past nph, which
 * ph_record clears before use), the host arena and the tables. start()
 * copies one back into E's memory (so every pointer inside it stays
 * right): E itself, and the pages in the last input's dirty masks or in
 * the snapshot's. Every other page holds what env_init wrote there, in E
 * and in both snapshots: a page is written only through a pointer marked
 * when handed out (xp_env.h), the masks start as the snapshot's (setup()'s
 * pages: the e1000 keeps its ring pointers and the EPT its PML4 pointer
 * across steps without asking again), and each restore brings back every
 * page either snapshot or the last input marked.
 * -DFXP_CHECK_DIRTY builds check that after every input.
 */
struct snapshot {
	bool taken;
	struct env env;
	uint8_t host[HOST_SIZE];
	uint8_t tables[TABLE_PAGES * PAGE];
	/* After every port went down from there (see finish). */
	bool down_t_used[TABLE_PAGES];
	uint8_t down_tables[TABLE_PAGES * PAGE];
	struct ept down_ept[NG_MAX];
};

static struct snapshot snap[2];

static void restore_pages(uint8_t *dst, const uint8_t *src, const uint64_t *dirty,
			  const uint64_t *snap_dirty, unsigned pages)
{
	for (unsigned w = 0; w < (pages + 63) / 64; w++)
		for (uint64_t m = dirty[w] | snap_dirty[w]; m; m &= m - 1) {
			size_t off = (w * 64 + (unsigned)__builtin_ctzll(m)) * PAGE;

			memcpy(dst + off, src + off, PAGE);
		}
}

/* -DFXP_CHECK_DIRTY (a slow build): the pages not marked are untouched
 * (after each input), and restore brings back every page. */
static void check_clean(const uint8_t *cur, const uint8_t *src, const uint64_t *dirty, unsigned pages)
{
#ifdef FXP_CHECK_DIRTY
	for (unsigned i = 0; i < pages; i++)
		if (!(dirty[i / 64] >> (i % 64) & 1))
			XP_CHECK(!memcmp(cur + i * PAGE, src + i * PAGE, PAGE));
#else
	(void)cur, (void)src, (void)dirty, (void)pages;
#endif
}

static void restore(const struct snapshot *s)
{
	restore_pages(E->host, s->host, E->host_dirty, s->env.host_dirty, HOST_PAGES);
	restore_pages(E->tables, s->tables, E->t_dirty, s->env.t_dirty, TABLE_PAGES);
	memcpy(E, &s->env, offsetof(struct env, ph));
	memcpy(E->ph, s->env.ph, s->env.nph * sizeof(E->ph[0]));
	memcpy(&E->nph, &s->env.nph, sizeof(*E) - offsetof(struct env, nph));
#ifdef FXP_CHECK_DIRTY
	XP_CHECK(!memcmp(E->host, s->host, HOST_SIZE));
	XP_CHECK(!memcmp(E->tables, s->tables, TABLE_PAGES * PAGE));
#endif
}

static void take(struct snapshot *s, bool zerocopy)
{
	setup(zerocopy);
	memcpy(&s->env, E, sizeof(*E));
	memcpy(s->host, E->host, HOST_SIZE);
	memcpy(s->tables, E->tables, TABLE_PAGES * PAGE);
	s->taken = true;
	for (unsigned i = 0; i < E->ng; i++)
		xp_port_down(&E->xp, i);
	memcpy(s->down_t_used, E->t_used, sizeof(E->t_used));
	memcpy(s->down_tables, E->tables, TABLE_PAGES * PAGE);
	for (unsigned i = 0; i < E->ng; i++)
		s->down_ept[i] = E->g[i].ept;
	env_teardown();		/* ept_destroy frees all of those tables */
}

static void start(bool zerocopy)
{
	if (!E) {
		env_new(false, true);
		take(&snap[0], false);
		take(&snap[1], true);
		restore(&snap[0]);	/* E's masks: setup()'s, as restore expects */
	}
	restore(&snap[zerocopy]);
}

/*
 * The EPTs are byte for byte what they were when take() brought every port
 * down: the same struct ept (but its generation, which ept_destroy does
 * not read), the same tables in use with the same contents.
 */
FUZZ_CHECKER static bool tables_as_taken(const struct snapshot *s)
{
	if (memcmp(E->t_used, s->down_t_used, sizeof(E->t_used)))
		return false;
	for (unsigned i = 0; i < TABLE_PAGES; i++)
		if (E->t_used[i] && memcmp(E->tables + i * PAGE, s->down_tables + i * PAGE, PAGE))
			return false;
	for (unsigned i = 0; i < E->ng; i++) {
		const struct ept *a = &E->g[i].ept, *b = &s->down_ept[i];

		if (a->ops != b->ops || a->pml4 != b->pml4 || a->pml4_hpa != b->pml4_hpa ||
		    a->max_gpa != b->max_gpa || a->table_pages != b->table_pages)
			return false;
	}
	return true;
}

/*
 * Nothing left allocated: env_teardown, with two walks left out that are
 * proved to give the same result.
 *  - remap_unshare_side per guest walks all REMAP_MAX_PAIRS slots and,
 *    with no LIVE pair, changes nothing (no pair matches: no EPT to flush,
 *    no page to free; unshare_matching and op_flush in ept/remap.c): the
 *    same slots are checked here for a LIVE pair once, uninstrumented.
 *  - ept_destroy (4 x 512 entries per guest) reads only the struct ept and
 *    the tables through t_virt and frees through t_free: on EPTs equal to
 *    those take() saw ept_destroy free entirely (tables_as_taken) it frees
 *    them entirely again. Any other EPT is destroyed and checked.
 */
FUZZ_CHECKER static void finish(void)
{
	live_scan();
	XP_CHECK(nlive == 0 && E->rm.npairs == 0);
	XP_CHECK(E->s_allocs == E->s_frees);
	if (tables_as_taken(&snap[E->xp.zerocopy]))
		return;
	for (unsigned i = 0; i < E->ng; i++)
		ept_destroy(&E->g[i].ept);
	for (unsigned i = 0; i < TABLE_PAGES; i++)
		XP_CHECK(!E->t_used[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	uint64_t now = 1;
	unsigned steps = 0;

	start(!(in8(&in) & 1));
	memset(walked_gen, 0xff, sizeof(walked_gen));
	live_shares = ~0ULL;
	check_invariants();
	while (in.left && steps++ < 256) {
		step(&in, &now);
		check_invariants();
	}
	live_check_all();
	for (unsigned i = 0; i < E->ng; i++)
		xp_port_down(&E->xp, i);
	XP_CHECK(E->rm.npairs == 0);
	finish();
#ifdef FXP_CHECK_DIRTY
	check_clean(E->host, snap[E->xp.zerocopy].host, E->host_dirty, HOST_PAGES);
	check_clean(E->tables, snap[E->xp.zerocopy].tables, E->t_dirty, TABLE_PAGES);
#endif
	return 0;
}
