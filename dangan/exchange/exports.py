"""Catalogue lists out to .csv and .xlsx, in the columns the importer reads back (a lossless round trip)."""

import csv
import io
from collections.abc import Iterable, Iterator

from dangan.catalogue.models import CategoryField, Item

COLUMNS = [
    ("序号", None),
    ("全宗号", lambda i: i.fonds.number),
    ("档号", lambda i: i.reference_code),
    ("年度", lambda i: i.year),
    ("保管期限", lambda i: i.retention.name),
    ("机构（问题）", lambda i: i.org_code),
    ("件号", lambda i: i.number),
    ("文号", lambda i: i.document_number),
    ("责任者", lambda i: i.creator),
    ("题名", lambda i: i.title),
    ("日期", lambda i: i.date.strftime("%Y%m%d") if i.date else ""),
    ("页数", lambda i: i.pages),
    ("密级", lambda i: i.get_security_level_display()),
    ("控制标识", lambda i: i.get_control_display()),
    ("备注", lambda i: i.remarks),
]


def export_items(queryset) -> tuple[list[str], Iterator[list]]:
    """The header and the rows of ``queryset`` (already filtered and restricted by the caller)."""
    queryset = queryset.select_related("fonds", "category", "retention").order_by(
        "fonds__number", "category__code", "year", "retention__order", "org_code", "number", "pk"
    )
    category_ids = queryset.order_by().values_list("category_id", flat=True).distinct()
    fields = CategoryField.objects.filter(category_id__in=list(category_ids))
    extras = list(fields.order_by("category", "order"))
    keys = list(dict.fromkeys(f.key for f in extras))
    labels = {f.key: f.label for f in extras}
    header = [name for name, _get in COLUMNS] + [labels[k] for k in keys]

    def rows():
        for sequence, item in enumerate(queryset.iterator(chunk_size=2000), start=1):
            row = [sequence] + [_cell(get(item)) for _name, get in COLUMNS[1:]]
            row += [_cell(item.extra.get(k)) for k in keys]
            yield row

    return header, rows()


def _cell(value):
    return "" if value is None else value


def csv_chunks(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """UTF-8 with a BOM, so Excel opens it as UTF-8, streamed a few hundred rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_csv(header, rows, path) -> None:
    with open(path, "wb") as handle:
        for chunk in csv_chunks(header, rows):
            handle.write(chunk)


def write_xlsx(header, rows, path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("归档文件目录")
    sheet.append(header)
    for row in rows:
        # Text stays text: a 档号 or 文号 that looks like a number or a formula must come back as written.
        sheet.append([_text_cell(sheet, value) if isinstance(value, str) else value for value in row])
    book.save(path)


def _text_cell(sheet, value: str):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def items_for_export(user, params, request=None):
    """Any filtered catalogue list: the same FilterSet and restriction as the list page."""
    from dangan.catalogue.filtersets import ItemFilterSet

    filterset = ItemFilterSet(params, queryset=Item.objects.restrict(user), request=request)
    return filterset.qs
