/* SPDX-License-Identifier: MIT */
/*
 * The few <string.h> functions xtalk's freestanding code uses. Host builds
 * use the C library's <string.h>; freestanding builds (VMM, guests) find
 * this header first and link lib/string.c.
 */
#ifndef XTALK_LIB_STRING_H
#define XTALK_LIB_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/*
 * -ffreestanding also turns off the compiler's own expansion of these: ask
 * for it, so that copies and clears of a small known size (descriptors,
 * addresses, headers, structures) become a few moves; others still call the
 * functions above. lib/string.c defines XTALK_STRING_IMPL.
 */
#ifndef XTALK_STRING_IMPL
#define memcpy(d, s, n) __builtin_memcpy(d, s, n)
#define memset(d, c, n) __builtin_memset(d, c, n)
#endif

#endif
