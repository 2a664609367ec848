#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make bench-disk (and make bench): what a shared disk's pages buy, in one
Bochs run (docs/storage.md, docs/performance.md "Storage").

The machine has a second ATA disk (the primary slave, phys0) with three
partitions. Guest w writes 8 MiB of guests/disk's pattern to the shared disk
(its backing: partition 1) by DMA in 64 KiB commands and flushes; then
s64 and s4 read those 8 MiB back from the shared disk in 64 KiB and 4 KiB
DMA commands: every sector from the pages the VMM keeps. Guests p64 and p4
each write 8 MiB to a private disk (partitions 2 and 3) and read them
back: the physical path (the machine's disk, DMA straight into the guest's
pages). Every read is checked byte for byte by the guest.

Per path and request size, build/bench/disk.csv has the guest-measured
device time (from the command's start to its completion, summed over the
commands: guests/disk's `device` figure, TSC at 200 MHz under Bochs), MB/s
over it, emulated cycles per 4 KiB, and the reader's VMM cycles per 4 KiB
(its I/O exits times their average cost, from the run summary). Bochs'
disk is an emulator's: the physical figures say what xtalk's path costs,
not what a real disk does.
"""
import argparse
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

import run as e2e  # noqa: E402
from cases import Case  # noqa: E402

TSC_HZ = 200_000_000
MIB8 = 8 << 20
HEADER = ["path", "request", "bytes", "commands", "device_ms", "mb_per_s", "cycles_per_4k",
          "vmm_cycles_per_4k"]

INI = f"""\
; make bench-disk (tests/bench/bench_disk.py)
[disk shared]
backing = phys0:1

[guest w]
image = disk.elf
disk = shared
cmdline = role=write bytes={MIB8} seed=5 flush=1

[guest s64]
image = disk.elf
disk = shared
cmdline = role=read bytes={MIB8} seed=5 chunk=65536 delay=3000

[guest s4]
image = disk.elf
disk = shared
cmdline = role=read bytes={MIB8} seed=5 chunk=4096 delay=6000

[guest p64]
image = disk.elf
disk = phys0:2
cmdline = role=rw bytes={MIB8} seed=6 chunk=65536 delay=12000

[guest p4]
image = disk.elf
disk = phys0:3
cmdline = role=rw bytes={MIB8} seed=7 chunk=4096 delay=20000
"""

READ = re.compile(r"disk: (?:read|rw): (\d+) bytes at lba \d+ bit-exact in (\d+) commands "
                  r"\(dma\) in \d+ ms, device (\d+) ms")
WRITE = re.compile(r"disk: write: (\d+) bytes at lba \d+ in (\d+) commands \(dma\) in \d+ ms, "
                   r"device (\d+) ms")


def vmm_io_cycles(log, guest):
    """The guest's I/O exits times their average VMM cycles, from the summary."""
    n = log.grep(rf"^xtalk: guest {re.escape(guest)}: \d+ VM exits: .*IO_INSTRUCTION (\d+)")
    c = log.grep(rf"^xtalk: guest {re.escape(guest)}: VMM cycles per exit: .*IO_INSTRUCTION "
                 r"(\d+)")
    return int(n[-1].group(1)) * int(c[-1].group(1)) if n and c else None


def row(path, request, m, vmm):
    nbytes, cmds, dev = int(m.group(1)), int(m.group(2)), int(m.group(3))
    pages = nbytes / 4096
    return {"path": path, "request": request, "bytes": nbytes, "commands": cmds,
            "device_ms": dev, "mb_per_s": round(nbytes / 1e6 / (dev / 1000), 2) if dev else "",
            "cycles_per_4k": round(dev / 1000 * TSC_HZ / pages) if dev else "",
            "vmm_cycles_per_4k": round(vmm / pages) if vmm else ""}


def rows_of(log):
    out = []
    for g, path, req in (("s64", "shared_pages", 65536), ("s4", "shared_pages", 4096),
                         ("p64", "physical", 65536), ("p4", "physical", 4096)):
        m = next((READ.search(t) for t in log.output_of(g) if READ.search(t)), None)
        if not m:
            raise SystemExit(f"bench-disk: {g} did not read its 8 MiB bit-exact: "
                             f"{log.output_of(g)[-3:]}")
        out.append(row(path, req, m, vmm_io_cycles(log, g)))
    m = next((WRITE.search(t) for t in log.output_of("w") if WRITE.search(t)), None)
    if m:
        out.append(row("shared_write_through", 65536, m, vmm_io_cycles(log, "w")))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    work = os.path.abspath(os.path.join(args.build, "bench", "disk"))
    os.makedirs(work, exist_ok=True)
    ini = os.path.join(work, "bench_disk.ini")
    with open(ini, "w") as f:
        f.write(INI)
    case = Case("bench_disk", ini, ["disk.elf"], None, data_disk=[16, 16, 16], timeout=1800)
    ovmf = e2e.check_platform(args.build)
    log, r = e2e.run_bochs(case, work, args.build, ovmf)
    died = r.died()
    if died:
        raise SystemExit(f"bench-disk: {died} (log: {work}/serial.txt)")
    rows = rows_of(log)
    out = os.path.join(args.build, "bench", "disk.csv")
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HEADER)
        w.writeheader()
        w.writerows(rows)
    print(f"bench-disk: {out}")
    for x in rows:
        print("  " + ", ".join(f"{k} {x[k]}" for k in HEADER))
    sp = next(x for x in rows if x["path"] == "shared_pages" and x["request"] == 65536)
    ph = next(x for x in rows if x["path"] == "physical" and x["request"] == 65536)
    if sp["mb_per_s"] and ph["mb_per_s"]:
        print(f"bench-disk: shared pages / physical at 64 KiB: "
              f"{sp['mb_per_s'] / ph['mb_per_s']:.2f}x (target 3x)")


if __name__ == "__main__":
    main()
