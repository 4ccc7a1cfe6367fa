"""A Celery worker whose PDF renderer never finishes, so a test can kill it mid-report (test_worker_kill.py).

`python -m tests.reports.slow_pdf_worker <worker options>`: the project's worker, with the one change that
rendering the PDF waits until the process is killed. Nothing in the portal itself knows of it.
"""

import sys
import threading
from typing import Any


def render_pdf_until_killed(data: dict[str, Any]) -> bytes:
    threading.Event().wait()
    raise AssertionError("unreachable: the test kills this worker")


if __name__ == "__main__":
    import django

    from deeds_portal.celery import app

    django.setup()
    from apps.reports import renderers

    renderers.RENDERERS["pdf"] = render_pdf_until_killed  # report_generate reads the table as it renders
    app.worker_main(["worker", *sys.argv[1:]])
