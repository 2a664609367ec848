#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make bench-linux: two Linux guests of the kit talking, cross-talk against
the bridge.

One Bochs boot per path (crosstalk = on: the shared-page path; off: the
VMM's software bridge), each with two kernels of the Linux guest kit (make
linux-kit) on one network: `lb` runs xtperf's server, `la` its client
(guests/linux/xtperf.c, steps perf-server and perf-client of
guests/linux/init), which runs the tests one after the other and prints one
`xtalk-linux: perf ...` line per test:

  TCP_RR           1-byte request, 1-byte response over TCP (TCP_NODELAY),
                   transactions per second of guest time
  UDP_RR           the same over UDP
  PING             ICMP echo, 56 data bytes, one at a time: the mean round
                   trip in microseconds of guest time
  TCP_STREAM       bytes per second of guest time, one TCP connection with
                   the driver's default offloads (TSO), MTU 1500 at both ends
                   (the MTU change and the connection happen before the
                   clock starts)
  TCP_STREAM_9000  the same at MTU 9000 (set at both ends first)

`la` has counters = machine and user_counters = on: xtperf takes a snapshot
of the VMM's counters (XTALK_HC_COUNTERS, both guests together) before and
after each test, so exits, VMM cycles and copies per operation are the
machine's: per transaction or echo for the RR tests and PING, per frame
moved for the streams (the `frames` counter: frames either guest sent).

Writes build/bench/linux.csv:
  path,test,size,value,unit,exits_per_op,vmm_cycles_per_op,copies_per_op
(size: the request or ICMP data size, the MTU for the streams) and prints a
Markdown table with the cross-talk / bridge ratio of every test (above 1:
cross-talk better; for PING, the bridge's round trip over cross-talk's).
Times are the guests' own clocks; under Bochs those count emulated
instructions (ips=200000000), so the figures do not depend on the host.
"""
import argparse
import concurrent.futures
import csv
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

import run as e2e  # noqa: E402
from cases import Case  # noqa: E402

HEADER = ["path", "test", "size", "value", "unit", "exits_per_op", "vmm_cycles_per_op",
          "copies_per_op"]
# (CSV name, xtperf test, size, count): count is transactions, echoes or bytes.
TESTS = [("TCP_RR", "TCP_RR", 1, 500), ("UDP_RR", "UDP_RR", 1, 500), ("PING", "PING", 56, 100),
         ("TCP_STREAM", "TCP_STREAM", 1500, 8 << 20),
         ("TCP_STREAM_9000", "TCP_STREAM", 9000, 8 << 20)]
TINY = [("TCP_RR", "TCP_RR", 1, 20), ("PING", "PING", 56, 5),
        ("TCP_STREAM", "TCP_STREAM", 1500, 256 << 10)]
PERF = re.compile(r"^xtalk-linux: perf (test=\S+ size=.* ops=.*)$")


def ini_for(path, tests):
    perf = ",".join(f"{t}:{s}:{n}" for _, t, s, n in tests)
    xt = "on" if path == "crosstalk" else "off"
    return "\n".join([
        f"; make bench-linux: the {path} path (tests/bench/bench_linux.py)",
        "[xtalk]", f"crosstalk = {xt}", "",
        "[guest la]", "image = vmlinux", "initrd = initrd.cpio", "memory = 256",
        "mac = 52:54:00:00:c0:01", "network = lan", "counters = machine", "user_counters = on",
        "cmdline = console=ttyS0 xtalk.ip=10.0.0.1/24 xtalk.peer=10.0.0.2 "
        f"xtalk.test=perf-client,sync xtalk.perf={perf}", "",
        "[guest lb]", "image = vmlinux", "initrd = initrd.cpio", "memory = 256",
        "mac = 52:54:00:00:c0:02", "network = lan",
        "cmdline = console=ttyS0 xtalk.ip=10.0.0.2/24 xtalk.peer=10.0.0.1 "
        "xtalk.test=perf-server,sync", ""])


def run_path(path, tests, build, ovmf, timeout, tag=""):
    work = os.path.join(build, "bench", f"linux-{path}{tag}")
    os.makedirs(work, exist_ok=True)
    ini = os.path.join(work, "bench.ini")
    with open(ini, "w") as f:
        f.write(ini_for(path, tests))
    case = Case(f"bench_linux_{path}", ini, [], lambda log: [], timeout=timeout, megs=1024,
                kit=["vmlinux", "initrd.cpio"])
    log, r = e2e.run_bochs(case, work, build, ovmf)
    results, problems = [], []
    for _, text in log.guest_lines():
        m = PERF.match(text)
        if m:
            results.append(dict(p.split("=", 1) for p in m.group(1).split() if "=" in p))
    died = r.died()
    if died:
        problems.append(died)
    for g in ("la", "lb"):
        st = log.status(g)
        if st[0] != "stopped" or not str(st[1]).startswith("powered off"):
            problems.append(f"{g}: {st}, want powered off")
    if len(results) != len(tests):
        problems.append(f"{len(results)} of {len(tests)} tests reported (see {work}/serial.txt)")
    return path, results, problems, r.seconds


def rows_of(path, tests, results):
    rows = []
    for (name, _, size, _), kv in zip(tests, results):
        ops = int(kv["ops"])
        per_n = int(kv["frames"]) if name.startswith("TCP_STREAM") and kv["frames"] != "na" \
            else ops

        def per(k):
            return round(int(kv[k]) / per_n, 2) if kv.get(k, "na") != "na" and per_n else "na"
        rows.append({"path": path, "test": name, "size": size, "value": float(kv["value"]),
                     "unit": kv["unit"], "exits_per_op": per("exits"),
                     "vmm_cycles_per_op": per("vmm_cycles"), "copies_per_op": per("copies")})
    return rows


def markdown(rows):
    out = ["| path | test | size | value | unit | exits/op | VMM cycles/op | copies/op |",
           "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['path']} | {r['test']} | {r['size']} | {r['value']:.1f} | {r['unit']} | "
                   f"{r['exits_per_op']} | {r['vmm_cycles_per_op']} | {r['copies_per_op']} |")
    by = {(r["path"], r["test"]): r for r in rows}
    out += ["", "| test | cross-talk / bridge |", "|---|---|"]
    for r in rows:
        if r["path"] != "crosstalk" or ("bridge", r["test"]) not in by:
            continue
        b = by[("bridge", r["test"])]["value"]
        ratio = b / r["value"] if r["unit"] == "us" else r["value"] / b
        out.append(f"| {r['test']} | {ratio:.2f} |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--tiny", action="store_true", help="a few operations per test")
    ap.add_argument("--check", action="store_true", help="with --tiny: make test's stage "
                    "(bench-linux-check): every test of every path reported, with a value and "
                    "the VMM's counters (read from user space); one PASS/FAIL line each")
    ap.add_argument("--paths", default="crosstalk,bridge")
    ap.add_argument("--tests", help="TEST:SIZE:COUNT,... instead of the standard set "
                    "(for measurements by hand; TCP_STREAM's size is the MTU)")
    ap.add_argument("--out", help="CSV to write (default build/bench/linux.csv)")
    ap.add_argument("--tag", default="", help="suffix of the work folders (runs side by side)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    os.makedirs(os.path.join(build, "bench"), exist_ok=True)
    try:
        ovmf = e2e.check_platform(build)
    except e2e.Skip as s:
        status, why = e2e.skip(str(s))
        print(f"bench-linux: {status}: {why}")
        return 1 if status == "FAIL" else 0
    tests = TINY if args.tiny else TESTS
    if args.tests:
        tests = []
        for t in args.tests.split(","):
            name, size, count = t.split(":")
            csv_name = "TCP_STREAM_9000" if name == "TCP_STREAM" and size == "9000" else name
            tests.append((csv_name, name, int(size), int(count)))
    timeout = 1800 if args.tiny else 5400
    start = time.monotonic()
    rows, failed = [], False
    paths = args.paths.split(",")
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futs = [pool.submit(run_path, p, tests, build, ovmf, timeout, args.tag) for p in paths]
        for fut in concurrent.futures.as_completed(futs):
            path, results, problems, secs = fut.result()
            print(f"bench-linux: {path}: {len(results)} tests in {secs:.0f} s")
            for p in problems:
                print(f"bench-linux: {path}: {p}")
                failed = True
            rows += rows_of(path, tests, results)
    order = {p: i for i, p in enumerate(paths)}
    names = [t[0] for t in tests]
    rows.sort(key=lambda r: (order[r["path"]], names.index(r["test"])))
    out = args.out or os.path.join(build, "bench", "linux.csv")
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HEADER)
        w.writeheader()
        for r in rows:
            w.writerow(r)
    print(markdown(rows))
    print(f"\nWall-clock time: {time.monotonic() - start:.0f} s (the figures are guest time).")
    print(f"bench-linux: {out}")
    if args.check:
        return check(rows, paths, tests, failed)
    return 1 if failed else 0


def check(rows, paths, tests, failed):
    """Form only (the tiny run is too short for figures): each path and test
    has a row whose value is positive and whose counters are numbers (the
    user-space counters hypercall worked) with at least one exit and one
    copy per operation (every frame between the two guests is copied on both
    paths: Linux's layouts never share a page)."""
    ok = bad = 0
    by = {(r["path"], r["test"]): r for r in rows}
    for path in paths:
        for name, *_ in tests:
            r = by.get((path, name))
            why = []
            if not r:
                why.append("no result")
            else:
                if not r["value"] > 0:
                    why.append(f"value {r['value']}")
                for k in ("exits_per_op", "vmm_cycles_per_op", "copies_per_op"):
                    if not isinstance(r[k], float) or r[k] <= 0:
                        why.append(f"{k} {r[k]}")
                if isinstance(r["copies_per_op"], float) and r["copies_per_op"] < 1:
                    why.append(f"copies_per_op {r['copies_per_op']} < 1")
            print(f"{'FAIL' if why else 'PASS'} bench_linux_{path}_{name}"
                  + (": " + ", ".join(why) if why else ""))
            ok, bad = (ok, bad + 1) if why else (ok + 1, bad)
    if failed:
        bad += 1
        print("FAIL bench_linux_runs: a run had problems (above)")
    print(f"bench-linux: {ok} passed, {bad} failed, 0 skipped")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
