/* SPDX-License-Identifier: MIT */
/*
 * A host outside the machine and a co-resident peer, alternately
 * (guests/README.md):
 *   role=out ip=A.B.C.D host=A.B.C.D [peer=MAC] [count=N] [pinglen=L] [rearp=K]
 * plus the common keys of netguest.h (defaults here: mode=poll, buf=4096).
 *
 * Resolves host with ARP (a broadcast request every 200 ms, for at most
 * start ms), then N times: a netping-format ping to peer (a netping
 * role=pong guest), wait for its pong; an ICMP echo request to host, wait
 * for the matching echo reply. Peer and outside strictly alternate, so the
 * VMM moves this guest's TX buffers between the path to the peer and the
 * physical NIC all the time; without peer= only the host is pinged. With
 * rearp=K, host is resolved again (a broadcast ARP request) before every
 * K-th echo request, as a stack whose ARP entry expired does. Every
 * field of the replies is checked. Exit
 * status: echo requests and pings without a good answer, bad answers, and 1
 * if ARP failed.
 */
#include <string.h>

#include "cmdline.h"
#include "ether.h"
#include "guest.h"
#include "netguest.h"
#include "pingframe.h"
#include "rand.h"
#include "tsc.h"

#define NAME "netout"
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ARP_LEN 42                  /* Ethernet + ARP for IPv4; the NIC pads it */
#define IP_OFF ETH_HLEN
#define IP_HLEN 20
#define ICMP_OFF (IP_OFF + IP_HLEN) /* 34 */
#define ICMP_HLEN 8
#define ECHO_DATA 56
#define ECHO_LEN (ICMP_OFF + ICMP_HLEN + ECHO_DATA) /* 98 */
#define ECHO_ID 0x7874              /* "xt" */
#define IP_TTL 64
#define RETRY_MS 200
#define MAX_REPORTS 5

static struct e1000_nic nic;
static struct net_opts opts;
static uint8_t rx[ETH_FRAME_MAX], frame[ETH_FRAME_MAX];
static uint8_t my_ip[4], host_ip[4], host_mac[ETH_ALEN], peer[ETH_ALEN];

struct counts {
	uint32_t echo_ok, pong_ok;
	uint32_t echo_lost, echo_bad, pong_lost, pong_bad;
	uint32_t late, other;
	uint32_t rearp_ok, rearp_failed;
	uint64_t echo_rtt, pong_rtt;
};

static struct counts cnt;

/* ------------------------------------------------------------ helpers */

static bool parse_ip(const char *s, uint8_t out[4])
{
	size_t len = s ? cmdline_value_len(s) : 0, i = 0;

	for (unsigned part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (!digits || v > 255)
			return false;
		out[part] = (uint8_t)v;
		if (part < 3 && (i >= len || s[i++] != '.'))
			return false;
	}
	return i == len;
}

/* The Internet checksum (RFC 1071) of n bytes: 0 when a header that
 * carries its checksum is intact. */
static uint16_t inet_csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void echo_data(uint8_t *p, uint32_t seq)
{
	struct rng r;

	rng_seed(&r, ECHO_ID, seq);
	rng_fill(&r, p, ECHO_DATA);
}

#define IP4_FMT "%u.%u.%u.%u"
#define IP4_ARGS(a) (a)[0], (a)[1], (a)[2], (a)[3]

/* ------------------------------------------------------------ ARP */

static int send_arp_request(void)
{
	uint8_t *a = frame + ETH_HLEN;

	memset(frame, 0, ETH_ZLEN);
	eth_put_header(frame, mac_broadcast, nic.mac, ETHERTYPE_ARP);
	put_be16(a + 0, 1);              /* hardware: Ethernet */
	put_be16(a + 2, ETHERTYPE_IPV4); /* protocol: IPv4 */
	a[4] = ETH_ALEN;
	a[5] = 4;
	put_be16(a + 6, 1);              /* request */
	memcpy(a + 8, nic.mac, ETH_ALEN);
	memcpy(a + 14, my_ip, 4);
	memset(a + 18, 0, ETH_ALEN);
	memcpy(a + 24, host_ip, 4);
	return e1000_send(&nic, frame, ARP_LEN);
}

/* An ARP reply to us about host: 1, its MAC in mac; 0 not one; -1 one that
 * is wrong (what is printed). */
static int arp_reply(int n, uint8_t mac[ETH_ALEN])
{
	const uint8_t *a = rx + ETH_HLEN;

	if (n < ARP_LEN || eth_type(rx) != ETHERTYPE_ARP || get_be16(a + 6) != 2 ||
	    memcmp(a + 14, host_ip, 4))
		return 0;
	if (!mac_eq(rx + ETH_OFF_DST, nic.mac) || get_be16(a) != 1 ||
	    get_be16(a + 2) != ETHERTYPE_IPV4 || a[4] != ETH_ALEN || a[5] != 4 ||
	    !mac_eq(a + 18, nic.mac) || memcmp(a + 24, my_ip, 4) || mac_is_multicast(a + 8) ||
	    mac_is_zero(a + 8) || !mac_eq(rx + ETH_OFF_SRC, a + 8)) {
		print(NAME ": bad ARP reply from " MAC_FMT ": sender " MAC_FMT " " IP4_FMT
		      ", target " MAC_FMT " " IP4_FMT "\n",
		      MAC_ARGS(rx + ETH_OFF_SRC), MAC_ARGS(a + 8), IP4_ARGS(a + 14),
		      MAC_ARGS(a + 18), IP4_ARGS(a + 24));
		return -1;
	}
	memcpy(mac, a + 8, ETH_ALEN);
	return 1;
}

static bool arp_resolve(bool quiet)
{
	uint64_t give_up = tsc_deadline_ms(opts.start_ms);
	unsigned tries = 0;

	while (!tsc_expired(give_up)) {
		uint64_t deadline = tsc_deadline_ms(RETRY_MS);
		int n;

		if (send_arp_request())
			break;
		tries++;
		while ((n = e1000_recv_until(&nic, rx, sizeof(rx), deadline))) {
			int r = arp_reply(n, host_mac);

			if (r > 0) {
				if (!quiet)
					print(NAME ": arp " IP4_FMT " is at " MAC_FMT "\n",
					      IP4_ARGS(host_ip), MAC_ARGS(host_mac));
				return true;
			}
			if (r == 0)
				cnt.other++;
		}
	}
	print(NAME ": no ARP reply from " IP4_FMT " within %u ms (%u requests)\n",
	      IP4_ARGS(host_ip), opts.start_ms, tries);
	return false;
}

/* ------------------------------------------------------------ ICMP echo */

static int send_echo(uint32_t seq)
{
	uint8_t *ip = frame + IP_OFF, *icmp = frame + ICMP_OFF;

	eth_put_header(frame, host_mac, nic.mac, ETHERTYPE_IPV4);
	ip[0] = 0x45; /* IPv4, 20-byte header */
	ip[1] = 0;
	put_be16(ip + 2, IP_HLEN + ICMP_HLEN + ECHO_DATA);
	put_be16(ip + 4, (uint16_t)(seq + 1)); /* identification */
	put_be16(ip + 6, 0);                   /* no fragments */
	ip[8] = IP_TTL;
	ip[9] = 1; /* ICMP */
	put_be16(ip + 10, 0);
	memcpy(ip + 12, my_ip, 4);
	memcpy(ip + 16, host_ip, 4);
	put_be16(ip + 10, inet_csum(ip, IP_HLEN));
	icmp[0] = 8; /* echo request */
	icmp[1] = 0;
	put_be16(icmp + 2, 0);
	put_be16(icmp + 4, ECHO_ID);
	put_be16(icmp + 6, (uint16_t)seq);
	echo_data(icmp + ICMP_HLEN, seq);
	put_be16(icmp + 2, inet_csum(icmp, ICMP_HLEN + ECHO_DATA));
	return e1000_send(&nic, frame, ECHO_LEN);
}

/* An IPv4 frame from host for us: 1 the echo reply to seq (all checked),
 * 0 something else, -1 a bad or late reply (said why in *why). */
static int echo_reply(int n, uint32_t seq, const char **why)
{
	const uint8_t *ip = rx + IP_OFF, *icmp = rx + ICMP_OFF;
	uint8_t want[ECHO_DATA];

	if (n < ICMP_OFF || eth_type(rx) != ETHERTYPE_IPV4 || ip[9] != 1)
		return 0;
	*why = NULL;
	if (n < ECHO_LEN)
		*why = "short frame";
	else if (!mac_eq(rx + ETH_OFF_DST, nic.mac) || !mac_eq(rx + ETH_OFF_SRC, host_mac))
		*why = "Ethernet addresses";
	else if (ip[0] != 0x45 || inet_csum(ip, IP_HLEN))
		*why = "IP version, header length or checksum";
	else if (get_be16(ip + 2) != IP_HLEN + ICMP_HLEN + ECHO_DATA)
		*why = "IP total length";
	else if (get_be16(ip + 6) & 0x3fff)
		*why = "IP fragment";
	else if (memcmp(ip + 12, host_ip, 4) || memcmp(ip + 16, my_ip, 4))
		*why = "IP addresses";
	else if (icmp[0] != 0 || icmp[1] != 0)
		*why = "ICMP type or code";
	else if (inet_csum(icmp, ICMP_HLEN + ECHO_DATA))
		*why = "ICMP checksum";
	else if (get_be16(icmp + 4) != ECHO_ID)
		*why = "ICMP identifier";
	else if (get_be16(icmp + 6) != (uint16_t)seq)
		*why = (uint16_t)(seq - get_be16(icmp + 6)) < 0x8000 ? "late" : "ICMP sequence";
	if (!*why) {
		echo_data(want, seq);
		if (memcmp(icmp + ICMP_HLEN, want, ECHO_DATA))
			*why = "ICMP data";
	}
	return *why ? -1 : 1;
}

static void ping_outside(uint32_t seq)
{
	uint64_t t0, deadline = tsc_deadline_ms(opts.timeout_ms);
	const char *why;
	int n;

	if (send_echo(seq)) {
		print(NAME ": seq %u: echo request not sent\n", seq);
		cnt.echo_lost++;
		return;
	}
	t0 = rdtsc();
	while ((n = e1000_recv_until(&nic, rx, sizeof(rx), deadline))) {
		int r = echo_reply(n, seq, &why);

		if (r > 0) {
			cnt.echo_rtt += rdtsc() - t0;
			cnt.echo_ok++;
			return;
		}
		if (r == 0) {
			cnt.other++;
		} else if (!strcmp(why, "late")) {
			cnt.late++;
		} else {
			if (cnt.echo_bad++ < MAX_REPORTS)
				print(NAME ": seq %u: bad echo reply (%s)\n", seq, why);
			return;
		}
	}
	if (cnt.echo_lost++ < MAX_REPORTS)
		print(NAME ": seq %u: no echo reply within %u ms\n", seq, opts.timeout_ms);
}

/* ------------------------------------------------------------ the peer */

static void ping_peer(uint32_t seq, size_t len, uint64_t start_deadline)
{
	bool first = seq == 0;

	ping_build(frame, len, peer, nic.mac, "PING", seq);
	for (;;) {
		uint64_t t0, deadline;
		bool resend = false;
		int n;

		if (e1000_send(&nic, frame, len)) {
			print(NAME ": seq %u: ping not sent\n", seq);
			cnt.pong_lost++;
			return;
		}
		t0 = rdtsc();
		/* Until the first pong the peer may not be up: resend. */
		deadline = tsc_deadline_ms(first ? RETRY_MS : opts.timeout_ms);
		while (!resend && (n = e1000_recv_until(&nic, rx, sizeof(rx), deadline))) {
			uint32_t rseq;

			if (n >= ETH_ZLEN && eth_type(rx) == PING_ETHERTYPE &&
			    !memcmp(rx + PING_OFF_MAGIC, "UP!!", 4) && mac_eq(rx + ETH_OFF_SRC, peer)) {
				resend = first; /* it just came up */
				continue;
			}
			if (!ping_is(rx, n, nic.mac, "PONG") || !mac_eq(rx + ETH_OFF_SRC, peer)) {
				cnt.other++;
				continue;
			}
			rseq = get_be32(rx + PING_OFF_SEQ);
			if (rseq < seq) {
				cnt.late++;
				continue;
			}
			if (rseq > seq || !ping_pattern_ok(rx, rseq)) {
				if (cnt.pong_bad++ < MAX_REPORTS)
					print(NAME ": bad pong (seq %u, expected %u)\n", rseq, seq);
				continue;
			}
			cnt.pong_rtt += rdtsc() - t0;
			cnt.pong_ok++;
			return;
		}
		if (first && !tsc_expired(start_deadline))
			continue;
		if (cnt.pong_lost++ < MAX_REPORTS)
			print(NAME ": seq %u: no pong within %u ms\n", seq,
			      first ? opts.start_ms : opts.timeout_ms);
		return;
	}
}

/* ------------------------------------------------------------ main */

long guest_main(const uint8_t *bp)
{
	uint64_t count, pinglen, rearp, start_deadline;
	bool have_peer, resolved;
	long errors;
	int rc;

	if (!cmdline_is(bp, "role", "out")) {
		print(NAME ": role=out\n");
		return NETGUEST_EXIT_USAGE;
	}
	if (!parse_ip(cmdline_get(bp, "ip"), my_ip) || !parse_ip(cmdline_get(bp, "host"), host_ip)) {
		print(NAME ": ip= and host= (a.b.c.d)\n");
		return NETGUEST_EXIT_USAGE;
	}
	if (!netguest_mac(NAME, bp, "peer", false, peer, &have_peer) ||
	    !netguest_opt(NAME, bp, "count", 10, 1, 1000000, &count) ||
	    !netguest_opt(NAME, bp, "pinglen", 512, PING_LEN, ETH_FRAME_MAX, &pinglen) ||
	    !netguest_opt(NAME, bp, "rearp", 0, 0, 1000000, &rearp))
		return NETGUEST_EXIT_USAGE;
	rc = netguest_init_def(NAME, bp, &nic, &opts, E1000_POLL, E1000_BUF_MAX);
	if (rc)
		return rc;
	if (have_peer)
		print(NAME ": " IP4_FMT " (" MAC_FMT "): %lu x (ping peer " MAC_FMT ", echo " IP4_FMT
		      ")\n", IP4_ARGS(my_ip), MAC_ARGS(nic.mac), (unsigned long)count, MAC_ARGS(peer),
		      IP4_ARGS(host_ip));
	else
		print(NAME ": " IP4_FMT " (" MAC_FMT "): %lu x echo " IP4_FMT "\n", IP4_ARGS(my_ip),
		      MAC_ARGS(nic.mac), (unsigned long)count, IP4_ARGS(host_ip));

	resolved = arp_resolve(false);
	start_deadline = tsc_deadline_ms(opts.start_ms);
	for (uint32_t seq = 0; seq < count; seq++) {
		if (have_peer)
			ping_peer(seq, (size_t)pinglen, start_deadline);
		if (resolved && rearp && seq && seq % rearp == 0) {
			if (arp_resolve(true))
				cnt.rearp_ok++;
			else
				cnt.rearp_failed++;
		}
		if (resolved)
			ping_outside(seq);
	}
	e1000_tx_drain(&nic, opts.timeout_ms);
	print(NAME ": %u/%lu echo replies ok", cnt.echo_ok, (unsigned long)count);
	if (have_peer)
		print(", %u/%lu peer pongs ok", cnt.pong_ok, (unsigned long)count);
	print("\n");
	print(NAME ": rtt avg: echo %lu, pong %lu cycles\n",
	      (unsigned long)(cnt.echo_ok ? cnt.echo_rtt / cnt.echo_ok : 0),
	      (unsigned long)(cnt.pong_ok ? cnt.pong_rtt / cnt.pong_ok : 0));
	if (rearp)
		print(NAME ": host resolved again %u times, %u without answer\n", cnt.rearp_ok,
		      cnt.rearp_failed);
	if (cnt.echo_lost || cnt.echo_bad || cnt.pong_lost || cnt.pong_bad || cnt.late || cnt.other)
		print(NAME ": lost %u/%u bad %u/%u (echo/pong), late %u, other %u\n", cnt.echo_lost,
		      cnt.pong_lost, cnt.echo_bad, cnt.pong_bad, cnt.late, cnt.other);
	errors = (long)(count - cnt.echo_ok) + (have_peer ? (long)(count - cnt.pong_ok) : 0) +
		 cnt.echo_bad + cnt.pong_bad + cnt.rearp_failed + !resolved;
	return errors + netguest_finish(NAME, &nic);
}
