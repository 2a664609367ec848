/* SPDX-License-Identifier: MIT */
#include "vmm/emul/errbuf.h"

#include <stdarg.h>

#include "lib/fmt.h"

int errbuf_fail(const struct errbuf *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e->buf && e->len) {
		va_start(ap, fmt);
		xt_vsnprintf(e->buf, e->len, fmt, ap);
		va_end(ap);
	}
	return -code;
}

void errbuf_clear(const struct errbuf *e)
{
	if (e->buf && e->len)
		e->buf[0] = '\0';
}
