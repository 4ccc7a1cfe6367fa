"""Citizens' requests (群众诉求): what a sender reported, where it is handled, and every step taken on it."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import TimeStampedModel
from apps.org.paths import PATH_MAX_LENGTH

# Letters and digits nobody misreads on a phone screen or a slip of paper: no 0/O, 1/I/L.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_RANDOM_LENGTH = 8  # 31 ** 8 ≈ 850 billion codes a day: not guessable, not worth trying
TRACKING_PREFIX = "SQ"


def tracking_code_new(day: datetime.date) -> str:
    """A fresh tracking code such as SQ-20261202-7K3FQ2ZP: the day it was sent and eight random characters."""
    tail = "".join(secrets.choice(TRACKING_ALPHABET) for _index in range(TRACKING_RANDOM_LENGTH))
    return f"{TRACKING_PREFIX}-{day:%Y%m%d}-{tail}"


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received, waiting to be accepted")
    ACCEPTED = "accepted", _("Accepted, being handled")
    TURNED_INTO_ITEM = "turned_into_item", _("Turned into a work item")
    ANSWERED = "answered", _("Answered and closed")
    DECLINED = "declined", _("Not accepted")


class RequestAction(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    ACCEPT = "accept", pgettext_lazy("citizen request step", "Accepted")
    FORWARD = "forward", _("Forwarded to another unit")
    TURN_INTO_ITEM = "turn_into_item", _("Turned into a work item")
    LINK_ITEM = "link_item", _("Linked to a work item")
    ANSWER = "answer", _("Answered and closed")
    DECLINE = "decline", _("Not accepted")
    RATE = "rate", _("Rated by the sender")
    FOLLOW_UP = "follow_up", _("Phone follow-up (回访)")
    REOPEN = "reopen", _("Reopened for a second round (二次办理)")


class Rating(models.TextChoices):
    """The sender's verdict (满意度): satisfied and basically satisfied count for the satisfaction rate."""

    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


SATISFIED_RATINGS = frozenset({Rating.SATISFIED, Rating.BASICALLY_SATISFIED})


# The notes the sender reads on the tracking page: the reply and the reason for not accepting. A forwarding note is
# between units and stays internal.
PUBLIC_NOTE_ACTIONS = frozenset({RequestAction.ANSWER, RequestAction.DECLINE, RequestAction.RATE, RequestAction.REOPEN})
OPEN_REQUEST_STATUSES = frozenset({RequestStatus.RECEIVED, RequestStatus.ACCEPTED, RequestStatus.TURNED_INTO_ITEM})


class CitizenRequest(TimeStampedModel):
    """One request from the public, handled by `unit` (where it is now) and followed with its tracking code."""

    tracking_code = models.CharField(_("tracking code"), max_length=30, unique=True, editable=False)
    category = models.ForeignKey(
        "items.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="citizen_requests"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="citizen_requests"
    )
    # That unit's path, set with the unit (on sending, and on forwarding to another unit; a unit's path never
    # changes): a subtree's requests are a range of this column and their child branches its prefixes.
    unit_path = models.CharField(_("handling unit's path"), max_length=PATH_MAX_LENGTH, editable=False)
    text = models.TextField(_("what happened"))
    # Private: shown only to the administrators of the handling unit and the units above it.
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    may_contact = models.BooleanField(_("may be contacted"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    accept_by = models.DateField(_("accept by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    item = models.ForeignKey(
        "items.WorkItem",
        verbose_name=_("work item"),
        null=True,
        blank=True,
        # A draft item deleted by its author unlinks the request, which may then be turned or linked again.
        on_delete=models.SET_NULL,
        related_name="citizen_requests",
    )
    reply = models.TextField(_("reply"), blank=True)
    # The latest rating (满意度) of the sender, or of a phone follow-up (回访) recorded by staff; a request rated
    # dissatisfied or not solved is reopened (二次办理) and may be rated again once closed again.
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    solved = models.BooleanField(_("problem solved"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    rated_by_phone = models.BooleanField(_("rated in a phone follow-up"), default=False)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    class Meta:
        verbose_name = _("citizen request")
        verbose_name_plural = _("citizen requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "accept_by"], name="public_request_status_due"),
            models.Index(fields=["unit_path"], name="public_request_unit_path"),  # a subtree's requests: a range of it
        ]

    def __str__(self) -> str:
        return self.tracking_code

    def is_acceptance_overdue(self, today: datetime.date | None = None) -> bool:
        """Still waiting to be accepted past the day it was due."""
        today = today or timezone.localdate()
        return self.status == RequestStatus.RECEIVED and self.accept_by < today


class RequestStep(models.Model):
    """One step of a request's timeline: who (None for the public), when, what, from which unit to which."""

    request = models.ForeignKey(CitizenRequest, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=RequestAction.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    from_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("from unit"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    to_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("to unit"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("request step")
        verbose_name_plural = _("request steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"

    @property
    def note_is_public(self) -> bool:
        return self.action in PUBLIC_NOTE_ACTIONS


def request_photo_upload_to(instance: RequestPhoto, filename: str) -> str:
    # A random name: the sender's file name may carry their own name, and the folder is no public address.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"requests/{timezone.now():%Y%m}/{secrets.token_hex(16)}.{extension}"


class RequestPhoto(models.Model):
    """A photo sent with a request; served only to the handling side's administrators."""

    request = models.ForeignKey(CitizenRequest, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to=request_photo_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)

    class Meta:
        verbose_name = _("request photo")
        verbose_name_plural = _("request photos")

    def __str__(self) -> str:
        return self.original_name


# The publication period (公示期) ------------------------------------------------------------------------------


class CommentKind(models.TextChoices):
    OBJECTION = "objection", _("Objection")
    SUGGESTION = "suggestion", _("Suggestion")


class PublicComment(models.Model):
    """An objection or a suggestion the public sent on a published item during its publication period (公示期)."""

    item = models.ForeignKey(
        "items.WorkItem", verbose_name=_("item"), on_delete=models.CASCADE, related_name="public_comments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CommentKind.choices)
    text = models.TextField(_("text"))
    # Private: shown only to the owning side on the item's page, never on a public page.
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    at = models.DateTimeField(_("sent at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("publication-period comment")
        verbose_name_plural = _("publication-period comments")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["item", "answered_at"], name="public_comment_item_answered")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.at:%Y-%m-%d}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
