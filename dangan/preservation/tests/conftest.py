import pytest

from dangan.preservation.storage import reset_storage


@pytest.fixture(autouse=True)
def file_store(settings, tmp_path):
    """Each test stores its files in a folder of its own."""
    root = tmp_path / "files"
    settings.DANGAN_STORAGE = {
        **settings.DANGAN_STORAGE,
        "backend": "disk",
        "root": root,
        "staging_dir": root / ".staging",
    }
    reset_storage()
    yield root
    reset_storage()
