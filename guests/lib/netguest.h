/* SPDX-License-Identifier: MIT */
/*
 * What every network test guest does: read the common command-line keys,
 * install the IDT, program the 8259s, bring the e1000 up, enable interrupts
 * in irq mode; and at the end print the NIC's counters and cross-check them.
 *
 * Common keys: mode=irq|poll (default irq), timeout=MS (default 5000: how
 * long to wait for one frame or one free TX descriptor), start=MS (default
 * 30000: how long to wait for the peer to come up), tsc_mhz=N (default 200),
 * buf=2048|4096 (default 2048: the driver's buffer size; 4096 gives page-
 * aligned whole-page buffers, what the VMM's zero-copy path needs),
 * rdtbatch=N (default 1: RX descriptors given back per RDT write).
 */
#ifndef XTALK_GUEST_NETGUEST_H
#define XTALK_GUEST_NETGUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "e1000.h"

/* Exit statuses for setup failures (tests' own errors count up from 1). */
#define NETGUEST_EXIT_USAGE (-1) /* bad command line */
#define NETGUEST_EXIT_NIC (-2)   /* platform or NIC initialisation failed */

struct net_opts {
	enum e1000_mode mode;
	unsigned timeout_ms;
	unsigned start_ms;
	unsigned buf_size;
	unsigned rdt_batch;
};

/* 0, or a NETGUEST_EXIT_* status after printing why. */
int netguest_init(const char *name, const uint8_t *bp, struct e1000_nic *nic, struct net_opts *o);
/* The same with other defaults for mode= and buf= (netguest_init: irq, 2048). */
int netguest_init_def(const char *name, const uint8_t *bp, struct e1000_nic *nic,
		      struct net_opts *o, enum e1000_mode mode, unsigned buf);

/* key=number within [min, max], def when absent; false (after printing)
 * when malformed or out of range. */
bool netguest_opt(const char *name, const uint8_t *bp, const char *key, uint64_t def,
		  uint64_t min, uint64_t max, uint64_t *out);
/* key=MAC; false (after printing) when malformed, or absent and required.
 * *present tells whether it was given. */
bool netguest_mac(const char *name, const uint8_t *bp, const char *key, bool required,
		  uint8_t mac[6], bool *present);

/* Print the counter line and run e1000_check_consistency(): returns the
 * number of problems found. */
long netguest_finish(const char *name, struct e1000_nic *nic);

#endif
