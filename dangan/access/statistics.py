"""Utilisation statistics: 人次 (one reader on one day counts once), 件次 and 卷次, copied pages, 档案证明.

A use is an item of a granted request, dated by the day it was granted. Items inside a volume count as
卷次 of their volume (once per request), loose items as 件次. A certificate counts once (份) on the day it
was issued, unless it was revoked.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from dangan.access.choices import Mode, RequestStatus
from dangan.access.models import Certificate, Purpose, RequestItem

DIMENSIONS = ("month", "unit", "category", "purpose", "mode")


@dataclass
class Row:
    label: str
    visitors: set = field(default_factory=set)  # (reader, day)
    items: int = 0
    volumes: set = field(default_factory=set)  # (request, volume)
    pages: int = 0
    certificates: int = 0

    @property
    def person_times(self) -> int:
        return len(self.visitors)

    @property
    def volume_times(self) -> int:
        return len(self.volumes)


@dataclass
class Report:
    start: datetime.date
    end: datetime.date  # exclusive
    total: Row
    by: dict[str, list[Row]]


def _counted_by(user, rows):
    """What ``user`` may count: bureau staff every unit's, an archivist their own units'."""
    if user.is_bureau:
        return rows
    if user.is_archivist:
        scope = user.scope_unit_ids
        return rows.filter(Q(item__fonds__unit_id__in=scope) | Q(item__fonds__custodian_id__in=scope))
    return rows.none()


def uses(user, start: datetime.date, end: datetime.date):
    rows = RequestItem.objects.filter(
        request__status=RequestStatus.GRANTED,
        request__decided_at__date__gte=start,
        request__decided_at__date__lt=end,
    )
    return _counted_by(user, rows)


def issued_certificates(user, start: datetime.date, end: datetime.date):
    rows = Certificate.objects.filter(revoked=False, issued_at__date__gte=start, issued_at__date__lt=end)
    return _counted_by(user, rows)


def report(user, start: datetime.date, end: datetime.date) -> Report:
    total = Row("合计")
    groups: dict[str, dict[str, Row]] = {name: {} for name in DIMENSIONS}
    modes = dict(Mode.choices)
    values = uses(user, start, end).values_list(
        "request_id",
        "request__requester_id",
        "request__decided_at",
        "request__purpose__name",
        "request__mode",
        "item__fonds__unit__name",
        "item__category__name",
        "item__volume_id",
        "pages",
    )

    def rows_for(at, unit, category, purpose, mode):
        day = timezone.localtime(at).date()
        keys = {
            "month": f"{day.year}-{day.month:02d}",
            "unit": unit,
            "category": category,
            "purpose": purpose,
            "mode": str(modes.get(mode, mode)),
        }
        return day, [total] + [groups[name].setdefault(key, Row(key)) for name, key in keys.items()]

    for request_id, reader, at, purpose, mode, unit, category, volume, pages in values:
        day, rows = rows_for(at, unit, category, purpose, mode)
        for row in rows:
            row.visitors.add((reader, day))
            if volume:
                row.volumes.add((request_id, volume))
            else:
                row.items += 1
            row.pages += pages
    issued = issued_certificates(user, start, end).values_list(
        "issued_at",
        "item__fonds__unit__name",
        "item__category__name",
        "request__purpose__name",
        "request__mode",
    )
    for at, unit, category, purpose, mode in issued:
        for row in rows_for(at, unit, category, purpose, mode)[1]:
            row.certificates += 1
    by = {name: sorted(rows.values(), key=lambda r: r.label) for name, rows in groups.items()}
    by["purpose"] = _in_order(by["purpose"], list(Purpose.objects.values_list("name", flat=True)))
    by["mode"] = _in_order(by["mode"], [str(label) for label in modes.values()])
    by["month"] = _in_order(by["month"], _months(start, end))
    return Report(start, end, total, by)


def _months(start: datetime.date, end: datetime.date) -> list[str]:
    """Every month of the period (up to five years), so a chart shows quiet months as zero."""
    months, year, month = [], start.year, start.month
    while datetime.date(year, month, 1) < end and len(months) < 60:
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _in_order(rows: list[Row], names: list[str]) -> list[Row]:
    """Every configured value, in its configured order, zeros included: the annual report lists them all."""
    found = {row.label: row for row in rows}
    ordered = [found.pop(name, Row(name)) for name in names]
    return ordered + list(found.values())


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


def bar_chart(rows: list[Row], measure: str = "person_times", width: int = 640, bar_height: int = 22) -> str:
    """A horizontal bar chart as inline SVG (no script, no CDN). Labels are escaped."""
    from django.utils.html import escape

    values = [getattr(row, measure) for row in rows]
    top = max(values, default=0) or 1
    label_width, height = 140, bar_height * max(len(rows), 1) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" preserveAspectRatio="xMinYMin meet">'
    ]
    for index, (row, value) in enumerate(zip(rows, values, strict=True)):
        y = index * bar_height + 5
        length = (width - label_width - 60) * value / top
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.65:.0f}" text-anchor="end" '
            f'font-size="13">{escape(row.label[:12])}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{bar_height - 6}" '
            f'fill="#3b6ea5"></rect>'
        )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar_height * 0.65:.0f}" '
            f'font-size="13">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# The annual report's utilisation figures, as the statistical yearbooks built from it print them
# (利用人次（人次）, 利用档案（卷次）, 复制档案资料（页）), with 件次 beside 卷次 and the certificates issued.
# 利用资料（册次）— reference books lent — is not something Dangan records, so it is left out.
ANNUAL_COLUMNS = (
    "利用人次（人次）",
    "利用档案（卷次）",
    "利用档案（件次）",
    "复制档案（页）",
    "出具档案证明（份）",
)
ANNUAL_NOTE = (
    "说明：按批准的利用申请统计，以批准日期计入年度；同一利用者同一天计一人次；卷内文件每次申请按所在案卷计一卷次，"
    "单份归档的文件计件次；档案证明按出具日期计份数，已作废的不计。"
)


def annual_values(row: Row) -> list[int]:
    return [row.person_times, row.volume_times, row.items, row.pages, row.certificates]


def annual_workbook(user, year: int, unit_name: str = "") -> bytes:
    """The year's figures as an xlsx in the layout of the annual report's utilisation block: a title, the
    reporting unit and period, then 合计 and rows by purpose and by mode (``ANNUAL_COLUMNS``); further sheets
    by unit, category and month."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    data = report(user, *year_bounds(year))
    book = Workbook()
    sheet = book.active
    sheet.title = "档案利用"
    last = chr(ord("A") + len(ANNUAL_COLUMNS))
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"] = f"{year}年度档案利用情况统计表"
    sheet["A1"].font = Font(size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet["A2"] = f"填报单位：{unit_name}"
    sheet["D2"] = f"统计期：{year}年1月1日—{year}年12月31日"
    header = ["项目", *ANNUAL_COLUMNS]
    sheet.append(header)
    thin = Side(style="thin")
    rows = [("合计", data.total)]
    rows += [(f"按利用目的：{row.label}", row) for row in data.by["purpose"]]
    rows += [(f"按利用方式：{row.label}", row) for row in data.by["mode"]]
    for label, row in rows:
        sheet.append([label, *annual_values(row)])
    for line in sheet.iter_rows(min_row=3, max_row=sheet.max_row, max_col=len(header)):
        for cell in line:
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    note_row = sheet.max_row + 1
    sheet.merge_cells(f"A{note_row}:{last}{note_row}")
    sheet[f"A{note_row}"] = ANNUAL_NOTE
    sheet[f"A{note_row}"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[note_row].height = 48
    sheet.column_dimensions["A"].width = 30
    for index in range(len(ANNUAL_COLUMNS)):
        sheet.column_dimensions[chr(ord("B") + index)].width = 16
    for name, title in (("unit", "按立档单位"), ("category", "按门类"), ("month", "按月份")):
        extra = book.create_sheet(title)
        extra.append([title.removeprefix("按"), *ANNUAL_COLUMNS])
        for row in data.by[name]:
            extra.append([row.label, *annual_values(row)])
        extra.column_dimensions["A"].width = 24
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
