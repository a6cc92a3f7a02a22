"""The real MIIT list entries placed in Huzhou by name (placed_entities.csv), and the batch dates."""

from __future__ import annotations

import csv
from datetime import date
from functools import cache
from pathlib import Path

PLACED_CSV = Path(__file__).with_name("placed_entities.csv")

# Publication dates of the MIIT batches (DOMAIN.md, "Official batch counts"); the lists write batch 6 as 2021.
BATCH_DATES: dict[str, date] = {
    "1": date(2017, 8, 23),
    "2": date(2018, 2, 11),
    "3": date(2018, 10, 29),
    "4": date(2019, 9, 2),
    "5": date(2020, 10, 16),
    "2021": date(2022, 1, 15),
}


@cache
def placed_entities() -> tuple[dict[str, str], ...]:
    """Rows of placed_entities.csv: list_type, batch, published_date, entity_name, product_name, …"""
    with open(PLACED_CSV, encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def placed(list_type: str) -> tuple[dict[str, str], ...]:
    return tuple(row for row in placed_entities() if row["list_type"] == list_type)
