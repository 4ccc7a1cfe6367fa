"""Production: everything comes from the environment; refuse to start without a real secret."""

import os

from deeds_portal.settings.base import *

if not os.environ.get("SECRET_KEY"):
    raise RuntimeError("SECRET_KEY must be set in production")
STATIC_ROOT = os.environ.get("STATIC_ROOT", str(VAR_DIR / "staticfiles"))
WHITENOISE_USE_FINDERS = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
