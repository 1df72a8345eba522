"""What a voucher is worth, computed by the rules engine from the rule item it is granted under.

The engine is the one place amounts are computed (``huiqi.engine.evaluate.calculate``); a voucher
step builds the profile the item reads (a contract's amount, a platform's stage and assessment) and
takes the item's answer: a definite amount (企业券 under 滨江区's 002/五) or a discretionary ceiling
(平台券). What the text leaves open stays open: the engine's 酌定 status is passed on as a ceiling.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from huiqi.engine.evaluate import ItemResult, calculate
from huiqi.engine.profile import ProfileError, parse_profile
from huiqi.money import round_fen
from huiqi.redemption.profiles import build_profiles
from huiqi.rules import facts as vocab
from huiqi.store.models import Entity
from huiqi.vouchers.schemes import VoucherError, rule_book


def evaluate(session: Session, item_id: str, holder: Entity, year: int, facts: dict[str, Any]) -> ItemResult:
    """The engine's answer for ``item_id`` on the holder's registry profile (its attributes, yearly
    facts, events and ledger payments: ``huiqi.redemption.profiles``) with ``facts`` added for
    ``year`` — the contract's amount, the platform's stage… (static and yearly facts sorted by the
    vocabulary). Yearly caps across vouchers are counted in ``voucher_caps``, where the database
    enforces them (``huiqi.vouchers.caps``)."""
    data = build_profiles(session, [holder], year)[holder.id]
    data["facts"] = dict(data.get("facts") or {})
    data["years"] = {str(y): dict(v) for y, v in (data.get("years") or {}).items()}
    yearly = data["years"].setdefault(str(year), {})
    for name, value in facts.items():
        spec = vocab.FACTS_BY_NAME.get(name)
        (yearly if spec is not None and spec.period is not vocab.Period.STATIC else data["facts"])[name] = (
            value
        )
    try:
        profile = parse_profile(data, "facts")
    except ProfileError as exc:
        raise VoucherError(str(exc)) from exc
    doc = item_id.split("/")[0]
    calc = calculate(rule_book(), profile, year, near_misses=False, documents=[doc])
    for result in calc.items:
        if result.item.id == item_id:
            return result
    raise VoucherError(f"{item_id} is not in force in {year}")


def ratio_amount(contract_fen: int, rate: Decimal) -> int:
    """A ratio given at issue applied to a contract: the project's one rounding rule (四舍五入)."""
    return round_fen(Decimal(contract_fen) * rate)
