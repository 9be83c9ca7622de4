"""Error reports as files: every error of an import, however many, one line each (row, column, value, reason).

CSV (UTF-8 with BOM, so Excel opens it) is written as the import runs its course and stays usable at any size;
the .xlsx form uses openpyxl's write-only mode, which streams rows instead of building the sheet in memory.
"""

import csv
from pathlib import Path

from django.utils.translation import gettext as _

XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header


def report_headers() -> list[str]:
    return [_("行号"), _("列"), _("值"), _("问题")]


def write_csv(errors, path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(report_headers())
        writer.writerows(errors)
    return path


def write_xlsx(errors, path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_("错误报告"))
    sheet.append(report_headers())
    for count, error in enumerate(errors):
        if count >= XLSX_MAX_ROWS:
            break
        sheet.append(list(error))
    book.save(path)
    return path


def read_csv(path: Path):
    """The stored report's rows, for the xlsx download (the CSV is the one kept on disk)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        yield from reader
