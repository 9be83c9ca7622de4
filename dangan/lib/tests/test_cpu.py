import os
import subprocess
import sys

import pytest

from dangan.lib import cpu

pytestmark = pytest.mark.skipif(not cpu.available(), reason="CPU by process is read from Linux's /proc")

# Burns about this much CPU, then idles long enough for the sampler's next reading to see all of it.
BURNER = """
import sys, time
while time.process_time() < float(sys.argv[2]):
    pass
time.sleep(0.6)
"""
MARKER = "cpu-test-burner"


def burn(seconds: float, marker: str = MARKER) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", BURNER, marker, str(seconds)])


def burners_of_this_process(pid: int, parent: int, command: str) -> str | None:
    if parent == os.getpid() and MARKER in command:
        return "burner"
    return None


def test_parse_stat_counts_fields_past_a_command_name_with_spaces_and_parentheses():
    line = "4242 (odd) name (x)) S 17 4242 4242 0 -1 4194560 10 0 0 0 250 30 0 0 20 0 3 0 1234 0 0"

    assert cpu.parse_stat(line) == (17, 280)


def test_a_child_started_inside_the_block_is_counted_whole_under_its_role():
    with cpu.CpuSampler(burners_of_this_process, interval=0.05) as sampler:
        burn(0.5).wait()

    assert 0.4 <= sampler.split.by_role["burner"] <= 1.0
    assert sampler.split.machine_busy >= sampler.split.by_role["burner"]


def test_processes_without_a_role_are_left_to_the_rest_of_the_machine():
    with cpu.CpuSampler(burners_of_this_process, interval=0.05) as sampler:
        burn(0.3, marker="some-other-program").wait()

    assert "burner" not in sampler.split.by_role
    assert sampler.split.elsewhere >= 0.2


def test_a_process_running_before_the_block_counts_only_from_its_start():
    child = burn(1.2)
    try:
        while cpu.parse_stat(open(f"/proc/{child.pid}/stat").read())[1] < 0.6 * cpu.ticks_per_second():
            pass
        with cpu.CpuSampler(burners_of_this_process, interval=0.05) as sampler:
            child.wait()
    finally:
        child.kill()

    assert 0.3 <= sampler.split.by_role["burner"] <= 0.75
