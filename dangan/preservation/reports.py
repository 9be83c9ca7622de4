"""Four-property check reports (四性检测报告) as spreadsheets and as A4 PDFs (the web pages render the same
rows). The PDF embeds the one CJK TrueType font that printed catalogues use (``exchange.printing``)."""

import io
from collections import Counter

from django.utils import timezone
from django.utils.translation import gettext as _

from dangan.preservation.choices import Outcome
from dangan.preservation.models import CheckResult

HEADERS = ["档号", "文件", "编号", "检测项目", "性质", "结果", "说明", "时间"]
OUTCOMES = (Outcome.SUCCESS, Outcome.WARNING, Outcome.FAILURE, Outcome.SKIPPED)
# reportlab lays out about 1,000 result rows a CPU-second: past this many the PDF points to the spreadsheet.
MAX_PDF_ROWS = 5000


def result_rows(results) -> list[list]:
    rows = []
    for r in results:
        record = r.item or r.volume
        rows.append(
            [
                record.reference_code if record else "",
                r.file.original_name if r.file else _("（整件）"),
                r.check_item.code,
                r.check_item.name,
                r.check_item.get_property_display(),
                str(r.verdict),
                r.message,
                r.at.strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return rows


def xlsx(title: str, results, summary: list[tuple[str, object]] = ()) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("四性检测")
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in summary:
        sheet.append([label, value])
    sheet.append([])
    sheet.append(HEADERS)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in result_rows(results):
        sheet.append(row)
    for column, width in zip("ABCDEFGH", (28, 24, 6, 40, 8, 8, 50, 16), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def tally(results) -> list[list]:
    """Per check item: code, name, property and how many results passed, warned, failed, were not checked."""
    counts: dict = {}
    items = {}
    for r in results:
        items[r.check_item_id] = r.check_item
        counts.setdefault(r.check_item_id, Counter())[r.outcome] += 1
    rows = []
    for pk, check_item in sorted(items.items(), key=lambda pair: pair[1].code):
        rows.append(
            [check_item.code, check_item.name, check_item.get_property_display()]
            + [counts[pk][o] for o in OUTCOMES]
        )
    return rows


def pdf(
    title: str,
    results,
    summary: list[tuple[str, object]] = (),
    *,
    details_only_problems: bool = False,
    prepared_by: str = "",
) -> bytes:
    """A check report: a heading, the summary, a table per check item, then the results one by one (only
    warnings and failures for a batch, whose full list is in the spreadsheet); a signing block at the end.

    Raises ``dangan.lib.fonts.FontMissing`` when no embeddable CJK font is installed.
    """
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from dangan.lib.fonts import register_pdf_font
    from dangan.lib.pdf import a4_pdf

    font = register_pdf_font()
    results = list(results)
    style = {
        "title": ParagraphStyle("t", fontName=font, fontSize=18, leading=24, alignment=1),
        "h2": ParagraphStyle("h", fontName=font, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4),
        "text": ParagraphStyle("x", fontName=font, fontSize=10, leading=14),
        "cell": ParagraphStyle("c", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK"),
    }
    alarm = {Outcome.FAILURE: colors.HexColor("#fde8e8"), Outcome.WARNING: colors.HexColor("#fff4d6")}

    def cell(value):
        return Paragraph(_escape(str(value)), style["cell"]) if value not in (None, "") else ""

    def table(header, rows, widths, shade=()):
        data = [[cell(h) for h in header]] + [[cell(v) for v in row] for row in rows]
        commands = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("FONTNAME", (0, 0), (-1, -1), font),
        ]
        for index, outcome in enumerate(shade, start=1):
            if outcome in alarm:
                commands.append(("BACKGROUND", (0, index), (-1, index), alarm[outcome]))
        out = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
        out.setStyle(TableStyle(commands))
        return out

    verdicts = [str(CheckResult.VERDICTS[o]) for o in OUTCOMES]
    story = [Paragraph(_escape(title), style["title"]), Spacer(1, 4 * mm)]
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    lines = [*summary, (_("报告生成时间"), generated)]
    story.append(table([_("项目"), _("内容")], [[label, value] for label, value in lines], (45, 222)))
    story.append(Paragraph(_("按检测项目汇总"), style["h2"]))
    story.append(
        table(
            [_("编号"), _("检测项目"), _("性质"), *verdicts],
            tally(results),
            (14, 133, 20, 25, 25, 25, 25),
        )
    )
    shown = [r for r in results if r.outcome in alarm] if details_only_problems else results
    story.append(
        Paragraph(
            _("警告与不通过的检测项（完整结果见 Excel）") if details_only_problems else _("检测结果"),
            style["h2"],
        )
    )
    if shown:
        listed = shown[:MAX_PDF_ROWS]
        story.append(
            table(
                [_("档号"), _("文件"), _("编号"), _("检测项目"), _("结果"), _("说明")],
                [row[:4] + row[5:7] for row in result_rows(listed)],
                (45, 40, 12, 65, 15, 90),
                shade=[r.outcome for r in listed],
            )
        )
        if len(shown) > len(listed):
            story.append(
                Paragraph(
                    _("另有 %(n)d 条结果未列出，见 Excel 报告") % {"n": len(shown) - len(listed)},
                    style["text"],
                )
            )
    else:
        story.append(Paragraph(_("无"), style["text"]))
    story += [
        Spacer(1, 6 * mm),
        Paragraph(
            _("说明：电子签名项只检查签名是否覆盖整个文件，未验证签名值和证书链。"),
            style["text"],
        ),
        Spacer(1, 10 * mm),
        Paragraph(
            _("检测人：%(by)s　　　　审核人：＿＿＿＿＿＿　　　　日期：%(date)s")
            % {"by": _escape(prepared_by) or "＿＿＿＿＿＿", "date": generated[:10]},
            style["text"],
        ),
    ]

    return a4_pdf(
        story,
        title=title,
        footer=lambda n: _("%(title)s　第 %(n)d 页") % {"title": title, "n": n},
        landscape=True,
        top_mm=12,
        bottom_mm=15,
        footer_size=8,
        footer_mm=8,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
