"""Standalone scripts timed against the pipeline: a pandas peer, a DuckDB peer and the floor.

Each runs as `python benchmarks/peers/<script>.py` and imports nothing of greenmfg: only facts.py, beside it.
"""
