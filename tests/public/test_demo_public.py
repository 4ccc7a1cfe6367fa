"""The demo gives the public pages something to show: published items with public progress notes."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.items.models import ProgressUpdate, WorkItem, completed_q, planned_q
from apps.org.models import Unit

pytestmark = pytest.mark.django_db


def test_demo_public_pages_show_public_notes_and_the_counted_figures(client):
    # given
    call_command("load_demo", stdout=StringIO())
    root = Unit.objects.order_by("depth", "path").first()

    # then: some notes are public, each on a published item, and the root's page shows figures counted from items
    public_notes = ProgressUpdate.objects.filter(is_public=True)
    assert public_notes.exists()
    assert not public_notes.filter(item__is_published=False).exists()
    page = client.get(reverse("public:unit", args=[root.pk])).content.decode()
    published = WorkItem.objects.filter(planned_q(), is_published=True, unit__path__startswith=root.path)
    for kind in ("livelihood_plan", "service_list"):
        row = re.search(rf'<tr data-kind="{kind}">.*?"planned">(\d+)<.*?"completed">(\d+)<', page, re.S)
        assert row, kind
        assert int(row.group(1)) == published.filter(kind=kind).count()
        assert int(row.group(2)) == published.filter(completed_q(), kind=kind).count()
    noted = public_notes.order_by("id").first().item
    assert (
        public_notes.order_by("id").first().note in client.get(reverse("public:item", args=[noted.pk])).content.decode()
    )
