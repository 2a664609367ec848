/* SPDX-License-Identifier: MIT */
/* Creating guests from what the loader prepared, their console, and stopping them. */
#include "vmm/guest/guest.h"
#include "vmm/guest/clock.h"

#include <stdarg.h>
#include <string.h>

#include "ept/ept_defs.h"
#include "lib/fmt.h"
#include "lib/xerrno.h"
#include "vmm/core/console.h"
#include "vmm/guest/irq.h"

struct guest guests[XT_MAX_GUESTS];
unsigned nguests;
unsigned guests_stopped;

struct guest *guests_by_port(unsigned port)
{
	for (unsigned i = 0; i < nguests; i++)
		if (guests[i].nic && guests[i].nic_port == (int)port)
			return &guests[i];
	return NULL;
}

const char *guest_port_name(unsigned port)
{
	const struct guest *g = guests_by_port(port);

	return g ? g->name : "?";
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

/* The guest whose unfinished line is on the console without its newline:
 * its next bytes continue that console line, anyone else's output ends it
 * first (the whole line is then printed again when it is complete). */
static struct guest *open_line;

static void close_open_line(void)
{
	if (!open_line)
		return;
	con_write("\n", 1);
	open_line->line_shown = 0;
	open_line = NULL;
}

void guest_console_flush(struct guest *g)
{
	if (!g->line_len && open_line != g)
		return;
	if (open_line == g) {
		con_write(g->line + g->line_shown, g->line_len - g->line_shown);
		con_write("\n", 1);
		open_line = NULL;
	} else {
		close_open_line();
		con_write("[", 1);
		con_write(g->name, (unsigned)strlen(g->name));
		con_write("] ", 2);
		con_write(g->line, g->line_len);
		con_write("\n", 1);
	}
	g->line_len = 0;
	g->line_shown = 0;
}

#define PARTIAL_QUIET_MS 30

void guest_console_show_partial(struct guest *g)
{
	if (g->line_len <= g->line_shown ||
	    rdtsc() - g->line_tsc < clock_tsc_hz() / 1000 * PARTIAL_QUIET_MS)
		return;
	if (open_line != g) {
		close_open_line();
		con_write("[", 1);
		con_write(g->name, (unsigned)strlen(g->name));
		con_write("] ", 2);
		open_line = g;
	}
	con_write(g->line + g->line_shown, g->line_len - g->line_shown);
	g->line_shown = g->line_len;
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
	g->line_tsc = rdtsc();
	g->line[g->line_len++] = (char)byte;
	if (g->line_len == GUEST_LINE_MAX)
		guest_console_flush(g);
}

bool vcpu_runnable(struct vcpu *v)
{
	if (v->state == VCPU_HALTED && irq_pending(v))
		v->state = VCPU_RUNNABLE;
	return v->state == VCPU_RUNNABLE;
}

bool guest_other_runnable(const struct vcpu *v)
{
	for (unsigned i = 0; i < nguests; i++)
		if (&guests[i].vcpu != v && vcpu_runnable(&guests[i].vcpu))
			return true;
	return false;
}

const char *guest_stop_reason_name(enum guest_stop_reason why)
{
	switch (why) {
	case GUEST_RUNNING: return "running";
	case GUEST_EXITED: return "exited";
	case GUEST_POWERED_OFF: return "powered off";
	case GUEST_REBOOTED: return "rebooted";
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

	va_start(ap, fmt);
	guest_vstop(g, why, fmt, ap);
	va_end(ap);
}

void guest_vstop(struct guest *g, enum guest_stop_reason why, const char *fmt, va_list ap)
{
	if (g->vcpu.state == VCPU_STOPPED)
		return;
	guests_stopped++;
	xt_vsnprintf(g->stop_msg, sizeof(g->stop_msg), fmt, ap);
	g->stop_reason = why;
	g->vcpu.state = VCPU_STOPPED;
	guest_console_flush(g);
	if (why == GUEST_EXITED || why == GUEST_POWERED_OFF || why == GUEST_REBOOTED)
		xt_info("guest '%s' %s", g->name, g->stop_msg);
	else
		xt_err("guest '%s' stopped: %s", g->name, g->stop_msg);
}
