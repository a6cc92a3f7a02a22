"""The policy is declared once (greenmfg/policy.py), read from the settings, and the same object drives the
validation checks and the indicator formulas; a snapshot records it and holds one policy for every year."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import reference

from greenmfg.errors import SettingsError
from greenmfg.indicators import DATASETS, derive
from greenmfg.policy import Policy, load_policy
from greenmfg.settings import AREAS, Settings
from greenmfg.storage import Stores
from greenmfg.storage.local import LocalStore
from greenmfg.validation import ValidationConfig, validate
from greenmfg.validation.sample import clean_rows


def test_defaults_are_the_domain_facts() -> None:
    policy = Policy()
    assert (policy.above_size_revenue_10k_yuan, policy.above_size_revenue_before_rule_10k_yuan) == (2000, 500)
    assert policy.above_size_rule_from_year == 2011
    assert (policy.model_award_cap_10k_yuan, policy.subsidy_rate_cap, policy.subsidy_cap_10k_yuan) == (
        1000,
        0.10,
        500,
    )
    assert policy.star_threshold == 3
    assert policy.coal_factors_from_year(2020) == 2000


@pytest.mark.parametrize(
    ("toml", "env", "expected"),
    [
        (None, None, 3),
        ("[policy]\nstar_threshold = 4\n", None, 4),
        ("[policy]\nstar_threshold = 4\n", 5, 5),  # the environment wins
        (None, 2, 2),
    ],
)
def test_the_star_threshold_comes_from_the_settings(tmp_path: Path, toml, env, expected: int) -> None:
    path = None
    if toml is not None:
        path = tmp_path / "policy.toml"
        path.write_text(toml, encoding="utf-8")
    policy = load_policy(Settings(validation_config=path, star_threshold=env))
    assert policy.star_threshold == expected
    assert policy == replace(Policy(), star_threshold=expected)


def test_a_bad_star_threshold_from_the_environment_is_one_line() -> None:
    with pytest.raises(
        SettingsError, match=r"GREENMFG_STAR_THRESHOLD: invalid policy: star_threshold"
    ) as err:
        load_policy(Settings(star_threshold=7))
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("years", "expected"),
    [([2010], [500.0]), ([2011], [2000.0]), ([2020, 1999], [2000.0, 500.0]), ([None], [np.nan])],
)
def test_the_above_size_threshold_follows_its_year_rule(years, expected) -> None:
    found = Policy().above_size_revenue_thresholds(pd.Series(years, dtype="Int64"))
    np.testing.assert_array_equal(found, np.array(expected))


def test_the_above_size_check_applies_the_threshold_of_the_rows_year() -> None:
    rows = clean_rows("enterprise_stats", 4, seed=2)
    rows["year"] = pd.array([2010, 2010, 2012, 2012], dtype="Int64")
    rows["revenue_10k_yuan"] = 800.0  # above size before 2011, below since
    rows["is_above_size"] = pd.array([True, False, True, False], dtype="boolean")
    rows["gross_output_10k_yuan"], rows["value_added_10k_yuan"] = 900.0, 100.0
    outcome = validate(rows, "enterprise_stats", config=ValidationConfig())
    flagged = outcome.quarantine[outcome.quarantine["rule"] == "above_size_flag"]
    assert sorted(flagged["source_row"].astype(int)) == [
        int(rows["source_row"][1]),
        int(rows["source_row"][2]),
    ]


GRANTS = pd.DataFrame(
    {
        "incentive_kind": [
            "model_award",
            "model_award",
            "equipment_subsidy",
            "equipment_subsidy",
            "equipment_subsidy",
        ],
        "amount_10k_yuan": [1000.0, 1200.0, 450.0, 550.0, 600.0],
        "equipment_investment_10k_yuan": [np.nan, np.nan, 4500.0, 9000.0, np.nan],
    }
)


@pytest.mark.parametrize(
    ("policy", "above_cap"),
    [
        (Policy(), [False, True, False, True, True]),
        (replace(Policy(), subsidy_cap_10k_yuan=600.0), [False, True, False, False, False]),
        (
            replace(Policy(), subsidy_rate_cap=0.05, model_award_cap_10k_yuan=1200.0),
            [False, False, True, True, True],
        ),
    ],
)
def test_validation_and_the_incentives_indicator_apply_the_same_caps(policy: Policy, above_cap: list) -> None:
    rows = clean_rows("incentives", len(GRANTS), seed=4)
    for column in GRANTS:
        rows[column] = GRANTS[column].to_numpy()
    rows = rows.astype({"amount_10k_yuan": "Float64", "equipment_investment_10k_yuan": "Float64"})
    outcome = validate(rows, "incentives", config=ValidationConfig(policy=policy))
    capped = outcome.quarantine[outcome.quarantine["rule"].isin(["subsidy_cap", "model_award_cap"])]
    quarantined = set(capped["source_row"].astype(int))
    expected = {int(r) for r, flag in zip(rows["source_row"], above_cap, strict=True) if flag}
    assert quarantined == expected
    city = derive("incentives", {"incentives": rows}, policy)
    total = city[(city["region_code"] == "330500") & (city["incentive_kind"] == "ALL")].iloc[0]
    assert total["above_cap_grants"] == sum(above_cap)
    assert total["subsidy_cap_10k_yuan"] == policy.subsidy_cap_10k_yuan


# --- end to end: the environment's star threshold reaches a publication and a reprocess --------------------


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


def _coverage_and_parameters(stores: Stores) -> tuple[pd.DataFrame, dict]:
    from greenmfg.publish import latest, read_dataframe, read_manifest

    snapshot = latest(stores.published).snapshot_id
    coverage = read_dataframe(stores.published, "green_coverage", snapshot_id=snapshot)
    return coverage, read_manifest(stores.published, snapshot)["parameters"]


@pytest.mark.slow
def test_the_star_threshold_from_the_environment_reaches_publish_and_reprocess(
    prefect_api, tmp_path: Path, set_env, capsys: pytest.CaptureFixture
) -> None:
    """`greenmfg publish` (in-process core), `greenmfg reprocess` (a flow run) and the publish-indicators
    flow each publish with the star threshold of the environment, recorded, for every year."""
    from flows.publish_indicators import publish_indicators
    from greenmfg.cli import main

    root = tmp_path / "store"
    stores = Stores(**{area: LocalStore(root / area) for area in AREAS})
    coverage_inputs = [
        (key, path)
        for key, path in reference.landing_files(corrections=False)
        if key.split("/")[0] in DATASETS["green_coverage"].inputs
    ]
    reference.land_and_ingest(stores, coverage_inputs)
    plants = {}
    for threshold, command in (
        (4, ["publish"]),
        (5, ["reprocess", "--from", "2020", "--to", "2020"]),
        (3, None),
    ):
        set_env(GREENMFG_STORE_URL=str(root), GREENMFG_STAR_THRESHOLD=str(threshold))
        if command:
            assert main(command) == 0, capsys.readouterr()
        else:
            assert publish_indicators()["is_new"]
        coverage, parameters = _coverage_and_parameters(stores)
        assert parameters == replace(Policy(), star_threshold=threshold).to_dict()
        assert set(coverage["year"]) == set(reference.YEARS)
        assert set(coverage["star_threshold"]) == {threshold}, "a year kept another threshold"
        plants[threshold] = coverage.set_index(["year", "region_code", "industry_division"])["green_plants"]
    assert (plants[5] <= plants[4]).all() and (plants[4] <= plants[3]).all()
    assert (plants[5] < plants[3]).any()
