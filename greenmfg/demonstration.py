"""The demonstration data set (reference filings of the city, the real MIIT lists), landed only when empty.

`greenmfg run` seeds it into an empty landing area; a landing area that holds anything already holds
someone's filings, and reference data must never be mixed into them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from greenmfg import landing_copy, miit_landing, progress
from greenmfg.storage import Stores

MIIT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "miit-green-lists"


@dataclass(frozen=True)
class DemonstrationLanding:
    """What seeding did: files landed, whether the MIIT lists were found, and why nothing was landed."""

    landed: int
    miit_lists_found: bool
    skipped_because: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def land_demonstration(stores: Stores, reference_dir: Path, miit_dir: Path) -> DemonstrationLanding:
    """Generate the reference filings into `reference_dir` and land them with the MIIT lists of `miit_dir`,
    unless the landing area already holds any object (then nothing is generated or landed)."""
    if stores.landing.list():
        return DemonstrationLanding(
            0,
            False,
            f"{stores.landing.uri()} already holds files: sweeping them, no demonstration data added",
        )
    from greenmfg.reference import generate

    generate(reference_dir)
    files = landing_copy.landing_files(reference_dir)
    if miit_dir.is_dir():
        files += miit_landing.miit_landing_files(miit_dir)
    for number, (key, path) in enumerate(files, start=1):
        landing_copy.land(stores.landing, [(key, path)])
        progress.step(f"landing {key}", number, len(files))
    return DemonstrationLanding(len(files), miit_dir.is_dir())
