"""Benchmark: the item lists, the API and the dashboard under 10, 25 and 50 concurrent clients, on 2,000,000 items.

    .venv/bin/python bench/load.py [--duration 10] [--only SCENARIO[,SCENARIO]] [--clients 10,25,50]
                                   [--timeout 10] [--cache-url URL] [--database NAME_OR_URL] [--no-migrate]
                                   [--items 2000000]

On the dashboard benchmark's database (bench/dashboard.py's `prepare` makes it when missing; --database, or
BENCH_LOAD_DATABASE, names another one on the same server or by URL, e.g. a copy served by older code; --no-migrate
leaves its migrations alone), gunicorn serves the portal (2 sync workers, base settings, DEBUG off, a free loopback
port; its CACHE_URL is a Redis database emptied first, as a deployment has one, which caches sessions and the
dashboards' JSON: --cache-url names another, --cache-url '' serves without). First
one client asks for the province leader's HTML list, first page and `?page=1000`, for --duration seconds each (at
least SERIAL_MIN_REQUESTS times). Then a bounded asyncio client (HTTP/1.1 over asyncio streams, keep-alive where the
server keeps the connection, which gunicorn's sync workers do not) runs each scenario for --duration seconds at
each number of clients; a request not answered in --timeout seconds is a timeout.

It prints a markdown table: requests/s (2xx answers a second), p50/p95/p99 of every request (an error or a timeout
counts with the time it took), errors (non-2xx answers, timeouts, refused or broken connections); then, for the
slowest scenario, one request of it in-process (Django's test Client on the same database) split into SQL (the sum
of its queries' durations) and Python (the rest). It checks the targets below and exits 1 when one is missed.

After a run that leaves timed-out requests queued in gunicorn (a sync worker finishes a request whose client has
gone), the server is restarted and its queries still running cancelled, so the next run starts on an idle server.
The client shares the machine's CPUs with gunicorn and PostgreSQL (about 0.5 ms of CPU a request).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dashboard  # the same database, made the same way, and the same gunicorn

# Targets (issue 17), measured in one run on the same machine and database.
HTML_FIRST_PAGE_P95_MS = 300.0  # the province leader's /items/, one client
HTML_PAGE_1000_P95_MS = 500.0  # the same list at ?page=1000, one client
API_MIN_RPS = 200.0  # each API scenario at TARGET_CLIENTS
API_P95_MS = 300.0  # each API scenario at TARGET_CLIENTS
DASHBOARD_MIN_RPS = 400.0  # the province's dashboard JSON at TARGET_CLIENTS
TARGET_CLIENTS = 50  # the throughput targets and "no errors" hold at this many clients

CLIENT_COUNTS = (10, 25, 50)
DURATION_S = 10.0
# The portal is served with a shared cache, as deployed (deploy/deeds.env.example): a Redis database of the bench's.
BENCH_CACHE_URL = "redis://127.0.0.1:6379/14"
REQUEST_TIMEOUT_S = 10.0
SERIAL_MIN_REQUESTS = 3
DEEP_CURSOR_PAGES = 20
SPLIT_WARM_UP_BELOW_MS = 5000.0  # the split times a second request unless the first took longer than this
DRAIN_WAIT_S = 5.0  # an idle server answers the probe within this; otherwise it is restarted
PROBE_PATH = "/static/favicon.svg"  # a static file: no database, no template

TIMEOUT, BROKEN = -1, 0  # statuses of requests that got no answer


@dataclass
class Scenario:
    name: str
    title: str
    path: str
    auth: str  # "token" (the API) or "cookie" (pages and the dashboard JSON)
    serial: bool = False


@dataclass
class Run:
    scenario: Scenario
    clients: int
    seconds: float
    samples: list[tuple[float, int]]  # (milliseconds, HTTP status, or TIMEOUT / BROKEN)

    @property
    def ok(self) -> int:
        return sum(1 for _ms, status in self.samples if 200 <= status < 300)

    @property
    def errors(self) -> int:
        return len(self.samples) - self.ok

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        return dashboard.percentile([ms for ms, _status in self.samples], share) if self.samples else float("nan")

    def errors_text(self) -> str:
        kinds = Counter(status for _ms, status in self.samples if not 200 <= status < 300)
        if not kinds:
            return "0"
        names = {TIMEOUT: "timeouts", BROKEN: "broken connections"}
        detail = ", ".join(f"{names.get(status, f'HTTP {status}')} {count}" for status, count in kinds.most_common())
        return f"{self.errors} ({detail})"


class HttpConnection:
    """A loopback HTTP/1.1 client connection: kept alive while the server allows it, opened again otherwise."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        self.head = "".join(f"{name}: {value}\r\n" for name, value in {"Host": "127.0.0.1", **headers}.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = False

    async def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        reused = self.writer is not None and self.used
        try:
            return await self._get(path)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.close()
            if not reused:
                raise
            return await self._get(path)  # the server had closed the kept-alive connection: once more on a new one

    async def _get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.used = False
        self.used = True
        self.writer.write(f"GET {path} HTTP/1.1\r\n{self.head}\r\n".encode("latin-1"))
        status_line, *lines = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        version, status, *_reason = status_line.split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines:
            name, _colon, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = await self._chunked()
        elif "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        else:
            body, keep_alive = await self.reader.read(), False
        if not keep_alive:
            self.close()
        return int(status), headers, body

    async def _chunked(self) -> bytes:
        parts = []
        while size := int((await self.reader.readline()).split(b";")[0].strip() or b"0", 16):
            parts.append(await self.reader.readexactly(size))
            await self.reader.readline()
        while (await self.reader.readline()) not in (b"\r\n", b"\n", b""):  # trailers
            pass
        return b"".join(parts)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def timed_get(connection: HttpConnection, path: str, timeout: float) -> tuple[float, int]:
    """One request: milliseconds taken and its status (TIMEOUT after `timeout` seconds, BROKEN without answer)."""
    started = time.perf_counter()
    try:
        status, _headers, _body = await asyncio.wait_for(connection.get(path), timeout)
    except TimeoutError:  # before OSError, of which it is a kind
        status = TIMEOUT
        connection.close()
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        status = BROKEN
        connection.close()
    return (time.perf_counter() - started) * 1000, status


async def load(
    port: int, scenario: Scenario, headers: dict[str, str], *, clients: int, duration: float, timeout: float
) -> Run:
    """`clients` clients each asking for the page again as soon as answered, until `duration` has passed."""
    samples: list[tuple[float, int]] = []
    started = time.perf_counter()
    deadline = started + duration

    async def client(minimum: int) -> None:
        connection = HttpConnection(port, headers)
        done = 0
        while time.perf_counter() < deadline or done < minimum:
            samples.append(await timed_get(connection, scenario.path, timeout))
            done += 1
        connection.close()

    minimum = SERIAL_MIN_REQUESTS if scenario.serial else 0
    await asyncio.gather(*(client(minimum) for _ in range(clients)))
    return Run(scenario, clients, time.perf_counter() - started, samples)


async def idle(port: int) -> bool:
    """Whether both workers answer a trivial request within DRAIN_WAIT_S (nothing left queued before it)."""
    connections = [HttpConnection(port, {}) for _ in range(2)]
    try:
        answers = await asyncio.wait_for(
            asyncio.gather(*(connection.get(PROBE_PATH) for connection in connections)), DRAIN_WAIT_S
        )
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
        return False
    finally:
        for connection in connections:
            connection.close()
    return all(status < 500 for status, _headers, _body in answers)


class Server:
    """gunicorn as bench/dashboard.py starts it; its database sessions carry a name of this run's own."""

    def __init__(self) -> None:
        self.application_name = f"deeds-bench-load-{os.getpid()}"
        self.restarts = 0
        self.start()

    def start(self) -> None:
        self.port = dashboard.free_port()
        os.environ["PGAPPNAME"] = self.application_name  # libpq names the workers' sessions by it
        try:
            self.process = dashboard.start_server(self.port)
        finally:
            del os.environ["PGAPPNAME"]

    def stop(self, *, quick: bool = False) -> None:
        self.process.send_signal(signal.SIGQUIT if quick else signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        """Stop at once (its workers would serve the abandoned requests first) and start again.

        Its workers are killed before the master is told to quit: quitting, a worker busy with a request would
        print the request's traceback."""
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            children = []
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
        self.stop(quick=True)
        self.queries_cancel()
        self.restarts += 1
        self.start()

    def queries_cancel(self) -> None:
        """Cancel the queries the stopped workers left running (PostgreSQL finishes them otherwise)."""
        from django.db import connection

        with connection.cursor() as cursor:
            for _attempt in range(60):
                cursor.execute(
                    "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = %s "
                    "AND state <> 'idle' AND pid <> pg_backend_pid()",
                    [self.application_name],
                )
                if not cursor.fetchall():
                    return
                time.sleep(0.5)


def database_url(value: str | None) -> str:
    """--database: a URL, or a database name on the server of the default URL."""
    if not value:
        return dashboard.DATABASE_URL
    if "://" in value:
        return value
    return urlunparse(urlparse(dashboard.DATABASE_URL)._replace(path=f"/{value}"))


def migrations_pending() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def path_of(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


async def deep_cursor(port: int, headers: dict[str, str]) -> str:
    """The API list's cursor DEEP_CURSOR_PAGES pages down, followed once by its `next` links."""
    import json

    connection = HttpConnection(port, headers)
    path = "/api/v1/items/"
    for _page in range(DEEP_CURSOR_PAGES):
        status, _headers, body = await asyncio.wait_for(connection.get(path), 60)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status} while following the cursor")
        following = json.loads(body).get("next")
        if not following:
            break
        path = path_of(following)
    connection.close()
    return path


def scenarios_make(scopes: dict, deep_path: str) -> list[Scenario]:
    province, county, street = scopes["province"], scopes["county"], scopes["street"]
    return [
        Scenario("api-first", "API item list, first page", "/api/v1/items/", "token"),
        Scenario(
            "api-filtered",
            f"API item list, {county.name} in progress",
            f"/api/v1/items/?unit={county.pk}&status=in_progress",
            "token",
        ),
        Scenario("api-deep", f"API item list, cursor {DEEP_CURSOR_PAGES} pages deep", deep_path, "token"),
        Scenario("html-province", "HTML item list of the province leader", "/items/", "cookie"),
        Scenario("html-street", f"HTML item list, street {street.name}", f"/items/?unit={street.pk}", "cookie"),
        Scenario("dashboard", "dashboard JSON of the province", f"/dashboard/data/?unit={province.pk}", "cookie"),
        Scenario("html-first-serial", "HTML item list of the province leader", "/items/", "cookie", serial=True),
        Scenario("html-page1000-serial", "… its page 1000", "/items/?page=1000", "cookie", serial=True),
    ]


SCENARIO_NAMES = [
    "api-first",
    "api-filtered",
    "api-deep",
    "html-province",
    "html-street",
    "dashboard",
    "html-first-serial",
    "html-page1000-serial",
]


def split(scenario: Scenario, credentials: dict[str, str]) -> str:
    """One request of the scenario in-process (after one to warm up if fast): SQL time, Python time, queries."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    if scenario.auth == "token":
        client.defaults["HTTP_AUTHORIZATION"] = credentials["token"]
    else:
        name, _equals, value = credentials["cookie"].partition("=")
        client.cookies[name] = value
    durations: list[float] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            durations.append(time.perf_counter() - started)

    for _attempt in range(2):  # once more unless very slow: the first time here reads templates and code
        durations.clear()
        with connection.execute_wrapper(timed):
            started = time.perf_counter()
            response = client.get(scenario.path)
            total = (time.perf_counter() - started) * 1000
        if total > SPLIT_WARM_UP_BELOW_MS:
            break
    sql, longest = sum(durations) * 1000, max(durations, default=0) * 1000
    return (
        f"{scenario.title} (`{scenario.path}`), one request in-process: HTTP {response.status_code}, "
        f"{total:.0f} ms = SQL {sql:.0f} ms in {len(durations)} queries (the longest {longest:.0f} ms) "
        f"+ Python {total - sql:.0f} ms"
    )


def checks_make(runs: list[Run]) -> dict[str, bool]:
    found = {(run.scenario.name, run.clients): run for run in runs}
    checks: dict[str, bool] = {}
    for name, limit in (("html-first-serial", HTML_FIRST_PAGE_P95_MS), ("html-page1000-serial", HTML_PAGE_1000_P95_MS)):
        if run := found.get((name, 1)):
            checks[f"{name}: p95 {run.percentile(0.95):.0f} ms <= {limit:.0f} ms"] = run.percentile(0.95) <= limit
    for run in runs:
        if run.clients != TARGET_CLIENTS:
            continue
        name = run.scenario.name
        checks[f"{name}: no errors at {TARGET_CLIENTS} clients ({run.errors_text()})"] = run.errors == 0
        if name.startswith("api-"):
            checks[f"{name}: {run.rps:.0f} requests/s >= {API_MIN_RPS:.0f}"] = run.rps >= API_MIN_RPS
            checks[f"{name}: p95 {run.percentile(0.95):.0f} ms <= {API_P95_MS:.0f} ms"] = (
                run.percentile(0.95) <= API_P95_MS
            )
        if name == "dashboard":
            checks[f"{name}: {run.rps:.0f} requests/s >= {DASHBOARD_MIN_RPS:.0f}"] = run.rps >= DASHBOARD_MIN_RPS
    return checks


def table(runs: list[Run], duration: float) -> None:
    print(
        f"\n| scenario ({duration:g} s a run, gunicorn 2 sync workers) | clients | requests/s | p50 ms | p95 ms "
        "| p99 ms | errors |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for run in runs:
        clients = f"{run.clients} (serial)" if run.scenario.serial else str(run.clients)
        print(
            f"| {run.scenario.title} (`{run.scenario.name}`) | {clients} | {run.rps:.1f} | {run.percentile(0.5):.0f} "
            f"| {run.percentile(0.95):.0f} | {run.percentile(0.99):.0f} | {run.errors_text()} |"
        )


def options_parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=DURATION_S, help="seconds a run (default %(default)s)")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help=f"scenarios to run, comma-separated or repeated: {', '.join(SCENARIO_NAMES)} (default: all)",
    )
    parser.add_argument(
        "--clients",
        default=",".join(map(str, CLIENT_COUNTS)),
        help="numbers of concurrent clients, comma-separated (default %(default)s)",
    )
    parser.add_argument(
        "--timeout", type=float, default=REQUEST_TIMEOUT_S, help="seconds before a request is a timeout (%(default)s)"
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_CACHE_URL", BENCH_CACHE_URL),
        help="the portal's CACHE_URL, a Redis database as deployed (default %(default)s, emptied first); an empty "
        "value serves without it: sessions read from the database and the dashboards' cache off",
    )
    parser.add_argument("--database", help="another database: a name on the same server, or a URL")
    parser.add_argument("--items", type=int, default=2_000_000, help="items of the generated database")
    parser.add_argument(
        "--no-migrate", dest="migrate", action="store_false", help="leave an existing database's migrations as they are"
    )
    options = parser.parse_args()
    options.only = [name.strip() for value in options.only for name in value.split(",") if name.strip()]
    unknown = set(options.only) - set(SCENARIO_NAMES)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    options.clients = [int(count) for count in options.clients.split(",")]
    return options


def measure(server: Server, scenarios: list[Scenario], credentials: dict, options: argparse.Namespace) -> list[Run]:
    """Each scenario at each number of clients (one for the serial ones), on an idle server each time."""
    runs = []
    for scenario in scenarios:
        headers = {"Authorization" if scenario.auth == "token" else "Cookie": credentials[scenario.auth]}
        answers = asyncio.run(warm_up(server.port, scenario.path, headers, options.timeout))
        if any(not 200 <= status < 300 for _ms, status in answers):
            print(f"  warm-up of {scenario.name}: {Run(scenario, 2, 0, answers).errors_text()}")
        for clients in [1] if scenario.serial else options.clients:
            run = asyncio.run(
                load(
                    server.port, scenario, headers, clients=clients, duration=options.duration, timeout=options.timeout
                )
            )
            runs.append(run)
            print(
                f"  {scenario.name:<21} {clients:>3} clients: {run.rps:7.1f} requests/s, "
                f"p95 {run.percentile(0.95):6.0f} ms, errors {run.errors_text()}",
                flush=True,
            )
            if not asyncio.run(idle(server.port)):
                print("  (requests still queued: workers killed, gunicorn restarted)", flush=True)
                server.restart()
    return runs


async def warm_up(port: int, path: str, headers: dict[str, str], timeout: float) -> list[tuple[float, int]]:
    """The page once on each worker (two at once), which also shows it answers."""
    connections = [HttpConnection(port, headers) for _ in range(2)]
    answers = await asyncio.gather(*(timed_get(connection, path, timeout) for connection in connections))
    for connection in connections:
        connection.close()
    return list(answers)


def main() -> None:
    options = options_parse()
    began = time.monotonic()
    dashboard.DATABASE_URL = database_url(options.database or os.environ.get("BENCH_LOAD_DATABASE"))
    if options.cache_url:  # for gunicorn (which inherits the environment) and the split in-process alike
        os.environ["CACHE_URL"] = options.cache_url
        import redis

        # Entries of another database (another run) must not be read: the cache starts empty.
        redis.Redis.from_url(options.cache_url).flushdb()
    else:
        os.environ.pop("CACHE_URL", None)
    existed = dashboard.database("exists")
    dashboard.database("create")
    dashboard.setup_django()
    scopes = dashboard.prepare(options.items, False, migrate=options.migrate or not existed)
    if pending := migrations_pending():
        print(f"Not migrated: {', '.join(pending)} (the served code may fail on this database)")
    from apps.accounts.services import token_obtain

    leader = scopes["leader"]
    credentials = {
        "cookie": dashboard.session_cookie(leader),
        "token": f"Token {token_obtain(user=leader).key}",
    }
    print(
        f"Database {urlparse(dashboard.DATABASE_URL).path.lstrip('/')}: {leader.username} of "
        f"{scopes['province'].name}; county {scopes['county'].name}, street {scopes['street'].name}; "
        f"cache {options.cache_url or 'in each process (no CACHE_URL)'}"
    )

    load_before = os.getloadavg()[0]  # the machine may be busy with more than this benchmark
    server = Server()
    try:
        deep_path = "/api/v1/items/"
        if not options.only or "api-deep" in options.only:
            deep_path = asyncio.run(deep_cursor(server.port, {"Authorization": credentials["token"]}))
        scenarios = [
            scenario
            for scenario in scenarios_make(scopes, deep_path)
            if not options.only or scenario.name in options.only
        ]
        scenarios.sort(key=lambda scenario: not scenario.serial)  # one client first, on an idle server
        runs = measure(server, scenarios, credentials, options)
    finally:
        server.stop()

    table(runs, options.duration)
    load_runs = [run for run in runs if not run.scenario.serial]
    if load_runs:
        fewest = min(run.clients for run in load_runs)
        slowest = max((run for run in load_runs if run.clients == fewest), key=lambda run: run.percentile(0.5))
        print(f"\nSlowest at {fewest} clients (by p50): {split(slowest.scenario, credentials)}")
    print(
        f"\n{os.cpu_count()} cores, the client beside gunicorn and PostgreSQL; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after; gunicorn restarted {server.restarts} times; "
        f"{time.monotonic() - began:.0f} s in all."
    )
    checks = checks_make(runs)
    for name, passed in checks.items():
        print(f"  {'ok  ' if passed else 'MISS'} {name}")
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
