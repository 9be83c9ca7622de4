"""Keeping the index whole: rebuild it, and compare it with the catalogue."""

from dataclasses import dataclass, field

from dangan.search.backends import get_backend
from dangan.search.backends.base import Progress
from dangan.search.documents import documents


@dataclass
class CheckReport:
    items: int = 0
    missing: list[int] = field(default_factory=list)  # items not in the index
    stale: list[int] = field(default_factory=list)  # indexed with other values than the item has now
    orphaned: list[int] = field(default_factory=list)  # in the index, no longer in the catalogue

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def bulk_indexing(expected: int = 0):
    """Around a transaction that files or changes very many items (``expected`` of them, when the caller
    knows): see ``SearchBackend.bulk``."""
    return get_backend().bulk(expected=expected)


def rebuild(progress: Progress | None = None) -> int:
    return get_backend().rebuild(progress)


def check(progress: Progress | None = None) -> CheckReport:
    backend = get_backend()
    backend.catch_up()
    indexed = backend.fingerprints()
    report = CheckReport()
    for doc in documents():
        report.items += 1
        stored = indexed.pop(doc.item_id, None)
        if stored is None:
            report.missing.append(doc.item_id)
        elif stored != doc.fingerprint:
            report.stale.append(doc.item_id)
        if progress and report.items % 10000 == 0:
            progress(report.items, 0)
    report.orphaned = sorted(indexed)
    return report


def repair(report: CheckReport) -> None:
    backend = get_backend()
    if report.missing or report.stale:
        backend.items_changed(report.missing + report.stale)
    if report.orphaned:
        backend.items_deleted(report.orphaned)
    backend.catch_up()
