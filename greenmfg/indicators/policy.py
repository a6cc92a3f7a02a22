"""Transitional: the above-size year rule for code not yet reading greenmfg.policy (remove when none does).

Every policy parameter is declared in greenmfg/policy.py. tests/test_corpus.py still imports this name; it
should apply `Policy().above_size_revenue_thresholds(years)` (or the configured `load_policy()`, vectorised)
instead, and then this module goes.
"""

from __future__ import annotations

from greenmfg.policy import Policy

_DEFAULT = Policy()


def above_size_revenue_10k_yuan(year: int) -> float:
    """Revenue threshold of the above-size rule in force in `year`, by the default policy."""
    return float(_DEFAULT.above_size_revenue_thresholds([year])[0])
