"""A village archivist files a document in real Chromium: sign in, fill the item form, see the 档号.

Needs Debian's Chromium (``apt-get install chromium``) and the ``playwright`` package; skipped otherwise.
Screenshots of the item list and the item form go to /tmp for a human (or a reviewer) to look at.
"""

import os
from pathlib import Path

import pytest

from dangan.catalogue.models import CategoryField, Item
from dangan.testing import PASSWORD, make_category, make_fonds, make_item, make_world

SCREENSHOTS = Path(os.environ.get("DANGAN_SCREENSHOT_DIR", "/tmp"))

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there unless told.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# The live server needs committed data; serialized_rollback puts back the default categories and schedules
# (a data migration) after the flush, so the tests that run after these still find them.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def world():
    return make_world()


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url == f"{live_server.url}/", page.url


def choose_category(page, category):
    """Choosing a category reloads the form (so its own fields appear), keeping what was chosen so far."""
    with page.expect_navigation():
        page.select_option("#id_category", str(category.pk))
    page.wait_for_load_state()


def test_archivist_files_an_item_and_sees_its_reference_code(world, live_server, page):
    make_item(world.fonds_a, title="关于开展2023年度档案工作检查的通知", document_number="城政办〔2023〕12号")
    make_item(world.fonds_a, title="城关镇2023年工作总结", creator="城关镇人民政府")
    sign_in(page, live_server, "archivist_a")

    page.goto(f"{live_server.url}/catalogue/items/")
    page.screenshot(path=str(SCREENSHOTS / "dangan_item_list.png"), full_page=True)
    with page.expect_navigation():
        page.click("text=著录新文件")

    page.select_option("#id_fonds", str(world.fonds_a.pk))
    choose_category(page, world.category)
    assert f"category={world.category.pk}" in page.url
    assert page.input_value("#id_fonds") == str(world.fonds_a.pk)
    assert page.input_value("#id_category") == str(world.category.pk)

    page.select_option("#id_retention", str(world.retention.pk))
    page.fill("#id_year", "2023")
    page.fill("#id_org_code", "BGS")
    page.fill("#id_title", "关于做好2023年防汛抗旱工作的通知")
    page.fill("#id_creator", "城关镇人民政府")
    page.fill("#id_date", "2023-05-04")
    page.screenshot(path=str(SCREENSHOTS / "dangan_item_form.png"), full_page=True)
    with page.expect_navigation():
        page.click("main button.primary[type=submit]")

    code = page.text_content("#reference-code")
    assert code == "A001-WS·2023-Y-BGS-0003"
    assert Item.objects.get(title="关于做好2023年防汛抗旱工作的通知").reference_code == code
    assert "已保存" in page.text_content(".message")
    page.screenshot(path=str(SCREENSHOTS / "dangan_item_page.png"), full_page=True)


def test_category_fields_appear_after_choosing_the_category_and_errors_show_by_the_field(world, live_server,
                                                                                          page):
    category = make_category("TESTHJ", "户籍（测试）")
    CategoryField.objects.create(category=category, key="holder_id", label="户主身份证号",
                                 field_type="id_number", required=True)
    village = make_fonds(world.village_a, "V001")
    sign_in(page, live_server, "archivist_a")
    page.goto(f"{live_server.url}/catalogue/items/add/")
    assert page.locator("#id_extra__holder_id").count() == 0
    page.select_option("#id_fonds", str(village.pk))
    choose_category(page, category)
    assert page.input_value("#id_fonds") == str(village.pk)

    page.select_option("#id_retention", str(world.retention.pk))
    page.fill("#id_year", "2023")
    page.fill("#id_org_code", "HJ")
    page.fill("#id_title", "东关村户籍迁入登记表")
    page.fill("#id_extra__holder_id", "110101199003071234")
    with page.expect_navigation():
        page.click("main button.primary[type=submit]")
    assert "不是有效的居民身份证号码" in page.text_content("#field-extra__holder_id .error")
    page.screenshot(path=str(SCREENSHOTS / "dangan_item_form_error.png"), full_page=True)
    assert not Item.objects.exists()

    page.fill("#id_extra__holder_id", "110101199003071233")
    with page.expect_navigation():
        page.click("main button.primary[type=submit]")
    assert page.text_content("#reference-code") == "V001-TESTHJ·2023-Y-HJ-0001"
