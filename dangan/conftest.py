import pytest
from django.test import Client

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
