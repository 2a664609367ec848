/* SPDX-License-Identifier: MIT */
/*
 * Model of a PC/AT's two cascaded 8259A programmable interrupt controllers
 * plus the PIIX/ICH edge/level control registers (ELCR). Register layout and
 * behaviour follow the Intel 8259A datasheet; the wiring is the PC/AT one:
 * master at 0x20/0x21, slave at 0xa0/0xa1 with its INT output on master IR2,
 * x86 (8086/8088) mode, slave ID 2. The VMM owns one struct pic_pair per
 * guest, forwards the guest's port accesses and device line levels, and
 * injects the vector pic_acknowledge() returns when pic_intr_asserted().
 *
 * Choices where the datasheet leaves room or a VMM needs more:
 *
 * - Power-on: IMR = 0xff, vector bases 0, and a chip asserts INT only once
 *   it has been through a complete ICW1..ICWn sequence (and not while it is
 *   in the middle of one), so nothing reaches the guest before it has
 *   programmed the vectors. ICW1 itself clears IMR, as on the chip.
 * - Edge-triggered inputs: a rising edge sets the IRR bit, which then stays
 *   set only while the line stays high (the datasheet requires the request
 *   to stay high until the first INTA). Lowering the line withdraws the
 *   request; an INTA that finds no request returns the spurious IR7 vector.
 *   A device that "pulses" its line must hold it high until the vector has
 *   been acknowledged. Level-triggered inputs (ELCR bit or ICW1.LTIM): IRR
 *   follows the line, so a line still high after the EOI requests again.
 * - The cascade input (master IR2) is fed by the slave's INT output. In edge
 *   mode it latches when that output rises and keeps the request until the
 *   master acknowledges it, even if the slave's request goes away meanwhile:
 *   the INTA then yields the slave's spurious IR7 vector (IRQ 15) with the
 *   master's ISR bit 2 set, which the guest clears with an EOI to the master.
 *   Every INTA (or poll) that reaches the slave drops the slave's INT for a
 *   moment, and master ICW1 re-arms the cascade input, so a request still
 *   pending on the slave (e.g. in AEOI mode) is latched again, never lost.
 * - The wiring is fixed: master IR2 is always the cascade and the slave
 *   always answers for it. ICW3, ICW4 bits other than AEOI (uPM, M/S, BUF,
 *   SFNM) and ICW1.ADI are accepted and ignored; vectors are always x86 mode
 *   (ICW2 & 0xf8 + level).
 * - pic_set_irq(2) is ignored (IRQ 2 is the cascade; the ISA IRQ2 pin is
 *   IRQ 9 on a PC/AT, routing it is the caller's job).
 * - ICW1 also clears ISR, rotate-in-AEOI, special mask mode and a pending
 *   poll; it resets the edge sense latches (a line already high must fall
 *   and rise again) and the priority (IR7 lowest).
 * - A non-specific EOI clears the highest-priority ISR bit, masked or not;
 *   in special mask mode guests should use specific EOIs, as the datasheet
 *   advises.
 * - Special mask mode: ISR bits whose IMR bit is set do not inhibit any
 *   request; unmasked ISR bits still inhibit their level and lower ones.
 * - Poll (OCW3.P) is one-shot: the next read of that chip's command port
 *   returns 0x80 | level of its highest unmasked request and acknowledges it
 *   like an INTA on that chip alone (a master poll answering 2 does not
 *   touch the slave), or 0 when there is none. OCW3 with P = 0 cancels it.
 * - Writes to the command port during an initialisation sequence that are
 *   not ICW1 are executed as OCW2/OCW3; data port writes go to the next ICW.
 * - Only the six ports 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 are claimed (no
 *   PIIX aliases); reads of other ports return 0xff.
 */
#ifndef XTALK_DEVICES_PIC8259_H
#define XTALK_DEVICES_PIC8259_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ports (PC/AT). */
#define PIC_MASTER_CMD		0x20	/* A0 = 0 */
#define PIC_MASTER_DATA		0x21	/* A0 = 1 */
#define PIC_SLAVE_CMD		0xa0
#define PIC_SLAVE_DATA		0xa1
#define PIC_ELCR1		0x4d0	/* IRQ 0-7 */
#define PIC_ELCR2		0x4d1	/* IRQ 8-15 */

#define PIC_CASCADE_IR		2	/* master input wired to the slave's INT */
#define PIC_SLAVE_ID		2
#define PIC_SPURIOUS_IR		7	/* level an INTA without a request reports */
#define PIC_NR_IRQS		16

/* ELCR bits that are reserved (read 0, cannot be level): IRQ 0, 1, 2 and 8, 13. */
#define PIC_ELCR1_RESERVED	0x07
#define PIC_ELCR2_RESERVED	0x21

/* ICW1 (A0 = 0, D4 = 1). */
#define ICW1_IC4		(1u << 0)	/* ICW4 follows */
#define ICW1_SNGL		(1u << 1)	/* single chip: no ICW3 */
#define ICW1_ADI		(1u << 2)	/* call address interval (8080 only) */
#define ICW1_LTIM		(1u << 3)	/* level-triggered inputs */
#define ICW1_INIT		(1u << 4)	/* marks ICW1 */

/* ICW2 (A0 = 1): T7-T3 of the vector in x86 mode. */
#define ICW2_VECTOR_MASK	0xf8u

/* ICW4 (A0 = 1). */
#define ICW4_UPM		(1u << 0)	/* 8086/8088 mode */
#define ICW4_AEOI		(1u << 1)	/* automatic EOI */
#define ICW4_MS			(1u << 2)	/* buffered master/slave */
#define ICW4_BUF		(1u << 3)	/* buffered mode */
#define ICW4_SFNM		(1u << 4)	/* special fully nested mode */

/* OCW2 (A0 = 0, D4:D3 = 00): R SL EOI in D7:D5, level L2-L0 in D2:D0. */
#define OCW2_L_MASK		0x07u
#define OCW2_EOI		(1u << 5)
#define OCW2_SL			(1u << 6)
#define OCW2_R			(1u << 7)
#define OCW2_CMD_MASK		(OCW2_R | OCW2_SL | OCW2_EOI)
#define OCW2_ROT_AEOI_CLR	0x00u				/* rotate in AEOI mode (clear) */
#define OCW2_NS_EOI		OCW2_EOI			/* non-specific EOI */
#define OCW2_NOP		OCW2_SL
#define OCW2_SPEC_EOI		(OCW2_SL | OCW2_EOI)		/* specific EOI, level in L */
#define OCW2_ROT_AEOI_SET	OCW2_R				/* rotate in AEOI mode (set) */
#define OCW2_ROT_NS_EOI		(OCW2_R | OCW2_EOI)		/* rotate on non-specific EOI */
#define OCW2_SET_PRIO		(OCW2_R | OCW2_SL)		/* L becomes lowest priority */
#define OCW2_ROT_SPEC_EOI	(OCW2_R | OCW2_SL | OCW2_EOI)	/* specific EOI, L becomes lowest */

/* OCW3 (A0 = 0, D4:D3 = 01). */
#define OCW3_RIS		(1u << 0)	/* read ISR (1) or IRR (0) ... */
#define OCW3_RR			(1u << 1)	/* ... when RR is set */
#define OCW3_P			(1u << 2)	/* poll command */
#define OCW3_SEL		(1u << 3)	/* marks OCW3 */
#define OCW3_SMM		(1u << 5)	/* special mask mode set (1) / reset (0) ... */
#define OCW3_ESMM		(1u << 6)	/* ... when ESMM is set */

#define PIC_POLL_INT		0x80u		/* poll word: an interrupt was pending */

/* Initialisation state: the next data port write is ... */
enum pic_init_state {
	PIC_UNINIT,	/* OCW1; never initialised, INT held low */
	PIC_ICW2,
	PIC_ICW3,
	PIC_ICW4,
	PIC_READY,	/* OCW1; initialised */
};

struct pic8259 {		/* one chip */
	uint8_t irr, isr, imr;
	uint8_t lines;		/* level of the 8 inputs (master bit 2: slave INT as last seen) */
	uint8_t vector_base;	/* ICW2 & 0xf8 */
	uint8_t init;		/* enum pic_init_state */
	uint8_t icw1;		/* ICW1_IC4 | ICW1_SNGL | ICW1_LTIM of the last ICW1 */
	uint8_t lowest;		/* IR with the lowest priority (7 after ICW1) */
	bool aeoi;		/* ICW4.AEOI */
	bool rotate_aeoi;	/* OCW2 rotate in AEOI mode */
	bool read_isr;		/* OCW3 read register select: ISR (true) or IRR */
	bool poll;		/* OCW3.P: the next command port read is a poll */
	bool special_mask;	/* OCW3 special mask mode */
};

struct pic_pair {
	struct pic8259 master, slave;
	uint8_t elcr[2];	/* 1 = level-triggered (0x4d0: IRQ 0-7, 0x4d1: IRQ 8-15) */
	uint64_t spurious;	/* spurious IRQ 7 / IRQ 15 acknowledgements */
};

/* Power-on state: both chips uninitialised with IMR = 0xff, all edge-triggered. */
void pic_init(struct pic_pair *p);

/* Firmware setting of the ELCR; ignored for IRQ 0, 1, 2, 8, 13 and irq >= 16. */
void pic_set_elcr(struct pic_pair *p, unsigned irq, bool level);

/* Level of a device's input line, irq 0..15 (2 and >= 16 are ignored). */
void pic_set_irq(struct pic_pair *p, unsigned irq, bool level);

/* Vector an INTA cycle would return now, or -1 if INTR is not asserted. */
int pic_pending_vector(const struct pic_pair *p);

/*
 * The INTA cycle: returns the vector and moves the request from IRR to ISR
 * on the master and, through IR2, the slave (unless AEOI). Without a request
 * it returns the spurious vector (base + 7 of the chip that found none) and
 * counts it in p->spurious. Returns pic_pending_vector() when that is >= 0.
 */
int pic_acknowledge(struct pic_pair *p);

/* Level of the master's INT output (the CPU's INTR). */
bool pic_intr_asserted(const struct pic_pair *p);

uint8_t pic_io_read(struct pic_pair *p, uint16_t port);
void pic_io_write(struct pic_pair *p, uint16_t port, uint8_t val);
bool pic_claims_port(uint16_t port);

#endif
