/* SPDX-License-Identifier: MIT */
/*
 * Test helpers that build ELF64 images in memory. The structures are defined
 * here independently of vmm/emul/image_load.c (field layout from the ELF-64 Object
 * File Format), so a wrong offset in the loader shows up as a test failure.
 * Host tests run on little-endian x86-64, so fields are stored natively.
 */
#ifndef XTALK_TESTS_ELF_FIXTURE_H
#define XTALK_TESTS_ELF_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FX_ELFCLASS32	1
#define FX_ELFCLASS64	2
#define FX_ELFDATA2LSB	1
#define FX_ELFDATA2MSB	2
#define FX_ET_REL	1
#define FX_ET_EXEC	2
#define FX_ET_DYN	3
#define FX_EM_386	3
#define FX_EM_X86_64	62
#define FX_PT_LOAD	1
#define FX_PT_INTERP	3
#define FX_PT_NOTE	4
#define FX_PF_X		1
#define FX_PF_W		2
#define FX_PF_R		4

struct fx_ehdr {
	uint8_t ident[16];
	uint16_t type;
	uint16_t machine;
	uint32_t version;
	uint64_t entry;
	uint64_t phoff;
	uint64_t shoff;
	uint32_t flags;
	uint16_t ehsize;
	uint16_t phentsize;
	uint16_t phnum;
	uint16_t shentsize;
	uint16_t shnum;
	uint16_t shstrndx;
} __attribute__((packed));

struct fx_phdr {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
} __attribute__((packed));

_Static_assert(sizeof(struct fx_ehdr) == 64, "Elf64_Ehdr is 64 bytes");
_Static_assert(offsetof(struct fx_ehdr, entry) == 24, "e_entry");
_Static_assert(offsetof(struct fx_ehdr, phoff) == 32, "e_phoff");
_Static_assert(offsetof(struct fx_ehdr, phentsize) == 54, "e_phentsize");
_Static_assert(offsetof(struct fx_ehdr, phnum) == 56, "e_phnum");
_Static_assert(sizeof(struct fx_phdr) == 56, "Elf64_Phdr is 56 bytes");
_Static_assert(offsetof(struct fx_phdr, paddr) == 24, "p_paddr");
_Static_assert(offsetof(struct fx_phdr, memsz) == 40, "p_memsz");

/* One program header to build; data/filesz are the bytes stored in the file. */
struct fx_seg {
	uint32_t type;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t memsz;
	const void *data;
	uint64_t filesz;
};

static inline struct fx_ehdr *fx_eh(uint8_t *img)
{
	return (struct fx_ehdr *)(void *)img;
}

static inline struct fx_phdr *fx_ph(uint8_t *img, unsigned int i)
{
	return (struct fx_phdr *)(void *)(img + sizeof(struct fx_ehdr) +
					  i * sizeof(struct fx_phdr));
}

/*
 * Write an ELF64 x86-64 ET_EXEC with program headers right after the file
 * header and segment data after them, each at a 16-byte aligned offset. The
 * last segment's data ends the file. Returns the image length, or 0 if cap is
 * too small.
 */
static inline size_t fx_build(uint8_t *img, size_t cap, uint64_t entry,
			      const struct fx_seg *segs, unsigned int n)
{
	size_t off = sizeof(struct fx_ehdr) + n * sizeof(struct fx_phdr);
	struct fx_ehdr *eh = fx_eh(img);

	if (off > cap)
		return 0;
	memset(img, 0, off);
	memcpy(eh->ident, "\x7f" "ELF", 4);
	eh->ident[4] = FX_ELFCLASS64;
	eh->ident[5] = FX_ELFDATA2LSB;
	eh->ident[6] = 1;
	eh->type = FX_ET_EXEC;
	eh->machine = FX_EM_X86_64;
	eh->version = 1;
	eh->entry = entry;
	eh->phoff = sizeof(struct fx_ehdr);
	eh->ehsize = sizeof(struct fx_ehdr);
	eh->phentsize = sizeof(struct fx_phdr);
	eh->phnum = (uint16_t)n;
	for (unsigned int i = 0; i < n; i++) {
		struct fx_phdr *ph = fx_ph(img, i);

		off = (off + 15) & ~(size_t)15;
		if (off + segs[i].filesz > cap)
			return 0;
		if (segs[i].filesz)
			memcpy(img + off, segs[i].data, segs[i].filesz);
		ph->type = segs[i].type;
		ph->flags = FX_PF_R | FX_PF_W | FX_PF_X;
		ph->offset = off;
		ph->vaddr = segs[i].vaddr;
		ph->paddr = segs[i].paddr;
		ph->filesz = segs[i].filesz;
		ph->memsz = segs[i].memsz;
		ph->align = 0x1000;
		off += segs[i].filesz;
	}
	return off;
}

#endif
