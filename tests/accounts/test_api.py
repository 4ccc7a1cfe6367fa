"""The token endpoint: locked out like the login page (429 with Retry-After); tokens expire after a set time."""

from __future__ import annotations

import datetime
import json

from axes.models import AccessAttempt
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.accounts.conftest import PASSWORD, WRONG

LOCKED = "登录失败次数过多，该账号已被锁定 15 分钟。请稍后再试，或联系管理员解锁。"
EXPIRED = "认证令牌已过期，请用用户名和密码重新获取。"


def age_token(token: Token, **age: float) -> None:
    """Make the token as old as given, in the database."""
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(**age))


def items_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_api_token_thirty_wrong_passwords_lock_out_the_right_one_with_429(owner, sign_in_on_api):
    # given
    answers = [sign_in_on_api("owner", WRONG) for _attempt in range(30)]

    # when
    response = sign_in_on_api("owner", PASSWORD)

    # then
    assert [answer.status_code for answer in answers] == [400] * 4 + [429] * 26
    assert response.status_code == 429
    assert response.json() == {"detail": LOCKED}
    assert response["Retry-After"] == "900"
    assert not Token.objects.filter(user=owner).exists()


def test_api_token_and_login_page_count_failures_together(client, owner, sign_in_on_api, sign_in_on_page):
    # given: three failures on the API, two on the page
    for _attempt in range(3):
        assert sign_in_on_api("owner", WRONG).status_code == 400
    assert sign_in_on_page("owner", WRONG).status_code == 200
    assert sign_in_on_page("owner", WRONG).status_code == 429

    # then: both refuse the right password
    assert sign_in_on_api("owner", PASSWORD).status_code == 429
    assert sign_in_on_page("owner", PASSWORD).status_code == 429


def test_api_token_lockout_holds_one_user_name_from_one_address_only(owner, colleague, sign_in_on_api):
    for _attempt in range(5):
        sign_in_on_api("owner", WRONG)

    assert sign_in_on_api("owner", PASSWORD).status_code == 429
    assert sign_in_on_api("owner", PASSWORD, address="10.20.30.40").status_code == 200
    assert sign_in_on_api("colleague", PASSWORD).status_code == 200


def test_api_token_lockout_ends_after_the_cool_off(owner, sign_in_on_api):
    for _attempt in range(5):
        sign_in_on_api("owner", WRONG)
    assert sign_in_on_api("owner", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))

    assert sign_in_on_api("owner", PASSWORD).status_code == 200


def test_api_schema_documents_the_lockout_with_retry_after(client):
    schema = json.loads(client.get("/api/v1/schema/?format=json").content)

    locked = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]["429"]

    assert locked["headers"]["Retry-After"]["schema"]["type"] == "integer"
    assert locked["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
    assert "expires_at" in schema["components"]["schemas"]["Token"]["required"]


def test_api_token_tells_when_it_expires(owner, sign_in_on_api):
    # when
    response = sign_in_on_api("owner", PASSWORD)

    # then: a week after it was issued, by default
    assert response.status_code == 200
    token = Token.objects.get(user=owner)
    assert response.json()["token"] == token.key
    assert parse_datetime(response.json()["expires_at"]) == token.created + datetime.timedelta(days=7)


def test_api_expired_token_is_refused_with_401(owner, sign_in_on_api):
    # given
    key = sign_in_on_api("owner", PASSWORD).json()["token"]
    age_token(Token.objects.get(key=key), days=7, seconds=1)

    # when
    response = items_with(key).get("/api/v1/items/")

    # then
    assert response.status_code == 401
    assert response.json() == {"detail": EXPIRED}
    assert response["WWW-Authenticate"] == "Token"


def test_api_token_works_until_it_expires(owner, sign_in_on_api):
    key = sign_in_on_api("owner", PASSWORD).json()["token"]
    age_token(Token.objects.get(key=key), days=6, hours=23)

    assert items_with(key).get("/api/v1/items/").status_code == 200


def test_api_token_asked_for_after_it_expired_is_a_fresh_one(owner, sign_in_on_api):
    # given
    old = sign_in_on_api("owner", PASSWORD).json()["token"]
    age_token(Token.objects.get(key=old), days=8)

    # when: asked by a program that still sends the expired token along
    response = sign_in_on_api("owner", PASSWORD, HTTP_AUTHORIZATION=f"Token {old}")

    # then: a new token that works, lasting a week from now; the old one is gone
    new = response.json()["token"]
    assert new != old
    assert items_with(new).get("/api/v1/items/").status_code == 200
    assert items_with(old).get("/api/v1/items/").status_code == 401
    expires_at = parse_datetime(response.json()["expires_at"])
    assert abs(expires_at - (timezone.now() + datetime.timedelta(days=7))) < datetime.timedelta(minutes=1)


def test_api_token_lifetime_is_a_setting(owner, sign_in_on_api, settings):
    # given
    settings.API_TOKEN_LIFETIME_HOURS = 1
    response = sign_in_on_api("owner", PASSWORD)
    key = response.json()["token"]
    token = Token.objects.get(key=key)
    assert parse_datetime(response.json()["expires_at"]) == token.created + datetime.timedelta(hours=1)

    # when
    age_token(token, hours=1, seconds=1)

    # then
    assert items_with(key).get("/api/v1/items/").status_code == 401
