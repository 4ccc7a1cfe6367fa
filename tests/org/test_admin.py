"""The admin site (/admin/): a system administrator adds units and people; nobody else gets in."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Role, User
from apps.org.models import Unit, UnitLevel
from apps.org.services import unit_create
from tests.factories import UserFactory


@pytest.fixture
def site_admin(db: None) -> User:
    """The portal's system administrator, with the staff and superuser flags the admin site needs (as in the demo)."""
    return UserFactory(username="sysadmin", full_name="赵志刚", unit=None, roles=[Role.SYSTEM_ADMIN], is_superuser=True)


def test_admin_system_administrator_adds_a_unit_under_its_parent(client, site_admin, district, township):
    # given
    client.force_login(site_admin)

    # when
    response = client.post(
        reverse("admin:org_unit_add"),
        {"name": "龙翔街道", "code": "WHLX", "level": UnitLevel.TOWNSHIP, "parent": district.pk, "_save": "保存"},
    )

    # then: the new unit hangs under 五华区, its path its parent's plus its own 8-digit id
    assert response.status_code == 302
    unit = Unit.objects.get(code="WHLX")
    assert (unit.name, unit.level, unit.parent) == ("龙翔街道", UnitLevel.TOWNSHIP, district)
    assert unit.path == f"{district.path}{unit.pk:08d}"
    assert unit.depth == district.depth + 1
    assert set(Unit.objects.subtree_of(district)) == {district, township, unit}


def test_admin_system_administrator_adds_a_root_unit(client, site_admin):
    client.force_login(site_admin)

    response = client.post(
        reverse("admin:org_unit_add"), {"name": "云南省", "code": "YN", "level": UnitLevel.PROVINCE, "_save": "保存"}
    )

    assert response.status_code == 302
    unit = Unit.objects.get(code="YN")
    assert (unit.parent, unit.path, unit.depth) == (None, f"{unit.pk:08d}", 0)


def test_admin_unit_below_the_deepest_level_is_refused_on_the_form(client, site_admin):
    # given: a line of 31 units, as deep as the path allows
    deepest = unit_create(name="第1级", code="L1", level=UnitLevel.PROVINCE)
    for number in range(2, 32):
        deepest = unit_create(name=f"第{number}级", code=f"L{number}", level=UnitLevel.DEPARTMENT, parent=deepest)
    client.force_login(site_admin)

    # when
    response = client.post(
        reverse("admin:org_unit_add"),
        {"name": "第32级", "code": "L32", "level": UnitLevel.DEPARTMENT, "parent": deepest.pk, "_save": "保存"},
    )

    # then: the form says why, in Chinese, and nothing is written
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"] == ["单位层级最多为 31 级：“第31级”下不能再添加单位。"]
    assert not Unit.objects.filter(code="L32").exists()


def test_admin_system_administrator_adds_a_user_with_roles(client, site_admin, district):
    # given
    client.force_login(site_admin)

    # when: the user form with two roles in its inline
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "zhouhua",
            "usable_password": "true",
            "password1": "Wuhua-2021-minsheng",
            "password2": "Wuhua-2021-minsheng",
            "full_name": "周华",
            "unit": district.pk,
            "title": "区委办公室干部",
            "role_assignments-TOTAL_FORMS": "2",
            "role_assignments-INITIAL_FORMS": "0",
            "role_assignments-MIN_NUM_FORMS": "0",
            "role_assignments-MAX_NUM_FORMS": "1000",
            "role_assignments-0-role": Role.UNIT_ADMIN,
            "role_assignments-1-role": Role.OFFICIAL,
            "_save": "保存",
        },
    )

    # then: the person exists in 五华区 with both roles, and can log in with the password given
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    user = User.objects.get(username="zhouhua")
    assert (user.full_name, user.unit, user.title) == ("周华", district, "区委办公室干部")
    assert user.roles == {Role.UNIT_ADMIN, Role.OFFICIAL}
    assert not user.is_staff
    # django-axes checks every sign-in against its lockout, which needs the request the test client does not pass.
    assert Client().login(request=HttpRequest(), username="zhouhua", password="Wuhua-2021-minsheng")


@pytest.mark.parametrize("who", ["owner", "outsider", "leader", "system_admin"])
def test_admin_is_refused_to_users_without_staff_access(who, request, client, district):
    # given: portal users without the staff flag, including the outsider with every role but system administrator
    # and a system administrator by role only
    user = request.getfixturevalue(who)
    client.force_login(user)
    units_before = Unit.objects.count()

    # when
    index = client.get(reverse("admin:index"))
    add_unit = client.post(
        reverse("admin:org_unit_add"),
        {"name": "假单位", "code": "FAKE", "level": UnitLevel.COUNTY, "parent": district.pk},
    )
    add_user = client.get(reverse("admin:accounts_user_add"))

    # then: every admin page sends them to the admin login, and nothing is written
    for response in (index, add_unit, add_user):
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    assert Unit.objects.count() == units_before
