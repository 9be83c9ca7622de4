"""A parsed row's values made into a new ``Item``, or the reasons not: the row's fonds and volume, and its
reference code checked against what its classification and number give.

Nothing here reads the database: the fonds and volumes a file may name are handed in, so the parsing
child of a large file (``parsing``) builds its rows the same way the importer builds a small file's, and
can also run the model's own field rules on them ahead of the importer (``precheck``).
"""

import enum
import operator
import re

from django.db.models import signals
from django.db.models.base import ModelState
from django.utils.translation import gettext as _

from dangan.catalogue import references
from dangan.catalogue.models import Category, Fonds, Item, Retention, Volume
from dangan.catalogue.services import ReferenceCodes, item_rules
from dangan.core.bulk import field_values

_RELATED_FIELDS = {name: Item._meta.get_field(name) for name in ("fonds", "category", "retention", "volume")}
# The key under which an item keeps each related object it holds (what the field's set_cached_value sets).
_FONDS, _CATEGORY, _RETENTION = (
    _RELATED_FIELDS[name].cache_name for name in ("fonds", "category", "retention")
)
ATTNAMES = tuple(f.attname for f in Item._meta.concrete_fields)
_values_of = field_values(*ATTNAMES)
# The primary key of a fonds or a period, read without the ``pk`` property's lookup of its name.
_fonds_pk = operator.attrgetter(Fonds._meta.pk.attname)
_retention_pk = operator.attrgetter(Retention._meta.pk.attname)

# (target, value, reason): what is wrong with a row, as parsing reports it too.
Problem = tuple[str, object, str]


class RowBuilder:
    """New items for ``fonds`` and ``category`` (its ``fields`` prefetched).

    ``other_fonds`` (全宗号 → Fonds) and ``volumes`` (案卷档号 → Volume, retention selected) are every fonds
    and volume of this fonds and category a row may name; the importer reads them when the file has such a
    column.
    """

    def __init__(self, fonds: Fonds, category: Category, other_fonds: dict[str, Fonds],
                 volumes: dict[str, Volume]):
        self.fonds, self.category = fonds, category
        self.category_id = category.pk
        self.other_fonds, self.volumes = other_fonds, volumes
        self.codes = ReferenceCodes()
        self.scope_patterns: dict[str, re.Pattern] = {}
        # Each field's default, worked out once (a callable default such as dict is called per row).
        fields = Item._meta.concrete_fields
        # A choice's default as its plain value, not the enum member (ControlStatus.CONTROLLED): the same to
        # the database and to comparisons, but the parsing child pickles every row's, and a member pickles
        # as a call to its class.
        self.item_defaults = {f.attname: _plain_value(f.get_default()) for f in fields}
        self.item_made_defaults = [
            (f.attname, f.default) for f in fields if f.has_default() and callable(f.default)
        ]
        self.plain_init = not (signals.pre_init.has_listeners(Item) or signals.post_init.has_listeners(Item))
        self.rules = None

    def build(self, data: dict) -> tuple[Item | None, list[Problem]]:
        problems: list[Problem] = []
        fonds = self.row_fonds(data, problems)
        if fonds is None:
            return None, problems
        retention = data.get("retention")
        values = {
            "fonds_id": _fonds_pk(fonds),
            "category_id": self.category_id,
            "retention_id": _retention_pk(retention) if retention else None,
            "year": data.get("year"),
            "org_code": data.get("org_code", ""),
            "number": data.get("number"),
            "title": data.get("title", ""),
            "creator": data.get("creator", ""),
            "document_number": data.get("document_number", ""),
            "date": data.get("date"),
            "pages": data.get("pages"),
            "remarks": data.get("remarks", ""),
            "extra": data.get("extra", {}),
        }
        if values["year"] is None and values["date"] is not None:
            values["year"] = values["date"].year  # DA/T 22 files a document in the year it was formed
        for name in ("security_level", "control"):
            if data.get(name):
                values[name] = data[name]
        item = self.new_item(values)
        # The ids are set already; the objects themselves serve the row's checks without a query (what each
        # field's set_cached_value does, without the calls).
        related = item._state.fields_cache
        related[_FONDS], related[_CATEGORY] = fonds, self.category
        if retention:
            related[_RETENTION] = retention
        if data.get("volume") and not self.put_in_volume(data["volume"], item, problems):
            return None, problems
        if not self.check_code(data.get("reference_code"), item, problems):
            return None, problems
        return item, problems

    def new_item(self, values: dict) -> Item:
        # As Django builds instances it reads from the database, not through keyword arguments: several
        # times cheaper, which matters at a million rows. Missing values take the field's default.
        given = self.item_defaults | values
        for attname, make in self.item_made_defaults:
            if attname not in values:
                given[attname] = make()
        if self.plain_init:
            return _plain_item(given)
        return Item(*map(given.__getitem__, ATTNAMES))

    def values_of(self, item: Item) -> tuple:
        """The item's field values, as ``item_from`` makes it again (the parsing child sends these)."""
        return _values_of(item)

    def item_from(self, values: tuple) -> Item:
        if self.plain_init:
            return _plain_item(zip(ATTNAMES, values, strict=True))
        return Item(*values)

    def row_fonds(self, data: dict, problems: list[Problem]) -> Fonds | None:
        number = data.get("fonds")
        if not number or number == self.fonds.number:
            return self.fonds
        fonds = self.other_fonds.get(number)
        if fonds is None:
            problems.append(("fonds", number, _("全宗不存在")))
        return fonds

    def put_in_volume(self, code: str, item: Item, problems: list[Problem]) -> bool:
        volume = self.volumes.get(code)
        if volume is None:
            problems.append(("volume", code, _("本全宗、门类中没有这个案卷")))
            return False
        item.volume_id, item.year, item.retention_id = volume.pk, volume.year, volume.retention_id
        cache(item, "volume", volume)
        cache(item, "retention", volume.retention)
        return True

    def check_code(self, given: str | None, item: Item, problems: list[Problem]) -> bool:
        """A reference code in the file must be the one the row's classification and number give."""
        if item.year is None or item.retention is None:
            return True  # the missing field is reported by validation
        scope = self.codes.scope(item)
        if not given:
            if item.number:
                item.reference_code = self.codes.code(scope, item.number)
            return True
        if item.number:
            expected = self.codes.code(scope, item.number)
            if expected != given:
                problems.append((
                    "reference_code",
                    given,
                    _("档号与本行的全宗、门类、年度、保管期限、机构和件号应得的 %(expected)s 不符")
                    % {"expected": expected},
                ))
                return False
        else:
            match = self.scope_pattern(scope).match(given)
            if match is None:
                shown = scope.replace(references.NUMBER_SLOT, "（件号）")
                problems.append((
                    "reference_code",
                    given,
                    _("档号与本行的全宗、门类、年度、保管期限和机构应得的 %(expected)s 不符")
                    % {"expected": shown},
                ))
                return False
            item.number = int(match.group(1))
        item.reference_code = given
        return True

    def scope_pattern(self, scope: str) -> re.Pattern:
        if scope not in self.scope_patterns:
            before, after = scope.split(references.NUMBER_SLOT)
            self.scope_patterns[scope] = re.compile(f"^{re.escape(before)}(\\d+){re.escape(after)}$")
        return self.scope_patterns[scope]

    def precheck(self, items: list[Item]) -> list[bool]:
        """Whether each of ``items`` passes the field rules and ``clean()`` that ``file_items_in_bulk``
        applies to each item (it skips them for an item marked ``rules_passed``). One that does not pass is
        left for the filing to check again and report in its words."""
        if self.rules is None:
            self.rules = item_rules()
        for item in items:
            item._codes_checked_in_bulk = True
        return self.rules.passing(items)


def _plain_value(value):
    return value.value if isinstance(value, enum.Enum) else value


def _plain_item(values) -> Item:
    # What Model.__init__ does with a value for every field, without its per-field setattr loop and signals
    # (used only when nothing listens to Item's): a fresh state and the values in the instance's dict.
    item = Item.__new__(Item)
    item._state = ModelState()
    item.__dict__.update(values)
    return item


def cache(item: Item, name: str, related) -> None:
    # The id is set already; the object itself serves the row's checks without a query.
    _RELATED_FIELDS[name].set_cached_value(item, related)
