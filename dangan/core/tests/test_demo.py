import io
from collections import defaultdict

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from dangan.access.demo import PUBLIC_READERS
from dangan.accounts.models import User
from dangan.catalogue.models import Fonds, Item, Volume
from dangan.core.audit import verify_chain
from dangan.demo import BUREAU_CODE, PASSWORD, load_demo
from dangan.lib.idnumbers import is_valid_id_number
from dangan.units.models import Unit, UnitEvent

pytestmark = pytest.mark.django_db

ITEMS = 120


@pytest.fixture
def demo(db):
    return load_demo(items=ITEMS)


def test_demo_loads_a_district_of_units_under_the_bureau(demo):
    bureau = Unit.objects.get(code=BUREAU_CODE)
    types = set(Unit.objects.values_list("unit_type", flat=True))
    assert bureau.unit_type == "bureau" and bureau.parent is None
    assert types == {"bureau", "department", "town", "village", "enterprise", "temporary", "project"}
    assert Unit.objects.filter(unit_type="village").count() == 10
    assert Unit.objects.exclude(unit_type="bureau").filter(group__isnull=True).count() == 0


def test_every_unit_has_a_fonds_with_a_four_character_number(demo):
    assert Fonds.objects.count() == Unit.objects.count()
    assert all(len(number) == 4 for number in Fonds.objects.values_list("number", flat=True))


def test_the_merged_township_is_recorded_with_its_successor_and_date(demo):
    merged = Unit.objects.get(code="YZX")
    assert merged.status == "merged" and merged.successor.code == "LHZ"
    assert str(merged.status_date) == "2019-12-31"
    assert UnitEvent.objects.filter(unit=merged, kind="merged").exists()
    assert set(merged.successor.children.values_list("code", flat=True)) >= {"YZX01", "YZX02", "YZX03"}
    fonds = Fonds.objects.get(unit=merged)
    assert fonds.status == "closed" and fonds.custodian.code == "LHZ"
    assert not Item.objects.filter(fonds=fonds, year__gt=2019).exists()


def test_the_temporary_body_is_abolished_and_its_records_are_with_the_bureau(demo):
    census = Unit.objects.get(unit_type="temporary")
    assert census.status == "abolished"
    assert Fonds.objects.get(unit=census).custodian.code == BUREAU_CODE


def test_demo_files_about_the_requested_number_of_items_across_categories(demo):
    assert demo.items == Item.objects.count() == ITEMS
    categories = set(Item.objects.values_list("category__code", flat=True))
    assert {"WS", "KJ", "KU", "ZP", "HY"} <= categories
    assert set(Volume.objects.values_list("category__code", flat=True)) == {"KJ", "KU"}
    assert not Item.objects.filter(category__code__in=["KJ", "KU"], volume__isnull=True).exists()


def test_numbering_is_gapless_in_every_class(demo):
    numbers = defaultdict(list)
    for item in Item.objects.select_related("fonds", "category", "retention", "volume"):
        numbers[item.code_scope()].append(item.number)
    assert all(sorted(found) == list(range(1, len(found) + 1)) for found in numbers.values())


def test_marriage_records_carry_valid_id_numbers(demo):
    marriages = Item.objects.filter(category__code="HY")
    assert marriages.exists()
    for item in marriages:
        assert is_valid_id_number(item.extra["husband_id_number"])
        assert is_valid_id_number(item.extra["wife_id_number"])


def test_demo_accounts_sign_in_with_the_published_password(demo):
    registered = [username for username, *_rest in PUBLIC_READERS]  # the demo's members of the public
    accounts = User.objects.exclude(username__in=registered)
    roles = {user.username: (user.role, user.clearance) for user in accounts}
    assert roles == {
        "staff": ("bureau_staff", "internal"), "archivist": ("unit_archivist", "internal"),
        "archivist2": ("unit_archivist", "internal"), "reader": ("reader", "public"),
    }
    assert all(authenticate(username=name, password=PASSWORD) for name in roles)
    archivist = User.objects.get(username="archivist")
    assert archivist.unit.children.filter(unit_type="village").exists()


def test_the_audit_chain_verifies_after_loading(demo):
    checked, problems = verify_chain()
    assert checked > ITEMS and problems == []


def test_loading_twice_changes_nothing(demo):
    counts = (Unit.objects.count(), Item.objects.count(), User.objects.count())
    assert load_demo(items=ITEMS) is None
    assert (Unit.objects.count(), Item.objects.count(), User.objects.count()) == counts


def test_the_command_reports_its_time_and_the_demo_accounts(db):
    out = io.StringIO()
    call_command("demo", "--items", "40", stdout=out)
    printed = out.getvalue()
    assert "秒" in printed and PASSWORD in printed
    assert all(name in printed for name in ("staff", "archivist2", "reader"))
    assert Item.objects.count() == 40
