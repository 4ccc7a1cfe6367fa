"""Saying what happened to whom: notifications written as things happen and by the daily run, and the digests.

Things that happen (an assignment, a return, a decision) are written in the transaction of the change, by the
receivers in `signals.py`. Things that fall due (an acknowledgement, a deadline near or passed) are found by
`notifications_daily_run`, run by beat every morning. Each is one row per (person, event, item, day), so saying
it twice the same day says it once; the digest then sends each person one email with what is new.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from apps.accounts.models import Role, User
from apps.items.models import (
    ACTIVE_STATUS_LIST,
    ACTIVE_STATUSES,
    Acknowledgement,
    WorkItem,
    acknowledgement_q,
    today_local,
)
from apps.items.rules import RESPONSIBLE_SIDE_ROLES
from apps.notifications.badge import badge_forget
from apps.notifications.models import EmailChoice, Event, Notification
from apps.org.supervision import settings_for_paths
from apps.reports.models import Report, ReportStatus
from apps.supervision.models import NoticeStatus
from apps.supervision.services import MOST_WARNING_DAYS
from apps.workdays.days import WorkCalendar

logger = logging.getLogger(__name__)

# Overdue items are said again every this many days while they stay overdue; so are late acknowledgements.
REPEAT_EVERY_DAYS = 7
# How far back the repeats look: items overdue for longer are said no more by the daily run (the inbox keeps
# them listed).
REPEAT_FOR_DAYS = 2 * 366
# A digest carries what was written in the last few days and not yet sent; older rows are left to the page.
DIGEST_DAYS = 7
DIGEST_BATCH = 200
BATCH = 5000
# What the daily run says (the rest is said as it happens, by signals.py).
DAILY_EVENTS = (Event.ACKNOWLEDGEMENT_DUE, Event.OVERDUE, Event.DUE_SOON, Event.REPORT_READY)
# Reports finished since this long ago are said to the reporting staff of their unit (once each).
REPORTS_SINCE = datetime.timedelta(days=2)


def item_link(item_id: int) -> str:
    return reverse("items:detail", args=[item_id])


def responsible_people(items: Iterable[WorkItem | dict]) -> dict[int, list[int]]:
    """Item id -> who is told about its work: the responsible person, else the responsible unit's administrators
    (who hand the work out), else, in a unit with none, its officials."""
    rows = [item if isinstance(item, dict) else _row(item) for item in items]
    units = {row["responsible_unit_id"] for row in rows if not row["responsible_person_id"]}
    workers: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    if units:
        people = (
            User.objects.filter(unit_id__in=units, is_active=True, role_assignments__role__in=RESPONSIBLE_SIDE_ROLES)
            .values_list("unit_id", "role_assignments__role", "pk")
            .order_by("pk")
        )
        for unit_id, role, person_id in people:
            workers[unit_id][role].append(person_id)

    def of_unit(unit_id: int) -> list[int]:
        roles = workers.get(unit_id, {})
        return roles.get(Role.UNIT_ADMIN) or roles.get(Role.OFFICIAL) or []

    return {
        row["id"]: [row["responsible_person_id"]]
        if row["responsible_person_id"]
        else of_unit(row["responsible_unit_id"])
        for row in rows
    }


def _row(item: WorkItem) -> dict:
    return {
        "id": item.pk,
        "responsible_person_id": item.responsible_person_id,
        "responsible_unit_id": item.responsible_unit_id,
    }


def notify(
    *,
    event: str,
    item: WorkItem,
    people: Iterable[int | None],
    text: str,
    day: datetime.date | None = None,
    link: str = "",
    notice_id: int | None = None,
) -> None:
    """Tell each of `people` (ids) about `item` (linking to `link`, by default the item's page); said already
    today, it is not said again."""
    day = day or today_local()
    link = link or item_link(item.pk)
    told = sorted({person for person in people if person})
    rows = [
        Notification(recipient_id=person, event=event, item=item, notice_id=notice_id, day=day, text=text, link=link)
        for person in told
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    badges_forget(told)


def badges_forget(people: Iterable[int | None]) -> None:
    """Once the change is committed, count these people's badges afresh on their next page."""
    people = [person for person in people if person]
    transaction.on_commit(lambda: [badge_forget(person) for person in people])


def _write(rows: list[Notification]) -> None:
    for start in range(0, len(rows), BATCH):
        Notification.objects.bulk_create(rows[start : start + BATCH], ignore_conflicts=True)


@dataclass
class DailyRun:
    """What one morning's run found and sent."""

    notifications: int = 0  # written today by the run (those said already today are not written twice)
    digests: int = 0  # emails sent


def _weekly_back(day: datetime.date) -> list[datetime.date]:
    """`day` and the same weekday back over REPEAT_FOR_DAYS: the limits whose "on the day, then weekly" is today."""
    return [day - datetime.timedelta(days=weeks * REPEAT_EVERY_DAYS) for weeks in range(REPEAT_FOR_DAYS // 7 + 1)]


def _say_about(items, *, event: str, day: datetime.date, text_of, fields: tuple[str, ...] = ()) -> list[Notification]:
    rows = list(
        items.values("id", "number", "title", "responsible_person_id", "responsible_unit_id", *fields).iterator(
            chunk_size=BATCH
        )
    )
    people = responsible_people(rows)
    return [
        Notification(
            recipient_id=person, event=event, item_id=row["id"], day=day, text=text_of(row), link=item_link(row["id"])
        )
        for row in rows
        for person in people[row["id"]]
    ]


def notifications_daily_run(*, today: datetime.date | None = None, send: bool = True) -> DailyRun:
    """Find what falls due today and tell the people who do the work; then send the digests.

    Run twice the same day, it writes and sends nothing the second time.
    """
    today = today or today_local()
    run = DailyRun()
    calendar = WorkCalendar()
    active = WorkItem.objects.filter(status__in=ACTIVE_STATUS_LIST).order_by()

    with override(settings.LANGUAGE_CODE):
        # Acknowledgement due (签收): on the last day allowed, then weekly while it still waits.
        waiting = WorkItem.objects.filter(acknowledgement_q(Acknowledgement.WAITING)).order_by()
        rows = _say_about(
            waiting.filter(acknowledge_by__in=_weekly_back(today)),
            event=Event.ACKNOWLEDGEMENT_DUE,
            day=today,
            fields=("acknowledge_by",),
            text_of=lambda row: (
                _("%(number)s %(title)s: acknowledge by %(day)s.")
                % {"number": row["number"], "title": row["title"], "day": row["acknowledge_by"].isoformat()}
            ),
        )
        # Overdue: the first day past the deadline, then weekly.
        rows += _say_about(
            active.filter(deadline__in=_weekly_back(today - datetime.timedelta(days=1))),
            event=Event.OVERDUE,
            day=today,
            fields=("deadline",),
            text_of=lambda row: (
                _("%(number)s %(title)s is overdue: the deadline was %(day)s.")
                % {"number": row["number"], "title": row["title"], "day": row["deadline"].isoformat()}
            ),
        )
        rows += _due_soon(active, today=today, calendar=calendar)
        rows += _reports_ready(today=today)
        today_rows = Notification.objects.filter(day=today, event__in=DAILY_EVENTS)
        before = today_rows.count()
        _write(rows)
        run.notifications = today_rows.count() - before
        if send:
            run.digests = digests_send(today=today)
    logger.info("Daily run %s: %s notifications written, %s digests sent", today, run.notifications, run.digests)
    return run


def _due_soon(active, *, today: datetime.date, calendar: WorkCalendar) -> list[Notification]:
    """Once, on the first morning an item is within its unit's warning window (its deadline near)."""
    # No unit's warning window is longer than MOST_WARNING_DAYS working days.
    candidates = active.filter(deadline__gte=today, deadline__lte=calendar.add(today, MOST_WARNING_DAYS))
    said = set(Notification.objects.filter(event=Event.DUE_SOON, item__in=candidates).values_list("item_id", flat=True))
    rows = list(
        candidates.values(
            "id", "number", "title", "deadline", "responsible_person_id", "responsible_unit_id", "unit__path"
        ).iterator(chunk_size=BATCH)
    )
    unit_settings = settings_for_paths({row["unit__path"] for row in rows})
    ends: dict[int, datetime.date] = {}
    near = []
    for row in rows:
        if row["id"] in said:
            continue
        days = unit_settings[row["unit__path"]].warning_days
        if days not in ends:
            ends[days] = calendar.add(today, days)
        if row["deadline"] <= ends[days]:
            near.append(row)
    people = responsible_people(near)
    return [
        Notification(
            recipient_id=person,
            event=Event.DUE_SOON,
            item_id=row["id"],
            day=today,
            text=_("%(number)s %(title)s is due on %(day)s.")
            % {"number": row["number"], "title": row["title"], "day": row["deadline"].isoformat()},
            link=item_link(row["id"]),
        )
        for row in near
        for person in people[row["id"]]
    ]


def _reports_ready(*, today: datetime.date) -> list[Notification]:
    """The reports produced lately, said once to the reporting staff of the report's unit."""
    reports = Report.objects.filter(
        status=ReportStatus.COMPLETE, finished_at__gte=timezone.now() - REPORTS_SINCE
    ).select_related("unit")
    staff: dict[int, list[int]] = defaultdict(list)
    units = {report.unit_id for report in reports}
    for unit_id, person_id in User.objects.filter(
        unit_id__in=units, is_active=True, role_assignments__role=Role.REPORTING_STAFF
    ).values_list("unit_id", "pk"):
        staff[unit_id].append(person_id)
    return [
        Notification(
            recipient_id=person,
            event=Event.REPORT_READY,
            report=report,
            day=today,
            text=_("The %(kind)s of %(unit)s for %(start)s to %(end)s is ready to read and download.")
            % {
                "kind": report.get_kind_display(),
                "unit": report.unit.name,
                "start": report.period_start.isoformat(),
                "end": report.period_end.isoformat(),
            },
            link=reverse("reports:detail", args=[report.pk]),
        )
        for report in reports
        for person in staff.get(report.unit_id, [])
    ]


def _wants_digest(person_ids: list[int]) -> list[User]:
    off = set(
        EmailChoice.objects.filter(person_id__in=person_ids, daily_digest=False).values_list("person_id", flat=True)
    )
    people = User.objects.filter(pk__in=[pk for pk in person_ids if pk not in off], is_active=True).exclude(email="")
    return list(people.only("pk", "email", "full_name", "username"))


def digests_send(*, today: datetime.date | None = None) -> int:
    """One email per person with what was written for them lately and not yet sent; returns how many were sent.

    People are taken DIGEST_BATCH at a time: their rows locked (rows another run holds are skipped, so two runs at
    once do not both send them), their emails sent over one connection, the rows marked sent, committed. A failure
    mid-batch rolls the batch back: those people get the digest on the next run (some perhaps twice).
    """
    today = today or today_local()
    since = today - datetime.timedelta(days=DIGEST_DAYS)
    pending = Notification.objects.filter(emailed_at__isnull=True, day__gte=since)
    person_ids = sorted(set(pending.values_list("recipient_id", flat=True).distinct()))
    people = {person.pk: person for person in _wants_digest(person_ids)}
    wanted = sorted(people)
    sent = 0
    base = settings.PORTAL_URL.rstrip("/")
    connection = get_connection()
    with connection:
        for start in range(0, len(wanted), DIGEST_BATCH):
            batch = wanted[start : start + DIGEST_BATCH]
            with transaction.atomic():
                rows = list(
                    pending.filter(recipient_id__in=batch)
                    .select_related("item", "notice")
                    .select_for_update(skip_locked=True, of=("self",))
                    .order_by("recipient_id", "event", "item_id", "report_id")
                )
                by_person: dict[int, list[Notification]] = defaultdict(list)
                for row in rows:
                    if not _settled(row):  # taken all the same: it is not worth an email any more
                        by_person[row.recipient_id].append(row)
                messages = [_digest(people[pk], mine, base=base, today=today) for pk, mine in by_person.items()]
                connection.send_messages(messages)
                Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=timezone.now())
                sent += len(messages)
    return sent


def _settled(row: Notification) -> bool:
    """Has what the notification says been dealt with since it was written (acknowledged, done, answered)?"""
    item = row.item
    if row.event in (Event.ASSIGNED, Event.ACKNOWLEDGEMENT_DUE):
        return item.acknowledged_at is not None or item.acknowledge_by is None
    if row.event in (Event.DUE_SOON, Event.OVERDUE, Event.CHASED):
        return item.status not in ACTIVE_STATUSES
    if row.event in (Event.NOTICE_ISSUED, Event.NOTICE_ESCALATED) and row.notice is not None:
        return row.notice.status != NoticeStatus.WAITING
    return False


def _digest(person: User, rows: list[Notification], *, base: str, today: datetime.date) -> EmailMessage:
    subject = _("Practical deeds: %(count)s things for you on %(day)s") % {
        "count": len(rows),
        "day": today.isoformat(),
    }
    lines = [_("Dear %(name)s,") % {"name": person.full_name or person.username}, ""]
    by_event: dict[str, list[Notification]] = defaultdict(list)
    for row in rows:
        by_event[row.event].append(row)
    for event in Event:
        if event.value in by_event:
            lines.append(_("%(event)s:") % {"event": event.label})
            lines += [f"  - {row.text} {base}{row.link}" for row in by_event[event.value]]
            lines.append("")
    lines.append(_("Your to-do list: %(link)s") % {"link": f"{base}{reverse('notifications:inbox')}"})
    lines.append(_("To stop these emails: %(link)s") % {"link": f"{base}{reverse('notifications:settings')}"})
    return EmailMessage(subject=subject, body="\n".join(lines), to=[person.email])
