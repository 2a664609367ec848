#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Test files for the Linux boot path, without Linux.

  mkbzimage.py kernel GUEST.elf OUT   wrap one of our guests as a bzImage
  mkbzimage.py initrd OUT SIZE        a cpio (newc) archive of about SIZE bytes

kernel: the guest's loaded bytes (from its lowest PT_LOAD, page aligned, to
the end of its file data) become the protected-mode kernel, after two
sectors of "setup" holding a boot protocol 2.15 setup header (field offsets
from Linux Documentation/arch/x86/boot.rst). The kernel is not relocatable:
pref_address is the guest's link address and init_size covers its bss. The
64-bit entry of the boot protocol is load address + 0x200, so the guest must
have its symbol linux_entry64 exactly there (guests/linuxload/entry64.S);
this script checks it with nm. There is no real-mode setup code: the
sectors are zero apart from the header, so only a 64-bit loader can start it.

initrd: one regular file of deterministic pseudo-random bytes in a cpio
"newc" archive with its trailer, as an initramfs is; the content only has to
be recognisable byte for byte (tests/e2e case linux_loader checksums it).
"""
import hashlib
import struct
import subprocess
import sys

PAGE = 4096
SETUP_SECTS = 1
PT_LOAD = 1


def pt_loads(elf):
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        sys.exit("mkbzimage: not an ELF64 file")
    phoff, = struct.unpack_from("<Q", elf, 32)
    phentsize, phnum = struct.unpack_from("<HH", elf, 54)
    for i in range(phnum):
        typ, _, off, _, paddr, filesz, memsz = struct.unpack_from(
            "<IIQQQQQ", elf, phoff + i * phentsize)
        if typ == PT_LOAD and memsz:
            yield off, paddr, filesz, memsz


def symbol(path, name):
    out = subprocess.run(["nm", path], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == name:
            return int(f[0], 16)
    sys.exit(f"mkbzimage: {path} has no symbol {name}")


def flat_image(elf):
    segs = list(pt_loads(elf))
    base = min(s[1] for s in segs)
    if base % PAGE:
        sys.exit(f"mkbzimage: lowest segment at {base:#x} is not page aligned")
    data = bytearray(max(p + fs for _, p, fs, _ in segs) - base)
    for off, paddr, filesz, _ in segs:
        data[paddr - base:paddr - base + filesz] = elf[off:off + filesz]
    end = max(p + ms for _, p, _, ms in segs)
    return base, bytes(data), end - base


def setup_header(base, kernel_len, init_size):
    setup = bytearray((SETUP_SECTS + 1) * 512)
    hdr_end = 0x268  # struct setup_header up to kernel_info_offset (2.15)
    fields = [  # (offset, struct format, value)
        (0x1f1, "B", SETUP_SECTS),
        (0x1f4, "I", kernel_len // 16),      # syssize
        (0x1fe, "H", 0xaa55),                # boot_flag
        (0x200, "BB", (0xeb, hdr_end - 0x202)),  # jmp short: the header's length
        (0x202, "4s", b"HdrS"),
        (0x206, "H", 0x020f),                # version 2.15
        (0x211, "B", 0x01),                  # loadflags: LOADED_HIGH
        (0x214, "I", base),                  # code32_start
        (0x22c, "I", 0x7fffffff),            # initrd_addr_max
        (0x230, "I", PAGE),                  # kernel_alignment
        (0x234, "B", 0),                     # relocatable_kernel: no
        (0x236, "H", 0x0001),                # xloadflags: XLF_KERNEL_64
        (0x238, "I", 2047),                  # cmdline_size
        (0x258, "Q", base),                  # pref_address
        (0x260, "I", init_size),             # init_size
    ]
    for off, fmt, value in fields:
        values = value if isinstance(value, tuple) else (value,)
        struct.pack_into("<" + fmt, setup, off, *values)
    return bytes(setup)


def kernel(elf_path, out):
    elf = open(elf_path, "rb").read()
    base, data, mem_len = flat_image(elf)
    entry = symbol(elf_path, "linux_entry64")
    if entry != base + 0x200:
        sys.exit(f"mkbzimage: linux_entry64 is at {entry:#x}, must be {base + 0x200:#x}")
    data += bytes(-len(data) % 16)
    init_size = (max(mem_len, len(data)) + PAGE - 1) // PAGE * PAGE
    with open(out, "wb") as f:
        f.write(setup_header(base, len(data), init_size) + data)


def newc(name, data, ino):
    name = name.encode() + b"\0"
    fields = (ino, 0o100644 if data is not None else 0, 0, 0, 1, 0,
              len(data or b""), 0, 0, 0, 0, len(name), 0)
    hdr = b"070701" + b"".join(b"%08x" % v for v in fields) + name
    hdr += bytes(-len(hdr) % 4)
    return hdr + (data or b"") + bytes(-len(data or b"") % 4)


def initrd(out, size):
    payload = hashlib.shake_128(b"xtalk linux_loader initrd").digest(size)  # same on every machine
    with open(out, "wb") as f:
        f.write(newc("payload.bin", payload, 1) + newc("TRAILER!!!", None, 0))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "kernel":
        kernel(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "initrd":
        initrd(sys.argv[2], int(sys.argv[3], 0))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
