"""The load benchmark's HTTP client (bench/load.py) against a small loopback server of known answers."""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib.util
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def run_apart(coroutine: Awaitable[None]) -> None:
    """Run the coroutine in a thread of its own: another test may have left an event loop running in this one
    (asyncio.run refuses to start inside a running loop)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def load_module():
    sys.path.insert(0, str(BENCH))  # bench/load.py imports its neighbour bench/dashboard.py
    try:
        spec = importlib.util.spec_from_file_location("bench_load", BENCH / "load.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


load = load_module()

ANSWERS = {
    b"/length": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"/chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2;x=1\r\nlo\r\n0\r\n\r\n",
    b"/close": b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
    b"/missing": b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
}


async def serving(test: Callable[[int, list[int]], Awaitable[None]]) -> list[int]:
    """Run `test(port, connections)` against the server; `connections` counts the connections it was opened."""
    connections: list[int] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while path := (await reader.readuntil(b"\r\n\r\n")).split(b" ")[1]:
                if path == b"/slow":
                    await asyncio.sleep(5)
                if path == b"/eof":  # an answer without a length ends with the connection
                    writer.write(b"HTTP/1.1 200 OK\r\n\r\nto the end")
                    break
                writer.write(ANSWERS[path])
                await writer.drain()
                if path == b"/close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed the connection
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        await test(server.sockets[0].getsockname()[1], connections)
    return connections


def test_http_connection_keeps_alive_and_reads_each_kind_of_body() -> None:
    async def test(port: int, connections: list[int]) -> None:
        connection = load.HttpConnection(port, {"Cookie": "sessionid=x"})
        assert (await connection.get("/length"))[::2] == (200, b"hello")
        assert (await connection.get("/chunked"))[::2] == (200, b"hello")
        assert (await connection.get("/missing"))[0] == 404
        assert len(connections) == 1  # one kept-alive connection so far
        assert (await connection.get("/close"))[::2] == (200, b"ok")
        assert (await connection.get("/eof"))[::2] == (200, b"to the end")
        assert (await connection.get("/length"))[::2] == (200, b"hello")
        assert len(connections) == 3  # opened again after each closing answer
        connection.close()

    run_apart(serving(test))


def test_timed_get_counts_a_timeout_and_an_error_status() -> None:
    async def test(port: int, _connections: list[int]) -> None:
        connection = load.HttpConnection(port, {})
        milliseconds, status = await load.timed_get(connection, "/slow", 0.2)
        assert status == load.TIMEOUT
        assert 150 < milliseconds < 2000
        assert (await load.timed_get(connection, "/length", 2))[1] == 200  # a new connection after the timeout
        connection.close()

    run_apart(serving(test))


def test_load_runs_its_clients_for_the_duration_and_tallies_errors() -> None:
    scenario = load.Scenario("missing", "a missing page", "/missing", "cookie")

    async def test(port: int, _connections: list[int]) -> None:
        run = await load.load(port, scenario, {}, clients=3, duration=0.3, timeout=2)
        assert run.clients == 3
        assert run.seconds >= 0.3
        assert run.ok == 0
        assert run.rps == 0
        assert run.errors == len(run.samples) > 3
        assert run.errors_text() == f"{run.errors} (HTTP 404 {run.errors})"

    run_apart(serving(test))


def test_database_url_takes_a_name_or_a_url() -> None:
    assert load.database_url("deeds_bench_copy").endswith("127.0.0.1:5432/deeds_bench_copy")
    assert load.database_url("postgres://u@h:5433/d") == "postgres://u@h:5433/d"


def test_checks_hold_the_targets_at_fifty_clients_and_serially() -> None:
    def run(name: str, clients: int, samples: list[tuple[float, int]], seconds: float = 1.0, serial: bool = False):
        return load.Run(load.Scenario(name, name, "/", "token", serial=serial), clients, seconds, samples)

    fast = [(10.0, 200)] * 300
    runs = [
        run("html-first-serial", 1, [(250.0, 200)] * 20, serial=True),
        run("html-page1000-serial", 1, [(600.0, 200)] * 20, serial=True),
        run("api-first", 10, [(10.0, 500)] * 5),  # errors below 50 clients are not checked
        run("api-first", 50, fast),
        run("api-deep", 50, [*fast[:150], (10_000.0, load.TIMEOUT)]),
        run("dashboard", 50, fast),
    ]

    checks = {name.split(" (")[0]: passed for name, passed in load.checks_make(runs).items()}

    assert checks == {
        "html-first-serial: p95 250 ms <= 300 ms": True,
        "html-page1000-serial: p95 600 ms <= 500 ms": False,
        "api-first: no errors at 50 clients": True,
        "api-first: 300 requests/s >= 200": True,
        "api-first: p95 10 ms <= 300 ms": True,
        "api-deep: no errors at 50 clients": False,
        "api-deep: 150 requests/s >= 200": False,
        "api-deep: p95 10 ms <= 300 ms": True,
        "dashboard: no errors at 50 clients": True,
        "dashboard: 300 requests/s >= 400": False,
    }
