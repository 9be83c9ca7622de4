import os


def process_alive(pid: int) -> bool:
    """Whether a process of this machine with that id still runs (one we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
