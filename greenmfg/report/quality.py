"""The data-quality panel: filings received per period, rows quarantined per rule, links to validation output.

Pure: it reads the manifest's sources and validation summary, and the ingestion records of those filings
(for the periods each covered and the keys of its validation output), and returns a report Section.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from greenmfg.report.model import Chart, Label, Link, Section, Series, Table
from greenmfg.storage import keys

SEVERITY = {
    "row": Label("隔离", "quarantined"),
    "warning": Label("警示", "flagged"),
    "critical": Label("拒收", "rejected"),
}
# Validation outputs of a filing, in the order the panel links them.
OUTPUTS = (
    ("data_docs", "Data Docs"),
    ("gx_result", "GX result"),
    ("summary", "summary.json"),
    ("quarantine", "quarantine.parquet"),
)


def _filings(manifest: dict) -> list[dict]:
    return list((manifest.get("validation") or {}).get("filings", []))


def _rule(failed: dict) -> str:
    return str(failed.get("expectation") or failed.get("rule") or failed.get("name") or "?")


def received_per_period(manifest: dict, records: Mapping[str, dict]) -> Table:
    """One row per filing type and period: filings received, the one in force and its rows."""
    received: dict[tuple[str, int], set[str]] = defaultdict(set)
    for sha, record in records.items():
        for part in record.get("parts", []):
            for period in part.get("periods", []):
                received[(part["filing_type"], int(period))].add(sha)
    in_force = {(s["filing_type"], int(s["period"])): s for s in manifest.get("sources", [])}
    for slot, source in in_force.items():
        received[slot].add(source["sha256"])
    rows = []
    for filing_type, period in sorted(received):
        source = in_force.get((filing_type, period), {})
        rows.append(
            (
                filing_type,
                str(period),
                len(received[(filing_type, period)]),
                source.get("original_name"),
                source.get("rows"),
            )
        )
    header = (
        Label("来文类型", "Filing type"),
        Label("期别", "Period"),
        Label("收到份数", "Filings received"),
        Label("采用的来文", "Filing in force"),
        Label("采用行数", "Rows in force"),
    )
    return Table(header, tuple(rows), numeric=(False, False, True, False, True))


def quarantined_per_rule(manifest: dict) -> tuple[Chart, Table]:
    """Rows failing each rule over the snapshot's filings, coloured by what happened to them, and a table."""
    failed_rows: dict[tuple[str, str, str], int] = defaultdict(int)
    filings: dict[tuple[str, str, str], int] = defaultdict(int)
    for filing in _filings(manifest):
        for failed in filing.get("failed_expectations", []):
            slot = (filing.get("filing_type", "?"), _rule(failed), str(failed.get("severity", "")))
            failed_rows[slot] += int(failed.get("failed") or 0)
            filings[slot] += 1
    order = sorted(failed_rows, key=lambda s: (-failed_rows[s], s))
    actions = [sev for sev in SEVERITY if any(slot[2] == sev for slot in order)]
    chart = Chart(
        "rows_failing_per_rule",
        "hbars",
        Label("各规则未通过行数", "Rows failing per rule"),
        tuple(Label(f"{t}: {r}", f"{t}: {r}") for t, r, _ in order),
        tuple(
            Series(SEVERITY[sev], tuple(float(failed_rows[s]) if s[2] == sev else None for s in order))
            for sev in actions
        ),
        Label("规则", "Rule"),
        Label("行数", "rows"),
        note=Label(
            "本快照所有来文合计；隔离的行不进入指标，警示的行进入指标并供复核",
            "All filings of this snapshot; quarantined rows are left out of the indicators, flagged rows are "
            "kept and listed for review",
        ),
    )
    header = (
        Label("来文类型", "Filing type"),
        Label("规则", "Rule"),
        Label("处理", "Action"),
        Label("未通过行数", "Rows failing"),
        Label("涉及来文", "Filings"),
    )
    rows = tuple(
        (
            t,
            r,
            f"{SEVERITY[sev].zh} {SEVERITY[sev].en}" if sev in SEVERITY else sev,
            failed_rows[(t, r, sev)],
            filings[(t, r, sev)],
        )
        for t, r, sev in order
    )
    return chart, Table(header, rows, numeric=(False, False, False, True, True))


def validation_links(filing: dict, record: dict | None, staging_base: str | None) -> tuple[Link, ...]:
    """Links to one filing's validation output: keys from its ingestion record, else the standard keys."""
    filing_type, sha = filing.get("filing_type"), filing.get("sha256", "")
    written: dict[str, str] = {}
    for part in (record or {}).get("parts", []):
        if part.get("filing_type") == filing_type:
            written.update(part.get("validation_keys") or {})
    if not written and filing_type and len(sha) == 64:
        written = {
            "summary": keys.validation_summary(filing_type, sha),
            "quarantine": keys.quarantine(filing_type, sha),
        }
    links = []
    for name, text in OUTPUTS:
        if name in written:
            key = written[name]
            links.append(Link(text, key, None if staging_base is None else staging_base + key))
    return tuple(links)


def filings_table(manifest: dict, records: Mapping[str, dict], staging_base: str | None) -> Table:
    """Every filing the snapshot's validation summary names, with its row counts and validation links."""
    rows = []
    for filing in _filings(manifest):
        sha = filing.get("sha256", "")
        rows.append(
            (
                filing.get("original_name"),
                filing.get("filing_type") or "–",
                filing.get("status"),
                "✓" if filing.get("in_force") else "",
                filing.get("rows_parsed"),
                filing.get("rows_accepted"),
                filing.get("rows_quarantined"),
                filing.get("rows_dropped"),
                validation_links(filing, records.get(sha), staging_base) if filing.get("filing_type") else (),
            )
        )
    header = (
        Label("来文", "Filing"),
        Label("类型", "Type"),
        Label("状态", "Status"),
        Label("采用", "In force"),
        Label("解析行", "Parsed"),
        Label("接收行", "Accepted"),
        Label("隔离行", "Quarantined"),
        Label("丢弃行", "Dropped"),
        Label("校验结果", "Validation output"),
    )
    return Table(header, tuple(rows), numeric=(False, False, False, False, True, True, True, True, False))


def quality_section(manifest: dict, records: Mapping[str, dict], staging_base: str | None) -> Section:
    """The whole panel; `staging_base` is the relative href of the staging root, None when unreachable."""
    filings = _filings(manifest)
    chart, rules = quarantined_per_rule(manifest)
    quarantined = sum(int(f.get("rows_quarantined") or 0) for f in filings)
    where = (
        Label(
            "链接指向暂存区（与发布区同一存储时可直接打开）",
            "Links point into the staging area (they open when it sits beside the published area)",
        )
        if staging_base is not None
        else Label(
            "暂存区与发布区不在同一存储：请按键名查找",
            "The staging area is elsewhere: look the keys up there",
        )
    )
    slots = len(manifest.get("sources", []))
    intro = Label(
        f"本快照依据 {len(filings)} 份来文，覆盖 {slots} 个来文类型与期别；隔离区共 {quarantined:,} 行"
        f"（隔离或警示）。{where.zh}",
        f"This snapshot draws on {len(filings)} filings covering {slots} filing-type periods; "
        f"their quarantine outputs hold {quarantined:,} rows (quarantined or flagged). {where.en}.",
    )
    return Section(
        Label("数据质量", "Data quality"),
        charts=(chart,),
        tables=(
            (Label("各期来文", "Filings received per period"), received_per_period(manifest, records)),
            (Label("未通过的规则", "Rules that failed"), rules),
            (
                Label("各来文校验结果", "Validation results per filing"),
                filings_table(manifest, records, staging_base),
            ),
        ),
        intro=intro,
    )
