/* SPDX-License-Identifier: MIT */
#include "vmm/io/fwtables.h"

#include "firmware/acpi_tables.h"
#include "firmware/mptable.h"
#include "lib/xerrno.h"
#include "vmm/emul/guest_layout.h"
#include "vmm/arch/x86.h"

int fwtables_create(struct guest *g, uint64_t *rsdp)
{
	struct fw_config c;
	struct acpi_tables_layout acpi;
	struct mptable_layout mp;
	uint32_t r[4];
	int rc;

	fw_config_default(&c, 1);
	cpuid(1, 0, r);
	c.cpu_signature = r[0];
	c.cpu_features = r[3];
	c.rtc_century = CMOS_CENTURY;
	if (g->ram.size < GUEST_MPTABLE_END)
		return -XT_ERANGE;
	rc = acpi_tables_build(&c, GUEST_ACPI_GPA, g->ram.base + GUEST_ACPI_GPA,
			       GUEST_ACPI_END - GUEST_ACPI_GPA, &acpi);
	if (!rc)
		rc = mptable_build(&c, GUEST_MPTABLE_GPA, g->ram.base + GUEST_MPTABLE_GPA,
				   GUEST_MPTABLE_END - GUEST_MPTABLE_GPA, &mp);
	if (!rc)
		*rsdp = acpi.rsdp;
	return rc;
}
