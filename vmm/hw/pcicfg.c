// SPDX-License-Identifier: MIT
/* PCI configuration mechanism #1: see pcicfg.h. */
#include "vmm/hw/pcicfg.h"

#include "devices/pci_regs.h"
#include "vmm/arch/x86.h"

static uint32_t cfg_addr(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
	return PCI_CONFIG_ADDRESS_ENABLE | (uint32_t)bus << PCI_CONFIG_ADDRESS_BUS_SHIFT |
	       (uint32_t)(dev & 31) << PCI_CONFIG_ADDRESS_DEV_SHIFT |
	       (uint32_t)(fn & 7) << PCI_CONFIG_ADDRESS_FN_SHIFT | (off & PCI_CONFIG_ADDRESS_REG_MASK);
}

uint32_t pcicfg_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
	outl(PCI_CONFIG_ADDRESS_PORT, cfg_addr(bus, dev, fn, off));
	return inl(PCI_CONFIG_DATA_PORT);
}

uint16_t pcicfg_read16(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
	return (uint16_t)(pcicfg_read32(bus, dev, fn, off) >> (8 * (off & 2)));
}

uint8_t pcicfg_read8(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
	return (uint8_t)(pcicfg_read32(bus, dev, fn, off) >> (8 * (off & 3)));
}

void pcicfg_write16(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint16_t val)
{
	outl(PCI_CONFIG_ADDRESS_PORT, cfg_addr(bus, dev, fn, off));
	outw((uint16_t)(PCI_CONFIG_DATA_PORT + (off & 2)), val);
}

bool pcicfg_present(uint8_t bus, uint8_t dev, uint8_t fn)
{
	uint16_t vendor = pcicfg_read16(bus, dev, fn, PCI_VENDOR_ID);

	return vendor != 0xffff && vendor != 0;
}

uint8_t pcicfg_functions(uint8_t bus, uint8_t dev)
{
	return pcicfg_read8(bus, dev, 0, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MFD ? PCICFG_FUNCTIONS
										 : 1;
}

bool pcicfg_find(bool (*take)(uint8_t bus, uint8_t dev, uint8_t fn, void *ctx), void *ctx)
{
	for (unsigned bus = 0; bus < PCICFG_BUSES; bus++)
		for (uint8_t dev = 0; dev < PCICFG_DEVICES; dev++) {
			uint8_t nfn;

			if (!pcicfg_present((uint8_t)bus, dev, 0))
				continue;
			nfn = pcicfg_functions((uint8_t)bus, dev);
			for (uint8_t fn = 0; fn < nfn; fn++)
				if (pcicfg_present((uint8_t)bus, dev, fn) &&
				    take((uint8_t)bus, dev, fn, ctx))
					return true;
		}
	return false;
}
