"""Indicator datasets derived from validated filings by pure functions: the registry and its entry points."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from greenmfg.indicators import coverage, energy, finance, incentives, list_counts, miit_cities
from greenmfg.indicators.model import DatasetDefinition
from greenmfg.policy import Policy

__all__ = ["DATASETS", "DatasetDefinition", "derive", "derive_all"]

DATASETS: dict[str, DatasetDefinition] = {
    d.name: d
    for d in (
        coverage.DEFINITION,
        list_counts.DEFINITION,
        incentives.DEFINITION,
        finance.DEFINITION,
        energy.DEFINITION,
        miit_cities.ENTRY_PLACES,
        miit_cities.CITY_COUNTS,
    )
}


def derive(dataset: str, inputs: Mapping[str, pd.DataFrame], params: Policy | None = None, *,
           years: Iterable[int] | None = None) -> pd.DataFrame:
    """One dataset from canonical rows per filing type; `years` limits the year-keyed rows produced."""
    try:
        definition = DATASETS[dataset]
    except KeyError:
        raise KeyError(f"unknown indicator dataset {dataset!r}; expected one of {sorted(DATASETS)}") from None
    chosen = None if years is None else sorted(set(years))
    return definition.derive(inputs, params or Policy(), chosen)


def derive_all(inputs: Mapping[str, pd.DataFrame], params: Policy | None = None, *,
               years: Iterable[int] | None = None) -> dict[str, pd.DataFrame]:
    """Every dataset, in registry order."""
    chosen = None if years is None else sorted(set(years))
    return {name: derive(name, inputs, params, years=chosen) for name in DATASETS}
