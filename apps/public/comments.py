"""The publication period (公示期): when the public may object to or suggest on a published item, who answers.

The period is PUBLICATION_DAYS calendar days counted from the day the item was published (`published_at`, in the
offices' time zone), that day included: an item published on 3 March takes objections and suggestions until the
end of 9 March. The owning side answers them (unit administrators and leaders of the item's unit or above);
what they send and the answers are shown on the public item page once answered, the sender's name and phone never.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.lockout import client_ip_address
from apps.accounts.models import Role
from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.items.models import WorkItem, today_local
from apps.org.scope import user_reaches
from apps.public.models import CommentKind, PublicComment
from apps.public.selectors import public_items

if TYPE_CHECKING:
    from apps.accounts.models import User

# How long the public may send objections and suggestions after an item is published: calendar days, the day of
# publication included (a module constant, not a setting: the period is part of the rule the page states).
PUBLICATION_DAYS = 7
# Who answers them: the owning side's unit administrators and leaders (of the item's unit or a unit above it).
ANSWERING_ROLES = (Role.UNIT_ADMIN, Role.LEADER)
TEXT_MAX_LENGTH = 2000


def answer_refusal() -> str:
    """Who may answer: said to anyone else (translated when it is said)."""
    return _("Only the unit administrators and leaders of the item's owning unit or a unit above it may answer.")


@dataclass(frozen=True)
class PublicationPeriod:
    """The first and last day on which the public may comment on an item."""

    first_day: datetime.date
    last_day: datetime.date

    def is_open(self, today: datetime.date | None = None) -> bool:
        return self.first_day <= (today or today_local()) <= self.last_day


def publication_period(published_at: datetime.datetime | None) -> PublicationPeriod | None:
    """The period of an item published at `published_at`; None when it has no publication time."""
    if published_at is None:
        return None
    first_day = timezone.localdate(published_at)
    return PublicationPeriod(first_day, first_day + datetime.timedelta(days=PUBLICATION_DAYS - 1))


def comment_rate_key(group: str, request: HttpRequest) -> str:
    """django-ratelimit's key: the client's address, read as the sign-in lockout reads it (TRUSTED_PROXY_COUNT)."""
    return client_ip_address(request) or ""


# Writes ------------------------------------------------------------------------------------------------------


@transaction.atomic
def public_comment_create(
    *, item: WorkItem, kind: str, text: str, name: str = "", phone: str = "", today: datetime.date | None = None
) -> PublicComment:
    """Record an objection or a suggestion from the public on a published item, within its publication period."""
    # Read again: an item cancelled (or unpublished by a reload) since the form was drawn takes nothing more.
    period = publication_period(public_items().filter(pk=item.pk).values_list("published_at", flat=True).first())
    if period is None or not period.is_open(today):
        raise ServiceError(
            _("The publication period of this item has ended: it takes no more objections or suggestions.")
        )
    if kind not in CommentKind.values:
        raise ServiceError(_("Choose objection or suggestion."), field="kind")
    text = text.strip()
    if not text:
        raise ServiceError(_("Write your objection or suggestion."), field="text")
    return PublicComment.objects.create(
        item=item, kind=kind, text=text[:TEXT_MAX_LENGTH], name=name.strip(), phone=phone.strip()
    )


def user_may_answer(user: User, item: WorkItem) -> bool:
    """Is the user on the item's owning side, as a unit administrator or a leader?"""
    return user.is_authenticated and user.has_role(*ANSWERING_ROLES) and user_reaches(user, item.unit)


@transaction.atomic
def public_comment_answer(*, comment: PublicComment, by: User, answer: str) -> PublicComment:
    """Answer a comment once, for the owning side; the answer is shown on the public item page."""
    comment = PublicComment.objects.select_for_update().select_related("item__unit").get(pk=comment.pk)
    if not user_may_answer(by, comment.item):
        raise ServicePermissionError(answer_refusal())
    if comment.is_answered:
        raise ServiceError(_("This comment has already been answered."))
    answer = answer.strip()
    if not answer:
        raise ServiceError(_("Write the answer."), field="answer")
    comment.answer = answer[:TEXT_MAX_LENGTH]
    comment.answered_by = by
    comment.answered_at = timezone.now()
    comment.save(update_fields=["answer", "answered_by", "answered_at"])
    return comment


# Reads -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnsweredComment:
    """What the public page shows of an answered comment: never the sender's name or phone."""

    kind: str
    text: str
    at: datetime.datetime
    answer: str
    answered_at: datetime.datetime

    @property
    def kind_label(self) -> str:
        return str(CommentKind(self.kind).label)


@dataclass(frozen=True)
class PublicCommentsView:
    """The publication period of an item and its comments as the public page shows them."""

    period: PublicationPeriod | None
    is_open: bool
    answered: list[AnsweredComment]
    waiting: int  # received and not yet answered: counted, not shown


def public_comments_of(item_id: int) -> PublicCommentsView:
    """A published item's period, its answered comments (oldest first) and how many wait for an answer.

    Read on every request, not cached, so an answer shows at once: three small queries by keys and the comments'
    index.
    """
    published_at = public_items().filter(pk=item_id).values_list("published_at", flat=True).first()
    period = publication_period(published_at)
    comments = PublicComment.objects.filter(item_id=item_id)
    answered = [
        AnsweredComment(kind=kind, text=text, at=at, answer=answer, answered_at=answered_at)
        for kind, text, at, answer, answered_at in comments.filter(answered_at__isnull=False)
        .order_by("at", "pk")
        .values_list("kind", "text", "at", "answer", "answered_at")
    ]
    return PublicCommentsView(
        period=period,
        is_open=period is not None and period.is_open(),
        answered=answered,
        waiting=comments.filter(answered_at__isnull=True).count(),
    )


def item_comments_for_staff(*, user: User, item: WorkItem) -> QuerySet[PublicComment] | None:
    """The item's comments with the senders' contact details, for the owning side; None for anyone else."""
    if not user_may_answer(user, item):
        return None
    return PublicComment.objects.filter(item=item).select_related("answered_by").order_by("at", "pk")
