"""The sample files in fixtures/ work as their README says: the sample ledger imports into the demo data."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from apps.accounts.models import User
from apps.items.models import Action, WorkItem
from apps.ledger.checking import ledger_import
from apps.org.models import Unit

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SAMPLE_LEDGER = FIXTURES / "sample_ledger_wuhua.csv"
D = datetime.date

# Each row of the sample ledger as the item it must become:
# kind, owner type, owning unit, owner (user name), category, beneficiaries, responsible unit and person,
# start date, deadline, key item, key level, source.
EXPECTED_ITEMS = {
    "文林街片区老旧小区加装电梯": (
        "livelihood_plan", "leadership_team", "WH", None, "housing", "文林街片区老旧小区居民",
        "WH", "luozhiqiang", D(2027, 1, 4), D(2027, 9, 30), True, "county", "citizen_request",
    ),
    "政务服务中心开设夜间延时窗口": (
        "livelihood_plan", "leadership_team", "WHZW", None, "business_environment", "辖区企业和群众",
        "WHZW", "xuminliang", D(2027, 1, 10), D(2027, 3, 31), False, "", "self",
    ),
    "小菜园村供水管网改造": (
        "livelihood_plan", "leadership_team", "WHLX", None, "water_supply", "小菜园村村民",
        "WHXCY", "yangli", D(2027, 2, 1), D(2027, 6, 30), True, "township", "survey",
    ),
    "走访慰问困难老党员": (
        "service_list", "team_member", "WH", "luozhiqiang", "elderly_care", "辖区困难老党员",
        "WH", None, D(2027, 1, 15), D(2027, 12, 31), False, "", "self",
    ),
    "协调学校周边上下学停车": (
        "service_list", "team_member", "WH", "duanliping", "transport_parking", "红云街道中小学家长",
        "WHHY", "qianwei", None, D(2027, 5, 31), False, "", "citizen_request",
    ),
    "龙翔街道就业招聘专场": (
        "service_list", "team_member", "WHLX", "sujianguo", "employment", "辖区待业青年",
        "WHLX", None, D(2027, 3, 1), D(2027, 4, 30), False, "", "assigned",
    ),
    "物业小区红色驿站建设": (
        "livelihood_plan", "grassroots_org", "WHWY", None, "grassroots_governance", "辖区物业小区居民",
        "WHWY", None, D(2027, 2, 1), D(2027, 10, 31), False, "", "supervision",
    ),
    "麻园村托育点建设": (
        "livelihood_plan", "grassroots_org", "WHMY", None, "childcare", "麻园村0至3岁婴幼儿家庭",
        "WHMY", "zhaoguilan", None, D(2027, 8, 31), False, "", "citizen_request",
    ),
    "为独居老人上门代办缴费": (
        "service_list", "party_member", "WHWY", "pulifen", "elderly_care", "小区独居老人",
        "WHWY", None, None, D(2027, 6, 30), False, "", "self",
    ),
    "帮助村民网上办理医保": (
        "service_list", "party_member", "WHXCY", "yangli", "healthcare", "小菜园村老年村民",
        "WHXCY", None, None, D(2027, 3, 31), False, "", "self",
    ),
}  # fmt: skip


def as_loaded(item: WorkItem) -> tuple[Any, ...]:
    return (
        item.kind,
        item.owner_type,
        item.unit.code,
        item.owner_person.username if item.owner_person else None,
        item.category.code,
        item.beneficiaries,
        item.responsible_unit.code,
        item.responsible_person.username if item.responsible_person else None,
        item.start_date,
        item.deadline,
        item.is_key,
        item.key_level,
        item.source,
    )


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo data (`manage.py load_demo`), loaded once for the module and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_fixtures_sample_ledger_is_a_utf8_csv_with_a_byte_order_mark_and_one_row_per_item():
    # given
    data = SAMPLE_LEDGER.read_bytes()

    # when
    rows = list(csv.DictReader(StringIO(data.decode("utf-8-sig"))))

    # then: Excel opens it as UTF-8, and every row is accounted for below
    assert data.startswith(b"\xef\xbb\xbf")
    assert sorted(row["事项名称"] for row in rows) == sorted(EXPECTED_ITEMS)
    owner_types = {row["责任主体类型"] for row in rows}
    assert owner_types == {"参与单位领导班子", "领导班子成员", "基层党组织", "党员个人"}


def test_fixtures_sample_ledger_imports_into_the_demo_as_the_unit_administrator(demo):
    # given: 五华区's administrator of the demo
    unit_admin = User.objects.get(username="unitadmin")
    wuhua = Unit.objects.get(code="WH")
    existing = set(WorkItem.objects.values_list("pk", flat=True))

    # when: the import service, as the worker and the import page use it
    with SAMPLE_LEDGER.open("rb") as source:
        check = ledger_import(source=source, name=SAMPLE_LEDGER.name, unit=wuhua, by=unit_admin)

    # then: no problem and no warning; every row is a new draft with the fields of its row
    assert [(problem.row, problem.column, problem.message) for problem in check.problems] == []
    assert check.summary() == {"new": 10, "updated": 0, "unchanged": 0}
    imported = WorkItem.objects.exclude(pk__in=existing).select_related(
        "unit", "owner_person", "category", "responsible_unit", "responsible_person"
    )
    assert {item.title: as_loaded(item) for item in imported} == EXPECTED_ITEMS
    for item in imported:
        assert item.status == "draft", item.title
        assert item.created_by == unit_admin, item.title
        assert item.number.startswith(f"{item.unit.code}-{item.year}-"), item.number
        assert list(item.transitions.values_list("action", "to_status", "by")) == [
            (Action.CREATE, "draft", unit_admin.pk)
        ]


def test_fixtures_sample_ledger_imported_twice_creates_nothing_twice(demo):
    # given: imported once
    unit_admin = User.objects.get(username="unitadmin")
    wuhua = Unit.objects.get(code="WH")
    with SAMPLE_LEDGER.open("rb") as source:
        ledger_import(source=source, name=SAMPLE_LEDGER.name, unit=wuhua, by=unit_admin)
    count = WorkItem.objects.count()

    # when: the same file again (its rows carry no numbers, so they read as new items)
    with SAMPLE_LEDGER.open("rb") as source:
        again = ledger_import(source=source, name=SAMPLE_LEDGER.name, unit=wuhua, by=unit_admin)

    # then: each row is pointed out as probably imported already; nothing is stopped, the import is the user's call
    assert len([problem for problem in again.problems if problem.warning]) == len(EXPECTED_ITEMS)
    assert again.errors == []
    assert WorkItem.objects.count() == count + len(EXPECTED_ITEMS)


def test_fixtures_readme_describes_every_file():
    # given
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")

    # then
    files = sorted(path.name for path in FIXTURES.iterdir() if path.name != "README.md")
    assert files
    assert [name for name in files if name not in readme] == []
