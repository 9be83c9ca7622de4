"""The import in real Chromium: an archivist uploads a GBK CSV, sees the preview, validates, reads the
errors, fixes the file, validates again and commits; the job page follows the import to its end.

Needs Debian's Chromium and the ``playwright`` package; skipped otherwise. Screenshots go to
DANGAN_SCREENSHOT_DIR (default /tmp).
"""

import os
from pathlib import Path

import pytest

from dangan.catalogue.models import Item
from dangan.core.jobs import claim_next, run
from dangan.exchange.models import ImportBatch
from dangan.exchange.tests.conftest import row, write_csv
from dangan.testing import PASSWORD, make_world

SCREENSHOTS = Path(os.environ.get("DANGAN_SCREENSHOT_DIR", "/tmp"))

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


def run_jobs():
    while (job := claim_next("browser-test")) is not None:
        run(job)


def test_an_archivist_imports_a_catalogue_in_the_browser(page, live_server, tmp_path):
    world = make_world()
    bad = write_csv(tmp_path / "目录.csv", [row(1), row(2, 日期="20230230")], encoding="gbk")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "archivist_a")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/exchange/")
    page.set_input_files("#id_file", str(bad))
    page.select_option("#id_fonds", str(world.fonds_a.pk))
    page.select_option("#id_category", str(world.category.pk))
    with page.expect_navigation():
        page.click("text=上传并预览")
    assert page.locator("text=关于第1项工作的通知").count() == 1  # the preview, decoded from GBK
    with page.expect_navigation():
        page.click("button:has-text('校验')")
    run_jobs()
    page.reload()
    page.screenshot(path=str(SCREENSHOTS / "exchange-errors.png"), full_page=True)
    assert page.locator("td:has-text('日期不存在')").count() == 1 and Item.objects.count() == 0

    good = write_csv(tmp_path / "目录2.csv", [row(1), row(2)])
    page.goto(f"{live_server.url}/exchange/")
    page.set_input_files("#id_file", str(good))
    page.select_option("#id_fonds", str(world.fonds_a.pk))
    page.select_option("#id_category", str(world.category.pk))
    with page.expect_navigation():
        page.click("text=上传并预览")
    with page.expect_navigation():
        page.click("button:has-text('校验')")
    run_jobs()
    page.reload()
    with page.expect_navigation():
        page.click("button:has-text('全部导入')")
    run_jobs()
    page.reload()
    page.screenshot(path=str(SCREENSHOTS / "exchange-job.png"), full_page=True)
    assert page.locator("text=已完成").count() >= 1
    assert Item.objects.count() == 2 and ImportBatch.objects.latest("pk").status == "committed"
