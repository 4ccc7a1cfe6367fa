"""factory_boy factories that build rows through the same services the portal uses."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import Role, User
from apps.accounts.services import user_create
from apps.items.models import Category, ItemKind, OwnerType, WorkItem, today_local
from apps.items.services import item_create
from apps.org.models import Unit, UnitLevel
from apps.org.services import unit_create


def other_category() -> Category:
    # The categories come from a data migration; get_or_create keeps the factory working after a flush.
    return Category.objects.get_or_create(code="other", defaults={"name": "其他", "name_en": "Other"})[0]


class UnitFactory(DjangoModelFactory):
    """A unit created by unit_create, so its path and depth are right."""

    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    code = factory.Sequence(lambda n: f"U{n:04d}")
    level = UnitLevel.COUNTY
    parent = None

    @classmethod
    def _create(cls, model_class: type[Unit], *args: Any, **kwargs: Any) -> Unit:
        return unit_create(**kwargs)


class UserFactory(DjangoModelFactory):
    """A user in a unit with roles, created by user_create."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"干部{n}")
    password = "test-password-1"
    unit = factory.SubFactory(UnitFactory)
    roles = (Role.OFFICIAL,)

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return user_create(**kwargs)


class WorkItemFactory(DjangoModelFactory):
    """A draft item logged by item_create; `by` is who logs it (an official of the unit by default)."""

    class Meta:
        model = WorkItem

    class Params:
        service_list = factory.Trait(kind=ItemKind.SERVICE_LIST, owner_type=OwnerType.PARTY_MEMBER)

    unit = factory.SubFactory(UnitFactory)
    by = factory.SubFactory(UserFactory, unit=factory.SelfAttribute("..unit"))
    kind = ItemKind.LIVELIHOOD_PLAN
    owner_type = OwnerType.LEADERSHIP_TEAM
    title = factory.Sequence(lambda n: f"老旧小区改造第{n}项")
    category = factory.LazyFunction(other_category)
    deadline = factory.LazyFunction(lambda: today_local() + datetime.timedelta(days=90))

    @classmethod
    def _create(cls, model_class: type[WorkItem], *args: Any, **kwargs: Any) -> WorkItem:
        return item_create(**kwargs)
