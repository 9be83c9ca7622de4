"""Catalogue workflows that span many records: filing and updating items in bulk (demo data, imports)."""

from collections import Counter, defaultdict

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from dangan.catalogue import references
from dangan.catalogue.models import Category, Fonds, Item, Retention, Volume
from dangan.core.audit import snapshot
from dangan.core.choices import AuditAction
from dangan.core.models import append, new_entry
from dangan.core.permissions import CHANGE

# Each is fetched once per batch and shared by every item that points at it, so validating and numbering a
# million rows costs a handful of queries per thousand rows, not several per row.
RELATED = (("volume", Volume), ("fonds", Fonds), ("category", Category), ("retention", Retention))
FROM_VOLUME = ("fonds_id", "category_id", "year", "retention_id")
LOOKUP_CHUNK = 900
MAX_LISTED_ERRORS = 100

# Sent inside the filing transaction with ``items`` (saved), once per batch: bulk_create fires no post_save,
# and the search index (a higher app, which catalogue must not import) follows through this.
items_filed = Signal()


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
                       first_row: int = 1) -> list[Item]:
    """Validate, number and store new items all together, or none of them.

    Items are numbered in list order within each counter scope (put them in date order first, as DA/T 22
    arranges items), continuing gaplessly after the numbers already given; an item that arrives with a
    number keeps it, as ``Record.assign_reference_code`` does. With ``user`` each row is also checked
    against that user's right to file into its fonds at its security level. Every item gets its audit
    entry. Raises ``BulkValidationError`` naming every bad row and field.
    """
    if not items:
        return items
    errors: dict[int, dict[str, list[str]]] = defaultdict(dict)
    _validate(items, errors, user)
    if errors:
        raise BulkValidationError(dict(errors), first_row)
    with transaction.atomic():
        _number(items)
        _check_unique_codes(items, errors, first_row)
        if errors:
            raise BulkValidationError(dict(errors), first_row)
        for start in range(0, len(items), batch_size):
            batch = items[start:start + batch_size]
            Item.objects.bulk_create(batch, batch_size=batch_size)
            append([_creation_entry(item) for item in batch], batch_size=batch_size)
            items_filed.send(sender=Item, items=batch)
    return items


def update_items_in_bulk(items: list[Item], fields: list[str], batch_size: int = 1000, *, user=None,
                         first_row: int = 1) -> list[Item]:
    """Validate and store changes to saved items (loaded from the database) all together, or none of them.

    The same checks as ``file_items_in_bulk``, with ``user`` checked for the right to change each item; a
    change of classification (which would renumber) is refused here: do it one record at a time. Each item
    gets an update entry with before and after, and the search index follows through ``items_filed``.
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
            items_filed.send(sender=Item, items=batch)
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
    fetched = {"volume": volumes}
    for name, model in RELATED[1:]:
        fetched[name] = _fetch(model, {getattr(item, f"{name}_id") for item in items})
    fileable = _fileable_fonds(user, fetched["fonds"])
    changeable = _changeable_items(user, items) if updating else set()
    exclude = [name for name, _model in RELATED] + ["reference_code"]
    for index, item in enumerate(items):
        row = errors[index] if index in errors else {}
        for name, _model in RELATED:
            pk = getattr(item, f"{name}_id")
            if pk is not None and pk not in fetched[name]:
                row[name] = [_("不存在（编号 %(pk)s）") % {"pk": pk}]
            elif pk is not None:
                setattr(item, name, fetched[name][pk])
            elif name != "volume":
                row[name] = [_("必填")]
        if not row:
            # Reference codes are unique-checked for the whole batch at once (_check_unique_codes).
            item._codes_checked_in_bulk = True
            try:
                item.full_clean(exclude=exclude, validate_unique=False)
            except ValidationError as e:
                row.update(e.message_dict)
        if not row and user is not None:
            row.update(_permission_errors(user, item, fileable))
        if not row and user is not None and updating and item.pk not in changeable:
            row[NON_FIELD_ERRORS] = [_("您无权修改档号 %(code)s 的条目") % {"code": item.reference_code}]
        if row:
            errors[index] = row


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
    scopes = [item.code_scope() for item in items]
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
        item.reference_code = references.render(item.code_template(), item.code_values(), item.number)


def _check_unique_codes(items: list[Item], errors: dict, first_row: int) -> None:
    first_with: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.reference_code in first_with:
            errors[index]["number"] = [_("档号 %(code)s 与第 %(row)d 条重复")
                                       % {"code": item.reference_code,
                                          "row": first_with[item.reference_code] + first_row}]
        else:
            first_with[item.reference_code] = index
    codes = list(first_with)
    for start in range(0, len(codes), LOOKUP_CHUNK):
        taken = Item.objects.filter(reference_code__in=codes[start:start + LOOKUP_CHUNK])
        for code in taken.values_list("reference_code", flat=True):
            errors[first_with[code]]["number"] = [_("档号 %(code)s 已存在") % {"code": code}]


def _update_entry(item: Item):
    after = snapshot(item)
    changes = item._audit_diff(item._audit_before, after)
    item._audit_before = after
    return new_entry(AuditAction.UPDATE, item, changes=changes)


def _creation_entry(item: Item):
    after = snapshot(item)
    # As AuditedModel.save leaves it, so a later save of this instance records only what changed.
    item._audit_before = after
    return new_entry(AuditAction.CREATE, item, changes={"after": item._audit_filter(after)})
