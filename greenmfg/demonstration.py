"""The demonstration data set (reference filings of the city, the real MIIT lists), landed only where nothing
else is.

`greenmfg run` seeds it into a landing area that holds nothing but (part of) the demonstration; a landing area
that holds anything else holds someone's filings, and reference data must never be mixed into them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from greenmfg import landing_copy, miit_landing, progress
from greenmfg.contracts import CONTRACTS
from greenmfg.errors import SettingsError
from greenmfg.landing import AUTO_GROUP, LANDING_GROUPS
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
    """Land the reference filings (generated into `reference_dir`) and the MIIT lists of `miit_dir` that the
    landing area does not hold yet, unless it holds anything else: then it holds someone's filings and
    nothing is generated or landed. A seeding cut short is so completed by the next run."""
    existing = {info.key for info in stores.landing.list()}
    demonstration_prefixes = {*CONTRACTS, *LANDING_GROUPS} - {AUTO_GROUP}
    foreign = {key for key in existing if key.split("/", 1)[0] not in demonstration_prefixes}
    # A seeding cut short left its reference filings behind; without them, anything landed is someone's.
    resumable = not existing or (not foreign and _generated(reference_dir))
    files = _demonstration_files(reference_dir, miit_dir) if resumable else []
    foreign = existing - {key for key, _ in files}
    if foreign:
        return DemonstrationLanding(
            0,
            False,
            f"{stores.landing.uri()} already holds files: sweeping them, no demonstration data added",
        )
    missing = [(key, path) for key, path in files if key not in existing]
    for number, (key, path) in enumerate(missing, start=1):
        landing_copy.land(stores.landing, [(key, path)])
        progress.step(f"landing {key}", number, len(missing))
    skipped = None if missing else "the demonstration is landed already"
    return DemonstrationLanding(len(missing), miit_dir.is_dir(), skipped)


def _generated(reference_dir: Path) -> bool:
    return any(reference_dir.glob("*/*"))


def _check_reference_city(reference_dir: Path) -> None:
    """Reference filings generated for another city are never landed as this one's."""
    from greenmfg.cities import DEFAULT_CITY, selected
    from greenmfg.reference import ANSWER_KEY

    key = reference_dir / ANSWER_KEY
    found = json.loads(key.read_text(encoding="utf-8")).get("city", DEFAULT_CITY) if key.is_file() else None
    wanted = selected().code
    if found is not None and found != wanted:
        raise SettingsError(
            f"{reference_dir} holds the reference filings of city {found}; expected those of {wanted}: "
            "give another --reference-dir (or leave it unset for the city's own)"
        )


def _demonstration_files(reference_dir: Path, miit_dir: Path) -> list[tuple[str, Path]]:
    """(landing key, file) of the demonstration; the reference filings are generated when not there yet."""
    from greenmfg.reference import generate

    if not _generated(reference_dir):
        generate(reference_dir)
    _check_reference_city(reference_dir)
    files = landing_copy.landing_files(reference_dir)
    if miit_dir.is_dir():
        files += miit_landing.miit_landing_files(miit_dir)
    return files
