/* SPDX-License-Identifier: MIT */
/*
 * The machine's own PCI configuration space, through configuration
 * mechanism #1 (ports 0xcf8/0xcfc): what the VMM's drivers for physical
 * devices (physnic_pci.c, physsnd_pci.c) use to find and enable them.
 * Privileged: port I/O.
 */
#ifndef XTALK_VMM_PCICFG_H
#define XTALK_VMM_PCICFG_H

#include <stdbool.h>
#include <stdint.h>

#define PCICFG_BUSES		256
#define PCICFG_DEVICES		32
#define PCICFG_FUNCTIONS	8

uint32_t pcicfg_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off);
uint16_t pcicfg_read16(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off);
uint8_t pcicfg_read8(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off);
/* A 16-bit write, so the RW1C status bits next to COMMAND are left alone. */
void pcicfg_write16(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint16_t val);
/* A function answers at bus:dev.fn (its vendor ID is neither 0 nor 0xffff). */
bool pcicfg_present(uint8_t bus, uint8_t dev, uint8_t fn);
/* How many functions device bus:dev may have (8 when function 0 says multi-function). */
uint8_t pcicfg_functions(uint8_t bus, uint8_t dev);
/* Every function present on every bus, in order, until take() says true:
 * true then, false when none did. */
bool pcicfg_find(bool (*take)(uint8_t bus, uint8_t dev, uint8_t fn, void *ctx), void *ctx);

#endif
