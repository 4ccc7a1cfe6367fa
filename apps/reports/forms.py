from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.org.models import Unit
from apps.reports.periods import ReportKind


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    day = forms.DateField(
        label=_("Any day in the period"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user)
        self.fields["unit"].initial = user.unit_id
        self.fields["day"].initial = timezone.localdate() - timezone.timedelta(days=7)
