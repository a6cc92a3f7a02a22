"""The floor as a process: pyarrow reads the CSV and writes it as Parquet, the least any contender does.

python benchmarks/peers/floor.py FILE --out OUT.parquet
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        table = pacsv.read_csv(args.path)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, args.out)
    except (OSError, ValueError) as exc:  # pyarrow's read errors are ValueErrors
        print(f"floor: {args.path}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
