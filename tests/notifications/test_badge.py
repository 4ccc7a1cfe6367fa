"""The to-do count in the top bar, kept in a cache every web node shares (Redis through CACHE_URL)."""

from __future__ import annotations

import datetime
import re

from django.core.cache import caches
from django.test import override_settings

from apps.items.models import Status
from apps.items.services import item_acknowledge, item_assign
from tests.conftest import official_of, travel_to
from tests.services import require_redis


def test_the_badge_is_shared_by_the_web_nodes_and_forgotten_when_the_person_acts(
    client, make_item, leader, township, django_capture_on_commit_callbacks
):
    url = require_redis(database=13)
    street = official_of(township)
    shared = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    with override_settings(CACHES=shared), travel_to(datetime.date(2026, 10, 12)):
        item = item_assign(item=make_item(Status.APPROVED, title="交办事项"), by=leader, responsible_unit=township)
        client.force_login(street)
        page = client.get("/items/").content.decode()
        assert re.search(r'id="inbox-badge"[^>]*>1<', page)
        # what the page counted is in Redis, where another web node reads it
        other_node = caches.create_connection("default")
        assert other_node.get(f"inbox-badge:{street.pk}") == {"todo": 1, "unread": 1}

        # when: the street acknowledges (on this node), the count is forgotten for every node once it is committed
        with django_capture_on_commit_callbacks(execute=True):
            item_acknowledge(item=item, by=street)
        assert other_node.get(f"inbox-badge:{street.pk}") is None
        page = client.get("/items/").content.decode()
    assert 'id="inbox-badge"' not in page
