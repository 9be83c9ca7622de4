"""Capture: storing files of items and volumes, and recovering from an ingest that was cut short.

``ingest_file`` is what the web upload, the API, the folder and bag imports all call. A file is written to a
staging file while its SHA-256 is computed, identified and characterised from that local copy, committed to
storage under its content address, and only then marked complete, in one transaction with its events. The
rows of a batch (all files of one item) become complete together, so an item is never half captured.
"""

import contextlib
import socket
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from dangan.catalogue.models import Item, Volume
from dangan.catalogue.services import items_changed
from dangan.core.audit import snapshot
from dangan.core.choices import AuditAction, JobStatus
from dangan.core.models import Job, append, new_entry, record
from dangan.core.permissions import ADD, require
from dangan.lib.processes import process_alive
from dangan.preservation import formats
from dangan.preservation.choices import EventType, FileRole, FileStatus, Outcome, TextStatus
from dangan.preservation.models import DigitalFile, PreservationEvent, default_agent
from dangan.preservation.storage import StagedBlob, get_storage, key_for

EXTRACTABLE_MIMES = {
    "application/pdf",
    "text/plain",
    formats.OFD_MIME,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class IngestError(Exception):
    """A file that cannot be captured, with a message for the person who sent it."""


def owner_name() -> str:
    import os

    return f"{socket.gethostname()}:{os.getpid()}"


def clean_filename(name: str) -> str:
    """The name as it will be kept: the last path step, NFC-normalised, with no control characters."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/")
    name = PurePosixPath(name).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if name in ("", ".", ".."):
        raise IngestError(_("文件名为空或无效"))
    return name[:255]


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def needs_text(info: formats.FormatInfo, characterisation: dict) -> bool:
    return info.mime in EXTRACTABLE_MIMES or info.mime.startswith("image/")


@dataclass
class IngestBatch:
    """Files captured together: all complete at the end of the batch, or none.

    ``add`` only writes a staging file (hashed on the way, not yet flushed to disk). ``complete`` then, for
    the whole batch: inserts the rows as pending (with the keys they will have, so a kill from here on leaves
    rows that name what to clean up), makes the files durable and renames them under their keys (the disk
    backend fsyncs them together), and marks the rows complete in one transaction with their events.
    """

    user: object = None
    agent: str = ""
    identify: bool = True
    files: list[DigitalFile] = field(default_factory=list)
    events: list[PreservationEvent] = field(default_factory=list)
    _staged: list = field(default_factory=list)
    _taken: dict = field(default_factory=dict)
    _completed: bool = False

    def add(
        self,
        target: Item | Volume,
        stream: BinaryIO,
        filename: str,
        role: str = FileRole.ORIGINAL,
        expected_sha256: str | None = None,
    ) -> DigitalFile:
        name = clean_filename(filename)
        self._check_allowed(target, name, role)
        row = DigitalFile(
            original_name=name,
            size=0,
            sha256="",
            storage_key="",
            role=role,
            status=FileStatus.PENDING,
            ingest_owner=owner_name(),
            identified=self.identify,
            created_by=self.user if getattr(self.user, "pk", None) else None,
        )
        setattr(row, "item" if isinstance(target, Item) else "volume", target)
        self._staged.append((row, self._stage(row, stream, expected_sha256)))
        self.files.append(row)
        return row

    def _check_allowed(self, target, name: str, role: str) -> None:
        if role not in FileRole.values:
            raise IngestError(_("未知的文件用途“%(role)s”") % {"role": role})
        kind = "item" if isinstance(target, Item) else "volume"
        taken = self._taken.get((kind, target.pk))
        if taken is None:  # first file of this target in the batch: permission and the names it has
            if self.user is not None:
                require(self.user, ADD, DigitalFile(**{kind: target}))
            taken = self._taken[(kind, target.pk)] = _names_of(kind, target.pk)
        if _name_key(name) in taken:
            raise IngestError(_clash(name, taken[_name_key(name)]))
        taken[_name_key(name)] = name

    def _stage(self, row: DigitalFile, stream: BinaryIO, expected_sha256: str | None) -> StagedBlob:
        staged = get_storage().stage()
        try:
            staged.copy_from(stream)
            sha256 = staged.close()
            if expected_sha256 and expected_sha256.lower() != sha256:
                raise IngestError(
                    _("“%(name)s”的 SHA-256 与提交的摘要不符：应为 %(expected)s，实为 %(found)s")
                    % {"name": row.original_name, "expected": expected_sha256, "found": sha256}
                )
            if self.identify:
                info = formats.identify(staged.path, row.original_name)
                characterisation = formats.characterise(staged.path, info)
        except BaseException as e:
            staged.discard()
            if isinstance(e, OSError):
                raise IngestError(_store_failed(row.original_name, e)) from e
            raise
        row.sha256, row.size, row.storage_key = sha256, staged.size, key_for(sha256)
        agent = self.agent or default_agent()
        self.events.extend(capture_events(row, agent, expected_sha256))
        if self.identify:
            apply_identification(row, info, characterisation)
            self.events.append(identification_event(row, info, agent))
        return staged

    def complete(self) -> None:
        """Store the batch and mark it complete: one insert, one update, one audit append, one event insert.

        Each file is audited as created now, when it becomes part of its item, with its final values; the
        search index hears of the batch's items once through ``items_changed`` (bulk_create sends no
        post_save).
        """
        rows = self.files
        if not rows:
            return
        try:
            # Committed before any blob is, so a blob never exists that no row names; pending rows are not
            # part of their item (lists show complete files only) and are not audited until complete.
            DigitalFile.objects.bulk_create(rows, batch_size=500)
            self._check_names_again()
            storage = get_storage()
            try:
                storage.commit_many([(staged, row.sha256) for row, staged in self._staged])
            except OSError as e:
                names = "、".join(row.original_name for row in rows[:3]) + ("…" if len(rows) > 3 else "")
                raise IngestError(_store_failed(names, e)) from e
        except BaseException:
            self.abandon()
            raise
        try:
            self._mark_complete()
        except BaseException:
            if not self._completed:  # rolled back: the rows are pending still; once committed they stay
                self.abandon()
            raise

    def _mark_complete(self) -> None:
        rows = self.files
        for row in rows:
            row.status, row.ingest_owner = FileStatus.COMPLETE, ""
        with transaction.atomic():
            transaction.on_commit(self._set_completed)
            DigitalFile.objects.filter(pk__in=[row.pk for row in rows]).update(
                status=FileStatus.COMPLETE, ingest_owner=""
            )
            append(
                [
                    new_entry(AuditAction.CREATE, row, changes={"after": row._audit_filter(snapshot(row))})
                    for row in rows
                ]
            )
            PreservationEvent.objects.bulk_create(self.events, batch_size=1000)
            for row in rows:
                row._audit_before = snapshot(row)
            # Once per batch, not per file: on PostgreSQL each notice rebuilds the item's search row.
            item_ids = sorted({row.item_id for row in rows if row.item_id})
            items_changed.send(sender=DigitalFile, item_ids=item_ids)
            transaction.on_commit(after_capture)

    def _set_completed(self) -> None:
        self._completed = True

    def _check_names_again(self) -> None:
        # Names were checked when each file was added; a batch running at the same time may have taken one
        # since. Its rows are inserted by now as ours are, so both see each other here: the row inserted
        # first keeps the name (a complete file always does), so exactly one of two racing uploads wins.
        mine = {row.pk for row in self.files}
        added: dict = {}
        for row in self.files:
            kind = "item" if row.item_id else "volume"
            added.setdefault((kind, row.item_id or row.volume_id), []).append(row)
        for (kind, pk), rows in added.items():
            others = DigitalFile.objects.filter(**{kind: pk}).exclude(pk__in=mine)
            holders = {}
            for other_pk, name, status in others.values_list("pk", "original_name", "status"):
                holders.setdefault(_name_key(name), []).append((other_pk, name, status))
            for row in rows:
                for other_pk, name, status in holders.get(_name_key(row.original_name), ()):
                    if status != FileStatus.PENDING or other_pk < row.pk:
                        raise IngestError(_clash(row.original_name, name))

    @contextlib.contextmanager
    def savepoint(self):
        """Files added inside are dropped if it raises, and the batch goes on without them (a folder ingest
        puts several items in one batch, and one item's bad file must not cost the others)."""
        files, events = len(self.files), len(self.events)
        taken = {key: dict(names) for key, names in self._taken.items()}
        try:
            yield
        except BaseException:
            for _row, staged in self._staged[files:]:
                staged.discard()
            del self.files[files:], self._staged[files:], self.events[events:]
            self._taken = taken
            raise

    def abandon(self) -> None:
        for _row, staged in self._staged:
            staged.discard()
        self._staged = []
        rows = [row for row in self.files if row.pk]
        self.files = []
        remove_rows(rows)


def _names_of(kind: str, pk: int, exclude=()) -> dict[str, str]:
    names = DigitalFile.objects.filter(**{kind: pk}).exclude(pk__in=exclude)
    return {_name_key(n): n for n in names.values_list("original_name", flat=True)}


def _clash(name: str, other: str) -> str:
    return _("“%(name)s”与已有文件“%(other)s”重名（不区分大小写和编码形式）") % {"name": name, "other": other}


def _store_failed(name: str, error: OSError) -> str:
    return _("存储“%(name)s”失败：%(error)s") % {"name": name, "error": error.strerror or error}


def capture_events(row, agent, expected_sha256) -> list[PreservationEvent]:
    return [
        PreservationEvent(
            file=row,
            event_type=EventType.CAPTURE,
            agent=agent,
            detail=f"{row.original_name} {row.size} bytes",
            data={"role": row.role},
        ),
        PreservationEvent(
            file=row,
            event_type=EventType.MESSAGE_DIGEST,
            agent=agent,
            detail=f"SHA-256 {row.sha256}" + (" = " + _("提交的摘要") if expected_sha256 else ""),
            data={"sha256": row.sha256},
        ),
    ]


def apply_identification(row, info: formats.FormatInfo, characterisation: dict) -> None:
    row.mime, row.puid, row.format_name = info.mime, info.puid, info.format_name
    row.characterisation, row.identified = characterisation, True
    row.text_status = TextStatus.PENDING if needs_text(info, characterisation) else TextStatus.NONE


def identification_event(row, info: formats.FormatInfo, agent: str) -> PreservationEvent:
    identified = bool(info.puid or info.mime)
    outcome = Outcome.SUCCESS if identified and not info.extension_mismatch else Outcome.WARNING
    detail = f"{info.puid or '-'} {info.format_name or _('未识别')} ({info.mime or '-'}) {info.method}"
    if info.extension_mismatch:
        detail += " · " + _("扩展名与实际格式不符")
    return PreservationEvent(
        file=row,
        event_type=EventType.FORMAT_IDENTIFICATION,
        agent=agent,
        outcome=outcome,
        detail=detail,
        data=info.as_dict(),
    )


def identify_pending(progress=None) -> int:
    """Identify and characterise the files a bulk ingest stored without doing so."""
    from dangan.preservation.extraction import local_copy

    todo = list(DigitalFile.objects.complete().filter(identified=False).order_by("pk"))
    for number, row in enumerate(todo, 1):
        try:
            with local_copy(row) as path:
                info = formats.identify(path, row.original_name)
                characterisation = formats.characterise(path, info)
        except OSError:
            continue  # a missing blob is the fixity audit's finding
        apply_identification(row, info, characterisation)
        DigitalFile.objects.filter(pk=row.pk).update(
            mime=row.mime,
            puid=row.puid,
            format_name=row.format_name,
            characterisation=row.characterisation,
            identified=True,
            text_status=row.text_status,
        )
        identification_event(row, info, default_agent()).save()
        if progress:
            progress(number, len(todo))
    return len(todo)


@contextlib.contextmanager
def ingest_batch(user=None, agent: str = "", identify: bool = True):
    """Capture files together; ``identify=False`` (bulk ingests) leaves format identification to a job."""
    batch = IngestBatch(user=user, agent=agent, identify=identify)
    try:
        yield batch
    except BaseException:
        batch.abandon()
        raise
    batch.complete()


def ingest_file(
    target: Item | Volume,
    stream: BinaryIO,
    filename: str,
    role: str = FileRole.ORIGINAL,
    user=None,
    expected_sha256: str | None = None,
) -> DigitalFile:
    """Capture one file of an item or volume; ``user`` None is the command line acting as the system."""
    with ingest_batch(user) as batch:
        return batch.add(target, stream, filename, role, expected_sha256)


def remove_file(f: DigitalFile, user, reason: str) -> None:
    """Take a file away from its item (a wrong upload): who may change the item may, with a reason.

    The audit trail keeps the file's full description and the reason; the bytes go once nothing else
    refers to them. Its PREMIS events go with the row, so the deletion event is in the audit trail.
    """
    from dangan.core.audit import record_deletion
    from dangan.core.permissions import CHANGE

    if user is not None:
        require(user, CHANGE, f)
    if not reason.strip():
        raise IngestError(_("请说明删除原因"))
    with transaction.atomic():
        record(
            AuditAction.ACTION,
            f,
            message=f"{EventType.DELETION}: {reason}"[:500],
            changes={"sha256": f.sha256, "size": f.size, "storage_key": f.storage_key},
        )
        record_deletion(f)
        key = f.storage_key
        f.delete()
        transaction.on_commit(lambda: _delete_blob_if_unreferenced(key))


def _delete_blob_if_unreferenced(key: str) -> None:
    if key and not DigitalFile.objects.filter(storage_key=key).exists():
        with contextlib.suppress(OSError):
            get_storage().delete(key)


def remove_rows(rows) -> None:
    """Delete file rows that never became complete, and their blobs if nothing else refers to them."""
    keys = {row.storage_key for row in rows if row.storage_key}
    DigitalFile.objects.filter(pk__in=[row.pk for row in rows]).delete()
    storage = get_storage()
    for key in keys:
        if not DigitalFile.objects.filter(storage_key=key).exists():
            with contextlib.suppress(OSError):
                storage.delete(key)


def recover_interrupted() -> dict:
    """Clear what ingests killed mid-way left: pending rows of dead processes, their blobs, staging files."""
    host = socket.gethostname()
    stale = []
    for row in DigitalFile.objects.filter(status=FileStatus.PENDING, ingest_owner__startswith=f"{host}:"):
        pid = row.ingest_owner.split(":", 1)[1]
        if not pid.isdigit() or not process_alive(int(pid)):
            stale.append(row)
    if stale:
        record(
            AuditAction.ACTION,
            None,
            object_type="preservation.digitalfile",
            message=f"removed {len(stale)} file(s) of an interrupted ingest",
            changes={"files": [f"{r.pk} {r.original_name}" for r in stale]},
        )
    remove_rows(stale)
    staging = get_storage().stale_staging_files()
    for path in staging:
        path.unlink(missing_ok=True)
    return {"rows": len(stale), "staging_files": len(staging)}


def ensure_job(name: str) -> None:
    """Queue ``name`` unless it is already waiting: one job works through all the files that need it."""
    from dangan.core.jobs import enqueue

    if not Job.objects.filter(name=name, status=JobStatus.PENDING).exists():
        enqueue(name)


def after_capture() -> None:
    for name in (
        "preservation.identify",
        "preservation.sm3",
        "preservation.capture_checks",
        "preservation.extract_text",
    ):
        ensure_job(name)


@dataclass
class StorageReport:
    orphans: list[str]
    dangling: list[tuple[int, str]]
    stale_pending: int
    staging_files: int

    @property
    def healthy(self) -> bool:
        return not (self.orphans or self.dangling or self.stale_pending or self.staging_files)


def storage_report() -> StorageReport:
    """Blobs stored but referenced by no file (orphans), files whose blob is gone (dangling), leftovers."""
    storage = get_storage()
    stored = set(storage.keys())
    referenced, pending_keys = {}, set()
    for pk, key, name, status in DigitalFile.objects.exclude(storage_key="").values_list(
        "pk", "storage_key", "original_name", "status"
    ):
        if status == FileStatus.PENDING:  # its blob may not be stored yet; not an orphan if it is
            pending_keys.add(key)
        else:
            referenced.setdefault(key, (pk, name))
    orphans = sorted(stored - set(referenced) - pending_keys)
    dangling = sorted((pk, f"{name} ({key})") for key, (pk, name) in referenced.items() if key not in stored)
    pending = DigitalFile.objects.filter(status=FileStatus.PENDING).count()
    return StorageReport(orphans, dangling, pending, len(storage.stale_staging_files()))


def remove_orphans(report: StorageReport) -> int:
    storage = get_storage()
    removed = 0
    for key in report.orphans:
        if not DigitalFile.objects.filter(storage_key=key).exists():  # re-check: an ingest may have begun
            storage.delete(key)
            removed += 1
    return removed


def mark_dangling(report: StorageReport) -> int:
    """Flag files whose blob is gone, so they show as missing (an alert) instead of failing later."""
    pks = [pk for pk, _ in report.dangling]
    rows = list(DigitalFile.objects.filter(pk__in=pks).exclude(status=FileStatus.MISSING))
    for row in rows:
        row.status = FileStatus.MISSING
        row.save(update_fields=["status"])
        row.add_event(EventType.FIXITY_CHECK, Outcome.FAILURE, "missing from storage (doctor)")
    return len(rows)
