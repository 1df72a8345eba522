"""`huiqi demo` is README.md's first command: it must run end to end on the embedded defaults."""

from __future__ import annotations

from typer.testing import CliRunner

from huiqi.cli.app import app


def test_demo_runs_every_step_on_a_fresh_folder(tmp_path, monkeypatch):
    # The demo points HUIQI_DATABASE_URL at its own SQLite file; monkeypatch restores it afterwards.
    monkeypatch.setenv("HUIQI_DATABASE_URL", "sqlite:///unused")
    # The default size (20,000, seed 1): about 40 s, the smallest population with a 2023 notice list.
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    out = result.output
    flat = " ".join(out.split())  # rich wraps long lines at the console width
    assert "demo finished" in out
    # The calculation's trace: paid 20万元 in 2022 as 省级专精特新, 小巨人 in 2023 → 100 − 20 = 80万元
    # (002/六 with 002/十六's 补足差额).
    assert "同一对象已兑现20万元，补足差额80万元" in out
    # The registry holds the whole synthetic population, imported through the registry's validation:
    # 20,000 enterprises, 1,938 talents and 43 carriers present in 2022–2023.
    assert "entities │ 21981 │ 0 │ 0 │" in flat
    # 002 for 2023 on that population: only 002/六 专精特新 can pay a synthetic enterprise; seed 1 has
    # 11 省级专精特新中小企业 (20万元) and 2 专精特新小巨人 (100万元) recognised in 2023: 220 + 200.
    assert "21981 entities evaluated, 13 lines (0 discretionary, 0 excluded), total 420万元" in flat
    assert "objection 1 against run 1 line 2: pending" in flat and "objection 1: kept" in flat
    # Maker-checker: the preparer's own approval is refused; the second payment run pays nothing.
    assert "cannot decide on it" in out and "refused, as it must be" in out
    assert "run 1: 13 lines approved by 李复核, 420万元" in flat
    assert "run 1: placed 13 (already 0), posted 13 (already 0), refused 0" in flat
    assert "run 1: placed 0 (already 13), posted 0 (already 13), refused 0" in flat
    assert "audit log intact" in out
    for name in ("notice-1.xlsx", "notice-1.csv", "notice-1.html"):
        assert (tmp_path / "notice" / name).is_file()


def test_the_demo_refuses_a_population_too_small_for_a_notice_list(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--size", "2000"])
    assert result.exit_code != 0 and "20000" in result.output.replace(",", "")
