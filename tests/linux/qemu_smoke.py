#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make linux-kit-qemu: the kit's /init contract, run for real, without xtalk.

Boots two Linux guests from build/linux-kit/ under QEMU (TCG, no VT-x
needed; ~30 s on 2 cores), their e1000s joined by a QEMU socket network on
127.0.0.1, and checks the "xtalk-linux:" lines of docs/linux.md:
  facts      both reach /init and print every fact line (uptime, clocksource,
             timer, TSC, the RTC within the run's wall-clock span)
  network    e1000.ko loads, eth0 gets its address and link
  ping       both ping each other 20/20
  tcp        16 MiB from a to b with the same sha256 on both ends
  sync       both pass the barrier and reach "poweroff"
Guest a boots vmlinux with initrd.cpio, b the bzImage with initrd.cpio.gz,
so that every file of the kit is used.

Not part of make test: it tests the kit and /init, not xtalk, and the Bochs
e2e tests will boot the same kit under xtalk once the platform is wired.
Without QEMU every case is SKIP (FAIL with CI=true).
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
QEMU = "qemu-system-x86_64"
LINE = re.compile(r"^xtalk-linux: (\w+)=(.*?)\s*$")
FACTS = ["uptime", "kernel", "clocksource", "timer_window_cs", "timer_irqs_per_s",
         "jiffies_per_s", "tsc_mhz", "rtc", "rtc_epoch", "date_epoch"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def qemu(kit, kernel, initrd, cmdline, netdev, mac, log):
    return subprocess.Popen(
        ["timeout", "300", QEMU, "-M", "pc", "-m", "256", "-nographic", "-no-reboot",
         "-kernel", os.path.join(kit, kernel), "-initrd", os.path.join(kit, initrd),
         "-append", "console=ttyS0 panic=-1 " + cmdline,
         "-netdev", "socket,id=n0," + netdev, "-device", f"e1000,netdev=n0,mac={mac}"],
        stdout=open(log, "w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def lines(log):
    """[(key, value)] and the set of bare markers of one console log."""
    kv, markers = [], set()
    with open(log, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            m = LINE.match(line)
            if m:
                kv.append((m.group(1), m.group(2)))
            elif line.startswith("xtalk-linux: "):
                markers.add(line[len("xtalk-linux: "):].strip())
    return kv, markers


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kit", default=os.path.join(ROOT, "build", "linux-kit"))
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "linux-kit-qemu"))
    args = ap.parse_args()
    cases = ["facts", "network", "ping", "tcp", "sync"]
    if not shutil.which(QEMU):
        status = "FAIL" if os.environ.get("CI") == "true" else "SKIP"
        for c in cases:
            print(f"{status} {c}: no {QEMU} (Debian package qemu-system-x86)")
        n = len(cases)
        print(f"linux-kit-qemu: 0 passed, {n if status == 'FAIL' else 0} failed, "
              f"{n if status == 'SKIP' else 0} skipped")
        return 1 if status == "FAIL" else 0
    os.makedirs(args.work, exist_ok=True)
    la, lb = os.path.join(args.work, "a.txt"), os.path.join(args.work, "b.txt")
    port = free_port()
    t0 = time.monotonic()
    wall0 = time.time()
    a = qemu(args.kit, "vmlinux", "initrd.cpio",
             "xtalk.ip=10.0.0.1/24 xtalk.peer=10.0.0.2 xtalk.test=ping,tcp-send,sync",
             f"listen=127.0.0.1:{port}", "52:54:00:00:0a:01", la)
    time.sleep(2)  # QEMU listens before it boots; b must connect after that
    b = qemu(args.kit, "bzImage", "initrd.cpio.gz",
             "xtalk.ip=10.0.0.2/24 xtalk.peer=10.0.0.1 xtalk.test=ping,tcp-recv,sync",
             f"connect=127.0.0.1:{port}", "52:54:00:00:0a:02", lb)
    rc_a, rc_b = a.wait(), b.wait()
    print(f"linux-kit-qemu: both guests ended after {time.monotonic() - t0:.0f} s "
          f"(exit {rc_a}, {rc_b}); consoles in {la}, {lb}")
    wall1 = time.time()
    ka, ma = lines(la)
    kb, mb = lines(lb)
    da, db = dict(ka), dict(kb)
    results = []

    def report(name, problems):
        results.append(not problems)
        print(f"{'FAIL' if problems else 'PASS'} {name}"
              f"{': ' + '; '.join(problems) if problems else ''}", flush=True)

    p = []
    for who, d, m in (("a", da, ma), ("b", db, mb)):
        if "init reached" not in m:
            p.append(f"{who}: no 'init reached'")
        p += [f"{who}: no {k}=" for k in FACTS if k not in d]
        rtc = d.get("rtc_epoch", "none")
        if rtc == "none" or not wall0 - 2 <= int(rtc) <= wall1 + 2:
            p.append(f"{who}: rtc_epoch {rtc} not within this run ({int(wall0)}..{int(wall1)})")
    report("facts", p)
    p = []
    for who, kv, d in (("a", ka, da), ("b", kb, db)):
        mods = [v for k, v in kv if k == "insmod"]
        if "e1000.ko ok" not in mods or any(not v.endswith(" ok") for v in mods):
            p.append(f"{who}: insmod {mods}")
        if d.get("net_link") != "up":
            p.append(f"{who}: net_link={d.get('net_link')}")
    report("network", p)
    report("ping", [f"{w}: {d.get('ping_received')}/{d.get('ping_transmitted')}"
                    for w, d in (("a", da), ("b", db))
                    if not (d.get("ping_transmitted") == d.get("ping_received") == "20")])
    p = []
    if da.get("tcp") != "done":
        p.append(f"a: tcp={da.get('tcp')}")
    if db.get("tcp_received_bytes") != str(16 << 20):
        p.append(f"b: tcp_received_bytes={db.get('tcp_received_bytes')}")
    if not da.get("tcp_sha256") or da.get("tcp_sha256") != db.get("tcp_sha256"):
        p.append(f"sha256 a {da.get('tcp_sha256')} b {db.get('tcp_sha256')}")
    report("tcp", p)
    report("sync", [f"{w}: sync={d.get('sync')}, poweroff {'poweroff' in m}"
                    for w, d, m in (("a", da, ma), ("b", db, mb))
                    if d.get("sync") != "done" or "poweroff" not in m])
    passed = sum(results)
    print(f"linux-kit-qemu: {passed} passed, {len(results) - passed} failed, 0 skipped")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
