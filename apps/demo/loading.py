"""Demo data: a Kunming unit tree, one login per role and a few hundred items in every state."""

from __future__ import annotations

import datetime
import random
from io import TextIOBase

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Role, User
from apps.accounts.services import user_create
from apps.demo.cast import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_SEED,
    EXTRA_OWNERS,
    GRASSROOTS_ORGANISATIONS,
    LEADERSHIP_TEAMS,
    NAMED_ITEMS,
    NEIGHBOURHOODS,
    PEOPLE,
    PLACE_LEVELS,
    UNITS,
    P,
    T,
)
from apps.demo.notices import demo_notices
from apps.demo.requests import demo_requests
from apps.demo.titles import (
    CANCEL_REASONS,
    DECLINE_REASONS,
    EXTENSION_REASONS,
    KEY_REQUIREMENTS,
    PLAN_TITLES,
    PROGRESS_NOTES,
    REQUIREMENTS,
    RETURN_REASONS,
    SERVICE_TITLES,
    SOURCE_LEADS,
    SOURCE_WEIGHTS,
    SUSPEND_REASONS,
    UNIT_CATEGORIES,
)
from apps.items.counters.writes import counters_follow
from apps.items.models import (
    ACTIVE_STATUSES,
    DONE_STATUSES,
    KIND_OF_OWNER_TYPE,
    PERSON_OWNED_TYPES,
    Action,
    Category,
    ItemKind,
    ItemTransition,
    KeyLevel,
    OwnerType,
    ProgressUpdate,
    Status,
    WorkItem,
    today_local,
)
from apps.items.services import (
    item_acknowledge,
    item_approve,
    item_assign,
    item_cancel,
    item_claim,
    item_close,
    item_complete,
    item_create,
    item_decline,
    item_grant_extension,
    item_post_progress,
    item_publish,
    item_request_extension,
    item_return,
    item_start,
    item_submit,
    item_suspend,
)
from apps.notifications.services import notifications_daily_run
from apps.org.models import Unit
from apps.org.services import unit_create
from apps.org.supervision import DEFAULT_ACKNOWLEDGE_DAYS
from apps.reports.periods import ReportKind, period_due_on, previous_period
from apps.reports.services import reports_produce
from apps.workdays.days import add_working_days

# How many items end in each status, and how many each owner type keeps (300 in all).
STATUS_COUNTS = {
    Status.DRAFT: 18, Status.SUBMITTED: 24, Status.APPROVED: 30, Status.IN_PROGRESS: 80, Status.COMPLETED: 30,
    Status.CLOSED: 70, Status.RETURNED: 14, Status.SUSPENDED: 18, Status.CANCELLED: 16,
}  # fmt: skip
OWNER_TYPE_COUNTS = {OwnerType.LEADERSHIP_TEAM: 72, T: 84, OwnerType.GRASSROOTS_ORGANISATION: 64, P: 80}
# The main line of the lifecycle: an item reaches a status by passing through those before it.
ORDER = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED)
KEY_LEVEL_OF_DEPTH = {1: KeyLevel.PROVINCE, 2: KeyLevel.CITY, 3: KeyLevel.COUNTY}
FINISHED_STATUSES = DONE_STATUSES | {Status.CANCELLED}
LATE_SHARE = 0.2  # of the items being delivered, the share past their deadline
ON_TIME_SHARE = 0.85  # of the items done, the share finished by their deadline


class _DemoBuilder:
    """Builds the demo in one pass; `rng` makes every run give the same data."""

    def __init__(self) -> None:
        self.rng = random.Random(DEMO_SEED)  # noqa: S311 - reproducible demo data, not security
        self.units: dict[str, Unit] = {}
        self.users: dict[str, User] = {}
        self.categories = {category.code: category for category in Category.objects.all()}
        if not self.categories:
            raise RuntimeError(_("There are no categories; run “manage.py migrate” first."))
        self.named_left = {code: list(items) for code, items in NAMED_ITEMS.items()}
        self.titles_used: set[tuple[int, str]] = set()
        self.letters = 0
        self.staffed: set[int] = set()  # ids of units with people, which can take assigned items

    def build_units(self) -> None:
        for code, name, level, parent_code in UNITS:
            self.units[code] = unit_create(name=name, code=code, level=level, parent=self.units.get(parent_code))

    def build_people(self) -> None:
        for login in DEMO_LOGINS:
            self.users[login.username] = user_create(
                username=login.username,
                password=DEMO_PASSWORD,
                full_name=login.full_name,
                unit=self.units[login.unit_code],
                roles=[login.role],
                title=login.title,
                is_superuser=login.role == Role.SYSTEM_ADMIN,
            )
        # Everyone shares the public demo password, so they share its hash too: hashing takes 0.3 s a user.
        demo_hash = self.users[DEMO_LOGINS[0].username].password
        for username, full_name, title, unit_code, _list in PEOPLE:
            self.users[username] = user_create(
                username=username,
                password_hash=demo_hash,
                full_name=full_name,
                unit=self.units[unit_code],
                roles=[Role.OFFICIAL],
                title=title,
            )
        self.staffed = {user.unit_id for user in self.users.values()}

    def places(self, unit: Unit) -> list[str]:
        """Place names an item of `unit` can be about: its own place or the places below it."""
        below = [u.name for u in self.units.values() if u.is_within(unit) and u.level in PLACE_LEVELS]
        while not below:  # departments and party organisations work in their parent's place
            unit = unit.parent
            below = [unit.name] if unit.level in PLACE_LEVELS else []
        return below + NEIGHBOURHOODS.get(unit.code, [])

    def pick_owner(self, owner_type: str) -> tuple[Unit, User]:
        if owner_type in PERSON_OWNED_TYPES:
            usernames = [row[0] for row in PEOPLE if row[4] == owner_type]
            usernames += [name for name, kept in EXTRA_OWNERS.items() if kept == owner_type]
            person = self.users[self.rng.choice(usernames)]
            return person.unit, person
        owners = LEADERSHIP_TEAMS if owner_type == OwnerType.LEADERSHIP_TEAM else GRASSROOTS_ORGANISATIONS
        codes = [code for code, (_creator, weight) in owners.items() for _ in range(weight)]
        code = self.rng.choice(codes)
        return self.units[code], self.users[owners[code][0]]

    def pick_title(self, owner_type: str, unit: Unit) -> tuple[str, str, str]:
        if owner_type not in PERSON_OWNED_TYPES and self.named_left.get(unit.code):
            return self.named_left[unit.code].pop(0)
        fits = UNIT_CATEGORIES.get(unit.code)
        if owner_type in PERSON_OWNED_TYPES:
            # Anyone may receive visitors (基层治理); otherwise people keep to their unit's line of work.
            fits = fits and fits | {"grassroots_governance"}
            pool = tuple(row for row in SERVICE_TITLES[owner_type] if not fits or row[0] in fits)
        else:
            pool = tuple(row for row in PLAN_TITLES if not fits or row[0] in fits)
        for _attempt in range(20):
            category, title, beneficiaries = self.rng.choice(pool)
            place = self.rng.choice(self.places(unit))
            if (unit.pk, title.format(place=place)) not in self.titles_used:
                break
        self.titles_used.add((unit.pk, title.format(place=place)))
        return category, title.format(place=place), beneficiaries.format(place=place)

    def pick_dates(self, target: str) -> tuple[int, datetime.date, datetime.date]:
        """The plan year, start date and deadline, counted back and forth from today as in a live office.

        Finished items started up to a year and a half ago; the rest started in the last months. A fifth of
        the items being delivered are late, by days or weeks: the longest-overdue list reads like this week's.
        """
        rng, today = self.rng, today_local()
        if target in FINISHED_STATUSES:
            start = today - datetime.timedelta(days=rng.randint(60, 540))
            deadline = start + datetime.timedelta(days=rng.randint(40, 240))
        elif target in ACTIVE_STATUSES and rng.random() < LATE_SHARE:
            deadline = today - datetime.timedelta(days=rng.randint(1, 75))
            start = deadline - datetime.timedelta(days=rng.randint(40, 200))
        else:
            start = today - datetime.timedelta(days=rng.randint(7, 150))
            deadline = today + datetime.timedelta(days=rng.randint(7, 240))
        return start.year, start, deadline

    def manager(self, unit: Unit, owner: User | None) -> User:
        """Who approves, publishes, assigns, suspends and cancels items of `unit`."""
        if unit.is_within(self.units["WH"]):
            return self.users["unitadmin"]
        if owner is not None and owner.username == "leader":
            return self.users["sysadmin"]  # a leader does not approve their own list
        return self.users["leader"]

    def build_item(self, owner_type: str, target: str) -> WorkItem:
        rng = self.rng
        unit, creator = self.pick_owner(owner_type)
        owner = creator if owner_type in PERSON_OWNED_TYPES else None
        category, title, beneficiaries = self.pick_title(owner_type, unit)
        year, start_date, deadline = self.pick_dates(target)
        source = rng.choices(list(SOURCE_WEIGHTS), weights=list(SOURCE_WEIGHTS.values()))[0]
        is_key = KIND_OF_OWNER_TYPE[owner_type] == ItemKind.LIVELIHOOD_PLAN and rng.random() < 0.22
        item = item_create(
            by=creator,
            unit=unit,
            kind=KIND_OF_OWNER_TYPE[owner_type],
            owner_type=owner_type,
            year=year,
            title=title,
            content=f"{title}。{SOURCE_LEADS[source]}",
            category=self.categories[category],
            beneficiaries=beneficiaries,
            responsible_person=creator,
            owner_person=owner,
            requirements=KEY_REQUIREMENTS if is_key else rng.choice(REQUIREMENTS),
            start_date=start_date,
            deadline=deadline,
            is_key=is_key,
            key_level=KEY_LEVEL_OF_DEPTH.get(unit.depth, KeyLevel.TOWNSHIP) if is_key else "",
            source=source,
        )
        return self.drive(item, target=target, worker=creator, manager=self.manager(unit, owner))

    def drive(self, item: WorkItem, *, target: str, worker: User, manager: User) -> WorkItem:
        """Take a new draft to `target` through the lifecycle services, as the right person for each step."""
        rng, supervisor = self.rng, self.users["supervisor"]
        # Suspended and cancelled items leave from an earlier open state; returned ones from completed.
        stop = {
            Status.SUSPENDED: rng.choice([Status.APPROVED, Status.IN_PROGRESS]),
            Status.CANCELLED: rng.choice([Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.IN_PROGRESS]),
            Status.RETURNED: Status.COMPLETED,
        }.get(target, target)
        reached = ORDER[: ORDER.index(stop) + 1]
        if Status.SUBMITTED in reached:
            item = item_submit(item=item, by=worker)
        if Status.APPROVED in reached:
            item = item_approve(item=item, by=manager, note="同意列入清单")
            worker = self.after_approval(item, target=target, manager=manager) or worker
        if Status.IN_PROGRESS in reached:
            item = item_start(item=item, by=worker)
            if stop == Status.IN_PROGRESS and item.deadline > today_local() and rng.random() < 0.15:
                item = self.ask_for_extension(item, worker=worker, manager=manager)
            if Status.COMPLETED in reached and rng.random() < 0.12:  # sent back once, then finished
                item = item_complete(item=item, by=worker, note="已完成")
                item = item_return(item=item, by=supervisor, reason=rng.choice(RETURN_REASONS))
                item = item_start(item=item, by=worker, note="按督导意见整改")
            else:
                for percent, note in PROGRESS_NOTES[: rng.randint(0 if stop == Status.IN_PROGRESS else 1, 3)]:
                    # The notes of a published item are made public, so the public pages show its progress.
                    item_post_progress(item=item, by=worker, note=note, percent=percent, is_public=item.is_published)
        if Status.COMPLETED in reached:
            item = item_complete(item=item, by=worker, note="已按要求完成，群众反映良好")
        if Status.CLOSED in reached:
            item = item_close(item=item, by=supervisor, note="经现场核查和群众回访，予以销号")
        if target == Status.RETURNED:
            item = item_return(item=item, by=supervisor, reason=rng.choice(RETURN_REASONS))
        elif target == Status.SUSPENDED:
            item = item_suspend(item=item, by=manager, reason=rng.choice(SUSPEND_REASONS))
        elif target == Status.CANCELLED:
            item = item_cancel(item=item, by=manager, reason=rng.choice(CANCEL_REASONS))
        return item

    def ask_for_extension(self, item: WorkItem, *, worker: User, manager: User) -> WorkItem:
        """The responsible side asks for a month or two more; the owning side grants half of such requests."""
        rng = self.rng
        later = item.deadline + datetime.timedelta(days=rng.choice([30, 45, 60]))
        item = item_request_extension(item=item, by=worker, deadline=later, reason=rng.choice(EXTENSION_REASONS))
        if rng.random() < 0.5:
            item = item_grant_extension(item=item, by=manager, note="同意延期，请按新时限推进")
        return item

    def after_approval(self, item: WorkItem, *, target: str, manager: User) -> User | None:
        """Publish, assign down and let the leader claim key items, as happens right after approval.

        Returns the person of the responsible unit who does the work when the item was assigned down.
        """
        rng = self.rng
        if target != Status.CANCELLED and rng.random() < 0.65:
            item_publish(item=item, by=manager, note="向社会公示")
        children = [unit for unit in self.units.values() if unit.parent_id == item.unit_id and unit.pk in self.staffed]
        worker = None
        if item.owner_type == OwnerType.LEADERSHIP_TEAM and children and rng.random() < 0.25:
            self.letters += 1
            responsible_unit = rng.choice(children)
            worker = min(
                (user for user in self.users.values() if user.unit_id == responsible_unit.pk),
                key=lambda user: user.username,
            )
            item = item_assign(
                item=item,
                by=manager,
                responsible_unit=responsible_unit,
                responsible_person=worker,
                letter=f"{item.unit.name}交办函〔{item.year}〕{self.letters}号",
            )
            # Most assignments are acknowledged (签收); some are declined (退办) and go back; a few still wait.
            roll = rng.random()
            if target == Status.APPROVED and roll < 0.6:
                pass  # waiting for acknowledgement
            elif roll < 0.2:
                item_decline(item=item, by=worker, reason=rng.choice(DECLINE_REASONS))
                worker = None
            else:
                item_acknowledge(item=item, by=worker, note="已签收，抓紧办理")
        if item.is_key and rng.random() < 0.75:
            item_claim(item=item, by=self.users["leader"], note="领办")
        return worker

    def spread_over_time(self) -> None:
        """Give each item's story plausible dates instead of all happening now.

        The services stamp every step with the current time, so a freshly loaded demo would have nothing in any
        past week's report. Each story is replayed from its start date: a finished item's up to a day near its
        deadline (mostly before it, sometimes a little after), an open item's up to now. Only timestamps are
        rewritten; who did what, in which order, stays as the services recorded it.
        """
        rng, now = self.rng, timezone.now()
        latest = now - datetime.timedelta(hours=1)
        items = list(WorkItem.objects.prefetch_related("transitions", "progress_updates"))
        transitions, updates = [], []
        for item in items:
            moment = timezone.make_aware(datetime.datetime.combine(item.start_date, datetime.time(9)))
            end = latest
            late_from = None  # an item finished late is completed after its deadline, not merely closed after it
            if item.status in FINISHED_STATUSES:
                days = -rng.randint(0, 30) if rng.random() < ON_TIME_SHARE else rng.randint(1, 20)
                finish = item.deadline + datetime.timedelta(days=days)
                end = min(latest, timezone.make_aware(datetime.datetime.combine(finish, datetime.time(17))))
                if days > 0:
                    day_after = item.deadline + datetime.timedelta(days=1)
                    late_from = timezone.make_aware(datetime.datetime.combine(day_after, datetime.time(9)))
            moment = min(moment, end - datetime.timedelta(days=1))
            steps = list(item.transitions.all())
            gap = (end - moment) / max(len(steps), 1)
            progress = iter(sorted(item.progress_updates.all(), key=lambda update: (update.at, update.pk)))
            for step in steps:
                moment = min(moment + gap * rng.uniform(0.3, 1.0), end)
                if step.action == Action.COMPLETE and late_from is not None and late_from < end:
                    moment = max(moment, late_from)
                step.at = moment
                if step.action == Action.POST_PROGRESS:
                    update = next(progress)
                    update.at = moment
                    updates.append(update)
                if step.action == Action.COMPLETE:
                    item.completed_on = timezone.localdate(moment)
                if step.action == Action.CLOSE:
                    item.closed_at = moment
                if step.action == Action.PUBLISH:
                    item.published_at = moment
                if step.action == Action.ASSIGN and item.acknowledge_by:
                    item.acknowledge_by = add_working_days(timezone.localdate(moment), DEFAULT_ACKNOWLEDGE_DAYS)
                    step.due = item.acknowledge_by
                if step.action == Action.ACKNOWLEDGE:
                    item.acknowledged_at = moment
                    step.due = item.acknowledge_by
            item.created_at = steps[0].at if steps else moment
            if item.status not in DONE_STATUSES:
                item.completed_on = None
            transitions.extend(steps)
        ItemTransition.objects.bulk_update(transitions, ["at", "due"], batch_size=500)
        ProgressUpdate.objects.bulk_update(updates, ["at"], batch_size=500)
        # Completion dates move between weeks, so the dashboard counters follow the bulk update.
        with counters_follow(item.pk for item in items):
            WorkItem.objects.bulk_update(
                items,
                ["created_at", "completed_on", "closed_at", "published_at", "acknowledge_by", "acknowledged_at"],
                batch_size=500,
            )

    def build_items(self) -> int:
        statuses = [status for status, count in STATUS_COUNTS.items() for _ in range(count)]
        owner_types = [owner_type for owner_type, count in OWNER_TYPE_COUNTS.items() for _ in range(count)]
        self.rng.shuffle(statuses)
        self.rng.shuffle(owner_types)
        for owner_type, status in zip(owner_types, statuses, strict=True):
            self.build_item(owner_type, status)
        return len(statuses)


def demo_load(*, stdout: TextIOBase | None = None) -> bool:
    """Load the demo into an empty database; False, and nothing written, when any unit exists."""
    if Unit.objects.exists():
        return False
    with transaction.atomic():
        builder = _DemoBuilder()
        builder.build_units()
        builder.build_people()
        item_count = builder.build_items()
        builder.spread_over_time()
        demo_notices(supervisor=builder.users["supervisor"])
        demo_requests(admin=builder.users["unitadmin"])
    # The last two reports of each kind, so the archive has something to show and compare.
    today = timezone.localdate()
    for kind in ReportKind:
        due = period_due_on(kind, today)
        for period in (previous_period(due), due):
            reports_produce(kind=kind, period=period)
    # This morning's notifications (what falls due, the reports just produced), so every demo login finds some;
    # the demo sends no email.
    notifications_daily_run(send=False)
    if stdout is not None:
        stdout.write(
            _("Created %(units)d units, %(people)d people and %(items)d items.")
            % {"units": len(builder.units), "people": len(builder.users), "items": item_count}
            + "\n"
        )
    return True


def demo_logins() -> list[User]:
    """The demo logins present in the database, in the order of DEMO_LOGINS."""
    users = {
        user.username: user for user in User.objects.filter(username__in=[login.username for login in DEMO_LOGINS])
    }
    return [users[login.username] for login in DEMO_LOGINS if login.username in users]
