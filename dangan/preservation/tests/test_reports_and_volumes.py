"""Four-property check reports as PDF, and the files panel of a volume (案卷) page, for every persona."""

import io

import pypdfium2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangan.preservation import formats
from dangan.preservation.checks import run_checks
from dangan.preservation.models import CheckResult, CheckRun, DigitalFile
from dangan.preservation.tests import samples
from dangan.preservation.tests.helpers import add_file
from dangan.testing import make_item, make_volume


@pytest.fixture
def item(world):
    return make_item(world.fonds_a)


@pytest.fixture
def volume(world):
    return make_volume(world.fonds_a)


def pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def test_the_item_report_as_pdf_lists_every_result_with_an_embedded_chinese_font(
    item, world, client_for, tmp_path
):
    add_file(item, samples.pdf(), "正文.pdf")
    run_checks(DigitalFile.objects.all())
    response = client_for(world.archivist_a).get(
        reverse("preservation:item_report", args=[item.pk]) + "?format=pdf"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"checks-item-{item.pk}.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "四性检测报告" in text and item.reference_code in text
    assert "3-5" in text and "未嵌入字体" in text and "1-1" in text
    (tmp_path / "report.pdf").write_bytes(response.content)
    assert formats.characterise_pdf(str(tmp_path / "report.pdf"))["fonts_not_embedded"] == []


def test_the_pdf_report_is_landscape_a4_with_its_title_and_page_number_at_the_foot(item, world, client_for):
    add_file(item, samples.pdf(), "正文.pdf")
    run_checks(DigitalFile.objects.all())
    url = reverse("preservation:item_report", args=[item.pk]) + "?format=pdf"
    content = client_for(world.archivist_a).get(url).content
    pdf = pypdfium2.PdfDocument(content)
    try:
        page = pdf[0]
        assert tuple(round(v, 1) for v in page.get_size()) == (841.9, 595.3)
        footer = page.get_textpage().get_text_bounded(0, 0, page.get_width(), 12 * 72 / 25.4).strip()
    finally:
        pdf.close()
    assert footer.startswith("四性检测报告") and footer.endswith("第 1 页")
    assert b"Helvetica" not in content


@pytest.mark.parametrize("persona, expected", [("archivist_a", 200), ("archivist_b", 404), (None, 302)])
def test_the_pdf_item_report_follows_the_item(item, world, client_for, persona, expected):
    add_file(item, samples.pdf(), "正文.pdf")
    run_checks(DigitalFile.objects.all())
    client = client_for(getattr(world, persona) if persona else None)
    url = reverse("preservation:item_report", args=[item.pk]) + "?format=pdf"
    assert client.get(url).status_code == expected


def test_the_batch_report_as_pdf_sums_up_by_check_item_and_lists_the_problems(item, world, client_for):
    add_file(item, samples.pdf(), "正文.pdf")
    add_file(item, samples.pdf(javascript=True), "脚本.pdf")
    run = run_checks(DigitalFile.objects.all(), title="2024 年移交")
    response = client_for(world.staff).get(reverse("preservation:run", args=[run.pk]) + "?format=pdf")
    text = pdf_text(response.content)
    assert "2024 年移交" in text and "按检测项目汇总" in text and "警告与不通过" in text
    assert "4-1" in text and "含可执行内容" in text
    assert "存储键与" not in text  # passing results are in the spreadsheet, not the batch PDF


@pytest.mark.parametrize("persona, expected", [("staff", 200), ("archivist_a", 404), ("reader", 404)])
def test_the_pdf_batch_report_is_for_the_bureau(item, world, client_for, persona, expected):
    add_file(item, samples.pdf(), "正文.pdf")
    run = run_checks(DigitalFile.objects.all())
    url = reverse("preservation:run", args=[run.pk]) + "?format=pdf"
    assert client_for(getattr(world, persona)).get(url).status_code == expected


def test_without_an_embeddable_font_the_pdf_report_says_what_to_install(item, world, client_for, monkeypatch):
    from dangan.lib import fonts

    def missing():
        raise fonts.FontMissing("找不到可嵌入 PDF 的中文 TrueType 字体")

    monkeypatch.setattr(fonts, "register_pdf_font", missing)
    response = client_for(world.archivist_a).get(
        reverse("preservation:item_report", args=[item.pk]) + "?format=pdf"
    )
    assert response.status_code == 503 and "TrueType" in response.content.decode()


# The volume page -------------------------------------------------------------------------------------------


def test_the_volume_page_shows_its_files_and_an_upload_form_to_who_may_change_it(volume, world, client_for):
    add_file(volume, samples.pdf(), "卷内目录.pdf")
    page = client_for(world.archivist_a).get(volume.get_absolute_url()).content.decode()
    assert "卷内目录.pdf" in page and 'id="upload-form"' in page
    assert reverse("preservation:volume_upload", args=[volume.pk]) in page
    assert reverse("preservation:volume_report", args=[volume.pk]) in page
    staff_page = client_for(world.staff).get(volume.get_absolute_url()).content.decode()
    assert "卷内目录.pdf" in staff_page


@pytest.mark.parametrize(
    "persona, expected",
    [("archivist_a", 200), ("staff", 200), ("archivist_b", 404), ("reader", 404), (None, 302)],
)
def test_uploading_files_to_a_volume_is_for_who_may_change_it(volume, world, client_for, persona, expected):
    response = client_for(getattr(world, persona) if persona else None).post(
        reverse("preservation:volume_upload", args=[volume.pk]),
        {"files": [SimpleUploadedFile("封面.txt", b"cover"), SimpleUploadedFile("备考表.txt", b"notes")]},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == expected
    assert DigitalFile.objects.filter(volume=volume).count() == (2 if expected == 200 else 0)


def test_checking_a_volume_now_writes_its_report(volume, world, client_for):
    add_file(volume, samples.pdf(), "卷内目录.pdf")
    client = client_for(world.archivist_a)
    response = client.post(reverse("preservation:check_volume", args=[volume.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("preservation:volume_report", args=[volume.pk])
    assert CheckRun.objects.get().files == 1
    page = client.get(response["Location"]).content.decode()
    assert volume.reference_code in page and "2-1" in page and "卷内目录.pdf" in page
    xlsx = client.get(response["Location"] + "?format=xlsx")
    assert xlsx.content[:2] == b"PK"
    assert client.get(response["Location"] + "?format=pdf").content[:5] == b"%PDF-"


@pytest.mark.parametrize("persona, expected", [("archivist_a", 200), ("archivist_b", 404)])
def test_a_volume_report_follows_the_volume(volume, world, client_for, persona, expected):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("preservation:volume_report", args=[volume.pk])).status_code == expected
    check = client.post(reverse("preservation:check_volume", args=[volume.pk]))
    assert check.status_code == (302 if expected == 200 else 404)


def test_pdf_reports_stream_no_bigger_than_needed(item, world, client_for):
    add_file(item, samples.pdf(), "正文.pdf")
    run_checks(DigitalFile.objects.all())
    response = client_for(world.archivist_a).get(
        reverse("preservation:item_report", args=[item.pk]) + "?format=pdf"
    )
    assert len(io.BytesIO(response.content).getvalue()) < 2_000_000  # a font subset, not the whole font


def test_a_pdf_report_longer_than_the_limit_points_to_the_spreadsheet(item, world, client_for, monkeypatch):
    from dangan.preservation import reports

    monkeypatch.setattr(reports, "MAX_PDF_ROWS", 3)
    add_file(item, samples.pdf(), "正文.pdf")
    run_checks(DigitalFile.objects.all())
    url = reverse("preservation:item_report", args=[item.pk]) + "?format=pdf"
    text = pdf_text(client_for(world.archivist_a).get(url).content)
    assert f"另有 {CheckResult.objects.count() - 3} 条结果未列出" in text
