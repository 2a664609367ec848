/* SPDX-License-Identifier: MIT */
#include "vmm/core/serial.h"

#include "devices/uart16550.h"
#include "vmm/arch/x86.h"

/* Bytes the transmitter takes at once when LSR.THRE says it is empty: the
 * 16550A's FIFO, or one on a UART without FIFOs (IIR bits 7:6 read 11 only
 * when the FIFOs are on, 16550 datasheet, FCR bit 0). */
static unsigned tx_fifo = 1;

/* 115200 8N1, FIFOs on, no interrupts: the VMM polls. */
void serial_init(void)
{
	outb(SERIAL_COM1 + UART_IER, 0);
	outb(SERIAL_COM1 + UART_LCR, UART_LCR_DLAB);
	outb(SERIAL_COM1 + UART_DLL, 115200 / SERIAL_BAUD);
	outb(SERIAL_COM1 + UART_DLM, 0);
	outb(SERIAL_COM1 + UART_LCR, 0x03); /* 8 data bits, 1 stop, no parity */
	outb(SERIAL_COM1 + UART_FCR, UART_FCR_FE | UART_FCR_RFR | UART_FCR_TFR);
	outb(SERIAL_COM1 + UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
	if ((inb(SERIAL_COM1 + UART_IIR) & 0xc0) == 0xc0)
		tx_fifo = 16;
}

unsigned serial_tx_room(void)
{
	return inb(SERIAL_COM1 + UART_LSR) & UART_LSR_THRE ? tx_fifo : 0;
}

uint64_t serial_tx_fifo_ns(void)
{
	return (uint64_t)tx_fifo * 10 * 1000000000ULL / SERIAL_BAUD;
}

void serial_tx(char c)
{
	outb(SERIAL_COM1 + UART_THR, (uint8_t)c);
}

void serial_putc(char c)
{
	/* Bounded: a machine without a UART reads 0xff (THRE set) anyway. */
	for (unsigned i = 0; i < 100000; i++)
		if (inb(SERIAL_COM1 + UART_LSR) & UART_LSR_THRE)
			break;
	outb(SERIAL_COM1 + UART_THR, (uint8_t)c);
}

static unsigned long overruns;

int serial_getc(void)
{
	uint8_t lsr = inb(SERIAL_COM1 + UART_LSR);

	if (lsr == 0xff)
		return -1;	/* no UART decodes the port */
	if (lsr & UART_LSR_OE)
		overruns++;	/* reading LSR cleared it */
	if (!(lsr & UART_LSR_DR))
		return -1;
	return inb(SERIAL_COM1 + UART_RBR);
}

unsigned long serial_overruns(void)
{
	return overruns;
}
