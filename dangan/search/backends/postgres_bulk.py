"""Making a large transaction's search rows (PostgreSQL) on the other core while the transaction runs.

An import of a million items spent a fifth of its time making the search table's rows (documents, their
token sets) in the importing process. Inside a ``PostgresBackend.bulk()`` block, the rows of items just filed
go to a child process that turns them into the search table's COPY text and sends it back; this process
writes that text with COPY in its own transaction, some batches behind, while it checks and stores the next
ones. The search rows stay in the items' transaction: ``flush()``, called before the transaction commits,
writes whatever is still on the way. If it was not called, what is left is written just after the commit
(in a transaction of its own); if the transaction rolled back, it is dropped with everything else.

Items changed or deleted (not new) inside the block are indexed in line as always, after a flush, so their
rows are written in the order the changes were made. If the child stops, the rows it had not answered for
are made in line, as is everything after.
"""

import logging
import pickle
import queue
import threading
from collections import deque

from django.db import transaction

from dangan.lib.processes import child_pipes, start_django_child
from dangan.search.backends.base import BulkBlock

logger = logging.getLogger(__name__)

# A child costs about a second to start (Python, Django): worth it from this many items on.
START_AT = 20_000
AHEAD = 4  # batches sent whose text has not been written yet, at most
CHILD = "import django; django.setup(); from dangan.search.backends.postgres_bulk import main; main()"
_STOPPED = object()


class CopySession(BulkBlock):
    """One ``bulk()`` block of one thread: the child, once enough items were filed, and what it still owes."""

    def __init__(self, backend, start_at: int = START_AT):
        self.backend = backend
        self.start_at = start_at
        self.filed = 0
        self.child = None
        self.replies: queue.Queue = queue.Queue()
        self.owed: deque[list[tuple]] = deque()  # rows sent, oldest first, until their text is written
        self.failed = False
        self.registered = False

    def add(self, new_items) -> bool:
        """Take the items just filed; False if the caller should index them itself (few yet, or no child)."""
        from dangan.search.documents import item_row

        self.filed += len(new_items)
        if self.child is None and (self.failed or self.filed < self.start_at):
            return False
        if not self.registered:
            transaction.on_commit(self.flush_committed)  # in case flush() is not called before the commit
            self.registered = True
        if self.child is None:
            self._start()
        rows = [item_row(item) for item in new_items]
        self.owed.append(rows)
        try:
            pickle.dump(rows, self.child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.child.stdin.flush()
        except OSError:  # BrokenPipeError among them: the child died
            self._stop()
        while len(self.owed) > AHEAD:
            self._write_oldest()
        return True

    def flush(self) -> None:
        """Write every row still owed, inside the transaction (call it before the commit)."""
        while self.owed:
            self._write_oldest()

    def flush_committed(self) -> None:
        # After the commit, only if flush() was not called: the rows go in a transaction of their own.
        if self.owed:
            with transaction.atomic():
                self.flush()

    def close(self) -> None:
        """End of the block: a transaction that rolled back leaves its rows unwritten, and the child goes."""
        self.owed.clear()
        if self.child is not None:
            try:
                self.child.stdin.close()
            except OSError:
                pass
            self.child.wait()
            self.child = None

    def _start(self) -> None:
        self.child = start_django_child(CHILD)
        threading.Thread(target=self._read_replies, args=(self.child.stdout,), daemon=True).start()

    def _read_replies(self, stdout) -> None:
        # A thread, so neither side ever blocks on a full pipe while the other waits for it.
        try:
            while True:
                self.replies.put(pickle.load(stdout))
        except (EOFError, OSError, pickle.UnpicklingError):
            self.replies.put(_STOPPED)
        finally:
            stdout.close()

    def _write_oldest(self) -> None:
        rows = self.owed.popleft()
        reply = _STOPPED if self.failed else self.replies.get()
        if reply is _STOPPED:
            self._stop()
            from dangan.search.documents import from_row

            self.backend._copy(map(from_row, rows))
            return
        self.backend.copy_text(*reply)

    def _stop(self) -> None:
        if not self.failed:
            logger.warning("search rows child stopped; the rest of the rows are made in this process")
        self.failed = True
        if self.child is not None:
            self.child.kill()
            self.child.wait()
            self.child = None



def copy_text(rows: list[tuple]) -> tuple[bytes, bytes]:
    """The COPY text of the search table's rows for ``rows`` (``documents.rows`` form), and the sample's."""
    from dangan.search.backends.postgres import copy_line, in_sample, row_values
    from dangan.search.documents import from_row

    lines, sampled = [], []
    for row in rows:
        line = copy_line(row_values(from_row(row)))
        lines.append(line)
        if in_sample(row[0]):
            sampled.append(line)
    return "".join(lines).encode(), "".join(sampled).encode()


def serve(incoming, outgoing) -> None:
    """The child: the COPY text for each batch of rows it is sent, in order, until its input ends."""
    while True:
        try:
            rows = pickle.load(incoming)
        except EOFError:
            return
        pickle.dump(copy_text(rows), outgoing, protocol=pickle.HIGHEST_PROTOCOL)
        outgoing.flush()


def main() -> None:
    serve(*child_pipes())
