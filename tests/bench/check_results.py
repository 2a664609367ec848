#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that build/bench/results.csv is well formed: the exact header, one
row per measured configuration, every path with every layout (16-guest rows
for aligned and linux), numbers where numbers belong and values that make
sense (not a timed benchmark: no thresholds)."""
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import HEADER, LAYOUTS, SCALE_LAYOUTS  # noqa: E402

PATHS = ("bridge", "crosstalk", "outside")
WORDS = ("path", "layout", "size", "mode")


def check_row(i, r, problems):
    if r["path"] not in PATHS:
        problems.append(f"line {i}: path {r['path']}")
    if r["layout"] not in LAYOUTS:
        problems.append(f"line {i}: layout {r['layout']}")
    if r["mode"] not in ("irq", "poll"):
        problems.append(f"line {i}: mode {r['mode']}")
    if r["size"] == "tso":
        if r["layout"] == "aligned":
            problems.append(f"line {i}: a TSO row in layout aligned")
    elif not r["size"].isdigit() or not 60 <= int(r["size"]) <= 9014:
        problems.append(f"line {i}: size {r['size']}")
    elif int(r["size"]) > 1514 and r["layout"] != "jumbo":
        problems.append(f"line {i}: a {r['size']}-byte frame in layout {r['layout']}")
    try:
        nums = {k: float(r[k]) for k in HEADER if k not in WORDS}
    except ValueError as e:
        problems.append(f"line {i}: {e}")
        return
    if nums["frames"] <= 0 or nums["cycles_per_frame"] <= 0 or nums["frames_per_s"] <= 0:
        problems.append(f"line {i}: no frames measured: {r}")
    if nums["modeled_cost_per_frame"] < nums["cycles_per_frame"]:
        problems.append(f"line {i}: modeled cost below measured cycles")
    if any(nums[k] < 0 for k in ("exits_per_frame", "irqs_per_frame", "copies_per_frame",
                                 "bytes_copied_per_frame", "remaps_per_frame",
                                 "invepts_per_frame", "setup_cycles", "rtt_cycles")):
        problems.append(f"line {i}: negative counters")
    if nums["setup_cycles"] <= 0:
        problems.append(f"line {i}: no setup cycles measured")
    if nums["batch"] < 1 or nums["guests"] < 1:
        problems.append(f"line {i}: batch or guests below 1")


def main(path):
    problems = []
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != HEADER:
        return [f"header {rows[0] if rows else None} != {HEADER}"]
    body = []
    for i, r in enumerate(rows[1:], 2):
        if len(r) != len(HEADER):
            problems.append(f"line {i}: {len(r)} fields")
            continue
        body.append(dict(zip(HEADER, r)))
        check_row(i, body[-1], problems)
    if not body:
        problems.append("no rows")
    have = {(r["path"], r["layout"], r["guests"]) for r in body}
    for p in PATHS:
        for layout in LAYOUTS:
            if (p, layout, "2") not in have:
                problems.append(f"no {p} rows for layout {layout}")
    for layout in SCALE_LAYOUTS:
        if ("crosstalk", layout, "16") not in have:
            problems.append(f"no 16-guest rows for layout {layout}")
    for layout in LAYOUTS[1:]:
        if not any(r["layout"] == layout and r["size"] == "tso" for r in body):
            problems.append(f"no TSO rows for layout {layout}")
    return problems


if __name__ == "__main__":
    p = main(sys.argv[1] if len(sys.argv) > 1 else "build/bench/results.csv")
    for x in p:
        print("bench check: " + x)
    print("bench check: " + ("FAILED" if p else "results.csv is well formed"))
    sys.exit(1 if p else 0)
