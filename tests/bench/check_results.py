#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that build/bench/results.csv is well formed: the exact header, one
row per measured configuration, every path present, numbers where numbers
belong and values that make sense (not a timed benchmark: no thresholds)."""
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import HEADER  # noqa: E402


def main(path):
    problems = []
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != HEADER:
        return [f"header {rows[0] if rows else None} != {HEADER}"]
    body = [dict(zip(HEADER, r)) for r in rows[1:]]
    if not body:
        problems.append("no rows")
    for i, r in enumerate(body, 2):
        if len(r) != len(HEADER):
            problems.append(f"line {i}: {len(r)} fields")
            continue
        if r["path"] not in ("bridge", "crosstalk", "outside"):
            problems.append(f"line {i}: path {r['path']}")
        if r["mode"] not in ("irq", "poll"):
            problems.append(f"line {i}: mode {r['mode']}")
        try:
            nums = {k: float(r[k]) for k in HEADER if k not in ("path", "mode")}
        except ValueError as e:
            problems.append(f"line {i}: {e}")
            continue
        if nums["frames"] <= 0 or nums["cycles_per_frame"] <= 0 or nums["frames_per_s"] <= 0:
            problems.append(f"line {i}: no frames measured: {r}")
        if nums["modeled_cost_per_frame"] < nums["cycles_per_frame"]:
            problems.append(f"line {i}: modeled cost below measured cycles")
        if nums["exits_per_frame"] < 0 or nums["copies_per_frame"] < 0:
            problems.append(f"line {i}: negative counters")
    paths = {r["path"] for r in body}
    for want in ("bridge", "crosstalk", "outside"):
        if want not in paths:
            problems.append(f"no {want} rows")
    if not any(r.get("guests") == "16" for r in body):
        problems.append("no 16-guest scaling row")
    return problems


if __name__ == "__main__":
    p = main(sys.argv[1] if len(sys.argv) > 1 else "build/bench/results.csv")
    for x in p:
        print("bench check: " + x)
    print("bench check: " + ("FAILED" if p else "results.csv is well formed"))
    sys.exit(1 if p else 0)
