"""MIIT list membership, effective-dated: an entry is in force from its batch's publication date until the
date of a removal notice (动态调整) that names it.

Per-batch counts (entries as listed) never change; counts in force at a date drop after a removal. The
dates a count is taken at ("as of") are each batch's publication date and each removal notice's date.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import cache

import pandas as pd

from greenmfg import codes
from greenmfg.contracts import MIIT_REMOVALS
from greenmfg.indicators.common import input_frame

REMOVAL_COLUMNS = ("list_type", "batch", "entity_name", "product_name", "product_model", "notice_date",
                   "source_sha256", "source_row")  # fmt: skip
NAME_PARTS = ("entity_name", "product_name")


@cache
def published_dates() -> dict[int, pd.Timestamp]:
    """Batch → the date MIIT published it (greenmfg/codes/miit_official_counts.csv)."""
    return {
        int(row["batch"]): pd.Timestamp(row["published_date"]) for row in codes.rows("miit_official_counts")
    }


def removals(inputs: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The removal notices' rows (empty and typed when none was filed)."""
    frame = input_frame(inputs, MIIT_REMOVALS, REMOVAL_COLUMNS)
    return frame[frame["notice_date"].notna() & frame["batch"].notna()]


def _normal(values: pd.Series) -> pd.Series:
    """Names compared as a notice may write them: NFKC (full-width brackets), no spaces."""
    return values.astype("string").fillna("").map(lambda t: "".join(unicodedata.normalize("NFKC", t).split()))


def _match_key(frame: pd.DataFrame, with_model: bool) -> pd.Series:
    parts = [frame["list_type"].astype("string"), frame["batch"].astype("Int64").astype("string")]
    parts += [_normal(frame[c]) for c in (*NAME_PARTS, *(["product_model"] if with_model else []))]
    return parts[0].str.cat(parts[1:], sep="|")


def removed(listed: pd.DataFrame, notices: pd.DataFrame) -> pd.DataFrame:
    """`removed_date` (the earliest notice naming the entry) and `removal_sha256` for each listed row
    (list_type, batch, entity_name, product_name, product_model); NaT and NA where none names it. A notice
    that gives no product model removes every model of the product listed in that batch."""
    out = pd.DataFrame({"removed_date": pd.Series(pd.NaT, index=listed.index, dtype="datetime64[s]"),
                        "removal_sha256": pd.Series(pd.NA, index=listed.index, dtype="string")})  # fmt: skip
    if notices.empty or listed.empty:
        return out
    listed = listed.assign(**{c: listed.get(c, pd.Series(pd.NA, index=listed.index)) for c in
                              ("product_name", "product_model")})  # fmt: skip
    has_model = notices["product_model"].notna()
    for with_model, chosen in ((True, notices[has_model]), (False, notices[~has_model])):
        if chosen.empty:
            continue
        earliest = (
            chosen.assign(key=_match_key(chosen, with_model))
            .sort_values(["notice_date", "source_sha256"], kind="mergesort")
            .drop_duplicates("key")
            .set_index("key")
        )
        keys = _match_key(listed, with_model)
        dates = pd.to_datetime(keys.map(earliest["notice_date"])).astype("datetime64[s]")
        earlier = dates.notna() & (out["removed_date"].isna() | (dates < out["removed_date"]))
        out.loc[earlier, "removed_date"] = dates[earlier]
        out.loc[earlier, "removal_sha256"] = keys[earlier].map(earliest["source_sha256"]).astype("string")
    return out


def unmatched(listed: pd.DataFrame, notices: pd.DataFrame) -> pd.DataFrame:
    """The notices' rows that name no listed entry (a misspelt name or a wrong batch: they remove nothing)."""
    if notices.empty:
        return notices
    found = pd.Series(False, index=notices.index)
    for with_model in (True, False):
        chosen = notices["product_model"].notna() if with_model else notices["product_model"].isna()
        found |= chosen & _match_key(notices, with_model).isin(set(_match_key(listed, with_model)))
    return notices[~found]


def as_of_points(batches: list[int], notices: pd.DataFrame) -> pd.DataFrame:
    """The dates counts are taken at: each listed batch's publication date (a batch row) and each notice
    date after the first batch (a notice row), with the latest batch published on or before the date.

    Columns: as_of_date, batch, is_batch_row; a batch whose date is unknown keeps an empty as_of_date."""
    dates = published_dates()
    rows = [{"as_of_date": dates.get(b, pd.NaT), "batch": b, "is_batch_row": True} for b in batches]
    known = {b: dates[b] for b in batches if b in dates}
    taken = {row["as_of_date"] for row in rows}
    for day in sorted(set(pd.to_datetime(notices["notice_date"]).dropna()) - taken):
        before = [b for b, published in known.items() if published <= day]
        if before:
            rows.append({"as_of_date": day, "batch": max(before), "is_batch_row": False})
    points = pd.DataFrame(rows, columns=["as_of_date", "batch", "is_batch_row"])
    points["as_of_date"] = pd.to_datetime(points["as_of_date"]).astype("datetime64[s]")
    return points.sort_values(["batch", "as_of_date"], kind="mergesort", na_position="first").reset_index(
        drop=True
    )


def in_force(frame: pd.DataFrame, batch: int, day: pd.Timestamp) -> pd.Series:
    """Entries of `batch` or earlier not removed by `day` (a removal takes effect on its notice date)."""
    listed = frame["batch"] <= batch
    kept = frame["removed_date"].isna() | (pd.isna(day) | (frame["removed_date"] > day))
    return (listed & kept).fillna(False).astype(bool)


def notice_sources(notices: pd.DataFrame, day: pd.Timestamp) -> set[str]:
    """The notices (their SHA-256s) dated on or before `day`: the filings an in-force count rests on."""
    if notices.empty or pd.isna(day):
        return set()
    dated = pd.to_datetime(notices["notice_date"]) <= day
    return set(notices.loc[dated, "source_sha256"].dropna().astype(str))
