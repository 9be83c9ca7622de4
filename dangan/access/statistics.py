"""Utilisation statistics: 人次 (one reader on one day counts once), 件次 and 卷次, copied pages.

A use is an item of a granted request, dated by the day it was granted. Items inside a volume count as
卷次 of their volume (once per request), loose items as 件次.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from dangan.access.choices import Mode, RequestStatus
from dangan.access.models import Purpose, RequestItem

DIMENSIONS = ("month", "unit", "category", "purpose", "mode")


@dataclass
class Row:
    label: str
    visitors: set = field(default_factory=set)  # (reader, day)
    items: int = 0
    volumes: set = field(default_factory=set)  # (request, volume)
    pages: int = 0

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


def uses(user, start: datetime.date, end: datetime.date):
    """The uses ``user`` may count: bureau staff every unit's, an archivist their own units'."""
    rows = RequestItem.objects.filter(
        request__status=RequestStatus.GRANTED,
        request__decided_at__date__gte=start,
        request__decided_at__date__lt=end,
    )
    if user.is_bureau:
        return rows
    if user.is_archivist:
        scope = user.scope_unit_ids
        return rows.filter(Q(item__fonds__unit_id__in=scope) | Q(item__fonds__custodian_id__in=scope))
    return rows.none()


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
    for request_id, reader, at, purpose, mode, unit, category, volume, pages in values:
        day = timezone.localtime(at).date()
        keys = {
            "month": f"{day.year}-{day.month:02d}",
            "unit": unit,
            "category": category,
            "purpose": purpose,
            "mode": str(modes.get(mode, mode)),
        }
        for row in [total] + [groups[name].setdefault(key, Row(key)) for name, key in keys.items()]:
            row.visitors.add((reader, day))
            if volume:
                row.volumes.add((request_id, volume))
            else:
                row.items += 1
            row.pages += pages
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


def annual_workbook(user, year: int, unit_name: str = "") -> bytes:
    """The year's figures as an xlsx in the layout of the annual report's utilisation block (档基2表):
    a title, the reporting unit and year, then rows by purpose and by mode with 人次, 卷次, 件次, 复制页数."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    data = report(user, *year_bounds(year))
    book = Workbook()
    sheet = book.active
    sheet.title = "档案利用"
    sheet.merge_cells("A1:E1")
    sheet["A1"] = f"{year}年度档案利用情况统计表"
    sheet["A1"].font = Font(size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet["A2"] = f"填报单位：{unit_name}"
    sheet["D2"] = f"统计期：{year}年1月1日—{year}年12月31日"
    header = ["项目", "利用人次", "利用卷次", "利用件次", "复制页数"]
    sheet.append(header)
    thin = Side(style="thin")
    rows = [("合计", data.total)]
    rows += [(f"按利用目的：{row.label}", row) for row in data.by["purpose"]]
    rows += [(f"按利用方式：{row.label}", row) for row in data.by["mode"]]
    for label, row in rows:
        sheet.append([label, row.person_times, row.volume_times, row.items, row.pages])
    for line in sheet.iter_rows(min_row=3, max_row=sheet.max_row, max_col=5):
        for cell in line:
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    sheet.column_dimensions["A"].width = 30
    for column in "BCDE":
        sheet.column_dimensions[column].width = 12
    for name, title in (("unit", "按立档单位"), ("category", "按门类"), ("month", "按月份")):
        extra = book.create_sheet(title)
        extra.append([title.removeprefix("按"), *header[1:]])
        for row in data.by[name]:
            extra.append([row.label, row.person_times, row.volume_times, row.items, row.pages])
        extra.column_dimensions["A"].width = 24
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
