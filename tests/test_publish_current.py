"""current_snapshot: a run with nothing new recognises the latest snapshot without deriving again."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa

from greenmfg.publish import current_snapshot, latest, publish_snapshot
from greenmfg.storage.local import LocalStore

SCHEMA = pa.schema(
    [pa.field("year", pa.int64(), nullable=False), pa.field("plants", pa.int64())],
    metadata={"key": "year"},
)
SOURCES = [
    {"sha256": "b" * 64, "filing_type": "enterprise_stats", "period": 2020, "original_name": "s.csv"},
    {"sha256": "a" * 64, "filing_type": "green_register", "period": 2020, "original_name": "r.csv"},
]
# Tuples and dates, as dataclass parameters hold them, come back from the manifest as lists and text.
PARAMETERS = {"star_threshold": 3, "factors": ({"column": "coke_t", "from": date(2010, 1, 1)},)}
CODE = "0.1.0+gabc"


def publish(store: LocalStore, *, sources=SOURCES, parameters=PARAMETERS, code=CODE):
    frame = pd.DataFrame({"year": [2020], "plants": [parameters["star_threshold"]]}).astype("Int64")
    return publish_snapshot(
        store,
        {"coverage": frame},
        schemas={"coverage": SCHEMA},
        partition_by={"coverage": []},
        sources=sources,
        parameters=parameters,
        validation={},
        dictionary_json={},
        dictionary_markdown="# dictionary\n",
        code_version=code,
    )


def test_nothing_published_is_never_current(tmp_path):
    assert (
        current_snapshot(LocalStore(tmp_path), sources=SOURCES, parameters=PARAMETERS, code_version=CODE)
        is None
    )


def test_same_sources_parameters_and_code_are_current_in_any_source_order(tmp_path):
    store = LocalStore(tmp_path)
    publish(store)
    found = current_snapshot(store, sources=SOURCES[::-1], parameters=PARAMETERS, code_version=CODE)
    assert found == latest(store)


def test_a_change_of_sources_parameters_or_code_is_not_current(tmp_path):
    store = LocalStore(tmp_path)
    publish(store)
    refiled = [SOURCES[0], {**SOURCES[1], "sha256": "c" * 64}]
    stricter = {**PARAMETERS, "star_threshold": 4}
    assert current_snapshot(store, sources=refiled, parameters=PARAMETERS, code_version=CODE) is None
    assert current_snapshot(store, sources=SOURCES, parameters=stricter, code_version=CODE) is None
    assert current_snapshot(store, sources=SOURCES, parameters=PARAMETERS, code_version="0.1.0+gdef") is None


def test_current_agrees_with_what_publishing_again_would_do(tmp_path):
    store = LocalStore(tmp_path)
    publish(store)
    stricter = {**PARAMETERS, "star_threshold": 4}
    assert current_snapshot(store, sources=SOURCES, parameters=stricter, code_version=CODE) is None
    assert publish(store, parameters=stricter).is_new
    assert current_snapshot(store, sources=SOURCES, parameters=stricter, code_version=CODE) is not None
    assert not publish(store, parameters=stricter).is_new


def test_a_pruned_manifest_is_not_current(tmp_path):
    store = LocalStore(tmp_path)
    publish(store)
    store.delete(latest(store).manifest_key)
    assert current_snapshot(store, sources=SOURCES, parameters=PARAMETERS, code_version=CODE) is None
