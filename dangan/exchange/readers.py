"""Reading a catalogue file as rows of cell values, refusing what would harm the server or lose data.

Every reader yields ``(row_number, values)`` after ``headers``; row numbers are the spreadsheet's own (the
header is row 1), so a report names the row the archivist sees in Excel.
"""

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

# Tried strictly in this order: UTF-8 (with or without BOM) first, since GB18030 would decode most UTF-8
# bytes into nonsense without an error; GB18030 is a superset of GBK and GB2312.
ENCODINGS = ("utf-8-sig", "gb18030")
SNIFF_BYTES = 4 * 1024 * 1024


class Formula(str):
    """A spreadsheet cell holding a formula (its text, "=…"), not a value; text that merely starts with "="
    stays a plain str."""


class FileRejected(Exception):
    """The whole file cannot be read: empty, corrupt, too large, a zip bomb, an unknown encoding."""


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, tuple]]
    kind: str  # csv, xlsx, xls
    total: int | None = None  # data rows, as far as known before reading them (for progress bars)
    encoding: str = ""
    # Problems found in the file's structure that concern given cells: (row, column, value, reason).
    cell_problems: list[tuple[int, int, str, str]] = field(default_factory=list)
    close: callable = lambda: None


def open_table(path: Path, name: str = "", encoding: str | None = None) -> Table:
    """``path`` as a table of rows (``name``: the file's name as uploaded, for its type). ``encoding`` is that
    of this same CSV file as an earlier reading found it (the whole file decodes in it): it is not checked
    again (a million rows: 0.3 s)."""
    path = Path(path)
    size = path.stat().st_size
    limit = settings.DANGAN_IMPORT_MAX_BYTES
    if size > limit:
        raise FileRejected(
            _("文件大小 %(size)s 超过上限 %(limit)s") % {"size": _mb(size), "limit": _mb(limit)}
        )
    if size == 0:
        raise FileRejected(_("文件是空的"))
    suffix = Path(name or path.name).suffix.lower()
    with path.open("rb") as handle:
        magic = handle.read(8)
    if suffix == ".xlsx" or (suffix != ".csv" and magic.startswith(b"PK")):
        return _xlsx(path)
    if suffix == ".xls" or magic.startswith(b"\xd0\xcf\x11\xe0"):
        return _xls(path)
    if suffix in (".csv", ".txt", ""):
        return _csv(path, encoding)
    raise FileRejected(_("不支持的文件类型“%(suffix)s”：请使用 .xlsx、.xls 或 .csv") % {"suffix": suffix})


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


# CSV -------------------------------------------------------------------------------------------------------
def detect_encoding(path: Path) -> str:
    """The first encoding that decodes the whole file strictly; a file no single one decodes is refused.

    The whole file is decoded in blocks (not just a sample): a file mixing UTF-8 and GBK rows would otherwise
    pass the sniff and fail, or worse be misread, half-way through an import.
    """
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while block := handle.read(SNIFF_BYTES):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileRejected(
        _(
            "无法识别文件编码：既不是 UTF-8 也不是 GBK/GB18030，或者混合了多种编码。"
            "请在 Excel 中另存为“CSV UTF-8”后重新导入"
        )
    )


def _csv(path: Path, encoding: str | None) -> Table:
    encoding = encoding or detect_encoding(path)
    handle = path.open("r", encoding=encoding, newline="")
    sample = handle.read(64 * 1024)
    handle.seek(0)
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(handle, delimiter=delimiter)
    headers = _headers(reader, handle)

    def rows():
        for number, values in enumerate(reader, start=2):
            if any(values) and not "".join(values).isspace():  # one test in C, not one per cell
                yield number, tuple(values)

    return Table(headers, rows(), "csv", total=_count_lines(path) - 1, encoding=encoding, close=handle.close)


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while block := handle.read(SNIFF_BYTES):
            count += block.count(b"\n")
    return count


def _headers(reader, handle) -> list[str]:
    try:
        headers = next(reader)
    except StopIteration:
        handle.close()
        raise FileRejected(_("文件是空的")) from None
    except csv.Error as e:
        handle.close()
        raise FileRejected(_("CSV 格式错误：%(error)s") % {"error": e}) from None
    if not any(str(h or "").strip() for h in headers):
        handle.close()
        raise FileRejected(_("第 1 行应是表头（序号、档号、题名……），但它是空的"))
    return [str(h or "").strip() for h in headers]


# XLSX ------------------------------------------------------------------------------------------------------
def check_zip(path: Path) -> None:
    """Refuse a zip bomb before any parser inflates it: the directory states every member's size."""
    limit = settings.DANGAN_IMPORT_MAX_UNZIPPED_BYTES
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError):
        raise FileRejected(_("文件已损坏或不完整，不是有效的 .xlsx 文件")) from None
    total = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if total > limit or total / packed > settings.DANGAN_IMPORT_MAX_ZIP_RATIO and total > 10 * 1024 * 1024:
        raise FileRejected(
            _("文件解压后有 %(size)s，超过上限或压缩比异常，拒绝处理（可能是“压缩炸弹”）")
            % {"size": _mb(total)}
        )
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise FileRejected(_("文件不是 Excel 工作簿（缺少 xl/workbook.xml）"))


def _xlsx(path: Path) -> Table:
    import openpyxl

    check_zip(path)
    merged = _merged_ranges(path)
    try:
        # Formulas are read as written (data_only=False), so a cell holding "=A1+1" is reported rather
        # than silently imported as its cached result, or as nothing when no result was cached.
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        sheet = book.worksheets[0]
        # Cells rather than values_only: only the cell's data type tells a formula from text starting "=".
        values = (tuple(_value(cell) for cell in cells) for cells in sheet.iter_rows())
        first = next(values, None)
    except Exception as e:  # openpyxl raises many kinds for broken files: all mean the same to the archivist
        raise FileRejected(
            _("文件已损坏或不完整，无法读取：%(error)s") % {"error": type(e).__name__}
        ) from None
    if first is None:
        book.close()
        raise FileRejected(_("文件是空的"))
    problems = [
        (row, col, "", _("合并单元格 %(range)s：请取消合并并在每一行填写值") % {"range": ref})
        for row, col, ref in merged
    ]
    headers = [str(h or "").strip() for h in first]
    if not any(headers):
        book.close()
        raise FileRejected(_("第 1 行应是表头（序号、档号、题名……），但它是空的"))

    def rows():
        try:
            for number, row in enumerate(values, start=2):
                if any(v not in (None, "") for v in row):
                    yield number, row
        except Exception as e:
            raise FileRejected(
                _("文件已损坏或不完整，在第 %(row)d 行附近无法继续读取：%(error)s")
                % {"row": number, "error": type(e).__name__}
            ) from None

    total = (sheet.max_row - 1) if sheet.max_row else None
    return Table(headers, rows(), "xlsx", total=total, cell_problems=problems, close=book.close)


def _value(cell):
    value = cell.value
    if getattr(cell, "data_type", None) == "f" and isinstance(value, str):
        return Formula(value)
    return value


def _merged_ranges(path: Path) -> list[tuple[int, int, str]]:
    """Merged cells of the first sheet: read-only openpyxl does not expose them, so read <mergeCell>."""
    import re

    from openpyxl.utils.cell import range_boundaries

    found = []
    try:
        with zipfile.ZipFile(path) as archive:
            sheet = next((n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")), None)
            if sheet is None:
                return found
            tail = b""
            with archive.open(sheet) as handle:
                while block := handle.read(1024 * 1024):
                    chunk = tail + block
                    for ref in re.findall(rb'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"', chunk):
                        min_col, min_row, _max_col, _max_row = range_boundaries(ref.decode())
                        found.append((min_row, min_col, ref.decode()))
                    tail = chunk[-200:]  # a tag split across blocks is found whole next time
    except (zipfile.BadZipFile, OSError, EOFError, KeyError):
        raise FileRejected(_("文件已损坏或不完整，不是有效的 .xlsx 文件")) from None
    except Exception:  # a damaged stream: openpyxl reports it next with the same message
        raise FileRejected(_("文件已损坏或不完整，不是有效的 .xlsx 文件")) from None
    return sorted(set(found))


# XLS -------------------------------------------------------------------------------------------------------
def _xls(path: Path) -> Table:
    try:
        import xlrd
    except ImportError:
        raise FileRejected(_("读取 .xls 需要 xlrd；请另存为 .xlsx 或 .csv")) from None
    try:
        book = xlrd.open_workbook(path, on_demand=True)
        sheet = book.sheet_by_index(0)
    except Exception as e:
        raise FileRejected(
            _("文件已损坏或不完整，无法读取：%(error)s") % {"error": type(e).__name__}
        ) from None
    if sheet.nrows == 0:
        raise FileRejected(_("文件是空的"))
    headers = [str(h).strip() for h in sheet.row_values(0)]
    if not any(headers):
        raise FileRejected(_("第 1 行应是表头（序号、档号、题名……），但它是空的"))

    def cell(c):
        if c.ctype == xlrd.XL_CELL_DATE:
            return xlrd.xldate.xldate_as_datetime(c.value, book.datemode)
        return c.value

    def rows():
        for index in range(1, sheet.nrows):
            values = tuple(cell(c) for c in sheet.row(index))
            if any(v not in (None, "") for v in values):
                yield index + 1, values

    return Table(headers, rows(), "xls", total=sheet.nrows - 1, close=book.release_resources)
