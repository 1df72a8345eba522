"""The audit log over HTTP: the auditor and the admin read it (filtered, paged) and verify its chain; nobody
else reads it; nothing writes to it over HTTP; an altered entry is named by the verification."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from huiqi.store import transaction
from huiqi.store.models import AuditEntry


@pytest.mark.parametrize("who", ["audit", "admin"])
def test_the_auditor_and_the_admin_read_the_log_newest_first(client, login, who):
    r = client.get("/api/v1/audit", headers=login(who))
    assert r.status_code == 200
    page = r.json()
    seqs = [e["seq"] for e in page["entries"]]
    assert seqs == sorted(seqs, reverse=True) and page["total"] >= 6  # six accounts were created
    assert "account.create" in page["actions"] and "session.login" in page["actions"]
    first = page["entries"][-1]
    assert first["prev_hash"] == "0" * 64 or page["total"] > len(page["entries"])


def test_filters_and_paging(client, login):
    h = login("audit")
    created = client.get("/api/v1/audit?action=account.create", headers=h).json()
    assert created["total"] == 6 and {e["action"] for e in created["entries"]} == {"account.create"}
    assert {e["subject"] for e in created["entries"]} >= {"account:firm-a", "account:kejiju"}
    prefix = client.get("/api/v1/audit?action=account.", headers=h).json()
    assert prefix["total"] >= created["total"]
    assert all(e["action"].startswith("account.") for e in prefix["entries"])
    by_actor = client.get("/api/v1/audit", params={"actor": "cli"}, headers=h).json()
    assert by_actor["total"] == 6
    subject = client.get("/api/v1/audit", params={"subject": "firm-a"}, headers=h).json()
    assert subject["total"] >= 1 and all("firm-a" in e["subject"] for e in subject["entries"])
    one = client.get("/api/v1/audit?action=account.create&limit=2&offset=1", headers=h).json()
    assert [e["seq"] for e in one["entries"]] == [e["seq"] for e in created["entries"]][1:3]


def test_the_payload_is_shown_without_passwords(client, login):
    entries = client.get("/api/v1/audit?action=account.create", headers=login("admin")).json()["entries"]
    assert {"role", "unit"} <= set(entries[0]["payload"])
    assert "password" not in str(entries).lower().replace("account.password", "")


@pytest.mark.parametrize("who", ["kejiju", "finance", "firm-a"])
def test_other_roles_cannot_read_or_verify_the_log(client, login, who):
    h = login(who)
    r = client.get("/api/v1/audit", headers=h)
    assert r.status_code == 403 and "account:" not in r.text
    assert client.get("/api/v1/audit/verify", headers=h).status_code == 403


def test_nothing_writes_to_the_log_over_http(client, login):
    h = login("admin")
    for method in ("post", "put", "patch", "delete"):
        r = client.request(method, "/api/v1/audit", headers=h, json={"action": "x"})
        assert r.status_code == 405 and r.headers["allow"] == "GET", method
    assert client.get("/api/v1/audit").status_code == 401


def test_verify_holds_and_then_names_an_altered_entry(app, client, login):
    # Last in this module: it alters the log.
    h = login("audit")
    ok = client.get("/api/v1/audit/verify", headers=h).json()
    assert ok["ok"] is True and ok["first_bad_seq"] is None and ok["entries"] >= 6
    with transaction(app.state.accounts.engine) as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(actor="someone-else"))
    broken = client.get("/api/v1/audit/verify", headers=h).json()
    assert broken["ok"] is False and broken["first_bad_seq"] == 3 and "altered" in broken["problem"]
    assert broken["entries"] == 2
