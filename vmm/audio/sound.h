/* SPDX-License-Identifier: MIT */
/*
 * A guest's sound card (audio = BUS in xtalk.ini): an ES1370 at PCI 00:04.0
 * (devices/es1370.c) whose streams go through the audio path
 * (crosstalk/apath.c) to a coupled guest's capture, or to the machine's own
 * ES1370 (vmm/hw/physsnd.c). docs/audio.md.
 */
#ifndef XTALK_VMM_SOUND_H
#define XTALK_VMM_SOUND_H

#include <stdint.h>

#include "boot/ini.h"
#include "vmm/guest/guest.h"

#define PLATFORM_SOUND_SLOT 4
#define PLATFORM_SOUND_BAR0 0xc100U    /* firmware's initial BAR placement (I/O) */

/* Once, before the guests are built. */
void sound_init(const struct xt_config *cfg, uint64_t tsc_hz);
/* The guest's card if its INI asks for one: 0 or a negative XT_E* code. */
int sound_create(struct guest *g);
/* Power-on state again for a reboot; its streams stop. */
void sound_restart(struct guest *g);
/* The guest stopped: its streams stop. */
void sound_guest_stopped(struct guest *g);
/* Move every running stream's samples due by now; the TSC of the next
 * sample-counter interrupt of any card, 0 if none. */
uint64_t sound_poll_timers(void);
/* The run ends: what the machine's sound card still holds plays out
 * (bounded by its length), then it stops. */
void sound_drain(void);
void sound_print_guest(const struct guest *g);
/* The machine's sound card's counters (nothing when it has none). */
void sound_print_machine(void);

#endif
