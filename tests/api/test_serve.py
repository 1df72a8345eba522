"""``huiqi serve`` starts the real server; ``huiqi account-add`` creates the first admin."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from huiqi.cli import app


def test_account_add_creates_an_admin_who_can_log_in(tmp_path, monkeypatch):
    monkeypatch.setenv("HUIQI_DATABASE_URL", f"sqlite:///{tmp_path / 'huiqi.sqlite'}")
    runner = CliRunner()
    result = runner.invoke(
        app, ["account-add", "boss", "--role", "admin"], input="boss-password-1\nboss-password-1\n"
    )
    assert result.exit_code == 0, result.output
    assert "created boss (admin)" in result.output

    from huiqi.auth.accounts import AccountStore
    from huiqi.store import open_engine

    assert AccountStore(open_engine()).login("boss", "boss-password-1") is not None


def test_account_add_refuses_a_bad_role_and_a_weak_password(tmp_path, monkeypatch):
    monkeypatch.setenv("HUIQI_DATABASE_URL", f"sqlite:///{tmp_path / 'huiqi.sqlite'}")
    runner = CliRunner()
    bad_role = runner.invoke(
        app, ["account-add", "boss", "--role", "king"], input="boss-password-1\nboss-password-1\n"
    )
    assert bad_role.exit_code == 2 and "unknown role 'king'" in bad_role.output
    weak = runner.invoke(app, ["account-add", "boss", "--role", "admin"], input="short\nshort\n")
    assert weak.exit_code == 2 and "至少 10 个字符" in weak.output


def test_huiqi_serve_answers_on_the_given_port(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HUIQI_DATABASE_URL": f"sqlite:///{tmp_path / 'huiqi.sqlite'}"}
    huiqi = Path(sys.executable).with_name("huiqi")
    proc = subprocess.Popen(
        [str(huiqi), "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "huiqi serve did not answer within 60 s"
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["info"]["title"] == "huiqi 惠企"
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
        assert page.status_code == 200 and "政策库" in page.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
