"""The corpus of bureau-shaped files (tests/corpus), end to end through the command line on fresh stores.

Files are ingested by `greenmfg ingest FILE... --json` into fresh local stores: a store takes at most one file
of each filing type (so no file is judged against another as its correction or predecessor), refusals go
together, and a file the sender qualifies (--type, --period) alone. Each file's staged rows and quarantine
must equal its hand-written answer key, or the refusal must name the file, the problem and the evidence.
Across the corpus no staged value may differ from a key ("never silently wrong"). The bureau folder is
ingested in one call, published, and its published figures read back with `greenmfg read`.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from corpus.answer_keys import (
    BUREAU,
    CASES,
    Case,
    Discrepancy,
    bureau_figures,
    compare_quarantine,
    compare_staged,
    csv_value,
    load_cases,
    missing_words,
    same_value,
)

from greenmfg import uscc
from greenmfg.commands import EXIT_REFUSED, FAILED_STATUSES
from greenmfg.contracts import get_contract
from greenmfg.policy import Policy
from greenmfg.validation.review_thresholds import ReviewThresholds

CLI_TIMEOUT_SECONDS = 240
WORKERS = 2
REFUSED = frozenset({"refused", "rejected", "unreadable"})
CASES_ALL = load_cases()
BY_ID = {case.case_id: case for case in CASES_ALL}


# ---------------------------------------------------------------------------------------------- running


def run_cli(args: list[str], store: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`greenmfg ARGS` as a user runs it, with an environment of only the store, GX analytics off and a
    Prefect home of its own (no server)."""
    home.mkdir(parents=True, exist_ok=True)
    env = {"GREENMFG_STORE_URL": str(store), "GX_ANALYTICS_ENABLED": "false", "PREFECT_HOME": str(home)}
    try:
        return subprocess.run(
            [sys.executable, "-m", "greenmfg.cli", *args],
            env=env, cwd=home, capture_output=True, text=True, timeout=CLI_TIMEOUT_SECONDS,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        return subprocess.CompletedProcess(exc.cmd, "timeout", exc.stdout or "", f"timed out: {exc}")


def read_parquets(paths: Iterator[Path]) -> list[dict]:
    return [row for path in sorted(paths) for row in pq.read_table(path).to_pylist()]


@dataclass
class Outcome:
    """What `greenmfg ingest … --json` did with one file: the command's exit and output, the file's entry of
    the JSON report, and the rows it left in the store."""

    case: Case
    store: Path
    process: subprocess.CompletedProcess[str]
    report: list | None = None
    report_error: str | None = None
    staged: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)

    @property
    def parts(self) -> list[dict]:
        return [part for item in self.report or [] for part in item.get("parts") or []]

    def describe(self) -> str:
        process = self.process
        said = f"stdout: {process.stdout[-3000:]}\nstderr: {process.stderr[-3000:]}"
        return f"{self.case.case_id}: exit {process.returncode}\n{said}"


def ingest(cases: list[Case], root: Path) -> list[Outcome]:
    """One `greenmfg ingest` of `cases` (sharing their extra arguments) into a fresh store under `root`."""
    store = root / "store"
    paths = [str(case.path) for case in cases]
    process = run_cli(["ingest", *paths, *cases[0].args, "--json"], store, root / "prefect")
    try:
        report, report_error = json.loads(process.stdout), None
    except ValueError as exc:
        report, report_error = None, f"stdout is not one JSON array: {exc}"
    staging = store / "staging"
    staged = read_parquets((staging / "canonical").rglob("*.parquet"))
    outcomes = []
    for case in cases:
        mine = [item for item in report or [] if item.get("path") == str(case.path)]
        shas = {item.get("sha256") for item in mine}
        quarantine = [
            row
            for sha in shas
            if sha
            for row in read_parquets((staging / "validation").glob(f"*/{sha}/quarantine.parquet"))
        ]
        outcome = Outcome(case, store, process, mine if report is not None else None, report_error)
        outcome.staged = [row for row in staged if row.get("source_sha256") in shas]
        outcome.quarantine = quarantine
        outcomes.append(outcome)
    return outcomes


def batches(cases: list[Case]) -> list[list[Case]]:
    """Stores to ingest into: at most one file of each filing type in a store, refusals together, a file
    with arguments of its own, or one to be held for review (its command exits 3), alone."""
    planned: list[tuple[set[str], list[Case]]] = []
    alone, refused = [], []
    for case in cases:
        if case.args or (case.accepts and expected_status(case) != "accepted"):
            alone.append([case])
        elif not case.accepts:
            refused.append(case)
        else:
            filing_type = case.key["filing_type"]
            slot = next((b for b in planned if filing_type not in b[0]), None)
            if slot is None:
                slot = (set(), [])
                planned.append(slot)
            slot[0].add(filing_type)
            slot[1].append(case)
    return [cases for _, cases in planned] + ([refused] if refused else []) + alone


class CorpusRuns:
    """Every case ingested once per session (two stores at a time)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.outcomes: dict[str, Outcome] = {}
        self.lock = threading.Lock()

    def run(self, cases: list[Case]) -> list[Outcome]:
        todo = [case for case in cases if case.case_id not in self.outcomes]

        def one(numbered: tuple[int, list[Case]]) -> list[Outcome]:
            number, batch = numbered
            return ingest(batch, self.root / f"store-{number:02d}-{batch[0].case_id[:20]}")

        with ThreadPoolExecutor(WORKERS) as pool:
            for outcome in (o for found in pool.map(one, enumerate(batches(todo))) for o in found):
                with self.lock:
                    self.outcomes.setdefault(outcome.case.case_id, outcome)
        return [self.outcomes[case.case_id] for case in cases]

    def get(self, case: Case) -> Outcome:
        return self.outcomes.get(case.case_id) or self.run([case])[0]


def selected_cases(items: list[pytest.Item]) -> list[Case]:
    """The cases the session's selected tests will ask for (all of them for the corpus-wide test)."""
    if any(getattr(item, "originalname", "") == "test_no_value_is_ever_silently_wrong" for item in items):
        return CASES_ALL
    wanted = [item.callspec.params["case"] for item in items
              if getattr(item, "originalname", "") == "test_corpus_file_ends_in_its_answer"]  # fmt: skip
    return [case for case in CASES_ALL if case in wanted]


@pytest.fixture(scope="session")
def corpus_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> CorpusRuns:
    """Every selected case ingested up front, two at a time; tests then read the outcomes."""
    runs = CorpusRuns(tmp_path_factory.mktemp("corpus"))
    runs.run(selected_cases(request.session.items))
    return runs


# ---------------------------------------------------------------------------------------------- judging


def filed_columns(filing_type: str) -> list[str]:
    return [column.name for column in get_contract(filing_type).filed_columns]


def silent_discrepancies(outcome: Outcome) -> list[Discrepancy]:
    """Values that reached staging although the key does not have them (any staged row of a refused case)."""
    case = outcome.case
    filing_type = case.key.get("filing_type")
    types = {filing_type} if filing_type else {part.get("filing_type") for part in outcome.parts}
    columns = sorted({c for t in types if t for c in filed_columns(t)} or {"credit_code", "enterprise_name"})
    expected = case.rows if case.accepts else {}
    found = compare_staged(expected, outcome.staged, columns, case.quarantined)
    return [d for d in found if d.silent]


def reason_text(outcome: Outcome) -> str:
    """Everything the command said about why: each file's message and rejection reasons, and stderr."""
    said = [outcome.process.stderr]
    for item in outcome.report or []:
        said.append(str(item.get("message") or ""))
        said += [
            json.dumps(part.get("rejection_reasons"), ensure_ascii=False) for part in item.get("parts") or []
        ]
    return "\n".join(said)


def expected_status(case: Case) -> str:
    """Accepted; or held for review (issue 13) when the key quarantines more than the default share of its
    rows: staged all the same, so the staged rows and the quarantine are checked alike."""
    quarantined = len(case.quarantined)
    share = quarantined / (len(case.rows) + quarantined) if quarantined else 0.0
    return "held" if share > ReviewThresholds().max_quarantined_share else "accepted"


def check_accepted(outcome: Outcome) -> list[str]:
    case, problems = outcome.case, []
    status = expected_status(case)
    code = EXIT_REFUSED if status in FAILED_STATUSES else 0
    if outcome.process.returncode != code:
        problems.append(f"exit {outcome.process.returncode}, expected {code}")
    if outcome.report_error or len(outcome.report or []) != 1:
        return [*problems, outcome.report_error or f"expected one outcome for the file, got {outcome.report}"]
    item = outcome.report[0]
    if item.get("status") != status:
        problems.append(f"status {item.get('status')!r} ({item.get('message')}), expected {status!r}")
    types = sorted({str(part.get("filing_type")) for part in outcome.parts})
    if types != [case.key["filing_type"]]:
        problems.append(f"filing types {types}, expected {[case.key['filing_type']]}")
    periods = sorted({str(p) for part in outcome.parts for p in part.get("periods") or []})
    if periods != sorted(str(p) for p in case.key["periods"]):
        problems.append(f"periods {periods}, expected {case.key['periods']}")
    for part in outcome.parts:
        for period, staged in (part.get("staged") or {}).items():
            if not (outcome.store / "staging" / str(staged.get("key"))).is_file():
                problems.append(f"period {period}: staged key {staged.get('key')!r} is not in the store")
    inferences = json.dumps([part.get("inferences") for part in outcome.parts], ensure_ascii=False)
    problems += [f"{column} not recorded as inferred" for column in case.key.get("inferred", [])
                 if column not in inferences]  # fmt: skip
    found = compare_staged(
        case.rows, outcome.staged, filed_columns(case.key["filing_type"]), case.quarantined
    )
    found += compare_quarantine(case.quarantined, outcome.quarantine)
    return problems + [str(d) for d in found]


def check_refused(outcome: Outcome) -> list[str]:
    case, problems = outcome.case, []
    if outcome.process.returncode != 3:
        problems.append(f"exit {outcome.process.returncode}, expected 3")
    statuses = [item.get("status") for item in outcome.report or []]
    if outcome.report_error or len(statuses) != 1 or statuses[0] not in REFUSED:
        problems.append(outcome.report_error or f"statuses {statuses}, expected one of {sorted(REFUSED)}")
    text = reason_text(outcome)
    if case.path.name not in text:
        problems.append(f"the reason does not name the file {case.path.name}")
    problems += [f"the reason lacks the problem {w!r}" for w in missing_words(text, case.key["problem"])]
    problems += [f"the reason does not quote {w!r}" for w in missing_words(text, case.key["evidence"])]
    if outcome.staged:
        problems.append(f"{len(outcome.staged)} rows staged from a file that must be refused")
    return problems


# ---------------------------------------------------------------------------------------------- the keys


def test_the_corpus_has_every_kind_of_case() -> None:
    """At least 34 files with keys, six refusals among them, every filing type, no file without a key."""
    files = {path.name for path in CASES.iterdir() if not path.name.endswith(".answer.json")}
    keyed = {case.path.name for case in CASES_ALL if case.path.parent == CASES}
    assert files == keyed, (
        f"files without a key: {sorted(files - keyed)}; keys without a file: {sorted(keyed - files)}"
    )
    assert all(case.path.is_file() for case in CASES_ALL)
    assert len(keyed) >= 34
    assert sum(not case.accepts for case in CASES_ALL) >= 6
    types = {case.key["filing_type"] for case in CASES_ALL if case.accepts}
    assert {"enterprise_stats", "green_register", "incentives", "green_loans"} <= types
    assert sum(t.startswith("miit_") for t in types) >= 3


@pytest.mark.parametrize("case", [c for c in CASES_ALL if c.accepts], ids=lambda c: c.case_id)
def test_answer_key_is_consistent_with_the_contract(case: Case) -> None:
    """Keys name contract columns only, their period is every row's, codes pass the check unless the key names
    them as bad on purpose, and an above-size flag agrees with the revenue threshold (else the row would be
    quarantined)."""
    contract = get_contract(case.key["filing_type"])
    for source_row, row in case.rows.items():
        assert set(row) <= set(contract.column_names), (
            f"row {source_row}: {set(row) - set(contract.column_names)}"
        )
        assert row[contract.period_column] in case.key["periods"], f"row {source_row}"
        code = row.get("credit_code")
        bad_on_purpose = case.key.get("bad_check_codes", [])
        assert code is None or uscc.is_valid(code) or code in bad_on_purpose, f"row {source_row}: {code}"
        if "is_above_size" in row:
            threshold = Policy().above_size_revenue_thresholds([row["year"]])[0]
            assert row["is_above_size"] == (row["revenue_10k_yuan"] >= threshold), f"row {source_row}"
    assert not set(case.rows) & set(case.quarantined)


# ---------------------------------------------------------------------------------------------- end to end


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES_ALL, ids=lambda c: c.case_id)
def test_corpus_file_ends_in_its_answer(case: Case, corpus_runs: CorpusRuns) -> None:
    outcome = corpus_runs.get(case)
    assert "Traceback" not in outcome.process.stderr, outcome.describe()
    problems = check_accepted(outcome) if case.accepts else check_refused(outcome)
    assert not problems, "\n".join([*problems, outcome.describe()])


@pytest.mark.slow
def test_no_value_is_ever_silently_wrong(corpus_runs: CorpusRuns) -> None:
    """Whatever each file's outcome, every staged value is the key's: no wrong value, no row staged that the
    key does not list (a refused file stages nothing)."""
    wrong = [f"{o.case.case_id}: {d}" for o in corpus_runs.run(CASES_ALL) for d in silent_discrepancies(o)]
    assert not wrong, f"{len(wrong)} silently wrong values:\n" + "\n".join(wrong)


@pytest.mark.slow
def test_bureau_folder_publishes_the_figures_of_its_key(tmp_path: Path) -> None:
    """The bureau's 2020 and 2021 filings in one ingest call, then publish, then the figures read back."""
    folder = tmp_path / "bureau"
    for subfolder in sorted(p for p in BUREAU.iterdir() if p.is_dir()):
        shutil.copytree(subfolder, folder / subfolder.name)
    store, home = tmp_path / "store", tmp_path / "prefect"
    ingested = run_cli(["ingest", str(folder), "--json"], store, home)
    assert ingested.returncode == 0, f"ingest: {ingested.stdout[-3000:]}\n{ingested.stderr[-3000:]}"
    statuses = [item["status"] for item in json.loads(ingested.stdout)]
    assert statuses == ["accepted"] * 8, ingested.stdout
    published = run_cli(["publish", "--json"], store, home)
    assert published.returncode == 0, f"publish: {published.stdout[-3000:]}\n{published.stderr[-3000:]}"
    tables: dict[str, list[dict]] = {}
    wrong: list[str] = []
    for figure in bureau_figures():
        dataset = figure["dataset"]
        if dataset not in tables:
            read = run_cli(["read", dataset, "--format", "csv"], store, home)
            assert read.returncode == 0, f"read {dataset}: {read.stderr[-3000:]}"
            tables[dataset] = list(csv.DictReader(io.StringIO(read.stdout)))
        matching = [row for row in tables[dataset]
                    if all(row.get(k) == str(v) for k, v in figure["where"].items())]  # fmt: skip
        if len(matching) != 1:
            wrong.append(f"{dataset} {figure['where']}: {len(matching)} rows")
            continue
        wrong += [f"{dataset} {figure['where']} {column}: expected {value!r}, got {matching[0].get(column)!r}"
                  for column, value in figure["values"].items()
                  if not same_value(value, csv_value(matching[0].get(column, "<absent>")))]  # fmt: skip
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------------------------------------- the harness


def test_comparison_reports_a_wrong_value_and_keeps_the_tolerance() -> None:
    expected = {5: {"year": 2020, "revenue_10k_yuan": 35682.0, "valid_from_date": "2020-06-01"}}
    staged = [{"source_row": 5, "year": 2020, "revenue_10k_yuan": 35682.0 * (1 + 5e-10),
               "valid_from_date": date(2020, 6, 1), "value_added_10k_yuan": None}]  # fmt: skip
    assert compare_staged(expected, staged, ["year", "revenue_10k_yuan", "value_added_10k_yuan"]) == []
    ten_times = [{**staged[0], "revenue_10k_yuan": 356820.0}]
    found = compare_staged(expected, ten_times, ["year", "revenue_10k_yuan"])
    assert [(d.kind, d.column, d.silent) for d in found] == [("wrong", "revenue_10k_yuan", True)]
    just_off = [{**staged[0], "revenue_10k_yuan": 35682.0 * (1 + 2e-9)}]
    assert [d.column for d in compare_staged(expected, just_off, [])] == ["revenue_10k_yuan"]


def test_comparison_reports_missing_extra_and_unlisted_values() -> None:
    expected = {
        2: {"year": 2021, "credit_code": "91330502MA2F8MGMB9"},
        3: {"year": 2021, "credit_code": None},
    }
    staged = [
        {"source_row": 2, "year": 2021, "credit_code": "91330502MA2F8MGMB9", "land_area_m2": 120.0},
        {"source_row": 9, "year": 2021, "credit_code": "91330502MA24C0BF88"},
    ]
    found = compare_staged(expected, staged, ["year", "credit_code", "land_area_m2"])
    assert [(d.kind, d.source_row, d.column) for d in found] == [
        ("wrong", 2, "land_area_m2"), ("extra", 9, None), ("missing", 3, None)]  # fmt: skip
    assert [d.silent for d in found] == [True, True, False]
    quarantined_but_staged = compare_staged({}, [{"source_row": 4, "year": 2021}], ["year"], quarantined=[4])
    assert [(d.kind, d.silent) for d in quarantined_but_staged] == [("extra", True)]


def test_comparison_checks_quarantined_rows_and_their_rules() -> None:
    quarantine = [{"source_row": 4, "rule": "type"}, {"source_row": 6, "rule": "not_null:amount_10k_yuan"},
                  {"source_row": 7, "rule": "range:amount_10k_yuan"}]  # fmt: skip
    found = compare_quarantine({4: "type", 6: "not_null", 8: "range"}, quarantine)
    assert [(d.kind, d.source_row) for d in found] == [("not_quarantined", 8), ("unexpected_quarantine", 7)]
    assert compare_quarantine({4: "range"}, quarantine[:1])[0].kind == "not_quarantined"
    flagged = [{"source_row": 2, "rule": "credit_code_check", "action": "flagged"},
               {"source_row": None, "rule": "batch_count", "action": "quarantined"}]  # fmt: skip
    assert compare_quarantine({}, flagged) == []


def test_values_compare_by_type_and_words_by_alternatives() -> None:
    assert same_value(None, float("nan")) and same_value(True, True) and not same_value(1, True)
    assert not same_value("2020", 2020) and not same_value(2020, "2020") and not same_value(0.0, None)
    assert same_value(12, 12.0) and csv_value("85.71428571428571") == 600 / 7 and csv_value("") is None
    assert missing_words("cannot read: no period found in x.csv", ["period|year", "x.csv", "unit"]) == [
        "unit"
    ]
