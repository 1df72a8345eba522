"""Accounts and roles over HTTP: who may log in, who may see what, and that every change is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from huiqi.auth.accounts import AccountStore
from huiqi.redemption.audit import verify
from huiqi.store import transaction
from huiqi.store.models import AuditEntry

ENTERPRISE_A = "91330108MA27Y5XH14"


def test_login_me_and_logout(client, login):
    headers = login("firm-a")
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert me == me | {
        "username": "firm-a",
        "role": "enterprise",
        "role_zh": "企业用户",
        "unit": ENTERPRISE_A,
    }
    assert "password_hash" not in me
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    r = client.get("/api/v1/auth/me", headers=headers)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("username", "password"), [("firm-a", "wrong-password-9"), ("nobody", "test-password-1")]
)
def test_a_failed_login_does_not_say_which_part_was_wrong(client, username, password):
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 401
    assert r.json()["detail"] == "用户名或密码不正确，或账号已停用"


def test_requests_without_a_valid_token_are_401(client):
    assert client.get("/api/v1/auth/me").status_code == 401
    r = client.get("/api/v1/accounts", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"


def test_a_session_expires(app):
    # The same database through a store whose sessions last no time at all.
    store = AccountStore(app.state.accounts.engine, session_ttl=timedelta(0))
    done = store.login("firm-a", "test-password-1")
    assert done is not None
    assert store.principal(done.token) is None
    # …while a normal session of the same account works.
    assert (
        app.state.accounts.principal(app.state.accounts.login("firm-a", "test-password-1").token) is not None
    )


@pytest.mark.parametrize(
    ("who", "status"), [("admin", 200), ("audit", 200), ("finance", 403), ("kejiju", 403), ("firm-a", 403)]
)
def test_only_admin_and_auditor_list_accounts(client, login, who, status):
    r = client.get("/api/v1/accounts", headers=login(who))
    assert r.status_code == status
    if status == 403:
        assert set(r.json()) == {"detail", "code"}  # no account data in a refusal


def test_an_enterprise_reads_its_own_account_but_no_other(client, login):
    headers = login("firm-a")
    assert client.get("/api/v1/accounts/firm-a", headers=headers).status_code == 200
    other = client.get("/api/v1/accounts/firm-b", headers=headers)
    missing = client.get("/api/v1/accounts/no-such-firm", headers=headers)
    # Same refusal whether the other account exists or not: nothing leaks about other units.
    assert other.status_code == missing.status_code == 403
    assert other.json() == missing.json()
    assert "firm-b" not in other.text


def test_auditor_reads_everything_and_changes_nothing(client, login):
    headers = login("audit")
    assert client.get("/api/v1/accounts/firm-b", headers=headers).json()["unit"] == "91330108MA2CFQ8R04"
    made = client.post(
        "/api/v1/accounts",
        headers=headers,
        json={"username": "sneaky", "password": "test-password-2", "role": "admin"},
    )
    assert made.status_code == 403
    assert client.patch("/api/v1/accounts/firm-b", headers=headers, json={"active": False}).status_code == 403


def test_admin_creates_an_enterprise_user_bound_to_its_credit_code(client, login):
    headers = login("admin")
    r = client.post(
        "/api/v1/accounts",
        headers=headers,
        json={
            "username": "Firm-C",
            "password": "test-password-3",
            "role": "enterprise",
            "unit": "91330100MA28M12342",
        },
    )
    assert r.status_code == 201
    assert r.json()["username"] == "firm-c" and r.json()["unit"] == "91330100MA28M12342"
    assert (
        client.post(
            "/api/v1/auth/login", json={"username": "firm-c", "password": "test-password-3"}
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        ({"username": "firm-d", "password": "test-password-4", "role": "enterprise"}, "统一社会信用代码"),
        (
            {
                "username": "firm-d",
                "password": "test-password-4",
                "role": "enterprise",
                "unit": "91330108MA27Y5XH15",
            },
            "无效",  # wrong check digit
        ),
        (
            {"username": "clerk", "password": "test-password-4", "role": "official", "unit": "tech"},
            "区科技局",
        ),
        (
            {"username": "boss2", "password": "test-password-4", "role": "admin", "unit": "区科技局"},
            "不绑定单位",
        ),
        ({"username": "firm-d", "password": "short", "role": "finance"}, "至少 10 个字符"),
        ({"username": "firm-d", "password": "1234567890123", "role": "finance"}, "只含数字"),
        ({"username": "x", "password": "test-password-4", "role": "finance"}, "3–40"),
        ({"username": "admin", "password": "test-password-4", "role": "finance"}, "已被使用"),
    ],
)
def test_account_creation_refuses_bad_input_with_the_reason(client, login, payload, says):
    r = client.post("/api/v1/accounts", headers=login("admin"), json=payload)
    assert r.status_code == 400
    assert says in r.json()["detail"]


def test_unknown_role_is_a_422_naming_the_field(client, login):
    r = client.post(
        "/api/v1/accounts",
        headers=login("admin"),
        json={"username": "q1q", "password": "test-password-4", "role": "boss"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "role"


def test_disabling_an_account_ends_its_sessions(client, login):
    admin = login("admin")
    client.post(
        "/api/v1/accounts",
        headers=admin,
        json={"username": "temp-user", "password": "test-password-5", "role": "finance"},
    )
    temp = login("temp-user", "test-password-5")
    assert client.get("/api/v1/auth/me", headers=temp).status_code == 200
    r = client.patch("/api/v1/accounts/temp-user", headers=admin, json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.get("/api/v1/auth/me", headers=temp).status_code == 401
    refused = client.post("/api/v1/auth/login", json={"username": "temp-user", "password": "test-password-5"})
    assert refused.status_code == 401


def test_admin_cannot_demote_or_disable_themself(client, login):
    admin = login("admin")
    assert client.patch("/api/v1/accounts/admin", headers=admin, json={"role": "auditor"}).status_code == 400
    assert client.patch("/api/v1/accounts/admin", headers=admin, json={"active": False}).status_code == 400


def test_changing_ones_own_password_needs_the_old_one(client, login):
    admin = login("admin")
    client.post(
        "/api/v1/accounts",
        headers=admin,
        json={"username": "pw-user", "password": "test-password-6", "role": "finance"},
    )
    me = login("pw-user", "test-password-6")
    url = "/api/v1/accounts/pw-user/password"
    assert client.post(url, headers=me, json={"new_password": "test-password-7"}).status_code == 400
    wrong = client.post(
        url, headers=me, json={"new_password": "test-password-7", "old_password": "nope-nope-1"}
    )
    assert wrong.status_code == 400 and "原密码" in wrong.json()["detail"]
    ok = client.post(
        url, headers=me, json={"new_password": "test-password-7", "old_password": "test-password-6"}
    )
    assert ok.status_code == 204
    assert client.get("/api/v1/auth/me", headers=me).status_code == 401  # sessions end with the old password
    login("pw-user", "test-password-7")
    # Nobody but the admin sets another account's password.
    other = client.post(
        "/api/v1/accounts/firm-b/password", headers=login("firm-a"), json={"new_password": "x" * 12}
    )
    assert other.status_code == 403


def test_every_account_change_is_in_the_audit_log(app, client, login):
    admin = login("admin")
    client.post(
        "/api/v1/accounts",
        headers=admin,
        json={"username": "audited", "password": "test-password-8", "role": "finance"},
    )
    client.patch("/api/v1/accounts/audited", headers=admin, json={"display_name": "财政 张三"})
    client.post("/api/v1/accounts/audited/password", headers=admin, json={"new_password": "test-password-9"})
    with transaction(app.state.accounts.engine) as s:
        entries = s.execute(select(AuditEntry).where(AuditEntry.subject == "account:audited")).scalars().all()
        assert [(e.actor, e.action) for e in entries] == [
            ("admin", "account.create"),
            ("admin", "account.update"),
            ("admin", "account.password"),
        ]
        assert "test-password" not in "".join(e.payload for e in entries)
        assert verify(s).ok


def test_a_new_role_takes_the_unit_given_with_it(client, login):
    admin = login("admin")
    client.post(
        "/api/v1/accounts",
        headers=admin,
        json={"username": "mover", "password": "test-password-5", "role": "official", "unit": "区科技局"},
    )
    # Official → finance: the department goes with the old role.
    r = client.patch("/api/v1/accounts/mover", headers=admin, json={"role": "finance"})
    assert r.status_code == 200 and r.json()["role"] == "finance" and r.json()["unit"] is None
    # Finance → enterprise needs the enterprise's credit code.
    r = client.patch("/api/v1/accounts/mover", headers=admin, json={"role": "enterprise"})
    assert r.status_code == 400 and "统一社会信用代码" in r.json()["detail"]
    r = client.patch(
        "/api/v1/accounts/mover", headers=admin, json={"role": "enterprise", "unit": "91330100MA28M12342"}
    )
    assert r.json()["unit"] == "91330100MA28M12342"
    # Same role, new unit.
    r = client.patch("/api/v1/accounts/mover", headers=admin, json={"unit": "91330108MA2CFQ8R04"})
    assert r.json()["role"] == "enterprise" and r.json()["unit"] == "91330108MA2CFQ8R04"
