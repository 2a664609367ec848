/* SPDX-License-Identifier: MIT */
/*
 * Model of a PC's Intel 8254 programmable interval timer plus the NMI status
 * and control register ("port B", 0x61) that gates counter 2 and shows its
 * output. Behaviour follows the Intel 8254 datasheet (sections "Control Word
 * Register", "Write Operations", "Read Operations" with "Counter Latch
 * Command" and "Read-Back Command", "Mode Definitions" for modes 0-5, "Gate"
 * and the table "Minimum and Maximum Initial Counts"); the wiring is the PC
 * one: input clock 1.193182 MHz on all three counters, counter 0's OUT on
 * IRQ 0, GATE0 and GATE1 tied high, GATE2 = port 0x61 bit 0, OUT2 read back
 * in port 0x61 bit 5 (PIIX/ICH datasheets, "NMI Status and Control").
 *
 * Time: every entry point takes now_ns, the VMM's monotonically increasing
 * count of nanoseconds (the guest's time). The model never reads a clock.
 * Pulse i of the input clock happens at the first nanosecond where
 * tb_ticks(ns, PIT_HZ) = i (devices/timebase.h); a time earlier than one
 * already passed to a function that changes state is taken as that time.
 * Nothing is stored per pulse: each counter keeps the pulse at which its
 * counting element (CE) was last loaded, the count, and the level before it,
 * and CE and OUT are computed from them for any later time. So the model
 * needs no periodic callback: the VMM asks pit_out() for the level of OUT0
 * (IRQ 0) after each port access and pit_next_rise() for the time of the next
 * rising edge of OUT0 to schedule its timer (IRQ 0 is edge-triggered on the
 * 8259: one interrupt per rising edge in modes 2 and 3).
 *
 * Counting follows the datasheet's pulse accounting: after a count is
 * written, CE is loaded on the next pulse (call it L) and decremented on each
 * pulse after it. Mode 0: OUT low from the control word, high at L + N (N + 1
 * pulses after the write). Mode 1: OUT low from the pulse after a GATE rising
 * edge until N pulses later. Mode 2: OUT low for one pulse when CE is 1, then
 * CE is reloaded: rising edges at L + N, L + 2N, ... Mode 3: OUT high for
 * ceil(N/2) pulses and low for floor(N/2), rising edges at L + N, L + 2N, ...;
 * CE decrements by two (odd counts load N - 1 and read 0 in the last high
 * pulse, as the datasheet's description implies). Mode 4: OUT low for the one
 * pulse L + N. Mode 5: like 4, started by a GATE rising edge. In modes 0, 1, 4
 * and 5 CE keeps decrementing after the terminal count and wraps (0xffff, or
 * 9999 in BCD). A new count takes effect on the next pulse in modes 0 and 4,
 * at the next trigger in modes 1 and 5, at the end of the current cycle in
 * mode 2 and of the current half cycle in mode 3.
 *
 * Choices where the datasheet leaves room:
 *
 * - Reset state: every counter as after control word 0x36 (LSB then MSB,
 *   mode 3, binary) with no count (OUT high, no edges), and counter 0 then
 *   given the count 0 (65536: 18.2 Hz), which is how a PC BIOS leaves it.
 *   Port 0x61 bits 3:0 are 0 (GATE2 low, speaker off).
 * - A control word resets the read and write flip-flops and drops a latched
 *   count or status not yet read. CE keeps the value it had until the new
 *   count is loaded (reads in between return it).
 * - Counts of 1 in modes 2 and 3 (the datasheet's minimum is 2) count as 2.
 *   BCD digits above 9 count as 9. A count of 0 is 65536 (10000 in BCD).
 * - Mode 3 with an odd count reads N - 1, N - 3, ..., 0 while OUT is high
 *   and N - 1, ..., 2 while it is low.
 * - A count written in mode 2 or 3 while GATE is low is loaded at the next
 *   GATE rising edge (null count stays set until then); GATE low stops
 *   counting, holds CE and forces OUT high; a rising edge reloads CE on the
 *   next pulse. In modes 0 and 4 GATE low holds CE (OUT unchanged) and
 *   counting resumes on the pulse after GATE rises. In modes 1 and 5 only the
 *   rising edge matters. Only GATE2 can change; GATE0 and GATE1 are high.
 * - Mode 0 with LSB-then-MSB access: writing the first byte stops counting
 *   and sets OUT low at once, the second byte loads the count on the next
 *   pulse (datasheet). In mode 4 the first byte has no effect.
 * - Status byte: OUTPUT (bit 7) and NULL COUNT (bit 6, set from a control
 *   word or count write until the count is loaded into CE) then the control
 *   word's bits 5:0 as written (modes 6 and 7 read back as written but run
 *   as 2 and 3). Read-back latching a counter whose count or status is
 *   already latched keeps the older latch, as the datasheet says.
 * - Port 0x43 reads 0xff (the control word register is write-only).
 * - Port 0x61: bits 3:0 are read/write (GATE2, SPKR_DAT_EN, and the PCI
 *   SERR# and IOCHK# NMI disables, stored only), bit 4 toggles every 15.085
 *   us of guest time (REF_TOGGLE, derived from now_ns), bit 5 is OUT2, bits
 *   7:6 (SERR# and IOCHK# NMI sources) read 0. Writes to bits 7:4 are
 *   ignored.
 * - Not modelled: the speaker (bit 1 is only stored), counter 1's OUT
 *   (refresh, unused on a PC that has no DRAM refresh by 8254), the time a
 *   port access itself takes.
 */
#ifndef XTALK_DEVICES_PIT8254_H
#define XTALK_DEVICES_PIT8254_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ			1193182u	/* input clock: 14.31818 MHz / 12 */
#define PIT_NR_COUNTERS		3

/* Ports (PC). */
#define PIT_CH0			0x40
#define PIT_CH1			0x41
#define PIT_CH2			0x42
#define PIT_MODE		0x43	/* control word register (write-only) */
#define PIT_PORT_B		0x61	/* NMI status and control */

/* Control word (port 0x43): SC1 SC0 RW1 RW0 M2 M1 M0 BCD. */
#define PIT_CW_BCD		(1u << 0)
#define PIT_CW_M_SHIFT		1
#define PIT_CW_M_MASK		(7u << PIT_CW_M_SHIFT)
#define PIT_CW_RW_SHIFT		4
#define PIT_CW_RW_MASK		(3u << PIT_CW_RW_SHIFT)
#define PIT_CW_SC_SHIFT		6
#define PIT_CW_BITS		0x3fu	/* the part the status byte reports */

#define PIT_RW_LATCH		0	/* counter latch command */
#define PIT_RW_LSB		1
#define PIT_RW_MSB		2
#define PIT_RW_LSB_MSB		3
#define PIT_SC_READBACK		3

/* Read-back command: SC = 11, then COUNT# STATUS# CNT2 CNT1 CNT0 0. */
#define PIT_RB_CNT(n)		(1u << (1 + (n)))
#define PIT_RB_STATUS_N		(1u << 4)	/* 0 = latch status */
#define PIT_RB_COUNT_N		(1u << 5)	/* 0 = latch count */

/* Status byte (read-back). */
#define PIT_ST_OUTPUT		(1u << 7)
#define PIT_ST_NULL_COUNT	(1u << 6)

/* Port 0x61. */
#define PORTB_TIM2_GATE		(1u << 0)
#define PORTB_SPKR_DAT_EN	(1u << 1)
#define PORTB_PCI_SERR_DIS	(1u << 2)
#define PORTB_IOCHK_DIS		(1u << 3)
#define PORTB_REF_TOGGLE	(1u << 4)
#define PORTB_TMR2_OUT		(1u << 5)
#define PORTB_IOCHK_STS		(1u << 6)
#define PORTB_SERR_STS		(1u << 7)
#define PORTB_WRITABLE		0x0fu
#define PORTB_REFRESH_NS	15085u	/* REF_TOGGLE half period */

/* A stretch of counting: CE loaded with n at pulse t0, phase offset off. */
struct pit_seg {
	uint64_t t0;
	uint32_t n;		/* count in binary, 1..65536 (2.. in modes 2, 3) */
	uint32_t off;		/* mode 3 starting in its low half: ceil(n/2) */
	bool rise0;		/* OUT rises at t0 */
};

enum pit_run {
	PIT_IDLE,		/* control word written, no count */
	PIT_ARMED,		/* count written, waiting for a GATE rising edge */
	PIT_RUN,		/* seg describes the counting */
};

struct pit_channel {
	uint8_t cw;		/* control word bits 5:0 */
	uint8_t run;		/* enum pit_run */
	uint16_t cr;		/* count register as written */
	uint8_t cr_lsb;		/* first byte of an LSB-then-MSB write */
	bool wr_msb, rd_msb;	/* write / read flip-flops: next byte is the MSB */
	bool ol_valid, st_valid;	/* a count / status is latched */
	uint16_t ol;		/* output latch */
	uint8_t st;		/* latched status */
	bool gate;
	bool stopped;		/* counting held (GATE low, or mode 0 first byte) */
	bool wr_hold;		/* mode 0 first byte written: OUT low */
	uint64_t k_held;	/* pulses counted when it stopped */
	bool out_before;	/* OUT before seg.t0 */
	uint32_t ce_hold;	/* CE (binary) before seg.t0 */
	struct pit_seg seg;
	bool pend;		/* modes 2, 3: a new count starts at next.t0 */
	struct pit_seg next;
	uint64_t null_until;	/* the written count is loaded at this pulse */
};

struct pit8254 {
	struct pit_channel ch[PIT_NR_COUNTERS];
	uint8_t portb;		/* port 0x61 bits 3:0 */
	uint64_t last_ns;	/* latest time seen by a state change */
};

/* Reset state (see above) at time now_ns. */
void pit_init(struct pit8254 *pit, uint64_t now_ns);

/* Port access, ports 0x40-0x43 and 0x61; other ports read 0xff. */
uint8_t pit_io_read(struct pit8254 *pit, uint16_t port, uint64_t now_ns);
void pit_io_write(struct pit8254 *pit, uint16_t port, uint8_t val, uint64_t now_ns);
bool pit_claims_port(uint16_t port);

/* Level of counter ch's OUT at now_ns (counter 0: the IRQ 0 line). */
bool pit_out(const struct pit8254 *pit, unsigned ch, uint64_t now_ns);

/*
 * The first nanosecond after now_ns at which counter ch's OUT rises, as
 * things stand (a later port write may change it); TB_NEVER when OUT will not
 * rise without a port write. pit_out() is low just before it and high at it.
 */
uint64_t pit_next_rise(const struct pit8254 *pit, unsigned ch, uint64_t now_ns);

#endif
