// SPDX-License-Identifier: MIT
/*
 * Guest PCI bus 0 behind configuration mechanism #1. Register semantics
 * follow the PCI Local Bus Specification 3.0: section 3.2.2.3.2 (CONFIG_ADDRESS
 * and CONFIG_DATA), 6.2 (type 0 header: COMMAND, STATUS, read-only fields),
 * 6.2.5 (base address registers and their sizing).
 *
 * The cfg[] image is what the guest reads; every write goes through the
 * per-dword rules below, which update the image and the BAR state together.
 *
 * BAR rules (all BARs are 32-bit, memory ones non-prefetchable):
 * - The register value is base | type bits while assigned, ~(size-1) | type
 *   bits right after a sizing probe, and 0 | type bits while unassigned.
 * - A byte or word write first merges into that value. A resulting value
 *   whose size-aligned address bits are all ones is a sizing probe (exactly
 *   what hardware with read-only low bits would read back): the BAR is
 *   unassigned, and if it was assigned the owner gets bar_update(enabled =
 *   false, old base).
 * - Any other value asks for base = value & ~(size-1). Rewriting the
 *   current base changes nothing. Otherwise bar_allowed() decides:
 *   accepted, the BAR moves there (bar_update with enabled = the COMMAND
 *   decode bit for its space, when the base or that state changed);
 *   refused, refused_bar_writes is incremented and the BAR keeps decoding
 *   where it did: an assigned BAR keeps its old base and reads it, a BAR
 *   being sized or unassigned stays unassigned and reads 0 | type bits.
 *   I/O BARs must also fit the 64 KiB port space.
 * - When a guest COMMAND write switches a space's decoding on, each
 *   assigned BAR of that space is checked with bar_allowed() again (its
 *   address may have been written while decoding was off and something else
 *   took the range since); refused, it is unassigned (reads 0 | type bits)
 *   and counted.
 */
#include "devices/pci.h"

#include <string.h>

#include "lib/xerrno.h"

#define COMMAND_WRITABLE	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
				 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)
#define IO_SPACE_SIZE		0x10000u
#define PCI_DATA_LAST_PORT	(PCI_CONFIG_DATA_PORT + 3)

/* ---------------------------------------------------------------- image */

static uint16_t cfg_get16(const struct pci_func *f, unsigned off)
{
	return (uint16_t)(f->cfg[off] | f->cfg[off + 1] << 8);
}

static void cfg_put16(struct pci_func *f, unsigned off, uint16_t v)
{
	f->cfg[off] = (uint8_t)v;
	f->cfg[off + 1] = (uint8_t)(v >> 8);
}

static void cfg_put32(struct pci_func *f, unsigned off, uint32_t v)
{
	cfg_put16(f, off, (uint16_t)v);
	cfg_put16(f, off + 2, (uint16_t)(v >> 16));
}

/* n (1..4) bytes from off, little endian; off + n <= 256. */
static uint32_t cfg_get(const struct pci_func *f, unsigned off, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)f->cfg[off + i] << (8 * i);
	return v;
}

/* Store the bytes of val selected by lanes (0xff per byte) into the dword at reg. */
static void cfg_merge(struct pci_func *f, unsigned reg, uint32_t val, uint32_t lanes)
{
	for (unsigned i = 0; i < 4; i++) {
		if (lanes & (0xffu << (8 * i)))
			f->cfg[reg + i] = (uint8_t)(val >> (8 * i));
	}
}

static uint16_t status_get(const struct pci_func *f)
{
	return cfg_get16(f, PCI_STATUS);
}

static void status_put(struct pci_func *f, uint16_t v)
{
	cfg_put16(f, PCI_STATUS, v);
}

/* ---------------------------------------------------------------- BARs */

static uint32_t bar_type_bits(const struct pci_bar *bar)
{
	return bar->io ? PCI_BASE_ADDRESS_SPACE_IO : PCI_BASE_ADDRESS_SPACE_MEMORY;
}

static uint32_t bar_value(const struct pci_bar *bar)
{
	if (!bar->size)
		return 0;
	if (bar->sizing)
		return ~(bar->size - 1) | bar_type_bits(bar);
	if (bar->assigned)
		return bar->base | bar_type_bits(bar);
	return bar_type_bits(bar);
}

static void bar_sync(struct pci_func *f, unsigned i)
{
	cfg_put32(f, PCI_BAR_OFFSET(i), bar_value(&f->bar[i]));
}

static bool space_enabled(const struct pci_func *f, const struct pci_bar *bar)
{
	uint16_t bit = bar->io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;

	return pci_func_command(f) & bit;
}

static void bar_notify(struct pci_func *f, unsigned i)
{
	const struct pci_bar *bar = &f->bar[i];

	if (f->bar_update)
		f->bar_update(f->ctx, i, bar->decoding, bar->base, bar->size);
}

/* Ask the owner about base; a refusal is counted. */
static bool bar_check(struct pci_func *f, unsigned i, uint32_t base)
{
	const struct pci_bar *bar = &f->bar[i];
	bool ok = f->bar_allowed && f->bar_allowed(f->ctx, i, base, bar->size);

	if (ok && bar->io && (base >= IO_SPACE_SIZE || IO_SPACE_SIZE - base < bar->size))
		ok = false;
	if (!ok)
		f->refused_bar_writes++;
	return ok;
}

/* Bring the owner's view in line with assigned && COMMAND's decode bit. */
static void bar_refresh(struct pci_func *f, unsigned i)
{
	struct pci_bar *bar = &f->bar[i];
	bool want = bar->size && bar->assigned && space_enabled(f, bar);

	if (want == bar->decoding)
		return;
	if (want && !bar_check(f, i, bar->base)) {
		bar->assigned = false;
		bar_sync(f, i);
		return;
	}
	bar->decoding = want;
	bar_notify(f, i);
}

static void bar_probe(struct pci_func *f, unsigned i)
{
	struct pci_bar *bar = &f->bar[i];
	bool was_assigned = bar->assigned;

	bar->sizing = true;
	bar->assigned = false;
	bar->decoding = false;
	if (was_assigned)
		bar_notify(f, i);
}

/*
 * The owner hears of the move when the base or the decoding state changes
 * (restoring the base a probe saved while decoding is off is no news).
 */
static void bar_move(struct pci_func *f, unsigned i, uint32_t base)
{
	struct pci_bar *bar = &f->bar[i];
	bool decoding, news;

	bar->sizing = false;
	if (bar->assigned && bar->base == base)
		return;
	if (!bar_check(f, i, base))
		return;
	decoding = space_enabled(f, bar);
	news = base != bar->base || decoding != bar->decoding;
	bar->base = base;
	bar->assigned = true;
	bar->decoding = decoding;
	if (news)
		bar_notify(f, i);
}

static void bar_write(struct pci_func *f, unsigned i, uint32_t val, uint32_t lanes)
{
	struct pci_bar *bar = &f->bar[i];
	uint32_t v;

	if (!bar->size)
		return;
	v = (bar_value(bar) & ~lanes) | (val & lanes);
	if ((v | (bar->size - 1)) == UINT32_MAX)
		bar_probe(f, i);
	else
		bar_move(f, i, v & ~(bar->size - 1));
	bar_sync(f, i);
}

/* ---------------------------------------------------------------- COMMAND / STATUS */

static void command_put(struct pci_func *f, uint16_t cmd)
{
	cfg_put16(f, PCI_COMMAND, cmd & COMMAND_WRITABLE);
	for (unsigned i = 0; i < PCI_MAX_BARS; i++)
		bar_refresh(f, i);
}

/* Dword 0x04: COMMAND in lanes 0-1, STATUS (RW1C error bits) in lanes 2-3. */
static void command_status_write(struct pci_func *f, uint32_t val, uint32_t lanes)
{
	uint16_t cmd_lanes = (uint16_t)lanes, w1c;

	if (cmd_lanes) {
		uint16_t cmd = pci_func_command(f);

		command_put(f, (uint16_t)((cmd & ~cmd_lanes) | (val & cmd_lanes)));
	}
	w1c = (uint16_t)((val & lanes) >> 16) & PCI_STATUS_ERROR_BITS;
	status_put(f, status_get(f) & (uint16_t)~w1c);
}

/* ---------------------------------------------------------------- config writes */

/*
 * A write to the dword at reg (0..252, aligned); lanes selects the bytes
 * (0xff << 8*k per byte) and val holds them in place.
 */
static void cfg_write(struct pci_func *f, unsigned reg, uint32_t val, uint32_t lanes)
{
	switch (reg) {
	case PCI_COMMAND:
		command_status_write(f, val, lanes);
		break;
	case PCI_CACHE_LINE_SIZE:	/* + latency timer; header type, BIST read-only */
		cfg_merge(f, reg, val, lanes & 0xffffu);
		break;
	case PCI_BASE_ADDRESS_0:
	case PCI_BASE_ADDRESS_1:
	case PCI_BASE_ADDRESS_2:
	case PCI_BASE_ADDRESS_3:
	case PCI_BASE_ADDRESS_4:
	case PCI_BASE_ADDRESS_5:
		bar_write(f, (reg - PCI_BASE_ADDRESS_0) / 4, val, lanes);
		break;
	case PCI_INTERRUPT_LINE:	/* pin, MIN_GNT, MAX_LAT read-only */
		cfg_merge(f, reg, val, lanes & 0xffu);
		break;
	default:			/* IDs, class, subsystem, ROM, capabilities, device-specific */
		break;
	}
}

/* ---------------------------------------------------------------- functions */

void pci_func_init(struct pci_func *f, uint8_t dev, uint16_t vendor, uint16_t device,
		   uint32_t class_code, uint8_t revision)
{
	memset(f, 0, sizeof(*f));
	f->devfn = dev < PCI_MAX_DEVICES ? (uint8_t)(dev << 3) : 0xff;
	cfg_put16(f, PCI_VENDOR_ID, vendor);
	cfg_put16(f, PCI_DEVICE_ID, device);
	cfg_put32(f, PCI_CLASS_REVISION, (class_code & 0xffffffu) << 8 | revision);
	f->cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
}

void pci_func_set_subsystem(struct pci_func *f, uint16_t vendor, uint16_t device)
{
	cfg_put16(f, PCI_SUBSYSTEM_VENDOR_ID, vendor);
	cfg_put16(f, PCI_SUBSYSTEM_ID, device);
}

/*
 * Firmware setup (before the guest runs): the owner maps the layout it chose
 * itself, so the BARs' decoding state follows COMMAND without asking
 * bar_allowed() or calling bar_update().
 */
static void firmware_sync(struct pci_func *f)
{
	for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
		struct pci_bar *bar = &f->bar[i];

		bar->decoding = bar->size && bar->assigned && space_enabled(f, bar);
	}
}

static bool bar_size_ok(bool io, uint32_t size)
{
	if (!size || (size & (size - 1)))
		return false;
	return io ? size >= 4 && size <= 256 : size >= 16 && size <= 0x80000000u;
}

int pci_func_add_bar(struct pci_func *f, unsigned idx, bool io, uint32_t size, uint32_t base)
{
	struct pci_bar *bar;

	if (idx >= PCI_MAX_BARS || !bar_size_ok(io, size) || (base & (size - 1)))
		return -XT_EINVAL;
	if (io && (base >= IO_SPACE_SIZE || IO_SPACE_SIZE - base < size))
		return -XT_EINVAL;
	bar = &f->bar[idx];
	if (bar->size)
		return -XT_EEXIST;
	memset(bar, 0, sizeof(*bar));
	bar->size = size;
	bar->io = io;
	bar->base = base;
	bar->assigned = base != 0;
	bar_sync(f, idx);
	firmware_sync(f);
	return 0;
}

void pci_func_set_intx(struct pci_func *f, uint8_t pin, uint8_t line)
{
	f->cfg[PCI_INTERRUPT_PIN] = pin >= 1 && pin <= 4 ? pin : 0;
	f->cfg[PCI_INTERRUPT_LINE] = line;
}

void pci_func_set_cap_list(struct pci_func *f, uint8_t ptr)
{
	uint16_t st = status_get(f) & (uint16_t)~PCI_STATUS_CAP_LIST;

	ptr &= 0xfc;
	if (ptr < PCI_STD_HEADER_SIZEOF)
		ptr = 0;
	f->cfg[PCI_CAPABILITY_LIST] = ptr;
	status_put(f, ptr ? st | PCI_STATUS_CAP_LIST : st);
}

void pci_func_set_command(struct pci_func *f, uint16_t command)
{
	cfg_put16(f, PCI_COMMAND, command & COMMAND_WRITABLE);
	firmware_sync(f);
}

void pci_func_set_intx_status(struct pci_func *f, bool pending)
{
	uint16_t st = status_get(f) & (uint16_t)~PCI_STATUS_INTERRUPT;

	status_put(f, pending ? st | PCI_STATUS_INTERRUPT : st);
}

void pci_func_set_status_errors(struct pci_func *f, uint16_t bits)
{
	status_put(f, status_get(f) | (bits & PCI_STATUS_ERROR_BITS));
}

uint16_t pci_func_command(const struct pci_func *f)
{
	return cfg_get16(f, PCI_COMMAND);
}

bool pci_func_bus_master(const struct pci_func *f)
{
	return pci_func_command(f) & PCI_COMMAND_MASTER;
}

bool pci_func_intx_disabled(const struct pci_func *f)
{
	return pci_func_command(f) & PCI_COMMAND_INTX_DISABLE;
}

void pci_host_bridge_init(struct pci_func *f)
{
	pci_func_init(f, 0, 0x8086, 0x1237, 0x060000, 0x02);
}

/* ---------------------------------------------------------------- bus */

void pci_bus_init(struct pci_bus *b)
{
	memset(b, 0, sizeof(*b));
}

int pci_bus_add(struct pci_bus *b, struct pci_func *f)
{
	unsigned dev;

	if (!f || (f->devfn & 7))
		return -XT_EINVAL;
	dev = f->devfn >> 3;
	if (b->func[dev])
		return -XT_EEXIST;
	b->func[dev] = f;
	return 0;
}

bool pci_reset_requested(struct pci_bus *b)
{
	bool req = b->reset_requested;

	b->reset_requested = false;
	return req;
}

bool pci_claims_port(uint16_t port)
{
	return port >= PCI_CONFIG_ADDRESS_PORT && port <= PCI_DATA_LAST_PORT;
}

static bool size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4;
}

/* The low n bytes (n = 1..4). */
static uint32_t byte_mask(unsigned n)
{
	return (uint32_t)((1ull << (8 * n)) - 1);
}

static uint32_t all_ones(unsigned size)
{
	return size_ok(size) ? byte_mask(size) : UINT32_MAX;
}

/* The function CONFIG_ADDRESS selects, or NULL (disabled, bus/function != 0, empty). */
static struct pci_func *selected(const struct pci_bus *b)
{
	uint32_t ca = b->config_address;

	if (!(ca & PCI_CONFIG_ADDRESS_ENABLE))
		return NULL;
	if ((ca >> PCI_CONFIG_ADDRESS_BUS_SHIFT) & 0xff)
		return NULL;
	if ((ca >> PCI_CONFIG_ADDRESS_FN_SHIFT) & 7)
		return NULL;
	return b->func[(ca >> PCI_CONFIG_ADDRESS_DEV_SHIFT) & 0x1f];
}

/* Bytes of an access at 0xCFC + k that stay inside the data window. */
static unsigned data_bytes(unsigned k, unsigned size)
{
	return size < 4 - k ? size : 4 - k;
}

static uint32_t data_read(struct pci_bus *b, unsigned k, unsigned size)
{
	const struct pci_func *f = selected(b);
	unsigned n = data_bytes(k, size);
	unsigned reg = b->config_address & PCI_CONFIG_ADDRESS_REG_MASK;

	if (!f)
		return all_ones(size);
	return (all_ones(size) & ~byte_mask(n)) | cfg_get(f, reg + k, n);
}

static void data_write(struct pci_bus *b, unsigned k, unsigned size, uint32_t val)
{
	struct pci_func *f = selected(b);
	unsigned n = data_bytes(k, size);
	unsigned reg = b->config_address & PCI_CONFIG_ADDRESS_REG_MASK;

	if (f)
		cfg_write(f, reg, val << (8 * k), byte_mask(n) << (8 * k));
}

uint32_t pci_io_read(struct pci_bus *b, uint16_t port, unsigned size)
{
	if (!size_ok(size) || !pci_claims_port(port))
		return all_ones(size);
	if (port >= PCI_CONFIG_DATA_PORT)
		return data_read(b, port - PCI_CONFIG_DATA_PORT, size);
	if (port == PCI_CONFIG_ADDRESS_PORT && size == 4)
		return b->config_address;
	return all_ones(size);
}

void pci_io_write(struct pci_bus *b, uint16_t port, unsigned size, uint32_t val)
{
	if (!size_ok(size) || !pci_claims_port(port))
		return;
	val &= byte_mask(size);
	if (port >= PCI_CONFIG_DATA_PORT)
		data_write(b, port - PCI_CONFIG_DATA_PORT, size, val);
	else if (port == PCI_CONFIG_ADDRESS_PORT && size == 4)
		b->config_address = val & PCI_CONFIG_ADDRESS_MASK;
	else if (port == PCI_RESET_CONTROL_PORT && size == 1 && (val & PCI_RESET_CONTROL_RST_CPU))
		b->reset_requested = true;
}
