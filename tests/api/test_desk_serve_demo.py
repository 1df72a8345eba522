"""``huiqi serve --demo`` seeds a fresh temporary database, prints an account of every role with its password,
and serves it; here uvicorn is replaced so that no port is bound: the stand-in logs in with each printed
account on the app it was handed, while it is "serving"."""

from __future__ import annotations

import re
import sys
import warnings

from typer.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from huiqi.cli import app as cli


def test_serve_demo_prints_working_accounts_and_serves_the_seeded_app(monkeypatch, tmp_path):
    import tempfile

    import uvicorn

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the demo's temporary folder goes here
    monkeypatch.setenv("HUIQI_DATABASE_URL", f"sqlite:///{tmp_path / 'mine.sqlite'}")  # must stay untouched
    monkeypatch.setenv("COLUMNS", "200")  # the accounts table: one line per account
    seen: dict[str, int] = {}

    def serving(application, host: str, port: int, **_: object) -> None:
        assert port == 8123 and len(list(tmp_path.glob("huiqi-serve-demo-*/demo.sqlite"))) == 1
        sys.stdout.flush()  # CliRunner's stdout: what the command printed so far
        printed = sys.stdout.buffer.getvalue().decode()
        accounts = dict(re.findall(r"│ (\w+)\s+│ (demo-[0-9a-f]{10})\s+│", printed))
        client = TestClient(application)
        for username, password in accounts.items():
            r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
            assert r.status_code == 200, username
            desk = client.get("/api/v1/desk", headers={"Authorization": f"Bearer {r.json()['token']}"})
            seen[username] = len(desk.json()["links"])
        application.state.accounts.engine.dispose()

    monkeypatch.setattr(uvicorn, "run", serving)
    result = CliRunner().invoke(cli, ["serve", "--demo", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert set(seen) == {"admin", "kejiju", "jingxinju", "caizheng", "shenji", "qiye01"}
    assert all(n > 0 for n in seen.values()), seen
    assert not (tmp_path / "mine.sqlite").exists()
    assert not list(tmp_path.glob("huiqi-serve-demo-*"))  # removed when the server stopped
