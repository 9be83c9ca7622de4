"""Small factories and the personas every permission test uses (Healthchecks' alice/bob/charlie pattern)."""

import itertools
from dataclasses import dataclass

from dangan.accounts.choices import Role
from dangan.accounts.models import User
from dangan.catalogue.choices import ControlStatus, FilingLevel, SecurityLevel
from dangan.catalogue.models import Category, Fonds, Item, Retention, Volume
from dangan.units.models import Unit

_counter = itertools.count(1)
PASSWORD = "correct-horse-9"


def make_unit(name=None, unit_type="department", parent=None, **kwargs) -> Unit:
    n = next(_counter)
    return Unit.objects.create(
        code=kwargs.pop("code", f"U{n:04d}"),
        name=name or f"单位{n}",
        unit_type=unit_type,
        parent=parent,
        **kwargs,
    )


def make_fonds(unit: Unit, number=None, **kwargs) -> Fonds:
    n = next(_counter)
    return Fonds.objects.create(
        number=number or f"F{n:03d}",
        name=kwargs.pop("name", unit.name),
        unit=unit,
        custodian=kwargs.pop("custodian", unit),
        **kwargs,
    )


def make_category(code="WS", name="文书", **kwargs) -> Category:
    category, _ = Category.objects.get_or_create(code=code, defaults={"name": name, **kwargs})
    return category


def make_retention(code="Y", name="永久", years=None, **kwargs) -> Retention:
    retention, _ = Retention.objects.get_or_create(
        code=code, defaults={"name": name, "years": years, **kwargs}
    )
    return retention


def make_item(fonds: Fonds, **kwargs) -> Item:
    values = {
        "category": kwargs.pop("category", None) or make_category(),
        "retention": kwargs.pop("retention", None) or make_retention(),
        "year": 2023,
        "org_code": "BGS",
        "title": "关于做好年度档案归档工作的通知",
        "creator": "区政府办公室",
        "security_level": SecurityLevel.PUBLIC,
        "control": ControlStatus.OPEN,
    }
    values.update(kwargs)
    item = Item(fonds=fonds, **values)
    item.full_clean()
    item.save()
    return item


def new_items(fonds: Fonds, count: int, title="关于第{n}项工作的通知", **values) -> list[Item]:
    """Unsaved items of the 文书 category kept permanently, for bulk filing (``file_items_in_bulk``)."""
    category = Category.objects.get(code="WS")
    retention = Retention.objects.get(code="Y")
    return [
        Item(
            fonds=fonds,
            category=category,
            retention=retention,
            year=values.get("year", 2023),
            org_code=values.get("org_code", "BGS"),
            title=title.format(n=n + 1),
            creator="城关镇",
            extra=dict(values.get("extra", {})),
        )
        for n in range(count)
    ]


def make_volume(fonds: Fonds, **kwargs) -> Volume:
    category = kwargs.pop("category", None) or make_category("KJ", "科技", filing_level=FilingLevel.VOLUME)
    values = {
        "retention": make_retention(),
        "year": 2022,
        "title": "区行政中心工程竣工图",
        "category": category,
        "security_level": SecurityLevel.PUBLIC,
    }
    values.update(kwargs)
    volume = Volume(fonds=fonds, **values)
    volume.full_clean()
    volume.save()
    return volume


def make_user(username, role=Role.READER, unit=None, clearance=SecurityLevel.INTERNAL, **kwargs) -> User:
    user = User(username=username, role=role, unit=unit, clearance=clearance, **kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class World:
    """A bureau with two units (A and B), a fonds each, and one user of every kind."""

    bureau: Unit
    unit_a: Unit
    unit_b: Unit
    village_a: Unit
    fonds_a: Fonds
    fonds_b: Fonds
    category: Category
    retention: Retention
    admin: User
    staff: User
    archivist_a: User
    archivist_b: User
    reader: User


def use_search_backend(settings, name: str) -> None:
    """Make ``name`` the search backend for the rest of the test (``settings``: pytest-django's fixture)."""
    from dangan.search import backends

    settings.DANGAN_SEARCH_BACKEND = name
    backends.reset()


def make_world() -> World:
    bureau = make_unit("区档案局", "bureau", code="BUREAU")
    unit_a = make_unit("城关镇", "town", parent=bureau, code="TOWNA")
    unit_b = make_unit("柳河镇", "town", parent=bureau, code="TOWNB")
    village_a = make_unit("东关村", "village", parent=unit_a, code="VILA")
    return World(
        bureau=bureau,
        unit_a=unit_a,
        unit_b=unit_b,
        village_a=village_a,
        fonds_a=make_fonds(unit_a, "A001"),
        fonds_b=make_fonds(unit_b, "B001"),
        category=make_category(),
        retention=make_retention(),
        admin=make_user("admin", Role.BUREAU_ADMIN, bureau, SecurityLevel.TOP_SECRET),
        staff=make_user("staff", Role.BUREAU_STAFF, bureau),
        archivist_a=make_user("archivist_a", Role.UNIT_ARCHIVIST, unit_a),
        archivist_b=make_user("archivist_b", Role.UNIT_ARCHIVIST, unit_b),
        reader=make_user("reader", Role.READER, None, SecurityLevel.PUBLIC),
    )
