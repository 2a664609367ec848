/* SPDX-License-Identifier: MIT */
#include "netguest.h"

#include "cmdline.h"
#include "guest.h"
#include "pic.h"
#include "tsc.h"

bool netguest_opt(const char *name, const uint8_t *bp, const char *key, uint64_t def,
		  uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = def;
	int rc = cmdline_get_u64(bp, key, &v);

	if (rc < 0 || v < min || v > max) {
		print("%s: bad %s= (a number from %lu to %lu)\n", name, key, (unsigned long)min,
		      (unsigned long)max);
		return false;
	}
	*out = v;
	return true;
}

bool netguest_mac(const char *name, const uint8_t *bp, const char *key, bool required,
		  uint8_t mac[6], bool *present)
{
	int rc = cmdline_get_mac(bp, key, mac);

	*present = rc > 0;
	if (rc < 0 || (rc == 0 && required)) {
		print("%s: %s %s= (aa:bb:cc:dd:ee:ff)\n", name, rc < 0 ? "bad" : "missing", key);
		return false;
	}
	return true;
}

int netguest_init(const char *name, const uint8_t *bp, struct e1000_nic *nic, struct net_opts *o)
{
	uint64_t mhz, timeout, start;

	if (!cmdline_get(bp, "mode") || cmdline_is(bp, "mode", "irq")) {
		o->mode = E1000_IRQ;
	} else if (cmdline_is(bp, "mode", "poll")) {
		o->mode = E1000_POLL;
	} else {
		print("%s: bad mode= (irq or poll)\n", name);
		return NETGUEST_EXIT_USAGE;
	}
	if (!netguest_opt(name, bp, "tsc_mhz", TSC_DEFAULT_MHZ, 1, 100000, &mhz) ||
	    !netguest_opt(name, bp, "timeout", E1000_DEFAULT_TIMEOUT_MS, 1, 3600000, &timeout) ||
	    !netguest_opt(name, bp, "start", 30000, 1, 3600000, &start))
		return NETGUEST_EXIT_USAGE;
	tsc_set_mhz(mhz);
	o->timeout_ms = (unsigned)timeout;
	o->start_ms = (unsigned)start;

	idt_install();
	if (pic_init())
		return NETGUEST_EXIT_NIC;
	if (e1000_probe(nic, o->mode))
		return NETGUEST_EXIT_NIC;
	nic->tx_timeout_ms = o->timeout_ms;
	if (o->mode == E1000_IRQ)
		irq_enable();
	return 0;
}

long netguest_finish(const char *name, struct e1000_nic *nic)
{
	unsigned bad = e1000_check_consistency(nic, name);

	e1000_print_stats(nic, name);
	return bad;
}
