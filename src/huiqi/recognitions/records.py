"""Reading the recognitions back: one record per recognition (its steps and yearly results), and
its standing in a year (holds / suspended / upgraded / revoked / expired / not yet granted)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.recognitions.lifecycle import evaluations, in_force_in, last_day
from huiqi.recognitions.schemes import scheme
from huiqi.store.models import Entity
from huiqi.store.models_recognitions import Recognition, RecognitionEvaluation


@dataclass(slots=True)
class Record:
    entity_key: str
    entity_name: str
    scheme: str
    ref: str
    steps: list[Recognition]
    evaluations: list[RecognitionEvaluation]

    def standing(self, year: int) -> str:
        """How the recognition stands in ``year``: the tier that holds, or why none does."""
        held = [st for st in self.steps if in_force_in(st, year)]
        if any(e.year == year and e.effect != "none" for e in self.evaluations):
            return f"suspended ({held[-1].tier})" if held else "suspended"
        if held:
            return held[-1].tier
        last = self.steps[-1]
        if last.granted_on > date(year, 12, 31):
            return "not yet granted"
        if last.end_reason is not None:
            return last.end_reason
        return "expired"

    def to_json(self, year: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "entity": self.entity_key,
            "name": self.entity_name,
            "scheme": self.scheme,
            "ref": self.ref,
            "steps": [
                {
                    "tier": st.tier,
                    "granted_on": st.granted_on.isoformat(),
                    "issuer": st.issuer,
                    "valid_until": st.valid_until.isoformat() if st.valid_until else None,
                    "last_day": d.isoformat() if (d := last_day(st)) else None,
                    "end_reason": st.end_reason,
                    "end_citation": st.end_citation,
                    **({"attributes": st.attributes} if st.attributes else {}),
                }
                for st in self.steps
            ],
            "evaluations": [
                {
                    "year": e.year,
                    "result": e.result,
                    "evaluated_on": e.evaluated_on.isoformat(),
                    "effect": e.effect,
                    "citation": e.citation,
                }
                for e in self.evaluations
            ],
        }
        if year is not None:
            out["standing"] = {"year": year, "status": self.standing(year)}
        return out


def records(session: Session, entity_key: str | None = None, scheme_name: str | None = None) -> list[Record]:
    """Every recognition (of one entity, of one scheme), ordered by entity, scheme, ref."""
    if scheme_name is not None:
        scheme(scheme_name)  # an unknown scheme is a KeyError naming the known ones
    query = select(Recognition, Entity).join(Entity, Entity.id == Recognition.entity_id)
    if entity_key is not None:
        query = query.where(Entity.key == entity_key)
    if scheme_name is not None:
        query = query.where(Recognition.scheme == scheme_name)
    steps: dict[tuple[str, str, str], list[Recognition]] = defaultdict(list)
    names: dict[tuple[str, str, str], tuple[int, str]] = {}
    for step, entity in session.execute(query).all():
        key = (entity.key, step.scheme, step.ref)
        steps[key].append(step)
        names[key] = (entity.id, entity.name)
    out = []
    for key in sorted(steps):
        entity_key_, scheme_, ref = key
        entity_id, name = names[key]
        s = scheme(scheme_)
        ordered = sorted(steps[key], key=lambda st: s.rank(st.tier))
        out.append(
            Record(entity_key_, name, scheme_, ref, ordered, evaluations(session, entity_id, scheme_, ref))
        )
    return out
