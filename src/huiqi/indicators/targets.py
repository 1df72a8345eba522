"""The quantified targets (目标指标) of a policy, read from ``policies/<doc>/targets.yaml``.

A target is one number the text commits to ("国家高新技术企业数达3800家"): its clause, the verbatim
sentence, the value, unit and year, and — when the data can compute it — a :class:`Measure` over
the facts vocabulary. A target the data cannot compute carries ``computable: false`` and why, so
it is shown as "not computable" and never as 0.

The loader checks everything a reader would otherwise have to trust: the quote is in its clause
(``Corpus.locate_quote``, as rules are checked), the value is written in the quote, the measure
names a known mechanism, title and facts. Every error names the file and the target.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from huiqi.corpus.load import Corpus, UnknownIdError, load_corpus
from huiqi.paths import policies_dir

KINDS = ("count", "ratio", "amount", "increment", "yearly")
# 达 / 以上 / 保持在…以上 → at_least; 超过 → above (strictly more); 左右 → about (no direction).
COMPARISONS = ("at_least", "above", "about")
MECHANISMS = ("title_holders", "newly_titled", "ratio_of_sums")
# Yearly facts a ratio may use: the columns of the population's enterprise_years table that the
# registry also carries under the same name (huiqi.rules.facts).
RATIO_FACTS = ("rd_expense_fen", "value_added_fen", "employees", "revenue_fen")


class TargetError(ValueError):
    """A targets file that cannot be trusted; the message names the file and the target."""


@dataclass(frozen=True, slots=True)
class Measure:
    """How the data computes a target (see :mod:`huiqi.indicators.measures`)."""

    mechanism: str
    title: str | None = None  # title_holders / newly_titled: the enterprise_title's title
    level: str | None = None  # … and, when given, its level (国家 / 省 / 市 / 区)
    numerator: str | None = None  # ratio_of_sums: yearly fact names
    denominator: str | None = None
    scope: str | None = None  # what the ratio is taken over, in words (shown beside the figure)


@dataclass(frozen=True, slots=True)
class Target:
    """One quantified target of a policy text."""

    id: str
    label: str
    clause: str
    quote: str
    year: int | None  # None: the text names no year
    value: Decimal
    unit: str
    kind: str
    comparison: str
    measure: Measure | None  # None: not computable from the data
    why: str | None = None  # why not computable
    restated: tuple[str, str] | None = None  # (clause, quote) where the text says it again

    @property
    def computable(self) -> bool:
        return self.measure is not None


def default_path(doc_id: str = "004") -> Path:
    """Where the targets of document ``doc_id`` live."""
    return policies_dir() / doc_id / "targets.yaml"


def load_targets(path: Path | None = None, corpus: Corpus | None = None) -> list[Target]:
    """Read and check a targets file (default: 004's). Raises :class:`TargetError`."""
    path = Path(path) if path else default_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TargetError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise TargetError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("targets"), list):
        raise TargetError(f"{path}: expected a mapping with a 'targets' list")
    corpus = corpus or load_corpus()
    targets: list[Target] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["targets"], start=1):
        name = raw.get("id") if isinstance(raw, dict) else None
        where = f"{path}, target {name or f'#{index}'}"
        if not isinstance(raw, dict):
            raise TargetError(f"{where}: expected a mapping")
        target = _target(raw, where, corpus)
        if target.id in seen:
            raise TargetError(f"{where}: id {target.id!r} used twice")
        seen.add(target.id)
        targets.append(target)
    return targets


_FIELDS = {"id", "label", "clause", "quote", "restated", "year", "value", "unit", "kind", "comparison"}
_FIELDS |= {"measure", "computable", "why"}


def _target(raw: dict, where: str, corpus: Corpus) -> Target:
    unknown = set(raw) - _FIELDS
    if unknown:
        raise TargetError(f"{where}: unknown field(s) {sorted(unknown)}")
    for key in ("id", "label", "clause", "quote", "unit", "kind", "comparison"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise TargetError(f"{where}: '{key}' is required (text)")
    if raw["kind"] not in KINDS:
        raise TargetError(f"{where}: kind {raw['kind']!r} is not one of {KINDS}")
    if raw["comparison"] not in COMPARISONS:
        raise TargetError(f"{where}: comparison {raw['comparison']!r} is not one of {COMPARISONS}")
    year = raw.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise TargetError(f"{where}: year must be a whole year or empty, got {year!r}")
    try:
        value = Decimal(str(raw.get("value")))
    except InvalidOperation as exc:
        raise TargetError(f"{where}: value {raw.get('value')!r} is not a number") from exc
    if not value.is_finite() or isinstance(raw.get("value"), float):
        # A float (9.5) would be read through binary floating point; write such values as text.
        raise TargetError(
            f"{where}: value must be a whole number or a quoted decimal, got {raw.get('value')!r}"
        )

    _check_quote(corpus, where, raw["clause"], raw["quote"])
    if str(value) not in raw["quote"].replace(",", ""):
        raise TargetError(f"{where}: value {value} is not written in the quote {raw['quote']!r}")
    restated = None
    if raw.get("restated") is not None:
        again = raw["restated"]
        if not isinstance(again, dict) or not {"clause", "quote"} <= set(again):
            raise TargetError(f"{where}: 'restated' needs a clause and a quote")
        _check_quote(corpus, where, again["clause"], again["quote"])
        restated = (again["clause"], again["quote"])

    measure, why = _measure(raw, where)
    return Target(
        id=raw["id"],
        label=raw["label"],
        clause=raw["clause"],
        quote=raw["quote"],
        year=year,
        value=value,
        unit=raw["unit"],
        kind=raw["kind"],
        comparison=raw["comparison"],
        measure=measure,
        why=why,
        restated=restated,
    )


def _check_quote(corpus: Corpus, where: str, clause: str, quote: str) -> None:
    try:
        span = corpus.locate_quote(clause, quote)
    except UnknownIdError as exc:
        raise TargetError(f"{where}: {exc}") from exc
    if span is None:
        raise TargetError(f"{where}: quote not found verbatim in {clause}: {quote!r}")


# 1 万元 = 10 000 元 = 1 000 000 分.
FEN_PER_WAN_YUAN = Decimal(1_000_000)


def ratio_scale(numerator: str, denominator: str, unit: str) -> Decimal:
    """The factor that turns sum(numerator) / sum(denominator) into the target's ``unit``.

    ``%`` of two amounts in the same unit: × 100. ``万元/人`` of an amount in fen per head count:
    ÷ 1 000 000. Any other pairing is refused rather than guessed.
    """
    money = (numerator.endswith("_fen"), denominator.endswith("_fen"))
    if unit == "%" and money[0] == money[1]:
        return Decimal(100)
    if unit.startswith("万元/") and money == (True, False):
        return 1 / FEN_PER_WAN_YUAN
    raise ValueError(f"cannot express {numerator} / {denominator} in {unit!r}")


def _enterprise_titles() -> tuple[str, ...]:
    """The titles an ``enterprise_title`` event may carry, from the facts vocabulary."""
    from huiqi.rules.facts import event

    return next(a.allowed for a in event("enterprise_title").attrs if a.name == "title")


def _measure(raw: dict, where: str) -> tuple[Measure | None, str | None]:
    computable = raw.get("computable", True)
    if computable is False:
        if raw.get("measure") is not None:
            raise TargetError(f"{where}: 'computable: false' and a 'measure' contradict each other")
        if not isinstance(raw.get("why"), str) or not raw["why"].strip():
            raise TargetError(f"{where}: 'computable: false' needs a 'why'")
        return None, raw["why"]
    spec = raw.get("measure")
    if not isinstance(spec, dict):
        raise TargetError(f"{where}: needs a 'measure', or 'computable: false' with a 'why'")
    mechanism = spec.get("mechanism")
    if mechanism not in MECHANISMS:
        raise TargetError(f"{where}: measure mechanism {mechanism!r} is not one of {MECHANISMS}")
    if mechanism in ("title_holders", "newly_titled"):
        titles = _enterprise_titles()
        if spec.get("title") not in titles:
            raise TargetError(
                f"{where}: title {spec.get('title')!r} is not an enterprise_title ({', '.join(titles)})"
            )
        return Measure(mechanism, title=spec["title"], level=spec.get("level")), None
    for side in ("numerator", "denominator"):
        if spec.get(side) not in RATIO_FACTS:
            raise TargetError(f"{where}: {side} {spec.get(side)!r} is not one of {RATIO_FACTS}")
    try:
        ratio_scale(spec["numerator"], spec["denominator"], raw["unit"])
    except ValueError as exc:
        raise TargetError(f"{where}: {exc}") from exc
    return (
        Measure(
            mechanism, numerator=spec["numerator"], denominator=spec["denominator"], scope=spec.get("scope")
        ),
        None,
    )
