/* SPDX-License-Identifier: MIT */
/*
 * The 82540EM's Microwire EEPROM, read two ways (8254x SDM 5.x and 13.4.3/4):
 *
 * - Bit-banged through EECD after the REQ/GNT handshake, as Linux's e1000
 *   does for Microwire parts: CS high, then for each word the READ opcode
 *   (110b) and the address (6 bits, or 8 when EECD.SIZE says 256 words)
 *   clocked out on DI, 16 data bits clocked in from DO (sampled after the
 *   rising edge of SK), and a standby cycle between words.
 * - Through EERD: START with the address, poll DONE, data in bits 31:16.
 *
 * No flushing read after each EECD write: every edge is followed by a delay
 * far longer than the part's minimum SK high/low time.
 */
#include "e1000.h"
#include "guest.h"
#include "tsc.h"

#define EE_DELAY_US 5
#define EE_GRANT_TIMEOUT_US 5000
#define EERD_TIMEOUT_US 10000

static void ee_write(const struct e1000_nic *nic, uint32_t eecd)
{
	e1000_wr(nic, E1000_EECD, eecd);
	udelay(EE_DELAY_US);
}

/* Clock count bits of data out on DI, most significant first. */
static void ee_shift_out(const struct e1000_nic *nic, uint32_t *eecd, uint32_t data,
			 unsigned count)
{
	*eecd &= ~(E1000_EECD_DO | E1000_EECD_DI);
	for (uint32_t mask = 1U << (count - 1); mask; mask >>= 1) {
		if (data & mask)
			*eecd |= E1000_EECD_DI;
		else
			*eecd &= ~E1000_EECD_DI;
		ee_write(nic, *eecd);
		ee_write(nic, *eecd | E1000_EECD_SK);
		ee_write(nic, *eecd);
	}
	*eecd &= ~E1000_EECD_DI;
	ee_write(nic, *eecd);
}

/* Clock count bits in from DO, most significant first. */
static uint16_t ee_shift_in(const struct e1000_nic *nic, uint32_t *eecd, unsigned count)
{
	uint16_t data = 0;

	*eecd &= ~(E1000_EECD_DO | E1000_EECD_DI);
	for (unsigned i = 0; i < count; i++) {
		data = (uint16_t)(data << 1);
		ee_write(nic, *eecd | E1000_EECD_SK);
		if (e1000_rd(nic, E1000_EECD) & E1000_EECD_DO)
			data |= 1;
		ee_write(nic, *eecd);
	}
	return data;
}

/* Deselect and reselect the part between words (CS low for one clock). */
static void ee_standby(const struct e1000_nic *nic, uint32_t *eecd)
{
	*eecd &= ~(E1000_EECD_CS | E1000_EECD_SK);
	ee_write(nic, *eecd);
	*eecd |= E1000_EECD_SK;
	ee_write(nic, *eecd);
	*eecd |= E1000_EECD_CS;
	ee_write(nic, *eecd);
	*eecd &= ~E1000_EECD_SK;
	ee_write(nic, *eecd);
}

int e1000_ee_read_microwire(struct e1000_nic *nic, unsigned first, unsigned count,
			    uint16_t *words)
{
	uint32_t eecd = e1000_rd(nic, E1000_EECD);
	unsigned abits = (eecd & E1000_EECD_SIZE) ? 8 : 6;
	uint64_t deadline;

	if (!(eecd & E1000_EECD_PRES)) {
		print("e1000: error: EECD 0x%08x: no EEPROM present\n", eecd);
		return E1000_EIO;
	}
	if (first + count > (1U << abits))
		return E1000_EINVAL;

	/* Ask for direct access; the NIC grants it when it is not using the
	 * EEPROM itself. */
	eecd |= E1000_EECD_REQ;
	e1000_wr(nic, E1000_EECD, eecd);
	deadline = rdtsc() + tsc_from_us(EE_GRANT_TIMEOUT_US);
	while (!(e1000_rd(nic, E1000_EECD) & E1000_EECD_GNT)) {
		if (tsc_expired(deadline)) {
			e1000_wr(nic, E1000_EECD, eecd & ~E1000_EECD_REQ);
			print("e1000: error: EECD.GNT not given within %u us\n",
			      EE_GRANT_TIMEOUT_US);
			return E1000_ETIMEDOUT;
		}
		udelay(EE_DELAY_US);
	}
	eecd &= ~(E1000_EECD_DI | E1000_EECD_SK);
	ee_write(nic, eecd);
	eecd |= E1000_EECD_CS;
	ee_write(nic, eecd);

	for (unsigned i = 0; i < count; i++) {
		ee_shift_out(nic, &eecd, E1000_EE_MW_READ, E1000_EE_MW_OPCODE_BITS);
		ee_shift_out(nic, &eecd, first + i, abits);
		words[i] = ee_shift_in(nic, &eecd, 16);
		ee_standby(nic, &eecd);
	}

	/* Deselect with a last clock, then give the interface back. */
	eecd &= ~(E1000_EECD_CS | E1000_EECD_DI);
	ee_write(nic, eecd);
	ee_write(nic, eecd | E1000_EECD_SK);
	ee_write(nic, eecd);
	eecd &= ~E1000_EECD_REQ;
	e1000_wr(nic, E1000_EECD, eecd);
	return 0;
}

int e1000_ee_read_eerd(struct e1000_nic *nic, unsigned first, unsigned count, uint16_t *words)
{
	for (unsigned i = 0; i < count; i++) {
		unsigned addr = first + i;
		uint64_t deadline = rdtsc() + tsc_from_us(EERD_TIMEOUT_US);
		uint32_t v;

		if (addr > 0xff)
			return E1000_EINVAL;
		e1000_wr(nic, E1000_EERD, E1000_EERD_START | addr << E1000_EERD_ADDR_SHIFT);
		while (!((v = e1000_rd(nic, E1000_EERD)) & E1000_EERD_DONE)) {
			if (tsc_expired(deadline)) {
				print("e1000: error: EERD word 0x%02x: DONE not set (0x%08x)\n",
				      addr, v);
				return E1000_ETIMEDOUT;
			}
			cpu_relax();
		}
		if (((v >> E1000_EERD_ADDR_SHIFT) & 0xff) != addr) {
			print("e1000: error: EERD word 0x%02x: register reads 0x%08x\n", addr, v);
			return E1000_EIO;
		}
		words[i] = (uint16_t)(v >> E1000_EERD_DATA_SHIFT);
	}
	return 0;
}

uint16_t e1000_ee_sum(const uint16_t *words)
{
	uint16_t sum = 0;

	for (unsigned i = 0; i < E1000_EE_CHECKSUM_WORDS; i++)
		sum = (uint16_t)(sum + words[i]);
	return sum;
}
