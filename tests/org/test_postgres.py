"""The unit tree on PostgreSQL: the subtree range is answered from the path index, under any collation."""

import pytest
from django.db import connection

from apps.org.models import Unit, UnitLevel
from apps.org.paths import path_upper_bound
from tests.factories import UnitFactory
from tests.services import require_postgres


@pytest.fixture
def postgres(db):
    require_postgres()


def test_unit_subtree_query_uses_the_path_index(postgres):
    # given: a few hundred units, so the planner has a choice
    root = UnitFactory(level=UnitLevel.CITY)
    for _ in range(20):
        county = UnitFactory(parent=root)
        for _ in range(10):
            UnitFactory(parent=county, level=UnitLevel.TOWNSHIP)
    county = Unit.objects.filter(parent=root).first()

    # when
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE org_unit")
        sql, params = Unit.objects.subtree_of(county).query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # then
    assert "Index" in plan and "path" in plan, plan
    assert Unit.objects.subtree_of(county).count() == 11


def test_unit_subtree_is_exact_under_a_locale_collation(postgres):
    # given: paths compared under a linguistic collation, which ignores punctuation
    root = UnitFactory(level=UnitLevel.CITY)
    first, second = UnitFactory(parent=root), UnitFactory(parent=root)
    below_first = UnitFactory(parent=first)

    # when
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT id FROM org_unit WHERE path COLLATE "und-x-icu" >= %s AND path COLLATE "und-x-icu" < %s',
            [first.path, path_upper_bound(first.path)],
        )
        found = {row[0] for row in cursor.fetchall()}

    # then
    assert found == {first.pk, below_first.pk}
    assert second.pk not in found
