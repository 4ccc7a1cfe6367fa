"""The item pages as a user meets them: scoping, forms, buttons, messages."""

import datetime
import html
import re
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from apps.accounts.models import Role
from apps.items.models import Action, Evidence, ProgressUpdate, Status, WorkItem, today_local
from apps.items.services import item_assign
from tests.factories import UserFactory, WorkItemFactory

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def timeline_steps(page: str) -> list[str]:
    """The text of each step of the detail page's timeline, tags taken out and spaces squeezed."""
    timeline = re.search(r'<ol class="timeline" id="timeline">(.*?)</ol>', page, re.S)
    assert timeline, "the detail page has no timeline"
    steps = re.findall(r"<li>(.*?)</li>", timeline.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", step).split()) for step in steps]


def item_form(district, **changes) -> dict:
    from apps.items.models import Category

    data = {
        "owner_type": "leadership_team",
        "unit": district.pk,
        "title": "新建社区养老食堂",
        "category": Category.objects.get(code="elderly_care").pk,
        "deadline": "2030-06-30",
        "source": "citizen_request",
    }
    data.update(changes)
    return data


def test_item_pages_outsider_cannot_read_or_write_another_district(client, outsider, make_item):
    # given: an item of 五华区 in progress, and a user of the sibling district with every role
    item = make_item(Status.IN_PROGRESS)
    client.force_login(outsider)

    # when / then: it is in no list, and its pages do not exist for them
    assert item.number not in client.get(reverse("items:list")).content.decode()
    assert client.get(reverse("items:detail", args=[item.pk])).status_code == 404
    assert client.get(reverse("items:edit", args=[item.pk])).status_code == 404
    assert client.post(reverse("items:action", args=[item.pk, "complete"])).status_code == 404
    assert client.post(reverse("items:progress", args=[item.pk]), {"note": "x", "percent": 90}).status_code == 404
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    assert item.progress_percent == 0


def test_item_list_leader_above_sees_items_of_the_subtree(client, leader, make_item, township, owner):
    district_item = make_item(Status.SUBMITTED)
    township_item = WorkItemFactory(unit=township, by=owner)
    client.force_login(leader)

    page = client.get(reverse("items:list")).content.decode()

    assert district_item.number in page
    assert township_item.number in page


def test_item_list_filters_by_unit_subtree_stage_and_overdue(client, leader, make_item, township, owner, district):
    # given: a done item in the district; in the township below it, a late item in progress and a late draft
    done = make_item(Status.COMPLETED)
    late = make_item(Status.IN_PROGRESS, unit=township, deadline=today_local() - datetime.timedelta(days=3))
    draft = WorkItemFactory(unit=township, by=owner, deadline=today_local() - datetime.timedelta(days=3))
    client.force_login(leader)

    def numbers(**query) -> set[str]:
        response = client.get(reverse("items:list"), query)
        return {item.number for item in response.context["page_obj"]}

    assert numbers(unit=township.pk) == {late.number, draft.number}
    assert numbers(unit=district.pk) == {done.number, late.number, draft.number}
    assert numbers(stage="done") == {done.number}
    assert numbers(stage="counted") == {done.number, late.number}
    assert numbers(stage="open") == {late.number}
    assert numbers(stage="pending") == {draft.number}
    assert numbers(overdue="true") == {late.number}  # a draft is no commitment yet, late or not
    assert numbers(q=late.title) == {late.number}


def test_item_create_through_the_form_saves_a_numbered_draft(client, owner, district):
    client.force_login(owner)

    response = client.post(reverse("items:create") + "?kind=livelihood_plan", item_form(district))

    item = WorkItem.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("items:detail", args=[item.pk])
    assert item.status == Status.DRAFT
    assert item.number == f"WH-{today_local().year}-0001"
    assert item.responsible_unit == district
    assert item.created_by == owner


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "该字段是必填项。"),
        ({"deadline": "2021-13-45"}, "deadline", "输入一个有效的日期。"),
        ({"start_date": "2030-07-01", "deadline": "2030-06-30"}, "deadline", "完成时限不能早于开始日期。"),
        ({"is_key": "on"}, "key_level", "重点事项须注明列入的级别。"),
        ({"owner_type": "party_member"}, "owner_type", None),
    ],
)
def test_item_create_bad_input_names_the_problem_in_chinese_and_saves_nothing(
    client, owner, district, changes, field, message
):
    client.force_login(owner)

    response = client.post(reverse("items:create") + "?kind=livelihood_plan", item_form(district, **changes))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert message in errors[field]
    assert WorkItem.objects.count() == 0


def test_item_create_for_a_unit_outside_the_subtree_is_refused(client, owner, district, sibling_district):
    client.force_login(owner)

    response = client.post(
        reverse("items:create") + "?kind=livelihood_plan", item_form(district, unit=sibling_district.pk)
    )

    assert "unit" in response.context["form"].errors
    assert WorkItem.objects.count() == 0


def test_item_detail_shows_only_the_allowed_buttons(client, owner, supervisor, make_item):
    item = make_item(Status.COMPLETED)

    client.force_login(owner)
    owner_page = client.get(reverse("items:detail", args=[item.pk])).content.decode()
    client.force_login(supervisor)
    supervisor_page = client.get(reverse("items:detail", args=[item.pk])).content.decode()

    assert 'value="close"' not in owner_page
    assert 'value="return"' not in owner_page
    assert 'value="close"' in supervisor_page
    assert 'value="return"' in supervisor_page
    assert 'value="approve"' not in supervisor_page


def test_item_action_refused_shows_a_message_and_changes_nothing(client, owner, supervisor, make_item):
    item = make_item(Status.COMPLETED)
    client.force_login(supervisor)

    response = client.post(reverse("items:action", args=[item.pk, Action.RETURN]), {"reason": "  "}, follow=True)

    item.refresh_from_db()
    assert item.status == Status.COMPLETED
    assert [str(m) for m in response.context["messages"]] == ["请填写“退回”的原因。"]


def test_item_action_return_with_reason_is_on_the_timeline(client, supervisor, make_item):
    item = make_item(Status.COMPLETED)
    client.force_login(supervisor)

    response = client.post(
        reverse("items:action", args=[item.pk, Action.RETURN]), {"reason": "佐证材料不全"}, follow=True
    )

    item.refresh_from_db()
    assert item.status == Status.RETURNED
    # the change-history table lower down repeats the reason, so look inside the timeline only
    steps = timeline_steps(response.content.decode())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} 退回 已办结 → 已退回 · 刘督查 佐证材料不全", steps[-1]), steps[
        -1
    ]
    assert all("佐证材料不全" not in step for step in steps[:-1])


def test_item_progress_with_a_fake_pdf_is_refused_and_saves_nothing(client, owner, make_item):
    item = make_item(Status.IN_PROGRESS)
    client.force_login(owner)
    good = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    fake = SimpleUploadedFile("验收报告.pdf", b"not really a pdf", content_type="application/pdf")

    response = client.post(
        reverse("items:progress", args=[item.pk]),
        {"note": "完成一半", "percent": 50, "files": [good, fake]},
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    assert any("验收报告.pdf" in m for m in messages)
    assert ProgressUpdate.objects.count() == 0
    item.refresh_from_db()
    assert item.progress_percent == 0


def post_evidence(client, user, item) -> Evidence:
    client.force_login(user)
    client.post(
        reverse("items:progress", args=[item.pk]),
        {"note": "管网铺设完成", "percent": 80, "files": [SimpleUploadedFile("照片.png", PNG)]},
    )
    return Evidence.objects.get(update__item=item)


def test_item_evidence_is_served_to_the_subtree_only(client, owner, outsider, leader, make_item):
    item = make_item(Status.IN_PROGRESS)
    evidence = post_evidence(client, owner, item)
    url = reverse("items:evidence", args=[evidence.pk])

    client.force_login(leader)
    allowed = client.get(url)
    client.force_login(outsider)
    refused = client.get(url)

    assert allowed.status_code == 200
    assert b"".join(allowed.streaming_content) == PNG
    assert refused.status_code == 404


def test_pages_switch_between_chinese_and_english(client, owner):
    client.force_login(owner)

    chinese = client.get(reverse("items:mine")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("items:mine")).content.decode()
    translation.activate("zh-hans")

    assert "我的事项" in chinese
    assert "My items" in english
    assert "我的事项" not in english


def test_pages_stay_chinese_on_an_english_browser_until_the_user_switches(client, owner):
    client.force_login(owner)

    page = client.get(reverse("items:mine"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert "我的事项" in page


def test_item_list_unit_picker_lists_the_chosen_units_branch_not_the_whole_tree(
    client, leader, city, district, sibling_district, township, make_item
):
    # given: the leader filters to the township, deep in a tree
    make_item(Status.DRAFT, unit=township)
    client.force_login(leader)

    def unit_options(**query) -> tuple[object, set[str]]:
        response = client.get(reverse("items:list"), query)
        picker = re.search(r'<select name="unit"[^>]*>(.*?)</select>', response.content.decode(), re.S).group(1)
        return response, set(re.findall(r'<option value="(\d+)"', picker))

    # when
    response, options = unit_options(unit=township.pk)

    # then: the filter works, and the picker offers the township's ancestors and the township itself
    assert response.context["page_obj"].paginator.count == 1
    assert options == {str(city.pk), str(district.pk), str(township.pk)}
    # unfiltered, it offers the top of the user's subtree and the level below
    assert unit_options()[1] == {str(city.pk), str(district.pk), str(sibling_district.pk)}
    # and any unit of the subtree can still be asked for
    assert unit_options(unit=sibling_district.pk)[0].context["filterset"].is_valid()


# --- the edit form --------------------------------------------------------------------------------------------


def edit_form(item: WorkItem, **changes) -> dict:
    """The edit form as the page fills it for `item`, with `changes` typed over it."""
    data = {
        "title": item.title,
        "content": item.content,
        "category": item.category_id,
        "beneficiaries": item.beneficiaries,
        "responsible_unit": item.responsible_unit_id,
        "responsible_person": item.responsible_person_id or "",
        "requirements": item.requirements,
        "start_date": item.start_date.isoformat() if item.start_date else "",
        "deadline": item.deadline.isoformat(),
        "key_level": item.key_level,
        "source": item.source,
        "version": item.version,
    }
    data.update(changes)
    return data


def stored(item: WorkItem) -> tuple:
    """What an edit could change, read fresh from the database."""
    fresh = WorkItem.objects.get(pk=item.pk)
    return (
        fresh.title,
        fresh.start_date,
        fresh.deadline,
        fresh.responsible_unit_id,
        fresh.is_key,
        fresh.key_level,
        fresh.status,
        fresh.updated_at,
        fresh.history.count(),
    )


def test_item_edit_through_the_form_saves_the_changes(client, colleague, make_item, township):
    # given: an approved item of the district, edited by a colleague of the owner
    item = make_item(Status.APPROVED)
    client.force_login(colleague)
    history_before = item.history.count()

    # when
    response = client.post(
        reverse("items:edit", args=[item.pk]),
        edit_form(item, title="翠湖片区老旧小区改造", responsible_unit=township.pk, deadline="2030-09-30"),
        follow=True,
    )

    # then
    item.refresh_from_db()
    assert response.redirect_chain == [(reverse("items:detail", args=[item.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == ["修改已保存。"]
    assert (item.title, item.responsible_unit, item.deadline) == (
        "翠湖片区老旧小区改造",
        township,
        datetime.date(2030, 9, 30),
    )
    assert item.status == Status.APPROVED
    assert item.history.count() == history_before + 1
    assert item.history.first().history_user == colleague


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "该字段是必填项。"),
        ({"title": "   "}, "title", "该字段是必填项。"),
        ({"start_date": "2030-07-01", "deadline": "2030-06-30"}, "deadline", "完成时限不能早于开始日期。"),
        ({"deadline": "2030-02-30"}, "deadline", "输入一个有效的日期。"),
        ({"is_key": "on", "key_level": ""}, "key_level", "重点事项须注明列入的级别。"),
        ({"responsible_unit": "SIBLING"}, "responsible_unit", "选择一个有效的选项： 该选择不在可用的选项中。"),
    ],
    ids=["empty title", "blank title", "deadline before start", "no such date", "key without level", "unit outside"],
)
def test_item_edit_bad_input_names_the_problem_in_chinese_and_changes_nothing(
    changes, field, message, client, owner, make_item, sibling_district
):
    # given
    item = make_item(Status.IN_PROGRESS)
    before = stored(item)
    client.force_login(owner)
    if changes.get("responsible_unit") == "SIBLING":
        changes = {**changes, "responsible_unit": sibling_district.pk}  # the outsider's district

    # when
    response = client.post(reverse("items:edit", args=[item.pk]), edit_form(item, **changes))

    # then: the form comes back with the problem under the field, and the item is as it was
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert stored(item) == before


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.CLOSED, Status.CANCELLED])
def test_item_edit_of_a_finished_item_is_refused_and_changes_nothing(status, client, owner, make_item):
    # given
    item = make_item(status)
    before = stored(item)
    client.force_login(owner)
    url = reverse("items:edit", args=[item.pk])
    detail = reverse("items:detail", args=[item.pk])

    # when
    shown = client.get(url, follow=True)
    posted = client.post(url, edit_form(item, title="改个名字"), follow=True)

    # then: both end on the detail page with the reason, which offers no edit link
    for response in (shown, posted):
        assert response.redirect_chain == [(detail, 302)]
        assert [str(m) for m in response.context["messages"]] == ["该事项当前状态下不可编辑。"]
        assert url not in response.content.decode()
    assert stored(item) == before


def test_item_edit_outsider_gets_404_and_changes_nothing(client, outsider, make_item):
    # given: a user of the sibling district holding every role but system administrator
    item = make_item(Status.IN_PROGRESS)
    before = stored(item)
    client.force_login(outsider)
    url = reverse("items:edit", args=[item.pk])

    # when / then
    assert client.get(url).status_code == 404
    assert client.post(url, edit_form(item, title="改个名字")).status_code == 404
    assert stored(item) == before


# --- evidence downloads ---------------------------------------------------------------------------------------


def test_item_evidence_download_outsider_gets_404_without_the_row_being_read(
    client, owner, outsider, leader, make_item, media_root
):
    # given
    evidence = post_evidence(client, owner, make_item(Status.IN_PROGRESS))
    url = reverse("items:evidence", args=[evidence.pk])

    # when: count the evidence rows read from the database for each request
    with mock.patch.object(Evidence, "from_db", wraps=Evidence.from_db) as rows_read:
        client.force_login(outsider)
        refused = client.get(url)
        read_for_outsider = rows_read.call_count
        client.force_login(leader)
        allowed = client.get(url)

    # then: the outsider's request never loads the row; the leader above gets the file
    assert refused.status_code == 404
    assert read_for_outsider == 0
    assert allowed.status_code == 200
    assert b"".join(allowed.streaming_content) == PNG
    assert rows_read.call_count == 1


def test_item_evidence_download_follows_the_item_to_its_responsible_unit(
    client, owner, outsider, leader, make_item, township, media_root
):
    # given: an item of the district with evidence, handed to the township, whose official may see it (and
    # nothing else there)
    item = make_item(Status.IN_PROGRESS)
    evidence = post_evidence(client, owner, item)
    item_assign(item=item, by=leader, responsible_unit=township, letter="交办函〔2021〕9号")
    township_official = UserFactory(unit=township, roles=[Role.OFFICIAL])
    url = reverse("items:evidence", args=[evidence.pk])

    # when
    client.force_login(township_official)
    responsible = client.get(url)
    client.force_login(outsider)
    refused = client.get(url)

    # then
    assert responsible.status_code == 200
    assert b"".join(responsible.streaming_content) == PNG
    assert refused.status_code == 404


def test_item_evidence_download_of_a_missing_file_number_is_404(client, owner, media_root):
    client.force_login(owner)

    assert client.get(reverse("items:evidence", args=[999_999])).status_code == 404


def test_item_list_filters_read_in_chinese_either_and_descending(client, owner):
    client.force_login(owner)

    page = client.get(reverse("items:list")).content.decode()

    # the yes/no filters offer 不限 (not asked) rather than 未知, and sorting reads 完成时限（降序）
    overdue = page[page.index('name="overdue"') :].split("</select>")[0]
    assert '<option value="unknown" selected>不限</option>' in overdue and "未知" not in overdue
    assert ">完成时限（降序）</option>" in page and "(descending)" not in page


def test_item_list_column_headers_sort_and_sort_back(client, owner, make_item):
    # given: two items, the later deadline logged first
    late = make_item(Status.DRAFT, deadline=datetime.date(2030, 12, 31))
    early = make_item(Status.DRAFT, deadline=datetime.date(2030, 1, 31))
    client.force_login(owner)

    def header_link(page: str, name: str) -> str:
        return html.unescape(re.search(rf'<a href="\?([^"]*)" class="sort" data-sort="{name}"', page).group(1))

    # when: the deadline header is clicked, then clicked again
    first = client.get(reverse("items:list"), {"page": "1"}).content.decode()
    ascending = client.get(f"{reverse('items:list')}?{header_link(first, 'deadline')}")
    descending = client.get(f"{reverse('items:list')}?{header_link(ascending.content.decode(), 'deadline')}")

    # then: earliest first, then latest first, and the header says which way it sorts
    assert header_link(first, "deadline") == "ordering=deadline"
    assert [item.pk for item in ascending.context["page_obj"]] == [early.pk, late.pk]
    assert [item.pk for item in descending.context["page_obj"]] == [late.pk, early.pk]
    assert 'data-sort="deadline" aria-sort="descending">完成时限 ▼</a>' in descending.content.decode()
