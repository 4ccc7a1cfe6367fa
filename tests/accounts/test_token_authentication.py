"""Token authentication: one query for the token, its user and the user's unit; refusals as DRF words them."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from apps.accounts.authentication import ExpiringTokenAuthentication
from apps.accounts.models import User


def test_token_authentication_reads_the_user_and_unit_in_one_query(owner, django_assert_num_queries):
    token = Token.objects.create(user=owner)

    with django_assert_num_queries(1):
        user, found = ExpiringTokenAuthentication().authenticate_credentials(token.key)
        unit_path = user.unit.path

    assert (user, found) == (owner, token)
    assert unit_path == owner.unit.path


def test_token_authentication_refuses_an_unknown_token(db):
    with pytest.raises(AuthenticationFailed, match="认证令牌无效"):
        ExpiringTokenAuthentication().authenticate_credentials("0" * 40)


def test_token_authentication_refuses_an_inactive_user(owner):
    token = Token.objects.create(user=owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    with pytest.raises(AuthenticationFailed, match="用户未激活"):
        ExpiringTokenAuthentication().authenticate_credentials(token.key)


def test_token_authentication_refuses_a_token_of_a_person_who_signed_out(api, owner):
    client = api(owner)
    assert client.get("/api/v1/items/").status_code == 200

    Token.objects.filter(user=owner).delete()  # what signing out of the API does

    assert client.get("/api/v1/items/").status_code == 401


def test_token_authentication_loads_the_token_user_and_unit_as_the_orm_does(owner):
    # given: a token of a user who signed in once (every kind of column set: dates, datetimes, booleans, numbers)
    token = Token.objects.create(user=owner)
    User.objects.filter(pk=owner.pk).update(last_login=timezone.now())

    # when
    user, found = ExpiringTokenAuthentication().authenticate_credentials(token.key)

    # then: each row reads as the ORM reads it, and saves as a row that exists
    expected = Token.objects.select_related("user__unit").get(key=token.key)
    for loaded, read in ((found, expected), (user, expected.user), (user.unit, expected.user.unit)):
        fields = type(read)._meta.concrete_fields
        assert [getattr(loaded, field.attname) for field in fields] == [
            getattr(read, field.attname) for field in fields
        ]
        assert not loaded._state.adding
