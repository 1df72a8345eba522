"""Hand-computed cases (算例): ``policies/<doc>/cases.yaml`` and ``policies/003/<doc-id>.cases.yaml``.

Each case is a situation (a profile over the file's ``defaults``), the clause, the year and the
figures expected — computed by hand from the text, the arithmetic in the case's name or comment
(the format: ``policies/002/cases.yaml``). ``tests/rules/test_cases.py`` checks every case;
``huiqi.rules.case_coverage`` measures which tiers, caps, boundaries and provisions they exercise.

A cases file names its document (``document: "003-31"``); without it, the folder name is the
document. ``uncovered:`` lists what its cases deliberately do not exercise, each with the reason
(``huiqi.rules.case_coverage``).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from huiqi.engine.evaluate import Calculation, calculate
from huiqi.engine.profile import Profile, parse_profile
from huiqi.money import to_fen
from huiqi.paths import policies_dir
from huiqi.rules.drafts import assume_in_force
from huiqi.rules.loader import RuleBook


@dataclass(frozen=True, slots=True)
class CaseFile:
    """One cases file: its document, the raw spec (defaults, cases, uncovered) and where it lives."""

    doc_id: str
    spec: dict
    path: Path

    @property
    def cases(self) -> list[dict]:
        return self.spec.get("cases") or []


def case_files(base: Path | None = None) -> dict[str, CaseFile]:
    """Every cases file under ``base`` (default: the policies folder), by document id."""
    base = base or policies_dir()
    out: dict[str, CaseFile] = {}
    for path in sorted([*base.glob("*/cases.yaml"), *base.glob("*/*.cases.yaml")]):
        spec = yaml.safe_load(path.read_text("utf-8"))
        doc = str(spec.get("document", path.parent.name))
        out[doc] = CaseFile(doc, spec, path)
    return out


def money(text: str) -> int:
    """An expected amount as a case writes it ("250万元", "1,000元") → fen."""
    m = re.fullmatch(r"([\d.,]+)(元|万元|亿元)", text)
    if m is None:
        raise ValueError(f"not an amount: {text!r}")
    return to_fen(Decimal(m.group(1).replace(",", "")), m.group(2))


def build_profile(spec: dict, case: dict) -> dict:
    """The case's profile (JSON form): its own facts, years, events and payments over the defaults."""
    prof = copy.deepcopy(spec.get("defaults") or {})
    own = case.get("profile") or {}
    if own.get("kind") and own["kind"] != prof.get("kind"):
        # a case about another kind of beneficiary (a talent in a file of enterprises) starts from
        # that kind's own defaults (``defaults_talent`` …), never from facts a talent cannot have
        prof = copy.deepcopy(spec.get(f"defaults_{own['kind']}") or {"kind": own["kind"], "id": "case"})
    prof["facts"] = {**prof.get("facts", {}), **own.get("facts", {})}
    years = {str(k): dict(v) for k, v in prof.get("years", {}).items()}
    for y, row in (own.get("years") or {}).items():
        years[str(y)] = {**years.get(str(y), {}), **row}
    prof["years"] = years
    # YAML reads dates as date objects; a profile is JSON, so dates are ISO strings
    prof["events"] = [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in e.items()}
        for e in own.get("events", [])
    ]
    prof["payments"] = own.get("payments", [])
    return prof


def run_case(book: RuleBook, cf: CaseFile, case: dict) -> tuple[RuleBook, Profile, Calculation]:
    """The explained calculation of one case on its own document, and the book and profile it used
    (an undated draft, 000, is computed as if in force only when the file or the case says so)."""
    profile = parse_profile(build_profile(cf.spec, case), case["name"])
    if case.get("assume_in_force", cf.spec.get("assume_in_force", False)):
        book = assume_in_force(book, [cf.doc_id])
    calc = calculate(book, profile, case["year"], documents=[cf.doc_id], near_misses=False)
    return book, profile, calc
