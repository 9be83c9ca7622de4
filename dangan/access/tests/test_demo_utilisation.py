"""The demo district comes with utilisation, so the dashboard, the lists and the portal are not empty."""

import pytest
from django.utils import timezone

from dangan.access import certificates, statistics
from dangan.access.choices import RequestStatus, ReviewDecision
from dangan.access.models import AccessRequest, Certificate, Effect, Loan, OpenReview, Reader, public_items
from dangan.accounts.models import User
from dangan.demo import load_demo
from dangan.portal.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    return load_demo(items=300)


def test_the_demo_has_registered_readers_with_valid_id_numbers(demo):
    readers = Reader.objects.all()
    assert readers.count() >= 5 and Reader.objects.filter(user__username="reader").exists()
    for reader in readers:
        reader.full_clean()  # the check digit of every ID number is right


def test_the_demo_has_requests_in_every_state(demo):
    states = set(AccessRequest.objects.values_list("status", flat=True))
    assert states == set(RequestStatus.values)
    archivist = User.objects.get(username="archivist")
    waiting = AccessRequest.objects.restrict(archivist, "decide")
    assert waiting.exists(), "the demo archivist finds requests to decide"


def test_the_demo_has_loans_one_of_them_overdue(demo):
    assert Loan.objects.active().count() == 2 and Loan.objects.overdue().count() == 1
    assert Loan.objects.filter(returned_at__isnull=False).exists()


def test_the_demo_certificate_verifies(demo):
    certificate = Certificate.objects.get()
    assert certificates.verify(certificate.code, certificate.pdf).valid


def test_the_demo_has_open_review_batches_and_published_entries(demo):
    decisions = set(OpenReview.objects.values_list("decision", flat=True))
    assert decisions == {ReviewDecision.OPEN, ReviewDecision.DEFER}
    deferred = OpenReview.objects.filter(decision=ReviewDecision.DEFER).values("item")
    assert public_items().filter(pk__in=deferred).exists(), "deferred with the catalogue entry published"


def test_the_demo_fills_the_statistics_effects_and_notices(demo):
    staff = User.objects.get(username="staff")
    report = statistics.report(staff, *statistics.year_bounds(timezone.localdate().year))
    assert report.total.person_times >= 10 and report.total.certificates == 1
    assert Effect.objects.exists()
    assert Notice.objects.published().count() == 3 and Notice.objects.filter(published=False).exists()
