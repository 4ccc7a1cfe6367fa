"""Benchmark: a 300 KB XLSX holding a 300 MB string (a zip bomb) is refused in < 1 s within 200 MB.

    .venv/bin/python bench/ledger_bomb.py [--megabytes 300] [--compare]

Builds the bomb once (a real ledger saved by openpyxl, its one title made a 300 MB run of letters, deflated), then
runs the real import path over it, each step in a fresh process as the portal runs it: the import page's upload
(`import_job_create`, then `import_job_request_check`, in the web process) and the check of the preview for a file
already stored (`import_job_check`, as the worker runs it). Each
prints its time and its peak memory, the whole Python process included (ru_maxrss), beside Django alone.
`--compare` also reads the file as the reader did before the size checks (openpyxl, read-only), to show what they
save; that step alone takes gigabytes.

Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/deeds_bench), created and migrated if missing.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import bench_django, bench_tree, peak_memory_mb

MEMORY_LIMIT_MB = 200
TIME_LIMIT_SECONDS = 1.0
PLACEHOLDER = "BOMB-TITLE-PLACEHOLDER"
STEPS = {
    "upload": "upload page (web process)",
    "check": "check (import_job_check, worker)",
    "openpyxl": "openpyxl read-only, no size checks",
}


def make_bomb(path: Path, megabytes: int) -> None:
    """A ledger as openpyxl saves it, whose one title is `megabytes` MB of letters; written a MB at a time."""
    from openpyxl import Workbook

    from apps.ledger.columns import LEDGER_COLUMNS, LEDGER_SHEET_TITLE

    headers = [column.header for column in LEDGER_COLUMNS if column.imported]
    row = {"责任主体类型": "参与单位领导班子", "事项名称": PLACEHOLDER, "类别": "住房", "完成时限": "2030-06-30"}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = LEDGER_SHEET_TITLE
    sheet.append(headers)
    sheet.append([row.get(header, "") for header in headers])
    plain = io.BytesIO()
    workbook.save(plain)
    marker = PLACEHOLDER.encode()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for part in source.infolist():
            data = source.read(part)
            if marker not in data:
                bomb.writestr(part, data)
                continue
            before, after = data.split(marker, 1)
            with bomb.open(part.filename, "w", force_zip64=True) as stream:
                stream.write(before)
                chunk = b"A" * (1024 * 1024)
                for _ in range(megabytes):
                    stream.write(chunk)
                stream.write(after)


def run_one(step: str, path: Path) -> dict:
    """One step of the import path over the bomb, in this (fresh) process."""
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.core.exceptions import ServiceError
    from apps.ledger.models import ImportJob
    from apps.ledger.services import import_job_check, import_job_create, import_job_request_check

    district, admin = bench_tree("BB", townships=0, people_per_unit=1)
    content = path.read_bytes()
    baseline = peak_memory_mb()
    outcome = ""
    started = time.perf_counter()
    if step == "upload":
        # What the import page's POST runs: keep the upload, then check it at once when it is small.
        try:
            job = import_job_create(by=admin, unit=district, upload=SimpleUploadedFile("台账.xlsx", content))
        except ServiceError as error:
            outcome = f"refused: {error.message}"
        else:
            import_job_request_check(job=job)
            job.refresh_from_db()
            outcome = f"ACCEPTED, then {job.status}: {job.problems[0]['message'] if job.problems else ''}"
            job.file.delete(save=False)
            job.delete()
    elif step == "check":
        job = ImportJob.objects.create(
            unit=district, requested_by=admin, original_name="台账.xlsx", file=ContentFile(content, name="台账.xlsx")
        )
        started = time.perf_counter()  # the file is stored; what the worker does from here on
        import_job_check(job_id=job.pk)
        job.refresh_from_db()
        outcome = f"{job.status}: {job.problems[0]['message'] if job.problems else ''}"
        job.file.delete(save=False)
        job.delete()
    else:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        cells = sum(1 for sheet in workbook.worksheets for _row in sheet.iter_rows(values_only=True))
        workbook.close()
        outcome = f"read {cells} rows"
    seconds = time.perf_counter() - started
    return {"step": step, "seconds": seconds, "peak_mb": peak_memory_mb(), "baseline_mb": baseline, "outcome": outcome}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=int, default=300)
    parser.add_argument("--compare", action="store_true", help="also read the bomb with openpyxl, unchecked")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # run one step in this process (the child)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    bench_django(migrate=not arguments.one)
    if arguments.one:
        print(json.dumps(run_one(arguments.one, Path(arguments.file))))
        return 0

    bench_tree("BB", townships=0, people_per_unit=1)
    steps = ["upload", "check"] + (["openpyxl"] if arguments.compare else [])
    results = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bomb.xlsx"
        make_bomb(path, arguments.megabytes)
        with zipfile.ZipFile(path) as bomb:
            unpacked = sum(part.file_size for part in bomb.infolist())
        print(
            f"zip bomb: {path.stat().st_size / 1024:,.0f} KB on disk, {unpacked / 1024 / 1024:,.0f} MB unpacked, "
            "PostgreSQL; each step in a fresh process"
        )
        for step in steps:
            child = subprocess.run(  # noqa: S603 - this very script, with a step of its own
                [sys.executable, __file__, "--one", step, "--file", str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode:
                print(child.stdout, child.stderr, file=sys.stderr)
                return 1
            results.append(json.loads(child.stdout.strip().splitlines()[-1]))

    width = 40
    print(f"{'step':<{width}}{'seconds':>9}{'peak MB':>9}{'Django alone':>14}")
    met = True
    for result in results:
        checked = result["step"] != "openpyxl"
        ok = result["peak_mb"] <= MEMORY_LIMIT_MB and result["seconds"] <= TIME_LIMIT_SECONDS
        ok = ok and not result["outcome"].startswith(("ACCEPTED", "valid"))
        met &= ok or not checked
        verdict = ("met" if ok else "MISSED") if checked else "(for comparison)"
        print(
            f"{STEPS[result['step']]:<{width}}{result['seconds']:>9.2f}{result['peak_mb']:>9.0f}"
            f"{result['baseline_mb']:>11.0f} MB  {verdict}"
        )
        print(f"{'':<4}{result['outcome']}")
    print(f"targets: refused, ≤ {MEMORY_LIMIT_MB} MB and ≤ {TIME_LIMIT_SECONDS:.0f} s per step")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
