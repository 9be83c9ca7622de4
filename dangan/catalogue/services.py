"""Catalogue workflows that span many records: filing and updating items in bulk (demo data, imports)."""

import datetime
import json
import operator
import string
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from functools import partial

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
)
from django.db import connections, router, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from dangan.catalogue import references
from dangan.catalogue.models import Category, Fonds, Item, Retention, Volume
from dangan.core.audit import defer_snapshot, snapshot
from dangan.core.bulk import field_values, insert_instances
from dangan.core.choices import AuditAction
from dangan.core.models import append, bulk_object_id, canonical_json, new_entry
from dangan.core.permissions import CHANGE

# Each is fetched once per batch and shared by every item that points at it, so validating and numbering a
# million rows costs a handful of queries per thousand rows, not several per row.
RELATED = (("volume", Volume), ("fonds", Fonds), ("category", Category), ("retention", Retention))
FROM_VOLUME = ("fonds_id", "category_id", "year", "retention_id")
_related_ids = field_values(*(f"{name}_id" for name, _model in RELATED))
LOOKUP_CHUNK = 900
# Items in one bulk filing's audit entry, at most: an item's history reads the whole entry that holds it.
AUDIT_ENTRY_ITEMS = 1000
MAX_LISTED_ERRORS = 100

# Sent inside the changing transaction with ``item_ids``, once per batch, by the bulk paths that fire no
# post_save: filing and updating here, a batch of captured files in preservation (whether an item has files is
# searchable). The search index (a higher app, which catalogue must not import) follows through this.
# Bulk filing also sends ``new_items``, the stored instances themselves (no files yet), so that the index need
# not read back what was just written.
items_changed = Signal()


class BulkValidationError(ValidationError):
    """Some rows of a bulk filing are invalid; nothing was stored.

    ``rows`` maps each bad row's index in the given list to ``{field: [messages]}``; the messages name the
    row as ``index + first_row`` (a spreadsheet importer passes the row number of its first data row).
    """

    def __init__(self, rows: dict[int, dict[str, list[str]]], first_row: int = 1):
        self.rows = rows
        messages = [
            _row_message(index + first_row, field, message)
            for index, fields in sorted(rows.items())
            for field, field_messages in fields.items()
            for message in field_messages
        ]
        if len(messages) > MAX_LISTED_ERRORS:
            hidden = len(messages) - MAX_LISTED_ERRORS
            messages = messages[:MAX_LISTED_ERRORS] + [_("……另有 %(n)d 处错误") % {"n": hidden}]
        super().__init__(messages)


def _row_message(row: int, field: str, message: str) -> str:
    if field == NON_FIELD_ERRORS:
        return _("第 %(row)d 条：%(message)s") % {"row": row, "message": message}
    try:
        label = Item._meta.get_field(field).verbose_name
    except FieldDoesNotExist:
        label = field
    return _("第 %(row)d 条【%(field)s】%(message)s") % {"row": row, "field": label, "message": message}


def file_items_in_bulk(items: list[Item], batch_size: int = 1000, *, user=None,
                       first_row: int = 1, unused_codes: Collection[str] = ()) -> list[Item]:
    """Validate, number and store new items all together, or none of them.

    Items are numbered in list order within each counter scope (put them in date order first, as DA/T 22
    arranges items), continuing gaplessly after the numbers already given; an item that arrives with a
    number keeps it, as ``Record.assign_reference_code`` does. With ``user`` each row is also checked
    against that user's right to file into its fonds at its security level. Each batch of items is one
    insert and one ``items_changed``, and gets audit entries holding every item's id and created values,
    ``AUDIT_ENTRY_ITEMS`` at most in each (``creation_entries``). Raises
    ``BulkValidationError`` naming every bad row and field. An item marked ``rules_passed`` has been through
    ``item_rules()`` already (a large import checks its rows in its parsing child, on the other core) and is
    not again; its related objects, the user's rights and its reference code are checked here as for any.
    ``unused_codes`` are reference codes the caller found unused in this same transaction just before (an
    importer matches every row's code against the stored ones): they are not looked up a second time.
    """
    if not items:
        return items
    errors: dict[int, dict[str, list[str]]] = defaultdict(dict)
    _validate(items, errors, user)
    if errors:
        raise BulkValidationError(dict(errors), first_row)
    with transaction.atomic():
        _number(items)
        _check_unique_codes(items, errors, first_row, unused_codes)
        if errors:
            raise BulkValidationError(dict(errors), first_row)
        rows = _ItemRows(timezone.now())
        for start in range(0, len(items), batch_size):
            batch = items[start:start + batch_size]
            rows.insert(batch)
            append(rows.creation_entries(batch))
            items_changed.send(sender=Item, item_ids=[item.pk for item in batch], new_items=batch)
    return items


def update_items_in_bulk(items: list[Item], fields: list[str], batch_size: int = 1000, *, user=None,
                         first_row: int = 1) -> list[Item]:
    """Validate and store changes to saved items (loaded from the database) all together, or none of them.

    The same checks as ``file_items_in_bulk``, with ``user`` checked for the right to change each item; a
    change of classification (which would renumber) is refused here: do it one record at a time. Each item
    gets an update entry with before and after, and the search index follows through ``items_changed``.
    """
    if not items:
        return items
    errors: dict[int, dict[str, list[str]]] = defaultdict(dict)
    _validate(items, errors, user, updating=True)
    if errors:
        raise BulkValidationError(dict(errors), first_row)
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, len(items), batch_size):
            batch = items[start:start + batch_size]
            for item in batch:
                item.updated_at = now
            Item.objects.bulk_update(batch, [*fields, "updated_at"])
            append([_update_entry(item) for item in batch], batch_size=batch_size)
            items_changed.send(sender=Item, item_ids=[item.pk for item in batch])
    return items


def _validate(items: list[Item], errors: dict, user, updating: bool = False) -> None:
    for index, item in enumerate(items):
        if updating and (item.pk is None or getattr(item, "_audit_before", None) is None):
            errors[index][NON_FIELD_ERRORS] = [_("只能修改从数据库读取的已有条目")]
        elif updating and item.classification_changed():
            errors[index][NON_FIELD_ERRORS] = [
                _("不能批量改变全宗、门类、年度、保管期限或机构代码（会改变档号）")]
        elif not updating and (item.pk is not None or not item._state.adding):
            errors[index][NON_FIELD_ERRORS] = [_("该条目已经保存过，不能再次归档")]
    volumes = _fetch(Volume, {item.volume_id for item in items})
    for item in items:
        # An item inside a volume is classified by the volume (see Item.clean); filling the gaps first lets
        # field validation pass and keeps the shared related objects in place.
        volume = volumes.get(item.volume_id)
        for attname in FROM_VOLUME if volume else ():
            if getattr(item, attname) is None:
                setattr(item, attname, getattr(volume, attname))
    ids = list(map(_related_ids, items))  # each item's (volume, fonds, category, retention) ids
    fetched = {"volume": volumes}
    for position, (name, model) in enumerate(RELATED[1:], 1):
        fetched[name] = _fetch(model, {row[position] for row in ids})
    fileable = _fileable_fonds(user, fetched["fonds"])
    changeable = _changeable_items(user, items) if updating else set()
    rules = item_rules()
    related = [(name, fetched[name], Item._meta.get_field(name).cache_name) for name, _model in RELATED]
    # Most items of a filing share their volume, fonds, category and period: each set is checked once.
    checked: dict[tuple, tuple[dict, list]] = {}
    for index, item in enumerate(items):
        if ids[index] not in checked:
            checked[ids[index]] = _related_objects(related, ids[index])
        problems, objects = checked[ids[index]]
        row = errors[index] if index in errors else {}
        for name, messages in problems.items():
            row[name] = list(messages)
        cached = item._state.fields_cache
        for cache_name, related_object in objects:
            if cached.get(cache_name) is not related_object:
                # The id is right already: the shared object (with its category's fields fetched) replaces
                # whatever the instance held, as the field's set_cached_value would, without the calls.
                cached[cache_name] = related_object
        checked_elsewhere = not updating and getattr(item, "rules_passed", False)  # see file_items_in_bulk
        if not row and not checked_elsewhere:
            # Reference codes are unique-checked for the whole batch at once (_check_unique_codes).
            item._codes_checked_in_bulk = True
            try:
                rules.full_clean(item)
            except ValidationError as e:
                row.update(e.message_dict)
        if not row and user is not None:
            row.update(_permission_errors(user, item, fileable))
        if not row and user is not None and updating and item.pk not in changeable:
            row[NON_FIELD_ERRORS] = [_("您无权修改档号 %(code)s 的条目") % {"code": item.reference_code}]
        if row:
            errors[index] = row


def _related_objects(related: list, pks: tuple) -> tuple[dict, list]:
    """For one set of related ids (volume, fonds, category, period): the errors they give, and each object
    found with the name the item caches it under."""
    problems, objects = {}, []
    for (name, found, cache_name), pk in zip(related, pks, strict=True):
        if pk is None:
            if name != "volume":
                problems[name] = [_("必填")]
        elif pk not in found:
            problems[name] = [_("不存在（编号 %(pk)s）") % {"pk": pk}]
        else:
            objects.append((cache_name, found[pk]))
    return problems, objects


def item_rules() -> "FieldRules":
    """The field rules and ``clean()`` the bulk paths apply to each item; related objects are checked by id
    apart, and reference codes for a whole batch at once."""
    return FieldRules(Item, [name for name, _model in RELATED] + ["reference_code"])


class FieldRules:
    """What ``full_clean(exclude, validate_unique=False)`` checks, for many instances of one model.

    Each field's own rules (blank, type, choices, its validators) are read from the model once and applied
    as plain comparisons; the model's ``clean()`` (the cross-field rules) runs for every instance as usual.
    The comparisons only tell whether an instance passes: one that does not, or holds a value of another
    type (a string for a number), goes through ``full_clean`` itself, which converts it or names the errors
    in Django's words. So there is one set of rules, the model's, and the common case costs little.
    """

    TYPES = {
        "CharField": str, "TextField": str, "SlugField": str, "EmailField": str, "URLField": str,
        "IntegerField": int, "SmallIntegerField": int, "BigIntegerField": int, "PositiveIntegerField": int,
        "PositiveSmallIntegerField": int, "PositiveBigIntegerField": int, "BooleanField": bool,
        "DateField": datetime.date,
    }

    def __init__(self, model, exclude):
        self.exclude = list(exclude)
        # (attname, blank, empty values, test, plain): plain when the test only compares, not converts the
        # value on the instance (``passing`` then tests each distinct value once).
        self.checks = []
        for field in model._meta.fields:
            if field.name in self.exclude or field.generated:
                continue
            plain = field.get_internal_type() in self.TYPES
            self.checks.append((field.attname, field.blank, field.empty_values, self._test(field), plain))
        self.constrained = bool(model._meta.constraints)

    def _test(self, field):
        kind = self.TYPES.get(field.get_internal_type())
        if kind is None:
            def cleaned(value, item, field=field):  # JSON, date-times …: the field's own clean, as full_clean
                setattr(item, field.attname, field.clean(value, item))
                return True
            return cleaned
        allowed = {value for value, _label in field.flatchoices} if field.choices else None
        # Limits become comparisons; any other validator (a pattern …) is called as it is.
        low = high = longest = shortest = None
        others = []
        for validator in field.validators:
            limit = getattr(validator, "limit_value", None)
            if callable(limit) or limit is None:
                others.append(_passes(validator))
            elif isinstance(validator, MaxLengthValidator):
                longest = limit if longest is None else min(longest, limit)
            elif isinstance(validator, MinLengthValidator):
                shortest = limit if shortest is None else max(shortest, limit)
            elif isinstance(validator, MaxValueValidator):
                high = limit if high is None else min(high, limit)
            elif isinstance(validator, MinValueValidator):
                low = limit if low is None else max(low, limit)
            else:
                others.append(_passes(validator))
        # A bool is an int and a datetime a date to isinstance, not to these fields.
        other = {int: bool, datetime.date: datetime.datetime}.get(kind, ())
        # Values that passed, each with its type (1 == True, yet only one is an int here): most columns
        # repeat a few values (密级, 年度, 机构 …), then checked by one lookup. Bounded: titles never repeat.
        passed = {}

        def test(value, item):
            if not isinstance(value, kind) or isinstance(value, other):
                return False
            if passed.get(value) is type(value):
                return True
            if allowed is not None and value not in allowed:
                return False
            if (low is not None and value < low) or (high is not None and value > high):
                return False
            if longest is not None and len(value) > longest:
                return False
            if shortest is not None and len(value) < shortest:
                return False
            if others and not all(passes(value) for passes in others):
                return False
            if len(passed) < 256:
                passed[value] = type(value)
            return True
        return test

    def passing(self, items: list) -> list[bool]:
        """Whether each of ``items`` passes ``full_clean``, leaving each as ``full_clean`` would (one that
        does not pass went through it). A column's values are compared once each, not once an item: most
        columns repeat a few values (密级, 年度, 机构 …), so a batch is checked a column at a time."""
        failed = set()
        for attname, blank, empty, test, plain in self.checks:
            values = list(map(operator.attrgetter(attname), items))
            if not plain:  # its test converts the value on the instance: item by item
                for index, (item, value) in enumerate(zip(items, values, strict=True)):
                    if blank and not value and value in empty:
                        continue  # what _passes answers first, without the call: most rows leave these empty
                    if index not in failed and not self._passes(value, item, blank, empty, test):
                        failed.add(index)
                continue
            # Each distinct value is tested once. 1 and True are equal, not both ints: values of more than one
            # type are keyed with their type. Of one type (the usual case) equal values are the same value,
            # and the values are the keys themselves (0.10 → 0.04 µs a value, ~20 columns a row).
            one_type = len(set(map(type, values))) == 1
            keys = values if one_type else list(zip(values, map(type, values), strict=True))
            bad = {
                key for key in set(keys)
                if not self._passes(key if one_type else key[0], None, blank, empty, test)
            }
            if bad:
                failed.update(index for index, key in enumerate(keys) if key in bad)
        verdicts = []
        for index, item in enumerate(items):
            try:
                if index in failed:
                    self.full_clean(item)  # in Django's words, with the conversions it makes
                else:
                    item.clean()
                    if self.constrained:
                        item.validate_constraints(exclude=self.exclude)
            except ValidationError:
                verdicts.append(False)
            else:
                verdicts.append(True)
        return verdicts

    @staticmethod
    def _passes(value, item, blank, empty, test) -> bool:
        if not value and value in empty:  # the field's empty values: 0 and False are not among them
            return blank
        try:
            return test(value, item)
        except ValidationError:
            return False

    def full_clean(self, item) -> None:
        """Raise ValidationError as ``item.full_clean(exclude, validate_unique=False)`` would."""
        for attname, blank, empty, test, _plain in self.checks:
            if not self._passes(getattr(item, attname), item, blank, empty, test):
                break
        else:
            item.clean()
            if self.constrained:
                item.validate_constraints(exclude=self.exclude)
            return
        item.full_clean(exclude=self.exclude, validate_unique=False)


def _passes(validator):
    def passes(value):
        try:
            validator(value)
        except ValidationError:
            return False
        return True
    return passes


def _fetch(model, pks: set) -> dict:
    pks = sorted(pk for pk in pks if pk is not None)
    queryset = model._base_manager.all()
    if model is Category:
        # Category.validate_extra reads the field definitions of every row's category.
        queryset = queryset.prefetch_related("fields")
    found = {}
    for start in range(0, len(pks), LOOKUP_CHUNK):
        found.update(queryset.in_bulk(pks[start:start + LOOKUP_CHUNK]))
    return found


def _fileable_fonds(user, fonds: dict) -> set:
    if user is None:
        return set()
    return set(Fonds.objects.restrict(user, "file").filter(pk__in=list(fonds)).values_list("pk", flat=True))


def _changeable_items(user, items: list[Item]) -> set:
    if user is None:
        return set()
    pks = [item.pk for item in items]
    found = set()
    for start in range(0, len(pks), LOOKUP_CHUNK):
        allowed = Item.objects.restrict(user, CHANGE).filter(pk__in=pks[start:start + LOOKUP_CHUNK])
        found.update(allowed.values_list("pk", flat=True))
    return found


def _permission_errors(user, item: Item, fileable: set) -> dict:
    if item.fonds_id not in fileable:
        return {"fonds": [_("您无权向全宗“%(fonds)s”归档") % {"fonds": item.fonds}]}
    if item.security_level not in user.visible_security_levels:
        return {"security_level": [_("超出您可处理的密级")]}
    return {}


def _number(items: list[Item]) -> None:
    codes = ReferenceCodes()
    scopes = [codes.scope(item) for item in items]
    wanted = Counter(scope for scope, item in zip(scopes, items, strict=True) if not item.number)
    given: dict[str, int] = {}
    for scope, item in zip(scopes, items, strict=True):
        if item.number:
            given[scope] = max(given.get(scope, 0), item.number)
    following = references.reserve_numbers(wanted, given)
    for scope, item in zip(scopes, items, strict=True):
        if not item.number:
            item.number = following[scope]
            following[scope] += 1
        item.reference_code = codes.code(scope, item.number)


class ReferenceCodes:
    """``references.render`` for many records of few classes: each class's scope is rendered once."""

    def __init__(self):
        self.scopes: dict[tuple, str] = {}
        self.formats: dict[str, str] = {}
        self.classifications: dict[type, Callable] = {}

    def scope(self, record) -> str:
        # A record's classification (its category and volume included) decides its template and scope.
        kind = type(record)
        if kind not in self.classifications:
            self.classifications[kind] = field_values(*kind.classification_fields)
        key = (kind, self.classifications[kind](record))
        if key not in self.scopes:
            self.scopes[key] = record.code_scope()
            template = record.code_template()
            spec = next(spec for _t, name, spec, _c in string.Formatter().parse(template) if name == "number")
            self.formats[self.scopes[key]] = f"0{spec}d" if spec else "d"
        return self.scopes[key]

    def code(self, scope: str, number: int) -> str:
        # The scope is the code with NUMBER_SLOT where the number goes, and nothing else can hold that sign.
        return scope.replace(references.NUMBER_SLOT, format(number, self.formats[scope]))


def _shared_apart(names: list[str], rows: list[tuple]) -> dict:
    """A bulk entry's ``changes``: the values the same in every row once, under ``common``, and the rest as
    rows. Half of an import's audit text was values its rows share; writing them once halves the JSON to
    make and the server's text to check and store. Only values equal in type and JSON alike are shared (the
    JSON ``{"a": 1}`` and ``{"a": true}`` are equal in Python): text, whole numbers, booleans, null and {}."""
    shared = [
        index for index, column in enumerate(zip(*rows, strict=True))
        if (column[0] == {} or type(column[0]) in _SHAREABLE)
        and column.count(column[0]) == len(column)
        and (type(column[0]) not in (int, bool) or len(set(map(type, column))) == 1)  # 1 == True
    ] if len(rows) > 1 else []
    kept = [index for index in range(len(names)) if index not in shared]
    # With one field kept, itemgetter would give each row's value instead of a tuple; ids and reference
    # codes always differ, so that is never a real run's case.
    if not shared or len(kept) < 2:
        return {"fields": names, "common": {}, "items": list(map(list, rows))}
    return {
        "fields": [names[index] for index in kept],
        "common": {names[index]: rows[0][index] for index in shared},
        "items": list(map(list, map(operator.itemgetter(*kept), rows))),
    }


_SHAREABLE = (str, int, bool, type(None))


def created_values(entry) -> list[dict]:
    """Each item's created values (field name → value) in a bulk filing's audit entry (``creation_entries``);
    entries written before values were shared have no ``common``."""
    changes = entry.changes
    common = changes.get("common", {})
    return [{**common, **dict(zip(changes["fields"], row, strict=True))} for row in changes["items"]]


def _check_unique_codes(items: list[Item], errors: dict, first_row: int, unused: Collection[str]) -> None:
    first_with: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.reference_code in first_with:
            errors[index]["number"] = [_("档号 %(code)s 与第 %(row)d 条重复")
                                       % {"code": item.reference_code,
                                          "row": first_with[item.reference_code] + first_row}]
        else:
            first_with[item.reference_code] = index
    for code in stored_codes([code for code in first_with if code not in unused]):
        errors[first_with[code]]["number"] = [_("档号 %(code)s 已存在") % {"code": code}]


def stored_codes(codes: list[str]) -> dict[str, int]:
    """Which of ``codes`` are stored reference codes of items, with the items' ids.

    One plain query per few hundred codes on the unique index: the ORM's preparation of each parameter
    costs more than the lookup at a million rows. First, for each run of codes that differ only in their
    trailing number (``code_runs``), one probe of the index for any stored code between the run's least and
    greatest: a new catalogue's codes (a chunk of an import, in arrangement order) lie in ranges where
    nothing is stored yet, and then none of them need be looked up alone. One range for the whole chunk would
    hold the codes filed just before under the other classes the chunk spans. The column compares bytes on
    both databases (``ReferenceCodeField``), so each range is the one Python's order gives.
    """
    if not codes:
        return {}
    connection = connections[router.db_for_write(Item)]  # where the filing writes, its transaction included
    quote = connection.ops.quote_name
    column, table = quote(Item._meta.get_field("reference_code").column), quote(Item._meta.db_table)
    pk = quote(Item._meta.pk.column)
    sql = f"SELECT {column}, {pk} FROM {table} WHERE {column} "
    found = {}
    with connection.cursor() as cursor:
        probed = []
        for run in code_runs(codes):
            cursor.execute(f"{sql}BETWEEN %s AND %s LIMIT 1", [run[0], run[-1]])
            if cursor.fetchone() is not None:
                probed += run
        codes = probed
        if connection.vendor == "postgresql":
            # One array parameter: psycopg binds parameters on the client, and parsing a statement with
            # hundreds of placeholders cost more than the look-up itself. One index probe per code, as a
            # LATERAL with LIMIT the planner cannot turn into a join: while an import fills the table in
            # one transaction its statistics still say "small", and "= ANY" was planned as a scan of the
            # whole table, a longer one for every chunk.
            for start in range(0, len(codes), 2 * LOOKUP_CHUNK):
                cursor.execute(
                    f"SELECT code.value, item.{pk} FROM unnest(%s::text[]) AS code(value) CROSS JOIN LATERAL "
                    f"(SELECT {pk} FROM {table} WHERE {column} = code.value LIMIT 1) AS item",
                    [codes[start:start + 2 * LOOKUP_CHUNK]],
                )
                found.update(cursor.fetchall())
            return found
        for start in range(0, len(codes), LOOKUP_CHUNK):
            part = codes[start:start + LOOKUP_CHUNK]
            cursor.execute(f"{sql}IN ({', '.join(['%s'] * len(part))})", part)
            found.update(cursor.fetchall())
    return found


# More runs than this in one call (codes of no common form) are probed as one range: a probe is a query.
MAX_CODE_RUNS = 16
_DIGITS = "0123456789"


def code_runs(codes: list[str]) -> list[list[str]]:
    """``codes`` sorted, in runs of codes alike but for their trailing digits (one class's numbers:
    A001-WS·2023-Y-BGS-0001 … -0750), or as one run when there are more than ``MAX_CODE_RUNS``."""
    ordered = sorted(codes)
    runs: dict[str, list[str]] = {}
    for code in ordered:
        key = code.rstrip(_DIGITS)
        if key in runs:
            runs[key].append(code)
        elif len(runs) < MAX_CODE_RUNS:
            runs[key] = [code]
        else:
            return [ordered]
    return list(runs.values())


def _update_entry(item: Item):
    after = snapshot(item)
    changes = item._audit_diff(item._audit_before, after)
    item._audit_before = after
    return new_entry(AuditAction.UPDATE, item, changes=changes)


def _json_copy(value):
    # Empty ({}, [], "", 0) needs no round trip: a new empty value of its type is the same copy.
    return json.loads(canonical_json(value)) if value else type(value)()


# Field types whose validated Python values are what the database driver stores; others are prepared.
AS_STORED = (set(FieldRules.TYPES) - {"DateField"}) | {"ForeignKey"}


class _ItemRows:
    """New items written as rows of the item table, one prepared statement for many rows.

    ``bulk_create`` passes every value of every row through the field API on each call; here the few fields
    whose values are not already what the database stores (dates, JSON, time stamps) are converted, and the
    rest go as they are (validation gave them their types).
    """

    def __init__(self, now):
        self.connection = connections[router.db_for_write(Item)]
        self.now = now
        self.fields = fields = [f for f in Item._meta.concrete_fields if not f.primary_key]
        self.values = field_values(*(f.attname for f in fields))
        # auto_now and auto_now_add fields: the one moment of this filing, as pre_save gives it.
        stamped = [getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in fields]
        self.stamps = [f.attname for f, stamp in zip(fields, stamped, strict=True) if stamp]
        self.stamped = [
            (index, f.get_db_prep_save(now, self.connection))
            for index, (f, stamp) in enumerate(zip(fields, stamped, strict=True)) if stamp
        ]
        self.converted = [
            (index, self._converter(f))
            for index, (f, stamp) in enumerate(zip(fields, stamped, strict=True))
            if not stamp and f.get_internal_type() not in AS_STORED
        ]
        # The audit trail's form of an item (as core.audit.snapshot gives it), for every concrete field.
        self.attnames = [f.attname for f in Item._meta.concrete_fields]
        self.as_json = field_values(*self.attnames)
        encoder = DjangoJSONEncoder()
        # JSON values are copied, as snapshot's round trip does: a later change in place must show.
        # A date field holds a date after validation: its ISO form is what the encoder would give.
        convert = {"DateField": datetime.date.isoformat, "DateTimeField": encoder.default,
                   "JSONField": _json_copy}
        self.to_json = [
            (index, convert[f.get_internal_type()]) for index, f in enumerate(Item._meta.concrete_fields)
            if f.get_internal_type() in convert and f.attname not in self.stamps
        ]
        # The time stamps are this filing's moment on every row: written out once.
        self.stamps_json = [(self.attnames.index(name), encoder.default(now)) for name in self.stamps]
        self.audited = [name for name in self.attnames if name not in Item.audit_exclude]
        self.audited_values = operator.itemgetter(*(self.attnames.index(name) for name in self.audited))
        self.id = operator.attrgetter(Item._meta.pk.attname)  # the pk property costs a lookup of its name

    def _converter(self, field):
        if field.get_internal_type() == "DateField":
            # Validation left a date or None: only the database's form of it is wanted, without the field
            # API's conversions around it (1.5 µs a row).
            return self.connection.ops.adapt_datefield_value
        prepare = partial(field.get_db_prep_save, connection=self.connection)
        if field.get_internal_type() != "JSONField":
            return prepare
        # Most rows have no extra fields: their empty value is prepared once, not dumped again for each row.
        empty = prepare({})
        if callable(getattr(empty, "dumps", None)):
            # psycopg's Jsonb, which COPY writes out through its dumps function row after row: 4.3 µs a row
            # with the field's encoder, 0.8 with its text kept (dumps is per wrapper, not shared).
            text = empty.dumps(empty.obj)
            empty.dumps = lambda _value: text

        def convert(value):
            return empty if value == {} else prepare(value)
        return convert

    def insert(self, items: list[Item]) -> None:
        rows = []
        for item in items:
            for name in self.stamps:
                setattr(item, name, self.now)
            values = list(self.values(item))
            for index, convert in self.converted:
                values[index] = convert(values[index])
            for index, value in self.stamped:
                values[index] = value
            rows.append(values)
        insert_instances(items, self.fields, rows, typed=True)

    def creation_entries(self, items: list[Item]) -> list:
        """One audit entry for each run of consecutive ids (of ``AUDIT_ENTRY_ITEMS`` at most), holding each
        item's id and created values: ``{"fields": names, "common": {name: value}, "items": [[value, …]]}``,
        where ``common`` holds the values every item of the run shares (its fonds, category, time stamps …)
        and each item's row the rest (``created_values`` reads them back).

        Its ``object_id`` names the run (``bulk_object_id``), so an item's history finds it by the item's id.
        """
        entries = []
        items = sorted(items, key=self.id)
        runs = [[items[0]]]
        for item in items[1:]:
            if self.id(item) == self.id(runs[-1][-1]) + 1 and len(runs[-1]) < AUDIT_ENTRY_ITEMS:
                runs[-1].append(item)
            else:
                runs.append([item])
        for run in runs:
            rows = []
            for item in run:
                values = list(self.as_json(item))
                for index, convert in self.to_json:
                    if values[index] is not None:
                        values[index] = convert(values[index])
                for index, value in self.stamps_json:
                    values[index] = value
                # As AuditedModel.save leaves it, so a later save of this instance records only what changed.
                defer_snapshot(item, self.attnames, values)
                rows.append(self.audited_values(values))
            first, last = run[0], run[-1]
            entries.append(new_entry(
                AuditAction.CREATE,
                object_type=Item._meta.label_lower,
                object_id=bulk_object_id(first.pk, last.pk),
                object_repr=f"{first.reference_code} … {last.reference_code}"[:300],
                changes=_shared_apart(self.audited, rows),
                plain=True,  # made of JSON values above
                message=_("批量归档 %(count)d 件") % {"count": len(run)},
            ))
        return entries
