/* SPDX-License-Identifier: MIT */
/* The host's 16550 UART (COM1): xtalk's console once boot services are gone. */
#ifndef XTALK_VMM_SERIAL_H
#define XTALK_VMM_SERIAL_H

#include <stdint.h>

#define SERIAL_COM1 0x3f8
#define SERIAL_BAUD 115200

void serial_init(void);
/* One byte, after waiting (bounded) for the transmitter to be empty. */
void serial_putc(char c);
/* Without waiting: how many bytes serial_tx may write now (the transmit
 * FIFO's depth when it is empty, else 0), and one such write. */
unsigned serial_tx_room(void);
void serial_tx(char c);
/* How long the line takes to send what one serial_tx_room() allows, in ns
 * (10 bits a byte at SERIAL_BAUD). */
uint64_t serial_tx_fifo_ns(void);
/*
 * Input, without waiting and without interrupts (the VMM polls): the next
 * byte the UART received (LSR.DR), or -1 when there is none. A machine
 * without a UART reads LSR as 0xff: no input. Overruns the UART reported
 * (LSR.OE: bytes lost because nobody read in time) are counted.
 */
int serial_getc(void);
unsigned long serial_overruns(void);

#endif
