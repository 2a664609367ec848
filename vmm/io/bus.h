/* SPDX-License-Identifier: MIT */
/*
 * A guest's I/O bus: the port and MMIO ranges its emulated devices claim.
 * Every device attaches here (io_register), moves with its BAR (io_update),
 * and is reached through io_read/io_write with a plain request: an offset
 * from the range's base, a size, a value. Devices never see the VMCS; the
 * exit handlers (vmm/exit/io.c for IN/OUT/INS/OUTS, vmm/exit/mmio.c for
 * MMIO, which EPT leaves unmapped so that it exits) decode the instruction
 * and call the bus.
 *
 * Nothing claims an access: a port read gives all-ones (an empty ISA bus), a
 * MMIO read too (a master abort in the PCI hole), writes go nowhere, and
 * each is counted in the guest's stats.
 */
#ifndef XTALK_VMM_IO_BUS_H
#define XTALK_VMM_IO_BUS_H

#include <stdbool.h>
#include <stdint.h>

struct guest;

enum io_space { IO_SPACE_PORT, IO_SPACE_MMIO };

/* off counts from base; size is 1, 2 or 4 (ports) or 1, 2, 4 or 8 (MMIO).
 * 0, or a negative XT_E* code to refuse the access (counted as unclaimed). */
typedef int (*io_read_fn)(struct guest *g, void *dev, uint64_t off, unsigned size,
			  uint64_t *val);
typedef int (*io_write_fn)(struct guest *g, void *dev, uint64_t off, unsigned size,
			   uint64_t val);

struct io_range {
	enum io_space space;
	uint64_t base, size;
	bool enabled;
	io_read_fn read;
	io_write_fn write;
	void *dev;
};

#define IO_MAX_RANGES 20 /* per space */

/* One array per space: an MMIO exit looks only at MMIO ranges. */
struct io_bus {
	struct io_range range[2][IO_MAX_RANGES];
	unsigned n[2];
};

/* The range's index (for io_update and io_overlaps), or -XT_ENOSPC. */
int io_register(struct guest *g, const struct io_range *r);
/* Move or switch a range (a guest reprogrammed a BAR). */
void io_update(struct guest *g, unsigned idx, bool enabled, uint64_t base);
/* The enabled range of space s holding [addr, addr + size), or NULL. */
const struct io_range *io_find(const struct guest *g, enum io_space s, uint64_t addr,
			       unsigned size);
/* Whether an enabled range of space s other than index `except` (-1: none)
 * overlaps [base, base + size). */
bool io_overlaps(const struct guest *g, enum io_space s, uint64_t base, uint64_t size,
		 int except);
/* The access, through the device that claims it: 0, or negative when none
 * does or it refused (then a read gives all-ones; counted either way). */
int io_read(struct guest *g, enum io_space s, uint64_t addr, unsigned size, uint64_t *val);
int io_write(struct guest *g, enum io_space s, uint64_t addr, unsigned size, uint64_t val);
/* Count (and log the first few) accesses nothing claimed or a device refused. */
void io_unclaimed(struct guest *g, enum io_space s, bool write, uint64_t addr, unsigned size);

static inline uint64_t io_all_ones(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* The same through a range the caller found with io_find (NULL: nothing
 * claims the access), so that an exit handler looks the range up once.
 * Inline: this is the path of every emulated device register access. */
static inline int io_range_read(struct guest *g, const struct io_range *r, enum io_space s,
				uint64_t addr, unsigned size, uint64_t *val)
{
	int rc = r && r->read ? r->read(g, r->dev, addr - r->base, size, val) : -1;

	if (rc) {
		io_unclaimed(g, s, false, addr, size);
		*val = io_all_ones(size);
		return rc;
	}
	*val &= io_all_ones(size);
	return 0;
}

static inline int io_range_write(struct guest *g, const struct io_range *r, enum io_space s,
				 uint64_t addr, unsigned size, uint64_t val)
{
	int rc = r && r->write ? r->write(g, r->dev, addr - r->base, size, val & io_all_ones(size))
			       : -1;

	if (rc)
		io_unclaimed(g, s, true, addr, size);
	return rc;
}

#endif
