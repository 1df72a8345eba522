"""A recognition's lifecycle: granted, upgraded (a higher tier, the lower step ends that day), evaluated
each year (a failing result suspends that year or, repeated, revokes), revoked, expired.

Every change appends an audit entry in the caller's transaction. A rule the input breaks raises
``LifecycleError`` naming the field at fault, so that an import can report it by file, row and field.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.recognitions.schemes import Scheme, scheme
from huiqi.redemption import audit
from huiqi.redemption.audit import canonical_json
from huiqi.store.models import Entity
from huiqi.store.models_recognitions import Recognition, RecognitionEvaluation


class LifecycleError(ValueError):
    """A change the recognition's rules refuse; ``field`` names the input field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# --- time -----------------------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def default_valid_until(s: Scheme, granted_on: date) -> date | None:
    """The last day of the term the text gives (培育期3年: granted 2021-05-10 → 2024-05-09), else None."""
    if s.term_years is None:
        return None
    return add_years(granted_on, s.term_years) - timedelta(days=1)


def last_day(step: Recognition) -> date | None:
    """The last day the step holds: the day before it ended, its valid_until, or None (open)."""
    ends = [d for d in (step.valid_until, step.ended_on and step.ended_on - timedelta(days=1)) if d]
    return min(ends) if ends else None


def in_force_on(step: Recognition, day: date) -> bool:
    end = last_day(step)
    return step.granted_on <= day and (end is None or day <= end)


def in_force_in(step: Recognition, year: int) -> bool:
    """The step holds on at least one day of ``year``."""
    end = last_day(step)
    return step.granted_on <= date(year, 12, 31) and (end is None or end >= date(year, 1, 1))


# --- reading --------------------------------------------------------------------------------------


def chain(session: Session, entity_id: int, scheme_name: str, ref: str) -> list[Recognition]:
    """The steps of one recognition, lowest tier first."""
    steps = session.execute(
        select(Recognition).where(
            Recognition.entity_id == entity_id, Recognition.scheme == scheme_name, Recognition.ref == ref
        )
    ).scalars()
    s = scheme(scheme_name)
    return sorted(steps, key=lambda r: s.rank(r.tier))


def evaluations(session: Session, entity_id: int, scheme_name: str, ref: str) -> list[RecognitionEvaluation]:
    return list(
        session.execute(
            select(RecognitionEvaluation)
            .where(
                RecognitionEvaluation.entity_id == entity_id,
                RecognitionEvaluation.scheme == scheme_name,
                RecognitionEvaluation.ref == ref,
            )
            .order_by(RecognitionEvaluation.year)
        ).scalars()
    )


def _subject(entity: Entity, scheme_name: str, ref: str) -> str:
    return f"recognition:{entity.key}:{scheme_name}:{ref}"


def _content_hash(step: Recognition) -> str:
    body = {
        "granted_on": step.granted_on.isoformat(),
        "issuer": step.issuer,
        "valid_until": step.valid_until.isoformat() if step.valid_until else None,
        "attributes": step.attributes or {},
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _step_payload(step: Recognition) -> dict[str, Any]:
    return {
        "tier": step.tier,
        "granted_on": step.granted_on.isoformat(),
        "issuer": step.issuer,
        "valid_until": step.valid_until.isoformat() if step.valid_until else None,
        "attributes": step.attributes or {},
    }


# --- changes --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """What ``grant`` did: inserted (a first grant), upgraded, updated, unchanged."""

    outcome: str
    step: Recognition


def grant(
    session: Session,
    entity: Entity,
    scheme_name: str,
    ref: str,
    tier: str,
    granted_on: date,
    issuer: str,
    actor: str,
    valid_until: date | None = None,
    attributes: dict[str, Any] | None = None,
) -> Change:
    """Record a grant: the first step of ``ref``, an upgrade to a higher tier, or a correction of a step."""
    s = scheme(scheme_name)
    if tier not in s.tiers:
        raise LifecycleError("tier", f"{scheme_name} has the tiers {', '.join(s.tiers)} (low → high)")
    if valid_until is None:
        valid_until = default_valid_until(s, granted_on)
    if valid_until is not None and valid_until < granted_on:
        raise LifecycleError("valid_until", f"{valid_until} is before the grant ({granted_on})")
    new = Recognition(
        entity_id=entity.id,
        scheme=scheme_name,
        ref=ref,
        tier=tier,
        granted_on=granted_on,
        issuer=issuer,
        valid_until=valid_until,
        attributes=dict(attributes or {}),
    )
    new.content_hash = _content_hash(new)
    subject = _subject(entity, scheme_name, ref)
    steps = chain(session, entity.id, scheme_name, ref)
    same = next((st for st in steps if st.tier == tier), None)
    if same is not None:
        if same.content_hash == new.content_hash:
            return Change("unchanged", same)
        later = [st for st in steps if s.rank(st.tier) > s.rank(tier)]
        if later and granted_on > later[0].granted_on:
            raise LifecycleError("granted_on", f"{granted_on} is after the upgrade to {later[0].tier}")
        earlier = [st for st in steps if s.rank(st.tier) < s.rank(tier)]
        if earlier and granted_on < earlier[-1].granted_on:
            raise LifecycleError("granted_on", f"{granted_on} is before the {earlier[-1].tier} step")
        if earlier and earlier[-1].end_reason == "upgraded":
            earlier[-1].ended_on = granted_on  # the step below ends the day this one begins
        before = _step_payload(same)
        same.granted_on, same.issuer, same.valid_until = granted_on, issuer, valid_until
        same.attributes, same.content_hash = new.attributes, new.content_hash
        audit.append(
            session, actor, "recognition.update", subject, {"old": before, "new": _step_payload(same)}
        )
        return Change("updated", same)
    current = steps[-1] if steps else None
    if current is not None:
        if current.end_reason == "revoked":
            raise LifecycleError(
                "ref",
                f"{scheme_name} {ref} was revoked on {current.ended_on}; a new recognition needs a new ref",
            )
        if s.rank(tier) < s.rank(current.tier) and granted_on <= current.granted_on:
            raise LifecycleError(
                "tier",
                f"{tier} ({granted_on}) comes before the recorded {current.tier} ({current.granted_on}): "
                "record the steps of a recognition in time order (one import sorts its rows)",
            )
        if s.rank(tier) < s.rank(current.tier):
            raise LifecycleError(
                "tier",
                f"{tier} is below the current {current.tier}: no text lowers a {scheme_name} "
                "recognition; revoke it instead",
            )
        if granted_on < current.granted_on:
            raise LifecycleError(
                "granted_on", f"{granted_on} is before the {current.tier} step ({current.granted_on})"
            )
        current.ended_on, current.end_reason = granted_on, "upgraded"
        current.end_citation = str(s.upgrade) if s.upgrade else None
    session.add(new)
    session.flush()
    action = "recognition.grant" if current is None else "recognition.upgrade"
    payload = _step_payload(new)
    if current is not None:
        payload["from_tier"] = current.tier
    audit.append(session, actor, action, subject, payload)
    return Change("inserted" if current is None else "upgraded", new)


def revoke(
    session: Session,
    entity: Entity,
    scheme_name: str,
    ref: str,
    on: date,
    citation: str,
    reason: str,
    actor: str,
) -> Recognition:
    """撤销 / 取消资格 from ``on``: the current step ends that day, citing the clause that revokes it."""
    scheme(scheme_name)
    if not citation.strip() or not reason.strip():
        raise LifecycleError("citation", "a revocation needs the clause that revokes (citation) and a reason")
    steps = chain(session, entity.id, scheme_name, ref)
    if not steps:
        raise LifecycleError("ref", f"{entity.key} has no {scheme_name} recognition {ref}")
    current = steps[-1]
    if current.ended_on is not None:
        raise LifecycleError(
            "ref", f"{scheme_name} {ref} already ended on {current.ended_on} ({current.end_reason})"
        )
    if on < current.granted_on:
        raise LifecycleError("on", f"{on} is before the grant ({current.granted_on})")
    current.ended_on, current.end_reason, current.end_citation = (
        on,
        "revoked",
        f"{citation.strip()}（{reason.strip()}）",
    )
    audit.append(
        session,
        actor,
        "recognition.revoke",
        _subject(entity, scheme_name, ref),
        {"tier": current.tier, "on": on.isoformat(), "citation": citation.strip(), "reason": reason.strip()},
    )
    return current


def evaluate(
    session: Session,
    entity: Entity,
    scheme_name: str,
    ref: str,
    year: int,
    result: str,
    evaluated_on: date,
    actor: str,
) -> tuple[RecognitionEvaluation, bool]:
    """Record the ``year``'s result and apply what the text makes of it; (the evaluation, created?).

    A failing result of a tier the text speaks of suspends that year (取消当年享受扶持政策的资格);
    ``revoke_after`` failing years in a row revoke from the evaluation day (摘牌 / 取消资格). A
    recorded result is never overwritten: a correction is a decision of its own.
    """
    s = scheme(scheme_name)
    spec = s.evaluation
    if spec is None:
        raise LifecycleError("scheme", f"the texts name no yearly evaluation of {scheme_name}")
    if result not in spec.results:
        raise LifecycleError(
            "result", f"{scheme_name} results are {', '.join(spec.results)} ({spec.source.clause})"
        )
    steps = chain(session, entity.id, scheme_name, ref)
    if not steps:
        raise LifecycleError("ref", f"{entity.key} has no {scheme_name} recognition {ref}")
    held = [st for st in steps if in_force_in(st, year)]
    if not held:
        raise LifecycleError("year", f"{scheme_name} {ref} does not hold in {year}: {describe(steps)}")
    past = evaluations(session, entity.id, scheme_name, ref)
    same = next((e for e in past if e.year == year), None)
    if same is not None:
        if (same.result, same.evaluated_on) == (result, evaluated_on):
            return same, False
        raise LifecycleError(
            "result",
            f"{year} was evaluated {same.result} on {same.evaluated_on}; a recorded result stays",
        )
    _check_one_value_per_year(session, entity, s, ref, year)
    tier = held[-1].tier
    effect, citation = "none", None
    if result == spec.failing and tier in spec.failing_tiers:
        effect, citation = "suspend", spec.suspend
        failed = {e.year for e in past if e.result == spec.failing} | {year}
        if spec.revoke_after and all(year - k in failed for k in range(spec.revoke_after)):
            effect, citation = "revoke", spec.revoke
    row = RecognitionEvaluation(
        entity_id=entity.id,
        scheme=scheme_name,
        ref=ref,
        year=year,
        result=result,
        evaluated_on=evaluated_on,
        effect=effect,
        citation=str(citation) if citation else None,
        recorded_by=actor,
    )
    session.add(row)
    session.flush()
    subject = _subject(entity, scheme_name, ref)
    audit.append(
        session,
        actor,
        "recognition.evaluate",
        subject,
        {"year": year, "result": result, "on": evaluated_on.isoformat(), "tier": tier, "effect": effect},
    )
    if effect == "revoke":
        current = steps[-1]
        if current.ended_on is None:
            current.ended_on = max(evaluated_on, current.granted_on)
            current.end_reason, current.end_citation = "revoked", str(citation)
            audit.append(
                session,
                actor,
                "recognition.revoke",
                subject,
                {"tier": current.tier, "on": current.ended_on.isoformat(), "citation": str(citation)},
            )
    return row, True


def _check_one_value_per_year(session: Session, entity: Entity, s: Scheme, ref: str, year: int) -> None:
    """Two recognitions of one entity writing the same yearly fact (a carrier with a 孵化器 and a 众创空间
    rating) would contradict each other in its profile: refuse the second."""
    assert s.evaluation is not None
    others = session.execute(
        select(RecognitionEvaluation).where(
            RecognitionEvaluation.entity_id == entity.id, RecognitionEvaluation.year == year
        )
    ).scalars()
    for other in others:
        o = scheme(other.scheme)
        if (
            (other.scheme, other.ref) != (s.name, ref)
            and o.evaluation
            and o.evaluation.fact == s.evaluation.fact
        ):
            raise LifecycleError(
                "ref",
                f"{entity.key} already has a {year} result ({other.result}) from {other.scheme} {other.ref}; "
                f"both would be its {s.evaluation.fact}",
            )


def describe(steps: list[Recognition]) -> str:
    """One line per chain: each step with its dates (for messages and ``huiqi recognitions list``)."""
    parts = []
    for st in steps:
        text = f"{st.tier} {st.granted_on}"
        if st.ended_on:
            text += f"–{st.ended_on} ({st.end_reason})"
        elif st.valid_until:
            text += f", valid until {st.valid_until}"
        parts.append(text)
    return "; ".join(parts)
