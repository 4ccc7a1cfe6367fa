"""No silent lost updates: an edit carries the version it was made from, and a stale one is refused.

Two officials open the same item's edit form (or read it through the API); A saves a title, B saves a deadline
from the version both read. B is refused with a message naming what A changed, and A's change stays.
"""

from __future__ import annotations

import datetime
import re

from django.urls import reverse

from apps.items.models import Status, WorkItem
from tests.items.test_views import edit_form

VERSION_FIELD = re.compile(r'name="version" value="(\d+)"')


def opened_form_version(client, item: WorkItem) -> str:
    """The version the edit page hands out in its hidden field."""
    page = client.get(reverse("items:edit", args=[item.pk]))
    assert page.status_code == 200
    return VERSION_FIELD.search(page.content.decode()).group(1)


def test_item_edit_form_from_an_older_version_is_refused_and_keeps_the_other_change(
    client, owner, colleague, make_item
):
    # given: both officials open the form of the same item
    item = make_item(Status.IN_PROGRESS)
    client.force_login(owner)
    a_version = opened_form_version(client, item)
    client.force_login(colleague)
    b_version = opened_form_version(client, item)
    assert a_version == b_version

    # when: A saves a new title, then B saves a new deadline from the form B opened before that
    client.force_login(owner)
    a_saved = client.post(reverse("items:edit", args=[item.pk]), edit_form(item, title="A 改的标题", version=a_version))
    client.force_login(colleague)
    b_refused = client.post(
        reverse("items:edit", args=[item.pk]), edit_form(item, deadline="2030-03-31", version=b_version)
    )

    # then: A's title stays, B's deadline was not written; B sees why, the current title and a fresh version
    assert a_saved.status_code == 302
    fresh = WorkItem.objects.get(pk=item.pk)
    assert (fresh.title, fresh.deadline) == ("A 改的标题", item.deadline)
    page = b_refused.content.decode()
    assert b_refused.status_code == 200
    assert "张敏" in page and "标题" in page and "未保存" in page
    assert 'value="A 改的标题"' in page
    assert VERSION_FIELD.search(page).group(1) == fresh.version != b_version
    assert "2030年3月31日" in page  # what B tried to save is shown, not lost from sight

    # when: B makes the change again from the version now shown
    again = client.post(
        reverse("items:edit", args=[item.pk]),
        edit_form(fresh, deadline="2030-03-31", version=VERSION_FIELD.search(page).group(1)),
    )

    # then: both changes are in
    assert again.status_code == 302
    fresh = WorkItem.objects.get(pk=item.pk)
    assert (fresh.title, fresh.deadline) == ("A 改的标题", datetime.date(2030, 3, 31))


def test_item_edit_form_without_a_version_is_refused_with_a_message(client, owner, make_item):
    item = make_item(Status.IN_PROGRESS)
    client.force_login(owner)
    form = edit_form(item, title="改名")
    del form["version"]

    response = client.post(reverse("items:edit", args=[item.pk]), form)

    assert response.status_code == 200
    assert "编辑页面已过期" in response.content.decode()
    assert WorkItem.objects.get(pk=item.pk).title == item.title


def test_item_edit_form_after_a_lifecycle_move_names_the_status(client, owner, leader, make_item, perform):
    # given: the form is opened, then a leader suspends the item
    item = make_item(Status.IN_PROGRESS)
    client.force_login(owner)
    version = opened_form_version(client, item)
    perform("suspend", item=item, by=leader)

    # when
    response = client.post(reverse("items:edit", args=[item.pk]), edit_form(item, title="改名", version=version))

    # then: the suspension is not undone by the edit, and the owner is told the state changed
    assert response.status_code == 302 or "状态" in response.content.decode()
    fresh = WorkItem.objects.get(pk=item.pk)
    assert (fresh.status, fresh.title) == (Status.SUSPENDED, item.title)
