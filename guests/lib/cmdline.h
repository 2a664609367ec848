/* SPDX-License-Identifier: MIT */
/*
 * The guest command line (boot_params.cmd_line_ptr, docs/guest-platform.md):
 * space-separated words; "key=value" words are looked up by key (the last
 * occurrence wins). Values run to the next space; they are not copied.
 */
#ifndef XTALK_GUEST_CMDLINE_H
#define XTALK_GUEST_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BP_CMD_LINE_PTR 0x228
#define CMDLINE_MAX 2048

/* The command line a guest was booted with ("" if none). */
const char *cmdline_of(const uint8_t *boot_params);

/* Pure helpers on a NUL-terminated command line. */
const char *cmdline_find(const char *cmdline, const char *key);
size_t cmdline_value_len(const char *value);
bool parse_u64(const char *s, size_t len, uint64_t *out); /* decimal or 0x hex */
bool parse_mac(const char *s, size_t len, uint8_t mac[6]); /* aa:bb:cc:dd:ee:ff */

/* Look key up in the guest's command line: pointer to its value (ending at
 * a space or the NUL), or NULL when the key is absent. */
const char *cmdline_get(const uint8_t *boot_params, const char *key);
/* Does key's value equal s? False when absent. */
bool cmdline_is(const uint8_t *boot_params, const char *key, const char *s);
/* 0: absent (out unchanged); 1: parsed; -1: present but malformed. */
int cmdline_get_u64(const uint8_t *boot_params, const char *key, uint64_t *out);
int cmdline_get_mac(const uint8_t *boot_params, const char *key, uint8_t mac[6]);

#endif
