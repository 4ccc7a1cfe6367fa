"""Benchmark: the morning notifications run over 2,000,000 items, sending its digests to a real SMTP server.

    .venv/bin/python bench/notifications.py [--items 2000000] [--day 2026-06-15]

On the dashboard benchmark's generated database (bench/dashboard.py makes it when missing), every person is
given an email address, then the daily run (`notifications_daily_run`: acknowledgements due, deadlines near,
overdue on the day and weekly, one digest per person) is timed, then timed again the same day (it must write and
send nothing), and the to-do badge of the province leader and of a street's administrator is timed. Everything
is rolled back at the end, so the database is left as it was. Target: the daily run <= 60 s.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard import database, free_port, prepare, setup_django  # the dashboard benchmark's database

RUN_SECONDS = 60.0


class _Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2_000_000)
    parser.add_argument("--day", default=None, help="the day to run as (default: today)")
    options = parser.parse_args()
    database("create")
    setup_django()
    scopes = prepare(options.items, False)

    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.db import connection, transaction

    from apps.accounts.models import Role, User
    from apps.accounts.services import user_create
    from apps.items.models import today_local
    from apps.notifications.inbox import inbox_total
    from apps.notifications.models import Notification
    from apps.notifications.services import notifications_daily_run

    class Counter:
        received = 0

        async def handle_DATA(self, server, session, envelope) -> str:
            Counter.received += 1
            return "250 OK"

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    controller = Controller(Counter(), hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    day = datetime.date.fromisoformat(options.day) if options.day else today_local()
    figures = {}
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE accounts_user SET email = username || '@bench.example.cn' WHERE email = ''")
            people = User.objects.count()
            started = time.monotonic()
            first = notifications_daily_run(today=day)
            figures["first run s"] = time.monotonic() - started
            figures["notifications"], figures["digests"] = first.notifications, first.digests
            figures["received"] = Counter.received
            started = time.monotonic()
            second = notifications_daily_run(today=day)
            figures["second run s"] = time.monotonic() - started
            figures["second"] = (second.notifications, second.digests)
            leader = scopes["leader"]
            supervisor = user_create(
                username="bench-province-supervisor", full_name="省督查", unit=leader.unit, roles=[Role.SUPERVISOR]
            )
            street_admin = (
                User.objects.filter(unit=scopes["street"], role_assignments__role=Role.UNIT_ADMIN).first()
                or User.objects.filter(unit=scopes["street"]).first()
            )
            badges = (
                ("province leader", leader),
                ("province supervisor", supervisor),
                ("street administrator", street_admin),
            )
            for name, person in badges:
                times = []
                for _ in range(20):
                    started = time.monotonic()
                    count = inbox_total(person)
                    times.append((time.monotonic() - started) * 1000)
                times.sort()
                figures[f"badge {name}"] = (count, statistics.median(times), times[-2])
            figures["rows"] = Notification.objects.count()
            raise _Rollback
    except _Rollback:
        pass
    finally:
        controller.stop()

    print(f"{options.items:,} items, {people:,} people, run as {day}")
    print("| measured | figure |")
    print("|---|---:|")
    print(f"| daily run (write + digests over SMTP) | {figures['first run s']:.1f} s |")
    print(f"| notifications written | {figures['notifications']:,} |")
    print(f"| digests sent / received by the SMTP server | {figures['digests']:,} / {figures['received']:,} |")
    print(
        f"| second run the same day | {figures['second run s']:.1f} s, wrote {figures['second'][0]}, sent {figures['second'][1]} |"
    )
    for name in ("province leader", "province supervisor", "street administrator"):
        count, median, p95 = figures[f"badge {name}"]
        print(f"| to-do badge, {name} ({count:,} entries): median / p95 | {median:.1f} / {p95:.1f} ms |")
    checks = {
        f"daily run <= {RUN_SECONDS:.0f} s": figures["first run s"] <= RUN_SECONDS,
        "every digest received": figures["digests"] == figures["received"],
        "the second run writes and sends nothing": figures["second"] == (0, 0),
    }
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    if not all(checks.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
