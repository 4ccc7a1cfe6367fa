import django_filters
from django.utils.translation import gettext_lazy as _

from apps.org.models import Unit
from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind


class ReportFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ReportKind.choices)
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=Unit.objects.none())
    period = django_filters.DateFromToRangeFilter(
        label=_("Period starting between"),
        field_name="period_start",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ReportStatus.choices)

    class Meta:
        model = Report
        fields = ["kind", "unit", "period", "status"]

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = Unit.objects.visible_to(user) if user is not None else Unit.objects.none()
