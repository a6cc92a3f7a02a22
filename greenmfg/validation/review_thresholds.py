"""When a staged table is held for review instead of taking force: the `[review]` table of the configuration.

Declared once here with their defaults (issue 13); greenmfg/review.py applies them at ingestion, and
expectations/README.md documents them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

REVIEW_TABLE = "review"


class ReviewThresholds(BaseModel):
    """A table that passed validation still waits for a person when it looks wrong as a whole."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_quarantined_share: float = Field(
        0.25,
        ge=0,
        le=1,
        description="A table whose quarantined rows exceed this share of its parsed rows is held: most of it "
        "is unusable, so what passed is unlikely to be the whole truth.",
    )
    max_total_change_share: float = Field(
        0.5,
        gt=0,
        description="A correction (a filing that would supersede the one in force for its filing type and "
        "period) is held when its row count, or the total of any money or energy column, moves by more than "
        "this share of the superseded filing's.",
    )
