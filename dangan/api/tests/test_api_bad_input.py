"""Bad input is a 4xx naming the field, and changes nothing."""

import pytest

from dangan.api.tests.helpers import error_fields, item_payload
from dangan.catalogue.choices import FieldType
from dangan.catalogue.models import Category, CategoryField, Item
from dangan.testing import make_item, make_retention

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/items/"
VALID_ID_NUMBER = "11010519491231002X"


@pytest.fixture
def client(world, as_persona):
    return as_persona("archivist_a")


def post_item(client, world, **overrides):
    return client.post(ITEMS, item_payload(world, **overrides), format="json")


def assert_no_items():
    assert Item.objects.count() == 0


@pytest.mark.parametrize("field, value", [
    ("date", "2023-02-30"),
    ("date", "yesterday"),
    ("year", "abc"),
    ("year", 1800),
    ("year", 99999),
    ("pages", -1),
    ("pages", "many"),
    ("security_level", "bogus"),
    ("control", "bogus"),
    ("status", "bogus"),
    ("title", "长" * 501),
    ("title", ""),
    ("title", None),
    ("org_code", "办公室"),
    ("number", -3),
    ("number", "x"),
    ("category", 999999),
    ("category", "WS"),
    ("fonds", 999999),
    ("retention", 999999),
    ("volume", 999999),
    ("extra", ["a", "b"]),
    ("extra", "text"),
])
def test_bad_value_is_refused_naming_the_field(client, world, field, value):
    assert field in error_fields(post_item(client, world, **{field: value}))
    assert_no_items()


@pytest.mark.parametrize("field", ["fonds", "category", "year", "retention", "title"])
def test_missing_required_field_is_named(client, world, field):
    payload = item_payload(world)
    del payload[field]
    assert field in error_fields(client.post(ITEMS, payload, format="json"))
    assert_no_items()


def test_invalid_date_changes_nothing_on_update(client, world):
    item = make_item(world.fonds_a)
    response = client.patch(f"{ITEMS}{item.pk}/", {"date": "2023-02-30", "title": "改"}, format="json")
    assert "date" in error_fields(response)
    item.refresh_from_db()
    assert (item.date, item.title) == (None, "关于做好年度档案归档工作的通知")


def test_future_year_is_refused(client, world):
    assert "year" in error_fields(post_item(client, world, year=2099))
    assert_no_items()


def test_duplicate_explicit_number_is_refused_naming_number(client, world):
    make_item(world.fonds_a, number=5)
    response = post_item(client, world, number=5)
    assert "number" in error_fields(response)
    assert Item.objects.count() == 1


def test_inactive_legacy_retention_is_refused(client, world):
    legacy = make_retention("CQ", "长期", active=False)
    assert not legacy.active
    assert "retention" in error_fields(post_item(client, world, retention=legacy.pk))
    assert_no_items()


def test_invalid_json_body_is_a_400(client, world):
    response = client.post(ITEMS, data='{"title": "unterminated', content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert_no_items()


def test_json_array_body_is_a_400(client, world):
    response = client.post(ITEMS, data="[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert_no_items()


def test_unsupported_media_type_is_a_415(client, world):
    response = client.post(ITEMS, data="title=x", content_type="text/plain")
    assert response.status_code == 415


def test_nul_character_in_title_is_refused(client, world):
    assert "title" in error_fields(post_item(client, world, title="a\x00b"))
    assert_no_items()


# Extra fields defined per category ------------------------------------------------------------------------


@pytest.fixture
def marriage(world):
    """A category with a required ID-number field, an optional number and a choice."""
    category = Category.objects.create(code="HYT", name="婚姻登记（测试）",
                                       item_template="{fonds}-{category}·{year}-{retention}-{number:04}")
    CategoryField.objects.create(category=category, key="id_number", label="身份证号",
                                 field_type=FieldType.ID_NUMBER, required=True)
    CategoryField.objects.create(category=category, key="copies", label="份数", field_type=FieldType.NUMBER)
    CategoryField.objects.create(category=category, key="kind", label="类别", field_type=FieldType.CHOICE,
                                 choices="结婚,离婚")
    return category


def post_marriage(client, world, marriage, extra):
    return post_item(client, world, category=marriage.pk, org_code="", extra=extra)


def test_valid_extra_fields_are_stored_cleaned(client, world, marriage):
    response = post_marriage(client, world, marriage, {"id_number": VALID_ID_NUMBER.lower(), "copies": "2"})
    assert response.status_code == 201, response.content
    assert response.json()["extra"] == {"id_number": VALID_ID_NUMBER, "copies": 2}


def test_extra_field_not_defined_for_the_category_is_refused(client, world, marriage):
    response = post_marriage(client, world, marriage, {"id_number": VALID_ID_NUMBER, "colour": "red"})
    assert "extra" in error_fields(response)
    assert "colour" in str(response.json()["extra"])
    assert_no_items()


def test_invalid_id_number_in_extra_field_is_refused(client, world, marriage):
    response = post_marriage(client, world, marriage, {"id_number": "110105194912310021"})
    assert "extra" in error_fields(response)
    assert "身份证号" in str(response.json()["extra"])
    assert_no_items()


def test_missing_required_extra_field_is_refused(client, world, marriage):
    assert "extra" in error_fields(post_marriage(client, world, marriage, {}))
    assert_no_items()


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-inf", "1e999", True, "twelve"])
def test_non_number_in_number_extra_field_is_refused(client, world, marriage, value):
    response = post_marriage(client, world, marriage, {"id_number": VALID_ID_NUMBER, "copies": value})
    assert "extra" in error_fields(response)
    assert_no_items()


def test_value_outside_the_choices_is_refused(client, world, marriage):
    response = post_marriage(client, world, marriage, {"id_number": VALID_ID_NUMBER, "kind": "复婚"})
    assert "extra" in error_fields(response)
    assert_no_items()


def test_nested_object_in_text_extra_field_is_refused(client, world, marriage):
    response = post_marriage(client, world, marriage, {"id_number": {"a": 1}})
    assert "extra" in error_fields(response)
    assert_no_items()


def test_nul_character_in_extra_text_is_refused(client, world, marriage):
    CategoryField.objects.create(category=marriage, key="note", label="备注")
    response = post_marriage(client, world, marriage, {"id_number": VALID_ID_NUMBER, "note": "a\x00b"})
    assert "extra" in error_fields(response)
    assert_no_items()


def test_changing_category_checks_the_existing_extra_fields(client, world, marriage):
    item = make_item(world.fonds_a)
    response = client.patch(f"{ITEMS}{item.pk}/", {"category": marriage.pk}, format="json")
    assert "extra" in error_fields(response)
    item.refresh_from_db()
    assert item.category_id == world.category.pk


# Other endpoints -------------------------------------------------------------------------------------------


def test_unit_code_with_punctuation_is_refused_naming_code(world, as_persona):
    response = as_persona("staff").post("/api/v1/units/", {"code": "A-1", "name": "x", "unit_type": "town"},
                                        format="json")
    assert "code" in error_fields(response)


def test_unknown_unit_type_is_refused_naming_unit_type(world, as_persona):
    response = as_persona("staff").post("/api/v1/units/", {"code": "A1", "name": "x", "unit_type": "planet"},
                                        format="json")
    assert "unit_type" in error_fields(response)


def test_id_number_field_type_is_checked_on_category_fields(world, as_persona):
    body = {"category": world.category.pk, "key": "bad key!", "label": "x", "field_type": "colour"}
    response = as_persona("staff").post("/api/v1/category-fields/", body, format="json")
    assert {"key", "field_type"} <= error_fields(response)
