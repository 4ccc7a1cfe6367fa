"""The fixed cast for permission tests and helpers to put an item in any state through the services.

The tree: 昆明市 (city) > 五华区 (the owner's district) > 华山街道 (a township), and 盘龙区, a sibling district.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.models import Role, User
from apps.items.models import Action, Status, WorkItem
from apps.items.services import (
    item_apply_action,
    item_assign,
    item_delete_draft,
    item_grant_extension,
    item_post_progress,
    item_refuse_extension,
    item_request_extension,
)
from apps.org.models import Unit, UnitLevel
from tests.factories import UnitFactory, UserFactory, WorkItemFactory

# The dashboards' items to count (`spread`), shared by the dashboard pages' and the API's tests.
pytest_plugins = ["tests.dashboards.counting"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache: the dashboards' entries and the generations they are kept under
    (apps/core/generations.py) live in the process's memory, and the database of the test before is gone."""
    cache.clear()
    yield


# The moves that bring a fresh draft to each state, as the people of the cast would make them.
ROUTE_TO_STATUS: dict[str, list[str]] = {
    Status.DRAFT: [],
    Status.SUBMITTED: [Action.SUBMIT],
    Status.APPROVED: [Action.SUBMIT, Action.APPROVE],
    Status.IN_PROGRESS: [Action.SUBMIT, Action.APPROVE, Action.START],
    Status.COMPLETED: [Action.SUBMIT, Action.APPROVE, Action.START, Action.COMPLETE],
    Status.CLOSED: [Action.SUBMIT, Action.APPROVE, Action.START, Action.COMPLETE, Action.CLOSE],
    Status.RETURNED: [Action.SUBMIT, Action.APPROVE, Action.START, Action.COMPLETE, Action.RETURN],
    Status.SUSPENDED: [Action.SUBMIT, Action.APPROVE, Action.START, Action.SUSPEND],
    Status.CANCELLED: [Action.CANCEL],
}

# Which member of the cast normally takes each action.
ACTOR_OF_ACTION: dict[str, str] = {
    Action.SUBMIT: "owner",
    Action.START: "owner",
    Action.POST_PROGRESS: "owner",
    Action.COMPLETE: "owner",
    Action.APPROVE: "leader",
    Action.REVISE: "leader",
    Action.DELETE_DRAFT: "owner",
    Action.PUBLISH: "leader",
    Action.ASSIGN: "leader",
    Action.SUSPEND: "leader",
    Action.RESUME: "leader",
    Action.CANCEL: "leader",
    Action.CLAIM: "leader",
    Action.CLOSE: "supervisor",
    Action.RETURN: "supervisor",
    Action.ACKNOWLEDGE: "owner",
    Action.DECLINE: "owner",
    Action.REQUEST_EXTENSION: "owner",
    Action.GRANT_EXTENSION: "leader",
    Action.REFUSE_EXTENSION: "leader",
}

REASON = "群众反映问题未解决"
# The moves the responsible side takes (DOMAIN.md "Who may do what").
RESPONSIBLE_SIDE_WORK = frozenset(
    {Action.START, Action.POST_PROGRESS, Action.COMPLETE, Action.ACKNOWLEDGE, Action.DECLINE, Action.REQUEST_EXTENSION}
)


@contextlib.contextmanager
def travel_to(day: datetime.date, hour: int = 10) -> Iterator[None]:
    """Run the block as if it were `hour` o'clock on `day` in Asia/Shanghai."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def official_of(unit: Unit) -> User:
    """An official of `unit`, made the first time one is needed."""
    person = User.objects.filter(unit=unit, username=f"official-{unit.code}").first()
    return person or UserFactory(username=f"official-{unit.code}", unit=unit, roles=[Role.OFFICIAL])


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    """An API client holding the user's token, as a program would; anonymous without a user."""

    def client_for(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """A media folder of the test's own, so stored files never leak between tests."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def city(db: None) -> Unit:
    return UnitFactory(name="昆明市", code="KM", level=UnitLevel.CITY)


@pytest.fixture
def district(city: Unit) -> Unit:
    return UnitFactory(name="五华区", code="WH", level=UnitLevel.COUNTY, parent=city)


@pytest.fixture
def sibling_district(city: Unit) -> Unit:
    return UnitFactory(name="盘龙区", code="PL", level=UnitLevel.COUNTY, parent=city)


@pytest.fixture
def township(district: Unit) -> Unit:
    return UnitFactory(name="华山街道", code="HS", level=UnitLevel.TOWNSHIP, parent=district)


@pytest.fixture
def owner(district: Unit) -> User:
    """The official who logs and works the item."""
    return UserFactory(username="owner", full_name="张敏", unit=district, roles=[Role.OFFICIAL])


@pytest.fixture
def colleague(district: Unit) -> User:
    """Another official of the owner's unit."""
    return UserFactory(username="colleague", full_name="李强", unit=district, roles=[Role.OFFICIAL])


@pytest.fixture
def outsider(sibling_district: Unit) -> User:
    """Holds every role but system administrator, in the sibling district: place alone must refuse them."""
    roles = [Role.OFFICIAL, Role.UNIT_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.REPORTING_STAFF]
    return UserFactory(username="outsider", full_name="王芳", unit=sibling_district, roles=roles)


@pytest.fixture
def leader(city: Unit) -> User:
    """A leader of the city above the owner's district."""
    return UserFactory(username="leader", full_name="赵书记", unit=city, roles=[Role.LEADER])


@pytest.fixture
def supervisor(city: Unit) -> User:
    """A supervisor of the city above the owner's district."""
    return UserFactory(username="supervisor", full_name="刘督查", unit=city, roles=[Role.SUPERVISOR])


@pytest.fixture
def unit_admin(district: Unit) -> User:
    return UserFactory(username="unit_admin", full_name="陈管理", unit=district, roles=[Role.UNIT_ADMIN])


@pytest.fixture
def system_admin(db: None) -> User:
    return UserFactory(username="system_admin", full_name="系统管理员", unit=None, roles=[Role.SYSTEM_ADMIN])


@pytest.fixture
def item(owner: User, district: Unit) -> WorkItem:
    """A draft livelihood-plan item of the owner's district, logged by the owner."""
    return WorkItemFactory(unit=district, by=owner)


@pytest.fixture
def actor_for(owner: User, leader: User, supervisor: User) -> Callable[..., User]:
    """The member of the cast who normally takes an action; on an item that another unit has in hand, the
    work (start, progress, complete) is done by an official of that unit."""
    cast = {"owner": owner, "leader": leader, "supervisor": supervisor}

    def actor(action: str, item: WorkItem | None = None) -> User:
        if item is not None and action in RESPONSIBLE_SIDE_WORK and item.responsible_unit_id != owner.unit_id:
            return official_of(item.responsible_unit)
        return cast[ACTOR_OF_ACTION[action]]

    return actor


@pytest.fixture
def perform() -> Callable[..., Any]:
    """Run any action through its service with plausible inputs."""

    def run(action: str, *, item: WorkItem, by: User, reason: str = REASON) -> Any:
        if action == Action.POST_PROGRESS:
            return item_post_progress(item=item, by=by, note="已完成管网铺设", percent=100)
        if action == Action.ASSIGN:
            return item_assign(item=item, by=by, responsible_unit=item.responsible_unit, letter="交办函〔2021〕1号")
        if action == Action.DELETE_DRAFT:
            return item_delete_draft(item=item, by=by)
        if action == Action.REQUEST_EXTENSION:
            later = item.deadline + datetime.timedelta(days=30)
            return item_request_extension(item=item, by=by, deadline=later, reason=reason)
        if action == Action.GRANT_EXTENSION:
            return item_grant_extension(item=item, by=by)
        if action == Action.REFUSE_EXTENSION:
            return item_refuse_extension(item=item, by=by, reason=reason)
        return item_apply_action(item=item, by=by, action=action, reason=reason)

    return run


@pytest.fixture
def make_item(
    owner: User, district: Unit, actor_for: Callable[[str], User], perform: Callable[..., Any]
) -> Callable[..., WorkItem]:
    """An item of the owner's district brought to `status` through the services."""

    def make(status: str = Status.DRAFT, **fields: Any) -> WorkItem:
        fields.setdefault("unit", district)
        fields.setdefault("by", owner)
        item = WorkItemFactory(**fields)
        for action in ROUTE_TO_STATUS[status]:
            perform(action, item=item, by=actor_for(action, item))
        item = WorkItem.objects.get(pk=item.pk)
        assert item.status == status
        return item

    return make


@pytest.fixture
def item_state() -> Callable[[WorkItem], tuple]:
    """Everything a refused action must leave untouched, read fresh from the database."""

    def read(item: WorkItem) -> tuple:
        fresh = WorkItem.objects.get(pk=item.pk)
        return (
            fresh.status,
            fresh.progress_percent,
            fresh.completed_on,
            fresh.closed_at,
            fresh.is_published,
            fresh.lead_leader_id,
            fresh.responsible_unit_id,
            fresh.updated_at,
            fresh.transitions.count(),
            fresh.history.count(),
            fresh.progress_updates.count(),
        )

    return read
