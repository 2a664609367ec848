/* SPDX-License-Identifier: MIT */
/* A caller's error-message buffer, for the loaders' "why refused" text. */
#ifndef XTALK_VMM_EMUL_ERRBUF_H
#define XTALK_VMM_EMUL_ERRBUF_H

#include <stddef.h>

struct errbuf {
	char *buf;
	size_t len;
};

/* Write the message (if there is a buffer) and return -code. */
int errbuf_fail(const struct errbuf *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Empty the message (a call that succeeds says nothing). */
void errbuf_clear(const struct errbuf *e);

#endif
