#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests: boot OVMF -> xtalk -> guests under Bochs and check what
the guests and the VMM printed on the serial console.

Each case is a guest set + an xtalk.ini (tests/e2e/*.ini) + a check that
reads the console log. A case that cannot run (no Bochs, no OVMF, no VT-x in
the emulated CPU) is reported as SKIP with the reason, never as PASS.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from cases import CASES  # noqa: E402
from consolelog import ConsoleLog  # noqa: E402

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS.fd"

BOCHSRC = """\
megs: {megs}
romimage: file={ovmf}, address=0xffe00000
cpu: model={cpu}, count=1, ips=200000000, reset_on_triple_fault=0
ata0-master: type=disk, path={disk}, mode=flat
boot: disk
display_library: rfb, options="timeout=0"
com1: enabled=1, mode=file, dev={serial}
log: {bochslog}
info: action=ignore
error: action=report
panic: action=fatal
sound: driver=dummy
speaker: enabled=0
magic_break: enabled=1
{nic}"""

# The machine's physical NIC, when a case wants one: Bochs' e1000 on the PCI
# bus, with a back end (vnet: a built-in host 192.168.10.1 answering ARP and
# ICMP echo; null: drops frames and logs them to eth_null-tx*.log).
PHYS_MAC = "52:54:00:12:34:56"
NIC_LINES = """\
pci: enabled=1, chipset=i440fx, slot1=e1000
e1000: enabled=1, mac={mac}, ethmod={mod}
"""


class Skip(Exception):
    pass


def make_ovmf(build):
    """Bochs loads OVMF as one 2 MiB ROM: the variable store, then the code."""
    out = os.path.join(build, "OVMF-bochs.fd")
    if not os.path.exists(OVMF_CODE) or not os.path.exists(OVMF_VARS):
        raise Skip("OVMF not installed (Debian package ovmf)")
    if not os.path.exists(out):
        with open(out + ".tmp", "wb") as f:
            for part in (OVMF_VARS, OVMF_CODE):
                with open(part, "rb") as p:
                    f.write(p.read())
        os.replace(out + ".tmp", out)
    return out


def make_disk(case, work, build):
    ini = os.path.join(HERE, case.ini)
    files = [os.path.join(build, "guests", g) for g in case.guests]
    files += [os.path.join(HERE, f) for f in case.extra_files]
    disk = os.path.join(work, "disk.img")
    subprocess.run([os.path.join(ROOT, "scripts", "mkimage.sh"), disk,
                    os.path.join(build, "xtalk.efi"), ini] + files, check=True)
    return disk


def check_platform(build):
    """The emulator and firmware every case needs; raises Skip if missing."""
    if not shutil.which("bochs"):
        raise Skip("bochs not installed (Debian packages bochs, bochsbios)")
    return make_ovmf(build)


RFB_ATTEMPTS = 5


def run_bochs(case, work, build, ovmf):
    disk = make_disk(case, work, build)
    serial = os.path.join(work, "serial.txt")
    rc_path = os.path.join(work, "bochsrc")
    with open(rc_path, "w") as f:
        nic = NIC_LINES.format(mac=PHYS_MAC, mod=case.phys) if case.phys else ""
        f.write(BOCHSRC.format(megs=case.megs, ovmf=ovmf, cpu=case.cpu, disk=disk,
                               serial=serial, bochslog=os.path.join(work, "bochs.log"), nic=nic))
    with open(os.path.join(work, "cmds"), "w") as f:
        f.write("c\nquit\n")
    for old in [serial] + [os.path.join(work, f) for f in os.listdir(work)
                           if f.startswith("eth_null")]:
        if os.path.exists(old):
            os.remove(old)
    start = time.monotonic()
    bochs_out = os.path.join(work, "bochs.out")
    # Bochs' headless display takes a free port of 5900-5949 and gives up
    # when none is free (other emulators on the machine, sockets of runs
    # that just ended): that is no result, so the run is started again.
    for attempt in range(RFB_ATTEMPTS):
        with open(bochs_out, "w") as out:
            proc = subprocess.Popen(["bochs", "-q", "-unlock", "-f", rc_path, "-rc",
                                     os.path.join(work, "cmds")],
                                    cwd=work, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT)
            try:
                proc.wait(timeout=case.timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                timed_out = True
        with open(bochs_out, errors="replace") as f:
            if "RFB could not bind" not in f.read():
                break
        print(f"{case.name}: no free display port for Bochs (attempt {attempt + 1} of "
              f"{RFB_ATTEMPTS}), starting again", flush=True)
        time.sleep(5)
    elapsed = time.monotonic() - start
    text = ""
    if os.path.exists(serial):
        with open(serial, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    log = ConsoleLog(text)
    log.workdir = work
    return log, timed_out, elapsed


def run_case(case, build, ovmf):
    work = os.path.join(build, "e2e", case.name)
    os.makedirs(work, exist_ok=True)
    log, timed_out, elapsed = run_bochs(case, work, build, ovmf)
    if case.needs_vmx and log.has("VT-x not available"):
        return "SKIP", "the emulated CPU has no VT-x: " + log.first("VT-x not available"), elapsed
    problems = []
    if timed_out:
        problems.append(f"timed out after {case.timeout} s")
    elif not log.has("xtalk: powering off"):
        problems.append("the run ended without xtalk powering off")
    try:
        problems += case.check(log)
    except Exception as e:  # a check that crashes is a failure, with the reason
        problems.append(f"check raised {type(e).__name__}: {e}")
    if problems:
        tail = "\n".join("    | " + line for line in log.lines[-25:])
        return "FAIL", "; ".join(problems) + f"\n    log: {work}/serial.txt\n{tail}", elapsed
    return "PASS", "", elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("names", nargs="*", help="cases to run (default: all)")
    args = ap.parse_args()
    if args.list:
        for c in CASES:
            print(f"{c.name:24} {c.ini:28} {c.doc}")
        return 0
    cases = [c for c in CASES if not args.names or c.name in args.names]
    unknown = set(args.names) - {c.name for c in CASES}
    if unknown:
        print("unknown case(s): " + ", ".join(sorted(unknown)), file=sys.stderr)
        return 2
    build = os.path.abspath(args.build)
    try:
        ovmf = check_platform(build)
    except Skip as s:
        for c in cases:
            print(f"SKIP {c.name}: {s}")
        print(f"e2e: 0 passed, 0 failed, {len(cases)} skipped")
        return 0
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_case, c, build, ovmf): c for c in cases}
        for fut in concurrent.futures.as_completed(futures):
            c = futures[fut]
            status, why, elapsed = fut.result()
            results[c.name] = status
            print(f"{status} {c.name} ({elapsed:.0f} s){': ' + why if why else ''}", flush=True)
    counts = {s: list(results.values()).count(s) for s in ("PASS", "FAIL", "SKIP")}
    print(f"e2e: {counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
