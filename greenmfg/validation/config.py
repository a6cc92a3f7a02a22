"""Validation configuration: severity overrides, overrides of the thresholds the rules declare, the policy.

Defaults are declared with each rule (contract_rules, domain_rules, fact_rules) and in greenmfg/policy.py;
the TOML file named by GREENMFG_VALIDATION_CONFIG overrides them (format: expectations/README.md). An override
naming a rule, family, filing type or threshold that does not exist is an error when the file loads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from greenmfg.contracts import CONTRACTS
from greenmfg.errors import SettingsError
from greenmfg.policy import POLICY_TABLE, Policy, load_policy
from greenmfg.publish.diff import DIFF_GATE_TABLE, DiffPolicy, load_diff_policy
from greenmfg.settings import Settings, get_settings
from greenmfg.validation.declaration import SEVERITIES, Severity
from greenmfg.validation.review_thresholds import REVIEW_TABLE, ReviewThresholds
from greenmfg.validation.rules import DECLARATIONS, THRESHOLDS, declaration, declared_rules

SEVERITIES_TABLE = "severities"
OWN_KEYS = (SEVERITIES_TABLE, "sample_size", REVIEW_TABLE)


def _split_filing_type(key: str) -> tuple[str | None, str]:
    """'<filing_type>.<rule>' → (filing type, rule); '<rule>' → (None, rule)."""
    head, dot, rest = key.partition(".")
    return (head, rest) if dot else (None, key)


def severity_key_problem(key: str) -> str | None:
    """Why a severity override key names nothing that exists (None when it does)."""
    filing_type, rule = _split_filing_type(key)
    if filing_type is not None and filing_type not in CONTRACTS:
        return f"{key!r}: unknown filing type {filing_type!r}"
    if ":" not in rule:
        return None if rule in DECLARATIONS else f"{key!r}: no rule or family {rule!r}"
    types = [filing_type] if filing_type else sorted(CONTRACTS)
    if any(rule == r.name for ft in types for r in declared_rules(ft)):
        return None
    where = f" of {filing_type}" if filing_type else ""
    return f"{key!r}: no rule {rule!r}{where}"


class ValidationConfig(BaseModel):
    """Severity overrides, threshold overrides, summary sample size and the policy the checks read.

    A severity is looked up as '<filing_type>.<rule>', then '<rule>', then '<filing_type>.<family>', then
    '<family>' (family = the rule name before ':') among the overrides, then from the rule's declaration.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    severities: dict[str, Severity] = Field(default_factory=dict)
    thresholds: dict[str, float] = Field(default_factory=dict)
    # How many offending values (with their source rows) the summary shows per expectation.
    sample_size: int = Field(5, ge=0)
    policy: Policy = Field(default_factory=Policy)
    # When a validated table is held for review instead of taking force (greenmfg/review.py).
    review: ReviewThresholds = Field(default_factory=ReviewThresholds)
    # The publisher's diff gate (greenmfg/publish/diff.py), checked here so a bad table fails at load too.
    diff_gate: DiffPolicy = Field(default_factory=DiffPolicy)

    @model_validator(mode="after")
    def _overrides_name_what_exists(self) -> ValidationConfig:
        problems = [p for key in self.severities if (p := severity_key_problem(key))]
        unknown = sorted(set(self.thresholds) - set(THRESHOLDS))
        if unknown:
            problems.append(f"unknown thresholds {unknown}; expected one of {sorted(THRESHOLDS)}")
        problems += [
            p
            for name, v in self.thresholds.items()
            if name in THRESHOLDS and (p := THRESHOLDS[name].problem(v))
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def severity(self, filing_type: str, rule: str) -> Severity:
        family = rule.split(":", 1)[0]
        for name in (f"{filing_type}.{rule}", rule, f"{filing_type}.{family}", family):
            if name in self.severities:
                return self.severities[name]
        return declaration(rule).default_severity(filing_type)

    def threshold(self, name: str) -> float:
        """A threshold as configured, else as its rule declares it."""
        return self.thresholds.get(name, THRESHOLDS[name].default)


def load_config(path: str | Path | None = None, *, settings: Settings | None = None) -> ValidationConfig:
    """The declared defaults, overridden by the TOML file `path` (default: GREENMFG_VALIDATION_CONFIG)."""
    settings = settings or get_settings()
    if path:
        settings = settings.model_copy(update={"validation_config": Path(path)})
    document = settings.config_document()
    policy = load_policy(settings)
    source = str(settings.validation_config)
    values: dict[str, Any] = {"policy": policy, "diff_gate": load_diff_policy(settings)}
    unknown = []
    for key, value in document.items():
        if key in OWN_KEYS:
            values[key] = value
        elif key in THRESHOLDS:
            values.setdefault("thresholds", {})[key] = value
        elif key not in (POLICY_TABLE, DIFF_GATE_TABLE):
            unknown.append(key)
    if unknown:
        expected = [*OWN_KEYS, *THRESHOLDS, f"[{POLICY_TABLE}]", f"[{DIFF_GATE_TABLE}]"]
        raise SettingsError(f"{source}: unknown configuration keys {unknown}; expected {expected}")
    try:
        return ValidationConfig(**values)
    except ValidationError as exc:
        problems = "; ".join(_one_line(e) for e in exc.errors())
        raise SettingsError(f"{source}: invalid validation config; {problems}") from None


def _one_line(error: dict[str, Any]) -> str:
    where = ".".join(map(str, error["loc"]))
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "literal_error":
        message = f"{message} (found {error.get('input')!r}; severities: {', '.join(SEVERITIES)})"
    return f"{where}: {message}" if where else message
