import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from dangan.catalogue.models import Category, CategoryField, Item, Retention
from dangan.catalogue.services import (
    MAX_CODE_RUNS,
    BulkValidationError,
    ReferenceCodes,
    _shared_apart,
    code_runs,
    created_values,
    file_items_in_bulk,
    item_rules,
    items_changed,
    stored_codes,
    update_items_in_bulk,
)
from dangan.core.audit import verify_chain
from dangan.core.models import AuditEntry
from dangan.testing import (
    make_category,
    make_fonds,
    make_item,
    make_retention,
    make_unit,
    make_volume,
    new_items,
)

pytestmark = pytest.mark.django_db


def test_bulk_filing_continues_gaplessly_after_items_filed_one_by_one(world):
    make_item(world.fonds_a)
    make_item(world.fonds_a)
    filed = file_items_in_bulk(new_items(world.fonds_a, 3))
    assert [item.number for item in filed] == [3, 4, 5]
    assert filed[0].reference_code == "A001-WS·2023-Y-BGS-0003"
    assert make_item(world.fonds_a).number == 6


def test_bulk_filed_items_carry_the_ids_the_database_gave_them(world):
    make_item(world.fonds_a)
    Item.objects.filter(pk=make_item(world.fonds_a).pk).delete()  # the newest id is gone, not reused
    filed = file_items_in_bulk(new_items(world.fonds_a, 5) + new_items(world.fonds_b, 3, year=2022))
    stored = dict(Item.objects.values_list("pk", "reference_code"))
    assert {item.pk: item.reference_code for item in filed}.items() <= stored.items()
    assert len({item.pk for item in filed}) == 8


def test_bulk_filed_items_store_their_extra_values_empty_or_not(world):
    CategoryField.objects.create(category=Category.objects.get(code="WS"), key="place", label="地点")
    items = new_items(world.fonds_a, 2) + new_items(world.fonds_a, 1, extra={"place": "城关"})
    file_items_in_bulk(items)
    stored = dict(Item.objects.values_list("pk", "extra"))
    assert [stored[item.pk] for item in items] == [{}, {}, {"place": "城关"}]


def test_each_class_is_numbered_from_one_in_list_order(world):
    fonds = world.fonds_a
    items = new_items(fonds, 2) + new_items(fonds, 2, org_code="CZS") + new_items(fonds, 1)
    file_items_in_bulk(items)
    assert [item.reference_code for item in items] == [
        "A001-WS·2023-Y-BGS-0001", "A001-WS·2023-Y-BGS-0002",
        "A001-WS·2023-Y-CZS-0001", "A001-WS·2023-Y-CZS-0002",
        "A001-WS·2023-Y-BGS-0003",
    ]


def test_a_bad_row_rejects_the_whole_batch_and_is_named_with_its_field(world):
    items = new_items(world.fonds_a, 3)
    items[1].title = ""
    with pytest.raises(BulkValidationError) as raised:
        file_items_in_bulk(items)
    assert list(raised.value.rows) == [1]
    assert set(raised.value.rows[1]) == {"title"}
    assert "第 2 条【题名】" in raised.value.messages[0]
    assert not Item.objects.exists()
    assert make_item(world.fonds_a).number == 1  # no number was used up


def test_rows_are_named_from_the_importers_first_row(world):
    items = new_items(world.fonds_a, 2)
    items[0].retention = Retention.objects.get(code="CQ")
    with pytest.raises(BulkValidationError) as raised:
        file_items_in_bulk(items, first_row=2)
    assert raised.value.messages[0].startswith("第 2 条【保管期限】")


def test_a_missing_fonds_is_reported_for_its_row(world):
    items = new_items(world.fonds_a, 2)
    items[1].fonds_id = 987654
    with pytest.raises(BulkValidationError) as raised:
        file_items_in_bulk(items)
    assert set(raised.value.rows) == {1} and "fonds" in raised.value.rows[1]


def test_every_bad_row_is_reported_not_just_the_first(world):
    items = new_items(world.fonds_a, 5)
    items[0].org_code = ""
    items[4].year = 1800
    with pytest.raises(BulkValidationError) as raised:
        file_items_in_bulk(items)
    assert raised.value.rows.keys() == {0, 4}
    assert "org_code" in raised.value.rows[0] and "year" in raised.value.rows[4]


def test_each_fields_own_rules_are_applied_and_values_converted_as_full_clean_does(world):
    items = new_items(world.fonds_a, 4)
    items[0].title = "长" * 501
    items[1].security_level = "不存在的密级"
    items[2].org_code = "B-1"
    items[3].pages = "12"
    with pytest.raises(BulkValidationError) as raised:
        file_items_in_bulk(items)
    assert {row: set(fields) for row, fields in raised.value.rows.items()} == {
        0: {"title"}, 1: {"security_level"}, 2: {"org_code"}}
    assert items[3].pages == 12


def test_checking_a_batch_at_once_gives_each_item_the_verdict_and_values_full_clean_gives(world):
    def batch():
        items = new_items(world.fonds_a, 8)
        items[0].title = "长" * 501
        items[1].security_level = "不存在的密级"
        items[2].org_code = "B-1"
        items[3].pages = "12"  # converted, and then passes
        items[4].title = ""
        items[5].year = True  # equal to 1, yet no year
        items[6].year = datetime.date.today().year + 2  # fails clean()
        for item in items:
            item._codes_checked_in_bulk = True
        return items

    rules = item_rules()
    one_by_one = batch()
    expected = []
    for item in one_by_one:
        try:
            rules.full_clean(item)
        except ValidationError:
            expected.append(False)
        else:
            expected.append(True)
    together = batch()
    assert rules.passing(together) == expected == [False, False, False, True, False, False, False, True]
    assert [item.pages for item in together] == [item.pages for item in one_by_one]
    assert together[3].pages == 12


def test_an_item_given_its_number_keeps_it_and_the_counter_moves_past_it(world):
    items = new_items(world.fonds_a, 2)
    items[0].number = 7
    file_items_in_bulk(items)
    assert [item.number for item in items] == [7, 8]
    assert make_item(world.fonds_a).number == 9


# Items whose field rules passed in an importer's child (``rules_passed``) are still checked for the rest.
passed_elsewhere = pytest.mark.parametrize(
    "rules_passed", [False, True], ids=["checked here", "rules passed elsewhere"]
)


@passed_elsewhere
def test_a_number_already_taken_is_rejected(world, rules_passed):
    make_item(world.fonds_a)
    items = new_items(world.fonds_a, 2)
    items[1].number = 1
    for item in items:
        item.rules_passed = rules_passed
    with pytest.raises(BulkValidationError) as raised:
        file_items_in_bulk(items)
    assert "已存在" in str(raised.value.rows[1]["number"])
    assert Item.objects.count() == 1


def test_items_in_a_volume_take_its_classification_and_are_numbered_inside_it(world):
    volume = make_volume(world.fonds_a)
    items = [Item(volume=volume, title=f"施工图 第{n}张") for n in (1, 2)]
    file_items_in_bulk(items)
    assert [item.reference_code for item in items] == [f"{volume.reference_code}-001",
                                                       f"{volume.reference_code}-002"]
    assert items[0].fonds_id == world.fonds_a.pk and items[0].year == volume.year


def test_each_batch_gets_one_audit_entry_holding_every_items_created_values(world):
    filed = file_items_in_bulk(new_items(world.fonds_a, 4), batch_size=3)
    entries = AuditEntry.objects.filter(object_type="catalogue.item", action="create").order_by("sequence")
    assert entries.count() == 2
    held = [values for entry in entries for values in created_values(entry)]
    assert [values["id"] for values in held] == [item.pk for item in filed]
    assert held[0]["reference_code"] == filed[0].reference_code and held[3]["title"] == filed[3].title
    _checked, problems = verify_chain()
    assert problems == []


def test_a_large_batch_is_audited_in_entries_of_limited_size(world, monkeypatch):
    monkeypatch.setattr("dangan.catalogue.services.AUDIT_ENTRY_ITEMS", 2)
    filed = file_items_in_bulk(new_items(world.fonds_a, 5), batch_size=5)
    entries = AuditEntry.objects.filter(object_type="catalogue.item", action="create").order_by("sequence")
    assert [len(entry.changes["items"]) for entry in entries] == [2, 2, 1]
    held = [values["id"] for entry in entries for values in created_values(entry)]
    assert held == [item.pk for item in filed]


def test_values_every_item_of_a_bulk_entry_shares_are_held_once(world):
    filed = file_items_in_bulk(new_items(world.fonds_a, 3))
    entry = AuditEntry.objects.get(object_type="catalogue.item", action="create")
    assert entry.changes["common"]["fonds_id"] == world.fonds_a.pk
    assert "fonds_id" not in entry.changes["fields"] and "title" in entry.changes["fields"]
    assert [values["fonds_id"] for values in created_values(entry)] == [world.fonds_a.pk] * 3
    assert [values["reference_code"] for values in created_values(entry)] == [i.reference_code for i in filed]


def test_values_alike_in_python_but_not_in_json_are_not_shared():
    rows = [(1, {"a": 1}, 1), (2, {"a": True}, True)]
    changes = _shared_apart(["id", "extra", "pages"], rows)
    assert changes == {"fields": ["id", "extra", "pages"], "common": {}, "items": [list(row) for row in rows]}


def test_a_bulk_entry_written_before_values_were_shared_still_reads(world):
    entry = AuditEntry(changes={"fields": ["id", "title"], "items": [[1, "甲"], [2, "乙"]]})
    assert created_values(entry) == [{"id": 1, "title": "甲"}, {"id": 2, "title": "乙"}]


def test_editing_an_items_values_in_a_bulk_entry_breaks_the_chain(world):
    file_items_in_bulk(new_items(world.fonds_a, 2))
    entry = AuditEntry.objects.get(object_type="catalogue.item", action="create")
    entry.changes["items"][1][entry.changes["fields"].index("title")] = "改过的题名"
    AuditEntry.objects.filter(pk=entry.pk).update(changes=entry.changes)
    _checked, problems = verify_chain()
    assert [p.sequence for p in problems] == [entry.sequence]


def test_an_items_history_shows_the_bulk_entry_that_created_it(world, client_for):
    filed = file_items_in_bulk(new_items(world.fonds_a, 3))
    single = make_item(world.fonds_a)
    for item, shown in ((filed[1], "批量归档 3 件"), (single, single.title)):
        response = client_for(world.staff).get(f"/audit/?object_type=catalogue.item&object_id={item.pk}")
        entries = list(response.context["page"])
        assert [e.action for e in entries] == ["create"] and shown in response.content.decode()


def test_a_filed_item_saved_again_records_only_what_changed(world):
    item = file_items_in_bulk(new_items(world.fonds_a, 1))[0]
    item.title = "新题名"
    item.save()
    update = AuditEntry.objects.get(object_id=str(item.pk), action="update")
    assert update.changes["after"] == {"title": "新题名"}
    assert item.number == 1


def test_a_filed_items_snapshot_is_what_a_fresh_read_gives(world):
    item = file_items_in_bulk(new_items(world.fonds_a, 1))[0]
    assert item._audit_before == Item.objects.get(pk=item.pk)._audit_before


def test_codes_the_caller_found_unused_are_not_looked_up_again(world):
    items = new_items(world.fonds_a, 3)
    for number, item in enumerate(items, start=1):
        item.number = number
    codes = _codes_of(items)
    with CaptureQueriesContext(connection) as captured:
        file_items_in_bulk(items, unused_codes=set(codes[:2]))
    looked_up = [q["sql"] for q in captured if "SELECT" in q["sql"] and "reference_code" in q["sql"]]
    assert len(looked_up) == 1 and codes[2] in str(captured.captured_queries)
    assert all(codes[0] not in sql and codes[1] not in sql for sql in looked_up)


def test_stored_codes_finds_a_stored_code_among_codes_around_it(world):
    stored = make_item(world.fonds_a, number=5)
    around = ["A001-WS·2023-Y-BGS-0004", stored.reference_code, "A001-WS·2023-Y-BGS-0006"]
    assert stored_codes(around) == {stored.reference_code: stored.pk}


def test_stored_codes_finds_nothing_in_a_range_with_no_stored_code(world):
    make_item(world.fonds_a, number=1)
    make_item(world.fonds_a, number=9)
    assert stored_codes([f"A001-WS·2023-Y-BGS-{n:04d}" for n in range(2, 9)]) == {}
    assert stored_codes([]) == {}


def test_stored_codes_probes_each_class_of_codes_apart(world):
    """A chunk of an import spans several classes (years here); codes filed before under a class between
    them in sorting order are not in any one class's range, so nothing is looked up code by code."""
    make_item(world.fonds_a, year=2022, org_code="ZZZ", number=1)
    codes = [f"A001-WS·{year}-Y-BGS-{n:04d}" for year in (2021, 2023) for n in range(1, 4)]
    with CaptureQueriesContext(connection) as captured:
        assert stored_codes(codes) == {}
    assert len(captured) == 2 and all("BETWEEN" in query["sql"] for query in captured)


def test_stored_codes_finds_a_stored_code_inside_one_class_of_several(world):
    stored = make_item(world.fonds_a, year=2022, number=2)
    codes = [f"A001-WS·{year}-Y-BGS-{n:04d}" for year in (2021, 2022) for n in range(1, 4)]
    assert stored_codes(codes) == {stored.reference_code: stored.pk}


def test_code_runs_group_codes_alike_but_for_their_number_and_give_up_on_many_forms():
    assert code_runs(["B-2", "A-10", "B-1", "A-9"]) == [["A-10", "A-9"], ["B-1", "B-2"]]
    unlike = [f"X{n}-1" for n in range(MAX_CODE_RUNS + 1)]
    assert code_runs(unlike) == [sorted(unlike)]


def test_a_code_taken_is_still_reported_when_others_were_found_unused(world):
    make_item(world.fonds_a)
    items = new_items(world.fonds_a, 2)
    items[0].number, items[1].number = 2, 1
    with pytest.raises(BulkValidationError) as raised:
        file_items_in_bulk(items, unused_codes={_codes_of(items)[0]})
    assert "已存在" in str(raised.value.rows[1]["number"])


def _codes_of(items):
    codes = ReferenceCodes()
    return [codes.code(codes.scope(item), item.number) for item in items]


@passed_elsewhere
def test_an_archivist_may_not_file_into_another_units_fonds(world, rules_passed):
    items = new_items(world.fonds_a, 1) + new_items(world.fonds_b, 1)
    for item in items:
        item.rules_passed = rules_passed
    with pytest.raises(BulkValidationError) as raised:
        file_items_in_bulk(items, user=world.archivist_a)
    assert list(raised.value.rows) == [1] and "fonds" in raised.value.rows[1]


def test_a_change_to_an_item_marked_rules_passed_is_checked_all_the_same(world):
    item = make_item(world.fonds_a)
    item.rules_passed = True  # as an import's new item left it
    item.title = "长" * 501
    with pytest.raises(BulkValidationError) as raised:
        update_items_in_bulk([item], ["title"])
    assert "title" in raised.value.rows[0]


def test_listeners_hear_of_filed_items_once_per_batch(world):
    heard = []

    def listener(sender, item_ids, **kwargs):
        heard.append(item_ids)

    items_changed.connect(listener)
    try:
        file_items_in_bulk(new_items(world.fonds_a, 5), batch_size=2)
    finally:
        items_changed.disconnect(listener)
    assert [len(batch) for batch in heard] == [2, 2, 1] and all(pk for batch in heard for pk in batch)


def test_filing_takes_a_few_queries_per_hundred_rows_not_several_per_row(world):
    items = new_items(world.fonds_a, 200) + new_items(world.fonds_b, 200, year=2022)
    with CaptureQueriesContext(connection) as captured:
        file_items_in_bulk(items)
    # Lookups, counters and the audit head are per batch; only the INSERTs grow (the database's
    # bind-parameter limit splits them).
    assert len(captured) < len(items) / 10


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL: SQLite serialises all writers")
@pytest.mark.django_db(transaction=True)
def test_bulk_filings_in_parallel_with_single_saves_share_one_gapless_sequence():
    fonds = make_fonds(make_unit("并发批量单位", code="BULK"), "B777")
    category, retention = make_category(), make_retention()
    errors: list[Exception] = []
    filed: list[Item] = []
    start = threading.Barrier(6)

    def bulk():
        items = [Item(fonds=fonds, category=category, retention=retention, year=2023, org_code="BGS",
                      title="批量归档") for _n in range(25)]
        filed.extend(file_items_in_bulk(items))

    def one_by_one():
        for _n in range(5):
            make_item(fonds, category=category, retention=retention)

    def run(work):
        try:
            start.wait()
            work()
        except Exception as e:  # collected and reported by the assertion below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(work,)) for work in [bulk] * 4 + [one_by_one] * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Item.objects.filter(fonds=fonds).values_list("number", flat=True))
    assert numbers == list(range(1, 4 * 25 + 2 * 5 + 1))
    stored = dict(Item.objects.filter(fonds=fonds).values_list("pk", "reference_code"))
    assert all(stored[item.pk] == item.reference_code for item in filed)


def test_an_extra_field_changed_in_place_after_bulk_filing_is_recorded_when_saved(world):
    CategoryField.objects.create(category=Category.objects.get(code="WS"), key="place", label="地点")
    item = file_items_in_bulk(new_items(world.fonds_a, 1, extra={"place": "城关"}))[0]
    item.extra["place"] = "柳河"
    item.save()
    update = AuditEntry.objects.get(object_id=str(item.pk), action="update")
    assert update.changes["after"] == {"extra": {"place": "柳河"}}


def test_a_required_extra_field_is_missing_from_rows_with_no_extra_values(world):
    CategoryField.objects.create(category=Category.objects.get(code="WS"), key="place", label="地点",
                                 required=True)
    with pytest.raises(BulkValidationError) as raised:
        file_items_in_bulk(new_items(world.fonds_a, 2))
    assert raised.value.rows.keys() == {0, 1} and "extra" in raised.value.rows[0]
