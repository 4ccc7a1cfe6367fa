"""The layer contract (.importlinter) holds for the tree, and breaks when an app imports from a layer above it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own tool on our own tree
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120, check=False
    )


def test_layer_contract_holds_for_the_tree():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("apps/core/exports.py", "apps.items.models"),  # core imports no app
        ("apps/items/services.py", "apps.dashboards.selectors"),  # items write counters, dashboards only read
        ("apps/org/models.py", "apps.accounts.models"),  # org sits below accounts (outside type hints)
        ("apps/reports/snapshot.py", "apps.dashboards.selectors"),  # siblings of one layer stay apart
        ("apps/ledger/services.py", "apps.demo.loading"),  # demo is the top floor
        ("apps/dashboards/views.py", "deeds_portal.urls"),  # apps never import the project package
    ],
)
def test_layer_contract_breaks_on_a_forbidden_import(tmp_path, module, forbidden):
    # given: a copy of the tree with one forbidden import added
    for package in ("apps", "deeds_portal"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    with (tmp_path / module).open("a") as source:
        source.write(f"\nimport {forbidden}  # noqa: E402\n")

    # when
    result = lint_imports(tmp_path)

    # then
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout and forbidden in result.stdout
