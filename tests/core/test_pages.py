"""The portal's frame: where each role lands, what its menu offers, and error pages in the portal's own layout."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import permission_denied, server_error

from apps.accounts.models import Role
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("roles", "lands_on"),
    [
        ([Role.OFFICIAL], "items:mine"),
        ([Role.LEADER], "dashboards:dashboard"),
        ([Role.REPORTING_STAFF], "reports:archive"),
        ([Role.SUPERVISOR], "items:list"),
    ],
)
def test_home_sends_each_role_to_its_own_page(client, city, roles, lands_on):
    client.force_login(UserFactory(unit=city, roles=roles))

    response = client.get(reverse("home"))

    assert response.status_code == 302 and response["Location"] == reverse(lands_on)


@pytest.mark.parametrize(
    ("roles", "sees_reports"),
    [([Role.OFFICIAL], False), ([Role.SUPERVISOR], False), ([Role.REPORTING_STAFF], True), ([Role.LEADER], True)],
)
def test_menu_offers_reports_only_to_roles_that_read_them(client, city, roles, sees_reports):
    client.force_login(UserFactory(unit=city, roles=roles))

    page = client.get(reverse("items:list")).content.decode()

    assert (f'href="{reverse("reports:archive")}"' in page) is sees_reports
    assert '<link rel="icon" href="/static/favicon.svg"' in page


def test_unknown_page_is_a_404_in_the_portals_layout_and_language(client, owner):
    client.force_login(owner)

    response = client.get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and 'class="mainnav"' in page and "返回首页" in page


def test_forbidden_and_server_error_pages_speak_chinese_in_the_portals_layout(rf: RequestFactory, owner):
    request = rf.get("/somewhere/")
    request.user = owner

    forbidden = permission_denied(request, PermissionDenied()).content.decode()
    failed = server_error(request).content.decode()

    assert "无权访问" in forbidden and 'class="mainnav"' in forbidden
    assert "出错了" in failed and "已保存的内容不会丢失" in failed and "/static/css/portal.css" in failed
