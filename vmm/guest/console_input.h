/* SPDX-License-Identifier: MIT */
/*
 * Console input: bytes typed on the machine's COM1 go to one guest at a time,
 * into its emulated 16550 (guests[i].com1). Ctrl-A three times in a row moves
 * the focus to the next running guest (vmm/emul/console_focus.h); each move
 * is said on the console. Call console_input_poll() from the run loop: it
 * reads what the UART has, without waiting, and feeds each guest's receiver
 * as far as its FIFO has room; the rest waits in a bounded queue per guest.
 */
#ifndef XTALK_VMM_CONSOLE_INPUT_H
#define XTALK_VMM_CONSOLE_INPUT_H

#include <stdbool.h>
#include <stdint.h>

/* True when a guest's receiver was fed. The first call names the guest that has the focus (the first one). */
bool console_input_poll(void);
/* Whether typed input goes to guest id now (a halted guest with its COM1
 * interrupt on may be woken by it). */
bool console_input_waits(unsigned id);

/* Bytes for guest id that were lost: its queue was full, or it stopped with
 * bytes still queued. */
uint64_t console_input_dropped(unsigned id);

#endif
