"""The A4 page set-up shared by printed catalogues and check reports (``dangan.lib.pdf``)."""

import ast
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from dangan.lib import fonts
from dangan.lib.pdf import a4_pdf

A4 = (595.3, 841.9)
LEADING = 10


def lines_that_fit(page_height: float, top_mm: float, bottom_mm: float) -> int:
    """One-line paragraphs a page holds between its margins (less the frame's 6 pt padding top and bottom)."""
    return int((page_height - (top_mm + bottom_mm) * mm - 12) // LEADING)


def story(lines: int) -> list:
    style = ParagraphStyle("p", fontName=fonts.register_pdf_font(), fontSize=8, leading=LEADING)
    return [Paragraph(f"第{n}行文字", style) for n in range(1, lines + 1)]


def pages(data: bytes) -> list[dict]:
    """Each page's size; the text in its bottom 15 mm (the footer), its font sizes and its box (left,
    bottom, right, in points from the bottom left); where the body begins; how many story lines it holds."""
    pdf = pdfium.PdfDocument(data)
    try:
        out = []
        for page in pdf:
            width, height = page.get_size()
            text = page.get_textpage()
            boxes = [text.get_charbox(i) for i in range(text.count_chars())]
            foot_chars = [i for i, b in enumerate(boxes) if b[3] < 15 * mm and b[2] > b[0]]
            foot = [boxes[i] for i in foot_chars]
            body = [b for b in boxes if b[1] > 15 * mm and b[2] > b[0]]
            out.append(
                {
                    "size": (round(width, 1), round(height, 1)),
                    "footer": text.get_text_bounded(0, 0, width, 15 * mm).strip(),
                    "footer_box": (min(b[0] for b in foot), min(b[1] for b in foot), max(b[2] for b in foot)),
                    "footer_size": {pdfium_c.FPDFText_GetFontSize(text.raw, i) for i in foot_chars},
                    "body_left": min(b[0] for b in body),
                    "body_top": max(b[3] for b in body),
                    "lines": text.get_text_range().count("行文字"),
                }
            )
        return out
    finally:
        pdf.close()


def test_portrait_by_default_with_the_footer_on_every_page_and_the_font_embedded():
    data = a4_pdf(story(200), title="目录", footer=lambda n: f"第 {n} 页")
    laid_out = pages(data)
    assert len(laid_out) >= 2 and {p["size"] for p in laid_out} == {A4}
    for number, page in enumerate(laid_out, start=1):
        assert page["footer"] == f"第 {number} 页" and page["footer_size"] == {9}
        left, bottom, right = page["footer_box"]  # centred, 10 mm up
        assert bottom == pytest.approx(10 * mm, abs=2)
        assert (left + right) / 2 == pytest.approx(A4[0] / 2, abs=2)
        # The margins, and the 6 pt padding of reportlab's frame.
        assert page["body_left"] == pytest.approx(15 * mm + 6, abs=2)
        assert page["body_top"] == pytest.approx(A4[1] - 15 * mm - 6, abs=6)
    assert laid_out[0]["lines"] == lines_that_fit(841.89, 15, 18)
    assert b"/FontFile2" in data and re.search(rb"/BaseFont\s*/[A-Z]{6}\+WenQuanYi", data)
    document = pdfium.PdfDocument(data)
    try:
        assert document.get_metadata_dict()["Title"] == "目录"
        assert document.get_metadata_dict()["Author"] == "Dangan"
    finally:
        document.close()


def test_landscape_with_the_callers_margins_footer_size_and_no_helvetica():
    data = a4_pdf(
        story(120),
        title="报告",
        footer=lambda n: f"报告　第 {n} 页",
        landscape=True,
        top_mm=12,
        bottom_mm=15,
        footer_size=8,
        footer_mm=8,
    )
    laid_out = pages(data)
    assert {p["size"] for p in laid_out} == {A4[::-1]}
    assert [p["footer"] for p in laid_out] == [f"报告　第 {n} 页" for n in range(1, len(laid_out) + 1)]
    assert laid_out[0]["footer_size"] == {8}
    left, bottom, right = laid_out[0]["footer_box"]
    assert bottom == pytest.approx(8 * mm, abs=2) and (left + right) / 2 == pytest.approx(A4[1] / 2, abs=2)
    assert laid_out[0]["body_top"] == pytest.approx(A4[0] - 12 * mm - 6, abs=6)
    assert laid_out[0]["lines"] == lines_that_fit(595.28, 12, 15)
    assert b"Helvetica" not in data  # every font the file names is the embedded one


def test_without_an_embeddable_font_nothing_is_laid_out(monkeypatch):
    def missing():
        raise fonts.FontMissing("找不到可嵌入 PDF 的中文 TrueType 字体")

    monkeypatch.setattr(fonts, "register_pdf_font", missing)
    with pytest.raises(fonts.FontMissing):
        a4_pdf([], title="目录", footer=str)


def imported_modules(package: Path) -> set[str]:
    names = set()
    for source in package.rglob("*.py"):
        if "tests" in source.parts or "migrations" in source.parts:
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
    return names


def test_the_two_apps_that_print_share_the_helper_without_importing_each_other():
    root = Path(__file__).resolve().parents[2]
    preservation, exchange = imported_modules(root / "preservation"), imported_modules(root / "exchange")
    assert "dangan.lib.pdf" in preservation and "dangan.lib.pdf" in exchange
    assert not any(name.startswith("dangan.exchange") for name in preservation)
    assert not any(name.startswith("dangan.preservation") for name in exchange)
