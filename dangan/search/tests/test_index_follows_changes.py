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
from dangan.testing import make_item

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
    items = [
        Item(
            fonds=sworld.fonds_a,
            category=sworld.category,
            retention=sworld.retention,
            year=2020,
            org_code="BGS",
            title=f"批量归档文件{n}",
        )
        for n in range(5)
    ]
    file_items_in_bulk(items)
    assert found(sworld, "批量归档") == {item.pk for item in items}


def test_a_change_rolled_back_leaves_no_trace_in_the_index(sworld):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_item(sworld.fonds_a, title="回滚的文件")
        raise RuntimeError
    assert found(sworld, "回滚") == set()


def test_the_embedded_index_learns_changes_through_an_outbox_written_in_the_same_transaction(db, settings):
    from dangan.search import backends
    from dangan.testing import make_world

    settings.DANGAN_SEARCH_BACKEND = "tantivy"
    backends.reset()
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
    from dangan.search import backends
    from dangan.testing import make_world

    settings.DANGAN_SEARCH_BACKEND = "tantivy"
    backends.reset()
    world = make_world()
    items = [bypassing_signals_create(world, f"批量文件{n}") for n in range(5)]
    IndexOutbox.objects.all().delete()
    backends.get_backend().items_changed([item.pk for item in items])
    assert list(IndexOutbox.objects.values_list("item_id", "last_item_id")) == [(items[0].pk, items[-1].pk)]
    assert found(world, "批量文件") == {item.pk for item in items}


@pytest.fixture
def bulk_world(db, settings, monkeypatch):
    """The embedded index, with a bulk change starting at three items (an import's batches hold 1,000)."""
    from dangan.search import backends
    from dangan.search.backends import tantivy
    from dangan.testing import make_world

    settings.DANGAN_SEARCH_BACKEND = "tantivy"
    monkeypatch.setattr(tantivy, "BULK_ITEMS", 3)
    backends.reset()
    return make_world()


def file_in_bulk(world, title, n=5):
    items = [
        Item(
            fonds=world.fonds_a,
            category=world.category,
            retention=world.retention,
            year=2020,
            org_code="BGS",
            title=f"{title}{k}",
        )
        for k in range(n)
    ]
    file_items_in_bulk(items)
    return items


def indexed_ids():
    backend = get_backend()
    backend.index.reload()
    return set(backend.fingerprints())


def test_a_bulk_change_is_indexed_while_its_transaction_runs_and_committed_with_it(bulk_world):
    items = file_in_bulk(bulk_world, "批量在途")
    assert get_backend()._bulk is not None  # documents added, not yet committed to the index
    assert not {item.pk for item in items} & indexed_ids()
    # A search inside the same transaction sees the change, as it would see the queued outbox rows.
    assert found(bulk_world, "批量在途") == {item.pk for item in items}
    assert get_backend()._bulk is None and not IndexOutbox.objects.exists()


def test_a_bulk_change_in_a_rolled_back_savepoint_leaves_no_trace_in_the_embedded_index(bulk_world):
    kept = file_in_bulk(bulk_world, "批量保留")
    with pytest.raises(RuntimeError), transaction.atomic():
        file_in_bulk(bulk_world, "批量回滚")
        raise RuntimeError
    assert found(bulk_world, "批量回滚") == set()
    # The batch committed before the savepoint is applied from its outbox rows.
    assert found(bulk_world, "批量保留") == {item.pk for item in kept}
    assert not IndexOutbox.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_bulk_change_is_in_the_embedded_index_and_its_outbox_drained(bulk_world):
    with transaction.atomic():
        items = file_in_bulk(bulk_world, "批量提交")
    assert {item.pk for item in items} <= indexed_ids()
    assert get_backend()._bulk is None and not IndexOutbox.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_bulk_change_frees_the_writer_and_leaves_no_trace(bulk_world):
    with pytest.raises(RuntimeError), transaction.atomic():
        file_in_bulk(bulk_world, "整体回滚")
        raise RuntimeError
    assert found(bulk_world, "整体回滚") == set()
    with transaction.atomic():
        items = file_in_bulk(bulk_world, "回滚之后")
    assert {item.pk for item in items} <= indexed_ids()
    assert not IndexOutbox.objects.exists()


def test_a_search_while_another_process_writes_the_embedded_index_reads_what_is_committed(bulk_world):
    import tantivy

    item = make_item(bulk_world.fonds_a, title="已提交的文件")
    assert found(bulk_world, "已提交") == {item.pk}
    backend = get_backend()
    other = tantivy.Index(backend.schema, path=backend.index_dir, reuse=True)
    writer = other.writer(heap_size=50_000_000, num_threads=1)  # as an importing process would hold it
    waiting = make_item(bulk_world.fonds_a, title="排队的文件")
    assert found(bulk_world, "文件") == {item.pk}
    assert IndexOutbox.objects.filter(item_id=waiting.pk).exists()
    writer.rollback()
    del writer
    assert found(bulk_world, "文件") == {item.pk, waiting.pk}
