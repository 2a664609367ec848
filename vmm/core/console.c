/* SPDX-License-Identifier: MIT */
#include "vmm/core/console.h"

#include "lib/fmt.h"
#include "vmm/core/serial.h"
#include "vmm/emul/con_ring.h"

static enum xt_log_level con_level = XT_LOG_INFO;

void con_set_level(enum xt_log_level level)
{
	con_level = level;
}

/*
 * Output waits in a queue and goes to the UART as fast as the serial line
 * takes it, a FIFO-full at a time, whenever the VMM passes by (con_pump:
 * every VM exit, every wait). Whoever writes goes on at once; only when
 * 64 KiB are waiting does a writer wait for the line, a byte at a time, so
 * nothing is ever dropped and the order is kept.
 */
static struct con_ring out;
static unsigned long waited; /* bytes written while the queue was full */

void con_pump(void)
{
	unsigned room;
	char c;

	if (!con_ring_used(&out))
		return;
	for (room = serial_tx_room(); room && con_ring_take(&out, &c, 1); room--)
		serial_tx(c);
}

uint64_t con_pending_ns(void)
{
	return con_ring_used(&out) ? serial_tx_fifo_ns() : 0;
}

void con_flush(void)
{
	char c;

	while (con_ring_take(&out, &c, 1))
		serial_putc(c);
}

static void put(char c)
{
	char old;

	while (!con_ring_put(&out, c)) {
		waited++;
		if (con_ring_take(&out, &old, 1))
			serial_putc(old);
	}
}

void con_write(const char *s, unsigned len)
{
	for (unsigned i = 0; i < len; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
	}
	con_pump();
}

void con_queue_stats(unsigned *peak, unsigned long *waited_bytes)
{
	*peak = out.peak;
	*waited_bytes = waited;
}

static void con_vprintf(const char *prefix, const char *fmt, va_list ap)
{
	char buf[512];
	unsigned n = 0;
	int len;

	while (prefix && prefix[n] && n < sizeof(buf) - 1) {
		buf[n] = prefix[n];
		n++;
	}
	len = xt_vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (len < 0)
		return;
	n += (unsigned)len;
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	con_write(buf, n);
}

void con_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	con_vprintf(NULL, fmt, ap);
	va_end(ap);
}

void xt_log(enum xt_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > con_level)
		return;
	va_start(ap, fmt);
	con_vprintf("xtalk: ", fmt, ap);
	va_end(ap);
	con_write("\n", 1);
}
