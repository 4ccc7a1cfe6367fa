"""/health/ for load balancers and monitoring: the database, the broker, the workers' heartbeat and the media folder.

Cheap enough to be asked every few seconds: one `SELECT 1`, one connection to the broker, one row read and one
small file written and removed; never a broadcast to the workers (`celery inspect`). It needs no login and says no
more than "ok" or what is wrong in a word: the details (host names, errors) go to the log, not to whoever asks.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

from apps.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

OK = "ok"
IN_PROCESS = "in-process"  # tasks run in the web process (the embedded default): there is no broker or worker
WRITABLE = "writable"
# The answers that count as healthy, per check.
HEALTHY = {"database": {OK}, "broker": {OK, IN_PROCESS}, "worker": {OK, IN_PROCESS}, "media": {WRITABLE}}
BROKER_TIMEOUT_SECONDS = 2
# A heartbeat older than this many of beat's intervals means no worker has run one since (or beat is not running).
HEARTBEAT_INTERVALS_ALIVE = 3


def _eager() -> bool:
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


def database_health() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.warning("health: the database does not answer", exc_info=True)
        return "unreachable"
    return OK


def broker_health() -> str:
    if _eager():
        return IN_PROCESS
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:
        logger.warning("health: the broker does not answer", exc_info=True)
        return "unreachable"
    return OK


def worker_heartbeat_record(*, worker: str) -> None:
    """Note that a worker ran beat's heartbeat task just now (one row, whoever ran it)."""
    WorkerHeartbeat.objects.update_or_create(pk=1, defaults={"beat_at": timezone.now(), "worker": worker})


def worker_health() -> str:
    if _eager():
        return IN_PROCESS
    try:
        beat_at = WorkerHeartbeat.objects.values_list("beat_at", flat=True).first()
    except Exception:
        logger.warning("health: the heartbeat could not be read", exc_info=True)
        return "unknown"
    if beat_at is None:
        return "no heartbeat yet"
    alive_for = datetime.timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS * HEARTBEAT_INTERVALS_ALIVE)
    if timezone.now() - beat_at > alive_for:
        return "stale"
    return OK


def media_health() -> str:
    """Whether this process can write in MEDIA_ROOT, as it must to keep evidence, reports, ledgers and exports."""
    try:
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)  # as the storage itself does on the first upload
        with tempfile.NamedTemporaryFile(dir=media_root, prefix=".health-") as probe:
            probe.write(b"ok")
            probe.flush()
    except OSError:
        logger.warning("health: MEDIA_ROOT is not writable", exc_info=True)
        return "not writable"
    return WRITABLE


@login_not_required
@never_cache
@require_safe
def health_view(request: HttpRequest) -> JsonResponse:
    """200 when every check is healthy, 503 otherwise; the body says which."""
    checks = {
        "database": database_health(),
        "broker": broker_health(),
        "worker": worker_health(),
        "media": media_health(),
    }
    healthy = all(answer in HEALTHY[name] for name, answer in checks.items())
    return JsonResponse(checks, status=200 if healthy else 503)
