"""The registry of validation rules: every declaration (contract_rules, domain_rules, fact_rules), checked
when it loads, and the rules of a filing type's suite with their configured severities.

Frames: "schema" (the rows with zero length: column presence and dtypes), "rows" (one row per filed row, plus
the derived check columns) and "facts" (table-level facts, one row per fact: see fact_rules).
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from greenmfg.contracts import CONTRACTS, get_contract
from greenmfg.validation import contract_rules, domain_rules, fact_rules
from greenmfg.validation.declaration import Rule, RuleDeclaration, RuleDeclarationError, Threshold

if TYPE_CHECKING:
    from greenmfg.validation.config import ValidationConfig


def registry(declarations: tuple[RuleDeclaration, ...]) -> dict[str, RuleDeclaration]:
    """Declarations by name, refusing a name or threshold declared twice and per-type severities of
    unknown filing types."""
    by_name: dict[str, RuleDeclaration] = {}
    thresholds: dict[str, str] = {}
    for declaration in declarations:
        if declaration.name in by_name:
            raise RuleDeclarationError(f"validation rule {declaration.name!r} is declared twice")
        by_name[declaration.name] = declaration
        unknown = sorted(set(declaration.severity_by_filing_type) - set(CONTRACTS))
        if unknown:
            raise RuleDeclarationError(
                f"validation rule {declaration.name!r} sets severities of unknown filing types {unknown}"
            )
        for threshold in declaration.thresholds:
            if threshold.name in thresholds:
                raise RuleDeclarationError(
                    f"threshold {threshold.name!r} is declared by both {thresholds[threshold.name]!r} "
                    f"and {declaration.name!r}"
                )
            thresholds[threshold.name] = declaration.name
    return by_name


DECLARATIONS: dict[str, RuleDeclaration] = registry(
    (*contract_rules.DECLARATIONS, *domain_rules.DECLARATIONS, *fact_rules.DECLARATIONS)
)
THRESHOLDS: dict[str, Threshold] = {t.name: t for d in DECLARATIONS.values() for t in d.thresholds}


def declaration(rule_name: str) -> RuleDeclaration:
    """The declaration a rule comes from (its name before ':')."""
    family = rule_name.split(":", 1)[0]
    try:
        return DECLARATIONS[family]
    except KeyError:
        raise RuleDeclarationError(
            f"validation rule {rule_name!r} has no declaration (and so no severity); "
            f"expected one of {sorted(DECLARATIONS)}"
        ) from None


@cache
def declared_rules(filing_type: str) -> tuple[Rule, ...]:
    """Every rule of a filing type as declared, before configuration (default severities)."""
    contract = get_contract(filing_type)
    rules: list[Rule] = []
    for item in DECLARATIONS.values():
        for rule in item.rules(contract):
            if rule.family != item.name:
                raise RuleDeclarationError(f"validation rule {rule.name!r} is made by {item.name!r}")
            rules.append(replace(rule, severity=item.default_severity(filing_type)))
    names = [r.name for r in rules]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise RuleDeclarationError(f"{filing_type}: rules made twice: {repeated}")
    return tuple(rules)


def rules_for(filing_type: str, config: ValidationConfig | None = None) -> list[Rule]:
    """All rules of a filing type with their configured severity and parameters; rules set to "off" are
    left out."""
    if config is None:
        from greenmfg.validation.config import ValidationConfig

        config = ValidationConfig()
    rules = []
    for rule in declared_rules(filing_type):
        severity = config.severity(filing_type, rule.name)
        if severity != "off":
            parameters = declaration(rule.name).parameter_values(config)
            rules.append(replace(rule, severity=severity, parameters=parameters))
    return rules
