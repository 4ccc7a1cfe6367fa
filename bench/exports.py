"""Benchmark: exporting 1,000,000 items as CSV (target ≥ 100,000 rows/s) and XLSX (≥ 20,000 rows/s), < 100 MB.

    .venv/bin/python bench/exports.py [--rows 1000000] [--formats csv,xlsx]

Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/deeds_bench), created and migrated if
missing; the items are made once, in SQL, under a bench city of 101 units, and kept for later runs. Each
export runs in a process of its own, as a leader of the city sees the list (the same selector and
FilterSet as the page), and reports its rate and its peak memory, the whole Python process included.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import bench_django, bench_tree, peak_memory_mb

TARGETS = {"csv": 100_000, "xlsx": 20_000}
MEMORY_LIMIT_MB = 100
DISTRICT = "BX"
TOWNSHIPS = 100


def seed(rows: int) -> None:
    """Make `rows` items under the bench district in one INSERT … SELECT, unless they are there already."""
    from django.db import connection

    from apps.accounts.models import Role, User
    from apps.accounts.services import user_create
    from apps.items.models import Category, WorkItem
    from apps.org.models import Unit

    district, _admin = bench_tree(DISTRICT, townships=TOWNSHIPS, people_per_unit=10)
    if not User.objects.filter(username="bx-leader").exists():
        user_create(username="bx-leader", full_name="基准领导", unit=district.parent, roles=[Role.LEADER])
    have = WorkItem.objects.in_subtree(district.path).count()
    if have == rows:
        return
    print(f"seeding {rows:,} items (once) …", flush=True)
    started = time.perf_counter()
    units = list(Unit.objects.subtree_of(district).values_list("pk", "code"))
    people = list(User.objects.filter(unit__in=[pk for pk, _code in units]).values_list("pk", flat=True))
    categories = list(Category.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM items_workitem WHERE unit_id = ANY(%s)", [[pk for pk, _code in units]])
        cursor.execute(
            """
            INSERT INTO items_workitem (
                created_at, updated_at, number, year, sequence, kind, owner_type, unit_id, owner_person_id,
                title, content, category_id, beneficiaries, responsible_unit_id, responsible_person_id,
                lead_leader_id, requirements, start_date, deadline, is_key, key_level, source, assignment_letter,
                status, progress_percent, completed_on, closed_at, is_published, published_at, created_by_id)
            SELECT now(), now(),
                u.codes[1 + g %% u.n] || '-2021-' || lpad(g::text, 7, '0'), 2021, g,
                CASE WHEN g %% 5 < 2 THEN 'service_list' ELSE 'livelihood_plan' END,
                CASE WHEN g %% 5 < 2 THEN 'party_member' WHEN g %% 2 = 0 THEN 'grassroots_org'
                     ELSE 'leadership_team' END,
                u.ids[1 + g %% u.n],
                CASE WHEN g %% 5 < 2 THEN p.ids[1 + g %% p.n] END,
                '老旧小区改造与便民服务提升第' || g || '项',
                '完成供水管网改造、加装电梯和停车位规划，组织居民议事会听取意见，按月公示进展。',
                c.ids[1 + g %% c.n], '辖区居民',
                u.ids[1 + (g / 7) %% u.n], p.ids[1 + (g / 3) %% p.n], NULL,
                '按月报送进展，年底前完成并接受群众评议。',
                DATE '2021-01-01' + (g %% 180), DATE '2021-07-01' + (g %% 180),
                g %% 17 = 0, CASE WHEN g %% 17 = 0 THEN 'county' ELSE '' END,
                CASE WHEN g %% 3 = 0 THEN 'citizen_request' ELSE 'self' END, '',
                (ARRAY['draft','submitted','approved','in_progress','completed','closed'])[1 + g %% 6],
                (g %% 11) * 10, NULL, NULL, false, NULL, NULL
            FROM generate_series(1, %s) AS g,
                 (SELECT %s::bigint[] AS ids, %s::text[] AS codes, %s AS n) AS u,
                 (SELECT %s::bigint[] AS ids, %s AS n) AS p,
                 (SELECT %s::bigint[] AS ids, %s AS n) AS c
            """,
            [
                rows,
                [pk for pk, _code in units],
                [code for _pk, code in units],
                len(units),
                people,
                len(people),
                categories,
                len(categories),
            ],
        )
        cursor.execute("ANALYZE items_workitem")
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)


def run_one(file_format: str) -> dict:
    """One export, as the list page runs it for the city's leader; in its own process."""
    import os
    import tempfile

    from django.http import QueryDict

    from apps.accounts.models import User
    from apps.items.selectors import item_filterset
    from apps.ledger.exports import export_items_xlsx, write_items_csv

    leader = User.objects.select_related("unit").get(username="bx-leader")
    queryset = item_filterset(user=leader, data=QueryDict("")).qs
    baseline = peak_memory_mb()
    counted = [0]

    def progress(rows: int) -> None:
        counted[0] = rows

    started = time.perf_counter()
    with tempfile.TemporaryFile() as target:
        if file_format == "csv":
            write_items_csv(queryset, target, on_progress=progress)
        else:
            export_items_xlsx(queryset, target, on_progress=progress)
        size = target.tell() or os.fstat(target.fileno()).st_size
    seconds = time.perf_counter() - started
    return {
        "format": file_format,
        "rows": counted[0],
        "seconds": seconds,
        "rate": counted[0] / seconds,
        "megabytes": size / 1e6,
        "baseline_mb": baseline,
        "peak_mb": peak_memory_mb(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # run one export in this process (the child)
    arguments = parser.parse_args()
    bench_django(migrate=not arguments.one)
    if arguments.one:
        print(json.dumps(run_one(arguments.one)))
        return 0

    seed(arguments.rows)
    results = []
    for file_format in arguments.formats.split(","):
        child = subprocess.run(  # noqa: S603 - this very script, with a format from the command line
            [sys.executable, __file__, "--one", file_format], capture_output=True, text=True, check=False
        )
        if child.returncode:
            print(child.stdout, child.stderr, file=sys.stderr)
            return 1
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))

    print(f"exports of {arguments.rows:,} items, PostgreSQL, each in a fresh process")
    print(
        f"{'format':<7}{'rows':>11}{'seconds':>9}{'rows/s':>10}{'target':>9}{'file MB':>9}{'peak MB':>9}  {'Django alone':>12}"
    )
    met = True
    for result in results:
        target = TARGETS[result["format"]]
        ok = result["rate"] >= target and result["peak_mb"] < MEMORY_LIMIT_MB and result["rows"] == arguments.rows
        met &= ok
        print(
            f"{result['format']:<7}{result['rows']:>11,}{result['seconds']:>9.1f}{result['rate']:>10,.0f}"
            f"{target:>9,}{result['megabytes']:>9.0f}{result['peak_mb']:>9.0f}  {result['baseline_mb']:>9.0f} MB"
            f"  {'met' if ok else 'MISSED'}"
        )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
