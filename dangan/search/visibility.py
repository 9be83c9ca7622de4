"""``Record.permission_filter`` translated into values a search engine filters on.

The rule itself lives on the model (``dangan.catalogue.models.Record.permission_filter``); this is its one
translation for search backends, which cannot run a Django ``Q``. ``tests/test_permissions.py`` compares
what every persona finds by search with ``Item.objects.restrict(user)``, so the two cannot drift apart.
"""

from dataclasses import dataclass

from django.db.models import Q

from dangan.catalogue.choices import ControlStatus, SecurityLevel
from dangan.catalogue.models import Fonds
from dangan.core.querysets import is_signed_in


@dataclass(frozen=True)
class Visibility:
    """The items a user may see, as filters: all of them must hold (None: no limit on that value)."""

    nothing: bool = False
    security_levels: tuple[str, ...] = ()
    fonds_ids: frozenset[int] | None = None
    control: str | None = None


NOBODY = Visibility(nothing=True)


def visibility_for(user) -> Visibility:
    """Mirror of ``Record.permission_filter(user, VIEW)``: security level within clearance; archivists only
    the fonds their units formed or hold; readers only open, public items."""
    if not is_signed_in(user):
        return NOBODY
    levels = tuple(user.visible_security_levels)
    if user.is_bureau:
        return Visibility(security_levels=levels)
    if user.is_archivist:
        scope = user.scope_unit_ids
        fonds = Fonds.objects.filter(Q(unit_id__in=scope) | Q(custodian_id__in=scope)).values_list(
            "pk", flat=True
        )
        return Visibility(security_levels=levels, fonds_ids=frozenset(fonds))
    public = tuple(level for level in levels if level == SecurityLevel.PUBLIC)
    return Visibility(security_levels=public, control=ControlStatus.OPEN)
