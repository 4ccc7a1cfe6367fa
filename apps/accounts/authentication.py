"""API tokens that expire: DRF's token authentication, refusing a token older than API_TOKEN_LIFETIME_HOURS."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from apps.accounts.models import User


def token_expires_at(token: Token) -> datetime.datetime:
    return token.created + datetime.timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS)


def token_has_expired(token: Token) -> bool:
    return token_expires_at(token) <= timezone.now()


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, for API_TOKEN_LIFETIME_HOURS after the token was issued."""

    expired_message = _("The token has expired: obtain a new one with your user name and password.")

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        # DRF's lookup, with the user's unit in the same query: every scoped read asks for it next.
        token = Token.objects.select_related("user__unit").filter(key=key).first()
        if token is None or not token.user.is_active:
            # DRF refuses it, in its own words and translations.
            _user, token = super().authenticate_credentials(key)
        if token_has_expired(token):
            raise AuthenticationFailed(self.expired_message)
        return token.user, token
