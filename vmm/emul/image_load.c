/* SPDX-License-Identifier: MIT */
/*
 * ELF64 and raw image loader. See vmm/emul/image_load.h for the contract.
 *
 * The file is read only through rd16/rd32/rd64 at offsets that were checked
 * against its length first; guest RAM is written only in ranges checked
 * against [min_gpa, ram->size). Fields are decoded byte by byte, so the
 * image needs no particular alignment.
 */
#include "vmm/emul/image_load.h"
#include "vmm/emul/errbuf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/fmt.h"
#include "lib/xerrno.h"

/* ELF64 file header (System V gABI, ELF-64 Object File Format). */
#define EI_MAG0		0	/* 0x7f 'E' 'L' 'F' */
#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define EV_CURRENT	1
#define ET_EXEC		2
#define EM_X86_64	62
#define PN_XNUM		0xffff

#define EH_TYPE		16	/* uint16_t e_type */
#define EH_MACHINE	18	/* uint16_t e_machine */
#define EH_VERSION	20	/* uint32_t e_version */
#define EH_ENTRY	24	/* uint64_t e_entry */
#define EH_PHOFF	32	/* uint64_t e_phoff */
#define EH_PHENTSIZE	54	/* uint16_t e_phentsize */
#define EH_PHNUM	56	/* uint16_t e_phnum */
#define EHDR_SIZE	64

/* ELF64 program header. */
#define PT_LOAD		1
#define PT_INTERP	3

#define PH_TYPE		0	/* uint32_t p_type */
#define PH_OFFSET	8	/* uint64_t p_offset */
#define PH_VADDR	16	/* uint64_t p_vaddr */
#define PH_PADDR	24	/* uint64_t p_paddr */
#define PH_FILESZ	32	/* uint64_t p_filesz */
#define PH_MEMSZ	40	/* uint64_t p_memsz */
#define PHDR_SIZE	56

/* A decoded program header. */
struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* Everything the ELF checks need; img/len are the untrusted file. */
struct elf {
	const uint8_t *img;
	size_t len;
	const struct guest_ram *ram;
	uint64_t min_gpa;
	uint64_t phoff;
	unsigned int phnum;
	const struct errbuf *err;
};

/* "16 MiB", "640 KiB" or "0x12345 bytes", for messages. */
static const char *size_str(char *buf, size_t n, uint64_t bytes)
{
	unsigned long long b = bytes;

	if (b && b % (1024 * 1024) == 0)
		xt_snprintf(buf, n, "%llu MiB", b / (1024 * 1024));
	else if (b && b % 1024 == 0)
		xt_snprintf(buf, n, "%llu KiB", b / 1024);
	else
		xt_snprintf(buf, n, "0x%llx bytes", b);
	return buf;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* True if [a, a + n) wraps or does not end at or below limit. */
static bool range_outside(uint64_t a, uint64_t n, uint64_t limit)
{
	return a > limit || n > limit - a;
}

static bool host_ranges_overlap(const void *a, size_t alen, const void *b, uint64_t blen)
{
	uintptr_t pa = (uintptr_t)a, pb = (uintptr_t)b;

	if (!alen || !blen)
		return false;
	return pa >= pb ? pa - pb < blen : pb - pa < alen;
}

static int check_ident(const struct elf *e)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
	const uint8_t *h = e->img;

	if (e->len < EHDR_SIZE)
		return errbuf_fail(e->err, XT_ENOEXEC,
			    "image is %zu bytes, smaller than an ELF64 header (%d)",
			    e->len, EHDR_SIZE);
	if (memcmp(h + EI_MAG0, magic, sizeof(magic)))
		return errbuf_fail(e->err, XT_ENOEXEC, "not an ELF file (bad magic)");
	if (h[EI_CLASS] != ELFCLASS64)
		return errbuf_fail(e->err, XT_ENOEXEC, "not a 64-bit ELF (EI_CLASS %u)",
			    h[EI_CLASS]);
	if (h[EI_DATA] != ELFDATA2LSB)
		return errbuf_fail(e->err, XT_ENOEXEC, "not a little-endian ELF (EI_DATA %u)",
			    h[EI_DATA]);
	if (h[EI_VERSION] != EV_CURRENT || rd32(h + EH_VERSION) != EV_CURRENT)
		return errbuf_fail(e->err, XT_ENOEXEC, "unsupported ELF version %u/%u",
			    h[EI_VERSION], rd32(h + EH_VERSION));
	return 0;
}

static int check_header(struct elf *e)
{
	const uint8_t *h = e->img;
	unsigned int type = rd16(h + EH_TYPE), machine = rd16(h + EH_MACHINE);
	unsigned int phentsize = rd16(h + EH_PHENTSIZE);

	if (type != ET_EXEC)
		return errbuf_fail(e->err, XT_ENOEXEC,
			    "not an executable (e_type %u, need ET_EXEC %d)", type, ET_EXEC);
	if (machine != EM_X86_64)
		return errbuf_fail(e->err, XT_ENOEXEC,
			    "not an x86-64 image (e_machine %u, need %d)", machine, EM_X86_64);
	if (phentsize != PHDR_SIZE)
		return errbuf_fail(e->err, XT_ENOEXEC, "e_phentsize is %u, expected %d",
			    phentsize, PHDR_SIZE);
	e->phoff = rd64(h + EH_PHOFF);
	e->phnum = rd16(h + EH_PHNUM);
	if (e->phnum == 0)
		return errbuf_fail(e->err, XT_ENOEXEC, "no program headers");
	if (e->phnum == PN_XNUM)
		return errbuf_fail(e->err, XT_ENOEXEC,
			    "extended program header numbering is not supported");
	if (e->phnum > IMAGE_ELF_MAX_PHNUM)
		return errbuf_fail(e->err, XT_ENOEXEC, "too many program headers (%u, max %d)",
			    e->phnum, IMAGE_ELF_MAX_PHNUM);
	/* phnum <= 256, so phnum * 56 cannot overflow; phoff + that can. */
	if (range_outside(e->phoff, (uint64_t)e->phnum * PHDR_SIZE, e->len))
		return errbuf_fail(e->err, XT_ENOEXEC,
			    "program header table at 0x%llx (%u x %d bytes) lies outside the %zu-byte file",
			    (unsigned long long)e->phoff, e->phnum, PHDR_SIZE, e->len);
	return 0;
}

/* Only valid after check_header() bounded the table. */
static void read_phdr(const struct elf *e, unsigned int i, struct phdr *ph)
{
	const uint8_t *p = e->img + e->phoff + (uint64_t)i * PHDR_SIZE;

	ph->type = rd32(p + PH_TYPE);
	ph->offset = rd64(p + PH_OFFSET);
	ph->vaddr = rd64(p + PH_VADDR);
	ph->paddr = rd64(p + PH_PADDR);
	ph->filesz = rd64(p + PH_FILESZ);
	ph->memsz = rd64(p + PH_MEMSZ);
}

static int check_segment(const struct elf *e, unsigned int i, const struct phdr *ph)
{
	unsigned long long pa = ph->paddr, msz = ph->memsz;
	char sz[32];

	if (ph->filesz > ph->memsz)
		return errbuf_fail(e->err, XT_ENOEXEC,
			    "segment %u: p_filesz 0x%llx exceeds p_memsz 0x%llx", i,
			    (unsigned long long)ph->filesz, msz);
	if (range_outside(ph->offset, ph->filesz, e->len))
		return errbuf_fail(e->err, XT_ENOEXEC,
			    "segment %u: file data at 0x%llx+0x%llx lies outside the %zu-byte file",
			    i, (unsigned long long)ph->offset,
			    (unsigned long long)ph->filesz, e->len);
	if (ph->paddr < e->min_gpa)
		return errbuf_fail(e->err, XT_ERANGE,
			    "segment %u at 0x%llx+0x%llx lies below the lowest loadable address 0x%llx",
			    i, pa, msz, (unsigned long long)e->min_gpa);
	if (range_outside(ph->paddr, ph->memsz, e->ram->size))
		return errbuf_fail(e->err, XT_ERANGE,
			    "segment %u at 0x%llx+0x%llx lies outside guest RAM (%s)", i, pa,
			    msz, size_str(sz, sizeof(sz), e->ram->size));
	return 0;
}

/* Segments are already inside RAM, so the end addresses cannot wrap. */
static int check_overlap(const struct elf *e, unsigned int i, const struct phdr *ph)
{
	struct phdr o;

	if (!ph->memsz)
		return 0;
	for (unsigned int j = 0; j < i; j++) {
		read_phdr(e, j, &o);
		if (o.type != PT_LOAD || !o.memsz)
			continue;
		if (ph->paddr < o.paddr + o.memsz && o.paddr < ph->paddr + ph->memsz)
			return errbuf_fail(e->err, XT_ENOEXEC,
				    "segment %u at 0x%llx+0x%llx overlaps segment %u", i,
				    (unsigned long long)ph->paddr,
				    (unsigned long long)ph->memsz, j);
	}
	return 0;
}

static int check_segments(const struct elf *e)
{
	unsigned int loads = 0;
	struct phdr ph;
	int ret;

	for (unsigned int i = 0; i < e->phnum; i++) {
		read_phdr(e, i, &ph);
		if (ph.type == PT_INTERP)
			return errbuf_fail(e->err, XT_ENOEXEC,
				    "segment %u: PT_INTERP (dynamic linking) is not supported", i);
		if (ph.type != PT_LOAD)
			continue;
		ret = check_segment(e, i, &ph);
		if (!ret)
			ret = check_overlap(e, i, &ph);
		if (ret)
			return ret;
		loads++;
	}
	if (!loads)
		return errbuf_fail(e->err, XT_ENOEXEC, "no PT_LOAD segment");
	return 0;
}

/*
 * e_entry is normally virtual: translate it through the PT_LOAD whose
 * [p_vaddr, p_vaddr + p_memsz) contains it. A Linux vmlinux instead records
 * the physical address (ENTRY(phys_startup_64), 0x1000000 while its text is
 * linked at 0xffffffff81000000), so an entry that is in no virtual range but
 * inside some [p_paddr, p_paddr + p_memsz) is taken as physical.
 */
static bool find_entry(const struct elf *e, uint64_t addr, bool physical, uint64_t *gpa)
{
	struct phdr ph;
	uint64_t base;

	for (unsigned int i = 0; i < e->phnum; i++) {
		read_phdr(e, i, &ph);
		base = physical ? ph.paddr : ph.vaddr;
		if (ph.type == PT_LOAD && addr >= base && addr - base < ph.memsz) {
			*gpa = ph.paddr + (addr - base);
			return true;
		}
	}
	return false;
}

static int translate_entry(const struct elf *e, uint64_t *gpa)
{
	uint64_t va = rd64(e->img + EH_ENTRY);

	if (find_entry(e, va, false, gpa) || find_entry(e, va, true, gpa))
		return 0;
	return errbuf_fail(e->err, XT_ENOEXEC, "entry point 0x%llx is outside every PT_LOAD segment",
		    (unsigned long long)va);
}

/* All segments were checked by check_segments(); [*lo, *hi) spans them. */
static void load_segments(const struct elf *e, uint64_t *lo, uint64_t *hi)
{
	uint8_t *ram = e->ram->base;
	struct phdr ph;

	*lo = UINT64_MAX;
	*hi = 0;
	for (unsigned int i = 0; i < e->phnum; i++) {
		read_phdr(e, i, &ph);
		if (ph.type != PT_LOAD)
			continue;
		memcpy(ram + ph.paddr, e->img + ph.offset, ph.filesz);
		memset(ram + ph.paddr + ph.filesz, 0, ph.memsz - ph.filesz);
		if (ph.paddr < *lo)
			*lo = ph.paddr;
		if (ph.paddr + ph.memsz > *hi)
			*hi = ph.paddr + ph.memsz;
	}
}

static int check_args(const void *image, size_t len, const struct guest_ram *ram,
		      const struct errbuf *err)
{
	if (!image || !ram || !ram->base)
		return errbuf_fail(err, XT_EINVAL, "invalid arguments");
	if (host_ranges_overlap(image, len, ram->base, ram->size))
		return errbuf_fail(err, XT_EINVAL, "image buffer overlaps guest RAM");
	return 0;
}

int image_load_elf(const void *image, size_t len, const struct guest_ram *ram,
		   uint64_t min_gpa, uint64_t *entry, char *err, size_t errlen)
{
	struct image_span span;

	return image_load_elf_span(image, len, ram, min_gpa, entry, &span, err, errlen);
}

int image_load_elf_span(const void *image, size_t len, const struct guest_ram *ram,
			uint64_t min_gpa, uint64_t *entry, struct image_span *span, char *err,
			size_t errlen)
{
	const struct errbuf eb = { err, errlen };
	struct elf e = { image, len, ram, min_gpa, 0, 0, &eb };
	uint64_t gpa = 0;
	int ret;

	errbuf_clear(&eb);
	ret = check_args(image, len, ram, &eb);
	if (!ret && (!entry || !span))
		ret = errbuf_fail(&eb, XT_EINVAL, "invalid arguments");
	if (!ret)
		ret = check_ident(&e);
	if (!ret)
		ret = check_header(&e);
	if (!ret)
		ret = check_segments(&e);
	if (!ret)
		ret = translate_entry(&e, &gpa);
	if (ret)
		return ret;
	load_segments(&e, &span->lo, &span->hi);
	*entry = gpa;
	return 0;
}

int image_load_raw(const void *image, size_t len, const struct guest_ram *ram,
		   uint64_t load_gpa, uint64_t min_gpa, char *err, size_t errlen)
{
	const struct errbuf eb = { err, errlen };
	char sz[32];
	int ret;

	errbuf_clear(&eb);
	ret = check_args(image, len, ram, &eb);
	if (ret)
		return ret;
	if (!len)
		return errbuf_fail(&eb, XT_ENOEXEC, "raw image is empty");
	if (load_gpa < min_gpa)
		return errbuf_fail(&eb, XT_ERANGE,
			    "raw image at 0x%llx lies below the lowest loadable address 0x%llx",
			    (unsigned long long)load_gpa, (unsigned long long)min_gpa);
	if (range_outside(load_gpa, len, ram->size))
		return errbuf_fail(&eb, XT_ERANGE,
			    "raw image at 0x%llx+0x%zx lies outside guest RAM (%s)",
			    (unsigned long long)load_gpa, len,
			    size_str(sz, sizeof(sz), ram->size));
	memcpy(ram->base + load_gpa, image, len);
	return 0;
}
