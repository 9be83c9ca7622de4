"""Statistics: 人次 counts one reader once a day; 件次 and 卷次; dashboard and annual xlsx."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dangan.access import statistics
from dangan.access.choices import Mode
from dangan.access.models import AccessRequest
from dangan.access.testing import make_public_reader, purpose
from dangan.testing import make_item, make_volume

pytestmark = pytest.mark.django_db


def _granted(user, items, mode=Mode.ONLINE, name="学术研究", days_ago=0):
    req = AccessRequest.submit(user, items, purpose(name), mode)
    AccessRequest.objects.filter(pk=req.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return req


def test_one_reader_on_one_day_is_one_person_time(world):
    reader = make_public_reader()
    a, b, c = (make_item(world.fonds_a) for _ in range(3))
    _granted(reader, [a, b])
    _granted(reader, [c], Mode.COPY, "编史修志")
    _granted(reader, [a], days_ago=1 if timezone.localdate().day > 1 else 0)
    _granted(world.reader, [a])
    year = timezone.localdate().year
    report = statistics.report(world.staff, *statistics.year_bounds(year))
    expected_person_times = 3 if timezone.localdate().day > 1 else 2
    assert report.total.person_times == expected_person_times
    assert report.total.items == 5
    purposes = {row.label: row for row in report.by["purpose"]}
    assert purposes["编史修志"].person_times == 1 and purposes["编史修志"].items == 1
    assert purposes["落实政策"].person_times == 0, "every configured purpose is listed, zeros included"
    modes = {row.label: row for row in report.by["mode"]}
    assert modes["复制"].items == 1


def test_items_in_a_volume_count_as_volume_times(world):
    from dangan.testing import make_category

    volume = make_volume(world.fonds_a)
    category = make_category("KJ", "科技")
    inside = [make_item(world.fonds_a, volume=volume, category=category, org_code="") for _ in range(2)]
    _granted(world.reader, inside)
    report = statistics.report(world.staff, *statistics.year_bounds(timezone.localdate().year))
    assert report.total.volume_times == 1 and report.total.items == 0


def test_archivists_count_only_their_units(world):
    _granted(world.reader, [make_item(world.fonds_a)])
    _granted(world.reader, [make_item(world.fonds_b)])
    bounds = statistics.year_bounds(timezone.localdate().year)
    assert statistics.report(world.archivist_a, *bounds).total.items == 1
    assert statistics.report(world.staff, *bounds).total.items == 2
    assert statistics.report(world.reader, *bounds).total.items == 0


def _annual(user, year=None):
    year = year or timezone.localdate().year
    book = load_workbook(io.BytesIO(statistics.annual_workbook(user, year, "区档案局")))
    sheet = book["档案利用"]
    rows = {
        r[0].value: [c.value for c in r[1:]] for r in sheet.iter_rows(min_row=4) if r[1].value is not None
    }
    return book, sheet, rows


def test_annual_workbook_has_the_annual_reports_utilisation_columns(world):
    book, sheet, _rows = _annual(world.staff)
    year = timezone.localdate().year
    assert sheet["A1"].value == f"{year}年度档案利用情况统计表"
    assert sheet["A2"].value == "填报单位：区档案局" and sheet["D2"].value.startswith(
        f"统计期：{year}年1月1日"
    )
    assert [c.value for c in sheet[3]] == [
        "项目",
        "利用人次（人次）",
        "利用档案（卷次）",
        "利用档案（件次）",
        "复制档案（页）",
        "出具档案证明（份）",
    ]
    assert {"按立档单位", "按门类", "按月份"} <= set(book.sheetnames)
    assert "已作废的不计" in sheet.cell(sheet.max_row, 1).value, (
        "the counting rules are stated under the table"
    )


def test_annual_workbook_counts_uses_by_purpose_and_mode(world):
    req = _granted(world.reader, [make_item(world.fonds_a)], Mode.COPY, "经济建设")
    req.request_items.update(pages=12)
    _book, _sheet, rows = _annual(world.staff)
    assert rows["合计"] == [1, 0, 1, 12, 0]
    assert rows["按利用目的：经济建设"] == [1, 0, 1, 12, 0]
    assert rows["按利用目的：编史修志"] == [0, 0, 0, 0, 0], "every purpose is a row, zeros included"
    assert rows["按利用方式：复制"] == [1, 0, 1, 12, 0]
    assert rows["按利用方式：到馆查阅"] == [0, 0, 0, 0, 0]


def test_annual_workbook_counts_certificates_issued_and_not_revoked(world):
    from dangan.access import certificates
    from dangan.access.testing import attach_pdf

    item = make_item(world.fonds_a)
    attach_pdf(item, pages=1)
    req = _granted(make_public_reader(), [item], Mode.CERTIFICATE, "个人取证")
    certificates.issue(req, item, world.archivist_a, "兹证明")
    certificates.issue(req, item, world.archivist_a, "兹证明（第二份）").revoke(world.archivist_a, "打印错误")
    _book, _sheet, rows = _annual(world.staff)
    assert rows["合计"][4] == 1
    assert rows["按利用目的：个人取证"][4] == 1 and rows["按利用方式：档案证明"][4] == 1
    assert _annual(world.archivist_b)[2]["合计"][4] == 0, "an archivist counts only their units' certificates"


def test_dashboard_shows_charts_without_scripts(world, client_for):
    _granted(world.reader, [make_item(world.fonds_a)])
    page = client_for(world.staff).get("/access/stats/").content.decode()
    assert "<svg" in page and "利用人次" in page and "<script" not in page
    response = client_for(world.staff).get("/access/stats/annual.xlsx?year=2026")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_for(world.reader).get("/access/stats/").status_code == 403


def test_dashboard_counts_a_chosen_period(world, client_for):
    _granted(world.reader, [make_item(world.fonds_a)])
    today = timezone.localdate()
    client = client_for(world.staff)
    page = client.get("/access/stats/", {"start": today.isoformat(), "end": today.isoformat()})
    page = page.content.decode()
    assert "<strong>1</strong><br>利用人次" in page.replace("\n", "")
    earlier = (today - datetime.timedelta(days=10)).isoformat()
    page = client.get("/access/stats/", {"start": earlier, "end": earlier}).content.decode()
    assert "<strong>0</strong><br>利用人次" in page.replace("\n", "")
    assert client.get("/access/stats/", {"start": "2026-13-01", "end": "x"}).status_code == 200


def test_every_month_of_the_period_is_listed(world):
    report = statistics.report(world.staff, *statistics.year_bounds(2020))
    assert [row.label for row in report.by["month"]] == [f"2020-{m:02d}" for m in range(1, 13)]
