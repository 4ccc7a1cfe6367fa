"""Notifications written as things happen: in the transaction of the recorded step that causes them."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts.models import Role, User
from apps.items.models import Action, ItemTransition
from apps.notifications.models import Event
from apps.notifications.services import badges_forget, item_link, notify, responsible_people
from apps.public.models import PublicComment
from apps.supervision.models import Chase, NoticeEvent, NoticeEventKind


def _earlier_by(step: ItemTransition, action: str) -> int | None:
    """Who took the item's last `action` before this step (the assigner, the one who asked)."""
    earlier = (
        ItemTransition.objects.filter(item_id=step.item_id, action=action, at__lte=step.at)
        .exclude(pk=step.pk)
        .order_by("-at", "-id")
        .values_list("by_id", flat=True)
        .first()
    )
    return earlier


@receiver(post_save, sender=ItemTransition, dispatch_uid="notifications_item_steps")
def item_step_recorded(sender, instance: ItemTransition, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    step, item = instance, instance.item
    badges_forget([step.by_id])  # what waits on the one who acted has changed
    label = f"{item.number} {item.title}"
    if step.action == Action.ASSIGN and item.acknowledge_by is not None:
        text = _("%(item)s is assigned to you: acknowledge it by %(day)s.") % {
            "item": label,
            "day": item.acknowledge_by.isoformat(),
        }
        notify(event=Event.ASSIGNED, item=item, people=responsible_people([item])[item.pk], text=text)
    elif step.action == Action.RETURN:
        text = _("%(item)s was returned: %(reason)s") % {"item": label, "reason": step.reason}
        notify(event=Event.RETURNED, item=item, people=responsible_people([item])[item.pk], text=text)
    elif step.action == Action.DECLINE:
        text = _("%(item)s was declined by the unit it was assigned to: %(reason)s") % {
            "item": label,
            "reason": step.reason,
        }
        notify(event=Event.DECLINED, item=item, people=[_earlier_by(step, Action.ASSIGN)], text=text)
    elif step.action in (Action.GRANT_EXTENSION, Action.REFUSE_EXTENSION):
        text = f"{label}: {step.reason}" if step.reason else label
        if step.action == Action.REFUSE_EXTENSION:
            text = _("%(item)s: the extension was refused: %(reason)s") % {"item": label, "reason": step.reason}
        notify(
            event=Event.EXTENSION_DECIDED, item=item, people=[_earlier_by(step, Action.REQUEST_EXTENSION)], text=text
        )


@receiver(post_save, sender=NoticeEvent, dispatch_uid="notifications_notice_steps")
def notice_step_recorded(sender, instance: NoticeEvent, created: bool, raw: bool = False, **kwargs) -> None:
    """A notice issued (an escalation issues the next one) is said to the responsible side; a reply to its issuer."""
    if not created or raw:
        return
    badges_forget([instance.by_id])
    notice = instance.notice
    item = notice.item
    link = reverse("supervision:notice", args=[notice.pk])
    facts = {
        "item": f"{item.number} {item.title}",
        "colour": notice.get_colour_display(),
        "day": notice.reply_by.isoformat(),
    }
    if instance.kind == NoticeEventKind.ISSUED:
        event = Event.NOTICE_ESCALATED if notice.escalated_from_id else Event.NOTICE_ISSUED
        text = _("%(item)s: a supervision notice, %(colour)s; reply by %(day)s.") % facts
        people = responsible_people([item])[item.pk]
        notify(event=event, item=item, people=people, text=text, link=link, notice_id=notice.pk)
    elif instance.kind == NoticeEventKind.REPLIED:
        text = _("%(item)s: the supervision notice (%(colour)s) was answered.") % facts
        notify(
            event=Event.NOTICE_ANSWERED,
            item=item,
            people=[notice.issued_by_id],
            text=text,
            link=link,
            notice_id=notice.pk,
        )
    else:  # accepted or escalated: the responsible side's and the supervisors' queues changed
        badges_forget(responsible_people([item])[item.pk])


@receiver(post_save, sender=Chase, dispatch_uid="notifications_chases")
def chase_recorded(sender, instance: Chase, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    item = instance.item
    people = [instance.to_id] if instance.to_id else responsible_people([item])[item.pk]
    text = _("%(item)s: you are chased to get it done (deadline %(day)s).") % {
        "item": f"{item.number} {item.title}",
        "day": item.deadline.isoformat(),
    }
    if instance.note:
        text = f"{text} {instance.note}"
    notify(event=Event.CHASED, item=item, people=people, text=text)


@receiver(post_save, sender=PublicComment, dispatch_uid="notifications_public_comments")
def public_comment_received(sender, instance: PublicComment, created: bool, raw: bool = False, **kwargs) -> None:
    """An objection or a suggestion from the public (公示期) is said to the owning unit's administrators and leaders,
    once a day per item."""
    if not created or raw:
        return
    item = instance.item
    people = User.objects.filter(
        unit_id=item.unit_id, is_active=True, role_assignments__role__in=(Role.UNIT_ADMIN, Role.LEADER)
    ).values_list("pk", flat=True)
    text = _("%(item)s: the public sent an objection or a suggestion during the publication period.") % {
        "item": f"{item.number} {item.title}"
    }
    notify(
        event=Event.PUBLIC_COMMENT,
        item=item,
        people=list(people),
        text=text,
        link=f"{item_link(item.pk)}#public-comments",
    )
