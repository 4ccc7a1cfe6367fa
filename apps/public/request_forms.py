"""The forms of citizen requests: the public's form with its captcha, and the handling unit's steps."""

from __future__ import annotations

import datetime
from typing import Any

from captcha.fields import CaptchaField
from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from apps.items.forms import MultipleFileField, MultipleFileInput
from apps.items.models import Category
from apps.org.models import Unit
from apps.org.widgets import UnitTreeSelect
from apps.public.request_services import REQUEST_MAX_PHOTOS

IMAGE_ACCEPT = ".jpg,.jpeg,.png,.gif,.webp"


class PublicUnitSelect(UnitTreeSelect):
    """The unit picker without its search box: the search answers signed-in users only. The select lists the
    chosen unit's ancestors, itself and its children (the page links one level down), else the top two levels."""

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        attrs = context["widget"]["attrs"]
        for key in [key for key in attrs if key.startswith("data-")]:
            del attrs[key]
        return context


class CitizenRequestForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    unit = forms.ModelChoiceField(
        label=_("Where (the unit concerned)"), queryset=Unit.objects.all(), widget=PublicUnitSelect
    )
    text = forms.CharField(
        label=_("What you want to report"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you needed, where, and what went wrong. Please leave your name and phone out of this box."),
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text=format_lazy(_("Up to {count} photos (JPEG, PNG, GIF or WebP)."), count=REQUEST_MAX_PHOTOS),
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Your phone (optional)"),
        max_length=30,
        required=False,
        validators=[RegexValidator(r"^[0-9+\- ]{5,30}$", _("Enter a phone number: digits, spaces, + and - only."))],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    may_contact = forms.BooleanField(label=_("The unit may contact me about this request"), required=False)
    captcha = CaptchaField(
        label=_("Type the characters in the picture"),
        error_messages={"invalid": _("The characters do not match the picture; please type those of the new one.")},
    )

    def clean_photos(self) -> list:
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > REQUEST_MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(count)d photos may be sent.") % {"count": REQUEST_MAX_PHOTOS})
        return photos

    def clean(self) -> dict:
        data = super().clean()
        if data.get("may_contact") and not data.get("phone"):
            self.add_error("phone", _("Leave a phone number if the unit may contact you."))
        return data


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "placeholder": "SQ-20261202-7K3FQ2ZP",
                "autocapitalize": "characters",
                "aria-label": _("Tracking code"),
            }
        ),
    )


class ForwardForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Forward to"), queryset=Unit.objects.none(), widget=UnitTreeSelect)
    note = forms.CharField(label=_("Note for the unit"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user)


class TurnIntoItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    content = forms.CharField(label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_deadline(self) -> datetime.date:
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        return deadline


class LinkItemForm(forms.Form):
    number = forms.CharField(label=_("Work item number"), max_length=40)


class AnswerForm(forms.Form):
    reply = forms.CharField(label=_("Reply to the sender"), widget=forms.Textarea(attrs={"rows": 3}))


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the sender reads it)"), widget=forms.Textarea(attrs={"rows": 2}))
