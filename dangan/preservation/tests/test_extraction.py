import pytest

from dangan.preservation.choices import TextStatus
from dangan.preservation.extraction import extract_pending
from dangan.preservation.tests import samples
from dangan.preservation.tests.helpers import add_file, run_jobs
from dangan.testing import make_item


@pytest.fixture
def item(world):
    return make_item(world.fonds_a)


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("a.pdf", samples.pdf("Budget report"), "Budget report 1"),
        ("b.docx", samples.docx("会议纪要 第一次会议"), "会议纪要 第一次会议"),
        ("c.xlsx", samples.xlsx(), "财务报表"),
        ("d.ofd", samples.ofd("电子公文正文"), "电子公文正文 2"),
        ("e.txt", "通知：放假安排".encode("gb18030"), "通知：放假安排"),
    ],
    ids=["pdf", "docx", "xlsx", "ofd", "gb18030-text"],
)
def test_text_is_extracted_into_the_items_full_text(item, name, data, expected):
    f = add_file(item, data, name)
    run_jobs("preservation.extract_text")
    f.refresh_from_db()
    item.refresh_from_db()
    assert f.text_status == TextStatus.DONE, f.events.last().detail
    assert f.text_status == TextStatus.DONE and expected in f.text
    assert expected in item.full_text


def test_the_full_text_joins_all_files_of_the_item(item):
    add_file(item, samples.pdf("First file"), "1.pdf")
    add_file(item, samples.docx("第二个文件"), "2.docx")
    extract_pending()
    item.refresh_from_db()
    assert "First file" in item.full_text and "第二个文件" in item.full_text


def test_a_zip_bomb_is_refused_and_recorded_without_expanding_it(item, settings):
    settings.DANGAN_ZIP_MAX_BYTES = 8 * 1024 * 1024
    f = add_file(item, samples.zip_bomb(64 * 1024 * 1024), "bomb.docx")
    assert f.characterisation.get("opens") is False and "压缩炸弹" in f.characterisation["error"]
    extract_pending()
    f.refresh_from_db()
    assert f.text_status == TextStatus.FAILED
    assert "压缩炸弹" in f.events.get(event_type="text extraction").detail


def test_a_zip_with_a_path_outside_it_is_unsafe(item):
    f = add_file(item, samples.zip_slip(), "x.ofd")
    assert f.mime != "application/ofd" or f.characterisation.get("unsafe")


def test_a_broken_file_fails_its_extraction_without_stopping_the_others(item):
    bad = add_file(item, samples.pdf()[:200], "bad.pdf")
    good = add_file(item, samples.docx("好的"), "good.docx")
    extract_pending()
    bad.refresh_from_db()
    good.refresh_from_db()
    assert good.text_status == TextStatus.DONE
    assert bad.text_status in (TextStatus.DONE, TextStatus.FAILED)


def test_a_scanned_image_is_read_by_ocr_offline(item):
    f = add_file(item, samples.image(600, 160, dpi=300, text="Archive 2023"), "scan.png")
    run_jobs("preservation.extract_text")
    f.refresh_from_db()
    assert "Archive" in f.text and "2023" in f.text
    assert "ocr" in f.events.get(event_type="text extraction").detail


def test_an_image_only_pdf_is_read_by_ocr_page_by_page(item):
    f = add_file(item, samples.image_only_pdf("Scanned 2023", pages=2), "scan.pdf")
    extract_pending()
    f.refresh_from_db()
    assert f.text.count("Scanned") == 2 and "2023" in f.text
    assert "ocr" in f.events.get(event_type="text extraction").detail
