"""Searching the catalogue: what the web page, the API and the CLI call. Backends stay behind this."""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _

from dangan.catalogue.choices import ControlStatus, SecurityLevel
from dangan.catalogue.models import Category, Fonds, Item, Retention
from dangan.search.backends import get_backend
from dangan.search.backends.base import DATE, RELEVANCE, Filters, SearchRequest
from dangan.search.documents import extra_values
from dangan.search.highlight import highlight, matches
from dangan.search.text import Query, QueryError, parse
from dangan.search.visibility import visibility_for
from dangan.units.models import Unit

MAX_PAGE_SIZE = 100
MAX_RESULTS = 10000  # deep paging past this helps nobody and costs the engine
SNIPPET_SOURCES = ("creator", "document_number", "remarks", "reference_code", "full_text")


@dataclass
class Hit:
    item: Item
    title: str  # HTML, escaped and marked
    snippets: list[tuple[str, str]]  # (field label, HTML)


@dataclass
class FacetValue:
    value: object
    label: str
    count: int
    selected: bool = False


@dataclass
class Results:
    query: Query | None
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    page: Page | None = None
    error: str = ""
    # The total and facet counts are estimates (very large matches on PostgreSQL): shown with 约.
    approximate: bool = False


# The request parameters ``filters_from`` reads: the search page and the API accept the same ones.
FILTER_PARAMS = (
    "unit",
    "fonds",
    "category",
    "year",
    "year_from",
    "year_to",
    "retention",
    "security_level",
    "control",
    "has_files",
)


def filters_from(params, user) -> tuple[Filters, dict]:
    """Filters from request parameters (web form or API); bad values are ignored, as list filters do."""
    chosen = {}
    filters = Filters()
    unit_id, fonds_id = _int(params.get("unit")), _int(params.get("fonds"))
    if unit_id is not None:
        chosen["unit"] = unit_id
        filters.fonds_ids = frozenset(Fonds.objects.filter(unit_id=unit_id).values_list("pk", flat=True))
    if fonds_id is not None:
        chosen["fonds"] = fonds_id
        filters.fonds_ids = frozenset({fonds_id}) & (filters.fonds_ids or {fonds_id})
    for name, attr in (
        ("category", "category_id"),
        ("retention", "retention_id"),
        ("year_from", "year_from"),
        ("year_to", "year_to"),
    ):
        value = _int(params.get(name))
        if value is not None:
            chosen[name] = value
            setattr(filters, attr, value)
    year = _int(params.get("year"))
    if year is not None:
        chosen["year"] = filters.year_from = filters.year_to = year
    if params.get("security_level") in SecurityLevel.values:
        chosen["security_level"] = filters.security_level = params["security_level"]
    if params.get("control") in ControlStatus.values:
        chosen["control"] = filters.control = params["control"]
    if params.get("has_files") in ("true", "false", "1", "0"):
        filters.has_files = params["has_files"] in ("true", "1")
        chosen["has_files"] = filters.has_files
    return filters, chosen


def _int(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if -(2**62) < number < 2**62 else None


def search(
    user,
    q: str,
    params=None,
    page: int | str = 1,
    per_page: int = 20,
    sort: str = RELEVANCE,
    facets: bool = True,
) -> Results:
    """One page of the items ``user`` may see that match ``q``; a bad query gives ``Results.error``."""
    params = params or {}
    try:
        query = parse(q)
    except QueryError as e:
        return Results(None, error=str(e))
    filters, chosen = filters_from(params, user)
    per_page = max(1, min(MAX_PAGE_SIZE, int(per_page)))
    number = max(1, min(_int(page) or 1, MAX_RESULTS // per_page))
    request = SearchRequest(
        query,
        visibility_for(user),
        filters,
        DATE if sort == DATE else RELEVANCE,
        (number - 1) * per_page,
        per_page,
        facets,
    )
    found = get_backend().search(request)
    if found.approximate and len(found.item_ids) < per_page:
        # The estimate ran past the real end of the match: a short page shows where it is, and an empty one
        # gives way to the last page that has results.
        if not found.item_ids and request.offset:
            number, found.item_ids = _last_page(request, number)
        found.total = (number - 1) * per_page + len(found.item_ids)
    paginator = Paginator(_Sized(min(found.total, MAX_RESULTS)), per_page)
    results = Results(query, found.total, _hits(user, found.item_ids, query), page=paginator.get_page(number))
    results.approximate = found.approximate
    results.facets = _facet_values(found.facets, chosen) if facets else {}
    return results


def _last_page(request: SearchRequest, past: int) -> tuple[int, list[int]]:
    """The last page with results before page ``past`` (which has none), by halving: a few searches, rare."""
    backend, request.facets = get_backend(), False
    first, ids = 1, []
    while past - first > 1:
        middle = (first + past) // 2
        request.offset = (middle - 1) * request.limit
        found = backend.search(request).item_ids
        if found:
            first, ids = middle, found
        else:
            past = middle
    if not ids:
        request.offset = (first - 1) * request.limit
        ids = backend.search(request).item_ids
    return first, ids


class _Sized:
    """A stand-in list for Paginator: only the count is known, the page's rows come from the engine."""

    def __init__(self, count: int):
        self.size = count

    def __len__(self):
        return self.size

    def __getitem__(self, key):
        return []


def _hits(user, item_ids: list[int], query: Query) -> list[Hit]:
    # Loaded through restrict() as well: what the index says is checked against the rule once more.
    items = Item.objects.restrict(user).select_related("fonds", "category", "retention").in_bulk(item_ids)
    words = query.words
    hits = []
    for pk in item_ids:
        item = items.get(pk)
        if item is not None:
            hits.append(Hit(item, highlight(item.title, words), _snippets(item, words)))
    return hits


def _snippets(item: Item, words: list[str]) -> list[tuple[str, str]]:
    out = []
    for name in SNIPPET_SOURCES:
        text = getattr(item, name) or ""
        if matches(text, words):
            out.append((str(Item._meta.get_field(name).verbose_name), highlight(text, words, window=120)))
    extra = "；".join(extra_values(item.extra))
    if matches(extra, words):
        out.append((str(Item._meta.get_field("extra").verbose_name), highlight(extra, words, window=120)))
    return out[:3]


FACET_TITLES = {
    "unit": _("立档单位"),
    "fonds": _("全宗"),
    "category": _("门类"),
    "year": _("年度"),
    "retention": _("保管期限"),
    "security_level": _("密级"),
    "control": _("控制标识"),
    "has_files": _("电子文件"),
}


def facet_title(name: str) -> str:
    return str(FACET_TITLES.get(name, name))


def _facet_values(raw: dict[str, dict], chosen: dict) -> dict[str, list[FacetValue]]:
    fonds = Fonds.objects.in_bulk(list(raw.get("fonds", {})))
    units: dict[int, int] = {}
    for pk, count in raw.get("fonds", {}).items():
        if pk in fonds:
            units[fonds[pk].unit_id] = units.get(fonds[pk].unit_id, 0) + count
    labels = {
        "unit": {u.pk: u.name for u in Unit.objects.filter(pk__in=units)},
        "fonds": {pk: str(f) for pk, f in fonds.items()},
        "category": {c.pk: c.name for c in Category.objects.filter(pk__in=list(raw.get("category", {})))},
        "retention": {r.pk: r.name for r in Retention.objects.filter(pk__in=list(raw.get("retention", {})))},
        "security_level": dict(SecurityLevel.choices),
        "control": dict(ControlStatus.choices),
        "has_files": {True: _("有"), False: _("无")},
    }
    counts = {"unit": units, **raw}
    out = {}
    for name in ("unit", "fonds", "category", "year", "retention", "security_level", "control", "has_files"):
        values = counts.get(name, {})
        order = sorted(values.items(), key=lambda kv: (-kv[0]) if name == "year" else -kv[1])
        out[name] = [
            FacetValue(v, str(labels.get(name, {}).get(v, v)), n, chosen.get(name) == v)
            for v, n in order
            if n
        ]
    return out
