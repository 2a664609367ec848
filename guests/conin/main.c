/* SPDX-License-Identifier: MIT */
/*
 * Reads its COM1 by polling LSR.DR (no interrupt) until it has count= bytes,
 * then prints them all in hex and exits 0: what the VMM delivered from the
 * machine's console, byte for byte and in order. fifo=0 leaves the UART's
 * FIFOs off (one byte at a time, as after reset); fifo=1 (default) turns
 * them on. A receiver error (LSR bits 4:1: overrun, ...) or no byte within
 * timeout= ms (default 60000) is a failure: exit 1, with what came so far.
 */
#include "cmdline.h"
#include "guest.h"
#include "tsc.h"

#define COM1 0x3f8
#define RBR 0
#define FCR 2
#define LSR 5
#define LSR_DR 0x01
#define LSR_ERRORS 0x1e
#define MAX_BYTES 256

static uint8_t got[MAX_BYTES];

static void dump(const char *what, unsigned n, unsigned want)
{
	char line[16 + 3 * MAX_BYTES];
	unsigned len = 0;

	for (unsigned i = 0; i < n; i++) {
		static const char hex[] = "0123456789abcdef";

		line[len++] = ' ';
		line[len++] = hex[got[i] >> 4];
		line[len++] = hex[got[i] & 15];
	}
	line[len] = 0;
	print("conin: %s %u of %u bytes:%s\n", what, n, want, line);
}

long guest_main(const uint8_t *boot_params)
{
	uint64_t count = 0, fifo = 1, timeout = 60000;
	unsigned n = 0, errors = 0;
	uint64_t deadline;

	if (cmdline_get_u64(boot_params, "count", &count) < 0 || count > MAX_BYTES ||
	    cmdline_get_u64(boot_params, "fifo", &fifo) < 0 ||
	    cmdline_get_u64(boot_params, "timeout", &timeout) < 0) {
		print("conin: bad command line\n");
		return -1;
	}
	outb(COM1 + FCR, fifo ? 0x07 : 0x00); /* FIFOs on and both reset, or off */
	print("conin: ready for %u bytes, fifo %s\n", (unsigned)count, fifo ? "on" : "off");
	deadline = tsc_deadline_ms(timeout);
	while (n < count) {
		uint8_t lsr = inb(COM1 + LSR);

		if (lsr & LSR_ERRORS) {
			print("conin: receiver error, LSR 0x%02x\n", lsr);
			errors++;
		}
		if (lsr & LSR_DR) {
			got[n++] = inb(COM1 + RBR);
			deadline = tsc_deadline_ms(timeout);
			continue;
		}
		if (tsc_expired(deadline)) {
			dump("timeout after", n, (unsigned)count);
			return 1;
		}
		spin(2000);
	}
	dump("received", n, (unsigned)count);
	return errors ? 1 : 0;
}
