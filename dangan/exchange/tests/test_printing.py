import datetime
import re

import pypdfium2 as pdfium
import pytest

from dangan.catalogue.models import Item
from dangan.exchange import printing
from dangan.lib.fonts import FontMissing, pdf_font_path
from dangan.testing import make_item, make_volume

A4_POINTS = (595.3, 841.9)


def page_sizes(data: bytes):
    pdf = pdfium.PdfDocument(data)
    try:
        return [tuple(round(v, 1) for v in pdf[i].get_size()) for i in range(len(pdf))]
    finally:
        pdf.close()


def page_text(data: bytes, index=0) -> str:
    pdf = pdfium.PdfDocument(data)
    try:
        return pdf[index].get_textpage().get_text_range()
    finally:
        pdf.close()


def assert_font_embedded(data: bytes):
    assert b"/FontFile2" in data  # the TrueType program itself is in the file
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+WenQuanYi", data)  # a subset, as PDF names embedded subsets


@pytest.fixture
def items(world):
    for n in range(1, 31):
        make_item(
            world.fonds_a,
            title=f"关于第{n}项工作的通知",
            document_number=f"区府发〔2023〕{n}号",
            date=datetime.date(2023, 5, n % 28 + 1),
            pages=n,
        )
    make_item(world.fonds_a, title="[关于档案工作的报告]", date=datetime.date(2023, 6, 1))
    return list(Item.objects.select_related("fonds", "retention").order_by("number"))


def test_the_item_catalogue_is_a4_with_its_columns_eight_digit_dates_and_an_embedded_font(items):
    data = printing.item_catalogue(items, "A001 城关镇")
    assert set(page_sizes(data)) == {A4_POINTS[::-1]}  # landscape A4
    assert_font_embedded(data)
    text = page_text(data)
    for column in ("序号", "档号", "文号", "责任者", "题名", "日期", "页数", "备注"):
        assert column in text
    assert "A001-WS·2023-Y-BGS-0001" in text and "20230502" in text
    assert b"Helvetica" not in data  # no font named that the file does not hold


def test_catalogue_pages_are_numbered_at_their_foot(items, world):
    data = printing.item_catalogue(items * 3, "A001 城关镇")
    count = len(page_sizes(data))
    assert count >= 2
    for n in range(count):
        assert page_text(data, n).rstrip().startswith(f"第 {n + 1} 页")  # drawn before the page's table
    portrait = printing.volume_catalogue([make_volume(world.fonds_a)], "A001")
    assert set(page_sizes(portrait)) == {A4_POINTS} and page_text(portrait).startswith("第 1 页")


def test_a_title_supplied_by_the_archivist_is_printed_in_square_brackets(items):
    data = printing.item_catalogue(items)
    text = "".join(page_text(data, i) for i in range(len(page_sizes(data))))
    assert "[关于档案工作的报告]" in text


def test_items_go_into_boxes_of_one_class_and_spines_show_the_five_fields(items):
    boxes = printing.boxes(items, per_box=20)
    assert [(b.first, b.last, b.number) for b in boxes] == [(1, 20, 1), (21, 31, 2)]
    data = printing.box_spines(boxes)
    assert set(page_sizes(data)) == {A4_POINTS}
    text = page_text(data)
    for field in ("全宗号", "年度", "保管期限", "起止件号", "盒号", "A001", "0021", "0031"):
        assert field in text
    assert_font_embedded(data)


def test_the_box_record_form_has_one_page_per_box_with_who_arranged_and_checked_it(items):
    data = printing.box_records(printing.boxes(items, per_box=20), "张三", "李四", "2024-01-05")
    assert len(page_sizes(data)) == 2
    text = page_text(data)
    assert "备考表" in text and "张三" in text and "李四" in text and "0001" in text


def test_volume_catalogue_and_volume_contents(world):
    volume = make_volume(world.fonds_a)
    make_item(world.fonds_a, volume=volume, category=volume.category, title="施工图设计说明")
    catalogue = printing.volume_catalogue([volume], "A001")
    assert "案卷目录" in page_text(catalogue) and volume.reference_code in page_text(catalogue)
    contents = printing.volume_contents(volume, volume.items.all())
    assert "卷内文件目录" in page_text(contents) and "施工图设计说明" in page_text(contents)


def test_a_missing_font_is_a_clear_error(settings, tmp_path):
    settings.DANGAN_CJK_FONT = str(tmp_path / "none.ttf")
    with pytest.raises(FontMissing, match="fonts-wqy-zenhei"):
        pdf_font_path()
