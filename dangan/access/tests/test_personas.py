"""Every staff view and API endpoint of utilisation, for each persona (bureau staff, archivists of unit A and
B, a reader, an anonymous visitor)."""

import pytest

from dangan.access import certificates
from dangan.access.choices import Mode, RequestStatus
from dangan.access.models import AccessRequest, Loan
from dangan.access.testing import attach_pdf, make_controlled, make_public_reader, purpose
from dangan.testing import make_item

pytestmark = pytest.mark.django_db

PERSONAS = ["staff", "archivist_a", "archivist_b", "reader", None]


@pytest.fixture
def objects(world):
    item = make_controlled(world.fonds_a, listed_by=world.staff)
    attach_pdf(item, pages=1)
    requester = make_public_reader()
    pending = AccessRequest.submit(requester, [item], purpose(), Mode.ONLINE)
    cert_request = AccessRequest.submit(requester, [item], purpose("个人取证"), Mode.CERTIFICATE)
    cert_request.approve(by=world.archivist_a)
    cert = certificates.issue(cert_request, item, world.archivist_a, "证明")
    loan = Loan.lend(make_item(world.fonds_a), world.reader, world.archivist_a)
    return {"item": item, "pending": pending, "cert": cert, "loan": loan, "requester": requester}


def _user(world, name):
    return getattr(world, name) if name else None


# (path template, {persona: expected status}); "signed" is every signed-in persona.
PAGES = [
    ("/access/requests/", {"staff": 200, "archivist_a": 200, "archivist_b": 200, "reader": 200, None: 302}),
    (
        "/access/requests/{pending}/",
        {"staff": 200, "archivist_a": 200, "archivist_b": 404, "reader": 404, None: 302},
    ),
    ("/access/loans/", {"staff": 200, "archivist_a": 200, "archivist_b": 200, "reader": 403, None: 302}),
    ("/access/readers/", {"staff": 200, "archivist_a": 200, "archivist_b": 200, "reader": 403, None: 302}),
    ("/access/effects/", {"staff": 200, "archivist_a": 200, "archivist_b": 200, "reader": 403, None: 302}),
    ("/access/review/", {"staff": 200, "archivist_a": 403, "archivist_b": 403, "reader": 403, None: 302}),
    ("/access/stats/", {"staff": 200, "archivist_a": 200, "archivist_b": 200, "reader": 403, None: 302}),
    (
        "/access/stats/annual.xlsx",
        {"staff": 200, "archivist_a": 200, "archivist_b": 200, "reader": 403, None: 302},
    ),
    (
        "/access/certificates/{cert}/pdf/",
        {"staff": 200, "archivist_a": 200, "archivist_b": 404, "reader": 404, None: 302},
    ),
    ("/portal/", {p: 200 for p in PERSONAS}),
    ("/portal/search/?q=土地", {p: 200 for p in PERSONAS}),
    ("/portal/items/{item}/", {p: 200 for p in PERSONAS}),
    ("/portal/verify/", {p: 200 for p in PERSONAS}),
    ("/portal/notices/", {p: 200 for p in PERSONAS}),
    ("/portal/register/", {p: 200 for p in PERSONAS}),
    ("/portal/requests/", {"staff": 200, "archivist_a": 200, "archivist_b": 200, "reader": 200, None: 302}),
    (
        "/portal/requests/{pending}/",
        {"staff": 404, "archivist_a": 404, "archivist_b": 404, "reader": 404, None: 302},
    ),
    (
        "/portal/manage/notices/",
        {"staff": 200, "archivist_a": 403, "archivist_b": 403, "reader": 403, None: 302},
    ),
    (
        "/portal/manage/notices/new/",
        {"staff": 200, "archivist_a": 403, "archivist_b": 403, "reader": 403, None: 302},
    ),
]


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p or "anonymous")
@pytest.mark.parametrize("path,expected", PAGES, ids=[p for p, _ in PAGES])
def test_pages(world, objects, client_for, persona, path, expected):
    url = path.format(pending=objects["pending"].pk, cert=objects["cert"].pk, item=objects["item"].pk)
    assert client_for(_user(world, persona)).get(url).status_code == expected[persona]


def test_the_requester_sees_their_own_request_and_certificate(objects, client_for):
    client = client_for(objects["requester"])
    assert client.get(f"/access/requests/{objects['pending'].pk}/").status_code == 200
    assert client.get(f"/portal/requests/{objects['pending'].pk}/").status_code == 200
    assert client.get(f"/access/certificates/{objects['cert'].pk}/pdf/").status_code == 200


@pytest.mark.parametrize(
    "persona,approves",
    [("staff", False), ("archivist_a", True), ("archivist_b", False), ("reader", False), (None, False)],
    ids=["staff", "archivist_a", "archivist_b", "reader", "anonymous"],
)
def test_approving(world, objects, client_for, persona, approves):
    pending = objects["pending"]
    response = client_for(_user(world, persona)).post(
        f"/access/requests/{pending.pk}/approve/", {"reason": "同意"}
    )
    assert response.status_code in (302, 404)
    pending.refresh_from_db()
    assert (pending.status == RequestStatus.GRANTED) is approves


@pytest.mark.parametrize(
    "persona,allowed", [("staff", True), ("archivist_a", True), ("archivist_b", False), ("reader", False)]
)
def test_returning_loans(world, objects, client_for, persona, allowed):
    loan = objects["loan"]
    response = client_for(_user(world, persona)).post(
        "/access/loans/return/", {"reference_code": loan.item.reference_code}
    )
    loan.refresh_from_db()
    assert (loan.returned_at is not None) is allowed
    assert response.status_code in (302, 403)


def test_lending_through_the_page(world, client_for):
    item = make_item(world.fonds_a)
    client = client_for(world.archivist_a)
    client.post("/access/loans/new/", {"reference_code": item.reference_code, "borrower": "reader"})
    assert Loan.objects.active().filter(item=item).count() == 1
    page = client.post(
        "/access/loans/new/", {"reference_code": item.reference_code, "borrower": "staff"}, follow=True
    ).content.decode()
    assert "已借出" in page and Loan.objects.active().filter(item=item).count() == 1
    page = (
        client_for(world.archivist_b)
        .post(
            "/access/loans/new/", {"reference_code": item.reference_code, "borrower": "reader"}, follow=True
        )
        .content.decode()
    )
    assert "没有找到档号" in page
    assert (
        client_for(world.reader)
        .post("/access/loans/new/", {"reference_code": item.reference_code, "borrower": "reader"})
        .status_code
        == 403
    )


def test_returning_an_item_not_on_loan_says_so(world, client_for):
    item = make_item(world.fonds_a)
    page = (
        client_for(world.archivist_a)
        .post("/access/loans/return/", {"reference_code": item.reference_code}, follow=True)
        .content.decode()
    )
    assert "不在借出状态" in page


# API -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,count", [("staff", 2), ("archivist_a", 2), ("archivist_b", 0), ("reader", 0)]
)
def test_api_lists_only_visible_requests(world, objects, client_for, persona, count):
    assert client_for(_user(world, persona)).get("/api/v1/access/requests/").json()["count"] == count


def test_api_refuses_anonymous_visitors(objects, client):
    assert client.get("/api/v1/access/requests/").status_code in (401, 403)
    assert client.post("/api/v1/access/requests/", {}).status_code in (401, 403)


def test_api_request_and_approval(world, objects, client_for):
    reader = client_for(objects["requester"])
    created = reader.post(
        "/api/v1/access/requests/",
        {"items": [objects["item"].pk], "purpose": purpose().pk, "mode": "online"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["status"] == "pending"
    pk = created.json()["id"]
    assert client_for(world.archivist_b).post(f"/api/v1/access/requests/{pk}/approve/").status_code == 404
    own = reader.post(f"/api/v1/access/requests/{pk}/approve/")
    assert own.status_code == 400
    ok = client_for(world.archivist_a).post(
        f"/api/v1/access/requests/{pk}/approve/", {"reason": "同意"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "granted"
    again = client_for(world.staff).post(f"/api/v1/access/requests/{pk}/approve/")
    assert again.status_code == 400


def test_api_refuses_hidden_and_missing_items(world, client_for):
    hidden = make_controlled(world.fonds_b)
    client = client_for(world.reader)
    for items in ([hidden.pk], [123456789], ["x"]):
        response = client.post(
            "/api/v1/access/requests/",
            {"items": items, "purpose": purpose().pk, "mode": "online"},
            content_type="application/json",
        )
        assert response.status_code == 400
    assert not AccessRequest.objects.exists()


@pytest.mark.parametrize(
    "persona,expected",
    [("staff", True), ("archivist_a", True), ("archivist_b", False), ("reader", False), (None, False)],
    ids=["staff", "archivist_a", "archivist_b", "reader", "anonymous"],
)
def test_workflow_posts(world, objects, client_for, persona, expected):
    """Effects, certificates and renewals: only those who may see the request or loan act on it."""
    from dangan.access.models import Certificate, Effect

    client = client_for(_user(world, persona))
    cert_request = objects["cert"].request
    client.post(f"/access/requests/{cert_request.pk}/effects/", {"summary": "解决了工龄认定"})
    client.post(f"/access/requests/{cert_request.pk}/certificates/",
                {"item": objects["item"].pk, "statement": "证明"})
    client.post(f"/access/loans/{objects['loan'].pk}/renew/")
    objects["loan"].refresh_from_db()
    assert Effect.objects.exists() is expected
    assert (Certificate.objects.count() == 2) is expected
    assert (objects["loan"].renewals == 1) is expected


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p or "anonymous")
def test_only_the_requester_cancels(world, objects, client_for, persona):
    pending = objects["pending"]
    client_for(_user(world, persona)).post(f"/access/requests/{pending.pk}/cancel/")
    client_for(_user(world, persona)).post(f"/portal/requests/{pending.pk}/cancel/")
    pending.refresh_from_db()
    assert pending.status == "pending"
    client_for(objects["requester"]).post(f"/portal/requests/{pending.pk}/cancel/")
    pending.refresh_from_db()
    assert pending.status == "cancelled"
