// SPDX-License-Identifier: MIT
/*
 * PC 16550A UART model. Behaviour follows the PC16550D datasheet sections
 * "Registers" (IIR priorities, FCR, LSR, MSR) and "FIFO Interrupt Mode
 * Operation"; the IRQ gating by OUT2 follows the IBM PC serial adapter.
 */
#include "devices/uart16550.h"

#include <string.h>

#define LSR_ERRORS	(UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)
#define MSR_DELTAS	(UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_TERI | UART_MSR_DDCD)
/* Outside loopback a cable with a ready peer is attached: CTS, DSR and DCD on. */
#define MSR_CABLE	(UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD)

void uart16550_init(struct uart16550 *u, void (*tx)(void *ctx, uint8_t byte), void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->dll = 1;	/* the divisor is undefined after reset; 115200 baud */
	u->tx = tx;
	u->ctx = ctx;
}

static bool fifo_on(const struct uart16550 *u)
{
	return u->fcr & UART_FCR_FE;
}

static bool loopback(const struct uart16550 *u)
{
	return u->mcr & UART_MCR_LOOP;
}

/* The holding register acts as a one-byte FIFO when FIFOs are off. */
static unsigned rx_capacity(const struct uart16550 *u)
{
	return fifo_on(u) ? UART_FIFO_SIZE : 1;
}

static unsigned rx_trigger(const struct uart16550 *u)
{
	static const uint8_t level[4] = { 1, 4, 8, 14 };

	return fifo_on(u) ? level[(u->fcr >> UART_FCR_TRIG_SHIFT) & 3] : 1;
}

static void rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

/* A byte arriving at a full FIFO is lost and flagged as an overrun. */
static bool rx_push(struct uart16550 *u, uint8_t byte)
{
	if (u->rx_count >= rx_capacity(u)) {
		u->lsr_err |= UART_LSR_OE;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
	u->rx_count++;
	return true;
}

/* Reading an empty RBR returns the previous byte again. */
static uint8_t rx_pop(struct uart16550 *u)
{
	if (u->rx_count) {
		u->rbr = u->rx[u->rx_head % UART_FIFO_SIZE];
		u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
		u->rx_count--;
	}
	return u->rbr;
}

/* MSR bits 7:4: in loopback DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
static uint8_t msr_lines(uint8_t mcr)
{
	uint8_t v = 0;

	if (!(mcr & UART_MCR_LOOP))
		return MSR_CABLE;
	if (mcr & UART_MCR_DTR)
		v |= UART_MSR_DSR;
	if (mcr & UART_MCR_RTS)
		v |= UART_MSR_CTS;
	if (mcr & UART_MCR_OUT1)
		v |= UART_MSR_RI;
	if (mcr & UART_MCR_OUT2)
		v |= UART_MSR_DCD;
	return v;
}

/* Delta bits: CTS, DSR, DCD on any change; RI on its trailing edge only. */
static uint8_t msr_deltas(uint8_t before, uint8_t after)
{
	uint8_t changed = before ^ after, d = 0;

	if (changed & UART_MSR_CTS)
		d |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		d |= UART_MSR_DDSR;
	if ((before & UART_MSR_RI) && !(after & UART_MSR_RI))
		d |= UART_MSR_TERI;
	if (changed & UART_MSR_DCD)
		d |= UART_MSR_DDCD;
	return d;
}

/*
 * Highest-priority pending interrupt (bits 3:0 of IIR): line status >
 * received data (or character timeout when the FIFO holds fewer bytes than
 * the trigger level) > THR empty > modem status.
 */
static uint8_t iir_source(const struct uart16550 *u)
{
	if ((u->ier & UART_IER_ELSI) && (u->lsr_err & LSR_ERRORS))
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_ERBFI) && u->rx_count)
		return u->rx_count >= rx_trigger(u) ? UART_IIR_RDI : UART_IIR_CTI;
	if ((u->ier & UART_IER_ETBEI) && u->thre_pending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_EDSSI) && (u->msr_delta & MSR_DELTAS))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

/* Reading IIR clears the THRE interrupt when it is the one reported. */
static uint8_t read_iir(struct uart16550 *u)
{
	uint8_t src = iir_source(u);

	if (src == UART_IIR_THRI)
		u->thre_pending = false;
	return src | (fifo_on(u) ? UART_IIR_FIFO : 0);
}

/* Transmitter always empty; errors (and their interrupt) clear on read. */
static uint8_t read_lsr(struct uart16550 *u)
{
	uint8_t v = (u->lsr_err & LSR_ERRORS) | UART_LSR_THRE | UART_LSR_TEMT;

	if (u->rx_count)
		v |= UART_LSR_DR;
	u->lsr_err = 0;
	return v;
}

static uint8_t read_msr(struct uart16550 *u)
{
	uint8_t v = msr_lines(u->mcr) | (u->msr_delta & MSR_DELTAS);

	u->msr_delta = 0;
	return v;
}

uint8_t uart16550_read(struct uart16550 *u, unsigned reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg & 7) {
	case UART_RBR:
		return dlab ? u->dll : rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return read_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return read_lsr(u);
	case UART_MSR:
		return read_msr(u);
	default:
		return u->scr;
	}
}

/*
 * The byte leaves at once, so THR is empty again right away: the THRE
 * interrupt that the write cleared is raised again.
 */
static void write_thr(struct uart16550 *u, uint8_t val)
{
	u->thre_pending = true;
	if (loopback(u)) {
		rx_push(u, val);
		return;
	}
	if (u->tx)
		u->tx(u->ctx, val);
	u->tx_bytes++;
}

/* Setting ETBEI while THR is empty raises THRE (as the 16550A does; drivers rely on it). */
static void write_ier(struct uart16550 *u, uint8_t val)
{
	val &= UART_IER_MASK;
	if ((val & UART_IER_ETBEI) && !(u->ier & UART_IER_ETBEI))
		u->thre_pending = true;
	u->ier = val;
}

/*
 * Changing FE empties the FIFOs; the other bits are only programmed while
 * FE is written as 1. The reset bits are self-clearing; the TX FIFO is
 * always empty already.
 */
static void write_fcr(struct uart16550 *u, uint8_t val)
{
	if ((val & UART_FCR_FE) != (u->fcr & UART_FCR_FE))
		rx_clear(u);
	if (!(val & UART_FCR_FE)) {
		u->fcr = 0;
		return;
	}
	if (val & UART_FCR_RFR)
		rx_clear(u);
	u->fcr = val & (UART_FCR_FE | UART_FCR_DMS | (3u << UART_FCR_TRIG_SHIFT));
}

static void write_mcr(struct uart16550 *u, uint8_t val)
{
	uint8_t before = msr_lines(u->mcr);

	u->mcr = val & UART_MCR_MASK;
	u->msr_delta |= msr_deltas(before, msr_lines(u->mcr));
}

void uart16550_write(struct uart16550 *u, unsigned reg, uint8_t val)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg & 7) {
	case UART_THR:
		if (dlab)
			u->dll = val;
		else
			write_thr(u, val);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = val;
		else
			write_ier(u, val);
		break;
	case UART_FCR:
		write_fcr(u, val);
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		write_mcr(u, val);
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default:
		break;	/* LSR and MSR writes are for factory test only: ignored */
	}
}

bool uart16550_rx_ready(const struct uart16550 *u)
{
	return !loopback(u) && u->rx_count < rx_capacity(u);
}

/* In loopback the serial input is disconnected from the receiver. */
bool uart16550_receive(struct uart16550 *u, uint8_t byte)
{
	if (loopback(u) || !rx_push(u, byte))
		return false;
	u->rx_bytes++;
	return true;
}

bool uart16550_irq_pending(const struct uart16550 *u)
{
	if (!(u->mcr & UART_MCR_OUT2) || loopback(u))
		return false;
	return iir_source(u) != UART_IIR_NO_INT;
}
