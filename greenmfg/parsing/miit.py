"""Clean the MIIT national green lists and removal notices: leaked heading rows, glued 'nan', batch labels,
region spellings, the city's placement.

The lists were parsed from the ministry's PDFs by a third party (see the data folder's README); this module
turns their known defects into clean canonical rows and says what it changed, so nothing is hand-edited.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from greenmfg import codes
from greenmfg.contracts import MIIT_CLEANED_TYPES, MIIT_REMOVALS, get_contract, header_variants
from greenmfg.errors import FilingError, MissingColumnsError, UnknownFilingTypeError
from greenmfg.parsing.layout import batch_number
from greenmfg.places import place_frame

# The sixth and seventh batches were announced as "2021年度" / "2022年度" (DOMAIN.md, official table).
YEAR_LABEL_BATCHES: dict[str, int] = {"2021": 6, "2022": 7}

STANDARD_PREFIX = "适用评价标准"
HIGHLIGHTS_PREFIX = "绿色设计亮点"
CATEGORY_HEADING = "category heading"
DERIVED_COLUMNS: tuple[str, ...] = ("region", "province", "district_code")

# The PDF parser glued its missing-value text to cells; a lower-case letter before it would be a word (Hunan).
_GLUED_NAN = re.compile(r"\s*(?<![a-z])nan$")
_SERIAL = re.compile(r"\d+(?:\.0+)?")
_BATCH_NOISE = re.compile(r"[第批次年度\s]")
_MISSING_REGION = frozenset({"na", "nan", "n/a", "-", "—"})
_CHINESE_NUMBER = re.compile(r"[一二三四五六七八九十]{1,3}")


@dataclass
class MiitCleanResult:
    """Cleaned rows, the rows dropped (source row, reason) and one note per kind of change made."""

    frame: pd.DataFrame
    dropped: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def clean(frame: pd.DataFrame, filing_type: str, city_code: str) -> MiitCleanResult:
    """Clean one MIIT list given with canonical column names, raw string values and `source_row`; its
    entries placed in the city `city_code` get their district_code."""
    if filing_type not in MIIT_CLEANED_TYPES:
        raise UnknownFilingTypeError(
            "MIIT list", f"{filing_type!r} is not a MIIT list type", expected=list(MIIT_CLEANED_TYPES)
        )
    _require_columns(frame, filing_type)
    notes: list[str] = []
    out = _trimmed(frame, filing_type, notes)
    out, dropped = _drop_non_entities(out, filing_type, notes)
    out["batch"] = _batches(out, filing_type)
    out["serial_no"] = out["serial_no"].map(_serial_text, na_action="ignore")
    if filing_type == "miit_green_design_products":
        out["product_model"] = _filled_models(out["product_model"], notes)
    out["region"], out["province"] = _regions(out, notes)
    out["district_code"] = place_in_city(out["entity_name"], out["region"], city_code)
    columns = [c for c in get_contract(filing_type).column_names if c in out.columns]
    out = out[[*columns, "source_row"]].reset_index(drop=True)
    out[columns] = out[columns].astype(object).where(out[columns].notna(), None)
    return MiitCleanResult(frame=out, dropped=dropped, notes=notes)


def _require_columns(frame: pd.DataFrame, filing_type: str) -> None:
    needed = {"entity_name", "batch", "source_row"}
    if filing_type != MIIT_REMOVALS:  # a notice may leave its rows unnumbered
        needed |= {"serial_no"}
    if filing_type == "miit_green_design_products":
        needed |= {"product_name"}
    missing = sorted(needed - set(frame.columns))
    if missing:
        raise MissingColumnsError(
            f"{filing_type} frame", "columns needed to clean a MIIT list are missing",
            found=sorted(map(str, frame.columns)), expected=missing,
        )


def _trimmed(frame: pd.DataFrame, filing_type: str, notes: list[str]) -> pd.DataFrame:
    """Every contract column as trimmed text (None when empty), with the glued 'nan' removed."""
    contract = get_contract(filing_type)
    out = pd.DataFrame({"source_row": frame["source_row"].astype(int).to_numpy()}, index=frame.index)
    for name in contract.column_names:
        if name not in frame.columns:
            out[name] = None
            continue
        text = frame[name].astype("string").str.strip()
        glued = text.str.contains(_GLUED_NAN, na=False) & ~text.isin(["nan"])
        if glued.any():
            notes.append(f"removed a trailing 'nan' from {name} ({int(glued.sum())} rows)")
        text = text.str.replace(_GLUED_NAN, "", regex=True).str.strip()
        out[name] = text.where(text.notna() & (text != ""), None).astype(object)
    return out


def _serial_text(value: str) -> str | None:
    text = unicodedata.normalize("NFKC", value).strip()
    return str(int(float(text))) if _SERIAL.fullmatch(text) else None


def _drop_non_entities(
    frame: pd.DataFrame, filing_type: str, notes: list[str]
) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """Drop blank rows, repeated header rows and heading text that leaked into the serial column."""
    serial = frame["serial_no"]
    is_number = serial.map(_serial_text, na_action="ignore").notna()
    header_words = set(header_variants().get(filing_type, {}).get("serial_no", ()))
    is_header = serial.isin(header_words)
    filed = [c for c in frame.columns if c not in ("source_row", "batch")]  # a batch may be filled in
    is_blank = frame[filed].isna().all(axis=1)
    is_heading = serial.notna() & ~is_number & ~is_header & ~is_blank
    reasons = pd.Series(None, index=frame.index, dtype=object)
    reasons[is_blank] = "blank row"
    reasons[is_header] = "repeated header row"
    reasons[is_heading] = (
        CATEGORY_HEADING if filing_type == "miit_green_design_products" else "leaked heading text"
    )
    if filing_type == "miit_green_design_products":
        frame = _carry_headings(frame, is_heading, notes)
    drop = reasons.notna()
    rows = frame.loc[drop, "source_row"].astype(int).tolist()
    dropped = list(zip(rows, reasons[drop].tolist(), strict=True))
    for reason, count in reasons[drop].value_counts().sort_index().items():
        notes.append(f"dropped {count} rows: {reason}")
    return frame.loc[~drop].copy(), dropped


def _carry_headings(frame: pd.DataFrame, is_heading: pd.Series, notes: list[str]) -> pd.DataFrame:
    """Carry category / standard / highlights headings into the product rows that follow them.

    In the workbook those columns are empty under a heading; in the CSV they hold the previous category's
    values (the heading leaked as a row), so rows after a heading are overwritten until the list's own
    category value changes.
    """
    serial = frame["serial_no"].where(is_heading)
    kind = pd.Series(None, index=frame.index, dtype=object)
    kind[serial.str.startswith(STANDARD_PREFIX, na=False)] = "standard"
    kind[serial.str.startswith(HIGHLIGHTS_PREFIX, na=False)] = "highlights"
    kind[is_heading & kind.isna()] = "category"
    body = serial.str.replace(rf"^({STANDARD_PREFIX}|{HIGHLIGHTS_PREFIX})\s*[：:]?\s*", "", regex=True)
    body = body.where(body.fillna("") != "", frame["entity_name"].where(is_heading))
    section = (kind == "category").cumsum()
    carried = {
        "category": body.where(kind == "category").ffill(),
        "standard": body.where(kind == "standard").groupby(section).ffill(),
        "highlights": body.where(kind == "highlights").groupby(section).ffill(),
    }
    batch = frame["batch"].fillna("")
    listed = frame["category"].fillna("")
    run = ((listed != listed.shift()) | (batch != batch.shift())).cumsum()
    heading_run = run.where(is_heading).ffill()
    overwrite = ~is_heading & heading_run.eq(run)
    out = frame.copy()
    for column, values in carried.items():
        out.loc[overwrite, column] = values[overwrite]
    if overwrite.any():
        notes.append(
            f"carried {int(is_heading.sum())} heading rows into category/standard/highlights "
            f"of the {int(overwrite.sum())} product rows that follow them"
        )
    uncategorised = ~is_heading & out["category"].isna()
    if is_heading.any() and uncategorised.any():
        rows = out.loc[uncategorised, "source_row"]
        notes.append(
            f"{int(uncategorised.sum())} product rows (source rows {rows.min()}–{rows.max()}) have no "
            "category: no heading precedes them (was it above the header row?)"
        )
    return out


def _batches(frame: pd.DataFrame, filing_type: str) -> pd.Series:
    """Batch as an integer string: '2021' → '6', '第3批' → '3', '第三批' → '3'."""
    def one(value: object) -> str | None:
        if value is None or pd.isna(value):
            return None
        text = _BATCH_NOISE.sub("", unicodedata.normalize("NFKC", str(value)))
        if text in YEAR_LABEL_BATCHES:
            return str(YEAR_LABEL_BATCHES[text])
        if _CHINESE_NUMBER.fullmatch(text):
            return batch_number(text)
        return str(int(float(text))) if _SERIAL.fullmatch(text) else None

    raw = frame["batch"]
    batch = raw.map(one)
    bad = batch.isna()
    if bad.any():
        rows = frame.loc[bad, "source_row"].astype(int).tolist()
        raise FilingError(
            filing_type, f"batch missing or unreadable in {int(bad.sum())} rows (source rows {rows[:10]})",
            found=sorted(set(map(str, raw[bad]))), expected=["1–20", *YEAR_LABEL_BATCHES],
        )
    return batch


def _filled_models(models: pd.Series, notes: list[str]) -> pd.Series:
    """An empty product model becomes '-', the list's own mark for 'no model given'."""
    empty = models.isna()
    if empty.any():
        notes.append(f"product_model empty → '-' ({int(empty.sum())} rows)")
    return models.where(~empty, "-")


@cache
def region_table() -> pd.DataFrame:
    """regions.csv: spelling → normalised region, province and kind (province / city / corps)."""
    return pd.DataFrame(codes.rows("regions")).set_index("spelling")


def known_regions() -> frozenset[str]:
    return frozenset(region_table()["region"])


def _regions(frame: pd.DataFrame, notes: list[str]) -> tuple[pd.Series, pd.Series]:
    """Normalise the region; where it is empty or not a region, derive it from recommender or name."""
    table = region_table()
    raw = frame["region_raw"].str.replace(r"\s+", "", regex=True)
    raw = raw.where(~raw.str.lower().isin(_MISSING_REGION), None)
    region = raw.map(table["region"]).astype(object)
    for spelling, count in raw[region.notna() & (raw != region)].value_counts().sort_index().items():
        notes.append(f"normalised region {spelling} → {table.at[spelling, 'region']} ({count} rows)")
    apart = table[table["region"] != table["province"]].drop_duplicates("region").set_index("region")
    for name, count in region[region.isin(apart.index)].value_counts().sort_index().items():
        kind, province = apart.at[name, "kind"], apart.at[name, "province"]
        notes.append(f"region {name} is a {kind} of {province} ({count} rows)")
    unresolved = region.isna()
    if unresolved.any():
        region = region.where(~unresolved, _derived_regions(frame[unresolved], raw[unresolved], notes))
    province = region.map(table.drop_duplicates("region").set_index("region")["province"])
    return region.where(region.notna(), None), province.where(province.notna(), None).astype(object)


def _derived_regions(rows: pd.DataFrame, raw: pd.Series, notes: list[str]) -> pd.Series:
    """Region from the recommender (e.g. 广东省工业和信息化厅) first, else from the enterprise name."""
    recommender = rows["recommender"] if "recommender" in rows else pd.Series(None, index=rows.index)
    by_recommender = recommender.map(_region_prefix, na_action="ignore")
    by_name = rows["entity_name"].map(_region_in_name, na_action="ignore")
    derived = by_recommender.fillna(by_name)
    label = raw.fillna("(empty)")
    for value in sorted(set(label)):
        here = label == value
        n_rec = int((here & by_recommender.notna()).sum())
        n_name = int((here & by_recommender.isna() & by_name.notna()).sum())
        missing = sorted(set(rows.loc[here & derived.isna(), "entity_name"].dropna()))
        what = "is empty" if value == "(empty)" else f"{value} is not a region"
        parts = []
        if n_rec:
            parts.append(f"from 推荐单位 for {n_rec} rows")
        if n_name:
            parts.append(f"from the enterprise name for {n_name} rows")
        if parts:
            notes.append(f"region {what}: derived {' and '.join(parts)}")
        if missing:
            notes.append(f"region {what}: province left empty for {int((here & derived.isna()).sum())} rows "
                         f"({', '.join(missing[:5])})")
    return derived


@cache
def _spellings_longest_first() -> tuple[str, ...]:
    return tuple(sorted(region_table().index, key=lambda s: (-len(s), s)))


@cache
def _region_prefix(text: str) -> str | None:
    """Region of the longest spelling the text starts with (a recommender names its own province)."""
    spelling = next((s for s in _spellings_longest_first() if text.startswith(s)), None)
    return None if spelling is None else region_table().at[spelling, "region"]


@cache
def _region_in_name(name: str) -> str | None:
    """Region named in an enterprise name: inside brackets first (海信（山东）…), else leftmost, longest."""
    for part in (*re.findall(r"[（(]([^）)]*)[）)]", name), name):
        hits = [(part.find(s), -len(s), s) for s in _spellings_longest_first() if s in part]
        if hits:
            return region_table().at[min(hits)[2], "region"]
    return None


def place_in_city(names: pd.Series, regions: pd.Series, city_code: str) -> pd.Series:
    """District code of the rows the national placement (greenmfg.places) puts in the city `city_code`: the
    county when the name resolves it, else the city's own code; None for rows placed elsewhere or not."""
    provinces = regions.map(region_table().drop_duplicates("region").set_index("region")["province"])
    placed = place_frame(names, provinces, regions).set_axis(names.index)
    county_or_city = placed["county_code"].where(placed["county_code"].notna(), placed["city_code"])
    return county_or_city.where(placed["city_code"].eq(city_code), None).astype(object)
