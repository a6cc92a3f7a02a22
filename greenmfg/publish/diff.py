"""The diff gate: compare a new snapshot with the one it replaces and block or warn by thresholds.

Defaults (DiffPolicy()): any lost row or disappeared key is a warning; losing more than half of the
rows of a dataset in one period (a whole period vanishing included) blocks the publish. Corrections that
shrink a period a little pass with a warning; a truncated or missing input does not get published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from greenmfg.errors import SnapshotError

_EXAMPLES = 5
_NULL = "<null>"


@dataclass(frozen=True)
class DiffPolicy:
    """Thresholds, compared with `>`; None disables that check."""

    warn_lost_fraction: float | None = 0.0
    block_lost_fraction: float | None = 0.5
    warn_disappeared_keys: int | None = 0
    block_disappeared_keys: int | None = None


@dataclass(frozen=True)
class PeriodChange:
    dataset: str
    period: str
    rows_before: int
    rows_after: int

    @property
    def lost_rows(self) -> int:
        return max(self.rows_before - self.rows_after, 0)

    @property
    def lost_fraction(self) -> float:
        return self.lost_rows / self.rows_before if self.rows_before else 0.0


@dataclass(frozen=True)
class DisappearedKeys:
    dataset: str
    key: list[str]
    count: int
    examples: list[dict]


@dataclass(frozen=True)
class SnapshotDiff:
    """Row counts per dataset and period before and after, and keys of the parent that are gone."""

    parent_sequence: int | None = None
    parent_snapshot_id: str | None = None
    periods: list[PeriodChange] = field(default_factory=list)
    disappeared: list[DisappearedKeys] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def row_changes(
    before: Mapping[str, Mapping[str, int]], after: Mapping[str, Mapping[str, int]]
) -> list[PeriodChange]:
    """Every dataset and period present on either side, sorted."""
    changes = []
    for dataset in sorted({*before, *after}):
        old, new = before.get(dataset, {}), after.get(dataset, {})
        for period in sorted({*old, *new}):
            changes.append(PeriodChange(dataset, period, old.get(period, 0), new.get(period, 0)))
    return changes


def disappeared_keys(
    dataset: str, key: list[str], before: pa.Table, after: pa.Table | None
) -> DisappearedKeys:
    """Keys present in the parent and absent now (a dataset dropped altogether loses all its keys)."""
    old = _comparable(before, key)
    gone = old if after is None else old.join(_comparable(after, key), keys=key, join_type="left anti")
    gone = gone.sort_by([(name, "ascending") for name in key])
    examples = gone.slice(0, _EXAMPLES).to_pylist()
    return DisappearedKeys(dataset, key, gone.num_rows, examples)


def _comparable(table: pa.Table, key: list[str]) -> pa.Table:
    """Key columns as text with nulls spelled out, so a null key part matches a null (joins never do)."""
    columns = [pc.fill_null(pc.cast(table.column(name), pa.string()), _NULL) for name in key]
    return pa.table(columns, names=key)


def evaluate(diff: SnapshotDiff, policy: DiffPolicy) -> tuple[list[str], list[str]]:
    """(warnings, blocking problems), each a sentence naming dataset, period and numbers."""
    warnings: list[str] = []
    blocks: list[str] = []
    parent = f"snapshot {diff.parent_snapshot_id} (commit {diff.parent_sequence})"
    for change in diff.periods:
        if not change.lost_rows:
            continue
        message = (
            f"dataset {change.dataset}, period {change.period}: {change.rows_after} rows instead of "
            f"{change.rows_before} in {parent}, {change.lost_fraction:.1%} lost"
        )
        if _breaches(change.lost_fraction, policy.block_lost_fraction):
            blocks.append(f"{message} (block threshold {policy.block_lost_fraction:.1%})")
        elif _breaches(change.lost_fraction, policy.warn_lost_fraction):
            warnings.append(message)
    for gone in diff.disappeared:
        if not gone.count:
            continue
        message = (
            f"dataset {gone.dataset}: {gone.count} key(s) {gone.key} of {parent} disappeared, "
            f"e.g. {gone.examples}"
        )
        if _breaches(gone.count, policy.block_disappeared_keys):
            blocks.append(f"{message} (block threshold {policy.block_disappeared_keys})")
        elif _breaches(gone.count, policy.warn_disappeared_keys):
            warnings.append(message)
    return warnings, blocks


def gate(diff: SnapshotDiff, policy: DiffPolicy) -> list[str]:
    """Raise SnapshotError listing every blocking change; otherwise return the warnings."""
    warnings, blocks = evaluate(diff, policy)
    if blocks:
        raise SnapshotError("diff gate blocked the publish: " + "; ".join(blocks))
    return warnings


def _breaches(value: float, threshold: float | None) -> bool:
    return threshold is not None and value > threshold
