"""Build a snapshot: select the filings in force, derive the indicators, publish atomically."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from greenmfg import staging
from greenmfg.errors import SnapshotError
from greenmfg.publish.writer import LATEST
from greenmfg.storage import Stores
from greenmfg.versioning import code_version

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Selection:
    """The filings a snapshot is built from: the winner of each (filing type, period), and every record."""

    chosen: dict[tuple[str, int], staging.StagedPart]
    records: list[dict]

    def sources(self) -> list[dict]:
        return [
            {
                "sha256": p.sha256,
                "filing_type": p.filing_type,
                "period": p.period,
                "original_name": p.original_name,
                "rows": p.rows,
            }
            for p in self.chosen.values()
        ]

    def validation_summary(self) -> dict:
        """Per source filing: rows parsed, accepted, quarantined and dropped, and failed expectations."""
        in_force = {p.sha256 for p in self.chosen.values()}
        summary = []
        for record in sorted(self.records, key=lambda r: (r["original_name"], r["sha256"])):
            for part in record.get("parts", []):
                failed = [
                    {"rule": e["rule"], "severity": e["severity"], "failed": e["failed"]}
                    for e in part.get("validation", {}).get("expectations", [])
                    if e.get("failed")
                ]
                summary.append(
                    {
                        "sha256": record["sha256"],
                        "original_name": record["original_name"],
                        "filing_type": part["filing_type"],
                        "status": part["status"],
                        "in_force": record["sha256"] in in_force,
                        "rows_parsed": part["rows_parsed"],
                        "rows_accepted": part["rows_accepted"],
                        "rows_quarantined": part["rows_quarantined"],
                        "rows_dropped": len(part["dropped_rows"]),
                        "failed_expectations": failed,
                    }
                )
            if record["status"] == "unreadable":
                summary.append(
                    {
                        "sha256": record["sha256"],
                        "original_name": record["original_name"],
                        "status": "unreadable",
                        "message": record.get("message", ""),
                    }
                )
        return {"filings": summary}


def select_filings(stores: Stores) -> Selection:
    records = staging.all_records(stores.staging)
    return Selection(staging.winners(staging.staged_parts(records)), records)


def nothing_to_publish(stores: Stores) -> bool:
    """No filing in force and no snapshot yet. With a snapshot, a publication of no filings is still due:
    it withdraws the figures of the filings rejected since (through the diff gate, as any other drop)."""
    from greenmfg.publish.commits import latest

    return not select_filings(stores).chosen and latest(stores.published) is None


def load_inputs(stores: Stores, selection: Selection) -> dict[str, pd.DataFrame]:
    return staging.load_accepted(stores.staging, selection.chosen)


def derive(inputs: dict[str, pd.DataFrame], params, *, datasets: Iterable[str] | None = None):
    from greenmfg.indicators import DATASETS
    from greenmfg.indicators import derive as derive_one

    names = list(datasets) if datasets else list(DATASETS)
    return {name: derive_one(name, inputs, params) for name in names}


def held_sources(selection: Selection, datasets: Mapping[str, pd.DataFrame]) -> list[dict]:
    """The filings in force whose rows the datasets hold (the union of their `source_sha256s`): what a
    snapshot's manifest lists as its sources, exactly. A row naming a filing not in force is refused."""
    from greenmfg.indicators.common import SOURCE_SEPARATOR, SOURCE_SHA256S

    cited: set[str] = set()
    for frame in datasets.values():
        if SOURCE_SHA256S.name in frame.columns:
            for cell in frame[SOURCE_SHA256S.name].dropna().unique():
                cited.update(sha for sha in str(cell).split(SOURCE_SEPARATOR) if sha)
    sources = selection.sources()
    unknown = sorted(cited - {s["sha256"] for s in sources})
    if unknown:
        raise SnapshotError(
            f"derived rows name {len(unknown)} filing(s) that are not in force, e.g. {unknown[:3]}; "
            f"expected only the {len(sources)} filing part(s) selected"
        )
    return [s for s in sources if s["sha256"] in cited]


def unchanged_snapshot(stores: Stores, selection: Selection, params) -> dict | None:
    """What publishing would find when the latest snapshot was built from these very filings, parameters
    and code: then loading and deriving are skipped (a run with nothing new costs well under a second).

    A manifest lists only the filings whose rows it holds, so this finds latest only when it holds rows of
    every filing now in force; otherwise the publication derives, and finds any equal content by its id."""
    from dataclasses import asdict

    from greenmfg.publish import current_snapshot
    from greenmfg.storage import keys

    head = current_snapshot(
        stores.published, sources=selection.sources(), parameters=asdict(params), code_version=code_version()
    )
    if head is None:
        return None
    return {
        "snapshot_id": head.snapshot_id,
        "sequence": None,
        "is_new": False,
        "manifest_key": head.manifest_key,
        "diff": None,
        "warnings": [],
        "report": stores.published.uri(keys.snapshot_report(head.snapshot_id)),
    }


def publish(
    stores: Stores,
    datasets: dict[str, pd.DataFrame],
    selection: Selection,
    params,
    *,
    diff_policy=None,
    accept_diff: bool = False,
):
    """Prepare these datasets against latest and commit them once (StaleParentError when another publisher
    commits in between): for datasets derived beforehand. Publications from staging run the loop of
    greenmfg.publication, which selects and derives again instead."""
    from greenmfg.publish import commit_snapshot

    prepared = prepare(stores, datasets, selection, params, diff_policy=diff_policy, accept_diff=accept_diff)
    return commit_snapshot(stores.published, prepared)


def prepare(
    stores: Stores,
    datasets: dict[str, pd.DataFrame],
    selection: Selection,
    params,
    *,
    diff_policy=None,
    accept_diff: bool = False,
    parent=LATEST,
    inputs: Mapping[str, pd.DataFrame] | None = None,
):
    """The snapshot `publish` would commit, diffed against its parent (default: latest) with the gate's
    verdict; nothing written. Its sources are the filings whose rows the datasets hold. Given the `inputs`
    the datasets were derived from, the manifest's validation also lists the removal notices' rows that
    name no listed entry (`unmatched_removals`): findings across filings that no filing's validation sees.

    The gate's thresholds are the settings' `[diff_gate]` unless `diff_policy` is given; `accept_diff` lets
    its blocks through, recorded in the manifest.
    """
    from dataclasses import asdict

    from greenmfg.dictionary import build_dictionary, to_markdown
    from greenmfg.indicators import DATASETS
    from greenmfg.indicators.gaps import missing_inputs
    from greenmfg.publish import load_diff_policy, prepare_snapshot

    dictionary = build_dictionary(getattr(params, "city_code", None))  # the snapshot's city
    validation = selection.validation_summary()
    if inputs is not None:
        from greenmfg.indicators.miit_cities import unmatched_removals

        validation["unmatched_removals"] = unmatched_removals(inputs)
    return prepare_snapshot(
        stores.published,
        datasets,
        schemas={name: DATASETS[name].arrow_schema() for name in datasets},
        partition_by={name: list(DATASETS[name].partition_by) for name in datasets},
        sources=held_sources(selection, datasets),
        parameters=asdict(params) if hasattr(params, "__dataclass_fields__") else dict(params),
        validation=validation,
        dictionary_json=dictionary,
        dictionary_markdown=to_markdown(dictionary),
        code_version=code_version(),
        diff_policy=diff_policy if diff_policy is not None else load_diff_policy(),
        value_columns={name: list(DATASETS[name].total_columns) for name in datasets},
        dataset_parameters={name: list(DATASETS[name].parameters) for name in datasets},
        missing_inputs=missing_inputs(_periods_with_rows(selection), [DATASETS[name] for name in datasets]),
        accept_diff=accept_diff,
        parent=parent,
    )


def _periods_with_rows(selection: Selection) -> dict[str, list[int]]:
    """Filing type → the periods whose filing in force has rows: what the derived datasets had as input."""
    periods: dict[str, list[int]] = {}
    for (filing_type, period), part in sorted(selection.chosen.items()):
        if part.rows:
            periods.setdefault(filing_type, []).append(period)
    return periods
