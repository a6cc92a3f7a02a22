"""The bureau's headline figures for one year, read back from a published snapshot (never recomputed)."""

from __future__ import annotations

import pandas as pd

from greenmfg.cities import CityProfile, of_parameters
from greenmfg.indicators.miit_cities import rows_in_force
from greenmfg.publish import read_dataframe, read_manifest
from greenmfg.storage import ObjectStore

ALL = "ALL"
NATIONAL = "全国"
CITY_COUNTS = "miit_city_counts"
NATIONAL_LABELS = {
    "green_park": "national green parks",
    "green_factory": "national green factories",
    "green_supply_chain": "national supply-chain companies",
    "green_design_product": "national green design products",
}
NATIONAL_LIST_TYPES = tuple(NATIONAL_LABELS)


def _city_row(
    published: ObjectStore, snapshot_id: str, dataset: str, year: int, city: str, **match: str
) -> dict:
    filters = [("year", "=", year), ("region_code", "=", city), *((k, "=", v) for k, v in match.items())]
    frame = read_dataframe(published, dataset, snapshot_id=snapshot_id, filters=filters)
    return frame.iloc[0].to_dict() if len(frame) else {}


def city_rank(counts: pd.DataFrame, year: int, city: CityProfile) -> dict:
    """The city's rank among prefecture-level cities on the MIIT lists in force at the year's end, with the
    unplaced shares that make it a lower bound (miit_city_counts rows; empty when the lists are absent)."""
    rows = rows_in_force(counts, f"{year}-12-31") if len(counts) else counts
    rows = rows[rows["list_type"] == ALL].set_index("region_code") if len(rows) else rows
    if city.code not in rows.index:
        return {}
    here = rows.loc[city.code]
    return {
        "batch": int(here["batch"]),
        "as_of_date": pd.Timestamp(here["as_of_date"]).date().isoformat(),
        "rank": None if pd.isna(here["rank_among_cities"]) else int(here["rank_among_cities"]),
        "cities_ranked": int(here["cities_ranked"]),
        "entities": int(here["in_force_entities"]),
        "unplaced_share_pct": float(rows.loc[NATIONAL, "unplaced_share_pct"]),
        "province_unplaced_share_pct": float(rows.loc[city.province, "unplaced_share_pct"]),
    }


def headline_figures(published: ObjectStore, snapshot_id: str, year: int) -> dict:
    """Green plants and coverage, national list counts, incentives, green loans and energy intensity, of
    the city the snapshot was published for."""
    manifest = read_manifest(published, snapshot_id)
    city = of_parameters(manifest.get("parameters") or {})

    def row(dataset: str, **match: str) -> dict:
        return _city_row(published, snapshot_id, dataset, year, city.code, **match)

    coverage = row("green_coverage", industry_division=ALL)
    finance = row("green_finance")
    incentives = row("incentives", incentive_kind=ALL)
    energy = row("energy_intensity", industry_division=ALL)
    national = {
        list_type: row("green_list_counts", source_list="register", list_type=list_type, tier="national").get(
            "entities"
        )
        for list_type in NATIONAL_LIST_TYPES
    }
    has_counts = CITY_COUNTS in manifest.get("datasets", {})  # older snapshots lack it
    counts = read_dataframe(published, CITY_COUNTS, snapshot_id=snapshot_id) if has_counts else pd.DataFrame()
    return {
        "city": {
            "code": city.code,
            "name_zh": city.name_zh,
            "name_en": city.name_en,
            "province": city.province,
        },
        "city_rank": city_rank(counts, year, city),
        "green_plants": coverage.get("green_plants"),
        "above_size_enterprises": coverage.get("above_size_enterprises"),
        "coverage_pct": coverage.get("coverage_pct"),
        "star_threshold": coverage.get("star_threshold"),
        "national": national,
        "incentive_grants": incentives.get("grants"),
        "incentive_total_10k_yuan": incentives.get("total_10k_yuan"),
        "incentive_largest_10k_yuan": incentives.get("largest_10k_yuan"),
        "incentive_above_cap_grants": incentives.get("above_cap_grants"),
        "loan_applicants": finance.get("applicant_enterprises"),
        "loan_total_10k_yuan": finance.get("loan_total_10k_yuan"),
        "energy_per_10k_yuan_value_added": energy.get("energy_per_10k_yuan_value_added"),
        "energy_decline_rate_pct": energy.get("decline_rate_pct"),
    }


def render(published_result: dict, figures: dict, location: str, year: int) -> str:
    """The closing lines of `greenmfg run`: where the snapshot is, and those of the figures it holds."""
    status = "new snapshot" if published_result.get("is_new") else "unchanged: nothing new published"
    lines = [f"snapshot {published_result['snapshot_id']} ({status}) in {location}"]
    shown = _figure_lines({**figures, **{f"national_{k}": v for k, v in figures["national"].items()}})
    city = figures.get("city") or {}
    if shown:
        named = f" of {city['name_en']} ({city['name_zh']}, {city['code']})" if city else ""
        lines += [f"headline figures{named} for {year}, read back from the snapshot:", *shown]
        lines += _rank_lines(figures.get("city_rank") or {}, year, city.get("province", ""))
    else:
        lines.append(f"no headline figures for {year} in this snapshot: nothing filed for that year")
    return "\n".join(lines)


def _figure_lines(f: dict) -> list[str]:
    """One line per figure the snapshot holds; a figure (or its detail) that is missing is left out."""
    has = {
        name: value is not None and not pd.isna(value)
        for name, value in f.items()
        if not isinstance(value, dict)
    }
    lines = []
    if has["green_plants"]:
        stars = f" (stars ≥ {f['star_threshold']})" if has["star_threshold"] else ""
        lines.append(f"  accredited green plants          {f['green_plants']:,}{stars}")
    if has["above_size_enterprises"]:
        lines.append(f"  above-size enterprises           {f['above_size_enterprises']:,}")
    if has["coverage_pct"]:
        lines.append(f"  green-plant coverage             {f['coverage_pct']:.1f} %")
    for list_type, label in NATIONAL_LABELS.items():
        if has[f"national_{list_type}"]:
            lines.append(f"  {label:<33}{f[f'national_{list_type}']}")
    if has["loan_applicants"]:
        lines.append(f"  green-loan applicants            {f['loan_applicants']}")
    if has["loan_total_10k_yuan"]:
        total = f["loan_total_10k_yuan"]
        billions = f"{total * 1e4 / 1e9:.1f} billion yuan"
        lines.append(f"  green loans applied for          {total / 1e4:,.2f} 亿元 ({billions})")
    if has["incentive_grants"] and has["incentive_total_10k_yuan"]:
        largest = (
            f", largest {f['incentive_largest_10k_yuan']:,.1f} 万元"
            if has["incentive_largest_10k_yuan"]
            else ""
        )
        lines.append(
            f"  incentives granted               {f['incentive_grants']} grants, "
            f"{f['incentive_total_10k_yuan']:,.1f} 万元{largest}"
        )
    if has["energy_per_10k_yuan_value_added"]:
        decline = f" (decline {f['energy_decline_rate_pct']:.2f} %)" if has["energy_decline_rate_pct"] else ""
        lines.append(
            f"  energy per 10,000 yuan of VA     {f['energy_per_10k_yuan_value_added']:.4f} tce{decline}"
        )
    return lines


def _rank_lines(rank: dict, year: int, province: str) -> list[str]:
    """The city's rank among cities on the MIIT lists, with the caveat that makes it a lower bound."""
    if not rank or rank["rank"] is None:
        return []
    lists = f"the MIIT lists in force {year}-12-31 (batches 1–{rank['batch']})"
    shares = f"{rank['unplaced_share_pct']:.0f} % of all entries ({rank['province_unplaced_share_pct']:.0f} %"
    return [
        f"  rank among prefecture-level cities  {rank['rank']} of {rank['cities_ranked']} on {lists}, "
        f"{rank['entities']} entries placed by name",
        f"    a lower bound: {shares} in {province}) carry no usable place name and count for no city",
    ]
