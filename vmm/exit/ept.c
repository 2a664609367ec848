/* SPDX-License-Identifier: MIT */
/* EPT violations and misconfigurations (SDM 3C, "EPT Violations"). */
#include "ept/ept.h"
#include "vmm/core/console.h"
#include "vmm/exit/exit.h"
#include "vmm/guest/guest.h"
#include "vmm/io/bus.h"
#include "vmm/net/netpath.h"
#include "vmm/io/platform.h"
#include "vmm/arch/vmx.h"
#include "vmm/arch/vmx_caps.h"

static const char *access_name(uint64_t q)
{
	if (q & EPT_VIOLATION_FETCH)
		return "instruction fetch";
	if (q & EPT_VIOLATION_WRITE)
		return "write";
	return "read";
}

/*
 * Whether the guest's EPT now allows the access of an EPT violation: the
 * processor used rights it had cached before the VMM raised them without
 * INVEPT (ept_relax_leaf: cross-talk gives a sender back its write right
 * that way). The violation itself invalidates what was cached for that
 * address (SDM 3C, "Operations that Invalidate Cached Mappings"); the
 * INVEPT below makes sure of it on any implementation, so the retried
 * access cannot fault the same way again.
 */
static bool ept_allows(struct guest *g, uint64_t gpa, uint64_t qual)
{
	uint64_t hpa, perms, size;
	unsigned mt;

	if (ept_lookup(&g->ept, gpa, &hpa, &perms, &mt, &size))
		return false;
	return (!(qual & EPT_VIOLATION_READ) || (perms & EPT_PTE_READ)) &&
	       (!(qual & EPT_VIOLATION_WRITE) || (perms & EPT_PTE_WRITE)) &&
	       (!(qual & EPT_VIOLATION_FETCH) || (perms & EPT_PTE_EXEC));
}

/* An emulated device's MMIO range (not mapped in EPT), or else an address
 * that is neither RAM nor a device: on hardware the access would go nowhere;
 * here it ends the guest so the bug is visible, and nothing else is
 * affected. */
enum exit_result handle_ept_violation(struct vcpu *v)
{
	struct guest *g = v->guest;
	uint64_t gpa = vmread(VMCS_GUEST_PHYSICAL_ADDRESS);
	uint64_t rip = vmread(VMCS_GUEST_RIP);
	const struct io_range *r;

	/* A device's range, or the PCI hole where nothing decodes: as on a PC,
	 * a read there ends in a master abort and gives all-ones, a write goes
	 * nowhere (vmm/io/bus.h). */
	r = io_find(g, IO_SPACE_MMIO, gpa, 1);
	if (r || (gpa >= PLATFORM_MMIO_WINDOW_BASE && gpa < PLATFORM_MMIO_WINDOW_END &&
		  !(v->exit_qual & EPT_VIOLATION_FETCH)))
		return mmio_emulate(v, r, gpa, v->exit_qual & EPT_VIOLATION_WRITE);
	/* A write to a page shared read-only for cross-talk: copy on write. */
	if (gpa < g->ram.size && (v->exit_qual & EPT_VIOLATION_WRITE) && netpath_cow_fault(g, gpa))
		return EXIT_RESUME;
	/* Rights raised since the processor cached them: retry. */
	if (gpa < g->ram.size && ept_allows(g, gpa, v->exit_qual)) {
		if (!g->stats.ept_stale++)
			xt_info("guest '%s': EPT violation at GPA 0x%llx for a right raised "
				"since: retried (counted from now on)", g->name,
				(unsigned long long)gpa);
		vmx_invept(ept_eptp(&g->ept));
		return EXIT_RESUME;
	}
	if (gpa < g->ram.size) {
		return exit_stop(v, GUEST_EPT_VIOLATION,
				 "EPT violation: %s at GPA 0x%llx inside its RAM (qualification "
				 "0x%llx), RIP 0x%llx", access_name(v->exit_qual),
				 (unsigned long long)gpa, (unsigned long long)v->exit_qual,
				 (unsigned long long)rip);
	}
	guest_stop(g, GUEST_EPT_VIOLATION,
		   "EPT violation: %s at GPA 0x%llx outside its RAM (%llu MiB), RIP 0x%llx",
		   access_name(v->exit_qual), (unsigned long long)gpa,
		   (unsigned long long)(g->ram.size >> 20), (unsigned long long)rip);
	return EXIT_YIELD;
}

/* A malformed EPT entry is a VMM bug: stop the guest and show where. */
enum exit_result handle_ept_misconfig(struct vcpu *v)
{
	return exit_stop(v, GUEST_BAD_EXIT, "EPT misconfiguration at GPA 0x%llx",
			 (unsigned long long)vmread(VMCS_GUEST_PHYSICAL_ADDRESS));
}
