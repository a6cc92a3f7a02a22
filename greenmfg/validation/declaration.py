"""What a validation rule is: one declaration (check, default severity, thresholds) and the rules it makes.

A `RuleDeclaration` says everything about one rule family in one place: what it checks, its default severity
(per filing type where that differs), the thresholds it owns with their defaults, the policy parameters it
reads (greenmfg/policy.py), its vectorised check when Great Expectations has no built-in expectation for
it, and how it becomes the `Rule`s (expectations) of a filing type's suite. The declarations live in
contract_rules.py, domain_rules.py and fact_rules.py; rules.py is their registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

import pandas as pd

from greenmfg.contracts import Column, Contract
from greenmfg.policy import Policy, parameter_names

if TYPE_CHECKING:
    from greenmfg.validation.config import ValidationConfig

Severity = Literal["critical", "row", "warning", "off"]
SEVERITIES: tuple[str, ...] = get_args(Severity)
Frame = Literal["schema", "rows", "facts"]


class RuleDeclarationError(ValueError):
    """A rule declared inconsistently (no severity, an unknown parameter, a name declared twice)."""


@dataclass(frozen=True)
class CheckInput:
    """What a check may read besides the rows: the contract, the configuration, the parser's cell errors
    and, for drift facts, the previous accepted filing of the same type."""

    contract: Contract
    config: ValidationConfig
    cell_errors: pd.DataFrame | None = None
    previous: pd.DataFrame | None = None

    @property
    def policy(self) -> Policy:
        return self.config.policy


# A rows-frame check: a nullable boolean per row (True passes, False offends, NA = not applicable).
RowCheck = Callable[[pd.DataFrame, CheckInput], pd.Series]
# A facts-frame check: table-level facts (see fact_rules.FACT_COLUMNS), none when not applicable.
FactCheck = Callable[[pd.DataFrame, CheckInput], list[dict]]


@dataclass(frozen=True)
class Threshold:
    """A threshold a rule owns, with its default and bounds; the configuration file may override it."""

    name: str
    default: float
    description: str
    minimum: float = 0.0
    maximum: float | None = None

    def problem(self, value: object) -> str | None:
        """Why `value` is not acceptable for this threshold (None when it is)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{self.name} must be a number, found {value!r}"
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            bounds = (
                f"≥ {self.minimum:g}"
                if self.maximum is None
                else f"between {self.minimum:g} and {self.maximum:g}"
            )
            return f"{self.name} must be {bounds}, found {value!r}"
        return None


@dataclass(frozen=True)
class Rule:
    """One expectation of a filing type's suite: made by a declaration, with its configured severity."""

    name: str
    frame: Frame
    expectation: str
    kwargs: dict[str, Any]
    description: str
    columns: tuple[str, ...] = ()
    check: RowCheck | FactCheck | None = field(default=None, compare=False, repr=False)
    severity: Severity = "row"
    parameters: Mapping[str, Any] = field(default_factory=dict)

    @property
    def family(self) -> str:
        """The declaration's name: the rule name before ':'."""
        return self.name.split(":", 1)[0]

    def expectation_config(self) -> dict[str, Any]:
        """The expectation as Great Expectations' JSON (type, kwargs, meta)."""
        meta: dict[str, Any] = {
            "rule": self.name,
            "severity": self.severity,
            "frame": self.frame,
            "description": self.description,
            "columns": list(self.columns),
        }
        if self.parameters:
            meta["parameters"] = dict(self.parameters)
        return {"type": self.expectation, "kwargs": dict(self.kwargs), "meta": meta}


Instances = Callable[[Contract, "RuleDeclaration"], list[Rule]]


@dataclass(frozen=True)
class RuleDeclaration:
    """One rule family, declared once. A rule is named '<name>' or '<name>:<column>'."""

    name: str
    severity: Severity | None
    description: str
    instances: Instances
    check: RowCheck | FactCheck | None = None
    thresholds: tuple[Threshold, ...] = ()
    policy: tuple[str, ...] = ()
    severity_by_filing_type: Mapping[str, Severity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        where = f"validation rule {self.name!r}"
        if not self.name or any(c in self.name for c in ":. "):
            raise RuleDeclarationError(f"{where}: a rule name has no ':', '.' or space")
        if self.severity not in SEVERITIES:
            raise RuleDeclarationError(
                f"{where} declares no default severity (found {self.severity!r}); "
                f"expected one of {SEVERITIES}"
            )
        wrong = {ft: s for ft, s in self.severity_by_filing_type.items() if s not in SEVERITIES}
        if wrong:
            raise RuleDeclarationError(f"{where}: unknown severities {wrong}; expected one of {SEVERITIES}")
        unknown = [p for p in self.policy if p not in parameter_names()]
        if unknown:
            raise RuleDeclarationError(
                f"{where} reads policy parameters {unknown} that greenmfg/policy.py does not declare"
            )

    def default_severity(self, filing_type: str) -> Severity:
        return self.severity_by_filing_type.get(filing_type, self.severity)  # type: ignore[return-value]

    def parameter_values(self, config: ValidationConfig) -> dict[str, Any]:
        """The thresholds and scalar policy parameters this rule applies, as configured."""
        values: dict[str, Any] = {t.name: config.threshold(t.name) for t in self.thresholds}
        for name in self.policy:
            value = getattr(config.policy, name)
            if isinstance(value, int | float | str):
                values[name] = value
        return values

    def rules(self, contract: Contract) -> list[Rule]:
        """The rules this declaration makes for a filing type (none when it does not apply)."""
        return self.instances(contract, self)


# --- how declarations become rules -------------------------------------------------------------------------


def check_column(rule_name: str) -> str:
    """Name of the derived boolean column a rule's check writes (what its GX expectation reads)."""
    return "check__" + rule_name.replace(":", "__")


def derived(declaration: RuleDeclaration, columns: Iterable[str]) -> Rule:
    """A rule checked by its declaration's vectorised check: GX expects its derived column to be all True."""
    if declaration.check is None:
        raise RuleDeclarationError(f"validation rule {declaration.name!r} is derived but declares no check")
    return Rule(
        declaration.name,
        "rows",
        "expect_column_values_to_be_in_set",
        {"column": check_column(declaration.name), "value_set": [True]},
        declaration.description,
        tuple(columns),
        check=declaration.check,
    )


def when_columns(*needed: str, shown: tuple[str, ...] | None = None) -> Instances:
    """One derived rule wherever the contract has every `needed` column (showing `shown`, default those)."""

    def build(contract: Contract, declaration: RuleDeclaration) -> list[Rule]:
        if not set(needed) <= set(contract.column_names):
            return []
        return [derived(declaration, shown if shown is not None else needed)]

    return build


def per_column(
    expectation: str,
    which: Callable[[Contract], Iterable[Column]],
    kwargs: Callable[[Column], dict[str, Any]],
    describe: Callable[[Column], str] | None = None,
    frame: Frame = "rows",
) -> Instances:
    """One rule '<name>:<column>' per column `which` selects, checked by a built-in GX expectation."""

    def build(contract: Contract, declaration: RuleDeclaration) -> list[Rule]:
        return [
            Rule(
                f"{declaration.name}:{column.name}",
                frame,
                expectation,
                kwargs(column),
                describe(column) if describe else declaration.description,
                (column.name,),
            )
            for column in which(contract)
        ]

    return build


def fact(applies: Callable[[Contract], bool] = lambda contract: True) -> Instances:
    """One table-level rule: GX expects `is_ok` to be True on the fact rows its check produced."""

    def build(contract: Contract, declaration: RuleDeclaration) -> list[Rule]:
        if not applies(contract):
            return []
        if declaration.check is None:
            raise RuleDeclarationError(
                f"validation rule {declaration.name!r} is a fact but declares no check"
            )
        return [
            Rule(
                declaration.name,
                "facts",
                "expect_column_values_to_be_in_set",
                {
                    "column": "is_ok",
                    "value_set": [True],
                    "row_condition": f'check=="{declaration.name}"',
                    "condition_parser": "pandas",
                },
                declaration.description,
                check=declaration.check,
            )
        ]

    return build
