"""Prefect flows: wiring only, one task call per step."""
