/* SPDX-License-Identifier: MIT */
/* The host's 16550 UART (COM1): xtalk's console once boot services are gone. */
#ifndef XTALK_VMM_SERIAL_H
#define XTALK_VMM_SERIAL_H

#define SERIAL_COM1 0x3f8

void serial_init(void);
void serial_putc(char c);

#endif
