"""Check reports as spreadsheets (the web pages render the same rows)."""

import io

from django.utils.translation import gettext as _

HEADERS = ["档号", "文件", "编号", "检测项目", "性质", "结果", "说明", "时间"]


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
