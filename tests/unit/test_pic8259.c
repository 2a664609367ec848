// SPDX-License-Identifier: MIT
/* Host unit tests for the cascaded 8259A + ELCR model (devices/pic8259.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "devices/pic8259.h"

static int setup(void **state)
{
	static struct pic_pair pp;

	pic_init(&pp);
	*state = &pp;
	return 0;
}

static struct pic_pair *pair(void **state)
{
	return *state;
}

static void out(struct pic_pair *p, uint16_t port, uint8_t v)
{
	pic_io_write(p, port, v);
}

static uint8_t in(struct pic_pair *p, uint16_t port)
{
	return pic_io_read(p, port);
}

static uint8_t read_isr(struct pic_pair *p, uint16_t cmd)
{
	out(p, cmd, OCW3_SEL | OCW3_RR | OCW3_RIS);
	return in(p, cmd);
}

static uint8_t read_irr(struct pic_pair *p, uint16_t cmd)
{
	out(p, cmd, OCW3_SEL | OCW3_RR);
	return in(p, cmd);
}

/* Linux init_8259A(): ICW1 0x11, ICW2 0x20/0x28, ICW3 0x04/0x02, ICW4 0x01. */
static void linux_init(struct pic_pair *p, uint8_t icw4, uint8_t mmask, uint8_t smask)
{
	out(p, PIC_MASTER_DATA, 0xff);
	out(p, PIC_SLAVE_DATA, 0xff);
	out(p, PIC_MASTER_CMD, 0x11);
	out(p, PIC_MASTER_DATA, 0x20);
	out(p, PIC_MASTER_DATA, 1u << PIC_CASCADE_IR);
	out(p, PIC_MASTER_DATA, icw4);
	out(p, PIC_SLAVE_CMD, 0x11);
	out(p, PIC_SLAVE_DATA, 0x28);
	out(p, PIC_SLAVE_DATA, PIC_SLAVE_ID);
	out(p, PIC_SLAVE_DATA, icw4);
	out(p, PIC_MASTER_DATA, mmask);
	out(p, PIC_SLAVE_DATA, smask);
}

static void eoi_both(struct pic_pair *p)
{
	out(p, PIC_SLAVE_CMD, OCW2_NS_EOI);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
}

static void pulse_edge(struct pic_pair *p, unsigned irq)
{
	pic_set_irq(p, irq, false);
	pic_set_irq(p, irq, true);
}

/* ---------------------------------------------------------------- tests */

static void test_power_on(void **state)
{
	struct pic_pair *p = pair(state);

	assert_int_equal(in(p, PIC_MASTER_DATA), 0xff);
	assert_int_equal(in(p, PIC_SLAVE_DATA), 0xff);
	assert_int_equal(in(p, PIC_ELCR1), 0);
	assert_int_equal(in(p, PIC_ELCR2), 0);
	pic_set_irq(p, 1, true);
	pic_set_irq(p, 11, true);
	assert_false(pic_intr_asserted(p));
	assert_int_equal(pic_pending_vector(p), -1);
	/* Unmasking without an init sequence still yields nothing. */
	out(p, PIC_MASTER_DATA, 0);
	out(p, PIC_SLAVE_DATA, 0);
	assert_false(pic_intr_asserted(p));
	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_P);
	assert_int_equal(in(p, PIC_MASTER_CMD), 0);
	/* An INTA nobody asked for is a spurious IR7. */
	assert_int_equal(pic_acknowledge(p), PIC_SPURIOUS_IR);
	assert_int_equal(p->spurious, 1);
}

static void test_linux_init_level_irq11(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0xfb, 0xf7);
	assert_int_equal(in(p, PIC_MASTER_DATA), 0xfb);
	assert_int_equal(in(p, PIC_SLAVE_DATA), 0xf7);
	pic_set_elcr(p, 11, true);
	assert_int_equal(in(p, PIC_ELCR2), 0x08);

	pic_set_irq(p, 11, true);
	assert_true(pic_intr_asserted(p));
	assert_int_equal(pic_pending_vector(p), 0x2b);
	assert_int_equal(pic_acknowledge(p), 0x2b);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0x04);
	assert_int_equal(read_isr(p, PIC_SLAVE_CMD), 0x08);
	assert_int_equal(read_irr(p, PIC_SLAVE_CMD), 0x08);	/* level: IRR = line */
	assert_int_equal(pic_pending_vector(p), -1);		/* in service */

	out(p, PIC_SLAVE_CMD, OCW2_NS_EOI);
	assert_int_equal(read_isr(p, PIC_SLAVE_CMD), 0);
	assert_int_equal(pic_pending_vector(p), -1);		/* master IR2 still in service */
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0);
	assert_int_equal(pic_pending_vector(p), 0x2b);		/* line still high */
	assert_int_equal(pic_acknowledge(p), 0x2b);

	pic_set_irq(p, 11, false);
	eoi_both(p);
	assert_false(pic_intr_asserted(p));
	assert_int_equal(pic_pending_vector(p), -1);
	assert_int_equal(p->spurious, 0);
}

static void test_edge_irq1_once_per_edge(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0xf9, 0xff);
	pic_set_irq(p, 1, true);
	pic_set_irq(p, 1, true);		/* no new edge */
	assert_int_equal(pic_acknowledge(p), 0x21);
	assert_int_equal(read_irr(p, PIC_MASTER_CMD), 0);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(pic_pending_vector(p), -1);	/* line high, but no edge */
	pic_set_irq(p, 1, true);
	assert_int_equal(pic_pending_vector(p), -1);

	pulse_edge(p, 1);
	assert_int_equal(pic_pending_vector(p), 0x21);
	assert_int_equal(pic_acknowledge(p), 0x21);
	/* An edge while in service is latched and delivered after the EOI. */
	pulse_edge(p, 1);
	assert_int_equal(pic_pending_vector(p), -1);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(pic_acknowledge(p), 0x21);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(pic_pending_vector(p), -1);
}

/* Documented choice: lowering an edge input withdraws its request. */
static void test_edge_drop_withdraws(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0xf9, 0xff);
	pic_set_irq(p, 1, true);
	assert_int_equal(read_irr(p, PIC_MASTER_CMD), 0x02);
	pic_set_irq(p, 1, false);
	assert_int_equal(read_irr(p, PIC_MASTER_CMD), 0);
	assert_int_equal(pic_pending_vector(p), -1);
	pic_set_irq(p, 1, true);
	assert_int_equal(pic_pending_vector(p), 0x21);
}

static void test_masking(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0xff, 0xff);
	pic_set_elcr(p, 3, true);
	pic_set_elcr(p, 10, true);
	pic_set_irq(p, 3, true);
	pic_set_irq(p, 10, true);
	assert_int_equal(read_irr(p, PIC_MASTER_CMD), 0x08);	/* IRR sees masked requests */
	assert_int_equal(read_irr(p, PIC_SLAVE_CMD), 0x04);
	assert_int_equal(pic_pending_vector(p), -1);
	out(p, PIC_MASTER_DATA, (uint8_t)~0x04);
	assert_int_equal(pic_pending_vector(p), -1);	/* slave masks IRQ 10 */
	out(p, PIC_SLAVE_DATA, 0x00);
	assert_int_equal(pic_pending_vector(p), 0x2a);
	out(p, PIC_MASTER_DATA, (uint8_t)~0x0c);
	assert_int_equal(pic_pending_vector(p), 0x2a);	/* IR2 outranks IR3 */
	out(p, PIC_MASTER_DATA, (uint8_t)~0x08);
	assert_int_equal(pic_pending_vector(p), 0x23);	/* IR2 masked on the master */
	assert_int_equal(pic_acknowledge(p), 0x23);
	out(p, PIC_MASTER_DATA, 0xff);			/* mask while in service */
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_false(pic_intr_asserted(p));
	out(p, PIC_MASTER_DATA, 0x00);
	assert_int_equal(pic_acknowledge(p), 0x2a);
	assert_int_equal(in(p, PIC_MASTER_DATA), 0x00);
	assert_int_equal(p->spurious, 0);
}

static void test_priority_0_3_9(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0x00, 0x00);
	pic_set_irq(p, 3, true);
	pic_set_irq(p, 9, true);
	pic_set_irq(p, 0, true);
	assert_int_equal(pic_acknowledge(p), 0x20);
	assert_int_equal(pic_pending_vector(p), -1);	/* 3 and 9 rank below 0 */
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(pic_acknowledge(p), 0x29);	/* slave ranks at IR2 */
	assert_int_equal(pic_pending_vector(p), -1);
	eoi_both(p);
	assert_int_equal(pic_acknowledge(p), 0x23);
	/* Fully nested: a higher level interrupts a lower one in service. */
	pulse_edge(p, 9);
	assert_int_equal(pic_acknowledge(p), 0x29);
	pulse_edge(p, 0);
	assert_int_equal(pic_acknowledge(p), 0x20);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0x0d);
	/* Non-specific EOIs retire the highest level first. */
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0x0c);
	eoi_both(p);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0x08);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0);
}

static void test_rotation(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0x00, 0xff);
	out(p, PIC_MASTER_CMD, OCW2_SET_PRIO | 4);	/* order 5,6,7,0,1,2,3,4 */
	pic_set_irq(p, 3, true);
	pic_set_irq(p, 5, true);
	assert_int_equal(pic_acknowledge(p), 0x25);
	assert_int_equal(pic_pending_vector(p), -1);	/* 3 ranks below 5 in service */
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(pic_acknowledge(p), 0x23);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);

	out(p, PIC_MASTER_CMD, OCW2_SET_PRIO | 1);	/* order 2,3,4,5,6,7,0,1 */
	pulse_edge(p, 0);
	pulse_edge(p, 5);
	assert_int_equal(pic_acknowledge(p), 0x25);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(pic_acknowledge(p), 0x20);
	/* The cascade takes part in the rotation as IR2. */
	out(p, PIC_SLAVE_DATA, 0x00);
	pic_set_irq(p, 15, true);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	pulse_edge(p, 3);
	assert_int_equal(pic_acknowledge(p), 0x2f);
	eoi_both(p);
	assert_int_equal(pic_acknowledge(p), 0x23);
	assert_int_equal(p->spurious, 0);
}

static void test_rotate_on_eoi(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0x00, 0xff);
	pic_set_irq(p, 1, true);
	pic_set_irq(p, 4, true);
	assert_int_equal(pic_acknowledge(p), 0x21);
	out(p, PIC_MASTER_CMD, OCW2_ROT_NS_EOI);	/* IR1 becomes lowest */
	pulse_edge(p, 1);
	assert_int_equal(pic_acknowledge(p), 0x24);	/* 4 now outranks 1 */
	assert_int_equal(pic_pending_vector(p), -1);	/* 1 ranks below 4 in service */
	out(p, PIC_MASTER_CMD, OCW2_ROT_SPEC_EOI | 4);	/* IR4 lowest: 5,6,7,0,1,.. */
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0);
	pic_set_irq(p, 7, true);
	assert_int_equal(pic_acknowledge(p), 0x27);
	out(p, PIC_MASTER_CMD, OCW2_SPEC_EOI | 7);
	assert_int_equal(pic_acknowledge(p), 0x21);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	/* ICW1 restores IR7 as lowest. */
	linux_init(p, ICW4_UPM, 0x00, 0xff);
	pic_set_irq(p, 7, false);
	pic_set_irq(p, 7, true);
	pulse_edge(p, 1);
	assert_int_equal(pic_acknowledge(p), 0x21);
}

static void test_aeoi(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM | ICW4_AEOI, 0x00, 0x00);
	pic_set_irq(p, 3, true);
	assert_int_equal(pic_acknowledge(p), 0x23);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0);
	pic_set_irq(p, 4, true);
	assert_int_equal(pic_acknowledge(p), 0x24);	/* no EOI needed */
	pic_set_irq(p, 12, true);
	assert_int_equal(pic_acknowledge(p), 0x2c);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0);
	assert_int_equal(read_isr(p, PIC_SLAVE_CMD), 0);

	/* Rotate in AEOI mode: the acknowledged level becomes lowest. */
	out(p, PIC_MASTER_CMD, OCW2_ROT_AEOI_SET);
	pulse_edge(p, 3);
	assert_int_equal(pic_acknowledge(p), 0x23);	/* IR3 lowest: 4,5,6,7,0,1,2,3 */
	pulse_edge(p, 1);
	pulse_edge(p, 4);
	assert_int_equal(pic_acknowledge(p), 0x24);	/* IR4 lowest now */
	out(p, PIC_MASTER_CMD, OCW2_ROT_AEOI_CLR);
	pulse_edge(p, 5);
	assert_int_equal(pic_acknowledge(p), 0x25);	/* 5 ranks first after 4 */
	assert_int_equal(pic_acknowledge(p), 0x21);	/* no more rotation */
	pulse_edge(p, 0);
	assert_int_equal(pic_acknowledge(p), 0x20);
}

/* A slave in AEOI with more requests keeps the cascade input armed. */
static void test_slave_aeoi_cascade(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0x00, 0x00);
	out(p, PIC_SLAVE_CMD, 0x11);
	out(p, PIC_SLAVE_DATA, 0x28);
	out(p, PIC_SLAVE_DATA, PIC_SLAVE_ID);
	out(p, PIC_SLAVE_DATA, ICW4_UPM | ICW4_AEOI);
	pic_set_irq(p, 11, true);
	pic_set_irq(p, 12, true);
	assert_int_equal(pic_acknowledge(p), 0x2b);
	assert_int_equal(pic_pending_vector(p), -1);	/* master IR2 in service */
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(pic_acknowledge(p), 0x2c);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(pic_pending_vector(p), -1);
	assert_int_equal(p->spurious, 0);
}

static void test_special_mask_mode(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0x00, 0xff);
	pic_set_irq(p, 3, true);
	assert_int_equal(pic_acknowledge(p), 0x23);
	pic_set_irq(p, 5, true);
	assert_int_equal(pic_pending_vector(p), -1);

	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_ESMM | OCW3_SMM);
	assert_int_equal(pic_pending_vector(p), -1);	/* ISR3 unmasked: still inhibits */
	out(p, PIC_MASTER_DATA, 0x08);
	assert_int_equal(pic_pending_vector(p), 0x25);	/* masked in-service level lets 5 in */
	assert_int_equal(pic_acknowledge(p), 0x25);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0x28);
	assert_int_equal(pic_pending_vector(p), -1);	/* ISR5 unmasked inhibits 6 */
	pic_set_irq(p, 6, true);
	assert_int_equal(pic_pending_vector(p), -1);
	out(p, PIC_MASTER_CMD, OCW2_SPEC_EOI | 5);
	assert_int_equal(pic_acknowledge(p), 0x26);
	/* Higher levels than the in-service ones get through as usual. */
	pic_set_irq(p, 1, true);
	assert_int_equal(pic_acknowledge(p), 0x21);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0x4a);
}

static void test_special_mask_reset(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0x00, 0xff);
	pic_set_irq(p, 3, true);
	assert_int_equal(pic_acknowledge(p), 0x23);
	out(p, PIC_MASTER_DATA, 0x08);
	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_ESMM | OCW3_SMM);
	pic_set_irq(p, 5, true);
	assert_int_equal(pic_pending_vector(p), 0x25);
	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_SMM);	/* no ESMM: no change */
	assert_int_equal(pic_pending_vector(p), 0x25);
	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_ESMM);	/* reset */
	assert_int_equal(pic_pending_vector(p), -1);
}

static void test_poll_mode(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0x00, 0x00);
	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_P);
	assert_int_equal(in(p, PIC_MASTER_CMD), 0);	/* nothing pending */
	assert_int_equal(in(p, PIC_MASTER_CMD), 0);	/* IRR again: one-shot */

	pic_set_irq(p, 3, true);
	pic_set_irq(p, 5, true);
	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_P | OCW3_RR | OCW3_RIS);
	assert_int_equal(in(p, PIC_MASTER_CMD), PIC_POLL_INT | 3);
	assert_int_equal(in(p, PIC_MASTER_CMD), 0x08);	/* ISR (RR/RIS also taken) */
	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_P);
	assert_int_equal(in(p, PIC_MASTER_CMD), 0);	/* 5 inhibited by 3 in service */
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_P);
	out(p, PIC_MASTER_CMD, OCW3_SEL);		/* P = 0 cancels */
	assert_int_equal(in(p, PIC_MASTER_CMD), 0);	/* ISR read */
	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_P);
	assert_int_equal(in(p, PIC_MASTER_CMD), PIC_POLL_INT | 5);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);

	/* Polling through the cascade: master says 2, then poll the slave. */
	pic_set_irq(p, 10, true);
	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_P);
	assert_int_equal(in(p, PIC_MASTER_CMD), PIC_POLL_INT | 2);
	out(p, PIC_SLAVE_CMD, OCW3_SEL | OCW3_P);
	assert_int_equal(in(p, PIC_SLAVE_CMD), PIC_POLL_INT | 2);
	assert_int_equal(read_isr(p, PIC_SLAVE_CMD), 0x04);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0x04);
	eoi_both(p);
	assert_int_equal(pic_pending_vector(p), -1);	/* no stale cascade request */
	assert_int_equal(p->spurious, 0);
}

static void test_spurious_irq7(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0x00, 0xff);
	pic_set_elcr(p, 4, true);
	pic_set_irq(p, 4, true);
	assert_int_equal(pic_pending_vector(p), 0x24);
	pic_set_irq(p, 4, false);
	assert_int_equal(pic_acknowledge(p), 0x27);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0);	/* no ISR bit for it */
	assert_int_equal(p->spurious, 1);

	pic_set_irq(p, 1, true);			/* edge */
	assert_int_equal(pic_pending_vector(p), 0x21);
	pic_set_irq(p, 1, false);
	assert_int_equal(pic_acknowledge(p), 0x27);
	assert_int_equal(p->spurious, 2);
	assert_int_equal(pic_pending_vector(p), -1);
}

static void test_spurious_irq15(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0x7b, 0x00);
	pic_set_elcr(p, 11, true);
	pic_set_irq(p, 11, true);
	assert_int_equal(pic_pending_vector(p), 0x2b);
	pic_set_irq(p, 11, false);
	assert_int_equal(pic_pending_vector(p), 0x2f);	/* master IR2 stays latched */
	assert_int_equal(pic_acknowledge(p), 0x2f);
	assert_int_equal(p->spurious, 1);
	assert_int_equal(read_isr(p, PIC_SLAVE_CMD), 0);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0x04);	/* Linux EOIs the master */
	out(p, PIC_MASTER_CMD, OCW2_SPEC_EOI | PIC_CASCADE_IR);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0);
	assert_int_equal(pic_pending_vector(p), -1);

	/* Same with an edge input on the slave. */
	pic_set_irq(p, 12, true);
	pic_set_irq(p, 12, false);
	assert_int_equal(pic_acknowledge(p), 0x2f);
	assert_int_equal(p->spurious, 2);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);

	/* And with a request masked on the slave after the master latched it. */
	pic_set_irq(p, 11, true);
	out(p, PIC_SLAVE_DATA, 0x08);
	assert_int_equal(pic_acknowledge(p), 0x2f);
	assert_int_equal(p->spurious, 3);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(pic_pending_vector(p), -1);
	/* IRQ 7 withdrawn versus a real IRQ 7: only ISR tells them apart. */
	pic_set_irq(p, 7, true);
	assert_int_equal(pic_acknowledge(p), 0x27);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0x80);
	assert_int_equal(p->spurious, 3);
}

static void test_ocw3_register_reads(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0x00, 0x00);
	pic_set_irq(p, 3, true);
	pic_set_irq(p, 6, true);
	assert_int_equal(in(p, PIC_MASTER_CMD), 0x48);	/* IRR after ICW1 */
	assert_int_equal(pic_acknowledge(p), 0x23);
	assert_int_equal(in(p, PIC_MASTER_CMD), 0x40);
	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_RR | OCW3_RIS);
	assert_int_equal(in(p, PIC_MASTER_CMD), 0x08);
	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_RIS);	/* RR = 0: no change */
	assert_int_equal(in(p, PIC_MASTER_CMD), 0x08);
	out(p, PIC_MASTER_CMD, OCW2_NOP);
	assert_int_equal(in(p, PIC_MASTER_CMD), 0x08);
	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_RR);
	assert_int_equal(in(p, PIC_MASTER_CMD), 0x40);
	/* The data port reads IMR; the slave's selection is its own. */
	out(p, PIC_MASTER_DATA, 0x5a);
	assert_int_equal(in(p, PIC_MASTER_DATA), 0x5a);
	pic_set_irq(p, 13, true);
	assert_int_equal(in(p, PIC_SLAVE_CMD), 0x20);
	/* ICW1 selects IRR again. */
	out(p, PIC_MASTER_CMD, OCW3_SEL | OCW3_RR | OCW3_RIS);
	out(p, PIC_MASTER_CMD, 0x11);
	pic_set_irq(p, 6, false);
	pic_set_irq(p, 6, true);
	/* IRR: IRQ 3 needs a new edge; the cascade re-latches the slave's IRQ 13. */
	assert_int_equal(in(p, PIC_MASTER_CMD), 0x44);
}

static void test_elcr(void **state)
{
	struct pic_pair *p = pair(state);

	out(p, PIC_ELCR1, 0xff);
	out(p, PIC_ELCR2, 0xff);
	assert_int_equal(in(p, PIC_ELCR1), 0xf8);
	assert_int_equal(in(p, PIC_ELCR2), 0xde);
	out(p, PIC_ELCR1, 0);
	out(p, PIC_ELCR2, 0);
	static const unsigned reserved[] = { 0, 1, 2, 8, 13, 16, 255 };
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		pic_set_elcr(p, reserved[i], true);
	assert_int_equal(p->elcr[0], 0);
	assert_int_equal(p->elcr[1], 0);
	pic_set_elcr(p, 9, true);
	pic_set_elcr(p, 5, true);
	assert_int_equal(in(p, PIC_ELCR1), 0x20);
	assert_int_equal(in(p, PIC_ELCR2), 0x02);
	pic_set_elcr(p, 5, false);
	assert_int_equal(in(p, PIC_ELCR1), 0);

	/* Level via ELCR re-requests after EOI; IRQ 0 stays edge. */
	linux_init(p, ICW4_UPM, 0x00, 0x00);
	pic_set_irq(p, 9, true);
	pic_set_irq(p, 0, true);
	assert_int_equal(pic_acknowledge(p), 0x20);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(pic_acknowledge(p), 0x29);
	eoi_both(p);
	assert_int_equal(pic_acknowledge(p), 0x29);
	eoi_both(p);
	/* Switching to edge: the high line's request stays until acked. */
	pic_set_elcr(p, 9, false);
	assert_int_equal(pic_acknowledge(p), 0x29);
	eoi_both(p);
	assert_int_equal(pic_pending_vector(p), -1);
}

static void test_ltim_level_mode(void **state)
{
	struct pic_pair *p = pair(state);

	out(p, PIC_MASTER_CMD, ICW1_INIT | ICW1_LTIM | ICW1_SNGL | ICW1_IC4);
	out(p, PIC_MASTER_DATA, 0x57);			/* low bits ignored */
	out(p, PIC_MASTER_DATA, ICW4_UPM);
	out(p, PIC_MASTER_DATA, 0x00);
	pic_set_irq(p, 1, true);
	assert_int_equal(pic_acknowledge(p), 0x51);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(pic_acknowledge(p), 0x51);	/* still high: again */
	pic_set_irq(p, 1, false);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);
	assert_int_equal(pic_pending_vector(p), -1);
	/* Level mode: a line already high at ICW1 requests at once. */
	pic_set_irq(p, 4, true);
	out(p, PIC_MASTER_CMD, ICW1_INIT | ICW1_LTIM | ICW1_SNGL);
	out(p, PIC_MASTER_DATA, 0x60);
	assert_int_equal(pic_pending_vector(p), 0x64);
}

static void test_init_sequences(void **state)
{
	struct pic_pair *p = pair(state);

	/* Single, no ICW4: ICW2 then OCW1. */
	out(p, PIC_MASTER_CMD, ICW1_INIT | ICW1_SNGL);
	assert_int_equal(in(p, PIC_MASTER_DATA), 0);	/* ICW1 clears IMR */
	out(p, PIC_MASTER_DATA, 0x30);
	assert_int_equal(p->master.init, PIC_READY);
	out(p, PIC_MASTER_DATA, 0x12);
	assert_int_equal(in(p, PIC_MASTER_DATA), 0x12);
	/* Cascade without ICW4: ICW2, ICW3, then OCW1. */
	out(p, PIC_MASTER_CMD, ICW1_INIT);
	out(p, PIC_MASTER_DATA, 0x40);
	out(p, PIC_MASTER_DATA, 0x04);
	assert_int_equal(in(p, PIC_MASTER_DATA), 0);
	assert_int_equal(p->master.init, PIC_READY);
	/* Single with ICW4: no ICW3. */
	out(p, PIC_MASTER_CMD, ICW1_INIT | ICW1_SNGL | ICW1_IC4);
	out(p, PIC_MASTER_DATA, 0x48);
	out(p, PIC_MASTER_DATA, ICW4_UPM | ICW4_AEOI);
	assert_int_equal(p->master.init, PIC_READY);
	assert_true(p->master.aeoi);
	assert_int_equal(p->master.vector_base, 0x48);
	/* ICW1 without IC4 zeroes the ICW4 functions. */
	out(p, PIC_MASTER_CMD, ICW1_INIT | ICW1_SNGL);
	out(p, PIC_MASTER_DATA, 0x48);
	assert_false(p->master.aeoi);
	/* No INT in the middle of a sequence. */
	pic_set_irq(p, 5, true);
	assert_int_equal(pic_pending_vector(p), 0x4d);
	out(p, PIC_MASTER_CMD, ICW1_INIT | ICW1_IC4);
	pulse_edge(p, 5);
	assert_false(pic_intr_asserted(p));
	out(p, PIC_MASTER_DATA, 0x70);
	assert_false(pic_intr_asserted(p));
	out(p, PIC_MASTER_DATA, 0x04);
	assert_false(pic_intr_asserted(p));
	out(p, PIC_MASTER_DATA, ICW4_UPM);
	assert_int_equal(pic_pending_vector(p), 0x75);
}

static void test_reinit_mid_service(void **state)
{
	struct pic_pair *p = pair(state);

	linux_init(p, ICW4_UPM, 0x00, 0x00);
	pic_set_elcr(p, 11, true);
	pic_set_irq(p, 11, true);
	assert_int_equal(pic_acknowledge(p), 0x2b);
	pic_set_irq(p, 1, true);
	assert_int_equal(pic_acknowledge(p), 0x21);	/* nests above IR2 */
	pulse_edge(p, 1);				/* latched, waits behind ISR1 */
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0x06);

	/* Re-initialise the master only, with new vectors. */
	out(p, PIC_MASTER_CMD, 0x11);
	assert_int_equal(in(p, PIC_MASTER_CMD), 0);	/* IRR: edge latches reset */
	out(p, PIC_MASTER_DATA, 0x50);
	out(p, PIC_MASTER_DATA, 0x04);
	out(p, PIC_MASTER_DATA, 0x01);
	assert_int_equal(read_isr(p, PIC_MASTER_CMD), 0);
	assert_int_equal(in(p, PIC_MASTER_DATA), 0);
	assert_int_equal(pic_pending_vector(p), -1);	/* IRQ 1 high, but no new edge; slave busy */
	pulse_edge(p, 1);
	assert_int_equal(pic_acknowledge(p), 0x51);
	out(p, PIC_MASTER_CMD, OCW2_NS_EOI);

	/* Re-initialise the slave: its ISR goes, the high level line returns. */
	out(p, PIC_SLAVE_CMD, 0x11);
	assert_false(pic_intr_asserted(p));
	out(p, PIC_SLAVE_DATA, 0x78);
	out(p, PIC_SLAVE_DATA, PIC_SLAVE_ID);
	out(p, PIC_SLAVE_DATA, 0x01);
	assert_int_equal(pic_acknowledge(p), 0x7b);
	eoi_both(p);
	assert_int_equal(pic_acknowledge(p), 0x7b);	/* still high: again */
	pic_set_irq(p, 11, false);
	eoi_both(p);
	assert_int_equal(pic_pending_vector(p), -1);
	assert_int_equal(p->spurious, 0);
}

static void test_ports_and_ignored_inputs(void **state)
{
	struct pic_pair *p = pair(state);
	static const uint16_t mine[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };
	static const uint16_t other[] = { 0x00, 0x22, 0x24, 0x40, 0x60, 0xa2, 0x4cf, 0x4d2, 0xffff };

	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
		assert_true(pic_claims_port(mine[i]));
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		assert_false(pic_claims_port(other[i]));
		assert_int_equal(in(p, other[i]), 0xff);
		out(p, other[i], 0x11);
	}
	assert_int_equal(p->master.init, PIC_UNINIT);

	linux_init(p, ICW4_UPM, 0x00, 0x00);
	pic_set_irq(p, 2, true);
	pic_set_irq(p, 16, true);
	pic_set_irq(p, ~0u, true);
	assert_false(pic_intr_asserted(p));
	assert_int_equal(p->master.lines, 0);
	assert_int_equal(p->slave.lines, 0);
}

/* ---------------------------------------------------------------- random */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* What the datasheet fixes independently of the model: ICW2 is the first data write after ICW1. */
struct shadow {
	bool icw2_next;
	int base;		/* last ICW2 & 0xf8, or -1 */
};

static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };

static void shadow_write(struct shadow sh[2], uint16_t port, uint8_t v)
{
	struct shadow *s = &sh[port >= 0xa0 && port <= 0xa1];

	if (port == 0x20 || port == 0xa0) {
		if (v & ICW1_INIT)
			s->icw2_next = true;
	} else if ((port == 0x21 || port == 0xa1) && s->icw2_next) {
		s->icw2_next = false;
		s->base = v & 0xf8;
	}
}

static void rand_write(struct pic_pair *p, struct shadow sh[2], uint16_t port, uint8_t v)
{
	shadow_write(sh, port, v);
	pic_io_write(p, port, v);
}

static uint8_t rand_cmd_byte(void)
{
	static const uint8_t common[] = {
		0x20, 0x60, 0x62, 0x67, 0xa0, 0xe3, 0xc5, 0x80, 0x00, 0x40,
		0x0a, 0x0b, 0x0c, 0x0e, 0x68, 0x48, 0x6c,
	};

	if (rnd() % 4)
		return common[rnd() % sizeof(common)];
	return (uint8_t)rnd();
}

static void rand_init(struct pic_pair *p, struct shadow sh[2])
{
	bool slave = rnd() & 1;
	uint16_t cmd = slave ? 0xa0 : 0x20;
	uint8_t icw1 = ICW1_INIT | ICW1_IC4 | (rnd() % 8 ? 0 : ICW1_LTIM) | (rnd() % 8 ? 0 : ICW1_SNGL);

	rand_write(p, sh, cmd, icw1);
	rand_write(p, sh, cmd + 1, (uint8_t)rnd());
	if (!(icw1 & ICW1_SNGL))
		rand_write(p, sh, cmd + 1, slave ? 0x02 : 0x04);
	rand_write(p, sh, cmd + 1, ICW4_UPM | (rnd() % 4 ? 0 : ICW4_AEOI));
	rand_write(p, sh, cmd + 1, (uint8_t)(rnd() & rnd()));
}

static void check_invariants(const struct pic_pair *p)
{
	const struct pic8259 *c[2] = { &p->master, &p->slave };

	assert_int_equal(p->elcr[0] & PIC_ELCR1_RESERVED, 0);
	assert_int_equal(p->elcr[1] & PIC_ELCR2_RESERVED, 0);
	for (int i = 0; i < 2; i++) {
		uint8_t level = (c[i]->icw1 & ICW1_LTIM) ? 0xff : p->elcr[i];
		uint8_t check = i ? 0xff : (uint8_t)~(1u << PIC_CASCADE_IR);

		assert_true(c[i]->lowest < 8);
		assert_true(c[i]->init <= PIC_READY);
		assert_int_equal(c[i]->irr & level & check, c[i]->lines & level & check);
		assert_int_equal(c[i]->irr & ~c[i]->lines & check, 0);
	}
}

/* A vector must come from a chip's last ICW2; the master never answers IR2 itself. */
static void check_vector(const struct shadow sh[2], int v)
{
	int mb = sh[0].base, sb = sh[1].base;

	assert_true(v >= 0 && v <= 0xff);
	assert_true((v & 0xf8) == mb || (v & 0xf8) == sb);
	if (v == mb + PIC_CASCADE_IR)
		assert_int_equal(mb, sb);
}

static void test_random_sequence(void **state)
{
	struct pic_pair *p = pair(state);
	struct shadow sh[2] = { { false, -1 }, { false, -1 } };
	unsigned delivered = 0, from_slave = 0;

	rng_state = 0x9e3779b97f4a7c15ull;
	for (int step = 0; step < 100000; step++) {
		unsigned r = rnd() % 100;
		uint16_t port = ports[rnd() % 6];

		if (r < 20) {
			bool cmd = port == 0x20 || port == 0xa0;
			rand_write(p, sh, port, cmd ? rand_cmd_byte() : (uint8_t)rnd());
		} else if (r < 23) {
			rand_init(p, sh);
		} else if (r < 50) {
			pic_set_irq(p, rnd() % 18, rnd() & 1);
		} else if (r < 53) {
			pic_set_elcr(p, rnd() % 18, rnd() & 1);
		} else if (r < 63) {
			uint8_t v = pic_io_read(p, port);

			if ((port == 0x21 || port == 0xa1))
				assert_int_equal(v, port == 0x21 ? p->master.imr : p->slave.imr);
		} else {
			int v = pic_pending_vector(p);

			assert_int_equal(v >= 0, pic_intr_asserted(p));
			if (v >= 0) {
				check_vector(sh, v);
				assert_int_equal(pic_acknowledge(p), v);
				delivered++;
				if ((v & 0xf8) == sh[1].base && (v & 7) != 7)
					from_slave++;
			} else if (r > 97) {
				uint64_t before = p->spurious;

				assert_int_equal(pic_acknowledge(p), p->master.vector_base + 7);
				assert_int_equal(p->spurious, before + 1);
			}
		}
		check_invariants(p);
		assert_int_equal(pic_pending_vector(p) >= 0, pic_intr_asserted(p));
	}
	/* The run got past the init sequences and into the cascade. */
	assert_true(delivered > 1000);
	assert_true(from_slave > 100);
	assert_true(p->spurious > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_power_on, setup),
		cmocka_unit_test_setup(test_linux_init_level_irq11, setup),
		cmocka_unit_test_setup(test_edge_irq1_once_per_edge, setup),
		cmocka_unit_test_setup(test_edge_drop_withdraws, setup),
		cmocka_unit_test_setup(test_masking, setup),
		cmocka_unit_test_setup(test_priority_0_3_9, setup),
		cmocka_unit_test_setup(test_rotation, setup),
		cmocka_unit_test_setup(test_rotate_on_eoi, setup),
		cmocka_unit_test_setup(test_aeoi, setup),
		cmocka_unit_test_setup(test_slave_aeoi_cascade, setup),
		cmocka_unit_test_setup(test_special_mask_mode, setup),
		cmocka_unit_test_setup(test_special_mask_reset, setup),
		cmocka_unit_test_setup(test_poll_mode, setup),
		cmocka_unit_test_setup(test_spurious_irq7, setup),
		cmocka_unit_test_setup(test_spurious_irq15, setup),
		cmocka_unit_test_setup(test_ocw3_register_reads, setup),
		cmocka_unit_test_setup(test_elcr, setup),
		cmocka_unit_test_setup(test_ltim_level_mode, setup),
		cmocka_unit_test_setup(test_init_sequences, setup),
		cmocka_unit_test_setup(test_reinit_mid_service, setup),
		cmocka_unit_test_setup(test_ports_and_ignored_inputs, setup),
		cmocka_unit_test_setup(test_random_sequence, setup),
	};

	return cmocka_run_group_tests_name("pic8259", tests, NULL, NULL);
}
