"""Snapshots: atomic Parquet publication, manifest, commit log, diff gate, retention and the reader.

Layout in the published area (plain Parquet and JSON, readable without this package):
  snapshots/<id>/<dataset>/[<col>=<value>/]part-00000.parquet   data, Hive-style partitions
  snapshots/<id>/manifest.json                                   files, checksums, schemas, provenance
  snapshots/<id>/data_dictionary.json, data_dictionary.md        the dictionary
  _commits/<n>.json                                              commit log; latest = highest n
"""

from greenmfg.publish.commits import CommitEntry, latest, list_snapshots, resolve, utc_now_iso
from greenmfg.publish.current import current_snapshot
from greenmfg.publish.diff import DiffPolicy, PeriodChange, SnapshotDiff, ValueChange, load_diff_policy
from greenmfg.publish.reader import dataset_schema, read_dataframe, read_dataset, read_manifest, to_frame
from greenmfg.publish.retention import cleanup_uncommitted, prune
from greenmfg.publish.writer import (
    PreparedSnapshot,
    PublishResult,
    commit_snapshot,
    prepare_snapshot,
    publish_snapshot,
)

__all__ = [
    "CommitEntry",
    "DiffPolicy",
    "PeriodChange",
    "PreparedSnapshot",
    "PublishResult",
    "SnapshotDiff",
    "ValueChange",
    "cleanup_uncommitted",
    "commit_snapshot",
    "current_snapshot",
    "dataset_schema",
    "latest",
    "list_snapshots",
    "load_diff_policy",
    "prepare_snapshot",
    "prune",
    "publish_snapshot",
    "read_dataframe",
    "read_dataset",
    "read_manifest",
    "resolve",
    "to_frame",
    "utc_now_iso",
]
