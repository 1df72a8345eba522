"""The profile (画像) as the calculator API accepts it: the published schema, made exact.

``huiqi.rules.schema`` publishes the shape of a profile; ``huiqi.engine.profile.parse_profile`` checks more
(which kind of entity carries which facts, real dates in 1949-10-01 … 2100-12-31). The API describes the
``profile`` field with the published schema tightened to those checks, so that a body valid by the OpenAPI
document is one the engine computes, and a body the engine refuses is invalid by it (schemathesis holds both).
``problems(data)`` checks a profile against it and words each place that does not fit.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from jsonschema import Draft202012Validator

from huiqi.rules import facts as vocab

# Engineering limits, not policy figures: a profile is one entity, and each event makes the near-miss search
# re-evaluate the profile, so a request with thousands of events could occupy a worker for minutes.
MAX_EVENTS = 200
MAX_PAYMENTS = 200


def profile_schema() -> dict[str, Any]:
    """The exact profile schema (a fresh copy: callers may change it)."""
    return copy.deepcopy(_profile_schema())


@functools.cache
def _profile_schema() -> dict[str, Any]:
    """The published profile schema, as the OpenAPI document's description of the ``profile`` field: clients
    and the fuzzer see the real contract, not "any object"."""
    from huiqi.rules.schema import profile_schema as schema

    out = schema()
    for key in ("$schema", "$id"):  # a nested schema inside the OpenAPI document keeps neither
        out.pop(key, None)
    out["properties"]["events"]["maxItems"] = MAX_EVENTS
    out["properties"]["payments"]["maxItems"] = MAX_PAYMENTS
    # What the published schema leaves to the engine, said here too so that a schema-valid body is a
    # computable one: each kind of entity carries only its own facts and events (one branch per kind).
    props = out["properties"]
    yearly = props["years"]["patternProperties"][r"^\d{4}$"]["properties"]
    branches = []
    for kind in vocab.EntityKind:
        mine = {f.name for f in vocab.FACTS if kind in f.entities}
        events = [
            e
            for e in props["events"]["items"]["oneOf"]
            if kind in vocab.EVENTS_BY_TYPE[e["properties"]["type"]["const"]].entities
        ]
        branches.append(
            {
                "properties": {
                    "kind": {"const": kind.value},
                    "facts": {
                        "type": "object",
                        "propertyNames": {"enum": sorted(mine & set(props["facts"]["properties"]))},
                    },
                    "years": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "propertyNames": {"enum": sorted(mine & set(yearly))},
                        },
                    },
                    "events": {"type": "array", "items": {"oneOf": events} if events else False},
                }
            }
        )
    out["oneOf"] = branches
    _exact_dates(out)
    # Years as the engine reads them: 1949–2100, not any four digits.
    props["years"]["patternProperties"] = {EXACT_YEAR: props["years"]["patternProperties"][r"^\d{4}$"]}
    return out


EXACT_YEAR = r"^(?:19(?:49|[5-9]\d)|20\d\d|2100)$"
# The days the engine accepts (huiqi.engine.profile: a real date between 1949-10-01 and 2100-12-31), as a
# pattern: any year's 1st–28th, the 29th–31st of the months that have them, 29 February of leap years.
EXACT_DATE = (
    r"^(?:(?:19[5-9]\d|20\d\d|2100)-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
    r"|(?:0[13578]|1[02])-31)|(?:19(?:5[26]|[68][048]|[79][26])|20(?:[02468][048]|[13579][26]))-02-29"
    r"|1949-(?:1[02]-(?:0[1-9]|[12]\d|3[01])|11-(?:0[1-9]|[12]\d|30)))$"
)


def _exact_dates(node: Any) -> None:
    """Replace the published schema's loose date pattern (any ``\\d{4}-\\d{2}-\\d{2}``) by ``EXACT_DATE``."""
    from huiqi.rules.schema import DATE_PATTERN

    if isinstance(node, dict):
        if node.get("pattern") == DATE_PATTERN:
            node["pattern"] = EXACT_DATE
        for v in node.values():
            _exact_dates(v)
    elif isinstance(node, list):
        for v in node:
            _exact_dates(v)


def whole_number(v: Any) -> Any:
    # JSON Schema counts 2023.0 as an integer; a strict model would not. "2023" stays refused.
    return int(v) if isinstance(v, float) and v.is_integer() else v


@functools.cache
def _validators() -> tuple[Draft202012Validator, dict[str, Draft202012Validator]]:
    """The published schema split for speed: the profile with each event only checked for a known ``type``,
    and one validator per event type. Trying every event against the schema's ``oneOf`` of all event types
    cost about 30 ms per profile; looking the branch up by ``type`` gives the same verdict, sooner, with
    messages about the event's own attributes."""
    schema = profile_schema()
    schema.pop("oneOf")  # which kind carries which facts: the engine checks that, and words it better
    branches = schema["properties"]["events"]["items"]["oneOf"]
    by_type = {b["properties"]["type"]["const"]: Draft202012Validator(b) for b in branches}
    schema["properties"]["events"]["items"] = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": list(by_type)}},
    }
    return Draft202012Validator(schema), by_type


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _message(err: Any) -> str:
    if err.validator == "maxItems":  # jsonschema's own message repeats the whole list
        return f"at most {err.validator_value} entries in one profile, found {len(err.instance)}"
    return err.message if len(err.message) <= 300 else err.message[:300] + "…"


def problems(data: Any) -> list[str]:
    """Where ``data`` leaves the published schema: one "path: what is wrong" line per place."""
    validator, by_type = _validators()
    errors = list(validator.iter_errors(data))
    problems = [
        f"{_path(e.absolute_path)}: {_message(e)}" if e.absolute_path else _message(e) for e in errors
    ]
    events = data.get("events") if isinstance(data, dict) else None
    if isinstance(events, list) and not any(e.validator == "maxItems" for e in errors):
        for i, event in enumerate(events):
            etype = event.get("type") if isinstance(event, dict) else None
            check = by_type.get(etype) if isinstance(etype, str) else None  # else reported above
            if check is not None:
                problems += [
                    f"{_path(['events', i, *e.absolute_path])}: {_message(e)}"
                    for e in check.iter_errors(event)
                ]
    return sorted(set(problems))
