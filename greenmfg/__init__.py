"""greenmfg: event-driven ETL for green-manufacturing statistics."""

__version__ = "0.1.0"
