"""The forms of the publication period: the public's objection or suggestion, and the owning side's answer."""

from __future__ import annotations

from captcha.fields import CaptchaField
from django import forms
from django.utils.translation import gettext_lazy as _

from apps.public.comments import TEXT_MAX_LENGTH
from apps.public.models import CommentKind


class PublicCommentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Objection or suggestion"), choices=CommentKind.choices, widget=forms.RadioSelect, initial="objection"
    )
    text = forms.CharField(
        label=_("What you want to say"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Your phone (optional)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("Only the staff answering see your name and phone; they are never shown on the public pages."),
    )
    captcha = CaptchaField(
        label=_("Type the characters in the picture"),
        error_messages={"invalid": _("The characters do not match the picture: type the new ones.")},
    )


class PublicCommentAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The comment and your answer are shown on the public item page; the sender's name and phone never."
        ),
    )
