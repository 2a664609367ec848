/* SPDX-License-Identifier: MIT */
#include "vmm/nic.h"

#include <string.h>

#include "devices/e1000.h"
#include "lib/xerrno.h"
#include "vmm/console.h"
#include "vmm/netpath.h"
#include "vmm/palloc.h"
#include "vmm/platform.h"
#include "vmm/x86.h"

#define E1000_VENDOR 0x8086
#define E1000_DEVICE_82540EM 0x100e
#define E1000_SUBSYSTEM 0x001e
#define PCI_CLASS_ETHERNET 0x020000
#define BOUNCE_PAGES ((E1000_MAX_FRAME_JUMBO + PAGE_SIZE - 1) / PAGE_SIZE)
#define NIC_PAGES ((sizeof(struct e1000) + PAGE_SIZE - 1) / PAGE_SIZE)

struct bridge vmm_bridge;
static uint64_t ns_mult; /* ns = tsc * ns_mult >> 32 */

void nic_set_tsc_hz(uint64_t hz)
{
	ns_mult = hz ? (1000000000ULL << 32) / hz : 0;
}

static uint64_t nic_now_ns(void *ctx)
{
	(void)ctx;
	return (uint64_t)(((unsigned __int128)rdtsc() * ns_mult) >> 32);
}

/* DMA reaches guest RAM only, and only while bus mastering is on. */
/* A DMA mapping, counted when refused (bus mastering off, not RAM, read-only). */
static void *nic_dma(struct guest *g, void *p)
{
	if (!p)
		g->stats.dma_refused++;
	return p;
}

static void *nic_dma_map(void *ctx, uint64_t gpa, uint64_t len)
{
	struct guest *g = ctx;

	return nic_dma(g, pci_func_bus_master(&g->pci_nic) ? guest_ram_ptr(g, gpa, len) : NULL);
}

static void *nic_dma_map_rw(void *ctx, uint64_t gpa, uint64_t len)
{
	struct guest *g = ctx;

	return nic_dma(g, pci_func_bus_master(&g->pci_nic) ? guest_ram_ptr_rw(g, gpa, len) : NULL);
}

/* Mappings hold while the guest's EPT is unchanged and bus mastering stays as it was. */
static uint64_t nic_dma_epoch(void *ctx)
{
	struct guest *g = ctx;

	return g->dma_epoch << 1 | pci_func_bus_master(&g->pci_nic);
}

static void nic_set_irq(void *ctx, bool level)
{
	struct guest *g = ctx;

	pci_func_set_intx_status(&g->pci_nic, level);
	pic_set_irq(&g->pic, PLATFORM_NIC_IRQ, level && !pci_func_intx_disabled(&g->pci_nic));
}

/* The data path: cross-talk (crosstalk = on) or the software bridge. */
static void nic_tx_kick(void *ctx)
{
	struct guest *g = ctx;

	if (netpath_active())
		netpath_tx(g);
	else
		bridge_tx(&vmm_bridge, (unsigned)g->nic_port);
}

static void nic_rx_kick(void *ctx)
{
	struct guest *g = ctx;

	if (netpath_active())
		netpath_rx_ready(g);
	else
		bridge_rx_ready(&vmm_bridge, (unsigned)g->nic_port);
}

static void nic_reset(void *ctx)
{
	struct guest *g = ctx;

	if (netpath_active())
		netpath_reset(g);
	else
		bridge_port_reset(&vmm_bridge, (unsigned)g->nic_port);
}

static void nic_disabled(void *ctx, bool tx)
{
	struct guest *g = ctx;

	if (netpath_active())
		netpath_reset(g);
	else if (tx)
		bridge_port_reset(&vmm_bridge, (unsigned)g->nic_port);
	else
		bridge_rx_ready(&vmm_bridge, (unsigned)g->nic_port);
}

/* Bad input is counted by the model; say it once per kind. */
static void nic_error(void *ctx, enum e1000_err e, uint64_t detail)
{
	struct guest *g = ctx;

	if (g->nic->errors[e] == 1)
		xt_warn("guest '%s': e1000: %s (0x%llx); counted from now on", g->name,
			e1000_err_name(e), (unsigned long long)detail);
}

static const struct e1000_ops nic_ops = {
	.dma_map = nic_dma_map,
	.set_irq = nic_set_irq,
	.tx_kick = nic_tx_kick,
	.rx_kick = nic_rx_kick,
	.reset = nic_reset,
	.disabled = nic_disabled,
	.error = nic_error,
	.now_ns = nic_now_ns,
	.dma_epoch = nic_dma_epoch,
	.dma_map_rw = nic_dma_map_rw,
};

static uint64_t bar0_read(struct guest *g, void *dev, uint64_t off, unsigned size)
{
	(void)g;
	if (size == 8)
		return e1000_mmio_read(dev, (uint32_t)off, 4) |
		       (uint64_t)e1000_mmio_read(dev, (uint32_t)off + 4, 4) << 32;
	return e1000_mmio_read(dev, (uint32_t)off, size);
}

static void bar0_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	(void)g;
	if (size == 8) {
		e1000_mmio_write(dev, (uint32_t)off, 4, (uint32_t)val);
		e1000_mmio_write(dev, (uint32_t)off + 4, 4, (uint32_t)(val >> 32));
		return;
	}
	e1000_mmio_write(dev, (uint32_t)off, size, (uint32_t)val);
}

static int bar1_read(struct guest *g, void *dev, uint16_t port, unsigned size, uint32_t *val)
{
	*val = e1000_io_read(dev, port - g->io[g->nic_io].base, size);
	return 0;
}

static int bar1_write(struct guest *g, void *dev, uint16_t port, unsigned size, uint32_t val)
{
	e1000_io_write(dev, port - g->io[g->nic_io].base, size, val);
	return 0;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* A guest may move its BARs within the windows, never onto RAM, another
 * device or the legacy ports. */
static bool nic_bar_allowed(void *ctx, unsigned bar, uint32_t base, uint32_t size)
{
	struct guest *g = ctx;

	if (bar == 0) {
		if (base < PLATFORM_MMIO_WINDOW_BASE || (uint64_t)base + size > PLATFORM_MMIO_WINDOW_END ||
		    overlaps(base, size, 0, g->ram.size))
			return false;
		for (unsigned i = 0; i < g->nmmio; i++)
			if ((int)i != g->nic_mmio && g->mmio[i].enabled &&
			    overlaps(base, size, g->mmio[i].base, g->mmio[i].size))
				return false;
		return true;
	}
	if (base < PLATFORM_IO_WINDOW_BASE || (uint64_t)base + size > PLATFORM_IO_WINDOW_END)
		return false;
	for (unsigned i = 0; i < g->nio; i++)
		if ((int)i != g->nic_io && g->io[i].enabled &&
		    overlaps(base, size, g->io[i].base, g->io[i].count))
			return false;
	return true;
}

static void nic_bar_update(void *ctx, unsigned bar, bool enabled, uint32_t base, uint32_t size)
{
	struct guest *g = ctx;

	(void)size;
	if (bar == 0)
		guest_mmio_update(g, (unsigned)g->nic_mmio, enabled, base);
	else
		guest_io_update(g, (unsigned)g->nic_io, enabled, (uint16_t)base);
}

static int register_bars(struct guest *g)
{
	const struct mmio_region bar0 = {
		.base = PLATFORM_NIC_BAR0, .size = E1000_MMIO_SIZE, .enabled = true,
		.read = bar0_read, .write = bar0_write, .dev = g->nic,
	};
	const struct io_handler bar1 = {
		.base = PLATFORM_NIC_BAR1, .count = E1000_IO_SIZE, .enabled = true,
		.read = bar1_read, .write = bar1_write, .dev = g->nic,
	};

	g->nic_mmio = guest_mmio_register(g, &bar0);
	g->nic_io = guest_io_register(g, &bar1);
	return g->nic_mmio < 0 ? g->nic_mmio : g->nic_io < 0 ? g->nic_io : 0;
}

static void setup_pci_function(struct guest *g)
{
	struct pci_func *f = &g->pci_nic;

	pci_func_init(f, PLATFORM_NIC_SLOT, E1000_VENDOR, E1000_DEVICE_82540EM,
		      PCI_CLASS_ETHERNET, 0);
	pci_func_set_subsystem(f, E1000_VENDOR, E1000_SUBSYSTEM);
	pci_func_add_bar(f, 0, false, E1000_MMIO_SIZE, PLATFORM_NIC_BAR0);
	pci_func_add_bar(f, 1, true, E1000_IO_SIZE, PLATFORM_NIC_BAR1);
	pci_func_set_intx(f, 1, PLATFORM_NIC_IRQ);
	f->bar_update = nic_bar_update;
	f->bar_allowed = nic_bar_allowed;
	f->ctx = g;
	/* As firmware leaves it: decoding and bus mastering on. */
	pci_func_set_command(f, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/* Networks are numbered in the order their names first appear; 0 = none. */
static uint16_t network_id(const char *name)
{
	static char names[XT_MAX_GUESTS][XT_NAME_MAX + 1];
	static unsigned count;

	if (!name[0])
		return 0;
	for (unsigned i = 0; i < count; i++)
		if (!strcmp(names[i], name))
			return (uint16_t)(i + 1);
	if (count == XT_MAX_GUESTS)
		return 0;
	memcpy(names[count], name, XT_NAME_MAX + 1);
	return (uint16_t)++count;
}

int nic_create(struct guest *g)
{
	uint8_t *bounce = pages_alloc_contig(BOUNCE_PAGES);
	uint16_t network;
	int rc;

	g->nic = pages_alloc_contig(NIC_PAGES);
	if (!g->nic || !bounce)
		return -XT_ENOMEM;
	e1000_init(g->nic, g->cfg->mac, &nic_ops, g, bounce);
	setup_pci_function(g);
	rc = pci_bus_add(&g->pci, &g->pci_nic);
	if (!rc)
		rc = register_bars(g);
	if (rc)
		return rc;
	pic_set_elcr(&g->pic, PLATFORM_NIC_IRQ, true);
	network = network_id(g->cfg->network);
	g->nic_port = bridge_add_port(&vmm_bridge, g->nic, g->cfg->mac, network);
	if (g->nic_port < 0)
		return g->nic_port;
	bridge_allow_spoof(&vmm_bridge, (unsigned)g->nic_port, g->cfg->mac_spoof);
	return netpath_add_port(g, network);
}

void nic_guest_stopped(struct guest *g)
{
	if (!g->nic)
		return;
	if (netpath_active())
		netpath_stopped(g);
	else
		bridge_port_down(&vmm_bridge, (unsigned)g->nic_port);
}

/* The data path's bounded waits (a receiver without room never holds a sender). */
static uint64_t data_path_tick(uint64_t now, uint64_t next)
{
	uint64_t t = netpath_active() ? netpath_tick(now) : bridge_tick(&vmm_bridge, now);

	return t && (!next || t < next) ? t : next;
}

uint64_t nic_poll_timers(void)
{
	uint64_t now = nic_now_ns(NULL), next = 0;

	for (unsigned i = 0; i < nguests; i++) {
		struct e1000 *d = guests[i].nic;
		uint64_t t;

		if (!d || guests[i].vcpu.state == VCPU_STOPPED)
			continue;
		t = e1000_irq_deadline(d);
		if (t && t <= now) {
			e1000_irq_timer(d);
			t = e1000_irq_deadline(d);
		}
		if (t && (!next || t < next))
			next = t;
	}
	return data_path_tick(now, next);
}
