"""Validation with Great Expectations: one suite per filing type, severities, quarantine and Data Docs.

`validate` judges one parsed filing; `write_outputs` stores what it found. GX itself is imported lazily,
only when a validation runs.
"""

from __future__ import annotations

from greenmfg.validation.config import ValidationConfig, load_config
from greenmfg.validation.engine import validate
from greenmfg.validation.gx import warm_up_in_background
from greenmfg.validation.outcome import ExpectationSummary, ValidationOutcome, ValidationSummary
from greenmfg.validation.outputs import write_outputs

__all__ = [
    "ExpectationSummary",
    "ValidationConfig",
    "ValidationOutcome",
    "ValidationSummary",
    "load_config",
    "validate",
    "warm_up_in_background",
    "write_outputs",
]
