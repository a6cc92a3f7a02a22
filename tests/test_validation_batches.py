"""Great Expectations validates a small frame in one batch and a large one a column at a time (speed only):
the verdict, the quarantine and the GX results must be the same either way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from greenmfg.validation import ValidationConfig, gx, validate
from greenmfg.validation.sample import clean_rows

FILING_TYPE = "enterprise_stats"


def faulty_rows(count: int) -> pd.DataFrame:
    rows = clean_rows(FILING_TYPE, count, seed=3)
    bad = np.random.default_rng(4).choice(count, size=9, replace=False)
    rows.loc[bad[:3], "water_10k_t"] = -1.0
    rows.loc[bad[3:6], "district_code"] = "330599"
    rows.loc[bad[6:], "value_added_10k_yuan"] = rows.loc[bad[6:], "gross_output_10k_yuan"] * 2
    return rows


def outcome_with(rows: pd.DataFrame, column_batches_from: int, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(gx, "COLUMN_BATCHES_FROM_ROWS", column_batches_from)
    return validate(rows, FILING_TYPE, config=ValidationConfig())


def test_one_batch_and_a_batch_per_column_give_the_same_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = faulty_rows(500)
    whole = outcome_with(rows, 10**9, monkeypatch)
    by_column = outcome_with(rows, 0, monkeypatch)
    assert len(whole.quarantine) >= 9
    pd.testing.assert_frame_equal(whole.quarantine, by_column.quarantine)
    pd.testing.assert_frame_equal(whole.accepted, by_column.accepted)
    assert whole.summary == by_column.summary
    assert whole.is_rejected == by_column.is_rejected
    results = {
        which: sorted((r.expectation_config.meta["rule"], r.success) for r in outcome.gx_result.results)
        for which, outcome in (("whole", whole), ("by column", by_column))
    }
    assert results["whole"] == results["by column"]
