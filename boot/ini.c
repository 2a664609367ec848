/* SPDX-License-Identifier: MIT */
/*
 * xtalk.ini parser. The input is hostile: it is a byte span (not a C string)
 * and every index is checked against its span length. Errors are scoped:
 * a bad [guest] refuses that guest, a bad [couple] line drops that link, and
 * anything else refuses the whole file. Parsing always continues so the user
 * sees every error at once. See docs/ini.md.
 */
#include "boot/ini.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/fmt.h"

#define MIB (1024ull * 1024)
#define LOAD_MIN 0x100000ull
#define PAGE_MASK 0xfffull
#define TIMESLICE_MIN 100
#define TIMESLICE_MAX 1000000
#define RATE_MS_MIN 100 /* rate_ms: 0 (off) or 100..60000 */
#define RATE_MS_MAX 60000
#define MEM_DEFAULT_MIB 16
#define QUOTE_MAX 32 /* user text quoted in a message is cut here */
#define QBUF (QUOTE_MAX + 4)
#define NAME_CHARS "A-Z a-z 0-9 _ -"

struct span {
	const char *p;
	size_t n;
};

enum section { SEC_NONE, SEC_XTALK, SEC_GUEST, SEC_COUPLE, SEC_DISK, SEC_SKIP };

enum xkey { XK_LOG, XK_TIMESLICE, XK_CROSSTALK, XK_ZEROCOPY, XK_RATE_MS, XK_APICV, XK_COUNT };
enum gkey {
	GK_IMAGE, GK_FORMAT, GK_LOAD, GK_ENTRY, GK_MEMORY, GK_MAC, GK_NETWORK, GK_CMDLINE, GK_UPLINK,
	GK_MAC_SPOOF, GK_INITRD, GK_ON_REBOOT, GK_AUDIO, GK_DISK, GK_COUNT
};

/* Arrays of arrays rather than pointers: no relocations in the loader. */
static const char xkey_name[XK_COUNT][13] = { "log", "timeslice_us", "crosstalk", "zerocopy",
						"rate_ms", "apicv" };
static const char gkey_name[GK_COUNT][10] = { "image",	"format",  "load",   "entry",
					      "memory", "mac",	   "network", "cmdline",
					      "uplink", "mac_spoof", "initrd", "on_reboot",
					      "audio", "disk" };

enum hdr {
	HDR_XTALK,
	HDR_GUEST,
	HDR_COUPLE,
	HDR_DISK,
	HDR_UNTERMINATED,
	HDR_JUNK,
	HDR_EMPTY,
	HDR_UNKNOWN,
	HDR_EXTRA,
	HDR_NO_NAME,
	HDR_MULTI_NAME,
	HDR_BAD_NAME,
};

enum lk { LK_OK, LK_COUNT, LK_BAD_A, LK_BAD_B, LK_SAME };
enum num { NUM_OK, NUM_EMPTY, NUM_BAD, NUM_BIG };
/* hypercall policy keys, see below */
enum pkey { PK_DEBUG_DUMP, PK_COUNTERS, PK_USER_COUNTERS, PK_COUNT };

/* Parse state lives on the caller's stack: nothing global is written. */
struct parser {
	struct xt_config *cfg;
	struct xt_diags *diags;
	int errors;
	enum section sec;
	unsigned xtalk_line; /* header of the first [xtalk]; 0 = none yet */
	unsigned xkey_line[XK_COUNT];
	int cur; /* slot of the open [guest] section */
	int cur_disk; /* slot of the open [disk] section */
	unsigned dkey_line[2]; /* backing, cache_mib of the open [disk] section */
	unsigned gkey_line[GK_COUNT]; /* first line of each key; 0 = absent */
	unsigned gbad; /* bit per gkey whose value was rejected */
	unsigned mac_line[XT_MAX_GUESTS];
	unsigned pkey_line[PK_COUNT]; /* policy keys of the open [guest] section */
};

struct cursor {
	const char *text;
	size_t len, pos;
	unsigned no;
};

struct line {
	struct span s; /* comment stripped and trimmed */
	unsigned no;
	bool has_nul, too_long;
};

/* ---- diagnostics ---- */

static void diag_vadd(struct xt_diags *diags, unsigned line, const char *fmt, va_list ap)
{
	struct xt_diag *d;

	if (!diags)
		return;
	if (diags->count >= XT_MAX_DIAGS) {
		if (diags->dropped != ~0u)
			diags->dropped++;
		return;
	}
	d = &diags->d[diags->count++];
	d->line = line;
	xt_vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
}

void xt_diag_add(struct xt_diags *diags, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(diags, line, fmt, ap);
	va_end(ap);
}

static void refuse_vadd(struct xt_config *cfg, struct xt_diags *diags, unsigned idx, unsigned line,
			const char *fmt, va_list ap)
{
	diag_vadd(diags, line, fmt, ap);
	if (cfg && idx < cfg->nguests && idx < XT_MAX_GUESTS)
		cfg->guest[idx].refused = true;
}

void xt_config_refuse_guest(struct xt_config *cfg, struct xt_diags *diags, unsigned idx,
			    unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	refuse_vadd(cfg, diags, idx, line, fmt, ap);
	va_end(ap);
}

int xt_diag_format(const struct xt_diag *d, const char *file, char *buf, size_t size)
{
	/* A local NUL-terminated copy: d may come from anywhere. */
	char msg[sizeof(d->msg) + 1];
	size_t n = strnlen(d->msg, sizeof(d->msg));

	memcpy(msg, d->msg, n);
	msg[n] = '\0';
	if (!file)
		file = "xtalk.ini";
	if (d->line)
		return xt_snprintf(buf, size, "%s:%u: %s", file, d->line, msg);
	return xt_snprintf(buf, size, "%s: %s", file, msg);
}

/* Users read errors top-down, but link errors are found in a second pass. */
static void diags_sort(struct xt_diags *diags)
{
	struct xt_diag tmp;
	unsigned i, j;

	if (!diags)
		return;
	for (i = 1; i < diags->count; i++) {
		if (diags->d[i - 1].line <= diags->d[i].line)
			continue;
		tmp = diags->d[i];
		for (j = i; j > 0 && diags->d[j - 1].line > tmp.line; j--)
			diags->d[j] = diags->d[j - 1];
		diags->d[j] = tmp;
	}
}

/* Errors that refuse the whole file. */
__attribute__((format(printf, 3, 4))) static void file_error(struct parser *p, unsigned line,
							    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(p->diags, line, fmt, ap);
	va_end(ap);
	p->errors++;
	p->cfg->refused = true;
}

/* Errors that refuse one guest. */
__attribute__((format(printf, 4, 5))) static void guest_error(struct parser *p, int idx,
							     unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	refuse_vadd(p->cfg, p->diags, (unsigned)idx, line, fmt, ap);
	va_end(ap);
	p->errors++;
}

/* An error inside the open section, scoped by the kind of section. */
__attribute__((format(printf, 3, 4))) static void sec_error(struct parser *p, unsigned line,
							   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (p->sec == SEC_GUEST)
		refuse_vadd(p->cfg, p->diags, (unsigned)p->cur, line, fmt, ap);
	else
		diag_vadd(p->diags, line, fmt, ap);
	va_end(ap);
	p->errors++;
	if (p->sec == SEC_DISK)
		p->cfg->disk[p->cur_disk].refused = true;
	else if (p->sec != SEC_GUEST && p->sec != SEC_COUPLE)
		p->cfg->refused = true;
}

/* ---- spans and characters ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int hex_val(char c)
{
	if (is_digit(c))
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static struct span span_sub(struct span s, size_t from, size_t to)
{
	return (struct span){ s.p + from, to - from };
}

static struct span trim(struct span s)
{
	while (s.n && is_blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

/* Index of the first c in s, or s.n. */
static size_t find_char(struct span s, char c)
{
	size_t i = 0;

	while (i < s.n && s.p[i] != c)
		i++;
	return i;
}

static size_t find_blank(struct span s)
{
	size_t i = 0;

	while (i < s.n && !is_blank(s.p[i]))
		i++;
	return i;
}

/* Case-insensitive compare against a lower-case NUL-terminated word. */
static bool span_ieq(struct span s, const char *word)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (!word[i] || lower(s.p[i]) != word[i])
			return false;
	return !word[i];
}

/* Index of s among the '|'-separated lower-case words of alts, or -1. */
static int match_word(struct span s, const char *alts)
{
	int idx = 0;

	for (;;) {
		size_t n = 0;

		while (alts[n] && alts[n] != '|')
			n++;
		if (n == s.n) {
			size_t i = 0;

			while (i < n && lower(s.p[i]) == alts[i])
				i++;
			if (i == n)
				return idx;
		}
		if (!alts[n])
			return -1;
		alts += n + 1;
		idx++;
	}
}

/* Printable copy of user text for messages: cut, with odd bytes as '?'. */
static const char *quote(char *buf, struct span s)
{
	size_t n = s.n < QUOTE_MAX ? s.n : QUOTE_MAX;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s.p[i];

		buf[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	if (s.n > QUOTE_MAX) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

static void copy_name(char *dst, struct span s)
{
	memcpy(dst, s.p, s.n);
	dst[s.n] = '\0';
}

/* NULL when s is a valid guest or network name, else what is wrong. */
static const char *name_problem(struct span s)
{
	size_t i;

	if (!s.n)
		return "is empty";
	if (s.n > XT_NAME_MAX)
		return "is longer than 15 characters";
	for (i = 0; i < s.n; i++)
		if (!is_alnum(s.p[i]) && s.p[i] != '_' && s.p[i] != '-')
			return "may only contain " NAME_CHARS;
	return NULL;
}

/* ---- lines ---- */

static bool next_line(struct cursor *c, struct line *l)
{
	struct span raw;
	size_t cut;

	if (c->pos >= c->len)
		return false;
	raw = (struct span){ c->text + c->pos, c->len - c->pos };
	raw.n = find_char(raw, '\n');
	c->pos += raw.n + 1;
	l->no = ++c->no;
	if (raw.n && raw.p[raw.n - 1] == '\r')
		raw.n--;
	l->has_nul = find_char(raw, '\0') < raw.n;
	l->too_long = raw.n > XT_INI_LINE_MAX;
	raw = trim(raw);
	/* ';' or '#' starts a comment at the line start or after a blank. */
	for (cut = 0; cut < raw.n; cut++) {
		if ((raw.p[cut] == ';' || raw.p[cut] == '#') && (!cut || is_blank(raw.p[cut - 1])))
			break;
	}
	l->s = trim(span_sub(raw, 0, cut));
	return true;
}

static void cursor_init(struct cursor *c, const char *text, size_t len)
{
	static const char bom[3] = { '\xef', '\xbb', '\xbf' };

	c->text = text;
	c->len = len;
	c->pos = (len >= 3 && !memcmp(text, bom, 3)) ? 3 : 0;
	c->no = 0;
}

/* ---- headers ---- */

static enum hdr named_header(struct span rest, struct span *name)
{
	*name = rest;
	if (!rest.n)
		return HDR_NO_NAME;
	if (find_blank(rest) < rest.n)
		return HDR_MULTI_NAME;
	return name_problem(rest) ? HDR_BAD_NAME : HDR_GUEST;
}

/* s starts with '['. On return *name is the span the result is about. */
static enum hdr parse_header(struct span s, struct span *name)
{
	size_t close = find_char(s, ']');
	struct span in, word, rest;

	*name = s;
	if (close == s.n)
		return HDR_UNTERMINATED;
	if (close + 1 < s.n) {
		*name = trim(span_sub(s, close + 1, s.n));
		return HDR_JUNK;
	}
	in = trim(span_sub(s, 1, close));
	word = span_sub(in, 0, find_blank(in));
	rest = trim(span_sub(in, word.n, in.n));
	*name = word;
	if (!word.n)
		return HDR_EMPTY;
	if (span_ieq(word, "guest"))
		return named_header(rest, name);
	if (span_ieq(word, "disk")) {
		enum hdr h = named_header(rest, name);

		return h == HDR_GUEST ? HDR_DISK : h;
	}
	if (!span_ieq(word, "xtalk") && !span_ieq(word, "couple"))
		return HDR_UNKNOWN;
	*name = rest;
	if (rest.n)
		return HDR_EXTRA;
	return span_ieq(word, "xtalk") ? HDR_XTALK : HDR_COUPLE;
}

static void header_error(struct parser *p, unsigned no, enum hdr h, struct span name,
			 const char *what)
{
	char q[QBUF];

	quote(q, name);
	switch (h) {
	case HDR_UNTERMINATED:
		file_error(p, no, "section header '%s' has no closing ']'", q);
		break;
	case HDR_JUNK:
		file_error(p, no, "unexpected '%s' after section header", q);
		break;
	case HDR_EMPTY:
		file_error(p, no, "empty section header '[]'");
		break;
	case HDR_UNKNOWN:
		file_error(p, no,
			   "unknown section [%s] (use [xtalk], [guest NAME], [disk NAME] or [couple])",
			   q);
		break;
	case HDR_EXTRA:
		file_error(p, no, "unexpected '%s' in section header", q);
		break;
	case HDR_NO_NAME:
		file_error(p, no, "[%s] needs a name: [%s NAME]", what, what);
		break;
	case HDR_MULTI_NAME:
		file_error(p, no, "[%s] takes one name, found '%s'", what, q);
		break;
	default:
		file_error(p, no, "%s name '%s' %s", what, q, name_problem(name));
		break;
	}
}

/* ---- values ---- */

static enum num parse_u64(struct span s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	bool big = false;
	size_t i = 0;

	if (!s.n)
		return NUM_EMPTY;
	if (s.n > 2 && s.p[0] == '0' && lower(s.p[1]) == 'x') {
		base = 16;
		i = 2;
	}
	for (; i < s.n; i++) {
		int d = hex_val(s.p[i]);

		if (d < 0 || (unsigned)d >= base)
			return NUM_BAD;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			big = true;
		else
			v = v * base + (unsigned)d;
	}
	if (big)
		return NUM_BIG;
	*out = v;
	return NUM_OK;
}

static bool get_u64(struct parser *p, unsigned no, const char *key, struct span v,
		    uint64_t *out)
{
	char q[QBUF];

	switch (parse_u64(v, out)) {
	case NUM_OK:
		return true;
	case NUM_EMPTY:
		sec_error(p, no, "%s: missing value", key);
		break;
	case NUM_BAD:
		sec_error(p, no, "%s: '%s' is not a number", key, quote(q, v));
		break;
	default:
		sec_error(p, no, "%s: '%s' is too large", key, quote(q, v));
		break;
	}
	return false;
}

static bool get_range(struct parser *p, unsigned no, const char *key, struct span v,
		      uint32_t min, uint32_t max, const char *unit, uint32_t *out)
{
	uint64_t x;

	if (!get_u64(p, no, key, v, &x))
		return false;
	if (x < min || x > max) {
		sec_error(p, no, "%s: %llu%s is out of range (%u..%u)", key, (unsigned long long)x,
			  unit, min, max);
		return false;
	}
	*out = (uint32_t)x;
	return true;
}

/* Index of v among alts (see match_word), or -1 after reporting. */
static int get_enum(struct parser *p, unsigned no, const char *key, struct span v,
		    const char *alts)
{
	char q[QBUF];
	int i;

	if (!v.n) {
		sec_error(p, no, "%s: missing value", key);
		return -1;
	}
	i = match_word(v, alts);
	if (i < 0)
		sec_error(p, no, "%s: '%s' is not one of %s", key, quote(q, v), alts);
	return i;
}

static bool parse_mac(struct span s, uint8_t mac[6])
{
	char sep;
	int i;

	if (s.n != 17)
		return false;
	sep = s.p[2];
	if (sep != ':' && sep != '-')
		return false;
	for (i = 0; i < 6; i++) {
		int hi = hex_val(s.p[3 * i]), lo = hex_val(s.p[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s.p[3 * i + 2] != sep))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* ---- [xtalk] ---- */

/* rate_ms: 0 turns the periodic rate line off; otherwise 100..60000. */
static bool get_rate_ms(struct parser *p, unsigned no, struct span v, uint32_t *out)
{
	uint64_t x;

	if (!get_u64(p, no, "rate_ms", v, &x))
		return false;
	if (x && (x < RATE_MS_MIN || x > RATE_MS_MAX)) {
		sec_error(p, no, "rate_ms: %llu is out of range (0 = off, or %u..%u)",
			  (unsigned long long)x, RATE_MS_MIN, RATE_MS_MAX);
		return false;
	}
	*out = (uint32_t)x;
	return true;
}

static bool xtalk_value(struct parser *p, unsigned no, int k, struct span v)
{
	struct xt_config *cfg = p->cfg;
	int i;

	switch (k) {
	case XK_LOG:
		i = get_enum(p, no, "log", v, "error|warn|info|debug");
		if (i >= 0)
			cfg->log_level = (enum xt_log_level)i;
		return i >= 0;
	case XK_TIMESLICE:
		return get_range(p, no, "timeslice_us", v, TIMESLICE_MIN, TIMESLICE_MAX, "",
				 &cfg->timeslice_us);
	case XK_RATE_MS:
		return get_rate_ms(p, no, v, &cfg->rate_ms);
	case XK_ZEROCOPY:
		i = get_enum(p, no, "zerocopy", v, "off|on");
		if (i >= 0)
			cfg->zerocopy = i;
		return i >= 0;
	case XK_APICV:
		i = get_enum(p, no, "apicv", v, "off|on");
		if (i >= 0)
			cfg->apicv = i;
		return i >= 0;
	default:
		i = get_enum(p, no, "crosstalk", v, "off|on");
		if (i >= 0)
			cfg->crosstalk = i;
		return i >= 0;
	}
}

static void xtalk_key(struct parser *p, unsigned no, struct span key, struct span v)
{
	char q[QBUF];
	int k;

	for (k = 0; k < XK_COUNT; k++)
		if (span_ieq(key, xkey_name[k]))
			break;
	if (k == XK_COUNT) {
		sec_error(p, no, "unknown key '%s' in [xtalk]", quote(q, key));
		return;
	}
	if (p->xkey_line[k]) {
		sec_error(p, no, "duplicate key '%s' in [xtalk] (first at line %u)", xkey_name[k],
			  p->xkey_line[k]);
		return;
	}
	p->xkey_line[k] = no;
	xtalk_value(p, no, k, v);
}

/* ---- [guest NAME]: what its hypercalls may do (docs/hypercalls.md) ---- */

static const char pkey_name[PK_COUNT][14] = { "debug_dump", "counters", "user_counters" };
static const char pkey_values[PK_COUNT][14] = { "off|on", "guest|machine", "off|on" };

/* A policy key is handled here, errors included: true; any other key: false. */
static bool policy_key(struct parser *p, unsigned no, struct span key, struct span v)
{
	struct xt_guest_cfg *g = &p->cfg->guest[p->cur];
	int k, i;

	for (k = 0; k < PK_COUNT && !span_ieq(key, pkey_name[k]); k++)
		;
	if (k == PK_COUNT)
		return false;
	if (p->pkey_line[k]) {
		sec_error(p, no, "duplicate key '%s' in [guest %s] (first at line %u)", pkey_name[k],
			  g->name, p->pkey_line[k]);
		return true;
	}
	p->pkey_line[k] = no;
	i = get_enum(p, no, pkey_name[k], v, pkey_values[k]);
	if (k == PK_DEBUG_DUMP)
		g->debug_dump = i == 1;
	else if (k == PK_COUNTERS)
		g->counters_machine = i == 1;
	else
		g->user_counters = i == 1;
	return true;
}

/* ---- [guest NAME] ---- */

static struct xt_guest_cfg *cur_guest(struct parser *p)
{
	return &p->cfg->guest[p->cur];
}

static bool path_char_ok(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '-' || c == '/' || c == '\\';
}

static bool is_sep(char c)
{
	return c == '/' || c == '\\';
}

/* NULL when every '/'- or '\'-separated component is sane, else why not. */
static const char *path_problem(struct span s)
{
	size_t i, start = 0;

	for (i = 0; i < s.n; i++)
		if (!path_char_ok(s.p[i]))
			return "may only contain A-Z a-z 0-9 . _ - / \\";
	for (i = 0; i <= s.n; i++) {
		struct span comp;

		if (i < s.n && !is_sep(s.p[i]))
			continue;
		comp = span_sub(s, start, i);
		if (!comp.n)
			return "has an empty path component";
		if (comp.n == 2 && comp.p[0] == '.' && comp.p[1] == '.')
			return "must not contain '..'";
		start = i + 1;
	}
	return NULL;
}

/* A file on the boot volume (image, initrd): separators become '\\'. */
static bool set_path(struct parser *p, unsigned no, const char *key, struct span v, char *dst)
{
	const char *why;
	char q[QBUF];
	size_t i;

	while (v.n && is_sep(v.p[0])) {
		v.p++;
		v.n--;
	}
	if (!v.n) {
		sec_error(p, no, "%s: missing file path", key);
		return false;
	}
	if (v.n > XT_PATH_MAX) {
		sec_error(p, no, "%s: path is longer than %d characters", key, XT_PATH_MAX);
		return false;
	}
	why = path_problem(v);
	if (why) {
		sec_error(p, no, "%s: '%s' %s", key, quote(q, v), why);
		return false;
	}
	for (i = 0; i < v.n; i++)
		dst[i] = v.p[i] == '/' ? '\\' : v.p[i];
	dst[v.n] = '\0';
	return true;
}

static bool set_load(struct parser *p, unsigned no, struct span v)
{
	struct xt_guest_cfg *g = cur_guest(p);
	uint64_t x;

	if (!get_u64(p, no, "load", v, &x))
		return false;
	if (x & PAGE_MASK) {
		sec_error(p, no, "load: 0x%llx is not 4 KiB aligned", (unsigned long long)x);
		return false;
	}
	if (x < LOAD_MIN) {
		sec_error(p, no, "load: 0x%llx is below 1 MiB (0x100000)", (unsigned long long)x);
		return false;
	}
	g->load = x;
	g->has_load = true;
	return true;
}

static bool set_mac(struct parser *p, unsigned no, struct span v)
{
	struct xt_guest_cfg *g = cur_guest(p);
	uint8_t mac[6];
	char q[QBUF];

	if (!parse_mac(v, mac)) {
		sec_error(p, no, "mac: '%s' is not a MAC address like 52:54:00:12:34:56",
			  quote(q, v));
		return false;
	}
	if (mac[0] & 1) {
		sec_error(p, no, "mac: '%s' is a multicast address", quote(q, v));
		return false;
	}
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
		sec_error(p, no, "mac: '%s' is the all-zero address", quote(q, v));
		return false;
	}
	memcpy(g->mac, mac, sizeof(mac));
	g->has_mac = true;
	p->mac_line[p->cur] = no;
	return true;
}

static bool set_name(struct parser *p, unsigned no, const char *key, struct span v, char *dst)
{
	const char *why = name_problem(v);
	char q[QBUF];

	if (why) {
		sec_error(p, no, "%s: name '%s' %s", key, quote(q, v), why);
		return false;
	}
	copy_name(dst, v);
	return true;
}

/* Printable ASCII only: the text lands in guest memory and on consoles. */
static bool set_cmdline(struct parser *p, unsigned no, struct span v)
{
	char q[QBUF];

	if (v.n > XT_CMDLINE_MAX - 1) {
		sec_error(p, no, "cmdline: %zu characters, more than %d", v.n, XT_CMDLINE_MAX - 1);
		return false;
	}
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] < 0x20 || v.p[i] > 0x7e) {
			sec_error(p, no, "cmdline: '%s' has a non-printable character", quote(q, v));
			return false;
		}
	}
	copy_name(cur_guest(p)->cmdline, v);
	return true;
}

static bool guest_value(struct parser *p, unsigned no, int k, struct span v)
{
	struct xt_guest_cfg *g = cur_guest(p);
	int i;

	switch (k) {
	case GK_IMAGE:
		g->image_line = no;
		return set_path(p, no, "image", v, g->image);
	case GK_INITRD:
		g->initrd_line = no;
		return set_path(p, no, "initrd", v, g->initrd);
	case GK_FORMAT:
		/* The order of the words is enum xt_image_format's. */
		i = get_enum(p, no, "format", v, "elf|raw|linux");
		if (i >= 0)
			g->format = (enum xt_image_format)i;
		return i >= 0;
	case GK_LOAD:
		return set_load(p, no, v);
	case GK_ENTRY:
		g->has_entry = get_u64(p, no, "entry", v, &g->entry);
		return g->has_entry;
	case GK_MEMORY:
		return get_range(p, no, "memory", v, XT_MEM_MIN_MIB, XT_MEM_MAX_MIB, " MiB",
				 &g->memory_mib);
	case GK_MAC:
		return set_mac(p, no, v);
	case GK_CMDLINE:
		return set_cmdline(p, no, v);
	case GK_UPLINK:
		return set_name(p, no, "uplink", v, g->uplink);
	case GK_MAC_SPOOF:
		i = get_enum(p, no, "mac_spoof", v, "deny|allow");
		g->mac_spoof = i == 1;
		return i >= 0;
	case GK_ON_REBOOT:
		i = get_enum(p, no, "on_reboot", v, "restart|stop");
		g->reboot_stops = i == 1;
		return i >= 0;
	case GK_AUDIO:
		return set_name(p, no, "audio", v, g->audio);
	default:
		return set_name(p, no, "network", v, g->network);
	}
}

/* ---- disks: disk = (in [guest]) and [disk NAME] ---- */

/* "physN:..." with N < XT_MAX_PHYS_DISKS: N, and the part after ':'. */
static bool phys_prefix(struct span v, uint8_t *n, struct span *rest)
{
	size_t colon = find_char(v, ':');

	if (v.n < 6 || lower(v.p[0]) != 'p' || lower(v.p[1]) != 'h' || lower(v.p[2]) != 'y' ||
	    lower(v.p[3]) != 's' || colon != 5 || !is_digit(v.p[4]) ||
	    (unsigned)(v.p[4] - '0') >= XT_MAX_PHYS_DISKS)
		return false;
	*n = (uint8_t)(v.p[4] - '0');
	*rest = span_sub(v, colon + 1, v.n);
	return true;
}

/* physN:P or physN:START+COUNT; NULL, or what is wrong with it. */
static const char *phys_ref(struct span v, struct xt_disk_ref *r)
{
	struct span rest;
	size_t plus;
	uint64_t a, b;

	if (!phys_prefix(v, &r->phys, &rest))
		return "is not physN:PART or physN:START+COUNT (N 0..3)";
	plus = find_char(rest, '+');
	if (plus == rest.n) {
		if (parse_u64(rest, &a) != NUM_OK || a < 1 || a > 128)
			return "names no partition (1..128)";
		r->kind = XT_DISK_PART;
		r->part = (uint32_t)a;
		return NULL;
	}
	if (parse_u64(span_sub(rest, 0, plus), &a) != NUM_OK ||
	    parse_u64(span_sub(rest, plus + 1, rest.n), &b) != NUM_OK)
		return "has a START or COUNT that is not a number";
	if (!b || a >= XT_DISK_SECTORS_MAX || b > XT_DISK_SECTORS_MAX - a)
		return "is an empty range or one beyond 2^48 sectors";
	r->kind = XT_DISK_RANGE;
	r->start = a;
	r->count = b;
	return NULL;
}

static void add_guest_disk(struct parser *p, unsigned no, struct span v)
{
	struct xt_guest_cfg *g = cur_guest(p);
	struct xt_disk_ref r;
	const char *why;
	char q[QBUF];

	memset(&r, 0, sizeof(r));
	r.line = no;
	if (g->ndisks >= XT_GUEST_DISKS) {
		sec_error(p, no, "disk: at most %d disks per guest (its IDE drive slots)",
			  XT_GUEST_DISKS);
		return;
	}
	if (v.n && lower(v.p[0]) == 'p' && find_char(v, ':') < v.n) {
		why = phys_ref(v, &r);
		if (why) {
			sec_error(p, no, "disk: '%s' %s", quote(q, v), why);
			return;
		}
	} else if (!v.n || name_problem(v)) {
		sec_error(p, no, "disk: '%s' is neither physN:PART, physN:START+COUNT nor the "
			  "name of a [disk NAME] section", quote(q, v));
		return;
	} else {
		r.kind = XT_DISK_SHARED;
		copy_name(r.name, v);
	}
	g->disk[g->ndisks++] = r;
}

static struct xt_disk_cfg *cur_disk(struct parser *p)
{
	return &p->cfg->disk[p->cur_disk];
}

static void disk_key(struct parser *p, unsigned no, struct span key, struct span v)
{
	struct xt_disk_cfg *d = cur_disk(p);
	int k = span_ieq(key, "backing") ? 0 : span_ieq(key, "cache_mib") ? 1 : -1;
	const char *why;
	char q[QBUF];

	if (k < 0) {
		sec_error(p, no, "unknown key '%s' in [disk %s] (backing, cache_mib)", quote(q, key),
			  d->name);
		return;
	}
	if (p->dkey_line[k]) {
		sec_error(p, no, "duplicate key '%s' in [disk %s] (first at line %u)",
			  k ? "cache_mib" : "backing", d->name, p->dkey_line[k]);
		return;
	}
	p->dkey_line[k] = no;
	if (k == 1) {
		get_range(p, no, "cache_mib", v, 1, 1024, " MiB", &d->cache_mib);
		return;
	}
	d->backing.line = no;
	why = phys_ref(v, &d->backing);
	if (why)
		sec_error(p, no, "backing: '%s' %s", quote(q, v), why);
}

static void open_disk(struct parser *p, unsigned no, struct span name)
{
	struct xt_config *cfg = p->cfg;
	struct xt_disk_cfg *d;
	int prev;

	if (cfg->ndisks >= XT_MAX_DISKS) {
		char q[QBUF];

		xt_diag_add(p->diags, no, "too many disks: [disk %s] ignored (at most %d)",
			    quote(q, name), XT_MAX_DISKS);
		p->errors++;
		p->sec = SEC_SKIP;
		return;
	}
	p->cur_disk = (int)cfg->ndisks++;
	p->sec = SEC_DISK;
	memset(p->dkey_line, 0, sizeof(p->dkey_line));
	d = cur_disk(p);
	copy_name(d->name, name);
	d->line = no;
	d->cache_mib = XT_DISK_CACHE_MIB;
	prev = xt_disk_find(cfg, d->name);
	if (prev >= 0 && prev != p->cur_disk)
		sec_error(p, no, "duplicate disk name '%s' (first at line %u)", d->name,
			  cfg->disk[prev].line);
}

static void finish_disk(struct parser *p)
{
	struct xt_disk_cfg *d = cur_disk(p);

	if (!p->dkey_line[0])
		sec_error(p, d->line, "missing required key 'backing' in [disk %s]", d->name);
}

/* Whether [header starts with the word "disk" (for its error messages). */
static bool header_is_disk(struct span s)
{
	struct span in = trim(span_sub(s, 1, s.n));

	return in.n >= 4 && span_ieq(span_sub(in, 0, 4), "disk") &&
	       (in.n == 4 || is_blank(in.p[4]) || in.p[4] == ']');
}

static void guest_key(struct parser *p, unsigned no, struct span key, struct span v)
{
	const char *gname = cur_guest(p)->name;
	char q[QBUF];
	int k;

	if (policy_key(p, no, key, v))
		return;
	for (k = 0; k < GK_COUNT; k++)
		if (span_ieq(key, gkey_name[k]))
			break;
	if (k == GK_COUNT) {
		sec_error(p, no, "unknown key '%s' in [guest %s]", quote(q, key), gname);
		return;
	}
	if (k == GK_DISK) {		/* one line per drive slot */
		add_guest_disk(p, no, v);
		return;
	}
	if (p->gkey_line[k]) {
		sec_error(p, no, "duplicate key '%s' in [guest %s] (first at line %u)",
			  gkey_name[k], gname, p->gkey_line[k]);
		return;
	}
	p->gkey_line[k] = no;
	if (!guest_value(p, no, k, v))
		p->gbad |= 1u << k;
}

static bool key_ok(const struct parser *p, enum gkey k)
{
	return p->gkey_line[k] && !(p->gbad & (1u << k));
}

/* Needs the final memory size, so it runs when the section is complete. */
static void check_addr(struct parser *p, enum gkey k, uint64_t addr)
{
	const struct xt_guest_cfg *g = cur_guest(p);

	/* A rejected memory value would only repeat the same complaint. */
	if (!key_ok(p, k) || (p->gbad & (1u << GK_MEMORY)))
		return;
	if (addr >= (uint64_t)g->memory_mib * MIB)
		guest_error(p, p->cur, p->gkey_line[k],
			    "%s: 0x%llx is outside the guest's %u MiB of memory", gkey_name[k],
			    (unsigned long long)addr, g->memory_mib);
}

/* Checks that need the whole section: required keys, key combinations. */
static void finish_guest(struct parser *p)
{
	struct xt_guest_cfg *g = cur_guest(p);
	bool fmt_ok = !(p->gbad & (1u << GK_FORMAT));

	if (!p->gkey_line[GK_IMAGE])
		guest_error(p, p->cur, g->line, "missing required key 'image' in [guest %s]",
			    g->name);
	if (fmt_ok && g->format == XT_FMT_RAW && !p->gkey_line[GK_LOAD])
		guest_error(p, p->cur, p->gkey_line[GK_FORMAT],
			    "format = raw needs 'load' (the load address)");
	if (fmt_ok && g->format == XT_FMT_ELF && p->gkey_line[GK_LOAD])
		guest_error(p, p->cur, p->gkey_line[GK_LOAD],
			    "load: only valid with format = raw (ELF images carry their own)");
	if (fmt_ok && g->format == XT_FMT_LINUX && p->gkey_line[GK_LOAD])
		guest_error(p, p->cur, p->gkey_line[GK_LOAD],
			    "load: only valid with format = raw (a Linux kernel says where it goes)");
	if (fmt_ok && g->format == XT_FMT_LINUX && p->gkey_line[GK_ENTRY])
		guest_error(p, p->cur, p->gkey_line[GK_ENTRY],
			    "entry: not valid with format = linux (its 64-bit entry is fixed)");
	if (key_ok(p, GK_NETWORK) && !p->gkey_line[GK_MAC])
		guest_error(p, p->cur, p->gkey_line[GK_NETWORK],
			    "network: a guest on a network needs a 'mac'");
	if (key_ok(p, GK_UPLINK) && !p->gkey_line[GK_MAC])
		guest_error(p, p->cur, p->gkey_line[GK_UPLINK],
			    "uplink: a guest with an uplink needs a 'mac'");
	if (g->format == XT_FMT_RAW)
		check_addr(p, GK_LOAD, g->load);
	check_addr(p, GK_ENTRY, g->entry);
	if (g->format == XT_FMT_RAW && !g->has_entry)
		g->entry = g->load;
}

static void open_guest(struct parser *p, unsigned no, struct span name)
{
	struct xt_config *cfg = p->cfg;
	struct xt_guest_cfg *g;
	int prev;

	if (cfg->nguests >= XT_MAX_GUESTS) {
		char q[QBUF];

		/* No slot to refuse: just count and report it. */
		xt_diag_add(p->diags, no, "too many guests: [guest %s] ignored (at most %d)",
			    quote(q, name), XT_MAX_GUESTS);
		p->errors++;
		p->sec = SEC_SKIP;
		return;
	}
	p->cur = (int)cfg->nguests++;
	p->sec = SEC_GUEST;
	p->gbad = 0;
	memset(p->gkey_line, 0, sizeof(p->gkey_line));
	memset(p->pkey_line, 0, sizeof(p->pkey_line));
	g = cur_guest(p);
	copy_name(g->name, name);
	g->line = no;
	g->memory_mib = MEM_DEFAULT_MIB;
	g->format = XT_FMT_ELF;
	prev = xt_guest_find(cfg, g->name);
	if (prev >= 0 && prev != p->cur)
		guest_error(p, p->cur, no, "duplicate guest name '%s' (first at line %u)", g->name,
			    cfg->guest[prev].line);
}

/* ---- [couple] ---- */

static enum lk parse_link(struct span v, struct span *a, struct span *b)
{
	struct span rest;

	*a = span_sub(v, 0, find_blank(v));
	rest = trim(span_sub(v, a->n, v.n));
	*b = span_sub(rest, 0, find_blank(rest));
	if (!a->n || !b->n || b->n != rest.n)
		return LK_COUNT;
	if (name_problem(*a))
		return LK_BAD_A;
	if (name_problem(*b))
		return LK_BAD_B;
	if (a->n == b->n && !memcmp(a->p, b->p, a->n))
		return LK_SAME;
	return LK_OK;
}

static void couple_key(struct parser *p, unsigned no, struct span key, struct span v)
{
	struct span a, b;
	char q[QBUF];

	if (!span_ieq(key, "link")) {
		sec_error(p, no, "unknown key '%s' in [couple] (only 'link')", quote(q, key));
		return;
	}
	switch (parse_link(v, &a, &b)) {
	case LK_OK:
		break;
	case LK_COUNT:
		sec_error(p, no, "link: expected two guest names, found '%s'", quote(q, v));
		break;
	case LK_BAD_A:
		sec_error(p, no, "link: guest name '%s' %s", quote(q, a), name_problem(a));
		break;
	case LK_BAD_B:
		sec_error(p, no, "link: guest name '%s' %s", quote(q, b), name_problem(b));
		break;
	default:
		sec_error(p, no, "link: guest '%s' cannot be linked to itself", quote(q, a));
		break;
	}
}

/* Slot of the guest named s for a link, or -1 after reporting. */
static int link_end(struct parser *p, unsigned no, struct span s)
{
	char name[XT_NAME_MAX + 1];
	int idx;

	copy_name(name, s);
	idx = xt_guest_find(p->cfg, name);
	if (idx < 0)
		sec_error(p, no, "link: no guest named '%s'", name);
	else if (p->cfg->guest[idx].refused)
		sec_error(p, no, "link: guest '%s' is refused, link dropped", name);
	else
		return idx;
	return -1;
}

static void add_link(struct parser *p, unsigned no, struct span sa, struct span sb)
{
	struct xt_config *cfg = p->cfg;
	int a = link_end(p, no, sa), b = link_end(p, no, sb), t;
	unsigned i;

	if (a < 0 || b < 0)
		return;
	if (a > b) {
		t = a;
		a = b;
		b = t;
	}
	for (i = 0; i < cfg->nlinks; i++)
		if (cfg->link[i].a == a && cfg->link[i].b == b)
			return;
	if (cfg->nlinks >= XT_MAX_LINKS) {
		sec_error(p, no, "link: too many links (at most %d)", XT_MAX_LINKS);
		return;
	}
	cfg->link[cfg->nlinks++] = (struct xt_link){ (uint8_t)a, (uint8_t)b, no };
}

/* ---- first pass ---- */

static void finish_section(struct parser *p)
{
	if (p->sec == SEC_GUEST)
		finish_guest(p);
	else if (p->sec == SEC_DISK)
		finish_disk(p);
	p->sec = SEC_SKIP;
}

static void on_header(struct parser *p, const struct line *l)
{
	struct span name;
	enum hdr h = parse_header(l->s, &name);

	finish_section(p);
	switch (h) {
	case HDR_XTALK:
		if (p->xtalk_line) {
			file_error(p, l->no, "second [xtalk] section (first at line %u)",
				   p->xtalk_line);
			break;
		}
		p->xtalk_line = l->no;
		p->sec = SEC_XTALK;
		break;
	case HDR_GUEST:
		open_guest(p, l->no, name);
		break;
	case HDR_COUPLE:
		p->sec = SEC_COUPLE;
		break;
	case HDR_DISK:
		open_disk(p, l->no, name);
		break;
	default:
		header_error(p, l->no, h, name, header_is_disk(l->s) ? "disk" : "guest");
		break;
	}
}

static void on_key_value(struct parser *p, const struct line *l)
{
	size_t eq = find_char(l->s, '=');
	struct span key, v;
	char q[QBUF];

	if (p->sec == SEC_SKIP)
		return;
	if (p->sec == SEC_NONE) {
		file_error(p, l->no, "'%s' is outside any section; start with [xtalk] or [guest NAME]",
			   quote(q, l->s));
		return;
	}
	if (eq == l->s.n) {
		sec_error(p, l->no, "expected 'key = value', found '%s'", quote(q, l->s));
		return;
	}
	key = trim(span_sub(l->s, 0, eq));
	v = trim(span_sub(l->s, eq + 1, l->s.n));
	if (!key.n)
		sec_error(p, l->no, "missing key before '='");
	else if (p->sec == SEC_XTALK)
		xtalk_key(p, l->no, key, v);
	else if (p->sec == SEC_GUEST)
		guest_key(p, l->no, key, v);
	else if (p->sec == SEC_DISK)
		disk_key(p, l->no, key, v);
	else
		couple_key(p, l->no, key, v);
}

/* True when a line rejected as a whole looks like a section header. */
static bool bad_header(const struct line *l)
{
	return (l->has_nul || l->too_long) && l->s.n && l->s.p[0] == '[';
}

static void bad_line(struct parser *p, const struct line *l)
{
	if (l->has_nul)
		file_error(p, l->no, "line contains a NUL byte (is this a text file?)");
	else
		file_error(p, l->no, "line is longer than %d characters", XT_INI_LINE_MAX);
	/* Keys after a rejected header must not land in the previous section. */
	if (bad_header(l))
		finish_section(p);
}

static void parse_lines(struct parser *p, const char *text, size_t len)
{
	struct cursor c;
	struct line l;

	cursor_init(&c, text, len);
	while (next_line(&c, &l)) {
		if (l.has_nul || l.too_long)
			bad_line(p, &l);
		else if (!l.s.n)
			continue;
		else if (l.s.p[0] == '[')
			on_header(p, &l);
		else
			on_key_value(p, &l);
	}
	finish_section(p);
}

/*
 * Second pass: links may name guests defined further down, and guests may
 * be refused late (duplicate MACs), so links are resolved once all is known.
 * Syntax errors were reported by the first pass; such lines are skipped.
 */
static void resolve_links(struct parser *p, const char *text, size_t len)
{
	struct cursor c;
	struct line l;
	struct span name, key, v, a, b;
	size_t eq;

	p->sec = SEC_SKIP;
	cursor_init(&c, text, len);
	while (next_line(&c, &l)) {
		if (bad_header(&l))
			p->sec = SEC_SKIP;
		if (l.has_nul || l.too_long || !l.s.n)
			continue;
		if (l.s.p[0] == '[') {
			bool couple = parse_header(l.s, &name) == HDR_COUPLE;

			p->sec = couple ? SEC_COUPLE : SEC_SKIP;
			continue;
		}
		eq = find_char(l.s, '=');
		if (p->sec != SEC_COUPLE || eq == l.s.n)
			continue;
		key = trim(span_sub(l.s, 0, eq));
		v = trim(span_sub(l.s, eq + 1, l.s.n));
		if (span_ieq(key, "link") && parse_link(v, &a, &b) == LK_OK)
			add_link(p, l.no, a, b);
	}
}

/* A later guest reusing a MAC loses it; refused guests claim nothing. */
static void check_macs(struct parser *p)
{
	struct xt_config *cfg = p->cfg;
	unsigned i, j;

	for (i = 0; i < cfg->nguests; i++) {
		const struct xt_guest_cfg *g = &cfg->guest[i];

		if (g->refused || !g->has_mac)
			continue;
		for (j = 0; j < i; j++) {
			const struct xt_guest_cfg *o = &cfg->guest[j];
			const uint8_t *m = g->mac;

			if (o->refused || !o->has_mac || memcmp(o->mac, m, 6))
				continue;
			guest_error(p, (int)i, p->mac_line[i],
				    "duplicate MAC %02x:%02x:%02x:%02x:%02x:%02x (already used by guest '%s' at line %u)",
				    m[0], m[1], m[2], m[3], m[4], m[5], o->name, p->mac_line[j]);
			break;
		}
	}
}

/* Two places on the machine's disks that share a sector, as far as the file
 * says (a partition against a range is the VMM's to check, once it has
 * read the GPT). */
static bool refs_overlap(const struct xt_disk_ref *a, const struct xt_disk_ref *b)
{
	if (a->phys != b->phys || a->kind != b->kind)
		return false;
	if (a->kind == XT_DISK_PART)
		return a->part == b->part;
	return a->kind == XT_DISK_RANGE && a->start < b->start + b->count &&
	       b->start < a->start + a->count;
}

/* A later [disk] whose backing overlaps an earlier one's is refused. */
static void check_disk_backings(struct parser *p)
{
	struct xt_config *cfg = p->cfg;

	for (unsigned i = 0; i < cfg->ndisks; i++)
		for (unsigned j = 0; j < i && !cfg->disk[i].refused; j++) {
			if (cfg->disk[j].refused ||
			    !refs_overlap(&cfg->disk[i].backing, &cfg->disk[j].backing))
				continue;
			xt_diag_add(p->diags, cfg->disk[i].backing.line,
				    "backing: overlaps [disk %s]'s (line %u); [disk %s] refused",
				    cfg->disk[j].name, cfg->disk[j].backing.line, cfg->disk[i].name);
			p->errors++;
			cfg->disk[i].refused = true;
		}
}

/* disk = NAME: the section, kept; or the guest is refused. */
static void resolve_shared(struct parser *p, unsigned gi, struct xt_disk_ref *r)
{
	const struct xt_config *cfg = p->cfg;
	int d = xt_disk_find(cfg, r->name);

	if (d < 0)
		guest_error(p, (int)gi, r->line, "disk: no [disk %s] section", r->name);
	else if (cfg->disk[d].refused)
		guest_error(p, (int)gi, r->line, "disk: [disk %s] (line %u) is refused", r->name,
			    cfg->disk[d].line);
	else
		r->shared = (uint8_t)d;
}

/* A private disk of guest gi against every shared backing, the other
 * private disks before it in the file, and its own shared disks twice. */
static const char *private_clash(const struct xt_config *cfg, unsigned gi, unsigned k,
				 unsigned *line)
{
	const struct xt_disk_ref *r = &cfg->guest[gi].disk[k];

	for (unsigned d = 0; d < cfg->ndisks; d++)
		if (!cfg->disk[d].refused && refs_overlap(r, &cfg->disk[d].backing)) {
			*line = cfg->disk[d].backing.line;
			return "a shared disk's backing";
		}
	for (unsigned h = 0; h <= gi; h++)
		for (unsigned m = 0; m < cfg->guest[h].ndisks && (h < gi || m < k); m++) {
			const struct xt_disk_ref *o = &cfg->guest[h].disk[m];

			if (cfg->guest[h].refused && h != gi)
				continue;
			if (refs_overlap(r, o) ||
			    (r->kind == XT_DISK_SHARED && o->kind == XT_DISK_SHARED && h == gi &&
			     r->shared == o->shared)) {
				*line = o->line;
				return h == gi ? "another of its disks" : "another guest's disk";
			}
		}
	return NULL;
}

static void check_guest_disks(struct parser *p)
{
	struct xt_config *cfg = p->cfg;

	for (unsigned gi = 0; gi < cfg->nguests && gi < XT_MAX_GUESTS; gi++) {
		struct xt_guest_cfg *g = &cfg->guest[gi];

		for (unsigned k = 0; k < g->ndisks && !g->refused; k++)
			if (g->disk[k].kind == XT_DISK_SHARED)
				resolve_shared(p, gi, &g->disk[k]);
		for (unsigned k = 0; k < g->ndisks && !g->refused; k++) {
			unsigned line = 0;
			const char *what = private_clash(cfg, gi, k, &line);

			if (what)
				guest_error(p, (int)gi, g->disk[k].line,
					    "disk: overlaps %s (line %u)", what, line);
		}
	}
}

int xt_ini_parse(const char *text, size_t len, struct xt_config *cfg, struct xt_diags *diags)
{
	struct parser p;

	memset(cfg, 0, sizeof(*cfg));
	cfg->log_level = XT_LOG_INFO;
	cfg->timeslice_us = 2000;
	cfg->crosstalk = true;
	cfg->zerocopy = true;
	cfg->apicv = true;
	if (diags)
		memset(diags, 0, sizeof(*diags));
	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.diags = diags;
	p.sec = SEC_NONE;
	if (!text)
		len = 0;
	if (len > XT_INI_MAX_SIZE) {
		file_error(&p, 0, "file is %zu bytes, larger than the %d-byte limit", len,
			   XT_INI_MAX_SIZE);
		return p.errors;
	}
	parse_lines(&p, text, len);
	check_macs(&p);
	check_disk_backings(&p);
	check_guest_disks(&p);
	resolve_links(&p, text, len);
	diags_sort(diags);
	return p.errors;
}

/* ---- queries ---- */

int xt_guest_find(const struct xt_config *cfg, const char *name)
{
	unsigned i, n = cfg->nguests < XT_MAX_GUESTS ? cfg->nguests : XT_MAX_GUESTS;

	if (!name)
		return -1;
	for (i = 0; i < n; i++)
		if (!strncmp(cfg->guest[i].name, name, sizeof(cfg->guest[i].name)))
			return (int)i;
	return -1;
}

int xt_disk_find(const struct xt_config *cfg, const char *name)
{
	unsigned i, n = cfg->ndisks < XT_MAX_DISKS ? cfg->ndisks : XT_MAX_DISKS;

	if (!name)
		return -1;
	for (i = 0; i < n; i++)
		if (!strncmp(cfg->disk[i].name, name, sizeof(cfg->disk[i].name)))
			return (int)i;
	return -1;
}

/* Two distinct guests of the file, neither refused. */
static bool both_kept(const struct xt_config *cfg, unsigned a, unsigned b)
{
	return a != b && a < cfg->nguests && b < cfg->nguests && a < XT_MAX_GUESTS &&
	       b < XT_MAX_GUESTS && !cfg->guest[a].refused && !cfg->guest[b].refused;
}

/* A [couple] link between guests a and b. */
static bool linked(const struct xt_config *cfg, unsigned a, unsigned b)
{
	unsigned n = cfg->nlinks < XT_MAX_LINKS ? cfg->nlinks : XT_MAX_LINKS;

	for (unsigned i = 0; i < n; i++) {
		const struct xt_link *l = &cfg->link[i];

		if ((l->a == a && l->b == b) || (l->a == b && l->b == a))
			return true;
	}
	return false;
}

/* Both guests have a sound card, on the same audio bus or linked. */
bool xt_guests_audio_coupled(const struct xt_config *cfg, unsigned a, unsigned b)
{
	const char *x, *y;

	if (!both_kept(cfg, a, b))
		return false;
	x = cfg->guest[a].audio;
	y = cfg->guest[b].audio;
	return x[0] && y[0] && (!strncmp(x, y, sizeof(cfg->guest[a].audio)) || linked(cfg, a, b));
}

bool xt_guests_coupled(const struct xt_config *cfg, unsigned a, unsigned b)
{
	const char *x, *y;

	if (!both_kept(cfg, a, b))
		return false;
	x = cfg->guest[a].network;
	y = cfg->guest[b].network;
	return (x[0] && !strncmp(x, y, sizeof(cfg->guest[a].network))) || linked(cfg, a, b);
}
