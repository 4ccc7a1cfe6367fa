"""The public pages' cast: published and unpublished items of 五华区, a responsible person with a phone and an email."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from apps.accounts.models import Role, User
from apps.items.models import Action, Status, WorkItem
from apps.items.services import item_apply_action
from apps.org.models import Unit
from tests.factories import UserFactory

PHONE = "13812345678"
SUSPEND_REASON = "资金审批暂缓，待财政批复"
EMAIL = "zhou.hao@example.gov.cn"


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Every test starts with nothing cached: the public pages keep what they read for minutes."""
    cache.clear()


@pytest.fixture
def responsible(district: Unit) -> User:
    """The responsible person, whose phone and email must never reach the public."""
    person = UserFactory(username="zhouhao", full_name="周浩", unit=district, roles=[Role.OFFICIAL])
    User.objects.filter(pk=person.pk).update(phone=PHONE, email=EMAIL)
    return person


@pytest.fixture
def make_public_item(
    make_item: Callable[..., WorkItem], leader: User, responsible: User, district: Unit
) -> Callable[..., WorkItem]:
    """An item brought to `status` and, unless `publish` is false, published by the leader; 周浩 is responsible
    for the items of 五华区. A suspended item is published first and suspended with SUSPEND_REASON."""

    def make(status: str = Status.IN_PROGRESS, *, publish: bool = True, **fields: Any) -> WorkItem:
        fields.setdefault("responsible_person", responsible if fields.get("unit", district) == district else None)
        item = make_item(Status.IN_PROGRESS if status == Status.SUSPENDED else status, **fields)
        if publish:
            item_apply_action(item=item, by=leader, action=Action.PUBLISH)
        if status == Status.SUSPENDED:
            item_apply_action(item=item, by=leader, action=Action.SUSPEND, reason=SUSPEND_REASON)
        item.refresh_from_db()
        return item

    return make
