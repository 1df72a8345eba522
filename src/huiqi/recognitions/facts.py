"""Recognitions → what the engine reads: events and yearly facts, for the year of a run.

The events and facts are the ones the rule files already read (see ``schemes``); nothing here adds a
fact name. For a run of year ``Y``:

- a step's event is in the profile when the step holds on some day of ``Y`` (or began earlier and
  still holds) and ``Y`` is not a suspended year (取消当年享受扶持政策的资格): an expired, superseded
  or revoked step is not a fact of a later year, so ``ever(…)`` conditions do not see it;
- a yearly evaluation becomes its scheme's yearly fact for the evaluated year
  (``incubator_annual_rating``, ``chuying_annual_filing_done``);
- 雏鹰企业 sets ``chuying_cultivation_year`` (认定当年为第1年) for each year from the grant, 0 once the
  recognition no longer holds (expired or 撤销), so the 贴息 is not eligible rather than undetermined;
- 上市进程 sets ``is_listing_candidate`` (000's 拟上市企业: at 股改, 辅导备案 or 申报受理) and
  ``is_listed_company`` (003-17) for each year from the first stage.

A fact derived here replaces a value of the same name imported as a yearly fact for that entity and
year: the recognition's lifecycle is the record of it. An event equal to one imported into the
registry's events is not added twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.recognitions.lifecycle import in_force_in
from huiqi.recognitions.schemes import Scheme, scheme
from huiqi.store.models_recognitions import Recognition, RecognitionEvaluation

Chain = tuple[int, str, str]  # (entity id, scheme, ref)


def _event(s: Scheme, step: Recognition) -> dict[str, Any] | None:
    mapped = s.events.get(step.tier)
    if mapped is None:
        return None
    type_, fixed = mapped
    event: dict[str, Any] = {
        "type": type_,
        "date": step.granted_on.isoformat(),
        **fixed,
        **(step.attributes or {}),
    }
    if s.subject_is_ref:
        event["subject"] = step.ref
    return event


def _chuying_years(steps: list[Recognition], years: range) -> dict[int, dict[str, Any]]:
    first = steps[0].granted_on.year
    return {
        y: {"chuying_cultivation_year": y - first + 1 if any(in_force_in(st, y) for st in steps) else 0}
        for y in years
    }


def _listing_years(s: Scheme, steps: list[Recognition], years: range) -> dict[int, dict[str, Any]]:
    out = {}
    for y in years:
        held = [st for st in steps if in_force_in(st, y)]
        stage = max((st.tier for st in held), key=s.rank, default=None)
        out[y] = {
            "is_listing_candidate": stage is not None and stage != "上市",
            "is_listed_company": stage == "上市",
        }
    return out


def _yearly(s: Scheme, steps: list[Recognition], years: range) -> dict[int, dict[str, Any]]:
    if s.name == "雏鹰企业":
        return _chuying_years(steps, years)
    if s.name == "上市进程":
        return _listing_years(s, steps, years)
    return {}


def _evaluation_value(s: Scheme, result: str) -> Any:
    assert s.evaluation is not None
    if s.evaluation.fact == "chuying_annual_filing_done":
        return result == "已备案"
    return result


def derived(session: Session, entity_ids: list[int], year: int | None) -> dict[int, dict[str, Any]]:
    """Per entity id: ``{"events": [...], "years": {year: {fact: value}}}`` from its recognitions.

    ``year`` None keeps every step's event (the whole history) and derives facts up to this year."""
    chains: dict[Chain, list[Recognition]] = defaultdict(list)
    for step in session.execute(select(Recognition).where(Recognition.entity_id.in_(entity_ids))).scalars():
        chains[(step.entity_id, step.scheme, step.ref)].append(step)
    results: dict[Chain, list[RecognitionEvaluation]] = defaultdict(list)
    for ev in session.execute(
        select(RecognitionEvaluation).where(RecognitionEvaluation.entity_id.in_(entity_ids))
    ).scalars():
        results[(ev.entity_id, ev.scheme, ev.ref)].append(ev)
    horizon = year if year is not None else date.today().year
    out: dict[int, dict[str, Any]] = {}
    for key in sorted(chains):
        entity_id, name, _ref = key
        s = scheme(name)
        steps = sorted(chains[key], key=lambda st: s.rank(st.tier))
        suspended = {e.year for e in results[key] if e.effect != "none"}
        part = out.setdefault(entity_id, {"events": [], "years": defaultdict(dict)})
        for step in steps:
            if year is not None and (not in_force_in(step, year) or year in suspended):
                continue
            event = _event(s, step)
            if event is not None:
                part["events"].append(event)
        for y, facts in _yearly(s, steps, range(steps[0].granted_on.year, horizon + 1)).items():
            part["years"][y].update(facts)
        for e in results[key]:
            if e.year <= horizon:
                part["years"][e.year][s.evaluation.fact] = _evaluation_value(s, e.result)  # type: ignore[union-attr]
    return out


def add_to_profiles(session: Session, profiles: dict[int, dict[str, Any]], year: int | None) -> None:
    """Merge the recognitions of these entities into their profiles (built by
    ``huiqi.redemption.profiles.build_profiles``), in place."""
    for entity_id, part in derived(session, list(profiles), year).items():
        profile = profiles[entity_id]
        events = profile["events"]
        events.extend(e for e in part["events"] if e not in events)
        events.sort(key=lambda e: (e["date"], e["type"]))
        years = profile["years"]
        for y, facts in sorted(part["years"].items()):
            merged = {**years.get(str(y), {}), **facts}
            years[str(y)] = dict(sorted(merged.items()))
        profile["years"] = dict(sorted(years.items()))
