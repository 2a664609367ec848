// SPDX-License-Identifier: MIT
/*
 * The privileged half of the physical NIC driver: PCI configuration space
 * (pcicfg.h) to find and enable the NIC, and the physnic_ops the core runs
 * on (volatile 32-bit MMIO at BAR0, DMA memory from the page allocator, TSC
 * delays). Memory is identity-mapped, so BAR0's
 * physical address is also its virtual address.
 */
#include "vmm/hw/physnic.h"

#include "devices/e1000_regs.h"
#include "devices/pci_regs.h"
#include "lib/xerrno.h"
#include "vmm/core/console.h"
#include "vmm/core/palloc.h"
#include "vmm/arch/x86.h"
#include "vmm/hw/pcicfg.h"

#define PCI_CLASS_NETWORK	0x02
#define PCI_MAX_NICS		16
#define PCI_BAR_MEM_TYPE_64	0x04	/* BAR bits 2:1 = 10b */

/* ---------------------------------------------------------- scan */

/* BAR0 as a memory address (32-bit, or 64-bit with BAR1 as the high half); 0 if I/O. */
static void read_bar0(struct physnic_pci *p)
{
	uint32_t lo = pcicfg_read32(p->bus, p->dev, p->fn, PCI_BASE_ADDRESS_0);

	p->bar0 = 0;
	p->bar0_64 = false;
	if (lo & PCI_BASE_ADDRESS_SPACE_IO)
		return;
	p->bar0 = lo & PCI_BASE_ADDRESS_MEM_MASK;
	if ((lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64) {
		p->bar0_64 = true;
		p->bar0 |= (uint64_t)pcicfg_read32(p->bus, p->dev, p->fn, PCI_BASE_ADDRESS_1) << 32;
	}
}

static bool bar0_usable(const struct physnic_pci *p)
{
	return p->bar0 && p->bar0 < PHYSNIC_BAR0_LIMIT &&
	       PHYSNIC_BAR0_LIMIT - p->bar0 >= PHYSNIC_BAR0_SIZE;
}

/* A function whose class is network: fill *p. */
static bool probe_fn(uint8_t bus, uint8_t dev, uint8_t fn, struct physnic_pci *p)
{
	uint32_t id = pcicfg_read32(bus, dev, fn, PCI_VENDOR_ID);
	uint32_t class = pcicfg_read32(bus, dev, fn, PCI_CLASS_REVISION);

	if ((class >> 24) != PCI_CLASS_NETWORK)
		return false;
	if ((pcicfg_read8(bus, dev, fn, PCI_HEADER_TYPE) & ~PCI_HEADER_TYPE_MFD) != PCI_HEADER_TYPE_NORMAL)
		return false;
	p->bus = bus;
	p->dev = dev;
	p->fn = fn;
	p->vendor = (uint16_t)id;
	p->device = (uint16_t)(id >> 16);
	p->revision = (uint8_t)class;
	read_bar0(p);
	p->supported = p->vendor == E1000_VENDOR_ID_INTEL && physnic_device_name(p->device) &&
		       bar0_usable(p);
	return true;
}

struct scan {
	struct physnic_pci *found;
	unsigned max, count;
};

/* Keeps every network function; true (stop) once max are kept. */
static bool keep_nic(uint8_t bus, uint8_t dev, uint8_t fn, void *ctx)
{
	struct scan *sc = ctx;

	if (probe_fn(bus, dev, fn, &sc->found[sc->count]))
		sc->count++;
	return sc->count >= sc->max;
}

unsigned physnic_pci_scan(struct physnic_pci *found, unsigned max)
{
	struct scan sc = { found, max, 0 };

	if (max)
		pcicfg_find(keep_nic, &sc);
	return sc.count;
}

int physnic_pci_enable(const struct physnic_pci *p)
{
	uint16_t cmd;

	if (!p->supported)
		return -XT_EINVAL;
	cmd = pcicfg_read16(p->bus, p->dev, p->fn, PCI_COMMAND);
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE;
	pcicfg_write16(p->bus, p->dev, p->fn, PCI_COMMAND, cmd);
	return 0;
}

int physnic_pci_probe(struct physnic_pci *out)
{
	struct physnic_pci nics[PCI_MAX_NICS];
	unsigned count = physnic_pci_scan(nics, PCI_MAX_NICS);
	int chosen = -1;
	char line[160];

	for (unsigned i = 0; i < count; i++) {
		physnic_pci_describe(&nics[i], line, sizeof(line));
		if (nics[i].supported && chosen < 0)
			chosen = (int)i;
		if (nics[i].supported)
			xt_info("%s%s", line, chosen == (int)i ? "" : " (not used: one NIC is driven)");
		else
			xt_warn("%s", line);
	}
	if (chosen < 0) {
		if (!count)
			xt_warn("no physical NIC found; outside traffic will be dropped");
		return -XT_ENOENT;
	}
	*out = nics[chosen];
	return physnic_pci_enable(out);
}

/* ---------------------------------------------------------- ops */

static uint32_t mmio_rd32(void *ctx, uint32_t reg)
{
	struct physnic_pci_hw *hw = ctx;

	return *(volatile uint32_t *)(hw->mmio + reg);
}

static void mmio_wr32(void *ctx, uint32_t reg, uint32_t val)
{
	struct physnic_pci_hw *hw = ctx;

	*(volatile uint32_t *)(hw->mmio + reg) = val;
}

static void *dma_alloc(void *ctx, size_t size, uint64_t *hpa)
{
	void *p = pages_alloc_contig((unsigned)((size + PAGE_SIZE - 1) / PAGE_SIZE));

	(void)ctx;
	if (p)
		*hpa = virt_to_phys(p);
	return p;
}

static void delay_us(void *ctx, unsigned us)
{
	struct physnic_pci_hw *hw = ctx;

	tsc_delay_us(hw->tsc_hz, us);
}

void physnic_pci_hw_init(struct physnic_pci_hw *hw, const struct physnic_pci *p, uint64_t tsc_hz)
{
	hw->mmio = (volatile uint8_t *)phys_to_virt(p->bar0);
	hw->tsc_hz = tsc_hz;
	hw->ops.rd32 = mmio_rd32;
	hw->ops.wr32 = mmio_wr32;
	hw->ops.alloc_dma = dma_alloc;
	hw->ops.delay_us = delay_us;
	hw->ops.ctx = hw;
}
