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
#include "vmm/emul/guest_boot.h"
#include "vmm/emul/guest_layout.h"
#include "vmm/emul/image_load.h"
#include "vmm/guest/guest.h"
#include "vmm/io/platform.h"
#include "vmm/net/nic.h"

#define EPT_MAX_GPA (1ULL << 39)
#define FXSAVE_FCW 0
#define FXSAVE_MXCSR 24

static int load_image(struct guest *g, const struct xt_boot_guest *bg, uint64_t *entry,
		      char *err, size_t errlen)
{
	const struct xt_guest_cfg *c = g->cfg;
	int rc;

	if (c->format == XT_FMT_RAW) {
		rc = image_load_raw(bg->image, bg->image_size, &g->ram, c->load, GUEST_IMAGE_MIN,
				    err, errlen);
		*entry = c->load;
	} else {
		rc = image_load_elf(bg->image, bg->image_size, &g->ram, GUEST_IMAGE_MIN, entry,
				    err, errlen);
	}
	if (!rc && c->has_entry)
		*entry = c->entry;
	return rc;
}

static void vcpu_init(struct guest *g)
{
	struct vcpu *v = &g->vcpu;

	v->guest = g;
	v->state = VCPU_RUNNABLE;
	/* x87 and SSE state after FNINIT/reset: FCW 0x37f, MXCSR 0x1f80. */
	*(uint16_t *)(v->fxsave + FXSAVE_FCW) = 0x37f;
	*(uint32_t *)(v->fxsave + FXSAVE_MXCSR) = 0x1f80;
}

static void vcpu_free(struct vcpu *v)
{
	page_free(v->vmcs);
	page_free(v->msr_bitmap);
	page_free(v->io_bitmap_a);
	page_free(v->io_bitmap_b);
}

/* Build guest number nguests from the loader's description; on failure the
 * guest is refused with a message naming its INI line. */
int guest_create(const struct xt_boot_info *bi, const struct xt_boot_guest *bg)
{
	struct guest *g = &guests[nguests];
	const struct xt_guest_cfg *c = &bi->cfg->guest[bg->cfg_index];
	struct guest_entry_state st;
	char err[160] = "";
	uint64_t entry = 0;
	int rc;

	memset(g, 0, sizeof(*g));
	g->id = nguests;
	g->cfg = c;
	g->name = c->name;
	g->ram_hpa = bg->ram_hpa;
	g->ram.base = phys_to_virt(bg->ram_hpa);
	g->ram.size = bg->ram_size;
	gmem_init(&g->mem, g->ram.base, g->ram.size);
	/* Whatever the firmware left in these pages is not the guest's to see. */
	memset(g->ram.base, 0, g->ram.size);

	rc = load_image(g, bg, &entry, err, sizeof(err));
	if (rc) {
		con_printf("xtalk.ini:%u: guest '%s' refused: image '%s': %s\n", c->image_line,
			   c->name, c->image, err[0] ? err : xt_strerror(rc));
		return rc;
	}
	rc = guest_boot_setup(&g->ram, entry, c->cmdline, &st);
	if (rc) {
		con_printf("xtalk.ini:%u: guest '%s' refused: cannot set up its boot state: %s\n",
			   c->line, c->name, xt_strerror(rc));
		return rc;
	}
	rc = ept_init(&g->ept, &palloc_ept_ops, EPT_MAX_GPA);
	if (rc)
		goto no_memory;
	rc = ept_map(&g->ept, 0, g->ram_hpa, g->ram.size,
		     EPT_PTE_READ | EPT_PTE_WRITE | EPT_PTE_EXEC, EPT_MT_WB);
	if (!rc)
		rc = platform_create(g);
	if (!rc && c->has_mac)
		rc = nic_create(g);
	if (rc)
		goto no_memory;
	vcpu_init(g);
	g->vcpu.regs.gpr[REG_RSI] = st.rsi;
	rc = vmcs_create(&g->vcpu, &st, ept_eptp(&g->ept));
	if (rc) {
		xt_err("guest '%s': VMCS setup failed", g->name);
		goto undo;
	}
	xt_info("guest '%s': %llu MiB at host 0x%llx, entry 0x%llx", g->name,
		(unsigned long long)(g->ram.size >> 20), (unsigned long long)g->ram_hpa,
		(unsigned long long)entry);
	nguests++;
	return 0;

no_memory:
	xt_err("guest '%s': out of VMM memory", g->name);
undo:
	nic_guest_stopped(g);
	vcpu_free(&g->vcpu);
	ept_destroy(&g->ept);
	return rc;
}
