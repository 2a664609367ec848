/* SPDX-License-Identifier: MIT */
/*
 * Ensoniq AudioPCI ES1370 (PCI 1274:5000) registers and bits, and the
 * registers of its AK4531 codec, with the names Linux uses in
 * sound/pci/ens1370.c and include/sound/ak4531_codec.h. The ES1370 has one
 * 64-byte I/O BAR (BAR0); offsets below are from its base. Only what the
 * guest driver uses, plus the neighbours that explain the layout.
 */
#ifndef XTALK_GUEST_ES1370_REGS_H
#define XTALK_GUEST_ES1370_REGS_H

#include <stdint.h>

#define ES1370_VENDOR 0x1274
#define ES1370_DEVICE 0x5000
#define ES1370_IO_SIZE 64

/* ---------------------------------------------------------------- CONTROL */
#define ES_REG_CONTROL 0x00		/* 32 bits, read/write */
#define ES_1370_ADC_STOP (1U << 31)
#define ES_1370_XCTL1 (1U << 30)
#define ES_1370_PCLKDIVO(o) (((uint32_t)(o) & 0x1fffU) << 16) /* DAC2 and ADC clock divider */
#define ES_1370_PCLKDIVM (0x1fffU << 16)
#define ES_1370_PCLKDIVI(i) (((uint32_t)(i) >> 16) & 0x1fffU)
#define ES_1370_M_SBB (1U << 14)
#define ES_1370_WTSRSEL(o) (((uint32_t)(o) & 3U) << 12) /* DAC1 fixed rate */
#define ES_1370_WTSRSELM (3U << 12)
#define ES_1370_DAC_SYNC (1U << 11)
#define ES_CCB_INTRM (1U << 10)
#define ES_1370_M_CB (1U << 9)
#define ES_1370_XCTL0 (1U << 8)
#define ES_BREQ (1U << 7)
#define ES_DAC1_EN (1U << 6)
#define ES_DAC2_EN (1U << 5)
#define ES_ADC_EN (1U << 4)
#define ES_UART_EN (1U << 3)
#define ES_JYSTK_EN (1U << 2)
#define ES_1370_CDC_EN (1U << 1)	/* codec interface enable */
#define ES_1370_SERR_DISABLE (1U << 0)

/* DAC2 and ADC sample rate: rate = ES_1370_SRCLOCK / (divider + 2). */
#define ES_1370_SRCLOCK 1411200U
#define ES_1370_SRTODIV(rate) (ES_1370_SRCLOCK / (rate) - 2)

/* ---------------------------------------------------------------- STATUS */
#define ES_REG_STATUS 0x04		/* 32 bits, read-only */
#define ES_INTR (1U << 31)		/* some interrupt is pending */
#define ES_1370_CSTAT (1U << 10)	/* codec busy or write in progress */
#define ES_1370_CBUSY (1U << 9)
#define ES_1370_CWRIP (1U << 8)
#define ES_MCCB (1U << 4)
#define ES_UART (1U << 3)
#define ES_DAC1 (1U << 2)		/* DAC1 sample counter expired */
#define ES_DAC2 (1U << 1)		/* DAC2 sample counter expired */
#define ES_ADC (1U << 0)		/* ADC sample counter expired */

/* ---------------------------------------------------------------- UART */
#define ES_REG_UART_DATA 0x08		/* 8 bits */
#define ES_REG_UART_STATUS 0x09		/* 8 bits, read */
#define ES_REG_UART_CONTROL 0x09	/* 8 bits, write */
#define ES_REG_UART_RES 0x0a		/* 8 bits */

/* ---------------------------------------------------------------- memory page */
#define ES_REG_MEM_PAGE 0x0c		/* 32 bits: selects what 0x30-0x3f show */
#define ES_MEM_PAGEO(o) ((uint32_t)(o) & 0x0fU)
#define ES_MEM_PAGEM 0x0fU
#define ES_PAGE_DAC 0x0c		/* DAC1 and DAC2 frame registers */
#define ES_PAGE_ADC 0x0d		/* ADC frame and the phantom frame */
#define ES_PAGE_UART 0x0e
#define ES_PAGE_UART1 0x0f

/* ---------------------------------------------------------------- codec */
#define ES_REG_1370_CODEC 0x10		/* 16 bits, write-only: register << 8 | value */
#define ES_1370_CODEC_WRITE(a, d) ((uint16_t)((((a) & 0xffU) << 8) | ((d) & 0xffU)))

/* ---------------------------------------------------------------- serial interface */
#define ES_REG_SERIAL 0x20		/* 32 bits, read/write */
#define ES_P2_END_INCO(o) (((uint32_t)(o) & 7U) << 19)
#define ES_P2_END_INCM (7U << 19)
#define ES_P2_ST_INCO(o) (((uint32_t)(o) & 7U) << 16)
#define ES_P2_ST_INCM (7U << 16)
#define ES_R1_LOOP_SEL (1U << 15)	/* ADC: 0 loops over the frame, 1 stops at its end */
#define ES_P2_LOOP_SEL (1U << 14)	/* DAC2: likewise */
#define ES_P1_LOOP_SEL (1U << 13)
#define ES_P2_PAUSE (1U << 12)
#define ES_P1_PAUSE (1U << 11)
#define ES_R1_INT_EN (1U << 10)		/* ADC interrupt enable; clearing it acknowledges */
#define ES_P2_INT_EN (1U << 9)		/* DAC2 interrupt enable; likewise */
#define ES_P1_INT_EN (1U << 8)
#define ES_P1_SCT_RLD (1U << 7)
#define ES_P2_DAC_SEN (1U << 6)		/* DAC2 in stop mode: 0 plays zeros, 1 the last sample */
#define ES_R1_MODEO(o) (((uint32_t)(o) & 3U) << 4)
#define ES_R1_MODEM (3U << 4)
#define ES_P2_MODEO(o) (((uint32_t)(o) & 3U) << 2)
#define ES_P2_MODEM (3U << 2)
#define ES_P1_MODEO(o) ((uint32_t)(o) & 3U)
#define ES_P1_MODEM 3U
/* Channel modes (the MODE fields): bit 0 stereo, bit 1 16-bit. */
#define ES_MODE_8_MONO 0U
#define ES_MODE_STEREO 1U
#define ES_MODE_16BIT 2U

/* ---------------------------------------------------------------- sample counters */
/* Bits 15:0: samples per interrupt - 1 (a sample is one value per
 * channel); bits 31:16: samples left until the next interrupt (read). */
#define ES_REG_DAC1_COUNT 0x24
#define ES_REG_DAC2_COUNT 0x28
#define ES_REG_ADC_COUNT 0x2c
#define ES_REG_CURR_COUNT(i) (((uint32_t)(i) >> 16) & 0xffffU)
#define ES_REG_COUNTO(o) ((uint32_t)(o) & 0xffffU)
#define ES_REG_COUNTM 0xffffU

/* ---------------------------------------------------------------- frames (paged) */
#define ES_REG_DAC1_FRAME 0x30		/* page ES_PAGE_DAC: frame address (bytes) */
#define ES_REG_DAC1_SIZE 0x34		/* page ES_PAGE_DAC */
#define ES_REG_DAC2_FRAME 0x38		/* page ES_PAGE_DAC */
#define ES_REG_DAC2_SIZE 0x3c		/* page ES_PAGE_DAC */
#define ES_REG_ADC_FRAME 0x30		/* page ES_PAGE_ADC */
#define ES_REG_ADC_SIZE 0x34		/* page ES_PAGE_ADC */
#define ES_REG_PHANTOM_FRAME 0x38	/* page ES_PAGE_ADC */
#define ES_REG_PHANTOM_COUNT 0x3c	/* page ES_PAGE_ADC */
/* SIZE: bits 15:0 frame length in 32-bit words - 1; bits 31:16 the word
 * the channel is at (read back). ES_REG_FCURR_COUNTI gives it in bytes. */
#define ES_REG_FSIZEO(o) ((uint32_t)(o) & 0xffffU)
#define ES_REG_FSIZEM 0xffffU
#define ES_REG_FSIZEI(i) ((uint32_t)(i) & 0xffffU)
#define ES_REG_FCURR_COUNTO(o) (((uint32_t)(o) & 0xffffU) << 16)
#define ES_REG_FCURR_COUNTM (0xffffU << 16)
#define ES_REG_FCURR_COUNTI(i) (((uint32_t)(i) >> 14) & 0x3fffcU)

/* ---------------------------------------------------------------- AK4531 codec */
/* Volume registers: bit 7 mutes. Master (0x00, 0x01): bits 4:0 attenuate
 * in 2 dB steps, 0 is 0 dB. Inputs (0x02-0x0e): bits 4:0 from +12 dB (0)
 * down in 2 dB steps, so 0x06 is 0 dB. */
#define AK4531_LMASTER 0x00
#define AK4531_RMASTER 0x01
#define AK4531_LVOICE 0x02		/* the ES1370's DAC2 */
#define AK4531_RVOICE 0x03
#define AK4531_LFM 0x04			/* the ES1370's DAC1 */
#define AK4531_RFM 0x05
#define AK4531_LCD 0x06
#define AK4531_RCD 0x07
#define AK4531_LLINE 0x08
#define AK4531_RLINE 0x09
#define AK4531_LAUXA 0x0a
#define AK4531_RAUXA 0x0b
#define AK4531_MONO1 0x0c
#define AK4531_MONO2 0x0d
#define AK4531_MIC 0x0e
#define AK4531_MONO_OUT 0x0f
#define AK4531_OUT_SW1 0x10		/* output mixer: FM 6:5, line 4:3, CD 2:1, mic 0 */
#define AK4531_OUT_SW2 0x11		/* output mixer: aux 5:4, voice 3:2, mono2 1, mono1 0 */
#define AK4531_LIN_SW1 0x12		/* left ADC input mixer: FM 6:5, line 4:3, CD 2:1, mic 0 */
#define AK4531_RIN_SW1 0x13		/* right ADC input mixer, same bits */
#define AK4531_LIN_SW2 0x14		/* left ADC input mixer: aux 4:3, voice 2, mono 1:0 */
#define AK4531_RIN_SW2 0x15
#define AK4531_RESET 0x16		/* bit 1: 0 powers down; bit 0: 0 holds in reset */
#define AK4531_CLOCK 0x17
#define AK4531_AD_IN 0x18		/* 0: the ADC records the input mixer */
#define AK4531_MIC_GAIN 0x19
#define AK4531_NREGS 0x1a

#define AK4531_MUTE 0x80
#define AK4531_MASTER_0DB 0x00
#define AK4531_INPUT_0DB 0x06
#define AK4531_OUT_SW2_VOICE_L (1U << 3)
#define AK4531_OUT_SW2_VOICE_R (1U << 2)
#define AK4531_IN_SW1_LINE_L (1U << 4)
#define AK4531_IN_SW1_LINE_R (1U << 3)
#define AK4531_RESET_HOLD 0x02		/* powered up, held in reset */
#define AK4531_RESET_RUN 0x03		/* powered up, running */

#endif
