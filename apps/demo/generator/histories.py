# Performance-critical: guarded by bench/report.py (generating 2,000,000 items); run `make bench` after changing it.
"""The recorded story of a generated item: its transitions and progress notes, dated to fit its columns.

Seven items in ten were logged in the portal and carry their story (created, submitted, approved, published,
assigned down and acknowledged, started, progress reported, completed, closed, returned and done again,
suspended, cancelled, extended); the rest were carried over from the ledgers kept before it and carry none,
as an imported ledger's would. Reports replay the stories (apps/reports/snapshot.py): the status each one
reaches is the item's status, its last progress note the item's progress, and its dates are the item's dates.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from apps.items.models import Action, Status
from apps.workdays.days import WorkCalendar

HISTORY_SHARE = 0.7  # of the items, those logged in the portal, with their transitions
HANDED_DOWN_SHARE = 0.25  # of a leadership team's plans logged in the portal, assigned to a unit below (交办)
LATE_ACKNOWLEDGEMENT_SHARE = 0.15
WAITING_SHARE = 0.2  # of the handed-down items still approved (not started), not acknowledged yet
EXTENDED_SHARE = 0.06  # of the items being delivered or done, given a later deadline (延期)
RETURNED_BEFORE_SHARE = 0.05  # of the items done, returned once by the supervisor and done again
PUBLIC_NOTE_SHARE = 0.3  # of the progress notes of a published item, shown on the public pages

TRANSITION_COLUMNS = ("item_id", "action", "from_status", "to_status", "by_id", "at", "reason", "due")
PROGRESS_COLUMNS = ("item_id", "by_id", "at", "note", "percent", "is_public")

PROGRESS_NOTES = (
    "已完成前期摸底调查，形成工作方案",
    "已召开专题会议部署推进，明确责任分工",
    "项目已开工建设，按计划推进",
    "已完成主体工作，正在收尾",
    "已走访群众征求意见，逐项落实整改",
    "资金已落实到位，正在组织实施",
)
RETURN_REASONS = ("整改不到位，退回重办", "佐证材料不全，请补充后重新办结", "群众反映问题仍未解决，退回重办")
SUSPEND_REASONS = ("因政策调整暂缓实施", "待上级审批，暂停办理", "因季节原因暂停施工")
CANCEL_REASONS = ("经研究不再列入计划", "与其他事项合并办理", "情况变化，取消办理")
EXTENSION_REASONS = ("涉及多部门协调，需延长办理时限", "受天气影响工期顺延", "资金到位较晚，申请延期")

STATUS_OF = {
    Action.CREATE: Status.DRAFT,
    Action.SUBMIT: Status.SUBMITTED,
    Action.APPROVE: Status.APPROVED,
    Action.START: Status.IN_PROGRESS,
    Action.COMPLETE: Status.COMPLETED,
    Action.CLOSE: Status.CLOSED,
    Action.RETURN: Status.RETURNED,
    Action.SUSPEND: Status.SUSPENDED,
    Action.CANCEL: Status.CANCELLED,
}
UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@dataclass
class Story:
    """What an item's story adds to its row: the columns it sets, and its transitions and progress notes."""

    transitions: list[tuple] = field(default_factory=list)  # TRANSITION_COLUMNS without the item id
    progress: list[tuple] = field(default_factory=list)  # PROGRESS_COLUMNS without the item id
    original_deadline: datetime.date | None = None
    acknowledge_by: datetime.date | None = None
    acknowledged_at: datetime.datetime | None = None


class StoryTeller:
    """Dates every step of an item's story between its creation and its last step (completion, or now)."""

    def __init__(
        self, *, rng: random.Random, zone: datetime.tzinfo, now: datetime.datetime, acknowledge_days: int
    ) -> None:
        # Steps are dated in UTC: comparing and moving datetimes of a fixed zone is several times quicker.
        self.rng, self.zone, self.now = rng, zone, now.astimezone(UTC)
        self.calendar = WorkCalendar()
        self.acknowledge_days = acknowledge_days

    def _at(self, day: datetime.date, hour: int) -> datetime.datetime:
        local = datetime.datetime(day.year, day.month, day.day, hour, int(self.rng.random() * 60), tzinfo=self.zone)
        return local.astimezone(UTC)

    def story(
        self,
        *,
        status: str,
        created: datetime.datetime,
        deadline: datetime.date,
        completed_on: datetime.date | None,
        closed_at: datetime.datetime | None,
        published_at: datetime.datetime | None,
        progress: int,
        person: int | None,
        handed_down: bool,
    ) -> Story:
        """The steps that lead from a new draft to `status`, with the item's own dates where it has them."""
        random = self.rng.random
        steps: list[tuple[datetime.datetime, str, datetime.date | None, str]] = []  # (at, action, due, reason)
        notes: list[tuple[datetime.datetime, int]] = []
        story = Story()
        created = created.astimezone(UTC)
        closed_at = closed_at and closed_at.astimezone(UTC)
        published_at = published_at and published_at.astimezone(UTC)
        now = self.now - datetime.timedelta(minutes=1)
        complete_at = None
        if completed_on is not None:
            complete_at = min(self._at(completed_on, 14), closed_at - HOUR if closed_at else now, now)
            complete_at = max(complete_at, created + 10 * datetime.timedelta(minutes=1))
        end = complete_at or now
        span = end - created
        steps.append((created, Action.CREATE, None, ""))
        if status == Status.DRAFT:
            return self._written(story, steps, notes, person)
        at = created + min(2 * HOUR, span * 0.02)
        steps.append((at, Action.SUBMIT, None, ""))
        if status == Status.SUBMITTED:
            return self._written(story, steps, notes, person)
        at += min(HOUR * (2 + 28 * random()), span * 0.05)
        steps.append((at, Action.APPROVE, None, ""))
        if published_at is not None:
            steps.append((max(min(published_at, end), at + datetime.timedelta(minutes=1)), Action.PUBLISH, None, ""))
        if status == Status.CANCELLED:
            steps.append((at + span * (0.1 + 0.8 * random()), Action.CANCEL, None, self.rng.choice(CANCEL_REASONS)))
            return self._written(story, steps, notes, person)
        if handed_down:
            at += min(HOUR, span * 0.01)
            story.acknowledge_by = self.calendar.add(at.astimezone(self.zone).date(), self.acknowledge_days)
            steps.append((at, Action.ASSIGN, story.acknowledge_by, "交办至责任单位"))
            if status != Status.APPROVED or random() >= WAITING_SHARE:
                late = random() < LATE_ACKNOWLEDGEMENT_SHARE
                delay = DAY * (self.acknowledge_days + 1 + 5 * random()) if late else HOUR * (1 + 40 * random())
                at += min(delay, span * 0.1)
                story.acknowledged_at = at
                steps.append((at, Action.ACKNOWLEDGE, story.acknowledge_by, ""))
        if status == Status.APPROVED or (status == Status.SUSPENDED and progress == 0):
            if status == Status.SUSPENDED:
                suspended_at = at + span * (0.2 + 0.6 * random())
                steps.append((suspended_at, Action.SUSPEND, None, self.rng.choice(SUSPEND_REASONS)))
            return self._written(story, steps, notes, person)
        at += min(DAY * 3 * random(), span * 0.05)
        steps.append((at, Action.START, None, ""))
        work = end - at
        # Completing sets 100%: the notes of a done item stop short of it.
        last_percent = 50 + 5 * int(random() * 9) if status in (Status.COMPLETED, Status.CLOSED) else progress
        finish = 0.95
        if status == Status.RETURNED:
            finish = 0.6 + 0.2 * random()  # done once, then returned: the work stops at the return
        elif status == Status.SUSPENDED:
            finish = 0.4 + 0.5 * random()
        count = 1 + int(random() * 3) if last_percent > 0 else 0
        moments = sorted(at + work * (0.1 + (finish - 0.15) * random()) for _ in range(count))
        percents = sorted(5 * int(random() * last_percent / 5) for _ in range(count - 1)) + [last_percent]
        notes += zip(moments, percents[-count:] if count else [], strict=True)
        if random() < EXTENDED_SHARE and status != Status.SUSPENDED:
            original = deadline - self._days(15, 60)
            ask = min(at + work * 0.3, self._at(original, 10))
            if ask > at + HOUR:
                story.original_deadline = original
                reason = self.rng.choice(EXTENSION_REASONS)
                steps.append((ask, Action.REQUEST_EXTENSION, None, f"申请延期至{deadline.isoformat()}：{reason}"))
                steps.append((ask + HOUR, Action.GRANT_EXTENSION, None, f"期限由{original}延至{deadline}"))
        if status == Status.RETURNED:
            first = at + work * finish
            steps.append((first, Action.COMPLETE, deadline, ""))
            steps.append((first + (end - first) * 0.3, Action.RETURN, None, self.rng.choice(RETURN_REASONS)))
        elif status == Status.SUSPENDED:
            steps.append((at + work * finish, Action.SUSPEND, None, self.rng.choice(SUSPEND_REASONS)))
        elif complete_at is not None:
            if random() < RETURNED_BEFORE_SHARE:
                first = at + work * 0.96
                steps.append((first, Action.COMPLETE, deadline, ""))
                steps.append((first + work * 0.01, Action.RETURN, None, self.rng.choice(RETURN_REASONS)))
                steps.append((first + work * 0.02, Action.START, None, ""))
            steps.append((complete_at, Action.COMPLETE, deadline, ""))
            if closed_at is not None:
                steps.append((max(closed_at, complete_at + datetime.timedelta(minutes=1)), Action.CLOSE, None, ""))
        return self._written(story, steps, notes, person)

    def _days(self, low: int, high: int) -> datetime.timedelta:
        return datetime.timedelta(days=low + int(self.rng.random() * (high - low + 1)))

    def _written(
        self,
        story: Story,
        steps: list[tuple[datetime.datetime, str, datetime.date | None, str]],
        notes: list[tuple[datetime.datetime, int]],
        person: int | None,
    ) -> Story:
        """The steps in time order with the states they lead from and to; each note with its POST_PROGRESS step."""
        for at, percent in notes:
            steps.append(
                (at, Action.POST_PROGRESS, None, f"{percent}% {PROGRESS_NOTES[percent % len(PROGRESS_NOTES)]}")
            )
        steps.sort(key=lambda step: step[0])
        status = ""
        for at, action, due, reason in steps:
            to_status = STATUS_OF.get(action, status)
            story.transitions.append((action, status, to_status, person, at, reason, due))
            status = to_status
        story.progress = [
            (person, at, PROGRESS_NOTES[percent % len(PROGRESS_NOTES)], percent, self.rng.random() < PUBLIC_NOTE_SHARE)
            for at, percent in notes
        ]
        return story
