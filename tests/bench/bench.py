#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make bench: measure what cross-talk buys, path against path, in one run.

Boots one configuration per path under Bochs (bridge: the VMM's software
bridge; crosstalk: the shared-page path; outside: a guest streaming to the
physical NIC; scale: the cross-talk pair with 14 more guests on the
network), collects the `bench:` lines the netbench guests print, and writes
build/bench/results.csv, a Markdown table, a PNG plot (gnuplot) and, with
--update-docs, docs/performance.md.

Bochs' TSC counts instructions, so cycles are deterministic emulated
cycles; an emulator charges almost nothing for a VM exit, so the modeled
cost per frame adds exits x 1,200 cycles (a bare-metal VM exit round trip;
the nested figure uses 14,000) and INVEPTs x 2,000 cycles (INVEPT_COST: no
published measurement at hand, the figure issue 14 names; Bochs executes an
INVEPT as one instruction, hardware also pays the guest's TLB refills).

Every path runs every layout (guests/netbench/layout.h: aligned, linux,
jumbo; TSO super-frames as size `tso` in linux and jumbo, where a frame is
one wire segment); setup_cycles is what the VMM spent (machine-wide VMM
cycles) while both NICs were set up again for the layout, which is when
cross-talk pre-shares, and during the layout's warm-up: cost outside the
measured rows.
"""
import argparse
import concurrent.futures
import csv
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

import run as e2e  # noqa: E402
from cases import Case  # noqa: E402

TSC_HZ = 200_000_000          # Bochs: ips=200000000, the TSC counts instructions
EXIT_COST = 1200              # cycles per VM exit round trip, bare metal
EXIT_COST_NESTED = 14000      # ... nested under KVM
INVEPT_COST = 2000            # cycles per INVEPT: no published figure at hand (issue 14)
LAYOUTS = ["aligned", "linux", "jumbo"]
SCALE_LAYOUTS = ["aligned", "linux"]
HEADER = ["path", "layout", "size", "batch", "mode", "guests", "frames", "frames_per_s",
          "cycles_per_frame", "exits_per_frame", "irqs_per_frame", "copies_per_frame",
          "bytes_copied_per_frame", "remaps_per_frame", "invepts_per_frame", "setup_cycles",
          "modeled_cost_per_frame", "rtt_cycles"]
MAC_TX = "52:54:00:00:b0:01"
MAC_RX = "52:54:00:00:b0:02"
PHYS_MAC = e2e.PHYS_MAC

LINE = re.compile(r"^bench: (.*)$")
def ini_for(path, p):
    """The xtalk.ini of one benchmark boot."""
    common = (f"sizes={p['sizes']} jsizes={p['jsizes']} batches={p['batches']} "
              f"modes={p['modes']} count={p['count']} rtt={p['rtt']} "
              f"layout={','.join(p['layouts'])} tso={p['tso']}")
    if p.get("warmup") is not None:
        common += f" warmup={p['warmup']}"
    xt = "off" if path == "bridge" else "on"
    buf = ""  # each layout sets the NICs up itself
    lines = [f"; make bench: the {path} path", "[xtalk]", f"crosstalk = {xt}", ""]
    if path == "outside":
        # Stream to an address no guest owns: it leaves through the physical
        # NIC (Bochs' e1000 with the null back end, which logs and drops).
        lines += ["[guest tx]", "image = netbench.elf", "memory = 16", f"mac = {PHYS_MAC}",
                  "network = lan", "uplink = phys0", "counters = machine",
                  f"cmdline = role=tx path={path} peer=02:78:74:00:00:99 outside=1 {common}{buf}"]
        return "\n".join(lines) + "\n"
    guests = p["guests"]
    # The tx guest reports the machine's counters (XTALK_HC_COUNTERS), the
    # receiver's and idle guests' exits included.
    lines += ["[guest tx]", "image = netbench.elf", "memory = 16", f"mac = {MAC_TX}",
              "network = lan", "counters = machine",
              f"cmdline = role=tx path={path} peer={MAC_RX} guests={guests} {common}{buf}", "",
              "[guest rx]", "image = netbench.elf", "memory = 16", f"mac = {MAC_RX}",
              "network = lan", f"cmdline = role=rx peer={MAC_TX}{buf}", ""]
    for i in range(guests - 2):
        lines += [f"[guest idle{i}]", "image = netbench.elf", "memory = 8",
                  f"mac = 52:54:00:00:b1:{i:02x}", "network = lan", "cmdline = role=idle", ""]
    return "\n".join(lines) + "\n"


def parse(log):
    rows, memcpy, setup = [], None, {}
    for _, text in log.guest_lines():
        m = LINE.match(text)
        if not m:
            continue
        kv = dict(part.split("=", 1) for part in m.group(1).split() if "=" in part)
        if kv.get("kind") == "memcpy":
            memcpy = int(kv["cycles"])
        elif kv.get("kind") == "stream":
            rows.append(kv)
        elif kv.get("kind") == "setup":
            setup.setdefault(kv["layout"], {}).update(kv)
        elif kv.get("kind") == "setup_rings":
            setup.setdefault(kv["layout"], {}).update(
                {"rings_" + k: v for k, v in kv.items() if k not in ("path", "layout", "kind")})
    for kv in rows:
        kv["setup_cycles"] = setup.get(kv.get("layout"), {}).get("vmm_cycles", "0")
    return rows, memcpy, list(setup.values())


def derive(kv):
    n = int(kv["frames"])
    cyc = int(kv["cycles"])
    per = lambda k: int(kv.get(k, 0)) / n if n else 0.0  # noqa: E731
    cpf = cyc / n if n else 0.0
    exits = per("exits")
    invepts = per("invepts")
    size = kv["size"]
    return {
        "path": kv["path"], "layout": kv.get("layout", "aligned"),
        "size": size if size == "tso" else int(size), "batch": int(kv["batch"]),
        "mode": kv["mode"], "guests": int(kv.get("guests", 2)), "frames": n,
        "frames_per_s": round(n / (cyc / TSC_HZ)) if cyc else 0,
        "cycles_per_frame": round(cpf, 1), "exits_per_frame": round(exits, 3),
        "irqs_per_frame": round(per("irqs"), 3), "copies_per_frame": round(per("copies"), 3),
        "bytes_copied_per_frame": round(per("bytes_copied"), 1),
        "remaps_per_frame": round(per("remaps"), 4),
        "invepts_per_frame": round(invepts, 4),
        "setup_cycles": int(kv.get("setup_cycles", 0)),
        "modeled_cost_per_frame": round(cpf + exits * EXIT_COST + invepts * INVEPT_COST, 1),
        "modeled_nested": round(cpf + exits * EXIT_COST_NESTED + invepts * INVEPT_COST, 1),
        "rtt_cycles": int(kv.get("rtt", 0)),
        "vmm_per_frame": round(per("vmm_cycles"), 1),
    }


def run_path(job, path, p, build, ovmf):
    work_ini = os.path.join(build, "bench", f"{job}.ini")
    with open(work_ini, "w") as f:
        f.write(ini_for(path, p))
    case = Case(f"bench_{job}", work_ini, ["netbench.elf"], lambda log: [],
                timeout=p["timeout"], megs=512 if p["guests"] > 2 else 256,
                phys="null" if path == "outside" else "")
    work = os.path.join(build, "bench", job)
    os.makedirs(work, exist_ok=True)
    log, r = e2e.run_bochs(case, work, build, ovmf)
    elapsed = r.seconds
    rows, memcpy, setups = parse(log)
    problems = []
    died = r.died()
    if died:
        problems.append(died)
    for g in ("tx", "rx") if path != "outside" else ("tx",):
        if log.status(g) != ("exited", 0):
            problems.append(f"{g}: {log.status(g)}")
    if not rows:
        problems.append("no bench lines")
    return job, rows, memcpy, problems, elapsed, work, setups


def ratios(rows):
    """Per 2-guest configuration: bridge / cross-talk and outside / cross-talk,
    modeled cost per frame (above 1: cross-talk is cheaper)."""
    by = {}
    for r in rows:
        if r["guests"] == 2:
            by[(r["path"], r["layout"], r["size"], r["batch"], r["mode"])] = r
    out = []
    for (path, layout, size, batch, mode), x in by.items():
        if path != "crosstalk":
            continue
        b = by.get(("bridge", layout, size, batch, mode))
        o = by.get(("outside", layout, size, batch, mode))
        out.append({"layout": layout, "size": size, "batch": batch, "mode": mode,
                    "bridge": b["modeled_cost_per_frame"] / x["modeled_cost_per_frame"] if b else None,
                    "outside": o["modeled_cost_per_frame"] / x["modeled_cost_per_frame"] if o else None})
    return out


def markdown(rows, memcpy, wall, setups=()):
    out = ["| path | layout | size | batch | mode | guests | frames/s | cycles/frame | exits/frame | "
           "irqs/frame | copies/frame | bytes copied/frame | remaps/frame | INVEPTs/frame | "
           "modeled/frame | modeled nested | RTT cycles | VMM cycles/frame | setup cycles |",
           "|" + "---|" * 19]
    for r in rows:
        out.append(f"| {r['path']} | {r['layout']} | {r['size']} | {r['batch']} | {r['mode']} | "
                   f"{r['guests']} | {r['frames_per_s']} | {r['cycles_per_frame']} | "
                   f"{r['exits_per_frame']} | {r['irqs_per_frame']} | {r['copies_per_frame']} | "
                   f"{r['bytes_copied_per_frame']} | {r['remaps_per_frame']} | "
                   f"{r['invepts_per_frame']} | {r['modeled_cost_per_frame']} | "
                   f"{r['modeled_nested']} | {r['rtt_cycles']} | {r['vmm_per_frame']} | "
                   f"{r['setup_cycles']} |")
    out.append("")
    out.append("Modeled cost = cycles + exits x 1,200 + INVEPTs x 2,000; nested: exits x 14,000. "
               "A frame of a `tso` row is one wire segment; its batch counts super-frames.")
    out.append("")
    out.append("Cross-talk against the bridge and the physical NIC, modeled cost per frame "
               "(2 guests; above 1.00 cross-talk is cheaper):")
    out.append("")
    out.append("| layout | size | batch | mode | bridge / cross-talk | outside / cross-talk |")
    out.append("|---|---|---|---|---|---|")
    order = {l: i for i, l in enumerate(LAYOUTS)}
    for q in sorted(ratios(rows), key=lambda q: (order.get(q["layout"], 9), q["mode"],
                                                 sizekey(q["size"]), q["batch"])):
        fmt = lambda v: f"{v:.2f}" if v is not None else "-"  # noqa: E731
        out.append(f"| {q['layout']} | {q['size']} | {q['batch']} | {q['mode']} | "
                   f"{fmt(q['bridge'])} | {fmt(q['outside'])} |")
    out.append("")
    out.append("Setup per layout, outside the rows (machine-wide VMM cycles; the rings: both "
               "NICs set up again and the handshake, which is where cross-talk pre-shares, and "
               "tears down the previous layout's pairs; the warm-up: W frames of 1514 B, jumbo "
               "9014 B, each way):")
    out.append("")
    out.append("| path | layout | guests | setup VMM cycles | of which rings | remaps (rings) | "
               "INVEPTs (rings) | copies (rings) | remaps (all) | INVEPTs (all) | copies (all) |")
    out.append("|" + "---|" * 11)
    lorder = {l: i for i, l in enumerate(LAYOUTS)}
    order = {"bridge": 0, "crosstalk": 1, "outside": 2}
    for x in sorted(setups, key=lambda x: (int(x.get("guests", 2)), lorder.get(x["layout"], 9),
                                           order.get(x["path"], 9))):
        out.append(f"| {x['path']} | {x['layout']} | {x.get('guests', 2)} | {x['vmm_cycles']} | "
                   f"{x.get('rings_vmm_cycles', '-')} | {x.get('rings_remaps', '-')} | "
                   f"{x.get('rings_invepts', '-')} | {x.get('rings_copies', '-')} | "
                   f"{x['remaps']} | {x['invepts']} | {x['copies']} |")
    out.append("")
    if memcpy:
        out.append(f"memcpy of 1514 bytes on the same emulator: {memcpy} cycles.")
    out.append(f"Wall-clock time of the run: {wall:.0f} s (for reference; the figures above are "
               "emulated cycles and do not depend on it).")
    return "\n".join(out)


def sizekey(size):
    return 1 << 30 if size == "tso" else size


def plot(rows, out_png, data_dir):
    if not shutil.which("gnuplot"):
        print("bench: gnuplot not installed (Debian package gnuplot-nox): no plot", file=sys.stderr)
        return False
    series = {}
    for r in rows:
        if r["guests"] != 2:
            continue
        # One line per path and layout: the largest batch, polling, by frame size.
        key = f"{r['path']}-{r['layout']}"
        if r["size"] != "tso" and r["batch"] == max(x["batch"] for x in rows) and \
                r["mode"] == "poll":
            series.setdefault(key, []).append((r["size"], r["modeled_cost_per_frame"]))
    if not series:
        return False
    cmds = [f"set terminal png size 900,540", f"set output '{out_png}'",
            "set title 'xtalk: modeled cost per frame (batch 32, polling receiver)'",
            "set xlabel 'frame size (bytes)'", "set ylabel 'cycles per frame (exits x 1200)'",
            "set key top left", "set grid", "set logscale y"]
    plots = []
    for name, pts in sorted(series.items()):
        dat = os.path.join(data_dir, f"{name}.dat")
        with open(dat, "w") as f:
            for x, y in sorted(pts):
                f.write(f"{x} {y}\n")
        plots.append(f"'{dat}' using 1:2 with linespoints title '{name}'")
    cmds.append("plot " + ", ".join(plots))
    subprocess.run(["gnuplot"], input="\n".join(cmds), text=True, check=True)
    return True


KEEP = "<!-- Everything below is written by hand and kept by --update-docs. -->"


def update_docs(table):
    """Rewrite the table at the top of docs/performance.md, keep the analysis below KEEP."""
    path = os.path.join(ROOT, "docs", "performance.md")
    tail = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
        if KEEP in old:
            tail = old[old.index(KEEP):]
    with open(path, "w") as f:
        f.write("# Performance\n\nThe latest table, produced by "
                "`make bench BENCH_ARGS=--update-docs` on "
                f"{datetime.date.today().isoformat()} (Bochs 2.7, emulated cycles; see "
                "tests/bench/bench.py for the definitions). `build/bench/results.csv` and "
                "`build/bench/cost.png` come from the same run.\n\n" + table + "\n"
                + ("\n" + tail if tail else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--tiny", action="store_true", help="a few frames, one size: checks the "
                    "benchmark runs and its output is well formed (make test)")
    ap.add_argument("--paths", default="bridge,crosstalk,outside,scale")
    ap.add_argument("--update-docs", action="store_true", help="rewrite docs/performance.md")
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    os.makedirs(os.path.join(build, "bench"), exist_ok=True)
    try:
        ovmf = e2e.check_platform(build)
    except e2e.Skip as s:
        status, why = e2e.skip(str(s))
        print(f"bench: {status}: {why}")
        return 1 if status == "FAIL" else 0
    if args.tiny:
        # Every layout once, a few frames: 64 and 1514 B (aligned, linux),
        # 9014 B (jumbo) and TSO, batches 1 and 32, polling.
        p = dict(sizes="64,1514", jsizes="9014", batches="1,32", modes="poll", count=64,
                 rtt=8, timeout=600, layouts=LAYOUTS, tso=1, warmup=32)
    else:
        p = dict(sizes="64,512,1514", jsizes="64,1514,9014", batches="1,8,32",
                 modes="irq,poll", count=2000, rtt=200, timeout=3600, layouts=LAYOUTS, tso=1,
                 warmup=None)
    jobs = []
    for path in args.paths.split(","):
        q = dict(p, guests=16 if path == "scale" else 2)
        if path == "scale":
            q.update(layouts=SCALE_LAYOUTS, tso=0)
            if not args.tiny:
                q.update(sizes="64,1514", batches="32", modes="poll")
            else:
                q.update(sizes="64,1514", batches="32")
        jobs.append(("crosstalk" if path == "scale" else path, q, path))

    start = time.monotonic()
    rows, memcpy, failed, setups = [], None, False, []
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futs = [pool.submit(run_path, job, path, q, build, ovmf) for path, q, job in jobs]
        for fut in concurrent.futures.as_completed(futs):
            path, got, mc, problems, elapsed, work, st = fut.result()
            setups += st
            print(f"bench: {path}: {len(got)} rows in {elapsed:.0f} s ({work})", flush=True)
            if problems:
                failed = True
                print(f"bench: {path}: FAILED: {'; '.join(problems)}", file=sys.stderr)
            rows += [derive(kv) for kv in got]
            memcpy = memcpy or mc
    wall = time.monotonic() - start
    order = {"bridge": 0, "crosstalk": 1, "outside": 2}
    lorder = {l: i for i, l in enumerate(LAYOUTS)}
    rows.sort(key=lambda r: (r["guests"], lorder.get(r["layout"], 9), order.get(r["path"], 9),
                             r["mode"], sizekey(r["size"]), r["batch"]))

    csv_path = os.path.join(build, "bench", "results.csv")
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for r in rows:
            w.writerow([r[k] for k in HEADER])
    table = markdown(rows, memcpy, wall, setups)
    print(table)
    with open(os.path.join(build, "bench", "results.md"), "w") as f:
        f.write(table + "\n")
    png = os.path.join(build, "bench", "cost.png")
    plot(rows, png, os.path.join(build, "bench"))
    print(f"bench: {csv_path}, {png}")
    if args.update_docs and not args.tiny:
        update_docs(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
