import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from dangan.catalogue import references
from dangan.catalogue.models import Category, Item
from dangan.testing import make_category, make_fonds, make_item, make_retention, make_unit, make_volume

pytestmark = pytest.mark.django_db


def test_item_gets_reference_code_from_category_template(world):
    item = make_item(world.fonds_a, year=2023, org_code="BGS")
    assert item.reference_code == "A001-WS·2023-Y-BGS-0001"
    assert item.number == 1


def test_numbers_run_on_within_a_class_and_restart_in_another(world):
    first = make_item(world.fonds_a, year=2023)
    second = make_item(world.fonds_a, year=2023)
    other_year = make_item(world.fonds_a, year=2022)
    other_org = make_item(world.fonds_a, year=2023, org_code="CWK")
    assert [first.number, second.number, other_year.number, other_org.number] == [1, 2, 1, 1]
    assert other_org.reference_code == "A001-WS·2023-Y-CWK-0001"


def test_template_without_org_code_needs_none(world):
    photos = make_category("ZP", "照片", item_template="{fonds}-{category}·{year}-{retention}-{number:04}")
    item = make_item(world.fonds_a, category=photos, org_code="")
    assert item.reference_code == "A001-ZP·2023-Y-0001"


def test_org_code_is_required_when_the_template_uses_it(world):
    with pytest.raises(ValidationError) as error:
        make_item(world.fonds_a, org_code="")
    assert "org_code" in error.value.message_dict


def test_changing_the_year_moves_the_item_to_the_end_of_its_new_class(world):
    make_item(world.fonds_a, year=2022)
    item = make_item(world.fonds_a, year=2023)
    item.year = 2022
    item.full_clean()
    item.save()
    assert item.reference_code == "A001-WS·2022-Y-BGS-0002"


def test_editing_the_title_keeps_the_reference_code(world):
    item = make_item(world.fonds_a)
    code = item.reference_code
    item.title = "新的题名"
    item.save()
    assert Item.objects.get(pk=item.pk).reference_code == code


def test_explicit_number_is_kept_and_numbering_continues_after_it(world):
    given = make_item(world.fonds_a, number=7)
    following = make_item(world.fonds_a)
    assert given.reference_code.endswith("-0007") and following.number == 8


def test_explicit_number_that_exists_is_refused(world):
    make_item(world.fonds_a)
    with pytest.raises(ValidationError) as error:
        make_item(world.fonds_a, number=1)
    assert "number" in error.value.message_dict


def test_a_rolled_back_save_gives_its_number_back(world):
    from django.db import transaction

    make_item(world.fonds_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_item(world.fonds_a)
        raise RuntimeError("the user's save failed later in the same transaction")
    assert make_item(world.fonds_a).number == 2


def test_items_in_a_volume_are_numbered_inside_it(world):
    volume = make_volume(world.fonds_a)
    item = Item(fonds=world.fonds_a, category=volume.category, volume=volume, title="竣工图目录")
    item.full_clean()
    item.save()
    assert volume.reference_code == "A001-KJ·2022-Y-0001"
    assert item.reference_code == "A001-KJ·2022-Y-0001-001"
    assert (item.year, item.retention_id) == (volume.year, volume.retention_id)


def test_volume_category_item_without_volume_is_refused(world):
    technical = make_category("KJ", "科技", filing_level="volume")
    with pytest.raises(ValidationError) as error:
        make_item(world.fonds_a, category=technical)
    assert "category" in error.value.message_dict


@pytest.mark.parametrize(
    "template, message",
    [
        ("{fonds}-{year}", "{number}"),
        ("{fonds}-{number}-{number}", "{number}"),
        ("{fonds}-{secret}-{number}", "secret"),
        ("{fonds.__class__}-{number}", "fonds.__class__"),
        ("{fonds:>10}-{number}", "{number:04}"),
        ("{fonds}-{number", "格式错误"),
    ],
)
def test_bad_templates_are_refused_with_a_reason(template, message):
    category = Category(code="XX", name="测试", item_template=template)
    with pytest.raises(ValidationError) as error:
        category.clean()
    assert message in str(error.value)


def test_render_pads_only_the_number():
    values = {"fonds": "0123", "category": "WS", "year": 2023, "retention": "Y", "org": "BGS"}
    assert references.render(references.DEFAULT_ITEM_TEMPLATE, values, 12) == "0123-WS·2023-Y-BGS-0012"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers"
)
@pytest.mark.django_db(transaction=True)
def test_parallel_creates_in_one_class_get_unique_gapless_numbers():
    unit = make_unit("并发测试单位", code="CONC")
    fonds = make_fonds(unit, "C001")
    category, retention = make_category(), make_retention()
    workers, per_worker = 8, 10
    errors: list[Exception] = []
    start = threading.Barrier(workers)

    def work():
        try:
            start.wait()
            for _ in range(per_worker):
                make_item(fonds, category=category, retention=retention)
        except Exception as e:  # collected and reported by the assertion below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Item.objects.filter(fonds=fonds).values_list("number", flat=True))
    assert numbers == list(range(1, workers * per_worker + 1))
    assert (
        Item.objects.filter(fonds=fonds).values("reference_code").distinct().count() == workers * per_worker
    )


def test_an_inactive_category_takes_no_new_records(world):
    world.category.active = False
    world.category.save()
    with pytest.raises(ValidationError) as error:
        make_item(world.fonds_a)
    assert "category" in error.value.message_dict


def test_a_category_with_records_keeps_its_filing_level(world):
    make_item(world.fonds_a)
    world.category.filing_level = "volume"
    with pytest.raises(ValidationError) as error:
        world.category.full_clean()
    assert "filing_level" in error.value.message_dict


def test_a_retention_period_cannot_map_to_itself(world):
    world.retention.replaced_by = world.retention
    with pytest.raises(ValidationError):
        world.retention.full_clean()
