/* SPDX-License-Identifier: MIT */
/*
 * Model of a PC 16550A UART (the guest's COM1). Register layout and
 * behaviour follow the National Semiconductor PC16550D datasheet; the VMM
 * forwards every byte the guest transmits to its tx callback at once, so the
 * transmitter is always empty (LSR.THRE and LSR.TEMT always set) and baud
 * rate, data format and timing have no effect.
 *
 * Not modelled: parity/framing errors and break (never happen on the virtual
 * line), DMA mode signalling (FCR bit 3 is stored only), the character
 * timeout delay (a received byte below the FIFO trigger level raises the
 * timeout interrupt at once, as if four character times had passed).
 */
#ifndef XTALK_DEVICES_UART16550_H
#define XTALK_DEVICES_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register offsets from the base port. */
#define UART_RBR	0	/* receiver buffer (read, DLAB = 0) */
#define UART_THR	0	/* transmitter holding (write, DLAB = 0) */
#define UART_DLL	0	/* divisor latch LSB (DLAB = 1) */
#define UART_IER	1	/* interrupt enable (DLAB = 0) */
#define UART_DLM	1	/* divisor latch MSB (DLAB = 1) */
#define UART_IIR	2	/* interrupt identification (read) */
#define UART_FCR	2	/* FIFO control (write) */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define UART_MSR	6	/* modem status */
#define UART_SCR	7	/* scratch */

/* IER */
#define UART_IER_ERBFI	(1u << 0)	/* received data available */
#define UART_IER_ETBEI	(1u << 1)	/* transmitter holding register empty */
#define UART_IER_ELSI	(1u << 2)	/* receiver line status */
#define UART_IER_EDSSI	(1u << 3)	/* modem status */
#define UART_IER_MASK	0x0fu		/* bits 7:4 always read 0 */

/* IIR: bit 0 = 0 when an interrupt is pending; bits 3:1 identify it. */
#define UART_IIR_NO_INT	0x01u
#define UART_IIR_MSI	0x00u		/* modem status (priority 4) */
#define UART_IIR_THRI	0x02u		/* THR empty (priority 3) */
#define UART_IIR_RDI	0x04u		/* received data available (priority 2) */
#define UART_IIR_RLSI	0x06u		/* receiver line status (priority 1) */
#define UART_IIR_CTI	0x0cu		/* character timeout (priority 2) */
#define UART_IIR_FIFO	0xc0u		/* FIFOs enabled (16550A) */

/* FCR */
#define UART_FCR_FE	(1u << 0)	/* FIFO enable */
#define UART_FCR_RFR	(1u << 1)	/* RX FIFO reset */
#define UART_FCR_TFR	(1u << 2)	/* TX FIFO reset */
#define UART_FCR_DMS	(1u << 3)	/* DMA mode select */
#define UART_FCR_TRIG_SHIFT 6		/* RX trigger level: 1, 4, 8, 14 bytes */

/* LCR */
#define UART_LCR_DLAB	(1u << 7)	/* divisor latch access */

/* MCR */
#define UART_MCR_DTR	(1u << 0)
#define UART_MCR_RTS	(1u << 1)
#define UART_MCR_OUT1	(1u << 2)
#define UART_MCR_OUT2	(1u << 3)	/* gates INTR to the PIC on PCs */
#define UART_MCR_LOOP	(1u << 4)
#define UART_MCR_MASK	0x1fu		/* bits 7:5 always read 0 */

/* LSR */
#define UART_LSR_DR	(1u << 0)	/* data ready */
#define UART_LSR_OE	(1u << 1)	/* overrun error */
#define UART_LSR_PE	(1u << 2)	/* parity error */
#define UART_LSR_FE	(1u << 3)	/* framing error */
#define UART_LSR_BI	(1u << 4)	/* break interrupt */
#define UART_LSR_THRE	(1u << 5)	/* THR empty */
#define UART_LSR_TEMT	(1u << 6)	/* transmitter empty */
#define UART_LSR_RXFE	(1u << 7)	/* error in RX FIFO */

/* MSR */
#define UART_MSR_DCTS	(1u << 0)
#define UART_MSR_DDSR	(1u << 1)
#define UART_MSR_TERI	(1u << 2)
#define UART_MSR_DDCD	(1u << 3)
#define UART_MSR_CTS	(1u << 4)
#define UART_MSR_DSR	(1u << 5)
#define UART_MSR_RI	(1u << 6)
#define UART_MSR_DCD	(1u << 7)

#define UART_FIFO_SIZE	16

struct uart16550 {
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	uint8_t lsr_err;		/* LSR error bits 4:1, cleared by reading LSR */
	uint8_t msr_delta;		/* MSR bits 3:0, cleared by reading MSR */
	bool thre_pending;		/* THRE interrupt latch */
	uint8_t rbr;			/* last byte read (returned when empty) */
	uint8_t rx[UART_FIFO_SIZE];	/* RX FIFO (1 byte deep when FIFOs are off) */
	uint8_t rx_head, rx_count;

	void (*tx)(void *ctx, uint8_t byte);	/* each byte the guest transmits (not in loopback) */
	void *ctx;
	uint64_t tx_bytes;		/* bytes passed to tx */
	uint64_t rx_bytes;		/* host bytes accepted by uart16550_receive */
};

/* Reset state; tx may be NULL (bytes are dropped). */
void uart16550_init(struct uart16550 *u, void (*tx)(void *ctx, uint8_t byte), void *ctx);

/* Port access at offset reg (only bits 2:0 are decoded, as on the chip). */
uint8_t uart16550_read(struct uart16550 *u, unsigned reg);
void uart16550_write(struct uart16550 *u, unsigned reg, uint8_t val);

/*
 * Host -> guest input. Returns false when the byte was not delivered: the
 * RX FIFO is full (the byte is lost and LSR.OE is set, as on the chip) or
 * the UART is in loopback (serial input is disconnected; nothing changes).
 * Use uart16550_rx_ready() first to avoid losing input.
 */
bool uart16550_receive(struct uart16550 *u, uint8_t byte);

/* True when uart16550_receive would accept a byte without overrun. */
bool uart16550_rx_ready(const struct uart16550 *u);

/*
 * The level of the IRQ line as a PC sees it: an interrupt is pending and
 * MCR.OUT2 is set. In loopback the OUT2 pin is forced inactive, so the line
 * stays low (IIR still reports the interrupt).
 */
bool uart16550_irq_pending(const struct uart16550 *u);

#endif
