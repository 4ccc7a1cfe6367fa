"""Signing in by the form and by the API, as a person or a program would, from a given address."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import HttpResponse
from django.test import Client
from rest_framework.test import APIClient

PASSWORD = "test-password-1"  # the factories' password
WRONG = "guess-1234"

SignIn = Callable[..., HttpResponse]


@pytest.fixture
def sign_in_on_page(client: Client) -> SignIn:
    """POST the login form; `address` is the client's (REMOTE_ADDR), extra headers as keyword arguments."""

    def post(username: str, password: str, *, address: str = "127.0.0.1", **headers: str) -> HttpResponse:
        return client.post(
            "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers
        )

    return post


@pytest.fixture
def sign_in_on_api() -> SignIn:
    """POST user name and password to the token endpoint, as a program would."""

    def post(username: str, password: str, *, address: str = "127.0.0.1", **headers: str) -> HttpResponse:
        return APIClient().post(
            "/api/v1/auth/token/",
            {"username": username, "password": password},
            format="json",
            REMOTE_ADDR=address,
            **headers,
        )

    return post
