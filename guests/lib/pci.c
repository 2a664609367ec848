/* SPDX-License-Identifier: MIT */
#include "pci.h"

#include "guest.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc
#define CONFIG_ENABLE 0x80000000U

static void select_reg(const struct pci_dev *d, uint8_t reg)
{
	outl(CONFIG_ADDRESS, CONFIG_ENABLE | (uint32_t)d->bus << 16 | (uint32_t)(d->dev & 31) << 11 |
				     (uint32_t)(d->fn & 7) << 8 | (reg & 0xfcU));
}

uint8_t pci_read8(const struct pci_dev *d, uint8_t reg)
{
	select_reg(d, reg);
	return inb((uint16_t)(CONFIG_DATA + (reg & 3)));
}

uint16_t pci_read16(const struct pci_dev *d, uint8_t reg)
{
	select_reg(d, reg);
	return inw((uint16_t)(CONFIG_DATA + (reg & 2)));
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t reg)
{
	select_reg(d, reg);
	return inl(CONFIG_DATA);
}

void pci_write8(const struct pci_dev *d, uint8_t reg, uint8_t v)
{
	select_reg(d, reg);
	outb((uint16_t)(CONFIG_DATA + (reg & 3)), v);
}

void pci_write16(const struct pci_dev *d, uint8_t reg, uint16_t v)
{
	select_reg(d, reg);
	outw((uint16_t)(CONFIG_DATA + (reg & 2)), v);
}

void pci_write32(const struct pci_dev *d, uint8_t reg, uint32_t v)
{
	select_reg(d, reg);
	outl(CONFIG_DATA, v);
}

bool pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out)
{
	for (uint8_t dev = 0; dev < 32; dev++) {
		for (uint8_t fn = 0; fn < 8; fn++) {
			struct pci_dev d = { 0, dev, fn, 0, 0 };
			uint32_t id = pci_read32(&d, PCI_VENDOR_ID);

			if ((id & 0xffff) == 0xffff) {
				if (fn == 0)
					break; /* no device in this slot */
				continue;
			}
			d.vendor = (uint16_t)id;
			d.device = (uint16_t)(id >> 16);
			if (d.vendor == vendor && d.device == device) {
				*out = d;
				return true;
			}
			if (fn == 0 && !(pci_read8(&d, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MFD))
				break;
		}
	}
	return false;
}

void pci_bar_probe(const struct pci_dev *d, unsigned idx, struct pci_bar *bar)
{
	uint8_t reg = (uint8_t)(PCI_BAR0 + 4 * idx);
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	uint32_t orig, mask, orig_hi = 0, mask_hi = 0xffffffffU;

	*bar = (struct pci_bar){ 0, 0, false, false };
	if (idx >= PCI_NUM_BARS)
		return;
	orig = pci_read32(d, reg);
	bar->io = orig & 1;
	bar->is64 = !bar->io && (orig & 6) == 4 && idx + 1 < PCI_NUM_BARS;

	pci_write16(d, PCI_COMMAND, cmd & (uint16_t)~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	pci_write32(d, reg, 0xffffffffU);
	mask = pci_read32(d, reg);
	pci_write32(d, reg, orig);
	if (bar->is64) {
		orig_hi = pci_read32(d, (uint8_t)(reg + 4));
		pci_write32(d, (uint8_t)(reg + 4), 0xffffffffU);
		mask_hi = pci_read32(d, (uint8_t)(reg + 4));
		pci_write32(d, (uint8_t)(reg + 4), orig_hi);
	}
	pci_write16(d, PCI_COMMAND, cmd);

	if (bar->io) {
		uint32_t m = mask & ~3U;

		bar->base = orig & ~3U;
		/* I/O BARs may implement only 16 address bits. */
		if (m && !(m & 0xffff0000U))
			m |= 0xffff0000U;
		bar->size = m ? (uint64_t)(~m + 1) : 0;
		return;
	}
	bar->base = (uint64_t)orig_hi << 32 | (orig & ~0xfU);
	if ((mask & ~0xfU) || (bar->is64 && mask_hi)) {
		/* mask_hi is all-ones for a 32-bit BAR */
		uint64_t m = (uint64_t)mask_hi << 32 | (mask & ~0xfU);

		bar->size = ~m + 1;
	}
}

uint16_t pci_enable(const struct pci_dev *d, uint16_t bits)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	cmd = (uint16_t)((cmd | bits) & ~PCI_COMMAND_INTX_DISABLE);
	pci_write16(d, PCI_COMMAND, cmd);
	return pci_read16(d, PCI_COMMAND);
}
