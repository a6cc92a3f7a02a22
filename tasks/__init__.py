"""Prefect tasks: thin wrappers around greenmfg's core adding retries, caching, logging and artifacts."""
