"""Shared by the benchmarks: Django on a PostgreSQL database of their own, and a small unit tree with people.

Not a benchmark itself (`make bench` runs bench/*.py but the files starting with an underscore).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/deeds_bench"


def bench_django(*, migrate: bool = True) -> None:
    """Set Django up on BENCH_DATABASE_URL (default: the local PostgreSQL's deeds_bench), migrated."""
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deeds_portal.settings.base")
    os.environ.setdefault("DEEDS_VAR_DIR", str(ROOT / "var" / "bench"))
    if migrate:
        database_at(url, "create")

    import django
    from django.core.management import call_command

    django.setup()
    if migrate:
        call_command("migrate", verbosity=0)


def database_at(url: str, action: str) -> bool:
    """Create (when missing), drop (and make again, with "drop") or look for ("exists") the database of `url`;
    True when it exists after the action."""
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        if action == "drop":
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if action in ("create", "drop") and not exists:
            cursor.execute(f'CREATE DATABASE "{name}"')
            exists = True
    connection.close()
    return exists


def django_at(url: str) -> None:
    """Set Django up on the database of `url`, with the base settings (DEBUG off, as in production)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "deeds_portal.settings.base"
    os.environ.setdefault("DEEDS_VAR_DIR", str(ROOT / "var" / "bench"))
    import django

    django.setup()


def bench_tree(code: str, *, townships: int, people_per_unit: int):
    """A district (code) under the bench city with townships, an administrator and officials; made once."""
    from apps.accounts.models import Role, User
    from apps.accounts.services import user_create
    from apps.org.models import Unit, UnitLevel
    from apps.org.services import unit_create

    city = Unit.objects.filter(code="BENCH").first() or unit_create(name="基准市", code="BENCH", level=UnitLevel.CITY)
    district = Unit.objects.filter(code=code).first()
    if district is None:
        district = unit_create(name=f"基准区{code}", code=code, level=UnitLevel.COUNTY, parent=city)
        units = [district] + [
            unit_create(name=f"基准街道{code}{n}", code=f"{code}T{n}", level=UnitLevel.TOWNSHIP, parent=district)
            for n in range(townships)
        ]
        user_create(username=f"{code.lower()}-admin", full_name="基准管理员", unit=district, roles=[Role.UNIT_ADMIN])
        people = [
            User(username=f"{unit.code.lower()}-{n}", full_name=f"干部{unit.code}{n}", unit=unit)
            for unit in units
            for n in range(people_per_unit)
        ]
        for person in people:
            person.set_unusable_password()
        User.objects.bulk_create(people, batch_size=2000)
    admin = User.objects.get(username=f"{code.lower()}-admin")
    return district, admin


def peak_memory_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports kilobytes)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
