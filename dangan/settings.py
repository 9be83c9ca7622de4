"""Dangan settings: every value comes from an environment variable with an embedded default.

The embedded default needs no server: SQLite in WAL mode and files in ``DANGAN_DATA_DIR``.
``DATABASE_URL`` switches to PostgreSQL with the same code.
"""

from pathlib import Path

import dj_database_url
import platformdirs

from dangan.lib.env import ImproperSetting, envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent

DATA_DIR = Path(envstr("DANGAN_DATA_DIR") or platformdirs.user_data_dir("dangan")).expanduser()


def _secret_key() -> str:
    """A key from the environment, else one generated once and kept in the data folder."""
    key = envstr("SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    from django.utils.crypto import get_random_string

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = get_random_string(64)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "dangan.core",
    "dangan.units",
    "dangan.accounts",
    "dangan.catalogue",
    "dangan.preservation",
    "dangan.api",
    "dangan.search",
    "dangan.access",
    "dangan.portal",
    "dangan.exchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dangan.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dangan.core.middleware.AuditActorMiddleware",
]

ROOT_URLCONF = "dangan.urls"
WSGI_APPLICATION = "dangan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


# IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one failing with "database is
# locked" when it upgrades a read lock mid-transaction.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def _databases() -> dict:
    url = envstr("DATABASE_URL")
    if not url:
        return {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": DATA_DIR / "dangan.sqlite3",
                "OPTIONS": SQLITE_OPTIONS,
            }
        }
    try:
        config = dj_database_url.parse(url, conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0))
    except Exception as e:  # dj_database_url raises several kinds for a malformed URL
        raise ImproperSetting(f"DATABASE_URL: cannot parse it: {e}") from e
    if not config.get("ENGINE"):
        raise ImproperSetting("DATABASE_URL: unsupported database scheme")
    test_name = envstr("DATABASE_TEST_NAME")
    if test_name:
        config["TEST"] = {"NAME": test_name}
    return {"default": config}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = envstr("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only collectstatic needs it: WhiteNoise serves straight from the package (see below).
STATIC_ROOT = envstr("STATIC_ROOT")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served straight from the package by WhiteNoise: the embedded default needs no collectstatic step.
WHITENOISE_USE_FINDERS = True

MEDIA_ROOT = DATA_DIR / "files"

# Digital files (dangan.preservation): a folder under the data folder, or S3-compatible object storage.
_storage_backend = envstr("DANGAN_STORAGE", "disk")
if _storage_backend not in ("disk", "s3"):
    raise ImproperSetting(f"DANGAN_STORAGE={_storage_backend!r}: expected disk or s3")
DANGAN_STORAGE = {
    "backend": _storage_backend,
    "root": MEDIA_ROOT,
    # Staging is always local; on disk it shares the file system with the blobs so a commit is a rename.
    "staging_dir": MEDIA_ROOT / ".staging",
    "s3_endpoint": envstr("DANGAN_S3_ENDPOINT", ""),
    "s3_bucket": envstr("DANGAN_S3_BUCKET", "dangan"),
    "s3_access_key": envstr("DANGAN_S3_ACCESS_KEY", ""),
    "s3_secret_key": envstr("DANGAN_S3_SECRET_KEY", ""),
    "s3_region": envstr("DANGAN_S3_REGION", "us-east-1"),
    "s3_part_mb": envint("DANGAN_S3_PART_MB", 64, minimum=5),  # S3's smallest part is 5 MiB
}
# OCR of scanned images and image-only PDFs (RapidOCR, offline, CPU) after capture.
DANGAN_OCR = envbool("DANGAN_OCR", True)
# Containers (DOCX, XLSX, OFD, zipped bags) expanding past this are refused as zip bombs.
DANGAN_ZIP_MAX_BYTES = envint("DANGAN_ZIP_MAX_BYTES", 2 * 1024**3, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["dangan.api.permissions.RestrictedPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "dangan.api.pagination.Pagination",
    "PAGE_SIZE": envint("API_PAGE_SIZE", 50, minimum=1),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dangan.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Dangan API",
    "DESCRIPTION": "档案管理平台 REST API: units, fonds, categories, retention, items and volumes.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Items and volumes share one status choice set; name it, as units and fonds have their own.
    "ENUM_NAME_OVERRIDES": {
        "RecordStatusEnum": "dangan.catalogue.choices.RecordStatus",
        "AccessRequestStatusEnum": "dangan.access.choices.RequestStatus",
        "FileStatusEnum": "dangan.preservation.choices.FileStatus",
        "UnitStatusEnum": "dangan.units.choices.UnitStatus",
        "FondsStatusEnum": "dangan.catalogue.choices.FondsStatus",
    },
}

# Search (dangan.search): "tantivy" (embedded index in the data folder), "postgres" (in the database), or a
# backend class path. Empty: tantivy on SQLite, postgres on PostgreSQL.
DANGAN_SEARCH_BACKEND = envstr("DANGAN_SEARCH_BACKEND", "")
DANGAN_SEARCH_INDEX_DIR = Path(envstr("DANGAN_SEARCH_INDEX_DIR") or DATA_DIR / "search-index").expanduser()

PAGINATE_BY = envint("PAGINATE_BY", 50, minimum=1)

# Records are opened to the public this many years after they were formed (Archives Law art. 27).
OPEN_AFTER_YEARS = envint("DANGAN_OPEN_AFTER_YEARS", 25, minimum=0)

# Utilisation (dangan.access) and the public portal (dangan.portal).
# Controlled items need the holding unit's archivist; with this on, bureau staff approve after them.
DANGAN_ACCESS_BUREAU_APPROVAL = envbool("DANGAN_ACCESS_BUREAU_APPROVAL", False)
DANGAN_ACCESS_GRANT_DAYS = envint("DANGAN_ACCESS_GRANT_DAYS", 30, minimum=1)
DANGAN_LOAN_DAYS = envint("DANGAN_LOAN_DAYS", 30, minimum=1)
DANGAN_LOAN_MAX_RENEWALS = envint("DANGAN_LOAN_MAX_RENEWALS", 2, minimum=0)
# The archives' name on certified copies, and the portal's public address for their QR codes (empty: the
# address of the request that issues the certificate).
DANGAN_ARCHIVES_NAME = envstr("DANGAN_ARCHIVES_NAME", "区档案馆")
DANGAN_PORTAL_URL = envstr("DANGAN_PORTAL_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}

# Python collects cyclic garbage after every 700 new container objects (its default), which a bulk job
# allocates by the million: a 300,000-row import spent 3.5 of its 26 CPU-seconds in the importer's collector.
# From this many on, applied to every Dangan process (``CoreConfig.ready``); 0 turns automatic collection off.
DANGAN_GC_THRESHOLD = envint("DANGAN_GC_THRESHOLD", 50_000, minimum=0)

# Catalogue import (dangan.exchange): the largest file accepted, and for .xlsx (a zip) the most its members
# may inflate to and the highest compression ratio, so a zip bomb is refused before a parser opens it.
DANGAN_IMPORT_MAX_BYTES = envint("DANGAN_IMPORT_MAX_BYTES", 512 * 1024 * 1024)
DANGAN_IMPORT_MAX_UNZIPPED_BYTES = envint("DANGAN_IMPORT_MAX_UNZIPPED_BYTES", 2 * 1024 * 1024 * 1024)
DANGAN_IMPORT_MAX_ZIP_RATIO = envint("DANGAN_IMPORT_MAX_ZIP_RATIO", 100)
# A TrueType font with Chinese glyphs for printed PDFs and watermarks (dangan.lib.fonts); empty: the first one
# found in the usual places.
DANGAN_CJK_FONT = envstr("DANGAN_CJK_FONT", "")
