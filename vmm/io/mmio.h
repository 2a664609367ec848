/* SPDX-License-Identifier: MIT */
/*
 * Emulated MMIO: devices register guest-physical ranges that are not mapped
 * in the guest's EPT. An access there exits as an EPT violation; the VMM
 * fetches and decodes the instruction (vmm/insn_decode.c), calls the
 * device's handler with a plain request and completes the instruction.
 * Devices never see the VMCS.
 */
#ifndef XTALK_VMM_MMIO_H
#define XTALK_VMM_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest/vcpu.h"

struct guest;

/* Handlers get offsets from the region base and sizes 1, 2, 4 or 8; a
 * region that cannot take 8-byte accesses splits them itself. */
struct mmio_region {
	uint64_t base, size;
	bool enabled;
	uint64_t (*read)(struct guest *g, void *dev, uint64_t off, unsigned size);
	void (*write)(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val);
	void *dev;
};

#define GUEST_MAX_MMIO 4

/* Returns the region's index, or a negative XT_E* code. */
int guest_mmio_register(struct guest *g, const struct mmio_region *r);
/* Move or switch a region (a guest reprogrammed a BAR). */
void guest_mmio_update(struct guest *g, unsigned idx, bool enabled, uint64_t base);
/* The region containing gpa, or NULL. */
struct mmio_region *guest_mmio_find(struct guest *g, uint64_t gpa);
/* Emulate the instruction that touched gpa inside r. */
enum exit_result mmio_emulate(struct vcpu *v, struct mmio_region *r, uint64_t gpa);

#endif
