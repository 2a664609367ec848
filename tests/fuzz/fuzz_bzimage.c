/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the bzImage loader, the initrd placement and the
 * Linux boot_params (vmm/emul/bzimage.c, vmm/emul/guest_boot.c).
 *
 * Input byte 0 picks the mode:
 *   bit 0 clear: mutated header. The image is the small real-looking fixture
 *     of tests/unit/bzimage_fixture.h (built here from scratch, so the
 *     fuzzer starts deep inside the valid space without a corpus); bytes
 *     1-2 cut it to a length (0 = whole), byte 3 picks the guest RAM size
 *     and the initrd size, then each 3 bytes (u16 offset, u8 value) patch
 *     one byte of it.
 *   bit 0 set: the rest of the input is the image, byte for byte.
 * Besides the sanitizers it checks what the VMM relies on after a success
 * (the kernel and the initrd inside RAM, above the boot structures, apart,
 * the initrd below initrd_addr_max, the entry at +0x200, nothing written
 * outside RAM) and aborts on a violation.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xerrno.h"
#include "tests/unit/bzimage_fixture.h"
#include "vmm/emul/bzimage.h"
#include "vmm/emul/guest_boot.h"
#include "vmm/emul/guest_layout.h"

#define MIB		0x100000ULL
#define KBYTES		2048
#define RAM_MAX		(8 * MIB)
#define GUARD		4096
#define GUARD_FILL	0x5a
#define INITRD_MAX	(3 * MIB)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *ram_alloc;
static uint8_t initrd[INITRD_MAX];

static void check(bool ok)
{
	if (!ok)
		abort();
}

static uint8_t *image_from(const uint8_t *data, size_t size, size_t *len, uint64_t *ram_size,
			   uint64_t *initrd_size)
{
	uint8_t fx[FXB_KERNEL_OFF + KBYTES];
	size_t n, cut;
	uint8_t *img;

	*ram_size = 4 * MIB;
	*initrd_size = 0;
	if (size && (data[0] & 1)) {
		n = size - 1;
		img = malloc(n ? n : 1);
		memcpy(img, data + 1, n);
		*len = n;
		return img;
	}
	/* pref_address 2 MiB, init_size 1 MiB: a 4 MiB guest holds it with room for an initrd */
	n = fxb_build(fx, KBYTES, 2 * MIB, MIB);
	cut = size >= 3 ? (size_t)(data[1] | data[2] << 8) : 0;
	if (size >= 4) {
		*ram_size = (4 + (data[3] & 3)) * MIB;
		*initrd_size = (uint64_t)(data[3] >> 2) * 0xbf21; /* below INITRD_MAX */
	}
	for (size_t i = 4; i + 3 <= size; i += 3)
		fx[(size_t)(data[i] | data[i + 1] << 8) % n] = data[i + 2];
	if (cut && cut < n)
		n = cut;
	img = malloc(n);
	memcpy(img, fx, n);
	*len = n;
	return img;
}

static bool guards_intact(uint64_t ram_size)
{
	for (size_t i = 0; i < GUARD; i++)
		if (ram_alloc[i] != GUARD_FILL || ram_alloc[GUARD + ram_size + i] != GUARD_FILL)
			return false;
	return true;
}

static void check_loaded(const struct bzimage_info *info, const struct guest_ram *ram)
{
	check(info->load_gpa >= GUEST_IMAGE_MIN);
	check(info->end_gpa <= ram->size && info->end_gpa - info->load_gpa == info->h.init_size);
	check(info->h.kernel_size <= info->h.init_size);
	check(info->entry_gpa == info->load_gpa + 0x200);
	check(info->h.hdr_len >= BZ_MIN_HDR_END - BZ_SETUP_SECTS && info->h.hdr_len <= BZ_HDR_MAX);
	check(info->h.relocatable ? info->load_gpa % info->h.kernel_alignment == 0 ||
				    info->load_gpa == info->h.pref_address
				  : info->load_gpa == info->h.pref_address);
}

static void try_initrd_and_boot(const struct bzimage_info *info, const struct guest_ram *ram,
				uint64_t initrd_size)
{
	struct guest_boot_linux lb = {
		.setup_hdr = info->h.hdr,
		.setup_hdr_len = info->h.hdr_len,
		.kernel_gpa = info->load_gpa,
	};
	struct guest_entry_state st;
	char err[160];
	int rc;

	if (initrd_size) {
		rc = guest_initrd_load(ram, initrd, initrd_size, info->h.initrd_addr_max,
				       info->load_gpa, info->end_gpa, &lb.initrd_gpa, err,
				       sizeof(err));
		check(rc == 0 || rc == -XT_ERANGE);
		if (rc)
			return;
		check(lb.initrd_gpa >= GUEST_IMAGE_MIN && lb.initrd_gpa % GUEST_PAGE_SIZE == 0);
		check(lb.initrd_gpa + initrd_size <= ram->size);
		check(lb.initrd_gpa + initrd_size - 1 <= info->h.initrd_addr_max);
		check(lb.initrd_gpa + initrd_size <= info->load_gpa ||
		      lb.initrd_gpa >= info->end_gpa);
		lb.initrd_size = initrd_size;
	}
	rc = guest_boot_setup_linux(ram, info->entry_gpa, "console=ttyS0", &lb, &st);
	check(rc == 0 || rc == -XT_E2BIG || rc == -XT_ERANGE);
	if (rc)
		return;
	check(ram->base[GUEST_BOOT_PARAMS_GPA + 0x210] == 0xff);
	check(ram->base[GUEST_BOOT_PARAMS_GPA + 0x211] == BZ_LOADED_HIGH);
	check(st.rip == info->entry_gpa && st.rsi == GUEST_BOOT_PARAMS_GPA);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bzimage_info info;
	struct guest_ram ram;
	uint64_t ram_size, initrd_size;
	char err[160];
	size_t len;
	uint8_t *img;
	int rc;

	if (!ram_alloc) {
		ram_alloc = malloc(RAM_MAX + 2 * GUARD);
		for (size_t i = 0; i < sizeof(initrd); i++)
			initrd[i] = (uint8_t)i;
	}
	img = image_from(data, size, &len, &ram_size, &initrd_size);
	memset(ram_alloc, GUARD_FILL, GUARD);
	memset(ram_alloc + GUARD + ram_size, GUARD_FILL, GUARD);
	ram.base = ram_alloc + GUARD;
	ram.size = ram_size;
	rc = bzimage_load(img, len, &ram, GUEST_IMAGE_MIN, &info, err, sizeof(err));
	check(rc == 0 || rc == -XT_ENOEXEC || rc == -XT_ERANGE);
	check(memchr(err, '\0', sizeof(err)) != NULL);
	check(rc == 0 ? err[0] == '\0' : err[0] != '\0');
	if (!rc) {
		check_loaded(&info, &ram);
		check(!memcmp(ram.base + info.load_gpa, img + info.h.kernel_off, info.h.kernel_size));
		try_initrd_and_boot(&info, &ram, initrd_size);
	}
	check(guards_intact(ram_size));
	free(img);
	return 0;
}
