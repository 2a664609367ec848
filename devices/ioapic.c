// SPDX-License-Identifier: MIT
/*
 * I/O APIC after the Intel 82093AA datasheet ("Register Description",
 * "Interrupt Signals") with the EOI register of version 0x20 chipset I/O
 * APICs. The choices the datasheet leaves open are listed in the header.
 *
 * Invariants after every entry point: redtbl entries hold only writable bits
 * plus remote IRR; remote IRR is only set on level-triggered entries; a
 * level entry that is asserted, unmasked and has remote IRR clear has just
 * been sent and no local APIC took it (see ioapic_resample()).
 */
#include "devices/ioapic.h"

#include <string.h>

static bool pin_asserted(const struct ioapic *io, unsigned pin)
{
	bool line = io->lines & (1u << pin);

	return line != !!(io->redtbl[pin] & IOAPIC_REDTBL_POLARITY_LOW);
}

static bool is_level(uint64_t e)
{
	return e & IOAPIC_REDTBL_LEVEL;
}

/* Returns whether any local APIC accepted the message. */
static bool send(struct ioapic *io, unsigned pin)
{
	uint64_t e = io->redtbl[pin];
	struct apic_msg m = {
		.dest = (uint32_t)(e >> IOAPIC_REDTBL_DEST_SHIFT),
		.vector = (uint8_t)(e & IOAPIC_REDTBL_VECTOR_MASK),
		.delivery = (uint8_t)((e & IOAPIC_REDTBL_DM_MASK) >> IOAPIC_REDTBL_DM_SHIFT),
		.logical = e & IOAPIC_REDTBL_DEST_LOGICAL,
		.level = is_level(e),
	};

	io->delivered++;
	return io->ops.deliver && io->ops.deliver(io->ops.ctx, &m) > 0;
}

/* Level pins: deliver while asserted, unmasked and not awaiting an EOI. */
static void level_eval(struct ioapic *io, unsigned pin)
{
	uint64_t *e = &io->redtbl[pin];

	if (!is_level(*e) || (*e & (IOAPIC_REDTBL_MASKED | IOAPIC_REDTBL_REMOTE_IRR)))
		return;
	if (!pin_asserted(io, pin))
		return;
	if (send(io, pin))
		*e |= IOAPIC_REDTBL_REMOTE_IRR;
}

void ioapic_resample(struct ioapic *io)
{
	for (unsigned pin = 0; pin < IOAPIC_NR_PINS; pin++)
		level_eval(io, pin);
}

void ioapic_init(struct ioapic *io, uint8_t id, const struct ioapic_ops *ops)
{
	memset(io, 0, sizeof(*io));
	if (ops)
		io->ops = *ops;
	io->id = io->arb = ((uint32_t)id << IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK;
	for (unsigned pin = 0; pin < IOAPIC_NR_PINS; pin++)
		io->redtbl[pin] = IOAPIC_REDTBL_MASKED;
}

void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level)
{
	if (pin >= IOAPIC_NR_PINS)
		return;

	bool was = pin_asserted(io, pin);
	uint64_t e = io->redtbl[pin];

	if (level)
		io->lines |= 1u << pin;
	else
		io->lines &= ~(1u << pin);
	if (is_level(e))
		level_eval(io, pin);
	else if (!was && pin_asserted(io, pin) && !(e & IOAPIC_REDTBL_MASKED))
		(void)send(io, pin);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		uint64_t *e = &io->redtbl[pin];

		if ((*e & IOAPIC_REDTBL_VECTOR_MASK) != vector || !(*e & IOAPIC_REDTBL_REMOTE_IRR))
			continue;
		*e &= ~IOAPIC_REDTBL_REMOTE_IRR;
		level_eval(io, pin);
	}
}

void ioapic_level_vectors(const struct ioapic *io, uint64_t bitmap[4])
{
	memset(bitmap, 0, 4 * sizeof(bitmap[0]));
	for (unsigned pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		uint64_t e = io->redtbl[pin];
		unsigned v = e & IOAPIC_REDTBL_VECTOR_MASK;

		if (is_level(e))
			bitmap[v >> 6] |= 1ull << (v & 63);
	}
}

/* ---------------------------------------------------------------- registers */

static uint32_t ver(void)
{
	return IOAPIC_VERSION | (IOAPIC_NR_PINS - 1) << IOAPIC_VER_MAXREDIR_SHIFT;
}

/* Pin of a redirection table index, or IOAPIC_NR_PINS if it is not one. */
static unsigned redtbl_pin(uint8_t index)
{
	if (index < IOAPIC_REDTBL)
		return IOAPIC_NR_PINS;
	unsigned pin = (index - IOAPIC_REDTBL) >> 1;
	return pin < IOAPIC_NR_PINS ? pin : IOAPIC_NR_PINS;
}

static uint32_t reg_read(const struct ioapic *io, uint8_t index)
{
	unsigned pin = redtbl_pin(index);

	switch (index) {
	case IOAPIC_ID:
		return io->id;
	case IOAPIC_VER:
		return ver();
	case IOAPIC_ARB:
		return io->arb;
	default:
		break;
	}
	if (pin == IOAPIC_NR_PINS)
		return 0;
	return (uint32_t)(io->redtbl[pin] >> (index & 1 ? 32 : 0));
}

/* A redirection entry half: keep remote IRR, apply the pin's new settings. */
static void write_redtbl(struct ioapic *io, unsigned pin, bool high, uint32_t val)
{
	uint64_t *e = &io->redtbl[pin];
	uint64_t half = high ? 0xffffffff00000000ull : 0xffffffffull;
	uint64_t v = (uint64_t)val << (high ? 32 : 0);

	*e = (*e & ~half) | (v & half & IOAPIC_REDTBL_WRITABLE) |
	     (*e & IOAPIC_REDTBL_REMOTE_IRR);
	if (!is_level(*e))
		*e &= ~IOAPIC_REDTBL_REMOTE_IRR;
	level_eval(io, pin);
}

static void reg_write(struct ioapic *io, uint8_t index, uint32_t val)
{
	unsigned pin = redtbl_pin(index);

	if (index == IOAPIC_ID) {
		io->id = io->arb = val & IOAPIC_ID_MASK;
		return;
	}
	if (pin == IOAPIC_NR_PINS)
		return;		/* VER, ARB read-only; unimplemented indices */
	write_redtbl(io, pin, index & 1, val);
}

/* ---------------------------------------------------------------- MMIO */

static bool read_ok(uint32_t off, unsigned size, uint32_t *reg)
{
	*reg = off & ~3u;
	if (size != 1 && size != 2 && size != 4)
		return false;
	if ((off & 3) + size > 4)
		return false;
	return *reg == IOAPIC_IOREGSEL || *reg == IOAPIC_IOWIN || *reg == IOAPIC_EOI;
}

uint32_t ioapic_mmio_read(struct ioapic *io, uint32_t offset, unsigned size)
{
	uint32_t off = offset & (IOAPIC_MMIO_SIZE - 1), reg, v;

	if (!read_ok(off, size, &reg)) {
		io->bad_access++;
		return 0;
	}
	if (reg == IOAPIC_IOREGSEL)
		v = io->ioregsel;
	else if (reg == IOAPIC_IOWIN)
		v = reg_read(io, io->ioregsel);
	else
		v = 0;		/* EOI is write-only */
	v >>= (off & 3) * 8;
	return size == 4 ? v : v & ((1u << (size * 8)) - 1);
}

void ioapic_mmio_write(struct ioapic *io, uint32_t offset, unsigned size, uint32_t val)
{
	uint32_t off = offset & (IOAPIC_MMIO_SIZE - 1);

	if (off == IOAPIC_IOREGSEL && (size == 1 || size == 2 || size == 4))
		io->ioregsel = (uint8_t)val;
	else if (size != 4)
		io->bad_access++;
	else if (off == IOAPIC_IOWIN)
		reg_write(io, io->ioregsel, val);
	else if (off == IOAPIC_EOI)
		ioapic_eoi(io, (uint8_t)val);
	else
		io->bad_access++;
}
