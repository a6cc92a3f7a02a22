"""Clean synthetic canonical rows of any filing type, built from its contract with numpy.

For tests (a fault corpus starts from clean rows) and for the validation benchmark (a million rows in
about a second). Every contract and domain rule holds on these rows; they are not the reference data.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from greenmfg import codes, uscc
from greenmfg.cities import selected
from greenmfg.contracts import Column, Contract, get_contract
from greenmfg.parsing.derive import entity_type
from greenmfg.standard_coal import energy_tce
from greenmfg.validation.config import ValidationConfig

_CHARS = np.frombuffer(uscc.CHARSET.encode("ascii"), dtype=np.uint8)


def credit_codes(n: int, offset: int = 0) -> np.ndarray:
    """n distinct valid credit codes: '913305' + 11 base-31 digits of the row number + check character."""
    number = np.arange(offset, offset + n, dtype=np.int64)
    digits = np.empty((n, 11), dtype=np.int64)
    for position in range(10, -1, -1):
        digits[:, position] = number % 31
        number //= 31
    head = np.array([uscc.CHARSET.index(c) for c in "913305"], dtype=np.int64)
    values = np.hstack([np.broadcast_to(head, (n, 6)), digits])
    check = (31 - (values @ np.asarray(uscc.WEIGHTS, dtype=np.int64)) % 31) % 31
    chars = _CHARS[np.hstack([values, check[:, None]])]
    return chars.view(f"S{uscc.LENGTH}").ravel().astype(str)


def _numbered(prefix: str, n: int) -> pd.Series:
    return prefix + pd.Series(np.arange(1, n + 1)).astype("string")


def _column(column: Column, n: int, rng: np.random.Generator) -> object:
    if column.codes:
        return rng.choice(np.array(codes.values(column.codes)), n)
    if column.name == "credit_code":
        return credit_codes(n)
    if column.pattern == r"^\d{4}$":
        return np.char.add(
            rng.choice(np.array(codes.MANUFACTURING_DIVISIONS), n),
            np.char.zfill(rng.integers(0, 100, n).astype(str), 2),
        )
    if column.pattern == r"^\d{12}$":
        return np.char.add(rng.choice(np.array(selected().district_codes()), n), "000000")
    if column.dtype == "int":
        low = int(column.minimum) if column.minimum is not None else 1
        high = int(column.maximum) if column.maximum is not None else low + 1000
        return rng.integers(low, min(high, low + 1000) + 1, n)
    if column.dtype == "float":
        return np.round(rng.uniform(1, 1000, n), 3)
    if column.dtype == "date":
        return pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    if column.dtype == "bool":
        return np.zeros(n, dtype=bool)
    return _numbered(f"{column.name}-", n)


def clean_rows(
    filing_type: str,
    n: int,
    *,
    seed: int = 0,
    period: int | None = None,
    config: ValidationConfig | None = None,
) -> pd.DataFrame:
    """n canonical rows of the filing type that pass every rule (one period; keys unique)."""
    contract = get_contract(filing_type)
    config = config or ValidationConfig()
    rng = np.random.default_rng(seed)
    data = {c.name: _column(c, n, rng) for c in contract.columns}
    frame = pd.DataFrame(data)
    frame[contract.period_column] = period if period is not None else _default_period(contract)
    frame = _FIXES.get(filing_type, _miit if filing_type.startswith("miit_") else _nothing)(
        frame, rng, config
    )
    frame["source_sha256"] = hashlib.sha256(f"{filing_type}-{seed}-{n}".encode()).hexdigest()
    frame["source_row"] = np.arange(2, n + 2)
    frame["inferred_values"] = pd.NA
    return frame.astype(contract.pandas_dtypes())


def _default_period(contract: Contract) -> int:
    return 3 if contract.period_column == "batch" else 2020


def _enterprise_stats(
    frame: pd.DataFrame, rng: np.random.Generator, config: ValidationConfig
) -> pd.DataFrame:
    n = len(frame)
    frame["industry_division"] = frame["industry_code"].str.slice(0, 2)
    frame["revenue_10k_yuan"] = np.round(rng.lognormal(8.5, 1.0, n), 2)
    frame["is_above_size"] = frame["revenue_10k_yuan"] >= config.policy.above_size_revenue_thresholds(
        frame["year"]
    )
    frame["gross_output_10k_yuan"] = np.round(frame["revenue_10k_yuan"] * rng.uniform(0.9, 1.2, n), 2)
    frame["value_added_10k_yuan"] = np.round(frame["gross_output_10k_yuan"] * rng.uniform(0.15, 0.4, n), 2)
    frame["energy_total_tce"] = energy_tce(frame, config.policy).to_numpy()
    return frame


def _green_register(frame: pd.DataFrame, rng: np.random.Generator, config: ValidationConfig) -> pd.DataFrame:
    n = len(frame)
    frame["entity_type"] = entity_type(frame).to_numpy()
    frame["stars"] = rng.integers(3, 6, n)
    frame["valid_to_date"] = frame["valid_from_date"] + pd.Timedelta(days=3 * 365)
    return frame


def _incentives(frame: pd.DataFrame, rng: np.random.Generator, config: ValidationConfig) -> pd.DataFrame:
    n = len(frame)
    subsidy = frame["incentive_kind"] == "equipment_subsidy"
    investment = np.round(rng.uniform(100, 20000, n), 2)
    cap = config.policy.grant_caps_10k_yuan(frame["incentive_kind"], pd.Series(investment), frame["year"])
    frame["equipment_investment_10k_yuan"] = np.where(subsidy, investment, np.nan)
    frame["amount_10k_yuan"] = np.where(
        subsidy,
        np.floor(cap * rng.uniform(0.5, 1.0, n)),
        np.floor(rng.uniform(10, config.policy.model_award_cap_10k_yuan, n)),
    )
    return frame


def _miit(frame: pd.DataFrame, rng: np.random.Generator, config: ValidationConfig) -> pd.DataFrame:
    frame["region"] = frame["region_raw"]
    frame["district_code"] = None
    return frame


def _removals(frame: pd.DataFrame, rng: np.random.Generator, config: ValidationConfig) -> pd.DataFrame:
    """A notice dated in its period's year, naming entries of earlier batches."""
    frame = _miit(frame, rng, config)
    frame["notice_date"] = pd.Timestamp(f"{int(frame['notice_year'].iloc[0])}-03-23")
    return frame


def _nothing(frame: pd.DataFrame, rng: np.random.Generator, config: ValidationConfig) -> pd.DataFrame:
    return frame


_FIXES = {"enterprise_stats": _enterprise_stats, "green_register": _green_register, "incentives": _incentives,
          "miit_removals": _removals}  # fmt: skip
