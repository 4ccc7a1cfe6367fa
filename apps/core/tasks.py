"""Handing work to Celery once the transaction that asked for it has committed; the workers' heartbeat."""

from __future__ import annotations

import threading
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import connections, transaction

from apps.core.health import worker_heartbeat_record


def _run_in_background_thread(task: Task, args: tuple[Any, ...]) -> None:
    def run() -> None:
        try:
            task.apply(args=args)
        finally:
            connections.close_all()

    threading.Thread(target=run, name=f"eager-{task.name}", daemon=True).start()


def enqueue(task: Task, *args: Any) -> None:
    """Send `task` after commit: to the worker, or, in the embedded default, to a thread of this process.

    The embedded default runs tasks eagerly; a background thread keeps long work from holding up the
    request that asked for it, as a real worker would. Tests turn the thread off to run tasks inline.
    """

    def send() -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER and settings.EAGER_TASKS_IN_BACKGROUND:
            _run_in_background_thread(task, args)
        else:
            task.delay(*args)

    transaction.on_commit(send)


@shared_task(bind=True, ignore_result=True)
def worker_heartbeat_task(self) -> None:
    """Run by beat every WORKER_HEARTBEAT_SECONDS: /health/ reads when a worker last took one."""
    worker_heartbeat_record(worker=self.request.hostname or "")


@worker_ready.connect
def worker_heartbeat_on_start(sender: Any = None, **kwargs: Any) -> None:
    """A worker that has just started is alive: /health/ need not wait for beat's first heartbeat."""
    worker_heartbeat_record(worker=getattr(sender, "hostname", "") or "")
