"""Loans of physical items: one active loan per item, returns, renewals, overdue list and reminders."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from dangan.access.models import Loan
from dangan.access.services import send_overdue_reminders
from dangan.core.jobs import claim_next, enqueue, run
from dangan.testing import make_item


def test_an_item_on_loan_cannot_be_lent_twice(world):
    item = make_item(world.fonds_a)
    Loan.lend(item, world.reader, world.archivist_a)
    with pytest.raises(ValidationError, match="已借出"):
        Loan.lend(item, world.staff, world.archivist_a)
    assert Loan.objects.active().count() == 1


def test_returned_items_can_be_lent_again(world):
    item = make_item(world.fonds_a)
    loan = Loan.lend(item, world.reader, world.archivist_a)
    Loan.active_for(item).mark_returned(by=world.archivist_a)
    loan.refresh_from_db()
    assert loan.returned_at is not None and loan.returned_to == world.archivist_a
    Loan.lend(item, world.staff, world.archivist_a)


def test_returning_an_item_not_on_loan_is_refused(world):
    item = make_item(world.fonds_a)
    with pytest.raises(ValidationError, match="不在借出状态"):
        Loan.active_for(item)
    loan = Loan.lend(item, world.reader, world.archivist_a)
    loan.mark_returned(by=world.archivist_a)
    with pytest.raises(ValidationError, match="已于"):
        Loan.objects.get(pk=loan.pk).mark_returned(by=world.archivist_a)


def test_renewals_extend_the_due_date_up_to_the_limit(world, settings):
    settings.DANGAN_LOAN_MAX_RENEWALS = 1
    loan = Loan.lend(make_item(world.fonds_a), world.reader, world.archivist_a)
    due = loan.due_date
    loan.renew(by=world.archivist_a)
    assert loan.due_date > due and loan.renewals == 1
    with pytest.raises(ValidationError, match="不能再续借"):
        loan.renew(by=world.archivist_a)


def test_a_due_date_in_the_past_is_refused(world):
    with pytest.raises(ValidationError):
        Loan.lend(
            make_item(world.fonds_a),
            world.reader,
            world.archivist_a,
            timezone.localdate() - datetime.timedelta(days=1),
        )


def test_overdue_loans_are_listed_and_reminded_once_a_week(world):
    world.reader.email = "reader@example.org"
    world.reader.save()
    loan = Loan.lend(make_item(world.fonds_a), world.reader, world.archivist_a)
    Loan.objects.filter(pk=loan.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    assert list(Loan.objects.overdue()) == [loan]
    assert send_overdue_reminders() == 1
    assert send_overdue_reminders() == 0  # not again the same week
    later = timezone.now() + datetime.timedelta(days=8)
    assert send_overdue_reminders(now=later) == 1


def test_the_reminder_job_is_registered_and_runs(world):
    loan = Loan.lend(make_item(world.fonds_a), world.reader, world.archivist_a)
    Loan.objects.filter(pk=loan.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=1))
    enqueue("access.loan_reminders")
    job = run(claim_next("test"))
    assert job.status == "succeeded" and job.result == {"reminded": 1}


# serialized_rollback: the flush after a transactional test would also remove the data migrations' rows
# (purposes, categories) that later tests rely on.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_loans_of_one_item_lend_it_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers need PostgreSQL (DATABASE_URL=postgres://…)")
    item = make_item(world.fonds_a)
    borrowers = [world.reader, world.staff, world.archivist_b, world.admin, world.archivist_a] * 2
    barrier = threading.Barrier(len(borrowers))
    outcomes = []

    def attempt(borrower):
        try:
            barrier.wait()
            Loan.lend(item, borrower, world.archivist_a)
            outcomes.append("lent")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(b,)) for b in borrowers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("lent") == 1 and outcomes.count("refused") == len(borrowers) - 1
    assert Loan.objects.active().filter(item=item).count() == 1


def test_a_granted_borrow_request_is_lent_from_its_page(world, client_for):
    from dangan.access.choices import Mode
    from dangan.access.models import AccessRequest
    from dangan.access.testing import make_controlled, purpose

    item = make_controlled(world.fonds_a)
    req = AccessRequest.submit(world.staff, [item], purpose("工作查考"), Mode.BORROW)
    req.approve(by=world.archivist_a)
    client = client_for(world.archivist_a)
    page = client.get(f"/access/requests/{req.pk}/").content.decode()
    assert 'name="request"' in page
    client.post("/access/loans/new/", {"reference_code": item.reference_code, "borrower": "staff",
                                       "request": req.pk, "next": f"/access/requests/{req.pk}/"})
    assert Loan.objects.get().request == req
    other = make_item(world.fonds_a)
    client.post("/access/loans/new/", {"reference_code": other.reference_code, "borrower": "staff",
                                       "request": req.pk})
    assert not Loan.objects.filter(item=other).exists(), "the request does not hold that item"
