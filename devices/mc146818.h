/* SPDX-License-Identifier: MIT */
/*
 * Model of a PC's Motorola MC146818 real-time clock with its CMOS RAM.
 * Register layout and behaviour follow the MC146818A datasheet (sections
 * "Address Map", "Time, Calendar and Alarm Locations", "Update Cycle",
 * "Control Registers" A-D, "Interrupts", "Divider Stages", "Square-Wave
 * Output Selection" for the periodic rates); the wiring is the PC one: index
 * port 0x70 whose bit 7 disables NMI, data port 0x71, IRQ 8, a 32.768 kHz
 * crystal. The PC uses of the CMOS RAM follow the IBM AT BIOS (memory size
 * bytes, checksum) and QEMU/SeaBIOS (memory above 4 GiB).
 *
 * Time: every entry point takes now_ns, the VMM's monotonically increasing
 * count of nanoseconds (the guest's time); the model never reads a clock.
 * The divider chain is a count of 32.768 kHz pulses derived from now_ns
 * (devices/timebase.h); its position modulo 32768 places every event:
 *
 *   pulse 16376  UIP set (244 us before the update cycle starts)
 *   pulse 16384  update cycle starts (half a second after a divider reset)
 *   pulse 16449  update cycle ends (1984 us later): the time and calendar
 *                advance by one second, UF is set, the alarm is compared
 *                (AF), UIP clears
 *   pulse k * P  PF, for the periodic rate P of RS3-RS0
 *
 * Events between two calls are applied at the next call, in order; the VMM
 * asks mc146818_irq() for the IRQ 8 level after each port access and
 * mc146818_next_event() for when to ask again.
 *
 * Choices where the datasheet leaves room:
 *
 * - Reset state as a PC BIOS leaves it: register A = 0x26 (32.768 kHz time
 *   base, 1024 Hz periodic rate), B = 0x02 (24-hour, BCD, no interrupts),
 *   C = 0, D = 0x80 (VRT), the date and time the caller gives (the VMM reads
 *   the machine's RTC), the century in byte 0x32 (BCD), the rest of the RAM
 *   zero until mc146818_set_memory() fills the memory-size bytes. The first
 *   update cycle ends one second after mc146818_init().
 * - The time and calendar are kept as numbers and shown in the format
 *   register B asks for at each read (BCD or binary, 12- or 24-hour; PM is
 *   bit 7 of the hour in 12-hour mode) and interpreted in that format at
 *   each write. On the chip, changing DM or 24/12 without rewriting the time
 *   garbles it; here the time stays right. The alarm bytes are stored as
 *   written and compared with the time in the current format; an alarm byte
 *   with bits 7:6 = 11 (0xc0-0xff) matches any value.
 * - Values out of range (written by the guest) roll over at the next carry:
 *   a seconds value of 60 or more becomes 0 with a carry, and so on; a day
 *   at or past the month's last day goes to day 1 of the next month.
 * - Leap years are the chip's: years divisible by 4 (right from 1901 to
 *   2099). When the year goes from 99 to 00 the century byte 0x32 is
 *   incremented in BCD (the chip has no century; QEMU does the same).
 * - Register reads during the update cycle (UIP = 1) return the time before
 *   the update, consistently (the datasheet calls them undefined).
 * - SET = 1 stops the updates (time stands still, no UF, no AF, UIP reads
 *   0) while the divider keeps running, so PF continues and the next update
 *   comes on the usual second boundary after SET is cleared. Setting SET
 *   clears UIE, as the datasheet says.
 * - Divider: DV2-DV0 = 010 runs the chain; any other value stops it (110 and
 *   111 are the datasheet's reset; 000 and 001 select crystals a PC does not
 *   have). Going back to 010 restarts the chain at 0: the first update cycle
 *   begins half a second later.
 * - Register C reads clear IRQF, PF, AF and UF (and so IRQ 8); C and D are
 *   read-only; D reads 0x80. Bit 7 of A (UIP) is read-only.
 * - Port 0x70 reads 0xff (write-only on a PC); the NMI mask bit is stored
 *   for the VMM (mc146818_nmi_masked()).
 * - Not modelled: daylight saving (DSE is stored only), the square-wave pin
 *   (SQWE stored only), the 0x72/0x73 upper RAM bank, the time a port access
 *   takes.
 */
#ifndef XTALK_DEVICES_MC146818_H
#define XTALK_DEVICES_MC146818_H

#include <stdbool.h>
#include <stdint.h>

#define RTC_HZ			32768u
#define RTC_INDEX_PORT		0x70
#define RTC_DATA_PORT		0x71
#define RTC_INDEX_NMI_DIS	(1u << 7)
#define RTC_INDEX_MASK		0x7fu
#define RTC_CMOS_SIZE		128

/* Time, calendar and alarm bytes. */
#define RTC_SECONDS		0x00
#define RTC_SECONDS_ALARM	0x01
#define RTC_MINUTES		0x02
#define RTC_MINUTES_ALARM	0x03
#define RTC_HOURS		0x04
#define RTC_HOURS_ALARM		0x05
#define RTC_DAY_OF_WEEK		0x06	/* 1 = Sunday */
#define RTC_DAY_OF_MONTH	0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d

#define RTC_ALARM_DONT_CARE	0xc0u	/* bits 7:6 both set */
#define RTC_HOURS_PM		0x80u	/* 12-hour mode */

/* Register A. */
#define RTC_A_UIP		(1u << 7)
#define RTC_A_DV_SHIFT		4
#define RTC_A_DV_MASK		(7u << RTC_A_DV_SHIFT)
#define RTC_A_DV_32KHZ		(2u << RTC_A_DV_SHIFT)
#define RTC_A_RS_MASK		0x0fu

/* Register B. */
#define RTC_B_SET		(1u << 7)
#define RTC_B_PIE		(1u << 6)
#define RTC_B_AIE		(1u << 5)
#define RTC_B_UIE		(1u << 4)
#define RTC_B_SQWE		(1u << 3)
#define RTC_B_DM		(1u << 2)	/* 1 = binary, 0 = BCD */
#define RTC_B_24H		(1u << 1)
#define RTC_B_DSE		(1u << 0)

/* Register C. */
#define RTC_C_IRQF		(1u << 7)
#define RTC_C_PF		(1u << 6)
#define RTC_C_AF		(1u << 5)
#define RTC_C_UF		(1u << 4)

/* Register D. */
#define RTC_D_VRT		(1u << 7)

/* PC CMOS RAM bytes. */
#define CMOS_CHECKSUM_FIRST	0x10	/* AT checksum covers 0x10-0x2d ... */
#define CMOS_CHECKSUM_LAST	0x2d
#define CMOS_CHECKSUM_HI	0x2e	/* ... stored big-endian at 0x2e-0x2f */
#define CMOS_CHECKSUM_LO	0x2f
#define CMOS_BASE_MEM_LO	0x15	/* base memory, KiB */
#define CMOS_BASE_MEM_HI	0x16
#define CMOS_EXT_MEM_LO		0x17	/* memory above 1 MiB, KiB, max 0xffff */
#define CMOS_EXT_MEM_HI		0x18
#define CMOS_EXT_MEM2_LO	0x30	/* the same, as POST found it */
#define CMOS_EXT_MEM2_HI	0x31
#define CMOS_CENTURY		0x32	/* BCD */
#define CMOS_MEM_16M_LO		0x34	/* memory above 16 MiB, 64 KiB units */
#define CMOS_MEM_16M_HI		0x35
#define CMOS_MEM_4G_LO		0x5b	/* memory above 4 GiB, 64 KiB units, 24 bits */
#define CMOS_MEM_4G_MID		0x5c
#define CMOS_MEM_4G_HI		0x5d

/* Divider chain positions (32.768 kHz pulses, modulo one second). */
#define RTC_POS_UPDATE		16384u	/* update cycle starts */
#define RTC_POS_UIP		(RTC_POS_UPDATE - 8)	/* 244 us before */
#define RTC_POS_UPDATE_END	(RTC_POS_UPDATE + 65)	/* 1984 us long */

/* A date and time for mc146818_init(): year 1900-2099, mon 1-12, hour 0-23. */
struct mc146818_tm {
	uint16_t year;
	uint8_t mon, mday, hour, min, sec;
};

struct mc146818 {
	uint8_t cmos[RTC_CMOS_SIZE];	/* RAM; A (bits 6:0), B, alarms at their index */
	uint8_t sec, min, hour, wday, mday, mon, year;	/* binary, hour 0-23, year 0-99 */
	uint8_t flags;			/* register C PF | AF | UF */
	uint8_t index;			/* port 0x70 bits 6:0 */
	bool nmi_disabled;		/* port 0x70 bit 7 */
	bool running;			/* divider chain runs (DV = 010) */
	uint64_t base_ns, base_pos;	/* chain position base_pos at base_ns */
	uint64_t last_ns, last_pos;	/* state is up to date at last_ns */
};

/* Reset state (see above) with the date and time tm at now_ns. */
void mc146818_init(struct mc146818 *rtc, const struct mc146818_tm *tm, uint64_t now_ns);

/*
 * The PC memory-size bytes and the AT checksum: base_kib of conventional
 * memory (at most 640), below_4g bytes of RAM from 0 to its end below 4 GiB,
 * above_4g bytes of RAM at and above 4 GiB.
 */
void mc146818_set_memory(struct mc146818 *rtc, uint32_t base_kib, uint64_t below_4g,
			 uint64_t above_4g);

/* Port access, ports 0x70 and 0x71; other ports read 0xff. */
uint8_t mc146818_io_read(struct mc146818 *rtc, uint16_t port, uint64_t now_ns);
void mc146818_io_write(struct mc146818 *rtc, uint16_t port, uint8_t val, uint64_t now_ns);
bool mc146818_claims_port(uint16_t port);

/* Level of IRQ 8 at now_ns: register C's IRQF (applies events up to now_ns). */
bool mc146818_irq(struct mc146818 *rtc, uint64_t now_ns);

/*
 * The first nanosecond after now_ns at which IRQ 8 may rise: the next
 * periodic pulse (PIE) or update cycle end (UIE, AIE; with AIE it may turn
 * out that the alarm does not match, then the VMM just asks again).
 * TB_NEVER when IRQ 8 is already high (it stays so until register C is read)
 * or no interrupt is enabled.
 */
uint64_t mc146818_next_event(struct mc146818 *rtc, uint64_t now_ns);

/* Port 0x70 bit 7 as last written (NMI disabled). */
bool mc146818_nmi_masked(const struct mc146818 *rtc);

#endif
