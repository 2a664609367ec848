/* SPDX-License-Identifier: MIT */
/*
 * Ensoniq AudioPCI ES1370 register offsets and bits (the 64-byte I/O BAR),
 * and the AK4531 codec's register numbers. Names follow Linux's
 * sound/pci/ens1370.c (the ES1370 parts) and include/sound/ak4531_codec.h;
 * fields are given as shift and mask.
 *
 * The window at 0x30..0x3f is paged: ES_REG_MEM_PAGE selects which
 * registers it shows (ES_PAGE_*).
 */
#ifndef XTALK_DEVICES_ES1370_REGS_H
#define XTALK_DEVICES_ES1370_REGS_H

/* ---------------------------------------------------------- register offsets */
#define ES_REG_CONTROL		0x00	/* interrupt/chip select control (R/W) */
#define ES_REG_STATUS		0x04	/* interrupt/chip select status (RO, 32-bit only) */
#define ES_REG_UART_DATA	0x08	/* UART data (byte) */
#define ES_REG_UART_STATUS	0x09	/* UART status (read, byte) */
#define ES_REG_UART_CONTROL	0x09	/* UART control (write, byte) */
#define ES_REG_UART_RES		0x0a	/* UART reserved/test (byte) */
#define ES_REG_MEM_PAGE		0x0c	/* memory page select of 0x30..0x3f */
#define ES_REG_1370_CODEC	0x10	/* AK4531 write: (reg << 8) | data (WO, 16/32-bit) */
#define ES_REG_SERIAL		0x20	/* serial interface control */
#define ES_REG_DAC1_COUNT	0x24	/* DAC1 sample count (16/32-bit) */
#define ES_REG_DAC2_COUNT	0x28	/* DAC2 sample count (16/32-bit) */
#define ES_REG_ADC_COUNT	0x2c	/* ADC sample count (16/32-bit) */
#define ES_REG_PAGED		0x30	/* start of the paged window (32-bit only) */

/* In page ES_PAGE_DAC */
#define ES_REG_DAC1_FRAME	0x30	/* DAC1 frame address */
#define ES_REG_DAC1_SIZE	0x34	/* DAC1 frame size / current count */
#define ES_REG_DAC2_FRAME	0x38	/* DAC2 frame address */
#define ES_REG_DAC2_SIZE	0x3c	/* DAC2 frame size / current count */
/* In page ES_PAGE_ADC */
#define ES_REG_ADC_FRAME	0x30	/* ADC frame address */
#define ES_REG_ADC_SIZE		0x34	/* ADC frame size / current count */
#define ES_REG_PHANTOM_FRAME	0x38	/* phantom frame address */
#define ES_REG_PHANTOM_COUNT	0x3c	/* phantom frame count */
/* In pages ES_PAGE_UART and ES_PAGE_UART1: the UART FIFO */
#define ES_REG_UART_FIFO	0x30

#define ES_PAGE_DAC		0x0c
#define ES_PAGE_ADC		0x0d
#define ES_PAGE_UART		0x0e
#define ES_PAGE_UART1		0x0f
#define ES_MEM_PAGE_MASK	0x0000000fu

/* ---------------------------------------------------------- ES_REG_CONTROL */
#define ES_1370_ADC_STOP	(1u << 31)	/* stop capture buffer transfers */
#define ES_1370_XCTL1		(1u << 30)	/* general purpose output (mic bias) */
#define ES_1370_OPEN		(1u << 29)	/* no function, reads back */
#define ES_1370_PCLKDIV_SHIFT	16		/* DAC2/ADC clock divider */
#define ES_1370_PCLKDIV_MASK	(0x1fffu << 16)
#define ES_MSFMTSEL		(1u << 15)	/* MPEG serial format: 0 Sony, 1 I2S */
#define ES_1370_M_SBB		(1u << 14)	/* DAC clock: 0 generator, 1 MPEG */
#define ES_1370_WTSRSEL_SHIFT	12		/* DAC1 fixed rate select */
#define ES_1370_WTSRSEL_MASK	(0x3u << 12)
#define ES_1370_DAC_SYNC	(1u << 11)	/* DACs synchronous */
#define ES_CCB_INTRM		(1u << 10)	/* CCB voice interrupts enable */
#define ES_1370_M_CB		(1u << 9)	/* capture clock: 0 ADC, 1 MPEG */
#define ES_1370_XCTL0		(1u << 8)	/* general purpose output (line in/out) */
#define ES_BREQ			(1u << 7)	/* memory bus request enable */
#define ES_DAC1_EN		(1u << 6)	/* DAC1 playback channel enable */
#define ES_DAC2_EN		(1u << 5)	/* DAC2 playback channel enable */
#define ES_ADC_EN		(1u << 4)	/* ADC capture channel enable */
#define ES_UART_EN		(1u << 3)	/* UART enable */
#define ES_JYSTK_EN		(1u << 2)	/* joystick module enable */
#define ES_1370_CDC_EN		(1u << 1)	/* codec interface enable */
#define ES_1370_SERR_DISABLE	(1u << 0)	/* PCI SERR# disable */

/* The DAC2/ADC sample clock: rate = ES_1370_SRCLOCK / (PCLKDIV + 2). The
 * DAC1 fixed rates are the same clock divided by 256, 128, 64 or 32. */
#define ES_1370_SRCLOCK		1411200u

/* ---------------------------------------------------------- ES_REG_STATUS */
#define ES_INTR			(1u << 31)	/* an interrupt is pending */
#define ES_1370_CSTAT		(1u << 10)	/* codec busy or write in progress */
#define ES_1370_CBUSY		(1u << 9)	/* codec busy */
#define ES_1370_CWRIP		(1u << 8)	/* codec register write in progress */
#define ES_1370_VC_SHIFT	5		/* CCB voice code */
#define ES_1370_VC_MASK		(0x3u << 5)
#define ES_MCCB			(1u << 4)	/* CCB interrupt pending */
#define ES_UART			(1u << 3)	/* UART interrupt pending */
#define ES_DAC1			(1u << 2)	/* DAC1 interrupt pending */
#define ES_DAC2			(1u << 1)	/* DAC2 interrupt pending */
#define ES_ADC			(1u << 0)	/* ADC interrupt pending */

/* ---------------------------------------------------------- UART */
/* ES_REG_UART_STATUS (read) */
#define ES_RXINT		(1u << 7)	/* receive interrupt occurred */
#define ES_TXINT		(1u << 2)	/* transmit interrupt occurred */
#define ES_TXRDY		(1u << 1)	/* transmitter ready */
#define ES_RXRDY		(1u << 0)	/* receiver has a byte */
/* ES_REG_UART_CONTROL (write) */
#define ES_RXINTEN		(1u << 7)	/* receive interrupt enable */
#define ES_TXINTEN_SHIFT	5		/* transmit interrupt enable field */
#define ES_TXINTEN_MASK		(0x3u << 5)
#define ES_CNTRL_MASK		0x3u		/* control; 3 = software reset */
/* ES_REG_UART_RES */
#define ES_TEST_MODE		(1u << 0)
/* ES_REG_UART_FIFO */
#define ES_REG_UF_VALID		(1u << 8)	/* the byte is valid */
#define ES_REG_UF_BYTE_MASK	0xffu

/* ---------------------------------------------------------- ES_REG_1370_CODEC */
#define ES_1370_CODEC_ADDR_SHIFT 8
#define ES_1370_CODEC_ADDR_MASK	(0xffu << 8)
#define ES_1370_CODEC_DATA_MASK	0xffu

/* ---------------------------------------------------------- ES_REG_SERIAL */
#define ES_P2_END_INC_SHIFT	19		/* DAC2 byte increment at loop end */
#define ES_P2_END_INC_MASK	(0x7u << 19)
#define ES_P2_ST_INC_SHIFT	16		/* DAC2 byte increment at loop start */
#define ES_P2_ST_INC_MASK	(0x7u << 16)
#define ES_R1_LOOP_SEL		(1u << 15)	/* ADC: 0 loop, 1 stop at the frame end */
#define ES_P2_LOOP_SEL		(1u << 14)	/* DAC2: 0 loop, 1 stop */
#define ES_P1_LOOP_SEL		(1u << 13)	/* DAC1: 0 loop, 1 stop */
#define ES_P2_PAUSE		(1u << 12)	/* DAC2: 1 pause */
#define ES_P1_PAUSE		(1u << 11)	/* DAC1: 1 pause */
#define ES_R1_INT_EN		(1u << 10)	/* ADC interrupt enable (0 clears) */
#define ES_P2_INT_EN		(1u << 9)	/* DAC2 interrupt enable (0 clears) */
#define ES_P1_INT_EN		(1u << 8)	/* DAC1 interrupt enable (0 clears) */
#define ES_P1_SCT_RLD		(1u << 7)	/* reload DAC1's sample counter */
#define ES_P2_DAC_SEN		(1u << 6)	/* DAC2 stopped: 0 zeros, 1 last sample */
#define ES_R1_MODE_SHIFT	4		/* ADC mode */
#define ES_R1_MODE_MASK		(0x3u << 4)
#define ES_P2_MODE_SHIFT	2		/* DAC2 mode */
#define ES_P2_MODE_MASK		(0x3u << 2)
#define ES_P1_MODE_SHIFT	0		/* DAC1 mode */
#define ES_P1_MODE_MASK		(0x3u << 0)
/* A mode field: bit 0 stereo, bit 1 16-bit (0 8-bit mono ... 3 16-bit stereo). */
#define ES_MODE_STEREO		0x1u
#define ES_MODE_16BIT		0x2u

/* ---------------------------------------------------------- sample count registers */
#define ES_REG_COUNT_MASK	0x0000ffffu	/* samples per interrupt - 1 */
#define ES_REG_CURR_COUNT_SHIFT	16		/* samples left - 1 (read only) */

/* ---------------------------------------------------------- frame size registers */
#define ES_REG_FSIZE_MASK	0x0000ffffu	/* frame length in 32-bit words - 1 */
#define ES_REG_FCURR_COUNT_SHIFT 16		/* current 32-bit word in the frame */

/* ---------------------------------------------------------- AK4531 codec registers */
#define AK4531_LMASTER		0x00	/* master volume left */
#define AK4531_RMASTER		0x01	/* master volume right */
#define AK4531_LVOICE		0x02	/* voice (DAC2) volume left */
#define AK4531_RVOICE		0x03	/* voice (DAC2) volume right */
#define AK4531_LFM		0x04	/* FM (DAC1) volume left */
#define AK4531_RFM		0x05	/* FM (DAC1) volume right */
#define AK4531_LCD		0x06
#define AK4531_RCD		0x07
#define AK4531_LLINE		0x08
#define AK4531_RLINE		0x09
#define AK4531_LAUXA		0x0a
#define AK4531_RAUXA		0x0b
#define AK4531_MONO1		0x0c
#define AK4531_MONO2		0x0d
#define AK4531_MIC		0x0e
#define AK4531_MONO_OUT		0x0f
#define AK4531_OUT_SW1		0x10	/* output mixer switches */
#define AK4531_OUT_SW2		0x11
#define AK4531_LIN_SW1		0x12	/* input mixer switches */
#define AK4531_RIN_SW1		0x13
#define AK4531_LIN_SW2		0x14
#define AK4531_RIN_SW2		0x15
#define AK4531_RESET		0x16	/* bit 0 RST# (0 = reset), bit 1 PD# (0 = power down) */
#define AK4531_CLOCK		0x17	/* clock select */
#define AK4531_AD_IN		0x18	/* A/D input select */
#define AK4531_MIC_GAIN		0x19	/* mic amplifier gain */
#define AK4531_NREGS		0x1a

#endif
