"""The gaps panel: figures left empty because an input was missing, removal-notice rows that removed nothing,
and diff-gate blocks a publisher accepted.

Pure: it reads the manifest's `missing_inputs`, `validation.unmatched_removals`, `accepted_blocks` and
`accepted_by` (older manifests have none) and returns a report Section, or None when there is nothing to say.
"""

from __future__ import annotations

from greenmfg.report.model import Label, Section, Table


def missing_inputs_table(manifest: dict) -> Table:
    """One row per dataset and period published without one of the inputs it needs."""
    rows = tuple(
        (gap.get("dataset"), str(gap.get("period")), ", ".join(gap.get("missing") or ()), gap.get("effect"))
        for gap in manifest.get("missing_inputs") or ()
    )
    header = (
        Label("数据集", "Dataset"),
        Label("期别", "Period"),
        Label("缺少的来文类型", "Missing filing types"),
        Label("发布的结果", "What was published"),
    )
    return Table(header, rows)


def unmatched_removals_table(manifest: dict) -> Table:
    """One row per removal-notice row naming no listed entry: the entry it meant is still counted."""
    rows = tuple(
        (
            f"{row.get('source_sha256', '')[:12]} #{row.get('source_row')}",
            row.get("list_type"),
            str(row.get("batch")),
            " ".join(str(row[c]) for c in ("entity_name", "product_name", "product_model") if row.get(c)),
            row.get("notice_date"),
        )
        for row in (manifest.get("validation") or {}).get("unmatched_removals") or ()
    )
    header = (
        Label("来文与行", "Filing and row"),
        Label("名单", "List"),
        Label("批次", "Batch"),
        Label("所列名称", "Name as written"),
        Label("调整日期", "Notice date"),
    )
    return Table(header, rows)


def accepted_blocks_table(manifest: dict) -> Table:
    """One row per change the diff gate would have blocked and a publisher accepted."""
    by = manifest.get("accepted_by") or "?"
    rows = tuple((by, block) for block in manifest.get("accepted_blocks") or ())
    return Table((Label("接受人", "Accepted by"), Label("变化", "Change")), rows)


def gaps_section(manifest: dict) -> Section | None:
    """The panel, or None when every input was there and nothing was accepted past the gate."""
    gaps, accepted = missing_inputs_table(manifest), accepted_blocks_table(manifest)
    unmatched = unmatched_removals_table(manifest)
    if not gaps.rows and not accepted.rows and not unmatched.rows:
        return None
    tables = []
    if gaps.rows:
        tables.append((Label("缺失的输入", "Missing inputs"), gaps))
    if unmatched.rows:
        tables.append(
            (
                Label(
                    "未匹配任何名单条目的调整（未移出任何条目）",
                    "Removals naming no listed entry (nothing removed)",
                ),
                unmatched,
            )
        )
    if accepted.rows:
        tables.append((Label("已接受的差异闸门拦截", "Diff-gate blocks accepted"), accepted))
    intro = Label(
        f"{len(gaps.rows)} 处指标因缺少来文而为空（不是 0）；"
        f"{len(unmatched.rows)} 行动态调整未匹配任何名单条目，未移出任何条目；"
        f"{len(accepted.rows)} 项差异闸门拦截经人工接受后发布。",
        f"{len(gaps.rows)} figure(s) are empty (not 0) because an input filing was missing; "
        f"{len(unmatched.rows)} removal-notice row(s) name no listed entry and removed nothing; "
        f"{len(accepted.rows)} change(s) the diff gate blocks were accepted by a person and published.",
    )
    return Section(Label("缺口与例外", "Gaps and exceptions"), tables=tuple(tables), intro=intro)
