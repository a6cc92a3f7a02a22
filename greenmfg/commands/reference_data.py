"""`greenmfg reference-data OUT_DIR`: write the reference filings of the city and their answer key."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from greenmfg.commands import add_city_option, add_command, apply_city
from greenmfg.errors import GreenmfgError
from greenmfg.reference import DEFAULT_SEED, DEFAULT_YEARS, generate


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "reference-data",
        summary="write deterministic reference filings of the city (calibrated to DOMAIN.md), an answer key",
        description="""\
Writes OUT_DIR/<filing_type>/<file> as bureaus send them (CSV and XLSX, corrections included),
and OUT_DIR/answer_key.json with the figures they must give. Same arguments give byte-identical
files. The folder can be ingested as it is: `greenmfg ingest OUT_DIR`. Huzhou's reference city
is calibrated to DOMAIN.md's 2020 figures; another city's (--city) has the same shape with its own
divisions, names and real MIIT entries, calibrated to nothing.""",
        examples=[
            "greenmfg reference-data ref/",
            "greenmfg reference-data jiaxing/ --city 330400",
            "greenmfg reference-data ref/ --years 2019-2020 --enterprises 40   # small and fast",
            "greenmfg reference-data big/ --enterprises 1000000 --years 2020-2020",
        ],
    )
    parser.add_argument(
        "out_dir", metavar="OUT_DIR", type=Path, help="folder to write (new, empty or earlier output)"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--enterprises",
        type=int,
        default=None,
        metavar="N",
        help="scale mode: N rows of enterprise statistics per year, CSV only (not calibrated)",
    )
    parser.add_argument(
        "--years",
        type=_years,
        default=DEFAULT_YEARS,
        metavar="A-B",
        help=f"years to write (default {DEFAULT_YEARS[0]}-{DEFAULT_YEARS[1]})",
    )
    add_city_option(parser)
    parser.set_defaults(handler=run)


def _years(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{4})\s*-\s*(\d{4})\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected years as A-B (e.g. 2017-2021), got {text!r}")
    return int(match.group(1)), int(match.group(2))


def run(args: argparse.Namespace) -> int:
    apply_city(args)
    if args.years[0] > args.years[1]:
        raise GreenmfgError(f"reference-data: --years {args.years[0]}-{args.years[1]} ends before it starts")
    key = generate(
        args.out_dir, seed=args.seed, enterprises=args.enterprises, years=args.years, progress=True
    )
    rows = sum(record.rows for record in key.files)
    print(
        f"wrote {len(key.files)} files ({rows:,} rows) and {args.out_dir / 'answer_key.json'}"
        f" for city {key.city}{' (calibrated to DOMAIN.md)' if key.calibrated else ''}"
    )
    return 0
