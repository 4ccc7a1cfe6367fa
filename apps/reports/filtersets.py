"""The report archive's FilterSet: its page, the API and the archive exports."""

import django_filters
from django.utils.translation import gettext_lazy as _

from apps.org.filtersets import ScopedFilterSet, UnitFilter
from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind


class ReportFilterSet(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ReportKind.choices)
    unit = UnitFilter(label=_("Unit"))
    period = django_filters.DateFromToRangeFilter(
        label=_("Period starting between"),
        field_name="period_start",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ReportStatus.choices)

    class Meta:
        model = Report
        fields = ["kind", "unit", "period", "status"]
