"""Sent when the calendar of some years changed in bulk (a fill from the library), for the apps that depend on it."""

from django.dispatch import Signal

# Sent with `years`: the years whose working days may have changed.
calendar_changed = Signal()
