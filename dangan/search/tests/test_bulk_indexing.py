"""A large transaction's items are indexed by a child process while it runs, committed only with it."""

import pytest
from django.db import transaction

from dangan.catalogue.services import file_items_in_bulk
from dangan.search import text
from dangan.search.backends import get_backend
from dangan.search.backends.tantivy import TantivyBackend
from dangan.search.models import IndexOutbox
from dangan.search.text import parse
from dangan.search.visibility import visibility_for
from dangan.testing import make_item, make_world, new_items, use_search_backend

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tantivy_world(settings):
    use_search_backend(settings, "tantivy")
    return make_world()


@pytest.fixture
def no_catch_up(monkeypatch):
    """Only the child can have indexed what is found: the outbox is never applied in this process."""
    monkeypatch.setattr(TantivyBackend, "catch_up", lambda self: None)


def found(world, q):
    return get_backend().matching_ids(parse(q), visibility_for(world.admin))


def test_items_filed_in_a_bulk_block_are_indexed_by_the_child_when_the_transaction_commits(
    tantivy_world, no_catch_up
):
    with get_backend().bulk(start_at=1), transaction.atomic():
        items = file_items_in_bulk(new_items(tantivy_world.fonds_a, 3, "子进程索引的文件{n}"))
    assert found(tantivy_world, "子进程索引") == {item.pk for item in items}
    assert not IndexOutbox.objects.exists()


def test_a_batch_larger_than_a_message_reaches_the_child_whole(tantivy_world, no_catch_up, monkeypatch):
    monkeypatch.setattr("dangan.search.backends.base.MESSAGE_ITEMS", 2)
    with get_backend().bulk(start_at=1), transaction.atomic():
        items = file_items_in_bulk(new_items(tantivy_world.fonds_a, 5, "分段送出的文件{n}"), batch_size=5)
    assert found(tantivy_world, "分段送出") == {item.pk for item in items}


def test_runs_of_ids_are_cut_into_messages_of_limited_size(monkeypatch):
    from dangan.search.backends.base import message_runs

    monkeypatch.setattr("dangan.search.backends.base.MESSAGE_ITEMS", 3)
    assert list(message_runs([(1, 7), (10, 10), (20, 22)])) == [(1, 3), (4, 6), (7, 7), (10, 10), (20, 22)]


def test_a_bulk_block_rolled_back_leaves_nothing_in_the_index_and_frees_the_writer(tantivy_world):
    with pytest.raises(RuntimeError), get_backend().bulk(start_at=1), transaction.atomic():
        file_items_in_bulk(new_items(tantivy_world.fonds_a, 3, "回滚的批量文件{n}"))
        raise RuntimeError
    later = make_item(tantivy_world.fonds_a, title="回滚之后的文件")
    assert found(tantivy_world, "文件") == {later.pk}
    assert not IndexOutbox.objects.exists()


def test_items_changed_and_deleted_in_a_bulk_block_leave_their_new_state_in_the_index(tantivy_world):
    changed = make_item(tantivy_world.fonds_a, title="原来的题名")
    deleted = make_item(tantivy_world.fonds_a, title="将删除的文件")
    with get_backend().bulk(start_at=1), transaction.atomic():
        changed.title = "改过的题名"
        changed.save()
        deleted.delete()
    assert found(tantivy_world, "改过的题名") == {changed.pk}
    assert found(tantivy_world, "原来的") == set()
    assert found(tantivy_world, "将删除") == set()


def test_a_small_bulk_block_is_indexed_after_commit_without_a_child(tantivy_world, monkeypatch):
    from dangan.search.backends import tantivy_bulk

    monkeypatch.setattr(tantivy_bulk.BulkSession, "_start", lambda self: pytest.fail("no child for 3 items"))
    with get_backend().bulk(), transaction.atomic():
        items = file_items_in_bulk(new_items(tantivy_world.fonds_a, 3, "少量文件{n}"))
    assert found(tantivy_world, "少量文件") == {item.pk for item in items}
    assert not IndexOutbox.objects.exists()


def test_a_block_expecting_many_items_starts_its_child_at_once_and_sends_it_every_batch_as_filed(
    tantivy_world, no_catch_up, monkeypatch
):
    from dangan.search.backends import tantivy_bulk

    monkeypatch.setattr(tantivy_bulk.BulkSession, "_send", lambda self, runs: pytest.fail("read back"))
    with get_backend().bulk(start_at=5, expected=5) as block:
        assert block.child is not None  # before any item, before the transaction
        with transaction.atomic():
            items = file_items_in_bulk(new_items(tantivy_world.fonds_a, 2, "预先启动的索引{n}"))
    assert found(tantivy_world, "预先启动") == {item.pk for item in items}
    assert not IndexOutbox.objects.exists()


def test_a_child_started_for_items_that_never_came_ends_with_its_block(tantivy_world):
    with get_backend().bulk(start_at=5, expected=5) as block, transaction.atomic():
        child = block.child
    assert child.poll() is not None
    later = make_item(tantivy_world.fonds_a, title="之后归档的文件")
    assert found(tantivy_world, "之后归档") == {later.pk}  # the child let the writer go


def test_when_the_child_cannot_take_the_writer_the_outbox_is_applied_after_all(tantivy_world):
    import tantivy

    backend = get_backend()
    backend.index  # noqa: B018 -- created
    other = tantivy.Index(backend.schema, path=backend.index_dir, reuse=True)
    writer = other.writer(heap_size=50_000_000, num_threads=1)  # as another process would hold it
    with backend.bulk(start_at=1), transaction.atomic():
        items = file_items_in_bulk(new_items(tantivy_world.fonds_a, 3, "等待写入的文件{n}"))
    assert IndexOutbox.objects.exists()
    writer.rollback()
    del writer
    assert found(tantivy_world, "等待写入") == {item.pk for item in items}
    assert not IndexOutbox.objects.exists()


def retitled_behind_the_index(world, before, after):
    from dangan.catalogue.models import Item

    item = make_item(world.fonds_a, title=before)
    assert found(world, before) == {item.pk}
    Item.objects.filter(pk=item.pk).update(title=after)  # a change the index never heard of
    return item


def test_a_rebuild_by_the_child_indexes_every_item_and_nothing_stale(tantivy_world):
    kept = retitled_behind_the_index(tantivy_world, "索引中的旧题名", "只在库里的新题名")
    others = file_items_in_bulk(new_items(tantivy_world.fonds_a, 5, "重建的文件{n}"))
    assert get_backend().rebuild() == 6
    assert found(tantivy_world, "旧题名") == set()
    assert found(tantivy_world, "库里的新题名") == {kept.pk}
    assert found(tantivy_world, "重建的文件") == {item.pk for item in others}


def test_a_rebuild_that_cannot_take_the_writer_fails_and_leaves_the_index_as_it_was(tantivy_world):
    import tantivy

    item = make_item(tantivy_world.fonds_a, title="重建失败时仍可找到")
    backend = get_backend()
    other = tantivy.Index(backend.schema, path=backend.index_dir, reuse=True)
    writer = other.writer(heap_size=50_000_000, num_threads=1)  # as another process would hold it
    with pytest.raises(RuntimeError, match="not rebuilt"):
        backend.rebuild()
    writer.rollback()
    del writer
    assert found(tantivy_world, "重建失败时") == {item.pk}


def test_long_full_texts_are_tokenised_a_bounded_number_of_characters_at_a_time_and_each_is_found(
    tantivy_world, monkeypatch
):
    monkeypatch.setattr(text, "TOKENISED_AT_ONCE", 300)
    tokenised = []
    real = text.token_strings

    def recording(texts):
        tokenised.append(sum(map(len, texts)))
        return real(texts)

    monkeypatch.setattr(text, "token_strings", recording)
    with transaction.atomic():  # indexed together after the commit
        items = [
            make_item(tantivy_world.fonds_a, title=f"长全文{n}", full_text=f"第{n}份全文" + "档案工作" * 50)
            for n in range(4)
        ]
    assert len(tokenised) >= 2  # about 240 characters an item, 960 in all
    assert all(size < 300 + 210 for size in tokenised)  # the limit, and the value that reached it
    for n, item in enumerate(items):
        assert found(tantivy_world, f"第{n}份全文") == {item.pk}
