"""Notifications of what happened to a person's items, read in the portal and sent as one daily email digest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned to you")
    RETURNED = "returned", _("Returned to you")
    DECLINED = "declined", _("Assignment declined")
    ACKNOWLEDGEMENT_DUE = "acknowledgement_due", _("Acknowledgement due")
    DUE_SOON = "due_soon", _("Deadline near")
    OVERDUE = "overdue", _("Overdue")
    EXTENSION_DECIDED = "extension_decided", _("Extension request decided")
    NOTICE_ISSUED = "notice_issued", _("Supervision notice issued")
    NOTICE_ESCALATED = "notice_escalated", _("Supervision notice escalated")
    NOTICE_ANSWERED = "notice_answered", _("Supervision notice answered")
    CHASED = "chased", _("Chased (催办)")
    REPORT_READY = "report_ready", _("Report ready")
    PUBLIC_COMMENT = "public_comment", _("Objection or suggestion from the public")


class Notification(models.Model):
    """One thing a person should know about one item on one day, or about one report.

    (recipient, event, item, day) is unique: the daily run and the services may both try to say the same thing
    the same day, and it is said once; a supervision notice or a report is said once to each person.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    # What it is about: an item, or a report produced for the person's unit.
    item = models.ForeignKey(
        "items.WorkItem",
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # The supervision notice it is about, if any: each notice is said once to each person, whatever the day.
    notice = models.ForeignKey(
        "supervision.Notice",
        verbose_name=_("supervision notice"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    report = models.ForeignKey(
        "reports.Report",
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    day = models.DateField(_("day"))
    text = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True, help_text=_("Where the notification leads."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event", "item", "day"],
                condition=models.Q(notice__isnull=True),
                name="one_notification_a_day",
            ),
            models.UniqueConstraint(
                fields=["recipient", "event", "notice"],
                condition=models.Q(notice__isnull=False),
                name="one_notification_a_notice",
            ),
            models.UniqueConstraint(
                fields=["recipient", "event", "report"],
                condition=models.Q(report__isnull=False),
                name="one_notification_a_report",
            ),
        ]
        indexes = [
            # A person's unread ones (the count in the top bar) and the ones the digest has still to send.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["emailed_at", "recipient"], name="notification_to_email"),
            models.Index(fields=["day", "event"], name="notification_day"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.event} {self.item_id or self.report_id} {self.day}"


class EmailChoice(models.Model):
    """Whether a person receives the daily digest by email (on unless they turn it off)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="email_choice"
    )
    daily_digest = models.BooleanField(_("daily email digest"), default=True)

    class Meta:
        verbose_name = _("email choice")
        verbose_name_plural = _("email choices")

    def __str__(self) -> str:
        return f"{self.person_id} {self.daily_digest}"
