"""Work items of both list kinds, their lifecycle log, progress updates and evidence."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel
from apps.core.versions import version_of
from apps.org.paths import subtree_q
from apps.org.scope import in_reach_through_units

if TYPE_CHECKING:
    from apps.accounts.models import User


class ItemKind(models.TextChoices):
    LIVELIHOOD_PLAN = "livelihood_plan", _("Livelihood plan")
    SERVICE_LIST = "service_list", _("Service list")


class OwnerType(models.TextChoices):
    """Declared in the order leaders read the table in (DOMAIN.md): dashboards and reports follow it."""

    LEADERSHIP_TEAM = "leadership_team", _("Leadership team of a participating unit")
    TEAM_MEMBER = "team_member", _("Leadership-team member")
    GRASSROOTS_ORGANISATION = "grassroots_org", _("Grassroots party organisation")
    PARTY_MEMBER = "party_member", _("Individual party member")


# Which list kind each owner type keeps (DOMAIN.md, the Kunming table).
KIND_OF_OWNER_TYPE = {
    OwnerType.LEADERSHIP_TEAM: ItemKind.LIVELIHOOD_PLAN,
    OwnerType.TEAM_MEMBER: ItemKind.SERVICE_LIST,
    OwnerType.GRASSROOTS_ORGANISATION: ItemKind.LIVELIHOOD_PLAN,
    OwnerType.PARTY_MEMBER: ItemKind.SERVICE_LIST,
}
PERSON_OWNED_TYPES = {OwnerType.TEAM_MEMBER, OwnerType.PARTY_MEMBER}


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


# Open items can still be worked on: edited, assigned, suspended or cancelled.
OPEN_STATUSES = frozenset({Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.IN_PROGRESS, Status.RETURNED})

# What counts (DOMAIN.md), the one definition behind every figure: counters, dashboards, reports, exports, API.
# Planned: approved into the plan and not cancelled. A draft or an item awaiting approval is not a commitment
# yet and counts nowhere.
PLANNED_STATUSES = frozenset(
    {Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED, Status.RETURNED, Status.SUSPENDED}
)
# Completed: completed or closed.
DONE_STATUSES = frozenset({Status.COMPLETED, Status.CLOSED})
# Planned and open, not suspended: being delivered, so overdue once past the deadline in force.
ACTIVE_STATUSES = PLANNED_STATUSES - DONE_STATUSES - {Status.SUSPENDED}
# The same in a fixed order, so the SQL of a query matches the partial indexes' conditions word for word.
ACTIVE_STATUS_LIST = sorted(ACTIVE_STATUSES)
PLANNED_STATUS_LIST = sorted(PLANNED_STATUSES)


def counts_as_planned(status: str | None) -> bool:
    return status in PLANNED_STATUSES


def counts_as_completed(status: str | None) -> bool:
    return status in DONE_STATUSES


def counts_as_overdue(status: str | None, deadline: datetime.date, today: datetime.date) -> bool:
    """Overdue on `today`: being delivered, with a deadline before `today` (it falls due at midnight ending it)."""
    return status in ACTIVE_STATUSES and deadline < today


def counts_as_on_time(status: str | None, deadline: datetime.date, completed_on: datetime.date | None) -> bool:
    """Completed on time (按期办结): completed on or before the deadline in force (an extension granted moves it)."""
    return counts_as_completed(status) and completed_on is not None and completed_on <= deadline


class Acknowledgement(models.TextChoices):
    """Where a planned item handed down to another unit stands with its acknowledgement (签收)."""

    WAITING = "waiting", _("Waiting for acknowledgement")
    WAITING_LATE = "waiting_late", _("Waiting past the time limit")
    ON_TIME = "on_time", _("Acknowledged on time")
    LATE = "late", _("Acknowledged late")


def acknowledgement_of(
    status: str | None,
    acknowledge_by: datetime.date | None,
    acknowledged_on: datetime.date | None,
    today: datetime.date,
) -> str:
    """The item's acknowledgement on `today`; "" for an item that was not handed down or does not count.

    Only planned items count (drafts and items awaiting approval count nowhere); one still waiting counts
    while it is being delivered. 签收及时率 = acknowledged on time ÷ (acknowledged + still waiting past the limit).
    """
    if acknowledge_by is None or not counts_as_planned(status):
        return ""
    if acknowledged_on is None:
        if status not in ACTIVE_STATUSES:
            return ""
        return Acknowledgement.WAITING_LATE if acknowledge_by < today else Acknowledgement.WAITING
    return Acknowledgement.ON_TIME if acknowledged_on <= acknowledge_by else Acknowledgement.LATE


class Light(models.TextChoices):
    """Lights (亮灯) of the items being delivered; apps/items/lights.py says how they are kept."""

    RED = "red", _("Red (overdue)")
    YELLOW = "yellow", _("Yellow (deadline near or behind schedule)")
    GREEN = "green", _("Green (on track)")


def light_on(status: str, deadline: datetime.date, yellow_from: datetime.date | None, today: datetime.date) -> str:
    """The item's light on `today`; "" for an item not being delivered."""
    if status not in ACTIVE_STATUSES:
        return ""
    if counts_as_overdue(status, deadline, today):
        return Light.RED
    if yellow_from is not None and yellow_from <= today:
        return Light.YELLOW
    return Light.GREEN


def planned_q() -> Q:
    return Q(status__in=PLANNED_STATUS_LIST)


def completed_q() -> Q:
    return Q(status__in=sorted(DONE_STATUSES))


def overdue_q(today: datetime.date | None = None) -> Q:
    """Being delivered and past the deadline, in Asia/Shanghai (`counts_as_overdue` as a filter)."""
    return Q(status__in=ACTIVE_STATUS_LIST, deadline__lt=today or today_local())


def on_time_q() -> Q:
    """`counts_as_on_time` as a filter."""
    return completed_q() & Q(completed_on__lte=F("deadline"))


def late_completion_q() -> Q:
    """Completed, but not on time."""
    return completed_q() & ~Q(completed_on__lte=F("deadline"))


def acknowledgement_q(value: str, today: datetime.date | None = None) -> Q:
    """`acknowledgement_of` as a filter: the items whose acknowledgement is `value` on `today`."""
    waiting = Q(status__in=ACTIVE_STATUS_LIST, acknowledge_by__isnull=False, acknowledged_at__isnull=True)
    acknowledged = Q(status__in=PLANNED_STATUS_LIST, acknowledge_by__isnull=False, acknowledged_at__isnull=False)
    if value == Acknowledgement.WAITING:  # all still waiting, past the limit or not (未签收)
        return waiting
    if value == Acknowledgement.WAITING_LATE:
        return waiting & Q(acknowledge_by__lt=today or today_local())
    if value == Acknowledgement.ON_TIME:  # the day is the local one (Asia/Shanghai), as on the item page
        return acknowledged & Q(acknowledged_at__date__lte=F("acknowledge_by"))
    if value == Acknowledgement.LATE:
        return acknowledged & Q(acknowledged_at__date__gt=F("acknowledge_by"))
    raise ValueError(value)


class KeyLevel(models.TextChoices):
    PROVINCE = "province", _("Provincial key item")
    CITY = "city", _("City key item")
    COUNTY = "county", _("County key item")
    TOWNSHIP = "township", _("Township key item")


class Source(models.TextChoices):
    CITIZEN_REQUEST = "citizen_request", _("Citizen request")
    SURVEY = "survey", _("Survey")
    SUPERVISION = "supervision", _("Supervision finding")
    ASSIGNED = "assigned", _("Assigned from above")
    SELF = "self", _("Own initiative")


class Action(models.TextChoices):
    CREATE = "create", _("Create")
    SUBMIT = "submit", _("Submit")
    REVISE = "revise", _("Send back for revision")
    APPROVE = "approve", _("Approve")
    PUBLISH = "publish", _("Publish")
    START = "start", _("Start")
    POST_PROGRESS = "post_progress", _("Post progress")
    COMPLETE = "complete", _("Mark completed")
    CLOSE = "close", _("Close (verified)")
    RETURN = "return", _("Return")
    SUSPEND = "suspend", _("Suspend")
    RESUME = "resume", _("Resume")
    CANCEL = "cancel", _("Cancel the item")
    CLAIM = "claim", _("Claim")
    ASSIGN = "assign", _("Assign")
    DELETE_DRAFT = "delete_draft", _("Delete the draft")
    ACKNOWLEDGE = "acknowledge", _("Acknowledge receipt")
    DECLINE = "decline", _("Decline the assignment")
    REQUEST_EXTENSION = "request_extension", _("Ask for an extension")
    GRANT_EXTENSION = "grant_extension", _("Grant the extension")
    REFUSE_EXTENSION = "refuse_extension", _("Refuse the extension")


def today_local() -> datetime.date:
    """Today's date where the offices are (Asia/Shanghai)."""
    return timezone.localdate()


class Category(models.Model):
    """A category of livelihood need (reference data)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        if self.name_en and not get_language().startswith("zh"):
            return self.name_en
        return self.name


class WorkItemQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> WorkItemQuerySet:
        """Items owned by a unit the user reaches, or handled by one (org.scope); the one visibility rule.

        A condition on the item's own two unit columns, which their indexes serve (no join to the units).
        """
        return in_reach_through_units(self, user, "unit", "responsible_unit")

    def in_subtree(self, path: str) -> WorkItemQuerySet:
        """Items owned by a unit in the subtree rooted at `path` (what dashboards count)."""
        return self.filter(subtree_q(path, "unit__path"))

    def overdue(self, today: datetime.date | None = None) -> WorkItemQuerySet:
        return self.filter(overdue_q(today))

    def planned(self) -> WorkItemQuerySet:
        """Items in the completion-rate denominator: approved into the plan and not cancelled."""
        return self.filter(planned_q())

    def active(self) -> WorkItemQuerySet:
        """Planned items being delivered (open, not suspended)."""
        return self.filter(status__in=ACTIVE_STATUS_LIST)


class WorkItem(TimeStampedModel):
    """One promised deed: a livelihood-plan item of a unit or a service-list item of a person."""

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    kind = models.CharField(_("list kind"), max_length=20, choices=ItemKind.choices)
    owner_type = models.CharField(_("owner type"), max_length=20, choices=OwnerType.choices)
    # Indexed by item_unit_status (unit, status, id), which also serves the unique sequence per unit and year.
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="items", db_index=False
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_items",
        help_text=_("The person whose service list this is."),
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"), blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="items")
    beneficiaries = models.CharField(_("beneficiaries"), max_length=200, blank=True)
    # Indexed with the owning unit (item_responsible_owner), which also counts the items handled in a subtree and
    # owned outside it from the index alone.
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="responsible_items",
        db_index=False,
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_items",
    )
    lead_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_items",
    )
    requirements = models.TextField(_("requirements"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), help_text=_("The deadline in force: an extension granted moves it."))
    original_deadline = models.DateField(
        _("original deadline"), null=True, blank=True, editable=False, help_text=_("Kept when an extension is granted.")
    )
    # Acknowledgement (签收) of an assigned item: the day it must be acknowledged by (working days after the
    # assignment), and when it was. Waiting while acknowledge_by is set and acknowledged_at is not.
    acknowledge_by = models.DateField(_("acknowledge by"), null=True, blank=True, editable=False)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True, editable=False)
    # When the responsible unit last declined it (退办), sending it back to the owning unit; cleared by the next
    # assignment. The owning side finds it in its inbox meanwhile.
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True, editable=False)
    # The date an extension request (延期申请) waiting for the owning side's decision asks for; one at a time.
    extension_asked_for = models.DateField(_("extension asked for"), null=True, blank=True, editable=False)
    is_key = models.BooleanField(_("key item"), default=False)
    key_level = models.CharField(_("key item level"), max_length=20, choices=KeyLevel.choices, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.SELF)
    assignment_letter = models.CharField(_("assignment letter"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # The first day the item lights yellow while it is being delivered (apps/items/lights.py); kept by the services.
    yellow_from = models.DateField(_("yellow from"), null=True, blank=True, editable=False)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="created_items",
    )

    history = HistoricalRecords()
    objects = WorkItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "sequence"], name="unique_item_sequence_per_unit_year"),
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="item_progress_at_most_100"),
        ]
        indexes = [
            # The item lists' order, for every scope: a page is a walk along this index (apps/items/paging.py). It
            # holds the units and the status, so the walk checks the visibility rule and a status filter without
            # reading the rows (an index-only scan on PostgreSQL).
            models.Index(
                fields=["deadline", "id"],
                include=["unit", "responsible_unit", "status"],
                name="item_list_order",
            ),
            models.Index(fields=["responsible_unit", "unit"], name="item_responsible_owner"),
            # A page of the API's list (newest first) of a subtree's items, filtered by status or not, is read from
            # this index alone: the page's ids, then its rows (apps/items/api/views.py).
            models.Index(fields=["unit", "status", "id"], name="item_unit_status"),
            # The items handed to another unit than their owner's: a list's total reads the counters of the user's
            # subtree and adds those handled in it and owned outside it, found here (apps/items/selectors.py).
            models.Index(
                fields=["responsible_unit", "unit"],
                condition=~Q(unit=F("responsible_unit")),
                name="item_handed_over",
            ),
            models.Index(fields=["status", "deadline"], name="item_status_deadline"),
            models.Index(fields=["kind", "owner_type", "status"], name="item_kind_owner_status"),
            # The dashboards list a subtree's longest overdue items and its key items still being delivered,
            # soonest deadline first: in deadline order for a big subtree, unit by unit for a small one.
            models.Index(
                fields=["deadline", "id"], condition=Q(status__in=ACTIVE_STATUS_LIST), name="item_open_deadline"
            ),
            # The inboxes: the few items with an extension request waiting, or back after a decline (退办).
            models.Index(
                fields=["extension_asked_for"],
                condition=Q(extension_asked_for__isnull=False),
                name="item_extension_waiting",
            ),
            models.Index(fields=["declined_at"], condition=Q(declined_at__isnull=False), name="item_declined"),
            models.Index(
                fields=["unit", "deadline"], condition=Q(status__in=ACTIVE_STATUS_LIST), name="item_open_unit"
            ),
            models.Index(
                fields=["deadline", "id"],
                condition=Q(is_key=True, status__in=ACTIVE_STATUS_LIST),
                name="item_key_deadline",
            ),
            models.Index(
                fields=["unit", "deadline"],
                condition=Q(is_key=True, status__in=ACTIVE_STATUS_LIST),
                name="item_key_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.owner_type and self.kind and KIND_OF_OWNER_TYPE[OwnerType(self.owner_type)] != self.kind:
            errors["owner_type"] = _("This owner type does not keep this list kind.")
        if self.owner_type in PERSON_OWNED_TYPES and not self.owner_person_id:
            errors["owner_person"] = _("A service-list item needs the person whose list it is.")
        if self.start_date and self.deadline and self.deadline < self.start_date:
            errors["deadline"] = _("The deadline cannot be before the start date.")
        if self.is_key and not self.key_level:
            errors["key_level"] = _("A key item needs the level that lists it.")
        if errors:
            raise ValidationError(errors)

    @property
    def version(self) -> str:
        """The version this row is at; an edit names the version it was made from (apps/core/versions.py)."""
        return version_of(self.updated_at)

    @property
    def is_overdue(self) -> bool:
        return counts_as_overdue(self.status, self.deadline, today_local())

    @property
    def days_overdue(self) -> int:
        return (today_local() - self.deadline).days if self.is_overdue else 0

    @property
    def awaits_acknowledgement(self) -> bool:
        return self.acknowledge_by is not None and self.acknowledged_at is None

    @property
    def acknowledgement_late(self) -> bool:
        """Acknowledged after its time limit, or still waiting past it."""
        if self.acknowledge_by is None:
            return False
        day = timezone.localdate(self.acknowledged_at) if self.acknowledged_at else today_local()
        return day > self.acknowledge_by

    @property
    def light(self) -> str:
        return light_on(self.status, self.deadline, self.yellow_from, today_local())

    def get_light_display(self) -> str:
        return str(Light(self.light).label) if self.light else ""


class ItemTransition(models.Model):
    """One recorded change of an item: who, when, from which state to which, and why."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    # The limit a timed step was held to, as it stood then: the deadline in force for a completion, the day to
    # acknowledge by for an assignment to another unit and for its acknowledgement. Reports judge on-time
    # completion and acknowledgement by it (late when the local day of `at` is after it).
    due = models.DateField(_("due by"), null=True, blank=True)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["to_status", "at"], name="transition_status_at"),
            # The hand-over steps, few among all moves: a report finds each item's last one before the end of its
            # period here instead of reading every transition (apps/reports/snapshot.py, waiting past the limit).
            models.Index(
                fields=["item", "at"],
                name="transition_handover_steps",
                condition=Q(action__in=[Action.ASSIGN, Action.ACKNOWLEDGE, Action.DECLINE]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.action} {self.from_status}→{self.to_status}"


class ProgressUpdate(models.Model):
    """A dated note on how far an item has got, with optional evidence files."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="progress_updates")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    # A note is internal unless the official marks it public; a public note and its evidence show on the public
    # pages of a published item (apps/public).
    is_public = models.BooleanField(_("public"), default=False)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-at", "-id"]
        indexes = [
            # An item's last note before a moment, read from the index alone: a report looks it up for each of the
            # hundreds of thousands of items being delivered at the end of its period (apps/reports/standing.py).
            models.Index(fields=["item", "at", "id"], name="progress_item_at", include=["percent"]),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.percent}%"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.update.item_id}/{timezone.now():%Y%m}/{filename}"


class Evidence(models.Model):
    """A file (photo, PDF, office document) backing a progress update (佐证材料)."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        """A photo, which the item page shows as a thumbnail (the upload check decoded it)."""
        return self.content_type.startswith("image/")


# The rollup counter tables live in their own module; importing them here registers them with this app.
from apps.items.counters.models import (  # noqa: E402
    CategoryCount,
    CompletionWeekCount,
    OpenDeadlineCount,
    StatusCount,
    YellowFromCount,
)

__all__ = ["CategoryCount", "CompletionWeekCount", "OpenDeadlineCount", "StatusCount", "YellowFromCount"]
