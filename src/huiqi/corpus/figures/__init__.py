"""Figures: the typed numbers, dates and departments a clause states, each with its exact span.

``extract_figures`` is the one entry point; the document loader calls it on each clause's own text.
"""

from __future__ import annotations

from huiqi.corpus.figures.departments import extract_departments
from huiqi.corpus.figures.numeric import extract_numeric, ratio_parts
from huiqi.corpus.model import Figure

__all__ = ["extract_figures", "ratio_parts"]


def extract_figures(text: str, start: int = 0, end: int | None = None) -> list[Figure]:
    """Figures in text[start:end]; spans are absolute offsets into ``text``; sorted by start.

    Amounts come in exact integer fen (分), ratios as ``Decimal`` fractions (30% → 0.30); never a float.
    """
    if not isinstance(text, str):
        raise TypeError(f"extract_figures needs the decoded text (str), got {type(text).__name__}")
    stop = len(text) if end is None else end
    if not 0 <= start <= stop <= len(text):
        raise ValueError(f"span [{start}, {end}) is outside a text of {len(text)} characters")
    figures = extract_numeric(text, start, stop) + extract_departments(text, start, stop)
    return sorted(figures, key=lambda f: (f.start, f.end))
