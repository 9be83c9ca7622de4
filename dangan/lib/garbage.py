"""Python's cyclic garbage collector during a bulk job.

Each collection walks the container objects made since the one before that are still alive, and a bulk job
keeps a chunk of model instances, rows and messages alive at every moment: with the collector on, a
million-row import walked each of them once or more, 5 of its CPU-seconds in its three processes, while the
job makes next to no cyclic garbage (100,000 rows, good or all bad: under a thousand objects left to the
collector). So the collector is off while such a job runs. Reference counting frees everything else as
usual.
"""

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """The cyclic collector off inside the block (unless it was off already), and on again after it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def pause_collector() -> None:
    """The collector off for the rest of this process: a child that lives for one bulk job."""
    gc.disable()
