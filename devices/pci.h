/* SPDX-License-Identifier: MIT */
/*
 * The guest's PCI bus 0, reached through configuration mechanism #1
 * (CONFIG_ADDRESS at port 0xCF8, CONFIG_DATA at 0xCFC-0xCFF). Each function
 * is a type 0 header whose image lives in pci_func.cfg; this module enforces
 * the write rules of the PCI Local Bus Specification 3.0 and tells the owner
 * (the device model / VMM) where BARs decode through callbacks.
 *
 * Port rules:
 * - 0xCF8 is CONFIG_ADDRESS only for 32-bit accesses at 0xCF8. Reserved bits
 *   30:24 and bits 1:0 read as 0.
 * - Any other access that starts at 0xCF8-0xCFB (byte, word, or a dword
 *   not at 0xCF8) is not a configuration access: reads return all-ones,
 *   writes are ignored, except that a byte write to 0xCF9 (the PIIX reset
 *   control register) with RST_CPU (bit 2) set records a reset request, which
 *   the VMM collects with pci_reset_requested() and treats as a guest reboot.
 * - An access of size s at 0xCFC + k reaches config bytes reg+k..reg+k+s-1.
 *   An access that runs past 0xCFF (word at 0xCFF, dword at 0xCFD-0xCFF) is
 *   clipped as the CPU splits it: the bytes inside 0xCFC-0xCFF are a config
 *   access, the bytes beyond (ports from 0xD00, which nothing here decodes)
 *   read as 0xFF and their writes are dropped.
 * - With CONFIG_ADDRESS.enable clear, bus != 0, function != 0 or an empty
 *   slot, reads return all-ones and writes are ignored.
 * - Sizes other than 1, 2, 4 read all-ones and write nothing.
 *
 * Callbacks run synchronously from pci_io_write(); they must not call back
 * into this module for the same bus.
 */
#ifndef XTALK_DEVICES_PCI_H
#define XTALK_DEVICES_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/pci_regs.h"

#define PCI_MAX_BARS	6
#define PCI_MAX_DEVICES	32

/*
 * A 32-bit BAR. States: assigned (decodes at base when COMMAND enables its
 * space); sizing (a probe was written: reads ~(size-1) | type bits until the
 * next write); unassigned (reads 0 | type bits, never decodes).
 */
struct pci_bar {
	uint32_t size;		/* power of two; 0 = BAR not implemented (reads 0, writes ignored) */
	bool io;		/* I/O space (bit 0 = 1) or 32-bit non-prefetchable memory */
	uint32_t base;		/* the address it decodes at (valid when `assigned`) */
	bool assigned;		/* false after a sizing write until a valid address is written back */
	bool sizing;		/* a sizing probe was the last write */
	bool decoding;		/* decodes now: as last told by bar_update (or set by firmware) */
};

struct pci_func {
	uint8_t devfn;				/* device << 3 | function, bus 0 */
	uint8_t cfg[PCI_CFG_SPACE_SIZE];	/* config space image */
	struct pci_bar bar[PCI_MAX_BARS];
	/*
	 * Tell the owner where a BAR decodes now. Called when the base changes,
	 * when a guest write switches decoding on/off by COMMAND.IO/MEMORY, and
	 * when a sizing write unassigns an assigned BAR. Each call replaces what
	 * the owner was told before about that BAR; enabled=false means: stop
	 * decoding. Writing back the base a probe unassigned while decoding is
	 * off is no news (no call): the owner hears of it when COMMAND switches
	 * decoding on.
	 */
	void (*bar_update)(void *ctx, unsigned bar, bool enabled, uint32_t base, uint32_t size);
	/*
	 * May this BAR decode at base? (The VMM refuses guest RAM, addresses
	 * outside its MMIO/IO window, and overlaps with other decoding ranges;
	 * the BAR's own current range must not count as an overlap.) Asked for
	 * every guest-written address and again whenever a guest COMMAND write
	 * switches an assigned BAR's decoding on. NULL refuses every guest
	 * address.
	 */
	bool (*bar_allowed)(void *ctx, unsigned bar, uint32_t base, uint32_t size);
	void *ctx;
	uint64_t refused_bar_writes;		/* counted: addresses bar_allowed() refused */
};

struct pci_bus {
	uint32_t config_address;		/* the 0xCF8 register */
	struct pci_func *func[PCI_MAX_DEVICES];	/* by device number, function 0 only */
	bool reset_requested;			/* byte write to 0xCF9 with RST_CPU */
};

void pci_bus_init(struct pci_bus *b);
/* -XT_EEXIST if the slot is taken, -XT_EINVAL for a bad devfn (function != 0). */
int pci_bus_add(struct pci_bus *b, struct pci_func *f);

/*
 * Clear f (callbacks included: set them after this) and fill the read-only
 * identity of a single-function type 0 header. dev >= 32 gives an invalid
 * devfn that pci_bus_add() rejects.
 */
void pci_func_init(struct pci_func *f, uint8_t dev, uint16_t vendor, uint16_t device,
		   uint32_t class_code /* 24-bit */, uint8_t revision);
void pci_func_set_subsystem(struct pci_func *f, uint16_t vendor, uint16_t device);
/*
 * Implement BAR idx, as firmware would have assigned it. size is a power of
 * two, 16 bytes to 2 GiB for memory, 4 to 256 bytes for I/O; base is size
 * aligned, 0 = leave unassigned (the OS assigns it). Like
 * pci_func_set_command(), no callback is made. -XT_EINVAL for bad arguments, -XT_EEXIST if idx is
 * already implemented.
 */
int pci_func_add_bar(struct pci_func *f, unsigned idx, bool io, uint32_t size, uint32_t base);
/* pin: 1..4 = INTA#..INTD#, anything else = no INTx (0); line: PIC IRQ. */
void pci_func_set_intx(struct pci_func *f, uint8_t pin, uint8_t line);
/* Capability list head (dword aligned, 0 = none); STATUS.CAP_LIST follows it. */
void pci_func_set_cap_list(struct pci_func *f, uint8_t ptr);
/*
 * "Firmware" COMMAND setting, before the guest runs: masked like a guest
 * write, and the BARs' decoding state follows it, but silently: no
 * bar_allowed() and no bar_update() call. The owner maps the layout it gave
 * pci_func_add_bar() itself; from then on guest writes keep it informed.
 */
void pci_func_set_command(struct pci_func *f, uint16_t command);
/* STATUS.INTERRUPT: the device's INTx condition, whatever COMMAND.INTX_DISABLE says. */
void pci_func_set_intx_status(struct pci_func *f, bool pending);
/* Latch STATUS error bits (e.g. REC_MASTER_ABORT after a DMA to nowhere). */
void pci_func_set_status_errors(struct pci_func *f, uint16_t bits);
uint16_t pci_func_command(const struct pci_func *f);
bool pci_func_bus_master(const struct pci_func *f);
bool pci_func_intx_disabled(const struct pci_func *f);

/* i440FX host bridge: device 0, 8086:1237 revision 2, class 0x060000, no BARs. */
void pci_host_bridge_init(struct pci_func *f);

bool pci_claims_port(uint16_t port);	/* 0xCF8..0xCFF */
uint32_t pci_io_read(struct pci_bus *b, uint16_t port, unsigned size);	/* size 1, 2, 4 */
void pci_io_write(struct pci_bus *b, uint16_t port, unsigned size, uint32_t val);

/* True once for each guest reset request through 0xCF9 (reading clears it). */
bool pci_reset_requested(struct pci_bus *b);

#endif
