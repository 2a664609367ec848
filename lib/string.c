/* SPDX-License-Identifier: MIT */
/* Freestanding string functions (the compiler may also emit calls to these). */
#define XTALK_STRING_IMPL
#include <stdint.h>
#include <string.h>

/*
 * Long copies with REP MOVSQ (one instruction for the bulk: what Bochs
 * charges least for, and fast on every x86-64 since fast-string support),
 * short ones a word at a time (x86 allows unaligned loads and stores); the
 * tail byte by byte. The VMM copies descriptors, frame headers and, on the
 * bridge path, whole frames with it; the guests their frames.
 */
typedef uint64_t __attribute__((may_alias, aligned(1))) word_t;

#define REP_MIN 64

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (n >= REP_MIN) {
		size_t words = n / 8;

		__asm__ volatile("rep movsq"
				 : "+D"(d), "+S"(s), "+c"(words)
				 :
				 : "memory");
		n &= 7;
	}
	for (; n >= 8; n -= 8, d += 8, s += 8)
		*(word_t *)d = *(const word_t *)s;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	word_t w = 0x0101010101010101ULL * (uint8_t)c;

	if (n >= REP_MIN) {
		size_t words = n / 8;
		uint64_t v = w;

		__asm__ volatile("rep stosq"
				 : "+D"(d), "+c"(words)
				 : "a"(v)
				 : "memory");
		n &= 7;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(word_t *)d = w;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}
