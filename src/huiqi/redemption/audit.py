"""The append-only audit log (审计日志), hash-chained.

Each entry's hash is SHA-256 over the canonical JSON of its own content *and* the previous entry's
hash; the first entry chains to the genesis hash (64 zeros). Editing an entry changes its hash,
deleting one breaks the sequence and the next entry's link, swapping two breaks both links —
``verify`` walks the chain and names the first entry that does not hold.

An entry is written in the same transaction as the change it records, so a change without its
audit entry (or the reverse) cannot be committed. Appending locks the single ``audit_head`` row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite has one writer at a time anyway), so two concurrent
writers can never both chain onto the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.store.models import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 characters kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(seq: int, at: str, actor: str, action: str, subject: str, payload: str, prev_hash: str) -> str:
    """SHA-256 (hex) of an entry's content and its predecessor's hash."""
    content = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "subject": subject,
        "payload": payload,
        "prev": prev_hash,
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def append(session: Session, actor: str, action: str, subject: str, payload: dict[str, Any]) -> AuditEntry:
    """Append one entry inside the caller's transaction and move the head."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    seq = head.seq + 1
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    body = canonical_json(payload)
    digest = entry_hash(seq, at, actor, action, subject, body, head.hash)
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        payload=body,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(entry)
    head.seq = seq
    head.hash = digest
    session.flush()
    return entry


@dataclass(frozen=True, slots=True)
class Verdict:
    """The result of ``verify``: ok, or the first entry that breaks the chain and why."""

    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(session: Session) -> Verdict:
    """Walk the whole chain in sequence order; report the first break (edit, deletion, reordering)."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
        if entry.seq != expected_seq:
            return Verdict(
                False, count, expected_seq, f"entry {expected_seq} is missing (deleted?); next is {entry.seq}"
            )
        if entry.prev_hash != expected_prev:
            return Verdict(
                False, count, entry.seq, f"entry {entry.seq} does not link to entry {entry.seq - 1}"
            )
        digest = entry_hash(
            entry.seq, entry.at, entry.actor, entry.action, entry.subject, entry.payload, entry.prev_hash
        )
        if digest != entry.hash:
            return Verdict(
                False, count, entry.seq, f"entry {entry.seq} was altered: its content does not match its hash"
            )
        expected_prev = entry.hash
        expected_seq += 1
        count += 1
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    if head.seq != count or head.hash != expected_prev:
        return Verdict(
            False,
            count,
            count + 1 if head.seq > count else head.seq,
            f"the log ends at entry {count} but its head records entry {head.seq} "
            "(entries deleted at the end?)",
        )
    return Verdict(True, count)
