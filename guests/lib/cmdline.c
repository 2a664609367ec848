/* SPDX-License-Identifier: MIT */
#include "cmdline.h"

#include <string.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

const char *cmdline_of(const uint8_t *boot_params)
{
	uint32_t ptr;
	const char *s;

	memcpy(&ptr, boot_params + BP_CMD_LINE_PTR, sizeof(ptr));
	if (!ptr)
		return "";
	s = (const char *)(uintptr_t)ptr;
	/* The VMM NUL-terminates it; refuse one that is not, rather than
	 * running off through RAM. */
	return strnlen(s, CMDLINE_MAX) < CMDLINE_MAX ? s : "";
}

const char *cmdline_find(const char *s, const char *key)
{
	size_t klen = strlen(key);
	const char *found = NULL;

	while (*s) {
		while (is_space(*s))
			s++;
		if (!*s)
			break;
		if (!strncmp(s, key, klen) && s[klen] == '=')
			found = s + klen + 1;
		while (*s && !is_space(*s))
			s++;
	}
	return found;
}

size_t cmdline_value_len(const char *v)
{
	size_t n = 0;

	while (v[n] && !is_space(v[n]))
		n++;
	return n;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = hex_digit(s[i]);

		if (d < 0 || (unsigned)d >= base)
			return false;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return false; /* overflow */
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
}

bool parse_mac(const char *s, size_t len, uint8_t mac[6])
{
	uint8_t m[6];

	if (len != 17)
		return false;
	for (unsigned i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':' && s[3 * i + 2] != '-'))
			return false;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, 6);
	return true;
}

const char *cmdline_get(const uint8_t *boot_params, const char *key)
{
	return cmdline_find(cmdline_of(boot_params), key);
}

bool cmdline_is(const uint8_t *boot_params, const char *key, const char *s)
{
	const char *v = cmdline_get(boot_params, key);
	size_t n = strlen(s);

	return v && cmdline_value_len(v) == n && !strncmp(v, s, n);
}

int cmdline_get_u64(const uint8_t *boot_params, const char *key, uint64_t *out)
{
	const char *v = cmdline_get(boot_params, key);

	if (!v)
		return 0;
	return parse_u64(v, cmdline_value_len(v), out) ? 1 : -1;
}

int cmdline_get_mac(const uint8_t *boot_params, const char *key, uint8_t mac[6])
{
	const char *v = cmdline_get(boot_params, key);

	if (!v)
		return 0;
	return parse_mac(v, cmdline_value_len(v), mac) ? 1 : -1;
}
