"""Issue 13, scenario 1 end to end: a mostly-bad correction is held and the good filing stays in force;
`greenmfg review` shows it with the evidence, `accept` / `reject` decide once. Real command lines on a fresh
local store, run one after the other in one helper process (helpers/cli_batch.py) to save the imports."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from helpers.corrections import loans_2020, with_negative_amounts
from helpers.stores import HELPERS, PYTHON

from greenmfg.publish import latest, list_snapshots, read_dataframe
from greenmfg.settings import AREAS
from greenmfg.storage import Stores, keys
from greenmfg.storage.local import LocalStore

CITY = "330500"


def run_commands(commands: list[list[str]], store: Path) -> list[dict]:
    """Each command line through greenmfg.cli.main as the console script runs it: code, stdout, stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENMFG_")}
    env |= {"GX_ANALYTICS_ENABLED": "false", "COLUMNS": "200"}
    requests = [{"argv": argv, "env": {"GREENMFG_STORE_URL": str(store)}} for argv in commands]
    done = subprocess.run(
        [PYTHON, str(HELPERS / "cli_batch.py")],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def city_finance(stores: Stores, snapshot_id: str) -> tuple[int, float]:
    """(applications, total in 10,000 yuan) of 2020 for the whole city in a snapshot."""
    finance = read_dataframe(stores.published, "green_finance", snapshot_id=snapshot_id)
    row = finance[(finance["year"] == 2020) & (finance["region_code"] == CITY)].iloc[0]
    return int(row["applications"]), float(row["loan_total_10k_yuan"])


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A good 2020 loans filing published; then a mostly-bad correction (138 of 148 amounts negative),
    rejected; then a milder one (40 of 148), accepted and published."""
    root = tmp_path_factory.mktemp("held")
    good = loans_2020()
    bad = with_negative_amounts(good, 138, root / "2020年绿色贷款申请_更正.csv")
    milder = with_negative_amounts(good, 40, root / "2020年绿色贷款申请_再更正.csv")
    bad_sha, milder_sha = (hashlib.sha256(p.read_bytes()).hexdigest() for p in (bad, milder))
    commands = {
        "ingest good": ["ingest", str(good), "--type", "green_loans", "--json"],
        "publish good": ["publish", "--json"],
        "ingest bad": ["ingest", str(bad), "--type", "green_loans", "--json"],
        "publish with bad held": ["publish", "--json"],
        "review --json": ["review", "--json"],
        "review": ["review"],
        "reject bad": ["reject", bad_sha[:12], "--reason", "138 negative amounts: the bank's export broke"],
        "accept bad after reject": ["accept", bad_sha[:16]],
        "review after reject": ["review", "--json"],
        "ingest milder": ["ingest", str(milder), "--type", "green_loans", "--json"],
        "accept milder": ["accept", milder_sha, "--by", "li.na", "--reason", "40 withdrawn applications"],
        "reject milder after accept": ["reject", milder_sha[:12], "--by", "wang.fang"],
        "publish milder": ["publish", "--json"],
        "review at the end": ["review"],
    }
    store = root / "store"
    done = dict(zip(commands, run_commands(list(commands.values()), store), strict=True))
    stores = Stores(**{area: LocalStore(store / area) for area in AREAS})
    return {"done": done, "stores": stores, "bad": bad_sha, "milder": milder_sha, "good": good}


def test_a_mostly_bad_correction_is_held_and_the_good_filing_stays_in_force(session: dict) -> None:
    done, stores = session["done"], session["stores"]
    assert done["ingest good"]["code"] == 0 and done["publish good"]["code"] == 0
    first = json.loads(done["publish good"]["stdout"])
    assert city_finance(stores, first["snapshot_id"]) == (148, 330_000.0)

    (held,) = json.loads(done["ingest bad"]["stdout"])
    assert held["sha256"] == session["bad"] and held["status"] == "held"
    (part,) = held["parts"]
    assert (part["status"], part["rows_accepted"], part["rows_quarantined"]) == ("held", 10, 138)
    assert held["message"].startswith("green_loans 2020: 138 of 148 rows quarantined (93%)")
    # staged (no re-ingestion needed to accept it), but not in force: publishing changes nothing
    (staged,) = part["staged"].values()
    assert stores.staging.exists(staged["key"]) and staged["rows"] == 10
    unchanged = json.loads(done["publish with bad held"]["stdout"])
    assert done["publish with bad held"]["code"] == 0
    assert unchanged["snapshot_id"] == first["snapshot_id"] and not unchanged["is_new"]
    assert len(list_snapshots(stores.published)) == 2  # the first, then the accepted milder correction


def test_review_shows_the_held_filing_with_its_evidence(session: dict) -> None:
    done = session["done"]
    assert done["review --json"]["code"] == 0
    (shown,) = json.loads(done["review --json"]["stdout"])
    assert shown["sha256"] == session["bad"] and shown["original_name"] == "2020年绿色贷款申请_更正.csv"
    (part,) = shown["parts"]
    assert (part["filing_type"], part["periods"], part["rows_parsed"]) == ("green_loans", [2020], 148)
    assert part["quarantined_share"] == pytest.approx(138 / 148)
    good_sha = hashlib.sha256(session["good"].read_bytes()).hexdigest()
    against = part["superseded"]["2020"]
    assert (against["sha256"], against["rows"]) == (good_sha, [148, 10])
    before, after = against["totals"]["loan_amount_10k_yuan"]
    assert before == 330_000.0 and 0 < after < 0.1 * before
    assert len(part["reasons"]) == 2 and "max_total_change_share 50%" in part["reasons"][1]

    text = done["review"]["stdout"]
    assert session["bad"][:12] in text and good_sha[:12] in text and "148 → 10" in text
    assert f"why {session['bad'][:12]}: 138 of 148 rows quarantined (93%)" in text
    assert "greenmfg accept SHA" in text


def test_reject_decides_once_and_the_first_decision_stands(session: dict) -> None:
    done, stores = session["done"], session["stores"]
    assert done["reject bad"]["code"] == 0, done["reject bad"]["stderr"]
    assert "rejected by " in done["reject bad"]["stdout"]
    decision = json.loads(stores.staging.read_bytes(keys.review_decision(session["bad"])))
    assert decision["decision"] == "reject" and decision["sha256"] == session["bad"]
    assert decision["decided_by"] == getpass.getuser()  # no --by: the operating-system user
    assert decision["reason"] == "138 negative amounts: the bank's export broke"
    assert decision["decided_at"].endswith("+00:00")

    refused = done["accept bad after reject"]
    assert refused["code"] == 3 and refused["stdout"] == ""
    assert refused["stderr"].startswith(f"greenmfg accept: error: filing {session['bad'][:12]} ")
    assert (
        f"was already rejected by {decision['decided_by']} at {decision['decided_at']}" in refused["stderr"]
    )
    assert "Traceback" not in refused["stderr"] and refused["stderr"].count("\n") == 1
    assert json.loads(stores.staging.read_bytes(keys.review_decision(session["bad"]))) == decision
    assert json.loads(done["review after reject"]["stdout"]) == []


def test_accept_puts_a_held_correction_in_force_at_the_next_publish(session: dict) -> None:
    done, stores = session["done"], session["stores"]
    (held,) = json.loads(done["ingest milder"]["stdout"])
    assert held["status"] == "held"
    assert (
        held["message"]
        == "green_loans 2020: 40 of 148 rows quarantined (27%), more than max_quarantined_share 25%"
    )
    assert done["accept milder"]["code"] == 0, done["accept milder"]["stderr"]
    decision = json.loads(stores.staging.read_bytes(keys.review_decision(session["milder"])))
    assert (decision["decision"], decision["decided_by"]) == ("accept", "li.na")
    refused = done["reject milder after accept"]
    assert refused["code"] == 3 and "was already accepted by li.na" in refused["stderr"]

    published = json.loads(done["publish milder"]["stdout"])
    assert done["publish milder"]["code"] == 0 and published["is_new"]
    assert latest(stores.published).snapshot_id == published["snapshot_id"]
    applications, total = city_finance(stores, published["snapshot_id"])
    assert applications == 108 and 0 < total < 330_000.0
    assert "no filing is held for review" in done["review at the end"]["stdout"]


def test_withdrawing_the_only_filing_in_force_withdraws_its_figures(tmp_path: Path) -> None:
    """`greenmfg reject` on an accepted filing takes it out of force; with no other filing staged, the next
    publish is still due: the gate blocks the drop to no rows (`publish` and `run` exit 3), and accepted, the
    snapshot holds none."""
    good = loans_2020()
    sha = hashlib.sha256(good.read_bytes()).hexdigest()
    commands = [
        ["ingest", str(good), "--type", "green_loans", "--json"],
        ["publish", "--json"],
        ["reject", sha[:12], "--by", "li.na", "--reason", "sent to the wrong bureau"],
        ["publish"],
        ["run"],
        ["publish", "--accept-diff", "--json"],
        ["publish", "--json"],
    ]
    ingested, first, rejected, blocked, run, accepted, again = run_commands(commands, tmp_path / "store")
    stores = Stores(**{area: LocalStore(tmp_path / "store" / area) for area in AREAS})
    assert (ingested["code"], first["code"], rejected["code"]) == (0, 0, 0), (ingested, first, rejected)
    assert "the next `greenmfg publish` drops any figures it gave" in rejected["stdout"]
    first_id = json.loads(first["stdout"])["snapshot_id"]
    assert city_finance(stores, first_id) == (148, 330_000.0)

    assert blocked["code"] == 3, blocked
    assert "green_finance, period 2020: 0 rows instead of" in blocked["stdout"] + blocked["stderr"]
    assert run["code"] == 3 and "diff gate blocked the publish" in run["stderr"], run  # as `publish` does
    assert accepted["code"] == 0, accepted
    withdrawn = json.loads(accepted["stdout"])
    assert withdrawn["is_new"] and latest(stores.published).snapshot_id == withdrawn["snapshot_id"]
    assert read_dataframe(stores.published, "green_finance").empty
    manifest = json.loads(stores.published.read_bytes(keys.snapshot_manifest(withdrawn["snapshot_id"])))
    assert manifest["sources"] == []
    assert again["code"] == 0 and not json.loads(again["stdout"])["is_new"], again
