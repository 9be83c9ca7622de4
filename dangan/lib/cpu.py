"""CPU seconds by process while a benchmark runs, read from Linux's ``/proc``.

A whole import's CPU time (``getrusage``) says how much work it was, not whose: the importer's, its parsing
and search children's, the database server processes' serving them, or another program on the machine
taking a core meanwhile. ``CpuSampler`` reads each such process's counter (``/proc/<pid>/stat``: the time of
all its threads) every quarter of a second and sums them by role, and reads the machine's own counters
(``/proc/stat``) at both ends, so a benchmark prints the split itself instead of a session's ad hoc script
sampling ``/proc`` beside it. Linux only: elsewhere ``available()`` is false and nothing is read.
"""

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
INTERVAL = 0.25
# A role for a process (pid, parent pid, command line with spaces for its NULs), or None to leave it out.
Role = Callable[[int, int, str], str | None]


def available() -> bool:
    return (PROC / "self" / "stat").exists() and (PROC / "stat").exists()


def ticks_per_second() -> int:
    return os.sysconf("SC_CLK_TCK")


def parse_stat(text: str) -> tuple[int, int]:
    """(parent pid, user + system clock ticks) from a ``/proc/<pid>/stat`` line (``proc(5)``). The
    command name in parentheses may itself hold spaces and parentheses: fields count from its last ``)``."""
    fields = text[text.rindex(")") + 2 :].split()
    # fields[0] is the line's third field (the state): the parent is the 4th, utime and stime the 14th, 15th.
    return int(fields[1]), int(fields[11]) + int(fields[12])


def machine_ticks() -> tuple[int, int, int]:
    """(busy, idle, stolen) clock ticks of all the machine's processors since boot, from ``/proc/stat``:
    stolen is the time a virtual machine's processor wanted to run and its host ran something else."""
    with open(PROC / "stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    return user + nice + system + irq + softirq, idle + iowait, steal


@dataclass
class CpuSplit:
    """What a ``CpuSampler`` read: seconds by role, and the machine's busy and idle seconds in the window."""

    by_role: dict[str, float] = field(default_factory=dict)
    machine_busy: float = 0.0
    machine_idle: float = 0.0
    machine_stolen: float = 0.0

    @property
    def elsewhere(self) -> float:
        """Busy time of the machine's processors not in any role (other programs, the kernel's own work)."""
        return max(0.0, self.machine_busy - sum(self.by_role.values()))

    def describe(self, order: Sequence[str] = ()) -> str:
        """The roles' seconds (those in ``order`` first, in that order), then the rest of the machine's."""
        ranked = sorted(self.by_role, key=lambda role: order.index(role) if role in order else len(order))
        roles = ", ".join(f"{role} {self.by_role[role]:.1f}" for role in ranked)
        return (
            f"{roles}; the rest of the machine {self.elsewhere:.1f}, idle {self.machine_idle:.1f}, "
            f"stolen by the host {self.machine_stolen:.1f}"
        )


class CpuSampler:
    """Sums the CPU seconds of the processes ``role`` names, by role, over a ``with`` block.

    A process already running when the block starts counts from there; one started inside it counts whole.
    One that ends between two readings loses its last quarter-second at most: the split is a sample, the
    ``getrusage`` total the exact figure of the block's own process and its children.
    """

    def __init__(self, role: Role, interval: float = INTERVAL):
        self.role = role
        self.interval = interval
        self.split = CpuSplit()
        self._roles: dict[int, str | None] = {}
        self._first: dict[int, int] = {}  # ticks when first read, for processes there before the block
        self._last: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._machine = (0, 0, 0)

    def __enter__(self) -> "CpuSampler":
        if not available():
            return self
        self._machine = machine_ticks()
        self._read(first=True)
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._read()
        ticks = ticks_per_second()
        busy, idle, stolen = (
            (now - before) / ticks for now, before in zip(machine_ticks(), self._machine, strict=True)
        )
        totals: dict[str, int] = {}
        for pid, last in self._last.items():
            role = self._roles[pid]
            totals[role] = totals.get(role, 0) + last - self._first.get(pid, 0)
        self.split = CpuSplit({role: t / ticks for role, t in totals.items()}, busy, idle, stolen)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._read()

    def _read(self, first: bool = False) -> None:
        for name in os.listdir(PROC):
            if not name.isdigit():
                continue
            pid = int(name)
            known = pid in self._roles
            if known and self._roles[pid] is None:
                continue
            try:
                parent, ticks = parse_stat((PROC / name / "stat").read_text())
                if not known:
                    command = (PROC / name / "cmdline").read_bytes().replace(b"\0", b" ")
                    self._roles[pid] = self.role(pid, parent, command.decode(errors="replace").strip())
            except (OSError, ValueError, IndexError):
                continue  # gone meanwhile, or not ours to read
            if self._roles[pid] is None:
                continue
            if first:
                self._first[pid] = ticks
            self._last[pid] = ticks
