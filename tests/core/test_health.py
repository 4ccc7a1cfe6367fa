"""/health/ for load balancers: 200 when the database, broker, workers and media folder are fine, 503 and which not."""

from __future__ import annotations

import datetime
import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from apps.core.models import WorkerHeartbeat
from apps.core.tasks import worker_heartbeat_task
from tests.services import require_redis

ALL_WELL = {"database": "ok", "broker": "ok", "worker": "ok", "media": "writable"}
CLOSED_PORT_BROKER = "redis://:s3cret-broker-password@127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def with_workers(settings, media_root):
    """The production way: tasks go to workers through a broker (kombu's in-memory one, always there)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    settings.WORKER_HEARTBEAT_SECONDS = 60
    return settings


def heartbeat(seconds_ago: float) -> None:
    WorkerHeartbeat.objects.update_or_create(
        pk=1, defaults={"beat_at": timezone.now() - datetime.timedelta(seconds=seconds_ago), "worker": "celery@web1"}
    )


def health(client) -> tuple[int, dict[str, str]]:
    response = client.get("/health/")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_health_all_well_is_200_without_signing_in(client, with_workers):
    # given: beat's heartbeat task ran in a worker a moment ago
    worker_heartbeat_task.apply()

    # when: the load balancer asks, with no session
    status, body = health(client)

    # then
    assert (status, body) == (200, ALL_WELL)
    assert WorkerHeartbeat.objects.get().beat_at > timezone.now() - datetime.timedelta(seconds=5)


@pytest.mark.django_db
def test_health_against_the_real_redis(client, with_workers):
    with_workers.CELERY_BROKER_URL = require_redis(14)
    heartbeat(seconds_ago=30)

    assert health(client) == (200, ALL_WELL)


@pytest.mark.django_db
def test_health_broker_down_is_503_and_gives_away_no_address_or_password(client, with_workers):
    # given: the broker's port is closed
    with_workers.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    heartbeat(seconds_ago=30)

    # when
    response = client.get("/health/")

    # then
    assert response.status_code == 503
    assert json.loads(response.content) == {**ALL_WELL, "broker": "unreachable"}
    assert b"s3cret" not in response.content and b"127.0.0.1" not in response.content


@pytest.mark.django_db
def test_health_media_not_writable_is_503(client, with_workers, media_root):
    # given: MEDIA_ROOT cannot hold files (a file stands where the folder should; as root, permissions would not stop it)
    blocker = media_root / "not-a-folder"
    blocker.write_text("")
    with_workers.MEDIA_ROOT = blocker / "media"
    heartbeat(seconds_ago=30)

    assert health(client) == (503, {**ALL_WELL, "media": "not writable"})


@pytest.mark.django_db
def test_health_media_folder_missing_is_made_as_the_storage_would(client, with_workers, media_root):
    with_workers.MEDIA_ROOT = media_root / "fresh" / "media"
    heartbeat(seconds_ago=30)

    assert health(client) == (200, ALL_WELL)
    assert list((media_root / "fresh" / "media").iterdir()) == []  # the probe file is gone again


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("seconds_ago", "worker"),
    [
        (None, "no heartbeat yet"),  # no worker has run one since the installation
        (60 * 3 + 5, "stale"),  # three of beat's minutes went by with no worker taking the heartbeat task
        (60 * 3 - 5, "ok"),
    ],
)
def test_health_worker_is_alive_while_its_heartbeat_is_younger_than_three_intervals(
    client, with_workers, seconds_ago, worker
):
    if seconds_ago is not None:
        heartbeat(seconds_ago)

    status, body = health(client)

    assert body == {**ALL_WELL, "worker": worker}
    assert status == (200 if worker == "ok" else 503)


@pytest.mark.django_db
def test_health_database_down_is_503(client, with_workers):
    heartbeat(seconds_ago=30)

    with mock.patch("apps.core.health.connection.cursor", side_effect=OperationalError("could not connect")):
        status, body = health(client)

    assert (status, body["database"]) == (503, "unreachable")


@pytest.mark.django_db
def test_health_in_process_tasks_have_no_broker_or_worker_to_check(client, settings, media_root):
    # given: the embedded default (`make run`): tasks run in the web process
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BROKER_URL = ""

    assert health(client) == (200, {**ALL_WELL, "broker": "in-process", "worker": "in-process"})
