"""Login hardening: repeated failures lock the username (5 in 15 minutes) or the client address (20), answered
429 with Retry-After, on the JSON login and on the login form alike; the lockout ends on its own."""

from __future__ import annotations

import pytest

from huiqi.api.security import LoginLimiter

PASSWORD = "test-password-1"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app):
    """A fresh limiter with the default limits on a hand-moved clock, for each test."""
    c = Clock()
    saved = app.state.login_limiter
    app.state.login_limiter = LoginLimiter(clock=c)
    yield c
    app.state.login_limiter = saved


def _login(client, username: str, password: str):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_five_failures_lock_the_username_even_for_the_right_password(client, clock):
    for _ in range(5):
        assert _login(client, "kejiju", "wrong-password-1").status_code == 401
    locked = _login(client, "kejiju", PASSWORD)
    assert locked.status_code == 429 and locked.json()["code"] == "too_many_requests"
    assert locked.headers["retry-after"] == "900" and "15 分钟" in locked.json()["detail"]
    # Another account from the same client is not locked (5 failures are below the client's 20).
    assert _login(client, "finance", PASSWORD).status_code == 200
    clock.now += 600
    assert (
        _login(client, "KeJiJu ", PASSWORD).headers["retry-after"] == "300"
    )  # the name as the store reads it
    clock.now += 300
    assert _login(client, "kejiju", PASSWORD).status_code == 200


def test_failures_outside_the_window_do_not_add_up_and_a_success_resets(client, clock):
    for _ in range(4):
        assert _login(client, "audit", "wrong-password-1").status_code == 401
    clock.now += 15 * 60 + 1  # the four fall out of the window
    for _ in range(4):
        assert _login(client, "audit", "wrong-password-1").status_code == 401
    assert _login(client, "audit", PASSWORD).status_code == 200  # … and a success clears the count
    for _ in range(4):
        assert _login(client, "audit", "wrong-password-1").status_code == 401
    assert _login(client, "audit", PASSWORD).status_code == 200


def test_twenty_failures_from_one_client_lock_the_client(client, clock):
    for n in range(20):
        assert _login(client, f"nobody-{n}", "wrong-password-1").status_code == 401
    r = _login(client, "firm-a", PASSWORD)
    assert r.status_code == 429 and int(r.headers["retry-after"]) == 900
    clock.now += 901
    assert _login(client, "firm-a", PASSWORD).status_code == 200


def test_the_login_form_is_locked_too_and_shows_the_wait(client, clock):
    client.get("/login")
    token = client.cookies.get("huiqi_csrf")
    form = {"username": "firm-b", "password": "wrong-password-1", "csrf_token": token}
    for _ in range(5):
        assert client.post("/login", data=form).status_code == 401
    r = client.post("/login", data={**form, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 429 and r.headers["retry-after"] == "900"
    assert "登录失败次数过多" in r.text and 'name="password"' in r.text
    assert "huiqi_session" not in r.headers.get("set-cookie", "")


def test_the_limiter_forgets_old_counters_past_its_memory_bound():
    c = Clock()
    limiter = LoginLimiter(clock=c, max_keys=10)
    for n in range(10):
        limiter.failed(f"user-{n}", "10.0.0.1")
    c.now += 15 * 60 + 1
    limiter.failed("user-new", "10.0.0.2")
    assert len(limiter._failures) == 2  # the old, expired counters were dropped; the new ones kept
