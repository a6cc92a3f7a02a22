"""Progress of long work as log records, so the CLI can draw a bar and Prefect logs still show it.

Core code calls `step(...)`; whoever runs it (the CLI) may attach a handler to LOGGER to draw a bar.
"""

from __future__ import annotations

import logging

LOGGER = logging.getLogger("greenmfg.progress")


def step(label: str, done: int, total: int) -> None:
    LOGGER.info("%s (%d/%d)", label, done, total, extra={"progress": (label, done, total)})


class ProgressBarHandler(logging.Handler):
    """Advances a rich progress bar from `step` records."""

    def __init__(self, progress) -> None:
        super().__init__(level=logging.INFO)
        self.progress = progress
        self.task = progress.add_task("starting", total=None)

    def emit(self, record: logging.LogRecord) -> None:
        label, done, total = getattr(record, "progress", (None, 0, 0))
        if label is not None:
            self.progress.update(self.task, description=label, completed=done, total=total)
