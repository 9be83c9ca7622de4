"""Readers: ID numbers validated by their check digit, shown masked."""

import pytest
from django.core.exceptions import ValidationError

from dangan.access.choices import IdType
from dangan.access.models import Reader
from dangan.access.testing import VALID_ID, make_public_reader
from dangan.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",  # wrong check digit
        "11010519491231002",  # 17 characters
        "1101051949123100XX",
        "110105194913310020",  # month 13
        "ABCDEFGHIJKLMNOPQR",
        "",
    ],
)
def test_invalid_resident_id_numbers_are_refused(number):
    reader = Reader(
        user=make_user("x"), name="李四", id_type=IdType.RESIDENT, id_number=number, phone="13800000000"
    )
    with pytest.raises(ValidationError) as e:
        reader.full_clean()
    assert "id_number" in e.value.message_dict


def test_a_valid_number_is_accepted_and_upper_cased():
    reader = Reader(
        user=make_user("x"),
        name="李四",
        id_type=IdType.RESIDENT,
        id_number=VALID_ID.lower(),
        phone="138 0000 0000",
    )
    reader.full_clean()
    assert reader.id_number == VALID_ID


def test_other_documents_are_not_held_to_the_resident_check_digit():
    reader = Reader(
        user=make_user("x"),
        name="John",
        id_type=IdType.PASSPORT,
        id_number="E12345678",
        phone="+8613800000000",
    )
    reader.full_clean()


def test_bad_phone_numbers_are_refused():
    reader = Reader(
        user=make_user("x"), name="李四", id_type=IdType.RESIDENT, id_number=VALID_ID, phone="call me"
    )
    with pytest.raises(ValidationError):
        reader.full_clean()


def test_lists_show_id_numbers_masked(world, client_for):
    make_public_reader()
    page = client_for(world.staff).get("/access/readers/").content.decode()
    assert "110105********002X" in page and VALID_ID not in page


def test_readers_list_is_for_staff_only(world, client_for):
    assert client_for(world.reader).get("/access/readers/").status_code == 403
    assert client_for(None).get("/access/readers/").status_code == 302
