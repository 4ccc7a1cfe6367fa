"""Lifecycle services: every move, every refusal, numbering, dates, progress and evidence."""

from __future__ import annotations

import datetime
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.test import override_settings
from django.utils import timezone, translation

from apps.accounts.models import User
from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.items.models import Action, Evidence, ItemTransition, ProgressUpdate, Status, WorkItem
from apps.items.services import (
    item_apply_action,
    item_assign,
    item_claim,
    item_complete,
    item_post_progress,
    item_return,
)
from tests.conftest import REASON
from tests.factories import UserFactory, WorkItemFactory

# --- DOMAIN.md's lifecycle, written out as this test's own table ------------------------------------------------
#
# draft → submitted → approved (may be published) → in progress → completed → closed;
# completed → returned → in progress; any open state → suspended or cancelled (with a reason);
# a suspended item resumes in the state it was suspended from.
# The roles come from apps/items/rules.py; the sets name the members of the fixed cast (tests/conftest.py) who
# hold them. The outsider holds every role but system administrator, in a sibling district: never allowed.
CAST = ("owner", "colleague", "outsider", "leader", "supervisor", "unit_admin", "system_admin")
# Send it up and work on it (submit, start, post progress, complete): the officials and administrator of its unit
# (it is both the owning and the responsible unit here; tests/api/test_authority.py tells the two sides apart).
WORKERS = frozenset({"owner", "colleague", "unit_admin", "system_admin"})
# Manage it (approve, publish, assign, suspend, resume, cancel): unit administrators and leaders above.
MANAGERS = frozenset({"leader", "unit_admin", "system_admin"})
# Check it (close, return): supervisors.
SUPERVISORS = frozenset({"supervisor", "system_admin"})
# Claim and lead it: leaders.
LEADERS = frozenset({"leader"})

STATES = ("draft", "submitted", "approved", "in_progress", "completed", "closed", "returned", "suspended", "cancelled")
OPEN_STATES = ("draft", "submitted", "approved", "in_progress", "returned")
ACTIONS = (
    "submit",
    "revise",
    "approve",
    "publish",
    "start",
    "post_progress",
    "complete",
    "close",
    "return",
    "suspend",
    "resume",
    "cancel",
    "claim",
    "assign",
)

# (from state, action, to state, who may do it)
STATUS_CHANGING_MOVES = [
    ("draft", "submit", "submitted", WORKERS),
    ("submitted", "approve", "approved", MANAGERS),
    # At review a submitted item can be sent back to its drafters for revision, with the reason.
    ("submitted", "revise", "draft", MANAGERS),
    ("approved", "start", "in_progress", WORKERS),
    ("in_progress", "complete", "completed", WORKERS),
    ("completed", "close", "closed", SUPERVISORS),
    ("completed", "return", "returned", SUPERVISORS),
    ("returned", "start", "in_progress", WORKERS),
    ("draft", "suspend", "suspended", MANAGERS),
    ("submitted", "suspend", "suspended", MANAGERS),
    ("approved", "suspend", "suspended", MANAGERS),
    ("in_progress", "suspend", "suspended", MANAGERS),
    ("returned", "suspend", "suspended", MANAGERS),
    ("draft", "cancel", "cancelled", MANAGERS),
    ("submitted", "cancel", "cancelled", MANAGERS),
    ("approved", "cancel", "cancelled", MANAGERS),
    ("in_progress", "cancel", "cancelled", MANAGERS),
    ("returned", "cancel", "cancelled", MANAGERS),
    # A paused item is still unfinished business, so it can be given up too.
    ("suspended", "cancel", "cancelled", MANAGERS),
]
# (the state an item was suspended from, action, the state it comes back to, who may do it)
RESUME_MOVES = [(state, "resume", state, MANAGERS) for state in OPEN_STATES]
# Actions that keep the state: (state, action, who may do it). DOMAIN.md names the actions; the states are the
# portal's: publish once approved (and after), claim anything not closed or cancelled, assign and suspend open
# items only, post progress while in progress.
STATUS_KEEPING_MOVES = [
    ("approved", "publish", MANAGERS),
    ("in_progress", "publish", MANAGERS),
    ("completed", "publish", MANAGERS),
    ("closed", "publish", MANAGERS),
    ("returned", "publish", MANAGERS),
    ("draft", "claim", LEADERS),
    ("submitted", "claim", LEADERS),
    ("approved", "claim", LEADERS),
    ("in_progress", "claim", LEADERS),
    ("completed", "claim", LEADERS),
    ("returned", "claim", LEADERS),
    ("suspended", "claim", LEADERS),
    ("draft", "assign", MANAGERS),
    ("submitted", "assign", MANAGERS),
    ("approved", "assign", MANAGERS),
    ("in_progress", "assign", MANAGERS),
    ("returned", "assign", MANAGERS),
    ("in_progress", "post_progress", WORKERS),
]
LEGAL_PAIRS = (
    {(state, action) for state, action, _to, _who in STATUS_CHANGING_MOVES}
    | {("suspended", "resume")}
    | {(state, action) for state, action, _who in STATUS_KEEPING_MOVES}
)
ILLEGAL_PAIRS = [(state, action) for state in STATES for action in ACTIONS if (state, action) not in LEGAL_PAIRS]
ACTIONS_NEEDING_A_REASON = ("return", "revise", "suspend", "cancel")

# What the user reads, in Chinese: the state and action names of the interface.
STATE_IN_CHINESE = {
    "draft": "草稿",
    "submitted": "已提交",
    "approved": "已审核",
    "in_progress": "推进中",
    "completed": "已办结",
    "closed": "已销号",
    "returned": "已退回",
    "suspended": "已暂停",
    "cancelled": "已撤销",
}
ACTION_IN_CHINESE = {
    "submit": "提交",
    "revise": "退回修改",
    "approve": "审核通过",
    "publish": "公示",
    "start": "开始办理",
    "post_progress": "报送进展",
    "complete": "标记办结",
    "close": "核验销号",
    "return": "退回",
    "suspend": "暂停",
    "resume": "恢复办理",
    "cancel": "撤销事项",
    "claim": "领办",
    "assign": "交办",
}

UTC = datetime.UTC
# 16:30 UTC on 30 June is 00:30 on 1 July in Shanghai; 15:30 UTC is still 23:30 on 30 June there.
JUST_AFTER_MIDNIGHT_IN_SHANGHAI = datetime.datetime(2021, 6, 30, 16, 30, tzinfo=UTC)
JUST_BEFORE_MIDNIGHT_IN_SHANGHAI = datetime.datetime(2021, 6, 30, 15, 30, tzinfo=UTC)
DEADLINE = datetime.date(2021, 6, 30)
CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_in_active_language(message: str, source: str) -> None:
    """The message is Chinese; fails when the compiled zh-hans catalogue is missing (run `make setup`)."""
    assert translation.get_language() == "zh-hans", "call inside translation.override('zh-hans')"
    assert translation.gettext(source) != source, (
        f"no compiled Chinese for {source!r}: locale/zh_Hans/LC_MESSAGES/django.mo is missing or stale; "
        "run `make setup` (compilemessages)"
    )
    assert CJK.search(message), message


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def cast(request) -> dict[str, User]:
    return {who: request.getfixturevalue(who) for who in CAST}


@pytest.fixture
def act(township) -> Callable[..., Any]:
    """Take an action through its service with inputs whose effect shows (assign hands the item down a level)."""

    def run(action: str, *, item: WorkItem, by: User) -> Any:
        if action == "post_progress":
            return item_post_progress(item=item, by=by, note="主管网铺设过半", percent=60)
        if action == "assign":
            return item_assign(item=item, by=by, responsible_unit=township, letter="交办函〔2021〕7号")
        return item_apply_action(item=item, by=by, action=action, reason=REASON)

    return run


def who_may(act: Callable[..., Any], action: str, item: WorkItem, cast: dict[str, User], item_state) -> set[str]:
    """Let each member of the cast try the action on the same item (undone after each try); who succeeded.

    A refusal must be a permission refusal that changes nothing, and a success must leave the item readable.
    """
    allowed = set()
    for who, user in cast.items():
        before = item_state(item)
        savepoint = transaction.savepoint()
        try:
            act(action, item=item, by=user)
        except ServicePermissionError:
            assert item_state(item) == before, who
        else:
            allowed.add(who)
        finally:
            transaction.savepoint_rollback(savepoint)
    return allowed


def assert_recorded(item: WorkItem, *, action: str, from_status: str, to_status: str, by: User, history_before: int):
    """The move is on the item's timeline (who, when, from, to) and in its change history."""
    transition = item.transitions.order_by("at", "id").last()
    assert (transition.action, transition.from_status, transition.to_status) == (action, from_status, to_status)
    assert transition.by == by
    assert transition.at <= timezone.now()
    assert item.history.count() == history_before + 1
    assert (item.history.first().status, item.history.first().history_user) == (to_status, by)


def test_lifecycle_table_names_every_state_and_action():
    # A new state or action must be placed in the tables above before the portal can use it.
    assert set(STATES) == set(Status.values)
    # Deleting a never-submitted draft removes the item itself: tests/items/test_drafts.py has its own tests; an
    # extension request waits for its decision, beyond the item's state: tests/items/test_extensions.py.
    # Acknowledging or declining waits for an assignment to another unit: tests/items/test_acknowledgement.py.
    extensions = {"request_extension", "grant_extension", "refuse_extension"}
    acknowledgement = {"acknowledge", "decline"}
    assert set(ACTIONS) == set(Action.values) - {"create", "delete_draft"} - extensions - acknowledgement
    assert set(STATE_IN_CHINESE) == set(STATES)
    assert set(ACTION_IN_CHINESE) == set(ACTIONS)


@pytest.mark.parametrize(
    ("from_status", "action", "to_status", "allowed"),
    STATUS_CHANGING_MOVES,
    ids=[f"{action}-from-{state}" for state, action, _to, _who in STATUS_CHANGING_MOVES],
)
def test_item_move_legal_by_the_right_people_records_who_from_to_why(
    from_status, action, to_status, allowed, make_item, cast, act, actor_for, item_state
):
    # given
    item = make_item(from_status)

    # when: each member of the cast tries it; then the usual actor does it for real
    tried = who_may(act, action, item, cast, item_state)
    by = actor_for(action)
    history_before = item.history.count()
    act(action, item=item, by=by)

    # then
    assert tried == allowed
    item.refresh_from_db()
    assert item.status == to_status
    assert_recorded(
        item, action=action, from_status=from_status, to_status=to_status, by=by, history_before=history_before
    )
    assert item.transitions.last().reason == REASON
    assert item.history.first().history_change_reason == REASON


@pytest.mark.parametrize(
    ("suspended_from", "action", "back_to", "allowed"),
    RESUME_MOVES,
    ids=[f"resume-suspended-from-{state}" for state, *_rest in RESUME_MOVES],
)
def test_item_resume_goes_back_to_the_state_it_was_suspended_from(
    suspended_from, action, back_to, allowed, make_item, cast, act, leader, item_state
):
    # given: an item suspended from some state
    item = make_item(suspended_from)
    item_apply_action(item=item, by=leader, action="suspend", reason="汛期暂停施工")
    history_before = item.history.count()

    # when
    tried = who_may(act, action, item, cast, item_state)
    act(action, item=item, by=leader)

    # then: a draft stays a draft, so suspending never skips submission or approval
    assert tried == allowed
    item.refresh_from_db()
    assert item.status == back_to
    assert_recorded(
        item, action="resume", from_status="suspended", to_status=back_to, by=leader, history_before=history_before
    )


@pytest.mark.parametrize(
    ("status", "action", "allowed"),
    STATUS_KEEPING_MOVES,
    ids=[f"{action}-in-{state}" for state, action, _who in STATUS_KEEPING_MOVES],
)
def test_item_status_keeping_action_by_the_right_people_keeps_the_state(
    status, action, allowed, make_item, cast, act, actor_for, item_state, township, leader
):
    # given
    item = make_item(status)

    # when
    tried = who_may(act, action, item, cast, item_state)
    by = actor_for(action)
    history_before = item.history.count()
    act(action, item=item, by=by)

    # then: the state is the same, the action is on the timeline, and it did what it says
    assert tried == allowed
    item.refresh_from_db()
    assert item.status == status
    assert_recorded(item, action=action, from_status=status, to_status=status, by=by, history_before=history_before)
    effects = {
        "publish": lambda: (item.is_published, item.published_at is not None) == (True, True),
        "claim": lambda: item.lead_leader == leader,
        "assign": lambda: (item.responsible_unit, item.assignment_letter) == (township, "交办函〔2021〕7号"),
        "post_progress": lambda: (item.progress_percent, item.progress_updates.get().percent) == (60, 60),
    }
    assert effects[action]()


@pytest.mark.parametrize(("from_status", "action"), ILLEGAL_PAIRS, ids=[f"{a}-from-{s}" for s, a in ILLEGAL_PAIRS])
def test_item_move_illegal_is_refused_in_chinese_and_changes_nothing(
    from_status, action, make_item, actor_for, act, item_state
):
    # given: an item in the state, and a person who holds the role for the action
    item = make_item(from_status)
    before = item_state(item)

    # when
    with translation.override("zh-hans"):
        with pytest.raises(ServiceError) as refused:
            act(action, item=item, by=actor_for(action))

        # then: a refusal of the state (not of the person), saying which action and which state, in Chinese
        assert not isinstance(refused.value, ServicePermissionError)
        assert refused.value.message == (
            f"事项处于“{STATE_IN_CHINESE[from_status]}”状态，不能“{ACTION_IN_CHINESE[action]}”。"
        )
        assert_in_active_language(refused.value.message, "“%(action)s” is not possible while the item is “%(status)s”.")
    assert item_state(item) == before


@pytest.mark.parametrize("action", ACTIONS_NEEDING_A_REASON)
@pytest.mark.parametrize("reason", ["", "   "])
def test_item_move_without_reason_is_refused_and_changes_nothing(action, reason, make_item, actor_for, item_state):
    # given
    from_status = {"return": "completed", "revise": "submitted"}.get(action, "in_progress")
    item = make_item(from_status)
    before = item_state(item)

    # when
    with translation.override("zh-hans"), pytest.raises(ServiceError) as refused:
        item_apply_action(item=item, by=actor_for(action), action=action, reason=reason)

    # then
    assert refused.value.field == "reason"
    assert refused.value.message == f"请填写“{ACTION_IN_CHINESE[action]}”的原因。"
    assert item_state(item) == before


def test_item_apply_action_unknown_action_is_refused(item, owner, item_state):
    # given
    before = item_state(item)

    # when / then
    with pytest.raises(ServiceError):
        item_apply_action(item=item, by=owner, action="teleport")
    assert item_state(item) == before


# --- numbering, dates, counting -------------------------------------------------------------------------------


def test_item_create_numbers_per_unit_and_year(owner, district, township):
    # given
    officer_below = UserFactory(unit=township)

    # when
    first = WorkItemFactory(unit=district, by=owner, year=2021)
    second = WorkItemFactory(unit=district, by=owner, year=2021)
    other_unit = WorkItemFactory(unit=township, by=officer_below, year=2021)
    next_year = WorkItemFactory(unit=district, by=owner, year=2022)

    # then
    assert [first.number, second.number] == ["WH-2021-0001", "WH-2021-0002"]
    assert other_unit.number == "HS-2021-0001"
    assert next_year.number == "WH-2022-0001"
    assert first.status == Status.DRAFT
    assert first.transitions.get().action == Action.CREATE


def test_item_create_outside_own_subtree_is_refused(owner, sibling_district):
    # when / then
    with pytest.raises(ServicePermissionError) as refused:
        WorkItemFactory(unit=sibling_district, by=owner)
    assert refused.value.field == "unit"
    assert not WorkItem.objects.exists()


def test_item_complete_sets_shanghai_date_and_full_progress(make_item, owner):
    # given
    item = make_item(Status.IN_PROGRESS)

    # when
    with mock.patch("django.utils.timezone.now", return_value=JUST_AFTER_MIDNIGHT_IN_SHANGHAI):
        item_complete(item=item, by=owner)

    # then
    item.refresh_from_db()
    assert item.completed_on == datetime.date(2021, 7, 1)
    assert item.progress_percent == 100


def test_item_return_clears_completed_on(make_item, supervisor):
    # given
    item = make_item(Status.COMPLETED)
    assert item.completed_on is not None

    # when
    item_return(item=item, by=supervisor, reason="佐证材料不全")

    # then
    item.refresh_from_db()
    assert item.status == Status.RETURNED
    assert item.completed_on is None


def test_item_cancel_takes_item_out_of_planned(make_item, leader):
    # given: drafts and items awaiting approval are not planned to begin with
    kept = make_item(Status.IN_PROGRESS)
    suspended = make_item(Status.SUSPENDED)
    returned = make_item(Status.RETURNED)
    cancelled = make_item(Status.IN_PROGRESS)
    make_item(Status.DRAFT)
    make_item(Status.SUBMITTED)

    # when
    item_apply_action(item=cancelled, by=leader, action=Action.CANCEL, reason="项目已由上级统筹实施")

    # then
    assert set(WorkItem.objects.planned()) == {kept, suspended, returned}


# --- overdue --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.APPROVED, Status.IN_PROGRESS, Status.RETURNED])
def test_item_overdue_open_item_after_deadline_in_shanghai(status, make_item):
    # given
    item = make_item(status, deadline=DEADLINE)

    # when
    with mock.patch("django.utils.timezone.now", return_value=JUST_BEFORE_MIDNIGHT_IN_SHANGHAI):
        before_midnight = (item.is_overdue, list(WorkItem.objects.overdue()))
    with mock.patch("django.utils.timezone.now", return_value=JUST_AFTER_MIDNIGHT_IN_SHANGHAI):
        after_midnight = (item.is_overdue, list(WorkItem.objects.overdue()), item.days_overdue)

    # then
    assert before_midnight == (False, [])
    assert after_midnight == (True, [item], 1)


@pytest.mark.parametrize(
    "status",
    [Status.DRAFT, Status.SUBMITTED, Status.COMPLETED, Status.CLOSED, Status.CANCELLED, Status.SUSPENDED],
)
def test_item_overdue_never_for_unplanned_finished_or_paused_items(status, make_item):
    # given
    item = make_item(status, deadline=DEADLINE)

    # when
    with mock.patch("django.utils.timezone.now", return_value=datetime.datetime(2022, 1, 1, tzinfo=UTC)):
        overdue = (item.is_overdue, item.days_overdue, WorkItem.objects.overdue().exists())

    # then
    assert overdue == (False, 0, False)


# --- progress and evidence ------------------------------------------------------------------------------------


def test_item_post_progress_records_update_and_moves_percent(make_item, colleague):
    # given
    item = make_item(Status.IN_PROGRESS)

    # when
    update = item_post_progress(item=item, by=colleague, note="  完成主管网铺设 ", percent=60)

    # then
    item.refresh_from_db()
    assert (update.item, update.by, update.note, update.percent) == (item, colleague, "完成主管网铺设", 60)
    assert item.progress_percent == 60
    transition = item.transitions.last()
    assert (transition.action, transition.by, transition.to_status) == (Action.POST_PROGRESS, colleague, item.status)


@pytest.mark.parametrize("percent", [-1, 101, 30])
def test_item_post_progress_bad_percent_is_refused(percent, make_item, owner, item_state):
    # given: already at 50%
    item = make_item(Status.IN_PROGRESS)
    item_post_progress(item=item, by=owner, note="过半", percent=50)
    before = item_state(item)

    # when
    with pytest.raises(ServiceError) as refused:
        item_post_progress(item=item, by=owner, note="更新", percent=percent)

    # then
    assert refused.value.field == "percent"
    assert item_state(item) == before


def test_item_post_progress_empty_note_is_refused(make_item, owner, item_state):
    item = make_item(Status.IN_PROGRESS)
    before = item_state(item)

    with pytest.raises(ServiceError) as refused:
        item_post_progress(item=item, by=owner, note="  ", percent=20)

    assert refused.value.field == "note"
    assert item_state(item) == before


def test_item_post_progress_accepts_real_png_and_pdf(make_item, owner, media_root):
    # given
    item = make_item(Status.IN_PROGRESS)
    photo = SimpleUploadedFile("现场照片.png", png_bytes())
    letter = SimpleUploadedFile("验收单.PDF", PDF_BYTES)

    # when
    update = item_post_progress(item=item, by=owner, note="完工验收", percent=90, files=[photo, letter])

    # then
    evidence = {e.original_name: e for e in update.evidence.all()}
    assert {name: e.content_type for name, e in evidence.items()} == {
        "现场照片.png": "image/png",
        "验收单.PDF": "application/pdf",
    }
    assert evidence["现场照片.png"].size == len(png_bytes())
    assert Path(evidence["验收单.PDF"].file.path).read_bytes() == PDF_BYTES


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("程序.exe", b"MZ\x90\x00"),
        ("无扩展名", PDF_BYTES),
        ("假文件.pdf", b"<html>not a pdf</html>"),
        ("假图片.png", b"\xff\xd8\xff\xe0 a jpeg"),
        ("空文件.pdf", b""),
    ],
)
def test_item_post_progress_bad_evidence_is_refused_and_saves_nothing(
    name, content, make_item, owner, media_root, item_state
):
    # given
    item = make_item(Status.IN_PROGRESS)
    before = item_state(item)

    # when
    with pytest.raises(ServiceError) as refused:
        item_post_progress(item=item, by=owner, note="补充材料", percent=40, files=[SimpleUploadedFile(name, content)])

    # then
    assert refused.value.field == "files"
    assert name in refused.value.message
    assert item_state(item) == before
    assert not Evidence.objects.exists()
    assert not any(media_root.rglob("*.*"))


def test_item_post_progress_too_large_file_is_refused(make_item, owner, media_root, item_state):
    # given
    item = make_item(Status.IN_PROGRESS)
    before = item_state(item)
    photo = png_bytes()

    # when
    with override_settings(EVIDENCE_MAX_BYTES=len(photo) - 1), pytest.raises(ServiceError) as refused:
        item_post_progress(
            item=item, by=owner, note="现场照片", percent=40, files=[SimpleUploadedFile("大图.png", photo)]
        )

    # then
    assert refused.value.field == "files"
    assert item_state(item) == before
    assert not Evidence.objects.exists()


def test_item_post_progress_one_bad_file_of_several_saves_nothing(make_item, owner, media_root, item_state):
    # given
    item = make_item(Status.IN_PROGRESS)
    before = item_state(item)
    files = [
        SimpleUploadedFile("现场照片.png", png_bytes()),
        SimpleUploadedFile("验收单.pdf", PDF_BYTES),
        SimpleUploadedFile("伪造.pdf", b"GIF89a pretending"),
    ]

    # when
    with pytest.raises(ServiceError) as refused:
        item_post_progress(item=item, by=owner, note="完工", percent=100, files=files)

    # then
    assert "伪造.pdf" in refused.value.message
    assert item_state(item) == before
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()
    assert not any(media_root.rglob("*.*"))


def test_item_post_progress_failing_after_the_files_are_written_leaves_no_file(
    make_item, owner, media_root, item_state
):
    # given: the write fails after the evidence files are on disk (here: while saving the item)
    item = make_item(Status.IN_PROGRESS)
    before = item_state(item)
    on_disk_when_it_failed: list[Path] = []

    def fail_after_the_files(*args: Any, **kwargs: Any) -> None:
        on_disk_when_it_failed.extend(path for path in media_root.rglob("*") if path.is_file())
        raise DatabaseError("server closed the connection unexpectedly")

    files = [SimpleUploadedFile("现场照片.png", png_bytes()), SimpleUploadedFile("验收单.pdf", PDF_BYTES)]

    # when
    with mock.patch("apps.items.services._save", side_effect=fail_after_the_files), pytest.raises(DatabaseError):
        item_post_progress(item=item, by=owner, note="完工验收", percent=90, files=files)

    # then: both files had been written, and the rollback took them away with their rows
    assert sorted(path.suffix for path in on_disk_when_it_failed) == [".pdf", ".png"]
    assert [path for path in media_root.rglob("*") if path.is_file()] == []
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()
    assert item_state(item) == before


# --- claim and assign -----------------------------------------------------------------------------------------


def test_item_claim_by_leader_sets_lead_leader_and_refuses_second_claim(make_item, leader, city, item_state):
    # given
    item = make_item(Status.APPROVED)
    other_leader = UserFactory(unit=city, roles=["leader"])

    # when
    item_claim(item=item, by=leader)

    # then
    item.refresh_from_db()
    assert item.lead_leader == leader
    assert item.transitions.last().action == Action.CLAIM
    before = item_state(item)
    with pytest.raises(ServiceError):
        item_claim(item=item, by=other_leader)
    with pytest.raises(ServiceError):
        item_claim(item=item, by=leader)
    assert item_state(item) == before


def test_item_assign_within_subtree_hands_item_down(make_item, leader, township):
    # given
    item = make_item(Status.APPROVED)
    person = UserFactory(unit=township)

    # when
    item_assign(item=item, by=leader, responsible_unit=township, responsible_person=person, letter="交办函〔2021〕7号")

    # then
    item.refresh_from_db()
    assert (item.responsible_unit, item.responsible_person, item.assignment_letter) == (
        township,
        person,
        "交办函〔2021〕7号",
    )
    transition = item.transitions.last()
    assert transition.action == Action.ASSIGN
    assert "交办函〔2021〕7号" in transition.reason


def test_item_assign_outside_assigners_subtree_is_refused(make_item, unit_admin, sibling_district, item_state):
    # given: the district's administrator tries to hand an item to the sibling district
    item = make_item(Status.APPROVED)
    before = item_state(item)

    # when
    with pytest.raises(ServicePermissionError) as refused:
        item_assign(item=item, by=unit_admin, responsible_unit=sibling_district)

    # then
    assert refused.value.field == "responsible_unit"
    assert item_state(item) == before


def test_item_assign_person_outside_responsible_unit_is_refused(make_item, leader, township, colleague, item_state):
    item = make_item(Status.APPROVED)
    before = item_state(item)

    with pytest.raises(ServiceError) as refused:
        item_assign(item=item, by=leader, responsible_unit=township, responsible_person=colleague)

    assert refused.value.field == "responsible_person"
    assert item_state(item) == before


def test_item_lifecycle_records_each_step_in_order(make_item):
    # given / when: a full happy path
    item = make_item(Status.CLOSED)

    # then: one row per step, in order, chained from → to
    rows = list(ItemTransition.objects.filter(item=item).values_list("action", "from_status", "to_status"))
    assert rows == [
        (Action.CREATE, "", Status.DRAFT),
        (Action.SUBMIT, Status.DRAFT, Status.SUBMITTED),
        (Action.APPROVE, Status.SUBMITTED, Status.APPROVED),
        (Action.START, Status.APPROVED, Status.IN_PROGRESS),
        (Action.COMPLETE, Status.IN_PROGRESS, Status.COMPLETED),
        (Action.CLOSE, Status.COMPLETED, Status.CLOSED),
    ]
    assert item.closed_at is not None


def test_item_resume_is_refused_for_the_outsider(make_item, leader, outsider, item_state):
    item = make_item(Status.SUSPENDED)
    before = item_state(item)

    with pytest.raises(ServicePermissionError):
        item_apply_action(item=item, by=outsider, action=Action.RESUME)

    assert item_state(item) == before


def test_item_return_takes_progress_back_to_the_last_reported_figure(make_item, owner, supervisor):
    # given: progress reported at 70%, then completed (which sets 100%)
    item = make_item(Status.IN_PROGRESS)
    item_post_progress(item=item, by=owner, note="主体完工", percent=70)
    item = item_apply_action(item=item, by=owner, action=Action.COMPLETE)
    assert item.progress_percent == 100

    # when
    item = item_apply_action(item=item, by=supervisor, action=Action.RETURN, reason="未通水")

    # then: the owners can report again from 70%
    assert item.progress_percent == 70
    item = item_apply_action(item=item, by=owner, action=Action.START)
    item_post_progress(item=item, by=owner, note="补齐通水", percent=90)


def test_item_post_progress_refuses_a_riff_file_that_is_not_webp(make_item, owner, media_root, item_state):
    item = make_item(Status.IN_PROGRESS)
    before = item_state(item)
    wav = SimpleUploadedFile("录音.webp", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32)

    with pytest.raises(ServiceError) as error:
        item_post_progress(item=item, by=owner, note="现场录音", percent=50, files=[wav])

    assert "录音.webp" in error.value.message
    assert item_state(item) == before
