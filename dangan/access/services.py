"""Workflows of utilisation that span several models and are called from views, the API and jobs."""

import datetime

from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from dangan.access.choices import ViewAction
from dangan.access.models import Loan, ViewLog, display_name
from dangan.core.choices import AuditAction
from dangan.core.models import record

REMIND_EVERY = datetime.timedelta(days=7)


def send_overdue_reminders(now=None) -> int:
    """Remind every borrower of an overdue loan, at most once a week each; return how many were reminded."""
    now = now or timezone.now()
    loans = Loan.objects.overdue(timezone.localdate(now)).select_related("item", "borrower")
    count = 0
    for loan in loans:
        if loan.reminded_at and now - loan.reminded_at < REMIND_EVERY:
            continue
        _remind(loan)
        loan.reminded_at = now
        loan.save(update_fields=["reminded_at"])
        record(AuditAction.ACTION, loan, message=f"overdue reminder, due {loan.due_date}")
        count += 1
    return count


def _remind(loan: Loan) -> None:
    if not loan.borrower.email:
        return  # the overdue list shows them to the archivist, who telephones
    body = _("%(name)s：您借出的档案 %(code)s 应于 %(due)s 归还，现已逾期，请尽快归还。") % {
        "name": display_name(loan.borrower),
        "code": loan.item.reference_code,
        "due": loan.due_date,
    }
    send_mail(_("档案逾期未还提醒"), body, None, [loan.borrower.email], fail_silently=True)


def log_view(request_obj, file, user, page=None, action=ViewAction.VIEW, ip=None) -> ViewLog:
    return ViewLog.objects.create(request=request_obj, file=file, user=user, page=page, action=action, ip=ip)
