"""`huiqi demo` is README.md's first command: it must run end to end on the embedded defaults."""

from __future__ import annotations

from typer.testing import CliRunner

from huiqi.cli.app import app


def test_demo_runs_every_step_on_a_fresh_folder(tmp_path, monkeypatch):
    # The demo points HUIQI_DATABASE_URL at its own SQLite file; monkeypatch restores it afterwards.
    monkeypatch.setenv("HUIQI_DATABASE_URL", "sqlite:///unused")
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--size", "2000"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "demo finished" in out
    # The calculation's trace: paid 20万元 in 2022 as 省级专精特新, 小巨人 in 2023 → 100 − 20 = 80万元
    # (002/六 with 002/十六's 补足差额).
    assert "同一对象已兑现20万元，补足差额80万元" in out
    # Maker-checker: the preparer's own approval is refused; the second payment run pays nothing.
    assert "cannot decide on it" in out and "refused, as it must be" in out
    assert "placed 0 (already 8)" in out
    assert "audit log intact" in out
    for name in ("notice-1.xlsx", "notice-1.csv", "notice-1.html"):
        assert (tmp_path / "notice" / name).is_file()
