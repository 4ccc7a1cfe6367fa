"""The API's JSON renderer: orjson's speed, DRF's JSON."""

from __future__ import annotations

import datetime
import decimal
import uuid
import zoneinfo

from django.utils.translation import override
from rest_framework.renderers import JSONRenderer

from apps.core.renderers import PortalJSONRenderer
from apps.items.models import Status

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def payload() -> dict:
    return {
        "text": "五华区\u2028第二行\u2029",
        "lazy": Status.DRAFT.label,
        "numbers": [1, 2.5, -3, True, None, decimal.Decimal("12.30")],
        "utc": datetime.datetime(2026, 5, 1, 2, 3, 4, 123456, tzinfo=datetime.UTC),
        "local": datetime.datetime(2026, 5, 1, 10, 3, 4, 120000, tzinfo=SHANGHAI),
        "naive": datetime.datetime(2026, 5, 1, 10, 3, 4),
        "day": datetime.date(2026, 5, 1),
        "time": datetime.time(8, 30, 15, 500000),
        "span": datetime.timedelta(hours=1, seconds=3),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "nested": {"rows": ({"a": 1},), 7: "int key", "set": frozenset({"only"})},
    }


def test_portal_json_renderer_writes_the_bytes_drf_writes():
    with override("zh-hans"):
        assert PortalJSONRenderer().render(payload()) == JSONRenderer().render(payload())


def test_portal_json_renderer_escapes_line_separators_as_drf_does():
    rendered = PortalJSONRenderer().render({"text": "a\u2028b\u2029c"})

    assert rendered == b'{"text":"a\\u2028b\\u2029c"}'


def test_portal_json_renderer_leaves_indented_output_to_drf():
    media_type = "application/json; indent=4"

    rendered = PortalJSONRenderer().render({"a": [1]}, media_type, {})

    assert rendered == JSONRenderer().render({"a": [1]}, media_type, {})
    assert b"\n    " in rendered


def test_portal_json_renderer_hands_what_orjson_refuses_to_drf():
    assert PortalJSONRenderer().render({"big": 2**70}) == b'{"big":1180591620717411303424}'
    assert PortalJSONRenderer().render(None) == b""
