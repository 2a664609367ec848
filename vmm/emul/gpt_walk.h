/* SPDX-License-Identifier: MIT */
/*
 * Guest page-table walker: translates a guest linear address to a
 * guest-physical address in software, the way the CPU does it (SDM 3A,
 * chapter "Paging"). Used by the VMM to fetch instructions for MMIO
 * emulation and to reach the memory operands of string I/O.
 *
 * Everything it reads (control registers, paging-structure entries) comes
 * from the guest and is treated as hostile: each walk is at most five
 * levels deep and every entry is reached through the caller's map function,
 * which bounds it to guest RAM.
 *
 * Supported paging modes (SDM 3A, "Paging Modes and Control Bits"):
 *   CR0.PG = 0           no paging; linear == physical, truncated to 32 bits
 *                        unless EFER.LMA = 1
 *   CR4.PAE = 0          32-bit paging, 4 MiB pages when CR4.PSE = 1 (PSE-36:
 *                        physical bits 39:32 in PDE bits 20:13)
 *   CR4.PAE = 1, LMA = 0 PAE paging; the four PDPTEs are read from memory at
 *                        CR3[31:5] (the CPU caches them when CR3 is loaded)
 *   EFER.LMA = 1         4-level paging, or 5-level paging with CR4.LA57
 *
 * Honoured: P, R/W with CR0.WP, U/S, XD with EFER.NXE (a reserved bit when
 * NXE = 0), PS (2 MiB/4 MiB PDEs, 1 GiB PDPTEs in 4/5-level paging),
 * reserved bits against MAXPHYADDR, CR4.SMEP, CR4.SMAP (only on request,
 * see GPT_ACCESS_SMAP), canonical addresses in long mode. Not modelled:
 * protection keys (CR4.PKE/PKS), CET shadow-stack accesses, HLAT, PAT/caching
 * attributes, and the PDPTE cache of PAE paging.
 */
#ifndef XTALK_VMM_GPT_WALK_H
#define XTALK_VMM_GPT_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/x86.h"

/* The guest's values (CR0/CR4 as the guest sees them, i.e. read shadows applied). */
struct gpt_mode {
	uint64_t cr0, cr3, cr4, efer;
};

/*
 * Map len bytes of guest-physical memory at gpa to a host pointer, or NULL if
 * that range is not guest RAM, or (write) the guest may not write there. The
 * walker asks for 4- or 8-byte entries at naturally aligned gpas and for data
 * chunks that never cross a 4 KiB page; the returned pointer must be aligned
 * like gpa (a misaligned pointer for an entry is treated as "not RAM").
 * write: the walker writes through the pointer (an accessed/dirty flag, the
 * data of gpt_write). A write map may change where the guest's pages are
 * (copy on write, ept/gmem.h), so the walker keeps no pointer across map
 * calls: it maps an entry again to set its flags.
 */
typedef void *(*gpt_map_fn)(void *ctx, uint64_t gpa, size_t len, bool write);

#define GPT_ACCESS_WRITE (1u << 0)
#define GPT_ACCESS_USER  (1u << 1)	/* CPL 3 access */
#define GPT_ACCESS_FETCH (1u << 2)
/*
 * Apply CR4.SMAP to a supervisor data access: pass it only when the guest's
 * EFLAGS.AC was 0 (or the access is implicit). Without it SMAP is not checked,
 * so a caller that does not know EFLAGS.AC never injects a spurious #PF.
 */
#define GPT_ACCESS_SMAP  (1u << 3)

/*
 * Translate a linear address. Returns 0 and *gpa, or:
 *   -XT_EFAULT: the CPU would raise #PF; *pf_error holds the error code to
 *               inject (CR2 = gva);
 *   -XT_ERANGE: a paging-structure entry lies outside guest RAM (the VMM
 *               stops the guest);
 *   -XT_EINVAL: non-canonical address in long mode (the CPU raises #GP, or
 *               #SS for stack accesses: the caller injects it), inconsistent
 *               mode (EFER.LMA without CR4.PAE) or NULL arguments;
 *   -XT_EPERM:  an accessed/dirty flag to set in an entry the guest may not
 *               write (map refused the write; the VMM stops the guest, as
 *               for an EPT violation it cannot resolve).
 * maxphyaddr is CPUID.80000008H:EAX[7:0] as reported to the guest; it is
 * clamped to 32..52.
 * On success the accessed flag is set in every entry used and, for writes,
 * the dirty flag in the leaf (atomic OR, as the CPU does); nothing is set
 * when the walk faults.
 */
int gpt_walk(const struct gpt_mode *m, unsigned maxphyaddr, uint64_t gva, unsigned access,
	     gpt_map_fn map, void *ctx, uint64_t *gpa, uint32_t *pf_error);

/*
 * Copy len bytes from guest-linear gva (may cross pages) into buf,
 * translating each page with the given access (pass GPT_ACCESS_FETCH for
 * instruction fetches). Same return codes as gpt_walk; on failure
 * *fault_gva is the linear address that failed (the start of the failing
 * page after the first one) and buf may be partly filled. A data page that
 * is not guest RAM (e.g. MMIO) also gives -XT_ERANGE.
 */
int gpt_read(const struct gpt_mode *m, unsigned maxphyaddr, uint64_t gva, void *buf, size_t len,
	     unsigned access, gpt_map_fn map, void *ctx, uint32_t *pf_error, uint64_t *fault_gva);

/*
 * Copy len bytes from buf to guest-linear gva. GPT_ACCESS_WRITE is implied.
 * All pages are translated and mapped for writing (checked to be RAM the
 * guest may write) before anything is written, so a faulting write leaves
 * guest memory and A/D flags unchanged; a data page map refuses for writing
 * gives -XT_EPERM.
 */
int gpt_write(const struct gpt_mode *m, unsigned maxphyaddr, uint64_t gva, const void *buf,
	      size_t len, unsigned access, gpt_map_fn map, void *ctx, uint32_t *pf_error,
	      uint64_t *fault_gva);

#endif
