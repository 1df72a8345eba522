"""The Chinese pages as rendered on the server: the library, a document, a clause, a search, a login."""

from __future__ import annotations

from urllib.parse import quote

from huiqi.web.pages import highlight


def _token(client) -> str:
    """The CSRF token every page form carries (set as a cookie by the first page visit)."""
    if client.cookies.get("huiqi_csrf") is None:
        client.get("/login")
    return client.cookies.get("huiqi_csrf")


def _login(client, username: str) -> None:
    r = client.post(
        "/login",
        data={"username": username, "password": "test-password-1", "csrf_token": _token(client)},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_library_lists_documents_with_validity_and_ships_its_chart(client):
    r = client.get("/")
    assert r.status_code == 200 and "政策库" in r.text
    assert "推动创新链产业链“两链”深度融合的若干政策" in r.text
    assert 'href="/policies/002"' in r.text
    assert "有效" in r.text and "征求意见稿" in r.text
    # The chart library is served by huiqi itself: no CDN.
    assert (
        'src="/static/vendor/echarts/echarts.min.js"' in r.text
        and "https://" not in r.text.split("<footer>")[0]
    )
    js = client.get("/static/vendor/echarts/echarts.min.js")
    assert js.status_code == 200 and len(js.content) > 500_000
    assert client.get("/static/vendor/echarts/LICENSE").status_code == 200


def test_library_page_embeds_the_same_data_as_the_api(client):
    import json
    import re

    page = client.get("/").text
    embedded = json.loads(
        re.search(r'<script id="library-data" type="application/json">(.*?)</script>', page).group(1)
    )
    assert embedded == client.get("/api/v1/documents").json()


def test_document_page_shows_the_clause_tree(client):
    r = client.get("/policies/002")
    assert r.status_code == 200
    assert f'href="/clauses/{quote("002/三", safe="/")}"' in r.text
    assert "给予认定奖励" in r.text
    assert "本政策自2022年9月6日起施行，有效期三年。" in r.text  # the sentence the dates were read from


def test_clause_page_shows_text_and_figures(client):
    r = client.get("/clauses/002/三")
    assert r.status_code == 200
    assert "分别给予50万元、30万元一次性奖励" in r.text
    assert "最高30万元" in r.text  # "给予最高不超过30万元一次性开办经费奖励" read as a cap
    assert "区科技局（牵头）" in r.text


def test_search_page_highlights_the_matches(client):
    r = client.get("/search", params={"q": "专精特新 奖励", "doc": "002"})
    assert r.status_code == 200
    assert "<mark>专精特新</mark>" in r.text and "<mark>奖励</mark>" in r.text
    assert f'href="/clauses/{quote("002/六", safe="/")}"' in r.text


def test_search_page_explains_a_term_found_nowhere(client):
    r = client.get("/search", params={"q": "量子引力"})
    assert r.status_code == 200 and "没有条款包含：“量子引力”" in r.text


def test_search_page_escapes_what_it_echoes(client):
    r = client.get("/search", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;" in r.text


def test_highlight_escapes_the_text_around_and_inside_marks():
    html = highlight("a<b>专精特新&c", [(4, 8)], cut_before=True)
    assert str(html) == "…a&lt;b&gt;<mark>专精特新</mark>&amp;c"


def test_unknown_pages_get_a_chinese_404_page(client):
    r = client.get("/policies/999")
    assert r.status_code == 404 and "未找到" in r.text and "003-12" in r.text
    assert r.headers["content-type"].startswith("text/html")


def test_login_sets_an_httponly_cookie_and_shows_the_account(client):
    r = client.post(
        "/login",
        data={
            "username": "firm-a",
            "password": "test-password-1",
            "next": "/account",
            "csrf_token": _token(client),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/account"
    cookie = r.headers["set-cookie"]
    assert "huiqi_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get("/account").text
    assert "firm-a" in page and "91330108MA27Y5XH14" in page and "企业用户" in page


def test_a_wrong_password_is_a_401_page_with_the_form(client):
    r = client.post(
        "/login", data={"username": "firm-a", "password": "nope-nope-1", "csrf_token": _token(client)}
    )
    assert r.status_code == 401 and "用户名或密码不正确" in r.text and 'name="password"' in r.text


def test_login_never_redirects_off_site(client):
    r = client.post(
        "/login",
        data={
            "username": "firm-a",
            "password": "test-password-1",
            "next": "//evil.example/x",
            "csrf_token": _token(client),
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/account"


def test_pages_that_need_a_login_send_you_to_it(client):
    r = client.get("/admin/accounts", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/admin/accounts"


def test_an_enterprise_is_refused_the_account_list_without_seeing_it(client):
    _login(client, "firm-a")
    r = client.get("/admin/accounts")
    assert r.status_code == 403 and "无权访问" in r.text
    assert "firm-a（企业用户）" in r.text  # still shown as logged in
    assert "firm-b" not in r.text and "91330108MA2CFQ8R04" not in r.text


def test_the_auditor_sees_accounts_but_no_form_to_change_them(client):
    _login(client, "audit")
    r = client.get("/admin/accounts")
    assert r.status_code == 200 and "firm-b" in r.text and "新建账号" not in r.text
    refused = client.post(
        "/admin/accounts",
        data={
            "username": "x-new",
            "password": "test-password-2",
            "role": "admin",
            "csrf_token": _token(client),
        },
    )
    assert refused.status_code == 403


def test_the_admin_creates_an_account_from_the_page(client):
    _login(client, "admin")
    bad = client.post(
        "/admin/accounts",
        data={
            "username": "firm-z",
            "password": "test-password-2",
            "role": "enterprise",
            "csrf_token": _token(client),
        },
    )
    assert bad.status_code == 400 and "统一社会信用代码" in bad.text
    ok = client.post(
        "/admin/accounts",
        data={
            "username": "kejiju-2",
            "password": "test-password-2",
            "role": "official",
            "unit": "区科技局",
            "csrf_token": _token(client),
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert "kejiju-2" in client.get("/admin/accounts").text


def test_logout_ends_the_session(client):
    _login(client, "firm-a")
    client.post("/logout", data={"csrf_token": _token(client)})
    assert client.get("/account", follow_redirects=False).status_code == 303


ODD = [
    "",
    " ",
    "%00",
    "..%2F..%2Fetc%2Fpasswd",
    "<script>",
    "'\"",
    "٣",
    "\u3000",
    "a" * 5000,
    "003-",
    "002/三/",
]


def test_odd_input_to_pages_never_gets_a_500(client):
    # The pages are not in the OpenAPI document, so schemathesis does not reach them; these are the odd inputs
    # it tends to find, sent to every page that takes one.
    for odd in ODD:
        for url, params in [
            (f"/policies/{odd}", None),
            (f"/clauses/{odd}", None),
            ("/search", {"q": odd}),
            ("/search", {"q": "奖励", "doc": odd}),
            ("/login", {"next": odd}),
        ]:
            r = client.get(url, params=params, follow_redirects=False)
            assert r.status_code < 500, (url, params, r.status_code)
            assert r.status_code in (200, 303, 404, 422), (url, params, r.status_code)
        r = client.post(
            "/login",
            data={"username": odd, "password": odd, "next": odd, "csrf_token": _token(client)},
            follow_redirects=False,
        )
        assert r.status_code in (401, 422), (odd, r.status_code)
    bad_body = client.post("/login", content=b"\xff\xfe{", headers={"content-type": "application/json"})
    assert bad_body.status_code < 500
