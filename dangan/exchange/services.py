"""Import batches (upload → preview → validate → commit) over the importer, for the web UI and the API."""

import uuid
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from dangan.catalogue.models import Fonds
from dangan.core.jobs import enqueue
from dangan.exchange import reports
from dangan.exchange.choices import BatchStatus
from dangan.exchange.columns import detect
from dangan.exchange.importer import Outcome, import_catalogue
from dangan.exchange.models import ImportBatch, uploads_dir
from dangan.exchange.readers import FileRejected, open_table

PREVIEW_ROWS = 10


def start_batch(upload, *, fonds, category, user, key) -> ImportBatch:
    """Store an uploaded file and read its header; refuses a fonds the user may not file into."""
    if not Fonds.objects.restrict(user, "file").filter(pk=fonds.pk).exists():
        raise PermissionDenied(_("您无权向全宗“%(fonds)s”归档") % {"fonds": fonds})
    suffix = Path(upload.name).suffix.lower()[:10]
    stored_as = f"{uuid.uuid4().hex}{suffix}"
    path = uploads_dir() / stored_as
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    batch = ImportBatch(
        created_by=user,
        fonds=fonds,
        category=category,
        file_name=upload.name[:255],
        stored_as=stored_as,
        size=path.stat().st_size,
        key=key,
    )
    try:
        table = open_table(path, upload.name)
    except FileRejected:
        path.unlink(missing_ok=True)
        raise
    try:
        batch.headers = table.headers
        mapping, _unknown = detect(table.headers, category)
        batch.mapping = {str(position): target for position, target in mapping.items()}
    finally:
        table.close()
    batch.save()
    return batch


def preview(batch: ImportBatch) -> list[tuple]:
    table = open_table(batch.path, batch.file_name)
    try:
        rows = []
        for _number, values in table.rows:
            rows.append(tuple("" if v is None else str(v) for v in values))
            if len(rows) >= PREVIEW_ROWS:
                break
        return rows
    finally:
        table.close()


def unknown_columns(batch: ImportBatch) -> list[str]:
    mapped = batch.int_mapping()
    return [h for position, h in enumerate(batch.headers) if h and position not in mapped]


def run_batch(batch_id: int, *, commit: bool, progress=None) -> Outcome:
    """Validate (a dry run) or commit the batch, record the outcome and write the full error report."""
    batch = ImportBatch.objects.select_related("fonds", "category", "created_by").get(pk=batch_id)
    outcome = import_catalogue(
        batch.path,
        fonds=batch.fonds,
        category=batch.category,
        user=batch.created_by,
        name=batch.file_name,
        mapping=batch.int_mapping(),
        key=batch.key,
        dry_run=not commit,
        progress=progress,
    )
    reports.write_csv(outcome.errors, batch.report_path)
    batch.record_outcome(outcome, committed=outcome.committed)
    if outcome.committed:
        batch.path.unlink(missing_ok=True)  # the records are stored; the upload is not kept as a second copy
    return outcome


def queue(batch: ImportBatch, *, commit: bool):
    """Validate (``commit=False``) or commit the batch as a background job; its page shows the progress."""
    with transaction.atomic():
        batch.status = BatchStatus.QUEUED
        batch.job = enqueue("exchange.import", batch=batch.pk, commit=commit)
        batch.save(update_fields=["status", "job"])
    return batch.job
