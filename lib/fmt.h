/* SPDX-License-Identifier: MIT */
/*
 * Small printf-style formatter shared by the VMM, the boot loader, the guests
 * and the host tests. Supports flags '-' and '0', a field width (number or
 * '*'), precision for strings ('.N' or '.*'), length modifiers hh h l ll z,
 * and conversions d i u x X p s c %. Always NUL-terminates when size > 0 and
 * returns the length the full output would have had (like C99 snprintf).
 */
#ifndef XTALK_LIB_FMT_H
#define XTALK_LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

int xt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int xt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
