"""Indicators (指标): a policy's quantified targets computed from the data and shown against them.

004 (创新滨江实施意见) sets its 2027 targets in ``policies/004/targets.yaml``; :func:`compute` reads
them against a population folder or the registry. See ``docs/indicators.md``.
"""

from huiqi.indicators.progress import Reading, compute
from huiqi.indicators.sources import connect_population, connect_registry
from huiqi.indicators.targets import Target, TargetError, load_targets

__all__ = [
    "Reading",
    "Target",
    "TargetError",
    "compute",
    "connect_population",
    "connect_registry",
    "load_targets",
]
