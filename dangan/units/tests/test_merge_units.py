import datetime

import pytest
from django.core.exceptions import ValidationError

from dangan.catalogue.choices import FondsStatus
from dangan.catalogue.models import Item
from dangan.core.models import AuditEntry
from dangan.testing import make_fonds, make_item, make_unit
from dangan.units.choices import UnitStatus
from dangan.units.services import abolish_unit, merge_units

pytestmark = pytest.mark.django_db
MERGER_DAY = datetime.date(2019, 12, 31)


def test_merged_unit_stays_in_the_register_with_date_and_successor(world):
    merge_units([world.unit_b], world.unit_a, MERGER_DAY, "区划调整")
    world.unit_b.refresh_from_db()
    assert world.unit_b.status == UnitStatus.MERGED
    assert world.unit_b.successor == world.unit_a
    assert world.unit_b.status_date == MERGER_DAY
    assert world.unit_b.events.get().note == "区划调整"


def test_merger_keeps_every_record_and_its_reference_code(world):
    item = make_item(world.fonds_b)
    merge_units([world.unit_b], world.unit_a, MERGER_DAY)
    assert Item.objects.get(pk=item.pk).reference_code == item.reference_code
    assert Item.objects.get(pk=item.pk).fonds == world.fonds_b


def test_merged_units_fonds_is_closed_and_held_by_the_successor(world):
    merge_units([world.unit_b], world.unit_a, MERGER_DAY)
    world.fonds_b.refresh_from_db()
    assert world.fonds_b.status == FondsStatus.CLOSED
    assert world.fonds_b.custodian == world.unit_a
    assert world.fonds_b.end_year == 2019


def test_fonds_already_in_the_archives_stays_there(world):
    old = make_fonds(world.unit_b, "B002", custodian=world.bureau)
    merge_units([world.unit_b], world.unit_a, MERGER_DAY)
    old.refresh_from_db()
    assert old.custodian == world.bureau


def test_villages_of_a_merged_town_move_under_the_successor(world):
    village = make_unit("西河村", "village", parent=world.unit_b)
    merge_units([world.unit_b], world.unit_a, MERGER_DAY)
    village.refresh_from_db()
    assert village.parent == world.unit_a


def test_successors_archivist_reaches_the_merged_units_records(world):
    item = make_item(world.fonds_b)
    assert not Item.objects.restrict(world.archivist_a).filter(pk=item.pk).exists()
    merge_units([world.unit_b], world.unit_a, MERGER_DAY)
    world.archivist_a.refresh_from_db()
    assert Item.objects.restrict(world.archivist_a).filter(pk=item.pk).exists()


def test_two_towns_merge_into_a_new_one(world):
    new_town = make_unit("青柳镇", "town", parent=world.bureau)
    merge_units([world.unit_a, world.unit_b], new_town, MERGER_DAY)
    assert set(new_town.predecessors.values_list("code", flat=True)) == {"TOWNA", "TOWNB"}


@pytest.mark.parametrize(
    "case", ["into itself", "into a merged unit", "already merged", "into its own village"]
)
def test_impossible_mergers_are_refused_and_change_nothing(world, case):
    if case == "into itself":
        units, successor = [world.unit_a], world.unit_a
    elif case == "into a merged unit":
        merge_units([world.unit_b], world.bureau, MERGER_DAY)
        units, successor = [world.unit_a], world.unit_b
    elif case == "already merged":
        merge_units([world.unit_b], world.bureau, MERGER_DAY)
        units, successor = [world.unit_b], world.unit_a
    else:
        units, successor = [world.unit_a], world.village_a
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        merge_units(units, successor, MERGER_DAY)
    assert AuditEntry.objects.count() == before
    world.unit_a.refresh_from_db()
    assert world.unit_a.status == UnitStatus.ACTIVE


def test_abolished_bodys_records_pass_to_the_custodian(world):
    office = make_unit("人口普查办公室", "temporary", parent=world.bureau)
    fonds = make_fonds(office, "T001")
    abolish_unit(office, datetime.date(2021, 6, 30), world.bureau)
    fonds.refresh_from_db()
    office.refresh_from_db()
    assert office.status == UnitStatus.ABOLISHED
    assert fonds.custodian == world.bureau and fonds.status == FondsStatus.CLOSED
