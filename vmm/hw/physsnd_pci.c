// SPDX-License-Identifier: MIT
/*
 * The privileged half of the physical ES1370 driver: PCI configuration
 * space (pcicfg.h) to find and enable the card, and the physsnd_ops the
 * core runs on (port I/O at BAR0, TSC delays).
 */
#include "vmm/hw/physsnd.h"

#include "devices/es1370.h"
#include "devices/pci_regs.h"
#include "lib/xerrno.h"
#include "vmm/arch/x86.h"
#include "vmm/hw/pcicfg.h"

static uint32_t io_in(void *ctx, uint32_t off, unsigned size)
{
	const struct physsnd_pci *p = ctx;
	uint16_t port = (uint16_t)(p->io + off);

	return port_in(port, size);
}

static void io_out(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
	const struct physsnd_pci *p = ctx;
	uint16_t port = (uint16_t)(p->io + off);

	port_out(port, size, val);
}

static void delay_us(void *ctx, unsigned us)
{
	const struct physsnd_pci *p = ctx;

	tsc_delay_us(p->tsc_hz, us);
}

/* An ES1370 whose BAR0 is an I/O range the firmware placed. */
static bool take(uint8_t bus, uint8_t dev, uint8_t fn, void *ctx)
{
	struct physsnd_pci *p = ctx;
	uint32_t bar;
	uint16_t cmd;

	if (pcicfg_read32(bus, dev, fn, PCI_VENDOR_ID) !=
	    ((uint32_t)ES1370_DEVICE << 16 | ES1370_VENDOR))
		return false;
	bar = pcicfg_read32(bus, dev, fn, PCI_BASE_ADDRESS_0);
	if (!(bar & PCI_BASE_ADDRESS_SPACE_IO) || !(bar & PCI_BASE_ADDRESS_IO_MASK) ||
	    (bar & PCI_BASE_ADDRESS_IO_MASK) > 0xffff - ES1370_IO_SIZE)
		return false;
	p->bus = bus;
	p->dev = dev;
	p->fn = fn;
	p->io = (uint16_t)(bar & PCI_BASE_ADDRESS_IO_MASK);
	cmd = pcicfg_read16(bus, dev, fn, PCI_COMMAND);
	pcicfg_write16(bus, dev, fn, PCI_COMMAND,
		       cmd | PCI_COMMAND_IO | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	return true;
}

int physsnd_pci_probe(struct physsnd_pci *p, uint64_t tsc_hz)
{
	if (!pcicfg_find(take, p))
		return -XT_ENOENT;
	p->tsc_hz = tsc_hz;
	p->ops.in = io_in;
	p->ops.out = io_out;
	p->ops.delay_us = delay_us;
	p->ops.ctx = p;
	return 0;
}
