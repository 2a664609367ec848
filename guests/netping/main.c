/* SPDX-License-Identifier: MIT */
/*
 * Ping-pong over the e1000 (guests/README.md):
 *   role=ping peer=MAC [count=N]   send N pings, check every pong, time them
 *   role=pong [count=N] [peer=MAC] answer N pings
 * plus the common keys of netguest.h. Frame (lib/pingframe.h): dst, src,
 * ethertype 0x88b5, "PING"/"PONG", u32 sequence (big endian), 56 pattern
 * bytes from the PRNG seeded by the sequence. Exit status: the number of
 * errors.
 */
#include <string.h>

#include "cmdline.h"
#include "ether.h"
#include "guest.h"
#include "netguest.h"
#include "pingframe.h"
#include "tsc.h"

#define NAME_PING "netping"
#define NAME_PONG "netpong"
#define ETHERTYPE_PING PING_ETHERTYPE
#define OFF_MAGIC PING_OFF_MAGIC
#define OFF_SEQ PING_OFF_SEQ
#define RETRY_MS 200 /* resend the first ping until the peer is up */
#define MAX_REPORTS 5

static struct e1000_nic nic;
static struct net_opts opts;
static uint8_t frame[ETH_FRAME_MAX], rx[ETH_FRAME_MAX];

static void build_ping(const uint8_t *dst, uint32_t seq)
{
	ping_build(frame, PING_LEN, dst, nic.mac, "PING", seq);
}

static bool pattern_ok(const uint8_t *f, uint32_t seq)
{
	return ping_pattern_ok(f, seq);
}

/* A frame of ours for us: the right type, addressed to us, long enough. */
static bool is_ping_frame(int n, const char *magic)
{
	return ping_is(rx, n, nic.mac, magic);
}

/* The pong side announces itself when it comes up ("UP!!", to peer= or
 * broadcast): a pinger that started first and whose first ping was lost
 * may be asleep in HLT (irq mode) with no timer to wake it for a resend. */
static bool is_up_frame(int n)
{
	return n >= ETH_ZLEN && eth_type(rx) == ETHERTYPE_PING &&
	       (mac_eq(rx + ETH_OFF_DST, nic.mac) || mac_eq(rx + ETH_OFF_DST, mac_broadcast)) &&
	       !memcmp(rx + OFF_MAGIC, "UP!!", 4);
}

static int announce_up(const uint8_t *dst)
{
	uint8_t f[ETH_ZLEN];

	memset(f, 0, sizeof(f));
	eth_put_header(f, dst, nic.mac, ETHERTYPE_PING);
	memcpy(f + OFF_MAGIC, "UP!!", 4);
	return e1000_send(&nic, f, sizeof(f));
}

struct ping_counts {
	uint32_t ok, lost, bad, late, other;
};

enum await { GOT_PONG, TIMED_OUT, PEER_UP };

/* Wait until deadline for the pong to seq (sent at t0): GOT_PONG with *rtt
 * set, TIMED_OUT, or (when up_counts) PEER_UP if the peer announced that it
 * just came up. Anything else that arrives is counted and skipped. */
static enum await await_pong(const uint8_t *peer, uint32_t seq, uint64_t t0, uint64_t deadline,
			     bool up_counts, struct ping_counts *c, uint64_t *rtt)
{
	for (;;) {
		int n = e1000_recv_until(&nic, rx, sizeof(rx), deadline);
		uint32_t rseq;

		if (n == 0)
			return TIMED_OUT;
		if (is_up_frame(n) && mac_eq(rx + ETH_OFF_SRC, peer)) {
			if (up_counts)
				return PEER_UP;
			continue;
		}
		if (!is_ping_frame(n, "PONG") || !mac_eq(rx + ETH_OFF_SRC, peer)) {
			c->other++;
			continue;
		}
		rseq = get_be32(rx + OFF_SEQ);
		if (rseq < seq) {
			c->late++; /* an answer to a resent or timed-out ping */
			continue;
		}
		if (rseq > seq || !pattern_ok(rx, rseq)) {
			if (c->bad++ < MAX_REPORTS)
				print(NAME_PING ": bad pong (seq %u, expected %u)\n", rseq, seq);
			continue;
		}
		*rtt = rdtsc() - t0;
		return GOT_PONG;
	}
}

static long do_ping(const uint8_t *peer, uint32_t count)
{
	struct ping_counts c = { 0, 0, 0, 0, 0 };
	uint64_t rtt_sum = 0, rtt_min = UINT64_MAX, rtt_max = 0;
	uint64_t start_deadline = tsc_deadline_ms(opts.start_ms);

	for (uint32_t seq = 0; seq < count; seq++) {
		build_ping(peer, seq);
		for (;;) {
			/* Until the first pong the peer may not be up yet (its
			 * NIC drops what arrives before RX is enabled). */
			bool first = seq == 0;
			uint64_t t0, rtt;
			enum await w;

			if (e1000_send(&nic, frame, PING_LEN)) {
				print(NAME_PING ": send failed at seq %u\n", seq);
				return (long)(count - c.ok) + c.bad;
			}
			t0 = rdtsc();
			w = await_pong(peer, seq, t0, tsc_deadline_ms(first ? RETRY_MS : opts.timeout_ms),
				       first, &c, &rtt);
			if (w == GOT_PONG) {
				rtt_sum += rtt;
				rtt_min = rtt < rtt_min ? rtt : rtt_min;
				rtt_max = rtt > rtt_max ? rtt : rtt_max;
				c.ok++;
				break;
			}
			if (first && !tsc_expired(start_deadline))
				continue; /* resend: periodically, or now that the peer is up */
			if (c.lost++ < MAX_REPORTS)
				print(NAME_PING ": seq %u: no reply within %u ms\n", seq,
				      first ? opts.start_ms : opts.timeout_ms);
			break;
		}
	}
	e1000_tx_drain(&nic, opts.timeout_ms);
	print(NAME_PING ": %u/%u replies ok\n", c.ok, count);
	print(NAME_PING ": rtt avg %lu min %lu max %lu cycles\n",
	      (unsigned long)(c.ok ? rtt_sum / c.ok : 0), (unsigned long)(c.ok ? rtt_min : 0),
	      (unsigned long)rtt_max);
	if (c.lost || c.bad || c.late || c.other)
		print(NAME_PING ": lost %u bad %u late %u other %u\n", c.lost, c.bad, c.late,
		      c.other);
	return (long)(count - c.ok) + c.bad;
}

static long do_pong(const uint8_t *peer, bool have_peer, uint32_t count)
{
	uint32_t answered = 0, dup = 0, bad = 0, skipped = 0, other = 0, next = 0;

	announce_up(have_peer ? peer : mac_broadcast);
	while (next < count) {
		int n = e1000_recv(&nic, rx, sizeof(rx), next == 0 ? opts.start_ms : opts.timeout_ms);
		uint32_t seq;

		if (n == 0) {
			print(NAME_PONG ": no ping within %u ms after %u\n",
			      next == 0 ? opts.start_ms : opts.timeout_ms, answered);
			break;
		}
		if (!is_ping_frame(n, "PING") || (have_peer && !mac_eq(rx + ETH_OFF_SRC, peer))) {
			other++;
			continue;
		}
		seq = get_be32(rx + OFF_SEQ);
		if (seq >= count || !pattern_ok(rx, seq)) {
			if (bad++ < MAX_REPORTS)
				print(NAME_PONG ": bad ping (seq %u)\n", seq);
			continue;
		}
		/* Echo it: same sequence and pattern, back to the sender. */
		memcpy(frame, rx, PING_LEN);
		memcpy(frame + ETH_OFF_DST, rx + ETH_OFF_SRC, ETH_ALEN);
		memcpy(frame + ETH_OFF_SRC, nic.mac, ETH_ALEN);
		memcpy(frame + OFF_MAGIC, "PONG", 4);
		if (e1000_send(&nic, frame, PING_LEN))
			break;
		if (seq < next) {
			dup++; /* a resent first ping */
			continue;
		}
		skipped += seq - next;
		next = seq + 1;
		answered++;
	}
	e1000_tx_drain(&nic, opts.timeout_ms);
	print(NAME_PONG ": answered %u\n", answered);
	if (dup || bad || skipped || other)
		print(NAME_PONG ": dup %u bad %u skipped %u other %u\n", dup, bad, skipped, other);
	return (long)(count - answered) + bad;
}

long guest_main(const uint8_t *bp)
{
	bool pinger = cmdline_is(bp, "role", "ping"), have_peer;
	const char *name = pinger ? NAME_PING : NAME_PONG;
	uint8_t peer[ETH_ALEN];
	uint64_t count;
	long errors;
	int rc;

	if (!pinger && !cmdline_is(bp, "role", "pong")) {
		print("netping: role=ping or role=pong\n");
		return NETGUEST_EXIT_USAGE;
	}
	if (!netguest_mac(name, bp, "peer", pinger, peer, &have_peer) ||
	    !netguest_opt(name, bp, "count", 100, 1, 1000000, &count))
		return NETGUEST_EXIT_USAGE;
	rc = netguest_init(name, bp, &nic, &opts);
	if (rc)
		return rc;
	if (pinger)
		errors = do_ping(peer, (uint32_t)count);
	else
		errors = do_pong(peer, have_peer, (uint32_t)count);
	return errors + netguest_finish(name, &nic);
}
