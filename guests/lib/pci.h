/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration mechanism #1 (0xcf8 address, 0xcfc data; PCI Local Bus
 * Specification 3.0, 3.2.2.3.2), bus 0 only: find a device, decode and size
 * its BARs, enable decoding and bus mastering.
 */
#ifndef XTALK_GUEST_PCI_H
#define XTALK_GUEST_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS 0x06
#define PCI_CLASS_REVISION 0x08 /* class code in 31:8 */
#define PCI_HEADER_TYPE 0x0e
#define PCI_HEADER_TYPE_MFD 0x80
#define PCI_BAR0 0x10
#define PCI_NUM_BARS 6
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d /* 1 = INTA */

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
};

struct pci_bar {
	uint64_t base;
	uint64_t size; /* 0: BAR not implemented */
	bool io;
	bool is64;     /* memory BAR that also uses the next slot */
};

uint8_t pci_read8(const struct pci_dev *d, uint8_t reg);
uint16_t pci_read16(const struct pci_dev *d, uint8_t reg);
uint32_t pci_read32(const struct pci_dev *d, uint8_t reg);
void pci_write8(const struct pci_dev *d, uint8_t reg, uint8_t v);
void pci_write16(const struct pci_dev *d, uint8_t reg, uint16_t v);
void pci_write32(const struct pci_dev *d, uint8_t reg, uint32_t v);

/* Scan bus 0 (all functions of multi-function devices) for vendor:device;
 * true and *out filled for the first match. */
bool pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out);
/* Decode and size BAR idx the way Linux does (decoding off while the BAR
 * holds all-ones, then the address and the COMMAND register restored). */
void pci_bar_probe(const struct pci_dev *d, unsigned idx, struct pci_bar *bar);
/* Set COMMAND bits (e.g. MEMORY | IO | MASTER) and clear INTX_DISABLE;
 * returns the COMMAND value read back. */
uint16_t pci_enable(const struct pci_dev *d, uint16_t bits);

#endif
