/* SPDX-License-Identifier: MIT */
/*
 * Creating a guest from the loader's description: RAM, image, boot state,
 * EPT, the platform's devices and its NIC, the vCPU's VMCS. The one place
 * that wires every part of a guest together, so it sits at the top.
 */
#include "vmm/run/guest_create.h"

#include <string.h>

#include "ept/ept.h"
#include "lib/xerrno.h"
#include "vmm/arch/vmcs.h"
#include "vmm/core/console.h"
#include "vmm/core/palloc.h"
#include "vmm/emul/bzimage.h"
#include "vmm/emul/guest_boot.h"
#include "vmm/emul/guest_layout.h"
#include "vmm/emul/image_load.h"
#include "vmm/guest/apicv.h"
#include "vmm/guest/guest.h"
#include "vmm/io/fwtables.h"
#include "vmm/io/platform.h"
#include "vmm/net/nic.h"
#include "vmm/audio/sound.h"
#include "vmm/storage/disk.h"

#define EPT_MAX_GPA (1ULL << 39)
#define FXSAVE_FCW 0
#define FXSAVE_MXCSR 24

/* What loading left for the boot state: the entry, the kernel's range, Linux fields. */
struct loaded {
	uint64_t entry;
	struct image_span kernel;	/* the initrd stays out of it */
	uint32_t initrd_addr_max;
	struct bzimage_info bz;		/* format = linux only */
	struct guest_boot_linux lb;
};

static int load_kernel(struct guest *g, const struct xt_boot_guest *bg, struct loaded *l,
		       char *err, size_t errlen)
{
	const struct xt_guest_cfg *c = g->cfg;
	int rc;

	l->initrd_addr_max = GUEST_INITRD_ADDR_MAX_DEFAULT;
	switch (c->format) {
	case XT_FMT_RAW:
		rc = image_load_raw(bg->image, bg->image_size, &g->ram, c->load, GUEST_IMAGE_MIN,
				    err, errlen);
		l->entry = c->load;
		l->kernel.lo = c->load;
		l->kernel.hi = c->load + bg->image_size;
		break;
	case XT_FMT_LINUX:
		rc = bzimage_load(bg->image, bg->image_size, &g->ram, GUEST_IMAGE_MIN, &l->bz, err,
				  errlen);
		l->entry = l->bz.entry_gpa;
		l->kernel.lo = l->bz.load_gpa;
		l->kernel.hi = l->bz.end_gpa;
		l->initrd_addr_max = l->bz.h.initrd_addr_max;
		l->lb.setup_hdr = l->bz.h.hdr;
		l->lb.setup_hdr_len = l->bz.h.hdr_len;
		l->lb.kernel_gpa = l->bz.load_gpa;
		if (!rc)
			xt_info("guest '%s': bzImage, boot protocol %u.%02u, kernel at 0x%llx, "
				"init_size %llu KiB", g->name, l->bz.h.version >> 8,
				l->bz.h.version & 0xff, (unsigned long long)l->bz.load_gpa,
				(unsigned long long)(l->bz.h.init_size >> 10));
		break;
	default:
		rc = image_load_elf_span(bg->image, bg->image_size, &g->ram, GUEST_IMAGE_MIN,
					 &l->entry, &l->kernel, err, errlen);
		break;
	}
	if (!rc && c->has_entry)
		l->entry = c->entry;
	return rc;
}

/* Image, then initrd; a failure is reported with the INI line of its key. */
static int load_files(struct guest *g, const struct xt_boot_guest *bg, struct loaded *l)
{
	const struct xt_guest_cfg *c = g->cfg;
	char err[160] = "";
	int rc;

	rc = load_kernel(g, bg, l, err, sizeof(err));
	if (rc) {
		con_printf("xtalk.ini:%u: guest '%s' refused: image '%s': %s\n", c->image_line,
			   c->name, c->image, err[0] ? err : xt_strerror(rc));
		return rc;
	}
	if (!bg->initrd)
		return 0;
	rc = guest_initrd_load(&g->ram, bg->initrd, bg->initrd_size, l->initrd_addr_max,
			       l->kernel.lo, l->kernel.hi, &l->lb.initrd_gpa, err, sizeof(err));
	if (rc) {
		con_printf("xtalk.ini:%u: guest '%s' refused: initrd '%s': %s\n", c->initrd_line,
			   c->name, c->initrd, err[0] ? err : xt_strerror(rc));
		return rc;
	}
	l->lb.initrd_size = bg->initrd_size;
	xt_info("guest '%s': initrd %llu KiB at 0x%llx", g->name,
		(unsigned long long)(bg->initrd_size >> 10), (unsigned long long)l->lb.initrd_gpa);
	return 0;
}

static void vcpu_init(struct guest *g)
{
	struct vcpu *v = &g->vcpu;

	v->guest = g;
	v->state = VCPU_RUNNABLE;
}

static void vcpu_free(struct vcpu *v)
{
	page_free(v->vmcs);
	page_free(v->msr_bitmap);
	page_free(v->io_bitmap_a);
	page_free(v->io_bitmap_b);
	page_free(v->vapic);
}

/* RAM cleared, image and initrd loaded, boot structures and firmware
 * tables written: what the guest's first instruction finds, at every boot. */
static int guest_load(struct guest *g, struct guest_entry_state *st, uint64_t *entry)
{
	const struct xt_guest_cfg *c = g->cfg;
	struct loaded l;
	uint64_t rsdp;
	int rc;

	/* Whatever the firmware (or its last boot) left in these pages is not
	 * the guest's to see. */
	memset(g->ram.base, 0, g->ram.size);
	memset(&l, 0, sizeof(l));
	rc = load_files(g, g->boot, &l);
	if (rc)
		return rc;
	rc = guest_boot_setup_linux(&g->ram, l.entry, c->cmdline, &l.lb, st);
	if (rc) {
		con_printf("xtalk.ini:%u: guest '%s' refused: cannot set up its boot state: %s\n",
			   c->line, c->name, xt_strerror(rc));
		return rc;
	}
	rc = fwtables_create(g, &rsdp);
	if (rc) {
		con_printf("xtalk.ini:%u: guest '%s' refused: no room for its ACPI and MP tables: %s\n",
			   c->line, c->name, xt_strerror(rc));
		return rc;
	}
	memcpy(g->ram.base + GUEST_BOOT_PARAMS_GPA + BP_ACPI_RSDP_ADDR, &rsdp, sizeof(rsdp));
	*entry = l.entry;
	g->boots++;
	return 0;
}

/* The registers a vCPU starts with besides the VMCS: zero, RSI = boot_params,
 * x87/SSE as after FNINIT, the MSRs VMX does not switch zero. */
static void vcpu_regs_init(struct vcpu *v, const struct guest_entry_state *st)
{
	memset(&v->regs, 0, sizeof(v->regs));
	memset(v->fxsave, 0, sizeof(v->fxsave));
	/* x87 and SSE state after FNINIT/reset: FCW 0x37f, MXCSR 0x1f80. */
	*(uint16_t *)(v->fxsave + FXSAVE_FCW) = 0x37f;
	*(uint32_t *)(v->fxsave + FXSAVE_MXCSR) = 0x1f80;
	v->msr_kernel_gs_base = v->msr_star = v->msr_lstar = v->msr_cstar = 0;
	v->msr_fmask = v->msr_tsc_aux = 0;
	v->tsc_offset = v->tsc_adjust = 0;
	v->regs.gpr[REG_RSI] = st->rsi;
}

int guest_restart(struct guest *g)
{
	struct guest_entry_state st;
	uint64_t entry;
	int rc;

	/* The NIC first: its pages are unshared before RAM is rewritten. */
	nic_restart(g);
	sound_restart(g);
	storage_restart(g);
	platform_reset(g);
	rc = guest_load(g, &st, &entry);
	if (!rc) {
		vcpu_regs_init(&g->vcpu, &st);
		rc = vmcs_reset_guest(&g->vcpu, &st);
	}
	if (rc)
		return rc;
	g->vcpu.state = VCPU_RUNNABLE;
	xt_info("guest '%s': boot %u, entry 0x%llx", g->name, g->boots, (unsigned long long)entry);
	return 0;
}

/* Build guest number nguests from the loader's description; on failure the
 * guest is refused with a message naming its INI line. */
int guest_create(const struct xt_boot_info *bi, const struct xt_boot_guest *bg)
{
	struct guest *g = &guests[nguests];
	const struct xt_guest_cfg *c = &bi->cfg->guest[bg->cfg_index];
	struct guest_entry_state st;
	uint64_t entry;
	int rc;

	memset(g, 0, sizeof(*g));
	g->id = nguests;
	g->cfg = c;
	g->name = c->name;
	g->boot = bg;
	g->ram_hpa = bg->ram_hpa;
	g->ram.base = phys_to_virt(bg->ram_hpa);
	g->ram.size = bg->ram_size;
	gmem_init(&g->mem, g->ram.base, g->ram.size);
	rc = guest_load(g, &st, &entry);
	if (rc)
		return rc;
	rc = ept_init(&g->ept, &palloc_ept_ops, EPT_MAX_GPA);
	if (rc)
		goto no_memory;
	rc = ept_map(&g->ept, 0, g->ram_hpa, g->ram.size,
		     EPT_PTE_READ | EPT_PTE_WRITE | EPT_PTE_EXEC, EPT_MT_WB);
	if (!rc)
		rc = platform_create(g);
	if (!rc && c->has_mac)
		rc = nic_create(g);
	if (!rc)
		rc = sound_create(g);
	if (!rc)
		rc = storage_create(g);
	if (rc == -XT_ENOENT || rc == -XT_EBUSY)
		goto undo;		/* storage_create said why */
	if (rc)
		goto no_memory;
	vcpu_init(g);
	vcpu_regs_init(&g->vcpu, &st);
	rc = vmcs_create(&g->vcpu, &st, ept_eptp(&g->ept));
	if (rc) {
		xt_err("guest '%s': VMCS setup failed", g->name);
		goto undo;
	}
	apicv_map(g);
	xt_info("guest '%s': %llu MiB at host 0x%llx, entry 0x%llx", g->name,
		(unsigned long long)(g->ram.size >> 20), (unsigned long long)g->ram_hpa,
		(unsigned long long)entry);
	nguests++;
	return 0;

no_memory:
	xt_err("guest '%s': out of VMM memory", g->name);
undo:
	nic_guest_stopped(g);
	sound_guest_stopped(g);
	vcpu_free(&g->vcpu);
	ept_destroy(&g->ept);
	return rc;
}
