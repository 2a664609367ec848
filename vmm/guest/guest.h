/* SPDX-License-Identifier: MIT */
/*
 * A guest (VM): its RAM, EPT, emulated devices, console and vCPU. Today each
 * guest has exactly one vCPU; the split keeps per-VM state (memory, devices)
 * apart from per-CPU state (registers, VMCS) so SMP guests fit later.
 */
#ifndef XTALK_VMM_GUEST_H
#define XTALK_VMM_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "boot/bootinfo.h"
#include "boot/ini.h"
#include "devices/acpi_pm_timer.h"
#include "devices/ioapic.h"
#include "devices/mc146818.h"
#include "devices/pci.h"
#include "devices/pic8259.h"
#include "devices/pit8254.h"
#include "devices/uart16550.h"
#include "ept/ept.h"
#include "ept/gmem.h"
#include "vmm/emul/hc_policy.h"
#include "vmm/emul/image_load.h"
#include "vmm/io/bus.h"
#include "vmm/guest/vcpu.h"

#define GUEST_LINE_MAX 512

struct guest;

/* A port-I/O range a device claims. Handlers return 0, or a negative XT_E*
 * code to have the access treated as unclaimed. */
enum guest_stop_reason {
	GUEST_RUNNING,
	GUEST_EXITED,           /* hypercall exit with a status */
	GUEST_TRIPLE_FAULT,
	GUEST_EPT_VIOLATION,    /* access outside its RAM and devices */
	GUEST_BAD_EXIT,         /* an exit the VMM does not handle */
	GUEST_ENTRY_FAILED,
	GUEST_HALTED_FOREVER,   /* HLT with nothing that could ever wake it */
	GUEST_BAD_STATE,        /* the guest did something the VMM cannot emulate */
	GUEST_POWERED_OFF,      /* ACPI S5 (PM1a_CNT.SLP_EN) */
	GUEST_REBOOTED,         /* reset request, with on_reboot = stop */
};

struct guest_stats {
	uint64_t io_unclaimed_reads;
	uint64_t io_unclaimed_writes;
	uint64_t msr_gp;               /* #GP injected for MSR accesses */
	uint64_t exceptions_injected;
	uint64_t host_interrupts;      /* external interrupts taken while this guest ran */
	uint64_t console_bytes;
	uint64_t mmio_accesses;        /* emulated MMIO instructions */
	uint64_t mmio_unclaimed;       /* accesses to the PCI hole where no device decodes */
	uint64_t irqs_injected;        /* external interrupts delivered to the guest */
	uint64_t dma_refused;          /* NIC DMA outside RAM or without bus mastering */
	uint64_t dma_split;            /* NIC DMA buffer spanning a shared page (not one host block) */
	uint64_t invepts;              /* INVEPTs of its EPT (cross-talk remaps) */
	uint64_t ept_stale;            /* EPT violations for rights raised since (retried) */
	uint64_t timer_irqs;           /* rising edges of the PIT's OUT0 (IRQ 0) */
};

struct e1000;
struct es1370;
struct guest_disks;
struct datapath;

struct guest {
	unsigned id;
	const struct xt_guest_cfg *cfg;
	const char *name;
	struct guest_ram ram;          /* ram.base is the host mapping of GPA 0 */
	struct gmem mem;               /* that RAM as the guest may touch it (EPT permissions) */
	uint64_t ram_hpa;
	struct ept ept;
	struct vcpu vcpu;
	struct uart16550 com1;
	struct io_bus bus;             /* the port and MMIO ranges its devices claim */
	struct pic_pair pic;           /* the guest's 8259A pair */
	struct ioapic ioapic;          /* at 0xfec00000 */
	struct pit8254 pit;            /* ports 0x40-0x43, 0x61; OUT0 on IRQ 0 */
	struct mc146818 rtc;           /* ports 0x70-0x71; IRQ 8 */
	struct acpi_pm_timer pm_tmr;   /* FADT PM_TMR_BLK */
	uint16_t pm1_sts, pm1_en, pm1_cnt; /* ACPI PM1a event and control registers */
	uint8_t post_code;             /* last byte written to port 0x80 */
	uint64_t pit_rise_ns;          /* next rising edge of OUT0 (TB_NEVER: none) */
	uint64_t tick_due;             /* TSC at which platform_tick() has work (0: now) */
	uint64_t wake_due;             /* TSC of the first of them that would reach its vCPU */
	struct pci_bus pci;            /* its PCI bus 0 */
	struct pci_func pci_host;      /* 00:00.0 host bridge */
	struct pci_func pci_nic;       /* 00:03.0 e1000, when it has a NIC */
	struct e1000 *nic;             /* NULL: no NIC (no mac in the INI) */
	int nic_port;                  /* its port on the bridge and the cross-talk path */
	const struct datapath *path;   /* where its frames go (vmm/net/datapath.h) */
	int nic_mmio, nic_io;          /* BAR0 and BAR1 ranges on its bus */
	struct pci_func pci_snd;       /* 00:04.0 ES1370, when it has a sound card */
	struct es1370 *snd;            /* NULL: no sound card (no audio in the INI) */
	int snd_io;                    /* its BAR0 range on its bus */
	int snd_port;                  /* its port on the audio path */
	struct pci_func pci_ide;       /* 00:05.0 PIIX3 IDE, when it has disks */
	struct guest_disks *disks;     /* NULL: no disks (no disk = in the INI) */
	unsigned lapic_range;          /* the xAPIC page's range on its bus */
	uint64_t dma_epoch;            /* bumped on every EPT change (device mappings kept until then) */
	int dma_last_err;              /* the NIC's last DMA mapping: 0 or why it was refused */
	struct hc_dump_limit dump;     /* its XTALK_HC_XT_DUMP calls (vmm/emul/hc_policy.h) */
	char line[GUEST_LINE_MAX + 1]; /* console output being assembled */
	unsigned line_len;
	unsigned line_shown;           /* of it, already on the console (an open line) */
	uint64_t line_tsc;             /* when its last byte came */
	enum guest_stop_reason stop_reason;
	bool reaped;                   /* stopped, and its NIC left the data path (vmm/run/sched.c) */
	const struct xt_boot_guest *boot; /* the loader's files, to boot it again */
	const char *reset_req;         /* a reset was requested (by what), NULL: none */
	unsigned boots;                /* times its image was started (1 + restarts) */
	int64_t exit_status;
	char stop_msg[200];
	struct guest_stats stats;
};

extern struct guest guests[XT_MAX_GUESTS];
extern unsigned nguests;
extern unsigned guests_stopped; /* how many have stopped so far */

void guest_console_byte(struct guest *g, uint8_t byte);
void guest_console_flush(struct guest *g);
/* Show what g's unfinished line has so far (a shell prompt, typed
 * characters echoed), once it has been quiet for a moment: for the guest
 * that has the console input while someone types. */
void guest_console_show_partial(struct guest *g);
/* The guest whose NIC is bridge/cross-talk port `port`, or NULL. */
struct guest *guests_by_port(unsigned port);
/* Its name, or "?" when no guest has that port. */
const char *guest_port_name(unsigned port);
/* Host pointer for [gpa, gpa+len) of guest RAM as the guest sees it through
 * its EPT, for an access of kind a, or NULL (not RAM, not one host block, or
 * a refused write). Where g may only read, GMEM_WRITE gives g its own copy of
 * the page first and GMEM_DMA_WRITE is refused (ept/gmem.h). */
void *guest_ram_ptr(struct guest *g, uint64_t gpa, uint64_t len, enum gmem_access a);
/* Stop the guest for good: record why, tell the console, release the CPU. */
void guest_stop(struct guest *g, enum guest_stop_reason why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void guest_vstop(struct guest *g, enum guest_stop_reason why, const char *fmt, va_list ap);
const char *guest_stop_reason_name(enum guest_stop_reason why);
/* A halted vCPU becomes runnable when its interrupt controller has
 * something for it. */
bool vcpu_runnable(struct vcpu *v);
/* Whether a vCPU other than v can run now. */
bool guest_other_runnable(const struct vcpu *v);

#endif
