"""PostgreSQL: a large transaction's search rows are written by a child process through its own connection,
committed only after the transaction commits, with the outbox as the safety net."""

import pytest
from django.db import connection, transaction

from dangan.catalogue.services import file_items_in_bulk
from dangan.search.backends import get_backend, postgres_bulk
from dangan.search.backends import postgres as pg
from dangan.search.documents import from_row, item_row
from dangan.search.models import IndexOutbox, SearchDocument, SearchSample
from dangan.testing import make_world, new_items, use_search_backend

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend needs PostgreSQL"),
]
# Every character COPY's text format escapes, and a quote the token literal must escape.
AWKWARD = "含\t制表符、\\反斜杠、\r回车、'引号'与\n换行的题名{n}"
# A child that writes nothing, says it is ready, and dies when told to commit.
CANNOT_COMMIT = """
import pickle, sys
incoming, outgoing = sys.stdin.buffer, sys.stdout.buffer
while True:
    message = pickle.load(incoming)
    if message[0] == "prepare":
        pickle.dump("ready", outgoing)
        outgoing.flush()
    elif message[0] == "commit":
        sys.exit(2)
"""


@pytest.fixture
def pworld(settings):
    use_search_backend(settings, "postgres")
    return make_world()


@pytest.fixture
def no_catch_up(monkeypatch):
    """Only the child can have written what is found: the outbox is never applied in this process."""
    monkeypatch.setattr(pg.PostgresBackend, "catch_up", lambda self: pytest.fail("caught up"))


def search_rows(model=SearchDocument) -> dict:
    return {row["item_id"]: row for row in model.objects.values()}


def test_rows_written_by_the_child_are_the_rows_made_in_line(pworld, no_catch_up):
    with get_backend().bulk(start_at=1) as block, transaction.atomic():
        items = file_items_in_bulk(new_items(pworld.fonds_a, 40, AWKWARD))
        assert block.child is not None
        block.flush()
    written_by_child, sampled_by_child = search_rows(), search_rows(SearchSample)
    # The text arrives as made (a backslash, a quote, the body's newlines), not as COPY would misread it.
    texts = ("title", "creator", "document_number", "body")
    rows = pg.rows_values([from_row(item_row(item)) for item in items])
    made = [dict(zip(pg.COLUMNS, row, strict=True)) for row in rows]
    assert [[written_by_child[m["item_id"]][name] for name in texts] for m in made] == [
        [m[name] for name in texts] for m in made
    ]
    assert "\\" in made[0]["title"] and "\n" in made[0]["body"]
    get_backend().rebuild()  # in line, through psycopg's own formatter
    assert search_rows() == written_by_child
    assert search_rows(SearchSample) == sampled_by_child
    assert sampled_by_child  # forty consecutive ids: some fall in the sixteenth
    assert not IndexOutbox.objects.exists()


def test_the_childs_rows_appear_only_once_the_transaction_has_committed(pworld, no_catch_up):
    with get_backend().bulk(start_at=1) as block, transaction.atomic():
        items = file_items_in_bulk(new_items(pworld.fonds_a, 3, "提交后才可检索的文件{n}"))
        block.flush()
        ids = {item.pk for item in items}
        assert not SearchDocument.objects.filter(item_id__in=ids).exists()  # the child's, uncommitted
        assert IndexOutbox.objects.exists()
    assert set(search_rows()) >= ids
    assert not IndexOutbox.objects.exists()


def test_a_bulk_block_rolled_back_leaves_no_search_rows_and_stops_the_child(pworld):
    before = set(search_rows())
    with pytest.raises(RuntimeError), get_backend().bulk(start_at=1) as block, transaction.atomic():
        file_items_in_bulk(new_items(pworld.fonds_a, 3, "回滚的文件{n}"))
        child = block.child
        block.flush()
        raise RuntimeError
    assert child.wait(timeout=10) is not None and block.child is None
    assert set(search_rows()) == before
    assert not IndexOutbox.objects.exists()


def test_when_the_child_stops_its_items_are_indexed_in_line(pworld, monkeypatch):
    monkeypatch.setattr(postgres_bulk, "CHILD", "import sys; sys.exit(3)")
    with get_backend().bulk(start_at=1) as block, transaction.atomic():
        first = file_items_in_bulk(new_items(pworld.fonds_a, 3, "子进程停止前的文件{n}"))
        later = file_items_in_bulk(new_items(pworld.fonds_a, 2, "子进程停止后的文件{n}"))
        block.flush()
    assert block.failed
    assert set(search_rows()) >= {item.pk for item in first + later}
    assert not IndexOutbox.objects.exists()


def test_when_the_child_cannot_commit_the_outbox_indexes_its_items(pworld, monkeypatch):
    monkeypatch.setattr(postgres_bulk, "CHILD", CANNOT_COMMIT)
    with get_backend().bulk(start_at=1) as block, transaction.atomic():
        items = file_items_in_bulk(new_items(pworld.fonds_a, 3, "未能提交的文件{n}"))
        block.flush()
    assert set(search_rows()) >= {item.pk for item in items}
    assert not IndexOutbox.objects.exists()


def test_a_change_after_filing_in_the_same_block_is_what_the_index_keeps(pworld):
    with get_backend().bulk(start_at=1) as block, transaction.atomic():
        changed, deleted = file_items_in_bulk(new_items(pworld.fonds_a, 2, "批量中的原题名{n}"))
        changed.title = "批量中改过的题名"
        changed.save()
        deleted.delete()
        block.flush()
    rows = search_rows()
    assert rows[changed.pk]["title"] == "批量中改过的题名"
    assert deleted.pk not in rows
    assert not IndexOutbox.objects.exists()


def test_a_small_filing_is_indexed_in_line_without_a_child(pworld, monkeypatch):
    monkeypatch.setattr(postgres_bulk.CopySession, "_start", lambda self: pytest.fail("no child for 3 items"))
    with get_backend().bulk() as block, transaction.atomic():
        items = file_items_in_bulk(new_items(pworld.fonds_a, 3, "少量文件{n}"))
        assert set(search_rows()) >= {item.pk for item in items}
        block.flush()


def test_a_block_expecting_many_items_starts_its_child_at_once_and_gives_it_every_batch(pworld, no_catch_up):
    with get_backend().bulk(start_at=5, expected=5) as block:
        assert block.child is not None  # before any item, before the transaction
        with transaction.atomic():
            items = file_items_in_bulk(new_items(pworld.fonds_a, 2, "预先启动的子进程{n}"))
            assert not set(search_rows()) & {item.pk for item in items}  # the child's, not yet committed
            block.flush()
    assert set(search_rows()) >= {item.pk for item in items}
    assert not IndexOutbox.objects.exists()


def test_a_child_started_for_items_that_never_came_ends_quietly_with_its_block(pworld):
    with get_backend().bulk(start_at=5, expected=5) as block, transaction.atomic():
        child = block.child
    assert child.returncode == 0
    assert not SearchDocument.objects.exists()


def test_the_childs_rows_of_many_filings_share_a_copy_and_are_stored_when_it_is_ready(pworld, no_catch_up):
    with get_backend().bulk(start_at=1) as block, transaction.atomic():
        items = [
            item
            for batch in range(3)  # three messages to the child, each with rows of its own
            for item in file_items_in_bulk(new_items(pworld.fonds_a, 20, f"第{batch}批流式写入的文件{{n}}"))
        ]
        block.flush()
    written, sampled = search_rows(), search_rows(SearchSample)
    assert set(written) >= {item.pk for item in items}
    assert {pk for pk in written if pg.in_sample(pk)} == set(sampled) != set()
    get_backend().rebuild()
    assert search_rows() == written and search_rows(SearchSample) == sampled


def test_a_block_rolled_back_while_the_childs_copy_is_open_leaves_no_search_rows(pworld):
    before = set(search_rows())
    with pytest.raises(RuntimeError), get_backend().bulk(start_at=1) as block, transaction.atomic():
        file_items_in_bulk(new_items(pworld.fonds_a, 20, "流式写入中回滚的文件{n}"))
        file_items_in_bulk(new_items(pworld.fonds_a, 20, "流式写入中回滚的文件{n}"))
        child = block.child
        raise RuntimeError  # no flush: the child is in the middle of its COPY
    assert child.wait(timeout=10) == 0
    assert set(search_rows()) == before
    assert not IndexOutbox.objects.exists()


def documents_without_search_rows(world, count: int, title: str) -> list:
    items = file_items_in_bulk(new_items(world.fonds_a, count, title))
    SearchDocument.objects.filter(item_id__in=[item.pk for item in items]).delete()
    SearchSample.objects.filter(item_id__in=[item.pk for item in items]).delete()
    return [from_row(item_row(item)) for item in items]


def test_a_row_stream_ends_its_copy_after_so_many_batches_and_then_stores_the_samples_share(pworld):
    documents = documents_without_search_rows(pworld, 48, "分批写入的文件{n}")
    stream = pg.RowStream(batches_per_copy=2)
    with transaction.atomic():
        stream.write(documents[:16])
        stream.write(documents[16:32])  # the second batch: its COPY ends, the connection is free again
        assert set(search_rows()) >= {doc.item_id for doc in documents[:32]}
        stream.write(documents[32:])
        stream.close()
    ids = {doc.item_id for doc in documents}
    assert set(search_rows()) >= ids
    assert set(search_rows(SearchSample)) & ids == {pk for pk in ids if pg.in_sample(pk)} != set()


def test_an_aborted_row_stream_fails_its_copy_and_the_transaction_rolls_back(pworld):
    documents = documents_without_search_rows(pworld, 10, "放弃写入的文件{n}")
    stream = pg.RowStream(batches_per_copy=5)
    with pytest.raises(RuntimeError), transaction.atomic():
        stream.write(documents)
        stream.abort()
        raise RuntimeError
    ids = {doc.item_id for doc in documents}
    assert not set(search_rows()) & ids
    with transaction.atomic():  # the connection serves the next transaction as before
        stream.write(documents)
        stream.close()
    assert set(search_rows()) >= ids
