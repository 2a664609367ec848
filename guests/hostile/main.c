/* SPDX-License-Identifier: MIT */
/*
 * A hostile guest on the network of other guests (docs/security.md):
 *   role=hostile [snoop=MS] [hold=MS]
 * plus the common keys of netguest.h (defaults here: mode=poll, buf=4096).
 * It is nobody's peer. In order it tries:
 *
 *   snoop    a NIC reset, then a ring of zeroed, page-aligned 4 KiB receive
 *            buffers and an RDT write; for snoop ms, every buffer the NIC has
 *            not completed (DD clear) is looked at: data there is a page of
 *            another guest's that xtalk mapped into this one.
 *   scribble the VMM asked to write into every receive buffer page (REP
 *            INSB from the COM1 scratch register, the counters hypercall)
 *            and a plain store there: none of it may reach another guest.
 *   hold     RX enabled, broadcasts accepted, no receive buffer given to the
 *            NIC (RDT = RDH, a full ring) for hold ms: a guest sending to it
 *            (a broadcast ARP request) must not stall.
 *
 * It reports what it saw ("hostile: snoop: N buffers never filled by the NIC
 * held data") and exits 0: the verdict is the test's, from these lines, the
 * other guests' own checks and the VMM's counters.
 */
#include <string.h>

#include "cmdline.h"
#include "ether.h"
#include "guest.h"
#include "netguest.h"
#include "tsc.h"

#define NAME "hostile"
#define COM1_SCR 0x3ff /* 16550 scratch register: reads back what was written */
#define SCRIBBLE 0xa5
#define SCRIBBLE_LEN 64

static struct e1000_nic nic;
static struct net_opts opts;
static bool leaked[E1000_NUM_RX];

static inline void rep_insb(uint16_t port, void *to, unsigned long n)
{
	__asm__ volatile("rep insb" : "+D"(to), "+c"(n) : "d"(port) : "memory");
}

/* RX on, broadcasts accepted, and not one buffer for the NIC. */
static void hold_no_buffers(unsigned ms)
{
	uint32_t bsize = E1000_RCTL_BSIZE_4096 | E1000_RCTL_BSEX;
	uint64_t until;

	e1000_wr(&nic, E1000_RCTL, 0);
	e1000_wr(&nic, E1000_RDH, 0);
	e1000_wr(&nic, E1000_RDT, 0);
	e1000_wr(&nic, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | bsize);
	until = tsc_deadline_ms(ms);

	print(NAME ": hold: RX on, broadcasts accepted, no receive buffer, %u ms\n", ms);
	while (!tsc_expired(until))
		cpu_relax();
}

/* Whether the NIC completed descriptor i (read from memory each time). */
static bool rx_done(unsigned i)
{
	return ((volatile struct e1000_rx_desc *)&nic.dma.rx[i])->status & E1000_RXD_STAT_DD;
}

/*
 * Buffers the NIC did not complete that are no longer all zeros. The NIC
 * may fill a buffer between the two reads below (xtalk delivers a frame,
 * data then descriptor, between any two instructions of ours): a buffer
 * counts only if its descriptor is still not done after its data was seen.
 */
static unsigned snoop_once(unsigned before)
{
	static const uint8_t zero[ETH_HLEN];
	unsigned found = 0;

	for (unsigned i = 0; i < E1000_NUM_RX; i++) {
		const uint8_t *buf = e1000_rx_buf(&nic, i);

		if (leaked[i] || rx_done(i))
			continue;
		__asm__ volatile("" ::: "memory");
		if (!memcmp(buf, zero, sizeof(zero)))
			continue;
		__asm__ volatile("" ::: "memory");
		if (!rx_done(i)) {
			leaked[i] = true;
			found++;
			if (before + found <= 3)
				print(NAME ": snoop: buffer %u: a frame from " MAC_FMT " to " MAC_FMT
				      "\n", i, MAC_ARGS(buf + ETH_OFF_SRC), MAC_ARGS(buf + ETH_OFF_DST));
		}
	}
	return found;
}

static unsigned snoop(unsigned ms)
{
	uint64_t until;
	unsigned found = 0;

	/* RX off first: a frame still arriving while the buffers are zeroed
	 * (a broadcast, legitimately ours) would be taken for a leak. */
	e1000_wr(&nic, E1000_RCTL, 0);
	memset(nic.dma.rxmem, 0, sizeof(nic.dma.rxmem));
	if (e1000_reinit(&nic))
		print(NAME ": snoop: NIC reset failed\n");
	until = tsc_deadline_ms(ms);
	do
		found += snoop_once(found);
	while (!tsc_expired(until));
	print(NAME ": snoop: %u buffers never filled by the NIC held data\n", found);
	return found;
}

/* Ask the VMM to write into each receive buffer page; then a plain store. */
static void scribble(void)
{
	struct xtalk_counters *c;
	unsigned echoed = 0;
	long refused = 0;

	outb(COM1_SCR, SCRIBBLE);
	for (unsigned i = 0; i < E1000_NUM_RX; i++) {
		uint8_t *page = e1000_rx_buf(&nic, i);

		rep_insb(COM1_SCR, page, SCRIBBLE_LEN);
		echoed += page[0] == SCRIBBLE && page[SCRIBBLE_LEN - 1] == SCRIBBLE;
		c = (struct xtalk_counters *)(page + SCRIBBLE_LEN);
		refused += hypercall(XTALK_HC_COUNTERS, (long)(uintptr_t)c, sizeof(*c), 0) < 0;
		page[4095] = SCRIBBLE;
	}
	print(NAME ": scribble: %u of %u pages written by REP INSB as this guest sees them, "
	      "counters hypercall refused %ld times\n", echoed, E1000_NUM_RX, refused);
}

long guest_main(const uint8_t *bp)
{
	uint64_t hold, snoop_ms;
	int rc;

	if (!cmdline_is(bp, "role", "hostile")) {
		print(NAME ": role=hostile\n");
		return NETGUEST_EXIT_USAGE;
	}
	if (!netguest_opt(NAME, bp, "hold", 2000, 1, 600000, &hold) ||
	    !netguest_opt(NAME, bp, "snoop", 2000, 1, 600000, &snoop_ms))
		return NETGUEST_EXIT_USAGE;
	rc = netguest_init_def(NAME, bp, &nic, &opts, E1000_POLL, E1000_BUF_MAX);
	if (rc)
		return rc;
	snoop((unsigned)snoop_ms);
	scribble();
	hold_no_buffers((unsigned)hold);
	print(NAME ": done\n");
	return 0;
}
