// SPDX-License-Identifier: MIT
/*
 * PC/AT cascaded 8259A pair and ELCR. Behaviour follows the 8259A datasheet
 * sections "Interrupt Sequence", "Initialization Command Words", "Operation
 * Command Words" and "Operating Modes"; the ELCR layout follows the PIIX/ICH
 * datasheets. The choices the datasheet leaves open are listed in the header.
 *
 * Invariants kept by pic_update() after every change, whatever the guest
 * wrote: a level-triggered input's IRR bit equals its line, an
 * edge-triggered input's IRR bit is only set while its line is high (except
 * the master's cascade input, see update_cascade()), lowest < 8, init is a
 * valid enum pic_init_state, and the ELCR reserved bits are zero.
 */
#include "devices/pic8259.h"

#include <string.h>

#define CASCADE_BIT	(1u << PIC_CASCADE_IR)

static const uint8_t elcr_reserved[2] = { PIC_ELCR1_RESERVED, PIC_ELCR2_RESERVED };

static void chip_reset(struct pic8259 *c)
{
	memset(c, 0, sizeof(*c));
	c->imr = 0xff;
	c->lowest = 7;
	c->init = PIC_UNINIT;
}

void pic_init(struct pic_pair *p)
{
	memset(p, 0, sizeof(*p));
	chip_reset(&p->master);
	chip_reset(&p->slave);
}

/* Inputs of the chip that are level-sensitive: ICW1.LTIM or the ELCR. */
static uint8_t level_mask(const struct pic8259 *c, uint8_t elcr)
{
	return (c->icw1 & ICW1_LTIM) ? 0xff : elcr;
}

/* Priority rank of input ir, 0 = highest: the one after 'lowest' ranks first. */
static unsigned rank(const struct pic8259 *c, unsigned ir)
{
	return (ir - c->lowest - 1) & 7;
}

/* The input with the highest priority among bits, or -1. */
static int highest(const struct pic8259 *c, uint8_t bits)
{
	for (unsigned i = 1; i <= 8; i++) {
		unsigned ir = (c->lowest + i) & 7;

		if (bits & (1u << ir))
			return (int)ir;
	}
	return -1;
}

/*
 * Priority resolver: the request an INTA would be answered with, or -1 when
 * INT is low. In-service levels inhibit their own and lower priorities, except
 * masked ones in special mask mode.
 */
static int resolve(const struct pic8259 *c)
{
	if (c->init != PIC_READY)
		return -1;

	int req = highest(c, c->irr & ~c->imr);
	if (req < 0)
		return -1;

	uint8_t inhibit = c->isr;
	if (c->special_mask)
		inhibit &= ~c->imr;
	int svc = highest(c, inhibit);
	if (svc >= 0 && rank(c, (unsigned)svc) <= rank(c, (unsigned)req))
		return -1;
	return req;
}

/* INTA on one chip for request ir: IRR -> ISR, or automatic EOI. */
static void chip_ack(struct pic8259 *c, unsigned ir)
{
	c->irr &= ~(1u << ir);
	if (!c->aeoi)
		c->isr |= 1u << ir;
	else if (c->rotate_aeoi)
		c->lowest = ir;
}

/* Re-derive IRR from the lines: edge requests need a high line, level = line. */
static void sync_irr(struct pic8259 *c, uint8_t level, uint8_t keep)
{
	c->irr = (c->irr & keep) | (c->lines & (c->irr | level) & ~keep);
}

/*
 * Master IR2 follows the slave's INT output. Level mode: IRR2 = INT. Edge
 * mode: a rising INT latches IRR2, which stays until the master's INTA (or
 * ICW1); the INT "low" seen after each slave INTA re-arms the latch.
 */
static void update_cascade(struct pic_pair *p, uint8_t mlevel)
{
	struct pic8259 *m = &p->master;
	uint8_t sint = resolve(&p->slave) >= 0 ? CASCADE_BIT : 0;

	if (mlevel & CASCADE_BIT)
		m->irr = (m->irr & ~CASCADE_BIT) | sint;
	else if (sint && !(m->lines & CASCADE_BIT))
		m->irr |= CASCADE_BIT;
	m->lines = (m->lines & ~CASCADE_BIT) | sint;
}

static void pic_update(struct pic_pair *p)
{
	uint8_t mlevel = level_mask(&p->master, p->elcr[0]);

	sync_irr(&p->slave, level_mask(&p->slave, p->elcr[1]), 0);
	update_cascade(p, mlevel);
	sync_irr(&p->master, mlevel, CASCADE_BIT);
}

void pic_set_elcr(struct pic_pair *p, unsigned irq, bool level)
{
	if (irq >= PIC_NR_IRQS)
		return;

	uint8_t bit = (uint8_t)((1u << (irq & 7)) & ~elcr_reserved[irq >> 3]);

	if (level)
		p->elcr[irq >> 3] |= bit;
	else
		p->elcr[irq >> 3] &= ~bit;
	pic_update(p);
}

void pic_set_irq(struct pic_pair *p, unsigned irq, bool level)
{
	if (irq >= PIC_NR_IRQS || irq == PIC_CASCADE_IR)
		return;

	struct pic8259 *c = irq < 8 ? &p->master : &p->slave;
	uint8_t bit = 1u << (irq & 7);

	if (level && !(c->lines & bit))
		c->irr |= bit;		/* rising edge; level inputs resync anyway */
	if (level)
		c->lines |= bit;
	else
		c->lines &= ~bit;
	pic_update(p);
}

bool pic_intr_asserted(const struct pic_pair *p)
{
	return resolve(&p->master) >= 0;
}

int pic_pending_vector(const struct pic_pair *p)
{
	int m = resolve(&p->master);

	if (m < 0)
		return -1;
	if (m != PIC_CASCADE_IR)
		return p->master.vector_base + m;

	int s = resolve(&p->slave);

	return p->slave.vector_base + (s < 0 ? PIC_SPURIOUS_IR : s);
}

/* The slave's half of the INTA cycle, after the master chose IR2. */
static int ack_slave(struct pic_pair *p)
{
	int s = resolve(&p->slave);

	p->master.lines &= ~CASCADE_BIT;	/* slave INT drops during INTA */
	if (s < 0) {
		p->spurious++;
		return p->slave.vector_base + PIC_SPURIOUS_IR;
	}
	chip_ack(&p->slave, (unsigned)s);
	return p->slave.vector_base + s;
}

int pic_acknowledge(struct pic_pair *p)
{
	int m = resolve(&p->master);
	int vec;

	if (m < 0) {
		p->spurious++;
		return p->master.vector_base + PIC_SPURIOUS_IR;
	}
	chip_ack(&p->master, (unsigned)m);
	if (m == PIC_CASCADE_IR)
		vec = ack_slave(p);
	else
		vec = p->master.vector_base + m;
	pic_update(p);
	return vec;
}

/* ---------------------------------------------------------------- ports */

static void write_icw1(struct pic_pair *p, struct pic8259 *c, uint8_t val)
{
	c->icw1 = val & (ICW1_IC4 | ICW1_SNGL | ICW1_LTIM);
	c->init = PIC_ICW2;
	c->imr = 0;
	c->isr = 0;
	c->irr = 0;		/* edge sense reset: a line already high must */
				/* fall and rise again; level inputs resync */
	c->lowest = 7;
	c->aeoi = false;	/* ICW4 functions are zero unless ICW4 sets them */
	c->rotate_aeoi = false;
	c->read_isr = false;
	c->poll = false;
	c->special_mask = false;
	if (c == &p->master)
		c->lines &= ~CASCADE_BIT;	/* re-arm: a high slave INT latches */
}

static void eoi(struct pic8259 *c, int ir, bool rotate)
{
	if (ir < 0)
		return;
	c->isr &= ~(1u << ir);
	if (rotate)
		c->lowest = (uint8_t)ir;
}

static void write_ocw2(struct pic8259 *c, uint8_t val)
{
	unsigned l = val & OCW2_L_MASK;

	switch (val & OCW2_CMD_MASK) {
	case OCW2_ROT_AEOI_CLR:
		c->rotate_aeoi = false;
		break;
	case OCW2_ROT_AEOI_SET:
		c->rotate_aeoi = true;
		break;
	case OCW2_NS_EOI:
		eoi(c, highest(c, c->isr), false);
		break;
	case OCW2_ROT_NS_EOI:
		eoi(c, highest(c, c->isr), true);
		break;
	case OCW2_SPEC_EOI:
		eoi(c, (int)l, false);
		break;
	case OCW2_ROT_SPEC_EOI:
		eoi(c, (int)l, true);
		break;
	case OCW2_SET_PRIO:
		c->lowest = (uint8_t)l;
		break;
	default:		/* OCW2_NOP */
		break;
	}
}

static void write_ocw3(struct pic8259 *c, uint8_t val)
{
	if (val & OCW3_ESMM)
		c->special_mask = val & OCW3_SMM;
	c->poll = val & OCW3_P;
	if (val & OCW3_RR)
		c->read_isr = val & OCW3_RIS;
}

static void write_cmd(struct pic_pair *p, struct pic8259 *c, uint8_t val)
{
	if (val & ICW1_INIT)
		write_icw1(p, c, val);
	else if (val & OCW3_SEL)
		write_ocw3(c, val);
	else
		write_ocw2(c, val);
}

static void write_data(struct pic8259 *c, uint8_t val)
{
	switch (c->init) {
	case PIC_ICW2:
		c->vector_base = val & ICW2_VECTOR_MASK;
		if (!(c->icw1 & ICW1_SNGL))
			c->init = PIC_ICW3;
		else
			c->init = (c->icw1 & ICW1_IC4) ? PIC_ICW4 : PIC_READY;
		break;
	case PIC_ICW3:		/* wiring is fixed: master IR2 <-> slave ID 2 */
		c->init = (c->icw1 & ICW1_IC4) ? PIC_ICW4 : PIC_READY;
		break;
	case PIC_ICW4:
		c->aeoi = val & ICW4_AEOI;
		c->init = PIC_READY;
		break;
	default:		/* OCW1 */
		c->imr = val;
		break;
	}
}

/* Poll read: an INTA on this chip alone, answered with the level. */
static uint8_t poll_read(struct pic_pair *p, struct pic8259 *c)
{
	int ir = resolve(c);

	c->poll = false;
	if (ir < 0)
		return 0;
	chip_ack(c, (unsigned)ir);
	if (c == &p->slave)
		p->master.lines &= ~CASCADE_BIT;	/* slave INT drops */
	pic_update(p);
	return (uint8_t)(PIC_POLL_INT | (unsigned)ir);
}

static uint8_t read_cmd(struct pic_pair *p, struct pic8259 *c)
{
	if (c->poll)
		return poll_read(p, c);
	return c->read_isr ? c->isr : c->irr;
}

uint8_t pic_io_read(struct pic_pair *p, uint16_t port)
{
	switch (port) {
	case PIC_MASTER_CMD:
		return read_cmd(p, &p->master);
	case PIC_SLAVE_CMD:
		return read_cmd(p, &p->slave);
	case PIC_MASTER_DATA:
		return p->master.imr;
	case PIC_SLAVE_DATA:
		return p->slave.imr;
	case PIC_ELCR1:
		return p->elcr[0];
	case PIC_ELCR2:
		return p->elcr[1];
	default:
		return 0xff;
	}
}

void pic_io_write(struct pic_pair *p, uint16_t port, uint8_t val)
{
	switch (port) {
	case PIC_MASTER_CMD:
		write_cmd(p, &p->master, val);
		break;
	case PIC_SLAVE_CMD:
		write_cmd(p, &p->slave, val);
		break;
	case PIC_MASTER_DATA:
		write_data(&p->master, val);
		break;
	case PIC_SLAVE_DATA:
		write_data(&p->slave, val);
		break;
	case PIC_ELCR1:
	case PIC_ELCR2:
		p->elcr[port - PIC_ELCR1] = val & ~elcr_reserved[port - PIC_ELCR1];
		break;
	default:
		return;
	}
	pic_update(p);
}

bool pic_claims_port(uint16_t port)
{
	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_MASTER_DATA:
	case PIC_SLAVE_CMD:
	case PIC_SLAVE_DATA:
	case PIC_ELCR1:
	case PIC_ELCR2:
		return true;
	default:
		return false;
	}
}
