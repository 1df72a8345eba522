"""Timing of the redemption workflow over HTTP on a seeded registry of N enterprises, step by step.

Builds a throw-away SQLite database with ``huiqi.redemption.demo_data`` (N enterprises, 002's budget), then
drives the API in-process (FastAPI's test client, no network) as the accounts of each role: start the run of
``002/六/专精特新`` (区经信局), read it (the first page of lines, and every line), publish the 公示, read the
list and the xlsx, approve every line, pay, pay again, list the payments. Prints the wall time of each request
and its answer's size; the run's own CPU cost is the engine's (``docs/redemption.md``).

    .venv/bin/python benchmarks/runs_api_bench.py --enterprises 2000
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from huiqi.api import Settings, create_app
from huiqi.auth.roles import Role
from huiqi.redemption import budget
from huiqi.redemption.demo_data import write
from huiqi.registry.importing import import_files
from huiqi.store.db import transaction

TARGET = "002/六/专精特新"
# 002 一 (the special fund's yearly line), the budget's citation as the redemption tests give it.
BUDGET_QUOTE = "每年安排专项资金不少于3亿元"
RUN_DAY, AFTER_WINDOW = date(2024, 3, 1), date(2024, 3, 8)


class Clock:
    day = RUN_DAY


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="huiqi-runs-bench-") as tmp:
        folder = Path(tmp)
        clock = Clock()
        app = create_app(Settings(database_url=f"sqlite:///{folder / 'db.sqlite'}", today=lambda: clock.day))
        engine = app.state.accounts.engine
        files = {p.stem: p for p in write(folder / "registry", n=args.enterprises, seed=2023)}
        started = time.perf_counter()
        with transaction(engine) as s:
            import_files(s, [files["entities"], files["yearly"], files["events"]], actor="登记员")
            budget.set_budget(s, "002", 2023, 300_000_000 * 100, BUDGET_QUOTE, "财政局")
        print(f"registry import of {args.enterprises} enterprises: {time.perf_counter() - started:.1f} s")
        accounts = {"maker": ("区经信局",), "checker": ("区经信局",), "finance": (None,)}
        for name, (unit,) in accounts.items():
            role = Role.FINANCE if name == "finance" else Role.OFFICIAL
            app.state.accounts.create("cli", name, "bench-password-1", role, unit)
        client = TestClient(app)
        headers = {}
        for name in accounts:
            r = client.post("/api/v1/auth/login", json={"username": name, "password": "bench-password-1"})
            headers[name] = {"Authorization": f"Bearer {r.json()['token']}"}

        def timed(label: str, method: str, url: str, who: str, **kw) -> dict | None:
            t = time.perf_counter()
            r = client.request(method, url, headers=headers[who], **kw)
            ms = (time.perf_counter() - t) * 1000
            assert r.status_code < 300, (label, r.status_code, r.text[:300])
            print(f"{label:<42} {ms:>9.0f} ms  {len(r.content) / 1024:>8.0f} KB")
            return r.json() if r.headers["content-type"].startswith("application/json") else None

        run = timed(
            "POST /runs (start)", "POST", "/api/v1/runs", "maker", json={"target": TARGET, "year": 2023}
        )
        assert run is not None
        rid, lines = run["id"], run["lines"]
        print(f"  {lines} lines, {run['totals']['listed']['display']}")
        timed("GET /runs/{id} (first 200 lines)", "GET", f"/api/v1/runs/{rid}", "checker")
        timed("GET /runs/{id}?limit=1000", "GET", f"/api/v1/runs/{rid}?limit=1000", "checker")
        timed("GET /runs", "GET", "/api/v1/runs", "finance")
        timed(
            "POST /runs/{id}/notice", "POST", f"/api/v1/runs/{rid}/notice", "maker", json={"working_days": 5}
        )
        timed("GET /runs/{id}/notice", "GET", f"/api/v1/runs/{rid}/notice", "checker")
        timed("GET /runs/{id}/notice.xlsx", "GET", f"/api/v1/runs/{rid}/notice.xlsx", "checker")
        clock.day = AFTER_WINDOW
        body = {"approve": True, "reason": "公示期满无异议"}
        timed(
            "POST /runs/{id}/decisions (all lines)",
            "POST",
            f"/api/v1/runs/{rid}/decisions",
            "checker",
            json=body,
        )
        paid = timed("POST /runs/{id}/payments", "POST", f"/api/v1/runs/{rid}/payments", "finance")
        assert paid is not None
        print(f"  placed {paid['placed']}, posted {paid['posted']}, refused {len(paid['refused'])}")
        again = timed("POST /runs/{id}/payments (again)", "POST", f"/api/v1/runs/{rid}/payments", "finance")
        assert again is not None and again["placed"] == 0
        timed("GET /payments", "GET", "/api/v1/payments", "finance")
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
