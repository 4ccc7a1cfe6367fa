"""Developer machine: the embedded default with debugging on."""

from deeds_portal.settings.base import *
from deeds_portal.settings.base import env_bool

DEBUG = env_bool("DEBUG", True)
