"""The one FilterSet of supervision notices: the list page, its exports and links to it."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.org.filtersets import PortalOrderingFilter, ScopedFilterSet, UnitFilter, YesNoFilter
from apps.org.widgets import UnitTreeSelect
from apps.supervision.models import Notice, NoticeColour, NoticeStatus, notice_overdue_q


class NoticeFilterSet(ScopedFilterSet):
    colour = django_filters.ChoiceFilter(label=_("Colour"), choices=NoticeColour.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=NoticeStatus.choices)
    overdue = YesNoFilter(label=_("Past the reply deadline"), method="filter_overdue")
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
        fields = ["colour", "status", "overdue", "unit", "responsible_unit", "item"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(notice_overdue_q()) if value else queryset.exclude(notice_overdue_q())
