/* SPDX-License-Identifier: MIT */
#include "vmm/emul/con_ring.h"

bool con_ring_put(struct con_ring *r, char c)
{
	if (con_ring_full(r))
		return false;
	r->buf[r->tail++ % CON_RING_SIZE] = c;
	if (con_ring_used(r) > r->peak)
		r->peak = con_ring_used(r);
	return true;
}

unsigned con_ring_take(struct con_ring *r, char *out, unsigned max)
{
	unsigned n = 0;

	while (n < max && con_ring_used(r))
		out[n++] = r->buf[r->head++ % CON_RING_SIZE];
	return n;
}
