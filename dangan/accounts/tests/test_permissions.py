"""The one permission check, on the models themselves (views and API have their own persona tests)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from dangan.catalogue.choices import ControlStatus, SecurityLevel
from dangan.catalogue.models import Fonds, Item
from dangan.core.models import AuditEntry
from dangan.core.permissions import CHANGE, VIEW, can, require
from dangan.testing import make_fonds, make_item
from dangan.units.models import Unit

pytestmark = pytest.mark.django_db


def visible_titles(user):
    return set(Item.objects.restrict(user, VIEW).values_list("title", flat=True))


@pytest.fixture
def records(world):
    village_fonds = make_fonds(world.village_a, "V001")
    return {
        "a_open": make_item(world.fonds_a, title="A公开"),
        "a_controlled": make_item(world.fonds_a, title="A控制", control=ControlStatus.CONTROLLED),
        "a_secret": make_item(world.fonds_a, title="A秘密", security_level=SecurityLevel.SECRET),
        "village": make_item(village_fonds, title="村公开"),
        "b_open": make_item(world.fonds_b, title="B公开"),
    }


def test_archivist_sees_own_unit_and_its_villages_but_not_other_units(world, records):
    assert visible_titles(world.archivist_a) == {"A公开", "A控制", "村公开"}


def test_archivist_of_another_unit_sees_only_theirs(world, records):
    assert visible_titles(world.archivist_b) == {"B公开"}


def test_bureau_staff_see_every_unit_up_to_their_clearance(world, records):
    assert visible_titles(world.staff) == {"A公开", "A控制", "村公开", "B公开"}


def test_clearance_reveals_classified_items(world, records):
    assert "A秘密" in visible_titles(world.admin)


def test_reader_sees_only_open_public_items(world, records):
    assert visible_titles(world.reader) == {"A公开", "村公开", "B公开"}


def test_anonymous_and_inactive_users_see_nothing(world, records):
    world.staff.is_active = False
    assert visible_titles(AnonymousUser()) == set()
    assert visible_titles(world.staff) == set()


def test_archivist_cannot_change_another_units_item(world, records):
    assert not can(world.archivist_b, CHANGE, records["a_open"])
    assert can(world.archivist_a, CHANGE, records["a_open"])


def test_archivist_cannot_file_into_another_units_fonds(world):
    item = Item(fonds=world.fonds_b, security_level=SecurityLevel.PUBLIC)
    assert not Item.permits_new(world.archivist_a, item)
    assert Item.permits_new(world.archivist_b, item)


def test_nobody_files_above_their_clearance(world):
    item = Item(fonds=world.fonds_a, security_level=SecurityLevel.SECRET)
    assert not Item.permits_new(world.archivist_a, item)
    assert not Item.permits_new(world.staff, item)


def test_only_the_bureau_changes_units_and_fonds(world):
    assert can(world.staff, CHANGE, world.unit_a) and can(world.staff, CHANGE, world.fonds_a)
    assert not can(world.archivist_a, CHANGE, world.unit_a)
    assert not can(world.archivist_a, CHANGE, world.fonds_a)
    assert Unit.objects.restrict(world.reader, VIEW).count() == Unit.objects.count()


def test_archivist_sees_only_fonds_in_their_scope(world):
    assert set(Fonds.objects.restrict(world.archivist_a)) == {world.fonds_a}


def test_a_denial_is_recorded_in_the_audit_trail(world, records):
    with pytest.raises(PermissionDenied):
        require(world.archivist_b, CHANGE, records["a_open"])
    entry = AuditEntry.objects.filter(action="denied").get()
    assert entry.actor_name == "archivist_b" and entry.object_id == str(records["a_open"].pk)
