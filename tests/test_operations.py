"""Operating greenmfg, without a server: the filing calendar, which outcomes alert the operator, retention,
the stack's role settings and ports, and read-only commands that leave the working directory as it was."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from greenmfg import alerts, filing_calendar
from greenmfg.errors import SettingsError, SnapshotError
from greenmfg.publish import commits, retention
from greenmfg.publish.commits import CommitEntry
from greenmfg.storage import keys
from greenmfg.storage.local import LocalStore
from infra import seaweedfs as seaweedfs_infra
from infra import stack

PROJECT_DIR = Path(__file__).resolve().parent.parent


def record(
    sha: str, filing_type: str, period: int, status: str, received_at: str = "2021-02-01T00:00:00"
) -> dict:
    """An ingestion record with one part, as greenmfg.ingest writes it."""
    staged = {str(period): {"key": f"canonical/{filing_type}/period={period}/{sha}.parquet", "rows": 5}}
    part = {"filing_type": filing_type, "periods": [period], "status": status}
    if status == "accepted":
        part["staged"] = staged
    return {"sha256": sha, "original_name": f"{sha[:4]}.csv", "received_at": received_at, "parts": [part]}


def write_calendar(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


# ---------------------------------------------------------------- filing calendar


def test_the_packaged_calendar_loads_and_names_known_filing_types() -> None:
    rules = filing_calendar.load_rules()
    assert {rule.every for rule in rules} == {"year", "publication"}
    assert {"enterprise_stats", "green_loans", "miit_green_factories"} <= {rule.filing_type for rule in rules}


def test_annual_filings_are_received_late_or_expected_as_of_a_date(tmp_path: Path) -> None:
    calendar = write_calendar(
        tmp_path / "c.toml",
        '[[expect]]\nfiling_type = "green_loans"\nevery = "year"\ndue = "03-31"\nfirst_period = 2018\n',
    )
    records = [
        record("a" * 64, "green_loans", 2019, "accepted"),
        record("b" * 64, "green_loans", 2018, "rejected"),
    ]

    rows = filing_calendar.check(filing_calendar.load_rules(calendar), records, date(2021, 3, 1))

    by_period = {row.period: row for row in rows}
    assert sorted(by_period) == [2018, 2019, 2020]  # 2021 has not ended
    assert (
        by_period[2018].status == "late"
        and by_period[2018].days_late == (date(2021, 3, 1) - date(2019, 3, 31)).days
    )
    assert by_period[2018].rejected_filings == 1
    assert "green_loans for period 2018 was due 2019-03-31" in by_period[2018].reason
    assert by_period[2019].status == "received" and by_period[2019].filing == "aaaa.csv"
    assert by_period[2020].status == "expected" and by_period[2020].due_date == "2021-03-31"
    assert [row.period for row in filing_calendar.late(rows)] == [2018]


def test_monthly_filings_are_due_on_a_day_of_the_next_month(tmp_path: Path) -> None:
    calendar = write_calendar(
        tmp_path / "c.toml",
        '[[expect]]\nfiling_type = "incentives"\nevery = "month"\ndue = "31"\nfirst_period = 202011\n',
    )
    expected = filing_calendar.expected(filing_calendar.load_rules(calendar), date(2021, 3, 5))
    assert [(e.period, e.due_date) for e in expected] == [
        (202011, date(2020, 12, 31)),
        (202012, date(2021, 1, 31)),
        (202101, date(2021, 2, 28)),  # day 31 of February is its last day
        (202102, date(2021, 3, 31)),
    ]


def test_the_ministrys_batches_are_expected_after_publication() -> None:
    rule = filing_calendar.Rule("miit_green_parks", "publication", 60)
    expected = filing_calendar.expected([rule], date(2020, 12, 31))
    assert (expected[-1].period, expected[-1].due_date) == (5, date(2020, 12, 15))  # published 2020-10-16
    assert [e.period for e in expected] == [1, 2, 3, 4, 5]  # batch 6 was published in 2022


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            'filing_type = "loans"\nevery = "year"\ndue = "03-31"\nfirst_period = 2017',
            "unknown filing type 'loans'",
        ),
        ('filing_type = "green_loans"\nevery = "week"\ndue = "1"\nfirst_period = 2017', "every = 'week'"),
        (
            'filing_type = "green_loans"\nevery = "year"\ndue = "31-03"\nfirst_period = 2017',
            'expected "MM-DD"',
        ),
        ('filing_type = "green_loans"\nevery = "year"\ndue = "03-31"', "first_period is required"),
        ('filing_type = "green_loans"\nevery = "year"\ndue = "03-31"\nfirst = 2017', "expected keys"),
    ],
)
def test_a_bad_calendar_is_one_error_naming_the_file_and_entry(
    tmp_path: Path, entry: str, problem: str
) -> None:
    calendar = write_calendar(tmp_path / "bad.toml", f"[[expect]]\n{entry}\n")
    with pytest.raises(SettingsError) as raised:
        filing_calendar.load_rules(calendar)
    assert str(raised.value).startswith(f"filing calendar {calendar}, [[expect]] entry 1: ")
    assert problem in str(raised.value) and "\n" not in str(raised.value)


def test_greenmfg_calendar_prints_expected_vs_received_from_the_stores(tmp_path: Path) -> None:
    staging = LocalStore(tmp_path / "store" / "staging")
    sha = "c" * 64
    staging.write_bytes(
        keys.ingestion_record(sha), json.dumps(record(sha, "green_loans", 2019, "accepted")).encode()
    )
    calendar = write_calendar(
        tmp_path / "c.toml",
        '[[expect]]\nfiling_type = "green_loans"\nevery = "year"\ndue = "03-31"\nfirst_period = 2018\n',
    )
    shown = cli("calendar", "--calendar", str(calendar), "--as-of", "2020-06-01", "--json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert [(r["period"], r["status"]) for r in json.loads(shown.stdout)] == [
        (2018, "late"),
        (2019, "received"),
    ]


# ---------------------------------------------------------------- alerts


@pytest.mark.parametrize(
    ("status", "event", "fails", "words"),
    [
        ("rejected", alerts.REJECTED_EVENT, True, "rejected"),
        ("unreadable", alerts.REJECTED_EVENT, True, "rejected"),
        ("refused", alerts.REJECTED_EVENT, True, "rejected"),
        ("held", alerts.HELD_EVENT, True, "held for review"),
        ("partly_rejected", alerts.REJECTED_EVENT, False, "partly rejected"),
    ],
)
def test_outcomes_that_alert_the_operator(status: str, event: str, fails: bool, words: str) -> None:
    result = {
        "status": status,
        "message": "why it happened",
        "landing_key": "green_loans/x.csv",
        "sha256": "d" * 64,
    }
    alert = alerts.filing_alert(result)
    assert alert is not None and alert.event == event
    assert alert.message == f"{words}: green_loans/x.csv: why it happened"
    assert alert.payload["reason"] == "why it happened"
    assert alert.resource["prefect.resource.id"] == "greenmfg.filing." + "d" * 64
    assert alerts.fails_the_run(result) is fails


@pytest.mark.parametrize("status", ["accepted", "duplicate", "ignored"])
def test_outcomes_that_need_no_alert(status: str) -> None:
    assert alerts.filing_alert({"status": status, "message": "", "sha256": "e" * 64}) is None
    assert not alerts.fails_the_run({"status": status})


def test_a_blocked_diff_gate_is_told_apart_from_other_snapshot_errors() -> None:
    assert alerts.is_blocked_publish(
        SnapshotError("diff gate blocked the publish: green_loans 2019 lost 97%")
    )
    assert not alerts.is_blocked_publish(SnapshotError("manifest does not match"))


# ---------------------------------------------------------------- retention


def commit(published: LocalStore, sequence: int, snapshot_id: str, committed_at: str) -> None:
    published.write_bytes(keys.snapshot_manifest(snapshot_id), b"{}")
    published.write_bytes(keys.snapshot_prefix(snapshot_id) + "data/part-00000.parquet", b"x")
    entry = CommitEntry(
        sequence, snapshot_id, keys.snapshot_manifest(snapshot_id), "0" * 64, None, None, committed_at
    )
    commits.create_entry(published, entry)


def test_retention_keeps_the_last_the_recent_and_the_pinned_and_dry_run_deletes_nothing(
    tmp_path: Path,
) -> None:
    published = LocalStore(tmp_path / "published")
    for n, day in enumerate(["2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01", "2020-05-01"], start=1):
        commit(published, n, f"s{n}", f"{day}T00:00:00+00:00")
    published.write_bytes(keys.snapshot_prefix("orphan") + "data/part-00000.parquet", b"x")  # never committed
    options = {"keep_last": 1, "keep_days": 50, "pinned": ["s1"], "now": lambda: "2020-05-20T00:00:00+00:00"}
    files_before = [info.key for info in published.list()]

    rehearsal = retention.apply_retention(published, dry_run=True, **options)

    assert (rehearsal.pruned, rehearsal.uncommitted) == (["s2", "s3"], ["orphan"])
    assert rehearsal.kept == ["s1", "s4", "s5"]
    assert [info.key for info in published.list()] == files_before
    done = retention.apply_retention(published, **options)
    assert (done.pruned, done.uncommitted) == (["s2", "s3"], ["orphan"])
    assert {key.split("/")[1] for key in (i.key for i in published.list(keys.SNAPSHOTS_PREFIX))} == {
        "s1",
        "s4",
        "s5",
    }
    assert len(commits.list_snapshots(published)) == 5  # the history stays


def test_pinning_a_snapshot_never_committed_is_refused(tmp_path: Path) -> None:
    published = LocalStore(tmp_path / "published")
    commit(published, 1, "s1", "2020-01-01T00:00:00+00:00")
    with pytest.raises(SnapshotError, match="pinned snapshots were never committed: nope"):
        retention.apply_retention(published, pinned=["nope"])


def test_greenmfg_prune_dry_run_lists_and_keeps(tmp_path: Path) -> None:
    published = LocalStore(tmp_path / "store" / "published")
    commit(published, 1, "s1", "2000-01-01T00:00:00+00:00")
    commit(published, 2, "s2", "2000-02-01T00:00:00+00:00")
    shown = cli("prune", "--keep-last", "1", "--keep-days", "1", "--dry-run", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "would delete snapshot s1" in shown.stdout
    assert published.exists(keys.snapshot_manifest("s1"))


# ---------------------------------------------------------------- the stack's settings and ports


def fake_stack(state_dir: Path) -> None:
    """The state files of a stack that was started once (no process runs)."""
    seaweedfs_infra._create(state_dir / "seaweedfs")
    state = {
        "secrets": {"prefect_auth": "greenmfg:s3cr3t-login"},
        "urls": {"prefect_api": "http://127.0.0.1:4999/api", "prefect_ui": "http://127.0.0.1:4999"},
        "components": {},
    }
    (state_dir / stack.STATE_FILE).write_text(json.dumps(state))


def test_role_settings_give_each_role_what_it_needs_and_no_more(tmp_path: Path) -> None:
    fake_stack(tmp_path)
    weed = seaweedfs_infra.load(tmp_path / "seaweedfs")

    consumer = stack.role_env(tmp_path, "consumer")
    publisher = stack.role_env(tmp_path, "publisher")
    operator = stack.role_env(tmp_path, "operator")

    assert consumer["GREENMFG_S3_ACCESS_KEY_ID"] == weed.credentials["consumer"].access_key_id
    assert consumer["GREENMFG_PUBLISHED_URL"] == "s3://greenmfg-published"
    assert not any(
        name.startswith(("PREFECT_", "GREENMFG_RAW", "GREENMFG_STAGING", "GREENMFG_LANDING"))
        for name in consumer
    )
    assert publisher["GREENMFG_S3_SECRET_ACCESS_KEY"] == weed.credentials["publisher"].secret_access_key
    assert publisher["PREFECT_API_AUTH_STRING"] == "greenmfg:s3cr3t-login"
    assert operator == {
        "PREFECT_API_URL": "http://127.0.0.1:4999/api",
        "PREFECT_API_AUTH_STRING": "greenmfg:s3cr3t-login",
        "GREENMFG_PREFECT_UI_URL": "http://127.0.0.1:4999",
        "GREENMFG_STATE_DIR": str(tmp_path.resolve()),
    }
    with pytest.raises(stack.StackError, match="unknown role 'admin'"):
        stack.role_env(tmp_path, "admin")


def test_stack_env_prints_export_lines_a_shell_can_eval(tmp_path: Path) -> None:
    fake_stack(tmp_path)
    script = f'eval "$({sys.executable} -m greenmfg.cli stack env --state-dir {tmp_path} --role consumer)"; '
    script += 'printf "%s %s" "$GREENMFG_PUBLISHED_URL" "$GREENMFG_S3_ACCESS_KEY_ID"'
    shown = subprocess.run(["sh", "-c", script], capture_output=True, text=True, cwd=PROJECT_DIR, timeout=120)
    weed = seaweedfs_infra.load(tmp_path / "seaweedfs")
    assert shown.stdout == f"s3://greenmfg-published {weed.credentials['consumer'].access_key_id}", (
        shown.stderr
    )


def test_a_stack_without_state_has_no_settings_to_print(tmp_path: Path) -> None:
    shown = cli("stack", "env", "--state-dir", str(tmp_path), "--role", "operator", cwd=tmp_path)
    assert shown.returncode == 2
    expected = f"no stack was ever started in {tmp_path.resolve()}; run `greenmfg stack up` first"
    assert shown.stderr.strip() == f"greenmfg stack: error: {expected}"


def test_ports_and_secrets_are_chosen_once_per_state_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stack, "_start_all", lambda *_: None)  # the choice only: no process is started
    first = stack.up(tmp_path, notify_url="http://127.0.0.1:9/hook")
    again = stack.up(tmp_path)

    assert set(first["ports"]) == set(stack.PORT_NAMES) and len(set(first["ports"].values())) == len(
        stack.PORT_NAMES
    )
    assert again["ports"] == first["ports"]
    assert (
        again["secrets"] == first["secrets"] and again["secrets"]["notify_url"] == "http://127.0.0.1:9/hook"
    )
    assert again["urls"]["bridge"].startswith(f"http://127.0.0.1:{first['ports']['bridge']}/")


def test_a_recorded_port_taken_by_another_process_is_named(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(stack.StackError, match=f"taken by another process: bridge {port}"):
            stack.stack_ports({"bridge": port, "prefect-server": port + 1})


# ---------------------------------------------------------------- read-only commands


def test_read_only_commands_create_nothing_in_the_working_directory(tmp_path: Path) -> None:
    elsewhere = tmp_path / "published"
    commit(LocalStore(elsewhere), 1, "s1", "2020-01-01T00:00:00+00:00")
    LocalStore(elsewhere).write_bytes(keys.snapshot_report("s1"), b"<html></html>")
    cwd = tmp_path / "work"
    cwd.mkdir()
    env = {"GREENMFG_PUBLISHED_URL": str(elsewhere), "BROWSER": "true"}  # `true` plays the browser

    runs = [
        cli(*args, cwd=cwd, env=env)
        for args in (["snapshots"], ["report", "--open"], ["read", "green_coverage"])
    ]

    assert [r.returncode for r in runs[:2]] == [0, 0], [r.stderr for r in runs]
    assert runs[2].returncode == 2 and "\n" not in runs[2].stderr.strip()  # the fake snapshot has no dataset
    assert list(cwd.iterdir()) == []


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI in a clean environment whose store is `cwd`'s default (.greenmfg/store) unless `env` says."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GREENMFG_", "PREFECT_API"))}
    if env is None:
        env = {"GREENMFG_STORE_URL": str(cwd / "store")}
    command = [sys.executable, "-m", "greenmfg.cli", *args]
    return subprocess.run(
        command,
        cwd=cwd,
        env={**base, **env, "PYTHONPATH": str(PROJECT_DIR)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_report_shows_expected_vs_received_before_the_quality_panel() -> None:
    from greenmfg.indicators import DATASETS
    from greenmfg.report import build_model, render_html

    rows = [
        filing_calendar.CalendarRow("green_loans", 2019, "2020-03-31", "received", "2020-02-01", "a.csv"),
        filing_calendar.CalendarRow("green_loans", 2020, "2021-03-31", "late", days_late=30),
    ]
    frames = {name: definition.empty_frame() for name, definition in DATASETS.items()}
    model = build_model(frames, {"snapshot_id": "s1"}, calendar=(rows, "2021-04-30"))

    section = model.sections[-2]
    assert section.title.en == "Filing calendar" and "expects 2 filings; 1 are late" in section.intro.en
    ((_, table),) = section.tables
    assert [row[3] for row in table.rows] == ["已收到 received", "逾期未收到 late"]
    assert "逾期未收到 late" in render_html(model)
