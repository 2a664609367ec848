/* SPDX-License-Identifier: MIT */
/* The host's 16550 UART (COM1): xtalk's console once boot services are gone. */
#ifndef XTALK_VMM_SERIAL_H
#define XTALK_VMM_SERIAL_H

#define SERIAL_COM1 0x3f8

void serial_init(void);
void serial_putc(char c);
/*
 * Input, without waiting and without interrupts (the VMM polls): the next
 * byte the UART received (LSR.DR), or -1 when there is none. A machine
 * without a UART reads LSR as 0xff: no input. Overruns the UART reported
 * (LSR.OE: bytes lost because nobody read in time) are counted.
 */
int serial_getc(void);
unsigned long serial_overruns(void);

#endif
