/* SPDX-License-Identifier: MIT */
/*
 * The devices of a guest's PC platform and their wiring: COM1 (16550), the
 * 8259A pair with ELCR, PCI bus 0 through configuration mechanism #1 with a
 * host bridge at 00:00.0, and, for a guest with a MAC, an Intel 82540EM at
 * 00:03.0 whose INTA is IRQ 11 (level-triggered). docs/devices.md tells the
 * guest's side of it.
 */
#ifndef XTALK_VMM_PLATFORM_H
#define XTALK_VMM_PLATFORM_H

#include "vmm/guest/guest.h"

#define PLATFORM_COM1_BASE 0x3f8
#define PLATFORM_NIC_SLOT 3
#define PLATFORM_NIC_IRQ 11
#define PLATFORM_NIC_BAR0 0xfeb80000U   /* firmware's initial BAR placement */
#define PLATFORM_NIC_BAR1 0xc000U
/* Where a guest may move BARs: the MMIO hole below the IOAPIC, and the I/O
 * space above the legacy ISA ports. */
#define PLATFORM_MMIO_WINDOW_BASE 0xc0000000ULL
#define PLATFORM_MMIO_WINDOW_END 0xfec00000ULL
#define PLATFORM_IO_WINDOW_BASE 0x1000U
#define PLATFORM_IO_WINDOW_END 0x10000U

/* Build the guest's devices; 0 or a negative XT_E* code. */
int platform_create(struct guest *g);
/* Power-on state again for a reboot: COM1, the interrupt controllers, the
 * timers (the RTC and its CMOS memory are kept, as a battery keeps them). */
void platform_reset(struct guest *g);

#endif
