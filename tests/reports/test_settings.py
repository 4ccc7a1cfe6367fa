"""Eager Celery is an explicit setting of the embedded default, never inferred from a missing broker in production."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PRINT_CELERY_SETTINGS = (
    "import json, importlib, sys; "
    "module = importlib.import_module(sys.argv[1]); "
    "print(json.dumps({'eager': module.CELERY_TASK_ALWAYS_EAGER, 'broker': module.CELERY_BROKER_URL}))"
)


def load_settings(module: str, **environment: str) -> subprocess.CompletedProcess:
    """Import a settings module in a fresh interpreter, with only the given Celery environment."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CELERY_") and key not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", PRINT_CELERY_SETTINGS, f"deeds_portal.settings.{module}"],
        cwd=settings.BASE_DIR,
        env={**clean, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


def celery_settings(module: str, **environment: str) -> dict:
    loaded = load_settings(module, **environment)
    assert loaded.returncode == 0, loaded.stderr
    return json.loads(loaded.stdout)


@pytest.mark.parametrize(
    ("module", "environment", "eager"),
    [
        ("local", {}, True),  # `make run` with no environment: tasks in a thread of the server
        ("local", {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}, False),
        ("local", {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0", "CELERY_TASK_ALWAYS_EAGER": "true"}, True),
        ("base", {}, False),  # nothing is guessed from the missing broker
        ("production", {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0", "SECRET_KEY": "k" * 50}, False),
        ("test", {}, True),
        ("test", {"CELERY_TASK_ALWAYS_EAGER": "false", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15"}, False),
    ],
)
def test_settings_eager_celery_is_explicit(module, environment, eager):
    assert celery_settings(module, **environment)["eager"] is eager


def test_settings_production_refuses_to_start_without_a_broker():
    loaded = load_settings("production", SECRET_KEY="k" * 50)

    assert loaded.returncode != 0
    assert "ImproperlyConfigured: CELERY_BROKER_URL must be set in production" in loaded.stderr


def test_settings_production_refuses_eager_celery():
    loaded = load_settings(
        "production", SECRET_KEY="k" * 50, CELERY_BROKER_URL="redis://127.0.0.1:6379/0", CELERY_TASK_ALWAYS_EAGER="1"
    )

    assert loaded.returncode != 0
    assert "ImproperlyConfigured: CELERY_TASK_ALWAYS_EAGER cannot be on in production" in loaded.stderr
