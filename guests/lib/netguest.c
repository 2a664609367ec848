/* SPDX-License-Identifier: MIT */
#include "netguest.h"

#include "cmdline.h"
#include "guest.h"
#include "pic.h"
#include "pit.h"
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
	return netguest_init_def(name, bp, nic, o, E1000_IRQ, E1000_RX_BUF);
}

int netguest_init_def(const char *name, const uint8_t *bp, struct e1000_nic *nic,
		      struct net_opts *o, enum e1000_mode def_mode, unsigned def_buf)
{
	uint64_t mhz, timeout, start, buf, batch;
	struct e1000_opts eo;

	if (!cmdline_get(bp, "mode")) {
		o->mode = def_mode;
	} else if (cmdline_is(bp, "mode", "irq")) {
		o->mode = E1000_IRQ;
	} else if (cmdline_is(bp, "mode", "poll")) {
		o->mode = E1000_POLL;
	} else {
		print("%s: bad mode= (irq or poll)\n", name);
		return NETGUEST_EXIT_USAGE;
	}
	if (!netguest_opt(name, bp, "tsc_mhz", TSC_DEFAULT_MHZ, 1, 100000, &mhz) ||
	    !netguest_opt(name, bp, "timeout", E1000_DEFAULT_TIMEOUT_MS, 1, 3600000, &timeout) ||
	    !netguest_opt(name, bp, "start", 30000, 1, 3600000, &start) ||
	    !netguest_opt(name, bp, "buf", def_buf, E1000_RX_BUF, E1000_BUF_MAX, &buf) ||
	    !netguest_opt(name, bp, "rdtbatch", 1, 1, E1000_NUM_RX - 1, &batch))
		return NETGUEST_EXIT_USAGE;
	if (buf != E1000_RX_BUF && buf != E1000_BUF_MAX) {
		print("%s: bad buf= (%u or %u)\n", name, E1000_RX_BUF, E1000_BUF_MAX);
		return NETGUEST_EXIT_USAGE;
	}
	tsc_set_mhz(mhz);
	o->timeout_ms = (unsigned)timeout;
	o->start_ms = (unsigned)start;
	o->buf_size = (unsigned)buf;
	o->rdt_batch = (unsigned)batch;
	eo = (struct e1000_opts){ o->mode, o->buf_size, o->rdt_batch };

	idt_install();
	if (pic_init())
		return NETGUEST_EXIT_NIC;
	if (e1000_probe_opts(nic, &eo))
		return NETGUEST_EXIT_NIC;
	nic->tx_timeout_ms = o->timeout_ms;
	/* Deadlines end waits in interrupt mode too (the 8254, IRQ 0). */
	nic->wake_timer = o->mode == E1000_IRQ && !pit_init();
	if (o->mode == E1000_IRQ)
		irq_enable();
	return 0;
}

long netguest_finish(const char *name, struct e1000_nic *nic)
{
	unsigned bad = e1000_check_consistency(nic, name);

	e1000_print_stats(nic, name);
	if (nic->rdt_batch > 1)
		print("%s: rx %lu descriptors given back with %lu RDT writes (batch %u)\n", name,
		      (unsigned long)nic->rx_desc, (unsigned long)nic->rx_rdt_writes,
		      nic->rdt_batch);
	return bad;
}
