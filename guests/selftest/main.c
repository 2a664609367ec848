/* SPDX-License-Identifier: MIT */
/*
 * Checks, from inside a guest, what the VMM promises a guest: CPUID, the
 * hypercall ABI, MSR emulation and #GP for unknown MSRs, unclaimed ports,
 * CR0/CR4 shadowing, string I/O, #UD for hidden instructions, the boot
 * state (e820), and per-guest MSR state across preemption. Exit status is
 * the number of failed checks.
 */
#include "guest.h"

#define MSR_IA32_EFER 0xc0000080U
#define MSR_IA32_LSTAR 0xc0000082U
#define MSR_IA32_TSC_AUX 0xc0000103U
#define MSR_IA32_PAT 0x277U
#define MSR_IA32_SMI_COUNT 0x34U
#define MSR_IA32_TSC_ADJUST 0x3bU
#define MSR_IA32_SPEC_CTRL 0x48U
#define MSR_IA32_MCG_CAP 0x179U
#define MSR_UNKNOWN 0x0badc0deU
#define CPUID_TIMING_LEAF 0x40000010U	/* EAX TSC kHz, EBX bus kHz */
#define CPUID_7_EBX_TSC_ADJUST (1U << 1)
#define CPUID_7_EDX_IBRS (1U << 26)	/* IA32_SPEC_CTRL */
#define EXC_UD 6
#define EXC_GP 13
#define UNCLAIMED_PORT 0x250 /* nothing on a PC decodes it (0x80, the POST port, is claimed) */
#define RAM_SIZE (16UL << 20) /* tests/e2e: memory = 16 */

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/* Run one instruction that is expected to fault with vector. */
static bool faults_with(unsigned vector, struct fault f)
{
	return f.hit && f.vector == vector;
}

static void check_cpuid(void)
{
	uint32_t r[4];
	char sig[13];

	cpuid(1, 0, r);
	report(r[2] & (1U << 31), "CPUID.1:ECX hypervisor bit set");
	report(!(r[2] & (1U << 5)), "CPUID.1:ECX VMX hidden");
	report((r[1] >> 24) == 0, "CPUID.1:EBX initial APIC ID 0");
	cpuid(XTALK_CPUID_SIGNATURE_LEAF, 0, r);
	__builtin_memcpy(sig, &r[1], 4);
	__builtin_memcpy(sig + 4, &r[2], 4);
	__builtin_memcpy(sig + 8, &r[3], 4);
	sig[12] = 0;
	report(!__builtin_memcmp(sig, "xtalkxtalk\0\0", 12) && r[0] >= XTALK_CPUID_VERSION_LEAF,
	       "CPUID 0x40000000 signature '%s', max leaf 0x%x", sig, r[0]);
	cpuid(XTALK_CPUID_VERSION_LEAF, 0, r);
	report(r[0] == XTALK_HC_ABI_VERSION, "CPUID 0x40000001 version %u", r[0]);
	cpuid(7, 0, r);
	report(r[1] & CPUID_7_EBX_TSC_ADJUST, "CPUID.7:EBX.TSC_ADJUST offered (TSC offsetting)");
	report(!(r[3] & CPUID_7_EDX_IBRS), "CPUID.7:EDX.IBRS hidden");
}

/* Leaves 15h, 16h and 40000010h tell one TSC rate, on every CPU model. */
static void check_time_leaves(void)
{
	uint32_t r[4], tsc_khz, bus_khz;
	uint64_t crystal_tsc;

	cpuid(0, 0, r);
	report(r[0] >= 0x16, "CPUID.0:EAX max leaf 0x%x >= 0x16", r[0]);
	cpuid(XTALK_CPUID_SIGNATURE_LEAF, 0, r);
	report(r[0] == CPUID_TIMING_LEAF, "CPUID 0x40000000 max leaf 0x%x", r[0]);
	cpuid(CPUID_TIMING_LEAF, 0, r);
	tsc_khz = r[0];
	bus_khz = r[1];
	report(tsc_khz >= 1000 && bus_khz && tsc_khz % bus_khz == 0,
	       "CPUID 0x40000010: TSC %u kHz, bus %u kHz", tsc_khz, bus_khz);
	cpuid(0x15, 0, r);
	crystal_tsc = r[0] ? (uint64_t)r[2] * r[1] / r[0] : 0;
	report(crystal_tsc == (uint64_t)tsc_khz * 1000 && r[2] == bus_khz * 1000,
	       "CPUID 0x15: crystal %u Hz x %u / %u = the TSC", r[2], r[1], r[0]);
	cpuid(0x16, 0, r);
	report(r[0] == (tsc_khz + 500) / 1000 && r[1] == r[0] && r[2] == (bus_khz + 500) / 1000,
	       "CPUID 0x16: base %u MHz, max %u MHz, bus %u MHz", r[0], r[1], r[2]);
}

static void check_hypercalls(void)
{
	report(hypercall(XTALK_HC_VERSION, 0, 0, 0) == XTALK_HC_ABI_VERSION, "hypercall VERSION");
	report(hypercall(99, 0, 0, 0) == -38, "unknown hypercall returns -ENOSYS");
}

static void check_msrs(void)
{
	uint64_t pat, efer;

	fault_expect(2);
	(void)rdmsr(MSR_UNKNOWN);
	report(faults_with(EXC_GP, fault_take()), "RDMSR of an unknown MSR raises #GP");
	fault_expect(2);
	wrmsr(MSR_UNKNOWN, 1);
	report(faults_with(EXC_GP, fault_take()), "WRMSR of an unknown MSR raises #GP");

	efer = rdmsr(MSR_IA32_EFER);
	report(efer == 0x500, "EFER = LME|LMA (0x%lx)", (unsigned long)efer);
	fault_expect(2);
	wrmsr(MSR_IA32_EFER, efer | 2);
	report(faults_with(EXC_GP, fault_take()), "EFER reserved bit raises #GP");

	pat = rdmsr(MSR_IA32_PAT);
	report(pat == 0x0007040600070406ULL, "PAT power-on value");
	wrmsr(MSR_IA32_PAT, 0x0007040600070106ULL);
	report(rdmsr(MSR_IA32_PAT) == 0x0007040600070106ULL, "PAT write reads back");
	fault_expect(2);
	wrmsr(MSR_IA32_PAT, 0x0007040600070402ULL);
	report(faults_with(EXC_GP, fault_take()), "PAT with reserved type 2 raises #GP");
	wrmsr(MSR_IA32_PAT, pat);

	/* A hidden feature's MSR #GPs; "nothing there" MSRs read 0. */
	fault_expect(2);
	(void)rdmsr(MSR_IA32_SPEC_CTRL);
	report(faults_with(EXC_GP, fault_take()), "IA32_SPEC_CTRL (CPUID bit hidden) raises #GP");
	report(rdmsr(MSR_IA32_MCG_CAP) == 0, "IA32_MCG_CAP reads 0 (no banks)");
	report(rdmsr(MSR_IA32_SMI_COUNT) == 0, "MSR_SMI_COUNT reads 0");
}

/*
 * IA32_TSC_ADJUST (SDM 3B 17.17.3): a write of X moves the TSC by X minus
 * the old value; reads give the last value written (0 at reset).
 */
static void check_tsc_adjust(void)
{
	const uint64_t jump = 1ULL << 40;
	uint64_t before, during, after;

	report(rdmsr(MSR_IA32_TSC_ADJUST) == 0, "IA32_TSC_ADJUST reads 0 at reset");
	before = rdtsc();
	wrmsr(MSR_IA32_TSC_ADJUST, jump);
	during = rdtsc();
	report(rdmsr(MSR_IA32_TSC_ADJUST) == jump, "IA32_TSC_ADJUST write reads back");
	wrmsr(MSR_IA32_TSC_ADJUST, 0);
	after = rdtsc();
	report(during - before >= jump && during - before < jump + (1ULL << 36),
	       "IA32_TSC_ADJUST write moves the TSC by the difference");
	report(after < during && after >= before, "IA32_TSC_ADJUST back to 0 moves the TSC back");
}

static void check_ports(void)
{
	uint16_t w;
	uint32_t l;
	uint8_t buf[16];
	void *rdi = buf;
	unsigned long rcx = sizeof(buf);

	__asm__ volatile("inw %1, %0" : "=a"(w) : "Nd"((uint16_t)UNCLAIMED_PORT));
	__asm__ volatile("inl %1, %0" : "=a"(l) : "Nd"((uint16_t)UNCLAIMED_PORT));
	report(inb(UNCLAIMED_PORT) == 0xff && w == 0xffff && l == 0xffffffffU,
	       "unclaimed port reads all-ones at 8/16/32 bits");
	__builtin_memset(buf, 0, sizeof(buf));
	__asm__ volatile("rep insb" : "+D"(rdi), "+c"(rcx) : "d"((uint16_t)UNCLAIMED_PORT) : "memory");
	bool all = true;
	for (unsigned i = 0; i < sizeof(buf); i++)
		all = all && buf[i] == 0xff;
	report(all && rcx == 0 && rdi == buf + sizeof(buf), "rep insb fills 16 bytes, RCX 0, RDI advanced");

	static const char msg[] = "rep outsb reached the console\n";
	const void *rsi = msg;
	rcx = sizeof(msg) - 1;
	__asm__ volatile("rep outsb" : "+S"(rsi), "+c"(rcx) : "d"((uint16_t)0x3f8) : "memory");
	report(rcx == 0 && rsi == msg + sizeof(msg) - 1, "rep outsb to COM1 completes");
}

static void check_control_registers(void)
{
	uint64_t cr0, cr4;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	report(cr0 == 0x80010033ULL, "CR0 as booted (0x%lx)", (unsigned long)cr0);
	report(!(cr4 & (1U << 13)) && (cr4 & (1U << 5)), "CR4 shows PAE, hides VMXE (0x%lx)",
	       (unsigned long)cr4);
	fault_expect(3);
	__asm__ volatile("mov %%rax, %%cr4" ::"a"(cr4 | (1U << 13)));
	report(faults_with(EXC_GP, fault_take()), "setting CR4.VMXE raises #GP");
	fault_expect(3);
	__asm__ volatile("mov %%rax, %%cr4" ::"a"(cr4 | (1U << 18)));
	report(faults_with(EXC_GP, fault_take()), "setting CR4.OSXSAVE raises #GP");
	__asm__ volatile("mov %%rax, %%cr4" ::"a"(cr4 | (1U << 7)));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	report(cr4 & (1U << 7), "CR4.PGE can be set");
}

static void check_hidden_instructions(void)
{
	fault_expect(3);
	__asm__ volatile("xsetbv" ::"a"(1), "d"(0), "c"(0));
	report(faults_with(EXC_UD, fault_take()), "XSETBV raises #UD");
	fault_expect(3);
	__asm__ volatile("vmread %%rax, %%rbx" ::"a"(0) : "rbx");
	report(faults_with(EXC_UD, fault_take()), "VMREAD raises #UD");
	fault_expect(2);
	__asm__ volatile("rdpmc" ::"c"(0) : "rax", "rdx");
	report(faults_with(EXC_GP, fault_take()), "RDPMC raises #GP");
}

static void check_boot_state(const uint8_t *bp)
{
	const uint8_t *e820 = bp + 0x2d0;
	uint64_t base, size;
	volatile uint8_t *last = (volatile uint8_t *)(RAM_SIZE - 1);

	__builtin_memcpy(&base, e820 + 2 * 20, 8);
	__builtin_memcpy(&size, e820 + 2 * 20 + 8, 8);
	report((uint64_t)bp == 0x7000 && bp[0x1e8] == 3, "boot_params at 0x7000 with 3 e820 entries");
	report(base == 0x100000 && base + size == RAM_SIZE, "e820 RAM 1 MiB..%lu MiB",
	       (unsigned long)((base + size) >> 20));
	*last = 0x5a;
	report(*last == 0x5a, "last byte of RAM is writable");
}

/* State VMX does not switch must survive other guests running in between. */
static void check_state_across_preemption(void)
{
	uint32_t r[4];
	uint32_t aux;

	wrmsr(MSR_IA32_LSTAR, 0xffffffff81234560ULL);
	cpuid(0x80000001, 0, r);
	if (r[3] & (1U << 27))
		wrmsr(MSR_IA32_TSC_AUX, 7);
	spin(3000000);
	report(rdmsr(MSR_IA32_LSTAR) == 0xffffffff81234560ULL, "LSTAR survives preemption");
	if (r[3] & (1U << 27)) {
		__asm__ volatile("rdtscp" : "=c"(aux)::"rax", "rdx");
		report(aux == 7, "TSC_AUX survives preemption (RDTSCP ECX %u)", aux);
	}
}

long guest_main(const uint8_t *boot_params)
{
	idt_install();
	check_cpuid();
	check_time_leaves();
	check_hypercalls();
	check_msrs();
	check_tsc_adjust();
	check_ports();
	check_control_registers();
	check_hidden_instructions();
	check_boot_state(boot_params);
	check_state_across_preemption();
	hypercall(XTALK_HC_STATS, 0, 0, 0);
	return report_summary();
}
