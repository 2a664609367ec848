/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the xtalk.ini parser. Besides the sanitizers, it
 * checks what the loader relies on after a parse and aborts on violation.
 * Seeds: tests/fuzz/corpus_ini/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/ini.h"
#include "tests/fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

FUZZ_CHECKER static int name_ok(const char *s)
{
	size_t n = strnlen(s, XT_NAME_MAX + 1);

	if (n < 1 || n > XT_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* Non-empty, '\\'-separated, no empty or ".." component. */
FUZZ_CHECKER static int image_ok(const char *s)
{
	size_t n = strnlen(s, XT_PATH_MAX + 1), start = 0;

	if (n < 1 || n > XT_PATH_MAX || strchr(s, '/'))
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '\\')
			continue;
		if (i == start || (i - start == 2 && s[start] == '.' && s[start + 1] == '.'))
			return 0;
		start = i + 1;
	}
	return 1;
}

FUZZ_CHECKER static void check_guest(const struct xt_config *cfg, unsigned i)
{
	const struct xt_guest_cfg *g = &cfg->guest[i];
	uint64_t mem = (uint64_t)g->memory_mib << 20;

	check(name_ok(g->name));
	if (g->refused)
		return;
	check(image_ok(g->image));
	check(g->image_line > g->line);
	check(g->memory_mib >= XT_MEM_MIN_MIB && g->memory_mib <= XT_MEM_MAX_MIB);
	check(g->format == XT_FMT_ELF || g->format == XT_FMT_RAW);
	if (g->format == XT_FMT_RAW)
		check(g->has_load && !(g->load & 0xfff) && g->load >= 0x100000 && g->load < mem);
	else
		check(!g->has_load);
	if (g->has_entry)
		check(g->entry < mem);
	if (g->network[0])
		check(name_ok(g->network) && g->has_mac);
	if (g->has_mac)
		check(!(g->mac[0] & 1));
	/* Names and MACs are unique among guests that will start. */
	for (unsigned j = 0; j < i; j++) {
		const struct xt_guest_cfg *o = &cfg->guest[j];

		check(strcmp(o->name, g->name) != 0);
		if (!o->refused && o->has_mac && g->has_mac)
			check(memcmp(o->mac, g->mac, 6) != 0);
	}
	check(xt_guest_find(cfg, g->name) == (int)i);
}

FUZZ_CHECKER static void check_config(const struct xt_config *cfg, const struct xt_diags *d, int errors)
{
	check(cfg->nguests <= XT_MAX_GUESTS);
	check(cfg->nlinks <= XT_MAX_LINKS);
	check(d->count <= XT_MAX_DIAGS);
	check(errors >= 0 && (unsigned)errors == d->count + d->dropped);
	check(!cfg->refused || errors > 0);
	check(cfg->timeslice_us >= 100 && cfg->timeslice_us <= 1000000);
	check(cfg->log_level <= XT_LOG_DEBUG);
	for (unsigned i = 0; i < d->count; i++) {
		/* A message reaching the buffer end was probably cut short. */
		check(strnlen(d->d[i].msg, sizeof(d->d[i].msg)) < sizeof(d->d[i].msg) - 1);
		check(i == 0 || d->d[i - 1].line <= d->d[i].line);
	}
	for (unsigned i = 0; i < cfg->nguests; i++)
		check_guest(cfg, i);
	for (unsigned i = 0; i < cfg->nlinks; i++) {
		const struct xt_link *l = &cfg->link[i];

		check(l->a < l->b && l->b < cfg->nguests);
		check(!cfg->guest[l->a].refused && !cfg->guest[l->b].refused);
		check(xt_guests_coupled(cfg, l->a, l->b) && xt_guests_coupled(cfg, l->b, l->a));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xt_config cfg;
	static struct xt_diags diags;
	char line[256];
	int errors;

	/* An exact-size copy so ASan sees any over-read. */
	char *text = malloc(size ? size : 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	errors = xt_ini_parse(text, size, &cfg, &diags);
	check_config(&cfg, &diags, errors);
	for (unsigned i = 0; i < diags.count; i++)
		xt_diag_format(&diags.d[i], "xtalk.ini", line, sizeof(line));
	free(text);
	return 0;
}
