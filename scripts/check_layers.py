#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The layering rule, checked on the built objects (make check-layers).

1. Pure folders (devices/, ept/, crosstalk/, firmware/, boot/ini.c, lib/, vmm/emul/)
   include nothing from the VMM's privileged folders.
2. GNU-EFI headers only in boot/efi_main.c.
3. No call cycle between folders: with nm, each object's defined and undefined
   symbols give the folders it uses; a folder may use another only if that
   one does not use it back, directly or through others. Files of one folder
   may call each other freely (one mechanism).

Prints each violation with the symbols that make it, exits 1 if any.
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PURE = ["devices", "ept", "crosstalk", "firmware", "lib", "vmm/emul", "boot/ini.c", "boot/ini.h"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"(vmm/[^"]+)"', re.M)


def folder_of(src):
    """vmm/exit/io.c -> vmm/exit; boot/ini.c -> boot; lib/string.c -> lib."""
    return os.path.dirname(src)


def sources(pattern_dirs):
    out = []
    for d in pattern_dirs:
        path = os.path.join(ROOT, d)
        if os.path.isfile(path):
            out.append(d)
            continue
        for base, _, files in os.walk(path):
            for f in files:
                if f.endswith((".c", ".h", ".S")):
                    out.append(os.path.relpath(os.path.join(base, f), ROOT))
    return sorted(out)


def check_includes():
    """Pure code includes nothing from the privileged vmm/ folders."""
    bad = []
    for src in sources(PURE):
        with open(os.path.join(ROOT, src), errors="replace") as f:
            for inc in INCLUDE.findall(f.read()):
                if not inc.startswith("vmm/emul/"):
                    bad.append(f"{src}: includes {inc} (pure code must not reach into the VMM)")
    for src in sources(["boot", "vmm", "devices", "ept", "crosstalk", "lib", "guests"]):
        if src == "boot/efi_main.c":
            continue
        with open(os.path.join(ROOT, src), errors="replace") as f:
            if re.search(r"#\s*include\s+<efi", f.read()):
                bad.append(f"{src}: includes a GNU-EFI header (only boot/efi_main.c may)")
    return bad


def symbols(obj):
    """(defined, undefined) global symbol names of one object file."""
    r = subprocess.run(["nm", "-g", obj], stdout=subprocess.PIPE, text=True, check=True)
    defined, undefined = set(), set()
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3:
            defined.add(parts[2])
    return defined, undefined


def folder_graph(objroot, objs):
    """{folder: {used folder: {symbols}}} from the objects (objroot/SRC.o)."""
    owner, uses = {}, {}
    for obj in objs:
        src = os.path.relpath(obj, objroot)[:-2]  # vmm/exit/io.c
        defined, undefined = symbols(obj)
        for s in defined:
            owner[s] = folder_of(src)
        uses.setdefault(folder_of(src), set()).update(undefined)
    graph = {}
    for folder, syms in uses.items():
        for s in syms:
            to = owner.get(s)
            if to and to != folder:
                graph.setdefault(folder, {}).setdefault(to, set()).add(s)
    return graph


def cycles(graph):
    """Strongly connected components of more than one folder (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(set(graph) | {w for e in graph.values() for w in e}):
        if v not in index:
            visit(v)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("objroot", help="the VMM's object folder (build/vmm)")
    ap.add_argument("objs", nargs="*", help="the objects linked into xtalk.efi (default: all "
                    "below objroot)")
    ap.add_argument("--graph", action="store_true", help="print the folder graph")
    args = ap.parse_args()
    problems = check_includes()
    objs = args.objs or [os.path.join(b, f) for b, _, fs in os.walk(args.objroot)
                         for f in fs if f.endswith(".o")]
    graph = folder_graph(args.objroot, objs)
    if args.graph:
        for a in sorted(graph):
            for b in sorted(graph[a]):
                print(f"{a} -> {b}: {', '.join(sorted(graph[a][b])[:4])}")
    for comp in cycles(graph):
        edges = [f"  {a} -> {b} ({', '.join(sorted(graph[a][b])[:3])})"
                 for a in comp for b in sorted(graph.get(a, {})) if b in comp]
        problems.append("call cycle between folders " + ", ".join(comp) + ":\n" +
                        "\n".join(edges))
    for p in problems:
        print("layering: " + p)
    if problems:
        return 1
    print(f"layering: {len(graph)} folders, no cycle, pure code stays pure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
