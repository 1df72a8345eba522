"""The published JSON Schema of a profile (画像), generated from the facts vocabulary.

``docs/schema/profile.schema.json`` is this function's output (a test keeps them equal). The schema
checks shape and types; ``huiqi.engine.profile.parse_profile`` adds what a schema says badly (which
facts belong to which kind of entity, dates in range) and words each problem for a person.
"""

from __future__ import annotations

import json
from typing import Any

from huiqi.rules import facts as vocab

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def _value_schema(
    t: vocab.FactType, allowed: tuple[str, ...], label: str, unit: str | None
) -> dict[str, Any]:
    T = vocab.FactType
    desc = label + (f"（{unit}）" if unit else "")
    if t is T.MONEY:
        return {"type": "integer", "description": desc + " — integer fen (分)"}
    if t is T.INT:
        return {"type": "integer", "description": desc}
    if t is T.BOOL:
        return {"type": "boolean", "description": desc}
    if t is T.CODE:
        return {"enum": list(allowed), "description": desc}
    if t is T.DECIMAL:
        return {
            "type": "string",
            "pattern": r"^-?\d+(\.\d+)?$",
            "description": desc + " — exact decimal as a string",
        }
    if t is T.DATE:
        return {"type": "string", "pattern": DATE_PATTERN, "description": desc}
    return {"type": "string", "description": desc}


def profile_schema() -> dict[str, Any]:
    static = {
        f.name: _value_schema(f.type, f.allowed, f.label, f.unit)
        for f in vocab.FACTS
        if f.period is vocab.Period.STATIC
    }
    yearly = {
        f.name: {"oneOf": [_value_schema(f.type, f.allowed, f.label, f.unit), {"type": "null"}]}
        for f in vocab.FACTS
        if f.period is vocab.Period.YEAR
    }
    events = []
    for e in vocab.EVENTS:
        props: dict[str, Any] = {
            "type": {"const": e.type, "description": e.label},
            "date": {"type": "string", "pattern": DATE_PATTERN},
        }
        for a in e.attrs:
            props[a.name] = _value_schema(a.type, a.allowed, a.label, a.unit)
        events.append(
            {
                "type": "object",
                "properties": props,
                "required": ["type", "date", *(a.name for a in e.attrs if a.required)],
                "additionalProperties": False,
            }
        )
    payment_props = {k: _value_schema(t, (), k, None) for k, (t, _) in vocab.PAYMENT_KEYS.items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://huiqi.example/schema/profile.schema.json",
        "title": "huiqi profile (画像): one entity's facts, events and past payments",
        "description": (
            "Names follow the facts vocabulary (huiqi facts). Money is integer fen. Which facts a kind of "
            "entity may carry is checked by huiqi itself (huiqi calc reports each misplaced field)."
        ),
        "type": "object",
        "required": ["kind"],
        "additionalProperties": False,
        "properties": {
            "$schema": {"type": "string"},
            "note": {"type": "string"},
            "kind": {"enum": [k.value for k in vocab.EntityKind]},
            "id": {"type": "string"},
            "facts": {"type": "object", "properties": static, "additionalProperties": False},
            "years": {
                "type": "object",
                "patternProperties": {
                    r"^\d{4}$": {"type": "object", "properties": yearly, "additionalProperties": False}
                },
                "additionalProperties": False,
            },
            "events": {"type": "array", "items": {"oneOf": events}},
            "payments": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": payment_props,
                    "required": [k for k, (_, r) in vocab.PAYMENT_KEYS.items() if r],
                    "additionalProperties": False,
                },
            },
        },
    }


def schema_json() -> str:
    return json.dumps(profile_schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":  # regenerate docs/schema/profile.schema.json after a vocabulary change
    import sys

    sys.stdout.write(schema_json())
