#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make test: run every stage (unit, acpi-check, fuzz-short, e2e, boot-test, bench-check)
as its own make target, all of them even after one failed, show their output
as it comes, and close with one line counting every case:

    test: N passed, N failed, N skipped

A stage's cases are read from its own closing line ("NAME: N passed, N failed,
N skipped"); a stage that ends without one counts as one case, passed or
failed by its exit status. The exit status is 1 if anything failed.
"""
import argparse
import re
import subprocess
import sys
import time

CLOSING = re.compile(r"^([\w-]+): (\d+) passed, (\d+) failed, (\d+) skipped$")


def run_stage(make, stage):
    """(passed, failed, skipped, seconds) of one make target."""
    start = time.monotonic()
    proc = subprocess.Popen(make.split() + ["--no-print-directory", stage],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace", bufsize=1)
    counts = None
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        m = CLOSING.match(line.strip())
        if m:
            counts = [int(m.group(i)) for i in (2, 3, 4)]
    rc = proc.wait()
    if counts is None:
        counts = [1, 0, 0] if rc == 0 else [0, 1, 0]
    elif rc != 0 and counts[1] == 0:
        counts[1] = 1  # it said nothing failed, yet it failed: count that
    return counts + [time.monotonic() - start]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--make", default="make")
    ap.add_argument("stages", nargs="+")
    args = ap.parse_args()
    rows = []
    for stage in args.stages:
        print(f"==== make {stage}", flush=True)
        rows.append((stage, *run_stage(args.make, stage)))
    print("==== summary")
    for stage, p, f, s, secs in rows:
        print(f"  {stage:12} {p:5} passed {f:4} failed {s:4} skipped  ({secs:.0f} s)")
    total = [sum(r[i] for r in rows) for i in (1, 2, 3)]
    print(f"test: {total[0] + total[1]} cases ran in {len(rows)} stages")
    print(f"test: {total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 1 if total[1] else 0


if __name__ == "__main__":
    sys.exit(main())
