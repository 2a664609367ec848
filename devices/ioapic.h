/* SPDX-License-Identifier: MIT */
/*
 * Model of one I/O APIC as on a PC: the Intel 82093AA datasheet register set
 * (sections "Register Description": IOREGSEL, IOWIN, IOAPICID, IOAPICVER,
 * IOAPICARB, IOREDTBL) at 0xfec00000 with 24 pins, plus the EOI register at
 * offset 0x40 of the version 0x20 I/O APICs built into the PIIX4/ICH
 * chipsets. Pure logic, nothing global: the VMM owns one struct ioapic,
 * forwards MMIO accesses (ioapic_mmio_read/write), reports pin levels
 * (ioapic_set_irq), passes EOI broadcasts from the local APICs
 * (ioapic_eoi), and implements ops->deliver, which puts the message on the
 * APIC bus (apic_bus_deliver() in devices/lapic.h is one implementation).
 *
 * Choices where the datasheets leave room:
 *
 * - Version 0x20 rather than the 82093AA's 0x11: it has the EOI register,
 *   which a guest needs once the local APIC offers EOI-broadcast suppression
 *   (as devices/lapic.h does), and it is what the chipsets a guest expects
 *   report. Linux handles both: for 0x11 it clears a remote IRR by
 *   switching the pin to edge and back, which this model also honours (a
 *   write that makes a pin edge-triggered clears its remote IRR, as KVM's
 *   IOAPIC does).
 * - Max redirection entry 23 (24 pins). ID bits 27:24 are writable; the
 *   arbitration ID (read-only) is loaded from the ID on every ID write, as
 *   the 82093AA describes. No bus arbitration is modelled.
 * - MMIO: 4 KiB window. IOREGSEL (0x00) holds 8 bits; IOWIN (0x10) and the
 *   EOI register (0x40) are 32 bits. Reads of 1, 2 or 4 bytes inside one of
 *   those three registers return those bytes; other offsets read 0. Writes
 *   must be 4 bytes at the register offset, except IOREGSEL, which takes a
 *   1, 2 or 4-byte write at offset 0 (its low byte); others are ignored and
 *   counted in bad_access. IOWIN with an unimplemented index reads 0 and
 *   ignores writes.
 * - Redirection entries: bits 0-11, 13, 15, 16 and 56-63 are writable; the
 *   delivery status (12) always reads 0 because delivery is immediate;
 *   remote IRR (14) is read-only; bits 17-55 read 0. Power-on: all masked,
 *   everything else 0.
 * - Pins: the VMM reports the wire level; a pin is asserted when its level
 *   differs from its polarity (bit 13: 1 = active low). Edge-triggered: a
 *   transition to asserted while unmasked sends one message; while masked
 *   the edge is lost (82093AA: masked edge interrupts are not held).
 *   Level-triggered: while asserted, unmasked and remote IRR clear, a
 *   message is sent and remote IRR set; the EOI of its vector (either path)
 *   clears remote IRR, and a pin still asserted sends again. Unmasking an
 *   asserted level pin, or writing an entry that makes a pin asserted and
 *   level, sends too. Remote IRR stays set for a level pin that is masked.
 * - Remote IRR is set only when at least one local APIC accepted the
 *   message (ops->deliver returns how many did), as KVM's IOAPIC does: a
 *   level interrupt no APIC takes (all software-disabled, no destination)
 *   does not wedge its pin; it is sent again on the pin's next event (level
 *   change, entry write) or by ioapic_resample(), which the VMM calls when
 *   a local APIC becomes software-enabled or changes its ID/LDR/DFR.
 * - Delivery mode, destination mode, vector and trigger go out unchanged in
 *   struct apic_msg (8-bit destination, x2apic false); ExtINT, NMI, SMI and
 *   INIT are the receiving APIC's business (vector ignored there). An EOI
 *   clears remote IRR of every level entry with that vector.
 */
#ifndef XTALK_DEVICES_IOAPIC_H
#define XTALK_DEVICES_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/lapic.h"

#define IOAPIC_DEFAULT_BASE	0xfec00000u
#define IOAPIC_MMIO_SIZE	0x1000u
#define IOAPIC_NR_PINS		24

/* MMIO offsets */
#define IOAPIC_IOREGSEL		0x00
#define IOAPIC_IOWIN		0x10
#define IOAPIC_EOI		0x40

/* Register indices (IOREGSEL) */
#define IOAPIC_ID		0x00
#define IOAPIC_VER		0x01
#define IOAPIC_ARB		0x02
#define IOAPIC_REDTBL		0x10	/* + 2 * pin: low, + 1: high */

#define IOAPIC_ID_SHIFT		24
#define IOAPIC_ID_MASK		(0xfu << IOAPIC_ID_SHIFT)
#define IOAPIC_VERSION		0x20u
#define IOAPIC_VER_MAXREDIR_SHIFT 16

/* Redirection entry (64 bits) */
#define IOAPIC_REDTBL_VECTOR_MASK	0xffull
#define IOAPIC_REDTBL_DM_SHIFT		8
#define IOAPIC_REDTBL_DM_MASK		(7ull << IOAPIC_REDTBL_DM_SHIFT)
#define IOAPIC_REDTBL_DEST_LOGICAL	(1ull << 11)
#define IOAPIC_REDTBL_DELIVS		(1ull << 12)
#define IOAPIC_REDTBL_POLARITY_LOW	(1ull << 13)
#define IOAPIC_REDTBL_REMOTE_IRR	(1ull << 14)
#define IOAPIC_REDTBL_LEVEL		(1ull << 15)
#define IOAPIC_REDTBL_MASKED		(1ull << 16)
#define IOAPIC_REDTBL_DEST_SHIFT	56
#define IOAPIC_REDTBL_WRITABLE		(0x1afffull | 0xffull << IOAPIC_REDTBL_DEST_SHIFT)

struct ioapic_ops {
	void *ctx;
	/* Returns how many local APICs accepted m (apic_bus_deliver() does). */
	unsigned (*deliver)(void *ctx, const struct apic_msg *m);
};

struct ioapic {
	struct ioapic_ops ops;
	uint32_t id;			/* IOAPICID bits 27:24 */
	uint32_t arb;			/* IOAPICARB bits 27:24 */
	uint8_t ioregsel;
	uint32_t lines;			/* wire levels, bit per pin */
	uint64_t redtbl[IOAPIC_NR_PINS];
	uint64_t delivered, bad_access;
};

/* Power-on state with the given 4-bit ID (the MADT's I/O APIC ID). */
void ioapic_init(struct ioapic *io, uint8_t id, const struct ioapic_ops *ops);

uint32_t ioapic_mmio_read(struct ioapic *io, uint32_t offset, unsigned size);
void ioapic_mmio_write(struct ioapic *io, uint32_t offset, unsigned size, uint32_t val);

/* Wire level of pin 0..23 (others ignored). */
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level);

/* EOI for a vector: from a local APIC's broadcast or the EOI register. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

/* Send every asserted, unmasked level pin whose remote IRR is clear. */
void ioapic_resample(struct ioapic *io);

/* Vectors of all level-triggered entries, masked or not (for a VMX EOI-exit bitmap). */
void ioapic_level_vectors(const struct ioapic *io, uint64_t bitmap[4]);

#endif
