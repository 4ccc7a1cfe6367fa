"""generate_demo writes most items with their recorded story, and each story leads to the item as it stands."""

import datetime
import itertools
from collections import defaultdict
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.demo.generator.histories import HISTORY_SHARE
from apps.items.counters.writes import counters_rebuild
from apps.items.models import ACTIVE_STATUSES, DONE_STATUSES, Action, ItemTransition, ProgressUpdate, Status, WorkItem
from apps.items.rules import STATUS_MOVES

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["now", "just after midnight"])
def generated(request, db):
    """A generated tree's items with their stories: made now, or in the first minutes of a day (when the day's
    completions and closes have had no time to happen)."""
    if request.param == "now":
        call_command("generate_demo", items=3_000, units=60, levels=4, stdout=StringIO())
    else:
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        moment = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(0, 20)))
        with mock.patch("django.utils.timezone.now", return_value=moment):
            call_command("generate_demo", items=3_000, units=60, levels=4, stdout=StringIO())
    stories = defaultdict(list)
    for move in ItemTransition.objects.order_by("at", "id"):
        stories[move.item_id].append(move)
    notes = defaultdict(list)
    for note in ProgressUpdate.objects.order_by("at", "id"):
        notes[note.item_id].append(note)
    return {item.pk: item for item in WorkItem.objects.all()}, stories, notes


def test_generated_histories_cover_a_realistic_share_of_the_items(generated):
    items, stories, notes = generated

    assert abs(len(stories) / len(items) - HISTORY_SHARE) < 0.05
    assert set(stories) <= set(items)
    assert len(notes) > 0.3 * len(stories)
    actions = {move.action for moves in stories.values() for move in moves}
    assert {Action.RETURN, Action.SUSPEND, Action.CANCEL, Action.ASSIGN, Action.ACKNOWLEDGE} <= actions
    assert {Action.GRANT_EXTENSION, Action.PUBLISH, Action.POST_PROGRESS, Action.CLOSE} <= actions
    assert counters_rebuild(write=False) == []


def test_generated_history_leads_to_the_item_as_it_stands(generated):
    items, stories, notes = generated
    now = timezone.now()

    for item_id, moves in stories.items():
        item = items[item_id]
        # given the story in time order: a creation, then legal moves, each from where the last one led
        assert moves[0].action == Action.CREATE and moves[0].to_status == Status.DRAFT
        assert moves[0].at == item.created_at
        for before, move in itertools.pairwise(moves):
            assert move.from_status == before.to_status
            if move.action in STATUS_MOVES:
                assert move.from_status in STATUS_MOVES[move.action][0], (item_id, move)
                assert move.to_status == STATUS_MOVES[move.action][1]
            else:
                assert move.to_status == move.from_status
        assert all(move.at <= now for move in moves)
        # then it ends where the item stands, with its dates, its progress and its limits
        assert moves[-1].to_status == item.status, item_id
        completions = [move for move in moves if move.action == Action.COMPLETE]
        if item.status in DONE_STATUSES:
            assert timezone.localdate(completions[-1].at) == item.completed_on
            assert completions[-1].due == item.deadline
        if item.status in ACTIVE_STATUSES and item.status != Status.APPROVED:
            assert notes[item_id][-1].percent == item.progress_percent
        percents = [note.percent for note in notes[item_id]]
        assert percents == sorted(percents)
        if item.original_deadline is not None:
            assert [move.action for move in moves].count(Action.GRANT_EXTENSION) == 1
            assert item.original_deadline < item.deadline
        assignments = [move for move in moves if move.action == Action.ASSIGN]
        if item.acknowledge_by is not None:
            assert item.responsible_unit_id != item.unit_id
            assert assignments[-1].due == item.acknowledge_by
            acknowledged = [move.at for move in moves if move.action == Action.ACKNOWLEDGE]
            assert acknowledged[-1:] == ([item.acknowledged_at] if item.acknowledged_at else [])
        else:
            assert not assignments and item.responsible_unit_id == item.unit_id


def test_generate_demo_without_histories(db):
    call_command("generate_demo", items=500, units=20, levels=3, no_histories=True, stdout=StringIO())

    assert WorkItem.objects.count() == 500
    assert not ItemTransition.objects.exists() and not ProgressUpdate.objects.exists()
    assert counters_rebuild(write=False) == []


def test_generated_stories_end_by_the_day_the_story_has_reached(db):
    as_of = datetime.date(2021, 7, 15)

    call_command("generate_demo", items=500, units=20, levels=3, as_of=as_of, stdout=StringIO())

    last = ItemTransition.objects.order_by("-at").first()
    assert timezone.localdate(last.at) <= as_of
