"""Missing inputs: the periods for which a dataset has some of the inputs it needs together but not all.

A dataset declares those inputs (DatasetDefinition.joint_inputs) with what it publishes for a period that
lacks one of them (null values, or no rows); the manifest and the report list every such gap, so an
absent figure is never mistaken for a zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from greenmfg.indicators.model import DatasetDefinition


def missing_inputs(periods: Mapping[str, Iterable[int]], datasets: Iterable[DatasetDefinition]) -> list[dict]:
    """{"dataset", "period", "missing" (filing types), "effect"} for each period some joint input covers
    and another does not; `periods` maps a filing type to the periods it has rows for. Sorted."""
    have = {filing_type: {int(p) for p in found} for filing_type, found in periods.items()}
    gaps = []
    for definition in datasets:
        needed = dict(definition.joint_inputs)
        covered = set().union(*(have.get(filing_type, set()) for filing_type in needed)) if needed else set()
        for period in sorted(covered):
            missing = sorted(t for t in needed if period not in have.get(t, set()))
            if missing:
                effect = "; ".join(needed[t] for t in missing)
                gaps.append(
                    {"dataset": definition.name, "period": period, "missing": missing, "effect": effect}
                )
    return sorted(gaps, key=lambda g: (g["dataset"], g["period"]))
