"""Fixity audit: re-read every stored file on all cores, compare digests, record the outcome, raise alerts.

Worker processes only read and hash (no database); the parent writes events and alerts in batches.
"""

import multiprocessing
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dangan.core.choices import AuditAction
from dangan.core.models import append, new_entry
from dangan.preservation import fixity_worker
from dangan.preservation.choices import EventType, FileStatus, Outcome
from dangan.preservation.models import DigitalFile, PreservationEvent, default_agent


@dataclass
class AuditReport:
    files: int = 0
    bytes: int = 0
    ok: int = 0
    damaged: int = 0
    missing: int = 0
    seconds: float = 0.0
    processes: int = 1
    worker_cpu_seconds: float = 0.0  # user + system time of the worker processes: independent of other load

    @property
    def mb_per_second(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (
            f"{self.files} files, {self.bytes / 1e6:.1f} MB in {self.seconds:.2f} s "
            f"({self.mb_per_second:.0f} MB/s, "
            f"{self.files / self.seconds if self.seconds else 0:.0f} files/s, "
            f"{self.processes} processes): {self.ok} ok, {self.damaged} damaged, {self.missing} missing"
        )


def audit(queryset=None, processes: int | None = None, sm3: bool = False, progress=None) -> AuditReport:
    """Re-hash the files of ``queryset`` (all stored files by default) and record what was found."""
    queryset = queryset if queryset is not None else DigitalFile.objects.complete()
    rows = {row.pk: row for row in queryset}
    algorithms = ("sha256", "sm3") if sm3 else ("sha256",)
    tasks = [(pk, row.storage_key, algorithms) for pk, row in rows.items()]
    # Biggest first, so one large file does not finish alone at the end while other cores idle.
    tasks.sort(key=lambda t: -rows[t[0]].size)
    report = AuditReport(processes=processes or os.cpu_count() or 1)
    started = time.perf_counter()
    pending_events, pending_alerts, updates = [], [], {}
    # Spawned, not forked: the caller may be a process with threads (the job thread of ``dangan up``).
    context = multiprocessing.get_context("spawn")
    config = {k: str(v) if isinstance(v, Path) else v for k, v in settings.DANGAN_STORAGE.items()}
    cpu_before = _children_cpu()
    pool = context.Pool(report.processes, initializer=fixity_worker.init, initargs=(config,))
    try:
        for pk, result, _seconds in pool.imap_unordered(fixity_worker.hash_one, tasks, chunksize=8):
            row = rows[pk]
            _judge(row, result, report, pending_events, pending_alerts, updates)
            if progress:
                progress(report.files, len(tasks))
            if len(pending_events) >= 500:
                _flush(pending_events, pending_alerts, updates)
        pool.close()
    finally:
        pool.terminate()
        pool.join()  # reaped, so their CPU time is counted below
    report.worker_cpu_seconds = _children_cpu() - cpu_before
    _flush(pending_events, pending_alerts, updates)
    report.seconds = time.perf_counter() - started
    return report


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _judge(row, result, report, events, alerts, updates) -> None:
    agent = default_agent()
    report.files += 1
    if result is None or "error" in (result or {}):
        report.missing += 1
        detail = "missing from storage" if result is None else f"unreadable: {result['error']}"
        status, outcome = FileStatus.MISSING, Outcome.FAILURE
    else:
        report.bytes += result["size"]
        mismatches = [
            name
            for name in ("sha256", "sm3")
            if name in result and getattr(row, name) and result[name] != getattr(row, name)
        ]
        if result["size"] != row.size:
            mismatches.append("size")
        if mismatches:
            report.damaged += 1
            detail = "digest mismatch: " + ", ".join(
                f"{n} recorded {getattr(row, n)} found {result[n]}" for n in mismatches
            )
            status, outcome = FileStatus.DAMAGED, Outcome.FAILURE
        else:
            report.ok += 1
            detail, status, outcome = "digests match", FileStatus.COMPLETE, Outcome.SUCCESS
    events.append(
        PreservationEvent(
            file_id=row.pk,
            event_type=EventType.FIXITY_CHECK,
            agent=agent,
            outcome=outcome,
            detail=detail[:1000],
        )
    )
    updates.setdefault(status, []).append(row.pk)
    if outcome == Outcome.FAILURE and row.status != status:
        alerts.append(
            new_entry(
                AuditAction.ACTION,
                row,
                message=f"fixity alert: {detail}"[:500],
                changes={"status": {"before": row.status, "after": status}},
            )
        )


def _flush(events, alerts, updates) -> None:
    with transaction.atomic():
        PreservationEvent.objects.bulk_create(events, batch_size=1000)
        append(alerts)
        now = timezone.now()
        for status, pks in updates.items():
            DigitalFile.objects.filter(pk__in=pks).update(status=status, fixity_checked_at=now)
    events.clear()
    alerts.clear()
    updates.clear()
