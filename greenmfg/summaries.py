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
                e["name"] for e in part.get("validation", {}).get("expectations", []) if e.get("failed")
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
