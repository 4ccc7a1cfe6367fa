"""The rating form (满意度), on the tracking page for the sender and on the queue page for a phone follow-up."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from apps.public.models import Rating


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label=gettext_lazy("How satisfied are you?"), choices=Rating.choices)
    solved = forms.TypedChoiceField(
        label=gettext_lazy("Is the problem actually solved?"),
        choices=[("yes", gettext_lazy("Yes, solved")), ("no", gettext_lazy("No, not solved"))],
        coerce=lambda value: value == "yes",
    )
    note = forms.CharField(label=gettext_lazy("Anything to add"), required=False, max_length=500)
