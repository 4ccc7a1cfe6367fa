"""Satisfaction (满意度): the sender rates a closed request from its tracking page, staff may record a phone
follow-up (回访), and "dissatisfied" or "not solved" sends it back to the unit for a second round (二次办理)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from apps.core.exceptions import ServiceError
from apps.items.models import Action, Status
from apps.public.models import CitizenRequest, Rating, RequestAction, RequestStatus
from apps.public.rating import request_rate
from apps.public.request_services import request_accept, request_answer, request_submit, request_turn_into_item
from tests.conftest import ROUTE_TO_STATUS, travel_to
from tests.factories import other_category

D = datetime.date


@pytest.fixture
def answered(unit_admin, district):
    """A request to 五华区 sent on Monday 2 November 2026, accepted and answered the same day."""
    with travel_to(D(2026, 11, 2)):
        sent = request_submit(category=other_category(), unit=district, text="小区路灯坏了", phone="13900001111")
        request_accept(request=sent, by=unit_admin)
        return request_answer(request=sent, by=unit_admin, reply="已更换路灯")


def rate(client, request: CitizenRequest, rating: str, solved: str) -> str:
    """Rate through the tracking page as the sender; the tracking page it leads back to."""
    answer = client.post(
        reverse("public:request_rate", args=[request.tracking_code]), {"rating": rating, "solved": solved}
    )
    assert answer.status_code == 302
    return client.get(answer.url).content.decode()


def test_the_sender_rates_an_answered_request_once(client, answered):
    with travel_to(D(2026, 11, 3)):
        page = client.get(reverse("public:request_status", args=[answered.tracking_code])).content.decode()
        assert 'id="request-rate"' in page
        page = rate(client, answered, Rating.SATISFIED, "yes")
        assert "谢谢" in page and 'id="request-rate"' not in page and "满意" in page
        # a second rating of the same round is refused, with a reason
        page = rate(client, answered, Rating.DISSATISFIED, "no")
    assert "已评价" in page
    fresh = CitizenRequest.objects.get(pk=answered.pk)
    assert (fresh.rating, fresh.solved, fresh.rated_by_phone, fresh.status) == (
        Rating.SATISFIED,
        True,
        False,
        RequestStatus.ANSWERED,
    )
    assert fresh.steps.filter(action=RequestAction.RATE, by=None).count() == 1


def test_dissatisfied_or_not_solved_reopens_it_for_a_second_round(client, answered, unit_admin):
    with travel_to(D(2026, 11, 3)):
        rate(client, answered, Rating.BASICALLY_SATISFIED, "no")  # basically satisfied, but not solved
    reopened = CitizenRequest.objects.get(pk=answered.pk)
    assert (reopened.status, reopened.reopened, reopened.closed_at) == (RequestStatus.ACCEPTED, 1, None)
    assert reopened.steps.filter(action=RequestAction.REOPEN).exists()

    # the unit answers again; the sender may rate the second round
    with travel_to(D(2026, 11, 5)):
        request_answer(request=reopened, by=unit_admin, reply="已更换线路，路灯恢复")
        page = rate(client, reopened, Rating.SATISFIED, "yes")
    final = CitizenRequest.objects.get(pk=answered.pk)
    assert (final.rating, final.solved, final.reopened, final.status) == (
        Rating.SATISFIED,
        True,
        1,
        RequestStatus.ANSWERED,
    )
    assert "13900001111" not in page  # the sender's phone is never on the tracking page


def test_a_request_can_be_rated_only_once_closed_and_within_fifteen_days(client, answered, unit_admin, district):
    with travel_to(D(2026, 11, 2)):
        open_one = request_submit(category=other_category(), unit=district, text="垃圾清运不及时")
    with travel_to(D(2026, 11, 3)), pytest.raises(ServiceError, match="答复办结"):
        request_rate(request=open_one, rating=Rating.SATISFIED, solved=True)
    with travel_to(D(2026, 11, 18)):  # sixteen days after the answer
        page = client.get(reverse("public:request_status", args=[answered.tracking_code])).content.decode()
        assert 'id="request-rate"' not in page
        page = rate(client, answered, Rating.SATISFIED, "yes")
    assert "已过" in page
    assert CitizenRequest.objects.get(pk=answered.pk).rating == ""


def test_a_request_turned_into_an_item_is_rated_once_the_item_is_closed(
    client, unit_admin, district, perform, actor_for
):
    with travel_to(D(2026, 11, 2)):
        sent = request_submit(category=other_category(), unit=district, text="路面坑洼")
        turned = request_turn_into_item(
            request=sent, by=unit_admin, title="修补路面", content="路面坑洼", deadline=D(2026, 12, 31)
        )
        item = turned.item
        for action in ROUTE_TO_STATUS[Status.COMPLETED]:
            perform(action, item=item, by=actor_for(action, item))
        assert (
            'id="request-rate"'
            not in client.get(reverse("public:request_status", args=[sent.tracking_code])).content.decode()
        )  # completed, not yet closed
        perform(Action.CLOSE, item=item, by=actor_for(Action.CLOSE, item))
        page = rate(client, sent, Rating.DISSATISFIED, "no")
    fresh = CitizenRequest.objects.get(pk=sent.pk)
    assert (fresh.status, fresh.reopened) == (RequestStatus.ACCEPTED, 1)  # back to the unit (二次办理)
    assert "不满意" in page


def test_staff_record_a_phone_follow_up_and_outsiders_cannot(client, answered, unit_admin, outsider):
    form = {"rating": Rating.BASICALLY_SATISFIED, "solved": "yes", "note": "电话回访，群众表示基本满意"}
    with travel_to(D(2026, 11, 4)):
        client.force_login(outsider)
        assert client.post(reverse("public:request_follow_up", args=[answered.pk]), form).status_code == 404
        client.force_login(unit_admin)
        detail = client.get(reverse("public:queue_detail", args=[answered.pk])).content.decode()
        assert 'id="follow-up"' in detail
        answer = client.post(reverse("public:request_follow_up", args=[answered.pk]), form)
        assert answer.status_code == 302
    fresh = CitizenRequest.objects.get(pk=answered.pk)
    assert (fresh.rating, fresh.solved, fresh.rated_by_phone) == (Rating.BASICALLY_SATISFIED, True, True)
    step = fresh.steps.get(action=RequestAction.FOLLOW_UP)
    assert step.by == unit_admin and "电话回访" in step.note


def test_the_dashboard_shows_satisfaction_and_resolution_beside_the_completion_rate(
    client, answered, unit_admin, leader, city, district, township
):
    with travel_to(D(2026, 11, 2)):
        request_submit(category=other_category(), unit=township, text="噪音扰民")  # still open
        third = request_submit(category=other_category(), unit=district, text="井盖缺失")
        request_accept(request=third, by=unit_admin)
        request_answer(request=third, by=unit_admin, reply="已补装井盖")
    with travel_to(D(2026, 11, 3)):
        rate(client, answered, Rating.SATISFIED, "yes")
        rate(client, third, Rating.BASICALLY_SATISFIED, "no")  # reopened: counted as rated, not solved
        client.force_login(leader)
        page = client.get(reverse("dashboards:dashboard"), {"unit": city.pk}).content.decode()
    tiles = page[page.index('id="requests"') : page.index("</section>", page.index('id="requests"'))]
    # received 3 (the open one too), rated 2, both satisfied or basically: 100.0%; one confirmed solved: 50.0%
    assert '<span class="figure">3</span>' in tiles  # a leader reads the count; the queue is the administrators'
    assert "100.0%" in tiles and "50.0%" in tiles
    assert f'data-resolution="{district.pk}">50.0%<' in page
