"""A command's progress on its error stream, the one way every ``dangan`` command shows it."""

import sys
import time

REDRAW_SECONDS = 0.1  # a terminal's line is redrawn this often at most: a redraw per file or row is a flood


class ProgressBar:
    """Call it with (done, total) as work goes on (total None when unknown), and ``end()`` when it is over;
    or use it as a ``with`` block, which ends it however the block ends (a command's error then starts on a
    line of its own, not after the redrawn figure).

    On a terminal it redraws one line in place. Anywhere else (a cron job's mail, a service's journal, a CI
    log) a carriage return does not go back, and a million redraws would make one unreadable line, so it
    writes a line of its own at each tenth of a known total, or at 1, 2, 5, 10, 20 … of an unknown one,
    and the last figure at the end.
    """

    def __init__(self, stream=None, unit: str = "", width: int = 30):
        self.stream = stream or sys.stderr
        self.unit = f" {unit}" if unit else ""
        self.width = width
        isatty = getattr(self.stream, "isatty", None)
        self.terminal = bool(isatty and isatty())
        self.next_mark = 1
        self.last: tuple[int, int | None] | None = None
        self.written: tuple[int, int | None] | None = None
        self.drawn_at = float("-inf")  # the first call draws at once

    def __call__(self, done: int, total: int | None = None) -> None:
        self.last = (done, total)
        if self.terminal:
            if self.last == self.written:  # said already
                return
            now = time.monotonic()
            if now - self.drawn_at >= REDRAW_SECONDS or done == total:
                self._write(done, total)
                self.drawn_at = now
        elif done >= self.next_mark:
            self._write(done, total)
            self.next_mark = _mark_after(done, total)

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc) -> None:
        self.end()

    def end(self) -> None:
        if self.last is not None and self.last != self.written:
            self._write(*self.last)
        if self.terminal and self.written is not None:
            self.stream.write("\n")  # the redrawn line ends here
        self.stream.flush()

    def _write(self, done: int, total: int | None) -> None:
        """The figure: redrawn over the last on a terminal, a line of its own elsewhere."""
        text = self._text(done, total)
        self.stream.write(f"\r{text}" if self.terminal else f"{text}\n")
        self.stream.flush()
        self.written = (done, total)

    def _text(self, done: int, total: int | None) -> str:
        if not total:
            return f"{done:,}{self.unit}"
        filled = min(self.width, self.width * done // total)
        return f"[{'#' * filled}{'.' * (self.width - filled)}] {done:,}/{total:,}{self.unit}"


def _mark_after(done: int, total: int | None) -> int:
    """Where the next line goes, in a log: the next tenth of ``total``, else the next of 1, 2, 5, 10 …"""
    if total:
        tenth = max(1, total // 10)
        return (done // tenth + 1) * tenth
    mark = 1
    while mark <= done:
        power = 10 ** (len(str(mark)) - 1)
        mark = {1: 2, 2: 5, 5: 10}[mark // power] * power
    return mark
