/* SPDX-License-Identifier: MIT */
/*
 * netbad: feeds its own e1000 every kind of bad input the VMM must contain
 * (docs/e1000.md, "Bad guest input"; docs/devices.md, BAR moves), and after
 * each one resets the NIC, brings it up again and proves with one ping to a
 * netping pong peer that it still works (guests/README.md):
 *
 *   role=bad peer=MAC [settle=MS] + the common keys of netguest.h
 *
 * Every scenario programs BAR0 directly (32-bit MOVs through the driver's
 * accessors), kicks the NIC with a TDT/RDT write, waits a bounded time on the
 * TSC (never HLT), and checks what the NIC shows: TDH/RDH, DD write-back,
 * the statistics (nothing sent), the registers that must not change. Bad
 * addresses are only ever given to the NIC, never touched by the CPU.
 * Private rings and buffers (struct priv) keep the driver's own rings intact.
 * Exit status: scenarios not contained + not recovered + the first ping +
 * the driver's final counter check.
 */
#include <stdarg.h>
#include <string.h>

#include "cmdline.h"
#include "ether.h"
#include "guest.h"
#include "lib/fmt.h"
#include "netguest.h"
#include "pci.h"
#include "pic.h"
#include "rand.h"
#include "tsc.h"

#define NAME "netbad"

/* The netping frame (guests/netping/main.c): the peer answers these. */
#define ETHERTYPE_PING 0x88b5
#define OFF_MAGIC ETH_HLEN
#define OFF_SEQ (OFF_MAGIC + 4)
#define OFF_PATTERN (OFF_SEQ + 4)
#define PATTERN_LEN 56
#define PING_LEN (OFF_PATTERN + PATTERN_LEN) /* 78 */
#define RETRY_MS 200 /* resend the first ping until the peer is up */

/* Frames the NIC must drop go to an address nobody owns, so one that got
 * out anyway disturbs no guest (the bridge counts it as unknown). */
#define ETHERTYPE_BAD 0x88b9
static const uint8_t nobody[ETH_ALEN] = { 0x02, 0x78, 0x74, 0x00, 0x0b, 0xad };

/* Where DMA must be refused. */
#define OUTSIDE_MIN 0x40000000ULL       /* beyond RAM, unless RAM is larger */
#define WRAP_ADDR 0xffffffffffffffe0ULL /* addr + len wraps around 2^64 */
#define E820_ENTRIES 0x1e8              /* boot_params: u8 count */
#define E820_TABLE 0x2d0                /* boot_params: 20-byte entries */
#define E820_MAX 128
#define E820_RAM 1

/* BAR0 moves (docs/devices.md: memory BARs in [0xc0000000, 0xfec00000)). */
#define BAR0_SIZE 0x20000U /* 128 KiB */
#define BAR0_LEGAL 0xfe000000U
static const uint32_t bar0_refused[] = {
	0x00100000U, /* onto guest RAM */
	0x10000000U, /* below the MMIO window */
	0xfec00000U, /* the window's end (IOAPIC) */
};

/* Descriptor bits the driver's e1000_regs.h does not have. */
#define TXD_CMD_IC (1U << 2)  /* legacy: insert checksum */
#define TXD_CMD_TSE (1U << 2) /* DCMD/TUCMD: TCP segmentation */
#define TXD_DTYP_CTX 0x0U
#define TXD_DTYP_DATA 0x1U
#define TXD_DTYP_RESERVED 0xfU
#define TXD_POPTS_IXSM (1U << 0)
#define TXD_POPTS_TXSM (1U << 1)
#define TXC_TUCMD_TCP (1U << 0) /* context TUCMD: TCP (else UDP) */
#define TXC_TUCMD_IP (1U << 1)  /* context TUCMD: IPv4 (else IPv6) */
#define TXD_LEGACY (E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS)
#define RXD_ERR_RXE 0x80U

#define PRIV_TX 128 /* descriptors: room for 100 without EOP */
#define PRIV_RX 8
#define SHORT_RING 8 /* tdt_beyond's ring */
#define NO_EOP_DESCS 100
#define NO_EOP_LEN 512
#define NO_EOP_START 96 /* so that the 100 descriptors wrap */
#define MODEL_MAX_SEGS 64 /* E1000_TX_MAX_SEGS of the model */
#define SETTLE_MS 100
#define MAX_WHY 4

static struct e1000_nic nic;
static struct net_opts opts;
static uint8_t peer[ETH_ALEN];
static uint8_t frame[ETH_FRAME_MAX], rx[ETH_FRAME_MAX];
static unsigned settle_ms;
static uint64_t ram_end;  /* top of guest RAM (e820) */
static uint64_t outside;  /* an address beyond RAM */
static uint32_t bar0;     /* where BAR0 decodes */
static uint32_t next_seq; /* next ping's sequence number */
static unsigned late_pongs, other_frames;

/* Rings and buffers that only the scenarios hand to the NIC. */
static struct priv {
	struct e1000_tx_desc tx[PRIV_TX];
	struct e1000_rx_desc rx[PRIV_RX];
	uint8_t buf[E1000_TX_BUF]; /* frame bytes for every TX descriptor */
} priv __attribute__((aligned(4096)));

/* ------------------------------------------------------------ verdicts */

struct verdict {
	unsigned fails;
	char why[MAX_WHY][120];
};

static void expect(struct verdict *v, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void expect(struct verdict *v, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	if (v->fails < MAX_WHY) {
		va_start(ap, fmt);
		xt_vsnprintf(v->why[v->fails], sizeof(v->why[0]), fmt, ap);
		va_end(ap);
	}
	v->fails++;
}

/* One line: "<name>: <ok>" or "<name>: FAILED (<first reason>)", then the
 * other reasons (at most MAX_WHY in all). */
static void verdict_print(const char *name, const char *ok, const struct verdict *v)
{
	if (!v->fails) {
		print(NAME ": %s: %s\n", name, ok);
		return;
	}
	print(NAME ": %s: FAILED (%s)\n", name, v->why[0]);
	for (unsigned i = 1; i < v->fails && i < MAX_WHY; i++)
		print(NAME ": %s:   also: %s\n", name, v->why[i]);
	if (v->fails > MAX_WHY)
		print(NAME ": %s:   and %u more\n", name, v->fails - MAX_WHY);
}

/* ------------------------------------------------------------ NIC access */

static uint32_t rd(uint32_t reg)
{
	return e1000_rd(&nic, reg);
}

static void wr(uint32_t reg, uint32_t val)
{
	e1000_wr(&nic, reg, val);
}

static uint64_t addr_of(const volatile void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Interrupts off while BAR0 does not decode where nic.mmio points (the
 * handler reads ICR through it). */
static void irqs_off(void)
{
	irq_disable();
}

static void irqs_on(void)
{
	if (opts.mode == E1000_IRQ)
		irq_enable();
}

/* Spin (never HLT: nothing may be coming) until reg reads want. */
static bool wait_reg(uint32_t reg, uint32_t want, unsigned ms)
{
	uint64_t deadline = tsc_deadline_ms(ms);

	while (rd(reg) != want) {
		if (tsc_expired(deadline))
			return false;
		cpu_relax();
	}
	return true;
}

/* Give the NIC and the peer time to do what they must not do. */
static void hold(void)
{
	mdelay(settle_ms);
}

struct stats {
	uint64_t gptc, tpt, gprc, tpr;
};

static void stats_now(struct stats *s)
{
	e1000_stats_update(&nic);
	s->gptc = nic.hw.gptc;
	s->tpt = nic.hw.tpt;
	s->gprc = nic.hw.gprc;
	s->tpr = nic.hw.tpr;
}

/* Frames transmitted (GPTC, TPT) since *before must be exactly sent. */
static void expect_sent(struct verdict *v, const char *step, const struct stats *before,
			unsigned sent)
{
	struct stats now;

	stats_now(&now);
	expect(v, now.gptc - before->gptc == sent && now.tpt - before->tpt == sent,
	       "%s: GPTC +%lu TPT +%lu, want +%u", step, (unsigned long)(now.gptc - before->gptc),
	       (unsigned long)(now.tpt - before->tpt), sent);
}

/* The registers no scenario may change, DMA into BAR0 included. */
struct regs {
	uint32_t ctrl, rctl, ral0, rah0, ims;
};

static void regs_read(struct regs *r)
{
	r->ctrl = rd(E1000_CTRL);
	r->rctl = rd(E1000_RCTL);
	r->ral0 = rd(E1000_RAL(0));
	r->rah0 = rd(E1000_RAH(0));
	r->ims = rd(E1000_IMS);
}

static void expect_regs(struct verdict *v, const char *step, const struct regs *before)
{
	struct regs now;

	regs_read(&now);
	expect(v, !memcmp(&now, before, sizeof(now)),
	       "%s: CTRL/RCTL/RAL0/RAH0/IMS 0x%x/0x%x/0x%x/0x%x/0x%x, were 0x%x/0x%x/0x%x/0x%x/0x%x",
	       step, now.ctrl, now.rctl, now.ral0, now.rah0, now.ims, before->ctrl, before->rctl,
	       before->ral0, before->rah0, before->ims);
}

static void expect_reg(struct verdict *v, const char *step, uint32_t reg, const char *name,
		       uint32_t want)
{
	uint32_t got = rd(reg);

	expect(v, got == want, "%s: %s reads 0x%x, want 0x%x", step, name, got, want);
}

/* ------------------------------------------------------------ ping */

static void build_ping(uint32_t seq)
{
	struct rng r;

	eth_put_header(frame, peer, nic.mac, ETHERTYPE_PING);
	memcpy(frame + OFF_MAGIC, "PING", 4);
	put_be32(frame + OFF_SEQ, seq);
	rng_seed(&r, ETHERTYPE_PING, seq);
	rng_fill(&r, frame + OFF_PATTERN, PATTERN_LEN);
}

static bool pong_ok(int n, uint32_t seq)
{
	uint8_t want[PATTERN_LEN];
	struct rng r;

	if (n < PING_LEN || get_be32(rx + OFF_SEQ) != seq)
		return false;
	rng_seed(&r, ETHERTYPE_PING, seq);
	rng_fill(&r, want, PATTERN_LEN);
	return !memcmp(rx + OFF_PATTERN, want, PATTERN_LEN);
}

static bool from_peer(int n, const char *magic)
{
	return n >= ETH_ZLEN && eth_type(rx) == ETHERTYPE_PING &&
	       mac_eq(rx + ETH_OFF_SRC, peer) && !memcmp(rx + OFF_MAGIC, magic, 4);
}

/* Send the next ping (its pong may be lost on purpose) and see it leave:
 * DD on its descriptor in the driver's ring, polled up to timeout. */
static bool send_ping(struct verdict *v)
{
	uint32_t seq = next_seq++;
	unsigned t = nic.tx_tail;
	volatile struct e1000_tx_desc *d = &nic.dma.tx[t];
	uint64_t deadline = tsc_deadline_ms(opts.timeout_ms);

	build_ping(seq);
	if (e1000_send(&nic, frame, PING_LEN)) {
		expect(v, false, "ping %u: send failed", seq);
		return false;
	}
	while (!(d->status & E1000_TXD_STAT_DD)) {
		if (tsc_expired(deadline)) {
			expect(v, false, "ping %u: not sent within %u ms (TDH %u TDT %u)", seq,
			       opts.timeout_ms, rd(E1000_TDH), rd(E1000_TDT));
			return false;
		}
		cpu_relax();
	}
	return true;
}

enum await { GOT_PONG, TIMED_OUT, PEER_UP };

/* Poll (never sleep) for the pong to seq until deadline; older pongs are
 * late (held back or answers to resent pings) and skipped. */
static enum await await_pong(uint32_t seq, uint64_t deadline)
{
	for (;;) {
		int n = e1000_recv_until(&nic, rx, sizeof(rx), 0);

		if (!n) {
			if (tsc_expired(deadline))
				return TIMED_OUT;
			cpu_relax();
			continue;
		}
		if (from_peer(n, "UP!!"))
			return PEER_UP;
		if (!from_peer(n, "PONG") || !mac_eq(rx + ETH_OFF_DST, nic.mac) || n < PING_LEN) {
			other_frames++;
			continue;
		}
		if (get_be32(rx + OFF_SEQ) < seq) {
			late_pongs++;
			continue;
		}
		if (pong_ok(n, seq))
			return GOT_PONG;
		other_frames++;
	}
}

/* One ping that must be answered. The first one is resent every RETRY_MS
 * (and at once when the peer says it is up) for up to start ms. */
static bool ping_once(struct verdict *v, const char *step)
{
	uint32_t seq = next_seq;
	bool first = seq == 0;
	uint64_t give_up = tsc_deadline_ms(first ? opts.start_ms : opts.timeout_ms);

	for (;;) {
		uint64_t deadline = first ? tsc_deadline_ms(RETRY_MS) : give_up;
		enum await w;

		build_ping(seq);
		if (e1000_send(&nic, frame, PING_LEN)) {
			expect(v, false, "%s: ping %u: send failed", step, seq);
			next_seq = seq + 1;
			return false;
		}
		w = await_pong(seq, deadline);
		if (w == GOT_PONG) {
			next_seq = seq + 1;
			return true;
		}
		if (w == PEER_UP && !first)
			continue; /* an UP!! is not an answer; keep waiting (resending) */
		if (tsc_expired(give_up)) {
			expect(v, false, "%s: ping %u: no pong within %u ms", step, seq,
			       first ? opts.start_ms : opts.timeout_ms);
			next_seq = seq + 1;
			return false;
		}
	}
}

/* ------------------------------------------------------------ private TX ring */

static void txd(unsigned i, uint64_t addr, uint16_t len, uint8_t cmd)
{
	volatile struct e1000_tx_desc *d = &priv.tx[i % PRIV_TX];

	d->addr = addr;
	d->length = len;
	d->cso = 0;
	d->cmd = cmd;
	d->status = 0;
	d->css = 0;
	d->special = 0;
}

/* Extended descriptor: DTALEN/PAYLEN bits 19:0 and DTYP 23:20 of the dword
 * at byte 8, DCMD/TUCMD at byte 11 (with DEXT), POPTS/HDRLEN, special/MSS. */
static void txd_ext(unsigned i, uint64_t addr, uint32_t len, unsigned dtyp, uint8_t cmd,
		    uint8_t popts, uint16_t special)
{
	volatile struct e1000_tx_desc *d = &priv.tx[i % PRIV_TX];

	d->addr = addr;
	d->length = (uint16_t)len;
	d->cso = (uint8_t)(dtyp << 4 | ((len >> 16) & 0xf));
	d->cmd = (uint8_t)(cmd | E1000_TXD_CMD_DEXT);
	d->status = 0;
	d->css = popts;
	d->special = special;
}

/* A TCP/IP context descriptor (its first 8 bytes are the offsets). */
static void txd_context(unsigned i, uint8_t tucmd)
{
	uint64_t offsets = 14ULL | 24ULL << 8 | 33ULL << 16 |    /* IPCSS, IPCSO, IPCSE */
			   34ULL << 32 | 50ULL << 40 | 0ULL << 48; /* TUCSS, TUCSO, TUCSE */

	txd_ext(i, offsets, 1000, TXD_DTYP_CTX, tucmd, 54, 536); /* PAYLEN, HDRLEN, MSS */
}

static bool dd(unsigned i)
{
	return ((volatile struct e1000_tx_desc *)&priv.tx[i % PRIV_TX])->status & E1000_TXD_STAT_DD;
}

/* Descriptors first.. (count, ring of n) must all have DD (want) or none. */
static void expect_dd(struct verdict *v, const char *step, unsigned first, unsigned count,
		      unsigned n, bool want)
{
	unsigned wrong = 0, at = 0;

	for (unsigned k = 0; k < count; k++) {
		unsigned i = (first + k) % n;

		if (dd(i) != want && !wrong++)
			at = i;
	}
	expect(v, !wrong, "%s: %u descriptors %s DD, first %u", step, wrong,
	       want ? "without" : "with", at);
}

/* A valid 60-byte frame to nobody in priv.buf. */
static void fill_frame(void)
{
	memset(priv.buf, 0, sizeof(priv.buf));
	eth_put_header(priv.buf, nobody, nic.mac, ETHERTYPE_BAD);
	memcpy(priv.buf + ETH_HLEN, "NETBAD: this frame must never leave the NIC", 43);
}

/* Point the TX ring at priv.tx: n descriptors, TDH = TDT = head (that TDT
 * write is a kick with nothing to send). */
static void tx_private(unsigned n, unsigned head)
{
	uint64_t base = addr_of(priv.tx);

	wr(E1000_TDBAL, (uint32_t)base);
	wr(E1000_TDBAH, (uint32_t)(base >> 32));
	wr(E1000_TDLEN, n * (uint32_t)sizeof(struct e1000_tx_desc));
	wr(E1000_TDH, head);
	wr(E1000_TDT, head);
}

/* Every descriptor of priv.tx a complete good frame with RS: if the NIC
 * ever walks a ring it should have refused, DD shows up here and GPTC moves. */
static void fill_sentinels(void)
{
	fill_frame();
	for (unsigned i = 0; i < PRIV_TX; i++)
		txd(i, addr_of(priv.buf), ETH_ZLEN, E1000_TXD_CMD_EOP | TXD_LEGACY);
}

/* A kick the NIC must refuse as a whole: TDH stays, TDT reads as written,
 * no DD in the sentinels, nothing sent. */
static void expect_refused(struct verdict *v, const char *step, uint32_t tdh, uint32_t tdt,
			   const struct stats *before)
{
	hold();
	expect_reg(v, step, E1000_TDH, "TDH", tdh);
	expect_reg(v, step, E1000_TDT, "TDT", tdt);
	expect_dd(v, step, 0, PRIV_TX, PRIV_TX, false);
	expect_sent(v, step, before, 0);
}

/* Kick TDT = tdt on the private ring and expect every descriptor from
 * first up to it dropped: TDH follows, DD everywhere (all have RS), nothing
 * sent. */
static void kick_expect_dropped(struct verdict *v, const char *step, unsigned first,
				unsigned tdt, unsigned n)
{
	struct stats before;

	stats_now(&before);
	barrier();
	wr(E1000_TDT, tdt);
	expect(v, wait_reg(E1000_TDH, tdt, opts.timeout_ms), "%s: TDH %u, want %u", step,
	       rd(E1000_TDH), tdt);
	hold();
	expect_reg(v, step, E1000_TDH, "TDH", tdt);
	expect_dd(v, step, first, (tdt + n - first) % n, n, true);
	expect_sent(v, step, &before, 0);
}

/* ------------------------------------------------------------ TX ring scenarios */

static void sc_tdlen_zero(struct verdict *v)
{
	struct stats before;

	fill_sentinels();
	tx_private(SHORT_RING, 0);
	stats_now(&before);
	wr(E1000_TDLEN, 0);
	wr(E1000_TDT, 1);
	expect_reg(v, "TDLEN 0", E1000_TDLEN, "TDLEN", 0);
	expect_refused(v, "TDLEN 0", 0, 1, &before);
}

static void sc_tdlen_unaligned(struct verdict *v)
{
	static const uint32_t lens[] = { 100, 128 + 8 };
	struct stats before;

	fill_sentinels();
	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		char step[24];

		xt_snprintf(step, sizeof(step), "TDLEN %u", lens[i]);
		tx_private(SHORT_RING, 0);
		stats_now(&before);
		wr(E1000_TDLEN, lens[i]);
		wr(E1000_TDT, 1);
		/* Bits 6:0 read 0 (docs/e1000.md), the model keeps them to refuse the ring. */
		expect_reg(v, step, E1000_TDLEN, "TDLEN", lens[i] & ~0x7fU);
		expect_refused(v, step, 0, 1, &before);
	}
}

static void sc_tdt_beyond(struct verdict *v)
{
	struct stats before;

	fill_sentinels();
	tx_private(SHORT_RING, 0);
	stats_now(&before);
	wr(E1000_TDT, SHORT_RING + 5);
	expect_refused(v, "TDT beyond", 0, SHORT_RING + 5, &before);

	tx_private(SHORT_RING, 0);
	stats_now(&before);
	wr(E1000_TDH, SHORT_RING + 5);
	wr(E1000_TDT, 1);
	expect_refused(v, "TDH beyond", SHORT_RING + 5, 1, &before);
}

/* TDBAL/TDBAH = base: the ring must be refused, nothing read or written. */
static void tx_ring_at(struct verdict *v, const char *step, uint64_t base, uint32_t len)
{
	struct stats before;

	fill_sentinels();
	stats_now(&before);
	wr(E1000_TDBAL, (uint32_t)base);
	wr(E1000_TDBAH, (uint32_t)(base >> 32));
	wr(E1000_TDLEN, len);
	wr(E1000_TDH, 0);
	wr(E1000_TDT, 1);
	expect_reg(v, step, E1000_TDBAL, "TDBAL", (uint32_t)base & ~0xfU);
	expect_refused(v, step, 0, 1, &before);
}

static void sc_ring_outside_ram(struct verdict *v)
{
	tx_ring_at(v, "beyond RAM", outside, 128);
	tx_ring_at(v, "across the end of RAM", ram_end - 64, 128);
	tx_ring_at(v, "wrapping 2^64", 0xffffffffffffff80ULL, 128);
}

/* ------------------------------------------------------------ RX ring scenarios */

static void expect_no_rx(struct verdict *v, const char *step, const struct stats *before)
{
	struct stats now;
	unsigned with_dd = 0;

	for (unsigned i = 0; i < E1000_NUM_RX; i++)
		with_dd += !!(((volatile struct e1000_rx_desc *)&nic.dma.rx[i])->status &
			      E1000_RXD_STAT_DD);
	stats_now(&now);
	expect(v, !with_dd, "%s: %u RX descriptors written back", step, with_dd);
	expect(v, now.gprc == before->gprc && now.tpr == before->tpr,
	       "%s: GPRC +%lu TPR +%lu, want +0", step, (unsigned long)(now.gprc - before->gprc),
	       (unsigned long)(now.tpr - before->tpr));
}

static void sc_rdt_beyond(struct verdict *v)
{
	uint32_t rdh = rd(E1000_RDH);
	struct stats before;

	/* The driver's ring with RDT past its end: the peer's pong must not
	 * land anywhere (the peer has to wait, or drop it). */
	stats_now(&before);
	wr(E1000_RDT, E1000_NUM_RX + 5);
	expect_reg(v, "RDT beyond", E1000_RDT, "RDT", E1000_NUM_RX + 5);
	send_ping(v);
	hold();
	expect_reg(v, "RDT beyond", E1000_RDH, "RDH", rdh);
	expect_no_rx(v, "RDT beyond", &before);

	wr(E1000_RDH, E1000_NUM_RX + 6);
	wr(E1000_RDT, 5);
	send_ping(v);
	hold();
	expect_reg(v, "RDH beyond", E1000_RDH, "RDH", E1000_NUM_RX + 6);
	expect_reg(v, "RDH beyond", E1000_RDT, "RDT", 5);
	expect_no_rx(v, "RDH beyond", &before);
	expect_sent(v, "pings", &before, 2); /* TX still works meanwhile */
}

/* ------------------------------------------------------------ rings in BAR0 */

static void sc_ring_in_bar(struct verdict *v)
{
	uint64_t rxregs = bar0 + E1000_RDBAL;
	struct stats before;

	/* An RX ring on the RX ring registers: the peer's pong must not be
	 * written back into the device. First, while the driver's TX ring
	 * still sends the ping. */
	stats_now(&before);
	wr(E1000_RDBAL, (uint32_t)rxregs);
	wr(E1000_RDBAH, 0);
	wr(E1000_RDLEN, 128);
	wr(E1000_RDH, 0);
	wr(E1000_RDT, 1);
	send_ping(v);
	hold();
	expect_reg(v, "RX ring on the RX registers", E1000_RDBAL, "RDBAL", (uint32_t)rxregs);
	expect_reg(v, "RX ring on the RX registers", E1000_RDLEN, "RDLEN", 128);
	expect_reg(v, "RX ring on the RX registers", E1000_RDH, "RDH", 0);
	expect_reg(v, "RX ring on the RX registers", E1000_RDT, "RDT", 1);
	expect_no_rx(v, "RX ring on the RX registers", &before);
	expect_sent(v, "ping", &before, 1);

	tx_ring_at(v, "TX ring at BAR0", bar0, 128);
	/* Write-back there would land on TDH and TDT themselves. */
	tx_ring_at(v, "TX ring on the TX registers", bar0 + E1000_TDBAL, 128);
}

/* ------------------------------------------------------------ bad buffers */

static void sc_buf_outside_ram(struct verdict *v)
{
	uint8_t eop = E1000_TXD_CMD_EOP | TXD_LEGACY;

	fill_frame();
	tx_private(16, 0);
	txd(0, outside, ETH_ZLEN, eop);
	txd(1, ram_end - 30, ETH_ZLEN, eop); /* across the end of RAM */
	txd(2, WRAP_ADDR, ETH_ZLEN, eop);
	txd(3, addr_of(priv.buf), 30, TXD_LEGACY); /* a good first buffer ... */
	txd(4, outside, 30, eop);                  /* ... and a bad second one */
	kick_expect_dropped(v, "bad buffers", 0, 5, 16);
}

static void sc_buf_in_bar(struct verdict *v)
{
	uint8_t eop = E1000_TXD_CMD_EOP | TXD_LEGACY;

	fill_frame();
	tx_private(16, 0);
	txd(0, bar0, ETH_ZLEN, eop);
	txd(1, bar0 - 32, 64, eop);                             /* into BAR0 from below */
	txd(2, bar0 + BAR0_SIZE - 16, ETH_ZLEN, eop); /* out of its end */
	kick_expect_dropped(v, "buffers in BAR0", 0, 3, 16);
}

static void sc_zero_len(struct verdict *v)
{
	fill_frame();
	tx_private(16, 0);
	txd(0, addr_of(priv.buf), 0, TXD_LEGACY);
	txd(1, addr_of(priv.buf), ETH_ZLEN, E1000_TXD_CMD_EOP | TXD_LEGACY);
	txd(2, addr_of(priv.buf), 0, E1000_TXD_CMD_EOP | TXD_LEGACY);
	kick_expect_dropped(v, "zero-length descriptors", 0, 3, 16);
}

static void sc_no_eop(struct verdict *v)
{
	unsigned first = NO_EOP_START, end = (NO_EOP_START + NO_EOP_DESCS) % PRIV_TX;
	unsigned cut = (NO_EOP_START + MODEL_MAX_SEGS) % PRIV_TX;
	struct stats before;

	fill_frame();
	tx_private(PRIV_TX, first);
	for (unsigned k = 0; k < NO_EOP_DESCS; k++)
		txd(first + k, addr_of(priv.buf), NO_EOP_LEN, TXD_LEGACY);
	/* The first 64 are dropped as one frame; the other 36 wait for an EOP. */
	stats_now(&before);
	barrier();
	wr(E1000_TDT, end);
	expect(v, wait_reg(E1000_TDH, cut, opts.timeout_ms), "100 without EOP: TDH %u, want %u",
	       rd(E1000_TDH), cut);
	hold();
	expect_reg(v, "100 without EOP", E1000_TDH, "TDH", cut);
	expect_dd(v, "100 without EOP", first, MODEL_MAX_SEGS, PRIV_TX, true);
	expect_dd(v, "100 without EOP", cut, NO_EOP_DESCS - MODEL_MAX_SEGS, PRIV_TX, false);
	expect_sent(v, "100 without EOP", &before, 0);

	/* EOP on the last: 36 x 512 bytes, too long, dropped too. */
	txd(end + PRIV_TX - 1, addr_of(priv.buf), NO_EOP_LEN, E1000_TXD_CMD_EOP | TXD_LEGACY);
	kick_expect_dropped(v, "then EOP", cut, end, PRIV_TX);
}

static void sc_short_frame(struct verdict *v)
{
	uint32_t tctl = rd(E1000_TCTL);
	uint8_t eop = E1000_TXD_CMD_EOP | TXD_LEGACY;

	fill_frame();
	tx_private(16, 0);
	wr(E1000_TCTL, tctl & ~E1000_TCTL_PSP);
	txd(0, addr_of(priv.buf), 10, eop);
	kick_expect_dropped(v, "10 bytes without PSP", 0, 1, 16);
	wr(E1000_TCTL, tctl | E1000_TCTL_PSP); /* padding must not rescue it */
	txd(1, addr_of(priv.buf), ETH_HLEN - 1, eop);
	kick_expect_dropped(v, "13 bytes with PSP", 1, 2, 16);
	wr(E1000_TCTL, tctl);
}

static void sc_long_frame(struct verdict *v)
{
	fill_frame();
	tx_private(16, 0);
	txd(0, addr_of(priv.buf), 800, TXD_LEGACY);
	txd(1, addr_of(priv.buf) + 800, 800, E1000_TXD_CMD_EOP | TXD_LEGACY);
	txd(2, addr_of(priv.buf), ETH_FRAME_MAX + 5, E1000_TXD_CMD_EOP | TXD_LEGACY); /* 1519 */
	kick_expect_dropped(v, "1600 and 1519 bytes without LPE", 0, 3, 16);
}

static void sc_tso_desc(struct verdict *v)
{
	uint64_t b = addr_of(priv.buf);
	uint8_t eop = E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS;
	volatile struct e1000_tx_desc *d;

	fill_frame();
	tx_private(16, 0);
	/* Checksum offload before any context: BAD_OFFLOAD. */
	txd_ext(0, b, ETH_ZLEN, TXD_DTYP_DATA, eop, TXD_POPTS_TXSM, 0);
	/* A TSO context (PAYLEN 1000, HDRLEN 54), then a 200-byte TSE data
	 * descriptor: lengths not adding up, BAD_TSO (sane ones: tso_sent). */
	txd_context(1, TXD_CMD_TSE | E1000_TXD_CMD_RS);
	txd_ext(2, b, 200, TXD_DTYP_DATA, eop | TXD_CMD_TSE | E1000_TXD_CMD_IFCS, 0, 0);
	/* Reserved DTYP: BAD_DESC. */
	txd_ext(3, b, ETH_ZLEN, TXD_DTYP_RESERVED, eop, 0, 0);
	/* Legacy then data in one frame: BAD_DESC. */
	txd(4, b, 30, TXD_LEGACY);
	txd_ext(5, b + 30, 30, TXD_DTYP_DATA, eop, 0, 0);
	/* A context inside a frame (its TUCMD.TCP is not EOP): BAD_DESC. */
	txd(6, b, 30, TXD_LEGACY);
	txd_context(7, E1000_TXD_CMD_RS | 1);
	txd(8, b + 30, 30, E1000_TXD_CMD_EOP | TXD_LEGACY);
	/* Legacy IC with CSO past the end: BAD_OFFLOAD. */
	txd(9, b, ETH_ZLEN, E1000_TXD_CMD_EOP | TXD_CMD_IC | TXD_LEGACY);
	d = &priv.tx[9];
	d->css = ETH_HLEN;
	d->cso = ETH_ZLEN + 10;
	/* TXSM with the context's TUCSO (50) past a 40-byte frame: BAD_OFFLOAD. */
	txd_ext(10, b, 40, TXD_DTYP_DATA, eop, TXD_POPTS_TXSM, 0);
	kick_expect_dropped(v, "TSO, DTYP, mixed, offload", 0, 11, 16);
}

/*
 * Not bad input: a good TCP segmentation packet to the peer, as Linux's
 * e1000 queues one. The context of txd_context (PAYLEN 1000, HDRLEN 54,
 * MSS 536) with TSE, IPv4 and TCP; the prototype header (IP length and
 * checksum 0, TCP checksum = the pseudo-header sum without length) and
 * the payload in two data descriptors. The NIC must send two frames
 * (590 and 518 bytes) and hand the descriptors back, DD on the EOP one.
 * The peer counts them as frames that are not pings ("other 2").
 */
static void sc_tso_sent(struct verdict *v)
{
	static const uint8_t ips[8] = { 10, 0, 0, 1, 10, 0, 0, 2 };
	uint64_t b = addr_of(priv.buf);
	uint8_t *p = priv.buf, popts = TXD_POPTS_IXSM | TXD_POPTS_TXSM;
	uint8_t dcmd = E1000_TXD_CMD_IFCS | TXD_CMD_TSE;
	uint32_t seed = 6;
	struct stats before;

	memset(priv.buf, 0, 1054);
	eth_put_header(p, peer, nic.mac, 0x0800);
	p[14] = 0x45;
	p[22] = 64;
	p[23] = 6;
	memcpy(p + 26, ips, 8);
	put_be16(p + 34, 40000);
	put_be16(p + 36, 80);
	put_be32(p + 38, 0xfffffe00U); /* the sequence number wraps in frame 2 */
	p[46] = 0x50;
	p[47] = 0x18; /* PSH|ACK: PSH only in the last frame */
	put_be16(p + 48, 0xffff);
	for (unsigned i = 0; i < 8; i += 2)
		seed += get_be16(ips + i);
	seed = (seed & 0xffff) + (seed >> 16);
	seed = (seed & 0xffff) + (seed >> 16);
	put_be16(p + 50, (uint16_t)seed);
	for (unsigned i = 54; i < 1054; i++)
		p[i] = (uint8_t)(i * 7);
	tx_private(16, 0);
	txd_context(0, TXD_CMD_TSE | TXC_TUCMD_IP | TXC_TUCMD_TCP);
	txd_ext(1, b, 54, TXD_DTYP_DATA, dcmd, popts, 0);
	txd_ext(2, b + 54, 1000, TXD_DTYP_DATA, dcmd | E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, popts,
		0);
	stats_now(&before);
	barrier();
	wr(E1000_TDT, 3);
	expect(v, wait_reg(E1000_TDH, 3, opts.timeout_ms), "TSO: TDH %u, want 3", rd(E1000_TDH));
	hold();
	expect(v, dd(2), "TSO: no DD on the EOP descriptor");
	expect_sent(v, "TSO", &before, 2);
	/* Frames sent past the driver's own queue: its end-of-run check
	 * (GPTC between what it saw complete and what it queued) counts them. */
	nic.tx_frames += 2;
	nic.tx_done += 2;
}

/* ------------------------------------------------------------ RX buffers */

static void sc_rx_buf_outside_ram(struct verdict *v)
{
	static const char *const what[] = { "beyond RAM", "in BAR0", "across the end of RAM" };
	uint64_t bad[3] = { outside, bar0, ram_end - 40 };
	volatile uint8_t *tail = (volatile uint8_t *)(uintptr_t)(ram_end - 40);
	uint64_t base = addr_of(priv.rx);
	unsigned touched = 0;
	struct stats before, now;

	/* The part of the last buffer that is RAM must stay as it is. */
	for (unsigned i = 0; i < 40; i++)
		tail[i] = 0x5a;
	memset(priv.rx, 0, sizeof(priv.rx));
	for (unsigned i = 0; i < 3; i++)
		priv.rx[i].addr = bad[i];
	for (unsigned i = 3; i < PRIV_RX; i++)
		priv.rx[i].addr = addr_of(e1000_rx_buf(&nic, i));
	stats_now(&before);
	wr(E1000_RDBAL, (uint32_t)base);
	wr(E1000_RDBAH, (uint32_t)(base >> 32));
	wr(E1000_RDLEN, sizeof(priv.rx));
	wr(E1000_RDH, 0);
	wr(E1000_RDT, 3);

	/* Each ping's pong meets the next bad buffer: DD|EOP, RXE, length 0. */
	for (unsigned i = 0; i < 3; i++) {
		volatile struct e1000_rx_desc *d = &priv.rx[i];

		send_ping(v);
		expect(v, wait_reg(E1000_RDH, i + 1, opts.timeout_ms),
		       "%s: pong never reached the ring (RDH %u)", what[i], rd(E1000_RDH));
		expect(v, d->status == (E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP) &&
				  d->errors == RXD_ERR_RXE && d->length == 0,
		       "%s: status 0x%x errors 0x%x length %u, want 0x3/0x80/0", what[i],
		       d->status, d->errors, d->length);
		expect(v, d->addr == bad[i], "%s: buffer address changed to 0x%lx", what[i],
		       (unsigned long)d->addr);
	}
	hold();
	for (unsigned i = 3; i < PRIV_RX; i++)
		expect(v, !((volatile struct e1000_rx_desc *)&priv.rx[i])->status,
		       "descriptor %u written back", i);
	for (unsigned i = 0; i < 40; i++)
		touched += tail[i] != 0x5a;
	expect(v, !touched, "%u bytes of RAM below its end written", touched);
	expect_reg(v, "after", E1000_RDH, "RDH", 3);
	expect_reg(v, "after", E1000_RDBAL, "RDBAL", (uint32_t)base);
	stats_now(&now);
	expect(v, now.gprc == before.gprc && now.tpr - before.tpr == 3,
	       "GPRC +%lu TPR +%lu, want +0 and +3", (unsigned long)(now.gprc - before.gprc),
	       (unsigned long)(now.tpr - before.tpr));
	expect(v, now.gptc - before.gptc == 3, "GPTC +%lu, want +3 (the pings)",
	       (unsigned long)(now.gptc - before.gptc));
}

/* ------------------------------------------------------------ PCI BAR0 */

static uint32_t bar0_read(void)
{
	return pci_read32(&nic.pci, PCI_BAR0);
}

/* The NIC answers at nic.mmio: the link is up and RAL0/RAH0 hold our MAC. */
static void expect_nic_there(struct verdict *v, const char *step)
{
	uint32_t ral = (uint32_t)nic.mac[0] | (uint32_t)nic.mac[1] << 8 |
		       (uint32_t)nic.mac[2] << 16 | (uint32_t)nic.mac[3] << 24;

	expect_reg(v, step, E1000_RAL(0), "RAL0", ral);
	expect(v, rd(E1000_STATUS) & E1000_STATUS_LU, "%s: STATUS 0x%x, link down", step,
	       rd(E1000_STATUS));
}

/* Write BAR0; decode: leave COMMAND.MEMORY on while doing it. Switches
 * nic.mmio to wherever the BAR reads back (interrupts are off meanwhile). */
static uint32_t bar0_write(uint32_t val, bool decode)
{
	uint16_t cmd = pci_read16(&nic.pci, PCI_COMMAND);
	uint32_t got;

	irqs_off();
	if (!decode)
		pci_write16(&nic.pci, PCI_COMMAND, cmd & (uint16_t)~PCI_COMMAND_MEMORY);
	pci_write32(&nic.pci, PCI_BAR0, val);
	got = bar0_read();
	if (!decode)
		pci_write16(&nic.pci, PCI_COMMAND, cmd);
	nic.mmio = (volatile uint8_t *)(uintptr_t)(got & ~0xfU);
	irqs_on();
	return got;
}

static void sc_pci_bar_move(struct verdict *v)
{
	uint32_t mask, got;
	struct pci_bar b;
	uint16_t cmd;

	/* Sizing as Linux does it (decoding off meanwhile), and once more
	 * with decoding left on: afterwards BAR0 is where it was. */
	irqs_off();
	pci_bar_probe(&nic.pci, 0, &b);
	cmd = pci_read16(&nic.pci, PCI_COMMAND);
	irqs_on();
	expect(v, !b.io && b.base == bar0 && b.size == BAR0_SIZE,
	       "sizing: %s BAR at 0x%lx size 0x%lx", b.io ? "I/O" : "memory",
	       (unsigned long)b.base, (unsigned long)b.size);
	expect(v, (cmd & (PCI_COMMAND_MEMORY | PCI_COMMAND_IO | PCI_COMMAND_MASTER)) ==
			  (PCI_COMMAND_MEMORY | PCI_COMMAND_IO | PCI_COMMAND_MASTER),
	       "sizing: COMMAND 0x%x afterwards", cmd);
	irqs_off();
	pci_write32(&nic.pci, PCI_BAR0, 0xffffffffU);
	mask = bar0_read();
	pci_write32(&nic.pci, PCI_BAR0, bar0);
	got = bar0_read();
	irqs_on();
	expect(v, mask == (uint32_t)~(BAR0_SIZE - 1) && got == bar0,
	       "sizing with decoding on: mask 0x%x, then BAR0 0x%x", mask, got);
	expect_nic_there(v, "after sizing");

	/* Moves that must be refused: BAR0 keeps reading and decoding the old address. */
	for (unsigned i = 0; i < sizeof(bar0_refused) / sizeof(bar0_refused[0]); i++) {
		char step[40];

		xt_snprintf(step, sizeof(step), "move to 0x%x", bar0_refused[i]);
		got = bar0_write(bar0_refused[i], true);
		expect(v, got == bar0, "%s: BAR0 reads 0x%x, want 0x%x (refused)", step, got, bar0);
		if (got != bar0)
			bar0_write(bar0, true);
		expect_nic_there(v, step);
	}
	ping_once(v, "at the old address");

	/* A legal move (decoding off meanwhile, as Linux), use it, move back
	 * (decoding on). */
	got = bar0_write(BAR0_LEGAL, false);
	expect(v, got == BAR0_LEGAL, "move to 0x%x: BAR0 reads 0x%x", BAR0_LEGAL, got);
	expect_nic_there(v, "at the new address");
	ping_once(v, "at the new address");
	got = bar0_write(bar0, true);
	expect(v, got == bar0, "move back: BAR0 reads 0x%x, want 0x%x", got, bar0);
	expect_nic_there(v, "moved back");
}

/* ------------------------------------------------------------ the run */

struct scenario {
	const char *name;
	void (*run)(struct verdict *v);
	unsigned pings; /* pings it sends the peer (answered or not) */
};

static const struct scenario scenarios[] = {
	{ "tdlen_zero", sc_tdlen_zero, 0 },
	{ "tdlen_unaligned", sc_tdlen_unaligned, 0 },
	{ "tdt_beyond", sc_tdt_beyond, 0 },
	{ "rdt_beyond", sc_rdt_beyond, 2 },
	{ "ring_outside_ram", sc_ring_outside_ram, 0 },
	{ "ring_in_bar", sc_ring_in_bar, 1 },
	{ "buf_outside_ram", sc_buf_outside_ram, 0 },
	{ "buf_in_bar", sc_buf_in_bar, 0 },
	{ "zero_len", sc_zero_len, 0 },
	{ "no_eop", sc_no_eop, 0 },
	{ "short_frame", sc_short_frame, 0 },
	{ "long_frame", sc_long_frame, 0 },
	{ "tso_desc", sc_tso_desc, 0 },
	{ "tso_sent", sc_tso_sent, 0 },
	{ "rx_buf_outside_ram", sc_rx_buf_outside_ram, 3 },
	{ "pci_bar_move", sc_pci_bar_move, 2 },
};
#define NUM_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* The pings the peer must answer: the first, each scenario's, one per recovery. */
static unsigned pings_total(void)
{
	unsigned n = 1;

	for (unsigned i = 0; i < NUM_SCENARIOS; i++)
		n += scenarios[i].pings + 1;
	return n;
}

/* Reset through the I/O window, bring the NIC up again, one ping. */
static bool recover(const char *name)
{
	struct verdict v = { 0 };
	unsigned late = late_pongs;
	int rc = e1000_reinit(&nic);

	expect(&v, !rc, "reinit: error %d", rc);
	if (!rc)
		ping_once(&v, "ping");
	if (late_pongs != late)
		print(NAME ": %s: %u held-back pongs arrived after the reset\n", name,
		      late_pongs - late);
	verdict_print(name, "recovered", &v);
	return !v.fails;
}

static bool run(const struct scenario *s)
{
	struct verdict v = { 0 };
	uint32_t seq0 = next_seq, want_seq = seq0 + s->pings;
	struct regs before;

	regs_read(&before);
	s->run(&v);
	expect_regs(&v, "afterwards", &before);
	expect(&v, next_seq == want_seq, "sent %u pings, expected %u", next_seq - seq0, s->pings);
	/* Keep the peer's count whatever happened. */
	while (next_seq < want_seq)
		send_ping(&v);
	verdict_print(s->name, "contained", &v);
	return !v.fails;
}

/* Top of RAM from the e820 map in boot_params. */
static uint64_t ram_top(const uint8_t *bp)
{
	unsigned n = bp[E820_ENTRIES];
	uint64_t top = 0;

	for (unsigned i = 0; i < n && i < E820_MAX; i++) {
		const uint8_t *e = bp + E820_TABLE + 20 * i;
		uint64_t addr, size;
		uint32_t type;

		memcpy(&addr, e, 8);
		memcpy(&size, e + 8, 8);
		memcpy(&type, e + 16, 4);
		if (type == E820_RAM && addr + size > top)
			top = addr + size;
	}
	return top;
}

long guest_main(const uint8_t *bp)
{
	unsigned contained = 0, recovered = 0;
	uint64_t settle;
	bool present;
	long errors;
	int rc;

	if (!cmdline_is(bp, "role", "bad")) {
		print(NAME ": role=bad peer=MAC [settle=MS]\n");
		return NETGUEST_EXIT_USAGE;
	}
	if (!netguest_mac(NAME, bp, "peer", true, peer, &present) ||
	    !netguest_opt(NAME, bp, "settle", SETTLE_MS, 1, 60000, &settle))
		return NETGUEST_EXIT_USAGE;
	settle_ms = (unsigned)settle;
	ram_end = ram_top(bp);
	if (ram_end < 0x200000 || ram_end > 0xc0000000ULL) {
		print(NAME ": cannot tell where RAM ends from the e820 map (0x%lx)\n",
		      (unsigned long)ram_end);
		return NETGUEST_EXIT_USAGE;
	}
	outside = ram_end > OUTSIDE_MIN ? ram_end : OUTSIDE_MIN;
	rc = netguest_init(NAME, bp, &nic, &opts);
	if (rc)
		return rc;
	bar0 = (uint32_t)(uintptr_t)nic.mmio;
	print(NAME ": RAM ends at 0x%lx, bad addresses 0x%lx, BAR0 0x%x; %u scenarios, the peer "
	      "answers %u pings\n",
	      (unsigned long)ram_end, (unsigned long)outside, bar0, (unsigned)NUM_SCENARIOS,
	      pings_total());

	{
		struct verdict v = { 0 };

		ping_once(&v, "ping");
		verdict_print("first ping", "ok", &v);
		errors = v.fails ? 1 : 0;
	}
	for (unsigned i = 0; i < NUM_SCENARIOS; i++) {
		contained += run(&scenarios[i]);
		recovered += recover(scenarios[i].name);
	}
	print(NAME ": %u scenarios, %u contained, %u recovered\n", (unsigned)NUM_SCENARIOS, contained,
	      recovered);
	if (late_pongs || other_frames)
		print(NAME ": late pongs %u, other frames %u\n", late_pongs, other_frames);
	errors += (long)(2 * NUM_SCENARIOS - contained - recovered);
	return errors + netguest_finish(NAME, &nic);
}
