#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests: boot OVMF -> xtalk -> guests under Bochs and check what
the guests and the VMM printed on the serial console.

Each case is a guest set + an xtalk.ini (tests/e2e/*.ini) + a check that
reads the console log. Bochs dying, or ending before xtalk powered off, fails
the case with Bochs' last lines. A case that cannot run (no Bochs, no OVMF, no
VT-x in the emulated CPU) is SKIP with the reason, never PASS; with CI=true it
is a FAIL.
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.dont_write_bytecode = True

import bochs  # noqa: E402
import cases  # noqa: E402
from cases import CASES  # noqa: E402
from consolelog import ConsoleLog  # noqa: E402

PHYS_MAC = bochs.PHYS_MAC


class Skip(Exception):
    pass


def make_disk(case, work, build):
    ini = os.path.join(HERE, case.ini)
    files = [os.path.join(build, "guests", g) for g in case.guests]
    files += [os.path.join(HERE, f) for f in case.extra_files]
    files += [os.path.join(build, "linux-kit", f) for f in case.kit]
    missing = [f for f in files if not os.path.exists(f)]
    if missing:
        raise Skip("missing " + ", ".join(missing) +
                   (" (make linux-kit)" if case.kit else ""))
    disk = os.path.join(work, "disk.img")
    # The ESP holds every file; a vmlinux alone is 62 MiB.
    need = sum(os.path.getsize(f) for f in files) >> 20
    env = dict(os.environ, XTALK_ESP_MIB=str(max(64, need + 16)))
    subprocess.run([os.path.join(ROOT, "scripts", "mkimage.sh"), disk,
                    os.path.join(build, "xtalk.efi"), ini] + files, check=True, env=env)
    return disk


def make_data_disk(case, work):
    """The machine's second ATA disk (the primary slave): a GPT with
    partitions of case.data_disk MiB from 1 MiB on, filled with
    cases.data_disk_fill, 1 MiB left at the end for the backup GPT. A case
    with data_disk_content then has the bytes it returns ({partition: bytes},
    given the work folder) written from the start of those partitions; a
    tool it needs that is missing makes the case a SKIP."""
    path = os.path.join(work, "data.img")
    size = (sum(case.data_disk) + 2) << 20
    with open(path, "wb") as f:
        for off in range(0, size, 1 << 20):
            f.write(cases.data_disk_fill(off, 1 << 20))
    args = ["sgdisk", "--clear"]
    for i, mib in enumerate(case.data_disk, 1):
        args += [f"--new={i}:0:+{mib}M", f"--typecode={i}:8300"]
    subprocess.run(args + [path], check=True, capture_output=True)
    if case.data_disk_content:
        try:
            parts = case.data_disk_content(work)
        except FileNotFoundError as e:
            raise Skip(f"cannot make the data disk's content: {e} (scripts/deps.sh test)")
        with open(path, "r+b") as f:
            gpt = f.read(1 << 20)
            for n, data in sorted(parts.items()):
                first, count = cases.gpt_partition(gpt, n)
                if len(data) > count * 512:
                    raise ValueError(f"{len(data)} bytes for partition {n} of {count} sectors")
                f.seek(first * 512)
                f.write(data)
    return path


def check_platform(build):
    """The emulator and firmware every case needs; raises Skip if missing."""
    try:
        return bochs.ovmf_rom(os.path.join(build, "OVMF-bochs.fd"))
    except bochs.Missing as m:
        raise Skip(str(m))


class Feeder:
    """Types a case's input into COM1, step by step: each step (needle, times,
    data) waits until needle is on the console at least times times, then
    sends data one byte every `gap` seconds (the machine's UART holds 16
    bytes and xtalk reads it once per time slice; a human types slower).
    Called from bochs.run's watch; returns nothing (never stops the run)."""

    def __init__(self, link, steps, gap=0.05):
        self.link = link
        self.steps = list(steps)
        self.gap = gap
        self.done = 0

    def __call__(self, r):
        while self.done < len(self.steps):
            needle, times, data = self.steps[self.done]
            if r.console().count(needle) < times:
                return None
            for b in data:
                if not self.link.send(bytes([b])):
                    return None
                time.sleep(self.gap)
            self.done += 1
        return None


def run_bochs(case, work, build, ovmf):
    """Boot case's disk under Bochs; (ConsoleLog, bochs.Run). A case with
    input steps gets COM1 through a SerialLink and a Feeder."""
    disk = make_disk(case, work, build)
    link = bochs.SerialLink(os.path.join(work, "serial.txt")) if case.feed else None
    wav = os.path.join(work, "out.wav") if case.phys_audio else None
    if wav and os.path.exists(wav):
        os.remove(wav)
    disk2 = make_data_disk(case, work) if case.data_disk else None
    rc = bochs.config(work, ovmf, disk, megs=case.megs, cpu=case.cpu, nic=case.phys,
                      magic_break=True, link=link, wav=wav, disk2=disk2)
    feeder = Feeder(link, case.feed) if link else None
    try:
        r = bochs.run(work, rc, case.timeout, watch=feeder)
    finally:
        if link:
            link.close()
    log = ConsoleLog(r.console())
    log.workdir = work
    log.fed = feeder.done if feeder else 0
    return log, r


def skip(why):
    """A case that cannot run: SKIP with the reason; in CI (CI=true) a FAIL."""
    if bochs.strict():
        return "FAIL", why + " (CI=true: every case must run)"
    return "SKIP", why


def run_case(case, build, ovmf):
    work = os.path.join(build, "e2e", case.name)
    os.makedirs(work, exist_ok=True)
    try:
        log, r = run_bochs(case, work, build, ovmf)
    except Skip as s:
        return skip(str(s)) + (0,)
    elapsed = r.seconds
    if case.needs_vmx and log.has("VT-x not available"):
        return skip("the emulated CPU has no VT-x: " + log.first("VT-x not available")) + (elapsed,)
    problems = []
    died = r.died()
    if died:
        problems.append(died)
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
        status, why = skip(str(s))
        for c in cases:
            print(f"{status} {c.name}: {why}")
        failed = len(cases) if status == "FAIL" else 0
        print(f"e2e: 0 passed, {failed} failed, {len(cases) - failed} skipped")
        return 1 if failed else 0
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
