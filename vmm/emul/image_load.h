/* SPDX-License-Identifier: MIT */
/*
 * Guest image loader: places an ELF64 x86-64 executable or a raw binary into
 * guest RAM before the first VM entry.
 *
 * The image is untrusted: the loader never reads outside [image, image+len),
 * never writes outside [min_gpa, ram->size) of guest RAM and rejects every
 * field whose arithmetic would overflow. It validates all program headers
 * before writing anything, so on a format or placement error guest RAM is
 * left untouched.
 *
 * Error codes (negative):
 *   -XT_EINVAL   bad arguments (NULL pointers, image buffer inside guest RAM)
 *   -XT_ENOEXEC  not a loadable ELF64 x86-64 executable, or a malformed one
 *                (header fields, program header table or segment data
 *                outside the file, overlapping segments, bad entry point)
 *   -XT_ERANGE   a segment or the raw image does not fit in
 *                [min_gpa, ram->size), including address overflow
 * On error a one-line message (no trailing newline) is written to err when
 * err != NULL and errlen > 0; on success err is set to "".
 */
#ifndef XTALK_VMM_IMAGE_LOAD_H
#define XTALK_VMM_IMAGE_LOAD_H

#include <stddef.h>
#include <stdint.h>

struct guest_ram {
	uint8_t *base;	/* host pointer to guest-physical address 0 */
	uint64_t size;	/* bytes of guest RAM, GPA [0, size) */
};

/*
 * Upper bound on e_phnum. Real executables have a handful of program headers
 * (a Linux vmlinux has about 5); the bound keeps the segment overlap check
 * cheap for hostile input.
 */
#define IMAGE_ELF_MAX_PHNUM 256

/*
 * Load an ELF64 x86-64 executable (ET_EXEC, EM_X86_64, ELFDATA2LSB,
 * ELFCLASS64, EV_CURRENT). Each PT_LOAD is placed at p_paddr: p_filesz bytes
 * are copied from p_offset and the rest up to p_memsz is zeroed. Segments must
 * lie entirely inside [min_gpa, ram->size) and must not overlap each other.
 * PT_INTERP is rejected; other program header types are ignored.
 *
 * *entry receives the guest-physical address of e_entry, translated through
 * the first PT_LOAD whose [p_vaddr, p_vaddr + p_memsz) contains it. If no
 * segment's virtual range contains it but one's [p_paddr, p_paddr + p_memsz)
 * does, e_entry is already physical and used as is: a Linux vmlinux records
 * its entry that way (ENTRY(phys_startup_64)). Any other e_entry is an error.
 * At least one PT_LOAD is required.
 */
int image_load_elf(const void *image, size_t len, const struct guest_ram *ram,
		   uint64_t min_gpa, uint64_t *entry, char *err, size_t errlen);

/* Guest-physical range a loaded image occupies: [lo, hi). */
struct image_span {
	uint64_t lo, hi;
};

/*
 * image_load_elf(), also telling where the PT_LOAD segments went: from the
 * lowest p_paddr to the highest p_paddr + p_memsz (an initrd must stay out).
 */
int image_load_elf_span(const void *image, size_t len, const struct guest_ram *ram,
			uint64_t min_gpa, uint64_t *entry, struct image_span *span, char *err,
			size_t errlen);

/*
 * Copy a raw binary to load_gpa. Requires len > 0, load_gpa >= min_gpa and
 * load_gpa + len <= ram->size.
 */
int image_load_raw(const void *image, size_t len, const struct guest_ram *ram,
		   uint64_t load_gpa, uint64_t min_gpa, char *err, size_t errlen);

#endif
