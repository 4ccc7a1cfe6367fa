"""Production: everything comes from the environment; refuse to start without a real secret.

`manage.py check --deploy --fail-level WARNING` is clean with the environment of deploy/deeds.env.example
(tests/core/test_deploy_check.py runs it); docs/deploying.md walks through every variable.
"""

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS only. The TLS proxy (deploy/nginx-deeds.conf) says a request came over HTTPS with X-Forwarded-Proto, and
# gunicorn believes it from the addresses in FORWARDED_ALLOW_IPS (deploy/gunicorn.conf.py). SECURE_PROXY_SSL_HEADER
# makes Django believe it from anyone instead: only for a server other than gunicorn, reachable from the proxy alone.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # `make serve` turns it off for a try over plain HTTP
# The load balancer's health check may come over plain HTTP straight to a web node.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Browsers remember to come back only over HTTPS for this long (a year); the portal's host name only, unless the
# whole domain is HTTPS (SECURE_HSTS_INCLUDE_SUBDOMAINS) and is to be on the browsers' preload list (…_PRELOAD).
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
