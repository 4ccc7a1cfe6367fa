"""API tokens that expire: DRF's token authentication, refusing a token older than API_TOKEN_LIFETIME_HOURS."""

from __future__ import annotations

import datetime
import functools

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from apps.accounts.models import User
from apps.core.raw_rows import columns_sql, concrete_names, model_from_row, table_sql
from apps.org.models import Unit


def token_expires_at(token: Token) -> datetime.datetime:
    return token.created + datetime.timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS)


def token_has_expired(token: Token) -> bool:
    return token_expires_at(token) <= timezone.now()


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, for API_TOKEN_LIFETIME_HOURS after the token was issued."""

    expired_message = _("The token has expired: obtain a new one with your user name and password.")

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        # DRF's lookup, with the user's unit in the same query: every scoped read asks for it next.
        token = _token_with_user_and_unit(key)
        if token is None or not token.user.is_active:
            # DRF refuses it, in its own words and translations.
            _user, token = super().authenticate_credentials(key)
        if token_has_expired(token):
            raise AuthenticationFailed(self.expired_message)
        return token.user, token


@functools.cache
def _token_sql(vendor: str) -> str:
    """The statement of _token_with_user_and_unit on a database of `vendor`."""
    token_names, user_names, unit_names = concrete_names(Token), concrete_names(User), concrete_names(Unit)
    # Only the models' own table and column names are written in; the key is a parameter.
    return (
        f"SELECT {columns_sql(Token, token_names, 'token')}, {columns_sql(User, user_names, 'person')}, "  # noqa: S608
        f"{columns_sql(Unit, unit_names, 'unit')} "
        f"FROM {table_sql(Token)} token INNER JOIN {table_sql(User)} person ON person.id = token.user_id "
        f"LEFT OUTER JOIN {table_sql(Unit)} unit ON unit.id = person.unit_id "
        "WHERE token.key = %s"
    )


def _token_with_user_and_unit(key: str) -> Token | None:
    """The token of `key` with its user and the user's unit loaded, as `select_related("user__unit")` would give
    them: one query, written out (apps/core/raw_rows.py), since every API request makes it."""
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(connection.vendor), [key])
        row = cursor.fetchone()
    if row is None:
        return None
    user_start = len(concrete_names(Token))
    unit_start = user_start + len(concrete_names(User))
    token = model_from_row(Token, row[:user_start])
    user = model_from_row(User, row[user_start:unit_start])
    if user.unit_id is not None:
        user.unit = model_from_row(Unit, row[unit_start:])
    token.user = user
    return token
