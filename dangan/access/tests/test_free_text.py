"""Overlong and script-bearing text in every free-text field: refused when too long, shown escaped."""

import pytest
from django.utils import timezone

from dangan.access.choices import Mode
from dangan.access.models import AccessRequest, Effect, OpenReview, Reader
from dangan.access.testing import VALID_ID, make_controlled, purpose
from dangan.portal.models import Notice

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def _clean(page: str) -> bool:
    return SCRIPT not in page and "<img src=x" not in page and ESCAPED in page


def test_reader_fields(world, client, client_for):
    form = {
        "username": "evil",
        "name": SCRIPT[:50],
        "id_type": "resident",
        "id_number": VALID_ID,
        "phone": "13900000000",
        "organisation": SCRIPT,
        "password1": "Archive-reading-2026",
        "password2": "Archive-reading-2026",
    }
    too_long = client.post("/portal/register/", {**form, "name": "名" * 51}).content.decode()
    assert "51" in too_long and not Reader.objects.exists()
    client.post("/portal/register/", form)
    assert Reader.objects.get().organisation == SCRIPT
    page = client_for(world.staff).get("/access/readers/").content.decode()
    assert SCRIPT not in page and "&lt;script&gt;" in page


def test_request_note_and_decision_reason(world, client_for):
    from dangan.access.testing import make_public_reader

    reader = make_public_reader()
    item = make_controlled(world.fonds_a, listed_by=world.staff)
    client = client_for(reader)
    page = client.post(
        "/portal/requests/new/",
        {"items": str(item.pk), "purpose": purpose().pk, "mode": "online", "note": "长" * 1001},
    ).content.decode()
    assert "1000" in page and not AccessRequest.objects.exists()
    client.post(
        "/portal/requests/new/",
        {"items": str(item.pk), "purpose": purpose().pk, "mode": "online", "note": SCRIPT},
    )
    req = AccessRequest.objects.get()
    archivist = client_for(world.archivist_a)
    archivist.post(f"/access/requests/{req.pk}/reject/", {"reason": "长" * 1001})
    req.refresh_from_db()
    assert req.status == "pending"
    archivist.post(f"/access/requests/{req.pk}/reject/", {"reason": SCRIPT})
    req.refresh_from_db()
    assert req.status == "rejected"
    assert _clean(archivist.get(f"/access/requests/{req.pk}/").content.decode())
    assert _clean(client.get(f"/portal/requests/{req.pk}/").content.decode())


def test_effect_summary(world, client_for):
    from dangan.testing import make_item

    req = AccessRequest.submit(world.reader, [make_item(world.fonds_a)], purpose(), Mode.ONLINE)
    staff = client_for(world.staff)
    staff.post(f"/access/requests/{req.pk}/effects/", {"summary": "长" * 2001})
    assert not Effect.objects.exists()
    staff.post(f"/access/requests/{req.pk}/effects/", {"summary": SCRIPT})
    assert Effect.objects.get().summary == SCRIPT
    assert _clean(staff.get(f"/access/requests/{req.pk}/").content.decode())
    assert _clean(staff.get("/access/effects/").content.decode())


def test_review_reason(world, client_for):
    item = make_controlled(world.fonds_a, year=timezone.localdate().year - 30)
    staff = client_for(world.staff)
    staff.post("/access/review/decide/", {"items": [item.pk], "decision": "defer", "reason": "长" * 1001})
    assert not OpenReview.objects.exists()
    staff.post("/access/review/decide/", {"items": [item.pk], "decision": "defer", "reason": SCRIPT})
    assert OpenReview.objects.get().reason == SCRIPT
    assert _clean(staff.get("/access/review/").content.decode())


def test_notice_title_and_body(world, client, client_for):
    staff = client_for(world.staff)
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    staff.post(
        "/portal/manage/notices/new/",
        {"title": "长" * 201, "body": "x", "published": "on", "published_at": now},
    )
    assert not Notice.objects.exists()
    staff.post(
        "/portal/manage/notices/new/",
        {"title": SCRIPT, "body": SCRIPT, "published": "on", "published_at": now},
    )
    notice = Notice.objects.get()
    assert _clean(client.get("/portal/").content.decode())
    assert _clean(client.get(f"/portal/notices/{notice.pk}/").content.decode())


def test_search_terms_and_verification_codes(client):
    assert SCRIPT not in client.get("/portal/search/", {"q": SCRIPT}).content.decode()
    page = client.post("/portal/verify/", {"code": SCRIPT[:40]}).content.decode()
    assert "<script>alert" not in page and "核验未通过" in page
