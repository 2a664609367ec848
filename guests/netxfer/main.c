/* SPDX-License-Identifier: MIT */
/*
 * Bulk transfer with every byte checked (guests/README.md):
 *   role=send peer=MAC [count=N] [seed=S] [batch=B]
 *   role=recv [count=N] [seed=S] [peer=MAC] [stop_after=K]
 *   role=duplex peer=MAC [count=N] [seed=S] [batch=B]
 * plus the common keys of netguest.h. Frames are described in frame.h. The
 * sender sends HELLO until the receiver answers READY (frames sent before
 * the receiver's NIC is up are dropped; a receiver announces itself with UP
 * when it comes up), then streams count frames, B descriptors per TDT write,
 * and ends with END. A receiver with stop_after=K exits after K frames (its
 * sender goes on: the VMM drops frames to a stopped guest and completes
 * them). Duplex guests are sender and receiver at once, both ends, one seed
 * per direction derived from seed and the two MACs.
 */
#include <string.h>

#include "cmdline.h"
#include "ether.h"
#include "frame.h"
#include "guest.h"
#include "netguest.h"
#include "rand.h"
#include "tsc.h"

#define NAME "netxfer"
#define RETRY_MS 200
#define MAX_COUNT 1000000
#define MAX_REPORTS 5

static struct e1000_nic nic;
static struct net_opts opts;
static uint8_t rx[ETH_FRAME_MAX];
static uint8_t txbuf[E1000_MAX_BATCH][XFER_MAX_LEN];
static uint8_t seen[(MAX_COUNT + 7) / 8];

/* A netxfer control frame of this kind addressed to us or broadcast (from
 * peer, if given); returns its value through *value. */
static bool is_ctrl(int n, enum xfer_kind kind, const uint8_t *peer, uint32_t *value)
{
	if (n < XFER_MIN_LEN || eth_type(rx) != XFER_TYPE ||
	    !(mac_eq(rx + ETH_OFF_DST, nic.mac) || mac_eq(rx + ETH_OFF_DST, mac_broadcast)) ||
	    get_be32(rx + XFER_OFF_SEQ) != XFER_CTRL_SEQ || rx[XFER_OFF_KIND] != kind ||
	    (peer && !mac_eq(rx + ETH_OFF_SRC, peer)))
		return false;
	if (value)
		*value = get_be32(rx + XFER_OFF_VALUE);
	return true;
}

static int send_ctrl(const uint8_t *dst, enum xfer_kind kind, uint32_t value)
{
	uint8_t f[XFER_MIN_LEN];

	return e1000_send(&nic, f, xfer_build_ctrl(f, dst, nic.mac, kind, value));
}

static long do_send(const uint8_t *peer, uint32_t count, uint64_t seed, unsigned batch)
{
	uint64_t start = tsc_deadline_ms(opts.start_ms), bytes = 0;
	const void *frames[E1000_MAX_BATCH];
	size_t lens[E1000_MAX_BATCH];
	uint32_t sent = 0;
	bool ready = false, drained;

	/* HELLO until READY: every RETRY_MS, and at once when the receiver
	 * says it came up (in irq mode nothing else would wake us). */
	while (!ready) {
		uint64_t deadline = tsc_deadline_ms(RETRY_MS);
		bool up = false;

		if (send_ctrl(peer, XFER_HELLO, count))
			return 1;
		for (int n; !ready && !up && (n = e1000_recv_until(&nic, rx, sizeof(rx), deadline));) {
			ready = is_ctrl(n, XFER_READY, peer, NULL);
			up = is_ctrl(n, XFER_UP, peer, NULL);
		}
		if (!ready && tsc_expired(start)) {
			print(NAME ": no receiver at " MAC_FMT " within %u ms\n", MAC_ARGS(peer),
			      opts.start_ms);
			return 1;
		}
	}
	while (sent < count) {
		unsigned b = count - sent < batch ? count - sent : batch;

		for (unsigned j = 0; j < b; j++) {
			frames[j] = txbuf[j];
			lens[j] = xfer_build(txbuf[j], peer, nic.mac, seed, sent + j);
			bytes += lens[j];
		}
		if (e1000_send_batch(&nic, frames, lens, b)) {
			print(NAME ": send failed at seq %u\n", sent);
			break;
		}
		sent += b;
	}
	if (sent == count && send_ctrl(peer, XFER_END, sent))
		print(NAME ": could not send END\n");
	drained = !e1000_tx_drain(&nic, opts.timeout_ms);
	print(NAME ": sent %u frames, %lu bytes%s\n", sent, (unsigned long)bytes,
	      drained ? "" : ", not all completed");
	return (long)(count - sent) + !drained;
}

struct recv_counts {
	uint32_t received, distinct, bad, out_of_order, other;
	uint32_t expect; /* one past the highest sequence seen */
	uint64_t bytes;
};

static void take_data(struct recv_counts *c, int n, const uint8_t *sender, uint32_t count,
		      uint64_t seed)
{
	uint32_t seq = get_be32(rx + XFER_OFF_SEQ);
	enum xfer_verdict v;
	size_t at = 0;

	c->received++;
	if (seq >= count) {
		if (c->bad++ < MAX_REPORTS)
			print(NAME ": seq %u out of range\n", seq);
		return;
	}
	v = xfer_verify(rx, (size_t)n, nic.mac, sender, seed, seq, &at);
	if (v != XFER_OK) {
		if (c->bad++ < MAX_REPORTS)
			print(NAME ": seq %u bad %s at byte %u (length %d, expected %u)\n", seq,
			      v == XFER_BAD_HEADER ? "header" :
			      v == XFER_BAD_LENGTH ? "length" : "payload",
			      (unsigned)at, n, (unsigned)xfer_len(seed, seq));
		if (v == XFER_BAD_HEADER)
			return; /* its sequence number cannot be trusted */
	} else {
		c->bytes += (unsigned)n;
	}
	if (seen[seq / 8] & (1U << (seq % 8)) || seq < c->expect) {
		if (c->out_of_order++ < MAX_REPORTS)
			print(NAME ": seq %u after %u (%s)\n", seq, c->expect - 1,
			      seen[seq / 8] & (1U << (seq % 8)) ? "duplicate" : "late");
		if (seen[seq / 8] & (1U << (seq % 8)))
			return;
	}
	seen[seq / 8] |= (uint8_t)(1U << (seq % 8));
	c->distinct++;
	if (seq >= c->expect)
		c->expect = seq + 1;
}

static long do_recv(const uint8_t *peer, uint32_t count, uint64_t seed, uint32_t stop_after)
{
	struct recv_counts c = { 0, 0, 0, 0, 0, 0, 0 };
	uint8_t sender[ETH_ALEN];
	bool have_sender = false;
	uint32_t missing, want = stop_after ? stop_after : count;

	send_ctrl(peer ? peer : mac_broadcast, XFER_UP, count);
	while (!have_sender) {
		int n = e1000_recv(&nic, rx, sizeof(rx), opts.start_ms);

		if (!n) {
			print(NAME ": no sender within %u ms\n", opts.start_ms);
			break;
		}
		if (is_ctrl(n, XFER_HELLO, peer, NULL)) {
			memcpy(sender, rx + ETH_OFF_SRC, ETH_ALEN);
			have_sender = true;
			send_ctrl(sender, XFER_READY, count);
		}
	}
	while (have_sender && c.distinct < want) {
		int n = e1000_recv(&nic, rx, sizeof(rx), opts.timeout_ms);

		if (!n) {
			print(NAME ": no frame within %u ms after %u\n", opts.timeout_ms, c.received);
			break;
		}
		if (n < XFER_HDR || eth_type(rx) != XFER_TYPE || !mac_eq(rx + ETH_OFF_DST, nic.mac) ||
		    !mac_eq(rx + ETH_OFF_SRC, sender)) {
			c.other++;
			continue;
		}
		if (get_be32(rx + XFER_OFF_SEQ) != XFER_CTRL_SEQ) {
			take_data(&c, n, sender, count, seed);
			continue;
		}
		if (is_ctrl(n, XFER_HELLO, sender, NULL)) {
			send_ctrl(sender, XFER_READY, count); /* our READY got lost */
		} else if (is_ctrl(n, XFER_END, sender, NULL)) {
			print(NAME ": END after %u frames\n", c.received);
			break; /* everything sent before it has arrived */
		}
	}
	missing = want - c.distinct;
	print(NAME ": received %u frames, %u bad, %u out of order, %u missing, %lu bytes\n",
	      c.received, c.bad, c.out_of_order, missing, (unsigned long)c.bytes);
	if (c.other)
		print(NAME ": ignored %u other frames\n", c.other);
	if (stop_after) {
		/* Gone without a word, frames still arriving: the sender must
		 * cope with a peer that dies mid-transfer. */
		print(NAME ": stopping after %u of %u frames\n", c.distinct, count);
		return (long)c.bad + c.out_of_order + missing;
	}
	e1000_tx_drain(&nic, opts.timeout_ms);
	return (long)c.bad + c.out_of_order + missing;
}

/* ------------------------------------------------------------ duplex */

/* The seed of the direction src -> dst: both ends derive the same two. */
static uint64_t dir_seed(uint64_t seed, const uint8_t *src, const uint8_t *dst)
{
	uint64_t st = seed, a = 0, b = 0;

	for (unsigned i = 0; i < ETH_ALEN; i++) {
		a = a << 8 | src[i];
		b = b << 8 | dst[i];
	}
	st ^= splitmix64(&a);
	st ^= splitmix64(&b) << 1;
	return splitmix64(&st);
}

struct duplex {
	uint32_t sent, count;
	uint64_t bytes_sent;
	bool ready;     /* the peer answered our HELLO: we may send */
	bool heard;     /* the peer said HELLO: it is about to send */
	bool end_sent, peer_end;
	uint64_t next_hello;
};

/* Everything pending in the RX ring: returns whether anything came. */
static bool duplex_rx(struct duplex *x, struct recv_counts *c, const uint8_t *peer,
		      uint64_t rx_seed)
{
	bool got = false;
	int n;

	while ((n = e1000_recv_until(&nic, rx, sizeof(rx), 0)) > 0) {
		got = true;
		if (n < XFER_HDR || eth_type(rx) != XFER_TYPE || !mac_eq(rx + ETH_OFF_SRC, peer) ||
		    !(mac_eq(rx + ETH_OFF_DST, nic.mac) || mac_eq(rx + ETH_OFF_DST, mac_broadcast))) {
			c->other++;
		} else if (get_be32(rx + XFER_OFF_SEQ) != XFER_CTRL_SEQ) {
			if (mac_eq(rx + ETH_OFF_DST, nic.mac))
				take_data(c, n, peer, x->count, rx_seed);
			else
				c->other++;
		} else if (is_ctrl(n, XFER_HELLO, peer, NULL)) {
			x->heard = true;
			send_ctrl(peer, XFER_READY, x->count);
		} else if (is_ctrl(n, XFER_READY, peer, NULL)) {
			x->ready = true;
		} else if (is_ctrl(n, XFER_UP, peer, NULL)) {
			x->next_hello = 0; /* it just came up: HELLO now */
		} else if (is_ctrl(n, XFER_END, peer, NULL)) {
			print(NAME ": END after %u frames\n", c->received);
			x->peer_end = true;
		}
	}
	return got;
}

/* Queue what TX has room for: returns whether anything was queued. */
static bool duplex_tx(struct duplex *x, const uint8_t *peer, uint64_t tx_seed, unsigned batch)
{
	const void *frames[E1000_MAX_BATCH];
	size_t lens[E1000_MAX_BATCH];
	unsigned room, b;

	if (!x->ready) {
		if (tsc_expired(x->next_hello)) {
			x->next_hello = tsc_deadline_ms(RETRY_MS);
			send_ctrl(peer, XFER_HELLO, x->count);
		}
		return false; /* not progress: the handshake has its own deadline */
	}
	room = e1000_tx_free(&nic);
	if (x->sent == x->count) {
		if (x->end_sent || !room)
			return false;
		send_ctrl(peer, XFER_END, x->sent);
		x->end_sent = true;
		return true;
	}
	b = x->count - x->sent < batch ? x->count - x->sent : batch;
	if (b > room)
		b = room;
	if (!b)
		return false;
	for (unsigned j = 0; j < b; j++) {
		frames[j] = txbuf[j];
		lens[j] = xfer_build(txbuf[j], peer, nic.mac, tx_seed, x->sent + j);
	}
	if (e1000_send_batch(&nic, frames, lens, b))
		return false;
	for (unsigned j = 0; j < b; j++)
		x->bytes_sent += lens[j];
	x->sent += b;
	return true;
}

/*
 * Send count frames to the peer while receiving and checking count from it:
 * take whatever arrived, queue a batch when TX has room, and wait (sleep in
 * irq mode) only when neither did anything. Gives up after start ms without
 * a handshake, or timeout ms without any progress.
 */
static long do_duplex(const uint8_t *peer, uint32_t count, uint64_t seed, unsigned batch)
{
	uint64_t tx_seed = dir_seed(seed, nic.mac, peer), rx_seed = dir_seed(seed, peer, nic.mac);
	struct recv_counts c = { 0, 0, 0, 0, 0, 0, 0 };
	struct duplex x = { 0, count, 0, false, false, false, false, 0 };
	uint64_t start = tsc_deadline_ms(opts.start_ms), quiet = 0;
	uint32_t missing;
	bool drained;

	send_ctrl(peer, XFER_UP, count);
	for (;;) {
		bool moved = duplex_rx(&x, &c, peer, rx_seed);

		moved |= duplex_tx(&x, peer, tx_seed, batch);
		if (x.end_sent && (c.distinct >= count || x.peer_end))
			break;
		if (!x.ready || !x.heard) {
			if (tsc_expired(start)) {
				print(NAME ": no handshake with " MAC_FMT " within %u ms\n",
				      MAC_ARGS(peer), opts.start_ms);
				break;
			}
		} else if (moved || !quiet) {
			quiet = tsc_deadline_ms(opts.timeout_ms);
		} else if (tsc_expired(quiet)) {
			print(NAME ": nothing moved within %u ms (sent %u, received %u)\n",
			      opts.timeout_ms, x.sent, c.received);
			break;
		}
		/* Sleep only while a frame of ours is in flight: its completion
		 * interrupt comes even if the peer dies (the VMM drops and
		 * completes frames to a stopped guest). Otherwise spin, so that
		 * the deadlines above hold in irq mode too (no timer wakes HLT). */
		if (moved)
			continue;
		if (e1000_tx_free(&nic) < E1000_NUM_TX - 1)
			e1000_wait(&nic);
		else
			cpu_relax();
	}
	drained = !e1000_tx_drain(&nic, opts.timeout_ms);
	print(NAME ": sent %u frames, %lu bytes%s\n", x.sent, (unsigned long)x.bytes_sent,
	      drained ? "" : ", not all completed");
	missing = count - c.distinct;
	print(NAME ": received %u frames, %u bad, %u out of order, %u missing, %lu bytes\n",
	      c.received, c.bad, c.out_of_order, missing, (unsigned long)c.bytes);
	if (c.other)
		print(NAME ": ignored %u other frames\n", c.other);
	return (long)(count - x.sent) + !drained + c.bad + c.out_of_order + missing;
}

long guest_main(const uint8_t *bp)
{
	bool sender = cmdline_is(bp, "role", "send"), duplex = cmdline_is(bp, "role", "duplex");
	bool have_peer;
	uint64_t count, seed, batch, stop_after;
	uint8_t peer[ETH_ALEN];
	long errors;
	int rc;

	if (!sender && !duplex && !cmdline_is(bp, "role", "recv")) {
		print(NAME ": role=send, role=recv or role=duplex\n");
		return NETGUEST_EXIT_USAGE;
	}
	if (!netguest_mac(NAME, bp, "peer", sender || duplex, peer, &have_peer) ||
	    !netguest_opt(NAME, bp, "count", 10000, 1, MAX_COUNT, &count) ||
	    !netguest_opt(NAME, bp, "seed", 1, 0, UINT64_MAX, &seed) ||
	    !netguest_opt(NAME, bp, "batch", 1, 1, E1000_MAX_BATCH, &batch) ||
	    !netguest_opt(NAME, bp, "stop_after", 0, 0, count, &stop_after))
		return NETGUEST_EXIT_USAGE;
	if (stop_after && (sender || duplex)) {
		print(NAME ": stop_after= is for role=recv\n");
		return NETGUEST_EXIT_USAGE;
	}
	rc = netguest_init(NAME, bp, &nic, &opts);
	if (rc)
		return rc;
	if (sender)
		errors = do_send(peer, (uint32_t)count, seed, (unsigned)batch);
	else if (duplex)
		errors = do_duplex(peer, (uint32_t)count, seed, (unsigned)batch);
	else
		errors = do_recv(have_peer ? peer : NULL, (uint32_t)count, seed,
				 (uint32_t)stop_after);
	return errors + netguest_finish(NAME, &nic);
}
