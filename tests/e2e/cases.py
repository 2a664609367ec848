# SPDX-License-Identifier: MIT
"""The end-to-end cases: guests + xtalk.ini + what must be true afterwards.

A check returns a list of problems (empty = pass). Checks read what guests
printed and what the VMM reported, never just a line xtalk always prints.
"""
import os
import re
import struct
from dataclasses import dataclass, field
from typing import Callable, List

TICKS = 40  # guests/ticker/main.c


@dataclass
class Case:
    name: str
    ini: str
    guests: List[str]
    check: Callable
    doc: str = ""
    timeout: int = 240
    megs: int = 256
    cpu: str = "corei7_skylake_x"
    extra_files: List[str] = field(default_factory=list)
    needs_vmx: bool = True  # False: the case is about running without VT-x
    phys: str = ""          # Bochs e1000 back end for the physical NIC ("vnet", "null"), "" = none
    phys_audio: bool = False  # the machine has an ES1370 writing what it plays to out.wav
    data_disk: List[int] = field(default_factory=list)  # a second ATA disk: GPT partitions (MiB)
    data_disk_content: Callable = None  # work folder -> {partition: bytes at its start} (run.py)
    feed: list = None       # input typed into COM1: (needle, times, bytes) steps (run.py Feeder)
    kit: List[str] = field(default_factory=list)  # files of build/linux-kit/ (make linux-kit)


def expect(problems, cond, msg):
    if not cond:
        problems.append(msg)


def check_ticker(log, guest, problems):
    ticks = []
    for text in log.output_of(guest):
        m = re.match(r"tick (\d+) of (\d+)$", text)
        if m:
            ticks.append(int(m.group(1)))
    expect(problems, ticks == list(range(TICKS)),
           f"{guest}: ticks {ticks[:6]}... ({len(ticks)} lines), want 0..{TICKS - 1} in order")
    expect(problems, log.status(guest) == ("exited", 0),
           f"{guest}: status {log.status(guest)}, want exited 0")


def check_scheduling(log):
    p = []
    for g in ("alice", "bob"):
        check_ticker(log, g, p)
        ex = log.exits(g) or {}
        expect(p, ex.get("PREEMPTION_TIMER", 0) > 0, f"{g}: no preemption-timer exits in {ex}")
    # Neither ticker ever yields, so alternation proves preemption.
    owners = [g for g, t in log.guest_lines() if t.startswith("tick ")]
    switches = sum(1 for a, b in zip(owners, owners[1:]) if a != b)
    expect(p, switches >= 10, f"only {switches} switches between alice and bob lines")
    return p


LINUX_RAM = {"lin": 64 << 20, "elf": 48 << 20}  # tests/e2e/linux_loader.ini: memory


def fnv1a(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xffffffff
    return h


def linuxload_lines(version, pref, init_size, irmax, cmdline, ram, initrd):
    """What guests/linuxload prints for these boot_params, line by line."""
    at = (ram - len(initrd)) & ~0xfff  # the top of RAM, page aligned
    return [
        f"linuxload: version 0x{version:04x} loader 0xff loadflags 0x01 code32_start 0x{pref:x}",
        f"linuxload: pref_address 0x{pref:x} init_size 0x{init_size:x} "
        f"initrd_addr_max 0x{irmax:x} cmdline_size 2047",
        f"linuxload: cmdline '{cmdline}'",
        "linuxload: e820 0 0x0 0x9f000 1",
        "linuxload: e820 1 0x9f000 0x61000 2",
        f"linuxload: e820 2 0x100000 0x{ram - 0x100000:x} 1",
        f"linuxload: ramdisk 0x{at:x} size {len(initrd)} ext 0x0 0x0",
        f"linuxload: initrd fnv1a 0x{fnv1a(initrd):08x}",
    ], at


LINUX_HZ = 250  # Debian's CONFIG_HZ
LINUX_BAD = ("unchecked MSR access", "APIC disabled", "Unable to calibrate", "Kernel panic",
             "BUG:", "WARNING: CPU:", "Call Trace")


def linux_facts(log, guest):
    """The KEY=VALUE lines guests/linux/init printed (the last of each)."""
    facts = {}
    for text in log.output_of(guest):
        m = re.match(r"xtalk-linux: ([a-z0-9_]+)=(.*)$", text)
        if m:
            facts[m.group(1)] = m.group(2)
    return facts


def machine_clocks(log):
    """(guest TSC kHz, machine RTC epoch) from the VMM's 'guest clocks' line."""
    import calendar
    m = log.grep(r"guest clocks: TSC (\d+) kHz, local APIC timer (\d+) kHz; "
                 r"machine RTC (\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)")
    if not m:
        return None, None
    g = [int(x) for x in m[0].groups()]
    return g[0], calendar.timegm((g[2], g[3], g[4], g[5], g[6], g[7], 0, 0, 0))


def check_linux_facts(log, guest, p, clocksource):
    """What a booted kernel found, against what xtalk gave it."""
    f = linux_facts(log, guest)
    expect(p, log.has(f"[{guest}] xtalk-linux: init reached"), f"{guest}: /init not reached")
    for bad in LINUX_BAD:
        hit = next((t for t in log.output_of(guest) if bad in t), None)
        expect(p, hit is None, f"{guest}: kernel log has {hit!r}")
    expect(p, f.get("clocksource") == clocksource,
           f"{guest}: clocksource {f.get('clocksource')}, want {clocksource}")
    tsc_khz, rtc0 = machine_clocks(log)
    expect(p, tsc_khz is not None, "no 'guest clocks' line from the VMM")
    if tsc_khz:
        try:
            mhz = float(f.get("tsc_mhz", "nan"))
        except ValueError:
            mhz = float("nan")
        expect(p, abs(mhz * 1000 - tsc_khz) <= tsc_khz / 100,
               f"{guest}: TSC {f.get('tsc_mhz')} MHz, xtalk gives {tsc_khz} kHz (1% allowed)")
    try:
        hz = int(f.get("timer_irqs_per_s", "-1"))
    except ValueError:
        hz = -1
    expect(p, abs(hz - LINUX_HZ) <= LINUX_HZ * 2 / 100,
           f"{guest}: {hz} timer interrupts in one second, want {LINUX_HZ} within 2%")
    # rtc_cmos sets the system clock from the RTC at a known uptime: that
    # time minus the uptime is when the guest booted, right after the VMM
    # read the machine's RTC. Both RTCs count whole seconds.
    m = [re.match(r"\[ *(\d+\.\d+)\] rtc_cmos .*setting system clock to \S+ UTC \((\d+)\)", t)
         for t in log.output_of(guest)]
    m = [x for x in m if x]
    expect(p, m, f"{guest}: rtc_cmos did not set the system clock")
    if m and rtc0 is not None:
        boot = int(m[0].group(2)) - float(m[0].group(1))
        expect(p, abs(boot - rtc0) <= 2,
               f"{guest}: its RTC said {m[0].group(2)} at uptime {m[0].group(1)} s: booted at "
               f"{boot:.0f}, the machine's RTC said {rtc0} (2 s allowed)")
    try:
        drift = int(f.get("rtc_epoch", "0")) - int(f.get("date_epoch", "-9"))
    except ValueError:
        drift = 99
    expect(p, abs(drift) <= 1, f"{guest}: RTC {f.get('rtc')} and system time {f.get('date')} "
           "differ by more than 1 s at /init")
    return f


def check_linux_boot(log):
    p = []
    f = check_linux_facts(log, "lx", p, "tsc")
    mods = [t.split("=", 1)[1] for t in log.output_of("lx") if t.startswith("xtalk-linux: insmod=")]
    expect(p, "e1000.ko ok" in mods and all(m.endswith(" ok") for m in mods), f"lx: insmod {mods}")
    expect(p, log.has("[lx] xtalk-linux: step=facts ok"), "lx: facts step did not finish")
    st = log.status("lx")
    expect(p, st[0] == "stopped" and st[1].startswith("powered off"),
           f"lx: status {st}, want powered off (ACPI S5)")
    ex = log.exits("lx") or {}
    expect(p, ex.get("MSR_WRITE", 0) > 0, f"lx: no TSC-deadline writes in its exits {ex}")
    irqs = injected(log, "lx") or 0
    if log.has(", APIC virtualization"):
        # The local APIC programmed through APIC-write exits; its EOIs (one
        # per timer interrupt) exit no more: far fewer APIC and MMIO exits
        # than interrupts (trapped, every EOI is an EPT violation).
        apic = ex.get("EPT_VIOLATION", 0) + ex.get("APIC_ACCESS", 0) + ex.get("APIC_WRITE", 0)
        expect(p, ex.get("APIC_WRITE", 0) > 0 and irqs > 1000 and apic < irqs // 2,
               f"lx: with APIC virtualization, {irqs} interrupts delivered against "
               f"{apic} APIC-write, APIC-access and EPT-violation exits {ex}")
    else:
        expect(p, ex.get("EPT_VIOLATION", 0) > irqs // 2,
               f"lx: trapped local APIC, yet fewer MMIO exits than EOIs {ex}")
    return p


def linux_boots(log, guest):
    """steps_done=N of each boot of guest, in order."""
    return [int(t.split("=", 1)[1]) for t in log.output_of(guest)
            if re.match(r"xtalk-linux: steps_done=\d+$", t)]


def check_linux_lifecycle(log):
    p = []
    lines = log.lines
    idx = lambda needle: next((i for i, l in enumerate(lines) if needle in l), -1)
    # lxa: 100 of 100 pings to the outside host, then a reboot and a second boot.
    fa = linux_facts(log, "lxa")
    expect(p, fa.get("ping_peer") == "192.168.10.1" and fa.get("ping_transmitted") == "100"
           and fa.get("ping_received") == "100",
           f"lxa: pings to 192.168.10.1: {fa.get('ping_received')} of {fa.get('ping_transmitted')}, want 100 of 100")
    expect(p, linux_boots(log, "lxa") == [0, 2], f"lxa: boots with steps_done {linux_boots(log, 'lxa')}, want [0, 2]")
    expect(p, log.has("xtalk: guest 'lxa' reboots (reset control register 0xcf9)"),
           "lxa: no reboot through the ACPI reset register")
    expect(p, log.has("xtalk: guest 'lxa': boot 2,"), "lxa: not booted a second time")
    # lxb: a panic (its one step), a reset, a second boot that skips it.
    expect(p, any("Kernel panic - not syncing" in t for t in log.output_of("lxb")), "lxb: no panic")
    expect(p, linux_boots(log, "lxb") == [0, 1], f"lxb: boots with steps_done {linux_boots(log, 'lxb')}, want [0, 1]")
    expect(p, log.has("xtalk: guest 'lxb' reboots ("), "lxb: the panic did not reset it")
    # lxb went down and came back while lxa was pinging.
    start, end = idx("[lxa] xtalk-linux: step=ping"), idx("[lxa] xtalk-linux: step=ping ok")
    reboot_b = idx("xtalk: guest 'lxb' reboots (")
    expect(p, 0 <= start < reboot_b < end,
           f"lxb's reset (line {reboot_b}) not inside lxa's pings (lines {start}-{end})")
    for g in ("lxa", "lxb"):
        st = log.status(g)
        expect(p, st[0] == "stopped" and str(st[1]).startswith("powered off"),
               f"{g}: status {st}, want powered off")
        for bad in ("unchecked MSR access", "BUG:", "WARNING: CPU:"):
            hit = next((t for t in log.output_of(g) if bad in t), None)
            expect(p, hit is None, f"{g}: kernel log has {hit!r}")
    return p


def check_linux_net(log):
    p = []
    fa, fb = linux_facts(log, "la"), linux_facts(log, "lb")
    for g, f, peer in (("la", fa, "10.0.0.2"), ("lb", fb, "10.0.0.1")):
        expect(p, f.get("ping_peer") == peer and f.get("ping_transmitted") == "20"
               and f.get("ping_received") == "20",
               f"{g}: pings to {peer}: {f.get('ping_received')} of {f.get('ping_transmitted')}, want 20 of 20")
        expect(p, f.get("sync") == "done", f"{g}: sync {f.get('sync')}")
        st = log.status(g)
        expect(p, st[0] == "stopped" and str(st[1]).startswith("powered off"),
               f"{g}: status {st}, want powered off")
        for bad in ("unchecked MSR access", "BUG:", "WARNING: CPU:", "NETDEV WATCHDOG",
                    "Detected Tx Unit Hang"):
            hit = next((t for t in log.output_of(g) if bad in t), None)
            expect(p, hit is None, f"{g}: kernel log has {hit!r}")
    size = 16 << 20
    expect(p, fa.get("tcp") == "done", f"la: tcp {fa.get('tcp')}")
    expect(p, fa.get("tcp_sent_bytes") == str(size) and fb.get("tcp_received_bytes") == str(size),
           f"TCP: la sent {fa.get('tcp_sent_bytes')}, lb received {fb.get('tcp_received_bytes')}, want {size}")
    expect(p, fa.get("tcp_sha256") and fa.get("tcp_sha256") == fb.get("tcp_sha256"),
           f"TCP: sha256 {fa.get('tcp_sha256')} sent, {fb.get('tcp_sha256')} received")
    # Every frame between them went through cross-talk, none to the outside.
    xa, xb = xt_path(log, "la"), xt_path(log, "lb")
    moved = sum(x.get(k, {}).get("tx", 0) for x in (xa, xb) for k in ("shared page", "cross-talk copy"))
    expect(p, moved >= size // 1514, f"only {moved} frames over the cross-talk path for {size} bytes")
    for g, x in (("la", xa), ("lb", xb)):
        expect(p, x.get("physical", {}).get("tx", -1) == 0, f"{g}: frames to the physical NIC: {x.get('physical')}")
    phys = physnic(log)
    expect(p, phys is not None and phys["tx"] == 0 and phys["gptc"] == 0,
           f"the physical NIC sent frames: {phys}")
    # One of our own guests and a Linux guest: ARP, then 5 ICMP echoes answered by la.
    expect(p, log.status("small") == ("exited", 0), f"small: status {log.status('small')}, want exited 0")
    expect(p, "netout: 5/5 echo replies ok" in log.output_of("small"),
           "small: not 5/5 echo replies from la")
    expect(p, any(t.startswith("netout: arp 10.0.0.1 is at 52:54:00:00:0a:01") for t in log.output_of("small")),
           "small: la did not answer its ARP request")
    return p


def check_linux_acpi_off(log):
    p = []
    check_linux_facts(log, "lxoff", p, "tsc")
    expect(p, log.has("[lxoff] xtalk-linux: cmdline=console=ttyS0 acpi=off"),
           "lxoff: command line not as given")
    expect(p, any("found SMP MP-table" in t for t in log.output_of("lxoff")),
           "lxoff: the kernel did not find the MP table")
    # apicv = off: every local APIC access trapped, every interrupt injected.
    expect(p, log.has("VT-x: APIC virtualization off (apicv = off)") or
           log.has("no APIC virtualization (trapped)"), "lxoff: apicv = off not applied")
    ex = log.exits("lxoff") or {}
    irqs = injected(log, "lxoff") or 0
    expect(p, not any(ex.get(r) for r in ("APIC_ACCESS", "APIC_WRITE", "EOI_INDUCED")) and
           irqs > 1000 and ex.get("EPT_VIOLATION", 0) > irqs // 2,
           f"lxoff: with apicv = off, {irqs} interrupts and exits {ex}")
    return p


def check_linux_loader(log):
    """Every boot_params value guests/linuxload printed, against the files."""
    p = []
    build = os.path.join(os.path.dirname(os.path.abspath(log.workdir)), "..")
    kernel = open(os.path.join(build, "guests", "linuxload.bzimage"), "rb").read()
    initrd = open(os.path.join(build, "guests", "linuxload.initrd"), "rb").read()
    pref, = struct.unpack_from("<Q", kernel, 0x258)
    init_size, = struct.unpack_from("<I", kernel, 0x260)
    version, = struct.unpack_from("<H", kernel, 0x206)
    ini = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "linux_loader.ini")).read()
    cmdlines = re.findall(r"^cmdline = (.*)$", ini, re.M)
    # lin: the bzImage, its own header in boot_params; elf: the same guest as
    # an ELF with the default header, the bzImage file as its initrd.
    want, at = linuxload_lines(version, pref, init_size, 0x7fffffff, cmdlines[0],
                               LINUX_RAM["lin"], initrd)
    want_elf, at_elf = linuxload_lines(0x020f, 0, 0, 0, cmdlines[1], LINUX_RAM["elf"], kernel)
    for g, w in (("lin", want), ("elf", want_elf)):
        out = log.output_of(g)
        expect(p, out == w, f"{g} printed {out}, want {w}")
        expect(p, log.status(g) == ("exited", 0), f"{g}: status {log.status(g)}")
    expect(p, log.has(f"guest 'lin': bzImage, boot protocol 2.15, kernel at 0x{pref:x}"),
           "no bzImage line from the VMM")
    expect(p, log.has(f"guest 'lin': initrd {len(initrd) >> 10} KiB at 0x{at:x}"),
           "no initrd line from the VMM for lin")
    expect(p, log.has(f"guest 'elf': initrd {len(kernel) >> 10} KiB at 0x{at_elf:x}"),
           "no initrd line from the VMM for elf")
    mib = len(initrd) >> 20
    expect(p, log.has(f"reading 'linuxload.initrd': {mib} of {mib} MiB"),
           "no read progress line for the 17 MiB initrd")
    expect(p, log.has("read 'linuxload.initrd' ("), "no read rate line")
    return p

def check_selftest(log):
    p = []
    out = log.output_of("self")
    fails = [t for t in out if t.startswith("FAIL")]
    passes = [t for t in out if t.startswith("PASS")]
    expect(p, not fails, f"selftest failures: {fails}")
    expect(p, len(passes) >= 30, f"only {len(passes)} selftest checks passed")
    expect(p, "rep outsb reached the console" in out, "rep outsb text missing from the console")
    expect(p, f"SUMMARY: {len(passes)} tests, 0 failures" in out, "selftest summary missing")
    expect(p, log.status("self") == ("exited", 0), f"self: status {log.status('self')}")
    # The VMM's own counters agree with what the guest did.
    c = log.counters("self") or {}
    # 5: unknown MSR read and write, EFER and PAT reserved values, and
    # IA32_SPEC_CTRL, whose CPUID bit is hidden.
    expect(p, c.get("MSR #GP") == 5, f"MSR #GP counted {c.get('MSR #GP')}, guest caused 5")
    expect(p, c.get("unclaimed I/O reads") == 19,
           f"unclaimed port reads counted {c.get('unclaimed I/O reads')}, guest did 19")
    ex = log.exits("self") or {}
    expect(p, ex.get("VMREAD") == 1 and ex.get("RDPMC") == 1, f"exit counts {ex}")
    check_ticker(log, "tick", p)
    return p


def check_faults(log):
    p = []
    st, why = log.status("crash")
    expect(p, st == "stopped" and why.startswith("triple fault"),
           f"crash: {st} {why}, want stopped by triple fault")
    expect(p, "crash: still alive, this is wrong" not in log.output_of("crash"),
           "crash ran past its UD2")
    m = [re.match(r"wild: storing to GPA (0x[0-9a-f]+) at RIP (0x[0-9a-f]+)", t)
         for t in log.output_of("wild")]
    m = [x for x in m if x]
    st, why = log.status("wild")
    if not m:
        p.append("wild did not announce its store")
    else:
        gpa, rip = m[0].group(1), m[0].group(2)
        want = f"EPT violation: write at GPA {gpa} outside its RAM (16 MiB), RIP {rip}"
        expect(p, st == "stopped" and why == "EPT violation: " + want,
               f"wild: {st} '{why}', want '{want}'")
    check_ticker(log, "survivor", p)
    return p


def check_bad_guest_lines(log):
    p = []
    for line, text in ((8, "unknown key 'memroy' in [guest typo]"),
                       (12, "memory: '16x' is not a number"),
                       (16, "cannot read image 'missing.elf': not found"),
                       (20, "guest 'notelf' refused: image 'notelf.elf'")):
        expect(p, log.has(f"xtalk.ini:{line}: {text}"),
               f"no 'xtalk.ini:{line}: {text}' on the console")
    for g in ("typo", "badnum", "missing", "notelf"):
        expect(p, not log.output_of(g), f"refused guest {g} printed something")
        expect(p, log.status(g) == (None, None), f"refused guest {g} appears in the summary")
    check_ticker(log, "good", p)
    return p


def check_untrusted_file(log):
    p = []
    expect(p, log.has("xtalk.ini:3: 'log = debug' is outside any section"),
           "no error for the key outside any section")
    expect(p, log.has("xtalk.ini:6: unknown section [gust]"), "no error for the unknown section")
    expect(p, log.has("cannot be trusted: no guest will be started"), "file not refused")
    expect(p, not log.guest_lines(), "a guest ran although the file was refused")
    expect(p, log.has("xtalk: no guest to run"), "VMM did not report an empty run")
    return p


def nic(log, guest):
    """Bridge counters of a guest's NIC from the run summary."""
    m = log.grep(rf"^xtalk: guest {re.escape(guest)}: nic tx (\d+) frames (\d+) bytes; "
                 rf"rx (\d+) frames (\d+) bytes; VMM copies (\d+) \((\d+) bytes\); "
                 rf"dropped unknown (\d+) filtered (\d+) down (\d+) error (\d+); waits (\d+)$")
    if not m:
        return None
    keys = ("tx", "tx_bytes", "rx", "rx_bytes", "copies", "bytes_copied", "unknown",
            "filtered", "down", "error", "waits")
    return dict(zip(keys, (int(x) for x in m[-1].groups())))


def bad_input(log, guest):
    m = log.grep(rf"^xtalk: guest {re.escape(guest)}: e1000 bad input: (.*?); ")
    return m[-1].group(1) if m else None


def injected(log, guest):
    m = log.grep(rf"^xtalk: guest {re.escape(guest)}: interrupts injected (\d+);")
    return int(m[-1].group(1)) if m else None


def check_exited_ok(log, p, *guests):
    for g in guests:
        expect(p, log.status(g) == ("exited", 0), f"{g}: status {log.status(g)}, want exited 0")
        expect(p, bad_input(log, g) == "none", f"{g}: e1000 bad input {bad_input(log, g)}")


AUDIO_KEYS = ("played", "sent", "converted", "outside", "card", "dropped", "moves", "captured",
              "received", "idle", "prefill", "underrun", "overrun", "flushed")


def audio(log, guest):
    """The audio path's counters of a guest from the run summary (vmm/audio/sound.c)."""
    m = log.grep(rf"^xtalk: guest {re.escape(guest)}: audio: played (\d+) bytes \(to guests (\d+), "
                 rf"converted (\d+), outside (\d+): sound card (\d+), dropped (\d+)\), moves "
                 rf"(\d+); captured (\d+) bytes \(from guests (\d+); silence: nobody playing "
                 rf"(\d+), filling (\d+), run dry (\d+); overrun (\d+), flushed (\d+)\)$")
    return dict(zip(AUDIO_KEYS, (int(x) for x in m[-1].groups()))) if m else None


CARD_KEYS = ("streams", "took", "played", "silence", "overrun", "cut", "busy", "codec_timeouts")


def machine_card(log):
    """The machine's own ES1370's counters from the run summary, or None."""
    m = log.grep(r"^xtalk: audio: the machine's ES1370: streams (\d+), took (\d+) bytes, played "
                 r"(\d+) \(silence (\d+)\), overrun (\d+), cut (\d+), refused while busy "
                 r"(\d+), codec timeouts (\d+)$")
    return dict(zip(CARD_KEYS, (int(x) for x in m[-1].groups()))) if m else None


def audio_sequence(seed, n):
    """guests/audio's test sequence (pattern.c) as 16-bit stereo bytes: the
    left word is a 16-bit LFSR's state, the right one its bytes swapped."""
    s = (seed ^ seed >> 16 ^ seed >> 32 ^ seed >> 48 ^ 0xACE1) & 0xFFFF or 0xACE1
    out = bytearray()
    for _ in range(n):
        out += struct.pack("<HH", s, (s << 8 | s >> 8) & 0xFFFF)
        s = (s >> 1) ^ (0xB400 if s & 1 else 0)
    return bytes(out)


def wav_frames(path):
    """The 16-bit stereo sample frames of a WAV Bochs wrote (its data chunk
    starts at byte 44; the length fields are written only at a clean exit,
    so the data runs to the end of the file)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:16] != b"WAVEfmt ":
        return None
    rate, = struct.unpack_from("<I", data, 24)
    chans, bits = struct.unpack_from("<HH", data, 22)[0], struct.unpack_from("<H", data, 34)[0]
    body = data[44:len(data) - (len(data) - 44) % 4]
    return rate, chans, bits, [body[i:i + 4] for i in range(0, len(body), 4)]


ES1370_LINE = (r": es1370: interrupts (\d+) \(held until the capture took the samples (\d+), "
               r"released after 50 ms instead (\d+)\); bad input: frames outside RAM (\d+), "
               r"access sizes (\d+), codec registers (\d+)$")


def es1370_bad(log, guest):
    """(interrupts, frames outside RAM, access sizes, codec registers)."""
    m = log.grep(rf"^xtalk: guest {re.escape(guest)}" + ES1370_LINE)
    if not m:
        return None
    g = [int(x) for x in m[-1].groups()]
    return (g[0], g[3], g[4], g[5])


def es1370_held(log, guest):
    """(interrupts held for the capture, of those released by the bound instead)."""
    m = log.grep(rf"^xtalk: guest {re.escape(guest)}" + ES1370_LINE)
    return (int(m[-1].group(2)), int(m[-1].group(3))) if m else None


def check_audio_guests(log, p, *guests):
    for g in guests:
        expect(p, log.status(g) == ("exited", 0), f"{g}: status {log.status(g)}, want exited 0")
        bad = es1370_bad(log, g)
        expect(p, bad and bad[0] > 0 and bad[1:] == (0, 0, 0),
               f"{g}: es1370 interrupts and bad input {bad}")


def guest_ms(lines, prefix):
    """Milliseconds of guest time in the first line starting with prefix, or None."""
    for t in lines:
        m = re.match(re.escape(prefix) + r".* in (\d+) ms", t)
        if m:
            return int(m.group(1))
    return None


def check_tone(log, p, guest, hz, peak_min, peak_max):
    """guest measured 22050 samples of a tone of hz (within 5 Hz) at a peak in range."""
    got = [t for t in log.output_of(guest) if t.startswith("audio: measure: 22050 samples")]
    m = re.search(r"frequency (\d+) Hz, peak (\d+)", got[0]) if got else None
    expect(p, m and abs(int(m.group(1)) - hz) <= 5 and peak_min <= int(m.group(2)) <= peak_max,
           f"{guest} heard {got}, want {hz} Hz at a peak in {peak_min}..{peak_max}")


def check_audio_copy(log):
    p = []
    a, b = audio(log, "a") or {}, audio(log, "b") or {}
    play = guest_ms(log.output_of("a"), "audio: play: 44100 samples at 44100 Hz 16-bit stereo")
    expect(p, play is not None, "a did not play its 44100 samples")
    # Real time, not as fast as the CPU allows: 22 periods of 2048 samples are 1021.7 ms.
    expect(p, play is None or 1000 <= play <= 1100, f"a played 1 s of audio in {play} ms")
    expect(p, any(t.startswith("audio: capture: 44100 samples bit-exact")
                  for t in log.output_of("b")), "b did not capture a's samples bit-exact")
    check_audio_guests(log, p, "a", "b")
    # The claimed signalling: each of a's period interrupts came only once b's
    # capture had taken those samples (held, never released by the bound).
    held = es1370_held(log, "a")
    expect(p, held and held[0] >= 20 and held[1] == 0,
           f"a's interrupts held until b took the samples, released late: {held}")
    expect(p, es1370_held(log, "b") == (0, 0), f"b's held interrupts {es1370_held(log, 'b')}")
    # Everything a played went to b, unconverted, and b took it without a gap.
    expect(p, a.get("played", 0) >= 44100 * 4 and a.get("sent") == a.get("played") and
           a.get("outside") == 0 and a.get("converted") == 0 and a.get("moves") == 0,
           f"a's stream {a}")
    expect(p, b.get("received") == a.get("sent") and b.get("underrun") == 0 and
           b.get("overrun") == 0, f"b's capture {b}")
    return p


def check_audio_convert(log):
    p = []
    a, b = audio(log, "a") or {}, audio(log, "b") or {}
    # 1 kHz at 22.05 kHz 8-bit mono, heard at 44.1 kHz 16-bit stereo: the
    # same tone (the 8-bit peak is 16384 >> 8 << 8).
    check_tone(log, p, "b", 1000, 16000, 16640)
    check_audio_guests(log, p, "a", "b")
    expect(p, a.get("converted", 0) > 0 and a.get("converted") == a.get("sent") and
           a.get("played") == a.get("sent", 0) + a.get("outside", 0), f"a's stream {a}")
    expect(p, b.get("received", 0) > 0 and b.get("underrun") == 0 and b.get("overrun") == 0,
           f"b's capture {b}")
    return p


def check_audio_move(log):
    p = []
    a, b = audio(log, "a") or {}, audio(log, "b") or {}
    check_tone(log, p, "b", 500, 11500, 12100)
    check_audio_guests(log, p, "a", "b")
    moves = [l for l in log.lines if re.match(r"^xtalk: audio: 'a' plays ", l)]
    expect(p, moves == ["xtalk: audio: 'a' plays to 'b' (shared stream, copied)",
                        "xtalk: audio: 'a' plays outside (no physical sound card: dropped, counted)"],
           f"a's stream moves logged: {moves}")
    # Outside, to b, outside again: every byte a played accounted for.
    expect(p, a.get("moves") == 2 and a.get("sent", 0) > 0 and a.get("outside", 0) > 0 and
           a.get("played") == a.get("sent", 0) + a.get("outside", 0), f"a's stream {a}")
    took = b.get("captured", 0) - b.get("idle", 0) - b.get("prefill", 0) - b.get("underrun", 0)
    expect(p, b.get("received") == a.get("sent") and b.get("received") == took + b.get("flushed", -1)
           and b.get("underrun") == 0 and b.get("overrun") == 0, f"b's capture {b}")
    return p


def check_audio_bad(log):
    p = []
    want = ("audio: bad: frame on the LAPIC page: word 0; crossing the end of RAM: word 0; "
            "on the NIC's BAR: word 0; a good frame: word ")
    got = [t for t in log.output_of("evil") if t.startswith("audio: bad: frame on")]
    expect(p, got and got[0].startswith(want) and int(got[0][len(want):]) > 0,
           f"evil's card: {got}, want no frame outside RAM moved and the good one moving")
    expect(p, log.status("evil") == ("exited", 0), f"evil: status {log.status('evil')}")
    bad = es1370_bad(log, "evil")
    expect(p, bad and bad[1:] == (3, 3, 1),
           f"evil's bad input counted {bad}, want 3 frames, 3 access sizes, 1 codec register")
    expect(p, any(t.startswith("audio: capture: 22050 samples bit-exact")
                  for t in log.output_of("b")), "b did not capture a's samples bit-exact")
    check_audio_guests(log, p, "a", "b")
    e = audio(log, "evil") or {}
    expect(p, e.get("sent") == 0 and e.get("received") == 0, f"evil's audio path {e}")
    return p


def check_audio_outside(log):
    """a plays alone: its stream goes to the machine's ES1370 (Bochs'), and
    the WAV Bochs wrote holds a's sequence, every sample once, in order."""
    p = []
    a = audio(log, "a") or {}
    card = machine_card(log)
    expect(p, log.has("xtalk: audio: the machine's ES1370 at "), "the VMM did not find the ES1370")
    play = guest_ms(log.output_of("a"), "audio: play: 44100 samples at 44100 Hz 16-bit stereo")
    expect(p, play is not None and 1000 <= play <= 1100, f"a played 1 s of audio in {play} ms")
    check_audio_guests(log, p, "a")
    # Everything a played went outside and the card took all of it.
    expect(p, a.get("played", 0) >= 44100 * 4 and a.get("outside") == a.get("played") and
           a.get("card") == a.get("played") and a.get("dropped") == 0 and a.get("sent") == 0,
           f"a's stream {a}")
    expect(p, card is not None and card["streams"] == 1 and card["took"] == a.get("played") and
           card["played"] >= card["took"] and card["overrun"] == 0 and card["cut"] == 0 and
           card["busy"] == 0 and card["codec_timeouts"] == 0, f"the machine's card {card}")
    wav = wav_frames(os.path.join(log.workdir, "out.wav"))
    expect(p, wav is not None, "Bochs wrote no WAV file")
    if wav:
        rate, chans, bits, frames = wav
        expect(p, (rate, chans, bits) == (44100, 2, 16), f"WAV format {rate} Hz {chans} ch {bits}-bit")
        # Silence (the lead, a gap, the tail) is all-zero frames; the
        # sequence has none, so what is left must be it, exactly.
        heard = [f for f in frames if f != b"\0\0\0\0"]
        want = audio_sequence(5, 44100)
        want = [want[i:i + 4] for i in range(0, len(want), 4)]
        first_bad = next((i for i, (x, y) in enumerate(zip(heard, want)) if x != y), None)
        expect(p, len(heard) == len(want) and first_bad is None,
               f"the WAV holds {len(heard)} non-silent frames ({len(frames)} in all), want a's "
               f"{len(want)}; first difference at frame {first_bad}")
        if card:
            # What the card played beyond a's samples is the silence it counted and the tail.
            expect(p, len(frames) * 4 >= card["took"], f"WAV {len(frames) * 4} bytes, card {card}")
    return p


def check_audio_move_outside(log):
    """a's stream: the machine's card, then b, then the card again. Every
    sample once: the WAV holds the sequence up to where b joined it and
    from where b's share ended; b checked its share bit-exact."""
    p = []
    a, b = audio(log, "a") or {}, audio(log, "b") or {}
    card = machine_card(log) or {}
    check_audio_guests(log, p, "a", "b")
    bout = log.output_of("b")
    joined = [int(m.group(1)) for m in (re.match(r"audio: capture: joined the sequence at sample "
                                                 r"(-?\d+)$", t) for t in bout) if m]
    expect(p, joined and joined[0] > 0, f"b joined the sequence at {joined}")
    expect(p, any(t.startswith("audio: capture: 22050 samples bit-exact") for t in bout),
           "b did not capture its share bit-exact")
    moves = [l for l in log.lines if re.match(r"^xtalk: audio: 'a' plays ", l)]
    expect(p, moves == ["xtalk: audio: 'a' plays to 'b' (shared stream, copied)",
                        "xtalk: audio: 'a' plays outside (the machine's sound card)"],
           f"a's stream moves logged: {moves}")
    expect(p, a.get("moves") == 2 and a.get("sent", 0) > 0 and
           a.get("played") == a.get("sent", 0) + a.get("outside", 0) and
           a.get("card") == a.get("outside") and a.get("dropped") == 0, f"a's stream {a}")
    expect(p, b.get("received") == a.get("sent") and b.get("overrun") == 0, f"b's capture {b}")
    expect(p, card.get("streams") == 2 and card.get("took") == a.get("card") and
           card.get("overrun") == 0 and card.get("cut") == 0 and card.get("busy") == 0,
           f"the machine's card {card}")
    wav = wav_frames(os.path.join(log.workdir, "out.wav"))
    expect(p, wav is not None, "Bochs wrote no WAV file")
    if wav and joined and a.get("sent"):
        k, m = joined[0], a["sent"] // 4
        seq = audio_sequence(5, 88200)
        want = [seq[i:i + 4] for i in range(0, len(seq), 4)]
        want = want[:k] + want[k + m:]
        heard = [f for f in wav[3] if f != b"\0\0\0\0"]
        first_bad = next((i for i, (x, y) in enumerate(zip(heard, want)) if x != y), None)
        expect(p, len(heard) == len(want) and first_bad is None,
               f"the WAV holds {len(heard)} non-silent frames, want {len(want)} (the sequence "
               f"without b's {m} from {k}); first difference at frame {first_bad}")
    return p


# ---------------------------------------------------------------- disks

def disk_pattern(seed, off, n):
    """guests/disk's pattern (pattern.c): byte k of the disk is byte k % 8 of
    splitmix64's mix of seed + (k // 8 + 1) * golden ratio."""
    m = (1 << 64) - 1
    out = bytearray()
    for w in range(off // 8, (off + n + 7) // 8):
        z = (seed + (w + 1) * 0x9E3779B97F4A7C15) & m
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
        out += struct.pack("<Q", z ^ (z >> 31))
    return bytes(out[off % 8: off % 8 + n])


def disk_line(log, g, prefix):
    return next((t for t in log.output_of(g) if t.startswith(prefix)), None)


DRIVE_KEYS = ("read", "reads", "from_pages", "from_disk", "wrote", "writes", "flushes", "errors")


def drive(log, guest, k):
    """A guest's drive k counters from the summary (vmm/storage/disk.c)."""
    m = log.grep(rf"^xtalk: guest {re.escape(guest)}: disk {k} .*: read (\d+) sectors in (\d+) "
                 r"transfers \(from shared pages (\d+), from the disk (\d+)\), wrote (\d+) in "
                 r"(\d+), flushes (\d+), errors (\d+)$")
    return dict(zip(DRIVE_KEYS, (int(x) for x in m[-1].groups()))) if m else {}


def dma_pieces(log, guest):
    m = log.grep(rf"^xtalk: guest {re.escape(guest)}: ide: DMA commands moved in pieces between "
                 r"timeslices: (\d+) pieces$")
    return int(m[-1].group(1)) if m else None


IDE_BAD_KEYS = ("irqs", "access", "data_port", "commands", "params", "busy", "lba", "zero",
                "prd_ram", "prd_eot", "prd_odd", "prd_64k", "prd_short", "direction")


def ide_bad(log, guest):
    m = log.grep(rf"^xtalk: guest {re.escape(guest)}: ide: interrupts (\d+); bad input: access "
                 r"sizes (\d+), data port (\d+), commands (\d+), parameters (\d+), busy (\d+), "
                 r"LBA range (\d+), zero counts (\d+), PRD outside RAM (\d+), PRD without end "
                 r"(\d+), PRD odd (\d+), PRD across 64K (\d+), PRD short (\d+), DMA direction "
                 r"(\d+)$")
    return dict(zip(IDE_BAD_KEYS, (int(x) for x in m[-1].groups()))) if m else {}


def data_image(log):
    with open(os.path.join(log.workdir, "data.img"), "rb") as f:
        return f.read()


def gpt_partition(img, n):
    """(first LBA, sectors) of partition n of a GPT image (sgdisk made it)."""
    entries, = struct.unpack_from("<Q", img, 512 + 72)
    size, = struct.unpack_from("<I", img, 512 + 84)
    e = entries * 512 + (n - 1) * size
    first, last = struct.unpack_from("<QQ", img, e + 32)
    return first, last - first + 1


DATA_DISK_SEED = 0x5eed


def data_disk_fill(offset, n):
    """What the machine's data disk holds before a run (run.py makes it):
    bytes that depend on their offset, so a test tells them from what a
    guest wrote."""
    out = bytearray(n + 8)
    for i in range(0, n, 8):
        out[i:i + 8] = ((offset + i) // 8 * 0x9E3779B97F4A7C15 + DATA_DISK_SEED
                        & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")
    return bytes(out[:n])


def image_fill(off, n):
    """What the data disk held at [off, off + n) before the run (off a multiple of 8)."""
    return data_disk_fill(off, n)


def check_disk_share(log):
    """a writes 8 MiB to the shared disk by DMA, b reads it back: bit-exact,
    every sector from the shared pages (no physical read), and on the
    machine's disk after power-off."""
    p = []
    n = 8 << 20
    want = "0x%08x" % fnv1a(disk_pattern(5, 0, n))
    w = disk_line(log, "a", f"disk: write: {n} bytes at lba 0 in 128 commands (dma)")
    r = disk_line(log, "b", f"disk: read: {n} bytes at lba 0 bit-exact in 8 commands (dma)")
    expect(p, w and w.endswith("fnv1a " + want), f"a wrote {w}")
    expect(p, r and r.endswith("fnv1a " + want), f"b read {r}")
    expect(p, w and r and log.lines.index("[a] " + w) < log.lines.index("[b] " + r),
           "b read before a had written")
    for g in ("a", "b"):
        expect(p, log.status(g) == ("exited", 0), f"{g}: status {log.status(g)}")
    da, db = drive(log, "a", 0), drive(log, "b", 0)
    expect(p, da.get("wrote") == n // 512 and da.get("flushes") == 1 and da.get("errors") == 0,
           f"a's drive {da}")
    expect(p, db.get("read") == n // 512 and db.get("from_pages") == n // 512 and
           db.get("from_disk") == 0 and db.get("errors") == 0, f"b's drive {db}")
    # b's 1 MiB commands were moved in 256 KiB pieces between timeslices.
    expect(p, dma_pieces(log, "b") == 8 * 4, f"b's DMA pieces {dma_pieces(log, 'b')}, want 32")
    img = data_image(log)
    first, count = gpt_partition(img, 1)
    expect(p, img[first * 512: first * 512 + n] == disk_pattern(5, 0, n),
           "the backing range does not hold a's 8 MiB after power-off")
    rest = first * 512 + n
    expect(p, img[rest: (first + count) * 512] == image_fill(rest, (first + count) * 512 - rest),
           "the shared disk's backing changed beyond what a wrote")
    return p


def check_disk_private(log):
    """Two private disks, written at once (misaligned DMA split per page;
    PIO with polling): each lands in its own partition, nothing else on the
    machine's disk changes."""
    p = []
    ma, mb = 2 << 20, 1 << 20
    w = disk_line(log, "a", f"disk: write: {ma} bytes at lba 0 in 2 commands (dma)")
    x = disk_line(log, "b", f"disk: write: {mb} bytes at lba 0 in 16 commands (pio)")
    expect(p, w and w.endswith("fnv1a 0x%08x" % fnv1a(disk_pattern(7, 0, ma))), f"a wrote {w}")
    expect(p, x and x.endswith("fnv1a 0x%08x" % fnv1a(disk_pattern(8, 0, mb))), f"b wrote {x}")
    for g in ("a", "b"):
        expect(p, log.status(g) == ("exited", 0), f"{g}: status {log.status(g)}")
    da, db = drive(log, "a", 0), drive(log, "b", 0)
    expect(p, da.get("wrote") == ma // 512 and da.get("flushes") == 1 and da.get("errors") == 0,
           f"a's drive {da}")
    expect(p, dma_pieces(log, "a") == 2 * 4, f"a's DMA pieces {dma_pieces(log, 'a')}, want 8")
    expect(p, db.get("wrote") == mb // 512 and db.get("flushes") == 1 and db.get("errors") == 0,
           f"b's drive {db}")
    img = data_image(log)
    (fa, _), (fb, _) = gpt_partition(img, 2), gpt_partition(img, 3)
    want = bytearray(image_fill(0, len(img)))
    want[fa * 512: fa * 512 + ma] = disk_pattern(7, 0, ma)
    want[fb * 512: fb * 512 + mb] = disk_pattern(8, 0, mb)
    # The GPT itself (sgdisk's) is not ours to compare: from partition 1 on.
    f1, _ = gpt_partition(img, 1)
    end = len(img) - (1 << 20)
    diff = next((i for i in range(f1 * 512, end, 512)
                 if img[i:i + 512] != want[i:i + 512]), None)
    expect(p, diff is None, f"the machine's disk differs from what a and b wrote at byte {diff}")
    return p


DISK_BAD = ("disk: bad: prd_lapic=51/04/06 prd_beyond_ram=51/04/06 table_beyond_ram=51/04/06 "
            "prd_no_eot=51/04/06 prd_exact_no_eot=50/00/05 prd_odd=51/04/06 prd_64k=51/04/06 "
            "prd_short=58/00/00 dma_direction=51/04/06 bm_stopped=58/00/00 lba_beyond=51/10/05 "
            "lba_cross_end=51/10/04 count_zero=50/00/04 nop=51/04/04 reserved_opcode=51/04/04; "
            "good read bit-exact; 15 of 15 as expected")


def check_disk_bad(log):
    """evil abuses its controller: each answer is ATA-6's and the PIIX's,
    counted; a pair on a shared disk beside it stays bit-exact."""
    p = []
    got = disk_line(log, "evil", "disk: bad: prd_lapic=")
    expect(p, got == DISK_BAD, f"evil: {got}")
    for g in ("evil", "a", "b"):
        expect(p, log.status(g) == ("exited", 0), f"{g}: status {log.status(g)}")
    bad = ide_bad(log, "evil")
    want = {"prd_ram": 3, "prd_eot": 1, "prd_odd": 1, "prd_64k": 1, "prd_short": 1,
            "direction": 1, "lba": 2, "zero": 1, "commands": 2, "access": 0, "data_port": 0,
            "busy": 0, "params": 0}
    expect(p, bad and all(bad.get(k) == v for k, v in want.items()),
           f"evil's counted bad input {bad}, want {want}")
    for g in ("a", "b"):
        b = ide_bad(log, g)
        expect(p, b and sum(v for k, v in b.items() if k != "irqs") == 0, f"{g}: bad input {b}")
    expect(p, disk_line(log, "b", "disk: read: 1048576 bytes at lba 0 bit-exact") is not None,
           "b did not read a's MiB bit-exact")
    img = data_image(log)
    f2, c2 = gpt_partition(img, 2)
    f1, _ = gpt_partition(img, 1)
    expect(p, img[f1 * 512: f1 * 512 + (1 << 20)] == disk_pattern(9, 0, 1 << 20),
           "the shared disk does not hold a's MiB")
    return p


# ---------------------------------------------------------------- disks, Linux

LINUX_DISK_BAD = ("unchecked MSR access", "BUG:", "WARNING: CPU:", "Kernel panic",
                  "exception Emask", "failed command", "I/O error", "EXT4-fs error",
                  "resetting link", "limiting speed")


def check_linux_disk_guest(log, g, p, disks, step):
    """What every Linux guest of the disk cases must show: the disk found
    with its size (ata_piix, sd_mod), the step done, no libata exception,
    I/O error or kernel warning, its drive without errors, powered off."""
    f, out = linux_facts(log, g), log.output_of(g)
    mods = [t.split("=", 1)[1] for t in out if t.startswith("xtalk-linux: insmod=")]
    expect(p, "ata_piix.ko ok" in mods and "sd_mod.ko ok" in mods and "ext4.ko ok" in mods and
           all(m.endswith(" ok") for m in mods), f"{g}: insmod {mods}")
    expect(p, f.get("disks") == disks, f"{g}: disks={f.get('disks')}, want {disks}")
    expect(p, f"xtalk-linux: step={step} ok" in out, f"{g}: step {step} did not end ok")
    for bad in LINUX_DISK_BAD:
        hit = next((t for t in out if bad in t), None)
        expect(p, hit is None, f"{g}: kernel log has {hit!r}")
    st = log.status(g)
    expect(p, st[0] == "stopped" and str(st[1]).startswith("powered off"),
           f"{g}: status {st}, want powered off")
    b = ide_bad(log, g)
    expect(p, b and sum(v for k, v in b.items() if k != "irqs") == 0 and b.get("irqs", 0) > 0,
           f"{g}: ide {b}: want interrupts and no bad input")
    return f


def shared_disk(log, name):
    """The [disk NAME] summary line's counters (vmm/storage/disk.c)."""
    m = log.grep(rf"^xtalk: storage: \[disk {re.escape(name)}\]: sectors written (\d+), read "
                 r"from pages (\d+), read from the disk (\d+); pages (\d+), evictions (\d+); "
                 r"flushes (\d+), errors (\d+)$")
    keys = ("written", "from_pages", "from_disk", "pages", "evictions", "flushes", "errors")
    return dict(zip(keys, (int(x) for x in m[-1].groups()))) if m else {}


def check_disk_linux(log):
    """la writes 8 MiB with dd oflag=direct, lb reads them with iflag=direct
    after a barrier: the same sha256 at both ends and on the machine's disk
    after power-off, lb's reads of them all from the shared pages."""
    import hashlib
    p = []
    n = 8 << 20
    fa = check_linux_disk_guest(log, "la", p, "sda:32768", "disk-write")
    fb = check_linux_disk_guest(log, "lb", p, "sda:32768", "disk-read")
    for g in ("la", "lb"):
        expect(p, "xtalk-linux: step=sync ok" in log.output_of(g), f"{g}: the barrier failed")
    img = data_image(log)
    first, count = gpt_partition(img, 1)
    on_disk = hashlib.sha256(img[first * 512: first * 512 + n]).hexdigest()
    expect(p, fa.get("disk_bytes") == str(n) and fb.get("disk_bytes") == str(n),
           f"la wrote {fa.get('disk_bytes')} bytes, lb read {fb.get('disk_bytes')}, want {n}")
    expect(p, fa.get("disk_sha256") == fb.get("disk_sha256") == on_disk,
           f"sha256: la wrote {fa.get('disk_sha256')}, lb read {fb.get('disk_sha256')}, "
           f"the machine's disk holds {on_disk}")
    rest = first * 512 + n
    expect(p, img[rest: (first + count) * 512] == image_fill(rest, (first + count) * 512 - rest),
           "the shared disk's backing changed beyond what la wrote")
    lines = log.lines
    wrote = next((i for i, t in enumerate(lines) if t == "[la] xtalk-linux: step=disk-write ok"), -1)
    read = next((i for i, t in enumerate(lines) if t == "[lb] xtalk-linux: step=disk-read"), -1)
    expect(p, 0 <= wrote < read, f"lb's read (line {read}) began before la's write ended (line {wrote})")
    da, db = drive(log, "la", 0), drive(log, "lb", 0)
    expect(p, da.get("wrote") == n // 512 and fa.get("disk_write_sectors") == str(n // 512) and
           da.get("flushes", 0) >= 1 and da.get("errors") == 0,
           f"la's drive {da} (the kernel counted {fa.get('disk_write_sectors')} sectors written), "
           f"want {n // 512} sectors written and a flush")
    # lb's kernel read its partition table at boot (disk_sectors_before),
    # perhaps from the machine's disk; the 8 MiB after the barrier must all
    # come from the pages la's write filled.
    try:
        before, rs = int(fb.get("disk_sectors_before")), int(fb.get("disk_read_sectors"))
    except (TypeError, ValueError):
        before, rs = None, None
    expect(p, rs == n // 512, f"lb: the kernel counted {rs} sectors for the read, want {n // 512}")
    expect(p, before is not None and db.get("read") == before + (rs or 0) and
           db.get("from_pages", 0) >= n // 512 and db.get("from_disk", -1) <= before and
           db.get("errors") == 0,
           f"lb's drive {db}: want {n // 512} + {before} sectors read, at most the {before} of "
           f"its boot from the disk, the rest from shared pages")
    sd = shared_disk(log, "shared")
    expect(p, sd.get("written") == n // 512 and sd.get("errors") == 0, f"[disk shared] {sd}")
    return p


EXT4_LINE = "xtalk: hello from a read-only ext4 on a shared disk"
EXT4_UUID = "7874616c-6b00-4e78-8000-657874340001"


def ext4_hello():
    """hello.txt on disk_linux_ext4's file system: the known first line, then
    numbered lines (about 40 KiB: several blocks and extents to read)."""
    lines = [EXT4_LINE] + [f"line {i:05d} of hello.txt" for i in range(1, 1600)]
    return ("\n".join(lines) + "\n").encode()


def ext4_disk(work):
    """disk_linux_ext4's data disk content: partition 1 is an 8 MiB ext4
    made by Debian's mkfs.ext4 -d from a folder holding hello.txt (also
    kept as work/ext4.img for the check)."""
    import shutil
    import subprocess
    root = os.path.join(work, "ext4-root")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    with open(os.path.join(root, "hello.txt"), "wb") as f:
        f.write(ext4_hello())
    img = os.path.join(work, "ext4.img")
    if os.path.exists(img):
        os.remove(img)
    mkfs = shutil.which("mkfs.ext4") or next(
        (p for p in ("/usr/sbin/mkfs.ext4", "/sbin/mkfs.ext4") if os.path.exists(p)), None)
    if mkfs is None:
        raise FileNotFoundError("no mkfs.ext4 (Debian's e2fsprogs)")
    subprocess.run([mkfs, "-q", "-F", "-d", root, "-L", "xt", "-U", EXT4_UUID,
                    "-E", f"hash_seed={EXT4_UUID}", img, "8M"], check=True, capture_output=True)
    with open(img, "rb") as f:
        return {1: f.read()}


def check_disk_linux_ext4(log):
    """Both guests mount the shared ext4 read-only and read hello.txt: its
    sha256 and first line; nothing written to the disk."""
    import hashlib
    p = []
    want = ext4_hello()
    sha = hashlib.sha256(want).hexdigest()
    for g in ("la", "lb"):
        f = check_linux_disk_guest(log, g, p, "sda:16384", "disk-mount")
        out = log.output_of(g)
        opts = (f.get("disk_mount_opts") or "").split(",")
        expect(p, f.get("disk_mount") == "/dev/sda" and "ro" in opts,
               f"{g}: mounted {f.get('disk_mount')} with {opts}, want /dev/sda ro")
        expect(p, f.get("file") == "/mnt/hello.txt" and f.get("file_bytes") == str(len(want)) and
               f.get("file_sha256") == sha and f.get("file_line") == EXT4_LINE,
               f"{g}: {f.get('file')} {f.get('file_bytes')} bytes sha256 {f.get('file_sha256')} "
               f"first line {f.get('file_line')!r}; want {len(want)} bytes, {sha}, {EXT4_LINE!r}")
        expect(p, any(t.endswith(" hello.txt") for t in out), f"{g}: ls did not list hello.txt")
        expect(p, f.get("disk_umount") == "ok", f"{g}: umount {f.get('disk_umount')}")
        d = drive(log, g, 0)
        expect(p, d.get("wrote") == 0 and d.get("read", 0) > 0 and d.get("errors") == 0,
               f"{g}'s drive {d}: want reads, no writes")
    sd = shared_disk(log, "fs")
    expect(p, sd.get("written") == 0 and sd.get("errors") == 0, f"[disk fs] {sd}")
    img = data_image(log)
    first, _ = gpt_partition(img, 1)
    with open(os.path.join(log.workdir, "ext4.img"), "rb") as fimg:
        fs = fimg.read()
    expect(p, img[first * 512: first * 512 + len(fs)] == fs,
           "the file system on the machine's disk is not the one the harness made")
    return p


def check_audio_linux_probe(log):
    p = []
    out = log.output_of("lx")
    expect(p, "xtalk-linux: insmod=snd-ens1370.ko ok" in out, "snd-ens1370 did not load")
    cards = [t for t in out if t.startswith("xtalk-linux: sound=")]
    expect(p, cards and "ENS1370 - Ensoniq AudioPCI" in cards[0],
           f"ALSA did not register the card: {cards}")
    bad = es1370_bad(log, "lx")
    expect(p, bad is not None and bad[1:] == (0, 0, 0), f"Linux's driver counted as bad input: {bad}")
    st = log.status("lx")
    expect(p, st[0] == "stopped" and st[1].startswith("powered off"),
           f"lx: status {st}, want powered off (ACPI S5)")
    return p


def check_audio_linux(log):
    p = []
    la, lb = log.output_of("la"), log.output_of("lb")
    for g, out in (("la", la), ("lb", lb)):
        cards = [t for t in out if t.startswith("xtalk-linux: sound=")]
        expect(p, cards and "ENS1370 - Ensoniq AudioPCI" in cards[0], f"{g}: cards {cards}")
        bad = es1370_bad(log, g)
        expect(p, bad is not None and bad[1:] == (0, 0, 0), f"{g}: bad input {bad}")
    # Debian's aplay played xtaudio's WAV file as it is (hw:0,0, no conversion),
    # arecord recorded the same format for all of xtalk.record=8 s.
    fmt = " : Signed 16 bit Little Endian, Rate 44100 Hz, Stereo"
    expect(p, "xtaudio: wrote 44100 samples to /tmp/play.wav (176444 bytes)" in la and
           f"Playing WAVE '/tmp/play.wav'{fmt}" in la, "la: aplay did not play the WAV file")
    expect(p, f"Recording WAVE '/tmp/rec.wav'{fmt}" in lb, "lb: arecord did not record")
    fa, fb = linux_facts(log, "la"), linux_facts(log, "lb")
    expect(p, fa.get("aplay_exit") == "0" and fb.get("arecord_exit") == "0",
           f"aplay exit {fa.get('aplay_exit')}, arecord exit {fb.get('arecord_exit')}")
    # Real time: from aplay's "Playing WAVE" (the PCM open) to its exit it
    # plays 44100 samples, its last period padded with silence, and drains
    # (the guest's /proc/uptime: 10 ms steps, hence 990).
    played = fa.get("aplay_play_ms")
    expect(p, played is not None and played.isdigit() and 990 <= int(played) <= 1200,
           f"la: aplay played 1 s of audio in {played} ms (real time wanted; the whole "
           f"command {fa.get('aplay_ms')} ms)")
    got = [re.match(r"xtaudio: captured 44100 samples bit-exact \(skipped (\d+) silent\) in "
                    r"/tmp/rec\.wav: (\d+) recorded", t) for t in lb]
    got = [m for m in got if m]
    expect(p, got and int(got[0].group(1)) > 0 and int(got[0].group(2)) == 8 * 44100,
           "lb did not record la's samples bit-exact after leading silence in 8 s: "
           f"{[t for t in lb if t.startswith('xtaudio:')]}")
    expect(p, "xtalk-linux: step=audio-capture ok" in lb and "xtalk-linux: step=audio-play ok" in la,
           "an audio step failed")
    a, b = audio(log, "la") or {}, audio(log, "lb") or {}
    expect(p, a.get("played", 0) >= 44100 * 4 and a.get("sent") == a.get("played") and
           b.get("received") == a.get("sent") and b.get("underrun") == 0 and
           b.get("overrun") == 0, f"audio path la {a} lb {b}")
    return p


def check_netping(mode):
    def check(log):
        p = []
        expect(p, "netping: 100/100 replies ok" in log.output_of("ping"),
               "pinger did not get 100 good replies")
        expect(p, "netpong: answered 100" in log.output_of("pong"), "ponger did not answer 100")
        check_exited_ok(log, p, "ping", "pong")
        for g in ("ping", "pong"):
            n = nic(log, g) or {}
            expect(p, n.get("tx", 0) >= 100 and n.get("rx", 0) >= 100,
                   f"{g}: bridge moved too few frames: {n}")
            irqs = injected(log, g)
            if mode == "irq":
                expect(p, irqs and irqs >= 100, f"{g}: only {irqs} interrupts injected in irq mode")
            else:
                expect(p, irqs == 0, f"{g}: {irqs} interrupts injected in poll mode")
        return p
    return check


def check_netxfer(count):
    def check(log):
        p = []
        want = f"netxfer: received {count} frames, 0 bad, 0 out of order, 0 missing"
        got = [t for t in log.output_of("rx") if t.startswith("netxfer: received")]
        expect(p, got and got[0].startswith(want), f"receiver said {got}, want '{want} ...'")
        expect(p, any(t.startswith(f"netxfer: sent {count} frames") and "not all" not in t
                      for t in log.output_of("tx")), "sender did not complete")
        check_exited_ok(log, p, "tx", "rx")
        tx, rx = nic(log, "tx") or {}, nic(log, "rx") or {}
        expect(p, rx.get("rx", 0) >= count and tx.get("tx", 0) >= count,
               f"bridge counters tx {tx} rx {rx}")
        # One VMM copy per frame delivered, and nothing dropped.
        expect(p, rx.get("copies") == rx.get("rx"), f"copies {rx.get('copies')} != frames {rx.get('rx')}")
        expect(p, tx.get("unknown") == 0 and tx.get("down") == 0 and tx.get("error") == 0,
               f"sender drops {tx}")
        return p
    return check


def check_netxfer_batch(log):
    p = check_netxfer(3000)(log)
    tx = nic(log, "tx") or {}
    expect(p, tx.get("waits", 0) > 0, "batches of 32 into a 64-entry ring never had to wait")
    return p


def check_netbcast(log):
    p = []
    lan = {"b1": "52:54:00:00:03:01", "b2": "52:54:00:00:03:02", "b3": "52:54:00:00:03:03"}
    for g, mac in lan.items():
        out = log.output_of(g)
        heard = {t.split()[-1] for t in out if t.startswith("netbcast: heard ") and ":" in t.split()[-1]}
        want = {m for h, m in lan.items() if h != g}
        expect(p, heard == want, f"{g} heard {sorted(heard)}, want {sorted(want)}")
        expect(p, "52:54:00:00:03:09" not in " ".join(out), f"{g} heard the guest on another network")
    expect(p, not any("heard 52:54" in t for t in log.output_of("alone")),
           "the guest on network 'other' heard someone")
    check_exited_ok(log, p, "b1", "b2", "b3", "alone")
    return p


BAD_KINDS = ("ring length", "ring index", "ring outside RAM", "buffer outside RAM",
             "zero-length descriptor", "no end of packet", "short frame", "long frame",
             "bad descriptor", "bad checksum offload", "bad TCP segmentation")


def check_netbad(mode, bridge=True):
    def check(log):
        p = []
        out = log.output_of("bad")
        expect(p, "netbad: first ping: ok" in out, "the first ping failed")
        scen = [t.split(":")[1].strip() for t in out if t.endswith(": contained")]
        rec = [t for t in out if t.endswith(": recovered")]
        expect(p, len(scen) == 16 and len(rec) == 16,
               f"{len(scen)} scenarios contained, {len(rec)} recovered, want 16 and 16")
        expect(p, "netbad: 16 scenarios, 16 contained, 16 recovered" in out, "netbad summary")
        pong = log.output_of("pong")
        expect(p, "netpong: answered 25" in pong, "the peer did not answer 25")
        # tso_sent: one TSO packet reached the peer as exactly two frames.
        expect(p, any(t.startswith("netpong: dup ") and t.endswith(" other 2") for t in pong),
               "the peer did not see the 2 frames of the TSO packet (netpong: ... other 2)")
        for g in ("bad", "pong"):
            expect(p, log.status(g) == ("exited", 0), f"{g}: status {log.status(g)}")
        bad = bad_input(log, "bad") or ""
        for kind in BAD_KINDS:
            m = re.search(re.escape(kind) + r" (\d+)", bad)
            expect(p, m and int(m.group(1)) > 0, f"bad input '{kind}' not counted: {bad}")
        expect(p, bad_input(log, "pong") == "none", f"pong saw bad input {bad_input(log, 'pong')}")
        m = log.grep(r"^xtalk: guest bad: e1000 bad input: .*; unknown registers (\d+); "
                     r"BAR writes refused (\d+); DMA refused (\d+)$")
        expect(p, m and m[-1].group(1) == "0" and m[-1].group(2) == "3" and int(m[-1].group(3)) > 0,
               "unknown registers 0, BAR writes refused 3 and some DMA refused expected")
        if bridge:
            n = nic(log, "bad") or {}
            expect(p, n.get("unknown") == 0, f"a frame the NIC should have dropped left it: {n}")
        irqs = injected(log, "bad")
        expect(p, (irqs > 0) if mode == "irq" else (irqs == 0), f"bad: {irqs} interrupts in {mode} mode")
        return p
    return check


def xt_path(log, guest):
    """Per-path counters of a guest on the cross-talk path."""
    out = {}
    for m in log.grep(rf"^xtalk: guest {re.escape(guest)}: path (.*?): tx (\d+) frames (\d+) bytes; "
                      rf"rx (\d+) frames (\d+) bytes$"):
        out[m.group(1)] = {"tx": int(m.group(2)), "rx": int(m.group(4))}
    m = log.grep(rf"^xtalk: guest {re.escape(guest)}: cross-talk: VMM copies (\d+) \((\d+) bytes\); "
                 rf"remaps (\d+); waits (\d+); dropped peer-down (\d+)")
    if m:
        out["copies"], out["remaps"], out["drop_down"] = (int(m[-1].group(1)), int(m[-1].group(3)),
                                                          int(m[-1].group(5)))
    return out


def physnic(log):
    m = log.grep(r"^xtalk: physical NIC phys0: tx (\d+) frames \d+ bytes, rx (\d+) frames .*"
                 r"hardware GPTC (\d+) GPRC (\d+)")
    return {k: int(v) for k, v in zip(("tx", "rx", "gptc", "gprc"), m[-1].groups())} if m else None


def null_log_bytes(log):
    """Bytes of frames Bochs' null back end sent (its raw log; the hex dump has a header)."""
    path = os.path.join(log.workdir, "eth_null-tx.log")
    return os.path.getsize(path) if os.path.exists(path) else 0


def check_xt_duplex(log):
    p = []
    for g in ("a", "b"):
        out = log.output_of(g)
        expect(p, any(t.startswith("netxfer: received 10000 frames, 0 bad, 0 out of order, 0 missing")
                      for t in out), f"{g} did not receive 10000 good frames")
        expect(p, any(t.startswith("netxfer: sent 10000 frames") and "not all" not in t for t in out),
               f"{g} did not complete its 10000 frames")
        expect(p, log.status(g) == ("exited", 0), f"{g}: status {log.status(g)}")
        x = xt_path(log, g)
        shared = x.get("shared page", {}).get("tx", 0)
        expect(p, shared >= 9000, f"{g}: only {shared} frames through the shared page: {x}")
        expect(p, x.get("physical", {}).get("tx", -1) == 0, f"{g}: frames sent outside: {x}")
    ph = physnic(log)
    expect(p, ph is not None and ph["tx"] == 0 and ph["gptc"] == 0,
           f"the physical NIC transmitted frames: {ph}")
    expect(p, null_log_bytes(log) == 0, "Bochs' null back end logged transmitted frames")
    return p


def check_xt_seq(reason):
    def check(log):
        p = []
        expect(p, log.has(f"'send' and 'recv' coupled at start ({reason})"),
               f"the pair was not coupled at start ({reason})")
        for g in ("send", "recv"):
            out = log.output_of(g)
            expect(p, any(t.startswith("SUMMARY:") and t.endswith(" 0 failures") for t in out),
                   f"{g}: netseq checks failed: {[t for t in out if t.startswith('FAIL')][:3]}")
            expect(p, log.status(g) == ("exited", 0), f"{g}: status {log.status(g)}")
        rounds = [t for t in log.output_of("send") if re.match(r"netseq: round \d+: sent", t)]
        expect(p, len(rounds) == 8 and all("TDH +0, DD 0/16, TXDW no" in t and " < t_done " in t
                                           for t in rounds),
               f"sender rounds: {rounds[:2]}")
        # The shared pages exist before the first data frame, in both EPTs.
        first_round = next((i for i, l in enumerate(log.lines) if "netseq: round 0: sent" in l), None)
        dumps = [i for i, l in enumerate(log.lines) if "xt-dump: shared page" in l]
        expect(p, dumps and first_round is not None and dumps[0] < first_round,
               "no shared page in the dump before the first frame")
        expect(p, not log.has("DIFFERENT host pages"), "a pair maps two different host pages")
        same = sum(int(m.group(1)) for l in log.lines if "same host page" in l
                   for m in [re.search(r"xt-dump: shared pages \d+-\d+ \((\d+)\)", l)] if m)
        expect(p, same >= 16, f"only {same} shared pages dumped")
        x = xt_path(log, "send")
        expect(p, x.get("shared page", {}).get("tx", 0) >= 100,
               f"data did not go through the shared page: {x}")
        named = [l for l in log.lines if l.startswith(("xtalk: cross-talk: remap:",
                                                        "xtalk: cross-talk detected:"))]
        wrong = [l for l in named if set(re.findall(r"'([^']*)'", l)) - {"send", "recv"}]
        expect(p, named and not wrong, f"cross-talk log lines name other guests: {wrong[:2]}")
        return p
    return check


def check_xt_outside(log):
    p = []
    out = log.output_of("out")
    expect(p, "netout: arp 192.168.10.1 is at 52:54:00:12:34:55" in out, "no ARP answer from outside")
    expect(p, "netout: 20/20 echo replies ok, 20/20 peer pongs ok" in out,
           f"alternating traffic failed: {[t for t in out if t.startswith('netout:')][-3:]}")
    for g in ("out", "pong"):
        expect(p, log.status(g) == ("exited", 0), f"{g}: status {log.status(g)}")
    ph = physnic(log) or {}
    expect(p, ph.get("tx", 0) >= 21 and ph.get("gptc", 0) >= 21 and ph.get("rx", 0) >= 21,
           f"physical NIC counters {ph}")
    x = xt_path(log, "out")
    expect(p, x.get("physical", {}).get("tx", 0) >= 21, f"out: physical path {x}")
    expect(p, x.get("shared page", {}).get("tx", 0) + x.get("cross-talk copy", {}).get("tx", 0) >= 20,
           f"out: cross-talk path {x}")
    # 'out' has an uplink, so its pair with 'pong' is not exclusive: its TX
    # pages are never pre-shared with 'pong' (issue 11 H2), and this traffic
    # (each TX page meeting another RX page of pong's every time) learns no
    # pairing, so no page has to move between the paths here; that move is
    # covered by test_outside_shared_page (tests/unit/test_xpath.c).
    return p


def check_xt_peer_death(log):
    p = []
    expect(p, any(t.startswith("netxfer: sent 3000 frames") for t in log.output_of("tx")),
           "the sender did not finish")
    expect(p, "netxfer: stopping after 500 of 3000 frames" in log.output_of("rx"),
           "the receiver did not stop after 500")
    for g in ("tx", "rx"):
        expect(p, log.status(g) == ("exited", 0), f"{g}: status {log.status(g)}")
    x = xt_path(log, "tx")
    expect(p, x.get("drop_down", 0) > 0, f"no frames counted as dropped for the dead peer: {x}")
    return p


def check_hostile(log):
    """Every other guest's traffic arrived whole and intact, none stalled, and
    the hostile guest saw nothing it was not sent (docs/security.md)."""
    p = []
    for g, sender in (("a", True), ("b", True), ("d", True), ("e", False)):
        out = log.output_of(g)
        if g != "d":
            expect(p, any(t.startswith("netxfer: received 10000 frames, 0 bad, 0 out of order, "
                                       "0 missing") for t in out),
                   f"{g}: transfer damaged or incomplete: {[t for t in out if 'received' in t]}")
        if sender:
            expect(p, any(t.startswith("netxfer: sent 10000 frames") and "not all" not in t
                          for t in out),
                   f"{g}: did not send everything: {[t for t in out if 'sent' in t]}")
        expect(p, log.status(g) == ("exited", 0), f"{g}: status {log.status(g)}")
    for g in ("a", "b"):
        x = xt_path(log, g)
        expect(p, x.get("shared page", {}).get("tx", 0) > 0, f"{g}: no frame through a shared page")
    out = log.output_of("out")
    expect(p, "netout: 1000/1000 echo replies ok" in out,
           f"the outside guest stalled or lost echoes: {[t for t in out if 'echo' in t][-2:]}")
    expect(p, "netout: host resolved again 49 times, 0 without answer" in out,
           "the outside guest's broadcast ARP requests were not all answered")
    expect(p, log.status("out") == ("exited", 0), f"out: status {log.status('out')}")
    evil = log.output_of("evil")
    expect(p, "hostile: snoop: 0 buffers never filled by the NIC held data" in evil,
           f"the hostile guest read other guests' pages: {[t for t in evil if 'snoop' in t][-4:]}")
    expect(p, "hostile: done" in evil, "the hostile guest did not finish its attempts")
    # Its attempt to hold senders is counted on it: frames dropped for lack of room.
    m = log.grep(r"^xtalk: guest evil: cross-talk: .*; no room \(dropped for it\) (\d+)")
    expect(p, m and int(m[-1].group(1)) > 0, "no frame counted as dropped for the hostile guest")
    expect(p, log.status("evil") == ("exited", 0), f"evil: status {log.status('evil')}")
    return p


def check_no_vtx(log):
    p = []
    line = log.first("VT-x not available") or ""
    expect(p, "CPUID.1:ECX.VMX = 0" in line, f"the message does not say what is missing: {line!r}")
    expect(p, "-cpu host,+vmx" in line and "firmware setup" in line,
           "the message does not say how to get VT-x")
    expect(p, log.has("stopping: guests need VT-x with EPT"), "no clean stop")
    expect(p, not log.guest_lines(), "a guest ran without VT-x")
    return p


# tests/e2e/console_input.ini: what is typed, step by step, and what each
# guest must have received.
SWITCH = b"\x01\x01\x01"
CONSOLE_FEED = [
    ("conin: ready for", 3, b"ab\x01c\x01\x01d" + SWITCH),
    ("console input -> guest 'b'", 1, b"xy\x00\xff\r\n\x7f" + SWITCH),
    ("console input -> guest 'a'", 2, b"end"),
    ("console input -> guest 'b'", 2, b"\x01z"),
]
CONSOLE_WANT = {"a": b"ab\x01c\x01\x01dend", "b": b"xy\x00\xff\r\n\x7f\x01z", "c": b""}


def check_console_input(log):
    p = []
    expect(p, log.fed == len(CONSOLE_FEED),
           f"only {log.fed} of {len(CONSOLE_FEED)} input steps were typed")
    for g, want in CONSOLE_WANT.items():
        line = f"conin: received {len(want)} of {len(want)} bytes:" + "".join(f" {b:02x}" for b in want)
        out = log.output_of(g)
        expect(p, line in out, f"{g}: want {line!r}, printed {[t for t in out if 'bytes' in t]}")
        expect(p, log.status(g) == ("exited", 0), f"{g}: status {log.status(g)}, want exited 0")
    moves = [m.group(1) for m in log.grep(r"^xtalk: console input -> guest '(\w+)' \(Ctrl-A x3 to switch\)$")]
    expect(p, moves == ["a", "b", "a", "b"],
           f"focus lines name {moves}, want a (start), b (switch), a (switch), b (a stopped)")
    lost = log.first("byte(s) dropped") or log.first("lost input")
    expect(p, not lost, f"input lost: {lost}")
    return p


CASES = [
    Case("scheduling", "scheduling.ini", ["ticker.elf"], check_scheduling,
         "two guests that never yield print interleaved numbered lines and both finish"),
    Case("selftest", "selftest.ini", ["selftest.elf", "ticker.elf"], check_selftest,
         "CPUID, hypercalls, MSRs, ports, CR shadowing, #UD/#GP, boot state, per-guest MSRs"),
    Case("selftest_haswell", "selftest.ini", ["selftest.elf", "ticker.elf"], check_selftest,
         "the same on Bochs' corei7_haswell_4770, whose CPUID stops at leaf 0xD: 0x15/0x16 synthesised",
         cpu="corei7_haswell_4770"),
    Case("linux_loader", "linux_loader.ini",
         ["linuxload.bzimage", "linuxload.initrd", "linuxload.elf"], check_linux_loader,
         "format = linux: a bzImage-wrapped guest reads boot_params and a 17 MiB initrd "
         "byte for byte; the same guest as an ELF gets an initrd too"),
    Case("linux_boot", "linux_boot.ini", [], check_linux_boot,
         "a stock Debian kernel (vmlinux) with console=ttyS0 only reaches /init: clocksource, "
         "TSC rate, timer interrupts per second, RTC time; ACPI poweroff",
         timeout=900, megs=1024, kit=["vmlinux", "initrd.cpio"]),
    Case("linux_acpi_off", "linux_acpi_off.ini", [], check_linux_acpi_off,
         "the same kernel with acpi=off (MP table) and a gzip initramfs reaches /init",
         timeout=900, megs=1024, kit=["vmlinux", "initrd.cpio.gz"]),
    Case("linux_net", "linux_net.ini", ["netout.elf"], check_linux_net,
         "two Linux guests ping each other and move 16 MiB over TCP (TSO) through cross-talk; "
         "one of our guests pings a Linux guest; nothing goes out",
         timeout=1800, megs=1024, phys="vnet", kit=["vmlinux", "initrd.cpio"]),
    Case("linux_lifecycle", "linux_lifecycle.ini", [], check_linux_lifecycle,
         "reboot restarts a guest, a panic (bzImage, panic=-1) restarts another while the "
         "first pings the outside host, poweroff ends both",
         timeout=1500, megs=1024, phys="vnet",
         kit=["vmlinux", "initrd.cpio", "bzImage", "initrd.cpio.gz"]),
    Case("faults", "faults.ini", ["crash.elf", "wild.elf", "ticker.elf"], check_faults,
         "a triple fault and a write outside RAM stop only their guest"),
    Case("bad_guest_lines", "bad_guest_lines.ini", ["ticker.elf"], check_bad_guest_lines,
         "bad INI lines refuse their guest with file:line errors; others run",
         extra_files=["notelf.elf"]),
    Case("untrusted_file", "untrusted_file.ini", ["ticker.elf"], check_untrusted_file,
         "a file-level INI error refuses the whole file and the VMM still ends cleanly"),
    Case("netping_irq", "netping_irq.ini", ["netping.elf"], check_netping("irq"),
         "100 pings with sequence numbers, interrupt-driven on both sides"),
    Case("netping_poll", "netping_poll.ini", ["netping.elf"], check_netping("poll"),
         "100 pings with sequence numbers, polling on both sides, no interrupts injected"),
    Case("netxfer", "netxfer.ini", ["netxfer.elf"], check_netxfer(10000),
         "10,000 frames of 60..1514 bytes through the bridge, every byte and the order checked",
         timeout=900),
    Case("netxfer_batch", "netxfer_batch.ini", ["netxfer.elf"], check_netxfer_batch,
         "batches of 32 frames per TDT into a polling receiver: backpressure, nothing lost",
         timeout=600),
    Case("netbcast", "netbcast.ini", ["netbcast.elf"], check_netbcast,
         "broadcast reaches every guest on the network and no guest on another"),
    Case("netbad_poll", "netbad_poll.ini", ["netbad.elf", "netping.elf"], check_netbad("poll"),
         "15 kinds of bad e1000 input (rings, buffers, descriptors, frames, BAR moves) contained; a TSO packet sent as 2 frames",
         timeout=900),
    Case("netbad_irq", "netbad_irq.ini", ["netbad.elf", "netping.elf"], check_netbad("irq"),
         "the same with interrupts", timeout=900),
    Case("netbad_xt", "netbad_xt.ini", ["netbad.elf", "netping.elf"],
         check_netbad("poll", bridge=False),
         "the same over the cross-talk path", timeout=900),
    Case("xt_duplex", "xt_duplex.ini", ["netxfer.elf"], check_xt_duplex,
         "10,000 frames each way through shared pages, every byte checked, none to the physical NIC",
         timeout=1200, phys="null"),
    Case("xt_seq_network", "xt_seq_network.ini", ["netseq.elf"], check_xt_seq("network"),
         "signalling order asserted in both guests; pages shared before the first frame (same network)"),
    Case("xt_seq_link", "xt_seq_link.ini", ["netseq.elf", "ticker.elf"], check_xt_seq("link"),
         "the same with an explicit [couple] link"),
    Case("xt_outside", "xt_outside.ini", ["netout.elf", "netping.elf"], check_xt_outside,
         "ARP and ICMP echo to a host outside through the physical NIC, alternating with a peer",
         phys="vnet", timeout=900),
    Case("xt_peer_death", "xt_peer_death.ini", ["netxfer.elf"], check_xt_peer_death,
         "the receiver stops mid-transfer; the sender finishes, drops are counted", timeout=900),
    Case("hostile_isolation", "hostile_isolation.ini", ["netxfer.elf", "netout.elf", "hostile.elf"],
         check_hostile,
         "a hostile guest snoops for other guests' pages, makes the VMM write into its receive "
         "pages, holds no buffers: every other guest's traffic intact, none stalled",
         phys="vnet", timeout=900),
    Case("audio_copy", "audio_copy.ini", ["audio.elf"], check_audio_copy,
         "a plays 1 s of a known sequence on its ES1370, b on the same audio bus captures it "
         "bit-exact, in real time"),
    Case("audio_convert", "audio_convert.ini", ["audio.elf"], check_audio_convert,
         "a plays a 1 kHz tone at 22.05 kHz 8-bit mono, b (linked) hears 1 kHz at its level at "
         "44.1 kHz 16-bit stereo"),
    Case("disk_share", "disk_share.ini", ["disk.elf"], check_disk_share,
         "a writes 8 MiB to a shared disk by DMA, b reads it back later: bit-exact, every "
         "sector from the shared pages (0 physical reads), on the machine's disk after power-off",
         data_disk=[16, 8, 8], timeout=600),
    Case("disk_private", "disk_private.ini", ["disk.elf"], check_disk_private,
         "two private disks written at once (misaligned DMA, PIO): each lands in its own "
         "partition of the machine's disk, nothing else there changes", data_disk=[16, 8, 8],
         timeout=600),
    Case("disk_bad", "disk_bad.ini", ["disk.elf"], check_disk_bad,
         "a guest abuses its IDE controller (PRDs outside RAM, without end, odd, across 64 KiB, "
         "short; LBAs beyond the disk; unknown opcodes): ATA-6's answers, counted; a pair on a "
         "shared disk beside it bit-exact", data_disk=[16, 8, 8], timeout=600),
    Case("audio_outside", "audio_outside.ini", ["audio.elf"], check_audio_outside,
         "a plays 1 s of the sequence with no guest capturing: xtalk's driver for the machine's "
         "own ES1370 (Bochs', writing a WAV) plays it; the WAV holds every sample once, in order",
         phys_audio=True),
    Case("audio_move_outside", "audio_move_outside.ini", ["audio.elf"],
         check_audio_move_outside,
         "a plays 2 s of the sequence on the machine's ES1370; b captures half a second of it "
         "in between: the stream moves to b and back, every sample once (WAV + b's share)",
         phys_audio=True),
    Case("audio_move", "audio_move.ini", ["audio.elf"], check_audio_move,
         "b starts and stops capturing while a plays: a's stream moves to b and back outside, "
         "every byte accounted for"),
    Case("audio_bad", "audio_bad.ini", ["audio.elf"], check_audio_bad,
         "frames outside RAM, across its end and on a BAR, odd access sizes, a missing codec "
         "register: contained and counted; a good frame still plays; a pair beside it bit-exact"),
    Case("audio_linux_probe", "audio_linux_probe.ini", [], check_audio_linux_probe,
         "a stock Debian kernel's snd-ens1370 probes the ES1370 and ALSA registers it; nothing "
         "it writes is bad input", timeout=900, megs=1024, kit=["vmlinux", "initrd.cpio"]),
    Case("audio_linux", "audio_linux.ini", [], check_audio_linux,
         "two stock Debian kernels, unmodified snd-ens1370, Debian's aplay and arecord: la plays "
         "a WAV file of 1 s of a known sequence, lb records it bit-exact", timeout=1200,
         megs=1024, kit=["vmlinux", "initrd.cpio"]),
    Case("disk_linux", "disk_linux.ini", [], check_disk_linux,
         "two stock Debian kernels (unmodified ata_piix) on one shared disk: la writes 8 MiB "
         "with dd oflag=direct, lb reads them with iflag=direct after a barrier: same sha256 "
         "at both ends and on the machine's disk, lb's reads from the shared pages",
         timeout=2700, megs=1024, data_disk=[16, 8, 8], kit=["vmlinux", "initrd.cpio"]),
    Case("disk_linux_ext4", "disk_linux_ext4.ini", [], check_disk_linux_ext4,
         "two stock Debian kernels mount one shared disk's ext4 (Debian's mkfs.ext4 -d) "
         "read-only and read the same file: its sha256 and first line; nothing written",
         timeout=2100, megs=1024, data_disk=[8], data_disk_content=ext4_disk,
         kit=["vmlinux", "initrd.cpio"]),
    Case("console_input", "console_input.ini", ["conin.elf"], check_console_input,
         "bytes typed into COM1 reach the focused guest byte for byte; Ctrl-A x3 moves the "
         "focus past a stopped guest; the focus leaves a guest that stops",
         feed=CONSOLE_FEED),
    Case("no_vtx", "scheduling.ini", ["ticker.elf"], check_no_vtx,
         "on a CPU without VMX (Bochs' ryzen model) xtalk says what is missing and stops",
         cpu="ryzen", needs_vmx=False),
]
