import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def api():
    """A client sending the user's token (``Authorization: Token …``); anonymous for None."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def as_persona(world, api):
    """An API client for one of the world's personas by name ("staff", "archivist_a" …), or "anonymous"."""

    def make(name):
        return api(None if name == "anonymous" else getattr(world, name))

    return make
