"""Validate one parsed filing: run its suite through Great Expectations, split accepted from quarantined rows.

Order: schema (column presence and dtypes, on the zero-length frame) → rows (cheap SUMMARY pass over
only the columns the suite reads, then COMPLETE for the expectations that failed, to get their row
indices) → facts (drift and batch counts). A failed critical expectation rejects the whole filing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from greenmfg.contracts import Contract, get_contract
from greenmfg.validation import gx
from greenmfg.validation.config import ValidationConfig, load_config
from greenmfg.validation.declaration import CheckInput, Rule
from greenmfg.validation.fact_rules import table_facts
from greenmfg.validation.outcome import (
    ACTIONS,
    QUARANTINE_HEAD,
    QUARANTINE_TAIL,
    ExpectationSummary,
    ValidationOutcome,
    ValidationSummary,
)
from greenmfg.validation.rules import rules_for


def validate(
    rows: pd.DataFrame,
    filing_type: str,
    *,
    cell_errors: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
    config: ValidationConfig | None = None,
    source_name: str = "",
) -> ValidationOutcome:
    """Validate canonical rows of one filing type (see the module docstring and expectations/README.md)."""
    config = config or load_config()
    contract = get_contract(filing_type)
    rules = rules_for(filing_type, config)
    rows = rows.reset_index(drop=True)
    run = _Run(contract, config, rows, cell_errors)

    run.check_schema([r for r in rules if r.frame == "schema"])
    row_rules = [r for r in rules if r.frame == "rows"]
    fact_rules = [r for r in rules if r.frame == "facts"]
    if run.schema_ok:
        run.check_rows(row_rules)
        run.check_facts(fact_rules, previous)
    else:
        run.not_run([*row_rules, *fact_rules], "the schema is broken: rows were not validated")
    return run.outcome(source_name, rules)


class _Run:
    """The state of one validation: GX results, quarantine entries and per-rule summaries."""

    def __init__(
        self,
        contract: Contract,
        config: ValidationConfig,
        rows: pd.DataFrame,
        cell_errors: pd.DataFrame | None,
    ):
        self.contract, self.config, self.rows, self.cell_errors = contract, config, rows, cell_errors
        self.results: list[Any] = []
        self.entries: list[pd.DataFrame] = []
        self.summaries: dict[str, ExpectationSummary] = {}
        self.schema_ok = True

    # --- the three frames -------------------------------------------------------------------------
    def check_schema(self, rules: list[Rule]) -> None:
        result = gx.run(self.contract.filing_type, _configs(rules), self.rows.iloc[:0], gx.SUMMARY)
        self.results.append(result)
        for rule, res in _paired(rules, result):
            failed = not res.success
            observed = res.result.get("observed_value")
            if failed:
                self.schema_ok = False
                found = "missing" if rule.name.startswith("column:") else str(observed)
                message = f"{rule.description}; found {found}" + _exception(res)
                self.entries.append(self._table_entry(rule, rule.columns[0], found, message))
            self._summarise(
                rule,
                1,
                int(failed),
                [str(observed)] if failed and observed else [],
                _exception(res).lstrip("; "),
            )

    def check_rows(self, rules: list[Rule]) -> None:
        frame = self._rows_frame(rules)
        result = gx.run_by_column(self.contract.filing_type, _configs(rules), frame, gx.BOOLEAN_ONLY)
        failed = [(rule, res) for rule, res in _paired(rules, result) if not res.success]
        details: dict[str, Any] = {}
        if failed:
            detail = gx.run_by_column(
                self.contract.filing_type, _configs([r for r, _ in failed]), frame, gx.COMPLETE
            )
            details = {rule.name: res for rule, res in _paired([r for r, _ in failed], detail)}
        present = frame.notna().sum()
        for rule, res in _paired(rules, result):
            name = rule.kwargs["column"]
            checked = (
                len(frame) if rule.expectation == "expect_column_values_to_not_be_null" else present[name]
            )
            found = details.get(rule.name)
            positions = list(found.result.get("unexpected_index_list") or []) if found is not None else []
            error = _exception(found if found is not None else res)
            if error and not positions:
                self.entries.append(self._table_entry(rule, name, "", rule.description + error))
            if positions:
                self.entries.append(self._row_entries(rule, np.asarray(positions, dtype=np.int64)))
            self._summarise(
                rule,
                int(checked),
                len(positions) or int(bool(error)),
                self._sample(rule.name),
                error.lstrip("; "),
            )
        self.results.append(_with_details(result, details))  # after reading the full index lists

    def check_facts(self, rules: list[Rule], previous: pd.DataFrame | None) -> None:
        facts = table_facts(rules, self.rows, CheckInput(self.contract, self.config, previous=previous))
        present = set(facts["check"].dropna())
        active = [r for r in rules if r.name in present]
        self.not_run(
            [r for r in rules if r.name not in present],
            "no previous filing given" if previous is None else "not applicable",
        )
        if not active:
            return
        result = gx.run(self.contract.filing_type, _configs(active), facts, gx.SUMMARY)
        self.results.append(result)
        for rule, res in _paired(active, result):
            mine = facts[facts["check"] == rule.name]
            bad = mine[~mine["is_ok"].astype(bool)]
            if not res.success and len(bad) == 0:  # GX raised: report it rather than pass silently
                bad = mine
            for fact in bad.itertuples(index=False):
                value = f"{fact.observed:g}" if rule.name != "batch_count" else f"{fact.observed:g} rows"
                self.entries.append(
                    self._table_entry(
                        rule, fact.group or "", value, f"{rule.description}: {fact.detail}" + _exception(res)
                    )
                )
            self._summarise(
                rule,
                len(mine),
                len(bad),
                [str(d) for d in bad["detail"]][: self.config.sample_size],
                "; ".join(str(d) for d in mine["detail"]),
            )

    def not_run(self, rules: Sequence[Rule], why: str) -> None:
        for rule in rules:
            self.summaries[rule.name] = ExpectationSummary(
                rule.name, rule.expectation, rule.severity, ", ".join(rule.columns), 0, 0, "not run", [], why
            )

    # --- building blocks --------------------------------------------------------------------------
    def _rows_frame(self, rules: list[Rule]) -> pd.DataFrame:
        """Only the columns the suite reads; derived checks computed; Int64 as float64 (GX's fast path)."""
        given = CheckInput(self.contract, self.config, self.cell_errors)
        columns: dict[str, pd.Series] = {}
        for rule in rules:
            name = rule.kwargs["column"]
            if name in columns:
                continue
            series = rule.check(self.rows, given) if rule.check else self.rows[name]
            if isinstance(series.dtype, pd.Int64Dtype):
                series = series.astype("float64")
            columns[name] = series
        return pd.DataFrame(columns, index=self.rows.index)

    def _base(self, positions: np.ndarray) -> dict[str, Any]:
        picked = self.rows.iloc[positions]
        base: dict[str, Any] = {
            "source_sha256": picked["source_sha256"].astype("string").to_numpy(),
            "source_row": picked["source_row"].to_numpy(dtype="float64", na_value=np.nan),
        }
        for key in self.contract.key:
            base[key] = _as_text(picked[key]).to_numpy()
        return base

    def _row_entries(self, rule: Rule, positions: np.ndarray) -> pd.DataFrame:
        if rule.name == "type":
            return self._type_entries(rule, positions)
        entries = pd.DataFrame(self._base(positions))
        entries["expectation"], entries["rule"], entries["severity"] = (
            rule.expectation,
            rule.name,
            rule.severity,
        )
        entries["action"] = ACTIONS.get(rule.severity, rule.severity)
        entries["column"] = ", ".join(rule.columns)
        entries["offending_value"] = _render(self.rows.iloc[positions], rule.columns).to_numpy()
        entries["message"] = rule.description
        if rule.name == "key_unique":
            entries["message"] = self._first_filed_at(positions)
        return entries

    def _type_entries(self, rule: Rule, positions: np.ndarray) -> pd.DataFrame:
        """One entry per unreadable cell, with the raw text the parser could not convert."""
        base = pd.DataFrame(self._base(positions))
        errors = self.cell_errors[["source_row", "column", "raw_value", "expected"]].copy()
        errors["source_row"] = errors["source_row"].astype("float64")
        entries = base.merge(errors, on="source_row", how="inner", sort=False)
        entries.insert(len(base.columns), "expectation", rule.expectation)
        entries.insert(len(base.columns) + 1, "rule", rule.name)
        entries.insert(len(base.columns) + 2, "severity", rule.severity)
        entries.insert(len(base.columns) + 3, "action", ACTIONS.get(rule.severity, rule.severity))
        entries["offending_value"] = entries["raw_value"].astype("string")
        entries["message"] = "could not read the cell as " + entries["expected"].astype("string")
        return entries.drop(columns=["raw_value", "expected"])

    def _first_filed_at(self, positions: np.ndarray) -> np.ndarray:
        key = list(self.contract.key)
        repeated = self.rows[self.rows.duplicated(subset=key, keep=False)]
        first = repeated.groupby(key, dropna=False, sort=False)["source_row"].transform("first")
        first_at = first.reindex(self.rows.index[positions])
        return np.array([f"the key was already filed at source row {v}" for v in first_at], dtype=object)

    def _table_entry(self, rule: Rule, column: str, value: str, message: str) -> pd.DataFrame:
        entry: dict[str, Any] = {"source_sha256": [_first_sha(self.rows)], "source_row": [np.nan]}
        entry.update({key: [pd.NA] for key in self.contract.key})
        entry.update(
            {
                "expectation": [rule.expectation],
                "rule": [rule.name],
                "severity": [rule.severity],
                "action": [ACTIONS.get(rule.severity, rule.severity)],
                "column": [column],
                "offending_value": [value],
                "message": [message],
            }
        )
        return pd.DataFrame(entry)

    def _sample(self, rule_name: str) -> list[str]:
        """The first offending values of a rule, each with the source row it came from: `row 14: '12%'`."""
        if not self.entries or self.config.sample_size == 0:
            return []
        last = self.entries[-1]
        if last.empty or last["rule"].iloc[0] != rule_name:
            return []
        shown = last.head(self.config.sample_size)
        by_cell = rule_name == "type"  # one entry per unreadable cell: say which column
        return [
            _row_sample(row, column if by_cell else None, value)
            for row, column, value in zip(
                shown["source_row"], shown["column"], shown["offending_value"], strict=True
            )
        ]

    def _summarise(self, rule: Rule, checked: int, failed: int, sample: list[str], detail: str = "") -> None:
        self.summaries[rule.name] = ExpectationSummary(
            rule.name,
            rule.expectation,
            rule.severity,
            ", ".join(rule.columns),
            checked,
            failed,
            "failed" if failed else "passed",
            sample,
            detail,
        )

    # --- the verdict ------------------------------------------------------------------------------
    def quarantine(self) -> pd.DataFrame:
        columns = [*QUARANTINE_HEAD, *self.contract.key, *QUARANTINE_TAIL]
        frames = [e[columns] for e in self.entries if len(e)]
        if not frames:
            table = pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
        else:
            table = pd.concat(frames, ignore_index=True)
        table = _drop_not_null_of_unreadable(table, self.cell_errors)
        table = table.astype({c: "string" for c in columns if c != "source_row"})
        table["source_row"] = table["source_row"].astype("Int64")
        return table.sort_values(
            ["source_row", "rule", "column"], kind="stable", na_position="first", ignore_index=True
        )

    def outcome(self, source_name: str, rules: list[Rule]) -> ValidationOutcome:
        quarantine = self.quarantine()
        is_row_level = quarantine["source_row"].notna()
        removing = is_row_level & quarantine["severity"].isin(["row", "critical"])
        removed_rows = set(quarantine.loc[removing, "source_row"].astype(int))
        flagged_rows = set(
            quarantine.loc[is_row_level & (quarantine["severity"] == "warning"), "source_row"].astype(int)
        )
        keep = ~self.rows["source_row"].isin(removed_rows).to_numpy(dtype=bool, na_value=False)
        reasons = [
            f"{s.rule}: {s.failed} of {s.checked} failed"
            + (f" ({s.detail})" if s.detail else "")
            + (f"; e.g. {', '.join(s.sample)}" if s.sample and not s.detail else "")
            for s in self.summaries.values()
            if s.status == "failed" and (s.severity == "critical" or "GX raised" in s.detail)
        ]
        if not self.schema_ok and not reasons:
            reasons.append("the schema is broken: rows were not validated")
        rejected = bool(reasons)
        accepted = self.rows.iloc[:0] if rejected else self.rows[keep].reset_index(drop=True)
        ordered = [self.summaries[r.name] for r in rules if r.name in self.summaries]
        summary = ValidationSummary(
            self.contract.filing_type,
            source_name,
            ordered,
            len(self.rows),
            len(accepted),
            int((~keep).sum()),
            len(flagged_rows - removed_rows),
            rejected,
            reasons,
        )
        return ValidationOutcome(
            self.contract.filing_type,
            accepted,
            quarantine,
            summary,
            rejected,
            reasons,
            gx_result=_combined(self.contract.filing_type, self.results),
        )


def _paired(rules: Sequence[Rule], result: Any) -> list[tuple[Rule, Any]]:
    """Rules with their GX results, matched by rule name (GX does not keep the suite's order)."""
    by_rule = {res.expectation_config.meta["rule"]: res for res in result.results}
    return [(rule, by_rule[rule.name]) for rule in rules]


def _configs(rules: Sequence[Rule]) -> list[dict[str, Any]]:
    return [rule.expectation_config() for rule in rules]


def _exception(result: Any) -> str:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return f"; GX raised: {info.get('exception_message')}"
    return ""


def _first_sha(rows: pd.DataFrame) -> Any:
    if "source_sha256" in rows.columns and len(rows):
        return rows["source_sha256"].iloc[0]
    return pd.NA


def _row_sample(source_row: object, column: str | None, value: object) -> str:
    text = "<NA>" if pd.isna(value) else str(value)
    cell = f"{column}={text!r}" if column else repr(text)
    return cell if pd.isna(source_row) else f"row {int(source_row)}: {cell}"


def _as_text(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.dt.strftime("%Y-%m-%d").astype("string")
    return series.astype("string")


def _render(picked: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """The offending value(s) as text: the value itself, or 'column=value; …' for several columns."""
    texts = [_as_text(picked[c]).fillna("<NA>") for c in columns]
    if not texts:
        return pd.Series("", index=picked.index, dtype="string")
    if len(texts) == 1:
        return texts[0]
    labelled = [f"{c}=" + t for c, t in zip(columns, texts, strict=True)]
    return labelled[0].str.cat(labelled[1:], sep="; ")


def _drop_not_null_of_unreadable(table: pd.DataFrame, cell_errors: pd.DataFrame | None) -> pd.DataFrame:
    """A cell the parser could not read is NA: report it once, as a type error, not also as missing."""
    if cell_errors is None or cell_errors.empty or table.empty:
        return table
    unreadable = set(
        zip(cell_errors["source_row"].astype(float), cell_errors["column"].astype(str), strict=True)
    )
    is_not_null = table["rule"].astype(str).str.startswith("not_null:")
    pairs = zip(table["source_row"].astype(float), table["column"].astype(str), strict=True)
    duplicate = np.fromiter((p in unreadable for p in pairs), dtype=bool, count=len(table))
    return table[~(is_not_null.to_numpy() & duplicate)]


def _with_details(first_pass: Any, details: dict[str, Any]) -> Any:
    """The cheap first-pass result with the COMPLETE results of the failed expectations swapped in."""
    first_pass.results = [details.get(res.expectation_config.meta["rule"], res) for res in first_pass.results]
    for res in details.values():
        res.result["unexpected_index_list"] = list(res.result.get("unexpected_index_list") or [])[:200]
        res.result.pop("unexpected_list", None)
    return first_pass


def _combined(filing_type: str, results: list[Any]) -> Any:
    """One GX suite result for the filing (schema, rows and facts passes), without wall-clock values."""
    return gx.merge_results(filing_type, results) if results else None
