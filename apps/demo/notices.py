"""The demo's supervision notices (三色督办单) and a chase (催办), on items the demo has just driven.

A blue notice answered, an orange one escalated from a blue one, a red one past its reply deadline and a chase
of the red one's item: every state the notice pages show.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from apps.accounts.models import User
from apps.items.models import Status, WorkItem, today_local
from apps.supervision.models import Notice, NoticeColour
from apps.supervision.notices import chase_send, default_reply_by, notice_escalate, notice_issue, notice_reply
from apps.workdays.days import add_working_days

BLUE_REQUIREMENTS = "该事项进度滞后于序时进度，请于反馈期限前报送推进情况及下一步措施。"
ORANGE_REQUIREMENTS = "蓝色督办后仍无实质进展，请主要负责同志亲自过问，限期报送整改情况并附佐证材料。"
RED_REQUIREMENTS = "事项已逾期，列入红色督办，请立即整改到位，逾期未反馈将予以通报。"
BLUE_REPLY = "已召开专题推进会，明确专人负责，施工队伍已进场，预计两周内完成主体工程。"


def _backdate(notice: Notice, *, days_ago: int, reply_days: int) -> None:
    """Move a notice issued now back by `days_ago` days, its reply due `reply_days` working days after that."""
    issued_at = timezone.now() - datetime.timedelta(days=days_ago)
    reply_by = add_working_days(timezone.localdate(issued_at), reply_days)
    Notice.objects.filter(pk=notice.pk).update(issued_at=issued_at, reply_by=reply_by)
    notice.events.update(at=issued_at)


def demo_notices(*, supervisor: User) -> int:
    """Issue the demo's notices as the city's supervisor; how many notices there are."""
    candidates = list(
        WorkItem.objects.in_subtree(supervisor.unit.path)
        .filter(status=Status.IN_PROGRESS, responsible_person__isnull=False)
        .select_related("responsible_person")
        .order_by("deadline", "id")
    )
    if len(candidates) < 3:
        return 0
    late = next((item for item in candidates if item.deadline < today_local()), candidates[0])
    others = [item for item in candidates if item.pk != late.pk]
    blue_item, orange_item = others[-1], others[-2]  # due latest: still time to answer

    blue = notice_issue(
        item=blue_item,
        by=supervisor,
        colour=NoticeColour.BLUE,
        requirements=BLUE_REQUIREMENTS,
        reply_by=default_reply_by(),
        number=f"督办〔{today_local().year}〕1号",
    )
    notice_reply(notice=blue, by=blue_item.responsible_person, text=BLUE_REPLY)

    first = notice_issue(
        item=orange_item,
        by=supervisor,
        colour=NoticeColour.BLUE,
        requirements=BLUE_REQUIREMENTS,
        reply_by=default_reply_by(),
        number=f"督办〔{today_local().year}〕2号",
    )
    _backdate(first, days_ago=12, reply_days=5)  # no reply came in time: escalated
    notice_escalate(
        notice=first, by=supervisor, requirements=ORANGE_REQUIREMENTS, number=f"督办〔{today_local().year}〕3号"
    )

    red = notice_issue(
        item=late,
        by=supervisor,
        colour=NoticeColour.RED,
        requirements=RED_REQUIREMENTS,
        reply_by=default_reply_by(),
        number=f"督办〔{today_local().year}〕4号",
    )
    _backdate(red, days_ago=10, reply_days=3)  # past its reply deadline, waiting: flagged
    chase_send(item=late, by=supervisor, note="请尽快反馈红色督办单")
    return Notice.objects.count()
