"""Settings for the cooperation catalogue.

One file for every machine: whatever differs between a laptop, CI and production comes
from environment variables, with safe development defaults. Bad values stop start-up.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a true/false variable; anything else is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (or 1/0), not {raw!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the site's host names.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "simple_history",
    "axes",
    "cooperation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cooperation.middleware.RejectLongUrlMiddleware",
    "cooperation.middleware.RejectNulMiddleware",
    "cooperation.middleware.CatalogueVersionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "cooperation.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses logins from a locked-out account/address before checking the password.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# A SQLite file in the project by default; DATABASE_URL=postgres://... uses psycopg 3.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from error
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
elif DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL or SQLite.")

# A read replica (optional): public reads go there, writes and the admin to the primary.
REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if REPLICA_URL:
    try:
        DATABASES["replica"] = dj_database_url.parse(REPLICA_URL, conn_max_age=60)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL is not a database URL: {error}"
        ) from error
    if DATABASES["replica"]["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must use the same engine as DATABASE_URL.")
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = DATABASES["default"].get(
        "CONN_HEALTH_CHECKS", False
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["cooperation.routers.ReadReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "cooperation.routers.PrimaryForWritesMiddleware",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    # No collectstatic needed while developing or testing.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Aggregates (facet counts, per-year charts, top lists) are cached in the database, so every
# app server shares them; `manage.py warm_summaries` fills the cache for the broad views.
CACHES = {
    # The broad pages' summaries (cooperation/broad_summaries.py): a fixed set of keys, a few
    # hundred plus five per country. Django's default of 300 entries is less than that: past
    # it, a third of the cache is dropped on the next write.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cooperation_cache",
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CATALOGUE_CACHE_MAX_ENTRIES", "20000"))},
    },
    # Every other summary (filtered lists, searches, record and year pages): as many keys as
    # visitors invent, so a table and a bound of their own; culling it never touches the above.
    "rare": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cooperation_cache_rare",
        "TIMEOUT": 600,
        "OPTIONS": {
            "MAX_ENTRIES": int(os.environ.get("CATALOGUE_RARE_CACHE_MAX_ENTRIES", "10000"))
        },
    },
}
CATALOGUE_SUMMARY_SECONDS = int(os.environ.get("CATALOGUE_SUMMARY_SECONDS", "600"))
# After an edit commits, recompute the broad summaries that pages cannot recompute within
# their budgets: "background" (a thread of the app server that saved it), "inline" (before
# the editor's response) or "off" (warm_summaries' cron does it; until then pages show them
# from before the edit, with a note).
CATALOGUE_REFRESH_AFTER_EDIT = os.environ.get("CATALOGUE_REFRESH_AFTER_EDIT", "background")
if CATALOGUE_REFRESH_AFTER_EDIT not in {"background", "inline", "off"}:
    raise ImproperlyConfigured(
        "CATALOGUE_REFRESH_AFTER_EDIT must be background, inline or off, "
        f"not {CATALOGUE_REFRESH_AFTER_EDIT!r}."
    )
# How many values left out of pages (exact counts, facets) PostgreSQL computes at once, for
# every app server together (summaries.compute_later): each takes a core for as long as it
# runs, seconds to minutes at ten million events, and the pages need the others.
CATALOGUE_COMPUTING_AT_ONCE = int(os.environ.get("CATALOGUE_COMPUTING_AT_ONCE", "1"))
# The exact counts of lists whose count missed its budget have slots of their own, so that
# no facet computed meanwhile holds a page's number back (summaries.slots).
CATALOGUE_COUNTING_AT_ONCE = int(os.environ.get("CATALOGUE_COUNTING_AT_ONCE", "1"))
# How long a page may spend on each optional part before leaving it out (PostgreSQL).
CATALOGUE_BUDGETS_MS = {
    "count": int(os.environ.get("CATALOGUE_COUNT_BUDGET_MS", "100")),
    "facet": int(os.environ.get("CATALOGUE_FACET_BUDGET_MS", "60")),
    "summary": int(os.environ.get("CATALOGUE_SUMMARY_BUDGET_MS", "300")),
    # All the uncached summaries of one page together (PostgreSQL).
    # What a page leaves out is computed outside it (summaries.compute_later). 250, not 400:
    # a cold page's first request spends less before it answers (still 500-800 ms at
    # 1,000,000 events; docs/performance.md).
    "batch": int(os.environ.get("CATALOGUE_BATCH_BUDGET_MS", "250")),
}
# Memory each sort and aggregate of an events export may use on PostgreSQL before spilling to
# disk, where it should differ from the server's own work_mem (empty: the server's). 32MB
# once made the sliced export 20% faster at a million events; for the one statement after
# the first rows it made no difference there, and at ten million it turned the planner to
# another join order: type=training took 160 s against 122-139 s with the server's 4MB
# (docs/performance.md).
CATALOGUE_EXPORT_WORK_MEM = os.environ.get("CATALOGUE_EXPORT_WORK_MEM", "")
# Where /downloads/catalogue.zip keeps the data package it builds, one file per catalogue
# version (cooperation/datapackage/cache.py); created when needed.
CATALOGUE_DOWNLOADS_DIR = Path(
    os.environ.get("CATALOGUE_DOWNLOADS_DIR") or BASE_DIR / "var" / "downloads"
)

# Production hardening: only when debug is off, so the development server works on http.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# Only the site's own assets: no inline script, no third-party origin, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The read API (/api/, cooperation/api/): public data, read-only, JSON only, no sessions.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cooperation catalogue API",
    "DESCRIPTION": (
        "Read-only JSON for every list and record of the catalogue of international "
        "poverty-reduction cooperation. Lists take the same parameters as their pages; see "
        "docs/api.md."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"DatePrecisionEnum": "cooperation.models.Precision"},
    "COMPONENT_SPLIT_REQUEST": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cooperation.api.schema.optional_fields",
        "cooperation.api.schema.long_addresses",
    ],
}
# Anyone's script or page may read the public data (GET only): the API, the exports and the
# downloads. Conditional request headers are allowed; ETag and an export's record count
# (X-Record-Count, to check that a download is complete) are readable.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api/.*|downloads/.*|[a-z]+/export\.(csv|json))$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "Content-Disposition", "X-Record-Count"]
CORS_ALLOW_CREDENTIALS = False

# How many reverse proxies in front of the app append the client's address to
# X-Forwarded-For: 0 (clients connect to gunicorn directly) reads only REMOTE_ADDR; behind
# one proxy (README) set 1. Only login throttling reads the client's address
# (cooperation/logins.py), never the leftmost entries, which the client writes itself.
trusted_proxies = os.environ.get("DJANGO_TRUSTED_PROXIES", "").strip() or "0"
if not (trusted_proxies.isascii() and trusted_proxies.isdigit()):
    raise ImproperlyConfigured(
        "DJANGO_TRUSTED_PROXIES must be the number of reverse proxies in front of the app "
        f"(0 or more), not {trusted_proxies!r}."
    )
TRUSTED_PROXIES = int(trusted_proxies)

# Admin login throttling (django-axes, cooperation/logins.py), over the last 15 minutes and
# the client's address: 5 failures for one account from one address lock that account out
# from that address (the editor, elsewhere, still logs in); 20 failures from one address for
# any accounts lock the address out. A successful login clears its account's failures from
# its address, not the others.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
CATALOGUE_ADDRESS_FAILURE_LIMIT = int(os.environ.get("CATALOGUE_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Each with its limit, in this order (LoginThrottleHandler.limits).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "cooperation.logins.LoginThrottleHandler"
AXES_CLIENT_IP_CALLABLE = "cooperation.logins.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
