"""Items (件) through the API: who sees, counts, files, changes and deletes what."""

import pytest

from dangan.api.tests.helpers import count, denials, ids, item_payload
from dangan.catalogue.choices import ControlStatus, RecordStatus, SecurityLevel
from dangan.catalogue.models import Item
from dangan.testing import make_fonds, make_item

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/items/"


def url(item):
    return f"{ITEMS}{item.pk}/"


@pytest.fixture
def items(world):
    """One open public item in each unit's fonds, plus A's controlled, internal and secret items."""
    return {
        "a": make_item(world.fonds_a, title="城关镇公开件"),
        "b": make_item(world.fonds_b, title="柳河镇公开件"),
        "a_controlled": make_item(world.fonds_a, title="控制件", control=ControlStatus.CONTROLLED),
        "a_internal": make_item(world.fonds_a, title="限制件", security_level=SecurityLevel.INTERNAL),
        "a_secret": make_item(world.fonds_a, title="秘密件", security_level=SecurityLevel.SECRET),
    }


# Listing and counting ------------------------------------------------------------------------------------


def test_bureau_staff_list_items_of_every_unit_up_to_their_clearance(as_persona, items):
    expected = {items[k].pk for k in ("a", "b", "a_controlled", "a_internal")}
    assert ids(as_persona("staff").get(ITEMS)) == expected


def test_bureau_admin_cleared_top_secret_lists_the_secret_item(as_persona, items):
    assert items["a_secret"].pk in ids(as_persona("admin").get(ITEMS))


def test_archivist_lists_only_own_units_items(as_persona, items):
    expected = {items[k].pk for k in ("a", "a_controlled", "a_internal")}
    assert ids(as_persona("archivist_a").get(ITEMS)) == expected


def test_archivist_cannot_list_other_units_items(as_persona, items):
    assert ids(as_persona("archivist_b").get(ITEMS)) == {items["b"].pk}


def test_archivist_count_excludes_other_units_items(as_persona, items):
    assert count(as_persona("archivist_b").get(ITEMS)) == 1


def test_archivist_lists_items_of_a_sub_units_fonds(world, as_persona, items):
    village_item = make_item(make_fonds(world.village_a, "V001"), title="东关村件")
    assert village_item.pk in ids(as_persona("archivist_a").get(ITEMS))
    assert village_item.pk not in ids(as_persona("archivist_b").get(ITEMS))


def test_reader_lists_only_open_public_items(as_persona, items):
    assert ids(as_persona("reader").get(ITEMS)) == {items["a"].pk, items["b"].pk}


def test_anonymous_cannot_list_items(as_persona, items):
    assert as_persona("anonymous").get(ITEMS).status_code == 401


# Retrieving -----------------------------------------------------------------------------------------------


def test_archivist_retrieves_own_units_item(as_persona, items):
    response = as_persona("archivist_a").get(url(items["a"]))
    assert response.status_code == 200
    assert response.json()["reference_code"] == items["a"].reference_code


def test_archivist_cannot_retrieve_other_units_item(as_persona, items):
    assert as_persona("archivist_b").get(url(items["a"])).status_code == 404


def test_reader_cannot_retrieve_controlled_item(as_persona, items):
    assert as_persona("reader").get(url(items["a_controlled"])).status_code == 404


def test_reader_cannot_retrieve_internal_item(as_persona, items):
    assert as_persona("reader").get(url(items["a_internal"])).status_code == 404


def test_staff_cleared_internal_cannot_retrieve_secret_item(as_persona, items):
    assert as_persona("staff").get(url(items["a_secret"])).status_code == 404


def test_archivist_cannot_retrieve_secret_item_of_own_unit_above_clearance(as_persona, items):
    assert as_persona("archivist_a").get(url(items["a_secret"])).status_code == 404


def test_anonymous_cannot_retrieve_an_open_item(as_persona, items):
    assert as_persona("anonymous").get(url(items["a"])).status_code == 401


def test_unknown_item_is_404(as_persona, items):
    assert as_persona("staff").get(f"{ITEMS}999999/").status_code == 404


def test_non_numeric_item_id_is_404(as_persona, items):
    assert as_persona("staff").get(f"{ITEMS}abc/").status_code == 404


# Creating -------------------------------------------------------------------------------------------------


def test_archivist_creates_item_in_own_fonds_with_reference_code(world, as_persona):
    response = as_persona("archivist_a").post(ITEMS, item_payload(world), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["reference_code"] == "A001-WS·2023-Y-BGS-0001"
    assert Item.objects.get(pk=response.json()["id"]).reference_code == "A001-WS·2023-Y-BGS-0001"


def test_reference_codes_of_one_class_are_numbered_in_sequence(world, as_persona):
    client = as_persona("archivist_a")
    codes = [client.post(ITEMS, item_payload(world), format="json").json()["reference_code"]
             for _ in range(2)]
    assert codes == ["A001-WS·2023-Y-BGS-0001", "A001-WS·2023-Y-BGS-0002"]


def test_explicit_number_is_used_in_reference_code(world, as_persona):
    response = as_persona("archivist_a").post(ITEMS, item_payload(world, number=7), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["reference_code"] == "A001-WS·2023-Y-BGS-0007"


def test_archivist_creates_item_in_sub_units_fonds(world, as_persona):
    village_fonds = make_fonds(world.village_a, "V001")
    payload = item_payload(world, fonds=village_fonds.pk)
    response = as_persona("archivist_a").post(ITEMS, payload, format="json")
    assert response.status_code == 201, response.content


def test_archivist_cannot_create_item_in_other_units_fonds(world, as_persona):
    response = as_persona("archivist_b").post(ITEMS, item_payload(world), format="json")
    assert response.status_code == 403
    assert Item.objects.count() == 0


def test_archivist_cannot_create_item_above_own_clearance(world, as_persona):
    payload = item_payload(world, security_level="secret")
    response = as_persona("archivist_a").post(ITEMS, payload, format="json")
    assert response.status_code == 403
    assert Item.objects.count() == 0


def test_bureau_staff_create_items_in_any_fonds(world, as_persona):
    response = as_persona("staff").post(ITEMS, item_payload(world, fonds=world.fonds_b.pk), format="json")
    assert response.status_code == 201, response.content


def test_reader_cannot_create_items(world, as_persona):
    assert as_persona("reader").post(ITEMS, item_payload(world), format="json").status_code == 403
    assert Item.objects.count() == 0


def test_reader_is_refused_before_the_body_is_read(world, as_persona):
    assert as_persona("reader").post(ITEMS, {"year": "abc"}, format="json").status_code == 403


def test_anonymous_cannot_create_items(world, as_persona):
    assert as_persona("anonymous").post(ITEMS, item_payload(world), format="json").status_code == 401
    assert Item.objects.count() == 0


def test_duplicate_number_in_other_units_fonds_is_refused_without_naming_the_code(world, as_persona):
    make_item(world.fonds_a, number=1)
    response = as_persona("archivist_b").post(ITEMS, item_payload(world, number=1), format="json")
    assert response.status_code == 403
    assert "A001" not in response.content.decode()


# Changing -------------------------------------------------------------------------------------------------


def test_archivist_changes_own_units_item(as_persona, items):
    response = as_persona("archivist_a").patch(url(items["a"]), {"title": "新题名"}, format="json")
    assert response.status_code == 200, response.content
    items["a"].refresh_from_db()
    assert items["a"].title == "新题名"


def test_archivist_cannot_change_other_units_item(as_persona, items):
    response = as_persona("archivist_b").patch(url(items["a"]), {"title": "篡改"}, format="json")
    assert response.status_code == 404
    items["a"].refresh_from_db()
    assert items["a"].title == "城关镇公开件"


def test_archivist_cannot_replace_other_units_item(world, as_persona, items):
    payload = item_payload(world, title="篡改")
    response = as_persona("archivist_b").put(url(items["a"]), payload, format="json")
    assert response.status_code == 404
    items["a"].refresh_from_db()
    assert items["a"].title == "城关镇公开件"


def test_archivist_cannot_move_own_item_into_other_units_fonds(world, as_persona, items):
    response = as_persona("archivist_a").patch(url(items["a"]), {"fonds": world.fonds_b.pk}, format="json")
    assert response.status_code == 403
    items["a"].refresh_from_db()
    assert items["a"].fonds_id == world.fonds_a.pk


def test_archivist_cannot_raise_own_item_above_own_clearance(as_persona, items):
    response = as_persona("archivist_a").patch(url(items["a"]), {"security_level": "secret"}, format="json")
    assert response.status_code == 403
    items["a"].refresh_from_db()
    assert items["a"].security_level == SecurityLevel.PUBLIC


def test_archivist_cannot_change_an_item_already_transferred_to_the_archives(world, as_persona):
    item = make_item(world.fonds_a, status=RecordStatus.TRANSFERRED)
    response = as_persona("archivist_a").patch(url(item), {"title": "改"}, format="json")
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.title != "改"


def test_reader_cannot_change_an_item_they_can_see(as_persona, items):
    response = as_persona("reader").patch(url(items["a"]), {"title": "篡改"}, format="json")
    assert response.status_code == 403
    items["a"].refresh_from_db()
    assert items["a"].title == "城关镇公开件"


def test_staff_cannot_change_an_item_above_their_clearance(as_persona, items):
    response = as_persona("staff").patch(url(items["a_secret"]), {"title": "改"}, format="json")
    assert response.status_code == 404


def test_changing_the_classification_gives_a_new_reference_code(world, as_persona, items):
    response = as_persona("archivist_a").patch(url(items["a"]), {"year": 2021}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["reference_code"].startswith("A001-WS·2021-Y-BGS-")


def test_number_cannot_be_changed_after_creation(as_persona, items):
    before = items["a"].reference_code
    response = as_persona("archivist_a").patch(url(items["a"]), {"number": 99}, format="json")
    assert response.status_code == 400
    assert "number" in response.json()
    items["a"].refresh_from_db()
    assert items["a"].reference_code == before


def test_sending_the_unchanged_number_back_is_accepted(as_persona, items):
    response = as_persona("archivist_a").patch(url(items["a"]), {"number": items["a"].number, "title": "新"},
                                               format="json")
    assert response.status_code == 200, response.content


def test_reference_code_is_read_only(as_persona, items):
    before = items["a"].reference_code
    as_persona("archivist_a").patch(url(items["a"]), {"reference_code": "HACKED-1"}, format="json")
    items["a"].refresh_from_db()
    assert items["a"].reference_code == before


# Deleting -------------------------------------------------------------------------------------------------


def test_archivist_deletes_own_units_item(as_persona, items):
    assert as_persona("archivist_a").delete(url(items["a"])).status_code == 204
    assert not Item.objects.filter(pk=items["a"].pk).exists()


def test_archivist_cannot_delete_other_units_item(as_persona, items):
    assert as_persona("archivist_b").delete(url(items["a"])).status_code == 404
    assert Item.objects.filter(pk=items["a"].pk).exists()


def test_reader_cannot_delete_an_item_they_can_see(as_persona, items):
    assert as_persona("reader").delete(url(items["a"])).status_code == 403
    assert Item.objects.filter(pk=items["a"].pk).exists()


def test_anonymous_cannot_delete_items(as_persona, items):
    assert as_persona("anonymous").delete(url(items["a"])).status_code == 401
    assert Item.objects.filter(pk=items["a"].pk).exists()


# Denials in the audit trail -------------------------------------------------------------------------------


def test_refused_create_is_audited_under_the_refused_user(world, as_persona):
    as_persona("archivist_b").post(ITEMS, item_payload(world), format="json")
    assert [e.message for e in denials("archivist_b")] == ["denied: add"]


def test_refused_change_of_a_visible_item_is_audited(as_persona, items):
    as_persona("reader").patch(url(items["a"]), {"title": "x"}, format="json")
    entry = denials("reader")[0]
    assert (entry.object_id, entry.message) == (str(items["a"].pk), "denied: change")


def test_reaching_for_an_invisible_item_is_audited_though_answered_404(as_persona, items):
    as_persona("archivist_b").delete(url(items["a"]))
    entry = denials("archivist_b")[0]
    assert (entry.object_type, entry.object_id) == ("catalogue.item", str(items["a"].pk))


def test_unknown_item_id_writes_no_denial(as_persona, items):
    as_persona("archivist_b").get(f"{ITEMS}999999/")
    assert denials("archivist_b") == []
