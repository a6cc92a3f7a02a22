"""`greenmfg ingest`, `publish`, `snapshots` end to end: real command lines in subprocesses on a fresh local
store, with reference filings and files written here (no mocks)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import reference
from helpers.stores import stores_for

from greenmfg.contracts import CONTRACTS
from greenmfg.indicators import DATASETS
from greenmfg.publish import list_snapshots
from greenmfg.storage import keys
from infra.seaweedfs import SeaweedFS

RECORD_FIELDS = {"path", "landing_key", "sha256", "status", "message", "parts"}
PART_FIELDS = {"filing_type", "periods", "rows_parsed", "rows_accepted", "rows_quarantined", "status"}
PART_FIELDS |= {"rejection_reasons", "staged", "notes"}


def greenmfg(*args: str, store: Path | None = None, settings: dict[str, str] | None = None):
    """One `greenmfg` command line as a user runs it, on the local store `store` (or with the GREENMFG_*
    `settings` given); stdout is a pipe."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENMFG_")}
    env |= {"GX_ANALYTICS_ENABLED": "false", "COLUMNS": "80"}
    env |= settings if settings is not None else {"GREENMFG_STORE_URL": str(store)}
    return subprocess.run(
        [sys.executable, "-m", "greenmfg.cli", *args], capture_output=True, text=True, env=env, timeout=300
    )


def reference_file(year: int, filing_type: str) -> Path:
    return next(
        path
        for key, path in reference.landing_files()
        if key.startswith(f"{filing_type}/") and str(year) in key
    )


def published_bytes(store: Path) -> dict[str, bytes]:
    root = store / "published"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@dataclass(frozen=True)
class Ingested:
    """A fresh store after `greenmfg ingest FOLDER --json` of a bureau-shaped folder."""

    store: Path
    folder: Path
    done: subprocess.CompletedProcess[str]
    outcomes: list[dict]


def _bureau_folder(root: Path) -> Path:
    """<type>/ subfolders, a file of unstated type with one bad row, and files that are not filings."""
    folder = root / "bureau"
    for year in (2019, 2020):
        for filing_type in ("enterprise_stats", "green_register", "incentives"):
            source = reference_file(year, filing_type)
            (folder / filing_type).mkdir(parents=True, exist_ok=True)
            shutil.copy(source, folder / filing_type / source.name)
    loans = reference_file(2020, "green_loans")
    text = loans.read_bytes().decode("gb18030").splitlines()
    cells = text[2].split(",")
    cells[3] = "火星区"  # no district of the city: the row is quarantined
    text[2] = ",".join(cells)
    (folder / "贷款台账2020.csv").write_bytes(("\r\n".join(text) + "\r\n").encode("gb18030"))
    (folder / "notes.txt").write_text("not a filing", encoding="utf-8")
    (folder / "incentives" / "~$奖补.xlsx").write_bytes(b"owner file")
    (folder / ".DS_Store").write_bytes(b"\0")
    return folder


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    root = tmp_path_factory.mktemp("cli-ingest")
    folder = _bureau_folder(root)
    done = greenmfg("ingest", str(folder), "--json", store=root / "store")
    assert done.returncode == 0, done.stderr
    return Ingested(root / "store", folder, done, json.loads(done.stdout))


def test_ingest_folder_keeps_type_subfolders_and_detects_the_rest(ingested: Ingested) -> None:
    by_key = {o["landing_key"]: o for o in ingested.outcomes}
    assert sorted(by_key) == sorted(
        [
            f"{ft}/{reference_file(y, ft).name}"
            for y in (2019, 2020)
            for ft in ("enterprise_stats", "green_register", "incentives")
        ]
        + ["auto/贷款台账2020.csv"]
    )
    assert {o["status"] for o in ingested.outcomes} == {"accepted"}
    assert [p["filing_type"] for p in by_key["auto/贷款台账2020.csv"]["parts"]] == ["green_loans"]
    landed = sorted(
        p.relative_to(ingested.store / "landing").as_posix()
        for p in (ingested.store / "landing").rglob("*.*")
    )
    assert landed == sorted(by_key)  # hidden, owner and other files were not landed
    assert "skipped 1 file(s)" in ingested.done.stderr and "notes.txt" in ingested.done.stderr


def test_ingest_json_has_one_object_per_file_with_the_recorded_parts(ingested: Ingested) -> None:
    for outcome in ingested.outcomes:
        assert set(outcome) == RECORD_FIELDS
        assert Path(outcome["path"]).is_file() and len(outcome["sha256"]) == 64
        source = Path(outcome["path"]).read_bytes()
        assert hashlib.sha256(source).hexdigest() == outcome["sha256"]
        for part in outcome["parts"]:
            assert set(part) >= PART_FIELDS
            assert part["rows_accepted"] + part["rows_quarantined"] <= part["rows_parsed"]
            staged_rows = 0
            for period, staged in part["staged"].items():
                assert str(period) in staged["key"] and (ingested.store / "staging" / staged["key"]).is_file()
                staged_rows += staged["rows"]
            assert staged_rows == part["rows_accepted"]
    loans = next(o for o in ingested.outcomes if o["landing_key"].startswith("auto/"))["parts"][0]
    assert loans["rows_quarantined"] == 1 and loans["periods"] == [2020]


def test_ingest_refusals_exit_3_with_the_reason_and_keep_the_bytes(
    ingested: Ingested, tmp_path: Path
) -> None:
    loans = shutil.copy(reference_file(2019, "green_loans"), tmp_path / "loans.csv")
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes("这不是报表\n只有两行\n".encode())
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned form")
    done = greenmfg(
        "ingest", str(loans), str(garbage), str(scan), "--type", "green_loans", "--period", "2019",
        store=ingested.store,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    rows = {Path(line.split()[0]).name: line for line in lines if line.startswith(str(tmp_path))}
    assert set(rows) == {"loans.csv", "garbage.csv", "scan.pdf"}
    assert " accepted" in rows["loans.csv"] and " unreadable " in rows["garbage.csv"]
    assert " refused " in rows["scan.pdf"] and "unsupported file type" in rows["scan.pdf"]
    landing = ingested.store / "landing" / "green_loans" / "period=2019"
    assert sorted(p.name for p in landing.iterdir()) == ["garbage.csv", "loans.csv", "scan.pdf"]
    raw = ingested.store / "raw"
    garbage_sha = hashlib.sha256(garbage.read_bytes()).hexdigest()
    scan_sha = hashlib.sha256(scan.read_bytes()).hexdigest()
    assert (raw / keys.raw_filing(garbage_sha)).read_bytes() == garbage.read_bytes()
    assert (raw / keys.raw_rejected(scan_sha)).read_bytes() == scan.read_bytes()


def test_ingest_table_in_a_pipe_has_one_line_per_row(ingested: Ingested, tmp_path: Path) -> None:
    """Rows wider than the 80 columns a pipe is given stay whole: header, one line per file, summary."""
    deep = tmp_path / ("a-rather-long-folder-name-of-the-bureau-" * 2) / "green_loans"
    deep.mkdir(parents=True)
    shutil.copy(reference_file(2019, "green_loans"), deep / "贷款.csv")
    done = greenmfg("ingest", str(deep.parent), store=ingested.store)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("file "))
    row = lines[header + 1]
    assert (
        len(row) > 80
        and row.startswith(str(deep / "贷款.csv"))
        and "green_loans" in row
        and "accepted" in row
    )
    assert lines[header + 2].startswith("1 file(s): 1 accepted")


def test_usage_errors_exit_2_with_one_line(ingested: Ingested, tmp_path: Path) -> None:
    missing = greenmfg("ingest", str(tmp_path / "nowhere.csv"), store=ingested.store)
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1 and "Traceback" not in missing.stderr
    bad_type = greenmfg("ingest", str(tmp_path), "--type", "energy", store=ingested.store)
    assert bad_type.returncode == 2 and "invalid choice: 'energy'" in bad_type.stderr


def test_data_docs_are_not_built_per_filing_but_on_request_from_the_stored_result(
    ingested: Ingested, tmp_path: Path
) -> None:
    staging = ingested.store / "staging"
    assert not [p for p in staging.rglob("*") if "data_docs" in p.parts], "Data Docs built at ingestion"
    loans = next(o for o in ingested.outcomes if o["landing_key"] == "auto/贷款台账2020.csv")
    built = greenmfg(
        "data-docs", loans["sha256"][:12], "--output", str(tmp_path / "site"), store=ingested.store
    )
    assert built.returncode == 0, built.stderr
    pages = {p: p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html")}
    shown = [
        " ".join(re.sub(r"<[^>]+>", " ", text).split())
        for p, text in pages.items()
        if loans["sha256"][:12] in p.name
    ]
    assert any(re.search(r"district_code Status .{0,300}1 unexpected values found", page) for page in shown)
    assert not [p for p, text in pages.items() if '<script src="https://' in text]
    unknown = greenmfg("data-docs", "0" * 12, store=ingested.store)
    assert unknown.returncode != 0 and "no ingested filing has a SHA-256 starting with" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_publish_dry_run_writes_nothing_then_publish_commits_what_it_showed(ingested: Ingested) -> None:
    store = ingested.store
    before = published_bytes(store)
    shown = greenmfg("publish", "--dry-run", store=store)
    dry = greenmfg("publish", "--dry-run", "--json", store=store)
    assert shown.returncode == dry.returncode == 0, shown.stderr + dry.stderr
    assert published_bytes(store) == before
    assert "against nothing (the first snapshot)" in shown.stdout and "diff gate: pass" in shown.stdout
    finance_2020 = [line.split() for line in shown.stdout.splitlines() if line.startswith("green_finance ")]
    assert finance_2020[-1][:3] == ["green_finance", "2020", "0"] and finance_2020[-1][-1] == "new"
    published = greenmfg("publish", "--json", store=store)
    assert published.returncode == 0, published.stderr
    result, preview = json.loads(published.stdout), json.loads(dry.stdout)
    assert result["is_new"] and result["sequence"] == 1 and Path(result["report"]).is_file()
    same = ("snapshot_id", "verdict", "diff", "datasets", "warnings", "blocks")
    assert {k: preview[k] for k in same} == {k: result[k] for k in same}
    assert preview["dry_run"] and preview["sequence"] is None and not preview["is_new"]
    snapshots = greenmfg("snapshots", "--json", store=store)
    entries = json.loads(snapshots.stdout)
    assert [(e["sequence"], e["snapshot_id"], e["is_latest"]) for e in entries] == [
        (1, result["snapshot_id"], True)
    ]
    assert entries[0]["datasets"] == result["datasets"]
    again = greenmfg("publish", store=store)
    assert (
        again.returncode == 0 and f"nothing new: the latest snapshot {result['snapshot_id']}" in again.stdout
    )
    assert len(json.loads(greenmfg("snapshots", "--json", store=store).stdout)) == 1


def test_publish_blocked_by_the_diff_gate_exits_3_and_commits_nothing(
    ingested: Ingested, tmp_path: Path
) -> None:
    """A correction of 2020's green loans placing every loan in one district drops four of green_finance's six
    2020 rows, more than the gate's 50 %. The filing itself keeps its rows and totals, so it is not held for
    review (issue 13): it is in force, and only the gate stands between it and the published figures."""
    store = ingested.store
    if not (store / "published" / "_commits").is_dir():
        assert greenmfg("publish", store=store).returncode == 0
    lines = reference_file(2020, "green_loans").read_bytes().decode("gb18030").splitlines()
    moved = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        cells[3] = "德清县"  # the district of every loan
        moved.append(",".join(cells))
    correction = tmp_path / "green_loans" / "2020年绿色贷款申请_更正.csv"
    correction.parent.mkdir()
    correction.write_bytes(("\r\n".join(moved) + "\r\n").encode("gb18030"))
    ingested_correction = greenmfg("ingest", str(correction.parent), "--json", store=store)
    assert [o["status"] for o in json.loads(ingested_correction.stdout)] == ["accepted"]
    before = published_bytes(store)
    dry = greenmfg("publish", "--dry-run", store=store)
    assert dry.returncode == 3, dry.stderr
    assert "diff gate: BLOCKED" in dry.stdout and "would refuse it" in dry.stdout
    assert "green_finance, period 2020: 2 rows instead of 6" in dry.stdout
    assert "disappeared from green_finance: 4 key(s)" in dry.stdout
    assert published_bytes(store) == before
    real = greenmfg("publish", store=store)
    assert real.returncode == 3 and "nothing published" in real.stdout and "Traceback" not in real.stderr
    assert published_bytes(store) == before


def test_ingest_and_publish_work_the_same_on_s3(seaweedfs: SeaweedFS, s3_prefix: str) -> None:
    """On SeaweedFS, each command with its own identity: the ingester lands and ingests, the publisher
    publishes (it may not write the landing area, nor the ingester the published one)."""
    loans = reference_file(2020, "green_loans")
    ingested = greenmfg("ingest", str(loans), "--json", settings=seaweedfs.env_for("ingester", s3_prefix))
    assert ingested.returncode == 0, ingested.stderr
    (outcome,) = json.loads(ingested.stdout)
    assert outcome["status"] == "accepted" and outcome["landing_key"] == f"auto/{loans.name}"
    published = greenmfg("publish", "--json", settings=seaweedfs.env_for("publisher", s3_prefix))
    assert published.returncode == 0, published.stderr
    result = json.loads(published.stdout)
    assert result["is_new"] and result["report"].startswith("s3://")
    stores = stores_for(seaweedfs, "consumer", s3_prefix)
    assert [e.snapshot_id for e in list_snapshots(stores.published)] == [result["snapshot_id"]]
    (staged,) = outcome["parts"][0]["staged"].values()
    assert stores_for(seaweedfs, "publisher", s3_prefix).staging.head(staged["key"]).size > 0


def test_bare_greenmfg_prints_the_help_and_exits_0(tmp_path: Path) -> None:
    done = greenmfg(store=tmp_path / "store")
    assert done.returncode == 0 and done.stdout.startswith("usage: greenmfg")
    for command in ("ingest", "publish", "run", "snapshots", "read"):
        assert f"\n    {command} " in done.stdout


@pytest.mark.parametrize(
    ("command", "choices"),
    [
        ("ingest", [*CONTRACTS, "miit_lists", "auto"]),
        ("inspect", list(CONTRACTS)),
        ("validate", list(CONTRACTS)),
        ("reprocess", [*CONTRACTS, *DATASETS]),
        ("read", list(DATASETS)),
    ],
)
def test_help_describes_the_command_with_examples_and_choices(
    command: str, choices: list[str], capsys
) -> None:
    from greenmfg.cli import main

    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps the list of choices
    assert exited.value.code == 0
    assert "examples: greenmfg " + command in out
    assert [c for c in choices if c not in out] == []


def test_a_reader_that_goes_away_ends_the_command_quietly(ingested: Ingested) -> None:
    """`greenmfg … | head`: the closed pipe ends the command with exit 0 and no traceback (the report of a
    folder already ingested is long: tens of kilobytes, more than a pipe holds)."""
    command = f"{sys.executable} -m greenmfg.cli ingest {ingested.folder} --json | head -c 100"
    env = {**os.environ, "GREENMFG_STORE_URL": str(ingested.store), "GX_ANALYTICS_ENABLED": "false"}
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, env=env)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert len(done.stdout) == 100
