"""The one FilterSet of supervision notices: the list page, its exports and links to it."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.org.filtersets import PortalOrderingFilter, ScopedFilterSet, UnitFilter, YesNoFilter
from apps.org.widgets import UnitTreeSelect
from apps.supervision.models import (
    OPEN_NOTICE_STATUSES,
    Notice,
    NoticeColour,
    NoticeStatus,
    notice_overdue_q,
)


def notice_replied_q() -> Q:
    """The notice got a reply (answered, accepted, or escalated after the reply): its first reply's time is kept.

    The dashboard's and the ranking's "answered" count the same (apps/dashboards/notice_figures.py).
    """
    return Q(answered_at__isnull=False)


def notice_open_q() -> Q:
    """Still open: waiting for a reply, or answered and waiting for the supervisor's decision."""
    return Q(status__in=sorted(OPEN_NOTICE_STATUSES))


class NoticeFilterSet(ScopedFilterSet):
    colour = django_filters.ChoiceFilter(label=_("Colour"), choices=NoticeColour.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=NoticeStatus.choices)
    overdue = YesNoFilter(label=_("Past the reply deadline"), method="filter_overdue")
    answered = YesNoFilter(label=_("Got a reply"), method="filter_answered")
    open = YesNoFilter(label=_("Open (waiting for a reply or a decision)"), method="filter_open")
    unit = UnitFilter(label=_("Owning unit (and below)"), path_field="item__unit__path", widget=UnitTreeSelect)
    responsible_unit = UnitFilter(
        label=_("Responsible unit (and below)"), path_field="item__responsible_unit__path", widget=UnitTreeSelect
    )
    item = django_filters.NumberFilter(label=_("Item (id)"), field_name="item_id")
    ordering = PortalOrderingFilter(
        label=_("Sort by"),
        fields=[("issued_at", "issued"), ("reply_by", "reply_by")],
        field_labels={"issued_at": _("Issued"), "reply_by": _("Reply by")},
    )

    class Meta:
        model = Notice
        fields = ["colour", "status", "overdue", "answered", "open", "unit", "responsible_unit", "item"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(notice_overdue_q()) if value else queryset.exclude(notice_overdue_q())

    def filter_answered(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(notice_replied_q()) if value else queryset.exclude(notice_replied_q())

    def filter_open(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(notice_open_q()) if value else queryset.exclude(notice_open_q())
