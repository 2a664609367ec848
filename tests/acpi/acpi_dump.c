/* SPDX-License-Identifier: MIT */
/*
 * Write the guest ACPI tables of one configuration to files, one table per
 * file (rsdp.bin, facs.dat, xsdt.dat, facp.dat, apic.dat, ssdt.dat,
 * hpet.dat, dsdt.dat), for tests/acpi/check_tables.sh to disassemble with `iasl -d`,
 * and the routing the C code expects from the DSDT's _PRT (prt_apic.txt,
 * prt_pic.txt: "slot pin gsi" per line) and in \_S5 (s5.txt) for acpiexec
 * to be compared with.
 *
 *   acpi_dump DIR CPUS [hpet]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/acpi_tables.h"
#include "firmware/fw_config.h"

#define BASE 0xe0000ULL

static uint8_t buf[65536];

static int write_file(const char *dir, const char *name, uint64_t gpa, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf + (gpa - BASE), 1, len, f) != len || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

static uint32_t table_len(uint64_t gpa)
{
	uint32_t len;

	memcpy(&len, buf + (gpa - BASE) + 4, sizeof(len));
	return len;
}

static int write_prt(const char *dir, const char *name, int apic)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return 1;
	for (unsigned slot = 0; slot < FW_PCI_SLOTS; slot++)
		for (unsigned pin = 0; pin < 4; pin++)
			fprintf(f, "%u %u %u\n", slot, pin,
				apic ? fw_pci_gsi(slot, pin) : fw_pci_pic_irq(slot, pin));
	return fclose(f) != 0;
}

static int write_s5(const char *dir)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/s5.txt", dir);
	f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f, "%d %d 0 0", FW_S5_SLP_TYP, FW_S5_SLP_TYP);
	return fclose(f) != 0;
}

/* The CPU count, for the processor devices' check. */
static int write_cpus(const char *dir, unsigned cpus)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cpus.txt", dir);
	f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f, "%u", cpus);
	return fclose(f) != 0;
}

int main(int argc, char **argv)
{
	struct fw_config c;
	struct acpi_tables_layout l;
	int bad = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s DIR CPUS [hpet]\n", argv[0]);
		return 2;
	}
	fw_config_default(&c, (unsigned)atoi(argv[2]));
	c.hpet = argc > 3 && !strcmp(argv[3], "hpet");
	if (acpi_tables_build(&c, BASE, buf, sizeof(buf), &l)) {
		fprintf(stderr, "acpi_dump: acpi_tables_build refused the configuration\n");
		return 1;
	}
	bad |= write_file(argv[1], "rsdp.bin", l.rsdp, 36); /* not an SDT: no iasl -d */
	bad |= write_file(argv[1], "facs.dat", l.facs, 64);
	bad |= write_file(argv[1], "xsdt.dat", l.xsdt, table_len(l.xsdt));
	bad |= write_file(argv[1], "facp.dat", l.fadt, table_len(l.fadt));
	bad |= write_file(argv[1], "apic.dat", l.madt, table_len(l.madt));
	bad |= write_file(argv[1], "ssdt.dat", l.ssdt, table_len(l.ssdt));
	bad |= write_file(argv[1], "dsdt.dat", l.dsdt, table_len(l.dsdt));
	if (l.hpet)
		bad |= write_file(argv[1], "hpet.dat", l.hpet, table_len(l.hpet));
	bad |= write_prt(argv[1], "prt_apic.txt", 1);
	bad |= write_prt(argv[1], "prt_pic.txt", 0);
	bad |= write_s5(argv[1]);
	bad |= write_cpus(argv[1], c.cpu_count);
	return bad;
}
