/* SPDX-License-Identifier: MIT */
/* VMCALL: the xtalk hypercall ABI (lib/hypercall_abi.h, docs/hypercalls.md). */
#include "lib/xerrno.h"
#include "vmm/exit/exit.h"
#include "vmm/guest/guest.h"
#include "vmm/emul/hc_policy.h"
#include "lib/hypercall_abi.h"
#include "vmm/net/netpath.h"
#include "vmm/report/summary.h"
#include "vmm/arch/vmx_caps.h"
#include "vmm/arch/x86.h"
#include "vmm/emul/gpt_walk.h"

static uint64_t dump_gap_tsc;

void hypercall_init(uint64_t tsc_hz)
{
	dump_gap_tsc = tsc_hz / 1000 * HC_DUMP_GAP_MS;
}

/* The caller's own shared pages, if its INI allows dumps and not too often
 * (vmm/emul/hc_policy.h); a refusal is an error code for the guest. */
static uint64_t xt_dump(struct vcpu *v)
{
	struct guest *g = v->guest;
	int rc = hc_dump_allowed(g->cfg->debug_dump, &g->dump, rdtsc(), dump_gap_tsc);

	if (rc)
		return (uint64_t)rc;
	netpath_dump(g);
	return 0;
}

/*
 * Copy the counters to the guest's buffer (RDI, size RSI): a write the CPU
 * makes for the guest, with its permissions (ept/gmem.h). The kernel gives
 * a guest-physical address; user space (user_counters = on) a linear one,
 * written through its page tables with its own access rights.
 */
static uint64_t counters(struct vcpu *v)
{
	struct xtalk_counters c;
	uint64_t size = v->regs.gpr[REG_RSI], dst = v->regs.gpr[REG_RDI];
	unsigned cpl = vcpu_cpl(v);
	struct gpt_mode m;
	uint32_t pf;
	uint64_t fault;
	int rc;

	if (size > sizeof(c))
		size = sizeof(c);
	summary_counters(v->guest, &c);
	if (!size)
		return 0;
	if (cpl == 0) {
		rc = gmem_write(&v->guest->mem, dst, &c, size, GMEM_WRITE);
	} else {
		exit_paging_mode(&m);
		rc = gpt_write(&m, vmx_caps.maxphyaddr, dst, &c, size,
			       cpl == 3 ? GPT_ACCESS_USER : 0, gmem_cpu_map, &v->guest->mem, &pf,
			       &fault);
	}
	return rc ? (uint64_t)-XT_EFAULT : size;
}

enum exit_result handle_vmcall(struct vcpu *v)
{
	uint64_t *rax = &v->regs.gpr[REG_RAX];

	if (!hc_allowed(vcpu_cpl(v), *rax, v->guest->cfg->user_counters)) {
		vcpu_inject_exception(v, X86_EXC_UD, false, 0);
		return EXIT_RESUME;
	}
	switch (*rax) {
	case XTALK_HC_VERSION:
		*rax = XTALK_HC_ABI_VERSION;
		break;
	case XTALK_HC_EXIT:
		v->guest->exit_status = (int64_t)v->regs.gpr[REG_RDI];
		guest_stop(v->guest, GUEST_EXITED, "exited with status %lld",
			   (long long)v->guest->exit_status);
		return EXIT_YIELD;
	case XTALK_HC_STATS:
		summary_print_guest(v->guest);
		*rax = 0;
		break;
	case XTALK_HC_XT_DUMP:
		*rax = xt_dump(v);
		break;
	case XTALK_HC_COUNTERS:
		*rax = counters(v);
		break;
	default:
		*rax = (uint64_t)-XT_ENOSYS;
		break;
	}
	vcpu_skip_insn(v);
	return EXIT_RESUME;
}
