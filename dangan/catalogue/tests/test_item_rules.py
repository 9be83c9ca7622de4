"""The rules an item is checked against before it is filed, one at a time or in bulk."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from dangan.testing import new_items

pytestmark = pytest.mark.django_db

NEXT_YEAR = datetime.date.today().year + 1


def test_an_item_may_be_filed_in_next_year_but_not_later(world):
    planned, too_late = new_items(world.fonds_a, 2)
    planned.year, too_late.year = NEXT_YEAR, NEXT_YEAR + 1
    planned.full_clean(exclude=["reference_code"])
    with pytest.raises(ValidationError) as raised:
        too_late.full_clean(exclude=["reference_code"])
    assert set(raised.value.message_dict) == {"year"}


def test_an_item_may_be_dated_next_year_but_not_later(world):
    planned, too_late = new_items(world.fonds_a, 2)
    planned.date = datetime.date(NEXT_YEAR, 12, 31)
    too_late.date = datetime.date(NEXT_YEAR + 1, 1, 1)
    planned.full_clean(exclude=["reference_code"])
    with pytest.raises(ValidationError) as raised:
        too_late.full_clean(exclude=["reference_code"])
    assert set(raised.value.message_dict) == {"date"}
