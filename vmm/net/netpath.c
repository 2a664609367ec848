/* SPDX-License-Identifier: MIT */
/*
 * The cross-talk path in the running VMM: the detector, the remapper and
 * the data path engine (crosstalk/) wired to the guests' NICs, their EPTs
 * (INVEPT), the VMM's page allocator and the machine's physical NIC
 * (vmm/physnic*.c), which is polled: xtalk takes no host interrupts.
 */
#include "vmm/net/netpath.h"

#include "vmm/net/datapath.h"

#include <string.h>

#include "crosstalk/detector.h"
#include "crosstalk/xpath.h"
#include "ept/remap.h"
#include "lib/fmt.h"
#include "lib/xerrno.h"
#include "vmm/core/console.h"
#include "vmm/emul/hc_policy.h"
#include "lib/hypercall_abi.h"
#include "vmm/core/palloc.h"
#include "vmm/hw/physnic.h"
#include "vmm/arch/vmx_caps.h"
#include "vmm/arch/x86.h"

#define PHYS_BOUNCE_SIZE 2048
#define PHYS_BOUNCE_PAGES (XP_PHYS_INFLIGHT * PHYS_BOUNCE_SIZE / EPT_PAGE_SIZE)
#define PHYS_RX_BUDGET 64
#define LOG_REMAPS 16 /* remaps logged one by one; then only counted */

static struct xt_detector det;
static struct remapper rm;
static struct xpath xp;
static struct remap_side sides[XT_MAX_GUESTS];
static bool active;

static struct {
	bool present;
	struct physnic nic;
	struct physnic_pci pci;
	struct physnic_pci_hw hw;
	uint8_t *bounce;
	uint64_t bounce_hpa;
} phys;

static struct {
	uint64_t logged;
	uint64_t invepts;
} counters;

bool netpath_active(void)
{
	return active;
}

/* ---------------------------------------------------------- remapper */

/* One CPU today: INVEPT here is the whole shootdown (see ept/remap.h). */
static void rm_invept(void *ctx, struct ept *ept)
{
	(void)ctx;
	for (unsigned i = 0; i < nguests; i++)
		if (&guests[i].ept == ept) {
			guests[i].dma_epoch++;
			guests[i].stats.invepts++;
		}
	vmx_invept(ept_eptp(ept));
	counters.invepts++;
}

static const struct remap_ops rm_ops = {
	.alloc_page = palloc_page_cb,
	.free_page = palloc_free_cb,
	.phys_to_virt = palloc_phys_to_virt_cb,
	.invept = rm_invept,
};

/* ---------------------------------------------------------- physical NIC */

static int phys_xmit(void *ctx, const struct xp_seg *segs, unsigned nseg, uint64_t cookie)
{
	struct physnic_seg ps[PHYSNIC_MAX_SEGS];

	(void)ctx;
	if (nseg > PHYSNIC_MAX_SEGS)
		return -XT_E2BIG;
	for (unsigned i = 0; i < nseg; i++) {
		ps[i].hpa = segs[i].hpa;
		ps[i].len = segs[i].len;
	}
	return physnic_xmit(&phys.nic, ps, nseg, cookie);
}

/* Copies live in a buffer per in-flight slot until the NIC is done. */
static int phys_xmit_copy(void *ctx, const uint8_t *data, uint32_t len, uint64_t cookie)
{
	struct physnic_seg seg = { phys.bounce_hpa + cookie * PHYS_BOUNCE_SIZE, len };

	(void)ctx;
	if (len > PHYS_BOUNCE_SIZE || cookie >= XP_PHYS_INFLIGHT)
		return -XT_E2BIG;
	memcpy(phys.bounce + cookie * PHYS_BOUNCE_SIZE, data, len);
	return physnic_xmit(&phys.nic, &seg, 1, cookie);
}

static const struct xp_phys_ops phys_ops = {
	.xmit = phys_xmit,
	.xmit_copy = phys_xmit_copy,
};

static void phys_done(void *ctx, uint64_t cookie)
{
	(void)ctx;
	xp_phys_done(&xp, cookie);
}

static void phys_rx(void *ctx, const uint8_t *data, uint32_t len)
{
	(void)ctx;
	xp_phys_rx(&xp, 0, data, len);
}

static void probe_physnic(uint64_t tsc_hz)
{
	char mac[18];
	int rc;

	if (physnic_pci_probe(&phys.pci)) {
		xt_info("cross-talk: no supported physical NIC: outside traffic will be dropped");
		return;
	}
	phys.bounce = pages_alloc_contig(PHYS_BOUNCE_PAGES);
	if (!phys.bounce) {
		xt_err("cross-talk: out of memory for the physical NIC");
		return;
	}
	phys.bounce_hpa = virt_to_phys(phys.bounce);
	physnic_pci_hw_init(&phys.hw, &phys.pci, tsc_hz);
	rc = physnic_init(&phys.nic, &phys.hw.ops, phys.pci.device);
	if (rc) {
		xt_err("cross-talk: physical NIC %02x:%02x.%u did not come up (%s)", phys.pci.bus,
		       phys.pci.dev, phys.pci.fn, xt_strerror(rc));
		return;
	}
	phys.present = true;
	xt_snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", phys.nic.mac[0],
		    phys.nic.mac[1], phys.nic.mac[2], phys.nic.mac[3], phys.nic.mac[4],
		    phys.nic.mac[5]);
	xt_info("cross-talk: phys0 is %s at %02x:%02x.%u, MAC %s, link %s",
		physnic_device_name(phys.pci.device), phys.pci.bus, phys.pci.dev, phys.pci.fn, mac,
		phys.nic.link_up ? "up" : "down (it may come up later)");
}

/* ---------------------------------------------------------- setup */

static void log_event(void *ctx, const char *what, unsigned a, unsigned b, uint64_t ga,
		      uint64_t gb)
{
	(void)ctx;
	if (ga || gb) {
		if (++counters.logged > LOG_REMAPS) {
			if (counters.logged == LOG_REMAPS + 1)
				xt_info("cross-talk: further remaps are counted, not logged");
			return;
		}
		xt_info("cross-talk: remap: %s: guest '%s' GPA 0x%llx / guest '%s' GPA 0x%llx", what,
			guest_port_name(a), (unsigned long long)ga, guest_port_name(b),
			(unsigned long long)gb);
		return;
	}
	if (a != b)
		xt_info("cross-talk detected: '%s' -> '%s' (%s)", guest_port_name(a),
			guest_port_name(b), what);
	else
		xt_info("cross-talk: guest '%s': %s", guest_port_name(a), what);
}

void netpath_init(const struct xt_config *cfg, uint64_t tsc_hz)
{
	active = cfg->crosstalk;
	if (!active) {
		xt_info("cross-talk off: guests talk through the VMM's software bridge");
		return;
	}
	xt_det_init(&det);
	remap_init(&rm, &rm_ops);
	probe_physnic(tsc_hz);
	xp_init(&xp, &det, &rm, phys.present ? &phys_ops : NULL, cfg->zerocopy);
	xp.log = log_event;
	xt_info("cross-talk on: shared pages %s", cfg->zerocopy ? "on" : "off (every frame copied)");
}

static int uplink_index(const struct guest *g)
{
	const char *u = g->cfg->uplink;

	if (!u[0])
		return XT_DET_NO_UPLINK;
	if (!strcmp(u, "phys0") && phys.present)
		return 0;
	xt_warn("guest '%s': uplink '%s' is not present: its outside traffic is dropped", g->name,
		u);
	return XT_DET_NO_UPLINK;
}

int netpath_add_port(struct guest *g, uint16_t network)
{
	int port, uplink;

	if (!active)
		return 0;
	uplink = uplink_index(g);
	port = xt_det_add_port(&det, g->cfg->mac, network, uplink);
	if (port != g->nic_port)
		return port < 0 ? port : -XT_EINVAL;
	sides[port] = (struct remap_side){ .ept = &g->ept, .ram_hpa = g->ram_hpa,
					     .ram_size = g->ram.size, .id = (unsigned)port };
	gmem_attach(&g->mem, &rm, &sides[port]);
	if (uplink != XT_DET_NO_UPLINK)
		physnic_add_address(&phys.nic, g->cfg->mac);
	xt_det_allow_spoof(&det, (unsigned)port, g->cfg->mac_spoof);
	return xp_add_port(&xp, (unsigned)port, g->nic, &sides[port]);
}

static int port_of(const struct xt_config *cfg, unsigned cfg_index)
{
	for (unsigned i = 0; i < nguests; i++)
		if (guests[i].cfg == &cfg->guest[cfg_index] && guests[i].nic)
			return guests[i].nic_port;
	return -1;
}

/* Couplings from the INI, then the implicit ones; say which pairs are
 * coupled before any guest runs. */
void netpath_finalize(const struct xt_config *cfg)
{
	unsigned pairs[XT_DET_MAX_PORTS][2], n;

	if (!active)
		return;
	for (unsigned i = 0; i < cfg->nlinks; i++) {
		int a = port_of(cfg, cfg->link[i].a), b = port_of(cfg, cfg->link[i].b);

		if (a >= 0 && b >= 0)
			xt_det_couple(&det, (unsigned)a, (unsigned)b, XT_COUPLE_LINK);
	}
	xt_det_finalize(&det);
	n = xt_det_static_pairs(&det, pairs, XT_DET_MAX_PORTS);
	for (unsigned i = 0; i < n && i < XT_DET_MAX_PORTS; i++)
		xt_info("cross-talk: '%s' and '%s' coupled at start (%s)",
			guest_port_name(pairs[i][0]), guest_port_name(pairs[i][1]),
			xt_couple_reason_name(xt_det_coupled(&det, pairs[i][0], pairs[i][1])));
}

/* ---------------------------------------------------------- events */

void netpath_tx(struct guest *g)
{
	xp_tx(&xp, (unsigned)g->nic_port);
	if (phys.present)
		netpath_poll();
}

void netpath_rx_ready(struct guest *g)
{
	xp_rx_ready(&xp, (unsigned)g->nic_port);
}

void netpath_reset(struct guest *g)
{
	xp_port_reset(&xp, (unsigned)g->nic_port);
}

void netpath_stopped(struct guest *g)
{
	xp_port_down(&xp, (unsigned)g->nic_port);
}

bool netpath_cow_fault(struct guest *g, uint64_t gpa)
{
	return active && g->nic && xp_cow_fault(&xp, (unsigned)g->nic_port, gpa);
}

bool netpath_poll(void)
{
	unsigned n;

	if (!active || !phys.present)
		return false;
	n = physnic_tx_reap(&phys.nic, phys_done, NULL);
	n += physnic_rx_poll(&phys.nic, phys_rx, NULL, PHYS_RX_BUDGET);
	return n != 0;
}

uint64_t netpath_tick(uint64_t now)
{
	return active ? xp_tick(&xp, now) : 0;
}

bool netpath_can_wake(void)
{
	return active && phys.present;
}

/* ---------------------------------------------------------- reports */

void netpath_frames(struct netpath_frames *f)
{
	memset(f, 0, sizeof(*f));
	if (!active)
		return;
	for (unsigned i = 0; i < nguests; i++) {
		const struct xp_stats *s;

		if (!guests[i].nic)
			continue;
		s = &xp.port[guests[i].nic_port].st;
		f->shared += s->path[XP_PATH_SHARED].tx_frames;
		f->copied += s->path[XP_PATH_COPY].tx_frames;
		f->phys_out += s->path[XP_PATH_PHYS].tx_frames;
		f->phys_in += s->path[XP_PATH_PHYS].rx_frames;
	}
}

void netpath_guest_counters(const struct guest *g, struct xtalk_counters *c)
{
	const struct xp_stats *s;

	if (!active || !g->nic)
		return;
	s = &xp.port[g->nic_port].st;
	c->copies += s->copies;
	c->bytes_copied += s->bytes_copied;
	c->remaps += s->remaps;
	for (unsigned p = 0; p < XP_NPATHS; p++)
		c->frames += s->path[p].tx_frames;
}

void netpath_global_counters(struct xtalk_counters *c)
{
	if (!active)
		return;
	c->remaps += rm.st.shares + rm.st.unshares;
	c->invepts += counters.invepts;
}

static void dump_emit(void *ctx, const char *line)
{
	(void)ctx;
	xt_info("%s", line);
}

static const char *dump_name(void *ctx, unsigned side_id)
{
	(void)ctx;
	return guest_port_name(side_id);
}

/* The caller's pages only, by its own GPAs; runs of pages (a ring's buffers
 * paired slot by slot) are one line each, and at most HC_DUMP_MAX_RUNS
 * lines are printed inside one VMCALL (vmm/emul/hc_policy.h). */
void netpath_dump(const struct guest *g)
{
	struct hc_dump d;

	if (!active || !g->nic) {
		xt_info("xt-dump: guest '%s': no cross-talk port", g->name);
		return;
	}
	hc_dump_begin(&d, &sides[g->nic_port], dump_emit, dump_name, NULL);
	remap_for_each(&rm, hc_dump_pair, &d);
	hc_dump_end(&d);
	if (g->cfg->counters_machine)
		xt_info("xt-dump: remapper: shares %llu, unshares %llu, copy-on-write %llu, "
			"INVEPTs %llu, pages copied %llu, busy %llu",
			(unsigned long long)rm.st.shares, (unsigned long long)rm.st.unshares,
			(unsigned long long)rm.st.cow_breaks, (unsigned long long)rm.st.invepts,
			(unsigned long long)rm.st.pages_copied,
			(unsigned long long)rm.st.busy_refusals);
	netpath_print_guest(g);
}

void netpath_print_guest(const struct guest *g)
{
	const struct xp_stats *s;

	if (!active || !g->nic)
		return;
	s = &xp.port[g->nic_port].st;
	for (unsigned p = 0; p < XP_NPATHS; p++)
		xt_info("guest %s: path %s: tx %llu frames %llu bytes; rx %llu frames %llu bytes",
			g->name, xp_path_name((enum xp_path)p),
			(unsigned long long)s->path[p].tx_frames,
			(unsigned long long)s->path[p].tx_bytes,
			(unsigned long long)s->path[p].rx_frames,
			(unsigned long long)s->path[p].rx_bytes);
	xt_info("guest %s: cross-talk: VMM copies %llu (%llu bytes); remaps %llu; waits %llu; "
		"dropped peer-down %llu filtered %llu error %llu no-route %llu runt %llu "
		"outside %llu; missed from outside %llu; dropped spoofed %llu; "
		"no room (dropped for it) %llu; held too long %llu",
		g->name, (unsigned long long)s->copies, (unsigned long long)s->bytes_copied,
		(unsigned long long)s->remaps, (unsigned long long)s->waits,
		(unsigned long long)s->drop_down, (unsigned long long)s->drop_filtered,
		(unsigned long long)s->drop_error, (unsigned long long)s->drop_no_route,
		(unsigned long long)s->drop_runt, (unsigned long long)s->drop_outside,
		(unsigned long long)s->rx_missed, (unsigned long long)s->drop_spoofed,
		(unsigned long long)s->rx_no_room, (unsigned long long)s->expired);
}

void netpath_print_summary(void)
{
	struct physnic_stats *s = &phys.nic.st;

	if (!active)
		return;
	xt_info("cross-talk: remapper: shares %llu, unshares %llu, copy-on-write %llu, INVEPTs %llu, "
		"pages copied %llu",
		(unsigned long long)rm.st.shares, (unsigned long long)rm.st.unshares,
		(unsigned long long)rm.st.cow_breaks, (unsigned long long)counters.invepts,
		(unsigned long long)rm.st.pages_copied);
	if (!phys.present)
		return;
	physnic_update_stats(&phys.nic);
	xt_info("physical NIC phys0: tx %llu frames %llu bytes, rx %llu frames %llu bytes; "
		"hardware GPTC %llu GPRC %llu MPC %llu; ring full %llu, bad %llu",
		(unsigned long long)s->tx_frames, (unsigned long long)s->tx_bytes,
		(unsigned long long)s->rx_frames, (unsigned long long)s->rx_bytes,
		(unsigned long long)s->hw_gptc, (unsigned long long)s->hw_gprc,
		(unsigned long long)s->hw_mpc, (unsigned long long)s->tx_ring_full,
		(unsigned long long)(s->tx_bad + s->rx_bad));
}

/* TCTL.EN or RCTL.EN cleared: as a reset for the cross-talk path (frames in
 * flight are completed or dropped, pages unshared). */
static void netpath_disabled(struct guest *g, bool tx)
{
	(void)tx;
	netpath_reset(g);
}

const struct datapath crosstalk_path = {
	.name = "cross-talk",
	.tx = netpath_tx,
	.rx_ready = netpath_rx_ready,
	.reset = netpath_reset,
	.disabled = netpath_disabled,
	.stopped = netpath_stopped,
	.print_guest = netpath_print_guest,
	.guest_counters = netpath_guest_counters,
};
