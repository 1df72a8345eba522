"""Password hashing with argon2id (argon2-cffi's defaults, which follow RFC 9106's recommendation)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_LENGTH = 10
MAX_LENGTH = 256  # argon2 takes any length; a bound keeps a hostile request from costing much


def check_strength(password: str) -> None:
    """``ValueError`` with the reason when a new password is too weak to accept."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"密码至少 {MIN_LENGTH} 个字符")
    if len(password) > MAX_LENGTH:
        raise ValueError(f"密码最多 {MAX_LENGTH} 个字符")
    if password.isdigit() or password.isalpha():
        raise ValueError("密码不能只含数字或只含字母")


def hash_password(password: str) -> str:
    """The argon2id hash string (salt and parameters included) to store."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches; False for a wrong password or a corrupt hash, never an exception."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's: rehash at the next login."""
    return _hasher.check_needs_rehash(stored_hash)
