/* SPDX-License-Identifier: MIT */
/*
 * bzImage loader. See vmm/emul/bzimage.h for the contract and
 * docs/guest-platform.md ("Linux bzImage guests") for what the guest gets.
 *
 * The file is read only at offsets checked against its length, field by
 * field in little-endian order (no alignment needed). Sizes are 64-bit and
 * every sum is checked before it is used.
 */
#include "vmm/emul/bzimage.h"
#include "vmm/emul/errbuf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/fmt.h"
#include "lib/xerrno.h"

#define JMP_SHORT	0xeb

static uint32_t rd(const uint8_t *p, unsigned int bytes)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd(p, 4) | (uint64_t)rd(p + 4, 4) << 32;
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* Magic, version and where the header ends; img has at least BZ_MIN_HDR_END bytes. */
static int check_magic(const uint8_t *img, size_t len, struct bzimage_hdr *h,
		       const struct errbuf *e)
{
	uint64_t end;

	if (rd(img + BZ_HEADER, 4) != BZ_MAGIC || rd(img + BZ_BOOT_FLAG, 2) != BZ_BOOT_FLAG_MAGIC)
		return errbuf_fail(e, XT_ENOEXEC, "not a Linux bzImage (no \"HdrS\" header at 0x202)");
	h->version = (uint16_t)rd(img + BZ_VERSION, 2);
	if (h->version < BZ_MIN_VERSION)
		return errbuf_fail(e, XT_ENOEXEC, "boot protocol %u.%02u is too old (need 2.12 or later)",
			    h->version >> 8, h->version & 0xff);
	if (img[BZ_JUMP] != JMP_SHORT)
		return errbuf_fail(e, XT_ENOEXEC, "no short jump at 0x200: cannot tell where the header ends");
	end = BZ_HEADER + (uint64_t)img[BZ_JUMP + 1];
	if (end < BZ_MIN_HDR_END)
		return errbuf_fail(e, XT_ENOEXEC, "setup header ends at 0x%llx, before init_size (0x%x)",
			    (unsigned long long)end, BZ_MIN_HDR_END);
	if (end > BZ_HDR_END)
		end = BZ_HDR_END;
	if (end > len)
		return errbuf_fail(e, XT_ENOEXEC, "file ends inside the setup header");
	h->hdr_len = end - BZ_SETUP_SECTS;
	memcpy(h->hdr, img + BZ_SETUP_SECTS, h->hdr_len);
	return 0;
}

static int check_flags(const uint8_t *img, const struct errbuf *e)
{
	unsigned int lf = img[BZ_LOADFLAGS], xlf = rd(img + BZ_XLOADFLAGS, 2);

	if (!(lf & BZ_LOADED_HIGH))
		return errbuf_fail(e, XT_ENOEXEC, "not a bzImage (loadflags 0x%02x without LOADED_HIGH)", lf);
	if (!(xlf & BZ_XLF_KERNEL_64))
		return errbuf_fail(e, XT_ENOEXEC,
			    "kernel has no 64-bit entry point (xloadflags 0x%04x without XLF_KERNEL_64)",
			    xlf);
	return 0;
}

/* setup_sects, syssize and init_size against the file and each other. */
static int check_sizes(const uint8_t *img, size_t len, struct bzimage_hdr *h,
		       const struct errbuf *e)
{
	unsigned int sects = img[BZ_SETUP_SECTS];

	if (!sects)
		sects = BZ_DEFAULT_SETUP_SECTS;
	h->kernel_off = (uint64_t)(sects + 1) * BZ_SECTOR;
	h->kernel_size = (uint64_t)rd(img + BZ_SYSSIZE, 4) * 16;
	h->init_size = rd(img + BZ_INIT_SIZE, 4);
	/* sects >= 1, so the kernel starts after the header (0x400 > BZ_HDR_END). */
	if (h->kernel_size <= BZ_ENTRY64_OFFSET)
		return errbuf_fail(e, XT_ENOEXEC,
			    "syssize says %llu bytes: no room for the 64-bit entry at +0x200",
			    (unsigned long long)h->kernel_size);
	if (h->kernel_off > len || h->kernel_size > len - h->kernel_off)
		return errbuf_fail(e, XT_ENOEXEC,
			    "file is truncated: %zu bytes, the header says %llu (setup %llu + kernel %llu)",
			    len, (unsigned long long)(h->kernel_off + h->kernel_size),
			    (unsigned long long)h->kernel_off, (unsigned long long)h->kernel_size);
	if (h->init_size < h->kernel_size)
		return errbuf_fail(e, XT_ENOEXEC, "init_size 0x%llx is smaller than the kernel (0x%llx bytes)",
			    (unsigned long long)h->init_size, (unsigned long long)h->kernel_size);
	return 0;
}

static int check_placement_fields(const uint8_t *img, struct bzimage_hdr *h,
				  const struct errbuf *e)
{
	h->kernel_alignment = rd(img + BZ_KERNEL_ALIGNMENT, 4);
	h->relocatable = img[BZ_RELOCATABLE];
	h->pref_address = rd64(img + BZ_PREF_ADDRESS);
	h->initrd_addr_max = rd(img + BZ_INITRD_ADDR_MAX, 4);
	h->cmdline_size = rd(img + BZ_CMDLINE_SIZE, 4);
	if (!is_pow2(h->kernel_alignment) || h->kernel_alignment < BZ_ALIGN_MIN ||
	    h->kernel_alignment > BZ_ALIGN_MAX)
		return errbuf_fail(e, XT_ENOEXEC,
			    "kernel_alignment 0x%llx is not a power of two from 4 KiB to 1 GiB",
			    (unsigned long long)h->kernel_alignment);
	if (!h->relocatable && h->pref_address % BZ_ALIGN_MIN)
		return errbuf_fail(e, XT_ENOEXEC, "pref_address 0x%llx of a fixed kernel is not page aligned",
			    (unsigned long long)h->pref_address);
	return 0;
}

int bzimage_parse(const void *image, size_t len, struct bzimage_hdr *h, char *err,
		  size_t errlen)
{
	const struct errbuf eb = { err, errlen };
	const uint8_t *img = image;
	int ret;

	errbuf_clear(&eb);
	if (!image || !h)
		return errbuf_fail(&eb, XT_EINVAL, "invalid arguments");
	memset(h, 0, sizeof(*h));
	/* Every field read below lies before BZ_MIN_HDR_END. */
	if (len < BZ_MIN_HDR_END)
		return errbuf_fail(&eb, XT_ENOEXEC, "image is %zu bytes, too small for a bzImage", len);
	ret = check_magic(img, len, h, &eb);
	if (!ret)
		ret = check_flags(img, &eb);
	if (!ret)
		ret = check_sizes(img, len, h, &eb);
	if (!ret)
		ret = check_placement_fields(img, h, &eb);
	return ret;
}

static bool fits(uint64_t at, uint64_t size, uint64_t min_gpa, uint64_t ram_size)
{
	return at >= min_gpa && at <= ram_size && size <= ram_size - at;
}

int bzimage_place(const struct bzimage_hdr *h, uint64_t ram_size, uint64_t min_gpa,
		  uint64_t *load_gpa, char *err, size_t errlen)
{
	const struct errbuf eb = { err, errlen };
	uint64_t a, at, align = h->kernel_alignment;

	errbuf_clear(&eb);
	a = h->pref_address;
	if ((!h->relocatable || a % align == 0) && fits(a, h->init_size, min_gpa, ram_size)) {
		*load_gpa = a;
		return 0;
	}
	if (!h->relocatable)
		return errbuf_fail(&eb, XT_ERANGE,
			    "kernel is not relocatable and needs 0x%llx+0x%llx, outside guest RAM "
			    "[0x%llx, 0x%llx)",
			    (unsigned long long)a, (unsigned long long)h->init_size,
			    (unsigned long long)min_gpa, (unsigned long long)ram_size);
	if (a < min_gpa)
		a = min_gpa;
	/* a <= 2^64 - 1 and align <= 1 GiB: round up without wrapping. */
	at = a > UINT64_MAX - (align - 1) ? 0 : (a + align - 1) & ~(align - 1);
	if (!at || !fits(at, h->init_size, min_gpa, ram_size))
		return errbuf_fail(&eb, XT_ERANGE,
			    "kernel needs %llu MiB from 0x%llx (init_size), guest RAM ends at 0x%llx",
			    (unsigned long long)((h->init_size + 0xfffff) >> 20),
			    (unsigned long long)(at ? at : a), (unsigned long long)ram_size);
	*load_gpa = at;
	return 0;
}

static bool host_ranges_overlap(const void *a, size_t alen, const void *b, uint64_t blen)
{
	uintptr_t pa = (uintptr_t)a, pb = (uintptr_t)b;

	if (!alen || !blen)
		return false;
	return pa >= pb ? pa - pb < blen : pb - pa < alen;
}

int bzimage_load(const void *image, size_t len, const struct guest_ram *ram, uint64_t min_gpa,
		 struct bzimage_info *info, char *err, size_t errlen)
{
	const struct errbuf eb = { err, errlen };
	struct bzimage_hdr *h;
	int ret;

	errbuf_clear(&eb);
	if (!image || !ram || !ram->base || !info)
		return errbuf_fail(&eb, XT_EINVAL, "invalid arguments");
	if (host_ranges_overlap(image, len, ram->base, ram->size))
		return errbuf_fail(&eb, XT_EINVAL, "image buffer overlaps guest RAM");
	h = &info->h;
	ret = bzimage_parse(image, len, h, err, errlen);
	if (!ret)
		ret = bzimage_place(h, ram->size, min_gpa, &info->load_gpa, err, errlen);
	if (ret)
		return ret;
	memcpy(ram->base + info->load_gpa, (const uint8_t *)image + h->kernel_off, h->kernel_size);
	info->entry_gpa = info->load_gpa + BZ_ENTRY64_OFFSET;
	info->end_gpa = info->load_gpa + h->init_size;
	return 0;
}
