"""Administrators unlock a locked-out sign-in: the action on the people list, or `manage.py axes_reset_username`."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from apps.accounts.models import Role, User
from tests.accounts.conftest import PASSWORD, WRONG
from tests.factories import UserFactory


@pytest.fixture
def site_admin(db: None) -> User:
    return UserFactory(username="sysadmin", full_name="赵志刚", unit=None, roles=[Role.SYSTEM_ADMIN], is_superuser=True)


@pytest.fixture
def locked_owner(owner: User, sign_in_on_api) -> User:
    """The owner, locked out from two addresses."""
    for address in ("127.0.0.1", "10.20.30.40"):
        for _attempt in range(5):
            sign_in_on_api("owner", WRONG, address=address)
        assert sign_in_on_api("owner", PASSWORD, address=address).status_code == 429
    return owner


def unlock(client, *users: User):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [user.pk for user in users]},
        follow=True,
    )


def test_admin_unlock_sign_in_lets_the_user_sign_in_again_from_everywhere(
    client, site_admin, locked_owner, colleague, sign_in_on_api, sign_in_on_page
):
    # given: the colleague is locked out too, but not selected
    for _attempt in range(5):
        sign_in_on_api("colleague", WRONG)
    client.force_login(site_admin)

    # when
    response = unlock(client, locked_owner)

    # then
    assert response.status_code == 200
    assert "已为 1 个用户解除登录锁定。" in response.content.decode()
    client.logout()
    assert sign_in_on_api("owner", PASSWORD).status_code == 200
    assert sign_in_on_api("owner", PASSWORD, address="10.20.30.40").status_code == 200
    assert sign_in_on_page("owner", PASSWORD).status_code == 302
    assert sign_in_on_api("colleague", PASSWORD).status_code == 429


def test_admin_unlock_sign_in_is_offered_on_the_people_list(client, site_admin):
    client.force_login(site_admin)

    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()

    assert '<option value="unlock_sign_in">解除登录锁定</option>' in page


def test_admin_unlock_sign_in_needs_the_right_to_change_people(client, locked_owner, unit_admin):
    # given: staff who may only view people
    unit_admin.is_staff = True
    unit_admin.save()
    unit_admin.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="view_user"))
    client.force_login(unit_admin)

    # when
    unlock(client, locked_owner)

    # then
    assert AccessAttempt.objects.filter(username="owner").count() == 2


def test_admin_the_documented_command_unlocks_a_user_name(locked_owner, sign_in_on_api):
    call_command("axes_reset_username", "owner", verbosity=0)

    assert sign_in_on_api("owner", PASSWORD).status_code == 200
