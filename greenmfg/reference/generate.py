"""Write the reference filings of a city into OUT_DIR/<filing_type>/<file>, and OUT_DIR/answer_key.json.

File names sort in landing order (01_, 02_, …), so a later file of the same period (the 更正 re-filing)
supersedes the earlier one. Same arguments, same bytes.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from greenmfg.cities import DEFAULT_CITY, CityProfile, load_profile, selected
from greenmfg.contracts import BUREAU_FILING_TYPES
from greenmfg.errors import GreenmfgError
from greenmfg.reference import answer_key as ak
from greenmfg.reference.city import City, build_city
from greenmfg.reference.layouts import CORRECTION_MARK, ENTERPRISE_STATS_CORRECTION, STEMS, Layout, layout_for
from greenmfg.reference.population import CALIBRATION_YEAR
from greenmfg.reference.writers import write_file

DEFAULT_SEED = 2021
DEFAULT_YEARS = (2017, 2021)
ANSWER_KEY = "answer_key.json"
WRITER_THREADS = 2

# DOMAIN.md "Headline figures": what the default city (a profile with [reference] calibrated) must reproduce
# for 2020.
TARGETS = {
    "green_plants": 3091,
    "national_green_factories": 44,
    "national_green_parks": 4,
    "national_green_supply_chain": 17,
    "national_green_design_products": 49,
    "loans_enterprises": 148,
    "loans_total_10k_yuan": 330_000.0,
}


@dataclass(frozen=True)
class PlannedFile:
    filing_type: str
    year: int
    frame: pd.DataFrame
    layout: Layout
    is_correction: bool = False


def generate(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    enterprises: int | None = None,
    years: tuple[int, int] = DEFAULT_YEARS,
    progress: bool = False,
    profile: CityProfile | None = None,
) -> ak.AnswerKey:
    """Build the city of `profile` (the selected one by default) and write every filing and the answer key;
    returns the answer key."""
    profile = profile or selected()
    _check_arguments(years, enterprises)
    check_policy(profile)
    out_dir = Path(out_dir)
    _clear_previous(out_dir)
    city = build_city(seed, years, profile, enterprises)
    plan = _plan(city, scale_mode=enterprises is not None)
    records = _write(out_dir, plan, seed, progress, profile)
    key = _answer_key(city, records, seed, enterprises, profile)
    key.write(out_dir / ANSWER_KEY)
    return key


def check_policy(profile: CityProfile) -> None:
    """The generator draws grants and plants with the default profile's policy values (population.POLICY):
    a profile with other values would get filings its own policy contradicts, so it is refused."""
    default = load_profile(DEFAULT_CITY).policy
    differing = sorted(k for k in {*default, *profile.policy} if default.get(k) != profile.policy.get(k))
    if differing:
        raise GreenmfgError(
            f"reference-data: {profile.profile_file} has policy values {differing} other than the default "
            f"profile's; expected the same values (the reference generator draws with those of "
            f"{DEFAULT_CITY})"
        )


def _check_arguments(years: tuple[int, int], enterprises: int | None) -> None:
    first, last = years
    if not 1990 <= first <= last <= 2100:
        raise GreenmfgError(f"reference-data: years {first}-{last} are not a range within 1990-2100")
    if enterprises is not None and enterprises < 1:
        raise GreenmfgError(f"reference-data: --enterprises must be at least 1, got {enterprises}")


def _clear_previous(out_dir: Path) -> None:
    """Remove an earlier run's files (listed in its answer key); refuse a folder holding anything else."""
    if not out_dir.exists():
        return
    previous = out_dir / ANSWER_KEY
    listed: set[Path] = set()
    if previous.exists():
        listed = {out_dir / key for key in json.loads(previous.read_text(encoding="utf-8"))["files"]}
        listed.add(previous)
    foreign = sorted(
        str(p.relative_to(out_dir)) for p in out_dir.rglob("*") if p.is_file() and p not in listed
    )
    if foreign:
        shown = ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")
        raise GreenmfgError(
            f"reference-data: {out_dir} holds files that are not an earlier reference output "
            f"({shown}); expected an empty or new folder"
        )
    for path in listed:
        path.unlink(missing_ok=True)


def _plan(city: City, *, scale_mode: bool) -> dict[str, list[PlannedFile]]:
    """Files per filing type in landing order; the correction lands after the following year's filing.

    A year with nothing to report for a filing type gets no file."""
    frames = {
        "enterprise_stats": city.stats,
        "green_register": city.register,
        "incentives": city.incentives,
        "green_loans": city.loans,
    }
    plan: dict[str, list[PlannedFile]] = {}
    for filing_type in BUREAU_FILING_TYPES:
        files = []
        for index, year in enumerate(city.written_years):
            frame = (
                city.original_stats.get(year, frames[filing_type][year])
                if filing_type == "enterprise_stats"
                else frames[filing_type][year]
            )
            if frame.empty:  # nothing to report that year (e.g. the register before the first accreditation)
                continue
            files.append(
                PlannedFile(filing_type, year, frame, layout_for(filing_type, index, scale_mode=scale_mode))
            )
        plan[filing_type] = files
    if city.correction is not None:
        year = city.correction.year
        position = next(
            (i + 1 for i, f in enumerate(plan["enterprise_stats"]) if f.year == year + 1),
            len(plan["enterprise_stats"]),
        )
        plan["enterprise_stats"].insert(
            position,
            PlannedFile(
                "enterprise_stats", year, city.stats[year], ENTERPRISE_STATS_CORRECTION, is_correction=True
            ),
        )
    return plan


def file_name(number: int, planned: PlannedFile) -> str:
    stem = STEMS[planned.filing_type].format(year=planned.year)
    mark = f"_{CORRECTION_MARK}" if planned.is_correction else ""
    return f"{number:02d}_{stem}{mark}{planned.layout.suffix}"


def _write(
    out_dir: Path, plan: dict[str, list[PlannedFile]], seed: int, show: bool, profile: CityProfile
) -> list[ak.FileRecord]:
    records: list[ak.FileRecord] = []
    total_rows = sum(len(f.frame) for files in plan.values() for f in files)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} rows"),
        TimeElapsedColumn(),
    )
    jobs = []
    for type_index, (filing_type, files) in enumerate(plan.items()):
        (out_dir / filing_type).mkdir(parents=True, exist_ok=True)
        for number, planned in enumerate(files, start=1):
            quirks = np.random.default_rng([seed, type_index, planned.year, int(planned.is_correction)])
            jobs.append((f"{filing_type}/{file_name(number, planned)}", planned, quirks))
    with Progress(*columns, disable=not show, transient=False) as bar:
        task = bar.add_task("writing reference filings", total=total_rows)

        def write(job: tuple[str, PlannedFile, np.random.Generator]) -> None:
            key, planned, quirks = job
            bar.update(task, description=key)
            advance = partial(bar.advance, task)
            write_file(
                out_dir / key,
                planned.frame,
                planned.filing_type,
                planned.layout,
                planned.year,
                quirks,
                profile,
                advance,
            )

        # pyarrow writes large CSVs without holding the GIL: two at a time use both cores.
        with ThreadPoolExecutor(max_workers=WRITER_THREADS) as pool:
            list(pool.map(write, jobs))
    for key, planned, _ in jobs:
        layout = planned.layout
        records.append(
            ak.FileRecord(
                key=key,
                filing_type=planned.filing_type,
                period=planned.year,
                rows=len(planned.frame),
                format=layout.fmt,
                encoding=layout.encoding if layout.fmt == "csv" else None,
                money_unit=layout.money_unit,
            )
        )
    return _link_supersessions(records)


def _link_supersessions(records: list[ak.FileRecord]) -> list[ak.FileRecord]:
    """A later file of the same filing type and period supersedes the earlier one."""
    out = list(records)
    latest: dict[tuple[str, int], int] = {}
    for index, record in enumerate(out):
        slot = (record.filing_type, record.period)
        if slot in latest:
            earlier = out[latest[slot]]
            out[latest[slot]] = ak.FileRecord(**{**earlier.__dict__, "superseded_by": record.key})
            out[index] = ak.FileRecord(**{**record.__dict__, "supersedes": earlier.key})
        latest[slot] = index
    return out


def _answer_key(
    city: City, records: list[ak.FileRecord], seed: int, enterprises: int | None, profile: CityProfile
) -> ak.AnswerKey:
    frames = {
        "enterprise_stats": city.stats,
        "green_register": city.register,
        "incentives": city.incentives,
        "green_loans": city.loans,
    }
    periods: dict[str, dict[str, dict]] = {}
    for record in records:
        if record.superseded_by is not None:
            continue
        entry = {"rows": record.rows, "effective_file": record.key}
        if record.filing_type == "enterprise_stats":
            entry.update(ak.stats_period(city.stats[record.period]))
        periods.setdefault(record.filing_type, {})[str(record.period)] = entry
    headline = None
    districts: dict[str, dict[str, int]] = {}
    year = CALIBRATION_YEAR
    if year in city.written_years:
        headline = ak.headline(
            city.stats[year], city.register[year], city.incentives[year], city.loans[year], year
        )
        districts = ak.district_figures(city.stats[year], city.register[year], year)
    calibrated = enterprises is None and headline is not None and profile.reference.calibrated
    if calibrated:
        _check_calibration(headline)
    corrections = ()
    if city.correction is not None:
        stats_files = [
            r for r in records if r.filing_type == "enterprise_stats" and r.period == city.correction.year
        ]
        corrections = (
            {
                "filing_type": "enterprise_stats",
                "period": city.correction.year,
                "file": stats_files[-1].key,
                "supersedes": stats_files[0].key,
                "changes": list(city.correction.changes),
            },
        )
    return ak.AnswerKey(
        seed=seed,
        enterprises=enterprises,
        years=city.years,
        calibrated=calibrated,
        files=tuple(records),
        periods=periods,
        headline=headline,
        districts=districts,
        invalid_check_codes=city.invalid_codes,
        corrections=corrections,
        energy_intensity=ak.energy_intensity(frames["enterprise_stats"]),
        city=profile.code,
    )


def _check_calibration(headline: dict) -> None:
    """The default city must reproduce DOMAIN.md's figures; anything else is a generator bug."""
    wrong = {k: (headline[k], v) for k, v in TARGETS.items() if headline[k] != v}
    if headline["coverage_pct"] is None or headline["coverage_pct"] <= 90.0:
        wrong["coverage_pct"] = (headline["coverage_pct"], "> 90")
    if headline["green_plants_above_size"] != headline["green_plants"]:
        wrong["green_plants_above_size"] = (headline["green_plants_above_size"], headline["green_plants"])
    if wrong:
        found = ", ".join(f"{k}={got} (expected {want})" for k, (got, want) in wrong.items())
        raise GreenmfgError(f"reference-data: the generated city misses DOMAIN.md's 2020 figures: {found}")
