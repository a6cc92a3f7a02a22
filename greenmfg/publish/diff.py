"""The diff gate: compare a new snapshot with the one it replaces and block or warn by thresholds.

Three checks, per dataset: rows per period, keys of the parent that disappear, and the totals of the count,
money and energy columns per period (year or batch) and region. Defaults (DiffPolicy()): any lost row or
disappeared key and any total moving by more than 10 % is a warning; losing more than half of a period's
rows, or a total moving by more than half, blocks the publish — a truncated input or a mostly-wrong
correction does not get published. The thresholds are the `[diff_gate]` table of the configuration file
(GREENMFG_VALIDATION_CONFIG); an explicit `accept_diff` turns the blocks into warnings, and the publisher
records them in the manifest.
"""

from __future__ import annotations

import getpass
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, field
from dataclasses import dataclass as plain_dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ConfigDict, Field, ValidationError, field_validator
from pydantic.dataclasses import dataclass

from greenmfg.errors import DiffGateBlockedError, SettingsError
from greenmfg.settings import Settings, get_settings

DIFF_GATE_TABLE = "diff_gate"
# The columns a total is grouped by, where a dataset has them: its period (a year, else a MIIT batch) and
# its region.
PERIOD_COLUMNS = ("year", "batch")
REGION_COLUMN = "region_code"
_EXAMPLES = 5
_NULL = "<null>"
_SAME_TOTAL = 1e-9  # relative: sums of the same values in another order differ only by rounding


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class DiffPolicy:
    """The gate's thresholds, compared with `>`; None (false in the TOML file) disables that check."""

    warn_lost_fraction: float | None = Field(
        0.0, ge=0, le=1, description="Warn when a dataset's period loses more than this share of its rows."
    )
    block_lost_fraction: float | None = Field(
        0.5, ge=0, le=1, description="Block when a dataset's period loses more than this share of its rows."
    )
    warn_disappeared_keys: int | None = Field(
        0, ge=0, description="Warn when more than this many keys of the parent snapshot disappear."
    )
    block_disappeared_keys: int | None = Field(
        None, ge=0, description="Block when more than this many keys of the parent snapshot disappear."
    )
    warn_value_change_share: float | None = Field(
        0.1,
        ge=0,
        description="Warn when the total of a count, money or energy column over a dataset's period and "
        "region moves by more than this share of the parent's total.",
    )
    block_value_change_share: float | None = Field(
        0.5,
        ge=0,
        description="Block when such a total moves by more than this share (a zero total that becomes "
        "non-zero moves by more than any share).",
    )

    @field_validator("*", mode="before")
    @classmethod
    def _false_disables(cls, value: object) -> object:
        if value is True:
            raise ValueError("expected a number, or false to disable the check")
        return None if value is False else value

    @classmethod
    def from_values(cls, values: Mapping[str, Any], source: str = DIFF_GATE_TABLE) -> DiffPolicy:
        """The thresholds of a `[diff_gate]` table: a bad or unknown key is one line naming it."""
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')} "
                f"(found {e.get('input')!r})"
                for e in exc.errors()
            )
            known = ", ".join(cls.__pydantic_fields__)
            raise SettingsError(
                f"{source}: invalid [{DIFF_GATE_TABLE}]: {problems}; expected thresholds: {known}"
            ) from None


def load_diff_policy(settings: Settings | None = None) -> DiffPolicy:
    """The defaults, overridden by the `[diff_gate]` table of the configuration file."""
    settings = settings or get_settings()
    source = str(settings.validation_config) if settings.validation_config else "settings"
    table = settings.config_document().get(DIFF_GATE_TABLE, {})
    if not isinstance(table, dict):
        raise SettingsError(f"{source}: [{DIFF_GATE_TABLE}] must be a table; found {table!r}")
    return DiffPolicy.from_values(table, source)


@plain_dataclass(frozen=True)
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


@plain_dataclass(frozen=True)
class DisappearedKeys:
    dataset: str
    key: list[str]
    count: int
    examples: list[dict]


@plain_dataclass(frozen=True)
class ValueChange:
    """The total of one count, money or energy column over a dataset's rows of one period and region,
    in the parent and now (listed only when it changed)."""

    dataset: str
    period: str
    region_code: str
    column: str
    before: float
    after: float

    @property
    def change_share(self) -> float:
        """|after − before| / |before|; infinite when a zero total becomes non-zero."""
        if self.before == 0:
            return 0.0 if self.after == 0 else math.inf
        return abs(self.after - self.before) / abs(self.before)


@plain_dataclass(frozen=True)
class SnapshotDiff:
    """Row counts per dataset and period before and after, keys of the parent that are gone, and the
    totals that changed."""

    parent_sequence: int | None = None
    parent_snapshot_id: str | None = None
    periods: list[PeriodChange] = field(default_factory=list)
    disappeared: list[DisappearedKeys] = field(default_factory=list)
    values: list[ValueChange] = field(default_factory=list)
    # Dataset → the parameters it applies whose value differs from the parent's (a policy change).
    changed_parameters: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


@plain_dataclass(frozen=True)
class Verdict:
    """What the gate says: warnings, what blocks the publish, and the blocks an explicit accept let pass
    (those are among the warnings too)."""

    warnings: list[str]
    blocks: list[str]
    accepted_blocks: list[str] = field(default_factory=list)


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


def total_groups(schema: pa.Schema) -> list[str]:
    """The columns a dataset's totals are grouped by: its period columns and region, where present."""
    return [c for c in (*PERIOD_COLUMNS, REGION_COLUMN) if c in schema.names]


def value_totals(table: pa.Table, columns: Sequence[str]) -> dict[tuple[str, str], dict[str, float]]:
    """(period, region) → column → total of the rows; a column without any value has no total."""
    columns = [c for c in columns if c in table.column_names]
    groups = total_groups(table.schema)
    if not columns or table.num_rows == 0:
        return {}
    summed = table.group_by(groups, use_threads=False).aggregate([(c, "sum") for c in columns])
    totals: dict[tuple[str, str], dict[str, float]] = {}
    for row in summed.to_pylist():
        slot = (_period_label(row), "" if row.get(REGION_COLUMN) is None else str(row[REGION_COLUMN]))
        totals[slot] = {c: row[f"{c}_sum"] for c in columns if row[f"{c}_sum"] is not None}
    return totals


def _period_label(row: Mapping[str, object]) -> str:
    """'2020' for a year (as rows_per_period names it), 'batch 3' for a MIIT batch, '' for neither."""
    if row.get("year") is not None:
        return str(row["year"])
    return f"batch {row['batch']}" if row.get("batch") is not None else ""


def value_changes(
    dataset: str,
    before: Mapping[tuple[str, str], Mapping[str, float]],
    after: Mapping[tuple[str, str], Mapping[str, float]],
) -> list[ValueChange]:
    """Totals of the periods and regions both sides hold that changed, sorted. A period or region that
    appears or vanishes is the row check's business, not a value change."""
    changes = []
    for slot in sorted(set(before) & set(after)):
        old, new = before[slot], after[slot]
        for column in sorted(set(old) & set(new)):
            if not math.isclose(old[column], new[column], rel_tol=_SAME_TOTAL, abs_tol=_SAME_TOTAL):
                changes.append(ValueChange(dataset, *slot, column, old[column], new[column]))
    return changes


def evaluate(diff: SnapshotDiff, policy: DiffPolicy) -> tuple[list[str], list[str]]:
    """(warnings, blocking problems), each one line naming dataset, period (and region) and numbers."""
    warnings: list[str] = []
    blocks: list[str] = []
    parent = f"snapshot {diff.parent_snapshot_id} (commit {diff.parent_sequence})"

    def classify(message: str, value: float, warn: float | None, block: float | None, shown: str) -> None:
        if _breaches(value, block):
            blocks.append(f"{message} (block threshold {shown.format(block)})")
        elif _breaches(value, warn):
            warnings.append(message)

    for change in diff.periods:
        if change.lost_rows:
            message = (
                f"dataset {change.dataset}, period {change.period}: {change.rows_after} rows instead of "
                f"{change.rows_before} in {parent}, {change.lost_fraction:.1%} lost"
            )
            classify(message, change.lost_fraction, policy.warn_lost_fraction, policy.block_lost_fraction,
                  "{:.1%}")  # fmt: skip
    for gone in diff.disappeared:
        if gone.count:
            message = (
                f"dataset {gone.dataset}: {gone.count} key(s) {gone.key} of {parent} disappeared, "
                f"e.g. {gone.examples}"
            )
            classify(message, gone.count, policy.warn_disappeared_keys, policy.block_disappeared_keys, "{}")
    for value in diff.values:
        message = _value_message(value, parent)
        changed = diff.changed_parameters.get(value.dataset)
        if changed and _breaches(value.change_share, policy.warn_value_change_share):
            warnings.append(f"{message}; its parameters changed ({', '.join(changed)}), so this only warns")
            continue
        classify(
            message,
            value.change_share,
            policy.warn_value_change_share,
            policy.block_value_change_share,
            "{:.1%}",
        )
    return warnings, blocks


def _value_message(value: ValueChange, parent: str) -> str:
    where = ", ".join(
        part
        for part in (
            f"dataset {value.dataset}",
            f"period {value.period}" if value.period else "",
            f"region {value.region_code}" if value.region_code else "",
        )
        if part
    )
    share = value.change_share
    moved = "from zero" if math.isinf(share) else f"{math.copysign(share, value.after - value.before):+.1%}"
    return (
        f"{where}: total {value.column} {_number(value.after)} instead of {_number(value.before)} "
        f"in {parent} ({moved})"
    )


def _number(value: float) -> str:
    """Thousands separated, at most two decimals, no trailing zeros: 330,000 and 21,930.5."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def judge(diff: SnapshotDiff, policy: DiffPolicy, *, accept_diff: bool = False) -> Verdict:
    """The gate's verdict; with `accept_diff` every block is accepted: a warning, marked and kept apart."""
    warnings, blocks = evaluate(diff, policy)
    if not accept_diff or not blocks:
        return Verdict(warnings, blocks)
    return Verdict([*warnings, *(f"accepted: {b}" for b in blocks)], [], blocks)


def gate(diff: SnapshotDiff, policy: DiffPolicy, *, accept_diff: bool = False) -> Verdict:
    """Raise DiffGateBlockedError listing every blocking change (unless accepted); else return the verdict."""
    verdict = judge(diff, policy, accept_diff=accept_diff)
    if verdict.blocks:
        raise DiffGateBlockedError("diff gate blocked the publish: " + "; ".join(verdict.blocks))
    return verdict


def operator_name() -> str:
    """Who accepts a blocked diff when no name is given: the operating-system user."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _breaches(value: float, threshold: float | None) -> bool:
    return threshold is not None and value > threshold
