"""The demo's citizens' requests (群众诉求): a "could not get it done" window at 五华区 and what became of them.

A small version of the seed's story: requests collected, some accepted and answered, some turned into work items,
one not accepted, one forwarded, some rated by their senders (one dissatisfied, so reopened), one still waiting
past its acceptance limit.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from apps.accounts.models import User
from apps.items.models import Category
from apps.public.models import CitizenRequest, Rating
from apps.public.rating import request_rate
from apps.public.request_services import (
    request_accept,
    request_answer,
    request_decline,
    request_forward,
    request_submit,
    request_turn_into_item,
)
from apps.workdays.days import add_working_days

# (category code, what happened, what became of it)
REQUESTS = [
    ("transport_parking", "华山南路公交站台没有遮雨棚，老人候车淋雨。", "item"),
    ("elderly_care", "社区老年食堂只在工作日开放，周末老人吃饭难。", "item"),
    ("water_supply", "文林街12号楼每天傍晚水压低，四楼以上常停水。", "answered_solved"),
    ("environment", "翠湖北路夜间施工噪音大，影响休息。", "answered_unsolved"),
    ("education", "学校门口上下学时段交通拥堵，缺少护学岗。", "answered_solved"),
    ("housing", "老旧小区楼道灯长期不亮。", "accepted"),
    ("business_environment", "办理营业执照变更要跑三个窗口。", "declined"),
    ("healthcare", "社区卫生服务站缺少儿科医生。", "forwarded"),
    ("grassroots_governance", "小区业委会换届迟迟未启动。", "waiting"),
]


def _backdate(request: CitizenRequest, days_ago: int) -> None:
    """Move a request sent now back by `days_ago` days, its acceptance due one working day after that."""
    sent = timezone.now() - datetime.timedelta(days=days_ago)
    accept_by = add_working_days(timezone.localdate(sent), 1)
    CitizenRequest.objects.filter(pk=request.pk).update(created_at=sent, accept_by=accept_by)
    request.steps.update(at=sent)


def demo_requests(*, admin: User) -> int:
    """Send, handle and rate the demo's requests at the administrator's unit; how many there are."""
    unit = admin.unit
    categories = {category.code: category for category in Category.objects.all()}
    other_unit = unit.children.order_by("path").first() or unit
    for index, (code, text, outcome) in enumerate(REQUESTS):
        category = categories[code]
        request = request_submit(category=category, unit=unit, text=text, may_contact=index % 2 == 0)
        if outcome == "waiting":
            _backdate(request, days_ago=6)  # past its acceptance limit: flagged in the queue
            continue
        if outcome == "declined":
            request_decline(request=request, by=admin, reason="该事项属于市场监管部门职责，已告知办理渠道：12345热线。")
            continue
        if outcome == "forwarded":
            request_forward(request=request, by=admin, unit=other_unit, note="属地街道办理")
            continue
        request = request_accept(request=request, by=admin)
        if outcome == "item":
            request_turn_into_item(
                request=request,
                by=admin,
                title=text.rstrip("。")[:40],
                content=text,
                deadline=timezone.localdate() + datetime.timedelta(days=90),
            )
        elif outcome.startswith("answered"):
            request = request_answer(request=request, by=admin, reply="已协调相关单位处理完毕，请您留意。")
            solved = outcome == "answered_solved"
            rating = Rating.SATISFIED if solved else Rating.DISSATISFIED
            request_rate(request=request, rating=rating, solved=solved, note="" if solved else "夜间仍有施工")
    return CitizenRequest.objects.count()
