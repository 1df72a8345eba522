"""Commands over the policy corpus: ``huiqi docs``, ``huiqi show``, ``huiqi search``."""

from __future__ import annotations
