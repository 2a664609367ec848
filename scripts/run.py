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

When stdin is a terminal, what is typed goes to the machine's COM1 (Bochs:
through a bochs.SerialLink; the terminal is in cbreak mode for the run, so
keys go at once, without echo, and Ctrl-C still stops). xtalk gives it to
one guest at a time; Ctrl-A three times moves it to the next guest
(docs/console.md). Otherwise (tests, CI) nothing changes: COM1 is a file.
"""
import argparse
import os
import re
import subprocess
import sys
import termios
import threading
import time
import tty

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


def forward_input(link):
    """Send what is typed on stdin to COM1, as it comes, until stdin ends.
    Bytes typed before Bochs is connected wait for it."""
    while True:
        try:
            data = os.read(sys.stdin.fileno(), 1024)
        except OSError:
            return
        if not data:
            return
        while not link.send(data):
            time.sleep(0.1)


def run_bochs(disk, timeout, work, megs=256):
    os.makedirs(work, exist_ok=True)
    try:
        ovmf = bochs.ovmf_rom(os.path.join(work, "OVMF.fd"))
    except bochs.Missing as m:
        print(f"run: {m}", file=sys.stderr)
        return 1
    print("run: no KVM with nested VMX here; using Bochs, which emulates VT-x and EPT "
          "(about 10 s to boot the firmware; Ctrl-C stops it)", flush=True)
    con = Console(os.path.join(work, "serial.txt"))
    link, saved, poll = None, None, 0.5
    if sys.stdin.isatty():
        link = bochs.SerialLink(con.path)
        saved = termios.tcgetattr(sys.stdin.fileno())
        tty.setcbreak(sys.stdin.fileno())
        threading.Thread(target=forward_input, args=(link,), daemon=True).start()
        poll = 0.1
        print("run: what you type goes to one guest at a time; Ctrl-A three times "
              "moves it to the next (docs/console.md)", flush=True)
    try:
        r = bochs.run(work, bochs.config(work, ovmf, disk, megs=megs, nic="vnet", link=link), timeout,
                      watch=lambda _: con.show(), poll=poll)
    finally:
        if saved:
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, saved)
        if link:
            link.close()
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
    ap.add_argument("--megs", type=int, default=256,
                    help="the emulated machine's memory in MiB (Linux guests need more)")
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
                     args.work or os.path.join(os.path.dirname(disk), "run"), args.megs)


if __name__ == "__main__":
    sys.exit(main())
