"""The reference city's green accreditations: who is accredited, at which tier and stars, from when to when.

Calibrated to DOMAIN.md: 3,091 enterprises hold a green-factory accreditation of ≥ 3 stars in force at
2020-12-31, all above designated size; the national tier in force then counts 44 factories, 4 parks,
17 supply-chain enterprises and 49 design products, the real placed entries among them. Rows that must not
count (fewer stars, expired, revoked) are there too, so thresholds and effective dating matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from greenmfg.cities import CityProfile
from greenmfg.reference import identities
from greenmfg.reference.placed import BATCH_DATES, placed
from greenmfg.reference.population import CALIBRATION_YEAR, Pool, Span

GREEN_PLANTS = 3091
NATIONAL_FACTORIES = 44
NATIONAL_SUPPLY_CHAIN = 17
NATIONAL_DESIGN_PRODUCTS = 49
EVALUATION_STANDARD = "GB/T 36132-2018"
MUNICIPAL_VALIDITY_YEARS = 3  # Huzhou re-reviews its star ratings every three years
MIIT_BATCHES_1_TO_5 = ("1", "2", "3", "4", "5")
STARS = {"municipal": 3, "provincial": 4, "national": 5}

# Made-up national entries per batch 1–5 (the real placed ones come on top).
MADE_UP_FACTORIES = {"1": 4, "2": 5, "3": 9, "4": 10, "5": 10}
MADE_UP_SUPPLY_CHAIN = {"1": 1, "2": 1, "3": 3, "4": 4, "5": 7}
MADE_UP_PRODUCTS = {"1": 5, "2": 2, "3": 10, "4": 10, "5": 12}
PROVINCIAL_FACTORIES = 330
LOW_STAR = 150
EXPIRED = 70
REVOKED = 30

FIRST_ACCREDITATION_YEARS = {2016: 0.25, 2017: 0.20, 2018: 0.20, 2019: 0.17, 2020: 0.18}
PRODUCTS: tuple[tuple[str, str], ...] = (
    ("涤纶工业长丝", "FDY-"),
    ("锂离子电池组", "LFP-"),
    ("三相异步电动机", "YE3-"),
    ("竹地板", "ZB-"),
    ("实木复合地板", "SF-"),
    ("水性木器涂料", "SW-"),
    ("电动车用铅蓄电池", "6-EVF-"),
    ("真丝面料", "ZS-"),
    ("羊毛衫", "YM-"),
    ("乘客电梯", "HZ-"),
    ("深沟球轴承", "62"),
    ("办公椅", "BY-"),
    ("瓦楞纸箱", "ZX-"),
    ("光伏组件", "PV-"),
    ("家用洗涤剂", "XD-"),
    ("无纺布", "WF-"),
)


@dataclass(frozen=True)
class BatchLabels:
    """How the register writes its municipal and provincial batches (湖州市2019年度, 浙江省2019年度)."""

    city: str
    province: str

    def municipal(self, year: int) -> str:
        return f"{self.city}{year}年度"

    def provincial(self, year: int) -> str:
        return f"{self.province}{year}年度"


@dataclass(frozen=True)
class Register:
    """Accreditations (one row each, with scheduled expiry and revocation date) and the roles enterprises
    were given: green plants at the calibration date and the national list holders."""

    accreditations: pd.DataFrame
    green_plants: np.ndarray
    national_enterprises: np.ndarray
    pool: Pool


def build_register(rng: np.random.Generator, pool: Pool, span: Span, city: CityProfile) -> Register:
    """Choose the enterprises, place the real national entries on some of them, and date every row."""
    veterans = pool.veterans(span)
    above = pool.above[CALIBRATION_YEAR]
    rows: list[dict] = []

    real_names = _real_enterprise_names(city)
    real_ids = rng.choice(veterans, size=len(real_names), replace=False)
    real_of = dict(zip(real_names, real_ids.tolist(), strict=True))
    pool = _place_real(pool, real_of, rng, city)
    taken = set(real_ids.tolist())

    free = np.setdiff1d(veterans, real_ids)
    made_up_factories = rng.choice(free, size=sum(MADE_UP_FACTORIES.values()) + 1, replace=False)
    free = np.setdiff1d(free, made_up_factories)
    chain_others = rng.choice(free, size=sum(MADE_UP_SUPPLY_CHAIN.values()) - 6, replace=False)
    free = np.setdiff1d(free, chain_others)
    product_firms = rng.choice(free, size=26, replace=False)
    free = np.setdiff1d(free, product_firms)
    revoked_factory, revoked_product_firm = made_up_factories[-1], product_firms[-1]
    made_up_factories, product_firms = made_up_factories[:-1], product_firms[:-1]
    chain_firms = np.concatenate([rng.choice(made_up_factories, size=6, replace=False), chain_others])
    national_made_up = np.unique(
        np.concatenate(
            [made_up_factories, chain_firms, product_firms, [revoked_factory, revoked_product_firm]]
        )
    )
    pool = _rename_placeless(pool, national_made_up, rng, city)
    taken |= set(national_made_up.tolist())

    real_factory_ids = [
        real_of[r["entity_name"]] for r in placed(city.code, "green_factory") if r["batch"] in "12345"
    ]
    must_be_green = np.unique(
        np.concatenate([np.array(real_factory_ids, dtype=np.int64), made_up_factories, chain_firms])
    )
    non_green_reserved = np.array([revoked_factory, revoked_product_firm])
    rest = np.setdiff1d(np.setdiff1d(above, must_be_green), non_green_reserved)
    green = np.sort(
        np.concatenate(
            [must_be_green, rng.choice(rest, size=GREEN_PLANTS - must_be_green.size, replace=False)]
        )
    )

    entry = pool.enterprises["entry_year"]
    labels = BatchLabels(city.name_zh, city.province_name)
    rows += _municipal_chains(rng, green, entry, span, labels)
    rows += _later_accreditations(rng, pool, green, span, labels)
    rows += _provincial(rng, np.setdiff1d(green, must_be_green), span, labels)
    rows += _national_placed(real_of, span, city)
    rows += _national_made_up(rng, made_up_factories, chain_firms, product_firms)
    rows += _not_counting(rng, pool, green, taken, span, (revoked_factory, revoked_product_firm), labels)
    frame = pd.DataFrame(rows)
    frame = frame[frame["valid_from_date"] <= date(span.last, 12, 31)].reset_index(drop=True)
    national = np.unique(np.concatenate([real_ids, national_made_up]))
    return Register(accreditations=frame, green_plants=green, national_enterprises=national, pool=pool)


def _real_enterprise_names(city: CityProfile) -> list[str]:
    names: list[str] = []
    for list_type in ("green_factory", "green_supply_chain", "green_design_product"):
        for row in placed(city.code, list_type):
            if row["entity_name"] not in names:
                names.append(row["entity_name"])
    return names


def _place_real(pool: Pool, real_of: dict[str, int], rng: np.random.Generator, city: CityProfile) -> Pool:
    """Give the real entries' names, districts and industries to the enterprises chosen for them."""
    first: dict[str, dict[str, str]] = {}
    for list_type in ("green_factory", "green_supply_chain", "green_design_product"):
        for row in placed(city.code, list_type):
            first.setdefault(row["entity_name"], row)
    ids = np.array([real_of[name] for name in first], dtype=np.int64)
    districts = np.array([row["district_code"] for row in first.values()], dtype="U6")
    division, _ = identities.division_codes(rng, districts, city)
    return pool.with_identities(
        ids,
        enterprise_name=list(first),
        district_code=districts,
        division_code=division,
        in_functional_zone=np.zeros(ids.size, dtype=bool),
        industry_code=[row["industry_code"] for row in first.values()],
    )


def _rename_placeless(pool: Pool, ids: np.ndarray, rng: np.random.Generator, city: CityProfile) -> Pool:
    """Made-up national list holders carry no place name of the city (firms named after a group)."""
    frame = pool.enterprises
    others = set(frame["enterprise_name"].drop(index=ids).tolist())
    names = identities.unique_names(
        rng,
        frame.loc[ids, "district_code"].to_numpy(),
        frame.loc[ids, "industry_code"].to_numpy(),
        city,
        placeless=True,
        taken=others,
    )
    return pool.with_identities(ids, enterprise_name=names)


def _row(
    list_type: str,
    tier: str,
    valid_from: date,
    *,
    enterprise_id: int = -1,
    stars: int | None = None,
    batch: str | None = None,
    scheduled_to: date | None = None,
    revoked: date | None = None,
    entity_name: str | None = None,
    district_code: str | None = None,
    product_name: str | None = None,
    product_model: str | None = None,
) -> dict:
    return {
        "enterprise_id": enterprise_id,
        "list_type": list_type,
        "tier": tier,
        "stars": stars,
        "entity_name": entity_name,
        "district_code": district_code,
        "product_name": product_name,
        "product_model": product_model,
        "batch": batch,
        "evaluation_standard": EVALUATION_STANDARD if list_type == "green_factory" else None,
        "valid_from_date": valid_from,
        "scheduled_to_date": scheduled_to,
        "revoked_date": revoked,
    }


def _day(rng: np.random.Generator, year: int, first_month: int = 3, last_month: int = 11) -> date:
    """A day away from the turn of the year, so 'in force at 31 December' never hangs on a boundary."""
    return date(year, int(rng.integers(first_month, last_month + 1)), int(rng.integers(1, 29)))


def _plus_years(day: date, years: int) -> date:
    return date(day.year + years, day.month, day.day)


def _chain(
    enterprise_id: int, start: date, last_year: int, labels: BatchLabels, *, stars: int = 3
) -> list[dict]:
    """Municipal star ratings renewed every three years from `start` until the simulated span ends."""
    out = []
    while start <= date(last_year, 12, 31):
        end = _plus_years(start, MUNICIPAL_VALIDITY_YEARS) - timedelta(days=1)
        out.append(
            _row(
                "green_factory",
                "municipal",
                start,
                enterprise_id=enterprise_id,
                stars=stars,
                batch=labels.municipal(start.year),
                scheduled_to=end,
            )
        )
        start = _plus_years(start, MUNICIPAL_VALIDITY_YEARS)
    return out


def _municipal_chains(
    rng: np.random.Generator, green: np.ndarray, entry: pd.Series, span: Span, labels: BatchLabels
) -> list[dict]:
    years = np.array(list(FIRST_ACCREDITATION_YEARS))
    weights = np.array(list(FIRST_ACCREDITATION_YEARS.values()))
    first = rng.choice(years, size=green.size, p=weights / weights.sum())
    first = np.maximum(first, entry.loc[green].to_numpy())
    out: list[dict] = []
    for enterprise_id, year in zip(green.tolist(), first.tolist(), strict=True):
        out += _chain(enterprise_id, _day(rng, min(year, CALIBRATION_YEAR)), span.last, labels)
    return out


def _later_accreditations(
    rng: np.random.Generator, pool: Pool, green: np.ndarray, span: Span, labels: BatchLabels
) -> list[dict]:
    """After the calibration year the city keeps accrediting (about 8 % more a year)."""
    out: list[dict] = []
    accredited = set(green.tolist())
    for year in range(CALIBRATION_YEAR + 1, span.last + 1):
        candidates = np.array(sorted(set(pool.above[year].tolist()) - accredited))
        chosen = rng.choice(candidates, size=min(candidates.size, round(0.08 * green.size)), replace=False)
        for enterprise_id in np.sort(chosen).tolist():
            out += _chain(enterprise_id, _day(rng, year), span.last, labels)
        accredited |= set(chosen.tolist())
    return out


def _provincial(
    rng: np.random.Generator, candidates: np.ndarray, span: Span, labels: BatchLabels
) -> list[dict]:
    """Provincial 4★ green factories: open-ended once granted."""
    chosen = np.sort(rng.choice(candidates, size=PROVINCIAL_FACTORIES, replace=False))
    out = []
    for enterprise_id in chosen.tolist():
        year = int(rng.integers(2017, span.last + 1))
        out.append(
            _row(
                "green_factory",
                "provincial",
                _day(rng, year),
                enterprise_id=enterprise_id,
                stars=4,
                batch=labels.provincial(year),
            )
        )
    for enterprise_id in np.sort(rng.choice(candidates, size=20, replace=False)).tolist():
        year = int(rng.integers(2018, span.last + 1))
        out.append(
            _row(
                "green_supply_chain",
                "provincial",
                _day(rng, year),
                enterprise_id=enterprise_id,
                batch=labels.provincial(year),
            )
        )
    for enterprise_id in np.sort(rng.choice(candidates, size=20, replace=False)).tolist():
        year = int(rng.integers(2018, span.last + 1))
        name, model = PRODUCTS[int(rng.integers(0, len(PRODUCTS)))]
        out.append(
            _row(
                "green_design_product",
                "provincial",
                _day(rng, year),
                enterprise_id=enterprise_id,
                batch=labels.provincial(year),
                product_name=name,
                product_model=f"{model}{int(rng.integers(100, 999))}",
            )
        )
    return out


def _national_placed(real_of: dict[str, int], span: Span, city: CityProfile) -> list[dict]:
    """The real entries of the MIIT lists placed in the city, from their batch's publication date."""
    out = []
    for list_type in ("green_park", "green_factory", "green_supply_chain", "green_design_product"):
        for row in placed(city.code, list_type):
            valid_from = BATCH_DATES[row["batch"]]
            if valid_from > date(span.last, 12, 31):
                continue
            if list_type == "green_park":
                out.append(
                    _row(
                        list_type,
                        "national",
                        valid_from,
                        batch=row["batch"],
                        entity_name=row["entity_name"],
                        district_code=row["district_code"],
                    )
                )
            else:
                out.append(
                    _row(
                        list_type,
                        "national",
                        valid_from,
                        enterprise_id=real_of[row["entity_name"]],
                        stars=STARS["national"] if list_type == "green_factory" else None,
                        batch=row["batch"],
                        product_name=row["product_name"] or None,
                        product_model=row["product_model"] or None,
                    )
                )
    return out


def _national_made_up(
    rng: np.random.Generator, factories: np.ndarray, chain: np.ndarray, product_firms: np.ndarray
) -> list[dict]:
    out = []
    batches = [b for b, n in MADE_UP_FACTORIES.items() for _ in range(n)]
    for enterprise_id, batch in zip(factories.tolist(), batches, strict=True):
        out.append(
            _row(
                "green_factory",
                "national",
                BATCH_DATES[batch],
                enterprise_id=enterprise_id,
                stars=STARS["national"],
                batch=batch,
            )
        )
    batches = [b for b, n in MADE_UP_SUPPLY_CHAIN.items() for _ in range(n)]
    for enterprise_id, batch in zip(chain.tolist(), batches, strict=True):
        out.append(
            _row(
                "green_supply_chain", "national", BATCH_DATES[batch], enterprise_id=enterprise_id, batch=batch
            )
        )
    batches = [b for b, n in MADE_UP_PRODUCTS.items() for _ in range(n)]
    firms = np.concatenate([product_firms, rng.choice(product_firms, size=len(batches) - product_firms.size)])
    for enterprise_id, batch, serial in zip(firms.tolist(), batches, range(len(batches)), strict=True):
        name, model = PRODUCTS[serial % len(PRODUCTS)]
        out.append(
            _row(
                "green_design_product",
                "national",
                BATCH_DATES[batch],
                enterprise_id=enterprise_id,
                batch=batch,
                product_name=name,
                product_model=f"{model}{100 + serial * 7}",
            )
        )
    return out


def _not_counting(
    rng: np.random.Generator,
    pool: Pool,
    green: np.ndarray,
    taken: set[int],
    span: Span,
    revoked: tuple[int, int],
    labels: BatchLabels,
) -> list[dict]:
    """Rows that hold no green plant at 2020-12-31: fewer than 3 stars, expired, or revoked."""
    entry = pool.enterprises["entry_year"]
    existing = entry.index[entry <= CALIBRATION_YEAR].to_numpy()
    candidates = np.setdiff1d(existing, np.concatenate([green, np.array(sorted(taken))]))
    revoked_factory, revoked_product_firm = revoked
    chosen = rng.choice(candidates, size=LOW_STAR + EXPIRED + REVOKED, replace=False)
    low, expired, revoked_ids = np.split(chosen, [LOW_STAR, LOW_STAR + EXPIRED])
    out = []
    for enterprise_id in np.sort(low).tolist():
        start = _day(rng, int(rng.integers(2018, CALIBRATION_YEAR + 1)))
        out += _chain(enterprise_id, start, span.last, labels, stars=2 if rng.random() < 0.8 else 1)
    for enterprise_id in np.sort(expired).tolist():
        start = _day(rng, int(rng.integers(2016, 2018)))
        out.append(
            _row(
                "green_factory",
                "municipal",
                start,
                enterprise_id=enterprise_id,
                stars=3,
                batch=labels.municipal(start.year),
                scheduled_to=_plus_years(start, MUNICIPAL_VALIDITY_YEARS) - timedelta(days=1),
            )
        )
    for enterprise_id in np.sort(revoked_ids).tolist():
        start = _day(rng, int(rng.integers(2017, 2020)))
        end = _plus_years(start, MUNICIPAL_VALIDITY_YEARS) - timedelta(days=1)
        revoked_on = min(start + timedelta(days=int(rng.integers(200, 700))), date(CALIBRATION_YEAR, 11, 30))
        if revoked_on.month in (12, 1):
            revoked_on = date(revoked_on.year, 2 if revoked_on.month == 1 else 11, 15)
        out.append(
            _row(
                "green_factory",
                "municipal",
                start,
                enterprise_id=enterprise_id,
                stars=3,
                batch=labels.municipal(start.year),
                scheduled_to=end,
                revoked=revoked_on,
            )
        )
    out.append(
        _row(
            "green_factory",
            "national",
            BATCH_DATES["2"],
            enterprise_id=revoked_factory,
            stars=5,
            batch="2",
            revoked=date(CALIBRATION_YEAR, 5, 15),
        )
    )
    out.append(
        _row(
            "green_design_product",
            "national",
            BATCH_DATES["3"],
            enterprise_id=revoked_product_firm,
            batch="3",
            product_name="聚酯切片",
            product_model="PET-BR",
            revoked=date(2019, 7, 10),
        )
    )
    return out


def register_frame(register: Register, pool: Pool, year: int) -> pd.DataFrame:
    """The full register as known at `year`-12-31: every accreditation granted by then, revocations up to
    then shown with their date, enterprise identities joined from the pool."""
    frame = register.accreditations
    end = date(year, 12, 31)
    frame = frame[frame["valid_from_date"] <= end].copy()
    revoked = frame["revoked_date"].map(lambda d: d is not None and not pd.isna(d) and d <= end)
    frame["is_revoked"] = revoked.astype(bool)
    frame["valid_to_date"] = np.where(revoked, frame["revoked_date"], frame["scheduled_to_date"])
    enterprises = pool.enterprises
    is_enterprise = frame["enterprise_id"] >= 0
    ids = frame.loc[is_enterprise, "enterprise_id"]
    frame["credit_code"] = None
    frame["industry_code"] = None
    frame["in_functional_zone"] = False
    frame.loc[is_enterprise, "credit_code"] = enterprises.loc[ids, "credit_code"].to_numpy()
    frame.loc[is_enterprise, "entity_name"] = enterprises.loc[ids, "enterprise_name"].to_numpy()
    frame.loc[is_enterprise, "district_code"] = enterprises.loc[ids, "district_code"].to_numpy()
    frame.loc[is_enterprise, "industry_code"] = enterprises.loc[ids, "industry_code"].to_numpy()
    frame.loc[is_enterprise, "in_functional_zone"] = enterprises.loc[ids, "in_functional_zone"].to_numpy()
    frame["year"] = year
    order = {"green_park": 0, "green_factory": 1, "green_supply_chain": 2, "green_design_product": 3}
    tier_order = {"national": 0, "provincial": 1, "municipal": 2}
    frame["_l"] = frame["list_type"].map(order)
    frame["_t"] = frame["tier"].map(tier_order)
    frame = frame.sort_values(["_l", "_t", "valid_from_date", "entity_name", "product_model"], kind="stable")
    return frame.drop(columns=["_l", "_t"]).reset_index(drop=True)
