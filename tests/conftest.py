"""Shared fixtures. ``corpus``: the five policy files parsed once per test session."""

from __future__ import annotations

import pytest

from huiqi.corpus.load import Corpus, load_corpus


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    """The policy corpus (documents, clauses, figures), loaded once and shared by every test."""
    return load_corpus()
