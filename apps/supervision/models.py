"""Supervision notices (三色督办单) on items, every step of them, the replies' evidence, and chasing (催办)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.items.models import today_local
from apps.org.paths import PATH_MAX_LENGTH
from apps.org.scope import in_reach_of

if TYPE_CHECKING:
    from apps.accounts.models import User


class NoticeColour(models.TextChoices):
    """Blue reminds, orange warns when blue brought nothing, red is for overdue or serious cases."""

    BLUE = "blue", _("Blue (reminder)")
    ORANGE = "orange", _("Orange (warning)")
    RED = "red", _("Red (overdue or serious)")


# Escalation goes one colour up; red is the last.
NEXT_COLOUR: dict[str, str] = {NoticeColour.BLUE: NoticeColour.ORANGE, NoticeColour.ORANGE: NoticeColour.RED}


class NoticeStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a reply")
    ANSWERED = "answered", _("Answered")
    ACCEPTED = "accepted", _("Accepted")
    ESCALATED = "escalated", _("Escalated")


# A notice still open: the responsible side has to reply, or the supervisor has to decide on the reply.
OPEN_NOTICE_STATUSES = frozenset({NoticeStatus.WAITING, NoticeStatus.ANSWERED})


class NoticeEventKind(models.TextChoices):
    ISSUED = "issued", _("Notice issued")
    REPLIED = "replied", _("Replied")
    ACCEPTED = "accepted", _("Reply accepted")
    ESCALATED = "escalated", _("Escalated to the next colour")


def notice_overdue_q(today: datetime.date | None = None) -> Q:
    """Still waiting for a reply after the reply deadline (the local day), the flag of `Notice.is_overdue`."""
    return Q(status=NoticeStatus.WAITING, reply_by__lt=today or today_local())


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> NoticeQuerySet:
        """The notices of the items the user sees (the items' own rule: owning or responsible unit in reach)."""
        return in_reach_of(self, user, "item__unit__path", "item__responsible_unit__path")

    def overdue(self, today: datetime.date | None = None) -> NoticeQuerySet:
        return self.filter(notice_overdue_q(today))


class Notice(models.Model):
    """A supervision notice on one item: its colour, what is required and the day a reply is due."""

    item = models.ForeignKey("items.WorkItem", verbose_name=_("item"), on_delete=models.CASCADE, related_name="notices")
    # The item's owning unit, fixed with the item (an item never changes its owning unit): dashboards count a
    # subtree's notices by it without reading the items.
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("owning unit"), on_delete=models.CASCADE, related_name="+", editable=False
    )
    # That unit's path, copied when the notice is issued (a unit's path never changes): a subtree's notices are a
    # range of this column and their child branches its prefixes, counted without reading the units.
    unit_path = models.CharField(_("owning unit's path"), max_length=PATH_MAX_LENGTH, editable=False)
    colour = models.CharField(_("colour"), max_length=10, choices=NoticeColour.choices)
    number = models.CharField(_("notice number"), max_length=50, blank=True, help_text=_("e.g. 督办〔2026〕12号"))
    requirements = models.TextField(_("requirements"))
    reply_by = models.DateField(_("reply by"))
    status = models.CharField(_("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.WAITING)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="notices_issued",
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    # When the responsible side first replied (反馈): answered, whatever was decided on it since.
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    escalated_from = models.OneToOneField(
        "self",
        verbose_name=_("escalated from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_to",
    )

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["status", "reply_by"], name="notice_status_reply_by"),
            models.Index(fields=["unit_path"], name="notice_unit_path"),  # a subtree's notices: a range of it
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_colour_display()} #{self.pk}"

    @property
    def is_overdue(self) -> bool:
        """Still waiting for a reply after the reply deadline: flagged, and offered for escalation."""
        return self.status == NoticeStatus.WAITING and self.reply_by < today_local()

    @property
    def next_colour(self) -> str | None:
        return NEXT_COLOUR.get(self.colour)


class NoticeEvent(models.Model):
    """One step of a notice: issued, replied, accepted or escalated; who, when and what was said."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=10, choices=NoticeEventKind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(_("at"), default=timezone.now)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("notice step")
        verbose_name_plural = _("notice steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.kind}"


def notice_evidence_upload_to(instance: NoticeEvidence, filename: str) -> str:
    return f"notices/{instance.event.notice_id}/{timezone.now():%Y%m}/{filename}"


class NoticeEvidence(models.Model):
    """A file backing a reply to a notice, checked like an item's evidence (apps/items/evidence.py)."""

    event = models.ForeignKey(NoticeEvent, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=notice_evidence_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)

    class Meta:
        verbose_name = _("reply evidence file")
        verbose_name_plural = _("reply evidence files")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Chase(models.Model):
    """A reminder (催办) sent to an item's responsible person; at most one per item a day, by the constraint."""

    item = models.ForeignKey("items.WorkItem", verbose_name=_("item"), on_delete=models.CASCADE, related_name="chases")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chases_received",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    day = models.DateField(_("day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("chase")
        verbose_name_plural = _("chases")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["item", "day"], name="one_chase_per_item_a_day")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.day}"
