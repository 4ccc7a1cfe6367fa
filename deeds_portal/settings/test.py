"""Test runs: fast hashers and media in a throw-away folder."""

import os
import tempfile
from pathlib import Path

from deeds_portal.settings.base import *
from deeds_portal.settings.base import env_bool

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker process started by a test shares the test's media folder through MEDIA_ROOT.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or tempfile.mkdtemp(prefix="deeds-media-"))
# Tasks run inline in the test that sends them, not in a thread; a test that starts a real worker
# turns eager mode off for that worker with CELERY_TASK_ALWAYS_EAGER=false.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
EAGER_TASKS_IN_BACKGROUND = False
DEBUG = False
# One process: the dashboards' and the unit tree's cache and their generations live in its memory, and every test
# reads through them.
DASHBOARD_CACHE_SECONDS = 300
UNIT_TREE_CACHE_SECONDS = 300
