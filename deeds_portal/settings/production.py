"""Production: everything comes from the environment; refuse to start without a real secret."""

import os

from django.core.exceptions import ImproperlyConfigured

from deeds_portal.settings.base import *
from deeds_portal.settings.base import CELERY_BROKER_URL, env_bool

if not os.environ.get("SECRET_KEY"):
    raise RuntimeError("SECRET_KEY must be set in production")
# Reports, ledger imports and big exports are produced by Celery workers; the web process never runs them.
if not CELERY_BROKER_URL:
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must be set in production, e.g. redis://127.0.0.1:6379/0, and a worker "
        "(make worker) and beat (make beat) run against it; tasks never run in the web process there."
    )
if env_bool("CELERY_TASK_ALWAYS_EAGER", False):
    raise ImproperlyConfigured("CELERY_TASK_ALWAYS_EAGER cannot be on in production: tasks run in the worker.")
CELERY_TASK_ALWAYS_EAGER = False
STATIC_ROOT = os.environ.get("STATIC_ROOT", str(VAR_DIR / "staticfiles"))
WHITENOISE_USE_FINDERS = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
