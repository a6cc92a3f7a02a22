"""Units: every spelling a filing may use, declared once with its dimension and size; money lands in 10,000
yuan (万元) and every other quantity in its column's canonical unit.

A conversion exists only within one dimension (mass to mass, volume to volume); a column may declare an
equivalence across dimensions itself (water in cubic metres counted as tonnes, greenmfg.contracts).
"""

from __future__ import annotations

import unicodedata

# Canonical unit names used in contracts (Column.unit) and in column-name suffixes.
YUAN_10K = "10k_yuan"

# Spelling as written in headers, title rows and cells (NFKC, lower case) → (dimension, size in the
# dimension's base: yuan, tonne, tce, kWh, cubic metre, megajoule, square metre, person, percent).
# Within a dimension the first spelling of a size is the one the reference filings write.
UNITS: dict[str, tuple[str, float]] = {
    "元": ("money", 1.0),
    "千元": ("money", 1e3),
    "万元": ("money", 1e4),
    "百万元": ("money", 1e6),
    "亿元": ("money", 1e8),
    "吨": ("mass", 1.0),
    "t": ("mass", 1.0),
    "千克": ("mass", 1e-3),
    "公斤": ("mass", 1e-3),
    "kg": ("mass", 1e-3),
    "万吨": ("mass", 1e4),
    "万t": ("mass", 1e4),
    "吨标准煤": ("standard_coal", 1.0),
    "吨标煤": ("standard_coal", 1.0),
    "tce": ("standard_coal", 1.0),
    "万吨标准煤": ("standard_coal", 1e4),
    "万吨标煤": ("standard_coal", 1e4),
    "万tce": ("standard_coal", 1e4),
    "千克标准煤": ("standard_coal", 1e-3),
    "千克标煤": ("standard_coal", 1e-3),
    "kgce": ("standard_coal", 1e-3),
    "千瓦时": ("electricity", 1.0),
    "千瓦·时": ("electricity", 1.0),
    "kwh": ("electricity", 1.0),
    "kw·h": ("electricity", 1.0),
    "度": ("electricity", 1.0),
    "万千瓦时": ("electricity", 1e4),
    "万千瓦·时": ("electricity", 1e4),
    "万kwh": ("electricity", 1e4),
    "万度": ("electricity", 1e4),
    "兆瓦时": ("electricity", 1e3),
    "mwh": ("electricity", 1e3),
    "亿千瓦时": ("electricity", 1e8),
    "立方米": ("volume", 1.0),
    "m3": ("volume", 1.0),
    "标准立方米": ("volume", 1.0),
    "nm3": ("volume", 1.0),
    "万立方米": ("volume", 1e4),
    "万m3": ("volume", 1e4),
    "万标准立方米": ("volume", 1e4),
    "万nm3": ("volume", 1e4),
    "亿立方米": ("volume", 1e8),
    "兆焦": ("heat", 1.0),
    "mj": ("heat", 1.0),
    "千焦": ("heat", 1e-3),
    "吉焦": ("heat", 1e3),
    "gj": ("heat", 1e3),
    "百万千焦": ("heat", 1e3),
    "平方米": ("area", 1.0),
    "m2": ("area", 1.0),
    "万平方米": ("area", 1e4),
    "亩": ("area", 10_000 / 15),  # 1 mu = 10,000/15 m² exactly
    "公顷": ("area", 1e4),
    "平方公里": ("area", 1e6),
    "人": ("persons", 1.0),
    "万人": ("persons", 1e4),
    "%": ("pct", 1.0),
    "个": ("count", 1.0),
    "家": ("count", 1.0),
    "户": ("count", 1.0),
    "项": ("count", 1.0),
    "件": ("count", 1.0),
}

# Canonical unit → its dimension and size, so every conversion is a ratio of two sizes.
CANONICAL: dict[str, tuple[str, float]] = {
    YUAN_10K: ("money", 1e4),
    "t": ("mass", 1.0),
    "10k_t": ("mass", 1e4),
    "tce": ("standard_coal", 1.0),
    "10k_kwh": ("electricity", 1e4),
    "10k_m3": ("volume", 1e4),
    "gj": ("heat", 1e3),
    "m2": ("area", 1.0),
    "persons": ("persons", 1.0),
    "pct": ("pct", 1.0),
}

# Quantities a filing may leave without a stated unit and still be read exactly: a head count, a share.
# Every other quantity (money, mass, energy, volume, area) needs its unit stated, or it is not read.
SELF_EVIDENT_UNITS: frozenset[str] = frozenset({"persons", "pct"})
# Dimensions a title may state (单位：家) without any column measuring them: counts of the table's rows.
DESCRIPTIVE_DIMENSIONS: frozenset[str] = frozenset({"count", "persons", "pct"})

# Money units as they appear in headers and title rows → multiplier to 10,000 yuan (derived from UNITS).
MONEY_TO_10K_YUAN: dict[str, float] = {
    spelling: size / CANONICAL[YUAN_10K][1]
    for spelling, (dimension, size) in UNITS.items()
    if dimension == "money"
}

# How many base units (kg, kWh, m³, MJ) one canonical unit holds: for standard-coal factors,
# which GB/T 2589 gives in kgce per kg / kWh / m³ / MJ.
BASE_UNITS_PER_CANONICAL: dict[str, float] = {
    "t": 1000.0,
    "10k_kwh": 1e4,
    "10k_m3": 1e4,
    "gj": 1000.0,
}


def fold(text: str) -> str:
    """A unit as compared: NFKC (full-width → ASCII), no spaces, lower case, ³ and ² as digits."""
    text = unicodedata.normalize("NFKC", text).replace("³", "3").replace("²", "2")
    return "".join(text.split()).lower()


def is_unit(text: str) -> bool:
    return fold(text) in UNITS


def dimension(unit: str) -> str | None:
    """The dimension of a unit spelling, or None when it is not a unit."""
    found = UNITS.get(fold(unit))
    return found[0] if found else None


def multiplier(raw_unit: str, canonical_unit: str, equivalents: tuple[tuple[str, float], ...] = ()) -> float:
    """Factor turning a value in `raw_unit` (as written) into `canonical_unit`.

    `equivalents` are the column's declared equivalences ((canonical unit, factor), …) across dimensions.
    Raises KeyError when the raw unit is unknown or measures another quantity.
    """
    found = UNITS.get(fold(raw_unit))
    if found is None:
        raise KeyError(f"{raw_unit!r} is not a known unit")
    raw_dimension, raw_size = found
    for unit, factor in ((canonical_unit, 1.0), *equivalents):
        target_dimension, target_size = CANONICAL[unit]
        if raw_dimension == target_dimension:
            return raw_size / target_size * factor
    raise KeyError(f"{raw_unit!r} measures {raw_dimension}, not {CANONICAL[canonical_unit][0]}")


def cell_units(canonical_unit: str, equivalents: tuple[tuple[str, float], ...] = ()) -> dict[str, float]:
    """Units a cell of a `canonical_unit` column may carry after its number (`3亿元`, `500千克`), each with
    its multiplier to the canonical unit, keyed as folded. A cell's own unit beats its header's."""
    found: dict[str, float] = {}
    for spelling in UNITS:
        try:
            found[spelling] = multiplier(spelling, canonical_unit, equivalents)
        except KeyError:
            continue
    return found


def label(canonical_unit: str) -> str:
    """The Chinese spelling of a canonical unit (the first of its size), as the reference filings write."""
    wanted = CANONICAL[canonical_unit]
    for spelling, found in UNITS.items():
        if found == wanted and not spelling.isascii():
            return spelling
    raise KeyError(f"no Chinese spelling for unit {canonical_unit!r}")
