"""Printed forms of DA/T 22-2015 as A4 PDFs with an embedded Chinese font.

归档文件目录 (item catalogue), 案卷目录 (volume catalogue), 卷内文件目录 (items of one volume),
box spine labels (盒脊) and the box record form (备考表). The font is a real TrueType font embedded as a
subset (reportlab's built-in STSong-Light is only a name the reader must supply, so it is not used here).
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from dangan.lib.fonts import PDF_FONT_NAME, register_pdf_font
from dangan.lib.pdf import a4_pdf


def _styles():
    font = register_pdf_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=24, alignment=TA_CENTER),
        "sub": ParagraphStyle("sub", fontName=font, fontSize=10, leading=14, alignment=TA_CENTER),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=9, leading=12, wordWrap="CJK"),
        "head": ParagraphStyle("head", fontName=font, fontSize=9.5, leading=12, alignment=TA_CENTER),
    }


def date8(value) -> str:
    """Dates in catalogues are 8 digits (DA/T 22-2015: 20150101)."""
    return value.strftime("%Y%m%d") if value else ""


def _table(header: list[str], rows: list[list], widths: list[float], styles) -> Table:
    data = [[Paragraph(h, styles["head"]) for h in header]]
    for row in rows:
        data.append([Paragraph(_escape(str(v)), styles["cell"]) if v not in (None, "") else "" for v in row])
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("FONTNAME", (0, 0), (-1, -1), PDF_FONT_NAME),
            ]
        )
    )
    return table


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _document(title: str, subtitle: str, table: Table, *, landscape: bool = False) -> bytes:
    styles = _styles()
    return a4_pdf(
        [Paragraph(title, styles["title"]), Paragraph(subtitle, styles["sub"]), Spacer(1, 5 * mm), table],
        title=title,
        footer=lambda n: _("第 %(n)d 页") % {"n": n},
        landscape=landscape,
    )


def item_catalogue(items: Iterable, heading: str = "") -> bytes:
    """归档文件目录: 序号, 档号, 文号, 责任者, 题名, 日期, 页数, 备注 (A4 landscape, as DA/T 22 allows)."""
    styles = _styles()
    rows = [
        [n, i.reference_code, i.document_number, i.creator, i.title, date8(i.date), i.pages or "", i.remarks]
        for n, i in enumerate(items, start=1)
    ]
    widths = [w * mm for w in (12, 52, 36, 36, 85, 20, 12, 14)]
    header = [_("序号"), _("档号"), _("文号"), _("责任者"), _("题名"), _("日期"), _("页数"), _("备注")]
    return _document(_("归档文件目录"), heading, _table(header, rows, widths, styles), landscape=True)


def volume_catalogue(volumes: Iterable, heading: str = "") -> bytes:
    """案卷目录: 序号, 档号, 案卷题名, 起止日期, 页数, 保管期限, 备注."""
    styles = _styles()
    rows = [
        [
            n,
            v.reference_code,
            v.title,
            f"{date8(v.start_date)}—{date8(v.end_date)}".strip("—"),
            v.pages or "",
            v.retention.name,
            v.remarks,
        ]
        for n, v in enumerate(volumes, start=1)
    ]
    widths = [w * mm for w in (12, 45, 60, 26, 12, 14, 11)]
    header = [_("序号"), _("档号"), _("案卷题名"), _("起止日期"), _("页数"), _("保管期限"), _("备注")]
    return _document(_("案卷目录"), heading, _table(header, rows, widths, styles))


def volume_contents(volume, items: Iterable) -> bytes:
    """卷内文件目录 of one volume: 序号, 文号, 责任者, 题名, 日期, 页数, 备注."""
    styles = _styles()
    rows = [
        [n, i.document_number, i.creator, i.title, date8(i.date), i.pages or "", i.remarks]
        for n, i in enumerate(items, start=1)
    ]
    widths = [w * mm for w in (11, 30, 30, 62, 20, 12, 15)]
    header = [_("序号"), _("文号"), _("责任者"), _("题名"), _("日期"), _("页数"), _("备注")]
    heading = _("案卷档号：%(code)s　案卷题名：%(title)s") % {
        "code": volume.reference_code,
        "title": volume.title,
    }
    return _document(_("卷内文件目录"), _escape(heading), _table(header, rows, widths, styles))


@dataclass
class Box:
    """One archive box (档案盒) of items of one class, numbered in the order they were filed."""

    fonds: str
    year: int
    retention: str
    org: str
    first: int
    last: int
    number: int
    count: int


def boxes(items: Iterable, per_box: int = 50) -> list[Box]:
    """Items (in reference-code order) into boxes: a box holds one class only, at most ``per_box`` items."""
    out: list[Box] = []
    current_class, box = None, None
    number = 0
    for item in items:
        item_class = (item.fonds.number, item.year, item.retention.name, item.org_code)
        if item_class != current_class or box.count >= per_box:
            number += 1
            box = Box(*item_class, first=item.number, last=item.number, number=number, count=0)
            out.append(box)
            current_class = item_class
        box.last = item.number
        box.count += 1
    return out


SPINE_WIDTH = 40 * mm  # DA/T 22 boxes are 20, 30, 40, 50 or 60 mm deep; 40 mm is the common one
SPINE_HEIGHT = 220 * mm


def box_spines(box_list: list[Box]) -> bytes:
    """盒脊: 全宗号, 年度, 保管期限, 起止件号, 盒号, one strip per box, side by side on A4 (portrait, so a
    strip as tall as the box fits)."""
    register_pdf_font()
    buffer = io.BytesIO()
    page_w, page_h = A4
    pdf = pdfcanvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(_("盒脊"))
    per_page = int((page_w - 20 * mm) // (SPINE_WIDTH + 5 * mm))
    for index, box in enumerate(box_list):
        if index and index % per_page == 0:
            pdf.showPage()
        x = 10 * mm + (index % per_page) * (SPINE_WIDTH + 5 * mm)
        y = (page_h - SPINE_HEIGHT) / 2
        _draw_spine(pdf, box, x, y)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_spine(pdf, box: Box, x: float, y: float) -> None:
    pdf.rect(x, y, SPINE_WIDTH, SPINE_HEIGHT)
    fields = [
        (_("全宗号"), box.fonds),
        (_("年度"), str(box.year)),
        (_("保管期限"), box.retention),
        (_("起止件号"), f"{box.first:04d}\n—\n{box.last:04d}"),
        (_("盒号"), str(box.number)),
    ]
    row_h = SPINE_HEIGHT / len(fields)
    for n, (label, value) in enumerate(fields):
        top = y + SPINE_HEIGHT - n * row_h
        if n:
            pdf.line(x, top, x + SPINE_WIDTH, top)
        pdf.setFont(PDF_FONT_NAME, 10)
        pdf.drawCentredString(x + SPINE_WIDTH / 2, top - 9 * mm, label)
        pdf.setFont(PDF_FONT_NAME, 14)
        lines = value.split("\n")
        for k, line in enumerate(lines):
            pdf.drawCentredString(
                x + SPINE_WIDTH / 2, top - row_h / 2 - 2 * mm - (k - (len(lines) - 1) / 2) * 6 * mm, line
            )


def box_records(box_list: list[Box], arranged_by: str = "", checked_by: str = "", date: str = "") -> bytes:
    """备考表, one page per box: the box's contents, who arranged and who checked it, and when."""
    styles = _styles()
    buffer = io.BytesIO()
    pdf = pdfcanvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(_("备考表"))
    width, height = A4
    for box in box_list:
        left, right, top = 25 * mm, width - 25 * mm, height - 30 * mm
        pdf.setFont(PDF_FONT_NAME, 20)
        pdf.drawCentredString(width / 2, top, _("备考表"))
        pdf.rect(left, 40 * mm, right - left, top - 50 * mm)
        pdf.setFont(PDF_FONT_NAME, 12)
        pdf.drawString(left + 6 * mm, top - 20 * mm, _("盒内文件情况说明："))
        note = Paragraph(
            _escape(
                _(
                    "本盒为全宗 %(fonds)s %(year)d 年度%(retention)s档案，件号 %(first)04d 至 "
                    "%(last)04d，共 %(count)d 件。"
                )
                % {
                    "fonds": box.fonds,
                    "year": box.year,
                    "retention": box.retention,
                    "first": box.first,
                    "last": box.last,
                    "count": box.count,
                }
            ),
            ParagraphStyle("note", parent=styles["cell"], fontSize=12, leading=20, firstLineIndent=24),
        )
        _w, h = note.wrap(right - left - 20 * mm, 100 * mm)
        note.drawOn(pdf, left + 10 * mm, top - 30 * mm - h)
        for k, (label, value) in enumerate(
            ((_("整理人："), arranged_by), (_("检查人："), checked_by), (_("日期："), date))
        ):
            pdf.drawString(right - 75 * mm, 80 * mm - k * 12 * mm, f"{label}{value}")
        pdf.setFont(PDF_FONT_NAME, 10)
        pdf.drawString(left, 32 * mm, _("盒号：%(n)d") % {"n": box.number})
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
