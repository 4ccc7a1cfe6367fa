"""Review and the official's own drafts: sent back for revision, deleting a draft never sent up, the reason on
top of the page, and a responsible person who belongs to the responsible unit on every path."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.core.exceptions import ServiceError
from apps.items.models import Action, Category, ItemKind, OwnerType, Status, WorkItem
from apps.items.services import item_create, item_update
from tests.api.conftest import if_match
from tests.conftest import REASON
from tests.dashboards.test_counters import assert_counters_match_the_items
from tests.factories import UserFactory
from tests.items.test_views import edit_form

# --- sent back for revision -------------------------------------------------------------------------------------


def test_item_revise_sends_a_submitted_item_back_to_draft_with_the_reason_on_top(
    client, owner, leader, make_item, city, district
):
    # given: a submitted item the leader reviews
    item = make_item(Status.SUBMITTED)
    client.force_login(leader)

    # when: sent back without a reason, then with one
    client.post(reverse("items:action", args=[item.pk, Action.REVISE]), {"reason": ""})
    unchanged = WorkItem.objects.get(pk=item.pk).status
    client.post(reverse("items:action", args=[item.pk, Action.REVISE]), {"reason": "请补充受益人数和资金来源"})

    # then: back in draft, and the owner sees why at the top of the page and may submit again
    assert unchanged == Status.SUBMITTED
    assert WorkItem.objects.get(pk=item.pk).status == Status.DRAFT
    client.force_login(owner)
    page = client.get(reverse("items:detail", args=[item.pk])).content.decode()
    callout = page[page.index('id="reason-callout"') :][:400]
    assert "退回修改" in callout and "请补充受益人数和资金来源" in callout and "赵书记" in callout
    assert f'action="{reverse("items:action", args=[item.pk, Action.SUBMIT])}"' in page or "提交" in page
    assert_counters_match_the_items(leader, city, district)


def test_item_revise_is_for_the_reviewers_not_the_drafter(api, owner, make_item):
    item = make_item(Status.SUBMITTED)

    response = api(owner).post(f"/api/v1/items/{item.pk}/revise/", {"reason": REASON}, format="json")

    assert response.status_code == 403
    assert WorkItem.objects.get(pk=item.pk).status == Status.SUBMITTED


def test_item_page_shows_the_latest_return_reason_only_while_the_item_stays_returned(
    client, owner, supervisor, make_item, perform
):
    # given: a returned item
    item = make_item(Status.RETURNED)
    client.force_login(owner)

    # when / then: the reason stands on top while it is returned, and goes once work starts again
    assert (
        REASON in client.get(reverse("items:detail", args=[item.pk])).content.decode().split('id="reason-callout"')[1]
    )
    perform(Action.START, item=item, by=owner)
    assert 'id="reason-callout"' not in client.get(reverse("items:detail", args=[item.pk])).content.decode()


# --- deleting one's own draft ---------------------------------------------------------------------------------


def test_item_delete_own_draft_through_the_page_keeps_a_record_and_the_counters(client, owner, leader, item, city):
    # given
    client.force_login(owner)
    page = client.get(reverse("items:detail", args=[item.pk])).content.decode()
    assert "删除草稿" in page and "data-confirm" in page

    # when
    response = client.post(reverse("items:delete", args=[item.pk]), follow=True)

    # then: gone from the lists and the counters; the history keeps who deleted it
    assert not WorkItem.objects.filter(pk=item.pk).exists()
    assert "已删除" in " ".join(str(m) for m in response.context["messages"])
    record = WorkItem.history.filter(id=item.pk).order_by("-history_date").first()
    assert (record.history_type, record.history_user) == ("-", owner)
    assert_counters_match_the_items(leader, city, item.unit)


@pytest.mark.parametrize("who", ["colleague", "unit_admin", "leader", "outsider"])
def test_item_delete_draft_of_someone_else_is_refused(who, request, client, item):
    # given: the draft's author is the owner
    client.force_login(request.getfixturevalue(who))

    # when
    response = client.post(reverse("items:delete", args=[item.pk]))

    # then: still there (the outsider does not even see it)
    assert response.status_code in {302, 404}
    assert WorkItem.objects.filter(pk=item.pk).exists()


def test_item_delete_draft_that_was_once_submitted_is_refused(api, owner, leader, make_item, perform):
    # given: submitted, then sent back for revision: it was a proposal on record, so it is cancelled, not deleted
    item = make_item(Status.SUBMITTED)
    perform(Action.REVISE, item=item, by=leader)

    # when
    response = api(owner).delete(f"/api/v1/items/{item.pk}/")

    # then
    assert response.status_code == 403
    assert WorkItem.objects.filter(pk=item.pk).exists()


def test_item_delete_own_draft_through_the_api(api, owner, item):
    response = api(owner).delete(f"/api/v1/items/{item.pk}/")

    assert response.status_code == 204
    assert not WorkItem.objects.filter(pk=item.pk).exists()


def test_item_delete_of_an_item_past_draft_is_refused(api, owner, make_item):
    item = make_item(Status.APPROVED)

    response = api(owner).delete(f"/api/v1/items/{item.pk}/")

    assert response.status_code == 400
    assert WorkItem.objects.filter(pk=item.pk).exists()


# --- the responsible person belongs to the responsible unit ------------------------------------------------------


def test_item_create_refuses_a_responsible_person_of_another_unit_on_the_form_and_the_api(
    client, api, owner, district, township
):
    category = Category.objects.get_or_create(code="elderly_care", defaults={"name": "养老服务"})[0]
    # given: a person of 五华区 named for 华山街道
    fields = {
        "owner_type": OwnerType.LEADERSHIP_TEAM,
        "unit": district.pk,
        "title": "华山街道老旧小区改造",
        "category": category.pk,
        "responsible_unit": township.pk,
        "responsible_person": owner.pk,
        "deadline": "2030-06-30",
        "source": "citizen_request",
    }
    client.force_login(owner)

    # when
    page = client.post(f"{reverse('items:create')}?kind={ItemKind.LIVELIHOOD_PLAN}", fields)
    api_answer = api(owner).post("/api/v1/items/", {**fields, "kind": ItemKind.LIVELIHOOD_PLAN}, format="json")

    # then
    assert page.status_code == 200 and "责任人必须是责任单位的人员" in page.content.decode()
    assert api_answer.status_code == 400
    assert "responsible_person" in api_answer.json()["errors"]
    assert not WorkItem.objects.exists()


def test_item_edit_refuses_a_responsible_person_of_another_unit(client, api, owner, make_item, township):
    item = make_item(Status.IN_PROGRESS)
    client.force_login(owner)

    page = client.post(
        reverse("items:edit", args=[item.pk]),
        edit_form(item, responsible_unit=township.pk, responsible_person=owner.pk),
    )
    api_answer = api(owner).patch(
        f"/api/v1/items/{item.pk}/",
        {"responsible_unit": township.pk, "responsible_person": owner.pk},
        format="json",
        **if_match(item),
    )

    assert "责任人必须是责任单位的人员" in page.content.decode()
    assert api_answer.status_code == 400
    assert WorkItem.objects.get(pk=item.pk).responsible_unit_id == item.responsible_unit_id


def test_item_services_accept_a_responsible_person_of_the_responsible_unit(owner, district, township):
    category = Category.objects.get_or_create(code="elderly_care", defaults={"name": "养老服务"})[0]
    township_official = UserFactory(unit=township, roles=[Role.OFFICIAL])
    item = item_create(
        by=owner,
        unit=district,
        kind=ItemKind.LIVELIHOOD_PLAN,
        owner_type=OwnerType.LEADERSHIP_TEAM,
        title="华山街道路灯改造",
        category=category,
        responsible_unit=township,
        responsible_person=township_official,
        deadline=datetime.date(2030, 6, 30),
    )
    with pytest.raises(ServiceError) as refused:
        item_update(item=item, by=owner, responsible_unit=district)

    assert item.responsible_person == township_official
    assert refused.value.field == "responsible_person"
