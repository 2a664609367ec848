/* SPDX-License-Identifier: MIT */
/*
 * The exits APIC virtualization leaves (vmm/guest/apicv.h; SDM 3C, "APIC
 * Virtualization and Virtual Interrupts"): APIC-access exits, which are
 * fault-like and emulated as MMIO; APIC-write and EOI-induced exits, which
 * are trap-like (the guest's instruction has completed, RIP is past it).
 */
#include "vmm/exit/exit.h"

#include <string.h>

#include "vmm/arch/vmx.h"
#include "vmm/guest/guest.h"
#include "vmm/io/bus.h"
#include "vmm/io/timers.h"

/* A read of a register the CPU does not virtualize (PPR, APR, the timer's
 * current count, reserved offsets) or a write it does not virtualize:
 * emulated through the model like an access without APIC virtualization. */
enum exit_result handle_apic_access(struct vcpu *v)
{
	struct guest *g = v->guest;
	unsigned type = APIC_ACCESS_TYPE(v->exit_qual);
	uint64_t gpa = v->apic_access_gpa + APIC_ACCESS_OFFSET(v->exit_qual);
	const struct io_range *r = io_find(g, IO_SPACE_MMIO, gpa, 1);

	if (!v->apic_access_gpa || !r ||
	    (type != APIC_ACCESS_LINEAR_READ && type != APIC_ACCESS_LINEAR_WRITE))
		return exit_stop(v, GUEST_BAD_STATE,
				 "APIC access of type %u at offset 0x%x (qualification 0x%llx): "
				 "only instructions' reads and writes are emulated", type,
				 APIC_ACCESS_OFFSET(v->exit_qual),
				 (unsigned long long)v->exit_qual);
	return mmio_emulate(v, r, gpa, type == APIC_ACCESS_LINEAR_WRITE);
}

/* A register write the CPU virtualized into the virtual-APIC page: the
 * model takes the value written (a partial write, which the CPU reports
 * at its own offset, is passed as such and ignored by the model). */
enum exit_result handle_apic_write(struct vcpu *v)
{
	struct guest *g = v->guest;
	unsigned off = APIC_ACCESS_OFFSET(v->exit_qual);
	uint64_t gpa = v->apic_access_gpa + off;
	const struct io_range *r = io_find(g, IO_SPACE_MMIO, gpa, 1);
	uint32_t val;

	if (!v->vapic || !v->apic_access_gpa || !r)
		return exit_stop(v, GUEST_BAD_STATE, "APIC-write exit at offset 0x%x without "
				 "the APIC-access page mapped", off);
	if (off & 3) {
		io_range_write(g, r, IO_SPACE_MMIO, gpa, 1, v->vapic[off]);
		return EXIT_RESUME;
	}
	memcpy(&val, v->vapic + off, sizeof(val));
	/* ICR high, written without an exit, goes with an ICR low write. */
	lapic_import_page(&v->lapic, v->vapic);
	io_range_write(g, r, IO_SPACE_MMIO, gpa, 4, val);
	return EXIT_RESUME;
}

/* The CPU EOI'd a vector of the EOI-exit bitmap (it left the virtual ISR,
 * which apicv_after_exit already took): the IOAPIC sees the EOI. */
enum exit_result handle_eoi_induced(struct vcpu *v)
{
	lapic_eoi_virtualized(&v->lapic, (uint8_t)(v->exit_qual & 0xff));
	v->vapic_dirty = true;	/* LINT0's remote IRR may have gone */
	platform_retick(v->guest);
	return EXIT_RESUME;
}
