"""The bureau administrator sees the utilisation records in the Django admin; evidence stays read-only."""

import pytest

from dangan.access import certificates
from dangan.access.choices import Mode, ReviewDecision
from dangan.access.models import AccessRequest, Certificate, Decision, Loan, OpenReview, ViewLog
from dangan.access.services import log_view
from dangan.access.testing import attach_pdf, make_controlled, make_public_reader, purpose
from dangan.testing import make_item

pytestmark = pytest.mark.django_db

EVIDENCE = ["decision", "viewlog", "certificate", "openreview", "accessrequest", "loan", "effect"]


@pytest.fixture
def records(world):
    item = make_controlled(world.fonds_a, listed_by=world.staff, year=1990)
    f = attach_pdf(item, pages=1)
    req = AccessRequest.submit(make_public_reader(), [item], purpose("个人取证"), Mode.CERTIFICATE)
    req.approve(by=world.archivist_a, reason="同意")
    log_view(req, f, req.requester, page=1)
    certificates.issue(req, item, world.archivist_a, "兹证明")
    Loan.lend(make_item(world.fonds_a), world.reader, world.archivist_a)
    OpenReview.decide_batch([make_controlled(world.fonds_a, year=1990)], ReviewDecision.OPEN, world.staff)
    return req


@pytest.mark.parametrize("model", EVIDENCE + ["purpose", "reader", "cataloguelisting"], ids=lambda m: m)
def test_the_administrator_lists_every_utilisation_model(world, records, client_for, model):
    assert client_for(world.admin).get(f"/admin/access/{model}/").status_code == 200


@pytest.mark.parametrize("model", EVIDENCE, ids=lambda m: m)
def test_evidence_cannot_be_added_in_the_admin(world, records, client_for, model):
    assert client_for(world.admin).get(f"/admin/access/{model}/add/").status_code == 403


def test_a_decision_cannot_be_changed_or_deleted_in_the_admin(world, records, client_for):
    client = client_for(world.admin)
    decision = Decision.objects.get()
    page = client.get(f"/admin/access/decision/{decision.pk}/change/")
    assert page.status_code == 200 and 'name="reason"' not in page.content.decode()
    client.post(f"/admin/access/decision/{decision.pk}/change/", {"reason": "改过的意见", "approved": "on"})
    assert client.post(f"/admin/access/decision/{decision.pk}/delete/", {"post": "yes"}).status_code == 403
    decision.refresh_from_db()
    assert decision.reason == "同意"


def test_certificates_and_the_reading_log_stay_as_recorded(world, records, client_for):
    client = client_for(world.admin)
    cert, view = Certificate.objects.get(), ViewLog.objects.get()
    assert client.post(f"/admin/access/certificate/{cert.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/access/viewlog/{view.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Certificate.objects.filter(pk=cert.pk, revoked=False).exists() and ViewLog.objects.exists()


def test_purposes_are_editable_data(world, client_for):
    response = client_for(world.admin).post(
        "/admin/access/purpose/add/", {"name": "寻根问祖", "order": 9, "active": "on"}
    )
    assert (
        response.status_code == 302
        and "寻根问祖" in client_for(world.admin).get("/admin/access/purpose/").content.decode()
    )


def test_other_personas_are_kept_out_of_the_admin(world, client_for):
    for user in (world.staff, world.archivist_a, world.reader):
        assert client_for(user).get("/admin/access/decision/").status_code == 302


def test_notices_are_listed_in_the_admin(world, client_for):
    assert client_for(world.admin).get("/admin/portal/notice/").status_code == 200
