"""开放审核: items reaching OPEN_AFTER_YEARS are listed by fonds and opened or deferred in batches."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangan.access.choices import ReviewDecision
from dangan.access.models import CatalogueListing, OpenReview, due_for_review, public_items
from dangan.access.testing import make_controlled
from dangan.catalogue.choices import ControlStatus
from dangan.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _old(fonds, years_ago=30, **kwargs):
    return make_controlled(fonds, year=timezone.localdate().year - years_ago, **kwargs)


def test_items_reaching_the_period_are_due(world, settings):
    settings.OPEN_AFTER_YEARS = 25
    old, young = _old(world.fonds_a, 26), _old(world.fonds_a, 10)
    other_fonds = _old(world.fonds_b, 40)
    assert set(due_for_review()) == {old, other_fonds}
    assert list(due_for_review(world.fonds_a)) == [old]
    assert young not in due_for_review()
    settings.OPEN_AFTER_YEARS = 5
    assert young in due_for_review()


def test_opening_a_batch_marks_the_items_open_and_is_audited(world):
    items = [_old(world.fonds_a) for _ in range(3)]
    reviews = OpenReview.decide_batch(items, ReviewDecision.OPEN, world.staff, "经审核无不宜开放内容")
    assert len({r.batch for r in reviews}) == 1
    for item in items:
        item.refresh_from_db()
        assert item.control == ControlStatus.OPEN
        assert item in public_items()
        change = AuditEntry.objects.filter(
            object_type="catalogue.item", object_id=str(item.pk), action="update"
        )
        assert change.filter(changes__after__control="open").exists()
    assert not due_for_review().exists()
    assert AuditEntry.objects.filter(object_type="access.openreview").count() == 3


def test_deferring_needs_a_reason_and_keeps_items_controlled(world):
    item = _old(world.fonds_a)
    with pytest.raises(ValidationError, match="理由"):
        OpenReview.decide_batch([item], ReviewDecision.DEFER, world.staff, "")
    OpenReview.decide_batch([item], ReviewDecision.DEFER, world.staff, "涉及个人隐私", defer_years=5)
    item.refresh_from_db()
    assert item.control == ControlStatus.CONTROLLED and item not in public_items()
    assert item not in due_for_review(), "deferred items come back when the deferral ends"


def test_only_bureau_staff_review(world):
    with pytest.raises(ValidationError):
        OpenReview.decide_batch([_old(world.fonds_a)], ReviewDecision.OPEN, world.archivist_a)


def test_review_pages_for_bureau_only(world, client_for):
    item = _old(world.fonds_a)
    assert client_for(world.archivist_a).get("/access/review/").status_code == 403
    assert client_for(world.reader).post("/access/review/decide/", {"items": [item.pk]}).status_code == 403
    page = client_for(world.staff).get("/access/review/").content.decode()
    assert item.reference_code in page
    response = client_for(world.staff).post(
        "/access/review/decide/",
        {"items": [item.pk], "decision": "defer", "reason": "待解密", "defer_years": 3, "list_entry": "on"},
    )
    assert response.status_code == 302
    assert CatalogueListing.objects.filter(item=item).exists() and item in public_items()
