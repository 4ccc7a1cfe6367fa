"""Developer machine: the embedded default with debugging on."""

from deeds_portal.settings.base import *
from deeds_portal.settings.base import CELERY_BROKER_URL, env_bool

DEBUG = env_bool("DEBUG", True)
# The embedded default (`make run` with no environment): no broker is configured, so tasks run
# in-process, in a thread of the web server (EAGER_TASKS_IN_BACKGROUND). With CELERY_BROKER_URL set they
# go to `make worker`. This is the one place the in-process mode is switched on for a running portal.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
