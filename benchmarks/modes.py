"""What a benchmark run measures: the quick mode (a few minutes on 2 cores), the full mode (issue 14's)."""

from __future__ import annotations

from dataclasses import dataclass, field

ONE_M, FIVE_M = 1_000_000, 5_000_000


def _part(help_text: str):
    return field(metadata={"help": help_text})


@dataclass(frozen=True)
class Mode:
    name: str
    sizes: tuple[int, ...] = _part("enterprise rows of the filing timed as whole processes, comma-separated")
    repeat: int = _part("interleaved rounds per size, after the checked round")
    stage_sizes: tuple[int, ...] = _part(
        "sizes of the in-process stage timings, comma-separated (empty skips)"
    )
    stage_repeat: int = _part("in-process rounds per size")
    small_filings: int = _part("how many small filings (0 skips the figure)")
    small_rows: int = _part("enterprise rows per small filing")
    small_repeat: int = _part("interleaved rounds of the small filings, after the checked round")
    storage_rows: int = _part("rows of the in-process local folder vs SeaweedFS S3 comparison (0 skips it)")
    storage_repeat: int = _part("rounds of the storage comparison")
    latency_uploads: int = _part("uploads of the landing → published latency on a fresh stack (0 skips it)")


QUICK = Mode(
    "quick", sizes=(ONE_M,), repeat=3, stage_sizes=(ONE_M,), stage_repeat=1,
    small_filings=50, small_rows=2000, small_repeat=1,
    storage_rows=0, storage_repeat=0, latency_uploads=0,
)  # fmt: skip
FULL = Mode(
    "full", sizes=(ONE_M, FIVE_M), repeat=5, stage_sizes=(ONE_M,), stage_repeat=3,
    small_filings=200, small_rows=2000, small_repeat=3,
    storage_rows=ONE_M, storage_repeat=3, latency_uploads=9,
)  # fmt: skip
MODES = {mode.name: mode for mode in (QUICK, FULL)}
