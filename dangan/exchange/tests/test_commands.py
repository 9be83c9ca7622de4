import re

import pytest
from django.core.management import CommandError, call_command

from dangan.catalogue.models import Fonds, Item
from dangan.exchange import ead
from dangan.exchange.tests.conftest import row, write_csv
from dangan.lib import cpu
from dangan.search.backends import get_backend


def test_dangan_import_catalogue_imports_with_a_progress_bar(world, tmp_path, capsys):
    path = write_csv(tmp_path / "c.csv", [row(1), row(2)])
    call_command("import", "catalogue", str(path), "--fonds", "A001", "--category", "WS")
    out = capsys.readouterr()
    assert "2 new" in out.out and "[" in out.err and Item.objects.count() == 2


def test_a_dry_run_from_the_command_line_stores_nothing(world, tmp_path, capsys):
    path = write_csv(tmp_path / "c.csv", [row(1)])
    call_command("import", "catalogue", str(path), "--fonds", "A001", "--category", "WS", "--dry-run")
    assert "dry run" in capsys.readouterr().out and Item.objects.count() == 0


def test_errors_fail_the_command_and_the_report_has_them_all(world, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(n, 日期="2023-02-30") for n in range(1, 60)])
    report = tmp_path / "report.csv"
    with pytest.raises(CommandError, match="59 error"):
        call_command(
            "import", "catalogue", str(path), "--fonds", "A001", "--category", "WS", "--report", str(report)
        )
    assert report.read_text(encoding="utf-8-sig").count("日期不存在") == 59


def test_importing_as_a_user_checks_their_right_to_file(world, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(1)])
    with pytest.raises(CommandError, match="无权"):
        call_command(
            "import", "catalogue", str(path), "--fonds", "B001", "--category", "WS", "--user", "archivist_a"
        )


def test_export_commands_write_a_catalogue_a_pdf_and_valid_ead3(world, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(1), row(2)])
    call_command("import", "catalogue", str(path), "--fonds", "A001", "--category", "WS")
    call_command("export", "catalogue", str(tmp_path / "out.xlsx"), "--filter", f"fonds={world.fonds_a.pk}")
    call_command("export", "pdf", "catalogue", str(tmp_path / "out.pdf"), "--fonds", "A001")
    call_command("export", "ead", str(tmp_path / "out.xml"), "--fonds", "A001")
    assert (tmp_path / "out.xlsx").stat().st_size > 0
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
    assert ead.validate(tmp_path / "out.xml") == []


def test_the_import_benchmark_names_the_machine_and_finds_its_rows(db, capsys):
    call_command("bench", "import", "--rows", "300", "--xlsx-rows", "60")
    out = capsys.readouterr().out
    reference = out.splitlines()[0]
    loop, objects = re.fullmatch(
        r"machine: one core's reference Python loop ([\d.]+) s, reference objects ([\d.]+) s; "
        r"Python [\d.]+ at .+",
        reference,
    ).groups()
    assert float(loop) > 0 and float(objects) > 0
    assert "csv: 300 rows" in out and "xlsx: 60 rows" in out
    assert out.count("searchable: yes") == 2 and "FAILED" not in out
    if cpu.available():  # each import's CPU split by process, this one's at least
        split = re.findall(r"    CPU-s by process \(/proc, every [\d.]+ s\): importer ([\d.]+)[,;]", out)
        assert len(split) == 2 and sum(map(float, split)) > 0


def test_the_import_stages_benchmark_times_each_process_share_on_a_slice_of_the_large_catalogue(db, capsys):
    call_command("bench", "import-stages", "--rows", "300", "--of", "3000", "--repeat", "2")
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "stages: 300 rows from row 811 of a 3,000-row catalogue; best of 2 runs"
    stages = {}
    for line in lines[2:]:
        name, best, runs = re.fullmatch(r"  (.+): ([\d.]+) CPU-µs a row \(runs: ([\d. ]+)\)", line).groups()
        stages[name] = float(best)
        assert float(best) == min(map(float, runs.split())) and len(runs.split()) == 2
    searching = f"search child ({get_backend().name})"
    assert set(stages) == {"parsing child", "importer (its own process)", searching}
    assert all(best > 0 for best in stages.values())
    # Two imports of the same 300 rows, each into a fonds of its own, with the codes the slice's rows carry.
    fonds = Fonds.objects.filter(number__startswith="STG").order_by("number")
    assert [Item.objects.filter(fonds=f).count() for f in fonds] == [300, 300]
    first = Item.objects.filter(fonds=fonds[0]).order_by("pk").first()
    assert first.reference_code.startswith(f"{fonds[0].number}-WS·") and first.year > 2000
