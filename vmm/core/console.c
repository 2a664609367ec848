/* SPDX-License-Identifier: MIT */
#include "vmm/core/console.h"

#include "lib/fmt.h"
#include "vmm/core/serial.h"

static enum xt_log_level con_level = XT_LOG_INFO;

void con_set_level(enum xt_log_level level)
{
	con_level = level;
}

void con_write(const char *s, unsigned len)
{
	for (unsigned i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
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
