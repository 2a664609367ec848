/* SPDX-License-Identifier: MIT */
#include "vmm/net/nic.h"

#include <string.h>

#include "devices/e1000.h"
#include "lib/xerrno.h"
#include "vmm/core/console.h"
#include "vmm/net/bridgepath.h"
#include "vmm/net/datapath.h"
#include "vmm/net/netpath.h"
#include "vmm/core/palloc.h"
#include "vmm/io/bus.h"
#include "vmm/io/platform.h"
#include "firmware/fw_config.h"
#include "vmm/guest/irq.h"
#include "vmm/arch/x86.h"

#define E1000_VENDOR 0x8086
#define E1000_DEVICE_82540EM 0x100e
#define E1000_SUBSYSTEM 0x001e
#define PCI_CLASS_ETHERNET 0x020000
#define BOUNCE_PAGES ((E1000_MAX_FRAME_JUMBO + PAGE_SIZE - 1) / PAGE_SIZE)
#define NIC_PAGES ((sizeof(struct e1000) + PAGE_SIZE - 1) / PAGE_SIZE)

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

/*
 * DMA reaches guest RAM only, only while bus mastering is on, and writes
 * only where the guest may write (ept/gmem.h: refused and counted there).
 * Refusals are counted by cause: bus mastering off or not RAM (dma_refused),
 * a buffer not in one host block because it spans a page shared for
 * cross-talk and another page (dma_split; the model cannot take pieces).
 */
static void *nic_dma(struct guest *g, uint64_t gpa, uint64_t len, enum gmem_access a)
{
	void *p = NULL;
	int rc = -XT_EFAULT;

	if (pci_func_bus_master(&g->pci_nic))
		rc = gmem_map(&g->mem, gpa, len, a, &p);
	g->dma_last_err = rc;
	if (rc == -XT_ERANGE && ++g->stats.dma_split == 1)
		xt_warn("guest '%s': e1000: DMA buffer 0x%llx+%llu spans a shared page: not mapped, "
			"its frame is lost; counted from now on", g->name, (unsigned long long)gpa,
			(unsigned long long)len);
	else if (rc && rc != -XT_EPERM && rc != -XT_ERANGE)
		g->stats.dma_refused++;
	return rc ? NULL : p;
}

/* Device reads (TX buffers) and the RX buffers the model fills: the model
 * says which only for the rings (dma_map_rw), see docs/crosstalk.md. */
static void *nic_dma_map(void *ctx, uint64_t gpa, uint64_t len)
{
	return nic_dma(ctx, gpa, len, GMEM_READ);
}

static void *nic_dma_map_rw(void *ctx, uint64_t gpa, uint64_t len)
{
	return nic_dma(ctx, gpa, len, GMEM_DMA_WRITE);
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
	irq_pci_line(g, PLATFORM_NIC_IRQ, fw_pci_gsi(PLATFORM_NIC_SLOT, FW_PCI_INTA),
		     level && !pci_func_intx_disabled(&g->pci_nic));
}

/* The ring events go to the guest's data path (vmm/net/datapath.h). */
static void nic_tx_kick(void *ctx)
{
	struct guest *g = ctx;

	g->path->tx(g);
}

static void nic_rx_kick(void *ctx)
{
	struct guest *g = ctx;

	g->path->rx_ready(g);
}

static void nic_reset(void *ctx)
{
	struct guest *g = ctx;

	g->path->reset(g);
}

static void nic_disabled(void *ctx, bool tx)
{
	struct guest *g = ctx;

	g->path->disabled(g, tx);
}

/* Bad input is counted by the model; say it once per kind. A buffer the
 * model could not map because it spans a shared page is not "outside RAM"
 * (nic_dma said so). */
static void nic_error(void *ctx, enum e1000_err e, uint64_t detail)
{
	struct guest *g = ctx;

	if (e == E1000_ERR_BUF_DMA && g->dma_last_err == -XT_ERANGE)
		return;
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

/* BAR0 takes 8-byte accesses as two 4-byte ones, low half first. */
static int bar0_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	(void)g;
	if (size == 8)
		*val = e1000_mmio_read(dev, (uint32_t)off, 4) |
		       (uint64_t)e1000_mmio_read(dev, (uint32_t)off + 4, 4) << 32;
	else
		*val = e1000_mmio_read(dev, (uint32_t)off, size);
	return 0;
}

static int bar0_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	(void)g;
	if (size == 8) {
		e1000_mmio_write(dev, (uint32_t)off, 4, (uint32_t)val);
		e1000_mmio_write(dev, (uint32_t)off + 4, 4, (uint32_t)(val >> 32));
		return 0;
	}
	e1000_mmio_write(dev, (uint32_t)off, size, (uint32_t)val);
	return 0;
}

static int bar1_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	(void)g;
	*val = e1000_io_read(dev, (uint32_t)off, size);
	return 0;
}

static int bar1_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	(void)g;
	e1000_io_write(dev, (uint32_t)off, size, (uint32_t)val);
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
		return !io_overlaps(g, IO_SPACE_MMIO, base, size, g->nic_mmio);
	}
	if (base < PLATFORM_IO_WINDOW_BASE || (uint64_t)base + size > PLATFORM_IO_WINDOW_END)
		return false;
	return !io_overlaps(g, IO_SPACE_PORT, base, size, g->nic_io);
}

static void nic_bar_update(void *ctx, unsigned bar, bool enabled, uint32_t base, uint32_t size)
{
	struct guest *g = ctx;

	(void)size;
	io_update(g, (unsigned)(bar == 0 ? g->nic_mmio : g->nic_io), enabled, base);
}

static int register_bars(struct guest *g)
{
	const struct io_range bar0 = {
		.space = IO_SPACE_MMIO, .base = PLATFORM_NIC_BAR0, .size = E1000_MMIO_SIZE,
		.enabled = true, .read = bar0_read, .write = bar0_write, .dev = g->nic,
	};
	const struct io_range bar1 = {
		.space = IO_SPACE_PORT, .base = PLATFORM_NIC_BAR1, .size = E1000_IO_SIZE,
		.enabled = true, .read = bar1_read, .write = bar1_write, .dev = g->nic,
	};

	g->nic_mmio = io_register(g, &bar0);
	g->nic_io = io_register(g, &bar1);
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
	g->path = netpath_active() ? &crosstalk_path : &bridge_path;
	return netpath_add_port(g, network);
}

void nic_restart(struct guest *g)
{
	if (!g->nic)
		return;
	/* As a guest's CTRL.RST: the data path forgets its rings and unshares
	 * every page pair of the guest, in both directions. */
	e1000_reset(g->nic);
	setup_pci_function(g);
	io_update(g, (unsigned)g->nic_mmio, true, PLATFORM_NIC_BAR0);
	io_update(g, (unsigned)g->nic_io, true, PLATFORM_NIC_BAR1);
	pic_set_elcr(&g->pic, PLATFORM_NIC_IRQ, true);
	nic_set_irq(g, false);
}

void nic_guest_stopped(struct guest *g)
{
	if (g->nic)
		g->path->stopped(g);
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return a && (!b || a < b) ? a : b;
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
	/* The data paths' bounded waits: a receiver without room never holds a
	 * sender longer (each returns 0 when it has nothing to wait for). */
	next = earliest(netpath_tick(now), next);
	return earliest(bridgepath_tick(now), next);
}
