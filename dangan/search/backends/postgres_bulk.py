"""Writing a large transaction's search rows (PostgreSQL) from a second process and connection while the
transaction runs.

An import of a million items spent a third of its time on the search table: making its rows (documents,
their token sets) and waiting for the server to store them with their GIN index, one after the other on
the import's own connection. Inside a ``PostgresBackend.bulk()`` block, from ``START_AT`` items on, the rows
of items just filed go to a child process, which makes the search table's rows and COPYs them through
its own connection, in a transaction of its own held open; so the importer, its server process, the child
and the child's server process all work at once.

The child's transaction commits only after the importer's has (``finish``), so nothing of a rolled-back
import is ever searchable. The outbox makes that second commit safe: every run of ids handed to the child is
also an ``IndexOutbox`` row written in the importer's transaction, deleted once the child has committed.
If the child stops, cannot commit, or the importer dies between the two commits, the rows stay in the
outbox and ``PostgresBackend.catch_up`` (after the commit, by the periodic ``search.catch_up`` job, before
``dangan search check``) indexes those items from the database. Until the child commits (a moment after the
import), the new items are stored but not yet found.

Inside the block, a change or deletion of an item the child holds would wait for the child's uncommitted
row while the importer waits for the child: before any such change, the child is stopped (its transaction
rolled back) and its items are indexed in line, in the importer's transaction.
"""

import bisect
import logging
import pickle
import subprocess
import sys

from django.db import connection, transaction

from dangan.lib.processes import child_pipes, start_django_child
from dangan.search.backends.base import BulkBlock, id_runs, message_runs

logger = logging.getLogger(__name__)

# A child costs about a second to start (Python, Django, a connection): worth it from this many items on.
START_AT = 20_000
ROWS, PREPARE, COMMIT = "rows", "prepare", "commit"
# Messages of rows (a thousand items each) the child writes in one COPY (``postgres.RowStream``): the server
# stores one message's rows while the child makes the next's, instead of each waiting for the other.
STREAMED_BATCHES = 50
READY, COMMITTED = "ready", "committed"
CHILD = "import django; django.setup(); from dangan.search.backends.postgres_bulk import main; main()"


class CopySession(BulkBlock):
    """One ``bulk()`` block of one thread: the child once enough items were filed, and the runs it holds."""

    def __init__(self, backend, start_at: int = START_AT, expected: int = 0):
        self.backend = backend
        self.start_at = start_at
        self.filed = 0
        self.child: subprocess.Popen | None = None
        self.started = False  # told its database, and its finish() registered
        if expected >= start_at:
            # See SearchBackend.bulk: with a child, each batch goes to it as filed, from the first. It is told
            # its database then (``_start``): the caller's transaction may not have begun yet.
            self.child = start_django_child(CHILD)
        self.runs: list[tuple[int, int]] = []  # ids the child holds, uncommitted
        self.outbox_pks: list[int] = []
        self.failed = False
        self.done = False

    def add(self, new_items) -> bool:
        """Take items just filed; False if the caller should index them itself (few yet, or no child)."""
        from dangan.search.documents import item_row
        from dangan.search.models import IndexOutbox

        self.filed += len(new_items)
        if self.child is None and (self.failed or self.filed < self.start_at):
            return False
        if not self.started:
            self._start()
        by_id = {item.pk: item for item in new_items}
        runs = [(first, last or first) for first, last in id_runs(by_id)]
        outbox = IndexOutbox.objects.bulk_create(
            [IndexOutbox(item_id=first, last_item_id=last) for first, last in runs]
        )
        self.outbox_pks.extend(row.pk for row in outbox)
        self.runs.extend(runs)
        for first, last in message_runs(runs):
            if not self._message((ROWS, [item_row(by_id[pk]) for pk in range(first, last + 1)])):
                self.take_back()  # the child died: what it held is indexed here, and the rest in line
                break
        return True

    def holds(self, item_ids) -> bool:
        """Whether any of ``item_ids`` is an item the child holds (the runs are in ascending order)."""
        if not self.runs:
            return False
        starts = [first for first, _last in self.runs]
        for pk in item_ids:
            at = bisect.bisect_right(starts, pk) - 1
            if at >= 0 and pk <= self.runs[at][1]:
                return True
        return False

    def flush(self) -> None:
        """Inside the transaction, before it commits: make sure the child has written every row it was
        sent; if it cannot, its items are indexed here instead."""
        if self.child is not None and self._ask((PREPARE,)) != READY:
            self.take_back()

    def take_back(self) -> None:
        """Stop the child (its transaction rolls back) and index what it held in line, in this transaction."""
        self._stop()
        self.failed = True
        if self.runs:
            self.backend.index_in_line([pk for first, last in self.runs for pk in range(first, last + 1)])
            self._drop_outbox()
        self.runs = []

    def finish(self) -> None:
        """After the importer's commit: the child commits, and the outbox rows it covered go; otherwise
        they stay, and the catch-up indexes their items."""
        self.done = True
        reply = self._ask((COMMIT,)) if self.child is not None else None
        self._stop()
        if reply == COMMITTED:
            self._drop_outbox()
        elif self.outbox_pks:
            logger.warning("search rows child could not commit (%s); the outbox will be applied", reply)
            self.backend.catch_up_quietly()

    def close(self) -> None:
        """End of the block: a transaction that did not commit leaves nothing of the child's behind."""
        if not self.done:
            self._stop()

    def _drop_outbox(self) -> None:
        """The outbox rows of the items the child held: their rows are in the search table now."""
        from dangan.search.models import IndexOutbox

        IndexOutbox.objects.filter(pk__in=self.outbox_pks).delete()
        self.outbox_pks = []

    def _start(self) -> None:
        self.child = self.child or start_django_child(CHILD)
        self.started = True
        transaction.on_commit(self.finish)
        # The child writes to the database this connection uses (a test run's own, say), not the settings'.
        self._message({"NAME": connection.settings_dict["NAME"]})

    def _message(self, message) -> bool:
        if self.child is None:
            return False
        try:
            pickle.dump(message, self.child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.child.stdin.flush()
        except OSError:  # BrokenPipeError among them
            logger.warning("search rows child stopped")
            self._stop()
            return False
        return True

    def _ask(self, message):
        if not self._message(message):
            return None
        try:
            return pickle.load(self.child.stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            return None

    def _stop(self) -> None:
        child, self.child = self.child, None
        if child is None:
            return
        try:
            child.stdin.close()  # the child rolls back whatever it has not committed, and exits
            child.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            child.kill()
            child.wait()
        child.stdout.close()


def serve(incoming, outgoing) -> None:
    """The child: COPY the search rows of each batch it is sent into its own open transaction; commit when
    told, roll back when its input ends first."""
    from dangan.search.backends.postgres import RowStream
    from dangan.search.documents import from_row

    try:
        connection.settings_dict.update(pickle.load(incoming))
    except EOFError:  # started with its block, which ended before any item was filed
        return
    connection.set_autocommit(False)
    stream = RowStream(STREAMED_BATCHES)
    try:
        while True:
            try:
                message = pickle.load(incoming)
            except EOFError:
                stream.abort()
                return
            kind = message[0]
            if kind == ROWS:
                stream.write(list(map(from_row, message[1])))
                continue
            stream.close()  # every row sent is stored before the reply
            if kind == COMMIT:
                connection.commit()
            pickle.dump(COMMITTED if kind == COMMIT else READY, outgoing)
            outgoing.flush()
            if kind == COMMIT:
                return
    finally:
        if connection.connection is not None and not connection.get_autocommit():
            connection.rollback()
        connection.close()


def main() -> None:
    incoming, outgoing = child_pipes()
    try:
        serve(incoming, outgoing)
    except Exception:
        logger.exception("search rows child failed")
        sys.exit(1)
