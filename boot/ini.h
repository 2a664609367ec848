/* SPDX-License-Identifier: MIT */
/*
 * xtalk.ini: the boot configuration read from the boot volume. The parser is
 * pure C with no allocation so that it runs freestanding in the loader and
 * unchanged in host unit tests and fuzzers. The file format is described in
 * docs/ini.md.
 */
#ifndef XTALK_BOOT_INI_H
#define XTALK_BOOT_INI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XT_INI_MAX_SIZE 65536 /* larger file: whole file refused */
#define XT_INI_LINE_MAX 255 /* longer line: error */
#define XT_MAX_GUESTS 32
#define XT_NAME_MAX 15 /* guest and network names: [A-Za-z0-9_-]{1,15} */
#define XT_CMDLINE_MAX 201 /* including the NUL; a value fits on one INI line */
#define XT_PATH_MAX 127
#define XT_MAX_LINKS 64
#define XT_MAX_DIAGS 64
#define XT_MEM_MIN_MIB 4
#define XT_MEM_MAX_MIB 3072 /* guest RAM sits below the 3 GiB PCI hole */

#define XT_GUEST_DISKS 4 /* disk = lines per guest: its IDE drive slots, in order */
#define XT_MAX_DISKS 8 /* [disk NAME] sections */
#define XT_MAX_PHYS_DISKS 4 /* phys0..phys3: the machine's ATA disks xtalk may use */
#define XT_DISK_CACHE_MIB 16 /* [disk] cache_mib default */
#define XT_DISK_SECTORS_MAX (1ULL << 48) /* LBA48 */

enum xt_log_level { XT_LOG_ERROR, XT_LOG_WARN, XT_LOG_INFO, XT_LOG_DEBUG };

/* Where a guest's disk (disk = ...) or a shared disk's backing (backing = ...) lives. */
enum xt_disk_kind {
	XT_DISK_NONE,
	XT_DISK_PART,	/* physN:P, partition P (1-based, GPT) of the machine's disk N */
	XT_DISK_RANGE,	/* physN:START+COUNT, sectors START .. START+COUNT-1 of disk N */
	XT_DISK_SHARED,	/* NAME: the [disk NAME] section (a guest's disk only) */
};

struct xt_disk_ref {
	enum xt_disk_kind kind;
	uint8_t phys;		/* PART, RANGE: N of physN */
	uint32_t part;		/* PART */
	uint64_t start, count;	/* RANGE, in 512-byte sectors */
	uint8_t shared;		/* SHARED: index into xt_config.disk[] (after parsing) */
	char name[XT_NAME_MAX + 1]; /* SHARED: the section's name */
	unsigned line;
};

/* [disk NAME]: a disk several guests attach to (disk = NAME); coupled. */
struct xt_disk_cfg {
	char name[XT_NAME_MAX + 1];
	struct xt_disk_ref backing;	/* backing = physN:P or physN:START+COUNT */
	uint32_t cache_mib;		/* cache_mib = 1..1024: host pages holding its sectors */
	unsigned line;			/* of the header */
	bool refused;			/* bad section: guests naming it are refused */
};
enum xt_image_format { XT_FMT_ELF, XT_FMT_RAW, XT_FMT_LINUX /* bzImage, Linux boot protocol */ };

struct xt_guest_cfg {
	char name[XT_NAME_MAX + 1];
	/* path on the boot volume, '/' converted to '\\', leading '\\' stripped */
	char image[XT_PATH_MAX + 1];
	enum xt_image_format format; /* default ELF */
	/* initial ramdisk on the boot volume, same rules as image; "" = none */
	char initrd[XT_PATH_MAX + 1];
	/* raw only: guest-physical load address (required for raw) */
	uint64_t load;
	bool has_load;
	/*
	 * has_entry tells whether the file set entry. For raw images without
	 * it, entry is filled with load; for ELF the caller uses e_entry.
	 */
	uint64_t entry;
	bool has_entry;
	uint32_t memory_mib; /* default 16 */
	uint8_t mac[6];
	bool has_mac;
	char network[XT_NAME_MAX + 1]; /* "" = not on any network */
	char audio[XT_NAME_MAX + 1];   /* audio bus of its ES1370, "" = no sound card */
	char cmdline[XT_CMDLINE_MAX];   /* given to the guest in boot_params, "" = none */
	char uplink[XT_NAME_MAX + 1];   /* physical NIC backing its e1000 ("phys0"), "" = none */
	/* What its hypercalls may do (docs/hypercalls.md); all off by default. */
	bool debug_dump;       /* debug_dump = on: XTALK_HC_XT_DUMP prints (rate-limited) */
	bool counters_machine; /* counters = machine: XTALK_HC_COUNTERS sums every guest */
	bool user_counters;    /* user_counters = on: XTALK_HC_COUNTERS also at CPL 3 */
	bool mac_spoof; /* mac_spoof = allow: may send with a source MAC not its own (bridges) */
	bool reboot_stops; /* on_reboot = stop (default restart: a reset boots its image again) */
	unsigned ndisks; /* disk = lines: primary master, primary slave, secondary master, slave */
	struct xt_disk_ref disk[XT_GUEST_DISKS];
	unsigned line; /* line of the [guest NAME] header */
	unsigned image_line; /* line of the image = key (0 if absent) */
	unsigned initrd_line; /* line of the initrd = key (0 if absent) */
	bool refused; /* this guest will not be started */
};

/* Indices into guest[], stored with a < b. */
struct xt_link {
	uint8_t a, b;
	unsigned line;
};

struct xt_config {
	enum xt_log_level log_level; /* [xtalk] log, default info */
	uint32_t timeslice_us; /* [xtalk] timeslice_us = 100..1000000, default 2000 */
	bool crosstalk; /* [xtalk] crosstalk = on|off, default on */
	bool zerocopy; /* [xtalk] zerocopy = on|off, default on */
	bool apicv;    /* [xtalk] apicv = on|off: VMX APIC virtualization where the CPU has it */
	uint32_t rate_ms; /* [xtalk] rate_ms = 0 (off, default) or 100..60000 */
	bool refused; /* the whole file is refused: start no guest */
	unsigned nguests; /* includes refused guests; indices stay stable */
	struct xt_guest_cfg guest[XT_MAX_GUESTS];
	/* Links valid at parse time; a guest refused later keeps its links, so use xt_guests_coupled(). */
	unsigned nlinks;
	struct xt_link link[XT_MAX_LINKS];
	unsigned ndisks; /* [disk NAME] sections, refused ones included */
	struct xt_disk_cfg disk[XT_MAX_DISKS];
};

struct xt_diag {
	unsigned line; /* 1-based; 0 = about the whole file */
	char msg[112];
};

struct xt_diags {
	unsigned count;
	unsigned dropped; /* diagnostics that did not fit in d[] */
	struct xt_diag d[XT_MAX_DIAGS];
};

/*
 * Parse len bytes of text (need not be NUL-terminated; NULL means empty).
 * cfg is always fully initialised with defaults applied; diags (may be NULL)
 * is reset and receives one entry per error, sorted by line. Returns the
 * number of errors, including dropped ones (0 = clean).
 */
int xt_ini_parse(const char *text, size_t len, struct xt_config *cfg, struct xt_diags *diags);

/*
 * Record an error found later by the caller (image file missing, bad ELF,
 * ...): adds a diag and refuses guest idx (ignored if out of range).
 */
void xt_config_refuse_guest(struct xt_config *cfg, struct xt_diags *diags, unsigned idx,
			    unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Add a diagnostic (printf-style); counted into dropped when full. */
void xt_diag_add(struct xt_diags *diags, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Format "FILE:LINE: msg" (or "FILE: msg" when line is 0) into buf, with
 * snprintf semantics. file may be NULL for "xtalk.ini".
 */
int xt_diag_format(const struct xt_diag *d, const char *file, char *buf, size_t size);

/*
 * True when guests a and b (distinct, both not refused) are coupled:
 * explicitly by a link, or implicitly by the same non-empty network.
 */
bool xt_guests_coupled(const struct xt_config *cfg, unsigned a, unsigned b);
/*
 * True when guests a and b (distinct, both not refused) both have a sound
 * card (audio = BUS) and are on the same audio bus or linked by [couple]:
 * one's playback may reach the other's capture.
 */
bool xt_guests_audio_coupled(const struct xt_config *cfg, unsigned a, unsigned b);

/* Index of the [disk NAME] section named name (refused or not), or -1. */
int xt_disk_find(const struct xt_config *cfg, const char *name);

/* Index of the first guest named name (refused or not), or -1. */
int xt_guest_find(const struct xt_config *cfg, const char *name);

#endif
