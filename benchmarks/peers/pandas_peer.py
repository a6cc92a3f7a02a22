"""A competent pandas script for the bureau's enterprise filings: read, check, quarantine, energy intensity.

    python benchmarks/peers/pandas_peer.py FILE_OR_FOLDER... --out DIR

What a data engineer would write without greenmfg (it imports nothing of it): pandas with the pyarrow CSV
engine, its own header map and code lists (facts.py), every check vectorised, the energy-intensity indicator
by district and industry division. Files are handled one after another in path order (a folder's CSV files
sorted); for each it writes DIR/filings/<n>/accepted.parquet and quarantine.parquet, and at the end
DIR/energy_intensity.parquet from the filing in force for each year (the last one read). A file it cannot
read is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import facts  # the peer's own facts, beside this script (no greenmfg import)
import numpy as np
import pandas as pd

QUARANTINE_COLUMNS = ("source_row", "rule", "action", "field")
FLAG_RULES = ("credit_code_check", "energy_total", "row_count_change", "deleted_keys", "period_continuity")


# ------------------------------------------------------------------ reading


def read_filing(path: Path) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Canonical columns (money in 10,000 yuan) plus source_row, and column → cells that could not be read."""
    plan = facts.header_plan(path)
    as_text = {raw: "str" for raw, (column, _) in plan.items() if column not in facts.NUMERIC_COLUMNS}
    raw = pd.read_csv(path, engine="pyarrow", dtype_backend="pyarrow", usecols=list(plan), dtype=as_text)
    columns: dict[str, object] = {}
    unreadable: dict[str, np.ndarray] = {}
    for header, (column, unit) in plan.items():
        cells = raw[header]
        if column in facts.NUMERIC_COLUMNS or column == "year":
            values, unreadable[column] = _numbers(cells)
            if column in facts.MONEY_COLUMNS:
                divisor, factor = facts.MONEY_UNITS[unit]
                values = values / divisor if divisor != 1.0 else values * factor
            columns[column] = values
        elif column == "is_above_size":
            text = _text(cells)
            columns[column] = text.map({facts.YES: True, facts.NO: False}).astype("boolean")
            unreadable[column] = (text.notna() & columns[column].isna()).to_numpy()
        elif column in ("district_code", "size_class"):
            text = _text(cells)
            names = facts.DISTRICT_NAMES if column == "district_code" else facts.SIZE_NAMES
            columns[column] = text.map(names).fillna(text)  # anything else kept for the code-list check
        else:
            columns[column] = _text(cells)
    if "year" not in columns:
        year = facts.year_of(path)
        if year is None:
            raise facts.FilingProblem(f"{path}: no year column and no year (…2020年…) in the file name")
        columns["year"] = np.full(len(raw), float(year))
    columns["industry_division"] = columns["industry_code"].str.slice(0, 2)
    columns["source_row"] = np.arange(2, len(raw) + 2)
    return pd.DataFrame(columns), unreadable


def _text(cells: pd.Series) -> pd.Series:
    stripped = cells.str.strip()
    return stripped.where(~stripped.isin(facts.EMPTY_MARKS))


def _numbers(cells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """float64 values, and where a filed cell is not a number (thousands separators are allowed)."""
    if pd.api.types.is_numeric_dtype(cells.dtype) and not pd.api.types.is_bool_dtype(cells.dtype):
        return cells.to_numpy(dtype="float64", na_value=np.nan), np.zeros(len(cells), dtype=bool)
    text = _text(cells.astype("str")).str.replace(",", "", regex=False)
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return values, (text.notna().to_numpy() & np.isnan(values))


# ------------------------------------------------------------------ checks


def credit_code_check_ok(codes: pd.Series) -> np.ndarray:
    """True where a well-formed code's 18th character is its check character (GB 32100-2015); True where the
    code is not well formed (the pattern check reports those)."""
    well_formed = codes.str.fullmatch(facts.PATTERNS["credit_code"][1:-1]).fillna(False).to_numpy(dtype=bool)
    ok = np.ones(len(codes), dtype=bool)
    if not well_formed.any():
        return ok
    value_of = np.full(256, 0, dtype=np.int64)
    value_of[np.frombuffer(facts.USCC_CHARSET.encode(), dtype=np.uint8)] = np.arange(len(facts.USCC_CHARSET))
    chars = np.frombuffer(codes[well_formed].to_numpy(dtype="S18").tobytes(), dtype=np.uint8).reshape(-1, 18)
    values = value_of[chars]
    expected = (31 - (values[:, :17] @ np.array(facts.USCC_WEIGHTS)) % 31) % 31
    ok[well_formed] = expected == values[:, 17]
    return ok


def energy_tce(rows: pd.DataFrame) -> np.ndarray:
    """Σ energy by type × tce per unit; NaN where no energy type is filed."""
    quantities = rows[list(facts.ENERGY)].to_numpy(dtype="float64", na_value=np.nan)
    factors = np.array([factor for _, factor in facts.ENERGY.values()])
    total = np.nansum(quantities * factors, axis=1)
    return np.where(np.isnan(quantities).all(axis=1), np.nan, total)


def offending(frame: pd.DataFrame, unreadable: dict[str, np.ndarray]) -> list[tuple[str, str, np.ndarray]]:
    """(rule, column, offending mask) for every row-level rule; the masks of FLAG_RULES only flag."""
    found: list[tuple[str, str, np.ndarray]] = []
    bad_cell = np.zeros(len(frame), dtype=bool)
    for mask in unreadable.values():
        bad_cell |= mask
    found.append(("type", "", bad_cell))
    for column in facts.REQUIRED:
        missing = frame[column].isna().to_numpy() & ~unreadable.get(column, np.zeros(len(frame), dtype=bool))
        found.append(("not_null", column, missing))
    for column, codes in (("district_code", facts.DISTRICTS), ("size_class", facts.SIZE_CLASSES)):
        cells = frame[column]
        found.append(("codes", column, (cells.notna() & ~cells.isin(list(codes))).to_numpy()))
    for column, pattern in facts.PATTERNS.items():
        matched = frame[column].str.fullmatch(pattern[1:-1]).fillna(False).to_numpy(dtype=bool)
        found.append(("pattern", column, frame[column].notna().to_numpy() & ~matched))
    with np.errstate(invalid="ignore"):
        for column in facts.NUMERIC_COLUMNS:
            found.append(("range", column, frame[column].to_numpy() < 0))
        year = frame["year"].to_numpy()
        found.append(("range", "year", (year < facts.YEAR_RANGE[0]) | (year > facts.YEAR_RANGE[1])))
        found.append(("key_unique", "", frame.duplicated(subset=list(facts.KEY), keep="first").to_numpy()))
        division = frame["industry_division"]
        outside = division.notna() & ~division.isin(facts.MANUFACTURING_DIVISIONS)
        found.append(("manufacturing_division", "industry_division", outside.to_numpy()))
        added, gross = frame["value_added_10k_yuan"].to_numpy(), frame["gross_output_10k_yuan"].to_numpy()
        above_gross = added > gross * (1 + facts.EPSILON) + facts.EPSILON
        found.append(("value_added_le_gross_output", "", above_gross))
        threshold = np.where(
            year >= facts.ABOVE_SIZE_FROM_YEAR, facts.ABOVE_SIZE_10K_YUAN, facts.ABOVE_SIZE_BEFORE_10K_YUAN
        )
        revenue, flag = frame["revenue_10k_yuan"].to_numpy(), frame["is_above_size"]
        judged = flag.notna().to_numpy() & ~np.isnan(revenue) & ~np.isnan(year)
        disagrees = flag.fillna(False).to_numpy(dtype=bool) != (revenue >= threshold)
        found.append(("above_size_flag", "", judged & disagrees))
        found.append(("credit_code_check", "credit_code", ~credit_code_check_ok(frame["credit_code"])))
        in_range = (year >= facts.YEAR_RANGE[0]) & (year <= facts.YEAR_RANGE[1])
        computed = np.where(in_range, energy_tce(frame), np.nan)
        reported = frame["energy_total_tce"].to_numpy()
        allowed = np.maximum(
            facts.ENERGY_TOLERANCE_TCE,
            facts.ENERGY_TOLERANCE_SHARE * np.fmax(np.abs(reported), np.abs(computed)),
        )
        found.append(("energy_total", "energy_total_tce", np.abs(reported - computed) > allowed))
    return found


def drift(rows: pd.DataFrame, previous: pd.DataFrame | None) -> list[str]:
    """Table-level flags against the filing in force before (same year, else the latest earlier year)."""
    if previous is None or not len(previous):
        return []
    flags = []
    change = (len(rows) - len(previous)) / len(previous)
    if not -facts.MAX_ROW_COUNT_DROP <= change <= facts.MAX_ROW_COUNT_GROWTH:
        flags.append("row_count_change")
    before = previous["credit_code"].dropna().unique()
    if len(before) and (~pd.Series(before).isin(rows["credit_code"])).mean() > facts.MAX_DELETED_KEY_SHARE:
        flags.append("deleted_keys")
    if rows["year"].min() > previous["year"].max() + 1:
        flags.append("period_continuity")
    return flags


def split(frame: pd.DataFrame, found: list[tuple[str, str, np.ndarray]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(accepted rows, quarantine: one row per offending row and rule)."""
    removed = np.zeros(len(frame), dtype=bool)
    entries = []
    rows = frame["source_row"].to_numpy()
    for rule, column, mask in found:
        if not mask.any():
            continue
        flag_only = rule in FLAG_RULES
        if not flag_only:
            removed |= mask
        entries.append(
            pd.DataFrame(
                {
                    "source_row": rows[mask],
                    "rule": rule,
                    "action": "flagged" if flag_only else "quarantined",
                    "field": column,
                }
            )
        )
    quarantine = (
        pd.concat(entries, ignore_index=True)
        if entries
        else pd.DataFrame(
            {c: pd.Series(dtype="int64" if c == "source_row" else "str") for c in QUARANTINE_COLUMNS}
        )
    )
    return frame[~removed], quarantine.sort_values(["source_row", "rule", "field"], kind="stable")


# ------------------------------------------------------------------ indicator


def energy_intensity(accepted: pd.DataFrame) -> pd.DataFrame:
    """Energy per 10,000 yuan of value added of above-size enterprises with value added, by year, district
    (and the city, 330500) and industry division (and ALL); its decline against the year before."""
    rows = accepted[accepted["is_above_size"].fillna(False).to_numpy(dtype=bool)
                    & accepted["value_added_10k_yuan"].notna().to_numpy()]  # fmt: skip
    rows = rows.assign(
        enterprises=1,
        energy_tce=np.nan_to_num(energy_tce(rows)),
        energy_reported_tce=rows["energy_total_tce"],
    )
    sums = ["enterprises", "energy_tce", "energy_reported_tce", "value_added_10k_yuan"]
    fine = rows.groupby(["year", "district_code", "industry_division"])[sums].sum(min_count=1).reset_index()
    districts = fine[fine["district_code"] != facts.CITY_CODE].assign(region_level="district")
    levels = pd.concat([districts, fine.assign(district_code=facts.CITY_CODE, region_level="city")])
    levels = pd.concat([levels, levels.assign(industry_division="ALL")]).rename(
        columns={"district_code": "region_code"}
    )
    key = ["year", "region_code", "region_level", "industry_division"]
    out = levels.groupby(key)[sums].sum(min_count=1).reset_index()
    value_added = out["value_added_10k_yuan"].where(out["value_added_10k_yuan"] > 0)
    out["energy_per_10k_yuan_value_added"] = out["energy_tce"] / value_added
    before = out[[*key, "energy_per_10k_yuan_value_added"]].assign(year=out["year"] + 1)
    before = before.rename(columns={"energy_per_10k_yuan_value_added": "before"})
    out = out.merge(before, on=key, how="left")
    previous = out["before"].where(out["before"] > 0)
    out["decline_rate_pct"] = (1 - out["energy_per_10k_yuan_value_added"] / previous) * 100
    out["year"] = out["year"].astype("int64")
    out["enterprises"] = out["enterprises"].astype("int64")
    return out.drop(columns="before").sort_values(key, kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------ the script


def filings(paths: list[Path]) -> list[Path]:
    """Files as given; a folder's CSV files in path order."""
    found: list[Path] = []
    for path in paths:
        in_folder = sorted(path.rglob("*.csv")) if path.is_dir() else [path]
        if not in_folder:
            raise facts.FilingProblem(f"{path}: no .csv file in this folder")
        found += in_folder
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    in_force: dict[int, pd.DataFrame] = {}
    index = []
    path = args.paths[0]
    try:
        for number, path in enumerate(filings(args.paths), start=1):
            frame, unreadable = read_filing(path)
            accepted, quarantine = split(frame, offending(frame, unreadable))
            years = sorted(int(y) for y in accepted["year"].dropna().unique())
            earlier = [y for y in in_force if years and y <= years[0]]
            flags = drift(frame, in_force[max(earlier)] if earlier else None)
            folder = args.out / "filings" / f"{number:04d}"
            folder.mkdir(parents=True, exist_ok=True)
            accepted.to_parquet(folder / "accepted.parquet", index=False)
            quarantine.to_parquet(folder / "quarantine.parquet", index=False)
            index.append(
                {
                    "path": str(path),
                    "folder": folder.name,
                    "rows": len(frame),
                    "accepted": len(accepted),
                    "table_flags": flags,
                }
            )
            for year, rows in accepted.groupby("year"):
                in_force[int(year)] = rows
    except facts.FilingProblem as exc:
        print(f"pandas_peer: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:  # pyarrow's CSV errors are ValueErrors
        print(f"pandas_peer: {path}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    rows = pd.concat(list(in_force.values()), ignore_index=True) if in_force else accepted.iloc[:0]
    energy_intensity(rows).to_parquet(args.out / "energy_intensity.parquet", index=False)
    (args.out / "filings.json").write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
