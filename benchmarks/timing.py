"""Interleaved repetitions and their medians: every contender runs once per round, in a rotating order."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

# A contender: called with the round's context, returns (seconds of the measured part, details).
Contender = Callable[[Any], tuple[float, dict[str, Any]]]


@dataclass
class Rounds:
    """Seconds (and details) per contender per round, in round order."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    details: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def median(self, name: str) -> float:
        return statistics.median(self.seconds[name])

    def ratio(self, numerator: str, denominator: str) -> dict[str, float]:
        """Median of the per-round ratios (pairs run minutes apart at most) and the ratio of medians."""
        pairs = zip(self.seconds[numerator], self.seconds[denominator], strict=True)
        return {
            "median_of_ratios": statistics.median(n / d for n, d in pairs),
            "ratio_of_medians": self.median(numerator) / self.median(denominator),
        }

    def median_detail(self, name: str, key: str) -> float:
        return statistics.median(d[key] for d in self.details[name])


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds for one call, after a collection so one contender's garbage is not billed to the next."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def interleave(
    contenders: Mapping[str, Contender],
    repeat: int,
    setup: Callable[[], AbstractContextManager[Any]],
    *,
    log: Callable[[str], None],
) -> Rounds:
    """Run every contender `repeat` times, each round in a fresh context from `setup()` (untimed).

    Round r starts at contender r (mod n), so none always runs first, on a cold cache or a warm one.
    """
    names = list(contenders)
    rounds = Rounds({n: [] for n in names}, {n: [] for n in names})
    for r in range(repeat):
        order = names[r % len(names) :] + names[: r % len(names)]
        with setup() as context:
            for name in order:
                seconds, details = contenders[name](context)
                rounds.seconds[name].append(seconds)
                rounds.details[name].append(details)
        log(f"  round {r + 1}/{repeat}: " + ", ".join(f"{n} {rounds.seconds[n][-1]:.2f}s" for n in names))
    return rounds
