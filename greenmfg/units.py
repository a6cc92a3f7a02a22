"""Units: every conversion factor is declared here once, and money always lands in 10,000 yuan (万元)."""

from __future__ import annotations

# Canonical unit names used in contracts (Column.unit) and in column-name suffixes.
YUAN_10K = "10k_yuan"

# Money units as they appear in headers and title rows → multiplier to 10,000 yuan.
MONEY_TO_10K_YUAN: dict[str, float] = {
    "元": 1e-4,
    "千元": 0.1,
    "万元": 1.0,
    "百万元": 100.0,
    "亿元": 1e4,
}

# Physical units as they appear in headers → (canonical unit, multiplier to it).
PHYSICAL_UNITS: dict[str, tuple[str, float]] = {
    "吨": ("t", 1.0),
    "t": ("t", 1.0),
    "千克": ("t", 1e-3),
    "kg": ("t", 1e-3),
    "吨标准煤": ("tce", 1.0),
    "吨标煤": ("tce", 1.0),
    "tce": ("tce", 1.0),
    "万吨标准煤": ("tce", 1e4),
    "千克标准煤": ("tce", 1e-3),
    "万千瓦时": ("10k_kwh", 1.0),
    "千瓦时": ("10k_kwh", 1e-4),
    "kwh": ("10k_kwh", 1e-4),
    "万立方米": ("10k_m3", 1.0),
    "立方米": ("10k_m3", 1e-4),
    "m3": ("10k_m3", 1e-4),
    "万吨": ("10k_t", 1.0),
    "吉焦": ("gj", 1.0),
    "gj": ("gj", 1.0),
    "百万千焦": ("gj", 1.0),
    "兆焦": ("gj", 1e-3),
    "平方米": ("m2", 1.0),
    "m2": ("m2", 1.0),
    "亩": ("m2", 666.6667),
    "人": ("persons", 1.0),
    "%": ("pct", 1.0),
}

# How many base units (kg, kWh, m³, MJ) one canonical unit holds: for standard-coal factors,
# which GB/T 2589 gives in kgce per kg / kWh / m³ / MJ.
BASE_UNITS_PER_CANONICAL: dict[str, float] = {
    "t": 1000.0,
    "10k_kwh": 1e4,
    "10k_m3": 1e4,
    "gj": 1000.0,
}


def cell_units(canonical_unit: str) -> dict[str, float]:
    """Units a cell of a `canonical_unit` column may carry after its number (`3亿元`, `500千克`), each with
    its multiplier to the canonical unit, keyed in lower case. A cell's own unit beats its header's."""
    if canonical_unit == YUAN_10K:
        return {unit.lower(): factor for unit, factor in MONEY_TO_10K_YUAN.items()}
    return {
        unit.lower(): factor for unit, (target, factor) in PHYSICAL_UNITS.items() if target == canonical_unit
    }


def multiplier(raw_unit: str, canonical_unit: str) -> float:
    """Factor turning a value in `raw_unit` (as written in a header) into `canonical_unit`.

    Raises KeyError when the raw unit is unknown or does not measure the canonical quantity.
    """
    unit = raw_unit.strip().lower().replace("³", "3").replace("²", "2")
    if canonical_unit == YUAN_10K:
        return MONEY_TO_10K_YUAN[raw_unit.strip()]
    target, factor = PHYSICAL_UNITS[unit] if unit in PHYSICAL_UNITS else PHYSICAL_UNITS[raw_unit.strip()]
    if target != canonical_unit:
        raise KeyError(f"{raw_unit!r} measures {target}, not {canonical_unit}")
    return factor
