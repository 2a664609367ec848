/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the interrupt controllers (devices/lapic.c,
 * devices/ioapic.c): one IOAPIC and two local APICs (IDs 0 and 1) on an
 * apic_bus_deliver() bus, EOI broadcasts wired back to the IOAPIC, as a
 * multi-vCPU VMM would wire them. The input picks the timer input ratio,
 * then a sequence of xAPIC MMIO and x2APIC MSR accesses, IA32_APIC_BASE and
 * IA32_TSC_DEADLINE writes, IOAPIC MMIO, pin and LINT levels, time steps,
 * injections (IRR -> ISR), EOIs, event takes and virtual-APIC page round
 * trips. After every step it checks, and aborts on violation:
 * - an ISR bit is only ever set by an acknowledgement the harness made
 *   (or it was already there): no bit appears from nowhere;
 * - no IRR/ISR bit below 16; LVT masks all set while software-disabled;
 * - after lapic_update(now), the next timer event is after now;
 * - lapic_pending_vector() is an IRR bit above PPR's class, and
 *   lapic_acknowledge() returns it or the spurious vector;
 * - IOAPIC entries hold only writable bits plus remote IRR, and remote IRR
 *   only on level-triggered entries; the version register never changes.
 * UBSan and ASan catch undefined behaviour and out-of-bounds accesses.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "tests/fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NCPU		2
#define TIME_MAX	(1ull << 62)

struct harness {
	struct ioapic io;
	struct lapic cpu[NCPU];
	struct lapic *bus[NCPU];
	uint32_t acked[NCPU][8];	/* ISR bits the harness may have caused */
	uint64_t now;
	uint8_t page[LAPIC_PAGE_SIZE];
};

struct input {
	const uint8_t *p;
	size_t n;
};

static void check(bool ok)
{
	if (!ok)
		abort();
}

FUZZ_CHECKER static uint8_t u8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

FUZZ_CHECKER static uint32_t u32(struct input *in)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < 4; i++)
		v |= (uint32_t)u8(in) << (8 * i);
	return v;
}

FUZZ_CHECKER static uint64_t u64(struct input *in)
{
	return (uint64_t)u32(in) | (uint64_t)u32(in) << 32;
}

static unsigned deliver(void *ctx, const struct apic_msg *m)
{
	struct harness *h = ctx;

	return apic_bus_deliver(h->bus, NCPU, NULL, m);
}

static void send(void *ctx, struct lapic *src, const struct apic_msg *m)
{
	struct harness *h = ctx;

	apic_bus_deliver(h->bus, NCPU, src, m);
}

static void eoi_broadcast(void *ctx, struct lapic *src, uint8_t vector)
{
	struct harness *h = ctx;

	check(src == &h->cpu[0] || src == &h->cpu[1]);
	ioapic_eoi(&h->io, vector);
}

static void harness_init(struct harness *h, uint32_t tsc_per_tick)
{
	struct ioapic_ops iops = { .ctx = h, .deliver = deliver };
	struct lapic_ops lops = { .ctx = h, .send = send, .eoi_broadcast = eoi_broadcast };

	memset(h, 0, sizeof(*h));
	ioapic_init(&h->io, 2, &iops);
	for (unsigned i = 0; i < NCPU; i++) {
		struct lapic_config cfg = { .apic_id = i, .bsp = i == 0, .tsc_per_tick = tsc_per_tick };

		lapic_init(&h->cpu[i], &cfg, &lops);
		h->bus[i] = &h->cpu[i];
	}
}

/* ---------------------------------------------------------------- steps */

static const unsigned sizes[4] = { 1, 2, 4, 8 };

static uint32_t lapic_offset(struct input *in)
{
	uint8_t b = u8(in);

	if (b & 0x80)
		return (uint32_t)(b & 0x3f) << 4;	/* a register */
	return ((uint32_t)b << 8 | u8(in)) & 0xfff;
}

static void step_mmio(struct harness *h, struct lapic *l, struct input *in, bool write)
{
	uint32_t off = lapic_offset(in);
	unsigned size = sizes[u8(in) & 3];

	if (write) {
		lapic_mmio_write(l, off, size, u32(in), h->now);
		return;
	}
	uint64_t v = lapic_mmio_read(l, off, size, h->now);
	check(size >= 8 || v >> (size * 8) == 0);
	if (lapic_x2apic_mode(l))
		check(v == 0);
}

static void step_msr(struct harness *h, struct lapic *l, struct input *in, bool write)
{
	uint32_t msr = X2APIC_MSR_BASE + u8(in);
	uint64_t v = u8(in) & 1 ? u32(in) : u64(in);

	if (write) {
		int rc = lapic_msr_write(l, msr, v, h->now);
		check(rc == 0 || rc < 0);
		return;
	}
	int rc = lapic_msr_read(l, msr, &v, h->now);
	check(rc == 0 ? lapic_x2apic_mode(l) : v == 0);
}

static void step_apic_base(struct harness *h, struct lapic *l, struct input *in)
{
	static const uint64_t flags[4] = { 0, APIC_BASE_EN, APIC_BASE_EN | APIC_BASE_EXTD,
					   APIC_BASE_EXTD };
	uint8_t b = u8(in);
	uint64_t v = LAPIC_DEFAULT_BASE | flags[b & 3];

	if (b & 4)
		v = u64(in);
	uint64_t before = lapic_get_apic_base(l);
	if (lapic_set_apic_base(l, v, h->now) < 0)
		check(lapic_get_apic_base(l) == before);
}

static void step_deadline(struct harness *h, struct lapic *l, struct input *in)
{
	uint8_t b = u8(in);
	uint64_t d = b & 1 ? h->now + u32(in) : (b & 2 ? u64(in) : h->now - (h->now ? 1 : 0));

	lapic_write_tsc_deadline(l, d, h->now);
	uint64_t r = lapic_read_tsc_deadline(l, h->now);
	check(r == 0 || r > h->now);
}

static void step_ioapic_mmio(struct harness *h, struct input *in, bool write)
{
	static const uint32_t offs[4] = { IOAPIC_IOREGSEL, IOAPIC_IOWIN, IOAPIC_EOI, 0 };
	uint8_t b = u8(in);
	uint32_t off = (b & 3) == 3 ? u8(in) : offs[b & 3];
	unsigned size = (b & 0x30) ? 4 : sizes[(b >> 2) & 3];

	if (write)
		ioapic_mmio_write(&h->io, off, size, u32(in));
	else
		(void)ioapic_mmio_read(&h->io, off, size);
}

/* A redirection entry write the way a guest does it, biased to useful values. */
static void step_redtbl(struct harness *h, struct input *in)
{
	uint8_t pin = u8(in) % IOAPIC_NR_PINS;
	uint32_t low = u32(in), high = (uint32_t)(u8(in) & 3) << 24;

	ioapic_mmio_write(&h->io, IOAPIC_IOREGSEL, 4, IOAPIC_REDTBL + 2 * pin + 1);
	ioapic_mmio_write(&h->io, IOAPIC_IOWIN, 4, high);
	ioapic_mmio_write(&h->io, IOAPIC_IOREGSEL, 4, IOAPIC_REDTBL + 2 * pin);
	ioapic_mmio_write(&h->io, IOAPIC_IOWIN, 4, low | 0x20);
}

static void step_time(struct harness *h, struct input *in)
{
	uint8_t b = u8(in);
	uint64_t d = (b & 0x80) ? 1ull << (b & 0x3f) : (uint64_t)b * u8(in);

	if (h->now + d < TIME_MAX && h->now + d >= h->now)
		h->now += d;
	if ((b & 0x3f) == 0x3f)		/* the VMM armed a timer for the next event */
		for (unsigned i = 0; i < NCPU; i++) {
			uint64_t next = lapic_next_event(&h->cpu[i]);
			if (next != LAPIC_NO_EVENT && next < TIME_MAX && next > h->now)
				h->now = next;
		}
}

static void step_inject(struct harness *h, unsigned c)
{
	struct lapic *l = &h->cpu[c];

	if (lapic_extint_pending(l)) {
		lapic_extint_ack(l);
		return;
	}
	int want = lapic_pending_vector(l);
	int got = lapic_acknowledge(l);

	if (want < 0) {
		check(got == (int)(l->svr & APIC_SVR_VECTOR_MASK));
		return;
	}
	check(got == want);
	h->acked[c][got >> 5] |= 1u << (got & 31);
}

static void step_eoi(struct harness *h, struct lapic *l, struct input *in)
{
	if (lapic_x2apic_mode(l))
		check(lapic_msr_write(l, X2APIC_MSR(APIC_EOI), u8(in) & 1, h->now) <= 0);
	else
		lapic_mmio_write(l, APIC_EOI, 4, 0, h->now);
}

/* Export, then import exactly that page: TPR, ISR and IRR must not change;
 * the per-entry export writes what the full one wrote. With virtual=true,
 * then what EOI virtualization does: the highest ISR vector leaves the
 * page, comes back through the import, and the EOI's effects follow. */
static void step_page(struct harness *h, struct lapic *l, bool virtual)
{
	static uint8_t again[LAPIC_PAGE_SIZE];
	uint32_t isr[8], irr[8], tpr = l->tpr;
	int v;

	memcpy(isr, l->isr, sizeof(isr));
	memcpy(irr, l->irr, sizeof(irr));
	lapic_export_page(l, h->page, h->now);
	memcpy(again, h->page, sizeof(again));
	lapic_export_irq_state(l, again);
	check(!memcmp(again, h->page, sizeof(again)));
	lapic_import_page(l, h->page);
	check(l->tpr == tpr);
	check(!memcmp(isr, l->isr, sizeof(isr)) && !memcmp(irr, l->irr, sizeof(irr)));
	v = lapic_highest_isr(l);
	if (!virtual || v < 0)
		return;
	h->page[APIC_ISR + (v >> 5) * 0x10 + ((v & 31) >> 3)] &= (uint8_t)~(1u << (v & 7));
	lapic_import_page(l, h->page);
	check(!(l->isr[v >> 5] & 1u << (v & 31)));
	lapic_eoi_virtualized(l, (uint8_t)v);
}

static void step(struct harness *h, struct input *in)
{
	uint8_t op = u8(in);
	unsigned c = (op >> 4) & 1;
	struct lapic *l = &h->cpu[c];

	switch (op & 0xf) {
	case 0: step_mmio(h, l, in, true); break;
	case 1: step_mmio(h, l, in, false); break;
	case 2: step_msr(h, l, in, true); break;
	case 3: step_msr(h, l, in, false); break;
	case 4: step_apic_base(h, l, in); break;
	case 5: step_deadline(h, l, in); break;
	case 6: step_ioapic_mmio(h, in, true); break;
	case 7: step_ioapic_mmio(h, in, false); break;
	case 8: step_redtbl(h, in); break;
	case 9: ioapic_set_irq(&h->io, u8(in) % 26, op & 0x20); break;
	case 10: lapic_set_lint(l, (op >> 5) & 3, op & 0x80); break;
	case 11: step_time(h, in); break;
	case 12: step_inject(h, c); break;
	case 13: step_eoi(h, l, in); break;
	case 14:
		if (op & 0x20)
			lapic_virtual_wire(l);
		if (op & 0x40)
			ioapic_resample(&h->io);
		(void)lapic_take_events(l);
		break;
	default: step_page(h, l, op & 0x20); break;
	}
}

/* ---------------------------------------------------------------- invariants */

FUZZ_CHECKER static void check_lapic(struct harness *h, unsigned c)
{
	struct lapic *l = &h->cpu[c];

	for (unsigned i = 0; i < 8; i++) {
		check(!(l->isr[i] & ~h->acked[c][i]));	/* no ISR bit from nowhere */
		h->acked[c][i] = l->isr[i];
	}
	check(!(l->isr[0] & 0xffff) && !(l->irr[0] & 0xffff));
	if (!lapic_sw_enabled(l))
		for (unsigned i = 0; i < LAPIC_NR_LVT; i++)
			check(l->lvt[i] & APIC_LVT_MASKED);
	lapic_update(l, h->now);
	uint64_t next = lapic_next_event(l);
	check(next == LAPIC_NO_EVENT || next > h->now);
	check(l->now == h->now);

	int v = lapic_pending_vector(l);
	if (v >= 0) {
		check(l->irr[v >> 5] & (1u << (v & 31)));
		check(((uint32_t)v & 0xf0) > (lapic_ppr(l) & 0xf0));
	}
}

FUZZ_CHECKER static void check_ioapic(struct harness *h)
{
	for (unsigned pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		uint64_t e = h->io.redtbl[pin];

		check(!(e & ~(IOAPIC_REDTBL_WRITABLE | IOAPIC_REDTBL_REMOTE_IRR)));
		check(!(e & IOAPIC_REDTBL_REMOTE_IRR) || (e & IOAPIC_REDTBL_LEVEL));
	}
	uint8_t sel = h->io.ioregsel;
	ioapic_mmio_write(&h->io, IOAPIC_IOREGSEL, 4, IOAPIC_VER);
	check(ioapic_mmio_read(&h->io, IOAPIC_IOWIN, 4) == 0x00170020);
	ioapic_mmio_write(&h->io, IOAPIC_IOREGSEL, 1, sel);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct harness h;
	struct input in = { data, size };

	harness_init(&h, (u32(&in) & 0xffffff) + 1);
	while (in.n) {
		step(&h, &in);
		for (unsigned c = 0; c < NCPU; c++)
			check_lapic(&h, c);
		check_ioapic(&h);
	}
	return 0;
}
