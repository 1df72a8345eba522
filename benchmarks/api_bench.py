"""Load benchmark of the HTTP API: requests per second and latency percentiles, from a second process.

Starts ``huiqi serve`` (the real command, uvicorn, one worker) on a free loopback port with a throw-away
SQLite database, waits until it answers, then sends a fixed number of requests from this process with a
fixed number of concurrent keep-alive connections, and prints throughput and p50/p90/p99 latency.

    .venv/bin/python benchmarks/api_bench.py --requests 2000 --concurrency 8

Workloads (``--workload``): ``search``, the search endpoint over a fixed set of queries from the policy texts;
``calculate``, the calculator (``POST /api/v1/calculate``) over the example profiles in ``examples/`` with
near-misses (what the page asks for); ``calculate-brief``, the same without near-misses.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

# Queries a person would type, each occurring in the texts: single terms, two terms, one scoped to a document.
SEARCH_QUERIES = [
    {"q": "专精特新 奖励"},
    {"q": "研发费用"},
    {"q": "首台（套）"},
    {"q": "人才 住房"},
    {"q": "创新券"},
    {"q": "孵化器 补助"},
    {"q": "最高不超过", "limit": 20},
    {"q": "奖励", "doc": "002"},
]


def calculator_bodies(near_misses: bool) -> list[dict]:
    """One request per example profile, for the year the example is about (its latest year of facts)."""
    examples = Path(__file__).resolve().parents[1] / "examples"
    bodies = []
    for path in sorted(examples.glob("*.json")):
        profile = json.loads(path.read_text("utf-8"))
        year = max(int(y) for y in profile.get("years", {"2023": {}}))
        bodies.append({"profile": profile, "year": year, "near_misses": near_misses})
    return bodies


# name → (method, path, requests): a GET request is its query parameters, a POST request its JSON body.
WORKLOADS = {
    "search": ("GET", "/api/v1/search", SEARCH_QUERIES),
    "calculate": ("POST", "/api/v1/calculate", calculator_bodies(near_misses=True)),
    "calculate-brief": ("POST", "/api/v1/calculate", calculator_bodies(near_misses=False)),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, db: Path) -> subprocess.Popen:
    env = {**os.environ, "HUIQI_DATABASE_URL": f"sqlite:///{db}"}
    huiqi = Path(sys.executable).with_name("huiqi")
    cmd = [str(huiqi)] if huiqi.exists() else [sys.executable, "-m", "huiqi.cli"]
    return subprocess.Popen(
        [*cmd, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{base}/api/v1/documents", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server not ready after {timeout:.0f} s")


def run(
    base: str, method: str, path: str, params: list[dict], requests: int, concurrency: int
) -> tuple[list[float], float, int]:
    """Send ``requests`` requests over ``concurrency`` connections; latencies (s), wall time, errors."""
    jobs = itertools.cycle(params)
    lock = threading.Lock()
    left = [requests]
    latencies: list[float] = []
    errors = [0]

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while True:
                with lock:
                    if left[0] == 0:
                        return
                    left[0] -= 1
                    p = next(jobs)
                t0 = time.perf_counter()
                r = client.get(path, params=p) if method == "GET" else client.post(path, json=p)
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    if r.status_code != 200:
                        errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - t0, errors[0]


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="search")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=50, help="requests sent first and not counted")
    args = parser.parse_args()

    method, path, params = WORKLOADS[args.workload]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="huiqi-bench-") as tmp:
        proc = start_server(port, Path(tmp) / "huiqi.sqlite")
        try:
            wait_ready(base, proc)
            run(base, method, path, params, args.warmup, min(args.concurrency, args.warmup))
            latencies, wall, errors = run(base, method, path, params, args.requests, args.concurrency)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    ordered = sorted(latencies)
    ms = [x * 1000 for x in ordered]
    print(f"workload      {args.workload} ({method} {path}, {len(params)} distinct requests)")
    print(f"requests      {len(latencies)} ({errors} non-200), concurrency {args.concurrency}")
    print(f"throughput    {len(latencies) / wall:.1f} requests/s over {wall:.2f} s")
    print(
        f"latency (ms)  mean {statistics.fmean(ms):.1f}  p50 {percentile(ms, 50):.1f}  "
        f"p90 {percentile(ms, 90):.1f}  p99 {percentile(ms, 99):.1f}  max {ms[-1]:.1f}"
    )


if __name__ == "__main__":
    main()
