/* SPDX-License-Identifier: MIT */
/* Creating guests from what the loader prepared, their console, and stopping them. */
#include "vmm/guest.h"

#include <stdarg.h>
#include <string.h>

#include "ept/ept_defs.h"
#include "lib/fmt.h"
#include "lib/xerrno.h"
#include "vmm/console.h"
#include "vmm/guest_boot.h"
#include "vmm/guest_create.h"
#include "vmm/guest_layout.h"
#include "vmm/netpath.h"
#include "vmm/nic.h"
#include "vmm/palloc.h"
#include "vmm/platform.h"
#include "vmm/vmcs.h"
#include "vmm/vmx_caps.h"

#define EPT_MAX_GPA (1ULL << 39)
#define FXSAVE_FCW 0
#define FXSAVE_MXCSR 24

struct guest guests[XT_MAX_GUESTS];
unsigned nguests;

static void *ept_alloc(void *ctx, uint64_t *hpa)
{
	void *p = page_alloc();

	(void)ctx;
	*hpa = virt_to_phys(p);
	return p;
}

static void ept_free(void *ctx, void *va, uint64_t hpa)
{
	(void)ctx;
	(void)hpa;
	page_free(va);
}

static void *ept_phys_to_virt(void *ctx, uint64_t hpa)
{
	(void)ctx;
	return phys_to_virt(hpa);
}

static const struct ept_ops vmm_ept_ops = {
	.alloc_page = ept_alloc,
	.free_page = ept_free,
	.phys_to_virt = ept_phys_to_virt,
};

struct guest *guests_by_port(unsigned port)
{
	for (unsigned i = 0; i < nguests; i++)
		if (guests[i].nic && guests[i].nic_port == (int)port)
			return &guests[i];
	return &guests[0];
}

/*
 * A guest's RAM is one block at ram_hpa, each page its own, except the pages
 * cross-talk shares (g->mem knows the remapper: one O(1) lookup per page,
 * cheaper than walking the EPT); the permission logic is ept/gmem.c.
 */
void *guest_ram_ptr(struct guest *g, uint64_t gpa, uint64_t len, enum gmem_access a)
{
	void *p;

	return gmem_map(&g->mem, gpa, len, a, &p) ? NULL : p;
}

void guest_console_flush(struct guest *g)
{
	if (!g->line_len)
		return;
	con_write("[", 1);
	con_write(g->name, (unsigned)strlen(g->name));
	con_write("] ", 2);
	con_write(g->line, g->line_len);
	con_write("\n", 1);
	g->line_len = 0;
}

/* Guest output is assembled into lines so that guests running in turn never
 * interleave within a line; control characters are shown as '.' so a guest
 * cannot drive the operator's terminal. */
void guest_console_byte(struct guest *g, uint8_t byte)
{
	g->stats.console_bytes++;
	if (byte == '\n') {
		guest_console_flush(g);
		return;
	}
	if (byte == '\r')
		return;
	if ((byte < 0x20 && byte != '\t') || byte >= 0x7f)
		byte = '.';
	g->line[g->line_len++] = (char)byte;
	if (g->line_len == GUEST_LINE_MAX)
		guest_console_flush(g);
}

const char *guest_stop_reason_name(enum guest_stop_reason why)
{
	switch (why) {
	case GUEST_RUNNING: return "running";
	case GUEST_EXITED: return "exited";
	case GUEST_TRIPLE_FAULT: return "triple fault";
	case GUEST_EPT_VIOLATION: return "EPT violation";
	case GUEST_BAD_EXIT: return "unhandled exit";
	case GUEST_ENTRY_FAILED: return "VM entry failed";
	case GUEST_HALTED_FOREVER: return "halted forever";
	case GUEST_BAD_STATE: return "unsupported guest state";
	}
	return "?";
}

void guest_stop(struct guest *g, enum guest_stop_reason why, const char *fmt, ...)
{
	va_list ap;

	if (g->vcpu.state == VCPU_STOPPED)
		return;
	va_start(ap, fmt);
	xt_vsnprintf(g->stop_msg, sizeof(g->stop_msg), fmt, ap);
	va_end(ap);
	g->stop_reason = why;
	g->vcpu.state = VCPU_STOPPED;
	guest_console_flush(g);
	nic_guest_stopped(g);
	if (why == GUEST_EXITED)
		xt_info("guest '%s' %s", g->name, g->stop_msg);
	else
		xt_err("guest '%s' stopped: %s", g->name, g->stop_msg);
}

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
	rc = ept_init(&g->ept, &vmm_ept_ops, EPT_MAX_GPA);
	if (rc)
		goto no_memory;
	rc = ept_map(&g->ept, 0, g->ram_hpa, g->ram.size,
		     EPT_PTE_READ | EPT_PTE_WRITE | EPT_PTE_EXEC, EPT_MT_WB);
	if (!rc)
		rc = platform_create(g);
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
