"""Where the project's own data lives, installed or in a checkout."""

from __future__ import annotations

import os
from pathlib import Path


def policies_dir() -> Path:
    """The folder holding one sub-folder per policy file (text and rule files side by side).

    Order of precedence: ``HUIQI_POLICIES`` (for a deployment that keeps its own copy), the copy
    shipped inside the wheel (``huiqi/_policies``), then ``policies/`` at the root of a checkout
    (an editable install).
    """
    env = os.environ.get("HUIQI_POLICIES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    shipped = here / "_policies"
    if shipped.is_dir():
        return shipped
    checkout = here.parent.parent / "policies"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        "policy texts not found: set HUIQI_POLICIES to the folder that holds 000/ … 004/"
    )


def examples_dir() -> Path:
    """Sample profiles (``examples/*.json``), shipped in the wheel as ``huiqi/_examples``."""
    here = Path(__file__).resolve().parent
    shipped = here / "_examples"
    return shipped if shipped.is_dir() else here.parent.parent / "examples"


def cache_dir() -> Path:
    """A writable folder for derived data (search index); safe to delete at any time."""
    env = os.environ.get("HUIQI_CACHE")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "huiqi"
    base.mkdir(parents=True, exist_ok=True)
    return base
