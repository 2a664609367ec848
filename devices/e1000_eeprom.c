// SPDX-License-Identifier: MIT
/*
 * The 82540EM's 64-word Microwire EEPROM behind EECD (bit-banged) and EERD
 * (one-shot reads). Intel 8254x SDM, "EEPROM Interface", "EEPROM/Flash
 * Control/Data Register (EECD)", "EEPROM Read Register (EERD)" and the
 * EEPROM map.
 *
 * Microwire, as the EEPROM sees its pins while CS is high, sampling DI on
 * each rising edge of SK:
 *
 *   IDLE   --DI=1-->  CMD (2 opcode bits + 6 address bits)
 *   CMD    --8th bit, opcode 10b-->  READ: DO = 0 (the dummy bit), then each
 *          rising edge puts the next data bit on DO, MSB first; after the
 *          16th bit the next edge starts the next word (address + 1, mod 64)
 *   CMD    --any other opcode-->  IGNORE until CS goes low
 *
 * DO changes right after the rising edge, so a driver that raises SK, reads
 * DO and lowers SK (Linux's e1000_shift_in_ee_bits) sees D15 on the first
 * clock. Outside READ the EEPROM does not drive DO and it reads 1, which is
 * also the Microwire "ready" level Linux polls for after a write command.
 * CS low puts the machine back to IDLE.
 *
 * The part is write-protected here: WRITE (01b), ERASE (11b) and the 00b
 * group (EWEN, EWDS, ERAL, WRAL) are decoded, then ignored with DO high, so
 * a driver's write "completes" at once and leaves the contents unchanged.
 */
#include "devices/e1000_eeprom.h"

#include <string.h>

#define EE_CMD_BITS (E1000_EE_OP_BITS + E1000_EE_ADDR_BITS)
#define EE_ADDR_MASK (E1000_EEPROM_WORDS - 1)
#define EE_WORD_BITS 16
#define EERD_ADDR_FIELD (E1000_EERD_ADDR_MASK << E1000_EERD_ADDR_SHIFT)
#define EERD_DATA_FIELD (0xffffU << E1000_EERD_DATA_SHIFT)

/*
 * The image: what a factory-programmed 82540EM (PRO/1000 MT Desktop) EEPROM
 * holds where drivers look; the other words keep factory values.
 *
 *  word   value   meaning
 *  00-02  MAC     Ethernet address, byte 2n in bits 7:0 of word n
 *  03     0000    compatibility: add-in NIC, no manageability
 *  04     ffff    LED configuration unprogrammed: drivers use their default
 *  05     0000    image version
 *  06-07  0000    reserved on copper 82540EM (SerDes / PHY class words)
 *  08-09  3000    PBA number
 *         1000
 *  0a     6403    ICW1: signature 01b (15:14), full duplex (10), load
 *                 subsystem IDs (1) and vendor/device IDs (0) from here
 *  0b     001e    subsystem ID
 *  0c     8086    subsystem vendor ID
 *  0d     100e    device ID (82540EM)
 *  0e     8086    vendor ID (Intel)
 *  0f     3040    ICW2: pause and asymmetric pause (13:12), so drivers
 *                 default to full flow control
 *  10-1f  ...     second-port / manageability words, unused by a single
 *                 port 82540EM: factory values
 *  20     1008    software-defined pins control
 *  21     0000    circuit control
 *  22     0f04    D0 / D3 power consumption (PCI PM data)
 *  23     7fff    factory value
 *  24     4d01    ICW3: APME (10) set, wake-up enabled by default
 *  25-2f  ffff    unprogrammed
 *  30-32  0100    boot agent setup, configuration and version
 *         4000
 *         121c
 *  33-3e  ffff    unprogrammed
 *  3f     (sum)   0xbaba minus the sum of words 00-3e
 */
static const uint16_t ee_factory[E1000_EEPROM_WORDS] = {
	[0x03] = 0x0000, 0xffff, 0x0000, 0x0000, 0x0000,
	[0x08] = 0x3000, 0x1000,
	[E1000_EEPROM_ICW1] = 0x6403,
	[E1000_EEPROM_SUBSYS_ID] = E1000_82540EM_SUBSYS_ID,
	[E1000_EEPROM_SUBSYS_VENDOR] = E1000_82540EM_SUBSYS_VENDOR_ID,
	[E1000_EEPROM_DEVICE_ID] = E1000_82540EM_DEVICE_ID,
	[E1000_EEPROM_VENDOR_ID] = E1000_82540EM_VENDOR_ID,
	[E1000_EEPROM_ICW2] = 0x3040,
	[0x10] = 0x0008, 0x2000, 0x7e14, 0x0048, 0x1000, 0x00d8, 0x0000, 0x2700,
	[0x18] = 0x6cc9, 0x3150, 0x0722, 0x040b, 0x0984, 0x0000, 0xc000, 0x0706,
	[0x20] = 0x1008, 0x0000, 0x0f04, 0x7fff, 0x4d01, 0xffff, 0xffff, 0xffff,
	[0x28] = 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff,
	[0x30] = 0x0100, 0x4000, 0x121c, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff,
	[0x38] = 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff,
};

static uint16_t ee_sum(const uint16_t *w, unsigned n)
{
	uint16_t sum = 0;

	for (unsigned i = 0; i < n; i++)
		sum = (uint16_t)(sum + w[i]);
	return sum;
}

void e1000_eeprom_init(struct e1000_eeprom *ee, const uint8_t mac[6])
{
	memset(ee, 0, sizeof(*ee));
	memcpy(ee->word, ee_factory, sizeof(ee->word));
	for (unsigned i = 0; i < 3; i++)
		ee->word[E1000_EEPROM_MAC + i] =
			(uint16_t)(mac[2 * i] | (mac[2 * i + 1] << 8));
	ee->word[E1000_EEPROM_CHECKSUM_WORD] = (uint16_t)(E1000_EEPROM_SUM -
		ee_sum(ee->word, E1000_EEPROM_CHECKSUM_WORD));
	e1000_eeprom_reset(ee);
}

/* CS low: the EEPROM deselects, DO floats high. */
static void mw_idle(struct e1000_eeprom *ee)
{
	ee->state = E1000_EE_IDLE;
	ee->bits = 0;
	ee->shift_in = 0;
	ee->shift_out = 0;
	ee->out_bits = 0;
	ee->addr = 0;
	ee->do_bit = true;
}

void e1000_eeprom_reset(struct e1000_eeprom *ee)
{
	ee->eecd = E1000_EECD_FWE_DIS;
	ee->eerd = 0;
	mw_idle(ee);
}

uint32_t e1000_eeprom_eecd_read(const struct e1000_eeprom *ee)
{
	uint32_t v = (ee->eecd & E1000_EECD_SW_MASK) | E1000_EECD_PRES;

	if (v & E1000_EECD_REQ)
		v |= E1000_EECD_GNT;
	if (ee->do_bit)
		v |= E1000_EECD_DO;
	return v;
}

static void mw_load(struct e1000_eeprom *ee, unsigned addr)
{
	ee->addr = (uint8_t)(addr & EE_ADDR_MASK);
	ee->shift_out = ee->word[ee->addr];
	ee->out_bits = 0;
}

/* The 8th bit after the start bit: opcode and address are in. */
static void mw_command(struct e1000_eeprom *ee)
{
	unsigned op = (ee->shift_in >> E1000_EE_ADDR_BITS) & 3;

	if (op == E1000_EE_OP_READ) {
		mw_load(ee, ee->shift_in);
		ee->state = E1000_EE_READ;
		ee->do_bit = false;	/* the dummy 0 before D15 */
	} else {
		ee->state = E1000_EE_IGNORE;
		ee->do_bit = true;
	}
	ee->bits = 0;
	ee->shift_in = 0;
}

static void mw_shift_out(struct e1000_eeprom *ee)
{
	unsigned bit = (EE_WORD_BITS - 1 - ee->out_bits) & (EE_WORD_BITS - 1);

	ee->do_bit = (ee->shift_out >> bit) & 1;
	if (++ee->out_bits >= EE_WORD_BITS) {
		ee->reads++;
		mw_load(ee, ee->addr + 1U);	/* sequential read */
	}
}

/* A rising edge of SK with CS high. */
static void mw_clock(struct e1000_eeprom *ee, bool di)
{
	switch (ee->state) {
	case E1000_EE_IDLE:
		if (di)		/* leading zeros are not start bits */
			ee->state = E1000_EE_CMD;
		break;
	case E1000_EE_CMD:
		ee->shift_in = (ee->shift_in << 1) | di;
		if (++ee->bits >= EE_CMD_BITS)
			mw_command(ee);
		break;
	case E1000_EE_READ:
		mw_shift_out(ee);
		break;
	default:
		ee->state = E1000_EE_IGNORE;
		break;
	}
}

void e1000_eeprom_eecd_write(struct e1000_eeprom *ee, uint32_t val)
{
	bool rising = (val & E1000_EECD_SK) && !(ee->eecd & E1000_EECD_SK);

	ee->eecd = val & E1000_EECD_SW_MASK;
	if (!(val & E1000_EECD_CS))
		mw_idle(ee);
	else if (rising)
		mw_clock(ee, val & E1000_EECD_DI);
}

uint32_t e1000_eeprom_eerd_read(const struct e1000_eeprom *ee)
{
	return ee->eerd;
}

void e1000_eeprom_eerd_write(struct e1000_eeprom *ee, uint32_t val)
{
	uint32_t addr = (val >> E1000_EERD_ADDR_SHIFT) & E1000_EERD_ADDR_MASK;
	uint16_t data;

	if (!(val & E1000_EERD_START)) {
		ee->eerd = (ee->eerd & (EERD_DATA_FIELD | E1000_EERD_DONE)) |
			   (addr << E1000_EERD_ADDR_SHIFT);
		return;
	}
	data = ee->word[addr & EE_ADDR_MASK];
	ee->eerd = ((uint32_t)data << E1000_EERD_DATA_SHIFT) |
		   (addr << E1000_EERD_ADDR_SHIFT) | E1000_EERD_DONE;
	ee->reads++;
}
