#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make run: boot a disk image with xtalk in the best emulator available and
show the serial console live.

QEMU/KVM when this host offers nested VMX (scripts/run-qemu.sh), otherwise
Bochs, which emulates VT-x and EPT, with the machine's physical NIC on Bochs'
vnet back end (a host at 192.168.10.1 answering ARP and ping). The run ends
when xtalk powers the machine off (exit 0). Bochs dying, or exiting before
xtalk powered off, is a failure: its last lines are shown and the exit status
is 1. Ctrl-C stops the emulator, shows what the console had, exits 130.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import bochs  # noqa: E402

ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")


class Console:
    """Prints the complete lines of the serial log that are new since last time."""

    def __init__(self, path):
        self.path = path
        self.done = 0
        self.lines = 0

    def show(self, final=False):
        text = bochs.read_text(self.path)
        end = len(text) if final else text.rfind("\n", self.done) + 1
        if end <= self.done:
            return
        for line in text[self.done:end].splitlines():
            line = ANSI.sub("", line).replace("\r", "")
            if line.strip():
                print(line, flush=True)
                self.lines += 1
        self.done = end


def run_bochs(disk, timeout, work):
    os.makedirs(work, exist_ok=True)
    try:
        ovmf = bochs.ovmf_rom(os.path.join(work, "OVMF.fd"))
    except bochs.Missing as m:
        print(f"run: {m}", file=sys.stderr)
        return 1
    print("run: no KVM with nested VMX here; using Bochs, which emulates VT-x and EPT "
          "(about 10 s to boot the firmware; Ctrl-C stops it)", flush=True)
    con = Console(os.path.join(work, "serial.txt"))
    r = bochs.run(work, bochs.config(work, ovmf, disk, nic="vnet"), timeout,
                  watch=lambda _: con.show())
    con.show(final=True)
    why = r.died()
    if why:
        print(f"run: {why}", file=sys.stderr)
        print(f"run: console log in {r.serial}, Bochs output in {r.out}", file=sys.stderr)
        return 130 if r.how == "interrupted" else 1
    print(f"run: xtalk powered off after {r.seconds:.0f} s; console log in {r.serial}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("disk")
    ap.add_argument("--timeout", type=int, default=int(os.environ.get("XTALK_RUN_TIMEOUT", 900)))
    ap.add_argument("--work", help="folder for Bochs' files (default: run/ beside the disk)")
    ap.add_argument("--emulator", choices=("auto", "bochs"), default="auto",
                    help="auto: QEMU/KVM when it offers nested VMX, else Bochs")
    args = ap.parse_args()
    disk = os.path.realpath(args.disk)
    qemu = os.path.join(HERE, "run-qemu.sh")
    if args.emulator == "auto" and subprocess.run([qemu, "--probe"], stdout=subprocess.DEVNULL,
                                                  stderr=subprocess.DEVNULL).returncode == 0:
        print("run: QEMU/KVM with nested VMX (Ctrl-A X quits)", flush=True)
        os.execv(qemu, [qemu, "--bus", "ide", "--accel", "kvm", disk])
    return run_bochs(disk, args.timeout,
                     args.work or os.path.join(os.path.dirname(disk), "run"))


if __name__ == "__main__":
    sys.exit(main())
