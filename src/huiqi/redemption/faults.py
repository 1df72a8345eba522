"""Fault injection for the crash tests: die with SIGKILL at a named point, like a power cut.

``HUIQI_CRASH_AT="<point>:<n>"`` makes the process kill itself the n-th time it passes ``point``
(e.g. ``order.before_commit:3``). Unset — the normal case — it costs one dictionary lookup. The
points sit where a crash is most dangerous: after the writes of a step and before its commit, and
between two steps. The tests also kill from outside at random moments; both must leave a ledger
that a re-run completes without paying anything twice.
"""

from __future__ import annotations

import os
import signal

_hits: dict[str, int] = {}


def crash_point(point: str) -> None:
    spec = os.environ.get("HUIQI_CRASH_AT")
    if not spec:
        return
    name, _, count = spec.rpartition(":")
    if name != point:
        return
    _hits[point] = _hits.get(point, 0) + 1
    if _hits[point] == int(count):
        os.kill(os.getpid(), signal.SIGKILL)
