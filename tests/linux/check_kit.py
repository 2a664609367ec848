#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make linux-kit-check (a stage of make test): build the Linux guest kit (or
take the cached one) and check its files against what a loader and the
future boot tests rely on, without booting anything.

Cases (one PASS/FAIL line each, then "linux-kit: N passed, N failed, N skipped"):
  build          guests/linux/mkkit.py succeeds; prints how long it took, and
                 the download and build times kit.txt recorded
  pinned         kit.txt names the kernel package and version, busybox-static's
                 version and the userland packages' versions, and the
                 bzImage's own version string agrees
  cached         a second mkkit.py run does nothing and changes no output
                 (offline, mkkit.py keeps a complete cached kit as pinned)
  bzimage        setup header: boot flag 0xAA55, "HdrS", protocol >= 2.12,
                 XLF_KERNEL_64 in xloadflags, relocatable, pref_address 16 MiB
  vmlinux        ELF64 little-endian x86-64 executable; the kernel text loads
                 at physical 16 MiB (= pref_address, CONFIG_PHYSICAL_START),
                 aligned to kernel_alignment, mapped at __START_KERNEL_map +
                 physical; the entry is that physical 16 MiB (startup_64)
  payload        vmlinux is the bzImage's payload, decompressed here again
                 with Debian's tool and compared byte for byte
  initramfs      initrd.cpio.gz unpacks to initrd.cpio; the archive holds
                 /init (regular, executable), /bin/busybox (static ELF x86-64,
                 runs), /bin/xtperf (static, runs), /dev/console (char 5,1),
                 the applets /init uses
  modules        e1000.ko, snd-ens1370.ko, ata_piix.ko, sd_mod.ko, ext4.ko and
                 crc32c_generic.ko are there, and every module any module
                 there depends on (modinfo -F depends, and depmod's
                 modules.dep of the whole kernel package): /init's load
                 order puts each dependency first
  userland       kit.txt pins alsa-utils, libasound2-data and every package
                 the library walk took (versions, .deb sha256); the archive
                 holds /usr/bin/aplay and /usr/bin/arecord, the ELF
                 interpreter they name and every library their DT_NEEDED
                 name, recursively (readelf here, not mkkit.py's parser), in
                 the loader's system directories, and /usr/share/alsa/alsa.conf;
                 aplay runs with the archive's own loader and libraries
  init-syntax    busybox sh -n /init (the archive's own busybox, run here)

If the Debian archive cannot be reached (mkkit.py exits 3), every case is
SKIP with the reason, and FAIL when CI=true.
"""
import argparse
import gzip
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MKKIT = os.path.join(ROOT, "guests", "linux", "mkkit.py")
UNREACHABLE = 3  # mkkit.py's exit status when the packages cannot be had

CASES = ["build", "pinned", "cached", "bzimage", "vmlinux", "payload", "initramfs",
         "modules", "userland", "init-syntax"]

# Debian's aplay and arecord (e2e audio_linux) and where Debian's ld.so
# looks for libraries without an ld.so.cache (`ld.so --help`).
ALSA_PROGRAMS = ["usr/bin/aplay", "usr/bin/arecord"]
LIB_DIRS = ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib", "usr/lib"]

# Boot protocol (Documentation/arch/x86/boot.rst, "The real-mode kernel header").
XLF_KERNEL_64 = 1 << 0
LOADED_HIGH = 1 << 0          # loadflags
PHYS_16M = 0x1000000          # CONFIG_PHYSICAL_START of Debian's kernel
START_KERNEL_MAP = 0xFFFFFFFF80000000
PT_LOAD, PF_X = 1, 1

# Applets /init calls: each must be a link in the archive.
INIT_APPLETS = ["sh", "mount", "cat", "awk", "sed", "tail", "dmesg", "date", "uname",
                "insmod", "ip", "ping", "nc", "mkfifo", "dd", "wc", "sha256sum", "cut",
                "rm", "sleep", "tr", "setsid", "cttyhack", "reboot", "poweroff", "kill",
                "grep", "head", "ls", "mkdir", "umount", "sync"]

# The modules /init loads for what the e2e cases drive: the e1000, the
# ES1370 (audio_linux), the PIIX IDE disks and ext4 on them (disk_linux,
# disk_linux_ext4; crc32c_generic for ext4's metadata checksums, which
# modules.dep does not list). Each must be in the archive with everything
# depmod's modules.dep says it depends on.
KIT_WANT = ["e1000", "snd_ens1370", "ata_piix", "sd_mod", "ext4", "crc32c_generic"]


def strict():
    return os.environ.get("CI") == "true"


class Check:
    def __init__(self):
        self.results = []

    def report(self, name, problems):
        status = "FAIL" if problems else "PASS"
        self.results.append(status)
        print(f"{status} {name}{': ' + '; '.join(problems) if problems else ''}", flush=True)

    def close(self):
        p, f, s = (self.results.count(x) for x in ("PASS", "FAIL", "SKIP"))
        print(f"linux-kit: {p} passed, {f} failed, {s} skipped", flush=True)
        return 1 if f else 0


def read_kit(path):
    kit = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                kit[k] = v
    return kit


def mkkit(out):
    """(exit status, output, seconds) of one mkkit.py run."""
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, MKKIT, "--out", out], capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - t0


# ---------------------------------------------------------------- kernel
def check_bzimage(data):
    p = []
    if struct.unpack_from("<H", data, 0x1FE)[0] != 0xAA55:
        p.append("boot_flag is not 0xAA55")
    if data[0x202:0x206] != b"HdrS":
        return p + ["no HdrS magic at 0x202"]
    version = struct.unpack_from("<H", data, 0x206)[0]
    if version < 0x20C:
        p.append(f"boot protocol {version >> 8}.{version & 0xff:02}, want >= 2.12")
    xloadflags = struct.unpack_from("<H", data, 0x236)[0]
    if not xloadflags & XLF_KERNEL_64:
        p.append(f"xloadflags {xloadflags:#x} without XLF_KERNEL_64")
    if not data[0x211] & LOADED_HIGH:
        p.append("loadflags without LOADED_HIGH")
    if data[0x234] != 1:
        p.append("relocatable_kernel is not 1")
    pref = struct.unpack_from("<Q", data, 0x258)[0]
    if pref != PHYS_16M:
        p.append(f"pref_address {pref:#x}, want {PHYS_16M:#x}")
    return p


def kernel_version_string(data):
    """The string kernel_version (0x20E) points to (offset + 0x200)."""
    ptr = struct.unpack_from("<H", data, 0x20E)[0] + 0x200
    return data[ptr:data.index(b"\0", ptr)].decode(errors="replace")


def check_vmlinux(path, bz):
    p = []
    with open(path, "rb") as f:
        hdr = f.read(64)
        if hdr[:4] != b"\x7fELF":
            return ["no ELF magic"]
        if hdr[4] != 2 or hdr[5] != 1:
            p.append(f"EI_CLASS {hdr[4]} EI_DATA {hdr[5]}, want ELF64 little-endian")
        e_type, e_machine = struct.unpack_from("<HH", hdr, 16)
        if e_type != 2:
            p.append(f"e_type {e_type}, want ET_EXEC")
        if e_machine != 62:
            p.append(f"e_machine {e_machine}, want x86-64 (62)")
        e_entry, e_phoff = struct.unpack_from("<QQ", hdr, 24)
        e_phentsize, e_phnum = struct.unpack_from("<HH", hdr, 54)
        f.seek(e_phoff)
        ph = f.read(e_phentsize * e_phnum)
    loads = []
    for i in range(e_phnum):
        p_type, p_flags, _off, vaddr, paddr, filesz, memsz, _al = struct.unpack_from(
            "<IIQQQQQQ", ph, i * e_phentsize)
        if p_type == PT_LOAD:
            loads.append((p_flags, vaddr, paddr, filesz, memsz))
    if not loads:
        return p + ["no PT_LOAD segment"]
    align = struct.unpack_from("<I", bz, 0x230)[0]
    pref = struct.unpack_from("<Q", bz, 0x258)[0]
    first = min(loads, key=lambda s: s[2])
    if first[2] != PHYS_16M or first[2] != pref:
        p.append(f"lowest physical load {first[2]:#x}, want {PHYS_16M:#x} (pref_address {pref:#x})")
    if align and first[2] % align:
        p.append(f"physical load {first[2]:#x} not aligned to kernel_alignment {align:#x}")
    if not first[0] & PF_X:
        p.append("the lowest segment is not executable (kernel text)")
    for flags, vaddr, paddr, _fs, _ms in loads:
        # The per-CPU segment is linked at virtual 0; the others sit at
        # __START_KERNEL_map + physical.
        if vaddr and vaddr - paddr != START_KERNEL_MAP:
            p.append(f"segment at physical {paddr:#x} mapped at {vaddr:#x}, "
                     f"not __START_KERNEL_map + physical")
    if e_entry != PHYS_16M:
        p.append(f"entry {e_entry:#x}, want physical {PHYS_16M:#x} (startup_64)")
    if not any(pa <= e_entry < pa + fs and fl & PF_X for fl, _va, pa, fs, _ms in loads):
        p.append(f"entry {e_entry:#x} is in no executable segment's physical range")
    return p


def check_payload(bz, vmlinux_path):
    setup_sects = bz[0x1F1] or 4
    off, length = struct.unpack_from("<II", bz, 0x248)
    start = (setup_sects + 1) * 512 + off
    payload = bz[start:start + length - 4]  # the last 4 bytes: uncompressed size
    size = struct.unpack_from("<I", bz, start + length - 4)[0]
    tools = {b"\xfd7zXZ\x00": ["xz", "-dc"], b"\x28\xb5\x2f\xfd": ["zstd", "-dc"],
             b"\x1f\x8b": ["gzip", "-dc"]}
    tool = next((t for m, t in tools.items() if payload.startswith(m)), None)
    if tool is None:
        return [f"unknown payload compression {payload[:6].hex()}"]
    raw = subprocess.run(tool, input=payload, capture_output=True)
    if raw.returncode != 0:
        return [f"{' '.join(tool)} failed: {raw.stderr.decode(errors='replace')[:200]}"]
    elf = raw.stdout
    p = []
    if len(elf) != size:
        p.append(f"payload decompresses to {len(elf)} bytes, its trailer says {size}")
    with open(vmlinux_path, "rb") as f:
        vm = f.read()
    if len(vm) > len(elf) or elf[:len(vm)] != vm:
        p.append("vmlinux differs from the bzImage's decompressed payload")
    return p


# ---------------------------------------------------------------- initramfs
def cpio_listing(path):
    """{name: (mode char, major, minor)} from cpio -itv of a newc archive."""
    out = subprocess.run(["cpio", "-itv", "--quiet", "-F", path], capture_output=True,
                         text=True, check=True).stdout
    entries = {}
    for line in out.splitlines():
        f = line.split()
        if not f:
            continue
        mode = f[0]
        if mode[0] in "cb":   # crw------- 1 root root 5, 1 date... name
            major, minor = int(f[4].rstrip(",")), int(f[5])
            name = f[-1]
        else:
            major = minor = None
            name = f[-3] if mode[0] == "l" else f[-1]
        entries[name] = (mode, major, minor)
    return entries


def extract(cpio_path, dest, names):
    subprocess.run(["cpio", "-id", "--quiet", "--no-absolute-filenames", "-F",
                    os.path.abspath(cpio_path)] + names, cwd=dest, check=True)


def check_initramfs(kit_dir, entries, tmp):
    p = []
    with gzip.open(os.path.join(kit_dir, "initrd.cpio.gz"), "rb") as g:
        gz = g.read()
    with open(os.path.join(kit_dir, "initrd.cpio"), "rb") as f:
        if f.read() != gz:
            p.append("initrd.cpio.gz does not unpack to initrd.cpio")
    for name, kind in (("init", "-"), ("bin/busybox", "-"), ("bin/xtperf", "-"),
                       ("bin/xtaudio", "-")):
        mode = entries.get(name, ("?",))[0]
        if mode[0] != kind or "x" not in mode[1:4]:
            p.append(f"/{name}: mode {mode}, want a regular file executable by root")
    if entries.get("dev/console") != ("crw-------", 5, 1):
        p.append(f"/dev/console: {entries.get('dev/console')}, want char device 5,1")
    for a in INIT_APPLETS:
        if not any(n.endswith("/" + a) and e[0][0] == "l" for n, e in entries.items()):
            p.append(f"no applet link for {a}")
    busybox = os.path.join(tmp, "bin", "busybox")
    with open(busybox, "rb") as f:
        h = f.read(64)
    if h[:4] != b"\x7fELF" or h[4] != 2 or struct.unpack_from("<H", h, 18)[0] != 62:
        p.append("/bin/busybox is not an ELF64 x86-64 file")
    if has_interp(busybox):
        p.append("/bin/busybox is dynamically linked")
    if subprocess.run([busybox, "true"]).returncode != 0:
        p.append("/bin/busybox does not run")
    # The benchmark program (make bench-linux): static too, and it runs
    # (without arguments it prints its usage and exits 2).
    xtperf = os.path.join(tmp, "bin", "xtperf")
    if not os.path.exists(xtperf) or has_interp(xtperf):
        p.append("/bin/xtperf is missing or dynamically linked")
    elif subprocess.run([xtperf], capture_output=True).returncode != 2:
        p.append("/bin/xtperf does not run")
    # The audio test program (e2e audio_linux): the same.
    xtaudio = os.path.join(tmp, "bin", "xtaudio")
    if not os.path.exists(xtaudio) or has_interp(xtaudio):
        p.append("/bin/xtaudio is missing or dynamically linked")
    elif subprocess.run([xtaudio], capture_output=True).returncode != 2:
        p.append("/bin/xtaudio does not run")
    return p


def has_interp(path):
    with open(path, "rb") as f:
        h = f.read(64)
        e_phoff = struct.unpack_from("<Q", h, 32)[0]
        e_phentsize, e_phnum = struct.unpack_from("<HH", h, 54)
        f.seek(e_phoff)
        ph = f.read(e_phentsize * e_phnum)
    return any(struct.unpack_from("<I", ph, i * e_phentsize)[0] == 3 for i in range(e_phnum))


def check_modules(kit_dir, kit, entries, tmp):
    p = []
    release = kit.get("kernel_release", "?")
    prefix = f"lib/modules/{release}/"
    kos = {n[len(prefix):]: n for n in entries if n.startswith(prefix) and n.endswith(".ko")}
    names = {os.path.basename(k)[:-3].replace("-", "_"): k for k in kos}
    missing = [m for m in KIT_WANT if m not in names]
    if missing:
        return [f"no {prefix}.../{m}.ko in the archive" for m in missing]
    # What each module there needs, by its own .modinfo.
    for name, rel in sorted(names.items()):
        out = subprocess.run(["modinfo", "-F", "depends", os.path.join(tmp, kos[rel])],
                             capture_output=True, text=True)
        if out.returncode != 0:
            p.append(f"modinfo {rel} failed")
            continue
        for dep in filter(None, out.stdout.strip().split(",")):
            if dep.replace("-", "_") not in names:
                p.append(f"{name} depends on {dep} (modinfo), which is not in the archive")
    # And by depmod over the whole kernel package.
    full = {}
    with open(os.path.join(kit_dir, "modules.dep")) as f:
        for line in f:
            mod, _, rest = line.partition(":")
            full[mod.strip()] = rest.split()
    for want in KIT_WANT:
        mod = next((m for m in full
                    if os.path.basename(m)[:-3].replace("-", "_") == want), None)
        if mod is None:
            p.append(f"the kernel's modules.dep has no {want}.ko")
            continue
        for dep in full[mod]:
            if dep not in kos:
                p.append(f"{os.path.basename(mod)} depends on {dep} (modules.dep), "
                         "which is not in the archive")
    # /init loads KIT_MODULES in that order: dependencies first.
    conf = open(os.path.join(tmp, "etc", "xtalk-kit.conf")).read()
    m = re.search(r"^KIT_MODULES='([^']*)'", conf, re.M)
    order = m.group(1).split() if m else []
    if sorted(order) != sorted(kos):
        p.append(f"KIT_MODULES {order} is not the set of modules in the archive {sorted(kos)}")
    for i, mod in enumerate(order):
        for dep in full.get(mod, []):
            if dep in order and order.index(dep) > i:
                p.append(f"KIT_MODULES loads {mod} before its dependency {dep}")
    return p


def in_tree(root, rel):
    """rel followed through its symbolic links inside root (absolute
    targets resolve in root, as in the initramfs); None when missing."""
    for _ in range(16):
        path = os.path.join(root, rel)
        if not os.path.islink(path):
            return rel if os.path.exists(path) else None
        t = os.readlink(path)
        rel = os.path.normpath(t.lstrip("/") if t.startswith("/") else
                               os.path.join(os.path.dirname(rel), t))
    return None


def readelf(path):
    """(interpreter or None, [DT_NEEDED]) by binutils' readelf."""
    out = subprocess.run(["readelf", "-W", "-l", "-d", path], capture_output=True,
                         text=True).stdout
    m = re.search(r"\[Requesting program interpreter: ([^\]]+)\]", out)
    return (m.group(1) if m else None), re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def check_userland(kit, tmp):
    p = []
    pkgs = kit.get("userland_packages", "").split()
    pinned = dict(x.split("=", 1) for x in kit.get("userland", "").split() if "=" in x)
    for want in ("alsa-utils", "libasound2-data"):
        if want not in pkgs:
            p.append(f"kit.txt's userland_packages {pkgs} lacks {want}")
    for name in pkgs:
        if not pinned.get(name):
            p.append(f"kit.txt pins no version of {name}")
        if not re.fullmatch(r"[0-9a-f]{64}", kit.get(f"userland_deb_sha256.{name}", "")):
            p.append(f"kit.txt has no sha256 of {name}'s .deb")
    if sorted(pinned) != sorted(pkgs):
        p.append(f"userland {sorted(pinned)} is not userland_packages {sorted(pkgs)}")
    todo, seen = list(ALSA_PROGRAMS), set()
    while todo:
        rel = todo.pop(0)
        real = in_tree(tmp, rel)
        if real is None:
            p.append(f"/{rel} is not in the archive")
            continue
        if real in seen:
            continue
        seen.add(real)
        interp, needed = readelf(os.path.join(tmp, real))
        if rel in ALSA_PROGRAMS and not interp:
            p.append(f"/{rel} names no ELF interpreter")
        if interp:
            todo.append(interp.lstrip("/"))
        for lib in needed:
            hit = next((os.path.join(d, lib) for d in LIB_DIRS
                        if in_tree(tmp, os.path.join(d, lib))), None)
            if hit is None:
                p.append(f"{lib} (DT_NEEDED of /{real}) is in none of {', '.join(LIB_DIRS)}")
            else:
                todo.append(hit)
    if not os.path.isfile(os.path.join(tmp, "usr/share/alsa/alsa.conf")):
        p.append("no /usr/share/alsa/alsa.conf (libasound's configuration)")
    ldso = in_tree(tmp, "lib64/ld-linux-x86-64.so.2")
    if ldso and not p:
        libpath = ":".join(os.path.join(tmp, d) for d in LIB_DIRS)
        out = subprocess.run([os.path.join(tmp, ldso), "--library-path", libpath,
                              os.path.join(tmp, "usr/bin/aplay"), "--version"],
                             capture_output=True, text=True)
        if out.returncode != 0 or not out.stdout.startswith("aplay: version"):
            p.append(f"aplay --version with the archive's loader: exit {out.returncode}, "
                     f"{(out.stdout + out.stderr).strip()[:200]}")
        else:
            print(f"linux-kit: {out.stdout.strip()}; {kit.get('userland')}")
    return p


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "linux-kit"))
    args = ap.parse_args()
    out = args.out
    chk = Check()

    rc, text, secs = mkkit(out)
    sys.stdout.write(text)
    if rc == UNREACHABLE:
        err = [l for l in text.splitlines() if "error:" in l]
        why = ("the Debian archive cannot be reached to download the kit's packages"
               + (f" ({err[-1].split('error: ', 1)[1][:300]})" if err else ""))
        status = "FAIL" if strict() else "SKIP"
        if strict():
            why += " (CI=true: every case must run)"
        for c in CASES:
            chk.results.append(status)
            print(f"{status} {c}: {why}")
        return chk.close()
    if rc != 0:
        chk.report("build", [f"mkkit.py exited {rc}"])
        for c in CASES[1:]:
            chk.report(c, ["no kit to check"])
        return chk.close()
    kit = read_kit(os.path.join(out, "kit.txt"))
    print(f"linux-kit: mkkit.py took {secs:.1f} s; the kit's build: download "
          f"{kit.get('seconds_download', '?')} s ({kit.get('debs', '?')} .debs), "
          f"unpack {kit.get('seconds_unpack', '?')} s, "
          f"vmlinux {kit.get('seconds_vmlinux', '?')} s, initramfs {kit.get('seconds_initrd', '?')} s, "
          f"cleanup {kit.get('seconds_cleanup', '?')} s, "
          f"total {kit.get('seconds_total', '?')} s")
    chk.report("build", [])

    with open(os.path.join(out, "bzImage"), "rb") as f:
        bz = f.read()
    p = [f"kit.txt has no {k}" for k in ("kernel_package", "kernel_version",
                                          "busybox_version", "userland", "kernel_release")
         if not kit.get(k)]
    if not p:
        vs = kernel_version_string(bz)
        if not vs.startswith(kit["kernel_release"] + " "):
            p.append(f"bzImage says '{vs[:40]}', kit.txt kernel_release {kit['kernel_release']}")
        if kit["kernel_version"] not in vs:
            p.append(f"bzImage's version string has no {kit['kernel_version']}")
        if not kit["kernel_package"].startswith("linux-image-" + kit["kernel_release"]):
            p.append(f"{kit['kernel_package']} is not linux-image-{kit['kernel_release']}")
    print(f"linux-kit: {kit.get('kernel_package')} {kit.get('kernel_version')}, "
          f"busybox-static {kit.get('busybox_version')}, {kit.get('userland')}")
    chk.report("pinned", p)

    before = {o: (os.stat(os.path.join(out, o)).st_mtime_ns, kit.get(o + "_sha256"))
              for o in ("bzImage", "vmlinux", "initrd.cpio", "initrd.cpio.gz")}
    rc2, text2, secs2 = mkkit(out)
    p = []
    if rc2 != 0 or not ("up to date" in text2 or "using the kit as pinned" in text2):
        p.append(f"second run: exit {rc2}, said: {text2.strip()[-200:]}")
    for o, (mtime, sha) in before.items():
        path = os.path.join(out, o)
        if os.stat(path).st_mtime_ns != mtime:
            p.append(f"{o} rewritten")
        if sha != hashlib.sha256(open(path, "rb").read()).hexdigest():
            p.append(f"{o} does not match its sha256 in kit.txt")
    print(f"linux-kit: the cached run took {secs2:.1f} s")
    chk.report("cached", p)

    chk.report("bzimage", check_bzimage(bz))
    chk.report("vmlinux", check_vmlinux(os.path.join(out, "vmlinux"), bz))
    chk.report("payload", check_payload(bz, os.path.join(out, "vmlinux")))

    tmp = tempfile.mkdtemp(prefix="linux-kit-check-")
    try:
        cpio = os.path.join(out, "initrd.cpio")
        entries = cpio_listing(cpio)
        extract(cpio, tmp, ["init", "bin/busybox", "bin/xtperf", "bin/xtaudio", "etc/xtalk-kit.conf",
                            "lib/*", "lib64/*", "usr/lib/*", "usr/share/alsa/*"] + ALSA_PROGRAMS)
        chk.report("initramfs", check_initramfs(out, entries, tmp))
        chk.report("modules", check_modules(out, kit, entries, tmp))
        chk.report("userland", check_userland(kit, tmp))
        syn = subprocess.run([os.path.join(tmp, "bin", "busybox"), "sh", "-n",
                              os.path.join(tmp, "init")], capture_output=True, text=True)
        chk.report("init-syntax", [f"busybox sh -n: {syn.stderr.strip()}"] if syn.returncode else [])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return chk.close()


if __name__ == "__main__":
    sys.exit(main())
