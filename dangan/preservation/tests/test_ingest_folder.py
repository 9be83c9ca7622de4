import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import CommandError, call_command

from dangan.preservation.choices import FileStatus
from dangan.preservation.folders import ingest_folder
from dangan.preservation.models import DigitalFile
from dangan.testing import make_item


@pytest.fixture
def items(world):
    return [make_item(world.fonds_a, title=f"第{i}件") for i in range(3)]


def test_a_folder_per_item_named_by_reference_code_is_captured(items, world, tmp_path):
    for item in items[:2]:
        (tmp_path / item.reference_code).mkdir()
        (tmp_path / item.reference_code / "正文.txt").write_text(f"text of {item.title}")
        (tmp_path / item.reference_code / "附件.txt").write_text("annex")
    result = ingest_folder(tmp_path, world.fonds_a)
    assert (result.records, result.files, result.problems) == (2, 4, [])
    assert items[0].digital_files.count() == 2 and items[2].digital_files.count() == 0


def test_running_a_folder_ingest_again_skips_what_is_captured(items, world, tmp_path):
    (tmp_path / items[0].reference_code).mkdir()
    (tmp_path / items[0].reference_code / "a.txt").write_text("a")
    ingest_folder(tmp_path, world.fonds_a)
    result = ingest_folder(tmp_path, world.fonds_a)
    assert (result.files, result.skipped) == (0, 1)


def test_an_unknown_reference_code_is_reported_and_the_others_go_in(items, world, tmp_path):
    (tmp_path / "A001-WS·2023-Y-BGS-9999").mkdir()
    (tmp_path / "A001-WS·2023-Y-BGS-9999" / "a.txt").write_text("a")
    (tmp_path / items[0].reference_code).mkdir()
    (tmp_path / items[0].reference_code / "a.txt").write_text("a")
    result = ingest_folder(tmp_path, world.fonds_a)
    assert result.files == 1 and "9999" in result.problems[0]


def test_a_spreadsheet_maps_files_to_reference_codes(items, world, tmp_path):
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "001.txt").write_text("one")
    (tmp_path / "scans" / "002.txt").write_text("two")
    (tmp_path / "map.csv").write_text(
        f"档号,文件\n{items[1].reference_code},scans/001.txt\n{items[1].reference_code},scans/002.txt\n",
        encoding="utf-8",
    )
    result = ingest_folder(tmp_path, world.fonds_a, sheet=tmp_path / "map.csv")
    assert result.files == 2 and items[1].digital_files.count() == 2


def test_a_spreadsheet_path_outside_the_folder_is_refused(items, world, tmp_path):
    (tmp_path / "map.csv").write_text(f"档号,文件\n{items[1].reference_code},../../etc/passwd\n")
    with pytest.raises(Exception, match="不在导入文件夹内"):
        ingest_folder(tmp_path, world.fonds_a, sheet=tmp_path / "map.csv")


def test_the_ingest_command_reports_problems_with_a_non_zero_exit(items, world, tmp_path):
    (tmp_path / "NOPE").mkdir()
    (tmp_path / "NOPE" / "a.txt").write_text("a")
    with pytest.raises(CommandError):
        call_command("ingest", "folder", str(tmp_path), "--fonds", "A001")


SETUP = """
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangan.settings")
django.setup()
from dangan.testing import make_world, make_item
world = make_world()
for i in range(5):
    print(make_item(world.fonds_a, title=f"item {i}").reference_code)
"""

CHECK = """
import django, os, json
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangan.settings")
django.setup()
from dangan.catalogue.models import Item
print(json.dumps({i.reference_code: list(i.digital_files.values_list("status", flat=True))
                  for i in Item.objects.all()}))
"""


def _midway(database) -> bool:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as db:
            rows = db.execute("SELECT item_id, status FROM preservation_digitalfile").fetchall()
    except sqlite3.Error:
        return False
    by_item: dict = {}
    for item_id, status in rows:
        by_item.setdefault(item_id, []).append(status)
    done = [i for i, s in by_item.items() if s.count(FileStatus.COMPLETE) == 3]
    started = [i for i, s in by_item.items() if FileStatus.PENDING in s]
    return bool(done) and bool(started)


def _env(data_dir):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["DANGAN_DATA_DIR"] = str(data_dir)
    return env


def _run(data_dir, *args, check=True):
    done = subprocess.run(
        [sys.executable, *args], env=_env(data_dir), capture_output=True, text=True, timeout=300
    )
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_an_ingest_killed_midway_leaves_each_item_complete_or_absent_and_a_rerun_finishes(tmp_path):
    import json

    data = tmp_path / "system"
    _run(data, "-m", "dangan", "migrate", "-v0")
    codes = _run(data, "-c", SETUP).stdout.split()
    source = tmp_path / "in"
    for code in codes:
        (source / code).mkdir(parents=True)
        for n in range(3):
            (source / code / f"{n}.bin").write_bytes(os.urandom(1024) * 1024 * 24)  # 24 MiB each
    process = subprocess.Popen(
        [sys.executable, "-m", "dangan", "ingest", "folder", str(source), "--fonds", "A001"],
        env=_env(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    staging = data / "files" / ".staging"
    deadline = time.monotonic() + 120
    # Kill it once one item is complete and another half-way (read from SQLite directly: no start-up delay).
    while time.monotonic() < deadline and process.poll() is None:
        if _midway(data / "dangan.sqlite3"):
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    state = json.loads(_run(data, "-c", CHECK).stdout)
    complete = [c for c, s in state.items() if s and all(x == FileStatus.COMPLETE for x in s)]
    assert complete, "the kill came too early to test anything"
    assert len(complete) < len(state), "the ingest finished before the kill: nothing to test"
    for statuses in state.values():  # an item has all its new files or none of them
        assert statuses.count(FileStatus.COMPLETE) in (0, 3)
    doctor = _run(data, "-m", "dangan", "doctor", check=False)
    leftovers = any(FileStatus.PENDING in s for s in state.values()) or list(staging.glob("*.part"))
    assert (doctor.returncode == 1) == bool(leftovers), doctor.stdout
    # Restart: the leftovers are cleared and the rest is captured; nothing is captured twice.
    _run(data, "-m", "dangan", "ingest", "folder", str(source), "--fonds", "A001")
    state = json.loads(_run(data, "-c", CHECK).stdout)
    assert all(s == [FileStatus.COMPLETE] * 3 for s in state.values())
    healthy = _run(data, "-m", "dangan", "doctor")
    assert "orphan blobs (stored, referenced by no file): 0" in healthy.stdout
    assert not list(staging.glob("*.part"))
    blobs = list((data / "files" / "sha256").glob("*/*/*"))
    assert len(blobs) == 15


def test_digital_file_of_a_folder_ingest_keeps_the_bytes(items, world, tmp_path):
    (tmp_path / items[0].reference_code).mkdir()
    payload = os.urandom(100_000)
    (tmp_path / items[0].reference_code / "r.bin").write_bytes(payload)
    ingest_folder(tmp_path, world.fonds_a)
    assert DigitalFile.objects.get().sha256 == hashlib.sha256(payload).hexdigest()


def test_a_bad_file_of_one_item_does_not_keep_the_other_items_of_its_batch_out(items, world, tmp_path):
    from dangan.preservation.tests.helpers import add_file

    source = tmp_path / "in"  # tmp_path holds the file store too
    add_file(items[0], b"already here", "a.txt")
    for item in items:
        (source / item.reference_code).mkdir(parents=True)
        (source / item.reference_code / "A.TXT").write_text("same name as a.txt, other bytes")
        (source / item.reference_code / "b.txt").write_text(f"b of {item.pk}")
    result = ingest_folder(source, world.fonds_a)
    assert (result.records, result.files) == (2, 4)
    assert len(result.problems) == 1 and result.problems[0].startswith(items[0].reference_code)
    assert list(items[0].digital_files.values_list("original_name", flat=True)) == ["a.txt"]
    assert items[1].digital_files.count() == items[2].digital_files.count() == 2
