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

/* A frame at TDT: its slot's page, another page, or any offset. */
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
static bool holds(unsigned q, int k)
{
	const struct xp_port *Q = &E->xp.port[q];
	const struct remap_pair *p = &E->rm.pair[k];

	for (unsigned i = 0; i < Q->rxq_count; i++) {
		const struct xp_rx_entry *e = &Q->rxq[(Q->rxq_first + i) % XP_RXQ];

		if (e->pair == k && e->tx_gpa == p->tx_gpa && e->rx_gpa == p->rx_gpa)
			return true;
	}
	return false;
}

/* A page that is not g's own: the S of a live pair, seen as the model allows. */
static void check_shared_page(struct guest *g, uint64_t gpa, uint64_t hpa, uint64_t perms)
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
static void check_held(unsigned q)
{
	const struct xp_port *Q = &E->xp.port[q];

	for (unsigned i = 0; i < Q->rxq_count; i++) {
		const struct xp_rx_entry *e = &Q->rxq[(Q->rxq_first + i) % XP_RXQ];
		const struct remap_pair *p;

		if (e->pair == XP_NO_PAIR)
			continue;
		p = &E->rm.pair[e->pair];
		if (p->state != REMAP_PAIR_LIVE || p->tx_gpa != e->tx_gpa ||
		    p->rx_gpa != e->rx_gpa || p->rx != &E->g[q].side)
			continue;
		XP_CHECK(p->tx_locked && !p->rx_closed);
	}
}

/* Every page of g as g sees it. */
static void check_pages(struct guest *g)
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

/* An open receiving side without a frame in it (its EPT need not change). */
static void check_open_pairs(void)
{
	for (int k = 0; k < REMAP_MAX_PAIRS; k++) {
		const struct remap_pair *p = &E->rm.pair[k];

		if (p->state == REMAP_PAIR_LIVE && !p->rx_closed)
			XP_CHECK(holds(p->rx->id, k) || xt_det_exclusive(&E->det, p->tx->id, p->rx->id));
	}
}

/* A guest's pages are walked again whenever its EPT changed (generation). */
static uint64_t walked_gen[NG_MAX];

static void check_invariants(void)
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
	env_new(zerocopy, true);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	uint64_t now = 1;
	unsigned steps = 0;

	setup(!(in8(&in) & 1));
	memset(walked_gen, 0xff, sizeof(walked_gen));
	check_invariants();
	while (in.left && steps++ < 256) {
		step(&in, &now);
		check_invariants();
	}
	for (unsigned i = 0; i < E->ng; i++)
		xp_port_down(&E->xp, i);
	XP_CHECK(E->rm.npairs == 0);
	env_free();
	return 0;
}
