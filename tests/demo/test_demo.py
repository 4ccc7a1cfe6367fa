"""The demo loader: complete, reproducible, loaded once, with working logins."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import HttpRequest
from django.test import Client

from apps.accounts.models import Role, User
from apps.demo.loading import demo_load, demo_logins
from apps.items.models import Action, ItemKind, OwnerType, Source, Status, WorkItem, today_local
from apps.org.models import Unit
from apps.public.models import CitizenRequest, Rating, RequestStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_output(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """Load the demo once for the module, inside a transaction rolled back afterwards."""
    # Loading takes seconds; each test still runs in its own savepoint inside this transaction.
    with django_db_blocker.unblock(), transaction.atomic():
        output = StringIO()
        call_command("load_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


def printed_logins(output: str) -> dict[str, str]:
    """Username → password, read from the rows of the printed table that name a user."""
    usernames = set(User.objects.values_list("username", flat=True))
    return {
        words[0]: words[1]
        for words in (line.split() for line in output.splitlines())
        if words and words[0] in usernames
    }


def table_counts() -> tuple[int, ...]:
    return (Unit.objects.count(), User.objects.count(), WorkItem.objects.count())


def test_demo_load_twice_does_not_duplicate(demo_output: str) -> None:
    # given
    before = table_counts()

    # when
    loaded_again = demo_load()
    output = StringIO()
    call_command("load_demo", stdout=output)

    # then
    assert loaded_again is False
    assert table_counts() == before
    assert "已有单位，未载入演示数据" in output.getvalue()
    assert printed_logins(output.getvalue()) == printed_logins(demo_output)


def test_demo_load_covers_every_status_owner_type_and_kind(demo_output: str) -> None:
    assert set(WorkItem.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(WorkItem.objects.values_list("owner_type", flat=True)) == set(OwnerType.values)
    assert set(WorkItem.objects.values_list("kind", flat=True)) == set(ItemKind.values)
    assert 250 <= WorkItem.objects.count() <= 350


def test_load_demo_prints_one_login_per_role_that_can_log_in(demo_output: str) -> None:
    # given
    logins = printed_logins(demo_output)
    users = User.objects.filter(username__in=logins)

    # then: each role is held by exactly one printed login
    roles = sorted(role for user in users for role in user.roles)
    assert roles == sorted(Role.values)
    for username, password in logins.items():
        # django-axes checks every sign-in against its lockout, which needs the request the test client does not pass.
        assert Client().login(request=HttpRequest(), username=username, password=password), username
    system_admin = users.get(role_assignments__role=Role.SYSTEM_ADMIN)
    assert system_admin.is_staff and system_admin.is_superuser


def test_demo_load_puts_every_item_in_the_unit_tree(demo_output: str) -> None:
    # given
    root = Unit.objects.get(parent=None)
    tree = set(Unit.objects.subtree_of(root).values_list("pk", flat=True))

    # then
    assert tree == set(Unit.objects.values_list("pk", flat=True))
    for item in WorkItem.objects.select_related("unit"):
        assert {item.unit_id, item.responsible_unit_id} <= tree, item.number
        assert item.number.startswith(f"{item.unit.code}-{item.year}-")


def test_demo_load_records_every_transition(demo_output: str) -> None:
    for item in WorkItem.objects.prefetch_related("transitions"):
        transitions = list(item.transitions.all())
        moves = [transition for transition in transitions if transition.from_status != transition.to_status]
        assert transitions[0].action == Action.CREATE, item.number
        assert moves[-1].to_status == item.status, item.number


def test_demo_load_includes_overdue_key_claimed_and_published_items(demo_output: str) -> None:
    leader = User.objects.get(role_assignments__role=Role.LEADER, username__in=printed_logins(demo_output))
    assert WorkItem.objects.overdue().exists()
    assert WorkItem.objects.filter(is_key=True).exclude(key_level="").exists()
    assert WorkItem.objects.filter(lead_leader=leader).exists()
    assert WorkItem.objects.filter(is_published=True).exists()


def test_demo_load_shows_supervision_at_work(demo_output: str) -> None:
    # items waiting to be acknowledged, acknowledged (some late), declined; extensions asked for and granted
    assert WorkItem.objects.filter(acknowledge_by__isnull=False, acknowledged_at__isnull=True).exists()
    acknowledged = WorkItem.objects.filter(acknowledged_at__isnull=False)
    assert acknowledged.exists()
    assert all(item.transitions.filter(action=Action.ACKNOWLEDGE).exists() for item in acknowledged)
    assert WorkItem.objects.filter(transitions__action=Action.DECLINE).exists()
    assert WorkItem.objects.filter(extension_asked_for__isnull=False).exists()
    assert WorkItem.objects.filter(original_deadline__isnull=False).exists()
    # and every light
    assert {item.light for item in WorkItem.objects.all()} >= {"red", "yellow", "green"}


def test_demo_load_shows_citizens_requests_in_every_state(demo_output: str) -> None:
    requests = CitizenRequest.objects.all()
    assert set(requests.values_list("status", flat=True)) == set(RequestStatus.values)
    assert requests.filter(item__source=Source.CITIZEN_REQUEST).count() == 2  # turned into work items
    assert requests.filter(rating=Rating.SATISFIED, solved=True).exists()
    assert requests.filter(reopened=1, rating=Rating.DISSATISFIED).exists()  # a second round (二次办理)
    assert any(request.is_acceptance_overdue() for request in requests)


def test_every_demo_login_finds_something_in_the_inbox(demo_output: str) -> None:
    client = Client()
    for user in demo_logins():
        client.force_login(user)
        page = client.get("/inbox/").content.decode()
        # work waiting on them, or this morning's notifications (the reports just produced, for reporting staff)
        assert 'id="inbox-empty"' not in page, user.username
        assert "data-section=" in page or 'id="inbox-unread"' in page, user.username


def test_demo_load_reads_like_a_live_office_whatever_the_day(demo_output: str) -> None:
    # Dated from today: items late by days or weeks, not years; done items finished in the past, mostly in time.
    today = today_local()
    late = list(WorkItem.objects.overdue())
    assert len(late) >= 10
    assert max((today - item.deadline).days for item in late) <= 75
    done = WorkItem.objects.filter(status__in=[Status.COMPLETED, Status.CLOSED])
    assert all(item.completed_on <= today for item in done)
    on_time = sum(item.completed_on <= item.deadline for item in done)
    assert on_time / done.count() > 0.7
    assert {item.year for item in WorkItem.objects.all()} <= {today.year - 2, today.year - 1, today.year}
    # and the weeks just past have completions for the weekly reports and the dashboard's trend
    assert done.filter(completed_on__gte=today - datetime.timedelta(weeks=4)).exists()
