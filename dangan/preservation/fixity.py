"""Fixity audit: re-read every stored file on all cores, compare digests, record the outcome, raise alerts.

Worker threads only read and hash (hashlib releases the GIL while it hashes, so one thread a core keeps the
cores busy, without starting processes); the calling thread writes events and alerts in batches meanwhile.
"""

import os
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from dangan.core.bulk import insert_rows
from dangan.core.choices import AuditAction
from dangan.core.models import append, new_entry
from dangan.preservation import fixity_worker
from dangan.preservation.choices import EventType, FileStatus, Outcome
from dangan.preservation.models import DigitalFile, PreservationEvent, default_agent
from dangan.preservation.storage import get_storage

CHUNK_BYTES = 16 * 1024 * 1024
EVENT_COLUMNS = ("file", "event_type", "at", "agent", "outcome", "detail", "data")
CHUNK_FILES = 200


@dataclass
class AuditReport:
    files: int = 0
    bytes: int = 0
    ok: int = 0
    damaged: int = 0
    missing: int = 0
    seconds: float = 0.0
    workers: int = 1
    worker_cpu_seconds: float = 0.0  # CPU time of the hashing threads: independent of other load

    @property
    def mb_per_second(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (
            f"{self.files} files, {self.bytes / 1e6:.1f} MB in {self.seconds:.2f} s "
            f"({self.mb_per_second:.0f} MB/s, "
            f"{self.files / self.seconds if self.seconds else 0:.0f} files/s, "
            f"{self.workers} threads): {self.ok} ok, {self.damaged} damaged, {self.missing} missing"
        )


def audit(queryset=None, workers: int | None = None, sm3: bool = False, progress=None) -> AuditReport:
    """Re-hash the files of ``queryset`` (all stored files by default) and record what was found."""
    queryset = queryset if queryset is not None else DigitalFile.objects.complete()
    # Plain values, not model instances: an audit may load millions of rows and needs seven fields of each.
    rows = {values[0]: _Stored(*values) for values in queryset.values_list(*_Stored._fields)}
    algorithms = ("sha256", "sm3") if sm3 else ("sha256",)
    tasks = [(pk, row.storage_key, algorithms) for pk, row in rows.items()]
    # Biggest first, so one large file does not finish alone at the end while other cores idle.
    tasks.sort(key=lambda t: -rows[t[0]].size)
    chunks = _chunks(tasks, rows)
    report = AuditReport(workers=workers or os.cpu_count() or 1)
    started = time.perf_counter()
    pending_events, pending_alerts, updates = [], [], {}
    storage = get_storage()
    with ThreadPoolExecutor(report.workers, thread_name_prefix="fixity") as pool:
        for pk, result, cpu_seconds in _hashed(pool, storage, chunks, report.workers):
            report.worker_cpu_seconds += cpu_seconds
            _judge(rows[pk], result, report, pending_events, pending_alerts, updates)
            if progress:
                progress(report.files, len(tasks))
            if len(pending_events) >= 500:
                _flush(pending_events, pending_alerts, updates)
    _flush(pending_events, pending_alerts, updates)
    report.seconds = time.perf_counter() - started
    return report


def _chunks(tasks, rows, most_bytes=CHUNK_BYTES, most_files=CHUNK_FILES):
    """Tasks grouped so that each thread's share is worth a future: a large file alone, small ones together
    (one future per 4 KiB file cost more than hashing it)."""
    chunks, chunk, size = [], [], 0
    for task in tasks:
        chunk.append(task)
        size += rows[task[0]].size
        if size >= most_bytes or len(chunk) >= most_files:
            chunks.append(chunk)
            chunk, size = [], 0
    if chunk:
        chunks.append(chunk)
    return chunks


def _hashed(pool, storage, chunks, workers):
    """Results in the order they finish, with a few chunks queued a worker: never all futures at once."""
    todo, running = iter(chunks), set()
    while True:
        for chunk in todo:
            running.add(pool.submit(fixity_worker.hash_many, storage, chunk))
            if len(running) >= workers * 4:
                break
        if not running:
            return
        done, running = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            yield from future.result()


class _Stored(NamedTuple):
    pk: int
    storage_key: str
    size: int
    sha256: str
    sm3: str | None
    status: str
    original_name: str


def _judge(row: _Stored, result, report, events, alerts, updates) -> None:
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
    events.append((row.pk, agent, outcome, detail[:1000]))
    updates.setdefault(status, []).append(row.pk)
    if outcome == Outcome.FAILURE and row.status != status:
        alerts.append(
            new_entry(
                AuditAction.ACTION,
                object_type=DigitalFile._meta.label_lower,
                object_id=str(row.pk),
                object_repr=row.original_name,
                message=f"fixity alert: {detail}"[:500],
                changes={"status": {"before": row.status, "after": status}},
            )
        )


def _flush(events, alerts, updates) -> None:
    now = timezone.now()
    with transaction.atomic():
        _insert_events(events, now)
        append(alerts)
        for status, pks in updates.items():
            DigitalFile.objects.filter(pk__in=pks).update(status=status, fixity_checked_at=now)
    events.clear()
    alerts.clear()
    updates.clear()


def _insert_events(events, now) -> None:
    """One statement for a batch of fixity events: an audit writes one per file, and for small files building
    and saving model instances cost more than hashing them."""
    if not events:
        return
    fields = [PreservationEvent._meta.get_field(name) for name in EVENT_COLUMNS]
    at = connection.ops.adapt_datetimefield_value(now)
    check = EventType.FIXITY_CHECK.value
    # Plain values: a driver may write an enum member by its name, not its value.
    insert_rows(
        PreservationEvent,
        fields,
        [(pk, check, at, agent, outcome.value, detail, "{}") for pk, agent, outcome, detail in events],
    )
