"""Forms of the notice pages; they validate input and hand it to the services in apps/supervision/notices.py."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from apps.items.forms import DATE_INPUT, MultipleFileField
from apps.supervision.models import NoticeColour


class NoticeIssueForm(forms.Form):
    """Issue a notice on one item, or the same notice on several items of a unit."""

    items = forms.ModelMultipleChoiceField(
        label=_("Items"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one item.")},
    )
    colour = forms.ChoiceField(label=_("Colour"), choices=NoticeColour.choices, initial=NoticeColour.BLUE)
    number = forms.CharField(
        label=_("Notice number"), max_length=50, required=False, help_text=_("e.g. 督办〔2026〕12号")
    )
    requirements = forms.CharField(label=_("Requirements"), widget=forms.Textarea(attrs={"rows": 4}))
    reply_by = forms.DateField(
        label=_("Reply by"), widget=DATE_INPUT, help_text=_("By default five working days from today.")
    )

    def __init__(self, *args, items: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = items
        self.fields["items"].label_from_instance = lambda item: f"{item.number} {item.title} · {item.responsible_unit}"


class NoticeReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("What was done."))
    files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=format_lazy(
            _("Photos, PDF or office documents, up to {size} MB each."),
            size=settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
        ),
    )


class NoticeAcceptForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class NoticeEscalateForm(forms.Form):
    requirements = forms.CharField(
        label=_("Requirements"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Empty: as the notice escalated."),
    )
    reply_by = forms.DateField(
        label=_("Reply by"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Empty: five working days from today."),
    )
    number = forms.CharField(label=_("Notice number"), max_length=50, required=False)
