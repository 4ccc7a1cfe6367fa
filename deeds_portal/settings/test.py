"""Test runs: fast hashers and media in a throw-away folder."""

import tempfile
from pathlib import Path

from deeds_portal.settings.base import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="deeds-media-"))
CELERY_TASK_ALWAYS_EAGER = True
DEBUG = False
