"""The answer key: what the pipeline must find in the reference filings (row counts, headline figures).

Computed from the canonical frames with plain formulas (in force at a date, distinct credit codes), so it
holds at any scale; `calibrated` says whether the figures are DOMAIN.md's.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from greenmfg.cities import DEFAULT_CITY
from greenmfg.reference.population import POLICY
from greenmfg.reference.programmes import AWARD_CAP_10K_YUAN, SUBSIDY_CAP_10K_YUAN, SUBSIDY_RATE

HEADLINE_YEAR = 2020
STAR_THRESHOLD = POLICY.star_threshold
MONEY_TOLERANCE_10K_YUAN = 0.01  # absolute, per value, after converting the filed unit back to 万元
RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class FileRecord:
    """One written file: its landing key, filing type, period, accepted rows and how it was sent."""

    key: str
    filing_type: str
    period: int
    rows: int
    format: str
    encoding: str | None
    money_unit: str
    supersedes: str | None = None
    superseded_by: str | None = None


@dataclass(frozen=True)
class AnswerKey:
    """Expected results of loading the reference filings. `as_dict()` is what answer_key.json holds."""

    seed: int
    enterprises: int | None
    years: tuple[int, int]
    calibrated: bool
    files: tuple[FileRecord, ...]
    periods: dict[str, dict[str, dict]]
    headline: dict | None
    districts: dict[str, dict[str, int]]
    invalid_check_codes: tuple[str, ...]
    corrections: tuple[dict, ...]
    energy_intensity: dict[str, dict[str, float]]
    city: str = DEFAULT_CITY  # the profile the reference city was drawn for
    tolerance: dict[str, float] = field(
        default_factory=lambda: {
            "money_10k_yuan_abs": MONEY_TOLERANCE_10K_YUAN,
            "relative": RELATIVE_TOLERANCE,
        }
    )

    def as_dict(self) -> dict:
        data = asdict(self)
        data["years"] = list(self.years)
        data["files"] = {
            record.key: {k: v for k, v in asdict(record).items() if k != "key"} for record in self.files
        }
        return data

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    def write(self, path: Path) -> None:
        path.write_bytes(self.to_json().encode("utf-8"))

    @classmethod
    def load(cls, path: Path) -> AnswerKey:
        """Read an answer_key.json written by `write`."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        data["years"] = tuple(data["years"])
        data["files"] = tuple(FileRecord(key=key, **record) for key, record in data["files"].items())
        data["invalid_check_codes"] = tuple(data["invalid_check_codes"])
        data["corrections"] = tuple(data["corrections"])
        return cls(**data)


def in_force(register: pd.DataFrame, on: date) -> pd.DataFrame:
    """Accreditations in force on a day: started, not ended, not revoked."""
    start = register["valid_from_date"].map(lambda d: d <= on)
    end = register["valid_to_date"].map(lambda d: d is None or pd.isna(d) or d >= on)
    return register[start & end & ~register["is_revoked"].astype(bool)]


def green_plant_codes(register: pd.DataFrame, on: date, threshold: int = STAR_THRESHOLD) -> set[str]:
    rows = in_force(register, on)
    rows = rows[(rows["list_type"] == "green_factory") & (rows["stars"].fillna(0) >= threshold)]
    return set(rows["credit_code"].dropna())


def national_counts(register: pd.DataFrame, on: date) -> dict[str, int]:
    rows = in_force(register, on)
    rows = rows[rows["tier"] == "national"]
    keys = {
        "green_park": ["entity_name"],
        "green_factory": ["credit_code"],
        "green_supply_chain": ["credit_code"],
        "green_design_product": ["entity_name", "product_name", "product_model"],
    }
    return {lt: len(rows[rows["list_type"] == lt].drop_duplicates(cols)) for lt, cols in keys.items()}


def headline(
    stats: pd.DataFrame, register: pd.DataFrame, incentives: pd.DataFrame, loans: pd.DataFrame, year: int
) -> dict:
    on = date(year, 12, 31)
    above = set(stats.loc[stats["is_above_size"].astype(bool), "credit_code"].unique().tolist())
    green = green_plant_codes(register, on)
    counts = national_counts(register, on)
    return {
        "year": year,
        "as_of_date": on.isoformat(),
        "star_threshold": STAR_THRESHOLD,
        "green_plants": len(green),
        "green_plants_above_size": len(green & above),
        "above_size_enterprises": len(above),
        "coverage_pct": round(100.0 * len(green & above) / len(above), 2) if above else None,
        "national_green_factories": counts["green_factory"],
        "national_green_parks": counts["green_park"],
        "national_green_supply_chain": counts["green_supply_chain"],
        "national_green_design_products": counts["green_design_product"],
        "loans_applications": len(loans),
        "loans_enterprises": int(loans["credit_code"].nunique()),
        "loans_total_10k_yuan": round(float(loans["loan_amount_10k_yuan"].sum()), 2),
        "incentives": _incentive_figures(incentives),
    }


def _incentive_figures(incentives: pd.DataFrame) -> dict:
    caps = {"model_award": AWARD_CAP_10K_YUAN, "equipment_subsidy": SUBSIDY_CAP_10K_YUAN}
    out: dict[str, dict] = {}
    for kind, cap in caps.items():
        rows = incentives[incentives["incentive_kind"] == kind]
        amounts = rows["amount_10k_yuan"]
        out[kind] = {
            "count": len(rows),
            "total_10k_yuan": round(float(amounts.sum()), 2),
            "largest_10k_yuan": float(amounts.max()) if len(rows) else None,
            "cap_10k_yuan": cap,
            "at_cap": int((amounts >= cap).sum()),
            "over_cap": int((amounts > cap).sum()),
        }
    out["equipment_subsidy"]["rate"] = SUBSIDY_RATE
    return out


def district_figures(stats: pd.DataFrame, register: pd.DataFrame, year: int) -> dict[str, dict[str, int]]:
    """Per district (the enterprise's district in that year's statistics): green plants, above-size."""
    above = stats[stats["is_above_size"].astype(bool)]
    green = green_plant_codes(register, date(year, 12, 31))
    out = {}
    for district, rows in above.groupby("district_code", sort=True):
        out[str(district)] = {
            "above_size_enterprises": int(rows["credit_code"].nunique()),
            "green_plants": int(rows["credit_code"].isin(green).sum()),
        }
    return out


def stats_period(stats: pd.DataFrame) -> dict:
    above = stats[stats["is_above_size"].astype(bool)]
    return {
        "above_size_rows": len(above),
        "revenue_10k_yuan": round(float(stats["revenue_10k_yuan"].sum()), 2),
        "value_added_10k_yuan": round(float(stats["value_added_10k_yuan"].sum()), 2),
        "energy_total_tce": round(float(stats["energy_total_tce"].sum()), 2),
    }


def energy_intensity(stats: dict[int, pd.DataFrame]) -> dict[str, dict[str, float]]:
    """City energy per 10,000 yuan of value added (above-size rows) and its decline from the year before."""
    out: dict[str, dict[str, float]] = {}
    previous = None
    for year in sorted(stats):
        above = stats[year][stats[year]["is_above_size"].astype(bool)]
        energy = float(above["energy_total_tce"].sum())
        value_added = float(above["value_added_10k_yuan"].sum())
        intensity = energy / value_added
        entry = {
            "energy_total_tce": round(energy, 2),
            "value_added_10k_yuan": round(value_added, 2),
            "tce_per_10k_yuan": round(intensity, 6),
        }
        if previous is not None:
            entry["decline_rate"] = round(1 - intensity / previous, 6)
        out[str(year)] = entry
        previous = intensity
    return out
