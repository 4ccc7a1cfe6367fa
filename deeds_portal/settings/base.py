"""Settings shared by every environment; each value can be set from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("DEEDS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database and uploads live here


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

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
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "captcha",  # django-simple-captcha: the public forms' captcha, drawn here, no outside service
    "apps.core",
    "apps.workdays",
    "apps.accounts",
    "apps.org",
    "apps.items",
    "apps.supervision",
    "apps.ledger",
    "apps.dashboards",
    "apps.reports",
    "apps.notifications",
    "apps.public",
    "apps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a sign-in refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "deeds_portal.urls"
WSGI_APPLICATION = "deeds_portal.wsgi.application"
ASGI_APPLICATION = "deeds_portal.asgi.application"

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
                "deeds_portal.context_processors.menu",
                "deeds_portal.context_processors.calendar_warning",
                "deeds_portal.context_processors.inbox_badge",
            ],
        },
    },
]

# The embedded default is a SQLite file under var/; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'deeds.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# django-axes first: it refuses a locked-out sign-in before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None  # only deployments collect static files
WHITENOISE_USE_FINDERS = True  # serve static/ directly when nothing was collected
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Evidence files (佐证材料): what an upload may be and how large.
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
EVIDENCE_MAX_FILES = 10
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Celery: tasks go to a worker through CELERY_BROKER_URL. Running them in-process instead (eager) is an
# explicit choice, CELERY_TASK_ALWAYS_EAGER=true, never guessed here from a missing broker: the embedded
# default (local.py) makes that choice, test.py too, and production.py refuses it.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# An eager task fails as a worker task would: recorded (on the report), not raised into the request.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Tasks one worker runs at once; by default as many as the machine has CPUs.
CELERY_WORKER_CONCURRENCY = int(os.environ.get("CELERY_WORKER_CONCURRENCY", "0")) or None
# Eager tasks run in a thread of the web process, so a long report does not hold up the request.
EAGER_TASKS_IN_BACKGROUND = env_bool("EAGER_TASKS_IN_BACKGROUND", True)
# Background jobs (reports, ledger imports, big exports; apps/core/jobs.py). A worker holds a job for a lease and,
# from a thread of its own, pushes it on every third of a lease while it works, however long a step takes; so the
# lease runs out only when the worker is gone (killed, its machine down), and beat's sweep, every
# JOB_SWEEP_SECONDS, sends the job again: a job left behind is produced again within about lease + sweep.
JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "90"))
JOB_SWEEP_SECONDS = int(os.environ.get("JOB_SWEEP_SECONDS", "60"))
# How long a job sent to the workers may wait in the queue before the sweep takes its message for lost and sends
# it again: longer than a lease, so a queue that is merely long (the monthly fan-out) is not filled with copies.
JOB_QUEUE_WAIT_SECONDS = int(os.environ.get("JOB_QUEUE_WAIT_SECONDS", "600"))
# Beat sends a heartbeat task this often; /health/ calls the workers alive while the last one a worker ran is
# younger than three of these.
WORKER_HEARTBEAT_SECONDS = int(os.environ.get("WORKER_HEARTBEAT_SECONDS", "60"))
# The reporting cycle lives in code (Asia/Shanghai): weekly on Mondays, half-monthly on the 1st and
# 16th, monthly on the 1st, each shortly after midnight for the period that has just ended.
CELERY_BEAT_SCHEDULE = {
    "weekly-reports": {
        "task": "apps.reports.tasks.reports_schedule_task",
        "schedule": crontab(minute=10, hour=1, day_of_week="mon"),
        "args": ["weekly"],
    },
    "half-monthly-reports": {
        "task": "apps.reports.tasks.reports_schedule_task",
        "schedule": crontab(minute=20, hour=1, day_of_month="1,16"),
        "args": ["half_monthly"],
    },
    "monthly-reports": {
        "task": "apps.reports.tasks.reports_schedule_task",
        "schedule": crontab(minute=30, hour=1, day_of_month="1"),
        "args": ["monthly"],
    },
    # The morning run: what falls due today (acknowledgements, deadlines near and passed) is said to the people
    # who do the work, and each gets one digest email (apps/notifications).
    "daily-notifications": {
        "task": "apps.notifications.tasks.notifications_daily_task",
        "schedule": crontab(minute=30, hour=8),
    },
    # Background jobs left behind (a worker killed mid-way, a message or thread lost) are sent again once their
    # lease has run out: reports, ledger imports and big exports, each app sweeping its own (docs/deploying.md).
    "stalled-reports": {
        "task": "apps.reports.tasks.reports_resend_stalled_task",
        "schedule": JOB_SWEEP_SECONDS,
    },
    "stalled-ledger-jobs": {
        "task": "apps.ledger.tasks.ledger_jobs_resend_stalled_task",
        "schedule": JOB_SWEEP_SECONDS,
    },
    # The health endpoint's sign that beat runs and a worker takes work (/health/, apps/core/health.py). A beat
    # that ran while no worker did leaves no pile of heartbeats behind: each expires with the next.
    "worker-heartbeat": {
        "task": "apps.core.tasks.worker_heartbeat_task",
        "schedule": WORKER_HEARTBEAT_SECONDS,
        "options": {"expires": WORKER_HEARTBEAT_SECONDS},
    },
}

# Reports: the PDF's Chinese font.
# The cache (the to-do count in the top bar, kept a minute per person): shared by every web node through Redis
# when CACHE_URL is set (e.g. redis://127.0.0.1:6379/1), else kept in each process's memory.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "apps.core.cache.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions are read from the shared cache when there is one (written through to the database), so a signed-in
# request costs no session query; without a shared cache every web node reads them from the database.
SESSION_ENGINE = f"django.contrib.sessions.backends.{'cached_db' if CACHE_URL else 'db'}"
# The dashboards' JSON (apps/dashboards/payload.py) is cached under the generations of the data it is read from
# (apps/core/generations.py): a change of items, notices, requests or units shows at once. The generations must be
# shared by every process, so the cache is on only with CACHE_URL (0 turns it off).
DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "300" if CACHE_URL else "0"))
# The ids of each subtree's units, which every scoped list reads (apps/org/scope.py), are kept in the shared cache
# under the units' generation, likewise only with CACHE_URL (0 turns it off).
UNIT_TREE_CACHE_SECONDS = int(os.environ.get("UNIT_TREE_CACHE_SECONDS", "3600" if CACHE_URL else "0"))
# The public forms (apps/public): a captcha drawn by the portal itself, and a rate limit per address kept in
# the cache (shared by every web node when CACHE_URL is set).
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 10  # minutes a captcha stays valid
CAPTCHA_IMAGE_SIZE = (120, 40)
PUBLIC_FORM_RATE = os.environ.get("PUBLIC_FORM_RATE", "10/h")
# Email (the daily digests): Django's SMTP backend when EMAIL_HOST is set, else written to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@deeds.invalid")
# The portal's address as people reach it, for the links in emails.
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")
REPORT_PDF_FONT = os.environ.get("REPORT_PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")

# Ledger imports and item exports: bigger files are checked, imported and written by the worker,
# with a progress bar on the page.
LEDGER_MAX_BYTES = int(os.environ.get("LEDGER_MAX_BYTES", str(20 * 1024 * 1024)))
LEDGER_INLINE_MAX_ROWS = int(os.environ.get("LEDGER_INLINE_MAX_ROWS", "2000"))
EXPORT_INLINE_MAX_ROWS = int(os.environ.get("EXPORT_INLINE_MAX_ROWS", "50000"))
# An XLSX ledger is a zip: 300 KB can unpack to 300 MB (a "zip bomb"). Before anything reads one, its parts
# must unpack to at most LEDGER_MAX_UNCOMPRESSED_BYTES in all (a 50,000-row ledger unpacks to about 55 MB),
# and no part bigger than a few MB may be packed more than LEDGER_MAX_COMPRESSION_RATIO times smaller
# (real ledgers: about 15).
LEDGER_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("LEDGER_MAX_UNCOMPRESSED_BYTES", str(100 * 1024 * 1024)))
LEDGER_MAX_COMPRESSION_RATIO = int(os.environ.get("LEDGER_MAX_COMPRESSION_RATIO", "100"))

# The API (/api/v1/): token first, so a request without credentials is told 401 with how to authenticate.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON written by orjson (apps.core.renderers.PortalJSONRenderer); the browsable API as before.
    "DEFAULT_RENDERER_CLASSES": [
        "apps.core.renderers.PortalJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.PortalAutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.api_exception_handler",
}
# The OpenAPI schema (/api/v1/schema/) and its Swagger UI (/api/v1/docs/), with the UI's assets served
# from the sidecar package's static files, never from a CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "Practical Deeds for the People API",
    "DESCRIPTION": "Units, people, work items with their lifecycle and progress, and reports, "
    "each scoped to the caller's unit and the units below it.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Items and reports both have a kind and a status: each choice set gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "ItemKindEnum": "apps.items.models.ItemKind",
        "ItemStatusEnum": "apps.items.models.Status",
        "ItemActionEnum": "apps.items.models.Action",
        "ReportKindEnum": "apps.reports.periods.ReportKind",
        "ReportStatusEnum": "apps.reports.models.ReportStatus",
        "LedgerJobStatusEnum": "apps.ledger.models.JobStatus",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    # No badge from the public validator service: the docs page makes no request to another site.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Content-Security-Policy (django-csp, CSPMiddleware): every page, the admin and the API docs included. Script only
# from the portal's own files: no inline <script> blocks, no onclick=… attributes, no eval, so markup that slipped
# into a page through a name or title still runs nothing. Pages put values in data- attributes for static/js to read.
# A response that already carries its own policy (evidence downloads: sandbox) keeps it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Inline styles stay allowed: Swagger UI's page has a <style> block, the job progress bar and the report
        # chart a style="…", and ECharts' default tooltips write style attributes. CSS runs no script; script-src
        # is what stops injected markup. (ECharts' own element styles are set from script, which CSP allows.)
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],  # Swagger UI's icons and an ECharts image export are data: URLs
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Sign-in lockout (django-axes), on the login page, the admin's and the API's token endpoint alike: after
# LOGIN_FAILURE_LIMIT failed sign-ins with one user name from one address, that user name is refused from that address
# (the right password too) for LOGIN_LOCKOUT_MINUTES, counted again from each try made meanwhile; other addresses and
# other user names are not held up. Attempts are kept in the database, so every web process behind the proxy counts the
# same failures. Administrators unlock in the admin (people › "Unlock sign-in") or with
# `manage.py axes_reset_username <user name>`.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True  # what the lockout message's "N minutes" counts on
AXES_RESET_ON_SUCCESS = True  # a sign-in that succeeds forgets the failures before it
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "apps.accounts.lockout.client_ip_address"
# How many reverse proxies in front of the portal append to X-Forwarded-For. 0: the header is ignored and the peer's
# address is the client's (a client could write anything there); behind one nginx, 1.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# A browser session lasts a working day from signing in; an API token a week from its issue, after which the program
# asks for a new one with the user name and password.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_LIFETIME_HOURS", "8")) * 60 * 60
API_TOKEN_LIFETIME_HOURS = int(os.environ.get("API_TOKEN_LIFETIME_HOURS", str(7 * 24)))

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

ITEMS_PAGE_SIZE = 25
PORTAL_NAME = _("Practical Deeds for the People")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
