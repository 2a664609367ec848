/* SPDX-License-Identifier: MIT */
/* The host's 16550 UART (COM1): xtalk's console once boot services are gone. */
#ifndef XTALK_VMM_SERIAL_H
#define XTALK_VMM_SERIAL_H

#define SERIAL_COM1 0x3f8

void serial_init(void);
/* One byte, after waiting (bounded) for the transmitter to be empty. */
void serial_putc(char c);
/* Without waiting: how many bytes serial_tx may write now (the transmit
 * FIFO's depth when it is empty, else 0), and one such write. */
unsigned serial_tx_room(void);
void serial_tx(char c);
/*
 * Input, without waiting and without interrupts (the VMM polls): the next
 * byte the UART received (LSR.DR), or -1 when there is none. A machine
 * without a UART reads LSR as 0xff: no input. Overruns the UART reported
 * (LSR.OE: bytes lost because nobody read in time) are counted.
 */
int serial_getc(void);
unsigned long serial_overruns(void);

#endif
