import os

import pytest
from django.test import Client
from django.utils import translation

from dangan.testing import make_world


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def client_for():
    """A logged-in test client for a user, or an anonymous one for ``None``."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness buys nothing in tests that create a handful of users each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language_afterwards():
    # A request in English leaves English active in this thread (the locale middleware activates, nothing
    # deactivates); the next test, e.g. of a command's Chinese output, would otherwise inherit it.
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def file_store(settings, tmp_path):
    """Each test stores files and keeps its search index in folders of its own: the database rolls back
    after a test, folders do not."""
    from dangan.preservation.storage import reset_storage
    from dangan.search import backends

    root = tmp_path / "files"
    settings.DANGAN_STORAGE = {**settings.DANGAN_STORAGE, "backend": "disk", "root": root,
                               "staging_dir": root / ".staging"}
    settings.DANGAN_SEARCH_INDEX_DIR = tmp_path / "search-index"
    reset_storage()
    backends.reset()
    yield root
    reset_storage()
    backends.reset()


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright for the browser tests; skipped, saying why, where missing.

    The background-networking flags keep Chromium from calling out: this machine's network refuses it.
    """
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium not installed: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield launched
        launched.close()
