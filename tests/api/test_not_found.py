"""Any unknown address under /api/ answers the API's JSON 404, DEBUG or not; the pages keep their HTML 404."""

from __future__ import annotations

import pytest

NOT_FOUND = {"detail": "未找到。"}


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings) -> bool:
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize(
    "address", ["/api/v1/no-such-thing/", "/api/v1/items/export/pdf/", "/api/v2/items/", "/api/", "/api/v1/no/such/"]
)
def test_api_unknown_address_is_a_json_404(api, owner, debug, address):
    response = api(owner).get(address)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND


def test_api_unknown_address_is_a_json_404_without_credentials_too(api, debug):
    response = api().get("/api/v1/no-such-thing/")

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == NOT_FOUND


def test_api_unknown_address_written_to_is_a_json_404_not_a_csrf_failure(client, owner, debug):
    # given: a session without its CSRF token, which would refuse a write to any real address
    client.force_login(owner)

    response = client.post("/api/v1/no-such-thing/", {"note": "x"})

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")


def test_api_address_without_its_slash_still_leads_to_it(api, owner, debug):
    response = api(owner).get("/api/v1/items?kind=service_list")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/items/?kind=service_list"


def test_api_unknown_address_without_a_slash_is_a_json_404(api, owner, debug):
    response = api(owner).get("/api/v1/no-such-thing")

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")


def test_api_unknown_address_under_debug_is_not_the_technical_page(api, owner, settings):
    settings.DEBUG = True

    response = api(owner).get("/api/v1/no-such-thing/")

    assert b"<html" not in response.content.lower()
    assert b"URLconf" not in response.content


def test_page_unknown_address_keeps_its_html_404(client, owner, debug):
    client.force_login(owner)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
