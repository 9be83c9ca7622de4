"""Reference codes (档号, DA/T 13 / DA/T 22): templates, rendering and gapless numbering.

A template is a format string over a fixed set of names, e.g. ``{fonds}-{category}·{year}-{retention}-{org}-
{number:04}``. Only ``number`` may carry a width. The text a template renders with the number left out is
the *scope* of a counter, so numbers run 1, 2, 3 … within each lowest class with no gaps or duplicates.
"""

import string

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

DEFAULT_ITEM_TEMPLATE = "{fonds}-{category}·{year}-{retention}-{org}-{number:04}"
DEFAULT_VOLUME_TEMPLATE = "{fonds}-{category}·{year}-{retention}-{number:04}"
DEFAULT_VOLUME_ITEM_TEMPLATE = "{volume}-{number:03}"

ITEM_NAMES = {"fonds", "category", "year", "retention", "org", "number"}
VOLUME_ITEM_NAMES = ITEM_NAMES | {"volume"}
NUMBER_SLOT = "#"  # never in a rendered code: its parts are letters, digits and the template's own text


def template_names(template: str) -> list[str]:
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as e:
        raise ValidationError(_("档号模板格式错误：%(error)s") % {"error": e}) from None
    return [name for _text, name, _spec, _conv in parts if name is not None]


def validate_template(template: str, allowed: set[str]) -> None:
    names = template_names(template)
    for _text, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if name not in allowed:
            raise ValidationError(_("档号模板中有未知的字段 {%(name)s}；可用字段：%(allowed)s")
                                  % {"name": name, "allowed": ", ".join(sorted(allowed))})
        if conversion or (spec and (name != "number" or not spec.isdigit())):
            raise ValidationError(_("档号模板中只有 {number} 可以指定位数，如 {number:04}"))
    if names.count("number") != 1:
        raise ValidationError(_("档号模板必须恰好包含一次 {number}"))


def render(template: str, values: dict, number: int | None) -> str:
    """The reference code, or with ``number=None`` the counter scope (the code with its number left out)."""
    out = []
    for text, name, spec, _conv in string.Formatter().parse(template):
        out.append(text)
        if name is None:
            continue
        if name == "number":
            out.append(NUMBER_SLOT if number is None else format(number, f"0{spec}d" if spec else "d"))
        else:
            out.append(str(values[name]))
    return "".join(out)


class ReferenceCounter(models.Model):
    """The last number given out in one scope of a reference-code template."""

    scope = models.CharField(max_length=200, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "档号计数器"


def next_number(scope: str) -> int:
    """Take the next number in ``scope``; must run inside the transaction that stores the record.

    The counter row is locked until that transaction ends, so concurrent savers queue and a rolled-back save
    gives its number back.
    """
    ReferenceCounter.objects.bulk_create([ReferenceCounter(scope=scope)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(scope=scope)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def claim_number(scope: str, number: int) -> None:
    """Record that ``number`` was given by hand (an imported catalogue), so the counter continues after it."""
    ReferenceCounter.objects.bulk_create([ReferenceCounter(scope=scope)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(scope=scope)
    if number > counter.last_number:
        counter.last_number = number
        counter.save(update_fields=["last_number"])


def take_numbers(scope: str, count: int) -> int:
    """Take ``count`` consecutive numbers in ``scope`` at once; return the first (see ``next_number``)."""
    return reserve_numbers({scope: count})[scope]


def reserve_numbers(counts: dict[str, int], floors: dict[str, int] | None = None,
                    chunk_size: int = 500) -> dict[str, int]:
    """Take ``counts[scope]`` consecutive numbers in each scope; return the first number of each.

    ``floors[scope]`` is a number already given by hand in that scope (``claim_number``): the counter first
    moves up to it. Must run inside the transaction that stores the records. Counters are locked in scope
    order, so two bulk filings that share scopes queue instead of deadlocking.
    """
    floors = floors or {}
    scopes = sorted(set(counts) | set(floors))
    first: dict[str, int] = {}
    for start in range(0, len(scopes), chunk_size):
        chunk = scopes[start:start + chunk_size]
        ReferenceCounter.objects.bulk_create([ReferenceCounter(scope=s) for s in chunk],
                                             ignore_conflicts=True)
        locked = ReferenceCounter.objects.select_for_update().filter(scope__in=chunk).order_by("scope")
        counters = list(locked)
        for counter in counters:
            counter.last_number = max(counter.last_number, floors.get(counter.scope, 0))
            first[counter.scope] = counter.last_number + 1
            counter.last_number += counts.get(counter.scope, 0)
        ReferenceCounter.objects.bulk_update(counters, ["last_number"])
    return first
