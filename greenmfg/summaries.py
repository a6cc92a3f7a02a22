"""Run summaries as plain rows and Markdown: shown as Prefect artifacts and printed by the CLI."""

from __future__ import annotations

from collections.abc import Iterable


def ingestion_rows(results: Iterable[dict]) -> list[dict]:
    """One row per table of each ingested object: what was parsed, accepted, quarantined, dropped."""
    rows = []
    for result in results:
        parts = result.get("parts") or [{}]
        for part in parts:
            failed = [
                f"{e['rule']} ({e['severity']}: {e['failed']})"
                for e in part.get("validation", {}).get("expectations", [])
                if e.get("failed")
            ]
            rows.append(
                {
                    "landing_key": result.get("landing_key", ""),
                    "sha256": (result.get("sha256") or "")[:12],
                    "status": result["status"],
                    "filing_type": part.get("filing_type", ""),
                    "periods": ",".join(map(str, part.get("periods", []))),
                    "rows_parsed": part.get("rows_parsed", 0),
                    "rows_accepted": part.get("rows_accepted", 0),
                    "rows_quarantined": part.get("rows_quarantined", 0),
                    "rows_flagged": part.get("rows_flagged", 0),
                    "rows_dropped": len(part.get("dropped_rows", [])),
                    "failed_expectations": ", ".join(failed),
                    "message": result.get("message", ""),
                }
            )
    return rows


def markdown_table(rows: list[dict], columns: list[str] | None = None) -> str:
    if not rows:
        return "_none_"
    columns = columns or list(rows[0])
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    body = "".join("| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |\n" for row in rows)
    return head + body


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


# The rows of a dataset that describe the whole city: totals over districts, divisions and kinds.
_CITY_TOTALS = {
    "industry_division": "ALL",
    "incentive_kind": "ALL",
    "source_list": "register",
}


def city_totals(frame, city_code: str) -> list[dict]:
    """The city-total rows of an indicator dataset, without their provenance columns, as plain dicts."""
    mask = None
    for column, value in {"region_code": city_code, **_CITY_TOTALS}.items():
        if column in frame.columns:
            match = frame[column].astype("string") == value
            mask = match if mask is None else mask & match
    rows = frame[mask.fillna(False)] if mask is not None else frame
    rows = rows.drop(columns=[c for c in ("source_sha256s",) if c in rows.columns])
    return [
        {k: (None if v is None or v != v else v) for k, v in row.items()} for row in rows.to_dict("records")
    ]


def publication_markdown(result, datasets: dict, report_url: str | None = None) -> str:
    """Snapshot id and location, diff warnings, and the city totals of each dataset (the selected city's,
    whose policy the flows publish with)."""
    from greenmfg.cities import selected

    city = selected()
    status = f"commit {result.sequence}" if result.is_new else "unchanged: nothing new published"
    parts = [f"# Snapshot `{result.snapshot_id}` ({status})", "", f"Manifest: `{result.manifest_key}`", ""]
    if report_url:
        parts += [f"Report: [{report_url}]({report_url})", ""]
    if result.warnings:
        parts += ["## Warnings", "", *(f"- {w}" for w in result.warnings), ""]
    for name, frame in sorted(datasets.items()):
        if name == "green_list_counts":
            frame = frame[frame["tier"].astype("string") == "national"]
        parts += [f"## {name} ({city.name_en} totals)", "", markdown_table(city_totals(frame, city.code)), ""]
    return "\n".join(parts)


def validation_markdown(results: Iterable[dict]) -> str:
    """Per filing and table: every expectation that ran, with checked and failed counts and severity."""
    parts = ["# Validation summary", ""]
    for result in results:
        for part in result.get("parts", []):
            parts.append(
                f"## {result.get('landing_key') or result.get('original_name', '')} · {part['filing_type']}"
            )
            parts.append(
                f"status **{part['status']}**; rows parsed {part['rows_parsed']}, accepted "
                f"{part['rows_accepted']}, quarantined {part['rows_quarantined']}"
            )
            rows = [
                {
                    "expectation": e["rule"],
                    "severity": e["severity"],
                    "checked": e["checked"],
                    "failed": e["failed"],
                }
                for e in part.get("validation", {}).get("expectations", [])
                if e.get("status") != "not run"
            ]
            parts += ["", markdown_table(rows), ""]
    return "\n".join(parts)
