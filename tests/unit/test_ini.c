/* SPDX-License-Identifier: MIT */
/* Unit tests for the xtalk.ini parser (boot/ini.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/ini.h"

/* Big structs: shared, reset by every parse. */
static struct xt_config cfg;
static struct xt_diags diags;

static int parse_n(const char *text, size_t len)
{
	return xt_ini_parse(text, len, &cfg, &diags);
}

static int parse(const char *text)
{
	return parse_n(text, strlen(text));
}

static void dump_diags(void)
{
	for (unsigned i = 0; i < diags.count; i++)
		print_message("  diag %u: line %u: %s\n", i, diags.d[i].line, diags.d[i].msg);
}

/* Fails unless some diag is on line and contains needle. */
static void expect_diag(unsigned line, const char *needle)
{
	for (unsigned i = 0; i < diags.count; i++)
		if (diags.d[i].line == line && strstr(diags.d[i].msg, needle))
			return;
	dump_diags();
	fail_msg("no diag at line %u containing \"%s\"", line, needle);
}

static void expect_clean(int errors)
{
	if (errors || diags.count)
		dump_diags();
	assert_int_equal(errors, 0);
	assert_int_equal(diags.count, 0);
	assert_false(cfg.refused);
}

static const struct xt_guest_cfg *guest(const char *name)
{
	int i = xt_guest_find(&cfg, name);

	assert_true(i >= 0);
	return &cfg.guest[i];
}

/* ---- valid files ---- */

static const char full_file[] =
	"; complete example\n"
	"[xtalk]\n"
	"log = debug\n"
	"timeslice_us = 500\n"
	"crosstalk = off\n"
	"\n"
	"[guest alice]\n"
	"image = /guests/alice.elf\n"
	"format = elf\n"
	"entry = 0x100000\n"
	"memory = 64\n"
	"mac = 52:54:00:00:00:01\n"
	"network = lan0\n"
	"\n"
	"[guest bob]\n"
	"image = guests\\bob.bin\n"
	"format = raw\n"
	"load = 0x200000\n"
	"entry = 0x200400\n"
	"memory = 32\n"
	"mac = 52-54-00-00-00-02\n"
	"network = lan0\n"
	"\n"
	"[guest carol]\n"
	"image = carol.elf\n"
	"\n"
	"[couple]\n"
	"link = alice carol\n";

static void test_full_valid(void **state)
{
	const struct xt_guest_cfg *a, *b, *c;

	(void)state;
	expect_clean(parse(full_file));
	assert_int_equal(cfg.log_level, XT_LOG_DEBUG);
	assert_int_equal(cfg.timeslice_us, 500);
	assert_false(cfg.crosstalk);
	assert_int_equal(cfg.nguests, 3);

	a = &cfg.guest[0];
	assert_string_equal(a->name, "alice");
	assert_string_equal(a->image, "guests\\alice.elf");
	assert_int_equal(a->format, XT_FMT_ELF);
	assert_false(a->has_load);
	assert_true(a->has_entry);
	assert_int_equal(a->entry, 0x100000);
	assert_int_equal(a->memory_mib, 64);
	assert_true(a->has_mac);
	assert_memory_equal(a->mac, "\x52\x54\x00\x00\x00\x01", 6);
	assert_string_equal(a->network, "lan0");
	assert_int_equal(a->line, 7);
	assert_int_equal(a->image_line, 8);
	assert_false(a->refused);

	b = &cfg.guest[1];
	assert_string_equal(b->name, "bob");
	assert_string_equal(b->image, "guests\\bob.bin");
	assert_int_equal(b->format, XT_FMT_RAW);
	assert_true(b->has_load);
	assert_int_equal(b->load, 0x200000);
	assert_true(b->has_entry);
	assert_int_equal(b->entry, 0x200400);
	assert_int_equal(b->memory_mib, 32);
	assert_memory_equal(b->mac, "\x52\x54\x00\x00\x00\x02", 6);
	assert_string_equal(b->network, "lan0");
	assert_int_equal(b->line, 15);
	assert_int_equal(b->image_line, 16);
	assert_false(b->refused);

	c = &cfg.guest[2];
	assert_string_equal(c->name, "carol");
	assert_false(c->has_mac);
	assert_string_equal(c->network, "");

	assert_int_equal(cfg.nlinks, 1);
	assert_int_equal(cfg.link[0].a, 0);
	assert_int_equal(cfg.link[0].b, 2);
	assert_int_equal(cfg.link[0].line, 28);
	assert_true(xt_guests_coupled(&cfg, 0, 1));
	assert_true(xt_guests_coupled(&cfg, 2, 0));
	assert_false(xt_guests_coupled(&cfg, 1, 2));
}

static void test_defaults(void **state)
{
	const struct xt_guest_cfg *g;

	(void)state;
	expect_clean(parse("[guest a]\nimage=a.elf\n"));
	assert_int_equal(cfg.log_level, XT_LOG_INFO);
	assert_int_equal(cfg.timeslice_us, 2000);
	assert_true(cfg.crosstalk);
	assert_int_equal(cfg.nlinks, 0);
	g = guest("a");
	assert_int_equal(g->format, XT_FMT_ELF);
	assert_int_equal(g->memory_mib, 16);
	assert_false(g->has_load);
	assert_false(g->has_entry);
	assert_false(g->has_mac);
	assert_string_equal(g->network, "");
	assert_false(g->refused);
}

static void test_raw_entry_defaults_to_load(void **state)
{
	const struct xt_guest_cfg *g;

	(void)state;
	expect_clean(parse("[guest r]\nimage=r.bin\nformat=raw\nload=0x400000\n"));
	g = guest("r");
	assert_false(g->has_entry);
	assert_int_equal(g->entry, 0x400000);
}

static void test_cmdline(void **state)
{
	char longline[400];

	(void)state;
	expect_clean(parse("[guest a]\nimage=a.elf\ncmdline = role=ping  peer=52:54:00:00:00:02 ; comment\n"
			   "[guest b]\nimage=b.elf\n"));
	assert_string_equal(guest("a")->cmdline, "role=ping  peer=52:54:00:00:00:02");
	assert_string_equal(guest("b")->cmdline, "");

	/* 200 characters fit, 201 do not. */
	snprintf(longline, sizeof(longline), "[guest a]\nimage=a.elf\ncmdline=%0200d\n", 0);
	expect_clean(parse(longline));
	assert_int_equal(strlen(guest("a")->cmdline), 200);
	snprintf(longline, sizeof(longline), "[guest a]\nimage=a.elf\ncmdline=%0201d\n", 0);
	assert_int_equal(parse(longline), 1);
	expect_diag(3, "cmdline: 201 characters");
	assert_true(guest("a")->refused);

	assert_int_equal(parse("[guest a]\nimage=a.elf\ncmdline=x\x01y\n"), 1);
	expect_diag(3, "non-printable");
}

static void test_uplink_and_zerocopy(void **state)
{
	(void)state;
	expect_clean(parse("[xtalk]\nzerocopy = off\n[guest a]\nimage=a.elf\nmac=52:54:00:00:00:01\n"
			   "uplink = phys0\n[guest b]\nimage=b.elf\n"));
	assert_false(cfg.zerocopy);
	assert_string_equal(guest("a")->uplink, "phys0");
	assert_string_equal(guest("b")->uplink, "");
	expect_clean(parse("[guest a]\nimage=a.elf\n"));
	assert_true(cfg.zerocopy);

	assert_int_equal(parse("[guest a]\nimage=a.elf\nuplink=phys0\n"), 1);
	expect_diag(3, "uplink: a guest with an uplink needs a 'mac'");
	assert_int_equal(parse("[guest a]\nimage=a.elf\nmac=52:54:00:00:00:01\nuplink=eth 0\n"), 1);
	expect_diag(4, "uplink: name");
	assert_int_equal(parse("[xtalk]\nzerocopy = maybe\n"), 1);
	assert_true(cfg.refused);
}

/* Hypercall policy keys: off by default, per guest, a bad value refuses that guest only. */
static void test_hypercall_policy(void **state)
{
	(void)state;
	expect_clean(parse("[guest a]\nimage=a.elf\ndebug_dump = on\nCounters = Machine\n"
			   "[guest b]\nimage=b.elf\n[guest c]\nimage=c.elf\ndebug_dump=off\n"
			   "counters=guest\n"));
	assert_true(guest("a")->debug_dump);
	assert_true(guest("a")->counters_machine);
	assert_false(guest("b")->debug_dump);
	assert_false(guest("b")->counters_machine);
	assert_false(guest("c")->debug_dump);
	assert_false(guest("c")->counters_machine);
	assert_false(guest("a")->user_counters);
	expect_clean(parse("[guest a]\nimage=a.elf\nuser_counters = on\n[guest b]\nimage=b.elf\n"
			   "User_Counters=off\n"));
	assert_true(guest("a")->user_counters);
	assert_false(guest("a")->counters_machine);
	assert_false(guest("b")->user_counters);
	assert_int_equal(parse("[guest a]\nimage=a.elf\nuser_counters = yes\n"), 1);
	expect_diag(3, "user_counters: 'yes' is not one of off|on");
	assert_true(guest("a")->refused);

	assert_int_equal(parse("[guest a]\nimage=a.elf\ndebug_dump = yes\n[guest b]\nimage=b.elf\n"),
			 1);
	expect_diag(3, "debug_dump: 'yes' is not one of off|on");
	assert_true(guest("a")->refused);
	assert_false(guest("a")->debug_dump);
	assert_false(guest("b")->refused);
	assert_false(cfg.refused);
	assert_int_equal(parse("[guest a]\nimage=a.elf\ncounters = all\n"), 1);
	expect_diag(3, "counters: 'all' is not one of guest|machine");
	assert_int_equal(parse("[guest a]\nimage=a.elf\ncounters =\n"), 1);
	expect_diag(3, "counters: missing value");
	assert_int_equal(parse("[guest a]\nimage=a.elf\ncounters=machine\ncounters=guest\n"), 1);
	expect_diag(4, "duplicate key 'counters' in [guest a] (first at line 3)");
	/* Each section starts afresh; [xtalk] does not know the keys. */
	expect_clean(parse("[guest a]\nimage=a.elf\ndebug_dump=on\n[guest b]\nimage=b.elf\n"
			   "debug_dump=on\n"));
	assert_int_equal(parse("[xtalk]\ndebug_dump = on\n"), 1);
	expect_diag(2, "unknown key 'debug_dump' in [xtalk]");
}

static void test_mac_spoof(void **state)
{
	(void)state;
	expect_clean(parse("[guest a]\nimage=a.elf\nmac=52:54:00:00:00:01\nmac_spoof = allow\n"
			   "[guest b]\nimage=b.elf\nmac_spoof=deny\n[guest c]\nimage=c.elf\n"));
	assert_true(guest("a")->mac_spoof);
	assert_false(guest("b")->mac_spoof);
	assert_false(guest("c")->mac_spoof);	/* the default: checked */
	assert_int_equal(parse("[guest a]\nimage=a.elf\nmac_spoof = yes\n"), 1);
	expect_diag(3, "mac_spoof: 'yes' is not one of deny|allow");
	assert_true(guest("a")->refused);
}

static void test_on_reboot(void **state)
{
	(void)state;
	expect_clean(parse("[guest a]\nimage=a.elf\non_reboot = stop\n"
			   "[guest b]\nimage=b.elf\nON_REBOOT=Restart\n[guest c]\nimage=c.elf\n"));
	assert_true(guest("a")->reboot_stops);
	assert_false(guest("b")->reboot_stops);
	assert_false(guest("c")->reboot_stops);	/* the default: boot it again */
	assert_int_equal(parse("[guest a]\nimage=a.elf\n\non_reboot = halt\n"), 1);
	expect_diag(4, "on_reboot: 'halt' is not one of restart|stop");
	assert_true(guest("a")->refused);
}

static void test_empty_file(void **state)
{
	(void)state;
	expect_clean(parse(""));
	assert_int_equal(cfg.nguests, 0);
	expect_clean(parse_n(NULL, 0));
	expect_clean(parse("\n\n; nothing here\n# nor here\n"));
	assert_int_equal(cfg.nguests, 0);
	expect_clean(parse("[xtalk]\nlog = warn\n[couple]\n"));
	assert_int_equal(cfg.nguests, 0);
	assert_int_equal(cfg.log_level, XT_LOG_WARN);
}

static void test_crlf_and_bom(void **state)
{
	const char text[] = "\xef\xbb\xbf[xtalk]\r\nlog = error\r\n\r\n[guest a]\r\n"
			    "image = a.elf\r\nmemory = 8\r\n[guest b]\r\nimage=b.elf";

	(void)state;
	expect_clean(parse(text));
	assert_int_equal(cfg.log_level, XT_LOG_ERROR);
	assert_int_equal(cfg.nguests, 2);
	assert_string_equal(guest("a")->image, "a.elf");
	assert_int_equal(guest("a")->memory_mib, 8);
	assert_int_equal(guest("a")->line, 4);
	assert_int_equal(guest("b")->line, 7);
}

static void test_bom_only_at_start(void **state)
{
	(void)state;
	parse("[xtalk]\n\xef\xbb\xbflog = info\n");
	assert_true(cfg.refused);
	expect_diag(2, "unknown key");
}

static void test_comments(void **state)
{
	const struct xt_guest_cfg *g;

	(void)state;
	expect_clean(parse("# top\n ; indented\n\t# tab\n[guest a] ; header comment\n"
			   "image = a.elf # the image\nmemory = 32\t; MiB\n#[guest b]\n"));
	assert_int_equal(cfg.nguests, 1);
	g = guest("a");
	assert_string_equal(g->image, "a.elf");
	assert_int_equal(g->memory_mib, 32);
}

static void test_comment_needs_blank(void **state)
{
	(void)state;
	/* ';' glued to the value is part of it, so the number is bad. */
	parse("[guest a]\nimage = a.elf\nmemory = 16;MiB\n");
	assert_true(guest("a")->refused);
	expect_diag(3, "memory: '16;MiB' is not a number");
}

static void test_case_rules(void **state)
{
	(void)state;
	expect_clean(parse("[XTALK]\nLOG = Debug\nCrossTalk = OFF\n[Guest Alice]\nIMAGE = a.elf\n"
			   "Format = RAW\nLoad = 0X100000\n[guest alice]\nimage=b.elf\n"));
	assert_int_equal(cfg.log_level, XT_LOG_DEBUG);
	assert_false(cfg.crosstalk);
	assert_int_equal(cfg.nguests, 2);
	assert_int_equal(xt_guest_find(&cfg, "Alice"), 0);
	assert_int_equal(xt_guest_find(&cfg, "alice"), 1);
	assert_int_equal(xt_guest_find(&cfg, "ALICE"), -1);
	assert_int_equal(cfg.guest[0].format, XT_FMT_RAW);
}

static void test_spaces_around_equals(void **state)
{
	(void)state;
	expect_clean(parse("[guest a]\nimage=a.elf\nmemory\t=\t20\n  mac=52:54:00:00:00:01  \n"));
	assert_int_equal(guest("a")->memory_mib, 20);
	assert_true(guest("a")->has_mac);
}

static void test_image_paths(void **state)
{
	(void)state;
	expect_clean(parse("[guest a]\nimage = //x/y.z/A-b_c.elf\n[guest b]\nimage=\\\\k\\l\n"
			   "[guest c]\nimage=./c.elf\n"));
	assert_string_equal(guest("a")->image, "x\\y.z\\A-b_c.elf");
	assert_string_equal(guest("b")->image, "k\\l");
	assert_string_equal(guest("c")->image, ".\\c.elf");
}

/* ---- guest-level errors: only that guest is refused ---- */

/*
 * alice (lines 1-3) is valid; bob starts at line 4 with body. Checks that bob
 * alone is refused, with the expected diagnostic.
 */
static void guest_error_case(const char *body, unsigned line, const char *needle)
{
	char text[2048];
	const struct xt_guest_cfg *a;

	snprintf(text, sizeof(text),
		 "[guest alice]\nimage = alice.elf\nmac = 52:54:00:00:00:01\n[guest bob]\n%s"
		 "[guest carol]\nimage = carol.elf\n",
		 body);
	assert_true(parse(text) > 0);
	assert_false(cfg.refused);
	assert_int_equal(cfg.nguests, 3);
	assert_true(guest("bob")->refused);
	a = guest("alice");
	assert_false(a->refused);
	assert_string_equal(a->image, "alice.elf");
	assert_true(a->has_mac);
	assert_false(guest("carol")->refused);
	expect_diag(line, needle);
}

static void test_guest_syntax_error(void **state)
{
	(void)state;
	guest_error_case("image = b.elf\nthis is not a key\n", 6,
			 "expected 'key = value', found 'this is not a key'");
}

static void test_guest_missing_key(void **state)
{
	(void)state;
	guest_error_case("image = b.elf\n= 5\n", 6, "missing key");
}

static void test_guest_unknown_key(void **state)
{
	(void)state;
	guest_error_case("image = b.elf\nmemroy = 16\n", 6, "unknown key 'memroy' in [guest bob]");
}

static void test_guest_duplicate_key(void **state)
{
	(void)state;
	guest_error_case("image = b.elf\nmemory = 8\nMEMORY = 9\n", 7,
			 "duplicate key 'memory' in [guest bob] (first at line 6)");
	assert_int_equal(guest("bob")->memory_mib, 8);
}

static void test_guest_missing_image(void **state)
{
	(void)state;
	guest_error_case("memory = 8\n", 4, "missing required key 'image' in [guest bob]");
	assert_int_equal(guest("bob")->image_line, 0);
}

static void test_guest_empty_value(void **state)
{
	(void)state;
	guest_error_case("image = b.elf\nmemory =\n", 6, "memory: missing value");
}

static void test_guest_bad_image_char(void **state)
{
	(void)state;
	guest_error_case("image = b elf\n", 5, "image: 'b elf' may only contain");
}

static void test_guest_image_dotdot(void **state)
{
	(void)state;
	guest_error_case("image = x/../b.elf\n", 5, "must not contain '..'");
	guest_error_case("image = ..\n", 5, "must not contain '..'");
	guest_error_case("image = a\\..\n", 5, "must not contain '..'");
}

static void test_guest_image_empty(void **state)
{
	(void)state;
	guest_error_case("image =\n", 5, "image: missing file path");
	assert_int_equal(guest("bob")->image_line, 5);
	guest_error_case("image = ///\n", 5, "image: missing file path");
	guest_error_case("image = a//b\n", 5, "empty path component");
	guest_error_case("image = a/\n", 5, "empty path component");
}

static void test_guest_image_too_long(void **state)
{
	char body[256];

	(void)state;
	memset(body, 'x', sizeof(body));
	memcpy(body, "image = ", 8);
	body[8 + XT_PATH_MAX] = '\n';
	body[8 + XT_PATH_MAX + 1] = '\0';
	expect_clean(parse("[guest a]\nimage=a\n"));
	{
		char ok[300];

		snprintf(ok, sizeof(ok), "[guest a]\n%s", body);
		expect_clean(parse(ok));
		assert_int_equal(strlen(guest("a")->image), XT_PATH_MAX);
	}
	body[8 + XT_PATH_MAX] = 'y';
	body[8 + XT_PATH_MAX + 1] = '\n';
	body[8 + XT_PATH_MAX + 2] = '\0';
	guest_error_case(body, 5, "image: path is longer than 127 characters");
}

/* ---- format = linux and initrd (issue 13, item 1) ---- */

static void test_linux_guest(void **state)
{
	const struct xt_guest_cfg *g;

	(void)state;
	expect_clean(parse("[guest l]\nimage = /boot/vmlinuz\nformat = Linux\n"
			   "initrd = \\boot/initrd.img-6.1\nmemory = 256\n"
			   "cmdline = console=ttyS0\n"));
	g = guest("l");
	assert_int_equal(g->format, XT_FMT_LINUX);
	assert_string_equal(g->image, "boot\\vmlinuz");
	assert_string_equal(g->initrd, "boot\\initrd.img-6.1");
	assert_int_equal(g->initrd_line, 4);
	assert_int_equal(g->memory_mib, 256);
	assert_false(g->has_entry);
}

static void test_initrd_optional_and_for_every_format(void **state)
{
	(void)state;
	expect_clean(parse("[guest a]\nimage=a.elf\n"));
	assert_string_equal(guest("a")->initrd, "");
	assert_int_equal(guest("a")->initrd_line, 0);
	/* a vmlinux (ELF) needs its initramfs as much as a bzImage */
	expect_clean(parse("[guest a]\nimage=vmlinux\ninitrd=initrd.cpio.gz\nmemory=256\n"));
	assert_string_equal(guest("a")->initrd, "initrd.cpio.gz");
}

static void test_guest_bad_initrd(void **state)
{
	(void)state;
	guest_error_case("image = b\nformat = linux\ninitrd = ../x\n", 7,
			 "initrd: '../x' must not contain '..'");
	guest_error_case("image = b\nformat = linux\ninitrd = /\n", 7,
			 "initrd: missing file path");
	guest_error_case("image = b\ninitrd = a b\n", 6, "initrd: 'a b' may only contain");
	guest_error_case("image = b\ninitrd = a\ninitrd = c\n", 7,
			 "duplicate key 'initrd' in [guest bob] (first at line 6)");
}

static void test_guest_linux_rejects_load_and_entry(void **state)
{
	(void)state;
	guest_error_case("image = b\nformat = linux\nload = 0x100000\n", 7,
			 "load: only valid with format = raw");
	guest_error_case("image = b\nformat = linux\nentry = 0x100200\n", 7,
			 "entry: not valid with format = linux");
}

static void test_linux_memory_bounds(void **state)
{
	(void)state;
	expect_clean(parse("[guest l]\nimage=k\nformat=linux\nmemory=3072\n"));
	guest_error_case("image = b\nformat = linux\nmemory = 3073\n", 7,
			 "memory: 3073 MiB is out of range (4..3072)");
}

static void test_guest_bad_format(void **state)
{
	(void)state;
	guest_error_case("image = b.elf\nformat = pe\n", 6, "format: 'pe' is not one of elf|raw|linux");
}

static void test_guest_network_without_mac(void **state)
{
	(void)state;
	guest_error_case("image = b.elf\nnetwork = lan\n", 6, "needs a 'mac'");
}

static void test_guest_bad_network_name(void **state)
{
	(void)state;
	guest_error_case("image = b.elf\nmac=52:54:00:00:00:09\nnetwork = my.lan\n", 7,
			 "network: name 'my.lan' may only contain");
	guest_error_case("image = b.elf\nmac=52:54:00:00:00:09\nnetwork = a234567890123456\n",
			 7, "longer than 15");
}

static void test_guest_raw_without_load(void **state)
{
	(void)state;
	guest_error_case("image = b.bin\nformat = raw\n", 6, "format = raw needs 'load'");
}

static void test_guest_load_on_elf(void **state)
{
	(void)state;
	guest_error_case("image = b.elf\nload = 0x100000\n", 6, "load: only valid with format = raw");
}

static void test_guest_load_unaligned(void **state)
{
	(void)state;
	guest_error_case("image = b.bin\nformat=raw\nload = 0x100800\n", 7,
			 "load: 0x100800 is not 4 KiB aligned");
}

static void test_guest_load_below_1mib(void **state)
{
	(void)state;
	guest_error_case("image = b.bin\nformat=raw\nload = 0xff000\n", 7, "below 1 MiB");
}

static void test_guest_load_outside_memory(void **state)
{
	(void)state;
	/* memory comes after load: the final value is what counts. */
	guest_error_case("image = b.bin\nformat=raw\nload = 0x1000000\nmemory = 16\n", 7,
			 "load: 0x1000000 is outside the guest's 16 MiB of memory");
	expect_clean(parse("[guest b]\nimage=b\nformat=raw\nload=0x1000000\nmemory=17\n"));
}

static void test_guest_entry_outside_memory(void **state)
{
	(void)state;
	guest_error_case("image = b.elf\nentry = 0x400000\nmemory = 4\n", 6,
			 "entry: 0x400000 is outside the guest's 4 MiB of memory");
	expect_clean(parse("[guest b]\nimage=b\nentry=0x3fffff\nmemory=4\n"));
}

static void test_guest_memory_range(void **state)
{
	(void)state;
	guest_error_case("image = b.elf\nmemory = 2\n", 6, "memory: 2 MiB is out of range (4..3072)");
	guest_error_case("image = b.elf\nmemory = 3073\n", 6, "out of range");
	expect_clean(parse("[guest a]\nimage=a\nmemory=4\n[guest b]\nimage=b\nmemory=3072\n"));
	assert_int_equal(guest("b")->memory_mib, 3072);
}

static void test_guest_memory_not_number(void **state)
{
	(void)state;
	guest_error_case("image = b.elf\nmemory = 16x\n", 6, "memory: '16x' is not a number");
	assert_int_equal(guest("bob")->memory_mib, 16);
}

static void test_guest_errors_all_reported(void **state)
{
	(void)state;
	assert_int_equal(parse("[guest a]\nfoo=1\nmemory=1\nformat=raw\n"), 4);
	expect_diag(1, "missing required key 'image'");
	expect_diag(2, "unknown key 'foo'");
	expect_diag(3, "out of range");
	expect_diag(4, "format = raw needs 'load'");
	assert_false(cfg.refused);
}

/* ---- file-level errors refuse everything ---- */

static void file_error_case(const char *text, unsigned line, const char *needle)
{
	assert_true(parse(text) > 0);
	assert_true(cfg.refused);
	expect_diag(line, needle);
}

static void test_file_nul_byte(void **state)
{
	const char text[] = "[guest a]\nimage=a.elf\nmem\0ory=16\n";

	(void)state;
	assert_true(parse_n(text, sizeof(text) - 1) > 0);
	assert_true(cfg.refused);
	expect_diag(3, "NUL byte");
}

static void test_file_xtalk_unknown_key(void **state)
{
	(void)state;
	file_error_case("[xtalk]\nloglevel = info\n[guest a]\nimage=a\n", 2,
			"unknown key 'loglevel' in [xtalk]");
	assert_false(guest("a")->refused);
}

static void test_file_xtalk_bad_values(void **state)
{
	(void)state;
	file_error_case("[xtalk]\nlog = loud\n", 2, "log: 'loud' is not one of error|warn|info|debug");
	file_error_case("[xtalk]\ntimeslice_us = 99\n", 2,
			"timeslice_us: 99 is out of range (100..1000000)");
	file_error_case("[xtalk]\ntimeslice_us = 1000001\n", 2, "out of range");
	file_error_case("[xtalk]\ntimeslice_us = 2ms\n", 2, "timeslice_us: '2ms' is not a number");
	file_error_case("[xtalk]\ncrosstalk = yes\n", 2, "crosstalk: 'yes' is not one of off|on");
	file_error_case("[xtalk]\ncrosstalk\n", 2, "expected 'key = value'");
	expect_clean(parse("[xtalk]\ntimeslice_us = 100\n"));
	expect_clean(parse("[xtalk]\ntimeslice_us = 1000000\n"));
	assert_int_equal(cfg.timeslice_us, 1000000);
}

static void test_file_xtalk_rate_ms(void **state)
{
	(void)state;
	expect_clean(parse("[xtalk]\n"));
	assert_int_equal(cfg.rate_ms, 0);
	expect_clean(parse("[xtalk]\nrate_ms = 1000\n"));
	assert_int_equal(cfg.rate_ms, 1000);
	expect_clean(parse("[xtalk]\nrate_ms = 0\n"));
	assert_int_equal(cfg.rate_ms, 0);
	expect_clean(parse("[xtalk]\nrate_ms = 60000\n"));
	assert_int_equal(cfg.rate_ms, 60000);
	file_error_case("[xtalk]\nrate_ms = 99\n", 2,
			"rate_ms: 99 is out of range (0 = off, or 100..60000)");
	file_error_case("[xtalk]\nrate_ms = 60001\n", 2, "out of range");
	file_error_case("[xtalk]\nrate_ms = 1s\n", 2, "rate_ms: '1s' is not a number");
}

static void test_file_xtalk_apicv(void **state)
{
	(void)state;
	expect_clean(parse("[xtalk]\n"));
	assert_true(cfg.apicv);
	expect_clean(parse("[xtalk]\napicv = off\n"));
	assert_false(cfg.apicv);
	expect_clean(parse("[xtalk]\napicv = on\n"));
	assert_true(cfg.apicv);
	file_error_case("[xtalk]\napicv = auto\n", 2, "apicv: 'auto' is not one of off|on");
}

static void test_file_xtalk_duplicate_key(void **state)
{
	(void)state;
	file_error_case("[xtalk]\nlog = info\nlog = debug\n", 3,
			"duplicate key 'log' in [xtalk] (first at line 2)");
}

static void test_file_xtalk_twice(void **state)
{
	(void)state;
	file_error_case("[xtalk]\n[guest a]\nimage=a\n[xtalk]\n", 4,
			"second [xtalk] section (first at line 1)");
}

static void test_file_key_before_section(void **state)
{
	(void)state;
	file_error_case("log = info\n[xtalk]\n", 1, "'log = info' is outside any section");
	file_error_case("hello\n", 1, "outside any section");
}

static void test_file_unknown_section(void **state)
{
	(void)state;
	file_error_case("[network lan]\nfoo = 1\n[guest a]\nimage=a\n", 1,
			"unknown section [network]");
	assert_int_equal(diags.count, 1); /* keys of the unknown section are skipped */
	assert_false(guest("a")->refused);
}

static void test_file_bad_headers(void **state)
{
	(void)state;
	file_error_case("[guest]\n", 1, "[guest] needs a name");
	file_error_case("[guest   ]\n", 1, "[guest] needs a name");
	file_error_case("[guest a.b]\n", 1, "guest name 'a.b' may only contain");
	file_error_case("[guest abcdefghijklmnop]\n", 1, "longer than 15 characters");
	file_error_case("[guest a b]\n", 1, "[guest] takes one name, found 'a b'");
	file_error_case("[guest a\n", 1, "has no closing ']'");
	file_error_case("[guest a] x\n", 1, "unexpected 'x' after section header");
	file_error_case("[guest a]]\n", 1, "unexpected ']' after section header");
	file_error_case("[xtalk now]\n", 1, "unexpected 'now' in section header");
	file_error_case("[couple x]\n", 1, "unexpected 'x'");
	file_error_case("[ ]\n", 1, "empty section header");
	expect_clean(parse("[ guest\ta ]\nimage=a\n"));
	assert_int_equal(guest("a")->line, 1);
}

static void test_file_errors_keep_parsing(void **state)
{
	(void)state;
	assert_int_equal(parse("[bad]\n[guest a]\nimage=a\nfoo=1\n[xtalk]\nlog=x\n"), 3);
	assert_true(cfg.refused);
	expect_diag(1, "unknown section");
	expect_diag(4, "unknown key 'foo'");
	expect_diag(6, "log:");
	assert_true(guest("a")->refused);
}

static void test_file_line_too_long(void **state)
{
	char text[600];
	size_t n;

	(void)state;
	/* 255 characters is fine, even with a CRLF after it. */
	n = (size_t)snprintf(text, sizeof(text), "[guest a]\nimage=a\n;");
	memset(text + n, 'x', 254);
	memcpy(text + n + 254, "\r\n", 3);
	expect_clean(parse(text));
	/* 256 is not. */
	memset(text + n, 'x', 255);
	memcpy(text + n + 255, "\n", 2);
	file_error_case(text, 3, "line is longer than 255 characters");
	assert_false(guest("a")->refused);
}

static void test_file_bad_line_ends_section(void **state)
{
	char text[600];
	size_t n;

	(void)state;
	/* An over-long header: its keys must not be taken as alice's. */
	n = (size_t)snprintf(text, sizeof(text), "[guest alice]\nimage=a\n[guest ");
	memset(text + n, 'b', 260);
	snprintf(text + n + 260, sizeof(text) - n - 260, "]\nimage=b\n[couple]\nlink=alice x\n");
	assert_int_equal(parse(text), 2);
	assert_true(cfg.refused);
	assert_int_equal(cfg.nguests, 1);
	assert_false(guest("alice")->refused);
	assert_string_equal(guest("alice")->image, "a");
	expect_diag(3, "longer than 255");
	expect_diag(6, "no guest named 'x'");
}

/* A valid file of exactly len bytes, padded with comment lines. */
static char *sized_file(size_t len)
{
	static const char head[] = "[guest a]\nimage = a.elf\n";
	char *buf = malloc(len);
	size_t pos = sizeof(head) - 1;

	assert_non_null(buf);
	memcpy(buf, head, pos);
	while (pos < len) {
		size_t n = len - pos > 200 ? 200 : len - pos;

		memset(buf + pos, '#', n);
		buf[pos + n - 1] = '\n';
		pos += n;
	}
	return buf;
}

static void test_file_size_limit(void **state)
{
	char *buf;

	(void)state;
	buf = sized_file(XT_INI_MAX_SIZE);
	expect_clean(parse_n(buf, XT_INI_MAX_SIZE));
	assert_int_equal(cfg.nguests, 1);
	free(buf);

	buf = sized_file(XT_INI_MAX_SIZE + 1);
	assert_int_equal(parse_n(buf, XT_INI_MAX_SIZE + 1), 1);
	assert_true(cfg.refused);
	assert_int_equal(cfg.nguests, 0);
	expect_diag(0, "file is 65537 bytes, larger than the 65536-byte limit");
	free(buf);
}

/* ---- duplicates ---- */

static void test_duplicate_guest_name(void **state)
{
	(void)state;
	assert_int_equal(parse("[guest a]\nimage=a\n\n[guest a]\nimage=b\n"), 1);
	assert_false(cfg.refused);
	assert_int_equal(cfg.nguests, 2);
	assert_false(cfg.guest[0].refused);
	assert_true(cfg.guest[1].refused);
	assert_int_equal(xt_guest_find(&cfg, "a"), 0);
	expect_diag(4, "duplicate guest name 'a' (first at line 1)");
}

static void test_duplicate_mac(void **state)
{
	(void)state;
	assert_int_equal(parse("[guest alice]\nimage=a\nmac=52:54:00:00:00:01\n"
			       "[guest bob]\nimage=b\nmac=52-54-00-00-00-01\n"
			       "[guest carol]\nimage=c\nmac=52:54:00:00:00:02\n"),
			 1);
	assert_false(guest("alice")->refused);
	assert_true(guest("bob")->refused);
	assert_false(guest("carol")->refused);
	expect_diag(6, "duplicate MAC 52:54:00:00:00:01 (already used by guest 'alice' at line 3)");
}

static void test_duplicate_mac_refused_first(void **state)
{
	(void)state;
	/* A refused guest does not claim its MAC. */
	assert_int_equal(parse("[guest a]\nmac=52:54:00:00:00:01\n"
			       "[guest b]\nimage=b\nmac=52:54:00:00:00:01\n"),
			 1);
	assert_true(guest("a")->refused);
	assert_false(guest("b")->refused);
}

/* ---- links ---- */

static void test_link_forward_reference(void **state)
{
	(void)state;
	expect_clean(parse("[couple]\nlink = b a\n[guest a]\nimage=a\n[guest b]\nimage=b\n"));
	assert_int_equal(cfg.nlinks, 1);
	assert_int_equal(cfg.link[0].a, 0);
	assert_int_equal(cfg.link[0].b, 1);
	assert_int_equal(cfg.link[0].line, 2);
	assert_true(xt_guests_coupled(&cfg, 0, 1));
	assert_true(xt_guests_coupled(&cfg, 1, 0));
}

static void test_link_unknown_guest(void **state)
{
	(void)state;
	assert_int_equal(parse("[guest a]\nimage=a\n[couple]\nlink = a zed\n"), 1);
	assert_false(cfg.refused);
	assert_false(guest("a")->refused);
	assert_int_equal(cfg.nlinks, 0);
	expect_diag(4, "link: no guest named 'zed'");
}

static void test_link_self(void **state)
{
	(void)state;
	assert_int_equal(parse("[guest a]\nimage=a\n[couple]\nlink = a a\n"), 1);
	assert_false(cfg.refused);
	assert_false(guest("a")->refused);
	assert_int_equal(cfg.nlinks, 0);
	expect_diag(4, "cannot be linked to itself");
}

static void test_link_refused_guest(void **state)
{
	(void)state;
	assert_int_equal(parse("[couple]\nlink = a b\nlink = a c\n[guest a]\nimage=a\n"
			       "[guest b]\n[guest c]\nimage=c\n"),
			 2);
	assert_false(cfg.refused);
	assert_false(guest("a")->refused);
	assert_false(guest("c")->refused);
	assert_int_equal(cfg.nlinks, 1);
	expect_diag(2, "link: guest 'b' is refused");
	expect_diag(6, "missing required key 'image'");
	/* Sorted by line although the link error was found last. */
	assert_int_equal(diags.d[0].line, 2);
	assert_int_equal(diags.d[1].line, 6);
	assert_true(xt_guests_coupled(&cfg, 0, 2));
}

static void test_link_duplicates_merged(void **state)
{
	(void)state;
	expect_clean(parse("[guest a]\nimage=a\n[guest b]\nimage=b\n[couple]\nlink=a b\n"
			   "[couple]\nLINK = b\ta\nlink = a   b\n"));
	assert_int_equal(cfg.nlinks, 1);
	assert_int_equal(cfg.link[0].line, 6);
}

static void test_link_syntax(void **state)
{
	(void)state;
	assert_int_equal(parse("[guest a]\nimage=a\n[guest b]\nimage=b\n[couple]\nlink = a\n"
			       "link = a b c\nlink = a b.c\nlink\nlinks = a b\nlink = a b\n"),
			 5);
	assert_false(cfg.refused);
	assert_false(guest("a")->refused);
	assert_false(guest("b")->refused);
	assert_int_equal(cfg.nlinks, 1);
	assert_int_equal(cfg.link[0].line, 11);
	expect_diag(6, "link: expected two guest names, found 'a'");
	expect_diag(7, "expected two guest names");
	expect_diag(8, "guest name 'b.c' may only contain");
	expect_diag(9, "expected 'key = value'");
	expect_diag(10, "unknown key 'links' in [couple]");
}

static void test_link_too_many(void **state)
{
	char text[8192];
	size_t n = 0;
	int i, j, links = 0;

	(void)state;
	for (i = 0; i < 13; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "[guest g%d]\nimage=g\n", i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "[couple]\n");
	for (i = 0; i < 13; i++)
		for (j = i + 1; j < 13; j++, links++)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "link=g%d g%d\n", i, j);
	assert_int_equal(links, 78);
	assert_true(n < sizeof(text));
	assert_int_equal(parse(text), 78 - XT_MAX_LINKS);
	assert_false(cfg.refused);
	assert_int_equal(cfg.nlinks, XT_MAX_LINKS);
	expect_diag(26 + 1 + XT_MAX_LINKS + 1, "too many links (at most 64)");
}

/* ---- coupling ---- */

static void test_network_coupling(void **state)
{
	(void)state;
	expect_clean(parse("[guest a]\nimage=a\nmac=02:00:00:00:00:01\nnetwork=lan\n"
			   "[guest b]\nimage=b\nmac=02:00:00:00:00:02\nnetwork=lan\n"
			   "[guest c]\nimage=c\nmac=02:00:00:00:00:03\nnetwork=LAN\n"
			   "[guest d]\nimage=d\n[guest e]\nimage=e\n"));
	assert_int_equal(cfg.nlinks, 0);
	assert_true(xt_guests_coupled(&cfg, 0, 1));
	assert_true(xt_guests_coupled(&cfg, 1, 0));
	assert_false(xt_guests_coupled(&cfg, 0, 2)); /* network names are case-sensitive */
	assert_false(xt_guests_coupled(&cfg, 3, 4)); /* no network is not a network */
	assert_false(xt_guests_coupled(&cfg, 0, 0));
	assert_false(xt_guests_coupled(&cfg, 0, 5));
	assert_false(xt_guests_coupled(&cfg, 0, 1000));
	xt_config_refuse_guest(&cfg, &diags, 1, 5, "gone");
	assert_false(xt_guests_coupled(&cfg, 0, 1));
}

static void test_audio_coupling(void **state)
{
	(void)state;
	expect_clean(parse("[guest a]\nimage=a\naudio=room1\n"
			   "[guest b]\nimage=b\naudio = room1\n"
			   "[guest c]\nimage=c\naudio=room2\n"
			   "[guest d]\nimage=d\n"
			   "[guest e]\nimage=e\naudio=solo\n"
			   "[couple]\nlink=c e\nlink=a d\n"));
	assert_string_equal(guest("a")->audio, "room1");
	assert_string_equal(guest("d")->audio, "");
	assert_true(xt_guests_audio_coupled(&cfg, 0, 1));
	assert_true(xt_guests_audio_coupled(&cfg, 1, 0));
	assert_false(xt_guests_audio_coupled(&cfg, 0, 2)); /* other bus */
	assert_true(xt_guests_audio_coupled(&cfg, 2, 4));  /* linked */
	assert_false(xt_guests_audio_coupled(&cfg, 0, 3)); /* linked, but d has no card */
	assert_false(xt_guests_audio_coupled(&cfg, 0, 0));
	assert_false(xt_guests_audio_coupled(&cfg, 0, 9));
	/* An audio bus is not a network. */
	assert_false(xt_guests_coupled(&cfg, 0, 1));
	xt_config_refuse_guest(&cfg, &diags, 1, 3, "gone");
	assert_false(xt_guests_audio_coupled(&cfg, 0, 1));
}

static void test_audio_bad_values(void **state)
{
	(void)state;
	guest_error_case("image = b.elf\naudio = my.room\n", 6,
			 "audio: name 'my.room' may only contain");
	guest_error_case("image = b.elf\naudio = \n", 6, "audio");
	guest_error_case("image = b.elf\naudio = a\naudio = b\n", 7, "duplicate key 'audio'");
}

/* disk = lines fill a guest's drive slots in order: private disks on the
 * machine's disks (a partition or a sector range) and shared [disk NAME]s. */
static void test_disks(void **state)
{
	const struct xt_guest_cfg *a, *b;

	(void)state;
	expect_clean(parse("[guest a]\nimage=a\ndisk = phys0:2\ndisk=phys1:2048+0x4000\n"
			   "disk = Shared\n"
			   "[guest b]\nimage=b\ndisk = Shared\ndisk = phys0:0x10000+8\n"
			   "[disk Shared]\nbacking = phys0:3\ncache_mib = 64\n"
			   "[disk other]\nbacking = phys0:1000000+1000\n"));
	a = guest("a");
	b = guest("b");
	assert_int_equal(a->ndisks, 3);
	assert_int_equal(a->disk[0].kind, XT_DISK_PART);
	assert_int_equal(a->disk[0].phys, 0);
	assert_int_equal(a->disk[0].part, 2);
	assert_int_equal(a->disk[0].line, 3);
	assert_int_equal(a->disk[1].kind, XT_DISK_RANGE);
	assert_int_equal(a->disk[1].phys, 1);
	assert_int_equal(a->disk[1].start, 2048);
	assert_int_equal(a->disk[1].count, 0x4000);
	assert_int_equal(a->disk[2].kind, XT_DISK_SHARED);
	assert_int_equal(a->disk[2].shared, 0);
	assert_int_equal(b->disk[0].shared, 0);
	assert_int_equal(cfg.ndisks, 2);
	assert_string_equal(cfg.disk[0].name, "Shared");
	assert_int_equal(cfg.disk[0].backing.kind, XT_DISK_PART);
	assert_int_equal(cfg.disk[0].backing.part, 3);
	assert_int_equal(cfg.disk[0].cache_mib, 64);
	assert_int_equal(cfg.disk[1].cache_mib, XT_DISK_CACHE_MIB);
	assert_int_equal(xt_disk_find(&cfg, "other"), 1);
	assert_int_equal(xt_disk_find(&cfg, "none"), -1);
}

static void test_disk_bad_values(void **state)
{
	(void)state;
	guest_error_case("image = b.elf\ndisk = phys4:1\n", 6, "is not physN:PART");
	guest_error_case("image = b.elf\ndisk = phys0:0\n", 6, "names no partition");
	guest_error_case("image = b.elf\ndisk = phys0:129\n", 6, "names no partition");
	guest_error_case("image = b.elf\ndisk = phys0:10+0\n", 6, "empty range");
	guest_error_case("image = b.elf\ndisk = phys0:0x1000000000000+1\n", 6, "beyond 2^48");
	guest_error_case("image = b.elf\ndisk = phys0:x+1\n", 6, "not a number");
	guest_error_case("image = b.elf\ndisk = my.disk\n", 6, "neither physN:PART");
	guest_error_case("image = b.elf\ndisk = nosuch\n", 6, "no [disk nosuch] section");
	guest_error_case("image = b.elf\ndisk=phys0:1\ndisk=phys0:2\ndisk=phys0:3\ndisk=phys0:4\n"
			 "disk=phys0:5\n", 10, "at most 4 disks");
	/* The same sectors twice: in one guest, or a second guest's. */
	guest_error_case("image = b.elf\ndisk=phys0:100+10\ndisk=phys0:109+5\n", 7,
			 "overlaps another of its disks (line 6)");
	assert_true(parse("[guest a]\nimage=a\ndisk=phys0:2\n[guest b]\nimage=b\ndisk=phys0:2\n") > 0);
	assert_false(guest("a")->refused);
	assert_true(guest("b")->refused);
	expect_diag(6, "overlaps another guest's disk (line 3)");
}

static void test_disk_sections(void **state)
{
	(void)state;
	/* A bad [disk] refuses it and the guests naming it, not the file. */
	assert_true(parse("[guest a]\nimage=a\ndisk=d\n[guest b]\nimage=b\n"
			  "[disk d]\nbacking = phys0\n") > 0);
	assert_false(cfg.refused);
	assert_true(cfg.disk[0].refused);
	assert_true(guest("a")->refused);
	assert_false(guest("b")->refused);
	expect_diag(7, "backing: 'phys0' is not physN:PART");
	expect_diag(3, "disk: [disk d] (line 6) is refused");
	assert_true(parse("[disk d]\ncache_mib=0\n") > 0);
	expect_diag(2, "cache_mib: 0 MiB is out of range");
	expect_diag(1, "missing required key 'backing' in [disk d]");
	assert_true(parse("[disk d]\nbacking=phys0:1\nbacking=phys0:2\nsize=3\n") > 0);
	expect_diag(3, "duplicate key 'backing' in [disk d] (first at line 2)");
	expect_diag(4, "unknown key 'size' in [disk d]");
	assert_true(parse("[disk d]\nbacking=phys0:1\n[disk d]\nbacking=phys0:2\n") > 0);
	expect_diag(3, "duplicate disk name 'd'");
	assert_true(parse("[disk]\n[disk a b]\n[disk a.b]\n") > 0);
	expect_diag(1, "[disk] needs a name: [disk NAME]");
	expect_diag(2, "[disk] takes one name, found 'a b'");
	expect_diag(3, "disk name 'a.b'");
	/* Backings may not overlap each other, nor a private disk. */
	assert_true(parse("[disk d]\nbacking=phys0:0+100\n[disk e]\nbacking=phys0:99+1\n"
			  "[guest g]\nimage=g\ndisk=phys0:50+1\n") > 0);
	assert_false(cfg.disk[0].refused);
	assert_true(cfg.disk[1].refused);
	expect_diag(4, "overlaps [disk d]'s (line 2); [disk e] refused");
	assert_true(guest("g")->refused);
	expect_diag(7, "overlaps a shared disk's backing (line 2)");
	/* The same shared disk twice in one guest. */
	assert_true(parse("[disk d]\nbacking=phys0:1\n[guest g]\nimage=g\ndisk=d\ndisk=d\n") > 0);
	expect_diag(6, "overlaps another of its disks (line 5)");
}

static void test_refuse_guest(void **state)
{
	(void)state;
	expect_clean(parse("[guest a]\nimage=a\n[guest b]\nimage=b\n[couple]\nlink=a b\n"));
	assert_true(xt_guests_coupled(&cfg, 0, 1));
	xt_config_refuse_guest(&cfg, &diags, 1, cfg.guest[1].image_line, "image: %s not found",
			       cfg.guest[1].image);
	assert_true(cfg.guest[1].refused);
	assert_false(cfg.guest[0].refused);
	assert_false(cfg.refused);
	assert_int_equal(diags.count, 1);
	expect_diag(4, "image: b not found");
	assert_false(xt_guests_coupled(&cfg, 0, 1));
	/* Out-of-range index: recorded, nothing refused. */
	xt_config_refuse_guest(&cfg, &diags, 7, 0, "x");
	assert_int_equal(diags.count, 2);
	assert_false(cfg.guest[0].refused);
}

/* ---- numbers ---- */

static void test_numbers_hex(void **state)
{
	(void)state;
	expect_clean(parse("[guest a]\nimage=a\nformat=raw\nload=0x00200000\nentry=0XABCDEF\n"
			   "memory=0x10\n[guest b]\nimage=b\nmemory=010\n"));
	assert_int_equal(guest("a")->load, 0x200000);
	assert_int_equal(guest("a")->entry, 0xabcdef);
	assert_int_equal(guest("a")->memory_mib, 16);
	assert_int_equal(guest("b")->memory_mib, 10); /* leading zero is not octal */
}

static void test_numbers_overflow(void **state)
{
	(void)state;
	guest_error_case("image=b\nentry = 18446744073709551616\n", 6,
			 "entry: '18446744073709551616' is too large");
	guest_error_case("image=b\nentry = 0x10000000000000000\n", 6, "is too large");
	guest_error_case("image=b\nentry = 0xffffffffffffffff\n", 6,
			 "entry: 0xffffffffffffffff is outside");
	guest_error_case("image=b\nmemory = 18446744073709551615\n", 6,
			 "memory: 18446744073709551615 MiB is out of range");
	guest_error_case("image=b\nmemory = 4294967312\n", 6, "out of range"); /* 2^32 + 16 */
}

static void test_numbers_garbage(void **state)
{
	static const char *const bad[] = { "0x", "-1", "+5", "1 6", "0x1g", "1e3", "0b1", "x10",
					   "16 MiB", "١٦" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[64], needle[64];

		snprintf(body, sizeof(body), "image=b\nmemory = %s\n", bad[i]);
		snprintf(needle, sizeof(needle), "memory: '");
		guest_error_case(body, 6, needle);
		expect_diag(6, "is not a number");
	}
	/* Non-printable bytes are not echoed. */
	guest_error_case("image=b\nmemory = 1\x01\x7f\n", 6, "memory: '1?\?' is not a number");
}

/* ---- MAC addresses ---- */

static void test_mac_forms(void **state)
{
	(void)state;
	expect_clean(parse("[guest a]\nimage=a\nmac=52:54:00:AB:cd:Ef\n"
			   "[guest b]\nimage=b\nmac=02-00-00-00-00-0F\n"));
	assert_memory_equal(guest("a")->mac, "\x52\x54\x00\xab\xcd\xef", 6);
	assert_memory_equal(guest("b")->mac, "\x02\x00\x00\x00\x00\x0f", 6);
}

static void test_mac_rejections(void **state)
{
	(void)state;
	guest_error_case("image=b\nmac=01:00:5e:00:00:01\n", 6, "is a multicast address");
	guest_error_case("image=b\nmac=ff:ff:ff:ff:ff:ff\n", 6, "multicast");
	guest_error_case("image=b\nmac=00:00:00:00:00:00\n", 6, "is the all-zero address");
	guest_error_case("image=b\nmac=52:54:00:00:01\n", 6,
			 "mac: '52:54:00:00:01' is not a MAC address");
	guest_error_case("image=b\nmac=52:54:00:00:00:0g\n", 6, "is not a MAC address");
	guest_error_case("image=b\nmac=52:54-00:00:00:01\n", 6, "is not a MAC address");
	guest_error_case("image=b\nmac=525400000001\n", 6, "is not a MAC address");
	guest_error_case("image=b\nmac=52:54:00:00:00:001\n", 6, "is not a MAC address");
	guest_error_case("image=b\nmac=5:54:00:00:00:01:\n", 6, "is not a MAC address");
	assert_false(guest("bob")->has_mac);
}

/* ---- limits ---- */

static void test_too_many_guests(void **state)
{
	char text[4096];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < XT_MAX_GUESTS + 2; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "[guest g%d]\nimage=g\n", i);
	assert_int_equal(parse(text), 2);
	assert_false(cfg.refused);
	assert_int_equal(cfg.nguests, XT_MAX_GUESTS);
	for (int i = 0; i < XT_MAX_GUESTS; i++)
		assert_false(cfg.guest[i].refused);
	assert_int_equal(xt_guest_find(&cfg, "g32"), -1);
	expect_diag(2 * XT_MAX_GUESTS + 1, "too many guests: [guest g32] ignored (at most 32)");
	expect_diag(2 * XT_MAX_GUESTS + 3, "[guest g33]");
}

static void test_diags_dropped(void **state)
{
	char text[2048];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(text, sizeof(text), "[guest a]\nimage=a\n");
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "k%d=1\n", i);
	assert_int_equal(parse(text), 70);
	assert_int_equal(diags.count, XT_MAX_DIAGS);
	assert_int_equal(diags.dropped, 70 - XT_MAX_DIAGS);
	expect_diag(3, "unknown key 'k0'");
	xt_diag_add(&diags, 1, "more");
	assert_int_equal(diags.dropped, 70 - XT_MAX_DIAGS + 1);
}

/* ---- robustness ---- */

static void test_every_prefix(void **state)
{
	size_t len = strlen(full_file);

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		/* Exactly n bytes: ASan catches any read past the end. */
		char *copy = malloc(n ? n : 1);

		assert_non_null(copy);
		memcpy(copy, full_file, n);
		parse_n(copy, n);
		assert_true(diags.count <= XT_MAX_DIAGS);
		assert_true(cfg.nguests <= 3);
		free(copy);
	}
	expect_clean(parse_n(full_file, len));
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void check_invariants(void)
{
	assert_true(cfg.nguests <= XT_MAX_GUESTS);
	assert_true(cfg.nlinks <= XT_MAX_LINKS);
	assert_true(diags.count <= XT_MAX_DIAGS);
	for (unsigned i = 0; i < cfg.nguests; i++) {
		const struct xt_guest_cfg *g = &cfg.guest[i];

		if (g->refused)
			continue;
		assert_true(strlen(g->name) >= 1 && strlen(g->name) <= XT_NAME_MAX);
		assert_true(strlen(g->image) >= 1);
		assert_true(g->memory_mib >= XT_MEM_MIN_MIB && g->memory_mib <= XT_MEM_MAX_MIB);
	}
	for (unsigned i = 0; i < cfg.nlinks; i++) {
		assert_true(cfg.link[i].a < cfg.link[i].b);
		assert_true(cfg.link[i].b < cfg.nguests);
		assert_false(cfg.guest[cfg.link[i].a].refused);
		assert_false(cfg.guest[cfg.link[i].b].refused);
	}
}

/* Random buffers, half raw bytes and half made of INI-ish tokens. */
static void test_random_buffers(void **state)
{
	static const char *const tok[] = { "[guest ", "[xtalk]", "[couple]", "]", "\n", "\r\n",
					   "=", " ", "\t", ";", "#", "a", "b", "image", "memory",
					   "mac", "network", "link", "0x", "1", "ff", ":", "-",
					   "raw", "format", "load", "entry", "lan", "/", "..",
					   "\xef\xbb\xbf", "\0" };
	const size_t ntok = sizeof(tok) / sizeof(tok[0]);

	(void)state;
	for (int iter = 0; iter < 4000; iter++) {
		size_t len = rng() % 600, n = 0;
		char *buf = malloc(len ? len : 1);

		assert_non_null(buf);
		while (n < len) {
			if (iter & 1) {
				buf[n++] = (char)rng();
				continue;
			}
			const char *t = tok[rng() % ntok];
			size_t tl = t[0] ? strlen(t) : 1;

			for (size_t k = 0; k < tl && n < len; k++)
				buf[n++] = t[k];
		}
		parse_n(buf, len);
		check_invariants();
		free(buf);
	}
}

static void test_diag_format(void **state)
{
	struct xt_diag d = { .line = 12, .msg = "unknown key 'memroy' in [guest alice]" };
	char buf[160];

	(void)state;
	assert_int_equal(xt_diag_format(&d, "xtalk.ini", buf, sizeof(buf)),
			 (int)strlen("xtalk.ini:12: unknown key 'memroy' in [guest alice]"));
	assert_string_equal(buf, "xtalk.ini:12: unknown key 'memroy' in [guest alice]");
	d.line = 0;
	xt_diag_format(&d, "\\EFI\\xtalk\\xtalk.ini", buf, sizeof(buf));
	assert_string_equal(buf, "\\EFI\\xtalk\\xtalk.ini: unknown key 'memroy' in [guest alice]");
	xt_diag_format(&d, NULL, buf, sizeof(buf));
	assert_string_equal(buf, "xtalk.ini: unknown key 'memroy' in [guest alice]");
	/* Truncates like snprintf. */
	d.line = 3;
	assert_int_equal(xt_diag_format(&d, "f", buf, 8), (int)strlen("f:3: ") + (int)strlen(d.msg));
	assert_string_equal(buf, "f:3: un");
	/* A message filling msg[] with no NUL is still bounded. */
	memset(d.msg, 'm', sizeof(d.msg));
	assert_int_equal(xt_diag_format(&d, "f", buf, sizeof(buf)), 5 + (int)sizeof(d.msg));
}

static void test_diag_add_truncates(void **state)
{
	char longstr[300];

	(void)state;
	memset(&diags, 0, sizeof(diags));
	memset(longstr, 'z', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = '\0';
	xt_diag_add(&diags, 9, "%s", longstr);
	assert_int_equal(diags.count, 1);
	assert_int_equal(diags.d[0].line, 9);
	assert_int_equal(strlen(diags.d[0].msg), sizeof(diags.d[0].msg) - 1);
	xt_diag_add(NULL, 1, "ignored");
}

static void test_null_diags(void **state)
{
	(void)state;
	assert_int_equal(xt_ini_parse("[guest a]\nfoo=1\n", 16, &cfg, NULL), 2);
	assert_true(cfg.guest[0].refused);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_valid),
		cmocka_unit_test(test_linux_guest),
		cmocka_unit_test(test_initrd_optional_and_for_every_format),
		cmocka_unit_test(test_guest_bad_initrd),
		cmocka_unit_test(test_guest_linux_rejects_load_and_entry),
		cmocka_unit_test(test_linux_memory_bounds),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_raw_entry_defaults_to_load),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_uplink_and_zerocopy),
		cmocka_unit_test(test_hypercall_policy),
		cmocka_unit_test(test_mac_spoof),
		cmocka_unit_test(test_on_reboot),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_crlf_and_bom),
		cmocka_unit_test(test_bom_only_at_start),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_comment_needs_blank),
		cmocka_unit_test(test_case_rules),
		cmocka_unit_test(test_spaces_around_equals),
		cmocka_unit_test(test_image_paths),
		cmocka_unit_test(test_guest_syntax_error),
		cmocka_unit_test(test_guest_missing_key),
		cmocka_unit_test(test_guest_unknown_key),
		cmocka_unit_test(test_guest_duplicate_key),
		cmocka_unit_test(test_guest_missing_image),
		cmocka_unit_test(test_guest_empty_value),
		cmocka_unit_test(test_guest_bad_image_char),
		cmocka_unit_test(test_guest_image_dotdot),
		cmocka_unit_test(test_guest_image_empty),
		cmocka_unit_test(test_guest_image_too_long),
		cmocka_unit_test(test_guest_bad_format),
		cmocka_unit_test(test_guest_network_without_mac),
		cmocka_unit_test(test_guest_bad_network_name),
		cmocka_unit_test(test_guest_raw_without_load),
		cmocka_unit_test(test_guest_load_on_elf),
		cmocka_unit_test(test_guest_load_unaligned),
		cmocka_unit_test(test_guest_load_below_1mib),
		cmocka_unit_test(test_guest_load_outside_memory),
		cmocka_unit_test(test_guest_entry_outside_memory),
		cmocka_unit_test(test_guest_memory_range),
		cmocka_unit_test(test_guest_memory_not_number),
		cmocka_unit_test(test_guest_errors_all_reported),
		cmocka_unit_test(test_file_nul_byte),
		cmocka_unit_test(test_file_xtalk_unknown_key),
		cmocka_unit_test(test_file_xtalk_bad_values),
		cmocka_unit_test(test_file_xtalk_rate_ms),
		cmocka_unit_test(test_file_xtalk_apicv),
		cmocka_unit_test(test_file_xtalk_duplicate_key),
		cmocka_unit_test(test_file_xtalk_twice),
		cmocka_unit_test(test_file_key_before_section),
		cmocka_unit_test(test_file_unknown_section),
		cmocka_unit_test(test_file_bad_headers),
		cmocka_unit_test(test_file_errors_keep_parsing),
		cmocka_unit_test(test_file_line_too_long),
		cmocka_unit_test(test_file_bad_line_ends_section),
		cmocka_unit_test(test_file_size_limit),
		cmocka_unit_test(test_duplicate_guest_name),
		cmocka_unit_test(test_duplicate_mac),
		cmocka_unit_test(test_duplicate_mac_refused_first),
		cmocka_unit_test(test_link_forward_reference),
		cmocka_unit_test(test_link_unknown_guest),
		cmocka_unit_test(test_link_self),
		cmocka_unit_test(test_link_refused_guest),
		cmocka_unit_test(test_link_duplicates_merged),
		cmocka_unit_test(test_link_syntax),
		cmocka_unit_test(test_link_too_many),
		cmocka_unit_test(test_network_coupling),
		cmocka_unit_test(test_audio_coupling),
		cmocka_unit_test(test_audio_bad_values),
		cmocka_unit_test(test_disks),
		cmocka_unit_test(test_disk_bad_values),
		cmocka_unit_test(test_disk_sections),
		cmocka_unit_test(test_refuse_guest),
		cmocka_unit_test(test_numbers_hex),
		cmocka_unit_test(test_numbers_overflow),
		cmocka_unit_test(test_numbers_garbage),
		cmocka_unit_test(test_mac_forms),
		cmocka_unit_test(test_mac_rejections),
		cmocka_unit_test(test_too_many_guests),
		cmocka_unit_test(test_diags_dropped),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_random_buffers),
		cmocka_unit_test(test_diag_format),
		cmocka_unit_test(test_diag_add_truncates),
		cmocka_unit_test(test_null_diags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
