"""Bad files: each gets a clear error and changes nothing."""

import zipfile

import openpyxl

from dangan.catalogue.models import Item
from dangan.core.models import AuditEntry
from dangan.exchange import reports
from dangan.exchange.importer import import_catalogue
from dangan.exchange.tests.conftest import HEADER, row, write_csv, write_xlsx


def do_import(world, path):
    return import_catalogue(path, fonds=world.fonds_a, category=world.category, user=world.archivist_a)


def assert_nothing_changed():
    assert Item.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="catalogue.item").exists()


def test_a_truncated_xlsx_is_refused(world, tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", [row(n) for n in range(1, 50)])
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    outcome = do_import(world, broken)
    assert "损坏" in outcome.fatal
    assert_nothing_changed()


def test_random_bytes_named_xlsx_are_refused(world, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 20)
    assert "损坏" in do_import(world, path).fatal
    assert_nothing_changed()


def test_a_zip_bomb_disguised_as_xlsx_is_refused_before_it_is_inflated(world, tmp_path, settings):
    settings.DANGAN_IMPORT_MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(60):
                member.write(block)
    assert path.stat().st_size < 1024 * 1024
    outcome = do_import(world, path)
    assert "压缩炸弹" in outcome.fatal
    assert_nothing_changed()


def test_an_empty_file_is_refused(world, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert do_import(world, path).fatal == "文件是空的"


def test_a_file_with_only_headers_is_refused(world, tmp_path):
    outcome = do_import(world, write_csv(tmp_path / "h.csv", []))
    assert "只有表头" in outcome.fatal
    outcome = do_import(world, write_xlsx(tmp_path / "h.xlsx", []))
    assert "只有表头" in outcome.fatal
    assert_nothing_changed()


def test_a_file_in_an_unknown_encoding_is_refused(world, tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes(",".join(HEADER).encode("utf-16"))
    outcome = do_import(world, path)
    assert "编码" in outcome.fatal
    assert_nothing_changed()


def test_a_file_mixing_utf8_and_gbk_rows_is_refused_not_half_read(world, tmp_path):
    path = tmp_path / "mixed.csv"
    utf8 = write_csv(tmp_path / "a.csv", [row(1)], encoding="utf-8").read_bytes()
    gbk_row = "2,,区府发〔2023〕2号,区政府办公室,关于经费的请示,20230502,2,公开,永久,BGS,\r\n".encode("gbk")
    path.write_bytes(utf8 + gbk_row)
    outcome = do_import(world, path)
    assert "混合" in outcome.fatal
    assert_nothing_changed()


def test_formulas_instead_of_values_are_reported_per_cell(world, tmp_path):
    path = tmp_path / "f.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(
        [
            1,
            "",
            "区府发〔2023〕1号",
            "区政府办公室",
            "关于经费的请示",
            "20230501",
            "=1+2",
            "公开",
            "永久",
            "BGS",
            "",
        ]
    )
    book.save(path)
    outcome = do_import(world, path)
    assert outcome.errors == [(2, "页数", "=1+2", "单元格是公式而不是值：请在 Excel 中“粘贴为数值”后再导入")]
    assert_nothing_changed()


def test_merged_cells_are_reported(world, tmp_path):
    path = tmp_path / "m.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for n in (1, 2):
        sheet.append(
            [
                n,
                "",
                f"区府发〔2023〕{n}号",
                "区政府办公室",
                "关于经费的请示",
                "20230501",
                2,
                "公开",
                "永久",
                "BGS",
                "",
            ]
        )
    sheet.merge_cells("D2:D3")
    book.save(path)
    outcome = do_import(world, path)
    assert any("合并单元格 D2:D3" in e[3] and e[0] == 2 for e in outcome.errors)
    assert_nothing_changed()


def test_a_file_larger_than_the_limit_is_refused_unread(world, tmp_path, settings):
    settings.DANGAN_IMPORT_MAX_BYTES = 1000
    path = write_csv(tmp_path / "big.csv", [row(n) for n in range(1, 100)])
    assert "超过上限" in do_import(world, path).fatal
    assert_nothing_changed()


def test_an_unsupported_file_type_is_refused(world, tmp_path):
    path = tmp_path / "c.docx"
    path.write_bytes(b"hello")
    assert "不支持" in do_import(world, path).fatal


def test_a_file_without_a_title_column_says_so(world, tmp_path):
    path = write_csv(tmp_path / "c.csv", [{"年度": 2023}], header=["年度", "某列"])
    assert "题名" in do_import(world, path).fatal


def test_a_hundred_thousand_errors_are_all_in_the_report_and_it_stays_usable(world, tmp_path):
    rows = [row(n, 日期="20231332") for n in range(1, 100_001)]
    outcome = do_import(world, write_csv(tmp_path / "bad.csv", rows))
    assert len(outcome.errors) == 100_000
    report = reports.write_csv(outcome.errors, tmp_path / "report.csv")
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 100_001 and lines[-1] == "100001,日期,20231332,日期不存在"
    xlsx = reports.write_xlsx(outcome.errors, tmp_path / "report.xlsx")
    assert xlsx.stat().st_size < 10 * 1024 * 1024
    assert_nothing_changed()
