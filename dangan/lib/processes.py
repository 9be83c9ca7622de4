import fcntl
import os
import subprocess
import sys


def process_alive(pid: int) -> bool:
    """Whether a process of this machine with that id still runs (one we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# Linux's default upper limit of a pipe's size for an unprivileged process (/proc/sys/fs/pipe-max-size).
PIPE_BYTES = 1 << 20
CHILD_NICENESS = 5


def start_django_child(code: str, *args: str) -> subprocess.Popen:
    """A ``python -c code args…`` child with this process's Django settings, talking over stdin and stdout.

    Not ``multiprocessing``: spawning would re-run the parent's ``__main__`` (the ``dangan`` command line
    itself). ``code`` calls ``django.setup()`` before importing anything that imports models. Both pipes are
    made as large as Linux allows, so either side can run several batches ahead of the other instead of
    waiting for it to read.
    """
    from django.conf import settings

    module = os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE or "dangan.settings"
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": module},
    )
    for pipe in (child.stdin, child.stdout):
        try:
            fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        except (AttributeError, OSError):  # not Linux: the default size
            pass
    return child


def child_pipes():
    """In such a child: (messages in, messages out). What the child prints on the way (a warning, a library)
    goes to standard error instead of into the stream of messages on standard output.

    The child also yields the processor to its parent: the parent (an import) is the one whose pace sets
    the end, and on two cores a parent with two busy children would otherwise get only two thirds of one.
    It lives for one bulk job, so its cyclic garbage collector is off (``lib.garbage``).
    """
    from dangan.lib.garbage import pause_collector

    pause_collector()
    try:
        os.nice(CHILD_NICENESS)
    except OSError:
        pass
    outgoing = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return sys.stdin.buffer, outgoing
