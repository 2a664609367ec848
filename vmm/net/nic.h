/* SPDX-License-Identifier: MIT */
/*
 * A guest's emulated e1000: the model (devices/e1000.c) wired to the guest's
 * PCI bus, MMIO and port I/O, its 8259s, its RAM for DMA, and the data path
 * (vmm/net/datapath.h: cross-talk or the software bridge, chosen once).
 */
#ifndef XTALK_VMM_NIC_H
#define XTALK_VMM_NIC_H

#include "vmm/guest/guest.h"

/* Give g its NIC (its INI section has a mac). */
int nic_create(struct guest *g);
/* g stopped: its port goes down, senders waiting for it are released. */
/* A reboot: the NIC as after power-on (PCI config as firmware leaves it),
 * its pages unshared; its port on the data path stays. */
void nic_restart(struct guest *g);
void nic_guest_stopped(struct guest *g);
/* Fire due interrupt-throttling timers; returns the earliest deadline
 * still pending (nanoseconds on the NIC clock), 0 if none. */
uint64_t nic_poll_timers(void);
/* Set the TSC frequency used to express time in nanoseconds (ITR). */
void nic_set_tsc_hz(uint64_t hz);

#endif
