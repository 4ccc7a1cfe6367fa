"""The production settings pass Django's deployment check, and a production server, set up as docs/deploying.md says
(collectstatic, migrate, gunicorn with deploy/gunicorn.conf.py behind a TLS proxy), serves the portal."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"


def env_example() -> dict[str, str]:
    """The variables deploy/deeds.env.example sets, as systemd's EnvironmentFile= reads them."""
    lines = (DEPLOY / "deeds.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def realistic_environment(folder: Path, **overrides: str) -> dict[str, str]:
    """deploy/deeds.env.example filled in (a real secret, folders of the test's own) over this process's
    environment, less anything a developer's shell or the test run set for the portal."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "SECURE_", "GUNICORN_", "DATABASE_", "DJANGO_", "JOB_"))
        and key not in {"SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "STATIC_ROOT", "MEDIA_ROOT", "DEBUG"}
    }
    return {
        **inherited,
        **env_example(),
        "SECRET_KEY": "k7#Rw2!pQz9$Lm4@Xv8^Tn3&Bc6*Hy1(Fd5)Gs0-Jq_Ua+We=Ri[Ok]Pl{Zx}",
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"),
        "DEEDS_VAR_DIR": str(folder / "var"),
        **overrides,
    }


def manage(*arguments: str, env: dict[str, str], timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_deploy_check_is_clean_under_production_settings_with_the_example_environment(tmp_path):
    # The check connects to neither the database nor the broker the example names.
    checked = manage("check", "--deploy", "--fail-level", "WARNING", env=realistic_environment(tmp_path))

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout, checked.stdout + checked.stderr
    assert "WARNING" not in checked.stderr


def test_deploy_check_without_hsts_or_the_redirect_says_so(tmp_path):
    # given: an installation that turned HTTPS enforcement off
    plain = realistic_environment(tmp_path, SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0")

    checked = manage("check", "--deploy", "--fail-level", "WARNING", env=plain)

    assert checked.returncode != 0
    assert "security.W004" in checked.stderr and "security.W008" in checked.stderr


def nginx_example() -> str:
    return (DEPLOY / "nginx-deeds.conf").read_text()


def test_nginx_example_takes_the_biggest_request_the_portal_takes():
    megabytes = int(re.search(r"^\s*client_max_body_size (\d+)m;", nginx_example(), re.MULTILINE).group(1))

    biggest_progress_post = (
        settings.EVIDENCE_MAX_FILES * settings.EVIDENCE_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )
    assert megabytes * 1024 * 1024 >= max(biggest_progress_post, settings.LEDGER_MAX_BYTES)


def test_nginx_example_leaves_media_to_the_portal_which_checks_who_reads():
    directives = [line.split("#")[0] for line in nginx_example().splitlines()]
    served_from_disk = [line for line in directives if re.search(r"\b(alias|root)\b", line)]

    assert served_from_disk == ["        root /var/www/letsencrypt;"]  # the certificate authority's HTTP check only
    assert not [line for line in directives if "/media" in line or "X-Accel" in line]
    assert any("proxy_set_header X-Forwarded-Proto $scheme;" in line for line in directives)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """GET without following redirects: the status, headers and body as the client gets them."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """gunicorn with deploy/gunicorn.conf.py and the production settings, after the documented collectstatic and
    migrate, on a database of its own; as behind the TLS proxy, it believes X-Forwarded-Proto from 127.0.0.1."""
    tmp_path = tmp_path_factory.mktemp("production")
    port = free_port()
    env = realistic_environment(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        CELERY_BROKER_URL="memory://",
        ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
    )
    collected = manage("collectstatic", "--noinput", "-v0", env=env)
    assert collected.returncode == 0, collected.stderr
    migrated = manage("migrate", "--noinput", "-v0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    server = subprocess.Popen(  # noqa: S603 - gunicorn of this virtual environment
        [str(Path(sys.executable).parent / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py")],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield base
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
        print(output[-5000:])  # shown when the test fails


def test_production_server_serves_pages_and_static_files_behind_the_tls_proxy(production_server):
    # when: the proxy passes on a request that came over HTTPS
    status, headers, body = fetch(f"{production_server}/accounts/login/", **{"X-Forwarded-Proto": "https"})

    # then: the page, told to stay on HTTPS, with its static files under their hashed, cacheable names
    assert status == 200, body[:2000]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    stylesheets = re.findall(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', body.decode())
    assert stylesheets
    for stylesheet in stylesheets:
        status, headers, content = fetch(f"{production_server}{stylesheet}", **{"X-Forwarded-Proto": "https"})
        assert (status, bool(content)) == (200, True), stylesheet
        assert "immutable" in headers["Cache-Control"]


def test_production_server_sends_plain_http_to_https_but_answers_the_health_check(production_server):
    status, headers, _ = fetch(f"{production_server}/accounts/login/")
    assert (status, headers["Location"]) == (301, production_server.replace("http:", "https:") + "/accounts/login/")

    # The load balancer may ask a web node directly over plain HTTP: no worker has run yet here, so 503.
    status, headers, body = fetch(f"{production_server}/health/")
    assert (status, headers["Content-Type"]) == (503, "application/json")
    assert body == b'{"database": "ok", "broker": "ok", "worker": "no heartbeat yet", "media": "writable"}'
