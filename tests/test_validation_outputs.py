"""Validation outputs in the staging store: quarantine Parquet, summary, GX results and Data Docs."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from greenmfg.storage import keys
from greenmfg.storage.local import LocalStore
from greenmfg.validation import ValidationConfig, validate, write_outputs
from greenmfg.validation.sample import clean_rows


@pytest.fixture
def outcome_and_sha():
    rows = clean_rows("incentives", 25, seed=4)
    rows.loc[[3, 8], "district_code"] = "110101"
    return validate(rows, "incentives", config=ValidationConfig()), rows["source_sha256"].iloc[0]


def test_outputs_land_under_the_validation_prefix_and_read_back(
    outcome_and_sha, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome, sha = outcome_and_sha
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    store = LocalStore(tmp_path / "staging")

    written = write_outputs(store, "incentives", sha, outcome, build_docs=True)

    assert written["quarantine"] == keys.quarantine("incentives", sha)
    assert written["summary"] == keys.validation_summary("incentives", sha)
    assert written["data_docs"].startswith(keys.data_docs_prefix("incentives", sha))
    assert all(k.startswith(keys.validation_prefix("incentives", sha)) for k in written.values())
    quarantine = pd.read_parquet(io.BytesIO(store.read_bytes(written["quarantine"])))
    assert sorted(quarantine["offending_value"]) == ["110101", "110101"]
    assert set(quarantine["rule"]) == {"codes:district_code"}
    summary = json.loads(store.read_bytes(written["summary"]))
    assert summary["rows_quarantined"] == 2 and summary["is_rejected"] is False
    html = store.read_bytes(written["data_docs"]).decode("utf-8")
    assert "incentives" in html
    pages = [i.key for i in store.list(keys.data_docs_prefix("incentives", sha)) if i.key.endswith(".html")]
    assert any("/validations/" in key for key in pages)
    assert list(scratch.iterdir()) == []  # the GX working folder was removed


def test_outputs_are_reproducible(outcome_and_sha, tmp_path: Path) -> None:
    outcome, sha = outcome_and_sha
    first, second = LocalStore(tmp_path / "a"), LocalStore(tmp_path / "b")
    written = write_outputs(first, "incentives", sha, outcome, build_docs=False)
    write_outputs(second, "incentives", sha, outcome, build_docs=False)
    for key in written.values():
        assert first.read_bytes(key) == second.read_bytes(key)
    assert "ge_load_time" not in first.read_bytes(written["gx_result"]).decode("utf-8")
