# SPDX-License-Identifier: MIT
"""Reading xtalk's serial console: guest lines, VMM messages, the summary."""
import re

ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")


class ConsoleLog:
    def __init__(self, text):
        text = ANSI.sub("", text).replace("\r", "")
        self.lines = [l.rstrip() for l in text.split("\n") if l.strip()]

    def has(self, needle):
        return any(needle in l for l in self.lines)

    def first(self, needle):
        return next((l for l in self.lines if needle in l), None)

    def grep(self, pattern):
        rx = re.compile(pattern)
        return [m for m in (rx.search(l) for l in self.lines) if m]

    def guest_lines(self, guest=None):
        """(guest, text) for every line a guest printed, in console order."""
        out = []
        for l in self.lines:
            m = re.match(r"^\[([A-Za-z0-9_-]+)\] (.*)$", l)
            if m and (guest is None or m.group(1) == guest):
                out.append((m.group(1), m.group(2)))
        return out

    def output_of(self, guest):
        return [t for _, t in self.guest_lines(guest)]

    def status(self, guest):
        """('exited', status) or ('stopped', reason text) from the run summary."""
        m = self.grep(rf"^xtalk: guest {re.escape(guest)}: exited, status (-?\d+)$")
        if m:
            return "exited", int(m[-1].group(1))
        m = self.grep(rf"^xtalk: guest {re.escape(guest)}: stopped \((.*?)\): (.*)$")
        if m:
            return "stopped", m[-1].group(1) + ": " + m[-1].group(2)
        return None, None

    def exits(self, guest):
        """VM exits by reason for guest, from the last summary line."""
        m = self.grep(rf"^xtalk: guest {re.escape(guest)}: (\d+) VM exits: (.*)$")
        if not m:
            return None
        counts = {"total": int(m[-1].group(1))}
        if m[-1].group(2) != "none":
            for part in m[-1].group(2).split(", "):
                name, n = part.rsplit(" ", 1)
                counts[name] = int(n)
        return counts

    def counters(self, guest):
        m = self.grep(rf"^xtalk: guest {re.escape(guest)}: (unclaimed I/O .*)$")
        if not m:
            return None
        text = m[-1].group(1)
        return {k.strip(): int(v) for k, v in re.findall(r"([A-Za-z/# ]+?) (\d+)", text)}
