/* SPDX-License-Identifier: MIT */
/*
 * The PC/AT 8259A pair (master 0x20/0x21, slave 0xa0/0xa1 on master IR2) and
 * the PIIX edge/level control registers (ELCR, 0x4d0/0x4d1): initialisation,
 * masks, EOI and a handler per IRQ line. IRQ n arrives as vector
 * PIC_VECTOR_BASE + n; idt.c routes vectors 32-47 to irq_dispatch().
 */
#ifndef XTALK_GUEST_PIC_H
#define XTALK_GUEST_PIC_H

#include <stdbool.h>
#include <stdint.h>

#define PIC_VECTOR_BASE 0x20 /* master IRQ 0-7 -> 0x20-0x27, slave IRQ 8-15 -> 0x28-0x2f */
#define PIC_NR_IRQS 16
#define PIC_CASCADE_IRQ 2

typedef void (*irq_handler_t)(unsigned irq, void *ctx);

/* ICW1..ICW4 on both chips, every line masked except the cascade. Returns 0,
 * or -1 (with a message) when the mask registers do not read back. */
int pic_init(void);
void pic_mask(unsigned irq);
void pic_unmask(unsigned irq);
/* Make an IRQ level-triggered in the ELCR (PCI INTx lines are); returns 0,
 * or -1 when the bit does not stick. */
int pic_set_level(unsigned irq);
void pic_eoi(unsigned irq);

/* Install fn for irq (replacing any); the line stays masked until
 * pic_unmask(). Handlers run with interrupts disabled; the EOI is sent after
 * the handler returns, so a level-triggered source must have been quietened
 * by then. Returns -1 for a bad irq. */
int irq_register(unsigned irq, irq_handler_t fn, void *ctx);
/* Called from the vector 32-47 entry path. */
void irq_dispatch(unsigned irq);

struct irq_counts {
	uint64_t delivered[PIC_NR_IRQS]; /* handled (or unhandled) real requests */
	uint64_t spurious;               /* IRQ 7/15 with no ISR bit: no EOI owed */
	uint64_t unhandled;              /* no handler: the line got masked */
};
extern volatile struct irq_counts irq_counts;

static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

/* STI; HLT: the STI shadow guarantees no interrupt is taken between the two,
 * so an interrupt that became pending while IF was 0 ends the HLT. Returns
 * with interrupts enabled, after the handler ran. */
static inline void irq_enable_and_halt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

#endif
