// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the I/O APIC model (devices/ioapic.c), wired as a VMM
 * would wire it: the IOAPIC delivers over apic_bus_deliver() to one or two
 * local APIC models, their EOI broadcasts come back to ioapic_eoi(), and the
 * 8259 pair (devices/pic8259.c) drives LINT0 and IOAPIC pin 0 with its INT.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "devices/pic8259.h"

#define SPURIOUS	0xffu
#define IRQ0_VECTOR	0x30u		/* Linux ISA_IRQ_VECTOR(0) */

struct plat {
	struct ioapic io;
	struct lapic cpu[2];
	struct lapic *bus[2];
	unsigned ncpu;
	struct pic_pair pic;
	unsigned msgs;
	struct apic_msg last;
};

static unsigned deliver(void *ctx, const struct apic_msg *m)
{
	struct plat *p = ctx;

	p->msgs++;
	p->last = *m;
	return apic_bus_deliver(p->bus, p->ncpu, NULL, m);
}

static void eoi_broadcast(void *ctx, struct lapic *src, uint8_t vector)
{
	struct plat *p = ctx;

	(void)src;
	ioapic_eoi(&p->io, vector);
}

static void plat_init(struct plat *p, unsigned ncpu)
{
	struct ioapic_ops iops = { .ctx = p, .deliver = deliver };
	struct lapic_ops lops = { .ctx = p, .eoi_broadcast = eoi_broadcast };

	memset(p, 0, sizeof(*p));
	p->ncpu = ncpu;
	ioapic_init(&p->io, 2, &iops);
	for (unsigned i = 0; i < ncpu; i++) {
		struct lapic_config cfg = { .apic_id = i, .bsp = i == 0, .tsc_per_tick = 1 };

		lapic_init(&p->cpu[i], &cfg, &lops);
		lapic_mmio_write(&p->cpu[i], APIC_SVR, 4, APIC_SVR_ENABLE | SPURIOUS, 0);
		p->bus[i] = &p->cpu[i];
	}
	pic_init(&p->pic);
}

static int setup1(void **state)
{
	static struct plat p;

	plat_init(&p, 1);
	*state = &p;
	return 0;
}

static int setup2(void **state)
{
	static struct plat p;

	plat_init(&p, 2);
	*state = &p;
	return 0;
}

static struct plat *plat(void **state)
{
	return *state;
}

static uint32_t io_read(struct ioapic *io, uint8_t index)
{
	ioapic_mmio_write(io, IOAPIC_IOREGSEL, 4, index);
	return ioapic_mmio_read(io, IOAPIC_IOWIN, 4);
}

static void io_write(struct ioapic *io, uint8_t index, uint32_t v)
{
	ioapic_mmio_write(io, IOAPIC_IOREGSEL, 4, index);
	ioapic_mmio_write(io, IOAPIC_IOWIN, 4, v);
}

/* As Linux's ioapic_write_entry(): high half first, then low. */
static void set_entry(struct ioapic *io, unsigned pin, uint32_t low, uint8_t dest)
{
	io_write(io, IOAPIC_REDTBL + 2 * pin + 1, (uint32_t)dest << 24);
	io_write(io, IOAPIC_REDTBL + 2 * pin, low);
}

static uint32_t entry_low(struct ioapic *io, unsigned pin)
{
	return io_read(io, IOAPIC_REDTBL + 2 * pin);
}

static bool irr(const struct lapic *l, unsigned v)
{
	return l->irr[v >> 5] & (1u << (v & 31));
}

static void eoi(struct lapic *l)
{
	lapic_mmio_write(l, APIC_EOI, 4, 0, 0);
}

/* The 8259's INT wire goes to LINT0 and to IOAPIC pin 0. */
static void pic_sync(struct plat *p)
{
	bool intr = pic_intr_asserted(&p->pic);

	lapic_set_lint(&p->cpu[0], 0, intr);
	ioapic_set_irq(&p->io, 0, intr);
}

/* An ISA IRQ line: to the 8259 and to the IOAPIC (IRQ 0 on pin 2: the override). */
static void isa_irq(struct plat *p, unsigned irq, bool level)
{
	pic_set_irq(&p->pic, irq, level);
	ioapic_set_irq(&p->io, irq == 0 ? 2 : irq, level);
	pic_sync(p);
}

/* The VMM's injection step for CPU 0: ExtINT first, then the APIC. */
static int inject(struct plat *p)
{
	struct lapic *l = &p->cpu[0];

	if (lapic_extint_pending(l)) {
		int v = pic_acknowledge(&p->pic);

		lapic_extint_ack(l);
		pic_sync(p);
		return v;
	}
	if (lapic_pending_vector(l) < 0)
		return -1;
	return lapic_acknowledge(l);
}

/* ---------------------------------------------------------------- tests */

static void test_registers(void **state)
{
	struct ioapic *io = &plat(state)->io;

	assert_int_equal(io_read(io, IOAPIC_ID), 2u << 24);
	assert_int_equal(io_read(io, IOAPIC_VER), 0x00170020);
	assert_int_equal(io_read(io, IOAPIC_ARB), 2u << 24);
	io_write(io, IOAPIC_ID, 0xffffffff);
	assert_int_equal(io_read(io, IOAPIC_ID), 0x0f000000);
	assert_int_equal(io_read(io, IOAPIC_ARB), 0x0f000000);	/* loaded from the ID */
	io_write(io, IOAPIC_VER, 0);
	io_write(io, IOAPIC_ARB, 0);
	assert_int_equal(io_read(io, IOAPIC_VER), 0x00170020);
	assert_int_equal(io_read(io, IOAPIC_ARB), 0x0f000000);
	for (unsigned pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		assert_int_equal(entry_low(io, pin), IOAPIC_REDTBL_MASKED);
		assert_int_equal(io_read(io, IOAPIC_REDTBL + 2 * pin + 1), 0);
	}
	/* Writable bits only: delivery status, remote IRR and 17-55 read 0. */
	set_entry(io, 5, 0xffffffff, 0xff);
	io_write(io, IOAPIC_REDTBL + 11, 0xffffffff);
	assert_int_equal(entry_low(io, 5), 0x0001afff);
	assert_int_equal(io_read(io, IOAPIC_REDTBL + 11), 0xff000000);
	assert_int_equal(io_read(io, IOAPIC_REDTBL + 2 * 24), 0);	/* past pin 23 */
	assert_int_equal(io_read(io, 0x03), 0);
	/* IOREGSEL reads back; byte accesses; other offsets. */
	ioapic_mmio_write(io, IOAPIC_IOREGSEL, 1, 0x1b);
	assert_int_equal(ioapic_mmio_read(io, IOAPIC_IOREGSEL, 4), 0x1b);
	assert_int_equal(ioapic_mmio_read(io, IOAPIC_IOWIN + 3, 1), 0xff);
	assert_int_equal(ioapic_mmio_read(io, IOAPIC_IOWIN, 2), 0);
	assert_int_equal(io->bad_access, 0);
	assert_int_equal(ioapic_mmio_read(io, 0x20, 4), 0);
	assert_int_equal(ioapic_mmio_read(io, IOAPIC_IOWIN + 2, 4), 0);
	ioapic_mmio_write(io, IOAPIC_IOWIN, 2, 0);
	assert_int_equal(io->bad_access, 3);
	assert_int_equal(io_read(io, IOAPIC_REDTBL + 11), 0xff000000);
}

static void test_edge_delivery(void **state)
{
	struct plat *p = plat(state);
	struct lapic *l = &p->cpu[0];

	set_entry(&p->io, 1, 0x31, 0);		/* edge, high, fixed, physical 0 */
	ioapic_set_irq(&p->io, 1, true);
	assert_true(irr(l, 0x31));
	assert_int_equal(p->msgs, 1);
	assert_false(p->last.level);
	assert_int_equal(lapic_acknowledge(l), 0x31);
	ioapic_set_irq(&p->io, 1, true);	/* no new edge */
	assert_false(irr(l, 0x31));
	eoi(l);
	assert_int_equal(entry_low(&p->io, 1) & IOAPIC_REDTBL_REMOTE_IRR, 0);
	ioapic_set_irq(&p->io, 1, false);
	assert_int_equal(p->msgs, 1);
	ioapic_set_irq(&p->io, 1, true);
	assert_true(irr(l, 0x31));
	assert_int_equal(p->msgs, 2);
}

static void test_edge_masked_and_polarity(void **state)
{
	struct plat *p = plat(state);
	struct lapic *l = &p->cpu[0];

	set_entry(&p->io, 4, IOAPIC_REDTBL_MASKED | 0x34, 0);
	ioapic_set_irq(&p->io, 4, true);	/* edge while masked: lost */
	set_entry(&p->io, 4, 0x34, 0);
	assert_false(irr(l, 0x34));
	assert_int_equal(p->msgs, 0);
	/* Active low: the falling wire is the edge. */
	set_entry(&p->io, 6, IOAPIC_REDTBL_POLARITY_LOW | 0x36, 0);
	ioapic_set_irq(&p->io, 6, true);
	assert_false(irr(l, 0x36));
	ioapic_set_irq(&p->io, 6, false);
	assert_true(irr(l, 0x36));
}

static void test_level_remote_irr_cycle(void **state)
{
	struct plat *p = plat(state);
	struct lapic *l = &p->cpu[0];

	set_entry(&p->io, 11, IOAPIC_REDTBL_LEVEL | 0x3b, 0);
	ioapic_set_irq(&p->io, 11, true);
	assert_true(irr(l, 0x3b));
	assert_true(l->tmr[0x3b >> 5] & (1u << (0x3b & 31)));	/* level at the APIC */
	assert_true(entry_low(&p->io, 11) & IOAPIC_REDTBL_REMOTE_IRR);
	assert_int_equal(lapic_acknowledge(l), 0x3b);
	ioapic_set_irq(&p->io, 11, true);
	assert_int_equal(p->msgs, 1);		/* held by remote IRR */
	/* Remote IRR is read-only to the guest. */
	set_entry(&p->io, 11, IOAPIC_REDTBL_LEVEL | 0x3b, 0);
	assert_true(entry_low(&p->io, 11) & IOAPIC_REDTBL_REMOTE_IRR);
	/* EOI broadcast: remote IRR cleared, still asserted -> delivered again. */
	eoi(l);
	assert_int_equal(p->msgs, 2);
	assert_true(irr(l, 0x3b));
	assert_true(entry_low(&p->io, 11) & IOAPIC_REDTBL_REMOTE_IRR);
	/* Line drops before the EOI: the EOI clears remote IRR, nothing follows. */
	assert_int_equal(lapic_acknowledge(l), 0x3b);
	ioapic_set_irq(&p->io, 11, false);
	eoi(l);
	assert_int_equal(p->msgs, 2);
	assert_false(entry_low(&p->io, 11) & IOAPIC_REDTBL_REMOTE_IRR);
	assert_false(irr(l, 0x3b));
	/* An EOI for another vector does not touch it. */
	ioapic_set_irq(&p->io, 11, true);
	assert_int_equal(lapic_acknowledge(l), 0x3b);
	ioapic_eoi(&p->io, 0x3c);
	assert_true(entry_low(&p->io, 11) & IOAPIC_REDTBL_REMOTE_IRR);
	assert_int_equal(p->msgs, 3);
}

static void test_eoi_register_directed(void **state)
{
	struct plat *p = plat(state);
	struct lapic *l = &p->cpu[0];

	/* The guest suppresses the broadcast and EOIs the IOAPIC itself. */
	lapic_mmio_write(l, APIC_SVR, 4, APIC_SVR_ENABLE | APIC_SVR_EOI_SUPPRESS | SPURIOUS, 0);
	set_entry(&p->io, 10, IOAPIC_REDTBL_LEVEL | 0x3a, 0);
	ioapic_set_irq(&p->io, 10, true);
	assert_int_equal(lapic_acknowledge(l), 0x3a);
	eoi(l);
	assert_true(entry_low(&p->io, 10) & IOAPIC_REDTBL_REMOTE_IRR);
	assert_int_equal(p->msgs, 1);
	assert_int_equal(ioapic_mmio_read(&p->io, IOAPIC_EOI, 4), 0);	/* write-only */
	ioapic_mmio_write(&p->io, IOAPIC_EOI, 4, 0x3a);
	assert_int_equal(p->msgs, 2);		/* cleared and re-delivered */
	assert_true(irr(l, 0x3a));
}

/* Linux's EOI for version 0x11 IOAPICs: switch to edge and back. */
static void test_trigger_toggle_clears_remote_irr(void **state)
{
	struct plat *p = plat(state);
	struct lapic *l = &p->cpu[0];

	set_entry(&p->io, 9, IOAPIC_REDTBL_LEVEL | 0x39, 0);
	ioapic_set_irq(&p->io, 9, true);
	assert_int_equal(lapic_acknowledge(l), 0x39);
	lapic_mmio_write(l, APIC_SVR, 4, APIC_SVR_ENABLE | APIC_SVR_EOI_SUPPRESS | SPURIOUS, 0);
	eoi(l);
	io_write(&p->io, IOAPIC_REDTBL + 18, IOAPIC_REDTBL_MASKED | 0x39);	/* edge, masked */
	assert_false(entry_low(&p->io, 9) & IOAPIC_REDTBL_REMOTE_IRR);
	io_write(&p->io, IOAPIC_REDTBL + 18, IOAPIC_REDTBL_LEVEL | 0x39);	/* level, unmasked */
	assert_int_equal(p->msgs, 2);		/* still asserted */
	assert_true(irr(l, 0x39));
}

static void test_masked_level_pin(void **state)
{
	struct plat *p = plat(state);
	struct lapic *l = &p->cpu[0];

	set_entry(&p->io, 12, IOAPIC_REDTBL_MASKED | IOAPIC_REDTBL_LEVEL | 0x3c, 0);
	ioapic_set_irq(&p->io, 12, true);
	assert_int_equal(p->msgs, 0);
	assert_false(entry_low(&p->io, 12) & IOAPIC_REDTBL_REMOTE_IRR);
	set_entry(&p->io, 12, IOAPIC_REDTBL_LEVEL | 0x3c, 0);	/* unmask: delivered */
	assert_int_equal(p->msgs, 1);
	assert_true(irr(l, 0x3c));
	/* Masked with remote IRR set: it stays until the EOI. */
	set_entry(&p->io, 12, IOAPIC_REDTBL_MASKED | IOAPIC_REDTBL_LEVEL | 0x3c, 0);
	assert_true(entry_low(&p->io, 12) & IOAPIC_REDTBL_REMOTE_IRR);
	assert_int_equal(lapic_acknowledge(l), 0x3c);
	eoi(l);
	assert_false(entry_low(&p->io, 12) & IOAPIC_REDTBL_REMOTE_IRR);
	assert_int_equal(p->msgs, 1);		/* masked: no re-delivery */
	/* Active-low level (PCI): asserted while the wire is low. */
	set_entry(&p->io, 16, IOAPIC_REDTBL_LEVEL | IOAPIC_REDTBL_POLARITY_LOW | 0x50, 0);
	assert_int_equal(p->msgs, 2);		/* wire low since power-on */
	ioapic_set_irq(&p->io, 16, true);	/* deasserted */
	assert_int_equal(lapic_acknowledge(l), 0x50);
	eoi(l);
	assert_int_equal(p->msgs, 2);
}

/* A level interrupt nobody takes leaves remote IRR clear and is sent again later. */
static void test_level_not_accepted(void **state)
{
	struct plat *p = plat(state);
	struct lapic *l = &p->cpu[0];

	set_entry(&p->io, 17, IOAPIC_REDTBL_LEVEL | 0x61, 5);	/* no APIC 5 yet */
	ioapic_set_irq(&p->io, 17, true);
	assert_int_equal(p->msgs, 1);
	assert_false(entry_low(&p->io, 17) & IOAPIC_REDTBL_REMOTE_IRR);
	lapic_mmio_write(l, APIC_ID, 4, 5u << 24, 0);
	ioapic_resample(&p->io);
	assert_int_equal(p->msgs, 2);
	assert_true(irr(l, 0x61));
	assert_true(entry_low(&p->io, 17) & IOAPIC_REDTBL_REMOTE_IRR);
	ioapic_resample(&p->io);			/* held by remote IRR now */
	assert_int_equal(p->msgs, 2);
	/* A software-disabled APIC does not accept either. */
	assert_int_equal(lapic_acknowledge(l), 0x61);
	lapic_mmio_write(l, APIC_SVR, 4, SPURIOUS, 0);
	eoi(l);
	assert_int_equal(p->msgs, 3);			/* re-sent, discarded */
	assert_false(entry_low(&p->io, 17) & IOAPIC_REDTBL_REMOTE_IRR);
	assert_int_equal(l->discarded, 1);
}

static void test_destinations(void **state)
{
	struct plat *p = plat(state);
	struct lapic *a = &p->cpu[0], *b = &p->cpu[1];

	set_entry(&p->io, 3, 0x43, 1);		/* physical 1 */
	ioapic_set_irq(&p->io, 3, true);
	assert_true(irr(b, 0x43));
	assert_false(irr(a, 0x43));
	lapic_mmio_write(a, APIC_LDR, 4, 1u << 24, 0);
	lapic_mmio_write(b, APIC_LDR, 4, 2u << 24, 0);
	set_entry(&p->io, 5, IOAPIC_REDTBL_DEST_LOGICAL | 0x45, 0x03);
	ioapic_set_irq(&p->io, 5, true);
	assert_true(irr(a, 0x45) && irr(b, 0x45));
	/* Lowest priority: the APIC with the lower TPR. */
	lapic_mmio_write(a, APIC_TPR, 4, 0x80, 0);
	set_entry(&p->io, 7, IOAPIC_REDTBL_DEST_LOGICAL | APIC_DM_LOWEST << 8 | 0x47, 0x03);
	ioapic_set_irq(&p->io, 7, true);
	assert_true(irr(b, 0x47));
	assert_false(irr(a, 0x47));
	/* Physical broadcast 0xff; NMI; ExtINT. */
	set_entry(&p->io, 8, 0x48, 0xff);
	ioapic_set_irq(&p->io, 8, true);
	assert_true(irr(a, 0x48) && irr(b, 0x48));
	set_entry(&p->io, 13, APIC_DM_NMI << 8, 1);
	ioapic_set_irq(&p->io, 13, true);
	assert_int_equal(lapic_take_events(b), LAPIC_EV_NMI);
	assert_int_equal(lapic_take_events(a), 0);
	set_entry(&p->io, 14, APIC_DM_EXTINT << 8, 0);
	ioapic_set_irq(&p->io, 14, true);
	assert_true(lapic_extint_pending(a));
	assert_false(lapic_extint_pending(b));
	/* Nobody at ID 5. */
	set_entry(&p->io, 15, 0x4f, 5);
	ioapic_set_irq(&p->io, 15, true);
	assert_false(irr(a, 0x4f) || irr(b, 0x4f));
}

static void test_level_vectors(void **state)
{
	struct ioapic *io = &plat(state)->io;
	uint64_t bm[4];

	set_entry(io, 1, 0x31, 0);
	set_entry(io, 11, IOAPIC_REDTBL_LEVEL | 0x7b, 0);
	set_entry(io, 12, IOAPIC_REDTBL_MASKED | IOAPIC_REDTBL_LEVEL | 0xc1, 0);
	ioapic_level_vectors(io, bm);
	assert_int_equal(bm[0], 0);
	assert_int_equal(bm[1], 1ull << (0x7b - 64));
	assert_int_equal(bm[2], 0);
	assert_int_equal(bm[3], 1ull << (0xc1 - 192));
}

/* ---------------------------------------------------------------- Linux 6.1 at boot */

/* init_8259A(): vectors 0x30/0x38, then everything masked but the cascade. */
static void linux_init_8259(struct pic_pair *pic, bool aeoi)
{
	static const uint16_t port[8] = { 0x21, 0xa1, 0x20, 0x21, 0x21, 0x21, 0xa0, 0xa1 };
	const uint8_t val[8] = { 0xff, 0xff, 0x11, 0x30, 0x04, aeoi ? 0x03 : 0x01, 0x11, 0x38 };

	for (unsigned i = 0; i < 8; i++)
		pic_io_write(pic, port[i], val[i]);
	pic_io_write(pic, 0xa1, 0x02);
	pic_io_write(pic, 0xa1, 0x01);
	pic_io_write(pic, 0x21, 0xfb);
	pic_io_write(pic, 0xa1, 0xff);
}

static uint8_t read_8259_isr(struct pic_pair *pic)
{
	pic_io_write(pic, 0x20, 0x0b);		/* OCW3: read ISR */
	return pic_io_read(pic, 0x20);
}

/* setup_IO_APIC(): read the version, mask every pin (clear_IO_APIC). */
static unsigned linux_setup_io_apic(struct ioapic *io)
{
	unsigned entries = ((io_read(io, IOAPIC_VER) >> 16) & 0xff) + 1;

	for (unsigned pin = 0; pin < entries; pin++)
		set_entry(io, pin, IOAPIC_REDTBL_MASKED, 0);
	return entries;
}


/* timer_irq_works(): a few ticks must arrive as IRQ0's vector. */
static unsigned run_ticks(struct plat *p, unsigned n, bool pic_eoi)
{
	unsigned seen = 0;

	for (unsigned i = 0; i < n; i++) {
		isa_irq(p, 0, true);		/* PIT channel 0, mode 3: the high half */
		int v = inject(p);

		isa_irq(p, 0, false);

		if (v != (int)IRQ0_VECTOR)
			continue;
		seen++;
		if (pic_eoi) {
			pic_io_write(&p->pic, 0x20, 0x20);
			pic_sync(p);
		} else {
			eoi(&p->cpu[0]);
		}
	}
	return seen;
}

/* check_timer(), first try: IRQ 0 through IOAPIC pin 2 (the override). */
static void test_linux_check_timer_pin2(void **state)
{
	struct plat *p = plat(state);
	struct lapic *l = &p->cpu[0];

	assert_int_equal(linux_setup_io_apic(&p->io), 24);
	linux_init_8259(&p->pic, false);
	lapic_mmio_write(l, APIC_LVT_LINT0, 4, APIC_LVT_MASKED | APIC_DM_EXTINT << 8, 0);
	pic_io_write(&p->pic, 0x21, 0xff & ~0x04);	/* IRQ 0 masked at the 8259 */
	lapic_mmio_write(l, APIC_LDR, 4, 1u << 24, 0);	/* flat, CPU 0 */
	set_entry(&p->io, 2, IOAPIC_REDTBL_DEST_LOGICAL | IRQ0_VECTOR, 0x01);
	assert_int_equal(run_ticks(p, 10, false), 10);
	assert_int_equal(p->msgs, 10);
	assert_false(lapic_extint_pending(l));
	assert_int_equal(lapic_highest_isr(l), -1);
}

/*
 * check_timer(), second try ("through the 8259A"): IRQ 0 via the 8259 on
 * IOAPIC pin 0, programmed as a fixed vector. No INTA reaches the 8259, so
 * its INT follows the PIT's output (an edge request is withdrawn when the
 * line falls) and each tick is a fresh edge on pin 0.
 */
static void test_linux_check_timer_8259_pin0_fixed(void **state)
{
	struct plat *p = plat(state);
	struct lapic *l = &p->cpu[0];

	linux_setup_io_apic(&p->io);
	linux_init_8259(&p->pic, false);
	pic_io_write(&p->pic, 0x21, 0xfa);
	lapic_mmio_write(l, APIC_LVT_LINT0, 4, APIC_LVT_MASKED | APIC_DM_EXTINT << 8, 0);
	set_entry(&p->io, 0, IRQ0_VECTOR, 0);
	assert_int_equal(run_ticks(p, 10, false), 10);
	assert_int_equal(p->msgs, 10);
	assert_int_equal(read_8259_isr(&p->pic), 0);	/* the 8259 never saw an INTA */
}

/* check_timer(), third try ("Virtual Wire IRQ"): the 8259's INT on LINT0 as a fixed vector. */
static void test_linux_check_timer_virtual_wire_fixed(void **state)
{
	struct plat *p = plat(state);
	struct lapic *l = &p->cpu[0];

	linux_setup_io_apic(&p->io);
	linux_init_8259(&p->pic, false);
	pic_io_write(&p->pic, 0x21, 0xfa);
	lapic_mmio_write(l, APIC_LVT_LINT0, 4, APIC_DM_FIXED << 8 | IRQ0_VECTOR, 0);
	assert_int_equal(run_ticks(p, 10, false), 10);
	assert_int_equal(p->msgs, 0);
	assert_false(lapic_extint_pending(l));
	assert_int_equal(lapic_highest_isr(l), -1);
}

/* check_timer(), last try: the 8259 through LINT0 as ExtINT. */
static void test_linux_check_timer_extint_lint0(void **state)
{
	struct plat *p = plat(state);
	struct lapic *l = &p->cpu[0];

	linux_setup_io_apic(&p->io);
	linux_init_8259(&p->pic, false);
	pic_io_write(&p->pic, 0x21, 0xfa);		/* IRQ 0 unmasked */
	lapic_mmio_write(l, APIC_LVT_LINT0, 4, APIC_DM_EXTINT << 8, 0);
	lapic_mmio_write(l, APIC_TPR, 4, 0x10, 0);
	assert_int_equal(run_ticks(p, 10, true), 10);
	assert_int_equal(p->msgs, 0);			/* pins masked: nothing via the IOAPIC */
	assert_int_equal(lapic_highest_isr(l), -1);	/* ExtINT bypasses ISR */
	assert_int_equal(inject(p), -1);
}

/* The 8259's INT through IOAPIC pin 0 as ExtINT (virtual wire via the IOAPIC). */
static void test_linux_extint_ioapic_pin0(void **state)
{
	struct plat *p = plat(state);
	struct lapic *l = &p->cpu[0];

	linux_setup_io_apic(&p->io);
	linux_init_8259(&p->pic, true);			/* AEOI, as unlock_ExtINT_logic */
	pic_io_write(&p->pic, 0x21, 0xfa);
	lapic_mmio_write(l, APIC_LVT_LINT0, 4, APIC_LVT_MASKED | APIC_DM_EXTINT << 8, 0);
	set_entry(&p->io, 0, APIC_DM_EXTINT << 8, 0);
	assert_int_equal(run_ticks(p, 10, false), 10);
	assert_int_equal(p->msgs, 10);
	assert_int_equal(p->last.delivery, APIC_DM_EXTINT);
	assert_int_equal(lapic_highest_isr(l), -1);
	assert_false(lapic_extint_pending(l));		/* the INTA took the latch */
	assert_int_equal(inject(p), -1);
	assert_int_equal(p->pic.spurious, 0);
}

/* A PCI level interrupt (e1000 INTA on IRQ 11, active low) with EOI broadcast. */
static void test_linux_pci_level_irq(void **state)
{
	struct plat *p = plat(state);
	struct lapic *l = &p->cpu[0];
	unsigned handled = 0;

	linux_setup_io_apic(&p->io);
	ioapic_set_irq(&p->io, 11, true);		/* idle wire is high */
	set_entry(&p->io, 11, IOAPIC_REDTBL_LEVEL | IOAPIC_REDTBL_POLARITY_LOW | 0x41, 0);
	assert_int_equal(p->msgs, 0);
	ioapic_set_irq(&p->io, 11, false);		/* device asserts INTA# */
	for (unsigned i = 0; i < 3; i++) {		/* the driver needs three passes */
		assert_int_equal(inject(p), 0x41);
		handled++;
		if (i == 2)
			ioapic_set_irq(&p->io, 11, true);	/* ICR read: deasserted */
		eoi(l);
	}
	assert_int_equal(handled, 3);
	assert_int_equal(p->msgs, 3);
	assert_int_equal(inject(p), -1);
	assert_false(entry_low(&p->io, 11) & IOAPIC_REDTBL_REMOTE_IRR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_registers, setup1),
		cmocka_unit_test_setup(test_edge_delivery, setup1),
		cmocka_unit_test_setup(test_edge_masked_and_polarity, setup1),
		cmocka_unit_test_setup(test_level_remote_irr_cycle, setup1),
		cmocka_unit_test_setup(test_eoi_register_directed, setup1),
		cmocka_unit_test_setup(test_trigger_toggle_clears_remote_irr, setup1),
		cmocka_unit_test_setup(test_masked_level_pin, setup1),
		cmocka_unit_test_setup(test_level_not_accepted, setup1),
		cmocka_unit_test_setup(test_destinations, setup2),
		cmocka_unit_test_setup(test_level_vectors, setup1),
		cmocka_unit_test_setup(test_linux_check_timer_pin2, setup1),
		cmocka_unit_test_setup(test_linux_check_timer_8259_pin0_fixed, setup1),
		cmocka_unit_test_setup(test_linux_check_timer_virtual_wire_fixed, setup1),
		cmocka_unit_test_setup(test_linux_check_timer_extint_lint0, setup1),
		cmocka_unit_test_setup(test_linux_extint_ioapic_pin0, setup1),
		cmocka_unit_test_setup(test_linux_pci_level_irq, setup1),
	};

	return cmocka_run_group_tests_name("ioapic", tests, NULL, NULL);
}
