"""Finding a registered entity by its natural key (credit code, or the registry id)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.store.models import Entity


class UnknownEntity(LookupError):
    """No entity (or more than one) has the key asked for."""


def find_entity(session: Session, key: str, kind: str | None = None) -> Entity:
    """The entity with natural key ``key`` (and ``kind`` when the key alone is ambiguous)."""
    query = select(Entity).where(Entity.key == key)
    if kind is not None:
        query = query.where(Entity.kind == kind)
    found = list(session.execute(query).scalars())
    if not found:
        raise UnknownEntity(f"no {kind or 'entity'} with key {key} in the registry")
    if len(found) > 1:
        kinds = ", ".join(sorted(e.kind for e in found))
        raise UnknownEntity(f"key {key} names several entities ({kinds}); say which kind")
    return found[0]
