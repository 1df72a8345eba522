"""Accounts and login sessions in the project database, every change written to the audit log.

A login hands out a random bearer token (``secrets.token_urlsafe``); only its SHA-256 is stored, with an
expiry, so a copy of the database does not let anyone log in. The web pages carry the same token in an
HttpOnly cookie; the API takes it as ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from huiqi.auth.passwords import check_strength, hash_password, needs_rehash, verify_password
from huiqi.auth.roles import Principal, Role, check_unit
from huiqi.auth.tables import Account, LoginSession
from huiqi.redemption import audit
from huiqi.store import transaction

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,39}$")
# One working day: a security choice of this project, not a figure from any policy.
DEFAULT_SESSION_TTL = timedelta(hours=8)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the username does not exist, so a wrong username costs as long as a wrong
    password and the response time does not tell which usernames exist."""
    return hash_password("huiqi-no-such-account-0")


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why, in words a user can act on."""


class NotFound(AccountError):
    """No account of that name."""


@dataclass(frozen=True, slots=True)
class AccountView:
    """What may be shown about an account: everything but its password hash."""

    username: str
    display_name: str
    role: Role
    unit: str | None
    active: bool
    created_at: datetime

    @property
    def principal(self) -> Principal:
        return Principal(self.username, self.role, self.unit)


@dataclass(frozen=True, slots=True)
class Login:
    """A successful login: the bearer token (shown once) and when it stops working."""

    token: str
    expires_at: datetime
    account: AccountView


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for DateTime(timezone=True); they were written as UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _view(row: Account) -> AccountView:
    return AccountView(
        row.username, row.display_name, Role(row.role), row.unit, row.active, _utc(row.created_at)
    )


def _check_username(username: str) -> str:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("用户名须为 3–40 个小写字母、数字或 _ . -，并以字母或数字开头")
    return username


class AccountStore:
    """Accounts and sessions over an Engine whose schema is at head (``huiqi.store.open_engine``)."""

    def __init__(self, engine: Engine, session_ttl: timedelta = DEFAULT_SESSION_TTL) -> None:
        self.engine = engine
        self.session_ttl = session_ttl

    # --- reading -------------------------------------------------------------------------------------

    def list(self) -> list[AccountView]:
        with transaction(self.engine) as s:
            return [_view(a) for a in s.execute(select(Account).order_by(Account.username)).scalars()]

    def get(self, username: str) -> AccountView:
        with transaction(self.engine) as s:
            return _view(self._row(s, username))

    @staticmethod
    def _row(s: Session, username: str) -> Account:
        row = s.execute(
            select(Account).where(Account.username == username.strip().lower())
        ).scalar_one_or_none()
        if row is None:
            raise NotFound(f"没有用户名为 {username!r} 的账号")
        return row

    # --- changing (each change and its audit entry commit together) ----------------------------------

    def create(
        self,
        actor: str,
        username: str,
        password: str,
        role: Role,
        unit: str | None = None,
        display_name: str = "",
    ) -> AccountView:
        """A new active account. ``actor`` is the admin creating it (or ``"cli"`` for the first admin)."""
        username = _check_username(username)
        try:
            unit = check_unit(role, unit)
            check_strength(password)
        except ValueError as exc:
            raise AccountError(str(exc)) from exc
        display_name = display_name.strip() or username
        if len(display_name) > 100:
            raise AccountError("显示名称最多 100 个字符")
        with transaction(self.engine) as s:
            if s.execute(select(Account.id).where(Account.username == username)).first():
                raise AccountError(f"用户名 {username!r} 已被使用，请换一个")
            row = Account(
                username=username,
                display_name=display_name,
                role=role.value,
                unit=unit,
                password_hash=hash_password(password),
                active=True,
                created_at=_now(),
            )
            s.add(row)
            s.flush()
            audit.append(
                s, actor, "account.create", f"account:{username}", {"role": role.value, "unit": unit}
            )
            return _view(row)

    def update(
        self,
        actor: str,
        username: str,
        *,
        role: Role | None = None,
        unit: str | None = None,
        active: bool | None = None,
        display_name: str | None = None,
    ) -> AccountView:
        """Change role/unit, display name or active flag. Disabling an account ends its sessions."""
        with transaction(self.engine) as s:
            row = self._row(s, username)
            changes: dict[str, object] = {}
            role_changes = role is not None and role.value != row.role
            if role_changes or unit is not None:
                new_role = role if role is not None else Role(row.role)
                # A new role takes the unit given with it (none for finance, auditor, admin): an official's
                # department must not stick to the account when it becomes an enterprise user.
                try:
                    new_unit = check_unit(new_role, unit)
                except ValueError as exc:
                    raise AccountError(str(exc)) from exc
                if new_role.value != row.role:
                    changes["role"] = [row.role, new_role.value]
                    row.role = new_role.value
                if new_unit != row.unit:
                    changes["unit"] = [row.unit, new_unit]
                    row.unit = new_unit
            if display_name is not None and display_name.strip() != row.display_name:
                if not display_name.strip() or len(display_name) > 100:
                    raise AccountError("显示名称须为 1–100 个字符")
                changes["display_name"] = [row.display_name, display_name.strip()]
                row.display_name = display_name.strip()
            if active is not None and active != row.active:
                if not active and row.username == actor:
                    raise AccountError("不能停用自己正在使用的账号")
                changes["active"] = [row.active, active]
                row.active = active
            if changes.get("role") or changes.get("unit") or active is False:
                # A changed role or a disabled account must not keep acting through old tokens.
                s.execute(delete(LoginSession).where(LoginSession.account_id == row.id))
            if changes:
                audit.append(s, actor, "account.update", f"account:{row.username}", changes)
            return _view(row)

    def set_password(
        self, actor: str, username: str, new_password: str, old_password: str | None = None
    ) -> None:
        """Set a new password; a user changing their own gives ``old_password``. Ends all sessions."""
        try:
            check_strength(new_password)
        except ValueError as exc:
            raise AccountError(str(exc)) from exc
        with transaction(self.engine) as s:
            row = self._row(s, username)
            if old_password is not None and not verify_password(row.password_hash, old_password):
                raise AccountError("原密码不正确")
            row.password_hash = hash_password(new_password)
            s.execute(delete(LoginSession).where(LoginSession.account_id == row.id))
            # The audit entry says that the password changed and by whom, never the password or its hash.
            audit.append(s, actor, "account.password", f"account:{row.username}", {})

    # --- sessions ------------------------------------------------------------------------------------

    def login(self, username: str, password: str) -> Login | None:
        """A new session for the right password of an active account; None otherwise (no reason given)."""
        with transaction(self.engine) as s:
            row = s.execute(
                select(Account).where(Account.username == username.strip().lower())
            ).scalar_one_or_none()
            if row is None:
                verify_password(_dummy_hash(), password)
                return None
            if not verify_password(row.password_hash, password) or not row.active:
                return None
            if needs_rehash(row.password_hash):
                row.password_hash = hash_password(password)
            token = secrets.token_urlsafe(32)
            now = _now()
            expires = now + self.session_ttl
            s.add(
                LoginSession(
                    token_hash=_token_hash(token), account_id=row.id, created_at=now, expires_at=expires
                )
            )
            # Expired sessions of this account are cleared here, so the table does not grow without end.
            s.execute(
                delete(LoginSession).where(LoginSession.account_id == row.id, LoginSession.expires_at < now)
            )
            audit.append(s, row.username, "session.login", f"account:{row.username}", {})
            return Login(token, expires, _view(row))

    def principal(self, token: str) -> Principal | None:
        """The account behind a token that exists, has not expired and belongs to an active account."""
        if not token or len(token) > 200:
            return None
        with transaction(self.engine) as s:
            found = s.execute(
                select(LoginSession, Account)
                .join(Account, Account.id == LoginSession.account_id)
                .where(LoginSession.token_hash == _token_hash(token))
            ).first()
            if found is None:
                return None
            sess, row = found
            if _utc(sess.expires_at) <= _now() or not row.active:
                return None
            return Principal(row.username, Role(row.role), row.unit)

    def logout(self, token: str) -> None:
        """End the session of ``token`` (nothing happens for an unknown token)."""
        with transaction(self.engine) as s:
            s.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
