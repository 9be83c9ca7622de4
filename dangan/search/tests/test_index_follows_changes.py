"""The index follows every create, change and delete, and bulk filing, inside the changing transaction."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from dangan.catalogue.models import Item
from dangan.catalogue.services import file_items_in_bulk
from dangan.search.backends import get_backend
from dangan.search.indexing import check
from dangan.search.models import IndexOutbox
from dangan.search.text import parse
from dangan.search.visibility import visibility_for
from dangan.testing import make_item, make_world, new_items, use_search_backend

pytestmark = pytest.mark.django_db


def found(world, q):
    return get_backend().matching_ids(parse(q), visibility_for(world.admin))


def test_a_new_item_is_found_at_once(sworld):
    item = make_item(sworld.fonds_a, title="新建的防汛文件")
    assert found(sworld, "防汛") == {item.pk}


def test_a_changed_item_is_found_by_its_new_text_only(sworld):
    item = make_item(sworld.fonds_a, title="旧题名")
    item.title = "新题名防汛"
    item.save()
    assert found(sworld, "防汛") == {item.pk}
    assert found(sworld, "旧题") == set()


def test_a_deleted_item_is_gone_from_the_index(sworld):
    item = make_item(sworld.fonds_a, title="将删除的文件")
    pk = item.pk
    item.delete()
    assert found(sworld, "删除") == set()
    assert pk not in get_backend().fingerprints()


def test_items_filed_in_bulk_are_indexed(sworld):
    items = new_items(sworld.fonds_a, 5, "批量归档文件{n}")
    file_items_in_bulk(items)
    assert found(sworld, "批量归档") == {item.pk for item in items}


def test_a_change_rolled_back_leaves_no_trace_in_the_index(sworld):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_item(sworld.fonds_a, title="回滚的文件")
        raise RuntimeError
    assert found(sworld, "回滚") == set()


def test_the_embedded_index_learns_changes_through_an_outbox_written_in_the_same_transaction(db, settings):
    use_search_backend(settings, "tantivy")
    world = make_world()
    item = make_item(world.fonds_a, title="外部索引文件")
    # Uncommitted here (the test's transaction), so on_commit has not run: the change waits in the outbox …
    assert IndexOutbox.objects.filter(item_id=item.pk).exists()
    # … and is applied before the next search, so no search misses it.
    assert found(world, "外部索引") == {item.pk}
    assert not IndexOutbox.objects.exists()


def bypassing_signals_create(world, title):
    item = Item(
        fonds=world.fonds_a,
        category=world.category,
        retention=world.retention,
        year=2020,
        title=title,
        reference_code=f"X-{title}",
    )
    Item.objects.bulk_create([item])
    return Item.objects.get(reference_code=f"X-{title}")


def test_check_reports_missing_stale_and_orphaned_items(sworld):
    kept = make_item(sworld.fonds_a, title="一致的文件")
    stale = make_item(sworld.fonds_a, title="过时的文件")
    orphan = make_item(sworld.fonds_a, title="已删除的文件")
    found(sworld, "文件")  # the index has taken all three
    Item.objects.filter(pk=stale.pk).update(title="题名已改")  # queryset writes send no signals
    Item.objects.filter(pk=orphan.pk)._raw_delete(Item.objects.db)
    missing = bypassing_signals_create(sworld, "缺失的文件")
    report = check()
    assert (report.missing, report.stale, report.orphaned) == ([missing.pk], [stale.pk], [orphan.pk])
    assert report.items == 3 and kept.pk not in report.stale


def test_search_check_command_fails_until_repaired(sworld, capsys):
    bypassing_signals_create(sworld, "命令检查")
    with pytest.raises(CommandError):
        call_command("search", "check")
    call_command("search", "check", "--repair")
    call_command("search", "check")
    assert "missing: 0" in capsys.readouterr().out


def test_reindex_rebuilds_everything_with_a_progress_bar(sworld, capsys):
    items = [bypassing_signals_create(sworld, f"重建{n}") for n in range(3)]
    call_command("search", "reindex")
    out = capsys.readouterr()
    assert "indexed 3 items" in out.out and "[" in out.err
    assert found(sworld, "重建") == {i.pk for i in items}


def test_an_index_of_an_older_schema_is_emptied_and_a_rebuild_is_queued(db, settings, tmp_path):
    import tantivy

    from dangan.core.models import Job
    from dangan.search import backends

    settings.DANGAN_SEARCH_BACKEND = "tantivy"
    settings.DANGAN_SEARCH_INDEX_DIR = tmp_path / "old"
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title")
    (tmp_path / "old").mkdir()
    tantivy.Index(builder.build(), path=str(tmp_path / "old"))
    backends.reset()
    assert get_backend().index.searcher().num_docs == 0
    assert Job.objects.filter(name="search.reindex").exists()


def test_attaching_a_digital_file_marks_the_item_as_having_files(sworld):
    from dangan.preservation.models import DigitalFile
    from dangan.search.backends.base import Filters, SearchRequest

    item = make_item(sworld.fonds_a, title="有原文的文件")
    make_item(sworld.fonds_a, title="无原文的文件")
    DigitalFile.objects.create(item=item, original_name="a.pdf", size=1, sha256="0" * 64, storage_key="k")
    request = SearchRequest(parse("文件"), visibility_for(sworld.admin), Filters(has_files=True))
    result = get_backend().search(request)
    assert result.item_ids == [item.pk]
    assert result.facets["has_files"] == {True: 1}


def test_the_embedded_index_queues_consecutive_items_as_one_outbox_row(db, settings):
    use_search_backend(settings, "tantivy")
    world = make_world()
    items = [bypassing_signals_create(world, f"批量文件{n}") for n in range(5)]
    IndexOutbox.objects.all().delete()
    get_backend().items_changed([item.pk for item in items])
    assert list(IndexOutbox.objects.values_list("item_id", "last_item_id")) == [(items[0].pk, items[-1].pk)]
    assert found(world, "批量文件") == {item.pk for item in items}


@pytest.fixture
def tantivy_world(db, settings):
    use_search_backend(settings, "tantivy")
    return make_world()


def test_a_search_while_another_process_writes_the_embedded_index_reads_what_is_committed(tantivy_world):
    import tantivy

    item = make_item(tantivy_world.fonds_a, title="已提交的文件")
    assert found(tantivy_world, "已提交") == {item.pk}
    backend = get_backend()
    other = tantivy.Index(backend.schema, path=backend.index_dir, reuse=True)
    writer = other.writer(heap_size=50_000_000, num_threads=1)  # as another process would hold it
    waiting = make_item(tantivy_world.fonds_a, title="排队的文件")
    assert found(tantivy_world, "文件") == {item.pk}
    assert IndexOutbox.objects.filter(item_id=waiting.pk).exists()
    writer.rollback()
    del writer
    assert found(tantivy_world, "文件") == {item.pk, waiting.pk}


def test_a_just_filed_items_document_made_from_the_instance_equals_the_one_read_back(world):
    import datetime

    from dangan.catalogue.models import CategoryField
    from dangan.search.documents import documents, from_row, item_row

    CategoryField.objects.create(category=world.category, key="place", label="地点")
    common = {"fonds": world.fonds_a, "category": world.category, "retention": world.retention}
    common["org_code"] = "BGS"
    items = [
        Item(**common, year=2023, title="关于 全角ＡＢＣ 的通知", creator="区政府办公室",
             document_number="区府发〔2023〕1号", remarks="复印件", date=datetime.date(2023, 5, 1),
             extra={"place": "东关村"}),
        Item(**common, year=2022, title="无日期的文件"),
    ]
    file_items_in_bulk(items)
    read_back = {doc.item_id: doc for doc in documents([item.pk for item in items])}
    for item in items:
        made = from_row(item_row(item))
        assert made == read_back[item.pk]
        assert made.fingerprint == read_back[item.pk].fingerprint
