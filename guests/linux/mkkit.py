#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build the Linux guest kit from Debian packages (docs/linux.md).

Usage: guests/linux/mkkit.py [--out build/linux-kit] [--kernel NAME=VERSION] [--force]

Into OUT (default build/linux-kit):
  bzImage         the kernel package's /boot/vmlinuz-* as shipped
  vmlinux         the uncompressed ELF64 kernel, taken out of the bzImage's
                  payload (setup header fields setup_sects, payload_offset,
                  payload_length; Documentation/arch/x86/boot.rst) and
                  decompressed with Debian's own xz or zstd (or gzip)
  initrd.cpio     busybox-static with its applet links, e1000.ko, snd-ens1370.ko,
                  ata_piix.ko and sd_mod.ko (IDE disks), ext4.ko and
                  crc32c_generic.ko, and the modules they depend on (depmod's
                  modules.dep), /init (guests/linux/init),
                  /bin/xtperf (guests/linux/xtperf.c, static), /bin/xtaudio
                  (guests/linux/xtaudio.c, static), and Debian's own aplay
                  and arecord (alsa-utils, for e2e audio_linux) with the ELF
                  interpreter and every shared library they need, each from
                  the package that ships it, and the ALSA configuration
                  libasound reads (libasound2-data's /usr/share/alsa); packed
                  with `cpio -o -H newc`
  initrd.cpio.gz  the same, gzip -9 -n
  kit.txt         what it was built from: package names, versions, sha256
                  of every .deb and output, sizes, and how long each step took

Where from: `apt-get download` of the package linux-image-amd64 depends on
(resolved with apt-cache: today linux-image-6.1.0-N-amd64 at an exact
version), of busybox-static, of alsa-utils and libasound2-data, and of the
library packages aplay needs, unpacked with `dpkg-deb -x` in a temporary
folder (never installed on this machine). The libraries are found by
walking the programs' DT_NEEDED entries (and PT_INTERP) recursively: a
library missing from what is unpacked so far is looked for in the packages
the needing package Depends on, the one Debian's policy names after the
soname first (libasound.so.2: libasound2), each at the version apt-cache
says apt would install; nothing is taken from this machine's own files.
apt-get update runs only when apt-cache knows no version of a package.

Cached: when kit.txt names the same packages and versions (the kernel,
busybox-static, and every package the library walk took, at today's
candidate versions) and the same hashes of this script, of init and of
xtperf.c and xtaudio.c (and the hypercall ABI xtperf includes), and every
output exists, nothing is done.
When the archive cannot be asked (exit status 3 otherwise), such a complete
kit is used as it was pinned.
--kernel NAME=VERSION pins another kernel package (e.g. an older one the
archive still has); --force rebuilds anyway.

Why Python rather than sh: the bzImage setup header and the ELF headers are
binary structures (struct.unpack reads them plainly; sh would need dd and od
arithmetic), and the dependency walks over modules.dep and DT_NEEDED and the
cache comparison read better as Python. Every heavy step is still a Debian
tool: apt-get, dpkg-deb, depmod, xz/zstd, cpio, gzip, fakeroot.
"""
import argparse
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
INIT = os.path.join(HERE, "init")
# The benchmark program of make bench-linux, built static with the
# machine's gcc against Debian's libc6-dev (docs/linux.md).
XTPERF = os.path.join(HERE, "xtperf.c")
XTAUDIO = os.path.join(HERE, "xtaudio.c")
HC_ABI = os.path.join(os.path.dirname(os.path.dirname(HERE)), "lib", "hypercall_abi.h")
META = "linux-image-amd64"
BUSYBOX = "busybox-static"
# Debian's aplay and arecord (arecord is a link to aplay), for e2e
# audio_linux: alsa-utils, and the ALSA configuration libasound reads at
# snd_pcm_open (alsa.conf, and the card, PCM and control definitions its
# hooks load) from libasound2-data, all of its /usr/share/alsa.
ALSA_UTILS = "alsa-utils"
ALSA_PROGRAMS = ["usr/bin/aplay", "usr/bin/arecord"]
ALSA_DATA = "libasound2-data"
ALSA_DATA_DIR = "usr/share/alsa"
# Where Debian's ld.so looks for a DT_NEEDED library when there is no
# /etc/ld.so.cache (none in the initramfs): its system search path, in order
# (`ld.so --help`).
LIB_DIRS = ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib", "usr/lib"]
# The modules the initramfs carries, with everything they depend on.
# ata_piix before sd_mod: insmod waits for the module's asynchronous
# probing, so the SCSI disks libata registers are there when sd_mod binds
# them; crc32c_generic for ext4's metadata checksums (the crypto API's
# "crc32c", which ext4 asks for at mount, not at load: not in modules.dep).
WANT_MODULES = ["e1000", "snd_ens1370", "snd_pcm_oss", "ata_piix", "sd_mod", "crc32c_generic",
                "ext4"]
# Fixed timestamps in the archive, so the same inputs give the same bytes.
EPOCH = 1700000000

# Boot protocol offsets (Documentation/arch/x86/boot.rst, "The real-mode
# kernel header"): all from the start of the bzImage file.
HDR_SETUP_SECTS = 0x1F1
HDR_MAGIC = 0x202          # "HdrS"
HDR_VERSION = 0x206
HDR_PAYLOAD_OFFSET = 0x248  # from the start of the protected-mode code
HDR_PAYLOAD_LENGTH = 0x24C

COMPRESSORS = [  # magic at the start of the payload, the Debian tool that undoes it
    (b"\xfd7zXZ\x00", ["xz", "-dc"]),
    (b"\x28\xb5\x2f\xfd", ["zstd", "-dc"]),
    (b"\x1f\x8b", ["gzip", "-dc"]),
]


def log(msg):
    print(f"linux-kit: {msg}", flush=True)


# Exit status when the packages cannot be had (apt-get update or download
# failed, or the archive does not list them): tests/linux/check_kit.py
# tells that apart from a broken build (SKIP, or FAIL with CI=true).
UNREACHABLE = 3


class Unreachable(Exception):
    """The packages cannot be had from the archive."""


def die(msg, status=1):
    print(f"linux-kit: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(status)


def run(cmd, unreachable=False, **kw):
    """Run a command; stop with its stderr when it fails (raise Unreachable
    instead when its failure means the archive could not be reached)."""
    proc = subprocess.run(cmd, capture_output=True, **kw)
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip() if proc.stderr else ""
        msg = f"{' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]}"
        if unreachable:
            raise Unreachable(msg)
        die(msg)
    return proc.stdout.decode(errors="replace") if proc.stdout is not None else ""


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------- packages
def apt_show(spec):
    """apt-cache show SPEC, or None when apt does not know it."""
    proc = subprocess.run(["apt-cache", "show", spec], capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 and proc.stdout.strip() else None


def apt_show_updating(spec):
    """apt-cache show, with one apt-get update when the package is unknown."""
    text = apt_show(spec)
    if text is None:
        log(f"apt-cache does not know {spec}: apt-get update")
        run(["apt-get", "update"], unreachable=True)
        text = apt_show(spec)
    if text is None:
        raise Unreachable(f"the package archive has no {spec} (is the Debian archive reachable?)")
    return text


def policy_candidate(pkg):
    out = subprocess.run(["apt-cache", "policy", pkg], capture_output=True, text=True).stdout
    m = re.search(r"^\s*Candidate:\s*(\S+)", out, re.M)
    return m.group(1) if m and m.group(1) != "(none)" else None


def candidate(pkg):
    """The version apt would install (apt-cache policy's Candidate), with
    one apt-get update when apt knows none."""
    ver = policy_candidate(pkg)
    if ver is None:
        log(f"apt-cache knows no version of {pkg}: apt-get update")
        run(["apt-get", "update"], unreachable=True)
        ver = policy_candidate(pkg)
    if ver is None:
        raise Unreachable(f"the package archive has no {pkg} (is the Debian archive reachable?)")
    return ver


def kernel_package():
    """(name, version) of the kernel that linux-image-amd64 depends on."""
    meta_ver = candidate(META)
    text = apt_show_updating(f"{META}={meta_ver}")
    m = re.search(r"^Depends:.*?\b(linux-image-[\w.+-]+)\s*\(=\s*([^)\s]+)\)", text, re.M)
    if not m:
        die(f"cannot read the kernel package from {META} {meta_ver}'s Depends")
    return m.group(1), m.group(2)


def download(pkg, version, debdir):
    """The .deb of pkg=version in debdir (downloaded once, then reused);
    amd64, or all for architecture-independent packages (libasound2-data)."""
    os.makedirs(debdir, exist_ok=True)
    quoted = version.replace(":", "%3a")
    paths = [os.path.join(debdir, f"{pkg}_{quoted}_{arch}.deb") for arch in ("amd64", "all")]
    for path in paths:
        if os.path.exists(path):
            return path, 0.0
    t0 = time.monotonic()
    # Downloads as root would otherwise go through the _apt user, which
    # may not write here; the archive's signatures are checked either way.
    run(["apt-get", "download", "-o", "APT::Sandbox::User=root", f"{pkg}={version}"],
        unreachable=True, cwd=debdir)
    for path in paths:
        if os.path.exists(path):
            return path, time.monotonic() - t0
    die(f"apt-get download {pkg}={version} left no {' or '.join(paths)}")


def unpack(deb, dest):
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    run(["dpkg-deb", "-x", deb, dest])


# ---------------------------------------------------------------- kernel
def extract_vmlinux(bzimage, out):
    """Write the uncompressed ELF kernel in the bzImage's payload to out."""
    with open(bzimage, "rb") as f:
        data = f.read()
    if data[HDR_MAGIC:HDR_MAGIC + 4] != b"HdrS":
        die(f"{bzimage}: no HdrS setup header")
    if struct.unpack_from("<H", data, HDR_VERSION)[0] < 0x208:
        die(f"{bzimage}: boot protocol older than 2.08 has no payload fields")
    setup_sects = data[HDR_SETUP_SECTS] or 4
    offset, length = struct.unpack_from("<II", data, HDR_PAYLOAD_OFFSET)
    start = (setup_sects + 1) * 512 + offset
    payload = data[start:start + length]
    if len(payload) != length:
        die(f"{bzimage}: payload runs past the end of the file")
    # The kernel build appends the uncompressed size as 4 little-endian
    # bytes (scripts/Makefile.lib, size_append); the decompressor must not
    # see them (xz calls them trailing garbage).
    size = struct.unpack_from("<I", payload, length - 4)[0]
    for magic, tool in COMPRESSORS:
        if payload.startswith(magic):
            break
    else:
        die(f"{bzimage}: unknown payload compression {payload[:6].hex()}")
    raw = subprocess.run(tool, input=payload[:-4], capture_output=True)
    if raw.returncode != 0:
        die(f"{' '.join(tool)} on the payload failed: {raw.stderr.decode(errors='replace')}")
    elf = raw.stdout
    if len(elf) != size:
        die(f"payload decompressed to {len(elf)} bytes, its trailer says {size}")
    end = elf_extent(elf)
    # Past the ELF come the relocations the decompressor applies when it
    # moves the kernel (KASLR): not part of vmlinux, and not needed to
    # start it at its link address.
    with open(out + ".tmp", "wb") as f:
        f.write(elf[:end])
    os.replace(out + ".tmp", out)
    return tool[0], len(payload), len(elf), len(elf) - end


def elf_extent(elf):
    """Bytes the ELF64 x86-64 executable in elf covers (headers, segments,
    section table); dies when it is not one."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        die("decompressed payload is not a little-endian ELF64 file")
    e_type, e_machine = struct.unpack_from("<HH", elf, 16)
    if e_type != 2 or e_machine != 62:
        die(f"decompressed payload: ELF type {e_type} machine {e_machine}, want EXEC x86-64")
    e_phoff, e_shoff = struct.unpack_from("<QQ", elf, 32)
    e_phentsize, e_phnum, e_shentsize, e_shnum = struct.unpack_from("<HHHH", elf, 54)
    end = max(e_phoff + e_phnum * e_phentsize, e_shoff + e_shnum * e_shentsize)
    for i in range(e_phnum):
        p_offset = struct.unpack_from("<Q", elf, e_phoff + i * e_phentsize + 8)[0]
        p_filesz = struct.unpack_from("<Q", elf, e_phoff + i * e_phentsize + 32)[0]
        end = max(end, p_offset + p_filesz)
    if end > len(elf):
        die("decompressed ELF is truncated")
    return end


# ---------------------------------------------------------------- initramfs
def module_tree(kroot):
    """(kernel release, lib/modules/RELEASE path) in the unpacked package."""
    base = os.path.join(kroot, "lib", "modules")
    rels = sorted(os.listdir(base))
    if len(rels) != 1:
        die(f"{base}: expected one kernel release, found {rels}")
    return rels[0], os.path.join(base, rels[0])


def module_deps(kroot, release, moddir):
    """modules.dep as {path: [paths it depends on]}. The package ships no
    modules.dep (depmod writes it at install time), so depmod -b writes it
    into the unpacked tree."""
    dep = os.path.join(moddir, "modules.dep")
    if not os.path.exists(dep):
        run(["depmod", "-b", kroot, release])
    deps = {}
    with open(dep) as f:
        for line in f:
            if ":" in line:
                mod, rest = line.split(":", 1)
                deps[mod.strip()] = rest.split()
    return deps


def module_name(path):
    base = os.path.basename(path)
    return re.sub(r"\.ko(\.(xz|zst|gz))?$", "", base).replace("-", "_")


def load_order(deps, names):
    """Module paths for names and all they depend on, dependencies first."""
    by_name = {module_name(p): p for p in deps}
    order = []

    def visit(path, stack):
        if path in order:
            return
        if path in stack:
            die(f"modules.dep has a cycle through {path}")
        for d in deps.get(path, []):
            visit(d, stack + [path])
        order.append(path)

    for n in names:
        if n not in by_name:
            die(f"the kernel package has no module {n}")
        visit(by_name[n], [])
    return order


def copy_module(src, dst):
    """Copy a module, decompressing .ko.xz/.ko.zst/.ko.gz; returns the .ko path."""
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    for ext, tool in ((".xz", ["xz", "-dc"]), (".zst", ["zstd", "-dc"]), (".gz", ["gzip", "-dc"])):
        if src.endswith(ext):
            dst = dst[:-len(ext)]
            with open(dst, "wb") as f:
                subprocess.run(tool + [src], stdout=f, check=True)
            return dst
    shutil.copyfile(src, dst)
    return dst


# ---------------------------------------------------------------- userland
PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
DT_NULL, DT_NEEDED, DT_STRTAB = 0, 1, 5


def elf_dynamic(path):
    """(PT_INTERP or None, [DT_NEEDED sonames]) of an ELF64 x86-64 file."""
    with open(path, "rb") as f:
        elf = f.read()
    if (elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1
            or struct.unpack_from("<H", elf, 18)[0] != 62):
        die(f"{path}: not a little-endian ELF64 x86-64 file")
    e_phoff = struct.unpack_from("<Q", elf, 32)[0]
    e_phentsize, e_phnum = struct.unpack_from("<HH", elf, 54)
    interp, dyn, loads = None, None, []
    for i in range(e_phnum):
        p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz = struct.unpack_from(
            "<IIQQQQ", elf, e_phoff + i * e_phentsize)
        if p_type == PT_INTERP:
            interp = elf[p_offset:p_offset + p_filesz].rstrip(b"\0").decode()
        elif p_type == PT_DYNAMIC:
            dyn = (p_offset, p_filesz)
        elif p_type == PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
    if dyn is None:
        return interp, []
    needed, strtab = [], None
    for off in range(dyn[0], dyn[0] + dyn[1] - 15, 16):
        tag, val = struct.unpack_from("<qQ", elf, off)
        if tag == DT_NULL:
            break
        if tag == DT_NEEDED:
            needed.append(val)
        elif tag == DT_STRTAB:
            strtab = val
    # DT_STRTAB is an address: its file offset comes from the PT_LOAD holding it.
    base = next((strtab - va + off for va, off, sz in loads
                 if strtab is not None and va <= strtab < va + sz), None)
    if base is None:
        die(f"{path}: DT_STRTAB in no PT_LOAD segment")
    return interp, [elf[base + n:elf.index(b"\0", base + n)].decode() for n in needed]


def link_chain(root, rel):
    """The paths (relative to root) from rel through its symbolic links to
    the file it names; absolute targets are taken from root too, as they
    resolve in the initramfs."""
    chain = [os.path.normpath(rel)]
    while os.path.islink(os.path.join(root, chain[-1])):
        if len(chain) > 16:
            die(f"{rel}: too many symbolic links")
        target = os.readlink(os.path.join(root, chain[-1]))
        chain.append(os.path.normpath(target.lstrip("/") if target.startswith("/") else
                                      os.path.join(os.path.dirname(chain[-1]), target)))
    return chain


def policy_package(soname):
    """The package Debian policy (8.1) names after a shared library:
    libasound.so.2 -> libasound2, libc.so.6 -> libc6, libfoo2.so.1 -> libfoo2-1."""
    m = re.match(r"^(.+)\.so\.(.+)$", soname)
    if not m:
        return None
    name, ver = m.groups()
    return (name + ("-" if name[-1].isdigit() else "") + ver).lower().replace("_", "-")


def deb_depends(deb):
    """The packages a .deb's Pre-Depends and Depends name, in order (the
    first of each alternative, without versions or architecture)."""
    text = re.sub(r"\n[ \t]+", " ", run(["dpkg-deb", "-f", deb, "Pre-Depends", "Depends"]))
    names = []
    for m in re.finditer(r"^(?:Pre-Depends|Depends):(.*)$", text, re.M):
        for dep in m.group(1).split(","):
            name = re.split(r"[\s(:|]", dep.strip(), maxsplit=1)[0]
            if name and name not in names:
                names.append(name)
    return names


class Userland:
    """The packages the library walk took, each at apt's candidate version,
    downloaded into debdir and unpacked under ext, in the order taken."""

    def __init__(self, debdir, ext):
        self.debdir, self.ext = debdir, ext
        self.pkgs = {}  # name: (version, .deb, unpacked root)
        self.seconds = 0.0

    def add(self, name):
        if name not in self.pkgs:
            ver = candidate(name)
            deb, secs = download(name, ver, self.debdir)
            self.seconds += secs
            root = os.path.join(self.ext, "userland", name)
            unpack(deb, root)
            self.pkgs[name] = (ver, deb, root)
        return self.pkgs[name][2]

    def root(self, name):
        return self.pkgs[name][2]

    def pinned(self):
        return " ".join(f"{n}={v[0]}" for n, v in self.pkgs.items())

    def holder(self, rels):
        """(package, path) of the first of rels any unpacked package has."""
        for name, (_v, _d, root) in self.pkgs.items():
            for rel in rels:
                if os.path.lexists(os.path.join(root, rel)):
                    return name, rel
        return None

    def find(self, rels, needer, first=None):
        """(package, path) of one of rels: in what is unpacked, else in the
        packages needer depends on (first, when given, before the others)."""
        hit = self.holder(rels)
        deps = deb_depends(self.pkgs[needer][1])
        for dep in ([first] if first in deps else []) + deps:
            if hit:
                return hit
            if dep in self.pkgs or policy_candidate(dep) is None:
                continue  # unpacked already, or a virtual package
            self.add(dep)
            hit = self.holder(rels)
        if not hit:
            die(f"{rels[0]} (needed by {needer}'s files) is in none of the packages "
                f"{needer} depends on: {' '.join(deps)}")
        return hit


def userland(debdir, ext):
    """Download and unpack alsa-utils, the packages of every library aplay
    and arecord need (recursively) and libasound2-data; returns the
    Userland, the files to stage as [(package, path)] (programs, ELF
    interpreter, libraries; the symbolic links to them come along) and the
    libraries as [(soname, package)]."""
    u = Userland(debdir, ext)
    u.add(ALSA_UTILS)
    files = [(ALSA_UTILS, p) for p in ALSA_PROGRAMS]
    todo, done, libs = list(files), set(), []
    while todo:
        pkg, rel = todo.pop(0)
        real = link_chain(u.root(pkg), rel)[-1]
        if (pkg, real) in done:
            continue
        done.add((pkg, real))
        interp, needed = elf_dynamic(os.path.join(u.root(pkg), real))
        deps = deb_depends(u.pkgs[pkg][1])
        # The libraries whose policy-named package the needer depends on
        # first (libc.so.6 takes libc6), so that the others (libm.so.6) are
        # found in what that unpacked, not by trying every dependency.
        needed.sort(key=lambda n: policy_package(n) not in deps)
        wanted = [(n, [os.path.join(d, n) for d in LIB_DIRS], policy_package(n)) for n in needed]
        if interp:
            wanted.append((interp, [interp.lstrip("/")], None))
        for name, rels, first in wanted:
            hit = u.find(rels, pkg, first)
            if hit not in files:
                files.append(hit)
                todo.append(hit)
                libs.append((name, hit[0]))
    u.add(ALSA_DATA)
    if not os.path.isdir(os.path.join(u.root(ALSA_DATA), ALSA_DATA_DIR)):
        die(f"{ALSA_DATA} has no /{ALSA_DATA_DIR}")
    files.append((ALSA_DATA, ALSA_DATA_DIR))
    return u, files, libs


def stage_userland(stage, u, files):
    """Copy files [(package, path)] from the unpacked packages into the
    staged tree: a directory whole, a file with every symbolic link on the
    way to it (as links), keeping modes. Runs before the busybox applet
    links are made, so that Debian's programs are the ones in the tree."""
    staged = set()
    for pkg, rel in files:
        root = u.root(pkg)
        if os.path.isdir(os.path.join(root, rel)) and not os.path.islink(os.path.join(root, rel)):
            shutil.copytree(os.path.join(root, rel), os.path.join(stage, rel), symlinks=True,
                            dirs_exist_ok=True)
            continue
        for path in link_chain(root, rel):
            src, dst = os.path.join(root, path), os.path.join(stage, path)
            if path in staged:
                continue  # arecord's link leads to aplay
            if os.path.lexists(dst):
                die(f"/{path} of {pkg} is already in the initramfs")
            staged.add(path)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.islink(src):
                os.symlink(os.readlink(src), dst)
            else:
                shutil.copy(src, dst)


def stage_initramfs(stage, bbroot, release, moddir, order, deps, versions, u, ufiles):
    shutil.rmtree(stage, ignore_errors=True)
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "root", "etc",
              "mnt"):
        os.makedirs(os.path.join(stage, d))
    stage_userland(stage, u, ufiles)
    busybox = os.path.join(stage, "bin", "busybox")
    shutil.copyfile(os.path.join(bbroot, "bin", "busybox"), busybox)
    os.chmod(busybox, 0o755)
    # Applet links at build time: nothing to install at boot. The list comes
    # from the busybox binary itself (static x86-64: it runs here).
    for applet in run([busybox, "--list-full"]).split():
        link = os.path.join(stage, applet)
        if applet == "bin/busybox" or os.path.lexists(link):
            continue
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(os.path.relpath(busybox, os.path.dirname(link)), link)
    kmods = []
    lines = []
    for rel in order:
        dst = copy_module(os.path.join(moddir, rel),
                          os.path.join(stage, "lib", "modules", release, rel))
        kmods.append(os.path.relpath(dst, os.path.join(stage, "lib", "modules", release)))
    for rel, ko in zip(order, kmods):
        # A modules.dep of what is here, so busybox modprobe works in the shell.
        dep_kos = [kmods[order.index(d)] for d in deps.get(rel, [])]
        lines.append(f"{ko}: {' '.join(dep_kos)}".rstrip() + "\n")
    with open(os.path.join(stage, "lib", "modules", release, "modules.dep"), "w") as f:
        f.writelines(lines)
    run(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror",
         "-I", os.path.dirname(os.path.dirname(HC_ABI)), "-o",
         os.path.join(stage, "bin", "xtperf"), XTPERF])
    run(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o",
         os.path.join(stage, "bin", "xtaudio"), XTAUDIO])
    shutil.copyfile(INIT, os.path.join(stage, "init"))
    os.chmod(os.path.join(stage, "init"), 0o755)
    with open(os.path.join(stage, "etc", "xtalk-kit.conf"), "w") as f:
        f.write("# Written by guests/linux/mkkit.py; sourced by /init.\n")
        f.write(f"KIT_KVER='{release}'\n")
        f.write(f"KIT_MODULES='{' '.join(kmods)}'\n")
        for k, v in versions.items():
            f.write(f"KIT_{k.upper()}='{v}'\n")
    return kmods


def pack_initramfs(stage, cpio_out, gz_out):
    """cpio -o -H newc of the staged tree, under fakeroot so that every file
    is owned by root and /dev/console exists as a character device (the
    kernel opens it for /init before anything is mounted) without needing
    root here; fixed mtimes and a sorted list make it reproducible."""
    for dirpath, dirnames, filenames in os.walk(stage):
        for name in dirnames + filenames:
            os.utime(os.path.join(dirpath, name), (EPOCH, EPOCH), follow_symlinks=False)
    os.utime(stage, (EPOCH, EPOCH))
    script = (
        'set -e; cd "$1"; mknod -m 600 dev/console c 5 1; touch -h -d @%d dev/console dev; '
        'find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --reproducible --quiet >"$2"'
        % EPOCH)
    run(["fakeroot", "sh", "-c", script, "sh", stage, os.path.abspath(cpio_out) + ".tmp"])
    os.replace(cpio_out + ".tmp", cpio_out)
    with open(gz_out + ".tmp", "wb") as f:
        subprocess.run(["gzip", "-9", "-n", "-c", cpio_out], stdout=f, check=True)
    os.replace(gz_out + ".tmp", gz_out)


# ---------------------------------------------------------------- cache
def read_kit(path):
    kit = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line and not line.startswith("#"):
                    k, v = line.rstrip("\n").split("=", 1)
                    kit[k.strip()] = v.strip()
    return kit


def build(out, kdeb, bdeb, debdir, ext, stage, want):
    """Unpack, walk aplay's libraries (downloading and unpacking their
    packages), take the kernel apart, stage and pack the initramfs; returns
    the seconds of each step, the Userland and what kit.txt records."""
    t0 = time.monotonic()
    kroot, bbroot = os.path.join(ext, "kernel"), os.path.join(ext, "busybox")
    unpack(kdeb, kroot)
    unpack(bdeb, bbroot)
    u, ufiles, libs = userland(debdir, ext)
    t_unpack = time.monotonic() - t0 - u.seconds

    t0 = time.monotonic()
    vmlinuz = [f for f in os.listdir(os.path.join(kroot, "boot")) if f.startswith("vmlinuz-")]
    if len(vmlinuz) != 1:
        die(f"{os.path.basename(kdeb)}: expected one /boot/vmlinuz-*, found {vmlinuz}")
    shutil.copyfile(os.path.join(kroot, "boot", vmlinuz[0]), os.path.join(out, "bzImage"))
    comp, plen, rawlen, relocs = extract_vmlinux(os.path.join(out, "bzImage"),
                                                 os.path.join(out, "vmlinux"))
    t_vmlinux = time.monotonic() - t0

    t0 = time.monotonic()
    release, moddir = module_tree(kroot)
    deps = module_deps(kroot, release, moddir)
    order = load_order(deps, WANT_MODULES)
    versions = {k: want[k] for k in ("kernel_package", "kernel_version", "busybox_version")}
    versions["userland"] = u.pinned()
    kmods = stage_initramfs(stage, bbroot, release, moddir, order, deps, versions, u, ufiles)
    pack_initramfs(stage, os.path.join(out, "initrd.cpio"), os.path.join(out, "initrd.cpio.gz"))
    shutil.copyfile(os.path.join(moddir, "modules.dep"), os.path.join(out, "modules.dep"))
    t_initrd = time.monotonic() - t0
    return t_unpack, t_vmlinux, t_initrd, u, (vmlinuz[0], release, comp, plen, rawlen, relocs,
                                              kmods, ufiles, libs)


OUTPUTS = ["bzImage", "vmlinux", "initrd.cpio", "initrd.cpio.gz"]


def resolve(kernel, userland_pkgs):
    """(kernel package, its version, busybox-static's version, the userland
    packages as "NAME=VERSION ..."): kernel as NAME=VERSION, or what
    linux-image-amd64 depends on today; the userland packages are those the
    last build's library walk took (userland_pkgs, from kit.txt), or
    alsa-utils and libasound2-data before any, at today's candidates. With
    the same packages at the same versions the walk takes the same ones
    again (it reads only their files and Depends), so this is the cache key."""
    if kernel:
        kpkg, _, kver = kernel.partition("=")
        if not kver:
            die("--kernel wants NAME=VERSION")
        apt_show_updating(f"{kpkg}={kver}")
    else:
        kpkg, kver = kernel_package()
    pkgs = userland_pkgs or [ALSA_UTILS, ALSA_DATA]
    return kpkg, kver, candidate(BUSYBOX), " ".join(f"{p}={candidate(p)}" for p in pkgs)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="build/linux-kit")
    ap.add_argument("--kernel", help="kernel package as NAME=VERSION instead of "
                    "what linux-image-amd64 depends on")
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)
    t_start = time.monotonic()

    kit_path = os.path.join(out, "kit.txt")
    have = read_kit(kit_path)
    ours = {"mkkit_sha256": sha256_file(os.path.abspath(__file__)), "init_sha256": sha256_file(INIT),
            "xtperf_sha256": sha256_file(XTPERF), "xtaudio_sha256": sha256_file(XTAUDIO),
            "hc_abi_sha256": sha256_file(HC_ABI)}
    complete = (all(have.get(k) == v for k, v in ours.items())
                and all(os.path.exists(os.path.join(out, o)) for o in OUTPUTS))
    try:
        kpkg, kver, bbver, uver = resolve(args.kernel, have.get("userland_packages", "").split())
    except Unreachable as e:
        # Offline, a complete kit from this script and init stays usable:
        # the versions it pinned are simply not compared with the archive's.
        if not complete or args.force:
            die(str(e), UNREACHABLE)
        log(f"cannot ask the archive ({e}); using the kit as pinned in {kit_path}: "
            f"{have.get('kernel_package')} {have.get('kernel_version')}")
        return 0
    want = {
        "kernel_package": kpkg,
        "kernel_version": kver,
        "busybox_package": BUSYBOX,
        "busybox_version": bbver,
        "userland": uver,
        **ours,
    }
    if (not args.force and all(have.get(k) == v for k, v in want.items())
            and all(os.path.exists(os.path.join(out, o)) for o in OUTPUTS)):
        log(f"up to date: {kpkg} {kver}, {BUSYBOX} {bbver}, {uver} ({out})")
        return 0
    # A half-built kit must not look up to date.
    if os.path.exists(kit_path):
        os.remove(kit_path)
    log(f"building {out} from {kpkg} {kver}, {BUSYBOX} {bbver} and {ALSA_UTILS} "
        f"with what aplay needs")

    debdir = os.path.join(out, "debs")
    try:
        kdeb, t_kdl = download(kpkg, kver, debdir)
        bdeb, t_bdl = download(BUSYBOX, bbver, debdir)
    except Unreachable as e:
        die(str(e), UNREACHABLE)
    log(f"downloaded in {t_kdl + t_bdl:.1f} s: {os.path.basename(kdeb)} "
        f"({os.path.getsize(kdeb)} bytes), {os.path.basename(bdeb)} ({os.path.getsize(bdeb)} bytes)"
        if t_kdl + t_bdl else "using the cached kernel and busybox .debs")

    # The unpacked packages and the staged tree are scratch, in the system's
    # temporary folder and removed when done: the kernel's is ~410 MB, and
    # they must never be left under build/, whose every *.d the Makefile
    # includes (the packages have directories named so).
    scratch = tempfile.mkdtemp(prefix="xtalk-linux-kit-")
    ext = os.path.join(scratch, "extract")
    stage = os.path.join(scratch, "initramfs")
    try:
        t_unpack, t_vmlinux, t_initrd, u, info = build(out, kdeb, bdeb, debdir, ext, stage, want)
    except Unreachable as e:
        die(str(e), UNREACHABLE)
    finally:
        t0 = time.monotonic()
        shutil.rmtree(scratch, ignore_errors=True)
        t_cleanup = time.monotonic() - t0
    vmlinuz, release, comp, plen, rawlen, relocs, kmods, ufiles, libs = info
    want["userland"] = u.pinned()
    # Keep only the .debs of this build, so a new pin does not pile them up.
    keep = [kdeb, bdeb] + [deb for _v, deb, _r in u.pkgs.values()]
    for stale in os.listdir(debdir):
        if os.path.join(debdir, stale) not in keep:
            os.remove(os.path.join(debdir, stale))
    t_download = t_kdl + t_bdl + u.seconds

    lines = ["# The Linux guest kit, written by guests/linux/mkkit.py (docs/linux.md).\n"]
    lines += [f"{k}={v}\n" for k, v in want.items()]
    lines += [
        f"kernel_release={release}\n",
        f"kernel_deb={os.path.basename(kdeb)}\n",
        f"kernel_deb_sha256={sha256_file(kdeb)}\n",
        f"busybox_deb={os.path.basename(bdeb)}\n",
        f"busybox_deb_sha256={sha256_file(bdeb)}\n",
        f"vmlinuz={vmlinuz}\n",
        f"payload_compression={comp}\n",
        f"payload_bytes={plen}\n",
        f"payload_uncompressed_bytes={rawlen}\n",
        f"relocs_dropped_bytes={relocs}\n",
        f"modules={' '.join(kmods)}\n",
        f"userland_packages={' '.join(u.pkgs)}\n",
    ]
    for name, (_ver, deb, _root) in u.pkgs.items():
        lines.append(f"userland_deb.{name}={os.path.basename(deb)}\n")
        lines.append(f"userland_deb_sha256.{name}={sha256_file(deb)}\n")
    lines += [
        f"userland_files={' '.join('/' + rel for _p, rel in ufiles)}\n",
        f"userland_libs={' '.join(f'{n}:{p}' for n, p in libs)}\n",
    ]
    for o in OUTPUTS:
        p = os.path.join(out, o)
        lines.append(f"{o}_bytes={os.path.getsize(p)}\n")
        lines.append(f"{o}_sha256={sha256_file(p)}\n")
    lines += [
        f"debs={'downloaded' if t_download else 'cached'}\n",
        f"seconds_download={t_download:.1f}\n",
        f"seconds_unpack={t_unpack:.1f}\n",
        f"seconds_vmlinux={t_vmlinux:.1f}\n",
        f"seconds_initrd={t_initrd:.1f}\n",
        f"seconds_cleanup={t_cleanup:.1f}\n",
        f"seconds_total={time.monotonic() - t_start:.1f}\n",
    ]
    with open(kit_path + ".tmp", "w") as f:
        f.writelines(lines)
    os.replace(kit_path + ".tmp", kit_path)
    log(f"vmlinux {os.path.getsize(os.path.join(out, 'vmlinux'))} bytes ({comp} payload), "
        f"initrd.cpio {os.path.getsize(os.path.join(out, 'initrd.cpio'))} bytes, "
        f"modules: {' '.join(os.path.basename(m) for m in kmods)}; "
        f"{' '.join(os.path.basename(r) for _p, r in ufiles)} from {u.pinned()}")
    log(f"built in {time.monotonic() - t_start:.1f} s (download {t_download:.1f} s, "
        f"unpack {t_unpack:.1f} s, vmlinux {t_vmlinux:.1f} s, initramfs {t_initrd:.1f} s, "
        f"removing the unpacked trees {t_cleanup:.1f} s); "
        f"pinned in {kit_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
