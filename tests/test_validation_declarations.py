"""Each validation rule is one declaration: severity, thresholds and check together; overrides that name
nothing, and declarations without a severity, fail when they load."""

from __future__ import annotations

from pathlib import Path

import pytest

from greenmfg.contracts import CONTRACTS
from greenmfg.errors import SettingsError
from greenmfg.validation.config import ValidationConfig, load_config
from greenmfg.validation.declaration import (
    SEVERITIES,
    RuleDeclaration,
    RuleDeclarationError,
    Threshold,
    fact,
    when_columns,
)
from greenmfg.validation.rules import DECLARATIONS, THRESHOLDS, declared_rules, registry, rules_for
from greenmfg.validation.suites import suite_dict


def _check(rows, given):
    raise AssertionError("never run by these tests")


def test_every_rule_of_every_filing_type_has_its_declared_severity() -> None:
    seen = set()
    for filing_type in sorted(CONTRACTS):
        for rule in declared_rules(filing_type):
            declared = DECLARATIONS[rule.family]
            assert rule.severity in SEVERITIES
            assert rule.severity == declared.default_severity(filing_type), rule.name
            runs_its_check = rule.frame == "facts" or rule.kwargs["column"].startswith("check__")
            assert rule.check is (declared.check if runs_its_check else None), rule.name
            seen.add(rule.family)
    assert seen == set(DECLARATIONS), "a declaration makes no rule for any filing type"


@pytest.mark.parametrize(
    ("filing_type", "rule", "severity"),
    [
        ("enterprise_stats", "column:year", "critical"),
        ("enterprise_stats", "range:revenue_10k_yuan", "row"),
        ("enterprise_stats", "credit_code_check", "warning"),
        ("enterprise_stats", "energy_total", "warning"),
        ("enterprise_stats", "deleted_keys", "critical"),
        ("incentives", "deleted_keys", "off"),
        ("green_loans", "row_count_change", "warning"),
        ("miit_green_parks", "region_spelling", "warning"),
    ],
)
def test_default_severities_as_documented(filing_type: str, rule: str, severity: str) -> None:
    assert ValidationConfig().severity(filing_type, rule) == severity


@pytest.mark.parametrize("severity", [None, "", "fatal"])
def test_a_declaration_without_a_severity_fails_naming_the_rule(severity) -> None:
    with pytest.raises(
        RuleDeclarationError, match=r"validation rule 'new_rule' declares no default severity"
    ):
        RuleDeclaration("new_rule", severity, "a new rule", when_columns("year"), check=_check)


@pytest.mark.parametrize(
    ("declarations", "message"),
    [
        (
            (
                RuleDeclaration("twice", "row", "a", when_columns("year"), check=_check),
                RuleDeclaration("twice", "warning", "b", when_columns("year"), check=_check),
            ),
            "'twice' is declared twice",
        ),
        (
            (
                RuleDeclaration(
                    "one", "row", "a", fact(), check=_check, thresholds=(Threshold("t", 1, "x"),)
                ),
                RuleDeclaration(
                    "two", "row", "b", fact(), check=_check, thresholds=(Threshold("t", 2, "y"),)
                ),
            ),
            "threshold 't' is declared by both 'one' and 'two'",
        ),
        (
            (
                RuleDeclaration(
                    "typed", "row", "a", fact(), check=_check, severity_by_filing_type={"x": "off"}
                ),
            ),
            "unknown filing types",
        ),
    ],
)
def test_the_registry_refuses_inconsistent_declarations(declarations, message: str) -> None:
    with pytest.raises(RuleDeclarationError, match=message):
        registry(declarations)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"policy": ("no_such_parameter",)}, r"reads policy parameters \['no_such_parameter'\]"),
        ({"name": "bad:name"}, "has no ':'"),
        ({"severity_by_filing_type": {"incentives": "loud"}}, "unknown severities"),
    ],
)
def test_a_declaration_is_checked_when_it_loads(kwargs: dict, message: str) -> None:
    values = {"name": "rule", "severity": "row", "description": "d", "instances": when_columns("year")}
    with pytest.raises(RuleDeclarationError, match=message):
        RuleDeclaration(**{**values, **kwargs}, check=_check)


def test_a_derived_or_fact_rule_without_its_check_fails_naming_it() -> None:
    contract = CONTRACTS["green_loans"]
    for instances in (when_columns("year"), fact()):
        declaration = RuleDeclaration("unchecked", "row", "d", instances)
        with pytest.raises(RuleDeclarationError, match=r"'unchecked' .* declares no check"):
            declaration.rules(contract)


def _config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "validation.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[severities]\n"no_such_rule" = "row"\n', "'no_such_rule': no rule or family 'no_such_rule'"),
        ('[severities]\n"range:no_such_column" = "row"\n', "no rule 'range:no_such_column'"),
        ('[severities]\n"green_loans.range:revenue_10k_yuan" = "row"\n', "no rule .* of green_loans"),
        ('[severities]\n"loans.range" = "row"\n', "unknown filing type 'loans'"),
        ('[severities]\n"range" = "loud"\n', "severities.range: .*found 'loud'"),
        ("max_row_count_drop_share = 1.5\n", "max_row_count_drop_share must be between 0 and 1, found 1.5"),
        ("max_row_count_drop = 0.5\n", r"unknown configuration keys \['max_row_count_drop'\]"),
        ("subsidy_cap_10k_yuan = 600.0\n", r"belong in the \[policy\] table; found top-level"),
        ("[policy]\nsubsidy_rate = 0.2\n", "subsidy_rate: Unexpected keyword argument"),
        ("[policy]\nstar_threshold = 9\n", "star_threshold: Input should be less than or equal to 5"),
        ("max_row_count_drop_share = \n", "cannot read the configuration file"),
    ],
)
def test_an_override_of_what_does_not_exist_fails_in_one_line(
    tmp_path: Path, toml: str, message: str
) -> None:
    path = _config_file(tmp_path, toml)
    with pytest.raises(SettingsError, match=message) as raised:
        load_config(path)
    assert "\n" not in str(raised.value) and str(path) in str(raised.value)


def test_the_toml_format_reaches_rules_thresholds_and_policy(tmp_path: Path) -> None:
    path = _config_file(
        tmp_path,
        "max_row_count_drop_share = 0.5\nsample_size = 2\n"
        "[policy]\nsubsidy_cap_10k_yuan = 600.0\nstar_threshold = 4\n"
        '[severities]\n"credit_code_check" = "row"\n"enterprise_stats.range:year" = "critical"\n',
    )
    config = load_config(path)
    assert config.threshold("max_row_count_drop_share") == 0.5
    assert config.threshold("max_deleted_key_share") == THRESHOLDS["max_deleted_key_share"].default
    assert config.sample_size == 2
    assert (config.policy.subsidy_cap_10k_yuan, config.policy.star_threshold) == (600.0, 4)
    assert config.severity("green_loans", "credit_code_check") == "row"
    assert config.severity("enterprise_stats", "range:year") == "critical"
    assert config.severity("green_register", "range:year") == "row"
    meta = {e["meta"]["rule"]: e["meta"] for e in suite_dict("enterprise_stats", config)["expectations"]}
    assert meta["row_count_change"]["parameters"] == {
        "max_row_count_drop_share": 0.5,
        "max_row_count_growth_share": 1.0,
    }
    incentives = {e["meta"]["rule"]: e["meta"] for e in suite_dict("incentives", config)["expectations"]}
    assert incentives["subsidy_cap"]["parameters"]["subsidy_cap_10k_yuan"] == 600.0


def test_rules_set_off_are_left_out() -> None:
    config = ValidationConfig(severities={"energy_total": "off"})
    assert "energy_total" not in {r.name for r in rules_for("enterprise_stats", config)}
    assert "deleted_keys" not in {r.name for r in rules_for("incentives")}
