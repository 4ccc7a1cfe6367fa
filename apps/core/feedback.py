"""Telling the user what went wrong with a form they posted from a page that shows no form."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest


def flash_form_errors(request: HttpRequest, form: forms.Form) -> None:
    """Show every error of `form` as a message on the next page."""
    for field_errors in form.errors.values():
        for error in field_errors:
            messages.error(request, error)
