"""Benchmarks: the pipeline's `greenmfg ingest` + `greenmfg publish` against independent pandas and DuckDB
scripts doing the same work, and against the floor, as side-by-side ratios of whole processes.

Run `python -m benchmarks --quick` (a few minutes on 2 cores) or `--full`; see docs/benchmarks.md.
"""
