"""What the index holds for one item: its normalised text per field and the values searches filter on.

Backends index ``SearchDocument``s and nothing else, so every backend sees the same text and the same
permission fields.
"""

import hashlib
import json
import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, TextField, Value
from django.db.models.functions import Cast

from dangan.catalogue.models import Item
from dangan.core.bulk import field_values
from dangan.search.text import normalize

# Field name → weight in ranking. Title above creator and document number, above everything else.
TEXT_FIELDS = {"title": 3.0, "creator": 1.5, "document_number": 1.5, "other": 1.0, "full_text": 0.6}
# The item columns the text comes from; every one of them counts for recall (a LIKE over them).
SOURCE_COLUMNS = ("title", "creator", "document_number", "remarks", "reference_code", "extra", "full_text")
FILTER_COLUMNS = ("fonds_id", "category_id", "year", "retention_id", "security_level", "control", "status")
CHUNK = 2000


@dataclass
class SearchDocument:
    item_id: int
    fields: dict[str, list[str]]  # normalised values per TEXT_FIELDS name
    fonds_id: int
    category_id: int
    year: int
    retention_id: int
    security_level: str
    control: str
    status: str
    has_files: bool
    date_ordinal: int  # the item's date (else 1 July of its year) as a day number, for sorting

    @property
    def fingerprint(self) -> int:
        """A signed 63-bit digest of everything indexed, for ``dangan search check``."""
        texts = "\x1e".join(map("\x1f".join, self.fields.values()))
        data = f"{texts}\x1d{_filters_text(self)}\x1d{self.has_files}\x1d{self.date_ordinal}"
        return int.from_bytes(hashlib.blake2b(data.encode(), digest_size=8).digest(), "big") >> 1

    def filters(self) -> list:
        """The values searches filter on, as FILTER_COLUMNS names them."""
        return list(_filters(self))


_filters = operator.attrgetter(*FILTER_COLUMNS)
# The text of a document's filters (the list ``filters()`` gives, written out) for each set of them: the
# items of a catalogue share a few, and writing the list out was a third of the fingerprint's cost.
_FILTER_TEXTS: dict[tuple, str] = {}


def _filters_text(document: SearchDocument) -> str:
    key = _filters(document)
    text = _FILTER_TEXTS.get(key)
    if text is None:
        if len(_FILTER_TEXTS) >= 10_000:
            _FILTER_TEXTS.clear()
        text = _FILTER_TEXTS[key] = str(document.filters())
    return text


def has_files_expression():
    """Whether an item has digital files; the preservation app adds them later, so ask only if it exists."""
    relation = getattr(Item, "digital_files", None)
    if relation is None:
        return Value(False)
    model = relation.rel.related_model
    return Exists(model._base_manager.filter(**{relation.field.name: OuterRef("pk")}))


def extra_values(extra) -> list[str]:
    if isinstance(extra, str):
        # Read as text (see rows()): most items have none, and decoding "{}" a million times costs seconds.
        if extra in ("", "{}"):
            return []
        extra = json.loads(extra)
    if not isinstance(extra, dict):
        return [str(extra)] if extra else []
    return [str(v) for v in extra.values() if v not in (None, "")]


# The columns ``rows()`` reads, in this order: tuples, not dicts, because a rebuild reads every item.
ROW_COLUMNS = (
    "id",
    "date",
    "title",
    "creator",
    "document_number",
    "remarks",
    "reference_code",
    "full_text",
    *FILTER_COLUMNS,
    "has_files",
    "extra_text",
)


_ITEM_VALUES = field_values(*ROW_COLUMNS[:-2])
_CHOICES = [ROW_COLUMNS.index(name) for name in ("security_level", "control", "status")]


def item_row(item: Item) -> tuple:
    """What ``rows()`` reads for an item just filed (no digital files yet), from the instance itself."""
    row = [*_ITEM_VALUES(item), False, item.extra]
    for index in _CHOICES:
        row[index] = str(row[index])  # an enum member (SecurityLevel.PUBLIC) reads back as its plain value
    return tuple(row)


def from_row(row: tuple) -> SearchDocument:
    (
        item_id,
        date,
        title,
        creator,
        document_number,
        remarks,
        reference_code,
        full_text,
        fonds_id,
        category_id,
        year,
        retention_id,
        security_level,
        control,
        status,
        has_files,
        extra_text,
    ) = row
    other = [reference_code, remarks, *extra_values(extra_text)]
    fields = {
        "title": [normalize(title)],
        "creator": [normalize(creator)],
        "document_number": [normalize(document_number)],
        "other": [n for n in map(normalize, other) if n],
        "full_text": [normalize(full_text)] if full_text else [],
    }
    return SearchDocument(
        item_id,
        fields,
        fonds_id,
        category_id,
        year,
        retention_id,
        security_level,
        control,
        status,
        bool(has_files),
        date.toordinal() if date else _mid_year(year),
    )


def _mid_year(year: int) -> int:
    import datetime

    return datetime.date(year, 7, 1).toordinal()


def rows(queryset=None):
    queryset = Item.objects.all() if queryset is None else queryset
    queryset = queryset.annotate(has_files=has_files_expression(), extra_text=Cast("extra", TextField()))
    return queryset.values_list(*ROW_COLUMNS).order_by("pk")


def row_batches(chunk: int = CHUNK) -> Iterator[list[tuple]]:
    """The rows of every item in id order, ``chunk`` at a time (each batch one query from the last id on)."""
    last = 0
    while batch := list(rows(Item.objects.filter(pk__gt=last))[:chunk]):
        yield batch
        last = batch[-1][0]


def document_batches(
    item_ids: Iterable[int] | None = None, chunk: int = CHUNK
) -> Iterator[list[SearchDocument]]:
    """The documents of the given items (all items when None), ``chunk`` at a time."""
    if item_ids is None:
        for batch in row_batches(chunk):
            yield list(map(from_row, batch))
        return
    ids = sorted(set(item_ids))
    for start in range(0, len(ids), chunk):
        yield list(map(from_row, rows(Item.objects.filter(pk__in=ids[start : start + chunk]))))


def documents(item_ids: Iterable[int] | None = None, chunk: int = CHUNK) -> Iterator[SearchDocument]:
    """The documents of the given items (all items when None), read in chunks of ``chunk``."""
    for batch in document_batches(item_ids, chunk):
        yield from batch
