/* SPDX-License-Identifier: MIT */
/*
 * The console's output queue: bytes wait here for the host UART, so that
 * whoever writes to the console (a guest's line, a VMM message) goes on at
 * once instead of waiting for the serial line (115,200 baud: 87 us a byte).
 * A plain FIFO of CON_RING_SIZE bytes; the caller decides what to do when it
 * is full (vmm/core/console.c waits for the UART then: nothing is dropped).
 */
#ifndef XTALK_VMM_EMUL_CON_RING_H
#define XTALK_VMM_EMUL_CON_RING_H

#include <stdbool.h>
#include <stdint.h>

#define CON_RING_SIZE 65536u /* a power of two */

struct con_ring {
	uint32_t head; /* next byte out, free-running */
	uint32_t tail; /* next byte in, free-running */
	uint32_t peak; /* most bytes ever waiting */
	char buf[CON_RING_SIZE];
};

static inline uint32_t con_ring_used(const struct con_ring *r)
{
	return r->tail - r->head;
}

static inline bool con_ring_full(const struct con_ring *r)
{
	return con_ring_used(r) == CON_RING_SIZE;
}

/* Append c; false (and nothing changed) when full. */
bool con_ring_put(struct con_ring *r, char c);
/* Take up to max bytes, oldest first, into out; how many were taken. */
unsigned con_ring_take(struct con_ring *r, char *out, unsigned max);

#endif
