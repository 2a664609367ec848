/* SPDX-License-Identifier: MIT */
/*
 * Broadcast discovery among peers=N guests (guests/README.md), plus the
 * common keys of netguest.h and interval=MS (default 200).
 *
 * Each guest broadcasts "HELLO from <its MAC>" (ethertype 0x88b7) at start,
 * whenever it hears a new peer, and every interval ms while awake, until it
 * has heard the N-1 others and they have all heard everyone: a guest's NIC
 * drops what arrives before its RX is enabled, so one broadcast at start
 * could miss a slower peer. After the NUL the frame carries how many peers
 * the sender has heard and whether that is all of them.
 *
 * Address filtering: on hearing a new peer, a guest sends it one unicast
 * DIRECT frame, and sends a STRAY frame to a unicast address nobody owns and
 * one to a multicast group nobody joined. A guest that receives a frame for
 * an address that is neither its own nor broadcast counts it as stray.
 * Exit status: peers not heard + stray + malformed frames.
 */
#include <string.h>

#include "ether.h"
#include "guest.h"
#include "netguest.h"
#include "tsc.h"

#define NAME "netbcast"
#define ETHERTYPE_BCAST 0x88b7
#define MAX_PEERS 31
#define HELLO "HELLO from "
#define HELLO_LEN 11
#define OFF_TEXT ETH_HLEN
#define OFF_HEARD (OFF_TEXT + HELLO_LEN + MAC_STR_LEN) /* after the text's NUL */
#define OFF_COMPLETE (OFF_HEARD + 1)
#define HELLO_FRAME_LEN (OFF_COMPLETE + 1) /* 45: the NIC pads it to 60 */
#define MAX_REPORTS 5

static const uint8_t stray_unicast[ETH_ALEN] = { 0x02, 0x78, 0x74, 0x00, 0x00, 0x01 };
static const uint8_t stray_multicast[ETH_ALEN] = { 0x01, 0x78, 0x74, 0x00, 0x00, 0x01 };

static struct e1000_nic nic;
static struct net_opts opts;
static uint8_t rx[ETH_FRAME_MAX];

static struct {
	uint8_t mac[ETH_ALEN];
	bool complete;
} peers[MAX_PEERS];
static unsigned npeers, need;
static unsigned stray, bad, echo;

static void send_text(const uint8_t *dst, const char *text)
{
	uint8_t f[ETH_ZLEN];
	size_t n = strlen(text);

	memset(f, 0, sizeof(f));
	eth_put_header(f, dst, nic.mac, ETHERTYPE_BCAST);
	memcpy(f + ETH_HLEN, text, n < ETH_ZLEN - ETH_HLEN ? n : ETH_ZLEN - ETH_HLEN);
	if (e1000_send(&nic, f, ETH_ZLEN))
		bad++;
}

static void send_hello(void)
{
	uint8_t f[HELLO_FRAME_LEN];

	eth_put_header(f, mac_broadcast, nic.mac, ETHERTYPE_BCAST);
	memcpy(f + OFF_TEXT, HELLO, HELLO_LEN);
	mac_to_str(nic.mac, (char *)f + OFF_TEXT + HELLO_LEN);
	f[OFF_HEARD] = (uint8_t)npeers;
	f[OFF_COMPLETE] = npeers >= need;
	if (e1000_send(&nic, f, sizeof(f)))
		bad++;
}

static void heard_new_peer(const uint8_t *mac)
{
	char s[MAC_STR_LEN], text[ETH_ZLEN];

	mac_to_str(mac, s);
	print(NAME ": heard %s\n", s);
	if (npeers == MAX_PEERS) {
		bad++;
		return;
	}
	memcpy(peers[npeers].mac, mac, ETH_ALEN);
	peers[npeers].complete = false;
	npeers++;
	memcpy(text, "DIRECT to ", 10);
	memcpy(text + 10, s, MAC_STR_LEN);
	send_text(mac, text);
	send_text(stray_unicast, "STRAY unicast");
	send_text(stray_multicast, "STRAY multicast");
}

static void take(int n)
{
	const uint8_t *dst = rx + ETH_OFF_DST, *src = rx + ETH_OFF_SRC;
	char s[MAC_STR_LEN];
	unsigned i;

	if (!mac_eq(dst, nic.mac) && !mac_eq(dst, mac_broadcast)) {
		if (stray++ < MAX_REPORTS)
			print(NAME ": received a frame for " MAC_FMT " from " MAC_FMT "\n",
			      MAC_ARGS(dst), MAC_ARGS(src));
		return;
	}
	if (eth_type(rx) != ETHERTYPE_BCAST || !mac_eq(dst, mac_broadcast))
		return; /* DIRECT frames, other traffic */
	if (mac_eq(src, nic.mac)) {
		if (echo++ < MAX_REPORTS)
			print(NAME ": received our own broadcast\n");
		return;
	}
	mac_to_str(src, s);
	if (n < ETH_ZLEN || memcmp(rx + OFF_TEXT, HELLO, HELLO_LEN) ||
	    memcmp(rx + OFF_TEXT + HELLO_LEN, s, MAC_STR_LEN)) {
		if (bad++ < MAX_REPORTS)
			print(NAME ": malformed broadcast from %s\n", s);
		return;
	}
	for (i = 0; i < npeers && !mac_eq(peers[i].mac, src); i++)
		;
	if (i == npeers) {
		heard_new_peer(src);
		if (i == npeers)
			return;
	}
	peers[i].complete = rx[OFF_COMPLETE] != 0;
}

static bool all_complete(void)
{
	for (unsigned i = 0; i < npeers; i++)
		if (!peers[i].complete)
			return false;
	return npeers >= need;
}

long guest_main(const uint8_t *bp)
{
	uint64_t n_peers, interval, deadline, next_hello;
	bool announced = false;
	unsigned heard;
	int rc;

	if (!netguest_opt(NAME, bp, "peers", 2, 1, MAX_PEERS + 1, &n_peers) ||
	    !netguest_opt(NAME, bp, "interval", 200, 1, 60000, &interval))
		return NETGUEST_EXIT_USAGE;
	need = (unsigned)n_peers - 1;
	rc = netguest_init(NAME, bp, &nic, &opts);
	if (rc)
		return rc;

	deadline = tsc_deadline_ms(opts.start_ms);
	next_hello = rdtsc();
	while (!(announced && all_complete())) {
		int n;

		if (tsc_expired(next_hello)) {
			announced = npeers >= need;
			send_hello();
			next_hello = tsc_deadline_ms(interval);
		}
		if (announced && all_complete())
			break; /* nothing left to wait for (peers=1) */
		if (tsc_expired(deadline)) {
			print(NAME ": gave up after %u ms\n", opts.start_ms);
			break;
		}
		n = e1000_recv_until(&nic, rx, sizeof(rx),
				     (int64_t)(next_hello - deadline) < 0 ? next_hello : deadline);
		if (n) {
			unsigned before = npeers;

			/* A new peer (or becoming complete): broadcast at once.
			 * The new peer's RX is up, so it hears us even if our
			 * earlier HELLOs were lost; and in irq mode a guest
			 * sleeps in HLT with no timer, so periodic resends
			 * alone could leave everyone asleep. */
			take(n);
			if (npeers != before)
				next_hello = rdtsc();
		}
	}
	e1000_tx_drain(&nic, opts.timeout_ms);
	heard = npeers < need ? npeers : need;
	print(NAME ": heard %u of %u peers, %u stray\n", npeers, need, stray);
	return (long)(need - heard) + stray + bad + echo + netguest_finish(NAME, &nic);
}
