"""The same work as pandas_peer.py in DuckDB SQL: read, check, quarantine, energy intensity of one filing.

    python benchmarks/peers/duckdb_peer.py FILE --out DIR

Independent of greenmfg (it imports nothing of it) and of the pandas peer's code: only the bureau's facts
(facts.py, beside it) are shared. The CSV is read as text and typed with TRY_CAST, so an unreadable cell is
a finding, not a crash; every check is a SQL predicate. Writes the pandas peer's layout: DIR/filings.json,
DIR/filings/0001/accepted.parquet and quarantine.parquet, DIR/energy_intensity.parquet. A file it cannot read
is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb
import facts  # the peer's own facts, beside this script (no greenmfg import)

FLAG_RULES = ("credit_code_check", "energy_total")
UNREADABLE = "__unreadable"  # suffix of the column saying a filed cell could not be read as its type


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _set(values) -> str:
    return "(" + ", ".join(_literal(v) for v in values) + ")"


def clean_select(plan: dict[str, tuple[str, str | None]]) -> str:
    """Each filed column under its canonical name (text trimmed), and source_row: the table keeps the file's
    order, the header being line 1."""
    cells = [
        f"{_quote(raw)} AS {column}"
        if column in (*facts.NUMERIC_COLUMNS, "year")
        else f"nullif(trim({_quote(raw)}), '') AS {column}"
        for raw, (column, _) in plan.items()
    ]
    return "SELECT rowid + 2 AS source_row, " + ", ".join(cells) + " FROM raw"


def _names_table(name: str, names: dict[str, str]) -> str:
    """A lookup table of labels and aliases → codes."""
    rows = ", ".join(f"({_literal(k)}, {_literal(v)})" for k, v in names.items())
    return f"CREATE TABLE {name} AS SELECT * FROM (VALUES {rows}) AS t(name, code)"


def typed_select(path: Path, plan: dict[str, tuple[str, str | None]]) -> str:
    """SELECT of the canonical typed columns (money in 10,000 yuan; codes for labels, anything else kept as
    filed for the code-list check) and `<column>__unreadable` for each typed column."""
    units = {column: unit for column, unit in plan.values()}
    select = ["source_row"]
    for column, unit in units.items():
        if column in facts.NUMERIC_COLUMNS or column == "year":
            number = f"TRY_CAST(replace({column}, ',', '') AS DOUBLE)"
            value = number
            if column in facts.MONEY_COLUMNS:
                divisor, factor = facts.MONEY_UNITS[unit]
                value = f"{number} / {divisor}" if divisor != 1.0 else f"{number} * {factor}"
            select += [
                f"{value} AS {column}",
                f"({column} IS NOT NULL AND {number} IS NULL) AS {column}{UNREADABLE}",
            ]
        elif column == "is_above_size":
            yes, no = _literal(facts.YES), _literal(facts.NO)
            select += [
                f"CASE {column} WHEN {yes} THEN true WHEN {no} THEN false END AS {column}",
                f"({column} IS NOT NULL AND {column} NOT IN ({yes}, {no})) AS {column}{UNREADABLE}",
            ]
        elif column in ("district_code", "size_class"):
            select.append(
                f"coalesce((SELECT code FROM {column}_names WHERE name = {column}), {column}) AS {column}"
            )
        else:
            select.append(column)
    if "year" not in units:
        year = facts.year_of(path)
        if year is None:
            raise facts.FilingProblem(f"{path}: no year column and no year (…2020年…) in the file name")
        select.append(f"CAST({year} AS DOUBLE) AS year")
    select.append("left(industry_code, 2) AS industry_division")
    return "SELECT " + ",\n  ".join(select) + f" FROM ({clean_select(plan)})"


def _energy_sql() -> str:
    """Σ energy by type × tce per unit; NULL where no energy type is filed."""
    terms = [f"coalesce({c} * {factor!r}, 0)" for c, (_, factor) in facts.ENERGY.items()]
    filed = " OR ".join(f"{c} IS NOT NULL" for c in facts.ENERGY)
    return f"CASE WHEN {filed} THEN {' + '.join(terms)} END"


def _credit_code_check_sql() -> str:
    """The expected 18th character of a well-formed code (GB 32100-2015)."""
    total = " + ".join(
        f"(instr('{facts.USCC_CHARSET}', substr(credit_code, {i + 1}, 1)) - 1) * {w}"
        for i, w in enumerate(facts.USCC_WEIGHTS)
    )
    return f"substr('{facts.USCC_CHARSET}', ((31 - ({total}) % 31) % 31) + 1, 1)"


def findings_sql(columns: list[str]) -> str:
    """One (source_row, rule, action, field) row per offending row and rule."""
    unreadable = [c for c in columns if c.endswith(UNREADABLE)]
    checks: list[tuple[str, str, str]] = [("type", "", " OR ".join(unreadable) or "false")]
    for column in facts.REQUIRED:
        excused = f" AND NOT {column}{UNREADABLE}" if column + UNREADABLE in columns else ""
        checks.append(("not_null", column, f"{column} IS NULL{excused}"))
    checks.append(("codes", "district_code", f"district_code NOT IN {_set(facts.DISTRICTS)}"))
    checks.append(("codes", "size_class", f"size_class NOT IN {_set(facts.SIZE_CLASSES)}"))
    for column, pattern in facts.PATTERNS.items():
        checks.append(("pattern", column, f"NOT regexp_full_match({column}, {_literal(pattern[1:-1])})"))
    for column in facts.NUMERIC_COLUMNS:
        checks.append(("range", column, f"{column} < 0"))
    low, high = facts.YEAR_RANGE
    checks.append(("range", "year", f"(year < {low} OR year > {high})"))
    checks.append(
        ("key_unique", "", "row_number() OVER (PARTITION BY year, credit_code ORDER BY source_row) > 1")
    )
    checks.append(
        (
            "manufacturing_division",
            "industry_division",
            f"industry_division NOT IN {_set(facts.MANUFACTURING_DIVISIONS)}",
        )
    )
    eps = facts.EPSILON
    checks.append(
        (
            "value_added_le_gross_output",
            "",
            f"value_added_10k_yuan > gross_output_10k_yuan * (1 + {eps!r}) + {eps!r}",
        )
    )
    threshold = (
        f"CASE WHEN year >= {facts.ABOVE_SIZE_FROM_YEAR} THEN {facts.ABOVE_SIZE_10K_YUAN} "
        f"ELSE {facts.ABOVE_SIZE_BEFORE_10K_YUAN} END"
    )
    checks.append(
        ("above_size_flag", "", f"year IS NOT NULL AND is_above_size <> (revenue_10k_yuan >= {threshold})")
    )
    well_formed = f"regexp_full_match(credit_code, {_literal(facts.PATTERNS['credit_code'][1:-1])})"
    checks.append(
        (
            "credit_code_check",
            "credit_code",
            f"{well_formed} AND substr(credit_code, 18, 1) <> {_credit_code_check_sql()}",
        )
    )
    computed = f"CASE WHEN year BETWEEN {low} AND {high} THEN energy END"
    allowed = (
        f"greatest({facts.ENERGY_TOLERANCE_TCE}, "
        f"{facts.ENERGY_TOLERANCE_SHARE} * greatest(abs(energy_total_tce), abs({computed})))"
    )
    checks.append(("energy_total", "energy_total_tce", f"abs(energy_total_tce - {computed}) > {allowed}"))
    selects = [
        f"SELECT source_row, '{rule}' AS rule, "
        f"'{'flagged' if rule in FLAG_RULES else 'quarantined'}' AS action, '{column}' AS field "
        f"FROM (SELECT source_row, coalesce({predicate}, false) AS offends FROM typed) WHERE offends"
        for rule, column, predicate in checks
    ]
    return "\nUNION ALL ".join(selects)


INDICATOR = f"""
WITH counted AS (
  SELECT year, district_code, industry_division, coalesce(energy, 0) AS energy_tce,
         energy_total_tce AS energy_reported_tce, value_added_10k_yuan
  FROM accepted WHERE is_above_size AND value_added_10k_yuan IS NOT NULL
), fine AS (
  SELECT year, district_code, industry_division, count(*) AS enterprises, sum(energy_tce) AS energy_tce,
         sum(energy_reported_tce) AS energy_reported_tce, sum(value_added_10k_yuan) AS value_added_10k_yuan
  FROM counted GROUP BY ALL
), levels AS (
  SELECT year, district_code AS region_code, 'district' AS region_level, * EXCLUDE (year, district_code)
  FROM fine WHERE district_code <> '{facts.CITY_CODE}'
  UNION ALL
  SELECT year, '{facts.CITY_CODE}', 'city', * EXCLUDE (year, district_code) FROM fine
), totals AS (
  SELECT * FROM levels UNION ALL SELECT * REPLACE ('ALL' AS industry_division) FROM levels
), out AS (
  SELECT CAST(year AS BIGINT) AS year, region_code, region_level, industry_division,
         CAST(sum(enterprises) AS BIGINT) AS enterprises,
         sum(energy_tce) AS energy_tce, sum(energy_reported_tce) AS energy_reported_tce,
         sum(value_added_10k_yuan) AS value_added_10k_yuan,
         sum(energy_tce) / CASE WHEN sum(value_added_10k_yuan) > 0 THEN sum(value_added_10k_yuan) END
           AS energy_per_10k_yuan_value_added
  FROM totals GROUP BY ALL
)
SELECT o.*, (1 - o.energy_per_10k_yuan_value_added / CASE WHEN b.energy_per_10k_yuan_value_added > 0
         THEN b.energy_per_10k_yuan_value_added END) * 100 AS decline_rate_pct
FROM out o LEFT JOIN out b ON b.year = o.year - 1 AND b.region_code = o.region_code
  AND b.industry_division = o.industry_division
ORDER BY o.year, o.region_code, o.region_level, o.industry_division
"""


def run(path: Path, out: Path) -> None:
    """One filing read, checked and split into out/filings/0001/, its indicator into out/ (the pandas peer's
    layout)."""
    plan = facts.header_plan(path)
    folder = out / "filings" / "0001"
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    # Every cell as text, the marks of nothing filed as NULL: a cell that is not a number is a finding.
    marks = ", ".join(_literal(mark) for mark in facts.EMPTY_MARKS)
    csv = f"read_csv({_literal(str(path))}, header = true, all_varchar = true, nullstr = [{marks}])"
    con.execute(f"CREATE TABLE raw AS SELECT * FROM {csv}")
    con.execute(_names_table("district_code_names", facts.DISTRICT_NAMES))
    con.execute(_names_table("size_class_names", facts.SIZE_NAMES))
    con.execute(
        f"CREATE TABLE typed AS SELECT *, {_energy_sql()} AS energy FROM ({typed_select(path, plan)})"
    )
    con.execute("DROP TABLE raw")  # a 5M-row filing is ~800 MB of text
    columns = [row[0] for row in con.execute("DESCRIBE typed").fetchall()]
    con.execute(f"CREATE TABLE found AS {findings_sql(columns)}")
    helpers = [c for c in columns if c.endswith(UNREADABLE)]
    con.execute(
        f"CREATE TABLE accepted AS SELECT * EXCLUDE ({', '.join(helpers)}) FROM typed ANTI JOIN "
        "(SELECT source_row FROM found WHERE action = 'quarantined') USING (source_row) ORDER BY source_row"
    )
    for target, query in (
        (folder / "accepted.parquet", "SELECT * EXCLUDE (energy) FROM accepted"),
        (folder / "quarantine.parquet", "SELECT * FROM found ORDER BY source_row, rule, field"),
        (out / "energy_intensity.parquet", INDICATOR),
    ):
        con.execute(f"COPY ({query}) TO {_literal(str(target))} (FORMAT parquet)")
    rows, accepted = con.execute(
        "SELECT (SELECT count(*) FROM typed), (SELECT count(*) FROM accepted)"
    ).fetchone()
    index = [
        {"path": str(path), "folder": folder.name, "rows": rows, "accepted": accepted, "table_flags": []}
    ]
    (out / "filings.json").write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n", "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        run(args.path, args.out)
    except (facts.FilingProblem, OSError, duckdb.Error) as exc:
        print(f"duckdb_peer: {args.path}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
