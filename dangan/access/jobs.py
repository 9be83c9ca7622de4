"""Periodic utilisation work: reminders for overdue loans."""

import datetime

from dangan.access.services import send_overdue_reminders
from dangan.core.jobs import JobRun, job, periodic


@job("access.loan_reminders")
def loan_reminders(run: JobRun) -> dict:
    sent = send_overdue_reminders()
    run.log(f"{sent} reminder(s)")
    return {"reminded": sent}


periodic("access.loan_reminders", datetime.timedelta(days=1))
