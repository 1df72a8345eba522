"""Reading the numerals the policy texts write: Arabic (``3,000`` / ``1.5``) and Chinese (``二千``).

Every value comes back as an exact ``Decimal`` (or ``int``); nothing here ever goes through a float.
"""

from __future__ import annotations

from decimal import Decimal

# One regex fragment per way of writing a number, shared by the figure patterns.
ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
CHINESE = r"[零〇一二两三四五六七八九十百千]+"

_CN_DIGIT = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}

# Multipliers written between a number and its unit: 5万元, 1.5亿元, 1万亿元, 4.8万人次.
MULTIPLIER = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "万亿": Decimal(1_000_000_000_000)}


def is_chinese_numeral(s: str) -> bool:
    return bool(s) and all(ch in _CN_DIGIT or ch in _CN_UNIT for ch in s)


def parse_chinese(s: str) -> int:
    """``三`` → 3, ``十四`` → 14, ``二千`` → 2000, ``千`` → 1000, ``五百`` → 500.

    Digits without any 十/百/千 are read positionally (``二〇二二`` → 2022).
    """
    if not is_chinese_numeral(s):
        raise ValueError(f"not a Chinese numeral: {s!r}")
    if not any(ch in _CN_UNIT for ch in s):
        return int("".join(str(_CN_DIGIT[ch]) for ch in s))
    total, digit = 0, None
    for ch in s:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        else:
            # "十四": a unit with no digit before it counts once (十 = 1×10).
            total += (1 if digit is None else digit) * _CN_UNIT[ch]
            digit = None
    return total + (digit or 0)


def parse_number(s: str) -> Decimal:
    """An Arabic or Chinese numeral as written (``3,000`` / ``1.5`` / ``二千``) → exact ``Decimal``."""
    s = s.strip()
    if is_chinese_numeral(s):
        return Decimal(parse_chinese(s))
    # Full-width digits (０-９) fold to ASCII; thousands separators carry no value.
    s = s.translate({0xFF10 + i: 0x30 + i for i in range(10)}).replace(",", "")
    return Decimal(s)
