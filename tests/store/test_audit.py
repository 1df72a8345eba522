"""The hash-chained audit log: `verify` names the first entry edited, deleted or moved."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from huiqi.redemption import audit
from huiqi.store.db import transaction


@pytest.fixture
def five(engine):
    for i in range(1, 6):
        with transaction(engine) as s:
            audit.append(
                s, "official", "budget.set", f"budget:L{i}:2023", {"amount_fen": i * 100, "note": "预算"}
            )
    with transaction(engine) as s:
        assert audit.verify(s) == audit.Verdict(True, 5)
    return engine


def verdict(engine) -> audit.Verdict:
    with transaction(engine) as s:
        return audit.verify(s)


def test_each_entry_chains_to_the_previous_one(five):
    with transaction(five) as s:
        rows = s.execute(text("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq")).all()
    assert rows[0].prev_hash == audit.GENESIS_HASH
    assert all(rows[i].prev_hash == rows[i - 1].hash for i in range(1, 5))


def test_an_edited_payload_is_caught(five):
    with transaction(five) as s:
        s.execute(text("UPDATE audit_log SET payload = :p WHERE seq = 3"), {"p": '{"amount_fen":999999}'})
    v = verdict(five)
    assert (v.ok, v.first_bad_seq) == (False, 3) and "altered" in v.problem


def test_an_edit_that_also_recomputes_its_own_hash_breaks_the_next_link(five):
    with transaction(five) as s:
        row = s.execute(text("SELECT * FROM audit_log WHERE seq = 2")).mappings().one()
        forged = audit.entry_hash(
            2, row["at"], "mallory", row["action"], row["subject"], row["payload"], row["prev_hash"]
        )
        s.execute(text("UPDATE audit_log SET actor = 'mallory', hash = :h WHERE seq = 2"), {"h": forged})
    v = verdict(five)
    assert (v.ok, v.first_bad_seq) == (False, 3) and "does not link" in v.problem


def test_a_deleted_entry_is_caught(five):
    with transaction(five) as s:
        s.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    v = verdict(five)
    assert (v.ok, v.first_bad_seq) == (False, 2) and "missing" in v.problem


def test_a_deleted_last_entry_is_caught_by_the_head(five):
    with transaction(five) as s:
        s.execute(text("DELETE FROM audit_log WHERE seq = 5"))
    v = verdict(five)
    assert (v.ok, v.first_bad_seq) == (False, 5) and "head" in v.problem


def test_a_swapped_pair_is_caught(five):
    # Exchange the contents of entries 2 and 3 (keeping each row's place): the order is part of the hash.
    with transaction(five) as s:
        s.execute(text("UPDATE audit_log SET seq = -2 WHERE seq = 2"))
        s.execute(text("UPDATE audit_log SET seq = 2 WHERE seq = 3"))
        s.execute(text("UPDATE audit_log SET seq = 3 WHERE seq = -2"))
    v = verdict(five)
    assert (v.ok, v.first_bad_seq) == (False, 2)


def test_cli_audit_verify_exit_codes(five, db_url, monkeypatch):
    from huiqi.cli.app import app

    monkeypatch.setenv("HUIQI_DATABASE_URL", db_url)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "intact: 5 entries" in ok.output
    with transaction(five) as s:
        s.execute(text("UPDATE audit_log SET subject = 'x' WHERE seq = 4"))
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1 and "entry 4" in bad.output


def test_canonical_json_is_stable():
    assert audit.canonical_json({"b": 1, "a": "滨江"}) == '{"a":"滨江","b":1}'
