"""The search backend in use, chosen by ``DANGAN_SEARCH_BACKEND`` (see ``base.SearchBackend``)."""

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from dangan.search.backends.base import SearchBackend

ALIASES = {
    "tantivy": "dangan.search.backends.tantivy.TantivyBackend",
    "postgres": "dangan.search.backends.postgres.PostgresBackend",
}


def backend_path() -> str:
    from django.db import connection

    name = getattr(settings, "DANGAN_SEARCH_BACKEND", "") or (
        "postgres" if connection.vendor == "postgresql" else "tantivy"
    )
    return ALIASES.get(name, name)


@lru_cache(maxsize=4)
def _load(path: str, index_dir: str) -> SearchBackend:
    return import_string(path)(index_dir=index_dir)


def get_backend() -> SearchBackend:
    return _load(backend_path(), str(settings.DANGAN_SEARCH_INDEX_DIR))


def reset() -> None:
    """Forget the loaded backends (tests switch settings between them)."""
    for backend in list(_cached()):
        backend.close()
    _load.cache_clear()


def _cached():
    # lru_cache keeps no public view of its values; the backends register themselves on creation.
    return SearchBackend.instances
