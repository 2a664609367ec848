/* SPDX-License-Identifier: MIT */
/*
 * The benchmark guest of `make bench` (tests/bench/bench.py, guests/README.md):
 *   role=tx path=P peer=MAC [guests=G] [sizes=S,..] [batches=B,..]
 *           [layout=aligned,linux,jumbo] [jsizes=S,..] [tso=1]
 *           [modes=irq,poll] [count=N] [rtt=M] [warmup=W] [outside=1] [dump=1]
 *   role=rx peer=MAC
 *   role=idle
 * plus the common keys of netguest.h (not mode=: the sender's modes= drives
 * both ends) and rdtbatch= (default 32 here, at most 32).
 *
 * The tx guest drives: for each mode, each size and each batch it streams
 * count frames to the rx guest (batch descriptors per TDT write), waits for
 * every TX completion and for the receiver's DONE, and prints one `bench:
 * kind=stream ...` line with the TSC and the VMM's machine-wide counters
 * (hypercall XTALK_HC_COUNTERS) over the stream. Once, before the rows, an
 * unmeasured warm-up (W frames of 1514 bytes each way, one direction at a
 * time, so that the VMM has paired every TX/RX page of both directions: the
 * rows show the steady state); per (mode, size), before its streams, rtt
 * ping-pongs whose average goes into the rows of that size and mode
 * (dump=1: xt_dump() around every measured stream). The rx guest follows
 * the sender's control frames (frame.h): it switches its NIC's mode (IMS),
 * checks every frame in place (header, size, sequence, 3 payload bytes) and
 * gives the descriptors back rdtbatch at a time. With outside=1 there is no
 * rx guest: the frames leave through the physical NIC and only the TX
 * completions are waited for. role=idle only brings its NIC up and sleeps:
 * it makes the network bigger (scaling rows).
 */
#include <string.h>

#include "cmdline.h"
#include "ether.h"
#include "frame.h"
#include "guest.h"
#include "layout.h"
#include "netguest.h"
#include "pic.h"
#include "tsc.h"

#define NAME "netbench"
#define UP_MS 200
#define RELAYOUT_UP_MS 5 /* UP interval after a layout change */
#define RX_MAX_DESC 8 /* RX descriptors of one frame (jumbo: 3) */
#define MAX_LIST 8
#define MAX_COUNT 1000000
#define MAX_RTT 100000
#define MAX_RDTBATCH 32
#define DEF_RDTBATCH 32
#define DEF_WARMUP 600 /* two laps of the 256-slot rings and some */
#define WARMUP_BATCH 16
#define MEMCPY_LEN 1514
#define MEMCPY_ROUNDS 1000
#define MAX_REPORTS 5
#define PATH_MAX_LEN 15
#define SYNC_MAX_MS 50 /* longest wait for a preemption (slices: 2 ms by default) */
#define NB_IMS (E1000_ICR_RXT0 | E1000_ICR_TXDW | E1000_ICR_LSC | E1000_ICR_RXDMT0 | E1000_ICR_RXO)

static struct e1000_nic nic;
static struct net_opts opts;
static uint8_t peer[ETH_ALEN];
static unsigned rdtbatch = DEF_RDTBATCH;
static unsigned rx_held; /* descriptors looked at in place, not given back yet */
/* The frame rx_peek returned: its first descriptor and how many it spans. */
static unsigned cur_first, cur_ndesc = 1;
/* The receiver's current stream: layout, TSO, data size (CONFIG's c). */
static struct nb_spec rspec;
static unsigned long errors, other, reports;
/* Frame templates, one per descriptor of a batch; rows 8-byte aligned so
 * that the driver's memcpy into the TX buffer is equally fast for all. */
#define TMPL_STRIDE 1536
static uint8_t tmpl[E1000_MAX_BATCH][TMPL_STRIDE] __attribute__((aligned(64)));
static uint8_t ctl[NB_MAX] __attribute__((aligned(64)));

static const char *mode_name(enum e1000_mode m)
{
	return m == E1000_IRQ ? "irq" : "poll";
}

/* An error worth a line: the first MAX_REPORTS are printed. */
static bool report_error(void)
{
	errors++;
	return reports++ < MAX_REPORTS;
}

/* ------------------------------------------------------------ NIC */

/*
 * Interrupts on or off, the driver's waits with them. The NIC was probed in
 * irq mode (handler registered, line unmasked at the PIC), so only IMS
 * changes: IMC clears every cause in poll mode, and ICR is read so that no
 * stale cause raises the line when irq mode comes back.
 */
static void set_mode(enum e1000_mode m)
{
	if (m == nic.mode)
		return;
	irq_disable();
	if (m == E1000_IRQ) {
		(void)e1000_icr_read(&nic);
		nic.events = 0;
		nic.mode = E1000_IRQ;
		e1000_wr(&nic, E1000_IMS, NB_IMS);
	} else {
		e1000_wr(&nic, E1000_IMC, 0xffffffffU);
		(void)e1000_icr_read(&nic);
		nic.mode = E1000_POLL;
		nic.events = 0;
	}
	irq_enable();
}

/* Give every descriptor looked at back to the NIC (one RDT write). */
static void rx_flush(void)
{
	if (rx_held) {
		e1000_rx_return(&nic, rx_held);
		rx_held = 0;
	}
}

/* Done with the frame rx_peek returned: back to the NIC rdtbatch at a time. */
static void rx_done(void)
{
	rx_held += cur_ndesc;
	cur_ndesc = 1;
	if (rx_held >= rdtbatch)
		rx_flush();
}

/*
 * The next completed frame, in place in its RX buffer (*len without FCS;
 * a jumbo frame goes on in the buffers of the next descriptors: cur_first,
 * cur_ndesc), or NULL when none is there; then everything looked at goes
 * back to the NIC first (so nothing is held over a wait). Descriptors that
 * are not one good frame are errors, consumed here.
 */
static const uint8_t *rx_peek(size_t *len)
{
	for (;;) {
		unsigned first = (nic.rx_next + rx_held) % E1000_NUM_RX, k = 0, l = 0;
		bool ok = true;
		uint8_t st = 0, err = 0;

		for (;;) {
			unsigned i = (first + k) % E1000_NUM_RX;
			volatile struct e1000_rx_desc *d = &nic.dma.rx[i];

			st = d->status;
			if (!(st & E1000_RXD_STAT_DD)) {
				if (!k)
					rx_flush();
				return NULL; /* (the rest of a frame is written with its start) */
			}
			barrier(); /* length, errors and data after DD */
			l += d->length;
			err |= d->errors;
			if ((d->errors & E1000_RXD_ERR_FRAME) ||
			    d->addr != (uint64_t)(uintptr_t)e1000_rx_buf(&nic, i))
				ok = false;
			k++;
			if (st & E1000_RXD_STAT_EOP)
				break;
			if (k == RX_MAX_DESC) {
				ok = false;
				break;
			}
		}
		cur_first = first;
		cur_ndesc = k;
		if (ok && l >= ETH_ZLEN + ETH_FCS_LEN && l <= NB_JUMBO_MAX + ETH_FCS_LEN) {
			*len = l - ETH_FCS_LEN;
			return e1000_rx_buf(&nic, first);
		}
		if (report_error())
			print(NAME ": bad RX descriptors %u (%u): status 0x%x errors 0x%x length %u\n",
			      first, k, st, err, l);
		rx_done();
	}
}

/* The next frame, waiting (HLT in irq mode) until deadline, a TSC value. */
static const uint8_t *rx_wait(uint64_t deadline, size_t *len)
{
	for (;;) {
		const uint8_t *f = rx_peek(len);

		if (f)
			return f;
		if (tsc_expired(deadline))
			return NULL;
		e1000_wait(&nic);
	}
}

static bool from_peer(const uint8_t *f, size_t len)
{
	return len >= NB_MIN && eth_type(f) == NB_TYPE && mac_eq(f + ETH_OFF_SRC, peer) &&
	       mac_eq(f + ETH_OFF_DST, nic.mac);
}

/* A frame nobody waited for: from the peer an error (UP excepted), else ignored. */
static void unexpected(const uint8_t *f, size_t len, const char *who, const char *waiting)
{
	if (!from_peer(f, len)) {
		other++;
		return;
	}
	if (f[NB_OFF_KIND] == NB_UP)
		return;
	if (report_error())
		print(NAME ": %s: unexpected frame (kind %u, seq %u, %u bytes) while waiting for %s\n",
		      who, f[NB_OFF_KIND], get_be32(f + NB_OFF_SEQ), (unsigned)len, waiting);
}

static int send_ctl_c(size_t size, uint8_t kind, uint8_t arg, uint32_t seq, uint32_t a, uint32_t b,
		      uint32_t c)
{
	nb_build(ctl, size, peer, nic.mac, kind);
	put_be32(ctl + NB_OFF_C, c);
	ctl[NB_OFF_ARG] = arg;
	put_be32(ctl + NB_OFF_SEQ, seq);
	put_be32(ctl + NB_OFF_A, a);
	put_be32(ctl + NB_OFF_B, b);
	return e1000_send(&nic, ctl, size);
}

static int send_ctl(size_t size, uint8_t kind, uint8_t arg, uint32_t seq, uint32_t a, uint32_t b)
{
	return send_ctl_c(size, kind, arg, seq, a, b, 0);
}

/* Set the NIC up again for layout l (e1000_reinit): RX buffers, LPE, TX
 * addresses at ring setup. Nothing may be held or in flight. */
static bool apply_layout(enum nb_layout l)
{
	int rc;

	rx_flush();
	/* What is queued completes with the buffer size it was sent with. */
	if (e1000_tx_drain(&nic, opts.timeout_ms))
		return false;
	nic.buf_size = l == NB_LINUX ? E1000_RX_BUF : E1000_BUF_MAX;
	nic.tx_prefill = l == NB_ALIGNED;
	nic.rx_lpe = l == NB_JUMBO;
	rc = e1000_reinit(&nic);
	if (rc)
		print(NAME ": layout %s: e1000_reinit failed (%d)\n", nb_layout_name(l), rc);
	return !rc;
}

/* ------------------------------------------------------------ sender */

struct tx_cfg {
	char path[PATH_MAX_LEN + 1];
	unsigned guests, count, rtt, warmup;
	bool outside, dump;
	unsigned sizes[MAX_LIST], nsizes;
	unsigned jsizes[MAX_LIST], njsizes;  /* jumbo's sizes */
	enum nb_layout layouts[NB_NLAYOUTS];
	unsigned nlayouts;
	bool tso;
	unsigned batches[MAX_LIST], nbatches;
	enum e1000_mode modes[MAX_LIST];
	unsigned nmodes;
};

static struct tx_cfg cfg;
static uint32_t req_id;

static bool counters(struct xtalk_counters *c)
{
	long r;

	memset(c, 0, sizeof(*c));
	r = hypercall(XTALK_HC_COUNTERS, (long)(uintptr_t)c, sizeof(*c), 0);

	if (r == (long)sizeof(*c) && c->version == XTALK_COUNTERS_VERSION)
		return true;
	print(NAME ": tx: hypercall XTALK_HC_COUNTERS returned %ld (version %lu)\n", r,
	      (unsigned long)c->version);
	return false;
}

/* memcpy of 1514 bytes: the mean of the copies no VM exit landed in (a
 * preemption shows as a copy far slower than the fastest), less the cost
 * of reading the TSC twice. */
static void measure_memcpy(void)
{
	static uint8_t src[MEMCPY_LEN] __attribute__((aligned(64)));
	static uint8_t dst[MEMCPY_LEN] __attribute__((aligned(64)));
	static uint64_t d[MEMCPY_ROUNDS];
	uint64_t base = UINT64_MAX, best = UINT64_MAX, sum = 0, n = 0, c;

	for (unsigned i = 0; i < MEMCPY_LEN; i++)
		src[i] = (uint8_t)i;
	for (unsigned i = 0; i < MEMCPY_ROUNDS; i++) {
		uint64_t t0 = rdtsc();

		barrier();
		c = rdtsc() - t0;
		base = c < base ? c : base;
	}
	for (unsigned i = 0; i < MEMCPY_ROUNDS; i++) {
		uint64_t t0 = rdtsc();

		memcpy(dst, src, MEMCPY_LEN);
		__asm__ volatile("" ::"r"(dst) : "memory");
		d[i] = rdtsc() - t0;
		best = d[i] < best ? d[i] : best;
	}
	for (unsigned i = 0; i < MEMCPY_ROUNDS; i++)
		if (d[i] <= 2 * best) {
			sum += d[i];
			n++;
		}
	c = (sum + n / 2) / n;
	c = c > base ? c - base : 0;
	print(NAME ": memcpy: %u copies of %u bytes, %lu without an exit, fastest %lu cycles, "
	      "rdtsc pair %lu\n",
	      MEMCPY_ROUNDS, MEMCPY_LEN, (unsigned long)n, (unsigned long)best, (unsigned long)base);
	print("bench: kind=memcpy size=%u cycles=%lu\n", MEMCPY_LEN, (unsigned long)c);
}

/* Send a HELLO or CONFIG and wait for its READY. False after printing why. */
/* The CONFIG word c for data of spec s (frame.h). */
static uint32_t spec_word(const struct nb_spec *s)
{
	return (uint32_t)s->layout | (uint32_t)s->tso << 7 | (uint32_t)s->size << 8;
}

/* Control frames have the data's size, at most 1514 bytes. */
static size_t ctl_size(const struct nb_spec *s)
{
	return s->size > NB_MAX ? NB_MAX : s->size;
}

static bool request_c(uint8_t kind, enum nb_op op, enum e1000_mode mode, size_t size,
		      unsigned batch, uint32_t count, uint32_t c)
{
	uint32_t id = ++req_id;
	uint64_t deadline;

	if (send_ctl_c(size, kind, mode == E1000_IRQ, id, (uint32_t)op | count << 8, batch, c)) {
		print(NAME ": tx: request %u: no free TX descriptor within %u ms: timed out\n", id,
		      opts.timeout_ms);
		return false;
	}
	deadline = tsc_deadline_ms(opts.timeout_ms);
	for (;;) {
		size_t len;
		const uint8_t *f = rx_wait(deadline, &len);

		if (!f) {
			print(NAME ": tx: no READY from the receiver for request %u within %u ms: "
			      "timed out\n", id, opts.timeout_ms);
			return false;
		}
		if (from_peer(f, len) && f[NB_OFF_KIND] == NB_READY &&
		    get_be32(f + NB_OFF_SEQ) == id) {
			rx_done();
			rx_flush();
			return true;
		}
		unexpected(f, len, "tx", "READY");
		rx_done();
	}
}

static bool request(uint8_t kind, enum nb_op op, enum e1000_mode mode, size_t size, unsigned batch,
		    uint32_t count)
{
	struct nb_spec sp;

	nb_spec_init(&sp, NB_ALIGNED, false, (unsigned)size);
	return request_c(kind, op, mode, size, batch, count, spec_word(&sp));
}

static bool request_spec(enum nb_op op, enum e1000_mode mode, const struct nb_spec *s,
			 unsigned batch, uint32_t count)
{
	return request_c(NB_CONFIG, op, mode, ctl_size(s), batch, count, spec_word(s));
}

/*
 * Queue packets seq0 .. seq0 + n - 1 of spec s, one TDT write. aligned:
 * the templates (netbench frames, stamped) through the driver's buffers;
 * else IPv4/TCP frames in the layout's descriptors and buffers.
 */
static int send_packets(const struct nb_spec *s, const void *const frames[], const size_t lens[],
			uint32_t seq0, unsigned n)
{
	uint64_t deadline;
	unsigned need;

	if (s->layout == NB_ALIGNED) {
		for (unsigned j = 0; j < n; j++)
			nb_stamp(tmpl[j], s->size, seq0 + j);
		return e1000_send_batch(&nic, frames, lens, n);
	}
	need = n * nb_descs(s);
	deadline = tsc_deadline_ms(opts.timeout_ms);
	while (e1000_tx_free(&nic) < need) {
		if (tsc_expired(deadline))
			return E1000_ETIMEDOUT;
		e1000_wait(&nic);
	}
	for (unsigned j = 0; j < n; j++)
		nb_ip_queue(&nic, s, seq0 + j);
	e1000_tx_kick(&nic);
	return 0;
}

/* The largest batch of packets s that fits the TX ring. */
static unsigned max_batch(const struct nb_spec *s)
{
	unsigned m = (E1000_NUM_TX - 1) / nb_descs(s);

	return m < E1000_MAX_BATCH ? m : E1000_MAX_BATCH;
}

/* The receiver announces itself (UP) once its NIC is up; only then the
 * first frame of ours, so that every frame we send reaches it. */
static bool tx_handshake(void)
{
	uint64_t deadline = tsc_deadline_ms(opts.start_ms);

	for (;;) {
		size_t len;
		const uint8_t *f = rx_wait(deadline, &len);
		bool up;

		if (!f) {
			print(NAME ": tx: no UP from " MAC_FMT " within %u ms: timed out\n",
			      MAC_ARGS(peer), opts.start_ms);
			return false;
		}
		up = from_peer(f, len) && f[NB_OFF_KIND] == NB_UP;
		if (!up)
			other++;
		rx_done();
		if (up)
			break;
	}
	return request(NB_HELLO, 0, E1000_POLL, NB_MIN, 0, 0);
}

/*
 * count frames (of spec s, not TSO) to the receiver, window at a time (one
 * TDT write each), each echoed back at once (an ECHO frame of at most 1514
 * bytes); *cycles: the sum over the windows from the TDT write to the last
 * echo. Window 1 is the round trip.
 */
static bool exchange(enum e1000_mode mode, const struct nb_spec *s, uint32_t count, unsigned window,
		     uint64_t *cycles)
{
	const void *frames[E1000_MAX_BATCH];
	size_t lens[E1000_MAX_BATCH], size = s->size, esize = ctl_size(s);
	uint64_t sum = 0;

	if (!request_spec(NB_OP_ECHO, mode, s, window, count))
		return false;
	for (unsigned j = 0; j < window; j++) {
		if (s->layout == NB_ALIGNED)
			nb_build(tmpl[j], size, peer, nic.mac, NB_DATA);
		frames[j] = tmpl[j];
		lens[j] = size;
	}
	for (uint32_t seq = 0; seq < count;) {
		unsigned w = count - seq < window ? count - seq : window;
		uint64_t t0;

		t0 = rdtsc();
		if (send_packets(s, frames, lens, seq, w)) {
			print(NAME ": tx: echo %u: no free TX descriptor within %u ms: timed out\n",
			      seq, opts.timeout_ms);
			return false;
		}
		for (unsigned k = 0; k < w;) {
			size_t len;
			const uint8_t *f = rx_wait(tsc_deadline_ms(opts.timeout_ms), &len);
			const char *why;

			if (!f) {
				print(NAME ": tx: no echo of frame %u (size %u, %s) within %u ms: "
				      "timed out\n", seq + k, (unsigned)size, mode_name(mode),
				      opts.timeout_ms);
				return false;
			}
			if (!from_peer(f, len) || f[NB_OFF_KIND] != NB_ECHO) {
				unexpected(f, len, "tx", "an echo");
				rx_done();
				continue;
			}
			why = nb_verify(f, len, peer, NB_ECHO, esize, seq + k);
			if (why) {
				errors++;
				print(NAME ": tx: echo of frame %u: bad %s (seq %u, %u bytes)\n",
				      seq + k, why, get_be32(f + NB_OFF_SEQ), (unsigned)len);
				rx_done();
				return false;
			}
			rx_done();
			k++;
		}
		sum += rdtsc() - t0;
		seq += w;
	}
	rx_flush();
	*cycles = sum;
	return true;
}

/* The receiver streams count frames to us, batch per TDT write. */
static bool recv_stream(enum e1000_mode mode, size_t size, unsigned batch, uint32_t count)
{
	if (!request(NB_CONFIG, NB_OP_SEND, mode, size, batch, count))
		return false;
	for (uint32_t got = 0; got < count;) {
		size_t len;
		const uint8_t *f = rx_wait(tsc_deadline_ms(opts.timeout_ms), &len);
		const char *why;

		if (!f) {
			print(NAME ": tx: frame %u of %u from the receiver not there within %u ms: "
			      "timed out\n", got, count, opts.timeout_ms);
			return false;
		}
		if (!from_peer(f, len) || f[NB_OFF_KIND] != NB_ECHO) {
			unexpected(f, len, "tx", "the receiver's stream");
			rx_done();
			continue;
		}
		why = nb_verify(f, len, peer, NB_ECHO, size, got);
		rx_done();
		if (why) {
			errors++;
			print(NAME ": tx: frame %u from the receiver: bad %s\n", got, why);
			return false;
		}
		got++;
	}
	rx_flush();
	return true;
}

static void print_row(enum e1000_mode mode, const struct nb_spec *s, unsigned batch,
		      uint32_t frames, uint64_t cycles, const struct xtalk_counters *a,
		      const struct xtalk_counters *b, uint64_t rtt)
{
	/* In pieces: print() formats at most 255 characters. */
	print("bench: kind=stream path=%s layout=%s ", cfg.path, nb_layout_name(s->layout));
	if (s->tso)
		print("size=tso ");
	else
		print("size=%u ", s->size);
	print("batch=%u mode=%s guests=%u frames=%u cycles=%lu ", batch, mode_name(mode),
	      cfg.guests, frames, (unsigned long)cycles);
	print("exits=%lu exits_io=%lu exits_mmio=%lu exits_hlt=%lu exits_timer=%lu irqs=%lu ",
	      (unsigned long)(b->exits - a->exits), (unsigned long)(b->exits_io - a->exits_io),
	      (unsigned long)(b->exits_mmio - a->exits_mmio),
	      (unsigned long)(b->exits_hlt - a->exits_hlt),
	      (unsigned long)(b->exits_timer - a->exits_timer), (unsigned long)(b->irqs - a->irqs));
	print("copies=%lu bytes_copied=%lu remaps=%lu invepts=%lu vmm_cycles=%lu rtt=%lu\n",
	      (unsigned long)(b->copies - a->copies),
	      (unsigned long)(b->bytes_copied - a->bytes_copied),
	      (unsigned long)(b->remaps - a->remaps), (unsigned long)(b->invepts - a->invepts),
	      (unsigned long)(b->vmm_cycles - a->vmm_cycles), (unsigned long)rtt);
}

/*
 * Spin until the VMM preempts us (a jump in the TSC: a spin iteration takes
 * a few cycles, a VM exit thousands), so that a measured stream starts with
 * a fresh time slice. A polling guest gives the CPU up only when its slice
 * ends, so a poll row counts slices; without this its first one would be
 * whatever was left of the current slice. Gives up after max_ms.
 */
static void sync_to_slice(unsigned max_ms)
{
	uint64_t end = tsc_deadline_ms(max_ms), gap = tsc_mhz() / 2, prev = rdtsc();

	for (;;) {
		uint64_t now = rdtsc();

		if (now - prev > gap || tsc_expired(end))
			return;
		prev = now;
	}
}

/* A stream of count frames, batch per TDT write; done when every descriptor
 * completed and (with a receiver) its DONE says all arrived. Measured: one
 * row, with rtt in it. */
static bool stream(enum e1000_mode mode, const struct nb_spec *s, unsigned batch, uint32_t count,
		   bool measure, uint64_t rtt)
{
	const void *frames[E1000_MAX_BATCH];
	size_t lens[E1000_MAX_BATCH], size = s->size;
	struct xtalk_counters c0, c1;
	uint32_t id = 0, got = 0, bad = 0, wire = count * nb_segs(s);
	uint64_t t0, t1, deadline;
	bool done = cfg.outside;

	for (unsigned j = 0; j < batch; j++) {
		if (s->layout == NB_ALIGNED)
			nb_build(tmpl[j], size, peer, nic.mac, NB_DATA);
		frames[j] = tmpl[j];
		lens[j] = size;
	}
	if (!cfg.outside) {
		if (!request_spec(NB_OP_STREAM, mode, s, batch, wire))
			return false;
		id = req_id;
	}
	if (measure && cfg.dump)
		xt_dump();
	if (measure)
		sync_to_slice(SYNC_MAX_MS);
	if (measure && !counters(&c0))
		return false;
	t0 = rdtsc();
	for (uint32_t sent = 0; sent < count;) {
		unsigned b = count - sent < batch ? count - sent : batch;

		if (send_packets(s, frames, lens, sent, b)) {
			print(NAME ": tx: stream (size %u, batch %u, %s): no free TX descriptor "
			      "within %u ms after %u frames: timed out\n", (unsigned)size, batch,
			      mode_name(mode), opts.timeout_ms, sent);
			return false;
		}
		sent += b;
	}
	deadline = tsc_deadline_ms(opts.timeout_ms);
	for (;;) {
		bool moved = e1000_tx_reclaim(&nic) != 0;
		size_t len;
		const uint8_t *f;

		if (!done && (f = rx_peek(&len))) {
			if (from_peer(f, len) && f[NB_OFF_KIND] == NB_DONE &&
			    get_be32(f + NB_OFF_SEQ) == id) {
				got = get_be32(f + NB_OFF_A);
				bad = get_be32(f + NB_OFF_B);
				done = true;
			} else {
				unexpected(f, len, "tx", "DONE");
			}
			rx_done();
			moved = true;
		}
		if (done && nic.tx_clean == nic.tx_tail)
			break;
		if (moved) {
			deadline = tsc_deadline_ms(opts.timeout_ms);
			continue;
		}
		if (tsc_expired(deadline)) {
			print(NAME ": tx: stream (size %u, batch %u, %s): %s within %u ms (%u frames "
			      "not completed): timed out\n", (unsigned)size, batch, mode_name(mode),
			      done ? "TX not completed" : "no DONE from the receiver",
			      opts.timeout_ms,
			      (nic.tx_tail + E1000_NUM_TX - nic.tx_clean) % E1000_NUM_TX);
			return false;
		}
		e1000_wait(&nic);
	}
	t1 = rdtsc();
	if (measure && !counters(&c1))
		return false;
	rx_flush();
	if (!cfg.outside && (got != wire || bad)) {
		errors++;
		print(NAME ": tx: stream (size %u, batch %u, %s): the receiver got %u of %u frames "
		      "right, %u errors\n", (unsigned)size, batch, mode_name(mode), got, wire, bad);
		return false;
	}
	if (!measure)
		return true;
	print_row(mode, s, batch, wire, t1 - t0, &c0, &c1, rtt);
	if (cfg.dump)
		xt_dump();
	return true;
}

/*
 * Once, before the rows: W frames of 1514 bytes one way, then W the other
 * way. The VMM pairs TX and RX pages at ring setup except the RX slot the
 * driver holds then, and learns a pairing the second time the same two
 * pages meet (frames >= its zero-copy minimum only); W >= two laps of the
 * 64-slot rings, so every slot of both directions is paired before the
 * first row and every row sees the steady state, whatever ran before it.
 * One direction at a time: the VMM's learning hints are keyed by TX page
 * address, and both guests' buffers sit at the same addresses (same image).
 */
static bool warm_up(enum e1000_mode mode, enum nb_layout l)
{
	struct nb_spec s;

	nb_spec_init(&s, l, false, l == NB_JUMBO ? NB_JUMBO_MAX : NB_MAX);
	return stream(mode, &s, WARMUP_BATCH, cfg.warmup, false, 0) &&
	       recv_stream(mode, NB_MAX, WARMUP_BATCH, cfg.warmup);
}

/*
 * Both NICs set up again for layout l (the receiver first, after its
 * READY), the handshake again, the warm-up; one `bench: kind=setup` line
 * with the machine's counters over all of it: what pre-sharing at ring
 * setup and the warm-up cost outside the measured rows.
 */
static bool enter_layout(enum nb_layout l)
{
	struct xtalk_counters c0, cr, c1;
	struct nb_spec s;
	uint64_t t0, t1;
	bool ok;

	nb_spec_init(&s, l, false, NB_MIN);
	if (!counters(&c0))
		return false;
	t0 = rdtsc();
	ok = cfg.outside || request_spec(NB_OP_LAYOUT, nic.mode, &s, 0, 0);
	ok = ok && apply_layout(l);
	ok = ok && (cfg.outside || tx_handshake());
	ok = ok && counters(&cr);
	if (ok && !cfg.outside && cfg.warmup) {
		set_mode(E1000_IRQ); /* the quicker one on a single CPU */
		ok = warm_up(E1000_IRQ, l);
	}
	t1 = rdtsc();
	if (!ok || !counters(&c1))
		return false;
	print("bench: kind=setup path=%s layout=%s guests=%u warmup=%u cycles=%lu ", cfg.path,
	      nb_layout_name(l), cfg.guests, cfg.outside ? 0 : cfg.warmup, (unsigned long)(t1 - t0));
	print("vmm_cycles=%lu exits=%lu remaps=%lu invepts=%lu copies=%lu\n",
	      (unsigned long)(c1.vmm_cycles - c0.vmm_cycles), (unsigned long)(c1.exits - c0.exits),
	      (unsigned long)(c1.remaps - c0.remaps),
	      (unsigned long)(c1.invepts - c0.invepts), (unsigned long)(c1.copies - c0.copies));
	/* Of which the rings' setup (both NICs again, the handshake). */
	print("bench: kind=setup_rings path=%s layout=%s vmm_cycles=%lu remaps=%lu invepts=%lu "
	      "copies=%lu\n", cfg.path, nb_layout_name(l),
	      (unsigned long)(cr.vmm_cycles - c0.vmm_cycles), (unsigned long)(cr.remaps - c0.remaps),
	      (unsigned long)(cr.invepts - c0.invepts), (unsigned long)(cr.copies - c0.copies));
	return true;
}

/* The rows of one layout, one (mode, size) after the other. */
static bool run_layout(enum nb_layout l, unsigned *rows)
{
	const unsigned *sizes = l == NB_JUMBO ? cfg.jsizes : cfg.sizes;
	unsigned nsizes = l == NB_JUMBO ? cfg.njsizes : cfg.nsizes;
	bool ok = enter_layout(l);

	for (unsigned m = 0; ok && m < cfg.nmodes; m++) {
		enum e1000_mode mode = cfg.modes[m];

		set_mode(mode);
		for (unsigned i = 0; ok && i < nsizes + (cfg.tso && l != NB_ALIGNED); i++) {
			struct nb_spec s;
			uint64_t rtt = 0, cyc;
			unsigned last = 0;
			uint32_t count;

			nb_spec_init(&s, l, i == nsizes, i < nsizes ? sizes[i] : 0);
			/* TSO: about count wire frames, in super-frames. */
			count = (cfg.count + nb_segs(&s) - 1) / nb_segs(&s);
			if (!cfg.outside && cfg.rtt && !s.tso) {
				ok = exchange(mode, &s, cfg.rtt, 1, &cyc);
				rtt = (cyc + cfg.rtt / 2) / cfg.rtt;
			}
			for (unsigned b = 0; ok && b < cfg.nbatches; b++) {
				unsigned batch = cfg.batches[b] < max_batch(&s) ? cfg.batches[b]
										: max_batch(&s);

				if (batch == last)
					continue; /* capped to the same batch as the one before */
				last = batch;
				ok = stream(mode, &s, batch, count, true, rtt);
				*rows += ok;
			}
		}
	}
	return ok;
}

static long run_tx(void)
{
	struct xtalk_counters c;
	unsigned rows = 0;
	bool ok;
	long bad;

	print(NAME ": tx: path %s, %s " MAC_FMT ", %u guests, %u frames per row, %u round trips, "
	      "warm-up %u, rdtbatch %u, %u layouts%s\n", cfg.path,
	      cfg.outside ? "outside to" : "peer", MAC_ARGS(peer), cfg.guests, cfg.count,
	      cfg.outside ? 0 : cfg.rtt, cfg.outside ? 0 : cfg.warmup, rdtbatch, cfg.nlayouts,
	      cfg.tso ? ", TSO" : "");
	if (!counters(&c))
		return 1 + netguest_finish(NAME, &nic);
	measure_memcpy();
	nb_ip_setup(peer, nic.mac);
	ok = cfg.outside || tx_handshake();
	for (unsigned i = 0; ok && i < cfg.nlayouts; i++)
		ok = run_layout(cfg.layouts[i], &rows);
	if (!cfg.outside && req_id) {
		/* Also after a failure: the receiver must not wait on. */
		size_t size = cfg.nsizes ? cfg.sizes[cfg.nsizes - 1] : NB_MIN;

		if (!request(NB_CONFIG, NB_OP_QUIT, nic.mode, size, 0, 0))
			ok = false;
	}
	rx_flush();
	if (e1000_tx_drain(&nic, opts.timeout_ms)) {
		print(NAME ": tx: TX not completed at the end within %u ms: timed out\n",
		      opts.timeout_ms);
		ok = false;
	}
	if (other)
		print(NAME ": tx: ignored %lu other frames\n", other);
	bad = netguest_finish(NAME, &nic);
	if (ok && !errors && !bad)
		print("bench: done rows=%u\n", rows);
	else
		print(NAME ": tx: FAILED after %u rows (%lu errors)\n", rows, errors);
	return (long)errors + bad + !ok;
}

/* ------------------------------------------------------------ receiver */

/* Data frame got of the current stream (rspec), in place: NULL or what is wrong. */
static const char *check_data(const uint8_t *f, size_t len, uint32_t got)
{
	struct nb_rxview v = { &nic, cur_first, len };

	if (rspec.layout == NB_ALIGNED)
		return nb_verify(f, len, peer, NB_DATA, rspec.size, got);
	return nb_ip_verify(&v, &rspec, peer, nic.mac, got);
}

/* A data frame of the current stream's layout from the peer (IPv4/TCP), or
 * any netbench frame from it. */
static bool from_peer_data(const uint8_t *f, size_t len, bool *ip)
{
	*ip = rspec.layout != NB_ALIGNED && nb_ip_is(f, len, peer, nic.mac);
	return *ip || from_peer(f, len);
}

/* count data frames in order, checked in place; then DONE. A request in
 * the middle (the sender gave up) ends the stream and is left pending. */
static void rx_stream(uint32_t id, size_t size, uint32_t count)
{
	uint32_t got = 0, bad = 0;
	uint64_t deadline = tsc_deadline_ms(opts.timeout_ms);

	while (got < count) {
		size_t len;
		const uint8_t *f = rx_wait(deadline, &len);
		const char *why;
		bool ip;

		if (!f) {
			bad++;
			print(NAME ": rx: stream (size %u): %u of %u frames, none within %u ms: timed "
			      "out\n", (unsigned)size, got, count, opts.timeout_ms);
			break;
		}
		if (!from_peer_data(f, len, &ip)) {
			other++;
			rx_done();
			continue;
		}
		if (!ip && f[NB_OFF_KIND] == NB_CONFIG) {
			bad++;
			print(NAME ": rx: stream (size %u): new request after %u of %u frames\n",
			      (unsigned)size, got, count);
			break;
		}
		why = check_data(f, len, got);
		if (why) {
			bad++;
			if (reports++ < MAX_REPORTS)
				print(NAME ": rx: stream frame %u: bad %s (kind %u, seq %u, %u bytes)\n",
				      got, why, f[NB_OFF_KIND], get_be32(f + NB_OFF_SEQ),
				      (unsigned)len);
		}
		got++;
		rx_done();
		deadline = tsc_deadline_ms(opts.timeout_ms);
	}
	rx_flush();
	errors += bad;
	if (send_ctl(size, NB_DONE, 0, id, got - (bad < got ? bad : got), bad)) {
		errors++;
		print(NAME ": rx: DONE: no free TX descriptor within %u ms: timed out\n",
		      opts.timeout_ms);
	}
}

/* Stream count frames to the sender, batch per TDT write. */
static void rx_send(size_t size, uint32_t count, unsigned batch)
{
	const void *frames[E1000_MAX_BATCH];
	size_t lens[E1000_MAX_BATCH];

	if (batch < 1 || batch > E1000_MAX_BATCH)
		batch = 1;
	for (unsigned j = 0; j < batch; j++) {
		nb_build(tmpl[j], size, peer, nic.mac, NB_ECHO);
		frames[j] = tmpl[j];
		lens[j] = size;
	}
	for (uint32_t sent = 0; sent < count;) {
		unsigned b = count - sent < batch ? count - sent : batch;

		for (unsigned j = 0; j < b; j++)
			nb_stamp(tmpl[j], size, sent + j);
		if (e1000_send_batch(&nic, frames, lens, b)) {
			errors++;
			print(NAME ": rx: stream to the sender: no free TX descriptor within %u ms "
			      "after %u of %u frames: timed out\n", opts.timeout_ms, sent, count);
			return;
		}
		sent += b;
	}
}

/* Echo count frames back at once, each as it comes. */
static void rx_echo(size_t size, uint32_t count)
{
	uint8_t *echo = tmpl[0];
	uint64_t deadline = tsc_deadline_ms(opts.timeout_ms);

	nb_build(echo, size, peer, nic.mac, NB_ECHO); /* size: the request's, at most 1514 */
	for (uint32_t got = 0; got < count;) {
		size_t len;
		const uint8_t *f = rx_wait(deadline, &len);
		const char *why;
		bool ip;

		if (!f) {
			errors++;
			print(NAME ": rx: echo (size %u): %u of %u frames, none within %u ms: timed "
			      "out\n", (unsigned)size, got, count, opts.timeout_ms);
			break;
		}
		if (!from_peer_data(f, len, &ip)) {
			other++;
			rx_done();
			continue;
		}
		if (!ip && f[NB_OFF_KIND] == NB_CONFIG) {
			errors++;
			print(NAME ": rx: echo (size %u): new request after %u of %u frames\n",
			      (unsigned)size, got, count);
			break;
		}
		why = check_data(f, len, got);
		if (why && report_error())
			print(NAME ": rx: echo frame %u: bad %s (kind %u, seq %u, %u bytes)\n", got,
			      why, f[NB_OFF_KIND], get_be32(f + NB_OFF_SEQ), (unsigned)len);
		nb_stamp(echo, size, got);
		rx_done();
		if (e1000_send(&nic, echo, size)) {
			errors++;
			print(NAME ": rx: echo %u: no free TX descriptor within %u ms: timed out\n",
			      got, opts.timeout_ms);
			break;
		}
		got++;
		deadline = tsc_deadline_ms(opts.timeout_ms);
	}
	rx_flush();
}

/* UP every up_ms until the sender's HELLO (polling: no timer wakes HLT),
 * then READY; false after printing why when none came within wait_ms. */
static bool rx_announce(unsigned wait_ms, unsigned up_ms)
{
	uint64_t start = tsc_deadline_ms(wait_ms), next_up = 0;
	bool hello = false;

	while (!hello) {
		size_t len;
		const uint8_t *f;

		if (tsc_expired(next_up)) {
			send_ctl(NB_MIN, NB_UP, 0, 0, 0, 0);
			next_up = tsc_deadline_ms(up_ms);
		}
		while (!hello && (f = rx_peek(&len))) {
			if (from_peer(f, len) && f[NB_OFF_KIND] == NB_HELLO) {
				hello = true;
				send_ctl(len, NB_READY, 0, get_be32(f + NB_OFF_SEQ), 0, 0);
			} else {
				other++;
			}
			rx_done();
		}
		if (!hello && tsc_expired(start)) {
			print(NAME ": rx: no HELLO from " MAC_FMT " within %u ms: timed out\n",
			      MAC_ARGS(peer), wait_ms);
			return false;
		}
		cpu_relax();
	}
	return true;
}

static long run_rx(void)
{
	unsigned ops = 0;
	bool quit = false;

	print(NAME ": rx: peer " MAC_FMT ", rdtbatch %u\n", MAC_ARGS(peer), rdtbatch);
	if (!rx_announce(opts.start_ms, UP_MS))
		return 1 + netguest_finish(NAME, &nic);
	while (!quit) {
		size_t len;
		const uint8_t *f = rx_wait(tsc_deadline_ms(opts.timeout_ms), &len);
		uint32_t id, a, batch, c;
		unsigned op;

		if (!f) {
			errors++;
			print(NAME ": rx: no request from the sender within %u ms: timed out\n",
			      opts.timeout_ms);
			break;
		}
		if (!from_peer(f, len)) {
			other++;
			rx_done();
			continue;
		}
		id = get_be32(f + NB_OFF_SEQ);
		if (f[NB_OFF_KIND] == NB_HELLO) { /* our READY got lost */
			rx_done();
			send_ctl(len, NB_READY, 0, id, 0, 0);
			continue;
		}
		if (f[NB_OFF_KIND] != NB_CONFIG) {
			unexpected(f, len, "rx", "a request");
			rx_done();
			continue;
		}
		a = get_be32(f + NB_OFF_A);
		batch = get_be32(f + NB_OFF_B);
		c = get_be32(f + NB_OFF_C);
		op = a & 0xff;
		nb_spec_init(&rspec, (enum nb_layout)(c & 0x7f), c >> 7 & 1, c >> 8);
		set_mode(f[NB_OFF_ARG] ? E1000_IRQ : E1000_POLL);
		rx_done();
		if (op < NB_OP_STREAM || op > NB_OP_LAYOUT || rspec.layout >= NB_NLAYOUTS ||
		    (op != NB_OP_LAYOUT && op != NB_OP_SEND && rspec.layout == NB_ALIGNED &&
		     rspec.size != len)) {
			if (report_error())
				print(NAME ": rx: request %u: unknown op %u\n", id, op);
			continue;
		}
		if (send_ctl(len, NB_READY, 0, id, 0, 0)) {
			errors++;
			print(NAME ": rx: READY: no free TX descriptor within %u ms: timed out\n",
			      opts.timeout_ms);
			break;
		}
		ops++;
		if (op == NB_OP_STREAM) {
			rx_stream(id, len, a >> 8);
		} else if (op == NB_OP_ECHO) {
			rx_echo(len, a >> 8);
		} else if (op == NB_OP_LAYOUT) {
			/* READY sent: once it is through, the NIC again, then UP. */
			rx_flush();
			if (!apply_layout(rspec.layout) ||
			    !rx_announce(opts.start_ms, RELAYOUT_UP_MS)) {
				errors++;
				break;
			}
		}
		else if (op == NB_OP_SEND)
			rx_send(len, a >> 8, batch);
		else
			quit = true;
	}
	rx_flush();
	e1000_tx_drain(&nic, opts.timeout_ms);
	print(NAME ": rx: %u requests, %lu errors%s\n", ops, errors,
	      quit ? "" : ", no QUIT from the sender");
	if (other)
		print(NAME ": rx: ignored %lu other frames\n", other);
	return (long)errors + !quit + netguest_finish(NAME, &nic);
}

/* ------------------------------------------------------------ options */

/* key=a,b,c: up to MAX_LIST numbers within [min, max] (def when absent). */
static bool parse_list(const uint8_t *bp, const char *key, const char *def, unsigned min,
		       unsigned max, unsigned *out, unsigned *n)
{
	const char *v = cmdline_get(bp, key);
	size_t len;

	if (!v)
		v = def;
	len = cmdline_value_len(v);
	*n = 0;
	for (size_t i = 0; i <= len;) {
		size_t j = i;
		uint64_t x;

		while (j < len && v[j] != ',')
			j++;
		if (*n == MAX_LIST || !parse_u64(v + i, j - i, &x) || x < min || x > max) {
			print(NAME ": bad %s= (up to %u comma-separated numbers from %u to %u)\n", key,
			      MAX_LIST, min, max);
			return false;
		}
		out[(*n)++] = (unsigned)x;
		i = j + 1;
	}
	return true;
}

static bool parse_modes(const uint8_t *bp)
{
	const char *v = cmdline_get(bp, "modes");
	size_t len;

	if (!v)
		v = "irq,poll";
	len = cmdline_value_len(v);
	cfg.nmodes = 0;
	for (size_t i = 0; i <= len;) {
		size_t j = i;

		while (j < len && v[j] != ',')
			j++;
		if (cfg.nmodes < MAX_LIST && j - i == 3 && !strncmp(v + i, "irq", 3))
			cfg.modes[cfg.nmodes++] = E1000_IRQ;
		else if (cfg.nmodes < MAX_LIST && j - i == 4 && !strncmp(v + i, "poll", 4))
			cfg.modes[cfg.nmodes++] = E1000_POLL;
		else {
			print(NAME ": bad modes= (irq and/or poll, comma-separated)\n");
			return false;
		}
		i = j + 1;
	}
	return true;
}

static bool parse_layouts(const uint8_t *bp)
{
	const char *v = cmdline_get(bp, "layout");
	size_t len;

	if (!v)
		v = "aligned";
	len = cmdline_value_len(v);
	cfg.nlayouts = 0;
	for (size_t i = 0; i <= len;) {
		size_t j = i;

		while (j < len && v[j] != ',')
			j++;
		if (cfg.nlayouts == NB_NLAYOUTS ||
		    !nb_layout_parse(v + i, j - i, &cfg.layouts[cfg.nlayouts])) {
			print(NAME ": bad layout= (aligned, linux and/or jumbo, comma-separated)\n");
			return false;
		}
		cfg.nlayouts++;
		i = j + 1;
	}
	return true;
}

static bool parse_tx(const uint8_t *bp)
{
	const char *p = cmdline_get(bp, "path");
	size_t plen = p ? cmdline_value_len(p) : 0;
	uint64_t guests, count, rtt, warmup, outside, dump, tso;

	if (!plen || plen > PATH_MAX_LEN) {
		print(NAME ": %s path= (the row label: 1 to %u characters)\n", p ? "bad" : "missing",
		      PATH_MAX_LEN);
		return false;
	}
	for (size_t i = 0; i < plen; i++) {
		char c = p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-')) {
			print(NAME ": bad path= (letters, digits, _ and -)\n");
			return false;
		}
		cfg.path[i] = c;
	}
	cfg.path[plen] = 0;
	if (!netguest_opt(NAME, bp, "guests", 2, 1, 64, &guests) ||
	    !netguest_opt(NAME, bp, "count", 2000, 1, MAX_COUNT, &count) ||
	    !netguest_opt(NAME, bp, "rtt", 200, 0, MAX_RTT, &rtt) ||
	    !netguest_opt(NAME, bp, "warmup", DEF_WARMUP, 0, MAX_COUNT, &warmup) ||
	    !netguest_opt(NAME, bp, "outside", 0, 0, 1, &outside) ||
	    !netguest_opt(NAME, bp, "dump", 0, 0, 1, &dump) ||
	    !netguest_opt(NAME, bp, "tso", 0, 0, 1, &tso) || !parse_layouts(bp) ||
	    !parse_list(bp, "jsizes", "64,1514,9014", NB_MIN, NB_JUMBO_MAX, cfg.jsizes,
			&cfg.njsizes) ||
	    !parse_list(bp, "sizes", "64,512,1514", NB_MIN, NB_MAX, cfg.sizes, &cfg.nsizes) ||
	    !parse_list(bp, "batches", "1,8,32", 1, E1000_MAX_BATCH, cfg.batches, &cfg.nbatches) ||
	    !parse_modes(bp))
		return false;
	cfg.guests = (unsigned)guests;
	cfg.count = (unsigned)count;
	cfg.rtt = (unsigned)rtt;
	cfg.warmup = (unsigned)warmup;
	cfg.outside = outside;
	cfg.dump = dump;
	cfg.tso = tso;
	return true;
}

/* ------------------------------------------------------------ main */

long guest_main(const uint8_t *bp)
{
	bool tx = cmdline_is(bp, "role", "tx"), have_peer;
	uint64_t batch;
	int rc;

	if (cmdline_is(bp, "role", "idle")) {
		rc = netguest_init_def(NAME, bp, &nic, &opts, E1000_POLL, E1000_RX_BUF);
		if (rc)
			return rc;
		print(NAME ": idle: NIC up, sleeping\n");
		for (;;)
			irq_enable_and_halt(); /* every line masked: the VMM ends us */
	}
	if (!tx && !cmdline_is(bp, "role", "rx")) {
		print(NAME ": role=tx, role=rx or role=idle\n");
		return NETGUEST_EXIT_USAGE;
	}
	if (cmdline_get(bp, "mode")) {
		print(NAME ": mode= is not used: the sender's modes= switches both ends\n");
		return NETGUEST_EXIT_USAGE;
	}
	if (!netguest_mac(NAME, bp, "peer", true, peer, &have_peer) ||
	    !netguest_opt(NAME, bp, "rdtbatch", DEF_RDTBATCH, 1, MAX_RDTBATCH, &batch) ||
	    (tx && !parse_tx(bp)))
		return NETGUEST_EXIT_USAGE;
	rdtbatch = (unsigned)batch;
	/* Probed in irq mode (the handler registered), then switched per mode. */
	rc = netguest_init_def(NAME, bp, &nic, &opts, E1000_IRQ, E1000_RX_BUF);
	if (rc)
		return rc;
	nic.rdt_batch = rdtbatch; /* the driver's own receive path (drain at the end) */
	set_mode(E1000_POLL);
	return tx ? run_tx() : run_rx();
}
