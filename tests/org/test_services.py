"""Writing the unit tree: paths and depth, and the limits of the fixed-width path."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connection
from django.utils import translation

from apps.org.models import Unit, UnitLevel
from apps.org.services import unit_create

pytestmark = pytest.mark.django_db

# The path column holds 255 characters of 8-digit segments: 31 levels, ids up to 99,999,999.
DEEPEST_LEVEL = 31
LARGEST_ID = 99_999_999


def chain(levels: int) -> list[Unit]:
    """A single line of units `levels` deep, root first."""
    units = [unit_create(name="第1级", code="L1", level=UnitLevel.PROVINCE)]
    for number in range(2, levels + 1):
        units.append(unit_create(name=f"第{number}级", code=f"L{number}", level=UnitLevel.DEPARTMENT, parent=units[-1]))
    return units


def test_unit_create_sets_path_and_depth_under_the_parent():
    # when
    province = unit_create(name="云南省", code="YN", level=UnitLevel.PROVINCE)
    city = unit_create(name="昆明市", code="KM", level=UnitLevel.CITY, parent=province)

    # then
    assert (province.path, province.depth) == (f"{province.pk:08d}", 0)
    assert (city.path, city.depth) == (f"{province.pk:08d}{city.pk:08d}", 1)
    assert list(Unit.objects.subtree_of(province)) == [province, city]


def test_unit_create_accepts_the_deepest_level():
    # when
    units = chain(DEEPEST_LEVEL)

    # then: the last one fills 248 of the 255 characters and is found under the root
    deepest = Unit.objects.get(pk=units[-1].pk)
    assert (deepest.depth, len(deepest.path)) == (DEEPEST_LEVEL - 1, DEEPEST_LEVEL * 8)
    assert Unit.objects.subtree_of(units[0]).count() == DEEPEST_LEVEL
    assert [unit.pk for unit in deepest.ancestors()] == [unit.pk for unit in units]


def test_unit_create_one_level_too_deep_is_refused_in_chinese_and_writes_nothing():
    # given
    units = chain(DEEPEST_LEVEL)
    count = Unit.objects.count()

    # when
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        unit_create(name="第32级", code="L32", level=UnitLevel.DEPARTMENT, parent=units[-1])

    # then: a clear message instead of a database error, and no row
    assert refused.value.messages == ["单位层级最多为 31 级：“第31级”下不能再添加单位。"]
    assert Unit.objects.count() == count
    assert not Unit.objects.filter(code="L32").exists()


def _reset_unit_ids() -> None:
    """Point the unit id sequence past the largest id in the table (PostgreSQL does not follow explicit ids)."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Unit]):
            cursor.execute(statement)


@pytest.fixture
def last_unit_id():
    """A unit with the largest id a path segment holds; afterwards the sequence goes back.

    A sequence is not rolled back with the test's transaction: left there, every later test's units would be
    refused on PostgreSQL.
    """
    Unit.objects.create(pk=LARGEST_ID, name="最后一个", code="LAST", level=UnitLevel.PROVINCE, path=f"{LARGEST_ID:08d}")
    _reset_unit_ids()
    yield
    Unit.objects.filter(pk=LARGEST_ID).delete()
    _reset_unit_ids()


def test_unit_create_beyond_the_largest_id_is_refused_and_writes_nothing(last_unit_id):
    # given: the ids have reached the largest an 8-digit segment holds (the fixture)

    # when
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        unit_create(name="新单位", code="NEW", level=UnitLevel.PROVINCE)

    # then
    assert refused.value.messages == ["单位数量已达上限：单位编号不能超过 99,999,999。"]
    assert list(Unit.objects.values_list("code", flat=True)) == ["LAST"]
