# Performance-critical: guarded by bench/dashboard.py (generating 2,000,000 items); run `make bench` after changing it.
"""The generated items' rows, with dates that fit their status, written with COPY or multi-row INSERTs."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import Counter

from django.conf import settings
from django.utils import timezone

from apps.demo.generator.histories import HANDED_DOWN_SHARE, HISTORY_SHARE, StoryTeller
from apps.demo.generator.plans import OVERDUE_SHARE
from apps.demo.generator.tree import KEY_LEVEL_OF, GeneratedTree, GeneratedUnit, TreeBuilder
from apps.demo.titles import PLAN_TITLES, REQUIREMENTS, SERVICE_TITLES, SOURCE_LEADS, SOURCE_WEIGHTS
from apps.items.counters.writes import CounterDeltas, ItemTally
from apps.items.lights import yellow_from
from apps.items.models import (
    ACTIVE_STATUSES,
    DONE_STATUSES,
    KIND_OF_OWNER_TYPE,
    PERSON_OWNED_TYPES,
    KeyLevel,
    OwnerType,
    Status,
)
from apps.org.paths import PATH_SEGMENT_WIDTH
from apps.org.supervision import SupervisionSettings
from apps.workdays.days import WorkCalendar

COMPLETION_MARGIN = datetime.timedelta(hours=2)


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


class ItemRows:
    """Makes the rows of the items, with dates that fit their status, and counts them for the counters."""

    def __init__(self, builder: TreeBuilder, tree: GeneratedTree, *, histories: bool = True) -> None:
        self.builder, self.rng, self.as_of = builder, builder.rng, builder.as_of
        self.tree = tree
        self.sequence: Counter[tuple[int, int]] = Counter()
        self.deltas = CounterDeltas()
        self.now = timezone.now()
        self.pools = {
            owner_type: SERVICE_TITLES[
                OwnerType.TEAM_MEMBER if owner_type == OwnerType.TEAM_MEMBER else OwnerType.PARTY_MEMBER
            ]
            if owner_type in PERSON_OWNED_TYPES
            else PLAN_TITLES
            for owner_type in OwnerType
        }
        # Sources drawn in their weights' proportions by picking a slot of this list.
        self.source_of = [source for source, weight in SOURCE_WEIGHTS.items() for _ in range(weight)]
        self.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.calendar = WorkCalendar()
        self.supervision = SupervisionSettings()
        self.histories = histories
        # The moment the story has reached: now, or the evening of an earlier day asked for.
        self.story_end = min(self.now, datetime.datetime.combine(self.as_of, datetime.time(23, 59), tzinfo=self.zone))
        # The last day an item may have been completed on: two hours of it have passed by the story's end, so a
        # completion an hour before a close at the story's end still falls on that day.
        self.last_completion_day = (self.story_end - COMPLETION_MARGIN).astimezone(self.zone).date()
        self.teller = StoryTeller(
            rng=self.rng,
            zone=self.zone,
            now=self.story_end,
            acknowledge_days=self.supervision.acknowledge_days,
        )
        # The units each unit may hand its plans down to: those right below it.
        self.children: dict[str, list[GeneratedUnit]] = {}
        for unit in tree.units:
            if unit.depth:
                self.children.setdefault(unit.path[:-PATH_SEGMENT_WIDTH], []).append(unit)
        # The stories of the rows made since the last flush: transitions and progress notes, each with its item id.
        self.transitions: list[tuple] = []
        self.progress_notes: list[tuple] = []

    def deadline_near(self, day: datetime.date) -> datetime.date:
        """Offices set deadlines at month ends mostly, some mid-month, a few on any day."""
        roll = self.rng.random()
        if roll < 0.75:
            return _month_end(day)
        if roll < 0.9:
            return day.replace(day=15)
        return day

    def days(self, low: int, high: int) -> datetime.timedelta:
        return datetime.timedelta(days=low + int(self.rng.random() * (high - low + 1)))

    def dates(self, status: str) -> tuple[datetime.date, datetime.date, datetime.date | None]:
        """Start, deadline and completion: done items finished by now, mostly in time; a tenth of open ones late."""
        random, as_of = self.rng.random, self.as_of
        start = as_of - self.days(20, 300)
        completed_on = None
        if status in DONE_STATUSES:
            completed_on = start + self.days(0, (self.last_completion_day - start).days)
            deadline = self.deadline_near(
                completed_on - self.days(1, 40) if random() < 0.1 else completed_on + self.days(0, 120)
            )
        elif status in ACTIVE_STATUSES and random() < OVERDUE_SHARE:
            deadline = min(self.deadline_near(as_of - self.days(1, 120)), as_of - datetime.timedelta(days=1))
        else:
            deadline = max(self.deadline_near(as_of + self.days(0, 270)), as_of)
        return min(start, deadline), deadline, completed_on

    def row(self, item_id: int, unit: GeneratedUnit, owner_type: str, status: str) -> tuple:
        """One item's values in ITEM_COLUMNS order, counted into the counters' deltas as it is made; its story
        (for HISTORY_SHARE of the items) goes into `transitions` and `progress_notes`."""
        random = self.rng.random
        start, deadline, completed_on = self.dates(status)
        year = start.year
        self.sequence[(unit.pk, year)] += 1
        sequence = self.sequence[(unit.pk, year)]
        person = unit.people[int(random() * len(unit.people))] if unit.people else None
        pool = self.pools[owner_type]
        category, title, beneficiaries = pool[int(random() * len(pool))]
        category_id = self.builder.categories[category]
        place = unit.place or unit.name
        title = title.format(place=place)
        source = self.source_of[int(random() * len(self.source_of))]
        is_key = owner_type == OwnerType.LEADERSHIP_TEAM and random() < 0.12
        if status == Status.IN_PROGRESS:
            progress = 10 + 5 * int(random() * 17)
        elif status == Status.RETURNED:
            progress = 50 + 5 * int(random() * 9)
        elif status == Status.SUSPENDED:
            progress = 5 * int(random() * 12)
        else:
            progress = 100 if status in DONE_STATUSES else 0
        created = datetime.datetime(start.year, start.month, start.day, 9, int(random() * 60), tzinfo=self.zone)
        published = status not in (Status.DRAFT, Status.SUBMITTED, Status.CANCELLED) and random() < 0.7
        closed_at = None
        if status == Status.CLOSED:
            closed_at = datetime.datetime(completed_on.year, completed_on.month, completed_on.day, 16, tzinfo=self.zone)
            closed_at = min(closed_at + self.days(0, 5), self.story_end)
        published_at = min(created + self.days(3, 15), self.story_end) if published else None
        responsible_unit, responsible_person = unit, person
        story = None
        if self.histories and random() < HISTORY_SHARE:
            below = self.children.get(unit.path)
            handed_down = bool(below) and owner_type == OwnerType.LEADERSHIP_TEAM and random() < HANDED_DOWN_SHARE
            if handed_down:
                responsible_unit = below[int(random() * len(below))]
                people = responsible_unit.people
                responsible_person = people[int(random() * len(people))] if people else None
            story = self.teller.story(
                status=status,
                created=created,
                deadline=deadline,
                completed_on=completed_on,
                closed_at=closed_at,
                published_at=published_at,
                progress=progress,
                person=person,
                handed_down=handed_down,
            )
            self.transitions += [(item_id, *step) for step in story.transitions]
            self.progress_notes += [(item_id, *note) for note in story.progress]
        kind = KIND_OF_OWNER_TYPE[owner_type]
        first_yellow = None
        if status in ACTIVE_STATUSES:  # generated trees keep the default supervision settings
            first_yellow = yellow_from(
                start=start, deadline=deadline, progress=progress, settings=self.supervision, calendar=self.calendar
            )
        self.deltas.add(
            ItemTally(
                unit.pk,
                kind,
                owner_type,
                status,
                category_id,
                deadline,
                completed_on,
                first_yellow,
                story.acknowledge_by if story else None,
                story.acknowledged_at if story else None,
                unit_path=unit.path,
            )
        )
        return (
            item_id,
            created,  # created_at
            self.now,  # updated_at
            f"{unit.code}-{year}-{sequence:04d}",  # number
            year,
            sequence,
            kind,
            owner_type,
            unit.pk,  # unit_id
            person if owner_type in PERSON_OWNED_TYPES else None,  # owner_person_id
            title,
            f"{title}。{SOURCE_LEADS[source]}",  # content
            category_id,
            beneficiaries.format(place=place),
            responsible_unit.pk,  # responsible_unit_id
            responsible_person,  # responsible_person_id
            person if is_key and random() < 0.75 else None,  # lead_leader_id
            REQUIREMENTS[int(random() * len(REQUIREMENTS))],
            start,  # start_date
            deadline,
            is_key,
            KEY_LEVEL_OF.get(unit.level, KeyLevel.TOWNSHIP) if is_key else "",  # key_level
            source,
            "",  # assignment_letter
            status,
            progress,  # progress_percent
            completed_on,
            closed_at,
            published,  # is_published
            published_at,
            person,  # created_by_id
            first_yellow,  # yellow_from
            story.original_deadline if story else None,
            None,  # extension_asked_for: every extension asked for was decided
            story.acknowledge_by if story else None,  # set when handed down to a unit below
            story.acknowledged_at if story else None,
            None,  # declined_at
        )


ITEM_COLUMNS = (
    "id", "created_at", "updated_at", "number", "year", "sequence", "kind", "owner_type", "unit_id", "owner_person_id",
    "title", "content", "category_id", "beneficiaries", "responsible_unit_id", "responsible_person_id",
    "lead_leader_id", "requirements", "start_date", "deadline", "is_key", "key_level", "source", "assignment_letter",
    "status", "progress_percent", "completed_on", "closed_at", "is_published", "published_at", "created_by_id",
    "yellow_from", "original_deadline", "extension_asked_for", "acknowledge_by", "acknowledged_at", "declined_at",
)  # fmt: skip
