"""What a running server is configured with; ``create_app(Settings())`` gives the embedded defaults."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from huiqi.auth.accounts import DEFAULT_SESSION_TTL

# The policies are Hangzhou's: "today" (for which documents are in force) is a day in China Standard Time.
CHINA = ZoneInfo("Asia/Shanghai")


def today_in_china() -> date:
    return datetime.now(CHINA).date()


@dataclass(frozen=True, slots=True)
class Settings:
    """Server settings.

    ``database_url`` None means ``huiqi.store.database_url()`` (``HUIQI_DATABASE_URL`` or the embedded SQLite
    file). ``secure_cookies`` must be True when the server is reached over HTTPS (the session cookie is then
    never sent in clear). ``today`` is injectable so tests can fix the date validity is judged on.
    """

    database_url: str | None = None
    session_ttl: timedelta = DEFAULT_SESSION_TTL
    secure_cookies: bool = False
    today: Callable[[], date] = field(default=today_in_china)
