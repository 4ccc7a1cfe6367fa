"""The demo's notices: one of each state the notice pages show, and a chase."""

from __future__ import annotations

import pytest

from apps.demo.loading import demo_load
from apps.supervision.models import Chase, Notice, NoticeColour, NoticeStatus

pytestmark = pytest.mark.django_db


def test_demo_notices_one_of_each_state():
    # given the demo, loaded
    assert demo_load()
    # then
    states = set(Notice.objects.values_list("colour", "status"))
    assert (NoticeColour.BLUE, NoticeStatus.ANSWERED) in states
    assert (NoticeColour.BLUE, NoticeStatus.ESCALATED) in states
    orange = Notice.objects.get(colour=NoticeColour.ORANGE)
    assert orange.escalated_from.colour == NoticeColour.BLUE
    red = Notice.objects.get(colour=NoticeColour.RED)
    assert red.is_overdue
    assert list(Notice.objects.overdue()) == [red]
    assert Chase.objects.filter(item=red.item).count() == 1
