import datetime

import openpyxl
import pytest

from dangan.catalogue.models import CategoryField, Item
from dangan.exchange import exports
from dangan.exchange.importer import import_catalogue
from dangan.testing import make_item

FIELDS = [
    "reference_code",
    "year",
    "retention_id",
    "org_code",
    "number",
    "document_number",
    "creator",
    "title",
    "date",
    "pages",
    "security_level",
    "control",
    "remarks",
    "extra",
]


def stored():
    return {i.reference_code: {f: getattr(i, f) for f in FIELDS} for i in Item.objects.all()}


@pytest.fixture
def catalogue(world):
    CategoryField.objects.create(category=world.category, key="handler", label="经办人")
    make_item(
        world.fonds_a,
        title="关于“十四五”规划的通知，（征求意见稿）",
        document_number="区府发〔2023〕1号",
        date=datetime.date(2023, 5, 1),
        pages=12,
        remarks="原件",
        extra={"handler": "王五"},
    )
    make_item(
        world.fonds_a,
        title="[关于档案工作的报告]",
        document_number="=SUM(A1)",
        date=None,
        pages=None,
        security_level="internal",
        control="controlled",
    )
    make_item(world.fonds_b, title="另一个全宗的文件")
    return world


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_imports_back_without_loss_or_change(catalogue, tmp_path, kind):
    before = stored()
    header, rows = exports.export_items(Item.objects.filter(fonds=catalogue.fonds_a))
    path = tmp_path / f"export.{kind}"
    (exports.write_xlsx if kind == "xlsx" else exports.write_csv)(header, rows, path)
    outcome = import_catalogue(
        path, fonds=catalogue.fonds_a, category=catalogue.category, user=catalogue.staff
    )
    assert outcome.ok, outcome.errors
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 2)
    assert stored() == before


def test_an_export_into_an_empty_catalogue_recreates_the_same_records(catalogue, tmp_path):
    header, rows = exports.export_items(Item.objects.filter(fonds=catalogue.fonds_a))
    path = tmp_path / "export.csv"
    exports.write_csv(header, rows, path)
    before = {code: values for code, values in stored().items() if code.startswith("A001")}
    Item.objects.filter(fonds=catalogue.fonds_a).delete()
    outcome = import_catalogue(
        path, fonds=catalogue.fonds_a, category=catalogue.category, user=catalogue.staff
    )
    assert outcome.created == 2
    after = {code: values for code, values in stored().items() if code.startswith("A001")}
    assert after == before


def test_csv_export_starts_with_a_bom_so_excel_reads_it_as_utf8(catalogue):
    header, rows = exports.export_items(Item.objects.all())
    data = b"".join(exports.csv_chunks(header, rows))
    assert data.startswith("\ufeff序号,全宗号,档号".encode())


def test_xlsx_export_keeps_text_that_looks_like_a_formula_as_text(catalogue, tmp_path):
    header, rows = exports.export_items(Item.objects.filter(fonds=catalogue.fonds_a))
    exports.write_xlsx(header, rows, tmp_path / "e.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "e.xlsx").active
    values = [c.value for c in sheet["H"]]
    assert "=SUM(A1)" in values and sheet["H"][1].data_type == "s"


def test_the_export_follows_the_list_filters_and_the_users_restriction(catalogue):
    mine = exports.items_for_export(catalogue.archivist_a, {})
    assert {i.fonds_id for i in mine} == {catalogue.fonds_a.pk}
    filtered = exports.items_for_export(catalogue.staff, {"q": "另一个"})
    assert [i.title for i in filtered] == ["另一个全宗的文件"]
