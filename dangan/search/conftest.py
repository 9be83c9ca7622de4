import pytest

from dangan.testing import make_world, use_search_backend


def _backend_params():
    return [pytest.param("tantivy", id="tantivy"), pytest.param("postgres", id="postgres")]


@pytest.fixture(params=_backend_params())
def backend_name(request, settings, db):
    """Runs a test once per backend; the PostgreSQL one only where the database is PostgreSQL."""
    from django.db import connection

    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL search backend needs DATABASE_URL=postgres://…")
    use_search_backend(settings, request.param)
    return request.param


@pytest.fixture
def sworld(backend_name):
    """The personas' world, created after the backend is chosen so the index follows its items."""
    return make_world()
