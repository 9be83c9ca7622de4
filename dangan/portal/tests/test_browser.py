"""The public portal in real Chromium: a member of the public searches, registers, requests a controlled
item; the archivist approves; the reader reads it with the watermark. A certificate is issued and verified,
and an altered copy fails.

Needs Debian's Chromium (``apt-get install chromium``) and the ``playwright`` package; skipped otherwise.
Screenshots go to DANGAN_SCREENSHOT_DIR (default /tmp).
"""

import os
from pathlib import Path

import pytest

from dangan.access.models import AccessRequest, Certificate, ViewLog
from dangan.access.testing import VALID_ID, attach_pdf, make_controlled, make_public_reader, purpose
from dangan.testing import PASSWORD, make_item, make_world

SCREENSHOTS = Path(os.environ.get("DANGAN_SCREENSHOT_DIR", "/tmp"))

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there unless told.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# The live server needs committed data. No serialized_rollback: inside Playwright's event loop Django hands
# out other connection objects (asgiref's Local is per context) that lack the serialized snapshot, so the
# restore cannot work there; these tests create what they use (``purpose()`` makes missing purposes).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(phone=False):
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def world():
    return make_world()


def staff_sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def test_public_request_approval_and_watermarked_reading(world, live_server, new_page):
    controlled = make_controlled(world.fonds_a, listed_by=world.staff, title="城关镇土地承包合同汇编")
    attach_pdf(controlled, pages=2)
    make_item(world.fonds_a, title="城关镇土地利用总体规划公告")
    hidden = make_controlled(world.fonds_a, title="城关镇土地纠纷内部处理意见")
    research = purpose("学术研究")  # before the form is shown, which lists the purposes

    page = new_page(phone=True)
    page.goto(f"{live_server.url}/portal/register/")
    page.fill("#id_username", "zhaoliu")
    page.fill("#id_name", "赵六")
    page.fill("#id_id_number", VALID_ID)
    page.fill("#id_phone", "13700000000")
    page.fill("#id_password1", "Archive-reading-2026")
    page.fill("#id_password2", "Archive-reading-2026")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/portal/requests/" in page.url

    page.goto(f"{live_server.url}/portal/")
    page.fill("input[name=q]", "土地")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    body = page.inner_text("main")
    assert "城关镇土地承包合同汇编" in body and "城关镇土地利用总体规划公告" in body
    assert hidden.title not in page.content() and "共 2 件" in body
    page.screenshot(path=str(SCREENSHOTS / "dangan_portal_search_phone.png"), full_page=True)
    with page.expect_navigation():
        page.click("text=城关镇土地承包合同汇编")
    with page.expect_navigation():
        page.click("text=申请利用")
    page.select_option("#id_purpose", str(research.pk))
    page.select_option("#id_mode", "online")
    page.fill("#id_note", "研究本镇土地承包史")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.inner_text("#status") == "待审批"
    request_obj = AccessRequest.objects.get()

    archivist = new_page()
    staff_sign_in(archivist, live_server, "archivist_a")
    archivist.goto(f"{live_server.url}/access/requests/{request_obj.pk}/")
    archivist.fill("#id_reason", "同意在线阅览")
    with archivist.expect_navigation():
        archivist.click("button[name=approve]")
    assert "已批准" in archivist.inner_text("main")
    archivist.screenshot(path=str(SCREENSHOTS / "dangan_access_request.png"), full_page=True)
    archivist.goto(f"{live_server.url}/access/stats/")
    assert "利用人次" in archivist.inner_text("main")
    archivist.screenshot(path=str(SCREENSHOTS / "dangan_access_stats.png"), full_page=True)

    page.reload()
    assert page.inner_text("#status") == "已批准"
    with page.expect_navigation():
        page.click("text=scan.pdf")
    image = page.locator("img.page-image").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('img.page-image').naturalWidth > 0")
    assert page.evaluate("document.querySelector('img.page-image').naturalWidth") > 500
    page.screenshot(path=str(SCREENSHOTS / "dangan_portal_reading_phone.png"), full_page=False)
    assert ViewLog.objects.filter(request=request_obj, user__username="zhaoliu").exists()


def test_certificate_is_issued_verified_and_an_altered_copy_fails(world, live_server, new_page, tmp_path):
    item = make_controlled(world.fonds_a, listed_by=world.staff, title="1998年职工花名册")
    attach_pdf(item, pages=1)
    request_obj = AccessRequest.submit(
        make_public_reader(), [item], purpose("个人取证"), "certificate", "工龄证明"
    )
    request_obj.approve(by=world.archivist_a)

    archivist = new_page()
    staff_sign_in(archivist, live_server, "archivist_a")
    archivist.goto(f"{live_server.url}/access/requests/{request_obj.pk}/")
    archivist.fill("#id_statement", "兹证明张三于1998年在城关镇人民政府工作。")
    with archivist.expect_navigation():
        archivist.click("text=出具证明")
    certificate = Certificate.objects.get()
    assert certificate.code in archivist.inner_text("main")

    genuine, altered = tmp_path / "certificate.pdf", tmp_path / "altered.pdf"
    genuine.write_bytes(certificate.pdf)
    altered.write_bytes(certificate.pdf.replace(b"/Producer", b"/Producex", 1))

    public = new_page(phone=True)
    public.goto(f"{live_server.url}/portal/verify/")
    public.fill("#id_code", certificate.code.lower())
    public.set_input_files("#id_file", str(genuine))
    with public.expect_navigation():
        public.click("main button[type=submit]")
    assert "核验通过" in public.inner_text("#result") and item.reference_code in public.inner_text("#result")
    public.screenshot(path=str(SCREENSHOTS / "dangan_portal_verify_phone.png"), full_page=True)

    public.set_input_files("#id_file", str(altered))
    with public.expect_navigation():
        public.click("main button[type=submit]")
    assert "已被篡改" in public.inner_text("#result")

    public.fill("#id_code", "AAAA-BBBB-CCCC-DDDD")
    public.set_input_files("#id_file", [])
    with public.expect_navigation():
        public.click("main button[type=submit]")
    assert "核验未通过" in public.inner_text("#result")


PHONE_PAGES = ["/portal/", "/portal/search/?q=城关镇", "/portal/items/{opened}/", "/portal/items/{listed}/"]


def test_portal_pages_fit_a_phone_without_horizontal_scrolling(world, live_server, new_page):
    # Long titles and 档号 without spaces are what pushes a narrow page wider than the screen.
    long_title = (
        "城关镇人民政府关于进一步做好农村土地承包经营权确权登记颁证工作中有关遗留问题处理意见的请示" * 2
    )
    opened = make_item(world.fonds_a, title=long_title, creator="城关镇人民政府党政综合办公室（档案室）")
    attach_pdf(opened, pages=1, name="城关镇土地承包经营权确权登记颁证工作遗留问题处理意见的请示.pdf")
    listed = make_controlled(world.fonds_a, listed_by=world.staff, title="城关镇征地拆迁补偿安置花名册" * 4)
    page = new_page(phone=True)
    for path in PHONE_PAGES:
        page.goto(live_server.url + path.format(opened=opened.pk, listed=listed.pk))
        assert "城关镇" in page.inner_text("main")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.evaluate("window.innerWidth"), f"{path} scrolls sideways ({width}px)"


def test_the_public_sees_a_listed_entry_only_and_never_an_unlisted_item(world, live_server, new_page):
    listed = make_controlled(
        world.fonds_a,
        listed_by=world.staff,
        title="城关镇征地补偿名册",
        pages=37,
        document_number="城政发〔2001〕9号",
    )
    attach_pdf(listed, pages=1, name="listed-scan.pdf")
    hidden = make_controlled(world.fonds_a, title="城关镇征地信访处理意见")
    page = new_page(phone=True)
    page.goto(f"{live_server.url}/portal/search/?q=征地")
    body = page.inner_text("main")
    assert listed.title in body and hidden.title not in body and "共 1 件" in body
    page.goto(f"{live_server.url}/portal/items/{listed.pk}/")
    body = page.inner_text("main")
    assert listed.reference_code in body and "城政发" not in body and "listed-scan.pdf" not in body
    assert "全宗" not in body and "页数" not in body
    assert page.goto(f"{live_server.url}/portal/items/{hidden.pk}/").status == 404
