"""Redemption runs over HTTP: each endpoint, each role allowed and refused, the whole path from a run to its
payments, and that an enterprise never sees another enterprise's lines.

The registry is the redemption tests' own (``tests.redemption.setup_registry``: twelve seeded enterprises,
002's budget, enterprise 1's 2022 award of 20万元 paid through the ledger). 002/六 (专精特新) is led by
区经信局 and 002/三 by 区科技局, as the texts' （牵头单位：…） notes say; the server's clock is moved by the
test, since the notice window is counted in working days.
"""

from __future__ import annotations

import warnings
from datetime import date

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from tests.redemption.setup_registry import AFTER_WINDOW, RUN_DAY, A, make_registry

from huiqi.api import Settings, create_app
from huiqi.auth.roles import Role
from huiqi.redemption.audit import verify
from huiqi.store.db import transaction
from huiqi.store.models import AuditEntry

PASSWORD = "test-password-1"
UPGRADE = "002/六/专精特新"  # 区经信局
UNION = "002/三/联合体共同体"  # 区科技局
WAN = 10_000 * 100

STAFF = {
    "admin": (Role.ADMIN, None),
    "audit": (Role.AUDITOR, None),
    "finance": (Role.FINANCE, None),
    "jxj-wang": (Role.OFFICIAL, "区经信局"),  # prepares (maker)
    "jxj-li": (Role.OFFICIAL, "区经信局"),  # approves (checker)
    "kjj-zhao": (Role.OFFICIAL, "区科技局"),
}


class Clock:
    day = RUN_DAY


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """(client, clock, engine): a server over the seeded registry with one account per role."""
    folder = tmp_path_factory.mktemp("runs-api")
    clock = Clock()
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'huiqi.sqlite'}", today=lambda: clock.day))
    engine = app.state.accounts.engine
    make_registry(engine, folder / "registry", n=12)
    for name, (role, unit) in STAFF.items():
        app.state.accounts.create("cli", name, PASSWORD, role, unit)
    return TestClient(app), clock, engine


@pytest.fixture(scope="module")
def as_(world):
    client, _, _ = world
    headers: dict[str, dict[str, str]] = {}

    def _as(username: str) -> dict[str, str]:
        if username not in headers:
            r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            headers[username] = {"Authorization": f"Bearer {r.json()['token']}"}
        return headers[username]

    return _as


def enterprise_account(world, code: str) -> str:
    """An enterprise user bound to ``code`` (created on first use)."""
    store = world[0].app.state.accounts
    name = f"firm-{code[-6:].lower()}"
    if name not in {a.username for a in store.list()}:
        store.create("cli", name, PASSWORD, Role.ENTERPRISE, code)
    return name


@pytest.fixture(scope="module")
def upgrade_run(world, as_):
    """The 专精特新 run of 2023, started by 区经信局's 王 on 2024-03-01."""
    client, clock, _ = world
    clock.day = RUN_DAY
    r = client.post("/api/v1/runs", json={"target": UPGRADE, "year": 2023}, headers=as_("jxj-wang"))
    assert r.status_code == 201, r.text
    return r.json()


def test_a_run_is_started_by_the_lead_department_only(world, as_, upgrade_run):
    client, _, _ = world
    run = upgrade_run
    assert run["leads"] == ["区经信局"] and run["prepared_by"] == "jxj-wang" and run["stage"] == "prepared"
    # enterprise 1: 小巨人 2023 after 省级专精特新 2022 (20万元 paid): the difference, 80万元 (002/十六)
    first = next(ln for ln in run["shown"] if ln["credit_code"] == A)
    assert first["amount"]["fen"] == 80 * WAN and first["clause"] == "002/六"
    assert "专精特新小巨人" in first["quote"] and first["trace"]
    assert run["totals"]["listed"]["fen"] == sum(ln["amount"]["fen"] for ln in run["shown"])

    body = {"target": UPGRADE, "year": 2023}
    r = client.post("/api/v1/runs", json=body, headers=as_("kjj-zhao"))  # 科技局 does not lead 002/六
    assert r.status_code == 403 and "区经信局" in r.json()["detail"]
    r = client.post("/api/v1/runs", json={"target": "002", "year": 2023}, headers=as_("jxj-wang"))
    assert r.status_code == 403  # 002 has items of five departments: one run per item
    assert "区科技局" in r.json()["detail"] and "002/" in r.json()["detail"]
    r = client.post("/api/v1/runs", json={"target": "000", "year": 2023}, headers=as_("jxj-wang"))
    assert r.status_code == 403 and "未写明牵头单位" in r.json()["detail"]  # 000 names no lead
    for who in ("finance", "audit", "admin"):
        assert client.post("/api/v1/runs", json=body, headers=as_(who)).status_code == 403
    assert client.post("/api/v1/runs", json=body).status_code == 401
    r = client.post("/api/v1/runs", json={"target": "999/一", "year": 2023}, headers=as_("jxj-wang"))
    assert r.status_code == 404 and "002" in r.json()["detail"]


def test_who_reads_a_run(world, as_, upgrade_run):
    client, _, _ = world
    url = f"/api/v1/runs/{upgrade_run['id']}"
    for who in ("jxj-wang", "jxj-li", "finance", "audit"):
        r = client.get(url, headers=as_(who))
        assert r.status_code == 200 and r.json()["lines"] == upgrade_run["lines"], who
    for who in ("kjj-zhao", "admin"):
        r = client.get(url, headers=as_(who))
        assert r.status_code == 403 and A not in r.text, who
    # before the 公示 an enterprise sees nothing of it, and the answer is the one a missing run gets
    firm = enterprise_account(world, A)
    refused = client.get(url, headers=as_(firm))
    assert refused.status_code == 403
    assert client.get("/api/v1/runs/99999", headers=as_(firm)).json() == refused.json()
    assert client.get("/api/v1/runs/99999", headers=as_("jxj-wang")).status_code == 404
    assert [r["id"] for r in client.get("/api/v1/runs", headers=as_("jxj-li")).json()["runs"]] == [
        upgrade_run["id"]
    ]
    assert client.get("/api/v1/runs", headers=as_("kjj-zhao")).json()["runs"] == []
    assert client.get("/api/v1/runs", headers=as_(firm)).json()["runs"] == []
    assert client.get("/api/v1/runs", headers=as_("admin")).status_code == 403
    assert client.get("/api/v1/runs").status_code == 401
    # nor can it object before the list is public: the same refusal as for a line that is not its own
    line_no = next(ln["line_no"] for ln in upgrade_run["shown"] if ln["credit_code"] == A)
    early = client.post(f"{url}/lines/{line_no}/objections", json={"reason": "提前"}, headers=as_(firm))
    assert (
        early.status_code == 403
        and early.json()["detail"] == "只有名单上的企业本身可以对本企业的公示事项提出异议或放弃"
    )


def test_run_targets_name_the_lead_departments(world, as_):
    client, _, _ = world
    targets = {
        t["target"]: t for t in client.get("/api/v1/run-targets", headers=as_("jxj-wang")).json()["targets"]
    }
    assert targets[UPGRADE]["leads"] == ["区经信局"] and targets[UPGRADE]["may_start"]
    assert targets[UNION]["leads"] == ["区科技局"] and not targets[UNION]["may_start"]
    assert not targets["002"]["may_start"] and "区人才办" in targets["002"]["leads"]
    assert targets["000"]["leads"] == [] and not targets["000"]["may_start"]  # 000 names no 牵头单位
    by_audit = client.get("/api/v1/run-targets", headers=as_("audit")).json()["targets"]
    assert not any(t["may_start"] for t in by_audit)
    assert client.get("/api/v1/run-targets", headers=as_("admin")).status_code == 403


def _publish(world, as_, run_id: int, who: str = "jxj-wang"):
    client, clock, _ = world
    clock.day = RUN_DAY  # Friday 2024-03-01: 5 working days → Thursday 2024-03-07
    return client.post(f"/api/v1/runs/{run_id}/notice", json={"working_days": 5}, headers=as_(who))


def test_publish_objection_resolution_decision_payment(world, as_, upgrade_run):
    client, clock, engine = world
    run_id = upgrade_run["id"]
    for who in ("kjj-zhao", "finance", "audit"):
        assert _publish(world, as_, run_id, who).status_code == 403, who
    r = _publish(world, as_, run_id)
    assert r.status_code == 200, r.text
    notice = r.json()["notice"]
    assert (notice["first_day"], notice["last_day"], notice["open"]) == ("2024-03-01", "2024-03-07", True)
    assert r.json()["stage"] == "in_notice"
    again = _publish(world, as_, run_id)
    assert again.status_code == 409 and "already published" in again.json()["detail"]

    # the list, as JSON and as files
    listing = client.get(f"/api/v1/runs/{run_id}/notice", headers=as_("audit")).json()
    assert len(listing["rows"]) == upgrade_run["lines"]
    csv = client.get(f"/api/v1/runs/{run_id}/notice.csv", headers=as_("jxj-li"))
    assert csv.status_code == 200 and csv.content.startswith("\ufeff序号".encode())
    assert A in csv.content.decode("utf-8-sig") and "800000.00" in csv.content.decode("utf-8-sig")
    xlsx = client.get(f"/api/v1/runs/{run_id}/notice.xlsx", headers=as_("jxj-li"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

    # enterprise 1 objects to its own line; another enterprise cannot object to it
    line_no = next(ln["line_no"] for ln in upgrade_run["shown"] if ln["credit_code"] == A)
    firm = enterprise_account(world, A)
    other = next(ln for ln in upgrade_run["shown"] if ln["credit_code"] != A)
    other_firm = enterprise_account(world, other["credit_code"])
    url = f"/api/v1/runs/{run_id}/lines/{line_no}/objections"
    body = {"reason": "2022年已获20万元，补差金额请核对"}
    refused = client.post(url, json=body, headers=as_(other_firm))
    assert refused.status_code == 403 and A not in refused.text
    missing = client.post(f"/api/v1/runs/{run_id}/lines/999/objections", json=body, headers=as_(other_firm))
    assert missing.json() == refused.json()  # a line that does not exist is refused alike
    for who in ("jxj-wang", "finance", "audit", "admin"):
        assert client.post(url, json=body, headers=as_(who)).status_code == 403, who
    r = client.post(url, json=body, headers=as_(firm))
    assert r.status_code == 201, r.text
    objection = r.json()
    assert (objection["state"], objection["raised_by"], objection["line_no"]) == ("pending", firm, line_no)

    # the enterprise sees its own line with the objection, and nobody else's
    own = client.get(f"/api/v1/runs/{run_id}", headers=as_(firm)).json()
    assert own["own_lines_only"] and {ln["credit_code"] for ln in own["shown"]} == {A}
    assert own["shown"][0]["objections"][0]["id"] == objection["id"]
    assert own["actions"] == ["object", "decline"]
    theirs = client.get(f"/api/v1/runs/{run_id}", headers=as_(other_firm)).json()
    assert A not in str(theirs) and {ln["credit_code"] for ln in theirs["shown"]} == {other["credit_code"]}
    assert client.get(f"/api/v1/runs/{run_id}/notice", headers=as_(firm)).status_code == 403
    assert client.get(f"/api/v1/runs/{run_id}/notice.csv", headers=as_(firm)).status_code == 403

    # decisions wait for the window and for the objection
    clock.day = date(2024, 3, 7)  # last day of the window
    decide = {"approve": True, "reason": "公示期满无异议"}
    r = client.post(f"/api/v1/runs/{run_id}/decisions", json=decide, headers=as_("jxj-li"))
    assert r.status_code == 409 and "window is open" in r.json()["detail"]
    clock.day = AFTER_WINDOW
    r = client.post(f"/api/v1/runs/{run_id}/decisions", json=decide, headers=as_("jxj-li"))
    assert r.status_code == 409 and f"objection {objection['id']} is pending" in r.json()["detail"]

    # the lead department's official resolves it; others may not
    resolve = f"/api/v1/objections/{objection['id']}/resolution"
    keep = {"reason": "已按002/十六补差：100万元减已付20万元"}
    for who in ("kjj-zhao", "finance", "audit", "admin", firm):
        assert client.post(resolve, json=keep, headers=as_(who)).status_code == 403, who
    assert (
        client.post("/api/v1/objections/99999/resolution", json=keep, headers=as_("jxj-wang")).status_code
        == 404
    )
    r = client.post(resolve, json=keep, headers=as_("jxj-wang"))
    assert r.status_code == 200 and r.json()["state"] == "kept" and r.json()["resolved_by"] == "jxj-wang"
    assert client.post(resolve, json=keep, headers=as_("jxj-wang")).status_code == 409  # already resolved

    # maker-checker: the preparer cannot approve; the other official of the department can
    r = client.post(f"/api/v1/runs/{run_id}/decisions", json=decide, headers=as_("jxj-wang"))
    assert r.status_code == 403 and r.json()["code"] == "maker_checker" and "审核分离" in r.json()["detail"]
    for who in ("kjj-zhao", "finance", "audit", firm):
        assert (
            client.post(f"/api/v1/runs/{run_id}/decisions", json=decide, headers=as_(who)).status_code == 403
        )
    bad = {**decide, "lines": [999]}
    assert client.post(f"/api/v1/runs/{run_id}/decisions", json=bad, headers=as_("jxj-li")).status_code == 404
    r = client.post(f"/api/v1/runs/{run_id}/decisions", json=decide, headers=as_("jxj-li"))
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["stage"] == "decided" and decided["counts"] == {"approved": upgrade_run["lines"]}
    mine = next(ln for ln in decided["shown"] if ln["credit_code"] == A)
    assert mine["decision"]["decided_by"] == "jxj-li" and mine["decision"]["amount"]["fen"] == 80 * WAN

    # finance pays, once; officials and the auditor cannot
    for who in ("jxj-li", "audit", firm):
        assert client.post(f"/api/v1/runs/{run_id}/payments", headers=as_(who)).status_code == 403, who
    assert client.get(f"/api/v1/runs/{run_id}", headers=as_("finance")).json()["actions"] == ["pay"]
    r = client.post(f"/api/v1/runs/{run_id}/payments", headers=as_("finance"))
    assert r.status_code == 200, r.text
    paid = r.json()
    assert paid["placed"] == paid["posted"] == upgrade_run["lines"] and not paid["refused"]
    r = client.post(f"/api/v1/runs/{run_id}/payments", headers=as_("finance"))
    assert (r.json()["placed"], r.json()["already_placed"], r.json()["posted"]) == (
        0,
        upgrade_run["lines"],
        0,
    )
    assert all(o["status"] == "posted" for o in r.json()["orders"])

    # payments: an enterprise sees only its own, even when it asks for another's
    own_orders = client.get("/api/v1/payments", headers=as_(firm)).json()
    assert {o["credit_code"] for o in own_orders["orders"]} == {A}
    assert own_orders["total"]["fen"] == 20 * WAN + 80 * WAN  # the 2022 award and this difference
    r = client.get("/api/v1/payments", params={"enterprise": other["credit_code"]}, headers=as_(firm))
    assert r.status_code == 403 and other["credit_code"] not in r.text
    by_run = client.get("/api/v1/payments", params={"run": run_id}, headers=as_("audit")).json()
    assert len(by_run["orders"]) == upgrade_run["lines"] and all(
        o["run_id"] == run_id for o in by_run["orders"]
    )
    assert (
        client.get("/api/v1/payments", headers=as_("jxj-li")).json()["total"]["fen"] >= by_run["total"]["fen"]
    )
    assert client.get("/api/v1/payments", headers=as_("kjj-zhao")).json()["orders"] == []
    assert client.get("/api/v1/payments", headers=as_("admin")).status_code == 403
    detail = client.get(f"/api/v1/runs/{run_id}", headers=as_("finance")).json()
    assert detail["totals"]["paid"] == detail["totals"]["approved"] and "pay" not in detail["actions"]

    # every step is in the audit log, by the account that took it, and the chain holds
    with transaction(engine) as s:
        entries = [(e.actor, e.action) for e in s.query(AuditEntry).order_by(AuditEntry.seq)]
        assert verify(s).ok
    for step in [
        ("jxj-wang", "run.create"),
        ("jxj-wang", "notice.publish"),
        (firm, "objection.add"),
        ("jxj-wang", "objection.resolve"),
        ("jxj-li", "decision.approve"),
        ("finance", "order.place"),
        ("finance", "order.post"),
    ]:
        assert step in entries, step


def test_discretionary_line_and_amount_checks(world, as_):
    """The 科技局 run of 002/三 has no discretionary line; 002/六/链主研发 (经信局) has one with a ceiling."""
    client, clock, _ = world
    clock.day = RUN_DAY
    r = client.post("/api/v1/runs", json={"target": "002/六/链主研发", "year": 2023}, headers=as_("jxj-wang"))
    assert r.status_code == 201, r.text
    run = r.json()
    (line,) = run["shown"]
    assert line["status"] == "discretionary" and line["amount"] is None and line["cap"]["fen"] > 0
    assert _publish(world, as_, run["id"]).status_code == 200
    clock.day = AFTER_WINDOW
    url = f"/api/v1/runs/{run['id']}/decisions"
    body = {"approve": True, "reason": "择优", "lines": [line["line_no"]]}
    r = client.post(url, json=body, headers=as_("jxj-li"))
    assert r.status_code == 409 and "must give the amount" in r.json()["detail"]
    r = client.post(url, json={**body, "amount_fen": line["cap"]["fen"] + 1}, headers=as_("jxj-li"))
    assert r.status_code == 409 and "above the ceiling" in r.json()["detail"]
    r = client.post(url, json={**body, "amount_fen": 10 * WAN}, headers=as_("jxj-li"))
    assert r.status_code == 200 and r.json()["shown"][0]["amount"]["fen"] == 10 * WAN
    r = client.post(url, json={**body, "amount_fen": 10 * WAN}, headers=as_("jxj-li"))
    assert r.status_code == 409 and "only an open line" in r.json()["detail"]


def test_the_science_bureau_runs_its_own_item(world, as_):
    client, clock, _ = world
    clock.day = RUN_DAY
    r = client.post("/api/v1/runs", json={"target": UNION, "year": 2023}, headers=as_("kjj-zhao"))
    assert r.status_code == 201 and r.json()["leads"] == ["区科技局"]
    assert [ln["amount"]["fen"] for ln in r.json()["shown"]] == [50 * WAN]  # 002/三: 省级联合体 50万元
    assert client.get(f"/api/v1/runs/{r.json()['id']}", headers=as_("jxj-wang")).status_code == 403
    mine = client.get("/api/v1/runs", params={"document": "002"}, headers=as_("kjj-zhao")).json()["runs"]
    assert [x["target"] for x in mine] == [UNION]


def test_an_enterprise_declines_its_own_line(world, as_):
    """主动放弃 during the window: the line stays on the record, declined, and is not decided nor paid."""
    client, clock, engine = world
    clock.day = RUN_DAY
    run = client.post("/api/v1/runs", json={"target": UNION, "year": 2023}, headers=as_("kjj-zhao")).json()
    (line,) = run["shown"]
    url = f"/api/v1/runs/{run['id']}/lines/{line['line_no']}/decline"
    firm = enterprise_account(world, line["credit_code"])
    assert client.post(url, json={"reason": "不需要"}, headers=as_(firm)).status_code == 403  # not yet public
    assert _publish(world, as_, run["id"], "kjj-zhao").status_code == 200
    stranger = enterprise_account(world, A)
    for who in (stranger, "kjj-zhao", "finance", "audit", "admin"):
        assert client.post(url, json={"reason": "不需要"}, headers=as_(who)).status_code == 403, who
    r = client.post(url, json={"reason": "本年度不申请"}, headers=as_(firm))
    assert r.status_code == 200 and r.json()["shown"][0]["state"] == "declined"
    assert client.post(url, json={"reason": "再放弃一次"}, headers=as_(firm)).status_code == 409
    clock.day = AFTER_WINDOW
    r = client.post(
        f"/api/v1/runs/{run['id']}/decisions",
        json={"approve": True, "reason": "期满"},
        headers=as_("kjj-zhao"),
    )
    assert r.status_code == 403 and r.json()["code"] == "maker_checker"  # kjj-zhao prepared it
    with transaction(engine) as s:
        assert (firm, "line.decline") in {(e.actor, e.action) for e in s.query(AuditEntry)}


def test_bad_input_is_a_4xx_with_a_message(world, as_):
    client, _, _ = world
    h = as_("jxj-wang")
    assert (
        client.post("/api/v1/runs", json={"target": UPGRADE, "year": "2023x"}, headers=h).status_code == 422
    )
    assert client.post("/api/v1/runs", json={"target": "", "year": 2023}, headers=h).status_code == 422
    assert client.get("/api/v1/runs/0", headers=h).status_code == 422
    assert client.get("/api/v1/runs/99999999999", headers=h).status_code == 422
    r = client.post("/api/v1/runs/1/notice", json={"working_days": 0}, headers=h)
    assert r.status_code == 422 and "working_days" in r.json()["detail"]
    assert client.get("/api/v1/runs/1/notice.pdf", headers=h).status_code == 422
    r = client.post("/api/v1/runs/1/decisions", json={"approve": True, "reason": "  "}, headers=h)
    assert r.status_code == 422 and "reason" in r.json()["detail"]
    assert client.get("/api/v1/payments", params={"status": "lost"}, headers=h).status_code == 422
