"""Access requests: open items at once, controlled items after approval, and the approval rules."""

import pytest
from django.core.exceptions import ValidationError

from dangan.access.choices import Mode, RequestStatus, Step
from dangan.access.models import AccessRequest, Decision
from dangan.access.testing import make_controlled, make_public_reader, purpose
from dangan.catalogue.choices import SecurityLevel
from dangan.core.models import AuditEntry
from dangan.testing import make_item

pytestmark = pytest.mark.django_db


def test_open_items_are_granted_at_once(world):
    item = make_item(world.fonds_a)
    req = AccessRequest.submit(world.reader, [item], purpose(), Mode.ONLINE)
    assert req.status == RequestStatus.GRANTED
    assert req.number.startswith("LY") and req.valid_until is not None
    assert [e.status_to for e in req.events.all()] == [RequestStatus.PENDING, RequestStatus.GRANTED]


def test_controlled_item_waits_for_the_holding_units_archivist(world):
    reader = make_public_reader()
    item = make_controlled(world.fonds_a, listed_by=world.staff)
    req = AccessRequest.submit(reader, [item], purpose(), Mode.ONLINE, "查阅土地承包情况")
    assert req.status == RequestStatus.PENDING
    assert req.required_steps() == [(Step.UNIT, world.unit_a.pk)]
    with pytest.raises(ValidationError, match="没有需要您审批"):
        req.approve(by=world.archivist_b, reason="")
    req.approve(by=world.archivist_a, reason="同意查阅")
    assert req.status == RequestStatus.GRANTED
    decision = req.decisions.get()
    assert decision.by == world.archivist_a and decision.reason == "同意查阅" and decision.approved


def test_bureau_approves_after_the_unit_where_configured(world, settings):
    settings.DANGAN_ACCESS_BUREAU_APPROVAL = True
    item = make_controlled(world.fonds_a, listed_by=world.staff)
    req = AccessRequest.submit(make_public_reader(), [item], purpose(), Mode.ONLINE)
    req.approve(by=world.archivist_a, reason="")
    assert req.status == RequestStatus.PENDING
    assert req.missing_steps() == [(Step.BUREAU, None)]
    req.approve(by=world.staff, reason="同意")
    assert req.status == RequestStatus.GRANTED


def test_no_double_approval(world, settings):
    settings.DANGAN_ACCESS_BUREAU_APPROVAL = True
    item = make_controlled(world.fonds_a, listed_by=world.staff)
    req = AccessRequest.submit(make_public_reader(), [item], purpose(), Mode.ONLINE)
    req.approve(by=world.archivist_a)
    with pytest.raises(ValidationError, match="重复审批"):
        req.approve(by=world.archivist_a)
    req.approve(by=world.staff)
    with pytest.raises(ValidationError, match="已办结"):
        req.approve(by=world.admin)
    assert Decision.objects.filter(request=req).count() == 2


def test_nobody_approves_their_own_request(world):
    item = make_controlled(world.fonds_a)
    req = AccessRequest.submit(world.archivist_a, [item], purpose("工作查考"), Mode.ONSITE)
    with pytest.raises(ValidationError, match="本人"):
        req.approve(by=world.archivist_a)
    assert req.status == RequestStatus.PENDING


def test_a_refusal_needs_a_reason_and_ends_the_request(world):
    item = make_controlled(world.fonds_a, listed_by=world.staff)
    req = AccessRequest.submit(make_public_reader(), [item], purpose(), Mode.COPY)
    with pytest.raises(ValidationError):
        req.reject(by=world.archivist_a, reason=" ")
    req.reject(by=world.archivist_a, reason="涉及个人隐私")
    assert req.status == RequestStatus.REJECTED
    assert req.events.last().message == "涉及个人隐私"


def test_requests_for_items_that_do_not_exist_are_refused(world):
    with pytest.raises(ValidationError, match="不存在或您无权申请"):
        AccessRequest.submit(world.reader, [999999], purpose(), Mode.ONLINE)
    with pytest.raises(ValidationError, match="至少"):
        AccessRequest.submit(world.reader, [], purpose(), Mode.ONLINE)


def test_public_readers_request_only_what_the_portal_lists(world):
    reader = make_public_reader()
    unlisted = make_controlled(world.fonds_a)
    secret = make_item(world.fonds_a, security_level=SecurityLevel.SECRET, title="秘密件")
    for item in (unlisted, secret):
        with pytest.raises(ValidationError, match="不存在或您无权申请"):
            AccessRequest.submit(reader, [item], purpose(), Mode.ONLINE)
    assert not AccessRequest.objects.exists()


def test_internal_users_request_any_item_they_can_see(world):
    other_units = make_controlled(world.fonds_b)
    own = make_controlled(world.fonds_a)
    req = AccessRequest.submit(world.archivist_a, [own], purpose("工作查考"), Mode.ONSITE)
    assert req.status == RequestStatus.PENDING
    with pytest.raises(ValidationError):
        AccessRequest.submit(world.archivist_a, [other_units], purpose("工作查考"), Mode.ONSITE)


def test_items_of_two_units_need_both_archivists(world):
    a, b = make_controlled(world.fonds_a), make_controlled(world.fonds_b)
    req = AccessRequest.submit(world.staff, [a, b], purpose("工作查考"), Mode.ONSITE)
    req.approve(by=world.archivist_a)
    assert req.status == RequestStatus.PENDING
    req.approve(by=world.archivist_b)
    assert req.status == RequestStatus.GRANTED


def test_only_the_requester_cancels_a_pending_request(world):
    req = AccessRequest.submit(world.staff, [make_controlled(world.fonds_a)], purpose(), Mode.ONSITE)
    with pytest.raises(ValidationError):
        req.cancel(by=world.archivist_a)
    req.cancel(by=world.staff)
    assert req.status == RequestStatus.CANCELLED


def test_decisions_are_audited(world):
    item = make_controlled(world.fonds_a, listed_by=world.staff)
    req = AccessRequest.submit(make_public_reader(), [item], purpose(), Mode.ONLINE)
    req.approve(by=world.archivist_a, reason="同意")
    assert AuditEntry.objects.filter(
        object_type="access.decision", object_id=str(req.decisions.get().pk)
    ).exists()
    assert AuditEntry.objects.filter(object_type="access.accessrequest", object_id=str(req.pk)).count() >= 2


def test_overlong_note_is_refused(world):
    with pytest.raises(ValidationError):
        AccessRequest.submit(world.reader, [make_item(world.fonds_a)], purpose(), Mode.ONLINE, "长" * 1001)


def test_internal_request_form_by_reference_code(world, client_for):
    own, other = make_controlled(world.fonds_a), make_controlled(world.fonds_b)
    client = client_for(world.archivist_a)
    form = {"purpose": purpose("工作查考").pk, "mode": "onsite", "note": ""}
    page = client.post(
        "/access/requests/new/", {**form, "items": f"{own.reference_code}\n{other.reference_code}"}
    )
    assert other.reference_code in page.content.decode() and not AccessRequest.objects.exists()
    response = client.post("/access/requests/new/", {**form, "items": own.reference_code})
    req = AccessRequest.objects.get()
    assert response.status_code == 302 and list(req.items.all()) == [own]
    assert client_for(world.reader).get("/access/requests/new/").status_code == 200
    assert client_for(None).get("/access/requests/new/").status_code == 302
