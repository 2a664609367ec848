/* SPDX-License-Identifier: MIT */
#include "vmm/io/bus.h"

#include "lib/xerrno.h"
#include "vmm/core/console.h"
#include "vmm/guest/guest.h"

#define UNCLAIMED_LOGGED 8

/* An index names the space too: bit 8 is set for MMIO. */
#define IDX_MMIO 0x100

int io_register(struct guest *g, const struct io_range *r)
{
	struct io_bus *b = &g->bus;
	unsigned s = r->space;

	if (b->n[s] == IO_MAX_RANGES)
		return -XT_ENOSPC;
	b->range[s][b->n[s]] = *r;
	return (int)(b->n[s]++ | (s == IO_SPACE_MMIO ? IDX_MMIO : 0));
}

void io_update(struct guest *g, unsigned idx, bool enabled, uint64_t base)
{
	unsigned s = idx & IDX_MMIO ? IO_SPACE_MMIO : IO_SPACE_PORT, i = idx & ~IDX_MMIO;

	if (i >= g->bus.n[s])
		return;
	g->bus.range[s][i].enabled = enabled;
	g->bus.range[s][i].base = base;
}

const struct io_range *io_find(const struct guest *g, enum io_space s, uint64_t addr,
			       unsigned size)
{
	for (unsigned i = 0; i < g->bus.n[s]; i++) {
		const struct io_range *r = &g->bus.range[s][i];

		if (r->enabled && addr >= r->base && addr - r->base < r->size &&
		    size <= r->size - (addr - r->base))
			return r;
	}
	return NULL;
}

bool io_overlaps(const struct guest *g, enum io_space s, uint64_t base, uint64_t size,
		 int except)
{
	unsigned skip = except < 0 ? ~0U : (unsigned)except & ~IDX_MMIO;

	for (unsigned i = 0; i < g->bus.n[s]; i++) {
		const struct io_range *r = &g->bus.range[s][i];

		if (i != skip && r->enabled && base < r->base + r->size && r->base < base + size)
			return true;
	}
	return false;
}

void io_unclaimed(struct guest *g, enum io_space s, bool write, uint64_t addr, unsigned size)
{
	uint64_t n;

	if (s == IO_SPACE_MMIO) {
		g->stats.mmio_unclaimed++;
		return;
	}
	if (write)
		g->stats.io_unclaimed_writes++;
	else
		g->stats.io_unclaimed_reads++;
	n = g->stats.io_unclaimed_reads + g->stats.io_unclaimed_writes;
	if (n <= UNCLAIMED_LOGGED)
		xt_info("guest '%s': %u-byte %s of unclaimed port 0x%llx%s", g->name, size,
			write ? "write" : "read", (unsigned long long)addr,
			n == UNCLAIMED_LOGGED ? "; further ones are only counted" : "");
}

int io_read(struct guest *g, enum io_space s, uint64_t addr, unsigned size, uint64_t *val)
{
	return io_range_read(g, io_find(g, s, addr, size), s, addr, size, val);
}

int io_write(struct guest *g, enum io_space s, uint64_t addr, unsigned size, uint64_t val)
{
	return io_range_write(g, io_find(g, s, addr, size), s, addr, size, val);
}
