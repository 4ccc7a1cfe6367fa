"""The citizens' requests queue in the API: the handling side's administrators list and step requests; nobody else."""

from __future__ import annotations

import datetime

from apps.public.models import CitizenRequest, Rating, RequestStatus
from apps.public.request_services import request_submit
from tests.conftest import travel_to
from tests.factories import other_category

D = datetime.date


def sent(unit, text: str = "小区路灯坏了") -> CitizenRequest:
    return request_submit(category=other_category(), unit=unit, text=text, name="王先生", phone="13900001111")


def test_the_queue_lists_what_the_administrator_handles_with_contact_details(api, unit_admin, outsider, district):
    with travel_to(D(2026, 11, 2)):
        mine = sent(district)
        listed = api(unit_admin).get("/api/v1/requests/").json()
    assert [row["tracking_code"] for row in listed["results"]] == [mine.tracking_code]
    assert listed["results"][0]["phone"] == "13900001111"  # the handling side sees the contact details
    assert api(outsider).get("/api/v1/requests/").json()["results"] == []
    assert api(outsider).get(f"/api/v1/requests/{mine.pk}/").status_code == 404


def test_each_step_through_the_api_and_its_refusals(api, unit_admin, owner, district):
    client = api(unit_admin)
    with travel_to(D(2026, 11, 2)):
        request = sent(district)
        # an official without the administrator's role does not handle requests
        assert api(owner).post(f"/api/v1/requests/{request.pk}/accept/").status_code == 404
        # answering before accepting is refused, with the state named
        refused = client.post(f"/api/v1/requests/{request.pk}/answer/", {"reply": "已处理"}, format="json")
        assert refused.status_code == 400 and "待受理" in refused.json()["detail"]
        assert client.post(f"/api/v1/requests/{request.pk}/accept/").json()["status"] == RequestStatus.ACCEPTED
        missing = client.post(f"/api/v1/requests/{request.pk}/answer/", {}, format="json")
        assert missing.status_code == 400 and "reply" in missing.json()["errors"]
        answered = client.post(f"/api/v1/requests/{request.pk}/answer/", {"reply": "已更换路灯"}, format="json")
        assert answered.json()["status"] == RequestStatus.ANSWERED
        followed = client.post(
            f"/api/v1/requests/{request.pk}/follow-up/",
            {"rating": Rating.DISSATISFIED, "solved": False, "note": "电话回访：仍不亮"},
            format="json",
        ).json()
    assert (followed["status"], followed["reopened"], followed["rated_by_phone"]) == (RequestStatus.ACCEPTED, 1, True)
    assert [step["action"] for step in followed["steps"]] == [
        "submit",
        "accept",
        "answer",
        "follow_up",
        "reopen",
    ]


def test_turning_a_request_into_an_item_through_the_api(api, unit_admin, district):
    with travel_to(D(2026, 11, 2)):
        request = sent(district)
        answer = api(unit_admin).post(
            f"/api/v1/requests/{request.pk}/turn-into-item/",
            {"title": "修复路灯", "deadline": "2026-12-31"},
            format="json",
        )
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == RequestStatus.TURNED_INTO_ITEM
    assert CitizenRequest.objects.get(pk=request.pk).item.title == "修复路灯"
