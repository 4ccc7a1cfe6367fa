"""Benchmark: a unit's public page (公示) under 50 concurrent anonymous clients, on 2,000,000 items.

    .venv/bin/python bench/public_pages.py [--items 2000000] [--requests 3000] [--clients 50]

On the dashboard benchmark's database (bench/dashboard.py makes it when missing; about 70% of its items are
published), gunicorn (2 sync workers, base settings, DEBUG off) serves the public pages; the benchmark times the
first, uncached request of the province's and a county's page, then `--clients` anonymous clients (threads, one
fresh connection a request, loopback only) request the county's page, then the province's, `--requests` times in
all each, and prints p50/p95/p99, requests per second and errors. Target: p95 <= 100 ms at 50 clients.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard import database, free_port, percentile, prepare, setup_django, start_server  # the same database

P95_MS = 100.0


def get(port: int, path: str) -> tuple[float, int]:
    """One anonymous request on a fresh connection: milliseconds taken and the status."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return (time.perf_counter() - started) * 1000, status


def load(port: int, path: str, *, clients: int, requests: int) -> dict:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(lambda _n: get(port, path), range(requests)))
    seconds = time.perf_counter() - started
    times = [ms for ms, status in results if status == 200]
    return {
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
        "p99": percentile(times, 0.99),
        "rps": len(results) / seconds,
        "errors": sum(1 for _ms, status in results if status != 200),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=50)
    options = parser.parse_args()
    database("create")
    setup_django()
    scopes = prepare(options.items, False)
    from apps.public.selectors import public_items

    province, county = scopes["province"], scopes["county"]
    published = public_items().filter(unit__path__startswith=province.path).count()
    print(f"{published:,} published items under {province.name}; county {county.name}")
    pages = {
        "county public page": f"/public/units/{county.pk}/",
        "province public page": f"/public/units/{province.pk}/",
    }

    port = free_port()
    server = start_server(port)
    try:
        first = {name: get(port, path) for name, path in pages.items()}  # nothing cached yet on this worker
        for path in pages.values():  # each worker reads and caches the figures once
            for _ in range(6):
                get(port, path)
        results = {
            name: load(port, path, clients=options.clients, requests=options.requests) for name, path in pages.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\n| {options.clients} anonymous clients, {options.requests} requests each | first ms | p50 ms | p95 ms | p99 ms | req/s | errors |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, figures in results.items():
        print(
            f"| {name} | {first[name][0]:.0f} | {figures['p50']:.1f} | {figures['p95']:.1f} | {figures['p99']:.1f} "
            f"| {figures['rps']:.0f} | {figures['errors']} |"
        )
    checks = {f"{name} p95 <= {P95_MS:.0f} ms": figures["p95"] <= P95_MS for name, figures in results.items()}
    checks["no errors"] = all(figures["errors"] == 0 for figures in results.values())
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'MISS'} {name}")
    if not all(checks.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
