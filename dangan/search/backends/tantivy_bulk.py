"""Indexing a large transaction's items on the other core while the transaction still runs.

After an import commits, the tantivy index used to catch up on its million items on one core while the
other waited: a third of the import's time. Inside a ``TantivyBackend.bulk()`` block, the items a
transaction changes are read (by the transaction's own connection, so uncommitted rows are seen) and handed
to a child process that turns them into documents and adds them to a tantivy writer it holds, uncommitted.
When the transaction commits, the child commits its writer and the outbox rows it covered are deleted; when
the transaction rolls back, the child's writer is rolled back and nothing reaches the index.

The outbox stays the source of truth: the rows are written in the transaction as always, and whatever the
child did not commit (it crashed, it could not take the writer lock, the transaction was nested in another
one) is applied by the usual catch-up.

The child is a plain ``python -c`` process speaking pickle over its standard input and output
(``dangan.lib.processes.start_django_child``).
"""

import logging
import pickle
import subprocess
import sys

from django.db import transaction

from dangan.core.bulk import DeferredCheckpoint
from dangan.lib.processes import child_pipes, start_django_child
from dangan.search.backends.base import BulkBlock, message_runs

logger = logging.getLogger(__name__)

# A child costs about a second to start (Python, Django, tantivy): worth it from this many items on.
START_AT = 20_000
ROWS, COMMIT, ROLLBACK = "rows", "commit", "rollback"
# Django is set up before this module's package (which imports models) is imported.
CHILD = "import django; django.setup(); from dangan.search.backends.tantivy_bulk import main; main()"
COMMITTED = "committed"
REBUILD = "rebuild"


class BulkSession(BulkBlock):
    """One ``bulk()`` block of one thread: the items it queued, and the child once there are enough.
    Nothing to ``flush()``: the child's writer commits after the transaction does (``finish``)."""

    def __init__(self, backend, start_at: int = START_AT, expected: int = 0):
        self.backend = backend
        self.start_at = start_at
        self.waiting: list[tuple[int, int]] = []  # runs of ids (first, last) queued before the child started
        self.outbox_pks: list[int] = []
        self.child: subprocess.Popen | None = None
        self.failed = False  # a child died: the rest of the block goes through the outbox alone
        self.registered = False
        self.done = False
        self.checkpoint: DeferredCheckpoint | None = None
        if expected >= start_at:
            self._start()  # see SearchBackend.bulk: it is sent each batch as filed, from the first

    def add(self, runs: list[tuple[int, int | None]], outbox_pks: list[int | None], new_items=None) -> None:
        """Items changed (or deleted) in the transaction as runs of ids (``id_runs``), the outbox rows that
        recorded them, and the instances when they were just filed (see ``SearchBackend.items_changed``)."""
        if not self.registered:
            # Once per block instead of once per batch: finish() applies everything, then catches up.
            transaction.on_commit(self.finish)
            self.registered = True
            # A transaction large enough for a child is large enough for its commit to copy the database's
            # log for seconds (SQLite): done in finish(), while the child commits its writer.
            self.checkpoint = DeferredCheckpoint()
        if None in outbox_pks:  # a database that does not return ids from bulk inserts: catch up instead
            return
        self.outbox_pks.extend(outbox_pks)
        runs = [(first, last or first) for first, last in runs]
        if self.child is None:
            self.waiting.extend(runs)
            if sum(last - first + 1 for first, last in self.waiting) >= self.start_at and not self.failed:
                self._start()
                waiting, self.waiting = self.waiting, []
                self._send(waiting)
        elif new_items:
            self._send_new(runs, new_items)
        else:
            self._send(runs)

    def _start(self) -> None:
        # The child loads the apps only (to read rows into documents); it never opens the database.
        self.backend.index  # noqa: B018 -- opened (its schema settled) here before the child opens it
        self.child = start_django_child(CHILD, str(self.backend.index_dir))

    def _send(self, runs: list[tuple[int, int]]) -> None:
        from dangan.catalogue.models import Item
        from dangan.search.documents import rows

        for first, last in message_runs(runs):
            self._message((ROWS, first, last, list(rows(Item.objects.filter(pk__range=(first, last))))))

    def _send_new(self, runs: list[tuple[int, int]], items) -> None:
        from dangan.search.documents import item_row

        by_id = {item.pk: item for item in items}
        for first, last in message_runs(runs):
            self._message((ROWS, first, last, [item_row(by_id[pk]) for pk in range(first, last + 1)]))

    def _message(self, message) -> None:
        if self.child is None:
            return
        try:
            pickle.dump(message, self.child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.child.stdin.flush()
        except OSError:  # BrokenPipeError among them
            # The child died: what it had is lost, the outbox still holds all of it.
            logger.warning("search bulk indexer stopped; the outbox will be applied instead")
            self.child.kill()
            self.child.wait()
            self.child = None
            self.failed = True
            self.outbox_pks = []

    def finish(self) -> None:
        """After commit: the child commits what it built; the outbox rows it covered go."""
        from dangan.search.models import IndexOutbox

        self.done = True
        if self.child is not None:
            self._message((COMMIT,))
        self._checkpoint()
        if self.child is not None:
            try:
                self.child.stdin.close()
                reply = pickle.load(self.child.stdout)
            except (EOFError, OSError, pickle.UnpicklingError):
                reply = None
            self.child.wait()
            self.child = None
            if reply == COMMITTED:
                for start in range(0, len(self.outbox_pks), 900):
                    IndexOutbox.objects.filter(pk__in=self.outbox_pks[start : start + 900]).delete()
                self.backend.index.reload()
            else:
                logger.warning("search bulk indexer could not commit (%s); the outbox will be applied", reply)
        self.backend.catch_up_quietly()

    def _checkpoint(self) -> None:
        if self.checkpoint is not None:
            self.checkpoint.run()
            self.checkpoint = None

    def close(self) -> None:
        """End of the block: a transaction that did not commit leaves nothing in the index."""
        self._checkpoint()
        if self.child is not None and not self.done:
            self._message((ROLLBACK,))
            if self.child is not None:
                try:
                    self.child.stdin.close()
                    self.child.wait(timeout=60)
                except (OSError, subprocess.TimeoutExpired):
                    self.child.kill()
                    self.child.wait()
                self.child = None


def serve(index_dir: str, incoming, outgoing, rebuild: bool = False) -> None:
    """The child: documents from the rows it is sent, into a writer committed only when told; for a
    rebuild, into an index emptied first, with the rebuild's large heap (one segment)."""
    from dangan.search.backends.tantivy import REBUILD_HEAP, WRITER_HEAP, WRITER_THREADS, TantivyBackend
    from dangan.search.documents import from_row

    backend = TantivyBackend(index_dir)
    try:
        heap = REBUILD_HEAP if rebuild else WRITER_HEAP
        writer = backend.index.writer(heap_size=heap, num_threads=WRITER_THREADS)
    except ValueError as e:  # another process holds the writer: read on, report at the end
        logger.info("search bulk indexer: no writer (%s)", e)
        writer = None
    if rebuild and writer is not None:
        writer.delete_all_documents()
    while True:
        try:
            message = pickle.load(incoming)
        except EOFError:  # the parent went away without a word: nothing is committed
            message = (ROLLBACK,)
        if message[0] == ROWS:
            _kind, first, last, found = message
            if writer is None:
                continue
            if not rebuild:
                backend.delete_run(writer, first, last)
            for document in backend.to_tantivy(list(map(from_row, found))):
                writer.add_document(document)
        elif message[0] == COMMIT:
            reply = "no writer"
            if writer is not None:
                writer.commit()
                writer.wait_merging_threads()
                reply = COMMITTED
            pickle.dump(reply, outgoing)
            outgoing.flush()
            return
        else:
            if writer is not None:
                writer.rollback()
                writer.wait_merging_threads()
            return


def rebuild(backend, total: int, progress=None) -> int:
    """Every item into the emptied index: this process reads the rows while a child on the other core makes
    the documents and adds them (a rebuild in one process made 18k items/s, bound by making documents).
    Returns how many (``total``, counted by the caller, is for the progress); raises RuntimeError, leaving
    the index as it was, if the child cannot take the index's writer or stops."""
    from dangan.search.backends.tantivy import DOCUMENT_CHUNK
    from dangan.search.documents import row_batches

    child = start_django_child(CHILD, str(backend.index_dir), REBUILD)
    done, reply = 0, None
    try:
        for batch in row_batches(DOCUMENT_CHUNK):
            message = (ROWS, batch[0][0], batch[-1][0], batch)
            pickle.dump(message, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            done += len(batch)
            if progress:
                progress(done, total)
        pickle.dump((COMMIT,), child.stdin)
        child.stdin.close()
        reply = pickle.load(child.stdout)
    except (OSError, EOFError, pickle.UnpicklingError):
        reply = None
    finally:
        if child.poll() is None and reply is None:
            child.kill()
        child.wait()
        child.stdout.close()
    if reply != COMMITTED:
        raise RuntimeError(f"the search index was not rebuilt: {reply or 'the indexer stopped'}")
    return done


def main() -> None:
    incoming, outgoing = child_pipes()
    serve(sys.argv[1], incoming, outgoing, rebuild=sys.argv[2:] == [REBUILD])
