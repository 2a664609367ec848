#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot-path tests: xtalk started the ways a user starts it.

  usb-bochs-ata       build/xtalk-usb.img as an ATA disk under Bochs + OVMF:
                      the default guests run and xtalk powers off
  usb-qemu-tcg        the same image as a USB stick (xHCI) under QEMU + OVMF,
                      through scripts/run-qemu.sh: xtalk reads xtalk.ini, loads
                      the guests, stops with "VT-x not available", powers off
  netboot-qemu-tftp   iPXE (QEMU's e1000 option ROM) fetches xtalk.ipxe, xtalk.ini,
                      the guests and xtalk.efi from QEMU's TFTP server
  netboot-qemu-http   the same over HTTP from scripts/netboot.sh serve
  netboot-ipxe-usb    no iPXE ROM: Debian's ipxe.efi on a USB stick image
                      (scripts/netboot.sh ipxe-usb) does the same over TFTP
  netboot-serve-tftp  scripts/netboot.sh serve's TFTP server (dnsmasq) on
                      127.0.0.1 hands out the staged files byte for byte
  make-run            scripts/run.py (make run) under Bochs: the default guests
                      move frames through shared pages and the physical NIC,
                      it ends by itself with status 0
  make-run-ctrl-c     Ctrl-C while it runs: exit 130, console shown, Bochs gone
  make-run-terminal   on a terminal (a pty): Ctrl-A x3 typed moves xtalk's
                      console input from alice to bob, Ctrl-C typed still
                      stops it (exit 130) and the terminal is restored
  make-run-dies       a bochs that aborts at start: make run fails and shows
                      Bochs' last lines

Each case has a time limit; an emulator that is still running then is killed.
A case whose emulator, firmware or package is missing is SKIP with the
reason, never PASS; with CI=true it is a FAIL.
"""
import argparse
import concurrent.futures
import hashlib
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

sys.path.insert(0, os.path.join(ROOT, "scripts"))

import bochs  # noqa: E402
from consolelog import ConsoleLog  # noqa: E402

OVMF_CODE = bochs.OVMF_CODE
OVMF_VARS = bochs.OVMF_VARS
IPXE_ROMS = ["/usr/lib/ipxe/qemu/efi-e1000.rom", "/usr/share/qemu/efi-e1000.rom"]
DEFAULT_INI = os.path.join(ROOT, "configs", "default.ini")
SCRIPTS = os.path.join(ROOT, "scripts")

# Lines after which nothing good can come: stop the emulator at once.
STOP_MARKERS = [
    "xtalk-netboot: FAILED",          # our iPXE script
    "xtalk: cannot ",                 # the loader gave up
    "xtalk: ExitBootServices failed",
    "BdsDxe: failed to load",         # OVMF could not start a boot option
    "No bootable option",
    "Shell>",                         # OVMF fell through to its shell
    "No more network devices",        # iPXE found nothing to boot
]
# xtalk has powered off: the emulator must exit by itself within this time.
POWER_OFF_GRACE = 20

class Skip(Exception):
    pass


def default_guests():
    """(name, image) of each guest section of configs/default.ini."""
    with open(DEFAULT_INI) as f:
        return ini_guests(f.read())


def image_guests(img):
    """(name, image) of each guest section of the xtalk.ini inside a disk image."""
    r = subprocess.run(["mcopy", "-n", "-i", img + "@@1M", "::/xtalk.ini", "-"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        raise RuntimeError(f"cannot read xtalk.ini from {img}: {r.stderr.strip()}")
    return ini_guests(r.stdout)


def ini_guests(text):
    guests, name = [], None
    for line in text.splitlines():
        line = line.split(";")[0].split("#")[0].strip()
        m = re.match(r"\[guest\s+(\S+)\]$", line)
        if m:
            name = m.group(1)
            continue
        if line.startswith("["):
            name = None
        m = re.match(r"image\s*=\s*(\S+)$", line)
        if m and name:
            guests.append((name, m.group(1)))
    return guests


def need_qemu():
    if not shutil.which("qemu-system-x86_64"):
        raise Skip("qemu-system-x86_64 not installed (Debian package qemu-system-x86)")
    if not (os.path.exists(OVMF_CODE) and os.path.exists(OVMF_VARS)):
        raise Skip("OVMF not installed (Debian package ovmf)")


def need_ipxe_rom():
    if not any(os.path.exists(r) for r in IPXE_ROMS):
        raise Skip("QEMU's iPXE option ROM efi-e1000.rom not installed (Debian package ipxe-qemu)")


def read_text(path):
    if not os.path.exists(path):
        return ""
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace")


def run_watched(cmd, log_path, timeout, cwd, stdout_to_log=False):
    """Run cmd in its own process group, watching log_path as it grows.

    Stops it early on a STOP_MARKERS line, and after POWER_OFF_GRACE seconds
    if xtalk powered off but the emulator is still there. Returns
    (ConsoleLog, how, returncode, seconds); how is "exited", "timeout",
    "stop marker: ..." or "no exit after power-off".
    """
    start = time.monotonic()
    deadline = start + timeout
    out = open(log_path, "wb") if stdout_to_log else open(log_path + ".out", "wb")
    if not stdout_to_log and os.path.exists(log_path):
        os.remove(log_path)
    # `timeout` too, so that QEMU goes even if this harness is killed.
    proc = subprocess.Popen(["timeout", "-k", "5", str(timeout + 10)] + cmd, cwd=cwd,
                            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
    how, powered_off = None, False
    while how is None:
        try:
            proc.wait(timeout=0.5)
            how = "exited"
            break
        except subprocess.TimeoutExpired:
            pass
        text = ConsoleLog(read_text(log_path))
        marker = next((m for m in STOP_MARKERS if text.has(m)), None)
        if marker:
            how = f"stop marker: {text.first(marker)!r}"
        elif not powered_off and text.has("xtalk: powering off"):
            powered_off = True
            deadline = min(deadline, time.monotonic() + POWER_OFF_GRACE)
        elif time.monotonic() > deadline:
            how = "no exit after power-off" if powered_off else "timeout"
    if proc.poll() is None:
        kill_group(proc)
    out.close()
    return ConsoleLog(read_text(log_path)), how, proc.returncode, time.monotonic() - start


def kill_group(proc):
    """TERM the process group we started, then KILL it if it lingers."""
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def expect(problems, cond, msg):
    if not cond:
        problems.append(msg)


def check_ran(how, rc, timeout, problems, name="the emulator"):
    if how == "timeout":
        problems.append(f"{name} still running after {timeout} s: killed")
    elif how != "exited":
        problems.append(f"{name} stopped by the test: {how}")
    elif rc not in (0, 1):
        problems.append(f"{name} exited with status {rc}")


def check_no_vtx_stop(log, problems, guests):
    """xtalk read xtalk.ini, loaded every guest, then stopped for lack of VT-x."""
    n = len(guests)
    expect(problems, log.has("xtalk: UEFI loader starting"), "no 'xtalk: UEFI loader starting'")
    expect(problems, log.grep(rf"^xtalk: {n} guest\(s\) loaded"),
           f"no 'xtalk: {n} guest(s) loaded' (xtalk.ini and its guests not read)")
    expect(problems, not log.has("refused"), f"a guest was refused: {log.first('refused')!r}")
    expect(problems, log.has("VT-x not available"), "no 'VT-x not available' stop")
    expect(problems, log.has("xtalk: powering off"), "no 'xtalk: powering off'")


def qemu_netboot_cmd(work, netdev):
    vars_fd = os.path.join(work, "OVMF_VARS.fd")
    shutil.copyfile(OVMF_VARS, vars_fd)
    return ["qemu-system-x86_64", "-machine", "q35,accel=tcg", "-m", "512", "-nodefaults",
            "-display", "none",
            "-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
            "-drive", f"if=pflash,format=raw,file={vars_fd}",
            "-netdev", netdev, "-device", "e1000,netdev=n0,bootindex=0",
            "-serial", "file:" + os.path.join(work, "console.txt"), "-no-reboot"]


def stage_netboot(ctx, work):
    """scripts/netboot.sh stage into work/srv, as 'make netboot' does."""
    srv = os.path.join(work, "srv")
    guests = sorted(os.path.join(ctx.build, "guests", g)
                    for g in os.listdir(os.path.join(ctx.build, "guests")) if g.endswith(".elf"))
    r = subprocess.run([os.path.join(SCRIPTS, "netboot.sh"), "stage", srv,
                        os.path.join(ctx.build, "xtalk.efi"), DEFAULT_INI] + guests,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        raise RuntimeError("netboot.sh stage failed: " + r.stdout.strip())
    return srv


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- cases

def case_usb_qemu_tcg(ctx, work):
    need_qemu()
    img = ctx.usb_img
    # On a host with nested KVM, auto mode would run the guests: ask for TCG.
    # Elsewhere auto mode is what 'make run-qemu' does, so test that.
    probe = subprocess.run([os.path.join(SCRIPTS, "run-qemu.sh"), "--probe"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    accel = ["--accel", "tcg"] if probe.returncode == 0 else []
    t = 90
    log, how, rc, secs = run_watched(
        [os.path.join(SCRIPTS, "run-qemu.sh")] + accel + ["--timeout", str(t), img],
        os.path.join(work, "console.txt"), t, work, stdout_to_log=True)
    p = []
    check_ran(how, rc, t, p, "run-qemu.sh")
    expect(p, log.has("run-qemu: booting under QEMU TCG"), "run-qemu.sh did not say it boots under TCG")
    expect(p, log.grep(r'BdsDxe: starting Boot[0-9A-F]+ ".*USB'),
           "OVMF did not start a USB boot option")
    check_no_vtx_stop(log, p, image_guests(img))
    expect(p, rc == 0 and log.has("run-qemu: QEMU exited"), f"QEMU did not exit cleanly (status {rc})")
    return p, log, secs


def case_netboot_qemu_tftp(ctx, work):
    need_qemu()
    need_ipxe_rom()
    srv = stage_netboot(ctx, work)
    t = 120
    log, how, rc, secs = run_watched(
        qemu_netboot_cmd(work, f"user,id=n0,tftp={srv},bootfile=xtalk.ipxe"),
        os.path.join(work, "console.txt"), t, work)
    p = []
    check_ran(how, rc, t, p, "QEMU")
    expect(p, log.has("iPXE "), "no iPXE banner: the e1000 option ROM did not run")
    expect(p, log.has("tftp://10.0.2.2/xtalk.ipxe... ok"), "iPXE did not fetch xtalk.ipxe over TFTP")
    expect(p, log.has("xtalk.ini... ok"), "iPXE did not fetch xtalk.ini")
    expect(p, log.has("xtalk.efi... ok"), "iPXE did not fetch xtalk.efi")
    check_no_vtx_stop(log, p, default_guests())
    return p, log, secs


def case_netboot_qemu_http(ctx, work):
    need_qemu()
    need_ipxe_rom()
    srv = stage_netboot(ctx, work)
    port = free_port()
    t = 120
    server_log = os.path.join(work, "server.txt")
    with open(server_log, "wb") as out:
        server = subprocess.Popen(
            [os.path.join(SCRIPTS, "netboot.sh"), "serve", srv, "--no-tftp",
             "--addr", "127.0.0.1", "--http-port", str(port), "--timeout", str(t + 30)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        for _ in range(50):
            if "Serving HTTP" in read_text(server_log) or server.poll() is not None:
                break
            time.sleep(0.2)
        if server.poll() is not None:
            return [f"netboot.sh serve exited at once: {read_text(server_log).strip()}"], \
                ConsoleLog(""), 0
        url = f"http://10.0.2.2:{port}/xtalk.ipxe"
        log, how, rc, secs = run_watched(qemu_netboot_cmd(work, f"user,id=n0,bootfile={url}"),
                                         os.path.join(work, "console.txt"), t, work)
    finally:
        kill_group(server)
    p = []
    check_ran(how, rc, t, p, "QEMU")
    expect(p, log.has(f"{url}... ok"), f"iPXE did not fetch {url}")
    served = read_text(server_log)
    for f in ("xtalk.ini", "xtalk.efi") + tuple(img for _, img in default_guests()):
        expect(p, f'"GET /{f} HTTP/1.1" 200' in served, f"the HTTP server did not serve {f}")
    check_no_vtx_stop(log, p, default_guests())
    return p, log, secs


def case_netboot_ipxe_usb(ctx, work):
    need_qemu()
    if not os.path.exists("/usr/lib/ipxe/ipxe.efi"):
        raise Skip("/usr/lib/ipxe/ipxe.efi not installed (Debian package ipxe)")
    srv = stage_netboot(ctx, work)
    stick = os.path.join(work, "ipxe-usb.img")
    r = subprocess.run([os.path.join(SCRIPTS, "netboot.sh"), "ipxe-usb", stick],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        return [f"netboot.sh ipxe-usb failed: {r.stdout.strip()}"], ConsoleLog(""), 0
    cmd = qemu_netboot_cmd(work, f"user,id=n0,tftp={srv},bootfile=xtalk.ipxe")
    # The NIC without its option ROM: only ipxe.efi from the stick can drive it.
    cmd[cmd.index("e1000,netdev=n0,bootindex=0")] = "e1000,netdev=n0,romfile="
    cmd += ["-drive", f"if=none,id=stick,format=raw,snapshot=on,file={stick}",
            "-device", "qemu-xhci,id=xhci",
            "-device", "usb-storage,bus=xhci.0,drive=stick,bootindex=0"]
    t = 120
    log, how, rc, secs = run_watched(cmd, os.path.join(work, "console.txt"), t, work)
    p = []
    check_ran(how, rc, t, p, "QEMU")
    expect(p, log.grep(r'BdsDxe: starting Boot[0-9A-F]+ ".*USB'), "OVMF did not start the USB stick")
    expect(p, log.has("iPXE "), "no iPXE banner: ipxe.efi did not start")
    expect(p, log.has("tftp://10.0.2.2/xtalk.ipxe... ok"), "iPXE did not fetch xtalk.ipxe over TFTP")
    check_no_vtx_stop(log, p, default_guests())
    return p, log, secs


def tftp_get(host, name, timeout=5.0):
    """A minimal TFTP read (RFC 1350, octet mode, 512-byte blocks)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(b"\0\1" + name.encode() + b"\0octet\0", (host, 69))
        data, expected = b"", 1
        while True:
            pkt, peer = s.recvfrom(4 + 512)
            op, block = struct.unpack("!HH", pkt[:4])
            if op == 5:
                raise RuntimeError(f"TFTP error {block} for {name}: {pkt[4:-1].decode(errors='replace')}")
            if op != 3:
                raise RuntimeError(f"TFTP: unexpected opcode {op}")
            if block == expected:
                data += pkt[4:]
                expected = (expected + 1) & 0xFFFF
            s.sendto(struct.pack("!HH", 4, block), peer)
            if block == (expected - 1) & 0xFFFF and len(pkt) - 4 < 512:
                return data
    finally:
        s.close()


def case_netboot_serve_tftp(ctx, work):
    dnsmasq = shutil.which("dnsmasq") or shutil.which("dnsmasq", path="/usr/sbin:/sbin")
    if not dnsmasq:
        raise Skip("dnsmasq not installed (Debian package dnsmasq-base)")
    if os.geteuid() != 0:
        raise Skip("a TFTP server on port 69 needs root")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", 69))
        except OSError as e:
            raise Skip(f"UDP port 69 on 127.0.0.1 is taken ({e})")
    srv = stage_netboot(ctx, work)
    start = time.monotonic()
    server_log = os.path.join(work, "server.txt")
    with open(server_log, "wb") as out:
        server = subprocess.Popen(
            [os.path.join(SCRIPTS, "netboot.sh"), "serve", srv, "--no-http",
             "--addr", "127.0.0.1", "--timeout", "60"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    p = []
    try:
        for _ in range(50):
            if "TFTP root is" in read_text(server_log) or server.poll() is not None:
                break
            time.sleep(0.2)
        expect(p, server.poll() is None, "netboot.sh serve exited at once")
        names = ["xtalk.ipxe", "xtalk.ini", "xtalk.efi"] + [img for _, img in default_guests()]
        for name in dict.fromkeys(names) if not p else []:
            try:
                got = tftp_get("127.0.0.1", name)
            except (OSError, RuntimeError) as e:
                p.append(f"TFTP fetch of {name} failed: {e}")
                continue
            with open(os.path.join(srv, name), "rb") as f:
                expect(p, got == f.read(), f"TFTP served a different {name}")
    finally:
        kill_group(server)
    text = read_text(server_log)
    if p:
        p.append("server output:\n" + text)
    return p, ConsoleLog(text), time.monotonic() - start


def case_usb_bochs_ata(ctx, work):
    try:
        ovmf = bochs.ovmf_rom(os.path.join(work, "OVMF.fd"))
    except bochs.Missing as m:
        raise Skip(str(m))
    # Bochs writes to its disk and leaves lock files: boot a byte-exact copy.
    disk = os.path.join(work, "disk.img")
    shutil.copyfile(ctx.usb_img, disk)
    if sha256(disk) != sha256(ctx.usb_img):
        return [f"the copy of {ctx.usb_img} differs"], ConsoleLog(""), 0
    t = 300
    r = bochs.run(work, bochs.config(work, ovmf, disk, nic="vnet"), t)
    log = ConsoleLog(r.console())
    if log.has("VT-x not available"):
        raise Skip("the emulated CPU has no VT-x: " + log.first("VT-x not available"))
    p = []
    died = r.died()
    if died:
        p.append(died)
    guests = image_guests(disk)
    expect(p, log.has("xtalk: UEFI loader starting"), "no 'xtalk: UEFI loader starting'")
    expect(p, log.grep(rf"^xtalk: {len(guests)} guest\(s\) loaded"),
           f"no 'xtalk: {len(guests)} guest(s) loaded'")
    for name, image in guests:
        expect(p, log.status(name) == ("exited", 0),
               f"{name}: status {log.status(name)}, want exited 0")
        check_default_guest(log, name, image, p)
    expect(p, log.has("xtalk: powering off"), "no 'xtalk: powering off'")
    return p, log, r.seconds


def check_default_guest(log, name, image, p):
    """What each guest of the default configuration reports, as it reports it."""
    out = log.output_of(name)
    if image == "netxfer.elf":
        expect(p, any(re.match(r"netxfer: received (\d+) frames, 0 bad, 0 out of order, "
                               r"0 missing", t) for t in out),
               f"{name}: netxfer did not receive every frame intact and in order")
        shared = log.grep(rf"^xtalk: guest {name}: path shared page: tx (\d+) frames")
        expect(p, shared and int(shared[-1].group(1)) > 0,
               f"{name}: no frames through shared pages")
    if image == "netout.elf":
        expect(p, any(re.match(r"netout: (\d+)/\1 echo replies ok$", t) for t in out),
               f"{name}: not every echo request to the outside host was answered")
        phys = log.grep(rf"^xtalk: guest {name}: path physical: tx (\d+) frames")
        expect(p, phys and int(phys[-1].group(1)) > 0, f"{name}: no frames to the physical NIC")
    rates = log.grep(r"^xtalk: rate: shared pages (\d+) frames/s")
    expect(p, any(int(m.group(1)) > 0 for m in rates),
           "no rate line showing frames through shared pages")


def interruptible():
    """In the child, before exec: SIGINT as a terminal's Ctrl-C finds it.
    A test run started in the background by a non-interactive shell (nohup
    make test &) inherits SIGINT ignored, and Python then never raises
    KeyboardInterrupt: the Ctrl-C cases would test nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_make_run(ctx, work, env=None, interrupt_after=None, timeout=300):
    """scripts/run.py (what 'make run' calls) on build/xtalk.img under Bochs;
    with interrupt_after=TEXT, Ctrl-C (SIGINT to its process group) once the
    console shows TEXT. Returns (output ConsoleLog, returncode, seconds)."""
    img = os.path.join(ctx.build, "xtalk.img")
    out_path = os.path.join(work, "output.txt")
    start = time.monotonic()
    with open(out_path, "wb") as out:
        proc = subprocess.Popen([os.path.join(SCRIPTS, "run.py"), img, "--emulator", "bochs",
                                 "--timeout", str(timeout), "--work", os.path.join(work, "run")],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True, preexec_fn=interruptible)
        deadline = start + timeout + 30
        while proc.poll() is None and time.monotonic() < deadline:
            if interrupt_after and interrupt_after in read_text(out_path):
                os.killpg(proc.pid, signal.SIGINT)
                interrupt_after = None
            time.sleep(0.2)
        if proc.poll() is None:
            kill_group(proc)
    return ConsoleLog(read_text(out_path)), proc.returncode, time.monotonic() - start


def case_make_run(ctx, work):
    try:
        bochs.require()
    except bochs.Missing as m:
        raise Skip(str(m))
    log, rc, secs = run_make_run(ctx, work)
    p = []
    expect(p, rc == 0, f"scripts/run.py exited {rc}, want 0")
    expect(p, log.has("run: xtalk powered off"), "no 'run: xtalk powered off'")
    for name, image in default_guests():
        expect(p, log.status(name) == ("exited", 0),
               f"{name}: status {log.status(name)}, want exited 0")
        check_default_guest(log, name, image, p)
    return p, log, secs


def case_make_run_dies(ctx, work):
    """A Bochs that aborts at start (as it did without a sound card): 'make run'
    fails and shows Bochs' own words."""
    fakebin = os.path.join(work, "bin")
    os.makedirs(fakebin)
    with open(os.path.join(fakebin, "bochs"), "w") as f:
        f.write("#!/bin/sh\necho 'ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM "
                "default' >&2\necho '*** buffer overflow detected ***: terminated' >&2\n"
                "exit 134\n")
    os.chmod(os.path.join(fakebin, "bochs"), 0o755)
    env = dict(os.environ, PATH=fakebin + os.pathsep + os.environ.get("PATH", ""))
    log, rc, secs = run_make_run(ctx, work, env=env, timeout=60)
    p = []
    expect(p, rc not in (0, None), f"scripts/run.py exited {rc}, want a failure")
    expect(p, log.has("*** buffer overflow detected ***"), "Bochs' last line not shown")
    expect(p, log.has("exit status 134"), "Bochs' exit status not shown")
    return p, log, secs


def case_make_run_ctrl_c(ctx, work):
    """Ctrl-C while the guests run: Bochs goes, the console so far is shown."""
    try:
        bochs.require()
    except bochs.Missing as m:
        raise Skip(str(m))
    log, rc, secs = run_make_run(ctx, work, interrupt_after="xtalk: VMM running", timeout=120)
    p = []
    expect(p, rc == 130, f"scripts/run.py exited {rc} after Ctrl-C, want 130")
    expect(p, log.has("xtalk: VMM running"), "the console before Ctrl-C was not shown")
    expect(p, log.has("run: stopped by Ctrl-C"), "no 'run: stopped by Ctrl-C'")
    left = subprocess.run(["pgrep", "-f", os.path.join(work, "run", "bochsrc")],
                          stdout=subprocess.PIPE, text=True).stdout.split()
    expect(p, not left, f"Bochs still running after Ctrl-C (pids {left})")
    return p, log, secs


def case_make_run_terminal(ctx, work):
    """scripts/run.py with a terminal for stdin: what is typed reaches xtalk
    (the focus moves), Ctrl-C typed on it still stops the run, and the
    terminal modes are given back."""
    import pty
    import select
    import termios
    try:
        bochs.require()
    except bochs.Missing as m:
        raise Skip(str(m))
    img = os.path.join(ctx.build, "xtalk.img")
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        try:
            interruptible()
            os.execv(os.path.join(SCRIPTS, "run.py"),
                     ["run.py", img, "--emulator", "bochs", "--timeout", "120",
                      "--work", os.path.join(work, "run")])
        finally:
            os._exit(127)
    out = b""
    steps = [(b"console input -> guest 'alice'", b"\x01\x01\x01"),
             (b"console input -> guest 'bob'", b"\x03")]
    modes_during = None
    deadline = start + 150
    while time.monotonic() < deadline:
        if steps and steps[0][0] in out:
            if modes_during is None:
                modes_during = termios.tcgetattr(fd)[3]
            os.write(fd, steps.pop(0)[1])
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the child side is closed
            break
        if not data:
            break
        out += data
    modes_after = termios.tcgetattr(fd)[3]
    done, status = os.waitpid(pid, os.WNOHANG)
    if not done:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    os.close(fd)
    rc = os.waitstatus_to_exitcode(status)
    with open(os.path.join(work, "output.txt"), "wb") as f:
        f.write(out)
    log = ConsoleLog(out.decode("utf-8", "replace"))
    p = []
    expect(p, not steps, f"the run never showed {steps[0][0].decode()!r}" if steps else "")
    expect(p, log.has("xtalk: console input -> guest 'bob'"),
           "Ctrl-A x3 typed did not move the console input to bob")
    expect(p, rc == 130, f"scripts/run.py exited {rc} after Ctrl-C typed, want 130")
    expect(p, modes_during is not None and not modes_during & (termios.ICANON | termios.ECHO)
           and modes_during & termios.ISIG,
           "the terminal was not in cbreak mode with signals on during the run")
    expect(p, modes_after & termios.ICANON and modes_after & termios.ECHO,
           "the terminal's line editing and echo were not given back")
    left = subprocess.run(["pgrep", "-f", os.path.join(work, "run", "bochsrc")],
                          stdout=subprocess.PIPE, text=True).stdout.split()
    expect(p, not left, f"Bochs still running after Ctrl-C (pids {left})")
    return p, log, time.monotonic() - start


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# Longest first: two run side by side on two cores.
CASES = [
    ("usb-bochs-ata", case_usb_bochs_ata),
    ("make-run", case_make_run),
    ("usb-qemu-tcg", case_usb_qemu_tcg),
    ("netboot-qemu-tftp", case_netboot_qemu_tftp),
    ("netboot-qemu-http", case_netboot_qemu_http),
    ("netboot-ipxe-usb", case_netboot_ipxe_usb),
    ("netboot-serve-tftp", case_netboot_serve_tftp),
    ("make-run-ctrl-c", case_make_run_ctrl_c),
    ("make-run-terminal", case_make_run_terminal),
    ("make-run-dies", case_make_run_dies),
]


class Ctx:
    def __init__(self, build):
        self.build = build
        self.usb_img = os.path.join(build, "xtalk-usb.img")


def run_case(ctx, name, fn):
    work = os.path.join(ctx.build, "boot-test", name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    start = time.monotonic()
    try:
        problems, log, secs = fn(ctx, work)
    except Skip as s:
        if bochs.strict():
            return "FAIL", f"{s} (CI=true: every case must run)", time.monotonic() - start
        return "SKIP", str(s), time.monotonic() - start
    except Exception as e:  # a case that crashes fails, with the reason
        return "FAIL", f"{type(e).__name__}: {e}", time.monotonic() - start
    if problems:
        tail = "\n".join("    | " + line for line in log.lines[-25:])
        return "FAIL", "; ".join(problems) + f"\n    work folder: {work}\n{tail}", secs
    return "PASS", "", secs


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("names", nargs="*", help="cases to run (default: all)")
    args = ap.parse_args()
    if args.list:
        for name, _ in CASES:
            print(name)
        return 0
    unknown = set(args.names) - {n for n, _ in CASES}
    if unknown:
        print("unknown case(s): " + ", ".join(sorted(unknown)), file=sys.stderr)
        return 2
    ctx = Ctx(os.path.abspath(args.build))
    missing = [f for f in (ctx.usb_img, os.path.join(ctx.build, "xtalk.efi"))
               if not os.path.exists(f)]
    if missing:
        print("boot: missing " + ", ".join(missing) + " (run 'make usb' first)", file=sys.stderr)
        return 2
    cases = [(n, f) for n, f in CASES if not args.names or n in args.names]
    results = {}
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_case, ctx, n, f): n for n, f in cases}
        for fut in concurrent.futures.as_completed(futures):
            name = futures[fut]
            status, why, secs = fut.result()
            results[name] = status
            print(f"{status} {name} ({secs:.0f} s){': ' + why if why else ''}", flush=True)
    counts = {s: list(results.values()).count(s) for s in ("PASS", "FAIL", "SKIP")}
    print(f"boot tests took {time.monotonic() - start:.0f} s")
    print(f"boot: {counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
