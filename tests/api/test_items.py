"""Items through the API: logging and editing them, every lifecycle move, progress with evidence, and refusals."""

from __future__ import annotations

import pytest

from apps.items.models import Action, Category, Status, WorkItem
from apps.items.rules import allowed_actions
from tests.api.conftest import PNG, if_match, png


def item_body(unit, **changes) -> dict:
    body = {
        "kind": "livelihood_plan",
        "owner_type": "leadership_team",
        "unit": unit.pk,
        "title": "新建社区养老食堂",
        "category": Category.objects.get(code="elderly_care").pk,
        "deadline": "2030-06-30",
        "source": "citizen_request",
    }
    body.update(changes)
    return body


def error_shape(response) -> dict:
    """The JSON every refusal has: a message, and the messages per field."""
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"]
    return body["errors"]


def test_api_item_create_logs_a_draft_through_the_service(api, owner, district):
    response = api(owner).post("/api/v1/items/", item_body(district), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    item = WorkItem.objects.get(pk=body["id"])
    assert body["number"] == item.number
    assert item.number.startswith("WH-")
    assert (body["status"], body["status_label"]) == ("draft", "草稿")
    assert item.created_by == owner
    assert item.responsible_unit == district
    assert [step["action"] for step in body["timeline"]] == ["create"]
    assert body["allowed_actions"] == allowed_actions(owner, item)
    assert body["can_edit"] is True


def test_api_item_create_service_list_defaults_the_owner_to_the_caller(api, owner, district):
    response = api(owner).post(
        "/api/v1/items/", item_body(district, kind="service_list", owner_type="party_member"), format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["owner_person"]["id"] == owner.pk


def test_api_item_create_names_each_missing_field_in_chinese(api, owner):
    response = api(owner).post("/api/v1/items/", {"title": ""}, format="json")

    assert response.status_code == 400
    errors = error_shape(response)
    assert errors == {
        "kind": ["该字段是必填项。"],
        "owner_type": ["该字段是必填项。"],
        "unit": ["该字段是必填项。"],
        "title": ["该字段不能为空。"],
        "category": ["该字段是必填项。"],
        "deadline": ["该字段是必填项。"],
    }
    assert response.json()["detail"] == "清单类型：该字段是必填项。"
    assert response["Content-Language"] == "zh-hans"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start_date": "2030-07-01"}, "deadline", "完成时限不能早于开始日期。"),
        ({"kind": "service_list"}, "owner_type", "该主体类型不适用此清单类型。"),
        ({"deadline": "2030-02-30"}, "deadline", "日期格式错误。请从这些格式中选择：YYYY-MM-DD。"),
        ({"source": "rumour"}, "source", "“rumour” 不是合法选项。"),
    ],
)
def test_api_item_create_refuses_invalid_input_with_the_field_and_writes_nothing(
    api, owner, district, changes, field, message
):
    response = api(owner).post("/api/v1/items/", item_body(district, **changes), format="json")

    assert response.status_code == 400
    assert error_shape(response) == {field: [message]}
    assert response.json()["detail"].endswith(message)
    assert not WorkItem.objects.exists()


def test_api_item_errors_follow_the_chosen_language(api, owner, district):
    client = api(owner)
    client.cookies["django_language"] = "en"

    response = client.post("/api/v1/items/", item_body(district, start_date="2030-07-01"), format="json")
    missing = client.post("/api/v1/items/", {}, format="json")

    assert error_shape(response) == {"deadline": ["The deadline cannot be before the start date."]}
    assert error_shape(missing)["title"] == ["This field is required."]


def test_api_item_update_changes_only_the_fields_sent(api, owner, make_item):
    item = make_item(Status.IN_PROGRESS, beneficiaries="本社区居民")

    response = api(owner).patch(
        f"/api/v1/items/{item.pk}/", {"title": "老旧小区加装电梯"}, format="json", **if_match(item)
    )

    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert (item.title, item.beneficiaries) == ("老旧小区加装电梯", "本社区居民")
    assert item.history.first().history_change_reason == "已修改"


def test_api_item_put_needs_the_required_fields(api, owner, make_item, item_state):
    item = make_item(Status.DRAFT)
    before = item_state(item)

    response = api(owner).put(f"/api/v1/items/{item.pk}/", {"title": "改名"}, format="json", **if_match(item))

    assert response.status_code == 400
    assert set(error_shape(response)) == {"category", "deadline", "responsible_unit"}
    assert item_state(item) == before


def test_api_item_update_of_a_closed_item_is_refused_and_changes_nothing(api, owner, make_item, item_state):
    item = make_item(Status.CLOSED)
    before = item_state(item)

    response = api(owner).patch(f"/api/v1/items/{item.pk}/", {"title": "改名"}, format="json", **if_match(item))

    assert response.status_code == 403
    assert error_shape(response) == {}
    assert response.json()["detail"] == "该事项当前状态下不可编辑。"
    assert item_state(item) == before


def test_api_item_walks_its_whole_lifecycle_through_the_actions(api, owner, leader, supervisor, item, media_root):
    # given: the owner, a leader and a supervisor, each with their own token
    as_owner, as_leader, as_supervisor = api(owner), api(leader), api(supervisor)
    url = f"/api/v1/items/{item.pk}"

    def act(client, action: str, expected_status: str, **body) -> dict:
        response = client.post(f"{url}/{action}/", body, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == expected_status
        return response.json()

    # when / then: each move answers with the item as it now is
    act(as_owner, "submit", "submitted")
    assert act(as_leader, "approve", "approved")["allowed_actions"] == [
        "publish",
        "suspend",
        "cancel",
        "claim",
        "assign",
    ]
    assert act(as_leader, "publish", "approved")["is_published"] is True
    act(as_owner, "start", "in_progress")
    progress = as_owner.post(f"{url}/progress/", {"note": "完成选址", "percent": 30, "files": [png()]})
    assert progress.status_code == 201, progress.content
    assert progress.json()["evidence"][0]["original_name"] == "现场照片.png"
    act(as_owner, "complete", "completed")
    returned = act(as_supervisor, "return", "returned", reason="佐证材料不全")
    assert returned["progress_percent"] == 30
    act(as_owner, "start", "in_progress")
    act(as_owner, "complete", "completed")
    closed = act(as_supervisor, "close", "closed", reason="现场核查通过")

    # then: the timeline has every move, who made it and why
    assert [(step["action"], step["by"]["username"]) for step in closed["timeline"]] == [
        ("create", "owner"),
        ("submit", "owner"),
        ("approve", "leader"),
        ("publish", "leader"),
        ("start", "owner"),
        ("post_progress", "owner"),
        ("complete", "owner"),
        ("return", "supervisor"),
        ("start", "owner"),
        ("complete", "owner"),
        ("close", "supervisor"),
    ]
    assert closed["timeline"][7]["reason"] == "佐证材料不全"
    assert closed["progress_updates"][0]["percent"] == 30
    assert closed["closed_at"] is not None


def test_api_item_side_paths_suspend_resume_claim_cancel(api, leader, make_item):
    item = make_item(Status.IN_PROGRESS)
    client = api(leader)
    url = f"/api/v1/items/{item.pk}"

    assert client.post(f"{url}/suspend/", {"reason": "资金未到位"}).json()["status"] == "suspended"
    assert client.post(f"{url}/resume/").json()["status"] == "in_progress"
    assert client.post(f"{url}/claim/").json()["lead_leader"]["username"] == "leader"
    assert client.post(f"{url}/cancel/", {"reason": "重复立项"}).json()["status"] == "cancelled"


def test_api_item_assign_hands_it_to_a_unit_below(api, leader, make_item, township):
    item = make_item(Status.IN_PROGRESS)

    response = api(leader).post(
        f"/api/v1/items/{item.pk}/assign/",
        {"responsible_unit": township.pk, "letter": "交办函〔2021〕3号"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["responsible_unit"]["name"] == "华山街道"
    assert response.json()["assignment_letter"] == "交办函〔2021〕3号"
    assert response.json()["timeline"][-1]["action"] == "assign"


@pytest.mark.parametrize(
    ("status", "actor", "action", "body", "code", "errors", "detail"),
    [
        (Status.SUBMITTED, "owner", "approve", {}, 403, {}, "您无权对该事项执行“审核通过”。"),
        (Status.IN_PROGRESS, "leader", "complete", {}, 403, {}, "您无权对该事项执行“标记办结”。"),
        (Status.COMPLETED, "owner", "close", {}, 403, {}, "您无权对该事项执行“核验销号”。"),
        (Status.IN_PROGRESS, "owner", "submit", {}, 400, {}, "事项处于“推进中”状态，不能“提交”。"),
        (Status.DRAFT, "supervisor", "close", {}, 400, {}, "事项处于“草稿”状态，不能“核验销号”。"),
        (Status.APPROVED, "leader", "approve", {}, 400, {}, "事项处于“已审核”状态，不能“审核通过”。"),
        (
            Status.COMPLETED,
            "supervisor",
            "return",
            {},
            400,
            {"reason": ["该字段是必填项。"]},
            "原因或备注：该字段是必填项。",
        ),
        (
            Status.IN_PROGRESS,
            "leader",
            "suspend",
            {"reason": "   "},
            400,
            {"reason": ["该字段不能为空。"]},
            "原因或备注：该字段不能为空。",
        ),
    ],
)
def test_api_item_refused_move_answers_json_and_changes_nothing(
    api, make_item, item_state, request, status, actor, action, body, code, errors, detail
):
    # given
    item = make_item(status)
    before = item_state(item)

    # when
    response = api(request.getfixturevalue(actor)).post(f"/api/v1/items/{item.pk}/{action}/", body, format="json")

    # then
    assert response.status_code == code
    assert error_shape(response) == errors
    assert response.json()["detail"] == detail
    assert item_state(item) == before


def test_api_item_unknown_action_is_a_json_404(api, owner, item, item_state):
    before = item_state(item)

    response = api(owner).post(f"/api/v1/items/{item.pk}/explode/")

    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}
    assert item_state(item) == before


def test_api_item_detail_shows_the_actions_the_caller_may_take(api, owner, leader, supervisor, make_item):
    item = make_item(Status.COMPLETED)

    def actions(user) -> list[str]:
        return api(user).get(f"/api/v1/items/{item.pk}/").json()["allowed_actions"]

    assert actions(owner) == []
    assert actions(supervisor) == ["close", "return"]
    assert actions(leader) == ["publish", "claim"]


def test_api_progress_with_evidence_is_stored_and_downloadable(api, owner, make_item, media_root):
    item = make_item(Status.IN_PROGRESS)
    client = api(owner)

    response = client.post(
        f"/api/v1/items/{item.pk}/progress/",
        {"note": "管网铺设过半", "percent": 55, "files": [png("一号井.png"), png("二号井.png")]},
    )

    assert response.status_code == 201, response.content
    evidence = response.json()["evidence"]
    assert sorted(file["original_name"] for file in evidence) == ["一号井.png", "二号井.png"]
    download = client.get(evidence[0]["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == PNG
    item.refresh_from_db()
    assert item.progress_percent == 55
    assert response.json()["is_public"] is False  # internal unless asked for


def test_api_progress_marked_public_is_public(api, owner, make_item):
    item = make_item(Status.IN_PROGRESS)
    response = api(owner).post(
        f"/api/v1/items/{item.pk}/progress/", {"note": "已完成路面硬化", "percent": 80, "is_public": "true"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["is_public"] is True
    assert item.progress_updates.get().is_public


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"note": "", "percent": 50}, "note", "该字段不能为空。"),
        ({"note": "进展", "percent": 101}, "percent", "请确保该值小于或者等于 100。"),
        ({"note": "进展", "percent": 50, "files": [png("病毒.exe")]}, "files", None),
    ],
)
def test_api_progress_refuses_bad_input_and_stores_nothing(
    api, owner, make_item, item_state, media_root, body, field, message
):
    item = make_item(Status.IN_PROGRESS)
    before = item_state(item)

    response = api(owner).post(f"/api/v1/items/{item.pk}/progress/", body)

    assert response.status_code == 400
    errors = error_shape(response)
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    else:
        assert "不支持该文件类型" in errors[field][0]
    assert item_state(item) == before
    assert not list(media_root.rglob("*.exe"))


def test_api_progress_needs_multipart(api, owner, make_item):
    item = make_item(Status.IN_PROGRESS)

    response = api(owner).post(f"/api/v1/items/{item.pk}/progress/", {"note": "进展", "percent": 50}, format="json")

    assert response.status_code == 415
    assert "detail" in response.json()


def test_api_progress_action_reference_matches_the_rules(api, owner, make_item):
    item = make_item(Status.IN_PROGRESS)

    body = api(owner).get(f"/api/v1/items/{item.pk}/").json()

    assert body["allowed_actions"] == [Action.POST_PROGRESS, Action.COMPLETE, Action.REQUEST_EXTENSION]
