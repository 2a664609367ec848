/* SPDX-License-Identifier: MIT */
/*
 * A guest's disks (disk = ... in xtalk.ini): a PIIX3 IDE function at PCI
 * 00:05.0 (devices/ide.c) in compatibility mode (ports 1F0h-1F7h/3F6h, IRQ
 * 14; 170h-177h/376h, IRQ 15; the bus master at BAR4) whose drives are
 * private ranges of the machine's ATA disks (vmm/hw/physata.c, DMA straight
 * to and from the guest's pages) or shared disks whose sectors pass between
 * guests through host pages (crosstalk/dpath.c). docs/storage.md.
 */
#ifndef XTALK_VMM_DISK_H
#define XTALK_VMM_DISK_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/bootinfo.h"
#include "vmm/guest/guest.h"

#define PLATFORM_IDE_SLOT 5
#define PLATFORM_IDE_BAR4 0xc180U	/* firmware's initial BAR placement (I/O) */

/* Once, before the guests are built: finds the machine's disks when some
 * guest has one, and sets up the shared disks. */
void storage_init(const struct xt_boot_info *bi);
/* The guest's IDE function and drives if its INI names disks: 0 or a
 * negative XT_E* code (after saying why). */
int storage_create(struct guest *g);
/* Move a piece of every pending DMA command (a large one is moved in
 * pieces between the guests' timeslices); true while some are left. */
bool storage_poll(void);
/* Power-on state again for a reboot. */
void storage_restart(struct guest *g);
/* The run ends: what the disks' caches hold is flushed. */
void storage_flush_all(void);
void storage_print_guest(const struct guest *g);
void storage_print_machine(void);

#endif
