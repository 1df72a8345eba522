"""CSRF protection of the pages' forms (double submit): every form carries the token of its own cookie, and a
post without it, or with another, is refused before it changes anything. The Bearer-token API needs none."""

from __future__ import annotations

import re

import pytest

from huiqi.api.security import CSRF_COOKIE

PASSWORD = "test-password-1"


def _hidden_token(html: str) -> str:
    found = re.search(r'<input type="hidden" name="csrf_token" value="([^"]+)">', html)
    assert found, "the form has no csrf_token field"
    return found.group(1)


def test_a_page_sets_the_token_cookie_and_its_forms_carry_it(client):
    r = client.get("/login")
    cookie = r.headers["set-cookie"]
    assert f"{CSRF_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert _hidden_token(r.text) == client.cookies.get(CSRF_COOKIE)
    again = client.get("/")  # the cookie is kept, not renewed on every page
    assert CSRF_COOKIE not in again.headers.get("set-cookie", "")


@pytest.mark.parametrize("token", [None, "", "x" * 43, "forged"])
def test_a_login_post_without_the_right_token_is_refused(client, token):
    client.get("/login")
    data = {"username": "firm-a", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    r = client.post("/login", data=data, follow_redirects=False)
    assert r.status_code == 403 and "CSRF" in r.text
    assert "huiqi_session" not in r.headers.get("set-cookie", "")


def test_a_token_without_its_cookie_is_refused(client, app):
    from fastapi.testclient import TestClient

    client.get("/login")
    token = client.cookies.get(CSRF_COOKIE)
    stranger = TestClient(app)  # another site's form: it can send a field, not our cookie
    r = stranger.post("/login", data={"username": "firm-a", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 403


def _logged_in(client, username: str) -> str:
    client.get("/login")
    r = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": client.cookies.get(CSRF_COOKIE)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert f'{CSRF_COOKIE}=""' in r.headers["set-cookie"]  # a new token for the new session …
    page = client.get("/account")
    assert f"{CSRF_COOKIE}=" in page.headers["set-cookie"]  # … set by the next page
    return _hidden_token(page.text)


def test_logout_and_account_creation_need_the_token(client):
    token = _logged_in(client, "admin")
    refused = client.post(
        "/admin/accounts",
        data={"username": "sneaky", "password": "test-password-2", "role": "admin"},
    )
    assert refused.status_code == 403
    assert "sneaky" not in client.get("/admin/accounts").text
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/account", follow_redirects=False).status_code == 200  # still logged in
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_the_json_api_needs_no_token(client):
    r = client.post("/api/v1/auth/login", json={"username": "firm-a", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["token"]
