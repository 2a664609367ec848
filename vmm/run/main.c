/* SPDX-License-Identifier: MIT */
/* The VMM after ExitBootServices: take over the CPU, build the guests, run them. */
#include "boot/bootinfo.h"
#include "vmm/core/console.h"
#include "vmm/arch/cpu.h"
#include "vmm/exit/exit.h"
#include "vmm/guest/clock.h"
#include "vmm/hw/host_rtc.h"
#include "vmm/guest/guest.h"
#include "vmm/emul/cpuid_filter.h"
#include "vmm/run/guest_create.h"
#include "vmm/net/netpath.h"
#include "vmm/audio/sound.h"
#include "vmm/storage/disk.h"
#include "vmm/net/bridgepath.h"
#include "vmm/net/nic.h"
#include "vmm/core/palloc.h"
#include "vmm/core/power.h"
#include "vmm/report/rate.h"
#include "vmm/run/sched.h"
#include "vmm/core/serial.h"
#include "vmm/report/summary.h"
#include "vmm/arch/vmx_caps.h"

/* What every guest's clocks start from: the tests compare guests' figures
 * with these lines. */
static void report_clocks(void)
{
	struct mc146818_tm tm;
	int rc = host_rtc_time(&tm);

	xt_info("guest clocks: TSC %llu kHz, local APIC timer %llu kHz; machine RTC %04u-%02u-%02u "
		"%02u:%02u:%02u%s", (unsigned long long)(clock_tsc_hz() / 1000),
		(unsigned long long)(clock_tsc_hz() / clock_tsc_per_bus() / 1000), tm.year, tm.mon,
		tm.mday, tm.hour, tm.min, tm.sec, rc ? " (unreadable: a fixed date)" : "");
}

static void create_guests(const struct xt_boot_info *bi)
{
	for (unsigned i = 0; i < bi->nguests; i++)
		guest_create(bi, &bi->guest[i]);
	if (!nguests)
		xt_info("no guest to run");
}

void vmm_main(struct xt_boot_info *bi)
{
	serial_init();
	con_printf("\n");
	if (bi->magic != XT_BOOT_MAGIC) {
		xt_err("bad boot information from the loader");
		power_off_or_halt();
	}
	con_set_level(bi->cfg->log_level);
	xt_info("VMM running: %u guest(s) prepared, %llu MiB VMM pool, TSC %llu MHz",
		bi->nguests, (unsigned long long)(bi->pool_size >> 20),
		(unsigned long long)(bi->tsc_hz / 1000000));

	palloc_init(bi->pool_base, bi->pool_size);
	cpu_init_tables();
	if (paging_init(bi)) {
		xt_err("out of VMM memory for page tables");
		power_off_or_halt();
	}
	cpu_quiesce_interrupts();
	power_init(bi->acpi_rsdp);

	if (vmx_probe() || vmx_enable()) {
		xt_err("stopping: guests need VT-x with EPT");
		power_off_or_halt();
	}
	if (!bi->cfg->apicv)
		vmx_disable_apicv();
	sched_init(bi->tsc_hz, bi->cfg->timeslice_us);
	rate_init(bi->tsc_hz, bi->cfg->rate_ms);
	nic_set_tsc_hz(bi->tsc_hz);
	hypercall_init(bi->tsc_hz);
	cpuid_init(bi->tsc_hz);
	clock_init(guest_cpuid_policy()->tsc_hz ? guest_cpuid_policy()->tsc_hz : bi->tsc_hz,
		   guest_cpuid_policy()->tsc_per_bus);
	report_clocks();
	bridge_init(&vmm_bridge);
	netpath_init(bi->cfg, bi->tsc_hz);
	sound_init(bi->cfg, bi->tsc_hz);
	storage_init(bi);
	create_guests(bi);
	netpath_finalize(bi->cfg);
	con_flush(); /* what setting up printed, before any guest runs */
	sched_run();
	sound_drain();
	storage_flush_all();
	summary_print();
	power_off_or_halt();
}
