/* SPDX-License-Identifier: MIT */
#include <stdarg.h>

#include "guest.h"
#include "lib/fmt.h"

#define COM1 0x3f8
#define COM1_LSR (COM1 + 5)
#define LSR_THRE 0x20

void putc_serial(char c)
{
	while (!(inb(COM1_LSR) & LSR_THRE))
		;
	outb(COM1, (uint8_t)c);
}

void print(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	xt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (const char *s = buf; *s; s++)
		putc_serial(*s);
}

void guest_exit(long status)
{
	hypercall(XTALK_HC_EXIT, status, 0, 0);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void spin(unsigned long n)
{
	for (volatile unsigned long i = 0; i < n; i++)
		;
}

static unsigned tests, failures;

void report(bool ok, const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	xt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tests++;
	if (!ok)
		failures++;
	print("%s: %s\n", ok ? "PASS" : "FAIL", buf);
}

long report_summary(void)
{
	print("SUMMARY: %u tests, %u failures\n", tests, failures);
	return failures;
}
