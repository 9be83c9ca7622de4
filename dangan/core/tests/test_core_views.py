"""Home page, signing in and out, the audit trail screens, language switching and error pages."""

import pytest

from dangan.core.models import AuditEntry
from dangan.testing import PASSWORD, make_item

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/audit/", "/audit/verify/"])
def test_anonymous_is_sent_to_login(world, client_for, url):
    response = client_for(None).get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("persona, items", [
    ("admin", 3), ("staff", 2), ("archivist_a", 1), ("archivist_b", 1), ("reader", 1),
])
def test_home_counts_only_permitted_items(world, client_for, persona, items):
    make_item(world.fonds_a, title="城关镇开放")
    make_item(world.fonds_b, title="柳河镇控制", control="controlled")
    make_item(world.fonds_a, title="城关镇秘密", security_level="secret", control="controlled")
    response = client_for(getattr(world, persona)).get("/")
    assert response.status_code == 200
    assert response.context["item_count"] == items


def test_home_hides_other_units_recent_items(world, client_for):
    make_item(world.fonds_b, title="柳河镇文件")
    assert "柳河镇文件" not in client_for(world.archivist_a).get("/").content.decode()
    assert "柳河镇文件" in client_for(world.archivist_b).get("/").content.decode()


def test_home_offers_new_item_to_archivists_not_readers(world, client_for):
    assert "/catalogue/items/add/" in client_for(world.archivist_a).get("/").content.decode()
    assert "/catalogue/items/add/" not in client_for(world.reader).get("/").content.decode()


# Signing in ---------------------------------------------------------------------------------------------
def test_login_page_renders(client_for, db):
    response = client_for(None).get("/login/")
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode() and 'name="password"' in response.content.decode()


def test_successful_login_is_audited_and_goes_home(world, client_for):
    response = client_for(None).post("/login/", {"username": "archivist_a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    entry = AuditEntry.objects.filter(action="login").get()
    assert entry.actor_name == "archivist_a" and entry.object_id == str(world.archivist_a.pk)


def test_login_follows_next(world, client_for):
    data = {"username": "reader", "password": PASSWORD, "next": "/catalogue/items/"}
    response = client_for(None).post("/login/?next=/catalogue/items/", data)
    assert response["Location"] == "/catalogue/items/"


def test_failed_login_is_audited_and_shows_an_error(world, client_for):
    response = client_for(None).post("/login/", {"username": "archivist_a", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    entry = AuditEntry.objects.filter(action="login_failed").get()
    assert entry.object_repr == "archivist_a"
    assert not AuditEntry.objects.filter(action="login").exists()


def test_logout_is_audited(world, client_for):
    client = client_for(world.staff)
    response = client.post("/logout/")
    assert response["Location"] == "/login/"
    assert AuditEntry.objects.filter(action="logout", actor_name="staff").exists()
    assert client.get("/")["Location"].startswith("/login/")


# Audit screens ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["admin", "staff"])
def test_bureau_reads_the_audit_log(world, client_for, persona):
    make_item(world.fonds_a, title="审计中的文件")
    response = client_for(getattr(world, persona)).get("/audit/")
    assert response.status_code == 200
    assert "审计中的文件" in response.content.decode()


@pytest.mark.parametrize("persona", ["archivist_a", "archivist_b", "reader"])
def test_audit_log_is_for_the_bureau_only_and_the_attempt_is_recorded(world, client_for, persona):
    response = client_for(getattr(world, persona)).get("/audit/")
    assert response.status_code == 403
    denied = AuditEntry.objects.filter(action="denied", actor_name=persona, object_type="core.auditentry")
    assert denied.exists()


def test_audit_log_filters_by_action(world, client_for):
    client_for(None).post("/login/", {"username": "reader", "password": "wrong"})
    response = client_for(world.staff).get("/audit/?action=login_failed")
    assert [e.action for e in response.context["page"]] == ["login_failed"]


def test_audit_log_link_on_item_page_is_for_the_bureau_only(world, client_for):
    item = make_item(world.fonds_a)
    link = f"/audit/?object_type=catalogue.item&amp;object_id={item.pk}"
    assert link in client_for(world.staff).get(item.get_absolute_url()).content.decode()
    assert link not in client_for(world.archivist_a).get(item.get_absolute_url()).content.decode()


def test_bureau_admin_verifies_the_audit_chain(world, client_for):
    response = client_for(world.admin).get("/audit/verify/")
    assert response.status_code == 200
    assert response.context["problems"] == [] and response.context["checked"] > 0
    assert "审计链完整" in response.content.decode()


def test_audit_verify_reports_a_tampered_row(world, client_for):
    victim = AuditEntry.objects.order_by("sequence")[1]
    AuditEntry.objects.filter(pk=victim.pk).update(message="tampered")
    response = client_for(world.admin).get("/audit/verify/")
    assert [p.sequence for p in response.context["problems"]] == [victim.sequence]


@pytest.mark.parametrize("persona", ["staff", "archivist_a", "reader"])
def test_audit_verify_is_for_the_bureau_admin_only(world, client_for, persona):
    assert client_for(getattr(world, persona)).get("/audit/verify/").status_code == 403


def test_sidebar_shows_audit_link_to_bureau_only(world, client_for):
    assert 'href="/audit/"' in client_for(world.staff).get("/").content.decode()
    assert 'href="/audit/"' not in client_for(world.archivist_a).get("/").content.decode()


# Language and error pages -------------------------------------------------------------------------------
def test_switching_to_english_sets_the_language_cookie(world, client_for):
    client = client_for(world.archivist_a)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/catalogue/items/"})
    assert response.status_code == 302 and response["Location"] == "/catalogue/items/"
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


def test_switching_back_to_chinese(world, client_for):
    client = client_for(world.reader)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_language_switch_works_before_signing_in(db, client_for):
    response = client_for(None).post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.cookies["django_language"].value == "en"


def test_not_found_page_keeps_the_site_layout(world, client_for):
    response = client_for(world.reader).get("/catalogue/items/99999/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "没有找到该页面或记录" in content and 'class="sidebar"' in content


def test_forbidden_page_keeps_the_site_layout(world, client_for):
    response = client_for(world.reader).get("/units/add/")
    assert response.status_code == 403
    assert "您没有权限执行此操作" in response.content.decode()


def test_pages_are_chinese_even_for_an_english_browser(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200 and "登录" in response.content.decode()


def test_the_language_switch_turns_pages_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert client.get("/login/").headers["Content-Language"] == "en"
