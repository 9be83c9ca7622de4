import csv
import datetime
from pathlib import Path

import openpyxl
import pytest

from dangan.core.context import Actor, acting_as

HEADER = [
    "序号",
    "档号",
    "文号",
    "责任者",
    "题名",
    "日期",
    "页数",
    "密级",
    "保管期限",
    "机构（问题）",
    "备注",
]


def row(n=1, code="", **values):
    data = {
        "序号": n,
        "档号": code,
        "文号": f"区府发〔2023〕{n}号",
        "责任者": "区政府办公室",
        "题名": f"关于第{n}项工作的通知",
        "日期": "20230501",
        "页数": 3,
        "密级": "公开",
        "保管期限": "永久",
        "机构（问题）": "BGS",
        "备注": "",
    }
    data.update(values)
    return data


def write_csv(path: Path, rows, header=HEADER, encoding="utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for data in rows:
            writer.writerow([data.get(h, "") for h in header])
    return path


def write_xls(path: Path, rows, header=HEADER) -> Path:
    """A real Excel 97–2003 workbook (BIFF), as old office PCs still save; a datetime becomes a date cell."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("归档文件目录")
    dated = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for column, name in enumerate(header):
        sheet.write(0, column, name)
    for number, data in enumerate(rows, start=1):
        for column, name in enumerate(header):
            value = data.get(name, "")
            if isinstance(value, datetime.date):
                sheet.write(number, column, value, dated)
            else:
                sheet.write(number, column, value)
    book.save(str(path))
    return path


def write_xlsx(path: Path, rows, header=HEADER) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for data in rows:
        sheet.append([data.get(h, "") for h in header])
    book.save(path)
    return path


@pytest.fixture
def as_archivist(world):
    with acting_as(Actor(world.archivist_a.pk, world.archivist_a.username)):
        yield world.archivist_a
