/* SPDX-License-Identifier: MIT */
/*
 * The UEFI side of xtalk: find the volume we were loaded from, read
 * \xtalk.ini and the guest images named there, allocate guest RAM and the
 * VMM's own memory, take the final memory map, leave boot services and jump
 * into the VMM. This is the only file that sees GNU-EFI types.
 */
#include <efi.h>

#include <stdarg.h>
#include <string.h>

#include "boot/bootinfo.h"
#include "boot/ini.h"
#include "lib/fmt.h"
#include "lib/x86.h"

/* Memory types from the OS-loader range (UEFI spec, "AllocatePages"): the
 * firmware never hands these pages to anyone else, and they stand out in a
 * memory map dump. */
#define XT_EFI_GUEST_MEMORY ((EFI_MEMORY_TYPE)0x80000001U)
#define XT_EFI_VMM_MEMORY ((EFI_MEMORY_TYPE)0x80000002U)

#define PAGE_SIZE 4096ULL
#define SIZE_2M (2ULL << 20)
#define VMM_POOL_SIZE (16ULL << 20)
#define VMM_STACK_SIZE (256ULL << 10)
/* Guest files are read this much per EFI_FILE Read call. */
#define READ_CHUNK (16ULL << 20)
/* Files this big print their progress and read rate. */
#define PROGRESS_MIN (16ULL << 20)
#define INI_PATH "xtalk.ini"

static EFI_SYSTEM_TABLE *st;
static EFI_BOOT_SERVICES *bs;
static EFI_HANDLE image_handle;

static struct xt_config config;
static struct xt_diags diags;
static struct xt_boot_info boot_info;

static void boot_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Pages for a file of size bytes (at least one, so an empty file has a buffer). */
static UINTN file_pages(uint64_t size)
{
	return size ? (size + PAGE_SIZE - 1) / PAGE_SIZE : 1;
}

static void boot_print(const char *fmt, ...)
{
	char buf[256];
	CHAR16 wbuf[2 * sizeof(buf)];
	unsigned n = 0;
	va_list ap;

	va_start(ap, fmt);
	xt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (const char *s = buf; *s && n < sizeof(wbuf) / sizeof(wbuf[0]) - 2; s++) {
		if (*s == '\n')
			wbuf[n++] = L'\r';
		wbuf[n++] = (CHAR16)(unsigned char)*s;
	}
	wbuf[n] = 0;
	st->ConOut->OutputString(st->ConOut, wbuf);
}

static const char *efi_strerror(EFI_STATUS s)
{
	switch (s) {
	case EFI_NOT_FOUND: return "not found";
	case EFI_OUT_OF_RESOURCES: return "out of memory";
	case EFI_INVALID_PARAMETER: return "invalid parameter";
	case EFI_DEVICE_ERROR: return "device error";
	case EFI_UNSUPPORTED: return "unsupported";
	case EFI_ACCESS_DENIED: return "access denied";
	case EFI_VOLUME_CORRUPTED: return "volume corrupted";
	case EFI_BUFFER_TOO_SMALL: return "buffer too small";
	default: return "error";
	}
}

/* The hard drive media node of the boot volume's device path (UEFI 2.x,
 * "Hard Drive Media Device Path": 42 bytes; the partition signature at
 * byte 24, its type at byte 41, 2 for a GPT partition's unique GUID). Read
 * by offset: the C struct's size is padded past the node's. */
#define HD_NODE_LEN	42
#define HD_SIGNATURE	24
#define HD_SIG_TYPE	41

static void find_boot_partition(EFI_HANDLE dev)
{
	EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL;
	EFI_DEVICE_PATH *dp;

	if (EFI_ERROR(bs->HandleProtocol(dev, &dp_guid, (void **)&dp)) || !dp)
		return;
	for (unsigned n = 0; n < 64 && !IsDevicePathEnd(dp); n++, dp = NextDevicePathNode(dp)) {
		const uint8_t *b = (const uint8_t *)dp;

		if (DevicePathType(dp) != MEDIA_DEVICE_PATH ||
		    DevicePathSubType(dp) != MEDIA_HARDDRIVE_DP ||
		    DevicePathNodeLength(dp) < HD_NODE_LEN || b[HD_SIG_TYPE] != SIGNATURE_TYPE_GUID)
			continue;
		for (unsigned i = 0; i < 16; i++)
			boot_info.boot_part_guid[i] = b[HD_SIGNATURE + i];
		boot_info.has_boot_part = true;
		return;
	}
}

static EFI_STATUS open_root(EFI_FILE_HANDLE *root)
{
	EFI_GUID lip_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_GUID fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
	EFI_LOADED_IMAGE *li;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_STATUS s;

	s = bs->HandleProtocol(image_handle, &lip_guid, (void **)&li);
	if (EFI_ERROR(s))
		return s;
	boot_info.image_base = (uint64_t)(uintptr_t)li->ImageBase;
	boot_info.image_size = li->ImageSize;
	find_boot_partition(li->DeviceHandle);
	s = bs->HandleProtocol(li->DeviceHandle, &fs_guid, (void **)&fs);
	if (EFI_ERROR(s))
		return s;
	return fs->OpenVolume(fs, root);
}

/* Open path on the boot volume; *size is its length. Directories are "not found". */
static EFI_STATUS open_file(EFI_FILE_HANDLE root, const char *path, EFI_FILE_HANDLE *f,
			    uint64_t *size)
{
	EFI_GUID info_guid = EFI_FILE_INFO_ID;
	CHAR16 wpath[XT_PATH_MAX + 2];
	union {
		EFI_FILE_INFO info;
		uint8_t raw[sizeof(EFI_FILE_INFO) + 512];
	} u;
	UINTN n = sizeof(u);
	EFI_STATUS s;
	unsigned i = 0;

	wpath[i++] = L'\\';
	for (; *path && i < XT_PATH_MAX + 1; path++)
		wpath[i++] = *path == '/' ? L'\\' : (CHAR16)(unsigned char)*path;
	wpath[i] = 0;

	s = root->Open(root, f, wpath, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(s))
		return s;
	s = (*f)->GetInfo(*f, &info_guid, &n, &u.info);
	if (!EFI_ERROR(s) && (u.info.Attribute & EFI_FILE_DIRECTORY))
		s = EFI_NOT_FOUND;
	if (EFI_ERROR(s)) {
		(*f)->Close(*f);
		return s;
	}
	*size = u.info.FileSize;
	return EFI_SUCCESS;
}

/*
 * Read size bytes in READ_CHUNK pieces: few Read calls, each into a page-
 * aligned buffer, so the FAT driver can hand whole cluster runs to the
 * disk without bouncing them, and a large file can say how far it got
 * (PROGRESS_MIN or more) and how fast. Under Bochs this is no faster than
 * one Read into pool memory (65.9 MB in about 41 s of wall time either
 * way, measured 2026-12-07): the time goes in the firmware's emulated disk
 * path, not in the calls.
 */
static EFI_STATUS read_chunks(EFI_FILE_HANDLE f, uint8_t *buf, uint64_t size, const char *path)
{
	uint64_t done = 0, t0 = rdtsc(), ms;
	bool loud = size >= PROGRESS_MIN;

	while (done < size) {
		UINTN n = size - done < READ_CHUNK ? size - done : READ_CHUNK;
		EFI_STATUS s = f->Read(f, &n, buf + done);

		if (EFI_ERROR(s))
			return s;
		if (!n)
			return EFI_DEVICE_ERROR; /* shorter than GetInfo said */
		done += n;
		if (loud)
			boot_print("xtalk: reading '%s': %llu of %llu MiB\n", path,
				   (unsigned long long)(done >> 20), (unsigned long long)(size >> 20));
	}
	if (loud && boot_info.tsc_hz) {
		ms = (rdtsc() - t0) / (boot_info.tsc_hz / 1000);
		/* By the TSC: wall time on hardware; under Bochs it counts instructions only. */
		boot_print("xtalk: read '%s' (%llu bytes) in %llu ms by the TSC, %llu KiB/s\n", path,
			   (unsigned long long)size, (unsigned long long)ms,
			   (unsigned long long)(ms ? (size >> 10) * 1000 / ms : 0));
	}
	return EFI_SUCCESS;
}

/* Read a small file (xtalk.ini) into pool memory, at most max bytes. */
static EFI_STATUS read_file(EFI_FILE_HANDLE root, const char *path, uint64_t max,
			    void **data, uint64_t *size)
{
	EFI_FILE_HANDLE f;
	EFI_STATUS s;

	s = open_file(root, path, &f, size);
	if (EFI_ERROR(s))
		return s;
	if (*size > max) {
		s = EFI_BAD_BUFFER_SIZE;
		goto out;
	}
	s = bs->AllocatePool(EfiLoaderData, *size ? *size : 1, data);
	if (EFI_ERROR(s))
		goto out;
	s = read_chunks(f, *data, *size, path);
	if (EFI_ERROR(s))
		bs->FreePool(*data);
out:
	f->Close(f);
	return s;
}

/*
 * Read a guest file (image, initrd) of at most max bytes into pages of its
 * own (page aligned, so the firmware can read straight into them).
 */
static EFI_STATUS read_big_file(EFI_FILE_HANDLE root, const char *path, uint64_t max,
				void **data, uint64_t *size)
{
	EFI_PHYSICAL_ADDRESS addr;
	EFI_FILE_HANDLE f;
	EFI_STATUS s;

	s = open_file(root, path, &f, size);
	if (EFI_ERROR(s))
		return s;
	if (*size > max) {
		s = EFI_BAD_BUFFER_SIZE;
		goto out;
	}
	s = bs->AllocatePages(AllocateAnyPages, EfiLoaderData, file_pages(*size), &addr);
	if (EFI_ERROR(s))
		goto out;
	*data = (void *)(uintptr_t)addr;
	s = read_chunks(f, *data, *size, path);
	if (EFI_ERROR(s))
		bs->FreePages(addr, file_pages(*size));
out:
	f->Close(f);
	return s;
}

static void free_big_file(const void *data, uint64_t size)
{
	if (data)
		bs->FreePages((EFI_PHYSICAL_ADDRESS)(uintptr_t)data, file_pages(size));
}

/* Allocate size bytes (a multiple of 4 KiB) aligned to align, of the given type. */
static EFI_STATUS alloc_aligned(EFI_MEMORY_TYPE type, uint64_t size, uint64_t align,
				uint64_t *base)
{
	uint64_t pages = size / PAGE_SIZE, slack = align / PAGE_SIZE - 1;
	EFI_PHYSICAL_ADDRESS addr;
	EFI_STATUS s;

	s = bs->AllocatePages(AllocateAnyPages, type, pages + slack, &addr);
	if (EFI_ERROR(s))
		return s;
	uint64_t aligned = (addr + align - 1) & ~(align - 1);
	uint64_t head = (aligned - addr) / PAGE_SIZE, tail = slack - head;

	if (head)
		bs->FreePages(addr, head);
	if (tail)
		bs->FreePages(aligned + size, tail);
	*base = aligned;
	return EFI_SUCCESS;
}

static void print_diags(void)
{
	char line[192];

	for (unsigned i = 0; i < diags.count; i++) {
		xt_diag_format(&diags.d[i], INI_PATH, line, sizeof(line));
		boot_print("%s\n", line);
	}
	if (diags.dropped)
		boot_print("%s: %u more errors not shown\n", INI_PATH, diags.dropped);
}

static EFI_STATUS load_config(EFI_FILE_HANDLE root)
{
	void *text;
	uint64_t size;
	EFI_STATUS s;

	s = read_file(root, INI_PATH, XT_INI_MAX_SIZE, &text, &size);
	if (s == EFI_BAD_BUFFER_SIZE) {
		xt_ini_parse("", 0, &config, &diags);
		config.refused = true;
		xt_diag_add(&diags, 0, "file is larger than %u bytes", XT_INI_MAX_SIZE);
		return EFI_SUCCESS;
	}
	if (EFI_ERROR(s)) {
		boot_print("xtalk: cannot read \\%s from the boot volume: %s\n", INI_PATH,
			   efi_strerror(s));
		return s;
	}
	xt_ini_parse(text, size, &config, &diags);
	bs->FreePool(text);
	return EFI_SUCCESS;
}

/*
 * Read one guest file. No size cap beyond the guest's RAM: an image or
 * initrd larger than that cannot be loaded anyway. A failure refuses the
 * guest with the line of the file's key.
 */
static bool read_guest_file(EFI_FILE_HANDLE root, unsigned idx, const char *key, const char *path,
			    unsigned line, void **data, uint64_t *size)
{
	const struct xt_guest_cfg *g = &config.guest[idx];
	uint64_t max = (uint64_t)g->memory_mib << 20;
	EFI_STATUS s;

	s = read_big_file(root, path, max, data, size);
	if (s == EFI_BAD_BUFFER_SIZE) {
		xt_config_refuse_guest(&config, &diags, idx, line,
				       "%s '%s' (%llu MiB) is larger than the guest's %u MiB of memory",
				       key, path, (unsigned long long)(*size >> 20), g->memory_mib);
		return false;
	}
	if (EFI_ERROR(s)) {
		xt_config_refuse_guest(&config, &diags, idx, line, "cannot read %s '%s': %s", key,
				       path, efi_strerror(s));
		return false;
	}
	return true;
}

/* Load each accepted guest's image and initrd and give it RAM. A failure refuses that guest only. */
static void prepare_guests(EFI_FILE_HANDLE root)
{
	for (unsigned i = 0; i < config.nguests && !config.refused; i++) {
		struct xt_guest_cfg *g = &config.guest[i];
		struct xt_boot_guest *bg = &boot_info.guest[boot_info.nguests];
		uint64_t ram = (uint64_t)g->memory_mib << 20;
		void *data, *initrd = NULL;
		uint64_t size, initrd_size = 0;
		EFI_STATUS s;

		if (g->refused)
			continue;
		if (!read_guest_file(root, i, "image", g->image, g->image_line, &data, &size))
			continue;
		if (g->initrd[0] && !read_guest_file(root, i, "initrd", g->initrd, g->initrd_line,
						     &initrd, &initrd_size)) {
			free_big_file(data, size);
			continue;
		}
		s = alloc_aligned(XT_EFI_GUEST_MEMORY, ram, SIZE_2M, &bg->ram_hpa);
		if (EFI_ERROR(s)) {
			free_big_file(data, size);
			free_big_file(initrd, initrd_size);
			xt_config_refuse_guest(&config, &diags, i, g->line,
					       "cannot allocate %u MiB for guest '%s': %s",
					       g->memory_mib, g->name, efi_strerror(s));
			continue;
		}
		bg->cfg_index = i;
		bg->image = data;
		bg->image_size = size;
		bg->initrd = initrd;
		bg->initrd_size = initrd_size;
		bg->ram_size = ram;
		boot_info.nguests++;
	}
}

static uint64_t find_rsdp(void)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	uint64_t found = 0;

	for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];

		if (!memcmp(&t->VendorGuid, &acpi20, sizeof(EFI_GUID)))
			return (uint64_t)(uintptr_t)t->VendorTable;
		if (!memcmp(&t->VendorGuid, &acpi10, sizeof(EFI_GUID)))
			found = (uint64_t)(uintptr_t)t->VendorTable;
	}
	return found;
}

static uint64_t measure_tsc_hz(void)
{
	uint64_t t0 = rdtsc(), t1;

	bs->Stall(10000);
	t1 = rdtsc();
	return (t1 - t0) * 100;
}

static uint32_t mem_kind(uint32_t type)
{
	switch (type) {
	case EfiLoaderCode:
	case EfiLoaderData:
	case EfiBootServicesCode:
	case EfiBootServicesData:
	case EfiConventionalMemory:
		return XT_MEM_USABLE;
	case EfiACPIReclaimMemory:
		return XT_MEM_ACPI;
	case EfiACPIMemoryNVS:
		return XT_MEM_ACPI_NVS;
	case EfiMemoryMappedIO:
	case EfiMemoryMappedIOPortSpace:
		return XT_MEM_MMIO;
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:
		return XT_MEM_RUNTIME;
	case XT_EFI_GUEST_MEMORY:
		return XT_MEM_GUEST;
	case XT_EFI_VMM_MEMORY:
		return XT_MEM_VMM;
	default:
		return XT_MEM_RESERVED;
	}
}

/* Convert the final UEFI map; called after ExitBootServices, so no output. */
static void convert_memory_map(const uint8_t *map, UINTN size, UINTN desc_size)
{
	for (UINTN off = 0; off + desc_size <= size; off += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(map + off);
		struct xt_mem_range *r = &boot_info.mem[boot_info.nmem];
		uint32_t kind = mem_kind(d->Type);
		uint64_t bytes = d->NumberOfPages * PAGE_SIZE;

		/* xtalk.efi itself is LoaderCode/Data: keep it. */
		if (d->PhysicalStart < boot_info.image_base + boot_info.image_size &&
		    d->PhysicalStart + bytes > boot_info.image_base)
			kind = XT_MEM_VMM;
		if (boot_info.nmem && r[-1].kind == kind && r[-1].base + r[-1].size == d->PhysicalStart) {
			r[-1].size += bytes;
			continue;
		}
		if (boot_info.nmem == XT_BOOT_MAX_MEM)
			return;
		r->base = d->PhysicalStart;
		r->size = bytes;
		r->kind = kind;
		boot_info.nmem++;
	}
}

static EFI_STATUS exit_boot_services(void)
{
	UINTN size = 0, key, desc_size;
	UINT32 desc_ver;
	uint8_t *map = NULL;
	EFI_STATUS s;

	s = bs->GetMemoryMap(&size, NULL, &key, &desc_size, &desc_ver);
	if (s != EFI_BUFFER_TOO_SMALL)
		return s;
	/* Room for the descriptors our own allocation adds, and some more. */
	size += 16 * desc_size;
	UINTN capacity = size;

	s = bs->AllocatePool(EfiLoaderData, capacity, (void **)&map);
	if (EFI_ERROR(s))
		return s;
	for (int tries = 0; tries < 8; tries++) {
		size = capacity;
		s = bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)map, &key, &desc_size,
				     &desc_ver);
		if (EFI_ERROR(s))
			return s;
		/* A stale key (an event allocated memory in between) fails
		 * with EFI_INVALID_PARAMETER: take the map again. */
		s = bs->ExitBootServices(image_handle, key);
		if (!EFI_ERROR(s)) {
			convert_memory_map(map, size, desc_size);
			return EFI_SUCCESS;
		}
	}
	return s;
}

/* Each shared disk's pages (and their index): cache_mib MiB below 4 GiB,
 * where the physical disk's bus master reaches (its PRD entries hold 32-bit
 * addresses). A disk without it keeps no pages (the VMM says so). */
static void alloc_disk_memory(void)
{
	for (unsigned d = 0; d < config.ndisks && d < XT_MAX_DISKS; d++) {
		uint64_t size = (uint64_t)config.disk[d].cache_mib << 20;
		EFI_PHYSICAL_ADDRESS addr = 0xffffffffULL;

		if (config.disk[d].refused)
			continue;
		if (EFI_ERROR(bs->AllocatePages(AllocateMaxAddress, XT_EFI_VMM_MEMORY,
						size / PAGE_SIZE, &addr))) {
			boot_print("xtalk: no memory below 4 GiB for [disk %s]'s %u MiB of pages\n",
				   config.disk[d].name, config.disk[d].cache_mib);
			continue;
		}
		boot_info.disk_mem[d] = addr;
		boot_info.disk_mem_size[d] = size;
	}
}

static EFI_STATUS alloc_vmm_memory(void)
{
	EFI_STATUS s;

	s = alloc_aligned(XT_EFI_VMM_MEMORY, VMM_POOL_SIZE, SIZE_2M, &boot_info.pool_base);
	if (EFI_ERROR(s))
		return s;
	boot_info.pool_size = VMM_POOL_SIZE;
	s = alloc_aligned(XT_EFI_VMM_MEMORY, VMM_STACK_SIZE, PAGE_SIZE, &boot_info.stack_base);
	if (EFI_ERROR(s))
		return s;
	boot_info.stack_size = VMM_STACK_SIZE;
	alloc_disk_memory();
	return EFI_SUCCESS;
}

EFI_STATUS efi_main(EFI_HANDLE handle, EFI_SYSTEM_TABLE *systab);

EFI_STATUS efi_main(EFI_HANDLE handle, EFI_SYSTEM_TABLE *systab)
{
	EFI_FILE_HANDLE root;
	EFI_STATUS s;

	st = systab;
	bs = systab->BootServices;
	image_handle = handle;
	bs->SetWatchdogTimer(0, 0, 0, NULL);
	boot_print("xtalk: UEFI loader starting\n");

	s = open_root(&root);
	if (EFI_ERROR(s)) {
		boot_print("xtalk: cannot open the boot volume: %s\n", efi_strerror(s));
		return s;
	}
	/* Measured first: reading large files reports its rate. */
	boot_info.tsc_hz = measure_tsc_hz();
	s = load_config(root);
	if (EFI_ERROR(s))
		return s;
	prepare_guests(root);
	root->Close(root);
	print_diags();
	if (config.refused)
		boot_print("xtalk: %s cannot be trusted: no guest will be started\n", INI_PATH);
	for (unsigned i = 0; i < config.nguests; i++)
		if (config.guest[i].refused)
			boot_print("xtalk: guest '%s' refused (see errors above)\n",
				   config.guest[i].name);

	s = alloc_vmm_memory();
	if (EFI_ERROR(s)) {
		boot_print("xtalk: cannot allocate VMM memory: %s\n", efi_strerror(s));
		return s;
	}
	boot_info.magic = XT_BOOT_MAGIC;
	boot_info.cfg = &config;
	boot_info.diags = &diags;
	boot_info.acpi_rsdp = find_rsdp();
	boot_print("xtalk: %u guest(s) loaded, TSC %llu MHz, leaving boot services\n",
		   boot_info.nguests, (unsigned long long)(boot_info.tsc_hz / 1000000));

	s = exit_boot_services();
	if (EFI_ERROR(s)) {
		boot_print("xtalk: ExitBootServices failed: %s\n", efi_strerror(s));
		return s;
	}
	vmm_start(&boot_info, boot_info.stack_base + boot_info.stack_size);
}
