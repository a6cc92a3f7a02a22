"""The whole report model of one snapshot, composed from its frames, manifest and ingestion records (pure)."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping, Sequence

import pandas as pd

from greenmfg.cities import of_parameters
from greenmfg.filing_calendar import CalendarRow
from greenmfg.report import gaps, gather, quality
from greenmfg.report.calendar import calendar_section
from greenmfg.report.model import Label, Link, Report, Table
from greenmfg.storage import keys


def _parameter_value(value: object) -> str:
    """Scalars as written; lists and mappings as compact JSON (the factor table is long)."""
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def sources_table(manifest: dict) -> Table:
    rows = tuple(
        (s.get("filing_type"), str(s.get("period")), s.get("original_name"), s.get("rows"), s.get("sha256"))
        for s in sorted(
            manifest.get("sources", []), key=lambda s: (str(s.get("filing_type")), int(s.get("period") or 0))
        )
    )
    header = (
        Label("来文类型", "Filing type"),
        Label("期别", "Period"),
        Label("文件名", "File"),
        Label("行数", "Rows"),
        Label("SHA-256", "SHA-256"),
    )
    return Table(header, rows, numeric=(False, False, False, True, False))


def parameters_table(manifest: dict) -> Table:
    rows = tuple(
        (name, _parameter_value(value)) for name, value in sorted((manifest.get("parameters") or {}).items())
    )
    return Table((Label("参数", "Parameter"), Label("取值", "Value")), rows)


def dictionary_links(snapshot_id: str, data_docs: bool = False) -> tuple[Link, ...]:
    """The snapshot's own dictionary and, when published, its Data Docs: beside the report, same folder."""
    folder = keys.snapshot_prefix(snapshot_id)
    links = tuple(
        Link(f"data_dictionary.{ext}", key, posixpath.relpath(key, folder))
        for ext in ("md", "json")
        for key in [keys.snapshot_dictionary(snapshot_id, ext)]
    )
    if data_docs:
        index = keys.snapshot_data_docs_index(snapshot_id)
        links += (Link("Data Docs", index, posixpath.relpath(index, folder)),)
    return links


def build_model(
    frames: Mapping[str, pd.DataFrame],
    manifest: dict,
    records: Mapping[str, dict] | None = None,
    staging_base: str | None = None,
    data_docs: bool = False,
    calendar: tuple[Sequence[CalendarRow], str] | None = None,
) -> Report:
    """The report of a snapshot: tiles of the latest year, chart sections, quality panel, footer."""
    year, previous = gather.latest_years(frames)
    snapshot_id = str(manifest.get("snapshot_id", ""))
    gaps_section = gaps.gaps_section(manifest)
    city = of_parameters(manifest.get("parameters") or {})
    sections = (
        *gather.indicator_sections(frames, year, previous, city),
        *([calendar_section(*calendar)] if calendar is not None else []),
        *([gaps_section] if gaps_section is not None else []),
        quality.quality_section(manifest, records or {}, staging_base),
    )
    footer = (
        (Label("来源来文", "Source filings"), sources_table(manifest)),
        (Label("参数", "Parameters"), parameters_table(manifest)),
    )
    return Report(
        snapshot_id=snapshot_id,
        code_version=str(manifest.get("code_version", "")),
        title=Label(f"{city.name_zh}绿色制造统计报告", f"{city.name_en} green manufacturing report"),
        year=year,
        previous_year=previous,
        tiles=gather.tiles(frames, year, previous, city),
        sections=sections,
        footer=footer,
        dictionary_links=dictionary_links(snapshot_id, data_docs) if snapshot_id else (),
    )
