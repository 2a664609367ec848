/* SPDX-License-Identifier: MIT */
/*
 * The cross-talk register and interrupt sequence, asserted from inside the
 * guests (guests/README.md), kvm-unit-tests style:
 *   role=send peer=MAC [rounds=R] [n=N]
 *   role=recv peer=MAC [rounds=R] [n=N]
 * plus the common keys of netguest.h (irq mode only; buf defaults to 4096).
 *
 * Per round the sender queues N data frames with one TDT write and checks at
 * once that nothing completed (TDH, DD, ICR.TXDW); then it sleeps until all N
 * are done (t_done). The receiver, woken by its RX interrupt, checks RDH, the
 * descriptors and every byte, takes t_read before it gives the buffers back
 * with one RDT write, and reports t_read to the sender, which checks that
 * the frames were read before its transmit completed. Exit status: failed
 * checks.
 *
 * Frames (ethertype 0x88b8): magic "DATA" | u32 round | u32 index | u16 length
 * | PRNG bytes (seeded by round and index; 256..1514 bytes, the length drawn
 * from the same PRNG), and control frames "UP!!" (receiver, until HELLO),
 * "HELLO" / "READY" (256 bytes, so that they take the same path as the data),
 * "READ" | u32 round | u64 t_read (receiver -> sender, 60 bytes) and "STOP"
 * (the sender gave up: the receiver must not sleep on forever).
 */
#include <string.h>

#include "cmdline.h"
#include "ether.h"
#include "guest.h"
#include "netguest.h"
#include "pic.h"
#include "rand.h"
#include "tsc.h"

#define NAME "netseq"
#define SEQ_TYPE 0x88b8
#define OFF_MAGIC ETH_HLEN
#define OFF_ROUND (OFF_MAGIC + 4)
#define OFF_INDEX (OFF_ROUND + 4)
#define OFF_TREAD (OFF_ROUND + 4) /* READ: u64 as two big-endian u32 */
#define OFF_LEN (OFF_INDEX + 4)
#define OFF_PAYLOAD (OFF_LEN + 2)
#define DATA_MIN 256 /* the VMM copies shorter frames instead of sharing pages */
#define CTRL_LEN 256
#define UP_MS 200
#define MAX_N E1000_MAX_BATCH
#define SLICE_WAIT_MS 100 /* longest wait for that */

static struct e1000_nic nic;
static struct net_opts opts;
static uint8_t peer[ETH_ALEN];
static uint8_t rx[ETH_FRAME_MAX];
static uint8_t txf[MAX_N][ETH_FRAME_MAX];
static uint8_t want[ETH_FRAME_MAX];

/* ------------------------------------------------------------ frames */

static size_t build_data(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint32_t round,
			 uint32_t idx)
{
	struct rng r;
	size_t len;

	rng_seed(&r, SEQ_TYPE, (uint64_t)round << 32 | idx);
	len = DATA_MIN + rng_below(&r, ETH_FRAME_MAX - DATA_MIN + 1);
	eth_put_header(f, dst, src, SEQ_TYPE);
	memcpy(f + OFF_MAGIC, "DATA", 4);
	put_be32(f + OFF_ROUND, round);
	put_be32(f + OFF_INDEX, idx);
	put_be16(f + OFF_LEN, (uint16_t)len);
	rng_fill(&r, f + OFF_PAYLOAD, len - OFF_PAYLOAD);
	return len;
}

static int send_ctrl(const uint8_t *dst, const char *magic, uint32_t round, uint64_t t)
{
	uint8_t f[CTRL_LEN];
	size_t len = strcmp(magic, "READ") ? CTRL_LEN : ETH_ZLEN;

	memset(f, 0, sizeof(f));
	eth_put_header(f, dst, nic.mac, SEQ_TYPE);
	memcpy(f + OFF_MAGIC, magic, 4);
	put_be32(f + OFF_ROUND, round);
	put_be32(f + OFF_TREAD + 4, (uint32_t)(t >> 32));
	put_be32(f + OFF_TREAD + 8, (uint32_t)t);
	return e1000_send(&nic, f, len);
}

/* A control frame of ours from the peer with this magic. */
static bool is_ctrl(int n, const char *magic)
{
	return n >= ETH_ZLEN && eth_type(rx) == SEQ_TYPE && mac_eq(rx + ETH_OFF_DST, nic.mac) &&
	       mac_eq(rx + ETH_OFF_SRC, peer) && !memcmp(rx + OFF_MAGIC, magic, 4);
}

/* Poll (never HLT: no timer would wake us) for a control frame until
 * deadline; resend `again` every UP_MS if given. */
static bool await_ctrl(const char *magic, uint64_t deadline, const char *again)
{
	uint64_t next = 0;

	for (;;) {
		int n;

		if (again && tsc_expired(next)) {
			send_ctrl(peer, again, 0, 0);
			next = tsc_deadline_ms(UP_MS);
		}
		while ((n = e1000_recv_until(&nic, rx, sizeof(rx), 0)) > 0)
			if (is_ctrl(n, magic))
				return true;
		if (tsc_expired(deadline))
			return false;
		cpu_relax();
	}
}

/* A frame the sender did not expect: said once per round (a report whose
 * header got damaged on the way shows up here). */
static void other_frame(uint32_t round, int len)
{
	static uint32_t said = UINT32_MAX;

	if (said == round)
		return;
	said = round;
	print(NAME ": round %u: unexpected frame, %d bytes: dst " MAC_FMT " src " MAC_FMT
	      " type 0x%04x magic %02x%02x%02x%02x\n",
	      round, len, MAC_ARGS(rx + ETH_OFF_DST), MAC_ARGS(rx + ETH_OFF_SRC), eth_type(rx),
	      rx[OFF_MAGIC], rx[OFF_MAGIC + 1], rx[OFF_MAGIC + 2], rx[OFF_MAGIC + 3]);
}

/*
 * Spin with interrupts off until the VMM preempts us, so that what follows
 * starts a fresh time slice and the TDT write and the checks after it are
 * not split by the scheduler (the TDT exit alone, which moves the frames,
 * takes a good part of a slice). A preemption shows as a jump in the TSC: a
 * spin iteration takes a few cycles, a VM exit and entry hundreds; half a
 * microsecond is the line. Gives up after max_ms. Returns the jump (0: none).
 */
static uint64_t sync_to_slice(unsigned max_ms)
{
	uint64_t end = tsc_deadline_ms(max_ms), gap = tsc_mhz() / 2, prev = rdtsc();

	for (;;) {
		uint64_t now = rdtsc();

		if (now - prev > gap)
			return now - prev;
		if (tsc_expired(end))
			return 0;
		prev = now;
	}
}

static uint8_t tx_status(unsigned slot)
{
	return ((volatile struct e1000_tx_desc *)&nic.dma.tx[slot % E1000_NUM_TX])->status;
}

/* ------------------------------------------------------------ sender */

static void do_send(uint32_t rounds, unsigned n)
{
	const void *frames[MAX_N];
	size_t lens[MAX_N];

	if (!await_ctrl("UP!!", tsc_deadline_ms(opts.start_ms), NULL)) {
		report(false, "receiver " MAC_FMT " came up within %u ms", MAC_ARGS(peer),
		       opts.start_ms);
		return;
	}
	/* Only now the first frame: every frame of ours reaches the receiver,
	 * so our TX slot i and its RX slot i stay in step. */
	send_ctrl(peer, "HELLO", 0, 0);
	if (!await_ctrl("READY", tsc_deadline_ms(opts.timeout_ms), NULL)) {
		report(false, "receiver answered HELLO within %u ms", opts.timeout_ms);
		return;
	}
	xt_dump();
	for (uint32_t r = 0; r < rounds; r++) {
		unsigned first, dd = 0, done;
		uint32_t tdh, icr_kick, bytes = 0;
		uint64_t t_kick, t_check, t_done = 0, t_read = 0, deadline;
		bool got_report = false, txdw;
		int rc;

		for (unsigned i = 0; i < n; i++) {
			lens[i] = build_data(txf[i], peer, nic.mac, r, i);
			frames[i] = txf[i];
			bytes += (uint32_t)lens[i];
		}
		if (e1000_tx_free(&nic) < n) {
			report(false, "round %u: %u free TX descriptors", r, n);
			return;
		}
		first = nic.tx_tail;

		/* The TDT write and the checks with interrupts off: nothing
		 * the handler does can hide what the NIC shows right after. */
		irq_disable();
		sync_to_slice(SLICE_WAIT_MS);
		(void)e1000_icr_read(&nic); /* stale causes (accounted), so what follows is new */
		nic.icr_log = 0;
		t_kick = rdtsc();
		rc = e1000_send_batch(&nic, frames, lens, n);
		tdh = e1000_rd(&nic, E1000_TDH);
		for (unsigned i = 0; i < n; i++)
			dd += !!(tx_status(first + i) & E1000_TXD_STAT_DD);
		(void)e1000_icr_read(&nic);
		icr_kick = nic.icr_log;
		t_check = rdtsc();
		irq_enable();

		if (rc) {
			report(false, "round %u: queue %u frames (error %d)", r, n, rc);
			return;
		}
		report(tdh == first, "round %u: TDH %u right after the TDT write (queued at %u)", r,
		       tdh, first);
		report(dd == 0, "round %u: %u of %u descriptors DD right after the TDT write", r, dd,
		       n);
		report(!(icr_kick & E1000_ICR_TXDW),
		       "round %u: ICR 0x%x right after the TDT write, no TXDW", r, icr_kick);

		/* Sleep until the transmit interrupt says they are done. */
		deadline = tsc_deadline_ms(opts.timeout_ms);
		for (;;) {
			done = 0;
			for (unsigned i = 0; i < n; i++)
				done += !!(tx_status(first + i) & E1000_TXD_STAT_DD);
			if (done == n) {
				t_done = rdtsc();
				break;
			}
			if (tsc_expired(deadline))
				break;
			e1000_wait(&nic);
		}
		report(done == n, "round %u: %u of %u frames completed within %u ms", r, done, n,
		       opts.timeout_ms);
		if (done == n && !(nic.icr_log & E1000_ICR_TXDW))
			(void)e1000_icr_read(&nic); /* raised, handler not run yet */
		txdw = nic.icr_log & E1000_ICR_TXDW;
		report(txdw, "round %u: ICR had TXDW at completion (0x%x)", r, nic.icr_log);
		e1000_tx_reclaim(&nic);

		/* The receiver's report: when it had read the frames (polled:
		 * its interrupt may have come and gone during the wait above). */
		deadline = tsc_deadline_ms(opts.timeout_ms);
		while (!got_report && !tsc_expired(deadline)) {
			int len = e1000_recv_until(&nic, rx, sizeof(rx), 0);

			if (!len)
				cpu_relax();
			else if (is_ctrl(len, "READ") && get_be32(rx + OFF_ROUND) == r)
				got_report = true;
			else
				other_frame(r, len);
		}
		if (got_report)
			t_read = (uint64_t)get_be32(rx + OFF_TREAD + 4) << 32 |
				 get_be32(rx + OFF_TREAD + 8);
		else
			print(NAME ": round %u: no READ: RDH %u, next %u (status 0x%x)\n", r,
			      e1000_rd(&nic, E1000_RDH), nic.rx_next,
			      ((volatile struct e1000_rx_desc *)&nic.dma.rx[nic.rx_next])->status);
		report(got_report, "round %u: READ report from the receiver within %u ms", r,
		       opts.timeout_ms);
		report(got_report && done == n && t_read < t_done,
		       "round %u: read by the receiver (t_read %lu) before TX completion (t_done %lu)",
		       r, (unsigned long)t_read, (unsigned long)t_done);
		print(NAME ": round %u: sent %u frames (%u bytes) with 1 TDT write; at the write: "
		      "TDH +%u, DD %u/%u, TXDW %s (checked %lu cycles later); completed %u/%u after "
		      "%lu cycles, TXDW %s; t_read %lu %s t_done %lu\n",
		      r, n, bytes, (tdh - first) % E1000_NUM_TX, dd, n,
		      icr_kick & E1000_ICR_TXDW ? "yes" : "no", (unsigned long)(t_check - t_kick), done, n,
		      (unsigned long)(done == n ? t_done - t_kick : 0), txdw ? "yes" : "no",
		      (unsigned long)t_read, t_read < t_done ? "<" : ">=", (unsigned long)t_done);
		if (!got_report || done != n) {
			send_ctrl(peer, "STOP", r, 0); /* or the receiver sleeps on forever */
			return;
		}
	}
}

/* ------------------------------------------------------------ receiver */

/* Sleep until the RX interrupt after snap, with frames there. Frames
 * without an interrupt are waited for by spinning (to time out, not hang). */
static bool await_rx_irq(uint64_t snap, uint64_t deadline)
{
	for (;;) {
		bool frames;

		irq_disable();
		frames = e1000_rx_peek(&nic, 0) != NULL;
		if (nic.irq_rx != snap && frames) {
			irq_enable();
			return true;
		}
		if (tsc_expired(deadline)) {
			irq_enable();
			return false;
		}
		if (frames) {
			irq_enable();
			cpu_relax();
			continue;
		}
		nic.sleeps++;
		irq_enable_and_halt(); /* the interrupt is taken right after the STI */
	}
}

static void do_recv(uint32_t rounds, unsigned n)
{
	uint64_t snap;
	uint32_t rdh_prev;

	if (!await_ctrl("HELLO", tsc_deadline_ms(opts.start_ms), "UP!!")) {
		report(false, "sender " MAC_FMT " said HELLO within %u ms", MAC_ARGS(peer),
		       opts.start_ms);
		return;
	}
	xt_dump();
	irq_disable();
	snap = nic.irq_rx;
	irq_enable();
	rdh_prev = e1000_rd(&nic, E1000_RDH);
	send_ctrl(peer, "READY", 0, 0);
	for (uint32_t r = 0; r < rounds; r++) {
		unsigned present = 0, desc_ok = 0, len_ok = 0, data_ok = 0, bad_k = 0, bad_at = 0;
		bool differs = false;
		uint32_t rdh, icr, bytes = 0;
		uint64_t t_read;
		bool irq = await_rx_irq(snap, tsc_deadline_ms(opts.timeout_ms));
		const uint8_t *f0 = e1000_rx_buf(&nic, nic.rx_next);

		if (irq && e1000_rx_peek(&nic, 0)->length >= ETH_ZLEN && eth_type(f0) == SEQ_TYPE &&
		    !memcmp(f0 + OFF_MAGIC, "STOP", 4)) {
			report(false, "round %u: the sender gave up (STOP)", r);
			e1000_rx_return(&nic, 1);
			return;
		}
		icr = nic.last_rx_icr;
		report(irq, "round %u: RX interrupt with frames within %u ms", r, opts.timeout_ms);
		report(irq && (icr & E1000_ICR_RXT0), "round %u: the handler read ICR 0x%x, RXT0 set",
		       r, icr);
		rdh = e1000_rd(&nic, E1000_RDH);
		report(rdh == (rdh_prev + n) % E1000_NUM_RX, "round %u: RDH %u -> %u, moved by %u",
		       r, rdh_prev, rdh, n);
		for (unsigned k = 0; k < n; k++) {
			volatile struct e1000_rx_desc *d = e1000_rx_peek(&nic, k);
			const uint8_t *buf;
			size_t wl;

			if (!d)
				break;
			present++;
			wl = build_data(want, nic.mac, peer, r, k);
			if ((d->status & (E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP)) ==
				    (E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP) &&
			    !d->errors)
				desc_ok++;
			else if (desc_ok == k)
				print(NAME ": round %u: descriptor %u: status 0x%x errors 0x%x\n", r,
				      k, d->status, d->errors);
			if (d->length != wl + ETH_FCS_LEN)
				continue;
			len_ok++;
			buf = e1000_rx_buf(&nic, (nic.rx_next + k) % E1000_NUM_RX);
			if (!memcmp(buf, want, wl)) {
				data_ok++;
				bytes += (uint32_t)wl;
			} else if (!differs) {
				differs = true;
				bad_k = k;
				while (bad_at < wl && buf[bad_at] == want[bad_at])
					bad_at++;
			}
		}
		t_read = rdtsc(); /* everything read; the buffers are still ours */
		report(present == n && e1000_rx_peek(&nic, n) == NULL,
		       "round %u: %u completed descriptors, want exactly %u", r, present, n);
		report(desc_ok == n, "round %u: %u of %u descriptors DD|EOP without errors", r,
		       desc_ok, n);
		report(len_ok == n, "round %u: %u of %u lengths right", r, len_ok, n);
		report(data_ok == n, "round %u: %u of %u frames byte-exact", r, data_ok, n);
		if (differs)
			print(NAME ": round %u: frame %u differs at byte %u\n", r, bad_k, bad_at);

		irq_disable();
		snap = nic.irq_rx;
		irq_enable();
		e1000_rx_return(&nic, present); /* one RDT write: the sender's frames complete */
		send_ctrl(peer, "READ", r, t_read);
		print(NAME ": round %u: received %u frames (%u bytes): irq ICR 0x%x, RDH +%u, "
		      "DD|EOP %u/%u, lengths %u/%u, data %u/%u; t_read %lu, then 1 RDT write\n",
		      r, present, bytes, icr, (rdh + E1000_NUM_RX - rdh_prev) % E1000_NUM_RX,
		      desc_ok, n, len_ok, n, data_ok, n, (unsigned long)t_read);
		rdh_prev = rdh;
		if (!irq)
			return;
	}
}

long guest_main(const uint8_t *bp)
{
	bool sender = cmdline_is(bp, "role", "send"), have_peer;
	uint64_t rounds, n;
	long bad;
	int rc;

	if (!sender && !cmdline_is(bp, "role", "recv")) {
		print(NAME ": role=send or role=recv\n");
		return NETGUEST_EXIT_USAGE;
	}
	if (!netguest_mac(NAME, bp, "peer", true, peer, &have_peer) ||
	    !netguest_opt(NAME, bp, "rounds", 8, 1, 1000000, &rounds) ||
	    !netguest_opt(NAME, bp, "n", 16, 1, MAX_N, &n))
		return NETGUEST_EXIT_USAGE;
	if (cmdline_get(bp, "mode") && !cmdline_is(bp, "mode", "irq")) {
		print(NAME ": irq mode only\n");
		return NETGUEST_EXIT_USAGE;
	}
	rc = netguest_init_def(NAME, bp, &nic, &opts, E1000_IRQ, E1000_BUF_MAX);
	if (rc)
		return rc;
	print(NAME ": %s, peer " MAC_FMT ", %lu rounds of %lu frames\n",
	      sender ? "sender" : "receiver", MAC_ARGS(peer), (unsigned long)rounds,
	      (unsigned long)n);
	if (sender)
		do_send((uint32_t)rounds, (unsigned)n);
	else
		do_recv((uint32_t)rounds, (unsigned)n);
	e1000_tx_drain(&nic, opts.timeout_ms);
	xt_dump();
	bad = netguest_finish(NAME, &nic);
	report(bad == 0, "driver counter check (%ld problems)", bad);
	return report_summary();
}
