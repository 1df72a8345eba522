"""The one place money is read, rounded and written: exact fen, never a float, never a silent rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huiqi.money import format_fen, parse_typed_amount, round_fen, to_fen


@pytest.mark.parametrize(
    ("typed", "unit", "fen"),
    [
        ("800000", "元", 80_000_000),
        ("12,345.67", "元", 1_234_567),
        (" 1，000 ", "元", 100_000),
        ("0.01", "元", 1),
        ("1.5", "万元", 1_500_000),
        ("3", "亿元", 30_000_000_000),
    ],
)
def test_typed_amounts_are_read_exactly(typed: str, unit: str, fen: int) -> None:
    assert parse_typed_amount(typed, unit) == fen


@pytest.mark.parametrize("typed", ["10.005", "abc", "", "NaN", "Infinity", "1e999999999"])
def test_typed_amounts_that_are_not_whole_fen_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_typed_amount(typed)


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        to_fen(1.5)  # type: ignore[arg-type]


def test_rounding_is_half_up() -> None:
    assert round_fen(Decimal("0.5")) == 1
    assert round_fen(Decimal("2.5")) == 3
    assert round_fen(Decimal("2.4999")) == 2


def test_display() -> None:
    assert format_fen(500_000_000) == "500万元"
    assert format_fen(1_234_567) == "12,345.67元"
