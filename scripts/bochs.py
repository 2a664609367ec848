# SPDX-License-Identifier: MIT
"""Bochs for xtalk: the one configuration writer and runner every harness uses
(make run, the end-to-end tests, the boot tests, the bench).

The machine Bochs emulates takes nothing from the host beyond the Debian
packages scripts/deps.sh installs: a headless display (RFB, no window), the
dummy sound driver and no PC speaker (with the host's sound, a machine without
a sound card makes Bochs abort at start), OVMF as one 2 MiB ROM, the disk image
as the first ATA disk, COM1 to a file. A run that types into COM1 (make run
on a terminal, the console input test) connects COM1 to a SerialLink instead:
Bochs connects to it over TCP, what xtalk writes still lands in serial.txt,
and send() types bytes.

A run is a failure when Bochs dies: when it exits with a status other than 0
(magic break) or 1 (power-off), or before xtalk powered the machine off. What
is wrong is then said with Bochs' own last lines (see died()).
"""
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS.fd"
PHYS_MAC = "52:54:00:12:34:56"   # the machine's own e1000 (Bochs answers ARP only for it)
POWERED_OFF = "xtalk: powering off"
RFB_ATTEMPTS = 5

TEMPLATE = """\
megs: {megs}
romimage: file={ovmf}, address=0xffe00000
cpu: model={cpu}, count=1, ips=200000000, reset_on_triple_fault=0
ata0-master: type=disk, path={disk}, mode=flat
boot: disk
display_library: rfb, options="timeout=0"
{com1}
log: {log}
info: action=ignore
error: action=report
panic: action=fatal
sound: driver=dummy
speaker: enabled=0
magic_break: enabled={magic}
"""

# The machine's physical NIC: Bochs' e1000 on the PCI bus with a back end
# (vnet: a built-in host 192.168.10.1 answering ARP and ICMP echo; null:
# drops frames and logs them to eth_null-tx*.log in the working folder).
NIC = """\
e1000: enabled=1, mac={mac}, ethmod={mod}
"""

# The machine's sound card: Bochs' ES1370, writing what it plays to a WAV
# file (44.1 kHz 16-bit stereo, Bochs converts; silent until the AK4531
# volume registers 0-3 are written, /work/shared/PLATFORM.md).
SOUND = """\
es1370: enabled=1, wavemode=2, wavefile={wav}
"""


class Missing(Exception):
    """Bochs or the firmware is not installed: the run cannot happen."""


def strict():
    """In CI a missing emulator is a failure, not a skip."""
    return os.environ.get("CI") == "true"


def require():
    if not shutil.which("bochs"):
        raise Missing("bochs not installed (Debian packages bochs, bochsbios)")
    if not (os.path.exists(OVMF_CODE) and os.path.exists(OVMF_VARS)):
        raise Missing("OVMF not installed (Debian package ovmf)")


def ovmf_rom(path):
    """Bochs loads OVMF as one 2 MiB ROM: the variable store, then the code."""
    require()
    if not os.path.exists(path):
        with open(path + ".tmp", "wb") as f:
            for part in (OVMF_VARS, OVMF_CODE):
                with open(part, "rb") as p:
                    f.write(p.read())
        os.replace(path + ".tmp", path)
    return path


def config(work, ovmf, disk, megs=256, cpu="corei7_skylake_x", nic="", magic_break=False,
           link=None, wav=None, disk2=None):
    """The bochsrc text of one run in folder work (serial.txt, bochs.log there).
    With link (a SerialLink), COM1 is that link instead of the file. With
    nic, the machine has an e1000 (slot 1); with wav (a path), an ES1370
    (slot 2) that writes what it plays there. With disk2 (a path), a second
    ATA disk, the primary slave."""
    if link:
        com1 = f"com1: enabled=1, mode=socket-client, dev=127.0.0.1:{link.port}"
    else:
        com1 = f"com1: enabled=1, mode=file, dev={os.path.join(work, 'serial.txt')}"
    text = TEMPLATE.format(megs=megs, ovmf=ovmf, cpu=cpu, disk=disk, com1=com1,
                           log=os.path.join(work, "bochs.log"), magic=int(magic_break))
    if disk2:
        text += f"ata0-slave: type=disk, path={disk2}, mode=flat\n"
    slots = (["slot1=e1000"] if nic else []) + (["slot2=es1370"] if wav else [])
    if slots:
        text += "pci: enabled=1, chipset=i440fx, " + ", ".join(slots) + "\n"
    if nic:
        text += NIC.format(mac=PHYS_MAC, mod=nic)
    if wav:
        text += SOUND.format(wav=wav)
    return text


class SerialLink:
    """COM1 as a TCP connection that Bochs makes at start (mode socket-client)
    to a port of ours on 127.0.0.1 (chosen by the kernel: runs side by side
    never collide). A thread writes everything Bochs sends to path, as mode
    file would; send() types bytes into the machine's COM1. Each Bochs start
    (bochs.run may start it again) is a new connection; path is then written
    afresh."""

    def __init__(self, path):
        self.path = path
        self.sent = 0
        self._conn = None
        self._lock = threading.Lock()
        self._srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._srv.bind(("127.0.0.1", 0))
        self._srv.listen(1)
        self._srv.settimeout(0.5)
        self.port = self._srv.getsockname()[1]
        self._closed = False
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self):
        while not self._closed:
            try:
                conn, _ = self._srv.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._conn = conn
            with open(self.path, "ab") as out:
                while True:
                    try:
                        data = conn.recv(65536)
                    except OSError:
                        data = b""
                    if not data:
                        break
                    out.write(data)
                    out.flush()
            with self._lock:
                self._conn = None
            conn.close()

    def connected(self):
        with self._lock:
            return self._conn is not None

    def send(self, data):
        """Type data into COM1; False when Bochs is not connected (yet or any more)."""
        with self._lock:
            conn = self._conn
        if conn is None:
            return False
        try:
            conn.sendall(data)
        except OSError:
            return False
        self.sent += len(data)
        return True

    def close(self):
        self._closed = True
        self._srv.close()
        self._thread.join(timeout=2)


class Run:
    """What one Bochs run did: returncode (None if killed), how it ended
    ("exited"; "timeout"; "lingered": still there after power-off; "stopped":
    watch() asked, see stop_reason; "interrupted": Ctrl-C), seconds."""

    def __init__(self, work):
        self.work = work
        self.serial = os.path.join(work, "serial.txt")
        self.out = os.path.join(work, "bochs.out")
        self.returncode = None
        self.how = None
        self.stop_reason = ""
        self.seconds = 0.0

    def console(self):
        return read_text(self.serial)

    def output_tail(self, n=15):
        lines = [l for l in read_text(self.out).splitlines() if l.strip()]
        return lines[-n:]

    def died(self):
        """None if Bochs ran until xtalk powered off and exited as a power-off
        does; else what went wrong, with Bochs' last lines."""
        powered_off = POWERED_OFF in self.console()
        if self.how == "exited" and self.returncode in (0, 1) and powered_off:
            return None
        if self.how == "timeout":
            why = "Bochs still running at the time limit: killed"
        elif self.how == "lingered":
            why = "Bochs did not exit after xtalk powered the machine off: killed"
        elif self.how == "interrupted":
            return "stopped by Ctrl-C"
        elif self.how == "stopped":
            return None  # the caller stopped it on purpose and says why
        elif self.returncode not in (0, 1):
            why = f"Bochs died (exit status {exit_status(self.returncode)})"
        else:
            why = "Bochs exited before xtalk powered the machine off"
        tail = self.output_tail()
        if tail:
            why += "; Bochs' last lines:\n" + "\n".join("    ! " + l for l in tail)
        return why


def exit_status(rc):
    if rc is not None and rc < 0:
        try:
            return f"{rc}, killed by {signal.Signals(-rc).name}"
        except ValueError:
            return str(rc)
    return str(rc)


def read_text(path):
    if not os.path.exists(path):
        return ""
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace")


def start(work, rc_text, cmds="c\nquit\n"):
    """Write bochsrc and cmds in work and start Bochs in its own process group.
    glibc's fatal messages ("*** buffer overflow detected ***") go to stderr
    rather than to a terminal that may not exist."""
    rc_path = os.path.join(work, "bochsrc")
    with open(rc_path, "w") as f:
        f.write(rc_text)
    with open(os.path.join(work, "cmds"), "w") as f:
        f.write(cmds)
    for old in ["serial.txt", "bochs.out"] + [f for f in os.listdir(work) if f.startswith("eth_null")]:
        if os.path.exists(os.path.join(work, old)):
            os.remove(os.path.join(work, old))
    env = dict(os.environ, LIBC_FATAL_STDERR_="1")
    out = open(os.path.join(work, "bochs.out"), "wb")
    try:
        return subprocess.Popen(["bochs", "-q", "-unlock", "-f", rc_path, "-rc",
                                 os.path.join(work, "cmds")],
                                cwd=work, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
    finally:
        out.close()


def stop(proc):
    """TERM Bochs' process group, then KILL it if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            continue


def run(work, rc_text, timeout, watch=None, poll=0.5, grace=20):
    """Run Bochs in work until it exits, timeout seconds pass, or watch(run)
    returns a reason to stop it. After xtalk powered off, Bochs has grace
    seconds to exit by itself. Headless Bochs takes a free display port of
    5900-5949 and gives up when none is free: that is no result, so the run
    is started again. Returns a Run."""
    r = Run(work)
    for attempt in range(RFB_ATTEMPTS):
        _watch(r, start(work, rc_text), timeout, watch, poll, grace)
        if "RFB could not bind" not in read_text(r.out):
            break
        print(f"{work}: no free display port for Bochs (attempt {attempt + 1} of "
              f"{RFB_ATTEMPTS}), starting again", flush=True)
        time.sleep(5)
    return r


def _watch(r, proc, timeout, watch, poll, grace):
    t0 = time.monotonic()
    deadline = t0 + timeout
    powered_off = False
    try:
        while True:
            try:
                r.returncode = proc.wait(timeout=poll)
                r.how = "exited"
                break
            except subprocess.TimeoutExpired:
                pass
            if watch:
                why = watch(r)
                if why:
                    r.how = "stopped"
                    r.stop_reason = why
                    break
            if not powered_off and POWERED_OFF in r.console():
                powered_off = True
                deadline = min(deadline, time.monotonic() + grace)
            if time.monotonic() > deadline:
                r.how = "lingered" if powered_off else "timeout"
                break
    except KeyboardInterrupt:
        r.how = "interrupted"
    finally:
        if proc.poll() is None:
            stop(proc)
        r.seconds = time.monotonic() - t0
