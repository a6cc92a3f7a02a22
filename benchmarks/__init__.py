"""Benchmarks: the pipeline against its physical floor and a plain pandas script, as side-by-side ratios.

Run `python -m benchmarks --quick` (a few minutes on 2 cores) or `--full`; see docs/benchmarks.md.
"""
