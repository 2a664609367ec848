// SPDX-License-Identifier: MIT
/* Host unit tests for the guest PCI bus 0 (devices/pci.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "devices/pci.h"
#include "lib/xerrno.h"

#define NIC_DEV		3
#define NIC_MMIO	0xfebc0000u
#define NIC_MMIO_SIZE	0x20000u
#define NIC_IO		0xc000u
#define NIC_IO_SIZE	8u
#define MMIO_LO		0xe0000000u
#define MMIO_HI		0xfec00000u
#define IO_LO		0xc000u

struct update {
	unsigned bar;
	bool enabled;
	uint32_t base, size;
};

struct owner {
	struct update log[32];
	unsigned n;
	unsigned asked;
	bool refuse_all;
};

struct fixture {
	struct pci_bus bus;
	struct pci_func hb, nic;
	struct owner own;
};

static void owner_update(void *ctx, unsigned bar, bool enabled, uint32_t base, uint32_t size)
{
	struct owner *o = ctx;

	if (o->n < 32)
		o->log[o->n] = (struct update){ bar, enabled, base, size };
	o->n++;
}

/* The VMM's window: MMIO in [MMIO_LO, MMIO_HI), ports from IO_LO; never 0. */
static bool owner_allowed(void *ctx, unsigned bar, uint32_t base, uint32_t size)
{
	struct owner *o = ctx;

	o->asked++;
	if (o->refuse_all || base == 0)
		return false;
	if (bar == 1)
		return base >= IO_LO && base + size <= 0x10000u;
	return base >= MMIO_LO && base < MMIO_HI && MMIO_HI - base >= size;
}

static int setup(void **state)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	pci_bus_init(&fx.bus);
	pci_host_bridge_init(&fx.hb);
	pci_func_init(&fx.nic, NIC_DEV, 0x8086, 0x100e, 0x020000, 0x03);
	pci_func_set_subsystem(&fx.nic, 0x8086, 0x001e);
	assert_int_equal(pci_func_add_bar(&fx.nic, 0, false, NIC_MMIO_SIZE, NIC_MMIO), 0);
	assert_int_equal(pci_func_add_bar(&fx.nic, 1, true, NIC_IO_SIZE, NIC_IO), 0);
	pci_func_set_intx(&fx.nic, 1, 11);
	fx.nic.bar_update = owner_update;
	fx.nic.bar_allowed = owner_allowed;
	fx.nic.ctx = &fx.own;
	assert_int_equal(pci_bus_add(&fx.bus, &fx.hb), 0);
	assert_int_equal(pci_bus_add(&fx.bus, &fx.nic), 0);
	*state = &fx;
	return 0;
}

static uint32_t addr(unsigned dev, unsigned reg)
{
	return 0x80000000u | dev << 11 | (reg & 0xfc);
}

static uint32_t cfg_rd(struct pci_bus *b, unsigned dev, unsigned reg, unsigned size)
{
	pci_io_write(b, 0xcf8, 4, addr(dev, reg));
	return pci_io_read(b, (uint16_t)(0xcfc + (reg & 3)), size);
}

static void cfg_wr(struct pci_bus *b, unsigned dev, unsigned reg, unsigned size, uint32_t v)
{
	pci_io_write(b, 0xcf8, 4, addr(dev, reg));
	pci_io_write(b, (uint16_t)(0xcfc + (reg & 3)), size, v);
}

static uint32_t image(const struct pci_func *f, unsigned off, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)f->cfg[off + i] << (8 * i);
	return v;
}

static void assert_update(const struct owner *o, unsigned i, unsigned bar, bool en, uint32_t base,
			  uint32_t size)
{
	assert_true(i < o->n);
	assert_int_equal(o->log[i].bar, bar);
	assert_int_equal(o->log[i].enabled, en);
	assert_int_equal(o->log[i].base, base);
	assert_int_equal(o->log[i].size, size);
}

static struct fixture *fx_of(void **state)
{
	return *state;
}

/* A guest (not firmware) COMMAND write. */
static void guest_cmd(struct fixture *fx, uint16_t cmd)
{
	cfg_wr(&fx->bus, NIC_DEV, PCI_COMMAND, 2, cmd);
}

/* ---------------------------------------------------------------- enumeration and reads */

static void test_linux_scan_bus0(void **state)
{
	struct fixture *fx = fx_of(state);

	for (unsigned dev = 0; dev < 32; dev++) {
		uint32_t id = cfg_rd(&fx->bus, dev, PCI_VENDOR_ID, 4);

		if (dev == 0)
			assert_int_equal(id, 0x12378086u);
		else if (dev == NIC_DEV)
			assert_int_equal(id, 0x100e8086u);
		else
			assert_int_equal(id, 0xffffffffu);
		assert_int_equal(cfg_rd(&fx->bus, dev, PCI_VENDOR_ID, 2), dev == 0 || dev == NIC_DEV ?
				 0x8086u : 0xffffu);
	}
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_NORMAL);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_CLASS_REVISION, 4), 0x02000003u);
}

static void test_reads_every_offset_and_width(void **state)
{
	struct fixture *fx = fx_of(state);

	for (unsigned off = 0; off < PCI_CFG_SPACE_SIZE; off++) {
		assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, off, 1), image(&fx->nic, off, 1));
		if (!(off & 1))
			assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, off, 2), image(&fx->nic, off, 2));
		if (!(off & 3))
			assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, off, 4), image(&fx->nic, off, 4));
	}
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4), NIC_MMIO);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_1, 4), NIC_IO | 1);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x001e8086u);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_2, 4), 0);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_ROM_ADDRESS, 4), 0);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BIST, 1), 0);
}

/* Word at 0xCFF, dword at 0xCFD: the bytes past 0xCFF read 0xFF, writes there are dropped. */
static void test_data_window_clipping(void **state)
{
	struct fixture *fx = fx_of(state);
	struct pci_bus *b = &fx->bus;

	pci_io_write(b, 0xcf8, 4, addr(NIC_DEV, PCI_VENDOR_ID));
	assert_int_equal(pci_io_read(b, 0xcff, 2), 0xff10u);
	assert_int_equal(pci_io_read(b, 0xcfd, 4), 0xff100e80u);
	assert_int_equal(pci_io_read(b, 0xcfe, 2), 0x100eu);

	pci_io_write(b, 0xcf8, 4, addr(NIC_DEV, PCI_INTERRUPT_LINE));
	pci_io_write(b, 0xcff, 4, 0xffffffffu);		/* MAX_LAT: read-only, rest dropped */
	pci_io_write(b, 0xcfc, 4, 0x00000005u);
	assert_int_equal(fx->nic.cfg[PCI_INTERRUPT_LINE], 5);
	assert_int_equal(fx->nic.cfg[PCI_INTERRUPT_PIN], 1);
	assert_int_equal(pci_io_read(b, 0xcfc, 3), 0xffffffffu);	/* bad size */
	pci_io_write(b, 0xcfc, 3, 0x7);
	assert_int_equal(fx->nic.cfg[PCI_INTERRUPT_LINE], 5);
}

/* ---------------------------------------------------------------- CONFIG_ADDRESS */

static void test_config_address_disabled(void **state)
{
	struct fixture *fx = fx_of(state);
	struct pci_bus *b = &fx->bus;

	pci_io_write(b, 0xcf8, 4, addr(NIC_DEV, PCI_INTERRUPT_LINE) & ~0x80000000u);
	assert_int_equal(pci_io_read(b, 0xcfc, 4), 0xffffffffu);
	assert_int_equal(pci_io_read(b, 0xcfc, 2), 0xffffu);
	assert_int_equal(pci_io_read(b, 0xcfd, 1), 0xffu);
	pci_io_write(b, 0xcfc, 1, 9);
	assert_int_equal(fx->nic.cfg[PCI_INTERRUPT_LINE], 11);
}

static void test_config_address_reserved_bits(void **state)
{
	struct fixture *fx = fx_of(state);
	struct pci_bus *b = &fx->bus;

	pci_io_write(b, 0xcf8, 4, 0xffffffffu);
	assert_int_equal(pci_io_read(b, 0xcf8, 4), 0x80fffffcu);
	pci_io_write(b, 0xcf8, 4, 0x7f000003u | addr(NIC_DEV, PCI_VENDOR_ID));
	assert_int_equal(pci_io_read(b, 0xcf8, 4), addr(NIC_DEV, PCI_VENDOR_ID));
	/* Register bits 1:0 are ignored: the dword at 0x00 is selected. */
	assert_int_equal(pci_io_read(b, 0xcfc, 4), 0x100e8086u);
}

static void test_config_address_byte_word_access(void **state)
{
	struct fixture *fx = fx_of(state);
	struct pci_bus *b = &fx->bus;

	pci_io_write(b, 0xcf8, 4, addr(NIC_DEV, 0));
	for (uint16_t port = 0xcf8; port <= 0xcfb; port++) {
		assert_int_equal(pci_io_read(b, port, 1), 0xffu);
		assert_int_equal(pci_io_read(b, port, 2), 0xffffu);
		pci_io_write(b, port, 1, 0);
		pci_io_write(b, port, 2, 0);
		if (port != 0xcf8) {
			assert_int_equal(pci_io_read(b, port, 4), 0xffffffffu);
			pci_io_write(b, port, 4, 0);
		}
	}
	assert_int_equal(pci_io_read(b, 0xcf8, 4), addr(NIC_DEV, 0));
	assert_false(pci_reset_requested(b));
	assert_false(pci_claims_port(0xcf7));
	assert_true(pci_claims_port(0xcf8));
	assert_true(pci_claims_port(0xcff));
	assert_false(pci_claims_port(0xd00));
}

static void test_reset_control_cf9(void **state)
{
	struct pci_bus *b = &fx_of(state)->bus;

	pci_io_write(b, 0xcf9, 1, 0x02);	/* SYS_RST alone: only selects the kind */
	assert_false(pci_reset_requested(b));
	pci_io_write(b, 0xcf8, 2, 0x0600);	/* word access: not the reset register */
	pci_io_write(b, 0xcf8, 4, 0x00000600);	/* CONFIG_ADDRESS, not 0xCF9 */
	assert_false(pci_reset_requested(b));
	pci_io_write(b, 0xcf9, 1, 0x06);
	assert_true(pci_reset_requested(b));
	assert_false(pci_reset_requested(b));	/* reading clears it */
	pci_io_write(b, 0xcf9, 1, 0x04);
	assert_true(pci_reset_requested(b));
}

static void test_other_bus_and_function(void **state)
{
	struct fixture *fx = fx_of(state);
	struct pci_bus *b = &fx->bus;

	pci_io_write(b, 0xcf8, 4, addr(NIC_DEV, 0) | 1u << 16);
	assert_int_equal(pci_io_read(b, 0xcfc, 4), 0xffffffffu);
	pci_io_write(b, 0xcf8, 4, addr(NIC_DEV, 0) | 1u << 8);
	assert_int_equal(pci_io_read(b, 0xcfc, 4), 0xffffffffu);
	pci_io_write(b, 0xcf8, 4, addr(NIC_DEV, PCI_INTERRUPT_LINE) | 7u << 8);
	pci_io_write(b, 0xcfc, 1, 3);
	assert_int_equal(fx->nic.cfg[PCI_INTERRUPT_LINE], 11);
}

/* ---------------------------------------------------------------- header write rules */

static const uint8_t read_only[] = {
	PCI_VENDOR_ID, PCI_VENDOR_ID + 1, PCI_DEVICE_ID, PCI_DEVICE_ID + 1, PCI_REVISION_ID,
	PCI_CLASS_PROG, PCI_CLASS_DEVICE, PCI_CLASS_DEVICE + 1, PCI_HEADER_TYPE, PCI_BIST,
	0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33,
	PCI_CAPABILITY_LIST, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b,
	PCI_INTERRUPT_PIN, PCI_MIN_GNT, PCI_MAX_LAT, 0x40, 0x80, 0xff,
};

static void test_read_only_fields(void **state)
{
	struct fixture *fx = fx_of(state);
	uint8_t before[PCI_CFG_SPACE_SIZE];

	memcpy(before, fx->nic.cfg, sizeof(before));
	for (unsigned i = 0; i < sizeof(read_only); i++) {
		unsigned off = read_only[i];

		cfg_wr(&fx->bus, NIC_DEV, off, 1, 0xa5);
		cfg_wr(&fx->bus, NIC_DEV, off & ~1u, 2, 0x5a5a);
		cfg_wr(&fx->bus, NIC_DEV, off & ~3u, 4, 0xffffffffu);
		cfg_wr(&fx->bus, NIC_DEV, off & ~3u, 4, 0);
	}
	for (unsigned i = 0; i < sizeof(read_only); i++)
		assert_int_equal(fx->nic.cfg[read_only[i]], before[read_only[i]]);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_ROM_ADDRESS, 4), 0);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BIST, 1), 0);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_VENDOR_ID, 4), 0x100e8086u);
}

static void test_command_mask(void **state)
{
	struct fixture *fx = fx_of(state);

	cfg_wr(&fx->bus, NIC_DEV, PCI_COMMAND, 2, 0xffff);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_COMMAND, 2), 0x0547);
	assert_true(pci_func_bus_master(&fx->nic));
	assert_true(pci_func_intx_disabled(&fx->nic));
	cfg_wr(&fx->bus, NIC_DEV, PCI_COMMAND + 1, 1, 0x00);	/* high byte only */
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_COMMAND, 2), 0x0047);
	assert_false(pci_func_intx_disabled(&fx->nic));
	cfg_wr(&fx->bus, NIC_DEV, PCI_COMMAND, 1, 0xb8);	/* low byte: hardwired bits dropped */
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_COMMAND, 2), 0x0000);
	assert_false(pci_func_bus_master(&fx->nic));
	cfg_wr(&fx->bus, NIC_DEV, PCI_COMMAND, 1, 0x40);
	assert_int_equal(pci_func_command(&fx->nic), PCI_COMMAND_PARITY);
}

static void test_status_rw1c(void **state)
{
	struct fixture *fx = fx_of(state);
	uint16_t err = PCI_STATUS_ERROR_BITS;

	pci_func_set_status_errors(&fx->nic, 0xffff);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_STATUS, 2), err);
	/* Writing COMMAND through a dword with 0 in STATUS clears nothing. */
	cfg_wr(&fx->bus, NIC_DEV, PCI_COMMAND, 4, PCI_COMMAND_MASTER);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_STATUS, 2), err);
	/* A COMMAND word write never touches STATUS. */
	cfg_wr(&fx->bus, NIC_DEV, PCI_COMMAND, 2, 0xffff);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_STATUS, 2), err);
	cfg_wr(&fx->bus, NIC_DEV, PCI_STATUS, 2, PCI_STATUS_REC_MASTER_ABORT);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_STATUS, 2), err & ~PCI_STATUS_REC_MASTER_ABORT);
	cfg_wr(&fx->bus, NIC_DEV, PCI_STATUS + 1, 1, 0xff);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_STATUS, 2), 0);
}

static void test_status_intx_and_cap_list(void **state)
{
	struct fixture *fx = fx_of(state);

	pci_func_set_intx_status(&fx->nic, true);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_STATUS, 2), PCI_STATUS_INTERRUPT);
	cfg_wr(&fx->bus, NIC_DEV, PCI_STATUS, 2, 0xffff);		/* read-only */
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_STATUS, 2), PCI_STATUS_INTERRUPT);
	cfg_wr(&fx->bus, NIC_DEV, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_STATUS, 2), PCI_STATUS_INTERRUPT);
	pci_func_set_intx_status(&fx->nic, false);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_STATUS, 2), 0);

	pci_func_set_cap_list(&fx->nic, 0xdc);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_CAPABILITY_LIST, 1), 0xdc);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	cfg_wr(&fx->bus, NIC_DEV, PCI_STATUS, 2, 0xffff);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	pci_func_set_cap_list(&fx->nic, 0x10);			/* inside the header: none */
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_CAPABILITY_LIST, 1), 0);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_STATUS, 2), 0);
}

static void test_cache_line_latency_bist(void **state)
{
	struct fixture *fx = fx_of(state);

	cfg_wr(&fx->bus, NIC_DEV, PCI_CACHE_LINE_SIZE, 4, 0xffff4010u);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_CACHE_LINE_SIZE, 4), 0x00004010u);
	cfg_wr(&fx->bus, NIC_DEV, PCI_LATENCY_TIMER, 1, 0x20);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_CACHE_LINE_SIZE, 2), 0x2010);
	cfg_wr(&fx->bus, NIC_DEV, PCI_BIST, 1, 0x40);			/* start BIST: not capable */
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BIST, 1), 0);
}

static void test_interrupt_line_pin(void **state)
{
	struct fixture *fx = fx_of(state);

	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_INTERRUPT_LINE, 2), 0x010b);
	cfg_wr(&fx->bus, NIC_DEV, PCI_INTERRUPT_LINE, 2, 0x0405);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_INTERRUPT_LINE, 1), 5);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_INTERRUPT_PIN, 1), 1);
	cfg_wr(&fx->bus, NIC_DEV, PCI_INTERRUPT_LINE, 1, 0xff);	/* "unknown": accepted */
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_INTERRUPT_LINE, 1), 0xff);
	pci_func_set_intx(&fx->nic, 5, 10);				/* no INTE#: no pin */
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_INTERRUPT_LINE, 2), 0x000a);
	pci_func_set_intx(&fx->nic, 4, 10);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_INTERRUPT_PIN, 1), 4);
}

/* ---------------------------------------------------------------- BARs */

/* drivers/pci/probe.c style: decode off, save, write ~0, read, restore, decode back on. */
static uint32_t linux_size_bar(struct pci_bus *b, unsigned dev, unsigned bar, uint32_t *orig_out)
{
	unsigned reg = PCI_BAR_OFFSET(bar);
	uint16_t cmd = (uint16_t)cfg_rd(b, dev, PCI_COMMAND, 2);
	uint32_t orig, mask;

	cfg_wr(b, dev, PCI_COMMAND, 2, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	orig = cfg_rd(b, dev, reg, 4);
	cfg_wr(b, dev, reg, 4, 0xffffffffu);
	mask = cfg_rd(b, dev, reg, 4);
	cfg_wr(b, dev, reg, 4, orig);
	cfg_wr(b, dev, PCI_COMMAND, 2, cmd);
	*orig_out = orig;
	return mask;
}

static void test_linux_sizing_mem_bar(void **state)
{
	struct fixture *fx = fx_of(state);
	struct owner *o = &fx->own;
	uint32_t orig, mask;

	guest_cmd(fx, PCI_COMMAND_MEMORY);
	assert_int_equal(o->n, 1);
	assert_update(o, 0, 0, true, NIC_MMIO, NIC_MMIO_SIZE);

	mask = linux_size_bar(&fx->bus, NIC_DEV, 0, &orig);
	assert_int_equal(orig, NIC_MMIO);
	assert_int_equal(mask, 0xfffe0000u);
	assert_int_equal(~(mask & PCI_BASE_ADDRESS_MEM_MASK) + 1, NIC_MMIO_SIZE);
	/* decode off, (sizing of an assigned but idle BAR), restore, decode on */
	assert_int_equal(o->n, 4);
	assert_update(o, 1, 0, false, NIC_MMIO, NIC_MMIO_SIZE);
	assert_update(o, 2, 0, false, NIC_MMIO, NIC_MMIO_SIZE);
	assert_update(o, 3, 0, true, NIC_MMIO, NIC_MMIO_SIZE);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4), NIC_MMIO);
	assert_true(fx->nic.bar[0].assigned);
	assert_int_equal(fx->nic.refused_bar_writes, 0);
}

static void test_linux_sizing_io_bar(void **state)
{
	struct fixture *fx = fx_of(state);
	struct owner *o = &fx->own;
	uint32_t orig, mask;

	guest_cmd(fx, PCI_COMMAND_IO);
	assert_int_equal(o->n, 1);
	assert_update(o, 0, 1, true, NIC_IO, NIC_IO_SIZE);

	mask = linux_size_bar(&fx->bus, NIC_DEV, 1, &orig);
	assert_int_equal(orig, NIC_IO | PCI_BASE_ADDRESS_SPACE_IO);
	assert_int_equal(mask, 0xfffffff9u);
	assert_int_equal((~(mask & PCI_BASE_ADDRESS_IO_MASK) + 1) & 0xffff, NIC_IO_SIZE);
	assert_int_equal(o->n, 4);
	assert_update(o, 1, 1, false, NIC_IO, NIC_IO_SIZE);
	assert_update(o, 2, 1, false, NIC_IO, NIC_IO_SIZE);
	assert_update(o, 3, 1, true, NIC_IO, NIC_IO_SIZE);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_1, 4), NIC_IO | 1);
}

/* Other probe patterns; the BAR reads the mask until the next write. */
static void test_sizing_patterns(void **state)
{
	struct fixture *fx = fx_of(state);
	static const uint32_t probes[] = { 0xffffffffu, 0xfffffff0u, 0xfffffffeu, 0xfffe0000u };

	for (unsigned i = 0; i < 4; i++) {
		cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4, probes[i]);
		assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4), 0xfffe0000u);
		assert_false(fx->nic.bar[0].assigned);
	}
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_1, 4, 0xfffffffcu);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_1, 4), 0xfffffff9u);
	/* Only the first probe of an assigned BAR tells the owner. */
	assert_int_equal(fx->own.n, 2);
	assert_update(&fx->own, 0, 0, false, NIC_MMIO, NIC_MMIO_SIZE);
	assert_update(&fx->own, 1, 1, false, NIC_IO, NIC_IO_SIZE);
	assert_int_equal(fx->nic.refused_bar_writes, 0);
}

static void test_bar_move_accepted(void **state)
{
	struct fixture *fx = fx_of(state);
	struct owner *o = &fx->own;

	guest_cmd(fx, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	o->n = 0;
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4, 0xf0000000u | 0x1fff8);	/* low bits dropped */
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4), 0xf0000000u);
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_1, 4, 0xd001);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_1, 4), 0xd001);
	assert_int_equal(o->n, 2);
	assert_update(o, 0, 0, true, 0xf0000000u, NIC_MMIO_SIZE);
	assert_update(o, 1, 1, true, 0xd000, NIC_IO_SIZE);
	/* Rewriting the same base is no change. */
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4, 0xf0000000u);
	assert_int_equal(o->n, 2);
	assert_int_equal(fx->nic.refused_bar_writes, 0);
}

static void test_bar_move_refused(void **state)
{
	struct fixture *fx = fx_of(state);
	struct owner *o = &fx->own;

	guest_cmd(fx, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	o->n = 0;
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4, 0x00100000u);	/* guest RAM */
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_1, 4, 0xfff8u | 0x10000u);	/* beyond 64 KiB */
	assert_int_equal(fx->nic.refused_bar_writes, 2);
	assert_int_equal(o->n, 0);
	/* Still decoding where they were, and that is what reads back. */
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4), NIC_MMIO);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_1, 4), NIC_IO | 1);
	assert_true(fx->nic.bar[0].assigned && fx->nic.bar[0].decoding);
}

/* Sized and then given a refused address (0 included): unassigned, reads 0 | type. */
static void test_bar_refused_after_sizing(void **state)
{
	struct fixture *fx = fx_of(state);
	struct owner *o = &fx->own;

	guest_cmd(fx, PCI_COMMAND_MEMORY);
	o->n = 0;
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4, 0xffffffffu);
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4, 0);
	assert_int_equal(fx->nic.refused_bar_writes, 1);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4), 0);
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_1, 4, 0xffffffffu);
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_1, 4, 0x0060);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_1, 4), PCI_BASE_ADDRESS_SPACE_IO);
	assert_int_equal(fx->nic.refused_bar_writes, 2);
	assert_int_equal(o->n, 2);
	assert_update(o, 0, 0, false, NIC_MMIO, NIC_MMIO_SIZE);
	assert_update(o, 1, 1, false, NIC_IO, NIC_IO_SIZE);
	/* Toggling decode does not wake an unassigned BAR. */
	guest_cmd(fx, 0);
	guest_cmd(fx, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	assert_int_equal(o->n, 2);
	/* A valid address brings it back. */
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4, 0xfe000000u);
	assert_int_equal(o->n, 3);
	assert_update(o, 2, 0, true, 0xfe000000u, NIC_MMIO_SIZE);
}

static void test_decode_on_off(void **state)
{
	struct fixture *fx = fx_of(state);
	struct owner *o = &fx->own;

	guest_cmd(fx, PCI_COMMAND_MASTER);
	assert_int_equal(o->n, 0);
	cfg_wr(&fx->bus, NIC_DEV, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(o->n, 1);
	assert_update(o, 0, 0, true, NIC_MMIO, NIC_MMIO_SIZE);
	cfg_wr(&fx->bus, NIC_DEV, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(o->n, 1);				/* no change of state */
	cfg_wr(&fx->bus, NIC_DEV, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	assert_int_equal(o->n, 2);
	assert_update(o, 1, 1, true, NIC_IO, NIC_IO_SIZE);
	cfg_wr(&fx->bus, NIC_DEV, PCI_COMMAND, 1, 0);
	assert_int_equal(o->n, 4);
	assert_update(o, 2, 0, false, NIC_MMIO, NIC_MMIO_SIZE);
	assert_update(o, 3, 1, false, NIC_IO, NIC_IO_SIZE);
	/* A move while decoding is off is reported disabled, then enabled by COMMAND. */
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4, 0xfd000000u);
	assert_update(o, 4, 0, false, 0xfd000000u, NIC_MMIO_SIZE);
	cfg_wr(&fx->bus, NIC_DEV, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(o->n, 6);
	assert_update(o, 5, 0, true, 0xfd000000u, NIC_MMIO_SIZE);
}

/* Enabling decode asks bar_allowed again; a refusal unassigns the BAR. */
static void test_decode_enable_rechecks(void **state)
{
	struct fixture *fx = fx_of(state);
	struct owner *o = &fx->own;

	o->refuse_all = true;
	guest_cmd(fx, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	assert_int_equal(o->n, 0);
	assert_int_equal(o->asked, 2);
	assert_int_equal(fx->nic.refused_bar_writes, 2);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4), 0);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_1, 4), 1);
	assert_false(fx->nic.bar[0].decoding || fx->nic.bar[1].decoding);
}

/* Firmware setup is silent; guest writes then keep the owner informed. */
static void test_firmware_command_silent(void **state)
{
	struct fixture *fx = fx_of(state);
	struct owner *o = &fx->own;

	pci_func_set_command(&fx->nic, 0xffff);
	assert_int_equal(pci_func_command(&fx->nic), 0x0547);
	assert_int_equal(o->n, 0);
	assert_int_equal(o->asked, 0);
	assert_true(fx->nic.bar[0].decoding && fx->nic.bar[1].decoding);
	guest_cmd(fx, PCI_COMMAND_IO);
	assert_int_equal(o->n, 1);
	assert_update(o, 0, 0, false, NIC_MMIO, NIC_MMIO_SIZE);
	pci_func_set_command(&fx->nic, 0);
	assert_false(fx->nic.bar[1].decoding);
	assert_int_equal(o->n, 1);
}

/* Without bar_allowed nothing ever decodes. */
static void test_no_allowed_callback(void **state)
{
	struct fixture *fx = fx_of(state);

	fx->nic.bar_allowed = NULL;
	guest_cmd(fx, PCI_COMMAND_MEMORY);
	assert_int_equal(fx->own.n, 0);
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4, 0xf0000000u);
	assert_int_equal(fx->own.n, 0);
	assert_int_equal(fx->nic.refused_bar_writes, 2);
	assert_false(fx->nic.bar[0].decoding);
}

static void test_partial_bar_writes(void **state)
{
	struct fixture *fx = fx_of(state);
	struct owner *o = &fx->own;

	guest_cmd(fx, PCI_COMMAND_MEMORY);
	o->n = 0;
	/* Low word: address bits 15:4 are below the size, nothing moves. */
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 2, 0xfff0);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4), NIC_MMIO);
	assert_int_equal(o->n, 0);
	/* High word: 0xf000 merges with the current low word. */
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0 + 2, 2, 0xf000);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4), 0xf0000000u);
	assert_update(o, 0, 0, true, 0xf0000000u, NIC_MMIO_SIZE);
	/* Byte 2: bit 16 is an address bit of a 128 KiB BAR, bits 23:17 too. */
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0 + 2, 1, 0x06);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4), 0xf0060000u);
	assert_update(o, 1, 0, true, 0xf0060000u, NIC_MMIO_SIZE);
	/* Byte 3 into guest RAM: refused, unchanged. */
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0 + 3, 1, 0x10);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4), 0xf0060000u);
	assert_int_equal(fx->nic.refused_bar_writes, 1);
	/* Bytewise probe: all four bytes to 0xff end in sizing. */
	for (unsigned i = 0; i < 4; i++)
		cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0 + i, 1, 0xff);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_0, 4), 0xfffe0000u);
	assert_false(fx->nic.bar[0].assigned);
	/* I/O BAR word write at 0x14 via 0xCFC. */
	cfg_wr(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_1, 2, 0xe000);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BASE_ADDRESS_1, 4), 0xe001);
}

static void test_unimplemented_bars(void **state)
{
	struct fixture *fx = fx_of(state);

	for (unsigned i = 2; i < PCI_MAX_BARS; i++) {
		cfg_wr(&fx->bus, NIC_DEV, PCI_BAR_OFFSET(i), 4, 0xffffffffu);
		assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BAR_OFFSET(i), 4), 0);
		cfg_wr(&fx->bus, NIC_DEV, PCI_BAR_OFFSET(i), 4, 0xf0000000u);
		assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_BAR_OFFSET(i), 4), 0);
	}
	cfg_wr(&fx->bus, NIC_DEV, PCI_ROM_ADDRESS, 4, 0xffffffffu);
	assert_int_equal(cfg_rd(&fx->bus, NIC_DEV, PCI_ROM_ADDRESS, 4), 0);
	assert_int_equal(fx->own.n, 0);
	assert_int_equal(fx->own.asked, 0);
}

/* ---------------------------------------------------------------- setup API */

static void test_add_bar_and_bus_errors(void **state)
{
	struct fixture *fx = fx_of(state);
	struct pci_func f, g;

	pci_func_init(&f, 5, 0x1234, 0x5678, 0xff0000, 0);
	assert_int_equal(pci_func_add_bar(&f, 6, false, 4096, 0), -XT_EINVAL);
	assert_int_equal(pci_func_add_bar(&f, 0, false, 3000, 0), -XT_EINVAL);
	assert_int_equal(pci_func_add_bar(&f, 0, false, 8, 0), -XT_EINVAL);
	assert_int_equal(pci_func_add_bar(&f, 0, true, 512, 0), -XT_EINVAL);
	assert_int_equal(pci_func_add_bar(&f, 0, false, 4096, 0x1800), -XT_EINVAL);
	assert_int_equal(pci_func_add_bar(&f, 0, true, 16, 0x10000), -XT_EINVAL);
	assert_int_equal(pci_func_add_bar(&f, 0, false, 0, 0), -XT_EINVAL);
	assert_int_equal(pci_func_add_bar(&f, 0, false, 4096, 0), 0);
	assert_int_equal(pci_func_add_bar(&f, 0, false, 4096, 0), -XT_EEXIST);
	assert_int_equal(pci_func_add_bar(&f, 5, true, 256, 0xff00), 0);
	assert_false(f.bar[0].assigned);
	assert_int_equal(image(&f, PCI_BASE_ADDRESS_0, 4), 0);
	assert_int_equal(image(&f, PCI_BASE_ADDRESS_5, 4), 0xff01u);

	assert_int_equal(pci_bus_add(&fx->bus, &f), 0);
	assert_int_equal(cfg_rd(&fx->bus, 5, PCI_VENDOR_ID, 4), 0x56781234u);
	pci_func_init(&g, 5, 1, 2, 0, 0);
	assert_int_equal(pci_bus_add(&fx->bus, &g), -XT_EEXIST);
	pci_func_init(&g, 32, 1, 2, 0, 0);
	assert_int_equal(pci_bus_add(&fx->bus, &g), -XT_EINVAL);
	assert_int_equal(pci_bus_add(&fx->bus, NULL), -XT_EINVAL);
}

static void test_host_bridge(void **state)
{
	struct fixture *fx = fx_of(state);
	struct pci_bus *b = &fx->bus;

	assert_int_equal(fx->hb.devfn, 0);
	assert_int_equal(cfg_rd(b, 0, PCI_VENDOR_ID, 2), 0x8086);
	assert_int_equal(cfg_rd(b, 0, PCI_DEVICE_ID, 2), 0x1237);
	assert_int_equal(cfg_rd(b, 0, PCI_CLASS_REVISION, 4) >> 8, 0x060000);
	assert_int_equal(cfg_rd(b, 0, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_NORMAL);
	for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
		cfg_wr(b, 0, PCI_BAR_OFFSET(i), 4, 0xffffffffu);
		assert_int_equal(cfg_rd(b, 0, PCI_BAR_OFFSET(i), 4), 0);
	}
	assert_int_equal(cfg_rd(b, 0, PCI_INTERRUPT_PIN, 1), 0);
	cfg_wr(b, 0, PCI_COMMAND, 2, 0xffff);	/* no BARs, no callbacks set: harmless */
	assert_int_equal(cfg_rd(b, 0, PCI_COMMAND, 2), 0x0547);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_linux_scan_bus0, setup),
		cmocka_unit_test_setup(test_reads_every_offset_and_width, setup),
		cmocka_unit_test_setup(test_data_window_clipping, setup),
		cmocka_unit_test_setup(test_config_address_disabled, setup),
		cmocka_unit_test_setup(test_config_address_reserved_bits, setup),
		cmocka_unit_test_setup(test_config_address_byte_word_access, setup),
		cmocka_unit_test_setup(test_reset_control_cf9, setup),
		cmocka_unit_test_setup(test_other_bus_and_function, setup),
		cmocka_unit_test_setup(test_read_only_fields, setup),
		cmocka_unit_test_setup(test_command_mask, setup),
		cmocka_unit_test_setup(test_status_rw1c, setup),
		cmocka_unit_test_setup(test_status_intx_and_cap_list, setup),
		cmocka_unit_test_setup(test_cache_line_latency_bist, setup),
		cmocka_unit_test_setup(test_interrupt_line_pin, setup),
		cmocka_unit_test_setup(test_linux_sizing_mem_bar, setup),
		cmocka_unit_test_setup(test_linux_sizing_io_bar, setup),
		cmocka_unit_test_setup(test_sizing_patterns, setup),
		cmocka_unit_test_setup(test_bar_move_accepted, setup),
		cmocka_unit_test_setup(test_bar_move_refused, setup),
		cmocka_unit_test_setup(test_bar_refused_after_sizing, setup),
		cmocka_unit_test_setup(test_decode_on_off, setup),
		cmocka_unit_test_setup(test_decode_enable_rechecks, setup),
		cmocka_unit_test_setup(test_firmware_command_silent, setup),
		cmocka_unit_test_setup(test_no_allowed_callback, setup),
		cmocka_unit_test_setup(test_partial_bar_writes, setup),
		cmocka_unit_test_setup(test_unimplemented_bars, setup),
		cmocka_unit_test_setup(test_add_bar_and_bus_errors, setup),
		cmocka_unit_test_setup(test_host_bridge, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
