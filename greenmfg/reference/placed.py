"""The real MIIT list entries placed in a reference city by name (placed_entities_<code>.csv), and the batch
dates."""

from __future__ import annotations

import csv
from datetime import date
from functools import cache
from pathlib import Path

PLACED_DIR = Path(__file__).parent

# Publication dates of the MIIT batches (DOMAIN.md, "Official batch counts"); the lists write batch 6 as 2021.
BATCH_DATES: dict[str, date] = {
    "1": date(2017, 8, 23),
    "2": date(2018, 2, 11),
    "3": date(2018, 10, 29),
    "4": date(2019, 9, 2),
    "5": date(2020, 10, 16),
    "2021": date(2022, 1, 15),
}


def placed_csv(city_code: str) -> Path:
    return PLACED_DIR / f"placed_entities_{city_code}.csv"


@cache
def placed_entities(city_code: str) -> tuple[dict[str, str], ...]:
    """Rows of placed_entities_<code>.csv (list_type, batch, published_date, entity_name, product_name, …);
    none for a city without the file."""
    path = placed_csv(city_code)
    if not path.is_file():
        return ()
    with open(path, encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def placed(city_code: str, list_type: str) -> tuple[dict[str, str], ...]:
    return tuple(row for row in placed_entities(city_code) if row["list_type"] == list_type)
