"""The login page: a user name is locked out from an address after a few failures; a session lasts a working day."""

from __future__ import annotations

import datetime

from axes.models import AccessAttempt
from django.utils import timezone

from tests.accounts.conftest import PASSWORD, WRONG

WRONG_PASSWORD = "用户名或密码错误，请重新输入。"
LOCKED = "登录失败次数过多，该账号已被锁定 15 分钟。请稍后再试，或联系管理员解锁。"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_thirty_wrong_passwords_lock_the_account_and_the_right_one_is_refused(client, owner, sign_in_on_page):
    # given
    answers = [sign_in_on_page("owner", WRONG) for _attempt in range(30)]

    # when: the 31st try has the right password
    response = sign_in_on_page("owner", PASSWORD)

    # then: the first four are told the password was wrong, from the fifth on the account is locked
    assert [answer.status_code for answer in answers] == [200] * 4 + [429] * 26
    assert all(WRONG_PASSWORD in answer.content.decode() for answer in answers[:4])
    assert response.status_code == 429
    assert not signed_in(client)
    page = response.content.decode()
    assert LOCKED in page
    assert WRONG_PASSWORD not in page
    assert response["Retry-After"] == "900"
    assert 'name="username"' in page and 'value="owner"' in page


def test_login_lockout_lasts_the_cool_off_then_the_right_password_signs_in(client, owner, sign_in_on_page):
    # given: locked out
    for _attempt in range(5):
        sign_in_on_page("owner", WRONG)
    assert sign_in_on_page("owner", PASSWORD).status_code == 429

    # when: the last failure is just over 15 minutes old
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=15, seconds=1))
    response = sign_in_on_page("owner", PASSWORD)

    # then
    assert response.status_code == 302
    assert signed_in(client)


def test_login_lockout_holds_one_user_name_from_one_address_only(client, owner, colleague, sign_in_on_page):
    # given: owner locked out from 127.0.0.1
    for _attempt in range(5):
        sign_in_on_page("owner", WRONG)

    # then: another user from that address, and the owner from another address, still sign in
    assert sign_in_on_page("colleague", PASSWORD).status_code == 302
    client.logout()
    assert sign_in_on_page("owner", PASSWORD, address="10.20.30.40").status_code == 302
    client.logout()
    assert sign_in_on_page("owner", PASSWORD).status_code == 429


def test_login_a_user_name_that_does_not_exist_is_locked_out_alike(client, db, sign_in_on_page):
    answers = [sign_in_on_page("nobody", WRONG).status_code for _attempt in range(6)]

    assert answers == [200] * 4 + [429] * 2


def test_login_success_forgets_the_failures_before_it(client, owner, sign_in_on_page):
    # given: four failures, then the right password
    for _attempt in range(4):
        sign_in_on_page("owner", WRONG)
    assert sign_in_on_page("owner", PASSWORD).status_code == 302
    client.logout()

    # when: more failures
    answers = [sign_in_on_page("owner", WRONG).status_code for _attempt in range(5)]

    # then: counted from the first again
    assert answers == [200] * 4 + [429]


def test_login_failure_limit_and_lockout_are_settings(client, owner, sign_in_on_page, settings):
    # given
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)

    # when
    answers = [sign_in_on_page("owner", WRONG) for _attempt in range(3)]

    # then
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert "该账号已被锁定 30 分钟" in answers[-1].content.decode()
    assert answers[-1]["Retry-After"] == "1800"


def test_login_lockout_message_follows_the_chosen_language(client, owner, sign_in_on_page):
    client.cookies["django_language"] = "en"

    for _attempt in range(5):
        response = sign_in_on_page("owner", WRONG)

    assert response.status_code == 429
    assert "this account is locked for 15 minutes" in response.content.decode()


def test_login_forwarded_address_is_ignored_without_trusted_proxies(client, owner, sign_in_on_page):
    # given: a client that writes a new X-Forwarded-For on every try
    answers = [
        sign_in_on_page("owner", WRONG, HTTP_X_FORWARDED_FOR=f"10.0.0.{number}").status_code for number in range(6)
    ]

    # then: it is still one address
    assert answers == [200] * 4 + [429] * 2


def test_login_behind_a_trusted_proxy_locks_out_the_forwarded_address(client, owner, sign_in_on_page, settings):
    # given: one proxy in front (REMOTE_ADDR is the proxy), which appends the client's address to the header
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "192.168.1.10"
    for _attempt in range(5):
        sign_in_on_page("owner", WRONG, address=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4")

    # when: the locked-out client forges an address to the left of its own
    forged = sign_in_on_page("owner", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="5.6.7.8, 1.2.3.4")
    elsewhere = sign_in_on_page("owner", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="5.6.7.8")

    # then: the lockout follows the address the proxy saw, not the proxy's nor the forged one
    assert forged.status_code == 429
    assert elsewhere.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"1.2.3.4"}


def test_login_session_lasts_a_working_day(client, owner, sign_in_on_page):
    response = sign_in_on_page("owner", PASSWORD)

    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == 8 * 60 * 60
    assert client.session.get_expiry_age() == 8 * 60 * 60


def test_login_session_lifetime_is_a_setting(client, owner, sign_in_on_page, settings):
    settings.SESSION_COOKIE_AGE = 2 * 60 * 60

    response = sign_in_on_page("owner", PASSWORD)

    assert response.cookies["sessionid"]["max-age"] == 2 * 60 * 60


def test_login_of_the_admin_site_is_locked_out_alike(client, owner, sign_in_on_page):
    # given: locked out on the portal's login page
    for _attempt in range(5):
        sign_in_on_page("owner", WRONG)

    # when
    response = client.post("/admin/login/", {"username": "owner", "password": PASSWORD})

    # then
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
