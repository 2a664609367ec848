/* SPDX-License-Identifier: MIT */
/* EPT violations and misconfigurations (SDM 3C, "EPT Violations"). */
#include "vmm/core/console.h"
#include "vmm/exit/exit.h"
#include "vmm/guest/guest.h"
#include "vmm/io/bus.h"
#include "vmm/net/netpath.h"
#include "vmm/io/platform.h"
#include "vmm/arch/vmx.h"

static const char *access_name(uint64_t q)
{
	if (q & EPT_VIOLATION_FETCH)
		return "instruction fetch";
	if (q & EPT_VIOLATION_WRITE)
		return "write";
	return "read";
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
