"""Money is exact: integer 分 (fen) everywhere, ``Decimal`` only on the way in and out.

The one rounding rule of the project lives here: a computed amount (a ratio of a base, a prorated
share) is rounded to the fen with ROUND_HALF_UP, the rule Chinese finance offices use (四舍五入).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100
# Multipliers of the units the documents write amounts in.
UNIT_YUAN = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}


def to_fen(amount: Decimal | int | str, unit: str = "元") -> int:
    """Exact conversion of an amount written in 元 / 万元 / 亿元 into integer fen.

    Raises ``ValueError`` when the amount has more precision than a fen (no silent rounding on input).
    """
    if isinstance(amount, float):
        raise TypeError("money is never a float; pass a Decimal, an int or a str")
    try:
        multiplier = UNIT_YUAN[unit]
    except KeyError as exc:
        raise ValueError(f"unknown money unit {unit!r}; expected one of {', '.join(UNIT_YUAN)}") from exc
    fen = Decimal(amount) * multiplier * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount}{unit} is not a whole number of fen")
    return int(fen)


def parse_typed_amount(text: str, unit: str = "元") -> int:
    """An amount a person typed in a form ("12,345.67", "800000", "1，000") as exact fen.

    Thousands separators (ASCII or full-width commas) and surrounding blanks are dropped; anything that is
    not a finite number, or is finer than a fen, raises ``ValueError`` — never rounded. Callers word the
    message for their page.
    """
    cleaned = text.strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    # "1e999999999" is a finite Decimal whose fen would take the process's memory: no amount a person can
    # mean reaches 10^16 of any unit (the whole national budget is under 10^14 元).
    if value.adjusted() >= 16:
        raise ValueError(f"{text!r} is too large to be an amount")
    return to_fen(value, unit)


def round_fen(value: Decimal) -> int:
    """Round a computed fen amount to a whole fen: the project's one rounding rule (四舍五入)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> Decimal:
    """Integer fen as a Decimal number of 元 with two places, for display and exports."""
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def format_fen(fen: int) -> str:
    """Human display: ``50万元`` when a whole number of 万元, else ``12,345.67元``."""
    if fen % (10_000 * FEN_PER_YUAN) == 0:
        return f"{fen // (10_000 * FEN_PER_YUAN):,}万元"
    yuan = fen_to_yuan(fen)
    return f"{yuan:,}元"
