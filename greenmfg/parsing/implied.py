"""Values a filing leaves implied: decided from what the file says (its title and name, the columns it files
and how it heads them) by the contract's declarations (greenmfg.contracts.model.Implied), and recorded.

Every inferred value is recorded twice: once per filing in the ingestion summary (which column, what value,
from what), and once per row in the staged rows' `inferred_values` provenance column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from greenmfg.contracts import Column, Contract
from greenmfg.contracts.model import Implied
from greenmfg.parsing.layout import title_dates
from greenmfg.parsing.vocabulary import normalise
from greenmfg.policy import Policy, load_policy

if TYPE_CHECKING:
    from greenmfg.parsing.headers import HeaderMatch


@dataclass(frozen=True)
class Context:
    """What a file says besides its columns: its name, the sheet and the lines above its header."""

    source_name: str
    sheet: str | None = None
    title_lines: tuple[str, ...] = ()
    district_aliases: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    city_code: str | None = (
        None  # the city's own code among the aliases (a title naming it names no district)
    )
    policy: Policy | None = field(default=None, compare=False, hash=False)  # None: the configured one

    @property
    def where(self) -> str:
        return f"{self.source_name} [{self.sheet}]" if self.sheet else self.source_name

    @property
    def titles(self) -> list[tuple[str, str]]:
        """(label, normalised text) of each place a title may be: title rows, the sheet, the file name."""
        places = [("title", line) for line in self.title_lines if line.strip()]
        if self.sheet:
            places.append(("sheet name", self.sheet))
        places.append(("file name", PurePath(self.source_name).stem))
        return [(label, normalise(text)) for label, text in places]


@dataclass(frozen=True)
class Inference:
    """A column the filing left implied: the value (or the rule giving one per row) and its evidence."""

    column: str
    value: object = None
    rule: str | None = None
    evidence: str = ""

    def describe(self) -> str:
        what = f"rule {self.rule}" if self.rule else _text(self.value)
        return f"{self.column}={what} ({self.evidence})"


@dataclass(frozen=True)
class _Rule:
    """A per-row rule: whether it applies (its evidence, or None) and the values with per-row evidence."""

    applies: Callable[[HeaderMatch, Context], str | None]
    values: Callable[[pd.DataFrame, Context], tuple[pd.Series, pd.Series]]


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _title_evidence(implication: Implied, context: Context) -> str | None:
    for label, text in context.titles:
        word = next((w for w in implication.title_words if normalise(w) in text), None)
        if word is not None:
            return f"{label} says {word}"
    return None


def _columns_evidence(implication: Implied, match: HeaderMatch) -> str | None:
    present = match.columns
    unknown = [raw for raw in match.unmapped.values() if any(w in raw for w in implication.unless_headers)]
    if unknown:
        return None
    if not set(implication.columns) <= present:
        return None
    if implication.any_columns and not set(implication.any_columns) & present:
        return None
    worded = []
    for column, words in implication.header_words:
        raw = match.raw_header(column)
        word = next((w for w in words if raw is not None and w in normalise(raw)), None)
        if word is None:
            return None
        worded.append(f"{raw!r}")
    filed = [*implication.columns, *sorted(set(implication.any_columns) & present)]
    if not filed and not worded:
        return "the filing has no such column"
    return "columns " + ", ".join([*filed, *worded]) + " filed"


def _levels(column: Column) -> list[list[Implied]]:
    """Consecutive implications of one kind form a level; each rule is a level of its own."""
    levels: list[list[Implied]] = []
    for implication in column.implied:
        if levels and implication.kind == levels[-1][0].kind != "rule":
            levels[-1].append(implication)
        else:
            levels.append([implication])
    return levels


def decide(column: Column, match: HeaderMatch, context: Context) -> tuple[Inference | None, list[str]]:
    """The first level that settles the column, and the conflicts met on the way (for refusals)."""
    conflicts: list[str] = []
    for level in _levels(column):
        if level[0].kind == "rule":
            rule = RULES[level[0].rule]
            evidence = rule.applies(match, context) if set(level[0].columns) <= match.columns else None
            if evidence is not None:
                return Inference(column.name, rule=level[0].rule, evidence=evidence), conflicts
            continue
        found: dict[str, tuple[object, str]] = {}
        for implication in level:
            evidence = (
                _title_evidence(implication, context)
                if implication.kind == "title"
                else _columns_evidence(implication, match)
            )
            if evidence is not None:
                found.setdefault(_text(implication.value), (implication.value, evidence))
        if len(found) == 1:
            value, evidence = next(iter(found.values()))
            return Inference(column.name, value=value, evidence=evidence), conflicts
        if found:
            conflicts.append(
                f"{column.name}: "
                + " vs ".join(f"{key} ({evidence})" for key, (_, evidence) in sorted(found.items()))
            )
    return None, conflicts


def resolvable(column: Column, match: HeaderMatch, context: Context) -> bool:
    return decide(column, match, context)[0] is not None


def infer(contract: Contract, match: HeaderMatch, context: Context) -> list[Inference]:
    """An inference for every column with implications that the filing does not file and something implies."""
    found = []
    for column in contract.filed_columns:
        if column.implied and column.name not in match.columns:
            inference, _ = decide(column, match, context)
            if inference is not None:
                found.append(inference)
    return found


def apply(
    frame: pd.DataFrame, inferences: list[Inference], context: Context
) -> tuple[pd.DataFrame, pd.Series]:
    """The rows with the inferred columns filled, and each row's provenance (NA when nothing inferred)."""
    out = frame.copy(deep=False)
    provenance = pd.Series(pd.NA, index=frame.index, dtype="string")
    for inference in inferences:
        if inference.rule:
            values, evidence = RULES[inference.rule].values(out, context)
        else:
            values = pd.Series([inference.value] * len(out), index=out.index)
            evidence = pd.Series(inference.describe(), index=out.index, dtype="string")
        out[inference.column] = values.astype(frame[inference.column].dtype)
        provenance = provenance.str.cat(evidence.astype("string"), sep="; ", na_rep="").str.strip("; ")
        provenance = provenance.where(provenance != "", pd.NA)
    return out, provenance


# ---------------------------------------------------------------- the rules


def _always(evidence: str) -> Callable[[HeaderMatch, Context], str]:
    return lambda match, context: evidence


def _above_size_by_revenue(frame: pd.DataFrame, context: Context) -> tuple[pd.Series, pd.Series]:
    """Above size when main-business revenue reaches the threshold of the row's year (DOMAIN.md)."""
    policy = context.policy or load_policy()
    revenue = frame["revenue_10k_yuan"].to_numpy(dtype="float64", na_value=np.nan)
    years = frame["year"].astype("Int64")
    threshold = np.full(len(frame), np.nan)
    known_year = years.notna().to_numpy()
    threshold[known_year] = policy.above_size_revenue_thresholds(years[known_year].to_numpy(dtype="int64"))
    known = ~np.isnan(revenue) & ~np.isnan(threshold)
    with np.errstate(invalid="ignore"):
        reaches = revenue >= threshold
    above = pd.array(np.where(known, reaches, False), dtype="boolean")
    above[~known] = pd.NA
    labels = {
        (flag, t, y): f"is_above_size={'true' if flag else 'false'} "
        f"(revenue_10k_yuan {'≥' if flag else '<'} {t:g}, the threshold of {y})"
        for flag, t, y in set(zip(reaches[known], threshold[known], years[known].astype(int), strict=True))
    }
    evidence = pd.Series(
        [
            labels[(f, t, int(y))] if k else pd.NA
            for f, t, y, k in zip(reaches, threshold, years, known, strict=True)
        ],
        index=frame.index,
        dtype="string",
    )
    return pd.Series(above, index=frame.index), evidence


def _district_from_division(frame: pd.DataFrame, context: Context) -> tuple[pd.Series, pd.Series]:
    """The GB/T 2260 district: the first six digits of the 12-digit division code."""
    division = frame["division_code"].astype("string")
    district = division.str.slice(0, 6).where(division.str.fullmatch(r"\d{12}").fillna(False))
    evidence = ("district_code=" + district + " (first 6 digits of division_code)").astype("string")
    return district.astype("string"), evidence


def _districts_named(context: Context) -> dict[str, str]:
    """District codes (the city itself left out) named in the title, sheet or file name → the name."""
    named: dict[str, str] = {}
    for alias, code in sorted(context.district_aliases.items(), key=lambda item: -len(item[0])):
        if code == context.city_code or len(alias) < 2:
            continue
        for _, text in context.titles:
            if normalise(alias) in text:
                named.setdefault(code, alias)
    return named


def _district_in_title_applies(match: HeaderMatch, context: Context) -> str | None:
    named = _districts_named(context)
    if len(named) != 1:
        return None
    return f"the title names {next(iter(named.values()))}"


def _district_in_title(frame: pd.DataFrame, context: Context) -> tuple[pd.Series, pd.Series]:
    code, alias = next(iter(_districts_named(context).items()))
    values = pd.Series(code, index=frame.index, dtype="string")
    return values, pd.Series(
        f"district_code={code} (the title names {alias})", index=frame.index, dtype="string"
    )


def _date_in_title_applies(match: HeaderMatch, context: Context) -> str | None:
    dates = title_dates(list(context.title_lines))
    return f"the title states {dates[0]}" if len(dates) == 1 else None


def _date_in_title(frame: pd.DataFrame, context: Context) -> tuple[pd.Series, pd.Series]:
    day = title_dates(list(context.title_lines))[0]
    values = pd.Series(pd.Timestamp(day), index=frame.index)
    return values, pd.Series(f"notice_date={day} (the title states it)", index=frame.index, dtype="string")


def _application_no_from_serial(frame: pd.DataFrame, context: Context) -> tuple[pd.Series, pd.Series]:
    """A register numbered by serial only: the serial number stands for the application number."""
    serial = frame["serial_no"].astype("Int64").astype("string")
    return serial, ("application_no=" + serial + " (serial_no)").astype("string")


RULES: dict[str, _Rule] = {
    "above_size_by_revenue": _Rule(
        _always("revenue_10k_yuan against the above-size threshold of the year"), _above_size_by_revenue
    ),
    "district_from_division_code": _Rule(_always("first 6 digits of division_code"), _district_from_division),
    "district_named_in_title": _Rule(_district_in_title_applies, _district_in_title),
    "application_no_from_serial": _Rule(_always("serial_no"), _application_no_from_serial),
    "date_in_title": _Rule(_date_in_title_applies, _date_in_title),
}
