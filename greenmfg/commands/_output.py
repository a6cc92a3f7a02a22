"""What the commands print: tables that never wrap mid-row in a pipe or file, JSON, a progress bar on stderr.

A terminal gets a rich table (cells may wrap inside the screen's width); anything else gets plain text
aligned by display width (a CJK character takes two columns), one line per row however long.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich.cells import cell_len


def plain_table(
    columns: Sequence[str], rows: Sequence[Sequence[object]], right: frozenset[str] = frozenset()
) -> str:
    """Columns aligned with spaces; the last column is never padded, so a row is exactly one line."""
    cells = [[_one_line(value) for value in row] for row in [columns, *rows]]
    widths = [max(cell_len(row[i]) for row in cells) for i in range(len(columns))]
    lines = []
    for row in cells:
        padded = []
        for i, (text, width) in enumerate(zip(row, widths, strict=True)):
            fill = " " * (width - cell_len(text))
            last = i == len(columns) - 1
            padded.append(fill + text if columns[i] in right else text + ("" if last else fill))
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


def print_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    right: frozenset[str] = frozenset(),
    title: str | None = None,
) -> None:
    """A table on stdout: rich in a terminal, plain aligned text (one line per row) elsewhere."""
    if not sys.stdout.isatty():
        if title:
            print(title)
        print(plain_table(columns, rows, right))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left", overflow="fold")
    for row in rows:
        table.add_row(*(Text(_one_line(value)) for value in row))
    Console().print(table)


def print_json(value: object) -> None:
    """One JSON document on stdout (non-ASCII kept, dataclass leftovers such as tuples as lists)."""
    print(json.dumps(value, ensure_ascii=False, indent=1, default=str))


class _Bar:
    """Shows what is being worked on, and advances when it is done; without a terminal it does nothing."""

    def __init__(self, progress=None, total: int = 0) -> None:
        self.progress = progress
        self.task = progress.add_task("", total=total) if progress is not None else None

    def working_on(self, label: str) -> None:
        if self.progress is not None:
            self.progress.update(self.task, description=label)

    def advance(self) -> None:
        if self.progress is not None:
            self.progress.advance(self.task)


@contextmanager
def stderr_progress(total: int) -> Iterator[_Bar]:
    """A transient progress bar on stderr when stderr is a terminal (nothing in a pipe or a log file)."""
    if not sys.stderr.isatty():
        yield _Bar()
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        yield _Bar(progress, total)


def _one_line(value: object) -> str:
    return "-" if value is None else str(value).replace("\r", " ").replace("\n", " ")


@contextmanager
def core_progress_on_stderr() -> Iterator[None]:
    """The core's progress records (greenmfg.progress.step) drawn as a bar on stderr, in a terminal only."""
    if not sys.stderr.isatty():
        yield
        return
    import logging

    from rich.console import Console
    from rich.progress import Progress

    from greenmfg.progress import LOGGER, ProgressBarHandler

    with Progress(console=Console(stderr=True), transient=True) as progress:
        handler = ProgressBarHandler(progress)
        level, propagate = LOGGER.level, LOGGER.propagate
        LOGGER.addHandler(handler)
        # The bar shows the records; passed on to the root logger they would also be printed under it.
        LOGGER.setLevel(logging.INFO)
        LOGGER.propagate = False
        try:
            yield
        finally:
            LOGGER.removeHandler(handler)
            LOGGER.setLevel(level)
            LOGGER.propagate = propagate
