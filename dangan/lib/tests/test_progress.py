import io

import pytest

from dangan.lib import progress
from dangan.lib.progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_in_a_log_it_writes_a_line_at_each_tenth_of_a_known_total_and_never_a_carriage_return():
    log = io.StringIO()
    bar = ProgressBar(log, unit="files", width=10)
    for done in range(1, 101):
        bar(done, 100)
    bar.end()
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue()
    assert lines[0] == "[..........] 1/100 files"
    assert lines[1:] == [f"[{'#' * n}{'.' * (10 - n)}] {10 * n}/100 files" for n in range(1, 11)]


def test_in_a_log_an_unknown_total_is_written_at_one_two_and_five_times_each_power_of_ten_and_at_the_end():
    log = io.StringIO()
    bar = ProgressBar(log, unit="rows")
    for done in range(1_000, 1_234_001, 1_000):
        bar(done)
    bar.end()
    assert log.getvalue().splitlines() == [
        "1,000 rows", "2,000 rows", "5,000 rows", "10,000 rows", "20,000 rows", "50,000 rows", "100,000 rows",
        "200,000 rows", "500,000 rows", "1,000,000 rows", "1,234,000 rows",
    ]


def test_on_a_terminal_it_redraws_one_line_at_most_every_tenth_of_a_second_and_ends_on_the_last_figure(
    monkeypatch,
):
    clock = iter([0.0, 0.05, 0.2, 0.21])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    screen = Terminal()
    bar = ProgressBar(screen, width=4)
    for done in (1, 2, 3, 3, 4):  # at 0, 0.05, 0.2, (the same figure again: no redraw), 0.21 s
        bar(done, 8)
    bar.end()
    assert screen.getvalue() == "\r[....] 1/8\r[#...] 3/8\r[##..] 4/8\n"


def test_nothing_called_writes_nothing():
    for stream in (io.StringIO(), Terminal()):
        ProgressBar(stream).end()
        assert stream.getvalue() == ""


def test_a_with_block_that_fails_still_ends_the_terminal_line_on_its_last_figure(monkeypatch):
    clock = iter([0.0, 0.05])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    screen = Terminal()
    with pytest.raises(ValueError), ProgressBar(screen, width=4) as bar:
        bar(1, 8)
        bar(2, 8)  # within a tenth of a second: not drawn yet
        raise ValueError("the row that broke the import")
    assert screen.getvalue() == "\r[....] 1/8\r[#...] 2/8\n"
