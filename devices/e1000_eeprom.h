/* SPDX-License-Identifier: MIT */
/*
 * The 82540EM's serial EEPROM (64 x 16-bit words, Microwire), as the guest
 * sees it through the EECD register (bit-banged: SK, CS, DI, DO, with the
 * REQ/GNT handshake) and through EERD (one-shot word reads). Intel 8254x
 * Family of Gigabit Ethernet Controllers Software Developer's Manual,
 * "EEPROM Interface" and "EEPROM/Flash Control/Data Register".
 *
 * This module owns the EECD and EERD register values; the e1000 model
 * forwards accesses to those registers here.
 */
#ifndef XTALK_DEVICES_E1000_EEPROM_H
#define XTALK_DEVICES_E1000_EEPROM_H

#include <stdbool.h>
#include <stdint.h>

#define E1000_EEPROM_WORDS 64
#define E1000_EEPROM_CHECKSUM_WORD 0x3f
#define E1000_EEPROM_SUM 0xbaba /* words 0x00..0x3f add up to this */

/* EECD bits */
#define E1000_EECD_SK (1U << 0)   /* clock */
#define E1000_EECD_CS (1U << 1)   /* chip select */
#define E1000_EECD_DI (1U << 2)   /* data in (to the EEPROM) */
#define E1000_EECD_DO (1U << 3)   /* data out (from the EEPROM) */
#define E1000_EECD_FWE_SHIFT 4    /* flash write enable, bits 5:4 */
#define E1000_EECD_REQ (1U << 6)  /* software requests direct access */
#define E1000_EECD_GNT (1U << 7)  /* hardware grants it */
#define E1000_EECD_PRES (1U << 8) /* EEPROM present */
#define E1000_EECD_SIZE (1U << 9) /* 0: 64 words (6 address bits) on the 82540EM */
#define E1000_EECD_FWE_MASK (3U << E1000_EECD_FWE_SHIFT)
#define E1000_EECD_FWE_DIS (1U << E1000_EECD_FWE_SHIFT) /* power-on value */
#define E1000_EECD_FWE_EN (2U << E1000_EECD_FWE_SHIFT)
/* The bits software drives and reads back; GNT, PRES and DO are the
 * device's, SIZE and everything above bit 9 read 0. */
#define E1000_EECD_SW_MASK (E1000_EECD_SK | E1000_EECD_CS | E1000_EECD_DI | \
			    E1000_EECD_FWE_MASK | E1000_EECD_REQ)

/* Microwire commands: start bit 1, then a 2-bit opcode, then 6 address bits.
 * Only READ is carried out; the others are accepted and ignored. */
#define E1000_EE_ADDR_BITS 6
#define E1000_EE_OP_BITS 2
#define E1000_EE_OP_READ 2  /* 10b */
#define E1000_EE_OP_WRITE 1 /* 01b */
#define E1000_EE_OP_ERASE 3 /* 11b */
#define E1000_EE_OP_MISC 0  /* 00b: EWEN/EWDS/ERAL/WRAL by address bits 5:4 */

/* Values of struct e1000_eeprom.state */
enum e1000_ee_state {
	E1000_EE_IDLE,   /* CS high, waiting for the start bit (DO = 1) */
	E1000_EE_CMD,    /* shifting in opcode and address (DO = 1) */
	E1000_EE_READ,   /* shifting data out on DO, sequential */
	E1000_EE_IGNORE, /* unsupported command: ignore clocks until CS low */
	E1000_EE_NSTATES
};

/* Word offsets of the image (see the table in e1000_eeprom.c) */
#define E1000_EEPROM_MAC 0x00 /* 3 words, byte 2n in the low byte of word n */
#define E1000_EEPROM_COMPAT 0x03
#define E1000_EEPROM_LED 0x04
#define E1000_EEPROM_PBA 0x08 /* 2 words */
#define E1000_EEPROM_ICW1 0x0a
#define E1000_EEPROM_SUBSYS_ID 0x0b
#define E1000_EEPROM_SUBSYS_VENDOR 0x0c
#define E1000_EEPROM_DEVICE_ID 0x0d
#define E1000_EEPROM_VENDOR_ID 0x0e
#define E1000_EEPROM_ICW2 0x0f
#define E1000_EEPROM_ICW3 0x24

/* The IDs the image carries (also what the PCI function must report) */
#define E1000_82540EM_VENDOR_ID 0x8086
#define E1000_82540EM_DEVICE_ID 0x100e
#define E1000_82540EM_SUBSYS_VENDOR_ID 0x8086
#define E1000_82540EM_SUBSYS_ID 0x001e

/* EERD bits (82540EM layout) */
#define E1000_EERD_START (1U << 0)
#define E1000_EERD_DONE (1U << 4)
#define E1000_EERD_ADDR_SHIFT 8
#define E1000_EERD_ADDR_MASK 0xffU
#define E1000_EERD_DATA_SHIFT 16
/* EERD addresses are 8 bits wide but a 64-word part decodes only the low 6:
 * an address >= 64 reads word (address & 63), as on the wire. */

struct e1000_eeprom {
	uint16_t word[E1000_EEPROM_WORDS];
	uint32_t eecd;   /* what the guest last wrote (SK, CS, DI, REQ, FWE) */
	uint32_t eerd;
	/* Microwire state machine: implementation-defined fields follow.
	 * Invariants after every call: state < E1000_EE_NSTATES, bits < 8,
	 * shift_in < 256, out_bits < 16, addr < 64. */
	unsigned state;    /* enum e1000_ee_state */
	unsigned bits;     /* bits shifted in for the current field */
	uint32_t shift_in;
	uint16_t shift_out; /* the word being shifted out (READ) */
	unsigned out_bits;  /* its bits already put on DO */
	uint8_t addr;       /* address of shift_out (READ) */
	bool do_bit;
	uint64_t reads;    /* complete word reads through either interface;
			    * kept across e1000_eeprom_reset() */
};

/* Fill a factory-like 82540EM image for this MAC address with a valid
 * checksum, and reset the interface state. */
void e1000_eeprom_init(struct e1000_eeprom *ee, const uint8_t mac[6]);
/* Reset the access interface (CTRL.RST); the contents stay. */
void e1000_eeprom_reset(struct e1000_eeprom *ee);
uint32_t e1000_eeprom_eecd_read(const struct e1000_eeprom *ee);
/* Only E1000_EECD_SW_MASK bits of val are taken. GNT follows REQ at once; the
 * SK/CS/DI pins act whether or not GNT is held (as on QEMU and the parts
 * without the handshake). */
void e1000_eeprom_eecd_write(struct e1000_eeprom *ee, uint32_t val);
uint32_t e1000_eeprom_eerd_read(const struct e1000_eeprom *ee);
/* With START: read the word at ADDR now; EERD becomes DATA | ADDR | DONE
 * (START self-clears). Without START: ADDR is stored, DATA and DONE (read-only
 * to software) keep their values. EERD never disturbs an EECD transfer. */
void e1000_eeprom_eerd_write(struct e1000_eeprom *ee, uint32_t val);

#endif
