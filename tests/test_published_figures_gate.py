"""Issue 13 through the command line, each on a fresh local store: a correction whose totals move beyond the
bound is blocked with one line per breach, and `--accept-diff` publishes it, recorded (the value gate); a
year of statistics without its register publishes unknown green plants, never 0 % (scenario 7); the MIIT
design products of batch 3 are 480 entries as listed, 479 distinct entities (scenario 6). The command lines
run one after the other in one helper process (helpers/cli_batch.py), which saves the imports."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
from pathlib import Path

import pytest
from helpers import reference
from helpers.corrections import AMOUNT_HEADER, ENCODING, loans_2020, refiled
from helpers.stores import HELPERS, PYTHON

from greenmfg.contracts import MIIT_FILING_TYPES
from greenmfg.demonstration import MIIT_DIR
from greenmfg.publish import latest, list_snapshots, read_dataframe, read_manifest
from greenmfg.settings import AREAS
from greenmfg.storage import Stores
from greenmfg.storage.local import LocalStore
from greenmfg.validation.fact_rules import official_counts

pytestmark = pytest.mark.slow  # one helper process runs every command line: ~13 s of CPU

MIIT_PRODUCTS = MIIT_DIR / "绿色设计产品名单.csv"
NANXUN = ("南浔区", "330503")
CITY = "330500"


def reference_filing(filing_type: str, year: int) -> Path:
    (path,) = [
        p
        for key, p in reference.landing_files(years=(year,), corrections=False)
        if key.startswith(f"{filing_type}/")
    ]
    return path


def nanxun_amounts_a_tenth(target: Path) -> tuple[float, float]:
    """The 2020 loans re-filed with every Nanxun amount a tenth of the original (same loans, same keys:
    only values move); (Nanxun's total, the city's total) before, in 亿元."""
    source = loans_2020()
    header, *rows = source.read_bytes().decode(ENCODING).splitlines()
    district, amount = header.split(",").index("所属区县"), header.split(",").index(AMOUNT_HEADER)
    cells = [row.split(",") for row in rows]
    nanxun_rows = {n for n, row in enumerate(cells) if row[district] == NANXUN[0]}
    refiled(source, target, lambda n, text: f"{float(text) / 10:.5f}" if n in nanxun_rows else text)
    return sum(float(cells[n][amount]) for n in nanxun_rows), sum(float(row[amount]) for row in cells)


def stores_at(store: Path) -> Stores:
    return Stores(**{area: LocalStore(store / area) for area in AREAS})


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every command line of the three scenarios, each scenario on its own fresh store, in one process."""
    root = tmp_path_factory.mktemp("gate")
    correction = root / "2020年绿色贷款申请_更正.csv"
    nanxun, total = nanxun_amounts_a_tenth(correction)
    loans = [str(reference_filing("green_loans", year)) for year in (2019, 2020)]
    stats = [str(reference_filing("enterprise_stats", year)) for year in (2019, 2020)]
    lines = {
        # the value gate
        "loans": ("gate", ["ingest", *loans, "--json"]),
        "loans published": ("gate", ["publish", "--json"]),
        "correction": ("gate", ["ingest", str(correction), "--type", "green_loans", "--json"]),
        "correction blocked": ("gate", ["publish"]),
        "correction accepted": ("gate", ["publish", "--accept-diff", "--json"]),
        # scenario 7: statistics of 2019 and 2020, the register of 2019 only
        "stats and one register": ("gaps", ["ingest", *stats, str(reference_filing("green_register", 2019))]),
        "without a register": ("gaps", ["publish", "--json"]),
        "the register arrives": ("gaps", ["ingest", str(reference_filing("green_register", 2020))]),
        "with both registers": ("gaps", ["publish", "--json"]),
        # scenario 6: the real MIIT design-product list
        "design products": ("miit", ["ingest", str(MIIT_PRODUCTS), "--json"]),
        "products published": ("miit", ["publish", "--json"]),
    }  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENMFG_")}
    env |= {"GX_ANALYTICS_ENABLED": "false", "COLUMNS": "250"}
    requests = [
        {"argv": argv, "env": {"GREENMFG_STORE_URL": str(root / store)}} for store, argv in lines.values()
    ]
    done = subprocess.run(
        [PYTHON, str(HELPERS / "cli_batch.py")], input=json.dumps(requests), capture_output=True,
        text=True, env=env, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = dict(zip(lines, json.loads(done.stdout), strict=True))
    for name, result in results.items():
        assert "Traceback" not in result["stderr"], (name, result["stderr"])
    return {"done": results, "root": root, "nanxun": nanxun, "total": total}


def ok(runs: dict, name: str) -> dict:
    result = runs["done"][name]
    assert result["code"] == 0, (name, result["stdout"], result["stderr"])
    return result


# --- the value gate -------------------------------------------------------------------------------------


def test_a_correction_moving_a_district_total_beyond_the_bound_is_blocked_line_by_line(runs: dict) -> None:
    parent = json.loads(ok(runs, "loans published")["stdout"])["snapshot_id"]
    (refiling,) = json.loads(ok(runs, "correction")["stdout"])
    assert refiling["status"] == "accepted", refiling["message"]  # its filing total moved less than 50 %
    assert 0 < runs["nanxun"] * 0.9 / runs["total"] < 0.5  # so the city's total only warns
    blocked = runs["done"]["correction blocked"]
    assert blocked["code"] == 3, blocked["stdout"] + blocked["stderr"]
    lines = [line.strip() for line in blocked["stdout"].splitlines()]
    reasons = [line.removeprefix("blocked: ") for line in lines if line.startswith("blocked: ")]
    # One line per breach: Nanxun's 2020 loan total and median fell by 90 %; its counts did not move.
    assert [r.split(": total ")[1].split()[0] for r in reasons] == [
        "loan_median_10k_yuan",
        "loan_total_10k_yuan",
    ]
    for reason in reasons:
        assert reason.startswith(f"dataset green_finance, period 2020, region {NANXUN[1]}: total ")
        assert reason.endswith(f"in snapshot {parent} (commit 1) (-90.0%) (block threshold 50.0%)")
    nanxun = runs["nanxun"] * 1e4  # 亿元 → 万元
    assert f"loan_total_10k_yuan {nanxun / 10:,.0f} instead of {nanxun:,.0f} in" in reasons[1]
    assert any(f"region {CITY}: total loan_total_10k_yuan" in line for line in lines if "warning:" in line)
    assert "nothing published" in blocked["stdout"]
    # Nothing committed: the next commit (2) is the one that accepted the diff.
    accepted = json.loads(ok(runs, "correction accepted")["stdout"])
    history = list_snapshots(stores_at(runs["root"] / "gate").published)
    assert [(e.sequence, e.snapshot_id) for e in history] == [(1, parent), (2, accepted["snapshot_id"])]


def test_accept_diff_publishes_the_correction_and_records_who_accepted_what(runs: dict) -> None:
    reasons = [
        line.strip().removeprefix("blocked: ")
        for line in runs["done"]["correction blocked"]["stdout"].splitlines()
        if line.strip().startswith("blocked: ")
    ]
    accepted = json.loads(ok(runs, "correction accepted")["stdout"])
    assert accepted["is_new"] and accepted["sequence"] == 2 and accepted["verdict"] == "warnings"
    assert accepted["blocks"] == [] and accepted["accepted_blocks"] == reasons
    stores = stores_at(runs["root"] / "gate")
    manifest = read_manifest(stores.published, accepted["snapshot_id"])
    assert manifest["accepted_blocks"] == reasons and manifest["accepted_by"] == getpass.getuser()
    assert latest(stores.published).warnings[-2:] == [f"accepted: {r}" for r in reasons]
    finance = read_dataframe(stores.published, "green_finance", snapshot_id=accepted["snapshot_id"])
    nanxun = finance[(finance["year"] == 2020) & (finance["region_code"] == NANXUN[1])]
    assert nanxun["loan_total_10k_yuan"].tolist() == [pytest.approx(runs["nanxun"] * 1e4 / 10)]


# --- scenario 7: a missing input is absent, never zero -----------------------------------------------------


def test_a_year_of_statistics_without_its_register_has_null_coverage_with_the_reason(runs: dict) -> None:
    published = json.loads(ok(runs, "without a register")["stdout"])
    stores = stores_at(runs["root"] / "gaps")
    coverage = read_dataframe(stores.published, "green_coverage", snapshot_id=published["snapshot_id"])
    unknown = coverage[coverage["year"] == 2020]
    city = unknown[(unknown["region_code"] == CITY) & (unknown["industry_division"] == "ALL")]
    assert len(city) == 1 and city["above_size_enterprises"].iloc[0] > 0
    assert unknown["green_plants"].isna().all() and unknown["coverage_pct"].isna().all()  # never 0 %
    manifest = read_manifest(stores.published, published["snapshot_id"])
    assert manifest["missing_inputs"] == [
        {
            "dataset": "green_coverage",
            "period": 2020,
            "missing": ["green_register"],
            "effect": "green_plants and coverage_pct are null for the year (unknown, not 0)",
        }
    ]
    known = coverage[coverage["year"] == 2019]
    assert len(known) and known["green_plants"].notna().all() and (known["green_plants"] > 0).any()
    html = Path(published["report"]).read_text(encoding="utf-8")
    gaps = html[html.index("Missing inputs") :]
    assert "green_coverage" in gaps and "2020" in gaps and "green_register" in gaps
    assert "unknown, not 0" in gaps


def test_the_register_arriving_later_fills_the_year_and_closes_the_gap(runs: dict) -> None:
    """Unknown plants becoming known is not a value change the gate holds up (there was no total)."""
    published = json.loads(ok(runs, "with both registers")["stdout"])
    assert published["is_new"] and published["sequence"] == 2 and published["blocks"] == []
    stores = stores_at(runs["root"] / "gaps")
    manifest = read_manifest(stores.published, published["snapshot_id"])
    assert manifest["missing_inputs"] == []
    coverage = read_dataframe(stores.published, "green_coverage", snapshot_id=published["snapshot_id"])
    assert coverage["green_plants"].notna().all() and coverage["coverage_pct"].notna().all()
    assert "Missing inputs" not in Path(published["report"]).read_text(encoding="utf-8")


# --- scenario 6: MIIT entries as listed ------------------------------------------------------------------


def test_design_products_of_batch_3_are_480_entries_as_listed_and_479_entities(runs: dict) -> None:
    (outcome,) = json.loads(ok(runs, "design products")["stdout"])
    (part,) = outcome["parts"]
    assert part["filing_type"] == "miit_green_design_products"
    assert part["rows_quarantined"] == 0 and part["rows_accepted"] == part["rows_parsed"]  # repeats flagged
    published = json.loads(ok(runs, "products published")["stdout"])
    counts = read_dataframe(
        stores_at(runs["root"] / "miit").published, "green_list_counts", snapshot_id=published["snapshot_id"]
    )
    national = counts[(counts["source_list"] == "miit") & (counts["region_code"] == "全国")]
    products = {
        int(r["batch"]): r for _, r in national.iterrows() if r["list_type"] == "green_design_product"
    }
    assert (products[3]["entries"], products[3]["entities"]) == (480, 479)
    # Every batch the ministry counted: entries as listed equal the official count.
    official = official_counts("miit_green_design_products")
    assert {b: r["entries"] for b, r in products.items() if b in official} == {
        b: n for b, n in official.items() if b in products
    }


def test_key_unique_only_flags_repeats_of_the_miit_lists() -> None:
    from greenmfg.validation.rules import declaration

    key_unique = declaration("key_unique")
    assert {t: key_unique.default_severity(t) for t in MIIT_FILING_TYPES} == dict.fromkeys(
        MIIT_FILING_TYPES, "warning"
    )
    assert key_unique.default_severity("enterprise_stats") == "row"
