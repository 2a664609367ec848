/* SPDX-License-Identifier: MIT */
/* 8259A pair setup, masks, EOI, and per-line IRQ handlers (see pic.h).
 * Intel 8259A datasheet: ICW1-ICW4, OCW1 (mask), OCW2 (EOI), OCW3 (read ISR). */
#include "pic.h"

#include "guest.h"

#define MASTER_CMD 0x20
#define MASTER_DATA 0x21
#define SLAVE_CMD 0xa0
#define SLAVE_DATA 0xa1
#define ELCR_MASTER 0x4d0
#define ELCR_SLAVE 0x4d1

#define ICW1_INIT 0x10
#define ICW1_IC4 0x01 /* ICW4 follows; LTIM = 0: trigger mode comes from the ELCR */
#define ICW4_8086 0x01
#define OCW2_EOI 0x20 /* non-specific EOI */
#define OCW3_READ_ISR 0x0b

volatile struct irq_counts irq_counts;

static struct {
	irq_handler_t fn;
	void *ctx;
} handlers[PIC_NR_IRQS];

/* Masks as last written (bit n = IRQ n masked); the cascade stays open. */
static uint16_t imr = 0xffff;

static uint64_t irq_save(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
	return flags;
}

static void irq_restore(uint64_t flags)
{
	if (flags & (1U << 9))
		irq_enable();
}

static void write_imr(void)
{
	outb(MASTER_DATA, (uint8_t)imr);
	outb(SLAVE_DATA, (uint8_t)(imr >> 8));
}

int pic_init(void)
{
	uint64_t flags = irq_save();
	uint8_t m, s;

	/* ICW1 starts the sequence (and clears IMR on the chip), ICW2 the
	 * vector base, ICW3 the cascade wiring, ICW4 8086 mode, normal EOI. */
	outb(MASTER_CMD, ICW1_INIT | ICW1_IC4);
	outb(MASTER_DATA, PIC_VECTOR_BASE);
	outb(MASTER_DATA, 1U << PIC_CASCADE_IRQ);
	outb(MASTER_DATA, ICW4_8086);
	outb(SLAVE_CMD, ICW1_INIT | ICW1_IC4);
	outb(SLAVE_DATA, PIC_VECTOR_BASE + 8);
	outb(SLAVE_DATA, PIC_CASCADE_IRQ); /* slave ID */
	outb(SLAVE_DATA, ICW4_8086);
	imr = (uint16_t)(0xffff & ~(1U << PIC_CASCADE_IRQ));
	write_imr();
	m = inb(MASTER_DATA);
	s = inb(SLAVE_DATA);
	irq_restore(flags);
	if (m != (uint8_t)imr || s != (uint8_t)(imr >> 8)) {
		print("pic: error: IMR reads 0x%02x/0x%02x after writing 0x%02x/0x%02x\n", m, s,
		      (uint8_t)imr, (uint8_t)(imr >> 8));
		return -1;
	}
	return 0;
}

void pic_mask(unsigned irq)
{
	uint64_t flags;

	if (irq >= PIC_NR_IRQS || irq == PIC_CASCADE_IRQ)
		return;
	flags = irq_save();
	imr |= (uint16_t)(1U << irq);
	write_imr();
	irq_restore(flags);
}

void pic_unmask(unsigned irq)
{
	uint64_t flags;

	if (irq >= PIC_NR_IRQS)
		return;
	flags = irq_save();
	imr &= (uint16_t)~(1U << irq);
	if (irq >= 8)
		imr &= (uint16_t)~(1U << PIC_CASCADE_IRQ);
	write_imr();
	irq_restore(flags);
}

int pic_set_level(unsigned irq)
{
	uint16_t port = irq < 8 ? ELCR_MASTER : ELCR_SLAVE;
	uint8_t bit = (uint8_t)(1U << (irq & 7));

	if (irq >= PIC_NR_IRQS)
		return -1;
	if (!(inb(port) & bit))
		outb(port, inb(port) | bit);
	return (inb(port) & bit) ? 0 : -1;
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(SLAVE_CMD, OCW2_EOI);
	outb(MASTER_CMD, OCW2_EOI);
}

int irq_register(unsigned irq, irq_handler_t fn, void *ctx)
{
	uint64_t flags;

	if (irq >= PIC_NR_IRQS || irq == PIC_CASCADE_IRQ)
		return -1;
	flags = irq_save();
	handlers[irq].fn = fn;
	handlers[irq].ctx = ctx;
	irq_restore(flags);
	return 0;
}

static uint8_t read_isr(uint16_t cmd_port)
{
	outb(cmd_port, OCW3_READ_ISR);
	return inb(cmd_port);
}

void irq_dispatch(unsigned irq)
{
	/* IR7 of either chip without its ISR bit is a spurious request: the
	 * chip owes no EOI, but a spurious slave request went through the
	 * master's cascade input, which does. */
	if (irq == 7 && !(read_isr(MASTER_CMD) & 0x80)) {
		irq_counts.spurious++;
		return;
	}
	if (irq == 15 && !(read_isr(SLAVE_CMD) & 0x80)) {
		irq_counts.spurious++;
		outb(MASTER_CMD, OCW2_EOI);
		return;
	}
	irq_counts.delivered[irq]++;
	if (handlers[irq].fn) {
		handlers[irq].fn(irq, handlers[irq].ctx);
	} else {
		irq_counts.unhandled++;
		pic_mask(irq);
	}
	pic_eoi(irq);
}
