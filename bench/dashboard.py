"""Benchmark: leaders' dashboards over 2,000,000 items and ~15,000 units, served by gunicorn from PostgreSQL.

    .venv/bin/python bench/dashboard.py [--items 2000000] [--requests 200] [--rebuild]

Measures, over HTTP against a real gunicorn process, p50 and p95 of `--requests` requests each of the
province dashboard JSON, a county dashboard JSON and the item list page filtered to a street; times the
naive GROUP BY over the province's items in the same run and checks it gives the same figures as the
JSON. Targets: province p95 <= 50 ms and >= 100x faster than the naive query (counted in the same run); county p95 <= 20 ms.

Uses its own database, BENCH_DASHBOARD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
deeds_bench_dashboard): generated once with `generate_demo --items N`, reused by later runs with the same
N; --rebuild drops and generates it again.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _setup import database_at, django_at  # bench/ is the script's folder, first on the path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "BENCH_DASHBOARD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/deeds_bench_dashboard"
)
LEADER = "bench-province-leader"
PROVINCE_P95_MS, COUNTY_P95_MS, SPEED_UP = 50.0, 20.0, 100.0


def database(action: str) -> bool:
    """Create, drop (and make again) or look for the benchmark's database; True when it exists (after the action)."""
    return database_at(DATABASE_URL, action)


def setup_django() -> None:
    django_at(DATABASE_URL)


def prepare(items: int, rebuild: bool, *, migrate: bool = True) -> dict:
    """The generated tree (made now if missing, of another size, or asked for), its leader and its scopes.

    migrate=False leaves the database's migrations as they are (a benchmark of code that is not yet migrated)."""
    from django.core.management import call_command

    from apps.accounts.models import Role, User
    from apps.accounts.services import user_create
    from apps.items.models import WorkItem
    from apps.org.models import Unit, UnitLevel

    if migrate:
        call_command("migrate", verbosity=0)
    leader = User.objects.filter(username=LEADER).select_related("unit").first()
    if leader is not None and not rebuild and WorkItem.objects.in_subtree(leader.unit.path).count() == items:
        print(f"Reusing the generated data under {leader.unit.name} ({items:,} items).")
    else:
        if leader is not None:
            raise SystemExit("The benchmark database holds other data; run with --rebuild.")
        started = time.monotonic()
        call_command("generate_demo", items=items)
        print(f"generate_demo --items {items}: {time.monotonic() - started:.0f} s")
        root = Unit.objects.filter(parent=None).order_by("-pk").first()
        leader = user_create(username=LEADER, full_name="省级领导", unit=root, roles=[Role.LEADER])
    province = leader.unit
    notices_make(province)
    county = Unit.objects.filter(level=UnitLevel.COUNTY, path__startswith=province.path).order_by("path").first()
    street = Unit.objects.filter(level=UnitLevel.TOWNSHIP, path__startswith=county.path).order_by("path").first()
    return {"leader": leader, "province": province, "county": county, "street": street}


def notices_make(province, share: float = 0.01) -> None:
    """Supervision notices on 1% of the items being delivered (about 7,000 at 2,000,000 items), once: of every
    colour, half of them answered, some past their reply deadline; the dashboard counts them on every load."""
    import datetime
    import random

    from django.db import connection, transaction
    from django.utils import timezone

    from apps.items.models import ACTIVE_STATUS_LIST, WorkItem
    from apps.supervision.models import Notice, NoticeColour, NoticeEvent, NoticeEventKind, NoticeStatus

    if Notice.objects.exists():
        return
    started = time.monotonic()
    rng = random.Random(15)  # noqa: S311 - sample data, not secrets
    items = WorkItem.objects.in_subtree(province.path).filter(status__in=ACTIVE_STATUS_LIST)
    rows = items.values_list("pk", "unit_id", "unit__path").iterator(chunk_size=50_000)
    chosen = [row for row in rows if rng.random() < share]
    now, today = timezone.now(), timezone.localdate()
    colours = [NoticeColour.BLUE] * 6 + [NoticeColour.ORANGE] * 3 + [NoticeColour.RED]
    answered = now - datetime.timedelta(days=1)
    notices = []
    for pk, unit_id, unit_path in chosen:
        replied = rng.random() < 0.5
        notices.append(
            Notice(
                item_id=pk,
                unit_id=unit_id,
                unit_path=unit_path,
                colour=rng.choice(colours),
                requirements="按期报送整改进展",
                reply_by=today + datetime.timedelta(days=rng.randint(-20, 10)),
                status=NoticeStatus.ANSWERED if replied else NoticeStatus.WAITING,
                answered_at=answered if replied else None,
                issued_at=now - datetime.timedelta(days=rng.randint(1, 30)),
            )
        )
    with transaction.atomic():
        notices = Notice.objects.bulk_create(notices, batch_size=5000)
        events = [NoticeEvent(notice=notice, kind=NoticeEventKind.ISSUED, at=notice.issued_at) for notice in notices]
        events += [
            NoticeEvent(notice=notice, kind=NoticeEventKind.REPLIED, at=answered, text="已整改")
            for notice in notices
            if notice.status == NoticeStatus.ANSWERED
        ]
        NoticeEvent.objects.bulk_create(events, batch_size=5000)
    with connection.cursor() as cursor:  # the planner's figures for the new rows, as autovacuum would give them
        cursor.execute("ANALYZE supervision_notice, supervision_noticeevent")
    print(f"{len(notices):,} supervision notices made in {time.monotonic() - started:.0f} s")


def session_cookie(leader) -> str:
    """A logged-in session for the leader, written straight into the session store."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(leader.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = leader.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DJANGO_SETTINGS_MODULE": "deeds_portal.settings.base",
        "DATABASE_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn with fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "deeds_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
    )
    for _attempt in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def fetch(port: int, path: str, cookie: str) -> tuple[float, bytes]:
    """One request on a fresh connection (gunicorn's sync workers close it): seconds taken and the body."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status}")
    return elapsed, body


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def measure(port: int, path: str, cookie: str, requests: int) -> dict:
    for _warm_up in range(10):
        fetch(port, path, cookie)
    samples = [fetch(port, path, cookie)[0] * 1000 for _ in range(requests)]
    return {"p50": percentile(samples, 0.5), "p95": percentile(samples, 0.95), "max": max(samples)}


def naive(scopes: dict, repeats: int = 3) -> tuple[float, dict]:
    """The naive way: GROUP BY over every item of the province's subtree (by owner type, by child unit)."""
    from apps.dashboards.selectors import _tallies_from_items
    from apps.items.models import WorkItem, today_local

    province = scopes["province"]
    timings = []
    for _repeat in range(repeats):
        started = time.perf_counter()
        tallies = _tallies_from_items(province, WorkItem.objects.in_subtree(province.path), today_local())
        timings.append((time.perf_counter() - started) * 1000)
    figures = {
        "owner_types": {
            owner_type: (row.planned, row.completed, row.overdue) for owner_type, row in tallies.by_owner_type.items()
        },
        "children": {
            unit_id: (row.planned, row.completed, row.overdue)
            for unit_id, row in tallies.by_branch.items()
            if unit_id is not None
        },
        "statuses": dict(tallies.by_status),
    }
    return statistics.median(timings), figures


def without_zeros(figures: dict) -> dict:
    """Both sides without the groups that count nothing (the naive query lists only groups with items)."""
    return {
        part: {key: value for key, value in rows.items() if value and value != (0, 0, 0)}
        for part, rows in figures.items()
    }


def served_figures(payload: dict) -> dict:
    return {
        "owner_types": {
            row["owner_type"]: (row["planned"], row["completed"], row["overdue"]) for row in payload["owner_types"]
        },
        "children": {
            row["unit"]["id"]: (row["planned"], row["completed"], row["overdue"]) for row in payload["children"]
        },
        "statuses": {row["status"]: row["count"] for row in payload["statuses"]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="drop the benchmark database and generate it again")
    options = parser.parse_args()

    if options.rebuild:
        database("drop")
    database("create")
    setup_django()
    scopes = prepare(options.items, options.rebuild)
    from apps.items.models import WorkItem

    cookie = session_cookie(scopes["leader"])
    province, county, street = scopes["province"], scopes["county"], scopes["street"]
    units = province.__class__.objects.filter(path__startswith=province.path).count()
    print(
        f"{WorkItem.objects.in_subtree(province.path).count():,} items over {units:,} units; "
        f"county {county.name} ({WorkItem.objects.in_subtree(county.path).count():,} items), "
        f"street {street.name} ({WorkItem.objects.in_subtree(street.path).count():,} items)"
    )

    port = free_port()
    server = start_server(port)
    try:
        _elapsed, body = fetch(port, f"/dashboard/data/?unit={province.pk}", cookie)
        served = served_figures(json.loads(body))
        naive_ms, counted = naive(scopes)
        same = without_zeros(served) == without_zeros(counted)
        results = {
            "province dashboard JSON": measure(port, f"/dashboard/data/?unit={province.pk}", cookie, options.requests),
            "county dashboard JSON": measure(port, f"/dashboard/data/?unit={county.pk}", cookie, options.requests),
            "item list filtered to a street": measure(port, f"/items/?unit={street.pk}", cookie, options.requests),
        }
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    province_p95 = results["province dashboard JSON"]["p95"]
    speed_up = naive_ms / province_p95
    print()
    print(f"| measured ({options.requests} requests each, gunicorn 2 workers) | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|")
    for name, result in results.items():
        print(f"| {name} | {result['p50']:.1f} | {result['p95']:.1f} | {result['max']:.1f} |")
    print(f"| naive GROUP BY over the province's items (median of 3, in-process) | {naive_ms:.0f} | | |")
    print()
    print(f"speed-up of the province JSON (p95) over the naive query: {speed_up:.0f}x")
    print(f"the JSON and the naive query give the same figures: {'yes' if same else 'NO'}")
    checks = {
        f"province p95 <= {PROVINCE_P95_MS:.0f} ms": province_p95 <= PROVINCE_P95_MS,
        f"speed-up >= {SPEED_UP:.0f}x": speed_up >= SPEED_UP,
        f"county p95 <= {COUNTY_P95_MS:.0f} ms": results["county dashboard JSON"]["p95"] <= COUNTY_P95_MS,
        "same figures": same,
    }
    for name, passed in checks.items():
        print(f"  {'ok  ' if passed else 'MISS'} {name}")
    if not same:
        print("served:", served, "\ncounted:", counted)
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
