// SPDX-License-Identifier: MIT
/*
 * The privileged half of the physical ATA driver: PCI configuration space
 * (pcicfg.h) to find and enable the IDE controller, and the physata_ops
 * the core runs on (port I/O, TSC delays, host-physical memory as the
 * VMM maps it: VA == PA below 4 GiB).
 *
 * Where the ports are (PCI IDE Controller Specification, "Programming
 * Interface Byte"): prog-if bit 0 (primary) and bit 2 (secondary) clear =
 * compatibility mode, the legacy ports; set = native mode, BAR0/BAR1 and
 * BAR2/BAR3, a control block of 4 bytes whose register is at +2. The bus
 * master registers (Intel PIIX, "Bus Master IDE Registers") are BAR4, 16
 * bytes of I/O.
 */
#include "vmm/hw/physata.h"

#include <stddef.h>

#include "devices/ata_regs.h"
#include "devices/pci_regs.h"
#include "lib/x86.h"
#include "lib/xerrno.h"
#include "vmm/arch/x86.h"
#include "vmm/hw/pcicfg.h"

#define PCI_CLASS_STORAGE_IDE	0x0101	/* base class 01h, subclass 01h */
#define IDE_PROGIF_NATIVE(chan)	(1u << (2 * (chan)))	/* bits 0 and 2 */
#define LEGACY_CTL_BASE(port)	((port) - ATA_PCI_CTL_OFS)	/* 3F6h -> 3F4h */
#define IO_BAR_MIN		4	/* a native control block BAR has 4 bytes */
#define MAP_LIMIT		(1ull << 32)	/* identity-mapped by the VMM for certain */

static uint16_t port_of(const struct physata_pci *p, unsigned chan, unsigned space, uint32_t off)
{
	if (space == PHYSATA_SPACE_CMD)
		return (uint16_t)(p->cmd[chan & 1] + off);
	if (space == PHYSATA_SPACE_CTL)
		return (uint16_t)(p->ctl[chan & 1] + off);
	return (uint16_t)(p->bm + off);
}

static uint32_t io_in(void *ctx, unsigned chan, unsigned space, uint32_t off, unsigned size)
{
	const struct physata_pci *p = ctx;
	uint16_t port = port_of(p, chan, space, off);

	if (space == PHYSATA_SPACE_BM && !p->bm)
		return 0xffffffffu;
	return port_in(port, size);
}

static void io_out(void *ctx, unsigned chan, unsigned space, uint32_t off, unsigned size,
		   uint32_t val)
{
	const struct physata_pci *p = ctx;
	uint16_t port = port_of(p, chan, space, off);

	if (space == PHYSATA_SPACE_BM && !p->bm)
		return;
	port_out(port, size, val);
}

static void delay_us(void *ctx, unsigned us)
{
	const struct physata_pci *p = ctx;

	tsc_delay_us(p->tsc_hz, us);
}

/* The PIO fallback's view of host memory: the VMM maps the first 4 GiB
 * one to one; above that nothing is known to be mapped. */
static void *map_hpa(void *ctx, uint64_t hpa, uint32_t len)
{
	(void)ctx;
	if (!hpa || hpa >= MAP_LIMIT || len > MAP_LIMIT - hpa)
		return NULL;
	return (void *)(uintptr_t)hpa;
}

/* An I/O BAR's base, 0 when it is not an I/O BAR the firmware placed. */
static uint16_t io_bar(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t bar)
{
	uint32_t v = pcicfg_read32(bus, dev, fn, bar);
	uint32_t base = v & PCI_BASE_ADDRESS_IO_MASK;

	if (!(v & PCI_BASE_ADDRESS_SPACE_IO) || !base || base > 0xffffu - IO_BAR_MIN)
		return 0;
	return (uint16_t)base;
}

/* The channel's ports: legacy, or BAR0/1 (primary) and BAR2/3 (secondary). */
static bool channel_ports(struct physata_pci *p, unsigned chan, uint8_t progif)
{
	uint8_t bar = (uint8_t)(PCI_BASE_ADDRESS_0 + 8 * chan);

	if (!(progif & IDE_PROGIF_NATIVE(chan))) {
		p->cmd[chan] = chan ? ATA_SECONDARY_CMD : ATA_PRIMARY_CMD;
		p->ctl[chan] = LEGACY_CTL_BASE(chan ? ATA_SECONDARY_CTL : ATA_PRIMARY_CTL);
		return true;
	}
	p->cmd[chan] = io_bar(p->bus, p->dev, p->fn, bar);
	p->ctl[chan] = io_bar(p->bus, p->dev, p->fn, (uint8_t)(bar + 4));
	return p->cmd[chan] && p->ctl[chan];
}

/* An IDE function (class 01h, subclass 01h) with a type 0 header. */
static bool take(uint8_t bus, uint8_t dev, uint8_t fn, void *ctx)
{
	struct physata_pci *p = ctx;
	uint8_t progif;
	uint16_t cmd;

	if (pcicfg_read16(bus, dev, fn, PCI_CLASS_DEVICE) != PCI_CLASS_STORAGE_IDE ||
	    (pcicfg_read8(bus, dev, fn, PCI_HEADER_TYPE) & 0x7f) != PCI_HEADER_TYPE_NORMAL)
		return false;
	p->bus = bus;
	p->dev = dev;
	p->fn = fn;
	progif = pcicfg_read8(bus, dev, fn, PCI_CLASS_PROG);
	if (!channel_ports(p, 0, progif) || !channel_ports(p, 1, progif))
		return false;
	p->bm = io_bar(bus, dev, fn, PCI_BASE_ADDRESS_4);
	cmd = pcicfg_read16(bus, dev, fn, PCI_COMMAND);
	pcicfg_write16(bus, dev, fn, PCI_COMMAND,
		       cmd | PCI_COMMAND_IO | (p->bm ? PCI_COMMAND_MASTER : 0));
	return true;
}

int physata_pci_probe(struct physata_pci *p, uint64_t tsc_hz)
{
	if (!pcicfg_find(take, p))
		return -XT_ENOENT;
	p->tsc_hz = tsc_hz;
	p->ops.in = io_in;
	p->ops.out = io_out;
	p->ops.delay_us = delay_us;
	p->ops.map = map_hpa;
	p->ops.ctx = p;
	return 0;
}
