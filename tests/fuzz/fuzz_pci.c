/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the guest PCI bus (devices/pci.c): the input is a
 * firmware COMMAND value, then a sequence of port accesses around
 * 0xCF8-0xCFF (plus a few owner-side calls) on a bus with the host bridge
 * and a device with a 128 KiB memory BAR and a 32-byte I/O BAR. After every
 * step it checks what the VMM relies on and aborts on violation:
 * - a BAR the last bar_update reported enabled is size aligned, allowed by
 *   bar_allowed, and COMMAND has its space's decode bit; the module's own
 *   BAR state agrees with what the owner was told;
 * - read-only bytes of both headers never change; COMMAND holds only
 *   writable bits; CONFIG_ADDRESS reserved bits read 0;
 * - every data-window read matches the config image (or all-ones).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pci.h"
#include "tests/fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DEV		5
#define MEM_SIZE	0x20000u
#define IO_SIZE		0x20u
#define MEM_LO		0xf0000000u
#define MEM_HI		0xfec00000u
#define IO_LO		0xc000u
#define IO_HI		0xd000u
#define COMMAND_BITS	0x0547u
#define STATUS_BITS	(PCI_STATUS_ERROR_BITS | PCI_STATUS_INTERRUPT | PCI_STATUS_CAP_LIST)

struct told {
	bool valid, enabled;
	uint32_t base, size;
};

struct harness {
	struct pci_bus bus;
	struct pci_func hb, dev;
	struct told told[PCI_MAX_BARS];
	uint8_t snap_hb[PCI_CFG_SPACE_SIZE], snap_dev[PCI_CFG_SPACE_SIZE];
};

static void check(bool ok)
{
	if (!ok)
		abort();
}

FUZZ_CHECKER static bool window_ok(unsigned bar, uint32_t base, uint32_t size)
{
	if (bar == 0)
		return size == MEM_SIZE && base >= MEM_LO && base < MEM_HI && MEM_HI - base >= size;
	if (bar == 1)
		return size == IO_SIZE && base >= IO_LO && base < IO_HI && IO_HI - base >= size;
	return false;
}

static bool allowed(void *ctx, unsigned bar, uint32_t base, uint32_t size)
{
	check(ctx != NULL && bar < PCI_MAX_BARS);
	return window_ok(bar, base, size);
}

static void update(void *ctx, unsigned bar, bool enabled, uint32_t base, uint32_t size)
{
	struct harness *h = ctx;

	check(bar < 2 && size == h->dev.bar[bar].size);
	h->told[bar] = (struct told){ true, enabled, base, size };
}

/* Bytes the guest can never change (type 0 header rules + device-specific area). */
FUZZ_CHECKER static bool read_only(const struct pci_func *f, unsigned off)
{
	if (off >= PCI_BASE_ADDRESS_0 && off < PCI_CARDBUS_CIS)
		return !f->bar[(off - PCI_BASE_ADDRESS_0) / 4].size;
	switch (off) {
	case PCI_COMMAND:
	case PCI_COMMAND + 1:
	case PCI_STATUS:
	case PCI_STATUS + 1:
	case PCI_CACHE_LINE_SIZE:
	case PCI_LATENCY_TIMER:
	case PCI_INTERRUPT_LINE:
		return false;
	default:
		return true;
	}
}

FUZZ_CHECKER static void check_image(const struct pci_func *f, const uint8_t *snap)
{
	uint16_t cmd = pci_func_command(f);
	uint16_t st = (uint16_t)(f->cfg[PCI_STATUS] | f->cfg[PCI_STATUS + 1] << 8);

	for (unsigned off = 0; off < PCI_CFG_SPACE_SIZE; off++)
		check(!read_only(f, off) || f->cfg[off] == snap[off]);
	check(!(cmd & ~COMMAND_BITS));
	check(!(st & ~STATUS_BITS));
	check((st & PCI_STATUS_CAP_LIST) == (snap[PCI_STATUS] & PCI_STATUS_CAP_LIST));
}

FUZZ_CHECKER static uint32_t reg32(const struct pci_func *f, unsigned off)
{
	return (uint32_t)f->cfg[off] | (uint32_t)f->cfg[off + 1] << 8 |
	       (uint32_t)f->cfg[off + 2] << 16 | (uint32_t)f->cfg[off + 3] << 24;
}

FUZZ_CHECKER static void check_bar(const struct harness *h, unsigned i)
{
	const struct pci_func *f = &h->dev;
	const struct pci_bar *bar = &f->bar[i];
	const struct told *t = &h->told[i];
	uint32_t v = reg32(f, PCI_BAR_OFFSET(i));
	uint16_t bit = bar->io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;

	check((v & (bar->io ? 1u : 0xfu)) == (bar->io ? 1u : 0u));
	if (bar->assigned && !bar->sizing)
		check(v == (bar->base | (bar->io ? 1u : 0u)));
	check(!(bar->assigned && bar->sizing));
	check(bar->decoding == (t->valid && t->enabled));
	if (!t->valid || !t->enabled)
		return;
	check(!(t->base & (t->size - 1)));
	check(window_ok(i, t->base, t->size));
	check(pci_func_command(f) & bit);
	check(bar->assigned && bar->base == t->base);
}

FUZZ_CHECKER static void check_all(const struct harness *h)
{
	check(!(h->bus.config_address & ~PCI_CONFIG_ADDRESS_MASK));
	check_image(&h->hb, h->snap_hb);
	check_image(&h->dev, h->snap_dev);
	for (unsigned i = 0; i < 2; i++)
		check_bar(h, i);
}

FUZZ_CHECKER static const struct pci_func *target(const struct harness *h)
{
	uint32_t ca = h->bus.config_address;

	if (!(ca & PCI_CONFIG_ADDRESS_ENABLE) || (ca & 0x00ff0700u))
		return NULL;
	return h->bus.func[(ca >> 11) & 0x1f];
}

/* What a read must return, from the image (computed before the read). */
FUZZ_CHECKER static uint32_t expected_read(const struct harness *h, uint16_t port, unsigned size)
{
	uint32_t ones = size == 1 ? 0xffu : size == 2 ? 0xffffu : 0xffffffffu;
	const struct pci_func *f = target(h);
	unsigned k, reg;
	uint32_t v;

	if ((size != 1 && size != 2 && size != 4) || port < 0xcf8 || port > 0xcff)
		return ones;
	if (port < 0xcfc)
		return port == 0xcf8 && size == 4 ? h->bus.config_address : ones;
	if (!f)
		return ones;
	k = port - 0xcfc;
	reg = h->bus.config_address & 0xfc;
	v = ones;
	for (unsigned i = 0; i < size && k + i < 4; i++) {
		v &= ~(0xffu << (8 * i));
		v |= (uint32_t)f->cfg[reg + k + i] << (8 * i);
	}
	return v;
}

static void setup(struct harness *h)
{
	memset(h, 0, sizeof(*h));
	pci_bus_init(&h->bus);
	pci_host_bridge_init(&h->hb);
	pci_func_init(&h->dev, DEV, 0x8086, 0x100e, 0x020000, 3);
	pci_func_set_subsystem(&h->dev, 0x8086, 0x001e);
	check(pci_func_add_bar(&h->dev, 0, false, MEM_SIZE, 0xfebc0000u) == 0);
	check(pci_func_add_bar(&h->dev, 1, true, IO_SIZE, IO_LO) == 0);
	pci_func_set_intx(&h->dev, 1, 11);
	pci_func_set_cap_list(&h->dev, 0xdc);
	h->dev.bar_update = update;
	h->dev.bar_allowed = allowed;
	h->dev.ctx = h;
	check(pci_bus_add(&h->bus, &h->hb) == 0);
	check(pci_bus_add(&h->bus, &h->dev) == 0);
	memcpy(h->snap_hb, h->hb.cfg, sizeof(h->snap_hb));
	memcpy(h->snap_dev, h->dev.cfg, sizeof(h->snap_dev));
}

/* Firmware may leave decoding on; the owner maps that layout itself. */
static void firmware(struct harness *h, uint8_t how)
{
	pci_func_set_command(&h->dev, how);
	for (unsigned i = 0; i < 2; i++) {
		const struct pci_bar *bar = &h->dev.bar[i];

		h->told[i] = (struct told){ true, bar->decoding, bar->base, bar->size };
	}
}

/* Steer some values where they matter: valid addresses and in-window bases. */
static uint32_t shape(uint8_t how, uint32_t val)
{
	switch (how & 3) {
	case 1:
		return 0x80000000u | (how & 4 ? DEV : 0) << 11 | (val & 0xff);
	case 2:
		return MEM_LO | (val & 0x0ffe0000u);
	case 3:
		return IO_LO | (val & 0xfe0u);
	default:
		return val;
	}
}

static void step(struct harness *h, const uint8_t *op)
{
	static const uint8_t sizes[8] = { 1, 2, 4, 4, 1, 2, 4, 3 };
	uint16_t port = (uint16_t)(0xcf8 + (op[1] & 7));
	unsigned size = sizes[op[2] & 7];
	uint32_t val = shape(op[2] >> 3, (uint32_t)op[3] | (uint32_t)op[4] << 8 |
				 (uint32_t)op[5] << 16 | (uint32_t)op[6] << 24);

	if ((op[1] & 0xf8) == 0xf8)
		port = (uint16_t)(0xcf0 + (op[1] & 0x1f));	/* near misses */
	switch (op[0] & 7) {
	case 0:
		pci_io_write(&h->bus, 0xcf8, 4, val);
		break;
	case 1:
	case 2: {
		uint32_t want = expected_read(h, port, size);

		check(pci_io_read(&h->bus, port, size) == want);
		break;
	}
	case 3:
	case 4:
	case 5:
		pci_io_write(&h->bus, port, size, val);
		break;
	case 6:
		pci_func_set_intx_status(&h->dev, val & 1);
		pci_func_set_status_errors(&h->dev, (uint16_t)(val >> 8));
		break;
	default:
		(void)pci_reset_requested(&h->bus);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct harness h;

	setup(&h);
	if (size)
		firmware(&h, data[0]);
	check_all(&h);
	for (size_t off = 1; off + 7 <= size; off += 7) {
		step(&h, data + off);
		check_all(&h);
	}
	return 0;
}
