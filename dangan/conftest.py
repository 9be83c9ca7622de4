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
