"""The 兑现批次 pages as rendered on the server: the list, one run, and each step's form, per role.

The registry is the redemption tests' (``tests.redemption.setup_registry``); 002/六/专精特新 is led by
区经信局. The server's clock is moved by the test (the notice window is counted in working days).
"""

from __future__ import annotations

import re
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from tests.redemption.setup_registry import AFTER_WINDOW, RUN_DAY, A, make_registry

from huiqi.api import Settings, create_app
from huiqi.auth.roles import Role

PASSWORD = "test-password-1"
ACCOUNTS = {
    "jxj-wang": (Role.OFFICIAL, "区经信局"),
    "jxj-li": (Role.OFFICIAL, "区经信局"),
    "kjj-zhao": (Role.OFFICIAL, "区科技局"),
    "finance": (Role.FINANCE, None),
    "audit": (Role.AUDITOR, None),
    "admin": (Role.ADMIN, None),
    "firm-1": (Role.ENTERPRISE, A),
}


class Clock:
    day = RUN_DAY


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("desk-runs")
    clock = Clock()
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'huiqi.sqlite'}", today=lambda: clock.day))
    make_registry(app.state.accounts.engine, folder / "registry", n=12)
    for name, (role, unit) in ACCOUNTS.items():
        app.state.accounts.create("cli", name, PASSWORD, role, unit)
    return app, clock


def browser(world, username: str | None) -> tuple[TestClient, str]:
    """A client with its own cookie jar, logged in as ``username``; and its form token."""
    client = TestClient(world[0])
    client.get("/login")
    token = client.cookies.get("huiqi_csrf")
    if username:
        r = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        client.get("/desk/runs")  # the login starts a new form token
        token = client.cookies.get("huiqi_csrf")
    return client, token


def test_the_whole_path_through_the_pages(world):
    _, clock = world
    clock.day = RUN_DAY
    wang, wang_token = browser(world, "jxj-wang")
    page = wang.get("/desk/runs")
    assert page.status_code == 200 and 'id="start-run"' in page.text
    assert '<option value="002/六/专精特新">' in page.text  # the items 区经信局 leads
    assert '<option value="002/三/联合体共同体">' not in page.text  # 区科技局's

    # a target the department does not lead: the form again, with the API's message and status
    r = wang.post("/desk/runs", data={"target": "002", "year": "2023", "csrf_token": wang_token})
    assert r.status_code == 403 and "区科技局" in r.text and 'value="002"' in r.text
    r = wang.post("/desk/runs", data={"target": "002/六/专精特新", "year": "20x3", "csrf_token": wang_token})
    assert r.status_code == 422 and "year" in r.text
    r = wang.post(
        "/desk/runs",
        data={"target": "002/六/专精特新", "year": "2023", "csrf_token": wang_token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    url = r.headers["location"].split("?")[0]
    run_id = int(url.rsplit("/", 1)[1])
    page = wang.get(url + "?done=start")
    assert "已发起兑现批次" in page.text and 'id="publish-form"' in page.text
    assert "80万元" in page.text and A in page.text and "/clauses/002/%E5%85%AD" in page.text

    # no CSRF field, no step
    assert wang.post(f"{url}/notice", data={"working_days": "5"}).status_code == 403
    r = wang.post(
        f"{url}/notice", data={"working_days": "5", "csrf_token": wang_token}, follow_redirects=False
    )
    assert r.status_code == 303
    page = wang.get(r.headers["location"])
    assert "已发布公示" in page.text and "2024-03-01 至 2024-03-07" in page.text

    # the enterprise sees its own line only, and objects to it
    firm, firm_token = browser(world, "firm-1")
    mine = firm.get(url)
    assert mine.status_code == 200 and "object-form" in mine.text and "decline-form" in mine.text
    assert len(re.findall(r'<tr id="line-\d+"', mine.text)) == 1 and "杭州示例01科技有限公司" in mine.text
    assert "杭州示例03" not in mine.text and "notice.xlsx" not in mine.text
    line_no = int(re.search(r'<tr id="line-(\d+)"', mine.text).group(1))
    r = firm.post(
        f"{url}/lines/{line_no}/objection",
        data={"reason": "补差金额请核对", "csrf_token": firm_token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "补差金额请核对" in firm.get(url).text
    assert f"第{run_id}批" in firm.get("/desk/runs").text  # published, with its line: listed

    # other roles: 科技局 and the admin get the 403 page without the run's data
    for who in ("kjj-zhao", "admin"):
        other, _ = browser(world, who)
        r = other.get(url)
        assert r.status_code == 403 and A not in r.text, who

    # the objection is resolved by the lead department; the maker cannot approve
    page = wang.get(url).text
    objection_id = int(re.search(r'id="objection-(\d+)"', page).group(1))
    clock.day = AFTER_WINDOW
    r = wang.post(
        f"{url}/objections/{objection_id}/resolution",
        data={"reason": "已按002/十六补差", "new_amount": "", "csrf_token": wang_token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = wang.post(f"{url}/decisions", data={"approve": "1", "reason": "自审", "csrf_token": wang_token})
    assert r.status_code == 403 and "审核分离" in r.text
    assert 'id="decide-all-form"' not in wang.get(url).text  # the maker is not offered the form

    li, li_token = browser(world, "jxj-li")
    assert 'id="decide-all-form"' in li.get(url).text
    r = li.post(
        f"{url}/decisions",
        data={"approve": "1", "reason": "公示期满", "csrf_token": li_token},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "审批完毕" in li.get(r.headers["location"]).text

    # finance pays; a second payment pays nothing
    fin, fin_token = browser(world, "finance")
    assert 'id="pay-form"' in fin.get(url).text
    r = fin.post(f"{url}/payments", data={"csrf_token": fin_token})
    assert r.status_code == 200 and "本次下达" in r.text and "已支付" in r.text
    placed = int(re.search(r"本次下达 (\d+) 笔", r.text).group(1))
    assert placed >= 1
    again = fin.post(f"{url}/payments", data={"csrf_token": fin_token})
    assert "本次下达 0 笔" in again.text and f"此前已下达 {placed} 笔" in again.text


def test_pages_need_a_login_and_refuse_bad_amounts(world):
    anonymous, token = browser(world, None)
    r = anonymous.get("/desk/runs", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    r = anonymous.post("/desk/runs/1/payments", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and "/login" in r.headers["location"]
    assert anonymous.get("/desk/runs/abc", follow_redirects=False).status_code == 422
    wang, wang_token = browser(world, "jxj-wang")
    assert wang.get("/desk/runs/999999").status_code == 404
    r = wang.post(
        "/desk/runs/1/objections/1/resolution",
        data={"reason": "调整", "new_amount": "10.005", "csrf_token": wang_token},
    )
    assert r.status_code == 422 and "最多两位小数" in r.text
