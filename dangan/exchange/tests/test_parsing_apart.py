"""A large catalogue file is read and normalised by a child process (``exchange.parsing``) while the import
checks and stores the rows before: the outcome must be the one parsing in line gives, row for row."""

import datetime
import pickle

import openpyxl
import pytest

from dangan.catalogue.models import Category, CategoryField, Item
from dangan.exchange import parsing
from dangan.exchange.building import RowBuilder
from dangan.exchange.readers import FileRejected, Table
from dangan.exchange.tests.conftest import HEADER, row, write_csv, write_xlsx
from dangan.exchange.tests.test_import_catalogue import do_import


@pytest.fixture
def parse_apart(monkeypatch):
    """Every file is parsed by the child."""
    monkeypatch.setattr(parsing, "parse_apart", lambda table, path: True)


def builder(world):
    category = Category.objects.prefetch_related("fields").get(pk=world.category.pk)
    return RowBuilder(world.fonds_a, category, {}, {})


def mixed_rows():
    rows = [row(n, 日期=f"2023{1 + n % 12:02d}{1 + n % 28:02d}", 经办人=f"经办人{n}") for n in range(1, 2501)]
    rows[10]["日期"] = "2023-02-30"  # impossible date
    rows[500]["页数"] = "很多"
    rows[1200]["保管期限"] = "长期"  # an old period, mapped and reported
    rows[1200]["日期"] = "19990301"
    rows[2400]["保管期限"] = "五十年"
    # Found while building the item (the child builds too) …
    rows[300]["档号"] = "A001-WS·2022-Y-BGS-0301"  # not the code its year gives
    rows[301]["全宗号"] = "Z999"  # no such fonds
    # … by the field rules (the child's check fails; the filing checks again and words the error) …
    rows[302]["题名"] = "长" * 501
    rows[303]["日期"] = "20990101"  # Item.clean: not later than next year
    # … and only by the filing: a fonds the archivist may not file into, a code given twice.
    rows[304]["全宗号"] = "B001"
    rows[305]["档号"] = rows[306]["档号"] = "A001-WS·2023-Y-BGS-0306"
    return rows


@pytest.mark.parametrize("write", [write_csv, write_xlsx], ids=["csv, built by the child", "xlsx"])
def test_a_file_parsed_by_the_child_reports_what_parsing_in_line_reports(
    world, as_archivist, tmp_path, monkeypatch, write
):
    CategoryField.objects.create(category=world.category, key="handler", label="经办人")
    suffix = "csv" if write is write_csv else "xlsx"
    path = write(tmp_path / f"c.{suffix}", mixed_rows(), header=HEADER + ["经办人", "全宗号"])
    in_line = do_import(world, path, dry_run=True, chunk_size=700)
    monkeypatch.setattr(parsing, "parse_apart", lambda table, path: True)
    apart = do_import(world, path, dry_run=True, chunk_size=700)
    assert apart.rows == in_line.rows == 2500
    assert apart.errors == in_line.errors
    assert sorted(e[0] for e in apart.errors) == [12, 302, 303, 304, 305, 306, 308, 502, 2402]
    assert apart.notices == in_line.notices and any("长期" in n for n in apart.notices)
    assert Item.objects.count() == 0


def test_a_file_parsed_by_the_child_stores_its_values(world, as_archivist, tmp_path, parse_apart):
    CategoryField.objects.create(category=world.category, key="handler", label="经办人")
    CategoryField.objects.create(category=world.category, key="copies", label="份数", field_type="number")
    rows = [row(n, 经办人=f"经办人{n}", 份数=" 3 ") for n in range(1, 1501)]
    rows[7].update(保管期限="长期", 日期="19990301")
    outcome = do_import(world, write_csv(tmp_path / "c.csv", rows, header=HEADER + ["经办人", "份数"]))
    assert outcome.ok and outcome.created == 1500
    old = Item.objects.get(year=1999)
    # In their stored form: the number a number, as the category's field rules make it.
    assert old.retention.code == "D30" and old.extra == {"handler": "经办人8", "copies": 3}
    assert Item.objects.filter(retention__code="Y").count() == 1499


def test_formula_cells_are_reported_by_the_child_too(world, as_archivist, tmp_path, parse_apart):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([1, "", "区府发〔2023〕1号", "区政府办公室", "关于经费的请示", "20230501", "=1+2", "公开",
                  "永久", "BGS", ""])
    book.save(tmp_path / "f.xlsx")
    outcome = do_import(world, tmp_path / "f.xlsx")
    assert outcome.errors == [(2, "页数", "=1+2", "单元格是公式而不是值：请在 Excel 中“粘贴为数值”后再导入")]


def test_a_file_the_child_cannot_read_is_rejected(world, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 20)
    table = Table(HEADER, iter(()), "xlsx", total=10**6)  # as opened before the file was damaged
    parser = parsing.RowParser({4: "title"}, [])
    with pytest.raises(FileRejected, match="损坏"):
        list(parsing.parsed_rows(table, broken, "", parser, builder(world)))


def test_the_child_stops_when_the_import_stops_reading(world, tmp_path, parse_apart, monkeypatch):
    started = []
    real_start = parsing.start_django_child

    def start(code):
        started.append(real_start(code))
        return started[0]

    monkeypatch.setattr(parsing, "start_django_child", start)
    path = write_csv(tmp_path / "c.csv", [row(n) for n in range(1, 30001)])
    table = Table(HEADER, iter(()), "csv", total=30000)
    rows = parsing.parsed_rows(table, path, "", parsing.RowParser({4: "title"}, []), builder(world))
    assert next(rows)[0] == 2
    rows.close()
    assert started[0].poll() is not None


def test_the_child_reads_the_csv_in_the_encoding_the_importer_found_without_decoding_it_all_again(
    world, tmp_path, monkeypatch
):
    import io

    from dangan.exchange import readers

    rows = [row(n, 题名=f"国标编码的题名{n}") for n in (1, 2)]
    path = write_csv(tmp_path / "c.csv", rows, encoding="gb18030")
    parser = parsing.RowParser({4: "title"}, [])
    setup = parsing.child_setup(path, "c.csv", parser, builder(world), False, "gb18030")
    monkeypatch.setattr(readers, "detect_encoding", lambda path: pytest.fail("decoded the whole file again"))
    out = io.BytesIO()
    parsing.serve(io.BytesIO(pickle.dumps(setup)), out)
    out.seek(0)
    kind, batch = pickle.load(out)
    assert kind == parsing.ROWS
    titles = [data["title"] for _number, _values, data, _problems in batch]
    assert titles == ["国标编码的题名1", "国标编码的题名2"]


def test_large_files_are_parsed_apart_and_small_ones_in_line(tmp_path):
    path = tmp_path / "c.xlsx"
    path.write_bytes(b"x" * 100)
    assert parsing.parse_apart(Table(HEADER, iter(()), "xlsx", total=50_000), path)
    assert parsing.parse_apart(Table(HEADER, iter(()), "xls", total=50_000), path)
    assert not parsing.parse_apart(Table(HEADER, iter(()), "xlsx", total=500), path)
    assert parsing.parse_apart(Table(HEADER, iter(()), "csv", total=5_000_000), path)
    assert not parsing.parse_apart(Table(HEADER, iter(()), "csv", total=5_000), path)
    # a workbook that does not state its rows is judged by its size
    assert not parsing.parse_apart(Table(HEADER, iter(()), "xlsx", total=None), path)
    path.write_bytes(b"x" * 3_000_000)
    assert parsing.parse_apart(Table(HEADER, iter(()), "xlsx", total=None), path)


def test_items_of_a_volume_are_built_by_the_child_from_the_volumes_handed_to_it(
    world, as_archivist, tmp_path, parse_apart
):
    from dangan.exchange.importer import import_catalogue
    from dangan.testing import make_volume

    volume = make_volume(world.fonds_a)
    header = ["序号", "案卷档号", "题名", "责任者", "日期", "页数"]
    rows = [
        {"序号": n, "案卷档号": volume.reference_code, "题名": f"施工图第{n}册", "责任者": "设计院",
         "日期": "20220301", "页数": 5}
        for n in (1, 2, 3)
    ]
    rows[2]["案卷档号"] = volume.reference_code + "9"  # no such volume
    path = write_csv(tmp_path / "v.csv", rows, header=header)
    outcome = import_catalogue(path, fonds=world.fonds_a, category=volume.category, user=world.archivist_a)
    assert [(e[0], e[1]) for e in outcome.errors] == [(4, "案卷档号")]
    rows.pop()
    outcome = import_catalogue(
        write_csv(tmp_path / "w.csv", rows, header=header),
        fonds=world.fonds_a, category=volume.category, user=world.archivist_a,
    )
    assert outcome.ok, outcome.errors
    assert sorted(volume.items.values_list("reference_code", flat=True)) == [
        f"{volume.reference_code}-001",
        f"{volume.reference_code}-002",
    ]


def test_the_child_sends_an_items_defaults_as_plain_values(world):
    # An enum member (ControlStatus.CONTROLLED) would pickle, for every row, as a call to its class.
    data = {"title": "关于经费的请示", "year": 2023, "retention": world.retention}
    item, problems = builder(world).build(data)
    assert problems == []
    values = builder(world).values_of(item)
    assert {type(value) for value in values if isinstance(value, str)} == {str}
    assert (item.control, item.status) == ("controlled", "filed")


def test_rows_with_the_same_text_in_a_repeating_column_share_one_cleaned_value():
    parser = parsing.RowParser({0: "title", 1: "date", 2: "creator"}, [])
    first = parser.parse(1, ("关于经费的请示", "2023.5.1", "区政府办公室 "))[2]
    second = parser.parse(2, ("关于经费的请示", "2023.5.1", "区政府办公室 "))[2]
    assert first == second
    assert first == {"title": "关于经费的请示", "date": datetime.date(2023, 5, 1), "creator": "区政府办公室"}
    assert first["date"] is second["date"] and first["creator"] is second["creator"]
    sent = pickle.loads(pickle.dumps([first, second], protocol=pickle.HIGHEST_PROTOCOL))
    assert sent[0]["date"] is sent[1]["date"]  # pickled once, then as a reference


def test_a_bad_value_in_a_repeating_column_is_reported_on_every_row_it_is_in():
    parser = parsing.RowParser({0: "title", 1: "date"}, [])
    for number in (1, 2):
        _number, _values, data, problems = parser.parse(number, ("关于经费的请示", "2023-02-30"))
        assert data is None
        assert [(target, value) for target, value, _reason in problems] == [("date", "2023-02-30")]


def test_an_import_tells_the_search_index_how_many_rows_it_brings(world, as_archivist, tmp_path, monkeypatch):
    """So that a large import's search indexer starts with it, not after its first 20,000 items."""
    from dangan.exchange import importer
    from dangan.search import indexing

    told = []

    def bulk_indexing(expected=0):
        told.append(expected)
        return indexing.bulk_indexing(expected)

    monkeypatch.setattr(importer, "bulk_indexing", bulk_indexing)
    path = write_csv(tmp_path / "c.csv", [row(n) for n in range(1, 31)])
    assert do_import(world, path).created == 30
    assert told == [30]
