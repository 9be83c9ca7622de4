import pytest

from dangan.preservation.storage import reset_storage
from dangan.search import backends


@pytest.fixture(autouse=True)
def isolated_files_and_index(settings, tmp_path):
    """Each test gets its own file store and search index: the database rolls back, folders do not."""
    root = tmp_path / "files"
    settings.DANGAN_STORAGE = {
        **settings.DANGAN_STORAGE,
        "backend": "disk",
        "root": root,
        "staging_dir": root / ".staging",
    }
    settings.DANGAN_SEARCH_INDEX_DIR = tmp_path / "search-index"
    settings.DANGAN_OCR = False
    reset_storage()
    backends.reset()
    yield
    reset_storage()
    backends.reset()
