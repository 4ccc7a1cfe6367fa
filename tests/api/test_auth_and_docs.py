"""Who may call the API and how (token, session), how it fails, and its schema and docs page."""

from __future__ import annotations

import json
import re

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.items.models import Status


def test_api_token_is_given_for_a_user_name_and_password_and_opens_the_api(api, owner, make_item):
    item = make_item(Status.DRAFT)
    client = APIClient()

    response = client.post("/api/v1/auth/token/", {"username": "owner", "password": "test-password-1"}, format="json")

    assert response.status_code == 200
    assert response.json()["user"] == {"id": owner.pk, "username": "owner", "full_name": "张敏"}
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert [row["id"] for row in client.get("/api/v1/items/").json()["results"]] == [item.pk]
    again = APIClient().post("/api/v1/auth/token/", {"username": "owner", "password": "test-password-1"})
    assert again.json()["token"] == response.json()["token"]


def test_api_token_refused_for_a_wrong_password_in_chinese(owner):
    response = APIClient().post("/api/v1/auth/token/", {"username": "owner", "password": "guess"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "无法使用提供的认证信息登录。",
        "errors": {"non_field_errors": ["无法使用提供的认证信息登录。"]},
    }


def test_api_without_credentials_is_401_everywhere(db):
    client = APIClient()

    for url in ("/api/v1/items/", "/api/v1/units/", "/api/v1/people/", "/api/v1/reports/", "/api/v1/items/1/"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"
        assert response.json() == {"detail": "身份认证信息未提供。"}
    assert client.post("/api/v1/items/1/complete/").status_code == 401
    assert client.post("/api/v1/items/", {}).status_code == 401


def test_api_with_a_bad_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    response = client.get("/api/v1/items/")

    assert response.status_code == 401
    assert response.json() == {"detail": "认证令牌无效。"}


def test_api_revoked_token_no_longer_opens_the_api(api, owner):
    client = api(owner)

    assert client.delete("/api/v1/auth/token/").status_code == 204

    assert not Token.objects.filter(user=owner).exists()
    assert client.get("/api/v1/items/").status_code == 401


def test_api_session_of_the_pages_works_and_writes_need_the_csrf_token(owner, make_item):
    item = make_item(Status.DRAFT)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)

    read = client.get(f"/api/v1/items/{item.pk}/")
    write = client.post(f"/api/v1/items/{item.pk}/submit/", {}, format="json")

    assert read.status_code == 200
    assert write.status_code == 403
    assert "CSRF" in write.json()["detail"]
    item.refresh_from_db()
    assert item.status == Status.DRAFT


def test_api_unknown_address_answers_json_404(api, owner):
    response = api(owner).get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}


def test_api_pages_keep_their_html_404(client, owner):
    client.force_login(owner)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_api_schema_is_openapi_3_with_every_endpoint_and_its_errors(client):
    response = client.get("/api/v1/schema/?format=json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for action in ("submit", "approve", "publish", "start", "complete", "close", "return", "suspend", "resume"):
        assert set(paths[f"/api/v1/items/{{id}}/{action}/"]["post"]["responses"]) == {
            "200",
            "400",
            "401",
            "403",
            "404",
            "415",
        }
    assert "/api/v1/items/{id}/progress/" in paths
    assert "/api/v1/reports/{id}/download/{extension}/" in paths
    assert list(paths["/api/v1/items/{id}/progress/"]["post"]["requestBody"]["content"]) == ["multipart/form-data"]
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])
    item_list = paths["/api/v1/items/"]["get"]
    assert "cursor" in {parameter["name"] for parameter in item_list["parameters"]}
    assert "page" not in {parameter["name"] for parameter in item_list["parameters"]}


def test_api_docs_page_loads_its_assets_from_this_site_only(client, owner):
    # given
    client.force_login(owner)

    # when
    page = client.get("/api/v1/docs/").content.decode()

    # then: no address of another site, and every asset it names is served here; Swagger UI's start-up script is
    # one of them (the docs page with ?script), since the Content-Security-Policy forbids inline script
    assert not re.findall(r"(?:https?:)?//[\w.-]+\.\w+", page)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert len(assets) >= 3
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
    script = client.get(re.search(r'<script src="(/api/v1/docs/\?script=?)"', page)[1]).content.decode()
    assert not re.findall(r"(?:https?:)?//[\w.-]+\.\w+", script)
    assert '"/api/v1/schema/"' in script
    assert '"validatorUrl": null' in script  # Swagger UI would otherwise fetch a badge from its public validator


def test_api_docs_linked_from_the_top_bar(client, owner):
    client.force_login(owner)

    page = client.get("/items/").content.decode()

    assert 'href="/api/v1/docs/"' in page


def test_api_docs_page_links_back_to_the_portal(client, owner):
    client.force_login(owner)

    page = client.get("/api/v1/docs/").content.decode()

    assert '<a href="/"' in page and "返回首页" in page
    assert 'id="swagger-ui"' in page
