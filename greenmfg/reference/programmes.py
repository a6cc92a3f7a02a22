"""The city's money for green transformation: model awards, equipment subsidies and green loans.

Calibrated to DOMAIN.md: awards at most 1,000 万元 (one at the cap), subsidies 10 % of the equipment
investment capped at 500 万元 (one at the cap), and in 2020 green loans from 148 enterprises totalling
330,000 万元.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from greenmfg.codes import rows
from greenmfg.reference import identities
from greenmfg.reference.population import CALIBRATION_YEAR, POLICY, Pool, Span

AWARD_CAP_10K_YUAN = POLICY.model_award_cap_10k_yuan
SUBSIDY_RATE = POLICY.subsidy_rate_cap
SUBSIDY_CAP_10K_YUAN = POLICY.subsidy_cap_10k_yuan
LOANS_IN_CALIBRATION_YEAR = 148
LOANS_TOTAL_IN_CALIBRATION_YEAR_10K_YUAN = 330_000
LOAN_GROWTH = 0.22

# Award per accreditation granted in the year (万元), by tier and list type (made up, plausible).
AWARDS: dict[tuple[str, str], float] = {
    ("national", "green_park"): 1000.0,
    ("national", "green_factory"): 200.0,
    ("national", "green_supply_chain"): 150.0,
    ("national", "green_design_product"): 30.0,
    ("provincial", "green_factory"): 50.0,
}
PURPOSES = (
    "绿色化改造",
    "节能技术改造",
    "分布式光伏建设",
    "清洁能源替代",
    "污水处理设施升级",
    "余热回收利用",
)
PROJECTS = (
    "生产线绿色化改造项目",
    "节能降碳技术改造项目",
    "屋顶分布式光伏发电项目",
    "余热余压回收利用项目",
    "数字化能源管理系统建设项目",
    "印染废水深度处理回用项目",
    "燃煤锅炉清洁能源替代项目",
    "VOCs治理提升项目",
)


def _label(code_list: str, code: str) -> str:
    return next(row["name_zh"] for row in rows(code_list) if next(iter(row.values())) == code)


def park_recipients(rng: np.random.Generator, accreditations: pd.DataFrame, exclude_bodies: set[int]) -> dict:
    """Parks receive awards through their administrative committee, which has its own credit code (11…)."""
    parks = accreditations[accreditations["enterprise_id"] < 0].drop_duplicates("entity_name")
    bodies = identities.organisation_bodies(rng, len(parks), exclude_bodies)
    codes = identities.credit_codes(parks["district_code"].to_numpy(), bodies, prefix="11")
    return {
        name: {"credit_code": code, "enterprise_name": f"{name}管理委员会", "district_code": district}
        for name, code, district in zip(parks["entity_name"], codes, parks["district_code"], strict=True)
    }


def incentives_frame(
    rng: np.random.Generator, pool: Pool, accreditations: pd.DataFrame, parks: dict, year: int
) -> pd.DataFrame:
    """Model awards for accreditations granted in `year`, and equipment subsidies."""
    awards = _model_awards(pool, accreditations, parks, year)
    subsidies = _subsidies(rng, pool, year)
    frame = pd.concat([awards, subsidies], ignore_index=True)
    frame.insert(0, "year", year)
    frame.insert(1, "serial_no", np.arange(1, len(frame) + 1))
    return frame


def _model_awards(pool: Pool, accreditations: pd.DataFrame, parks: dict, year: int) -> pd.DataFrame:
    granted = accreditations[accreditations["valid_from_date"].map(lambda d: d.year == year)]
    granted = granted[
        [(t, lt) in AWARDS for t, lt in zip(granted["tier"], granted["list_type"], strict=True)]
    ]
    enterprises = pool.enterprises
    by_recipient: dict[str, dict] = {}
    for row in granted.itertuples():
        if row.enterprise_id < 0:
            recipient = dict(parks[row.entity_name])
        else:
            identity = enterprises.loc[row.enterprise_id]
            recipient = {
                "credit_code": identity["credit_code"],
                "enterprise_name": identity["enterprise_name"],
                "district_code": identity["district_code"],
            }
        entry = by_recipient.setdefault(recipient["credit_code"], {**recipient, "honours": [], "amount": 0.0})
        honour = _label("tiers", row.tier) + _label("list_types", row.list_type)
        if honour not in entry["honours"]:
            entry["honours"].append(honour)
        entry["amount"] += AWARDS[(row.tier, row.list_type)]
    out = []
    for number, entry in enumerate(sorted(by_recipient.values(), key=lambda e: e["credit_code"]), start=1):
        capped = entry["amount"] > AWARD_CAP_10K_YUAN
        out.append(
            {
                "credit_code": entry["credit_code"],
                "enterprise_name": entry["enterprise_name"],
                "district_code": entry["district_code"],
                "incentive_kind": "model_award",
                "honour": "、".join(entry["honours"]),
                "project_name": None,
                "approval_document": f"湖经信〔{year}〕{20 + number}号",
                "equipment_investment_10k_yuan": np.nan,
                "amount_10k_yuan": min(entry["amount"], AWARD_CAP_10K_YUAN),
                "remarks": "按上限核定" if capped else None,
            }
        )
    return pd.DataFrame(out)


def _subsidies(rng: np.random.Generator, pool: Pool, year: int) -> pd.DataFrame:
    """10 % of the equipment investment, capped; in every year at least one project reaches the cap."""
    count = int(rng.integers(40, 61))
    ids = np.sort(rng.choice(pool.above[year], size=count, replace=False))
    investment = np.round(np.maximum(200.0, np.exp(rng.normal(np.log(1500.0), 0.8, count))), 1)
    top = int(np.argmax(investment))
    investment[top] = max(investment[top], round(5000.0 + rng.uniform(0.0, 4000.0), 1))
    amount = np.minimum(np.round(investment * SUBSIDY_RATE, 2), SUBSIDY_CAP_10K_YUAN)
    identity = pool.enterprises.loc[ids]
    projects = np.array(PROJECTS)[rng.integers(0, len(PROJECTS), count)]
    return pd.DataFrame(
        {
            "credit_code": identity["credit_code"].to_numpy(),
            "enterprise_name": identity["enterprise_name"].to_numpy(),
            "district_code": identity["district_code"].to_numpy(),
            "incentive_kind": "equipment_subsidy",
            "honour": None,
            "project_name": projects,
            "approval_document": f"湖经信技改〔{year}〕8号",
            "equipment_investment_10k_yuan": investment,
            "amount_10k_yuan": amount,
            "remarks": np.where(amount >= SUBSIDY_CAP_10K_YUAN, "补助封顶500万元", None),
        }
    )


def loan_counts(span: Span) -> dict[int, int]:
    return {
        y: round(LOANS_IN_CALIBRATION_YEAR * (1 + LOAN_GROWTH) ** (y - CALIBRATION_YEAR)) for y in span.years
    }


def loans_frame(
    rng: np.random.Generator,
    pool: Pool,
    year: int,
    count: int,
    green: np.ndarray,
    lenders: tuple[str, ...],
    must_apply: tuple[int, ...] = (),
) -> pd.DataFrame:
    """Loan applications of one year, one per enterprise, to the profile's lenders; amounts in multiples of
    10 万元.

    In the calibration year the total is exactly 330,000 万元; otherwise about 2,200 万元 an application.
    """
    candidates = pool.above[year]
    count = min(count, candidates.size)  # far from the calibration year growth outruns the enterprises
    preferred = np.intersect1d(candidates, green)
    weights = np.where(np.isin(candidates, preferred), 3.0, 1.0)
    forced = np.array([i for i in must_apply if i in set(candidates.tolist())], dtype=np.int64)
    rest = candidates[~np.isin(candidates, forced)]
    rest_weights = weights[~np.isin(candidates, forced)]
    chosen = rng.choice(
        rest, size=max(count - forced.size, 0), replace=False, p=rest_weights / rest_weights.sum()
    )
    ids = rng.permutation(np.concatenate([forced, chosen]))
    if year == CALIBRATION_YEAR:
        total_units = LOANS_TOTAL_IN_CALIBRATION_YEAR_10K_YUAN // 10
    else:
        total_units = int(count * rng.uniform(180, 260))
    amounts = _split_exactly(rng, total_units, count, minimum=5) * 10.0
    identity = pool.enterprises.loc[ids]
    days = np.sort(rng.integers(date(year, 2, 1).toordinal(), date(year, 12, 16).toordinal(), count))
    return pd.DataFrame(
        {
            "year": year,
            "application_no": [f"LZ{year}{n:04d}" for n in range(1, count + 1)],
            "credit_code": identity["credit_code"].to_numpy(),
            "enterprise_name": identity["enterprise_name"].to_numpy(),
            "district_code": identity["district_code"].to_numpy(),
            "bank": np.array(lenders)[rng.integers(0, len(lenders), count)],
            "loan_amount_10k_yuan": amounts,
            "application_date": [date.fromordinal(int(d)) for d in days],
            "purpose": np.array(PURPOSES)[rng.integers(0, len(PURPOSES), count)],
        }
    )


def _split_exactly(rng: np.random.Generator, total: int, parts: int, *, minimum: int) -> np.ndarray:
    """`parts` positive integers ≥ `minimum` summing to `total` (largest-remainder rounding)."""
    weights = np.exp(rng.normal(0.0, 0.9, parts))
    share = (total - minimum * parts) * weights / weights.sum()
    base = np.floor(share).astype(np.int64)
    remainder = total - minimum * parts - base.sum()
    base[np.argsort(-(share - base), kind="stable")[:remainder]] += 1
    return base + minimum
