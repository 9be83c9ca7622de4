"""The portal's search of the open catalogue, through the search app's one backend abstraction.

Opened items are found by the engine with the public's visibility (public level, 开放) — full text included,
since their content is open. Controlled items whose catalogue entry is published are matched on that entry
only (``LISTED_FIELDS``: reference code, title, creator, year), so a search never reveals what their text
contains. Every result, and the count, then goes through ``public_items()``.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Q

from dangan.access.models import LISTED_FIELDS, CatalogueListing, public_items, published_entry
from dangan.catalogue.choices import ControlStatus, SecurityLevel
from dangan.search.backends import get_backend
from dangan.search.text import QueryError, parse
from dangan.search.visibility import Visibility

PUBLIC = Visibility(security_levels=(SecurityLevel.PUBLIC,), control=ControlStatus.OPEN)
PER_PAGE = 20


@dataclass
class PublicResults:
    page: Page | None = None
    error: str = ""
    total: int = 0


def search(q: str, page=1) -> PublicResults:
    items = public_items().select_related("fonds", "category").order_by("-year", "reference_code")
    if q.strip():
        try:
            query = parse(q)
        except QueryError as e:
            return PublicResults(error=str(e))
        opened = get_backend().matching_ids(query, PUBLIC)
        listed = CatalogueListing.objects.all()
        for word in query.words:
            # Every word in one of the published fields, and only those: the rest is not the public's.
            matches = Q()
            for name in LISTED_FIELDS:
                matches |= Q(**{f"item__{name}__icontains": word})
            listed = listed.filter(matches)
        items = items.filter(Q(pk__in=opened, control=ControlStatus.OPEN) | Q(pk__in=listed.values("item")))
    paginator = Paginator(items, PER_PAGE)
    result_page = paginator.get_page(page)
    # Results show each item's published entry only (a listed item's fonds, date … stay unshown).
    result_page.object_list = [(item, published_entry(item)) for item in result_page.object_list]
    return PublicResults(page=result_page, total=paginator.count)
