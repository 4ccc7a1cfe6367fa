"""Sign-in lockout (django-axes): whose address a sign-in comes from, and what a locked-out sign-in is told."""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_client_username
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

LOGIN_TEMPLATE = "accounts/login.html"


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address: the peer's, or behind TRUSTED_PROXY_COUNT proxies the one the outermost proxy saw.

    Each proxy appends the address it was connected from to X-Forwarded-For, so only the last N entries were
    written by proxies we trust; anything to their left comes from the client and may be forged.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    peer = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    # Fewer entries than proxies: the request did not come through them all, so the header proves nothing.
    return forwarded[-proxies] if len(forwarded) >= proxies else peer


def lockout_seconds() -> int:
    """How long a locked-out sign-in must wait.

    The whole cool-off: axes records the refused try too (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so
    the wait starts again with every try made while locked out.
    """
    return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = math.ceil(lockout_seconds() / 60)
    return ngettext(
        "Too many failed sign-ins: this account is locked for %(minutes)d minute. "
        "Try again later, or ask an administrator to unlock it.",
        "Too many failed sign-ins: this account is locked for %(minutes)d minutes. "
        "Try again later, or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page again, saying why and for how long, as 429 Too Many Requests."""
    context = {
        "form": AuthenticationForm(request, initial={"username": get_client_username(request, credentials)}),
        "next": request.POST.get("next", ""),
        "lockout_message": lockout_message(),
    }
    response = render(request, LOGIN_TEMPLATE, context, status=429)
    response["Retry-After"] = str(lockout_seconds())
    return response
